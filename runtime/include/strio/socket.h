/*
 * strio/socket.h -- low-level async sockets (Trio's trio.socket), hosted
 * builds only (POSIX; Linux is the reference). Needs a loop with the poll
 * backend (strio/posix.h).
 *
 * A `strio_socket` is a small caller-owned struct around a non-blocking,
 * close-on-exec fd; the calls mirror the standard socket calls and return
 * 0 (or a count) or a negative error: -errno from the system, or one of
 * strio's codes (strio/error.h).
 *
 *     strio_socket s;
 *     strio_sockaddr addr;
 *     int rc = strio_socket_create(&s, AF_INET, SOCK_STREAM, 0);
 *     if (rc == 0)
 *         rc = strio_resolve_remote_address(&s, "127.0.0.1", 8080, &addr);
 *     if (rc == 0)
 *         rc = await strio_socket_connect(&s, &addr);   // in annotated code
 *     ...
 *     long n = await strio_socket_recv(&s, buf, sizeof buf, 0);
 *     strio_socket_close(&s);
 *
 * Addresses are numeric. Name resolution is explicit and asynchronous
 * (it runs on the worker pool: strio/resolve.h); the resolve calls below
 * only parse numeric hosts and never block. Higher up: strio/tcp.h
 * (connect by name), strio/tcp_server.h, strio/unix_socket.h,
 * strio/udp.h, strio/sendfile.h.
 *
 * Async calls (connect, accept, recv*, send*, sendall, wait_*):
 *   - try the system call first, and wait for readiness only when it says
 *     EAGAIN (no extra poll() round trip when the data is already there);
 *   - are checkpoints, as in Trio: inside a cancelled scope they return
 *     STRIO_ECANCELED having done nothing; a call that succeeds (or fails)
 *     at once still yields to the scheduler once afterwards, and that yield
 *     is shielded: a completed operation is never reported as cancelled;
 *   - cancelled => nothing happened (nothing received, nothing sent, no
 *     connection accepted), except: sendall (an unknown prefix may have
 *     been sent) and connect (the socket is closed);
 *   - one task may wait to read and one to write on a socket at a time; a
 *     second one gets STRIO_EBUSY;
 *   - strio_socket_close (or _detach) from another task wakes a task
 *     waiting on the socket, which then returns -EBADF (Trio's
 *     notify_closing: no stale fd is left in the poll set, so the number
 *     can be reused at once);
 *   - EINTR is retried; sends use MSG_NOSIGNAL (a dead peer gives -EPIPE,
 *     never SIGPIPE); the receive and send calls also pass MSG_DONTWAIT,
 *     so a shared file description made blocking elsewhere cannot block
 *     the loop.
 *
 * Sync calls (create, bind, listen, shutdown, *sockopt, get*name, close,
 * dup, detach) do their system call and return; they are not checkpoints.
 *
 * Threads: a socket is used from one loop's thread. Objects must not move
 * while an async call uses them.
 */
#ifndef STRIO_SOCKET_H
#define STRIO_SOCKET_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>

#include <strio/async.h>
#include <strio/cancel.h>
#include <strio/task.h>

/* ======================================================================== */
/* Addresses                                                                */
/* ======================================================================== */

/* A socket address and its length (any family). */
typedef struct strio_sockaddr {
    socklen_t len;              /* bytes of `u` in use */
    union {
        struct sockaddr sa;
        struct sockaddr_in in;
        struct sockaddr_in6 in6;
        struct sockaddr_un un;
        struct sockaddr_storage storage;
    } u;
} strio_sockaddr;

/* Room for strio_sockaddr_format's longest output ("[v6%scope]:65535"). */
#define STRIO_SOCKADDR_STRLEN 80

/* ======================================================================== */
/* The socket                                                               */
/* ======================================================================== */

typedef struct strio_socket {
    int fd;                     /* -1 once closed or detached */
    int family;                 /* AF_INET, AF_INET6, AF_UNIX, ... */
    int type;                   /* SOCK_STREAM, SOCK_DGRAM, ... (no flags) */
    int protocol;
    /* shutdown(SHUT_WR or SHUT_RDWR) was called (Trio's
     * did_shutdown_SHUT_WR) */
    unsigned char did_shutdown_write;
    /* private: the scopes of the tasks waiting to read [0] and write [1],
     * cancelled by close so that it wakes them */
    strio_cancel_scope *waiting[2];
} strio_socket;

/* A closed socket: strio_socket s = STRIO_SOCKET_INIT; (closing it is a
 * no-op). */
#define STRIO_SOCKET_INIT { -1, 0, 0, 0, 0, { NULL, NULL } }

/*
 * Creates a socket: socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
 * protocol), with modern defaults (errors setting them are ignored):
 *   - AF_INET6: IPV6_V6ONLY off (one socket serves IPv4 too, as
 *     ::ffff:a.b.c.d);
 *   - SOCK_STREAM over AF_INET/AF_INET6: SO_REUSEADDR on, so a listener can
 *     be rebound while old connections sit in TIME_WAIT (Trio sets it in
 *     open_tcp_listeners; it must be set before bind, and does nothing for
 *     a client that does not bind).
 * Returns 0 or -errno; on error `s` is a closed socket.
 */
int strio_socket_create(strio_socket *s, int family, int type, int protocol);

/* socketpair(2) into `a` and `b` (non-blocking, close-on-exec): usually
 * AF_UNIX, SOCK_STREAM, 0. Returns 0 or -errno (both closed). */
int strio_socket_pair(strio_socket *a, strio_socket *b, int family, int type,
                      int protocol);

/*
 * Takes ownership of an open socket fd: reads its family, type and
 * protocol (SO_DOMAIN, SO_TYPE, SO_PROTOCOL) and makes it non-blocking
 * (close-on-exec is left as it is). Returns 0, or -errno (-ENOTSOCK for
 * an fd that is not a socket; the fd is then left open and untouched).
 */
int strio_socket_from_fd(strio_socket *s, int fd);

/*
 * Trio's is_trio_socket, for C: nonzero when `s` holds an open socket
 * that strio manages as it says -- its fd is a socket of s->family and
 * s->type (asked of the kernel, so a stale fd number reused for a file or
 * another socket reads 0) and non-blocking. 0 for a closed or detached
 * socket. Not a checkpoint.
 */
int strio_is_strio_socket(const strio_socket *s);

/* bind(2). Returns 0 or -errno (-EBADF when closed). */
int strio_socket_bind(strio_socket *s, const strio_sockaddr *addr);

/* listen(2); a negative backlog means Trio's default, min(SOMAXCONN, 128).
 * Returns 0 or -errno. */
int strio_socket_listen(strio_socket *s, int backlog);

/* shutdown(2). On success SHUT_WR and SHUT_RDWR set did_shutdown_write
 * (as Trio). Returns 0 or -errno. */
int strio_socket_shutdown(strio_socket *s, int how);

/* setsockopt(2) / getsockopt(2), and int-valued shorthands. Return 0 or
 * -errno. */
int strio_socket_setsockopt(strio_socket *s, int level, int name,
                            const void *value, socklen_t len);
int strio_socket_getsockopt(const strio_socket *s, int level, int name,
                            void *value, socklen_t *len);
int strio_socket_setsockopt_int(strio_socket *s, int level, int name,
                                int value);
int strio_socket_getsockopt_int(const strio_socket *s, int level, int name,
                                int *value);

/* getsockname(2) / getpeername(2) into `out`. Return 0 or -errno. */
int strio_socket_getsockname(const strio_socket *s, strio_sockaddr *out);
int strio_socket_getpeername(const strio_socket *s, strio_sockaddr *out);

/*
 * Closes the socket. Idempotent (closing a closed socket returns 0). A
 * task waiting on it is woken first and gets -EBADF. The fd is released
 * whatever close(2) says; returns 0, or -errno of close(2) (-EIO: data may
 * have been lost), never -EINTR.
 */
int strio_socket_close(strio_socket *s);

/* Duplicates the fd (close-on-exec) into `out`, which gets the same family,
 * type and protocol and did_shutdown_write clear. Returns 0 or -errno. */
int strio_socket_dup(const strio_socket *s, strio_socket *out);

/* Gives up the fd without closing it: returns it (the caller owns it now)
 * or -EBADF; the socket is closed afterwards, and a task waiting on it is
 * woken with -EBADF. */
int strio_socket_detach(strio_socket *s);

/* ======================================================================== */
/* Numeric addresses                                                        */
/* ======================================================================== */

/*
 * Fill `out` with the address `host`:`port` for socket `s`, following the
 * socket's family:
 *   - AF_INET: a dotted quad ("127.0.0.1"); "<broadcast>" is
 *     255.255.255.255.
 *   - AF_INET6: an IPv6 literal without brackets ("::1", "fe80::1%eth0" or
 *     "%2" for a scope); a dotted quad becomes ::ffff:a.b.c.d when the
 *     socket's IPV6_V6ONLY is off (the default here), else -EAFNOSUPPORT.
 *   - host NULL or "": the wildcard (0.0.0.0 / ::) for a local address
 *     (bind), the loopback (127.0.0.1 / ::1) for a remote one (connect).
 * `port` is in host byte order (0..65535).
 *
 * Only numeric hosts are accepted: a hostname ("localhost",
 * "example.org") or a malformed address gives -EINVAL -- resolve it
 * first. An address of the other IP family gives -EAFNOSUPPORT (an IPv6
 * literal on an AF_INET socket); a port above 65535 -EINVAL; a socket that
 * is not AF_INET/AF_INET6 -EAFNOSUPPORT. Never blocks, never allocates.
 */
int strio_resolve_local_address(const strio_socket *s, const char *host,
                                unsigned port, strio_sockaddr *out);
int strio_resolve_remote_address(const strio_socket *s, const char *host,
                                 unsigned port, strio_sockaddr *out);

/* The port of an AF_INET/AF_INET6 address (host order), or -EAFNOSUPPORT. */
int strio_sockaddr_port(const strio_sockaddr *a);

/* Writes "1.2.3.4:80" / "[::1]:80" (other families: "family N") into
 * `buf` (size >= STRIO_SOCKADDR_STRLEN suffices). Returns the length, or
 * -ENOSPC when it does not fit (`buf` then holds a truncated string). */
int strio_sockaddr_format(const strio_sockaddr *a, char *buf, size_t size);

/* ======================================================================== */
/* Async calls                                                              */
/* ======================================================================== */

/*
 * async int strio_socket_connect(strio_socket *s, const strio_sockaddr *addr)
 *
 * Connects (non-blocking connect; on EINPROGRESS waits until writable, then
 * reads SO_ERROR). Returns 0, or -errno (-ECONNREFUSED, -ETIMEDOUT,
 * -ENETUNREACH, ...; -EAGAIN from an AF_UNIX listener with a full
 * backlog), or STRIO_ECANCELED. A connect cannot really be cancelled, so
 * a cancelled one -- already cancelled at entry or while waiting -- closes
 * the socket (as Trio does).
 */
STRIO_ASYNC_DECL(int strio_socket_connect(strio_socket *s, const strio_sockaddr *addr))

/*
 * async int strio_socket_accept(strio_socket *s, strio_socket *into,
 *                               strio_sockaddr *peer)
 *
 * Accepts a connection (accept4 with SOCK_NONBLOCK | SOCK_CLOEXEC) into
 * `into` (overwritten; same family, type and protocol as `s`), and the
 * peer's address into `peer` unless NULL. Returns 0, -errno (-EMFILE,
 * -ECONNABORTED, ...: the connection-died errnos are not retried at this
 * level), or STRIO_ECANCELED (nothing accepted).
 */
STRIO_ASYNC_DECL(int strio_socket_accept(strio_socket *s, strio_socket *into, strio_sockaddr *peer))

/*
 * async long strio_socket_recv(strio_socket *s, void *buf, size_t len,
 *                              int flags)
 * async long strio_socket_recv_into(...)   the same (C always receives into
 *                                           the caller's buffer)
 * async long strio_socket_recvfrom(strio_socket *s, void *buf, size_t len,
 *                                  int flags, strio_sockaddr *from)
 * async long strio_socket_recvmsg(strio_socket *s, struct msghdr *msg,
 *                                 int flags)
 * async long strio_socket_recvfrom_into(...), strio_socket_recvmsg_into(...)
 *                                           the same (as recv_into)
 *
 * Receive; return the count (0 at end of stream, or for an empty
 * datagram), -errno, or STRIO_ECANCELED (nothing was received). `from`
 * may be NULL. recvmsg adds MSG_CMSG_CLOEXEC (fds received with
 * SCM_RIGHTS are close-on-exec).
 */
STRIO_ASYNC_DECL(long strio_socket_recv(strio_socket *s, void *buf, size_t len, int flags))
STRIO_ASYNC_DECL(long strio_socket_recv_into(strio_socket *s, void *buf, size_t len, int flags))
STRIO_ASYNC_DECL(long strio_socket_recvfrom(strio_socket *s, void *buf, size_t len, int flags, strio_sockaddr *from))
STRIO_ASYNC_DECL(long strio_socket_recvmsg(strio_socket *s, struct msghdr *msg, int flags))
STRIO_ASYNC_DECL(long strio_socket_recvfrom_into(strio_socket *s, void *buf, size_t len, int flags, strio_sockaddr *from))
STRIO_ASYNC_DECL(long strio_socket_recvmsg_into(strio_socket *s, struct msghdr *msg, int flags))

/*
 * async long strio_socket_send(strio_socket *s, const void *buf, size_t len,
 *                              int flags)
 * async long strio_socket_sendto(strio_socket *s, const void *buf,
 *                                size_t len, int flags,
 *                                const strio_sockaddr *to)
 * async long strio_socket_sendmsg(strio_socket *s, const struct msghdr *msg,
 *                                 int flags)
 *
 * One send (MSG_NOSIGNAL added): returns the count accepted (possibly
 * fewer than len), -errno (-EPIPE, -ECONNRESET, ...), or STRIO_ECANCELED
 * (nothing was sent).
 */
STRIO_ASYNC_DECL(long strio_socket_send(strio_socket *s, const void *buf, size_t len, int flags))
STRIO_ASYNC_DECL(long strio_socket_sendto(strio_socket *s, const void *buf, size_t len, int flags, const strio_sockaddr *to))
STRIO_ASYNC_DECL(long strio_socket_sendmsg(strio_socket *s, const struct msghdr *msg, int flags))

/*
 * async int strio_socket_sendall(strio_socket *s, const void *buf,
 *                                size_t len, int flags)
 *
 * Sends all `len` bytes (repeated sends, waiting for writability in
 * between). Returns 0 once everything was handed to the kernel, else
 * -errno or STRIO_ECANCELED: on error or cancellation an unknown amount
 * (a prefix of buf) was sent. A checkpoint like the others (one yield at
 * least; a cancellation point at entry, while waiting, and every few sends
 * in a long run of sends that never wait).
 */
STRIO_ASYNC_DECL(int strio_socket_sendall(strio_socket *s, const void *buf, size_t len, int flags))

/*
 * async int strio_socket_wait_readable(strio_socket *s)
 * async int strio_socket_wait_writable(strio_socket *s)
 *
 * Wait until the socket is readable / writable (or has an error or hang-up
 * to report). Returns 0, -EBADF (closed, before or while waiting),
 * STRIO_EBUSY (another task already waits in that direction),
 * STRIO_ECANCELED, or the poll backend's errors (strio/posix.h).
 */
STRIO_ASYNC_DECL(int strio_socket_wait_readable(strio_socket *s))
STRIO_ASYNC_DECL(int strio_socket_wait_writable(strio_socket *s))

/*
 * async int strio_socket_yield(void)
 *
 * A schedule point that ignores cancellation (Trio's
 * cancel_shielded_checkpoint): yields once, returns 0. What the calls
 * above do after a system call that completed at once.
 */
STRIO_ASYNC_DECL(int strio_socket_yield(void))
struct strio_socket_yield_frame {
    unsigned short strio_state;
    int strio_ret;
};
void strio_socket_yield_start(struct strio_socket_yield_frame *f);
int strio_socket_yield_resume(void *f, strio_task *task);

/* ======================================================================== */
/* Private: one non-blocking attempt (runtime/src/socket.c), used by the    */
/* async calls (runtime/src/socket_ops.sc).                                 */
/* ======================================================================== */

enum {
    STRIO_SOCKET_OP_RECV = 1, STRIO_SOCKET_OP_RECVFROM, STRIO_SOCKET_OP_RECVMSG,
    STRIO_SOCKET_OP_SEND, STRIO_SOCKET_OP_SENDTO, STRIO_SOCKET_OP_SENDMSG,
    STRIO_SOCKET_OP_ACCEPT
};

typedef struct strio_socket_call {
    unsigned char op;           /* STRIO_SOCKET_OP_* */
    int flags;
    size_t len;                 /* recv, recvfrom, send, sendto */
    union {
        void *buf;              /* recv, recvfrom */
        const void *cbuf;       /* send, sendto */
        struct msghdr *msg;     /* recvmsg */
        const struct msghdr *cmsg;  /* sendmsg */
        strio_socket *into;     /* accept */
    } u;
    union {
        strio_sockaddr *addr;   /* recvfrom, accept (may be NULL) */
        const strio_sockaddr *to;   /* sendto */
    } a;
} strio_socket_call;

/* Runs the call once without blocking: the count (or 0 for accept),
 * -EAGAIN when it would block, another -errno (-EBADF when closed). */
long strio_socket__try(strio_socket *s, strio_socket_call *c);

/* connect(2) once: 0 connected, 1 in progress, or -errno. */
int strio_socket__connect_start(strio_socket *s, const strio_sockaddr *addr);

/* SO_ERROR after a connect in progress: 0 or -errno. */
int strio_socket__connect_result(strio_socket *s);

/* The async calls' frames (generated from runtime/src/socket_ops.sc). */
#include <strio/socket_ops.h>

#endif
