/*
 * strio_open_tcp_stream with Happy Eyeballs (see strio/tcp.h): the
 * numeric fast path, the family interleaving, and the attempts as children
 * of a nursery inside the connector.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/tcp.h>

void strio_tcp_connector_init(strio_tcp_connector *c, strio_workers *workers)
{
    memset(c, 0, sizeof *c);
    c->workers = workers;
    c->delay = STRIO_TCP_DEFAULT_DELAY;
    c->winner = -1;
    strio_resolver_init(&c->resolver);
    STRIO_POOL_SETUP(c->pool);
    for (int i = 0; i < STRIO_TCP_MAX_ATTEMPTS; i++) {
        strio_socket closed = STRIO_SOCKET_INIT;
        c->attempt[i].sock = closed;
    }
}

int strio_tcp_numeric_addrs(const char *host, int port, strio_addr *out)
{
    if (port < 0 || port > 65535)
        return -EINVAL;
    memset(out, 0, sizeof *out);
    out->socktype = SOCK_STREAM;
    out->protocol = IPPROTO_TCP;
    if (inet_pton(AF_INET, host, &out->addr.u.in.sin_addr) == 1) {
        out->family = AF_INET;
        out->addr.u.in.sin_family = AF_INET;
        out->addr.u.in.sin_port = htons((unsigned short)port);
        out->addr.len = sizeof out->addr.u.in;
        return 1;
    }
    if (inet_pton(AF_INET6, host, &out->addr.u.in6.sin6_addr) == 1) {
        out->family = AF_INET6;
        out->addr.u.in6.sin6_family = AF_INET6;
        out->addr.u.in6.sin6_port = htons((unsigned short)port);
        out->addr.len = sizeof out->addr.u.in6;
        return 1;
    }
    memset(out, 0, sizeof *out);
    return 0;
}

void strio_tcp_interleave(strio_addr *addrs, size_t n)
{
    /* Stable: repeatedly take the next address of the wanted family if
     * there is one left, else the next of any family. */
    if (n < 2)
        return;
    int want = addrs[0].family;
    for (size_t i = 1; i < n; i++) {
        int other_turn = addrs[i - 1].family == want;
        size_t j = i;
        if (other_turn) {
            while (j < n && addrs[j].family == want)
                j++;
        } else {
            while (j < n && addrs[j].family != want)
                j++;
        }
        if (j == n || j == i)
            continue;
        strio_addr tmp = addrs[j];
        memmove(&addrs[i + 1], &addrs[i], (j - i) * sizeof addrs[0]);
        addrs[i] = tmp;
    }
}

/* One attempt: a child of c->nursery. Always returns 0, so a failure does
 * not cancel the siblings; the result is in c->attempt[i]. */
async int strio_tcp_attempt_run(strio_tcp_connector *c, int i)
{
    strio_tcp_attempt *a = &c->attempt[i];
    strio_time delay = 0;
    int rc;
    a->started = 1;
    rc = strio_socket_create(&a->sock, a->addr.family, SOCK_STREAM,
                             a->addr.protocol);
    if (rc == 0 && c->local_address != NULL) {
        strio_sockaddr local;
#ifdef IP_BIND_ADDRESS_NO_PORT
        /* the port is chosen at connect time, per destination */
        (void)strio_socket_setsockopt_int(&a->sock, IPPROTO_IP,
                                          IP_BIND_ADDRESS_NO_PORT, 1);
#endif
        rc = strio_resolve_local_address(&a->sock, c->local_address, 0,
                                         &local);
        if (rc == 0)
            rc = strio_socket_bind(&a->sock, &local);
    }
    if (rc == 0 && c->connect_hook != NULL) {
        rc = c->connect_hook(c->hook_arg, i, &a->addr, &delay);
        if (delay > 0) {
            int src = await strio_sleep(delay);
            if (src < 0)
                rc = src;
        }
    }
    if (rc == 0)
        rc = await strio_socket_connect(&a->sock, &a->addr.addr);
    if (rc == 0 && c->winner < 0) {
        c->winner = i;
        strio_nursery_cancel(&c->nursery);    /* stop the others */
    } else {
        if (rc == 0)
            rc = STRIO_ECANCELED;   /* connected, but another one won */
        strio_socket_close(&a->sock);
    }
    a->result = rc;
    a->done = 1;
    if (rc < 0)
        strio_event_set(&a->failed);
    return 0;
}

async int strio_tcp_connect_addrs(strio_tcp_connector *c,
                                  const strio_addr *addrs, size_t n,
                                  strio_socket_stream *out)
{
    int rc = 0;
    if (n == 0)
        return -EINVAL;
    if (n > STRIO_TCP_MAX_ATTEMPTS)
        n = STRIO_TCP_MAX_ATTEMPTS;
    c->winner = -1;
    c->nattempts = 0;
    for (size_t i = 0; i < n; i++) {
        strio_tcp_attempt *a = &c->attempt[i];
        strio_socket closed = STRIO_SOCKET_INIT;
        a->addr = addrs[i];
        a->sock = closed;
        a->started = a->done = 0;
        a->result = 0;
        strio_event_init(&a->failed);
    }
    strio_nursery_open(STRIO_SELF, &c->nursery);
    for (size_t i = 0; i < n && c->winner < 0; i++) {
        struct strio_tcp_attempt_run_frame *f =
            strio_pool_try_get(&c->pool.pool);
        if (f == NULL) {                /* cannot happen: one slot each */
            rc = STRIO_EBUSY;
            break;
        }
        strio_tcp_attempt_run_start(f, c, (int)i);
        rc = strio_nursery_start(&c->nursery, &c->pool.pool, f,
                                 strio_tcp_attempt_run_resume, &f->strio_ret);
        if (rc < 0) {
            strio_pool_put(&c->pool.pool, f);
            break;
        }
        c->nattempts = (int)i + 1;
        if (i + 1 < n) {
            /* Wait for the delay, or less if this attempt fails. */
            strio_cancel_scope sc;
            strio_move_on_after(STRIO_SELF, &sc, c->delay);
            rc = await strio_event_wait(&c->attempt[i].failed);
            rc = strio_scope_exit(&sc, rc);
            if (rc < 0)                 /* the nursery (or outside) */
                break;
        }
    }
    if (rc == STRIO_ECANCELED)
        rc = 0;                         /* close reports the cause */
    rc = await strio_nursery_close(&c->nursery, rc);
    if (c->winner >= 0) {
        strio_tcp_attempt *w = &c->attempt[c->winner];
        if (rc == 0)
            rc = strio_socket_stream_init(out, &w->sock);
        if (rc < 0)
            strio_socket_close(&w->sock);
        return rc;
    }
    if (rc < 0)
        return rc;
    for (int i = 0; i < c->nattempts; i++)
        if (c->attempt[i].result < 0 &&
            c->attempt[i].result != STRIO_ECANCELED)
            return c->attempt[i].result;
    return -ECONNREFUSED;   /* not reached: every attempt ran and failed */
}

/* File scope: a struct addrinfo local would put an incomplete type (under
 * plain -std=c11) into the public frame. */
static const struct addrinfo tcp_hints = {
    .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM
};

async int strio_open_tcp_stream(strio_tcp_connector *c, const char *host,
                                int port, strio_socket_stream *out)
{
    size_t n = 0;
    int rc;
    if (host == NULL || host[0] == 0 || port < 0 || port > 65535)
        return -EINVAL;
    rc = strio_tcp_numeric_addrs(host, port, &c->addrs[0]);
    if (rc < 0)
        return rc;
    if (rc == 1) {
        n = 1;
    } else {
        char portstr[8];
        if (c->workers == NULL)
            return -EINVAL;
        snprintf(portstr, sizeof portstr, "%d", port);
        rc = await strio_getaddrinfo(&c->resolver, c->workers, host, portstr,
                                     &tcp_hints, c->addrs, STRIO_TCP_MAX_ATTEMPTS,
                                     &n);
        if (rc < 0)
            return rc;
        if (n == 0)
            return -ENOENT;
        strio_tcp_interleave(c->addrs, n);
    }
    return await strio_tcp_connect_addrs(c, c->addrs, n, out);
}
