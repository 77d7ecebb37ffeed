/*
 * tls_echo_server.sc -- a TLS echo server in the strio dialect.
 *
 *     tls_echo_server --cert CHAIN.pem --key KEY.pem [PORT]
 *                     [--max-conns N] [--http]
 *
 * Listens on 127.0.0.1:PORT (0, the default: the kernel picks) and prints
 * "listening on 127.0.0.1:PORT". Each connection gets a TLS server stream
 * (RSA or EC key, TLS 1.2, ECDHE + AEAD) over its socket stream and is
 * echoed until the client closes. With --http it instead reads one HTTP
 * request head and answers "HTTP/1.0 200 OK" with the request head as the
 * body (enough for curl and browsers), then closes with close_notify.
 *
 * Memory is fixed at build time: MAX_HANDLERS slots, each holding the
 * handler's frame, the socket stream, the TLS stream and its full-duplex
 * record buffer (sizeof(struct conn_slot), about 45 KiB; printed at start).
 * With --max-conns N it exits 0 after N connections.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/socket.h>
#include <strio/socket_stream.h>
#include <strio/tls.h>
#include <strio/tls_creds.h>

#define MAX_HANDLERS 8

static strio_tls_server_config server_cfg;
static int http_mode;

/* Reads one request head and answers it (see above). */
async int answer_http(strio_stream *s)
{
    char head[2048];
    char reply[2300];
    size_t used = 0;
    int len, rc;
    head[0] = '\0';
    while (strstr(head, "\r\n\r\n") == NULL) {
        long n;
        if (used == sizeof head - 1)
            return -EMSGSIZE;
        n = await strio_receive_some(s, head + used, sizeof head - 1 - used);
        if (n <= 0)
            return n == 0 ? -EPROTO : (int)n;
        used += (size_t)n;
        head[used] = '\0';
    }
    len = snprintf(reply, sizeof reply, "HTTP/1.0 200 OK\r\nContent-Type: "
                   "text/plain\r\nContent-Length: %zu\r\n\r\n%s",
                   strlen(head), head);
    rc = await strio_send_all(s, reply, (size_t)len);
    return rc;
}

/* Echoes until the client closes (close_notify: end of stream). */
async int echo(strio_stream *s)
{
    unsigned char buf[1024];
    long n;
    int rc = 0;
    while ((n = await strio_receive_some(s, buf, sizeof buf)) > 0) {
        rc = await strio_send_all(s, buf, (size_t)n);
        if (rc < 0)
            return rc;
    }
    return (int)n;
}

/* One connection: TLS over the socket, serve, close (close_notify, then
 * the socket). Returns 0 even on failure: one bad client must not cancel
 * the others (a child's error would cancel the nursery). */
async int tls_handler(strio_socket_stream *conn, strio_tls_stream *tls,
                      unsigned char *iobuf, size_t iolen)
{
    int rc = strio_tls_server_init(tls, &conn->base, &server_cfg, iobuf,
                                   iolen);
    if (rc < 0) {
        await strio_stream_close(&conn->base);
        return 0;
    }
    rc = await strio_tls_handshake(tls);
    if (rc == 0)
        rc = http_mode ? await answer_http(&tls->base)
                       : await echo(&tls->base);
    if (rc < 0 && rc != STRIO_ECANCELED)
        fprintf(stderr, "tls_echo_server: connection: %s (BearSSL %d)\n",
                strio_strerror(rc), strio_tls_last_error(tls));
    await strio_stream_close(&tls->base);       /* also closes conn */
    return 0;
}

struct conn_slot {
    struct tls_handler_frame frame;     /* first: the pool's frame */
    strio_socket_stream conn;
    strio_tls_stream tls;
    unsigned char iobuf[STRIO_TLS_BUF_BIDI];
};

static STRIO_POOL(handlers, struct conn_slot, MAX_HANDLERS);

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
            strio_pool_put(&handlers.pool, slot);
            if (rc == STRIO_ECLOSED || rc == STRIO_ECANCELED)
                break;
            fprintf(stderr, "tls_echo_server: accept: %s\n",
                    strio_strerror(rc));
            rc = await strio_sleep(STRIO_MS(100));
            if (rc < 0)
                break;
            continue;
        }
        accepted++;
        tls_handler_start(&slot->frame, &slot->conn, &slot->tls, slot->iobuf,
                          sizeof slot->iobuf);
        rc = strio_nursery_start(&nursery, &handlers.pool, slot,
                                 tls_handler_resume, &slot->frame.strio_ret);
        if (rc < 0)
            break;
    }
    rc = await strio_nursery_close(&nursery, rc);
    strio_socket_listener_close(l);
    if (rc == 0)
        printf("served %lu connections\n", accepted);
    return rc;
}

/* ---- plain C: command line, credentials, the loop ------------------------- */

static STRIO_POLL(io, MAX_HANDLERS + 8);
static unsigned char pem[65536];
static br_x509_certificate certs[8];
static unsigned char chain_mem[32768];
static strio_tls_chain chain;
static strio_tls_key key;

static int usage(void)
{
    fprintf(stderr, "usage: tls_echo_server --cert CHAIN.pem --key KEY.pem "
                    "[PORT] [--max-conns N] [--http]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *cert = NULL, *keyf = NULL;
    unsigned long port = 0, max_conns = 0;
    static strio_socket_listener listener;
    static struct serve_frame frame;
    strio_clock clock;
    strio_loop loop;
    strio_task task;
    strio_sockaddr addr;
    char name[STRIO_SOCKADDR_STRLEN];
    size_t len;
    long n;
    int rc;

    for (int i = 1; i < argc; i++) {
        char *end;
        if (strcmp(argv[i], "--cert") == 0 && i + 1 < argc) {
            cert = argv[++i];
        } else if (strcmp(argv[i], "--key") == 0 && i + 1 < argc) {
            keyf = argv[++i];
        } else if (strcmp(argv[i], "--http") == 0) {
            http_mode = 1;
        } else if (strcmp(argv[i], "--max-conns") == 0 && i + 1 < argc) {
            max_conns = strtoul(argv[++i], &end, 10);
            if (*end != '\0' || max_conns == 0)
                return usage();
        } else {
            port = strtoul(argv[i], &end, 10);
            if (*end != '\0' || port > 65535)
                return usage();
        }
    }
    if (cert == NULL || keyf == NULL)
        return usage();
    /* credentials: blocking reads at start-up */
    strio_tls_chain_init(&chain, certs, 8, chain_mem, sizeof chain_mem);
    rc = strio_tls_read_file(cert, pem, sizeof pem, &len);
    n = rc < 0 ? rc : strio_tls_chain_add_pem(&chain, pem, len);
    if (n <= 0) {
        fprintf(stderr, "tls_echo_server: %s: %s\n", cert,
                n == 0 ? "no certificate" : strio_strerror((int)n));
        return 1;
    }
    rc = strio_tls_read_file(keyf, pem, sizeof pem, &len);
    if (rc == 0)
        rc = strio_tls_key_from_pem(&key, pem, len);
    memset(pem, 0, sizeof pem);         /* the key's PEM */
    if (rc < 0) {
        fprintf(stderr, "tls_echo_server: %s: %s\n", keyf,
                strio_strerror(rc));
        return 1;
    }
    server_cfg.chain = &chain;
    server_cfg.key = &key;

    rc = strio_open_tcp_listener(&listener, "127.0.0.1", (unsigned)port);
    if (rc == 0)
        rc = strio_socket_getsockname(&listener.sock, &addr);
    if (rc < 0) {
        fprintf(stderr, "tls_echo_server: listen: %s\n", strio_strerror(rc));
        return 1;
    }
    strio_sockaddr_format(&addr, name, sizeof name);
    printf("listening on %s (%zu bytes per connection)\n", name,
           sizeof(struct conn_slot));
    fflush(stdout);

    strio_monotonic_clock_init(&clock);
    if ((rc = STRIO_POLL_SETUP(io)) < 0) {
        fprintf(stderr, "tls_echo_server: poll: %s\n", strio_strerror(rc));
        return 1;
    }
    strio_loop_init(&loop, &clock, strio_poll_backend(&io.poll));
    STRIO_POOL_SETUP(handlers);
    serve_start(&frame, &listener, max_conns);
    strio_task_init(&task, serve_resume, &frame, &frame.strio_ret);
    rc = strio_loop_run(&loop, &task);
    strio_poll_close(&io.poll);
    if (rc < 0 || frame.strio_ret < 0) {
        fprintf(stderr, "tls_echo_server: %s\n",
                strio_strerror(rc < 0 ? rc : frame.strio_ret));
        return 1;
    }
    return 0;
}
