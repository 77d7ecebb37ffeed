/*
 * strio/sendfile.h -- send part of a file over a socket (Trio never had
 * it), hosted builds only.
 *
 *     size_t sent;
 *     int rc = await strio_socket_sendfile(&conn.sock, fd, 0, size, 0, &sent);
 *
 * On Linux the kernel copies the bytes (sendfile(2): no trip through user
 * memory); where sendfile(2) is not available (other systems, or ENOSYS)
 * or does not take the file (EINVAL: e.g. an fd type it cannot map), the
 * call falls back to pread + send through a STRIO_SENDFILE_BUF-byte buffer
 * in its frame. Either way:
 *   - the bytes come from `offset` on (pread semantics: the file position
 *     is neither used nor moved, so several sends of one file may run at
 *     once);
 *   - it stops after `count` bytes, or earlier at the end of the file;
 *   - `*sent` (if not NULL) says exactly how many bytes went out, also
 *     after an error or a cancellation -- unlike strio_socket_sendall,
 *     every step here returns its count;
 *   - a peer that went away gives -EPIPE, never SIGPIPE (sendfile(2) has
 *     no MSG_NOSIGNAL: SIGPIPE is blocked on the calling thread around
 *     each sendfile(2) and a SIGPIPE it raised is consumed);
 *   - a checkpoint like strio_socket_sendall: cancelled at entry ->
 *     STRIO_ECANCELED with nothing sent; cancellation is also delivered
 *     while waiting for the socket and every few sends that did not wait.
 */
#ifndef STRIO_SENDFILE_H
#define STRIO_SENDFILE_H

#include <stddef.h>
#include <sys/types.h>

#include <strio/socket.h>

/* The fallback's buffer, in the call's frame. */
#ifndef STRIO_SENDFILE_BUF
#define STRIO_SENDFILE_BUF 4096
#endif

/* flags: always use the read/write fallback (tests; or an fd known not
 * to suit sendfile(2)). */
#define STRIO_SENDFILE_NO_SENDFILE 1
/* flags: never fall back: sendfile(2)'s EINVAL/ENOSYS are returned. */
#define STRIO_SENDFILE_NO_FALLBACK 2

/*
 * async int strio_socket_sendfile(strio_socket *s, int in_fd, off_t offset,
 *                                 size_t count, int flags, size_t *sent)
 *
 * Sends bytes [offset, offset + count) of the file `in_fd` (open for
 * reading) over the connected stream socket `s`. Returns 0 when `count`
 * bytes were sent or the file ended first (*sent tells which), -EINVAL
 * (offset < 0, or unknown flags), -EBADF (`s` closed, or in_fd not
 * readable), -EPIPE / -ECONNRESET (the peer), -ESPIPE (the fallback on an
 * fd without offsets, e.g. a pipe), other -errno, or STRIO_ECANCELED.
 */
STRIO_ASYNC_DECL(int strio_socket_sendfile(strio_socket *s, int in_fd, off_t offset, size_t count, int flags, size_t *sent))

/* The frame (generated from runtime/src/sendfile_impl.sc). */
#include <strio/sendfile_impl.h>

#endif
