/*
 * echo_strio.sc -- the strio echo server of bench/echo.py.
 *
 *     echo_strio [PORT]
 *
 * examples/echo_server.sc sized for the benchmark: a pool of MAX_HANDLERS
 * handler slots (enough for the 1,000-connection runs plus the
 * load generator's spare ones) and a BUF-byte buffer per handler, so a
 * 1 KB message is one receive and one send. Listens on 127.0.0.1:PORT (0:
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
#define BUF 1024

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

async int echo_serve(strio_socket_listener *l)
{
    strio_nursery nursery;
    struct conn_slot *slot;
    int rc = 0;

    strio_nursery_open(STRIO_SELF, &nursery);
    for (;;) {
        rc = await strio_pool_get(&handlers.pool, (void **)&slot);
        if (rc < 0)
            break;
        rc = await strio_socket_listener_accept(l, &slot->conn);
        if (rc < 0) {
            strio_pool_put(&handlers.pool, slot);
            if (rc == STRIO_ECLOSED || rc == STRIO_ECANCELED)
                break;
            fprintf(stderr, "echo_strio: accept: %s\n", strio_strerror(rc));
            rc = await strio_sleep(STRIO_MS(10));
            if (rc < 0)
                break;
            continue;
        }
        echo_conn_start(&slot->frame, &slot->conn);
        rc = strio_nursery_start(&nursery, &handlers.pool, slot,
                                 echo_conn_resume, &slot->frame.strio_ret);
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
    unsigned long port = argc > 1 ? strtoul(argv[1], NULL, 10) : 0;
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
