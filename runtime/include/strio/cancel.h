/*
 * strio/cancel.h -- cancel scopes (Trio semantics).
 *
 * A cancel scope is a caller-owned region of one task, nested inside the
 * task's other scopes; tasks started in a nursery are inside every scope
 * that encloses the nursery. Cancelling a scope (explicitly, or by its
 * deadline passing) makes every checkpoint inside it return
 * STRIO_ECANCELED, and interrupts any wait in progress there. A shielded
 * scope keeps cancellation of the scopes around it out.
 *
 * In annotated code a scope is a local (it stays in the frame) entered and
 * exited around the awaits it covers; the error travels back to the scope
 * as an ordinary return value, and exiting the scope that caused it turns
 * it back into "cancelled, carry on":
 *
 *     strio_cancel_scope sc;
 *     strio_move_on_after(STRIO_SELF, &sc, STRIO_MS(100));
 *     int rc = await fetch(conn);        // STRIO_ECANCELED if it timed out
 *     rc = strio_scope_exit(&sc, rc);    // 0 if this scope caused it
 *     if (sc.cancelled_caught) ...       // it timed out
 *
 * A "fail after" scope turns its own cancellation into STRIO_ETIMEDOUT.
 * Scopes must be exited in reverse order of entry, before the function
 * that entered them returns.
 */
#ifndef STRIO_CANCEL_H
#define STRIO_CANCEL_H

#include <strio/task.h>
#include <strio/timer.h>

struct strio_cancel_scope {
    strio_cancel_scope *parent;  /* enclosing scope (maybe another task's) */
    strio_task *task;            /* the task that entered it */
    strio_timer timer;           /* deadline */
    unsigned char cancel_called; /* cancelled, explicitly or by deadline */
    unsigned char cancelled_caught; /* exit swallowed its cancellation */
    unsigned char shield;
    unsigned char fail;          /* exit turns own cancellation into
                                    STRIO_ETIMEDOUT */
};

/* Enters `scope` (no deadline, not shielded) as the task's innermost. */
void strio_scope_enter(strio_task *task, strio_cancel_scope *scope);

/*
 * Leaves `scope`, which must be the task's innermost. `rc` is the result of
 * the work done inside; returns it unchanged, except STRIO_ECANCELED caused
 * by this scope becomes 0 (or STRIO_ETIMEDOUT for a fail scope) and sets
 * `cancelled_caught`. Out-of-order exit returns STRIO_ESTATE.
 */
int strio_scope_exit(strio_cancel_scope *scope, int rc);

/* Sets (or moves) the deadline; STRIO_TIME_NEVER removes it. A deadline
 * already passed cancels the scope at once. */
void strio_scope_set_deadline(strio_cancel_scope *scope, strio_time deadline);

/* Cancels the scope (idempotent; no effect once exited). */
void strio_scope_cancel(strio_cancel_scope *scope);

/* Shields (on != 0) or unshields the scope. Unshielding may deliver a
 * pending outer cancellation to waits inside it. */
void strio_scope_shield(strio_cancel_scope *scope, int on);

/* Enter-with-deadline helpers: move on (silently) or fail (with
 * STRIO_ETIMEDOUT) at an absolute time or after a duration. */
void strio_move_on_at(strio_task *task, strio_cancel_scope *scope,
                      strio_time deadline);
void strio_move_on_after(strio_task *task, strio_cancel_scope *scope,
                         strio_time duration);
void strio_fail_at(strio_task *task, strio_cancel_scope *scope,
                   strio_time deadline);
void strio_fail_after(strio_task *task, strio_cancel_scope *scope,
                      strio_time duration);

/* For the runtime: a scope was cancelled; interrupt the waits inside it. */
void strio_scope_deliver(strio_cancel_scope *scope);

#endif
