/*
 * core_test.sc -- the strio core on an emulated microcontroller (QEMU
 * mps2-an385, mps2-an386, virt; see harness.h).
 *
 * Real scenarios, run by the real loop over the bare backend: the clock is
 * a 1 kHz tick interrupt (SysTick or the CLINT timer), the loop sleeps in
 * WFI between ticks, and the tick and software interrupt handlers set
 * strio_bare_events. QEMU runs with -icount, so virtual time
 * is exact and every run prints the same thing. Exit status: 0 if every
 * check passed, 1 otherwise (3: a CPU fault). `-append --fail` adds a
 * deliberately failing check (to see the status reach the host).
 *
 *   make test-bare
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strio/bare.h>
#include <strio/strio.h>

#include "harness.h"

#define NOW() strio_task_now(STRIO_SELF)
/* Whole milliseconds since `t0` (the tick clock has 1 ms resolution). */
#define MS_SINCE(t0) ((long)((NOW() - (t0)) / STRIO_MS(1)))

/* ---- a one-slot mailbox over wait queues (loop thread only) ------------- */

struct mbox {
    int value, full;
    strio_waitq readers, writers;
};

static void mbox_init(struct mbox *m)
{
    m->full = 0;
    strio_waitq_init(&m->readers);
    strio_waitq_init(&m->writers);
}

static async int mbox_put(struct mbox *m, int v)
{
    while (m->full) {
        int rc = await park_on(&m->writers);
        if (rc < 0)
            return rc;
    }
    m->value = v;
    m->full = 1;
    strio_waitq_wake_one(&m->readers, 0);
    return 0;
}

static async int mbox_get(struct mbox *m, int *out)
{
    while (!m->full) {
        int rc = await park_on(&m->readers);
        if (rc < 0)
            return rc;
    }
    *out = m->value;
    m->full = 0;
    strio_waitq_wake_one(&m->writers, 0);
    return 0;
}

/* ---- children --------------------------------------------------------- */

static struct mbox box_ab, box_ba;
static int pings_ok, pongs;

/* Sends 0..rounds-1 and expects each back plus one. */
static async int pinger(int rounds)
{
    int v;
    for (int i = 0; i < rounds; i++) {
        int rc = await mbox_put(&box_ab, i);
        if (rc == 0)
            rc = await mbox_get(&box_ba, &v);
        if (rc < 0)
            return rc;
        pings_ok += v == i + 1;
    }
    return 0;
}

static async int ponger(int rounds)
{
    int v;
    for (int i = 0; i < rounds; i++) {
        int rc = await mbox_get(&box_ab, &v);
        if (rc == 0)
            rc = await mbox_put(&box_ba, v + 1);
        if (rc < 0)
            return rc;
        pongs++;
    }
    return 0;
}

/* The same over two events, set from the loop thread: one hop is
 * set -> notify -> the backend's wait -> the loop's hook -> wake. */
static strio_bare_event ev_ping, ev_pong;
static int ev_rounds, ev_counts_ok;

static async int ev_player(strio_bare_event *mine, strio_bare_event *theirs,
                           int rounds, int serve)
{
    for (int i = 0; i < rounds; i++) {
        if (serve)
            strio_bare_event_set(theirs);
        int n = await strio_bare_wait_event(mine);
        if (n < 0)
            return n;
        ev_counts_ok += n == 1;
        if (!serve) {
            strio_bare_event_set(theirs);
            ev_rounds++;
        }
    }
    return 0;
}

/* Sleeps `count` times for `period_ms`; counts wakeups off the exact tick. */
static int sleeper_late, sleeper_done;

static async int sleeper(int period_ms, int count)
{
    strio_time t0 = NOW();
    for (int i = 1; i <= count; i++) {
        int rc = await strio_sleep(STRIO_MS(period_ms));
        if (rc < 0)
            return rc;
        sleeper_late += MS_SINCE(t0) != (long)i * period_ms;
    }
    sleeper_done++;
    return 0;
}

/* Fails with `rc` after `ms`. */
static async int failer(int ms, int rc)
{
    int s = await strio_sleep(STRIO_MS(ms));
    return s < 0 ? s : rc;
}

/* Records what its long sleep returned, and passes it on. */
static int sib_rc[3];

static async int long_sleeper(int slot)
{
    sib_rc[slot] = await strio_sleep(STRIO_SEC(10));
    return sib_rc[slot];
}

/* Waits on an event; records the result. */
static async int event_waiter(strio_bare_event *ev, int slot)
{
    sib_rc[slot] = await strio_bare_wait_event(ev);
    return sib_rc[slot] < 0 ? sib_rc[slot] : 0;
}

/* ---- synchronisation (strio/sync.h) --------------------------------------- */

static strio_channel chan;
static unsigned chan_buf[3];
static unsigned chan_got, chan_in_order, chan_end_rc;

static async int producer(unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        int rc = await strio_channel_send(&chan, &i);
        if (rc < 0)
            return rc;
    }
    strio_channel_close_send(&chan);
    return 0;
}

static async int consumer(void)
{
    unsigned v;
    for (;;) {
        int rc = await strio_channel_receive(&chan, &v);
        if (rc == STRIO_EEND) {
            chan_end_rc = 1;
            return 0;
        }
        if (rc < 0)
            return rc;
        chan_in_order += v == chan_got;
        chan_got++;
    }
}

static strio_lock lock;
static int shared, lock_races;

/* Read, sleep holding the lock, write back: the lock keeps the three
 * workers from interleaving across the sleep. */
static async int locker(int rounds)
{
    for (int i = 0; i < rounds; i++) {
        int rc = await strio_lock_acquire(&lock);
        if (rc < 0)
            return rc;
        int seen = shared;
        rc = await strio_sleep(STRIO_MS(1));
        lock_races += shared != seen;
        shared = seen + 1;
        strio_lock_release(&lock, STRIO_SELF);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static strio_semaphore sem;
static int sem_inside, sem_most;

static async int sem_user(int hold_ms)
{
    int rc = await strio_semaphore_acquire(&sem);
    if (rc < 0)
        return rc;
    if (++sem_inside > sem_most)
        sem_most = sem_inside;
    rc = await strio_sleep(STRIO_MS(hold_ms));
    sem_inside--;
    strio_semaphore_release(&sem);
    return rc;
}

static strio_event ev;

static async int ev_setter(int ms)
{
    int rc = await strio_sleep(STRIO_MS(ms));
    strio_event_set(&ev);
    return rc;
}

union child_frame {
    struct pinger_frame ping;
    struct ponger_frame pong;
    struct ev_player_frame evp;
    struct sleeper_frame sleep;
    struct failer_frame fail;
    struct long_sleeper_frame lsleep;
    struct event_waiter_frame evw;
    struct producer_frame prod;
    struct consumer_frame cons;
    struct locker_frame lock;
    struct sem_user_frame sem;
    struct ev_setter_frame evs;
};


STRIO_POOL(kids, union child_frame, 4);

static void *take_slot(void)
{
    void *f = strio_pool_try_get(&kids.pool);
    CHECK(f != NULL);
    return f;
}

/* Starts a child whose frame `f` (from take_slot) was bound by its start
 * function; `ret` is the frame's result. */
static void spawn(strio_nursery *n, void *f, strio_resume_fn resume, int *ret)
{
    strio_nursery_start(n, &kids.pool, f, resume, ret);
}

static void spawn_pinger(strio_nursery *n, int rounds)
{
    union child_frame *f = take_slot();
    pinger_start(&f->ping, rounds);
    strio_nursery_start(n, &kids.pool, f, pinger_resume, &f->ping.strio_ret);
}

static void spawn_ponger(strio_nursery *n, int rounds)
{
    union child_frame *f = take_slot();
    ponger_start(&f->pong, rounds);
    strio_nursery_start(n, &kids.pool, f, ponger_resume, &f->pong.strio_ret);
}

static void spawn_ev_player(strio_nursery *n, strio_bare_event *mine,
                            strio_bare_event *theirs, int rounds, int serve)
{
    union child_frame *f = take_slot();
    ev_player_start(&f->evp, mine, theirs, rounds, serve);
    strio_nursery_start(n, &kids.pool, f, ev_player_resume,
                        &f->evp.strio_ret);
}

static void spawn_sleeper(strio_nursery *n, int period_ms, int count)
{
    union child_frame *f = take_slot();
    sleeper_start(&f->sleep, period_ms, count);
    strio_nursery_start(n, &kids.pool, f, sleeper_resume,
                        &f->sleep.strio_ret);
}

static void spawn_failer(strio_nursery *n, int ms, int rc)
{
    union child_frame *f = take_slot();
    failer_start(&f->fail, ms, rc);
    strio_nursery_start(n, &kids.pool, f, failer_resume, &f->fail.strio_ret);
}

static void spawn_long_sleeper(strio_nursery *n, int slot)
{
    union child_frame *f = take_slot();
    long_sleeper_start(&f->lsleep, slot);
    strio_nursery_start(n, &kids.pool, f, long_sleeper_resume,
                        &f->lsleep.strio_ret);
}

static void spawn_event_waiter(strio_nursery *n, strio_bare_event *ev,
                               int slot)
{
    union child_frame *f = take_slot();
    event_waiter_start(&f->evw, ev, slot);
    strio_nursery_start(n, &kids.pool, f, event_waiter_resume,
                        &f->evw.strio_ret);
}

/* ---- scenarios ------------------------------------------------------------ */

#define ROUNDS 1000

static async void test_pingpong(void)
{
    strio_nursery n;
    strio_time t0 = NOW();
    unsigned long sw0 = board_loop.switches;
    mbox_init(&box_ab);
    mbox_init(&box_ba);
    strio_nursery_open(STRIO_SELF, &n);
    spawn_pinger(&n, ROUNDS);
    spawn_ponger(&n, ROUNDS);
    int rc = await strio_nursery_close(&n, 0);
    unsigned long sw = board_loop.switches - sw0;
    printf("pingpong: rc=%d rounds=%d/%d switches=%lu elapsed=%ld ms\n", rc,
           pings_ok, ROUNDS, sw, MS_SINCE(t0));
    CHECK_EQ(rc, 0);
    CHECK_EQ(pings_ok, ROUNDS);
    CHECK_EQ(pongs, ROUNDS);
    CHECK(sw >= 2 * ROUNDS);
    CHECK_EQ(kids.pool.used, 0);
}

static async void test_event_pingpong(void)
{
    strio_nursery n;
    unsigned long s0 = board_sleeps();
    strio_bare_event_init(&ev_ping, &board_bare);
    strio_bare_event_init(&ev_pong, &board_bare);
    strio_nursery_open(STRIO_SELF, &n);
    spawn_ev_player(&n, &ev_pong, &ev_ping, 200, 1);
    spawn_ev_player(&n, &ev_ping, &ev_pong, 200, 0);
    int rc = await strio_nursery_close(&n, 0);
    printf("event_pingpong: rc=%d rounds=%d counts_ok=%d sleeps=%lu\n", rc,
           ev_rounds, ev_counts_ok, board_sleeps() - s0);
    CHECK_EQ(rc, 0);
    CHECK_EQ(ev_rounds, 200);
    CHECK_EQ(ev_counts_ok, 400);
    CHECK_EQ(board_bare.waiters, 0);
}

static async void test_sleep(void)
{
    /* One task: 100 ms of SysTick, slept in WFI, not spun. */
    strio_time t0 = NOW();
    unsigned ticks0 = board_ticks();
    unsigned long s0 = board_sleeps();
    int rc = await strio_sleep(STRIO_MS(100));
    unsigned ticks = board_ticks() - ticks0;
    unsigned long sleeps = board_sleeps() - s0;
    printf("sleep: rc=%d elapsed=%ld ms ticks=%u wfi=%lu\n", rc, MS_SINCE(t0),
           ticks, sleeps);
    CHECK_EQ(rc, 0);
    CHECK_EQ(MS_SINCE(t0), 100);
    CHECK_EQ(ticks, 100);
    CHECK(sleeps >= 99 && sleeps <= 101);

    /* Two sleepers side by side: every wakeup on its exact tick. */
    strio_nursery n;
    t0 = NOW();
    strio_nursery_open(STRIO_SELF, &n);
    spawn_sleeper(&n, 5, 10);
    spawn_sleeper(&n, 13, 4);
    rc = await strio_nursery_close(&n, 0);
    printf("sleepers: rc=%d done=%d late=%d elapsed=%ld ms\n", rc,
           sleeper_done, sleeper_late, MS_SINCE(t0));
    CHECK_EQ(rc, 0);
    CHECK_EQ(sleeper_done, 2);
    CHECK_EQ(sleeper_late, 0);
    CHECK_EQ(MS_SINCE(t0), 52);

    /* Zero and negative durations are checkpoints. */
    t0 = NOW();
    rc = await strio_sleep(0);
    CHECK_EQ(rc, 0);
    rc = await strio_sleep(-STRIO_MS(5));
    CHECK_EQ(rc, 0);
    CHECK_EQ(MS_SINCE(t0), 0);
}

static strio_bare_event never;

static async void test_cancel_deadline(void)
{
    strio_cancel_scope sc, inner;
    strio_time t0 = NOW();

    strio_move_on_after(STRIO_SELF, &sc, STRIO_MS(30));
    int rc = await strio_sleep(STRIO_SEC(10));
    CHECK_EQ(rc, STRIO_ECANCELED);
    rc = strio_scope_exit(&sc, rc);
    printf("move_on_after: rc=%d caught=%d elapsed=%ld ms\n", rc,
           sc.cancelled_caught, MS_SINCE(t0));
    CHECK_EQ(rc, 0);
    CHECK(sc.cancelled_caught);
    CHECK_EQ(MS_SINCE(t0), 30);

    t0 = NOW();
    strio_fail_after(STRIO_SELF, &sc, STRIO_MS(20));
    rc = await strio_sleep(STRIO_SEC(10));
    rc = strio_scope_exit(&sc, rc);
    printf("fail_after: rc=%d elapsed=%ld ms\n", rc, MS_SINCE(t0));
    CHECK_EQ(rc, STRIO_ETIMEDOUT);
    CHECK_EQ(MS_SINCE(t0), 20);

    /* Work that finishes first: no cancellation, deadline disarmed. */
    t0 = NOW();
    strio_move_on_after(STRIO_SELF, &sc, STRIO_MS(50));
    rc = await strio_sleep(STRIO_MS(5));
    rc = strio_scope_exit(&sc, rc);
    CHECK_EQ(rc, 0);
    CHECK(!sc.cancelled_caught);
    CHECK_EQ(MS_SINCE(t0), 5);
    CHECK_EQ(board_loop.timers.count, 0);

    /* Nested: the outer deadline comes first; only the outer scope
     * catches it. */
    t0 = NOW();
    strio_move_on_after(STRIO_SELF, &sc, STRIO_MS(10));
    strio_move_on_after(STRIO_SELF, &inner, STRIO_MS(100));
    rc = await strio_sleep(STRIO_SEC(10));
    rc = strio_scope_exit(&inner, rc);
    CHECK_EQ(rc, STRIO_ECANCELED);
    CHECK(!inner.cancelled_caught);
    rc = strio_scope_exit(&sc, rc);
    CHECK_EQ(rc, 0);
    CHECK(sc.cancelled_caught);
    CHECK_EQ(MS_SINCE(t0), 10);

    /* A deadline around an event no ISR ever sets. */
    t0 = NOW();
    strio_bare_event_init(&never, &board_bare);
    strio_move_on_after(STRIO_SELF, &sc, STRIO_MS(15));
    rc = await strio_bare_wait_event(&never);
    rc = strio_scope_exit(&sc, rc);
    printf("event deadline: rc=%d caught=%d elapsed=%ld ms waiters=%u\n", rc,
           sc.cancelled_caught, MS_SINCE(t0), board_bare.waiters);
    CHECK_EQ(rc, 0);
    CHECK(sc.cancelled_caught);
    CHECK_EQ(MS_SINCE(t0), 15);
    CHECK_EQ(board_bare.waiters, 0);
}

static async void test_nursery_failure(void)
{
    strio_nursery n;
    strio_time t0 = NOW();
    for (int i = 0; i < 3; i++)
        sib_rc[i] = 1;
    strio_nursery_open(STRIO_SELF, &n);
    spawn_long_sleeper(&n, 0);
    spawn_long_sleeper(&n, 1);
    spawn_event_waiter(&n, &never, 2);
    spawn_failer(&n, 20, -EIO);
    int rc = await strio_nursery_close(&n, 0);
    printf("nursery failure: rc=%d siblings=%d,%d,%d elapsed=%ld ms\n", rc,
           sib_rc[0], sib_rc[1], sib_rc[2], MS_SINCE(t0));
    CHECK_EQ(rc, -EIO);
    CHECK_EQ(n.more_errors, 0);
    CHECK_EQ(sib_rc[0], STRIO_ECANCELED);
    CHECK_EQ(sib_rc[1], STRIO_ECANCELED);
    CHECK_EQ(sib_rc[2], STRIO_ECANCELED);
    CHECK_EQ(MS_SINCE(t0), 20);
    CHECK_EQ(kids.pool.used, 0);
    CHECK_EQ(board_bare.waiters, 0);
    CHECK_EQ(board_loop.timers.count, 0);
    CHECK_EQ(board_loop.tasks, 1);
}

static strio_bare_event tick_event;

static async void test_isr_event(void)
{
    /* SysTick's handler sets the event every 7th tick, 5 times. */
    unsigned wake[5], base;
    int counts_ok = 0, i;
    strio_bare_event_init(&tick_event, &board_bare);
    base = board_ticks();
    board_isr_arm(&tick_event, 7, 5);
    for (i = 0; i < 5; i++) {
        int n = await strio_bare_wait_event(&tick_event);
        wake[i] = board_ticks() - base;
        counts_ok += n == 1;
    }
    printf("isr event: woke at +%u +%u +%u +%u +%u ticks, counts_ok=%d\n",
           wake[0], wake[1], wake[2], wake[3], wake[4], counts_ok);
    CHECK_EQ(counts_ok, 5);
    for (i = 0; i < 5; i++)
        CHECK_EQ(wake[i], 7 * (i + 1));
    CHECK_EQ(board_isr_sets(), 5);

    /* Sets made while nobody waits are kept and counted. */
    board_isr_arm(&tick_event, 1, 3);
    int rc = await strio_sleep(STRIO_MS(10));
    base = board_ticks();
    int n = await strio_bare_wait_event(&tick_event);
    printf("isr event coalesced: n=%d after %u ticks\n", n,
           board_ticks() - base);
    CHECK_EQ(rc, 0);
    CHECK_EQ(n, 3);
    CHECK_EQ(board_ticks() - base, 0);

    /* A second waiter gets STRIO_EBUSY; the first still gets the set. */
    strio_nursery nur;
    sib_rc[0] = 1;
    strio_nursery_open(STRIO_SELF, &nur);
    spawn_event_waiter(&nur, &tick_event, 0);
    rc = await strio_checkpoint();          /* let the child park */
    CHECK_EQ(rc, 0);
    n = await strio_bare_wait_event(&tick_event);
    CHECK_EQ(n, STRIO_EBUSY);
    board_isr_arm(&tick_event, 3, 1);
    rc = await strio_nursery_close(&nur, 0);
    CHECK_EQ(rc, 0);
    CHECK_EQ(sib_rc[0], 1);

    /* An ISR set beats a deadline. */
    strio_time t0 = NOW();
    strio_cancel_scope sc;
    board_isr_arm(&tick_event, 4, 1);
    strio_move_on_after(STRIO_SELF, &sc, STRIO_MS(50));
    n = await strio_bare_wait_event(&tick_event);
    rc = strio_scope_exit(&sc, n);
    CHECK_EQ(rc, 1);
    CHECK(!sc.cancelled_caught);
    CHECK_EQ(MS_SINCE(t0), 4);

    /* In a cancelled scope it takes nothing. */
    board_isr_arm(&tick_event, 1, 1);
    rc = await strio_sleep(STRIO_MS(3));
    strio_move_on_after(STRIO_SELF, &sc, 0);
    n = await strio_bare_wait_event(&tick_event);
    rc = strio_scope_exit(&sc, n);
    CHECK_EQ(n, STRIO_ECANCELED);
    CHECK_EQ(rc, 0);
    n = await strio_bare_wait_event(&tick_event);
    CHECK_EQ(n, 1);
}

static async void test_sync(void)
{
    strio_nursery n;
    union child_frame *f;
    strio_time t0 = NOW();

    /* A channel of capacity 3: 200 values in order, then end of channel. */
    strio_channel_init(&chan, chan_buf, sizeof chan_buf[0], 3);
    strio_nursery_open(STRIO_SELF, &n);
    f = take_slot();
    consumer_start(&f->cons);
    spawn(&n, f, consumer_resume, &f->cons.strio_ret);
    f = take_slot();
    producer_start(&f->prod, 200);
    spawn(&n, f, producer_resume, &f->prod.strio_ret);
    int rc = await strio_nursery_close(&n, 0);
    printf("channel: rc=%d got=%u in_order=%u end=%u\n", rc, chan_got,
           chan_in_order, chan_end_rc);
    CHECK_EQ(rc, 0);
    CHECK_EQ(chan_got, 200);
    CHECK_EQ(chan_in_order, 200);
    CHECK_EQ(chan_end_rc, 1);

    /* A lock held across sleeps by three workers, 10 rounds each. */
    t0 = NOW();
    strio_lock_init(&lock);
    strio_nursery_open(STRIO_SELF, &n);
    for (int i = 0; i < 3; i++) {
        f = take_slot();
        locker_start(&f->lock, 10);
        spawn(&n, f, locker_resume, &f->lock.strio_ret);
    }
    rc = await strio_nursery_close(&n, 0);
    printf("lock: rc=%d shared=%d races=%d elapsed=%ld ms\n", rc, shared,
           lock_races, MS_SINCE(t0));
    CHECK_EQ(rc, 0);
    CHECK_EQ(shared, 30);
    CHECK_EQ(lock_races, 0);
    CHECK_EQ(MS_SINCE(t0), 30);             /* serialised: 30 x 1 ms */
    CHECK(!strio_lock_locked(&lock));

    /* A semaphore of 2 permits, 4 users holding it 5 ms each. */
    t0 = NOW();
    strio_semaphore_init(&sem, 2, STRIO_SEMAPHORE_NO_MAX);
    strio_nursery_open(STRIO_SELF, &n);
    for (int i = 0; i < 4; i++) {
        f = take_slot();
        sem_user_start(&f->sem, 5);
        spawn(&n, f, sem_user_resume, &f->sem.strio_ret);
    }
    rc = await strio_nursery_close(&n, 0);
    printf("semaphore: rc=%d most inside=%d elapsed=%ld ms\n", rc, sem_most,
           MS_SINCE(t0));
    CHECK_EQ(rc, 0);
    CHECK_EQ(sem_most, 2);
    CHECK_EQ(MS_SINCE(t0), 10);
    CHECK_EQ(strio_semaphore_value(&sem), 2);

    /* An event: a wait under a deadline times out; then another task's
     * set wakes it. */
    strio_cancel_scope sc;
    t0 = NOW();
    strio_event_init(&ev);
    strio_move_on_after(STRIO_SELF, &sc, STRIO_MS(10));
    rc = await strio_event_wait(&ev);
    rc = strio_scope_exit(&sc, rc);
    CHECK_EQ(rc, 0);
    CHECK(sc.cancelled_caught);
    CHECK_EQ(MS_SINCE(t0), 10);
    t0 = NOW();
    strio_nursery_open(STRIO_SELF, &n);
    f = take_slot();
    ev_setter_start(&f->evs, 4);
    spawn(&n, f, ev_setter_resume, &f->evs.strio_ret);
    rc = await strio_event_wait(&ev);
    int rc2 = await strio_nursery_close(&n, 0);
    printf("event: rc=%d set=%d after %ld ms\n", rc, strio_event_is_set(&ev),
           MS_SINCE(t0));
    CHECK_EQ(rc, 0);
    CHECK_EQ(rc2, 0);
    CHECK_EQ(MS_SINCE(t0), 4);
    CHECK_EQ(kids.pool.used, 0);
}

static strio_bare_event soft_event;

/* A real interrupt handler wakes a parked task: another task pends the
 * software interrupt (NVIC STIR / CLINT MSIP) while the first waits; the
 * handler runs as an exception and sets the event. */
static int soft_rc[2];

static async int soft_waiter(strio_bare_event *ev, int slot)
{
    soft_rc[slot] = await strio_bare_wait_event(ev);
    return soft_rc[slot] < 0 ? soft_rc[slot] : 0;
}

static async int soft_pender(strio_bare_event *ev, int delay_ms)
{
    int rc = await strio_sleep(STRIO_MS(delay_ms));
    if (rc == 0)
        board_soft_irq(ev);
    return rc;
}

union soft_frame {
    struct soft_waiter_frame w;
    struct soft_pender_frame p;
};

STRIO_POOL(soft_kids, union soft_frame, 2);

static async void test_soft_irq(void)
{
    strio_nursery n;
    union soft_frame *f;
    unsigned irqs0 = board_soft_irqs();
    strio_time t0 = NOW();
    strio_bare_event_init(&soft_event, &board_bare);
    soft_rc[0] = 99;
    strio_nursery_open(STRIO_SELF, &n);
    f = strio_pool_try_get(&soft_kids.pool);
    soft_waiter_start(&f->w, &soft_event, 0);
    strio_nursery_start(&n, &soft_kids.pool, f, soft_waiter_resume,
                        &f->w.strio_ret);
    f = strio_pool_try_get(&soft_kids.pool);
    soft_pender_start(&f->p, &soft_event, 9);
    strio_nursery_start(&n, &soft_kids.pool, f, soft_pender_resume,
                        &f->p.strio_ret);
    int rc = await strio_nursery_close(&n, 0);
    printf("soft irq: rc=%d waiter got %d after %ld ms, handler ran %u "
           "times\n", rc, soft_rc[0], MS_SINCE(t0), board_soft_irqs() - irqs0);
    CHECK_EQ(rc, 0);
    CHECK_EQ(soft_rc[0], 1);
    CHECK_EQ(MS_SINCE(t0), 9);
    CHECK_EQ(board_soft_irqs() - irqs0, 1);

    /* From the task itself: the handler runs before the pend returns; the
     * set is kept until the wait takes it. */
    board_soft_irq(&soft_event);
    CHECK_EQ(board_soft_irqs() - irqs0, 2);
    int got = await strio_bare_wait_event(&soft_event);
    CHECK_EQ(got, 1);
    CHECK_EQ(board_bare.waiters, 0);
}

static async int run_all(void)
{
    await test_pingpong();
    await test_event_pingpong();
    await test_sleep();
    await test_cancel_deadline();
    await test_nursery_failure();
    await test_isr_event();
    await test_soft_irq();
    await test_sync();
    return 0;
}

static struct run_all_frame root_frame;
static strio_task root;

void core_tests(void)
{
    STRIO_POOL_SETUP(kids);
    STRIO_POOL_SETUP(soft_kids);
    run_all_start(&root_frame);
    strio_task_init(&root, run_all_resume, &root_frame, &root_frame.strio_ret);
    int rc = strio_loop_run(&board_loop, &root);
    printf("core: rc=%d switches=%lu ticks=%u wfi=%lu root frame=%u bytes "
           "pool=%u bytes\n",
           rc, board_loop.switches, board_ticks(), board_sleeps(),
           (unsigned)sizeof root_frame, (unsigned)sizeof kids);
    CHECK_EQ(rc, 0);
    CHECK_EQ(root_frame.strio_ret, 0);
}
