/*
 * Socket streams and listeners, the async part (see strio/socket_stream.h),
 * in the dialect over the low-level socket calls. The operations tables
 * and the synchronous calls are in socket_stream.c.
 *
 * This file's generated header carries the frames strio/socket_stream.h
 * embeds (it must not be named socket_stream.sc: its generated header
 * would shadow the public one).
 */
#include <errno.h>

#include <strio/socket_stream.h>

/* ---- stream operations (reached through the ops table) ---------------- */

/* One recv() attempt (a plain function: the call description then stays
 * out of the receive frame every socket stream embeds). */
static long strio_socket__recv_once(strio_socket *s, void *buf, size_t max)
{
    strio_socket_call c = { .op = STRIO_SOCKET_OP_RECV, .u.buf = buf,
                            .len = max };
    return strio_socket__try(s, &c);
}

async int strio_socket_stream_do_send_all(strio_socket_stream *st,
                                          const void *data, size_t len)
{
    int rc;
    if (st->sock.fd < 0 || st->sock.did_shutdown_write)
        return STRIO_ECLOSED;
    if (len == 0)                       /* no system call: a checkpoint */
        return await strio_checkpoint();
    rc = await strio_socket_sendall(&st->sock, data, len, 0);
    return (int)strio_socket_stream_map_error(st, rc);
}

async int strio_socket_stream_do_wait_send(strio_socket_stream *st)
{
    int rc;
    if (st->sock.fd < 0)
        return STRIO_ECLOSED;
    rc = await strio_socket_wait_writable(&st->sock);
    return (int)strio_socket_stream_map_error(st, rc);
}

async int strio_socket_stream_do_send_eof(strio_socket_stream *st)
{
    int rc;
    if (st->sock.fd < 0)
        return STRIO_ECLOSED;
    /* a checkpoint first, as Trio (also for the idempotent case) */
    rc = await strio_checkpoint();
    if (rc < 0)
        return rc;
    if (st->sock.fd < 0)
        return STRIO_ECLOSED;
    if (st->sock.did_shutdown_write)    /* a second shutdown may fail */
        return 0;
    rc = strio_socket_shutdown(&st->sock, SHUT_WR);
    return (int)strio_socket_stream_map_error(st, rc);
}

async long strio_socket_stream_do_receive_some(strio_socket_stream *st,
                                               void *buf, size_t max)
{
    long n;
    if (st->sock.fd < 0)
        return STRIO_ECLOSED;
    if (st->drained) {
        /* The last receive was short: the kernel had no more then, and a
         * recv() now would most likely fail with EAGAIN (on a
         * request/response connection, one wasted system call per
         * message; bench/echo.py). Wait for readability first (the
         * checkpoint: cancellation and close are delivered as in
         * strio_socket_recv's wait), then one attempt, without the yield
         * strio_socket_recv makes after an attempt that did not wait.
         * Readiness is level-triggered: data that came meanwhile ends the
         * wait at the next poll. */
        int rc = await strio_socket_wait_readable(&st->sock);
        if (rc < 0)
            return strio_socket_stream_map_error(st, rc);
        n = strio_socket__recv_once(&st->sock, buf, max);
        if (n == -EAGAIN)               /* readiness was stale: the usual */
            n = await strio_socket_recv(&st->sock, buf, max, 0);
    } else {
        n = await strio_socket_recv(&st->sock, buf, max, 0);
    }
    st->drained = n > 0 && (size_t)n < max;
    /* the kernel reports a reset once, then reads 0: never an EOF */
    if (n == 0 && st->broken)
        return STRIO_EBROKEN;
    return strio_socket_stream_map_error(st, n);
}

async int strio_socket_stream_do_close(strio_socket_stream *st)
{
    strio_socket_close(&st->sock);      /* wakes pending operations */
    return await strio_checkpoint();
}

/* ---- listener ------------------------------------------------------------- */

/* Trio's SocketListener: errnos of a connection that died before accept. */
static int strio_socket__accept_skips(int rc)
{
    switch (-rc) {
    case EPERM: case ECONNABORTED: case EPROTO: case ENETDOWN:
    case ENOPROTOOPT: case EHOSTDOWN: case EHOSTUNREACH: case EOPNOTSUPP:
    case ENETUNREACH: case ESOCKTNOSUPPORT: case EPROTONOSUPPORT:
    case ETIMEDOUT: case ECONNRESET:
#ifdef ENONET
    case ENONET:
#endif
#ifdef ENOSR
    case ENOSR:
#endif
        return 1;
    default:
        return 0;
    }
}

async int strio_socket_listener_accept(strio_socket_listener *l,
                                       strio_socket_stream *into)
{
    int rc;
    for (;;) {
        if (l->sock.fd < 0)
            return STRIO_ECLOSED;
        rc = await strio_socket_accept(&l->sock, &into->sock, NULL);
        if (rc == 0)
            return strio_socket_stream_init(into, &into->sock);
        if (rc == -EBADF || rc == -ENOTSOCK)
            return STRIO_ECLOSED;
        if (!strio_socket__accept_skips(rc))
            return rc;
    }
}

async int strio_socket_listener_aclose(strio_socket_listener *l)
{
    strio_socket_listener_close(l);
    return await strio_checkpoint();
}
