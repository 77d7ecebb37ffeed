/*
 * Async code for test_http_interop.c: the strio HTTP client against real
 * peers on loopback (Python's http.server, nginx, and tinyproxy for
 * CONNECT).
 */
#include <errno.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/http_conn.h>
#include <strio/socket_stream.h>
#include <strio/tcp.h>

struct hi_ctx {
    int port;               /* the HTTP server */
    int proxy_port;         /* > 0: go through this CONNECT proxy */
    const char *method, *target;
    strio_tcp_connector tcp;
    strio_socket_stream st;
    STRIO_HTTP_CONN_MEM(mem, 2048, 1024, 4096, 32, 1024);
    strio_http_conn proxy, c;
    /* results */
    int connect_rc;
    size_t pending;         /* bytes the proxy sent past its 200 */
    int status, version;
    unsigned flags;
    char server[64];
    char body[1 << 19];
    size_t blen;
    int rc;
    /* hi_seq: several requests on one connection (keep-alive) */
    int nreq;
    const char *methods[8], *targets[8];
    int statuses[8];
    unsigned flags_of[8];
    char length_of[8][24];      /* the Content-Length field, if any */
    size_t body_at[8], body_len[8];     /* where each body is in `body` */
    char conn_id[8][16];        /* nginx's $connection, $connection_requests */
    char conn_req[8][16];
    int done;                   /* responses read completely */
};

static void hi_copy_field(strio_http_conn *c, const char *name, char *to,
                          size_t cap)
{
    size_t k;
    const char *v = strio_http_conn_field(c, name, &k);
    if (v == NULL)
        return;
    if (k >= cap)
        k = cap - 1;
    memcpy(to, v, k);
    to[k] = 0;
}

/* One request and its whole response. */
async int hi_exchange(struct hi_ctx *x, strio_stream *s)
{
    long n;
    size_t k;
    const char *v;
    int rc;
    strio_http_conn_init(&x->c, STRIO_HTTP_RESPONSE, s, &x->mem.mem);
    rc = await strio_http_send_request(&x->c, x->method, x->target,
                                       "127.0.0.1", "User-Agent: strio-test\r\n",
                                       NULL, 0);
    if (rc < 0)
        return rc;
    rc = await strio_http_read_head(&x->c);
    if (rc <= 0)
        return rc < 0 ? rc : STRIO_EBROKEN;
    x->status = x->c.status;
    x->version = x->c.version;
    x->flags = x->c.flags;
    v = strio_http_conn_field(&x->c, "server", &k);
    if (v != NULL) {
        if (k >= sizeof x->server)
            k = sizeof x->server - 1;
        memcpy(x->server, v, k);
    }
    for (;;) {
        if (x->blen == sizeof x->body)
            return -EMSGSIZE;
        n = await strio_http_read_body(&x->c, x->body + x->blen,
                                       sizeof x->body - x->blen);
        if (n <= 0)
            break;
        x->blen += (size_t)n;
    }
    return n < 0 ? (int)n : 0;
}

/* x->nreq requests in turn on one connection to 127.0.0.1:x->port, each
 * response read completely before the next request goes out. */
async int hi_seq_run(struct hi_ctx *x)
{
    long n;
    int rc, i;
    strio_http_conn_init(&x->c, STRIO_HTTP_RESPONSE, &x->st.base,
                         &x->mem.mem);
    for (i = 0; i < x->nreq; i++) {
        rc = await strio_http_send_request(&x->c, x->methods[i],
                                           x->targets[i], "127.0.0.1",
                                           "User-Agent: strio-test\r\n",
                                           NULL, 0);
        if (rc < 0)
            return rc;
        rc = await strio_http_read_head(&x->c);
        if (rc <= 0)
            return rc < 0 ? rc : STRIO_EBROKEN;
        x->statuses[i] = x->c.status;
        x->flags_of[i] = x->c.flags;
        hi_copy_field(&x->c, "content-length", x->length_of[i],
                      sizeof x->length_of[i]);
        hi_copy_field(&x->c, "server", x->server, sizeof x->server);
        hi_copy_field(&x->c, "x-conn", x->conn_id[i], sizeof x->conn_id[i]);
        hi_copy_field(&x->c, "x-conn-requests", x->conn_req[i],
                      sizeof x->conn_req[i]);
        x->body_at[i] = x->blen;
        for (;;) {
            if (x->blen == sizeof x->body)
                return -EMSGSIZE;
            n = await strio_http_read_body(&x->c, x->body + x->blen,
                                           sizeof x->body - x->blen);
            if (n <= 0)
                break;
            x->blen += (size_t)n;
        }
        if (n < 0)
            return (int)n;
        x->body_len[i] = x->blen - x->body_at[i];
        x->done = i + 1;
    }
    return 0;
}

async int hi_seq(struct hi_ctx *x)
{
    strio_cancel_scope safety;
    int rc;
    STRIO_HTTP_CONN_MEM_SETUP(x->mem);
    strio_tcp_connector_init(&x->tcp, NULL);
    strio_move_on_after(STRIO_SELF, &safety, STRIO_SEC(4));
    rc = await strio_open_tcp_stream(&x->tcp, "127.0.0.1", x->port, &x->st);
    if (rc == 0) {
        rc = await hi_seq_run(x);
        await strio_stream_close(&x->st.base);
    }
    x->rc = strio_scope_exit(&safety, rc);
    if (safety.cancelled_caught)
        x->rc = STRIO_ETIMEDOUT;
    return 0;
}

async int hi_run(struct hi_ctx *x)
{
    strio_cancel_scope safety;
    int rc;
    STRIO_HTTP_CONN_MEM_SETUP(x->mem);
    strio_tcp_connector_init(&x->tcp, NULL);
    strio_move_on_after(STRIO_SELF, &safety, STRIO_SEC(4));
    rc = await strio_open_tcp_stream(&x->tcp, "127.0.0.1",
                                     x->proxy_port > 0 ? x->proxy_port
                                                       : x->port,
                                     &x->st);
    if (rc == 0) {
        if (x->proxy_port > 0) {
            char authority[32];
            int i = 0, p = x->port, d = 10000;
            memcpy(authority, "127.0.0.1:", 10);
            i = 10;
            while (d > p && d > 1)
                d /= 10;
            for (; d > 0; d /= 10)
                authority[i++] = (char)('0' + p / d % 10);
            authority[i] = 0;
            strio_http_conn_init(&x->proxy, STRIO_HTTP_RESPONSE, &x->st.base,
                                 &x->mem.mem);
            x->connect_rc = await strio_http_connect(&x->proxy, authority,
                                                     NULL);
            rc = x->connect_rc > 0 ? -EPROTO : x->connect_rc;
            if (rc == 0) {
                const char *early;
                x->pending = strio_http_conn_pending(&x->proxy, &early);
            }
        }
        if (rc == 0)
            rc = await hi_exchange(x, &x->st.base);
        await strio_stream_close(&x->st.base);
    }
    x->rc = strio_scope_exit(&safety, rc);
    if (safety.cancelled_caught)
        x->rc = STRIO_ETIMEDOUT;
    return 0;
}
