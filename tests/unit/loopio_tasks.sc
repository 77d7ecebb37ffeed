/*
 * Tasks for test_loopio.c: how often the loop asks its backend for I/O
 * while tasks keep yielding (runtime/src/loop.c). Prefix lio_.
 */
#include <unistd.h>

#include <strio/strio.h>
#include <strio/posix.h>

/* Waits until `fd` is readable, then sets *done; fails with
 * STRIO_ETIMEDOUT after 5 s (the test's bound: it must not hang). */
async int lio_reader(int fd, int *done)
{
    strio_cancel_scope sc;
    strio_fail_after(STRIO_SELF, &sc, STRIO_SEC(5));
    int rc = await strio_wait_readable(fd);
    rc = strio_scope_exit(&sc, rc);
    *done = 1;
    return rc;
}

/* Checkpoints until *done (at most `max` times), counting them in *spins;
 * then, if wfd >= 0, writes a byte to it. */
async int lio_spinner(int *done, int *spins, int max, int wfd)
{
    while (!*done && *spins < max) {
        (*spins)++;
        int rc = await strio_checkpoint();
        if (rc < 0)
            return rc;
    }
    if (wfd >= 0 && write(wfd, "x", 1) != 1)
        return -1;
    return 0;
}

/* A reader of rfd and a spinner (see lio_spinner) as children of one
 * nursery, the reader first; `pool`'s slots hold either frame. */
async int lio_pair(strio_pool *pool, int rfd, int wfd, int max, int *spins,
                   int *done)
{
    strio_nursery n;
    struct lio_reader_frame *r;
    struct lio_spinner_frame *s;
    int rc;
    strio_nursery_open(STRIO_SELF, &n);
    rc = await strio_pool_get(pool, (void **)&r);
    if (rc == 0) {
        lio_reader_start(r, rfd, done);
        rc = strio_nursery_start(&n, pool, r, lio_reader_resume,
                                 &r->strio_ret);
    }
    if (rc == 0)
        rc = await strio_pool_get(pool, (void **)&s);
    if (rc == 0) {
        lio_spinner_start(s, done, spins, max, wfd);
        rc = strio_nursery_start(&n, pool, s, lio_spinner_resume,
                                 &s->strio_ret);
    }
    return await strio_nursery_close(&n, rc);
}
