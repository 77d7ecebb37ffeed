/*
 * Path operations, the async calls (see strio/path.h), in the dialect.
 * The blocking work is in path.c; the job machinery in file.c.
 *
 * Each call: STRIO_EBUSY while another task is in a call on the context,
 * then strio_fs__run: wait for an abandoned job BEFORE copying the paths
 * into the context (that job may still read them), then run the op.
 */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include <strio/path.h>

static int strio_fs__copy(char *dst, const char *src)
{
    size_t n = strlen(src);
    if (n >= PATH_MAX)
        return -ENAMETOOLONG;
    memcpy(dst, src, n + 1);
    return 0;
}

/* p1/p2 NULL: keep what the context holds. */
static async long long strio_fs__run(strio_fs *fs, void (*op)(strio_fsjob *j),
                                     void (*undo)(strio_fsjob *j),
                                     const char *p1, const char *p2, int arg,
                                     unsigned mode, void *buf, size_t len)
{
    strio_fsjob *j = &fs->file.job;
    long long r = await strio__fsjob_run(j, fs->file.w, NULL, NULL);
    if (r < 0)
        return r;
    if (p1 != NULL && strio_fs__copy(fs->path, p1) < 0)
        return -ENAMETOOLONG;
    if (p2 != NULL && strio_fs__copy(fs->path2, p2) < 0)
        return -ENAMETOOLONG;
    j->path = fs->path;
    j->path2 = fs->path2;
    j->arg = arg;
    j->mode = mode;
    j->buf = buf;
    j->len = len;
    return await strio__fsjob_run(j, fs->file.w, op, undo);
}

/* Simple calls: one op over one or two paths. */
static async int strio_fs__simple(strio_fs *fs, void (*op)(strio_fsjob *j),
                                  const char *p1, const char *p2, int arg,
                                  unsigned mode)
{
    long long r;
    if (fs->busy)
        return STRIO_EBUSY;
    if (p1 == NULL)
        return -EINVAL;
    fs->busy = 1;
    r = await strio_fs__run(fs, op, NULL, p1, p2, arg, mode, NULL, 0);
    fs->busy = 0;
    return (int)r;
}

/* stat or lstat into *st (NULL: only the result). */
static async int strio_fs__stat(strio_fs *fs, const char *path, int link,
                                struct stat *st)
{
    int rc;
    if (link)
        rc = await strio_fs__simple(fs, strio__fs_op_lstat, path, NULL, 0, 0);
    else
        rc = await strio_fs__simple(fs, strio__fs_op_stat, path, NULL, 0, 0);
    if (rc == 0 && st != NULL)
        *st = fs->file.job.st;
    return rc;
}

async int strio_stat(strio_fs *fs, const char *path, struct stat *st)
{
    return await strio_fs__stat(fs, path, 0, st);
}

async int strio_lstat(strio_fs *fs, const char *path, struct stat *st)
{
    return await strio_fs__stat(fs, path, 1, st);
}

/* what: 0 exists, 1 directory, 2 regular file */
static async int strio_fs__test(strio_fs *fs, const char *path, int what)
{
    struct stat st;
    int rc = await strio_fs__stat(fs, path, 0, &st);
    if (rc == -ENOENT || rc == -ENOTDIR)
        return 0;
    if (rc < 0)
        return rc;
    if (what == 1)
        return S_ISDIR(st.st_mode) ? 1 : 0;
    if (what == 2)
        return S_ISREG(st.st_mode) ? 1 : 0;
    return 1;
}

async int strio_exists(strio_fs *fs, const char *path)
{
    return await strio_fs__test(fs, path, 0);
}

async int strio_is_dir(strio_fs *fs, const char *path)
{
    return await strio_fs__test(fs, path, 1);
}

async int strio_is_file(strio_fs *fs, const char *path)
{
    return await strio_fs__test(fs, path, 2);
}

async int strio_mkdir(strio_fs *fs, const char *path, mode_t mode, int flags)
{
    return await strio_fs__simple(fs, strio__fs_op_mkdir, path, NULL, flags,
                                  (unsigned)mode);
}

async int strio_rmdir(strio_fs *fs, const char *path)
{
    return await strio_fs__simple(fs, strio__fs_op_rmdir, path, NULL, 0, 0);
}

async int strio_unlink(strio_fs *fs, const char *path)
{
    return await strio_fs__simple(fs, strio__fs_op_unlink, path, NULL, 0, 0);
}

async int strio_rename(strio_fs *fs, const char *from, const char *to,
                       int flags)
{
    if (to == NULL)
        return -EINVAL;
    return await strio_fs__simple(fs, strio__fs_op_rename, from, to, flags, 0);
}

async int strio_symlink(strio_fs *fs, const char *target,
                        const char *linkpath)
{
    if (linkpath == NULL)
        return -EINVAL;
    return await strio_fs__simple(fs, strio__fs_op_symlink, target, linkpath,
                                  0, 0);
}

async int strio_chmod(strio_fs *fs, const char *path, mode_t mode)
{
    return await strio_fs__simple(fs, strio__fs_op_chmod, path, NULL, 0,
                                  (unsigned)mode);
}

/* readlink (what 0) or realpath (what 1) into fs->path2, then out. */
static async long strio_fs__getpath(strio_fs *fs, const char *path, int what,
                                    char *out, size_t max)
{
    long long r;
    if (fs->busy)
        return STRIO_EBUSY;
    if (path == NULL || out == NULL)
        return -EINVAL;
    fs->busy = 1;
    if (what == 0)
        r = await strio_fs__run(fs, strio__fs_op_readlink, NULL, path, NULL,
                                0, 0, fs->path2, PATH_MAX);
    else
        r = await strio_fs__run(fs, strio__fs_op_realpath, NULL, path, NULL,
                                0, 0, fs->path2, PATH_MAX);
    fs->busy = 0;
    if (r < 0)
        return (long)r;
    if ((size_t)r >= max)
        return -ENAMETOOLONG;
    memcpy(out, fs->path2, (size_t)r + 1);
    return (long)r;
}

async long strio_readlink(strio_fs *fs, const char *path, char *out,
                          size_t max)
{
    return await strio_fs__getpath(fs, path, 0, out, max);
}

async long strio_realpath(strio_fs *fs, const char *path, char *out,
                          size_t max)
{
    return await strio_fs__getpath(fs, path, 1, out, max);
}

async long strio_listdir(strio_fs *fs, const char *path, void *out,
                         size_t max, size_t *count)
{
    long long r;
    size_t lim;
    if (count != NULL)
        *count = 0;
    if (fs->busy)
        return STRIO_EBUSY;
    if (path == NULL)
        return -EINVAL;
    if (fs->file.bufsize == 0)
        return -ENOBUFS;
    lim = max < fs->file.bufsize ? max : fs->file.bufsize;
    fs->busy = 1;
    r = await strio_fs__run(fs, strio__fs_op_listdir, NULL, path, NULL, 0, 0,
                            fs->file.buf, lim);
    fs->busy = 0;
    if (r < 0)
        return (long)r;
    memcpy(out, fs->file.buf, (size_t)r);
    if (count != NULL)
        *count = (size_t)fs->file.job.res2;
    return (long)r;
}

async int strio_read_file(strio_fs *fs, const char *path, void *buf,
                          size_t max, size_t *len)
{
    int rc, rc2;
    if (len != NULL)
        *len = 0;
    if (fs->busy)
        return STRIO_EBUSY;
    if (fs->file.bufsize == 0)
        return -ENOBUFS;
    fs->busy = 1;
    rc = await strio_file_open(&fs->file, path, O_RDONLY, 0);
    if (rc == 0) {
        rc = await strio_file_read_all(&fs->file, buf, max, len);
        rc2 = await strio_file_close(&fs->file);     /* always closes */
        if (rc == 0)
            rc = rc2;
    }
    fs->busy = 0;
    return rc;
}

static async int strio_fs__write_atomic(strio_fs *fs, const char *path,
                                        const void *data, size_t len,
                                        mode_t mode)
{
    strio_cancel_scope shield;
    long long r;
    int rc, rc2;
    r = await strio_fs__run(fs, strio__fs_op_mktemp, strio__fs_op_mktemp_undo,
                            path, NULL, 0, (unsigned)mode, NULL, 0);
    if (r < 0)
        return (int)r;
    rc = strio_file_wrap(&fs->file, (int)r, 1);
    if (rc == 0)
        rc = await strio_file_write(&fs->file, data, len, NULL);
    if (rc == 0)
        rc = await strio_file_sync(&fs->file, 0);
    rc2 = await strio_file_close(&fs->file);         /* always closes */
    if (rc == 0)
        rc = rc2;
    if (rc == 0) {
        /* the paths are still in the context: rename over the target */
        r = await strio_fs__run(fs, strio__fs_op_commit, NULL, NULL, NULL, 0,
                                0, NULL, 0);
        return (int)r;
    }
    /* Failed or cancelled: remove the temporary file, shielded. */
    strio_scope_enter(STRIO_SELF, &shield);
    strio_scope_shield(&shield, 1);
    await strio_fs__run(fs, strio__fs_op_commit, NULL, NULL, NULL, 1, 0,
                        NULL, 0);
    strio_scope_exit(&shield, 0);
    return rc;
}

async int strio_write_file(strio_fs *fs, const char *path, const void *data,
                           size_t len, mode_t mode, int flags)
{
    int rc, rc2;
    int oflags = O_WRONLY | O_CREAT;
    if (fs->busy)
        return STRIO_EBUSY;
    if (path == NULL)
        return -EINVAL;
    if ((flags & STRIO_WRITE_ATOMIC) &&
        (flags & (STRIO_WRITE_APPEND | STRIO_WRITE_EXCL)))
        return -EINVAL;
    if (fs->file.bufsize == 0)
        return -ENOBUFS;
    fs->busy = 1;
    if (flags & STRIO_WRITE_ATOMIC) {
        rc = await strio_fs__write_atomic(fs, path, data, len, mode);
    } else {
        oflags |= (flags & STRIO_WRITE_APPEND) ? O_APPEND : O_TRUNC;
        if (flags & STRIO_WRITE_EXCL)
            oflags |= O_EXCL;
        rc = await strio_file_open(&fs->file, path, oflags, mode);
        if (rc == 0) {
            rc = await strio_file_write(&fs->file, data, len, NULL);
            rc2 = await strio_file_close(&fs->file);
            if (rc == 0)
                rc = rc2;
        }
    }
    fs->busy = 0;
    return rc;
}

async int strio_fs_close(strio_fs *fs)
{
    strio_cancel_scope shield;
    if (fs->busy)
        return STRIO_EBUSY;
    strio_scope_enter(STRIO_SELF, &shield);
    strio_scope_shield(&shield, 1);
    await strio__fsjob_run(&fs->file.job, fs->file.w, NULL, NULL);
    strio_scope_exit(&shield, 0);
    return await strio_checkpoint();
}

/* ---- directory iterator -------------------------------------------------- */

async int strio_dir_open(strio_dir *d, const char *path)
{
    long long r;
    size_t n;
    if (d->busy || d->fd >= 0)
        return STRIO_EBUSY;
    if (path == NULL)
        return -EINVAL;
    d->busy = 1;
    r = await strio__fsjob_run(&d->job, d->w, NULL, NULL);
    if (r == 0) {
        n = strlen(path);
        if (n >= d->bufsize) {
            r = -ENAMETOOLONG;
        } else {
            memcpy(d->buf, path, n + 1);
            d->job.path = (const char *)d->buf;
            r = await strio__fsjob_run(&d->job, d->w, strio__dir_op_open,
                                       strio__file_op_close_fd);
        }
    }
    if (r >= 0) {
        d->fd = (int)r;
        d->pos = d->len = 0;
        d->eof = 0;
        d->abandoned_read = 0;
        r = 0;
    }
    d->busy = 0;
    return (int)r;
}

static async int strio_dir__read(strio_dir *d, strio_dir_entry *e)
{
    long long r;
    int rc;
    for (;;) {
        if (d->abandoned_read) {
            r = await strio__fsjob_run(&d->job, d->w, NULL, NULL);
            if (r < 0)
                return (int)r;
            d->abandoned_read = 0;
            d->pos = 0;
            d->len = d->job.res > 0 ? (size_t)d->job.res : 0;
            if (d->job.res == 0)
                d->eof = 1;
        }
        while (d->pos < d->len) {
            struct dirent64 *de = (struct dirent64 *)(void *)(d->buf + d->pos);
            d->pos += de->d_reclen;
            const char *name = de->d_name;
            if (name[0] == '.' &&
                (name[1] == 0 || (name[1] == '.' && name[2] == 0)))
                continue;
            rc = await strio_checkpoint();
            if (rc < 0) {
                d->pos -= de->d_reclen;     /* hand it out next time */
                return rc;
            }
            e->name = name;
            e->len = strlen(name);
            e->type = de->d_type;
            return 1;
        }
        if (d->eof)
            return await strio_checkpoint();
        d->job.fd = d->fd;
        d->job.buf = d->buf;
        d->job.len = d->bufsize;
        r = await strio__fsjob_run(&d->job, d->w, strio__dir_op_read, NULL);
        if (r < 0) {
            if (r == STRIO_ECANCELED && d->job.submitted)
                d->abandoned_read = 1;
            return (int)r;
        }
        d->pos = 0;
        d->len = (size_t)r;
        if (r == 0)
            d->eof = 1;
    }
}

async int strio_dir_read(strio_dir *d, strio_dir_entry *e)
{
    int rc;
    if (d->busy)
        return STRIO_EBUSY;
    if (d->fd < 0)
        return STRIO_ECLOSED;
    d->busy = 1;
    rc = await strio_dir__read(d, e);
    d->busy = 0;
    return rc;
}

async int strio_dir_close(strio_dir *d)
{
    strio_cancel_scope shield;
    long long r = 0;
    int rc;
    if (d->busy)
        return STRIO_EBUSY;
    if (d->fd < 0)
        return await strio_checkpoint();
    d->busy = 1;
    strio_scope_enter(STRIO_SELF, &shield);
    strio_scope_shield(&shield, 1);
    r = await strio__fsjob_run(&d->job, d->w, NULL, NULL);
    if (r == 0) {
        d->job.fd = d->fd;
        d->job.arg = 1;
        d->job.off = -1;
        r = await strio__fsjob_run(&d->job, d->w, strio__file_op_close, NULL);
    }
    strio_scope_exit(&shield, 0);
    d->fd = -1;
    d->pos = d->len = 0;
    d->abandoned_read = 0;
    d->busy = 0;
    rc = await strio_checkpoint();
    if (r < 0)
        return (int)r;
    return rc;
}
