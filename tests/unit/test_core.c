/*
 * Core semantics: scheduling order and fairness, timers, cancel scopes,
 * nurseries and pools, deadlock detection, and the cancellation sweep.
 *
 * The async side of every scenario is in core_tasks.sc; each test runs one
 * scenario as the root task of a fresh loop on a virtual clock with
 * autojump, so times are exact, and compares the trace the scenario left
 * (who, with which result, at which virtual time) with the expected one.
 *
 * Scheduling, as strio/loop.h defines it and these tests pin down: a turn
 * runs the tasks that were ready when it began, in FIFO order; a task that
 * becomes ready during a turn (a yield, a wake-up, a new child) runs in the
 * next one. So tasks that only checkpoint interleave round-robin in the
 * order they were started, and a task spinning on checkpoints gets exactly
 * one step per turn, like everybody else.
 */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>
#include <strio/strio.h>

#include "core_tasks.h"
#include "sweep.h"

/* The Makefile builds tests/unit/test_*.c only: the sweep helper is
 * compiled here, once, for the whole unit-test binary (see sweep.h). */
#include "sweep.h"

/* ================================================================ fixtures */

/* A slot big enough for any child of core_tasks.sc. */
union any_frame {
    struct core_worker_frame worker;
    struct core_sleeper_frame sleeper;
    struct core_job_frame job;
    struct core_forever_frame forever;
    struct core_nest_child_frame nest;
    struct core_getter_frame getter;
    struct core_shielded_sleeper_frame shielded;
    struct core_sw_getter_frame sw_getter;
};

static STRIO_POOL(kids, union any_frame, 64);
static STRIO_POOL(small, union any_frame, 2);
static STRIO_POOL(one, union any_frame, 1);
static STRIO_POOL(many, struct core_sleeper_frame, 5000);
static STRIO_POOL(slots64, struct core_job_frame, 64);

static struct core_trace tr;

struct env {
    strio_vclock vc;
    strio_loop loop;
    strio_task task;
};

static void env_init(struct env *e, strio_time start)
{
    strio_vclock_init(&e->vc, start, 1);
    strio_loop_init(&e->loop, &e->vc.clock, NULL);
    tr.n = 0;
    STRIO_POOL_SETUP(kids);
    STRIO_POOL_SETUP(small);
    STRIO_POOL_SETUP(one);
}

/* Runs the root frame; returns strio_loop_run's result. */
static int env_run(struct env *e, strio_resume_fn resume, void *frame,
                   int *result)
{
    strio_task_init(&e->task, resume, frame, result);
    return strio_loop_run(&e->loop, &e->task);
}

/* Everything finished and nothing is left behind. */
static void assert_clean(const struct env *e)
{
    cr_assert_eq(e->loop.tasks, 0, "%lu tasks left", e->loop.tasks);
    cr_assert_eq(e->loop.timers.count, 0, "%lu timers armed",
                 e->loop.timers.count);
    cr_assert_null(e->loop.ready_head);
    cr_assert_eq(kids.pool.used, 0);
    cr_assert_eq(small.pool.used, 0);
    cr_assert(strio_waitq_empty(&kids.pool.waiters));
    cr_assert(strio_waitq_empty(&small.pool.waiters));
}

struct ev {
    int id;
    int rc;
    strio_time at;
};

#define MS(x) STRIO_MS(x)
#define EC STRIO_ECANCELED

static void expect_trace(const struct ev *ev, int n)
{
    for (int i = 0; i < n && i < tr.n; i++)
        cr_expect(tr.id[i] == ev[i].id && tr.rc[i] == ev[i].rc &&
                      tr.at[i] == ev[i].at,
                  "event %d: got (id %d, rc %d, at %lld ns), expected "
                  "(id %d, rc %d, at %lld ns)", i, tr.id[i], tr.rc[i],
                  (long long)tr.at[i], ev[i].id, ev[i].rc,
                  (long long)ev[i].at);
    cr_assert_eq(tr.n, n, "trace has %d events, expected %d", tr.n, n);
}

#define EXPECT(...)                                                       \
    expect_trace((const struct ev[]){ __VA_ARGS__ },                      \
                 (int)(sizeof((const struct ev[]){ __VA_ARGS__ }) /       \
                       sizeof(struct ev)))

/* Index of the event with this id, or -1. */
static int find(int id)
{
    for (int i = 0; i < tr.n; i++)
        if (tr.id[i] == id)
            return i;
    return -1;
}

static void expect_event(int id, int rc, strio_time at)
{
    int i = find(id);
    cr_assert_geq(i, 0, "no event with id %d", id);
    cr_expect_eq(tr.rc[i], rc, "id %d: rc %d, expected %d", id, tr.rc[i],
                 rc);
    cr_expect_eq(tr.at[i], at, "id %d: at %lld, expected %lld", id,
                 (long long)tr.at[i], (long long)at);
}

/* A small deterministic generator (xorshift32). */
static uint32_t rng_state = 2463534242u;
static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/* ============================================================== scheduling */

static int run_fair(struct env *e, const int *iters, int n, int root_iters)
{
    struct core_fair_root_frame f;
    env_init(e, 0);
    core_fair_root_start(&f, &tr, &kids.pool, iters, n, root_iters);
    cr_assert_eq(env_run(e, core_fair_root_resume, &f, &f.strio_ret), 0);
    assert_clean(e);
    return f.strio_ret;
}

Test(sched, fifo_round_robin)
{
    static const int iters[] = { 3, 3, 3, 3 };
    struct env e;
    cr_assert_eq(run_fair(&e, iters, 4, 0), 0);
    EXPECT({ 1, 0, 0 }, { 2, 0, 0 }, { 3, 0, 0 }, { 4, 0, 0 },
           { 1, 0, 0 }, { 2, 0, 0 }, { 3, 0, 0 }, { 4, 0, 0 },
           { 1, 0, 0 }, { 2, 0, 0 }, { 3, 0, 0 }, { 4, 0, 0 });
    /* root: one run to start them and park in close, one to finish;
     * each worker: 3 checkpoints + the run that returns */
    cr_assert_eq(e.loop.switches, 2 + 4 * 4);
}

Test(sched, root_interleaves_with_children)
{
    static const int iters[] = { 2, 2 };
    struct env e;
    cr_assert_eq(run_fair(&e, iters, 2, 5), 0);
    /* turn 1: the root starts both and works; then one step each per
     * turn, in the order they became ready: children (queued by start)
     * before the root (queued by its checkpoint) */
    EXPECT({ 0, 0, 0 }, { 1, 0, 0 }, { 2, 0, 0 }, { 0, 0, 0 },
           { 1, 0, 0 }, { 2, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 }, { 0, 0, 0 });
}

Test(sched, busy_task_cannot_starve_others)
{
    /* Task 1 spins 1000 times on checkpoints and is started first; tasks
     * 2..4 need three steps each. They still finish within the first three
     * turns: 1 2 3 4 | 1 2 3 4 | 1 2 3 4 | 1 | 1 | ... */
    static const int iters[] = { 1000, 3, 3, 3 };
    static struct ev want[1009];
    struct env e;
    int n = 0;
    for (int turn = 0; turn < 3; turn++)
        for (int id = 1; id <= 4; id++)
            want[n++] = (struct ev){ id, 0, 0 };
    while (n < 1009)
        want[n++] = (struct ev){ 1, 0, 0 };
    cr_assert_eq(run_fair(&e, iters, 4, 0), 0);
    expect_trace(want, n);
    /* the last step of tasks 2..4 is within the first 12 events */
    for (int id = 2; id <= 4; id++) {
        int last = -1;
        for (int i = 0; i < tr.n; i++)
            if (tr.id[i] == id)
                last = i;
        cr_assert_lt(last, 12);
    }
}

/* ================================================================== timers */

static int run_sleepers(struct env *e, const strio_time *until,
                        const int *pre, int n, strio_time cancel_at,
                        strio_pool *pool)
{
    struct core_sleepers_root_frame f;
    core_sleepers_root_start(&f, &tr, pool, until, pre, n, cancel_at);
    cr_assert_eq(env_run(e, core_sleepers_root_resume, &f, &f.strio_ret), 0);
    assert_clean(e);
    return f.strio_ret;
}

Test(timers, fire_in_deadline_order)
{
    static const strio_time until[] = { MS(30), MS(10), MS(50), MS(20),
                                        MS(40) };
    struct env e;
    env_init(&e, 0);
    cr_assert_eq(run_sleepers(&e, until, NULL, 5, -1, &kids.pool), 0);
    EXPECT({ 2, 0, MS(10) }, { 4, 0, MS(20) }, { 1, 0, MS(30) },
           { 5, 0, MS(40) }, { 3, 0, MS(50) });
    cr_assert_eq(strio_loop_now(&e.loop), MS(50));
}

Test(timers, equal_deadlines_fire_in_arming_order)
{
    static const strio_time until[] = { MS(10), MS(10), MS(10), MS(10),
                                        MS(10) };
    static const int none[] = { 0, 0, 0, 0, 0 };
    static const int reversed[] = { 4, 3, 2, 1, 0 };
    struct env e;

    env_init(&e, 0);
    cr_assert_eq(run_sleepers(&e, until, none, 5, -1, &kids.pool), 0);
    EXPECT({ 1, 0, MS(10) }, { 2, 0, MS(10) }, { 3, 0, MS(10) },
           { 4, 0, MS(10) }, { 5, 0, MS(10) });

    /* task k checkpoints 5-k times first: task 5 arms first, task 1 last */
    env_init(&e, 0);
    cr_assert_eq(run_sleepers(&e, until, reversed, 5, -1, &kids.pool), 0);
    EXPECT({ 5, 0, MS(10) }, { 4, 0, MS(10) }, { 3, 0, MS(10) },
           { 2, 0, MS(10) }, { 1, 0, MS(10) });
}

static const strio_time *sort_key;
static int by_deadline(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    if (sort_key[x] != sort_key[y])
        return sort_key[x] < sort_key[y] ? -1 : 1;
    return x - y;                  /* same deadline: arming (= start) order */
}

Test(timers, five_thousand_sleepers_wake_in_deadline_order)
{
    enum { N = 5000 };
    static strio_time until[N];
    static int order[N];
    struct env e;
    strio_time last = 0;

    for (int k = 0; k < N; k++) {
        /* 1..1000 ms in 1 ms steps: plenty of ties */
        until[k] = MS(1 + rng() % 1000);
        order[k] = k;
        if (until[k] > last)
            last = until[k];
    }
    sort_key = until;
    qsort(order, N, sizeof order[0], by_deadline);

    env_init(&e, 0);
    STRIO_POOL_SETUP(many);
    cr_assert_eq(run_sleepers(&e, until, NULL, N, -1, &many.pool), 0);
    cr_assert_eq(tr.n, N);
    for (int i = 0; i < N; i++) {
        cr_assert_eq(tr.id[i], order[i] + 1, "wake %d: task %d, expected %d",
                     i, tr.id[i], order[i] + 1);
        cr_assert_eq(tr.at[i], until[order[i]]);
        cr_assert_eq(tr.rc[i], 0);
    }
    cr_assert_eq(strio_loop_now(&e.loop), last);
    cr_assert_eq(many.pool.used, 0);
}

Test(timers, cancelling_a_sleeping_task)
{
    static const strio_time until[] = { STRIO_SEC(1), MS(5) };
    struct env e;
    env_init(&e, 0);
    /* the root cancels the nursery at 10 ms: sleeper 1 (until 1 s) stops
     * then with ECANCELED and its timer is gone; the nursery's own
     * cancellation is not an error */
    cr_assert_eq(run_sleepers(&e, until, NULL, 2, MS(10), &kids.pool), 0);
    EXPECT({ 2, 0, MS(5) }, { 0, 0, MS(10) }, { 1, EC, MS(10) });
    cr_assert_eq(strio_loop_now(&e.loop), MS(10));
}

/* The heap itself: random deadlines (with ties), random removals, then
 * every remaining timer comes out in (deadline, arming) order. */
Test(timers, heap_random_insert_remove)
{
    enum { N = 4096 };
    static strio_timer t[N];
    static unsigned char gone[N];
    strio_timer_heap h;
    strio_timer_heap_init(&h);
    memset(gone, 0, sizeof gone);

    for (int i = 0; i < N; i++) {
        t[i].armed = 0;
        strio_timer_insert(&h, &t[i], (strio_time)(rng() % 100));
    }
    cr_assert_eq(h.count, N);
    unsigned long left = N;
    for (int i = 0; i < N; i++) {
        if (rng() % 3 == 0) {
            strio_timer_remove(&h, &t[i]);
            strio_timer_remove(&h, &t[i]);      /* second time: no-op */
            gone[i] = 1;
            left--;
        }
    }
    cr_assert_eq(h.count, left);
    /* re-arm a few removed ones: they sort after equal deadlines */
    for (int i = 0; i < N; i += 7)
        if (gone[i]) {
            strio_timer_insert(&h, &t[i], t[i].when);
            left++;
        }
    const strio_timer *prev = NULL;
    unsigned long popped = 0;
    strio_timer *m;
    while ((m = strio_timer_min(&h)) != NULL) {
        if (prev != NULL)
            cr_assert(prev->when < m->when ||
                      (prev->when == m->when && prev->seq < m->seq),
                      "out of order after %lu pops", popped);
        strio_timer_remove(&h, m);
        cr_assert_eq(m->armed, 0);
        prev = m;
        popped++;
    }
    cr_assert_eq(popped, left);
    cr_assert_eq(h.count, 0);
}

/* =========================================================== cancel scopes */

static void run_nested(strio_time od, strio_time id, strio_time sd)
{
    struct env e;
    struct core_nested_deadlines_frame f;
    env_init(&e, 0);
    core_nested_deadlines_start(&f, &tr, od, id, sd);
    cr_assert_eq(env_run(&e, core_nested_deadlines_resume, &f, &f.strio_ret),
                 0);
    assert_clean(&e);
}

Test(cancel, nested_inner_deadline_earlier)
{
    run_nested(MS(100), MS(10), STRIO_SEC(1));
    /* the inner scope catches at 10 ms; the outer one at 100 ms */
    EXPECT({ 1, EC, MS(10) }, { 2, 0, MS(10) }, { 3, 1, MS(10) },
           { 4, 1, MS(10) }, { 5, EC, MS(100) }, { 6, 0, MS(100) },
           { 7, 1, MS(100) }, { 8, 0, MS(100) });
}

Test(cancel, nested_outer_deadline_earlier)
{
    run_nested(MS(10), MS(100), STRIO_SEC(1));
    /* the inner scope was not cancelled: ECANCELED passes through it
     * (caught 0); the outer one catches; the inner deadline is disarmed */
    EXPECT({ 1, EC, MS(10) }, { 2, EC, MS(10) }, { 3, 0, MS(10) },
           { 4, 0, MS(10) }, { 5, EC, MS(10) }, { 6, 0, MS(10) },
           { 7, 1, MS(10) }, { 8, 0, MS(10) });
}

Test(cancel, nested_equal_deadlines)
{
    run_nested(MS(10), MS(10), STRIO_SEC(1));
    /* both expire at 10 ms: the inner one catches first, the outer one's
     * cancellation is then delivered at the next sleep */
    EXPECT({ 1, EC, MS(10) }, { 2, 0, MS(10) }, { 3, 1, MS(10) },
           { 4, 1, MS(10) }, { 5, EC, MS(10) }, { 6, 0, MS(10) },
           { 7, 1, MS(10) }, { 8, 0, MS(10) });
}

Test(cancel, nested_neither_expires)
{
    run_nested(MS(100), MS(50), MS(1));
    EXPECT({ 1, 0, MS(1) }, { 2, 0, MS(1) }, { 3, 0, MS(1) },
           { 4, 0, MS(1) }, { 5, 0, MS(2) }, { 6, 0, MS(2) },
           { 7, 0, MS(2) }, { 8, 0, MS(2) });
}

Test(cancel, shield_keeps_outer_cancel_out_until_unshielded)
{
    struct env e;
    struct core_shield_scope_frame f;
    env_init(&e, 0);
    core_shield_scope_start(&f, &tr);
    cr_assert_eq(env_run(&e, core_shield_scope_resume, &f, &f.strio_ret), 0);
    assert_clean(&e);
    EXPECT({ 1, 0, MS(50) }, { 2, 0, MS(50) }, { 3, 1, MS(50) },
           { 4, EC, MS(50) }, { 5, EC, MS(50) }, { 6, 0, MS(50) },
           { 7, 0, MS(50) }, { 8, 1, MS(50) });
}

Test(cancel, unshield_interrupts_a_parked_child)
{
    struct env e;
    struct core_shield_children_frame f;
    env_init(&e, 0);
    core_shield_children_start(&f, &tr, &kids.pool);
    cr_assert_eq(env_run(&e, core_shield_children_resume, &f, &f.strio_ret),
                 0);
    assert_clean(&e);
    /* nursery cancelled at 10 ms: neither shielded child notices; child 2
     * is unshielded at 20 ms and stops then; child 1 sleeps its second */
    EXPECT({ 0, 0, MS(20) }, { 2, EC, MS(20) }, { 1, 0, STRIO_SEC(1) },
           { 100, 0, STRIO_SEC(1) });
}

Test(cancel, cancelled_before_first_checkpoint)
{
    struct env e;
    struct core_cancel_first_frame f;
    env_init(&e, 0);
    core_cancel_first_start(&f, &tr, &kids.pool);
    cr_assert_eq(env_run(&e, core_cancel_first_resume, &f, &f.strio_ret), 0);
    assert_clean(&e);
    /* every operation returns ECANCELED at once: 0 suspensions, no timer
     * armed, no slot taken */
    EXPECT({ 1, EC, 0 }, { 2, EC, 0 }, { 3, EC, 0 }, { 4, EC, 0 },
           { 5, 0, 0 }, { 6, 0, 0 }, { 7, 1, 0 });
    cr_assert_eq(e.task.switches, 0);
}

Test(cancel, cancelling_an_exited_scope_is_a_noop)
{
    struct env e;
    struct core_cancel_exited_frame f;
    env_init(&e, 0);
    core_cancel_exited_start(&f, &tr);
    cr_assert_eq(env_run(&e, core_cancel_exited_resume, &f, &f.strio_ret), 0);
    assert_clean(&e);
    EXPECT({ 1, 0, 0 }, { 2, 0, 0 }, { 3, 0, 0 }, { 4, 0, MS(20) },
           { 5, 0, MS(20) }, { 6, STRIO_ESTATE, MS(20) });
}

static void run_timeout(int fail, strio_time limit, strio_time work,
                        int cancel)
{
    struct env e;
    struct core_timeout_form_frame f;
    env_init(&e, 0);
    core_timeout_form_start(&f, &tr, fail, limit, work, cancel);
    cr_assert_eq(env_run(&e, core_timeout_form_resume, &f, &f.strio_ret), 0);
    assert_clean(&e);
}

Test(cancel, move_on_after_vs_fail_after)
{
    run_timeout(0, MS(10), MS(50), 0);
    EXPECT({ 1, EC, MS(10) }, { 2, 0, MS(10) }, { 3, 1, MS(10) });
    run_timeout(1, MS(10), MS(50), 0);
    EXPECT({ 1, EC, MS(10) }, { 2, STRIO_ETIMEDOUT, MS(10) },
           { 3, 1, MS(10) });
    /* in time: both return the work's own result, nothing caught */
    run_timeout(0, MS(10), MS(5), 0);
    EXPECT({ 1, 0, MS(5) }, { 2, 0, MS(5) }, { 3, 0, MS(5) });
    run_timeout(1, MS(10), MS(5), 0);
    EXPECT({ 1, 0, MS(5) }, { 2, 0, MS(5) }, { 3, 0, MS(5) });
    /* a fail scope turns its own cancellation, explicit too, into
     * ETIMEDOUT (Trio's fail_after raises TooSlowError likewise) */
    run_timeout(1, MS(10), MS(50), 1);
    EXPECT({ 1, EC, 0 }, { 2, STRIO_ETIMEDOUT, 0 }, { 3, 1, 0 });
    run_timeout(0, MS(10), MS(50), 1);
    EXPECT({ 1, EC, 0 }, { 2, 0, 0 }, { 3, 1, 0 });
}

Test(cancel, out_of_order_exit_is_estate)
{
    struct env e;
    struct core_out_of_order_frame f;
    env_init(&e, 0);
    core_out_of_order_start(&f, &tr);
    cr_assert_eq(env_run(&e, core_out_of_order_resume, &f, &f.strio_ret), 0);
    assert_clean(&e);
    EXPECT({ 1, STRIO_ESTATE, 0 }, { 2, -5, 0 }, { 3, 0, 0 },
           { 4, STRIO_ESTATE, 0 }, { 5, STRIO_ESTATE, 0 }, { 6, 0, 0 });
}

Test(cancel, deadline_already_past)
{
    struct env e;
    struct core_past_deadline_frame f;
    const strio_time t0 = STRIO_SEC(1);
    env_init(&e, t0);
    core_past_deadline_start(&f, &tr);
    cr_assert_eq(env_run(&e, core_past_deadline_resume, &f, &f.strio_ret), 0);
    assert_clean(&e);
    EXPECT({ 1, EC, t0 }, { 2, 0, t0 }, { 3, 1, t0 },
           { 4, EC, t0 }, { 5, STRIO_ETIMEDOUT, t0 }, { 6, 1, t0 },
           { 7, EC, t0 }, { 8, 0, t0 }, { 9, 1, t0 });
}

Test(cancel, crosses_into_nursery_children)
{
    /* Also: an outer cancel reaches the children (and grandchildren), close
     * returns ECANCELED, and the outer scope turns it into 0. */
    static const struct core_job_spec spec[] = {
        { STRIO_SEC(1), 0 }, { STRIO_SEC(1), 0 }
    };
    struct env e;
    struct core_cancel_crossing_frame f;
    env_init(&e, 0);
    core_cancel_crossing_start(&f, &tr, &kids.pool, spec);
    cr_assert_eq(env_run(&e, core_cancel_crossing_resume, &f, &f.strio_ret),
                 0);
    assert_clean(&e);
    cr_assert_eq(f.strio_ret, 0);
    cr_assert_eq(tr.n, 9);
    cr_assert_eq(tr.id[0], 100);    /* the body was interrupted first */
    expect_event(100, EC, MS(10));
    expect_event(1, EC, MS(10));    /* sleeping child */
    expect_event(2, EC, MS(10));    /* waiting forever */
    expect_event(31, EC, MS(10));   /* grandchildren */
    expect_event(32, EC, MS(10));
    expect_event(3, EC, MS(10));    /* their parent: its close */
    cr_assert_eq(tr.id[6], 101);
    expect_event(101, EC, MS(10));
    expect_event(102, 0, MS(10));
    expect_event(103, 1, MS(10));
}

/* =============================================================== nurseries */

static int run_nursery(struct env *e, const struct core_job_spec *jobs, int n,
                       strio_time body, int body_fail)
{
    struct core_nursery_root_frame f;
    env_init(e, 0);
    core_nursery_root_start(&f, &tr, &kids.pool, jobs, n, body, body_fail);
    cr_assert_eq(env_run(e, core_nursery_root_resume, &f, &f.strio_ret), 0);
    assert_clean(e);
    return f.strio_ret;
}

Test(nursery, all_succeed)
{
    static const struct core_job_spec jobs[] = {
        { MS(30), 0 }, { MS(10), 0 }, { MS(20), 0 }
    };
    struct env e;
    cr_assert_eq(run_nursery(&e, jobs, 3, 0, 0), 0);
    EXPECT({ 2, 0, MS(10) }, { 3, 0, MS(20) }, { 1, 0, MS(30) },
           { 200, 0, MS(30) }, { 201, 0, MS(30) });
}

Test(nursery, child_failure_cancels_siblings_and_body)
{
    static const struct core_job_spec jobs[] = {
        { MS(10), -5 }, { STRIO_SEC(1), 0 }, { STRIO_SEC(1), 0 }
    };
    struct env e;
    cr_assert_eq(run_nursery(&e, jobs, 3, STRIO_SEC(1), 0), -5);
    cr_assert_eq(tr.n, 6);
    cr_assert_eq(tr.id[0], 1);
    expect_event(1, 0, MS(10));
    expect_event(100, EC, MS(10));  /* the body */
    expect_event(2, EC, MS(10));
    expect_event(3, EC, MS(10));
    expect_event(200, -5, MS(10));
    expect_event(201, 0, MS(10));
}

Test(nursery, first_error_wins_more_errors_counts_the_rest)
{
    /* three failures at the same instant: the first one to run is
     * reported, the two later ones counted; the cancelled sibling is not a
     * failure */
    static const struct core_job_spec jobs[] = {
        { MS(10), -5 }, { MS(10), -7 }, { MS(10), -8 }, { STRIO_SEC(1), 0 }
    };
    struct env e;
    cr_assert_eq(run_nursery(&e, jobs, 4, 0, 0), -5);
    EXPECT({ 1, 0, MS(10) }, { 2, EC, MS(10) }, { 3, EC, MS(10) },
           { 4, EC, MS(10) }, { 200, -5, MS(10) }, { 201, 2, MS(10) });
}

Test(nursery, body_failure_cancels_children)
{
    /* the body fails first (-9); a child fails afterwards while being
     * cancelled (-5): counted, not reported */
    static const struct core_job_spec jobs[] = {
        { STRIO_SEC(1), 0 }, { STRIO_SEC(1), -5 }
    };
    struct env e;
    cr_assert_eq(run_nursery(&e, jobs, 2, 0, -9), -9);
    cr_assert_eq(tr.n, 4);
    expect_event(1, EC, 0);
    expect_event(2, EC, 0);
    expect_event(200, -9, 0);
    expect_event(201, 1, 0);
}

Test(nursery, cancel_from_inside_is_not_an_error)
{
    static const strio_time until[] = { STRIO_SEC(1), STRIO_SEC(2) };
    struct env e;
    env_init(&e, 0);
    cr_assert_eq(run_sleepers(&e, until, NULL, 2, MS(1), &kids.pool), 0);
    EXPECT({ 0, 0, MS(1) }, { 2, EC, MS(1) }, { 1, EC, MS(1) });
}

Test(nursery, pool_exhaustion_try_get_null_pool_get_waits_fifo)
{
    struct env e;
    struct core_pool_root_frame f;
    env_init(&e, 0);
    core_pool_root_start(&f, &tr, &small.pool, &kids.pool);
    cr_assert_eq(env_run(&e, core_pool_root_resume, &f, &f.strio_ret), 0);
    assert_clean(&e);
    /* jobs 1, 2 hold both slots until 10 and 20 ms; getters 11, 12, 13
     * queue in that order and are served in that order as slots free up
     * (13 gets the slot 111 frees at 40 ms) */
    EXPECT({ 3, 1, 0 },
           { 1, 0, MS(10) }, { 11, 0, MS(10) },
           { 2, 0, MS(20) }, { 12, 0, MS(20) },
           { 111, 0, MS(40) }, { 13, 0, MS(40) },
           { 112, 0, MS(50) }, { 113, 0, MS(70) }, { 200, 0, MS(70) });
}

static void run_nested_nurseries(int same_task)
{
    static const struct core_job_spec spec[] = {
        { MS(10), -5 }, { STRIO_SEC(1), 0 }
    };
    struct env e;
    struct core_nested_nurseries_frame f;
    env_init(&e, 0);
    core_nested_nurseries_start(&f, &tr, &kids.pool, &kids.pool, spec,
                           same_task);
    cr_assert_eq(env_run(&e, core_nested_nurseries_resume, &f, &f.strio_ret),
                 0);
    assert_clean(&e);
    cr_assert_eq(f.strio_ret, -5);
}

Test(nursery, nested_in_a_child)
{
    /* grandchild 11 fails: its nursery cancels 12, its parent (child 1)
     * returns -5, which cancels sibling 2 and reaches the root */
    run_nested_nurseries(0);
    EXPECT({ 11, 0, MS(10) }, { 12, EC, MS(10) }, { 1, -5, MS(10) },
           { 2, EC, MS(10) }, { 200, -5, MS(10) });
}

Test(nursery, nested_in_the_same_task)
{
    /* job 3 of the inner nursery fails: only the inner nursery is
     * cancelled; the root passes -5 to the outer close as its body's
     * result, which then cancels job 4 */
    run_nested_nurseries(1);
    EXPECT({ 3, 0, MS(10) }, { 100, -5, MS(10) }, { 4, EC, MS(10) },
           { 200, -5, MS(10) });
}

Test(nursery, ten_thousand_tasks_through_64_slots)
{
    enum { N = 10000, SLOTS = 64 };
    struct env e;
    struct core_many_root_frame f;
    env_init(&e, 0);
    STRIO_POOL_SETUP(slots64);
    core_many_root_start(&f, &tr, &slots64.pool, N, MS(1));
    cr_assert_eq(env_run(&e, core_many_root_resume, &f, &f.strio_ret), 0);
    assert_clean(&e);
    cr_assert_eq(f.strio_ret, 0);
    cr_assert_eq(tr.n, N + 1);
    /* 64 at a time, 1 ms each: job i ends at ceil(i / 64) ms, in order */
    for (int i = 0; i < N; i++) {
        cr_assert_eq(tr.id[i], i + 1);
        cr_assert_eq(tr.rc[i], 0);
        cr_assert_eq(tr.at[i], MS((i + SLOTS) / SLOTS), "job %d at %lld",
                     i + 1, (long long)tr.at[i]);
    }
    cr_assert_eq(strio_loop_now(&e.loop), MS((N + SLOTS - 1) / SLOTS));
    cr_assert_eq(strio_loop_now(&e.loop), MS(157));
    cr_assert_eq(slots64.pool.used, 0);
}

/* =============================================================== deadlocks */

static int run_stuck(struct env *e, strio_pool *pool, int kind)
{
    struct core_stuck_frame f;
    env_init(e, 0);
    core_stuck_start(&f, pool, kind);
    return env_run(e, core_stuck_resume, &f, &f.strio_ret);
}

Test(deadlock, root_waits_forever)
{
    struct env e;
    cr_assert_eq(run_stuck(&e, &kids.pool, 0), STRIO_ESTATE);
    cr_assert_eq(e.task.state, STRIO_TASK_PARKED);
}

Test(deadlock, nursery_child_waits_forever)
{
    struct env e;
    cr_assert_eq(run_stuck(&e, &kids.pool, 1), STRIO_ESTATE);
    cr_assert_eq(e.loop.tasks, 2);
}

Test(deadlock, pool_never_frees)
{
    struct env e;
    cr_assert_eq(run_stuck(&e, &one.pool, 2), STRIO_ESTATE);
}

Test(deadlock, a_pending_deadline_is_not_a_deadlock)
{
    struct env e;
    cr_assert_eq(run_stuck(&e, &kids.pool, 3), 0);
    cr_assert_eq(e.task.state, STRIO_TASK_DONE);
    cr_assert_eq(strio_loop_now(&e.loop), STRIO_SEC(5));
    assert_clean(&e);
}

/* STRIO_TIME_NEVER as a duration saturates instead of wrapping around
 * (these failed before the fix in cancel.c, sleep.sc and task.c: at a
 * nonzero time move_on_after(NEVER) cancelled at once and sleep(NEVER)
 * returned at once; at time 0, sleep(NEVER) spun forever instead of being
 * reported as a deadlock). */
static int run_never(struct env *e, strio_time start, int kind)
{
    struct core_never_frame f;
    env_init(e, start);
    core_never_start(&f, &tr, kind);
    return env_run(e, core_never_resume, &f, &f.strio_ret);
}

Test(deadlock, sleep_forever, .timeout = 5)
{
    struct env e;
    cr_assert_eq(run_never(&e, 0, 0), STRIO_ESTATE);
    cr_assert_eq(run_never(&e, STRIO_SEC(1), 0), STRIO_ESTATE);
    cr_assert_eq(e.loop.timers.count, 0);
}

Test(timers, never_means_no_deadline)
{
    static const strio_time starts[] = { 0, STRIO_SEC(1), -STRIO_SEC(1) };
    for (int i = 0; i < 3; i++) {
        strio_time t0 = starts[i];
        struct env e;
        cr_assert_eq(run_never(&e, t0, 1), 0);
        assert_clean(&e);
        EXPECT({ 1, 0, t0 + MS(5) }, { 2, 0, t0 + MS(5) },
               { 3, 0, t0 + MS(5) });
        cr_assert_eq(run_never(&e, t0, 2), 0);
        assert_clean(&e);
        EXPECT({ 1, EC, t0 + MS(10) }, { 2, 0, t0 + MS(10) },
               { 3, 0, t0 + MS(10) });
    }
}

/* ===================================================== cancellation sweeps */

static struct core_sweep_out out;

static int sc_sleep(struct sweep_run *run)
{
    struct core_sw_sleep_frame f;
    strio_task t;
    memset(&out, 0, sizeof out);
    core_sw_sleep_start(&f, &run->target, &out);
    strio_task_init(&t, core_sw_sleep_resume, &f, &f.strio_ret);
    return strio_loop_run(&run->loop, &t);
}

static void ck_sleep(struct sweep_run *run)
{
    cr_assert_eq(out.exit_rc, 0, "k=%lu", run->k);
    cr_assert_eq(out.caught, run->cancelled, "k=%lu", run->k);
    cr_assert_eq(out.rc, run->cancelled ? EC : 0, "k=%lu", run->k);
    cr_assert_eq(out.end, run->cancelled ? run->cancelled_at : MS(10),
                 "k=%lu", run->k);
}

Test(sweep, sleep)
{
    struct sweep s = { .name = "sleep", .scenario = sc_sleep,
                       .check = ck_sleep };
    /* one cancellation point (the park), then the uncancelled run */
    cr_assert_eq(sweep_cancellation(&s), 2);
}

static int sc_nested(struct sweep_run *run)
{
    struct core_sw_nested_frame f;
    strio_task t;
    memset(&out, 0, sizeof out);
    core_sw_nested_start(&f, &run->target, &out);
    strio_task_init(&t, core_sw_nested_resume, &f, &f.strio_ret);
    return strio_loop_run(&run->loop, &t);
}

static void ck_nested(struct sweep_run *run)
{
    cr_assert_eq(out.exit_rc, 0, "k=%lu", run->k);
    cr_assert_eq(out.caught, run->cancelled, "k=%lu", run->k);
    cr_assert_eq(out.rc, run->cancelled ? EC : 0, "k=%lu", run->k);
    if (run->cancelled) {
        cr_assert_eq(out.end, run->cancelled_at, "k=%lu", run->k);
        /* the inner deadline (5 ms) caught only if it came first */
        cr_assert_eq(out.inner_caught, run->cancelled_at >= MS(5),
                     "k=%lu", run->k);
    } else {
        cr_assert_eq(out.inner_caught, 1);
        cr_assert_eq(out.end, MS(6));
    }
}

Test(sweep, nested_scopes)
{
    struct sweep s = { .name = "nested scopes", .scenario = sc_nested,
                       .check = ck_nested };
    /* sleep 3 ms, checkpoint, sleep (cut at 5 ms), checkpoint, sleep 1 ms */
    cr_assert_eq(sweep_cancellation(&s), 6);
}

static int sc_nursery(struct sweep_run *run)
{
    struct core_sw_nursery_frame f;
    strio_task t;
    memset(&out, 0, sizeof out);
    STRIO_POOL_SETUP(kids);
    STRIO_POOL_SETUP(small);
    core_sw_nursery_start(&f, &run->target, &out, &kids.pool, &small.pool);
    strio_task_init(&t, core_sw_nursery_resume, &f, &f.strio_ret);
    return strio_loop_run(&run->loop, &t);
}

static void ck_nursery(struct sweep_run *run)
{
    cr_assert_eq(kids.pool.used, 0, "k=%lu", run->k);
    cr_assert_eq(small.pool.used, 0, "k=%lu", run->k);
    cr_assert_eq(out.exit_rc, 0, "k=%lu", run->k);
    cr_assert_eq(out.caught, run->cancelled, "k=%lu", run->k);
    cr_assert_eq(out.rc, run->cancelled ? EC : 0, "k=%lu", run->k);
    cr_assert_eq(out.end, run->cancelled ? run->cancelled_at : MS(5),
                 "k=%lu", run->k);
}

Test(sweep, nursery_with_three_children)
{
    struct sweep s = { .name = "nursery", .scenario = sc_nursery,
                       .check = ck_nursery };
    unsigned long runs = sweep_cancellation(&s);
    cr_assert_geq(runs, 7, "only %lu runs", runs);
}

static int sc_pool(struct sweep_run *run)
{
    struct core_sw_pool_frame f;
    strio_task t;
    memset(&out, 0, sizeof out);
    STRIO_POOL_SETUP(one);
    STRIO_POOL_SETUP(kids);
    core_sw_pool_start(&f, &run->target, &out, &one.pool, &kids.pool);
    strio_task_init(&t, core_sw_pool_resume, &f, &f.strio_ret);
    return strio_loop_run(&run->loop, &t);
}

static void ck_pool(struct sweep_run *run)
{
    cr_assert_eq(one.pool.used, 0, "k=%lu: slot leaked", run->k);
    cr_assert(strio_waitq_empty(&one.pool.waiters), "k=%lu", run->k);
    cr_assert_eq(kids.pool.used, 0, "k=%lu", run->k);
    /* getters 1 and 3 always get the slot, in turn, FIFO */
    cr_assert(out.got[1] && out.got[3], "k=%lu", run->k);
    cr_assert_eq(out.got_at[1], MS(10), "k=%lu", run->k);
    if (out.got[2]) {
        /* not cancelled while waiting: served between 1 and 3 */
        cr_assert_eq(out.rc, 0, "k=%lu", run->k);
        cr_assert_eq(out.exit_rc, 0, "k=%lu", run->k);
        cr_assert_eq(out.caught, 0, "k=%lu", run->k);
        cr_assert_eq(out.got_at[2], MS(20), "k=%lu", run->k);
        cr_assert_eq(out.got_at[3], MS(30), "k=%lu", run->k);
        cr_assert_eq(out.end, MS(40), "k=%lu", run->k);
    } else {
        /* cancelled while waiting: nothing taken, out of the queue */
        cr_assert(run->cancelled, "k=%lu", run->k);
        cr_assert_eq(out.rc, EC, "k=%lu", run->k);
        cr_assert_eq(out.exit_rc, 0, "k=%lu", run->k);
        cr_assert_eq(out.caught, 1, "k=%lu", run->k);
        cr_assert_eq(out.got_at[2], run->cancelled_at, "k=%lu", run->k);
        cr_assert_eq(out.got_at[3], MS(20), "k=%lu", run->k);
        cr_assert_eq(out.end, MS(30), "k=%lu", run->k);
    }
    if (!run->cancelled)
        cr_assert(out.got[2]);
}

Test(sweep, pool_get_under_contention)
{
    struct sweep s = { .name = "pool_get", .scenario = sc_pool,
                       .check = ck_pool };
    unsigned long runs = sweep_cancellation(&s);
    cr_assert_geq(runs, 3, "only %lu runs", runs);
}

static int sc_tree(struct sweep_run *run)
{
    static const struct core_job_spec spec[] = {
        { MS(2), 0 }, { MS(4), 0 }
    };
    struct core_sw_tree_frame f;
    strio_task t;
    memset(&out, 0, sizeof out);
    STRIO_POOL_SETUP(kids);
    core_sw_tree_start(&f, &run->target, &out, &kids.pool, spec);
    strio_task_init(&t, core_sw_tree_resume, &f, &f.strio_ret);
    return strio_loop_run(&run->loop, &t);
}

static void ck_tree(struct sweep_run *run)
{
    cr_assert_eq(kids.pool.used, 0, "k=%lu", run->k);
    cr_assert_eq(out.exit_rc, 0, "k=%lu", run->k);
    cr_assert_eq(out.caught, run->cancelled, "k=%lu", run->k);
    cr_assert_eq(out.rc, run->cancelled ? EC : 0, "k=%lu", run->k);
    cr_assert_eq(out.end, run->cancelled ? run->cancelled_at : MS(4),
                 "k=%lu", run->k);
}

Test(sweep, nursery_tree_with_grandchildren)
{
    struct sweep s = { .name = "tree", .scenario = sc_tree,
                       .check = ck_tree };
    unsigned long runs = sweep_cancellation(&s);
    cr_assert_geq(runs, 7, "only %lu runs", runs);
}

static int sc_shield(struct sweep_run *run)
{
    struct core_sw_shield_frame f;
    strio_task t;
    memset(&out, 0, sizeof out);
    core_sw_shield_start(&f, &run->target, &out);
    strio_task_init(&t, core_sw_shield_resume, &f, &f.strio_ret);
    return strio_loop_run(&run->loop, &t);
}

static void ck_shield(struct sweep_run *run)
{
    /* the shielded sleep always runs its 3 ms; a cancellation that came
     * during it is delivered at the first checkpoint after the shield */
    cr_assert_eq(out.rc, 0, "k=%lu", run->k);
    cr_assert_eq(out.exit_rc, 0, "k=%lu", run->k);
    cr_assert_eq(out.caught, run->cancelled, "k=%lu", run->k);
    cr_assert_eq(out.inner_caught, run->cancelled ? EC : 0, "k=%lu",
                 run->k);
    if (run->cancelled)
        cr_assert_eq(out.end, run->cancelled_at > MS(3) ? run->cancelled_at
                                                        : MS(3),
                     "k=%lu", run->k);
    else
        cr_assert_eq(out.end, MS(5));
}

Test(sweep, shielded_region)
{
    struct sweep s = { .name = "shield", .scenario = sc_shield,
                       .check = ck_shield };
    /* shielded sleep, checkpoint, sleep: three points */
    cr_assert_eq(sweep_cancellation(&s), 4);
}
