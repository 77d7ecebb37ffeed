/*
 * strio/nursery.h -- nurseries and task pools (structured concurrency).
 *
 * A nursery is opened by a task, children are started in it, and the task
 * closes it with an await that returns only when every child has finished:
 * no task outlives the nursery that started it. The nursery has its own
 * cancel scope around its body and its children: the first failure (a
 * negative result other than cancellation) cancels it, so the siblings and
 * the body stop at their next checkpoint; close reports that first error
 * and counts the further ones.
 *
 * Children need a task slot and a frame: both come from a pool the caller
 * declares with a fixed capacity (STRIO_POOL). A full pool makes
 * strio_pool_try_get() fail with STRIO_EBUSY, while `await strio_pool_get()`
 * waits for a slot to free (backpressure). In annotated code:
 *
 *     STRIO_POOL(handlers, struct handler_frame, 64);   // file scope
 *
 *     strio_nursery n;
 *     strio_nursery_open(STRIO_SELF, &n);
 *     struct handler_frame *h;
 *     int rc = await strio_pool_get(&handlers.pool, (void **)&h);
 *     if (rc == 0) {
 *         handler_start(h, conn);
 *         strio_nursery_start(&n, &handlers.pool, h, handler_resume,
 *                             &h->strio_ret);
 *     }
 *     rc = await strio_nursery_close(&n, rc);
 *
 * A child's root function must return int (its error code).
 */
#ifndef STRIO_NURSERY_H
#define STRIO_NURSERY_H

#include <stddef.h>

#include <strio/cancel.h>
#include <strio/task.h>
#include <strio/waitq.h>

struct strio_nursery {
    strio_cancel_scope scope;   /* around the body and every child */
    strio_task *task;           /* the task that opened it */
    strio_nursery *outer;       /* the task's next open nursery */
    strio_task *children;       /* running children */
    strio_task *joiner;         /* the task parked in close */
    unsigned long count;        /* running children */
    int first_error;            /* first failure (0: none) */
    unsigned long more_errors;  /* failures after the first */
    unsigned char outer_cancel; /* a child stopped by an outer scope */
};

struct strio_pool {
    unsigned char *frames;      /* capacity * frame_size bytes */
    strio_task *tasks;          /* capacity slots */
    size_t frame_size;
    unsigned capacity, used;
    strio_task *free_list;      /* free slots, linked through `next` */
    strio_waitq waiters;        /* tasks waiting in strio_pool_get */
};

/*
 * Declares (at file scope or as a member) a pool of `n` slots for frames
 * of type `frame_type`; initialize it with STRIO_POOL_INIT(name) or
 * strio_pool_init(). The bytes it costs are sizeof(name), known at build
 * time.
 */
#define STRIO_POOL(name, frame_type, n)                                   \
    struct {                                                              \
        strio_pool pool;                                                  \
        strio_task tasks[n];                                              \
        frame_type frames[n];                                             \
    } name
#define STRIO_POOL_SETUP(p)                                               \
    strio_pool_init(&(p).pool, (p).tasks, (p).frames, sizeof (p).frames[0], \
                    sizeof (p).tasks / sizeof (p).tasks[0])

/* Prepares a pool over caller memory: `capacity` task slots and frames of
 * `frame_size` bytes each (suitably aligned for the frame type). */
void strio_pool_init(strio_pool *pool, strio_task *tasks, void *frames,
                     size_t frame_size, unsigned capacity);

/* Takes a free slot without waiting: returns its frame, or NULL when the
 * pool is full. The slot returns to the pool when the child started in it
 * finishes. */
void *strio_pool_try_get(strio_pool *pool);

/*
 * async int strio_pool_get(strio_pool *pool, void **frame)
 *
 * Takes a free slot, waiting (FIFO) while the pool is full; stores its
 * frame in *frame. Returns 0, or STRIO_ECANCELED (nothing taken).
 */
STRIO_ASYNC_DECL(int strio_pool_get(strio_pool *pool, void **frame))
struct strio_pool_get_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_pool *pool;
    void **frame;
};
void strio_pool_get_start(struct strio_pool_get_frame *f, strio_pool *pool,
                          void **frame);
int strio_pool_get_resume(void *f, strio_task *task);

/* Gives back a slot that was taken but never started. */
void strio_pool_put(strio_pool *pool, void *frame);

/* Opens `nursery` in `task` (inside the task's current scopes). */
void strio_nursery_open(strio_task *task, strio_nursery *nursery);

/*
 * Starts a child: `frame` (a slot of `pool`, already bound with the child
 * function's start function) runs as a new task of the nursery's loop,
 * `result` pointing at its int result (`&frame->strio_ret`). The child first
 * runs on the loop's next turn. Returns 0, or STRIO_ESTATE if the nursery is
 * already closed.
 */
int strio_nursery_start(strio_nursery *nursery, strio_pool *pool,
                        void *frame, strio_resume_fn resume, int *result);

/* Cancels the nursery's scope: every child and the body stop at their next
 * checkpoint; close then reports no error for it. */
void strio_nursery_cancel(strio_nursery *nursery);

/*
 * async int strio_nursery_close(strio_nursery *nursery, int body_rc)
 *
 * Ends the nursery's body: `body_rc` is the body's own result (a failure
 * there cancels the children too). Waits until every child has finished,
 * even when cancelled from outside (children are cancelled along), then
 * leaves the nursery's scope. Returns the first failure among the body and
 * the children (further ones counted in `more_errors`), STRIO_ECANCELED if
 * an outer scope cancelled the work, or 0.
 */
STRIO_ASYNC_DECL(int strio_nursery_close(strio_nursery *nursery, int body_rc))
struct strio_nursery_close_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_nursery *nursery;
    int body_rc;
};
void strio_nursery_close_start(struct strio_nursery_close_frame *f,
                               strio_nursery *nursery, int body_rc);
int strio_nursery_close_resume(void *f, strio_task *task);

#endif
