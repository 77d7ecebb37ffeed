/*
 * Async code for test_sendfile.c: strio_socket_sendfile from a temporary
 * file to a socket, a child reading the other end until EOF.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <strio/strio.h>
#include <strio/sendfile.h>

struct sf_ctx {
    strio_socket *out, *peer;   /* out: sendfile's socket; peer: reader */
    int in_fd;
    off_t offset;
    size_t count;
    int flags;
    int cancel_first;
    int close_peer;             /* the reader closes at once: EPIPE */
    unsigned char *got;         /* the reader's buffer */
    size_t got_max;
    size_t got_len;
    int read_rc;
    int rc, exit_rc;
    size_t sent;
};

/* Reads `peer` until EOF (or closes it at once). */
async int sf_reader(struct sf_ctx *x)
{
    long n;
    if (x->close_peer) {
        strio_socket_close(x->peer);
        return 0;
    }
    for (;;) {
        size_t room = x->got_max - x->got_len;
        if (room > 1000)            /* small reads: the sender waits too */
            room = 1000;
        n = await strio_socket_recv(x->peer, x->got + x->got_len, room, 0);
        if (n <= 0) {
            x->read_rc = (int)n;
            return 0;
        }
        x->got_len += (size_t)n;
        if (x->got_len == x->got_max) {
            x->read_rc = -ENOSPC;
            return 0;
        }
    }
}

/* sendfile inside the target scope (target may be NULL), then
 * shutdown(SHUT_WR) so that the reader ends. */
async int sf_run(strio_cancel_scope **target, struct sf_ctx *x,
                 strio_pool *pool)
{
    strio_nursery nu;
    strio_cancel_scope sc;
    struct sf_reader_frame *r;
    strio_nursery_open(STRIO_SELF, &nu);
    r = strio_pool_try_get(pool);
    sf_reader_start(r, x);
    strio_nursery_start(&nu, pool, r, sf_reader_resume, &r->strio_ret);
    if (x->close_peer)
        await strio_checkpoint();       /* let the reader close first */
    strio_scope_enter(STRIO_SELF, &sc);
    if (target != NULL)
        *target = &sc;
    if (x->cancel_first)
        strio_scope_cancel(&sc);
    x->rc = await strio_socket_sendfile(x->out, x->in_fd, x->offset,
                                        x->count, x->flags, &x->sent);
    if (target != NULL)
        *target = NULL;
    x->exit_rc = strio_scope_exit(&sc, x->rc);
    strio_socket_shutdown(x->out, SHUT_WR);
    return await strio_nursery_close(&nu, 0);
}
