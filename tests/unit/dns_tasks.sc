/*
 * Async code for test_dns.c: the stub resolver against fake UDP name
 * servers running as tasks of the same loop (answer, wrong id first,
 * SERVFAIL, NXDOMAIN, silent), and the roots of the scenarios.
 */
#include <errno.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/socket.h>
#include <strio/dns.h>
#include <strio/dns_resolver.h>
#include <strio/dns_posix.h>

enum {
    DN_ANSWER = 0,          /* one A (192.0.2.1) or AAAA (2001:db8::1) */
    DN_WRONG_ID_FIRST,      /* a reply with another id, one with another
                               question, then the answer */
    DN_SERVFAIL,            /* RCODE 2 */
    DN_NXDOMAIN,            /* RCODE 3 */
    DN_SILENT,              /* reads queries, never answers */
    DN_SPOOF                /* a forged answer (198.51.100.66) from another
                               socket on this host, then the answer */
};

struct dn_server {
    strio_socket sock;      /* bound UDP socket (owned by the test) */
    strio_socket spoof;     /* DN_SPOOF: the forger's socket */
    int mode;
    unsigned received;      /* queries read */
    unsigned sent;          /* datagrams sent */
    int result;             /* the server task's end */
    unsigned char buf[600];
    unsigned char out[600];
};

struct dn_ctx {
    strio_dns_resolver *r;
    const char *name;
    unsigned want;
    strio_dns_addr addrs[8];
    size_t count;
    int rc;
    int exit_rc;
    struct dn_server *servers;
    int nservers;
    strio_time started, ended;
};

/* The reply to query q[0..n) in `mode`; variant 1 = wrong id, 2 = wrong
 * question, 3 = forged address. Returns its length (0: not a query we can
 * answer). */
static size_t dn_reply(const unsigned char *q, size_t n, int mode,
                       int variant, unsigned char *out)
{
    unsigned char name[STRIO_DNS_NAME_MAX];
    size_t off = STRIO_DNS_HEADER_LEN, len;
    unsigned qtype;
    if (n < STRIO_DNS_HEADER_LEN ||
        strio_dns_read_name(q, n, &off, name) < 0 || n - off < 4)
        return 0;
    qtype = (unsigned)q[off] << 8 | q[off + 1];
    len = off + 4;
    memcpy(out, q, len);
    out[2] = 0x81;                          /* QR, RD */
    out[3] = 0x80;                          /* RA, RCODE 0 */
    out[6] = out[7] = out[8] = out[9] = out[10] = out[11] = 0;
    if (mode == DN_SERVFAIL)
        out[3] |= STRIO_DNS_SERVFAIL;
    else if (mode == DN_NXDOMAIN)
        out[3] |= STRIO_DNS_NXDOMAIN;
    if (variant == 1)
        out[0] ^= 0x5a;
    if (variant == 2)
        out[STRIO_DNS_HEADER_LEN + 1] ^= 0x01;  /* first letter changed */
    if (out[3] != 0x80 || (qtype != STRIO_DNS_A && qtype != STRIO_DNS_AAAA))
        return len;
    out[7] = 1;                             /* ANCOUNT 1 */
    out[len++] = 0xC0;
    out[len++] = 0x0C;
    out[len++] = 0;
    out[len++] = (unsigned char)qtype;
    out[len++] = 0;
    out[len++] = 1;
    out[len++] = 0;
    out[len++] = 0;
    out[len++] = 0;
    out[len++] = 60;                        /* TTL 60 */
    out[len++] = 0;
    if (qtype == STRIO_DNS_A) {
        static const unsigned char a[4] = { 192, 0, 2, 1 };
        static const unsigned char forged[4] = { 198, 51, 100, 66 };
        out[len++] = 4;
        memcpy(out + len, variant == 3 ? forged : a, 4);
        len += 4;
    } else {
        static const unsigned char a6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0,
                                              0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
        out[len++] = 16;
        memcpy(out + len, a6, 16);
        len += 16;
    }
    return len;
}

/* A fake name server: until its socket is closed (-EBADF: returns 0). */
async int dn_serve(struct dn_server *s)
{
    strio_sockaddr from;
    static const signed char seq[][4] = {
        [DN_ANSWER] = { 0, -1 }, [DN_WRONG_ID_FIRST] = { 1, 2, 0, -1 },
        [DN_SERVFAIL] = { 0, -1 }, [DN_NXDOMAIN] = { 0, -1 },
        [DN_SILENT] = { -1 }, [DN_SPOOF] = { 3, 0, -1 } };
    long n, sent;
    size_t len;
    int k;
    for (;;) {
        n = await strio_socket_recvfrom(&s->sock, s->buf, sizeof s->buf, 0,
                                        &from);
        if (n < 0)
            return s->result = (n == -EBADF ? 0 : (int)n);
        s->received++;
        for (k = 0; seq[s->mode][k] >= 0; k++) {
            len = dn_reply(s->buf, (size_t)n, s->mode, seq[s->mode][k],
                           s->out);
            if (len == 0)
                break;
            sent = await strio_socket_sendto(seq[s->mode][k] == 3 ? &s->spoof
                                                                  : &s->sock,
                                             s->out, len, 0, &from);
            if (sent == -EBADF)
                return s->result = 0;
            if (sent < 0)
                return s->result = (int)sent;
            s->sent++;
        }
    }
}

async int dn_spawn(strio_nursery *nu, strio_pool *pool, struct dn_server *s)
{
    struct dn_serve_frame *f;
    int rc = await strio_pool_get(pool, (void **)&f);
    if (rc < 0)
        return rc;
    dn_serve_start(f, s);
    return strio_nursery_start(nu, pool, f, dn_serve_resume, &f->strio_ret);
}

/* Starts the fake servers, resolves x->name inside a scope published in
 * *target (if target is not NULL), closes the servers' sockets (which
 * ends them) and waits for them. */
async int dn_resolve(struct dn_ctx *x, strio_pool *pool,
                     strio_cancel_scope **target)
{
    strio_nursery nu;
    strio_cancel_scope sc;
    int rc = 0, i;
    strio_nursery_open(STRIO_SELF, &nu);
    for (i = 0; i < x->nservers && rc == 0; i++)
        rc = await dn_spawn(&nu, pool, &x->servers[i]);
    if (rc == 0) {
        strio_scope_enter(STRIO_SELF, &sc);
        if (target != NULL)
            *target = &sc;
        x->started = strio_task_now(STRIO_SELF);
        x->rc = await strio_dns_resolve(x->r, x->name, x->want, x->addrs, 8,
                                        &x->count);
        x->ended = strio_task_now(STRIO_SELF);
        if (target != NULL)
            *target = NULL;
        x->exit_rc = strio_scope_exit(&sc, x->rc);
    }
    for (i = 0; i < x->nservers; i++)
        strio_socket_close(&x->servers[i].sock);
    return await strio_nursery_close(&nu, rc);
}

/* Two resolutions on one resolver at once: the second gets EBUSY. */
async int dn_busy_child(struct dn_ctx *x)
{
    x->rc = await strio_dns_resolve(x->r, x->name, x->want, x->addrs, 8,
                                    &x->count);
    return 0;
}

async int dn_busy(struct dn_ctx *a, struct dn_ctx *b, strio_pool *pool)
{
    strio_nursery nu;
    struct dn_busy_child_frame *f;
    int rc;
    strio_nursery_open(STRIO_SELF, &nu);
    rc = await strio_pool_get(pool, (void **)&f);
    if (rc == 0) {
        dn_busy_child_start(f, a);
        rc = strio_nursery_start(&nu, pool, f, dn_busy_child_resume,
                                 &f->strio_ret);
    }
    if (rc == 0)
        b->rc = await strio_dns_resolve(b->r, b->name, b->want, b->addrs, 8,
                                        &b->count);
    return await strio_nursery_close(&nu, rc);
}

/* ---- a transport that is not UDP (what firmware plugs in) ------------- */

/* Lockstep memory streams: each send_all is taken whole by one
 * receive_some, so one query and its reply keep their boundaries. */
struct dn_mem {
    strio_dns_transport base;       /* first */
    strio_memory_stream_pair pair;  /* a: the resolver's end, b: server */
    int open_error;                 /* < 0: open fails with it */
    int mode;                       /* DN_ANSWER or DN_SILENT */
    unsigned opened;
    unsigned received;
    int serve_rc;
    unsigned char buf[600], out[600];
};

static int dn_mem_open(strio_dns_transport *t, const strio_dns_server *s,
                       strio_stream **out)
{
    struct dn_mem *m = (struct dn_mem *)(void *)t;
    (void)s;
    m->opened++;
    if (m->open_error < 0)
        return m->open_error;
    *out = &m->pair.a.base;
    return 0;
}

void dn_mem_init(struct dn_mem *m, int mode, int open_error)
{
    memset(m, 0, sizeof *m);
    m->base.open = dn_mem_open;
    m->mode = mode;
    m->open_error = open_error;
    strio_lockstep_stream_pair_init(&m->pair);
}

/* Serves until the resolver closes its end. */
async int dn_mem_serve(struct dn_mem *m)
{
    long n;
    size_t len;
    int rc;
    for (;;) {
        n = await strio_receive_some(&m->pair.b.base, m->buf, sizeof m->buf);
        if (n <= 0)
            return m->serve_rc = (n == 0 || n == STRIO_ECLOSED ? 0 : (int)n);
        m->received++;
        if (m->mode == DN_SILENT)
            continue;
        len = dn_reply(m->buf, (size_t)n, DN_ANSWER, 0, m->out);
        rc = await strio_send_all(&m->pair.b.base, m->out, len);
        if (rc < 0)
            return m->serve_rc = (rc == STRIO_ECLOSED || rc == STRIO_EBROKEN
                                  ? 0 : rc);
    }
}

async int dn_mem_resolve(struct dn_ctx *x, struct dn_mem *m, strio_pool *pool)
{
    strio_nursery nu;
    struct dn_mem_serve_frame *f;
    int rc;
    strio_nursery_open(STRIO_SELF, &nu);
    rc = await strio_pool_get(pool, (void **)&f);
    if (rc == 0) {
        dn_mem_serve_start(f, m);
        rc = strio_nursery_start(&nu, pool, f, dn_mem_serve_resume,
                                 &f->strio_ret);
    }
    if (rc == 0) {
        x->started = strio_task_now(STRIO_SELF);
        x->rc = await strio_dns_query(x->r, x->name, x->want, x->addrs, 8,
                                      &x->count);
        x->ended = strio_task_now(STRIO_SELF);
    }
    /* the resolver closed its end after its try, which ends the server;
     * if the transport never opened, close it here */
    if (m->opened == 0 || m->open_error < 0)
        (void)await strio_stream_close(&m->pair.a.base);
    return await strio_nursery_close(&nu, rc);
}
