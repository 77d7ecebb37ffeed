/*
 * Cancellation sweeps over strio_open_tcp_stream (numeric host, one
 * attempt) and over Happy Eyeballs (a slow first attempt, the second
 * started after the delay wins): cancelled at every suspension, nothing
 * may leak (every attempt's socket closed, no fd, no poll waiter, no
 * timer). Loopback only; virtual clock with the poll backend.
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/tcp.h>

#include "tcp_sweep_tasks.h"
#include "sweep.h"

static STRIO_POLL(io, 64);
static strio_tcp_connector conn;
static strio_socket_listener lis;
static struct ts_ctx x;
static strio_addr addrs[2];
static int fds_before;

static void setup(void)
{
    cr_assert_eq(STRIO_POLL_SETUP(io), 0);
}

static void teardown(void)
{
    strio_poll_close(&io.poll);
}

TestSuite(tcp_sweep, .init = setup, .fini = teardown, .timeout = 5);

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
    return n - 1;
}

/* Attempt 0 sleeps 1 s before connecting; the others connect at once. */
static int slow_first(void *arg, int index, const strio_addr *addr,
                      strio_time *delay)
{
    (void)arg;
    (void)addr;
    *delay = index == 0 ? STRIO_SEC(1) : 0;
    return 0;
}

static int scenario(struct sweep_run *run)
{
    static struct ts_sweep_open_frame f;
    strio_task t;
    strio_sockaddr a;
    run->loop.backend = strio_poll_backend(&io.poll);
    cr_assert_eq(strio_open_tcp_listener(&lis, "127.0.0.1", 0), 0);
    cr_assert_eq(strio_socket_getsockname(&lis.sock, &a), 0);
    int port = strio_sockaddr_port(&a);
    strio_tcp_connector *keep_hook = run->user;
    strio_tcp_connector_init(&conn, NULL);
    memset(&x, 0, sizeof x);
    x.c = &conn;
    if (keep_hook != NULL) {
        conn.connect_hook = slow_first;
        conn.delay = STRIO_MS(50);
        cr_assert_eq(strio_tcp_numeric_addrs("127.0.0.1", port, &addrs[0]), 1);
        cr_assert_eq(strio_tcp_numeric_addrs("127.0.0.1", port, &addrs[1]), 1);
        x.addrs = addrs;
        x.naddrs = 2;
    } else {
        x.host = "127.0.0.1";
        x.port = port;
    }
    ts_sweep_open_start(&f, &run->target, &x);
    strio_task_init(&t, ts_sweep_open_resume, &f, &f.strio_ret);
    return strio_loop_run(&run->loop, &t);
}

static void check(struct sweep_run *run)
{
    if (x.rc == STRIO_ECANCELED) {
        cr_assert_eq(x.exit_rc, 0, "k=%lu", run->k);
        cr_assert_eq(conn.winner, -1, "k=%lu", run->k);
    } else {
        cr_assert_eq(x.rc, 0, "k=%lu: %s", run->k, strio_strerror(x.rc));
        cr_assert_geq(x.out.sock.fd, 0, "k=%lu", run->k);
        if (run->user != NULL)
            cr_assert_eq(conn.winner, 1, "k=%lu", run->k);
    }
    for (int i = 0; i < conn.nattempts; i++) {
        if (i != conn.winner)
            cr_assert_eq(conn.attempt[i].sock.fd, -1, "k=%lu: attempt %d "
                         "left open", run->k, i);
        cr_assert(conn.attempt[i].done, "k=%lu", run->k);
    }
    cr_assert_eq(io.poll.waiters, 0, "k=%lu", run->k);
    if (x.rc == 0)
        strio_socket_close(&x.out.sock);
    strio_socket_listener_close(&lis);
    cr_assert_eq(count_fds(), fds_before, "k=%lu: fd leak", run->k);
}

Test(tcp_sweep, open_tcp_stream_numeric)
{
    fds_before = count_fds();
    struct sweep s = { .name = "open_tcp_stream", .scenario = scenario,
                       .check = check, .max_runs = 200 };
    cr_assert_geq(sweep_cancellation(&s), 2);
}

Test(tcp_sweep, happy_eyeballs_second_attempt_wins)
{
    fds_before = count_fds();
    struct sweep s = { .name = "happy eyeballs", .scenario = scenario,
                       .check = check, .user = &conn, .max_runs = 500 };
    unsigned long runs = sweep_cancellation(&s);
    cr_log_info("happy eyeballs sweep: %lu runs", runs);
    cr_assert_geq(runs, 4);
}

/* ---- the connector's local address ------------------------------------------------- */

static void open_from(const char *local, int family_host, int want_rc,
                      const char *want_peer)
{
    static struct ts_sweep_open_frame f;
    strio_cancel_scope *target = NULL;
    strio_clock mono;
    strio_loop loop;
    strio_task t;
    strio_sockaddr a, peer;
    char txt[STRIO_SOCKADDR_STRLEN];
    int fds = count_fds();
    strio_monotonic_clock_init(&mono);
    strio_loop_init(&loop, &mono, strio_poll_backend(&io.poll));
    cr_assert_eq(strio_open_tcp_listener(&lis, "127.0.0.1", 0), 0);
    cr_assert_eq(strio_socket_getsockname(&lis.sock, &a), 0);
    strio_tcp_connector_init(&conn, NULL);
    conn.local_address = local;
    memset(&x, 0, sizeof x);
    x.c = &conn;
    x.host = family_host == AF_INET6 ? "::ffff:127.0.0.1" : "127.0.0.1";
    x.port = strio_sockaddr_port(&a);
    ts_sweep_open_start(&f, &target, &x);
    strio_task_init(&t, ts_sweep_open_resume, &f, &f.strio_ret);
    cr_assert_eq(strio_loop_run(&loop, &t), 0);
    cr_assert_eq(x.rc, want_rc, "%s: %s", local, strio_strerror(x.rc));
    if (want_rc == 0) {
        socklen_t len = sizeof peer.u;
        int fd = accept4(lis.sock.fd, &peer.u.sa, &len, SOCK_CLOEXEC);
        cr_assert_geq(fd, 0);
        peer.len = len;
        close(fd);
        cr_assert_gt(strio_sockaddr_format(&peer, txt, sizeof txt), 0);
        cr_assert_eq(strncmp(txt, want_peer, strlen(want_peer)), 0,
                     "peer %s", txt);
        strio_socket_close(&x.out.sock);
    }
    strio_socket_listener_close(&lis);
    cr_assert_eq(count_fds(), fds);
}

Test(tcp_sweep, local_address_is_bound_before_connecting)
{
    open_from("127.0.0.2", AF_INET, 0, "127.0.0.2:");
    open_from(NULL, AF_INET, 0, "127.0.0.1:");
    /* the attempt's family does not match, or not an address */
    open_from("::1", AF_INET, -EAFNOSUPPORT, NULL);
    open_from("localhost", AF_INET, -EINVAL, NULL);
    /* an address this machine does not have */
    open_from("192.0.2.1", AF_INET, -EADDRNOTAVAIL, NULL);
}
