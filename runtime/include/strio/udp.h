/*
 * strio/udp.h -- UDP datagrams over the low-level sockets (strio/socket.h),
 * hosted builds only.
 *
 *     strio_socket s;
 *     strio_sockaddr peer;
 *     size_t size;
 *     int rc = strio_open_udp_socket(&s, "127.0.0.1", 0);     // bound
 *     rc = await strio_udp_send_to(&s, "ping", 4, &to);
 *     long n = await strio_udp_receive_from(&s, buf, sizeof buf, &peer, &size);
 *     if (n == -EMSGSIZE) ...   // buf holds the first sizeof buf bytes of a
 *                              // `size`-byte datagram: it was truncated
 *
 * A datagram is sent whole or not at all, and received whole or reported
 * truncated: never a silent loss of its tail. Addresses are numeric, as
 * everywhere in strio/socket.h (resolve names first). The calls are
 * checkpoints with the cancellation rules of strio/socket.h: cancelled
 * means nothing was sent / nothing was received (the datagram stays
 * queued for the next receive).
 */
#ifndef STRIO_UDP_H
#define STRIO_UDP_H

#include <stddef.h>

#include <strio/socket.h>

/*
 * Creates a UDP socket bound to the numeric `host` and `port` (0: the
 * kernel picks; strio_socket_getsockname tells). host NULL or "": every
 * interface, on one dual-stack "::" socket (IPv4 too, as ::ffff:a.b.c.d;
 * 0.0.0.0 where IPv6 is not available). A host with ':' is IPv6, else
 * IPv4. Returns 0, -EINVAL (a hostname or malformed address, port >
 * 65535), or -errno (-EADDRINUSE, -EADDRNOTAVAIL, ...; `s` then closed).
 */
int strio_open_udp_socket(strio_socket *s, const char *host, unsigned port);

/*
 * async int strio_udp_send_to(strio_socket *s, const void *buf, size_t len,
 *                             const strio_sockaddr *to)
 *
 * Sends one datagram of `len` bytes (0 allowed) to `to` (NULL: the
 * socket's connected peer). Returns 0, -EMSGSIZE (too large for one
 * datagram: nothing sent), -ECONNREFUSED (a connected socket's peer sent
 * port unreachable earlier), other -errno, or STRIO_ECANCELED (nothing
 * sent).
 */
STRIO_ASYNC_DECL(int strio_udp_send_to(strio_socket *s, const void *buf, size_t len, const strio_sockaddr *to))

/*
 * async long strio_udp_receive_from(strio_socket *s, void *buf, size_t max,
 *                                   strio_sockaddr *from, size_t *size)
 *
 * Receives the next datagram into buf[0..max). Returns its length (0 for
 * an empty datagram), or -EMSGSIZE when it was longer than `max`: the
 * first `max` bytes are in `buf` and the rest is gone (MSG_TRUNC). The
 * sender goes to `from` and the datagram's full length to `size` (both
 * may be NULL), on success and on -EMSGSIZE. Other results: -errno
 * (-ECONNREFUSED on a connected socket, see above) or STRIO_ECANCELED
 * (nothing received).
 */
STRIO_ASYNC_DECL(long strio_udp_receive_from(strio_socket *s, void *buf, size_t max, strio_sockaddr *from, size_t *size))

/* The frames (generated from runtime/src/udp_impl.sc). */
#include <strio/udp_impl.h>

#endif
