/*
 * Async code for test_workers.c: jobs run on the worker pool, as children
 * of a nursery, each inside its own (optionally time-limited) scope.
 */
#include <stdatomic.h>

#include <strio/strio.h>
#include <strio/posix.h>

/* Shared by the jobs of one test; written by the worker threads. */
struct wt_ctx {
    atomic_int gate;            /* jobs with `wait_gate` spin until set */
    atomic_int seq;             /* start/finish stamps */
    atomic_int running;         /* jobs inside fn right now */
    atomic_int max_running;
    atomic_int nstarted;
    int order[64];              /* job ids in the order they started */
};

struct wt_job {
    struct wt_ctx *ctx;
    int id;
    long input, output;
    long spin_us;               /* busy time in fn */
    int wait_gate;
    strio_time delay;           /* sleep before submitting */
    strio_time timeout;         /* > 0: move on after this long */
    int shield;                 /* await inside a shielded scope */
    int opener;                 /* no job: open ctx->gate after `delay` */
    strio_cancel_scope sc;
    int rc;                     /* strio_run_in_worker's result */
    int caught;
    atomic_int started, finished;   /* stamps from ctx->seq (0: not yet) */
    strio_time done_at;
    int usr1_blocked, segv_blocked;   /* the worker thread's signal mask */
};

void wt_job_fn(void *arg);

async int wt_job_child(strio_workers *w, struct wt_job *j)
{
    int rc = 0;
    strio_scope_enter(STRIO_SELF, &j->sc);
    if (j->timeout > 0)
        strio_scope_set_deadline(&j->sc,
                                 strio_task_now(STRIO_SELF) + j->timeout);
    if (j->delay > 0)
        rc = await strio_sleep(j->delay);
    if (rc == 0 && j->opener) {
        atomic_store(&j->ctx->gate, 1);
    } else if (rc == 0) {
        if (j->shield) {
            strio_cancel_scope shield;
            strio_scope_enter(STRIO_SELF, &shield);
            strio_scope_shield(&shield, 1);
            rc = await strio_run_in_worker(w, wt_job_fn, j);
            rc = strio_scope_exit(&shield, rc);
        } else {
            rc = await strio_run_in_worker(w, wt_job_fn, j);
        }
    }
    j->rc = rc;
    strio_scope_exit(&j->sc, rc);
    j->caught = j->sc.cancelled_caught;
    j->done_at = strio_task_now(STRIO_SELF);
    return 0;
}

/* Runs jobs[0..n) as children of `nursery`, slots from `pool`. */
async int wt_run_jobs(strio_workers *w, strio_pool *pool, strio_nursery *nursery,
                   struct wt_job *jobs, int n)
{
    strio_nursery_open(STRIO_SELF, nursery);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        struct wt_job_child_frame *f;
        rc = await strio_pool_get(pool, (void **)&f);
        if (rc == 0) {
            wt_job_child_start(f, w, &jobs[i]);
            strio_nursery_start(nursery, pool, f, wt_job_child_resume,
                                &f->strio_ret);
        }
    }
    return await strio_nursery_close(nursery, rc);
}

/* Job a is abandoned by its timeout while it still runs; then the gate
 * opens and job b needs a's slot (the pool has one). Returns whether a had
 * finished when its wait was abandoned (it must not have). */
async int wt_abandon_then_reuse(strio_workers *w, struct wt_ctx *ctx,
                             struct wt_job *a, struct wt_job *b)
{
    await wt_job_child(w, a);
    int a_finished = atomic_load(&a->finished) != 0;
    atomic_store(&ctx->gate, 1);
    await wt_job_child(w, b);
    return a_finished;
}
