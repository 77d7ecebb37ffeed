/*
 * https_get.sc -- fetch a URL over HTTPS and print the body, in the strio
 * dialect; optionally through an HTTPS proxy (CONNECT: TLS inside TLS).
 *
 *     https_get URL [--cacert FILE] [--proxy https://HOST:PORT]
 *               [--proxy-cacert FILE]
 *
 * URL is https://HOST[:PORT][/PATH]. The server's certificate is checked
 * against FILE's certificates (PEM), or the system bundle
 * /etc/ssl/certs/ca-certificates.crt, and against HOST. The request is
 * HTTP/1.0 (so the body is never chunked); the body goes to stdout, the
 * status line to stderr. Exit status: 0 for a 2xx answer, 1 otherwise.
 *
 * With --proxy, the connection goes to the proxy, TLS is set up with the
 * proxy (checked against --proxy-cacert, default the same anchors, and the
 * proxy's host name), a CONNECT request asks it for a tunnel to HOST:PORT,
 * and the TLS session with the origin then runs *inside* the proxy's TLS
 * stream: a strio TLS stream whose transport is another TLS stream.
 *
 * Memory: everything is static; two TLS streams with full-duplex buffers
 * (about 2 x 44 KiB) and the anchors (the system bundle needs ~62 KiB).
 * Reading the CA file is a blocking call at start-up (strio_tls_read_file).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/socket.h>
#include <strio/socket_stream.h>
#include <strio/tcp.h>
#include <strio/tls.h>
#include <strio/tls_creds.h>

struct target {
    char host[256];
    int port;
    char path[1024];
};

struct fetch {
    struct target origin, proxy;
    int use_proxy;
    const strio_tls_client_config *origin_cfg, *proxy_cfg;
    strio_tcp_connector conn;
    strio_socket_stream tcp;
    strio_tls_stream outer, inner;      /* outer: to the proxy, if any */
    unsigned char outer_buf[STRIO_TLS_BUF_BIDI];
    unsigned char inner_buf[STRIO_TLS_BUF_BIDI];
    char head[8192];                    /* response headers */
    int status;
};

/*
 * Reads an HTTP response head (up to the empty line) into f->head; bytes
 * after it are written to stdout if `body` (they are the body's start).
 * Returns the status code, or a negative error (-EPROTO: not HTTP,
 * -EMSGSIZE: a head larger than f->head).
 */
async int read_head(struct fetch *f, strio_stream *s, int body)
{
    size_t used = 0;
    char *end = NULL;
    int code;
    while (end == NULL) {
        long n;
        if (used == sizeof f->head - 1)
            return -EMSGSIZE;
        /* a CONNECT answer is followed by the tunnel's bytes: read it
         * one byte at a time so nothing of the tunnel is consumed */
        n = await strio_receive_some(s, f->head + used,
                                     body ? sizeof f->head - 1 - used : 1);
        if (n < 0)
            return (int)n;
        if (n == 0)
            return -EPROTO;
        used += (size_t)n;
        f->head[used] = '\0';
        end = strstr(f->head, "\r\n\r\n");
    }
    if (sscanf(f->head, "HTTP/%*d.%*d %d", &code) != 1)
        return -EPROTO;
    if (body) {
        size_t start = (size_t)(end + 4 - f->head);
        fwrite(f->head + start, 1, used - start, stdout);
    }
    *strchr(f->head, '\r') = '\0';      /* keep the status line */
    return code;
}

/* CONNECT through the proxy's TLS stream `s`. */
async int tunnel(struct fetch *f, strio_stream *s)
{
    char req[600];
    int len = snprintf(req, sizeof req,
                       "CONNECT %s:%d HTTP/1.1\r\nHost: %s:%d\r\n\r\n",
                       f->origin.host, f->origin.port, f->origin.host,
                       f->origin.port);
    int rc = await strio_send_all(s, req, (size_t)len);
    if (rc < 0)
        return rc;
    rc = await read_head(f, s, 0);
    if (rc < 0)
        return rc;
    if (rc < 200 || rc > 299) {
        fprintf(stderr, "https_get: proxy refused: %s\n", f->head);
        return -ECONNREFUSED;
    }
    return 0;
}

async int fetch(struct fetch *f)
{
    strio_stream *transport;
    char req[1500];
    long n;
    int rc, len;
    const struct target *first = f->use_proxy ? &f->proxy : &f->origin;

    rc = await strio_open_tcp_stream(&f->conn, first->host, first->port,
                                     &f->tcp);
    if (rc < 0) {
        fprintf(stderr, "https_get: connect %s:%d: %s\n", first->host,
                first->port, strio_strerror(rc));
        return rc;
    }
    transport = &f->tcp.base;
    if (f->use_proxy) {
        rc = strio_tls_client_init(&f->outer, transport, f->proxy_cfg,
                                   f->outer_buf, sizeof f->outer_buf);
        if (rc == 0)
            rc = await tunnel(f, &f->outer.base);
        if (rc < 0) {
            fprintf(stderr, "https_get: proxy: %s\n", strio_strerror(rc));
            await strio_stream_close(&f->outer.base);
            return rc;
        }
        transport = &f->outer.base;     /* TLS inside TLS from here */
    }
    rc = strio_tls_client_init(&f->inner, transport, f->origin_cfg,
                               f->inner_buf, sizeof f->inner_buf);
    if (rc < 0) {
        await strio_stream_close(transport);
        return rc;
    }
    len = snprintf(req, sizeof req,
                   "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: strio "
                   "https_get\r\nConnection: close\r\n\r\n",
                   f->origin.path, f->origin.host);
    rc = await strio_send_all(&f->inner.base, req, (size_t)len);
    if (rc == 0)
        rc = await read_head(f, &f->inner.base, 1);
    if (rc >= 0) {
        f->status = rc;
        fprintf(stderr, "%s\n", f->head);
        for (;;) {
            n = await strio_receive_some(&f->inner.base, req, sizeof req);
            if (n <= 0)
                break;
            fwrite(req, 1, (size_t)n, stdout);
        }
        rc = n < 0 ? (int)n : 0;
    }
    if (rc < 0)
        fprintf(stderr, "https_get: %s (BearSSL error %d)\n",
                strio_strerror(rc), strio_tls_last_error(&f->inner));
    /* closes the origin's TLS, then its transport: the proxy's TLS, then
     * the socket */
    await strio_stream_close(&f->inner.base);
    return rc;
}

/* ---- plain C: command line, credentials, the loop ------------------------- */

static int parse_url(const char *url, struct target *t, int need_path)
{
    const char *p, *slash, *colon;
    size_t hl;
    if (strncmp(url, "https://", 8) != 0)
        return -1;
    p = url + 8;
    slash = strchr(p, '/');
    if (slash == NULL)
        slash = p + strlen(p);
    colon = memchr(p, ':', (size_t)(slash - p));
    hl = (size_t)((colon != NULL ? colon : slash) - p);
    if (hl == 0 || hl >= sizeof t->host)
        return -1;
    memcpy(t->host, p, hl);
    t->host[hl] = '\0';
    t->port = 443;
    if (colon != NULL) {
        char *end;
        long v = strtol(colon + 1, &end, 10);
        if (end != slash || v <= 0 || v > 65535)
            return -1;
        t->port = (int)v;
    }
    if (!need_path && *slash != '\0' && strcmp(slash, "/") != 0)
        return -1;
    snprintf(t->path, sizeof t->path, "%s", *slash ? slash : "/");
    return 0;
}

/* Loads the PEM file `path` as anchors into `a` (static storage). */
static int load_anchors(const char *path, strio_tls_anchors *a,
                        br_x509_trust_anchor *ta, size_t ta_cap,
                        unsigned char *mem, size_t mem_cap,
                        unsigned char *pem, size_t pem_cap)
{
    size_t len;
    long n;
    int rc = strio_tls_read_file(path, pem, pem_cap, &len);
    if (rc < 0) {
        fprintf(stderr, "https_get: %s: %s\n", path, strio_strerror(rc));
        return rc;
    }
    strio_tls_anchors_init(a, ta, ta_cap, mem, mem_cap);
    n = strio_tls_anchors_add_pem(a, pem, len);
    if (n <= 0) {
        fprintf(stderr, "https_get: %s: %s\n", path,
                n == 0 ? "no certificates" : strio_strerror((int)n));
        return n == 0 ? -ENOENT : (int)n;
    }
    return 0;
}

static STRIO_POLL(io, 16);
static STRIO_WORKERS(workers, 1, 4);
static struct fetch F;
static unsigned char pem[400000];
static br_x509_trust_anchor ta[200], pta[200];
static unsigned char ta_mem[96 * 1024], pta_mem[96 * 1024];

static int usage(void)
{
    fprintf(stderr, "usage: https_get URL [--cacert FILE] "
                    "[--proxy https://HOST:PORT] [--proxy-cacert FILE]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *url = NULL, *cacert = NULL, *proxy = NULL, *pcacert = NULL;
    static const char bundle[] = "/etc/ssl/certs/ca-certificates.crt";
    strio_tls_anchors anchors, panchors;
    strio_tls_client_config ocfg, pcfg;
    static struct fetch_frame frame;
    strio_clock clock;
    strio_loop loop;
    strio_task task;
    int rc;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--cacert") == 0 && i + 1 < argc)
            cacert = argv[++i];
        else if (strcmp(argv[i], "--proxy") == 0 && i + 1 < argc)
            proxy = argv[++i];
        else if (strcmp(argv[i], "--proxy-cacert") == 0 && i + 1 < argc)
            pcacert = argv[++i];
        else if (url == NULL && argv[i][0] != '-')
            url = argv[i];
        else
            return usage();
    }
    if (url == NULL || parse_url(url, &F.origin, 1) < 0)
        return usage();
    if (proxy != NULL && parse_url(proxy, &F.proxy, 0) < 0)
        return usage();
    F.use_proxy = proxy != NULL;

    if (load_anchors(cacert != NULL ? cacert : bundle, &anchors, ta, 200,
                     ta_mem, sizeof ta_mem, pem, sizeof pem) < 0)
        return 1;
    memset(&ocfg, 0, sizeof ocfg);
    ocfg.anchors = anchors.ta;
    ocfg.anchor_count = anchors.count;
    ocfg.server_name = F.origin.host;
    /* many HTTPS servers end without close_notify; HTTP/1.0 framing
     * (the connection's end) still tells a complete body */
    ocfg.https_compatible = 1;
    F.origin_cfg = &ocfg;
    pcfg = ocfg;
    pcfg.server_name = F.proxy.host;
    if (pcacert != NULL) {
        if (load_anchors(pcacert, &panchors, pta, 200, pta_mem,
                         sizeof pta_mem, pem, sizeof pem) < 0)
            return 1;
        pcfg.anchors = panchors.ta;
        pcfg.anchor_count = panchors.count;
    }
    F.proxy_cfg = &pcfg;

    strio_monotonic_clock_init(&clock);
    if ((rc = STRIO_POLL_SETUP(io)) < 0) {
        fprintf(stderr, "https_get: poll: %s\n", strio_strerror(rc));
        return 1;
    }
    strio_loop_init(&loop, &clock, strio_poll_backend(&io.poll));
    if ((rc = STRIO_WORKERS_SETUP(workers, &loop)) < 0) {
        fprintf(stderr, "https_get: workers: %s\n", strio_strerror(rc));
        return 1;
    }
    strio_tcp_connector_init(&F.conn, &workers.workers);
    fetch_start(&frame, &F);
    strio_task_init(&task, fetch_resume, &frame, &frame.strio_ret);
    rc = strio_loop_run(&loop, &task);
    strio_workers_close(&workers.workers);
    strio_poll_close(&io.poll);
    fflush(stdout);
    if (rc < 0 || frame.strio_ret < 0)
        return 1;
    return F.status >= 200 && F.status <= 299 ? 0 : 1;
}
