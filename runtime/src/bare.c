/* The bare-metal backend, ISR events and the tick clock (see strio/bare.h).
 * Core: no OS, no heap; ISR-facing functions use only lock-free atomics. */
#include <limits.h>
#include <stddef.h>

#include <strio/bare.h>
#include <strio/error.h>

_Static_assert(ATOMIC_INT_LOCK_FREE == 2,
               "strio/bare.h needs lock-free atomic int (ISR-safe without "
               "masking interrupts); ARMv6-M has none");

/* ---- backend ----------------------------------------------------------------- */

static void bare_notify(strio_backend *backend)
{
    strio_bare *bare = (strio_bare *)(void *)backend;
    atomic_store(&bare->pending, 1);
    if (bare->port->signal != NULL)
        bare->port->signal(bare->port->ctx);
}

/*
 * Sleeps through the port until a notification or the deadline; a past
 * deadline (the loop passes 0 to poll) only looks at the flag. A seen
 * notification marks the loop notified, so it runs its hooks (ours among
 * them) right after this returns.
 */
static int bare_wait(strio_backend *backend, strio_loop *loop,
                     strio_time deadline)
{
    strio_bare *bare = (strio_bare *)(void *)backend;
    while (!atomic_load(&bare->pending)) {
        if (deadline != STRIO_TIME_NEVER && strio_loop_now(loop) >= deadline)
            break;
        bare->port->wait_until(bare->port->ctx, deadline);
    }
    if (atomic_exchange(&bare->pending, 0))
        atomic_store(&loop->notified, 1);
    return 0;
}

/*
 * A task parked on an event can only be woken through us, so the loop must
 * keep waiting in the backend rather than report a deadlock; a notification
 * not yet seen makes the loop poll us even while tasks are runnable.
 */
static int bare_busy(strio_backend *backend)
{
    strio_bare *bare = (strio_bare *)(void *)backend;
    return bare->waiters != 0 || atomic_load(&bare->pending);
}

static void unlink_event(strio_bare *bare, strio_bare_event *ev)
{
    for (strio_bare_event **p = &bare->waiting; *p != NULL; p = &(*p)->next) {
        if (*p == ev) {
            *p = ev->next;
            break;
        }
    }
    ev->next = NULL;
    ev->waiter = NULL;
    bare->waiters--;
}

/* The loop's hook (loop thread, after the notified flag was cleared): wakes
 * the waiters of events that have been set. */
static void bare_hook(strio_hook *hook, strio_loop *loop)
{
    strio_bare *bare = (strio_bare *)(void *)((char *)hook -
                                              offsetof(strio_bare, hook));
    (void)loop;
    strio_bare_event **p = &bare->waiting;
    while (*p != NULL) {
        strio_bare_event *ev = *p;
        if (atomic_load(&ev->count) == 0) {
            p = &ev->next;
            continue;
        }
        strio_task *t = ev->waiter;
        *p = ev->next;
        ev->next = NULL;
        ev->waiter = NULL;
        bare->waiters--;
        strio_task_wake(t, 0);
    }
}

void strio_bare_init(strio_bare *bare, const strio_bare_port *port)
{
    bare->backend.wait = bare_wait;
    bare->backend.notify = bare_notify;
    bare->backend.busy = bare_busy;
    bare->port = port;
    atomic_init(&bare->pending, 0);
    bare->loop = NULL;
    bare->hook.run = bare_hook;
    bare->hook.next = NULL;
    bare->waiting = NULL;
    bare->waiters = 0;
}

void strio_bare_notify(strio_bare *bare)
{
    bare_notify(&bare->backend);
}

/* ---- events ------------------------------------------------------------------ */

void strio_bare_event_init(strio_bare_event *ev, strio_bare *bare)
{
    atomic_init(&ev->count, 0u);
    ev->bare = bare;
    ev->waiter = NULL;
    ev->next = NULL;
}

void strio_bare_event_set(strio_bare_event *ev)
{
    /* The count first: whoever sees the flag must also see the count. */
    atomic_fetch_add(&ev->count, 1u);
    bare_notify(&ev->bare->backend);
}

unsigned strio_bare_event_take(strio_bare_event *ev)
{
    return atomic_exchange(&ev->count, 0u);
}

void strio_bare_wait_event_start(struct strio_bare_wait_event_frame *f,
                                 strio_bare_event *ev)
{
    f->strio_state = 0;
    f->ev = ev;
}

static void event_abort(strio_task *task)
{
    strio_bare_event *ev = task->wait_on;
    unlink_event(ev->bare, ev);
}

/* The hook runs on the loop of the first task that waits; registering it
 * then (not at init) lets strio_bare_init() come before strio_loop_init(),
 * which clears the loop's hook list. */
static int attach(strio_bare *bare, strio_loop *loop)
{
    if (bare->loop == loop)
        return 0;
    if (bare->loop != NULL || loop->backend != &bare->backend)
        return STRIO_ESTATE;
    bare->loop = loop;
    strio_loop_add_hook(loop, &bare->hook);
    return 0;
}

enum { EV_START = 0, EV_PARKED, EV_YIELDED };

int strio_bare_wait_event_resume(void *vf, strio_task *task)
{
    struct strio_bare_wait_event_frame *f = vf;
    strio_bare_event *ev = f->ev;
    strio_bare *bare = ev->bare;
    int rc;

    switch (f->strio_state) {
    case EV_START:
        if (strio_task_cancelled(task)) {
            rc = STRIO_ECANCELED;
            goto done;
        }
        if (ev->waiter != NULL) {
            rc = STRIO_EBUSY;
            goto done;
        }
        if ((rc = attach(bare, task->loop)) < 0)
            goto done;
        if (atomic_load(&ev->count) != 0) {
            f->strio_state = EV_YIELDED;    /* already set: still a checkpoint */
            strio_task_yield(task);
            return STRIO_PENDING;
        }
        goto park;
    case EV_PARKED:
        if (task->wake_result < 0) {        /* cancelled; abort unlinked us */
            rc = task->wake_result;
            goto done;
        }
        break;
    default: /* EV_YIELDED */
        if (strio_task_cancelled(task)) {
            rc = STRIO_ECANCELED;
            goto done;
        }
        break;
    }
    {
        unsigned n = atomic_exchange(&ev->count, 0u);
        if (n != 0) {
            rc = n > (unsigned)INT_MAX ? INT_MAX : (int)n;
            goto done;
        }
    }
    /* Nothing to take after all (never, with one waiter): wait again. */
park:
    f->strio_state = EV_PARKED;
    ev->waiter = task;
    ev->next = bare->waiting;
    bare->waiting = ev;
    bare->waiters++;
    strio_task_park(task, event_abort, ev);
    return STRIO_PENDING;
done:
    f->strio_ret = rc;
    return STRIO_DONE;
}

/* ---- tick clock ------------------------------------------------------------ */

static strio_time tick_now(strio_clock *clock)
{
    strio_bare_tick_clock *tc = (strio_bare_tick_clock *)(void *)clock;
    unsigned t = atomic_load_explicit(&tc->ticks, memory_order_relaxed);
    tc->base += (strio_time)(unsigned)(t - tc->last) * tc->ns_per_tick;
    tc->last = t;
    return tc->base;
}

void strio_bare_tick_clock_init(strio_bare_tick_clock *tc,
                                strio_time ns_per_tick)
{
    tc->clock.now = tick_now;
    tc->clock.idle = NULL;
    atomic_init(&tc->ticks, 0u);
    tc->ns_per_tick = ns_per_tick;
    tc->last = 0;
    tc->base = 0;
}

/* ---- counter clock ------------------------------------------------------- */

#define NS_PER_SEC 1000000000u

/* Split so nothing overflows 64 bits for any counter value: the whole
 * seconds, then the remainder (< hz, so rem * 1e9 < 2^62). */
static strio_time counter_now(strio_clock *clock)
{
    strio_bare_counter_clock *cc = (strio_bare_counter_clock *)(void *)clock;
    uint64_t c = cc->read(cc->ctx);
    return (strio_time)((c / cc->hz) * NS_PER_SEC +
                        (c % cc->hz) * NS_PER_SEC / cc->hz);
}

void strio_bare_counter_clock_init(strio_bare_counter_clock *cc,
                                   uint64_t (*read)(void *ctx), void *ctx,
                                   uint32_t hz)
{
    cc->clock.now = counter_now;
    cc->clock.idle = NULL;
    cc->read = read;
    cc->ctx = ctx;
    cc->hz = hz;
}

uint64_t strio_bare_counter_at(const strio_bare_counter_clock *cc,
                               strio_time t)
{
    uint64_t ns = t < 0 ? 0 : (uint64_t)t;
    /* ceil(ns * hz / 1e9), again in two parts */
    return (ns / NS_PER_SEC) * cc->hz +
           ((ns % NS_PER_SEC) * cc->hz + NS_PER_SEC - 1) / NS_PER_SEC;
}
