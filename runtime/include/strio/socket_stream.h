/*
 * strio/socket_stream.h -- socket streams and listeners (Trio's
 * SocketStream and SocketListener), hosted builds only.
 *
 * A socket stream is a strio_stream (strio/stream.h) over a connected
 * SOCK_STREAM socket: two-way and half-closeable. Use the generic calls on
 * `&st.base`:
 *
 *     strio_socket_listener l;
 *     strio_socket_stream conn;
 *     int rc = strio_open_tcp_listener(&l, "127.0.0.1", 0);   // 0: any port
 *     rc = await strio_socket_listener_accept(&l, &conn);
 *     long n = await strio_receive_some(&conn.base, buf, sizeof buf);
 *     rc = await strio_send_all(&conn.base, buf, (size_t)n);
 *     rc = await strio_send_eof(&conn.base);
 *     rc = await strio_stream_close(&conn.base);
 *
 * Semantics (beyond the contract in strio/stream.h):
 *   - TCP_NODELAY is on for TCP sockets (errors ignored: AF_UNIX).
 *   - send_all loops over send() until every byte was handed to the kernel
 *     (strio_socket_sendall). A cancelled or failed send_all sent an
 *     unknown prefix; the stream stays usable after a cancellation.
 *   - send_eof is shutdown(SHUT_WR): a checkpoint first, then nothing if
 *     EOF was already sent (idempotent). Sending after it: STRIO_ECLOSED.
 *   - receive_some is one recv() of up to `max` bytes (0: end of stream).
 *     After a receive that got fewer bytes than asked (the kernel had no
 *     more), the next one waits for readability before its recv() instead
 *     of trying first: it saves the recv() that would fail with EAGAIN.
 *   - wait_send_all_might_not_block waits until the socket is writable.
 *   - close closes the socket (a pending operation of another task is
 *     woken and returns STRIO_ECLOSED), then checkpoints: inside a
 *     cancelled scope it returns STRIO_ECANCELED, closed anyway.
 *   - Errors, as Trio maps them: EBADF/ENOTSOCK -> STRIO_ECLOSED; any other
 *     system error (ECONNRESET, EPIPE, ETIMEDOUT, ...) -> STRIO_EBROKEN,
 *     the errno kept in `error` for diagnostics. A reset by the peer is
 *     broken, never end of stream: the kernel reports a reset once (to
 *     whichever of send or recv comes first) and then reads 0, so once a
 *     connection error was seen (`broken`) receive_some reports that 0 as
 *     STRIO_EBROKEN (data still buffered is delivered first). Sends keep
 *     failing by themselves (EPIPE).
 *   - Concurrency: the generic dispatchers give STRIO_EBUSY to a second
 *     sender or receiver; send and receive from two tasks at once is fine.
 *
 * A socket listener wraps a listening socket; accept gives socket streams.
 * It is a strio_listener (strio/listener.h): besides its own calls below,
 * the generic calls work on `&l.base`, with a strio_socket_stream as the
 * storage (l.base.stream_size == sizeof(strio_socket_stream)):
 *
 *     strio_socket_stream conn;
 *     strio_stream *s;
 *     rc = await strio_listener_accept(&l.base, &conn, &s);  // s == &conn.base
 *     rc = await strio_listener_close(&l.base);  // = strio_socket_listener_aclose
 *
 * The generic accept is strio_socket_listener_accept (same results); its
 * busy check covers generic callers, and a generic accept concurrent with
 * a direct one also gets STRIO_EBUSY (from the socket).
 *
 * Threads: loop thread only. Objects must not move while in use.
 */
#ifndef STRIO_SOCKET_STREAM_H
#define STRIO_SOCKET_STREAM_H

#include <strio/listener.h>
#include <strio/socket.h>
#include <strio/stream.h>

typedef struct strio_socket_stream strio_socket_stream;
typedef struct strio_socket_listener strio_socket_listener;

/* The operations' frames (generated from runtime/src/socket_stream_impl.sc;
 * this file must not be named socket_stream.sc: its generated header would
 * shadow this one). */
#include <strio/socket_stream_impl.h>

struct strio_socket_stream {
    strio_stream base;          /* first: pass &st.base */
    strio_socket sock;          /* the connected socket (owned) */
    int error;                  /* errno behind the last STRIO_EBROKEN,
                                   0 if none */
    unsigned char broken;       /* a connection error was seen: end of
                                   stream reads as STRIO_EBROKEN */
    /* private: the one in-flight operation of each side */
    unsigned char send_op;
    unsigned char drained;      /* the last receive got less than asked */
    union {
        struct strio_socket_stream_do_send_all_frame send_all;
        struct strio_socket_stream_do_wait_send_frame wait_send;
        struct strio_socket_stream_do_send_eof_frame send_eof;
    } send_frame;
    struct strio_socket_stream_do_receive_some_frame receive_frame;
    struct strio_socket_stream_do_close_frame close_frame;
};

/*
 * Makes `st` a socket stream over the connected SOCK_STREAM socket `sock`,
 * which it takes over (`sock` is left closed; `sock` may be &st->sock).
 * Sets TCP_NODELAY for AF_INET/AF_INET6. Returns 0, or -EBADF (closed
 * socket) or -EINVAL (not SOCK_STREAM); on error `sock` is untouched
 * (closed if it is &st->sock) and `st` is a closed stream (its close
 * works, everything else gives STRIO_ECLOSED). Not a checkpoint.
 */
int strio_socket_stream_init(strio_socket_stream *st, strio_socket *sock);

/*
 * A connected pair of socket streams over socketpair(AF_UNIX, SOCK_STREAM)
 * (what Trio's tests build inline). Returns 0 or -errno (both closed).
 */
int strio_socket_stream_pair(strio_socket_stream *a, strio_socket_stream *b);

/* Maps a socket call's result as the stream does (updating st->error and
 * st->broken): >= 0 and strio codes unchanged, -EBADF/-ENOTSOCK ->
 * STRIO_ECLOSED, any other -errno -> STRIO_EBROKEN. */
long strio_socket_stream_map_error(strio_socket_stream *st, long rc);

/* ======================================================================== */
/* Listener                                                                 */
/* ======================================================================== */

struct strio_socket_listener {
    strio_listener base;        /* first: pass &l.base to the generic calls */
    strio_socket sock;          /* the listening socket (owned) */
    /* private: the in-flight generic accept and close */
    strio_socket_stream *accept_into;
    struct strio_socket_listener_accept_frame accept_frame;
    struct strio_socket_listener_aclose_frame close_frame;
};

/*
 * Makes `l` a listener over `sock` (SOCK_STREAM, already listening), which
 * it takes over (`sock` is left closed). Returns 0, -EBADF, or -EINVAL
 * (not SOCK_STREAM, or SO_ACCEPTCONN says it does not listen); on error
 * `l` is a closed listener (its close works, accept gives STRIO_ECLOSED).
 */
int strio_socket_listener_init(strio_socket_listener *l, strio_socket *sock);

/* Private, for the listener openers (TCP, Unix, every-address): binds `s`
 * to `addr`, listens with Trio's backlog and makes `l` its listener; `s`
 * is taken over either way (closed on error). Returns 0 or -errno. */
int strio__socket_listener_open(strio_socket_listener *l, strio_socket *s,
                                const strio_sockaddr *addr);

/*
 * Opens a TCP listener on the numeric `host` ("127.0.0.1", "::1", ...) and
 * `port` (0: the kernel picks one; strio_socket_getsockname(&l->sock, ...)
 * tells which): socket with the defaults of strio_socket_create
 * (SO_REUSEADDR on; for IPv6 IPV6_V6ONLY off), bind, listen with Trio's
 * backlog (0xFFFF, which the kernel clamps to its maximum).
 * host NULL or "": every interface, one dual-stack socket on "::" (IPv4
 * too), or 0.0.0.0 where IPv6 is not available. (Trio instead opens one
 * listener per family with IPV6_V6ONLY on.) A hostname gives -EINVAL:
 * resolve it first. Returns 0 or -errno (`l` then closed).
 */
int strio_open_tcp_listener(strio_socket_listener *l, const char *host,
                            unsigned port);

/*
 * async int strio_socket_listener_accept(strio_socket_listener *l,
 *                                        strio_socket_stream *into)
 *
 * Accepts the next connection as a socket stream in `into` (overwritten;
 * it must not be in use). As Trio, connections that died before accept
 * (ECONNABORTED, EPROTO, ECONNRESET, EPERM, ENETDOWN, ENOPROTOOPT,
 * EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP, ENETUNREACH, ENOSR,
 * ESOCKTNOSUPPORT, EPROTONOSUPPORT, ETIMEDOUT) are skipped silently.
 * Returns 0, STRIO_ECLOSED (the listener was closed, before or during the
 * call), STRIO_EBUSY (another task is accepting), STRIO_ECANCELED (nothing
 * accepted), or -errno (-EMFILE, -ENFILE, -ENOBUFS, -ENOMEM: the listener
 * stays usable; a server usually sleeps a little and retries).
 */
STRIO_ASYNC_DECL(int strio_socket_listener_accept(strio_socket_listener *l, strio_socket_stream *into))

/* Closes the listener (idempotent); a pending accept returns
 * STRIO_ECLOSED. Not a checkpoint. */
void strio_socket_listener_close(strio_socket_listener *l);

/*
 * async int strio_socket_listener_aclose(strio_socket_listener *l)
 *
 * strio_socket_listener_close, then a checkpoint (Trio's aclose): returns
 * 0, or STRIO_ECANCELED (closed anyway).
 */
STRIO_ASYNC_DECL(int strio_socket_listener_aclose(strio_socket_listener *l))

#endif
