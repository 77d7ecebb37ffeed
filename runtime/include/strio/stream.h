/*
 * strio/stream.h -- byte streams (Trio's abstract stream API in C).
 *
 * A stream is an object whose first member is a `strio_stream`, pointing
 * at an operations table. Callers use the generic async calls below on any
 * stream (socket, TLS, pipe, in-memory, stapled, ...):
 *
 *   await strio_send_all(s, data, len)        all bytes handed to the transport
 *   await strio_wait_send_all_might_not_block(s)
 *   await strio_send_eof(s)                   half-closeable streams only
 *   await strio_receive_some(s, buf, max)     1..max bytes; 0 means end of stream
 *   await strio_stream_close(s)
 *
 * The contract (checked for every stream by strio/conformance.h):
 *
 * - One send-side operation at a time: send_all, wait_send_all_might_not_
 *   block and send_eof share one slot; a second task entering it gets
 *   STRIO_EBUSY at once (not a lock: nobody waits). Likewise one
 *   receive_some at a time. Sending and receiving from two tasks at once
 *   is allowed (full duplex).
 * - Because of that, the stream itself holds the state of its one
 *   in-flight send and one in-flight receive: the caller's frame holds only
 *   the small generic call, whatever the stream is, and dynamic dispatch
 *   needs no allocation.
 * - receive_some returns 1..max bytes, 0 if and only if the peer sent end
 *   of stream, or a negative error. `max` must be >= 1 (-EINVAL).
 * - wait_send_all_might_not_block may return early, never late.
 * - send_eof is idempotent; sending after it gives STRIO_ECLOSED, and so
 *   does send_eof after close.
 * - close is idempotent (a second close while one runs returns 0 at once),
 *   always releases the stream's resources (even when cancelled or
 *   failing: an error means "not graceful", never "not closed"), and makes
 *   pending and later operations return STRIO_ECLOSED.
 * - Errors: STRIO_ECLOSED after our own close, STRIO_EBROKEN when the peer
 *   or transport failed, STRIO_EBUSY as above, STRIO_ECANCELED. Every call
 *   that gets to the stream is a checkpoint; the immediate refusals of the
 *   generic layer (STRIO_EBUSY, -EINVAL) return without yielding, as in
 *   Trio.
 * - wait_send_all_might_not_block may also return 0 when a send would fail
 *   at once (the peer is gone).
 * - Cancellation: a cancelled receive_some received nothing; after a
 *   cancelled or failed send_all an unknown amount was sent (each stream
 *   documents whether it stays usable).
 */
#ifndef STRIO_STREAM_H
#define STRIO_STREAM_H

#include <stddef.h>

#include <strio/task.h>

typedef struct strio_stream strio_stream;
typedef struct strio_stream_ops strio_stream_ops;

/*
 * What an implementation provides. Each operation has a `start`, which
 * binds its arguments into the stream's own frame for that side and runs
 * nothing, and the side's `step`, which runs the started operation until it
 * completes (STRIO_DONE, result in *result) or must wait (STRIO_PENDING).
 * A NULL start means the stream does not offer that operation.
 * Implementations written in the dialect embed their generated frames in
 * the stream and wrap their _start/_resume functions here.
 */
struct strio_stream_ops {
    const char *name;
    /* send side */
    void (*send_all)(strio_stream *s, const void *data, size_t len);
    void (*wait_send)(strio_stream *s);
    void (*send_eof)(strio_stream *s);
    int (*send_step)(strio_stream *s, strio_task *task, long *result);
    /* receive side */
    void (*receive_some)(strio_stream *s, void *buf, size_t max);
    int (*receive_step)(strio_stream *s, strio_task *task, long *result);
    /* close */
    void (*close)(strio_stream *s);
    int (*close_step)(strio_stream *s, strio_task *task, long *result);
};

/* The generic part of every stream: embed it first. */
struct strio_stream {
    const strio_stream_ops *ops;
    unsigned char send_busy;     /* a send-side operation is in flight */
    unsigned char receive_busy;  /* a receive is in flight */
    unsigned char close_busy;    /* a close is in flight */
};

/* For implementations: initializes the generic part. */
void strio_stream_init(strio_stream *s, const strio_stream_ops *ops);

/* Nonzero if the stream offers send_eof (a half-closeable stream). */
int strio_stream_can_send_eof(const strio_stream *s);

/*
 * async int strio_send_all(strio_stream *s, const void *data, size_t len)
 *
 * Sends all `len` bytes of `data` (which must stay valid until the call
 * completes). Returns 0, or STRIO_EBUSY, STRIO_ECLOSED, STRIO_EBROKEN,
 * STRIO_ECANCELED (an unknown amount was sent), -EINVAL if the stream has no
 * send side.
 */
STRIO_ASYNC_DECL(int strio_send_all(strio_stream *s, const void *data, size_t len))
struct strio_send_all_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_stream *s;
    const void *data;
    size_t len;
};
void strio_send_all_start(struct strio_send_all_frame *f, strio_stream *s,
                          const void *data, size_t len);
int strio_send_all_resume(void *f, strio_task *task);

/*
 * async int strio_wait_send_all_might_not_block(strio_stream *s)
 *
 * Returns (0) when a send_all might not block; may return early, never
 * late. Same errors as strio_send_all.
 */
STRIO_ASYNC_DECL(int strio_wait_send_all_might_not_block(strio_stream *s))
struct strio_wait_send_all_might_not_block_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_stream *s;
};
void strio_wait_send_all_might_not_block_start(
    struct strio_wait_send_all_might_not_block_frame *f, strio_stream *s);
int strio_wait_send_all_might_not_block_resume(void *f, strio_task *task);

/*
 * async int strio_send_eof(strio_stream *s)
 *
 * Half-closes: the peer's receive_some returns 0 once it has read what was
 * sent; our receive side still works. Idempotent. -EINVAL if the stream is
 * not half-closeable.
 */
STRIO_ASYNC_DECL(int strio_send_eof(strio_stream *s))
struct strio_send_eof_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_stream *s;
};
void strio_send_eof_start(struct strio_send_eof_frame *f, strio_stream *s);
int strio_send_eof_resume(void *f, strio_task *task);

/*
 * async long strio_receive_some(strio_stream *s, void *buf, size_t max)
 *
 * Receives 1..max bytes into `buf`; returns how many, 0 at end of stream,
 * or STRIO_EBUSY, STRIO_ECLOSED, STRIO_EBROKEN, STRIO_ECANCELED (nothing
 * was received), -EINVAL (max == 0, or no receive side).
 */
STRIO_ASYNC_DECL(long strio_receive_some(strio_stream *s, void *buf, size_t max))
struct strio_receive_some_frame {
    unsigned short strio_state;
    long strio_ret;
    strio_stream *s;
    void *buf;
    size_t max;
};
void strio_receive_some_start(struct strio_receive_some_frame *f,
                              strio_stream *s, void *buf, size_t max);
int strio_receive_some_resume(void *f, strio_task *task);

/*
 * async int strio_stream_close(strio_stream *s)
 *
 * Closes the stream (idempotent; see the contract above). Returns 0, or an
 * error saying the close was not graceful (resources are released anyway).
 * A close already in progress in another task: STRIO_EBUSY.
 */
STRIO_ASYNC_DECL(int strio_stream_close(strio_stream *s))
struct strio_stream_close_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_stream *s;
};
void strio_stream_close_start(struct strio_stream_close_frame *f,
                              strio_stream *s);
int strio_stream_close_resume(void *f, strio_task *task);

#endif
