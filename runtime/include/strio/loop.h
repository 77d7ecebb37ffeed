/*
 * strio/loop.h -- the event loop: run queue, timers, backend.
 *
 * A loop runs tasks on one thread. There is no global state: several loops
 * may run in several threads. One turn of the loop:
 *
 *   1. run every task that was READY when the turn began, in FIFO order
 *      (tasks made ready meanwhile wait for the next turn: fairness);
 *   2. fire expired timers (waking sleepers, cancelling scopes);
 *   3. if nothing is ready: let a virtual clock jump to the next deadline,
 *      or wait in the backend until I/O, a notification or that deadline;
 *      if something is ready, ask the backend for I/O without waiting
 *      (skipped when the batch that just ran began right after such a
 *      check: while tasks keep yielding, I/O is checked every second
 *      batch).
 *
 * strio_loop_run() returns when the root task completes.
 */
#ifndef STRIO_LOOP_H
#define STRIO_LOOP_H

#include <stdatomic.h>

#include <strio/task.h>
#include <strio/time.h>
#include <strio/timer.h>

typedef struct strio_backend strio_backend;
typedef struct strio_hook strio_hook;

/*
 * What waits for events outside the loop: poll() on hosted builds, the
 * firmware's own wait on bare metal (strio/bare.h).
 */
struct strio_backend {
    /* Waits until I/O is ready, strio_loop_notify() is called, or the clock
     * reaches `deadline` (STRIO_TIME_NEVER: no limit; a past deadline: do
     * not block). Wakes the tasks whose I/O is ready. Returns 0 or a
     * negative error. */
    int (*wait)(strio_backend *backend, strio_loop *loop, strio_time deadline);
    /* Interrupts a wait. Async-signal-safe and thread-safe. */
    void (*notify)(strio_backend *backend);
    /* Nonzero while a task waits on this backend (registered I/O). */
    int (*busy)(strio_backend *backend);
};

/* Something the loop polls after every notification (worker pools). */
struct strio_hook {
    void (*run)(strio_hook *hook, strio_loop *loop);
    strio_hook *next;
};

struct strio_loop {
    strio_clock *clock;
    strio_backend *backend;     /* NULL: no I/O (pure computation) */
    strio_task *ready_head, *ready_tail;
    strio_timer_heap timers;
    strio_hook *hooks;
    strio_task *root;
    unsigned long tasks;        /* live tasks */
    unsigned long switches;     /* task resumptions, for statistics */
    atomic_int notified;
    int hook_busy;              /* hooks with work outstanding */
    /* Testing and tracing: called each time a task suspends (after its
     * resume function returned STRIO_PENDING). NULL: off. */
    void (*on_suspend)(strio_loop *loop, strio_task *task, void *arg);
    void *on_suspend_arg;
};

/*
 * Prepares `loop` (caller-owned). `clock` is required (strio_vclock for
 * tests, strio_monotonic_clock() on hosted builds, the firmware's own on
 * bare metal); `backend` may be NULL for loops that do no I/O.
 */
void strio_loop_init(strio_loop *loop, strio_clock *clock,
                     strio_backend *backend);

/*
 * Runs `root` (prepared with strio_task_init) and everything it starts
 * until `root` completes. Returns 0, or STRIO_ESTATE if every task is
 * blocked and nothing can ever wake one (a deadlock). The root frame's
 * result is in the frame (and *result, if given to strio_task_init).
 */
int strio_loop_run(strio_loop *loop, strio_task *root);

/* The loop's current time. */
strio_time strio_loop_now(const strio_loop *loop);

/*
 * Wakes the loop from another thread or a signal/interrupt handler: the
 * loop runs its hooks on its next turn. Async-signal-safe.
 */
void strio_loop_notify(strio_loop *loop);

/* Registers a hook, or removes one (loop thread only). */
void strio_loop_add_hook(strio_loop *loop, strio_hook *hook);
void strio_loop_remove_hook(strio_loop *loop, strio_hook *hook);

/* For the runtime: makes `task` READY at the back of the run queue. */
void strio_loop_schedule(strio_loop *loop, strio_task *task);

#endif
