/* The cancellation sweep (see sweep.h). */
#include <string.h>

#include <criterion/criterion.h>

#include "sweep.h"

static void on_suspend(strio_loop *loop, strio_task *task, void *arg)
{
    struct sweep_run *run = arg;
    (void)task;
    run->suspensions++;
    strio_cancel_scope *sc = run->target;
    if (sc == NULL || sc->task == NULL || run->cancelled)
        return;
    if (++run->counted == run->k) {
        run->cancelled = 1;
        run->cancelled_at = strio_loop_now(loop);
        strio_scope_cancel(sc);
    }
}

unsigned long sweep_cancellation(const struct sweep *s)
{
    unsigned long max = s->max_runs != 0 ? s->max_runs : 100000;
    const char *name = s->name != NULL ? s->name : "sweep";
    struct sweep_run run;

    for (unsigned long k = 1;; k++) {
        cr_assert_leq(k, max, "%s: still cancelled after %lu runs", name,
                      max);
        memset(&run, 0, sizeof run);
        strio_vclock_init(&run.vc, s->start, 1);
        strio_loop_init(&run.loop, &run.vc.clock, NULL);
        run.loop.on_suspend = on_suspend;
        run.loop.on_suspend_arg = &run;
        run.k = k;
        run.user = s->user;
        run.sweep = s;

        run.rc = s->scenario(&run);

        cr_assert_eq(run.rc, 0, "%s, k=%lu: loop returned %d (%s)", name, k,
                     run.rc, strio_strerror(run.rc));
        cr_assert_eq(run.loop.tasks, 0, "%s, k=%lu: %lu tasks left", name,
                     k, run.loop.tasks);
        cr_assert_null(run.loop.ready_head, "%s, k=%lu: ready queue not "
                       "empty", name, k);
        cr_assert_eq(run.loop.timers.count, 0, "%s, k=%lu: %lu timers still "
                     "armed", name, k, run.loop.timers.count);
        cr_assert_null(run.target, "%s, k=%lu: target scope never "
                       "unpublished", name, k);
        if (s->check != NULL)
            s->check(&run);
        if (!run.cancelled)
            return k;
    }
}
