/*
 * at_server.sc -- an AT-command style line protocol, served over any strio
 * stream (here the board's UART, uart_stream.h). Written in the dialect:
 * each `await` is a point where the task may wait and be cancelled.
 *
 * A command is a line ending in "\n" (a trailing "\r" is ignored), at most
 * AT_LINE_MAX bytes; each answer ends in "\r\n" and with a final "OK" or
 * "ERROR...". Every command runs in its own cancel scope whose deadline is
 * the command timeout (AT+TIMEOUT): a command still waiting when it
 * expires is cancelled and answers "ERROR: timeout", and the server goes
 * on with the next line.
 *
 *   AT                 OK
 *   ATI                the board's name
 *   AT+ECHO=text       +ECHO: text
 *   AT+ADD=a,b         +ADD: a+b
 *   AT+TIMEOUT=ms      sets the command timeout (default 1000 ms)
 *   AT+SLEEP=ms        waits ms milliseconds
 *   AT+SAMPLE          waits for the next "sample ready" interrupt (the
 *                      board's timer, 20 Hz)
 *   AT+TIMER=0|1       stops or starts the sampling timer
 *   AT+QUIT            OK, and the server returns 0
 *   anything else      ERROR
 */
#include <stdio.h>
#include <string.h>
#include <strio/bare.h>
#include <strio/bufread.h>
#include <strio/strio.h>

#include "at.h"

struct at_server {
    strio_stream *io;
    strio_reader rd;
    unsigned char rbuf[AT_LINE_MAX];
    strio_time timeout;
    const at_board *board;
    char out[AT_LINE_MAX + 32];
};

/* Sends a NUL-terminated answer line. */
static async int reply(at_server *s, const char *text)
{
    size_t n = strlen(text);
    int rc = await strio_send_all(s->io, text, n);
    if (rc == 0)
        rc = await strio_send_all(s->io, "\r\n", 2);
    return rc;
}

/* Parses a decimal number ending at `end` (',' or NUL); -1 if malformed. */
static long number(const char *p, char end, const char **after)
{
    long v = 0;
    if (*p < '0' || *p > '9')
        return -1;
    while (*p >= '0' && *p <= '9') {
        v = v * 10 + (*p++ - '0');
        if (v > 1000000000L)
            return -1;
    }
    if (*p != end)
        return -1;
    *after = p;
    return v;
}

/* Runs one command (inside its cancel scope). Returns 1 on AT+QUIT, 0
 * after an answer, or a negative error (STRIO_ECANCELED: the timeout). */
static async int command(at_server *s, const char *line)
{
    const char *rest;
    long a, b;
    int rc;
    if (strcmp(line, "AT") == 0) {
        return await reply(s, "OK");
    }
    if (strcmp(line, "ATI") == 0) {
        rc = await reply(s, s->board->name);
        return rc < 0 ? rc : await reply(s, "OK");
    }
    if (strncmp(line, "AT+ECHO=", 8) == 0) {
        snprintf(s->out, sizeof s->out, "+ECHO: %s", line + 8);
        rc = await reply(s, s->out);
        return rc < 0 ? rc : await reply(s, "OK");
    }
    if (strncmp(line, "AT+ADD=", 7) == 0) {
        if ((a = number(line + 7, ',', &rest)) < 0 ||
            (b = number(rest + 1, 0, &rest)) < 0)
            return await reply(s, "ERROR: usage AT+ADD=a,b");
        snprintf(s->out, sizeof s->out, "+ADD: %ld", a + b);
        rc = await reply(s, s->out);
        return rc < 0 ? rc : await reply(s, "OK");
    }
    if (strncmp(line, "AT+TIMEOUT=", 11) == 0) {
        if ((a = number(line + 11, 0, &rest)) <= 0)
            return await reply(s, "ERROR: usage AT+TIMEOUT=ms");
        s->timeout = STRIO_MS(a);
        return await reply(s, "OK");
    }
    if (strncmp(line, "AT+SLEEP=", 9) == 0) {
        if ((a = number(line + 9, 0, &rest)) < 0)
            return await reply(s, "ERROR: usage AT+SLEEP=ms");
        rc = await strio_sleep(STRIO_MS(a));
        return rc < 0 ? rc : await reply(s, "OK");
    }
    if (strcmp(line, "AT+SAMPLE") == 0) {
        /* the next sample: drop the sets that came before the command */
        strio_bare_event_take(s->board->sample_ready);
        rc = await strio_bare_wait_event(s->board->sample_ready);
        if (rc < 0)
            return rc;
        rc = await reply(s, "+SAMPLE: ready");
        return rc < 0 ? rc : await reply(s, "OK");
    }
    if (strcmp(line, "AT+TIMER=0") == 0 || strcmp(line, "AT+TIMER=1") == 0) {
        s->board->timer(line[9] == '1');
        return await reply(s, "OK");
    }
    if (strcmp(line, "AT+QUIT") == 0) {
        rc = await reply(s, "OK");
        return rc < 0 ? rc : 1;
    }
    return await reply(s, "ERROR");
}

/* Drops buffered input up to and including the next "\n"; returns 1 if
 * it found one, 0 if it dropped everything buffered. */
static int drop_line(at_server *s)
{
    const void *data;
    size_t n = strio_reader_buffered(&s->rd, &data);
    const char *nl = memchr(data, '\n', n);
    strio_reader_consume(&s->rd, nl != NULL ? (size_t)(nl - (const char *)data) + 1 : n);
    return nl != NULL;
}

async int at_serve(strio_stream *io, const at_board *board)
{
    at_server s;
    char line[AT_LINE_MAX + 1];
    strio_cancel_scope sc;
    s.io = io;
    s.board = board;
    s.timeout = STRIO_MS(1000);
    strio_reader_init(&s.rd, io, s.rbuf, sizeof s.rbuf);
    for (;;) {
        long n = await strio_read_until(&s.rd, "\n", 1, line, AT_LINE_MAX);
        if (n == -EMSGSIZE) {
            /* skip the rest of the line, however long */
            while (!drop_line(&s)) {
                n = await strio_read_until(&s.rd, "\n", 1, line, AT_LINE_MAX);
                if (n != -EMSGSIZE)
                    break;
            }
            if (n < 0 && n != -EMSGSIZE)
                return (int)n;
            int rc = await reply(&s, "ERROR: line too long");
            if (rc < 0)
                return rc;
            continue;
        }
        if (n <= 0)
            return (int)n;              /* end of stream, or an error */
        line[--n] = 0;                  /* the "\n" */
        if (n > 0 && line[n - 1] == '\r')
            line[--n] = 0;
        if (n == 0)
            continue;                   /* empty lines are ignored */
        strio_fail_after(STRIO_SELF, &sc, s.timeout);
        int rc = await command(&s, line);
        rc = strio_scope_exit(&sc, rc);
        if (rc == STRIO_ETIMEDOUT)
            rc = await reply(&s, "ERROR: timeout");
        if (rc < 0)
            return rc;
        if (rc == 1)
            return 0;
    }
}
