/*
 * A socket stream's receive_some after a short one (runtime/src/
 * socket_stream_impl.sc): it waits for readability first, then makes one
 * recv(). Data, end of stream, cancellation and close on that path, with
 * the cancellation sweep; real socket pairs (AF_UNIX and TCP loopback).
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/socket_stream.h>

#include "sockdrain_tasks.h"
#include "sweep.h"

static STRIO_POLL(sd_io, 16);
static STRIO_POOL(sd_pool, struct sd_sender_frame, 1);
static struct sd_run r;
static int sd_tcp;

/* A connected TCP pair over 127.0.0.1 (accept and connect, blocking). */
static void tcp_pair(strio_socket_stream *a, strio_socket_stream *b)
{
    strio_socket l, x, y;
    strio_sockaddr addr;
    cr_assert_eq(strio_socket_create(&l, AF_INET, SOCK_STREAM, 0), 0);
    cr_assert_eq(strio_resolve_local_address(&l, "127.0.0.1", 0, &addr), 0);
    cr_assert_eq(strio_socket_bind(&l, &addr), 0);
    cr_assert_eq(strio_socket_listen(&l, 1), 0);
    cr_assert_eq(strio_socket_getsockname(&l, &addr), 0);
    cr_assert_eq(strio_socket_create(&x, AF_INET, SOCK_STREAM, 0), 0);
    int rc = connect(x.fd, &addr.u.sa, addr.len);
    cr_assert(rc == 0 || errno == EINPROGRESS);
    struct pollfd p = { .fd = l.fd, .events = POLLIN };
    cr_assert_eq(poll(&p, 1, 2000), 1);
    int fd = accept4(l.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    cr_assert_geq(fd, 0);
    cr_assert_eq(strio_socket_from_fd(&y, fd), 0);
    strio_socket_close(&l);
    cr_assert_eq(strio_socket_stream_init(a, &y), 0);
    cr_assert_eq(strio_socket_stream_init(b, &x), 0);
}

static void sd_setup(int msgs, int len, strio_time gap, int close_a)
{
    memset(&r, 0, sizeof r);
    if (sd_tcp)
        tcp_pair(&r.a, &r.b);
    else
        cr_assert_eq(strio_socket_stream_pair(&r.a, &r.b), 0);
    r.msgs = msgs;
    r.msg_len = len;
    r.gap = gap;
    r.close_a_after = close_a;
}

static void sd_close(void)
{
    strio_socket_close(&r.a.sock);
    strio_socket_close(&r.b.sock);
}

static int sd_run_scenario(struct sweep_run *run)
{
    static struct sd_scenario_frame f;
    strio_task t;
    run->loop.backend = strio_poll_backend(&sd_io.poll);
    STRIO_POOL_SETUP(sd_pool);
    sd_setup(4, 5, STRIO_MS(1), 0);
    sd_scenario_start(&f, &run->target, &r, &sd_pool.pool);
    strio_task_init(&t, sd_scenario_resume, &f, &f.strio_ret);
    int rc = strio_loop_run(&run->loop, &t);
    cr_assert_eq(f.strio_ret, 0, "k=%lu: %s", run->k,
                 strio_strerror(f.strio_ret));
    sd_close();
    return rc;
}

static void sd_check(struct sweep_run *run)
{
    cr_assert(r.rc == 0 || r.rc == STRIO_ECANCELED, "k=%lu: %s", run->k,
              strio_strerror((int)r.rc));
    cr_assert_eq(r.after, 0, "k=%lu: end of stream after the rest",
                 run->k);
    cr_assert_eq(r.total, 20, "k=%lu: nothing lost", run->k);
    for (int i = 0; i < 20; i++)
        cr_assert_eq(r.got[i], i, "k=%lu: byte %d", run->k, i);
    cr_assert_eq(sd_io.poll.waiters, 0, "k=%lu", run->k);
}

static void sd_init(void)
{
    cr_assert_eq(STRIO_POLL_SETUP(sd_io), 0);
}

static void sd_fini(void)
{
    strio_poll_close(&sd_io.poll);
}

TestSuite(sockdrain, .init = sd_init, .fini = sd_fini);

/* Four 5-byte messages 1 ms apart into 64-byte receives: every receive
 * after the first is short-followed, so it takes the wait-first path;
 * cancelled at every suspension, the rest still arrives, in order. */
Test(sockdrain, sweep_socketpair)
{
    struct sweep s = { .name = "drained receive",
                       .scenario = sd_run_scenario, .check = sd_check,
                       .max_runs = 1000 };
    sd_tcp = 0;
    cr_assert_geq(sweep_cancellation(&s), 6);
}

Test(sockdrain, sweep_tcp)
{
    struct sweep s = { .name = "drained receive (tcp)",
                       .scenario = sd_run_scenario, .check = sd_check,
                       .max_runs = 1000 };
    sd_tcp = 1;
    cr_assert_geq(sweep_cancellation(&s), 6);
}

/* Runs sd_scenario uncancelled on a fresh virtual-clock loop. */
static void sd_plain(void)
{
    static struct sd_scenario_frame f;
    static strio_cancel_scope *target;
    strio_vclock vc;
    strio_loop loop;
    strio_task t;
    strio_vclock_init(&vc, 0, 1);
    strio_loop_init(&loop, &vc.clock, strio_poll_backend(&sd_io.poll));
    STRIO_POOL_SETUP(sd_pool);
    sd_scenario_start(&f, &target, &r, &sd_pool.pool);
    strio_task_init(&t, sd_scenario_resume, &f, &f.strio_ret);
    cr_assert_eq(strio_loop_run(&loop, &t), 0);
    cr_assert_eq(f.strio_ret, 0, "%s", strio_strerror(f.strio_ret));
    cr_assert_eq(sd_io.poll.waiters, 0);
}

/* The flag: set by a short receive, cleared by one that filled its
 * buffer (more may be waiting: try first again) and by end of stream. */
Test(sockdrain, flag_follows_the_last_receive)
{
    sd_tcp = 0;
    sd_setup(1, 64, 0, 0);      /* one message of exactly 64 bytes */
    sd_plain();
    cr_assert_eq(r.total, 64);
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.a.drained, 0, "end of stream clears it");
    cr_assert_eq(r.receives, 2);
    sd_close();

    sd_setup(3, 5, STRIO_MS(1), 1);   /* then close instead of EOF */
    sd_plain();
    cr_assert_eq(r.total, 15);
    cr_assert_eq(r.rc, STRIO_ECLOSED, "closed while waiting first: %s",
                 strio_strerror((int)r.rc));
    sd_close();
}

/* Data already queued when a drained receive starts: the wait returns at
 * the next poll and the one recv() takes everything there; then the wait
 * ends for end of stream too. */
Test(sockdrain, data_already_there)
{
    static unsigned char bytes[12];
    sd_tcp = 0;
    sd_setup(0, 5, 0, 0);       /* the sender sends only EOF */
    for (int i = 0; i < 12; i++)
        bytes[i] = (unsigned char)i;
    cr_assert_eq(send(r.b.sock.fd, bytes, 12, 0), 12);
    r.a.drained = 1;            /* as after a short receive */
    sd_plain();
    cr_assert_eq(r.rc, 0);
    cr_assert_eq(r.total, 12);
    cr_assert_eq(r.receives, 2);
    for (int i = 0; i < 12; i++)
        cr_assert_eq(r.got[i], i);
    sd_close();
}
