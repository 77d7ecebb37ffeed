/*
 * strio/dns_resolver.h -- a DNS stub resolver over UDP, hosted builds
 * (strio/socket.h; the message codec underneath, strio/dns.h, is core).
 *
 * Resolves a name to IPv4 and/or IPv6 addresses with no thread, no heap
 * and no getaddrinfo: numeric literals are returned as they are, then a
 * hosts file is consulted, then the configured name servers are asked
 * over UDP (A and AAAA queries sent together, answers merged).
 *
 *     static strio_dns_config cfg;
 *     static strio_dns_resolver res;
 *     strio_dns_config_init(&cfg);
 *     strio_dns_config_load_resolv_conf(&cfg, "/etc/resolv.conf");
 *     cfg.hosts_path = "/etc/hosts";
 *     strio_dns_resolver_init(&res, &cfg, strio_dns_os_random, NULL);
 *     ...
 *     strio_dns_addr addrs[8];
 *     size_t n;
 *     int rc = await strio_dns_resolve(&res, "example.org",
 *                                      STRIO_DNS_WANT_ANY, addrs, 8, &n);
 *
 * Protocol (RFC 1035 4.2.1 and common stub practice):
 *   - per try, one fresh UDP socket (close-on-exec, new source port)
 *     connect()ed to the server, so the kernel drops datagrams from other
 *     sources and an ICMP "port unreachable" ends the try at once
 *     (-ECONNREFUSED) instead of waiting for the timeout;
 *   - query ids come from the caller's RNG hook (unpredictable ids are
 *     the stub's defence against off-path spoofing); a datagram whose id
 *     or echoed question does not match a pending query is ignored
 *     (counted in `ignored`), as is a malformed one (its error is kept);
 *   - tries: `attempts` rounds over the servers in order; each try sends
 *     the queries still unanswered and waits up to `timeout` (a move-on
 *     cancel scope); SERVFAIL, REFUSED, NOTIMP, FORMERR or another error
 *     RCODE moves on to the next server; NXDOMAIN, NODATA and addresses
 *     are final;
 *   - TC (truncated): the addresses that arrived are used; with none,
 *     STRIO_EDNS_TRUNCATED (no TCP fallback);
 *   - names are absolute: no search list, no ndots.
 *
 * Threads: loop thread only. One resolution per resolver at a time (a
 * second concurrent call gets STRIO_EBUSY); the config may be shared by
 * several resolvers and must not change while they run.
 */
#ifndef STRIO_DNS_RESOLVER_H
#define STRIO_DNS_RESOLVER_H

#include <stddef.h>
#include <stdint.h>

#include <strio/async.h>
#include <strio/dns.h>
#include <strio/socket.h>
#include <strio/time.h>

#define STRIO_DNS_MAX_SERVERS 3         /* as glibc's MAXNS */
#define STRIO_DNS_DEFAULT_TIMEOUT STRIO_SEC(5)
#define STRIO_DNS_DEFAULT_ATTEMPTS 2
/* Addresses kept per record type during one resolution. */
#ifndef STRIO_DNS_RESOLVE_MAX
#define STRIO_DNS_RESOLVE_MAX 16
#endif
/* Longest hosts / resolv.conf line handled; longer lines are skipped
 * whole (and counted in `skipped_lines`), never cut. */
#define STRIO_DNS_LINE_MAX 1024

/* Which records strio_dns_resolve asks for. */
enum {
    STRIO_DNS_WANT_A = 1,
    STRIO_DNS_WANT_AAAA = 2,
    STRIO_DNS_WANT_ANY = 3
};

/* Where to ask, how long and how often. Fill with strio_dns_config_init,
 * then add servers or load a resolv.conf. */
typedef struct strio_dns_config {
    strio_sockaddr servers[STRIO_DNS_MAX_SERVERS];
    size_t nservers;
    size_t ignored_servers;     /* nameserver lines beyond the maximum */
    size_t skipped_lines;       /* over-long lines skipped by the loader */
    strio_time timeout;         /* per try (default 5 s) */
    int attempts;               /* rounds over the servers (default 2) */
    const char *hosts_path;     /* hosts file consulted first; NULL: none */
} strio_dns_config;

/* No servers, timeout 5 s, 2 attempts, no hosts file. */
void strio_dns_config_init(strio_dns_config *c);

/*
 * Adds the server at the numeric address `ip` (IPv4 or IPv6 literal,
 * "%scope" allowed), UDP port `port` (53 normally). Returns 0, -EINVAL
 * (not a numeric address, port > 65535) or -ENOSPC (already
 * STRIO_DNS_MAX_SERVERS servers).
 */
int strio_dns_config_add_server(strio_dns_config *c, const char *ip,
                                unsigned port);

/*
 * Reads a resolv.conf(5): "nameserver ADDR" lines (port 53; beyond the
 * maximum they are counted in ignored_servers, as glibc ignores them) and
 * "options timeout:N attempts:N" (glibc's caps: 30 s, 5 attempts); other
 * lines ("search", "domain", comments) are ignored. Blocking file I/O
 * (a small local file; call it at startup). Returns 0 or -errno from
 * fopen (-ENOENT: no such file; the config keeps what it had).
 */
int strio_dns_config_load_resolv_conf(strio_dns_config *c, const char *path);

/*
 * Looks `name` up in the hosts file `path` (hosts(5): an address, a
 * canonical name, aliases; '#' comments; names compared ASCII
 * case-insensitively), storing the addresses of the wanted families in
 * out[0..max) in file order. Blocking file I/O on a small local file (as
 * every libc does). Returns the number of matching addresses (possibly
 * more than max: only max are stored; *count gets the number stored),
 * 0 when the name is not there, or -errno from fopen.
 */
int strio_dns_hosts_lookup(const char *path, const char *name, unsigned want,
                           strio_dns_addr *out, size_t max, size_t *count);

/* The caller's source of unpredictable 32-bit numbers (query ids). */
typedef uint32_t (*strio_dns_rng)(void *arg);

/* A strio_dns_rng over getrandom(2) (arg unused). */
uint32_t strio_dns_os_random(void *arg);

/* One query of a resolution (private). */
typedef struct strio_dns__query {
    uint16_t qtype;             /* STRIO_DNS_A or _AAAA */
    unsigned char state;        /* 0 pending, 1 answered, 2 failed on
                                   this try's server */
    int rc;                     /* result: > 0 addresses, or an error */
    size_t qlen;
    unsigned char q[STRIO_DNS_HEADER_LEN + STRIO_DNS_NAME_MAX + 4];
    strio_dns_answers ans;
    strio_dns_addr addrs[STRIO_DNS_RESOLVE_MAX];
} strio_dns__query;

/* A resolver: the config it uses, the RNG, and the working memory of one
 * resolution (about 1.5 KB). Caller-owned; must not move while in use. */
typedef struct strio_dns_resolver {
    const strio_dns_config *config;
    strio_dns_rng rng;
    void *rng_arg;
    /* statistics and diagnostics of the last resolution */
    unsigned tries;             /* datagram exchanges started */
    unsigned ignored;           /* datagrams ignored (stray, spoofed,
                                   malformed) */
    int last_error;             /* last per-try error (timeout, refused,
                                   server RCODE, malformed reply) */
    size_t total;               /* addresses found (> *count: did not fit) */
    unsigned char from_hosts;   /* answered by the hosts file */
    unsigned char cname_len;    /* canonical name (wire form, 0: none) */
    unsigned char cname[STRIO_DNS_NAME_MAX];
    /* private */
    unsigned char busy;
    size_t nq;
    strio_dns__query query[2];
    strio_socket sock;
    unsigned char reply[STRIO_DNS_UDP_MAX + 1];
} strio_dns_resolver;

/* Binds a resolver to `config` and the RNG `rng` (with `rng_arg`). */
void strio_dns_resolver_init(strio_dns_resolver *r,
                             const strio_dns_config *config,
                             strio_dns_rng rng, void *rng_arg);

/*
 * async int strio_dns_resolve(strio_dns_resolver *r, const char *name,
 *                             unsigned want, strio_dns_addr *out,
 *                             size_t max, size_t *count)
 *
 * Resolves `name` (text form, strio/dns.h) to the addresses of the
 * families in `want` (STRIO_DNS_WANT_*). Results go to out[0..max), IPv6
 * first then IPv4 (each in the server's order), with TTLs; *count (may
 * be NULL) gets the number stored, r->total the number found.
 *
 * Order: a numeric literal ("192.0.2.1", "::1") is returned as is
 * (TTL 0); then the hosts file (if config->hosts_path), which answers
 * when it has an address of a wanted family; then DNS.
 *
 * Returns the number of addresses stored (> 0), or: -EINVAL (bad
 * arguments, no RNG), the name errors of strio_dns_name_encode,
 * -EAFNOSUPPORT (a literal of a family not wanted), -EDESTADDRREQ (DNS
 * needed but no server configured), STRIO_EDNS_NXDOMAIN, _NODATA,
 * _TRUNCATED, STRIO_ETIMEDOUT (no server answered in any try), or the
 * last try's error when every try failed otherwise (STRIO_EDNS_SERVFAIL,
 * _REFUSED, -ECONNREFUSED, a malformed reply's code...), STRIO_EBUSY
 * (the resolver is in use), STRIO_ECANCELED.
 *
 * A checkpoint (also for literals and hosts answers). Cancellation: the
 * try in progress ends and its socket is closed; nothing is stored in
 * `out`. Put a strio_fail_after scope around the call for an overall
 * deadline.
 */
STRIO_ASYNC_DECL(int strio_dns_resolve(strio_dns_resolver *r, const char *name, unsigned want, strio_dns_addr *out, size_t max, size_t *count))

/* Private: the steps of a resolution in plain C (dns_resolver.c). */
int strio_dns__begin(strio_dns_resolver *r, const char *name, unsigned want,
                     strio_dns_addr *out, size_t max, size_t *count);
void strio_dns__reply(strio_dns_resolver *r, size_t len);
int strio_dns__pending(const strio_dns_resolver *r);
int strio_dns__start_try(strio_dns_resolver *r);
int strio_dns__finish(strio_dns_resolver *r, strio_dns_addr *out,
                      size_t max, size_t *count);

/* The frames (generated from protocols/dns_resolver_impl.sc). */
#include <strio/dns_resolver_impl.h>

#endif
