/*
 * streams.sc -- the async side of the stream benchmarks
 * (bench/streams_main.c; bench/README.md says what the figures mean).
 *
 * A sender task and a receiver task on one loop, at the two ends of a
 * memory stream pair (strio/memstream.h): the sender sends `total` bytes
 * taken from a source buffer, `chunk` bytes per strio_send_all, then
 * strio_send_eof; the receiver reads until end of stream, either with
 * strio_receive_some (`rchunk` bytes at most per call) or through a
 * strio_reader (strio/bufread.h) in `msg`-byte messages.
 */
#include <strio/strio.h>
#include <strio/memstream.h>
#include <strio/bufread.h>

enum { SB_RAW = 0, SB_UNTIL = 1, SB_EXACT = 2 };

struct sb_ctx {
    strio_stream *tx, *rx;              /* the two ends */
    const unsigned char *src;           /* sent cyclically */
    size_t src_len;
    size_t chunk;                       /* bytes per send_all */
    unsigned long long total;           /* bytes to send */
    unsigned char *dst;                 /* where the receiver copies to */
    size_t rchunk;                      /* SB_RAW: max per receive_some */
    int mode;
    strio_reader *reader;               /* SB_UNTIL, SB_EXACT */
    size_t msg;                         /* message size (with its '\n') */
    /* results */
    unsigned long long received;
    unsigned long messages, calls;
    int send_rc, recv_rc;
};

static async int sb_sender(struct sb_ctx *c)
{
    unsigned long long sent = 0;
    size_t off = 0;
    while (sent < c->total) {
        size_t n = c->chunk;
        if (n > c->total - sent)
            n = (size_t)(c->total - sent);
        if (off + n > c->src_len)
            off = 0;
        int rc = await strio_send_all(c->tx, c->src + off, n);
        if (rc < 0) {
            c->send_rc = rc;
            return 0;
        }
        sent += n;
        off += n;
    }
    c->send_rc = await strio_send_eof(c->tx);
    return 0;
}

static STRIO_POOL(sb_pool, struct sb_sender_frame, 1);

static async int sb_receiver(struct sb_ctx *c)
{
    for (;;) {
        long n;
        if (c->mode == SB_RAW)
            n = await strio_receive_some(c->rx, c->dst, c->rchunk);
        else if (c->mode == SB_UNTIL)
            n = await strio_read_until(c->reader, "\n", 1, c->dst, c->msg);
        else
            n = await strio_read_exactly(c->reader, c->dst, c->msg);
        c->calls++;
        if (n <= 0)
            return (int)n;
        c->received += (unsigned long long)n;
        if (c->mode != SB_RAW)
            c->messages++;
    }
}

/* The sender as a child, the receiver in the body. */
async int sb_root(struct sb_ctx *c)
{
    STRIO_POOL_SETUP(sb_pool);
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    struct sb_sender_frame *f = strio_pool_try_get(&sb_pool.pool);
    sb_sender_start(f, c);
    strio_nursery_start(&n, &sb_pool.pool, f, sb_sender_resume,
                        &f->strio_ret);
    c->recv_rc = await sb_receiver(c);
    return await strio_nursery_close(&n, c->recv_rc);
}
