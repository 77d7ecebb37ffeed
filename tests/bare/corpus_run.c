/*
 * corpus_run.c -- runs the generator's corpus machines (corpus.py) on the
 * target. Each program's test_main runs as a task on the board's loop,
 * once per leaf mode (tests/gen/support/leaf.h): never suspending, always,
 * at random with two seeds, and in bursts (a program that keeps state in
 * globals runs once, in the "always" mode). Its output, captured, must be
 * byte for byte the host's; the task must suspend exactly as often as the
 * leaves did, and every leaf started must have completed. Before each run
 * the frame is filled with garbage, so a field the machine forgets to set
 * shows.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "corpus.h"
#include "harness.h"
#include "leaf.h"

static char out[8192];
static size_t out_len;
static int overflow;

static void put(const char *s, size_t n)
{
    if (out_len + n >= sizeof out) {
        overflow = 1;
        return;
    }
    memcpy(out + out_len, s, n);
    out_len += n;
    out[out_len] = 0;
}

int corpus_printf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof buf)
        overflow = 1;
    else if (n > 0)
        put(buf, (size_t)n);
    return n;
}

int corpus_putchar(int c)
{
    char ch = (char)c;
    put(&ch, 1);
    return (unsigned char)c;
}

int corpus_puts(const char *s)
{
    put(s, strlen(s));
    put("\n", 1);
    return 0;
}

static _Alignas(16) unsigned char frame[8192];
static strio_task task;

static const struct { int mode; unsigned seed; const char *name; } modes[] = {
    { TLEAF_NEVER, 0, "never" },
    { TLEAF_ALWAYS, 0, "always" },
    { TLEAF_RANDOM, 1, "random/1" },
    { TLEAF_RANDOM, 2, "random/2" },
    { TLEAF_BURST, 3, "burst/3" },
};

/* Prints where two outputs part, to make a failure readable. */
static void show_diff(const char *want, const char *got)
{
    size_t i = 0;
    while (want[i] && want[i] == got[i])
        i++;
    size_t line = i;
    while (line > 0 && want[line - 1] != '\n')
        line--;
    printf("  at byte %u: want \"%.40s\", got \"%.40s\"\n", (unsigned)i,
           want + line, got + line);
}

void corpus_tests(void)
{
    unsigned ok_runs = 0, total_runs = 0;
    for (unsigned p = 0; p < corpus_count; p++) {
        const struct corpus_prog *prog = corpus_progs[p];
        unsigned long suspends = 0;
        int ok = 1;
        if (prog->frame_size > sizeof frame) {
            printf("FAIL corpus %s: frame of %u bytes does not fit\n",
                   prog->name, prog->frame_size);
            CHECK(prog->frame_size <= sizeof frame);
            continue;
        }
        /* A program with state in globals runs once, every leaf
         * suspending (globals cannot be reset without reloading). */
        unsigned first = prog->rerun ? 0 : 1;
        unsigned last = prog->rerun ? sizeof modes / sizeof modes[0] : 2;
        for (unsigned m = first; m < last; m++) {
            unsigned long calls0 = tleaf_calls(), done0 = tleaf_completions();
            unsigned long susp0 = tleaf_suspends();
            out_len = 0;
            out[0] = 0;
            overflow = 0;
            memset(frame, 0xA5, prog->frame_size);
            tleaf_mode(modes[m].mode);
            tleaf_seed(modes[m].seed);
            tleaf_expect_task(&task);
            prog->start(frame);
            int *result = (int *)(void *)(frame + prog->ret_offset);
            strio_task_init(&task, prog->resume, frame, result);
            int rc = strio_loop_run(&board_loop, &task);
            corpus_printf("result %d\n", *result);
            unsigned long calls = tleaf_calls() - calls0;
            unsigned long susp = tleaf_suspends() - susp0;
            int good = rc == 0 && !overflow &&
                       strcmp(out, prog->expected) == 0 &&
                       tleaf_completions() - done0 == calls &&
                       task.switches == susp;
            total_runs++;
            if (good) {
                ok_runs++;
                suspends += susp;
                continue;
            }
            ok = 0;
            printf("FAIL corpus %s (%s): rc=%d overflow=%d leaves %lu/%lu "
                   "switches %lu/%lu\n", prog->name, modes[m].name, rc,
                   overflow, tleaf_completions() - done0, calls,
                   task.switches, susp);
            if (strcmp(out, prog->expected) != 0)
                show_diff(prog->expected, out);
        }
        CHECK(ok);
        printf("corpus %s: %s (frame %u bytes, %lu suspensions)\n",
               prog->name, ok ? "ok" : "FAILED", prog->frame_size, suspends);
    }
    tleaf_expect_task(NULL);
    printf("corpus: %u programs, %u of %u runs matched the host\n",
           corpus_count, ok_runs, total_runs);
}
