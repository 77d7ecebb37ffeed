/*
 * Pipe streams, the async part (see strio/pipe.h), in the dialect. The
 * operations table and the system calls are in process_pipe.c. This
 * file's generated header carries the frames strio/pipe.h embeds; static
 * helpers are named strio_pipe__* because their frame tags are public.
 */
#include <errno.h>

#include <strio/pipe.h>
#include <strio/posix.h>
#include <strio/socket.h>

/* Waits until the fd is ready in the stream's direction. The wait runs in
 * a scope published in `waiting`, so a close from another task can wake
 * it (by cancelling that scope) before the fd goes away. */
static async int strio_pipe__wait(strio_pipe_stream *st)
{
    strio_cancel_scope sc;
    int rc;
    if (st->fd < 0)
        return STRIO_ECLOSED;
    strio_scope_enter(STRIO_SELF, &sc);
    st->waiting = &sc;
    if (st->send_side)
        rc = await strio_wait_writable(st->fd);
    else
        rc = await strio_wait_readable(st->fd);
    st->waiting = NULL;
    rc = strio_scope_exit(&sc, rc);
    /* our scope is cancelled only by close; a readiness that won the race
     * against the close still finds the stream closed */
    if (sc.cancelled_caught || st->fd < 0 || rc == -EBADF)
        return STRIO_ECLOSED;
    return rc;
}

async int strio_pipe_do_send_all(strio_pipe_stream *st, const void *data,
                                 size_t len)
{
    const unsigned char *p = data;
    int suspended = 0, run = 0, rc;
    long r;
    if (st->fd < 0)
        return STRIO_ECLOSED;
    if (strio_task_cancelled(STRIO_SELF))
        return STRIO_ECANCELED;
    if (len == 0)                       /* no system call: a checkpoint */
        return await strio_checkpoint();
    for (;;) {
        r = strio_pipe__write(st, p, len);
        if (r > 0) {
            p += r;
            len -= (size_t)r;
            if (len == 0)
                break;
            /* a reader draining as fast as we write must not starve the
             * loop: a real checkpoint every 8 writes that did not wait */
            if (++run == 8) {
                run = 0;
                suspended = 1;
                rc = await strio_checkpoint();
                if (rc < 0)
                    return rc;
                if (st->fd < 0)
                    return STRIO_ECLOSED;
            }
            continue;
        }
        if (r != -EAGAIN) {
            if (!suspended)
                await strio_socket_yield();
            return (int)strio_pipe__map(st, r);
        }
        suspended = 1;
        run = 0;
        rc = await strio_pipe__wait(st);
        if (rc < 0)
            return rc;
    }
    if (!suspended)
        await strio_socket_yield();
    return 0;
}

async int strio_pipe_do_wait_send(strio_pipe_stream *st)
{
    if (st->fd < 0)
        return STRIO_ECLOSED;
    /* POLLERR (the reader is gone) also returns 0: a send then fails at
     * once, which the contract allows */
    return await strio_pipe__wait(st);
}

async int strio_pipe_do_send_eof(strio_pipe_stream *st)
{
    int rc;
    if (st->closed)
        return STRIO_ECLOSED;
    rc = await strio_checkpoint();      /* a checkpoint first, as Trio */
    if (rc < 0)
        return rc;
    if (st->closed)
        return STRIO_ECLOSED;
    if (!st->eof_sent) {
        strio_pipe_stream_close_now(st);
        st->closed = 0;                 /* EOF sent, not closed by us */
        st->eof_sent = 1;
    }
    return 0;
}

async long strio_pipe_do_receive_some(strio_pipe_stream *st, void *buf,
                                      size_t max)
{
    long r;
    int rc;
    if (st->fd < 0)
        return STRIO_ECLOSED;
    if (strio_task_cancelled(STRIO_SELF))
        return STRIO_ECANCELED;
    r = strio_pipe__read(st, buf, max);
    if (r != -EAGAIN) {
        await strio_socket_yield();
        return strio_pipe__map(st, r);
    }
    for (;;) {
        rc = await strio_pipe__wait(st);
        if (rc < 0)
            return rc;
        r = strio_pipe__read(st, buf, max);
        if (r != -EAGAIN)
            return strio_pipe__map(st, r);
    }
}

async int strio_pipe_do_close(strio_pipe_stream *st)
{
    strio_pipe_stream_close_now(st);    /* wakes a pending operation */
    return await strio_checkpoint();
}
