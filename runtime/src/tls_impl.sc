/*
 * TLS streams, the async part (see strio/tls.h), in the dialect over
 * BearSSL's engine and the generic stream calls on the transport.
 *
 * The engine is one state machine shared by up to three tasks (a sender,
 * a receiver, a closer or handshaker). Its four buffers (sendapp,
 * sendrec, recvrec, recvapp) are driven here:
 *   - only one task at a time uses the transport's send side (tx_busy:
 *     it holds a pointer into the engine's sendrec buffer while it sends)
 *     and one its receive side (rx_busy: it holds a pointer into the
 *     recvrec buffer); in half-duplex mode both buffers are one, so one
 *     flag excludes the other too;
 *   - a task that needs what another task is doing waits on `changed`,
 *     which is woken after every change of the engine's state (and on
 *     close), and then looks again: a wakeup is only a hint;
 *   - after the handshake, a receiver never sends records (only the
 *     sender flushes application data), so two peers that both send a
 *     lot while both receive cannot deadlock on full transports.
 * This is Trio's SSLStream design (one task at a time on each side of
 * the transport, others wait) on an engine that never reads past a
 * record and never needs the application to guess its buffer sizes.
 *
 * This file's generated header carries the frames strio/tls.h embeds
 * (named tls_impl.sc: a tls.sc would generate a header shadowing it).
 */
#include <errno.h>
#include <string.h>

#include <strio/memstream.h>
#include <strio/tls.h>

/* ---- plain helpers ------------------------------------------------------ */

/* Records a sticky error (the first one wins). */
static int strio_tls__fail(strio_tls_stream *st, int code, int br)
{
    if (st->error == 0) {
        st->error = code;
        st->br_error = br;
    }
    strio_waitq_wake_all(&st->changed, 0);
    return st->error;
}

/*
 * Looks at the engine: notes the end of the handshake, turns a failed
 * engine into the sticky error. Returns 0 (usable), 1 (the engine closed
 * cleanly: close_notify exchanged) or a negative error.
 */
static int strio_tls__status(strio_tls_stream *st)
{
    unsigned state;
    if (st->closed)
        return STRIO_ECLOSED;
    if (st->error)
        return st->error;
    state = br_ssl_engine_current_state(st->eng);
    if (state & BR_SSL_CLOSED) {
        int e = br_ssl_engine_last_error(st->eng);
        if (e == BR_ERR_OK)
            return 1;
        return strio_tls__fail(st, strio_tls_map_error(e,
                                   !st->handshake_done), e);
    }
    if (!st->handshake_done && (state & (BR_SSL_SENDAPP | BR_SSL_RECVAPP))) {
        st->handshake_done = 1;
        strio_tls__on_handshake(st);
    }
    return 0;
}

/* May this task take the transport's send side / receive side now? */
static int strio_tls__tx_free(const strio_tls_stream *st)
{
    return !st->tx_busy && !(st->mono && st->rx_busy);
}

static int strio_tls__rx_free(const strio_tls_stream *st)
{
    return !st->rx_busy && !(st->mono && st->tx_busy);
}

/* ---- moving records ----------------------------------------------------- */

/* Sends the engine's pending records. A failed or cancelled send may have
 * cut a record: the stream is broken then. */
async int strio_tls__flush(strio_tls_stream *st)
{
    size_t len;
    unsigned char *buf = br_ssl_engine_sendrec_buf(st->eng, &len);
    int rc;
    if (buf == NULL)
        return 0;
    st->tx_busy = 1;
    rc = await strio_send_all(st->transport, buf, len);
    st->tx_busy = 0;
    if (rc == 0 && !st->closed)
        br_ssl_engine_sendrec_ack(st->eng, len);
    else if (rc < 0 && rc != STRIO_ECLOSED)
        strio_tls__fail(st, STRIO_EBROKEN, 0);
    strio_waitq_wake_all(&st->changed, 0);
    return rc;
}

/* Reads what the engine asks for (never more than the rest of the current
 * record) and gives it to the engine. A cancelled read took nothing. */
async int strio_tls__pull(strio_tls_stream *st)
{
    size_t len;
    unsigned char *buf = br_ssl_engine_recvrec_buf(st->eng, &len);
    long n;
    if (buf == NULL)
        return 0;
    st->rx_busy = 1;
    n = await strio_receive_some(st->transport, buf, len);
    st->rx_busy = 0;
    if (n > 0 && !st->closed)
        br_ssl_engine_recvrec_ack(st->eng, (size_t)n);
    else if (n == 0)
        st->eof = 1;
    else if (n < 0 && n != STRIO_ECANCELED && n != STRIO_ECLOSED)
        strio_tls__fail(st, n == STRIO_EBROKEN ? STRIO_EBROKEN : (int)n, 0);
    strio_waitq_wake_all(&st->changed, 0);
    return n < 0 ? (int)n : 0;
}

/*
 * One step of progress when the caller's own goal is not reached yet:
 * send pending records (if `may_flush`), read records (if `may_read` and
 * the engine wants some), or wait for the task doing that. Handles a
 * transport EOF. Returns 0 (look again), 1 (the transport ended without
 * close_notify after the handshake, in https_compatible mode: a clean
 * end of stream) or an error.
 */
async int strio_tls__advance(strio_tls_stream *st, int may_flush,
                             int may_read)
{
    unsigned state = br_ssl_engine_current_state(st->eng);
    if (may_flush && (state & BR_SSL_SENDREC) && strio_tls__tx_free(st))
        return await strio_tls__flush(st);
    if (may_read && (state & BR_SSL_RECVREC)) {
        if (st->eof) {
            /* the transport ended before the engine did */
            if (st->handshake_done && st->https_compatible)
                return 1;
            if (!st->handshake_done)
                return strio_tls__fail(st, STRIO_ETLS_HANDSHAKE, BR_ERR_IO);
            return strio_tls__fail(st, STRIO_ETLS_TRUNCATED, BR_ERR_IO);
        }
        if (strio_tls__rx_free(st))
            return await strio_tls__pull(st);
    }
    return await strio_memory_wait(&st->changed);
}

/* ---- stream operations (reached through the ops table) ---------------- */

async int strio_tls_do_send_all(strio_tls_stream *st, const void *data,
                                size_t len)
{
    const unsigned char *p = data;
    int flushed = 0, rc;
    rc = await strio_checkpoint();
    if (rc < 0)
        return rc;
    for (;;) {
        unsigned state;
        rc = strio_tls__status(st);
        if (rc != 0)
            return rc == 1 ? STRIO_EBROKEN : rc;
        state = br_ssl_engine_current_state(st->eng);
        if ((state & BR_SSL_SENDAPP) && !(st->mono && st->rx_busy)) {
            if (len > 0) {
                size_t room;
                unsigned char *buf = br_ssl_engine_sendapp_buf(st->eng, &room);
                size_t n = len < room ? len : room;
                memcpy(buf, p, n);
                br_ssl_engine_sendapp_ack(st->eng, n);
                p += n;
                len -= n;
                continue;
            }
            if (flushed)
                return 0;
            br_ssl_engine_flush(st->eng, 0);
            flushed = 1;
            continue;
        }
        rc = await strio_tls__advance(st, 1, !st->handshake_done);
        if (rc < 0)
            return rc;
    }
}

async int strio_tls_do_wait_send(strio_tls_stream *st)
{
    int rc = await strio_checkpoint();
    if (rc < 0)
        return rc;
    for (;;) {
        rc = strio_tls__status(st);
        if (rc != 0)
            return rc == 1 ? 0 : rc;    /* a send would fail at once */
        if (!st->tx_busy)
            return await strio_wait_send_all_might_not_block(st->transport);
        rc = await strio_memory_wait(&st->changed);
        if (rc < 0)
            return rc;
    }
}

async long strio_tls_do_receive_some(strio_tls_stream *st, void *buf,
                                     size_t max)
{
    int rc = await strio_checkpoint();
    if (rc < 0)
        return rc;
    for (;;) {
        size_t len;
        unsigned char *app;
        if (st->closed)
            return STRIO_ECLOSED;
        /* decrypted bytes first, even after an error or the peer's close */
        app = br_ssl_engine_recvapp_buf(st->eng, &len);
        if (app != NULL) {
            size_t n = len < max ? len : max;
            memcpy(buf, app, n);
            br_ssl_engine_recvapp_ack(st->eng, n);
            strio_waitq_wake_all(&st->changed, 0);
            return (long)n;
        }
        if (st->eng->shutdown_recv)
            return 0;
        rc = strio_tls__status(st);
        if (rc == 1)
            return 0;
        if (rc < 0)
            return rc;
        rc = await strio_tls__advance(st, !st->handshake_done, 1);
        if (rc == 1)
            return 0;
        if (rc < 0)
            return rc;
    }
}

async int strio_tls_do_close(strio_tls_stream *st)
{
    int rc = 0, rc2;
    int already = st->closed;
    if (!already && st->error == 0 && st->handshake_done && !st->unwrapped) {
        /* close_notify, unless the peer's engine already closed ours */
        br_ssl_engine_close(st->eng);
        while ((br_ssl_engine_current_state(st->eng) & BR_SSL_SENDREC) &&
               strio_tls__tx_free(st) && st->error == 0) {
            rc = await strio_tls__flush(st);
            if (rc < 0)
                break;
        }
        if (rc == STRIO_EBROKEN)
            rc = 0;                     /* the peer is gone: fine */
    }
    st->closed = 1;
    strio_waitq_wake_all(&st->changed, 0);
    if (st->unwrapped)                  /* the transport is the caller's */
        return await strio_checkpoint();
    rc2 = await strio_stream_close(st->transport);
    return rc < 0 ? rc : rc2;
}

/* ---- public async calls --------------------------------------------------- */

async int strio_tls_handshake(strio_tls_stream *st)
{
    int rc = await strio_checkpoint();
    if (rc < 0)
        return rc;
    for (;;) {
        rc = strio_tls__status(st);
        if (rc == 1)
            return st->handshake_done ? 0 : STRIO_ETLS_HANDSHAKE;
        if (rc < 0)
            return rc;
        if (st->handshake_done)
            return 0;
        rc = await strio_tls__advance(st, 1, 1);
        if (rc < 0)
            return rc;
    }
}

async int strio_tls_unwrap(strio_tls_stream *st, strio_stream **transport)
{
    int rc;
    if (st->base.send_busy || st->base.receive_busy || st->base.close_busy)
        return STRIO_EBUSY;
    rc = await strio_tls_handshake(st);
    if (rc < 0)
        return rc;
    br_ssl_engine_close(st->eng);
    for (;;) {
        rc = strio_tls__status(st);
        if (rc == 1)
            break;                      /* both close_notify exchanged */
        if (rc < 0)
            return rc;
        /* drop application data still arriving */
        {
            size_t len;
            if (br_ssl_engine_recvapp_buf(st->eng, &len) != NULL) {
                br_ssl_engine_recvapp_ack(st->eng, len);
                continue;
            }
        }
        rc = await strio_tls__advance(st, 1, 1);
        if (rc == 1)
            return strio_tls__fail(st, STRIO_ETLS_TRUNCATED, BR_ERR_IO);
        if (rc < 0)
            return rc;
    }
    st->unwrapped = 1;
    st->closed = 1;
    strio_waitq_wake_all(&st->changed, 0);
    *transport = st->transport;
    return 0;
}
