/*
 * memstream_tasks.sc -- the task side of tests/unit/test_memstream.c:
 * workflows over memory streams, lockstep streams, stapled streams, the
 * pump and fault injection, written in the dialect. Every task of a test
 * shares one `struct ms_ctx`, where the tasks log what happened and the
 * Criterion test reads it afterwards.
 *
 * Children are "actors": ms_actor(c, role, id) enters a cancel scope of
 * its own (c->scopes[id], so a test can cancel exactly that task), runs
 * the role, records its result in c->res[id] and the time it finished in
 * c->t_done[id], and always returns 0 (an expected error such as
 * STRIO_EBROKEN must not cancel the siblings).
 *
 * Transfers: direction d (0 or 1) sends c->total[d] bytes of a pattern
 * (ms_pattern(seed, position)) from c->tx[d] to c->rx[d]; the sender
 * (actor 2d) picks chunk sizes 1..send_max from a generator seeded by the
 * direction's seed, the receiver (actor 2d+1) asks for 1..recv_max bytes
 * per call and checks every byte against the pattern.
 */
#include <errno.h>
#include <string.h>
#include <strio/strio.h>
#include <strio/memstream.h>

#define MS_MAX_ACTORS 16
#define MS_CHUNK 4096
#define MS_LOG 64
#define MS_RLOG 512

enum ms_role {
    MS_SENDER = 1,      /* transfer: direction id / 2 */
    MS_RECEIVER,        /* transfer: direction id / 2 */
    MS_SEND_ONE,        /* send_all(s[id], data[id], len[id]) */
    MS_RECV_ONE,        /* receive_some(s[id], buf[id], max[id]) -> lres */
    MS_WAIT_SEND,       /* wait_send_all_might_not_block(s[id]) */
    MS_SEND_EOF,        /* send_eof(s[id]) */
    MS_SEND_EOF_SEQ,    /* send_all(s[id], data[id], len[id]), then
                           send_eof (its result in res2[id]) */
    MS_SEND_CLOSE_SEQ,  /* send_all(...), then close (res2[id]) */
    MS_SEND_LOOP,       /* send_all 100-byte blocks until an error */
    MS_PUMP,            /* pump ss -> rs (max[id] per call) until <= 0 */
    MS_GET_DATA         /* get_data(ss, buf[id], max[id]) -> lres */
};

enum ms_finish { MS_FIN_NONE = 0, MS_FIN_EOF, MS_FIN_CLOSE };

struct ms_ctx {
    /* streams under test (set up by the test or a root) */
    strio_memory_one_way_pair one;
    strio_memory_stream_pair two;
    unsigned char ring[3][256];             /* two: 0, 1; one: 2 */
    strio_memory_pipe spipe, rpipe;       /* standalone streams ss, rs */
    strio_memory_send_stream ss;
    strio_memory_receive_stream rs;
    unsigned char sring[256], rring[256];
    strio_fault_stream f[2];
    strio_stapled_stream st;

    /* transfers, per direction */
    strio_stream *tx[2], *rx[2];
    size_t total[2];
    uint64_t seed[2];
    size_t send_max[2], recv_max[2];
    int finish[2];                        /* enum ms_finish */
    int rclose[2];                        /* receiver closes rx at the end */
    strio_time send_sleep[2];             /* sender sleeps before chunks */
    strio_time recv_sleep[2];             /* receiver sleeps before reads */
    size_t sent[2], received[2];
    long bad[2];                          /* bytes not matching */
    long too_big[2];                      /* reads longer than asked */
    long chunks[2];
    int eof[2];
    int send_rc[2], fin_rc[2], recv_rc[2], rclose_rc[2];
    long rlog[2][MS_RLOG];                /* sizes of the first reads */
    strio_time rtime[2][MS_RLOG];         /* ... and when they came */
    int rlog_n[2];
    strio_time t_eof[2], t_end;

    /* actors */
    strio_stream *s[MS_MAX_ACTORS];
    const void *data[MS_MAX_ACTORS];
    size_t len[MS_MAX_ACTORS], max[MS_MAX_ACTORS];
    int res[MS_MAX_ACTORS], res2[MS_MAX_ACTORS];
    long lres[MS_MAX_ACTORS];
    int done[MS_MAX_ACTORS];
    strio_time t_done[MS_MAX_ACTORS];
    strio_cancel_scope *scopes[MS_MAX_ACTORS];
    unsigned char buf[MS_MAX_ACTORS][MS_CHUNK];
    long pumped;
    int spawn_errors;

    /* hooks */
    char hlog[MS_LOG];                    /* one letter per hook call */
    size_t hbuf[MS_LOG];                  /* pipe bytes at that moment */
    int nh;
    char hook_fail;                       /* this hook returns -EIO */

    /* roots' results */
    int r[32];
    long l[32];
    unsigned char got[8][64];
};

/* Plain C (no await): for test_memstream.c. */
void ms_pool_reset(void);
unsigned ms_pool_used(void);
void ms_ctx_init(struct ms_ctx *c);
uint64_t ms_rand(uint64_t *state);
unsigned char ms_pattern(uint64_t seed, size_t pos);
void ms_setup_standalone(struct ms_ctx *c, size_t cap_s, size_t cap_r);
void ms_setup_trio_pair(struct ms_ctx *c, size_t cap_s, size_t cap_r);
void ms_set_hooks(struct ms_ctx *c);

uint64_t ms_rand(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

unsigned char ms_pattern(uint64_t seed, size_t pos)
{
    uint64_t x = (uint64_t)pos * 0x9E3779B97F4A7C15ull ^ (seed + 1) * 0xD6E8FEB86659FD93ull;
    x ^= x >> 32;
    x *= 0xD6E8FEB86659FD93ull;
    x ^= x >> 29;
    return (unsigned char)x;
}

static int spawn(strio_nursery *n, struct ms_ctx *c, int role, int id);

/* ======================================================================== */
/* Roles                                                                    */
/* ======================================================================== */

static async int ms_sender(struct ms_ctx *c, int id, int d)
{
    uint64_t rng = c->seed[d] * 31 + 7;
    unsigned char *buf = c->buf[id];
    size_t pos = 0;
    int rc = 0;
    while (pos < c->total[d]) {
        size_t n = 1 + (size_t)(ms_rand(&rng) % c->send_max[d]);
        if (n > c->total[d] - pos)
            n = c->total[d] - pos;
        if (n > MS_CHUNK)
            n = MS_CHUNK;
        for (size_t i = 0; i < n; i++)
            buf[i] = ms_pattern(c->seed[d], pos + i);
        if (c->send_sleep[d] > 0) {
            rc = await strio_sleep(c->send_sleep[d]);
            if (rc < 0)
                break;
        }
        rc = await strio_send_all(c->tx[d], buf, n);
        if (rc < 0)
            break;
        pos += n;
        c->sent[d] = pos;
    }
    c->send_rc[d] = rc;
    if (rc == 0) {
        if (c->finish[d] == MS_FIN_EOF)
            rc = await strio_send_eof(c->tx[d]);
        else if (c->finish[d] == MS_FIN_CLOSE)
            rc = await strio_stream_close(c->tx[d]);
        c->fin_rc[d] = rc;
    }
    return rc;
}

/* Checks one read of `n` bytes at position `pos` of direction d. */
static void ms_check_read(struct ms_ctx *c, int d, const unsigned char *buf,
                          long n, size_t max, strio_time now)
{
    if ((size_t)n > max)
        c->too_big[d]++;
    if (c->rlog_n[d] < MS_RLOG) {
        c->rtime[d][c->rlog_n[d]] = now;
        c->rlog[d][c->rlog_n[d]++] = n;
    }
    for (long i = 0; i < n; i++)
        if (buf[i] != ms_pattern(c->seed[d], c->received[d] + (size_t)i))
            c->bad[d]++;
    c->received[d] += (size_t)n;
    c->chunks[d]++;
}

static async int ms_receiver(struct ms_ctx *c, int id, int d)
{
    uint64_t rng = c->seed[d] * 17 + 3;
    unsigned char *buf = c->buf[id];
    for (;;) {
        size_t max = 1 + (size_t)(ms_rand(&rng) % c->recv_max[d]);
        if (max > MS_CHUNK)
            max = MS_CHUNK;
        if (c->recv_sleep[d] > 0) {
            int src = await strio_sleep(c->recv_sleep[d]);
            if (src < 0) {
                c->recv_rc[d] = src;
                return src;
            }
        }
        long n = await strio_receive_some(c->rx[d], buf, max);
        if (n < 0) {
            c->recv_rc[d] = (int)n;
            return (int)n;
        }
        if (n == 0)
            break;
        ms_check_read(c, d, buf, n, max, strio_task_now(STRIO_SELF));
    }
    c->eof[d] = 1;
    c->t_eof[d] = strio_task_now(STRIO_SELF);
    if (c->rclose[d])
        c->rclose_rc[d] = await strio_stream_close(c->rx[d]);
    return 0;
}

static async int ms_send_loop(struct ms_ctx *c, int id)
{
    memset(c->buf[id], 'L', 100);
    for (;;) {
        int rc = await strio_send_all(c->s[id], c->buf[id], 100);
        if (rc < 0)
            return rc;
        c->lres[id] += 100;
    }
}

static async int ms_pump_task(struct ms_ctx *c, int id)
{
    long n;
    do {
        n = await strio_memory_stream_pump(&c->ss, &c->rs, c->max[id]);
        if (n > 0)
            c->pumped += n;
    } while (n > 0);
    c->lres[id] = n;
    return (int)n;
}

static async int ms_act(struct ms_ctx *c, int role, int id)
{
    int rc;
    switch (role) {
    case MS_SENDER:
        return await ms_sender(c, id, id / 2);
    case MS_RECEIVER:
        return await ms_receiver(c, id, id / 2);
    case MS_SEND_ONE:
        return await strio_send_all(c->s[id], c->data[id], c->len[id]);
    case MS_RECV_ONE:
        c->lres[id] = await strio_receive_some(c->s[id], c->buf[id],
                                               c->max[id]);
        return c->lres[id] < 0 ? (int)c->lres[id] : 0;
    case MS_WAIT_SEND:
        return await strio_wait_send_all_might_not_block(c->s[id]);
    case MS_SEND_EOF:
        return await strio_send_eof(c->s[id]);
    case MS_SEND_EOF_SEQ:
        rc = await strio_send_all(c->s[id], c->data[id], c->len[id]);
        c->res2[id] = await strio_send_eof(c->s[id]);
        return rc;
    case MS_SEND_CLOSE_SEQ:
        rc = await strio_send_all(c->s[id], c->data[id], c->len[id]);
        c->res2[id] = await strio_stream_close(c->s[id]);
        return rc;
    case MS_SEND_LOOP:
        return await ms_send_loop(c, id);
    case MS_PUMP:
        return await ms_pump_task(c, id);
    case MS_GET_DATA:
        c->lres[id] = await strio_memory_send_stream_get_data(
            &c->ss, c->buf[id], c->max[id]);
        return c->lres[id] < 0 ? (int)c->lres[id] : 0;
    }
    return STRIO_ESTATE;
}

async int ms_actor(struct ms_ctx *c, int role, int id)
{
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    c->scopes[id] = &sc;
    int rc = await ms_act(c, role, id);
    c->res[id] = rc;
    c->done[id] = 1;
    c->t_done[id] = strio_task_now(STRIO_SELF);
    c->scopes[id] = NULL;
    strio_scope_exit(&sc, rc);
    return 0;
}

static STRIO_POOL(ms_pool, struct ms_actor_frame, 8);

void ms_pool_reset(void)
{
    STRIO_POOL_SETUP(ms_pool);
}

unsigned ms_pool_used(void)
{
    return ms_pool.pool.used;
}

static int spawn(strio_nursery *n, struct ms_ctx *c, int role, int id)
{
    struct ms_actor_frame *a = strio_pool_try_get(&ms_pool.pool);
    if (a == NULL) {
        c->spawn_errors++;
        return STRIO_EBUSY;
    }
    ms_actor_start(a, c, role, id);
    return strio_nursery_start(n, &ms_pool.pool, a, ms_actor_resume,
                               &a->strio_ret);
}

/* One actor's stream and data (a string). */
static void ms_one(struct ms_ctx *c, int id, strio_stream *s, const char *data)
{
    c->s[id] = s;
    c->data[id] = data;
    c->len[id] = data != NULL ? strlen(data) : 0;
}

void ms_ctx_init(struct ms_ctx *c)
{
    memset(c, 0, sizeof *c);
    strio_memory_stream_one_way_pair_init(&c->one, c->ring[2], 16);
    strio_memory_stream_pair_init(&c->two, c->ring[0], 16, c->ring[1], 16);
    for (int d = 0; d < 2; d++) {
        c->send_max[d] = c->recv_max[d] = 1;
        c->seed[d] = (uint64_t)d + 1;
    }
    ms_pool_reset();
}

/* ---- hooks ------------------------------------------------------------- */

static int ms_hook(struct ms_ctx *c, char code, strio_memory_pipe *p)
{
    if (c->nh < MS_LOG) {
        c->hbuf[c->nh] = strio_memory_pipe_buffered(p);
        c->hlog[c->nh++] = code;
    }
    return c->hook_fail == code ? -EIO : 0;
}

static int ms_h_send_all(strio_stream *s, void *arg)
{
    return ms_hook(arg, 'S', ((strio_memory_send_stream *)s)->pipe);
}

static int ms_h_wait_send(strio_stream *s, void *arg)
{
    return ms_hook(arg, 'W', ((strio_memory_send_stream *)s)->pipe);
}

static int ms_h_send_close(strio_stream *s, void *arg)
{
    return ms_hook(arg, 'C', ((strio_memory_send_stream *)s)->pipe);
}

static int ms_h_receive(strio_stream *s, void *arg)
{
    return ms_hook(arg, 'R', ((strio_memory_receive_stream *)s)->pipe);
}

static int ms_h_recv_close(strio_stream *s, void *arg)
{
    return ms_hook(arg, 'c', ((strio_memory_receive_stream *)s)->pipe);
}

void ms_set_hooks(struct ms_ctx *c)
{
    c->one.send.send_all_hook = ms_h_send_all;
    c->one.send.wait_send_hook = ms_h_wait_send;
    c->one.send.close_hook = ms_h_send_close;
    c->one.send.hook_arg = c;
    c->one.receive.receive_some_hook = ms_h_receive;
    c->one.receive.close_hook = ms_h_recv_close;
    c->one.receive.hook_arg = c;
}

void ms_setup_standalone(struct ms_ctx *c, size_t cap_s, size_t cap_r)
{
    strio_memory_pipe_init(&c->spipe, c->sring, cap_s);
    strio_memory_pipe_init(&c->rpipe, c->rring, cap_r);
    strio_memory_send_stream_init(&c->ss, &c->spipe);
    strio_memory_receive_stream_init(&c->rs, &c->rpipe);
}

/* Trio's memory_stream_one_way_pair: the hooks pump ss -> rs (a pump that
 * finds nothing to move is fine; a closed receiver breaks the sender). */
static int ms_h_pump(strio_stream *s, void *arg)
{
    struct ms_ctx *c = arg;
    (void)s;
    long n = strio_memory_stream_pump_nowait(&c->ss, &c->rs, (size_t)-1);
    return n == STRIO_EBROKEN ? STRIO_EBROKEN : 0;
}

void ms_setup_trio_pair(struct ms_ctx *c, size_t cap_s, size_t cap_r)
{
    ms_setup_standalone(c, cap_s, cap_r);
    c->ss.send_all_hook = ms_h_pump;
    c->ss.close_hook = ms_h_pump;
    c->ss.hook_arg = c;
    c->rs.receive_some_hook = ms_h_pump;
    c->rs.hook_arg = c;
}

/* ======================================================================== */
/* Roots: one per scenario; test_memstream.c runs them.                     */
/* ======================================================================== */

/* Transfers in `ndir` directions at once (senders, receivers, and with
 * `pump` a task pumping ss -> rs, max c->max[4] per call). */
async int ms_root_transfer(struct ms_ctx *c, int ndir, int pump)
{
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    for (int d = 0; d < ndir; d++) {
        spawn(&n, c, MS_SENDER, 2 * d);
        spawn(&n, c, MS_RECEIVER, 2 * d + 1);
    }
    if (pump)
        spawn(&n, c, MS_PUMP, 4);
    int rc = await strio_nursery_close(&n, 0);
    c->t_end = strio_task_now(STRIO_SELF);
    return rc;
}

/* Buffered, capacity 8: a 20-byte send fills the ring and waits; the
 * root takes 8 bytes a second. */
async int ms_root_full(struct ms_ctx *c)
{
    strio_memory_stream_one_way_pair_init(&c->one, c->ring[2], 8);
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    ms_one(c, 0, &c->one.send.base, "abcdefghijklmnopqrst");
    spawn(&n, c, MS_SEND_ONE, 0);
    for (int i = 0; i < 3; i++) {
        await strio_sleep(STRIO_SEC(1));
        c->r[2 * i] = (int)strio_memory_pipe_buffered(&c->one.pipe);
        c->r[2 * i + 1] = c->done[0];
        c->l[i] = await strio_receive_some(&c->one.receive.base, c->got[i],
                                           100);
    }
    c->r[6] = await strio_nursery_close(&n, 0);
    /* wait_send while full: returns once a byte was taken */
    c->r[7] = await strio_send_all(&c->one.send.base, "12345678", 8);
    strio_nursery_open(STRIO_SELF, &n);
    c->s[1] = &c->one.send.base;
    spawn(&n, c, MS_WAIT_SEND, 1);
    await strio_sleep(STRIO_SEC(1));
    c->r[8] = c->done[1];
    c->l[3] = await strio_receive_some(&c->one.receive.base, c->got[3], 1);
    c->r[9] = await strio_nursery_close(&n, 0);
    return 0;
}

/* Buffered: a receiver waits on the empty ring until the root sends. */
async int ms_root_empty(struct ms_ctx *c)
{
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    c->s[0] = &c->one.receive.base;
    c->max[0] = 100;
    spawn(&n, c, MS_RECV_ONE, 0);
    await strio_sleep(STRIO_SEC(1));
    c->r[0] = c->done[0];
    c->r[1] = await strio_send_all(&c->one.send.base, "xyz", 3);
    c->r[2] = await strio_nursery_close(&n, 0);
    return 0;
}

/* Lockstep: a 10-byte send completes only when the root has taken all of
 * it, 3 + 3 + 4 bytes at one-second intervals. */
async int ms_root_lockstep_send(struct ms_ctx *c)
{
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    ms_one(c, 0, &c->one.send.base, "0123456789");
    spawn(&n, c, MS_SEND_ONE, 0);
    static const size_t take[3] = { 3, 3, 10 };
    for (int i = 0; i < 3; i++) {
        await strio_sleep(STRIO_SEC(1));
        c->r[2 * i] = (int)strio_memory_pipe_buffered(&c->one.pipe);
        c->r[2 * i + 1] = c->done[0];
        c->l[i] = await strio_receive_some(&c->one.receive.base, c->got[i],
                                           take[i]);
    }
    c->r[6] = await strio_nursery_close(&n, 0);
    c->r[7] = (int)strio_memory_pipe_buffered(&c->one.pipe);
    /* an empty send completes at once, with no receiver */
    c->r[8] = await strio_send_all(&c->one.send.base, "", 0);
    return 0;
}

/* Lockstep: wait_send_all_might_not_block waits for a receiver; a
 * concurrent send_all is busy meanwhile. */
async int ms_root_lockstep_wait(struct ms_ctx *c)
{
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    c->s[0] = &c->one.send.base;
    spawn(&n, c, MS_WAIT_SEND, 0);
    await strio_sleep(STRIO_SEC(1));
    c->r[0] = c->done[0];
    c->r[1] = await strio_send_all(&c->one.send.base, "x", 1);   /* EBUSY */
    c->s[1] = &c->one.receive.base;
    c->max[1] = 10;
    spawn(&n, c, MS_RECV_ONE, 1);
    await strio_sleep(STRIO_SEC(1));
    c->r[2] = c->done[0];
    c->r[3] = await strio_send_all(&c->one.send.base, "x", 1);
    c->r[4] = await strio_nursery_close(&n, 0);
    return 0;
}

/* Lockstep: the sender is cancelled after the root took 3 of its 10
 * bytes (the rest is withdrawn); then the sender's stream is closed while
 * another send waits (withdrawn too: the receiver sees the end). */
async int ms_root_lockstep_cancel(struct ms_ctx *c)
{
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    ms_one(c, 0, &c->one.send.base, "0123456789");
    spawn(&n, c, MS_SEND_ONE, 0);
    await strio_sleep(STRIO_SEC(1));
    c->l[0] = await strio_receive_some(&c->one.receive.base, c->got[0], 3);
    strio_scope_cancel(c->scopes[0]);
    await strio_sleep(STRIO_SEC(1));
    c->r[0] = c->done[0];
    c->r[1] = (int)strio_memory_pipe_buffered(&c->one.pipe);
    ms_one(c, 1, &c->one.send.base, "abc");
    spawn(&n, c, MS_SEND_ONE, 1);
    c->l[1] = await strio_receive_some(&c->one.receive.base, c->got[1], 10);
    c->r[2] = await strio_nursery_close(&n, 0);

    strio_nursery_open(STRIO_SELF, &n);
    ms_one(c, 2, &c->one.send.base, "0123456789");
    spawn(&n, c, MS_SEND_ONE, 2);
    await strio_sleep(STRIO_SEC(1));
    c->l[2] = await strio_receive_some(&c->one.receive.base, c->got[2], 3);
    c->r[3] = await strio_stream_close(&c->one.send.base);
    c->l[3] = await strio_receive_some(&c->one.receive.base, c->got[3], 10);
    c->r[4] = await strio_nursery_close(&n, 0);
    return 0;
}

/* Trio's "graceful close delivers buffered data": an actor sends "hello"
 * and closes; the root only starts reading a second later. */
async int ms_root_eof(struct ms_ctx *c)
{
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    ms_one(c, 0, &c->one.send.base, "hello");
    spawn(&n, c, MS_SEND_CLOSE_SEQ, 0);
    await strio_sleep(STRIO_SEC(1));
    c->l[0] = await strio_receive_some(&c->one.receive.base, c->got[0], 100);
    c->l[1] = await strio_receive_some(&c->one.receive.base, c->got[1], 100);
    c->l[2] = await strio_receive_some(&c->one.receive.base, c->got[1], 100);
    c->r[0] = await strio_nursery_close(&n, 0);
    c->r[1] = await strio_send_all(&c->one.send.base, "x", 1);
    c->r[2] = await strio_send_all(&c->one.send.base, "", 0);
    c->r[3] = await strio_wait_send_all_might_not_block(&c->one.send.base);
    c->r[4] = await strio_stream_close(&c->one.send.base);
    c->r[5] = await strio_stream_close(&c->one.send.base);
    c->r[6] = await strio_stream_close(&c->one.receive.base);
    c->l[3] = await strio_receive_some(&c->one.receive.base, c->got[1], 100);
    c->r[7] = await strio_stream_close(&c->one.receive.base);
    return 0;
}

/* The receiver closes while a sender loops: the sender gets STRIO_EBROKEN,
 * and so does every later send; wait_send returns at once. */
async int ms_root_broken(struct ms_ctx *c)
{
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    c->s[0] = &c->one.send.base;
    spawn(&n, c, MS_SEND_LOOP, 0);
    await strio_sleep(STRIO_SEC(1));
    c->r[0] = await strio_stream_close(&c->one.receive.base);
    c->r[1] = await strio_nursery_close(&n, 0);
    c->r[2] = await strio_send_all(&c->one.send.base, c->buf[15], 100);
    c->r[3] = await strio_send_all(&c->one.send.base, "", 0);
    c->r[4] = await strio_wait_send_all_might_not_block(&c->one.send.base);
    c->l[0] = await strio_receive_some(&c->one.receive.base, c->got[0], 10);
    c->r[5] = await strio_stream_close(&c->one.receive.base);
    c->r[6] = await strio_stream_close(&c->one.send.base);
    c->r[7] = await strio_send_all(&c->one.send.base, "x", 1);
    c->r[8] = (int)strio_memory_pipe_buffered(&c->one.pipe);
    return 0;
}

/* Closing wakes pending operations (buffered, capacity 4). */
async int ms_root_close_wakes(struct ms_ctx *c)
{
    strio_nursery n;
    strio_memory_stream_one_way_pair_init(&c->one, c->ring[2], 4);
    /* own receive close wakes a pending receive */
    strio_nursery_open(STRIO_SELF, &n);
    c->s[0] = &c->one.receive.base;
    c->max[0] = 10;
    spawn(&n, c, MS_RECV_ONE, 0);
    await strio_sleep(STRIO_MS(1));
    c->r[0] = c->done[0];
    c->r[1] = await strio_stream_close(&c->one.receive.base);
    c->r[2] = await strio_nursery_close(&n, 0);

    /* own send close wakes a pending send; the buffered bytes survive */
    strio_memory_stream_one_way_pair_init(&c->one, c->ring[2], 4);
    c->r[3] = await strio_send_all(&c->one.send.base, "abcd", 4);
    strio_nursery_open(STRIO_SELF, &n);
    ms_one(c, 1, &c->one.send.base, "efgh");
    spawn(&n, c, MS_SEND_ONE, 1);
    await strio_sleep(STRIO_MS(1));
    c->r[4] = c->done[1];
    c->r[5] = await strio_stream_close(&c->one.send.base);
    c->l[0] = await strio_receive_some(&c->one.receive.base, c->got[0], 10);
    c->l[1] = await strio_receive_some(&c->one.receive.base, c->got[1], 10);
    c->r[6] = await strio_nursery_close(&n, 0);

    /* peer receive close wakes a pending send (broken), drops the data */
    strio_memory_stream_one_way_pair_init(&c->one, c->ring[2], 4);
    c->r[7] = await strio_send_all(&c->one.send.base, "abcd", 4);
    strio_nursery_open(STRIO_SELF, &n);
    ms_one(c, 2, &c->one.send.base, "efgh");
    spawn(&n, c, MS_SEND_ONE, 2);
    c->s[3] = &c->one.send.base;
    spawn(&n, c, MS_WAIT_SEND, 3);        /* busy: the send slot is taken */
    await strio_sleep(STRIO_MS(1));
    c->r[8] = c->done[2];
    c->r[9] = await strio_stream_close(&c->one.receive.base);
    c->r[10] = (int)strio_memory_pipe_buffered(&c->one.pipe);
    c->r[11] = await strio_nursery_close(&n, 0);

    /* peer close wakes a wait_send (returns: a send would not block) */
    strio_memory_stream_one_way_pair_init(&c->one, c->ring[2], 4);
    c->r[12] = await strio_send_all(&c->one.send.base, "abcd", 4);
    strio_nursery_open(STRIO_SELF, &n);
    c->s[4] = &c->one.send.base;
    spawn(&n, c, MS_WAIT_SEND, 4);
    await strio_sleep(STRIO_MS(1));
    c->r[13] = c->done[4];
    c->r[14] = await strio_stream_close(&c->one.receive.base);
    c->r[15] = await strio_nursery_close(&n, 0);
    return 0;
}

/* Closes inside an already cancelled scope still close. */
async int ms_root_cancelled_close(struct ms_ctx *c)
{
    c->r[0] = await strio_send_all(&c->two.a.base, "ab", 2);
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    strio_scope_cancel(&sc);
    c->r[1] = await strio_stream_close(&c->one.send.base);
    c->r[2] = await strio_stream_close(&c->one.receive.base);
    c->r[3] = await strio_stream_close(&c->two.a.base);
    c->r[4] = strio_scope_exit(&sc, STRIO_ECANCELED);
    c->r[5] = await strio_send_all(&c->one.send.base, "x", 1);
    c->l[0] = await strio_receive_some(&c->one.receive.base, c->got[0], 10);
    c->r[6] = await strio_send_all(&c->two.a.base, "x", 1);
    c->l[1] = await strio_receive_some(&c->two.a.base, c->got[0], 10);
    c->l[2] = await strio_receive_some(&c->two.b.base, c->got[1], 10);
    c->l[3] = await strio_receive_some(&c->two.b.base, c->got[1], 10);
    c->r[7] = await strio_send_all(&c->two.b.base, "x", 1);
    return 0;
}

/* Operations entered inside a cancelled scope do nothing. "abc" is
 * buffered first. */
async int ms_root_cancel_at_entry(struct ms_ctx *c)
{
    c->r[0] = await strio_send_all(&c->one.send.base, "abc", 3);
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    strio_scope_cancel(&sc);
    c->l[0] = await strio_receive_some(&c->one.receive.base, c->got[0], 10);
    c->r[1] = await strio_send_all(&c->one.send.base, "zz", 2);
    c->r[2] = await strio_wait_send_all_might_not_block(&c->one.send.base);
    c->l[1] = await strio_receive_some(&c->two.b.base, c->got[0], 10);
    c->r[3] = await strio_send_eof(&c->two.a.base);
    c->r[4] = strio_scope_exit(&sc, STRIO_ECANCELED);
    c->r[5] = (int)strio_memory_pipe_buffered(&c->one.pipe);
    c->l[2] = await strio_receive_some(&c->one.receive.base, c->got[1], 10);
    c->r[6] = await strio_send_all(&c->two.a.base, "q", 1);   /* no EOF */
    c->l[3] = await strio_receive_some(&c->two.b.base, c->got[2], 10);
    return 0;
}

/* Every operation that completes at once still yields exactly once
 * (test_memstream.c counts the suspensions). */
async int ms_root_checkpoints(struct ms_ctx *c)
{
    c->r[0] = await strio_send_all(&c->one.send.base, "abc", 3);
    c->r[1] = await strio_wait_send_all_might_not_block(&c->one.send.base);
    c->l[0] = await strio_receive_some(&c->one.receive.base, c->got[0], 10);
    c->r[2] = await strio_send_all(&c->one.send.base, "", 0);
    c->r[3] = await strio_send_all(&c->two.a.base, "xy", 2);
    c->l[1] = await strio_receive_some(&c->two.b.base, c->got[1], 10);
    c->r[4] = await strio_send_eof(&c->two.a.base);
    c->l[2] = await strio_receive_some(&c->two.b.base, c->got[1], 10);
    c->r[5] = await strio_stream_close(&c->one.send.base);
    c->r[6] = await strio_stream_close(&c->one.receive.base);
    c->r[7] = await strio_send_all(&c->one.send.base, "z", 1);
    c->r[8] = await strio_stream_close(&c->two.a.base);     /* two closes */
    return 0;
}

/* Busy and invalid calls (two-way buffered pair, capacity 4). */
async int ms_root_busy(struct ms_ctx *c)
{
    strio_memory_stream_pair_init(&c->two, c->ring[0], 4, c->ring[1], 4);
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    c->s[0] = &c->two.b.base;
    c->max[0] = 10;
    spawn(&n, c, MS_RECV_ONE, 0);
    await strio_sleep(STRIO_MS(1));
    c->l[0] = await strio_receive_some(&c->two.b.base, c->got[0], 10);
    c->r[0] = await strio_send_all(&c->two.a.base, "hi", 2);
    c->r[1] = await strio_nursery_close(&n, 0);

    c->r[2] = await strio_send_all(&c->two.a.base, "1234", 4);   /* full */
    strio_nursery_open(STRIO_SELF, &n);
    ms_one(c, 1, &c->two.a.base, "5678");
    spawn(&n, c, MS_SEND_ONE, 1);
    await strio_sleep(STRIO_MS(1));
    c->r[3] = await strio_send_all(&c->two.a.base, "x", 1);
    c->r[4] = await strio_wait_send_all_might_not_block(&c->two.a.base);
    c->r[5] = await strio_send_eof(&c->two.a.base);
    c->l[1] = await strio_receive_some(&c->two.b.base, c->got[1], 100);
    c->r[6] = await strio_nursery_close(&n, 0);
    c->l[2] = await strio_receive_some(&c->two.b.base, c->got[2], 100);

    c->l[3] = await strio_receive_some(&c->two.b.base, c->got[3], 0);
    c->r[7] = await strio_send_all(&c->one.receive.base, "x", 1);
    c->l[4] = await strio_receive_some(&c->one.send.base, c->got[3], 1);
    c->r[8] = await strio_send_eof(&c->one.send.base);
    c->r[9] = await strio_wait_send_all_might_not_block(&c->one.receive.base);
    c->r[10] = await strio_send_eof(&c->one.receive.base);
    return 0;
}

/* Two-way: send_eof, then the other direction still works. */
async int ms_root_two_way(struct ms_ctx *c)
{
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    ms_one(c, 0, &c->two.a.base, "x");
    spawn(&n, c, MS_SEND_EOF_SEQ, 0);
    c->l[0] = await strio_receive_some(&c->two.b.base, c->got[0], 10);
    c->l[1] = await strio_receive_some(&c->two.b.base, c->got[1], 10);
    c->r[0] = await strio_nursery_close(&n, 0);
    c->r[1] = await strio_send_all(&c->two.a.base, "y", 1);
    c->r[2] = await strio_send_eof(&c->two.a.base);
    c->r[3] = await strio_send_eof(&c->two.a.base);
    strio_nursery_open(STRIO_SELF, &n);
    ms_one(c, 1, &c->two.b.base, "q");
    spawn(&n, c, MS_SEND_EOF_SEQ, 1);
    c->l[2] = await strio_receive_some(&c->two.a.base, c->got[2], 10);
    c->l[3] = await strio_receive_some(&c->two.a.base, c->got[3], 10);
    c->r[4] = await strio_nursery_close(&n, 0);
    c->r[5] = await strio_stream_close(&c->two.a.base);
    c->r[6] = await strio_stream_close(&c->two.b.base);
    c->r[7] = await strio_stream_close(&c->two.a.base);
    /* after close, send_eof is no longer idempotent success */
    c->r[8] = await strio_send_eof(&c->two.a.base);
    return 0;
}

/* A full close of one end: the peer reads the end, its sends break. */
async int ms_root_two_way_close(struct ms_ctx *c)
{
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    c->s[0] = &c->two.b.base;
    c->max[0] = 10;
    spawn(&n, c, MS_RECV_ONE, 0);
    await strio_sleep(STRIO_MS(1));
    c->r[0] = await strio_stream_close(&c->two.a.base);
    c->r[1] = await strio_nursery_close(&n, 0);
    c->r[2] = await strio_send_all(&c->two.b.base, "z", 1);
    c->r[3] = await strio_send_all(&c->two.a.base, "z", 1);
    c->l[0] = await strio_receive_some(&c->two.a.base, c->got[0], 10);
    c->r[4] = await strio_stream_close(&c->two.a.base);
    return 0;
}

/* A stapled stream whose send side is half-closeable (the pair's end a,
 * stapled with itself): send_eof is forwarded (a's receive side stays
 * open) rather than closing a. */
async int ms_root_stapled_forward(struct ms_ctx *c)
{
    strio_stapled_stream_init(&c->st, &c->two.a.base, &c->two.a.base);
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    ms_one(c, 0, &c->st.base, "x");
    spawn(&n, c, MS_SEND_EOF_SEQ, 0);
    c->l[0] = await strio_receive_some(&c->two.b.base, c->got[0], 10);
    c->l[1] = await strio_receive_some(&c->two.b.base, c->got[1], 10);
    c->r[0] = await strio_nursery_close(&n, 0);
    strio_nursery_open(STRIO_SELF, &n);
    ms_one(c, 1, &c->two.b.base, "r");
    spawn(&n, c, MS_SEND_ONE, 1);
    c->l[2] = await strio_receive_some(&c->st.base, c->got[2], 10);
    c->r[1] = await strio_nursery_close(&n, 0);
    c->r[2] = await strio_send_all(&c->st.base, "y", 1);
    c->r[3] = await strio_stream_close(&c->st.base);
    c->r[4] = await strio_send_all(&c->two.b.base, "z", 1);
    c->l[3] = await strio_receive_some(&c->st.base, c->got[3], 10);
    return 0;
}

/* close() of a stapled stream while its own send_eof is closing the send
 * side: the inner close is busy, the stapled close still succeeds and
 * closes the receive side. */
async int ms_root_stapled_close_race(struct ms_ctx *c)
{
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    c->s[0] = &c->two.a.base;
    spawn(&n, c, MS_SEND_EOF, 0);
    await strio_checkpoint();           /* the actor is inside send_eof */
    c->r[1] = c->two.ab.send.base.close_busy;
    c->r[2] = await strio_stream_close(&c->two.a.base);
    c->r[3] = await strio_nursery_close(&n, 0);
    c->r[4] = c->two.ab.pipe.send_closed;
    c->r[5] = c->two.ba.pipe.recv_closed;
    return 0;
}

/* Hooks on a buffered one-way pair of capacity 8 (ms_set_hooks). */
async int ms_root_hooks(struct ms_ctx *c)
{
    strio_memory_stream_one_way_pair_init(&c->one, c->ring[2], 8);
    ms_set_hooks(c);
    c->r[0] = await strio_send_all(&c->one.send.base, "abcde", 5);
    c->r[1] = await strio_wait_send_all_might_not_block(&c->one.send.base);
    c->l[0] = await strio_receive_some(&c->one.receive.base, c->got[0], 3);
    c->r[2] = await strio_send_all(&c->one.send.base, "", 0);
    /* 2 bytes left; a 20-byte send goes in portions of 6, 8, 6 */
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    ms_one(c, 0, &c->one.send.base, "ABCDEFGHIJKLMNOPQRST");
    spawn(&n, c, MS_SEND_ONE, 0);
    for (int i = 1; i <= 3; i++) {
        await strio_sleep(STRIO_MS(1));
        c->l[i] = await strio_receive_some(&c->one.receive.base, c->got[i],
                                           100);
    }
    c->r[3] = await strio_nursery_close(&n, 0);
    /* failing hooks: the error is returned, the effect stays */
    c->hook_fail = 'S';
    c->r[4] = await strio_send_all(&c->one.send.base, "x", 1);
    c->r[5] = (int)strio_memory_pipe_buffered(&c->one.pipe);
    c->hook_fail = 'R';
    c->l[4] = await strio_receive_some(&c->one.receive.base, c->got[4], 10);
    c->r[6] = (int)strio_memory_pipe_buffered(&c->one.pipe);
    c->hook_fail = 'C';
    c->r[7] = await strio_stream_close(&c->one.send.base);
    c->r[8] = await strio_send_all(&c->one.send.base, "y", 1);
    c->hook_fail = 0;
    c->l[5] = await strio_receive_some(&c->one.receive.base, c->got[5], 10);
    c->l[6] = await strio_receive_some(&c->one.receive.base, c->got[5], 10);
    c->r[9] = await strio_stream_close(&c->one.receive.base);
    return 0;
}

/* get_data / put_data / put_eof / pump_nowait on standalone streams (the
 * test sets them up: ss over 8 bytes, rs over 8 bytes). */
async int ms_root_standalone(struct ms_ctx *c)
{
    unsigned char *b = c->got[7];
    /* get_data */
    c->r[0] = await strio_send_all(&c->ss.base, "abc", 3);
    c->l[0] = strio_memory_send_stream_get_data_nowait(&c->ss, b, 2);
    c->l[1] = strio_memory_send_stream_get_data_nowait(&c->ss, b + 2, 10);
    c->l[2] = strio_memory_send_stream_get_data_nowait(&c->ss, b, 10);
    c->l[3] = strio_memory_send_stream_get_data_nowait(&c->ss, b, 0);
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    c->max[0] = 10;
    spawn(&n, c, MS_GET_DATA, 0);
    await strio_sleep(STRIO_MS(1));
    c->r[1] = c->done[0];
    c->r[2] = await strio_send_all(&c->ss.base, "de", 2);
    c->r[3] = await strio_nursery_close(&n, 0);

    /* put_data / put_eof */
    c->l[4] = strio_memory_receive_stream_put_data(&c->rs, "0123456789", 10);
    c->l[5] = strio_memory_receive_stream_put_data(&c->rs, "x", 1);
    c->l[6] = await strio_receive_some(&c->rs.base, c->got[0], 100);
    c->l[7] = strio_memory_receive_stream_put_data(&c->rs, "89", 2);
    strio_memory_receive_stream_put_eof(&c->rs);
    strio_memory_receive_stream_put_eof(&c->rs);
    c->l[8] = strio_memory_receive_stream_put_data(&c->rs, "x", 1);
    c->l[9] = await strio_receive_some(&c->rs.base, c->got[1], 100);
    c->l[10] = await strio_receive_some(&c->rs.base, c->got[2], 100);
    return 0;
}

/* pump_nowait's results, step by step (ss and rs of capacity 8). */
async int ms_root_pump_codes(struct ms_ctx *c)
{
    c->l[0] = strio_memory_stream_pump_nowait(&c->ss, &c->rs, 10);
    c->r[0] = await strio_send_all(&c->ss.base, "abcdef", 6);
    c->l[1] = strio_memory_stream_pump_nowait(&c->ss, &c->rs, 4);
    c->l[2] = strio_memory_stream_pump_nowait(&c->ss, &c->rs, 100);
    c->l[3] = strio_memory_stream_pump_nowait(&c->ss, &c->rs, 100);
    c->r[1] = await strio_send_all(&c->ss.base, "ghijklmn", 8);
    c->l[4] = strio_memory_stream_pump_nowait(&c->ss, &c->rs, 100);   /* 2 */
    c->l[5] = strio_memory_stream_pump_nowait(&c->ss, &c->rs, 100);   /* full */
    c->l[6] = await strio_receive_some(&c->rs.base, c->got[0], 100);
    c->r[2] = await strio_stream_close(&c->ss.base);
    c->l[7] = strio_memory_stream_pump_nowait(&c->ss, &c->rs, 100);   /* 6 */
    c->l[8] = strio_memory_stream_pump_nowait(&c->ss, &c->rs, 100);   /* EOF */
    c->l[9] = strio_memory_stream_pump_nowait(&c->ss, &c->rs, 100);   /* EOF */
    c->l[10] = await strio_receive_some(&c->rs.base, c->got[1], 100);
    c->l[11] = await strio_receive_some(&c->rs.base, c->got[2], 100);
    c->l[12] = strio_memory_stream_pump_nowait(&c->ss, &c->rs, 0);
    strio_memory_pipe_init(&c->rpipe, NULL, 0);     /* lockstep receiver */
    c->l[18] = strio_memory_stream_pump_nowait(&c->ss, &c->rs, 100);
    /* a closed receiver breaks the pump */
    ms_setup_standalone(c, 8, 8);
    c->r[3] = await strio_send_all(&c->ss.base, "abc", 3);
    c->r[4] = await strio_stream_close(&c->rs.base);
    c->l[13] = strio_memory_stream_pump_nowait(&c->ss, &c->rs, 100);
    /* ... and so does one at its end already */
    ms_setup_standalone(c, 8, 8);
    c->r[5] = await strio_send_all(&c->ss.base, "abc", 3);
    strio_memory_receive_stream_put_eof(&c->rs);
    c->l[14] = strio_memory_stream_pump_nowait(&c->ss, &c->rs, 100);
    /* the async pump: waits for data, then for room */
    ms_setup_standalone(c, 8, 4);
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    c->max[4] = 100;
    spawn(&n, c, MS_PUMP, 4);
    await strio_sleep(STRIO_SEC(1));
    c->r[6] = c->done[4];
    c->r[7] = await strio_send_all(&c->ss.base, "abcdefgh", 8);
    await strio_sleep(STRIO_SEC(1));
    c->r[8] = (int)strio_memory_pipe_buffered(&c->spipe);   /* 4 wait */
    c->r[9] = (int)strio_memory_pipe_buffered(&c->rpipe);   /* 4 moved */
    c->l[15] = await strio_receive_some(&c->rs.base, c->got[3], 100);
    await strio_sleep(STRIO_SEC(1));
    c->r[10] = (int)strio_memory_pipe_buffered(&c->spipe);
    c->l[16] = await strio_receive_some(&c->rs.base, c->got[4], 100);
    c->r[11] = await strio_stream_close(&c->ss.base);
    c->l[17] = await strio_receive_some(&c->rs.base, c->got[5], 100);
    c->r[12] = await strio_nursery_close(&n, 0);
    return 0;
}

/* ======================================================================== */
/* Cancellation sweep scenarios (the sweep cancels *target at the k-th      */
/* suspension while it is published; see tests/unit/sweep.h).               */
/* ======================================================================== */

/* A 40-byte send_all from c->tx[0] inside the target scope, while actor 1
 * reads c->rx[0] slowly (direction 0's receiver); then the root closes the
 * send side and the receiver reads to the end. */
async int ms_sw_send(strio_cancel_scope **target, struct ms_ctx *c)
{
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    spawn(&n, c, MS_RECEIVER, 1);
    unsigned char *buf = c->buf[14];
    for (size_t i = 0; i < 40; i++)
        buf[i] = ms_pattern(c->seed[0], i);
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    c->r[0] = await strio_send_all(c->tx[0], buf, 40);
    *target = NULL;
    c->r[1] = strio_scope_exit(&sc, c->r[0]);
    c->r[2] = await strio_stream_close(c->tx[0]);
    return await strio_nursery_close(&n, 0);
}

/* Receives from c->rx[0] inside the target scope while direction 0's
 * sender (actor 0) sends c->total[0] bytes and closes; after a
 * cancellation the root reads on outside the scope: nothing may be lost. */
async int ms_sw_receive(strio_cancel_scope **target, struct ms_ctx *c)
{
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    spawn(&n, c, MS_SENDER, 0);
    unsigned char *buf = c->buf[14];
    long got;
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    do {
        got = await strio_receive_some(c->rx[0], buf, 5);
        if (got > 0)
            ms_check_read(c, 0, buf, got, 5, 0);
    } while (got > 0);
    *target = NULL;
    c->r[0] = (int)got;
    c->r[1] = strio_scope_exit(&sc, (int)got);
    if (got == STRIO_ECANCELED) {
        for (;;) {
            got = await strio_receive_some(c->rx[0], buf, 5);
            if (got <= 0)
                break;
            ms_check_read(c, 0, buf, got, 5, 0);
        }
    }
    c->r[2] = (int)got;
    return await strio_nursery_close(&n, 0);
}

/* close(c->s[2]) inside the target scope while actor 0 waits to receive
 * on it and actor 1 waits to send on it (two-way pair, capacity 4, "abcd"
 * buffered a -> b when `prefill`). */
async int ms_sw_close(strio_cancel_scope **target, struct ms_ctx *c,
                      int prefill)
{
    if (prefill)
        c->r[9] = await strio_send_all(c->s[2], "abcd", 4);
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    c->s[0] = c->s[2];
    c->max[0] = 10;
    spawn(&n, c, MS_RECV_ONE, 0);
    ms_one(c, 1, c->s[2], "efgh");
    spawn(&n, c, MS_SEND_ONE, 1);
    await strio_sleep(STRIO_MS(1));
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    c->r[0] = await strio_stream_close(c->s[2]);
    *target = NULL;
    c->r[1] = strio_scope_exit(&sc, c->r[0]);
    c->r[2] = await strio_nursery_close(&n, 0);
    c->r[3] = await strio_send_all(c->s[2], "x", 1);
    c->l[0] = await strio_receive_some(c->s[2], c->got[0], 10);
    c->l[1] = await strio_receive_some(c->s[3], c->got[1], 10);
    c->l[2] = await strio_receive_some(c->s[3], c->got[2], 10);
    c->r[4] = await strio_send_all(c->s[3], "z", 1);
    c->r[5] = await strio_stream_close(c->s[3]);
    return 0;
}
