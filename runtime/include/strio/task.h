/*
 * strio/task.h -- tasks and the checkpoint leaf.
 *
 * A task is a root frame plus the bookkeeping the scheduler needs. This is
 * the minimal runner the generator's tests need: it drives one task until
 * its root frame completes. The scheduler (run queue, timers, cancellation)
 * grows here; the calling convention in strio/async.h does not change.
 */
#ifndef STRIO_TASK_H
#define STRIO_TASK_H

#include <strio/async.h>

struct strio_task {
    strio_resume_fn resume;   /* resume function of the root frame */
    void *frame;              /* root frame, caller-owned, never moved */
    unsigned long suspends;   /* times the root frame returned PENDING */
};

/*
 * Prepares `task` to run `resume` on `frame`. The caller has already bound
 * the arguments with the root function's start function. Both `task` and
 * `frame` stay owned by the caller and must outlive the run.
 */
void strio_task_init(strio_task *task, strio_resume_fn resume, void *frame);

/*
 * Runs `task` until its root frame completes. With no I/O or timers yet,
 * a suspended task is simply resumed again (every leaf that suspends has
 * already made itself ready). Returns the number of suspensions.
 */
unsigned long strio_task_run(strio_task *task);

/*
 * async int strio_checkpoint(void)
 *
 * Yields to the scheduler once, then completes with 0. It is the leaf every
 * library operation passes through, so every operation is a place where
 * the task may be switched out (and, with the full core, cancelled).
 */
STRIO_ASYNC_DECL(int strio_checkpoint(void))
struct strio_checkpoint_frame {
    unsigned short strio_state;
    int strio_ret;
};
void strio_checkpoint_start(struct strio_checkpoint_frame *frame);
int strio_checkpoint_resume(void *frame, strio_task *task);

#endif
