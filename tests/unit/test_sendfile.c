/*
 * strio_socket_sendfile (sendfile_impl.sc): sendfile(2) and the read/write
 * fallback (forced with STRIO_SENDFILE_NO_SENDFILE), offsets and counts,
 * end of file, a vanished peer (EPIPE, no SIGPIPE), bad arguments, and a
 * cancellation sweep over both paths checking that *sent is exact. The
 * file is a fresh temporary one; the socket is a socketpair or TCP
 * loopback.
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/sendfile.h>
#include <strio/socket_stream.h>

#include "sendfile_tasks.h"
#include "sweep.h"

#define FILE_SIZE (256 * 1024)

static STRIO_POLL(io, 16);
static STRIO_POOL(pool, struct sf_reader_frame, 1);
static strio_clock mono;
static strio_loop loop;
static unsigned char data[FILE_SIZE], got[FILE_SIZE + 16];
static int file_fd = -1;
static strio_socket a, b;
static struct sf_ctx x;

static void setup(void)
{
    char name[] = "/tmp/strio-sendfile-XXXXXX";
    strio_monotonic_clock_init(&mono);
    cr_assert_eq(STRIO_POLL_SETUP(io), 0);
    strio_loop_init(&loop, &mono, strio_poll_backend(&io.poll));
    STRIO_POOL_SETUP(pool);
    unsigned v = 12345;
    for (size_t i = 0; i < sizeof data; i++) {
        v = v * 1103515245u + 12345u;
        data[i] = (unsigned char)(v >> 16);
    }
    file_fd = mkostemp(name, O_CLOEXEC);
    cr_assert_geq(file_fd, 0);
    unlink(name);
    cr_assert_eq(write(file_fd, data, sizeof data), (ssize_t)sizeof data);
    /* the file position must not matter */
    cr_assert_eq(lseek(file_fd, 17, SEEK_SET), 17);
    cr_assert_eq(strio_socket_pair(&a, &b, AF_UNIX, SOCK_STREAM, 0), 0);
    memset(&x, 0, sizeof x);
    x.out = &a;
    x.peer = &b;
    x.in_fd = file_fd;
    x.got = got;
    x.got_max = sizeof got;
}

static void teardown(void)
{
    strio_socket_close(&a);
    strio_socket_close(&b);
    close(file_fd);
    strio_poll_close(&io.poll);
}

TestSuite(sendfile, .init = setup, .fini = teardown, .timeout = 5);

static void run(void)
{
    static struct sf_run_frame f;
    strio_task t;
    STRIO_POOL_SETUP(pool);
    x.got_len = 0;
    x.read_rc = 1;
    memset(got, 0, 64);
    sf_run_start(&f, NULL, &x, &pool.pool);
    strio_task_init(&t, sf_run_resume, &f, &f.strio_ret);
    int lrc = strio_loop_run(&loop, &t);
    cr_assert_eq(lrc, 0, "loop: %s", strio_strerror(lrc));
    cr_assert_eq(f.strio_ret, 0);
}

static void transfer(int flags, off_t offset, size_t count, size_t expect)
{
    x.flags = flags;
    x.offset = offset;
    x.count = count;
    run();
    cr_assert_eq(x.rc, 0, "flags %d: %s", flags, strio_strerror(x.rc));
    cr_assert_eq(x.sent, expect);
    cr_assert_eq(x.read_rc, 0, "reader: %s", strio_strerror(x.read_rc));
    cr_assert_eq(x.got_len, expect);
    cr_assert_eq(memcmp(got, data + offset, expect), 0);
    cr_assert_eq(lseek(file_fd, 0, SEEK_CUR), 17, "position untouched");
}

Test(sendfile, kernel_path_offset_and_count)
{
    /* NO_FALLBACK: this succeeds only through sendfile(2) itself */
    transfer(STRIO_SENDFILE_NO_FALLBACK, 1000, 200000, 200000);
}

Test(sendfile, default_path)
{
    transfer(0, 0, FILE_SIZE, FILE_SIZE);
}

Test(sendfile, forced_fallback_offset_and_count)
{
    transfer(STRIO_SENDFILE_NO_SENDFILE, 1000, 200000, 200000);
}

Test(sendfile, stops_at_end_of_file_both_paths)
{
    transfer(0, FILE_SIZE - 5000, 100000, 5000);
    strio_socket_close(&a);
    strio_socket_close(&b);
    cr_assert_eq(strio_socket_pair(&a, &b, AF_UNIX, SOCK_STREAM, 0), 0);
    transfer(STRIO_SENDFILE_NO_SENDFILE, FILE_SIZE - 5000, 100000, 5000);
    strio_socket_close(&a);
    strio_socket_close(&b);
    cr_assert_eq(strio_socket_pair(&a, &b, AF_UNIX, SOCK_STREAM, 0), 0);
    transfer(0, FILE_SIZE, 10, 0);
}

Test(sendfile, over_tcp_loopback)
{
    strio_socket_listener l;
    strio_sockaddr addr;
    strio_socket_close(&a);
    strio_socket_close(&b);
    cr_assert_eq(strio_open_tcp_listener(&l, "127.0.0.1", 0), 0);
    cr_assert_eq(strio_socket_getsockname(&l.sock, &addr), 0);
    cr_assert_eq(strio_socket_create(&a, AF_INET, SOCK_STREAM, 0), 0);
    int rc = connect(a.fd, &addr.u.sa, addr.len);
    cr_assert(rc == 0 || errno == EINPROGRESS);
    int fd = -1;
    for (int i = 0; i < 2000 && fd < 0; i++) {
        fd = accept4(l.sock.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            usleep(500);
    }
    cr_assert_geq(fd, 0);
    cr_assert_eq(strio_socket_from_fd(&b, fd), 0);
    transfer(STRIO_SENDFILE_NO_FALLBACK, 3, FILE_SIZE - 3, FILE_SIZE - 3);
    strio_socket_listener_close(&l);
}

static int sigpipes;

static void on_sigpipe(int sig)
{
    (void)sig;
    sigpipes++;
}

static void peer_gone(int flags)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigpipe;
    sigaction(SIGPIPE, &sa, &old);
    sigpipes = 0;
    x.close_peer = 1;
    x.flags = flags;
    x.count = FILE_SIZE;
    run();
    sigaction(SIGPIPE, &old, NULL);
    cr_assert_eq(x.rc, -EPIPE, "%s", strio_strerror(x.rc));
    cr_assert_eq(sigpipes, 0, "no SIGPIPE");
    cr_assert_eq(x.sent, 0u);
}

Test(sendfile, peer_gone_is_epipe_without_sigpipe_kernel)
{
    peer_gone(STRIO_SENDFILE_NO_FALLBACK);
}

Test(sendfile, peer_gone_is_epipe_without_sigpipe_fallback)
{
    peer_gone(STRIO_SENDFILE_NO_SENDFILE);
}

Test(sendfile, bad_arguments_and_a_natural_fallback)
{
    x.count = 10;
    x.offset = -1;
    run();
    cr_assert_eq(x.rc, -EINVAL);
    x.offset = 0;
    x.flags = 64;
    run();
    cr_assert_eq(x.rc, -EINVAL);
    x.flags = 0;
    x.cancel_first = 1;
    run();
    cr_assert_eq(x.rc, STRIO_ECANCELED);
    cr_assert_eq(x.got_len, 0u);
    x.cancel_first = 0;
    /* a source sendfile(2) refuses with EINVAL but pread reads: procfs's
     * stat file. The fallback takes over by itself. */
    char want[32];
    int proc = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
    cr_assert_geq(proc, 0);
    x.in_fd = proc;
    x.count = 20;
    x.flags = STRIO_SENDFILE_NO_FALLBACK;
    run();
    cr_assert_eq(x.rc, -EINVAL, "%s", strio_strerror(x.rc));
    cr_assert_eq(x.sent, 0u);
    x.flags = 0;
    strio_socket_close(&a);             /* the runs above shut it down */
    strio_socket_close(&b);
    cr_assert_eq(strio_socket_pair(&a, &b, AF_UNIX, SOCK_STREAM, 0), 0);
    run();
    cr_assert_eq(x.rc, 0, "%s", strio_strerror(x.rc));
    cr_assert_eq(x.sent, 20u);
    cr_assert_eq(x.got_len, 20u);
    int n = snprintf(want, sizeof want, "%ld (", (long)getpid());
    cr_assert_eq(memcmp(got, want, (size_t)n), 0, "got %.20s", (char *)got);
    close(proc);
    /* a socket as the source: no offsets there */
    strio_socket c, d;
    cr_assert_eq(strio_socket_pair(&c, &d, AF_UNIX, SOCK_STREAM, 0), 0);
    x.in_fd = c.fd;
    run();
    cr_assert_eq(x.rc, -ESPIPE, "%s", strio_strerror(x.rc));
    strio_socket_close(&c);
    strio_socket_close(&d);
    /* a closed socket */
    x.in_fd = file_fd;
    strio_socket_close(&a);
    run();
    cr_assert_eq(x.rc, -EBADF);
}

/* ---- cancellation sweep ------------------------------------------------------------ */

static int sweep_flags;

static int sendfile_scenario(struct sweep_run *run)
{
    static struct sf_run_frame f;
    strio_task t;
    run->loop.backend = strio_poll_backend(&io.poll);
    STRIO_POOL_SETUP(pool);
    strio_socket_close(&a);
    strio_socket_close(&b);
    cr_assert_eq(strio_socket_pair(&a, &b, AF_UNIX, SOCK_STREAM, 0), 0);
    strio_socket_setsockopt_int(&a, SOL_SOCKET, SO_SNDBUF, 4096);
    strio_socket_setsockopt_int(&b, SOL_SOCKET, SO_RCVBUF, 4096);
    memset(&x, 0, sizeof x);
    x.out = &a;
    x.peer = &b;
    x.in_fd = file_fd;
    x.got = got;
    x.got_max = sizeof got;
    x.offset = 100;
    x.count = 100000;
    x.flags = sweep_flags;
    sf_run_start(&f, &run->target, &x, &pool.pool);
    strio_task_init(&t, sf_run_resume, &f, &f.strio_ret);
    return strio_loop_run(&run->loop, &t);
}

static void sendfile_check(struct sweep_run *run)
{
    cr_assert(x.rc == 0 || x.rc == STRIO_ECANCELED, "k=%lu: %s", run->k,
              strio_strerror(x.rc));
    cr_assert_eq(x.exit_rc, 0, "k=%lu", run->k);
    cr_assert_eq(x.read_rc, 0, "k=%lu: reader %d", run->k, x.read_rc);
    cr_assert_eq(x.got_len, x.sent, "k=%lu: *sent is exact", run->k);
    cr_assert_eq(memcmp(got, data + 100, x.got_len), 0, "k=%lu", run->k);
    if (x.rc == 0)
        cr_assert_eq(x.sent, 100000u, "k=%lu", run->k);
    cr_assert_eq(io.poll.waiters, 0, "k=%lu", run->k);
}

static void sweep_both(int flags, const char *name)
{
    sweep_flags = flags;
    struct sweep s = { .name = name, .scenario = sendfile_scenario,
                       .check = sendfile_check, .max_runs = 5000 };
    unsigned long runs = sweep_cancellation(&s);
    cr_log_info("%s: %lu runs", name, runs);
    cr_assert_geq(runs, 3);
}

Test(sendfile, sweep_kernel_path)
{
    sweep_both(STRIO_SENDFILE_NO_FALLBACK, "sendfile (kernel)");
}

Test(sendfile, sweep_fallback)
{
    sweep_both(STRIO_SENDFILE_NO_SENDFILE, "sendfile (fallback)");
}
