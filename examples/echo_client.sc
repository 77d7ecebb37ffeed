/*
 * echo_client.sc -- a client for echo_server, in the strio dialect.
 *
 *     echo_client PORT [MESSAGES]
 *
 * Connects to 127.0.0.1:PORT, sends MESSAGES (default 10) messages one at
 * a time, reads each echo back and checks it byte for byte, then
 * half-closes and expects the server to close too. Prints the round trips
 * and the time they took. Exits 1 on any error or mismatch.
 *
 * Everything runs inside a "fail after" cancel scope of 5 s: a server that
 * never answers makes the client fail with STRIO_ETIMEDOUT instead of
 * hanging.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/socket.h>
#include <strio/socket_stream.h>

#define DEADLINE STRIO_SEC(5)

/* Connects a new TCP socket to 127.0.0.1:port and makes it a stream. */
async int connect_loopback(strio_socket_stream *st, unsigned port)
{
    strio_socket s;
    strio_sockaddr a;
    int rc = strio_socket_create(&s, AF_INET, SOCK_STREAM, 0);
    if (rc < 0)
        return rc;
    rc = strio_resolve_remote_address(&s, "127.0.0.1", port, &a);
    if (rc == 0)
        rc = await strio_socket_connect(&s, &a);  /* cancelled: s closed */
    if (rc == 0)
        rc = strio_socket_stream_init(st, &s);    /* takes s over */
    if (rc < 0)
        strio_socket_close(&s);
    return rc;
}

/* Receives exactly `len` bytes (a stream may deliver them in pieces).
 * Returns 0, STRIO_EEND if the stream ended first, or the stream's error. */
async int recv_exactly(strio_stream *s, unsigned char *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        long n = await strio_receive_some(s, buf + got, len - got);
        if (n < 0)
            return (int)n;
        if (n == 0)
            return STRIO_EEND;
        got += (size_t)n;
    }
    return 0;
}

struct client_result {
    unsigned long round_trips;
    int mismatch;               /* an echo differed from what was sent */
};

/* The conversation: `messages` round trips, then a clean shutdown. */
async int talk(strio_socket_stream *conn, unsigned long messages,
               struct client_result *res)
{
    char msg[64];
    unsigned char echo[64];
    int rc = 0;
    for (unsigned long i = 0; i < messages && rc == 0; i++) {
        /* uneven lengths, so the echo cannot pass by luck */
        int len = snprintf(msg, sizeof msg, "message %lu of %lu%.*s\n",
                           i + 1, messages, (int)(i % 7), "!!!!!!!");
        rc = await strio_send_all(&conn->base, msg, (size_t)len);
        if (rc == 0)
            rc = await recv_exactly(&conn->base, echo, (size_t)len);
        if (rc == 0 && memcmp(msg, echo, (size_t)len) != 0) {
            res->mismatch = 1;
            rc = -EPROTO;
        }
        if (rc == 0)
            res->round_trips++;
    }
    /* Half-close: the server sees end of stream, closes, and we see ours. */
    if (rc == 0)
        rc = await strio_send_eof(&conn->base);
    if (rc == 0) {
        long n = await strio_receive_some(&conn->base, echo, sizeof echo);
        if (n > 0) {
            res->mismatch = 1;              /* bytes nobody sent */
            rc = -EPROTO;
        } else {
            rc = (int)n;                    /* 0: clean end of stream */
        }
    }
    return rc;
}

/* The root task: connect and talk, all under one 5 s deadline. */
async int echo_client(unsigned port, unsigned long messages,
                      struct client_result *res)
{
    static strio_socket_stream conn;        /* must not move while in use */
    strio_cancel_scope deadline;
    int rc;

    strio_fail_after(STRIO_SELF, &deadline, DEADLINE);
    rc = await connect_loopback(&conn, port);
    if (rc == 0) {
        rc = await talk(&conn, messages, res);
        int crc = await strio_stream_close(&conn.base);
        if (rc == 0)
            rc = crc;
    }
    /* STRIO_ECANCELED caused by the deadline becomes STRIO_ETIMEDOUT */
    return strio_scope_exit(&deadline, rc);
}

/* ---- plain C: command line and the loop ---------------------------------- */

static STRIO_POLL(io, 4);

int main(int argc, char **argv)
{
    char *end;
    unsigned long port, messages = 10;
    if (argc < 2 || argc > 3 ||
        (port = strtoul(argv[1], &end, 10)) == 0 || *end || port > 65535 ||
        (argc == 3 && ((messages = strtoul(argv[2], &end, 10)) == 0 ||
                       *end || messages > 100000000UL))) {
        fprintf(stderr, "usage: echo_client PORT [MESSAGES]\n");
        return 2;
    }

    static struct echo_client_frame frame;
    struct client_result res = { 0, 0 };
    strio_clock clock;
    strio_loop loop;
    strio_task task;

    strio_monotonic_clock_init(&clock);
    int rc = STRIO_POLL_SETUP(io);
    if (rc < 0) {
        fprintf(stderr, "echo_client: poll: %s\n", strio_strerror(rc));
        return 1;
    }
    strio_loop_init(&loop, &clock, strio_poll_backend(&io.poll));

    strio_time t0 = strio_loop_now(&loop);
    echo_client_start(&frame, (unsigned)port, messages, &res);
    strio_task_init(&task, echo_client_resume, &frame, &frame.strio_ret);
    rc = strio_loop_run(&loop, &task);
    strio_time elapsed = strio_loop_now(&loop) - t0;
    strio_poll_close(&io.poll);
    if (rc == 0)
        rc = frame.strio_ret;

    printf("%lu round trips in %.3f ms", res.round_trips, elapsed / 1e6);
    if (res.round_trips > 0)
        printf(" (%.1f us each)", elapsed / 1e3 / (double)res.round_trips);
    printf("\n");
    if (res.mismatch) {
        fprintf(stderr, "echo_client: echo mismatch\n");
        return 1;
    }
    if (rc < 0) {
        fprintf(stderr, "echo_client: %s\n", strio_strerror(rc));
        return 1;
    }
    return 0;
}
