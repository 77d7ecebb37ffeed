/*
 * Signal receivers (see strio/signal.h): a process-wide table of owners,
 * one handler that marks the signal pending in its owner and notifies the
 * owner's loop, a loop hook that wakes the receiving task, and the receive
 * leaf. Hosted only.
 *
 * The handler touches only atomics and strio_loop_notify (itself an
 * atomic store and at most one write(), errno preserved), so it is
 * async-signal-safe on any thread. It brackets its work with a global
 * in-flight counter, which close waits on after restoring the old action,
 * so no handler still uses a receiver whose close has returned.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>

#include <strio/cancel.h>
#include <strio/signal.h>

#define CONTAINER(ptr, type, member) \
    ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* The owner of each signal (index = signal number), and the action it
 * replaced (written and read only by that owner, on its loop's thread). */
static _Atomic(strio_signal_receiver *) owners[STRIO_SIGNAL_MAX + 1];
static struct sigaction saved[STRIO_SIGNAL_MAX + 1];
static atomic_int handlers_running;

static void handler(int sig)
{
    atomic_fetch_add(&handlers_running, 1);
    strio_signal_receiver *r = NULL;
    if (sig > 0 && sig <= STRIO_SIGNAL_MAX)
        r = atomic_load(&owners[sig]);
    if (r != NULL) {
        atomic_fetch_or(&r->pending[(sig - 1) / 32],
                        1u << ((unsigned)(sig - 1) % 32));
        strio_loop_notify(r->loop);
    }
    atomic_fetch_sub(&handlers_running, 1);
}

/* Moves every pending signal into *out (emptied first); returns how many. */
static int take(strio_signal_receiver *r, sigset_t *out)
{
    int n = 0;
    sigemptyset(out);
    for (unsigned w = 0; w < sizeof r->pending / sizeof r->pending[0]; w++) {
        unsigned bits = atomic_exchange(&r->pending[w], 0u);
        for (unsigned b = 0; bits != 0; b++, bits >>= 1) {
            if (bits & 1u) {
                sigaddset(out, (int)(w * 32 + b + 1));
                n++;
            }
        }
    }
    r->received += (unsigned long)n;
    return n;
}

static int any_pending(strio_signal_receiver *r)
{
    for (unsigned w = 0; w < sizeof r->pending / sizeof r->pending[0]; w++)
        if (atomic_load(&r->pending[w]) != 0)
            return 1;
    return 0;
}

/* The waiter leaves: the loop is no longer kept busy for it. */
static strio_task *unpark(strio_signal_receiver *r)
{
    strio_task *t = r->waiter;
    if (t != NULL) {
        r->waiter = NULL;
        r->loop->hook_busy--;
    }
    return t;
}

static void hook_run(strio_hook *hook, strio_loop *loop)
{
    (void)loop;
    strio_signal_receiver *r = CONTAINER(hook, strio_signal_receiver, hook);
    if (r->waiter != NULL && any_pending(r))
        strio_task_wake(unpark(r), 0);
}

/* Gives back signals 1..upto of r's set: old action first, then the
 * ownership, then wait for handlers in flight on other threads. */
static void release(strio_signal_receiver *r, int upto)
{
    for (int sig = 1; sig <= upto; sig++) {
        if (sigismember(&r->set, sig) != 1)
            continue;
        if (atomic_load(&owners[sig]) != r)
            continue;
        sigaction(sig, &saved[sig], NULL);
        atomic_store(&owners[sig], NULL);
    }
    while (atomic_load(&handlers_running) != 0)
        sched_yield();
}

int strio_signal_receiver_open(strio_signal_receiver *r, strio_loop *loop,
                               const sigset_t *set)
{
    int count = 0;
    memset(r, 0, sizeof *r);
    for (unsigned w = 0; w < sizeof r->pending / sizeof r->pending[0]; w++)
        atomic_init(&r->pending[w], 0u);
    sigemptyset(&r->set);
    if (loop == NULL || loop->backend == NULL || loop->backend->notify == NULL)
        return -EINVAL;
    for (int sig = 1; sig <= STRIO_SIGNAL_MAX; sig++) {
        if (sigismember(set, sig) != 1)
            continue;
        if (sig == SIGKILL || sig == SIGSTOP)
            return -EINVAL;
        sigaddset(&r->set, sig);
        count++;
    }
    if (count == 0)
        return -EINVAL;
    r->loop = loop;
    /* claim every signal, or none */
    for (int sig = 1; sig <= STRIO_SIGNAL_MAX; sig++) {
        if (sigismember(&r->set, sig) != 1)
            continue;
        strio_signal_receiver *none = NULL;
        if (!atomic_compare_exchange_strong(&owners[sig], &none, r)) {
            for (int s = 1; s < sig; s++)
                if (sigismember(&r->set, s) == 1)
                    atomic_store(&owners[s], NULL);
            return STRIO_EBUSY;
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (int sig = 1; sig <= STRIO_SIGNAL_MAX; sig++) {
        if (sigismember(&r->set, sig) != 1)
            continue;
        if (sigaction(sig, &sa, &saved[sig]) < 0) {
            int e = errno;
            /* undo: the ones installed get their old action back */
            for (int s = 1; s <= STRIO_SIGNAL_MAX; s++) {
                if (sigismember(&r->set, s) != 1)
                    continue;
                if (s < sig)
                    sigaction(s, &saved[s], NULL);
                atomic_store(&owners[s], NULL);
            }
            while (atomic_load(&handlers_running) != 0)
                sched_yield();
            return -e;
        }
    }
    r->hook.run = hook_run;
    strio_loop_add_hook(loop, &r->hook);
    r->open = 1;
    return 0;
}

void strio_signal_receiver_close(strio_signal_receiver *r)
{
    if (!r->open)
        return;
    r->open = 0;
    release(r, STRIO_SIGNAL_MAX);
    strio_loop_remove_hook(r->loop, &r->hook);
    strio_task *t = unpark(r);
    if (t != NULL)
        strio_task_wake(t, STRIO_ECLOSED);
    for (unsigned w = 0; w < sizeof r->pending / sizeof r->pending[0]; w++)
        atomic_store(&r->pending[w], 0u);
}

/* ---- the leaf ------------------------------------------------------------------ */

static void receive_abort(strio_task *task)
{
    strio_signal_receiver *r = task->wait_on;
    if (r->waiter == task)
        unpark(r);
}

void strio_signal_receive_start(struct strio_signal_receive_frame *f,
                                strio_signal_receiver *r, sigset_t *out)
{
    f->strio_state = 0;
    f->r = r;
    f->out = out;
}

enum { PARKED = 1, TAKEN = 2 };

int strio_signal_receive_resume(void *vf, strio_task *task)
{
    struct strio_signal_receive_frame *f = vf;
    strio_signal_receiver *r = f->r;
    int n;
    switch (f->strio_state) {
    case 0:
        if (!r->open) {
            f->strio_ret = STRIO_ECLOSED;
            return STRIO_DONE;
        }
        if (r->waiter != NULL) {
            f->strio_ret = STRIO_EBUSY;
            return STRIO_DONE;
        }
        if (task->loop != r->loop) {
            f->strio_ret = STRIO_ESTATE;
            return STRIO_DONE;
        }
        if (strio_task_cancelled(task)) {
            f->strio_ret = STRIO_ECANCELED;
            return STRIO_DONE;
        }
        break;
    case PARKED:
        if (task->wake_result < 0) {    /* cancelled, or closed */
            f->strio_ret = task->wake_result;
            return STRIO_DONE;
        }
        break;
    default:                            /* TAKEN: after the yield */
        return STRIO_DONE;
    }
    n = take(r, f->out);
    if (n > 0) {
        f->strio_ret = n;
        if (f->strio_state == PARKED)   /* we suspended: done */
            return STRIO_DONE;
        /* already there: still a checkpoint (a shielded yield) */
        f->strio_state = TAKEN;
        strio_task_yield(task);
        return STRIO_PENDING;
    }
    f->strio_state = PARKED;
    r->waiter = task;
    r->loop->hook_busy++;
    strio_task_park(task, receive_abort, r);
    return STRIO_PENDING;
}
