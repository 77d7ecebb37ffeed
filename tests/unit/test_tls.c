/*
 * TLS streams (runtime/src/tls.c, tls_impl.sc) and credentials
 * (tls_creds.c): strio against strio over memory pairs (virtual clock,
 * fault injection), over TCP loopback, and against the real openssl
 * s_server / s_client (subprocesses on 127.0.0.1, started with fork/exec,
 * ready when they say so, always killed and reaped).
 *
 * Keys and certificates are made by tests/unit/tls_fixtures.sh with the
 * openssl CLI into a temporary directory, once per test process (about a
 * second; ECDSA P-256 keys, one RSA-2048), and removed at its exit.
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <strio/strio.h>
#include <strio/conformance.h>
#include <strio/memstream.h>
#include <strio/posix.h>
#include <strio/socket.h>
#include <strio/socket_stream.h>
#include <strio/stapled.h>
#include <strio/tls.h>
#include <strio/tls_creds.h>

#include "sweep.h"
#include "tls_tasks.h"

/* ======================================================================== */
/* Fixtures                                                                 */
/* ======================================================================== */

static char fx_dir[256];

/* Runs argv to completion (bounded: killed after `secs`); returns its
 * exit status or -1. */
static int run_cmd(char *const argv[], int secs, const char *out_path)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (out_path != NULL) {
            int fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                          0600);
            if (fd >= 0)
                dup2(fd, 1);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    for (int i = 0; i < secs * 100; i++) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return -1;
}

static void fixtures_remove(void)
{
    if (fx_dir[0] != '\0') {
        char *argv[] = { "rm", "-rf", fx_dir, NULL };
        run_cmd(argv, 10, NULL);
        fx_dir[0] = '\0';
    }
}

/* Once per run: the runner makes them before the first test and removes
 * them after the last (tests run in processes of their own and find the
 * directory in the environment). A test run alone makes its own. */
static int make_fixtures(char *dir, size_t cap)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, cap, "%s/strio-tls-XXXXXX",
             tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        return -1;
    char *argv[] = { "sh", "tests/unit/tls_fixtures.sh", dir, NULL };
    return run_cmd(argv, 30, NULL);
}

static char run_dir[256];

ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    (void)set;
    if (getenv("STRIO_TLS_FIXTURES") == NULL &&
        make_fixtures(run_dir, sizeof run_dir) == 0)
        setenv("STRIO_TLS_FIXTURES", run_dir, 1);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats)
{
    (void)stats;
    if (run_dir[0] != '\0') {
        char *argv[] = { "rm", "-rf", run_dir, NULL };
        run_cmd(argv, 10, NULL);
    }
}

static void fixtures(void)
{
    if (fx_dir[0] != '\0')
        return;
    const char *env = getenv("STRIO_TLS_FIXTURES");
    char done[300];
    snprintf(done, sizeof done, "%s/done", env != NULL ? env : "");
    if (env != NULL && access(done, F_OK) == 0) {
        snprintf(fx_dir, sizeof fx_dir, "%s", env);
        return;
    }
    int rc = make_fixtures(fx_dir, sizeof fx_dir);
    cr_assert_eq(rc, 0, "tls_fixtures.sh failed (%d)", rc);
    atexit(fixtures_remove);
}

static const char *fx(const char *name)
{
    static char path[4][320];
    static int next;
    char *p = path[next++ % 4];
    fixtures();
    snprintf(p, sizeof path[0], "%s/%s", fx_dir, name);
    return p;
}

/* A file's bytes (static storage per slot). */
static size_t load(const char *name, unsigned char *buf, size_t cap)
{
    size_t len;
    int rc = strio_tls_read_file(fx(name), buf, cap, &len);
    cr_assert_eq(rc, 0, "%s: %s", name, strio_strerror(rc));
    return len;
}

/* Credentials of one party. */
struct creds {
    strio_tls_anchors anchors;
    br_x509_trust_anchor ta[4];
    unsigned char ta_mem[4096];
    strio_tls_chain chain;
    br_x509_certificate certs[4];
    unsigned char chain_mem[8192];
    strio_tls_key key;
};

static void creds_anchor(struct creds *c, const char *pem)
{
    static unsigned char buf[16384];
    size_t len = load(pem, buf, sizeof buf);
    if (c->anchors.ta == NULL)
        strio_tls_anchors_init(&c->anchors, c->ta, 4, c->ta_mem,
                               sizeof c->ta_mem);
    long n = strio_tls_anchors_add_pem(&c->anchors, buf, len);
    cr_assert_eq(n, 1, "%s: %ld", pem, n);
}

/* chain from NAME.pem, key from NAME.key */
static void creds_cert(struct creds *c, const char *name)
{
    static unsigned char buf[16384];
    char file[64];
    snprintf(file, sizeof file, "%s.pem", name);
    size_t len = load(file, buf, sizeof buf);
    strio_tls_chain_init(&c->chain, c->certs, 4, c->chain_mem,
                         sizeof c->chain_mem);
    cr_assert_geq(strio_tls_chain_add_pem(&c->chain, buf, len), 1);
    snprintf(file, sizeof file, "%s.key", name);
    len = load(file, buf, sizeof buf);
    int rc = strio_tls_key_from_pem(&c->key, buf, len);
    cr_assert_eq(rc, 0, "%s: %s", file, strio_strerror(rc));
}

/* ======================================================================== */
/* Loops                                                                    */
/* ======================================================================== */

static STRIO_POLL(io, 64);
static STRIO_POOL(pool, struct tl_side_frame, 4);
static STRIO_POOL(pool2, struct tl_side_frame, 4);
static strio_clock mono;
static strio_loop loop;          /* real clock, poll backend */
static strio_vclock vc;
static strio_loop vloop;         /* virtual clock, no I/O */

static void setup(void)
{
    strio_monotonic_clock_init(&mono);
    cr_assert_eq(STRIO_POLL_SETUP(io), 0);
    strio_loop_init(&loop, &mono, strio_poll_backend(&io.poll));
    strio_vclock_init(&vc, 0, 1);
    strio_loop_init(&vloop, &vc.clock, NULL);
    STRIO_POOL_SETUP(pool);
    STRIO_POOL_SETUP(pool2);
    signal(SIGPIPE, SIG_IGN);
}

static void peers_kill(void);

static void teardown(void)
{
    peers_kill();                       /* also after a failed assertion */
    strio_poll_close(&io.poll);
}

TestSuite(tls, .init = setup, .fini = teardown, .timeout = 20);

#define RUN_IN(lp, fn, frame, ...)                                           \
    ({                                                                       \
        strio_task t_;                                                       \
        fn##_start(&(frame), __VA_ARGS__);                                   \
        strio_task_init(&t_, fn##_resume, &(frame), &(frame).strio_ret);     \
        int lrc_ = strio_loop_run((lp), &t_);                                \
        cr_assert_eq(lrc_, 0, "loop: %s", strio_strerror(lrc_));             \
        (frame).strio_ret;                                                   \
    })

/* Runs jobs concurrently in `lp`; each job's result is in jobs[i].rc. */
static void run_jobs(strio_loop *lp, struct tl_job *jobs, int n)
{
    static struct tl_run_frame f;
    int rc = RUN_IN(lp, tl_run, f, &pool.pool, jobs, n);
    cr_assert_eq(rc, 0, "nursery: %s", strio_strerror(rc));
}

/* ======================================================================== */
/* Pairs over memory                                                        */
/* ======================================================================== */

struct mem_tls {
    strio_memory_stream_pair mem;
    unsigned char ab[8192], ba[8192];
    strio_fault_stream fa, fb;
    strio_tls_stream c, s;
    unsigned char cbuf[STRIO_TLS_BUF_BIDI], sbuf[STRIO_TLS_BUF_BIDI];
    unsigned char peer[8192];
};

static struct creds cli, srv;
static struct mem_tls P;

/* Sets up P: a client and a server TLS stream over a memory pair (with
 * fault injection when seed != 0). The configs may be tweaked first. */
static strio_tls_client_config ccfg;
static strio_tls_server_config scfg;

static void default_configs(const char *server_cert)
{
    memset(&cli, 0, sizeof cli);
    memset(&srv, 0, sizeof srv);
    creds_anchor(&cli, "ca.pem");
    creds_cert(&srv, server_cert);
    memset(&ccfg, 0, sizeof ccfg);
    ccfg.anchors = cli.anchors.ta;
    ccfg.anchor_count = cli.anchors.count;
    ccfg.server_name = "localhost";
    ccfg.peer_chain_buf = P.peer;
    ccfg.peer_chain_cap = sizeof P.peer;
    memset(&scfg, 0, sizeof scfg);
    scfg.chain = &srv.chain;
    scfg.key = &srv.key;
}

static void mem_pair(struct mem_tls *p, uint64_t seed, size_t cbuf_len,
                     size_t sbuf_len)
{
    strio_stream *a, *b;
    cr_assert_eq(strio_memory_stream_pair_init(&p->mem, p->ab, sizeof p->ab,
                                               p->ba, sizeof p->ba), 0);
    a = &p->mem.a.base;
    b = &p->mem.b.base;
    if (seed != 0) {
        strio_fault_config fc = { .seed = seed, .send_chunk_max = 300,
                                  .receive_max = 200,
                                  .delay_max = STRIO_US(300),
                                  .delay_percent = 20 };
        strio_fault_stream_init(&p->fa, a, &fc);
        fc.seed = seed * 7 + 1;
        strio_fault_stream_init(&p->fb, b, &fc);
        a = &p->fa.base;
        b = &p->fb.base;
    }
    int rc = strio_tls_client_init(&p->c, a, &ccfg, p->cbuf, cbuf_len);
    cr_assert_eq(rc, 0, "client init: %s", strio_strerror(rc));
    rc = strio_tls_server_init(&p->s, b, &scfg, p->sbuf, sbuf_len);
    cr_assert_eq(rc, 0, "server init: %s", strio_strerror(rc));
}

static unsigned char pattern[200000];

static void fill_pattern(void)
{
    unsigned x = 12345;
    for (size_t i = 0; i < sizeof pattern; i++) {
        x = x * 1103515245u + 12345u;
        pattern[i] = (unsigned char)(x >> 16);
    }
}

static unsigned char got[200000];

/* Client sends `len` pattern bytes, the server echoes, the client checks
 * them; both close. */
static void echo_over(strio_loop *lp, strio_stream *c, strio_tls_stream *ct,
                      strio_stream *s, size_t len, int handshake_first)
{
    fill_pattern();
    memset(got, 0, len);
    /* the client sends and reads at once (a sender that reads only at the
     * end would deadlock with an echo server once the transports fill) */
    struct tl_job jobs[3] = {
        { .kind = TL_CLIENT, .s = c, .tls = ct, .data = pattern, .len = len,
          .handshake_first = handshake_first, .no_close = 1 },
        { .kind = TL_READ_ALL, .s = c, .buf = got, .want = len },
        { .kind = TL_ECHO, .s = s },
    };
    run_jobs(lp, jobs, 3);
    cr_assert_eq(jobs[0].rc, 0, "client: %s (BearSSL %d)",
                 strio_strerror((int)jobs[0].rc), strio_tls_last_error(ct));
    cr_assert_eq(jobs[1].rc, 0, "client reader: %s (BearSSL %d)",
                 strio_strerror((int)jobs[1].rc), strio_tls_last_error(ct));
    cr_assert_eq(jobs[2].rc, 0, "server: %s", strio_strerror((int)jobs[2].rc));
    cr_assert_eq(jobs[1].got, (long)len);
    cr_assert_eq(memcmp(got, pattern, len), 0);
    cr_assert_eq(jobs[2].got, (long)len);
}

Test(tls, memory_echo_ecdsa)
{
    default_configs("ec");
    mem_pair(&P, 0, sizeof P.cbuf, sizeof P.sbuf);
    echo_over(&vloop, &P.c.base, &P.c, &P.s.base, 100000, 1);
    cr_assert(strio_tls_handshake_done(&P.c));
    unsigned suite = strio_tls_cipher_suite(&P.c);
    cr_assert(suite == BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, "%x",
              suite);
    /* the server's chain as it was sent */
    const unsigned char *der;
    size_t len;
    cr_assert_eq(strio_tls_peer_cert_count(&P.c), 1);
    cr_assert_eq(strio_tls_peer_cert(&P.c, 0, &der, &len), 0);
    cr_assert_eq(len, srv.chain.certs[0].data_len);
    cr_assert_eq(memcmp(der, srv.chain.certs[0].data, len), 0);
    cr_assert_eq(strio_tls_peer_cert(&P.c, 1, &der, &len), -ENOENT);
    cr_assert_null(strio_tls_alpn(&P.c));
    cr_assert_eq(strio_tls_last_error(&P.c), 0);
}

Test(tls, memory_echo_rsa_chacha_implicit_handshake)
{
    default_configs("rsa");
    ccfg.suites = STRIO_TLS_CHACHA20;
    mem_pair(&P, 0, sizeof P.cbuf, sizeof P.sbuf);
    echo_over(&vloop, &P.c.base, &P.c, &P.s.base, 20000, 0);
    cr_assert_eq(strio_tls_cipher_suite(&P.c),
                 BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256);
}

Test(tls, memory_echo_with_fault_injection)
{
    default_configs("ec");
    for (uint64_t seed = 1; seed <= 4; seed++) {
        mem_pair(&P, seed, sizeof P.cbuf, sizeof P.sbuf);
        echo_over(&vloop, &P.c.base, &P.c, &P.s.base, 30000, seed & 1);
    }
}

Test(tls, small_buffers_max_fragment_length)
{
    default_configs("ec");
    /* bidi with 1 KiB records on the client, half duplex 512 on the
     * server: the client asks for max_fragment_length */
    mem_pair(&P, 3, STRIO_TLS_BUF_SIZE(1024, 1), STRIO_TLS_BUF_BIDI);
    echo_over(&vloop, &P.c.base, &P.c, &P.s.base, 10000, 1);
    scfg.half_duplex = 1;
    ccfg.half_duplex = 1;
    mem_pair(&P, 0, STRIO_TLS_BUF_SIZE(512, 0), STRIO_TLS_BUF_MONO);
    /* half duplex: request/response */
    struct tl_job jobs[2] = {
        { .kind = TL_CLIENT, .s = &P.c.base, .data = (const unsigned char *)
          "ping\n", .len = 5, .buf = got, .want = 5 },
        { .kind = TL_SERVE_LINE, .s = &P.s.base, .buf = got + 100,
          .want = 100, .data = (const unsigned char *)"pong\n", .len = 5 },
    };
    run_jobs(&vloop, jobs, 2);
    cr_assert_eq(jobs[0].rc, 0, "%s", strio_strerror((int)jobs[0].rc));
    cr_assert_eq(jobs[1].rc, 0, "%s", strio_strerror((int)jobs[1].rc));
    cr_assert_eq(memcmp(got, "pong\n", 5), 0);
    /* a buffer too small for any record */
    strio_tls_stream t;
    unsigned char tiny[600];
    cr_assert_eq(strio_tls_client_init(&t, &P.mem.a.base, &ccfg, tiny,
                                       sizeof tiny), -EINVAL);
}

Test(tls, alpn_offer_and_select)
{
    static const char *const offer[] = { "h2", "http/1.1" };
    static const char *const accept[] = { "http/1.1", "x-other" };
    default_configs("ec");
    ccfg.alpn = offer;
    ccfg.alpn_count = 2;
    scfg.alpn = accept;
    scfg.alpn_count = 2;
    mem_pair(&P, 0, sizeof P.cbuf, sizeof P.sbuf);
    echo_over(&vloop, &P.c.base, &P.c, &P.s.base, 10, 1);
    cr_assert_str_eq(strio_tls_alpn(&P.c), "http/1.1");
    cr_assert_str_eq(strio_tls_alpn(&P.s), "http/1.1");
}

Test(tls, mutual_tls)
{
    default_configs("ec");
    struct creds ccert, sanchor;
    memset(&ccert, 0, sizeof ccert);
    memset(&sanchor, 0, sizeof sanchor);
    creds_cert(&ccert, "client");
    creds_anchor(&sanchor, "ca.pem");
    scfg.client_anchors = sanchor.anchors.ta;
    scfg.client_anchor_count = sanchor.anchors.count;
    static unsigned char speer[4096];
    scfg.peer_chain_buf = speer;
    scfg.peer_chain_cap = sizeof speer;
    /* without a client certificate: refused */
    mem_pair(&P, 0, sizeof P.cbuf, sizeof P.sbuf);
    struct tl_job jobs[2] = {
        { .kind = TL_HANDSHAKE, .tls = &P.c },
        { .kind = TL_HANDSHAKE, .tls = &P.s },
    };
    run_jobs(&vloop, jobs, 2);
    cr_assert_eq(jobs[1].rc, STRIO_ETLS_HANDSHAKE, "%s",
                 strio_strerror((int)jobs[1].rc));
    cr_assert_eq(jobs[0].rc, STRIO_ETLS_HANDSHAKE, "%s",
                 strio_strerror((int)jobs[0].rc));
    cr_log_info("no client certificate: server %d, client %d",
                strio_tls_last_error(&P.s), strio_tls_last_error(&P.c));
    cr_assert_neq(strio_tls_last_error(&P.s), 0);
    /* with one */
    ccfg.chain = &ccert.chain;
    ccfg.key = &ccert.key;
    mem_pair(&P, 0, sizeof P.cbuf, sizeof P.sbuf);
    echo_over(&vloop, &P.c.base, &P.c, &P.s.base, 1000, 1);
    const unsigned char *der;
    size_t len;
    cr_assert_eq(strio_tls_peer_cert(&P.s, 0, &der, &len), 0);
    cr_assert_eq(len, ccert.chain.certs[0].data_len);
    cr_assert_eq(memcmp(der, ccert.chain.certs[0].data, len), 0);
}

Test(tls, session_resumption_with_a_caller_sized_cache)
{
    static br_ssl_session_cache_lru lru;
    static unsigned char store[4096];
    br_ssl_session_parameters sess;
    default_configs("ec");
    br_ssl_session_cache_lru_init(&lru, store, sizeof store);
    scfg.cache = &lru;
    memset(&sess, 0, sizeof sess);
    ccfg.session = &sess;
    mem_pair(&P, 0, sizeof P.cbuf, sizeof P.sbuf);
    echo_over(&vloop, &P.c.base, &P.c, &P.s.base, 100, 1);
    cr_assert_eq(strio_tls_resumed(&P.c), 0);
    cr_assert_gt(sess.session_id_len, 0);
    unsigned char id[32];
    memcpy(id, sess.session_id, sizeof id);
    mem_pair(&P, 0, sizeof P.cbuf, sizeof P.sbuf);
    echo_over(&vloop, &P.c.base, &P.c, &P.s.base, 100, 1);
    cr_assert_eq(strio_tls_resumed(&P.c), 1);
    cr_assert_eq(memcmp(id, sess.session_id, sizeof id), 0);
    cr_assert_eq(strio_tls_peer_cert_count(&P.c), 0);
    /* a server without a cache cannot resume: full handshake */
    scfg.cache = NULL;
    mem_pair(&P, 0, sizeof P.cbuf, sizeof P.sbuf);
    echo_over(&vloop, &P.c.base, &P.c, &P.s.base, 100, 1);
    cr_assert_eq(strio_tls_resumed(&P.c), 0);
}

/* A client handshake against a server with `cert` fails with `want`. */
static void rejected(const char *cert, const char *name, int want,
                     int br_want)
{
    default_configs(cert);
    if (name != NULL)
        ccfg.server_name = name;
    mem_pair(&P, 0, sizeof P.cbuf, sizeof P.sbuf);
    struct tl_job jobs[2] = {
        { .kind = TL_HANDSHAKE, .tls = &P.c },
        { .kind = TL_HANDSHAKE, .tls = &P.s },
    };
    run_jobs(&vloop, jobs, 2);
    cr_assert_eq(jobs[0].rc, want, "%s: %s (BearSSL %d)", cert,
                 strio_strerror((int)jobs[0].rc), strio_tls_last_error(&P.c));
    cr_assert_eq(strio_tls_last_error(&P.c), br_want);
    cr_assert_eq(jobs[0].rc2, want);            /* sticky */
    /* BearSSL sends no alert for a certificate it refuses: the server
     * sees the connection end during the handshake */
    cr_assert_eq(jobs[1].rc, STRIO_ETLS_HANDSHAKE, "server: %s",
                 strio_strerror((int)jobs[1].rc));
    cr_assert_eq(strio_tls_last_error(&P.s), BR_ERR_IO);
}

Test(tls, rejects_expired)
{
    rejected("expired", NULL, STRIO_ETLS_EXPIRED, BR_ERR_X509_EXPIRED);
}

Test(tls, rejects_wrong_host)
{
    rejected("wrong", NULL, STRIO_ETLS_HOSTNAME, BR_ERR_X509_BAD_SERVER_NAME);
    rejected("ec", "example.com", STRIO_ETLS_HOSTNAME,
             BR_ERR_X509_BAD_SERVER_NAME);
}

Test(tls, rejects_self_signed)
{
    rejected("self", NULL, STRIO_ETLS_UNTRUSTED, BR_ERR_X509_NOT_TRUSTED);
}

Test(tls, rejects_untrusted_ca)
{
    rejected("untrusted", NULL, STRIO_ETLS_UNTRUSTED,
             BR_ERR_X509_NOT_TRUSTED);
}

Test(tls, client_config_is_checked)
{
    strio_tls_stream t;
    default_configs("ec");
    ccfg.server_name = NULL;
    cr_assert_eq(strio_tls_client_init(&t, &P.mem.a.base, &ccfg, P.cbuf,
                                       sizeof P.cbuf), -EINVAL);
    ccfg.server_name = "localhost";
    ccfg.anchor_count = 0;
    cr_assert_eq(strio_tls_client_init(&t, &P.mem.a.base, &ccfg, P.cbuf,
                                       sizeof P.cbuf), -EINVAL);
    scfg.key = NULL;
    cr_assert_eq(strio_tls_server_init(&t, &P.mem.b.base, &scfg, P.sbuf,
                                       sizeof P.sbuf), -EINVAL);
}

Test(tls, send_eof_is_not_offered)
{
    default_configs("ec");
    mem_pair(&P, 0, sizeof P.cbuf, sizeof P.sbuf);
    cr_assert_eq(strio_stream_can_send_eof(&P.c.base), 0);
}

/* EOF without close_notify: truncation, unless https_compatible. */
static void truncation(int compat)
{
    default_configs("ec");
    ccfg.https_compatible = compat;
    mem_pair(&P, 0, sizeof P.cbuf, sizeof P.sbuf);
    struct tl_job jobs[2] = {
        { .kind = TL_HANDSHAKE, .tls = &P.c, .no_close = 1 },
        { .kind = TL_HANDSHAKE, .tls = &P.s, .no_close = 1 },
    };
    run_jobs(&vloop, jobs, 2);
    cr_assert_eq(jobs[0].rc, 0);
    /* the server sends data, then its transport just closes */
    struct tl_job j2[2] = {
        { .kind = TL_CLIENT, .s = &P.s.base, .data = (const unsigned char *)
          "abc", .len = 3, .no_close = 1 },
        { .kind = TL_READ_ALL, .s = &P.c.base, .buf = got, .want = 100,
          .no_close = 1 },
    };
    static struct tl_close_frame cf;
    run_jobs(&vloop, j2, 1);
    RUN_IN(&vloop, tl_close, cf, &P.mem.b.base);      /* transport only */
    run_jobs(&vloop, j2 + 1, 1);
    cr_assert_eq(j2[1].got, 3);
    cr_assert_eq(memcmp(got, "abc", 3), 0);
    if (compat) {
        cr_assert_eq(j2[1].rc, 0);
    } else {
        cr_assert_eq(j2[1].rc, STRIO_ETLS_TRUNCATED, "%s",
                     strio_strerror((int)j2[1].rc));
        cr_assert_eq(strio_tls_last_error(&P.c), BR_ERR_IO);
    }
    RUN_IN(&vloop, tl_close, cf, &P.c.base);
    P.s.closed = 1;     /* its transport is gone already */
}

Test(tls, eof_without_close_notify_is_truncation)
{
    truncation(0);
}

Test(tls, eof_without_close_notify_https_compatible)
{
    truncation(1);
}

Test(tls, close_notify_gives_clean_eof)
{
    default_configs("ec");
    mem_pair(&P, 0, sizeof P.cbuf, sizeof P.sbuf);
    struct tl_job jobs[2] = {
        { .kind = TL_CLIENT, .s = &P.s.base, .data = (const unsigned char *)
          "hello", .len = 5 },                          /* then closes */
        { .kind = TL_READ_ALL, .s = &P.c.base, .buf = got, .want = 100 },
    };
    run_jobs(&vloop, jobs, 2);
    cr_assert_eq(jobs[0].rc, 0, "%s", strio_strerror((int)jobs[0].rc));
    cr_assert_eq(jobs[1].rc, 0, "%s", strio_strerror((int)jobs[1].rc));
    cr_assert_eq(jobs[1].got, 5);
}

Test(tls, unwrap_hands_back_the_transport)
{
    default_configs("ec");
    mem_pair(&P, 5, sizeof P.cbuf, sizeof P.sbuf);
    struct tl_job jobs[2] = {
        { .kind = TL_UNWRAP, .tls = &P.c },
        { .kind = TL_UNWRAP, .tls = &P.s },
    };
    run_jobs(&vloop, jobs, 2);
    cr_assert_eq(jobs[0].rc, 0, "%s", strio_strerror((int)jobs[0].rc));
    cr_assert_eq(jobs[1].rc, 0, "%s", strio_strerror((int)jobs[1].rc));
    cr_assert_eq(jobs[0].unwrapped, &P.fa.base);
    cr_assert_eq(jobs[1].unwrapped, &P.fb.base);
    /* plaintext on the transports now, nothing lost or left over */
    static struct tl_send_plain_frame sf;
    static struct tl_read_plain_frame rf;
    long n = 0;
    cr_assert_eq(RUN_IN(&vloop, tl_send_plain, sf, jobs[1].unwrapped,
                        "plain", 5), 0);
    cr_assert_eq(RUN_IN(&vloop, tl_read_plain, rf, jobs[0].unwrapped, got, 5,
                        &n), 0);
    cr_assert_eq(n, 5);
    cr_assert_eq(memcmp(got, "plain", 5), 0);
    /* the TLS streams are closed; closing them leaves the transports */
    static struct tl_send_plain_frame sf2;
    cr_assert_eq(RUN_IN(&vloop, tl_send_plain, sf2, &P.c.base, "x", 1),
                 STRIO_ECLOSED);
    static struct tl_close_frame cf;
    cr_assert_eq(RUN_IN(&vloop, tl_close, cf, &P.c.base), 0);
    cr_assert_eq(RUN_IN(&vloop, tl_send_plain, sf2, jobs[0].unwrapped, "y",
                        1), 0);
}

/* TLS inside TLS, over a memory pair with fault injection. */
Test(tls, tls_over_tls)
{
    static strio_tls_stream ic, is;
    static unsigned char icb[STRIO_TLS_BUF_BIDI], isb[STRIO_TLS_BUF_BIDI];
    default_configs("ec");
    mem_pair(&P, 9, sizeof P.cbuf, sizeof P.sbuf);
    strio_tls_client_config c2 = ccfg;
    c2.peer_chain_buf = NULL;
    cr_assert_eq(strio_tls_client_init(&ic, &P.c.base, &c2, icb, sizeof icb),
                 0);
    cr_assert_eq(strio_tls_server_init(&is, &P.s.base, &scfg, isb,
                                       sizeof isb), 0);
    echo_over(&vloop, &ic.base, &ic, &is.base, 50000, 0);
    cr_assert(strio_tls_handshake_done(&P.c));
    cr_assert(strio_tls_handshake_done(&ic));
}

/* TLS over stapled streams: each direction is a one-way kernel pipe of
 * its own (a socketpair used one way; strio has no pipe stream yet), the
 * two stapled into one transport per end, as for a subprocess's stdin and
 * stdout. */
Test(tls, tls_over_stapled_pipes)
{
    static strio_socket_stream up_w, up_r, down_w, down_r;
    static strio_stapled_stream cst, sst;
    cr_assert_eq(strio_socket_stream_pair(&up_w, &up_r), 0);
    cr_assert_eq(strio_socket_stream_pair(&down_w, &down_r), 0);
    strio_stapled_stream_init(&cst, &up_w.base, &down_r.base);
    strio_stapled_stream_init(&sst, &down_w.base, &up_r.base);
    default_configs("rsa");
    cr_assert_eq(strio_tls_client_init(&P.c, &cst.base, &ccfg, P.cbuf,
                                       sizeof P.cbuf), 0);
    cr_assert_eq(strio_tls_server_init(&P.s, &sst.base, &scfg, P.sbuf,
                                       sizeof P.sbuf), 0);
    echo_over(&loop, &P.c.base, &P.c, &P.s.base, 100000, 1);
    /* closing the TLS streams closed all four fds */
    cr_assert_lt(up_w.sock.fd, 0);
    cr_assert_lt(up_r.sock.fd, 0);
    cr_assert_lt(down_w.sock.fd, 0);
    cr_assert_lt(down_r.sock.fd, 0);
}

/* ======================================================================== */
/* Conformance                                                              */
/* ======================================================================== */

struct cf_ctx {
    int tcp;
    uint64_t seed;
    strio_socket_listener l;
    unsigned port;
    strio_socket_stream sa, sb;
};

static struct cf_ctx CX;

/* The pair's handshake, run to completion in a loop of its own (make is
 * synchronous): the suite tests an established connection. */
static int handshake_now(int tcp)
{
    static STRIO_POLL(io2, 8);
    strio_vclock v2;
    strio_loop l2;
    static struct tl_run_frame f;
    strio_task t;
    if (tcp) {
        if (STRIO_POLL_SETUP(io2) < 0)
            return -EIO;
        strio_loop_init(&l2, &mono, strio_poll_backend(&io2.poll));
    } else {
        strio_vclock_init(&v2, 0, 1);
        strio_loop_init(&l2, &v2.clock, NULL);
    }
    static struct tl_job jobs[2];
    memset(jobs, 0, sizeof jobs);
    jobs[0].kind = jobs[1].kind = TL_HANDSHAKE;
    jobs[0].no_close = jobs[1].no_close = 1;
    jobs[0].tls = &P.c;
    jobs[1].tls = &P.s;
    STRIO_POOL_SETUP(pool2);
    tl_run_start(&f, &pool2.pool, jobs, 2);
    strio_task_init(&t, tl_run_resume, &f, &f.strio_ret);
    int rc = strio_loop_run(&l2, &t);
    if (tcp)
        strio_poll_close(&io2.poll);
    if (rc == 0)
        rc = jobs[0].rc < 0 ? (int)jobs[0].rc : (int)jobs[1].rc;
    return rc;
}

static int tcp_pair_now(strio_socket *a, strio_socket *b)
{
    strio_sockaddr addr;
    int rc = strio_socket_create(a, AF_INET, SOCK_STREAM, 0);
    if (rc < 0)
        return rc;
    rc = strio_resolve_remote_address(a, "127.0.0.1", CX.port, &addr);
    if (rc == 0 && connect(a->fd, &addr.u.sa, addr.len) < 0 &&
        errno != EINPROGRESS)
        rc = -errno;
    if (rc == 0) {
        int fd = -1;
        for (int i = 0; i < 1000 && fd < 0; i++) {
            fd = accept4(CX.l.sock.fd, NULL, NULL, SOCK_CLOEXEC |
                         SOCK_NONBLOCK);
            if (fd < 0)
                usleep(1000);
        }
        if (fd < 0)
            rc = -errno;
        else
            rc = strio_socket_from_fd(b, fd);
    }
    if (rc == 0) {
        struct pollfd p = { .fd = a->fd, .events = POLLOUT };
        poll(&p, 1, 1000);
    }
    return rc;
}

static int cf_make_any(int lockstep, strio_stream **a, strio_stream **b)
{
    strio_stream *x, *y;
    if (CX.tcp) {
        strio_socket s1, s2;
        int rc = tcp_pair_now(&s1, &s2);
        if (rc < 0)
            return rc;
        strio_socket_setsockopt_int(&s1, SOL_SOCKET, SO_SNDBUF, 65536);
        strio_socket_setsockopt_int(&s2, SOL_SOCKET, SO_SNDBUF, 65536);
        strio_socket_stream_init(&CX.sa, &s1);
        strio_socket_stream_init(&CX.sb, &s2);
        x = &CX.sa.base;
        y = &CX.sb.base;
    } else {
        if (lockstep)
            strio_lockstep_stream_pair_init(&P.mem);
        else
            cr_assert_eq(strio_memory_stream_pair_init(&P.mem, P.ab, 4096,
                                                       P.ba, 4096), 0);
        x = &P.mem.a.base;
        y = &P.mem.b.base;
        if (CX.seed != 0) {
            strio_fault_config fc = { .seed = CX.seed++, .send_chunk_max = 700,
                                      .receive_max = 500,
                                      .delay_max = STRIO_US(200),
                                      .delay_percent = 10 };
            strio_fault_stream_init(&P.fa, x, &fc);
            fc.seed += 1000;
            strio_fault_stream_init(&P.fb, y, &fc);
            x = &P.fa.base;
            y = &P.fb.base;
        }
    }
    int rc = strio_tls_client_init(&P.c, x, &ccfg, P.cbuf, sizeof P.cbuf);
    if (rc == 0)
        rc = strio_tls_server_init(&P.s, y, &scfg, P.sbuf, sizeof P.sbuf);
    if (rc == 0)
        rc = handshake_now(CX.tcp);
    *a = &P.c.base;
    *b = &P.s.base;
    return rc;
}

static int cf_make(void *ctx, strio_stream **a, strio_stream **b)
{
    (void)ctx;
    return cf_make_any(0, a, b);
}

/* TLS over a lockstep pair is clogged once handshaken: a record is only
 * taken when the peer's TLS stream reads (Trio's clogged SSL pairs). */
static int cf_make_clogged(void *ctx, strio_stream **a, strio_stream **b)
{
    (void)ctx;
    return cf_make_any(1, a, b);
}

static void report(void *arg, const char *property, const char *message)
{
    cr_log_error("%s: %s: %s", (const char *)arg, property, message);
}

static void conformance(int tcp, uint64_t seed)
{
    static strio_conformance cf;
    static struct tl_conformance_frame f;
    strio_stream_factory fac = {
        .name = tcp ? "TLS over TCP" : seed ? "TLS over faulty memory"
                                             : "TLS over memory",
        .ctx = &CX, .make = cf_make,
        /* TCP: no clogged pair (filling the sockets with raw bytes would
         * corrupt the records, a cancelled TLS send breaks the stream);
         * the lockstep memory pairs check those properties */
        .make_clogged = tcp ? NULL : cf_make_clogged,
    };
    default_configs("ec");
    /* the suite's forced closes end a side without close_notify, which
     * it wants read as end of stream or broken: https_compatible (the
     * strict mode is tested above) */
    ccfg.https_compatible = 1;
    scfg.https_compatible = 1;
    ccfg.peer_chain_buf = NULL;
    memset(&CX, 0, sizeof CX);
    CX.tcp = tcp;
    CX.seed = seed;
    if (tcp) {
        cr_assert_eq(strio_open_tcp_listener(&CX.l, "127.0.0.1", 0), 0);
        strio_sockaddr a;
        cr_assert_eq(strio_socket_getsockname(&CX.l.sock, &a), 0);
        CX.port = (unsigned)strio_sockaddr_port(&a);
    }
    strio_conformance_init(&cf);
    cf.on_fail = report;
    cf.arg = (void *)fac.name;
    cf.timeout = STRIO_SEC(5);
    cf.bulk_bytes = 65536;
    if (tcp)
        cf.settle = STRIO_MS(5);
    int rc = RUN_IN(tcp ? &loop : &vloop, tl_conformance, f, &cf, &fac);
    cr_assert_eq(rc, 0, "%s: %s: %s", fac.name,
                 cf.failed ? cf.failed : "?", cf.message);
    if (!tcp)
        cr_assert_eq(cf.skipped, 0);
    cr_assert_gt(cf.checked, tcp ? 30 : 40, "%u", cf.checked);
    if (tcp)
        strio_socket_listener_close(&CX.l);
}

Test(tls, conformance_memory)
{
    conformance(0, 0);
}

Test(tls, conformance_memory_fault_injection)
{
    conformance(0, 77);
}

Test(tls, conformance_tcp)
{
    conformance(1, 0);
}

/* ======================================================================== */
/* Against openssl s_server / s_client                                      */
/* ======================================================================== */

struct peer {
    pid_t pid;
    int in;                     /* its stdin (write end), -1 when closed */
    int out;                    /* its stdout+stderr (read end) */
    char text[65536];
    size_t len;
};

static struct peer PEER;

static void peer_start(struct peer *p, char *const argv[])
{
    int in[2], out[2];
    cr_assert_eq(pipe2(in, O_CLOEXEC), 0);
    cr_assert_eq(pipe2(out, O_CLOEXEC), 0);
    memset(p, 0, sizeof *p);
    p->pid = fork();
    cr_assert_geq(p->pid, 0);
    if (p->pid == 0) {
        /* dies with the test process, whatever happens to it */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(out[1], 2);
        if (chdir(fx_dir) < 0)
            _exit(126);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    p->in = in[1];
    p->out = out[0];
}

/* Reads its output until `needle` shows up (or it ends, or `ms` pass). */
static int peer_wait_for(struct peer *p, const char *needle, int ms)
{
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        p->text[p->len] = '\0';
        if (needle != NULL && strstr(p->text, needle) != NULL)
            return 1;
        clock_gettime(CLOCK_MONOTONIC, &t);
        long left = ms - ((t.tv_sec - t0.tv_sec) * 1000 +
                          (t.tv_nsec - t0.tv_nsec) / 1000000);
        struct pollfd pf = { .fd = p->out, .events = POLLIN };
        if (poll(&pf, 1, left > 0 ? (int)left : 0) <= 0)
            return 0;           /* nothing more within the time */
        ssize_t n = read(p->out, p->text + p->len,
                         sizeof p->text - 1 - p->len);
        if (n <= 0)
            return 0;
        p->len += (size_t)n;
    }
}

/* Closes its stdin, waits up to `ms` for it to exit, then kills it;
 * reaps it. Returns its exit status (-1: killed). */
static int peer_stop(struct peer *p, int ms)
{
    int status = 0;
    if (p->pid <= 0)
        return -1;
    if (p->in >= 0)
        close(p->in);
    p->in = -1;
    for (int i = 0; i < ms / 10; i++) {
        peer_wait_for(p, NULL, 0);
        if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
            p->pid = 0;
            break;
        }
        usleep(10000);
    }
    if (p->pid > 0) {
        kill(p->pid, SIGKILL);
        waitpid(p->pid, &status, 0);
        p->pid = 0;
        status = -1;
    }
    peer_wait_for(p, NULL, 0);
    close(p->out);
    return status == -1 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t len = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static strio_socket_stream SOCK;
static strio_tls_stream TLS;
static unsigned char TLSBUF[STRIO_TLS_BUF_BIDI];

/* Starts `openssl s_server -www` (it answers a GET with a page describing
 * the connection) with extra args; returns its port. */
static unsigned s_server(const char *cert, const char *const *extra)
{
    char port[16], certf[64], keyf[64], acc[32];
    unsigned p = 0;
    for (int attempt = 0; attempt < 5; attempt++) {
        p = free_port();
        snprintf(port, sizeof port, "%u", p);
        snprintf(acc, sizeof acc, "127.0.0.1:%u", p);
        snprintf(certf, sizeof certf, "%s.pem", cert);
        snprintf(keyf, sizeof keyf, "%s.key", cert);
        char *argv[32] = { "openssl", "s_server", "-accept", acc,
                           "-cert", certf, "-key", keyf, "-www" };
        int n = 9;
        for (int i = 0; extra != NULL && extra[i] != NULL; i++)
            argv[n++] = (char *)extra[i];
        argv[n] = NULL;
        fixtures();
        peer_start(&PEER, argv);
        if (peer_wait_for(&PEER, "ACCEPT", 5000))
            return p;
        peer_stop(&PEER, 100);      /* port taken meanwhile? retry */
    }
    cr_assert_fail("s_server did not start: %s", PEER.text);
    return 0;
}

/* Our client GETs s_server's status page (into `got`, NUL-terminated). */
static void client_vs_s_server(unsigned port)
{
    static struct tl_tcp_client_frame f;
    static struct tl_job j;
    static const char req[] = "GET / HTTP/1.0\r\n\r\n";
    memset(&j, 0, sizeof j);
    memset(got, 0, sizeof got);
    j.kind = TL_CLIENT;
    j.data = (const unsigned char *)req;
    j.len = sizeof req - 1;
    j.buf = got;
    j.want = sizeof got - 1;
    j.handshake_first = 1;
    int rc = RUN_IN(&loop, tl_tcp_client, f, port, &SOCK, &TLS, &ccfg,
                    TLSBUF, sizeof TLSBUF, &j);
    cr_assert_eq(rc, 0, "%s", strio_strerror(rc));
    cr_assert_eq(j.rc, 0, "%s (BearSSL %d); s_server said: %s",
                 strio_strerror((int)j.rc), strio_tls_last_error(&TLS),
                 PEER.text);
    cr_assert_not_null(strstr((char *)got, "HTTP/1.0 200 ok"), "%s", got);
    cr_assert_not_null(strstr((char *)got, "TLSv1.2, Cipher is ECDHE-"),
                       "%s", got);
}

Test(tls, client_against_s_server_ecdsa_and_rsa)
{
    default_configs("ec");
    unsigned port = s_server("ec", (const char *const[]){ "-naccept", "1",
                                                           NULL });
    client_vs_s_server(port);
    cr_assert_not_null(strstr((char *)got, "ECDHE-ECDSA-AES128-GCM-SHA256"));
    peer_stop(&PEER, 2000);
    port = s_server("rsa", (const char *const[]){ "-naccept", "1", NULL });
    client_vs_s_server(port);
    cr_assert_eq(strio_tls_cipher_suite(&TLS),
                 BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256);
    cr_assert_not_null(strstr((char *)got, "ECDHE-RSA-AES128-GCM-SHA256"));
    peer_stop(&PEER, 2000);
}

Test(tls, client_against_s_server_alpn_and_client_cert)
{
    static const char *const offer[] = { "h2", "http/1.1" };
    struct creds ccert;
    memset(&ccert, 0, sizeof ccert);
    default_configs("ec");
    creds_cert(&ccert, "client");
    ccfg.alpn = offer;
    ccfg.alpn_count = 2;
    ccfg.chain = &ccert.chain;
    ccfg.key = &ccert.key;
    unsigned port = s_server("ec", (const char *const[]){
        "-naccept", "1", "-alpn", "http/1.1", "-Verify", "1",
        "-verify_return_error", "-CAfile", "ca.pem", NULL });
    client_vs_s_server(port);
    cr_assert_str_eq(strio_tls_alpn(&TLS), "http/1.1");
    peer_stop(&PEER, 2000);
    cr_assert_not_null(strstr(PEER.text, "CN = strio client"), "%s",
                       PEER.text);
}

Test(tls, client_against_s_server_resumes)
{
    br_ssl_session_parameters sess;
    default_configs("ec");
    memset(&sess, 0, sizeof sess);
    ccfg.session = &sess;
    unsigned port = s_server("ec", (const char *const[]){ "-naccept", "2",
                                                           NULL });
    client_vs_s_server(port);
    cr_assert_eq(strio_tls_resumed(&TLS), 0);
    cr_assert_not_null(strstr((char *)got, "New, TLSv1.2"), "%s", got);
    client_vs_s_server(port);
    cr_assert_eq(strio_tls_resumed(&TLS), 1);
    cr_assert_not_null(strstr((char *)got, "Reused, TLSv1.2"), "%s", got);
    peer_stop(&PEER, 2000);
}

Test(tls, client_rejects_s_server_certificates)
{
    const char *certs[] = { "expired", "wrong", "self", "untrusted" };
    int want[] = { STRIO_ETLS_EXPIRED, STRIO_ETLS_HOSTNAME,
                   STRIO_ETLS_UNTRUSTED, STRIO_ETLS_UNTRUSTED };
    for (int i = 0; i < 4; i++) {
        static struct tl_tcp_client_frame f;
        static struct tl_job j;
        default_configs("ec");
        unsigned port = s_server(certs[i], (const char *const[]){
            "-naccept", "1", NULL });
        memset(&j, 0, sizeof j);
        j.kind = TL_HANDSHAKE;
        int rc = RUN_IN(&loop, tl_tcp_client, f, port, &SOCK, &TLS, &ccfg,
                        TLSBUF, sizeof TLSBUF, &j);
        cr_assert_eq(rc, 0);
        cr_assert_eq(j.rc, want[i], "%s: %s", certs[i],
                     strio_strerror((int)j.rc));
        peer_stop(&PEER, 2000);
    }
}

/* s_client against our server: it sends "ping\n", we answer "pong\n". */
static void server_vs_s_client(const char *const *extra, int want_ok)
{
    static strio_socket_listener l;
    static struct tl_tcp_server_frame f;
    static struct tl_job j;
    cr_assert_eq(strio_open_tcp_listener(&l, "127.0.0.1", 0), 0);
    strio_sockaddr a;
    cr_assert_eq(strio_socket_getsockname(&l.sock, &a), 0);
    char conn[32];
    snprintf(conn, sizeof conn, "127.0.0.1:%d", strio_sockaddr_port(&a));
    char *argv[32] = { "openssl", "s_client", "-connect", conn, "-CAfile",
                       "ca.pem", "-servername", "localhost",
                       "-verify_return_error", "-tls1_2" };
    int n = 10;
    for (int i = 0; extra != NULL && extra[i] != NULL; i++)
        argv[n++] = (char *)extra[i];
    argv[n] = NULL;
    fixtures();
    peer_start(&PEER, argv);
    cr_assert_eq(write(PEER.in, "ping\n", 5), 5);
    memset(&j, 0, sizeof j);
    memset(got, 0, 128);
    j.kind = TL_SERVE_LINE;
    j.buf = got;
    j.want = 100;
    j.data = (const unsigned char *)"pong\n";
    j.len = 5;
    int rc = RUN_IN(&loop, tl_tcp_server, f, &l, &SOCK, &TLS, &scfg, TLSBUF,
                    sizeof TLSBUF, &j);
    strio_socket_listener_close(&l);
    cr_assert_eq(rc, 0);
    int st = peer_stop(&PEER, 3000);
    if (want_ok) {
        cr_assert_eq(j.rc, 0, "%s (BearSSL %d); s_client said: %s",
                     strio_strerror((int)j.rc), strio_tls_last_error(&TLS),
                     PEER.text);
        cr_assert_eq(memcmp(got, "ping\n", 5), 0);
        cr_assert_not_null(strstr(PEER.text, "pong"), "st %d: %s", st, PEER.text);
        cr_assert_eq(st, 0, "%s", PEER.text);
    } else {
        cr_assert_lt(j.rc, 0);
    }
}

Test(tls, server_against_s_client_ecdsa_rsa_alpn)
{
    static const char *const accept[] = { "x-strio", "http/1.1" };
    default_configs("ec");
    server_vs_s_client(NULL, 1);
    default_configs("rsa");
    scfg.alpn = accept;
    scfg.alpn_count = 2;
    server_vs_s_client((const char *const[]){ "-alpn", "h2,http/1.1",
                                              NULL }, 1);
    cr_assert_str_eq(strio_tls_alpn(&TLS), "http/1.1");
    cr_assert_not_null(strstr(PEER.text, "ALPN protocol: http/1.1"), "%s",
                       PEER.text);
}

Test(tls, server_against_s_client_mutual_tls)
{
    struct creds sanchor;
    static unsigned char speer[4096];
    memset(&sanchor, 0, sizeof sanchor);
    default_configs("ec");
    creds_anchor(&sanchor, "ca.pem");
    scfg.client_anchors = sanchor.anchors.ta;
    scfg.client_anchor_count = sanchor.anchors.count;
    scfg.peer_chain_buf = speer;
    scfg.peer_chain_cap = sizeof speer;
    server_vs_s_client((const char *const[]){ "-cert", "client.pem", "-key",
                                              "client.key", NULL }, 1);
    /* s_client sends its certificate (and may add the CA it found) */
    struct creds ccert;
    memset(&ccert, 0, sizeof ccert);
    creds_cert(&ccert, "client");
    const unsigned char *der;
    size_t len;
    cr_assert_geq(strio_tls_peer_cert_count(&TLS), 1);
    cr_assert_eq(strio_tls_peer_cert(&TLS, 0, &der, &len), 0);
    cr_assert_eq(len, ccert.chain.certs[0].data_len);
    cr_assert_eq(memcmp(der, ccert.chain.certs[0].data, len), 0);
    /* without a certificate: refused */
    server_vs_s_client(NULL, 0);
    cr_assert_eq(strio_tls_last_error(&TLS), BR_ERR_NO_CLIENT_AUTH);
}

Test(tls, server_against_s_client_session_cache)
{
    static br_ssl_session_cache_lru lru;
    static unsigned char store[4096];
    default_configs("ec");
    br_ssl_session_cache_lru_init(&lru, store, sizeof store);
    scfg.cache = &lru;
    char sess[300];
    snprintf(sess, sizeof sess, "%s/sess.pem", fx_dir);
    server_vs_s_client((const char *const[]){ "-sess_out", sess, NULL }, 1);
    server_vs_s_client((const char *const[]){ "-sess_in", sess, NULL }, 1);
    cr_assert_not_null(strstr(PEER.text, "Reused"), "%s", PEER.text);
}

/* ======================================================================== */
/* Cancellation sweeps                                                      */
/* ======================================================================== */

enum { SW_HANDSHAKE, SW_SEND, SW_RECEIVE, SW_CLOSE };

struct sw {
    int mode;
    struct tl_job jobs[2];      /* [0] the client (targeted), [1] server */
};

static struct sw SW;

static int sw_scenario(struct sweep_run *run)
{
    static struct tl_run_frame f;
    strio_task t;
    struct sw *w = run->user;
    default_configs("ec");
    ccfg.peer_chain_buf = NULL;
    mem_pair(&P, 0, sizeof P.cbuf, sizeof P.sbuf);
    STRIO_POOL_SETUP(pool);
    memset(w->jobs, 0, sizeof w->jobs);
    struct tl_job *c = &w->jobs[0], *s = &w->jobs[1];
    c->s = &P.c.base;
    c->tls = &P.c;
    c->target = &run->target;
    s->s = &P.s.base;
    s->tls = &P.s;
    switch (w->mode) {
    case SW_HANDSHAKE:
        c->kind = TL_HANDSHAKE;
        s->kind = TL_READ_ALL;
        s->buf = got;
        s->want = 100;
        break;
    case SW_SEND:
    case SW_CLOSE:
        c->kind = TL_CLIENT;
        c->data = pattern;
        c->len = w->mode == SW_SEND ? 6000 : 100;
        c->target_close = w->mode == SW_CLOSE;
        s->kind = TL_READ_ALL;
        s->buf = got;
        s->want = sizeof got;
        break;
    case SW_RECEIVE:
        c->kind = TL_READ_ALL;
        c->buf = got;
        c->want = sizeof got;
        s->kind = TL_CLIENT;
        s->data = pattern;
        s->len = 6000;
        break;
    }
    tl_run_start(&f, &pool.pool, w->jobs, 2);
    strio_task_init(&t, tl_run_resume, &f, &f.strio_ret);
    return strio_loop_run(&run->loop, &t);
}

static int one_of(long rc, const int *ok, int n)
{
    for (int i = 0; i < n; i++)
        if (rc == ok[i])
            return 1;
    return 0;
}

static void sw_check(struct sweep_run *run)
{
    struct sw *w = run->user;
    struct tl_job *c = &w->jobs[0], *s = &w->jobs[1];
    /* what the peer of a cancelled side may see: a cut handshake, a
     * transport EOF without close_notify, a broken transport */
    static const int peer_ok[] = { 0, STRIO_ETLS_HANDSHAKE,
                                   STRIO_ETLS_TRUNCATED, STRIO_EBROKEN };
    cr_assert_eq(pool.pool.used, 0, "k=%lu: pool slots left", run->k);
    if (!run->cancelled) {
        cr_assert_eq(c->rc, 0, "k=%lu: %s", run->k,
                     strio_strerror((int)c->rc));
        cr_assert_eq(s->rc, 0, "k=%lu: %s", run->k,
                     strio_strerror((int)s->rc));
    } else {
        cr_assert(c->rc == 0 || c->rc == STRIO_ECANCELED, "k=%lu: %s",
                  run->k, strio_strerror((int)c->rc));
        cr_assert(one_of(s->rc, peer_ok, 4), "k=%lu: peer %s", run->k,
                  strio_strerror((int)s->rc));
    }
    /* whatever arrived is a prefix of what was sent */
    struct tl_job *r = w->mode == SW_RECEIVE ? c : s;
    if (r->got > 0)
        cr_assert_eq(memcmp(got, pattern, (size_t)r->got), 0, "k=%lu",
                     run->k);
    if (!run->cancelled && w->mode != SW_HANDSHAKE)
        cr_assert_eq(r->got, w->mode == SW_CLOSE ? 100 : 6000);
}

static void sweep_mode(int mode, const char *name, unsigned long min_runs)
{
    fill_pattern();
    SW.mode = mode;
    struct sweep sw = { .name = name, .scenario = sw_scenario,
                        .check = sw_check, .user = &SW };
    unsigned long runs = sweep_cancellation(&sw);
    cr_log_info("%s: %lu runs", name, runs);
    cr_assert_geq(runs, min_runs);
}

Test(tls, sweep_handshake)
{
    sweep_mode(SW_HANDSHAKE, "tls handshake", 5);
}

Test(tls, sweep_send)
{
    sweep_mode(SW_SEND, "tls send", 10);
}

Test(tls, sweep_receive)
{
    sweep_mode(SW_RECEIVE, "tls receive", 10);
}

Test(tls, sweep_close)
{
    sweep_mode(SW_CLOSE, "tls close", 3);
}

/* ======================================================================== */
/* Credentials                                                              */
/* ======================================================================== */

static unsigned char bundle[400000];

Test(tls, anchors_from_the_system_bundle)
{
    static const char path[] = "/etc/ssl/certs/ca-certificates.crt";
    size_t len;
    int rc = strio_tls_read_file(path, bundle, sizeof bundle, &len);
    cr_assert_eq(rc, 0, "%s: %s", path, strio_strerror(rc));
    /* measure */
    strio_tls_anchors m;
    strio_tls_anchors_init(&m, NULL, 0, NULL, 0);
    cr_assert_eq(strio_tls_anchors_add_pem(&m, bundle, len), -ENOSPC);
    cr_assert_eq(m.count, 0);
    cr_assert_gt(m.needed_count, 50);
    cr_log_info("system bundle: %zu anchors, %zu bytes", m.needed_count,
                m.needed_mem);
    /* one byte short: refused, nothing kept */
    static br_x509_trust_anchor ta[400];
    static unsigned char mem[200000];
    cr_assert_leq(m.needed_count, 400);
    cr_assert_leq(m.needed_mem, sizeof mem);
    strio_tls_anchors a;
    strio_tls_anchors_init(&a, ta, m.needed_count, mem, m.needed_mem - 1);
    cr_assert_eq(strio_tls_anchors_add_pem(&a, bundle, len), -ENOSPC);
    cr_assert_eq(a.count, 0);
    cr_assert_eq(a.mem_used, 0);
    strio_tls_anchors_init(&a, ta, m.needed_count - 1, mem, m.needed_mem);
    cr_assert_eq(strio_tls_anchors_add_pem(&a, bundle, len), -ENOSPC);
    /* exactly enough */
    strio_tls_anchors_init(&a, ta, m.needed_count, mem, m.needed_mem);
    cr_assert_eq(strio_tls_anchors_add_pem(&a, bundle, len),
                 (long)m.needed_count);
    cr_assert_eq(a.mem_used, m.needed_mem);
    size_t cas = 0;
    for (size_t i = 0; i < a.count; i++)
        cas += (a.ta[i].flags & BR_X509_TA_CA) != 0;
    cr_assert_eq(cas, a.count, "roots are CAs");
    /* a file larger than the buffer: -EFBIG, nothing silently cut */
    unsigned char small[100];
    cr_assert_eq(strio_tls_read_file(path, small, sizeof small, &len),
                 -EFBIG);
    cr_assert_gt(len, sizeof small);
    cr_assert_eq(strio_tls_read_file("/nonexistent/x.pem", small,
                                     sizeof small, &len), -ENOENT);
}

Test(tls, creds_errors)
{
    static unsigned char buf[16384];
    strio_tls_anchors a;
    br_x509_trust_anchor ta[2];
    unsigned char mem[4096];
    strio_tls_key k;
    strio_tls_anchors_init(&a, ta, 2, mem, sizeof mem);
    size_t len = load("bad.pem", buf, sizeof buf);
    cr_assert_eq(strio_tls_anchors_add_pem(&a, buf, len), 0);   /* no cert */
    cr_assert_eq(strio_tls_key_from_pem(&k, buf, len), -ENOENT);
    /* a PEM object cut in the middle */
    len = load("ca.pem", buf, sizeof buf);
    cr_assert_eq(strio_tls_anchors_add_pem(&a, buf, len / 2), -EINVAL);
    cr_assert_eq(a.count, 0);
    /* garbage DER */
    cr_assert_eq(strio_tls_anchors_add_der(&a, "\x30\x03\x02\x01\x00", 5),
                 -EINVAL);
    /* keys: EC and RSA; a certificate is not a key */
    len = load("ec.key", buf, sizeof buf);
    cr_assert_eq(strio_tls_key_from_pem(&k, buf, len), 0);
    cr_assert_eq(k.type, BR_KEYTYPE_EC);
    cr_assert_eq(k.ec.curve, BR_EC_secp256r1);
    len = load("rsa.key", buf, sizeof buf);
    cr_assert_eq(strio_tls_key_from_pem(&k, buf, len), 0);
    cr_assert_eq(k.type, BR_KEYTYPE_RSA);
    cr_assert_eq(k.rsa.n_bitlen, 2048);
    len = load("ca.pem", buf, sizeof buf);
    cr_assert_eq(strio_tls_key_from_pem(&k, buf, len), -ENOENT);
    cr_assert_eq(k.type, 0);
    /* a chain: the end-entity first */
    strio_tls_chain c;
    br_x509_certificate certs[1];
    unsigned char cmem[4096];
    len = load("ec-chain.pem", buf, sizeof buf);
    strio_tls_chain_init(&c, certs, 1, cmem, sizeof cmem);
    cr_assert_eq(strio_tls_chain_add_pem(&c, buf, len), -ENOSPC);
    cr_assert_eq(c.count, 0);
    cr_assert_eq(c.needed_count, 2);
}

/* The anchors as C source compile into a program that trusts the same
 * CA: the firmware route, checked with the host compiler. */
Test(tls, anchors_as_c_source_compile)
{
    static char src[65536];
    struct creds c;
    memset(&c, 0, sizeof c);
    creds_anchor(&c, "ca.pem");
    creds_anchor(&c, "ca2.pem");
    cr_assert_eq(strio_tls_anchors_to_c(&c.anchors, "TAs", src, 100),
                 -ENOSPC);
    long n = strio_tls_anchors_to_c(&c.anchors, "TAs", src, sizeof src);
    cr_assert_gt(n, 0);
    char path[320], prog[320], out[320];
    snprintf(path, sizeof path, "%s/anchors.c", fx_dir);
    snprintf(prog, sizeof prog, "%s/anchors", fx_dir);
    snprintf(out, sizeof out, "%s/anchors.out", fx_dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(src, f);
    /* the program prints a digest of what it compiled in */
    fputs("#include <stdio.h>\nint main(void) {\n"
          "  unsigned long h = 5381; size_t i, k;\n"
          "  for (i = 0; i < TAs_count; i++) {\n"
          "    for (k = 0; k < TAs[i].dn.len; k++) h = h * 33 + TAs[i].dn.data[k];\n"
          "    for (k = 0; k < TAs[i].pkey.key.ec.qlen; k++) h = h * 33 + TAs[i].pkey.key.ec.q[k];\n"
          "    h = h * 33 + TAs[i].flags + TAs[i].pkey.key.ec.curve;\n"
          "  }\n  printf(\"%zu %lu\\n\", TAs_count, h);\n  return 0;\n}\n", f);
    fclose(f);
    const char *cc = getenv("CC");
    char *argv[] = { (char *)(cc != NULL && cc[0] ? cc : "cc"), "-std=c11",
                     "-Wall", "-Werror", "-o", prog, path, NULL };
    cr_assert_eq(run_cmd(argv, 30, NULL), 0, "compiling %s", path);
    char *argv2[] = { prog, NULL };
    cr_assert_eq(run_cmd(argv2, 10, out), 0);
    unsigned long h = 5381;
    for (size_t i = 0; i < c.anchors.count; i++) {
        const br_x509_trust_anchor *t = &c.anchors.ta[i];
        for (size_t k = 0; k < t->dn.len; k++)
            h = h * 33 + t->dn.data[k];
        for (size_t k = 0; k < t->pkey.key.ec.qlen; k++)
            h = h * 33 + t->pkey.key.ec.q[k];
        h = h * 33 + t->flags + (unsigned long)t->pkey.key.ec.curve;
    }
    char want[64], have[64] = "";
    snprintf(want, sizeof want, "2 %lu\n", h);
    f = fopen(out, "r");
    cr_assert_not_null(f);
    cr_assert_not_null(fgets(have, sizeof have, f));
    fclose(f);
    cr_assert_str_eq(have, want);
}

/* ======================================================================== */
/* The examples, against real peers                                         */
/* ======================================================================== */

static struct peer EX, PX1, PX2;

/* Kills and reaps whatever peer is still running (test teardown). */
static void peers_kill(void)
{
    struct peer *all[] = { &PEER, &EX, &PX1, &PX2 };
    for (unsigned i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (all[i]->pid > 0) {
            kill(all[i]->pid, SIGKILL);
            waitpid(all[i]->pid, NULL, 0);
            all[i]->pid = 0;
            if (all[i]->in >= 0)
                close(all[i]->in);
            close(all[i]->out);
        }
    }
}

/* build/.../examples/NAME next to this binary's build/.../tests/ */
static const char *example(const char *name)
{
    static char path[4][600];
    static int next;
    char exe[512];
    char *p = path[next++ % 4];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    cr_assert_gt(n, 0);
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    *slash = '\0';                      /* .../tests */
    slash = strrchr(exe, '/');
    *slash = '\0';                      /* ... */
    snprintf(p, sizeof path[0], "%s/examples/%s", exe, name);
    cr_assert_eq(access(p, X_OK), 0, "%s not built", p);
    return p;
}

/* Waits until 127.0.0.1:port accepts connections (bounded). */
static void wait_port(unsigned port, struct peer *who)
{
    for (int i = 0; i < 500; i++) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = { .sin_family = AF_INET,
                                 .sin_port = htons((uint16_t)port) };
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
        close(fd);
        if (ok)
            return;
        peer_wait_for(who, NULL, 10);
    }
    cr_assert_fail("port %u never opened: %s", port, who->text);
}

static void write_fixture(const char *name, const char *text)
{
    FILE *f = fopen(fx(name), "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* https_get URL ... as a subprocess; its output in EX.text. */
static int https_get(char *const *args)
{
    char *argv[16] = { (char *)example("https_get") };
    int n = 1;
    for (int i = 0; args[i] != NULL; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    peer_start(&EX, argv);
    return peer_stop(&EX, 10000);
}

Test(tls, example_https_get_against_s_server)
{
    /* the fixtures directory is shared by tests running in parallel:
     * every test writes files of its own names */
    write_fixture("hello-direct.txt", "hello over tls\n");
    unsigned port = s_server("ec", (const char *const[]){ "-WWW", NULL });
    char url[64];
    snprintf(url, sizeof url, "https://localhost:%u/hello-direct.txt", port);
    int st = https_get((char *[]){ url, "--cacert", "ca.pem", NULL });
    cr_assert_eq(st, 0, "%s", EX.text);
    cr_assert_not_null(strstr(EX.text, "hello over tls"), "%s", EX.text);
    /* the system's anchors do not know our test CA */
    st = https_get((char *[]){ url, NULL });
    cr_assert_eq(st, 1, "%s", EX.text);
    cr_assert_not_null(strstr(EX.text, "not trusted"), "%s", EX.text);
    /* nor does another CA */
    st = https_get((char *[]){ url, "--cacert", "ca2.pem", NULL });
    cr_assert_eq(st, 1, "%s", EX.text);
    peer_stop(&PEER, 2000);
}

/* curl against the strio TLS server (examples/tls_echo_server --http). */
Test(tls, curl_against_tls_echo_server)
{
    char *argv[] = { (char *)example("tls_echo_server"), "--cert",
                     "ec-chain.pem", "--key", "ec.key", "0",
                     "--max-conns", "2", "--http", NULL };
    fixtures();
    peer_start(&PX1, argv);
    cr_assert(peer_wait_for(&PX1, " bytes per connection", 5000), "%s",
              PX1.text);
    unsigned port = 0;
    cr_assert_eq(sscanf(PX1.text, "listening on 127.0.0.1:%u", &port), 1);
    char url[64];
    snprintf(url, sizeof url, "https://localhost:%u/from-curl", port);
    char *curl[] = { "curl", "-sS", "--max-time", "5", "--cacert",
                     "ca.pem", "--tlsv1.2", url, NULL };
    peer_start(&EX, curl);
    int st = peer_stop(&EX, 8000);
    cr_assert_eq(st, 0, "curl: %s", EX.text);
    cr_assert_not_null(strstr(EX.text, "GET /from-curl HTTP/1.1"), "%s",
                       EX.text);
    /* and our own client against our own server, over real TCP */
    st = https_get((char *[]){ url, "--cacert", "ca.pem", NULL });
    cr_assert_eq(st, 0, "%s", EX.text);
    cr_assert_not_null(strstr(EX.text, "GET /from-curl HTTP/1.0"), "%s",
                       EX.text);
    cr_assert_eq(peer_stop(&PX1, 5000), 0, "%s", PX1.text);
    cr_assert_not_null(strstr(PX1.text, "served 2 connections"), "%s",
                       PX1.text);
}

/*
 * HTTPS through an HTTPS proxy: stunnel4 (TLS, our test certificate) in
 * front of tinyproxy, CONNECT to an s_server origin; https_get's TLS to
 * the origin runs inside its TLS to the proxy.
 */
Test(tls, example_https_get_through_an_https_proxy)
{
    unsigned pport = free_port(), sport = free_port();
    char conf[512];
    snprintf(conf, sizeof conf, "Port %u\nListen 127.0.0.1\nTimeout 10\n"
             "Allow 127.0.0.1\nMaxClients 4\nLogLevel Info\n", pport);
    write_fixture("tinyproxy.conf", conf);
    snprintf(conf, sizeof conf, "foreground = yes\npid =\n[proxy]\n"
             "accept = 127.0.0.1:%u\nconnect = 127.0.0.1:%u\n"
             "cert = ec-chain.pem\nkey = ec.key\n", sport, pport);
    write_fixture("stunnel.conf", conf);
    write_fixture("hello-proxy.txt", "hello through the proxy\n");
    char *tp[] = { "tinyproxy", "-d", "-c", "tinyproxy.conf", NULL };
    char *st[] = { "stunnel4", "stunnel.conf", NULL };
    peer_start(&PX1, tp);
    peer_start(&PX2, st);
    unsigned oport = s_server("ec", (const char *const[]){ "-WWW", NULL });
    wait_port(pport, &PX1);
    wait_port(sport, &PX2);
    char url[64], proxy[64];
    snprintf(url, sizeof url, "https://localhost:%u/hello-proxy.txt", oport);
    snprintf(proxy, sizeof proxy, "https://localhost:%u", sport);
    int rc = https_get((char *[]){ url, "--cacert", "ca.pem", "--proxy",
                                   proxy, NULL });
    kill(PX1.pid, SIGTERM);
    kill(PX2.pid, SIGTERM);
    peer_stop(&PX2, 2000);
    peer_stop(&PX1, 2000);
    peer_stop(&PEER, 2000);
    cr_assert_eq(rc, 0, "https_get: %s\nstunnel: %s\ntinyproxy: %s", EX.text,
                 PX2.text, PX1.text);
    cr_assert_not_null(strstr(EX.text, "hello through the proxy"), "%s",
                       EX.text);
    cr_assert_not_null(strstr(PX1.text, "CONNECT"), "tinyproxy: %s",
                       PX1.text);
}
