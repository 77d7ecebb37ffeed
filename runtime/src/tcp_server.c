/*
 * strio__serve_call (strio/tcp_server.h): awaits a frame through its
 * resume function, which the dialect cannot write (no pointers to async
 * functions). The server runs each connection's handler with it.
 */
#include <strio/tcp_server.h>

void strio__serve_call_start(struct strio__serve_call_frame *f,
                             strio_resume_fn resume, void *frame,
                             int *result)
{
    f->strio_state = 0;
    f->resume = resume;
    f->frame = frame;
    f->result = result;
}

int strio__serve_call_resume(void *vf, strio_task *task)
{
    struct strio__serve_call_frame *f = vf;
    if (f->resume(f->frame, task) == STRIO_PENDING)
        return STRIO_PENDING;
    f->strio_ret = *f->result;
    return STRIO_DONE;
}
