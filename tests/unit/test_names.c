/*
 * strio_getnameinfo and strio_getprotobyname (resolve.c) on the worker
 * pool: numeric and named results, every error, results copied into
 * caller memory only on success, and cancellation that abandons the wait
 * (the job finishes later, the caller's buffers stay untouched). Loopback
 * addresses only; real monotonic clock, every wait bounded.
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <errno.h>
#include <netdb.h>
#include <string.h>
#include <time.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/resolve.h>
#include <strio/socket.h>

#include "names_tasks.h"

static STRIO_POLL(io, 16);
static STRIO_WORKERS(workers, 1, 4);
static STRIO_POOL(pool, struct nm_blocker_child_frame, 1);
static strio_clock mono;
static strio_loop loop;
static strio_resolver res;
static struct nm_ctx x;

static void setup(void)
{
    strio_monotonic_clock_init(&mono);
    cr_assert_eq(STRIO_POLL_SETUP(io), 0);
    strio_loop_init(&loop, &mono, strio_poll_backend(&io.poll));
    cr_assert_eq(STRIO_WORKERS_SETUP(workers, &loop), 0);
    STRIO_POOL_SETUP(pool);
    strio_resolver_init(&res);
    memset(&x, 0, sizeof x);
    x.r = &res;
    x.w = &workers.workers;
}

static void teardown(void)
{
    strio_workers_close(&workers.workers);
    strio_poll_close(&io.poll);
}

TestSuite(names, .init = setup, .fini = teardown, .timeout = 5);

/* Worker thread: waits (bounded) until the loop opens the gate. */
void nm_blocker(void *arg)
{
    struct nm_ctx *c = arg;
    struct timespec ts = { 0, 100000 };
    for (int i = 0; i < 20000 && !atomic_load(&c->gate); i++)
        nanosleep(&ts, NULL);
}

static int run(void)
{
    static struct nm_run_frame f;
    strio_task t;
    nm_run_start(&f, &x, &pool.pool);
    strio_task_init(&t, nm_run_resume, &f, &f.strio_ret);
    int lrc = strio_loop_run(&loop, &t);
    cr_assert_eq(lrc, 0, "loop: %s", strio_strerror(lrc));
    cr_assert_eq(f.strio_ret, 0, "%s", strio_strerror(f.strio_ret));
    return x.rc;
}

static strio_sockaddr addr4(const char *ip, unsigned port)
{
    strio_socket s;
    strio_sockaddr a;
    cr_assert_eq(strio_socket_create(&s, AF_INET, SOCK_DGRAM, 0), 0);
    cr_assert_eq(strio_resolve_remote_address(&s, ip, port, &a), 0);
    strio_socket_close(&s);
    return a;
}

Test(names, nameinfo_numeric)
{
    strio_sockaddr a = addr4("127.0.0.1", 8080);
    x.addr = &a;
    x.flags = NI_NUMERICHOST | NI_NUMERICSERV;
    x.hostlen = sizeof x.host;
    x.servlen = sizeof x.serv;
    cr_assert_eq(run(), 0, "%s", strio_strerror(x.rc));
    cr_assert_str_eq(x.host, "127.0.0.1");
    cr_assert_str_eq(x.serv, "8080");
    cr_assert_eq(strio_resolver_busy(&res), 0);
}

Test(names, nameinfo_names_from_files)
{
    /* 127.0.0.1 is "localhost" in /etc/hosts; port 80/tcp is "http" */
    strio_sockaddr a = addr4("127.0.0.1", 80);
    x.addr = &a;
    x.flags = NI_NAMEREQD;
    x.hostlen = sizeof x.host;
    x.servlen = sizeof x.serv;
    cr_assert_eq(run(), 0, "%s", strio_strerror(x.rc));
    cr_assert_str_eq(x.host, "localhost");
    cr_assert_str_eq(x.serv, "http");
}

Test(names, nameinfo_ipv6_and_one_output)
{
    strio_socket s;
    strio_sockaddr a;
    cr_assert_eq(strio_socket_create(&s, AF_INET6, SOCK_DGRAM, 0), 0);
    cr_assert_eq(strio_resolve_remote_address(&s, "::1", 443, &a), 0);
    strio_socket_close(&s);
    x.addr = &a;
    x.flags = NI_NUMERICHOST;
    x.hostlen = sizeof x.host;
    strcpy(x.serv, "untouched");
    cr_assert_eq(run(), 0, "%s", strio_strerror(x.rc));
    cr_assert_str_eq(x.host, "::1");
    cr_assert_str_eq(x.serv, "untouched");
}

Test(names, nameinfo_too_small_is_enospc_and_writes_nothing)
{
    strio_sockaddr a = addr4("127.0.0.1", 8080);
    x.addr = &a;
    x.flags = NI_NUMERICHOST | NI_NUMERICSERV;
    x.hostlen = 9;                      /* "127.0.0.1" needs 10 */
    x.servlen = sizeof x.serv;
    strcpy(x.host, "old");
    strcpy(x.serv, "old");
    cr_assert_eq(run(), -ENOSPC, "%s", strio_strerror(x.rc));
    cr_assert_str_eq(x.host, "old");
    cr_assert_str_eq(x.serv, "old");
}

Test(names, nameinfo_errors)
{
    strio_sockaddr a = addr4("127.0.0.1", 1);
    /* both outputs NULL */
    x.addr = &a;
    cr_assert_eq(run(), -EINVAL);
    /* no address */
    x.addr = NULL;
    x.hostlen = sizeof x.host;
    cr_assert_eq(run(), -EINVAL);
    /* errors getnameinfo finds by itself (no lookup: the tests never
     * query a DNS server): unknown flags, an unknown family */
    x.addr = &a;
    x.flags = 0x40000000;
    int rc = run();
    cr_assert_eq(rc, -EINVAL, "%s", strio_strerror(rc));
    cr_assert_eq(res.eai, EAI_BADFLAGS);
    strio_sockaddr b = a;
    b.u.sa.sa_family = AF_APPLETALK;
    x.addr = &b;
    x.flags = NI_NUMERICHOST;
    rc = run();
    cr_assert_eq(rc, -EAFNOSUPPORT, "%s", strio_strerror(rc));
    cr_assert_eq(res.eai, EAI_FAMILY);
    /* a bad family length */
    strio_sockaddr c = a;
    c.len = 3;
    x.addr = &c;
    x.flags = NI_NUMERICHOST;
    rc = run();
    cr_assert(rc == -EAFNOSUPPORT || rc == -EINVAL, "%s", strio_strerror(rc));
}

Test(names, protobyname)
{
    x.proto_name = "tcp";
    cr_assert_eq(run(), 0, "%s", strio_strerror(x.rc));
    cr_assert_eq(x.proto, 6);
    x.proto_name = "udp";
    cr_assert_eq(run(), 0);
    cr_assert_eq(x.proto, 17);
    x.proto = 1234;
    x.proto_name = "no-such-protocol";
    cr_assert_eq(run(), -ENOENT, "%s", strio_strerror(x.rc));
    cr_assert_eq(x.proto, 1234);
    x.proto_name = "";
    cr_assert_eq(run(), -EINVAL);
    static char longname[400];
    memset(longname, 'a', sizeof longname - 1);
    x.proto_name = longname;
    cr_assert_eq(run(), -EINVAL);
}

Test(names, cancelled_at_entry_runs_nothing)
{
    strio_sockaddr a = addr4("127.0.0.1", 8080);
    x.addr = &a;
    x.flags = NI_NUMERICHOST;
    x.hostlen = sizeof x.host;
    x.cancel_first = 1;
    strcpy(x.host, "old");
    cr_assert_eq(run(), STRIO_ECANCELED);
    cr_assert(x.caught);
    cr_assert_str_eq(x.host, "old");
    cr_assert_eq(x.busy_after, 0);
    cr_assert_eq(workers.workers.completed, 0);
    x.proto_name = "tcp";
    x.proto = 99;
    cr_assert_eq(run(), STRIO_ECANCELED);
    cr_assert_eq(x.proto, 99);
}

/* The only worker is blocked: the call's job waits in the queue, the
 * deadline abandons the wait; the job runs once the blocker ends, writes
 * only into the resolver, and the caller's buffer never changes. */
static void abandoned(int proto)
{
    strio_sockaddr a = addr4("127.0.0.1", 8080);
    x.addr = &a;
    x.flags = NI_NUMERICHOST;
    x.hostlen = sizeof x.host;
    x.block = 1;
    x.timeout = STRIO_MS(20);
    if (proto)
        x.proto_name = "tcp";
    x.proto = 99;
    strcpy(x.host, "old");
    cr_assert_eq(run(), STRIO_ECANCELED, "%s", strio_strerror(x.rc));
    cr_assert(x.caught);
    cr_assert_eq(x.busy_after, 1, "the job is still queued");
    /* a second call on the busy resolver is refused at once */
    strio_workers_close(&workers.workers);       /* lets the job finish */
    cr_assert_eq(strio_resolver_busy(&res), 0);
    cr_assert_str_eq(x.host, "old");
    cr_assert_eq(x.proto, 99);
    cr_assert_eq(workers.workers.abandoned, 1);
    if (proto)
        cr_assert_eq(res.proto, 6, "the job ran into the resolver");
    else
        cr_assert_str_eq(res.host, "127.0.0.1");
}

Test(names, nameinfo_cancel_abandons_the_wait)
{
    abandoned(0);
}

Test(names, protobyname_cancel_abandons_the_wait)
{
    abandoned(1);
}

Test(names, busy_resolver_is_ebusy)
{
    strio_sockaddr a = addr4("127.0.0.1", 8080);
    x.addr = &a;
    x.hostlen = sizeof x.host;
    atomic_store(&res.busy, 1);         /* as if a job still ran */
    cr_assert_eq(run(), STRIO_EBUSY);
    x.proto_name = "tcp";
    cr_assert_eq(run(), STRIO_EBUSY);
    atomic_store(&res.busy, 0);
    cr_assert_eq(run(), 0);
}
