/*
 * sync_tasks.sc -- the task side of tests/unit/test_sync.c: workflows over
 * Event, Lock, Semaphore and Channel written in the dialect. Every task of
 * a test shares one `struct sync_ctx`, where the tasks log what happened
 * and the Criterion test reads it afterwards.
 *
 * Children are "actors": actor(c, role, id) enters a cancel scope of its
 * own (published in c->scopes[id], so a test can cancel exactly that task),
 * runs the role, records its result in c->results[id] and always returns
 * 0 (a nursery would otherwise treat an expected error such as STRIO_EEND
 * as a failure and cancel the siblings).
 */
#include <string.h>
#include <strio/strio.h>

#define SYNC_MAX_ACTORS 32
#define SYNC_MAX_LOG 256
#define SYNC_MAX_PROD 2
#define SYNC_MAX_ITEMS 10000
#define SYNC_PROD_ID0 16        /* producer p is actor SYNC_PROD_ID0 + p */
#define SYNC_ITEM(p, i) ((p) * 100000 + (i))

enum sync_role {
    ROLE_EV_WAIT = 1,   /* await strio_event_wait; logs id */
    ROLE_EV_SET,        /* sleeps c->hold_ns, sets the event */
    ROLE_LOCK_USER,     /* c->iters times: acquire, log, hold, release */
    ROLE_SEM_USER,      /* c->iters times: acquire, log, hold, release */
    ROLE_PRODUCER,      /* sends SYNC_ITEM(p, 1..c->n_items) */
    ROLE_PRODUCERS,     /* nursery of c->n_prod producers, then close_send */
    ROLE_CONSUMER,      /* receives until an error; checks order */
    ROLE_SEND_ONE,      /* sends c->value[id] once; records send time */
    ROLE_RECV_ONE,      /* receives once into c->got[id] */
    ROLE_SEM_ONE,       /* acquires the semaphore once, logs, keeps it */
    ROLE_LOCK_ONE       /* acquires the lock once, logs, holds it for
                           c->hold_ns, releases it */
};

struct sync_ctx {
    strio_event ev;
    strio_lock lock;
    strio_semaphore sem;
    strio_channel ch;
    int buf[16];                          /* channel storage */

    /* parameters */
    int iters;                            /* lock/sem users: rounds */
    strio_time hold_ns;                   /* time held (0: a checkpoint) */
    int n_items;                          /* items per producer */
    int n_prod;                           /* producers in ROLE_PRODUCERS */
    int slow_consumer;                    /* consumers hold before each
                                             receive (producers get ahead) */
    int value[SYNC_MAX_ACTORS];           /* what ROLE_SEND_ONE sends */

    /* what happened */
    int log[SYNC_MAX_LOG];                /* ids, in order of the event */
    int nlog;
    int results[SYNC_MAX_ACTORS];         /* each actor's role result */
    int acq[SYNC_MAX_ACTORS];             /* rc of the last acquire */
    int got[SYNC_MAX_ACTORS];             /* ROLE_RECV_ONE's element */
    strio_time t_done[SYNC_MAX_ACTORS];   /* when the role finished */
    strio_cancel_scope *scopes[SYNC_MAX_ACTORS];
    strio_task *tasks[SYNC_MAX_ACTORS];
    int inside, max_inside;               /* tasks inside a critical section */
    long acquired, released;              /* successful acquires/releases */
    int release_errors;
    int spawn_errors;
    long sent[SYNC_MAX_PROD];             /* successful sends per producer */
    long received;                        /* by all consumers */
    long sum;                             /* of received items */
    int order_errors;                     /* per-consumer FIFO violations */
    int dup_errors;                       /* an item received twice */
    unsigned char seen[SYNC_MAX_PROD][SYNC_MAX_ITEMS + 1];
    int r[16];                            /* results of root-level steps */
    long waiting[8];                      /* queue lengths seen by roots */

    /* the cancellation sweep */
    strio_cancel_scope *sweep_scope;
    int sweep_rc;
};

/* Plain C (no await): for test_sync.c. */
void sync_pool_reset(void);
unsigned sync_pool_used(void);
void sync_ctx_init(struct sync_ctx *c, size_t capacity);

static void log_id(struct sync_ctx *c, int id)
{
    if (c->nlog < SYNC_MAX_LOG)
        c->log[c->nlog++] = id;
}

static void enter_critical(struct sync_ctx *c)
{
    c->acquired++;
    if (++c->inside > c->max_inside)
        c->max_inside = c->inside;
}

static int spawn(strio_nursery *n, struct sync_ctx *c, int role, int id);

/* One hold step: a checkpoint, or a sleep of c->hold_ns. */
static async int hold(struct sync_ctx *c)
{
    if (c->hold_ns <= 0)
        return await strio_checkpoint();
    return await strio_sleep(c->hold_ns);
}

static async int ev_waiter(struct sync_ctx *c, int id)
{
    int rc = await strio_event_wait(&c->ev);
    if (rc == 0)
        log_id(c, id);
    return rc;
}

static async int ev_setter(struct sync_ctx *c)
{
    int rc = await hold(c);
    strio_event_set(&c->ev);      /* even when cancelled: waiters go on */
    return rc;
}

static async int lock_user(struct sync_ctx *c, int id)
{
    for (int i = 0; i < c->iters; i++) {
        int rc = await strio_lock_acquire(&c->lock);
        c->acq[id] = rc;
        if (rc < 0)
            return rc;
        log_id(c, id);
        enter_critical(c);
        rc = await hold(c);       /* other tasks run meanwhile */
        c->inside--;
        if (strio_lock_release(&c->lock, STRIO_SELF) == 0)
            c->released++;
        else
            c->release_errors++;
        if (rc < 0)
            return rc;
    }
    return 0;
}

static async int lock_one(struct sync_ctx *c, int id)
{
    int rc = await strio_lock_acquire(&c->lock);
    c->acq[id] = rc;
    if (rc < 0)
        return rc;
    log_id(c, id);
    enter_critical(c);
    /* Shielded: the lock is released after the hold even if cancelled. */
    strio_cancel_scope shield;
    strio_scope_enter(STRIO_SELF, &shield);
    strio_scope_shield(&shield, 1);
    rc = await hold(c);
    strio_scope_exit(&shield, rc);
    c->inside--;
    if (strio_lock_release(&c->lock, STRIO_SELF) == 0)
        c->released++;
    else
        c->release_errors++;
    return rc;
}

static async int sem_user(struct sync_ctx *c, int id)
{
    for (int i = 0; i < c->iters; i++) {
        int rc = await strio_semaphore_acquire(&c->sem);
        c->acq[id] = rc;
        if (rc < 0)
            return rc;
        log_id(c, id);
        enter_critical(c);
        rc = await hold(c);
        c->inside--;
        if (strio_semaphore_release(&c->sem) == 0)
            c->released++;
        else
            c->release_errors++;
        if (rc < 0)
            return rc;
    }
    return 0;
}

static async int sem_one(struct sync_ctx *c, int id)
{
    int rc = await strio_semaphore_acquire(&c->sem);
    c->acq[id] = rc;
    if (rc == 0) {
        log_id(c, id);
        c->acquired++;
    }
    return rc;
}

static async int producer(struct sync_ctx *c, int id)
{
    int p = id - SYNC_PROD_ID0;
    for (int i = 1; i <= c->n_items; i++) {
        int item = SYNC_ITEM(p, i);
        int rc = await strio_channel_send(&c->ch, &item);
        if (rc < 0)
            return rc;
        c->sent[p]++;
    }
    return 0;
}

/* A group of producers; closes the send side when all are done (on every
 * path, like `async with send_channel:` in Trio). */
static async int producers(struct sync_ctx *c)
{
    strio_nursery n;
    strio_nursery_open(STRIO_SELF, &n);
    for (int p = 0; p < c->n_prod; p++)
        spawn(&n, c, ROLE_PRODUCER, SYNC_PROD_ID0 + p);
    int rc = await strio_nursery_close(&n, 0);
    strio_channel_close_send(&c->ch);
    return rc;
}

static async int consumer(struct sync_ctx *c)
{
    int last[SYNC_MAX_PROD] = { 0 };
    for (;;) {
        int item = -1;
        if (c->slow_consumer) {
            int hrc = await hold(c);
            if (hrc < 0)
                return hrc;
        }
        int rc = await strio_channel_receive(&c->ch, &item);
        if (rc < 0)
            return rc == STRIO_EEND ? 0 : rc;
        int p = item / 100000, i = item % 100000;
        if (p < 0 || p >= SYNC_MAX_PROD || i < 1 || i > SYNC_MAX_ITEMS) {
            c->order_errors++;
            continue;
        }
        if (i <= last[p])
            c->order_errors++;
        last[p] = i;
        if (c->seen[p][i])
            c->dup_errors++;
        c->seen[p][i] = 1;
        c->received++;
        c->sum += item;
    }
}

static async int send_one(struct sync_ctx *c, int id)
{
    int rc = await strio_channel_send(&c->ch, &c->value[id]);
    if (rc == 0)
        log_id(c, id);
    return rc;
}

static async int recv_one(struct sync_ctx *c, int id)
{
    int rc = await strio_channel_receive(&c->ch, &c->got[id]);
    if (rc == 0)
        log_id(c, id);
    return rc;
}

static async int act(struct sync_ctx *c, int role, int id)
{
    switch (role) {
    case ROLE_EV_WAIT:
        return await ev_waiter(c, id);
    case ROLE_EV_SET:
        return await ev_setter(c);
    case ROLE_LOCK_USER:
        return await lock_user(c, id);
    case ROLE_LOCK_ONE:
        return await lock_one(c, id);
    case ROLE_SEM_USER:
        return await sem_user(c, id);
    case ROLE_SEM_ONE:
        return await sem_one(c, id);
    case ROLE_PRODUCER:
        return await producer(c, id);
    case ROLE_PRODUCERS:
        return await producers(c);
    case ROLE_CONSUMER:
        return await consumer(c);
    case ROLE_SEND_ONE:
        return await send_one(c, id);
    case ROLE_RECV_ONE:
        return await recv_one(c, id);
    }
    return STRIO_ESTATE;
}

async int actor(struct sync_ctx *c, int role, int id)
{
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    c->scopes[id] = &sc;
    c->tasks[id] = STRIO_SELF;
    int rc = await act(c, role, id);
    c->results[id] = rc;
    c->t_done[id] = strio_task_now(STRIO_SELF);
    c->scopes[id] = NULL;
    strio_scope_exit(&sc, rc);
    return 0;
}

static STRIO_POOL(sync_pool, struct actor_frame, 24);

void sync_pool_reset(void)
{
    STRIO_POOL_SETUP(sync_pool);
}

unsigned sync_pool_used(void)
{
    return sync_pool.pool.used;
}

static int spawn(strio_nursery *n, struct sync_ctx *c, int role, int id)
{
    struct actor_frame *a = strio_pool_try_get(&sync_pool.pool);
    if (a == NULL) {
        c->spawn_errors++;
        return STRIO_EBUSY;
    }
    actor_start(a, c, role, id);
    return strio_nursery_start(n, &sync_pool.pool, a, actor_resume,
                               &a->strio_ret);
}

void sync_ctx_init(struct sync_ctx *c, size_t capacity)
{
    memset(c, 0, sizeof *c);
    strio_event_init(&c->ev);
    strio_lock_init(&c->lock);
    strio_semaphore_init(&c->sem, 1, STRIO_SEMAPHORE_NO_MAX);
    strio_channel_init(&c->ch, c->buf, sizeof c->buf[0], capacity);
    sync_pool_reset();
}

/* ======================================================================== */
/* Roots: one per scenario; test_sync.c runs them with strio_loop_run.      */
/* ======================================================================== */

/* `n` waiters queue up, then one set wakes all of them in FIFO order. */
async int root_event_wake_all(struct sync_ctx *c, int n)
{
    strio_nursery nur;
    strio_nursery_open(STRIO_SELF, &nur);
    for (int i = 0; i < n; i++)
        spawn(&nur, c, ROLE_EV_WAIT, i);
    c->r[0] = await strio_sleep(STRIO_MS(1));      /* all of them park */
    c->waiting[0] = (long)strio_event_waiting(&c->ev);
    c->r[1] = c->nlog;                             /* nobody woke yet */
    strio_event_set(&c->ev);
    strio_event_set(&c->ev);                       /* idempotent */
    c->waiting[1] = (long)strio_event_waiting(&c->ev);
    return await strio_nursery_close(&nur, 0);
}

/* Set before wait: both waits complete, each after exactly one yield. */
async int root_event_set_before(struct sync_ctx *c)
{
    strio_event_set(&c->ev);
    c->r[0] = await strio_event_wait(&c->ev);
    c->r[1] = await strio_event_wait(&c->ev);
    return 0;
}

/* A waiter cancelled before the set gets STRIO_ECANCELED and leaves the
 * queue; the other waiter still gets the set. */
async int root_event_cancel(struct sync_ctx *c)
{
    strio_nursery nur;
    strio_nursery_open(STRIO_SELF, &nur);
    spawn(&nur, c, ROLE_EV_WAIT, 0);
    spawn(&nur, c, ROLE_EV_WAIT, 1);
    await strio_sleep(STRIO_MS(1));
    c->waiting[0] = (long)strio_event_waiting(&c->ev);
    strio_scope_cancel(c->scopes[0]);
    c->waiting[1] = (long)strio_event_waiting(&c->ev);
    await strio_sleep(STRIO_MS(1));
    strio_event_set(&c->ev);
    return await strio_nursery_close(&nur, 0);
}

/*
 * Every operation that can complete at once still yields exactly once
 * (test_sync.c counts the suspensions: 9). The channel must have capacity
 * >= 1 and the semaphore one permit.
 */
async int root_immediate_checkpoints(struct sync_ctx *c)
{
    int x = 7, y = 0;
    c->r[0] = await strio_lock_acquire(&c->lock);
    c->r[1] = await strio_semaphore_acquire(&c->sem);
    c->r[2] = await strio_channel_send(&c->ch, &x);
    c->r[3] = await strio_channel_receive(&c->ch, &y);
    c->got[0] = y;
    strio_event_set(&c->ev);
    c->r[4] = await strio_event_wait(&c->ev);
    c->r[5] = await strio_lock_acquire(&c->lock);      /* own: ESTATE */
    strio_channel_close_send(&c->ch);
    c->r[6] = await strio_channel_send(&c->ch, &x);    /* ECLOSED */
    c->r[7] = await strio_channel_receive(&c->ch, &y); /* EEND */
    strio_channel_close_receive(&c->ch);
    c->r[8] = await strio_channel_receive(&c->ch, &y); /* ECLOSED */
    c->r[9] = strio_lock_release(&c->lock, STRIO_SELF);
    c->r[10] = strio_semaphore_release(&c->sem);
    return 0;
}

/* Inside an already cancelled scope, every operation returns
 * STRIO_ECANCELED at once (no suspension) and changes nothing. The test
 * leaves one element buffered and the event set. */
async int root_cancelled_at_entry(struct sync_ctx *c)
{
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    strio_scope_cancel(&sc);
    int x = 5;
    c->got[0] = -1;
    c->r[0] = await strio_lock_acquire(&c->lock);
    c->r[1] = await strio_semaphore_acquire(&c->sem);
    c->r[2] = await strio_channel_send(&c->ch, &x);
    c->r[3] = await strio_channel_receive(&c->ch, &c->got[0]);
    c->r[4] = await strio_event_wait(&c->ev);
    c->r[5] = await strio_checkpoint();
    c->r[6] = strio_scope_exit(&sc, STRIO_ECANCELED);
    return 0;
}

/*
 * test_sync.c cancels c->sweep_scope at every suspension: here, during the
 * one yield of operations that complete at once. A wait on a set event
 * took nothing and reports the cancellation; operations that took
 * something (lock, permit, element sent or received) keep it and succeed.
 * The channel needs capacity >= 1, the semaphore one permit.
 */
async int root_cancel_in_yield(struct sync_ctx *c)
{
    int x = 31, y = 0;
    strio_cancel_scope sc;
    strio_event_set(&c->ev);
    strio_scope_enter(STRIO_SELF, &sc);
    c->sweep_scope = &sc;
    c->r[0] = await strio_event_wait(&c->ev);
    c->sweep_scope = NULL;
    strio_scope_exit(&sc, 0);
    strio_scope_enter(STRIO_SELF, &sc);
    c->sweep_scope = &sc;
    c->r[1] = await strio_lock_acquire(&c->lock);
    c->sweep_scope = NULL;
    strio_scope_exit(&sc, 0);
    strio_scope_enter(STRIO_SELF, &sc);
    c->sweep_scope = &sc;
    c->r[2] = await strio_semaphore_acquire(&c->sem);
    c->sweep_scope = NULL;
    strio_scope_exit(&sc, 0);
    strio_scope_enter(STRIO_SELF, &sc);
    c->sweep_scope = &sc;
    c->r[3] = await strio_channel_send(&c->ch, &x);
    c->sweep_scope = NULL;
    strio_scope_exit(&sc, 0);
    c->waiting[0] = (long)strio_channel_buffered(&c->ch);
    strio_scope_enter(STRIO_SELF, &sc);
    c->sweep_scope = &sc;
    c->r[4] = await strio_channel_receive(&c->ch, &y);
    c->sweep_scope = NULL;
    strio_scope_exit(&sc, 0);
    c->got[0] = y;
    c->r[5] = strio_lock_owner(&c->lock) == STRIO_SELF;
    c->r[6] = strio_lock_release(&c->lock, STRIO_SELF);
    c->r[7] = (int)strio_semaphore_value(&c->sem);
    c->r[8] = strio_semaphore_release(&c->sem);
    return 0;
}

/* The root holds the lock while `n` one-shot users queue; they must get it
 * in the order they queued (FIFO), one at a time. Then no barging: the
 * root releases and tries again at once. */
async int root_lock_fifo(struct sync_ctx *c, int n)
{
    c->r[0] = await strio_lock_acquire(&c->lock);
    strio_nursery nur;
    strio_nursery_open(STRIO_SELF, &nur);
    for (int i = 0; i < n; i++)
        spawn(&nur, c, ROLE_LOCK_ONE, i);
    await strio_sleep(STRIO_MS(1));                 /* all queued */
    c->waiting[0] = (long)strio_lock_waiting(&c->lock);
    c->r[1] = strio_lock_release(&c->lock, STRIO_SELF);
    /* handed to actor 0 already, though it has not run yet */
    c->r[2] = strio_lock_owner(&c->lock) == c->tasks[0];
    c->r[3] = strio_lock_try_acquire(&c->lock, STRIO_SELF);   /* EBUSY */
    c->r[4] = await strio_lock_acquire(&c->lock);  /* queues behind all */
    c->r[5] = c->nlog;                             /* everybody had it */
    c->r[6] = strio_lock_release(&c->lock, STRIO_SELF);
    return await strio_nursery_close(&nur, 0);
}

/* `n` tasks loop over the lock with a hold of c->hold_ns between acquire
 * and release; max_inside must stay 1. */
async int root_group(struct sync_ctx *c, int role, int n)
{
    strio_nursery nur;
    strio_nursery_open(STRIO_SELF, &nur);
    for (int i = 0; i < n; i++)
        spawn(&nur, c, role, i);
    return await strio_nursery_close(&nur, 0);
}

/* The root holds the lock; actor 0 waits for it and is cancelled while
 * waiting (mode 0), or right after the root handed it the lock (mode 1). */
async int root_lock_cancel(struct sync_ctx *c, int mode)
{
    c->r[0] = await strio_lock_acquire(&c->lock);
    strio_nursery nur;
    strio_nursery_open(STRIO_SELF, &nur);
    spawn(&nur, c, ROLE_LOCK_ONE, 0);
    spawn(&nur, c, ROLE_LOCK_ONE, 1);
    await strio_sleep(STRIO_MS(1));
    c->waiting[0] = (long)strio_lock_waiting(&c->lock);
    if (mode == 0) {
        strio_scope_cancel(c->scopes[0]);
        c->waiting[1] = (long)strio_lock_waiting(&c->lock);
        c->r[1] = strio_lock_owner(&c->lock) == STRIO_SELF;
        c->r[2] = strio_lock_release(&c->lock, STRIO_SELF);
        /* goes to actor 1, not to the cancelled actor 0 */
        c->r[3] = strio_lock_owner(&c->lock) == c->tasks[1];
    } else {
        c->r[2] = strio_lock_release(&c->lock, STRIO_SELF);
        c->r[3] = strio_lock_owner(&c->lock) == c->tasks[0];
        strio_scope_cancel(c->scopes[0]);            /* too late */
        c->waiting[1] = (long)strio_lock_waiting(&c->lock);
        c->r[1] = strio_lock_owner(&c->lock) == c->tasks[0];
    }
    return await strio_nursery_close(&nur, 0);
}

/* Semaphore at 0: `n` one-shot acquirers queue; the root releases permits
 * one by one; each goes to the next waiter in FIFO order (value stays 0,
 * no barging by try_acquire). With mode 1, actor 0 is cancelled while
 * waiting, and with mode 2 right after a permit was handed to it. */
async int root_sem_handoff(struct sync_ctx *c, int n, int mode)
{
    strio_nursery nur;
    strio_nursery_open(STRIO_SELF, &nur);
    for (int i = 0; i < n; i++)
        spawn(&nur, c, ROLE_SEM_ONE, i);
    await strio_sleep(STRIO_MS(1));
    c->waiting[0] = (long)strio_semaphore_waiting(&c->sem);
    if (mode == 1)
        strio_scope_cancel(c->scopes[0]);
    c->waiting[1] = (long)strio_semaphore_waiting(&c->sem);
    c->r[0] = strio_semaphore_release(&c->sem);
    if (mode == 2)
        strio_scope_cancel(c->scopes[0]);            /* too late */
    c->r[1] = (int)strio_semaphore_value(&c->sem);
    c->r[2] = strio_semaphore_try_acquire(&c->sem); /* EBUSY: handed over */
    for (int i = 1; i < n; i++)
        strio_semaphore_release(&c->sem);
    c->waiting[2] = (long)strio_semaphore_waiting(&c->sem);
    c->r[3] = strio_semaphore_release(&c->sem);     /* one spare permit */
    c->r[4] = (int)strio_semaphore_value(&c->sem);
    return await strio_nursery_close(&nur, 0);
}

/* A producer of c->n_items items and one consumer, in parallel. */
async int root_pipe(struct sync_ctx *c)
{
    strio_nursery nur;
    strio_nursery_open(STRIO_SELF, &nur);
    spawn(&nur, c, ROLE_PRODUCERS, 0);
    spawn(&nur, c, ROLE_CONSUMER, 1);
    return await strio_nursery_close(&nur, 0);
}

/* Channel ordering and blocking, step by step. The channel has capacity
 * 2; the root receives with pauses while actor 0..2 send c->value[]. */
async int root_chan_full(struct sync_ctx *c)
{
    strio_nursery nur;
    strio_nursery_open(STRIO_SELF, &nur);
    for (int i = 0; i < 4; i++)
        spawn(&nur, c, ROLE_SEND_ONE, i);
    await strio_sleep(STRIO_MS(1));
    /* two went into the buffer, two wait */
    c->waiting[0] = (long)strio_channel_buffered(&c->ch);
    c->waiting[1] = (long)strio_channel_waiting_send(&c->ch);
    for (int i = 0; i < 4; i++) {
        await strio_sleep(STRIO_SEC(1));
        c->r[i] = await strio_channel_receive(&c->ch, &c->got[i]);
    }
    c->waiting[2] = (long)strio_channel_buffered(&c->ch);
    return await strio_nursery_close(&nur, 0);
}

/* Empty: receivers 0..2 wait, then the root sends with pauses. */
async int root_chan_empty(struct sync_ctx *c)
{
    strio_nursery nur;
    strio_nursery_open(STRIO_SELF, &nur);
    for (int i = 0; i < 3; i++)
        spawn(&nur, c, ROLE_RECV_ONE, i);
    await strio_sleep(STRIO_MS(1));
    c->waiting[0] = (long)strio_channel_waiting_receive(&c->ch);
    for (int i = 0; i < 3; i++) {
        await strio_sleep(STRIO_SEC(1));
        int v = 100 + i;
        c->r[i] = await strio_channel_send(&c->ch, &v);
    }
    return await strio_nursery_close(&nur, 0);
}

/* Rendezvous (capacity 0): actor 0 sends at t=0; the root receives at
 * t=1s; the send completes only then. Then the other way round. */
async int root_rendezvous(struct sync_ctx *c)
{
    strio_nursery nur;
    strio_nursery_open(STRIO_SELF, &nur);
    spawn(&nur, c, ROLE_SEND_ONE, 0);
    await strio_sleep(STRIO_SEC(1));
    c->waiting[0] = (long)strio_channel_waiting_send(&c->ch);
    c->waiting[1] = (long)strio_channel_buffered(&c->ch);
    c->r[0] = c->nlog;                             /* send not done yet */
    c->r[1] = await strio_channel_receive(&c->ch, &c->got[0]);
    c->r[2] = await strio_nursery_close(&nur, 0);
    /* receiver first */
    strio_nursery_open(STRIO_SELF, &nur);
    spawn(&nur, c, ROLE_RECV_ONE, 1);
    await strio_sleep(STRIO_SEC(1));
    int v = 4242;
    c->r[3] = strio_channel_try_send(&c->ch, &v);  /* straight to actor 1 */
    c->r[4] = strio_channel_try_send(&c->ch, &v);  /* nobody: EBUSY */
    c->r[5] = strio_channel_try_receive(&c->ch, &v);  /* nobody: EBUSY */
    return await strio_nursery_close(&nur, 0);
}

/*
 * Close the send side with elements buffered, receivers and senders in
 * various states. Capacity 2 holding {1, 2}; actor 0 waits to send 3.
 */
async int root_close_send(struct sync_ctx *c)
{
    int x = 1;
    c->r[0] = await strio_channel_send(&c->ch, &x);
    x = 2;
    c->r[1] = await strio_channel_send(&c->ch, &x);
    strio_nursery nur;
    strio_nursery_open(STRIO_SELF, &nur);
    spawn(&nur, c, ROLE_SEND_ONE, 0);               /* value[0] = 3 */
    await strio_sleep(STRIO_MS(1));
    c->waiting[0] = (long)strio_channel_waiting_send(&c->ch);
    strio_channel_close_send(&c->ch);
    strio_channel_close_send(&c->ch);               /* idempotent */
    c->waiting[1] = (long)strio_channel_waiting_send(&c->ch);
    x = 9;
    c->r[2] = await strio_channel_send(&c->ch, &x);    /* ECLOSED */
    c->r[3] = strio_channel_try_send(&c->ch, &x);      /* ECLOSED */
    c->r[4] = await strio_channel_receive(&c->ch, &c->got[10]);  /* 1 */
    c->r[5] = strio_channel_try_receive(&c->ch, &c->got[11]);    /* 2 */
    c->r[6] = await strio_channel_receive(&c->ch, &c->got[12]);  /* EEND */
    c->r[7] = strio_channel_try_receive(&c->ch, &c->got[12]);    /* EEND */
    c->r[8] = await strio_nursery_close(&nur, 0);
    /* waiting receivers are woken with EEND */
    strio_channel_init(&c->ch, c->buf, sizeof c->buf[0], 2);
    strio_nursery_open(STRIO_SELF, &nur);
    spawn(&nur, c, ROLE_RECV_ONE, 1);
    spawn(&nur, c, ROLE_RECV_ONE, 2);
    await strio_sleep(STRIO_MS(1));
    c->waiting[2] = (long)strio_channel_waiting_receive(&c->ch);
    strio_channel_close_send(&c->ch);
    c->waiting[3] = (long)strio_channel_waiting_receive(&c->ch);
    return await strio_nursery_close(&nur, 0);
}

/*
 * Close the receive side: capacity 1 holding {1}; actor 0 waits to send;
 * then, on a fresh channel, actor 1 waits to receive.
 */
async int root_close_receive(struct sync_ctx *c)
{
    int x = 1;
    c->r[0] = await strio_channel_send(&c->ch, &x);
    strio_nursery nur;
    strio_nursery_open(STRIO_SELF, &nur);
    spawn(&nur, c, ROLE_SEND_ONE, 0);
    await strio_sleep(STRIO_MS(1));
    c->waiting[0] = (long)strio_channel_waiting_send(&c->ch);
    strio_channel_close_receive(&c->ch);
    strio_channel_close_receive(&c->ch);            /* idempotent */
    c->waiting[1] = (long)strio_channel_waiting_send(&c->ch);
    c->waiting[2] = (long)strio_channel_buffered(&c->ch);    /* dropped */
    c->r[1] = await strio_channel_send(&c->ch, &x);         /* EBROKEN */
    c->r[2] = strio_channel_try_send(&c->ch, &x);           /* EBROKEN */
    c->r[3] = await strio_channel_receive(&c->ch, &x);      /* ECLOSED */
    c->r[4] = strio_channel_try_receive(&c->ch, &x);        /* ECLOSED */
    c->r[5] = await strio_nursery_close(&nur, 0);
    strio_channel_init(&c->ch, c->buf, sizeof c->buf[0], 1);
    strio_nursery_open(STRIO_SELF, &nur);
    spawn(&nur, c, ROLE_RECV_ONE, 1);
    await strio_sleep(STRIO_MS(1));
    c->waiting[3] = (long)strio_channel_waiting_receive(&c->ch);
    strio_channel_close_receive(&c->ch);
    c->waiting[4] = (long)strio_channel_waiting_receive(&c->ch);
    c->r[6] = await strio_nursery_close(&nur, 0);
    /* after close_send too, sending reports ECLOSED first */
    strio_channel_close_send(&c->ch);
    c->r[7] = strio_channel_try_send(&c->ch, &x);
    return 0;
}

/*
 * Cancelling waiting channel operations. Capacity 1 holding {1}; senders
 * 0, 1, 2 wait with 10, 20, 30; sender 1 is cancelled. Then receivers
 * 3, 4 wait on the empty channel; receiver 3 is cancelled and one element
 * is sent: receiver 4 gets it. With `late` nonzero the cancellations come
 * just after the counterpart acted, and lose.
 */
async int root_chan_cancel(struct sync_ctx *c, int late)
{
    int x = 1;
    c->r[0] = await strio_channel_send(&c->ch, &x);
    strio_nursery nur;
    strio_nursery_open(STRIO_SELF, &nur);
    for (int i = 0; i < 3; i++)
        spawn(&nur, c, ROLE_SEND_ONE, i);
    await strio_sleep(STRIO_MS(1));
    c->waiting[0] = (long)strio_channel_waiting_send(&c->ch);
    if (!late) {
        strio_scope_cancel(c->scopes[1]);
        c->waiting[1] = (long)strio_channel_waiting_send(&c->ch);
        for (int i = 0; i < 3; i++)
            c->r[1 + i] = await strio_channel_receive(&c->ch, &c->got[10 + i]);
    } else {
        /* receive 1; sender 0's element moves into the buffer */
        c->r[1] = strio_channel_try_receive(&c->ch, &c->got[10]);
        strio_scope_cancel(c->scopes[0]);            /* too late */
        c->waiting[1] = (long)strio_channel_waiting_send(&c->ch);
        for (int i = 1; i < 4; i++)
            c->r[1 + i] = await strio_channel_receive(&c->ch, &c->got[10 + i]);
    }
    c->waiting[2] = (long)strio_channel_buffered(&c->ch);
    c->r[5] = strio_channel_try_receive(&c->ch, &x);   /* EBUSY: empty */
    c->r[6] = await strio_nursery_close(&nur, 0);

    strio_nursery_open(STRIO_SELF, &nur);
    spawn(&nur, c, ROLE_RECV_ONE, 3);
    spawn(&nur, c, ROLE_RECV_ONE, 4);
    await strio_sleep(STRIO_MS(1));
    c->waiting[3] = (long)strio_channel_waiting_receive(&c->ch);
    x = 77;
    if (!late) {
        strio_scope_cancel(c->scopes[3]);
        c->r[7] = await strio_channel_send(&c->ch, &x);   /* to actor 4 */
        c->waiting[4] = (long)strio_channel_buffered(&c->ch);
    } else {
        c->r[7] = strio_channel_try_send(&c->ch, &x);    /* to actor 3 */
        strio_scope_cancel(c->scopes[3]);                /* too late */
        x = 78;
        c->r[8] = strio_channel_try_send(&c->ch, &x);    /* to actor 4 */
        c->waiting[4] = (long)strio_channel_buffered(&c->ch);
    }
    c->r[9] = await strio_nursery_close(&nur, 0);
    /* a receive cancelled on an empty channel lost nothing: a later send
     * stays buffered for the next receiver */
    x = 99;
    c->r[10] = strio_channel_try_send(&c->ch, &x);
    c->r[11] = strio_channel_try_receive(&c->ch, &c->got[20]);
    return 0;
}

/* Rendezvous cancellation: a sender waiting on a capacity-0 channel is
 * cancelled; nothing reaches a later receiver. */
async int root_rendezvous_cancel(struct sync_ctx *c)
{
    strio_nursery nur;
    strio_nursery_open(STRIO_SELF, &nur);
    spawn(&nur, c, ROLE_SEND_ONE, 0);
    await strio_sleep(STRIO_MS(1));
    c->waiting[0] = (long)strio_channel_waiting_send(&c->ch);
    strio_scope_cancel(c->scopes[0]);
    c->waiting[1] = (long)strio_channel_waiting_send(&c->ch);
    c->r[0] = strio_channel_try_receive(&c->ch, &c->got[10]);  /* EBUSY */
    c->r[1] = await strio_nursery_close(&nur, 0);
    return 0;
}

/* ---- the cancellation sweep ------------------------------------------- */

enum sync_workflow { WF_LOCK = 1, WF_SEM, WF_CHAN, WF_EVENT, WF_MIXED };

static async int workflow(struct sync_ctx *c, int kind)
{
    strio_nursery nur;
    strio_nursery_open(STRIO_SELF, &nur);
    switch (kind) {
    case WF_LOCK:
        for (int i = 0; i < 3; i++)
            spawn(&nur, c, ROLE_LOCK_USER, i);
        break;
    case WF_SEM:
        for (int i = 0; i < 4; i++)
            spawn(&nur, c, ROLE_SEM_USER, i);
        break;
    case WF_CHAN:
        spawn(&nur, c, ROLE_PRODUCERS, 0);
        spawn(&nur, c, ROLE_CONSUMER, 1);
        spawn(&nur, c, ROLE_CONSUMER, 2);
        break;
    case WF_EVENT:
        for (int i = 0; i < 3; i++)
            spawn(&nur, c, ROLE_EV_WAIT, i);
        spawn(&nur, c, ROLE_EV_SET, 3);
        break;
    case WF_MIXED:
        /* everything at once: a pipe, lock users and semaphore users */
        spawn(&nur, c, ROLE_PRODUCERS, 0);
        spawn(&nur, c, ROLE_CONSUMER, 1);
        for (int i = 2; i < 4; i++)
            spawn(&nur, c, ROLE_LOCK_USER, i);
        for (int i = 4; i < 6; i++)
            spawn(&nur, c, ROLE_SEM_USER, i);
        break;
    }
    return await strio_nursery_close(&nur, 0);
}

/* Runs `kind` inside a scope that test_sync.c cancels from loop.on_suspend
 * at the k-th suspension. */
async int root_sweep(struct sync_ctx *c, int kind)
{
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    c->sweep_scope = &sc;
    int rc = await workflow(c, kind);
    c->sweep_scope = NULL;
    c->sweep_rc = strio_scope_exit(&sc, rc);
    return 0;
}
