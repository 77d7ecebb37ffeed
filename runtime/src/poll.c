/* The poll() backend and the fd-readiness leaves (see strio/posix.h).
 * Hosted only: not part of the firmware core. */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/eventfd.h>
#define HAVE_EVENTFD 1
#endif

#include <strio/cancel.h>
#include <strio/loop.h>
#include <strio/posix.h>

enum { DIR_READ = 0, DIR_WRITE = 1 };

#define NONE (-1)

/* ---- the interest set --------------------------------------------------- */
/*
 * fds[0] is the notification fd; fds[1..used) are watched fds. Entry i
 * has slots[i].reader/.writer; fds[i].events mirrors which are set. An
 * entry without waiters is "idle": its fd is stored as ~fd (negative, so
 * poll() ignores it and reports nothing) and stays findable, so the next
 * wait on that fd reuses it without touching the hash.
 *
 * The hash (fd -> entry) is chained through the slots: bucket b's first
 * entry is slots[b].bucket, the next one in the chain slots[e].chain. Fds
 * are small dense integers, so `fd & mask` spreads them well.
 */

static int entry_fd(const strio_poll *p, int i)
{
    int fd = p->fds[i].fd;
    return fd >= 0 ? fd : ~fd;
}

static int *bucket_of(strio_poll *p, int fd)
{
    return &p->slots[(unsigned)fd & p->mask].bucket;
}

static int find(strio_poll *p, int fd)
{
    int i = *bucket_of(p, fd);
    while (i != NONE && entry_fd(p, i) != fd)
        i = p->slots[i].chain;
    return i;
}

/* The link (bucket head or chain field) that points at entry `i`. */
static int *link_to(strio_poll *p, int i)
{
    int *l = bucket_of(p, entry_fd(p, i));
    while (*l != i)
        l = &p->slots[*l].chain;
    return l;
}

/* Drops every idle entry: each is unlinked from the hash and the last
 * entry moves into its place (order does not matter to poll()). */
static void compact(strio_poll *p)
{
    int i = 1;
    while (p->idle > 0 && i < (int)p->used) {
        if (p->fds[i].events != 0) {
            i++;
            continue;
        }
        int *l = link_to(p, i);
        *l = p->slots[i].chain;
        p->idle--;
        int last = (int)p->used - 1;
        if (last != i) {
            *link_to(p, last) = i;
            p->fds[i] = p->fds[last];
            p->slots[i].reader = p->slots[last].reader;
            p->slots[i].writer = p->slots[last].writer;
            p->slots[i].chain = p->slots[last].chain;
        }
        p->used--;
    }
}

static short events_of(const strio_poll_slot *s)
{
    return (short)((s->reader != NULL ? POLLIN : 0) |
                   (s->writer != NULL ? POLLOUT : 0));
}

/* Recomputes entry i's events after a waiter came or went. */
static void update(strio_poll *p, int i)
{
    short ev = events_of(&p->slots[i]);
    int fd = entry_fd(p, i);
    if (ev == 0 && p->fds[i].events != 0)
        p->idle++;
    else if (ev != 0 && p->fds[i].events == 0)
        p->idle--;
    p->fds[i].events = ev;
    p->fds[i].fd = ev != 0 ? fd : ~fd;
    p->fds[i].revents = 0;
}

static int watch(strio_poll *p, int fd, int dir, strio_task *task)
{
    if (fd < 0)
        return -EBADF;
    int i = find(p, fd);
    if (i == NONE) {
        if (p->used == p->capacity)
            compact(p);
        if (p->used == p->capacity)
            return -ENOMEM;
        i = (int)p->used++;
        p->fds[i].fd = ~fd;
        p->fds[i].events = 0;
        p->fds[i].revents = 0;
        p->slots[i].reader = p->slots[i].writer = NULL;
        int *b = bucket_of(p, fd);
        p->slots[i].chain = *b;
        *b = i;
        p->idle++;                /* counted live by update() below */
    }
    strio_task **who = dir == DIR_READ ? &p->slots[i].reader
                                       : &p->slots[i].writer;
    if (*who != NULL)
        return STRIO_EBUSY;
    *who = task;
    p->waiters++;
    update(p, i);
    return 0;
}

static void unwatch(strio_poll *p, int fd, strio_task *task)
{
    int i = find(p, fd);
    if (i == NONE)
        return;
    strio_poll_slot *s = &p->slots[i];
    if (s->reader == task)
        s->reader = NULL;
    else if (s->writer == task)
        s->writer = NULL;
    else
        return;
    p->waiters--;
    update(p, i);
}

/* ---- notification --------------------------------------------------------- */

/* Async-signal-safe and thread-safe: an atomic flag and at most one
 * write() until the loop drains it; errno is preserved for signal
 * handlers. */
static void poll_notify(strio_backend *b)
{
    strio_poll *p = (strio_poll *)(void *)b;
    if (atomic_exchange(&p->notify_pending, 1) != 0)
        return;                   /* already in the fd, not yet drained */
    int saved = errno;
#ifdef HAVE_EVENTFD
    if (p->notify_rfd == p->notify_wfd) {
        uint64_t one = 1;
        ssize_t r = write(p->notify_wfd, &one, sizeof one);
        (void)r;                  /* EAGAIN: the counter is already > 0 */
        errno = saved;
        return;
    }
#endif
    char c = 0;
    ssize_t r = write(p->notify_wfd, &c, 1);
    (void)r;                      /* EAGAIN: the pipe is full, still wakes */
    errno = saved;
}

/* Empties the notification fd, then re-arms the flag. In this order, a
 * notify racing with the drain either finds the flag still set (and its
 * loop->notified is seen by the loop's run_hooks after this wait returns)
 * or writes again after the flag is cleared (and wakes the next poll). */
static void drain(strio_poll *p)
{
#ifdef HAVE_EVENTFD
    if (p->notify_rfd == p->notify_wfd) {
        uint64_t v;
        ssize_t r = read(p->notify_rfd, &v, sizeof v);
        (void)r;
        atomic_store(&p->notify_pending, 0);
        return;
    }
#endif
    char buf[64];
    while (read(p->notify_rfd, buf, sizeof buf) == (ssize_t)sizeof buf)
        ;
    atomic_store(&p->notify_pending, 0);
}

/* ---- the backend ------------------------------------------------------------ */

/* Milliseconds until `deadline` on the loop's clock, rounded up so the
 * loop wakes at or after the deadline and never spins; -1 for no limit. */
static int timeout_ms(strio_loop *loop, strio_time deadline)
{
    if (deadline == STRIO_TIME_NEVER)
        return -1;
    strio_time now = strio_loop_now(loop);
    if (deadline <= now)
        return 0;
    /* deadline > now, so the difference fits in 64 unsigned bits. */
    uint64_t d = (uint64_t)deadline - (uint64_t)now;
    if (d > (uint64_t)INT_MAX * 1000000)
        return INT_MAX;
    return (int)((d + 999999) / 1000000);
}

static void dispatch(strio_poll *p, int i, short re)
{
    strio_poll_slot *s = &p->slots[i];
    short bad = (short)(re & (POLLERR | POLLHUP | POLLNVAL));
    int result = (re & POLLNVAL) ? -EBADF : 0;
    int changed = 0;
    if (s->reader != NULL && (re & (POLLIN | bad))) {
        strio_task_wake(s->reader, result);
        s->reader = NULL;
        p->waiters--;
        changed = 1;
    }
    if (s->writer != NULL && (re & (POLLOUT | bad))) {
        strio_task_wake(s->writer, result);
        s->writer = NULL;
        p->waiters--;
        changed = 1;
    }
    if (changed)
        update(p, i);
}

static int poll_wait(strio_backend *b, strio_loop *loop, strio_time deadline)
{
    strio_poll *p = (strio_poll *)(void *)b;
    if (p->idle > 0 && p->idle * 2 >= p->used)
        compact(p);
    int timeout = timeout_ms(loop, deadline);
    p->polls++;
    int n = poll(p->fds, p->used, timeout);
    if (n < 0)
        return errno == EINTR ? 0 : -errno;   /* a signal: the loop re-checks */
    if (n > 0 && p->fds[0].revents != 0) {
        drain(p);
        n--;
    }
    /* Waking only queues tasks, so the array cannot change under us. */
    for (unsigned i = 1; n > 0 && i < p->used; i++) {
        short re = p->fds[i].revents;
        if (re == 0)
            continue;
        n--;
        dispatch(p, (int)i, re);
    }
    return 0;
}

static int poll_busy(strio_backend *b)
{
    return ((strio_poll *)(void *)b)->waiters != 0;
}

/* ---- setup ---------------------------------------------------------------- */

static int make_pipe(int fd[2])
{
#if defined(__linux__)
    if (pipe2(fd, O_NONBLOCK | O_CLOEXEC) == 0)
        return 0;
    if (errno != ENOSYS)
        return -errno;
#endif
    if (pipe(fd) < 0)
        return -errno;
    for (int k = 0; k < 2; k++) {
        int fl = fcntl(fd[k], F_GETFL);
        if (fl < 0 || fcntl(fd[k], F_SETFL, fl | O_NONBLOCK) < 0 ||
            fcntl(fd[k], F_SETFD, FD_CLOEXEC) < 0) {
            int e = errno;
            close(fd[0]);
            close(fd[1]);
            return -e;
        }
    }
    return 0;
}

int strio_poll_init_flags(strio_poll *p, struct pollfd *fds,
                          strio_poll_slot *slots, unsigned capacity,
                          unsigned flags)
{
    p->notify_rfd = p->notify_wfd = -1;
    if (capacity < 2 || capacity > INT_MAX / 2)
        return -EINVAL;
    int rfd = -1, wfd = -1;
#ifdef HAVE_EVENTFD
    if (!(flags & STRIO_POLL_SELF_PIPE))
        rfd = wfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
#endif
    (void)flags;
    if (rfd < 0) {
        int pfd[2];
        int rc = make_pipe(pfd);
        if (rc < 0)
            return rc;
        rfd = pfd[0];
        wfd = pfd[1];
    }
    p->backend.wait = poll_wait;
    p->backend.notify = poll_notify;
    p->backend.busy = poll_busy;
    p->fds = fds;
    p->slots = slots;
    p->capacity = capacity;
    p->used = 1;
    p->idle = 0;
    p->waiters = 0;
    unsigned nb = 1;
    while (nb * 2 <= capacity)
        nb *= 2;
    p->mask = nb - 1;
    for (unsigned i = 0; i < nb; i++)
        slots[i].bucket = NONE;
    slots[0].reader = slots[0].writer = NULL;
    slots[0].chain = NONE;
    fds[0].fd = rfd;
    fds[0].events = POLLIN;
    fds[0].revents = 0;
    p->notify_rfd = rfd;
    p->notify_wfd = wfd;
    atomic_init(&p->notify_pending, 0);
    p->polls = 0;
    return 0;
}

int strio_poll_init(strio_poll *p, struct pollfd *fds, strio_poll_slot *slots,
                    unsigned capacity)
{
    return strio_poll_init_flags(p, fds, slots, capacity, 0);
}

strio_backend *strio_poll_backend(strio_poll *p)
{
    return &p->backend;
}

void strio_poll_close(strio_poll *p)
{
    if (p->notify_rfd >= 0)
        close(p->notify_rfd);
    if (p->notify_wfd >= 0 && p->notify_wfd != p->notify_rfd)
        close(p->notify_wfd);
    p->notify_rfd = p->notify_wfd = -1;
}

/* ---- the leaves ------------------------------------------------------------- */

/* The loop's backend if it is a poll backend. (A future epoll backend
 * would be recognised here the same way.) */
static strio_poll *poll_of(strio_task *task)
{
    strio_backend *b = task->loop != NULL ? task->loop->backend : NULL;
    if (b == NULL || b->wait != poll_wait)
        return NULL;
    return (strio_poll *)(void *)b;
}

/* Cancelled while parked: withdraw the interest. wait_on points at the
 * frame's fd. */
static void fd_abort(strio_task *task)
{
    strio_poll *p = poll_of(task);
    if (p != NULL)
        unwatch(p, *(const int *)task->wait_on, task);
}

/* The body of both leaves, over their frames' members. */
static int wait_fd(unsigned short *state, int *ret, int *fd, strio_task *task,
                   int dir)
{
    if (*state == 0) {
        int rc;
        strio_poll *p = poll_of(task);
        if (strio_task_cancelled(task))
            rc = STRIO_ECANCELED;
        else if (p == NULL)
            rc = STRIO_ESTATE;
        else
            rc = watch(p, *fd, dir, task);
        if (rc < 0) {
            *ret = rc;
            return STRIO_DONE;
        }
        *state = 1;
        strio_task_park(task, fd_abort, fd);
        return STRIO_PENDING;
    }
    *ret = task->wake_result;   /* 0, -EBADF or STRIO_ECANCELED */
    return STRIO_DONE;
}

void strio_wait_readable_start(struct strio_wait_readable_frame *f, int fd)
{
    f->strio_state = 0;
    f->fd = fd;
}

int strio_wait_readable_resume(void *vf, strio_task *task)
{
    struct strio_wait_readable_frame *f = vf;
    return wait_fd(&f->strio_state, &f->strio_ret, &f->fd, task, DIR_READ);
}

void strio_wait_writable_start(struct strio_wait_writable_frame *f, int fd)
{
    f->strio_state = 0;
    f->fd = fd;
}

int strio_wait_writable_resume(void *vf, strio_task *task)
{
    struct strio_wait_writable_frame *f = vf;
    return wait_fd(&f->strio_state, &f->strio_ret, &f->fd, task, DIR_WRITE);
}
