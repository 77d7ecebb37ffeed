/* Nurseries and task pools (see strio/nursery.h). */
#include <stddef.h>

#include <strio/loop.h>
#include <strio/nursery.h>

/* ---- pools ------------------------------------------------------------------ */

void strio_pool_init(strio_pool *pool, strio_task *tasks, void *frames,
                     size_t frame_size, unsigned capacity)
{
    pool->frames = frames;
    pool->tasks = tasks;
    pool->frame_size = frame_size;
    pool->capacity = capacity;
    pool->used = 0;
    pool->free_list = NULL;
    for (unsigned i = capacity; i-- > 0;) {
        tasks[i].state = STRIO_TASK_DONE;
        tasks[i].next = pool->free_list;
        pool->free_list = &tasks[i];
    }
    strio_waitq_init(&pool->waiters);
}

static void *slot_frame(strio_pool *pool, strio_task *slot)
{
    return pool->frames + (size_t)(slot - pool->tasks) * pool->frame_size;
}

static strio_task *frame_slot(strio_pool *pool, void *frame)
{
    size_t i = (size_t)((unsigned char *)frame - pool->frames) /
               pool->frame_size;
    return &pool->tasks[i];
}

void *strio_pool_try_get(strio_pool *pool)
{
    strio_task *slot = pool->free_list;
    if (slot == NULL)
        return NULL;
    pool->free_list = slot->next;
    slot->next = NULL;
    pool->used++;
    return slot_frame(pool, slot);
}

/* A freed slot goes straight to the first waiter (FIFO), as its index. */
static void release(strio_pool *pool, strio_task *slot)
{
    slot->state = STRIO_TASK_DONE;
    if (strio_waitq_wake_one(&pool->waiters, (int)(slot - pool->tasks)))
        return;
    pool->used--;
    slot->next = pool->free_list;
    pool->free_list = slot;
}

void strio_pool_put(strio_pool *pool, void *frame)
{
    release(pool, frame_slot(pool, frame));
}

void strio_pool_get_start(struct strio_pool_get_frame *f, strio_pool *pool,
                          void **frame)
{
    f->strio_state = 0;
    f->pool = pool;
    f->frame = frame;
}

int strio_pool_get_resume(void *vf, strio_task *task)
{
    struct strio_pool_get_frame *f = vf;
    switch (f->strio_state) {
    case 0:
        if (strio_task_cancelled(task)) {
            f->strio_ret = STRIO_ECANCELED;
            return STRIO_DONE;
        }
        *f->frame = strio_pool_try_get(f->pool);
        if (*f->frame != NULL) {
            f->strio_state = 2;     /* got one: still a checkpoint */
            strio_task_yield(task);
            return STRIO_PENDING;
        }
        f->strio_state = 1;
        strio_waitq_park(&f->pool->waiters, task);
        return STRIO_PENDING;
    case 1:
        if (task->wake_result < 0) {
            f->strio_ret = task->wake_result;
            return STRIO_DONE;
        }
        *f->frame = slot_frame(f->pool, &f->pool->tasks[task->wake_result]);
        f->strio_ret = 0;
        return STRIO_DONE;
    default:
        f->strio_ret = 0;
        return STRIO_DONE;
    }
}

/* ---- nurseries ---------------------------------------------------------------- */

void strio_nursery_open(strio_task *task, strio_nursery *n)
{
    strio_scope_enter(task, &n->scope);
    n->task = task;
    n->outer = task->nurseries;
    task->nurseries = n;
    n->children = NULL;
    n->joiner = NULL;
    n->count = 0;
    n->first_error = 0;
    n->more_errors = 0;
    n->outer_cancel = 0;
}

static void record(strio_nursery *n, int rc)
{
    if (rc >= 0)
        return;
    if (rc == STRIO_ECANCELED) {
        /* stopped by the nursery's own cancellation: not a failure */
        if (!n->scope.cancel_called)
            n->outer_cancel = 1;
        return;
    }
    if (n->first_error == 0)
        n->first_error = rc;
    else
        n->more_errors++;
    strio_scope_cancel(&n->scope);
}

int strio_nursery_start(strio_nursery *n, strio_pool *pool, void *frame,
                        strio_resume_fn resume, int *result)
{
    if (n->task == NULL)
        return STRIO_ESTATE;
    strio_task *t = frame_slot(pool, frame);
    strio_task_init(t, resume, frame, result);
    t->loop = n->task->loop;
    t->pool = pool;
    t->parent = n;
    t->scope = &n->scope;
    t->sib_prev = NULL;
    t->sib_next = n->children;
    if (n->children != NULL)
        n->children->sib_prev = t;
    n->children = t;
    n->count++;
    t->loop->tasks++;
    strio_loop_schedule(t->loop, t);
    return 0;
}

void strio__nursery_child_done(strio_nursery *n, strio_task *child);

void strio__nursery_child_done(strio_nursery *n, strio_task *child)
{
    if (child->sib_prev != NULL)
        child->sib_prev->sib_next = child->sib_next;
    else
        n->children = child->sib_next;
    if (child->sib_next != NULL)
        child->sib_next->sib_prev = child->sib_prev;
    n->count--;
    record(n, child->result != NULL ? *child->result : 0);
    if (child->pool != NULL)
        release(child->pool, child);
    if (n->count == 0 && n->joiner != NULL)
        strio_task_wake(n->joiner, 0);
}

void strio_nursery_cancel(strio_nursery *n)
{
    strio_scope_cancel(&n->scope);
}

void strio_nursery_close_start(struct strio_nursery_close_frame *f,
                               strio_nursery *n, int body_rc)
{
    f->strio_state = 0;
    f->nursery = n;
    f->body_rc = body_rc;
}

static int finish(strio_nursery *n, strio_task *task)
{
    task->nurseries = n->outer;
    n->joiner = NULL;
    strio_scope_exit(&n->scope, 0);
    n->task = NULL;
    if (n->first_error != 0)
        return n->first_error;
    if (n->outer_cancel || strio_task_cancelled(task))
        return STRIO_ECANCELED;
    return 0;
}

int strio_nursery_close_resume(void *vf, strio_task *task)
{
    struct strio_nursery_close_frame *f = vf;
    strio_nursery *n = f->nursery;
    switch (f->strio_state) {
    case 0:
        if (n->task != task || task->nurseries != n ||
            task->scope != &n->scope) {
            f->strio_ret = STRIO_ESTATE;
            return STRIO_DONE;
        }
        record(n, f->body_rc);
        f->strio_state = 1;
        if (n->count == 0) {
            strio_task_yield(task);        /* still a checkpoint */
            return STRIO_PENDING;
        }
        n->joiner = task;
        strio_task_park(task, NULL, n);    /* children finish first */
        return STRIO_PENDING;
    default:
        f->strio_ret = finish(n, task);
        return STRIO_DONE;
    }
}
