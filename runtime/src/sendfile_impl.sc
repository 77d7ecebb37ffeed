/*
 * strio_socket_sendfile (see strio/sendfile.h), in the dialect: sendfile(2)
 * where it works, pread + send otherwise, with exact progress.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/sendfile.h>
#endif

#include <strio/strio.h>
#include <strio/sendfile.h>

/*
 * One sendfile(2) without SIGPIPE: the signal is blocked on this thread
 * for the call; if the call raised it (EPIPE) and it was not pending
 * before, it is taken off again. Returns the count or -errno.
 */
static long strio__sendfile_once(int out, int in, off_t *off, size_t n)
{
#ifdef __linux__
    sigset_t pipe_set, old, pending;
    long r;
    int err, was_pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    do {
        r = (long)sendfile(out, in, off, n);
    } while (r < 0 && errno == EINTR);
    err = r < 0 ? errno : 0;
    if (err == EPIPE && !was_pending) {
        struct timespec zero = { 0, 0 };
        while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
            ;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return r < 0 ? -err : r;
#else
    (void)out;
    (void)in;
    (void)off;
    (void)n;
    return -ENOSYS;
#endif
}

static long strio__pread(int fd, void *buf, size_t n, off_t off)
{
    ssize_t r;
    do {
        r = pread(fd, buf, n, off);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : (long)r;
}

async int strio_socket_sendfile(strio_socket *s, int in_fd, off_t offset,
                                size_t count, int flags, size_t *sent)
{
    size_t done = 0;
    int use_sendfile = !(flags & STRIO_SENDFILE_NO_SENDFILE);
    int suspended = 0, run = 0, rc = 0;
    long r;
    if (sent != NULL)
        *sent = 0;
    if (strio_task_cancelled(STRIO_SELF))
        return STRIO_ECANCELED;
    if (offset < 0 || (flags & ~(STRIO_SENDFILE_NO_SENDFILE |
                                  STRIO_SENDFILE_NO_FALLBACK)) != 0)
        rc = -EINVAL;
    else if (s->fd < 0)
        rc = -EBADF;
    while (rc == 0 && done < count) {
        if (use_sendfile) {
            off_t off = offset + (off_t)done;
            r = strio__sendfile_once(s->fd, in_fd, &off, count - done);
            if ((r == -EINVAL || r == -ENOSYS) &&
                !(flags & STRIO_SENDFILE_NO_FALLBACK)) {
                use_sendfile = 0;           /* the kernel will not: copy */
                continue;
            }
            if (r == 0)
                break;                      /* end of file */
            if (r > 0) {
                done += (size_t)r;
                if (sent != NULL)
                    *sent = done;
            } else if (r != -EAGAIN) {
                rc = (int)r;
                break;
            }
        } else {
            /* The fallback: one buffer's worth, sent whole before the
             * next read; each send says how much it took. */
            unsigned char buf[STRIO_SENDFILE_BUF];
            size_t want = count - done < sizeof buf ? count - done
                                                    : sizeof buf;
            size_t have, off = 0;
            r = strio__pread(in_fd, buf, want, offset + (off_t)done);
            if (r <= 0) {
                rc = (int)r;                /* 0: end of file */
                break;
            }
            have = (size_t)r;
            while (off < have) {
                r = await strio_socket_send(s, buf + off, have - off, 0);
                suspended = 1;
                if (r < 0) {
                    rc = (int)r;
                    break;
                }
                off += (size_t)r;
                done += (size_t)r;
                if (sent != NULL)
                    *sent = done;
            }
            continue;                       /* each send was a checkpoint */
        }
        if (r == -EAGAIN) {
            run = 0;
            suspended = 1;
            rc = await strio_socket_wait_writable(s);
        } else if (++run == 8 && done < count) {
            /* a peer draining as fast as we send must not starve the
             * loop */
            run = 0;
            suspended = 1;
            rc = await strio_checkpoint();
        }
    }
    if (!suspended)
        await strio_socket_yield();
    return rc;
}
