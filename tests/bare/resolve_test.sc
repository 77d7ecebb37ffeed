/*
 * resolve_test.sc -- the DNS stub resolver's machine (strio/dns_resolver.h)
 * on the target, over a memory transport (what firmware plugs its UDP
 * stack in as) and the board's tick clock: one query answered by a name
 * server task on a lockstep stream pair, and one that a silent server
 * lets time out after the configured per-try timeout.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <strio/dns.h>
#include <strio/dns_resolver.h>
#include <strio/strio.h>

#include "harness.h"

#define RS_NOW() strio_task_now(STRIO_SELF)
#define RS_MS_SINCE(t0) ((long)((RS_NOW() - (t0)) / STRIO_MS(1)))

/* Lockstep memory streams: each send_all is taken whole by one
 * receive_some, so a query and its reply keep their boundaries. */
struct rs_mem {
    strio_dns_transport base;       /* first */
    strio_memory_stream_pair pair;  /* a: the resolver's end, b: server */
    int silent;                     /* reads queries, never answers */
    unsigned opened;
    unsigned received;
    int serve_rc;
    unsigned char buf[STRIO_DNS_UDP_MAX + 8], out[STRIO_DNS_UDP_MAX];
};

static int rs_mem_open(strio_dns_transport *t, const strio_dns_server *s,
                       strio_stream **out)
{
    struct rs_mem *m = (struct rs_mem *)(void *)t;
    (void)s;
    m->opened++;
    *out = &m->pair.a.base;
    return 0;
}

static void rs_mem_init(struct rs_mem *m, int silent)
{
    memset(m, 0, sizeof *m);
    m->base.open = rs_mem_open;
    m->silent = silent;
    strio_lockstep_stream_pair_init(&m->pair);
}

/* The answer to the query q[0..n): its header and question, one A record
 * 192.0.2.7 (TTL 60) owned by the question's name. 0: not a query. */
static size_t rs_reply(const unsigned char *q, size_t n, unsigned char *out)
{
    unsigned char name[STRIO_DNS_NAME_MAX];
    size_t off = STRIO_DNS_HEADER_LEN;
    static const unsigned char rr[] = { 0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60,
                                        0, 4, 192, 0, 2, 7 };
    if (n < STRIO_DNS_HEADER_LEN ||
        strio_dns_read_name(q, n, &off, name) < 0 || n - off < 4 ||
        off + 4 + sizeof rr > STRIO_DNS_UDP_MAX)
        return 0;
    memcpy(out, q, off + 4);
    out[2] = 0x81;                          /* QR, RD */
    out[3] = 0x80;                          /* RA, NOERROR */
    out[6] = 0;
    out[7] = 1;                             /* ANCOUNT 1 */
    memset(out + 8, 0, 4);
    memcpy(out + off + 4, rr, sizeof rr);
    return off + 4 + sizeof rr;
}

/* The name server: until the resolver closes its end. */
static async int rs_serve(struct rs_mem *m)
{
    long n;
    size_t len;
    int rc;
    for (;;) {
        n = await strio_receive_some(&m->pair.b.base, m->buf, sizeof m->buf);
        if (n <= 0)
            return m->serve_rc = (n == 0 || n == STRIO_ECLOSED ? 0 : (int)n);
        m->received++;
        if (m->silent)
            continue;
        len = rs_reply(m->buf, (size_t)n, m->out);
        rc = await strio_send_all(&m->pair.b.base, m->out, len);
        if (rc < 0)
            return m->serve_rc = (rc == STRIO_ECLOSED || rc == STRIO_EBROKEN
                                  ? 0 : rc);
    }
}

static STRIO_POOL(rs_kids, struct rs_serve_frame, 1);
static strio_dns_config rs_cfg;
static strio_dns_resolver rs_res;
static struct rs_mem rs_mem;
static strio_dns_addr rs_addrs[4];

/* Deterministic ids (the replies must match them, whatever they are). */
static uint32_t rs_rng(void *arg)
{
    uint32_t *s = arg;
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}
static uint32_t rs_rng_state = 7;

/* One resolution of `name` against a server task; *ms gets its duration. */
static async int rs_resolve(int silent, const char *name, size_t *count,
                            long *ms)
{
    strio_nursery nu;
    struct rs_serve_frame *f;
    strio_time t0;
    int rc, got = 0;
    rs_mem_init(&rs_mem, silent);
    strio_dns_resolver_init(&rs_res, &rs_cfg, &rs_mem.base, rs_rng,
                            &rs_rng_state);
    strio_nursery_open(STRIO_SELF, &nu);
    rc = await strio_pool_get(&rs_kids.pool, (void **)&f);
    if (rc == 0) {
        rs_serve_start(f, &rs_mem);
        rc = strio_nursery_start(&nu, &rs_kids.pool, f, rs_serve_resume,
                                 &f->strio_ret);
    }
    if (rc == 0) {
        t0 = RS_NOW();
        got = await strio_dns_query(&rs_res, name, STRIO_DNS_WANT_A,
                                    rs_addrs, 4, count);
        *ms = RS_MS_SINCE(t0);
    }
    /* the resolver closed its end after the try, which ends the server */
    rc = await strio_nursery_close(&nu, rc);
    return rc < 0 ? rc : got;
}

static async int rs_run(void)
{
    size_t count = 0;
    long ms = -1;
    strio_dns_addr srv = { .type = STRIO_DNS_A, .addr = { 10, 0, 0, 53 } };
    strio_dns_config_init(&rs_cfg);
    CHECK_EQ(strio_dns_config_add_server_addr(&rs_cfg, &srv, 53), 0);
    rs_cfg.timeout = STRIO_MS(40);
    rs_cfg.attempts = 1;

    int rc = await rs_resolve(0, "fw.example", &count, &ms);
    printf("dns resolver answered: rc=%d count=%u ms=%ld tries=%u "
           "received=%u\n", rc, (unsigned)count, ms, rs_res.tries,
           rs_mem.received);
    CHECK_EQ(rc, 1);
    CHECK_EQ((long)count, 1);
    CHECK_EQ(rs_addrs[0].type, STRIO_DNS_A);
    CHECK_EQ((long)rs_addrs[0].ttl, 60);
    CHECK(memcmp(rs_addrs[0].addr, "\xc0\x00\x02\x07", 4) == 0);
    /* no waiting: at most the one tick that may land while the CPU runs
     * the query and the reply (1 on RV32, 0 on the Cortex-Ms) */
    CHECK(ms >= 0 && ms <= 1);
    CHECK_EQ(rs_mem.opened, 1);
    CHECK_EQ(rs_mem.received, 1);
    CHECK_EQ(rs_mem.serve_rc, 0);
    CHECK(rs_res.chan == NULL);

    rc = await rs_resolve(1, "fw.example", &count, &ms);
    printf("dns resolver silent server: rc=%d ms=%ld tries=%u received=%u\n",
           rc, ms, rs_res.tries, rs_mem.received);
    CHECK_EQ(rc, STRIO_ETIMEDOUT);
    CHECK(ms >= 40 && ms <= 41);            /* the try's timeout, in ticks */
    CHECK_EQ(rs_mem.opened, 1);
    CHECK_EQ(rs_mem.received, 1);
    CHECK_EQ(rs_mem.serve_rc, 0);
    CHECK(rs_res.chan == NULL);
    return 0;
}

static struct rs_run_frame rs_frame;
static strio_task rs_task;

void resolve_tests(void)
{
    STRIO_POOL_SETUP(rs_kids);
    rs_run_start(&rs_frame);
    strio_task_init(&rs_task, rs_run_resume, &rs_frame, &rs_frame.strio_ret);
    int rc = strio_loop_run(&board_loop, &rs_task);
    CHECK_EQ(rc, 0);
    CHECK_EQ(rs_frame.strio_ret, 0);
}
