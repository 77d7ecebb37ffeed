/*
 * http_server.sc -- an HTTP/1.1 server in the strio dialect.
 *
 *     http_server [PORT] [--file PATH] [--max-conns N]
 *
 * Listens on 127.0.0.1:PORT (0, the default: the kernel picks) and prints
 * "listening on 127.0.0.1:PORT". Routes:
 *
 *   GET/HEAD /        "Hello, world!\n"
 *   GET/HEAD /static  the file given with --file (read once at start-up,
 *                     up to 1 MiB, so serving it never blocks the loop on
 *                     the disk), with its Content-Length
 *   POST /echo        the request body streamed back as it arrives
 *                     (chunked response; the request may be chunked too)
 *   anything else     404, or 405 for a known path with another method
 *
 * Each connection is served by a handler task from a pool of MAX_HANDLERS
 * slots; a slot holds the handler's frame, the socket stream and the
 * connection's buffers (STRIO_HTTP_CONN_MEM), so the server's memory is
 * fixed at build time and a full pool makes the accept loop wait
 * (backpressure). Connections are kept alive (HTTP/1.1 keep-alive and
 * pipelining); one idle for IDLE seconds between requests is closed.
 *
 * With --max-conns N it stops after N connections, waits for their
 * handlers, prints what it served and exits 0 (for tests and demos).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/socket.h>
#include <strio/socket_stream.h>
#include <strio/http_conn.h>

#define MAX_HANDLERS 64
#define IDLE STRIO_SEC(10)
#define LINGER STRIO_SEC(2)
#define MAX_FILE (1 << 20)

static struct {
    unsigned long conns, requests, errors;
} stats;

static char file_data[MAX_FILE];
static size_t file_len;
static int have_file;

static const char hello[] = "Hello, world!\n";

static int is(strio_http_span s, const char *lit)
{
    return s.len == strlen(lit) && memcmp(s.ptr, lit, s.len) == 0;
}

/* POST /echo: the body goes back chunk by chunk, as it arrives. */
async int echo_body(strio_http_conn *c)
{
    char buf[1024];
    long n;
    int rc = await strio_http_respond_begin(c, 200,
        "Content-Type: application/octet-stream\r\n", -1);
    if (rc < 0)
        return rc;
    /* (not `while (rc == 0 && (n = await ...) > 0)`: the generator's
     * lowering of that condition trips clang's -Wparentheses-equality) */
    for (;;) {
        n = await strio_http_read_body(c, buf, sizeof buf);
        if (n <= 0)
            break;
        rc = await strio_http_respond_write(c, buf, (size_t)n);
        if (rc < 0)
            return rc;
    }
    if (n < 0)
        return (int)n;
    return await strio_http_respond_end(c);
}

/* One request (its head is in c). */
async int route(strio_http_conn *c)
{
    int get = is(c->method, "GET") || is(c->method, "HEAD");
    if (is(c->target, "/")) {
        if (get)
            return await strio_http_respond(c, 200,
                "Content-Type: text/plain\r\n", hello, sizeof hello - 1);
    } else if (is(c->target, "/static") && have_file) {
        if (get)
            return await strio_http_respond(c, 200,
                "Content-Type: application/octet-stream\r\n", file_data,
                file_len);
    } else if (is(c->target, "/echo")) {
        if (is(c->method, "POST"))
            return await echo_body(c);
    } else {
        return await strio_http_respond(c, 404, "Content-Type: text/plain\r\n",
                                        "not found\n", 10);
    }
    return await strio_http_respond(c, 405, "Allow: GET, HEAD, POST\r\n",
                                    NULL, 0);
}

/* A pool slot: the handler's frame first (the pool hands out frames), then
 * what the handler uses; nothing in it moves while the handler runs. */
typedef STRIO_HTTP_CONN_MEM(conn_mem_t, 4096, 4096, 8192, 64, 4096);

/* Ends a connection gracefully: after the last response, half-close and
 * discard what the client still sends (for at most LINGER) until it
 * closes too. Closing with unread request bytes in the socket would send
 * a reset, which can destroy the response (say, a 400) before the client
 * read it. */
async int linger_close(strio_socket_stream *sock)
{
    char sink[512];
    strio_cancel_scope sc;
    long n = 0;
    strio_move_on_after(STRIO_SELF, &sc, LINGER);
    if (await strio_send_eof(&sock->base) == 0) {
        do {
            n = await strio_receive_some(&sock->base, sink, sizeof sink);
        } while (n > 0);
    }
    strio_scope_exit(&sc, (int)n);
    return await strio_stream_close(&sock->base);
}

/* Serves one connection: requests until the client is done, an error, or
 * IDLE without a new request. Returns 0 whatever happened (a child's
 * error would cancel every other connection). */
async int serve_conn(strio_socket_stream *sock, conn_mem_t *mem)
{
    strio_http_conn c;
    strio_cancel_scope idle;
    int rc;
    STRIO_HTTP_CONN_MEM_SETUP(*mem);
    strio_http_conn_init(&c, STRIO_HTTP_REQUEST, &sock->base, &mem->mem);
    for (;;) {
        strio_move_on_after(STRIO_SELF, &idle, IDLE);
        rc = await strio_http_read_head(&c);
        rc = strio_scope_exit(&idle, rc);
        if (rc <= 0)
            break;
        stats.requests++;
        rc = await route(&c);
        if (rc < 0)
            break;
    }
    if (rc < 0 && rc != STRIO_ECANCELED) {
        stats.errors++;
        fprintf(stderr, "http_server: connection: %s\n", strio_strerror(rc));
    }
    await linger_close(sock);
    return 0;
}

struct conn_slot {
    struct serve_conn_frame frame;
    strio_socket_stream sock;
    conn_mem_t mem;
};

static STRIO_POOL(handlers, struct conn_slot, MAX_HANDLERS);

/* The accept loop (as in echo_server.sc). */
async int serve(strio_socket_listener *l, unsigned long max_conns)
{
    strio_nursery nursery;
    struct conn_slot *slot;
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
            fprintf(stderr, "http_server: accept: %s\n", strio_strerror(rc));
            rc = await strio_sleep(STRIO_MS(100));
            if (rc < 0)
                break;
            continue;
        }
        stats.conns++;
        serve_conn_start(&slot->frame, &slot->sock, &slot->mem);
        rc = strio_nursery_start(&nursery, &handlers.pool, slot,
                                 serve_conn_resume, &slot->frame.strio_ret);
        if (rc < 0)
            break;
    }
    rc = await strio_nursery_close(&nursery, rc);
    strio_socket_listener_close(l);
    if (rc == 0)
        printf("served %lu connections, %lu requests, %lu errors\n",
               stats.conns, stats.requests, stats.errors);
    return rc;
}

/* ---- plain C: command line and the loop ---------------------------------- */

static STRIO_POLL(io, MAX_HANDLERS + 8);

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

static int usage(void)
{
    fprintf(stderr,
            "usage: http_server [PORT] [--file PATH] [--max-conns N]\n");
    return 2;
}

static int load(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    file_len = fread(file_data, 1, sizeof file_data, f);
    int big = file_len == sizeof file_data && fgetc(f) != EOF;
    int err = ferror(f);
    fclose(f);
    if (err || big) {
        fprintf(stderr, "http_server: %s: %s\n", path,
                big ? "larger than 1 MiB" : "read error");
        return -1;
    }
    have_file = 1;
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
        } else if (strcmp(argv[i], "--file") == 0 && i + 1 < argc) {
            if (load(argv[++i]) < 0)
                return 1;
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
        fprintf(stderr, "http_server: listen: %s\n", strio_strerror(rc));
        return 1;
    }
    strio_sockaddr_format(&addr, name, sizeof name);
    printf("listening on %s\n", name);
    fflush(stdout);

    strio_monotonic_clock_init(&clock);
    if ((rc = STRIO_POLL_SETUP(io)) < 0) {
        fprintf(stderr, "http_server: poll: %s\n", strio_strerror(rc));
        return 1;
    }
    strio_loop_init(&loop, &clock, strio_poll_backend(&io.poll));
    STRIO_POOL_SETUP(handlers);

    serve_start(&frame, &listener, max_conns);
    strio_task_init(&task, serve_resume, &frame, &frame.strio_ret);
    rc = strio_loop_run(&loop, &task);
    strio_poll_close(&io.poll);
    if (rc < 0 || frame.strio_ret < 0) {
        fprintf(stderr, "http_server: %s\n",
                strio_strerror(rc < 0 ? rc : frame.strio_ret));
        return 1;
    }
    return 0;
}
