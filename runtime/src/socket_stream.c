/*
 * Socket streams and listeners, the synchronous part (see
 * strio/socket_stream.h): initialization, the error mapping, the
 * operations table over the generated operations of
 * socket_stream_impl.sc, and opening TCP listeners. Hosted only.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include <strio/socket_stream.h>

/* ---- error mapping --------------------------------------------------------- */

long strio_socket_stream_map_error(strio_socket_stream *st, long rc)
{
    if (rc >= 0 || rc < -4095)          /* counts, and strio's own codes */
        return rc;
    int e = (int)-rc;
    if (e == EBADF || e == ENOTSOCK)
        return STRIO_ECLOSED;
    st->error = e;
    /* out of memory or buffers is no verdict on the connection */
    if (e != ENOMEM && e != ENOBUFS)
        st->broken = 1;
    return STRIO_EBROKEN;
}

/* ---- operations table ------------------------------------------------------ */

static const unsigned char op_send_all = 1, op_wait_send = 2, op_send_eof = 3;

static strio_socket_stream *sockstream(strio_stream *s)
{
    return (strio_socket_stream *)(void *)s;
}

static void ss_send_all(strio_stream *s, const void *data, size_t len)
{
    strio_socket_stream *st = sockstream(s);
    st->send_op = op_send_all;
    strio_socket_stream_do_send_all_start(&st->send_frame.send_all, st, data,
                                          len);
}

static void ss_wait_send(strio_stream *s)
{
    strio_socket_stream *st = sockstream(s);
    st->send_op = op_wait_send;
    strio_socket_stream_do_wait_send_start(&st->send_frame.wait_send, st);
}

static void ss_send_eof(strio_stream *s)
{
    strio_socket_stream *st = sockstream(s);
    st->send_op = op_send_eof;
    strio_socket_stream_do_send_eof_start(&st->send_frame.send_eof, st);
}

static int ss_send_step(strio_stream *s, strio_task *task, long *result)
{
    strio_socket_stream *st = sockstream(s);
    int rc;
    if (st->send_op == op_send_all) {
        rc = strio_socket_stream_do_send_all_resume(&st->send_frame.send_all,
                                                    task);
        if (rc == STRIO_DONE)
            *result = st->send_frame.send_all.strio_ret;
    } else if (st->send_op == op_wait_send) {
        rc = strio_socket_stream_do_wait_send_resume(
            &st->send_frame.wait_send, task);
        if (rc == STRIO_DONE)
            *result = st->send_frame.wait_send.strio_ret;
    } else {
        rc = strio_socket_stream_do_send_eof_resume(&st->send_frame.send_eof,
                                                    task);
        if (rc == STRIO_DONE)
            *result = st->send_frame.send_eof.strio_ret;
    }
    return rc;
}

static void ss_receive_some(strio_stream *s, void *buf, size_t max)
{
    strio_socket_stream *st = sockstream(s);
    strio_socket_stream_do_receive_some_start(&st->receive_frame, st, buf,
                                              max);
}

static int ss_receive_step(strio_stream *s, strio_task *task, long *result)
{
    strio_socket_stream *st = sockstream(s);
    int rc = strio_socket_stream_do_receive_some_resume(&st->receive_frame,
                                                        task);
    if (rc == STRIO_DONE)
        *result = st->receive_frame.strio_ret;
    return rc;
}

static void ss_close(strio_stream *s)
{
    strio_socket_stream *st = sockstream(s);
    strio_socket_stream_do_close_start(&st->close_frame, st);
}

static int ss_close_step(strio_stream *s, strio_task *task, long *result)
{
    strio_socket_stream *st = sockstream(s);
    int rc = strio_socket_stream_do_close_resume(&st->close_frame, task);
    if (rc == STRIO_DONE)
        *result = st->close_frame.strio_ret;
    return rc;
}

static const strio_stream_ops socket_stream_ops = {
    .name = "socket",
    .send_all = ss_send_all,
    .wait_send = ss_wait_send,
    .send_eof = ss_send_eof,
    .send_step = ss_send_step,
    .receive_some = ss_receive_some,
    .receive_step = ss_receive_step,
    .close = ss_close,
    .close_step = ss_close_step,
};

/* ---- streams ------------------------------------------------------------------ */

int strio_socket_stream_init(strio_socket_stream *st, strio_socket *sock)
{
    strio_socket taken = *sock;
    int rc = taken.fd < 0 ? -EBADF
           : taken.type != SOCK_STREAM ? -EINVAL : 0;
    if (rc == 0 && sock != &st->sock) {
        sock->fd = -1;                  /* moved into st */
        sock->waiting[0] = sock->waiting[1] = NULL;
    }
    if (rc < 0) {
        if (sock == &st->sock)          /* nobody else owns it: release */
            strio_socket_close(sock);
        taken = (strio_socket)STRIO_SOCKET_INIT;
    }
    strio_stream_init(&st->base, &socket_stream_ops);
    st->sock = taken;
    st->error = 0;
    st->broken = 0;
    st->send_op = 0;
    st->drained = 0;
    if (rc == 0 && (taken.family == AF_INET || taken.family == AF_INET6))
        (void)strio_socket_setsockopt_int(&st->sock, IPPROTO_TCP, TCP_NODELAY,
                                          1);
    return rc;
}

int strio_socket_stream_pair(strio_socket_stream *a, strio_socket_stream *b)
{
    strio_socket sa, sb;
    int rc = strio_socket_pair(&sa, &sb, AF_UNIX, SOCK_STREAM, 0);
    strio_socket_stream_init(a, &sa);   /* closed ones on error */
    strio_socket_stream_init(b, &sb);
    return rc;
}

/* ---- listeners ------------------------------------------------------------------ */

static strio_socket_listener *socklistener(strio_listener *l)
{
    return (strio_socket_listener *)(void *)l;
}

static void sl_accept(strio_listener *l, void *storage)
{
    strio_socket_listener *sl = socklistener(l);
    sl->accept_into = storage;
    strio_socket_listener_accept_start(&sl->accept_frame, sl,
                                       sl->accept_into);
}

static int sl_accept_step(strio_listener *l, strio_task *task, long *result,
                          strio_stream **stream)
{
    strio_socket_listener *sl = socklistener(l);
    int rc = strio_socket_listener_accept_resume(&sl->accept_frame, task);
    if (rc == STRIO_DONE) {
        *result = sl->accept_frame.strio_ret;
        *stream = *result == 0 ? &sl->accept_into->base : NULL;
    }
    return rc;
}

static void sl_close(strio_listener *l)
{
    strio_socket_listener *sl = socklistener(l);
    strio_socket_listener_aclose_start(&sl->close_frame, sl);
}

static int sl_close_step(strio_listener *l, strio_task *task, long *result)
{
    strio_socket_listener *sl = socklistener(l);
    int rc = strio_socket_listener_aclose_resume(&sl->close_frame, task);
    if (rc == STRIO_DONE)
        *result = sl->close_frame.strio_ret;
    return rc;
}

static const strio_listener_ops socket_listener_ops = {
    .name = "socket",
    .accept = sl_accept,
    .accept_step = sl_accept_step,
    .close = sl_close,
    .close_step = sl_close_step,
};

/* A closed listener with the generic part set up. */
static void listener_reset(strio_socket_listener *l)
{
    strio_listener_init(&l->base, &socket_listener_ops,
                        sizeof(strio_socket_stream));
    l->accept_into = NULL;
    l->sock = (strio_socket)STRIO_SOCKET_INIT;
}

int strio_socket_listener_init(strio_socket_listener *l, strio_socket *sock)
{
    int listening = 0;
    strio_socket taken = *sock;
    listener_reset(l);
    if (taken.fd < 0)
        return -EBADF;
    if (taken.type != SOCK_STREAM ||
        strio_socket_getsockopt_int(&taken, SOL_SOCKET, SO_ACCEPTCONN,
                                    &listening) < 0 || !listening)
        return -EINVAL;
    if (sock != &l->sock) {
        sock->fd = -1;
        sock->waiting[0] = sock->waiting[1] = NULL;
    }
    l->sock = taken;
    return 0;
}

int strio_open_tcp_listener(strio_socket_listener *l, const char *host,
                            unsigned port)
{
    strio_socket s;
    strio_sockaddr addr;
    int family, rc;
    listener_reset(l);
    if (host == NULL || host[0] == '\0')
        family = AF_INET6;              /* dual stack "::" */
    else if (strchr(host, ':') != NULL)
        family = AF_INET6;
    else
        family = AF_INET;
    rc = strio_socket_create(&s, family, SOCK_STREAM, 0);
    if (rc == -EAFNOSUPPORT && family == AF_INET6 &&
        (host == NULL || host[0] == '\0'))
        rc = strio_socket_create(&s, family = AF_INET, SOCK_STREAM, 0);
    if (rc < 0)
        return rc;
    rc = strio_resolve_local_address(&s, host, port, &addr);
    if (rc < 0) {
        strio_socket_close(&s);
        return rc;
    }
    return strio__socket_listener_open(l, &s, &addr);
}

int strio__socket_listener_open(strio_socket_listener *l, strio_socket *s,
                                const strio_sockaddr *addr)
{
    int rc = strio_socket_bind(s, addr);
    if (rc == 0)
        rc = strio_socket_listen(s, 0xFFFF);
    if (rc == 0)
        rc = strio_socket_listener_init(l, s);
    if (rc < 0)
        strio_socket_close(s);
    return rc;
}

void strio_socket_listener_close(strio_socket_listener *l)
{
    strio_socket_close(&l->sock);
}
