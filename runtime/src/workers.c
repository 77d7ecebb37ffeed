/* Worker threads for blocking calls (see strio/posix.h).
 * Hosted only: not part of the firmware core.
 *
 * A job slot goes round: free list (loop thread) -> run queue (mutex) ->
 * a worker runs fn -> done list (lock-free stack, pushed by workers) ->
 * reaped by the pool's hook on the loop thread, which wakes the waiting
 * task (unless it was cancelled and abandoned the job) and hands the slot
 * to the first task waiting for one, or back to the free list.
 *
 * The completion path of a worker is one compare-and-swap and
 * strio_loop_notify() (an atomic store and at most one write()): no lock,
 * async-signal-safe.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <strio/cancel.h>
#include <strio/loop.h>
#include <strio/posix.h>

#define CONTAINER(ptr, type, member) \
    ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* ---- the threads ------------------------------------------------------------- */

static void post_done(strio_workers *w, strio_job *job)
{
    strio_job *head = atomic_load_explicit(&w->done, memory_order_relaxed);
    do
        job->next = head;
    while (!atomic_compare_exchange_weak_explicit(
               &w->done, &head, job, memory_order_release,
               memory_order_relaxed));
    strio_loop_notify(w->loop);
}

static void *worker_main(void *arg)
{
    strio_workers *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (w->queue_head == NULL && !w->stopping)
            pthread_cond_wait(&w->cond, &w->lock);
        strio_job *job = w->queue_head;
        if (job == NULL)
            break;                  /* stopping, and the queue is empty */
        w->queue_head = job->next;
        if (w->queue_head == NULL)
            w->queue_tail = NULL;
        pthread_mutex_unlock(&w->lock);
        job->fn(job->arg);
        post_done(w, job);
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* ---- the loop side --------------------------------------------------------- */

static void busy_add(strio_workers *w)
{
    if (w->outstanding++ == 0)
        w->loop->hook_busy++;
}

static void busy_sub(strio_workers *w)
{
    if (--w->outstanding == 0)
        w->loop->hook_busy--;
}

/* A slot is free: the first task waiting for one gets it (FIFO, as its
 * index), else it goes back to the free list. */
static void release(strio_workers *w, strio_job *job)
{
    job->fn = NULL;
    job->arg = NULL;
    job->waiter = NULL;
    if (strio_waitq_wake_one(&w->slot_waiters, (int)(job - w->jobs)))
        return;
    job->next = w->free_list;
    w->free_list = job;
}

/* Reaps finished jobs, oldest first. */
static void reap(strio_workers *w)
{
    strio_job *list = atomic_exchange_explicit(&w->done, NULL,
                                               memory_order_acquire);
    strio_job *fifo = NULL;
    while (list != NULL) {         /* the stack is newest first */
        strio_job *n = list->next;
        list->next = fifo;
        fifo = list;
        list = n;
    }
    while (fifo != NULL) {
        strio_job *job = fifo;
        fifo = job->next;
        if (job->waiter != NULL)
            strio_task_wake(job->waiter, 0);
        else
            w->abandoned++;
        w->completed++;
        busy_sub(w);
        release(w, job);
    }
}

static void hook_run(strio_hook *hook, strio_loop *loop)
{
    (void)loop;
    reap(CONTAINER(hook, strio_workers, hook));
}

static void submit(strio_workers *w, strio_job *job, strio_task *task,
                   void (*fn)(void *), void *arg)
{
    job->fn = fn;
    job->arg = arg;
    job->waiter = task;
    job->next = NULL;
    busy_add(w);
    pthread_mutex_lock(&w->lock);
    if (w->queue_tail != NULL)
        w->queue_tail->next = job;
    else
        w->queue_head = job;
    w->queue_tail = job;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* Cancelled while its job runs: abandon the job (it still finishes and
 * frees its slot then). wait_on is the job. */
static void job_abort(strio_task *task)
{
    strio_job *job = task->wait_on;
    job->waiter = NULL;
}

/* ---- setup ------------------------------------------------------------------ */

static void stop_threads(strio_workers *w)
{
    pthread_mutex_lock(&w->lock);
    w->stopping = 1;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
    for (unsigned i = 0; i < w->nthreads; i++)
        pthread_join(w->threads[i], NULL);
    w->nthreads = 0;
}

int strio_workers_init(strio_workers *w, strio_loop *loop, pthread_t *threads,
                       unsigned nthreads, strio_job *jobs, unsigned njobs)
{
    w->loop = NULL;
    w->nthreads = 0;
    /* Completions arrive through strio_loop_notify(): a loop without a
     * backend that can be notified would never see them. */
    if (loop == NULL || loop->backend == NULL ||
        loop->backend->notify == NULL || nthreads == 0 || njobs == 0 ||
        njobs > INT32_MAX)
        return -EINVAL;
    int rc = pthread_mutex_init(&w->lock, NULL);
    if (rc != 0)
        return -rc;
    rc = pthread_cond_init(&w->cond, NULL);
    if (rc != 0) {
        pthread_mutex_destroy(&w->lock);
        return -rc;
    }
    w->loop = loop;
    w->threads = threads;
    w->jobs = jobs;
    w->njobs = njobs;
    w->free_list = NULL;
    for (unsigned i = njobs; i-- > 0;) {
        jobs[i].fn = NULL;
        jobs[i].arg = NULL;
        jobs[i].waiter = NULL;
        jobs[i].next = w->free_list;
        w->free_list = &jobs[i];
    }
    strio_waitq_init(&w->slot_waiters);
    w->outstanding = 0;
    w->completed = 0;
    w->abandoned = 0;
    w->queue_head = w->queue_tail = NULL;
    w->stopping = 0;
    atomic_init(&w->done, NULL);

    /* The threads inherit a mask blocking every asynchronous signal, so
     * those go to the loop's thread, never to a worker. Faults stay
     * deliverable (a blocked SIGSEGV would kill the process silently,
     * without the sanitizers' or a debugger's report). */
    sigset_t all, old;
    sigfillset(&all);
    static const int faults[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP,
                                  SIGSYS, SIGABRT };
    for (unsigned i = 0; i < sizeof faults / sizeof faults[0]; i++)
        sigdelset(&all, faults[i]);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    for (unsigned i = 0; i < nthreads; i++) {
        rc = pthread_create(&threads[i], NULL, worker_main, w);
        if (rc != 0)
            break;
        w->nthreads++;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        stop_threads(w);
        pthread_cond_destroy(&w->cond);
        pthread_mutex_destroy(&w->lock);
        w->loop = NULL;
        return -rc;
    }
    w->hook.run = hook_run;
    strio_loop_add_hook(loop, &w->hook);
    return 0;
}

void strio_workers_close(strio_workers *w)
{
    if (w->loop == NULL)
        return;
    stop_threads(w);              /* queued jobs run first */
    reap(w);                      /* every job has finished by now */
    strio_loop_remove_hook(w->loop, &w->hook);
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
    w->loop = NULL;
}

/* ---- the leaf ------------------------------------------------------------------- */

void strio_run_in_worker_start(struct strio_run_in_worker_frame *f,
                               strio_workers *w, void (*fn)(void *arg),
                               void *arg)
{
    f->strio_state = 0;
    f->w = w;
    f->fn = fn;
    f->arg = arg;
}

/* The frame's state once the job is in a worker's hands. */
enum { SUBMITTED = 2 };

int strio_run_in_worker_submitted(const struct strio_run_in_worker_frame *f)
{
    return f->strio_state == SUBMITTED;
}

int strio_run_in_worker_resume(void *vf, strio_task *task)
{
    struct strio_run_in_worker_frame *f = vf;
    strio_workers *w = f->w;
    strio_job *job;
    switch (f->strio_state) {
    case 0:
        if (strio_task_cancelled(task)) {
            f->strio_ret = STRIO_ECANCELED;
            return STRIO_DONE;
        }
        if (w->loop == NULL || w->loop != task->loop) {
            f->strio_ret = STRIO_ESTATE;
            return STRIO_DONE;
        }
        job = w->free_list;
        if (job == NULL) {
            f->strio_state = 1;   /* every slot in use: wait for one */
            strio_waitq_park(&w->slot_waiters, task);
            return STRIO_PENDING;
        }
        w->free_list = job->next;
        break;
    case 1:
        if (task->wake_result < 0) {   /* cancelled while waiting */
            f->strio_ret = task->wake_result;
            return STRIO_DONE;
        }
        /* The slot was handed to us. A cancellation that arrived since
         * (while we were ready, so it could not interrupt us) is delivered
         * here: pass the slot on, fn never ran. */
        job = &w->jobs[task->wake_result];
        if (strio_task_cancelled(task)) {
            release(w, job);
            f->strio_ret = STRIO_ECANCELED;
            return STRIO_DONE;
        }
        break;
    default:
        f->strio_ret = task->wake_result;   /* 0 or STRIO_ECANCELED */
        return STRIO_DONE;
    }
    submit(w, job, task, f->fn, f->arg);
    f->strio_state = SUBMITTED;
    strio_task_park(task, job_abort, job);
    return STRIO_PENDING;
}
