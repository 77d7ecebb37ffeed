/*
 * strio/posix.h -- hosted (POSIX) pieces: the monotonic clock, the poll()
 * backend and the worker-thread pool.
 *
 * Hosted builds only (these need an OS); link with -pthread.
 *
 *     static STRIO_POLL(io, 1024);            // watch up to 1024 fds
 *     static STRIO_WORKERS(pool, 4, 16);      // 4 threads, 16 job slots
 *     static strio_clock mono;
 *     static strio_loop loop;
 *
 *     strio_monotonic_clock_init(&mono);
 *     if (STRIO_POLL_SETUP(io) < 0) ...      // -errno
 *     strio_loop_init(&loop, &mono, strio_poll_backend(&io.poll));
 *     if (STRIO_WORKERS_SETUP(pool, &loop) < 0) ...
 *     strio_loop_run(&loop, &root);
 *     strio_workers_close(&pool.workers);
 *     strio_poll_close(&io.poll);
 *
 *     // in annotated code (try the syscall first, wait only on EAGAIN):
 *     while ((n = read(fd, buf, sizeof buf)) < 0 && errno == EAGAIN)
 *         if ((rc = await strio_wait_readable(fd)) < 0)
 *             return rc;
 */
#ifndef STRIO_POSIX_H
#define STRIO_POSIX_H

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>

#include <strio/async.h>
#include <strio/loop.h>
#include <strio/task.h>
#include <strio/time.h>
#include <strio/waitq.h>

/* Makes `clock` read CLOCK_MONOTONIC. */
void strio_monotonic_clock_init(strio_clock *clock);

/* ======================================================================== */
/* The poll() backend                                                       */
/* ======================================================================== */

/*
 * One entry of the interest set, next to the `struct pollfd` of the same
 * index. Private to poll.c; declared so callers can provide the memory.
 */
typedef struct strio_poll_slot {
    strio_task *reader;         /* task in strio_wait_readable, or NULL */
    strio_task *writer;         /* task in strio_wait_writable, or NULL */
    int chain;                  /* next entry in the same hash bucket */
    int bucket;                 /* first entry of hash bucket #index */
} strio_poll_slot;

/*
 * The backend: poll() over caller-provided arrays of `capacity` entries.
 * Entry 0 holds the notification fd, so `capacity - 1` fds can be watched
 * at once. Registering interest costs no syscall: it sets bits in the
 * array, found through a small hash keyed by fd that lives in the slots.
 * An entry whose waiters all left keeps its fd (negated, so poll() skips
 * it) and is reused if the same fd is waited on again; the array is
 * compacted lazily, before a poll() where idle entries outnumber live ones,
 * or when a new fd finds the array full.
 *
 * One backend serves one loop. Threads: everything runs on the loop's
 * thread except the notification (strio_loop_notify / the backend's
 * `notify`), which any thread or a signal handler may call.
 *
 * Closing an fd while a task waits on it wakes the waiter with -EBADF at
 * the next poll(), unless a new file got the same number first: then the
 * wait watches that file (as in any poll() loop). Cancel the waiter
 * before closing.
 */
typedef struct strio_poll {
    strio_backend backend;      /* first; what strio_loop_init() takes */
    struct pollfd *fds;
    strio_poll_slot *slots;
    unsigned capacity;          /* entries in fds[] and slots[] */
    unsigned used;              /* entries in use, entry 0 included */
    unsigned idle;              /* entries in use with no waiter */
    unsigned waiters;           /* registered tasks */
    unsigned mask;              /* hash buckets - 1 (a power of two - 1) */
    int notify_rfd, notify_wfd; /* equal for an eventfd */
    atomic_int notify_pending;  /* a notification is in the fd, undrained */
    unsigned long polls;        /* poll() calls, for statistics and tests */
} strio_poll;

/*
 * Declares (at file scope or as a member) a poll backend watching up to
 * `n` fds with its arrays; STRIO_POLL_SETUP(name) initializes it.
 */
#define STRIO_POLL(name, n)                                               \
    struct {                                                              \
        strio_poll poll;                                                  \
        struct pollfd fds[(n) + 1];                                       \
        strio_poll_slot slots[(n) + 1];                                   \
    } name
#define STRIO_POLL_SETUP(p)                                               \
    strio_poll_init(&(p).poll, (p).fds, (p).slots,                        \
                    (unsigned)(sizeof (p).fds / sizeof (p).fds[0]))

/* Flags of strio_poll_init_flags(). */
enum { STRIO_POLL_SELF_PIPE = 1 };   /* self-pipe even where eventfd exists */

/*
 * Prepares `p` over `fds` and `slots` (`capacity` >= 2 entries each) and
 * creates its notification fd: an eventfd on Linux (EFD_NONBLOCK |
 * EFD_CLOEXEC), otherwise (or with STRIO_POLL_SELF_PIPE, or if eventfd
 * fails) a non-blocking, close-on-exec self-pipe. Returns 0 or -errno
 * (-EINVAL for a capacity below 2 or above INT_MAX / 2).
 */
int strio_poll_init(strio_poll *p, struct pollfd *fds, strio_poll_slot *slots,
                    unsigned capacity);
int strio_poll_init_flags(strio_poll *p, struct pollfd *fds,
                          strio_poll_slot *slots, unsigned capacity,
                          unsigned flags);

/* The backend to give strio_loop_init(). */
strio_backend *strio_poll_backend(strio_poll *p);

/*
 * Closes the notification fd(s). No task may be waiting on `p` and no
 * thread may notify it any more. Idempotent.
 */
void strio_poll_close(strio_poll *p);

/*
 * async int strio_wait_readable(int fd)
 * async int strio_wait_writable(int fd)
 *
 * Waits until `fd` is readable (POLLIN) or writable (POLLOUT), in the poll
 * backend of the task's loop. Meant for the EAGAIN path: try the syscall
 * first, wait only when it would block, then retry it. Returns
 *   0                ready, or POLLERR/POLLHUP reported: retry the syscall,
 *                    which then returns the data, end-of-file or the error;
 *   STRIO_ECANCELED  the task was in a cancelled scope when it started, or
 *                    was cancelled while waiting (interest withdrawn);
 *   STRIO_EBUSY      another task already waits on this fd in this
 *                    direction (one reader and one writer per fd at a time);
 *   -ENOMEM          every entry of the backend is in use (it watches
 *                    capacity - 1 fds: size it for the peak);
 *   -EBADF           fd < 0, or poll() said POLLNVAL (fd not open);
 *   STRIO_ESTATE     the task's loop has no poll backend.
 * A checkpoint: success and cancellation while waiting always follow a
 * suspension; the immediate errors above return at once without one.
 * Readiness that arrived before a cancellation wins (returns 0).
 */
STRIO_ASYNC_DECL(int strio_wait_readable(int fd))
struct strio_wait_readable_frame {
    unsigned short strio_state;
    int strio_ret;
    int fd;
};
void strio_wait_readable_start(struct strio_wait_readable_frame *f, int fd);
int strio_wait_readable_resume(void *f, strio_task *task);

STRIO_ASYNC_DECL(int strio_wait_writable(int fd))
struct strio_wait_writable_frame {
    unsigned short strio_state;
    int strio_ret;
    int fd;
};
void strio_wait_writable_start(struct strio_wait_writable_frame *f, int fd);
int strio_wait_writable_resume(void *f, strio_task *task);

/* ======================================================================== */
/* Worker threads                                                           */
/* ======================================================================== */

/*
 * A job slot. Private to workers.c; declared so callers can provide the
 * memory.
 */
typedef struct strio_job {
    void (*fn)(void *arg);
    void *arg;
    strio_task *waiter;         /* loop thread only; NULL once abandoned */
    struct strio_job *next;     /* free list, run queue or done list */
} strio_job;

/*
 * A fixed pool of threads running blocking calls that have no async form,
 * with a fixed number of job slots; completions are posted back to one
 * loop (strio_loop_notify + a hook), so that loop needs a backend that can
 * be notified (the poll backend). All caller memory; no heap.
 *
 * The threads start in init, with every asynchronous signal blocked (so
 * those are delivered to the loop's thread; faults such as SIGSEGV stay
 * deliverable), and are joined in close.
 */
typedef struct strio_workers {
    strio_hook hook;            /* registered with the loop */
    strio_loop *loop;
    pthread_t *threads;
    unsigned nthreads;          /* threads running */
    strio_job *jobs;
    unsigned njobs;
    /* loop thread only */
    strio_job *free_list;
    strio_waitq slot_waiters;   /* tasks waiting for a job slot (FIFO) */
    unsigned outstanding;       /* jobs submitted and not yet reaped */
    unsigned long completed;    /* jobs reaped, for statistics and tests */
    unsigned long abandoned;    /* jobs whose waiter was cancelled */
    /* shared with the threads */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    strio_job *queue_head, *queue_tail;   /* submitted, not yet started */
    int stopping;
    _Atomic(strio_job *) done;  /* finished, not yet reaped (lock-free) */
} strio_workers;

/* Declares a pool of `nthreads` threads and `njobs` job slots with its
 * memory; STRIO_WORKERS_SETUP(name, loop) initializes it. */
#define STRIO_WORKERS(name, nthreads, njobs)                              \
    struct {                                                              \
        strio_workers workers;                                            \
        pthread_t threads[nthreads];                                      \
        strio_job jobs[njobs];                                            \
    } name
#define STRIO_WORKERS_SETUP(p, loop)                                      \
    strio_workers_init(&(p).workers, (loop), (p).threads,                 \
                       (unsigned)(sizeof (p).threads / sizeof (p).threads[0]), \
                       (p).jobs,                                          \
                       (unsigned)(sizeof (p).jobs / sizeof (p).jobs[0]))

/*
 * Starts `nthreads` threads (>= 1) and prepares `njobs` job slots (>= 1),
 * serving tasks of `loop` (whose hook list gets the pool's hook). Loop
 * thread. Returns 0, -EINVAL (also for a loop without a backend that can
 * be notified), or -errno of pthread_create (the threads started so far
 * are joined again).
 */
int strio_workers_init(strio_workers *w, strio_loop *loop, pthread_t *threads,
                       unsigned nthreads, strio_job *jobs, unsigned njobs);

/*
 * Lets queued jobs finish, joins the threads, wakes any task still waiting
 * for a job (with 0 if its job ran) and takes the hook off the loop. Call
 * on the loop's thread when no task uses the pool any more (typically after
 * strio_loop_run() returned). Idempotent.
 */
void strio_workers_close(strio_workers *w);

/*
 * async int strio_run_in_worker(strio_workers *w, void (*fn)(void *arg),
 *                               void *arg)
 *
 * Runs fn(arg) on one of the pool's threads and completes when it has
 * returned; whatever fn produces travels through `arg`. While every job
 * slot is in use the call first waits for one (FIFO). Returns 0 (fn ran;
 * also when a cancellation arrived after it finished), STRIO_ECANCELED, or
 * STRIO_ESTATE (the task's loop is not the pool's).
 *
 * Cancellation abandons the wait, never the job: the task gets
 * STRIO_ECANCELED at once, while fn keeps running on its thread and its
 * slot is freed only when it returns. So `arg` and whatever fn touches must
 * stay valid until then: keep them outside the cancelled frame (in a
 * longer-lived object), or await inside a shielded cancel scope to make the
 * call uncancellable. Until every job has finished the loop counts the pool
 * as busy (loop->hook_busy), so it never reports a deadlock meanwhile.
 * fn must not call strio functions other than strio_loop_notify().
 */
STRIO_ASYNC_DECL(int strio_run_in_worker(strio_workers *w, void (*fn)(void *arg), void *arg))
struct strio_run_in_worker_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_workers *w;
    void (*fn)(void *arg);
    void *arg;
};
void strio_run_in_worker_start(struct strio_run_in_worker_frame *f,
                               strio_workers *w, void (*fn)(void *arg),
                               void *arg);
int strio_run_in_worker_resume(void *f, strio_task *task);

/* After strio_run_in_worker completed with an error: nonzero if the job
 * had been handed to a worker (it still runs to completion), zero if it
 * never will run. */
int strio_run_in_worker_submitted(const struct strio_run_in_worker_frame *f);

#endif
