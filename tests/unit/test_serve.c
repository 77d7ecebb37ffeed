/*
 * The server side of TCP (tcp_server_impl.sc): strio_open_tcp_listeners
 * (wildcard with both families on one port, numeric hosts, names through
 * the worker pool, all-or-nothing errors) and strio_serve_tcp /
 * strio_serve_listeners (echo over several listeners, backpressure when
 * the handler pool is full, handler errors counted, a closed listener
 * stops the server, cancellation sweep). Loopback only; every wait
 * bounded; the sweep runs on the virtual clock with the poll backend.
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/tcp_server.h>
#include <strio/unix_socket.h>

#include "serve_tasks.h"
#include "sweep.h"

STRIO_SERVE_BIND(sv_echo_bind, struct sv_echo_frame, sv_echo_start)

union sv_frame {
    struct sv_serve_child_frame s;
    struct sv_client_frame c;
};

static STRIO_POLL(io, 64);
static STRIO_WORKERS(workers, 1, 4);
static STRIO_POOL(pool, union sv_frame, SV_MAX_CLIENTS + 1);
static STRIO_TCP_SERVER(srv, struct sv_echo_frame, 2);
static strio_clock mono;
static strio_loop loop;
static strio_resolver res;
static struct sv_ctx x;
static strio_socket_listener ls[STRIO_TCP_MAX_LISTENERS];

static void setup(void)
{
    strio_monotonic_clock_init(&mono);
    cr_assert_eq(STRIO_POLL_SETUP(io), 0);
    strio_loop_init(&loop, &mono, strio_poll_backend(&io.poll));
    cr_assert_eq(STRIO_WORKERS_SETUP(workers, &loop), 0);
    STRIO_POOL_SETUP(pool);
    strio_resolver_init(&res);
    memset(&x, 0, sizeof x);
    x.fail_client = -1;
    x.pool = &pool.pool;
    x.timeout = STRIO_SEC(3);
}

static void teardown(void)
{
    strio_workers_close(&workers.workers);
    strio_poll_close(&io.poll);
}

TestSuite(serve, .init = setup, .fini = teardown, .timeout = 5);

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

static int open_listeners(strio_resolver *r, strio_workers *w,
                          const char *host, unsigned port, size_t max,
                          size_t *n, int cancel_first)
{
    static struct sv_open_frame f;
    strio_task t;
    sv_open_start(&f, r, w, host, port, ls, max, n, cancel_first);
    strio_task_init(&t, sv_open_resume, &f, &f.strio_ret);
    int lrc = strio_loop_run(&loop, &t);
    cr_assert_eq(lrc, 0, "loop: %s", strio_strerror(lrc));
    return f.strio_ret;
}

static int family_of(strio_socket_listener *l, unsigned *port)
{
    strio_sockaddr a;
    cr_assert_eq(strio_socket_getsockname(&l->sock, &a), 0);
    *port = (unsigned)strio_sockaddr_port(&a);
    return a.u.sa.sa_family;
}

/* A blocking connect to the loopback of `family`, then the listener
 * `l` must have that connection to accept (bounded). */
static void connects(strio_socket_listener *l, int family, unsigned port)
{
    strio_socket c;
    strio_sockaddr a;
    cr_assert_eq(strio_socket_create(&c, family, SOCK_STREAM, 0), 0);
    cr_assert_eq(strio_resolve_remote_address(&c, NULL, port, &a), 0);
    int rc = connect(c.fd, &a.u.sa, a.len);
    cr_assert(rc == 0 || errno == EINPROGRESS, "connect: %s", strerror(errno));
    struct pollfd p = { .fd = l->sock.fd, .events = POLLIN };
    cr_assert_eq(poll(&p, 1, 2000), 1, "family %d: nothing to accept",
                 family);
    int fd = accept4(l->sock.fd, NULL, NULL, SOCK_CLOEXEC);
    cr_assert_geq(fd, 0);
    close(fd);
    strio_socket_close(&c);
}

/* ---- open_tcp_listeners ------------------------------------------------------- */

Test(serve, wildcard_listeners_both_families_one_port)
{
    size_t n = 0;
    int fds = count_fds();
    int v6 = have_ipv6_loopback();
    cr_assert_eq(open_listeners(NULL, NULL, NULL, 0, 8, &n, 0), 0);
    cr_assert_eq(n, v6 ? 2u : 1u);
    unsigned p0, p1 = 0;
    int f0 = family_of(&ls[0], &p0);
    cr_assert_eq(f0, AF_INET);
    cr_assert_gt(p0, 0);
    connects(&ls[0], AF_INET, p0);
    if (v6) {
        int f1 = family_of(&ls[1], &p1);
        cr_assert_eq(f1, AF_INET6);
        cr_assert_eq(p1, p0, "the second family gets the first one's port");
        int only = 0;
        cr_assert_eq(strio_socket_getsockopt_int(&ls[1].sock, IPPROTO_IPV6,
                                                 IPV6_V6ONLY, &only), 0);
        cr_assert_eq(only, 1);
        connects(&ls[1], AF_INET6, p1);
    } else {
        cr_log_warn("no IPv6 loopback on this machine: ::1 not checked");
    }
    for (size_t i = 0; i < n; i++)
        strio_socket_listener_close(&ls[i]);
    cr_assert_eq(count_fds(), fds);
}

Test(serve, wildcard_fixed_port_and_numeric_hosts)
{
    size_t n = 0;
    /* find a free port, then ask for it explicitly */
    cr_assert_eq(open_listeners(NULL, NULL, "127.0.0.1", 0, 8, &n, 0), 0);
    cr_assert_eq(n, 1u);
    unsigned port;
    cr_assert_eq(family_of(&ls[0], &port), AF_INET);
    connects(&ls[0], AF_INET, port);
    strio_socket_listener_close(&ls[0]);
    cr_assert_eq(open_listeners(NULL, NULL, NULL, port, 8, &n, 0), 0);
    unsigned p;
    for (size_t i = 0; i < n; i++) {
        family_of(&ls[i], &p);
        cr_assert_eq(p, port);
    }
    /* the port is taken now: all or nothing */
    strio_socket_listener more[2];
    size_t m = 9;
    cr_assert_eq(strio_tcp_listen_addrs(NULL, 0, more, 2, &m), -EINVAL);
    cr_assert_eq(m, 0u);
    cr_assert_eq(open_listeners(NULL, NULL, "127.0.0.1", port, 8, &m, 0),
                 -EADDRINUSE);
    cr_assert_eq(m, 0u);
    for (size_t i = 0; i < n; i++)
        strio_socket_listener_close(&ls[i]);
    if (have_ipv6_loopback()) {
        cr_assert_eq(open_listeners(NULL, NULL, "::1", 0, 8, &n, 0), 0);
        cr_assert_eq(n, 1u);
        cr_assert_eq(family_of(&ls[0], &p), AF_INET6);
        connects(&ls[0], AF_INET6, p);
        strio_socket_listener_close(&ls[0]);
    }
}

Test(serve, listeners_on_a_name)
{
    size_t n = 0;
    int rc = open_listeners(&res, &workers.workers, "localhost", 0, 8, &n, 0);
    cr_assert_eq(rc, 0, "%s", strio_strerror(rc));
    cr_assert_geq(n, 1u);
    unsigned port0 = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned p;
        int fam = family_of(&ls[i], &p);
        if (i == 0)
            port0 = p;
        cr_assert_eq(p, port0);
        connects(&ls[i], fam, p);
        strio_socket_listener_close(&ls[i]);
    }
}

Test(serve, listener_errors)
{
    size_t n = 7;
    int fds = count_fds();
    cr_assert_eq(open_listeners(NULL, NULL, NULL, 65536, 8, &n, 0), -EINVAL);
    cr_assert_eq(n, 0u);
    /* a name needs a resolver and workers */
    cr_assert_eq(open_listeners(NULL, NULL, "localhost", 0, 8, &n, 0),
                 -EINVAL);
    /* a name too long for any lookup (refused before one: the tests
     * never query a DNS server) */
    static char longname[300];
    memset(longname, 'a', sizeof longname - 1);
    cr_assert_eq(open_listeners(&res, &workers.workers, longname, 0, 8, &n,
                                0), -EINVAL);
    /* an address this machine does not have */
    cr_assert_eq(open_listeners(NULL, NULL, "192.0.2.1", 0, 8, &n, 0),
                 -EADDRNOTAVAIL);
    /* more addresses than room */
    if (have_ipv6_loopback())
        cr_assert_eq(open_listeners(NULL, NULL, NULL, 0, 1, &n, 0), -ENOSPC);
    /* cancelled at entry: nothing opened */
    cr_assert_eq(open_listeners(NULL, NULL, NULL, 0, 8, &n, 1),
                 STRIO_ECANCELED);
    cr_assert_eq(n, 0u);
    cr_assert_eq(count_fds(), fds);
}

/* ---- serving --------------------------------------------------------------------- */

static int run_main(sv_probe_fn probe)
{
    static struct sv_main_frame f;
    strio_task t;
    sv_main_start(&f, &x, probe);
    strio_task_init(&t, sv_main_resume, &f, &f.strio_ret);
    int lrc = strio_loop_run(&loop, &t);
    cr_assert_eq(lrc, 0, "loop: %s", strio_strerror(lrc));
    return f.strio_ret;
}

static void server_setup(void)
{
    STRIO_TCP_SERVER_SETUP(srv, sv_echo_bind, sv_echo_resume, &x);
    x.srv = &srv.server;
}

Test(serve, echo_over_every_listener)
{
    int fds = count_fds();
    int v6 = have_ipv6_loopback();
    server_setup();
    x.host = NULL;
    x.port = 0;
    x.nclients = 12;
    for (int i = 0; i < x.nclients; i++)
        x.family[i] = v6 && i % 2 ? AF_INET6 : AF_INET;
    int rc = run_main(NULL);
    cr_assert_eq(rc, 0, "%s", strio_strerror(rc));
    cr_assert_eq(x.serve_rc, STRIO_ECANCELED, "%s", strio_strerror(x.serve_rc));
    for (int i = 0; i < x.nclients; i++)
        cr_assert_eq(x.client_rc[i], 0, "client %d: %s", i,
                     strio_strerror(x.client_rc[i]));
    cr_assert_eq(srv.server.accepted, 12u);
    cr_assert_eq(srv.server.handler_errors, 0u);
    cr_assert_eq(x.handlers_done, 12);
    cr_assert_eq(strio_tcp_server_active(&srv.server), 0u);
    cr_assert_eq(srv.server.nlisteners, v6 ? 2u : 1u);
    cr_assert_eq(srv.server.listeners[0].sock.fd, -1, "closed by serve_tcp");
    cr_assert_eq(count_fds(), fds);
    cr_assert_eq(io.poll.waiters, 0);
}

Test(serve, handler_error_is_counted_and_serving_goes_on)
{
    server_setup();
    x.host = "127.0.0.1";
    x.nclients = 5;
    x.fail_client = 1;
    for (int i = 0; i < x.nclients; i++)
        x.family[i] = AF_INET;
    cr_assert_eq(run_main(NULL), 0);
    for (int i = 0; i < x.nclients; i++)
        cr_assert_eq(x.client_rc[i], 0, "client %d: %s", i,
                     strio_strerror(x.client_rc[i]));
    cr_assert_eq(srv.server.accepted, 5u);
    cr_assert_eq(srv.server.handler_errors, 1u);
    cr_assert_eq(srv.server.last_handler_error, -EPROTO);
}

Test(serve, tcp_and_unix_listeners_together)
{
    char path[64];
    size_t n;
    int fds = count_fds();
    server_setup();
    snprintf(path, sizeof path, "@strio-serve-%ld", (long)getpid());
    cr_assert_eq(open_listeners(NULL, NULL, "127.0.0.1", 0, 1, &n, 0), 0);
    cr_assert_eq(strio_open_unix_listener(&ls[1], path, 0), 0);
    x.ls = ls;
    x.nls = 2;
    x.unix_path = path;
    x.nclients = 6;
    for (int i = 0; i < x.nclients; i++)
        x.family[i] = i % 2 ? AF_UNIX : AF_INET;
    int rc = run_main(NULL);
    cr_assert_eq(rc, 0, "%s", strio_strerror(rc));
    for (int i = 0; i < x.nclients; i++)
        cr_assert_eq(x.client_rc[i], 0, "client %d: %s", i,
                     strio_strerror(x.client_rc[i]));
    cr_assert_eq(srv.server.accepted, 6u);
    strio_socket_listener_close(&ls[0]);
    strio_socket_listener_close(&ls[1]);
    cr_assert_eq(count_fds(), fds);
}

/* Backpressure, two slots and four clients: two handlers run, the other
 * two connections wait in the kernel's backlog (the listener stays
 * readable, nothing more is accepted); each released handler lets exactly
 * one more in. */
static int bp_stage, bp_waited;

static int listener_has_pending(void)
{
    struct pollfd p = { .fd = ls[0].sock.fd, .events = POLLIN };
    return poll(&p, 1, 0) == 1;
}

static int backpressure_probe(struct sv_ctx *c, int step)
{
    (void)step;
    if (++bp_waited > 2000)
        return -ETIMEDOUT;
    switch (bp_stage) {
    case 0:                     /* two handlers in, then a few more turns */
        if (c->in_handler < 2)
            return 1;
        if (bp_waited < 20 + 10)
            return 1;
        cr_assert_eq(c->in_handler, 2);
        cr_assert_eq(c->srv->accepted, 2u);
        cr_assert_eq(strio_tcp_server_active(c->srv), 2u);
        cr_assert(listener_has_pending(), "the rest waits in the backlog");
        strio_semaphore_release(&c->release);
        bp_stage = 1;
        return 1;
    case 1:
        if (c->in_handler < 3)
            return 1;
        cr_assert_eq(c->srv->accepted, 3u);
        cr_assert_eq(strio_tcp_server_active(c->srv), 2u);
        cr_assert(listener_has_pending());
        for (int i = 0; i < 3; i++)
            strio_semaphore_release(&c->release);
        bp_stage = 2;
        return 0;
    }
    return -EINVAL;
}

Test(serve, backpressure_when_the_pool_is_full)
{
    size_t n;
    server_setup();
    cr_assert_eq(open_listeners(NULL, NULL, "127.0.0.1", 0, 1, &n, 0), 0);
    x.ls = ls;
    x.nls = 1;
    x.gated = 1;
    strio_semaphore_init(&x.release, 0, STRIO_SEMAPHORE_NO_MAX);
    x.nclients = 4;
    for (int i = 0; i < x.nclients; i++)
        x.family[i] = AF_INET;
    bp_stage = bp_waited = 0;
    int rc = run_main(backpressure_probe);
    cr_assert_eq(rc, 0, "%s", strio_strerror(rc));
    cr_assert_eq(bp_stage, 2);
    for (int i = 0; i < x.nclients; i++)
        cr_assert_eq(x.client_rc[i], 0, "client %d: %s", i,
                     strio_strerror(x.client_rc[i]));
    cr_assert_eq(srv.server.accepted, 4u);
    strio_socket_listener_close(&ls[0]);
}

Test(serve, closed_listener_stops_the_server_then_serve_again)
{
    size_t n;
    server_setup();
    cr_assert_eq(open_listeners(NULL, NULL, "127.0.0.1", 0, 1, &n, 0), 0);
    x.ls = ls;
    x.nls = 1;
    x.close_listener = 1;
    x.nclients = 2;
    x.family[0] = x.family[1] = AF_INET;
    int rc = run_main(NULL);
    cr_assert_eq(rc, 0, "%s", strio_strerror(rc));
    cr_assert_eq(x.serve_rc, STRIO_ECLOSED, "%s", strio_strerror(x.serve_rc));
    cr_assert_eq(x.client_rc[0], 0);
    cr_assert_eq(strio_tcp_server_active(&srv.server), 0u);
    cr_assert_eq(srv.server.running, 0);
    strio_socket_listener_close(&ls[0]);
    /* the same server serves again, on a fresh listener */
    cr_assert_eq(open_listeners(NULL, NULL, "127.0.0.1", 0, 1, &n, 0), 0);
    memset(x.client_rc, 0xff, sizeof x.client_rc);
    x.clients_done = 0;
    x.close_listener = 0;
    rc = run_main(NULL);
    cr_assert_eq(rc, 0, "%s", strio_strerror(rc));
    cr_assert_eq(x.serve_rc, STRIO_ECANCELED);
    cr_assert_eq(x.client_rc[0], 0);
    cr_assert_eq(x.client_rc[1], 0);
    cr_assert_eq(srv.server.accepted, 4u);
    strio_socket_listener_close(&ls[0]);
}

Test(serve, bad_calls)
{
    server_setup();
    x.ls = ls;
    x.nls = 0;
    x.nclients = 0;
    /* serve_listeners with no listener: -EINVAL at once, started never set:
     * the main task's deadline ends the wait */
    x.timeout = STRIO_MS(50);
    int rc = run_main(NULL);
    cr_assert_eq(x.serve_rc, -EINVAL);
    cr_assert_eq(rc, 0, "%s", strio_strerror(rc));
}

/* ---- cancellation sweep ------------------------------------------------------------ */

static struct sv_sweep sw;
static int sweep_fds;

static int serve_scenario(struct sweep_run *run)
{
    static struct sv_sweep_main_frame f;
    strio_task t;
    size_t n;
    run->loop.backend = strio_poll_backend(&io.poll);
    STRIO_POOL_SETUP(pool);
    memset(&sw, 0, sizeof sw);
    STRIO_TCP_SERVER_SETUP(srv, sv_echo_bind, sv_echo_resume, &sw.x);
    cr_assert_eq(strio_tcp_listen_addrs(NULL, 0, ls, 1, &n), -EINVAL);
    strio_addr a;
    cr_assert_eq(strio_tcp_numeric_addrs("127.0.0.1", 0, &a), 1);
    cr_assert_eq(strio_tcp_listen_addrs(&a, 1, ls, 1, &n), 0);
    sw.x.srv = &srv.server;
    sw.x.pool = &pool.pool;
    sw.x.ls = ls;
    sw.x.nls = 1;
    sw.x.fail_client = -1;
    sw.x.nclients = 2;
    sw.x.family[0] = sw.x.family[1] = AF_INET;
    sw.x.timeout = STRIO_SEC(5);
    sv_sweep_main_start(&f, &run->target, &sw);
    strio_task_init(&t, sv_sweep_main_resume, &f, &f.strio_ret);
    int rc = strio_loop_run(&run->loop, &t);
    strio_socket_listener_close(&ls[0]);
    return rc;
}

static void serve_check(struct sweep_run *run)
{
    if (run->cancelled) {
        cr_assert(sw.rc == STRIO_ECANCELED || sw.rc == 0, "k=%lu: %s",
                  run->k, strio_strerror(sw.rc));
        cr_assert_eq(sw.exit_rc, 0, "k=%lu", run->k);
    } else {
        cr_assert_eq(sw.rc, 0, "k=%lu: %s", run->k, strio_strerror(sw.rc));
        for (int i = 0; i < 2; i++)
            cr_assert_eq(sw.x.client_rc[i], 0, "k=%lu", run->k);
    }
    cr_assert_eq(strio_tcp_server_active(&srv.server), 0u, "k=%lu", run->k);
    cr_assert_eq(srv.server.running, 0, "k=%lu", run->k);
    cr_assert_eq(srv.server.handler_errors, 0u, "k=%lu", run->k);
    cr_assert_eq(pool.pool.used, 0u, "k=%lu", run->k);
    cr_assert_eq(io.poll.waiters, 0, "k=%lu", run->k);
    cr_assert_eq(count_fds(), sweep_fds, "k=%lu: fd leak", run->k);
}

Test(serve, sweep_serve)
{
    sweep_fds = count_fds();
    struct sweep s = { .name = "serve", .scenario = serve_scenario,
                       .check = serve_check, .max_runs = 2000 };
    unsigned long runs = sweep_cancellation(&s);
    cr_log_info("serve sweep: %lu runs", runs);
    cr_assert_geq(runs, 5);
}
