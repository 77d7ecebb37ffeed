/*
 * Event, Lock, Semaphore and Channel (strio/sync.h).
 *
 * The task logic is in sync_tasks.sc (annotated C); each test here runs
 * one of its roots on a loop with an autojumping virtual clock and checks
 * what the tasks logged in a `struct sync_ctx`. Plain-C parts of the API
 * (try_*, release, close, init) are also tested directly.
 *
 * Common invariants after every run: the loop returned 0 (no deadlock),
 * no task is left (loop.tasks == 0) and every pool slot came back.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include <strio/strio.h>

#include "sync_tasks.h"

/* Plain C functions of sync_tasks.sc (the generated header only carries
 * its types and async functions). */
void sync_pool_reset(void);
unsigned sync_pool_used(void);
void sync_ctx_init(struct sync_ctx *c, size_t capacity);

static strio_vclock vc;
static strio_loop loop;
static struct sync_ctx C;

/* Counts suspensions; at the k-th one (k > 0), or at every one if
 * `always`, cancels C.sweep_scope (when set). */
static struct {
    unsigned long n, k;
    int always;
    int fired;
} susp;

static void on_suspend(strio_loop *l, strio_task *t, void *arg)
{
    (void)l;
    (void)t;
    (void)arg;
    ++susp.n;
    if ((susp.always || susp.n == susp.k) && C.sweep_scope != NULL) {
        strio_scope_cancel(C.sweep_scope);
        susp.fired = 1;
    }
}

/* A fresh loop, clock, context (channel of `capacity`) and pool. */
static void fresh(size_t capacity)
{
    strio_vclock_init(&vc, 0, 1);
    strio_loop_init(&loop, &vc.clock, NULL);
    loop.on_suspend = on_suspend;
    loop.on_suspend_arg = NULL;
    susp.n = susp.k = 0;
    susp.always = susp.fired = 0;
    sync_ctx_init(&C, capacity);
}

/* Runs root `fn(args...)` to completion and checks the common invariants
 * and the root's result. */
#define RUN(expect, fn, ...)                                              \
    do {                                                                  \
        static struct fn##_frame fr_;                                     \
        strio_task t_;                                                    \
        fn##_start(&fr_, __VA_ARGS__);                                    \
        strio_task_init(&t_, fn##_resume, &fr_, &fr_.strio_ret);          \
        int rc_ = strio_loop_run(&loop, &t_);                             \
        cr_assert_eq(rc_, 0, #fn ": loop returned %d (%s)", rc_,          \
                     strio_strerror(rc_));                                \
        cr_assert_eq(fr_.strio_ret, (expect), #fn " returned %d",         \
                     fr_.strio_ret);                                      \
        cr_assert_eq(loop.tasks, 0, #fn ": %lu tasks left", loop.tasks);  \
        cr_assert_eq(sync_pool_used(), 0, #fn ": pool slots leaked");     \
    } while (0)

static void assert_log(const int *want, int n)
{
    cr_assert_eq(C.nlog, n, "log has %d entries, want %d", C.nlog, n);
    for (int i = 0; i < n; i++)
        cr_assert_eq(C.log[i], want[i], "log[%d] = %d, want %d", i,
                     C.log[i], want[i]);
}

/* ======================================================================== */
/* Event                                                                    */
/* ======================================================================== */

Test(sync_event, set_wakes_all_waiters_in_fifo_order)
{
    fresh(1);
    RUN(0, root_event_wake_all, &C, 6);
    cr_assert_eq(C.r[0], 0);
    cr_assert_eq(C.waiting[0], 6, "6 waiters parked");
    cr_assert_eq(C.r[1], 0, "nobody woke before the set");
    cr_assert_eq(C.waiting[1], 0, "set empties the queue");
    const int want[] = { 0, 1, 2, 3, 4, 5 };
    assert_log(want, 6);
    for (int i = 0; i < 6; i++)
        cr_assert_eq(C.results[i], 0);
    cr_assert(strio_event_is_set(&C.ev));
}

Test(sync_event, set_before_wait_returns_after_one_yield)
{
    fresh(1);
    RUN(0, root_event_set_before, &C);
    cr_assert_eq(C.r[0], 0);
    cr_assert_eq(C.r[1], 0);
    cr_assert_eq(susp.n, 2, "each wait on a set event is one checkpoint, "
                 "got %lu suspensions", susp.n);
}

Test(sync_event, cancelled_waiter_leaves_the_queue)
{
    fresh(1);
    RUN(0, root_event_cancel, &C);
    cr_assert_eq(C.waiting[0], 2);
    cr_assert_eq(C.waiting[1], 1, "cancel takes the waiter out at once");
    cr_assert_eq(C.results[0], STRIO_ECANCELED);
    cr_assert_eq(C.results[1], 0);
    const int want[] = { 1 };
    assert_log(want, 1);
    cr_assert_eq(strio_event_waiting(&C.ev), 0);
}

Test(sync_event, init_and_is_set)
{
    strio_event e;
    strio_event_init(&e);
    cr_assert_not(strio_event_is_set(&e));
    cr_assert_eq(strio_event_waiting(&e), 0);
    strio_event_set(&e);
    cr_assert(strio_event_is_set(&e));
    strio_event_set(&e);
    cr_assert(strio_event_is_set(&e));
}

/* ======================================================================== */
/* Every operation is a checkpoint                                          */
/* ======================================================================== */

Test(sync_checkpoint, immediate_completions_still_yield_once)
{
    fresh(1);
    RUN(0, root_immediate_checkpoints, &C);
    cr_assert_eq(C.r[0], 0, "lock");
    cr_assert_eq(C.r[1], 0, "semaphore");
    cr_assert_eq(C.r[2], 0, "send");
    cr_assert_eq(C.r[3], 0, "receive");
    cr_assert_eq(C.got[0], 7);
    cr_assert_eq(C.r[4], 0, "event");
    cr_assert_eq(C.r[5], STRIO_ESTATE, "re-acquire by the owner");
    cr_assert_eq(C.r[6], STRIO_ECLOSED);
    cr_assert_eq(C.r[7], STRIO_EEND);
    cr_assert_eq(C.r[8], STRIO_ECLOSED);
    cr_assert_eq(C.r[9], 0, "release");
    cr_assert_eq(C.r[10], 0, "semaphore release");
    cr_assert_eq(susp.n, 9, "9 awaits, 9 suspensions; got %lu", susp.n);
    cr_assert_not(strio_lock_locked(&C.lock));
    cr_assert_eq(strio_semaphore_value(&C.sem), 1);
}

Test(sync_checkpoint, cancelled_scope_fails_every_operation_at_once)
{
    fresh(2);
    int three = 3;
    cr_assert_eq(strio_channel_try_send(&C.ch, &three), 0);
    strio_event_set(&C.ev);
    RUN(0, root_cancelled_at_entry, &C);
    for (int i = 0; i <= 5; i++)
        cr_assert_eq(C.r[i], STRIO_ECANCELED, "step %d: %d", i, C.r[i]);
    cr_assert_eq(C.r[6], 0, "the scope caught its cancellation");
    cr_assert_eq(susp.n, 0, "no suspension at all");
    cr_assert_not(strio_lock_locked(&C.lock), "no lock taken");
    cr_assert_eq(strio_semaphore_value(&C.sem), 1, "no permit taken");
    cr_assert_eq(strio_channel_buffered(&C.ch), 1, "nothing sent");
    cr_assert_eq(C.got[0], -1, "nothing received");
    int x = 0;
    cr_assert_eq(strio_channel_try_receive(&C.ch, &x), 0);
    cr_assert_eq(x, 3, "the buffered element is intact");
}

Test(sync_checkpoint, cancel_during_the_yield_keeps_what_was_taken)
{
    fresh(1);
    susp.always = 1;
    RUN(0, root_cancel_in_yield, &C);
    cr_assert_eq(susp.n, 5);
    cr_assert_eq(C.r[0], STRIO_ECANCELED, "event wait took nothing");
    cr_assert_eq(C.r[1], 0, "lock taken");
    cr_assert_eq(C.r[2], 0, "permit taken");
    cr_assert_eq(C.r[3], 0, "element sent");
    cr_assert_eq(C.waiting[0], 1, "and buffered");
    cr_assert_eq(C.r[4], 0, "element received");
    cr_assert_eq(C.got[0], 31);
    cr_assert_eq(C.r[5], 1, "the root owns the lock");
    cr_assert_eq(C.r[6], 0);
    cr_assert_eq(C.r[7], 0, "the permit is out");
    cr_assert_eq(C.r[8], 0);
    cr_assert_eq(strio_channel_buffered(&C.ch), 0);
}

/* ======================================================================== */
/* Lock                                                                     */
/* ======================================================================== */

Test(sync_lock, waiters_get_it_in_fifo_order_without_barging)
{
    fresh(1);
    RUN(0, root_lock_fifo, &C, 8);
    cr_assert_eq(C.r[0], 0);
    cr_assert_eq(C.waiting[0], 8);
    cr_assert_eq(C.r[1], 0);
    cr_assert_eq(C.r[2], 1, "release hands the lock to the first waiter");
    cr_assert_eq(C.r[3], STRIO_EBUSY, "no barging after release");
    cr_assert_eq(C.r[4], 0);
    cr_assert_eq(C.r[5], 8, "the re-acquire queued behind all 8");
    cr_assert_eq(C.r[6], 0);
    const int want[] = { 0, 1, 2, 3, 4, 5, 6, 7 };
    assert_log(want, 8);
    cr_assert_eq(C.max_inside, 1);
    cr_assert_eq(C.released, 8);
    cr_assert_not(strio_lock_locked(&C.lock));
}

Test(sync_lock, mutual_exclusion_across_awaits_round_robin)
{
    fresh(1);
    C.iters = 5;
    C.hold_ns = STRIO_MS(1);
    RUN(0, root_group, &C, ROLE_LOCK_USER, 4);
    cr_assert_eq(C.max_inside, 1, "two tasks inside at once");
    cr_assert_eq(C.acquired, 20);
    cr_assert_eq(C.released, 20);
    cr_assert_eq(C.release_errors, 0);
    cr_assert_eq(C.inside, 0);
    /* fair: a task that releases and re-acquires queues behind the others */
    cr_assert_eq(C.nlog, 20);
    for (int i = 0; i < 20; i++)
        cr_assert_eq(C.log[i], i % 4, "log[%d] = %d", i, C.log[i]);
    /* fully serialized: 20 holds of 1 ms each */
    cr_assert_eq(strio_loop_now(&loop), STRIO_MS(20));
    cr_assert_not(strio_lock_locked(&C.lock));
    cr_assert_eq(strio_lock_waiting(&C.lock), 0);
}

Test(sync_lock, cancelled_waiter_never_gets_the_lock)
{
    fresh(1);
    RUN(0, root_lock_cancel, &C, 0);
    cr_assert_eq(C.waiting[0], 2);
    cr_assert_eq(C.waiting[1], 1, "the cancelled waiter left the queue");
    cr_assert_eq(C.r[1], 1, "the root still owns the lock");
    cr_assert_eq(C.r[2], 0);
    cr_assert_eq(C.r[3], 1, "release skips the cancelled waiter");
    cr_assert_eq(C.acq[0], STRIO_ECANCELED);
    cr_assert_eq(C.results[0], STRIO_ECANCELED);
    cr_assert_eq(C.acq[1], 0);
    const int want[] = { 1 };
    assert_log(want, 1);
    cr_assert_eq(C.acquired, C.released);
    cr_assert_not(strio_lock_locked(&C.lock), "lock leaked");
}

Test(sync_lock, cancel_after_handoff_keeps_the_lock)
{
    fresh(1);
    RUN(0, root_lock_cancel, &C, 1);
    cr_assert_eq(C.r[2], 0);
    cr_assert_eq(C.r[3], 1, "handed to actor 0");
    cr_assert_eq(C.r[1], 1, "a late cancel does not take it back");
    cr_assert_eq(C.waiting[1], 1);
    cr_assert_eq(C.acq[0], 0, "acquire reports success: it owns the lock");
    cr_assert_eq(C.acq[1], 0);
    const int want[] = { 0, 1 };
    assert_log(want, 2);
    cr_assert_eq(C.acquired, 2);
    cr_assert_eq(C.released, 2);
    cr_assert_not(strio_lock_locked(&C.lock), "lock leaked");
}

Test(sync_lock, try_acquire_and_release_rules)
{
    strio_lock l;
    strio_task a, b;
    strio_lock_init(&l);
    cr_assert_not(strio_lock_locked(&l));
    cr_assert_eq(strio_lock_owner(&l), NULL);
    cr_assert_eq(strio_lock_release(&l, &a), STRIO_ESTATE, "not held");
    cr_assert_eq(strio_lock_release(&l, NULL), STRIO_ESTATE);
    cr_assert_eq(strio_lock_try_acquire(&l, &a), 0);
    cr_assert(strio_lock_locked(&l));
    cr_assert_eq(strio_lock_owner(&l), &a);
    cr_assert_eq(strio_lock_try_acquire(&l, &b), STRIO_EBUSY);
    cr_assert_eq(strio_lock_try_acquire(&l, &a), STRIO_ESTATE, "reentry");
    cr_assert_eq(strio_lock_release(&l, &b), STRIO_ESTATE, "not the owner");
    cr_assert_eq(strio_lock_owner(&l), &a, "failed release changes nothing");
    cr_assert_eq(strio_lock_release(&l, &a), 0);
    cr_assert_not(strio_lock_locked(&l));
    cr_assert_eq(strio_lock_try_acquire(&l, &b), 0);
    cr_assert_eq(strio_lock_release(&l, &b), 0);
    cr_assert_eq(strio_lock_waiting(&l), 0);
}

/* ======================================================================== */
/* Semaphore                                                                */
/* ======================================================================== */

Test(sync_semaphore, counts_concurrent_holders)
{
    fresh(1);
    cr_assert_eq(strio_semaphore_init(&C.sem, 3, STRIO_SEMAPHORE_NO_MAX), 0);
    C.iters = 2;
    C.hold_ns = STRIO_MS(1);
    RUN(0, root_group, &C, ROLE_SEM_USER, 7);
    cr_assert_eq(C.max_inside, 3, "max_inside %d", C.max_inside);
    cr_assert_eq(C.acquired, 14);
    cr_assert_eq(C.released, 14);
    cr_assert_eq(C.release_errors, 0);
    cr_assert_eq(strio_semaphore_value(&C.sem), 3);
    cr_assert_eq(strio_semaphore_waiting(&C.sem), 0);
    /* 14 holds of 1 ms, 3 at a time: ceil(14 / 3) = 5 ms */
    cr_assert_eq(strio_loop_now(&loop), STRIO_MS(5));
}

Test(sync_semaphore, release_hands_permits_over_in_fifo_order)
{
    fresh(1);
    strio_semaphore_init(&C.sem, 0, STRIO_SEMAPHORE_NO_MAX);
    RUN(0, root_sem_handoff, &C, 4, 0);
    cr_assert_eq(C.waiting[0], 4);
    cr_assert_eq(C.r[0], 0);
    cr_assert_eq(C.r[1], 0, "the permit went to the waiter, not the count");
    cr_assert_eq(C.r[2], STRIO_EBUSY, "no barging");
    cr_assert_eq(C.waiting[2], 0);
    cr_assert_eq(C.r[3], 0);
    cr_assert_eq(C.r[4], 1);
    const int want[] = { 0, 1, 2, 3 };
    assert_log(want, 4);
    cr_assert_eq(strio_semaphore_value(&C.sem), 1);
}

Test(sync_semaphore, cancelled_waiter_takes_no_permit)
{
    fresh(1);
    strio_semaphore_init(&C.sem, 0, STRIO_SEMAPHORE_NO_MAX);
    RUN(0, root_sem_handoff, &C, 3, 1);
    cr_assert_eq(C.waiting[0], 3);
    cr_assert_eq(C.waiting[1], 2);
    cr_assert_eq(C.acq[0], STRIO_ECANCELED);
    const int want[] = { 1, 2 };
    assert_log(want, 2);
    cr_assert_eq(C.r[4], 2, "the cancelled waiter's permit was not lost");
    cr_assert_eq(strio_semaphore_value(&C.sem), 2);
}

Test(sync_semaphore, cancel_after_handoff_keeps_the_permit)
{
    fresh(1);
    strio_semaphore_init(&C.sem, 0, STRIO_SEMAPHORE_NO_MAX);
    RUN(0, root_sem_handoff, &C, 3, 2);
    cr_assert_eq(C.acq[0], 0, "the permit was handed over before the cancel");
    const int want[] = { 0, 1, 2 };
    assert_log(want, 3);
    cr_assert_eq(C.r[4], 1);
    cr_assert_eq(strio_semaphore_value(&C.sem), 1);
}

Test(sync_semaphore, max_value)
{
    strio_semaphore s;
    cr_assert_eq(strio_semaphore_init(&s, 1, 2), 0);
    cr_assert_eq(strio_semaphore_value(&s), 1);
    cr_assert_eq(strio_semaphore_release(&s), 0);
    cr_assert_eq(strio_semaphore_value(&s), 2);
    cr_assert_eq(strio_semaphore_release(&s), STRIO_ESTATE, "past the max");
    cr_assert_eq(strio_semaphore_value(&s), 2, "failed release changes nothing");
    cr_assert_eq(strio_semaphore_try_acquire(&s), 0);
    cr_assert_eq(strio_semaphore_try_acquire(&s), 0);
    cr_assert_eq(strio_semaphore_try_acquire(&s), STRIO_EBUSY);
    cr_assert_eq(strio_semaphore_value(&s), 0);
    cr_assert_eq(strio_semaphore_init(&s, 3, 2), -EINVAL);
    cr_assert_eq(strio_semaphore_value(&s), 2);
    cr_assert_eq(strio_semaphore_init(&s, 0, STRIO_SEMAPHORE_NO_MAX), 0);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(strio_semaphore_release(&s), 0, "unbounded");
    cr_assert_eq(strio_semaphore_value(&s), 1000);
    cr_assert_eq(strio_semaphore_waiting(&s), 0);
}

/* ======================================================================== */
/* Channel                                                                  */
/* ======================================================================== */

Test(sync_channel, init_errors)
{
    strio_channel ch;
    int buf[2], x = 1;
    cr_assert_eq(strio_channel_init(&ch, buf, 0, 2), -EINVAL);
    cr_assert_eq(strio_channel_try_send(&ch, &x), STRIO_ECLOSED,
                 "an unusable channel fails every call");
    cr_assert_eq(strio_channel_init(&ch, NULL, sizeof x, 2), -EINVAL);
    cr_assert_eq(strio_channel_init(&ch, buf, (size_t)-1 / 2, 3), -EINVAL);
    cr_assert_eq(strio_channel_init(&ch, NULL, sizeof x, 0), 0,
                 "rendezvous needs no buffer");
    cr_assert_eq(strio_channel_init(&ch, buf, sizeof x, 2), 0);
}

Test(sync_channel, try_ops_keep_fifo_order_through_the_ring)
{
    /* A model-checked run: random try_send/try_receive against an array. */
    enum { CAP = 5, STEPS = 20000 };
    int buf[CAP], model[CAP], mhead = 0, mcount = 0, next = 1;
    strio_channel ch;
    cr_assert_eq(strio_channel_init(&ch, buf, sizeof buf[0], CAP), 0);
    unsigned seed = 12345;
    for (int step = 0; step < STEPS; step++) {
        seed = seed * 1103515245u + 12345u;
        if ((seed >> 16) % 2) {
            int rc = strio_channel_try_send(&ch, &next);
            if (mcount == CAP) {
                cr_assert_eq(rc, STRIO_EBUSY);
            } else {
                cr_assert_eq(rc, 0);
                model[(mhead + mcount++) % CAP] = next++;
            }
        } else {
            int x = -1;
            int rc = strio_channel_try_receive(&ch, &x);
            if (mcount == 0) {
                cr_assert_eq(rc, STRIO_EBUSY);
                cr_assert_eq(x, -1, "dst untouched on failure");
            } else {
                cr_assert_eq(rc, 0);
                cr_assert_eq(x, model[mhead], "step %d", step);
                mhead = (mhead + 1) % CAP;
                mcount--;
            }
        }
        cr_assert_eq(strio_channel_buffered(&ch), (size_t)mcount);
    }
    cr_assert_gt(next, STEPS / 3);
}

Test(sync_channel, elements_of_any_size_are_copied_whole)
{
    struct pt {
        short a;
        char name[13];
        double d;
    } buf[3], in, out;
    strio_channel ch;
    cr_assert_eq(strio_channel_init(&ch, buf, sizeof buf[0], 3), 0);
    for (int i = 0; i < 3; i++) {
        memset(&in, 0, sizeof in);
        in.a = (short)i;
        in.d = i * 1.5;
        memcpy(in.name, "element-name", 12);
        in.name[11] = (char)('0' + i);
        cr_assert_eq(strio_channel_try_send(&ch, &in), 0);
    }
    memset(&in, 0xff, sizeof in);          /* the copies are independent */
    cr_assert_eq(strio_channel_try_send(&ch, &in), STRIO_EBUSY);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(strio_channel_try_receive(&ch, &out), 0);
        cr_assert_eq(out.a, i);
        cr_assert_eq(out.d, i * 1.5);
        cr_assert_eq(out.name[11], '0' + i);
        cr_assert_eq(memcmp(out.name, "element-nam", 11), 0);
    }
}

Test(sync_channel, send_blocks_while_full_in_fifo_order)
{
    fresh(2);
    for (int i = 0; i < 4; i++)
        C.value[i] = 10 * (i + 1);
    RUN(0, root_chan_full, &C);
    cr_assert_eq(C.waiting[0], 2, "two buffered");
    cr_assert_eq(C.waiting[1], 2, "two senders wait");
    for (int i = 0; i < 4; i++) {
        cr_assert_eq(C.r[i], 0);
        cr_assert_eq(C.got[i], 10 * (i + 1), "got[%d] = %d", i, C.got[i]);
        cr_assert_eq(C.results[i], 0);
    }
    cr_assert_eq(C.t_done[0], 0);
    cr_assert_eq(C.t_done[1], 0);
    cr_assert_eq(C.t_done[2], STRIO_MS(1001), "sender 2 waited for room");
    cr_assert_eq(C.t_done[3], STRIO_MS(2001));
    cr_assert_eq(C.waiting[2], 0);
}

Test(sync_channel, receive_blocks_while_empty_in_fifo_order)
{
    fresh(2);
    RUN(0, root_chan_empty, &C);
    cr_assert_eq(C.waiting[0], 3);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(C.r[i], 0);
        cr_assert_eq(C.results[i], 0);
        cr_assert_eq(C.got[i], 100 + i);
        cr_assert_eq(C.t_done[i], STRIO_MS(1001 + 1000 * i));
    }
    cr_assert_eq(strio_channel_buffered(&C.ch), 0);
}

Test(sync_channel, rendezvous_send_waits_for_a_receiver)
{
    fresh(0);
    C.value[0] = 555;
    RUN(0, root_rendezvous, &C);
    cr_assert_eq(C.waiting[0], 1, "the sender waits");
    cr_assert_eq(C.waiting[1], 0, "nothing buffered at capacity 0");
    cr_assert_eq(C.r[0], 0, "the send has not completed before a receive");
    cr_assert_eq(C.r[1], 0);
    cr_assert_eq(C.got[0], 555);
    cr_assert_eq(C.results[0], 0);
    cr_assert_eq(C.t_done[0], STRIO_SEC(1), "send completed at the receive");
    cr_assert_eq(C.r[2], 0);
    cr_assert_eq(C.r[3], 0, "try_send to a waiting receiver");
    cr_assert_eq(C.got[1], 4242);
    cr_assert_eq(C.results[1], 0);
    cr_assert_eq(C.r[4], STRIO_EBUSY);
    cr_assert_eq(C.r[5], STRIO_EBUSY);
}

Test(sync_channel, producer_consumer_10000_items_through_4_slots)
{
    fresh(4);
    C.n_prod = 1;
    C.n_items = 10000;
    RUN(0, root_pipe, &C);
    cr_assert_eq(C.sent[0], 10000);
    cr_assert_eq(C.received, 10000);
    cr_assert_eq(C.sum, 10000L * 10001 / 2);
    cr_assert_eq(C.order_errors, 0);
    cr_assert_eq(C.dup_errors, 0);
    for (int i = 1; i <= 10000; i++)
        cr_assert(C.seen[0][i], "item %d lost", i);
    cr_assert_eq(C.results[0], 0);
    cr_assert_eq(C.results[1], 0, "the consumer ended on STRIO_EEND");
    cr_assert_eq(strio_channel_buffered(&C.ch), 0);
}

Test(sync_channel, two_producers_two_consumers_rendezvous)
{
    fresh(0);
    C.n_prod = 2;
    C.n_items = 500;
    RUN(0, root_sweep, &C, WF_CHAN);
    cr_assert_eq(C.received, 1000);
    cr_assert_eq(C.order_errors, 0);
    cr_assert_eq(C.dup_errors, 0);
}

Test(sync_channel, close_send_drains_then_ends)
{
    fresh(2);
    C.value[0] = 3;
    RUN(0, root_close_send, &C);
    cr_assert_eq(C.r[0], 0);
    cr_assert_eq(C.r[1], 0);
    cr_assert_eq(C.waiting[0], 1);
    cr_assert_eq(C.waiting[1], 0, "close woke the waiting sender");
    cr_assert_eq(C.results[0], STRIO_ECLOSED, "its element was not sent");
    cr_assert_eq(C.r[2], STRIO_ECLOSED, "send after close_send");
    cr_assert_eq(C.r[3], STRIO_ECLOSED, "try_send after close_send");
    cr_assert_eq(C.r[4], 0);
    cr_assert_eq(C.got[10], 1, "buffered elements still arrive");
    cr_assert_eq(C.r[5], 0);
    cr_assert_eq(C.got[11], 2);
    cr_assert_eq(C.r[6], STRIO_EEND, "then end of channel");
    cr_assert_eq(C.r[7], STRIO_EEND);
    cr_assert_eq(C.r[8], 0);
    cr_assert_eq(C.waiting[2], 2);
    cr_assert_eq(C.waiting[3], 0, "close woke the waiting receivers");
    cr_assert_eq(C.results[1], STRIO_EEND);
    cr_assert_eq(C.results[2], STRIO_EEND);
}

Test(sync_channel, close_receive_breaks_senders)
{
    fresh(1);
    C.value[0] = 2;
    RUN(0, root_close_receive, &C);
    cr_assert_eq(C.r[0], 0);
    cr_assert_eq(C.waiting[0], 1);
    cr_assert_eq(C.waiting[1], 0, "close woke the waiting sender");
    cr_assert_eq(C.waiting[2], 0, "buffered elements are discarded");
    cr_assert_eq(C.results[0], STRIO_EBROKEN);
    cr_assert_eq(C.r[1], STRIO_EBROKEN);
    cr_assert_eq(C.r[2], STRIO_EBROKEN);
    cr_assert_eq(C.r[3], STRIO_ECLOSED);
    cr_assert_eq(C.r[4], STRIO_ECLOSED);
    cr_assert_eq(C.r[5], 0);
    cr_assert_eq(C.waiting[3], 1);
    cr_assert_eq(C.waiting[4], 0, "close woke the waiting receiver");
    cr_assert_eq(C.results[1], STRIO_ECLOSED);
    cr_assert_eq(C.r[6], 0);
    cr_assert_eq(C.r[7], STRIO_ECLOSED, "own close is reported first");
}

Test(sync_channel, cancelled_waiters_lose_nothing)
{
    fresh(1);
    C.value[0] = 10;
    C.value[1] = 20;
    C.value[2] = 30;
    RUN(0, root_chan_cancel, &C, 0);
    cr_assert_eq(C.r[0], 0);
    cr_assert_eq(C.waiting[0], 3);
    cr_assert_eq(C.waiting[1], 2, "the cancelled sender left the queue");
    cr_assert_eq(C.results[1], STRIO_ECANCELED);
    cr_assert_eq(C.results[0], 0);
    cr_assert_eq(C.results[2], 0);
    for (int i = 1; i <= 3; i++)
        cr_assert_eq(C.r[i], 0);
    cr_assert_eq(C.got[10], 1);
    cr_assert_eq(C.got[11], 10);
    cr_assert_eq(C.got[12], 30, "20 was never sent: no half-sent element");
    cr_assert_eq(C.waiting[2], 0);
    cr_assert_eq(C.r[5], STRIO_EBUSY);
    cr_assert_eq(C.r[6], 0);
    cr_assert_eq(C.waiting[3], 2);
    cr_assert_eq(C.results[3], STRIO_ECANCELED);
    cr_assert_eq(C.got[3], 0, "a cancelled receive leaves dst untouched");
    cr_assert_eq(C.r[7], 0);
    cr_assert_eq(C.results[4], 0);
    cr_assert_eq(C.got[4], 77, "the element went to the live receiver");
    cr_assert_eq(C.waiting[4], 0);
    cr_assert_eq(C.r[9], 0);
    cr_assert_eq(C.r[10], 0);
    cr_assert_eq(C.r[11], 0);
    cr_assert_eq(C.got[20], 99);
}

Test(sync_channel, late_cancel_does_not_undo_a_transfer)
{
    fresh(1);
    C.value[0] = 10;
    C.value[1] = 20;
    C.value[2] = 30;
    RUN(0, root_chan_cancel, &C, 1);
    cr_assert_eq(C.r[1], 0);
    cr_assert_eq(C.got[10], 1);
    cr_assert_eq(C.waiting[1], 2);
    cr_assert_eq(C.results[0], 0, "sender 0's element had moved into the "
                 "buffer: its send succeeded");
    cr_assert_eq(C.got[11], 10, "and the element is there");
    cr_assert_eq(C.got[12], 20);
    cr_assert_eq(C.got[13], 30);
    cr_assert_eq(C.r[5], STRIO_EBUSY);
    cr_assert_eq(C.r[7], 0);
    cr_assert_eq(C.results[3], 0, "the element was delivered first");
    cr_assert_eq(C.got[3], 77);
    cr_assert_eq(C.r[8], 0);
    cr_assert_eq(C.results[4], 0);
    cr_assert_eq(C.got[4], 78);
    cr_assert_eq(C.waiting[4], 0);
    cr_assert_eq(C.got[20], 99);
}

Test(sync_channel, cancelled_rendezvous_send_sends_nothing)
{
    fresh(0);
    C.value[0] = 5;
    RUN(0, root_rendezvous_cancel, &C);
    cr_assert_eq(C.waiting[0], 1);
    cr_assert_eq(C.waiting[1], 0);
    cr_assert_eq(C.r[0], STRIO_EBUSY, "nothing to receive");
    cr_assert_eq(C.results[0], STRIO_ECANCELED);
}

/* ======================================================================== */
/* Cancellation sweep                                                       */
/* ======================================================================== */

/*
 * For k = 1, 2, ...: runs workflow `kind` inside a scope that is cancelled
 * at the k-th suspension of any task, and checks the invariants after
 * each run, until a run finishes before the k-th suspension (uncancelled).
 * Returns the number of runs.
 */
typedef void (*sweep_prepare_fn)(size_t capacity);
typedef void (*sweep_check_fn)(int complete);

static unsigned long sweep(int kind, size_t capacity, sweep_prepare_fn prep,
                           sweep_check_fn check)
{
    unsigned long k;
    for (k = 1;; k++) {
        cr_assert_lt(k, 100000, "the workflow never completes");
        fresh(capacity);
        prep(capacity);
        susp.k = k;
        RUN(0, root_sweep, &C, kind);
        cr_assert_eq(C.sweep_rc, 0, "k=%lu: scope exit gave %d", k,
                     C.sweep_rc);
        cr_assert_eq(C.spawn_errors, 0);
        check(!susp.fired);
        if (!susp.fired)
            break;
    }
    cr_log_info("sweep %d (capacity %zu): %lu runs", kind, capacity, k);
    return k;
}

static void prep_lock(size_t cap)
{
    (void)cap;
    C.iters = 3;
    C.hold_ns = 0;
}

static void check_lock(int complete)
{
    cr_assert_not(strio_lock_locked(&C.lock), "lock leaked (k=%lu)", susp.k);
    cr_assert_eq(strio_lock_waiting(&C.lock), 0);
    cr_assert_eq(C.inside, 0);
    cr_assert_leq(C.max_inside, 1);
    cr_assert_eq(C.acquired, C.released, "k=%lu", susp.k);
    cr_assert_eq(C.release_errors, 0);
    if (complete)
        cr_assert_eq(C.acquired, 9);
}

static void prep_sem(size_t cap)
{
    (void)cap;
    strio_semaphore_init(&C.sem, 2, 2);
    C.iters = 3;
    C.hold_ns = STRIO_US(10);
}

static void check_sem(int complete)
{
    cr_assert_eq(strio_semaphore_value(&C.sem), 2, "permit leaked (k=%lu)",
                 susp.k);
    cr_assert_eq(strio_semaphore_waiting(&C.sem), 0);
    cr_assert_eq(C.inside, 0);
    cr_assert_leq(C.max_inside, 2);
    cr_assert_eq(C.acquired, C.released);
    cr_assert_eq(C.release_errors, 0);
    if (complete)
        cr_assert_eq(C.acquired, 12);
}

static void prep_chan(size_t cap)
{
    (void)cap;
    C.n_prod = 2;
    C.n_items = 6;
}

/* Every element whose send succeeded was received exactly once or is
 * still buffered, in order; no element whose send failed shows up. */
static void check_chan(int complete)
{
    cr_assert_eq(strio_channel_waiting_send(&C.ch), 0);
    cr_assert_eq(strio_channel_waiting_receive(&C.ch), 0);
    cr_assert(C.ch.send_closed, "the producers' group closes the send side");
    cr_assert_eq(C.order_errors, 0, "k=%lu", susp.k);
    cr_assert_eq(C.dup_errors, 0, "k=%lu", susp.k);
    long buffered = (long)strio_channel_buffered(&C.ch);
    int last[SYNC_MAX_PROD] = { 0, 0 };
    int x, rc;
    while ((rc = strio_channel_try_receive(&C.ch, &x)) == 0) {
        int p = x / 100000, i = x % 100000;
        cr_assert(p >= 0 && p < SYNC_MAX_PROD && i >= 1 && i <= C.n_items);
        cr_assert_not(C.seen[p][i], "k=%lu: %d buffered and received", susp.k,
                      x);
        cr_assert_gt(i, last[p], "buffer out of order");
        last[p] = i;
        C.seen[p][i] = 1;
    }
    cr_assert_eq(rc, STRIO_EEND);
    cr_assert_eq(C.received + buffered, C.sent[0] + C.sent[1],
                 "k=%lu: received %ld + buffered %ld != sent %ld + %ld",
                 susp.k, C.received, buffered, C.sent[0], C.sent[1]);
    for (int p = 0; p < C.n_prod; p++)
        for (int i = 1; i <= C.n_items; i++)
            cr_assert_eq(C.seen[p][i], i <= C.sent[p],
                         "k=%lu: producer %d item %d: seen %d, sent %ld",
                         susp.k, p, i, C.seen[p][i], C.sent[p]);
    if (complete) {
        cr_assert_eq(C.sent[0] + C.sent[1], 2 * C.n_items);
        cr_assert_eq(C.received, 2 * C.n_items);
    }
}

static void prep_event(size_t cap)
{
    (void)cap;
    C.hold_ns = STRIO_MS(1);
}

static void check_event(int complete)
{
    cr_assert_eq(strio_event_waiting(&C.ev), 0);
    for (int i = 0; i < 3; i++) {
        cr_assert(C.results[i] == 0 || C.results[i] == STRIO_ECANCELED,
                  "waiter %d: %d", i, C.results[i]);
        if (C.results[i] == 0)
            cr_assert(strio_event_is_set(&C.ev));
    }
    if (complete) {
        cr_assert_eq(C.nlog, 3);
        for (int i = 0; i < 3; i++)
            cr_assert_eq(C.results[i], 0);
    }
}

static void prep_mixed(size_t cap)
{
    prep_chan(cap);
    strio_semaphore_init(&C.sem, 1, 1);
    C.n_prod = 1;
    C.slow_consumer = 1;
    C.iters = 2;
    C.hold_ns = 0;
}

static void check_mixed(int complete)
{
    cr_assert_not(strio_lock_locked(&C.lock), "lock leaked (k=%lu)", susp.k);
    cr_assert_eq(strio_lock_waiting(&C.lock), 0);
    cr_assert_eq(strio_semaphore_value(&C.sem), 1);
    cr_assert_eq(strio_semaphore_waiting(&C.sem), 0);
    cr_assert_eq(C.acquired, C.released);
    cr_assert_eq(C.inside, 0);
    cr_assert_eq(C.order_errors, 0);
    long buffered = (long)strio_channel_buffered(&C.ch);
    cr_assert_eq(C.received + buffered, C.sent[0]);
    if (complete) {
        cr_assert_eq(C.acquired, 8);
        cr_assert_eq(C.received, C.n_items);
    }
}

Test(sync_sweep, lock)
{
    unsigned long runs = sweep(WF_LOCK, 1, prep_lock, check_lock);
    cr_assert_gt(runs, 10, "runs %lu", runs);
}

Test(sync_sweep, semaphore)
{
    unsigned long runs = sweep(WF_SEM, 1, prep_sem, check_sem);
    cr_assert_gt(runs, 10, "runs %lu", runs);
}

/* Fast consumers mostly wait in receive (sends hand over directly); slow
 * ones let the producers fill the buffer and wait in send. */
static void prep_chan_slow(size_t cap)
{
    prep_chan(cap);
    C.slow_consumer = 1;
}

Test(sync_sweep, channel_rendezvous)
{
    cr_assert_gt(sweep(WF_CHAN, 0, prep_chan, check_chan), 20);
    cr_assert_gt(sweep(WF_CHAN, 0, prep_chan_slow, check_chan), 20);
}

Test(sync_sweep, channel_capacity_1)
{
    cr_assert_gt(sweep(WF_CHAN, 1, prep_chan, check_chan), 20);
    cr_assert_gt(sweep(WF_CHAN, 1, prep_chan_slow, check_chan), 20);
}

Test(sync_sweep, channel_capacity_4)
{
    cr_assert_gt(sweep(WF_CHAN, 4, prep_chan, check_chan), 20);
    cr_assert_gt(sweep(WF_CHAN, 4, prep_chan_slow, check_chan), 20);
}

Test(sync_sweep, event)
{
    unsigned long runs = sweep(WF_EVENT, 1, prep_event, check_event);
    cr_assert_gt(runs, 3, "runs %lu", runs);
}

Test(sync_sweep, mixed)
{
    unsigned long runs = sweep(WF_MIXED, 2, prep_mixed, check_mixed);
    cr_assert_gt(runs, 20, "runs %lu", runs);
}
