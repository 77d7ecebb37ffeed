/* FIFO of parked tasks (see strio/waitq.h); the bodies live in sched.h so
 * the runtime's own leaves inline them. */
#define STRIO_SCHED_DEFINES
#include <stddef.h>

#include <strio/waitq.h>

#include "sched.h"

void strio_waitq_init(strio_waitq *q)
{
    q->head = q->tail = NULL;
}

void strio__waitq_abort(strio_task *t)
{
    strio__waitq_unlink(t->wait_on, t);
}

void strio_waitq_park(strio_waitq *q, strio_task *task)
{
    strio__waitq_park(q, task);
}

strio_task *strio_waitq_wake_one(strio_waitq *q, int result)
{
    return strio__waitq_wake_one(q, result);
}

void strio_waitq_wake_all(strio_waitq *q, int result)
{
    strio__waitq_wake_all(q, result);
}

int strio_waitq_empty(const strio_waitq *q)
{
    return q->head == NULL;
}
