/*
 * switch_main.c -- strio side of the switch and spawn benchmarks
 * (bench/switch.py runs it next to switch_floor.c and switch_coro.cpp).
 *
 *   switch ROUNDS        ping-pong ROUNDS hand-overs each way on the
 *                        monotonic clock; prints ns per switch (one task
 *                        resumption, counted by the loop)
 *   switch-vclock ROUNDS the same on a virtual clock (no clock read per
 *                        loop turn): the difference is what reading
 *                        CLOCK_MONOTONIC once per turn costs
 *   spawn COUNT EAGER    spawn+join COUNT trivial children through a
 *                        64-slot pool; prints ns per task
 *   sizes                sizeof(strio_task) and the ticker frame
 *
 * Output lines are "key value" for the driver to parse.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <strio/posix.h>
#include <strio/strio.h>

#include "switch.h"

/* Wall time and this thread's CPU time: on a loaded machine the CPU time
 * is the steadier figure (the benchmark never blocks). */
struct stamp {
    double wall, cpu;
};

static double read_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static struct stamp stamp(void)
{
    struct stamp s = { read_ns(CLOCK_MONOTONIC),
                       read_ns(CLOCK_THREAD_CPUTIME_ID) };
    return s;
}

static struct stamp since(struct stamp t0)
{
    struct stamp t = stamp();
    t.wall -= t0.wall;
    t.cpu -= t0.cpu;
    return t;
}

static int run(strio_clock *clock, strio_resume_fn resume, void *frame,
               int *result, unsigned long *switches, struct stamp *ns)
{
    strio_loop loop;
    strio_task task;
    strio_loop_init(&loop, clock, NULL);
    strio_task_init(&task, resume, frame, result);
    struct stamp t0 = stamp();
    int rc = strio_loop_run(&loop, &task);
    *ns = since(t0);
    *switches = loop.switches;
    if (rc == 0)
        rc = *result;
    return rc;
}

static int bench_switch(long rounds, int virtual_clock)
{
    strio_clock mono;
    strio_vclock vc;
    strio_clock *clock = &mono;
    static struct pingpong pp;
    struct pp_root_frame f;
    unsigned long switches;
    struct stamp ns;

    strio_monotonic_clock_init(&mono);
    if (virtual_clock) {
        strio_vclock_init(&vc, 0, 1);
        clock = &vc.clock;
    }
    pp.rounds = rounds;
    pp_root_start(&f, &pp);
    int rc = run(clock, pp_root_resume, &f, &f.strio_ret, &switches, &ns);
    if (rc != 0) {
        fprintf(stderr, "ping-pong failed: %s\n", strio_strerror(rc));
        return 1;
    }
    printf("switches %lu\n", switches);
    printf("ns_per_switch %.3f\n", ns.cpu / (double)switches);
    printf("wall_ns_per_switch %.3f\n", ns.wall / (double)switches);
    return 0;
}

static int bench_spawn(long count, int eager)
{
    strio_clock mono;
    struct spawn_root_frame f;
    unsigned long switches;
    struct stamp ns;

    strio_monotonic_clock_init(&mono);
    spawn_root_start(&f, count, eager);
    int rc = run(&mono, spawn_root_resume, &f, &f.strio_ret, &switches, &ns);
    if (rc != 0) {
        fprintf(stderr, "spawn failed: %s\n", strio_strerror(rc));
        return 1;
    }
    printf("switches %lu\n", switches);
    printf("ns_per_task %.3f\n", ns.cpu / (double)count);
    printf("wall_ns_per_task %.3f\n", ns.wall / (double)count);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "switch") == 0)
        return bench_switch(atol(argv[2]), 0);
    if (argc >= 3 && strcmp(argv[1], "switch-vclock") == 0)
        return bench_switch(atol(argv[2]), 1);
    if (argc >= 4 && strcmp(argv[1], "spawn") == 0)
        return bench_spawn(atol(argv[2]), atoi(argv[3]));
    if (argc >= 2 && strcmp(argv[1], "sizes") == 0) {
        printf("task %zu\n", sizeof(strio_task));
        printf("ticker_frame %zu\n", sizeof(struct ticker_frame));
        return 0;
    }
    fprintf(stderr, "usage: %s switch|switch-vclock ROUNDS | spawn COUNT "
            "EAGER | sizes\n", argv[0]);
    return 2;
}
