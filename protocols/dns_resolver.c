/*
 * The stub resolver's plain-C parts (see strio/dns_resolver.h): config,
 * resolv.conf and hosts files, the RNG, and the bookkeeping of one
 * resolution (start, each reply, the merged result). The exchange itself
 * -- sockets, tries, timeouts -- is the async machine in
 * dns_resolver_impl.sc. Hosted only.
 */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include <strio/dns_resolver.h>

void strio_dns_config_init(strio_dns_config *c)
{
    memset(c, 0, sizeof *c);
    c->timeout = STRIO_DNS_DEFAULT_TIMEOUT;
    c->attempts = STRIO_DNS_DEFAULT_ATTEMPTS;
}

int strio_dns_config_add_server(strio_dns_config *c, const char *ip,
                                unsigned port)
{
    strio_socket probe = STRIO_SOCKET_INIT;
    strio_sockaddr a;
    if (ip == NULL || ip[0] == '\0')
        return -EINVAL;
    probe.family = strchr(ip, ':') != NULL ? AF_INET6 : AF_INET;
    int rc = strio_resolve_remote_address(&probe, ip, port, &a);
    if (rc < 0)
        return -EINVAL;
    if (c->nservers >= STRIO_DNS_MAX_SERVERS)
        return -ENOSPC;
    c->servers[c->nservers++] = a;
    return 0;
}

/* Reads one line of at most STRIO_DNS_LINE_MAX bytes into `line`
 * (newline dropped). Returns 1 for a line, 0 at end of file, -1 for an
 * over-long line, which is consumed whole. */
static int read_line(FILE *f, char *line, size_t size)
{
    if (fgets(line, (int)size, f) == NULL)
        return 0;
    size_t n = strlen(line);
    if (n > 0 && line[n - 1] == '\n') {
        line[n - 1] = '\0';
        return 1;
    }
    if (feof(f))
        return 1;                       /* last line without newline */
    int ch;
    while ((ch = getc(f)) != EOF && ch != '\n')
        ;
    return -1;
}

static const char *const SPACE = " \t\r\f\v";

static int option_value(const char *opt, const char *key, int cap,
                        int *out)
{
    size_t k = strlen(key);
    if (strncmp(opt, key, k) != 0)
        return 0;
    char *end;
    long v = strtol(opt + k, &end, 10);
    if (end == opt + k || *end != '\0' || v < 0)
        return 0;
    *out = v > cap ? cap : (int)v;
    return 1;
}

int strio_dns_config_load_resolv_conf(strio_dns_config *c, const char *path)
{
    char line[STRIO_DNS_LINE_MAX + 2];
    FILE *f = fopen(path, "re");
    int rc;
    if (f == NULL)
        return -errno;
    while ((rc = read_line(f, line, sizeof line)) != 0) {
        if (rc < 0) {
            c->skipped_lines++;
            continue;
        }
        char *save = NULL;
        char *key = strtok_r(line, SPACE, &save);
        if (key == NULL || key[0] == '#' || key[0] == ';')
            continue;
        if (strcmp(key, "nameserver") == 0) {
            char *ip = strtok_r(NULL, SPACE, &save);
            if (ip == NULL)
                continue;
            int arc = strio_dns_config_add_server(c, ip, 53);
            if (arc == -ENOSPC)
                c->ignored_servers++;
        } else if (strcmp(key, "options") == 0) {
            char *opt;
            while ((opt = strtok_r(NULL, SPACE, &save)) != NULL) {
                int v;
                if (option_value(opt, "timeout:", 30, &v))
                    c->timeout = STRIO_SEC(v > 0 ? v : 1);
                else if (option_value(opt, "attempts:", 5, &v))
                    c->attempts = v > 0 ? v : 1;
            }
        }
    }
    fclose(f);
    return 0;
}

/* Fills `a` from the numeric address `text` of a wanted family: 1 if it
 * is one, 0 if not numeric, -EAFNOSUPPORT if numeric but not wanted. */
static int numeric(const char *text, unsigned want, strio_dns_addr *a)
{
    memset(a, 0, sizeof *a);
    if (inet_pton(AF_INET, text, a->addr) == 1) {
        a->type = STRIO_DNS_A;
        return (want & STRIO_DNS_WANT_A) ? 1 : -EAFNOSUPPORT;
    }
    if (inet_pton(AF_INET6, text, a->addr) == 1) {
        a->type = STRIO_DNS_AAAA;
        return (want & STRIO_DNS_WANT_AAAA) ? 1 : -EAFNOSUPPORT;
    }
    return 0;
}

/* Host names equal, ignoring case and one trailing dot on either. */
static int same_host(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 0 && a[la - 1] == '.')
        la--;
    if (lb > 0 && b[lb - 1] == '.')
        lb--;
    return la == lb && la > 0 && strncasecmp(a, b, la) == 0;
}

int strio_dns_hosts_lookup(const char *path, const char *name, unsigned want,
                           strio_dns_addr *out, size_t max, size_t *count)
{
    char line[STRIO_DNS_LINE_MAX + 2];
    size_t found = 0, stored = 0;
    int rc;
    if (count != NULL)
        *count = 0;
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return -errno;
    while ((rc = read_line(f, line, sizeof line)) != 0) {
        if (rc < 0)
            continue;
        char *hash = strchr(line, '#');
        if (hash != NULL)
            *hash = '\0';
        char *save = NULL;
        char *addr = strtok_r(line, SPACE, &save);
        strio_dns_addr a;
        if (addr == NULL || numeric(addr, want, &a) != 1)
            continue;
        char *h;
        while ((h = strtok_r(NULL, SPACE, &save)) != NULL) {
            if (!same_host(h, name))
                continue;
            found++;
            if (stored < max)
                out[stored++] = a;
            break;                      /* one address per line */
        }
    }
    fclose(f);
    if (count != NULL)
        *count = stored;
    return found > 0x7fffffff ? 0x7fffffff : (int)found;
}

uint32_t strio_dns_os_random(void *arg)
{
    uint32_t v = 0;
    (void)arg;
    for (int i = 0; i < 100; i++) {
        ssize_t n = getrandom(&v, sizeof v, 0);
        if (n == (ssize_t)sizeof v)
            return v;
        if (n < 0 && errno != EINTR)
            break;
    }
    /* no getrandom(2) (old kernel): the same bytes from /dev/urandom */
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        ssize_t n = read(fd, &v, sizeof v);
        close(fd);
        if (n == (ssize_t)sizeof v)
            return v;
    }
    abort();            /* predictable query ids would invite spoofing */
}

void strio_dns_resolver_init(strio_dns_resolver *r,
                             const strio_dns_config *config,
                             strio_dns_rng rng, void *rng_arg)
{
    memset(r, 0, sizeof *r);
    r->config = config;
    r->rng = rng;
    r->rng_arg = rng_arg;
    r->sock.fd = -1;
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
        r->rng == NULL)
        return -EINVAL;

    rc = numeric(name, want, &out[0]);
    if (rc != 0) {
        if (rc > 0) {
            r->total = 1;
            if (count != NULL)
                *count = 1;
        }
        return rc;
    }
    if (r->config->hosts_path != NULL) {
        size_t n = 0;
        rc = strio_dns_hosts_lookup(r->config->hosts_path, name, want, out,
                                    max, &n);
        if (rc > 0) {
            r->from_hosts = 1;
            r->total = (size_t)rc;
            if (count != NULL)
                *count = n;
            return (int)n;
        }
        /* a missing or unreadable hosts file: on to DNS, as libcs do */
    }

    for (int i = 0; i < 2; i++) {
        if (!(want & wants[i]))
            continue;
        strio_dns__query *q = &r->query[r->nq];
        uint16_t id = (uint16_t)r->rng(r->rng_arg);
        if (r->nq == 1 && id == r->query[0].ans.id)
            id ^= 1;                    /* the two ids must differ */
        rc = strio_dns_build_query(q->q, sizeof q->q, id, name, types[i], 1);
        if (rc < 0)
            return rc;
        q->qlen = (size_t)rc;
        q->qtype = types[i];
        q->state = 0;
        q->rc = 0;
        strio_dns_answers_init(&q->ans, q->addrs, STRIO_DNS_RESOLVE_MAX);
        q->ans.id = id;
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
