/*
 * strio/pipe.h -- one end of a pipe as a strio stream (hosted builds).
 *
 * A pipe stream wraps a non-blocking, close-on-exec fd: the write end is a
 * one-way *send* stream, the read end a one-way *receive* stream. They are
 * what a subprocess's stdin, stdout and stderr are (strio/process.h), and
 * they staple (strio/stapled.h) into a two-way stream, e.g. a child's
 * stdout + stdin for a protocol spoken over a subprocess:
 *
 *     strio_pipe_stream w, r;
 *     int rc = strio_pipe_pair(&w, &r);          // pipe2(O_NONBLOCK|O_CLOEXEC)
 *     rc = await strio_send_all(&w.base, "hi", 2);
 *     long n = await strio_receive_some(&r.base, buf, sizeof buf);
 *     rc = await strio_send_eof(&w.base);        // = close of the write end
 *     rc = await strio_stream_close(&r.base);
 *
 * Semantics (beyond the contract in strio/stream.h, which the conformance
 * suite checks on a pipe pair):
 *   - Every operation tries the system call first and waits for readiness
 *     in the poll backend (strio/posix.h) only on EAGAIN; each is a
 *     checkpoint (cancelled at entry: nothing done; a call that completed
 *     at once yields once afterwards, shielded, so a completed operation is
 *     never reported cancelled).
 *   - send_all loops over write() until every byte is in the pipe; after a
 *     cancelled or failed send_all an unknown prefix was written and the
 *     stream stays usable after a cancellation. A reader that went away
 *     gives STRIO_EBROKEN (EPIPE; the SIGPIPE the write raises is blocked
 *     for the call and consumed, so it never reaches the process; a
 *     SIGPIPE that was already pending is left alone).
 *   - send_eof (send side only) closes the write end: the reader then reads
 *     end of stream. Idempotent; later sends give STRIO_ECLOSED; close
 *     afterwards returns 0. A pipe has no other way to send EOF.
 *   - receive_some is one read() of up to `max` bytes; 0 is end of stream
 *     (every write end closed), sticky.
 *   - close closes the fd; an operation pending in another task is woken
 *     first and returns STRIO_ECLOSED (no stale fd stays in the poll set).
 *     Then a checkpoint: in a cancelled scope close returns
 *     STRIO_ECANCELED, closed anyway.
 *   - Errors: STRIO_ECLOSED after our own close (or EBADF); any other
 *     system error -> STRIO_EBROKEN with the errno kept in `error`.
 *
 * Threads: loop thread only. Objects must not move while in use.
 */
#ifndef STRIO_PIPE_H
#define STRIO_PIPE_H

#include <strio/cancel.h>
#include <strio/stream.h>

typedef struct strio_pipe_stream strio_pipe_stream;

/* The operations' frames (generated from runtime/src/process_pipe_impl.sc). */
#include <strio/process_pipe_impl.h>

struct strio_pipe_stream {
    strio_stream base;          /* first: pass &st.base */
    int fd;                     /* -1 once closed (or EOF sent) */
    unsigned char send_side;    /* 1: write end, 0: read end */
    unsigned char closed;       /* our close was called */
    unsigned char eof_sent;     /* send_eof closed the write end */
    int error;                  /* errno behind the last STRIO_EBROKEN */
    /* private */
    strio_cancel_scope *waiting;    /* scope of the wait in progress */
    unsigned char send_op;
    union {
        struct strio_pipe_do_send_all_frame send_all;
        struct strio_pipe_do_wait_send_frame wait_send;
        struct strio_pipe_do_send_eof_frame send_eof;
    } send_frame;
    struct strio_pipe_do_receive_some_frame receive_frame;
    struct strio_pipe_do_close_frame close_frame;
};

/*
 * Makes `st` a pipe stream over `fd` (taken over: closed by the stream),
 * the write end if `send_side` is nonzero, else the read end. Sets
 * O_NONBLOCK (on the open file description: shared with dup'ed fds) and
 * FD_CLOEXEC. fd < 0 makes a closed stream (every operation gives
 * STRIO_ECLOSED, close works). Returns 0 or -errno (the fd is then closed
 * and `st` is a closed stream). Not a checkpoint.
 */
int strio_pipe_stream_init(strio_pipe_stream *st, int fd, int send_side);

/* A connected pair: bytes sent on `w` arrive at `r`. pipe2 with O_NONBLOCK
 * and O_CLOEXEC. Returns 0 or -errno (both then closed streams). */
int strio_pipe_pair(strio_pipe_stream *w, strio_pipe_stream *r);

/*
 * Closes the fd at once (not a checkpoint; idempotent), waking an
 * operation pending in another task (it returns STRIO_ECLOSED). What the
 * stream's close does before its checkpoint; for synchronous cleanup.
 */
void strio_pipe_stream_close_now(strio_pipe_stream *st);

/* Private: one attempt of the system call (runtime/src/process_pipe.c):
 * bytes moved, -EAGAIN, or another -errno. */
long strio_pipe__write(strio_pipe_stream *st, const void *buf, size_t len);
long strio_pipe__read(strio_pipe_stream *st, void *buf, size_t len);
/* Maps a result as the stream reports it (see above). */
long strio_pipe__map(strio_pipe_stream *st, long rc);

#endif
