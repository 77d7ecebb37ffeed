/* The event loop (see strio/loop.h). */
#define STRIO_SCHED_DEFINES
#include <stddef.h>

#include <strio/cancel.h>
#include <strio/loop.h>
#include <strio/nursery.h>

#include "sched.h"

void strio__nursery_child_done(strio_nursery *n, strio_task *child);

#define CONTAINER(ptr, type, member) \
    ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

void strio_loop_init(strio_loop *loop, strio_clock *clock,
                     strio_backend *backend)
{
    loop->clock = clock;
    loop->backend = backend;
    loop->ready_head = loop->ready_tail = NULL;
    strio_timer_heap_init(&loop->timers);
    loop->hooks = NULL;
    loop->root = NULL;
    loop->tasks = 0;
    loop->switches = 0;
    atomic_init(&loop->notified, 0);
    loop->hook_busy = 0;
    loop->on_suspend = NULL;
    loop->on_suspend_arg = NULL;
}

strio_time strio_loop_now(const strio_loop *loop)
{
    return loop->clock->now(loop->clock);
}

void strio_loop_schedule(strio_loop *loop, strio_task *task)
{
    strio__schedule(loop, task);
}

void strio_loop_notify(strio_loop *loop)
{
    atomic_store(&loop->notified, 1);
    if (loop->backend != NULL && loop->backend->notify != NULL)
        loop->backend->notify(loop->backend);
}

void strio_loop_add_hook(strio_loop *loop, strio_hook *hook)
{
    hook->next = loop->hooks;
    loop->hooks = hook;
}

void strio_loop_remove_hook(strio_loop *loop, strio_hook *hook)
{
    for (strio_hook **p = &loop->hooks; *p != NULL; p = &(*p)->next) {
        if (*p == hook) {
            *p = hook->next;
            hook->next = NULL;
            return;
        }
    }
}

static void finished(strio_loop *loop, strio_task *t)
{
    t->state = STRIO_TASK_DONE;
    loop->tasks--;
    if (t->parent != NULL)
        strio__nursery_child_done(t->parent, t);
}

static void run_one(strio_loop *loop, strio_task *t)
{
    t->state = STRIO_TASK_RUNNING;
    loop->switches++;
    if (t->resume(t->frame, t) == STRIO_DONE) {
        finished(loop, t);
        return;
    }
    t->switches++;
    if (loop->on_suspend != NULL)
        loop->on_suspend(loop, t, loop->on_suspend_arg);
    /* A leaf that returned PENDING without parking or yielding is a bug;
     * treating it as a yield keeps the loop alive. */
    if (t->state == STRIO_TASK_RUNNING)
        strio__schedule(loop, t);
}

/* Runs the tasks that were ready when the batch began (fairness: a task
 * that yields runs again only in the next batch). */
static void run_batch(strio_loop *loop)
{
    strio_task *last = loop->ready_tail;
    while (loop->ready_head != NULL) {
        strio_task *t = loop->ready_head;
        loop->ready_head = t->next;
        if (loop->ready_head == NULL)
            loop->ready_tail = NULL;
        t->next = NULL;
        run_one(loop, t);
        if (t == last)
            break;
    }
}

static void fire_timers(strio_loop *loop)
{
    if (loop->timers.root == NULL)
        return;                   /* no clock read when nothing is armed */
    strio_time now = strio_loop_now(loop);
    strio_timer *m;
    while ((m = strio_timer_min(&loop->timers)) != NULL && m->when <= now) {
        strio_timer_remove(&loop->timers, m);
        if (m->kind == STRIO_TIMER_TASK) {
            strio__wake(CONTAINER(m, strio_task, timer), 0);
        } else {
            strio_cancel_scope *s = CONTAINER(m, strio_cancel_scope, timer);
            strio_scope_cancel(s);
        }
    }
}

static void run_hooks(strio_loop *loop)
{
    /* a plain load first: the common case writes nothing shared */
    if (atomic_load_explicit(&loop->notified, memory_order_relaxed) == 0 ||
        atomic_exchange(&loop->notified, 0) == 0)
        return;
    for (strio_hook *h = loop->hooks; h != NULL; h = h->next)
        h->run(h, loop);
}

static int backend_busy(const strio_loop *loop)
{
    return loop->backend != NULL && loop->backend->busy(loop->backend);
}

/* Nothing is ready: jump a virtual clock, or wait in the backend. */
static int idle(strio_loop *loop)
{
    strio_timer *m = strio_timer_min(&loop->timers);
    strio_time next = m != NULL ? m->when : STRIO_TIME_NEVER;
    strio_clock *clock = loop->clock;
    if (clock->idle != NULL) {
        /* Virtual time: real I/O in flight gets a short real wait first, so
         * a jump never beats a loopback reply (Trio's autojump threshold). */
        if (backend_busy(loop) || loop->hook_busy) {
            if (loop->backend != NULL)
                loop->backend->wait(loop->backend, loop,
                                    strio_loop_now(loop) + STRIO_MS(1));
            run_hooks(loop);
            if (loop->ready_head != NULL)
                return 0;
        }
        if (m != NULL && clock->idle(clock, next))
            return 0;
    }
    if (m == NULL && !backend_busy(loop) && !loop->hook_busy)
        return STRIO_ESTATE;      /* nothing can ever wake a task */
    if (loop->backend == NULL) {
        /* no backend to sleep in (nor to be notified through): spin */
        if (m == NULL)
            return STRIO_ESTATE;
        while (strio_loop_now(loop) < next &&
               atomic_load(&loop->notified) == 0)
            ;
        return 0;
    }
    return loop->backend->wait(loop->backend, loop, next);
}

int strio_loop_run(strio_loop *loop, strio_task *root)
{
    root->loop = loop;
    loop->root = root;
    loop->tasks++;
    strio__schedule(loop, root);
    /* Whether the batch about to run began right after the backend was
     * asked for I/O. While tasks stay ready, the backend is asked (without
     * waiting) before every second batch, not every one: a task that
     * completes a system call yields once (the call is a checkpoint), so
     * a connection's receive and send make two short batches per round
     * trip, and a poll() before each cost a system call per round trip
     * that found nothing (bench/echo.py). I/O is still seen within two
     * batches however long tasks keep yielding. */
    int fresh = 0;
    for (;;) {
        run_batch(loop);
        if (root->state == STRIO_TASK_DONE)
            return 0;
        fire_timers(loop);
        run_hooks(loop);
        if (loop->ready_head != NULL) {
            if (!fresh && backend_busy(loop)) {
                loop->backend->wait(loop->backend, loop,
                                    strio_loop_now(loop));   /* poll only */
                fresh = 1;
            } else {
                fresh = 0;
            }
            continue;
        }
        fresh = 1;
        int rc = idle(loop);
        if (rc < 0)
            return rc;
        fire_timers(loop);
        run_hooks(loop);
    }
}
