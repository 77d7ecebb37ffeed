/*
 * The generic listener calls (runtime/src/listener.c, strio/listener.h) on
 * the socket listener (socket_stream.c), over loopback only.
 *
 * Real monotonic clock with a poll backend, as test_socket.c; every wait is
 * bounded (Criterion timeout 5 s, timeouts inside the async code).
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/listener.h>
#include <strio/posix.h>
#include <strio/socket.h>
#include <strio/socket_stream.h>

#include "listener_tasks.h"

static STRIO_POLL(io, 64);
static STRIO_POOL(pool, struct ln_child_frame, 4);
static strio_clock mono;
static strio_loop loop;

static void setup(void)
{
    strio_monotonic_clock_init(&mono);
    cr_assert_eq(STRIO_POLL_SETUP(io), 0);
    strio_loop_init(&loop, &mono, strio_poll_backend(&io.poll));
    STRIO_POOL_SETUP(pool);
}

static void teardown(void)
{
    strio_poll_close(&io.poll);
}

TestSuite(listener, .init = setup, .fini = teardown, .timeout = 5);

#define RUN(fn, frame, ...)                                                  \
    ({                                                                       \
        strio_task t_;                                                       \
        fn##_start(&(frame), __VA_ARGS__);                                   \
        strio_task_init(&t_, fn##_resume, &(frame), &(frame).strio_ret);     \
        int lrc_ = strio_loop_run(&loop, &t_);                               \
        cr_assert_eq(lrc_, 0, "loop: %s", strio_strerror(lrc_));             \
        (frame).strio_ret;                                                   \
    })

static unsigned listener_port(strio_socket_listener *l)
{
    strio_sockaddr a;
    cr_assert_eq(strio_socket_getsockname(&l->sock, &a), 0);
    int port = strio_sockaddr_port(&a);
    cr_assert_gt(port, 0);
    return (unsigned)port;
}

/* Echo one client through the generic accept; checks everything. */
static void echo_through(strio_socket_listener *l, strio_socket_stream *conn)
{
    static struct ln_job jobs[2];
    static struct ln_run_jobs_frame f;
    static unsigned char data[3000], got[3000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 7 + 3);
    memset(got, 0, sizeof got);
    memset(jobs, 0, sizeof jobs);
    jobs[0].kind = LN_JOB_ECHO;
    jobs[0].l = &l->base;
    jobs[0].storage = conn;
    jobs[0].timeout = STRIO_SEC(3);
    jobs[1].kind = LN_JOB_CLIENT;
    jobs[1].port = listener_port(l);
    jobs[1].data = data;
    jobs[1].buf = got;
    jobs[1].len = sizeof data;
    jobs[1].delay = STRIO_MS(5);
    jobs[1].timeout = STRIO_SEC(3);
    cr_assert_eq(RUN(ln_run_jobs, f, &pool.pool, jobs, 2), 0);
    cr_assert_eq(jobs[0].result, 0, "server: %s",
                 strio_strerror((int)jobs[0].result));
    cr_assert_eq(jobs[1].result, 0, "client: %s",
                 strio_strerror((int)jobs[1].result));
    cr_assert_eq(jobs[0].out, &conn->base, "the stream is in the storage");
    cr_assert_eq(jobs[0].count, (long)sizeof data);
    cr_assert_eq(jobs[1].count, (long)sizeof data);
    cr_assert_eq(memcmp(data, got, sizeof data), 0);
    cr_assert_eq(conn->sock.fd, -1, "accepted stream closed");
    cr_assert_eq(l->base.accept_busy, 0);
}

Test(listener, socket_listener_is_a_listener)
{
    strio_socket_listener l;
    cr_assert_eq(strio_open_tcp_listener(&l, "127.0.0.1", 0), 0);
    cr_assert_eq((void *)&l.base, (void *)&l);
    cr_assert_str_eq(l.base.ops->name, "socket");
    cr_assert_eq(l.base.stream_size, sizeof(strio_socket_stream));
    strio_socket_listener_close(&l);
}

Test(listener, accept_and_echo)
{
    strio_socket_listener l;
    strio_socket_stream conn;
    cr_assert_eq(strio_open_tcp_listener(&l, "127.0.0.1", 0), 0);
    echo_through(&l, &conn);
    echo_through(&l, &conn);            /* and again: still usable */
    strio_socket_listener_close(&l);
    cr_assert_eq(io.poll.waiters, 0);
}

Test(listener, concurrent_accept_is_busy)
{
    static struct ln_job jobs[2];
    static struct ln_run_jobs_frame f;
    strio_socket_listener l;
    strio_socket_stream s1, s2;
    cr_assert_eq(strio_open_tcp_listener(&l, "127.0.0.1", 0), 0);
    memset(jobs, 0, sizeof jobs);
    jobs[0].kind = LN_JOB_ACCEPT;
    jobs[0].l = &l.base;
    jobs[0].storage = &s1;
    jobs[0].timeout = STRIO_MS(50);
    jobs[1].kind = LN_JOB_ACCEPT;
    jobs[1].l = &l.base;
    jobs[1].storage = &s2;
    jobs[1].out = (strio_stream *)&jobs[1];     /* must be reset to NULL */
    jobs[1].delay = STRIO_MS(5);
    cr_assert_eq(RUN(ln_run_jobs, f, &pool.pool, jobs, 2), 0);
    cr_assert_eq(jobs[0].result, STRIO_ECANCELED);
    cr_assert_eq(jobs[0].caught, 1);
    cr_assert_null(jobs[0].out);
    cr_assert_eq(jobs[1].result, STRIO_EBUSY);
    cr_assert_eq(jobs[1].switches, 0, "refused at once, no checkpoint");
    cr_assert_null(jobs[1].out);
    cr_assert_eq(l.base.accept_busy, 0);
    cr_assert_eq(io.poll.waiters, 0);
    strio_socket_listener_close(&l);
}

Test(listener, close_wakes_pending_accept)
{
    static struct ln_job jobs[2];
    static struct ln_run_jobs_frame f;
    strio_socket_listener l;
    strio_socket_stream s1;
    cr_assert_eq(strio_open_tcp_listener(&l, "127.0.0.1", 0), 0);
    memset(jobs, 0, sizeof jobs);
    jobs[0].kind = LN_JOB_ACCEPT;
    jobs[0].l = &l.base;
    jobs[0].storage = &s1;
    jobs[0].timeout = STRIO_SEC(2);
    jobs[1].kind = LN_JOB_CLOSE;
    jobs[1].l = &l.base;
    jobs[1].delay = STRIO_MS(5);
    cr_assert_eq(RUN(ln_run_jobs, f, &pool.pool, jobs, 2), 0);
    cr_assert_eq(jobs[0].result, STRIO_ECLOSED);
    cr_assert_eq(jobs[0].caught, 0);
    cr_assert_null(jobs[0].out);
    cr_assert_eq(jobs[1].result, 0);
    cr_assert_eq(l.sock.fd, -1);
    cr_assert_eq(l.base.accept_busy, 0);
    cr_assert_eq(l.base.close_busy, 0);
    cr_assert_eq(io.poll.waiters, 0, "no stale interest");
}

Test(listener, accept_after_close)
{
    static struct ln_after_close_frame f;
    strio_socket_listener l;
    strio_socket_stream s1;
    strio_stream *out = (strio_stream *)&s1;
    int r[4] = { 1, 1, 1, 1 };
    cr_assert_eq(strio_open_tcp_listener(&l, "127.0.0.1", 0), 0);
    cr_assert_eq(RUN(ln_after_close, f, &l.base, &s1, &out, r), 0);
    cr_assert_eq(r[3], 0, "close");
    cr_assert_eq(r[0], 0, "close is idempotent");
    cr_assert_eq(r[1], STRIO_ECLOSED, "accept after close");
    cr_assert_eq(r[2], -EINVAL, "NULL storage");
    cr_assert_null(out);
    cr_assert_eq(l.sock.fd, -1);
}

Test(listener, cancelled_accept_leaves_listener_usable)
{
    static struct ln_job jobs[1];
    static struct ln_run_jobs_frame f;
    strio_socket_listener l;
    strio_socket_stream conn;
    cr_assert_eq(strio_open_tcp_listener(&l, "127.0.0.1", 0), 0);
    memset(jobs, 0, sizeof jobs);
    jobs[0].kind = LN_JOB_ACCEPT;
    jobs[0].l = &l.base;
    jobs[0].storage = &conn;
    jobs[0].timeout = STRIO_MS(20);
    cr_assert_eq(RUN(ln_run_jobs, f, &pool.pool, jobs, 1), 0);
    cr_assert_eq(jobs[0].result, STRIO_ECANCELED);
    cr_assert_eq(jobs[0].caught, 1);
    cr_assert_geq(jobs[0].switches, 1);
    cr_assert_null(jobs[0].out);
    cr_assert_eq(l.base.accept_busy, 0);
    cr_assert_eq(io.poll.waiters, 0);
    echo_through(&l, &conn);
    strio_socket_listener_close(&l);
}
