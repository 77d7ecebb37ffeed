/*
 * strio/task.h -- tasks, and how leaf operations suspend them.
 *
 * A task is a root frame plus the bookkeeping the scheduler needs; both are
 * caller-owned. A task is always in exactly one state:
 *
 *   READY    queued to run in the next batch of its loop
 *   RUNNING  its resume function is executing
 *   PARKED   waiting; someone will call strio_task_wake() on it
 *   DONE     its root frame completed; the slot may be reused
 *
 * Leaf operations (the few hand-written state machines) suspend the task by
 * registering it with whatever will wake it, calling strio_task_park(), and
 * returning STRIO_PENDING. Everything above leaves is generated code.
 */
#ifndef STRIO_TASK_H
#define STRIO_TASK_H

#include <strio/async.h>
#include <strio/error.h>
#include <strio/time.h>
#include <strio/timer.h>

typedef struct strio_loop strio_loop;
typedef struct strio_cancel_scope strio_cancel_scope;
typedef struct strio_nursery strio_nursery;
typedef struct strio_pool strio_pool;

/* Inside an async function, the task running it (the generated resume
 * function's task parameter). Only meaningful in annotated code. */
#define STRIO_SELF strio_T

enum { STRIO_TASK_DONE = 0, STRIO_TASK_READY, STRIO_TASK_RUNNING,
       STRIO_TASK_PARKED };

/* Called when a parked task must stop waiting (it was cancelled): undo the
 * registration made before parking. Runs on the loop's thread. */
typedef void (*strio_abort_fn)(strio_task *task);

struct strio_task {
    strio_resume_fn resume;     /* the root frame's resume function */
    void *frame;                /* root frame, never moved */
    int *result;                /* where the root frame leaves its result */
    strio_loop *loop;
    strio_task *next, *prev;    /* run queue, or the wait queue it parks on */
    void *wait_on;              /* what it is parked on (for abort fns) */
    strio_abort_fn abort;       /* NULL: the wait cannot be interrupted */
    strio_cancel_scope *scope;  /* innermost cancel scope in effect */
    strio_nursery *nurseries;   /* innermost nursery this task has open */
    strio_nursery *parent;      /* nursery that started it (NULL: root) */
    strio_task *sib_next, *sib_prev;  /* children of the same nursery */
    strio_pool *pool;           /* pool slot to release when done */
    strio_timer timer;          /* for sleeping (one wait at a time) */
    int wake_result;            /* what strio_task_wake() passed */
    unsigned char state;
    unsigned long switches;     /* times it suspended (statistics) */
};

/*
 * Prepares `task` to run the root frame `frame` (already bound with its
 * start function) whose resume function is `resume`; `result`, if not
 * NULL, points at the frame's int result (`&frame->strio_ret`), which the
 * nursery or loop reads when the task completes.
 */
void strio_task_init(strio_task *task, strio_resume_fn resume, void *frame,
                     int *result);

/*
 * Runs `task` alone, without a loop, until its root frame completes: each
 * suspension is simply resumed again. For code that only awaits
 * checkpoints (tests, the generator's differential corpus); a task that
 * parks for anything else never completes here (returns STRIO_ESTATE).
 * Returns the number of suspensions.
 */
unsigned long strio_task_run(strio_task *task);

/*
 * For leaf operations. Marks the running task PARKED; the leaf has already
 * registered it with what will wake it and returns STRIO_PENDING next.
 * `abort` (may be NULL for a wait that must not be interrupted) is called if
 * the task gets cancelled while parked, after which the task is woken with
 * STRIO_ECANCELED.
 */
void strio_task_park(strio_task *task, strio_abort_fn abort, void *wait_on);

/*
 * Makes a PARKED task READY; the leaf reads `result` from wake_result when
 * it resumes. Does nothing for a task that is not parked. Loop thread only.
 */
void strio_task_wake(strio_task *task, int result);

/*
 * For leaf operations: makes the running task READY again at the back of
 * the run queue (a pure yield). The leaf then returns STRIO_PENDING.
 */
void strio_task_yield(strio_task *task);

/* Nonzero if a cancel scope in effect for `task` has been cancelled
 * (stopping at the first shielded scope). */
int strio_task_cancelled(const strio_task *task);

/* The current time of the task's loop. */
strio_time strio_task_now(const strio_task *task);

/* ---- leaf operations ------------------------------------------------- */

/*
 * async int strio_checkpoint(void)
 *
 * Yields to the scheduler once and delivers cancellation: returns
 * STRIO_ECANCELED if the task is in a cancelled scope (before or after the
 * yield), else 0. Every async operation of the library passes through a
 * checkpoint or parks, so one task cannot starve the others.
 */
STRIO_ASYNC_DECL(int strio_checkpoint(void))
struct strio_checkpoint_frame {
    unsigned short strio_state;
    int strio_ret;
};
void strio_checkpoint_start(struct strio_checkpoint_frame *frame);
int strio_checkpoint_resume(void *frame, strio_task *task);

/*
 * async int strio_sleep_until(strio_time deadline)
 *
 * Sleeps until the loop's clock reaches `deadline` (returns at once, after
 * a yield, when it already has). Returns 0, or STRIO_ECANCELED.
 */
STRIO_ASYNC_DECL(int strio_sleep_until(strio_time deadline))
struct strio_sleep_until_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_time deadline;
};
void strio_sleep_until_start(struct strio_sleep_until_frame *frame,
                             strio_time deadline);
int strio_sleep_until_resume(void *frame, strio_task *task);

/*
 * async int strio_sleep(strio_time duration)
 *
 * Sleeps for `duration` nanoseconds (<= 0: a checkpoint). Returns 0, or
 * STRIO_ECANCELED. Written in the dialect (runtime/src/sleep.sc).
 */

/*
 * async int strio_wait_forever(void)
 *
 * Parks until cancelled; always returns STRIO_ECANCELED.
 */
STRIO_ASYNC_DECL(int strio_wait_forever(void))
struct strio_wait_forever_frame {
    unsigned short strio_state;
    int strio_ret;
};
void strio_wait_forever_start(struct strio_wait_forever_frame *frame);
int strio_wait_forever_resume(void *frame, strio_task *task);

#endif
