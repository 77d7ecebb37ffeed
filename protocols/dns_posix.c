/*
 * The stub resolver on hosted builds (see strio/dns_posix.h): servers
 * from text, resolv.conf and hosts files, literals, the OS RNG, and the
 * UDP transport's operations table (its async operations are in
 * dns_posix_impl.sc).
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

#include <strio/dns_posix.h>

int strio_dns_config_add_server(strio_dns_config *c, const char *ip,
                                unsigned port)
{
    strio_socket probe = STRIO_SOCKET_INIT;
    strio_sockaddr a;
    strio_dns_addr d;
    if (ip == NULL || ip[0] == '\0')
        return -EINVAL;
    probe.family = strchr(ip, ':') != NULL ? AF_INET6 : AF_INET;
    if (strio_resolve_remote_address(&probe, ip, port, &a) < 0)
        return -EINVAL;
    memset(&d, 0, sizeof d);
    if (probe.family == AF_INET) {
        d.type = STRIO_DNS_A;
        memcpy(d.addr, &a.u.in.sin_addr, 4);
    } else {
        d.type = STRIO_DNS_AAAA;
        memcpy(d.addr, &a.u.in6.sin6_addr, 16);
    }
    int rc = strio_dns_config_add_server_addr(c, &d, port);
    if (rc == 0 && probe.family == AF_INET6)
        c->servers[c->nservers - 1].scope_id = a.u.in6.sin6_scope_id;
    return rc;
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


/* ---- literals and the hosts file, before DNS ------------------------- */

int strio_dns__local(strio_dns_resolver *r, const char *name, unsigned want,
                     strio_dns_addr *out, size_t max, size_t *count)
{
    int rc;
    if (count != NULL)
        *count = 0;
    r->from_hosts = 0;
    r->total = 0;
    if (name == NULL || out == NULL || max == 0 || want == 0 ||
        (want & ~(unsigned)STRIO_DNS_WANT_ANY) != 0 || r->config == NULL)
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
    return 0;
}

/* ---- the UDP transport --------------------------------------------------- */

static const unsigned char op_send = 1, op_wait_send = 2;

static strio_dns_udp_stream *udpstream(strio_stream *s)
{
    return (strio_dns_udp_stream *)(void *)s;
}

static void us_send_all(strio_stream *s, const void *data, size_t len)
{
    strio_dns_udp_stream *st = udpstream(s);
    st->send_op = op_send;
    strio_dns__udp_send_start(&st->send_frame.send, st, data, len);
}

static void us_wait_send(strio_stream *s)
{
    strio_dns_udp_stream *st = udpstream(s);
    st->send_op = op_wait_send;
    strio_dns__udp_wait_send_start(&st->send_frame.wait_send, st);
}

static int us_send_step(strio_stream *s, strio_task *task, long *result)
{
    strio_dns_udp_stream *st = udpstream(s);
    int rc;
    if (st->send_op == op_send) {
        rc = strio_dns__udp_send_resume(&st->send_frame.send, task);
        if (rc == STRIO_DONE)
            *result = st->send_frame.send.strio_ret;
    } else {
        rc = strio_dns__udp_wait_send_resume(&st->send_frame.wait_send,
                                             task);
        if (rc == STRIO_DONE)
            *result = st->send_frame.wait_send.strio_ret;
    }
    return rc;
}

static void us_receive_some(strio_stream *s, void *buf, size_t max)
{
    strio_dns_udp_stream *st = udpstream(s);
    strio_dns__udp_receive_start(&st->receive_frame, st, buf, max);
}

static int us_receive_step(strio_stream *s, strio_task *task, long *result)
{
    strio_dns_udp_stream *st = udpstream(s);
    int rc = strio_dns__udp_receive_resume(&st->receive_frame, task);
    if (rc == STRIO_DONE)
        *result = st->receive_frame.strio_ret;
    return rc;
}

static void us_close(strio_stream *s)
{
    strio_dns_udp_stream *st = udpstream(s);
    strio_dns__udp_close_start(&st->close_frame, st);
}

static int us_close_step(strio_stream *s, strio_task *task, long *result)
{
    strio_dns_udp_stream *st = udpstream(s);
    int rc = strio_dns__udp_close_resume(&st->close_frame, task);
    if (rc == STRIO_DONE)
        *result = st->close_frame.strio_ret;
    return rc;
}

static const strio_stream_ops udp_stream_ops = {
    .name = "dns-udp",
    .send_all = us_send_all,
    .wait_send = us_wait_send,
    .send_eof = NULL,
    .send_step = us_send_step,
    .receive_some = us_receive_some,
    .receive_step = us_receive_step,
    .close = us_close,
    .close_step = us_close_step,
};

/* A fresh connected UDP socket to `server` (connect on UDP only sets the
 * peer: it never blocks, so it is done here synchronously). */
static int udp_open(strio_dns_transport *t, const strio_dns_server *server,
                    strio_stream **out)
{
    strio_dns_udp *u = (strio_dns_udp *)(void *)t;
    strio_dns_udp_stream *st = &u->stream;
    strio_sockaddr a;
    int family = server->addr.type == STRIO_DNS_A ? AF_INET : AF_INET6;
    if (st->sock.fd >= 0)
        return STRIO_EBUSY;             /* the last channel was not closed */
    memset(&a, 0, sizeof a);
    if (family == AF_INET) {
        a.u.in.sin_family = AF_INET;
        a.u.in.sin_port = htons(server->port);
        memcpy(&a.u.in.sin_addr, server->addr.addr, 4);
        a.len = sizeof a.u.in;
    } else {
        a.u.in6.sin6_family = AF_INET6;
        a.u.in6.sin6_port = htons(server->port);
        memcpy(&a.u.in6.sin6_addr, server->addr.addr, 16);
        a.u.in6.sin6_scope_id = server->scope_id;
        a.len = sizeof a.u.in6;
    }
    int rc = strio_socket_create(&st->sock, family, SOCK_DGRAM, 0);
    if (rc < 0)
        return rc;
    if (connect(st->sock.fd, &a.u.sa, a.len) < 0) {
        rc = -errno;
        strio_socket_close(&st->sock);
        return rc;
    }
    strio_stream_init(&st->base, &udp_stream_ops);
    st->send_op = 0;
    *out = &st->base;
    return 0;
}

void strio_dns_udp_init(strio_dns_udp *u)
{
    memset(u, 0, sizeof *u);
    u->base.open = udp_open;
    u->stream.sock.fd = -1;
    strio_stream_init(&u->stream.base, &udp_stream_ops);
}
