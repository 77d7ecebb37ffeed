/*
 * strio/stapled.h -- the stapled stream (Trio's StapledStream): a send
 * stream and a receive stream used as one two-way, half-closeable stream.
 *
 *   strio_stapled_stream st;
 *   strio_stapled_stream_init(&st, send_side, receive_side);
 *   await strio_send_all(&st.base, "hi", 2);      // goes to send_side
 *   await strio_receive_some(&st.base, buf, n);    // comes from receive_side
 *
 * - send_all and wait_send_all_might_not_block go to the send stream,
 *   receive_some to the receive stream (their results unchanged).
 * - send_eof: the send stream's send_eof if it has one, otherwise closing
 *   the send stream (as Trio). Either way the peer then reads end of
 *   stream and our later sends get STRIO_ECLOSED; idempotent until the
 *   stapled stream is closed (then STRIO_ECLOSED, like every later
 *   operation, after a checkpoint). Inside an
 *   already cancelled scope it returns STRIO_ECANCELED without closing
 *   anything (a close would act even there); a cancellation arriving
 *   while that close checkpoints is reported, the side is closed anyway.
 * - close: closes the send stream, then -- always, whatever that returned,
 *   cancelled included -- the receive stream. Returns the send side's
 *   error if any, else the receive side's. A STRIO_EBUSY from the send
 *   side's close (our own send_eof is closing it right now) counts as
 *   success: that close releases it.
 *
 * A stapled stream is always half-closeable (strio_stream_can_send_eof).
 * It holds only the small generic calls into the two streams (each of
 * which holds its own operation state), so its size does not depend on
 * them. The two streams stay owned by the caller and must outlive it; use
 * them only through the stapled stream while it is in use (a direct call
 * would compete for their busy slots).
 *
 * Core: no OS calls, no allocation.
 */
#ifndef STRIO_STAPLED_H
#define STRIO_STAPLED_H

#include <strio/stream.h>

typedef struct strio_stapled_stream strio_stapled_stream;

/* The operations' frames (generated from runtime/src/stapled_impl.sc). */
#include <strio/stapled_impl.h>

struct strio_stapled_stream {
    strio_stream base;                  /* first: pass &st.base */
    strio_stream *send_stream;
    strio_stream *receive_stream;
    /* private */
    unsigned char closed;               /* close was called */
    unsigned char send_op;              /* the one in-flight send-side op */
    union {
        struct strio_stapled_do_send_all_frame send_all;
        struct strio_stapled_do_wait_send_frame wait_send;
        struct strio_stapled_do_send_eof_frame send_eof;
    } send_frame;
    struct strio_stapled_do_receive_some_frame receive_frame;
    struct strio_stapled_do_close_frame close_frame;
};

/* Staples `send` and `receive` (both required; may be the two sides of
 * one object) into `st`, a half-closeable stream. Not a checkpoint. */
void strio_stapled_stream_init(strio_stapled_stream *st, strio_stream *send,
                               strio_stream *receive);

#endif
