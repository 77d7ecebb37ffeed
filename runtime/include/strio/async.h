/*
 * strio/async.h -- the calling convention between generated state machines,
 * hand-written leaf operations and the scheduler.
 *
 * Every async function `R f(P1 a, P2 b)` (generated from the annotated
 * dialect, or written by hand as a leaf) is three things:
 *
 *   struct f_frame { unsigned short strio_state; R strio_ret; ... };
 *       Caller-owned storage for one activation. `strio_state` is 0 after
 *       start; `strio_ret` (absent when R is void) holds the result once the
 *       function has completed. Everything else is private to `f`.
 *
 *   void f_start(struct f_frame *frame, P1 a, P2 b);
 *       Binds the arguments into the frame. Runs none of the body.
 *
 *   int f_resume(void *frame, strio_task *task);
 *       Runs the body until it completes (returns STRIO_DONE, `strio_ret` is
 *       valid) or must wait (returns STRIO_PENDING after a leaf operation
 *       registered the task with whatever will wake it). Calling it again
 *       continues where it stopped. Never call it after STRIO_DONE.
 *
 * Frames never move between start and completion: a frame holds pointers
 * into itself (locals whose address was taken), so it must not be copied.
 * The `void *` frame parameter gives every resume function one type, so a
 * task can hold any root frame without knowing its layout.
 *
 * Headers announce async functions to generator.py with STRIO_ASYNC_DECL;
 * the C compiler sees nothing:
 *
 *   STRIO_ASYNC_DECL(int strio_checkpoint(void))
 *
 * Generated headers add STRIO_HAS_WHERE(name) (see strio_where_fn).
 */
#ifndef STRIO_ASYNC_H
#define STRIO_ASYNC_H

/* Read by generator.py when it scans included headers; expands to nothing. */
#define STRIO_ASYNC_DECL(...)
/* Marks a generated async function (it has a NAME_where function). */
#define STRIO_HAS_WHERE(name)

/* Return values of every resume function. */
#define STRIO_DONE 0
#define STRIO_PENDING 1

typedef struct strio_task strio_task;

/* Signature shared by all resume functions. */
typedef int (*strio_resume_fn)(void *frame, strio_task *task);

/*
 * The await stack of a suspended task. Every generated async function f
 * also gets `void f_where(const void *frame, strio_where_fn cb, void *arg)`,
 * which calls `cb` once per level, outermost first: the source position of
 * the await the frame is suspended in, the function's name and the callee
 * awaited there (NULL when the frame is not suspended in an await), then
 * descends into the callee's frame if it is generated too. Build with
 * -DSTRIO_NO_WHERE to leave these functions (and their strings) out.
 */
typedef void (*strio_where_fn)(void *arg, const char *file, int line,
                               const char *function, const char *callee);

#endif
