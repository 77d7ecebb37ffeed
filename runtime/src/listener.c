/* The generic listener calls: dispatch through the operations table, with
 * the busy checks every listener shares (see strio/listener.h). */
#include <errno.h>

#include <strio/listener.h>

void strio_listener_init(strio_listener *l, const strio_listener_ops *ops,
                         size_t stream_size)
{
    l->ops = ops;
    l->stream_size = stream_size;
    l->accept_busy = l->close_busy = 0;
}

/* ---- accept -------------------------------------------------------------- */

void strio_listener_accept_start(struct strio_listener_accept_frame *f,
                                 strio_listener *l, void *storage,
                                 strio_stream **out)
{
    f->strio_state = 0;
    f->l = l;
    f->storage = storage;
    f->out = out;
}

int strio_listener_accept_resume(void *vf, strio_task *task)
{
    struct strio_listener_accept_frame *f = vf;
    strio_listener *l = f->l;
    strio_stream *stream = NULL;
    long result;
    if (f->strio_state == 0) {
        if (f->out != NULL)
            *f->out = NULL;
        if (f->storage == NULL || f->out == NULL || l->ops->accept == NULL ||
            l->ops->accept_step == NULL) {
            f->strio_ret = -EINVAL;
            return STRIO_DONE;
        }
        if (l->accept_busy) {
            f->strio_ret = STRIO_EBUSY;
            return STRIO_DONE;
        }
        l->accept_busy = 1;
        l->ops->accept(l, f->storage);
        f->strio_state = 1;
    }
    if (l->ops->accept_step(l, task, &result, &stream) == STRIO_PENDING)
        return STRIO_PENDING;
    l->accept_busy = 0;
    *f->out = result == 0 ? stream : NULL;
    f->strio_ret = (int)result;
    return STRIO_DONE;
}

/* ---- close --------------------------------------------------------------- */

void strio_listener_close_start(struct strio_listener_close_frame *f,
                                strio_listener *l)
{
    f->strio_state = 0;
    f->l = l;
}

int strio_listener_close_resume(void *vf, strio_task *task)
{
    struct strio_listener_close_frame *f = vf;
    strio_listener *l = f->l;
    long result;
    if (f->strio_state == 0) {
        if (l->ops->close == NULL || l->ops->close_step == NULL) {
            f->strio_ret = -EINVAL;
            return STRIO_DONE;
        }
        if (l->close_busy) {
            /* a second close while one runs: that one releases everything */
            f->strio_ret = 0;
            return STRIO_DONE;
        }
        l->close_busy = 1;
        l->ops->close(l);
        f->strio_state = 1;
    }
    if (l->ops->close_step(l, task, &result) == STRIO_PENDING)
        return STRIO_PENDING;
    l->close_busy = 0;
    f->strio_ret = (int)result;
    return STRIO_DONE;
}
