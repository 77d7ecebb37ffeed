/*
 * strio/listener.h -- listeners (Trio's abstract Listener API in C).
 *
 * A listener is an object whose first member is a `strio_listener`,
 * pointing at an operations table. It hands out streams (strio/stream.h):
 *
 *   strio_stream *conn;
 *   rc = await strio_listener_accept(l, storage, &conn)  a new stream
 *   rc = await strio_listener_close(l)
 *
 * No heap: the caller provides the memory of the accepted stream.
 * `storage` must be at least `l->stream_size` bytes, suitably aligned for
 * the listener's concrete stream type (each listener documents it; e.g. a
 * socket listener needs a strio_socket_stream), not in use, and must not
 * move while the stream lives. On success `*out` points into `storage`
 * (normally `*out == storage`); close it with strio_stream_close.
 *
 * The contract:
 *
 * - One accept at a time: a second task entering accept while one is in
 *   flight gets STRIO_EBUSY at once (not a lock: nobody waits).
 * - Because of that, the listener itself holds the state of its one
 *   in-flight accept: the caller's frame holds only the small generic
 *   call, whatever the listener is, and dynamic dispatch needs no
 *   allocation.
 * - accept returns 0 with a new stream in `*out`, or STRIO_ECLOSED (the
 *   listener was closed before or during the call), STRIO_EBUSY,
 *   STRIO_ECANCELED (nothing was accepted; the listener stays usable),
 *   -EINVAL (storage or out NULL, or the listener cannot accept), or
 *   another negative error (e.g. -EMFILE: the listener stays usable). As
 *   in Trio, generally no STRIO_EBROKEN. On any error `*out` is NULL (when
 *   `out` is not) and `storage` holds no stream to close.
 * - close is idempotent (a second close while one runs returns 0 at once;
 *   a close after close succeeds), always releases the listener's
 *   resources (even when cancelled: an error means "not graceful", never
 *   "not closed"), and makes a pending accept and later ones return
 *   STRIO_ECLOSED. Streams already accepted are independent of it.
 * - Every call that gets to the listener is a checkpoint; the immediate
 *   refusals of the generic layer (STRIO_EBUSY, -EINVAL) return without
 *   yielding, as in Trio.
 *
 * Threads: loop thread only. Listeners must not move while in use.
 */
#ifndef STRIO_LISTENER_H
#define STRIO_LISTENER_H

#include <stddef.h>

#include <strio/stream.h>
#include <strio/task.h>

typedef struct strio_listener strio_listener;
typedef struct strio_listener_ops strio_listener_ops;

/*
 * What an implementation provides. Each operation has a `start`, which
 * binds its arguments into the listener's own frame for that operation and
 * runs nothing, and a `step`, which runs the started operation until it
 * completes (STRIO_DONE, result in *result: 0 or negative) or must wait
 * (STRIO_PENDING). accept_step also sets *stream on completion: the
 * accepted stream (inside the storage given to accept) when *result is 0,
 * NULL otherwise. A NULL start means the listener does not offer that
 * operation. Implementations written in the dialect embed their generated
 * frames in the listener and wrap their _start/_resume functions here.
 */
struct strio_listener_ops {
    const char *name;
    void (*accept)(strio_listener *l, void *storage);
    int (*accept_step)(strio_listener *l, strio_task *task, long *result,
                       strio_stream **stream);
    void (*close)(strio_listener *l);
    int (*close_step)(strio_listener *l, strio_task *task, long *result);
};

/* The generic part of every listener: embed it first. */
struct strio_listener {
    const strio_listener_ops *ops;
    size_t stream_size;          /* bytes of storage an accept needs */
    unsigned char accept_busy;   /* an accept is in flight */
    unsigned char close_busy;    /* a close is in flight */
};

/* For implementations: initializes the generic part. */
void strio_listener_init(strio_listener *l, const strio_listener_ops *ops,
                         size_t stream_size);

/*
 * async int strio_listener_accept(strio_listener *l, void *storage,
 *                                 strio_stream **out)
 *
 * Accepts the next connection as a stream built in `storage` (at least
 * l->stream_size bytes; see above) and sets *out to it. Returns 0, or
 * STRIO_ECLOSED, STRIO_EBUSY, STRIO_ECANCELED, -EINVAL, -errno.
 */
STRIO_ASYNC_DECL(int strio_listener_accept(strio_listener *l, void *storage, strio_stream **out))
struct strio_listener_accept_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_listener *l;
    void *storage;
    strio_stream **out;
};
void strio_listener_accept_start(struct strio_listener_accept_frame *f,
                                 strio_listener *l, void *storage,
                                 strio_stream **out);
int strio_listener_accept_resume(void *f, strio_task *task);

/*
 * async int strio_listener_close(strio_listener *l)
 *
 * Closes the listener (idempotent; see the contract above). Returns 0, or
 * an error saying the close was not graceful (e.g. STRIO_ECANCELED;
 * closed anyway).
 */
STRIO_ASYNC_DECL(int strio_listener_close(strio_listener *l))
struct strio_listener_close_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_listener *l;
};
void strio_listener_close_start(struct strio_listener_close_frame *f,
                                strio_listener *l);
int strio_listener_close_resume(void *f, strio_task *task);

#endif
