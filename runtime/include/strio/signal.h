/*
 * strio/signal.h -- receiving POSIX signals in a task (Trio's
 * open_signal_receiver), hosted builds. Needs a loop whose backend can be
 * notified (the poll backend, strio/posix.h).
 *
 *     strio_signal_receiver r;
 *     sigset_t set, got;
 *     sigemptyset(&set);
 *     sigaddset(&set, SIGINT);
 *     sigaddset(&set, SIGTERM);
 *     int rc = strio_signal_receiver_open(&r, loop, &set);
 *     int n = await strio_signal_receive(&r, &got);   // n distinct signals
 *     if (sigismember(&got, SIGTERM)) ...
 *     strio_signal_receiver_close(&r);                 // old handlers back
 *
 * Delivery is batched and coalesced: the handler only sets the signal's
 * bit in the receiver and wakes the loop (strio_loop_notify: an atomic
 * store and at most one write(), async-signal-safe); a receive returns
 * every signal that arrived since the previous receive, each once however
 * often it was raised. Signals that arrive while nobody receives wait in
 * the receiver.
 *
 * Ownership rule (several loops, several threads): a signal belongs to at
 * most one open receiver in the process at a time. Opening a receiver for
 * a signal another open receiver owns fails with STRIO_EBUSY and changes
 * nothing. Each receiver belongs to one loop; its handler may run on any
 * thread (process-directed signals go to any thread that does not block
 * them) and wakes that loop. Open, receive and close run on the loop's
 * thread; receivers of different loops may be opened and closed
 * concurrently.
 *
 * Handlers are process-wide, so the receiver installs its own with
 * sigaction (SA_RESTART) when it opens and puts back exactly the previous
 * action (handler, flags, mask) when it closes. Close waits until no
 * strio handler is running on another thread, so the receiver's memory may
 * be reused as soon as close returns. A signal arriving after close is
 * handled by the restored action (the default action kills the process for
 * many signals: keep the receiver open for as long as you need it).
 *
 * The receiver marks the loop busy while a task waits in it, so a loop
 * whose only task waits for a signal is not reported as deadlocked.
 *
 * sigset_t is POSIX: with -std=c11, define _POSIX_C_SOURCE (200809L) or
 * _GNU_SOURCE before the first #include (-std=gnu11 does it for you).
 */
#ifndef STRIO_SIGNAL_H
#define STRIO_SIGNAL_H

#include <signal.h>
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#error "strio/signal.h needs sigset_t: define _POSIX_C_SOURCE 200809L or _GNU_SOURCE before any #include"
#endif
#include <stdatomic.h>

#include <strio/async.h>
#include <strio/loop.h>
#include <strio/task.h>

/* Signals 1..STRIO_SIGNAL_MAX can be received (Linux: 64, real-time
 * signals included). */
#define STRIO_SIGNAL_MAX 64

typedef struct strio_signal_receiver {
    strio_hook hook;            /* registered with the loop while open */
    strio_loop *loop;
    sigset_t set;               /* the signals it owns */
    unsigned char open;
    /* set by the handler (any thread), taken by receive */
    atomic_uint pending[(STRIO_SIGNAL_MAX + 31) / 32];
    /* loop thread only */
    strio_task *waiter;         /* the task in strio_signal_receive */
    unsigned long received;     /* signals delivered (after coalescing) */
} strio_signal_receiver;

/*
 * Opens `r` (caller memory, must not move while open) for the signals in
 * `set`, delivering to tasks of `loop`. Returns 0, or
 *   -EINVAL       no signal of 1..STRIO_SIGNAL_MAX in `set`, SIGKILL or
 *                 SIGSTOP in it, or a loop that cannot be notified;
 *   STRIO_EBUSY   a signal of `set` is owned by another open receiver;
 *   -errno        of sigaction.
 * On error nothing changed (no handler installed, nothing owned).
 */
int strio_signal_receiver_open(strio_signal_receiver *r, strio_loop *loop,
                               const sigset_t *set);

/*
 * Restores the previous action of every signal of `r`, gives up their
 * ownership and wakes a task waiting in strio_signal_receive (it returns
 * STRIO_ECLOSED). Signals received and not yet taken are dropped.
 * Idempotent. Loop thread. Not a checkpoint.
 */
void strio_signal_receiver_close(strio_signal_receiver *r);

/*
 * async int strio_signal_receive(strio_signal_receiver *r, sigset_t *out)
 *
 * Waits until at least one signal of `r` arrived, then stores in *out
 * (emptied first) every signal that arrived since the previous receive and
 * returns how many distinct signals that is (>= 1). Returns also
 * STRIO_ECLOSED (closed, before or while waiting), STRIO_EBUSY (another
 * task is receiving), STRIO_ESTATE (the task runs on another loop than
 * the receiver's), STRIO_ECANCELED (nothing taken: the signals stay for
 * the next receive). A checkpoint: when signals are already there it still
 * yields once (shielded: what was taken is returned).
 */
STRIO_ASYNC_DECL(int strio_signal_receive(strio_signal_receiver *r, sigset_t *out))
struct strio_signal_receive_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_signal_receiver *r;
    sigset_t *out;
};
void strio_signal_receive_start(struct strio_signal_receive_frame *f,
                                strio_signal_receiver *r, sigset_t *out);
int strio_signal_receive_resume(void *f, strio_task *task);

#endif
