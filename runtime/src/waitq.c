/* FIFO of parked tasks (see strio/waitq.h). */
#include <stddef.h>

#include <strio/waitq.h>

void strio_waitq_init(strio_waitq *q)
{
    q->head = q->tail = NULL;
}

static void unlink_task(strio_waitq *q, strio_task *t)
{
    if (t->prev != NULL)
        t->prev->next = t->next;
    else
        q->head = t->next;
    if (t->next != NULL)
        t->next->prev = t->prev;
    else
        q->tail = t->prev;
    t->next = t->prev = NULL;
}

static void waitq_abort(strio_task *t)
{
    unlink_task(t->wait_on, t);
}

void strio_waitq_park(strio_waitq *q, strio_task *task)
{
    task->next = NULL;
    task->prev = q->tail;
    if (q->tail != NULL)
        q->tail->next = task;
    else
        q->head = task;
    q->tail = task;
    strio_task_park(task, waitq_abort, q);
}

strio_task *strio_waitq_wake_one(strio_waitq *q, int result)
{
    strio_task *t = q->head;
    if (t == NULL)
        return NULL;
    unlink_task(q, t);
    strio_task_wake(t, result);
    return t;
}

void strio_waitq_wake_all(strio_waitq *q, int result)
{
    while (strio_waitq_wake_one(q, result) != NULL)
        ;
}

int strio_waitq_empty(const strio_waitq *q)
{
    return q->head == NULL;
}
