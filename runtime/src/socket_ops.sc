/*
 * Low-level sockets, the async part (see strio/socket.h), in the dialect.
 *
 * Every call follows Trio's _nonblocking_helper: cancelled at entry ->
 * STRIO_ECANCELED having done nothing; otherwise one attempt of the system
 * call; if it completed (success or error) a shielded yield, so the call
 * is a checkpoint and a completed operation is never reported cancelled;
 * if it would block, wait for readiness and retry until it completes.
 * The system calls themselves are in socket.c (strio_socket__try).
 *
 * The waits register their cancel scope in the socket, so that
 * strio_socket_close() from another task wakes them (-EBADF) before the
 * fd is closed.
 *
 * This file's generated header carries the frames strio/socket.h
 * includes; static helpers are named strio_socket__* because their frame
 * tags are public there.
 */
#include <errno.h>

#include <strio/posix.h>
#include <strio/socket.h>

/* Waits until `s` is readable (dir 0) or writable (dir 1). */
static async int strio_socket__wait(strio_socket *s, int dir)
{
    strio_cancel_scope sc;
    int rc;
    if (s->fd < 0)
        return -EBADF;
    if (s->waiting[dir] != NULL)
        return STRIO_EBUSY;
    strio_scope_enter(STRIO_SELF, &sc);
    s->waiting[dir] = &sc;
    if (dir == 0)
        rc = await strio_wait_readable(s->fd);
    else
        rc = await strio_wait_writable(s->fd);
    s->waiting[dir] = NULL;
    rc = strio_scope_exit(&sc, rc);
    /* our scope is cancelled only by close/detach; a readiness that won
     * the race against the close still finds the socket closed */
    if (sc.cancelled_caught || s->fd < 0)
        return -EBADF;
    return rc;
}

/* Runs `c` on `s` until it completes: try first, wait only on EAGAIN. */
static async long strio_socket__io(strio_socket *s, int dir,
                                   strio_socket_call *c)
{
    long r;
    if (strio_task_cancelled(STRIO_SELF))
        return STRIO_ECANCELED;
    r = strio_socket__try(s, c);
    if (r != -EAGAIN) {
        await strio_socket_yield();
        return r;
    }
    for (;;) {
        int rc = await strio_socket__wait(s, dir);
        if (rc < 0)
            return rc;
        r = strio_socket__try(s, c);
        if (r != -EAGAIN)
            return r;
    }
}

async int strio_socket_wait_readable(strio_socket *s)
{
    return await strio_socket__wait(s, 0);
}

async int strio_socket_wait_writable(strio_socket *s)
{
    return await strio_socket__wait(s, 1);
}

async int strio_socket_connect(strio_socket *s, const strio_sockaddr *addr)
{
    int rc;
    if (strio_task_cancelled(STRIO_SELF)) {
        strio_socket_close(s);
        return STRIO_ECANCELED;
    }
    rc = strio_socket__connect_start(s, addr);
    if (rc <= 0) {
        await strio_socket_yield();
        return rc;
    }
    rc = await strio_socket__wait(s, 1);
    if (rc == STRIO_ECANCELED) {
        /* the attempt goes on in the kernel, in an unknown state */
        strio_socket_close(s);
        return rc;
    }
    if (rc < 0)
        return rc;
    return strio_socket__connect_result(s);
}

async int strio_socket_accept(strio_socket *s, strio_socket *into,
                              strio_sockaddr *peer)
{
    strio_socket_call c = { .op = STRIO_SOCKET_OP_ACCEPT, .u.into = into,
                            .a.addr = peer };
    return (int)await strio_socket__io(s, 0, &c);
}

async long strio_socket_recv(strio_socket *s, void *buf, size_t len,
                             int flags)
{
    strio_socket_call c = { .op = STRIO_SOCKET_OP_RECV, .u.buf = buf,
                            .len = len, .flags = flags };
    return await strio_socket__io(s, 0, &c);
}

async long strio_socket_recv_into(strio_socket *s, void *buf, size_t len,
                                  int flags)
{
    return await strio_socket_recv(s, buf, len, flags);
}

async long strio_socket_recvfrom(strio_socket *s, void *buf, size_t len,
                                 int flags, strio_sockaddr *from)
{
    strio_socket_call c = { .op = STRIO_SOCKET_OP_RECVFROM, .u.buf = buf,
                            .len = len, .flags = flags, .a.addr = from };
    return await strio_socket__io(s, 0, &c);
}

async long strio_socket_recvmsg(strio_socket *s, struct msghdr *msg,
                                int flags)
{
    strio_socket_call c = { .op = STRIO_SOCKET_OP_RECVMSG, .u.msg = msg,
                            .flags = flags };
    return await strio_socket__io(s, 0, &c);
}

async long strio_socket_recvfrom_into(strio_socket *s, void *buf, size_t len,
                                      int flags, strio_sockaddr *from)
{
    return await strio_socket_recvfrom(s, buf, len, flags, from);
}

async long strio_socket_recvmsg_into(strio_socket *s, struct msghdr *msg,
                                     int flags)
{
    return await strio_socket_recvmsg(s, msg, flags);
}

async long strio_socket_send(strio_socket *s, const void *buf, size_t len,
                             int flags)
{
    strio_socket_call c = { .op = STRIO_SOCKET_OP_SEND, .u.cbuf = buf,
                            .len = len, .flags = flags };
    return await strio_socket__io(s, 1, &c);
}

async long strio_socket_sendto(strio_socket *s, const void *buf, size_t len,
                               int flags, const strio_sockaddr *to)
{
    strio_socket_call c = { .op = STRIO_SOCKET_OP_SENDTO, .u.cbuf = buf,
                            .len = len, .flags = flags, .a.to = to };
    return await strio_socket__io(s, 1, &c);
}

async long strio_socket_sendmsg(strio_socket *s, const struct msghdr *msg,
                                int flags)
{
    strio_socket_call c = { .op = STRIO_SOCKET_OP_SENDMSG, .u.cmsg = msg,
                            .flags = flags };
    return await strio_socket__io(s, 1, &c);
}

/*
 * Sends until everything is out: send() again right after a partial send
 * (usually EAGAIN then, the buffer being full), wait for writability only
 * on EAGAIN. One checkpoint covers the call: cancellation is checked at
 * entry and while waiting, plus a real checkpoint every 8 sends that did
 * not wait (a peer draining as fast as we send must not starve the loop);
 * a call that never waited yields once at the end.
 */
async int strio_socket_sendall(strio_socket *s, const void *buf, size_t len,
                               int flags)
{
    strio_socket_call c = { .op = STRIO_SOCKET_OP_SEND, .u.cbuf = buf,
                            .len = len, .flags = flags };
    int suspended = 0, run = 0, rc;
    long r;
    if (strio_task_cancelled(STRIO_SELF))
        return STRIO_ECANCELED;
    for (;;) {
        r = strio_socket__try(s, &c);
        if (r > 0 || (r == 0 && c.len == 0)) {
            c.u.cbuf = (const unsigned char *)c.u.cbuf + r;
            c.len -= (size_t)r;
            if (c.len == 0)
                break;
            if (++run == 8) {
                run = 0;
                suspended = 1;
                rc = await strio_checkpoint();
                if (rc < 0)
                    return rc;
            }
            continue;
        }
        if (r < 0 && r != -EAGAIN) {
            if (!suspended)
                await strio_socket_yield();
            return (int)r;
        }
        /* EAGAIN (or a send that took nothing): wait */
        run = 0;
        suspended = 1;
        rc = await strio_socket__wait(s, 1);
        if (rc < 0)
            return rc;
    }
    if (!suspended)
        await strio_socket_yield();
    return 0;
}
