/*
 * strio/memstream.h -- in-memory streams for tests and in-process plumbing
 * (Trio's trio.testing memory streams), and seeded fault injection.
 *
 * Everything here is a strio_stream (strio/stream.h): use the generic
 * calls (strio_send_all, strio_receive_some, ...) on `&x.base`.
 *
 * Pipes
 * -----
 * A pipe is the one-way channel under a memory send stream and a memory
 * receive stream: a byte ring over a caller buffer, or, with capacity 0,
 * a lockstep (unbuffered) rendezvous.
 *
 *   buffered (capacity > 0): send_all copies into the ring, waiting while
 *       it is full; it completes once every byte is in the ring.
 *       receive_some takes 1..max bytes from the ring, waiting while it is
 *       empty. wait_send_all_might_not_block waits while the ring is full.
 *   lockstep (capacity 0, Trio's lockstep_stream_pair): send_all completes
 *       only once receivers have taken every byte (straight from the
 *       sender's memory, possibly over several receive_some calls).
 *       wait_send_all_might_not_block waits until a receiver is waiting.
 *
 * Rules (both kinds), as strio/stream.h requires:
 *   - Close of the send stream: a pending send_all/wait gets STRIO_ECLOSED,
 *     later ones too; the receiver reads what is buffered, then 0 (end of
 *     stream) on every later call. Data a lockstep send_all had not handed
 *     over yet is withdrawn (that send_all reports STRIO_ECLOSED).
 *   - Close of the receive stream: buffered data is discarded (Trio);
 *     pending and later receives get STRIO_ECLOSED; a pending or later
 *     send_all gets STRIO_EBROKEN (sticky), wait_send_all_might_not_block
 *     returns 0 at once (a send would not block: it fails).
 *   - close is idempotent, does its effect at once even inside a cancelled
 *     scope, then checkpoints: it returns 0, STRIO_ECANCELED (closed
 *     anyway), or the close hook's error (closed anyway).
 *   - Every other operation starts with a checkpoint: inside a cancelled
 *     scope it returns STRIO_ECANCELED having done nothing. A receive that
 *     returns STRIO_ECANCELED took nothing (the bytes stay for the next
 *     one). A cancelled send_all may have sent a prefix of its data:
 *     buffered, the bytes that were in the ring by then; lockstep, what
 *     receivers had taken (the rest is withdrawn). If a cancellation comes
 *     after a lockstep send's last byte was taken, it returns 0.
 *   - Busy checks (one send-side operation, one receive at a time) are the
 *     generic dispatchers'. A memory send stream has no send_eof (as in
 *     Trio): close it, or staple it (strio/stapled.h), whose send_eof
 *     closes it.
 *
 * Hooks (Trio's send_all_hook & co.) are plain C callbacks, public and
 * mutable: `int hook(strio_stream *s, void *arg)` with the stream's
 * `hook_arg`. A negative return is returned by the operation (close still
 * closes). They run on the loop thread inside the operation, may call any
 * non-async function (pump_nowait, put_data, event set, ...), and must not
 * free or re-init the stream.
 *   send_all_hook     after send_all put bytes into the pipe: once for a
 *                     send that fits (or an empty send), and again after
 *                     each later portion when the ring was full (so a hook
 *                     that pumps keeps a large send flowing); a lockstep
 *                     send calls it once, after completing.
 *   wait_send_hook    after wait_send_all_might_not_block succeeded.
 *   receive_some_hook after the entry checkpoint, before looking for data
 *                     (so it can pump data in, as in Trio).
 *   close_hook        after every close (also repeated ones).
 *
 * Standalone streams and the pump (Trio's MemorySendStream.get_data,
 * MemoryReceiveStream.put_data/put_eof, memory_stream_pump): a send
 * stream on a pipe of its own is drained with get_data; a receive stream
 * on a pipe of its own is fed with put_data/put_eof; the pump moves bytes
 * from one to the other (directly from ring to ring), typically from a
 * hook or a task. This is how Trio's memory_stream_one_way_pair is built;
 * strio_memory_stream_one_way_pair_init below instead shares one pipe
 * between the two ends (one copy, same behaviour).
 *
 * Fault injection: strio_fault_stream wraps any stream and, from a seed,
 * splits send_all into random chunks, asks for random short reads and
 * inserts random delays (strio_sleep on the loop's clock), the same way
 * each run for a given seed (see below).
 *
 * Threads: loop thread only; objects are caller-owned, must not move while
 * in use, and need no teardown once nothing waits on them. Core: no OS
 * calls, no allocation.
 */
#ifndef STRIO_MEMSTREAM_H
#define STRIO_MEMSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include <strio/sleep.h>
#include <strio/stapled.h>
#include <strio/stream.h>
#include <strio/waitq.h>

typedef struct strio_memory_pipe strio_memory_pipe;
typedef struct strio_memory_send_stream strio_memory_send_stream;
typedef struct strio_memory_receive_stream strio_memory_receive_stream;
typedef struct strio_fault_stream strio_fault_stream;

/* A hook: 0, or a negative error the operation then returns. */
typedef int (*strio_memory_hook)(strio_stream *s, void *arg);

/* ======================================================================== */
/* Pipe                                                                     */
/* ======================================================================== */

struct strio_memory_pipe {
    unsigned char *buf;         /* the ring (NULL for lockstep) */
    size_t capacity;            /* 0: lockstep */
    size_t head, count;         /* oldest byte, bytes in the ring */
    const unsigned char *pending;   /* lockstep: the sender's bytes not
                                       taken yet */
    size_t pending_len;
    strio_waitq readers;        /* waiting for data, end or a close */
    strio_waitq writers;        /* waiting for room, a reader or a close */
    unsigned char send_closed;  /* the sending end closed (end of stream) */
    unsigned char recv_closed;  /* the receiving end closed */
};

/*
 * Initializes `p` over `buf` of `capacity` bytes (caller-owned, in use as
 * long as `p`); capacity 0 (buf may be NULL) makes a lockstep pipe.
 * Returns 0, or -EINVAL (buf NULL with a nonzero capacity).
 */
int strio_memory_pipe_init(strio_memory_pipe *p, void *buf, size_t capacity);

/* Bytes a receiver could take now (in the ring, or offered by a lockstep
 * sender), and free room in the ring. */
size_t strio_memory_pipe_buffered(const strio_memory_pipe *p);
size_t strio_memory_pipe_room(const strio_memory_pipe *p);

/* ---- leaf (private): park on a wait queue until woken ----------------- */

/*
 * async int strio_memory_wait(strio_waitq *q)
 *
 * Parks the task on `q` until strio_waitq_wake_*; returns the wake result
 * (0) or STRIO_ECANCELED (cancelled, taken out of `q`; also at entry
 * without parking). Spurious wakeups are the caller's to re-check.
 */
STRIO_ASYNC_DECL(int strio_memory_wait(strio_waitq *q))
struct strio_memory_wait_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_waitq *q;
};
void strio_memory_wait_start(struct strio_memory_wait_frame *f,
                             strio_waitq *q);
int strio_memory_wait_resume(void *f, strio_task *task);

/* ======================================================================== */
/* Fault injection configuration                                            */
/* ======================================================================== */

/* Events reported to strio_fault_config.trace. */
enum {
    STRIO_FAULT_SEND_CHUNK = 1, /* value: bytes handed to the inner send_all */
    STRIO_FAULT_RECEIVE,        /* value: max asked of the inner receive */
    STRIO_FAULT_DELAY           /* value: nanoseconds slept */
};

typedef struct strio_fault_config {
    uint64_t seed;              /* same seed, same choices */
    size_t send_chunk_max;      /* send_all: chunks of 1..this bytes
                                   (0: no splitting) */
    size_t receive_max;         /* receive_some asks the inner stream for
                                   1..min(max, this) bytes (0: 1..max) */
    strio_time delay_max;       /* delays: uniform in [0, delay_max] ns */
    unsigned delay_percent;     /* chance (0..100) that a delay precedes
                                   each send chunk, receive, wait and
                                   send_eof; 0 or delay_max <= 0: never */
    /* Optional: called for every choice made (testing, tracing). */
    void (*trace)(void *arg, int event, int64_t value);
    void *trace_arg;
} strio_fault_config;

/* The operations' frames (generated from runtime/src/memstream_impl.sc;
 * this file must not be named memstream.sc, its generated header would
 * shadow this one). */
#include <strio/memstream_impl.h>

/* ======================================================================== */
/* Memory send and receive streams                                          */
/* ======================================================================== */

struct strio_memory_send_stream {
    strio_stream base;                  /* first: pass &s.base */
    strio_memory_pipe *pipe;
    strio_memory_hook send_all_hook;    /* see "Hooks" above; NULL: none */
    strio_memory_hook wait_send_hook;
    strio_memory_hook close_hook;
    void *hook_arg;
    /* private */
    unsigned char send_op;
    union {
        struct strio_memory_do_send_all_frame send_all;
        struct strio_memory_do_wait_send_frame wait_send;
    } send_frame;
    struct strio_memory_do_send_close_frame close_frame;
};

struct strio_memory_receive_stream {
    strio_stream base;                  /* first: pass &r.base */
    strio_memory_pipe *pipe;
    strio_memory_hook receive_some_hook;
    strio_memory_hook close_hook;
    void *hook_arg;
    /* private */
    struct strio_memory_do_receive_some_frame receive_frame;
    struct strio_memory_do_receive_close_frame close_frame;
};

/* Makes `s` the sending end of `p` (a one-way send stream: no receive
 * side, no send_eof), hooks cleared. Not a checkpoint. */
void strio_memory_send_stream_init(strio_memory_send_stream *s,
                                   strio_memory_pipe *p);

/* Makes `r` the receiving end of `p` (a one-way receive stream), hooks
 * cleared. Not a checkpoint. */
void strio_memory_receive_stream_init(strio_memory_receive_stream *r,
                                      strio_memory_pipe *p);

/*
 * Takes up to `max` bytes from the send stream's pipe without waiting
 * (Trio's get_data_nowait; for a send stream whose pipe has no receive
 * stream). Not a checkpoint.
 * Returns the count (> 0), 0 when the send stream is closed and drained,
 * STRIO_EBUSY when nothing is there yet, STRIO_ECLOSED when the pipe's
 * receiving end is closed, -EINVAL when max is 0.
 */
long strio_memory_send_stream_get_data_nowait(strio_memory_send_stream *s,
                                              void *buf, size_t max);

/*
 * async long strio_memory_send_stream_get_data(strio_memory_send_stream *s,
 *                                              void *buf, size_t max)
 * As get_data_nowait, waiting while nothing is there (a checkpoint).
 * Returns > 0, 0 (closed and drained), STRIO_ECANCELED (took nothing),
 * STRIO_ECLOSED, -EINVAL. Defined in memstream_impl.sc.
 */

/*
 * Feeds the receive stream's pipe (Trio's put_data). Not a checkpoint.
 * Copies what fits: returns the count (0..len; less than len when the
 * ring fills, always 0 for a lockstep pipe), or STRIO_ECLOSED when the
 * receive stream is closed or the end of stream was put.
 */
long strio_memory_receive_stream_put_data(strio_memory_receive_stream *r,
                                          const void *data, size_t len);

/* Marks the end of stream on the receive stream's pipe (Trio's put_eof):
 * receivers get 0 once it is drained. Idempotent. Not a checkpoint. */
void strio_memory_receive_stream_put_eof(strio_memory_receive_stream *r);

/*
 * Moves up to `max` bytes from the send stream's pipe into the receive
 * stream's (ring to ring; Trio's memory_stream_pump). Not a checkpoint.
 * Returns:
 *   > 0           bytes moved
 *   0             the send stream is closed and drained: end of stream
 *                 was put on the receive stream (idempotent)
 *   STRIO_EBUSY   nothing to move now (no data, or the receiving ring is
 *                 full)
 *   STRIO_EBROKEN the receive stream is closed (or already at its end)
 *   STRIO_ECLOSED the send stream's pipe has its receiving end closed
 *   -EINVAL       max is 0, or the receive stream is lockstep (it has no
 *                 ring to move bytes into; the send side may be either)
 */
long strio_memory_stream_pump_nowait(strio_memory_send_stream *s,
                                     strio_memory_receive_stream *r,
                                     size_t max);

/*
 * async long strio_memory_stream_pump(strio_memory_send_stream *s,
 *                                     strio_memory_receive_stream *r,
 *                                     size_t max)
 * As pump_nowait, waiting (a checkpoint) while there is nothing to move:
 * returns > 0, 0, STRIO_EBROKEN, STRIO_ECLOSED, -EINVAL, or
 * STRIO_ECANCELED (nothing moved). Loop on it in a task to connect two
 * standalone streams. Defined in memstream_impl.sc.
 */

/* ======================================================================== */
/* Pairs                                                                    */
/* ======================================================================== */

/* A one-way pair: `send` and `receive` share `pipe`. */
typedef struct strio_memory_one_way_pair {
    strio_memory_pipe pipe;
    strio_memory_send_stream send;
    strio_memory_receive_stream receive;
} strio_memory_one_way_pair;

/* Buffered one-way pair over `buf` of `capacity` (> 0) bytes (Trio's
 * memory_stream_one_way_pair, with a bounded buffer). Returns 0 or
 * -EINVAL (no buffer). */
int strio_memory_stream_one_way_pair_init(strio_memory_one_way_pair *p,
                                          void *buf, size_t capacity);

/* Lockstep one-way pair (Trio's lockstep_stream_one_way_pair). */
void strio_lockstep_stream_one_way_pair_init(strio_memory_one_way_pair *p);

/*
 * A two-way pair: two one-way pairs stapled (strio/stapled.h), so both
 * ends are half-closeable (send_eof closes that direction's send stream).
 * `a` sends through `ab` and receives from `ba`; `b` the other way round.
 * Use &p.a.base and &p.b.base.
 */
typedef struct strio_memory_stream_pair {
    strio_memory_one_way_pair ab;       /* a -> b */
    strio_memory_one_way_pair ba;       /* b -> a */
    strio_stapled_stream a, b;
} strio_memory_stream_pair;

/* Buffered two-way pair (Trio's memory_stream_pair) over two caller
 * buffers, one per direction. Returns 0 or -EINVAL (a missing buffer). */
int strio_memory_stream_pair_init(strio_memory_stream_pair *p,
                                  void *buf_ab, size_t cap_ab,
                                  void *buf_ba, size_t cap_ba);

/* Lockstep two-way pair (Trio's lockstep_stream_pair). */
void strio_lockstep_stream_pair_init(strio_memory_stream_pair *p);

/* ======================================================================== */
/* Fault injection                                                          */
/* ======================================================================== */

/*
 * A stream wrapped around `inner` (any stream) that behaves like it, but:
 *   send_all hands the inner stream chunks of random size 1..send_chunk_max,
 *       each possibly preceded by a random delay;
 *   receive_some asks the inner stream for a random 1..min(max,
 *       receive_max) bytes (so reads come short), possibly after a delay;
 *   wait_send_all_might_not_block and send_eof may be delayed too;
 *   close is forwarded at once.
 * Send-side and receive-side choices come from two generators seeded from
 * cfg.seed, so each side's sequence of choices depends only on the seed
 * and on that side's calls: with the virtual clock the whole run is the
 * same for a given seed. Delays are strio_sleep() on the loop's clock.
 * Cancellation: a delayed receive that is cancelled received nothing; a
 * cancelled send_all sent a prefix (whole chunks plus what the inner
 * stream says). Offers send_eof exactly when `inner` does.
 */
struct strio_fault_stream {
    strio_stream base;                  /* first: pass &f.base */
    strio_stream *inner;
    strio_fault_config cfg;
    /* statistics */
    unsigned long send_chunks;          /* inner send_all calls */
    unsigned long receives;             /* inner receive_some calls */
    unsigned long delays;               /* delays inserted */
    strio_time delayed;                 /* their total duration */
    /* private */
    strio_stream_ops ops;               /* fault ops, trimmed to inner's */
    uint64_t send_rng, recv_rng;
    unsigned char send_op;
    union {
        struct strio_fault_do_send_all_frame send_all;
        struct strio_fault_do_wait_send_frame wait_send;
        struct strio_fault_do_send_eof_frame send_eof;
    } send_frame;
    struct strio_fault_do_receive_some_frame receive_frame;
    struct strio_fault_do_close_frame close_frame;
};

/* Wraps `inner` (which must outlive `f`; use it only through `f`) with the
 * configuration `*cfg` (copied). Not a checkpoint. */
void strio_fault_stream_init(strio_fault_stream *f, strio_stream *inner,
                             const strio_fault_config *cfg);

#endif
