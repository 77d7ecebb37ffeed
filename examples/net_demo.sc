/*
 * net_demo.sc -- an echo server and its clients in one program, one loop,
 * one thread, no heap.
 *
 * The root task opens a nursery and starts in it the server (the accept
 * loop of examples/echo_server.sc, bounded to CLIENTS connections) and
 * CLIENTS client tasks. Each client connects over loopback and does
 * ROUND_TRIPS round trips of a MSG_SIZE-byte message, checking every echo.
 * The nursery returns when all of them are done; a "move on after" scope
 * of 10 s around it is a safety net that cancels everything if something
 * hangs. Prints a summary, including what the tasks cost: their frames,
 * whose sizes are known at build time.
 *
 * Every program in examples/ is generated on its own, so the server half
 * below repeats the code of echo_server.sc (with a byte count added).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/socket.h>
#include <strio/socket_stream.h>

#define CLIENTS 8
#define ROUND_TRIPS 100
#define MSG_SIZE 64
#define MAX_HANDLERS 64
#define SAFETY_NET STRIO_SEC(10)

/* What the tasks did; one thread, so plain counters suffice. */
static struct {
    unsigned long accepted;     /* connections the server accepted */
    unsigned long served;       /* handlers that saw a clean end of stream */
    unsigned long echoed;       /* bytes the handlers echoed */
    unsigned long round_trips;  /* echoes the clients checked */
    unsigned long mismatches;   /* echoes that differed */
} stats;

/* ---- the server (as in echo_server.sc) ------------------------------------ */

/* Echoes until end of stream, then closes. Returns 0 whatever happened to
 * the connection: a child's error would cancel every sibling. */
async int echo_handler(strio_socket_stream *conn)
{
    unsigned char buf[256];
    long n;
    int rc = 0;
    while ((n = await strio_receive_some(&conn->base, buf, sizeof buf)) > 0) {
        rc = await strio_send_all(&conn->base, buf, (size_t)n);
        if (rc < 0)
            break;
        stats.echoed += (unsigned long)n;
    }
    if (n == 0 && rc == 0)
        stats.served++;
    else if (n != STRIO_ECANCELED && rc != STRIO_ECANCELED)
        fprintf(stderr, "net_demo: connection: %s\n",
                strio_strerror(n < 0 ? (int)n : rc));
    await strio_stream_close(&conn->base);
    return 0;
}

/* A pool slot: a handler's frame (first) and the connection it serves. */
struct conn_slot {
    struct echo_handler_frame frame;
    strio_socket_stream conn;
};

static STRIO_POOL(handlers, struct conn_slot, MAX_HANDLERS);

/* Accepts `max_conns` connections, one handler each (a full pool makes
 * strio_pool_get wait: backpressure), then waits for the handlers. */
async int serve(strio_socket_listener *l, unsigned long max_conns)
{
    strio_nursery nursery;
    struct conn_slot *slot;
    int rc = 0;

    strio_nursery_open(STRIO_SELF, &nursery);
    while (stats.accepted < max_conns) {
        rc = await strio_pool_get(&handlers.pool, (void **)&slot);
        if (rc < 0)
            break;
        rc = await strio_socket_listener_accept(l, &slot->conn);
        if (rc < 0) {
            strio_pool_put(&handlers.pool, slot);
            break;
        }
        stats.accepted++;
        echo_handler_start(&slot->frame, &slot->conn);
        rc = strio_nursery_start(&nursery, &handlers.pool, slot,
                                 echo_handler_resume, &slot->frame.strio_ret);
        if (rc < 0)
            break;
    }
    rc = await strio_nursery_close(&nursery, rc);
    strio_socket_listener_close(l);
    return rc;
}

/* ---- the clients (as in echo_client.sc) ----------------------------------- */

async int connect_loopback(strio_socket_stream *st, unsigned port)
{
    strio_socket s;
    strio_sockaddr a;
    int rc = strio_socket_create(&s, AF_INET, SOCK_STREAM, 0);
    if (rc < 0)
        return rc;
    rc = strio_resolve_remote_address(&s, "127.0.0.1", port, &a);
    if (rc == 0)
        rc = await strio_socket_connect(&s, &a);
    if (rc == 0)
        rc = strio_socket_stream_init(st, &s);
    if (rc < 0)
        strio_socket_close(&s);
    return rc;
}

/* Receives exactly `len` bytes; STRIO_EEND if the stream ends first. */
async int recv_exactly(strio_stream *s, unsigned char *buf, size_t len)
{
    size_t got = 0;
    while (got < len) {
        long n = await strio_receive_some(s, buf + got, len - got);
        if (n < 0)
            return (int)n;
        if (n == 0)
            return STRIO_EEND;
        got += (size_t)n;
    }
    return 0;
}

/*
 * One client: ROUND_TRIPS messages, each filled with a pattern unique to
 * (client, round trip), then half-close and wait for the server's close.
 * Its connection is a local that lives across awaits, so it sits in the
 * client's frame (a pool slot, which never moves). Errors are returned:
 * the nursery then cancels everything and the demo fails.
 */
async int demo_client(unsigned id, unsigned port)
{
    strio_socket_stream conn;
    unsigned char msg[MSG_SIZE], echo[MSG_SIZE];
    int rc = await connect_loopback(&conn, port);
    if (rc < 0)
        return rc;
    for (unsigned i = 0; i < ROUND_TRIPS && rc == 0; i++) {
        for (unsigned k = 0; k < MSG_SIZE; k++)
            msg[k] = (unsigned char)(id * 131 + i * 7 + k);
        rc = await strio_send_all(&conn.base, msg, sizeof msg);
        if (rc == 0)
            rc = await recv_exactly(&conn.base, echo, sizeof echo);
        if (rc == 0 && memcmp(msg, echo, sizeof msg) != 0) {
            stats.mismatches++;
            rc = -EPROTO;
        }
        if (rc == 0)
            stats.round_trips++;
    }
    if (rc == 0)
        rc = await strio_send_eof(&conn.base);
    if (rc == 0) {
        long n = await strio_receive_some(&conn.base, echo, sizeof echo);
        rc = n > 0 ? -EPROTO : (int)n;      /* expect end of stream */
    }
    int crc = await strio_stream_close(&conn.base);
    return rc < 0 ? rc : crc;
}

/* ---- the root -------------------------------------------------------------- */

/* The server runs as a task of its own, like the clients: one-slot pool. */
static STRIO_POOL(server_slot, struct serve_frame, 1);
static STRIO_POOL(clients, struct demo_client_frame, CLIENTS);

async int net_demo(strio_socket_listener *l, unsigned port, int *timed_out)
{
    strio_cancel_scope safety;
    strio_nursery nursery;
    struct serve_frame *server;
    struct demo_client_frame *client;
    int rc;

    strio_move_on_after(STRIO_SELF, &safety, SAFETY_NET);
    strio_nursery_open(STRIO_SELF, &nursery);
    rc = await strio_pool_get(&server_slot.pool, (void **)&server);
    if (rc == 0) {
        serve_start(server, l, CLIENTS);
        rc = strio_nursery_start(&nursery, &server_slot.pool, server,
                                 serve_resume, &server->strio_ret);
    }
    for (unsigned i = 0; i < CLIENTS && rc == 0; i++) {
        rc = await strio_pool_get(&clients.pool, (void **)&client);
        if (rc == 0) {
            demo_client_start(client, i, port);
            rc = strio_nursery_start(&nursery, &clients.pool, client,
                                     demo_client_resume, &client->strio_ret);
        }
    }
    rc = await strio_nursery_close(&nursery, rc);   /* waits for all nine */
    rc = strio_scope_exit(&safety, rc);
    *timed_out = safety.cancelled_caught;           /* moved on: a hang */
    return rc;
}

/* ---- plain C: set up the loop, run, summarize ------------------------------ */

static STRIO_POLL(io, 2 * CLIENTS + 8);     /* both ends of each connection */

int main(void)
{
    static strio_socket_listener listener;
    static struct net_demo_frame frame;
    strio_clock clock;
    strio_loop loop;
    strio_task task;
    strio_sockaddr addr;
    int timed_out = 0;

    int rc = strio_open_tcp_listener(&listener, "127.0.0.1", 0);
    if (rc == 0)
        rc = strio_socket_getsockname(&listener.sock, &addr);
    if (rc == 0)
        rc = STRIO_POLL_SETUP(io);
    if (rc < 0) {
        fprintf(stderr, "net_demo: setup: %s\n", strio_strerror(rc));
        return 1;
    }
    strio_monotonic_clock_init(&clock);
    strio_loop_init(&loop, &clock, strio_poll_backend(&io.poll));
    STRIO_POOL_SETUP(handlers);
    STRIO_POOL_SETUP(server_slot);
    STRIO_POOL_SETUP(clients);

    unsigned port = (unsigned)strio_sockaddr_port(&addr);
    printf("net_demo: 1 server task + %d client tasks on 127.0.0.1:%u, "
           "one thread\n", CLIENTS, port);
    strio_time t0 = strio_loop_now(&loop);
    net_demo_start(&frame, &listener, port, &timed_out);
    strio_task_init(&task, net_demo_resume, &frame, &frame.strio_ret);
    rc = strio_loop_run(&loop, &task);
    strio_time elapsed = strio_loop_now(&loop) - t0;
    strio_poll_close(&io.poll);
    if (rc == 0)
        rc = frame.strio_ret;

    printf("  connections  %lu accepted, %lu served to end of stream\n",
           stats.accepted, stats.served);
    printf("  round trips  %lu of %d bytes (%lu bytes echoed), "
           "%lu mismatches\n",
           stats.round_trips, MSG_SIZE, stats.echoed, stats.mismatches);
    printf("  elapsed      %.1f ms\n", elapsed / 1e6);
    printf("  frames       echo_handler %zu B (+ its connection: %zu B a "
           "slot), demo_client %zu B, serve %zu B\n",
           sizeof(struct echo_handler_frame), sizeof(struct conn_slot),
           sizeof(struct demo_client_frame), sizeof(struct serve_frame));
    printf("  static pools %zu B for %d handlers, %zu B for %d clients\n",
           sizeof handlers, MAX_HANDLERS, sizeof clients, CLIENTS);

    int ok = rc == 0 && !timed_out && stats.mismatches == 0 &&
             stats.accepted == CLIENTS && stats.served == CLIENTS &&
             stats.round_trips == (unsigned long)CLIENTS * ROUND_TRIPS;
    if (timed_out)
        fprintf(stderr, "net_demo: safety net: gave up after 10 s\n");
    else if (rc < 0)
        fprintf(stderr, "net_demo: %s\n", strio_strerror(rc));
    printf("net_demo: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
