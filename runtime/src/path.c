/*
 * Path operations, the blocking work each call runs on a worker thread
 * (see strio/path.h) and the plain helpers. The async calls are in
 * path_impl.sc. Each op reads its inputs from the job block (paths in the
 * context's path buffers) and leaves its result there: nothing else.
 */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <strio/error.h>
#include <strio/path.h>

void strio_fs_init(strio_fs *fs, strio_workers *w, void *buf, size_t bufsize)
{
    strio_file_init(&fs->file, w, buf, bufsize);
    fs->busy = 0;
    fs->path[0] = fs->path2[0] = 0;
}

int strio_fs_busy(strio_fs *fs)
{
    return strio__fsjob_pending(&fs->file.job);
}

int strio_dir_next(const void *listing, size_t len, size_t *pos,
                   strio_dir_entry *e)
{
    const char *p = listing;
    if (*pos + 2 > len)
        return 0;
    e->type = (unsigned char)p[*pos];
    e->name = p + *pos + 1;
    const char *nul = memchr(e->name, 0, len - *pos - 1);
    if (nul == NULL)
        return 0;
    e->len = (size_t)(nul - e->name);
    *pos += e->len + 2;
    return 1;
}

/* ---- worker side ------------------------------------------------------------ */

static long long neg_errno(int r)
{
    return r < 0 ? -(long long)errno : 0;
}

void strio__fs_op_stat(strio_fsjob *j)
{
    j->res = neg_errno(stat(j->path, &j->st));
}

void strio__fs_op_lstat(strio_fsjob *j)
{
    j->res = neg_errno(lstat(j->path, &j->st));
}

/* arg: flags, mode */
void strio__fs_op_mkdir(strio_fsjob *j)
{
    if (j->arg & STRIO_MKDIR_PARENTS) {
        char tmp[PATH_MAX];
        size_t n = strlen(j->path);
        memcpy(tmp, j->path, n + 1);
        while (n > 1 && tmp[n - 1] == '/')      /* "a/b/" is "a/b" */
            tmp[--n] = 0;
        /* every proper prefix ending before a '/', shortest first */
        for (size_t i = 1; i < n; i++) {
            if (tmp[i] != '/' || tmp[i - 1] == '/')
                continue;
            tmp[i] = 0;
            if (mkdir(tmp, 0777) < 0 && errno != EEXIST) {
                j->res = -errno;
                return;
            }
            tmp[i] = '/';
        }
    }
    if (mkdir(j->path, (mode_t)j->mode) == 0) {
        j->res = 0;
        return;
    }
    int e = errno;
    struct stat st;
    if (e == EEXIST && (j->arg & STRIO_MKDIR_EXIST_OK) &&
        stat(j->path, &st) == 0 && S_ISDIR(st.st_mode))
        e = 0;
    j->res = -(long long)e;
}

void strio__fs_op_rmdir(strio_fsjob *j)
{
    j->res = neg_errno(rmdir(j->path));
}

void strio__fs_op_unlink(strio_fsjob *j)
{
    j->res = neg_errno(unlink(j->path));
}

/* path -> path2; arg: STRIO_RENAME_NOREPLACE */
void strio__fs_op_rename(strio_fsjob *j)
{
    if (j->arg & STRIO_RENAME_NOREPLACE)
        j->res = neg_errno(renameat2(AT_FDCWD, j->path, AT_FDCWD, j->path2,
                                     RENAME_NOREPLACE));
    else
        j->res = neg_errno(rename(j->path, j->path2));
}

/* path2 (link) -> path (target) */
void strio__fs_op_symlink(strio_fsjob *j)
{
    j->res = neg_errno(symlink(j->path, j->path2));
}

/* into buf (len bytes), NUL-terminated; res = length, -ENAMETOOLONG if
 * it may have been cut */
void strio__fs_op_readlink(strio_fsjob *j)
{
    ssize_t n = readlink(j->path, j->buf, j->len);
    if (n < 0)
        j->res = -errno;
    else if ((size_t)n >= j->len)
        j->res = -ENAMETOOLONG;
    else {
        ((char *)j->buf)[n] = 0;
        j->res = n;
    }
}

/* into buf (PATH_MAX bytes) */
void strio__fs_op_realpath(strio_fsjob *j)
{
    if (realpath(j->path, j->buf) == NULL)
        j->res = -errno;
    else
        j->res = (long long)strlen(j->buf);
}

void strio__fs_op_chmod(strio_fsjob *j)
{
    j->res = neg_errno(chmod(j->path, (mode_t)j->mode));
}

/* Packs the entries of directory `path` into buf (len bytes): type byte,
 * name, NUL. res = bytes used, res2 = entries; -ENOBUFS if they do not
 * fit. getdents64 reads into this thread's stack: no DIR, no malloc. */
void strio__fs_op_listdir(strio_fsjob *j)
{
    _Alignas(8) char dents[8192];
    int fd = open(j->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    size_t used = 0;
    long long count = 0;
    if (fd < 0) {
        j->res = -errno;
        return;
    }
    for (;;) {
        ssize_t n = getdents64(fd, dents, sizeof dents);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            j->res = -errno;
            goto out;
        }
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n;) {
            struct dirent64 *d = (struct dirent64 *)(void *)(dents + off);
            off += d->d_reclen;
            const char *name = d->d_name;
            if (name[0] == '.' &&
                (name[1] == 0 || (name[1] == '.' && name[2] == 0)))
                continue;
            size_t len = strlen(name);
            if (j->len - used < len + 2) {
                j->res = -ENOBUFS;
                goto out;
            }
            unsigned char *p = (unsigned char *)j->buf + used;
            p[0] = d->d_type;
            memcpy(p + 1, name, len + 1);
            used += len + 2;
            count++;
        }
    }
    j->res = (long long)used;
    j->res2 = count;
out:
    close(fd);
}

/* Creates the temporary file for an atomic write of `path`: path2 =
 * "DIR/.NAME.XXXXXX", mode exactly `mode`. res = fd. */
void strio__fs_op_mktemp(strio_fsjob *j)
{
    char *t = (char *)j->path2;
    const char *slash = strrchr(j->path, '/');
    size_t dirlen = slash != NULL ? (size_t)(slash - j->path) + 1 : 0;
    const char *base = j->path + dirlen;
    if (*base == 0) {
        j->res = -EISDIR;
        return;
    }
    int n = snprintf(t, PATH_MAX, "%.*s.%s.XXXXXX", (int)dirlen, j->path,
                     base);
    if (n < 0 || n >= PATH_MAX) {
        j->res = -ENAMETOOLONG;
        return;
    }
    int fd = mkostemp(t, O_CLOEXEC);
    if (fd < 0) {
        j->res = -errno;
        return;
    }
    if (fchmod(fd, (mode_t)j->mode) < 0) {
        j->res = -errno;
        close(fd);
        unlink(t);
        return;
    }
    j->res = fd;
}

/* on_abandon of mktemp: nobody will use the temporary file. */
void strio__fs_op_mktemp_undo(strio_fsjob *j)
{
    if (j->res >= 0) {
        close((int)j->res);
        unlink(j->path2);
        j->res = STRIO_ECANCELED;
    }
}

/* Atomic write, last step: rename path2 over path, then fsync the
 * directory so the rename itself is durable. arg != 0: only unlink path2
 * (the cleanup after a failure). */
void strio__fs_op_commit(strio_fsjob *j)
{
    if (j->arg) {
        j->res = neg_errno(unlink(j->path2));
        return;
    }
    if (rename(j->path2, j->path) < 0) {
        j->res = -errno;
        unlink(j->path2);
        return;
    }
    j->res = 0;
    char dir[PATH_MAX];
    const char *slash = strrchr(j->path, '/');
    if (slash == NULL) {
        dir[0] = '.';
        dir[1] = 0;
    } else if (slash == j->path) {
        dir[0] = '/';
        dir[1] = 0;
    } else {
        memcpy(dir, j->path, (size_t)(slash - j->path));
        dir[slash - j->path] = 0;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        j->res = -errno;
        return;
    }
    /* some file systems cannot sync a directory: that is not a failure
     * of the write */
    if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS)
        j->res = -errno;
    close(fd);
}

/* ---- directory iterator -------------------------------------------------------- */

void strio_dir_init(strio_dir *d, strio_workers *w, void *buf,
                    size_t bufsize)
{
    memset(d, 0, sizeof *d);
    strio__fsjob_init(&d->job);
    d->w = w;
    d->buf = buf;
    d->bufsize = bufsize;
    d->fd = -1;
}

/* path: the directory; res = fd (undo: strio__file_op_close_fd) */
void strio__dir_op_open(strio_fsjob *j)
{
    int fd = open(j->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    j->res = fd < 0 ? -errno : fd;
}

/* one getdents64 batch into buf (len bytes) */
void strio__dir_op_read(strio_fsjob *j)
{
    ssize_t n;
    do
        n = getdents64(j->fd, j->buf, j->len);
    while (n < 0 && errno == EINTR);
    j->res = n < 0 ? -errno : (long long)n;
}
