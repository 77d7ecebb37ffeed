/*
 * Pipe streams, the synchronous part (see strio/pipe.h): setup, the one-
 * attempt system calls, the error mapping and the operations table over
 * the generated operations of process_pipe_impl.sc. Hosted only.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <strio/pipe.h>

/* ---- system calls ------------------------------------------------------- */

long strio_pipe__write(strio_pipe_stream *st, const void *buf, size_t len)
{
    /* write() to a pipe without reader raises SIGPIPE, whose default
     * action kills the process, and a library must not change the
     * process-wide disposition. So SIGPIPE is blocked in this thread for
     * the call and, if the call raised it (EPIPE) and none was pending
     * before, the one it raised is consumed before unblocking. */
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    int was_pending = sigpending(&pending) == 0 &&
                      sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    ssize_t n;
    do
        n = write(st->fd, buf, len);
    while (n < 0 && errno == EINTR);
    int e = n < 0 ? errno : 0;
    if (e == EPIPE && !was_pending) {
        struct timespec zero = { 0, 0 };
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (n >= 0)
        return (long)n;
    return e == EWOULDBLOCK ? -EAGAIN : -e;
}

long strio_pipe__read(strio_pipe_stream *st, void *buf, size_t len)
{
    ssize_t n;
    do
        n = read(st->fd, buf, len);
    while (n < 0 && errno == EINTR);
    if (n >= 0)
        return (long)n;
    return errno == EWOULDBLOCK ? -EAGAIN : -errno;
}

long strio_pipe__map(strio_pipe_stream *st, long rc)
{
    if (rc >= 0 || rc < -4095)          /* counts, and strio's own codes */
        return rc;
    if (rc == -EBADF)
        return STRIO_ECLOSED;
    st->error = (int)-rc;
    return STRIO_EBROKEN;
}

void strio_pipe_stream_close_now(strio_pipe_stream *st)
{
    st->closed = 1;
    if (st->fd < 0)
        return;
    /* wake a task waiting on the fd while the fd still names it */
    if (st->waiting != NULL)
        strio_scope_cancel(st->waiting);
    int fd = st->fd;
    st->fd = -1;
    close(fd);
}

/* ---- operations table ------------------------------------------------------ */

static const unsigned char op_send_all = 1, op_wait_send = 2, op_send_eof = 3;

static strio_pipe_stream *pipestream(strio_stream *s)
{
    return (strio_pipe_stream *)(void *)s;
}

static void ps_send_all(strio_stream *s, const void *data, size_t len)
{
    strio_pipe_stream *st = pipestream(s);
    st->send_op = op_send_all;
    strio_pipe_do_send_all_start(&st->send_frame.send_all, st, data, len);
}

static void ps_wait_send(strio_stream *s)
{
    strio_pipe_stream *st = pipestream(s);
    st->send_op = op_wait_send;
    strio_pipe_do_wait_send_start(&st->send_frame.wait_send, st);
}

static void ps_send_eof(strio_stream *s)
{
    strio_pipe_stream *st = pipestream(s);
    st->send_op = op_send_eof;
    strio_pipe_do_send_eof_start(&st->send_frame.send_eof, st);
}

static int ps_send_step(strio_stream *s, strio_task *task, long *result)
{
    strio_pipe_stream *st = pipestream(s);
    int rc;
    if (st->send_op == op_send_all) {
        rc = strio_pipe_do_send_all_resume(&st->send_frame.send_all, task);
        if (rc == STRIO_DONE)
            *result = st->send_frame.send_all.strio_ret;
    } else if (st->send_op == op_wait_send) {
        rc = strio_pipe_do_wait_send_resume(&st->send_frame.wait_send, task);
        if (rc == STRIO_DONE)
            *result = st->send_frame.wait_send.strio_ret;
    } else {
        rc = strio_pipe_do_send_eof_resume(&st->send_frame.send_eof, task);
        if (rc == STRIO_DONE)
            *result = st->send_frame.send_eof.strio_ret;
    }
    return rc;
}

static void ps_receive_some(strio_stream *s, void *buf, size_t max)
{
    strio_pipe_stream *st = pipestream(s);
    strio_pipe_do_receive_some_start(&st->receive_frame, st, buf, max);
}

static int ps_receive_step(strio_stream *s, strio_task *task, long *result)
{
    strio_pipe_stream *st = pipestream(s);
    int rc = strio_pipe_do_receive_some_resume(&st->receive_frame, task);
    if (rc == STRIO_DONE)
        *result = st->receive_frame.strio_ret;
    return rc;
}

static void ps_close(strio_stream *s)
{
    strio_pipe_stream *st = pipestream(s);
    strio_pipe_do_close_start(&st->close_frame, st);
}

static int ps_close_step(strio_stream *s, strio_task *task, long *result)
{
    strio_pipe_stream *st = pipestream(s);
    int rc = strio_pipe_do_close_resume(&st->close_frame, task);
    if (rc == STRIO_DONE)
        *result = st->close_frame.strio_ret;
    return rc;
}

/* The write end offers the send side (send_eof included), the read end the
 * receive side; both close. */
static const strio_stream_ops pipe_send_ops = {
    .name = "pipe (write end)",
    .send_all = ps_send_all,
    .wait_send = ps_wait_send,
    .send_eof = ps_send_eof,
    .send_step = ps_send_step,
    .close = ps_close,
    .close_step = ps_close_step,
};

static const strio_stream_ops pipe_receive_ops = {
    .name = "pipe (read end)",
    .receive_some = ps_receive_some,
    .receive_step = ps_receive_step,
    .close = ps_close,
    .close_step = ps_close_step,
};

/* ---- setup ------------------------------------------------------------------ */

int strio_pipe_stream_init(strio_pipe_stream *st, int fd, int send_side)
{
    strio_stream_init(&st->base, send_side ? &pipe_send_ops
                                           : &pipe_receive_ops);
    st->fd = -1;
    st->send_side = send_side != 0;
    st->closed = 0;
    st->eof_sent = 0;
    st->error = 0;
    st->waiting = NULL;
    st->send_op = 0;
    if (fd < 0) {
        st->closed = 1;             /* a closed stream */
        return 0;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || (!(fl & O_NONBLOCK) &&
                   fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        int e = errno;
        close(fd);
        st->closed = 1;
        return -e;
    }
    st->fd = fd;
    return 0;
}

int strio_pipe_pair(strio_pipe_stream *w, strio_pipe_stream *r)
{
    int fd[2];
    strio_pipe_stream_init(w, -1, 1);
    strio_pipe_stream_init(r, -1, 0);
    if (pipe2(fd, O_NONBLOCK | O_CLOEXEC) < 0)
        return -errno;
    w->fd = fd[1];
    r->fd = fd[0];
    w->closed = r->closed = 0;
    return 0;
}
