/*
 * Memory streams, the pump and fault injection (see strio/memstream.h).
 *
 * The async logic is written in the dialect; the waiting itself is one
 * hand-written leaf, strio_memory_wait (park on a wait queue). Every state
 * change of a pipe wakes the queue on the other side (data or end ->
 * readers; room, a reader arriving, a close -> writers, and both on
 * close); waiters re-check the pipe after every wakeup, so a wakeup is
 * only ever a hint. The thin C wrappers at the end plug the generated
 * functions into the stream operations tables.
 *
 * This file's generated header carries the frames strio/memstream.h
 * embeds, so it is named memstream_impl.sc (a memstream.sc would generate
 * a header shadowing the public one). Frame tags are public there: even
 * static helpers carry the strio_memory_ prefix.
 *
 * Core only: no OS calls, no allocation.
 */
#include <errno.h>
#include <string.h>

#include <strio/memstream.h>

/* ======================================================================== */
/* Pipe: plain C                                                            */
/* ======================================================================== */

static size_t min_size(size_t a, size_t b)
{
    return a < b ? a : b;
}

int strio_memory_pipe_init(strio_memory_pipe *p, void *buf, size_t capacity)
{
    memset(p, 0, sizeof *p);
    strio_waitq_init(&p->readers);
    strio_waitq_init(&p->writers);
    if (buf == NULL && capacity > 0)
        return -EINVAL;
    p->buf = buf;
    p->capacity = capacity;
    return 0;
}

size_t strio_memory_pipe_buffered(const strio_memory_pipe *p)
{
    return p->count + p->pending_len;
}

size_t strio_memory_pipe_room(const strio_memory_pipe *p)
{
    return p->capacity - p->count;
}

/* Appends up to `len` bytes to the ring; returns how many fit. */
static size_t ring_put(strio_memory_pipe *p, const unsigned char *d,
                       size_t len)
{
    size_t n = min_size(len, p->capacity - p->count);
    if (n == 0)
        return 0;
    size_t tail = (p->head + p->count) % p->capacity;
    size_t first = min_size(n, p->capacity - tail);
    memcpy(p->buf + tail, d, first);
    memcpy(p->buf, d + first, n - first);
    p->count += n;
    return n;
}

/* The oldest readable bytes that are contiguous: the ring's first run,
 * else what a lockstep sender offers. Returns their length (0: none). */
static size_t pipe_segment(const strio_memory_pipe *p,
                           const unsigned char **at)
{
    if (p->count > 0) {
        *at = p->buf + p->head;
        return min_size(p->count, p->capacity - p->head);
    }
    *at = p->pending;
    return p->pending_len;
}

/* Drops the first `k` bytes of the segment pipe_segment() returned. */
static void pipe_consume(strio_memory_pipe *p, size_t k)
{
    if (p->count > 0) {
        p->count -= k;
        p->head = p->count == 0 ? 0 : (p->head + k) % p->capacity;
    } else {
        p->pending += k;
        p->pending_len -= k;
    }
}

/* Takes up to `max` bytes into `dst`; wakes the writers if it took any. */
static size_t pipe_take(strio_memory_pipe *p, unsigned char *dst, size_t max)
{
    size_t n = 0;
    while (n < max) {
        const unsigned char *seg;
        size_t k = pipe_segment(p, &seg);
        if (k == 0)
            break;
        k = min_size(k, max - n);
        memcpy(dst + n, seg, k);
        pipe_consume(p, k);
        n += k;
    }
    if (n > 0)
        strio_waitq_wake_all(&p->writers, 0);
    return n;
}

/* Moves up to `max` bytes from `src` to the ring of `dst`. */
static size_t pipe_move(strio_memory_pipe *src, strio_memory_pipe *dst,
                        size_t max)
{
    size_t n = 0;
    while (n < max) {
        const unsigned char *seg;
        size_t k = pipe_segment(src, &seg);
        if (k == 0)
            break;
        k = min_size(k, max - n);
        size_t put = ring_put(dst, seg, k);
        pipe_consume(src, put);
        n += put;
        if (put < k)
            break;
    }
    if (n > 0) {
        strio_waitq_wake_all(&src->writers, 0);
        strio_waitq_wake_all(&dst->readers, 0);
    }
    return n;
}

/* What a send-side operation must report before anything else. */
static int send_state(const strio_memory_pipe *p)
{
    if (p->send_closed)
        return STRIO_ECLOSED;
    if (p->recv_closed)
        return STRIO_EBROKEN;
    return 0;
}

/* A send-side hook, if any. */
static int run_hook(strio_memory_hook hook, strio_stream *s, void *arg)
{
    return hook != NULL ? hook(s, arg) : 0;
}

/* ---- the leaf: park on a wait queue ------------------------------------ */

void strio_memory_wait_start(struct strio_memory_wait_frame *f,
                             strio_waitq *q)
{
    f->strio_state = 0;
    f->q = q;
}

int strio_memory_wait_resume(void *vf, strio_task *task)
{
    struct strio_memory_wait_frame *f = vf;
    if (f->strio_state == 0) {
        if (strio_task_cancelled(task)) {
            f->strio_ret = STRIO_ECANCELED;
            return STRIO_DONE;
        }
        f->strio_state = 1;
        task->wake_result = 0;
        strio_waitq_park(f->q, task);
        return STRIO_PENDING;
    }
    /* 0 (woken), or STRIO_ECANCELED (the abort took us out of the queue) */
    f->strio_ret = task->wake_result;
    return STRIO_DONE;
}

/* ======================================================================== */
/* Pipe: waiting                                                            */
/* ======================================================================== */

/* Reads 1..max bytes, waiting while there are none; 0 at the end. */
static async long strio_memory_pipe_read(strio_memory_pipe *p,
                                         unsigned char *buf, size_t max)
{
    for (;;) {
        if (p->recv_closed)
            return STRIO_ECLOSED;
        size_t n = pipe_take(p, buf, max);
        if (n > 0)
            return (long)n;
        if (p->send_closed)
            return 0;
        /* lockstep: a reader waiting is what a waiting sender waits for */
        if (p->capacity == 0)
            strio_waitq_wake_all(&p->writers, 0);
        int rc = await strio_memory_wait(&p->readers);
        if (rc < 0)
            return rc;
    }
}

/* A lockstep send_all after the entry checks: offer the bytes, wait until
 * readers took all of them (or a close), then withdraw what is left. */
static async int strio_memory_lockstep_send(strio_memory_send_stream *s,
                                            const unsigned char *d,
                                            size_t len)
{
    strio_memory_pipe *p = s->pipe;
    int rc = 0;
    if (len > 0) {
        p->pending = d;
        p->pending_len = len;
        strio_waitq_wake_all(&p->readers, 0);
        for (;;) {
            if (p->send_closed) {
                rc = STRIO_ECLOSED;
                break;
            }
            if (p->pending_len == 0)
                break;
            if (p->recv_closed) {
                rc = STRIO_EBROKEN;
                break;
            }
            rc = await strio_memory_wait(&p->writers);
            if (rc < 0) {
                /* cancelled: but if every byte was taken meanwhile, the
                 * send is complete */
                if (p->pending_len == 0 && !p->send_closed)
                    rc = 0;
                break;
            }
        }
        /* our bytes must not be read once we return */
        p->pending = NULL;
        p->pending_len = 0;
        if (rc < 0)
            return rc;
    }
    return run_hook(s->send_all_hook, &s->base, s->hook_arg);
}

/* ======================================================================== */
/* Memory send stream                                                       */
/* ======================================================================== */

async int strio_memory_do_send_all(strio_memory_send_stream *s,
                                   const void *data, size_t len)
{
    strio_memory_pipe *p = s->pipe;
    const unsigned char *d = data;
    int rc = await strio_checkpoint();
    if (rc < 0)
        return rc;
    rc = send_state(p);
    if (rc < 0)
        return rc;
    if (p->capacity == 0)
        return await strio_memory_lockstep_send(s, d, len);
    for (;;) {
        size_t n = ring_put(p, d, len);
        if (n > 0) {
            d += n;
            len -= n;
            strio_waitq_wake_all(&p->readers, 0);
        }
        if (n > 0 || len == 0) {
            rc = run_hook(s->send_all_hook, &s->base, s->hook_arg);
            if (rc < 0)
                return rc;
        }
        if (len == 0)
            return 0;
        /* the ring is full (unless the hook drained it) */
        for (;;) {
            rc = send_state(p);
            if (rc < 0)
                return rc;
            if (strio_memory_pipe_room(p) > 0)
                break;
            rc = await strio_memory_wait(&p->writers);
            if (rc < 0)
                return rc;
        }
    }
}

async int strio_memory_do_wait_send(strio_memory_send_stream *s)
{
    strio_memory_pipe *p = s->pipe;
    int rc = await strio_checkpoint();
    if (rc < 0)
        return rc;
    for (;;) {
        if (p->send_closed)
            return STRIO_ECLOSED;
        if (p->recv_closed)
            break;                  /* a send would fail at once */
        if (p->capacity > 0 ? strio_memory_pipe_room(p) > 0
                            : !strio_waitq_empty(&p->readers))
            break;
        rc = await strio_memory_wait(&p->writers);
        if (rc < 0)
            return rc;
    }
    return run_hook(s->wait_send_hook, &s->base, s->hook_arg);
}

async int strio_memory_do_send_close(strio_memory_send_stream *s)
{
    strio_memory_pipe *p = s->pipe;
    /* the effect first, even in a cancelled scope */
    p->send_closed = 1;
    p->pending = NULL;              /* a pending lockstep send withdraws */
    p->pending_len = 0;
    strio_waitq_wake_all(&p->readers, 0);
    strio_waitq_wake_all(&p->writers, 0);
    int rc = run_hook(s->close_hook, &s->base, s->hook_arg);
    int crc = await strio_checkpoint();
    return rc < 0 ? rc : crc;
}

/* Trio's MemorySendStream.get_data: read the pipe of a send stream. */
async long strio_memory_send_stream_get_data(strio_memory_send_stream *s,
                                             void *buf, size_t max)
{
    if (max == 0)
        return -EINVAL;
    int rc = await strio_checkpoint();
    if (rc < 0)
        return rc;
    return await strio_memory_pipe_read(s->pipe, buf, max);
}

long strio_memory_send_stream_get_data_nowait(strio_memory_send_stream *s,
                                              void *buf, size_t max)
{
    strio_memory_pipe *p = s->pipe;
    if (max == 0)
        return -EINVAL;
    if (p->recv_closed)
        return STRIO_ECLOSED;
    size_t n = pipe_take(p, buf, max);
    if (n > 0)
        return (long)n;
    return p->send_closed ? 0 : STRIO_EBUSY;
}

/* ======================================================================== */
/* Memory receive stream                                                    */
/* ======================================================================== */

async long strio_memory_do_receive_some(strio_memory_receive_stream *r,
                                        void *buf, size_t max)
{
    strio_memory_pipe *p = r->pipe;
    int rc = await strio_checkpoint();
    if (rc < 0)
        return rc;
    if (p->recv_closed)
        return STRIO_ECLOSED;
    rc = run_hook(r->receive_some_hook, &r->base, r->hook_arg);
    if (rc < 0)
        return rc;
    return await strio_memory_pipe_read(p, buf, max);
}

async int strio_memory_do_receive_close(strio_memory_receive_stream *r)
{
    strio_memory_pipe *p = r->pipe;
    p->recv_closed = 1;
    p->head = p->count = 0;         /* buffered data is discarded */
    strio_waitq_wake_all(&p->readers, 0);
    strio_waitq_wake_all(&p->writers, 0);
    int rc = run_hook(r->close_hook, &r->base, r->hook_arg);
    int crc = await strio_checkpoint();
    return rc < 0 ? rc : crc;
}

long strio_memory_receive_stream_put_data(strio_memory_receive_stream *r,
                                          const void *data, size_t len)
{
    strio_memory_pipe *p = r->pipe;
    if (p->recv_closed || p->send_closed)
        return STRIO_ECLOSED;
    size_t n = ring_put(p, data, len);
    if (n > 0)
        strio_waitq_wake_all(&p->readers, 0);
    return (long)n;
}

void strio_memory_receive_stream_put_eof(strio_memory_receive_stream *r)
{
    strio_memory_pipe *p = r->pipe;
    if (p->send_closed)
        return;
    p->send_closed = 1;
    strio_waitq_wake_all(&p->readers, 0);
    strio_waitq_wake_all(&p->writers, 0);
}

/* ======================================================================== */
/* Pump                                                                     */
/* ======================================================================== */

long strio_memory_stream_pump_nowait(strio_memory_send_stream *s,
                                     strio_memory_receive_stream *r,
                                     size_t max)
{
    strio_memory_pipe *src = s->pipe, *dst = r->pipe;
    if (max == 0 || dst->capacity == 0)
        return -EINVAL;             /* nothing could ever be moved */
    if (src->recv_closed)
        return STRIO_ECLOSED;
    if (strio_memory_pipe_buffered(src) == 0) {
        if (!src->send_closed)
            return STRIO_EBUSY;
        /* the end of stream travels too (Trio: closed -> broken) */
        if (dst->recv_closed)
            return STRIO_EBROKEN;
        strio_memory_receive_stream_put_eof(r);
        return 0;
    }
    if (dst->recv_closed || dst->send_closed)
        return STRIO_EBROKEN;
    size_t n = pipe_move(src, dst, max);
    return n > 0 ? (long)n : STRIO_EBUSY;
}

async long strio_memory_stream_pump(strio_memory_send_stream *s,
                                    strio_memory_receive_stream *r,
                                    size_t max)
{
    if (max == 0)
        return -EINVAL;
    int rc = await strio_checkpoint();
    if (rc < 0)
        return rc;
    for (;;) {
        long n = strio_memory_stream_pump_nowait(s, r, max);
        if (n != STRIO_EBUSY)
            return n;
        if (strio_memory_pipe_buffered(s->pipe) == 0) {
            /* a reader of a lockstep pipe: let its sender know */
            if (s->pipe->capacity == 0)
                strio_waitq_wake_all(&s->pipe->writers, 0);
            rc = await strio_memory_wait(&s->pipe->readers);
        } else {
            rc = await strio_memory_wait(&r->pipe->writers);
        }
        if (rc < 0)
            return rc;
    }
}

/* ======================================================================== */
/* Fault injection                                                          */
/* ======================================================================== */

/* splitmix64: tiny, full period, good enough to pick sizes and delays. */
static uint64_t rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform-ish in 1..hi (hi >= 1). */
static size_t rng_size(uint64_t *state, size_t hi)
{
    return 1 + (size_t)(rng_next(state) % (uint64_t)hi);
}

static void fault_trace(strio_fault_stream *f, int event, int64_t value)
{
    if (f->cfg.trace != NULL)
        f->cfg.trace(f->cfg.trace_arg, event, value);
}

/* Maybe sleeps a random while (drawn from `rng`). No checkpoint when no
 * delay is drawn: the inner operation that follows is one. */
static async int strio_fault_delay(strio_fault_stream *f, uint64_t *rng)
{
    if (f->cfg.delay_max <= 0 || f->cfg.delay_percent == 0)
        return 0;
    if (rng_next(rng) % 100 >= f->cfg.delay_percent)
        return 0;
    strio_time d = (strio_time)(rng_next(rng) %
                                ((uint64_t)f->cfg.delay_max + 1));
    f->delays++;
    f->delayed += d;
    fault_trace(f, STRIO_FAULT_DELAY, d);
    return await strio_sleep(d);
}

async int strio_fault_do_send_all(strio_fault_stream *f, const void *data,
                                  size_t len)
{
    const unsigned char *d = data;
    int rc;
    if (len == 0)
        return await strio_send_all(f->inner, data, 0);
    while (len > 0) {
        rc = await strio_fault_delay(f, &f->send_rng);
        if (rc < 0)
            return rc;
        size_t n = len;
        if (f->cfg.send_chunk_max > 0)
            n = rng_size(&f->send_rng, min_size(len, f->cfg.send_chunk_max));
        f->send_chunks++;
        fault_trace(f, STRIO_FAULT_SEND_CHUNK, (int64_t)n);
        rc = await strio_send_all(f->inner, d, n);
        if (rc < 0)
            return rc;
        d += n;
        len -= n;
    }
    return 0;
}

async int strio_fault_do_wait_send(strio_fault_stream *f)
{
    int rc = await strio_fault_delay(f, &f->send_rng);
    if (rc < 0)
        return rc;
    return await strio_wait_send_all_might_not_block(f->inner);
}

async int strio_fault_do_send_eof(strio_fault_stream *f)
{
    int rc = await strio_fault_delay(f, &f->send_rng);
    if (rc < 0)
        return rc;
    return await strio_send_eof(f->inner);
}

async long strio_fault_do_receive_some(strio_fault_stream *f, void *buf,
                                       size_t max)
{
    int rc = await strio_fault_delay(f, &f->recv_rng);
    if (rc < 0)
        return rc;
    size_t hi = max;
    if (f->cfg.receive_max > 0)
        hi = min_size(hi, f->cfg.receive_max);
    size_t n = rng_size(&f->recv_rng, hi);
    f->receives++;
    fault_trace(f, STRIO_FAULT_RECEIVE, (int64_t)n);
    return await strio_receive_some(f->inner, buf, n);
}

async int strio_fault_do_close(strio_fault_stream *f)
{
    return await strio_stream_close(f->inner);
}

/* ======================================================================== */
/* Operations tables                                                        */
/* ======================================================================== */

/* Which send-side operation a stream's send frame holds. (Not an enum:
 * type definitions of this file would travel into its generated header.) */
static const unsigned char op_send_all = 1, op_wait_send = 2, op_send_eof = 3;

/* ---- memory send stream ------------------------------------------------- */

static void ms_send_all(strio_stream *st, const void *data, size_t len)
{
    strio_memory_send_stream *s = (strio_memory_send_stream *)st;
    s->send_op = op_send_all;
    strio_memory_do_send_all_start(&s->send_frame.send_all, s, data, len);
}

static void ms_wait_send(strio_stream *st)
{
    strio_memory_send_stream *s = (strio_memory_send_stream *)st;
    s->send_op = op_wait_send;
    strio_memory_do_wait_send_start(&s->send_frame.wait_send, s);
}

static int ms_send_step(strio_stream *st, strio_task *task, long *result)
{
    strio_memory_send_stream *s = (strio_memory_send_stream *)st;
    int rc;
    if (s->send_op == op_send_all) {
        rc = strio_memory_do_send_all_resume(&s->send_frame.send_all, task);
        if (rc == STRIO_DONE)
            *result = s->send_frame.send_all.strio_ret;
    } else {
        rc = strio_memory_do_wait_send_resume(&s->send_frame.wait_send, task);
        if (rc == STRIO_DONE)
            *result = s->send_frame.wait_send.strio_ret;
    }
    return rc;
}

static void ms_close(strio_stream *st)
{
    strio_memory_send_stream *s = (strio_memory_send_stream *)st;
    strio_memory_do_send_close_start(&s->close_frame, s);
}

static int ms_close_step(strio_stream *st, strio_task *task, long *result)
{
    strio_memory_send_stream *s = (strio_memory_send_stream *)st;
    int rc = strio_memory_do_send_close_resume(&s->close_frame, task);
    if (rc == STRIO_DONE)
        *result = s->close_frame.strio_ret;
    return rc;
}

static const strio_stream_ops memory_send_ops = {
    .name = "memory-send",
    .send_all = ms_send_all,
    .wait_send = ms_wait_send,
    .send_step = ms_send_step,
    .close = ms_close,
    .close_step = ms_close_step,
};

void strio_memory_send_stream_init(strio_memory_send_stream *s,
                                   strio_memory_pipe *p)
{
    strio_stream_init(&s->base, &memory_send_ops);
    s->pipe = p;
    s->send_all_hook = s->wait_send_hook = s->close_hook = NULL;
    s->hook_arg = NULL;
    s->send_op = 0;
}

/* ---- memory receive stream ---------------------------------------------- */

static void mr_receive_some(strio_stream *st, void *buf, size_t max)
{
    strio_memory_receive_stream *r = (strio_memory_receive_stream *)st;
    strio_memory_do_receive_some_start(&r->receive_frame, r, buf, max);
}

static int mr_receive_step(strio_stream *st, strio_task *task, long *result)
{
    strio_memory_receive_stream *r = (strio_memory_receive_stream *)st;
    int rc = strio_memory_do_receive_some_resume(&r->receive_frame, task);
    if (rc == STRIO_DONE)
        *result = r->receive_frame.strio_ret;
    return rc;
}

static void mr_close(strio_stream *st)
{
    strio_memory_receive_stream *r = (strio_memory_receive_stream *)st;
    strio_memory_do_receive_close_start(&r->close_frame, r);
}

static int mr_close_step(strio_stream *st, strio_task *task, long *result)
{
    strio_memory_receive_stream *r = (strio_memory_receive_stream *)st;
    int rc = strio_memory_do_receive_close_resume(&r->close_frame, task);
    if (rc == STRIO_DONE)
        *result = r->close_frame.strio_ret;
    return rc;
}

static const strio_stream_ops memory_receive_ops = {
    .name = "memory-receive",
    .receive_some = mr_receive_some,
    .receive_step = mr_receive_step,
    .close = mr_close,
    .close_step = mr_close_step,
};

void strio_memory_receive_stream_init(strio_memory_receive_stream *r,
                                      strio_memory_pipe *p)
{
    strio_stream_init(&r->base, &memory_receive_ops);
    r->pipe = p;
    r->receive_some_hook = r->close_hook = NULL;
    r->hook_arg = NULL;
}

/* ---- pairs ---------------------------------------------------------------- */

int strio_memory_stream_one_way_pair_init(strio_memory_one_way_pair *p,
                                          void *buf, size_t capacity)
{
    int rc = capacity > 0 ? strio_memory_pipe_init(&p->pipe, buf, capacity)
                          : -EINVAL;
    strio_memory_send_stream_init(&p->send, &p->pipe);
    strio_memory_receive_stream_init(&p->receive, &p->pipe);
    return rc;
}

void strio_lockstep_stream_one_way_pair_init(strio_memory_one_way_pair *p)
{
    strio_memory_pipe_init(&p->pipe, NULL, 0);
    strio_memory_send_stream_init(&p->send, &p->pipe);
    strio_memory_receive_stream_init(&p->receive, &p->pipe);
}

static void staple_pair(strio_memory_stream_pair *p)
{
    strio_stapled_stream_init(&p->a, &p->ab.send.base, &p->ba.receive.base);
    strio_stapled_stream_init(&p->b, &p->ba.send.base, &p->ab.receive.base);
}

int strio_memory_stream_pair_init(strio_memory_stream_pair *p,
                                  void *buf_ab, size_t cap_ab,
                                  void *buf_ba, size_t cap_ba)
{
    int rc = strio_memory_stream_one_way_pair_init(&p->ab, buf_ab, cap_ab);
    int rc2 = strio_memory_stream_one_way_pair_init(&p->ba, buf_ba, cap_ba);
    staple_pair(p);
    return rc < 0 ? rc : rc2;
}

void strio_lockstep_stream_pair_init(strio_memory_stream_pair *p)
{
    strio_lockstep_stream_one_way_pair_init(&p->ab);
    strio_lockstep_stream_one_way_pair_init(&p->ba);
    staple_pair(p);
}

/* ---- fault stream ----------------------------------------------------------- */

static void fs_send_all(strio_stream *st, const void *data, size_t len)
{
    strio_fault_stream *f = (strio_fault_stream *)st;
    f->send_op = op_send_all;
    strio_fault_do_send_all_start(&f->send_frame.send_all, f, data, len);
}

static void fs_wait_send(strio_stream *st)
{
    strio_fault_stream *f = (strio_fault_stream *)st;
    f->send_op = op_wait_send;
    strio_fault_do_wait_send_start(&f->send_frame.wait_send, f);
}

static void fs_send_eof(strio_stream *st)
{
    strio_fault_stream *f = (strio_fault_stream *)st;
    f->send_op = op_send_eof;
    strio_fault_do_send_eof_start(&f->send_frame.send_eof, f);
}

static int fs_send_step(strio_stream *st, strio_task *task, long *result)
{
    strio_fault_stream *f = (strio_fault_stream *)st;
    int rc;
    if (f->send_op == op_send_all) {
        rc = strio_fault_do_send_all_resume(&f->send_frame.send_all, task);
        if (rc == STRIO_DONE)
            *result = f->send_frame.send_all.strio_ret;
    } else if (f->send_op == op_wait_send) {
        rc = strio_fault_do_wait_send_resume(&f->send_frame.wait_send, task);
        if (rc == STRIO_DONE)
            *result = f->send_frame.wait_send.strio_ret;
    } else {
        rc = strio_fault_do_send_eof_resume(&f->send_frame.send_eof, task);
        if (rc == STRIO_DONE)
            *result = f->send_frame.send_eof.strio_ret;
    }
    return rc;
}

static void fs_receive_some(strio_stream *st, void *buf, size_t max)
{
    strio_fault_stream *f = (strio_fault_stream *)st;
    strio_fault_do_receive_some_start(&f->receive_frame, f, buf, max);
}

static int fs_receive_step(strio_stream *st, strio_task *task, long *result)
{
    strio_fault_stream *f = (strio_fault_stream *)st;
    int rc = strio_fault_do_receive_some_resume(&f->receive_frame, task);
    if (rc == STRIO_DONE)
        *result = f->receive_frame.strio_ret;
    return rc;
}

static void fs_close(strio_stream *st)
{
    strio_fault_stream *f = (strio_fault_stream *)st;
    strio_fault_do_close_start(&f->close_frame, f);
}

static int fs_close_step(strio_stream *st, strio_task *task, long *result)
{
    strio_fault_stream *f = (strio_fault_stream *)st;
    int rc = strio_fault_do_close_resume(&f->close_frame, task);
    if (rc == STRIO_DONE)
        *result = f->close_frame.strio_ret;
    return rc;
}

static const strio_stream_ops fault_ops = {
    .name = "fault",
    .send_all = fs_send_all,
    .wait_send = fs_wait_send,
    .send_eof = fs_send_eof,
    .send_step = fs_send_step,
    .receive_some = fs_receive_some,
    .receive_step = fs_receive_step,
    .close = fs_close,
    .close_step = fs_close_step,
};

void strio_fault_stream_init(strio_fault_stream *f, strio_stream *inner,
                             const strio_fault_config *cfg)
{
    /* The wrapper offers exactly what the inner stream offers (send side,
     * send_eof, receive side): its own copy of the table, trimmed. */
    const strio_stream_ops *io = inner->ops;
    f->ops = fault_ops;
    if (io->send_all == NULL) {
        f->ops.send_all = NULL;
        f->ops.wait_send = NULL;
        f->ops.send_step = NULL;
    }
    if (io->send_eof == NULL)
        f->ops.send_eof = NULL;
    if (io->receive_some == NULL) {
        f->ops.receive_some = NULL;
        f->ops.receive_step = NULL;
    }
    strio_stream_init(&f->base, &f->ops);
    f->inner = inner;
    f->cfg = *cfg;
    f->send_chunks = f->receives = f->delays = 0;
    f->delayed = 0;
    /* two independent generators: each side's choices depend only on the
     * seed and on that side's own calls */
    f->send_rng = cfg->seed ^ 0x5EED5E4D00000001ull;
    f->recv_rng = cfg->seed ^ 0x5EEDBEC700000002ull;
    rng_next(&f->send_rng);
    rng_next(&f->recv_rng);
    f->send_op = 0;
}
