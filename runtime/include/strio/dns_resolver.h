/*
 * strio/dns_resolver.h -- a DNS stub resolver as a protocol machine, for
 * any datagram transport: core (no OS; builds for the firmware), so a
 * device without getaddrinfo can resolve names. Hosted builds get the
 * UDP transport, resolv.conf, the hosts file and literals on top in
 * strio/dns_posix.h; firmware plugs its own UDP in as a transport.
 *
 *     static strio_dns_config cfg;
 *     static strio_dns_resolver res;
 *     strio_dns_config_init(&cfg);
 *     strio_dns_config_add_server_addr(&cfg, &server_addr, 53);
 *     strio_dns_resolver_init(&res, &cfg, &my_transport.base, my_rng, NULL);
 *     ...
 *     strio_dns_addr addrs[8];
 *     size_t n;
 *     int rc = await strio_dns_query(&res, "example.org",
 *                                    STRIO_DNS_WANT_ANY, addrs, 8, &n);
 *
 * Protocol (RFC 1035 4.2.1 and common stub practice):
 *   - per try, one channel from the transport to one server (the UDP
 *     transport: a fresh connected socket, so a new source port, the kernel
 *     dropping datagrams from other sources, and an ICMP "port
 *     unreachable" ending the try at once with -ECONNREFUSED);
 *   - query ids come from the caller's RNG hook (unpredictable ids are
 *     the stub's defence against off-path spoofing); a datagram whose id
 *     or echoed question does not match a pending query is ignored
 *     (counted in `ignored`), as is a malformed one (its error is kept in
 *     `last_error`);
 *   - tries: `attempts` rounds over the servers in order; each try sends
 *     the queries still unanswered (AAAA and A together) and waits up to
 *     `timeout` (a move-on cancel scope); SERVFAIL, REFUSED, NOTIMP,
 *     FORMERR or another error RCODE moves on to the next server;
 *     NXDOMAIN, NODATA and addresses are final;
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
#include <strio/stream.h>
#include <strio/time.h>

#define STRIO_DNS_MAX_SERVERS 3         /* as glibc's MAXNS */
#define STRIO_DNS_DEFAULT_TIMEOUT STRIO_SEC(5)
#define STRIO_DNS_DEFAULT_ATTEMPTS 2
/* Addresses kept per record type during one resolution. */
#ifndef STRIO_DNS_RESOLVE_MAX
#define STRIO_DNS_RESOLVE_MAX 16
#endif

/* Which records a resolution asks for. */
enum {
    STRIO_DNS_WANT_A = 1,
    STRIO_DNS_WANT_AAAA = 2,
    STRIO_DNS_WANT_ANY = 3
};

/* A name server: an address (type STRIO_DNS_A or _AAAA, as in
 * strio_dns_addr), its UDP port, and an IPv6 scope id (0: none). */
typedef struct strio_dns_server {
    strio_dns_addr addr;
    uint16_t port;
    uint32_t scope_id;
} strio_dns_server;

/* Where to ask, how long and how often. Fill with strio_dns_config_init,
 * then add servers (or load a resolv.conf: strio/dns_posix.h). */
typedef struct strio_dns_config {
    strio_dns_server servers[STRIO_DNS_MAX_SERVERS];
    size_t nservers;
    size_t ignored_servers;     /* resolv.conf: nameservers beyond the max */
    size_t skipped_lines;       /* resolv.conf: over-long lines skipped */
    strio_time timeout;         /* per try (default 5 s) */
    int attempts;               /* rounds over the servers (default 2) */
    const char *hosts_path;     /* hosted strio_dns_resolve: hosts file
                                   consulted first; NULL: none */
} strio_dns_config;

/* No servers, timeout 5 s, 2 attempts, no hosts file. */
void strio_dns_config_init(strio_dns_config *c);

/* Adds a server (addr->type STRIO_DNS_A or _AAAA; the TTL is ignored).
 * Returns 0, -EINVAL (another type), -ENOSPC (already
 * STRIO_DNS_MAX_SERVERS servers). */
int strio_dns_config_add_server_addr(strio_dns_config *c,
                                     const strio_dns_addr *addr,
                                     unsigned port);

/*
 * A datagram transport. open() makes a channel to `server` and hands out
 * a stream (strio/stream.h) over it with datagram semantics: each
 * send_all sends one datagram, each receive_some returns one whole
 * datagram (a datagram longer than `max` may be cut: the resolver asks
 * for one byte more than a DNS/UDP message may have, and ignores longer
 * ones), 0 only when the channel can deliver nothing more. Synchronous:
 * returns 0 or a negative error (the try then counts as failed with it).
 * The resolver closes the stream (await strio_stream_close) at the end of
 * the try, which must release the channel; open is called again for the
 * next try. A firmware transport wraps its UDP stack this way; the hosted
 * one is strio_dns_udp (strio/dns_posix.h).
 */
typedef struct strio_dns_transport strio_dns_transport;
struct strio_dns_transport {
    int (*open)(strio_dns_transport *t, const strio_dns_server *server,
                strio_stream **out);
};

/* The caller's source of unpredictable 32-bit numbers (query ids). */
typedef uint32_t (*strio_dns_rng)(void *arg);

/* One query of a resolution (private). */
typedef struct strio_dns__query {
    uint16_t qtype;             /* STRIO_DNS_A or _AAAA */
    uint16_t id;
    unsigned char state;        /* 0 pending, 1 answered, 2 failed on
                                   this try's server */
    int rc;                     /* result: > 0 addresses, or an error */
    size_t qlen;
    unsigned char q[STRIO_DNS_HEADER_LEN + STRIO_DNS_NAME_MAX + 4];
    strio_dns_answers ans;
    strio_dns_addr addrs[STRIO_DNS_RESOLVE_MAX];
} strio_dns__query;

/* A resolver: the config, the transport, the RNG, and the working memory
 * of one resolution (2.8 KB on x86-64, 2.7 KB on Cortex-M4).
 * Caller-owned; must not move while in use. */
typedef struct strio_dns_resolver {
    const strio_dns_config *config;
    strio_dns_transport *transport;
    strio_dns_rng rng;
    void *rng_arg;
    /* statistics and diagnostics of the last resolution */
    unsigned tries;             /* channels opened (one per try) */
    unsigned ignored;           /* datagrams ignored (stray, spoofed,
                                   malformed) */
    int last_error;             /* last per-try error (timeout, refused,
                                   server RCODE, malformed reply) */
    size_t total;               /* addresses found (> *count: did not fit) */
    unsigned char from_hosts;   /* answered by the hosts file (hosted) */
    unsigned char cname_len;    /* canonical name (wire form, 0: none) */
    unsigned char cname[STRIO_DNS_NAME_MAX];
    /* private */
    unsigned char busy;
    size_t nq;
    strio_dns__query query[2];
    strio_stream *chan;         /* the try's channel, NULL between tries */
    unsigned char reply[STRIO_DNS_UDP_MAX + 1];
} strio_dns_resolver;

/* Binds a resolver to `config`, `transport` and the RNG `rng` (called
 * with `rng_arg`). */
void strio_dns_resolver_init(strio_dns_resolver *r,
                             const strio_dns_config *config,
                             strio_dns_transport *transport,
                             strio_dns_rng rng, void *rng_arg);

/*
 * async int strio_dns_query(strio_dns_resolver *r, const char *name,
 *                           unsigned want, strio_dns_addr *out,
 *                           size_t max, size_t *count)
 *
 * Asks the configured servers for the addresses of `name` (text form,
 * strio/dns.h) of the families in `want` (STRIO_DNS_WANT_*): DNS only,
 * no literals, no hosts file (strio_dns_resolve in strio/dns_posix.h
 * adds those). Results go to out[0..max), IPv6 first then IPv4 (each in
 * the server's order), with TTLs; *count (may be NULL) gets the number
 * stored, r->total the number found, r->cname the canonical name.
 *
 * Returns the number of addresses stored (> 0), or: -EINVAL (bad
 * arguments, no RNG or transport), the name errors of
 * strio_dns_name_encode, -EDESTADDRREQ (no server configured),
 * STRIO_EDNS_NXDOMAIN, _NODATA, _TRUNCATED, STRIO_ETIMEDOUT (no server
 * answered in any try), or the last try's error when every try failed
 * otherwise (STRIO_EDNS_SERVFAIL, _REFUSED, -ECONNREFUSED, a malformed
 * reply's code...), STRIO_EBUSY (the resolver is in use; at once),
 * STRIO_ECANCELED.
 *
 * A checkpoint. Cancellation: the try in progress ends and its channel is
 * closed; nothing is stored in `out`. A resolution that had completed
 * when the cancellation came (no checkpoint left) returns its result.
 * Put a strio_fail_after scope around the call for an overall deadline.
 */
STRIO_ASYNC_DECL(int strio_dns_query(strio_dns_resolver *r, const char *name, unsigned want, strio_dns_addr *out, size_t max, size_t *count))

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
