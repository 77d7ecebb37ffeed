/*
 * sched.h -- private to the runtime: the scheduler's hot calls (schedule,
 * park, wake, yield, cancelled, wait queues) as inline functions, so the
 * library's own leaves do not pay a call across files per task switch.
 * The public functions of the same names (task.c, loop.c, waitq.c) are
 * defined from these for everyone else. A runtime file that includes this
 * header gets the inline versions under the public names, unless it
 * defines STRIO_SCHED_DEFINES first (the files that define the functions).
 */
#ifndef STRIO_SRC_SCHED_H
#define STRIO_SRC_SCHED_H

#include <stddef.h>

#include <strio/cancel.h>
#include <strio/loop.h>
#include <strio/waitq.h>

static inline void strio__schedule(strio_loop *loop, strio_task *task)
{
    task->state = STRIO_TASK_READY;
    task->next = NULL;
    if (loop->ready_tail != NULL)
        loop->ready_tail->next = task;
    else
        loop->ready_head = task;
    loop->ready_tail = task;
}

static inline void strio__park(strio_task *task, strio_abort_fn abort,
                               void *wait_on)
{
    task->state = STRIO_TASK_PARKED;
    task->abort = abort;
    task->wait_on = wait_on;
}

static inline void strio__wake(strio_task *task, int result)
{
    if (task->state != STRIO_TASK_PARKED)
        return;
    task->wake_result = result;
    task->abort = NULL;
    task->wait_on = NULL;
    if (task->loop != NULL)
        strio__schedule(task->loop, task);
    else
        task->state = STRIO_TASK_READY;
}

static inline void strio__yield(strio_task *task)
{
    if (task->loop != NULL)
        strio__schedule(task->loop, task);
    else
        task->state = STRIO_TASK_READY;
}

static inline int strio__cancelled(const strio_task *task)
{
    for (const strio_cancel_scope *s = task->scope; s != NULL; s = s->parent) {
        if (s->cancel_called)
            return 1;
        if (s->shield)
            return 0;
    }
    return 0;
}

/* Wait queues: the abort hook stays a real function (its address is
 * stored in the parked task). */
void strio__waitq_abort(strio_task *task);

static inline void strio__waitq_unlink(strio_waitq *q, strio_task *t)
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

static inline void strio__waitq_park(strio_waitq *q, strio_task *task)
{
    task->next = NULL;
    task->prev = q->tail;
    if (q->tail != NULL)
        q->tail->next = task;
    else
        q->head = task;
    q->tail = task;
    strio__park(task, strio__waitq_abort, q);
}

static inline strio_task *strio__waitq_wake_one(strio_waitq *q, int result)
{
    strio_task *t = q->head;
    if (t == NULL)
        return NULL;
    strio__waitq_unlink(q, t);
    strio__wake(t, result);
    return t;
}

static inline void strio__waitq_wake_all(strio_waitq *q, int result)
{
    while (strio__waitq_wake_one(q, result) != NULL)
        ;
}

#ifndef STRIO_SCHED_DEFINES
#define strio_loop_schedule strio__schedule
#define strio_task_park strio__park
#define strio_task_wake strio__wake
#define strio_task_yield strio__yield
#define strio_task_cancelled strio__cancelled
#define strio_waitq_park strio__waitq_park
#define strio_waitq_wake_one strio__waitq_wake_one
#define strio_waitq_wake_all strio__waitq_wake_all
#endif

#endif
