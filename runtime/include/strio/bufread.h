/*
 * strio/bufread.h -- buffered receiving over any stream: read up to a
 * delimiter, read an exact count (a helper Trio lacks: python-trio/trio#796).
 *
 * A `strio_reader` sits on the receive side of any `strio_stream` (socket,
 * TLS, memory, stapled, ...) and keeps what it has received but not yet
 * handed out in a buffer the caller provides. It allocates nothing; the
 * reader, the buffer and the stream are the caller's, and must outlive
 * every call on the reader.
 *
 *     static unsigned char rbuf[512];
 *     strio_reader rd;
 *     strio_reader_init(&rd, stream, rbuf, sizeof rbuf);
 *     char line[128];
 *     long n = await strio_read_until(&rd, "\r\n", 2, line, sizeof line);
 *     //  n > 0: line[0..n) ends with "\r\n"  (or: the last, unterminated
 *     //         piece before end of stream, see below)
 *     //  n == 0: end of stream, nothing left
 *     //  n < 0: an error; nothing was consumed
 *     unsigned char hdr[4];
 *     n = await strio_read_exactly(&rd, hdr, sizeof hdr);
 *
 * The buffer
 * ----------
 * Each receive asks the stream for as much as fits in the free part of the
 * buffer, so the reader usually holds bytes past the current request: they
 * are served by the next call without touching the stream, and
 * strio_reader_buffered() shows them (to hand the connection over to
 * another protocol, as a TLS unwrap hands over its trailing bytes). A
 * message is assembled in this buffer and copied to `out` only once it is
 * complete, so no request can be larger than the buffer: the longest line
 * read_until can return is min(max, cap) bytes, delimiter included, and
 * read_exactly accepts n <= cap. Bytes move to the front of the buffer
 * (memmove) only when the free tail becomes smaller than the consumed head
 * or too small for the request.
 *
 * Guarantees
 * ----------
 * - Nothing is lost or duplicated. A call consumes bytes (removes them from
 *   the reader) only when it succeeds, i.e. returns > 0. A call that fails
 *   -- cancelled, limit exceeded, stream error, stream ended too early --
 *   consumed nothing: every byte received so far, by it or before it, stays
 *   buffered, and the next call starts from the same first byte. So a read
 *   cancelled at any point and retried returns exactly what the
 *   uncancelled read would have.
 * - Delimiters may straddle receive boundaries, and may overlap themselves
 *   ("aab" is found in "aaab"); the search resumes where the previous
 *   receive's search stopped (memchr for the first byte, memcmp for the
 *   rest), so a call costs about one pass over the bytes it received plus
 *   one copy, not a rescan of the whole line after every receive.
 * - Every call is a checkpoint: one served entirely from the buffer still
 *   yields once (strio_checkpoint); one that receives passes through the
 *   stream's receive_some, which is a checkpoint. A cancelled call returns
 *   STRIO_ECANCELED having consumed nothing. The exceptions are the
 *   argument errors (-EINVAL, read_exactly's -EMSGSIZE) and STRIO_EBUSY,
 *   which return at once, as the stream calls' own do.
 * - One call at a time per reader: a second call while one is in flight
 *   (from another task) returns STRIO_EBUSY at once and changes nothing.
 *   While a reader is in use, nobody else may call strio_receive_some on its
 *   stream (the stream would return STRIO_EBUSY, which the reader passes
 *   on, or bytes would arrive out of order). The send side of the stream is
 *   untouched and may be used concurrently (full duplex).
 * - Stream errors (STRIO_ECLOSED, STRIO_EBROKEN, STRIO_EBUSY,
 *   STRIO_ECANCELED, ...) are returned as they come and are not sticky: the
 *   next call asks the stream again. End of stream is remembered: once
 *   receive_some returned 0 the reader never calls it again.
 * - Core code: no OS call, no allocation (memchr/memcmp/memcpy/memmove
 *   only); builds for firmware.
 */
#ifndef STRIO_BUFREAD_H
#define STRIO_BUFREAD_H

#include <stddef.h>

#include <strio/async.h>
#include <strio/stream.h>

typedef struct strio_reader {
    strio_stream *stream;       /* where bytes come from (receive side) */
    unsigned char *buf;         /* caller's buffer, `cap` bytes */
    size_t cap;
    size_t start;               /* first unread byte in buf */
    size_t end;                 /* one past the last received byte */
    unsigned char eof;          /* the stream returned end of stream */
    unsigned char busy;         /* a read is in flight */
} strio_reader;

/*
 * Prepares `r` to read from `s` through the caller's buffer `buf` of `cap`
 * bytes (cap >= 1; for read_until, at least the longest line expected).
 * Nothing is received yet. `s` may already have been read from: the reader
 * starts at the stream's current position.
 */
void strio_reader_init(strio_reader *r, strio_stream *s, void *buf,
                       size_t cap);

/*
 * Bytes received from the stream but not yet returned by a read: their
 * count, and (if `data` is not NULL) where they are in the reader's
 * buffer. They are the stream's next bytes, before anything the stream
 * still holds. The pointer is valid until the next call on the reader.
 * Use it to hand the connection to another protocol (copy them out, then
 * strio_reader_consume() them), to inspect a line that was too long, or to
 * pick up the partial message a failed read_exactly left.
 */
size_t strio_reader_buffered(const strio_reader *r, const void **data);

/*
 * Drops the first `n` buffered bytes (n <= strio_reader_buffered()).
 * Returns 0, -EINVAL if fewer than `n` bytes are buffered (nothing
 * dropped), STRIO_EBUSY while a read is in flight.
 */
int strio_reader_consume(strio_reader *r, size_t n);

/* Nonzero once the stream has reported end of stream (bytes may still be
 * buffered). */
int strio_reader_eof(const strio_reader *r);

/*
 * async long strio_read_until(strio_reader *r, const void *delim,
 *                             size_t delim_len, void *out, size_t max)
 *
 * Copies the stream's next bytes up to and including the first occurrence
 * of the `delim_len`-byte delimiter `delim` into `out` (room for `max`
 * bytes) and returns how many. `delim` and `out` must stay valid until the
 * call completes; `out` must not overlap the reader's buffer. The limit
 * is L = min(max, cap): the delimiter must end within the first L bytes.
 * Returns:
 *
 *   1..L        a message: out[0..n) ends with the delimiter, which occurs
 *               nowhere earlier in it. Consumed.
 *   1..L-1      end of stream came before any delimiter: the last bytes of
 *               the stream, unterminated (out[0..n) does not end with the
 *               delimiter; strio_reader_eof() is 1). Consumed, so the next
 *               call returns 0. A remainder of L bytes or more gives
 *               -EMSGSIZE instead (as it would have before the end was
 *               seen: results never depend on how the bytes were
 *               chunked).
 *   0           end of stream and nothing buffered (again on every call).
 *   -EMSGSIZE   no delimiter ends within the first L bytes. Nothing
 *               consumed: the bytes stay buffered (strio_reader_buffered),
 *               so the caller can retry with a larger max (up to cap),
 *               take them out by hand, or strio_reader_consume() them to
 *               skip. Returned as soon as L bytes are buffered: the reader
 *               does not wait for the delimiter.
 *   STRIO_ECANCELED, STRIO_ECLOSED, STRIO_EBROKEN, STRIO_EBUSY (the
 *   stream's), ...: from the checkpoint or the stream. Nothing consumed.
 *   STRIO_EBUSY at once: another read on `r` is in flight.
 *   -EINVAL at once: delim == NULL, delim_len == 0, out == NULL, max == 0,
 *               or cap == 0.
 */
STRIO_ASYNC_DECL(long strio_read_until(strio_reader *r, const void *delim, size_t delim_len, void *out, size_t max))

/*
 * async long strio_read_exactly(strio_reader *r, void *out, size_t n)
 *
 * Copies exactly the stream's next `n` bytes into `out`, receiving as often
 * as needed. `out` must stay valid until the call completes and must not
 * overlap the reader's buffer. Returns:
 *
 *   n           success (n == 0 too, after a checkpoint). Consumed.
 *   0           (n > 0) end of stream and nothing buffered: the stream
 *               ended cleanly, at a message boundary.
 *   STRIO_EBROKEN  (n > 0) the stream ended after 1..n-1 bytes: a truncated
 *               message (Trio raises BrokenResourceError when a transport
 *               ends inside a record). Nothing consumed: the partial bytes
 *               stay buffered (strio_reader_buffered) and
 *               strio_reader_eof() is 1, which tells this case apart from
 *               a STRIO_EBROKEN of the stream itself.
 *   STRIO_ECANCELED, STRIO_ECLOSED, STRIO_EBROKEN, STRIO_EBUSY (the
 *   stream's), ...: from the checkpoint or the stream. Nothing consumed.
 *   STRIO_EBUSY at once: another read on `r` is in flight.
 *   -EMSGSIZE at once: n > cap (the message cannot be assembled in the
 *               buffer; for bulk data, take strio_reader_buffered() and
 *               then call strio_receive_some on the stream directly).
 *   -EINVAL at once: out == NULL with n > 0.
 */
STRIO_ASYNC_DECL(long strio_read_exactly(strio_reader *r, void *out, size_t n))

/*
 * The frames of the two calls (generated from runtime/src/bufread_impl.sc;
 * the name differs from this header's because a generated header must not
 * shadow a hand-written one).
 */
#include <strio/bufread_impl.h>

#endif
