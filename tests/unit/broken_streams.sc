/*
 * broken_streams.sc -- deliberately broken streams, for checking that the
 * conformance suite (strio/conformance.h) catches each kind of bug and
 * names the right property (tests/unit/test_streams.c).
 *
 * Each is a wrapper around a correct stream (`inner`, used only through
 * the wrapper) that behaves like it except for one bug:
 *
 *   CS_BROKEN_DROP     receive_some silently drops the inner stream's byte
 *                      number `drop_at` (0-based, counted over the
 *                      wrapper's life).
 *   CS_BROKEN_NO_BUSY  the send side has no busy detection: it clears the
 *                      generic send_busy flag as soon as an operation
 *                      starts, so the generic check never fires, and
 *                      serializes concurrent send-side operations with a
 *                      lock instead (a second send_all waits for the first
 *                      and then succeeds, where it must fail with
 *                      STRIO_EBUSY at once).
 *   CS_BROKEN_NO_EOF   receive_some never reports end of stream: when the
 *                      inner stream returns 0 it waits forever (until
 *                      cancelled).
 *   CS_BROKEN_LOSSY    receive_some checkpoints once more after taking
 *                      bytes from the inner stream, and if cancelled then,
 *                      returns STRIO_ECANCELED: the bytes are lost (a
 *                      completed operation reported as cancelled).
 *
 * Written as plain C leaves over the generic calls (strio/stream.h) and
 * the lock (strio/sync.h), whose frames have hand-written types, so the
 * wrapper can embed them. The wrapper offers exactly the operations its
 * inner stream offers.
 */
#include <string.h>

#include <strio/strio.h>

enum { CS_BROKEN_DROP = 1, CS_BROKEN_NO_BUSY, CS_BROKEN_NO_EOF,
       CS_BROKEN_LOSSY };

enum { CS_OP_SEND = 1, CS_OP_WAIT, CS_OP_EOF };

#define CS_LAX_SLOTS 4

/* CS_BROKEN_NO_BUSY: one in-flight send-side operation per task. */
struct cs_lax_slot {
    strio_task *task;           /* bound at the operation's first step */
    unsigned char used, op, state;
    const void *data;
    size_t len;
    struct strio_lock_acquire_frame lock;
    union {
        struct strio_send_all_frame send;
        struct strio_wait_send_all_might_not_block_frame wait;
        struct strio_send_eof_frame eof;
    } f;
};

struct cs_broken_stream {
    strio_stream base;
    strio_stream *inner;
    int kind;
    strio_stream_ops ops;       /* trimmed to the inner stream's */
    /* CS_BROKEN_DROP */
    unsigned long drop_at;
    unsigned long inner_bytes;  /* received from the inner stream */
    unsigned long dropped;
    /* send side (correct kinds) */
    unsigned char send_op;
    union {
        struct strio_send_all_frame send;
        struct strio_wait_send_all_might_not_block_frame wait;
        struct strio_send_eof_frame eof;
    } sf;
    /* CS_BROKEN_NO_BUSY */
    strio_lock lock;
    struct cs_lax_slot slots[CS_LAX_SLOTS];
    int pending;                /* slot started, not yet bound to a task */
    unsigned long max_in_flight, in_flight;
    /* receive side */
    unsigned char *rbuf;
    size_t rmax;
    unsigned char forever;      /* CS_BROKEN_NO_EOF: swallowing the EOF */
    unsigned char after;        /* CS_BROKEN_LOSSY: in the extra yield */
    long got;                   /* CS_BROKEN_LOSSY: what the inner gave */
    struct strio_receive_some_frame rf;
    struct strio_wait_forever_frame ff;
    struct strio_checkpoint_frame cp;
    /* close */
    struct strio_stream_close_frame cf;
};

#define CS_W(s) ((struct cs_broken_stream *)(s))

/* ---- send side, correct: straight to the inner stream ------------------ */

static void w_send_all(strio_stream *s, const void *data, size_t len)
{
    CS_W(s)->send_op = CS_OP_SEND;
    strio_send_all_start(&CS_W(s)->sf.send, CS_W(s)->inner, data, len);
}

static void w_wait_send(strio_stream *s)
{
    struct cs_broken_stream *w = CS_W(s);
    w->send_op = CS_OP_WAIT;
    strio_wait_send_all_might_not_block_start(&w->sf.wait, w->inner);
}

static void w_send_eof(strio_stream *s)
{
    CS_W(s)->send_op = CS_OP_EOF;
    strio_send_eof_start(&CS_W(s)->sf.eof, CS_W(s)->inner);
}

static int w_send_step(strio_stream *s, strio_task *task, long *result)
{
    struct cs_broken_stream *w = CS_W(s);
    switch (w->send_op) {
    case CS_OP_SEND:
        if (strio_send_all_resume(&w->sf.send, task) == STRIO_PENDING)
            return STRIO_PENDING;
        *result = w->sf.send.strio_ret;
        return STRIO_DONE;
    case CS_OP_WAIT:
        if (strio_wait_send_all_might_not_block_resume(&w->sf.wait, task) ==
            STRIO_PENDING)
            return STRIO_PENDING;
        *result = w->sf.wait.strio_ret;
        return STRIO_DONE;
    default:
        if (strio_send_eof_resume(&w->sf.eof, task) == STRIO_PENDING)
            return STRIO_PENDING;
        *result = w->sf.eof.strio_ret;
        return STRIO_DONE;
    }
}

/* ---- send side, CS_BROKEN_NO_BUSY --------------------------------------- */

static void lax_start(strio_stream *s, int op, const void *data, size_t len)
{
    struct cs_broken_stream *w = CS_W(s);
    s->send_busy = 0;           /* THE BUG: the generic check never fires */
    w->pending = -1;
    for (int i = 0; i < CS_LAX_SLOTS; i++) {
        struct cs_lax_slot *sl = &w->slots[i];
        if (!sl->used) {
            memset(sl, 0, sizeof *sl);
            sl->used = 1;
            sl->op = (unsigned char)op;
            sl->data = data;
            sl->len = len;
            w->pending = i;
            break;
        }
    }
}

static void lax_send_all(strio_stream *s, const void *data, size_t len)
{
    lax_start(s, CS_OP_SEND, data, len);
}

static void lax_wait_send(strio_stream *s)
{
    lax_start(s, CS_OP_WAIT, NULL, 0);
}

static void lax_send_eof(strio_stream *s)
{
    lax_start(s, CS_OP_EOF, NULL, 0);
}

static int lax_send_step(strio_stream *s, strio_task *task, long *result)
{
    struct cs_broken_stream *w = CS_W(s);
    struct cs_lax_slot *sl = NULL;
    for (int i = 0; i < CS_LAX_SLOTS; i++) {
        if (w->slots[i].used && w->slots[i].task == task)
            sl = &w->slots[i];
    }
    if (sl == NULL) {
        if (w->pending < 0) {
            *result = STRIO_EBUSY;      /* out of slots */
            return STRIO_DONE;
        }
        sl = &w->slots[w->pending];
        sl->task = task;
        w->pending = -1;
        if (++w->in_flight > w->max_in_flight)
            w->max_in_flight = w->in_flight;
    }
    int rc;
    switch (sl->state) {
    case 0:
        strio_lock_acquire_start(&sl->lock, &w->lock);
        sl->state = 1;
        /* fall through */
    case 1:
        if (strio_lock_acquire_resume(&sl->lock, task) == STRIO_PENDING)
            return STRIO_PENDING;
        if (sl->lock.strio_ret < 0) {
            *result = sl->lock.strio_ret;
            break;
        }
        if (sl->op == CS_OP_SEND)
            strio_send_all_start(&sl->f.send, w->inner, sl->data, sl->len);
        else if (sl->op == CS_OP_WAIT)
            strio_wait_send_all_might_not_block_start(&sl->f.wait, w->inner);
        else
            strio_send_eof_start(&sl->f.eof, w->inner);
        sl->state = 2;
        /* fall through */
    default:
        if (sl->op == CS_OP_SEND) {
            rc = strio_send_all_resume(&sl->f.send, task);
            *result = sl->f.send.strio_ret;
        } else if (sl->op == CS_OP_WAIT) {
            rc = strio_wait_send_all_might_not_block_resume(&sl->f.wait,
                                                            task);
            *result = sl->f.wait.strio_ret;
        } else {
            rc = strio_send_eof_resume(&sl->f.eof, task);
            *result = sl->f.eof.strio_ret;
        }
        if (rc == STRIO_PENDING)
            return STRIO_PENDING;
        strio_lock_release(&w->lock, task);
        break;
    }
    sl->used = 0;
    sl->task = NULL;
    w->in_flight--;
    return STRIO_DONE;
}

/* ---- receive side ------------------------------------------------------- */

static void w_receive_some(strio_stream *s, void *buf, size_t max)
{
    struct cs_broken_stream *w = CS_W(s);
    w->rbuf = buf;
    w->rmax = max;
    w->forever = 0;
    w->after = 0;
    strio_receive_some_start(&w->rf, w->inner, buf, max);
}

static int w_receive_step(strio_stream *s, strio_task *task, long *result)
{
    struct cs_broken_stream *w = CS_W(s);
    for (;;) {
        if (w->after) {
            if (strio_checkpoint_resume(&w->cp, task) == STRIO_PENDING)
                return STRIO_PENDING;
            /* THE BUG: cancelled now, the bytes taken are dropped */
            *result = w->cp.strio_ret < 0 ? w->cp.strio_ret : w->got;
            return STRIO_DONE;
        }
        if (w->forever) {
            if (strio_wait_forever_resume(&w->ff, task) == STRIO_PENDING)
                return STRIO_PENDING;
            *result = w->ff.strio_ret;
            return STRIO_DONE;
        }
        if (strio_receive_some_resume(&w->rf, task) == STRIO_PENDING)
            return STRIO_PENDING;
        long n = w->rf.strio_ret;
        if (n == 0 && w->kind == CS_BROKEN_NO_EOF) {
            w->forever = 1;     /* THE BUG: end of stream never reported */
            strio_wait_forever_start(&w->ff);
            continue;
        }
        if (n > 0 && w->kind == CS_BROKEN_DROP && !w->dropped &&
            w->drop_at >= w->inner_bytes &&
            w->drop_at < w->inner_bytes + (unsigned long)n) {
            /* THE BUG: one byte disappears */
            size_t k = (size_t)(w->drop_at - w->inner_bytes);
            memmove(w->rbuf + k, w->rbuf + k + 1, (size_t)n - k - 1);
            w->inner_bytes += (unsigned long)n;
            w->dropped = 1;
            n--;
            if (n == 0) {       /* nothing left: receive again */
                strio_receive_some_start(&w->rf, w->inner, w->rbuf, w->rmax);
                continue;
            }
            *result = n;
            return STRIO_DONE;
        }
        if (n > 0)
            w->inner_bytes += (unsigned long)n;
        if (n > 0 && w->kind == CS_BROKEN_LOSSY) {
            w->after = 1;
            w->got = n;
            strio_checkpoint_start(&w->cp);
            continue;
        }
        *result = n;
        return STRIO_DONE;
    }
}

/* ---- close -------------------------------------------------------------- */

static void w_close(strio_stream *s)
{
    strio_stream_close_start(&CS_W(s)->cf, CS_W(s)->inner);
}

static int w_close_step(strio_stream *s, strio_task *task, long *result)
{
    if (strio_stream_close_resume(&CS_W(s)->cf, task) == STRIO_PENDING)
        return STRIO_PENDING;
    *result = CS_W(s)->cf.strio_ret;
    return STRIO_DONE;
}

/* Wraps `inner` (a correct stream) as a broken stream of `kind`. */
void cs_broken_stream_init(struct cs_broken_stream *w, strio_stream *inner,
                           int kind, unsigned long drop_at)
{
    const strio_stream_ops *in = inner->ops;
    memset(w, 0, sizeof *w);
    w->inner = inner;
    w->kind = kind;
    w->drop_at = drop_at;
    w->pending = -1;
    strio_lock_init(&w->lock);
    w->ops.name = kind == CS_BROKEN_DROP ? "broken: drops a byte" :
                  kind == CS_BROKEN_NO_BUSY ? "broken: no busy detection" :
                  kind == CS_BROKEN_NO_EOF ? "broken: never reports EOF" :
                  "broken: a cancelled receive loses its bytes";
    int lax = kind == CS_BROKEN_NO_BUSY;
    if (in->send_all != NULL)
        w->ops.send_all = lax ? lax_send_all : w_send_all;
    if (in->wait_send != NULL)
        w->ops.wait_send = lax ? lax_wait_send : w_wait_send;
    if (in->send_eof != NULL)
        w->ops.send_eof = lax ? lax_send_eof : w_send_eof;
    if (in->send_step != NULL)
        w->ops.send_step = lax ? lax_send_step : w_send_step;
    if (in->receive_some != NULL) {
        w->ops.receive_some = w_receive_some;
        w->ops.receive_step = w_receive_step;
    }
    w->ops.close = w_close;
    w->ops.close_step = w_close_step;
    strio_stream_init(&w->base, &w->ops);
}
