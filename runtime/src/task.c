/* Minimal task runner and the checkpoint leaf (see strio/task.h). */
#include <strio/task.h>

void strio_task_init(strio_task *task, strio_resume_fn resume, void *frame)
{
    task->resume = resume;
    task->frame = frame;
    task->suspends = 0;
}

unsigned long strio_task_run(strio_task *task)
{
    while (task->resume(task->frame, task) == STRIO_PENDING)
        task->suspends++;
    return task->suspends;
}

void strio_checkpoint_start(struct strio_checkpoint_frame *frame)
{
    frame->strio_state = 0;
}

int strio_checkpoint_resume(void *vframe, strio_task *task)
{
    struct strio_checkpoint_frame *frame = vframe;
    (void)task;
    if (frame->strio_state == 0) {
        frame->strio_state = 1;
        return STRIO_PENDING;
    }
    frame->strio_ret = 0;
    return STRIO_DONE;
}
