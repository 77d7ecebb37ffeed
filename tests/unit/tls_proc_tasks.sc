/*
 * Async code for test_tls_proc.c: TLS over a subprocess's stdin/stdout
 * (the seed's example). The child is stunnel4 in inetd mode: it speaks
 * TLS (OpenSSL) on its stdin/stdout and runs /bin/cat behind it, so every
 * byte we send through TLS comes back. Our side staples the child's stdin
 * pipe (send) and stdout pipe (receive) into one stream and runs a
 * strio TLS client over it.
 */
#include <string.h>

#include <strio/strio.h>
#include <strio/pipe.h>
#include <strio/process.h>
#include <strio/stapled.h>
#include <strio/tls.h>

struct tp_run {
    const char *const *argv;            /* the child */
    const strio_tls_client_config *cfg;
    unsigned char *iobuf;               /* TLS record buffer */
    size_t iobuf_len;
    const unsigned char *data;          /* sent, expected back */
    size_t len;
    unsigned char *got;                 /* what came back */
    size_t got_len;
    strio_process proc;
    strio_stapled_stream pipes;
    strio_tls_stream tls;
    int handshake_rc, send_rc, recv_rc, close_rc, wait_rc, aclose_rc;
};

/* Sends everything, in pieces, then nothing more (TLS has no half-close:
 * the receiver decides when to close). */
async int tp_sender(struct tp_run *r)
{
    size_t off = 0;
    while (off < r->len) {
        size_t n = r->len - off < 7000 ? r->len - off : 7000;
        int rc = await strio_send_all(&r->tls.base, r->data + off, n);
        if (rc < 0)
            return r->send_rc = rc;
        off += n;
    }
    return r->send_rc = 0;
}

/* Receives until every byte sent came back (or EOF, or an error). */
async int tp_receiver(struct tp_run *r)
{
    while (r->got_len < r->len) {
        long n = await strio_receive_some(&r->tls.base, r->got + r->got_len,
                                          r->len - r->got_len);
        if (n <= 0)
            return r->recv_rc = n < 0 ? (int)n : 0;
        r->got_len += (size_t)n;
    }
    return r->recv_rc = 0;
}

STRIO_POOL(tp_send_pool, struct tp_sender_frame, 1);
STRIO_POOL(tp_recv_pool, struct tp_receiver_frame, 1);

/* Both directions at once: the child's pipes are bounded, so sending all
 * before reading would deadlock once stunnel's output pipe fills. */
async int tp_duplex(struct tp_run *r)
{
    STRIO_POOL_SETUP(tp_send_pool);
    STRIO_POOL_SETUP(tp_recv_pool);
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    struct tp_sender_frame *sf = strio_pool_try_get(&tp_send_pool.pool);
    tp_sender_start(sf, r);
    strio_nursery_start(&n, &tp_send_pool.pool, sf, tp_sender_resume,
                        &sf->strio_ret);
    struct tp_receiver_frame *rf = strio_pool_try_get(&tp_recv_pool.pool);
    tp_receiver_start(rf, r);
    strio_nursery_start(&n, &tp_recv_pool.pool, rf, tp_receiver_resume,
                        &rf->strio_ret);
    return await strio_nursery_close(&n, 0);
}

/*
 * Spawns the child, runs TLS over its pipes (handshake, duplex echo of
 * r->data), closes TLS (close_notify, then both pipes), waits for the
 * child's exit and closes it. Returns the first error; every step's
 * result is kept in `r`.
 */
async int tp_session(struct tp_run *r)
{
    strio_process_options o;
    memset(&o, 0, sizeof o);
    o.stdio[0] = STRIO_STDIO_PIPE;
    o.stdio[1] = STRIO_STDIO_PIPE;
    o.stdio[2] = STRIO_STDIO_DEVNULL;
    o.kill_grace = STRIO_MS(200);
    int rc = strio_process_spawn(&r->proc, (const char *const *)r->argv, &o);
    if (rc < 0)
        return rc;
    strio_stapled_stream_init(&r->pipes, &r->proc.stdin_pipe.base,
                              &r->proc.stdout_pipe.base);
    rc = strio_tls_client_init(&r->tls, &r->pipes.base, r->cfg, r->iobuf,
                               r->iobuf_len);
    if (rc == 0) {
        r->handshake_rc = rc = await strio_tls_handshake(&r->tls);
        if (rc == 0)
            rc = await tp_duplex(r);
        /* close_notify, then the transport: both pipes */
        r->close_rc = await strio_stream_close(&r->tls.base);
        if (rc == 0 && r->close_rc < 0)
            rc = r->close_rc;
    }
    if (rc == 0) {
        /* stunnel ends once its TLS session (our only one) is over */
        r->wait_rc = await strio_process_wait(&r->proc);
        if (r->wait_rc < 0)
            rc = r->wait_rc;
    }
    /* always: pipes closed (idempotent), child killed if still running,
     * and reaped */
    r->aclose_rc = await strio_process_aclose(&r->proc);
    return rc;
}
