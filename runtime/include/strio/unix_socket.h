/*
 * strio/unix_socket.h -- Unix-domain stream sockets (Trio's
 * open_unix_socket, and a listener), hosted builds only.
 *
 *     strio_socket_listener l;
 *     int rc = strio_open_unix_listener(&l, "/run/app.sock", STRIO_UNIX_REPLACE);
 *     ...
 *     strio_socket_stream st;
 *     rc = await strio_open_unix_stream("/run/app.sock", &st);   // client
 *
 * The streams are socket streams (strio/socket_stream.h: half-closeable,
 * send_eof = shutdown(SHUT_WR)) and the listener is a socket listener, so
 * everything there applies; strio_serve_listeners (strio/tcp_server.h)
 * serves Unix listeners as well.
 *
 * Paths: a filesystem path, or on Linux "@name" for the abstract namespace
 * (no file; the name disappears with the last socket bound to it). A path
 * longer than sockaddr_un can hold is -ENAMETOOLONG, never cut.
 *
 * An existing file at the path (decided here; Trio leaves it to the
 * caller): bind never removes anything by default, so a path in use gives
 * -EADDRINUSE -- whether a server listens there or a crashed one left its
 * socket file behind. With STRIO_UNIX_REPLACE an existing *socket* file is
 * unlinked first (the usual restart of a daemon; a server still listening
 * there loses its name); any other kind of file is never removed (the
 * call fails with -EADDRINUSE). Closing the listener does not unlink its
 * file: the listener does not keep the path, and the caller who chose it
 * removes it (strio_unix_unlink_socket). Abstract names need neither.
 */
#ifndef STRIO_UNIX_SOCKET_H
#define STRIO_UNIX_SOCKET_H

#include <strio/socket.h>
#include <strio/socket_stream.h>

/* strio_open_unix_listener: unlink an existing socket file first. */
#define STRIO_UNIX_REPLACE 1

/*
 * Fills `out` with the AF_UNIX address of `path` ("@name": abstract).
 * Returns 0, -EINVAL (NULL or empty path, or "@" alone), -ENAMETOOLONG
 * (does not fit sun_path with its NUL; abstract: sun_path less one byte).
 */
int strio_unix_address(const char *path, strio_sockaddr *out);

/*
 * Opens a listening AF_UNIX SOCK_STREAM socket bound to `path` into `l`
 * (backlog as strio_open_tcp_listener). `flags`: 0 or STRIO_UNIX_REPLACE
 * (see above). Returns 0 or -errno (-EADDRINUSE, -EACCES, -ENOENT for a
 * missing directory, ...; `l` is then a closed listener). Not a
 * checkpoint.
 */
int strio_open_unix_listener(strio_socket_listener *l, const char *path,
                             int flags);

/*
 * Removes the socket file at `path` if it is one (not for abstract
 * names: 0). Returns 0, -ENOENT, -ENOTSOCK (a file of another kind: left
 * alone), or -errno of lstat/unlink.
 */
int strio_unix_unlink_socket(const char *path);

/*
 * async int strio_open_unix_stream(const char *path,
 *                                  strio_socket_stream *out)
 *
 * Connects to the Unix-domain stream socket at `path` and makes `out` a
 * socket stream over it (overwritten; it must not be in use). Returns 0,
 * -ENOENT (no such file), -ECONNREFUSED (nobody listens: e.g. a stale
 * socket file), -EAGAIN (the listener's backlog is full: Linux does not
 * queue a Unix connect), -ENAMETOOLONG, -EINVAL, another -errno, or
 * STRIO_ECANCELED (nothing connected: the socket is closed). A checkpoint
 * in every case. On error `out` holds no stream.
 */
STRIO_ASYNC_DECL(int strio_open_unix_stream(const char *path, strio_socket_stream *out))

/* The frame (generated from runtime/src/unix_socket_impl.sc). */
#include <strio/unix_socket_impl.h>

#endif
