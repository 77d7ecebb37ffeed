/*
 * switch.sc -- the async side of the switch and spawn benchmarks
 * (bench/switch_main.c; bench/README.md says what the figures mean).
 *
 *   ping-pong   two tasks hand a baton back and forth through two
 *               strio_events: each side waits on its own event, re-arms
 *               it (an event nobody waits on may be re-initialized) and
 *               sets the other's. Every hand-over is one park and one wake.
 *   spawn+join  a root starts `count` trivial children in one nursery
 *               through a pool of 64 slots, then closes the nursery.
 *   ticker      a task that sleeps in a loop: its frame is the "bytes per
 *               task" figure, next to sizeof(strio_task).
 */
#include <strio/strio.h>
#include <strio/sync.h>

struct pingpong {
    strio_event ev[2];
    long rounds;
};

/* Side `me` (0 starts): `rounds` hand-overs to the other side. */
async int pp_side(struct pingpong *pp, int me)
{
    for (long i = 0; i < pp->rounds; i++) {
        if (me == 0)
            strio_event_set(&pp->ev[1]);
        int rc = await strio_event_wait(&pp->ev[me]);
        if (rc < 0)
            return rc;
        strio_event_init(&pp->ev[me]);
        if (me == 1)
            strio_event_set(&pp->ev[0]);
    }
    return 0;
}

STRIO_POOL(pp_pool, struct pp_side_frame, 2);

/* Runs both sides as children of one nursery. */
async int pp_root(struct pingpong *pp)
{
    STRIO_POOL_SETUP(pp_pool);
    strio_event_init(&pp->ev[0]);
    strio_event_init(&pp->ev[1]);
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    for (int me = 0; me < 2; me++) {
        struct pp_side_frame *f = strio_pool_try_get(&pp_pool.pool);
        pp_side_start(f, pp, me);
        strio_nursery_start(&n, &pp_pool.pool, f, pp_side_resume,
                            &f->strio_ret);
    }
    return await strio_nursery_close(&n, 0);
}

/* A child that does nothing: completes on its first resume. */
async int nop_child(void)
{
    return 0;
}

STRIO_POOL(nop_pool, struct nop_child_frame, 64);

/*
 * Spawns `count` children through the 64-slot pool and joins them.
 * `eager`: take a slot with strio_pool_try_get() while one is free and
 * await strio_pool_get() only when the pool is full; otherwise every spawn
 * awaits strio_pool_get() (a checkpoint: one extra yield per spawn).
 */
async int spawn_root(long count, int eager)
{
    STRIO_POOL_SETUP(nop_pool);
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    int rc = 0;
    for (long i = 0; i < count; i++) {
        void *slot = eager ? strio_pool_try_get(&nop_pool.pool) : NULL;
        if (slot == NULL) {
            rc = await strio_pool_get(&nop_pool.pool, &slot);
            if (rc < 0)
                break;
        }
        struct nop_child_frame *f = slot;
        nop_child_start(f);
        strio_nursery_start(&n, &nop_pool.pool, f, nop_child_resume,
                            &f->strio_ret);
    }
    return await strio_nursery_close(&n, rc);
}

/* The "bytes per task" subject: sleeps `period`, `ticks` times. */
async int ticker(strio_time period, long ticks)
{
    for (long i = 0; i < ticks; i++) {
        int rc = await strio_sleep(period);
        if (rc < 0)
            return rc;
    }
    return 0;
}
