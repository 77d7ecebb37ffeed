/*
 * files_main.c -- file read throughput (bench/files.py runs it).
 *
 *   plain PATH CHUNK           open(2) + read(2) of CHUNK bytes in a loop
 *                              until end of file (the limit)
 *   strio PATH CHUNK BUFSIZE   strio_file_open + strio_file_read of CHUNK
 *                              bytes per call through a file whose transfer
 *                              buffer has BUFSIZE bytes, one worker thread,
 *                              the real loop on the monotonic clock
 *
 * Output lines are "key value": bytes read and MB/s (wall time: the loop
 * thread sleeps in poll() while the worker reads, so CPU time of one
 * thread would not be the cost).
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <strio/file.h>
#include <strio/posix.h>
#include <strio/strio.h>

#include "files.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static STRIO_POLL(io, 4);
static STRIO_WORKERS(pool, 1, 2);

int main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    const char *path = argv[2];
    size_t chunk = strtoull(argv[3], NULL, 0);
    unsigned char *buf = malloc(chunk);   /* the benchmark, not the library */
    unsigned long long total = 0;
    double t0, t1;
    if (buf == NULL)
        return 2;
    if (argv[1][0] == 'p') {
        t0 = now_ns();
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return 3;
        ssize_t n;
        while ((n = read(fd, buf, chunk)) > 0)
            total += (unsigned long long)n;
        close(fd);
        t1 = now_ns();
        if (n < 0)
            return 3;
    } else {
        if (argc < 5)
            return 2;
        size_t bufsize = strtoull(argv[4], NULL, 0);
        unsigned char *tbuf = malloc(bufsize);
        static strio_file f;
        static strio_clock mono;
        static strio_loop loop;
        static struct fb_read_file_frame fr;
        strio_task t;
        if (tbuf == NULL)
            return 2;
        strio_monotonic_clock_init(&mono);
        if (STRIO_POLL_SETUP(io) < 0)
            return 4;
        strio_loop_init(&loop, &mono, strio_poll_backend(&io.poll));
        if (STRIO_WORKERS_SETUP(pool, &loop) < 0)
            return 4;
        strio_file_init(&f, &pool.workers, tbuf, bufsize);
        t0 = now_ns();
        fb_read_file_start(&fr, &f, path, buf, chunk, &total);
        strio_task_init(&t, fb_read_file_resume, &fr, &fr.strio_ret);
        int rc = strio_loop_run(&loop, &t);
        t1 = now_ns();
        if (rc < 0 || fr.strio_ret < 0) {
            fprintf(stderr, "strio: %s\n", strio_strerror(rc < 0 ? rc : fr.strio_ret));
            return 5;
        }
        strio_workers_close(&pool.workers);
        strio_poll_close(&io.poll);
        printf("jobs %lu\n", pool.workers.completed);
    }
    printf("bytes %llu\n", total);
    printf("mb_per_s %.1f\n", (double)total / 1e6 / ((t1 - t0) / 1e9));
    return 0;
}
