/*
 * UDP datagrams (udp_impl.sc) over loopback: send/receive with the
 * sender's address, empty datagrams, truncation reported (never silent),
 * oversized sends, port unreachable on a connected socket, cancellation
 * (nothing consumed), and numeric-only addresses.
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/udp.h>

#include "udp_tasks.h"

static STRIO_POLL(io, 16);
static strio_clock mono;
static strio_loop loop;
static struct ud_op ops[8];

static void setup(void)
{
    strio_monotonic_clock_init(&mono);
    cr_assert_eq(STRIO_POLL_SETUP(io), 0);
    strio_loop_init(&loop, &mono, strio_poll_backend(&io.poll));
    memset(ops, 0, sizeof ops);
}

static void teardown(void)
{
    strio_poll_close(&io.poll);
}

TestSuite(udp, .init = setup, .fini = teardown, .timeout = 5);

static void run(int n)
{
    static struct ud_run_frame f;
    strio_task t;
    ud_run_start(&f, ops, n);
    strio_task_init(&t, ud_run_resume, &f, &f.strio_ret);
    int lrc = strio_loop_run(&loop, &t);
    cr_assert_eq(lrc, 0, "loop: %s", strio_strerror(lrc));
}

static void sendop(struct ud_op *o, strio_socket *s, const void *d, size_t len,
                   const strio_sockaddr *to)
{
    o->recv = 0;
    o->s = s;
    o->data = d;
    o->len = len;
    o->to = to;
}

static void recvop(struct ud_op *o, strio_socket *s, void *buf, size_t max)
{
    o->recv = 1;
    o->s = s;
    o->buf = buf;
    o->len = max;
}

static int have_ipv6_loopback(void)
{
    strio_socket s;
    if (strio_open_udp_socket(&s, "::1", 0) < 0)
        return 0;
    strio_socket_close(&s);
    return 1;
}

static void roundtrip(const char *host)
{
    strio_socket a, b;
    strio_sockaddr to_b, addr_a;
    char big[100], got[128], small[10], empty[4];
    cr_assert_eq(strio_open_udp_socket(&a, host, 0), 0);
    cr_assert_eq(strio_open_udp_socket(&b, host, 0), 0);
    cr_assert_eq(strio_socket_getsockname(&b, &to_b), 0);
    cr_assert_eq(strio_socket_getsockname(&a, &addr_a), 0);
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (char)i;
    sendop(&ops[0], &a, "hello", 5, &to_b);
    sendop(&ops[1], &a, big, sizeof big, &to_b);
    sendop(&ops[2], &a, "", 0, &to_b);
    sendop(&ops[3], &a, "after", 5, &to_b);
    recvop(&ops[4], &b, got, sizeof got);
    recvop(&ops[5], &b, small, sizeof small);      /* the 100 bytes */
    recvop(&ops[6], &b, empty, sizeof empty);
    recvop(&ops[7], &b, got, sizeof got);
    run(8);
    for (int i = 0; i < 4; i++)
        cr_assert_eq(ops[i].rc, 0, "send %d: %s", i,
                     strio_strerror((int)ops[i].rc));
    cr_assert_eq(ops[4].rc, 5);
    cr_assert_eq(ops[4].size, 5u);
    cr_assert_eq(strio_sockaddr_port(&ops[4].from),
                 strio_sockaddr_port(&addr_a));
    /* truncated: reported, with the prefix and the real size */
    cr_assert_eq(ops[5].rc, -EMSGSIZE);
    cr_assert_eq(ops[5].size, 100u);
    cr_assert_eq(memcmp(small, big, sizeof small), 0);
    cr_assert_eq(ops[6].rc, 0, "an empty datagram");
    cr_assert_eq(ops[7].rc, 5, "the truncation did not eat the next one");
    cr_assert_eq(memcmp(got, "after", 5), 0);
    strio_socket_close(&a);
    strio_socket_close(&b);
}

Test(udp, roundtrip_truncation_empty_v4)
{
    roundtrip("127.0.0.1");
}

Test(udp, roundtrip_truncation_empty_v6)
{
    if (!have_ipv6_loopback()) {
        cr_log_warn("no IPv6 loopback on this machine: skipped");
        return;
    }
    roundtrip("::1");
}

Test(udp, wildcard_dual_stack_receives_v4)
{
    strio_socket w, c;
    strio_sockaddr to;
    char got[16];
    cr_assert_eq(strio_open_udp_socket(&w, NULL, 0), 0);
    cr_assert_eq(strio_open_udp_socket(&c, "127.0.0.1", 0), 0);
    int port = -1;
    strio_sockaddr mine;
    cr_assert_eq(strio_socket_getsockname(&w, &mine), 0);
    port = strio_sockaddr_port(&mine);
    cr_assert_eq(strio_resolve_remote_address(&c, "127.0.0.1", (unsigned)port,
                                              &to), 0);
    sendop(&ops[0], &c, "v4", 2, &to);
    recvop(&ops[1], &w, got, sizeof got);
    run(2);
    cr_assert_eq(ops[0].rc, 0);
    cr_assert_eq(ops[1].rc, 2);
    strio_socket_close(&w);
    strio_socket_close(&c);
}

Test(udp, oversized_send_and_port_unreachable)
{
    static char huge[70000];
    strio_socket a, gone;
    strio_sockaddr to;
    char got[16];
    cr_assert_eq(strio_open_udp_socket(&a, "127.0.0.1", 0), 0);
    cr_assert_eq(strio_open_udp_socket(&gone, "127.0.0.1", 0), 0);
    cr_assert_eq(strio_socket_getsockname(&gone, &to), 0);
    strio_socket_close(&gone);          /* nobody on that port now */
    sendop(&ops[0], &a, huge, sizeof huge, &to);
    run(1);
    cr_assert_eq(ops[0].rc, -EMSGSIZE, "%s", strio_strerror((int)ops[0].rc));
    /* connected: the ICMP port unreachable comes back as ECONNREFUSED */
    memset(ops, 0, sizeof ops);
    cr_assert_eq(connect(a.fd, &to.u.sa, to.len), 0);
    sendop(&ops[0], &a, "x", 1, NULL);
    recvop(&ops[1], &a, got, sizeof got);
    ops[1].timeout = STRIO_SEC(2);
    run(2);
    cr_assert_eq(ops[0].rc, 0);
    cr_assert_eq(ops[1].rc, -ECONNREFUSED, "%s",
                 strio_strerror((int)ops[1].rc));
    strio_socket_close(&a);
}

Test(udp, cancelled_receive_consumes_nothing)
{
    strio_socket a, b;
    strio_sockaddr to_b;
    char got[16];
    cr_assert_eq(strio_open_udp_socket(&a, "127.0.0.1", 0), 0);
    cr_assert_eq(strio_open_udp_socket(&b, "127.0.0.1", 0), 0);
    cr_assert_eq(strio_socket_getsockname(&b, &to_b), 0);
    recvop(&ops[0], &b, got, sizeof got);   /* nothing there: times out */
    ops[0].timeout = STRIO_MS(10);
    sendop(&ops[1], &a, "one", 3, &to_b);
    sendop(&ops[2], &a, "two", 3, &to_b);
    ops[2].cancel_first = 1;                /* not sent */
    recvop(&ops[3], &b, got, sizeof got);
    ops[3].cancel_first = 1;                /* "one" stays queued */
    recvop(&ops[4], &b, got, sizeof got);
    recvop(&ops[5], &b, got, sizeof got);   /* "two" never came */
    ops[5].timeout = STRIO_MS(10);
    run(6);
    cr_assert_eq(ops[0].rc, STRIO_ECANCELED);
    cr_assert(ops[0].caught);
    cr_assert_eq(ops[1].rc, 0);
    cr_assert_eq(ops[2].rc, STRIO_ECANCELED);
    cr_assert_eq(ops[3].rc, STRIO_ECANCELED);
    cr_assert_eq(ops[4].rc, 3);
    cr_assert_eq(memcmp(got, "one", 3), 0);
    cr_assert_eq(ops[5].rc, STRIO_ECANCELED);
    strio_socket_close(&a);
    strio_socket_close(&b);
}

Test(udp, numeric_addresses_only)
{
    strio_socket s;
    cr_assert_eq(strio_open_udp_socket(&s, "localhost", 0), -EINVAL);
    cr_assert_eq(s.fd, -1);
    cr_assert_eq(strio_open_udp_socket(&s, "127.0.0.999", 0), -EINVAL);
    cr_assert_eq(strio_open_udp_socket(&s, "127.0.0.1", 65536), -EINVAL);
    cr_assert_eq(strio_open_udp_socket(&s, "192.0.2.1", 0), -EADDRNOTAVAIL);
    /* a UDP socket in use */
    strio_socket a;
    strio_sockaddr me;
    cr_assert_eq(strio_open_udp_socket(&a, "127.0.0.1", 0), 0);
    cr_assert_eq(strio_socket_getsockname(&a, &me), 0);
    cr_assert_eq(strio_open_udp_socket(&s, "127.0.0.1",
                                       (unsigned)strio_sockaddr_port(&me)),
                 -EADDRINUSE);
    strio_socket_close(&a);
}

Test(udp, into_aliases_and_is_strio_socket)
{
    static struct ud_into_frame f;
    strio_socket a, b, closed = STRIO_SOCKET_INIT;
    strio_sockaddr to_b, from, mine;
    long r[4];
    char buf[32];
    cr_assert_eq(strio_open_udp_socket(&a, "127.0.0.1", 0), 0);
    cr_assert_eq(strio_open_udp_socket(&b, "127.0.0.1", 0), 0);
    cr_assert_eq(strio_socket_getsockname(&b, &to_b), 0);
    cr_assert_eq(strio_socket_getsockname(&a, &mine), 0);
    strio_task t;
    ud_into_start(&f, &a, &b, &to_b, r, &from, buf);
    strio_task_init(&t, ud_into_resume, &f, &f.strio_ret);
    cr_assert_eq(strio_loop_run(&loop, &t), 0);
    cr_assert_eq(r[0], 5);
    cr_assert_eq(r[1], 6);
    cr_assert_eq(r[2], 5);
    cr_assert_eq(memcmp(buf, "first", 5), 0);
    cr_assert_eq(strio_sockaddr_port(&from), strio_sockaddr_port(&mine));
    cr_assert_eq(r[3], 6);
    cr_assert_eq(memcmp(buf + 16, "second", 6), 0);
    /* is_strio_socket: open ones yes; closed, a lying family, or an fd
     * reused by a non-socket: no */
    cr_assert(strio_is_strio_socket(&a));
    cr_assert_not(strio_is_strio_socket(&closed));
    cr_assert_not(strio_is_strio_socket(NULL));
    strio_socket lie = a;
    lie.family = AF_INET6;
    cr_assert_not(strio_is_strio_socket(&lie));
    lie.family = AF_INET;
    lie.type = SOCK_STREAM;
    cr_assert_not(strio_is_strio_socket(&lie));
    strio_socket stale = b;
    strio_socket_close(&b);
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);   /* takes b's number */
    cr_assert_eq(fd, stale.fd);
    cr_assert_not(strio_is_strio_socket(&stale));
    close(fd);
    strio_socket_close(&a);
}
