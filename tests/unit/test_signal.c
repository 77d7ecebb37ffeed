/*
 * Signal receivers (runtime/src/signal.c): batching and coalescing,
 * restoring the previous actions, ownership across receivers and loops,
 * wakeups from other threads, close, and the cancellation sweep. Criterion
 * runs each test in a process of its own, so handlers never leak between
 * tests; every test still closes what it opens.
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/signal.h>

#include "proc_tasks.h"
#include "sweep.h"

static STRIO_POLL(io, 16);
static strio_clock mono;
static strio_loop loop;

static void setup(void)
{
    strio_monotonic_clock_init(&mono);
    cr_assert_eq(STRIO_POLL_SETUP(io), 0);
    strio_loop_init(&loop, &mono, strio_poll_backend(&io.poll));
}

static void teardown(void)
{
    strio_poll_close(&io.poll);
}

TestSuite(signal, .init = setup, .fini = teardown, .timeout = 5);

#define RUN_ON(lp, fn, frame, ...)                                           \
    ({                                                                       \
        strio_task t_;                                                       \
        fn##_start(&(frame), __VA_ARGS__);                                   \
        strio_task_init(&t_, fn##_resume, &(frame), &(frame).strio_ret);     \
        int lrc_ = strio_loop_run((lp), &t_);                                \
        cr_assert_eq(lrc_, 0, "loop: %s", strio_strerror(lrc_));             \
        (frame).strio_ret;                                                   \
    })
#define RUN(fn, frame, ...) RUN_ON(&loop, fn, frame, __VA_ARGS__)

static sigset_t set_of(int a, int b)
{
    sigset_t s;
    sigemptyset(&s);
    if (a > 0)
        sigaddset(&s, a);
    if (b > 0)
        sigaddset(&s, b);
    return s;
}

static volatile sig_atomic_t custom_hits;
static void custom_handler(int sig)
{
    (void)sig;
    custom_hits++;
}

Test(signal, several_signals_coalesce_into_one_batch)
{
    static strio_signal_receiver r;
    static struct sg_receive_frame f;
    static struct sg_receive_timeout_frame g;
    sigset_t set = set_of(SIGUSR1, SIGUSR2), got;
    cr_assert_eq(strio_signal_receiver_open(&r, &loop, &set), 0);
    for (int i = 0; i < 5; i++)
        raise(SIGUSR1);
    raise(SIGUSR2);
    raise(SIGUSR2);
    strio_task t;
    sg_receive_start(&f, &r, &got);
    strio_task_init(&t, sg_receive_resume, &f, &f.strio_ret);
    cr_assert_eq(strio_loop_run(&loop, &t), 0);
    int n = f.strio_ret;
    cr_assert_eq(n, 2, "two distinct signals, each once");
    cr_assert_eq(t.switches, 1, "already there: still one checkpoint");
    cr_assert_eq(sigismember(&got, SIGUSR1), 1);
    cr_assert_eq(sigismember(&got, SIGUSR2), 1);
    cr_assert_eq(sigismember(&got, SIGINT), 0);
    cr_assert_eq(r.received, 2);

    /* nothing new: a receive with a deadline times out, takes nothing */
    int count = -1;
    int rc = RUN(sg_receive_timeout, g, &r, &got, STRIO_MS(20), &count);
    cr_assert_eq(rc, 0);
    cr_assert_eq(count, 0);

    /* the next batch holds only what came since; a receive cancelled at
     * once (deadline already passed) takes nothing */
    raise(SIGUSR2);
    rc = RUN(sg_receive_timeout, g, &r, &got, 0, &count);
    cr_assert_eq(rc, 0);
    cr_assert_eq(count, 0);
    n = RUN(sg_receive, f, &r, &got);
    cr_assert_eq(n, 1);
    cr_assert_eq(sigismember(&got, SIGUSR1), 0);
    cr_assert_eq(sigismember(&got, SIGUSR2), 1);
    strio_signal_receiver_close(&r);
}

Test(signal, previous_handlers_restored_on_close)
{
    static strio_signal_receiver r;
    struct sigaction custom, now;
    memset(&custom, 0, sizeof custom);
    custom.sa_handler = custom_handler;
    custom.sa_flags = SA_NODEFER;
    sigemptyset(&custom.sa_mask);
    sigaddset(&custom.sa_mask, SIGHUP);
    cr_assert_eq(sigaction(SIGUSR1, &custom, NULL), 0);
    struct sigaction dfl = { .sa_handler = SIG_DFL };
    cr_assert_eq(sigaction(SIGWINCH, &dfl, NULL), 0);

    sigset_t set = set_of(SIGUSR1, SIGWINCH);
    cr_assert_eq(strio_signal_receiver_open(&r, &loop, &set), 0);
    sigaction(SIGUSR1, NULL, &now);
    cr_assert_neq(now.sa_handler, custom_handler, "ours while open");
    raise(SIGUSR1);
    cr_assert_eq(custom_hits, 0, "the receiver got it, not the old handler");
    strio_signal_receiver_close(&r);
    strio_signal_receiver_close(&r);          /* idempotent */

    sigaction(SIGUSR1, NULL, &now);
    cr_assert_eq(now.sa_handler, custom_handler);
    cr_assert(now.sa_flags & SA_NODEFER);
    cr_assert_eq(sigismember(&now.sa_mask, SIGHUP), 1);
    sigaction(SIGWINCH, NULL, &now);
    cr_assert_eq(now.sa_handler, SIG_DFL);
    raise(SIGUSR1);
    cr_assert_eq(custom_hits, 1, "the old handler is back");
}

Test(signal, ownership_and_errors)
{
    static strio_signal_receiver a, b, c;
    sigset_t s1 = set_of(SIGUSR1, SIGUSR2);
    sigset_t s2 = set_of(SIGUSR2, SIGWINCH);
    sigset_t s3 = set_of(SIGWINCH, 0);
    sigset_t empty = set_of(0, 0), kill9 = set_of(SIGKILL, 0);
    cr_assert_eq(strio_signal_receiver_open(&a, &loop, &s1), 0);
    cr_assert_eq(strio_signal_receiver_open(&b, &loop, &s2), STRIO_EBUSY);
    /* b's failure changed nothing: SIGWINCH is still free */
    cr_assert_eq(strio_signal_receiver_open(&c, &loop, &s3), 0);
    strio_signal_receiver_close(&c);
    cr_assert_eq(strio_signal_receiver_open(&b, &loop, &empty), -EINVAL);
    cr_assert_eq(strio_signal_receiver_open(&b, &loop, &kill9), -EINVAL);
    strio_loop nobackend;
    strio_loop_init(&nobackend, &mono, NULL);
    cr_assert_eq(strio_signal_receiver_open(&b, &nobackend, &s3), -EINVAL);
    strio_signal_receiver_close(&a);
    /* released: another receiver may take them now */
    cr_assert_eq(strio_signal_receiver_open(&b, &loop, &s2), 0);
    strio_signal_receiver_close(&b);

    /* receive after close */
    static struct sg_receive_frame f;
    sigset_t got;
    cr_assert_eq(RUN(sg_receive, f, &b, &got), STRIO_ECLOSED);
}

Test(signal, close_wakes_pending_receive)
{
    static strio_signal_receiver r;
    static struct sg_close_wakes_frame f;
    sigset_t set = set_of(SIGUSR1, 0), got;
    int res = 0;
    cr_assert_eq(strio_signal_receiver_open(&r, &loop, &set), 0);
    cr_assert_eq(RUN(sg_close_wakes, f, &r, &got, &res), 0);
    cr_assert_eq(res, STRIO_ECLOSED);
}

/* ---- other threads and other loops ------------------------------------------------ */

struct kicker {
    pthread_t target;
    int sig;
    int process_wide;
};

static void *kick(void *arg)
{
    struct kicker *k = arg;
    struct timespec ts = { 0, 10 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    if (k->process_wide)
        kill(getpid(), k->sig);
    else
        pthread_kill(k->target, k->sig);
    return NULL;
}

Test(signal, wakeup_from_another_thread)
{
    static strio_signal_receiver r;
    static struct sg_receive_frame f;
    sigset_t set = set_of(SIGUSR1, 0), got;
    cr_assert_eq(strio_signal_receiver_open(&r, &loop, &set), 0);
    struct kicker k = { .sig = SIGUSR1, .process_wide = 1 };
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, kick, &k), 0);
    /* the task parks first (nothing pending); the handler (whichever
     * thread runs it) wakes the loop */
    int n = RUN(sg_receive, f, &r, &got);
    pthread_join(th, NULL);
    cr_assert_eq(n, 1);
    cr_assert_eq(sigismember(&got, SIGUSR1), 1);
    strio_signal_receiver_close(&r);
}

/* A second loop on its own thread, with its own receiver. */
struct other {
    STRIO_POLL(io, 4);
    strio_loop loop;
    strio_signal_receiver r;
    struct sg_receive_frame f;
    sigset_t got;
    int n;
    pthread_barrier_t ready;
};

static void *other_main(void *arg)
{
    struct other *o = arg;
    strio_task t;
    sigset_t set = set_of(SIGUSR2, 0);
    STRIO_POLL_SETUP(o->io);
    strio_loop_init(&o->loop, &mono, strio_poll_backend(&o->io.poll));
    int rc = strio_signal_receiver_open(&o->r, &o->loop, &set);
    pthread_barrier_wait(&o->ready);
    if (rc == 0) {
        sg_receive_start(&o->f, &o->r, &o->got);
        strio_task_init(&t, sg_receive_resume, &o->f, &o->f.strio_ret);
        strio_loop_run(&o->loop, &t);
        o->n = o->f.strio_ret;
        strio_signal_receiver_close(&o->r);
    } else {
        o->n = rc;
    }
    strio_poll_close(&o->io.poll);
    return NULL;
}

Test(signal, two_loops_two_receivers)
{
    static struct other o;
    static strio_signal_receiver r;
    static struct sg_receive_frame f;
    sigset_t set = set_of(SIGUSR1, 0), got;
    pthread_t th;
    pthread_barrier_init(&o.ready, NULL, 2);
    cr_assert_eq(pthread_create(&th, NULL, other_main, &o), 0);
    pthread_barrier_wait(&o.ready);
    cr_assert_eq(strio_signal_receiver_open(&r, &loop, &set), 0);
    /* SIGUSR2 is the other loop's: ours cannot take it */
    sigset_t theirs = set_of(SIGUSR2, 0);
    static strio_signal_receiver x;
    cr_assert_eq(strio_signal_receiver_open(&x, &loop, &theirs), STRIO_EBUSY);
    /* process-wide signals, delivered to whichever thread: each receiver
     * wakes its own loop */
    kill(getpid(), SIGUSR2);
    kill(getpid(), SIGUSR1);
    int n = RUN(sg_receive, f, &r, &got);
    pthread_join(th, NULL);
    cr_assert_eq(n, 1);
    cr_assert_eq(sigismember(&got, SIGUSR1), 1);
    cr_assert_eq(sigismember(&got, SIGUSR2), 0);
    cr_assert_eq(o.n, 1);
    cr_assert_eq(sigismember(&o.got, SIGUSR2), 1);
    cr_assert_eq(sigismember(&o.got, SIGUSR1), 0);
    strio_signal_receiver_close(&r);
    pthread_barrier_destroy(&o.ready);
}

/* ---- cancellation sweep ----------------------------------------------------------- */

static struct sg_sweep sw;
static strio_signal_receiver sweep_r;

static int sweep_scenario(struct sweep_run *run)
{
    static struct sg_sweep_receive_frame f;
    strio_task t;
    sigset_t set = set_of(SIGUSR1, 0);
    run->loop.backend = strio_poll_backend(&io.poll);
    cr_assert_eq(strio_signal_receiver_open(&sweep_r, &run->loop, &set), 0);
    memset(&sw.got, 0, sizeof sw.got);
    sw.r = &sweep_r;
    sw.sig = SIGUSR1;
    sw.rc = sw.exit_rc = 99;
    sg_sweep_receive_start(&f, &run->target, &sw);
    strio_task_init(&t, sg_sweep_receive_resume, &f, &f.strio_ret);
    int rc = strio_loop_run(&run->loop, &t);
    cr_assert_eq(f.strio_ret, 0);
    strio_signal_receiver_close(&sweep_r);
    return rc;
}

static void sweep_check(struct sweep_run *run)
{
    cr_assert_eq(sw.exit_rc, 0, "k=%lu: %s", run->k,
                 strio_strerror(sw.exit_rc));
    cr_assert_eq(run->loop.hook_busy, 0, "k=%lu: loop left busy", run->k);
    if (!run->cancelled || sw.rc > 0) {
        cr_assert_eq(sw.rc, 1, "k=%lu: %d", run->k, sw.rc);
        cr_assert_eq(sigismember(&sw.got, SIGUSR1), 1);
    } else {
        cr_assert_eq(sw.rc, STRIO_ECANCELED, "k=%lu", run->k);
    }
}

Test(signal, sweep_receive)
{
    struct sweep s = { .name = "signal receive", .scenario = sweep_scenario,
                       .check = sweep_check };
    unsigned long runs = sweep_cancellation(&s);
    cr_log_info("signal receive sweep: %lu runs", runs);
    cr_assert_geq(runs, 2);
}
