/*
 * The server side of TCP (see strio/tcp_server.h): opening listeners on
 * every address of a host, the accept loops and the handler pool, in the
 * dialect. The synchronous part (binding a set of addresses to one port)
 * is plain C here too.
 *
 * This file's generated header carries the frames strio/tcp_server.h
 * embeds; the private async functions are named strio__* because their
 * frame tags are public there.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/tcp.h>
#include <strio/tcp_server.h>

/* ---- listeners on a set of addresses ----------------------------------- */

static int strio__same_addr(const strio_addr *a, const strio_addr *b)
{
    return a->family == b->family && a->addr.len == b->addr.len &&
           memcmp(&a->addr.u, &b->addr.u, a->addr.len) == 0;
}

static void strio__set_port(strio_addr *a, unsigned port)
{
    if (a->family == AF_INET)
        a->addr.u.in.sin_port = htons((unsigned short)port);
    else
        a->addr.u.in6.sin6_port = htons((unsigned short)port);
}

/* One listener on `a` into `l`: 0, 1 (family not supported: skipped) or
 * -errno. */
static int strio__listen_one(const strio_addr *a, strio_socket_listener *l)
{
    strio_socket s;
    int rc = strio_socket_create(&s, a->family, SOCK_STREAM, a->protocol);
    if (rc == -EAFNOSUPPORT)
        return 1;
    if (rc < 0)
        return rc;
    /* one listener per family: "::" must not take the IPv4 port too */
    if (a->family == AF_INET6)
        rc = strio_socket_setsockopt_int(&s, IPPROTO_IPV6, IPV6_V6ONLY, 1);
    if (rc < 0) {
        strio_socket_close(&s);
        return rc;
    }
    return strio__socket_listener_open(l, &s, &a->addr);
}

int strio_tcp_listen_addrs(const strio_addr *addrs, size_t n,
                           strio_socket_listener *out, size_t max,
                           size_t *count)
{
    strio_addr set[STRIO_TCP_MAX_LISTENERS];
    size_t nset = 0, opened = 0;
    int rc = 0;
    if (count != NULL)
        *count = 0;
    if (n == 0 || out == NULL)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        size_t j;
        if ((addrs[i].family != AF_INET && addrs[i].family != AF_INET6) ||
            (addrs[i].socktype != 0 && addrs[i].socktype != SOCK_STREAM))
            return -EINVAL;
        for (j = 0; j < nset; j++)
            if (strio__same_addr(&set[j], &addrs[i]))
                break;
        if (j < nset)
            continue;
        if (nset == max || nset == STRIO_TCP_MAX_LISTENERS)
            return -ENOSPC;
        set[nset++] = addrs[i];
    }
    for (int attempt = 0; attempt < STRIO_TCP_LISTEN_RETRIES; attempt++) {
        unsigned picked = 0;
        int skipped_err = 0;
        opened = 0;
        rc = 0;
        for (size_t i = 0; i < nset && rc == 0; i++) {
            strio_addr a = set[i];
            int kernel_picks = strio_sockaddr_port(&a.addr) == 0;
            if (kernel_picks && picked != 0)
                strio__set_port(&a, picked);
            rc = strio__listen_one(&a, &out[opened]);
            if (rc == 1) {              /* family not supported */
                skipped_err = -EAFNOSUPPORT;
                rc = 0;
                continue;
            }
            if (rc < 0)
                break;
            if (kernel_picks && picked == 0) {
                strio_sockaddr got;
                rc = strio_socket_getsockname(&out[opened].sock, &got);
                if (rc == 0)
                    picked = (unsigned)strio_sockaddr_port(&got);
            }
            opened++;
        }
        if (rc == 0 && opened == 0)
            rc = skipped_err != 0 ? skipped_err : -EINVAL;
        if (rc == 0) {
            if (count != NULL)
                *count = opened;
            return 0;
        }
        for (size_t i = 0; i < opened; i++)
            strio_socket_listener_close(&out[i]);
        opened = 0;
        /* the port the kernel gave the first one is taken elsewhere: try
         * another one */
        if (!(rc == -EADDRINUSE && picked != 0))
            return rc;
    }
    return rc;
}

/* The wildcard (both families) or a numeric host into out[]: the count,
 * 0 when `host` is a name. */
static size_t strio__numeric_listen_addrs(const char *host, unsigned port,
                                          strio_addr *out)
{
    memset(out, 0, 2 * sizeof out[0]);
    if (host == NULL || host[0] == 0) {
        out[0].family = AF_INET;
        out[0].addr.u.in.sin_family = AF_INET;
        out[0].addr.u.in.sin_addr.s_addr = htonl(INADDR_ANY);
        out[0].addr.len = sizeof out[0].addr.u.in;
        out[1].family = AF_INET6;
        out[1].addr.u.in6.sin6_family = AF_INET6;
        out[1].addr.u.in6.sin6_addr = in6addr_any;
        out[1].addr.len = sizeof out[1].addr.u.in6;
        strio__set_port(&out[0], port);
        strio__set_port(&out[1], port);
        out[0].socktype = out[1].socktype = SOCK_STREAM;
        return 2;
    }
    return strio_tcp_numeric_addrs(host, (int)port, out) == 1 ? 1 : 0;
}

/* File scope: a struct addrinfo local would put an incomplete type (under
 * plain -std=c11) into the public frame. */
static const struct addrinfo strio__listen_hints = {
    .ai_flags = AI_PASSIVE, .ai_family = AF_UNSPEC,
    .ai_socktype = SOCK_STREAM
};

async int strio_open_tcp_listeners(strio_resolver *r, strio_workers *w,
                                   const char *host, unsigned port,
                                   strio_socket_listener *out, size_t max,
                                   size_t *count)
{
    strio_addr addrs[STRIO_TCP_MAX_LISTENERS];
    size_t n;
    int rc;
    if (count != NULL)
        *count = 0;
    if (port > 65535)
        return -EINVAL;
    n = strio__numeric_listen_addrs(host, port, addrs);
    if (n > 0) {
        rc = await strio_checkpoint();      /* cancelled: nothing opened */
        if (rc < 0)
            return rc;
    } else {
        char portstr[8];
        if (r == NULL || w == NULL)
            return -EINVAL;
        snprintf(portstr, sizeof portstr, "%u", port);
        rc = await strio_getaddrinfo(r, w, host, portstr,
                                     &strio__listen_hints, addrs,
                                     STRIO_TCP_MAX_LISTENERS, &n);
        if (rc < 0)
            return rc;
        if (r->total > n)                   /* never silently dropped */
            return -ENOSPC;
        if (n == 0)
            return -ENOENT;
    }
    return strio_tcp_listen_addrs(addrs, n, out, max, count);
}

/* ---- serving ------------------------------------------------------------- */

void strio_tcp_server_init(strio_tcp_server *srv, strio_task *tasks,
                           void *slots, size_t slot_size, unsigned capacity,
                           size_t handler_offset, strio_serve_bind_fn bind,
                           strio_resume_fn resume, void *arg)
{
    memset(srv, 0, sizeof *srv);
    srv->bind = bind;
    srv->resume = resume;
    srv->arg = arg;
    srv->handler_offset = handler_offset;
    strio_pool_init(&srv->pool, tasks, slots, slot_size, capacity);
    STRIO_POOL_SETUP(srv->acceptors);
    strio_resolver_init(&srv->resolver);
    strio_event_init(&srv->started);
    for (size_t i = 0; i < STRIO_TCP_MAX_LISTENERS; i++)
        srv->listeners[i].sock = (strio_socket)STRIO_SOCKET_INIT;
}

unsigned strio_tcp_server_active(const strio_tcp_server *srv)
{
    return srv->pool.used;
}

/* One connection: runs the handler in its slot, then makes sure the
 * socket is closed. Always 0: a handler's failure is counted, and must
 * not cancel the other connections. */
async int strio__serve_conn(strio_tcp_server *srv, strio_serve_slot *slot)
{
    void *handler = (unsigned char *)slot + srv->handler_offset;
    int rc = await strio__serve_call(srv->resume, handler, slot->result);
    strio_socket_close(&slot->conn.sock);
    if (rc < 0 && !(rc == STRIO_ECANCELED && strio_task_cancelled(STRIO_SELF))) {
        srv->handler_errors++;
        srv->last_handler_error = rc;
    }
    return 0;
}

static int strio__accept_retryable(int rc)
{
    return rc == -EMFILE || rc == -ENFILE || rc == -ENOBUFS || rc == -ENOMEM;
}

/* The accept loop of one listener. Returns only with an error
 * (STRIO_ECANCELED when the server stops). */
async int strio__serve_accept(strio_tcp_server *srv, strio_socket_listener *l)
{
    strio_socket_stream conn;
    strio_serve_slot *slot;
    void *frame;
    int rc;
    for (;;) {
        /* Wait until a slot is free, without keeping it: handing it on
         * (FIFO) lets every waiting accept loop see it. */
        rc = await strio_pool_get(&srv->pool, &frame);
        if (rc < 0)
            return rc;
        strio_pool_put(&srv->pool, frame);
        rc = await strio_socket_listener_accept(l, &conn);
        if (strio__accept_retryable(rc)) {
            srv->accept_retries++;
            rc = await strio_sleep(STRIO_SERVE_ACCEPT_BACKOFF);
            if (rc < 0)
                return rc;
            continue;
        }
        if (rc < 0)
            return rc;
        frame = strio_pool_try_get(&srv->pool);
        if (frame == NULL) {
            /* another loop took the last slot meanwhile */
            rc = await strio_pool_get(&srv->pool, &frame);
            if (rc < 0) {
                strio_socket_close(&conn.sock);
                return rc;
            }
        }
        slot = frame;
        rc = strio_socket_stream_init(&slot->conn, &conn.sock);
        if (rc == 0) {
            slot->result = srv->bind((unsigned char *)slot + srv->handler_offset,
                                     &slot->conn, srv->arg);
            strio__serve_conn_start(&slot->run, srv, slot);
            rc = strio_nursery_start(&srv->nursery, &srv->pool, slot,
                                     strio__serve_conn_resume,
                                     &slot->run.strio_ret);
        }
        if (rc < 0) {
            strio_socket_close(&slot->conn.sock);
            strio_socket_close(&conn.sock);
            strio_pool_put(&srv->pool, frame);
            return rc;
        }
        srv->accepted++;
    }
}

async int strio_serve_listeners(strio_tcp_server *srv,
                                strio_socket_listener *ls, size_t n)
{
    int rc = 0;
    if (n == 0 || n > STRIO_TCP_MAX_LISTENERS)
        return -EINVAL;
    if (srv->running)
        return STRIO_EBUSY;
    srv->running = 1;
    /* a second run: nobody waits on an event that is already set */
    if (strio_event_is_set(&srv->started))
        strio_event_init(&srv->started);
    strio_nursery_open(STRIO_SELF, &srv->nursery);
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct strio__serve_accept_frame *f =
            strio_pool_try_get(&srv->acceptors.pool);
        strio__serve_accept_start(f, srv, &ls[i]);
        rc = strio_nursery_start(&srv->nursery, &srv->acceptors.pool, f,
                                 strio__serve_accept_resume, &f->strio_ret);
        if (rc < 0)
            strio_pool_put(&srv->acceptors.pool, f);
    }
    if (rc == 0)
        strio_event_set(&srv->started);
    rc = await strio_nursery_close(&srv->nursery, rc);
    srv->running = 0;
    return rc;
}

async int strio_serve_tcp(strio_tcp_server *srv, const char *host,
                          unsigned port)
{
    int rc;
    if (srv->running)
        return STRIO_EBUSY;
    if (strio_event_is_set(&srv->started))
        strio_event_init(&srv->started);
    srv->nlisteners = 0;
    rc = await strio_open_tcp_listeners(&srv->resolver, srv->workers, host,
                                        port, srv->listeners,
                                        STRIO_TCP_MAX_LISTENERS,
                                        &srv->nlisteners);
    if (rc < 0)
        return rc;
    rc = await strio_serve_listeners(srv, srv->listeners, srv->nlisteners);
    for (size_t i = 0; i < srv->nlisteners; i++)
        strio_socket_listener_close(&srv->listeners[i]);
    return rc;
}
