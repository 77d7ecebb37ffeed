/*
 * core_tasks.sc -- the async side of tests/unit/test_core.c: scheduling,
 * timers, cancel scopes, nurseries, pools, and the scenarios the
 * cancellation sweep (sweep.h) drives.
 *
 * Every scenario records what happened into a `struct core_trace` (who, when,
 * with which result); test_core.c owns the traces, the pools and the
 * loops, and asserts the exact sequences. Types defined here travel with
 * the generated core_tasks.h.
 *
 * Scenarios that the sweep drives publish their cancel scope through a
 * `strio_cancel_scope **target` right after entering it and clear it right
 * before exiting it (this file cannot include sweep.h: generated tests are
 * compiled without tests/unit on the include path).
 */
#include <strio/strio.h>

#define CORE_TRACE_MAX 16384

/* One event of a scenario: `id` says who or which step, `rc` a result,
 * `at` the loop's time then. */
struct core_trace {
    int n;
    int id[CORE_TRACE_MAX];
    int rc[CORE_TRACE_MAX];
    strio_time at[CORE_TRACE_MAX];
};

/* What a nursery child (job) does: sleep `delay`, then return `result`, or
 * the sleep's own result when `result` is 0. */
struct core_job_spec {
    strio_time delay;
    int result;
};

static void rec(strio_task *self, struct core_trace *tr, int id, int rc)
{
    if (tr == NULL)
        return;
    if (tr->n < CORE_TRACE_MAX) {
        tr->id[tr->n] = id;
        tr->rc[tr->n] = rc;
        tr->at[tr->n] = strio_task_now(self);
    }
    tr->n++;
}

/* ---- scheduling --------------------------------------------------------- */

/* Records its id, then checkpoints; `iters` times. */
async int core_worker(struct core_trace *tr, int id, int iters)
{
    for (int i = 0; i < iters; i++) {
        rec(STRIO_SELF, tr, id, 0);
        int rc = await strio_checkpoint();
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Starts workers 1..n (iters[k] iterations each, in that order), then works
 * itself as worker 0 for `root_iters` iterations, then closes. */
async int core_fair_root(struct core_trace *tr, strio_pool *pool,
                         const int *iters, int n, int root_iters)
{
    strio_nursery nursery;
    strio_nursery_open(STRIO_SELF, &nursery);
    for (int k = 0; k < n; k++) {
        struct core_worker_frame *f = strio_pool_try_get(pool);
        if (f == NULL)
            return STRIO_EBUSY;     /* the test sizes the pool: never */
        core_worker_start(f, tr, k + 1, iters[k]);
        strio_nursery_start(&nursery, pool, f, core_worker_resume,
                            &f->strio_ret);
    }
    int rc = 0;
    for (int i = 0; i < root_iters && rc == 0; i++) {
        rec(STRIO_SELF, tr, 0, 0);
        rc = await strio_checkpoint();
    }
    return await strio_nursery_close(&nursery, rc);
}

/* ---- timers ------------------------------------------------------------- */

/* Checkpoints `pre` times (to arm later than its start order says), sleeps
 * until `until`, records its id and the sleep's result. */
async int core_sleeper(struct core_trace *tr, int id, strio_time until,
                       int pre)
{
    for (int i = 0; i < pre; i++)
        await strio_checkpoint();
    int rc = await strio_sleep_until(until);
    rec(STRIO_SELF, tr, id, rc);
    return rc;
}

/* Starts sleepers 1..n; if `cancel_at` >= 0, cancels them all at that time
 * (the root sleeps until then, then cancels its nursery). */
async int core_sleepers_root(struct core_trace *tr, strio_pool *pool,
                        const strio_time *until, const int *pre, int n,
                        strio_time cancel_at)
{
    strio_nursery nursery;
    strio_nursery_open(STRIO_SELF, &nursery);
    for (int k = 0; k < n; k++) {
        struct core_sleeper_frame *f = strio_pool_try_get(pool);
        if (f == NULL)
            return STRIO_EBUSY;
        core_sleeper_start(f, tr, k + 1, until[k], pre != NULL ? pre[k] : 0);
        strio_nursery_start(&nursery, pool, f, core_sleeper_resume,
                            &f->strio_ret);
    }
    int rc = 0;
    if (cancel_at >= 0) {
        rc = await strio_sleep_until(cancel_at);
        rec(STRIO_SELF, tr, 0, rc);
        strio_nursery_cancel(&nursery);
    }
    return await strio_nursery_close(&nursery, rc);
}

/* ---- cancel scopes ------------------------------------------------------ */

/*
 * outer: move on after `od`; inner (inside it): move on after `id`.
 * Sleeps `sd` inside both, leaves inner, sleeps `sd` again, leaves outer.
 *   1: first sleep's rc      2: inner exit's rc     3: inner.cancel_called
 *   4: inner.cancelled_caught 5: second sleep's rc  6: outer exit's rc
 *   7: outer.cancelled_caught 8: armed timers at the end
 */
async int core_nested_deadlines(struct core_trace *tr, strio_time od,
                                strio_time id, strio_time sd)
{
    strio_cancel_scope outer, inner;
    strio_move_on_after(STRIO_SELF, &outer, od);
    strio_move_on_after(STRIO_SELF, &inner, id);
    int rc = await strio_sleep(sd);
    rec(STRIO_SELF, tr, 1, rc);
    rc = strio_scope_exit(&inner, rc);
    rec(STRIO_SELF, tr, 2, rc);
    rec(STRIO_SELF, tr, 3, inner.cancel_called);
    rec(STRIO_SELF, tr, 4, inner.cancelled_caught);
    rc = await strio_sleep(sd);
    rec(STRIO_SELF, tr, 5, rc);
    rc = strio_scope_exit(&outer, rc);
    rec(STRIO_SELF, tr, 6, rc);
    rec(STRIO_SELF, tr, 7, outer.cancelled_caught);
    rec(STRIO_SELF, tr, 8, (int)STRIO_SELF->loop->timers.count);
    return 0;
}

/*
 * A shielded scope inside a scope whose deadline (10 ms) passes while the
 * task sleeps 50 ms in the shield; then unshields.
 *   1: sleep rc (0 at 50 ms)   2: checkpoint rc in the shield (0)
 *   3: outer.cancel_called (1) 4: checkpoint rc after unshield (ECANCELED)
 *   5: shield exit rc          6: shield's cancelled_caught (0)
 *   7: outer exit rc (0)       8: outer.cancelled_caught (1)
 */
async int core_shield_scope(struct core_trace *tr)
{
    strio_cancel_scope outer, sh;
    strio_move_on_after(STRIO_SELF, &outer, STRIO_MS(10));
    strio_scope_enter(STRIO_SELF, &sh);
    strio_scope_shield(&sh, 1);
    int rc = await strio_sleep(STRIO_MS(50));
    rec(STRIO_SELF, tr, 1, rc);
    rc = await strio_checkpoint();
    rec(STRIO_SELF, tr, 2, rc);
    rec(STRIO_SELF, tr, 3, outer.cancel_called);
    strio_scope_shield(&sh, 0);
    rc = await strio_checkpoint();
    rec(STRIO_SELF, tr, 4, rc);
    rc = strio_scope_exit(&sh, rc);
    rec(STRIO_SELF, tr, 5, rc);
    rec(STRIO_SELF, tr, 6, sh.cancelled_caught);
    rc = strio_scope_exit(&outer, rc);
    rec(STRIO_SELF, tr, 7, rc);
    rec(STRIO_SELF, tr, 8, outer.cancelled_caught);
    return 0;
}

/* A child that sleeps `d` inside a shielded scope, which it publishes in
 * *out while it is entered. Records (id, sleep rc). */
async int core_shielded_sleeper(struct core_trace *tr, int id, strio_time d,
                           strio_cancel_scope **out)
{
    strio_cancel_scope sh;
    strio_scope_enter(STRIO_SELF, &sh);
    strio_scope_shield(&sh, 1);
    *out = &sh;
    int rc = await strio_sleep(d);
    rec(STRIO_SELF, tr, id, rc);
    *out = NULL;
    return strio_scope_exit(&sh, rc);
}

/*
 * Children 1 and 2 sleep 1 s in shields. At 10 ms the root cancels the
 * nursery (neither child notices); at 20 ms (sleeping in a shield of its
 * own) it unshields child 2, whose sleep then ends with ECANCELED. Child 1
 * sleeps its full second; close returns 0 then.
 *   0: root's shielded sleep rc; 100: close rc
 */
async int core_shield_children(struct core_trace *tr, strio_pool *pool)
{
    strio_cancel_scope *sh1 = NULL, *sh2 = NULL;
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    struct core_shielded_sleeper_frame *f = strio_pool_try_get(pool);
    core_shielded_sleeper_start(f, tr, 1, STRIO_SEC(1), &sh1);
    strio_nursery_start(&n, pool, f, core_shielded_sleeper_resume,
                        &f->strio_ret);
    f = strio_pool_try_get(pool);
    core_shielded_sleeper_start(f, tr, 2, STRIO_SEC(1), &sh2);
    strio_nursery_start(&n, pool, f, core_shielded_sleeper_resume,
                        &f->strio_ret);
    await strio_sleep(STRIO_MS(10));
    strio_nursery_cancel(&n);
    strio_cancel_scope mine;
    strio_scope_enter(STRIO_SELF, &mine);
    strio_scope_shield(&mine, 1);
    int rc = await strio_sleep(STRIO_MS(10));
    rec(STRIO_SELF, tr, 0, rc);
    if (sh2 != NULL)
        strio_scope_shield(sh2, 0);
    strio_scope_exit(&mine, 0);
    rc = await strio_nursery_close(&n, 0);
    rec(STRIO_SELF, tr, 100, rc);
    return rc;
}

/*
 * A scope cancelled before anything in it ran: every operation returns
 * ECANCELED at once, without suspending.
 *   1: checkpoint  2: sleep  3: wait_forever  4: pool_get  5: suspensions
 *   6: exit rc (0) 7: cancelled_caught (1)
 */
async int core_cancel_first(struct core_trace *tr, strio_pool *pool)
{
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    strio_scope_cancel(&sc);
    unsigned long before = STRIO_SELF->switches;
    int rc = await strio_checkpoint();
    rec(STRIO_SELF, tr, 1, rc);
    rc = await strio_sleep(STRIO_SEC(1));
    rec(STRIO_SELF, tr, 2, rc);
    rc = await strio_wait_forever();
    rec(STRIO_SELF, tr, 3, rc);
    void *slot = NULL;
    rc = await strio_pool_get(pool, &slot);
    rec(STRIO_SELF, tr, 4, rc == STRIO_ECANCELED && slot == NULL
                               ? STRIO_ECANCELED : 1);
    rec(STRIO_SELF, tr, 5, (int)(STRIO_SELF->switches - before));
    rc = strio_scope_exit(&sc, rc);
    rec(STRIO_SELF, tr, 6, rc);
    rec(STRIO_SELF, tr, 7, sc.cancelled_caught);
    return 0;
}

/*
 * Cancelling (or re-timing) a scope after it was exited changes nothing.
 *   1: exit rc (0)            2: armed timers after exit (0)
 *   3: checkpoint after the late cancel (0)
 *   4: sleep 20 ms past the old 10 ms deadline (0, at 20 ms)
 *   5: cancelled_caught (0)   6: second exit (ESTATE)
 */
async int core_cancel_exited(struct core_trace *tr)
{
    strio_cancel_scope sc;
    strio_move_on_after(STRIO_SELF, &sc, STRIO_MS(10));
    int rc = await strio_checkpoint();
    rc = strio_scope_exit(&sc, rc);
    rec(STRIO_SELF, tr, 1, rc);
    rec(STRIO_SELF, tr, 2, (int)STRIO_SELF->loop->timers.count);
    strio_scope_cancel(&sc);
    strio_scope_set_deadline(&sc, 0);
    strio_scope_shield(&sc, 0);
    rc = await strio_checkpoint();
    rec(STRIO_SELF, tr, 3, rc);
    rc = await strio_sleep(STRIO_MS(20));
    rec(STRIO_SELF, tr, 4, rc);
    rec(STRIO_SELF, tr, 5, sc.cancelled_caught);
    rec(STRIO_SELF, tr, 6, strio_scope_exit(&sc, 0));
    return 0;
}

/*
 * One timeout scope around `work` of sleeping: fail (ETIMEDOUT) or move on
 * (0) after `limit`; `cancel` cancels it explicitly first instead.
 *   1: sleep rc   2: exit rc   3: cancelled_caught
 */
async int core_timeout_form(struct core_trace *tr, int fail, strio_time limit,
                       strio_time work, int cancel)
{
    strio_cancel_scope sc;
    if (fail)
        strio_fail_after(STRIO_SELF, &sc, limit);
    else
        strio_move_on_after(STRIO_SELF, &sc, limit);
    if (cancel)
        strio_scope_cancel(&sc);
    int rc = await strio_sleep(work);
    rec(STRIO_SELF, tr, 1, rc);
    rc = strio_scope_exit(&sc, rc);
    rec(STRIO_SELF, tr, 2, rc);
    rec(STRIO_SELF, tr, 3, sc.cancelled_caught);
    return 0;
}

/*
 * Scopes exited out of order.
 *   1: exit(a) while b is innermost (ESTATE)   2: exit(b) (passes -5 on)
 *   3: exit(a) (0)    4: exit(a) again (ESTATE)
 *   5: a nursery closed while a scope opened after it is still entered
 *      (ESTATE)      6: the same close after that scope exited (0)
 */
async int core_out_of_order(struct core_trace *tr)
{
    strio_cancel_scope a, b;
    strio_scope_enter(STRIO_SELF, &a);
    strio_scope_enter(STRIO_SELF, &b);
    rec(STRIO_SELF, tr, 1, strio_scope_exit(&a, 0));
    rec(STRIO_SELF, tr, 2, strio_scope_exit(&b, -5));
    rec(STRIO_SELF, tr, 3, strio_scope_exit(&a, 0));
    rec(STRIO_SELF, tr, 4, strio_scope_exit(&a, 0));
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    strio_scope_enter(STRIO_SELF, &a);
    int rc = await strio_nursery_close(&n, 0);
    rec(STRIO_SELF, tr, 5, rc);
    strio_scope_exit(&a, 0);
    rc = await strio_nursery_close(&n, 0);
    rec(STRIO_SELF, tr, 6, rc);
    return 0;
}

/*
 * Deadlines at or before "now" cancel at once (no suspension).
 *   1: move_on_at(now - 1): checkpoint rc  2: its exit rc  3: caught
 *   4: fail_at(now): sleep rc              5: its exit rc  6: caught
 *   7: a running scope's deadline moved into the past: checkpoint rc
 *   8: its exit rc     9: suspensions of the whole function (1: only the
 *                         first checkpoint of step 7 ran normally)
 */
async int core_past_deadline(struct core_trace *tr)
{
    unsigned long before = STRIO_SELF->switches;
    strio_time now = strio_task_now(STRIO_SELF);
    strio_cancel_scope sc;
    strio_move_on_at(STRIO_SELF, &sc, now - 1);
    int rc = await strio_checkpoint();
    rec(STRIO_SELF, tr, 1, rc);
    rc = strio_scope_exit(&sc, rc);
    rec(STRIO_SELF, tr, 2, rc);
    rec(STRIO_SELF, tr, 3, sc.cancelled_caught);
    strio_fail_at(STRIO_SELF, &sc, now);
    rc = await strio_sleep(STRIO_SEC(1));
    rec(STRIO_SELF, tr, 4, rc);
    rc = strio_scope_exit(&sc, rc);
    rec(STRIO_SELF, tr, 5, rc);
    rec(STRIO_SELF, tr, 6, sc.cancelled_caught);
    strio_move_on_after(STRIO_SELF, &sc, STRIO_SEC(5));
    rc = await strio_checkpoint();          /* not cancelled yet: yields */
    strio_scope_set_deadline(&sc, strio_task_now(STRIO_SELF) - STRIO_SEC(1));
    rc = await strio_checkpoint();
    rec(STRIO_SELF, tr, 7, rc);
    rc = strio_scope_exit(&sc, rc);
    rec(STRIO_SELF, tr, 8, rc);
    rec(STRIO_SELF, tr, 9, (int)(STRIO_SELF->switches - before));
    return 0;
}

/* Sleeps `delay`, records (id, sleep rc), returns `result` if nonzero,
 * else the sleep's result. */
async int core_job(struct core_trace *tr, int id, strio_time delay, int result)
{
    int rc = await strio_sleep(delay);
    rec(STRIO_SELF, tr, id, rc);
    return result != 0 ? result : rc;
}

/* A child that opens a nursery of its own with the given jobs (ids
 * 10*id+1, ...), sleeps `body` in it, and returns what close returns.
 * Records (id, close rc). */
async int core_nest_child(struct core_trace *tr, int id, strio_pool *pool,
                          const struct core_job_spec *jobs, int n,
                          strio_time body)
{
    strio_nursery inner;
    strio_nursery_open(STRIO_SELF, &inner);
    for (int k = 0; k < n; k++) {
        struct core_job_frame *f = strio_pool_try_get(pool);
        if (f == NULL)
            return STRIO_EBUSY;
        core_job_start(f, tr, 10 * id + k + 1, jobs[k].delay, jobs[k].result);
        strio_nursery_start(&inner, pool, f, core_job_resume, &f->strio_ret);
    }
    int rc = await strio_sleep(body);
    rc = await strio_nursery_close(&inner, rc);
    rec(STRIO_SELF, tr, id, rc);
    return rc;
}

/* Waits forever (until cancelled); records (id, rc). */
async int core_forever(struct core_trace *tr, int id)
{
    int rc = await strio_wait_forever();
    rec(STRIO_SELF, tr, id, rc);
    return rc;
}

/*
 * Cancellation crossing into children: a scope moving on after 10 ms
 * around a nursery whose children are a sleeper (job 1, 1 s), a task
 * waiting forever (2) and a nest_child (3) whose own children (jobs 31 and
 * 32) sleep 1 s. `pool` holds frames of any child type.
 *   100: body sleep rc   101: close rc   102: scope exit rc   103: caught
 */
async int core_cancel_crossing(struct core_trace *tr, strio_pool *pool,
                               const struct core_job_spec *spec)
{
    strio_cancel_scope sc;
    strio_move_on_after(STRIO_SELF, &sc, STRIO_MS(10));
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    struct core_job_frame *j = strio_pool_try_get(pool);
    core_job_start(j, tr, 1, STRIO_SEC(1), 0);
    strio_nursery_start(&n, pool, j, core_job_resume, &j->strio_ret);
    struct core_forever_frame *w = strio_pool_try_get(pool);
    core_forever_start(w, tr, 2);
    strio_nursery_start(&n, pool, w, core_forever_resume, &w->strio_ret);
    struct core_nest_child_frame *c = strio_pool_try_get(pool);
    core_nest_child_start(c, tr, 3, pool, spec, 2, STRIO_SEC(1));
    strio_nursery_start(&n, pool, c, core_nest_child_resume, &c->strio_ret);
    int rc = await strio_sleep(STRIO_SEC(1));
    rec(STRIO_SELF, tr, 100, rc);
    rc = await strio_nursery_close(&n, rc);
    rec(STRIO_SELF, tr, 101, rc);
    rc = strio_scope_exit(&sc, rc);
    rec(STRIO_SELF, tr, 102, rc);
    rec(STRIO_SELF, tr, 103, sc.cancelled_caught);
    return rc;
}

/* ---- nurseries ---------------------------------------------------------- */

/*
 * Starts jobs 1..n, sleeps `body` (if > 0), fails with `body_fail` (if
 * nonzero), closes.
 *   100: body sleep rc   200: close rc   201: more_errors
 */
async int core_nursery_root(struct core_trace *tr, strio_pool *pool,
                            const struct core_job_spec *jobs, int n,
                            strio_time body, int body_fail)
{
    strio_nursery nursery;
    strio_nursery_open(STRIO_SELF, &nursery);
    for (int k = 0; k < n; k++) {
        struct core_job_frame *f = strio_pool_try_get(pool);
        if (f == NULL)
            return STRIO_EBUSY;
        core_job_start(f, tr, k + 1, jobs[k].delay, jobs[k].result);
        strio_nursery_start(&nursery, pool, f, core_job_resume, &f->strio_ret);
    }
    int rc = 0;
    if (body > 0) {
        rc = await strio_sleep(body);
        rec(STRIO_SELF, tr, 100, rc);
    }
    if (body_fail != 0)
        rc = body_fail;
    rc = await strio_nursery_close(&nursery, rc);
    rec(STRIO_SELF, tr, 200, rc);
    rec(STRIO_SELF, tr, 201, (int)nursery.more_errors);
    return rc;
}

/* Takes a slot of `pool` (waiting), records (id, rc) when it has it, and
 * starts a job (id + 100) holding the slot for `hold` in nursery `n`. */
async int core_getter(struct core_trace *tr, int id, strio_nursery *n,
                      strio_pool *pool, strio_time hold)
{
    void *slot = NULL;
    int rc = await strio_pool_get(pool, &slot);
    rec(STRIO_SELF, tr, id, rc);
    if (rc < 0)
        return rc;
    struct core_job_frame *f = slot;
    core_job_start(f, tr, id + 100, hold, 0);
    return strio_nursery_start(n, pool, f, core_job_resume, &f->strio_ret);
}

/*
 * Pool exhaustion: `small` (2 slots) holds jobs 1 (10 ms) and 2 (20 ms);
 * a third try_get fails (3: 1 if NULL); getters 11, 12, 13 (from `gpool`)
 * then wait in pool_get, in that order, and each holds its slot 30 ms.
 *   200: close rc
 */
async int core_pool_root(struct core_trace *tr, strio_pool *small,
                         strio_pool *gpool)
{
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    for (int k = 1; k <= 2; k++) {
        struct core_job_frame *f = strio_pool_try_get(small);
        core_job_start(f, tr, k, STRIO_MS(10) * k, 0);
        strio_nursery_start(&n, small, f, core_job_resume, &f->strio_ret);
    }
    rec(STRIO_SELF, tr, 3, strio_pool_try_get(small) == NULL);
    for (int k = 11; k <= 13; k++) {
        struct core_getter_frame *g = strio_pool_try_get(gpool);
        core_getter_start(g, tr, k, &n, small, STRIO_MS(30));
        strio_nursery_start(&n, gpool, g, core_getter_resume, &g->strio_ret);
    }
    int rc = await strio_nursery_close(&n, 0);
    rec(STRIO_SELF, tr, 200, rc);
    return rc;
}

/*
 * Nested nurseries. In a child: nest_child 1 runs jobs 11 (10 ms, fails
 * with `fail`) and 12 (1 s); sibling job 2 sleeps 1 s. In the same task:
 * an inner nursery inside the body of the outer one, with job 3 (10 ms,
 * fails with `fail`) while the outer one holds job 4 (1 s); used when
 * `same_task`.
 *   100: inner close rc (same_task)   200: outer close rc
 */
async int core_nested_nurseries(struct core_trace *tr, strio_pool *jobs,
                                strio_pool *nests,
                                const struct core_job_spec *spec,
                                int same_task)
{
    strio_nursery outer;
    strio_nursery_open(STRIO_SELF, &outer);
    int rc = 0;
    if (!same_task) {
        struct core_nest_child_frame *c = strio_pool_try_get(nests);
        core_nest_child_start(c, tr, 1, jobs, spec, 2, 0);
        strio_nursery_start(&outer, nests, c, core_nest_child_resume,
                            &c->strio_ret);
        struct core_job_frame *j = strio_pool_try_get(jobs);
        core_job_start(j, tr, 2, STRIO_SEC(1), 0);
        strio_nursery_start(&outer, jobs, j, core_job_resume, &j->strio_ret);
    } else {
        struct core_job_frame *j = strio_pool_try_get(jobs);
        core_job_start(j, tr, 4, STRIO_SEC(1), 0);
        strio_nursery_start(&outer, jobs, j, core_job_resume, &j->strio_ret);
        strio_nursery inner;
        strio_nursery_open(STRIO_SELF, &inner);
        j = strio_pool_try_get(jobs);
        core_job_start(j, tr, 3, spec[0].delay, spec[0].result);
        strio_nursery_start(&inner, jobs, j, core_job_resume, &j->strio_ret);
        rc = await strio_nursery_close(&inner, 0);
        rec(STRIO_SELF, tr, 100, rc);
    }
    rc = await strio_nursery_close(&outer, rc);
    rec(STRIO_SELF, tr, 200, rc);
    return rc;
}

/* `count` jobs of `each` through `pool`, as fast as slots free up. Each job
 * records (id, rc) when it ends.  200: close rc */
async int core_many_root(struct core_trace *tr, strio_pool *pool, int count,
                    strio_time each)
{
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    int rc = 0;
    for (int i = 0; i < count; i++) {
        void *slot;
        rc = await strio_pool_get(pool, &slot);
        if (rc < 0)
            break;
        struct core_job_frame *f = slot;
        core_job_start(f, tr, i + 1, each, 0);
        strio_nursery_start(&n, pool, f, core_job_resume, &f->strio_ret);
    }
    rc = await strio_nursery_close(&n, rc);
    rec(STRIO_SELF, tr, 200, rc);
    return rc;
}

/* ---- deadlocks ---------------------------------------------------------- */

/*
 * kind 0: the root waits forever.  1: the root closes a nursery whose
 * child waits forever.  2: the root holds the only slot of `pool` and
 * waits for another.  3: like 0, inside a scope that moves on after 5 s
 * (not a deadlock: returns 0 at 5 s).
 */
async int core_stuck(strio_pool *pool, int kind)
{
    if (kind == 0)
        return await strio_wait_forever();
    if (kind == 1) {
        strio_nursery n;
        strio_nursery_open(STRIO_SELF, &n);
        struct core_forever_frame *c = strio_pool_try_get(pool);
        core_forever_start(c, NULL, 1);
        strio_nursery_start(&n, pool, c, core_forever_resume, &c->strio_ret);
        return await strio_nursery_close(&n, 0);
    }
    if (kind == 2) {
        void *slot = strio_pool_try_get(pool);
        int rc = await strio_pool_get(pool, &slot);
        return rc;
    }
    strio_cancel_scope sc;
    strio_move_on_after(STRIO_SELF, &sc, STRIO_SEC(5));
    int rc = await strio_wait_forever();
    return strio_scope_exit(&sc, rc);
}

/*
 * "Forever" as a duration (STRIO_TIME_NEVER), at any start time:
 * kind 0: sleep(NEVER) alone -- a deadlock the loop must report;
 * kind 1: move_on_after(NEVER) means no deadline: a 5 ms sleep in it ends
 *         normally (1: sleep rc, 2: cancel_called, 3: armed timers);
 * kind 2: sleep(NEVER) inside move_on_after(10 ms) (1: sleep rc,
 *         2: exit rc, 3: armed timers after exit).
 */
async int core_never(struct core_trace *tr, int kind)
{
    strio_cancel_scope sc;
    int rc;
    if (kind == 0)
        return await strio_sleep(STRIO_TIME_NEVER);
    if (kind == 1) {
        strio_move_on_after(STRIO_SELF, &sc, STRIO_TIME_NEVER);
        rc = await strio_sleep(STRIO_MS(5));
        rec(STRIO_SELF, tr, 1, rc);
        rec(STRIO_SELF, tr, 2, sc.cancel_called);
        rec(STRIO_SELF, tr, 3, (int)STRIO_SELF->loop->timers.count);
        return strio_scope_exit(&sc, rc);
    }
    strio_move_on_after(STRIO_SELF, &sc, STRIO_MS(10));
    rc = await strio_sleep(STRIO_TIME_NEVER);
    rec(STRIO_SELF, tr, 1, rc);
    rc = strio_scope_exit(&sc, rc);
    rec(STRIO_SELF, tr, 2, rc);
    rec(STRIO_SELF, tr, 3, (int)STRIO_SELF->loop->timers.count);
    return rc;
}

/* ---- cancellation sweep scenarios --------------------------------------- */

/* Results of one sweep run, for the check callbacks. */
struct core_sweep_out {
    int rc;                 /* what the operation inside the scope returned */
    int exit_rc;            /* the target scope's exit */
    int caught;             /* target's cancelled_caught */
    int inner_caught;       /* nested scopes: the inner one's */
    int got[4];             /* pool_get: getter k got a slot (1) or not */
    strio_time got_at[4];
    strio_time end;         /* loop time when the root finished */
};

/* sleep(10 ms) inside the target scope. */
async int core_sw_sleep(strio_cancel_scope **target,
                        struct core_sweep_out *out)
{
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    out->rc = await strio_sleep(STRIO_MS(10));
    *target = NULL;
    out->exit_rc = strio_scope_exit(&sc, out->rc);
    out->caught = sc.cancelled_caught;
    out->end = strio_task_now(STRIO_SELF);
    return 0;
}

/* Target scope around an inner scope that moves on after 5 ms, in which
 * the task sleeps 3 ms, checkpoints, sleeps 10 ms (cut at 5 ms); then,
 * still in the target, checkpoints and sleeps 1 ms. */
async int core_sw_nested(strio_cancel_scope **target,
                         struct core_sweep_out *out)
{
    strio_cancel_scope sc, inner;
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    strio_move_on_after(STRIO_SELF, &inner, STRIO_MS(5));
    int rc = await strio_sleep(STRIO_MS(3));
    if (rc == 0)
        rc = await strio_checkpoint();
    if (rc == 0)
        rc = await strio_sleep(STRIO_MS(10));
    rc = strio_scope_exit(&inner, rc);
    out->inner_caught = inner.cancelled_caught;
    if (rc == 0)
        rc = await strio_checkpoint();
    if (rc == 0)
        rc = await strio_sleep(STRIO_MS(1));
    out->rc = rc;
    *target = NULL;
    out->exit_rc = strio_scope_exit(&sc, rc);
    out->caught = sc.cancelled_caught;
    out->end = strio_task_now(STRIO_SELF);
    return 0;
}

/* Target scope around a nursery of 3 children: a job sleeping 2 ms, a
 * worker checkpointing 3 times, a job sleeping 5 ms. */
async int core_sw_nursery(strio_cancel_scope **target,
                          struct core_sweep_out *out, strio_pool *jobs,
                          strio_pool *workers)
{
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    struct core_job_frame *j = strio_pool_try_get(jobs);
    core_job_start(j, NULL, 1, STRIO_MS(2), 0);
    strio_nursery_start(&n, jobs, j, core_job_resume, &j->strio_ret);
    struct core_worker_frame *w = strio_pool_try_get(workers);
    core_worker_start(w, NULL, 2, 3);
    strio_nursery_start(&n, workers, w, core_worker_resume, &w->strio_ret);
    j = strio_pool_try_get(jobs);
    core_job_start(j, NULL, 3, STRIO_MS(5), 0);
    strio_nursery_start(&n, jobs, j, core_job_resume, &j->strio_ret);
    out->rc = await strio_nursery_close(&n, 0);
    *target = NULL;
    out->exit_rc = strio_scope_exit(&sc, out->rc);
    out->caught = sc.cancelled_caught;
    out->end = strio_task_now(STRIO_SELF);
    return 0;
}

/* A getter whose pool_get runs inside the target scope when `target` is
 * not NULL. Records into out->got[k] / got_at[k]; holds the slot 10 ms. */
async int core_sw_getter(strio_cancel_scope **target,
                         struct core_sweep_out *out, int k, strio_nursery *n,
                         strio_pool *pool)
{
    strio_cancel_scope sc;
    void *slot = NULL;
    int rc;
    if (target != NULL) {
        strio_scope_enter(STRIO_SELF, &sc);
        *target = &sc;
        rc = await strio_pool_get(pool, &slot);
        *target = NULL;
        out->rc = rc;
        out->exit_rc = strio_scope_exit(&sc, rc);
        out->caught = sc.cancelled_caught;
    } else {
        rc = await strio_pool_get(pool, &slot);
    }
    out->got[k] = rc == 0;
    out->got_at[k] = strio_task_now(STRIO_SELF);
    if (rc < 0)
        return 0;
    struct core_job_frame *f = slot;
    core_job_start(f, NULL, 100 + k, STRIO_MS(10), 0);
    return strio_nursery_start(n, pool, f, core_job_resume, &f->strio_ret);
}

/* pool_get under contention: `pool` has one slot, held 10 ms by a job;
 * getters 1, 2, 3 queue for it in that order; getter 2's pool_get is in
 * the target scope. */
async int core_sw_pool(strio_cancel_scope **target, struct core_sweep_out *out,
                  strio_pool *pool, strio_pool *getters)
{
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    struct core_job_frame *j = strio_pool_try_get(pool);
    core_job_start(j, NULL, 100, STRIO_MS(10), 0);
    strio_nursery_start(&n, pool, j, core_job_resume, &j->strio_ret);
    for (int k = 1; k <= 3; k++) {
        struct core_sw_getter_frame *g = strio_pool_try_get(getters);
        core_sw_getter_start(g, k == 2 ? target : NULL, out, k, &n, pool);
        strio_nursery_start(&n, getters, g, core_sw_getter_resume,
                            &g->strio_ret);
    }
    int rc = await strio_nursery_close(&n, 0);
    out->end = strio_task_now(STRIO_SELF);
    return rc;
}

/* Target scope around a tree: a nursery with a core_nest_child (its jobs
 * sleep 2 ms and 4 ms, its body 1 ms) and a job sleeping 3 ms. */
async int core_sw_tree(strio_cancel_scope **target,
                       struct core_sweep_out *out,
                       strio_pool *pool, const struct core_job_spec *spec)
{
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    struct core_nest_child_frame *c = strio_pool_try_get(pool);
    core_nest_child_start(c, NULL, 1, pool, spec, 2, STRIO_MS(1));
    strio_nursery_start(&n, pool, c, core_nest_child_resume, &c->strio_ret);
    struct core_job_frame *j = strio_pool_try_get(pool);
    core_job_start(j, NULL, 2, STRIO_MS(3), 0);
    strio_nursery_start(&n, pool, j, core_job_resume, &j->strio_ret);
    out->rc = await strio_nursery_close(&n, 0);
    *target = NULL;
    out->exit_rc = strio_scope_exit(&sc, out->rc);
    out->caught = sc.cancelled_caught;
    out->end = strio_task_now(STRIO_SELF);
    return 0;
}

/* Target scope around a shielded 3 ms sleep (out->rc: its result), then a
 * checkpoint and a 2 ms sleep outside the shield (out->inner_caught: the
 * first of them that failed, or 0). */
async int core_sw_shield(strio_cancel_scope **target,
                         struct core_sweep_out *out)
{
    strio_cancel_scope sc, sh;
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    strio_scope_enter(STRIO_SELF, &sh);
    strio_scope_shield(&sh, 1);
    out->rc = await strio_sleep(STRIO_MS(3));
    strio_scope_exit(&sh, out->rc);
    int rc = await strio_checkpoint();
    if (rc == 0)
        rc = await strio_sleep(STRIO_MS(2));
    out->inner_caught = rc;
    *target = NULL;
    out->exit_rc = strio_scope_exit(&sc, rc);
    out->caught = sc.cancelled_caught;
    out->end = strio_task_now(STRIO_SELF);
    return 0;
}
