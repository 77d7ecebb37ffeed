/*
 * bufread_impl.sc -- strio_read_until and strio_read_exactly over any
 * stream, written in the dialect (the API and its contract: strio/bufread.h;
 * this file is not named bufread.sc because its generated header must not
 * shadow that hand-written one).
 *
 * The reader's buffer holds buf[start..end): received, not yet consumed.
 * A read only consumes (advances `start`) when it succeeds, so whatever
 * stops it half-way (cancellation, an error, the limit) leaves the buffer
 * as a later retry needs it.
 */
#include <errno.h>
#include <string.h>

#include <strio/bufread.h>

void strio_reader_init(strio_reader *r, strio_stream *s, void *buf,
                       size_t cap)
{
    r->stream = s;
    r->buf = buf;
    r->cap = buf != NULL ? cap : 0;
    r->start = r->end = 0;
    r->eof = 0;
    r->busy = 0;
}

size_t strio_reader_buffered(const strio_reader *r, const void **data)
{
    if (data != NULL)
        *data = r->buf != NULL ? r->buf + r->start : NULL;
    return r->end - r->start;
}

/* Drops n <= buffered bytes; an emptied buffer starts over at offset 0,
 * which keeps the common case (each receive consumed whole) memmove-free. */
static void drop(strio_reader *r, size_t n)
{
    r->start += n;
    if (r->start == r->end)
        r->start = r->end = 0;
}

int strio_reader_consume(strio_reader *r, size_t n)
{
    if (r->busy)
        return STRIO_EBUSY;
    if (n > r->end - r->start)
        return -EINVAL;
    drop(r, n);
    return 0;
}

int strio_reader_eof(const strio_reader *r)
{
    return r->eof;
}

/*
 * Before a receive: `want` (>= 1) more bytes are needed and must fit.
 * Moves the unread bytes to the front when the free tail is too small for
 * them or smaller than the consumed head (so each receive gets at least
 * about half of the free space, and the memmove, of fewer bytes than the
 * head it reclaims, stays amortized). The caller guarantees
 * buffered + want <= cap.
 */
static void make_room(strio_reader *r, size_t want)
{
    size_t tail = r->cap - r->end;
    if (r->start > 0 && (tail < want || tail < r->start)) {
        size_t avail = r->end - r->start;
        memmove(r->buf, r->buf + r->start, avail);
        r->start = 0;
        r->end = avail;
    }
}

/*
 * The first delimiter that starts at `from` or later and ends within
 * p[0..len): returns the offset just past it, or 0 if there is none.
 */
static size_t find_delim(const unsigned char *p, size_t len, size_t from,
                         const unsigned char *d, size_t dlen)
{
    if (len < dlen)
        return 0;
    size_t last = len - dlen;       /* the last offset a match can start */
    while (from <= last) {
        const unsigned char *hit = memchr(p + from, d[0], last - from + 1);
        if (hit == NULL)
            return 0;
        size_t at = (size_t)(hit - p);
        if (memcmp(hit + 1, d + 1, dlen - 1) == 0)
            return at + dlen;
        from = at + 1;
    }
    return 0;
}

async long strio_read_until(strio_reader *r, const void *delim,
                            size_t delim_len, void *out, size_t max)
{
    if (r->busy)
        return STRIO_EBUSY;
    if (delim == NULL || delim_len == 0 || out == NULL || max == 0 ||
        r->cap == 0)
        return -EINVAL;
    size_t limit = max < r->cap ? max : r->cap;
    size_t from = 0;        /* matches starting before this were ruled out */
    int received = 0;       /* a receive_some (a checkpoint) completed */
    long rc;
    r->busy = 1;
    for (;;) {
        size_t avail = r->end - r->start;
        size_t window = avail < limit ? avail : limit;
        size_t len = find_delim(r->buf + r->start, window, from, delim,
                                delim_len);
        if (len > 0) {
            rc = (long)len;
            break;
        }
        if (window >= delim_len)
            from = window - delim_len + 1;
        if (avail == 0 && r->eof) {
            rc = 0;
            break;
        }
        if (avail >= limit) {
            rc = -EMSGSIZE;
            break;
        }
        if (r->eof) {
            rc = (long)avail;       /* the unterminated last piece */
            break;
        }
        make_room(r, 1);
        long n = await strio_receive_some(r->stream, r->buf + r->end,
                                          r->cap - r->end);
        if (n < 0) {
            r->busy = 0;
            return n;
        }
        received = 1;
        if (n == 0)
            r->eof = 1;
        else
            r->end += (size_t)n;
    }
    if (!received) {
        int c = await strio_checkpoint();
        if (c < 0) {
            r->busy = 0;
            return c;
        }
    }
    if (rc > 0) {
        memcpy(out, r->buf + r->start, (size_t)rc);
        drop(r, (size_t)rc);
    }
    r->busy = 0;
    return rc;
}

async long strio_read_exactly(strio_reader *r, void *out, size_t n)
{
    if (r->busy)
        return STRIO_EBUSY;
    if (out == NULL && n > 0)
        return -EINVAL;
    if (n > r->cap)
        return -EMSGSIZE;
    int received = 0;       /* a receive_some (a checkpoint) completed */
    long rc;
    r->busy = 1;
    for (;;) {
        size_t avail = r->end - r->start;
        if (avail >= n) {
            rc = (long)n;
            break;
        }
        if (r->eof) {
            rc = avail == 0 ? 0 : STRIO_EBROKEN;
            break;
        }
        make_room(r, n - avail);
        long got = await strio_receive_some(r->stream, r->buf + r->end,
                                            r->cap - r->end);
        if (got < 0) {
            r->busy = 0;
            return got;
        }
        received = 1;
        if (got == 0)
            r->eof = 1;
        else
            r->end += (size_t)got;
    }
    if (!received) {
        int c = await strio_checkpoint();
        if (c < 0) {
            r->busy = 0;
            return c;
        }
    }
    if (rc > 0) {
        memcpy(out, r->buf + r->start, (size_t)rc);
        drop(r, (size_t)rc);
    }
    r->busy = 0;
    return rc;
}
