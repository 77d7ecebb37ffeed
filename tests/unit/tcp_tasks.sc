/*
 * Async code for test_tcp.c: strio_open_tcp_stream and Happy Eyeballs
 * over loopback only.
 */
#include <errno.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/socket_stream.h>
#include <strio/tcp.h>

struct tc_ctx {
    strio_tcp_connector *c;
    strio_socket_listener *l;   /* NULL: no server side */
    const char *host;
    int port;
    const strio_addr *addrs;    /* non-NULL: strio_tcp_connect_addrs */
    size_t naddrs;
    strio_time timeout;         /* > 0: the caller's scope moves on */
    int open_rc, accept_rc, echo_rc;
    int caught;
    char got[16];
    strio_socket_stream client, server;
    strio_time elapsed;
};

async int tc_open(struct tc_ctx *x)
{
    strio_cancel_scope sc;
    int rc;
    strio_time t0 = strio_task_now(STRIO_SELF);
    strio_scope_enter(STRIO_SELF, &sc);
    if (x->timeout > 0)
        strio_scope_set_deadline(&sc, t0 + x->timeout);
    if (x->addrs != NULL)
        rc = await strio_tcp_connect_addrs(x->c, x->addrs, x->naddrs,
                                           &x->client);
    else
        rc = await strio_open_tcp_stream(x->c, x->host, x->port, &x->client);
    x->open_rc = rc;
    rc = strio_scope_exit(&sc, rc);
    x->caught = sc.cancelled_caught;
    x->elapsed = strio_task_now(STRIO_SELF) - t0;
    return rc;
}

/* Open, then (with a listener) accept, echo "hello" once, close both. */
async int tc_open_echo(struct tc_ctx *x)
{
    char buf[16];
    long n;
    int rc = await tc_open(x);
    if (rc < 0 || x->open_rc < 0 || x->l == NULL)
        return rc;
    x->accept_rc = await strio_socket_listener_accept(x->l, &x->server);
    if (x->accept_rc < 0) {
        await strio_stream_close(&x->client.base);
        return x->accept_rc;
    }
    rc = await strio_send_all(&x->client.base, "hello", 5);
    if (rc == 0) {
        n = await strio_receive_some(&x->server.base, buf, sizeof buf);
        rc = n == 5 ? 0 : -EIO;
        if (rc == 0)
            rc = await strio_send_all(&x->server.base, buf, 5);
    }
    if (rc == 0) {
        n = await strio_receive_some(&x->client.base, x->got,
                                     sizeof x->got - 1);
        rc = n == 5 ? 0 : -EIO;
    }
    x->echo_rc = rc;
    await strio_stream_close(&x->client.base);
    await strio_stream_close(&x->server.base);
    return rc;
}
