/* Tasks, parking, and the basic leaves (see strio/task.h). */
#define STRIO_SCHED_DEFINES
#include <stddef.h>

#include <strio/cancel.h>
#include <strio/loop.h>

#include "sched.h"

void strio_task_init(strio_task *task, strio_resume_fn resume, void *frame,
                     int *result)
{
    task->resume = resume;
    task->frame = frame;
    task->result = result;
    task->loop = NULL;
    task->next = task->prev = NULL;
    task->wait_on = NULL;
    task->abort = NULL;
    task->scope = NULL;
    task->nurseries = NULL;
    task->parent = NULL;
    task->sib_next = task->sib_prev = NULL;
    task->pool = NULL;
    task->timer.armed = 0;
    task->timer.kind = STRIO_TIMER_TASK;
    task->wake_result = 0;
    task->state = STRIO_TASK_READY;
    task->switches = 0;
}

unsigned long strio_task_run(strio_task *task)
{
    for (;;) {
        task->state = STRIO_TASK_RUNNING;
        if (task->resume(task->frame, task) == STRIO_DONE) {
            task->state = STRIO_TASK_DONE;
            return task->switches;
        }
        task->switches++;
        if (task->state == STRIO_TASK_PARKED)
            return task->switches;   /* nothing here can wake it */
    }
}

void strio_task_park(strio_task *task, strio_abort_fn abort, void *wait_on)
{
    strio__park(task, abort, wait_on);
}

void strio_task_wake(strio_task *task, int result)
{
    strio__wake(task, result);
}

void strio_task_yield(strio_task *task)
{
    strio__yield(task);
}

int strio_task_cancelled(const strio_task *task)
{
    return strio__cancelled(task);
}

strio_time strio_task_now(const strio_task *task)
{
    return strio_loop_now(task->loop);
}

/* ---- checkpoint ---------------------------------------------------------- */

void strio_checkpoint_start(struct strio_checkpoint_frame *frame)
{
    frame->strio_state = 0;
}

int strio_checkpoint_resume(void *vframe, strio_task *task)
{
    struct strio_checkpoint_frame *f = vframe;
    if (f->strio_state == 0 && !strio_task_cancelled(task)) {
        f->strio_state = 1;
        strio_task_yield(task);
        return STRIO_PENDING;
    }
    f->strio_ret = strio_task_cancelled(task) ? STRIO_ECANCELED : 0;
    return STRIO_DONE;
}

/* ---- sleep_until ------------------------------------------------------------ */

void strio_sleep_until_start(struct strio_sleep_until_frame *frame,
                             strio_time deadline)
{
    frame->strio_state = 0;
    frame->deadline = deadline;
}

static void sleep_abort(strio_task *task)
{
    strio_timer_remove(&task->loop->timers, &task->timer);
}

static void forever_abort(strio_task *task)
{
    (void)task;
}

int strio_sleep_until_resume(void *vframe, strio_task *task)
{
    struct strio_sleep_until_frame *f = vframe;
    switch (f->strio_state) {
    case 0:
        if (strio_task_cancelled(task))
            break;
        f->strio_state = 1;
        if (f->deadline <= strio_task_now(task)) {
            task->wake_result = 0;
            strio_task_yield(task);
            return STRIO_PENDING;
        }
        if (f->deadline == STRIO_TIME_NEVER) {
            /* no timer: only a cancellation ends it (and a timer at the
             * end of time would hide a deadlock from the loop) */
            task->wake_result = 0;
            strio_task_park(task, forever_abort, NULL);
            return STRIO_PENDING;
        }
        task->timer.kind = STRIO_TIMER_TASK;
        strio_timer_insert(&task->loop->timers, &task->timer, f->deadline);
        strio_task_park(task, sleep_abort, NULL);
        return STRIO_PENDING;
    default:
        f->strio_ret = task->wake_result;
        if (f->strio_ret == 0 && strio_task_cancelled(task))
            f->strio_ret = STRIO_ECANCELED;
        return STRIO_DONE;
    }
    f->strio_ret = STRIO_ECANCELED;
    return STRIO_DONE;
}

/* ---- wait_forever ------------------------------------------------------------ */

void strio_wait_forever_start(struct strio_wait_forever_frame *frame)
{
    frame->strio_state = 0;
}

int strio_wait_forever_resume(void *vframe, strio_task *task)
{
    struct strio_wait_forever_frame *f = vframe;
    if (f->strio_state == 0 && !strio_task_cancelled(task)) {
        f->strio_state = 1;
        task->wake_result = 0;
        strio_task_park(task, forever_abort, NULL);
        return STRIO_PENDING;
    }
    f->strio_ret = STRIO_ECANCELED;
    return STRIO_DONE;
}
