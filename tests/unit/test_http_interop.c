/*
 * The strio HTTP client (strio/http_conn.h) against real peers on
 * loopback: Python's http.server (python3 -m http.server, started by the
 * test on port 0 in a temporary directory) serving a file, a directory
 * listing, a 404 and HEAD; the same through tinyproxy (started by the
 * test with its own configuration) with CONNECT; and nginx (Debian
 * nginx-light, one process, its own configuration and paths in the
 * temporary directory): a file, HEAD, a 404, a chunked response (SSI on
 * makes nginx drop the length) and all of them in turn on one keep-alive
 * connection. Every peer is killed and reaped by the suite's fini (which
 * Criterion also runs after a failed assertion), and dies with the test
 * process if that is killed on timeout; every wait is bounded.
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
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
static pid_t py_pid = -1, proxy_pid = -1, nginx_pid = -1;
static int py_port, proxy_port, nginx_port;
static int py_out = -1;     /* python's stdout: open until it is stopped */
static struct hi_ctx X;

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* fork + exec rather than posix_spawn: the child asks for SIGKILL when
 * the test process dies, so a peer never outlives a test killed on its
 * timeout (fini does not run then). */
static pid_t spawn(char *const argv[], int out_fd)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        int null_in = open("/dev/null", O_RDONLY);
        int null_out = open("/dev/null", O_WRONLY);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
            _exit(126);
        if (null_in < 0 || null_out < 0 || dup2(null_in, 0) < 0 ||
            dup2(out_fd >= 0 ? out_fd : null_out, 1) < 0 ||
            dup2(null_out, 2) < 0)
            _exit(126);
        execvp(argv[0], argv);
        _exit(127);
    }
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
    char path[64], line[512] = "";
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

/* Ready when it accepts; false if it did not within 3 s or exited. */
static int accepting(int port, pid_t pid)
{
    long give_up = now_ms() + 3000;
    for (;;) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = { .sin_family = AF_INET,
                                 .sin_port = htons((uint16_t)port) };
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        int ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
        close(fd);
        if (ok)
            return 1;
        if (now_ms() > give_up || waitpid(pid, NULL, WNOHANG) != 0)
            return 0;
        struct timespec ts = { 0, 10000000 };
        nanosleep(&ts, NULL);
    }
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
    cr_assert(accepting(proxy_port, proxy_pid), "tinyproxy did not start");
}

/* nginx with everything under `dir`: -p sets the prefix, -e the error log
 * nginx opens before it reads its configuration; the temp paths default
 * to /var/lib/nginx otherwise. The test runs as root, and with
 * master_process off nginx stays in this one process without switching
 * to the `user`; naming root keeps it from looking up www-data at all.
 * X-Conn and X-Conn-Requests ($connection, $connection_requests) let the
 * keep-alive test see which connection served each response. Under
 * /ssi/ the SSI filter is on for text/plain, and a filter that may change
 * the body makes nginx drop Content-Length: the response is chunked. */
static void start_nginx(void)
{
    char path[96], log[96];
    nginx_port = free_port();
    snprintf(path, sizeof path, "%s/nginx.conf", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f,
            "user root;\n"
            "worker_processes 1;\n"
            "pid %s/nginx.pid;\n"
            "error_log %s/error.log warn;\n"
            "events { worker_connections 64; }\n"
            "http {\n"
            "  access_log off;\n"
            "  client_body_temp_path %s/body;\n"
            "  proxy_temp_path %s/proxy;\n"
            "  fastcgi_temp_path %s/fastcgi;\n"
            "  uwsgi_temp_path %s/uwsgi;\n"
            "  scgi_temp_path %s/scgi;\n"
            "  types { text/plain txt; text/html html; }\n"
            "  default_type application/octet-stream;\n"
            "  gzip off;\n"
            "  server {\n"
            "    listen 127.0.0.1:%d;\n"
            "    root %s/www;\n"
            "    add_header X-Conn $connection always;\n"
            "    add_header X-Conn-Requests $connection_requests always;\n"
            "    location /ssi/ { ssi on; ssi_types text/plain; }\n"
            "  }\n"
            "}\n",
            dir, dir, dir, dir, dir, dir, dir, nginx_port, dir);
    fclose(f);
    snprintf(log, sizeof log, "%s/error.log", dir);
    char *argv[] = { "nginx", "-p", dir, "-c", path, "-e", log, "-g",
                     "daemon off; master_process off;", NULL };
    nginx_pid = spawn(argv, -1);
    if (!accepting(nginx_port, nginx_pid)) {
        char msg[512] = "";
        f = fopen(log, "r");
        if (f != NULL) {
            msg[fread(msg, 1, sizeof msg - 1, f)] = 0;
            fclose(f);
        }
        cr_assert_fail("nginx did not start: %s", msg);
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
    /* the same file for nginx: www/data.txt and www/ssi/data.txt */
    const char *copies[] = { "www", "www/ssi" };
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, copies[i]);
        cr_assert_eq(mkdir(path, 0755), 0);
        snprintf(path, sizeof path, "%s/%s/data.txt", dir, copies[i]);
        f = fopen(path, "w");
        cr_assert_not_null(f);
        fwrite(file_data, 1, sizeof file_data, f);
        fclose(f);
    }
    strio_monotonic_clock_init(&mono);
    cr_assert_eq(STRIO_POLL_SETUP(io), 0);
    strio_loop_init(&loop, &mono, strio_poll_backend(&io.poll));
}

static void teardown(void)
{
    char cmd[96];
    stop(&nginx_pid);
    nginx_port = 0;
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

TestSuite(http_interop, .init = setup, .fini = teardown, .timeout = 5);

static void get(const char *method, const char *target, int via_proxy)
{
    static struct hi_run_frame f;
    strio_task t;
    memset(&X, 0, sizeof X);
    X.port = nginx_port > 0 ? nginx_port : py_port;
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
    start_python();
    get("GET", "/data.txt", 0);
    cr_assert_eq(X.status, 200);
    cr_assert(strstr(X.server, "Python") != NULL, "server %s", X.server);
    cr_assert_eq(X.blen, sizeof file_data);
    cr_assert_eq(memcmp(X.body, file_data, sizeof file_data), 0);
}

Test(http_interop, python_listing_404_and_head)
{
    start_python();
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
    start_python();
    start_tinyproxy();
    get("GET", "/data.txt", 1);
    cr_assert_eq(X.connect_rc, 0, "CONNECT: %d", X.connect_rc);
    cr_assert_eq(X.pending, 0);
    cr_assert_eq(X.status, 200);
    cr_assert_eq(X.blen, sizeof file_data);
    cr_assert_eq(memcmp(X.body, file_data, sizeof file_data), 0);
}

Test(http_interop, nginx_file_head_404)
{
    start_nginx();
    get("GET", "/data.txt", 0);
    cr_assert_eq(X.status, 200);
    cr_assert(strncmp(X.server, "nginx", 5) == 0, "server %s", X.server);
    cr_assert(X.flags & STRIO_HTTP_LENGTH);
    cr_assert_eq(X.blen, sizeof file_data);
    cr_assert_eq(memcmp(X.body, file_data, sizeof file_data), 0);
    get("HEAD", "/data.txt", 0);
    cr_assert_eq(X.status, 200);
    cr_assert_eq(X.blen, 0, "HEAD response with a body");
    get("GET", "/missing", 0);
    cr_assert_eq(X.status, 404);
    cr_assert(memmem(X.body, X.blen, "404 Not Found", 13) != NULL);
}

Test(http_interop, nginx_chunked)
{
    start_nginx();
    get("GET", "/ssi/data.txt", 0);
    cr_assert_eq(X.status, 200);
    cr_assert(X.flags & STRIO_HTTP_CHUNKED, "flags %#x", X.flags);
    cr_assert_eq(X.blen, sizeof file_data);
    cr_assert_eq(memcmp(X.body, file_data, sizeof file_data), 0);
}

/* Six exchanges on one connection: nginx numbers them 1..6 on the same
 * $connection, so none of them opened a new one. */
Test(http_interop, nginx_keep_alive)
{
    static const char *m[] = { "GET", "HEAD", "GET", "GET", "GET", "GET" };
    static const char *t[] = { "/data.txt", "/data.txt", "/missing",
                               "/ssi/data.txt", "/data.txt", "/missing" };
    static const int want[] = { 200, 200, 404, 200, 200, 404 };
    static struct hi_seq_frame f;
    strio_task task;
    start_nginx();
    memset(&X, 0, sizeof X);
    X.port = nginx_port;
    X.nreq = 6;
    for (int i = 0; i < 6; i++) {
        X.methods[i] = m[i];
        X.targets[i] = t[i];
    }
    hi_seq_start(&f, &X);
    strio_task_init(&task, hi_seq_resume, &f, &f.strio_ret);
    cr_assert_eq(strio_loop_run(&loop, &task), 0);
    cr_assert_eq(X.rc, 0, "after %d responses: %s", X.done,
                 strio_strerror(X.rc));
    cr_assert_eq(loop.tasks, 0);
    for (int i = 0; i < 6; i++) {
        char n[4];
        snprintf(n, sizeof n, "%d", i + 1);
        cr_assert_eq(X.statuses[i], want[i], "request %d", i + 1);
        cr_assert(X.flags_of[i] & STRIO_HTTP_KEEP_ALIVE, "request %d", i + 1);
        cr_assert_str_eq(X.conn_id[i], X.conn_id[0], "request %d", i + 1);
        cr_assert_str_eq(X.conn_req[i], n);
    }
    const char *b = X.body;
    cr_assert_eq(X.body_len[0], sizeof file_data);
    cr_assert_eq(memcmp(b + X.body_at[0], file_data, sizeof file_data), 0);
    cr_assert_eq(X.body_len[1], 0, "HEAD response with a body");
    cr_assert_str_eq(X.length_of[1], "100000"); /* sizeof file_data */
    cr_assert_str_eq(X.length_of[0], "100000");
    cr_assert_str_eq(X.length_of[3], "", "chunked with a length");
    cr_assert(memmem(b + X.body_at[2], X.body_len[2], "404 Not Found", 13));
    cr_assert(X.flags_of[3] & STRIO_HTTP_CHUNKED);
    cr_assert_eq(X.body_len[3], sizeof file_data);
    cr_assert_eq(memcmp(b + X.body_at[3], file_data, sizeof file_data), 0);
    cr_assert_eq(X.body_len[4], sizeof file_data);
    cr_assert_eq(memcmp(b + X.body_at[4], file_data, sizeof file_data), 0);
    cr_assert(memmem(b + X.body_at[5], X.body_len[5], "404 Not Found", 13));
}
