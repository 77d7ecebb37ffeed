/*
 * TLS over a subprocess's stdin/stdout joined into one stapled stream (the
 * seed's example; issue "files, subprocesses, signals", part 5). The peer
 * is real: stunnel4 in inetd mode (OpenSSL on its stdin/stdout) with
 * /bin/cat behind it. Certificates come from tests/unit/tls_fixtures.sh
 * (the set test_tls.c uses), made with the openssl CLI.
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/process.h>
#include <strio/tls.h>

#include "tls_proc_tasks.h"

static STRIO_POLL(io, 16);
static strio_clock mono;
static strio_loop loop;
static char dir[64];            /* fixtures of our own, removed at the end */
static const char *fxdir;       /* where the fixtures are */

static int sh(const char *cmd)
{
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void setup(void)
{
    strio_monotonic_clock_init(&mono);
    cr_assert_eq(STRIO_POLL_SETUP(io), 0);
    strio_loop_init(&loop, &mono, strio_poll_backend(&io.poll));
    /* test_tls.c's run-wide fixtures when they exist, else our own */
    const char *env = getenv("STRIO_TLS_FIXTURES");
    char done[128];
    snprintf(done, sizeof done, "%s/done", env != NULL ? env : "");
    if (env != NULL && access(done, F_OK) == 0) {
        fxdir = env;
        return;
    }
    strcpy(dir, "/tmp/strio-tlsproc-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    char cmd[256];
    snprintf(cmd, sizeof cmd, "sh tests/unit/tls_fixtures.sh %s", dir);
    cr_assert_eq(sh(cmd), 0, "tls_fixtures.sh failed");
    fxdir = dir;
}

static void teardown(void)
{
    strio_poll_close(&io.poll);
    if (dir[0] != '\0') {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
        sh(cmd);
    }
}

TestSuite(tls_proc, .init = setup, .fini = teardown, .timeout = 20);

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

/* stunnel's configuration for inetd mode: no `accept`, so TLS runs on its
 * stdin/stdout; `exec` is the program behind it. */
static const char *stunnel_conf(void)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/stunnel-%d.conf", fxdir, (int)getpid());
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "foreground = yes\npid =\ndebug = 3\n"
               "cert = %s/ec-chain.pem\nkey = %s/ec.key\n"
               "exec = /bin/cat\nexecArgs = cat\n", fxdir, fxdir);
    fclose(f);
    return path;
}

static strio_tls_anchors anchors;
static br_x509_trust_anchor ta[2];
static unsigned char ta_mem[2048];
static unsigned char iobuf[STRIO_TLS_BUF_BIDI];
static strio_tls_client_config cfg;

static void client_config(const char *server_name)
{
    static unsigned char pem[8192];
    char path[128];
    size_t len;
    snprintf(path, sizeof path, "%s/ca.pem", fxdir);
    cr_assert_eq(strio_tls_read_file(path, pem, sizeof pem, &len), 0);
    strio_tls_anchors_init(&anchors, ta, 2, ta_mem, sizeof ta_mem);
    cr_assert_eq(strio_tls_anchors_add_pem(&anchors, pem, len), 1);
    memset(&cfg, 0, sizeof cfg);
    cfg.anchors = anchors.ta;
    cfg.anchor_count = anchors.count;
    cfg.server_name = server_name;
}

static int run_session(struct tp_run *r)
{
    static struct tp_session_frame f;
    strio_task t;
    tp_session_start(&f, r);
    strio_task_init(&t, tp_session_resume, &f, &f.strio_ret);
    int rc = strio_loop_run(&loop, &t);
    cr_assert_eq(rc, 0, "loop: %s", strio_strerror(rc));
    return f.strio_ret;
}

static unsigned char data[300000], got[300000];

Test(tls_proc, echo_through_stunnel_pipes)
{
    const char *argv[] = { "stunnel4", stunnel_conf(), NULL };
    static struct tp_run r;
    int fds = count_fds();
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i * 131u + (i >> 9));
    client_config("localhost");
    memset(&r, 0, sizeof r);
    r.argv = argv;
    r.cfg = &cfg;
    r.iobuf = iobuf;
    r.iobuf_len = sizeof iobuf;
    r.data = data;
    r.len = sizeof data;
    r.got = got;
    int rc = run_session(&r);
    cr_assert_eq(rc, 0, "session: %s (handshake %d, send %d, recv %d, "
                 "close %d, wait %d; BearSSL %d)", strio_strerror(rc),
                 r.handshake_rc, r.send_rc, r.recv_rc, r.close_rc,
                 r.wait_rc, strio_tls_last_error(&r.tls));
    cr_assert_eq(r.got_len, sizeof data);
    cr_assert_arr_eq(got, data, sizeof data, "echo differs");
    cr_assert(r.proc.reaped, "stunnel reaped");
    cr_assert_eq(r.aclose_rc, 0);
    cr_assert_eq(count_fds(), fds, "an fd leaked");
    int st;
    errno = 0;
    cr_assert_eq(waitpid(-1, &st, WNOHANG), -1, "a child is left");
}

/* A certificate for "localhost" presented to a client expecting another
 * name: the handshake fails with the hostname error, and the child is
 * still killed and reaped, nothing left behind. */
Test(tls_proc, wrong_name_fails_and_reaps)
{
    const char *argv[] = { "stunnel4", stunnel_conf(), NULL };
    static struct tp_run r;
    int fds = count_fds();
    client_config("not-localhost.example");
    memset(&r, 0, sizeof r);
    r.argv = argv;
    r.cfg = &cfg;
    r.iobuf = iobuf;
    r.iobuf_len = sizeof iobuf;
    r.data = data;
    r.len = 10;
    r.got = got;
    int rc = run_session(&r);
    cr_assert_eq(rc, STRIO_ETLS_HOSTNAME, "got %s", strio_strerror(rc));
    cr_assert(r.proc.reaped, "stunnel reaped");
    cr_assert_eq(count_fds(), fds, "an fd leaked");
    int st;
    errno = 0;
    cr_assert_eq(waitpid(-1, &st, WNOHANG), -1, "a child is left");
}
