/*
 * The strio HTTP client (strio/http_conn.h) against real peers on
 * loopback: Python's http.server (python3 -m http.server, started by the
 * test on port 0 in a temporary directory) serving a file, a directory
 * listing, a 404 and HEAD; and the same through tinyproxy (started by the
 * test with its own configuration) with CONNECT. Every peer is killed and
 * reaped by the suite's fini; every wait is bounded.
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/http_conn.h>

#include "http_interop_tasks.h"

extern char **environ;

static STRIO_POLL(io, 16);
static strio_clock mono;
static strio_loop loop;
static char dir[] = "/tmp/strio-http-XXXXXX";
static char file_data[100000];
static pid_t py_pid = -1, proxy_pid = -1;
static int py_port, proxy_port;
static int py_out = -1;     /* python's stdout: open until it is stopped */
static struct hi_ctx X;

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static pid_t spawn(char *const argv[], int out_fd)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    posix_spawn_file_actions_init(&fa);
    if (out_fd >= 0)
        posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    cr_assert_eq(rc, 0, "spawn %s: %s", argv[0], strerror(rc));
    return pid;
}

static void stop(pid_t *pid)
{
    if (*pid > 0) {
        kill(*pid, SIGTERM);
        long give_up = now_ms() + 3000;
        while (waitpid(*pid, NULL, WNOHANG) == 0) {
            if (now_ms() > give_up) {
                kill(*pid, SIGKILL);
                waitpid(*pid, NULL, 0);
                break;
            }
            struct timespec ts = { 0, 5000000 };
            nanosleep(&ts, NULL);
        }
        *pid = -1;
    }
}

/* Python prints "Serving HTTP on 127.0.0.1 port N ..." once it listens. */
static void start_python(void)
{
    int p[2];
    char path[64], line[512];
    size_t len = 0;
    cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
    snprintf(path, sizeof path, "%s/data.txt", dir);
    char *argv[] = { "python3", "-u", "-m", "http.server", "0", "--bind",
                     "127.0.0.1", "--directory", dir, NULL };
    py_pid = spawn(argv, p[1]);
    close(p[1]);
    long give_up = now_ms() + 5000;
    while (py_port == 0 && strchr(line, '\n') == NULL && now_ms() < give_up) {
        struct pollfd pfd = { p[0], POLLIN, 0 };
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        ssize_t n = read(p[0], line + len, sizeof line - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        line[len] = 0;
        char *at = strstr(line, " port ");
        if (at && strchr(at, '\n'))
            py_port = atoi(at + 6);
    }
    py_out = p[0];
    cr_assert_gt(py_port, 0, "python3 -m http.server did not start: %s", line);
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    socklen_t l = sizeof a;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &l), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void start_tinyproxy(void)
{
    char conf[96];
    snprintf(conf, sizeof conf, "%s/tinyproxy.conf", dir);
    proxy_port = free_port();
    FILE *f = fopen(conf, "w");
    cr_assert_not_null(f);
    fprintf(f, "Port %d\nListen 127.0.0.1\nTimeout 10\nMaxClients 4\n"
               "Allow 127.0.0.1\nLogLevel Critical\n", proxy_port);
    fclose(f);
    char *argv[] = { "tinyproxy", "-d", "-c", conf, NULL };
    proxy_pid = spawn(argv, -1);
    /* ready when it accepts */
    long give_up = now_ms() + 5000;
    for (;;) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = { .sin_family = AF_INET,
                                 .sin_port = htons((uint16_t)proxy_port) };
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
        close(fd);
        if (ok)
            break;
        cr_assert_lt(now_ms(), give_up, "tinyproxy did not start");
        struct timespec ts = { 0, 20000000 };
        nanosleep(&ts, NULL);
    }
}

static void setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/data.txt", dir);
    for (size_t i = 0; i < sizeof file_data; i++)
        file_data[i] = (char)(i % 61 == 60 ? '\n' : 'A' + i % 26);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fwrite(file_data, 1, sizeof file_data, f);
    fclose(f);
    strio_monotonic_clock_init(&mono);
    cr_assert_eq(STRIO_POLL_SETUP(io), 0);
    strio_loop_init(&loop, &mono, strio_poll_backend(&io.poll));
    start_python();
}

static void teardown(void)
{
    char cmd[96];
    stop(&proxy_pid);
    stop(&py_pid);
    if (py_out >= 0)
        close(py_out);
    py_out = -1;
    py_port = 0;
    strio_poll_close(&io.poll);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

TestSuite(http_interop, .init = setup, .fini = teardown, .timeout = 20);

static void get(const char *method, const char *target, int via_proxy)
{
    static struct hi_run_frame f;
    strio_task t;
    memset(&X, 0, sizeof X);
    X.port = py_port;
    X.proxy_port = via_proxy ? proxy_port : 0;
    X.method = method;
    X.target = target;
    hi_run_start(&f, &X);
    strio_task_init(&t, hi_run_resume, &f, &f.strio_ret);
    cr_assert_eq(strio_loop_run(&loop, &t), 0);
    cr_assert_eq(X.rc, 0, "%s %s: %s (CONNECT: %d)", method, target,
                 strio_strerror(X.rc), X.connect_rc);
    cr_assert_eq(loop.tasks, 0);
}

Test(http_interop, python_file)
{
    get("GET", "/data.txt", 0);
    cr_assert_eq(X.status, 200);
    cr_assert(strstr(X.server, "Python") != NULL, "server %s", X.server);
    cr_assert_eq(X.blen, sizeof file_data);
    cr_assert_eq(memcmp(X.body, file_data, sizeof file_data), 0);
}

Test(http_interop, python_listing_404_and_head)
{
    get("GET", "/", 0);
    cr_assert_eq(X.status, 200);
    cr_assert(memmem(X.body, X.blen, "data.txt", 8) != NULL);
    get("GET", "/missing", 0);
    cr_assert_eq(X.status, 404);
    get("HEAD", "/data.txt", 0);
    cr_assert_eq(X.status, 200);
    cr_assert_eq(X.blen, 0, "HEAD response with a body");
}

Test(http_interop, connect_through_tinyproxy)
{
    start_tinyproxy();
    get("GET", "/data.txt", 1);
    cr_assert_eq(X.connect_rc, 0, "CONNECT: %d", X.connect_rc);
    cr_assert_eq(X.pending, 0);
    cr_assert_eq(X.status, 200);
    cr_assert_eq(X.blen, sizeof file_data);
    cr_assert_eq(memcmp(X.body, file_data, sizeof file_data), 0);
}
