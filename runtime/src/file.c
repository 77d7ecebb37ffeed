/*
 * Files, the parts that are not async code (see strio/file.h): the job
 * block and its hand-written leaf over strio_run_in_worker, the blocking
 * work each call runs on a worker thread, init and wrap. The async calls
 * are in file_impl.sc.
 *
 * The one rule that keeps an abandoned job safe: the job touches only its
 * strio_fsjob and the memory that block's owner keeps alive until the job
 * finished (the file's transfer buffer, a path context's path buffers).
 * It finishes by clearing `inflight` under the lock and signalling; after
 * that it touches nothing of the block.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <strio/error.h>
#include <strio/file.h>
#include <strio/task.h>

/* ---- the job block ------------------------------------------------------- */

void strio__fsjob_init(strio_fsjob *j)
{
    memset(j, 0, sizeof *j);
    pthread_mutex_init(&j->lock, NULL);
    pthread_cond_init(&j->cond, NULL);
    j->fd = -1;
}

int strio__fsjob_pending(strio_fsjob *j)
{
    pthread_mutex_lock(&j->lock);
    int r = j->inflight;
    pthread_mutex_unlock(&j->lock);
    return r;
}

/* Worker thread. */
static void fsjob_main(void *arg)
{
    strio_fsjob *j = arg;
    j->op(j);
    pthread_mutex_lock(&j->lock);
    if (j->abandoned && j->on_abandon != NULL)
        j->on_abandon(j);
    j->inflight = 0;
    pthread_cond_broadcast(&j->cond);
    pthread_mutex_unlock(&j->lock);
}

/* Worker thread: returns once no job of `j` runs. The abandoned job was
 * queued before this one, so it has a thread or gets one first (FIFO
 * queue): waiting here cannot deadlock the pool. */
static void fsjob_drain(void *arg)
{
    strio_fsjob *j = arg;
    pthread_mutex_lock(&j->lock);
    while (j->inflight)
        pthread_cond_wait(&j->cond, &j->lock);
    pthread_mutex_unlock(&j->lock);
}

void strio__fsjob_run_start(struct strio__fsjob_run_frame *f, strio_fsjob *j,
                            strio_workers *w, void (*op)(strio_fsjob *j),
                            void (*on_abandon)(strio_fsjob *j))
{
    f->strio_state = 0;
    f->j = j;
    f->w = w;
    f->op = op;
    f->on_abandon = on_abandon;
}

enum { RUN_START, RUN_DRAIN, RUN_JOB };

int strio__fsjob_run_resume(void *vf, strio_task *task)
{
    struct strio__fsjob_run_frame *f = vf;
    strio_fsjob *j = f->j;
    int rc;
    switch (f->strio_state) {
    case RUN_START:
        j->submitted = 0;
        if (strio__fsjob_pending(j)) {
            strio_run_in_worker_start(&f->rw, f->w, fsjob_drain, j);
            f->strio_state = RUN_DRAIN;
            goto drain;
        }
        goto submit;
    case RUN_DRAIN:
    drain:
        if (strio_run_in_worker_resume(&f->rw, task) == STRIO_PENDING)
            return STRIO_PENDING;
        /* Cancelled: the drain job (it touches only j) is abandoned. */
        if (f->rw.strio_ret < 0) {
            f->strio_ret = f->rw.strio_ret;
            return STRIO_DONE;
        }
        /* fall through */
    submit:
        if (f->op == NULL) {
            f->strio_ret = 0;
            return STRIO_DONE;
        }
        pthread_mutex_lock(&j->lock);
        j->inflight = 1;
        j->abandoned = 0;
        pthread_mutex_unlock(&j->lock);
        j->op = f->op;
        j->on_abandon = f->on_abandon;
        j->res = j->res2 = 0;
        strio_run_in_worker_start(&f->rw, f->w, fsjob_main, j);
        f->strio_state = RUN_JOB;
        /* fall through */
    case RUN_JOB:
        if (strio_run_in_worker_resume(&f->rw, task) == STRIO_PENDING)
            return STRIO_PENDING;
        rc = f->rw.strio_ret;
        if (rc == 0) {
            f->strio_ret = j->res;
            return STRIO_DONE;
        }
        if (!strio_run_in_worker_submitted(&f->rw)) {
            /* never handed over: it will not run */
            pthread_mutex_lock(&j->lock);
            j->inflight = 0;
            pthread_mutex_unlock(&j->lock);
            f->strio_ret = rc;
            return STRIO_DONE;
        }
        j->submitted = 1;
        pthread_mutex_lock(&j->lock);
        if (!j->inflight) {
            /* It finished before we saw the cancellation: done, and its
             * result stands (the next checkpoint delivers the cancel). */
            pthread_mutex_unlock(&j->lock);
            f->strio_ret = j->res;
            return STRIO_DONE;
        }
        j->abandoned = 1;
        pthread_mutex_unlock(&j->lock);
        f->strio_ret = rc;
        return STRIO_DONE;
    default:
        f->strio_ret = STRIO_ESTATE;
        return STRIO_DONE;
    }
}

/* ---- the blocking work (worker threads) ------------------------------------ */

void strio__file_op_open(strio_fsjob *j)
{
    int fd;
    do
        fd = open(j->path, j->arg | O_CLOEXEC, (mode_t)j->mode);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        j->res = -errno;
        return;
    }
    j->fd = fd;
    j->res = fd;
    /* res2: the position if seekable, else -1 */
    off_t pos = lseek(fd, 0, SEEK_CUR);
    j->res2 = pos < 0 ? -1 : (long long)pos;
}

/* on_abandon of open: nobody will ever see the fd. */
void strio__file_op_close_fd(strio_fsjob *j)
{
    if (j->res >= 0) {
        close((int)j->res);
        j->res = STRIO_ECANCELED;
        j->fd = -1;
    }
}

/* arg: seekable; off: position; buf/len: the transfer buffer. */
void strio__file_op_read(strio_fsjob *j)
{
    ssize_t n;
    do
        n = j->arg ? pread(j->fd, j->buf, j->len, (off_t)j->off)
                   : read(j->fd, j->buf, j->len);
    while (n < 0 && errno == EINTR);
    j->res = n < 0 ? -errno : (long long)n;
}

/* arg: 0 non-seekable (write), 1 seekable (pwrite at off), 2 append
 * (write, then res2 = the new end). */
void strio__file_op_write(strio_fsjob *j)
{
    ssize_t n;
    do
        n = j->arg == 1 ? pwrite(j->fd, j->buf, j->len, (off_t)j->off)
                        : write(j->fd, j->buf, j->len);
    while (n < 0 && errno == EINTR);
    j->res = n < 0 ? -errno : (long long)n;
    if (n >= 0 && j->arg == 2) {
        off_t end = lseek(j->fd, 0, SEEK_CUR);
        j->res2 = end < 0 ? -errno : (long long)end;
    }
}

/* off, arg = whence */
void strio__file_op_seek(strio_fsjob *j)
{
    off_t r = lseek(j->fd, (off_t)j->off, j->arg);
    j->res = r < 0 ? -errno : (long long)r;
}

void strio__file_op_truncate(strio_fsjob *j)
{
    int r;
    do
        r = ftruncate(j->fd, (off_t)j->off);
    while (r < 0 && errno == EINTR);
    j->res = r < 0 ? -errno : 0;
}

/* arg: data only */
void strio__file_op_sync(strio_fsjob *j)
{
    int r;
    do
        r = j->arg ? fdatasync(j->fd) : fsync(j->fd);
    while (r < 0 && errno == EINTR);
    j->res = r < 0 ? -errno : 0;
}

/* arg: owned (close), else borrowed: set its offset to `off` if >= 0.
 * close() is not retried on EINTR: on Linux the fd is gone either way. */
void strio__file_op_close(strio_fsjob *j)
{
    if (j->arg) {
        j->res = close(j->fd) < 0 && errno != EINTR ? -errno : 0;
    } else {
        j->res = 0;
        if (j->off >= 0 && lseek(j->fd, (off_t)j->off, SEEK_SET) < 0)
            j->res = -errno;
    }
    j->fd = -1;
}

/* ---- loop thread ------------------------------------------------------------- */

void strio_file_init(strio_file *f, strio_workers *w, void *buf,
                     size_t bufsize)
{
    memset(f, 0, sizeof *f);
    strio__fsjob_init(&f->job);
    f->w = w;
    f->buf = buf;
    f->bufsize = bufsize;
    f->fd = -1;
}

int strio_file_wrap(strio_file *f, int fd, int own)
{
    if (f->fd >= 0 || f->busy || strio__fsjob_pending(&f->job))
        return STRIO_EBUSY;
    int fl = fcntl(fd, F_GETFL);
    if (fd < 0 || fl < 0)
        return -EBADF;
    off_t pos = lseek(fd, 0, SEEK_CUR);
    f->fd = fd;
    f->own = own != 0;
    f->seekable = pos >= 0;
    f->append = (fl & O_APPEND) != 0;
    f->pos = pos >= 0 ? (long long)pos : 0;
    f->abandoned_read = 0;
    f->stash_off = f->stash_len = 0;
    return 0;
}

int strio_file_fd(const strio_file *f)
{
    return f->fd;
}

int strio_file_busy(strio_file *f)
{
    return strio__fsjob_pending(&f->job);
}

void strio_file_lines_init(strio_file_lines *lr, void *buf, size_t cap)
{
    lr->buf = buf;
    lr->cap = cap;
    lr->start = lr->end = lr->scanned = 0;
    lr->eof = 0;
}

void strio_file_lines_discard(strio_file_lines *lr)
{
    lr->start = lr->end = lr->scanned = 0;
}
