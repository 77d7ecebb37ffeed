/*
 * strio/tcp.h -- open a TCP connection to a host name or address with
 * Happy Eyeballs (RFC 8305; Trio's open_tcp_stream), hosted builds only.
 *
 *     static strio_tcp_connector conn;           // caller-owned, reusable
 *     strio_socket_stream st;
 *     strio_tcp_connector_init(&conn, &pool.workers);   // NULL: numeric only
 *     int rc = await strio_open_tcp_stream(&conn, "localhost", 8080, &st);
 *
 * How it connects:
 *   - Resolution: a numeric IPv4 or IPv6 literal ("127.0.0.1", "::1";
 *     inet_pton) is used as is, without the worker pool; anything else goes
 *     through strio_getaddrinfo (strio/resolve.h) on the connector's
 *     worker pool (SOCK_STREAM, AF_UNSPEC). No pool: -EINVAL for a name.
 *   - The addresses are reordered to alternate the families, starting with
 *     the family of the first result (RFC 8305 section 4), and cut to
 *     STRIO_TCP_MAX_ATTEMPTS.
 *   - Attempts start one after the other: the next starts when `delay`
 *     (default 250 ms, Trio's happy_eyeballs_delay) has passed since the
 *     previous one started, or at once when the previous one failed.
 *     Attempts run as child tasks of a nursery inside the connector (a pool
 *     of STRIO_TCP_MAX_ATTEMPTS frames; no heap).
 *   - The first attempt that connects wins: the nursery is cancelled, the
 *     other attempts stop and close their sockets (a cancelled connect
 *     closes its socket), and the winner's socket becomes the stream `out`.
 *   - When every attempt failed, the first attempt's error is returned
 *     (-ECONNREFUSED, ...); every attempt's result is in
 *     c->attempt[i].result, c->nattempts tells how many ran.
 *   - Cancelled from outside (the caller's scope): every attempt is
 *     cancelled, every socket is closed, STRIO_ECANCELED. If the
 *     cancellation happens during the name lookup, the getaddrinfo job
 *     keeps running on its worker thread and writes into c->resolver: the
 *     connector must stay alive until strio_resolver_busy(&c->resolver)
 *     is 0 (or the worker pool was closed), and a new call before that
 *     gets STRIO_EBUSY.
 *
 * Test hook: `connect_hook`, if set, is called on the loop thread before
 * attempt `index` connects (after its socket was created). It may set
 * *delay: the attempt sleeps that long first (cancellable, on the loop's
 * clock); a negative return makes the attempt fail with that error (after
 * the delay) without connecting.
 *
 * One call at a time per connector; the connector must not move while a
 * call runs. Loop thread only.
 */
#ifndef STRIO_TCP_H
#define STRIO_TCP_H

#include <strio/strio.h>
#include <strio/nursery.h>
#include <strio/socket.h>
#include <strio/socket_stream.h>
#include <strio/sync.h>
#include <strio/time.h>

typedef struct strio_tcp_connector strio_tcp_connector;
typedef struct strio_tcp_attempt strio_tcp_attempt;

#include <strio/resolve.h>
/* The frames (generated from runtime/src/tcp_impl.sc). */
#include <strio/tcp_impl.h>

/* Attempts (and addresses) per call. */
#ifndef STRIO_TCP_MAX_ATTEMPTS
#define STRIO_TCP_MAX_ATTEMPTS 8
#endif

/* Trio's default happy_eyeballs_delay. */
#define STRIO_TCP_DEFAULT_DELAY STRIO_MS(250)

typedef int (*strio_tcp_connect_hook)(void *arg, int index,
                                      const strio_addr *addr,
                                      strio_time *delay);

/* One attempt (read-only for the caller). */
struct strio_tcp_attempt {
    strio_addr addr;            /* where it connects */
    strio_socket sock;          /* its socket (closed unless it won) */
    strio_event failed;         /* set when it failed */
    int started;                /* the child ran */
    int done;                   /* the child finished */
    int result;                 /* 0 connected, or its error */
};

struct strio_tcp_connector {
    strio_workers *workers;     /* for host names (NULL: numeric only) */
    strio_time delay;           /* between attempt starts (> 0) */
    /* a numeric local address every attempt binds to before connecting
     * (NULL: none; the port is left to the kernel, with
     * IP_BIND_ADDRESS_NO_PORT where available so that binding does not
     * use up ports). An attempt whose family does not match fails with
     * -EAFNOSUPPORT, a bad address with -EINVAL. */
    const char *local_address;
    strio_tcp_connect_hook connect_hook;    /* tests; NULL normally */
    void *hook_arg;
    /* results of the last call */
    int nattempts;              /* attempts started */
    int winner;                 /* index of the attempt that won, or -1 */
    strio_tcp_attempt attempt[STRIO_TCP_MAX_ATTEMPTS];
    /* private */
    strio_resolver resolver;
    strio_addr addrs[STRIO_TCP_MAX_ATTEMPTS];
    strio_nursery nursery;
    STRIO_POOL(pool, struct strio_tcp_attempt_run_frame,
               STRIO_TCP_MAX_ATTEMPTS);
};

/* Prepares a connector: `workers` (may be NULL), delay 250 ms, no hook. */
void strio_tcp_connector_init(strio_tcp_connector *c, strio_workers *workers);

/*
 * Fills `out` (up to `max`) with the addresses of a numeric host:
 * one AF_INET or AF_INET6 address with `port`. Returns the count (1), or
 * 0 when `host` is not a numeric address, or -EINVAL (port out of range).
 * Never blocks.
 */
int strio_tcp_numeric_addrs(const char *host, int port, strio_addr *out);

/*
 * Reorders addrs[0..n) in place to alternate families, starting with the
 * family of addrs[0]; the order within a family is kept.
 */
void strio_tcp_interleave(strio_addr *addrs, size_t n);

/*
 * async int strio_open_tcp_stream(strio_tcp_connector *c, const char *host,
 *                                 int port, strio_socket_stream *out)
 *
 * Resolves `host` and connects with Happy Eyeballs (see above); on success
 * `out` is a socket stream (overwritten; it must not be in use). Returns
 * 0, -EINVAL (bad port, empty host, a name without a worker pool),
 * STRIO_EBUSY (the resolver still runs an abandoned job), a resolution
 * error (strio/resolve.h: -ENOENT for an unknown name), the first attempt's
 * connect error, or STRIO_ECANCELED.
 */
STRIO_ASYNC_DECL(int strio_open_tcp_stream(strio_tcp_connector *c, const char *host, int port, strio_socket_stream *out))

/*
 * async int strio_tcp_connect_addrs(strio_tcp_connector *c,
 *                                   const strio_addr *addrs, size_t n,
 *                                   strio_socket_stream *out)
 *
 * The Happy Eyeballs part alone, over addresses given in the order to try
 * (not reordered; at most STRIO_TCP_MAX_ATTEMPTS used; -EINVAL for n == 0).
 * Same results as strio_open_tcp_stream.
 */
STRIO_ASYNC_DECL(int strio_tcp_connect_addrs(strio_tcp_connector *c, const strio_addr *addrs, size_t n, strio_socket_stream *out))

#endif
