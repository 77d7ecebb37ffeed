/*
 * The worker pool (runtime/src/workers.c): results come back, the loop
 * blocks in poll() while jobs run (no deadlock report, no spinning), slots
 * are handed out FIFO under saturation, cancellation abandons the wait but
 * never the job, shielding makes the call uncancellable, two loops with two
 * pools run at once, and a cancellation sweep.
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include <strio/strio.h>
#include <strio/posix.h>

#include "worker_tasks.h"

/* ---- the job --------------------------------------------------------------- */

static strio_time real_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (strio_time)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_ns(strio_time ns)
{
    struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

void wt_job_fn(void *arg)
{
    struct wt_job *j = arg;
    struct wt_ctx *c = j->ctx;
    atomic_store(&j->started, atomic_fetch_add(&c->seq, 1) + 1);
    int k = atomic_fetch_add(&c->nstarted, 1);
    if (k < 64)
        c->order[k] = j->id;
    int now = atomic_fetch_add(&c->running, 1) + 1;
    int max = atomic_load(&c->max_running);
    while (now > max && !atomic_compare_exchange_weak(&c->max_running, &max,
                                                      now))
        ;
    if (j->wait_gate) {           /* bounded: a broken test ends anyway */
        strio_time give_up = real_now() + STRIO_SEC(2);
        while (!atomic_load(&c->gate) && real_now() < give_up)
            sleep_ns(STRIO_US(100));
    }
    if (j->spin_us > 0)
        sleep_ns(STRIO_US(j->spin_us));
    j->output = j->input * j->input + 1;
    sigset_t mask;
    pthread_sigmask(SIG_BLOCK, NULL, &mask);
    j->usr1_blocked = sigismember(&mask, SIGUSR1);
    j->segv_blocked = sigismember(&mask, SIGSEGV);
    atomic_fetch_sub(&c->running, 1);
    atomic_store(&j->finished, atomic_fetch_add(&c->seq, 1) + 1);
}

static void wctx_init(struct wt_ctx *c)
{
    memset(c, 0, sizeof *c);
    atomic_init(&c->gate, 0);
    atomic_init(&c->seq, 0);
    atomic_init(&c->running, 0);
    atomic_init(&c->max_running, 0);
    atomic_init(&c->nstarted, 0);
}

static void wjob_init(struct wt_job *j, struct wt_ctx *c, int id)
{
    memset(j, 0, sizeof *j);
    j->ctx = c;
    j->id = id;
    j->input = id + 3;
    j->rc = 12345;
    atomic_init(&j->started, 0);
    atomic_init(&j->finished, 0);
}

/* ---- the loop around them -------------------------------------------------------- */

static int count_threads(void)
{
    DIR *d = opendir("/proc/self/task");
    cr_assert_not_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* A joined thread can linger in /proc/self/task for a moment after
 * pthread_join returns (the kernel releases it a little later): wait, bounded
 * (200 x 1 ms), for the count to settle at `expected`. */
static int threads_settle(int expected)
{
    int n = count_threads();
    for (int i = 0; i < 200 && n != expected; i++) {
        struct timespec ms = { 0, 1000000 };
        nanosleep(&ms, NULL);
        n = count_threads();
    }
    return n;
}

struct wrunner {
    STRIO_POLL(io, 4);
    strio_vclock vc;
    strio_clock mono;
    strio_loop loop;
    strio_nursery nursery;
    struct wt_run_jobs_frame frame;
    strio_task task;
};

/* Loop over a poll backend (a pool needs notifications), virtual clock
 * with autojump unless `real_clock`. Asserts nothing. */
static int wrunner_init(struct wrunner *r, int real_clock)
{
    int rc = STRIO_POLL_SETUP(r->io);
    strio_vclock_init(&r->vc, 0, 1);
    strio_monotonic_clock_init(&r->mono);
    strio_loop_init(&r->loop, real_clock ? &r->mono : &r->vc.clock,
                    strio_poll_backend(&r->io.poll));
    return rc;
}

static int wrunner_run(struct wrunner *r, strio_workers *w, strio_pool *pool,
                       struct wt_job *jobs, int n, int *ret)
{
    wt_run_jobs_start(&r->frame, w, pool, &r->nursery, jobs, n);
    strio_task_init(&r->task, wt_run_jobs_resume, &r->frame,
                    &r->frame.strio_ret);
    int rc = strio_loop_run(&r->loop, &r->task);
    *ret = r->frame.strio_ret;
    return rc;
}

static int wrunner_go(struct wrunner *r, strio_workers *w, strio_pool *pool,
                      struct wt_job *jobs, int n)
{
    int ret;
    int rc = wrunner_run(r, w, pool, jobs, n, &ret);
    cr_assert_eq(rc, 0, "loop: %s", strio_strerror(rc));
    return ret;
}

static unsigned free_slots(const strio_workers *w)
{
    unsigned n = 0;
    for (const strio_job *j = w->free_list; j != NULL; j = j->next)
        n++;
    return n;
}

/* After close: every job finished and was reaped, every slot is free, the
 * loop counts nothing outstanding and no longer has the hook. */
static void check_closed(const strio_workers *w, const strio_loop *loop,
                         unsigned njobs)
{
    cr_assert_eq(w->outstanding, 0);
    cr_assert_eq(free_slots(w), njobs);
    cr_assert(strio_waitq_empty(&w->slot_waiters));
    cr_assert_eq(loop->hook_busy, 0);
    cr_assert_null(loop->hooks);
    cr_assert_null(atomic_load(&((strio_workers *)w)->done));
}

static STRIO_POOL(kids, struct wt_job_child_frame, 64);

/* ---- tests -------------------------------------------------------------------------- */

Test(workers, init_and_close_start_and_join_threads, .timeout = 2)
{
    static STRIO_WORKERS(pool, 4, 8);
    struct wrunner r;
    cr_assert_eq(wrunner_init(&r, 0), 0);
    int before = count_threads();
    for (int i = 0; i < 20; i++) {
        cr_assert_eq(STRIO_WORKERS_SETUP(pool, &r.loop), 0);
        cr_assert_eq(count_threads(), before + 4);
        cr_assert_eq(r.loop.hooks, &pool.workers.hook);
        strio_workers_close(&pool.workers);
        strio_workers_close(&pool.workers);        /* idempotent */
        cr_assert_eq(threads_settle(before), before);
        check_closed(&pool.workers, &r.loop, 8);
    }
    cr_assert_eq(strio_workers_init(&pool.workers, &r.loop, pool.threads, 0,
                                    pool.jobs, 8), -EINVAL);
    cr_assert_eq(strio_workers_init(&pool.workers, &r.loop, pool.threads, 4,
                                    pool.jobs, 0), -EINVAL);
    strio_loop bare;
    strio_loop_init(&bare, &r.vc.clock, NULL);
    cr_assert_eq(STRIO_WORKERS_SETUP(pool, &bare), -EINVAL,
                 "completions could never wake a loop without a backend");
    strio_workers_close(&pool.workers);
    cr_assert_eq(threads_settle(before), before);
    strio_poll_close(&r.io.poll);
}

Test(workers, results_come_back, .timeout = 2)
{
    static STRIO_WORKERS(pool, 2, 4);
    static struct wrunner r;
    struct wt_ctx c;
    struct wt_job jobs[10];
    cr_assert_eq(wrunner_init(&r, 0), 0);
    STRIO_POOL_SETUP(kids);
    cr_assert_eq(STRIO_WORKERS_SETUP(pool, &r.loop), 0);
    wctx_init(&c);
    for (int i = 0; i < 10; i++) {
        wjob_init(&jobs[i], &c, i);
        jobs[i].spin_us = 100 * (i % 3);
    }
    cr_assert_eq(wrunner_go(&r, &pool.workers, &kids.pool, jobs, 10), 0);
    for (int i = 0; i < 10; i++) {
        cr_assert_eq(jobs[i].rc, 0, "job %d", i);
        cr_assert_eq(jobs[i].output, (long)(i + 3) * (i + 3) + 1);
        cr_assert_neq(atomic_load(&jobs[i].finished), 0);
        cr_assert_eq(jobs[i].usr1_blocked, 1, "async signals go elsewhere");
        cr_assert_eq(jobs[i].segv_blocked, 0, "faults stay deliverable");
    }
    cr_assert_eq(pool.workers.completed, 10);
    cr_assert_eq(pool.workers.abandoned, 0);
    cr_assert_eq(pool.workers.outstanding, 0);
    cr_assert_eq(r.loop.hook_busy, 0);
    cr_assert_eq(free_slots(&pool.workers), 4);
    strio_workers_close(&pool.workers);
    check_closed(&pool.workers, &r.loop, 4);
    strio_poll_close(&r.io.poll);
}

/* Real clock, no timers, nothing but a running job: the loop must neither
 * report a deadlock nor spin; it blocks in poll() until the completion
 * notification. */
Test(workers, loop_blocks_while_a_job_runs, .timeout = 2)
{
    static STRIO_WORKERS(pool, 1, 1);
    static struct wrunner r;
    struct wt_ctx c;
    struct wt_job job;
    cr_assert_eq(wrunner_init(&r, 1), 0);
    STRIO_POOL_SETUP(kids);
    cr_assert_eq(STRIO_WORKERS_SETUP(pool, &r.loop), 0);
    wctx_init(&c);
    wjob_init(&job, &c, 0);
    job.spin_us = 30000;
    strio_time t0 = real_now();
    cr_assert_eq(wrunner_go(&r, &pool.workers, &kids.pool, &job, 1), 0);
    strio_time took = real_now() - t0;
    cr_assert_eq(job.rc, 0);
    cr_assert_geq(took, STRIO_MS(30));
    cr_assert_lt(took, STRIO_MS(1000));
    cr_assert_lt(r.io.poll.polls, 10, "blocked, not spinning (%lu polls)",
                 r.io.poll.polls);
    strio_workers_close(&pool.workers);
    check_closed(&pool.workers, &r.loop, 1);
    strio_poll_close(&r.io.poll);
}

/* More jobs than slots: the rest wait, and get slots in FIFO order. */
Test(workers, saturation_is_fifo, .timeout = 2)
{
    static STRIO_WORKERS(one_thread, 1, 2);
    static struct wrunner r;
    struct wt_ctx c;
    struct wt_job jobs[12];
    cr_assert_eq(wrunner_init(&r, 0), 0);
    STRIO_POOL_SETUP(kids);
    cr_assert_eq(STRIO_WORKERS_SETUP(one_thread, &r.loop), 0);
    wctx_init(&c);
    for (int i = 0; i < 12; i++) {
        wjob_init(&jobs[i], &c, i);
        jobs[i].spin_us = 200;
    }
    cr_assert_eq(wrunner_go(&r, &one_thread.workers, &kids.pool, jobs, 12), 0);
    for (int i = 0; i < 12; i++) {
        cr_assert_eq(jobs[i].rc, 0);
        cr_assert_eq(c.order[i], i, "FIFO: position %d ran job %d", i,
                     c.order[i]);
    }
    cr_assert_eq(atomic_load(&c.max_running), 1);
    strio_workers_close(&one_thread.workers);
    check_closed(&one_thread.workers, &r.loop, 2);
    strio_poll_close(&r.io.poll);
}

/* Three threads but two slots: never more than two jobs at once. */
Test(workers, slots_bound_concurrency, .timeout = 2)
{
    static STRIO_WORKERS(pool, 3, 2);
    static struct wrunner r;
    struct wt_ctx c;
    struct wt_job jobs[20];
    cr_assert_eq(wrunner_init(&r, 0), 0);
    STRIO_POOL_SETUP(kids);
    cr_assert_eq(STRIO_WORKERS_SETUP(pool, &r.loop), 0);
    wctx_init(&c);
    for (int i = 0; i < 20; i++) {
        wjob_init(&jobs[i], &c, i);
        jobs[i].spin_us = 300;
    }
    cr_assert_eq(wrunner_go(&r, &pool.workers, &kids.pool, jobs, 20), 0);
    for (int i = 0; i < 20; i++)
        cr_assert_eq(jobs[i].rc, 0);
    cr_assert_leq(atomic_load(&c.max_running), 2);
    cr_assert_eq(pool.workers.completed, 20);
    strio_workers_close(&pool.workers);
    check_closed(&pool.workers, &r.loop, 2);
    strio_poll_close(&r.io.poll);
}

/* Cancelled while its job runs: the task moves on at once, the job keeps
 * its slot until it returns, and only then can the next job have it. */
Test(workers, cancel_abandons_the_wait_not_the_job, .timeout = 2)
{
    static STRIO_WORKERS(pool, 1, 1);
    static struct wrunner r;
    struct wt_ctx c;
    struct wt_job a, b;
    struct wt_abandon_then_reuse_frame f;
    strio_task t;
    cr_assert_eq(wrunner_init(&r, 0), 0);
    cr_assert_eq(STRIO_WORKERS_SETUP(pool, &r.loop), 0);
    wctx_init(&c);
    wjob_init(&a, &c, 0);
    wjob_init(&b, &c, 1);
    a.wait_gate = 1;
    a.timeout = STRIO_MS(10);
    wt_abandon_then_reuse_start(&f, &pool.workers, &c, &a, &b);
    strio_task_init(&t, wt_abandon_then_reuse_resume, &f, &f.strio_ret);
    cr_assert_eq(strio_loop_run(&r.loop, &t), 0);
    cr_assert_eq(f.strio_ret, 0, "a's job was still running when abandoned");
    cr_assert_eq(a.rc, STRIO_ECANCELED);
    cr_assert_eq(a.caught, 1);
    cr_assert_eq(a.done_at, STRIO_MS(10));
    cr_assert_eq(b.rc, 0);
    cr_assert_eq(b.output, 4 * 4 + 1);
    cr_assert_neq(atomic_load(&a.finished), 0, "the job still ran to the end");
    cr_assert_gt(atomic_load(&b.started), atomic_load(&a.finished),
                 "b got the slot only after a's job finished");
    cr_assert_eq(pool.workers.abandoned, 1);
    cr_assert_eq(pool.workers.completed, 2);
    strio_workers_close(&pool.workers);
    check_closed(&pool.workers, &r.loop, 1);
    strio_poll_close(&r.io.poll);
}

/* Cancelled while waiting for a slot: leaves the queue, its job never
 * runs, and the next waiter gets the slot. */
Test(workers, cancel_while_waiting_for_a_slot, .timeout = 2)
{
    static STRIO_WORKERS(pool, 1, 1);
    static struct wrunner r;
    struct wt_ctx c;
    struct wt_job jobs[4];
    cr_assert_eq(wrunner_init(&r, 0), 0);
    STRIO_POOL_SETUP(kids);
    cr_assert_eq(STRIO_WORKERS_SETUP(pool, &r.loop), 0);
    wctx_init(&c);
    for (int i = 0; i < 4; i++)
        wjob_init(&jobs[i], &c, i);
    jobs[0].wait_gate = 1;                       /* holds the slot */
    jobs[1].delay = STRIO_MS(1);                 /* waits, then gives up */
    jobs[1].timeout = STRIO_MS(5);
    jobs[2].delay = STRIO_MS(2);                 /* waits, then runs */
    jobs[3].opener = 1;                          /* opens the gate at 20 ms */
    jobs[3].delay = STRIO_MS(20);
    cr_assert_eq(wrunner_go(&r, &pool.workers, &kids.pool, jobs, 4), 0);
    cr_assert_eq(jobs[0].rc, 0);
    cr_assert_geq(jobs[0].done_at, STRIO_MS(20));
    cr_assert_eq(jobs[1].rc, STRIO_ECANCELED);
    cr_assert_eq(jobs[1].done_at, STRIO_MS(5));
    cr_assert_eq(atomic_load(&jobs[1].started), 0, "never ran");
    cr_assert_eq(jobs[2].rc, 0);
    cr_assert_gt(atomic_load(&jobs[2].started),
                 atomic_load(&jobs[0].finished));
    cr_assert_eq(pool.workers.completed, 2);
    cr_assert_eq(pool.workers.abandoned, 0);
    strio_workers_close(&pool.workers);
    check_closed(&pool.workers, &r.loop, 1);
    strio_poll_close(&r.io.poll);
}

/* A shielded scope makes the call uncancellable: the outer deadline
 * passes, the job still completes and reports success. */
Test(workers, shielded_call_is_not_abandoned, .timeout = 2)
{
    static STRIO_WORKERS(pool, 1, 1);
    static struct wrunner r;
    struct wt_ctx c;
    struct wt_job jobs[2];
    cr_assert_eq(wrunner_init(&r, 0), 0);
    STRIO_POOL_SETUP(kids);
    cr_assert_eq(STRIO_WORKERS_SETUP(pool, &r.loop), 0);
    wctx_init(&c);
    wjob_init(&jobs[0], &c, 0);
    wjob_init(&jobs[1], &c, 1);
    jobs[0].wait_gate = 1;
    jobs[0].timeout = STRIO_MS(5);
    jobs[0].shield = 1;
    jobs[1].opener = 1;
    jobs[1].delay = STRIO_MS(20);
    cr_assert_eq(wrunner_go(&r, &pool.workers, &kids.pool, jobs, 2), 0);
    cr_assert_eq(jobs[0].rc, 0);
    cr_assert_eq(jobs[0].caught, 0);
    cr_assert_geq(jobs[0].done_at, STRIO_MS(20));
    cr_assert_eq(jobs[0].output, 3 * 3 + 1);
    cr_assert_eq(pool.workers.abandoned, 0);
    strio_workers_close(&pool.workers);
    check_closed(&pool.workers, &r.loop, 1);
    strio_poll_close(&r.io.poll);
}

Test(workers, pool_of_another_loop_is_a_state_error, .timeout = 2)
{
    static STRIO_WORKERS(pool, 1, 1);
    static struct wrunner r, other;
    struct wt_ctx c;
    struct wt_job job;
    cr_assert_eq(wrunner_init(&r, 0), 0);
    cr_assert_eq(wrunner_init(&other, 0), 0);
    STRIO_POOL_SETUP(kids);
    cr_assert_eq(STRIO_WORKERS_SETUP(pool, &r.loop), 0);
    wctx_init(&c);
    wjob_init(&job, &c, 0);
    cr_assert_eq(wrunner_go(&other, &pool.workers, &kids.pool, &job, 1), 0);
    cr_assert_eq(job.rc, STRIO_ESTATE);
    strio_workers_close(&pool.workers);
    strio_poll_close(&r.io.poll);
    strio_poll_close(&other.io.poll);
}

/* ---- two loops, two pools, two threads ----------------------------------------------- */

struct wworld {
    STRIO_WORKERS(pool, 2, 2);
    STRIO_POOL(kids, struct wt_job_child_frame, 8);
    struct wrunner r;
    struct wt_ctx c;
    struct wt_job jobs[8];
    int rc, ret;
};

static void *wworld_main(void *arg)
{
    struct wworld *w = arg;
    w->rc = wrunner_init(&w->r, 0);
    if (w->rc < 0)
        return NULL;
    STRIO_POOL_SETUP(w->kids);
    w->rc = STRIO_WORKERS_SETUP(w->pool, &w->r.loop);
    if (w->rc < 0)
        return NULL;
    w->rc = wrunner_run(&w->r, &w->pool.workers, &w->kids.pool, w->jobs, 8,
                        &w->ret);
    strio_workers_close(&w->pool.workers);
    strio_poll_close(&w->r.io.poll);
    return NULL;
}

Test(workers, two_loops_in_two_threads, .timeout = 2)
{
    static struct wworld w[2];
    pthread_t th[2];
    for (int k = 0; k < 2; k++) {
        wctx_init(&w[k].c);
        for (int i = 0; i < 8; i++) {
            wjob_init(&w[k].jobs[i], &w[k].c, i + 10 * k);
            w[k].jobs[i].spin_us = 200;
            w[k].jobs[i].delay = STRIO_MS(i % 3);
        }
        w[k].rc = -1;
    }
    for (int k = 0; k < 2; k++)
        cr_assert_eq(pthread_create(&th[k], NULL, wworld_main, &w[k]), 0);
    for (int k = 0; k < 2; k++)
        pthread_join(th[k], NULL);
    for (int k = 0; k < 2; k++) {
        cr_assert_eq(w[k].rc, 0);
        cr_assert_eq(w[k].ret, 0);
        for (int i = 0; i < 8; i++) {
            long in = i + 10 * k + 3;
            cr_assert_eq(w[k].jobs[i].rc, 0);
            cr_assert_eq(w[k].jobs[i].output, in * in + 1);
        }
        cr_assert_eq(w[k].pool.workers.completed, 8);
        check_closed(&w[k].pool.workers, &w[k].r.loop, 2);
    }
}

/* ---- cancellation sweep ------------------------------------------------------------ */

struct sweep {
    unsigned long count, at;
    strio_nursery *nursery;
};

static void cancel_at_k(strio_loop *loop, strio_task *task, void *arg)
{
    struct sweep *s = arg;
    (void)loop;
    (void)task;
    if (++s->count == s->at)
        strio_nursery_cancel(s->nursery);
}

/* Jobs queued, waiting for slots, running and done, all cancelled at once
 * at the k-th suspension, for every k. After the loop and close: no task
 * waits, every slot is free, nothing is counted outstanding, every job
 * that started also finished, and a job whose caller saw 0 really ran. */
Test(workers, cancellation_sweep, .timeout = 2)
{
    static STRIO_WORKERS(pool, 2, 2);
    static struct wrunner r;
    enum { N = 6 };
    unsigned long total = 0, abandoned = 0, gave_up = 0;
    cr_assert_eq(wrunner_init(&r, 0), 0);
    int threads = count_threads();
    for (unsigned long k = 1;; k++) {
        struct wt_ctx c;
        struct wt_job jobs[N];
        STRIO_POOL_SETUP(kids);
        strio_vclock_init(&r.vc, 0, 1);
        strio_loop_init(&r.loop, &r.vc.clock, strio_poll_backend(&r.io.poll));
        cr_assert_eq(STRIO_WORKERS_SETUP(pool, &r.loop), 0);
        wctx_init(&c);
        for (int i = 0; i < N; i++) {
            wjob_init(&jobs[i], &c, i);
            jobs[i].spin_us = 200;
            jobs[i].delay = STRIO_MS(i % 2);
        }
        jobs[N - 1].delay = 0;
        jobs[N - 1].spin_us = 2000;
        jobs[N - 1].timeout = STRIO_MS(1);
        struct sweep s = { 0, k, &r.nursery };
        r.loop.on_suspend = cancel_at_k;
        r.loop.on_suspend_arg = &s;
        cr_assert_eq(wrunner_go(&r, &pool.workers, &kids.pool, jobs, N), 0,
                     "k=%lu", k);
        cr_assert_eq(r.loop.tasks, 0);
        cr_assert_eq(r.loop.timers.count, 0);
        cr_assert_eq(kids.pool.used, 0);
        cr_assert(strio_waitq_empty(&pool.workers.slot_waiters));
        strio_workers_close(&pool.workers);
        check_closed(&pool.workers, &r.loop, 2);
        cr_assert_eq(threads_settle(threads), threads);
        int complete = s.count < k;
        unsigned long ran = 0;
        for (int i = 0; i < N; i++) {
            struct wt_job *j = &jobs[i];
            int started = atomic_load(&j->started) != 0;
            ran += started;
            cr_assert_eq(started, atomic_load(&j->finished) != 0,
                         "k=%lu job %d started but did not finish", k, i);
            if (j->rc == 0)
                cr_assert(started && j->output == (long)(i + 3) * (i + 3) + 1,
                          "k=%lu job %d", k, i);
            else
                cr_assert(j->rc == STRIO_ECANCELED || j->rc == 12345,
                          "k=%lu job %d: %d", k, i, j->rc);
            if (complete && i < N - 1)
                cr_assert_eq(j->rc, 0, "k=%lu job %d", k, i);
        }
        cr_assert_eq(pool.workers.completed, ran, "k=%lu", k);
        abandoned += pool.workers.abandoned;
        for (int i = 0; i < N; i++)
            gave_up += jobs[i].rc == STRIO_ECANCELED &&
                       atomic_load(&jobs[i].started) == 0;
        if (complete) {
            total = s.count;
            break;
        }
        cr_assert_lt(k, 1000, "sweep does not end");
    }
    cr_assert_gt(total, 10);
    cr_assert_gt(abandoned, 0, "some runs abandoned a running job");
    cr_assert_gt(gave_up, 0, "some runs cancelled before the job started");
    cr_log_info("workers sweep: %lu cancellation points, %lu jobs abandoned, "
                "%lu cancelled before running", total, abandoned, gave_up);
    strio_poll_close(&r.io.poll);
}
