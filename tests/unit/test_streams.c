/*
 * The stream conformance suite (strio/conformance.h): every memory stream
 * passes it (buffered and lockstep pairs, one-way and two-way, stapled
 * mixes, fault injection with many seeds), and each deliberately broken
 * stream (broken_streams.sc) fails it, at the property expected.
 *
 * The roots are in streams_tasks.sc; each check runs on a fresh loop with
 * an autojumping virtual clock, so "wait until the other tasks block" and
 * the per-property deadlines are exact and cost no real time.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/conformance.h>
#include <strio/memstream.h>

#include "broken_streams.h"
#include "streams_tasks.h"

/* Plain C of broken_streams.sc (the generated header carries only types). */
void cs_broken_stream_init(struct cs_broken_stream *w, strio_stream *inner,
                           int kind, unsigned long drop_at);

/* ======================================================================== */
/* Pair factories                                                           */
/* ======================================================================== */

enum shape {
    ONE_BUFFERED,       /* strio_memory_stream_one_way_pair */
    ONE_LOCKSTEP,       /* strio_lockstep_stream_one_way_pair */
    TWO_BUFFERED,       /* strio_memory_stream_pair */
    TWO_LOCKSTEP,       /* strio_lockstep_stream_pair */
    TWO_MIXED           /* stapled by hand: a->b lockstep, b->a buffered */
};

struct pair_cfg {
    enum shape shape;
    size_t cap_ab, cap_ba;      /* ring sizes of the buffered directions */
    int fault;                  /* wrap both ends in fault streams */
    strio_fault_config fcfg;    /* seed is varied per pair */
    int broken;                 /* CS_BROKEN_* (0: none) */
    unsigned long drop_at;
    int clogged_unclogged;      /* make_clogged lies: an ordinary pair */
    int make_fails;             /* make returns this error */
    unsigned long made, destroyed;
};

/* One pair's storage: the suite holds at most one pair at a time. */
static union {
    strio_memory_one_way_pair one;
    strio_memory_stream_pair two;
    struct {
        strio_memory_one_way_pair ab, ba;
        strio_stapled_stream a, b;
    } mixed;
} P;
static unsigned char ring_ab[8192], ring_ba[8192];
static strio_fault_stream FA, FB;
static struct cs_broken_stream BA, BB;

/* Fills the ring behind receive stream `r` (a buffered direction). */
static void prefill(strio_memory_receive_stream *r)
{
    static const unsigned char junk[256];
    while (strio_memory_receive_stream_put_data(r, junk, sizeof junk) > 0)
        ;
}

static int make_any(void *ctx, strio_stream **a, strio_stream **b,
                    int clogged)
{
    struct pair_cfg *c = ctx;
    int two = c->shape != ONE_BUFFERED && c->shape != ONE_LOCKSTEP;
    if (c->make_fails)
        return c->make_fails;
    memset(&P, 0, sizeof P);
    switch (c->shape) {
    case ONE_BUFFERED:
        cr_assert_eq(strio_memory_stream_one_way_pair_init(&P.one, ring_ab,
                                                           c->cap_ab), 0);
        if (clogged && !c->clogged_unclogged)
            prefill(&P.one.receive);
        *a = &P.one.send.base;
        *b = &P.one.receive.base;
        break;
    case ONE_LOCKSTEP:
        strio_lockstep_stream_one_way_pair_init(&P.one);
        *a = &P.one.send.base;
        *b = &P.one.receive.base;
        break;
    case TWO_BUFFERED:
        cr_assert_eq(strio_memory_stream_pair_init(&P.two, ring_ab, c->cap_ab,
                                                   ring_ba, c->cap_ba), 0);
        if (clogged && !c->clogged_unclogged) {
            prefill(&P.two.ab.receive);
            prefill(&P.two.ba.receive);
        }
        *a = &P.two.a.base;
        *b = &P.two.b.base;
        break;
    case TWO_LOCKSTEP:
        strio_lockstep_stream_pair_init(&P.two);
        *a = &P.two.a.base;
        *b = &P.two.b.base;
        break;
    case TWO_MIXED:
        strio_lockstep_stream_one_way_pair_init(&P.mixed.ab);
        cr_assert_eq(strio_memory_stream_one_way_pair_init(&P.mixed.ba,
                                                           ring_ba,
                                                           c->cap_ba), 0);
        if (clogged)
            prefill(&P.mixed.ba.receive);
        strio_stapled_stream_init(&P.mixed.a, &P.mixed.ab.send.base,
                                  &P.mixed.ba.receive.base);
        strio_stapled_stream_init(&P.mixed.b, &P.mixed.ba.send.base,
                                  &P.mixed.ab.receive.base);
        *a = &P.mixed.a.base;
        *b = &P.mixed.b.base;
        break;
    }
    if (c->fault) {
        strio_fault_config fc = c->fcfg;
        fc.seed = c->fcfg.seed * 1000003u + c->made;
        strio_fault_stream_init(&FA, *a, &fc);
        fc.seed ^= 0x9E3779B97F4A7C15u;
        strio_fault_stream_init(&FB, *b, &fc);
        *a = &FA.base;
        *b = &FB.base;
    }
    if (c->broken) {
        /* one-way: the end the bug is on (the receiving one, except for
         * CS_BROKEN_NO_BUSY); two-way: both ends */
        int on_send = c->broken == CS_BROKEN_NO_BUSY;
        if (two || on_send) {
            cs_broken_stream_init(&BA, *a, c->broken, c->drop_at);
            *a = &BA.base;
        }
        if (two || !on_send) {
            cs_broken_stream_init(&BB, *b, c->broken, c->drop_at);
            *b = &BB.base;
        }
    }
    c->made++;
    return 0;
}

static int make(void *ctx, strio_stream **a, strio_stream **b)
{
    return make_any(ctx, a, b, 0);
}

static int make_clogged(void *ctx, strio_stream **a, strio_stream **b)
{
    return make_any(ctx, a, b, 1);
}

static void destroy(void *ctx, strio_stream *a, strio_stream *b)
{
    struct pair_cfg *c = ctx;
    (void)a;
    (void)b;
    c->destroyed++;
}

/* A factory for `c`: lockstep shapes are their own clogged pairs; buffered
 * ones are clogged by prefilling (clog = 1) or by the suite (clog = 2). */
static strio_stream_factory factory(struct pair_cfg *c, int clog)
{
    strio_stream_factory f = { 0 };
    f.name = "memory";
    f.ctx = c;
    f.make = make;
    f.destroy = destroy;
    if (clog == 1)
        f.make_clogged = make_clogged;
    else if (clog == 2)
        f.clog_by_filling = 1;
    return f;
}

/* ======================================================================== */
/* Running a check                                                          */
/* ======================================================================== */

static strio_conformance CF;

static struct {
    int calls;
    char prop[80];
    char msg[STRIO_CONFORMANCE_MSG];
    unsigned checks;            /* on_check calls */
    const char *order[256];     /* property names in the order they ran */
} FL;

static void on_fail(void *arg, const char *property, const char *message)
{
    (void)arg;
    FL.calls++;
    strncpy(FL.prop, property, sizeof FL.prop - 1);
    strncpy(FL.msg, message, sizeof FL.msg - 1);
}

static void on_check(void *arg, const char *property)
{
    (void)arg;
    if (FL.checks < 256)
        FL.order[FL.checks] = property;
    FL.checks++;
}

/* Fresh suite configuration (defaults, small bulk to stay fast). */
static void fresh(void)
{
    memset(&FL, 0, sizeof FL);
    strio_conformance_init(&CF);
    CF.on_fail = on_fail;
    CF.on_check = on_check;
    CF.bulk_bytes = 16384;
}

/* Runs check `level` (0 one-way, 1 two-way, 2 half-closeable) on `f` in
 * a fresh loop; returns what the check returned. */
static int run_check(int level, const strio_stream_factory *f)
{
    static struct cs_check_frame fr;
    strio_vclock vc;
    strio_loop loop;
    strio_task t;
    strio_vclock_init(&vc, 0, 1);
    strio_loop_init(&loop, &vc.clock, NULL);
    cs_check_start(&fr, &CF, f, level);
    strio_task_init(&t, cs_check_resume, &fr, &fr.strio_ret);
    int rc = strio_loop_run(&loop, &t);
    cr_assert_eq(rc, 0, "loop returned %d (%s)", rc, strio_strerror(rc));
    cr_assert_eq(loop.tasks, 0, "%lu tasks left", loop.tasks);
    cr_assert_eq(loop.timers.count, 0, "%lu timers left armed",
                 loop.timers.count);
    struct pair_cfg *c = f->ctx;
    if (c != NULL)
        cr_assert_eq(c->made, c->destroyed, "%lu pairs made, %lu destroyed",
                     c->made, c->destroyed);
    cr_assert_eq(FL.checks, CF.checked);
    return fr.strio_ret;
}

static void expect_pass(int level, struct pair_cfg *c, int clog,
                        const char *what)
{
    strio_stream_factory f = factory(c, clog);
    int rc = run_check(level, &f);
    cr_assert_eq(rc, 0, "%s: %s failed: %s", what, FL.prop, FL.msg);
    cr_assert_eq(FL.calls, 0);
    cr_assert_null(CF.failed);
    cr_assert_gt(CF.checked, 20, "%s: only %u properties", what,
                 CF.checked);
}

static void expect_fail(int level, struct pair_cfg *c, int clog,
                        const char *prop, const char *in_msg)
{
    strio_stream_factory f = factory(c, clog);
    int rc = run_check(level, &f);
    cr_log_info("failed as expected: %s: %s", FL.prop, FL.msg);
    cr_assert_eq(rc, STRIO_CONFORMANCE_FAILED, "rc %d, expected a failure "
                 "of %s", rc, prop);
    cr_assert_eq(FL.calls, 1, "on_fail called %d times", FL.calls);
    cr_assert_str_eq(FL.prop, prop, "failed %s (%s), expected %s", FL.prop,
                     FL.msg, prop);
    cr_assert_str_eq(CF.failed, prop);
    cr_assert_str_eq(CF.message, FL.msg);
    cr_assert_not_null(strstr(FL.msg, in_msg), "message \"%s\" lacks "
                       "\"%s\"", FL.msg, in_msg);
}

/* ======================================================================== */
/* Memory streams pass                                                      */
/* ======================================================================== */

Test(conformance, memory_one_way_buffered)
{
    static const size_t caps[] = { 1, 3, 64, 4096 };
    for (unsigned i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        struct pair_cfg c = { .shape = ONE_BUFFERED, .cap_ab = caps[i] };
        fresh();
        expect_pass(0, &c, 2, "one-way buffered, filled by the suite");
        cr_assert_eq(CF.skipped, 0);
        fresh();
        expect_pass(0, &c, 1, "one-way buffered, prefilled");
    }
}

Test(conformance, memory_one_way_lockstep)
{
    struct pair_cfg c = { .shape = ONE_LOCKSTEP };
    fresh();
    expect_pass(0, &c, 1, "one-way lockstep");
    cr_assert_eq(CF.skipped, 0);
}

Test(conformance, memory_two_way_buffered)
{
    static const size_t caps[][2] = { { 1, 1 }, { 7, 300 }, { 4096, 64 } };
    for (unsigned i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        struct pair_cfg c = { .shape = TWO_BUFFERED, .cap_ab = caps[i][0],
                              .cap_ba = caps[i][1] };
        fresh();
        expect_pass(2, &c, 2, "two-way buffered, filled by the suite");
        fresh();
        expect_pass(2, &c, 1, "two-way buffered, prefilled");
    }
}

Test(conformance, memory_two_way_lockstep)
{
    struct pair_cfg c = { .shape = TWO_LOCKSTEP };
    fresh();
    expect_pass(2, &c, 1, "two-way lockstep");
    cr_assert_eq(CF.skipped, 0);
}

Test(conformance, stapled_lockstep_one_way_buffered_the_other)
{
    struct pair_cfg c = { .shape = TWO_MIXED, .cap_ba = 16 };
    fresh();
    expect_pass(2, &c, 1, "stapled: lockstep a->b, buffered b->a");
}

Test(conformance, two_way_check_of_a_half_closeable_pair)
{
    struct pair_cfg c = { .shape = TWO_BUFFERED, .cap_ab = 32,
                          .cap_ba = 32 };
    fresh();
    expect_pass(1, &c, 2, "two-way check");
}

/* Fault injection: random chunking, short reads and delays, with many
 * seeds; `settle` stays above the longest delay, so "blocked for settle"
 * still means clogged. */
Test(conformance, fault_injection_many_seeds)
{
    for (unsigned seed = 1; seed <= 12; seed++) {
        struct pair_cfg c = { .shape = seed % 3 == 0 ? TWO_LOCKSTEP :
                                       TWO_BUFFERED,
                              .cap_ab = 1 + seed * 37 % 200,
                              .cap_ba = 1 + seed * 91 % 300,
                              .fault = 1 };
        c.fcfg.seed = seed;
        c.fcfg.send_chunk_max = 1 + seed * 13 % 64;
        c.fcfg.receive_max = seed % 2 ? 0 : 1 + seed % 17;
        c.fcfg.delay_max = STRIO_US(200);
        c.fcfg.delay_percent = 10 + seed * 7 % 50;
        fresh();
        CF.seed = seed;
        CF.bulk_bytes = 8192;
        expect_pass(2, &c, c.shape == TWO_LOCKSTEP ? 1 : 2,
                    "fault-injected two-way pair");
    }
}

Test(conformance, fault_injection_one_way)
{
    for (unsigned seed = 1; seed <= 4; seed++) {
        struct pair_cfg c = { .shape = seed % 2 ? ONE_BUFFERED :
                                       ONE_LOCKSTEP,
                              .cap_ab = 5 * seed, .fault = 1 };
        c.fcfg.seed = seed * 77;
        c.fcfg.send_chunk_max = 3;
        c.fcfg.receive_max = 2;
        c.fcfg.delay_max = STRIO_US(300);
        c.fcfg.delay_percent = 30;
        fresh();
        CF.seed = seed;
        CF.bulk_bytes = 4096;
        expect_pass(0, &c, seed % 2 ? 2 : 1, "fault-injected one-way pair");
    }
}

/* ======================================================================== */
/* Broken streams fail, at the expected property                            */
/* ======================================================================== */

Test(conformance, broken_drops_a_byte)
{
    struct pair_cfg c = { .shape = ONE_BUFFERED, .cap_ab = 64,
                          .broken = CS_BROKEN_DROP, .drop_at = 1000 };
    fresh();
    expect_fail(0, &c, 2, "bulk_random_chunks", "data mismatch at byte 1000");
}

Test(conformance, broken_drops_the_first_byte)
{
    struct pair_cfg c = { .shape = ONE_BUFFERED, .cap_ab = 64,
                          .broken = CS_BROKEN_DROP, .drop_at = 0 };
    fresh();
    expect_fail(0, &c, 2, "send_receive", "timed out");
}

Test(conformance, broken_allows_concurrent_sends)
{
    /* the first send_all fits: the second one then gets the lock and
     * succeeds */
    struct pair_cfg c = { .shape = ONE_BUFFERED, .cap_ab = 4096,
                          .broken = CS_BROKEN_NO_BUSY };
    fresh();
    expect_fail(0, &c, 2, "send_busy", "second concurrent send_all returned "
                "0, expected STRIO_EBUSY");
}

Test(conformance, broken_allows_concurrent_sends_lockstep)
{
    /* lockstep: the first send_all waits for a receiver, so the second
     * one waits (for the lock) */
    struct pair_cfg c = { .shape = ONE_LOCKSTEP,
                          .broken = CS_BROKEN_NO_BUSY };
    fresh();
    expect_fail(0, &c, 1, "send_busy", "did not fail at once");
}

Test(conformance, broken_never_reports_eof)
{
    struct pair_cfg c = { .shape = ONE_BUFFERED, .cap_ab = 64,
                          .broken = CS_BROKEN_NO_EOF };
    fresh();
    expect_fail(0, &c, 2, "graceful_close_keeps_data", "timed out");
}

Test(conformance, broken_cancelled_receive_loses_bytes)
{
    struct pair_cfg c = { .shape = ONE_BUFFERED, .cap_ab = 64,
                          .broken = CS_BROKEN_LOSSY };
    fresh();
    expect_fail(0, &c, 2, "receive_cancel_sweep", "bytes lost");
}

Test(conformance, broken_streams_fail_the_half_closeable_check)
{
    static const struct {
        int kind;
        const char *prop, *msg;
    } cases[] = {
        { CS_BROKEN_DROP, "bulk_random_chunks", "[a->b] data mismatch" },
        { CS_BROKEN_NO_BUSY, "send_busy", "[a->b] second concurrent" },
        { CS_BROKEN_NO_EOF, "graceful_close_keeps_data",
          "[a->b] timed out" },
        { CS_BROKEN_LOSSY, "receive_cancel_sweep", "[a->b] bytes lost" },
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct pair_cfg c = { .shape = TWO_BUFFERED, .cap_ab = 100,
                              .cap_ba = 100, .broken = cases[i].kind,
                              .drop_at = 1000 };
        fresh();
        expect_fail(2, &c, 2, cases[i].prop, cases[i].msg);
    }
}

/* ======================================================================== */
/* The suite itself                                                         */
/* ======================================================================== */

Test(conformance, a_clogged_pair_that_is_not_clogged_fails)
{
    struct pair_cfg c = { .shape = ONE_BUFFERED, .cap_ab = 4096,
                          .clogged_unclogged = 1 };
    fresh();
    expect_fail(0, &c, 1, "clogged_wait_send_blocks",
                "returned while the pair was clogged");
}

Test(conformance, clogging_gives_up_after_clog_limit)
{
    struct pair_cfg c = { .shape = ONE_BUFFERED, .cap_ab = 4096 };
    fresh();
    CF.clog_limit = 1000;
    expect_fail(0, &c, 2, "clogged_wait_send_blocks", "never blocked");
}

Test(conformance, without_a_clogged_pair_the_clogged_properties_skip)
{
    struct pair_cfg c = { .shape = ONE_BUFFERED, .cap_ab = 64 };
    fresh();
    expect_pass(0, &c, 0, "no clogged pair");
    cr_assert_eq(CF.skipped, 11, "%u skipped", CF.skipped);
    unsigned clogged = 0;
    for (unsigned i = 0; i < FL.checks; i++)
        clogged += strncmp(FL.order[i], "clogged_", 8) == 0;
    cr_assert_eq(clogged, 0);
}

Test(conformance, property_names_and_order)
{
    unsigned n = 0;
    while (strio_conformance_property(n) != NULL)
        n++;
    cr_assert_eq(n, STRIO_CF_P_COUNT);
    cr_assert_str_eq(strio_conformance_property(0), "ops_offered");
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = i + 1; j < n; j++)
            cr_assert_str_neq(strio_conformance_property(i),
                              strio_conformance_property(j));

    /* half-closeable lockstep: every property runs, one-way ones twice;
     * send_eof ones too (a stapled pair has send_eof) */
    struct pair_cfg c = { .shape = TWO_LOCKSTEP };
    fresh();
    expect_pass(2, &c, 1, "lockstep");
    unsigned one_way = 0;
    for (unsigned i = 0; i < n; i++)
        one_way += i < STRIO_CF_P_TWO_OPS_OFFERED;
    cr_assert_eq(CF.checked, 2 * one_way + (n - one_way));
    cr_assert_eq(FL.checks, CF.checked);
    /* in table order, a->b then b->a, then two-way and half-closeable */
    for (unsigned i = 0; i < one_way; i++) {
        cr_assert_str_eq(FL.order[i], strio_conformance_property(i));
        cr_assert_str_eq(FL.order[one_way + i],
                         strio_conformance_property(i));
    }
    for (unsigned i = one_way; i < n; i++)
        cr_assert_str_eq(FL.order[one_way + i],
                         strio_conformance_property(i));

    /* one-way memory streams have no send_eof: those two do not run */
    struct pair_cfg c1 = { .shape = ONE_LOCKSTEP };
    fresh();
    expect_pass(0, &c1, 1, "one-way lockstep");
    cr_assert_eq(CF.checked, one_way - 2);
}

Test(conformance, factory_failure_is_reported)
{
    struct pair_cfg c = { .shape = ONE_BUFFERED, .cap_ab = 64,
                          .make_fails = -ENOMEM };
    fresh();
    strio_stream_factory f = factory(&c, 2);
    int rc = run_check(0, &f);
    cr_assert_eq(rc, -ENOMEM);
    cr_assert_eq(FL.calls, 1);
    cr_assert_str_eq(FL.prop, "factory");
    cr_assert_not_null(strstr(FL.msg, "ops_offered"), "%s", FL.msg);

    fresh();
    strio_stream_factory none = { 0 };
    rc = run_check(0, &none);
    cr_assert_eq(rc, -EINVAL);
    cr_assert_str_eq(FL.prop, "factory");
}

Test(conformance, cancelled_from_outside_reports_nothing)
{
    /* Cancelled at ever later times, until the check completes first. */
    unsigned cancelled = 0;
    for (strio_time after = STRIO_US(100);; after = after * 2) {
        static struct cs_check_cancelled_frame fr;
        struct pair_cfg c = { .shape = TWO_BUFFERED, .cap_ab = 8,
                              .cap_ba = 8 };
        strio_stream_factory f = factory(&c, 2);
        strio_vclock vc;
        strio_loop loop;
        strio_task t;
        int inside = 1;
        fresh();
        strio_vclock_init(&vc, 0, 1);
        strio_loop_init(&loop, &vc.clock, NULL);
        cs_check_cancelled_start(&fr, &CF, &f, 2, after, &inside);
        strio_task_init(&t, cs_check_cancelled_resume, &fr, &fr.strio_ret);
        cr_assert_eq(strio_loop_run(&loop, &t), 0);
        cr_assert_eq(loop.tasks, 0);
        cr_assert_eq(loop.timers.count, 0);
        cr_assert_eq(fr.strio_ret, 0);
        cr_assert_eq(FL.calls, 0, "after %lld ns: %s: %s", (long long)after,
                     FL.prop, FL.msg);
        cr_assert_null(CF.failed);
        cr_assert_eq(c.made, c.destroyed);
        cr_assert_gt(c.made, 0);
        if (inside == 0)
            break;                      /* completed before the cancel */
        cr_assert_eq(inside, STRIO_ECANCELED, "after %lld ns: %d",
                     (long long)after, inside);
        cancelled++;
    }
    cr_assert_geq(cancelled, 8, "only %u cancelled runs", cancelled);
}
