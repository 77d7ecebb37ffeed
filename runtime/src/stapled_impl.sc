/*
 * The stapled stream (see strio/stapled.h): each operation forwards to one
 * of the two streams through the generic calls, whose frames are all the
 * state a stapled stream needs. The generated header of this file carries
 * the frames strio/stapled.h embeds (this file must not be named
 * stapled.sc: its generated header would shadow the public one).
 */
#include <strio/stapled.h>

/* ---- the operations (private; reached through the ops table) ---------- */

async int strio_stapled_do_send_all(strio_stapled_stream *st,
                                    const void *data, size_t len)
{
    return await strio_send_all(st->send_stream, data, len);
}

async int strio_stapled_do_wait_send(strio_stapled_stream *st)
{
    return await strio_wait_send_all_might_not_block(st->send_stream);
}

async int strio_stapled_do_send_eof(strio_stapled_stream *st)
{
    /* after our close every operation fails; the others learn it from the
     * closed inner streams, but closing is idempotent */
    if (st->closed) {
        int rc = await strio_checkpoint();
        return rc < 0 ? rc : STRIO_ECLOSED;
    }
    if (strio_stream_can_send_eof(st->send_stream))
        return await strio_send_eof(st->send_stream);
    /* Trio: a send side without send_eof is closed instead; the peer then
     * reads end of stream just the same. But a close would act even in a
     * cancelled scope: send_eof must not (a checkpoint does nothing). */
    if (strio_task_cancelled(STRIO_SELF))
        return STRIO_ECANCELED;
    return await strio_stream_close(st->send_stream);
}

async long strio_stapled_do_receive_some(strio_stapled_stream *st, void *buf,
                                         size_t max)
{
    return await strio_receive_some(st->receive_stream, buf, max);
}

async int strio_stapled_do_close(strio_stapled_stream *st)
{
    /* a close already running on the send side (our own send_eof) makes
     * this one return 0 at once: the generic layer handles it */
    int rc = await strio_stream_close(st->send_stream);
    /* always, even if the first close failed or was cancelled: a
     * cancelled close still closes */
    int rc2 = await strio_stream_close(st->receive_stream);
    return rc < 0 ? rc : rc2;
}

/* ---- the operations table --------------------------------------------- */

/* Which send-side operation the send frame holds. (Not an enum: type
 * definitions of this file would travel into its generated header.) */
static const unsigned char op_send_all = 1, op_wait_send = 2, op_send_eof = 3;

static strio_stapled_stream *stapled(strio_stream *s)
{
    return (strio_stapled_stream *)s;
}

static void st_send_all(strio_stream *s, const void *data, size_t len)
{
    strio_stapled_stream *st = stapled(s);
    st->send_op = op_send_all;
    strio_stapled_do_send_all_start(&st->send_frame.send_all, st, data, len);
}

static void st_wait_send(strio_stream *s)
{
    strio_stapled_stream *st = stapled(s);
    st->send_op = op_wait_send;
    strio_stapled_do_wait_send_start(&st->send_frame.wait_send, st);
}

static void st_send_eof(strio_stream *s)
{
    strio_stapled_stream *st = stapled(s);
    st->send_op = op_send_eof;
    strio_stapled_do_send_eof_start(&st->send_frame.send_eof, st);
}

static int st_send_step(strio_stream *s, strio_task *task, long *result)
{
    strio_stapled_stream *st = stapled(s);
    int rc;
    if (st->send_op == op_send_all) {
        rc = strio_stapled_do_send_all_resume(&st->send_frame.send_all, task);
        if (rc == STRIO_DONE)
            *result = st->send_frame.send_all.strio_ret;
    } else if (st->send_op == op_wait_send) {
        rc = strio_stapled_do_wait_send_resume(&st->send_frame.wait_send,
                                               task);
        if (rc == STRIO_DONE)
            *result = st->send_frame.wait_send.strio_ret;
    } else {
        rc = strio_stapled_do_send_eof_resume(&st->send_frame.send_eof, task);
        if (rc == STRIO_DONE)
            *result = st->send_frame.send_eof.strio_ret;
    }
    return rc;
}

static void st_receive_some(strio_stream *s, void *buf, size_t max)
{
    strio_stapled_stream *st = stapled(s);
    strio_stapled_do_receive_some_start(&st->receive_frame, st, buf, max);
}

static int st_receive_step(strio_stream *s, strio_task *task, long *result)
{
    strio_stapled_stream *st = stapled(s);
    int rc = strio_stapled_do_receive_some_resume(&st->receive_frame, task);
    if (rc == STRIO_DONE)
        *result = st->receive_frame.strio_ret;
    return rc;
}

static void st_close(strio_stream *s)
{
    strio_stapled_stream *st = stapled(s);
    st->closed = 1;
    strio_stapled_do_close_start(&st->close_frame, st);
}

static int st_close_step(strio_stream *s, strio_task *task, long *result)
{
    strio_stapled_stream *st = stapled(s);
    int rc = strio_stapled_do_close_resume(&st->close_frame, task);
    if (rc == STRIO_DONE)
        *result = st->close_frame.strio_ret;
    return rc;
}

static const strio_stream_ops stapled_ops = {
    .name = "stapled",
    .send_all = st_send_all,
    .wait_send = st_wait_send,
    .send_eof = st_send_eof,
    .send_step = st_send_step,
    .receive_some = st_receive_some,
    .receive_step = st_receive_step,
    .close = st_close,
    .close_step = st_close_step,
};

void strio_stapled_stream_init(strio_stapled_stream *st, strio_stream *send,
                               strio_stream *receive)
{
    strio_stream_init(&st->base, &stapled_ops);
    st->send_stream = send;
    st->receive_stream = receive;
    st->closed = 0;
    st->send_op = 0;
}
