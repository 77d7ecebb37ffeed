/*
 * connect_proxy.sc -- a tiny HTTP CONNECT proxy in the strio dialect.
 *
 *     connect_proxy [PORT] [--max-conns N]
 *
 * Listens on 127.0.0.1:PORT (0: the kernel picks) and prints "listening
 * on 127.0.0.1:PORT". A client sends "CONNECT host:port HTTP/1.1"; the
 * proxy opens a TCP connection there (strio_open_tcp_stream: Happy
 * Eyeballs, names resolved on the worker pool), answers 200 and then
 * copies bytes both ways until both directions ended (each end of stream
 * is passed on as a half-close), or answers 502 when the connection
 * fails, 400 for a target that is not host:port, 405 for other methods.
 * Try: curl -p -x http://127.0.0.1:PORT http://example.org/
 *
 * Each client gets a handler from a fixed pool; a slot holds the handler's
 * frame, both streams, the HTTP buffers and the two copy tasks' frames.
 * With --max-conns N it stops after N connections and exits 0.
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
#include <strio/http_conn.h>

#define MAX_HANDLERS 32

static struct {
    unsigned long conns, tunnels, refused;
} stats;

static STRIO_WORKERS(workers, 2, MAX_HANDLERS);

/* Copies `from` to `to` until end of stream, then half-closes `to`. An
 * error ends the tunnel: it cancels the other direction. */
async int pump(strio_stream *from, strio_stream *to)
{
    char buf[4096];
    long n;
    int rc = 0;
    while ((n = await strio_receive_some(from, buf, sizeof buf)) > 0) {
        rc = await strio_send_all(to, buf, (size_t)n);
        if (rc < 0)
            return rc;
    }
    if (n < 0)
        return (int)n;
    await strio_send_eof(to);
    return 0;
}

typedef STRIO_HTTP_CONN_MEM(conn_mem_t, 2048, 1024, 2048, 32, 512);

struct tunnel {
    strio_socket_stream up;                 /* to the target */
    strio_tcp_connector tcp;
    strio_nursery nursery;
    STRIO_POOL(pumps, struct pump_frame, 2);
};

/* Splits "host:port" (or "[v6]:port") into `host` and the port. */
static int split_target(strio_http_span t, char *host, size_t cap, int *port)
{
    size_t colon = t.len, hs = 0, he;
    while (colon > 0 && t.ptr[colon - 1] != ':')
        colon--;
    if (colon < 2 || colon == t.len || t.len - colon > 5)
        return -1;
    he = colon - 1;
    if (t.ptr[0] == '[' && t.ptr[he - 1] == ']') {
        hs = 1;
        he--;
    }
    if (he <= hs || he - hs >= cap)
        return -1;
    memcpy(host, t.ptr + hs, he - hs);
    host[he - hs] = 0;
    *port = 0;
    for (size_t i = colon; i < t.len; i++) {
        if (t.ptr[i] < '0' || t.ptr[i] > '9')
            return -1;
        *port = *port * 10 + (t.ptr[i] - '0');
    }
    return *port > 0 && *port < 65536 ? 0 : -1;
}

/* Opens the tunnel of one CONNECT request and runs it. */
async int run_tunnel(strio_http_conn *c, strio_stream *client, struct tunnel *tn)
{
    char host[256];
    int port, rc;
    const char *early;
    size_t k;
    struct pump_frame *a, *b;
    if (split_target(c->target, host, sizeof host, &port) < 0)
        return await strio_http_respond(c, 400, NULL, NULL, 0);
    strio_tcp_connector_init(&tn->tcp, &workers.workers);
    rc = await strio_open_tcp_stream(&tn->tcp, host, port, &tn->up);
    if (rc < 0) {
        stats.refused++;
        return await strio_http_respond(c, 502, NULL, NULL, 0);
    }
    stats.tunnels++;
    rc = await strio_http_respond(c, 200, NULL, NULL, 0);
    k = strio_http_conn_pending(c, &early);  /* sent before our 200 */
    if (rc == 0 && k > 0)
        rc = await strio_send_all(&tn->up.base, early, k);
    if (rc == 0) {
        STRIO_POOL_SETUP(tn->pumps);
        strio_nursery_open(STRIO_SELF, &tn->nursery);
        a = strio_pool_try_get(&tn->pumps.pool);
        pump_start(a, client, &tn->up.base);
        rc = strio_nursery_start(&tn->nursery, &tn->pumps.pool, a,
                                 pump_resume, &a->strio_ret);
        if (rc == 0) {
            b = strio_pool_try_get(&tn->pumps.pool);
            pump_start(b, &tn->up.base, client);
            rc = strio_nursery_start(&tn->nursery, &tn->pumps.pool, b,
                                     pump_resume, &b->strio_ret);
        }
        rc = await strio_nursery_close(&tn->nursery, rc);
    }
    await strio_stream_close(&tn->up.base);
    return rc;
}

async int handle(strio_socket_stream *sock, conn_mem_t *mem, struct tunnel *tn)
{
    strio_http_conn c;
    int rc;
    STRIO_HTTP_CONN_MEM_SETUP(*mem);
    strio_http_conn_init(&c, STRIO_HTTP_REQUEST, &sock->base, &mem->mem);
    while ((rc = await strio_http_read_head(&c)) > 0) {
        if (c.method.len == 7 && memcmp(c.method.ptr, "CONNECT", 7) == 0) {
            rc = await run_tunnel(&c, &sock->base, tn);
            break;                      /* the connection was the tunnel */
        }
        rc = await strio_http_respond(&c, 405, "Allow: CONNECT\r\n", NULL, 0);
        if (rc < 0)
            break;
    }
    if (rc < 0 && rc != STRIO_ECANCELED)
        fprintf(stderr, "connect_proxy: %s\n", strio_strerror(rc));
    await strio_stream_close(&sock->base);
    return 0;
}

struct slot {
    struct handle_frame frame;
    strio_socket_stream sock;
    conn_mem_t mem;
    struct tunnel tn;
};

static STRIO_POOL(handlers, struct slot, MAX_HANDLERS);

async int serve(strio_socket_listener *l, unsigned long max_conns)
{
    strio_nursery nursery;
    struct slot *slot;
    int rc = 0;
    strio_nursery_open(STRIO_SELF, &nursery);
    while (max_conns == 0 || stats.conns < max_conns) {
        rc = await strio_pool_get(&handlers.pool, (void **)&slot);
        if (rc < 0)
            break;
        rc = await strio_socket_listener_accept(l, &slot->sock);
        if (rc < 0) {
            strio_pool_put(&handlers.pool, slot);
            if (rc == STRIO_ECLOSED || rc == STRIO_ECANCELED)
                break;
            fprintf(stderr, "connect_proxy: accept: %s\n", strio_strerror(rc));
            rc = await strio_sleep(STRIO_MS(100));
            if (rc < 0)
                break;
            continue;
        }
        stats.conns++;
        handle_start(&slot->frame, &slot->sock, &slot->mem, &slot->tn);
        rc = strio_nursery_start(&nursery, &handlers.pool, slot,
                                 handle_resume, &slot->frame.strio_ret);
        if (rc < 0)
            break;
    }
    rc = await strio_nursery_close(&nursery, rc);
    strio_socket_listener_close(l);
    if (rc == 0)
        printf("served %lu connections, %lu tunnels, %lu refused\n",
               stats.conns, stats.tunnels, stats.refused);
    return rc;
}

/* ---- plain C: command line and the loop ---------------------------------- */

static STRIO_POLL(io, 2 * MAX_HANDLERS + 8);

static int usage(void)
{
    fprintf(stderr, "usage: connect_proxy [PORT] [--max-conns N]\n");
    return 2;
}

static int parse_ulong(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v > max || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv)
{
    unsigned long port = 0, max_conns = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--max-conns") == 0 && i + 1 < argc) {
            if (parse_ulong(argv[++i], 1000000000UL, &max_conns) < 0 ||
                max_conns == 0)
                return usage();
        } else if (parse_ulong(argv[i], 65535, &port) < 0) {
            return usage();
        }
    }

    static strio_socket_listener listener;
    static struct serve_frame frame;
    strio_clock clock;
    strio_loop loop;
    strio_task task;
    strio_sockaddr addr;
    char name[STRIO_SOCKADDR_STRLEN];

    int rc = strio_open_tcp_listener(&listener, "127.0.0.1", (unsigned)port);
    if (rc == 0)
        rc = strio_socket_getsockname(&listener.sock, &addr);
    if (rc < 0) {
        fprintf(stderr, "connect_proxy: listen: %s\n", strio_strerror(rc));
        return 1;
    }
    strio_sockaddr_format(&addr, name, sizeof name);
    printf("listening on %s\n", name);
    fflush(stdout);

    strio_monotonic_clock_init(&clock);
    if ((rc = STRIO_POLL_SETUP(io)) < 0) {
        fprintf(stderr, "connect_proxy: poll: %s\n", strio_strerror(rc));
        return 1;
    }
    strio_loop_init(&loop, &clock, strio_poll_backend(&io.poll));
    if ((rc = STRIO_WORKERS_SETUP(workers, &loop)) < 0) {
        fprintf(stderr, "connect_proxy: workers: %s\n", strio_strerror(rc));
        return 1;
    }
    STRIO_POOL_SETUP(handlers);

    serve_start(&frame, &listener, max_conns);
    strio_task_init(&task, serve_resume, &frame, &frame.strio_ret);
    rc = strio_loop_run(&loop, &task);
    strio_workers_close(&workers.workers);
    strio_poll_close(&io.poll);
    if (rc < 0 || frame.strio_ret < 0) {
        fprintf(stderr, "connect_proxy: %s\n",
                strio_strerror(rc < 0 ? rc : frame.strio_ret));
        return 1;
    }
    return 0;
}
