/*
 * Async code for test_unix.c: Unix-domain stream sockets.
 */
#include <errno.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/conformance.h>
#include <strio/unix_socket.h>

struct ux_ctx {
    const char *path;
    strio_socket_listener *l;   /* NULL: connect only */
    int cancel_first;
    int open_rc, accept_rc, echo_rc;
    char got[16];
    strio_socket_stream client, server;
};

/* Connect (and with a listener: accept, "ping" one way, "pong" back,
 * half-close both ways), closing everything. */
async int ux_open_echo(struct ux_ctx *x)
{
    strio_cancel_scope sc;
    char buf[16];
    long n;
    int rc;
    strio_scope_enter(STRIO_SELF, &sc);
    if (x->cancel_first)
        strio_scope_cancel(&sc);
    x->open_rc = await strio_open_unix_stream(x->path, &x->client);
    strio_scope_exit(&sc, x->open_rc);
    if (x->open_rc < 0 || x->l == NULL)
        return 0;
    x->accept_rc = rc = await strio_socket_listener_accept(x->l, &x->server);
    if (rc == 0)
        rc = await strio_send_all(&x->client.base, "ping", 4);
    if (rc == 0)
        rc = await strio_send_eof(&x->client.base);
    if (rc == 0) {
        n = await strio_receive_some(&x->server.base, buf, sizeof buf);
        rc = n == 4 && memcmp(buf, "ping", 4) == 0 ? 0 : -EIO;
    }
    if (rc == 0)        /* the client's EOF */
        rc = await strio_receive_some(&x->server.base, buf, sizeof buf) == 0
                 ? 0 : -EIO;
    if (rc == 0)        /* half-closed: the other way still works */
        rc = await strio_send_all(&x->server.base, "pong", 4);
    if (rc == 0)
        rc = await strio_stream_close(&x->server.base);
    if (rc == 0) {
        n = await strio_receive_some(&x->client.base, x->got,
                                     sizeof x->got - 1);
        rc = n == 4 ? 0 : -EIO;
    }
    x->echo_rc = rc;
    await strio_stream_close(&x->client.base);
    if (x->accept_rc == 0)
        await strio_stream_close(&x->server.base);
    return 0;
}

async int ux_conformance(strio_conformance *cf, const strio_stream_factory *f)
{
    return await strio_check_half_closeable_stream(cf, f);
}
