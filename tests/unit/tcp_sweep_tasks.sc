/*
 * Async code for test_tcp_sweep.c: strio_open_tcp_stream and the Happy
 * Eyeballs attempts inside a sweep's target scope.
 */
#include <strio/strio.h>
#include <strio/tcp.h>

struct ts_ctx {
    strio_tcp_connector *c;
    const char *host;           /* strio_open_tcp_stream, or ... */
    int port;
    const strio_addr *addrs;    /* ... strio_tcp_connect_addrs if set */
    size_t naddrs;
    strio_socket_stream out;
    int rc, exit_rc;
};

async int ts_sweep_open(strio_cancel_scope **target, struct ts_ctx *x)
{
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    if (x->addrs != NULL)
        x->rc = await strio_tcp_connect_addrs(x->c, x->addrs, x->naddrs,
                                              &x->out);
    else
        x->rc = await strio_open_tcp_stream(x->c, x->host, x->port, &x->out);
    *target = NULL;
    x->exit_rc = strio_scope_exit(&sc, x->rc);
    return 0;
}
