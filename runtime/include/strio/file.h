/*
 * strio/file.h -- asynchronous files (Trio's trio.open_file / wrap_file),
 * hosted builds only.
 *
 * Disk I/O has no readiness to wait for, so every blocking call (open,
 * read, write, ftruncate, fsync, close, ...) runs on the worker pool
 * (strio/posix.h) while the calling task is suspended. Everything is
 * caller memory: a `strio_file` and its *transfer buffer*, given at init.
 *
 *     static STRIO_FILE(log, 64 * 1024);         // a file + 64 KiB buffer
 *     STRIO_FILE_SETUP(log, &pool.workers);
 *     int rc = await strio_file_open(&log.file, "/var/log/app.log",
 *                                    O_WRONLY | O_CREAT | O_APPEND, 0644);
 *     rc = await strio_file_write(&log.file, msg, len, NULL);   // all of it
 *     rc = await strio_file_close(&log.file);
 *
 * Opening: POSIX open(2) flags and mode (O_RDONLY, O_WRONLY | O_CREAT |
 * O_TRUNC, ...), not an fopen() mode string: the flags say exactly what
 * happens (O_EXCL, O_NOFOLLOW, O_DIRECTORY, O_SYNC...) and need no parsing.
 * O_CLOEXEC is always added. strio_file_wrap() adopts an fd opened
 * elsewhere (owned or borrowed; its close-on-exec flag is left alone).
 *
 * Why a transfer buffer. A worker thread cannot be stopped in the middle
 * of read(2). If the job read straight into the caller's buffer, a
 * cancelled caller whose frame is gone would have the kernel write into
 * memory it no longer owns. So the job only ever touches the strio_file
 * and its buffer: reads land there and are copied to the caller's buffer
 * by the loop thread when the job completed; writes are copied there
 * before the job starts. One job moves at most `bufsize` bytes; larger
 * requests run several jobs (read_into, write, read_all). The price is one
 * memcpy per byte (see `make bench`).
 *
 * Position. A seekable file (regular file, block device: lseek works) is
 * read and written with pread/pwrite at a position the strio_file keeps
 * (`strio_file_tell`), so an abandoned job can never move the position
 * behind the caller's back. The kernel's file offset of an owned fd is
 * not used; a borrowed fd's offset is set to the position when the
 * strio_file is closed. With O_APPEND, writes use write(2) (the kernel
 * appends) and the position becomes the end of the file after each write.
 * A non-seekable fd (pipe, FIFO, terminal, character device) is read and
 * written with read/write; seek and tell give -ESPIPE.
 *
 * Cancellation. Every call is a checkpoint. A cancelled call returns
 * STRIO_ECANCELED at once; a job already handed to a worker keeps running
 * (it is *abandoned*) and the next call on the file first waits for it.
 * What a cancelled call did:
 *   - read: on a seekable file nothing: the position did not move, the
 *     next read returns the same bytes. On a non-seekable fd the bytes the
 *     abandoned read got are kept in the buffer and returned first by the
 *     next read: nothing is lost either way.
 *   - write: the abandoned chunk may or may not have been written (fully
 *     or in part) at the position, which did not move past it; `*written`
 *     counts only the chunks known to be written. Rewrite from there, or
 *     truncate.
 *   - open: the fd an abandoned open produces is closed by the worker.
 *   - truncate, sync: may or may not have happened.
 * A job that completed before the cancellation was seen counts as done:
 * the call returns its result (a completed operation is never reported
 * as cancelled; the next checkpoint delivers the cancellation).
 *
 * Lifetime: the strio_file and its buffer must stay valid (and must not
 * move) until strio_file_close() returned, which waits for an abandoned
 * job even inside a cancelled scope and always closes. Memory passed to a
 * call (data, buffers, paths) is only used until that call returns.
 *
 * Threads: one strio_file serves one task at a time on the loop's thread;
 * a second concurrent call gets STRIO_EBUSY at once.
 */
#ifndef STRIO_FILE_H
#define STRIO_FILE_H

#include <pthread.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <strio/async.h>
#include <strio/cancel.h>
#include <strio/posix.h>

/* ======================================================================== */
/* The job block shared with the worker thread (private; strio/path.h uses */
/* it too)                                                                 */
/* ======================================================================== */

typedef struct strio_fsjob strio_fsjob;

/*
 * The one job of a file (or path context) that may be on a worker thread.
 * The worker touches nothing else. `inflight` and `abandoned` are guarded
 * by `lock`; the rest is written by the loop thread only while no job is
 * in flight, and by the job while it is.
 */
struct strio_fsjob {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int inflight;                       /* a job was submitted, not done */
    int abandoned;                      /* its waiter left (cancelled) */
    void (*op)(strio_fsjob *j);         /* the blocking work */
    void (*on_abandon)(strio_fsjob *j); /* undo on the worker when the
                                           waiter left (may be NULL) */
    /* inputs and results of `op` */
    int fd;
    int arg;
    unsigned mode;
    long long off;
    void *buf;
    size_t len;
    const char *path, *path2;
    long long res, res2;                /* >= 0, or -errno */
    struct stat st;
    /* loop thread */
    unsigned char submitted;            /* the last run handed a job over */
};

void strio__fsjob_init(strio_fsjob *j);

/* Nonzero while a job is on a worker (also an abandoned one). Any thread. */
int strio__fsjob_pending(strio_fsjob *j);

/*
 * async long long strio__fsjob_run(strio_fsjob *j, strio_workers *w,
 *                                  void (*op)(strio_fsjob *),
 *                                  void (*on_abandon)(strio_fsjob *))
 *
 * Waits for an abandoned job of `j` first (on the pool: a drain job that
 * only touches `j`), then with op != NULL runs op(j) on the pool and
 * returns j->res. op == NULL only waits (0, without suspending when
 * nothing is pending). STRIO_ECANCELED: the job was abandoned (it runs on,
 * then calls on_abandon under j's lock); or the pool's errors.
 */
STRIO_ASYNC_DECL(long long strio__fsjob_run(strio_fsjob *j, strio_workers *w, void (*op)(strio_fsjob *j), void (*on_abandon)(strio_fsjob *j)))
struct strio__fsjob_run_frame {
    unsigned short strio_state;
    long long strio_ret;
    strio_fsjob *j;
    strio_workers *w;
    void (*op)(strio_fsjob *j);
    void (*on_abandon)(strio_fsjob *j);
    struct strio_run_in_worker_frame rw;
};
void strio__fsjob_run_start(struct strio__fsjob_run_frame *f, strio_fsjob *j,
                            strio_workers *w, void (*op)(strio_fsjob *j),
                            void (*on_abandon)(strio_fsjob *j));
int strio__fsjob_run_resume(void *f, strio_task *task);

/* The blocking work of the file calls (file.c, worker side). */
void strio__file_op_open(strio_fsjob *j);
void strio__file_op_close_fd(strio_fsjob *j);  /* on_abandon of open */
void strio__file_op_read(strio_fsjob *j);
void strio__file_op_write(strio_fsjob *j);
void strio__file_op_seek(strio_fsjob *j);
void strio__file_op_truncate(strio_fsjob *j);
void strio__file_op_sync(strio_fsjob *j);
void strio__file_op_close(strio_fsjob *j);

/* ======================================================================== */
/* Files                                                                    */
/* ======================================================================== */

typedef struct strio_file {
    strio_fsjob job;
    strio_workers *w;
    unsigned char *buf;         /* transfer buffer (see above) */
    size_t bufsize;
    int fd;                     /* -1 when not open */
    unsigned char own;          /* close the fd in strio_file_close */
    unsigned char seekable;     /* pread/pwrite at `pos` */
    unsigned char append;       /* O_APPEND */
    unsigned char busy;         /* a task is in a call */
    unsigned char abandoned_read;   /* non-seekable: an abandoned read's
                                       bytes will be in buf */
    long long pos;              /* seekable: the position */
    size_t stash_off, stash_len;    /* non-seekable: bytes of an abandoned
                                       read still to hand out */
} strio_file;

/* Declares a file with a transfer buffer of `bufsize` bytes;
 * STRIO_FILE_SETUP(name, workers) initializes it. */
#define STRIO_FILE(name, bufsize)                                         \
    struct {                                                              \
        strio_file file;                                                  \
        unsigned char buf[bufsize];                                       \
    } name
#define STRIO_FILE_SETUP(p, workers)                                      \
    strio_file_init(&(p).file, (workers), (p).buf, sizeof (p).buf)

/*
 * Prepares `f` (not open) to run its jobs on `w`, moving at most `bufsize`
 * (>= 1) bytes per job through `buf`. A larger buffer means fewer worker
 * round trips (a 4 KB job costs the two thread hand-offs per 4 KB; `make
 * bench` compares 4 KB, 64 KB and 1 MB with plain read()). Also the
 * longest path strio_file_open accepts is bufsize - 1. Re-initializing a
 * closed file is allowed.
 */
void strio_file_init(strio_file *f, strio_workers *w, void *buf,
                     size_t bufsize);

/*
 * Adopts `fd` (open, any kind): own != 0 means strio_file_close() closes
 * it, own == 0 means it is borrowed (close only sets its offset, see
 * above). Loop thread, no blocking call (lseek, fcntl). Returns 0,
 * -EBADF (fd not open), STRIO_EBUSY (f is already open or in use).
 */
int strio_file_wrap(strio_file *f, int fd, int own);

/* The fd, or -1 when not open. */
int strio_file_fd(const strio_file *f);

/* Nonzero while a job of `f` runs on a worker (an abandoned one too). */
int strio_file_busy(strio_file *f);

/*
 * A line reader: the bytes read from the file but not yet handed out, in
 * a caller buffer of `cap` bytes, which bounds the longest line. Private
 * fields; initialize with strio_file_lines_init.
 */
typedef struct strio_file_lines {
    char *buf;
    size_t cap;
    size_t start, end;          /* unread bytes: buf[start..end) */
    size_t scanned;             /* buf[start..scanned) holds no '\n' */
    int eof;
} strio_file_lines;

/* The frames of the calls below (generated from runtime/src/file_impl.sc). */
#include <strio/file_impl.h>

/*
 * async int strio_file_open(strio_file *f, const char *path, int flags,
 *                           mode_t mode)
 *
 * open(path, flags | O_CLOEXEC, mode) on the pool. `path` is copied into
 * the transfer buffer: it must be shorter than bufsize. Returns 0 or
 *   -errno of open(2)   -ENOENT (missing, no O_CREAT), -EACCES, -EEXIST
 *                       (O_CREAT | O_EXCL), -EISDIR, -ENOTDIR, -ELOOP...
 *   -ENAMETOOLONG       path does not fit the transfer buffer
 *   -EINVAL             path NULL
 *   STRIO_EBUSY         f is already open, or in use by another task
 *   STRIO_ECANCELED     nothing is open (an abandoned open's fd is closed
 *                       by the worker)
 */

/*
 * async long strio_file_read(strio_file *f, void *buf, size_t max)
 *
 * One read(2) (pread on a seekable file) of up to min(max, bufsize) bytes
 * into `buf`. Returns the number of bytes (0: end of file; fewer than
 * asked is normal), or -errno (-EBADF: not open for reading, -EISDIR,
 * -EIO...), STRIO_ECLOSED (not open), STRIO_EBUSY, STRIO_ECANCELED.
 * max == 0 returns 0 after a checkpoint.
 */

/*
 * async int strio_file_read_into(strio_file *f, void *buf, size_t len,
 *                                size_t *got)
 *
 * Reads until `len` bytes are in `buf` or the file ends (several jobs
 * when len > bufsize). *got (got may be NULL) is the number of bytes
 * stored, also on error or cancellation (those bytes are consumed).
 * Returns 0 (*got < len only at end of file) or the errors of
 * strio_file_read.
 */

/*
 * async int strio_file_write(strio_file *f, const void *data, size_t len,
 *                            size_t *written)
 *
 * Writes all `len` bytes (write-all semantics: loops over short writes,
 * bufsize bytes per job) at the position (or the end, with O_APPEND) and
 * moves the position past them. *written (may be NULL) counts the bytes
 * known to be written, also on error or cancellation. Returns 0, or
 * -errno (-EBADF: not open for writing, -ENOSPC, -EFBIG, -EPIPE...),
 * STRIO_ECLOSED, STRIO_EBUSY, STRIO_ECANCELED.
 */

/*
 * async long long strio_file_seek(strio_file *f, long long offset,
 *                                 int whence)
 *
 * Moves the position: SEEK_SET, SEEK_CUR (computed on the loop thread),
 * SEEK_END, SEEK_DATA, SEEK_HOLE (lseek(2) on the pool). Returns the new
 * position, or -EINVAL (negative result, bad whence), -EOVERFLOW, -ENXIO
 * (SEEK_DATA/HOLE past the end), -ESPIPE (not seekable), STRIO_ECLOSED,
 * STRIO_EBUSY, STRIO_ECANCELED (position unchanged).
 *
 * async long long strio_file_tell(strio_file *f)
 *
 * The position (a checkpoint), or -ESPIPE, STRIO_ECLOSED, STRIO_EBUSY,
 * STRIO_ECANCELED.
 */

/*
 * async int strio_file_flush(strio_file *f)
 *
 * There is no user-space write buffer: every write has been handed to the
 * kernel when strio_file_write returns. Flush therefore only waits until
 * no abandoned job of `f` runs any more (after it, the file's content and
 * position are final), then checkpoints. It does NOT make data durable:
 * that is strio_file_sync. Returns 0, STRIO_ECLOSED, STRIO_EBUSY,
 * STRIO_ECANCELED.
 */

/*
 * async int strio_file_truncate(strio_file *f, long long length)
 *
 * ftruncate(2) to `length` (the position does not move). Returns 0 or
 * -errno (-EINVAL: negative length or not open for writing, -EFBIG...),
 * STRIO_ECLOSED, STRIO_EBUSY, STRIO_ECANCELED.
 *
 * async int strio_file_sync(strio_file *f, int data_only)
 *
 * fsync(2), or fdatasync(2) when data_only (metadata such as the mtime
 * may stay behind). Returns 0 or -errno (-EIO, -EINVAL for an fd that
 * cannot be synced), STRIO_ECLOSED, STRIO_EBUSY, STRIO_ECANCELED.
 */

/*
 * async int strio_file_close(strio_file *f)
 *
 * Waits for an abandoned job (shielded: also inside a cancelled scope),
 * then closes an owned fd on the pool (a borrowed one gets its offset set
 * to the position and stays open), then checkpoints. Always closes: the
 * result is 0, -errno of close(2) (-EIO: a write error reported late),
 * or STRIO_ECANCELED when the scope is cancelled (closed all the same).
 * After it returns the strio_file may be freed. Closing a file that is
 * not open returns 0 after a checkpoint (idempotent). STRIO_EBUSY while
 * another task is in a call on `f` (nothing closed).
 */

/*
 * async int strio_file_read_all(strio_file *f, void *buf, size_t max,
 *                               size_t *len)
 *
 * Reads from the position to the end of the file into `buf`. *len (may be
 * NULL) gets the size. A file with more than `max` bytes is an error, not
 * a silent truncation: -EFBIG, with the first `max` bytes in buf and
 * *len == max. Otherwise the errors of strio_file_read_into.
 */

/* ---- lines ------------------------------------------------------------- */

void strio_file_lines_init(strio_file_lines *lr, void *buf, size_t cap);

/*
 * Drops the bytes of an over-long line kept after -EMSGSIZE (the rest of
 * that line then comes as the next line).
 */
void strio_file_lines_discard(strio_file_lines *lr);

/*
 * async long strio_file_read_line(strio_file *f, strio_file_lines *lr,
 *                                 const char **line)
 *
 * The next line: *line points to it inside lr's buffer (valid until the
 * next call on lr), the result is its length including the '\n'. The last
 * line of a file without a final '\n' comes without it; 0 means end of
 * file. A line longer than `cap` bytes: -EMSGSIZE, every byte kept (the
 * first cap bytes of the line are at *line, cap long; see
 * strio_file_lines_discard). Otherwise the errors of strio_file_read;
 * a cancelled call loses nothing (the unread bytes stay in lr).
 */

#endif
