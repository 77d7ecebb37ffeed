/*
 * The poll() backend (runtime/src/poll.c): readiness on pipes and socket
 * pairs, cancellation, the one-waiter-per-direction rule, a full interest
 * set, hundreds of fds, notification from threads and signal handlers, two
 * loops at once, timeout rounding, and a cancellation sweep.
 *
 * Most tests use the virtual clock with autojump: timeouts are exact and
 * take no real time. The real clock appears only where the point is
 * blocking in poll() itself.
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <strio/strio.h>
#include <strio/posix.h>

#include "poll_tasks.h"

/* ---- helpers ------------------------------------------------------------- */

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    cr_assert_not_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1;                 /* the directory's own fd */
}

static void nb_pipe(int fd[2])
{
    cr_assert_eq(pipe2(fd, O_NONBLOCK | O_CLOEXEC), 0, "pipe2: %s",
                 strerror(errno));
}

static void nb_socketpair(int sv[2])
{
    cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
                            SOCK_CLOEXEC, 0, sv), 0);
}

static void close2(int fd[2])
{
    close(fd[0]);
    close(fd[1]);
}

/* Writes into a non-blocking fd until it would block; returns the bytes. */
static long fill(int fd)
{
    static char junk[65536];
    long total = 0;
    ssize_t r;
    while ((r = write(fd, junk, sizeof junk)) > 0)
        total += r;
    while ((r = write(fd, junk, 1)) > 0)
        total += r;
    cr_assert_eq(errno, EAGAIN);
    return total;
}

static strio_time real_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (strio_time)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_ns(strio_time ns)
{
    struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Everything a test run needs besides the backend and the pool. */
struct runner {
    strio_vclock vc;
    strio_clock mono;
    strio_loop loop;
    strio_nursery nursery;
    struct pt_run_ops_frame frame;
    strio_task task;
};

static void runner_init(struct runner *r, strio_poll *p, int real_clock)
{
    strio_vclock_init(&r->vc, 0, 1);
    strio_monotonic_clock_init(&r->mono);
    strio_loop_init(&r->loop, real_clock ? &r->mono : &r->vc.clock,
                    strio_poll_backend(p));
}

/* Runs ops as a nursery on r's loop; returns the loop's result, pt_run_ops'
 * result in *ret. Asserts nothing (usable off the main thread). */
static int runner_run(struct runner *r, strio_pool *pool, struct pt_op *ops,
                      int n, int *ret)
{
    for (int i = 0; i < n; i++) {
        ops[i].result = 12345;
        ops[i].sc.task = NULL;
        ops[i].entered = 0;
    }
    pt_run_ops_start(&r->frame, pool, &r->nursery, ops, n);
    strio_task_init(&r->task, pt_run_ops_resume, &r->frame,
                    &r->frame.strio_ret);
    int rc = strio_loop_run(&r->loop, &r->task);
    *ret = r->frame.strio_ret;
    return rc;
}

static int runner_go(struct runner *r, strio_pool *pool, struct pt_op *ops,
                     int n)
{
    int ret;
    int rc = runner_run(r, pool, ops, n, &ret);
    cr_assert_eq(rc, 0, "loop: %s", strio_strerror(rc));
    return ret;
}

/* The hash finds every entry, and holds nothing else. */
static void check_hash(const strio_poll *p)
{
    unsigned members = 0;
    for (unsigned b = 0; b <= p->mask; b++)
        for (int i = p->slots[b].bucket; i != -1; i = p->slots[i].chain) {
            cr_assert(i >= 1 && (unsigned)i < p->used, "bad entry %d", i);
            int fd = p->fds[i].fd >= 0 ? p->fds[i].fd : ~p->fds[i].fd;
            cr_assert_eq((unsigned)fd & p->mask, b, "fd %d in bucket %u", fd, b);
            cr_assert(++members < p->used, "hash cycle");
        }
    cr_assert_eq(members, p->used - 1);
}

/* Nobody waits: no interest left in the array, and the books agree. */
static void check_clean(const strio_poll *p, const strio_loop *loop)
{
    cr_assert_eq(p->waiters, 0);
    cr_assert_eq(p->backend.busy((strio_backend *)&p->backend), 0);
    unsigned idle = 0;
    for (unsigned i = 1; i < p->used; i++) {
        cr_assert_null(p->slots[i].reader, "entry %u", i);
        cr_assert_null(p->slots[i].writer, "entry %u", i);
        cr_assert_eq(p->fds[i].events, 0);
        cr_assert_lt(p->fds[i].fd, 0);
        idle++;
    }
    cr_assert_eq(idle, p->idle);
    check_hash(p);
    cr_assert_eq(loop->tasks, 0);
    cr_assert_eq(loop->timers.count, 0);
    cr_assert_eq(loop->hook_busy, 0);
}

static STRIO_POLL(io, 1100);
static STRIO_POOL(kids, struct pt_op_child_frame, 1100);

static void setup(void)
{
    cr_assert_eq(STRIO_POLL_SETUP(io), 0);
    STRIO_POOL_SETUP(kids);
}

static void teardown(void)
{
    strio_poll_close(&io.poll);
}

/* ---- setup and teardown ------------------------------------------------------ */

Test(poll, init_and_close_keep_fds_balanced, .timeout = 2)
{
    static STRIO_POLL(p, 4);
    int before = count_fds();
    cr_assert_eq(STRIO_POLL_SETUP(p), 0);
#ifdef __linux__
    cr_assert_eq(count_fds(), before + 1, "one eventfd");
    cr_assert_eq(p.poll.notify_rfd, p.poll.notify_wfd);
#endif
    cr_assert(fcntl(p.poll.notify_rfd, F_GETFD) & FD_CLOEXEC);
    cr_assert(fcntl(p.poll.notify_rfd, F_GETFL) & O_NONBLOCK);
    strio_poll_close(&p.poll);
    strio_poll_close(&p.poll);                 /* idempotent */
    cr_assert_eq(count_fds(), before);

    cr_assert_eq(strio_poll_init_flags(&p.poll, p.fds, p.slots, 5,
                                       STRIO_POLL_SELF_PIPE), 0);
    cr_assert_eq(count_fds(), before + 2, "a self-pipe");
    cr_assert_neq(p.poll.notify_rfd, p.poll.notify_wfd);
    cr_assert(fcntl(p.poll.notify_wfd, F_GETFL) & O_NONBLOCK);
    strio_poll_close(&p.poll);
    cr_assert_eq(count_fds(), before);

    cr_assert_eq(strio_poll_init(&p.poll, p.fds, p.slots, 1), -EINVAL);
    cr_assert_eq(count_fds(), before);
}

/* ---- readiness ----------------------------------------------------------------- */

Test(poll, pipe_becomes_readable, .init = setup, .fini = teardown, .timeout = 2)
{
    struct runner r;
    int pf[2];
    char in[8] = { 0 };
    nb_pipe(pf);
    runner_init(&r, &io.poll, 0);
    struct pt_op ops[] = {
        { .kind = PT_READ, .fd = pf[0], .buf = in, .n = 5 },
        { .kind = PT_WRITE, .fd = pf[1], .buf = "hello", .n = 5,
          .delay = STRIO_MS(2), .gap = STRIO_MS(1) },
    };
    cr_assert_eq(runner_go(&r, &kids.pool, ops, 2), 0);
    cr_assert_eq(ops[0].result, 5);
    cr_assert_str_eq(in, "hello");
    cr_assert_eq(ops[1].result, 5);
    cr_assert_eq(ops[0].done_at, STRIO_MS(6), "the last byte came at 6 ms");
    cr_assert_eq(io.poll.used, 2, "one fd watched, one entry reused");
    check_clean(&io.poll, &r.loop);
    close2(pf);
}

Test(poll, socketpair_ping_pong, .init = setup, .fini = teardown, .timeout = 2)
{
    struct runner r;
    int sv[2];
    nb_socketpair(sv);
    runner_init(&r, &io.poll, 0);
    struct pt_op ops[] = {
        { .kind = PT_PING, .fd = sv[0], .n = 200 },
        { .kind = PT_PONG, .fd = sv[1], .n = 200 },
    };
    cr_assert_eq(runner_go(&r, &kids.pool, ops, 2), 0);
    cr_assert_eq(ops[0].result, 200);
    cr_assert_eq(ops[1].result, 200);
    cr_assert_eq(r.vc.t, 0, "no virtual time passed");
    cr_assert_leq(io.poll.used, 3);
    check_clean(&io.poll, &r.loop);
    close2(sv);
}

static unsigned max_used;
static void sample_used(strio_loop *loop, strio_task *task, void *arg)
{
    (void)loop;
    (void)task;
    strio_poll *p = arg;
    if (p->used > max_used)
        max_used = p->used;
    check_hash(p);
}

Test(poll, reader_and_writer_share_one_entry, .init = setup, .fini = teardown,
     .timeout = 2)
{
    struct runner r;
    int sv[2];
    nb_socketpair(sv);
    long filled = fill(sv[0]);
    runner_init(&r, &io.poll, 0);
    r.loop.on_suspend = sample_used;
    r.loop.on_suspend_arg = &io.poll;
    max_used = 0;
    struct pt_op ops[] = {
        { .kind = PT_WAIT_W, .fd = sv[0] },
        { .kind = PT_WAIT_R, .fd = sv[0] },
        { .kind = PT_DRAIN, .fd = sv[1], .delay = STRIO_MS(3) },
        { .kind = PT_WRITE, .fd = sv[1], .buf = "a", .n = 1,
          .delay = STRIO_MS(5) },
    };
    cr_assert_eq(runner_go(&r, &kids.pool, ops, 4), 0);
    cr_assert_eq(ops[0].result, 0);
    cr_assert_eq(ops[0].done_at, STRIO_MS(3));
    cr_assert_eq(ops[1].result, 0);
    cr_assert_eq(ops[1].done_at, STRIO_MS(5));
    cr_assert_eq(ops[2].result, filled);
    cr_assert_eq(max_used, 2, "both directions in the one entry of sv[0]");
    check_clean(&io.poll, &r.loop);
    close2(sv);
}

Test(poll, wait_writable_on_a_full_pipe, .init = setup, .fini = teardown,
     .timeout = 2)
{
    struct runner r;
    int pf[2];
    nb_pipe(pf);
    long filled = fill(pf[1]);
    static char big[300000], sink[300000];
    memset(big, 'b', sizeof big);
    runner_init(&r, &io.poll, 0);
    struct pt_op ops[] = {
        { .kind = PT_WAIT_W, .fd = pf[1] },
        { .kind = PT_DRAIN, .fd = pf[0], .delay = STRIO_MS(4) },
    };
    cr_assert_eq(runner_go(&r, &kids.pool, ops, 2), 0);
    cr_assert_eq(ops[0].result, 0);
    cr_assert_eq(ops[0].done_at, STRIO_MS(4), "writable only once drained");
    cr_assert_eq(ops[1].result, filled);
    check_clean(&io.poll, &r.loop);

    /* A large write against a reader: each side waits for the other. */
    struct pt_op ops2[] = {
        { .kind = PT_SEND, .fd = pf[1], .buf = big, .n = (int)sizeof big },
        { .kind = PT_READ, .fd = pf[0], .buf = sink, .n = (int)sizeof sink },
    };
    cr_assert_eq(runner_go(&r, &kids.pool, ops2, 2), 0);
    cr_assert_eq(ops2[0].result, (int)sizeof big);
    cr_assert_eq(ops2[1].result, (int)sizeof sink);
    cr_assert_eq(memcmp(big, sink, sizeof big), 0);
    check_clean(&io.poll, &r.loop);
    close2(pf);
}

/* ---- cancellation and the rules ---------------------------------------------- */

Test(poll, cancelled_wait_withdraws_interest, .init = setup, .fini = teardown,
     .timeout = 2)
{
    struct runner r;
    int p1[2], p2[2];
    int before = count_fds();
    nb_pipe(p1);
    nb_pipe(p2);
    long filled = fill(p2[1]);
    runner_init(&r, &io.poll, 0);
    struct pt_op ops[] = {
        { .kind = PT_WAIT_R, .fd = p1[0], .timeout = STRIO_MS(5) },
        { .kind = PT_WAIT_W, .fd = p2[1], .timeout = STRIO_MS(7) },
    };
    cr_assert_eq(runner_go(&r, &kids.pool, ops, 2), 0);
    cr_assert_eq(ops[0].result, STRIO_ECANCELED);
    cr_assert_eq(ops[0].caught, 1);
    cr_assert_eq(ops[0].done_at, STRIO_MS(5));
    cr_assert_eq(ops[1].result, STRIO_ECANCELED);
    cr_assert_eq(ops[1].caught, 1);
    cr_assert_eq(ops[1].done_at, STRIO_MS(7));
    check_clean(&io.poll, &r.loop);
    cr_assert_leq(io.poll.used, 3);

    /* The same fds wait again, this time until they are ready. */
    struct pt_op again[] = {
        { .kind = PT_WAIT_R, .fd = p1[0] },
        { .kind = PT_WAIT_W, .fd = p2[1] },
        { .kind = PT_WRITE, .fd = p1[1], .buf = "z", .n = 1,
          .delay = STRIO_MS(1) },
        { .kind = PT_DRAIN, .fd = p2[0], .delay = STRIO_MS(2) },
    };
    runner_init(&r, &io.poll, 0);
    cr_assert_eq(runner_go(&r, &kids.pool, again, 4), 0);
    cr_assert_eq(again[0].result, 0);
    cr_assert_eq(again[0].done_at, STRIO_MS(1));
    cr_assert_eq(again[1].result, 0);
    cr_assert_eq(again[1].done_at, STRIO_MS(2));
    cr_assert_eq(again[3].result, filled);
    cr_assert_leq(io.poll.used, 3);
    check_clean(&io.poll, &r.loop);
    close2(p1);
    close2(p2);
    cr_assert_eq(count_fds(), before);
}

Test(poll, cancelled_before_waiting_is_immediate, .init = setup,
     .fini = teardown, .timeout = 2)
{
    strio_vclock vc;
    strio_loop loop;
    strio_cancel_scope sc;
    struct strio_wait_readable_frame f;
    strio_task t;
    int pf[2];
    nb_pipe(pf);
    strio_vclock_init(&vc, 0, 1);
    strio_loop_init(&loop, &vc.clock, strio_poll_backend(&io.poll));
    strio_wait_readable_start(&f, pf[0]);
    strio_task_init(&t, strio_wait_readable_resume, &f, &f.strio_ret);
    strio_scope_enter(&t, &sc);
    strio_scope_cancel(&sc);
    cr_assert_eq(strio_loop_run(&loop, &t), 0);
    cr_assert_eq(f.strio_ret, STRIO_ECANCELED);
    cr_assert_eq(t.switches, 0, "returned without suspending");
    cr_assert_eq(io.poll.used, 1, "nothing registered");
    cr_assert_eq(io.poll.polls, 0);
    check_clean(&io.poll, &loop);
    close2(pf);
}

Test(poll, second_waiter_same_direction_is_busy, .init = setup,
     .fini = teardown, .timeout = 2)
{
    struct runner r;
    int pf[2];
    nb_pipe(pf);
    runner_init(&r, &io.poll, 0);
    struct pt_op ops[] = {
        { .kind = PT_WAIT_R, .fd = pf[0] },
        { .kind = PT_WAIT_R, .fd = pf[0], .delay = STRIO_MS(1) },
        { .kind = PT_WRITE, .fd = pf[1], .buf = "x", .n = 1,
          .delay = STRIO_MS(4) },
        { .kind = PT_WAIT_R, .fd = pf[0], .delay = STRIO_MS(6) },
    };
    cr_assert_eq(runner_go(&r, &kids.pool, ops, 4), 0);
    cr_assert_eq(ops[0].result, 0);
    cr_assert_eq(ops[0].done_at, STRIO_MS(4));
    cr_assert_eq(ops[1].result, STRIO_EBUSY);
    cr_assert_eq(ops[1].done_at, STRIO_MS(1), "at once");
    cr_assert_eq(ops[3].result, 0, "free again once the first left");
    cr_assert_eq(ops[3].done_at, STRIO_MS(6));
    check_clean(&io.poll, &r.loop);
    close2(pf);
}

Test(poll, full_interest_set_gives_enomem, .timeout = 2)
{
    static STRIO_POLL(small, 2);
    static STRIO_POOL(few, struct pt_op_child_frame, 4);
    struct runner r;
    int a[2], b[2], c[2], d[2];
    cr_assert_eq(STRIO_POLL_SETUP(small), 0);
    STRIO_POOL_SETUP(few);
    nb_pipe(a);
    nb_pipe(b);
    nb_pipe(c);
    nb_pipe(d);
    runner_init(&r, &small.poll, 0);
    struct pt_op ops[] = {
        { .kind = PT_WAIT_R, .fd = a[0], .timeout = STRIO_MS(5) },
        { .kind = PT_WAIT_R, .fd = b[0], .timeout = STRIO_MS(5) },
        { .kind = PT_WAIT_R, .fd = c[0], .delay = STRIO_MS(1) },
        { .kind = PT_WAIT_R, .fd = -1 },
    };
    cr_assert_eq(runner_go(&r, &few.pool, ops, 4), 0);
    cr_assert_eq(ops[0].result, STRIO_ECANCELED);
    cr_assert_eq(ops[1].result, STRIO_ECANCELED);
    cr_assert_eq(ops[2].result, -ENOMEM);
    cr_assert_eq(ops[2].done_at, STRIO_MS(1));
    cr_assert_eq(ops[3].result, -EBADF);
    cr_assert_eq(small.poll.used, 3, "two idle entries kept for reuse");
    check_clean(&small.poll, &r.loop);

    /* Two new fds: the idle entries are compacted away to make room. */
    struct pt_op more[] = {
        { .kind = PT_WAIT_R, .fd = c[0] },
        { .kind = PT_WAIT_R, .fd = d[0] },
        { .kind = PT_WRITE, .fd = c[1], .buf = "c", .n = 1,
          .delay = STRIO_MS(1) },
        { .kind = PT_WRITE, .fd = d[1], .buf = "d", .n = 1,
          .delay = STRIO_MS(2) },
    };
    runner_init(&r, &small.poll, 0);
    cr_assert_eq(runner_go(&r, &few.pool, more, 4), 0);
    cr_assert_eq(more[0].result, 0);
    cr_assert_eq(more[0].done_at, STRIO_MS(1));
    cr_assert_eq(more[1].result, 0);
    cr_assert_eq(more[1].done_at, STRIO_MS(2));
    check_clean(&small.poll, &r.loop);
    close2(a);
    close2(b);
    close2(c);
    close2(d);
    strio_poll_close(&small.poll);
}

Test(poll, hangup_error_and_closed_fd_wake_the_waiter, .init = setup,
     .fini = teardown, .timeout = 2)
{
    struct runner r;
    int hup[2], err[2], nval[2];
    char in[4];
    nb_pipe(hup);
    nb_pipe(err);
    nb_pipe(nval);
    fill(err[1]);
    runner_init(&r, &io.poll, 0);
    struct pt_op ops[] = {
        /* the writer closes: POLLHUP, and read() then says end of file */
        { .kind = PT_READ, .fd = hup[0], .buf = in, .n = 4 },
        { .kind = PT_CLOSE, .fd = hup[1], .delay = STRIO_MS(1) },
        /* the reader closes under a blocked writer: POLLERR */
        { .kind = PT_WAIT_W, .fd = err[1] },
        { .kind = PT_CLOSE, .fd = err[0], .delay = STRIO_MS(2) },
        /* the fd itself is closed while waited on: POLLNVAL */
        { .kind = PT_WAIT_R, .fd = nval[0] },
        { .kind = PT_CLOSE, .fd = nval[0], .delay = STRIO_MS(3) },
    };
    cr_assert_eq(runner_go(&r, &kids.pool, ops, 6), 0);
    cr_assert_eq(ops[0].result, 0, "end of file");
    cr_assert_eq(ops[0].done_at, STRIO_MS(1));
    cr_assert_eq(ops[2].result, 0, "retrying write() would say EPIPE");
    cr_assert_eq(ops[2].done_at, STRIO_MS(2));
    cr_assert_eq(ops[4].result, -EBADF);
    cr_assert_eq(ops[4].done_at, STRIO_MS(3));
    check_clean(&io.poll, &r.loop);
    close(hup[0]);
    close(err[1]);
    close(nval[1]);
}

Test(poll, loop_without_poll_backend_is_a_state_error, .timeout = 2)
{
    strio_vclock vc;
    strio_loop loop;
    struct strio_wait_readable_frame f;
    strio_task t;
    strio_vclock_init(&vc, 0, 1);
    strio_loop_init(&loop, &vc.clock, NULL);
    strio_wait_readable_start(&f, 0);
    strio_task_init(&t, strio_wait_readable_resume, &f, &f.strio_ret);
    cr_assert_eq(strio_loop_run(&loop, &t), 0);
    cr_assert_eq(f.strio_ret, STRIO_ESTATE);
}

/* ---- scale ---------------------------------------------------------------------- */

#define NPIPES 500

static unsigned long samples;
static void sample_every(strio_loop *loop, strio_task *task, void *arg)
{
    (void)loop;
    (void)task;
    strio_poll *p = arg;
    if (p->used > max_used)
        max_used = p->used;
    if (++samples % 97 == 0)
        check_hash(p);
}

Test(poll, five_hundred_pipes, .init = setup, .fini = teardown, .timeout = 2)
{
    struct rlimit rl;
    cr_assert_eq(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_cur < 2 * NPIPES + 64) {
        if (rl.rlim_max < 2 * NPIPES + 64)
            cr_skip_test("RLIMIT_NOFILE hard limit %lu too low",
                         (unsigned long)rl.rlim_max);
        rl.rlim_cur = 2 * NPIPES + 64;
        cr_assert_eq(setrlimit(RLIMIT_NOFILE, &rl), 0);
    }
    static int pf[NPIPES][2];
    static struct pt_op ops[2 * NPIPES];
    static char in[NPIPES][4];
    static const char msg[] = "abc";
    int before = count_fds();
    for (int i = 0; i < NPIPES; i++)
        nb_pipe(pf[i]);
    cr_assert_eq(count_fds(), before + 2 * NPIPES);
    struct runner r;
    runner_init(&r, &io.poll, 0);
    r.loop.on_suspend = sample_every;
    r.loop.on_suspend_arg = &io.poll;
    max_used = 0;
    for (int i = 0; i < NPIPES; i++) {
        ops[2 * i] = (struct pt_op){ .kind = PT_READ, .fd = pf[i][0],
                                  .buf = in[i], .n = 3 };
        ops[2 * i + 1] = (struct pt_op){
            .kind = PT_WRITE, .fd = pf[i][1], .buf = (char *)msg, .n = 3,
            .delay = STRIO_MS((i * 7) % 11), .gap = STRIO_MS(i % 5 + 1) };
    }
    strio_time t0 = real_now();
    cr_assert_eq(runner_go(&r, &kids.pool, ops, 2 * NPIPES), 0);
    strio_time took = real_now() - t0;
    for (int i = 0; i < NPIPES; i++) {
        cr_assert_eq(ops[2 * i].result, 3, "reader %d", i);
        cr_assert_eq(memcmp(in[i], "abc", 3), 0, "reader %d", i);
        cr_assert_eq(ops[2 * i + 1].result, 3, "writer %d", i);
        strio_time last = STRIO_MS((i * 7) % 11) + 2 * STRIO_MS(i % 5 + 1);
        cr_assert_eq(ops[2 * i].done_at, last, "reader %d", i);
    }
    cr_assert_geq(max_used, NPIPES / 2, "hundreds watched at once");
    check_clean(&io.poll, &r.loop);
    for (int i = 0; i < NPIPES; i++)
        close2(pf[i]);
    cr_assert_eq(count_fds(), before, "no fd leaked");
    cr_log_info("500 pipes: %ld us, %lu polls, max %u entries",
                (long)(took / 1000), io.poll.polls, max_used);
}

/* ---- notification -------------------------------------------------------------- */

struct canceller {
    strio_hook hook;
    atomic_int fire;
    strio_cancel_scope *target;
    int fired;
};

static void canceller_run(strio_hook *h, strio_loop *loop)
{
    struct canceller *c = (struct canceller *)(void *)h;
    (void)loop;
    if (atomic_exchange(&c->fire, 0) && c->target != NULL) {
        strio_scope_cancel(c->target);
        c->fired++;
    }
}

struct notifier {
    strio_loop *loop;
    struct canceller *c;
    strio_time after;
    pthread_t target;             /* for the signal variant */
    int use_signal;
};

static void *notifier_main(void *arg)
{
    struct notifier *n = arg;
    sleep_ns(n->after);
    if (n->use_signal) {
        pthread_kill(n->target, SIGUSR1);
    } else {
        atomic_store(&n->c->fire, 1);
        strio_loop_notify(n->loop);
    }
    return NULL;
}

static strio_loop *signal_loop;
static struct canceller *signal_canceller;
static volatile sig_atomic_t errno_clobbered;

static void on_sigusr1(int sig)
{
    (void)sig;
    int saved = errno;
    errno = 4242;
    atomic_store(&signal_canceller->fire, 1);
    strio_loop_notify(signal_loop);
    if (errno != 4242)
        errno_clobbered = 1;
    errno = saved;
}

/* The loop blocks in poll() with no timeout (one idle pipe, no timers);
 * only the notification can end the wait. */
static void blocked_loop_is_woken(int use_signal, unsigned flags)
{
    static STRIO_POLL(p, 4);
    static STRIO_POOL(one, struct pt_op_child_frame, 2);
    cr_assert_eq(strio_poll_init_flags(&p.poll, p.fds, p.slots, 5, flags), 0);
    STRIO_POOL_SETUP(one);
    struct runner r;
    int pf[2];
    nb_pipe(pf);
    runner_init(&r, &p.poll, 1);
    struct pt_op ops[] = { { .kind = PT_WAIT_R, .fd = pf[0] } };
    struct canceller c = { .target = &ops[0].sc };
    c.hook.run = canceller_run;
    atomic_init(&c.fire, 0);
    strio_loop_add_hook(&r.loop, &c.hook);
    struct notifier n = { &r.loop, &c, STRIO_MS(30), pthread_self(),
                          use_signal };
    if (use_signal) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_sigusr1;
        sigemptyset(&sa.sa_mask);
        cr_assert_eq(sigaction(SIGUSR1, &sa, NULL), 0);
        signal_loop = &r.loop;
        signal_canceller = &c;
        errno_clobbered = 0;
    }
    pthread_t th;
    strio_time t0 = real_now();
    cr_assert_eq(pthread_create(&th, NULL, notifier_main, &n), 0);
    cr_assert_eq(runner_go(&r, &one.pool, ops, 1), 0);
    strio_time took = real_now() - t0;
    pthread_join(th, NULL);
    cr_assert_eq(ops[0].result, STRIO_ECANCELED);
    cr_assert_eq(ops[0].caught, 1);
    cr_assert_eq(c.fired, 1);
    cr_assert_geq(took, STRIO_MS(25));
    cr_assert_lt(took, STRIO_MS(1000));
    cr_assert_lt(p.poll.polls, 10, "blocked, not spinning (%lu polls)",
                 p.poll.polls);
    cr_assert_eq(errno_clobbered, 0);
    check_clean(&p.poll, &r.loop);
    close2(pf);
    strio_poll_close(&p.poll);
}

Test(poll, notify_from_a_thread_wakes_poll, .timeout = 2)
{
    blocked_loop_is_woken(0, 0);
}

Test(poll, notify_from_a_signal_handler_wakes_poll, .timeout = 2)
{
    blocked_loop_is_woken(1, 0);
}

Test(poll, self_pipe_notify_from_a_thread, .timeout = 2)
{
    blocked_loop_is_woken(0, STRIO_POLL_SELF_PIPE);
}

Test(poll, self_pipe_notify_from_a_signal_handler, .timeout = 2)
{
    blocked_loop_is_woken(1, STRIO_POLL_SELF_PIPE);
}

/* Notifications coalesce: many notify() calls never block or overflow the
 * pipe, one wait consumes them all, and the next wait blocks again. */
static void notifications_coalesce(unsigned flags)
{
    static STRIO_POLL(p, 2);
    strio_clock mono;
    strio_loop loop;
    cr_assert_eq(strio_poll_init_flags(&p.poll, p.fds, p.slots, 3, flags), 0);
    strio_monotonic_clock_init(&mono);
    strio_loop_init(&loop, &mono, strio_poll_backend(&p.poll));
    strio_backend *b = strio_poll_backend(&p.poll);
    for (int i = 0; i < 100000; i++)
        strio_loop_notify(&loop);
    strio_time t0 = real_now();
    cr_assert_eq(b->wait(b, &loop, STRIO_TIME_NEVER), 0);
    cr_assert_lt(real_now() - t0, STRIO_MS(100), "returned at once");
    strio_time deadline = strio_loop_now(&loop) + STRIO_MS(3);
    cr_assert_eq(b->wait(b, &loop, deadline), 0);
    cr_assert_geq(strio_loop_now(&loop), deadline, "drained: waited again");
    cr_assert_eq(p.poll.polls, 2);
    strio_poll_close(&p.poll);
}

Test(poll, notifications_coalesce_eventfd, .timeout = 2)
{
    notifications_coalesce(0);
}

Test(poll, notifications_coalesce_self_pipe, .timeout = 2)
{
    notifications_coalesce(STRIO_POLL_SELF_PIPE);
}

/* ---- time ------------------------------------------------------------------------ */

/* Sub-millisecond deadlines round up: the wait never ends before the
 * deadline, so the loop never spins on a 0 ms timeout. */
Test(poll, timeout_rounds_up_to_whole_ms, .timeout = 2)
{
    static STRIO_POLL(p, 2);
    strio_clock mono;
    strio_loop loop;
    cr_assert_eq(STRIO_POLL_SETUP(p), 0);
    strio_monotonic_clock_init(&mono);
    strio_loop_init(&loop, &mono, strio_poll_backend(&p.poll));
    strio_backend *b = strio_poll_backend(&p.poll);
    static const strio_time d[] = { 1, STRIO_US(1), STRIO_US(100),
                                    STRIO_US(999), STRIO_MS(1),
                                    STRIO_US(1001), STRIO_US(1900) };
    for (unsigned i = 0; i < sizeof d / sizeof d[0]; i++) {
        unsigned long polls = p.poll.polls;
        strio_time deadline = strio_loop_now(&loop) + d[i];
        cr_assert_eq(b->wait(b, &loop, deadline), 0);
        cr_assert_geq(strio_loop_now(&loop), deadline, "delta %ld ns",
                      (long)d[i]);
        cr_assert_eq(p.poll.polls, polls + 1, "one poll() per wait");
    }
    /* A past deadline does not block. */
    strio_time t0 = real_now();
    cr_assert_eq(b->wait(b, &loop, strio_loop_now(&loop) - STRIO_SEC(5)), 0);
    cr_assert_eq(b->wait(b, &loop, strio_loop_now(&loop)), 0);
    cr_assert_lt(real_now() - t0, STRIO_MS(50));
    strio_poll_close(&p.poll);
}

/* ---- two loops in two threads ---------------------------------------------------- */

struct world {
    STRIO_POLL(io, 8);
    STRIO_POOL(kids, struct pt_op_child_frame, 4);
    struct runner r;
    int sv[2], pf[2];
    char in[4];
    struct pt_op ops[4];
    int rc;
};

static void *world_main(void *arg)
{
    struct world *w = arg;
    if (STRIO_POLL_SETUP(w->io) < 0)
        return NULL;
    STRIO_POOL_SETUP(w->kids);
    runner_init(&w->r, &w->io.poll, 0);
    w->ops[0] = (struct pt_op){ .kind = PT_PING, .fd = w->sv[0], .n = 2000 };
    w->ops[1] = (struct pt_op){ .kind = PT_PONG, .fd = w->sv[1], .n = 2000 };
    w->ops[2] = (struct pt_op){ .kind = PT_READ, .fd = w->pf[0], .buf = w->in,
                             .n = 2 };
    w->ops[3] = (struct pt_op){ .kind = PT_WRITE, .fd = w->pf[1],
                             .buf = "hi", .n = 2, .delay = STRIO_MS(50),
                             .gap = STRIO_SEC(1) };
    int ret;
    w->rc = runner_run(&w->r, &w->kids.pool, w->ops, 4, &ret);
    if (w->rc == 0)
        w->rc = ret;
    strio_poll_close(&w->io.poll);
    return NULL;
}

Test(poll, two_loops_in_two_threads, .timeout = 2)
{
    static struct world w[2];
    pthread_t th[2];
    for (int i = 0; i < 2; i++) {
        nb_socketpair(w[i].sv);
        nb_pipe(w[i].pf);
        w[i].rc = -1;
    }
    for (int i = 0; i < 2; i++)
        cr_assert_eq(pthread_create(&th[i], NULL, world_main, &w[i]), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(w[i].rc, 0);
        cr_assert_eq(w[i].ops[0].result, 2000);
        cr_assert_eq(w[i].ops[1].result, 2000);
        cr_assert_eq(w[i].ops[2].result, 2);
        cr_assert_eq(w[i].ops[2].done_at, STRIO_MS(50) + STRIO_SEC(1),
                     "each loop keeps its own virtual time");
        check_clean(&w[i].io.poll, &w[i].r.loop);
        cr_log_info("loop %d: 2000 round trips, %lu polls", i,
                    w[i].io.poll.polls);
        close2(w[i].sv);
        close2(w[i].pf);
    }
}

/* ---- cancellation sweep ------------------------------------------------------------- */

struct sweep {
    unsigned long count, at;
    strio_nursery *nursery;
};

static void cancel_at_k(strio_loop *loop, strio_task *task, void *arg)
{
    struct sweep *s = arg;
    (void)loop;
    (void)task;
    if (++s->count == s->at)
        strio_nursery_cancel(s->nursery);
}

/* A mix of every kind of wait, cancelled as a whole at its k-th suspension
 * for every k: afterwards nothing waits, no entry holds a task, the hash is
 * whole, no timer is armed, and no fd leaked. */
Test(poll, cancellation_sweep, .init = setup, .fini = teardown, .timeout = 2)
{
    int before = count_fds();
    strio_time t0 = real_now();
    unsigned long total = 0, interrupted = 0;
    static char big[100000], sink[100000];
    for (unsigned long k = 1;; k++) {
        int sv[2], a[2], b[2], c[2], d[2];
        char in[4] = { 0 };
        nb_socketpair(sv);
        nb_pipe(a);
        nb_pipe(b);
        nb_pipe(c);
        nb_pipe(d);
        long filled = fill(b[1]);
        struct pt_op ops[] = {
            { .kind = PT_PING, .fd = sv[0], .n = 3 },
            { .kind = PT_PONG, .fd = sv[1], .n = 3 },
            { .kind = PT_READ, .fd = a[0], .buf = in, .n = 2 },
            { .kind = PT_WRITE, .fd = a[1], .buf = "ab", .n = 2,
              .delay = STRIO_MS(1), .gap = STRIO_MS(1) },
            { .kind = PT_WAIT_W, .fd = b[1] },
            { .kind = PT_DRAIN, .fd = b[0], .delay = STRIO_MS(2) },
            { .kind = PT_WAIT_R, .fd = c[0], .timeout = STRIO_MS(3) },
            { .kind = PT_SEND, .fd = d[1], .buf = big, .n = (int)sizeof big },
            { .kind = PT_READ, .fd = d[0], .buf = sink,
              .n = (int)sizeof sink },
        };
        enum { N = sizeof ops / sizeof ops[0] };
        struct runner r;
        struct sweep s = { 0, k, &r.nursery };
        runner_init(&r, &io.poll, 0);
        r.loop.on_suspend = cancel_at_k;
        r.loop.on_suspend_arg = &s;
        cr_assert_eq(runner_go(&r, &kids.pool, ops, N), 0, "k=%lu", k);
        check_clean(&io.poll, &r.loop);
        cr_assert_eq(kids.pool.used, 0);
        int complete = s.count < k;
        static const int full[N] = { 3, 3, 2, 2, 0, -1, STRIO_ECANCELED,
                                     (int)sizeof big, (int)sizeof sink };
        for (int i = 0; i < N; i++) {
            int want = i == 5 ? (int)filled : full[i];
            if (complete)
                cr_assert_eq(ops[i].result, want, "k=%lu op %d", k, i);
            else
                cr_assert(ops[i].result == want ||
                          ops[i].result == STRIO_ECANCELED ||
                          ops[i].result == 12345 /* never started */,
                          "k=%lu op %d: %d", k, i, ops[i].result);
            interrupted += i != 6 && ops[i].result == STRIO_ECANCELED;
        }
        close2(sv);
        close2(a);
        close2(b);
        close2(c);
        close2(d);
        cr_assert_eq(count_fds(), before, "k=%lu", k);
        if (complete) {
            total = s.count;
            break;
        }
        cr_assert_lt(k, 100000, "sweep does not end");
    }
    cr_assert_gt(total, 20);
    cr_assert_gt(interrupted, total, "waits were interrupted");
    cr_log_info("poll sweep: %lu cancellation points, %lu operations "
                "cancelled, %ld us", total, interrupted,
                (long)((real_now() - t0) / 1000));
}
