/*
 * strio/dns_posix.h -- the stub resolver on hosted builds: UDP transport,
 * resolv.conf, hosts file, numeric literals, an OS RNG (the protocol
 * machine itself is strio/dns_resolver.h, core).
 *
 *     static strio_dns_config cfg;
 *     static strio_dns_udp udp;
 *     static strio_dns_resolver res;
 *     strio_dns_config_init(&cfg);
 *     strio_dns_config_load_resolv_conf(&cfg, "/etc/resolv.conf");
 *     cfg.hosts_path = "/etc/hosts";
 *     strio_dns_udp_init(&udp);
 *     strio_dns_resolver_init(&res, &cfg, &udp.base, strio_dns_os_random,
 *                             NULL);
 *     ...
 *     strio_dns_addr addrs[8];
 *     size_t n;
 *     int rc = await strio_dns_resolve(&res, "example.org",
 *                                      STRIO_DNS_WANT_ANY, addrs, 8, &n);
 *
 * Needs a loop with the poll backend (strio/posix.h).
 */
#ifndef STRIO_DNS_POSIX_H
#define STRIO_DNS_POSIX_H

#include <stddef.h>
#include <stdint.h>

#include <strio/async.h>
#include <strio/dns.h>
#include <strio/dns_resolver.h>
#include <strio/socket.h>
#include <strio/stream.h>

/* Longest hosts / resolv.conf line handled; longer lines are skipped
 * whole (resolv.conf: counted in skipped_lines), never cut. */
#define STRIO_DNS_LINE_MAX 1024

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
 * case-insensitively, one trailing dot ignored), storing the addresses of
 * the wanted families in out[0..max) in file order (TTL 0). Blocking file
 * I/O on a small local file, as every libc does. Returns the number of
 * matching addresses (possibly more than max: only max are stored;
 * *count, if not NULL, gets the number stored), 0 when the name is not
 * there, or -errno from fopen.
 */
int strio_dns_hosts_lookup(const char *path, const char *name, unsigned want,
                           strio_dns_addr *out, size_t max, size_t *count);

/* A strio_dns_rng over getrandom(2) (arg unused); aborts if the OS has
 * no randomness to give (predictable ids would invite spoofing). */
uint32_t strio_dns_os_random(void *arg);

/* ---- the UDP transport ---------------------------------------------- */

/*
 * A datagram stream over a connected UDP socket (what the transport's
 * open hands out): send_all is one send() of the whole datagram,
 * receive_some one recv() (empty datagrams are skipped), close closes the
 * socket then checkpoints. Unlike a socket stream its errors are the
 * socket's -errno (-ECONNREFUSED: the server's port is closed), -EMSGSIZE
 * when a send did not take the whole datagram, STRIO_ECLOSED after close.
 */
typedef struct strio_dns_udp_stream strio_dns_udp_stream;

/* The operations' frames (generated from protocols/dns_posix_impl.sc). */
#include <strio/dns_posix_impl.h>

struct strio_dns_udp_stream {
    strio_stream base;          /* first */
    strio_socket sock;
    /* private: the one in-flight operation of each side */
    unsigned char send_op;
    union {
        struct strio_dns__udp_send_frame send;
        struct strio_dns__udp_wait_send_frame wait_send;
    } send_frame;
    struct strio_dns__udp_receive_frame receive_frame;
    struct strio_dns__udp_close_frame close_frame;
};

/* The UDP transport: one stream, reopened (new socket) for every try. */
typedef struct strio_dns_udp {
    strio_dns_transport base;   /* first: pass &udp.base */
    strio_dns_udp_stream stream;
} strio_dns_udp;

void strio_dns_udp_init(strio_dns_udp *u);

/*
 * async int strio_dns_resolve(strio_dns_resolver *r, const char *name,
 *                             unsigned want, strio_dns_addr *out,
 *                             size_t max, size_t *count)
 *
 * strio_dns_query (strio/dns_resolver.h: results, order, errors) with
 * what a hosted libc does first: a numeric literal ("192.0.2.1", "::1")
 * is returned as it is (TTL 0; -EAFNOSUPPORT for a family not wanted);
 * then, if config->hosts_path, the hosts file answers when it has an
 * address of a wanted family (r->from_hosts set; a missing hosts file is
 * skipped); then DNS. A checkpoint in every case.
 */
STRIO_ASYNC_DECL(int strio_dns_resolve(strio_dns_resolver *r, const char *name, unsigned want, strio_dns_addr *out, size_t max, size_t *count))

/* Private (dns_posix.c): literals and hosts; 0 when DNS must answer. */
int strio_dns__local(strio_dns_resolver *r, const char *name, unsigned want,
                     strio_dns_addr *out, size_t max, size_t *count);

#endif
