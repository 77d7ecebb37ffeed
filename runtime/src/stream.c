/* The generic stream calls: dispatch through the operations table, with
 * the busy checks every stream shares (see strio/stream.h). */
#include <errno.h>

#include <strio/stream.h>

void strio_stream_init(strio_stream *s, const strio_stream_ops *ops)
{
    s->ops = ops;
    s->send_busy = s->receive_busy = s->close_busy = 0;
}

int strio_stream_can_send_eof(const strio_stream *s)
{
    return s->ops->send_eof != NULL;
}

/* Which side an operation occupies, and how to run its step. */
enum side { SEND, RECEIVE, CLOSE };

static unsigned char *busy_flag(strio_stream *s, enum side side)
{
    return side == SEND ? &s->send_busy
         : side == RECEIVE ? &s->receive_busy : &s->close_busy;
}

static int step(strio_stream *s, enum side side, strio_task *task,
                long *result)
{
    const strio_stream_ops *ops = s->ops;
    int rc = side == SEND ? ops->send_step(s, task, result)
           : side == RECEIVE ? ops->receive_step(s, task, result)
           : ops->close_step(s, task, result);
    if (rc == STRIO_DONE)
        *busy_flag(s, side) = 0;
    return rc;
}

/*
 * The shape of every dispatcher: state 0 claims the side (or fails at
 * once), starts the operation and runs its first step; later states run
 * further steps. `started` is false when the stream lacks the operation.
 */
static int claim(strio_stream *s, enum side side, int offered, long *result)
{
    unsigned char *busy = busy_flag(s, side);
    if (!offered) {
        *result = -EINVAL;
        return 0;
    }
    if (*busy) {
        /* a second close while one runs: that one releases everything */
        *result = side == CLOSE ? 0 : STRIO_EBUSY;
        return 0;
    }
    *busy = 1;
    return 1;
}

/* ---- send_all ------------------------------------------------------------ */

void strio_send_all_start(struct strio_send_all_frame *f, strio_stream *s,
                          const void *data, size_t len)
{
    f->strio_state = 0;
    f->s = s;
    f->data = data;
    f->len = len;
}

int strio_send_all_resume(void *vf, strio_task *task)
{
    struct strio_send_all_frame *f = vf;
    long result;
    if (f->strio_state == 0) {
        if (!claim(f->s, SEND, f->s->ops->send_all != NULL &&
                   f->s->ops->send_step != NULL, &result)) {
            f->strio_ret = (int)result;
            return STRIO_DONE;
        }
        f->s->ops->send_all(f->s, f->data, f->len);
        f->strio_state = 1;
    }
    if (step(f->s, SEND, task, &result) == STRIO_PENDING)
        return STRIO_PENDING;
    f->strio_ret = (int)result;
    return STRIO_DONE;
}

/* ---- wait_send_all_might_not_block --------------------------------------- */

void strio_wait_send_all_might_not_block_start(
    struct strio_wait_send_all_might_not_block_frame *f, strio_stream *s)
{
    f->strio_state = 0;
    f->s = s;
}

int strio_wait_send_all_might_not_block_resume(void *vf, strio_task *task)
{
    struct strio_wait_send_all_might_not_block_frame *f = vf;
    long result;
    if (f->strio_state == 0) {
        if (!claim(f->s, SEND, f->s->ops->wait_send != NULL &&
                   f->s->ops->send_step != NULL, &result)) {
            f->strio_ret = (int)result;
            return STRIO_DONE;
        }
        f->s->ops->wait_send(f->s);
        f->strio_state = 1;
    }
    if (step(f->s, SEND, task, &result) == STRIO_PENDING)
        return STRIO_PENDING;
    f->strio_ret = (int)result;
    return STRIO_DONE;
}

/* ---- send_eof ------------------------------------------------------------ */

void strio_send_eof_start(struct strio_send_eof_frame *f, strio_stream *s)
{
    f->strio_state = 0;
    f->s = s;
}

int strio_send_eof_resume(void *vf, strio_task *task)
{
    struct strio_send_eof_frame *f = vf;
    long result;
    if (f->strio_state == 0) {
        if (!claim(f->s, SEND, f->s->ops->send_eof != NULL &&
                   f->s->ops->send_step != NULL, &result)) {
            f->strio_ret = (int)result;
            return STRIO_DONE;
        }
        f->s->ops->send_eof(f->s);
        f->strio_state = 1;
    }
    if (step(f->s, SEND, task, &result) == STRIO_PENDING)
        return STRIO_PENDING;
    f->strio_ret = (int)result;
    return STRIO_DONE;
}

/* ---- receive_some -------------------------------------------------------- */

void strio_receive_some_start(struct strio_receive_some_frame *f,
                              strio_stream *s, void *buf, size_t max)
{
    f->strio_state = 0;
    f->s = s;
    f->buf = buf;
    f->max = max;
}

int strio_receive_some_resume(void *vf, strio_task *task)
{
    struct strio_receive_some_frame *f = vf;
    long result;
    if (f->strio_state == 0) {
        if (!claim(f->s, RECEIVE, f->s->ops->receive_some != NULL &&
                   f->s->ops->receive_step != NULL && f->max > 0, &result)) {
            f->strio_ret = result;
            return STRIO_DONE;
        }
        f->s->ops->receive_some(f->s, f->buf, f->max);
        f->strio_state = 1;
    }
    if (step(f->s, RECEIVE, task, &result) == STRIO_PENDING)
        return STRIO_PENDING;
    f->strio_ret = result;
    return STRIO_DONE;
}

/* ---- close --------------------------------------------------------------- */

void strio_stream_close_start(struct strio_stream_close_frame *f,
                              strio_stream *s)
{
    f->strio_state = 0;
    f->s = s;
}

int strio_stream_close_resume(void *vf, strio_task *task)
{
    struct strio_stream_close_frame *f = vf;
    long result;
    if (f->strio_state == 0) {
        if (!claim(f->s, CLOSE, f->s->ops->close != NULL &&
                   f->s->ops->close_step != NULL, &result)) {
            f->strio_ret = (int)result;
            return STRIO_DONE;
        }
        f->s->ops->close(f->s);
        f->strio_state = 1;
    }
    if (step(f->s, CLOSE, task, &result) == STRIO_PENDING)
        return STRIO_PENDING;
    f->strio_ret = (int)result;
    return STRIO_DONE;
}
