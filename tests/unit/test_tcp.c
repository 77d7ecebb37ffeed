/*
 * strio_getaddrinfo (resolve.c) and strio_open_tcp_stream with Happy
 * Eyeballs (tcp_impl.sc), over loopback only (127.0.0.1, ::1; every peer
 * is a listener started here). Real monotonic clock; every wait bounded.
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/resolve.h>
#include <strio/socket_stream.h>
#include <strio/tcp.h>

#include "tcp_tasks.h"

static STRIO_POLL(io, 64);
static STRIO_WORKERS(workers, 2, 4);
static strio_clock mono;
static strio_loop loop;
static strio_tcp_connector conn;
static strio_socket_listener lis;

static void setup(void)
{
    strio_monotonic_clock_init(&mono);
    cr_assert_eq(STRIO_POLL_SETUP(io), 0);
    strio_loop_init(&loop, &mono, strio_poll_backend(&io.poll));
    cr_assert_eq(STRIO_WORKERS_SETUP(workers, &loop), 0);
    strio_tcp_connector_init(&conn, &workers.workers);
}

static void teardown(void)
{
    strio_workers_close(&workers.workers);
    strio_poll_close(&io.poll);
}

TestSuite(tcp, .init = setup, .fini = teardown, .timeout = 5);

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

static int have_ipv6_loopback(void)
{
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    int ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

static int listen_on(const char *host)
{
    cr_assert_eq(strio_open_tcp_listener(&lis, host, 0), 0);
    strio_sockaddr a;
    cr_assert_eq(strio_socket_getsockname(&lis.sock, &a), 0);
    return strio_sockaddr_port(&a);
}

static int run_open(struct tc_ctx *x)
{
    static struct tc_open_echo_frame f;
    strio_task t;
    tc_open_echo_start(&f, x);
    strio_task_init(&t, tc_open_echo_resume, &f, &f.strio_ret);
    int lrc = strio_loop_run(&loop, &t);
    cr_assert_eq(lrc, 0, "loop: %s", strio_strerror(lrc));
    return f.strio_ret;
}

static void ctx_init(struct tc_ctx *x, const char *host, int port)
{
    memset(x, 0, sizeof *x);
    x->c = &conn;
    x->l = &lis;
    x->host = host;
    x->port = port;
}

static void echo_ok(const char *host, int port)
{
    struct tc_ctx x;
    ctx_init(&x, host, port);
    int rc = run_open(&x);
    cr_assert_eq(x.open_rc, 0, "open %s: %s", host, strio_strerror(x.open_rc));
    cr_assert_eq(rc, 0, "%s", strio_strerror(rc));
    cr_assert_str_eq(x.got, "hello");
}

Test(tcp, numeric_v4_echo)
{
    int fds = count_fds();
    int port = listen_on("127.0.0.1");
    echo_ok("127.0.0.1", port);
    cr_assert_eq(conn.nattempts, 1);
    cr_assert_eq(conn.winner, 0);
    strio_socket_listener_close(&lis);
    cr_assert_eq(count_fds(), fds);
}

Test(tcp, numeric_v6_echo)
{
    if (!have_ipv6_loopback())
        cr_skip_test("no IPv6 loopback");
    int fds = count_fds();
    int port = listen_on("::1");
    echo_ok("::1", port);
    strio_socket_listener_close(&lis);
    cr_assert_eq(count_fds(), fds);
}

Test(tcp, interleave)
{
    strio_addr a[5];
    int fam[5] = { AF_INET6, AF_INET6, AF_INET6, AF_INET, AF_INET };
    for (int i = 0; i < 5; i++) {
        memset(&a[i], 0, sizeof a[i]);
        a[i].family = fam[i];
        a[i].protocol = i;
    }
    strio_tcp_interleave(a, 5);
    int want[5] = { 0, 3, 1, 4, 2 };
    for (int i = 0; i < 5; i++)
        cr_assert_eq(a[i].protocol, want[i], "position %d", i);
}

/* Only names /etc/hosts answers: a lookup must never leave the machine. */
static int hosts_maps_localhost_to_127(void)
{
    FILE *f = fopen("/etc/hosts", "r");
    char line[256];
    int found = 0;
    if (f == NULL)
        return 0;
    while (!found && fgets(line, sizeof line, f) != NULL)
        found = strncmp(line, "127.0.0.1", 9) == 0 &&
                strstr(line, "localhost") != NULL;
    fclose(f);
    return found;
}

Test(tcp, localhost_via_getaddrinfo)
{
    if (!hosts_maps_localhost_to_127())
        cr_skip_test("/etc/hosts does not map localhost to 127.0.0.1");
    /* Listen on 127.0.0.1 only: if localhost also gives ::1, that attempt
     * is refused and Happy Eyeballs moves on to 127.0.0.1. */
    int fds = count_fds();
    int port = listen_on("127.0.0.1");
    echo_ok("localhost", port);
    cr_assert_geq(conn.nattempts, 1);
    strio_socket_listener_close(&lis);
    cr_assert_eq(count_fds(), fds);
}

Test(tcp, name_without_workers_is_einval)
{
    /* No lookup at all (a DNS query could leave the machine). */
    struct tc_ctx x;
    strio_tcp_connector_init(&conn, NULL);
    ctx_init(&x, "localhost", 9);
    x.l = NULL;
    run_open(&x);
    cr_assert_eq(x.open_rc, -EINVAL);
    cr_assert_eq(conn.nattempts, 0);
}

Test(tcp, refused_everywhere)
{
    int fds = count_fds();
    int port = listen_on("127.0.0.1");
    strio_socket_listener_close(&lis);     /* nobody listens there now */
    strio_addr a[2];
    size_t n = 0;
    cr_assert_eq(strio_tcp_numeric_addrs("127.0.0.1", port, &a[n++]), 1);
    if (have_ipv6_loopback())
        cr_assert_eq(strio_tcp_numeric_addrs("::1", port, &a[n++]), 1);
    struct tc_ctx x;
    ctx_init(&x, NULL, 0);
    x.l = NULL;
    x.addrs = a;
    x.naddrs = n;
    run_open(&x);
    cr_assert_eq(x.open_rc, -ECONNREFUSED, "%s", strio_strerror(x.open_rc));
    cr_assert_eq(conn.nattempts, (int)n);
    cr_assert_eq(conn.winner, -1);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(conn.attempt[i].sock.fd, -1);
    cr_assert_eq(count_fds(), fds);
}

/* ---- Happy Eyeballs with the hook -------------------------------------- */

struct hook_plan {
    strio_time delay[4];
    int fail[4];
    int calls;
};

static int hook(void *arg, int index, const strio_addr *addr,
                strio_time *delay)
{
    struct hook_plan *p = arg;
    (void)addr;
    p->calls++;
    *delay = p->delay[index];
    return p->fail[index];
}

static void two_v4(strio_addr *a, int port)
{
    cr_assert_eq(strio_tcp_numeric_addrs("127.0.0.1", port, &a[0]), 1);
    cr_assert_eq(strio_tcp_numeric_addrs("127.0.0.1", port, &a[1]), 1);
}

Test(tcp, first_slow_second_wins)
{
    int fds = count_fds();
    int port = listen_on("127.0.0.1");
    strio_addr a[2];
    two_v4(a, port);
    struct hook_plan plan = { { STRIO_SEC(3), 0 }, { 0, 0 }, 0 };
    conn.connect_hook = hook;
    conn.hook_arg = &plan;
    conn.delay = STRIO_MS(100);
    struct tc_ctx x;
    ctx_init(&x, NULL, 0);
    x.addrs = a;
    x.naddrs = 2;
    int rc = run_open(&x);
    cr_assert_eq(x.open_rc, 0, "%s", strio_strerror(x.open_rc));
    cr_assert_eq(rc, 0);
    cr_assert_str_eq(x.got, "hello");
    cr_assert_eq(conn.winner, 1);
    cr_assert_eq(conn.nattempts, 2);
    cr_assert_eq(conn.attempt[0].result, STRIO_ECANCELED);
    cr_assert_eq(conn.attempt[0].sock.fd, -1);
    cr_assert_geq(x.elapsed, STRIO_MS(100));
    cr_assert_lt(x.elapsed, STRIO_SEC(2), "took %lld ns", (long long)x.elapsed);
    strio_socket_listener_close(&lis);
    cr_assert_eq(count_fds(), fds);
}

Test(tcp, first_fails_fast_second_starts_at_once)
{
    int fds = count_fds();
    int port = listen_on("127.0.0.1");
    strio_addr a[2];
    two_v4(a, port);
    struct hook_plan plan = { { 0, 0 }, { -ENETUNREACH, 0 }, 0 };
    conn.connect_hook = hook;
    conn.hook_arg = &plan;
    conn.delay = STRIO_SEC(3);     /* would time the test out if waited */
    struct tc_ctx x;
    ctx_init(&x, NULL, 0);
    x.addrs = a;
    x.naddrs = 2;
    int rc = run_open(&x);
    cr_assert_eq(x.open_rc, 0, "%s", strio_strerror(x.open_rc));
    cr_assert_eq(rc, 0);
    cr_assert_eq(conn.winner, 1);
    cr_assert_eq(conn.attempt[0].result, -ENETUNREACH);
    cr_assert_lt(x.elapsed, STRIO_SEC(1), "took %lld ns", (long long)x.elapsed);
    strio_socket_listener_close(&lis);
    cr_assert_eq(count_fds(), fds);
}

Test(tcp, all_fail_first_error_reported)
{
    int port = listen_on("127.0.0.1");
    strio_addr a[2];
    two_v4(a, port);
    struct hook_plan plan = { { 0, 0 }, { -ENETUNREACH, -EHOSTUNREACH }, 0 };
    conn.connect_hook = hook;
    conn.hook_arg = &plan;
    struct tc_ctx x;
    ctx_init(&x, NULL, 0);
    x.l = NULL;
    x.addrs = a;
    x.naddrs = 2;
    run_open(&x);
    cr_assert_eq(x.open_rc, -ENETUNREACH);
    cr_assert_eq(conn.attempt[1].result, -EHOSTUNREACH);
    strio_socket_listener_close(&lis);
}

Test(tcp, cancel_whole_open_closes_everything)
{
    int fds = count_fds();
    int port = listen_on("127.0.0.1");
    strio_addr a[3];
    two_v4(a, port);
    a[2] = a[0];
    struct hook_plan plan = { { STRIO_SEC(3), STRIO_SEC(3), STRIO_SEC(3) },
                              { 0, 0, 0 }, 0 };
    conn.connect_hook = hook;
    conn.hook_arg = &plan;
    conn.delay = STRIO_MS(50);
    struct tc_ctx x;
    ctx_init(&x, NULL, 0);
    x.l = NULL;
    x.addrs = a;
    x.naddrs = 3;
    x.timeout = STRIO_MS(300);
    int rc = run_open(&x);
    cr_assert_eq(rc, 0);
    cr_assert_eq(x.open_rc, STRIO_ECANCELED, "%s", strio_strerror(x.open_rc));
    cr_assert(x.caught);
    cr_assert_eq(conn.nattempts, 3);
    cr_assert_eq(conn.winner, -1);
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(conn.attempt[i].sock.fd, -1);
        cr_assert(conn.attempt[i].done);
    }
    cr_assert_lt(x.elapsed, STRIO_SEC(2));
    strio_socket_listener_close(&lis);
    cr_assert_eq(count_fds(), fds);
}
