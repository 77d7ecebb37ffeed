/*
 * Async code for test_poll.c: fd I/O over the poll backend's leaves, and a
 * small harness that runs a list of operations as children of a nursery.
 */
#include <errno.h>
#include <unistd.h>

#include <strio/strio.h>
#include <strio/posix.h>

enum {
    PT_READ,      /* read exactly n bytes (fewer at end of file) */
    PT_WRITE,     /* write n bytes, one at a time, `gap` apart */
    PT_WAIT_R,    /* one strio_wait_readable */
    PT_WAIT_W,    /* one strio_wait_writable */
    PT_DRAIN,     /* read everything there is now (no waiting) */
    PT_CLOSE,     /* close(fd) */
    PT_PING,      /* socketpair ping-pong, starting with a write */
    PT_PONG,      /* ... answering each byte */
    PT_SEND       /* pt_write_all n bytes at once */
};

struct pt_op {
    int kind;
    int fd;
    char *buf;
    int n;
    strio_time delay;       /* sleep first */
    strio_time gap;         /* PT_WRITE: between bytes */
    strio_time timeout;     /* > 0: inside a move-on-after scope */
    strio_cancel_scope sc;  /* entered around the operation */
    int result;
    int caught;             /* the scope's cancelled_caught */
    int entered;            /* the scope is live (for outside cancels) */
    strio_time done_at;
};

/* Reads exactly n bytes, trying read() first and waiting only on EAGAIN.
 * Returns the count (short at end of file) or an error. */
async int pt_read_exact(int fd, char *buf, int n)
{
    int got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, (size_t)(n - got));
        if (r > 0) {
            got += (int)r;
            continue;
        }
        if (r == 0)
            return got;
        if (errno != EAGAIN)
            return -errno;
        int rc = await strio_wait_readable(fd);
        if (rc < 0)
            return rc;
    }
    return got;
}

async int pt_write_all(int fd, const char *buf, int n)
{
    int put = 0;
    while (put < n) {
        ssize_t r = write(fd, buf + put, (size_t)(n - put));
        if (r >= 0) {
            put += (int)r;
            continue;
        }
        if (errno != EAGAIN)
            return -errno;
        int rc = await strio_wait_writable(fd);
        if (rc < 0)
            return rc;
    }
    return put;
}

static int pt_drain_now(int fd)
{
    char tmp[4096];
    int total = 0;
    ssize_t r;
    while ((r = read(fd, tmp, sizeof tmp)) > 0)
        total += (int)r;
    return total;
}

/* n round trips of one byte each; returns n or an error. */
async int pt_ping_pong(int fd, int n, int starter)
{
    char c = 'x';
    for (int i = 0; i < n; i++) {
        int rc;
        if (starter) {
            rc = await pt_write_all(fd, &c, 1);
            if (rc < 0)
                return rc;
        }
        rc = await pt_read_exact(fd, &c, 1);
        if (rc != 1)
            return rc < 0 ? rc : -EPIPE;
        if (!starter) {
            rc = await pt_write_all(fd, &c, 1);
            if (rc < 0)
                return rc;
        }
    }
    return n;
}

async int pt_do_op(struct pt_op *op)
{
    int rc = 0;
    switch (op->kind) {
    case PT_READ:
        rc = await pt_read_exact(op->fd, op->buf, op->n);
        break;
    case PT_WRITE:
        for (int i = 0; i < op->n && rc >= 0; i++) {
            if (i > 0 && op->gap > 0)
                rc = await strio_sleep(op->gap);
            if (rc >= 0)
                rc = await pt_write_all(op->fd, op->buf + i, 1);
        }
        if (rc >= 0)
            rc = op->n;
        break;
    case PT_SEND:
        rc = await pt_write_all(op->fd, op->buf, op->n);
        break;
    case PT_WAIT_R:
        rc = await strio_wait_readable(op->fd);
        break;
    case PT_WAIT_W:
        rc = await strio_wait_writable(op->fd);
        break;
    case PT_DRAIN:
        rc = pt_drain_now(op->fd);
        break;
    case PT_CLOSE:
        rc = close(op->fd);
        break;
    case PT_PING:
    case PT_PONG:
        rc = await pt_ping_pong(op->fd, op->n, op->kind == PT_PING);
        break;
    }
    return rc;
}

/* One child: sleep, then the operation inside the op's own scope. Always
 * returns 0 (results are in the op), so no failure cancels the siblings. */
async int pt_op_child(struct pt_op *op)
{
    int rc = 0;
    strio_scope_enter(STRIO_SELF, &op->sc);
    op->entered = 1;
    if (op->timeout > 0)
        strio_scope_set_deadline(&op->sc,
                                 strio_task_now(STRIO_SELF) + op->timeout);
    if (op->delay > 0)
        rc = await strio_sleep(op->delay);
    if (rc == 0)
        rc = await pt_do_op(op);
    op->result = rc;
    op->entered = 0;
    strio_scope_exit(&op->sc, rc);
    op->caught = op->sc.cancelled_caught;
    op->done_at = strio_task_now(STRIO_SELF);
    return 0;
}

/* Runs ops[0..n) as children of `nursery` (caller memory, so a test can
 * cancel it from outside), slots taken from `pool`. Returns close's
 * result. */
async int pt_run_ops(strio_pool *pool, strio_nursery *nursery, struct pt_op *ops,
                  int n)
{
    strio_nursery_open(STRIO_SELF, nursery);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        struct pt_op_child_frame *f;
        rc = await strio_pool_get(pool, (void **)&f);
        if (rc == 0) {
            pt_op_child_start(f, &ops[i]);
            strio_nursery_start(nursery, pool, f, pt_op_child_resume,
                                &f->strio_ret);
        }
    }
    return await strio_nursery_close(nursery, rc);
}
