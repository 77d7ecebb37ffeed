/*
 * echo_uv.c -- the libuv peer of bench/echo.py (bench only: libuv is never
 * a dependency of the library or its tests).
 *
 *     echo_uv [PORT] [--guide]
 *
 * Listens on 127.0.0.1:PORT (0: the kernel picks), prints "listening on
 * 127.0.0.1:PORT" and serves until killed. Written the way libuv performs
 * best (the stronger peer): one shared 64 KB read buffer handed out by
 * alloc_cb (one thread, and every byte is written or copied before
 * read_cb returns), uv_try_write first, and only the part it could not
 * write goes through uv_write (with a heap copy and a request). So an
 * idle connection holds its uv_tcp_t and nothing else, and a round trip
 * costs epoll_wait, read and write, like the hand-written loop.
 *
 * With --guide, the style of libuv's own guide and most code built on
 * it: alloc_cb mallocs the suggested size (64 KB) for every read, and
 * read_cb hands that buffer to uv_write, which frees it (and its request)
 * in write_cb. bench/echo.py measures this one for memory and system
 * calls only, next to the other.
 */
#define _GNU_SOURCE 1  /* uv.h needs the POSIX threads types */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

static uv_loop_t *loop;
static char buf[64 * 1024];
static int guide;

struct wreq {
    uv_write_t req;
    char data[];
};

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    (void)h;
    if (guide) {
        char *p = malloc(suggested);
        *b = uv_buf_init(p, p != NULL ? (unsigned)suggested : 0);
        return;
    }
    *b = uv_buf_init(buf, sizeof buf);
}

/* --guide: the request and the buffer it writes, freed together. */
struct greq {
    uv_write_t req;
    char *base;
};

static void close_cb(uv_handle_t *h);

static void guide_write_cb(uv_write_t *req, int status)
{
    struct greq *g = (struct greq *)req;
    if (status < 0 && !uv_is_closing((uv_handle_t *)req->handle))
        uv_close((uv_handle_t *)req->handle, close_cb);
    free(g->base);
    free(g);
}

static void guide_read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    if (n > 0) {
        struct greq *g = malloc(sizeof *g);
        uv_buf_t out = uv_buf_init(b->base, (unsigned)n);
        if (g != NULL) {
            g->base = b->base;
            if (uv_write(&g->req, s, &out, 1, guide_write_cb) == 0)
                return;
            free(g);
        }
        free(b->base);
        uv_close((uv_handle_t *)s, close_cb);
        return;
    }
    free(b->base);
    if (n < 0 && !uv_is_closing((uv_handle_t *)s))
        uv_close((uv_handle_t *)s, close_cb);
}

static void close_cb(uv_handle_t *h)
{
    free(h);
}

static void write_cb(uv_write_t *req, int status)
{
    if (status < 0 && !uv_is_closing((uv_handle_t *)req->handle))
        uv_close((uv_handle_t *)req->handle, close_cb);
    free(req);
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    if (n < 0) {
        if (!uv_is_closing((uv_handle_t *)s))
            uv_close((uv_handle_t *)s, close_cb);
        return;
    }
    if (n == 0)
        return;                 /* EAGAIN */
    uv_buf_t out = uv_buf_init(b->base, (unsigned)n);
    int w = uv_try_write(s, &out, 1);
    if (w == UV_EAGAIN || w == UV_ENOSYS)
        w = 0;
    if (w < 0) {
        uv_close((uv_handle_t *)s, close_cb);
        return;
    }
    if (w == n)
        return;
    struct wreq *r = malloc(sizeof *r + (size_t)(n - w));
    if (r == NULL) {
        uv_close((uv_handle_t *)s, close_cb);
        return;
    }
    memcpy(r->data, b->base + w, (size_t)(n - w));
    out = uv_buf_init(r->data, (unsigned)(n - w));
    if (uv_write(&r->req, s, &out, 1, write_cb) < 0) {
        free(r);
        uv_close((uv_handle_t *)s, close_cb);
    }
}

static void on_connection(uv_stream_t *server, int status)
{
    if (status < 0)
        return;
    uv_tcp_t *c = malloc(sizeof *c);
    if (c == NULL)
        return;
    uv_tcp_init(loop, c);
    if (uv_accept(server, (uv_stream_t *)c) < 0) {
        uv_close((uv_handle_t *)c, close_cb);
        return;
    }
    uv_tcp_nodelay(c, 1);
    uv_read_start((uv_stream_t *)c, alloc_cb, guide ? guide_read_cb : read_cb);
}

int main(int argc, char **argv)
{
    static uv_tcp_t server;
    struct sockaddr_in a;
    int alen = sizeof a;
    int rc;
    int port = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--guide") == 0)
            guide = 1;
        else
            port = atoi(argv[i]);
    }
    loop = uv_default_loop();
    uv_ip4_addr("127.0.0.1", port, &a);
    uv_tcp_init(loop, &server);
    if ((rc = uv_tcp_bind(&server, (const struct sockaddr *)&a, 0)) < 0 ||
        (rc = uv_listen((uv_stream_t *)&server, 4096, on_connection)) < 0 ||
        (rc = uv_tcp_getsockname(&server, (struct sockaddr *)&a, &alen)) < 0) {
        fprintf(stderr, "echo_uv: %s\n", uv_strerror(rc));
        return 1;
    }
    printf("listening on 127.0.0.1:%u\n", (unsigned)ntohs(a.sin_port));
    fflush(stdout);
    return uv_run(loop, UV_RUN_DEFAULT);
}
