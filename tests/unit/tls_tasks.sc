/*
 * Async code for test_tls.c: TLS streams over memory pairs, TCP loopback
 * and pipes, against each other and against openssl s_server/s_client.
 * Each side of a scenario is a "job" (tl_job) run by tl_side in a
 * nursery; the roots below are one per scenario.
 */
#include <errno.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/conformance.h>
#include <strio/posix.h>
#include <strio/socket.h>
#include <strio/socket_stream.h>
#include <strio/tls.h>

enum {
    TL_CLIENT = 1,      /* [handshake], send `data`, read until `want`
                           bytes (or EOF), [close] */
    TL_ECHO,            /* receive and send back until EOF, then close */
    TL_HANDSHAKE,       /* handshake only */
    TL_READ_ALL,        /* read until EOF or error */
    TL_UNWRAP,          /* handshake, unwrap */
    TL_SERVE_LINE       /* receive until "\n" (want bytes max), send
                           `data`, close */
};

struct tl_job {
    int kind;
    strio_stream *s;            /* the stream the job works on */
    strio_tls_stream *tls;      /* for handshake/unwrap; may be NULL */
    const unsigned char *data;
    size_t len;
    unsigned char *buf;         /* received bytes */
    size_t want;                /* client: bytes expected back */
    long got;
    int handshake_first;
    int no_close;
    strio_stream *unwrapped;    /* TL_UNWRAP: the transport handed back */
    long rc;                    /* first error, or 0 */
    long rc2;                   /* TL_HANDSHAKE: a send after a failure */
    strio_cancel_scope **target; /* sweep: publish a scope around the job */
    int target_close;           /* ... around its close instead */
};

/* Reads until `want` bytes, EOF or an error; returns 0, or the error. */
async long tl_read(strio_stream *s, unsigned char *buf, size_t want,
                   long *got)
{
    for (int i = 0; i < 1000000 && (size_t)*got < want; i++) {
        long n = await strio_receive_some(s, buf + *got, want - (size_t)*got);
        if (n < 0)
            return n;
        if (n == 0)
            return 0;
        *got += n;
    }
    return 0;
}

async long tl_echo(strio_stream *s, long *got)
{
    unsigned char buf[700];
    for (int i = 0; i < 1000000; i++) {
        long n = await strio_receive_some(s, buf, sizeof buf);
        if (n <= 0)
            return n;
        *got += n;
        int rc = await strio_send_all(s, buf, (size_t)n);
        if (rc < 0)
            return rc;
    }
    return -E2BIG;
}

async long tl_job_body(struct tl_job *j)
{
    long rc = 0;
    switch (j->kind) {
    case TL_CLIENT:
        if (j->handshake_first)
            rc = await strio_tls_handshake(j->tls);
        if (rc == 0)
            rc = await strio_send_all(j->s, j->data, j->len);
        if (rc == 0 && j->want > 0)
            rc = await tl_read(j->s, j->buf, j->want, &j->got);
        break;
    case TL_ECHO:
        rc = await tl_echo(j->s, &j->got);
        break;
    case TL_HANDSHAKE:
        rc = await strio_tls_handshake(j->tls);
        if (rc < 0)             /* errors are sticky */
            j->rc2 = await strio_send_all(&j->tls->base, "x", 1);
        break;
    case TL_READ_ALL:
        rc = await tl_read(j->s, j->buf, j->want, &j->got);
        break;
    case TL_UNWRAP:
        rc = await strio_tls_handshake(j->tls);
        if (rc == 0)
            rc = await strio_tls_unwrap(j->tls, &j->unwrapped);
        return rc;
    case TL_SERVE_LINE:
        for (int i = 0; i < 10000 && rc == 0; i++) {
            long n = await strio_receive_some(j->s, j->buf + j->got,
                                              j->want - (size_t)j->got);
            if (n <= 0) {
                rc = n == 0 ? -EPIPE : n;
                break;
            }
            j->got += n;
            if (memchr(j->buf, '\n', (size_t)j->got) != NULL)
                break;
            if ((size_t)j->got == j->want)
                rc = -EMSGSIZE;
        }
        if (rc == 0)
            rc = await strio_send_all(j->s, j->data, j->len);
        break;
    default:
        rc = -EINVAL;
    }
    return rc;
}

async int tl_side(struct tl_job *j)
{
    long rc;
    if (j->target != NULL && !j->target_close) {
        strio_cancel_scope sc;
        strio_scope_enter(STRIO_SELF, &sc);
        *j->target = &sc;
        rc = await tl_job_body(j);
        *j->target = NULL;
        rc = strio_scope_exit(&sc, (int)rc);
    } else {
        rc = await tl_job_body(j);
    }
    if (!j->no_close && j->kind != TL_UNWRAP) {
        strio_stream *s = j->kind == TL_HANDSHAKE ? &j->tls->base : j->s;
        int rc2;
        if (j->target != NULL && j->target_close) {
            strio_cancel_scope sc;
            strio_scope_enter(STRIO_SELF, &sc);
            *j->target = &sc;
            rc2 = await strio_stream_close(s);
            *j->target = NULL;
            rc2 = strio_scope_exit(&sc, rc2);
        } else {
            rc2 = await strio_stream_close(s);
        }
        if (rc == 0)
            rc = rc2;
    }
    j->rc = rc;
    return 0;
}

/* Runs jobs[0..n) concurrently in a nursery and waits for all. */
async int tl_run(strio_pool *pool, struct tl_job *jobs, int n)
{
    strio_nursery nu;
    int rc = 0;
    strio_nursery_open(STRIO_SELF, &nu);
    for (int i = 0; i < n && rc == 0; i++) {
        void *f;
        rc = await strio_pool_get(pool, &f);
        if (rc == 0) {
            tl_side_start(f, &jobs[i]);
            rc = strio_nursery_start(&nu, pool, f, tl_side_resume,
                                     &((struct tl_side_frame *)f)->strio_ret);
        }
    }
    return await strio_nursery_close(&nu, rc);
}

/* Connects to 127.0.0.1:port as a socket stream. */
async int tl_connect(strio_socket_stream *st, unsigned port)
{
    strio_socket s;
    strio_sockaddr a;
    int rc = strio_socket_create(&s, AF_INET, SOCK_STREAM, 0);
    if (rc < 0)
        return rc;
    rc = strio_resolve_remote_address(&s, "127.0.0.1", port, &a);
    if (rc == 0)
        rc = await strio_socket_connect(&s, &a);
    if (rc == 0)
        rc = strio_socket_stream_init(st, &s);
    if (rc < 0)
        strio_socket_close(&s);
    return rc;
}

/* Accepts one connection into `st`. */
async int tl_accept(strio_socket_listener *l, strio_socket_stream *st)
{
    return await strio_socket_listener_accept(l, st);
}

async int tl_conformance(strio_conformance *cf, const strio_stream_factory *f)
{
    return await strio_check_two_way_stream(cf, f);
}

/* The plaintext after unwrap: reads `want` bytes from `s`. */
async int tl_read_plain(strio_stream *s, unsigned char *buf, size_t want,
                        long *got)
{
    long rc = await tl_read(s, buf, want, got);
    return (int)rc;
}

async int tl_send_plain(strio_stream *s, const void *data, size_t len)
{
    return await strio_send_all(s, data, len);
}

async int tl_close(strio_stream *s)
{
    return await strio_stream_close(s);
}

/* Our client against a TCP peer on 127.0.0.1:port: connect, TLS, job. */
async int tl_tcp_client(unsigned port, strio_socket_stream *sock,
                        strio_tls_stream *tls,
                        const strio_tls_client_config *cfg,
                        unsigned char *iobuf, size_t iolen, struct tl_job *j)
{
    int rc = await tl_connect(sock, port);
    if (rc < 0)
        return rc;
    rc = strio_tls_client_init(tls, &sock->base, cfg, iobuf, iolen);
    if (rc < 0) {
        await strio_stream_close(&sock->base);
        return rc;
    }
    j->s = &tls->base;
    j->tls = tls;
    return await tl_side(j);
}

/* Our server: accept one connection on `l`, TLS, job. */
async int tl_tcp_server(strio_socket_listener *l, strio_socket_stream *sock,
                        strio_tls_stream *tls,
                        const strio_tls_server_config *cfg,
                        unsigned char *iobuf, size_t iolen, struct tl_job *j)
{
    int rc = await strio_socket_listener_accept(l, sock);
    if (rc < 0)
        return rc;
    rc = strio_tls_server_init(tls, &sock->base, cfg, iobuf, iolen);
    if (rc < 0) {
        await strio_stream_close(&sock->base);
        return rc;
    }
    j->s = &tls->base;
    j->tls = tls;
    return await tl_side(j);
}
