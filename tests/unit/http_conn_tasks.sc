/*
 * Async code for test_http_conn.c: strio/http_conn.h's server and client
 * talking over an in-memory stream pair, each end behind a seeded
 * fault-injection stream (short reads, split sends, delays on the virtual
 * clock). Both sides write what they saw into transcripts.
 */
#include <stdio.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/http_conn.h>

enum { HC_BASIC, HC_PIPELINE, HC_BAD, HC_CONNECT, HC_CONNECT_DENIED,
       HC_CONTINUE, HC_CONTINUE_SKIPPED };

struct hc_ctx {
    int scenario;
    strio_fault_config cfg;
    strio_memory_stream_pair pair;
    char ab[8192], ba[8192];     /* the echo is full duplex: room for it all */
    strio_fault_stream fc, fs;       /* client end, server end */
    STRIO_HTTP_CONN_MEM(cmem, 512, 128, 1024, 16, 512);
    STRIO_HTTP_CONN_MEM(smem, 512, 128, 1024, 16, 512);
    strio_http_conn client, server;
    char upload[3000];
    int server_rc, client_rc;
    char slog[2048], clog[8192];
    size_t slen, clen;
};

static void hc_log(char *log, size_t *len, size_t cap, const char *s,
                   size_t n)
{
    if (n > cap - 1 - *len)
        n = cap - 1 - *len;
    memcpy(log + *len, s, n);
    *len += n;
    log[*len] = 0;
}
#define SLOG(x, s, n) hc_log((x)->slog, &(x)->slen, sizeof (x)->slog, s, n)
#define CLOG(x, s, n) hc_log((x)->clog, &(x)->clen, sizeof (x)->clog, s, n)

static void hc_logf(struct hc_ctx *x, int server, const char *fmt, int v)
{
    char tmp[64];
    int n = snprintf(tmp, sizeof tmp, fmt, v);
    if (server)
        SLOG(x, tmp, (size_t)n);
    else
        CLOG(x, tmp, (size_t)n);
}

/* ---- the server --------------------------------------------------------- */

static int hc_is(strio_http_span s, const char *lit)
{
    return s.len == strlen(lit) && memcmp(s.ptr, lit, s.len) == 0;
}

/* The request body streamed back, chunked. */
async int hc_echo(struct hc_ctx *x)
{
    char buf[100];
    long n;
    int rc = await strio_http_respond_begin(&x->server, 200, NULL, -1);
    if (rc < 0)
        return rc;
    for (;;) {
        n = await strio_http_read_body(&x->server, buf, sizeof buf);
        if (n <= 0)
            break;
        rc = await strio_http_respond_write(&x->server, buf, (size_t)n);
        if (rc < 0)
            return rc;
    }
    if (n < 0)
        return (int)n;
    return await strio_http_respond_end(&x->server);
}

/* A CONNECT proxy that echoes the tunnel's bytes (or refuses with 407). */
async int hc_tunnel(struct hc_ctx *x)
{
    char buf[64];
    const char *early;
    size_t k;
    long n;
    int rc;
    if (x->scenario == HC_CONNECT_DENIED)
        return await strio_http_respond(&x->server, 407,
            "Proxy-Authenticate: Basic\r\n", "auth", 4);
    rc = await strio_http_respond(&x->server, 200, NULL, NULL, 0);
    if (rc < 0)
        return rc;
    k = strio_http_conn_pending(&x->server, &early);
    if (k > 0)
        rc = await strio_send_all(&x->fs.base, early, k);
    while (rc == 0) {
        n = await strio_receive_some(&x->fs.base, buf, sizeof buf);
        if (n <= 0) {
            rc = (int)n;
            break;
        }
        rc = await strio_send_all(&x->fs.base, buf, (size_t)n);
    }
    return rc;
}

async int hc_server(struct hc_ctx *x)
{
    strio_http_conn *c = &x->server;
    int rc;
    strio_http_conn_init(c, STRIO_HTTP_REQUEST, &x->fs.base, &x->smem.mem);
    for (;;) {
        rc = await strio_http_read_head(c);
        if (rc <= 0)
            break;
        SLOG(x, c->method.ptr, c->method.len);
        SLOG(x, " ", 1);
        SLOG(x, c->target.ptr, c->target.len);
        hc_logf(x, 1, " %d|", c->version);
        if (hc_is(c->method, "CONNECT"))
            rc = await hc_tunnel(x);
        else if (hc_is(c->target, "/echo"))
            rc = await hc_echo(x);
        else if (hc_is(c->target, "/hello"))
            rc = await strio_http_respond(c, 200, "X-A: 1\r\n", "hello", 5);
        else
            rc = await strio_http_respond(c, 404, NULL, "no", 2);
        if (rc < 0)
            break;
    }
    hc_logf(x, 1, "end %d", rc);
    x->server_rc = rc;
    await strio_stream_close(&x->fs.base);
    return 0;
}

/* ---- the client --------------------------------------------------------- */

/* Reads one response into the client log: "status [body]|". */
async int hc_response(struct hc_ctx *x)
{
    char buf[64];
    long n;
    int rc = await strio_http_read_head(&x->client);
    if (rc <= 0) {
        hc_logf(x, 0, "head %d|", rc);
        return rc;
    }
    hc_logf(x, 0, "%d ", x->client.status);
    if (x->client.flags & STRIO_HTTP_CHUNKED)
        CLOG(x, "chunked ", 8);
    CLOG(x, "[", 1);
    for (;;) {
        n = await strio_http_read_body(&x->client, buf, sizeof buf);
        if (n <= 0)
            break;
        CLOG(x, buf, (size_t)n);
    }
    CLOG(x, "]|", 2);
    return n < 0 ? (int)n : 1;
}

async int hc_client(struct hc_ctx *x)
{
    strio_http_conn *c = &x->client;
    strio_stream *s = &x->fc.base;
    char buf[64];
    long n;
    int rc = 0;
    strio_http_conn_init(c, STRIO_HTTP_RESPONSE, s, &x->cmem.mem);
    switch (x->scenario) {
    case HC_BASIC:
        rc = await strio_http_send_request(c, "GET", "/hello", "h", NULL,
                                           NULL, 0);
        if (rc == 0)
            rc = await hc_response(x);
        if (rc > 0)
            rc = await strio_http_send_request(c, "POST", "/echo", "h", NULL,
                                               x->upload, sizeof x->upload);
        if (rc >= 0)
            rc = await hc_response(x);
        if (rc > 0)
            rc = await strio_http_send_request(c, "HEAD", "/hello", "h", NULL,
                                               NULL, 0);
        if (rc >= 0)
            rc = await hc_response(x);
        if (rc > 0)
            rc = await strio_http_send_request(c, "GET", "/nope", "h",
                                               "Connection: close\r\n", NULL, 0);
        if (rc >= 0)
            rc = await hc_response(x);
        if (rc > 0)
            rc = await hc_response(x);  /* the connection is done: 0 */
        break;
    case HC_PIPELINE: {
        static const char three[] =
            "GET /hello HTTP/1.1\r\nHost: h\r\n\r\n"
            "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            "3\r\nabc\r\n4;x=y\r\ndefg\r\n0\r\nT: 1\r\n\r\n"
            "GET /hello HTTP/1.0\r\n\r\n";
        rc = await strio_send_all(s, three, sizeof three - 1);
        while (rc >= 0) {
            rc = await hc_response(x);
            if (rc == 0)
                break;
        }
        break;
    }
    case HC_BAD: {
        static const char bad[] =
            "GET /hello HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n"
            "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
        rc = await strio_send_all(s, bad, sizeof bad - 1);
        if (rc == 0)
            rc = await hc_response(x);
        if (rc > 0)
            rc = await hc_response(x);
        break;
    }
    case HC_CONTINUE: {
        static const char req[] =
            "PUT /echo HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
            "Content-Length: 4\r\n\r\n";
        rc = await strio_send_all(s, req, sizeof req - 1);
        if (rc == 0)
            rc = await hc_response(x);     /* 100 Continue */
        if (rc > 0)
            rc = await strio_send_all(s, "body", 4);
        if (rc == 0)
            rc = await hc_response(x);
        break;
    }
    case HC_CONTINUE_SKIPPED: {
        /* the server answers without the body: it must close after */
        static const char req[] =
            "POST /hello HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
            "Content-Length: 4\r\n\r\n";
        rc = await strio_send_all(s, req, sizeof req - 1);
        if (rc == 0)
            rc = await hc_response(x);
        if (rc > 0)
            rc = await hc_response(x);
        break;
    }
    case HC_CONNECT:
    case HC_CONNECT_DENIED:
        rc = await strio_http_connect(c, "example.test:443", NULL);
        hc_logf(x, 0, "connect %d|", rc);
        if (rc != 0)
            break;
        rc = await strio_send_all(s, "ping", 4);
        while (rc == 0 && x->clen < sizeof x->clog - 8) {
            n = await strio_receive_some(s, buf, sizeof buf);
            if (n <= 0) {
                rc = (int)n;
                break;
            }
            CLOG(x, buf, (size_t)n);
            if (memcmp(x->clog + x->clen - 4, "ping", 4) == 0)
                break;
        }
        break;
    }
    x->client_rc = rc < 0 ? rc : 0;
    await strio_stream_close(s);
    return 0;
}

/* ---- the root ----------------------------------------------------------- */

static STRIO_POOL(hc_pool, struct hc_server_frame, 1);

/* Runs the client against the server; `target` is published for the
 * cancellation sweep (may be NULL). */
async int hc_run(struct hc_ctx *x, strio_cancel_scope **target)
{
    strio_cancel_scope sc;
    strio_nursery n;
    struct hc_server_frame *f;
    int rc;
    STRIO_POOL_SETUP(hc_pool);
    STRIO_HTTP_CONN_MEM_SETUP(x->cmem);
    STRIO_HTTP_CONN_MEM_SETUP(x->smem);
    strio_memory_stream_pair_init(&x->pair, x->ab, sizeof x->ab, x->ba,
                                  sizeof x->ba);
    strio_fault_stream_init(&x->fc, &x->pair.a.base, &x->cfg);
    x->cfg.seed ^= 0x5eed;
    strio_fault_stream_init(&x->fs, &x->pair.b.base, &x->cfg);
    for (size_t i = 0; i < sizeof x->upload; i++)
        x->upload[i] = (char)('a' + i % 26);
    strio_scope_enter(STRIO_SELF, &sc);
    if (target)
        *target = &sc;
    strio_nursery_open(STRIO_SELF, &n);
    f = strio_pool_try_get(&hc_pool.pool);
    hc_server_start(f, x);
    rc = strio_nursery_start(&n, &hc_pool.pool, f, hc_server_resume,
                             &f->strio_ret);
    if (rc == 0)
        rc = await hc_client(x);
    rc = await strio_nursery_close(&n, rc);
    if (target)
        *target = NULL;
    return strio_scope_exit(&sc, rc);
}

unsigned hc_pool_used(void)
{
    return hc_pool.pool.used;
}
