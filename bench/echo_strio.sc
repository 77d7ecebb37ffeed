/*
 * echo_strio.sc -- the strio echo server of bench/echo.py.
 *
 *     echo_strio [PORT]
 *     echo_strio --lean [PORT]  idle connections hold no buffer (below)
 *     echo_strio --sizes      what one connection costs, in bytes
 *
 * examples/echo_server.sc sized for the benchmark: a pool of MAX_HANDLERS
 * handler slots (enough for the 1,000-connection runs plus the
 * load generator's spare ones) and a BUF-byte buffer per handler, larger
 * than the largest message (as the peers' 64 KB buffers are): a 1 KB
 * message is one receive that comes back short, so the next receive waits
 * for readability first (strio/socket_stream.h) instead of trying a recv()
 * that fails with EAGAIN, as it would after a receive that filled its
 * buffer. Listens on 127.0.0.1:PORT (0:
 * the kernel picks), prints "listening on 127.0.0.1:PORT" and serves until
 * killed (SIGTERM/SIGINT: the default action, nothing to clean up but the
 * process).
 *
 * The handler is the plain stream loop every strio user writes:
 * strio_receive_some, then strio_send_all of what arrived.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/socket.h>
#include <strio/socket_stream.h>

#define MAX_HANDLERS 1100
#define BUF 2048

async int echo_conn(strio_socket_stream *conn)
{
    unsigned char buf[BUF];
    long n;
    int rc = 0;
    while ((n = await strio_receive_some(&conn->base, buf, sizeof buf)) > 0) {
        rc = await strio_send_all(&conn->base, buf, (size_t)n);
        if (rc < 0)
            break;
    }
    await strio_stream_close(&conn->base);
    return 0;       /* a broken connection must not cancel the others */
}

struct conn_slot {
    struct echo_conn_frame frame;       /* first: slot == frame */
    strio_socket_stream conn;
};

static STRIO_POOL(handlers, struct conn_slot, MAX_HANDLERS);

/*
 * --lean: the same echo, but an idle connection holds no buffer. The
 * handler waits until its socket is readable, then borrows one of
 * LEAN_BUFS shared buffers for one receive and its send, and gives it
 * back. (A pool hands out any fixed-size memory: strio_pool_get and
 * strio_pool_put without starting a task.) bench/echo.py measures its
 * memory per idle connection: what is left is the frame and the stream.
 */
#define LEAN_BUFS 64

struct lean_buf {
    unsigned char b[BUF];
};

static STRIO_POOL(lean_bufs, struct lean_buf, LEAN_BUFS);

async int echo_lean(strio_socket_stream *conn)
{
    struct lean_buf *lb;
    long n = 0;
    int rc;
    for (;;) {
        rc = await strio_socket_wait_readable(&conn->sock);
        if (rc < 0)
            break;
        rc = await strio_pool_get(&lean_bufs.pool, (void **)&lb);
        if (rc < 0)
            break;
        n = await strio_receive_some(&conn->base, lb->b, sizeof lb->b);
        if (n > 0)
            rc = await strio_send_all(&conn->base, lb->b, (size_t)n);
        strio_pool_put(&lean_bufs.pool, lb);
        if (n <= 0 || rc < 0)
            break;
    }
    await strio_stream_close(&conn->base);
    return 0;
}

struct lean_slot {
    struct echo_lean_frame frame;
    strio_socket_stream conn;
};

static STRIO_POOL(lean_handlers, struct lean_slot, MAX_HANDLERS);
static int lean;

async int echo_serve(strio_socket_listener *l)
{
    strio_nursery nursery;
    strio_pool *pool = lean ? &lean_handlers.pool : &handlers.pool;
    void *slot;
    strio_socket_stream *conn;
    int rc = 0;

    strio_nursery_open(STRIO_SELF, &nursery);
    for (;;) {
        rc = await strio_pool_get(pool, &slot);
        if (rc < 0)
            break;
        conn = lean ? &((struct lean_slot *)slot)->conn
                    : &((struct conn_slot *)slot)->conn;
        rc = await strio_socket_listener_accept(l, conn);
        if (rc < 0) {
            strio_pool_put(pool, slot);
            if (rc == STRIO_ECLOSED || rc == STRIO_ECANCELED)
                break;
            fprintf(stderr, "echo_strio: accept: %s\n", strio_strerror(rc));
            rc = await strio_sleep(STRIO_MS(10));
            if (rc < 0)
                break;
            continue;
        }
        if (lean) {
            struct lean_slot *ls = slot;
            echo_lean_start(&ls->frame, conn);
            rc = strio_nursery_start(&nursery, pool, ls, echo_lean_resume,
                                     &ls->frame.strio_ret);
        } else {
            struct conn_slot *cs = slot;
            echo_conn_start(&cs->frame, conn);
            rc = strio_nursery_start(&nursery, pool, cs, echo_conn_resume,
                                     &cs->frame.strio_ret);
        }
        if (rc < 0)
            break;
    }
    rc = await strio_nursery_close(&nursery, rc);
    strio_socket_listener_close(l);
    return rc;
}

static STRIO_POLL(io, MAX_HANDLERS + 8);

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--sizes") == 0) {
        /* what one connection costs, by construction (bench/echo.py) */
        printf("task %zu\nframe %zu\nbuffer %zu\nstream %zu\n"
               "poll_entry %zu\nlean_frame %zu\n", sizeof(strio_task),
               sizeof(struct echo_conn_frame), (size_t)BUF,
               sizeof(strio_socket_stream),
               sizeof io.fds[0] + sizeof io.slots[0],
               sizeof(struct echo_lean_frame));
        return 0;
    }
    unsigned long port = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--lean") == 0)
            lean = 1;
        else
            port = strtoul(argv[i], NULL, 10);
    }
    static strio_socket_listener listener;
    static struct echo_serve_frame frame;
    strio_clock clock;
    strio_loop loop;
    strio_task task;
    strio_sockaddr addr;
    char name[STRIO_SOCKADDR_STRLEN];

    if (port > 65535) {
        fprintf(stderr, "usage: echo_strio [PORT]\n");
        return 2;
    }
    int rc = strio_open_tcp_listener(&listener, "127.0.0.1", (unsigned)port);
    if (rc == 0)
        rc = strio_socket_getsockname(&listener.sock, &addr);
    if (rc == 0)
        rc = STRIO_POLL_SETUP(io);
    if (rc < 0) {
        fprintf(stderr, "echo_strio: %s\n", strio_strerror(rc));
        return 1;
    }
    strio_sockaddr_format(&addr, name, sizeof name);
    printf("listening on %s\n", name);
    fflush(stdout);

    strio_monotonic_clock_init(&clock);
    strio_loop_init(&loop, &clock, strio_poll_backend(&io.poll));
    STRIO_POOL_SETUP(handlers);
    STRIO_POOL_SETUP(lean_handlers);
    STRIO_POOL_SETUP(lean_bufs);
    echo_serve_start(&frame, &listener);
    strio_task_init(&task, echo_serve_resume, &frame, &frame.strio_ret);
    rc = strio_loop_run(&loop, &task);
    if (rc < 0 || frame.strio_ret < 0) {
        fprintf(stderr, "echo_strio: %s\n",
                strio_strerror(rc < 0 ? rc : frame.strio_ret));
        return 1;
    }
    return 0;
}
