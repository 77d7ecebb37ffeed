/*
 * strio/tcp_server.h -- the server side of TCP (Trio's open_tcp_listeners,
 * serve_listeners and serve_tcp), hosted builds only.
 *
 *     // a handler: one per connection, owns the stream it is given
 *     async int echo(strio_socket_stream *conn, void *arg) { ... }
 *
 *     // binds a handler frame (plain C; see STRIO_SERVE_BIND below)
 *     STRIO_SERVE_BIND(echo_bind, struct echo_frame, echo_start)
 *
 *     static STRIO_TCP_SERVER(srv, struct echo_frame, 64);  // 64 handlers
 *     STRIO_TCP_SERVER_SETUP(srv, echo_bind, echo_resume, NULL);
 *     int rc = await strio_serve_tcp(&srv.server, NULL, 8080);  // until cancelled
 *
 * Listeners: strio_open_tcp_listeners opens one listener per address of a
 * host into a caller array; strio_tcp_listen_addrs does it for addresses
 * already resolved.
 *   - host NULL or "": the wildcard, one listener per family: 0.0.0.0 and
 *     "::" (the latter skipped where the system has no IPv6).
 *   - every AF_INET6 listener opened here has IPV6_V6ONLY on (as Trio), so
 *     that "::" and 0.0.0.0 can bind the same port; SO_REUSEADDR is on
 *     (strio_socket_create's defaults).
 *   - port 0: the first listener gets a port from the kernel and every
 *     other one binds that same port, so one number reaches them all. If
 *     that port is taken on another address, everything opened so far is
 *     closed and the whole set is tried again with a new port (up to
 *     STRIO_TCP_LISTEN_RETRIES times, then -EADDRINUSE).
 *   - an address whose family the system does not support (socket() gives
 *     -EAFNOSUPPORT) is skipped, as Trio does; if all are skipped, that
 *     error is returned. Duplicate addresses are opened once.
 *   - all or nothing: on any error every listener opened by the call is
 *     closed and *count is 0.
 *
 * Serving: a strio_tcp_server owns a fixed-capacity pool of handler slots
 * (declared with STRIO_TCP_SERVER: the bytes are known at build time).
 * One accept loop per listener runs as a child task; for each connection
 * it takes a free slot, makes the socket stream in it and starts the
 * handler there as a task of the server's nursery.
 *   - Backpressure: while every slot is busy, no accept loop calls
 *     accept() (new connections wait in the kernel's backlog); when a
 *     handler ends, its slot frees and accepting resumes. The loops wait
 *     for a free slot without holding one, so with several listeners an
 *     idle listener never keeps a slot from a busy one; if two loops
 *     accept at once for the last slot, the second keeps its connection
 *     until a slot frees (at most one extra connection per listener).
 *   - The handler owns its stream and should close it; when the handler
 *     returns, the server closes the socket anyway (idempotent).
 *   - A handler's error does not stop the server (one bad connection
 *     must not take the others down): it is counted in `handler_errors`,
 *     the last one kept in `last_handler_error`. A handler cancelled
 *     because the server is stopping is not an error.
 *   - accept errors: connections that died before accept are skipped
 *     (strio_socket_listener_accept); -EMFILE, -ENFILE, -ENOBUFS, -ENOMEM
 *     make the loop sleep STRIO_SERVE_ACCEPT_BACKOFF and retry (counted in
 *     `accept_retries`, as Trio); any other error (STRIO_ECLOSED when a
 *     listener was closed) stops the server: the nursery cancels every
 *     accept loop and handler, and serve returns that error.
 *   - serve runs until cancelled: it returns STRIO_ECANCELED after every
 *     handler and accept loop has finished (the caller's cancel scope then
 *     turns it into 0), or the error that stopped it.
 *
 * Memory: the server struct (with its acceptors' frames and, for
 * strio_serve_tcp, its listeners and resolver) plus, per handler slot,
 * the handler's frame, a socket stream and a small wrapper frame. No heap.
 * Loop thread only; the server must not move while it serves.
 */
#ifndef STRIO_TCP_SERVER_H
#define STRIO_TCP_SERVER_H

#include <stddef.h>

#include <strio/strio.h>
#include <strio/nursery.h>
#include <strio/posix.h>
#include <strio/resolve.h>
#include <strio/socket_stream.h>
#include <strio/sync.h>

/* Listeners per server, and per strio_open_tcp_listeners call. */
#ifndef STRIO_TCP_MAX_LISTENERS
#define STRIO_TCP_MAX_LISTENERS 8
#endif

/* How many times a port picked by the kernel is tried on every address. */
#define STRIO_TCP_LISTEN_RETRIES 16

/* How long an accept loop sleeps after -EMFILE and friends. */
#define STRIO_SERVE_ACCEPT_BACKOFF STRIO_MS(100)

typedef struct strio_tcp_server strio_tcp_server;
typedef struct strio_serve_slot strio_serve_slot;

/*
 * Binds a handler's frame: calls the handler's start function with the
 * connection's stream and the server's `arg`, and returns the address of
 * the frame's int result (`&frame->strio_ret`). Plain C; write it with
 * STRIO_SERVE_BIND.
 */
typedef int *(*strio_serve_bind_fn)(void *frame, strio_socket_stream *conn,
                                    void *arg);

/* Defines `static int *name(void *, strio_socket_stream *, void *)` for a
 * handler `async int h(strio_socket_stream *conn, void *arg)`:
 * STRIO_SERVE_BIND(h_bind, struct h_frame, h_start). (Name the start
 * function, not the async function: the generator would read a bare
 * async name as a call without await.) */
#define STRIO_SERVE_BIND(name, frame_type, start_fn)                       \
    static int *name(void *frame_, strio_socket_stream *conn_, void *arg_) \
    {                                                                      \
        frame_type *f_ = frame_;                                           \
        start_fn(f_, conn_, arg_);                                         \
        return &f_->strio_ret;                                             \
    }

/*
 * Private: runs a frame through its resume function until it completes,
 * and returns *result (the "await through a pointer" the dialect cannot
 * write). Used to run the handlers.
 */
STRIO_ASYNC_DECL(int strio__serve_call(strio_resume_fn resume, void *frame, int *result))
struct strio__serve_call_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_resume_fn resume;
    void *frame;
    int *result;
};
void strio__serve_call_start(struct strio__serve_call_frame *f,
                             strio_resume_fn resume, void *frame,
                             int *result);
int strio__serve_call_resume(void *f, strio_task *task);

/* The frames (generated from runtime/src/tcp_server_impl.sc). */
#include <strio/tcp_server_impl.h>

/* The library's part of a handler slot; the handler's frame follows it. */
struct strio_serve_slot {
    struct strio__serve_conn_frame run;     /* first: the task's frame */
    strio_socket_stream conn;               /* the connection */
    int *result;                            /* the handler's result */
};

struct strio_tcp_server {
    /* set by init (and STRIO_TCP_SERVER_SETUP) */
    strio_serve_bind_fn bind;
    strio_resume_fn resume;
    void *arg;
    size_t handler_offset;      /* of the handler frame in a slot */
    strio_workers *workers;     /* strio_serve_tcp with a host name
                                   (NULL: numeric hosts only) */
    /* statistics, read-only */
    unsigned long accepted;     /* connections handed to a handler */
    unsigned long handler_errors;
    int last_handler_error;
    unsigned long accept_retries;   /* -EMFILE & co., slept and retried */
    /* strio_serve_tcp's listeners (valid once `started` is set) */
    strio_socket_listener listeners[STRIO_TCP_MAX_LISTENERS];
    size_t nlisteners;
    strio_event started;        /* set when serving has begun */
    /* private */
    int running;
    strio_pool pool;            /* handler slots */
    strio_nursery nursery;
    strio_resolver resolver;
    STRIO_POOL(acceptors, struct strio__serve_accept_frame,
               STRIO_TCP_MAX_LISTENERS);
};

/*
 * Declares a server `name` with `n` handler slots for frames of type
 * `frame_type`; STRIO_TCP_SERVER_SETUP(name, bind, resume, arg) prepares
 * it (bind: a strio_serve_bind_fn; resume: the handler's _resume
 * function). Use `&name.server`. sizeof(name) is its whole cost.
 */
#define STRIO_TCP_SERVER(name, frame_type, n)                             \
    struct {                                                              \
        strio_tcp_server server;                                          \
        strio_task tasks[n];                                              \
        struct {                                                          \
            strio_serve_slot slot;                                        \
            frame_type frame;                                             \
        } slots[n];                                                       \
    } name
#define STRIO_TCP_SERVER_SETUP(p, bind_fn, resume_fn, arg_)               \
    strio_tcp_server_init(&(p).server, (p).tasks, (p).slots,              \
        sizeof (p).slots[0],                                              \
        (unsigned)(sizeof (p).tasks / sizeof (p).tasks[0]),               \
        (size_t)((char *)&(p).slots[0].frame - (char *)&(p).slots[0]),    \
        (bind_fn), (resume_fn), (arg_))

/*
 * Prepares `srv` over caller memory: `capacity` task slots and handler
 * slots of `slot_size` bytes, each a strio_serve_slot followed (at
 * `handler_offset`) by the handler's frame. No workers (set srv->workers
 * for host names in strio_serve_tcp).
 */
void strio_tcp_server_init(strio_tcp_server *srv, strio_task *tasks,
                           void *slots, size_t slot_size, unsigned capacity,
                           size_t handler_offset, strio_serve_bind_fn bind,
                           strio_resume_fn resume, void *arg);

/* Handlers running now. */
unsigned strio_tcp_server_active(const strio_tcp_server *srv);

/*
 * Opens a listener on each of addrs[0..n) (SOCK_STREAM; other entries and
 * families than AF_INET/AF_INET6 give -EINVAL) into out[0..*count), with
 * the rules above (V6ONLY, one port for all when the addresses say port
 * 0, skip unsupported families, all or nothing). Returns 0, -ENOSPC (more
 * distinct addresses than `max`), -EINVAL (n == 0), or -errno of socket,
 * bind or listen (e.g. -EADDRINUSE, -EADDRNOTAVAIL). Not a checkpoint.
 */
int strio_tcp_listen_addrs(const strio_addr *addrs, size_t n,
                           strio_socket_listener *out, size_t max,
                           size_t *count);

/*
 * async int strio_open_tcp_listeners(strio_resolver *r, strio_workers *w,
 *                                    const char *host, unsigned port,
 *                                    strio_socket_listener *out,
 *                                    size_t max, size_t *count)
 *
 * Listeners on every address of `host` and `port` (0: one picked port),
 * into out[0..*count). host NULL or "" is the wildcard (one listener per
 * family, see above); a numeric IPv4/IPv6 address is used as is (r and w
 * may then be NULL); a name is resolved with strio_getaddrinfo on `w`
 * through `r` (AI_PASSIVE, SOCK_STREAM; all its addresses, in order).
 * Returns 0, -EINVAL (port > 65535, or a name without r and w), -ENOSPC,
 * a resolution error (strio/resolve.h), STRIO_ECANCELED (nothing opened),
 * or an error of strio_tcp_listen_addrs. A checkpoint (cancelled at entry
 * or during the lookup: nothing is opened).
 */
STRIO_ASYNC_DECL(int strio_open_tcp_listeners(strio_resolver *r, strio_workers *w, const char *host, unsigned port, strio_socket_listener *out, size_t max, size_t *count))

/*
 * async int strio_serve_listeners(strio_tcp_server *srv,
 *                                 strio_socket_listener *ls, size_t n)
 *
 * Serves connections from ls[0..n) (1 <= n <= STRIO_TCP_MAX_LISTENERS;
 * still owned by the caller, who closes them afterwards) until cancelled
 * or stopped by an error (see above). Sets srv->started once the accept
 * loops are started. Returns STRIO_ECANCELED, the stopping error, -EINVAL
 * (bad n) or STRIO_EBUSY (the server already serves).
 */
STRIO_ASYNC_DECL(int strio_serve_listeners(strio_tcp_server *srv, strio_socket_listener *ls, size_t n))

/*
 * async int strio_serve_tcp(strio_tcp_server *srv, const char *host,
 *                           unsigned port)
 *
 * strio_open_tcp_listeners(host, port) into srv->listeners (names resolved
 * on srv->workers), then strio_serve_listeners over them; the listeners are
 * closed when it returns. srv->started is set once they listen (read the
 * ports from srv->listeners[i] then). Returns what those two return.
 */
STRIO_ASYNC_DECL(int strio_serve_tcp(strio_tcp_server *srv, const char *host, unsigned port))

#endif
