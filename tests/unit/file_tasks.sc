/*
 * Async code for test_file.c: scripts over strio/file.h and strio/path.h
 * that record the first failed check in their context (the C side asserts
 * on it, with the line here). Names start with ft_.
 */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/file.h>
#include <strio/path.h>

struct ft_ctx {
    strio_workers *w;
    strio_file *f, *g;
    strio_fs *fs;
    const char *dir;            /* the test's temp dir */
    int root;                   /* euid 0: permission bits do not deny */
    int fail_line;              /* first failed check (0: none) */
    const char *fail_expr;
    long long fail_val;
    /* sweeps */
    const unsigned char *content;
    size_t size;
    int cancelled_rc;
    size_t got, count;
    unsigned char out[4096];
    int in_scope_rc;
};

#define FT_CHECK(c, cond, val)                                            \
    do {                                                                  \
        if (!(cond) && (c)->fail_line == 0) {                             \
            (c)->fail_line = __LINE__;                                    \
            (c)->fail_expr = #cond;                                       \
            (c)->fail_val = (long long)(val);                             \
        }                                                                 \
    } while (0)
#define FT_EQ(c, a, b) FT_CHECK(c, (a) == (b), (a))

/* dir/name into out (PATH_MAX) */
static const char *ft_path(struct ft_ctx *c, char *out, const char *name)
{
    snprintf(out, PATH_MAX, "%s/%s", c->dir, name);
    return out;
}

/* ---- files ------------------------------------------------------------ */

async int ft_open_errors(struct ft_ctx *c)
{
    char p[PATH_MAX], q[PATH_MAX];
    char longp[600];
    char b[8];
    long n;
    int rc;
    strio_file *f = c->f;

    rc = await strio_file_open(f, ft_path(c, p, "missing"), O_RDONLY, 0);
    FT_EQ(c, rc, -ENOENT);
    FT_EQ(c, strio_file_fd(f), -1);
    rc = await strio_file_open(f, ft_path(c, p, "exists"), O_RDWR | O_CREAT | O_EXCL, 0644);
    FT_EQ(c, rc, 0);
    rc = await strio_file_close(f);
    FT_EQ(c, rc, 0);
    rc = await strio_file_open(f, ft_path(c, p, "exists"), O_RDWR | O_CREAT | O_EXCL, 0644);
    FT_EQ(c, rc, -EEXIST);
    rc = await strio_file_open(f, c->dir, O_WRONLY, 0);
    FT_EQ(c, rc, -EISDIR);
    rc = await strio_file_open(f, ft_path(c, p, "exists/x"), O_RDONLY, 0);
    FT_EQ(c, rc, -ENOTDIR);
    memset(longp, 'a', sizeof longp - 1);
    longp[sizeof longp - 1] = 0;
    rc = await strio_file_open(f, longp, O_RDONLY, 0);
    FT_EQ(c, rc, -ENAMETOOLONG);
    rc = await strio_file_open(f, NULL, O_RDONLY, 0);
    FT_EQ(c, rc, -EINVAL);

    /* permission denied: a mode-000 file denies everyone but root */
    ft_path(c, q, "secret");
    rc = await strio_file_open(f, q, O_WRONLY | O_CREAT | O_EXCL, 0);
    FT_EQ(c, rc, 0);
    rc = await strio_file_close(f);
    rc = await strio_file_open(f, q, O_RDONLY, 0);
    if (!c->root) {
        FT_EQ(c, rc, -EACCES);
    } else {
        FT_EQ(c, rc, 0);
        rc = await strio_file_close(f);
    }

    /* the wrong direction: -EBADF from the kernel */
    rc = await strio_file_open(f, ft_path(c, p, "exists"), O_RDONLY, 0);
    FT_EQ(c, rc, 0);
    rc = await strio_file_write(f, "x", 1, NULL);
    FT_EQ(c, rc, -EBADF);
    rc = await strio_file_open(f, p, O_RDONLY, 0);
    FT_EQ(c, rc, STRIO_EBUSY);                    /* already open */
    rc = await strio_file_close(f);
    FT_EQ(c, rc, 0);
    rc = await strio_file_open(f, p, O_WRONLY, 0);
    n = await strio_file_read(f, b, sizeof b);
    FT_EQ(c, n, -EBADF);
    rc = await strio_file_close(f);
    FT_EQ(c, rc, 0);

    /* closed: every call says so; close is idempotent */
    n = await strio_file_read(f, b, sizeof b);
    FT_EQ(c, n, STRIO_ECLOSED);
    rc = await strio_file_write(f, "x", 1, NULL);
    FT_EQ(c, rc, STRIO_ECLOSED);
    rc = (int)await strio_file_tell(f);
    FT_EQ(c, rc, STRIO_ECLOSED);
    rc = await strio_file_sync(f, 0);
    FT_EQ(c, rc, STRIO_ECLOSED);
    rc = await strio_file_flush(f);
    FT_EQ(c, rc, STRIO_ECLOSED);
    rc = await strio_file_close(f);
    FT_EQ(c, rc, 0);
    return 0;
}

/* f has a 64-byte buffer: larger calls run several jobs. */
async int ft_rw(struct ft_ctx *c)
{
    char p[PATH_MAX];
    unsigned char data[100], back[128];
    size_t got, wrote;
    long n;
    long long pos;
    int rc;
    strio_file *f = c->f;
    struct stat st;

    for (int i = 0; i < 100; i++)
        data[i] = (unsigned char)(i * 7 + 1);
    rc = await strio_file_open(f, ft_path(c, p, "rw"), O_RDWR | O_CREAT | O_TRUNC, 0600);
    FT_EQ(c, rc, 0);
    rc = await strio_file_write(f, data, sizeof data, &wrote);
    FT_EQ(c, rc, 0);
    FT_EQ(c, wrote, 100);
    pos = await strio_file_tell(f);
    FT_EQ(c, pos, 100);
    pos = await strio_file_seek(f, 0, SEEK_SET);
    FT_EQ(c, pos, 0);
    rc = await strio_file_read_into(f, back, 100, &got);
    FT_EQ(c, rc, 0);
    FT_EQ(c, got, 100);
    FT_EQ(c, memcmp(back, data, 100), 0);
    n = await strio_file_read(f, back, sizeof back);
    FT_EQ(c, n, 0);                               /* end of file */
    pos = await strio_file_seek(f, -90, SEEK_CUR);
    FT_EQ(c, pos, 10);
    n = await strio_file_read(f, back, 100);
    FT_EQ(c, n, 64);                              /* one job: bufsize */
    FT_EQ(c, memcmp(back, data + 10, 64), 0);
    pos = await strio_file_seek(f, -5, SEEK_END);
    FT_EQ(c, pos, 95);
    rc = await strio_file_read_into(f, back, 10, &got);
    FT_EQ(c, rc, 0);
    FT_EQ(c, got, 5);                             /* short only at EOF */
    FT_EQ(c, memcmp(back, data + 95, 5), 0);
    pos = await strio_file_seek(f, -1, SEEK_SET);
    FT_EQ(c, pos, -EINVAL);
    pos = await strio_file_tell(f);
    FT_EQ(c, pos, 100);                           /* unchanged */
    pos = await strio_file_seek(f, 0, 12345);
    FT_EQ(c, pos, -EINVAL);
    n = await strio_file_read(f, back, 0);
    FT_EQ(c, n, 0);

    /* write in the middle, past the end (a hole) */
    pos = await strio_file_seek(f, 10, SEEK_SET);
    rc = await strio_file_write(f, "ABCDEFGHIJ", 10, NULL);
    FT_EQ(c, rc, 0);
    pos = await strio_file_tell(f);
    FT_EQ(c, pos, 20);
    pos = await strio_file_seek(f, 200, SEEK_SET);
    rc = await strio_file_write(f, "Z", 1, NULL);
    FT_EQ(c, rc, 0);
    fstat(strio_file_fd(f), &st);
    FT_EQ(c, st.st_size, 201);

    rc = await strio_file_truncate(f, 50);
    FT_EQ(c, rc, 0);
    rc = await strio_file_truncate(f, -1);
    FT_EQ(c, rc, -EINVAL);
    fstat(strio_file_fd(f), &st);
    FT_EQ(c, st.st_size, 50);
    pos = await strio_file_tell(f);
    FT_EQ(c, pos, 201);                           /* truncate keeps it */
    rc = await strio_file_sync(f, 0);
    FT_EQ(c, rc, 0);
    rc = await strio_file_sync(f, 1);
    FT_EQ(c, rc, 0);
    rc = await strio_file_flush(f);
    FT_EQ(c, rc, 0);

    /* whole file with a limit: exactly fitting is fine, one less is not */
    pos = await strio_file_seek(f, 0, SEEK_SET);
    rc = await strio_file_read_all(f, back, 50, &got);
    FT_EQ(c, rc, 0);
    FT_EQ(c, got, 50);
    FT_EQ(c, memcmp(back + 10, "ABCDEFGHIJ", 10), 0);
    pos = await strio_file_seek(f, 0, SEEK_SET);
    rc = await strio_file_read_all(f, back, 49, &got);
    FT_EQ(c, rc, -EFBIG);
    FT_EQ(c, got, 49);
    pos = await strio_file_tell(f);
    FT_EQ(c, pos, 49);                            /* the peek took nothing */
    rc = await strio_file_close(f);
    FT_EQ(c, rc, 0);
    return 0;
}

async int ft_append(struct ft_ctx *c)
{
    char p[PATH_MAX], back[16];
    long long pos;
    int rc;
    size_t got;
    strio_file *f = c->f;
    int fd = open(ft_path(c, p, "log"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FT_CHECK(c, fd >= 0, fd);
    FT_EQ(c, write(fd, "xyz", 3), 3);
    close(fd);
    rc = await strio_file_open(f, p, O_RDWR | O_APPEND, 0);
    FT_EQ(c, rc, 0);
    pos = await strio_file_tell(f);
    FT_EQ(c, pos, 0);
    rc = await strio_file_write(f, "abcdefghij", 10, NULL);
    FT_EQ(c, rc, 0);
    pos = await strio_file_tell(f);
    FT_EQ(c, pos, 13);                            /* the end */
    pos = await strio_file_seek(f, 0, SEEK_SET);
    rc = await strio_file_write(f, "!", 1, NULL);   /* still at the end */
    pos = await strio_file_seek(f, 0, SEEK_SET);
    rc = await strio_file_read_into(f, back, sizeof back, &got);
    FT_EQ(c, got, 14);
    FT_EQ(c, memcmp(back, "xyzabcdefghij!", 14), 0);
    rc = await strio_file_close(f);
    FT_EQ(c, rc, 0);
    return 0;
}

/* f and g wrap the two ends of a pipe (owned). */
async int ft_pipe(struct ft_ctx *c, int rfd, int wfd)
{
    char back[128], msg[100];
    long n;
    long long pos;
    int rc;
    rc = strio_file_wrap(c->f, rfd, 1);
    FT_EQ(c, rc, 0);
    rc = strio_file_wrap(c->g, wfd, 1);
    FT_EQ(c, rc, 0);
    rc = strio_file_wrap(c->g, wfd, 1);
    FT_EQ(c, rc, STRIO_EBUSY);
    for (int i = 0; i < 100; i++)
        msg[i] = (char)('a' + i % 26);
    rc = await strio_file_write(c->g, msg, 100, NULL);
    FT_EQ(c, rc, 0);
    n = await strio_file_read(c->f, back, sizeof back);
    FT_EQ(c, n, 64);                              /* bufsize */
    n = await strio_file_read(c->f, back + 64, sizeof back - 64);
    FT_EQ(c, n, 36);
    FT_EQ(c, memcmp(back, msg, 100), 0);
    pos = await strio_file_seek(c->f, 0, SEEK_SET);
    FT_EQ(c, pos, -ESPIPE);
    pos = await strio_file_tell(c->g);
    FT_EQ(c, pos, -ESPIPE);
    rc = await strio_file_truncate(c->g, 0);
    FT_EQ(c, rc, -EINVAL);
    rc = await strio_file_close(c->g);
    FT_EQ(c, rc, 0);
    n = await strio_file_read(c->f, back, sizeof back);
    FT_EQ(c, n, 0);                               /* writer gone: EOF */
    rc = await strio_file_close(c->f);
    FT_EQ(c, rc, 0);
    return 0;
}

/* A borrowed fd stays open; its offset follows the file's position. */
async int ft_borrowed(struct ft_ctx *c, int fd)
{
    char back[8];
    long n;
    int rc = strio_file_wrap(c->f, fd, 0);
    FT_EQ(c, rc, 0);
    n = await strio_file_read(c->f, back, 3);
    FT_EQ(c, n, 3);
    rc = await strio_file_close(c->f);
    FT_EQ(c, rc, 0);
    FT_EQ(c, lseek(fd, 0, SEEK_CUR), 3);
    return 0;
}

async int ft_lines(struct ft_ctx *c, const char *path)
{
    char lb[8];
    strio_file_lines lr;
    const char *line;
    long n;
    int rc = await strio_file_open(c->f, path, O_RDONLY, 0);
    FT_EQ(c, rc, 0);
    strio_file_lines_init(&lr, lb, sizeof lb);
    n = await strio_file_read_line(c->f, &lr, &line);
    FT_EQ(c, n, 6);
    FT_EQ(c, memcmp(line, "short\n", 6), 0);
    n = await strio_file_read_line(c->f, &lr, &line);
    FT_EQ(c, n, 1);
    FT_EQ(c, line[0], '\n');
    n = await strio_file_read_line(c->f, &lr, &line);   /* 20 x's: too long */
    FT_EQ(c, n, -EMSGSIZE);
    FT_EQ(c, memcmp(line, "xxxxxxxx", 8), 0);          /* kept */
    n = await strio_file_read_line(c->f, &lr, &line);   /* still too long */
    FT_EQ(c, n, -EMSGSIZE);
    strio_file_lines_discard(&lr);
    n = await strio_file_read_line(c->f, &lr, &line);
    FT_EQ(c, n, -EMSGSIZE);
    strio_file_lines_discard(&lr);
    n = await strio_file_read_line(c->f, &lr, &line);
    FT_EQ(c, n, 5);                                     /* "xxxx\n" */
    FT_EQ(c, memcmp(line, "xxxx\n", 5), 0);
    n = await strio_file_read_line(c->f, &lr, &line);
    FT_EQ(c, n, 4);
    FT_EQ(c, memcmp(line, "end\n", 4), 0);
    n = await strio_file_read_line(c->f, &lr, &line);
    FT_EQ(c, n, 4);                                     /* no final '\n' */
    FT_EQ(c, memcmp(line, "last", 4), 0);
    n = await strio_file_read_line(c->f, &lr, &line);
    FT_EQ(c, n, 0);
    n = await strio_file_read_line(c->f, &lr, &line);
    FT_EQ(c, n, 0);
    rc = await strio_file_close(c->f);
    FT_EQ(c, rc, 0);
    return 0;
}

/* ---- one task at a time ------------------------------------------------- */

async int ft_reader(strio_file *f, void *buf, size_t max, long *out)
{
    *out = await strio_file_read(f, buf, max);
    return 0;
}

async int ft_busy(struct ft_ctx *c, strio_nursery *n, strio_pool *pool)
{
    char p[PATH_MAX];
    char b1[8], b2[8];
    long r1 = 1;
    int rc = await strio_file_open(c->f, ft_path(c, p, "busy"), O_RDWR | O_CREAT, 0600);
    FT_EQ(c, rc, 0);
    rc = await strio_file_write(c->f, "0123456789", 10, NULL);
    await strio_file_seek(c->f, 0, SEEK_SET);
    strio_nursery_open(STRIO_SELF, n);
    struct ft_reader_frame *fr = strio_pool_try_get(pool);
    FT_CHECK(c, fr != NULL, 0);
    ft_reader_start(fr, c->f, b1, sizeof b1, &r1);
    strio_nursery_start(n, pool, fr, ft_reader_resume, &fr->strio_ret);
    await strio_checkpoint();               /* the reader is in its job now */
    long r2 = await strio_file_read(c->f, b2, sizeof b2);
    FT_EQ(c, r2, STRIO_EBUSY);
    rc = await strio_file_close(c->f);
    FT_EQ(c, rc, STRIO_EBUSY);
    rc = await strio_nursery_close(n, 0);
    FT_EQ(c, rc, 0);
    FT_EQ(c, r1, 8);
    rc = await strio_file_close(c->f);
    FT_EQ(c, rc, 0);
    return 0;
}

/* ---- paths -------------------------------------------------------------- */

async int ft_paths(struct ft_ctx *c)
{
    char p[PATH_MAX], q[PATH_MAX], out[PATH_MAX], tmp[8];
    char list[512];
    unsigned char data[64];
    size_t cnt, len;
    long n;
    int rc;
    struct stat st;
    strio_fs *fs = c->fs;

    rc = await strio_mkdir(fs, ft_path(c, p, "a"), 0755, 0);
    FT_EQ(c, rc, 0);
    rc = await strio_mkdir(fs, p, 0755, 0);
    FT_EQ(c, rc, -EEXIST);
    rc = await strio_mkdir(fs, p, 0755, STRIO_MKDIR_EXIST_OK);
    FT_EQ(c, rc, 0);
    rc = await strio_mkdir(fs, ft_path(c, p, "a/b/c/"), 0700, STRIO_MKDIR_PARENTS);
    FT_EQ(c, rc, 0);
    rc = await strio_is_dir(fs, ft_path(c, p, "a/b/c"));
    FT_EQ(c, rc, 1);
    rc = await strio_stat(fs, p, &st);
    FT_EQ(c, rc, 0);
    FT_EQ(c, st.st_mode & 0777 & ~0700u, 0);
    rc = await strio_mkdir(fs, ft_path(c, p, "x/y"), 0755, 0);
    FT_EQ(c, rc, -ENOENT);

    rc = await strio_write_file(fs, ft_path(c, p, "a/f"), "data", 4, 0644, 0);
    FT_EQ(c, rc, 0);
    rc = await strio_mkdir(fs, p, 0755, STRIO_MKDIR_EXIST_OK);
    FT_EQ(c, rc, -EEXIST);                        /* a file is there */
    rc = await strio_mkdir(fs, ft_path(c, p, "a/f/g"), 0755, STRIO_MKDIR_PARENTS);
    FT_EQ(c, rc, -ENOTDIR);
    rc = await strio_is_file(fs, ft_path(c, p, "a/f"));
    FT_EQ(c, rc, 1);
    rc = await strio_is_dir(fs, p);
    FT_EQ(c, rc, 0);
    rc = await strio_is_file(fs, ft_path(c, p, "a"));
    FT_EQ(c, rc, 0);
    rc = await strio_exists(fs, ft_path(c, p, "a/f"));
    FT_EQ(c, rc, 1);
    rc = await strio_exists(fs, ft_path(c, p, "nope"));
    FT_EQ(c, rc, 0);
    rc = await strio_exists(fs, ft_path(c, p, "a/f/x"));
    FT_EQ(c, rc, 0);                              /* ENOTDIR: does not exist */
    rc = await strio_stat(fs, ft_path(c, p, "a/f"), &st);
    FT_EQ(c, rc, 0);
    FT_EQ(c, st.st_size, 4);
    rc = await strio_stat(fs, ft_path(c, p, "nope"), &st);
    FT_EQ(c, rc, -ENOENT);

    rc = await strio_rmdir(fs, ft_path(c, p, "a"));
    FT_EQ(c, rc, -ENOTEMPTY);
    rc = await strio_rmdir(fs, ft_path(c, p, "a/f"));
    FT_EQ(c, rc, -ENOTDIR);
    rc = await strio_rmdir(fs, ft_path(c, p, "nope"));
    FT_EQ(c, rc, -ENOENT);
    rc = await strio_unlink(fs, ft_path(c, p, "a/b"));
    FT_EQ(c, rc, -EISDIR);
    rc = await strio_unlink(fs, ft_path(c, p, "nope"));
    FT_EQ(c, rc, -ENOENT);
    rc = await strio_rmdir(fs, ft_path(c, p, "a/b/c"));
    FT_EQ(c, rc, 0);
    rc = await strio_exists(fs, p);
    FT_EQ(c, rc, 0);

    rc = await strio_rename(fs, ft_path(c, p, "a/f"), ft_path(c, q, "a/g"), 0);
    FT_EQ(c, rc, 0);
    rc = await strio_exists(fs, p);
    FT_EQ(c, rc, 0);
    rc = await strio_rename(fs, p, q, 0);
    FT_EQ(c, rc, -ENOENT);
    rc = await strio_write_file(fs, ft_path(c, p, "a/h"), "hh", 2, 0644, 0);
    rc = await strio_rename(fs, q, p, STRIO_RENAME_NOREPLACE);
    FT_EQ(c, rc, -EEXIST);
    rc = await strio_rename(fs, q, p, 0);        /* replace */
    FT_EQ(c, rc, 0);
    rc = await strio_read_file(fs, p, data, sizeof data, &len);
    FT_EQ(c, rc, 0);
    FT_EQ(c, len, 4);
    FT_EQ(c, memcmp(data, "data", 4), 0);
    rc = await strio_rename(fs, ft_path(c, q, "a/b"), ft_path(c, out, "a/h"), 0);
    FT_EQ(c, rc, -ENOTDIR);                       /* a dir over a file */

    rc = await strio_symlink(fs, "h", ft_path(c, q, "a/link"));
    FT_EQ(c, rc, 0);
    rc = await strio_symlink(fs, "h", q);
    FT_EQ(c, rc, -EEXIST);
    n = await strio_readlink(fs, q, out, sizeof out);
    FT_EQ(c, n, 1);
    FT_EQ(c, strcmp(out, "h"), 0);
    n = await strio_readlink(fs, q, tmp, 1);
    FT_EQ(c, n, -ENAMETOOLONG);                   /* "h" + NUL needs 2 */
    n = await strio_readlink(fs, p, out, sizeof out);
    FT_EQ(c, n, -EINVAL);                         /* not a symlink */
    rc = await strio_lstat(fs, q, &st);
    FT_EQ(c, rc, 0);
    FT_CHECK(c, S_ISLNK(st.st_mode), st.st_mode);
    rc = await strio_stat(fs, q, &st);
    FT_CHECK(c, S_ISREG(st.st_mode), st.st_mode);
    rc = await strio_symlink(fs, "nowhere", ft_path(c, q, "a/dangling"));
    rc = await strio_exists(fs, q);
    FT_EQ(c, rc, 0);
    rc = await strio_lstat(fs, q, &st);
    FT_EQ(c, rc, 0);

    n = await strio_realpath(fs, ft_path(c, q, "a/b/../link"), out, sizeof out);
    FT_CHECK(c, n > 0, n);
    FT_EQ(c, strcmp(out, ft_path(c, q, "a/h")), 0);
    n = await strio_realpath(fs, ft_path(c, q, "a/b/../link"), tmp, sizeof tmp);
    FT_EQ(c, n, -ENAMETOOLONG);
    n = await strio_realpath(fs, ft_path(c, q, "a/nope/.."), out, sizeof out);
    FT_EQ(c, n, -ENOENT);

    rc = await strio_chmod(fs, ft_path(c, p, "a/h"), 0640);
    FT_EQ(c, rc, 0);
    rc = await strio_stat(fs, p, &st);
    FT_EQ(c, st.st_mode & 07777, 0640);
    rc = await strio_chmod(fs, ft_path(c, p, "nope"), 0640);
    FT_EQ(c, rc, -ENOENT);

    /* a: b/, h, link, dangling */
    n = await strio_listdir(fs, ft_path(c, p, "a"), list, sizeof list, &cnt);
    FT_CHECK(c, n > 0, n);
    FT_EQ(c, cnt, 4);
    {
        size_t pos = 0;
        strio_dir_entry e;
        int seen = 0;
        while (strio_dir_next(list, (size_t)n, &pos, &e)) {
            if (strcmp(e.name, "b") == 0 && e.type == DT_DIR)
                seen |= 1;
            if (strcmp(e.name, "h") == 0 && e.type == DT_REG)
                seen |= 2;
            if (strcmp(e.name, "link") == 0 && e.type == DT_LNK)
                seen |= 4;
            if (strcmp(e.name, "dangling") == 0 && e.len == 8)
                seen |= 8;
        }
        FT_EQ(c, seen, 15);
    }
    n = await strio_listdir(fs, p, list, 10, &cnt);
    FT_EQ(c, n, -ENOBUFS);                        /* never cut silently */
    n = await strio_listdir(fs, ft_path(c, p, "a/h"), list, sizeof list, &cnt);
    FT_EQ(c, n, -ENOTDIR);
    n = await strio_listdir(fs, ft_path(c, p, "nope"), list, sizeof list, &cnt);
    FT_EQ(c, n, -ENOENT);

    rc = await strio_read_file(fs, ft_path(c, p, "a/h"), data, 3, &len);
    FT_EQ(c, rc, -EFBIG);
    FT_EQ(c, len, 3);
    rc = await strio_read_file(fs, ft_path(c, p, "nope"), data, sizeof data, &len);
    FT_EQ(c, rc, -ENOENT);
    rc = await strio_read_file(fs, ft_path(c, p, "a"), data, sizeof data, &len);
    FT_EQ(c, rc, -EISDIR);

    rc = await strio_write_file(fs, ft_path(c, p, "a/h"), "atomic!", 7, 0600, STRIO_WRITE_ATOMIC);
    FT_EQ(c, rc, 0);
    rc = await strio_read_file(fs, p, data, sizeof data, &len);
    FT_EQ(c, len, 7);
    FT_EQ(c, memcmp(data, "atomic!", 7), 0);
    rc = await strio_stat(fs, p, &st);
    FT_EQ(c, st.st_mode & 07777, 0600);
    n = await strio_listdir(fs, ft_path(c, q, "a"), list, sizeof list, &cnt);
    FT_EQ(c, cnt, 4);                             /* no temporary left */
    rc = await strio_write_file(fs, p, "+", 1, 0600, STRIO_WRITE_APPEND);
    FT_EQ(c, rc, 0);
    rc = await strio_read_file(fs, p, data, sizeof data, &len);
    FT_EQ(c, len, 8);
    rc = await strio_write_file(fs, p, "x", 1, 0600, STRIO_WRITE_EXCL);
    FT_EQ(c, rc, -EEXIST);
    rc = await strio_write_file(fs, p, "x", 1, 0600, STRIO_WRITE_ATOMIC | STRIO_WRITE_APPEND);
    FT_EQ(c, rc, -EINVAL);
    rc = await strio_write_file(fs, ft_path(c, p, "nodir/f"), "x", 1, 0600, STRIO_WRITE_ATOMIC);
    FT_EQ(c, rc, -ENOENT);
    rc = await strio_write_file(fs, ft_path(c, p, "a/"), "x", 1, 0600, STRIO_WRITE_ATOMIC);
    FT_EQ(c, rc, -EISDIR);

    /* permission denied: creating inside a read-only directory */
    rc = await strio_mkdir(fs, ft_path(c, p, "ro"), 0500, 0);
    FT_EQ(c, rc, 0);
    rc = await strio_mkdir(fs, ft_path(c, p, "ro/sub"), 0755, 0);
    if (!c->root)
        FT_EQ(c, rc, -EACCES);
    rc = await strio_write_file(fs, ft_path(c, p, "ro/f"), "x", 1, 0600, STRIO_WRITE_ATOMIC);
    if (!c->root)
        FT_EQ(c, rc, -EACCES);

    {
        static char longp[PATH_MAX + 10];
        memset(longp, 'a', sizeof longp - 1);
        rc = await strio_stat(fs, longp, &st);
        FT_EQ(c, rc, -ENAMETOOLONG);
    }
    rc = await strio_stat(fs, NULL, &st);
    FT_EQ(c, rc, -EINVAL);
    rc = await strio_fs_close(fs);
    FT_EQ(c, rc, 0);
    return 0;
}

/* ---- cancellation sweeps --------------------------------------------------- */

/* f is open on `content`: a multi-job read_into inside the target scope,
 * then (outside) the rest. Nothing may be lost or repeated. */
async int ft_sweep_read(struct ft_ctx *c, strio_cancel_scope **target)
{
    strio_cancel_scope sc;
    size_t rest = 0;
    int rc;
    c->got = 0;
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    rc = await strio_file_read_into(c->f, c->out, c->size, &c->got);
    *target = NULL;
    c->in_scope_rc = rc;
    strio_scope_exit(&sc, rc);
    rc = await strio_file_read_into(c->f, c->out + c->got,
                                    sizeof c->out - c->got, &rest);
    FT_EQ(c, rc, 0);
    FT_EQ(c, c->got + rest, c->size);
    FT_EQ(c, memcmp(c->out, c->content, c->size), 0);
    rc = await strio_file_close(c->f);
    FT_EQ(c, rc, 0);
    return 0;
}

/* An atomic write and a stat inside the target scope: afterwards the
 * target holds the old or the new content, and no temporary is left. */
async int ft_sweep_path(struct ft_ctx *c, strio_cancel_scope **target)
{
    strio_cancel_scope sc;
    char p[PATH_MAX];
    struct stat st;
    int rc;
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    rc = await strio_write_file(c->fs, ft_path(c, p, "target"), c->content,
                                c->size, 0644, STRIO_WRITE_ATOMIC);
    if (rc == 0)
        rc = await strio_stat(c->fs, p, &st);
    *target = NULL;
    c->in_scope_rc = rc;
    strio_scope_exit(&sc, rc);
    rc = await strio_read_file(c->fs, p, c->out, sizeof c->out, &c->got);
    FT_EQ(c, rc, 0);
    rc = await strio_listdir(c->fs, c->dir, p, sizeof p, &c->count);
    FT_CHECK(c, rc > 0, rc);
    rc = await strio_fs_close(c->fs);
    FT_EQ(c, rc, 0);
    return 0;
}

/* ---- permission denied (run as an unprivileged user) --------------------- */

/* dir holds "secret" (mode 000), "ro/" (0555) and "closed/" (000). */
async int ft_eacces(struct ft_ctx *c)
{
    char p[PATH_MAX];
    char list[64];
    unsigned char data[8];
    size_t len;
    long n;
    int rc;
    rc = await strio_file_open(c->f, ft_path(c, p, "secret"), O_RDONLY, 0);
    FT_EQ(c, rc, -EACCES);
    rc = await strio_file_open(c->f, p, O_WRONLY, 0);
    FT_EQ(c, rc, -EACCES);
    rc = await strio_read_file(c->fs, p, data, sizeof data, &len);
    FT_EQ(c, rc, -EACCES);
    rc = await strio_mkdir(c->fs, ft_path(c, p, "ro/sub"), 0755, 0);
    FT_EQ(c, rc, -EACCES);
    rc = await strio_write_file(c->fs, ft_path(c, p, "ro/f"), "x", 1, 0600, 0);
    FT_EQ(c, rc, -EACCES);
    rc = await strio_write_file(c->fs, p, "x", 1, 0600, STRIO_WRITE_ATOMIC);
    FT_EQ(c, rc, -EACCES);
    n = await strio_listdir(c->fs, ft_path(c, p, "closed"), list, sizeof list, &len);
    FT_EQ(c, n, -EACCES);
    rc = await strio_exists(c->fs, ft_path(c, p, "closed/x"));
    FT_EQ(c, rc, -EACCES);                        /* not "does not exist" */
    rc = await strio_chmod(c->fs, ft_path(c, p, "secret"), 0644);
    FT_EQ(c, rc, -EPERM);                         /* not the owner */
    rc = await strio_fs_close(c->fs);
    FT_EQ(c, rc, 0);
    return 0;
}

/* Open and read every line inside the target scope; then (outside) the
 * lines that are left. Every line comes exactly once, in order; an
 * abandoned open leaves no fd behind (the C side counts them). */
async int ft_sweep_lines(struct ft_ctx *c, const char *path,
                         strio_cancel_scope **target)
{
    strio_cancel_scope sc;
    static char lb[32];
    strio_file_lines lr;
    const char *line;
    long n = 0;
    int rc;
    size_t at = 0;
    strio_file_lines_init(&lr, lb, sizeof lb);
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    rc = await strio_file_open(c->f, path, O_RDONLY, 0);
    /* (not `rc == 0 && (n = await ...) > 0`: the generator's lowering of
     * that gives clang's -Wparentheses-equality an `if ((rc == 0))`) */
    while (rc == 0) {
        n = await strio_file_read_line(c->f, &lr, &line);
        if (n <= 0)
            break;
        FT_CHECK(c, at + (size_t)n <= c->size, n);
        if (at + (size_t)n <= c->size)
            FT_EQ(c, memcmp(line, c->content + at, (size_t)n), 0);
        at += (size_t)n;
    }
    *target = NULL;
    c->in_scope_rc = rc < 0 ? rc : (int)n;
    strio_scope_exit(&sc, rc);
    c->got = at;
    if (strio_file_fd(c->f) < 0) {
        FT_CHECK(c, rc < 0 && at == 0, rc);     /* the open was cancelled */
        return 0;
    }
    while ((n = await strio_file_read_line(c->f, &lr, &line)) > 0) {
        FT_CHECK(c, at + (size_t)n <= c->size, n);
        if (at + (size_t)n <= c->size)
            FT_EQ(c, memcmp(line, c->content + at, (size_t)n), 0);
        at += (size_t)n;
    }
    FT_EQ(c, n, 0);
    FT_EQ(c, at, c->size);
    rc = await strio_file_close(c->f);
    FT_EQ(c, rc, 0);
    return 0;
}

/* write (several jobs) inside the target scope; then the documented
 * recovery: seek to what *written says and write the rest. The file must
 * end up exactly the content. */
async int ft_sweep_write(struct ft_ctx *c, strio_cancel_scope **target)
{
    strio_cancel_scope sc;
    size_t written = 0;
    long long pos;
    int rc;
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    rc = await strio_file_write(c->f, c->content, c->size, &written);
    *target = NULL;
    c->in_scope_rc = rc;
    strio_scope_exit(&sc, rc);
    c->got = written;
    pos = await strio_file_tell(c->f);
    FT_EQ(c, pos, (long long)written);          /* moved past those only */
    rc = await strio_file_write(c->f, c->content + written,
                                c->size - written, NULL);
    FT_EQ(c, rc, 0);
    pos = await strio_file_seek(c->f, 0, SEEK_SET);
    rc = await strio_file_read_all(c->f, c->out, sizeof c->out, &written);
    FT_EQ(c, rc, 0);
    FT_EQ(c, written, c->size);
    FT_EQ(c, memcmp(c->out, c->content, c->size), 0);
    rc = await strio_file_close(c->f);
    FT_EQ(c, rc, 0);
    return 0;
}

/* ---- directory iterator ------------------------------------------------------ */

/* Marks entry "fNNN" in seen[]; counts repeats and strangers as errors. */
static void ft_mark(struct ft_ctx *c, const strio_dir_entry *e)
{
    int i;
    if (sscanf(e->name, "f%d", &i) == 1 && i >= 0 && i < (int)c->size &&
        e->type == DT_REG && !c->out[i])
        c->out[i] = 1;
    else
        c->count++;
}

/* dir holds c->size files f0..f(size-1); `target` NULL: no sweep. Reads
 * inside the target scope, then the rest outside: each entry once. */
async int ft_iterate(struct ft_ctx *c, strio_dir *d, const char *path,
                     strio_cancel_scope **target)
{
    strio_cancel_scope sc;
    strio_dir_entry e;
    int rc;
    c->got = 0;
    c->count = 0;
    memset(c->out, 0, sizeof c->out);
    strio_scope_enter(STRIO_SELF, &sc);
    if (target != NULL)
        *target = &sc;
    rc = await strio_dir_open(d, path);
    while (rc == 0) {
        rc = await strio_dir_read(d, &e);
        if (rc != 1)
            break;
        ft_mark(c, &e);
        c->got++;
        rc = 0;
    }
    if (target != NULL)
        *target = NULL;
    c->in_scope_rc = rc;
    strio_scope_exit(&sc, rc);
    if (d->fd < 0) {
        FT_CHECK(c, rc < 0 && c->got == 0, rc);   /* open was cancelled */
        return 0;
    }
    while ((rc = await strio_dir_read(d, &e)) == 1) {
        ft_mark(c, &e);
        c->got++;
    }
    FT_EQ(c, rc, 0);
    FT_EQ(c, c->got, c->size);
    FT_EQ(c, c->count, 0);
    rc = await strio_dir_read(d, &e);
    FT_EQ(c, rc, 0);                               /* stays at the end */
    rc = await strio_dir_close(d);
    FT_EQ(c, rc, 0);
    rc = await strio_dir_read(d, &e);
    FT_EQ(c, rc, STRIO_ECLOSED);
    rc = await strio_dir_close(d);
    FT_EQ(c, rc, 0);
    return 0;
}

async int ft_dir_errors(struct ft_ctx *c, strio_dir *d)
{
    char p[PATH_MAX];
    int rc = await strio_dir_open(d, ft_path(c, p, "nope"));
    FT_EQ(c, rc, -ENOENT);
    rc = await strio_dir_open(d, ft_path(c, p, "d/f0"));
    FT_EQ(c, rc, -ENOTDIR);
    rc = await strio_dir_open(d, ft_path(c, p, "d"));
    FT_EQ(c, rc, 0);
    rc = await strio_dir_open(d, p);
    FT_EQ(c, rc, STRIO_EBUSY);
    rc = await strio_dir_close(d);
    FT_EQ(c, rc, 0);
    return 0;
}
