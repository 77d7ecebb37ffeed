/*
 * strio/path.h -- asynchronous path operations (Trio's trio.Path), hosted
 * builds only (Linux: the listing uses getdents64, the no-replace rename
 * renameat2).
 *
 * Every call runs its system calls on the worker pool (strio/posix.h)
 * through a *path context*, `strio_fs`, which the caller owns: the paths
 * are copied into it, results come back through it, so a job never
 * touches the caller's memory (see strio/file.h, "Why a transfer buffer").
 * Its buffer (given at init) holds directory listings and carries whole
 * file reads and writes.
 *
 *     static STRIO_FS(fs, 16 * 1024);            // context + 16 KiB buffer
 *     STRIO_FS_SETUP(fs, &pool.workers);
 *     rc = await strio_mkdir(&fs.fs, "out/logs", 0755,
 *                            STRIO_MKDIR_PARENTS | STRIO_MKDIR_EXIST_OK);
 *     rc = await strio_write_file(&fs.fs, "out/state.json", data, len,
 *                                 0644, STRIO_WRITE_ATOMIC);
 *     struct stat st;
 *     rc = await strio_stat(&fs.fs, "out/state.json", &st);
 *     rc = await strio_fs_close(&fs.fs);
 *
 * Paths are C strings shorter than PATH_MAX (else -ENAMETOOLONG), relative
 * to the process's working directory.
 *
 * Errors are negated errno values of the underlying call (-ENOENT missing,
 * -EACCES permission denied, -EEXIST, -ENOTDIR, -EISDIR, -ENOTEMPTY,
 * -EXDEV, -ELOOP, -ENAMETOOLONG, ...), and STRIO_EBUSY (another task is
 * in a call on this context), STRIO_ECANCELED.
 *
 * Cancellation: every call is a checkpoint. A cancelled call returns
 * STRIO_ECANCELED at once; its job, if a worker had it, runs to the end
 * (the operation may or may not have happened: a cancelled unlink may
 * have unlinked) and the context's next call waits for it first. A job
 * that completed before the cancellation was seen counts as done (its
 * result is returned). read_file and write_file clean up shielded: no fd
 * stays open, and a cancelled atomic write leaves no temporary file and
 * the target untouched (or, if the rename already happened, replaced).
 *
 * Lifetime: the context must stay valid until strio_fs_close() returned
 * (it waits for an abandoned job, also when cancelled), or until
 * strio_fs_busy() is 0, or strio_workers_close() returned.
 *
 * Threads: one context serves one call at a time, on the loop's thread.
 */
#ifndef STRIO_PATH_H
#define STRIO_PATH_H

#include <limits.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <strio/async.h>
#include <strio/file.h>
#include <strio/posix.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

typedef struct strio_fs {
    strio_file file;            /* job block and buffer; read/write_file */
    unsigned char busy;         /* a task is in a call */
    char path[PATH_MAX];        /* first path of the running call */
    char path2[PATH_MAX];       /* second path, or a result path */
} strio_fs;

/* Declares a context with a buffer of `bufsize` bytes; STRIO_FS_SETUP. */
#define STRIO_FS(name, bufsize)                                           \
    struct {                                                              \
        strio_fs fs;                                                      \
        unsigned char buf[bufsize];                                       \
    } name
#define STRIO_FS_SETUP(p, workers)                                        \
    strio_fs_init(&(p).fs, (workers), (p).buf, sizeof (p).buf)

/*
 * Prepares `fs` to run on `w` with `buf` (bufsize bytes; NULL/0 is fine
 * for the calls that need no buffer: all but listdir, read_file and
 * write_file, which then give -ENOBUFS).
 */
void strio_fs_init(strio_fs *fs, strio_workers *w, void *buf, size_t bufsize);

/* Nonzero while a job of `fs` runs on a worker (an abandoned one too). */
int strio_fs_busy(strio_fs *fs);

/* Flags of strio_mkdir. */
enum {
    STRIO_MKDIR_PARENTS = 1,    /* create missing parents (mode 0777 & ~umask
                                   for them, as mkdir -p) */
    STRIO_MKDIR_EXIST_OK = 2    /* an existing directory is not an error */
};

/* Flags of strio_rename. */
enum { STRIO_RENAME_NOREPLACE = 1 };   /* -EEXIST instead of replacing */

/* Flags of strio_write_file. */
enum {
    STRIO_WRITE_ATOMIC = 1,     /* temp file in the same directory, fsync,
                                   rename over the target, fsync the dir */
    STRIO_WRITE_APPEND = 2,     /* append instead of truncating (not with
                                   ATOMIC) */
    STRIO_WRITE_EXCL = 4        /* -EEXIST if the target exists (not with
                                   ATOMIC) */
};

/* One entry of a listing (strio_dir_next). */
typedef struct strio_dir_entry {
    const char *name;           /* NUL-terminated, inside the listing */
    size_t len;                 /* strlen(name) */
    unsigned char type;         /* DT_REG, DT_DIR, DT_LNK, ... or DT_UNKNOWN */
} strio_dir_entry;

/*
 * Walks a listing made by strio_listdir: start with *pos = 0; returns 1
 * and fills *e for each entry, 0 after the last. Plain C.
 */
int strio_dir_next(const void *listing, size_t len, size_t *pos,
                   strio_dir_entry *e);

/*
 * A directory iterator, for directories whose listing need not fit in
 * memory at once: the entries come one by one from batches that
 * getdents64 reads into the iterator's buffer (`bufsize` >= 1024; a batch
 * is one job). Private fields; strio_dir_init prepares it.
 */
typedef struct strio_dir {
    strio_fsjob job;
    strio_workers *w;
    unsigned char *buf;
    size_t bufsize;
    int fd;                     /* -1 when not open */
    size_t pos, len;            /* unread part of the batch in buf */
    unsigned char busy, eof, abandoned_read;
} strio_dir;

void strio_dir_init(strio_dir *d, strio_workers *w, void *buf,
                    size_t bufsize);

/* The blocking work (path.c, worker side). */
void strio__fs_op_stat(strio_fsjob *j);
void strio__fs_op_lstat(strio_fsjob *j);
void strio__fs_op_mkdir(strio_fsjob *j);
void strio__fs_op_rmdir(strio_fsjob *j);
void strio__fs_op_unlink(strio_fsjob *j);
void strio__fs_op_rename(strio_fsjob *j);
void strio__fs_op_symlink(strio_fsjob *j);
void strio__fs_op_readlink(strio_fsjob *j);
void strio__fs_op_realpath(strio_fsjob *j);
void strio__fs_op_chmod(strio_fsjob *j);
void strio__fs_op_listdir(strio_fsjob *j);
void strio__fs_op_mktemp(strio_fsjob *j);
void strio__fs_op_mktemp_undo(strio_fsjob *j);
void strio__fs_op_commit(strio_fsjob *j);
void strio__dir_op_open(strio_fsjob *j);
void strio__dir_op_read(strio_fsjob *j);

/* Frames of the calls below (generated from runtime/src/path_impl.sc). */
#include <strio/path_impl.h>

/*
 * async int strio_stat(strio_fs *fs, const char *path, struct stat *st)
 * async int strio_lstat(strio_fs *fs, const char *path, struct stat *st)
 *
 * stat(2) / lstat(2) (a symlink itself, not its target) into *st.
 * Returns 0 or -errno.
 *
 * async int strio_exists(strio_fs *fs, const char *path)
 * async int strio_is_dir(strio_fs *fs, const char *path)
 * async int strio_is_file(strio_fs *fs, const char *path)
 *
 * 1 or 0: the path exists / is a directory / is a regular file, following
 * symlinks (a dangling symlink does not exist). -ENOENT and -ENOTDIR give
 * 0; other errors (-EACCES on a parent, -ELOOP, ...) are returned.
 */

/*
 * async int strio_mkdir(strio_fs *fs, const char *path, mode_t mode,
 *                       int flags)
 *
 * mkdir(2) with `mode` (& ~umask). STRIO_MKDIR_PARENTS creates missing
 * parents first; STRIO_MKDIR_EXIST_OK accepts an existing directory
 * (a non-directory there is still -EEXIST). Returns 0 or -errno (-EEXIST,
 * -ENOENT: a parent is missing, -ENOTDIR: a parent is not a directory,
 * -EACCES).
 *
 * async int strio_rmdir(strio_fs *fs, const char *path)
 *
 * rmdir(2): 0, -ENOTEMPTY, -ENOENT, -ENOTDIR, -EBUSY...
 *
 * async int strio_unlink(strio_fs *fs, const char *path)
 *
 * unlink(2): 0, -ENOENT, -EISDIR (a directory: use rmdir), -EACCES...
 */

/*
 * async int strio_rename(strio_fs *fs, const char *from, const char *to,
 *                        int flags)
 *
 * rename(2): atomically replaces `to` if it exists (Trio's rename and
 * replace are the same call on POSIX). STRIO_RENAME_NOREPLACE: renameat2
 * with RENAME_NOREPLACE, -EEXIST if `to` exists (-EINVAL where the file
 * system cannot do it). Returns 0 or -errno (-ENOENT, -EXDEV across file
 * systems, -ENOTEMPTY/-EEXIST onto a non-empty directory, -EISDIR...).
 */

/*
 * async int strio_symlink(strio_fs *fs, const char *target,
 *                         const char *linkpath)
 *
 * Creates `linkpath` pointing to `target` (not checked to exist).
 * 0, -EEXIST, -ENOENT...
 *
 * async long strio_readlink(strio_fs *fs, const char *path, char *out,
 *                           size_t max)
 *
 * The target of the symlink `path`, NUL-terminated in out; returns its
 * length, or -EINVAL (not a symlink), -ENOENT, or -ENAMETOOLONG if it does
 * not fit `max` bytes with its NUL (never truncated).
 *
 * async long strio_realpath(strio_fs *fs, const char *path, char *out,
 *                           size_t max)
 *
 * The absolute path with every symlink, "." and ".." resolved (the path
 * must exist), NUL-terminated in out; returns its length, or -errno, or
 * -ENAMETOOLONG if it does not fit `max`.
 *
 * async int strio_chmod(strio_fs *fs, const char *path, mode_t mode)
 *
 * chmod(2) (follows symlinks): 0, -ENOENT, -EPERM (not the owner)...
 */

/*
 * async long strio_listdir(strio_fs *fs, const char *path, void *out,
 *                          size_t max, size_t *count)
 *
 * Lists the directory `path` ("." and ".." left out, in the directory's
 * order, not sorted) into `out`, each entry as one type byte (DT_*), the
 * name and a NUL; walk it with strio_dir_next. Returns the bytes used and
 * sets *count (may be NULL) to the number of entries. -ENOBUFS when the
 * listing does not fit `max` bytes or the context's buffer (nothing is
 * dropped silently: make either larger), -ENOTDIR, -ENOENT, -EACCES...
 */

/*
 * async int strio_read_file(strio_fs *fs, const char *path, void *buf,
 *                           size_t max, size_t *len)
 *
 * The whole file into `buf` (open, read through the context's buffer,
 * close); *len (may be NULL) gets the size. -EFBIG if the file has more
 * than `max` bytes (buf holds the first max, *len == max: nothing is
 * truncated silently). Otherwise the errors of open and read (-ENOENT,
 * -EACCES, -EISDIR...), -ENOBUFS (no buffer), -ENAMETOOLONG (the path
 * does not fit the context's buffer).
 *
 * async int strio_write_file(strio_fs *fs, const char *path,
 *                            const void *data, size_t len, mode_t mode,
 *                            int flags)
 *
 * Writes `len` bytes as the file's whole content (created with `mode` &
 * ~umask if missing, else truncated; STRIO_WRITE_APPEND appends,
 * STRIO_WRITE_EXCL refuses an existing file with -EEXIST).
 * STRIO_WRITE_ATOMIC: readers see the old content or the new, never a
 * mix: the data goes to a new file ".NAME.XXXXXX" next to the target
 * (mode applied exactly, without the umask), which is fsync'ed and
 * renamed over the target, then the directory is fsync'ed. On any error or
 * cancellation the temporary file is removed and the target is untouched.
 * Returns 0 or -errno of the step that failed, -EINVAL (ATOMIC with
 * APPEND or EXCL), -ENOBUFS (no buffer).
 */

/*
 * async int strio_dir_open(strio_dir *d, const char *path)
 *
 * Opens the directory (O_DIRECTORY | O_CLOEXEC; the path is copied into
 * the buffer and must be shorter than bufsize, else -ENAMETOOLONG).
 * 0, -ENOENT, -ENOTDIR, -EACCES..., STRIO_EBUSY (already open or in use).
 * A cancelled open leaves nothing open (the worker closes the fd).
 *
 * async int strio_dir_read(strio_dir *d, strio_dir_entry *e)
 *
 * The next entry ("." and ".." skipped): 1 and *e (e->name is valid until
 * the next call on d), 0 at the end, or -errno, STRIO_ECLOSED,
 * STRIO_EBUSY, STRIO_ECANCELED. A checkpoint per call. A cancelled call
 * loses no entry: a batch an abandoned job read is handed out next.
 *
 * async int strio_dir_close(strio_dir *d)
 *
 * As strio_file_close: waits for an abandoned job (shielded), closes,
 * checkpoints; 0, -errno, or STRIO_ECANCELED (closed anyway). Idempotent.
 */

/*
 * async int strio_fs_close(strio_fs *fs)
 *
 * Waits (shielded) until no abandoned job of `fs` runs; afterwards the
 * context may be freed. Returns 0, or STRIO_ECANCELED if the scope is
 * cancelled (having waited all the same), or STRIO_EBUSY (another task is
 * in a call on `fs`; nothing waited for).
 */

#endif
