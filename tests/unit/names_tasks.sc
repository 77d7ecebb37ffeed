/*
 * Async code for test_names.c: strio_getnameinfo and strio_getprotobyname
 * on the worker pool, and the abandoned wait behind a blocked worker.
 */
#include <stdatomic.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/resolve.h>

struct nm_ctx {
    strio_resolver *r;
    strio_workers *w;
    const strio_sockaddr *addr;
    int flags;
    char host[64], serv[32];
    size_t hostlen, servlen;    /* sizes passed (0: NULL buffer) */
    const char *proto_name;     /* non-NULL: getprotobyname */
    int proto;
    strio_time timeout;         /* > 0: the call's scope moves on */
    int cancel_first;           /* call inside an already cancelled scope */
    atomic_int gate;            /* the blocker job spins until set */
    int block;                  /* occupy the worker with the blocker */
    int rc, caught, busy_after;
};

void nm_blocker(void *arg);

static async int nm_call(struct nm_ctx *x)
{
    if (x->proto_name != NULL)
        return await strio_getprotobyname(x->r, x->w, x->proto_name,
                                          &x->proto);
    return await strio_getnameinfo(x->r, x->w, x->addr, x->flags,
                                   x->hostlen ? x->host : NULL, x->hostlen,
                                   x->servlen ? x->serv : NULL, x->servlen);
}

async int nm_blocker_child(strio_workers *w, struct nm_ctx *x)
{
    return await strio_run_in_worker(w, nm_blocker, x);
}

/* The call in its own scope; with `block`, a child first keeps the only
 * worker busy until the call was abandoned. */
async int nm_run(struct nm_ctx *x, strio_pool *pool)
{
    strio_nursery n;
    strio_cancel_scope sc;
    struct nm_blocker_child_frame *b;
    int rc = 0;
    strio_nursery_open(STRIO_SELF, &n);
    if (x->block) {
        b = strio_pool_try_get(pool);
        nm_blocker_child_start(b, x->w, x);
        strio_nursery_start(&n, pool, b, nm_blocker_child_resume,
                            &b->strio_ret);
        await strio_checkpoint();       /* the blocker is submitted first */
    }
    strio_scope_enter(STRIO_SELF, &sc);
    if (x->timeout > 0)
        strio_scope_set_deadline(&sc, strio_task_now(STRIO_SELF) + x->timeout);
    if (x->cancel_first)
        strio_scope_cancel(&sc);
    x->rc = await nm_call(x);
    strio_scope_exit(&sc, x->rc);
    x->caught = sc.cancelled_caught;
    x->busy_after = strio_resolver_busy(x->r);
    atomic_store(&x->gate, 1);
    return await strio_nursery_close(&n, rc);
}
