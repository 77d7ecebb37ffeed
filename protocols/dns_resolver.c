/*
 * The stub resolver's bookkeeping in plain C (see strio/dns_resolver.h):
 * config, start of a resolution, what each reply means, the merged
 * result. The exchange itself -- channels, tries, timeouts -- is the
 * async machine in dns_resolver_impl.sc. Core: no OS.
 */
#include <errno.h>
#include <string.h>

#include <strio/dns_resolver.h>

void strio_dns_config_init(strio_dns_config *c)
{
    memset(c, 0, sizeof *c);
    c->timeout = STRIO_DNS_DEFAULT_TIMEOUT;
    c->attempts = STRIO_DNS_DEFAULT_ATTEMPTS;
}

int strio_dns_config_add_server_addr(strio_dns_config *c,
                                     const strio_dns_addr *addr,
                                     unsigned port)
{
    if ((addr->type != STRIO_DNS_A && addr->type != STRIO_DNS_AAAA) ||
        port > 65535)
        return -EINVAL;
    if (c->nservers >= STRIO_DNS_MAX_SERVERS)
        return -ENOSPC;
    strio_dns_server *s = &c->servers[c->nservers++];
    memset(s, 0, sizeof *s);
    s->addr = *addr;
    s->addr.ttl = 0;
    s->port = (uint16_t)port;
    return 0;
}

void strio_dns_resolver_init(strio_dns_resolver *r,
                             const strio_dns_config *config,
                             strio_dns_transport *transport,
                             strio_dns_rng rng, void *rng_arg)
{
    memset(r, 0, sizeof *r);
    r->config = config;
    r->transport = transport;
    r->rng = rng;
    r->rng_arg = rng_arg;
}

/* ---- one resolution ---------------------------------------------------- */

int strio_dns__begin(strio_dns_resolver *r, const char *name, unsigned want,
                     strio_dns_addr *out, size_t max, size_t *count)
{
    static const uint16_t types[2] = { STRIO_DNS_AAAA, STRIO_DNS_A };
    static const unsigned wants[2] = { STRIO_DNS_WANT_AAAA,
                                       STRIO_DNS_WANT_A };
    int rc;
    if (count != NULL)
        *count = 0;
    r->tries = r->ignored = 0;
    r->last_error = 0;
    r->total = 0;
    r->from_hosts = 0;
    r->cname_len = 0;
    r->nq = 0;
    if (name == NULL || out == NULL || max == 0 || want == 0 ||
        (want & ~(unsigned)STRIO_DNS_WANT_ANY) != 0 || r->config == NULL ||
        r->rng == NULL || r->transport == NULL)
        return -EINVAL;

    for (int i = 0; i < 2; i++) {
        if (!(want & wants[i]))
            continue;
        strio_dns__query *q = &r->query[r->nq];
        uint16_t id = (uint16_t)r->rng(r->rng_arg);
        if (r->nq == 1 && id == r->query[0].id)
            id ^= 1;                    /* the two ids must differ */
        rc = strio_dns_build_query(q->q, sizeof q->q, id, name, types[i], 1);
        if (rc < 0)
            return rc;
        q->qlen = (size_t)rc;
        q->qtype = types[i];
        q->state = 0;
        q->rc = 0;
        q->id = id;
        strio_dns_answers_init(&q->ans, q->addrs, STRIO_DNS_RESOLVE_MAX);
        r->nq++;
    }
    if (r->config->nservers == 0)
        return -EDESTADDRREQ;
    return 0;
}

int strio_dns__pending(const strio_dns_resolver *r)
{
    int n = 0;
    for (size_t i = 0; i < r->nq; i++)
        n += r->query[i].state == 0;
    return n;
}

/* A new try (another server): queries that failed on the last one are
 * pending again. Returns how many are pending. */
int strio_dns__start_try(strio_dns_resolver *r)
{
    for (size_t i = 0; i < r->nq; i++)
        if (r->query[i].state == 2)
            r->query[i].state = 0;
    return strio_dns__pending(r);
}

void strio_dns__reply(strio_dns_resolver *r, size_t len)
{
    if (len > STRIO_DNS_UDP_MAX) {      /* no EDNS was offered */
        r->ignored++;
        r->last_error = STRIO_EDNS_FORMAT;
        return;
    }
    for (size_t i = 0; i < r->nq; i++) {
        strio_dns__query *q = &r->query[i];
        if (q->state == 1)
            continue;                   /* a duplicate is stray */
        int rc = strio_dns_parse_response(r->reply, len, q->q, q->qlen,
                                          &q->ans);
        if (rc == STRIO_EDNS_MISMATCH)
            continue;
        if (rc < 0) {                   /* garbage with our id: wait on */
            r->ignored++;
            r->last_error = rc;
            return;
        }
        rc = strio_dns_result(&q->ans, 0);
        switch (rc) {
        case STRIO_EDNS_NXDOMAIN:
        case STRIO_EDNS_NODATA:
        case STRIO_EDNS_TRUNCATED:
            q->state = 1;
            q->rc = rc;
            break;
        default:
            if (rc > 0) {
                q->state = 1;
                q->rc = rc;
                if (q->ans.cname_len > 0 && r->cname_len == 0) {
                    r->cname_len = q->ans.cname_len;
                    memcpy(r->cname, q->ans.cname, q->ans.cname_len);
                }
            } else {                    /* this server failed us */
                q->state = 2;
                q->rc = rc;
                r->last_error = rc;
            }
        }
        return;
    }
    r->ignored++;
}

int strio_dns__finish(strio_dns_resolver *r, strio_dns_addr *out,
                      size_t max, size_t *count)
{
    size_t stored = 0, total = 0;
    for (size_t i = 0; i < r->nq; i++) {
        strio_dns__query *q = &r->query[i];
        if (q->state != 1 || q->rc <= 0)
            continue;
        total += q->ans.total;
        for (size_t k = 0; k < q->ans.count && stored < max; k++)
            out[stored++] = q->addrs[k];
    }
    r->total = total;
    if (count != NULL)
        *count = stored;
    if (stored > 0)
        return (int)stored;
    for (size_t i = 0; i < r->nq; i++)
        if (r->query[i].state == 1 && r->query[i].rc == STRIO_EDNS_NXDOMAIN)
            return STRIO_EDNS_NXDOMAIN;
    for (size_t i = 0; i < r->nq; i++) {
        const strio_dns__query *q = &r->query[i];
        if (q->state == 2)
            return q->rc;               /* every server failed it */
        if (q->state == 0)
            return r->last_error < 0 ? r->last_error : STRIO_ETIMEDOUT;
    }
    for (size_t i = 0; i < r->nq; i++)
        if (r->query[i].rc == STRIO_EDNS_TRUNCATED)
            return STRIO_EDNS_TRUNCATED;
    return STRIO_EDNS_NODATA;
}
