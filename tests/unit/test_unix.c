/*
 * Unix-domain stream sockets (unix_socket_impl.sc): addresses (paths,
 * abstract names, too long), the listener's file policy, connecting
 * (echo with half-close, errors, cancellation), and the stream
 * conformance suite over a connected Unix stream pair from a listener.
 * Every socket lives in a fresh temporary directory (or the abstract
 * namespace under a per-process name) and is removed afterwards.
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <strio/strio.h>
#include <strio/conformance.h>
#include <strio/posix.h>
#include <strio/unix_socket.h>

#include "unix_tasks.h"

static STRIO_POLL(io, 64);
static strio_clock mono;
static strio_loop loop;
static char dir[64], path[128], abstract[64];

static void setup(void)
{
    strio_monotonic_clock_init(&mono);
    cr_assert_eq(STRIO_POLL_SETUP(io), 0);
    strio_loop_init(&loop, &mono, strio_poll_backend(&io.poll));
    strcpy(dir, "/tmp/strio-unix-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/s", dir);
    snprintf(abstract, sizeof abstract, "@strio-test-%ld", (long)getpid());
}

static void teardown(void)
{
    unlink(path);
    rmdir(dir);
    strio_poll_close(&io.poll);
}

TestSuite(unix, .init = setup, .fini = teardown, .timeout = 5);

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

static void run(struct ux_ctx *x)
{
    static struct ux_open_echo_frame f;
    strio_task t;
    ux_open_echo_start(&f, x);
    strio_task_init(&t, ux_open_echo_resume, &f, &f.strio_ret);
    int lrc = strio_loop_run(&loop, &t);
    cr_assert_eq(lrc, 0, "loop: %s", strio_strerror(lrc));
}

Test(unix, addresses)
{
    strio_sockaddr a;
    char name[200];
    cr_assert_eq(strio_unix_address("/tmp/x", &a), 0);
    cr_assert_eq(a.u.un.sun_family, AF_UNIX);
    cr_assert_str_eq(a.u.un.sun_path, "/tmp/x");
    cr_assert_eq(a.len, offsetof(struct sockaddr_un, sun_path) + 7);
    cr_assert_eq(strio_unix_address("@abc", &a), 0);
    cr_assert_eq(a.u.un.sun_path[0], 0);
    cr_assert_eq(memcmp(a.u.un.sun_path + 1, "abc", 3), 0);
    cr_assert_eq(a.len, offsetof(struct sockaddr_un, sun_path) + 4);
    cr_assert_eq(strio_unix_address(NULL, &a), -EINVAL);
    cr_assert_eq(strio_unix_address("", &a), -EINVAL);
    cr_assert_eq(strio_unix_address("@", &a), -EINVAL);
    /* sun_path is 108 bytes: 107 characters and the NUL fit, 108 do not */
    memset(name, 'p', sizeof name);
    name[0] = '/';
    name[107] = 0;
    cr_assert_eq(strio_unix_address(name, &a), 0);
    name[107] = 'p';
    name[108] = 0;
    cr_assert_eq(strio_unix_address(name, &a), -ENAMETOOLONG);
    name[0] = '@';          /* abstract: 107 name bytes after the NUL */
    cr_assert_eq(strio_unix_address(name, &a), 0);
    name[108] = 'p';
    name[109] = 0;
    cr_assert_eq(strio_unix_address(name, &a), -ENAMETOOLONG);
}

static void echo_at(const char *p)
{
    strio_socket_listener l;
    struct ux_ctx x;
    int fds = count_fds();
    cr_assert_eq(strio_open_unix_listener(&l, p, 0), 0);
    memset(&x, 0, sizeof x);
    x.path = p;
    x.l = &l;
    run(&x);
    cr_assert_eq(x.open_rc, 0, "%s", strio_strerror(x.open_rc));
    cr_assert_eq(x.accept_rc, 0);
    cr_assert_eq(x.echo_rc, 0, "%s", strio_strerror(x.echo_rc));
    cr_assert_str_eq(x.got, "pong");
    strio_socket_listener_close(&l);
    cr_assert_eq(count_fds(), fds);
}

Test(unix, echo_and_half_close_filesystem)
{
    echo_at(path);
    struct stat st;
    cr_assert_eq(lstat(path, &st), 0, "close leaves the file");
    cr_assert(S_ISSOCK(st.st_mode));
    cr_assert_eq(strio_unix_unlink_socket(path), 0);
    cr_assert_eq(strio_unix_unlink_socket(path), -ENOENT);
}

Test(unix, echo_and_half_close_abstract)
{
    echo_at(abstract);
    cr_assert_eq(strio_unix_unlink_socket(abstract), 0);
}

Test(unix, existing_file_policy)
{
    strio_socket_listener l, l2;
    struct ux_ctx x;
    cr_assert_eq(strio_open_unix_listener(&l, path, 0), 0);
    /* in use, without the flag: never removed */
    cr_assert_eq(strio_open_unix_listener(&l2, path, 0), -EADDRINUSE);
    cr_assert_eq(l2.sock.fd, -1);
    strio_socket_listener_close(&l);
    /* a stale socket file: connecting is refused, binding still in use */
    memset(&x, 0, sizeof x);
    x.path = path;
    run(&x);
    cr_assert_eq(x.open_rc, -ECONNREFUSED, "%s", strio_strerror(x.open_rc));
    cr_assert_eq(strio_open_unix_listener(&l2, path, 0), -EADDRINUSE);
    /* REPLACE unlinks the stale socket file and binds */
    cr_assert_eq(strio_open_unix_listener(&l2, path, STRIO_UNIX_REPLACE), 0);
    strio_socket_listener_close(&l2);
    cr_assert_eq(unlink(path), 0);
    /* a regular file is never removed, even with REPLACE */
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(strio_open_unix_listener(&l2, path, STRIO_UNIX_REPLACE),
                 -EADDRINUSE);
    cr_assert_eq(strio_unix_unlink_socket(path), -ENOTSOCK);
    struct stat st;
    cr_assert_eq(lstat(path, &st), 0);
    cr_assert(S_ISREG(st.st_mode));
    /* a missing directory */
    char missing[160];
    snprintf(missing, sizeof missing, "%s/no/such", dir);
    cr_assert_eq(strio_open_unix_listener(&l2, missing, 0), -ENOENT);
}

Test(unix, connect_errors_and_cancellation)
{
    struct ux_ctx x;
    int fds = count_fds();
    memset(&x, 0, sizeof x);
    x.path = path;                      /* nothing there */
    run(&x);
    cr_assert_eq(x.open_rc, -ENOENT, "%s", strio_strerror(x.open_rc));
    x.path = "";
    run(&x);
    cr_assert_eq(x.open_rc, -EINVAL);
    strio_socket_listener l;
    cr_assert_eq(strio_open_unix_listener(&l, path, 0), 0);
    memset(&x, 0, sizeof x);
    x.path = path;
    x.cancel_first = 1;
    run(&x);
    cr_assert_eq(x.open_rc, STRIO_ECANCELED);
    /* nothing connected: no connection waits on the listener */
    struct pollfd p = { .fd = l.sock.fd, .events = POLLIN };
    cr_assert_eq(poll(&p, 1, 0), 0);
    strio_socket_listener_close(&l);
    cr_assert_eq(count_fds(), fds);
}

/* ---- conformance over a connected pair from a listener ----------------------------- */

struct pair_ctx {
    strio_socket_listener l;
    strio_socket_stream a, b;
};

static int make_pair(void *ctx, strio_stream **a, strio_stream **b)
{
    struct pair_ctx *p = ctx;
    strio_socket x, y;
    strio_sockaddr addr;
    int rc = strio_socket_create(&x, AF_UNIX, SOCK_STREAM, 0);
    if (rc < 0)
        return rc;
    strio_unix_address(abstract, &addr);
    if (connect(x.fd, &addr.u.sa, addr.len) < 0) {
        rc = -errno;
        strio_socket_close(&x);
        return rc;
    }
    int fd = accept4(p->l.sock.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0 || (rc = strio_socket_from_fd(&y, fd)) < 0) {
        rc = fd < 0 ? -errno : rc;
        if (fd >= 0)
            close(fd);
        strio_socket_close(&x);
        return rc;
    }
    /* small buffers: the suite clogs the pair by filling */
    strio_socket_setsockopt_int(&x, SOL_SOCKET, SO_SNDBUF, 4096);
    strio_socket_setsockopt_int(&y, SOL_SOCKET, SO_SNDBUF, 4096);
    strio_socket_stream_init(&p->a, &x);
    strio_socket_stream_init(&p->b, &y);
    *a = &p->a.base;
    *b = &p->b.base;
    return 0;
}

static void report(void *arg, const char *property, const char *message)
{
    cr_log_error("%s: %s: %s", (const char *)arg, property, message);
}

Test(unix, conformance_unix_stream_pair)
{
    static strio_conformance cf;
    static struct pair_ctx ctx;
    static struct ux_conformance_frame f;
    strio_task t;
    strio_stream_factory fac = {
        .name = "unix stream", .ctx = &ctx, .make = make_pair,
        .clog_by_filling = 1,
    };
    int fds = count_fds();
    memset(&ctx, 0, sizeof ctx);
    cr_assert_eq(strio_open_unix_listener(&ctx.l, abstract, 0), 0);
    strio_conformance_init(&cf);
    cf.on_fail = report;
    cf.arg = (void *)fac.name;
    cf.timeout = STRIO_SEC(2);
    cf.bulk_bytes = 65536;
    ux_conformance_start(&f, &cf, &fac);
    strio_task_init(&t, ux_conformance_resume, &f, &f.strio_ret);
    cr_assert_eq(strio_loop_run(&loop, &t), 0);
    cr_assert_eq(f.strio_ret, 0, "%s: %s", cf.failed ? cf.failed : "?",
                 cf.message);
    cr_assert_eq(cf.skipped, 0);
    cr_assert_gt(cf.checked, 40);
    strio_socket_listener_close(&ctx.l);
    cr_assert_eq(count_fds(), fds);
}
