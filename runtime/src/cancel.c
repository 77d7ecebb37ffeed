/* Cancel scopes (see strio/cancel.h). */
#include <stddef.h>

#include <strio/cancel.h>
#include <strio/loop.h>
#include <strio/nursery.h>

void strio_scope_enter(strio_task *task, strio_cancel_scope *scope)
{
    scope->parent = task->scope;
    scope->task = task;
    scope->timer.armed = 0;
    scope->timer.kind = STRIO_TIMER_SCOPE;
    scope->cancel_called = 0;
    scope->cancelled_caught = 0;
    scope->shield = 0;
    scope->fail = 0;
    task->scope = scope;
}

static void disarm(strio_cancel_scope *scope)
{
    if (scope->timer.armed)
        strio_timer_remove(&scope->task->loop->timers, &scope->timer);
}

int strio_scope_exit(strio_cancel_scope *scope, int rc)
{
    strio_task *task = scope->task;
    if (task == NULL || task->scope != scope)
        return STRIO_ESTATE;
    disarm(scope);
    task->scope = scope->parent;
    scope->task = NULL;           /* exited: cancel() no longer delivers */
    if (rc == STRIO_ECANCELED && scope->cancel_called) {
        scope->cancelled_caught = 1;
        rc = scope->fail ? STRIO_ETIMEDOUT : 0;
    }
    return rc;
}

void strio_scope_set_deadline(strio_cancel_scope *scope, strio_time deadline)
{
    if (scope->task == NULL || scope->cancel_called)
        return;
    disarm(scope);
    if (deadline == STRIO_TIME_NEVER)
        return;
    strio_loop *loop = scope->task->loop;
    if (loop == NULL || deadline <= strio_loop_now(loop)) {
        strio_scope_cancel(scope);
        return;
    }
    strio_timer_insert(&loop->timers, &scope->timer, deadline);
}

void strio_scope_cancel(strio_cancel_scope *scope)
{
    if (scope->cancel_called)
        return;
    scope->cancel_called = 1;
    if (scope->task == NULL)
        return;
    disarm(scope);
    strio_scope_deliver(scope);
}

void strio_scope_shield(strio_cancel_scope *scope, int on)
{
    scope->shield = (unsigned char)(on != 0);
    if (!on && scope->task != NULL)
        strio_scope_deliver(scope);
}

/* now + duration, saturated: STRIO_TIME_NEVER, or any duration reaching
 * past the end of time, means "no deadline", never a wrapped-around
 * deadline in the past (signed overflow). */
static strio_time after(const strio_task *task, strio_time duration)
{
    strio_time now = strio_task_now(task);
    if (duration == STRIO_TIME_NEVER ||
        (duration > 0 && now > STRIO_TIME_NEVER - duration))
        return STRIO_TIME_NEVER;
    if (duration < 0 && now < INT64_MIN - duration)
        return INT64_MIN;
    return now + duration;
}

static void enter_at(strio_task *task, strio_cancel_scope *scope,
                     strio_time deadline, int fail)
{
    strio_scope_enter(task, scope);
    scope->fail = (unsigned char)fail;
    strio_scope_set_deadline(scope, deadline);
}

void strio_move_on_at(strio_task *task, strio_cancel_scope *scope,
                      strio_time deadline)
{
    enter_at(task, scope, deadline, 0);
}

void strio_move_on_after(strio_task *task, strio_cancel_scope *scope,
                         strio_time duration)
{
    enter_at(task, scope, after(task, duration), 0);
}

void strio_fail_at(strio_task *task, strio_cancel_scope *scope,
                   strio_time deadline)
{
    enter_at(task, scope, deadline, 1);
}

void strio_fail_after(strio_task *task, strio_cancel_scope *scope,
                      strio_time duration)
{
    enter_at(task, scope, after(task, duration), 1);
}

/* ---- delivery --------------------------------------------------------------- */

/* Is `x` (a scope of s's task) nested inside `s`? */
static int inside(const strio_cancel_scope *x, const strio_cancel_scope *s)
{
    for (; x != NULL; x = x->parent) {
        if (x == s)
            return 1;
        if (x->task != s->task)
            return 0;
    }
    return 0;
}

static void interrupt(strio_task *t)
{
    if (t->state != STRIO_TASK_PARKED || t->abort == NULL ||
        !strio_task_cancelled(t))
        return;
    strio_abort_fn abort = t->abort;
    t->abort = NULL;
    abort(t);
    strio_task_wake(t, STRIO_ECANCELED);
}

/* `t` and every task started (transitively) by nurseries it has open
 * inside `s` (all of them when `s` is NULL). */
static void deliver_task(strio_task *t, const strio_cancel_scope *s)
{
    interrupt(t);
    for (strio_nursery *n = t->nurseries; n != NULL; n = n->outer) {
        if (s != NULL && !inside(&n->scope, s))
            continue;
        for (strio_task *c = n->children; c != NULL; c = c->sib_next)
            deliver_task(c, NULL);
    }
}

void strio_scope_deliver(strio_cancel_scope *scope)
{
    if (scope->task != NULL)
        deliver_task(scope->task, scope);
}
