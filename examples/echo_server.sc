/*
 * echo_server.sc -- a TCP echo server in the strio dialect.
 *
 *     echo_server [PORT] [--max-conns N]
 *
 * Listens on 127.0.0.1:PORT (0, the default, lets the kernel pick a port)
 * and prints "listening on 127.0.0.1:PORT". Every connection is served by
 * a child task of one nursery; the children come from a pool of
 * MAX_HANDLERS slots declared below, so the server's whole memory is fixed
 * at build time. When every slot is busy, `await strio_pool_get` parks the
 * accept loop until a handler finishes: new clients wait in the kernel's
 * backlog instead of costing memory (backpressure).
 *
 * With --max-conns N the server stops accepting after N connections, waits
 * for their handlers and exits 0 (for tests and demos). Try it with
 * build/examples/echo_client.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/socket.h>
#include <strio/socket_stream.h>

#define MAX_HANDLERS 64

/*
 * Echoes everything received on `conn` until the client half-closes (end
 * of stream), then closes the connection. The 256-byte buffer lives across
 * awaits, so it is part of the frame (see `make demo`'s report).
 *
 * Returns 0 even when the connection broke: a child's error would cancel
 * the whole nursery, i.e. every other connection, and one client that
 * resets its connection must not take the server down.
 */
async int echo_handler(strio_socket_stream *conn)
{
    unsigned char buf[256];
    long n;
    int rc = 0;
    while ((n = await strio_receive_some(&conn->base, buf, sizeof buf)) > 0) {
        rc = await strio_send_all(&conn->base, buf, (size_t)n);
        if (rc < 0)
            break;
    }
    if (n < 0)
        rc = (int)n;
    if (rc < 0 && rc != STRIO_ECANCELED)
        fprintf(stderr, "echo_server: connection: %s\n", strio_strerror(rc));
    await strio_stream_close(&conn->base);    /* closed even if cancelled */
    return 0;
}

/*
 * One pool slot: a handler's frame and the connection it serves. The frame
 * comes first, so a pointer to the slot is also a pointer to the frame
 * (what strio_nursery_start and the pool want). The stream must not move
 * while in use: it stays in its slot until the handler has closed it.
 */
struct conn_slot {
    struct echo_handler_frame frame;
    strio_socket_stream conn;
};

static STRIO_POOL(handlers, struct conn_slot, MAX_HANDLERS);

/*
 * The accept loop: takes a free slot (waiting while all are busy), accepts
 * a connection into it and starts its handler. Stops after `max_conns`
 * connections (0: never), then waits for the handlers still running.
 */
async int serve(strio_socket_listener *l, unsigned long max_conns)
{
    strio_nursery nursery;
    struct conn_slot *slot;
    unsigned long accepted = 0;
    int rc = 0;

    strio_nursery_open(STRIO_SELF, &nursery);
    while (max_conns == 0 || accepted < max_conns) {
        rc = await strio_pool_get(&handlers.pool, (void **)&slot);
        if (rc < 0)
            break;
        rc = await strio_socket_listener_accept(l, &slot->conn);
        if (rc < 0) {
            strio_pool_put(&handlers.pool, slot);     /* never started */
            if (rc == STRIO_ECLOSED || rc == STRIO_ECANCELED)
                break;
            /* out of fds or memory: the listener stays usable */
            fprintf(stderr, "echo_server: accept: %s\n", strio_strerror(rc));
            rc = await strio_sleep(STRIO_MS(100));
            if (rc < 0)
                break;
            continue;
        }
        accepted++;
        echo_handler_start(&slot->frame, &slot->conn);
        rc = strio_nursery_start(&nursery, &handlers.pool, slot,
                                 echo_handler_resume, &slot->frame.strio_ret);
        if (rc < 0)
            break;
    }
    /* Waits for every handler; reports the first failure, if any. */
    rc = await strio_nursery_close(&nursery, rc);
    strio_socket_listener_close(l);
    if (rc == 0)
        printf("served %lu connections\n", accepted);
    return rc;
}

/* ---- plain C: command line and the loop ---------------------------------- */

static STRIO_POLL(io, MAX_HANDLERS + 8);     /* every connection + listener */

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
    fprintf(stderr, "usage: echo_server [PORT] [--max-conns N]\n");
    return 2;
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
    static struct serve_frame frame;    /* the root task's whole state */
    strio_clock clock;
    strio_loop loop;
    strio_task task;
    strio_sockaddr addr;
    char name[STRIO_SOCKADDR_STRLEN];

    int rc = strio_open_tcp_listener(&listener, "127.0.0.1", (unsigned)port);
    if (rc == 0)
        rc = strio_socket_getsockname(&listener.sock, &addr);
    if (rc < 0) {
        fprintf(stderr, "echo_server: listen: %s\n", strio_strerror(rc));
        return 1;
    }
    strio_sockaddr_format(&addr, name, sizeof name);
    printf("listening on %s\n", name);
    fflush(stdout);                     /* a script may be waiting for it */

    strio_monotonic_clock_init(&clock);
    if ((rc = STRIO_POLL_SETUP(io)) < 0) {
        fprintf(stderr, "echo_server: poll: %s\n", strio_strerror(rc));
        return 1;
    }
    strio_loop_init(&loop, &clock, strio_poll_backend(&io.poll));
    STRIO_POOL_SETUP(handlers);

    serve_start(&frame, &listener, max_conns);
    strio_task_init(&task, serve_resume, &frame, &frame.strio_ret);
    rc = strio_loop_run(&loop, &task);
    strio_poll_close(&io.poll);
    if (rc < 0 || frame.strio_ret < 0) {
        fprintf(stderr, "echo_server: %s\n",
                strio_strerror(rc < 0 ? rc : frame.strio_ret));
        return 1;
    }
    return 0;
}
