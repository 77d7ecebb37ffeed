/*
 * sweep.h -- the cancellation sweep: run one scenario again and again,
 * cancelling it at every point where it can be cancelled, and check after
 * each run that nothing leaked.
 *
 * Cancellation is delivered at suspensions: a task can only notice it at a
 * checkpoint or while parked. So "every point" means every suspension. The
 * sweep counts suspensions with the loop's on_suspend hook (strio/loop.h)
 * and, in run k (k = 1, 2, ...), cancels the scenario's *target scope* at
 * the k-th suspension counted while that scope is entered. Each run starts
 * from scratch (fresh virtual clock with autojump, fresh loop); the sweep
 * stops after the first run that completed without being cancelled, i.e.
 * when k exceeds the number of suspensions the uncancelled scenario has.
 * Because the virtual clock makes every run deterministic, run k behaves
 * exactly like the uncancelled run up to its k-th suspension.
 *
 * Writing a scenario
 * ------------------
 * The async code (a .sc file) takes a `strio_cancel_scope **target`
 * argument (pass `&run->target`), enters its cancel scope around the
 * operation under test, publishes it, and unpublishes it before exiting:
 *
 *     strio_cancel_scope sc;
 *     strio_scope_enter(STRIO_SELF, &sc);
 *     *target = &sc;                           // counted from here
 *     out->rc = await strio_sleep(STRIO_MS(10));
 *     *target = NULL;                          // ...to here
 *     out->exit_rc = strio_scope_exit(&sc, out->rc);
 *
 * (Plain strio types on purpose: generated test code is compiled without
 * tests/unit on its include path, so it cannot include this header.) Only
 * suspensions of any task of the loop that happen while the target is
 * published count; the target may live in any task's frame.
 *
 * The scenario function (C) binds the root frame, passing `&run->target`
 * and whatever results structure `run->user` points at, and runs it in
 * the sweep's loop; it must (re)initialize everything it uses (pools,
 * result structures), since it runs once per k:
 *
 *     static int scenario(struct sweep_run *run)
 *     {
 *         struct sw_sleep_frame f;
 *         strio_task t;
 *         sw_sleep_start(&f, &run->target, run->user);
 *         strio_task_init(&t, sw_sleep_resume, &f, &f.strio_ret);
 *         return strio_loop_run(&run->loop, &t);
 *     }
 *
 * What is checked after every run (Criterion assertions naming the sweep
 * and k): the scenario returned 0 (no deadlock), no task is left
 * (loop.tasks == 0), the ready queue is empty, no timer is armed
 * (loop.timers.count == 0: every deadline and sleep was disarmed) and the
 * target was unpublished (the scope was exited). Then the scenario's own
 * check callback runs: results, pools released (pool.used == 0, no
 * waiters), flags. `run->cancelled` and `run->cancelled_at` say whether
 * and when (virtual time) this run was cancelled.
 *
 * Build: the Makefile compiles tests/unit/test_*.c only, so test_core.c
 * includes sweep.c once; other test files include just this header and
 * link against it (one unit-test binary).
 */
#ifndef STRIO_TEST_SWEEP_H
#define STRIO_TEST_SWEEP_H

#include <strio/strio.h>

struct sweep_run {
    strio_vclock vc;            /* fresh each run, autojump, at `start` */
    strio_loop loop;            /* fresh each run, on_suspend owned by the
                                   sweep: do not replace it */
    strio_cancel_scope *target; /* published by the scenario's async code */
    unsigned long k;            /* this run cancels at the k-th counted
                                   suspension */
    unsigned long counted;      /* suspensions while the target was
                                   published */
    unsigned long suspensions;  /* all suspensions of the run */
    int cancelled;              /* the sweep cancelled the target */
    strio_time cancelled_at;    /* ... at this virtual time */
    int rc;                     /* what the scenario function returned */
    void *user;                 /* sweep.user */
    const struct sweep *sweep;
};

struct sweep {
    const char *name;           /* for assertion messages */
    /* Sets up and runs the scenario in run->loop; returns
     * strio_loop_run()'s result. */
    int (*scenario)(struct sweep_run *run);
    /* Checks one finished run (may be NULL). Use cr_assert*, and put
     * run->k in messages. */
    void (*check)(struct sweep_run *run);
    void *user;                 /* handed to both as run->user */
    strio_time start;           /* virtual clock's start time */
    unsigned long max_runs;     /* safety bound; 0 means 100000 */
};

/*
 * Runs the sweep described by `s`: k = 1, 2, ... until a run is not
 * cancelled. Returns the number of runs, which is the number of
 * cancellation points plus one (the final, uncancelled run).
 */
unsigned long sweep_cancellation(const struct sweep *s);

#endif
