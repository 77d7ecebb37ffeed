/*
 * DNS message codec (see strio/dns.h): query building, response parsing,
 * name (de)compression. Plain C over caller memory: no allocation, no OS,
 * so it is part of the firmware core.
 *
 * Every read is checked against the message length first; the checks are
 * written out where the bytes are read rather than hidden in helpers, so
 * each one can be matched with the test that triggers it.
 */
#include <errno.h>
#include <string.h>

#include <strio/dns.h>

static unsigned get16(const unsigned char *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
           (uint32_t)p[2] << 8 | p[3];
}

static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

void strio_dns_answers_init(strio_dns_answers *a, strio_dns_addr *addrs,
                            size_t max)
{
    memset(a, 0, sizeof *a);
    a->addrs = addrs;
    a->max = addrs != NULL ? max : 0;
}

/* ---- names ------------------------------------------------------------- */

int strio_dns_name_encode(const char *name, unsigned char *out, size_t cap)
{
    const unsigned char *p = (const unsigned char *)name;
    size_t n = 0;
    if (p[0] == 0 || (p[0] == '.' && p[1] == 0))
        return -EINVAL;                 /* the root alone is no host */
    while (*p != 0) {
        size_t l = 0;
        while (p[l] != 0 && p[l] != '.') {
            if (p[l] < 0x21 || p[l] > 0x7e)
                return -EINVAL;
            l++;
        }
        if (l == 0)
            return -EINVAL;             /* "a..b", ".a" */
        if (l > STRIO_DNS_LABEL_MAX)
            return STRIO_EDNS_LABEL;
        if (n + 1 + l + 1 > STRIO_DNS_NAME_MAX)
            return STRIO_EDNS_NAMELEN;
        if (n + 1 + l + 1 > cap)
            return -ENOSPC;
        out[n] = (unsigned char)l;
        memcpy(out + n + 1, p, l);
        n += 1 + l;
        p += l;
        if (*p == '.')
            p++;                        /* a trailing dot ends the name */
    }
    out[n++] = 0;
    return (int)n;
}

int strio_dns_name_to_text(const unsigned char *wire, char *out, size_t cap)
{
    size_t i = 0, o = 0;
    if (cap == 0)
        return -ENOSPC;
    if (wire[0] == 0) {
        if (cap < 2)
            return -ENOSPC;
        out[0] = '.';
        out[1] = 0;
        return 1;
    }
    while (wire[i] != 0) {
        size_t l = wire[i];
        if (l > STRIO_DNS_LABEL_MAX || i + 1 + l >= STRIO_DNS_NAME_MAX)
            return -EINVAL;
        if (i > 0) {
            if (o + 1 >= cap)
                return -ENOSPC;
            out[o++] = '.';
        }
        for (size_t k = 1; k <= l; k++) {
            unsigned char c = wire[i + k];
            if (c >= 0x21 && c <= 0x7e && c != '.' && c != '\\') {
                if (o + 1 >= cap)
                    return -ENOSPC;
                out[o++] = (char)c;
            } else {
                if (o + 4 >= cap)
                    return -ENOSPC;
                out[o++] = '\\';
                out[o++] = (char)('0' + c / 100);
                out[o++] = (char)('0' + c / 10 % 10);
                out[o++] = (char)('0' + c % 10);
            }
        }
        i += 1 + l;
    }
    out[o] = 0;
    return (int)o;
}

int strio_dns_name_equal(const unsigned char *a, const unsigned char *b)
{
    size_t i = 0;
    for (;;) {
        if (a[i] != b[i])
            return 0;
        if (a[i] == 0)
            return 1;
        size_t l = a[i];
        if (l > STRIO_DNS_LABEL_MAX || i + 1 + l >= STRIO_DNS_NAME_MAX)
            return 0;
        for (size_t k = 1; k <= l; k++)
            if (lower(a[i + k]) != lower(b[i + k]))
                return 0;
        i += 1 + l;
    }
}

int strio_dns_read_name(const unsigned char *msg, size_t len, size_t *off,
                        unsigned char *out)
{
    size_t pos = *off;
    size_t seg = pos;           /* where the current run of labels began */
    size_t after = 0;           /* end of the name in place */
    size_t n = 0;
    int jumped = 0, hops = 0;
    for (;;) {
        if (pos >= len)
            return STRIO_EDNS_SHORT;
        unsigned c = msg[pos];
        if ((c & 0xC0) == 0xC0) {
            if (pos + 1 >= len)
                return STRIO_EDNS_SHORT;
            size_t target = (size_t)(c & 0x3F) << 8 | msg[pos + 1];
            if (!jumped) {
                after = pos + 2;
                jumped = 1;
            }
            /* Strictly before the run it interrupts: covers forward
             * pointers, a pointer to itself, out-of-bounds ones (seg <=
             * len) and loops (each jump lands lower than the last). */
            if (target >= seg || ++hops > STRIO_DNS_MAX_HOPS)
                return STRIO_EDNS_POINTER;
            pos = seg = target;
            continue;
        }
        if (c & 0xC0)
            return STRIO_EDNS_LABEL;    /* 01 and 10: no such label types */
        if (c == 0) {
            out[n++] = 0;               /* n < 255: checked below */
            if (!jumped)
                after = pos + 1;
            break;
        }
        if (pos + 1 + c > len)
            return STRIO_EDNS_SHORT;
        if (n + 1 + c + 1 > STRIO_DNS_NAME_MAX)
            return STRIO_EDNS_NAMELEN;
        memcpy(out + n, msg + pos, 1 + c);
        n += 1 + c;
        pos += 1 + c;
    }
    *off = after;
    return (int)n;
}

/* ---- messages ------------------------------------------------------------ */

int strio_dns_build_query(unsigned char *buf, size_t cap, uint16_t id,
                          const char *name, uint16_t qtype, int rd)
{
    if (cap < STRIO_DNS_HEADER_LEN)
        return -ENOSPC;
    int n = strio_dns_name_encode(name, buf + STRIO_DNS_HEADER_LEN,
                                  cap - STRIO_DNS_HEADER_LEN);
    if (n < 0)
        return n;
    size_t len = STRIO_DNS_HEADER_LEN + (size_t)n;
    if (len + 4 > cap)
        return -ENOSPC;
    memset(buf, 0, STRIO_DNS_HEADER_LEN);
    put16(buf, id);
    put16(buf + 2, rd ? STRIO_DNS_FLAG_RD : 0);
    put16(buf + 4, 1);
    put16(buf + len, qtype);
    put16(buf + len + 2, STRIO_DNS_CLASS_IN);
    return (int)(len + 4);
}

/* One resource record, as read in place. */
struct rr {
    unsigned char owner[STRIO_DNS_NAME_MAX];
    unsigned type, class;
    uint32_t ttl;
    size_t rdata, rdlen;
};

/* Reads the record at *off, checks its data against the message and, for
 * the types we interpret (class IN), its shape. */
static int read_rr(const unsigned char *msg, size_t len, size_t *off,
                   struct rr *r)
{
    int rc = strio_dns_read_name(msg, len, off, r->owner);
    if (rc < 0)
        return rc;
    if (len - *off < 10)
        return STRIO_EDNS_SHORT;
    const unsigned char *p = msg + *off;
    r->type = get16(p);
    r->class = get16(p + 2);
    r->ttl = get32(p + 4);
    if (r->ttl & 0x80000000u)
        r->ttl = 0;                     /* RFC 2181 section 8 */
    r->rdlen = get16(p + 8);
    r->rdata = *off + 10;
    if (len - r->rdata < r->rdlen)
        return STRIO_EDNS_SHORT;
    *off = r->rdata + r->rdlen;
    if (r->class != STRIO_DNS_CLASS_IN)
        return 0;
    if ((r->type == STRIO_DNS_A && r->rdlen != 4) ||
        (r->type == STRIO_DNS_AAAA && r->rdlen != 16))
        return STRIO_EDNS_FORMAT;
    if (r->type == STRIO_DNS_CNAME) {
        unsigned char target[STRIO_DNS_NAME_MAX];
        size_t t = r->rdata;
        rc = strio_dns_read_name(msg, len, &t, target);
        if (rc < 0)
            return rc;
        if (t != r->rdata + r->rdlen)
            return STRIO_EDNS_FORMAT;
    }
    return 0;
}

int strio_dns_parse_response(const unsigned char *msg, size_t len,
                             const unsigned char *q, size_t qlen,
                             strio_dns_answers *a)
{
    unsigned char qname[STRIO_DNS_NAME_MAX], name[STRIO_DNS_NAME_MAX];
    unsigned char cur[STRIO_DNS_NAME_MAX];
    struct rr r;
    size_t off, qoff, answers;
    unsigned qtype;
    int rc;

    a->count = a->total = 0;
    a->cname_len = 0;
    a->cname_ttl = 0;
    /* the query is ours, but checked all the same */
    qoff = STRIO_DNS_HEADER_LEN;
    if (qlen < STRIO_DNS_HEADER_LEN ||
        strio_dns_read_name(q, qlen, &qoff, qname) < 0 || qlen - qoff < 4)
        return -EINVAL;
    qtype = get16(q + qoff);

    if (len < STRIO_DNS_HEADER_LEN)
        return STRIO_EDNS_SHORT;
    a->id = (uint16_t)get16(msg);
    a->flags = (uint16_t)get16(msg + 2);
    a->rcode = a->flags & 0xf;
    a->truncated = (a->flags & STRIO_DNS_FLAG_TC) != 0;
    if (a->id != get16(q))
        return STRIO_EDNS_MISMATCH;
    if (!(a->flags & STRIO_DNS_FLAG_QR) || (a->flags & 0x7800) != 0)
        return STRIO_EDNS_FORMAT;       /* not a response to a QUERY */
    unsigned qd = get16(msg + 4);
    unsigned long nrr = (unsigned long)get16(msg + 6) + get16(msg + 8) +
                        get16(msg + 10);
    off = STRIO_DNS_HEADER_LEN;
    if (qd == 0 && a->rcode != STRIO_DNS_NOERROR && nrr == 0)
        return len == off ? 0 : STRIO_EDNS_FORMAT;  /* bare error reply */
    if (qd != 1)
        return STRIO_EDNS_FORMAT;
    rc = strio_dns_read_name(msg, len, &off, name);
    if (rc < 0)
        return rc;
    if (len - off < 4)
        return STRIO_EDNS_SHORT;
    if (!strio_dns_name_equal(name, qname) || get16(msg + off) != qtype ||
        get16(msg + off + 2) != STRIO_DNS_CLASS_IN)
        return STRIO_EDNS_MISMATCH;
    off += 4;

    /* Pass 1: every record well-formed; the message ends with the last.
     * A truncated (TC) message may stop inside a record: what came before
     * it is kept. */
    answers = off;
    unsigned long ancount = get16(msg + 6), usable = 0;
    for (unsigned long i = 0; i < nrr; i++) {
        rc = read_rr(msg, len, &off, &r);
        if (rc == STRIO_EDNS_SHORT && a->truncated)
            break;
        if (rc < 0)
            return rc;
        if (i < ancount)
            usable++;
    }
    if (off != len && !a->truncated)
        return STRIO_EDNS_FORMAT;

    /* Pass 2: follow the CNAME chain from the question's name (records
     * may come in any order). */
    memcpy(cur, qname, sizeof cur);
    if (qtype != STRIO_DNS_CNAME) {
        for (int links = 0;; links++) {
            int found = 0;
            off = answers;
            for (unsigned long i = 0; i < usable && !found; i++) {
                (void)read_rr(msg, len, &off, &r);  /* checked in pass 1 */
                if (r.type != STRIO_DNS_CNAME ||
                    r.class != STRIO_DNS_CLASS_IN ||
                    !strio_dns_name_equal(r.owner, cur))
                    continue;
                size_t t = r.rdata;
                rc = strio_dns_read_name(msg, len, &t, cur);
                a->cname_len = (unsigned char)rc;
                memcpy(a->cname, cur, (size_t)rc);
                if (links == 0 || r.ttl < a->cname_ttl)
                    a->cname_ttl = r.ttl;
                found = 1;
            }
            if (!found)
                break;
            if (links + 1 > STRIO_DNS_MAX_CHAIN)
                return STRIO_EDNS_FORMAT;   /* a CNAME loop, or absurd */
        }
    }

    /* Pass 3: the addresses (or records) of the query's type owned by the
     * end of the chain. */
    off = answers;
    for (unsigned long i = 0; i < usable; i++) {
        (void)read_rr(msg, len, &off, &r);
        if (r.type != qtype || r.class != STRIO_DNS_CLASS_IN ||
            !strio_dns_name_equal(r.owner, cur))
            continue;
        a->total++;
        if ((qtype != STRIO_DNS_A && qtype != STRIO_DNS_AAAA) ||
            a->count >= a->max)
            continue;
        strio_dns_addr *d = &a->addrs[a->count++];
        memset(d, 0, sizeof *d);
        d->type = (uint16_t)qtype;
        d->ttl = r.ttl;
        memcpy(d->addr, msg + r.rdata, r.rdlen);
    }
    return 0;
}

int strio_dns_result(const strio_dns_answers *a, int rc)
{
    if (rc < 0)
        return rc;
    switch (a->rcode) {
    case STRIO_DNS_NOERROR:
        break;
    case STRIO_DNS_NXDOMAIN:
        return STRIO_EDNS_NXDOMAIN;
    case STRIO_DNS_SERVFAIL:
        return STRIO_EDNS_SERVFAIL;
    case STRIO_DNS_REFUSED:
        return STRIO_EDNS_REFUSED;
    case STRIO_DNS_NOTIMP:
        return STRIO_EDNS_NOTIMP;
    case STRIO_DNS_FORMERR:
        return STRIO_EDNS_FORMERR;
    default:
        return STRIO_EDNS_RCODE;
    }
    if (a->total == 0)
        return a->truncated ? STRIO_EDNS_TRUNCATED : STRIO_EDNS_NODATA;
    return (int)a->count;
}
