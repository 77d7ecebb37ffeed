/*
 * process_main.c -- the subprocess benchmark's programs (bench/process.py
 * runs them; bench/README.md says what the figures mean).
 *
 *   strio COUNT        COUNT x (strio_process_spawn + await
 *                      strio_process_wait) of /bin/true on the real loop
 *                      (poll backend, monotonic clock): exit seen through
 *                      the pidfd
 *   strio_nopidfd COUNT  the same with STRIO_PROCESS_NO_PIDFD: the
 *                      waitpid polling fallback
 *   plain COUNT        the peer: posix_spawn + waitpid(pid, 0) in a loop
 *
 * Output lines are "key value": wall time per cycle in microseconds.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <strio/posix.h>
#include <strio/process.h>
#include <strio/strio.h>

#include "process.h"

extern char **environ;

static const char *const argv_true[] = { "/bin/true", NULL };

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static STRIO_POLL(io, 8);

static int run_strio(long count, unsigned flags)
{
    strio_clock mono;
    strio_loop loop;
    strio_task t;
    static struct spawn_wait_loop_frame f;
    long failed = 0;
    strio_monotonic_clock_init(&mono);
    if (STRIO_POLL_SETUP(io) < 0)
        return 1;
    strio_loop_init(&loop, &mono, strio_poll_backend(&io.poll));
    spawn_wait_loop_start(&f, argv_true, count, flags, &failed);
    strio_task_init(&t, spawn_wait_loop_resume, &f, &f.strio_ret);
    double t0 = now_us();
    int rc = strio_loop_run(&loop, &t);
    double us = now_us() - t0;
    strio_poll_close(&io.poll);
    if (rc < 0 || f.strio_ret < 0 || failed != 0) {
        fprintf(stderr, "strio: %s\n",
                strio_strerror(rc < 0 ? rc : f.strio_ret));
        return 1;
    }
    printf("us_per_cycle %.2f\n", us / (double)count);
    return 0;
}

static int run_plain(long count)
{
    double t0 = now_us();
    for (long i = 0; i < count; i++) {
        pid_t pid;
        int st;
        int rc = posix_spawn(&pid, argv_true[0], NULL, NULL,
                             (char *const *)(void *)argv_true, environ);
        if (rc != 0) {
            fprintf(stderr, "posix_spawn: %s\n", strerror(rc));
            return 1;
        }
        while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
            ;
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
            return 1;
    }
    printf("us_per_cycle %.2f\n", (now_us() - t0) / (double)count);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s strio|strio_nopidfd|plain COUNT\n",
                argv[0]);
        return 2;
    }
    long count = atol(argv[2]);
    if (strcmp(argv[1], "strio") == 0)
        return run_strio(count, 0);
    if (strcmp(argv[1], "strio_nopidfd") == 0)
        return run_strio(count, STRIO_PROCESS_NO_PIDFD);
    if (strcmp(argv[1], "plain") == 0)
        return run_plain(count);
    return 2;
}
