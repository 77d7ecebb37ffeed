/*
 * Async code for test_serve.c: a TCP server with a handler pool, and
 * clients over loopback (every peer started here).
 */
#include <errno.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/socket_stream.h>
#include <strio/tcp_server.h>
#include <strio/unix_socket.h>

#define SV_MAX_CLIENTS 16

struct sv_ctx {
    strio_tcp_server *srv;
    strio_pool *pool;           /* for the server and the clients */
    const char *host;           /* strio_serve_tcp's host, port */
    unsigned port;
    strio_socket_listener *ls;  /* non-NULL: strio_serve_listeners */
    size_t nls;
    int nclients;
    int family[SV_MAX_CLIENTS]; /* each client's family */
    int fail_client;            /* this client's handler fails (-1: none) */
    int gated;                  /* handlers wait for `release` */
    int close_listener;         /* close ls[0] after the clients: serve stops */
    strio_semaphore release;
    int in_handler, handlers_done;
    int serve_rc;
    int client_rc[SV_MAX_CLIENTS];
    int clients_done;
    strio_event done;
    strio_time timeout;
    const char *unix_path;      /* clients of family AF_UNIX connect here */
};

/* The handler: echoes until EOF; client "fail" makes it fail. */
async int sv_echo(strio_socket_stream *conn, void *arg)
{
    struct sv_ctx *x = arg;
    char buf[64];
    long n;
    int rc = 0;
    x->in_handler++;
    if (x->gated)
        rc = await strio_semaphore_acquire(&x->release);
    while (rc == 0) {
        n = await strio_receive_some(&conn->base, buf, sizeof buf);
        if (n <= 0) {
            rc = (int)n;
            break;
        }
        if (n == 4 && memcmp(buf, "fail", 4) == 0) {
            rc = -EPROTO;
            break;
        }
        rc = await strio_send_all(&conn->base, buf, (size_t)n);
    }
    x->handlers_done++;
    if (rc == 0)
        rc = await strio_stream_close(&conn->base);
    return rc;     /* on error the server closes the socket */
}

async int sv_serve_child(struct sv_ctx *x)
{
    if (x->ls != NULL)
        x->serve_rc = await strio_serve_listeners(x->srv, x->ls, x->nls);
    else
        x->serve_rc = await strio_serve_tcp(x->srv, x->host, x->port);
    return 0;
}

static unsigned sv_port(struct sv_ctx *x)
{
    strio_sockaddr a;
    strio_socket_listener *l = x->ls != NULL ? x->ls : x->srv->listeners;
    if (strio_socket_getsockname(&l->sock, &a) < 0)
        return 0;
    return (unsigned)strio_sockaddr_port(&a);
}

/* Connects to the loopback of its family, sends its message, half-closes,
 * checks the echo. */
async int sv_client(struct sv_ctx *x, int i)
{
    strio_socket s;
    strio_sockaddr a;
    char msg[16], got[32];
    size_t len, have = 0;
    long n = 0;
    int rc;
    if (i == x->fail_client)
        strcpy(msg, "fail");
    else
        msg[0] = (char)('a' + i), msg[1] = '!', msg[2] = 0;
    len = strlen(msg);
    rc = strio_socket_create(&s, x->family[i], SOCK_STREAM, 0);
    if (rc == 0 && x->family[i] == AF_UNIX)
        rc = strio_unix_address(x->unix_path, &a);
    else if (rc == 0)
        rc = strio_resolve_remote_address(&s, NULL, sv_port(x), &a);
    if (rc == 0)
        rc = await strio_socket_connect(&s, &a);
    if (rc == 0)
        rc = await strio_socket_sendall(&s, msg, len, 0);
    if (rc == 0)
        rc = strio_socket_shutdown(&s, SHUT_WR);
    while (rc == 0 && have < sizeof got) {
        n = await strio_socket_recv(&s, got + have, sizeof got - have, 0);
        if (n <= 0)
            break;
        have += (size_t)n;
    }
    if (rc == 0 && n < 0)
        rc = (int)n;
    if (rc == 0 && i != x->fail_client &&
        (have != len || memcmp(got, msg, len) != 0))
        rc = -EIO;
    if (rc == 0 && i == x->fail_client && have != 0)
        rc = -EIO;
    strio_socket_close(&s);
    x->client_rc[i] = rc;
    if (++x->clients_done == x->nclients)
        strio_event_set(&x->done);
    return 0;
}

/* Server and clients in one nursery; with `gated`, the body checks the
 * backpressure step by step (see test_serve.c) through `probe`. */
typedef int (*sv_probe_fn)(struct sv_ctx *x, int step);

async int sv_main(struct sv_ctx *x, sv_probe_fn probe)
{
    strio_nursery n;
    strio_cancel_scope sc;
    struct sv_serve_child_frame *s;
    int rc = 0;
    strio_scope_enter(STRIO_SELF, &sc);
    strio_scope_set_deadline(&sc, strio_task_now(STRIO_SELF) + x->timeout);
    strio_event_init(&x->done);
    strio_nursery_open(STRIO_SELF, &n);
    s = strio_pool_try_get(x->pool);
    sv_serve_child_start(s, x);
    strio_nursery_start(&n, x->pool, s, sv_serve_child_resume, &s->strio_ret);
    rc = await strio_event_wait(&x->srv->started);
    for (int i = 0; i < x->nclients && rc == 0; i++) {
        struct sv_client_frame *c = strio_pool_try_get(x->pool);
        if (c == NULL) {
            rc = -ENOMEM;
            break;
        }
        sv_client_start(c, x, i);
        strio_nursery_start(&n, x->pool, c, sv_client_resume, &c->strio_ret);
    }
    /* gated: let the probe check each stage, releasing handlers */
    for (int step = 0; rc == 0 && probe != NULL; step++) {
        int more = probe(x, step);
        if (more < 0)
            rc = more;
        if (more <= 0)
            break;
        rc = await strio_sleep(STRIO_MS(1));
    }
    if (rc == 0)
        rc = await strio_event_wait(&x->done);
    if (rc == 0 && x->close_listener) {
        strio_socket_listener_close(&x->ls[0]);
        /* serve stops by itself with STRIO_ECLOSED */
    } else {
        strio_nursery_cancel(&n);
    }
    rc = await strio_nursery_close(&n, rc);
    return strio_scope_exit(&sc, rc);
}

/* For the sweep: one client against a server on `ls`, the whole thing
 * inside the target scope. */
struct sv_sweep {
    struct sv_ctx x;
    int rc, exit_rc;
};

async int sv_sweep_main(strio_cancel_scope **target, struct sv_sweep *w)
{
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    w->rc = await sv_main(&w->x, NULL);
    *target = NULL;
    w->exit_rc = strio_scope_exit(&sc, w->rc);
    return 0;
}

/* strio_open_tcp_listeners inside a scope (optionally cancelled first). */
async int sv_open(strio_resolver *r, strio_workers *w, const char *host,
                  unsigned port, strio_socket_listener *out, size_t max,
                  size_t *count, int cancel_first)
{
    strio_cancel_scope sc;
    int rc;
    strio_scope_enter(STRIO_SELF, &sc);
    if (cancel_first)
        strio_scope_cancel(&sc);
    rc = await strio_open_tcp_listeners(r, w, host, port, out, max, count);
    strio_scope_exit(&sc, rc);
    return rc;
}
