/*
 * The stream conformance suite (strio/conformance.h), written in the
 * dialect. (Named conformance_impl.sc because the generated header of
 * NAME.sc is <strio/NAME.h>, which must not shadow the hand-written
 * strio/conformance.h; that header includes this file's generated one.)
 *
 * Structure: the three public checks share strio_cf_check(), which runs
 * a table of properties. Each property gets a fresh pair, a deadline
 * (cf->timeout) and a nursery for helper tasks ("jobs": one stream
 * operation, or a loop of them, run by strio_cf_actor from a pool in the
 * caller's strio_conformance), then both ends are closed in a cancelled
 * scope and the factory destroys the pair. The property's body runs in
 * the checking task; it starts jobs, waits for them, and compares results.
 * The first mismatch is recorded (property name and message) and ends the
 * check. Types are in strio/conformance.h (private section), so that the
 * generated header, which carries this file's frames, defines none.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/conformance.h>

/* ======================================================================== */
/* Plain helpers: messages, data, randomness                                */
/* ======================================================================== */

static void m_str(struct strio_cf_run *R, const char *s)
{
    strio_conformance *cf = R->cf;
    while (*s != '\0' && R->mlen + 1 < sizeof cf->message)
        cf->message[R->mlen++] = *s++;
    cf->message[R->mlen] = '\0';
}

static void m_num(struct strio_cf_run *R, long v)
{
    char tmp[24];
    int i = 0;
    unsigned long u = v < 0 ? 0UL - (unsigned long)v : (unsigned long)v;
    do {
        tmp[i++] = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        tmp[i++] = '-';
    char out[24];
    int k = 0;
    while (i > 0)
        out[k++] = tmp[--i];
    out[k] = '\0';
    m_str(R, out);
}

static const char *err_name(long v)
{
    switch (v) {
    case STRIO_ECANCELED: return "STRIO_ECANCELED";
    case STRIO_ETIMEDOUT: return "STRIO_ETIMEDOUT";
    case STRIO_EBUSY: return "STRIO_EBUSY";
    case STRIO_ECLOSED: return "STRIO_ECLOSED";
    case STRIO_EBROKEN: return "STRIO_EBROKEN";
    case STRIO_EEND: return "STRIO_EEND";
    case STRIO_ESTATE: return "STRIO_ESTATE";
    case -EINVAL: return "-EINVAL";
    }
    return NULL;
}

/* A result: a count, a strio code by name, or an errno value. */
static void m_res(struct strio_cf_run *R, long v)
{
    const char *name = err_name(v);
    if (name != NULL) {
        m_str(R, name);
        return;
    }
    m_num(R, v);
    if (v < 0) {
        m_str(R, " (");
        m_str(R, strio_strerror((int)v));
        m_str(R, ")");
    }
}

static int timed_out(const struct strio_cf_run *R)
{
    return R->deadline != NULL && R->deadline->cancel_called;
}

/* Starts the message of the first failure; returns 0 if one was recorded
 * already (the caller then adds nothing). */
static int fail_begin(struct strio_cf_run *R)
{
    if (R->failed)
        return 0;
    R->failed = 1;
    R->cf->failed = R->prop;
    R->mlen = 0;
    R->cf->message[0] = '\0';
    if (R->one_way)
        m_str(R, R->flipped ? "[b->a] " : "[a->b] ");
    if (timed_out(R))
        m_str(R, "timed out (an operation never returned): ");
    return 1;
}

static int fail(struct strio_cf_run *R, const char *what)
{
    if (fail_begin(R))
        m_str(R, what);
    return -1;
}

/* `op` returned `got` where `want` (or, if want2 != want, `want2`) was
 * expected: returns 0 if so, else records the failure and returns -1. */
static int expect2(struct strio_cf_run *R, const char *op, long got,
                   long want, long want2)
{
    if (got == want || got == want2)
        return 0;
    if (fail_begin(R)) {
        m_str(R, op);
        m_str(R, " returned ");
        m_res(R, got);
        m_str(R, ", expected ");
        m_res(R, want);
        if (want2 != want) {
            m_str(R, " or ");
            m_res(R, want2);
        }
    }
    return -1;
}

static int expect(struct strio_cf_run *R, const char *op, long got,
                  long want)
{
    return expect2(R, op, got, want, want);
}

/* Fails with "<op>: <what>". */
static int fail_op(struct strio_cf_run *R, const char *op, const char *what)
{
    if (fail_begin(R)) {
        m_str(R, op);
        m_str(R, ": ");
        m_str(R, what);
    }
    return -1;
}

static int bad(const struct strio_cf_run *R)
{
    return R->failed || timed_out(R);
}

static uint32_t rnd(uint32_t *x)
{
    uint32_t v = *x;        /* xorshift32 */
    v ^= v << 13;
    v ^= v >> 17;
    v ^= v << 5;
    *x = v;
    return v;
}

static uint32_t seed_of(struct strio_cf_run *R, uint32_t salt)
{
    uint32_t x = (uint32_t)R->cf->seed * 2654435761u ^ salt * 0x9E3779B9u;
    return x != 0 ? x : 0x12345678u;
}

/* The byte at `pos` of the data stream named `key`. */
static unsigned char pat(uint32_t key, unsigned long pos)
{
    uint32_t x = (uint32_t)pos * 0x9E3779B1u ^ key;
    x ^= x >> 15;
    x *= 0x85EBCA77u;
    x ^= x >> 13;
    return (unsigned char)(x ^ (x >> 8));
}

static void fill_pat(unsigned char *buf, size_t n, uint32_t key,
                     unsigned long pos)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = pat(key, pos + i);
}

/* Checks `n` received bytes against stream `key` from `pos`. */
static int check_pat(struct strio_cf_run *R, const unsigned char *buf,
                     size_t n, uint32_t key, unsigned long pos)
{
    for (size_t i = 0; i < n; i++) {
        if (buf[i] != pat(key, pos + i)) {
            if (fail_begin(R)) {
                m_str(R, "data mismatch at byte ");
                m_num(R, (long)(pos + i));
                m_str(R, ": received ");
                m_num(R, buf[i]);
                m_str(R, ", sent ");
                m_num(R, pat(key, pos + i));
            }
            return -1;
        }
    }
    return 0;
}

static void log_add(struct strio_cf_run *R, char c)
{
    if (R->nlog + 1 < sizeof R->log)
        R->log[R->nlog++] = c;
    R->log[R->nlog] = '\0';
}

static unsigned char *region(struct strio_cf_run *R, int i)
{
    return R->mem + (size_t)i * STRIO_CONFORMANCE_CHUNK;
}

/* ======================================================================== */
/* Checked operations: each verifies the checkpoint rule on success         */
/* ======================================================================== */

static void no_checkpoint(struct strio_cf_run *R, const char *op)
{
    fail_op(R, op, "returned success without a checkpoint (the task never "
                   "suspended)");
}

static async long strio_cf_op_send(struct strio_cf_run *R, strio_stream *s,
                                   const void *data, size_t len)
{
    unsigned long sw = STRIO_SELF->switches;
    int rc = await strio_send_all(s, data, len);
    if (rc == 0 && STRIO_SELF->switches == sw)
        no_checkpoint(R, "send_all");
    return rc;
}

static async long strio_cf_op_wait(struct strio_cf_run *R, strio_stream *s)
{
    unsigned long sw = STRIO_SELF->switches;
    int rc = await strio_wait_send_all_might_not_block(s);
    if (rc == 0 && STRIO_SELF->switches == sw)
        no_checkpoint(R, "wait_send_all_might_not_block");
    return rc;
}

static async long strio_cf_op_eof(struct strio_cf_run *R, strio_stream *s)
{
    unsigned long sw = STRIO_SELF->switches;
    int rc = await strio_send_eof(s);
    if (rc == 0 && STRIO_SELF->switches == sw)
        no_checkpoint(R, "send_eof");
    return rc;
}

static async long strio_cf_op_recv(struct strio_cf_run *R, strio_stream *s,
                                   void *buf, size_t max)
{
    unsigned long sw = STRIO_SELF->switches;
    long n = await strio_receive_some(s, buf, max);
    if (n >= 0 && STRIO_SELF->switches == sw)
        no_checkpoint(R, "receive_some");
    if (n > 0 && (size_t)n > max) {
        if (fail_begin(R)) {
            m_str(R, "receive_some returned ");
            m_num(R, n);
            m_str(R, " bytes, more than max = ");
            m_num(R, (long)max);
        }
    }
    return n;
}

static async long strio_cf_op_close(struct strio_cf_run *R, strio_stream *s)
{
    unsigned long sw = STRIO_SELF->switches;
    int rc = await strio_stream_close(s);
    if (rc == 0 && STRIO_SELF->switches == sw)
        no_checkpoint(R, "close");
    return rc;
}

/* Close in an already-cancelled scope (Trio's aclose_forcefully): any
 * result is fine, the stream must be closed afterwards. */
static async int strio_cf_force_close(strio_stream *s)
{
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    strio_scope_cancel(&sc);
    int rc = await strio_stream_close(s);
    strio_scope_exit(&sc, rc);
    return rc;
}

/* ======================================================================== */
/* Jobs                                                                     */
/* ======================================================================== */

static async long strio_cf_send_loop(struct strio_cf_run *R,
                                     struct strio_cf_job *j)
{
    /* a bound, in case the stream never fails (and never blocks) */
    unsigned long limit = R->cf->clog_limit + (1UL << 24);
    for (j->count = 0; j->count <= limit; j->count += j->len) {
        long rc = await strio_cf_op_send(R, j->s, j->data, j->len);
        if (rc < 0)
            return rc;
    }
    fail_op(R, "send_all", "a sender looping on a pair whose receiver was "
                           "closed never failed");
    return 0;
}

static async long strio_cf_receive_loop(struct strio_cf_run *R,
                                        struct strio_cf_job *j)
{
    for (;;) {
        long n = await strio_cf_op_recv(R, j->s, j->buf, j->max);
        if (n <= 0)
            return n;
        j->count += (unsigned long)n;
    }
}

static async long strio_cf_bulk_send(struct strio_cf_run *R,
                                     struct strio_cf_job *j)
{
    uint32_t x = j->seed;
    while (j->count < j->total) {
        size_t n = j->lo + rnd(&x) % (j->hi - j->lo + 1);
        if (n > j->total - j->count)
            n = j->total - j->count;
        fill_pat(j->buf, n, j->key, j->count);
        long rc = await strio_cf_op_send(R, j->s, j->buf, n);
        if (rc < 0) {
            if (!timed_out(R) && fail_begin(R)) {
                m_str(R, "send_all failed after ");
                m_num(R, (long)j->count);
                m_str(R, " bytes: ");
                m_res(R, rc);
            }
            return rc;
        }
        j->count += n;
    }
    return 0;
}

static async long strio_cf_bulk_receive(struct strio_cf_run *R,
                                        struct strio_cf_job *j)
{
    uint32_t x = j->seed;
    while (j->count < j->total) {
        size_t max = j->lo + rnd(&x) % (j->hi - j->lo + 1);
        long n = await strio_cf_op_recv(R, j->s, j->buf, max);
        if (n <= 0) {
            if (fail_begin(R)) {
                m_str(R, "receive_some returned ");
                m_res(R, n);
                m_str(R, n == 0 ? " (end of stream)" : "");
                m_str(R, " after ");
                m_num(R, (long)j->count);
                m_str(R, " of ");
                m_num(R, (long)j->total);
                m_str(R, " bytes");
            }
            return n < 0 ? n : -1;
        }
        if (check_pat(R, j->buf, (size_t)n, j->key, j->count) < 0)
            return -1;
        j->count += (unsigned long)n;
    }
    return 0;
}

/* `total` sends of 1..5 bytes, the i-th at start + (i+1) ms. */
static async long strio_cf_timed_send(struct strio_cf_run *R,
                                      struct strio_cf_job *j)
{
    strio_time start = strio_task_now(STRIO_SELF);
    for (unsigned long i = 0; i < j->total; i++) {
        long rc = await strio_sleep_until(start + STRIO_MS(1) * (long)(i + 1));
        if (rc < 0)
            return rc;
        size_t n = 1 + i % 5;
        fill_pat(j->buf, n, j->key, j->count);
        rc = await strio_cf_op_send(R, j->s, j->buf, n);
        if (rc < 0)
            return rc;
        j->count += n;
    }
    return 0;
}

static async long strio_cf_job_run(struct strio_cf_run *R,
                                   struct strio_cf_job *j)
{
    long rc;
    switch (j->op) {
    case STRIO_CF_OP_SEND:
        return await strio_cf_op_send(R, j->s, j->data, j->len);
    case STRIO_CF_OP_WAIT_SEND:
        return await strio_cf_op_wait(R, j->s);
    case STRIO_CF_OP_SEND_EOF:
        return await strio_cf_op_eof(R, j->s);
    case STRIO_CF_OP_RECEIVE:
        return await strio_cf_op_recv(R, j->s, j->buf, j->max);
    case STRIO_CF_OP_CLOSE:
        return await strio_cf_op_close(R, j->s);
    case STRIO_CF_OP_SEND_CLOSE:
        rc = await strio_cf_op_send(R, j->s, j->data, j->len);
        if (rc < 0)
            return rc;
        return await strio_cf_op_close(R, j->s);
    case STRIO_CF_OP_SEND_EOF_AFTER:
        rc = await strio_cf_op_send(R, j->s, j->data, j->len);
        if (rc < 0)
            return rc;
        return await strio_cf_op_eof(R, j->s);
    case STRIO_CF_OP_SEND_LOOP:
        return await strio_cf_send_loop(R, j);
    case STRIO_CF_OP_RECEIVE_LOOP:
        return await strio_cf_receive_loop(R, j);
    case STRIO_CF_OP_BULK_SEND:
        return await strio_cf_bulk_send(R, j);
    case STRIO_CF_OP_BULK_RECEIVE:
        return await strio_cf_bulk_receive(R, j);
    case STRIO_CF_OP_TIMED_SEND:
        return await strio_cf_timed_send(R, j);
    }
    return -EINVAL;
}

/* A helper task: runs one job in a scope of its own (so the body can
 * cancel exactly this job), then reports through the job's event. Always
 * returns 0: an expected error must not cancel the nursery. */
async int strio_cf_actor(struct strio_cf_run *R, struct strio_cf_job *j)
{
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    j->scope = &sc;
    j->started = 1;
    if (j->cancel_early)
        strio_scope_cancel(&sc);
    if (j->log_before)
        log_add(R, j->log_before);
    unsigned long sw = STRIO_SELF->switches;
    j->result = await strio_cf_job_run(R, j);
    j->yields = STRIO_SELF->switches - sw;
    if (j->log_after)
        log_add(R, j->log_after);
    j->scope = NULL;
    strio_scope_exit(&sc, 0);
    j->done = 1;
    strio_event_set(&j->done_ev);
    return 0;
}

/* Job `i`, reset, for operation `op` on `s` (buffer: region i). */
static struct strio_cf_job *job(struct strio_cf_run *R, int i, int op,
                                strio_stream *s, const char *what)
{
    struct strio_cf_job *j = &R->jobs[i];
    memset(j, 0, sizeof *j);
    strio_event_init(&j->done_ev);
    j->op = (unsigned char)op;
    j->s = s;
    j->what = what;
    j->buf = region(R, i);
    j->max = STRIO_CONFORMANCE_CHUNK;
    return j;
}

static int spawn(struct strio_cf_run *R, struct strio_cf_job *j)
{
    struct strio_cf_actor_frame *f = strio_pool_try_get(R->pool);
    if (f == NULL)
        return fail(R, "internal: no free helper task");
    strio_cf_actor_start(f, R, j);
    if (strio_nursery_start(&R->n, R->pool, f, strio_cf_actor_resume,
                            &f->strio_ret) < 0)
        return fail(R, "internal: nursery closed");
    return 0;
}

static void cancel_job(struct strio_cf_job *j)
{
    if (j->done)
        return;
    if (j->scope != NULL)
        strio_scope_cancel(j->scope);
    else
        j->cancel_early = 1;
}

/* Waits until job `j` is done; nonzero (failure recorded) if the wait
 * ended otherwise (the property's deadline). */
static async int strio_cf_join(struct strio_cf_run *R, struct strio_cf_job *j)
{
    if (!j->done)
        await strio_event_wait(&j->done_ev);
    if (j->done)
        return 0;
    return fail_op(R, j->what, "did not return");
}

/* Lets every other task run until it blocks (exact on a virtual clock with
 * autojump). Nonzero if the property's deadline passed meanwhile. */
static async int strio_cf_settle(struct strio_cf_run *R)
{
    int rc = await strio_sleep(R->cf->settle);
    return rc < 0 ? fail(R, "cancelled while settling") : 0;
}

/* Spawns `j` and waits for it. */
static async int strio_cf_run_job(struct strio_cf_run *R,
                                  struct strio_cf_job *j)
{
    if (spawn(R, j) < 0)
        return -1;
    return await strio_cf_join(R, j);
}

/* The second of two concurrent operations must have failed with
 * STRIO_EBUSY without suspending. */
static int expect_busy(struct strio_cf_run *R, struct strio_cf_job *j)
{
    if (!j->done)
        return fail_op(R, j->what, "did not fail at once with STRIO_EBUSY "
                                   "while another operation of its side "
                                   "was in flight (it waits)");
    if (expect(R, j->what, j->result, STRIO_EBUSY) < 0)
        return -1;
    if (j->yields != 0)
        return fail_op(R, j->what, "suspended before failing with "
                                   "STRIO_EBUSY (must fail at once)");
    return 0;
}

/* Nothing more arrives on `r` for `settle`: a receive is still pending
 * then (and is cancelled). */
static async int strio_cf_expect_nothing(struct strio_cf_run *R,
                                         strio_stream *r)
{
    strio_cancel_scope sc;
    strio_move_on_after(STRIO_SELF, &sc, R->cf->settle);
    long n = await strio_cf_op_recv(R, r, R->small, sizeof R->small);
    strio_scope_exit(&sc, (int)n);
    if (n == STRIO_ECANCELED && sc.cancelled_caught)
        return 0;
    if (bad(R))
        return -1;
    if (fail_begin(R)) {
        if (n > 0)
            m_str(R, "bytes arrived that nobody sent (or twice): "
                     "receive_some returned ");
        else
            m_str(R, "receive_some did not wait for data: returned ");
        m_res(R, n);
    }
    return -1;
}

/* Receives exactly `total` pattern bytes on `r` in the body's task. */
static async int strio_cf_receive_exact(struct strio_cf_run *R,
                                        strio_stream *r,
                                        unsigned long total, uint32_t key,
                                        size_t max)
{
    unsigned long got = 0;
    while (got < total) {
        long n = await strio_cf_op_recv(R, r, R->small, max);
        if (n <= 0) {
            if (fail_begin(R)) {
                m_str(R, "receive_some returned ");
                m_res(R, n);
                m_str(R, " after ");
                m_num(R, (long)got);
                m_str(R, " of ");
                m_num(R, (long)total);
                m_str(R, " bytes");
            }
            return -1;
        }
        if (check_pat(R, R->small, (size_t)n, key, got) < 0)
            return -1;
        got += (unsigned long)n;
    }
    return 0;
}

/* ======================================================================== */
/* Properties                                                               */
/* ======================================================================== */

static const struct {
    const char *name;
    unsigned char kind;
} props[STRIO_CF_P_COUNT] = {
    [STRIO_CF_P_OPS_OFFERED] = { "ops_offered", STRIO_CF_K_ONE },
    [STRIO_CF_P_SEND_RECEIVE] = { "send_receive", STRIO_CF_K_ONE },
    [STRIO_CF_P_SEND_EMPTY] = { "send_empty", STRIO_CF_K_ONE },
    [STRIO_CF_P_RECEIVE_MAX_ZERO] = { "receive_max_zero", STRIO_CF_K_ONE },
    [STRIO_CF_P_RECEIVE_HONOURS_MAX] =
        { "receive_honours_max", STRIO_CF_K_ONE },
    [STRIO_CF_P_RECEIVE_BUSY] = { "receive_busy", STRIO_CF_K_ONE },
    [STRIO_CF_P_SEND_BUSY] = { "send_busy", STRIO_CF_K_ONE },
    [STRIO_CF_P_WAIT_SEND_BUSY] = { "wait_send_busy", STRIO_CF_K_ONE },
    [STRIO_CF_P_SEND_EOF_BUSY] =
        { "send_eof_busy", STRIO_CF_K_ONE | STRIO_CF_K_EOF },
    [STRIO_CF_P_WAIT_SEND_RETURNS] = { "wait_send_returns", STRIO_CF_K_ONE },
    [STRIO_CF_P_RECEIVE_CANCEL_KEEPS] =
        { "receive_cancel_keeps_stream", STRIO_CF_K_ONE },
    [STRIO_CF_P_RECEIVE_CANCEL_RACE] =
        { "receive_cancel_race", STRIO_CF_K_ONE },
    [STRIO_CF_P_RECEIVE_CANCEL_SWEEP] =
        { "receive_cancel_sweep", STRIO_CF_K_ONE },
    [STRIO_CF_P_BULK_RANDOM] = { "bulk_random_chunks", STRIO_CF_K_ONE },
    [STRIO_CF_P_BULK_ONE_BYTE_RECEIVES] =
        { "bulk_one_byte_receives", STRIO_CF_K_ONE },
    [STRIO_CF_P_BULK_LARGE_SENDS] = { "bulk_large_sends", STRIO_CF_K_ONE },
    [STRIO_CF_P_BULK_ONE_BYTE_SENDS] =
        { "bulk_one_byte_sends", STRIO_CF_K_ONE },
    [STRIO_CF_P_CANCELLED_OPS] = { "cancelled_ops", STRIO_CF_K_ONE },
    [STRIO_CF_P_CLOSE_IDEMPOTENT] = { "close_idempotent", STRIO_CF_K_ONE },
    [STRIO_CF_P_OPS_AFTER_CLOSE] = { "ops_after_close", STRIO_CF_K_ONE },
    [STRIO_CF_P_CLOSE_WAKES_RECEIVE] =
        { "close_wakes_receive", STRIO_CF_K_ONE },
    [STRIO_CF_P_GRACEFUL_CLOSE] =
        { "graceful_close_keeps_data", STRIO_CF_K_ONE },
    [STRIO_CF_P_PEER_CLOSE_WAKES_RECEIVE] =
        { "peer_close_wakes_receive", STRIO_CF_K_ONE },
    [STRIO_CF_P_RECEIVER_CLOSE_BREAKS] =
        { "receiver_close_breaks_sender", STRIO_CF_K_ONE },
    [STRIO_CF_P_FORCED_RECEIVER_CLOSE] =
        { "forced_receiver_close", STRIO_CF_K_ONE },
    [STRIO_CF_P_FORCED_SENDER_CLOSE] =
        { "forced_sender_close", STRIO_CF_K_ONE },
    [STRIO_CF_P_CANCELLED_CLOSE_RELEASES] =
        { "cancelled_close_releases", STRIO_CF_K_ONE },
    [STRIO_CF_P_CLOGGED_WAIT_BLOCKS] =
        { "clogged_wait_send_blocks", STRIO_CF_K_ONE | STRIO_CF_K_CLOG },
    [STRIO_CF_P_CLOGGED_WAIT_BUSY] =
        { "clogged_wait_send_busy", STRIO_CF_K_ONE | STRIO_CF_K_CLOG },
    [STRIO_CF_P_CLOGGED_WAIT_THEN_SEND] =
        { "clogged_wait_then_send_busy", STRIO_CF_K_ONE | STRIO_CF_K_CLOG },
    [STRIO_CF_P_CLOGGED_SEND_THEN_WAIT] =
        { "clogged_send_then_wait_busy", STRIO_CF_K_ONE | STRIO_CF_K_CLOG },
    [STRIO_CF_P_CLOGGED_SEND_BUSY] =
        { "clogged_send_busy", STRIO_CF_K_ONE | STRIO_CF_K_CLOG },
    [STRIO_CF_P_CLOGGED_EOF_BUSY] =
        { "clogged_send_eof_busy",
          STRIO_CF_K_ONE | STRIO_CF_K_CLOG | STRIO_CF_K_EOF },
    [STRIO_CF_P_CLOGGED_RCLOSE_WAKES_WAIT] =
        { "clogged_receiver_close_wakes_wait_send",
          STRIO_CF_K_ONE | STRIO_CF_K_CLOG },
    [STRIO_CF_P_CLOGGED_WAIT_AFTER_RCLOSE] =
        { "clogged_wait_send_after_receiver_close",
          STRIO_CF_K_ONE | STRIO_CF_K_CLOG },
    [STRIO_CF_P_CLOGGED_CLOSE_WAKES_SEND] =
        { "clogged_close_wakes_send", STRIO_CF_K_ONE | STRIO_CF_K_CLOG },
    [STRIO_CF_P_CLOGGED_CLOSE_WAKES_WAIT] =
        { "clogged_close_wakes_wait_send", STRIO_CF_K_ONE | STRIO_CF_K_CLOG },
    [STRIO_CF_P_CLOGGED_SEND_CANCEL] =
        { "clogged_send_cancel", STRIO_CF_K_ONE | STRIO_CF_K_CLOG },
    [STRIO_CF_P_TWO_OPS_OFFERED] = { "two_way_ops_offered", STRIO_CF_K_TWO },
    [STRIO_CF_P_DUPLEX_STRESS] = { "duplex_stress", STRIO_CF_K_TWO },
    [STRIO_CF_P_SEND_WHILE_RECEIVE] =
        { "send_while_receive_pending", STRIO_CF_K_TWO },
    [STRIO_CF_P_CLOSE_GIVES_PEER_EOF] =
        { "close_gives_peer_eof", STRIO_CF_K_TWO },
    [STRIO_CF_P_HALF_OPS_OFFERED] = { "half_ops_offered", STRIO_CF_K_HALF },
    [STRIO_CF_P_SEND_EOF_DELIVERS] =
        { "send_eof_delivers_eof", STRIO_CF_K_HALF },
    [STRIO_CF_P_SEND_AFTER_EOF] = { "send_after_send_eof", STRIO_CF_K_HALF },
    [STRIO_CF_P_SEND_EOF_IDEMPOTENT] =
        { "send_eof_idempotent", STRIO_CF_K_HALF },
    [STRIO_CF_P_RECEIVE_AFTER_EOF] =
        { "receive_after_send_eof", STRIO_CF_K_HALF },
    [STRIO_CF_P_SEND_EOF_WAKES_RECEIVE] =
        { "send_eof_wakes_receive", STRIO_CF_K_HALF },
};

const char *strio_conformance_property(unsigned i)
{
    return i < STRIO_CF_P_COUNT ? props[i].name : NULL;
}

void strio_conformance_init(strio_conformance *cf)
{
    memset(cf, 0, sizeof *cf);
    cf->bulk_bytes = 65536;
    cf->clog_limit = 1UL << 20;
    cf->settle = STRIO_MS(1);
    cf->timeout = STRIO_SEC(10);
    cf->seed = 1;
}

static int has_send_ops(const strio_stream *s)
{
    const strio_stream_ops *o = s->ops;
    return o->send_all != NULL && o->wait_send != NULL &&
           o->send_step != NULL;
}

static int has_receive_ops(const strio_stream *s)
{
    return s->ops->receive_some != NULL && s->ops->receive_step != NULL;
}

static int has_close_ops(const strio_stream *s)
{
    return s->ops->close != NULL && s->ops->close_step != NULL;
}

static int p_ops_offered(struct strio_cf_run *R)
{
    if (!has_send_ops(R->s))
        return fail(R, "the sending end lacks send_all, wait_send_all_"
                       "might_not_block or send_step");
    if (!has_receive_ops(R->r))
        return fail(R, "the receiving end lacks receive_some or "
                       "receive_step");
    if (!has_close_ops(R->s) || !has_close_ops(R->r))
        return fail(R, "an end lacks close or close_step");
    return 0;
}

static async int strio_cf_p_send_receive(struct strio_cf_run *R)
{
    struct strio_cf_job *rj = job(R, 0, STRIO_CF_OP_RECEIVE, R->r,
                                  "receive_some");
    rj->max = 1;
    if (spawn(R, rj) < 0)
        return -1;
    if (expect(R, "send_all(\"x\")", await strio_cf_op_send(R, R->s, "x", 1),
               0) < 0)
        return -1;
    if (await strio_cf_join(R, rj))
        return -1;
    if (expect(R, "receive_some(max 1)", rj->result, 1) < 0)
        return -1;
    if (rj->buf[0] != 'x')
        return fail(R, "receive_some got another byte than the \"x\" sent");
    return 0;
}

static async int strio_cf_p_send_empty(struct strio_cf_run *R)
{
    struct strio_cf_job *rj = job(R, 0, STRIO_CF_OP_RECEIVE, R->r,
                                  "receive_some");
    rj->max = 1;
    if (spawn(R, rj) < 0 || await strio_cf_settle(R))
        return -1;
    long rc = await strio_cf_op_send(R, R->s, R->small, 0);
    if (expect(R, "send_all of 0 bytes", rc, 0) < 0)
        return -1;
    if (await strio_cf_settle(R))
        return -1;
    if (rj->done) {
        if (fail_begin(R)) {
            m_str(R, "a send_all of 0 bytes woke the pending receive_some, "
                     "which returned ");
            m_res(R, rj->result);
        }
        return -1;
    }
    if (expect(R, "send_all(\"y\")", await strio_cf_op_send(R, R->s, "y", 1),
               0) < 0)
        return -1;
    if (await strio_cf_join(R, rj))
        return -1;
    if (expect(R, "receive_some(max 1)", rj->result, 1) < 0)
        return -1;
    if (rj->buf[0] != 'y')
        return fail(R, "receive_some got another byte than the \"y\" sent");
    return 0;
}

static async int strio_cf_p_receive_max_zero(struct strio_cf_run *R)
{
    long n = await strio_receive_some(R->r, R->small, 0);
    if (expect(R, "receive_some(max 0)", n, -EINVAL) < 0)
        return -1;
    struct strio_cf_job *sj = job(R, 0, STRIO_CF_OP_SEND, R->s, "send_all");
    sj->data = (const unsigned char *)"k";
    sj->len = 1;
    if (spawn(R, sj) < 0)
        return -1;
    n = await strio_cf_op_recv(R, R->r, R->small, 1);
    if (expect(R, "receive_some(max 1) after receive_some(max 0)", n, 1) < 0)
        return -1;
    if (R->small[0] != 'k')
        return fail(R, "receive_some got another byte than the one sent");
    if (await strio_cf_join(R, sj))
        return -1;
    return expect(R, "send_all", sj->result, 0);
}

static async int strio_cf_p_receive_honours_max(struct strio_cf_run *R)
{
    uint32_t key = seed_of(R, 11);
    struct strio_cf_job *sj = job(R, 0, STRIO_CF_OP_SEND, R->s, "send_all");
    fill_pat(sj->buf, 100, key, 0);
    sj->data = sj->buf;
    sj->len = 100;
    if (spawn(R, sj) < 0)
        return -1;
    unsigned long got = 0;
    for (size_t max = 1; got < 100; max++) {
        long n = await strio_cf_op_recv(R, R->r, R->small, max);
        if (n <= 0 || (size_t)n > max) {
            if (fail_begin(R)) {
                m_str(R, "receive_some(max ");
                m_num(R, (long)max);
                m_str(R, ") returned ");
                m_res(R, n);
            }
            return -1;
        }
        if (check_pat(R, R->small, (size_t)n, key, got) < 0)
            return -1;
        got += (unsigned long)n;
    }
    if (await strio_cf_join(R, sj))
        return -1;
    if (expect(R, "send_all", sj->result, 0) < 0)
        return -1;
    return await strio_cf_expect_nothing(R, R->r);
}

static async int strio_cf_p_receive_busy(struct strio_cf_run *R)
{
    struct strio_cf_job *j0 = job(R, 0, STRIO_CF_OP_RECEIVE, R->r,
                                  "receive_some");
    struct strio_cf_job *j1 = job(R, 1, STRIO_CF_OP_RECEIVE, R->r,
                                  "second concurrent receive_some");
    j0->max = j1->max = 1;
    if (spawn(R, j0) < 0 || spawn(R, j1) < 0 || await strio_cf_settle(R))
        return -1;
    if (expect_busy(R, j1) < 0)
        return -1;
    if (j0->done) {
        if (fail_begin(R)) {
            m_str(R, "receive_some returned with nothing sent: ");
            m_res(R, j0->result);
        }
        return -1;
    }
    cancel_job(j0);
    if (await strio_cf_join(R, j0))
        return -1;
    return expect(R, "cancelled receive_some", j0->result, STRIO_ECANCELED);
}

/* One busy case on the send side: `first` in flight (a send_all of 100
 * pattern bytes or a wait), then `second`, which must fail at once. */
static async int strio_cf_send_side_busy(struct strio_cf_run *R, int first,
                                         int second)
{
    uint32_t key = seed_of(R, 17);
    struct strio_cf_job *j0 = job(R, 0, first, R->s,
                                  first == STRIO_CF_OP_SEND ? "send_all" :
                                  "wait_send_all_might_not_block");
    struct strio_cf_job *j1 = job(R, 1, second, R->s,
                                  second == STRIO_CF_OP_SEND ?
                                  "second concurrent send_all" :
                                  second == STRIO_CF_OP_WAIT_SEND ?
                                  "wait_send_all_might_not_block during "
                                  "another send-side operation" :
                                  "send_eof during another send-side "
                                  "operation");
    fill_pat(j0->buf, 100, key, 0);
    j0->data = j0->buf;
    j0->len = 100;
    fill_pat(j1->buf, 100, key ^ 0x5555u, 0);
    j1->data = j1->buf;
    j1->len = 100;
    if (spawn(R, j0) < 0 || spawn(R, j1) < 0 || await strio_cf_settle(R))
        return -1;
    if (expect_busy(R, j1) < 0)
        return -1;
    if (first == STRIO_CF_OP_SEND) {
        if (await strio_cf_receive_exact(R, R->r, 100, key, sizeof R->small))
            return -1;
        if (await strio_cf_join(R, j0))
            return -1;
        if (expect(R, "send_all", j0->result, 0) < 0)
            return -1;
        return await strio_cf_expect_nothing(R, R->r);
    }
    cancel_job(j0);         /* a lockstep wait waits for a receiver */
    if (await strio_cf_join(R, j0))
        return -1;
    return expect2(R, "wait_send_all_might_not_block", j0->result, 0,
                   STRIO_ECANCELED);
}

static async int strio_cf_p_send_busy(struct strio_cf_run *R)
{
    return await strio_cf_send_side_busy(R, STRIO_CF_OP_SEND,
                                         STRIO_CF_OP_SEND);
}

static async int strio_cf_p_wait_send_busy(struct strio_cf_run *R)
{
    if (await strio_cf_send_side_busy(R, STRIO_CF_OP_SEND,
                                      STRIO_CF_OP_WAIT_SEND))
        return -1;
    if (await strio_cf_send_side_busy(R, STRIO_CF_OP_WAIT_SEND,
                                      STRIO_CF_OP_SEND))
        return -1;
    return await strio_cf_send_side_busy(R, STRIO_CF_OP_WAIT_SEND,
                                STRIO_CF_OP_WAIT_SEND);
}

static async int strio_cf_p_send_eof_busy(struct strio_cf_run *R)
{
    if (await strio_cf_send_side_busy(R, STRIO_CF_OP_SEND,
                                      STRIO_CF_OP_SEND_EOF))
        return -1;
    return await strio_cf_send_side_busy(R, STRIO_CF_OP_WAIT_SEND,
                                         STRIO_CF_OP_SEND_EOF);
}

static async int strio_cf_p_wait_send_returns(struct strio_cf_run *R)
{
    struct strio_cf_job *rj = job(R, 0, STRIO_CF_OP_RECEIVE, R->r,
                                  "receive_some");
    rj->max = 1;
    if (spawn(R, rj) < 0 || await strio_cf_settle(R))
        return -1;
    long rc = await strio_cf_op_wait(R, R->s);
    if (expect(R, "wait_send_all_might_not_block", rc, 0) < 0)
        return -1;
    cancel_job(rj);
    if (await strio_cf_join(R, rj))
        return -1;
    return expect(R, "cancelled receive_some", rj->result, STRIO_ECANCELED);
}

static async int strio_cf_p_receive_cancel_keeps(struct strio_cf_run *R)
{
    struct strio_cf_job *rj = job(R, 0, STRIO_CF_OP_RECEIVE, R->r,
                                  "receive_some");
    rj->max = 10;
    if (spawn(R, rj) < 0 || await strio_cf_settle(R))
        return -1;
    cancel_job(rj);
    if (await strio_cf_join(R, rj))
        return -1;
    if (expect(R, "cancelled receive_some", rj->result, STRIO_ECANCELED) < 0)
        return -1;
    uint32_t key = seed_of(R, 23);
    struct strio_cf_job *sj = job(R, 1, STRIO_CF_OP_SEND, R->s, "send_all");
    fill_pat(sj->buf, 3, key, 0);
    sj->data = sj->buf;
    sj->len = 3;
    if (spawn(R, sj) < 0)
        return -1;
    if (await strio_cf_receive_exact(R, R->r, 3, key, 10))
        return -1;
    if (await strio_cf_join(R, sj))
        return -1;
    if (expect(R, "send_all", sj->result, 0) < 0)
        return -1;
    return await strio_cf_expect_nothing(R, R->r);
}

static async int strio_cf_p_receive_cancel_race(struct strio_cf_run *R)
{
    uint32_t key = seed_of(R, 29);
    uint32_t x = seed_of(R, 31);
    struct strio_cf_job *sj = job(R, 0, STRIO_CF_OP_TIMED_SEND, R->s,
                                  "send_all");
    sj->total = 40;
    sj->key = key;
    unsigned long total = 0;
    for (unsigned long i = 0; i < sj->total; i++)
        total += 1 + i % 5;
    if (spawn(R, sj) < 0)
        return -1;
    unsigned long got = 0;
    int misses = 0;
    for (int round = 0; got < total && round < 10000; round++) {
        strio_cancel_scope sc;
        /* Deadlines on the same 0.5 ms grid as the sends, or already
         * passed; after 3 misses in a row one receive without a deadline
         * (a stream with slow receives still makes progress). */
        strio_time d = misses < 3 ? STRIO_US(500) * (long)(rnd(&x) % 4) :
                       STRIO_TIME_NEVER;
        strio_move_on_after(STRIO_SELF, &sc, d);
        long n = await strio_cf_op_recv(R, R->r, R->small, 1 + rnd(&x) % 8);
        strio_scope_exit(&sc, (int)n);
        if (n == STRIO_ECANCELED && sc.cancelled_caught) {
            misses++;
            continue;
        }
        misses = 0;
        if (n <= 0) {
            if (!bad(R) && fail_begin(R)) {
                m_str(R, "receive_some returned ");
                m_res(R, n);
                m_str(R, " after ");
                m_num(R, (long)got);
                m_str(R, " bytes");
            }
            return -1;
        }
        if (check_pat(R, R->small, (size_t)n, key, got) < 0)
            return -1;
        got += (unsigned long)n;
    }
    if (got < total)
        return fail(R, "data lost: cancelled receives kept failing");
    if (await strio_cf_join(R, sj))
        return -1;
    if (expect(R, "send_all", sj->result, 0) < 0)
        return -1;
    return await strio_cf_expect_nothing(R, R->r);
}

/*
 * The receive cancelled at every scheduling point: round k starts a
 * receive and a small send, lets the scheduler turn k times, then cancels
 * the receive. It returns bytes (checked) or STRIO_ECANCELED, and then
 * every byte sent and not returned must still arrive. Stops once the
 * receive completed before the cancel in 3 rounds running.
 */
static async int strio_cf_p_receive_cancel_sweep(struct strio_cf_run *R)
{
    uint32_t key = seed_of(R, 71);
    unsigned long sent = 0, got = 0;
    int late = 0;
    for (int k = 0; k < 40 && late < 3; k++) {
        size_t n = 1 + (size_t)k % 5;
        struct strio_cf_job *rj = job(R, 0, STRIO_CF_OP_RECEIVE, R->r,
                                      "receive_some");
        struct strio_cf_job *sj = job(R, 1, STRIO_CF_OP_SEND, R->s,
                                      "send_all");
        rj->max = 8;
        fill_pat(sj->buf, n, key, sent);
        sj->data = sj->buf;
        sj->len = n;
        if (spawn(R, rj) < 0 || spawn(R, sj) < 0)
            return -1;
        for (int i = 0; i < k; i++)
            await strio_checkpoint();
        int was_done = rj->done;
        cancel_job(rj);
        if (await strio_cf_join(R, rj))
            return -1;
        late = was_done ? late + 1 : 0;
        sent += n;
        if (rj->result > 0) {
            if (check_pat(R, rj->buf, (size_t)rj->result, key, got) < 0)
                return -1;
            got += (unsigned long)rj->result;
        } else if (expect(R, "receive_some cancelled while in flight",
                          rj->result, STRIO_ECANCELED) < 0) {
            return -1;
        }
        while (got < sent) {
            strio_cancel_scope sc;
            strio_move_on_after(STRIO_SELF, &sc, R->cf->settle);
            long m = await strio_cf_op_recv(R, R->r, R->small, 8);
            strio_scope_exit(&sc, (int)m);
            if (m == STRIO_ECANCELED && sc.cancelled_caught) {
                if (fail_begin(R)) {
                    m_str(R, "bytes lost: ");
                    m_num(R, (long)(sent - got));
                    m_str(R, " sent bytes never arrived after a "
                             "receive_some cancelled after ");
                    m_num(R, k);
                    m_str(R, " scheduler turns returned ");
                    m_res(R, rj->result);
                }
                return -1;
            }
            if (m <= 0)
                return expect(R, "receive_some", m, 1);
            if (check_pat(R, R->small, (size_t)m, key, got) < 0)
                return -1;
            got += (unsigned long)m;
        }
        if (await strio_cf_join(R, sj))
            return -1;
        if (expect(R, "send_all", sj->result, 0) < 0)
            return -1;
    }
    return await strio_cf_expect_nothing(R, R->r);
}

/* `total` pattern bytes from s to r, concurrently: send_all of lo..hi
 * bytes (the sender's buffer is regions 0-2, up to 3 * CHUNK bytes),
 * receive_some with max rlo..rhi (region 3); then nothing more arrives. */
static async int strio_cf_bulk(struct strio_cf_run *R, unsigned long total,
                               size_t lo, size_t hi, size_t rlo, size_t rhi)
{
    uint32_t key = seed_of(R, 37);
    struct strio_cf_job *sj = job(R, 0, STRIO_CF_OP_BULK_SEND, R->s,
                                  "send_all");
    struct strio_cf_job *rj = job(R, 3, STRIO_CF_OP_BULK_RECEIVE, R->r,
                                  "receive_some");
    sj->total = rj->total = total;
    sj->key = rj->key = key;
    sj->lo = lo;
    sj->hi = hi;
    sj->seed = seed_of(R, 41);
    rj->lo = rlo;
    rj->hi = rhi;
    rj->seed = seed_of(R, 43);
    if (spawn(R, sj) < 0 || spawn(R, rj) < 0)
        return -1;
    if (await strio_cf_join(R, sj) || await strio_cf_join(R, rj))
        return -1;
    if (sj->result != 0 || rj->result != 0)
        return fail(R, "bulk transfer failed");
    return await strio_cf_expect_nothing(R, R->r);
}

static unsigned long min_ul(unsigned long a, unsigned long b)
{
    return a < b ? a : b;
}

static async int strio_cf_p_bulk(struct strio_cf_run *R, int id)
{
    unsigned long big = R->cf->bulk_bytes;
    size_t c = STRIO_CONFORMANCE_CHUNK;
    switch (id) {
    case STRIO_CF_P_BULK_RANDOM:
        return await strio_cf_bulk(R, big, 1, c, 1, c);
    case STRIO_CF_P_BULK_ONE_BYTE_RECEIVES:
        return await strio_cf_bulk(R, min_ul(big, 4096), 1, c, 1, 1);
    case STRIO_CF_P_BULK_LARGE_SENDS:
        return await strio_cf_bulk(R, big, 3 * c, 3 * c, c, c);
    default:
        return await strio_cf_bulk(R, min_ul(big, 2048), 1, 1, 1, c);
    }
}

static async int strio_cf_p_cancelled_ops(struct strio_cf_run *R)
{
    strio_cancel_scope sc;
    long rc[5];
    strio_scope_enter(STRIO_SELF, &sc);
    strio_scope_cancel(&sc);
    rc[0] = await strio_send_all(R->s, "x", 1);
    rc[1] = await strio_send_all(R->s, "", 0);
    rc[2] = await strio_wait_send_all_might_not_block(R->s);
    rc[3] = strio_stream_can_send_eof(R->s) ?
            await strio_send_eof(R->s) : STRIO_ECANCELED;
    rc[4] = await strio_receive_some(R->r, R->small, 1);
    strio_scope_exit(&sc, 0);
    if (expect(R, "send_all(\"x\") in a cancelled scope", rc[0],
               STRIO_ECANCELED) < 0 ||
        expect(R, "send_all of 0 bytes in a cancelled scope", rc[1],
               STRIO_ECANCELED) < 0 ||
        expect(R, "wait_send_all_might_not_block in a cancelled scope",
               rc[2], STRIO_ECANCELED) < 0 ||
        expect(R, "send_eof in a cancelled scope", rc[3],
               STRIO_ECANCELED) < 0 ||
        expect(R, "receive_some in a cancelled scope", rc[4],
               STRIO_ECANCELED) < 0)
        return -1;
    struct strio_cf_job *c0 = job(R, 0, STRIO_CF_OP_CLOSE, R->s, "close (s)");
    struct strio_cf_job *c1 = job(R, 1, STRIO_CF_OP_CLOSE, R->r, "close (r)");
    if (spawn(R, c0) < 0 || spawn(R, c1) < 0)
        return -1;
    if (await strio_cf_join(R, c0) || await strio_cf_join(R, c1))
        return -1;
    if (expect(R, "close of the sending end", c0->result, 0) < 0)
        return -1;
    return expect(R, "close of the receiving end", c1->result, 0);
}

static async int strio_cf_p_close_idempotent(struct strio_cf_run *R)
{
    for (int i = 0; i < 3; i++) {
        if (expect(R, i == 0 ? "close (s)" : "close (s) again",
                   await strio_cf_op_close(R, R->s), 0) < 0)
            return -1;
    }
    for (int i = 0; i < 3; i++) {
        if (expect(R, i == 0 ? "close (r)" : "close (r) again",
                   await strio_cf_op_close(R, R->r), 0) < 0)
            return -1;
    }
    return 0;
}

/* Every operation `s` offers, after its close: STRIO_ECLOSED. */
static async int strio_cf_all_closed(struct strio_cf_run *R, strio_stream *s,
                                     const char *which)
{
    (void)which;
    if (s->ops->send_all != NULL) {
        if (expect(R, "send_all of 100 bytes after close",
                   await strio_send_all(s, R->fill, 100), STRIO_ECLOSED) < 0)
            return -1;
        if (expect(R, "send_all of 0 bytes after close",
                   await strio_send_all(s, R->fill, 0), STRIO_ECLOSED) < 0)
            return -1;
    }
    if (s->ops->wait_send != NULL &&
        expect(R, "wait_send_all_might_not_block after close",
               await strio_wait_send_all_might_not_block(s),
               STRIO_ECLOSED) < 0)
        return -1;
    if (s->ops->send_eof != NULL &&
        expect(R, "send_eof after close", await strio_send_eof(s),
               STRIO_ECLOSED) < 0)
        return -1;
    if (s->ops->receive_some != NULL &&
        expect(R, "receive_some after close",
               await strio_receive_some(s, R->small, 1), STRIO_ECLOSED) < 0)
        return -1;
    return 0;
}

static async int strio_cf_p_ops_after_close(struct strio_cf_run *R)
{
    if (expect(R, "close (s)", await strio_cf_op_close(R, R->s), 0) < 0)
        return -1;
    if (await strio_cf_all_closed(R, R->s, "s"))
        return -1;
    if (expect(R, "close (r)", await strio_cf_op_close(R, R->r), 0) < 0)
        return -1;
    return await strio_cf_all_closed(R, R->r, "r");
}

static async int strio_cf_p_close_wakes_receive(struct strio_cf_run *R)
{
    struct strio_cf_job *rj = job(R, 0, STRIO_CF_OP_RECEIVE, R->r,
                                  "receive_some");
    rj->max = 10;
    if (spawn(R, rj) < 0 || await strio_cf_settle(R))
        return -1;
    if (expect(R, "close (r)", await strio_cf_op_close(R, R->r), 0) < 0)
        return -1;
    if (await strio_cf_join(R, rj))
        return -1;
    return expect(R, "receive_some pending while its stream was closed",
                  rj->result, STRIO_ECLOSED);
}

static async int strio_cf_p_graceful_close(struct strio_cf_run *R)
{
    struct strio_cf_job *sj = job(R, 0, STRIO_CF_OP_SEND_CLOSE, R->s,
                                  "send_all(\"y\") then close");
    sj->data = (const unsigned char *)"y";
    sj->len = 1;
    if (spawn(R, sj) < 0 || await strio_cf_settle(R))
        return -1;
    long n = await strio_cf_op_recv(R, R->r, R->small, 1);
    if (expect(R, "receive_some(max 1) after the peer sent \"y\" and "
                  "closed", n, 1) < 0)
        return -1;
    if (R->small[0] != 'y')
        return fail(R, "receive_some got another byte than the \"y\" sent");
    n = await strio_cf_op_recv(R, R->r, R->small, 1);
    if (expect(R, "receive_some after the data, the peer closed", n, 0) < 0)
        return -1;
    n = await strio_cf_op_recv(R, R->r, R->small, 1);
    if (expect(R, "receive_some after end of stream", n, 0) < 0)
        return -1;
    if (expect(R, "close (r)", await strio_cf_op_close(R, R->r), 0) < 0)
        return -1;
    if (await strio_cf_join(R, sj))
        return -1;
    return expect(R, "send_all then close", sj->result, 0);
}

static async int strio_cf_p_peer_close_wakes_receive(struct strio_cf_run *R)
{
    struct strio_cf_job *rj = job(R, 0, STRIO_CF_OP_RECEIVE, R->r,
                                  "receive_some");
    rj->max = 10;
    if (spawn(R, rj) < 0 || await strio_cf_settle(R))
        return -1;
    if (expect(R, "close (s)", await strio_cf_op_close(R, R->s), 0) < 0)
        return -1;
    if (await strio_cf_join(R, rj))
        return -1;
    return expect(R, "receive_some pending while the peer closed",
                  rj->result, 0);
}

static async int strio_cf_p_receiver_close_breaks(struct strio_cf_run *R)
{
    struct strio_cf_job *sj = job(R, 0, STRIO_CF_OP_SEND_LOOP, R->s,
                                  "send_all loop");
    memset(sj->buf, 'x', 100);
    sj->data = sj->buf;
    sj->len = 100;
    if (spawn(R, sj) < 0)
        return -1;
    /* As in Trio, the close runs concurrently with the sending: the
     * sender must not depend on blocking first (an unbounded buffer). */
    if (expect(R, "close (r)", await strio_cf_op_close(R, R->r), 0) < 0)
        return -1;
    if (await strio_cf_join(R, sj))
        return -1;
    if (expect(R, "send_all after the receiver closed", sj->result,
               STRIO_EBROKEN) < 0)
        return -1;
    long rc = await strio_cf_op_send(R, R->s, R->fill, 100);
    return expect(R, "send_all once broken", rc, STRIO_EBROKEN);
}

static async int strio_cf_p_forced_receiver_close(struct strio_cf_run *R)
{
    await strio_cf_force_close(R->r);
    struct strio_cf_job *sj = job(R, 0, STRIO_CF_OP_SEND_LOOP, R->s,
                                  "send_all loop");
    memset(sj->buf, 'x', 100);
    sj->data = sj->buf;
    sj->len = 100;
    if (await strio_cf_run_job(R, sj))
        return -1;
    if (expect(R, "send_all after the receiver closed (in a cancelled "
                  "scope)", sj->result, STRIO_EBROKEN) < 0)
        return -1;
    return expect(R, "receive_some after close in a cancelled scope",
                  await strio_receive_some(R->r, R->small, 10),
                  STRIO_ECLOSED);
}

static async int strio_cf_p_forced_sender_close(struct strio_cf_run *R)
{
    await strio_cf_force_close(R->s);
    if (expect(R, "send_all after close in a cancelled scope",
               await strio_send_all(R->s, "123", 3), STRIO_ECLOSED) < 0)
        return -1;
    return expect2(R, "receive_some after the peer closed (in a cancelled "
                      "scope)", await strio_cf_op_recv(R, R->r, R->small, 1),
                   0,
                   STRIO_EBROKEN);
}

static async int strio_cf_p_cancelled_close_releases(struct strio_cf_run *R)
{
    await strio_cf_force_close(R->r);
    await strio_cf_force_close(R->s);
    if (expect(R, "send_all after close in a cancelled scope",
               await strio_send_all(R->s, "123", 3), STRIO_ECLOSED) < 0)
        return -1;
    return expect(R, "receive_some after close in a cancelled scope",
                  await strio_receive_some(R->r, R->small, 10),
                  STRIO_ECLOSED);
}

/* ---- clogged ------------------------------------------------------------ */

/*
 * Fills s -> r until it is clogged: a send_all stayed blocked for `settle`
 * (and was cancelled), and then a wait_send_all_might_not_block stays
 * blocked for `settle` too. The second test keeps a send that was merely
 * slow (a fault-injected delay, say) from passing for a clogged pair, as
 * long as no single delay reaches `settle`.
 */
static async int strio_cf_clog(struct strio_cf_run *R)
{
    unsigned long sent = 0;
    memset(R->mem, 'c', sizeof R->mem);     /* no job runs yet */
    while (sent <= R->cf->clog_limit) {
        strio_cancel_scope sc;
        strio_move_on_after(STRIO_SELF, &sc, R->cf->settle);
        int rc = await strio_send_all(R->s, R->mem, sizeof R->mem);
        rc = strio_scope_exit(&sc, rc);
        if (sc.cancelled_caught) {
            strio_move_on_after(STRIO_SELF, &sc, R->cf->settle);
            rc = await strio_wait_send_all_might_not_block(R->s);
            rc = strio_scope_exit(&sc, rc);
            if (sc.cancelled_caught)
                return 0;
        }
        if (rc < 0) {
            if (!bad(R) && fail_begin(R)) {
                m_str(R, "send_all failed while filling the pair: ");
                m_res(R, rc);
            }
            return -1;
        }
        sent += sizeof R->mem;
    }
    return fail(R, "send_all never blocked: cannot clog the pair "
                   "(clog_limit bytes sent)");
}

/*
 * On the clogged s: `first`, then at once `second`, which must fail with
 * STRIO_EBUSY without suspending (Trio: exactly one of the two is busy).
 * `first` is then cancelled; it may have completed if the pair came
 * unclogged meanwhile (a socket's kernel may find room), that is fine here.
 */
static async int strio_cf_clogged_busy(struct strio_cf_run *R, int first,
                                       int second, const char *what2)
{
    struct strio_cf_job *j0 = job(R, 0, first, R->s,
                                  first == STRIO_CF_OP_SEND ? "send_all" :
                                  "wait_send_all_might_not_block");
    struct strio_cf_job *j1 = job(R, 1, second, R->s, what2);
    j0->data = j1->data = (const unsigned char *)"123";
    j0->len = j1->len = 3;
    if (spawn(R, j0) < 0 || spawn(R, j1) < 0 || await strio_cf_settle(R))
        return -1;
    if (expect_busy(R, j1) < 0)
        return -1;
    cancel_job(j0);
    if (await strio_cf_join(R, j0))
        return -1;
    return expect2(R, j0->what, j0->result, STRIO_ECANCELED, 0);
}

/* Fails unless job `j`, started on the clogged pair, is still pending. */
static int still_clogged(struct strio_cf_run *R, struct strio_cf_job *j)
{
    if (!j->done)
        return 0;
    if (fail_begin(R)) {
        m_str(R, "the pair is not clogged: ");
        m_str(R, j->what);
        m_str(R, " returned without a receiver: ");
        m_res(R, j->result);
    }
    return -1;
}

static async int strio_cf_p_clogged_wait_blocks(struct strio_cf_run *R)
{
    struct strio_cf_job *wj = job(R, 0, STRIO_CF_OP_WAIT_SEND, R->s,
                                  "wait_send_all_might_not_block");
    wj->log_before = 'S';
    wj->log_after = 'W';
    if (spawn(R, wj) < 0 || await strio_cf_settle(R))
        return -1;
    log_add(R, 'R');
    struct strio_cf_job *rj = job(R, 1, STRIO_CF_OP_RECEIVE_LOOP, R->r,
                                  "receive_some loop");
    if (spawn(R, rj) < 0)
        return -1;
    if (await strio_cf_join(R, wj))
        return -1;
    if (expect(R, "wait_send_all_might_not_block", wj->result, 0) < 0)
        return -1;
    if (strcmp(R->log, "SRW") != 0) {
        if (fail_begin(R)) {
            m_str(R, "wait_send_all_might_not_block returned while the pair "
                     "was clogged (order ");
            m_str(R, R->log);
            m_str(R, ", expected SRW: waiting, receiver starts, woke)");
        }
        return -1;
    }
    cancel_job(rj);
    return await strio_cf_join(R, rj);
}

static async int strio_cf_p_clogged_send_cancel(struct strio_cf_run *R)
{
    struct strio_cf_job *sj = job(R, 0, STRIO_CF_OP_SEND, R->s, "send_all");
    memset(sj->buf, 'z', 64);
    sj->data = sj->buf;
    sj->len = 64;
    if (spawn(R, sj) < 0 || await strio_cf_settle(R) ||
        still_clogged(R, sj) < 0)
        return -1;
    cancel_job(sj);
    if (await strio_cf_join(R, sj))
        return -1;
    if (expect(R, "cancelled send_all", sj->result, STRIO_ECANCELED) < 0)
        return -1;
    /* An unknown amount was sent; the stream must still close. */
    await strio_cf_op_close(R, R->s);
    if (expect(R, "send_all after close (following a cancelled send_all)",
               await strio_send_all(R->s, "123", 3), STRIO_ECLOSED) < 0)
        return -1;
    struct strio_cf_job *rj = job(R, 1, STRIO_CF_OP_RECEIVE_LOOP, R->r,
                                  "receive_some loop after the peer closed");
    if (await strio_cf_run_job(R, rj))
        return -1;
    return expect2(R, "receive_some (draining) after the peer closed",
                   rj->result, 0, STRIO_EBROKEN);
}

static async int strio_cf_clogged_wake(struct strio_cf_run *R, int op,
                                       int close_r)
{
    struct strio_cf_job *j = job(R, 0, op, R->s,
                                 op == STRIO_CF_OP_SEND ? "send_all" :
                                 "wait_send_all_might_not_block");
    j->data = (const unsigned char *)"xyzzy";
    j->len = 5;
    if (spawn(R, j) < 0 || await strio_cf_settle(R) || still_clogged(R, j) < 0)
        return -1;
    await strio_cf_force_close(close_r ? R->r : R->s);
    if (await strio_cf_join(R, j))
        return -1;
    if (close_r)
        return expect2(R, "wait_send_all_might_not_block pending while the "
                          "receiver closed", j->result, 0, STRIO_EBROKEN);
    return expect(R, op == STRIO_CF_OP_SEND ?
                  "send_all pending while its stream was closed" :
                  "wait_send_all_might_not_block pending while its stream "
                  "was closed", j->result, STRIO_ECLOSED);
}

static async int strio_cf_p_clogged_wait_after_rclose(struct strio_cf_run *R)
{
    await strio_cf_force_close(R->r);
    return expect2(R, "wait_send_all_might_not_block after the receiver "
                      "closed", await strio_cf_op_wait(R, R->s), 0,
                   STRIO_EBROKEN);
}

/* ---- two-way ------------------------------------------------------------ */

static int p_two_ops_offered(struct strio_cf_run *R)
{
    if (!has_send_ops(R->a) || !has_receive_ops(R->a) ||
        !has_close_ops(R->a))
        return fail(R, "end a lacks a send, receive or close operation");
    if (!has_send_ops(R->b) || !has_receive_ops(R->b) ||
        !has_close_ops(R->b))
        return fail(R, "end b lacks a send, receive or close operation");
    return 0;
}

static async int strio_cf_p_duplex(struct strio_cf_run *R)
{
    struct strio_cf_job *j[4];
    size_t c = STRIO_CONFORMANCE_CHUNK;
    j[0] = job(R, 0, STRIO_CF_OP_BULK_SEND, R->a, "send_all (a)");
    j[1] = job(R, 1, STRIO_CF_OP_BULK_SEND, R->b, "send_all (b)");
    j[2] = job(R, 2, STRIO_CF_OP_BULK_RECEIVE, R->b, "receive_some (b)");
    j[3] = job(R, 3, STRIO_CF_OP_BULK_RECEIVE, R->a, "receive_some (a)");
    for (int i = 0; i < 4; i++) {
        j[i]->total = R->cf->bulk_bytes;
        j[i]->key = seed_of(R, 50 + (uint32_t)(i % 2));
        j[i]->seed = seed_of(R, 60 + (uint32_t)i);
        j[i]->lo = 1;
        j[i]->hi = c;
    }
    for (int i = 0; i < 4; i++) {
        if (spawn(R, j[i]) < 0)
            return -1;
    }
    for (int i = 0; i < 4; i++) {
        if (await strio_cf_join(R, j[i]))
            return -1;
    }
    for (int i = 0; i < 4; i++) {
        if (j[i]->result != 0)
            return fail(R, "duplex transfer failed");
    }
    return 0;
}

static async int strio_cf_p_send_while_receive(struct strio_cf_run *R)
{
    struct strio_cf_job *rj = job(R, 0, STRIO_CF_OP_RECEIVE, R->a,
                                  "receive_some (a)");
    rj->max = 10;
    if (spawn(R, rj) < 0 || await strio_cf_settle(R))
        return -1;
    struct strio_cf_job *sj = job(R, 1, STRIO_CF_OP_SEND, R->a,
                                  "send_all (a)");
    sj->data = (const unsigned char *)"q";
    sj->len = 1;
    if (spawn(R, sj) < 0)
        return -1;
    long n = await strio_cf_op_recv(R, R->b, R->small, 10);
    if (expect(R, "receive_some (b)", n, 1) < 0)
        return -1;
    if (R->small[0] != 'q')
        return fail(R, "b received another byte than the \"q\" a sent");
    if (await strio_cf_join(R, sj))
        return -1;
    if (expect(R, "send_all (a) while a receive on a is pending",
               sj->result, 0) < 0)
        return -1;
    if (rj->done) {
        if (fail_begin(R)) {
            m_str(R, "the receive_some pending on a returned without data "
                     "from b: ");
            m_res(R, rj->result);
        }
        return -1;
    }
    if (expect(R, "send_all (b)", await strio_cf_op_send(R, R->b, "w", 1),
               0) < 0)
        return -1;
    if (await strio_cf_join(R, rj))
        return -1;
    if (expect(R, "receive_some (a)", rj->result, 1) < 0)
        return -1;
    if (rj->buf[0] != 'w')
        return fail(R, "a received another byte than the \"w\" b sent");
    return 0;
}

static async int strio_cf_p_close_gives_peer_eof(struct strio_cf_run *R)
{
    struct strio_cf_job *rj = job(R, 0, STRIO_CF_OP_RECEIVE, R->b,
                                  "receive_some (b)");
    rj->max = 10;
    if (spawn(R, rj) < 0)
        return -1;
    if (expect(R, "close (a)", await strio_cf_op_close(R, R->a), 0) < 0)
        return -1;
    if (await strio_cf_join(R, rj))
        return -1;
    if (expect(R, "receive_some (b) after a closed", rj->result, 0) < 0)
        return -1;
    return expect(R, "close (b)", await strio_cf_op_close(R, R->b), 0);
}

/* ---- half-closeable ----------------------------------------------------- */

static int p_half_ops_offered(struct strio_cf_run *R)
{
    if (!strio_stream_can_send_eof(R->a) || !strio_stream_can_send_eof(R->b))
        return fail(R, "an end does not offer send_eof");
    return 0;
}

/* `from` sends "x" and EOF (in a job); `to` reads "x", then 0. */
static async int strio_cf_x_then_eof(struct strio_cf_run *R,
                                     strio_stream *from,
                                     strio_stream *to)
{
    struct strio_cf_job *sj = job(R, 0, STRIO_CF_OP_SEND_EOF_AFTER, from,
                                  "send_all(\"x\") then send_eof");
    sj->data = (const unsigned char *)"x";
    sj->len = 1;
    if (spawn(R, sj) < 0 || await strio_cf_settle(R))
        return -1;
    long n = await strio_cf_op_recv(R, to, R->small, 10);
    if (expect(R, "receive_some after the peer sent \"x\" and EOF", n, 1) < 0)
        return -1;
    if (R->small[0] != 'x')
        return fail(R, "receive_some got another byte than the \"x\" sent");
    n = await strio_cf_op_recv(R, to, R->small, 10);
    if (expect(R, "receive_some after the data, the peer sent EOF", n,
               0) < 0)
        return -1;
    if (await strio_cf_join(R, sj))
        return -1;
    return expect(R, "send_all then send_eof", sj->result, 0);
}

static async int strio_cf_p_send_after_eof(struct strio_cf_run *R)
{
    if (expect(R, "send_eof", await strio_cf_op_eof(R, R->a), 0) < 0)
        return -1;
    return expect(R, "send_all after send_eof",
                  await strio_send_all(R->a, "y", 1), STRIO_ECLOSED);
}

static async int strio_cf_p_send_eof_idempotent(struct strio_cf_run *R)
{
    if (expect(R, "send_eof", await strio_cf_op_eof(R, R->a), 0) < 0)
        return -1;
    if (expect(R, "send_eof again", await strio_cf_op_eof(R, R->a), 0) < 0)
        return -1;
    return expect(R, "receive_some after the peer sent EOF twice",
                  await strio_cf_op_recv(R, R->b, R->small, 10), 0);
}

static async int strio_cf_p_receive_after_eof(struct strio_cf_run *R)
{
    if (expect(R, "send_eof (a)", await strio_cf_op_eof(R, R->a), 0) < 0)
        return -1;
    if (await strio_cf_x_then_eof(R, R->b, R->a))
        return -1;
    return expect(R, "receive_some (b) after a sent EOF",
                  await strio_cf_op_recv(R, R->b, R->small, 10), 0);
}

static async int strio_cf_p_send_eof_wakes_receive(struct strio_cf_run *R)
{
    struct strio_cf_job *rj = job(R, 0, STRIO_CF_OP_RECEIVE, R->b,
                                  "receive_some (b)");
    rj->max = 10;
    if (spawn(R, rj) < 0 || await strio_cf_settle(R))
        return -1;
    if (expect(R, "send_eof (a)", await strio_cf_op_eof(R, R->a), 0) < 0)
        return -1;
    if (await strio_cf_join(R, rj))
        return -1;
    return expect(R, "receive_some (b) pending while a sent EOF",
                  rj->result, 0);
}

static async int strio_cf_body(struct strio_cf_run *R, int id)
{
    switch (id) {
    case STRIO_CF_P_OPS_OFFERED: return p_ops_offered(R);
    case STRIO_CF_P_SEND_RECEIVE: return await strio_cf_p_send_receive(R);
    case STRIO_CF_P_SEND_EMPTY: return await strio_cf_p_send_empty(R);
    case STRIO_CF_P_RECEIVE_MAX_ZERO:
        return await strio_cf_p_receive_max_zero(R);
    case STRIO_CF_P_RECEIVE_HONOURS_MAX:
        return await strio_cf_p_receive_honours_max(R);
    case STRIO_CF_P_RECEIVE_BUSY: return await strio_cf_p_receive_busy(R);
    case STRIO_CF_P_SEND_BUSY: return await strio_cf_p_send_busy(R);
    case STRIO_CF_P_WAIT_SEND_BUSY: return await strio_cf_p_wait_send_busy(R);
    case STRIO_CF_P_SEND_EOF_BUSY: return await strio_cf_p_send_eof_busy(R);
    case STRIO_CF_P_WAIT_SEND_RETURNS:
        return await strio_cf_p_wait_send_returns(R);
    case STRIO_CF_P_RECEIVE_CANCEL_KEEPS:
        return await strio_cf_p_receive_cancel_keeps(R);
    case STRIO_CF_P_RECEIVE_CANCEL_RACE:
        return await strio_cf_p_receive_cancel_race(R);
    case STRIO_CF_P_RECEIVE_CANCEL_SWEEP:
        return await strio_cf_p_receive_cancel_sweep(R);
    case STRIO_CF_P_BULK_RANDOM:
    case STRIO_CF_P_BULK_ONE_BYTE_RECEIVES:
    case STRIO_CF_P_BULK_LARGE_SENDS:
    case STRIO_CF_P_BULK_ONE_BYTE_SENDS: return await strio_cf_p_bulk(R, id);
    case STRIO_CF_P_CANCELLED_OPS: return await strio_cf_p_cancelled_ops(R);
    case STRIO_CF_P_CLOSE_IDEMPOTENT:
        return await strio_cf_p_close_idempotent(R);
    case STRIO_CF_P_OPS_AFTER_CLOSE:
        return await strio_cf_p_ops_after_close(R);
    case STRIO_CF_P_CLOSE_WAKES_RECEIVE:
        return await strio_cf_p_close_wakes_receive(R);
    case STRIO_CF_P_GRACEFUL_CLOSE: return await strio_cf_p_graceful_close(R);
    case STRIO_CF_P_PEER_CLOSE_WAKES_RECEIVE:
        return await strio_cf_p_peer_close_wakes_receive(R);
    case STRIO_CF_P_RECEIVER_CLOSE_BREAKS:
        return await strio_cf_p_receiver_close_breaks(R);
    case STRIO_CF_P_FORCED_RECEIVER_CLOSE:
        return await strio_cf_p_forced_receiver_close(R);
    case STRIO_CF_P_FORCED_SENDER_CLOSE:
        return await strio_cf_p_forced_sender_close(R);
    case STRIO_CF_P_CANCELLED_CLOSE_RELEASES:
        return await strio_cf_p_cancelled_close_releases(R);
    case STRIO_CF_P_CLOGGED_WAIT_BLOCKS:
        return await strio_cf_p_clogged_wait_blocks(R);
    case STRIO_CF_P_CLOGGED_WAIT_BUSY:
        return await strio_cf_clogged_busy(R, STRIO_CF_OP_WAIT_SEND,
                                           STRIO_CF_OP_WAIT_SEND,
                                  "second concurrent wait_send_all_might_"
                                  "not_block");
    case STRIO_CF_P_CLOGGED_WAIT_THEN_SEND:
        return await strio_cf_clogged_busy(R, STRIO_CF_OP_WAIT_SEND,
                                           STRIO_CF_OP_SEND,
                                  "send_all during a pending wait");
    case STRIO_CF_P_CLOGGED_SEND_THEN_WAIT:
        return await strio_cf_clogged_busy(R, STRIO_CF_OP_SEND,
                                           STRIO_CF_OP_WAIT_SEND,
                                  "wait_send_all_might_not_block during a "
                                  "pending send_all");
    case STRIO_CF_P_CLOGGED_SEND_BUSY:
        return await strio_cf_clogged_busy(R, STRIO_CF_OP_SEND,
                                           STRIO_CF_OP_SEND,
                                  "second concurrent send_all");
    case STRIO_CF_P_CLOGGED_EOF_BUSY:
        if (await strio_cf_clogged_busy(R, STRIO_CF_OP_WAIT_SEND,
                                        STRIO_CF_OP_SEND_EOF,
                               "send_eof during a pending wait"))
            return -1;
        return await strio_cf_clogged_busy(R, STRIO_CF_OP_SEND,
                                           STRIO_CF_OP_SEND_EOF,
                                  "send_eof during a pending send_all");
    case STRIO_CF_P_CLOGGED_RCLOSE_WAKES_WAIT:
        return await strio_cf_clogged_wake(R, STRIO_CF_OP_WAIT_SEND, 1);
    case STRIO_CF_P_CLOGGED_WAIT_AFTER_RCLOSE:
        return await strio_cf_p_clogged_wait_after_rclose(R);
    case STRIO_CF_P_CLOGGED_CLOSE_WAKES_SEND:
        return await strio_cf_clogged_wake(R, STRIO_CF_OP_SEND, 0);
    case STRIO_CF_P_CLOGGED_CLOSE_WAKES_WAIT:
        return await strio_cf_clogged_wake(R, STRIO_CF_OP_WAIT_SEND, 0);
    case STRIO_CF_P_CLOGGED_SEND_CANCEL:
        return await strio_cf_p_clogged_send_cancel(R);
    case STRIO_CF_P_TWO_OPS_OFFERED: return p_two_ops_offered(R);
    case STRIO_CF_P_DUPLEX_STRESS: return await strio_cf_p_duplex(R);
    case STRIO_CF_P_SEND_WHILE_RECEIVE:
        return await strio_cf_p_send_while_receive(R);
    case STRIO_CF_P_CLOSE_GIVES_PEER_EOF:
        return await strio_cf_p_close_gives_peer_eof(R);
    case STRIO_CF_P_HALF_OPS_OFFERED: return p_half_ops_offered(R);
    case STRIO_CF_P_SEND_EOF_DELIVERS:
        return await strio_cf_x_then_eof(R, R->a, R->b);
    case STRIO_CF_P_SEND_AFTER_EOF: return await strio_cf_p_send_after_eof(R);
    case STRIO_CF_P_SEND_EOF_IDEMPOTENT:
        return await strio_cf_p_send_eof_idempotent(R);
    case STRIO_CF_P_RECEIVE_AFTER_EOF:
        return await strio_cf_p_receive_after_eof(R);
    case STRIO_CF_P_SEND_EOF_WAKES_RECEIVE:
        return await strio_cf_p_send_eof_wakes_receive(R);
    }
    return fail(R, "internal: unknown property");
}

/* ======================================================================== */
/* The runner                                                               */
/* ======================================================================== */

static int report(struct strio_cf_run *R)
{
    strio_conformance *cf = R->cf;
    if (cf->on_fail != NULL)
        cf->on_fail(cf->arg, cf->failed, cf->message);
    return R->factory_rc < 0 ? R->factory_rc : STRIO_CONFORMANCE_FAILED;
}

static int make_pair(struct strio_cf_run *R, int clogged)
{
    const strio_stream_factory *f = R->fac;
    strio_stream *a = NULL, *b = NULL;
    int rc = clogged && f->make_clogged != NULL ?
             f->make_clogged(f->ctx, &a, &b) : f->make(f->ctx, &a, &b);
    if (rc < 0 || a == NULL || b == NULL) {
        const char *prop = R->prop;
        R->prop = "factory";
        R->factory_rc = rc < 0 ? rc : -EINVAL;
        if (fail_begin(R)) {
            m_str(R, "make");
            m_str(R, clogged && f->make_clogged != NULL ? "_clogged" : "");
            m_str(R, " failed for property ");
            m_str(R, prop);
            m_str(R, ": ");
            m_res(R, R->factory_rc);
        }
        R->cf->failed = "factory";
        return -1;
    }
    R->a = a;
    R->b = b;
    R->s = R->flipped ? b : a;
    R->r = R->flipped ? a : b;
    return 0;
}

/* Runs property `id` on a fresh pair; 0, or nonzero to stop. */
static async int strio_cf_run_prop(struct strio_cf_run *R, int id)
{
    strio_conformance *cf = R->cf;
    const strio_stream_factory *f = R->fac;
    int kind = props[id].kind;
    int clogged = (kind & STRIO_CF_K_CLOG) != 0;
    if (clogged && f->make_clogged == NULL && !f->clog_by_filling) {
        cf->skipped++;
        return 0;
    }
    R->prop = props[id].name;
    R->one_way = (kind & STRIO_CF_K_ONE) != 0;
    if (make_pair(R, clogged) < 0)
        return report(R);
    if ((kind & STRIO_CF_K_EOF) && !strio_stream_can_send_eof(R->s)) {
        /* not applicable: s has no send_eof */
        await strio_cf_force_close(R->a);
        await strio_cf_force_close(R->b);
        if (f->destroy != NULL)
            f->destroy(f->ctx, R->a, R->b);
        return 0;
    }
    cf->checked++;
    if (cf->on_check != NULL)
        cf->on_check(cf->arg, R->prop);
    R->nlog = 0;
    R->log[0] = '\0';

    strio_cancel_scope deadline;
    strio_move_on_after(STRIO_SELF, &deadline, cf->timeout);
    R->deadline = &deadline;
    strio_nursery_open(STRIO_SELF, &R->n);
    if (clogged && f->make_clogged == NULL)
        await strio_cf_clog(R);
    if (!R->failed)
        await strio_cf_body(R, id);
    if (timed_out(R) && !R->failed)
        fail(R, "the property did not finish");
    strio_nursery_cancel(&R->n);
    await strio_nursery_close(&R->n, 0);
    strio_scope_exit(&deadline, 0);
    R->deadline = NULL;

    await strio_cf_force_close(R->a);
    await strio_cf_force_close(R->b);
    if (f->destroy != NULL)
        f->destroy(f->ctx, R->a, R->b);
    R->a = R->b = R->s = R->r = NULL;
    if (strio_task_cancelled(STRIO_SELF)) {
        cf->failed = NULL;               /* the caller cancelled us */
        cf->message[0] = '\0';
        return STRIO_ECANCELED;
    }
    if (R->pool->used != 0 && !R->failed)
        fail(R, "internal: a helper task outlived its property");
    return R->failed ? report(R) : 0;
}

/* The properties of kind `kind`, in table order. */
static async int strio_cf_run_set(struct strio_cf_run *R, int kind,
                                  int flipped)
{
    R->flipped = flipped;
    for (int id = 0; id < STRIO_CF_P_COUNT; id++) {
        if (!(props[id].kind & kind))
            continue;
        int rc = await strio_cf_run_prop(R, id);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* level 0: one-way, 1: two-way, 2: half-closeable. */
static async int strio_cf_check(strio_conformance *cf,
                                const strio_stream_factory *factory,
                                int level)
{
    struct strio_cf_run *R = &cf->run;
    memset(R, 0, sizeof *R);
    STRIO_POOL_SETUP(cf->ws);
    R->pool = &cf->ws.pool;
    R->cf = cf;
    R->fac = factory;
    memset(R->fill, 'c', sizeof R->fill);
    cf->failed = NULL;
    cf->message[0] = '\0';
    cf->checked = cf->skipped = 0;
    if (cf->settle <= 0)
        cf->settle = STRIO_MS(1);
    if (cf->timeout <= 0)
        cf->timeout = STRIO_SEC(10);
    if (cf->bulk_bytes == 0)
        cf->bulk_bytes = 65536;
    if (cf->clog_limit == 0)
        cf->clog_limit = 1UL << 20;
    if (factory == NULL || factory->make == NULL) {
        R->prop = "factory";
        R->factory_rc = -EINVAL;
        fail(R, "no factory, or no make function");
        return report(R);
    }

    int rc = await strio_cf_run_set(R, STRIO_CF_K_ONE, 0);
    if (rc == 0 && level >= 1)
        rc = await strio_cf_run_set(R, STRIO_CF_K_ONE, 1);
    if (rc == 0 && level >= 1)
        rc = await strio_cf_run_set(R, STRIO_CF_K_TWO, 0);
    if (rc == 0 && level >= 2)
        rc = await strio_cf_run_set(R, STRIO_CF_K_HALF, 0);
    return rc;
}

async int strio_check_one_way_stream(strio_conformance *cf,
                                     const strio_stream_factory *factory)
{
    return await strio_cf_check(cf, factory, 0);
}

async int strio_check_two_way_stream(strio_conformance *cf,
                                     const strio_stream_factory *factory)
{
    return await strio_cf_check(cf, factory, 1);
}

async int strio_check_half_closeable_stream(
    strio_conformance *cf, const strio_stream_factory *factory)
{
    return await strio_cf_check(cf, factory, 2);
}
