/*
 * bufread_tasks.sc -- the task side of tests/unit/test_bufread.c: loops
 * over strio_read_until / strio_read_exactly (strio/bufread.h) that log
 * every call's result and append every byte they were given to one
 * output, so a test can check that the output is exactly the input (no
 * byte lost or duplicated) and that the calls returned what they should.
 *
 * The streams are the test's (a scripted stream in test_bufread.c, memory
 * streams with or without fault injection); here they are only
 * `strio_stream *`. With memory streams a producer task (br_mem_run) writes
 * the input in pieces and closes its end.
 */
#include <errno.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/bufread.h>
#include <strio/memstream.h>

#define BR_MAX_CALLS 1024
#define BR_OUT_MAX 8192

struct br_log {
    long rc[BR_MAX_CALLS];          /* each call's result, in order */
    int calls;
    unsigned char out[BR_OUT_MAX];  /* every byte returned, concatenated */
    size_t out_len;
    int cancelled;                  /* calls that returned STRIO_ECANCELED */
    int errors;                     /* other negative results */
    long last;                      /* the last call's result */
};

/* A length-prefixed protocol for the mixed sweep: "LEN\n" then LEN
 * bytes; `phase` survives a cancelled call so the retry repeats the same
 * operation. */
struct br_proto {
    int phase;                      /* 0: header next, 1: body next */
    size_t body;                    /* length of the next body */
    int messages;                   /* complete header+body pairs */
    int bad_header;
};

/* The busy test: what the second reader saw. */
struct br_busy_log {
    long child_rc;                  /* the first reader's line */
    long until_rc, exact_rc;        /* the second reader's calls */
    int consume_rc;
    unsigned char line[64];
};

static void record(struct br_log *log, long rc)
{
    if (log->calls < BR_MAX_CALLS)
        log->rc[log->calls] = rc;
    log->calls++;
    log->last = rc;
    if (rc > 0)
        log->out_len += (size_t)rc;
    else if (rc == STRIO_ECANCELED)
        log->cancelled++;
    else if (rc < 0)
        log->errors++;
}

/* read_until until it returns <= 0 (end of stream or an error). */
async int br_until_all(strio_reader *r, const void *delim, size_t dlen,
                       size_t max, struct br_log *log)
{
    for (;;) {
        size_t room = BR_OUT_MAX - log->out_len;
        if (room < max)
            return -ENOSPC;
        long rc = await strio_read_until(r, delim, dlen,
                                         log->out + log->out_len, max);
        record(log, rc);
        if (rc <= 0)
            return 0;
    }
}

/* read_exactly with sizes[0], sizes[1], ... (cyclically) until a call
 * fails or the stream ends (returns 0 for a nonzero size). */
async int br_exact_all(strio_reader *r, const size_t *sizes, int nsizes,
                       int first, struct br_log *log)
{
    for (int i = first;; i++) {
        size_t n = sizes[i % nsizes];
        if (BR_OUT_MAX - log->out_len < n)
            return -ENOSPC;
        long rc = await strio_read_exactly(r, log->out + log->out_len, n);
        record(log, rc);
        if (rc < 0 || (rc == 0 && n > 0))
            return i;           /* where a retry starts again */
    }
}

/* One call each, for step-by-step tests. */
async int br_until_once(strio_reader *r, const void *delim, size_t dlen,
                        void *out, size_t max, long *rc)
{
    *rc = await strio_read_until(r, delim, dlen, out, max);
    return 0;
}

async int br_exact_once(strio_reader *r, void *out, size_t n, long *rc)
{
    *rc = await strio_read_exactly(r, out, n);
    return 0;
}

/* Receives from the stream itself until end of stream or an error (after
 * the reader handed it over). */
async int br_receive_all(strio_stream *s, struct br_log *log)
{
    for (;;) {
        long rc = await strio_receive_some(s, log->out + log->out_len,
                                           BR_OUT_MAX - log->out_len);
        record(log, rc);
        if (rc <= 0)
            return 0;
    }
}

/* Both calls in an already-cancelled scope (rc[0], rc[1]: they must fail
 * and consume nothing), then read_until again outside it (rc[2]). */
async int br_cancelled_at_entry(strio_reader *r, const void *delim,
                                size_t dlen, void *out, size_t max, long *rc)
{
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    strio_scope_cancel(&sc);
    rc[0] = await strio_read_until(r, delim, dlen, out, max);
    rc[1] = await strio_read_exactly(r, out, 1);
    strio_scope_exit(&sc, (int)rc[0]);
    rc[2] = await strio_read_until(r, delim, dlen, out, max);
    return 0;
}

/* ---- one reader, two tasks ------------------------------------------- */

static async int busy_child(strio_reader *r, struct br_busy_log *b)
{
    b->child_rc = await strio_read_until(r, "\n", 1, b->line,
                                         sizeof b->line);
    return 0;
}

static STRIO_POOL(br_pool, struct busy_child_frame, 1);

/* A child reads a line; while it waits in the stream, the body tries the
 * same reader. */
async int br_busy(strio_reader *r, struct br_busy_log *b)
{
    unsigned char tmp[8];
    STRIO_POOL_SETUP(br_pool);
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    struct busy_child_frame *c = strio_pool_try_get(&br_pool.pool);
    busy_child_start(c, r, b);
    strio_nursery_start(&n, &br_pool.pool, c, busy_child_resume,
                        &c->strio_ret);
    int rc = await strio_checkpoint();      /* the child enters its read */
    if (rc == 0) {
        b->until_rc = await strio_read_until(r, "\n", 1, tmp, sizeof tmp);
        b->exact_rc = await strio_read_exactly(r, tmp, 1);
        b->consume_rc = strio_reader_consume(r, 0);
    }
    return await strio_nursery_close(&n, rc);
}

/* ---- cancellation sweeps (tests/unit/sweep.h) -------------------------- */

/* All of the stream by read_until inside the target scope; if that got
 * cancelled, the rest by read_until again outside it. */
async int br_sweep_until(strio_reader *r, const void *delim, size_t dlen,
                         size_t max, strio_cancel_scope **target,
                         struct br_log *log)
{
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    int rc = await br_until_all(r, delim, dlen, max, log);
    *target = NULL;
    strio_scope_exit(&sc, rc);
    if (rc == 0 && log->last == STRIO_ECANCELED)
        rc = await br_until_all(r, delim, dlen, max, log);
    return rc;
}

/* The same with read_exactly of sizes[i % nsizes]; the retry repeats the
 * size that was cancelled. */
async int br_sweep_exact(strio_reader *r, const size_t *sizes, int nsizes,
                         strio_cancel_scope **target, struct br_log *log)
{
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    int at = await br_exact_all(r, sizes, nsizes, 0, log);
    *target = NULL;
    strio_scope_exit(&sc, at);
    if (at >= 0 && log->last == STRIO_ECANCELED)
        at = await br_exact_all(r, sizes, nsizes, at, log);
    return at < 0 ? at : 0;
}

static size_t parse_len(const unsigned char *p, long n, int *bad)
{
    size_t v = 0;
    if (n < 2 || p[n - 1] != '\n')
        *bad = 1;
    for (long i = 0; i < n - 1; i++) {
        if (p[i] < '0' || p[i] > '9') {
            *bad = 1;
            return 0;
        }
        v = v * 10 + (size_t)(p[i] - '0');
    }
    return v;
}

/* "LEN\n" + LEN bytes, repeated: read_until for the header, read_exactly
 * for the body, until end of stream or an error. Headers and bodies both go
 * to the output. */
async int br_proto_all(strio_reader *r, struct br_proto *p,
                       struct br_log *log)
{
    for (;;) {
        long rc;
        if (p->phase == 0) {
            if (BR_OUT_MAX - log->out_len < 16)
                return -ENOSPC;
            rc = await strio_read_until(r, "\n", 1, log->out + log->out_len,
                                        16);
            record(log, rc);
            if (rc <= 0)
                return 0;
            p->body = parse_len(log->out + log->out_len - rc, rc,
                                &p->bad_header);
            p->phase = 1;
        } else {
            if (BR_OUT_MAX - log->out_len < p->body)
                return -ENOSPC;
            rc = await strio_read_exactly(r, log->out + log->out_len,
                                          p->body);
            record(log, rc);
            if (rc < 0 || (rc == 0 && p->body > 0))
                return 0;
            p->phase = 0;
            p->messages++;
        }
    }
}

async int br_sweep_proto(strio_reader *r, struct br_proto *p,
                         strio_cancel_scope **target, struct br_log *log)
{
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    int rc = await br_proto_all(r, p, log);
    *target = NULL;
    strio_scope_exit(&sc, rc);
    if (rc == 0 && log->last == STRIO_ECANCELED)
        rc = await br_proto_all(r, p, log);
    return rc;
}

/* ---- over memory streams: a producer and a reader ---------------------- */

#define BR_MAX_PIECES 8

struct br_mem {
    strio_stream *send;             /* the producer's end, closed at the end */
    const unsigned char *data;
    size_t len;
    size_t cuts[BR_MAX_PIECES];     /* send_all pieces end here (ascending) */
    int ncuts;
    int mode;                       /* 0: read_until all, 1: length-prefixed */
    const char *delim;
    size_t dlen, max;
    strio_reader *r;
    struct br_log *log;
    struct br_proto *p;
    strio_cancel_scope **target;    /* the sweep's (NULL: no sweep) */
    int producer_rc;
};

static async int br_producer(struct br_mem *m)
{
    size_t pos = 0;
    int rc = 0;
    for (int i = 0; i <= m->ncuts && rc == 0; i++) {
        size_t end = i < m->ncuts ? m->cuts[i] : m->len;
        rc = await strio_send_all(m->send, m->data + pos, end - pos);
        pos = end;
    }
    int c = await strio_stream_close(m->send);
    m->producer_rc = rc < 0 ? rc : c;
    return 0;
}

static STRIO_POOL(br_prod_pool, struct br_producer_frame, 1);

static async int mem_read(struct br_mem *m)
{
    if (m->mode == 0)
        return await br_until_all(m->r, m->delim, m->dlen, m->max, m->log);
    return await br_proto_all(m->r, m->p, m->log);
}

/* The producer in a nursery; the reader in the body, inside the sweep's
 * target scope when there is one, and again after it if it was
 * cancelled. */
async int br_mem_run(struct br_mem *m)
{
    STRIO_POOL_SETUP(br_prod_pool);
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    struct br_producer_frame *pf = strio_pool_try_get(&br_prod_pool.pool);
    br_producer_start(pf, m);
    strio_nursery_start(&n, &br_prod_pool.pool, pf, br_producer_resume,
                        &pf->strio_ret);
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    if (m->target != NULL)
        *m->target = &sc;
    int rc = await mem_read(m);
    if (m->target != NULL)
        *m->target = NULL;
    strio_scope_exit(&sc, rc);
    if (rc == 0 && m->log->last == STRIO_ECANCELED)
        rc = await mem_read(m);
    return await strio_nursery_close(&n, rc);
}
