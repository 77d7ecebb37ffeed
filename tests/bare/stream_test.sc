/*
 * stream_test.sc -- memory streams on the target: the stream conformance
 * suite (strio/conformance.h) over one-way and two-way, buffered and
 * lockstep memory pairs, and over fault-injected pairs (random chunking,
 * short reads, delays; seeded, so every run is the same), all on the
 * board's loop with the 1 kHz tick clock.
 *
 * The tick clock has 1 ms resolution, so the suite's `settle` ("the
 * others are blocked by now") is 5 ms and injected delays stay at or
 * below 1 ms (the suite requires delays shorter than settle).
 */
#include <stdio.h>
#include <string.h>
#include <strio/conformance.h>
#include <strio/memstream.h>
#include <strio/strio.h>

#include "harness.h"

enum shape { ONE_BUFFERED, ONE_LOCKSTEP, TWO_BUFFERED, TWO_LOCKSTEP };

struct pair_cfg {
    const char *label;
    enum shape shape;
    size_t cap_ab, cap_ba;
    int fault;
    strio_fault_config fcfg;
    unsigned long made, destroyed;
    unsigned long delays, chunks, receives;     /* fault statistics */
};

static union {
    strio_memory_one_way_pair one;
    strio_memory_stream_pair two;
} P;
static unsigned char ring_ab[512], ring_ba[512];
static strio_fault_stream FA, FB;

static int make(void *ctx, strio_stream **a, strio_stream **b)
{
    struct pair_cfg *c = ctx;
    int rc = 0;
    memset(&P, 0, sizeof P);
    switch (c->shape) {
    case ONE_BUFFERED:
        rc = strio_memory_stream_one_way_pair_init(&P.one, ring_ab, c->cap_ab);
        *a = &P.one.send.base;
        *b = &P.one.receive.base;
        break;
    case ONE_LOCKSTEP:
        strio_lockstep_stream_one_way_pair_init(&P.one);
        *a = &P.one.send.base;
        *b = &P.one.receive.base;
        break;
    case TWO_BUFFERED:
        rc = strio_memory_stream_pair_init(&P.two, ring_ab, c->cap_ab,
                                           ring_ba, c->cap_ba);
        *a = &P.two.a.base;
        *b = &P.two.b.base;
        break;
    case TWO_LOCKSTEP:
        strio_lockstep_stream_pair_init(&P.two);
        *a = &P.two.a.base;
        *b = &P.two.b.base;
        break;
    }
    if (rc < 0)
        return rc;
    if (c->fault) {
        strio_fault_config fc = c->fcfg;
        fc.seed = c->fcfg.seed * 1000003u + c->made;
        strio_fault_stream_init(&FA, *a, &fc);
        fc.seed ^= 0x9E3779B97F4A7C15u;
        strio_fault_stream_init(&FB, *b, &fc);
        *a = &FA.base;
        *b = &FB.base;
    }
    c->made++;
    return 0;
}

static void destroy(void *ctx, strio_stream *a, strio_stream *b)
{
    struct pair_cfg *c = ctx;
    (void)a;
    (void)b;
    c->destroyed++;
    if (c->fault) {
        c->delays += FA.delays + FB.delays;
        c->chunks += FA.send_chunks + FB.send_chunks;
        c->receives += FA.receives + FB.receives;
    }
}

static strio_conformance cf;

static void on_fail(void *arg, const char *property, const char *message)
{
    const struct pair_cfg *c = arg;
    printf("FAIL conformance [%s] %s: %s\n", c->label, property, message);
}

/* level 0: one-way, 1: two-way, 2: half-closeable. */
static async int st_check(const strio_stream_factory *f, int level)
{
    if (level == 0)
        return await strio_check_one_way_stream(&cf, f);
    if (level == 1)
        return await strio_check_two_way_stream(&cf, f);
    return await strio_check_half_closeable_stream(&cf, f);
}

static struct st_check_frame frame;
static strio_task task;

static void run(struct pair_cfg *c, int level, unsigned long seed)
{
    strio_stream_factory f = { 0 };
    int lockstep = c->shape == ONE_LOCKSTEP || c->shape == TWO_LOCKSTEP;
    f.name = c->label;
    f.ctx = c;
    f.make = make;
    f.destroy = destroy;
    if (lockstep)
        f.make_clogged = make;          /* lockstep pairs are clogged */
    else
        f.clog_by_filling = 1;
    strio_conformance_init(&cf);
    cf.on_fail = on_fail;
    cf.arg = c;
    cf.bulk_bytes = 4096;
    cf.settle = STRIO_MS(5);
    cf.seed = seed;
    strio_time t0 = strio_loop_now(&board_loop);
    unsigned long sw0 = board_loop.switches;
    st_check_start(&frame, &f, level);
    strio_task_init(&task, st_check_resume, &frame, &frame.strio_ret);
    int rc = strio_loop_run(&board_loop, &task);
    printf("conformance [%s]: rc=%d properties=%u skipped=%u pairs=%lu "
           "switches=%lu elapsed=%ld ms",
           c->label, frame.strio_ret, cf.checked, cf.skipped, c->made,
           board_loop.switches - sw0,
           (long)((strio_loop_now(&board_loop) - t0) / STRIO_MS(1)));
    if (c->fault)
        printf(" delays=%lu chunks=%lu receives=%lu", c->delays, c->chunks,
               c->receives);
    printf("\n");
    CHECK_EQ(rc, 0);
    CHECK_EQ(frame.strio_ret, 0);
    CHECK(cf.failed == NULL);
    CHECK(cf.checked > 20);
    CHECK_EQ(cf.skipped, 0);
    CHECK_EQ(c->made, c->destroyed);
    CHECK_EQ(board_loop.tasks, 0);
    CHECK_EQ(board_loop.timers.count, 0);
}

void stream_tests(void)
{
    static struct pair_cfg plain[] = {
        { "one-way buffered", ONE_BUFFERED, 64, 0, 0, { 0 }, 0, 0, 0, 0, 0 },
        { "one-way lockstep", ONE_LOCKSTEP, 0, 0, 0, { 0 }, 0, 0, 0, 0, 0 },
        { "two-way buffered", TWO_BUFFERED, 100, 37, 0, { 0 }, 0, 0, 0, 0, 0 },
        { "two-way lockstep", TWO_LOCKSTEP, 0, 0, 0, { 0 }, 0, 0, 0, 0, 0 },
    };
    static const int plain_level[] = { 0, 0, 2, 2 };
    for (unsigned i = 0; i < sizeof plain / sizeof plain[0]; i++)
        run(&plain[i], plain_level[i], 1);

    /* Fault injection, a few seeds, both shapes of two-way pair. */
    static struct pair_cfg faulty[4];
    static const char *const names[4] = {
        "faults, seed 1", "faults, seed 2", "faults, seed 3", "faults, seed 4"
    };
    for (unsigned seed = 1; seed <= 4; seed++) {
        struct pair_cfg *c = &faulty[seed - 1];
        c->label = names[seed - 1];
        c->shape = seed % 3 == 0 ? TWO_LOCKSTEP : TWO_BUFFERED;
        c->cap_ab = 1 + seed * 37 % 200;
        c->cap_ba = 1 + seed * 91 % 300;
        c->fault = 1;
        c->fcfg.seed = seed;
        c->fcfg.send_chunk_max = 1 + seed * 13 % 64;
        c->fcfg.receive_max = seed % 2 ? 0 : 1 + seed % 17;
        c->fcfg.delay_max = STRIO_MS(1);
        c->fcfg.delay_percent = 10 + seed * 7 % 50;
        run(c, 2, seed);
    }
}
