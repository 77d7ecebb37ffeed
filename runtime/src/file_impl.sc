/*
 * Files, the async calls (see strio/file.h), in the dialect. The blocking
 * work and the job leaf are in file.c.
 *
 * Every call: STRIO_EBUSY if another task is in a call on the file (the
 * `busy` flag, set around the inner function), then waits for an
 * abandoned job (strio__fsjob_run with no op) BEFORE touching anything
 * that job may still use (the job fields, the transfer buffer), then sets
 * up and runs its own job. Static helpers are named strio_file__* because
 * their frame tags are public in the generated header.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <strio/file.h>

static async long long strio_file__drain(strio_file *f)
{
    return await strio__fsjob_run(&f->job, f->w, NULL, NULL);
}

/* One job of up to bufsize bytes into f->buf, or stashed bytes first. */
static async long strio_file__read1(strio_file *f, void *buf, size_t max)
{
    long long r;
    size_t n;
    if (f->fd < 0)
        return STRIO_ECLOSED;
    r = await strio_file__drain(f);
    if (r < 0)
        return (long)r;
    if (f->abandoned_read) {
        /* the abandoned read finished: its bytes are in buf[0..res) */
        f->abandoned_read = 0;
        if (f->job.res > 0) {
            f->stash_off = 0;
            f->stash_len = (size_t)f->job.res;
        }
    }
    if (f->stash_len > 0 || max == 0) {
        int rc = await strio_checkpoint();
        if (rc < 0)
            return rc;
        n = max < f->stash_len ? max : f->stash_len;
        memcpy(buf, f->buf + f->stash_off, n);
        f->stash_off += n;
        f->stash_len -= n;
        return (long)n;
    }
    n = max < f->bufsize ? max : f->bufsize;
    if (n > LONG_MAX)
        n = LONG_MAX;
    f->job.fd = f->fd;
    f->job.arg = f->seekable;
    f->job.off = f->pos;
    f->job.buf = f->buf;
    f->job.len = n;
    r = await strio__fsjob_run(&f->job, f->w, strio__file_op_read, NULL);
    if (r < 0) {
        if (r == STRIO_ECANCELED && f->job.submitted && !f->seekable)
            f->abandoned_read = 1;
        return (long)r;
    }
    memcpy(buf, f->buf, (size_t)r);
    if (f->seekable)
        f->pos += r;
    return (long)r;
}

static async int strio_file__read_into(strio_file *f, unsigned char *buf,
                                       size_t len, size_t *got)
{
    size_t done = 0;
    long r = 0;
    do {
        r = await strio_file__read1(f, buf + done, len - done);
        if (r > 0)
            done += (size_t)r;
        if (got != NULL)
            *got = done;
    } while (r > 0 && done < len);
    if (len == 0 && got != NULL)
        *got = 0;
    return r < 0 ? (int)r : 0;
}

static async int strio_file__write(strio_file *f, const unsigned char *data,
                                   size_t len, size_t *written)
{
    size_t done = 0;
    long long r;
    if (written != NULL)
        *written = 0;
    if (f->fd < 0)
        return STRIO_ECLOSED;
    if (len == 0)
        return await strio_checkpoint();
    while (done < len) {
        size_t n = len - done < f->bufsize ? len - done : f->bufsize;
        r = await strio_file__drain(f);
        if (r < 0)
            return (int)r;
        memcpy(f->buf, data + done, n);
        f->job.fd = f->fd;
        f->job.arg = f->append ? 2 : f->seekable ? 1 : 0;
        f->job.off = f->pos;
        f->job.buf = f->buf;
        f->job.len = n;
        r = await strio__fsjob_run(&f->job, f->w, strio__file_op_write, NULL);
        if (r < 0)
            return (int)r;
        done += (size_t)r;
        if (written != NULL)
            *written = done;
        if (f->append) {
            if (f->job.res2 >= 0)
                f->pos = f->job.res2;
        } else if (f->seekable) {
            f->pos += r;
        }
    }
    return 0;
}

static async int strio_file__open(strio_file *f, const char *path, int flags,
                                  mode_t mode)
{
    long long r;
    size_t len;
    if (path == NULL)
        return -EINVAL;
    r = await strio_file__drain(f);
    if (r < 0)
        return (int)r;
    len = strlen(path);
    if (len >= f->bufsize)
        return -ENAMETOOLONG;
    memcpy(f->buf, path, len + 1);
    f->job.path = (const char *)f->buf;
    f->job.arg = flags;
    f->job.mode = (unsigned)mode;
    r = await strio__fsjob_run(&f->job, f->w, strio__file_op_open,
                               strio__file_op_close_fd);
    if (r < 0)
        return (int)r;
    f->fd = (int)r;
    f->own = 1;
    f->seekable = f->job.res2 >= 0;
    f->pos = f->job.res2 >= 0 ? f->job.res2 : 0;
    f->append = (flags & O_APPEND) != 0;
    f->abandoned_read = 0;
    f->stash_off = f->stash_len = 0;
    return 0;
}

static async long long strio_file__seek(strio_file *f, long long offset,
                                        int whence)
{
    long long r, base;
    int rc;
    if (f->fd < 0)
        return STRIO_ECLOSED;
    if (!f->seekable)
        return -ESPIPE;
    r = await strio_file__drain(f);
    if (r < 0)
        return r;
    if (whence == SEEK_SET || whence == SEEK_CUR) {
        base = whence == SEEK_SET ? 0 : f->pos;
        rc = await strio_checkpoint();
        if (rc < 0)
            return rc;
        if ((offset > 0 && base > LLONG_MAX - offset) ||
            base + offset < 0)
            return offset > 0 ? -EOVERFLOW : -EINVAL;
        f->pos = base + offset;
        return f->pos;
    }
    f->job.fd = f->fd;
    f->job.off = offset;
    f->job.arg = whence;
    r = await strio__fsjob_run(&f->job, f->w, strio__file_op_seek, NULL);
    if (r >= 0)
        f->pos = r;
    return r;
}

/* truncate (what 0) or sync (what 1, arg = data only). */
static async int strio_file__fdop(strio_file *f, int what, long long off,
                                  int arg)
{
    long long r;
    if (f->fd < 0)
        return STRIO_ECLOSED;
    r = await strio_file__drain(f);
    if (r < 0)
        return (int)r;
    f->job.fd = f->fd;
    f->job.off = off;
    f->job.arg = arg;
    if (what == 0)
        r = await strio__fsjob_run(&f->job, f->w, strio__file_op_truncate,
                                   NULL);
    else
        r = await strio__fsjob_run(&f->job, f->w, strio__file_op_sync, NULL);
    return (int)r;
}

/* ---- the public calls: one task at a time ----------------------------- */

async int strio_file_open(strio_file *f, const char *path, int flags,
                          mode_t mode)
{
    int rc;
    if (f->busy || f->fd >= 0)
        return STRIO_EBUSY;
    f->busy = 1;
    rc = await strio_file__open(f, path, flags, mode);
    f->busy = 0;
    return rc;
}

async long strio_file_read(strio_file *f, void *buf, size_t max)
{
    long r;
    if (f->busy)
        return STRIO_EBUSY;
    f->busy = 1;
    r = await strio_file__read1(f, buf, max);
    f->busy = 0;
    return r;
}

async int strio_file_read_into(strio_file *f, void *buf, size_t len,
                               size_t *got)
{
    int rc;
    if (got != NULL)
        *got = 0;
    if (f->busy)
        return STRIO_EBUSY;
    f->busy = 1;
    rc = await strio_file__read_into(f, buf, len, got);
    f->busy = 0;
    return rc;
}

async int strio_file_write(strio_file *f, const void *data, size_t len,
                           size_t *written)
{
    int rc;
    if (written != NULL)
        *written = 0;
    if (f->busy)
        return STRIO_EBUSY;
    f->busy = 1;
    rc = await strio_file__write(f, data, len, written);
    f->busy = 0;
    return rc;
}

async long long strio_file_seek(strio_file *f, long long offset, int whence)
{
    long long r;
    if (f->busy)
        return STRIO_EBUSY;
    f->busy = 1;
    r = await strio_file__seek(f, offset, whence);
    f->busy = 0;
    return r;
}

async long long strio_file_tell(strio_file *f)
{
    long long r;
    if (f->busy)
        return STRIO_EBUSY;
    f->busy = 1;
    r = await strio_file__seek(f, 0, SEEK_CUR);
    f->busy = 0;
    return r;
}

async int strio_file_flush(strio_file *f)
{
    long long r;
    if (f->busy)
        return STRIO_EBUSY;
    if (f->fd < 0)
        return STRIO_ECLOSED;
    f->busy = 1;
    r = await strio_file__drain(f);
    if (r == 0)
        r = await strio_checkpoint();
    f->busy = 0;
    return (int)r;
}

async int strio_file_truncate(strio_file *f, long long length)
{
    int rc;
    if (f->busy)
        return STRIO_EBUSY;
    if (length < 0)
        return -EINVAL;
    f->busy = 1;
    rc = await strio_file__fdop(f, 0, length, 0);
    f->busy = 0;
    return rc;
}

async int strio_file_sync(strio_file *f, int data_only)
{
    int rc;
    if (f->busy)
        return STRIO_EBUSY;
    f->busy = 1;
    rc = await strio_file__fdop(f, 1, 0, data_only != 0);
    f->busy = 0;
    return rc;
}

async int strio_file_close(strio_file *f)
{
    strio_cancel_scope shield;
    long long r = 0;
    int rc;
    if (f->busy)
        return STRIO_EBUSY;
    if (f->fd < 0)
        return await strio_checkpoint();
    f->busy = 1;
    /* Shielded: waiting for an abandoned job and closing cannot be
     * cancelled, so when this returns no job touches f any more and the
     * fd is closed (no leak, no fd-number reuse under a running job). */
    strio_scope_enter(STRIO_SELF, &shield);
    strio_scope_shield(&shield, 1);
    r = await strio_file__drain(f);
    if (r == 0) {
        f->job.fd = f->fd;
        f->job.arg = f->own;
        f->job.off = f->seekable ? f->pos : -1;
        r = await strio__fsjob_run(&f->job, f->w, strio__file_op_close, NULL);
    }
    strio_scope_exit(&shield, 0);
    f->fd = -1;
    f->stash_len = 0;
    f->abandoned_read = 0;
    f->busy = 0;
    rc = await strio_checkpoint();
    if (r < 0)
        return (int)r;
    return rc;
}

async int strio_file_read_all(strio_file *f, void *buf, size_t max,
                              size_t *len)
{
    int rc;
    size_t got = 0;
    unsigned char extra;
    long r;
    if (len != NULL)
        *len = 0;
    if (f->busy)
        return STRIO_EBUSY;
    f->busy = 1;
    rc = await strio_file__read_into(f, buf, max, &got);
    if (len != NULL)
        *len = got;
    if (rc == 0 && got == max) {
        /* Full: one more byte says whether the file is larger. On a
         * seekable file it is peeked (position kept); on a pipe it is
         * consumed, which no longer matters: the call failed. */
        long long pos = f->pos;
        r = await strio_file__read1(f, &extra, 1);
        if (f->seekable)
            f->pos = pos;
        if (r > 0)
            rc = -EFBIG;
        else if (r < 0)
            rc = (int)r;
    }
    f->busy = 0;
    return rc;
}

async long strio_file_read_line(strio_file *f, strio_file_lines *lr,
                                const char **line)
{
    long r;
    char *nl;
    size_t n;
    *line = lr->buf + lr->start;
    if (f->busy)
        return STRIO_EBUSY;
    f->busy = 1;
    for (;;) {
        nl = memchr(lr->buf + lr->scanned, '\n', lr->end - lr->scanned);
        if (nl != NULL) {
            n = (size_t)(nl + 1 - (lr->buf + lr->start));
            break;
        }
        lr->scanned = lr->end;
        if (lr->eof) {
            n = lr->end - lr->start;    /* last line without '\n', or 0 */
            break;
        }
        if (lr->end - lr->start >= lr->cap) {
            *line = lr->buf + lr->start;
            f->busy = 0;
            return -EMSGSIZE;
        }
        if (lr->start > 0) {            /* make room at the end */
            memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
            lr->end -= lr->start;
            lr->scanned -= lr->start;
            lr->start = 0;
        }
        r = await strio_file__read1(f, lr->buf + lr->end, lr->cap - lr->end);
        if (r < 0) {
            f->busy = 0;
            return r;
        }
        if (r == 0)
            lr->eof = 1;
        lr->end += (size_t)r;
    }
    *line = lr->buf + lr->start;
    lr->start += n;
    if (lr->start == lr->end)
        lr->start = lr->end = 0;
    lr->scanned = lr->start;
    f->busy = 0;
    return (long)n;
}
