/*
 * bench/tls_main.c -- TLS figures for `make bench` (run by bench/tls.py):
 *
 *   tls_bench raw   SUITE TOTAL      BearSSL's engines (client + server) in
 *                                    a plain loop over memory: the limit
 *   tls_bench strio SUITE TOTAL mem  strio TLS stream pair over a memory
 *                                    stream pair (64 KiB rings)
 *   tls_bench strio SUITE TOTAL tcp  ... over TCP loopback (poll backend)
 *   tls_bench hs_raw N / hs_strio N  ECDHE-ECDSA handshakes
 *   tls_bench sizes                  bytes per TLS connection
 *   tls_bench get SUITE PORT PATH    strio TLS client: GET /PATH from
 *                                    `openssl s_server -WWW` on
 *                                    127.0.0.1:PORT, discards the answer
 *
 * SUITE is aes (ECDHE-ECDSA-AES128-GCM) or chacha (ECDHE-ECDSA-
 * CHACHA20-POLY1305). Credentials come from $CERTDIR (ec-chain.pem,
 * ec.key, ca.pem). Prints "key value" lines: mb_per_s / wall_mb_per_s
 * (thread CPU / wall time), hs_per_s, bytes (get: the answer's size).
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <strio/strio.h>
#include <strio/memstream.h>
#include <strio/posix.h>
#include <strio/socket.h>
#include <strio/socket_stream.h>
#include <strio/tls.h>
#include <strio/tls_creds.h>

#include "tls.h"

#define CHUNK 16384

static strio_tls_anchors anchors;
static br_x509_trust_anchor ta[4];
static unsigned char ta_mem[4096];
static strio_tls_chain chain;
static br_x509_certificate certs[4];
static unsigned char chain_mem[8192];
static strio_tls_key key;
static unsigned suite_family;
static uint16_t suite_id;

static void die(const char *what, int rc)
{
    fprintf(stderr, "tls_bench: %s: %s\n", what, strio_strerror(rc));
    exit(1);
}

static void load_creds(void)
{
    static unsigned char pem[16384];
    char path[512];
    const char *dir = getenv("CERTDIR");
    size_t len;
    int rc;
    if (dir == NULL)
        die("CERTDIR", -EINVAL);
    snprintf(path, sizeof path, "%s/ca.pem", dir);
    if ((rc = strio_tls_read_file(path, pem, sizeof pem, &len)) < 0)
        die(path, rc);
    strio_tls_anchors_init(&anchors, ta, 4, ta_mem, sizeof ta_mem);
    if (strio_tls_anchors_add_pem(&anchors, pem, len) != 1)
        die("anchors", -EINVAL);
    snprintf(path, sizeof path, "%s/ec-chain.pem", dir);
    if ((rc = strio_tls_read_file(path, pem, sizeof pem, &len)) < 0)
        die(path, rc);
    strio_tls_chain_init(&chain, certs, 4, chain_mem, sizeof chain_mem);
    if (strio_tls_chain_add_pem(&chain, pem, len) < 1)
        die("chain", -EINVAL);
    snprintf(path, sizeof path, "%s/ec.key", dir);
    if ((rc = strio_tls_read_file(path, pem, sizeof pem, &len)) < 0)
        die(path, rc);
    if ((rc = strio_tls_key_from_pem(&key, pem, len)) < 0)
        die("key", rc);
}

static double now(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static unsigned char data[CHUNK], sink[CHUNK];

/* ---- BearSSL's engines in a plain loop ------------------------------------ */

static br_ssl_client_context rcc;
static br_ssl_server_context rsc;
static br_x509_minimal_context rxc;
static unsigned char rcbuf[BR_SSL_BUFSIZE_BIDI], rsbuf[BR_SSL_BUFSIZE_BIDI];

static void raw_reset(void)
{
    br_ssl_client_init_full(&rcc, &rxc, anchors.ta, anchors.count);
    br_ssl_engine_set_versions(&rcc.eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_suites(&rcc.eng, &suite_id, 1);
    br_ssl_engine_set_buffer(&rcc.eng, rcbuf, sizeof rcbuf, 1);
    br_ssl_server_init_full_ec(&rsc, chain.certs, chain.count, BR_KEYTYPE_EC,
                               &key.ec);
    br_ssl_engine_set_versions(&rsc.eng, BR_TLS12, BR_TLS12);
    br_ssl_engine_set_buffer(&rsc.eng, rsbuf, sizeof rsbuf, 1);
    if (!br_ssl_client_reset(&rcc, "localhost", 0) ||
        !br_ssl_server_reset(&rsc))
        die("reset", -EINVAL);
}

/* Moves records from a to b (one copy, as a transport would). */
static int pump(br_ssl_engine_context *a, br_ssl_engine_context *b)
{
    int moved = 0;
    for (;;) {
        size_t sl, rl;
        unsigned char *s = br_ssl_engine_sendrec_buf(a, &sl);
        unsigned char *r = br_ssl_engine_recvrec_buf(b, &rl);
        if (s == NULL || r == NULL)
            return moved;
        size_t n = sl < rl ? sl : rl;
        memcpy(r, s, n);
        br_ssl_engine_sendrec_ack(a, n);
        br_ssl_engine_recvrec_ack(b, n);
        moved = 1;
    }
}

static void raw_handshake(void)
{
    for (int i = 0; i < 1000; i++) {
        if ((br_ssl_engine_current_state(&rcc.eng) & BR_SSL_SENDAPP) &&
            (br_ssl_engine_current_state(&rsc.eng) & BR_SSL_SENDAPP))
            return;
        pump(&rcc.eng, &rsc.eng);
        pump(&rsc.eng, &rcc.eng);
    }
    die("raw handshake", br_ssl_engine_last_error(&rcc.eng));
}

static void raw_bulk(unsigned long total)
{
    unsigned long sent = 0, got = 0;
    raw_reset();
    raw_handshake();
    double c0 = now(CLOCK_THREAD_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
    while (got < total) {
        size_t len;
        unsigned char *p;
        while (sent < total &&
               (p = br_ssl_engine_sendapp_buf(&rcc.eng, &len)) != NULL) {
            size_t n = total - sent < len ? (size_t)(total - sent) : len;
            if (n > CHUNK)
                n = CHUNK;
            memcpy(p, data, n);
            br_ssl_engine_sendapp_ack(&rcc.eng, n);
            sent += n;
        }
        br_ssl_engine_flush(&rcc.eng, 0);
        pump(&rcc.eng, &rsc.eng);
        while ((p = br_ssl_engine_recvapp_buf(&rsc.eng, &len)) != NULL) {
            size_t n = len < CHUNK ? len : CHUNK;
            memcpy(sink, p, n);
            br_ssl_engine_recvapp_ack(&rsc.eng, n);
            got += n;
        }
    }
    double c1 = now(CLOCK_THREAD_CPUTIME_ID), w1 = now(CLOCK_MONOTONIC);
    printf("mb_per_s %.1f\nwall_mb_per_s %.1f\n", total / (c1 - c0) / 1e6,
           total / (w1 - w0) / 1e6);
}

static void raw_handshakes(unsigned long n)
{
    double w0 = now(CLOCK_MONOTONIC);
    for (unsigned long i = 0; i < n; i++) {
        raw_reset();
        raw_handshake();
    }
    printf("hs_per_s %.1f\n", n / (now(CLOCK_MONOTONIC) - w0));
}

/* ---- strio TLS streams ------------------------------------------------------ */

static strio_memory_stream_pair mem;
static unsigned char ring_ab[65536], ring_ba[65536];
static strio_socket_stream sa, sb;
static strio_tls_stream tc, ts;
static unsigned char cbuf[STRIO_TLS_BUF_BIDI], sbuf[STRIO_TLS_BUF_BIDI];
static strio_tls_client_config ccfg;
static strio_tls_server_config scfg;

union tb_frame {
    struct tb_send_frame send;
    struct tb_receive_frame receive;
    struct tb_handshake_frame hs;
    struct tb_get_frame get;
};
static STRIO_POOL(pool, union tb_frame, 2);
static STRIO_POLL(io, 8);
static strio_clock clock_;
static strio_loop loop;

static void tcp_pair(void)
{
    strio_socket_listener l;
    strio_sockaddr a;
    strio_socket x, y;
    int rc = strio_open_tcp_listener(&l, "127.0.0.1", 0);
    if (rc == 0)
        rc = strio_socket_getsockname(&l.sock, &a);
    if (rc == 0)
        rc = strio_socket_create(&x, AF_INET, SOCK_STREAM, 0);
    if (rc == 0 && connect(x.fd, &a.u.sa, a.len) < 0 && errno != EINPROGRESS)
        rc = -errno;
    struct pollfd p = { .fd = l.sock.fd, .events = POLLIN };
    if (rc == 0 && poll(&p, 1, 2000) != 1)
        rc = -ETIMEDOUT;
    int fd = rc == 0 ? accept4(l.sock.fd, NULL, NULL,
                               SOCK_NONBLOCK | SOCK_CLOEXEC) : -1;
    if (rc == 0 && fd < 0)
        rc = -errno;
    if (rc == 0)
        rc = strio_socket_from_fd(&y, fd);
    strio_socket_listener_close(&l);
    if (rc < 0)
        die("tcp pair", rc);
    strio_socket_stream_init(&sa, &x);
    strio_socket_stream_init(&sb, &y);
}

static void strio_setup(int tcp)
{
    strio_stream *a, *b;
    int rc;
    if (tcp) {
        tcp_pair();
        a = &sa.base;
        b = &sb.base;
    } else {
        strio_memory_stream_pair_init(&mem, ring_ab, sizeof ring_ab, ring_ba,
                                      sizeof ring_ba);
        a = &mem.a.base;
        b = &mem.b.base;
    }
    if ((rc = strio_tls_client_init(&tc, a, &ccfg, cbuf, sizeof cbuf)) < 0 ||
        (rc = strio_tls_server_init(&ts, b, &scfg, sbuf, sizeof sbuf)) < 0)
        die("init", rc);
}

static void run_both(void *f1, strio_resume_fn r1, int *res1, void *f2,
                     strio_resume_fn r2, int *res2)
{
    static struct tb_both_frame f;
    strio_task t;
    tb_both_start(&f, &pool.pool, f1, r1, res1, f2, r2, res2);
    strio_task_init(&t, tb_both_resume, &f, &f.strio_ret);
    int rc = strio_loop_run(&loop, &t);
    if (rc < 0 || f.strio_ret < 0)
        die("run", rc < 0 ? rc : f.strio_ret);
}

static void strio_handshake(void)
{
    union tb_frame *f1 = strio_pool_try_get(&pool.pool);
    union tb_frame *f2 = strio_pool_try_get(&pool.pool);
    tb_handshake_start(&f1->hs, &tc);
    tb_handshake_start(&f2->hs, &ts);
    run_both(f1, tb_handshake_resume, &f1->hs.strio_ret, f2,
             tb_handshake_resume, &f2->hs.strio_ret);
}

static void strio_bulk(unsigned long total, int tcp)
{
    unsigned long count = 0;
    strio_setup(tcp);
    strio_handshake();
    union tb_frame *f1 = strio_pool_try_get(&pool.pool);
    union tb_frame *f2 = strio_pool_try_get(&pool.pool);
    tb_send_start(&f1->send, &tc.base, data, CHUNK, total);
    tb_receive_start(&f2->receive, &ts.base, sink, CHUNK, &count);
    double c0 = now(CLOCK_THREAD_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
    run_both(f1, tb_send_resume, &f1->send.strio_ret, f2, tb_receive_resume,
             &f2->receive.strio_ret);
    double c1 = now(CLOCK_THREAD_CPUTIME_ID), w1 = now(CLOCK_MONOTONIC);
    if (count != total)
        die("short transfer", -EPROTO);
    printf("mb_per_s %.1f\nwall_mb_per_s %.1f\nswitches %lu\n",
           total / (c1 - c0) / 1e6, total / (w1 - w0) / 1e6, loop.switches);
}

static void strio_handshakes(unsigned long n)
{
    double w0 = now(CLOCK_MONOTONIC);
    for (unsigned long i = 0; i < n; i++) {
        strio_setup(0);
        strio_handshake();
    }
    printf("hs_per_s %.1f\n", n / (now(CLOCK_MONOTONIC) - w0));
}

/* The client side of the comparison with openssl s_client (bench/tls.py
 * times this process from outside, as it times s_client). */
static void strio_get(unsigned port, const char *path)
{
    static char req[600];
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    strio_socket x;
    unsigned long count = 0;
    int rc = 0;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
        rc = -errno;
    if (rc == 0)
        rc = strio_socket_from_fd(&x, fd);
    if (rc < 0)
        die("connect", rc);
    strio_socket_stream_init(&sa, &x);
    if ((rc = strio_tls_client_init(&tc, &sa.base, &ccfg, cbuf,
                                    sizeof cbuf)) < 0)
        die("init", rc);
    int len = snprintf(req, sizeof req, "GET /%s HTTP/1.0\r\n\r\n", path);
    union tb_frame *f = strio_pool_try_get(&pool.pool);
    tb_get_start(&f->get, &tc.base, req, (size_t)len, sink, CHUNK, &count);
    strio_task t;
    strio_task_init(&t, tb_get_resume, &f->get, &f->get.strio_ret);
    rc = strio_loop_run(&loop, &t);
    if (rc < 0 || f->get.strio_ret < 0)
        die("get", rc < 0 ? rc : f->get.strio_ret);
    printf("bytes %lu\n", count);
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "sizes") == 0) {
        printf("stream %zu\nbidi %d\nmono %d\nbidi1024 %d\nmono512 %d\n",
               sizeof(strio_tls_stream), STRIO_TLS_BUF_BIDI,
               STRIO_TLS_BUF_MONO, STRIO_TLS_BUF_SIZE(1024, 1),
               STRIO_TLS_BUF_SIZE(512, 0));
        return 0;
    }
    if (argc < 3)
        return 2;
    load_creds();
    int chacha = argc >= 3 && strcmp(argv[2], "chacha") == 0;
    suite_family = chacha ? STRIO_TLS_CHACHA20 : STRIO_TLS_AES_GCM;
    suite_id = chacha ? BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
                      : BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256;
    ccfg.anchors = anchors.ta;
    ccfg.anchor_count = anchors.count;
    ccfg.server_name = "localhost";
    ccfg.suites = suite_family;
    scfg.chain = &chain;
    scfg.key = &key;
    strio_monotonic_clock_init(&clock_);
    if (STRIO_POLL_SETUP(io) < 0)
        die("poll", -EIO);
    strio_loop_init(&loop, &clock_, strio_poll_backend(&io.poll));
    STRIO_POOL_SETUP(pool);
    memset(data, 'x', sizeof data);
    if (strcmp(argv[1], "raw") == 0 && argc >= 4)
        raw_bulk(strtoul(argv[3], NULL, 10));
    else if (strcmp(argv[1], "strio") == 0 && argc >= 5)
        strio_bulk(strtoul(argv[3], NULL, 10), strcmp(argv[4], "tcp") == 0);
    else if (strcmp(argv[1], "get") == 0 && argc >= 5)
        strio_get((unsigned)strtoul(argv[3], NULL, 10), argv[4]);
    else if (strcmp(argv[1], "hs_raw") == 0)
        raw_handshakes(strtoul(argv[2], NULL, 10));
    else if (strcmp(argv[1], "hs_strio") == 0)
        strio_handshakes(strtoul(argv[2], NULL, 10));
    else
        return 2;
    return 0;
}
