/*
 * Async code for test_socket.c: low-level sockets, socket streams and
 * listeners over loopback. Children of a nursery run "jobs" (sk_child),
 * each inside its own cancel scope, with an optional delay and timeout;
 * the roots below are one per scenario.
 */
#include <errno.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/conformance.h>
#include <strio/posix.h>
#include <strio/socket.h>
#include <strio/socket_stream.h>
#include <netinet/tcp.h>

enum {
    SK_JOB_ECHO = 1,        /* accept one connection on l into st, echo
                               until EOF, send EOF back, close */
    SK_JOB_ACCEPT,          /* listener accept into st */
    SK_JOB_RESET,           /* accept into st, then close with SO_LINGER 0
                               (the peer gets a reset) */
    SK_JOB_RECEIVE,         /* one receive_some(st, buf, len) */
    SK_JOB_READ_ALL,        /* receive_some(st) until EOF or error; bytes
                               into buf (up to len), count in `count` */
    SK_JOB_SOCK_RECV,       /* one low-level recv(sock, buf, len) */
    SK_JOB_SOCK_READ_ALL,   /* low-level recv until EOF or error */
    SK_JOB_SOCK_SEND,       /* low-level sendall(sock, cbuf, len) */
    SK_JOB_SOCK_CLOSE,      /* strio_socket_close(sock) */
    SK_JOB_LISTENER_CLOSE,  /* strio_socket_listener_close(l) */
    SK_JOB_STREAM_CLOSE,    /* strio_stream_close(st) */
    SK_JOB_CONNECT          /* connect sock to *addr */
};

struct sk_job {
    int kind;
    strio_socket_listener *l;
    strio_socket_stream *st;
    strio_socket *sock;
    const strio_sockaddr *addr;
    unsigned char *buf;
    const unsigned char *cbuf;
    size_t len;
    long count;             /* bytes moved */
    strio_time delay;       /* sleep first */
    strio_time timeout;     /* > 0: move on after this */
    strio_cancel_scope sc;  /* around the job (published while it runs) */
    int entered;
    int started, done;
    long result;
    int caught;             /* the job's scope caught a cancellation */
    int nodelay;            /* SK_JOB_ECHO: TCP_NODELAY of the accepted */
    unsigned long switches; /* suspensions of the task during the job */
};

/* ---- building blocks -------------------------------------------------------- */

/* Connects a new TCP socket to host:port (numeric) and makes it a stream. */
async int sk_connect_stream(strio_socket_stream *st, int family,
                            const char *host, unsigned port)
{
    strio_socket s;
    strio_sockaddr a;
    int rc = strio_socket_create(&s, family, SOCK_STREAM, 0);
    if (rc < 0)
        return rc;
    rc = strio_resolve_remote_address(&s, host, port, &a);
    if (rc == 0)
        rc = await strio_socket_connect(&s, &a);
    if (rc == 0)
        rc = strio_socket_stream_init(st, &s);
    if (rc < 0)
        strio_socket_close(&s);
    return rc;
}

/* Reads until EOF (0) or an error; returns that 0 or error, the bytes in
 * buf (up to len; the rest counted and dropped) and *count. */
async long sk_read_all(strio_stream *s, unsigned char *buf, size_t len,
                       long *count)
{
    unsigned char tmp[256];
    for (int i = 0; i < 1000000; i++) {
        size_t room = (size_t)*count < len ? len - (size_t)*count : 0;
        unsigned char *dst = room > 0 ? buf + *count : tmp;
        size_t max = room > 0 ? room : sizeof tmp;
        long n = await strio_receive_some(s, dst, max);
        if (n <= 0)
            return n;
        *count += n;
    }
    return -E2BIG;
}

async long sk_sock_read_all(strio_socket *s, unsigned char *buf, size_t len,
                            long *count)
{
    unsigned char tmp[256];
    for (int i = 0; i < 1000000; i++) {
        size_t room = (size_t)*count < len ? len - (size_t)*count : 0;
        unsigned char *dst = room > 0 ? buf + *count : tmp;
        size_t max = room > 0 ? room : sizeof tmp;
        long n = await strio_socket_recv(s, dst, max, 0);
        if (n <= 0)
            return n;
        *count += n;
    }
    return -E2BIG;
}

async int sk_echo_once(strio_socket_listener *l, strio_socket_stream *st,
                       long *echoed, int *nodelay)
{
    unsigned char buf[512];
    long n;
    int rc = await strio_socket_listener_accept(l, st);
    if (rc < 0)
        return rc;
    strio_socket_getsockopt_int(&st->sock, IPPROTO_TCP, TCP_NODELAY, nodelay);
    for (int i = 0; i < 100000; i++) {
        n = await strio_receive_some(&st->base, buf, sizeof buf);
        if (n <= 0) {
            rc = (int)n;
            break;
        }
        *echoed += n;
        rc = await strio_send_all(&st->base, buf, (size_t)n);
        if (rc < 0)
            break;
    }
    if (rc == 0)
        rc = await strio_send_eof(&st->base);
    await strio_stream_close(&st->base);
    return rc;
}

static void sk_linger0(strio_socket *s)
{
    struct linger lg;
    lg.l_onoff = 1;
    lg.l_linger = 0;
    strio_socket_setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
}

async long sk_do_job(struct sk_job *j)
{
    long rc = 0;
    switch (j->kind) {
    case SK_JOB_ECHO:
        rc = await sk_echo_once(j->l, j->st, &j->count, &j->nodelay);
        break;
    case SK_JOB_ACCEPT:
        rc = await strio_socket_listener_accept(j->l, j->st);
        break;
    case SK_JOB_RESET:
        rc = await strio_socket_listener_accept(j->l, j->st);
        if (rc == 0) {
            sk_linger0(&j->st->sock);
            rc = await strio_stream_close(&j->st->base);
        }
        break;
    case SK_JOB_RECEIVE:
        rc = await strio_receive_some(&j->st->base, j->buf, j->len);
        break;
    case SK_JOB_READ_ALL:
        rc = await sk_read_all(&j->st->base, j->buf, j->len, &j->count);
        break;
    case SK_JOB_SOCK_RECV:
        rc = await strio_socket_recv(j->sock, j->buf, j->len, 0);
        break;
    case SK_JOB_SOCK_READ_ALL:
        rc = await sk_sock_read_all(j->sock, j->buf, j->len, &j->count);
        break;
    case SK_JOB_SOCK_SEND:
        rc = await strio_socket_sendall(j->sock, j->cbuf, j->len, 0);
        break;
    case SK_JOB_SOCK_CLOSE:
        rc = strio_socket_close(j->sock);
        break;
    case SK_JOB_LISTENER_CLOSE:
        strio_socket_listener_close(j->l);
        break;
    case SK_JOB_STREAM_CLOSE:
        rc = await strio_stream_close(&j->st->base);
        break;
    case SK_JOB_CONNECT:
        rc = await strio_socket_connect(j->sock, j->addr);
        break;
    default:
        rc = -EINVAL;
    }
    return rc;
}

/* One child: its own scope (deadline `timeout`), delay, job. Results are
 * in the job; returns 0 so no job failure cancels the siblings. */
async int sk_child(struct sk_job *j)
{
    long rc = 0;
    strio_scope_enter(STRIO_SELF, &j->sc);
    j->entered = 1;
    j->started = 1;
    if (j->timeout > 0)
        strio_scope_set_deadline(&j->sc,
                                 strio_task_now(STRIO_SELF) + j->timeout);
    if (j->delay > 0)
        rc = await strio_sleep(j->delay);
    unsigned long before = STRIO_SELF->switches;
    if (rc == 0)
        rc = await sk_do_job(j);
    j->switches = STRIO_SELF->switches - before;
    j->result = rc;
    j->entered = 0;
    strio_scope_exit(&j->sc, rc < -10000 ? (int)rc : 0);
    j->caught = j->sc.cancelled_caught;
    j->done = 1;
    return 0;
}

/* Starts job j as a child of n (a slot from pool). */
async int sk_spawn(strio_nursery *n, strio_pool *pool, struct sk_job *j)
{
    struct sk_child_frame *f;
    int rc = await strio_pool_get(pool, (void **)&f);
    if (rc < 0)
        return rc;
    j->started = j->done = 0;
    j->result = 12345;
    sk_child_start(f, j);
    return strio_nursery_start(n, pool, f, sk_child_resume, &f->strio_ret);
}

/* Runs jobs[0..n) concurrently and waits for all. */
async int sk_run_jobs(strio_pool *pool, struct sk_job *jobs, int n)
{
    strio_nursery nu;
    int rc = 0;
    strio_nursery_open(STRIO_SELF, &nu);
    for (int i = 0; i < n && rc == 0; i++)
        rc = await sk_spawn(&nu, pool, &jobs[i]);
    return await strio_nursery_close(&nu, rc);
}

/* ---- echo over TCP ------------------------------------------------------------- */

struct sk_echo_ctx {
    strio_socket_listener *l;
    int family;
    const char *host;
    unsigned port;
    const unsigned char *data;
    size_t len;
    unsigned char *got;
    strio_socket_stream server, client;
    struct sk_job job;
    int connect_rc, send_rc, eof_rc, close_rc;
    long read_rc, got_len;
    int client_nodelay, server_nodelay;
    int client_did_shutdown;
    int send_after_eof_rc, eof_again_rc;
    unsigned long connect_switches;
};

/* The client side: connect, send the data in odd pieces, half-close, read
 * the echo up to EOF, check the things that need a live socket. */
async int sk_echo_client(struct sk_echo_ctx *e)
{
    size_t off = 0, piece = 1;
    unsigned long before = STRIO_SELF->switches;
    e->connect_rc = await sk_connect_stream(&e->client, e->family, e->host,
                                            e->port);
    e->connect_switches = STRIO_SELF->switches - before;
    if (e->connect_rc < 0)
        return e->connect_rc;
    strio_socket_getsockopt_int(&e->client.sock, IPPROTO_TCP, TCP_NODELAY,
                                &e->client_nodelay);
    while (off < e->len) {
        size_t n = e->len - off < piece ? e->len - off : piece;
        e->send_rc = await strio_send_all(&e->client.base, e->data + off, n);
        if (e->send_rc < 0)
            break;
        off += n;
        piece = piece * 3 + 1;
    }
    e->eof_rc = await strio_send_eof(&e->client.base);
    e->client_did_shutdown = e->client.sock.did_shutdown_write;
    e->send_after_eof_rc = await strio_send_all(&e->client.base, "z", 1);
    e->eof_again_rc = await strio_send_eof(&e->client.base);
    e->read_rc = await sk_read_all(&e->client.base, e->got, e->len,
                                   &e->got_len);
    e->close_rc = await strio_stream_close(&e->client.base);
    return 0;
}

async int sk_echo(struct sk_echo_ctx *e, strio_pool *pool)
{
    strio_nursery nu;
    int rc;
    strio_nursery_open(STRIO_SELF, &nu);
    memset(&e->job, 0, sizeof e->job);
    e->job.kind = SK_JOB_ECHO;
    e->job.l = e->l;
    e->job.st = &e->server;
    e->job.timeout = STRIO_SEC(3);
    rc = await sk_spawn(&nu, pool, &e->job);
    if (rc == 0)
        rc = await sk_echo_client(e);
    rc = await strio_nursery_close(&nu, rc);
    e->server_nodelay = e->job.nodelay;
    return rc;
}

/* ---- plain sequences ------------------------------------------------------------ */

/* Connect `s` to `a` and report the result (for refused / cancelled). */
async int sk_connect(strio_socket *s, const strio_sockaddr *a,
                     strio_time timeout, int *caught)
{
    strio_cancel_scope sc;
    int rc;
    strio_move_on_after(STRIO_SELF, &sc, timeout);
    rc = await strio_socket_connect(s, a);
    rc = strio_scope_exit(&sc, rc);
    *caught = sc.cancelled_caught;
    return rc;
}

/* Connect in an already-cancelled scope. */
async int sk_connect_cancelled(strio_socket *s, const strio_sockaddr *a)
{
    strio_cancel_scope sc;
    int rc;
    strio_scope_enter(STRIO_SELF, &sc);
    strio_scope_cancel(&sc);
    rc = await strio_socket_connect(s, a);
    strio_scope_exit(&sc, 0);
    return rc;
}

struct sk_ops {
    strio_socket *a, *b;                /* a socket pair or connection */
    strio_socket_stream *sa, *sb;
    unsigned char buf[64];
    long r[16];                         /* results, in order */
    unsigned long sw[16];               /* suspensions per step */
};

/* Low-level calls on a connected pair a <-> b, step by step. */
async int sk_sock_basics(struct sk_ops *o)
{
    strio_cancel_scope sc;
    unsigned long before;

    /* 0: recv with data already there: succeeds, still suspends once */
    send(o->b->fd, "abc", 3, 0);
    before = STRIO_SELF->switches;
    o->r[0] = await strio_socket_recv(o->a, o->buf, sizeof o->buf, 0);
    o->sw[0] = STRIO_SELF->switches - before;

    /* 1: in a cancelled scope with data there: cancelled, data stays */
    send(o->b->fd, "de", 2, 0);
    strio_scope_enter(STRIO_SELF, &sc);
    strio_scope_cancel(&sc);
    before = STRIO_SELF->switches;
    o->r[1] = await strio_socket_recv(o->a, o->buf, sizeof o->buf, 0);
    o->sw[1] = STRIO_SELF->switches - before;
    /* 2: send in a cancelled scope: nothing sent */
    o->r[2] = await strio_socket_send(o->a, "xyz", 3, 0);
    /* 3: sendall likewise */
    o->r[3] = await strio_socket_sendall(o->a, "xyz", 3, 0);
    strio_scope_exit(&sc, 0);

    /* 4: the data is still there */
    o->r[4] = await strio_socket_recv(o->a, o->buf, sizeof o->buf, 0);
    /* 5: send succeeds at once, suspends once */
    before = STRIO_SELF->switches;
    o->r[5] = await strio_socket_send(o->a, "hello", 5, 0);
    o->sw[5] = STRIO_SELF->switches - before;
    /* 6: recv_into on b */
    o->r[6] = await strio_socket_recv_into(o->b, o->buf, sizeof o->buf, 0);
    o->r[12] = memcmp(o->buf, "hello", 5) == 0;
    /* 7: sendall of 0 bytes: fine, a checkpoint */
    before = STRIO_SELF->switches;
    o->r[7] = await strio_socket_sendall(o->a, "", 0, 0);
    o->sw[7] = STRIO_SELF->switches - before;
    /* 8: a pending recv cancelled by a deadline: nothing received */
    strio_move_on_after(STRIO_SELF, &sc, STRIO_MS(20));
    o->r[8] = await strio_socket_recv(o->a, o->buf, sizeof o->buf, 0);
    o->r[9] = strio_scope_exit(&sc, (int)o->r[8]);
    o->r[10] = sc.cancelled_caught;
    /* 11: bytes sent afterwards arrive */
    send(o->b->fd, "later", 5, 0);
    o->r[11] = await strio_socket_recv(o->a, o->buf, sizeof o->buf, 0);
    return 0;
}

/* Two-direction half-close on streams a <-> b (TCP or socketpair). */
async int sk_half_close(struct sk_ops *o)
{
    o->r[0] = await strio_send_all(&o->sa->base, "x", 1);
    o->r[1] = await strio_send_eof(&o->sa->base);
    o->r[2] = o->sa->sock.did_shutdown_write;
    o->r[3] = await strio_receive_some(&o->sb->base, o->buf, sizeof o->buf);
    o->r[4] = o->buf[0];
    o->r[5] = await strio_receive_some(&o->sb->base, o->buf, sizeof o->buf);
    o->r[6] = await strio_send_all(&o->sa->base, "y", 1);
    o->r[7] = await strio_send_eof(&o->sa->base);
    /* the peer can still send back */
    o->r[8] = await strio_send_all(&o->sb->base, "back", 4);
    o->r[9] = await strio_send_eof(&o->sb->base);
    o->r[10] = await strio_receive_some(&o->sa->base, o->buf, sizeof o->buf);
    o->r[11] = o->buf[0];
    o->r[12] = await strio_receive_some(&o->sa->base, o->buf, sizeof o->buf);
    o->r[13] = await strio_stream_close(&o->sa->base);
    o->r[14] = await strio_stream_close(&o->sb->base);
    o->r[15] = await strio_stream_close(&o->sa->base);
    return 0;
}

/* Peer reset: b was closed with SO_LINGER 0; a sees broken, never EOF. */
async int sk_after_reset(struct sk_ops *o)
{
    o->r[0] = await strio_receive_some(&o->sa->base, o->buf, sizeof o->buf);
    o->r[1] = o->sa->error;
    o->r[2] = await strio_receive_some(&o->sa->base, o->buf, sizeof o->buf);
    o->r[3] = await strio_send_all(&o->sa->base, "x", 1);
    o->r[4] = o->sa->error;
    o->r[5] = await strio_stream_close(&o->sa->base);
    return 0;
}

/* Broken pipe: the peer of a is gone; sends fail (no SIGPIPE). */
async int sk_epipe(struct sk_ops *o)
{
    o->r[0] = await strio_socket_send(o->a, "x", 1, 0);
    o->r[1] = await strio_socket_sendall(o->a, "xyz", 3, 0);
    o->r[2] = await strio_send_all(&o->sa->base, "x", 1);
    o->r[3] = o->sa->error;
    o->r[4] = await strio_send_all(&o->sa->base, "x", 1);
    return 0;
}

/* Receives on a stream in a loop until the given count or EOF. */
async int sk_stream_roundtrip(strio_socket_stream *a, strio_socket_stream *b,
                              const unsigned char *data, size_t len,
                              unsigned char *got, long *count, strio_pool *pool)
{
    strio_nursery nu;
    struct sk_job j;
    int rc;
    strio_nursery_open(STRIO_SELF, &nu);
    memset(&j, 0, sizeof j);
    j.kind = SK_JOB_READ_ALL;
    j.st = b;
    j.buf = got;
    j.len = len;
    rc = await sk_spawn(&nu, pool, &j);
    if (rc == 0)
        rc = await strio_send_all(&a->base, data, len);
    if (rc == 0)
        rc = await strio_send_eof(&a->base);
    rc = await strio_nursery_close(&nu, rc);
    *count = j.count;
    if (rc == 0 && j.result != 0)
        rc = (int)j.result;
    return rc;
}

/* UDP on loopback: sendto/recvfrom, then sendmsg/recvmsg. */
async int sk_udp(struct sk_ops *o, const strio_sockaddr *to_b,
                 strio_sockaddr *from)
{
    struct iovec iov[2];
    struct msghdr msg;
    char x[3], y[4];
    o->r[0] = await strio_socket_sendto(o->a, "ping", 4, 0, to_b);
    o->r[1] = await strio_socket_recvfrom(o->b, o->buf, sizeof o->buf, 0,
                                          from);
    memset(&msg, 0, sizeof msg);
    iov[0].iov_base = "abc";
    iov[0].iov_len = 3;
    iov[1].iov_base = "defg";
    iov[1].iov_len = 4;
    msg.msg_name = (void *)&to_b->u;
    msg.msg_namelen = to_b->len;
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    o->r[2] = await strio_socket_sendmsg(o->a, &msg, 0);
    memset(&msg, 0, sizeof msg);
    iov[0].iov_base = x;
    iov[0].iov_len = sizeof x;
    iov[1].iov_base = y;
    iov[1].iov_len = sizeof y;
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    o->r[3] = await strio_socket_recvmsg(o->b, &msg, 0);
    o->r[4] = memcmp(x, "abc", 3) == 0 && memcmp(y, "defg", 4) == 0;
    /* a pending recvfrom, cancelled: nothing received */
    strio_cancel_scope sc;
    strio_move_on_after(STRIO_SELF, &sc, STRIO_MS(10));
    o->r[5] = await strio_socket_recvfrom(o->b, o->buf, sizeof o->buf, 0,
                                          from);
    strio_scope_exit(&sc, 0);
    return 0;
}

/* n connect/accept/close cycles against listener l (v4 loopback). */
async int sk_cycles(strio_socket_listener *l, unsigned port, int n,
                    int *done)
{
    strio_socket_stream c, s;
    for (int i = 0; i < n; i++) {
        int rc = await sk_connect_stream(&c, AF_INET, "127.0.0.1", port);
        if (rc < 0)
            return rc;
        rc = await strio_socket_listener_accept(l, &s);
        if (rc < 0)
            return rc;
        rc = await strio_stream_close(&c.base);
        if (rc == 0)
            rc = await strio_stream_close(&s.base);
        if (rc < 0)
            return rc;
        *done = i + 1;
    }
    return 0;
}

/* Accept on a listener whose fd limit is reached: the error propagates and
 * the listener stays usable. */
async int sk_accept_once(strio_socket_listener *l, strio_socket_stream *into,
                         strio_time timeout)
{
    strio_cancel_scope sc;
    int rc;
    strio_move_on_after(STRIO_SELF, &sc, timeout);
    rc = await strio_socket_listener_accept(l, into);
    return strio_scope_exit(&sc, rc);
}

/* ---- conformance ----------------------------------------------------------------- */

async int sk_conformance(strio_conformance *cf, const strio_stream_factory *f)
{
    return await strio_check_half_closeable_stream(cf, f);
}

/* ---- cancellation sweep scenarios (see sweep.h) ------------------------------------ */

struct sk_sweep {
    strio_socket a, b;                  /* pair under test */
    strio_socket_listener l;
    strio_sockaddr addr;
    const unsigned char *data;
    size_t len;
    unsigned char *got;
    long count;                         /* bytes the reader got */
    long rc;                            /* the operation's result */
    int exit_rc;
    long left;                          /* bytes left unread afterwards */
    int fd_after;                       /* the socket's fd afterwards */
    struct sk_job job;
};

/* sendall of `len` bytes from a to b, b read by a child until EOF. */
async int sk_sweep_sendall(strio_cancel_scope **target, struct sk_sweep *w,
                           strio_pool *pool)
{
    strio_nursery nu;
    strio_cancel_scope sc;
    int rc;
    strio_nursery_open(STRIO_SELF, &nu);
    memset(&w->job, 0, sizeof w->job);
    w->job.kind = SK_JOB_SOCK_READ_ALL;
    w->job.sock = &w->b;
    w->job.buf = w->got;
    w->job.len = w->len;
    rc = await sk_spawn(&nu, pool, &w->job);
    if (rc == 0) {
        strio_scope_enter(STRIO_SELF, &sc);
        *target = &sc;
        w->rc = await strio_socket_sendall(&w->a, w->data, w->len, 0);
        *target = NULL;
        w->exit_rc = strio_scope_exit(&sc, (int)w->rc);
        strio_socket_shutdown(&w->a, SHUT_WR);
    }
    rc = await strio_nursery_close(&nu, rc);
    w->count = w->job.count;
    return rc;
}

/* recv on a; b sends after a 1 ms delay (from a child). */
async int sk_sweep_recv(strio_cancel_scope **target, struct sk_sweep *w,
                        strio_pool *pool, int delayed)
{
    strio_nursery nu;
    strio_cancel_scope sc;
    int rc = 0;
    strio_nursery_open(STRIO_SELF, &nu);
    memset(&w->job, 0, sizeof w->job);
    w->job.kind = SK_JOB_SOCK_SEND;
    w->job.sock = &w->b;
    w->job.cbuf = w->data;
    w->job.len = w->len;
    w->job.delay = delayed ? STRIO_MS(1) : 0;
    if (delayed)
        rc = await sk_spawn(&nu, pool, &w->job);
    else
        send(w->b.fd, w->data, w->len, 0);
    if (rc == 0) {
        strio_scope_enter(STRIO_SELF, &sc);
        *target = &sc;
        w->rc = await strio_socket_recv(&w->a, w->got, w->len, 0);
        *target = NULL;
        w->exit_rc = strio_scope_exit(&sc, (int)w->rc);
    }
    rc = await strio_nursery_close(&nu, rc);
    /* what is left (the sender has finished) */
    w->left = 0;
    for (int i = 0; i < 100; i++) {
        long n = recv(w->a.fd, w->got, w->len, MSG_DONTWAIT);
        if (n <= 0)
            break;
        w->left += n;
    }
    return rc;
}

/* connect a to the listener. */
async int sk_sweep_connect(strio_cancel_scope **target, struct sk_sweep *w)
{
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    w->rc = await strio_socket_connect(&w->a, &w->addr);
    *target = NULL;
    w->exit_rc = strio_scope_exit(&sc, (int)w->rc);
    w->fd_after = w->a.fd;
    return 0;
}

/* accept on the listener; a child connects after 1 ms. A cancelled accept
 * leaves the connection for the next one (outside the target scope). */
async int sk_sweep_accept(strio_cancel_scope **target, struct sk_sweep *w,
                          strio_socket_stream *into, strio_pool *pool)
{
    strio_nursery nu;
    strio_cancel_scope sc;
    int rc;
    strio_nursery_open(STRIO_SELF, &nu);
    memset(&w->job, 0, sizeof w->job);
    w->job.kind = SK_JOB_CONNECT;
    w->job.sock = &w->a;
    w->job.addr = &w->addr;
    w->job.delay = STRIO_MS(1);
    rc = await sk_spawn(&nu, pool, &w->job);
    if (rc == 0) {
        strio_scope_enter(STRIO_SELF, &sc);
        *target = &sc;
        w->rc = await strio_socket_listener_accept(&w->l, into);
        *target = NULL;
        w->exit_rc = strio_scope_exit(&sc, (int)w->rc);
    }
    rc = await strio_nursery_close(&nu, rc);
    if (rc == 0 && w->rc != 0) {
        /* cancelled: the connection is still there to accept */
        w->left = await sk_accept_once(&w->l, into, STRIO_SEC(1));
    }
    return rc;
}
