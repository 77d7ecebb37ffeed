/*
 * The DNS stub resolver (protocols/dns_resolver.c, dns_resolver_impl.sc):
 * config and hosts files, literals, fake name servers in the same loop
 * (wrong id, SERVFAIL, NXDOMAIN, silent -> timeouts and retries on the
 * virtual clock), a refused server, a cancellation sweep, and real
 * resolution against dnsmasq started here on 127.0.0.1 (real monotonic
 * clock, bounded waits). Nothing is ever sent off this machine: every
 * server is a loopback address of a socket or process the test owns.
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/dns.h>
#include <strio/dns_resolver.h>
#include <strio/dns_posix.h>

#include "dns_tasks.h"
#include "sweep.h"

extern char **environ;

static STRIO_POLL(io, 16);
static STRIO_POOL(pool, struct dn_serve_frame, 4);
static STRIO_POOL(bpool, struct dn_busy_child_frame, 1);
static STRIO_POOL(mpool, struct dn_mem_serve_frame, 1);
static strio_clock mono;
static strio_vclock vc;
static strio_loop loop;
static strio_dns_config cfg;
static strio_dns_resolver res;
static strio_dns_udp udp;
static struct dn_server srv[2];
static struct dn_ctx ctx;
static char dir[64];
static pid_t dnsmasq_pid = -1;

/* A deterministic RNG for the ids (the tests check nothing depends on
 * the values, only that replies must match them). */
static uint32_t counter_rng(void *arg)
{
    uint32_t *s = arg;
    *s = *s * 1103515245u + 12345u;
    return *s >> 8;
}
static uint32_t rng_state;

static void setup(void)
{
    strio_monotonic_clock_init(&mono);
    cr_assert_eq(STRIO_POLL_SETUP(io), 0);
    STRIO_POOL_SETUP(pool);
    STRIO_POOL_SETUP(bpool);
    STRIO_POOL_SETUP(mpool);
    strio_dns_config_init(&cfg);
    rng_state = 7;
    strio_dns_udp_init(&udp);
    strio_dns_resolver_init(&res, &cfg, &udp.base, counter_rng, &rng_state);
    for (int i = 0; i < 2; i++) {
        memset(&srv[i], 0, sizeof srv[i]);
        srv[i].sock.fd = -1;
        srv[i].spoof.fd = -1;
    }
    memset(&ctx, 0, sizeof ctx);
    ctx.r = &res;
    ctx.want = STRIO_DNS_WANT_ANY;
    strcpy(dir, "/tmp/strio-dns-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void stop_dnsmasq(void);

static void teardown(void)
{
    char cmd[400];
    stop_dnsmasq();                     /* also after a failed assertion */
    for (int i = 0; i < 2; i++) {
        strio_socket_close(&srv[i].sock);
        strio_socket_close(&srv[i].spoof);
    }
    strio_poll_close(&io.poll);
    DIR *d = opendir(dir);
    if (d != NULL) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (e->d_name[0] == '.')
                continue;
            snprintf(cmd, sizeof cmd, "%s/%s", dir, e->d_name);
            unlink(cmd);
        }
        closedir(d);
    }
    rmdir(dir);
}

TestSuite(dns, .init = setup, .fini = teardown, .timeout = 5);

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

static const char *write_file(const char *name, const char *text)
{
    static char path[2][128];
    static int k;
    char *p = path[k++ % 2];
    snprintf(p, sizeof path[0], "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

/* A bound UDP socket on 127.0.0.1 (any port); returns the port. */
static unsigned bind_udp(strio_socket *s)
{
    strio_sockaddr a;
    cr_assert_eq(strio_socket_create(s, AF_INET, SOCK_DGRAM, 0), 0);
    cr_assert_eq(strio_resolve_local_address(s, "127.0.0.1", 0, &a), 0);
    cr_assert_eq(strio_socket_bind(s, &a), 0);
    cr_assert_eq(strio_socket_getsockname(s, &a), 0);
    return (unsigned)strio_sockaddr_port(&a);
}

/* A fake server of `mode` as cfg's next server. */
static void add_fake(int i, int mode)
{
    srv[i].mode = mode;
    unsigned port = bind_udp(&srv[i].sock);
    cr_assert_eq(strio_dns_config_add_server(&cfg, "127.0.0.1", port), 0);
    ctx.servers = srv;
    ctx.nservers = i + 1;
}

/* Runs dn_resolve in `lp` (loop on the monotonic or virtual clock). */
static int run_in(strio_loop *lp, strio_cancel_scope **target)
{
    static struct dn_resolve_frame f;
    strio_task t;
    dn_resolve_start(&f, &ctx, &pool.pool, target);
    strio_task_init(&t, dn_resolve_resume, &f, &f.strio_ret);
    int lrc = strio_loop_run(lp, &t);
    cr_assert_eq(lrc, 0, "loop: %s", strio_strerror(lrc));
    return f.strio_ret;
}

static int run_mono(void)
{
    strio_loop_init(&loop, &mono, strio_poll_backend(&io.poll));
    return run_in(&loop, NULL);
}

static int run_virtual(void)
{
    strio_vclock_init(&vc, 0, 1);
    strio_loop_init(&loop, &vc.clock, strio_poll_backend(&io.poll));
    return run_in(&loop, NULL);
}

static void addr_is(const strio_dns_addr *a, const char *text)
{
    char buf[INET6_ADDRSTRLEN];
    int fam = a->type == STRIO_DNS_A ? AF_INET : AF_INET6;
    cr_assert(a->type == STRIO_DNS_A || a->type == STRIO_DNS_AAAA);
    cr_assert_not_null(inet_ntop(fam, a->addr, buf, sizeof buf));
    cr_assert_str_eq(buf, text);
}

/* ---- config, files ------------------------------------------------------- */

Test(dns, config_servers)
{
    cr_assert_eq(strio_dns_config_add_server(&cfg, "127.0.0.1", 5353), 0);
    cr_assert_eq(strio_dns_config_add_server(&cfg, "::1", 53), 0);
    cr_assert_eq(strio_dns_config_add_server(&cfg, "localhost", 53), -EINVAL);
    cr_assert_eq(strio_dns_config_add_server(&cfg, "", 53), -EINVAL);
    cr_assert_eq(strio_dns_config_add_server(&cfg, "127.0.0.1", 70000),
                 -EINVAL);
    cr_assert_eq(strio_dns_config_add_server(&cfg, "127.0.0.2", 53), 0);
    cr_assert_eq(strio_dns_config_add_server(&cfg, "127.0.0.3", 53), -ENOSPC);
    cr_assert_eq(cfg.nservers, 3);
    cr_assert_eq(cfg.servers[0].port, 5353);
    cr_assert_eq(cfg.servers[0].addr.type, STRIO_DNS_A);
    cr_assert_eq(cfg.servers[0].addr.addr[0], 127);
    cr_assert_eq(cfg.servers[1].addr.type, STRIO_DNS_AAAA);
    cr_assert_eq(cfg.servers[1].addr.addr[15], 1);
}

Test(dns, resolv_conf)
{
    char text[4096];
    char longline[STRIO_DNS_LINE_MAX + 100];
    memset(longline, 'x', sizeof longline - 2);
    memcpy(longline, "nameserver 10.9.9.9 ", 20);
    longline[sizeof longline - 2] = '\n';
    longline[sizeof longline - 1] = 0;
    snprintf(text, sizeof text,
             "# comment\n"
             "; also a comment\n"
             "search example.org\n"
             "nameserver 127.0.0.53\n"
             "%s"
             "nameserver ::1\n"
             "nameserver\n"
             "nameserver not-an-address\n"
             "options ndots:2 timeout:3 attempts:4 rotate\n"
             "nameserver 127.0.0.54\n"
             "nameserver 127.0.0.55\n"
             "options timeout:99", longline);
    const char *p = write_file("resolv.conf", text);
    cr_assert_eq(strio_dns_config_load_resolv_conf(&cfg, p), 0);
    cr_assert_eq(cfg.nservers, 3);
    cr_assert_eq(cfg.ignored_servers, 1);
    cr_assert_eq(cfg.skipped_lines, 1);         /* 10.9.9.9 is not taken */
    addr_is(&cfg.servers[0].addr, "127.0.0.53");
    addr_is(&cfg.servers[1].addr, "::1");
    addr_is(&cfg.servers[2].addr, "127.0.0.54");
    for (int i = 0; i < 3; i++)
        cr_assert_eq(cfg.servers[i].port, 53);
    cr_assert_eq(cfg.timeout, STRIO_SEC(30));   /* capped as glibc */
    cr_assert_eq(cfg.attempts, 4);
    cr_assert_eq(strio_dns_config_load_resolv_conf(&cfg, "/nonexistent/x"),
                 -ENOENT);
}

static const char hosts_text[] =
    "# test hosts\n"
    "127.0.0.1\tlocalhost\n"
    "192.0.2.5   Web.Test web   # the web server\n"
    "2001:db8::5 web.test\n"
    "192.0.2.6   web.test\n"
    "192.0.2.7   other.test\n"
    "not-an-ip   web.test\n"
    "fe80::1%eth0 web.test\n";

Test(dns, hosts_lookup)
{
    const char *p = write_file("hosts", hosts_text);
    strio_dns_addr a[4];
    size_t n;
    cr_assert_eq(strio_dns_hosts_lookup(p, "web.test", STRIO_DNS_WANT_ANY, a,
                                        4, &n), 3);
    cr_assert_eq(n, 3);
    addr_is(&a[0], "192.0.2.5");
    addr_is(&a[1], "2001:db8::5");
    addr_is(&a[2], "192.0.2.6");
    cr_assert_eq(strio_dns_hosts_lookup(p, "WEB.test.", STRIO_DNS_WANT_A, a,
                                        4, &n), 2);
    cr_assert_eq(strio_dns_hosts_lookup(p, "web", STRIO_DNS_WANT_AAAA, a, 4,
                                        &n), 0);
    cr_assert_eq(strio_dns_hosts_lookup(p, "web.test", STRIO_DNS_WANT_ANY, a,
                                        1, &n), 3);   /* found 3, stored 1 */
    cr_assert_eq(n, 1);
    cr_assert_eq(strio_dns_hosts_lookup(p, "absent.test", STRIO_DNS_WANT_ANY,
                                        a, 4, &n), 0);
    cr_assert_eq(strio_dns_hosts_lookup("/nonexistent/h", "x",
                                        STRIO_DNS_WANT_ANY, a, 4, &n),
                 -ENOENT);
}

Test(dns, literals_hosts_and_no_server)
{
    int fds = count_fds();
    ctx.name = "192.0.2.44";
    cr_assert_eq(run_virtual(), 0);
    cr_assert_eq(ctx.rc, 1);
    cr_assert_eq(ctx.count, 1);
    addr_is(&ctx.addrs[0], "192.0.2.44");
    ctx.name = "2001:db8::44";
    ctx.want = STRIO_DNS_WANT_A;
    run_virtual();
    cr_assert_eq(ctx.rc, -EAFNOSUPPORT);
    /* the hosts file answers: no server needed */
    cfg.hosts_path = write_file("hosts", hosts_text);
    ctx.name = "other.test";
    ctx.want = STRIO_DNS_WANT_ANY;
    run_virtual();
    cr_assert_eq(ctx.rc, 1);
    cr_assert_eq(res.from_hosts, 1);
    addr_is(&ctx.addrs[0], "192.0.2.7");
    /* not in the hosts file, no server */
    ctx.name = "absent.test";
    run_virtual();
    cr_assert_eq(ctx.rc, -EDESTADDRREQ);
    cr_assert_eq(res.tries, 0);
    /* bad names fail before any I/O */
    ctx.name = "a..b";
    run_virtual();
    cr_assert_eq(ctx.rc, -EINVAL);
    cr_assert_eq(count_fds(), fds);
}

Test(dns, argument_errors)
{
    add_fake(0, DN_ANSWER);
    ctx.name = "x.test";
    ctx.want = 0;
    run_virtual();
    cr_assert_eq(ctx.rc, -EINVAL);
    ctx.want = 4;
    run_virtual();
    cr_assert_eq(ctx.rc, -EINVAL);
    ctx.want = STRIO_DNS_WANT_A;
    ctx.name = NULL;
    run_virtual();
    cr_assert_eq(ctx.rc, -EINVAL);
    /* no RNG, no transport: refused before any I/O */
    ctx.name = "x.test";
    strio_dns_resolver_init(&res, &cfg, &udp.base, NULL, NULL);
    run_virtual();
    cr_assert_eq(ctx.rc, -EINVAL);
    strio_dns_resolver_init(&res, &cfg, NULL, counter_rng, &rng_state);
    run_virtual();
    cr_assert_eq(ctx.rc, -EINVAL);
    cr_assert_eq(res.tries, 0);
    cr_assert_eq(srv[0].received, 0);
    /* a name too long for DNS */
    char name[300];
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = 0;
    for (int i = 60; i < 290; i += 61)
        name[i] = '.';
    strio_dns_resolver_init(&res, &cfg, &udp.base, counter_rng, &rng_state);
    ctx.name = name;
    run_virtual();
    cr_assert_eq(ctx.rc, STRIO_EDNS_NAMELEN);
    cr_assert_eq(res.busy, 0);
}

/* ---- fake servers ---------------------------------------------------------- */

Test(dns, answer_merges_aaaa_and_a)
{
    int fds = count_fds();
    add_fake(0, DN_ANSWER);
    ctx.name = "both.test";
    cr_assert_eq(run_mono(), 0);
    cr_assert_eq(ctx.rc, 2, "%s", strio_strerror(ctx.rc));
    cr_assert_eq(ctx.count, 2);
    addr_is(&ctx.addrs[0], "2001:db8::1");
    addr_is(&ctx.addrs[1], "192.0.2.1");
    cr_assert_eq(ctx.addrs[1].ttl, 60);
    cr_assert_eq(res.tries, 1);
    cr_assert_eq(res.ignored, 0);
    cr_assert_eq(srv[0].received, 2);
    cr_assert_eq(srv[0].result, 0);
    /* one family only: one query */
    ctx.want = STRIO_DNS_WANT_A;
    srv[0].received = 0;
    strio_socket_close(&srv[0].sock);
    cfg.nservers = 0;
    add_fake(0, DN_ANSWER);
    cr_assert_eq(run_mono(), 0);
    cr_assert_eq(ctx.rc, 1);
    addr_is(&ctx.addrs[0], "192.0.2.1");
    cr_assert_eq(srv[0].received, 1);
    strio_socket_close(&srv[0].sock);
    cr_assert_eq(count_fds(), fds);
    cr_assert_eq(udp.stream.sock.fd, -1);
}

static int have_ipv6_loopback(void)
{
    int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
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

Test(dns, ipv6_server)
{
    if (!have_ipv6_loopback())
        cr_skip_test("no IPv6 loopback");
    strio_sockaddr a;
    srv[0].mode = DN_ANSWER;
    cr_assert_eq(strio_socket_create(&srv[0].sock, AF_INET6, SOCK_DGRAM, 0),
                 0);
    cr_assert_eq(strio_resolve_local_address(&srv[0].sock, "::1", 0, &a), 0);
    cr_assert_eq(strio_socket_bind(&srv[0].sock, &a), 0);
    cr_assert_eq(strio_socket_getsockname(&srv[0].sock, &a), 0);
    cr_assert_eq(strio_dns_config_add_server(&cfg, "::1",
                                             (unsigned)strio_sockaddr_port(&a)),
                 0);
    ctx.servers = srv;
    ctx.nservers = 1;
    ctx.name = "six.test";
    cr_assert_eq(run_mono(), 0);
    cr_assert_eq(ctx.rc, 2, "%s", strio_strerror(ctx.rc));
    addr_is(&ctx.addrs[0], "2001:db8::1");
    addr_is(&ctx.addrs[1], "192.0.2.1");
}

Test(dns, wrong_id_and_wrong_question_are_ignored)
{
    add_fake(0, DN_WRONG_ID_FIRST);
    ctx.name = "spoof.test";
    ctx.want = STRIO_DNS_WANT_A;
    cr_assert_eq(run_mono(), 0);
    cr_assert_eq(ctx.rc, 1, "%s", strio_strerror(ctx.rc));
    addr_is(&ctx.addrs[0], "192.0.2.1");
    cr_assert_eq(srv[0].sent, 3);
    cr_assert_eq(res.ignored, 2);
    cr_assert_eq(res.tries, 1);
}

Test(dns, forged_source_is_dropped)
{
    /* another socket of this host answers first with a forged address:
     * the resolver's connected socket never sees it (not even as an
     * ignored datagram) */
    add_fake(0, DN_SPOOF);
    bind_udp(&srv[0].spoof);
    ctx.name = "forge.test";
    ctx.want = STRIO_DNS_WANT_A;
    cr_assert_eq(run_mono(), 0);
    cr_assert_eq(ctx.rc, 1, "%s", strio_strerror(ctx.rc));
    addr_is(&ctx.addrs[0], "192.0.2.1");
    cr_assert_eq(srv[0].sent, 2);
    cr_assert_eq(res.ignored, 0);
}

Test(dns, servfail_moves_to_next_server)
{
    add_fake(0, DN_SERVFAIL);
    add_fake(1, DN_ANSWER);
    ctx.name = "sf.test";
    cr_assert_eq(run_mono(), 0);
    cr_assert_eq(ctx.rc, 2, "%s", strio_strerror(ctx.rc));
    cr_assert_eq(res.tries, 2);
    cr_assert_eq(res.last_error, STRIO_EDNS_SERVFAIL);
    cr_assert_eq(srv[0].received, 2);
    cr_assert_eq(srv[1].received, 2);
}

Test(dns, servfail_everywhere)
{
    add_fake(0, DN_SERVFAIL);
    cfg.attempts = 3;
    ctx.name = "sf.test";
    cr_assert_eq(run_mono(), 0);
    cr_assert_eq(ctx.rc, STRIO_EDNS_SERVFAIL);
    cr_assert_eq(res.tries, 3);
    cr_assert_eq(srv[0].received, 6);
}

Test(dns, nxdomain_is_final)
{
    add_fake(0, DN_NXDOMAIN);
    add_fake(1, DN_ANSWER);
    ctx.name = "nx.test";
    cr_assert_eq(run_mono(), 0);
    cr_assert_eq(ctx.rc, STRIO_EDNS_NXDOMAIN);
    cr_assert_eq(ctx.count, 0);
    cr_assert_eq(res.tries, 1);
    cr_assert_eq(srv[1].received, 0);
}

Test(dns, refused_port_moves_on_at_once)
{
    strio_socket dead = STRIO_SOCKET_INIT;
    unsigned port = bind_udp(&dead);
    strio_socket_close(&dead);              /* nobody there now */
    cr_assert_eq(strio_dns_config_add_server(&cfg, "127.0.0.1", port), 0);
    srv[1].mode = DN_ANSWER;
    cr_assert_eq(strio_dns_config_add_server(&cfg, "127.0.0.1",
                                             bind_udp(&srv[1].sock)), 0);
    ctx.servers = srv + 1;
    ctx.nservers = 1;
    ctx.name = "r.test";
    cfg.timeout = STRIO_SEC(10);
    strio_loop_init(&loop, &mono, strio_poll_backend(&io.poll));
    strio_time t0 = strio_loop_now(&loop);
    cr_assert_eq(run_in(&loop, NULL), 0);
    cr_assert_eq(ctx.rc, 2, "%s", strio_strerror(ctx.rc));
    cr_assert_eq(res.tries, 2);
    cr_assert_eq(res.last_error, -ECONNREFUSED);
    cr_assert_lt(strio_loop_now(&loop) - t0, STRIO_SEC(5));  /* no timeout */
}

Test(dns, silent_server_times_out_with_retries)
{
    /* virtual clock: 2 servers x 3 attempts x 1.5 s, exactly */
    int fds = count_fds();
    add_fake(0, DN_SILENT);
    add_fake(1, DN_SILENT);
    cfg.timeout = STRIO_MS(1500);
    cfg.attempts = 3;
    ctx.name = "quiet.test";
    cr_assert_eq(run_virtual(), 0);
    cr_assert_eq(ctx.rc, STRIO_ETIMEDOUT, "%s", strio_strerror(ctx.rc));
    cr_assert_eq(ctx.ended - ctx.started, STRIO_MS(9000));
    cr_assert_eq(res.tries, 6);
    cr_assert_eq(srv[0].received, 6);       /* AAAA + A, three times */
    cr_assert_eq(srv[1].received, 6);
    cr_assert_eq(ctx.exit_rc, STRIO_ETIMEDOUT);
    strio_socket_close(&srv[0].sock);
    strio_socket_close(&srv[1].sock);
    cr_assert_eq(count_fds(), fds);
}

Test(dns, busy_resolver)
{
    struct dn_ctx a, b;
    static struct dn_busy_frame f;
    strio_task t;
    add_fake(0, DN_SILENT);
    cfg.timeout = STRIO_SEC(1);
    cfg.attempts = 1;
    memset(&a, 0, sizeof a);
    a.r = &res;
    a.name = "x.test";
    a.want = STRIO_DNS_WANT_A;
    b = a;
    strio_vclock_init(&vc, 0, 1);
    strio_loop_init(&loop, &vc.clock, strio_poll_backend(&io.poll));
    dn_busy_start(&f, &a, &b, &bpool.pool);
    strio_task_init(&t, dn_busy_resume, &f, &f.strio_ret);
    cr_assert_eq(strio_loop_run(&loop, &t), 0);
    /* whichever started first runs (and times out), the other is refused */
    cr_assert((a.rc == STRIO_EBUSY && b.rc == STRIO_ETIMEDOUT) ||
              (b.rc == STRIO_EBUSY && a.rc == STRIO_ETIMEDOUT),
              "%d %d", a.rc, b.rc);
    cr_assert_eq(res.busy, 0);
}

/* ---- a memory transport (no sockets: what firmware does) ------------- */

/* in dns_tasks.sc (plain C there: not in its generated header) */
void dn_mem_init(struct dn_mem *m, int mode, int open_error);

static struct dn_mem mem;
static strio_dns_resolver mres;

static int run_mem(int mode, int open_error, const char *name)
{
    static struct dn_mem_resolve_frame f;
    strio_task t;
    strio_dns_addr a = { .type = STRIO_DNS_A, .addr = { 10, 0, 0, 53 } };
    dn_mem_init(&mem, mode, open_error);
    cr_assert_eq(strio_dns_config_add_server_addr(&cfg, &a, 53), 0);
    strio_dns_resolver_init(&mres, &cfg, &mem.base, counter_rng, &rng_state);
    ctx.r = &mres;
    ctx.name = name;
    ctx.want = STRIO_DNS_WANT_A;
    strio_vclock_init(&vc, 0, 1);
    strio_loop_init(&loop, &vc.clock, NULL);       /* no I/O backend */
    dn_mem_resolve_start(&f, &ctx, &mem, &mpool.pool);
    strio_task_init(&t, dn_mem_resolve_resume, &f, &f.strio_ret);
    cr_assert_eq(strio_loop_run(&loop, &t), 0);
    cr_assert_eq(f.strio_ret, 0, "%s", strio_strerror(f.strio_ret));
    cr_assert_eq(mem.serve_rc, 0);
    return ctx.rc;
}

Test(dns, memory_transport_answers)
{
    cr_assert_eq(run_mem(DN_ANSWER, 0, "fw.test"), 1, "%s",
                 strio_strerror(ctx.rc));
    addr_is(&ctx.addrs[0], "192.0.2.1");
    cr_assert_eq(mem.opened, 1);
    cr_assert_eq(mem.received, 1);
    cr_assert_eq(mres.chan, NULL);
    cr_assert_eq(ctx.ended, ctx.started);           /* no time passed */
}

Test(dns, memory_transport_timeout)
{
    cfg.timeout = STRIO_MS(700);
    cfg.attempts = 1;
    cr_assert_eq(run_mem(DN_SILENT, 0, "fw.test"), STRIO_ETIMEDOUT);
    cr_assert_eq(ctx.ended - ctx.started, STRIO_MS(700));
    cr_assert_eq(mem.received, 1);
}

Test(dns, transport_open_fails)
{
    cfg.attempts = 3;
    cr_assert_eq(run_mem(DN_ANSWER, -ENETDOWN, "fw.test"), -ENETDOWN);
    cr_assert_eq(mem.opened, 3);
    cr_assert_eq(mres.tries, 3);
}

/* ---- cancellation sweep ------------------------------------------------ */

static int sweep_fds;

static int resolve_scenario(struct sweep_run *run)
{
    run->loop.backend = strio_poll_backend(&io.poll);
    STRIO_POOL_SETUP(pool);
    strio_dns_config_init(&cfg);
    cfg.timeout = STRIO_SEC(1);
    for (int i = 0; i < 2; i++) {
        strio_socket_close(&srv[i].sock);
        memset(&srv[i], 0, sizeof srv[i]);
        srv[i].sock.fd = -1;
        srv[i].spoof.fd = -1;
    }
    memset(&ctx, 0, sizeof ctx);
    ctx.r = &res;
    ctx.want = STRIO_DNS_WANT_ANY;
    ctx.name = "sweep.test";
    /* a server that times out, one that says SERVFAIL, then (second
     * round) the answer after two stray replies */
    add_fake(0, DN_SILENT);
    add_fake(1, DN_SERVFAIL);
    cfg.attempts = 2;
    rng_state = 7;
    strio_dns_udp_init(&udp);
    strio_dns_resolver_init(&res, &cfg, &udp.base, counter_rng, &rng_state);
    return run_in(&run->loop, &run->target);
}

static void resolve_check(struct sweep_run *run)
{
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(srv[i].result, 0, "k=%lu", run->k);
        strio_socket_close(&srv[i].sock);
    }
    cr_assert_eq(udp.stream.sock.fd, -1, "k=%lu: the try's socket is closed",
                 run->k);
    cr_assert_eq(res.busy, 0, "k=%lu", run->k);
    cr_assert_eq(io.poll.waiters, 0, "k=%lu", run->k);
    if (run->cancelled && ctx.rc == STRIO_ECANCELED) {
        cr_assert_eq(ctx.exit_rc, 0, "k=%lu", run->k);
    } else {
        /* not cancelled, or cancelled at the very last suspension (the
         * shielded yield after the final reply): a completed resolution
         * is never reported as cancelled */
        cr_assert_eq(ctx.rc, STRIO_EDNS_SERVFAIL, "k=%lu: %s", run->k,
                     strio_strerror(ctx.rc));
        cr_assert_eq(res.tries, 4, "k=%lu", run->k);
    }
    cr_assert_eq(count_fds(), sweep_fds, "k=%lu: no fd leaked", run->k);
}

Test(dns, sweep_resolve)
{
    sweep_fds = count_fds();
    struct sweep s = { .name = "dns resolve", .scenario = resolve_scenario,
                       .check = resolve_check, .max_runs = 500 };
    unsigned long runs = sweep_cancellation(&s);
    cr_log_info("dns resolve sweep: %lu runs", runs);
    cr_assert_geq(runs, 8);
}

/* ---- dnsmasq ------------------------------------------------------------- */

#define DNSMASQ "/usr/sbin/dnsmasq"

/* Nonzero if 127.0.0.1:port of `type` can be bound now. */
static int port_free(unsigned port, int type)
{
    int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = { .sin_family = AF_INET,
                              .sin_port = htons((unsigned short)port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    cr_assert_geq(fd, 0);
    int ok = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return ok;
}

/* A loopback port free for both UDP and TCP right now. */
static unsigned free_port(void)
{
    for (int i = 0; i < 50; i++) {
        strio_socket probe = STRIO_SOCKET_INIT;
        unsigned port = bind_udp(&probe);
        strio_socket_close(&probe);
        if (port_free(port, SOCK_STREAM))
            return port;
    }
    cr_assert_fail("no port free for UDP and TCP");
    return 0;
}

/* The end of dnsmasq's output (for messages). */
static const char *read_log(const char *path)
{
    static char text[600];
    text[0] = 0;
    FILE *f = fopen(path, "r");
    if (f != NULL) {
        if (fseek(f, -(long)(sizeof text - 1), SEEK_END) != 0)
            rewind(f);
        size_t n = fread(text, 1, sizeof text - 1, f);
        text[n] = 0;
        fclose(f);
    }
    return text;
}

/* Starts dnsmasq on 127.0.0.1:<free port> answering only from a hosts
 * file and --address/--cname lines (no upstream: it can never forward a
 * query off this machine). Returns the port. */
static unsigned start_dnsmasq(void)
{
    if (access(DNSMASQ, X_OK) != 0)
        cr_skip_test(DNSMASQ " missing (Debian dnsmasq-base)");
    const char *hosts = write_file("dnsmasq.hosts",
                                   "192.0.2.10 web.test\n"
                                   "2001:db8::10 web.test\n"
                                   "192.0.2.11 v4only.test\n"
                                   "192.0.2.12 multi.test\n"
                                   "192.0.2.13 multi.test\n");
    char log[200];
    snprintf(log, sizeof log, "%s/dnsmasq.log", dir);
    /* A port free for UDP and TCP (dnsmasq takes both) is picked, released
     * and handed to dnsmasq: another process may take it in between, so a
     * start that fails is retried on a new port (bounded). */
    for (int attempt = 0; attempt < 5; attempt++) {
        unsigned port = free_port();
        char a_port[32], a_hosts[200];
        snprintf(a_port, sizeof a_port, "--port=%u", port);
        snprintf(a_hosts, sizeof a_hosts, "--addn-hosts=%s", hosts);
        char *argv[] = { DNSMASQ, "--keep-in-foreground", "--no-daemon",
                         "--conf-file=/dev/null", "--pid-file=", a_port,
                         "--listen-address=127.0.0.1", "--bind-interfaces",
                         "--no-resolv", "--no-poll", "--no-hosts", a_hosts,
                         "--local=/test/", "--address=/fixed.test/192.0.2.77",
                         "--cname=alias.test,web.test", "--log-facility=-",
                         NULL };
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&fa, 1, log,
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_adddup2(&fa, 1, 2);
        pid_t pid;
        int rc = posix_spawn(&pid, DNSMASQ, &fa, NULL, argv, environ);
        posix_spawn_file_actions_destroy(&fa);
        cr_assert_eq(rc, 0, "spawn dnsmasq: %s", strerror(rc));
        dnsmasq_pid = pid;
        /* ready when its port is taken (bounded: 5 s) */
        for (int i = 0; i < 500; i++) {
            int status;
            if (waitpid(pid, &status, WNOHANG) == pid) {
                dnsmasq_pid = -1;           /* reaped: try another port */
                cr_log_warn("dnsmasq exited at start on port %u: %s", port,
                            read_log(log));
                break;
            }
            if (!port_free(port, SOCK_DGRAM))
                return port;
            struct timespec ts = { 0, 10 * 1000 * 1000 };
            nanosleep(&ts, NULL);
        }
        if (dnsmasq_pid > 0)
            cr_assert_fail("dnsmasq did not bind its port within 5 s");
    }
    cr_assert_fail("dnsmasq did not start (5 ports tried): %s", read_log(log));
    return 0;
}

static void stop_dnsmasq(void)
{
    if (dnsmasq_pid <= 0)
        return;
    int status;
    pid_t pid = dnsmasq_pid;
    dnsmasq_pid = -1;
    kill(pid, SIGTERM);
    cr_assert_eq(waitpid(pid, &status, 0), pid);
}

static int resolve_real(const char *name, unsigned want)
{
    ctx.name = name;
    ctx.want = want;
    ctx.nservers = 0;
    cr_assert_eq(run_mono(), 0);
    return ctx.rc;
}

Test(dns, dnsmasq_answers)
{
    int fds = count_fds();
    unsigned port = start_dnsmasq();
    cfg.timeout = STRIO_SEC(2);
    cfg.attempts = 2;
    cr_assert_eq(strio_dns_config_add_server(&cfg, "127.0.0.1", port), 0);

    cr_assert_eq(resolve_real("web.test", STRIO_DNS_WANT_ANY), 2, "%s",
                 strio_strerror(ctx.rc));
    addr_is(&ctx.addrs[0], "2001:db8::10");
    addr_is(&ctx.addrs[1], "192.0.2.10");
    cr_assert_eq(res.ignored, 0);

    cr_assert_eq(resolve_real("WEB.Test.", STRIO_DNS_WANT_A), 1);
    addr_is(&ctx.addrs[0], "192.0.2.10");

    cr_assert_eq(resolve_real("multi.test", STRIO_DNS_WANT_A), 2);
    addr_is(&ctx.addrs[0], "192.0.2.12");
    addr_is(&ctx.addrs[1], "192.0.2.13");

    cr_assert_eq(resolve_real("fixed.test", STRIO_DNS_WANT_A), 1);
    addr_is(&ctx.addrs[0], "192.0.2.77");

    /* a CNAME followed to the address; the canonical name is kept */
    cr_assert_eq(resolve_real("alias.test", STRIO_DNS_WANT_A), 1, "%s",
                 strio_strerror(ctx.rc));
    addr_is(&ctx.addrs[0], "192.0.2.10");
    char t[STRIO_DNS_TEXT_MAX + 1];
    cr_assert_gt(res.cname_len, 0);
    strio_dns_name_to_text(res.cname, t, sizeof t);
    cr_assert_str_eq(t, "web.test");

    /* v4 only: the AAAA query has no data, the A query answers */
    cr_assert_eq(resolve_real("v4only.test", STRIO_DNS_WANT_ANY), 1);
    addr_is(&ctx.addrs[0], "192.0.2.11");
    cr_assert_eq(resolve_real("v4only.test", STRIO_DNS_WANT_AAAA),
                 STRIO_EDNS_NODATA);

    cr_assert_eq(resolve_real("nosuch.test", STRIO_DNS_WANT_ANY),
                 STRIO_EDNS_NXDOMAIN, "%s", strio_strerror(ctx.rc));
    cr_assert_eq(res.tries, 1);

    stop_dnsmasq();
    cr_assert_eq(count_fds(), fds);
}

Test(dns, dnsmasq_gone_is_refused)
{
    unsigned port = start_dnsmasq();
    cfg.timeout = STRIO_SEC(2);
    cr_assert_eq(strio_dns_config_add_server(&cfg, "127.0.0.1", port), 0);
    cr_assert_eq(resolve_real("web.test", STRIO_DNS_WANT_A), 1);
    stop_dnsmasq();
    cr_assert_eq(resolve_real("web.test", STRIO_DNS_WANT_A), -ECONNREFUSED,
                 "%s", strio_strerror(ctx.rc));
    cr_assert_eq(res.tries, 2);
}
