/*
 * strio/waitq.h -- a FIFO of parked tasks, the building block of every
 * waiting primitive (events, locks, channels, pools, nurseries).
 *
 * Intrusive: the links live in the task (a task waits on one thing at a
 * time). Cancellation of a parked task removes it from its queue.
 */
#ifndef STRIO_WAITQ_H
#define STRIO_WAITQ_H

#include <strio/task.h>

typedef struct strio_waitq {
    strio_task *head, *tail;
} strio_waitq;

void strio_waitq_init(strio_waitq *q);

/* Parks the running `task` at the back of `q` (the leaf then returns
 * STRIO_PENDING); cancellation takes it out and wakes it with
 * STRIO_ECANCELED. */
void strio_waitq_park(strio_waitq *q, strio_task *task);

/* Wakes the first waiter with `result`; returns it, or NULL if empty. */
strio_task *strio_waitq_wake_one(strio_waitq *q, int result);

/* Wakes every waiter with `result`. */
void strio_waitq_wake_all(strio_waitq *q, int result);

/* Nonzero if no task waits. */
int strio_waitq_empty(const strio_waitq *q);

#endif
