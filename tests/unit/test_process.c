/*
 * Subprocesses (runtime/src/process*.{c,sc}) and pipe streams
 * (process_pipe*.{c,sc}). Real children (/bin/sh, cat, true, sleep, ...);
 * every test waits for or acloses what it spawns, and checks that no fd
 * and no zombie is left. The tests run on the real monotonic clock with a
 * poll backend (every wait bounded by a cancel scope or the Criterion
 * timeout); the cancellation sweeps run on the sweep's virtual clock with
 * the poll backend plugged in, so a kill grace there is virtual time.
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <strio/strio.h>
#include <strio/conformance.h>
#include <strio/pipe.h>
#include <strio/posix.h>
#include <strio/process.h>

#include "proc_tasks.h"
#include "sweep.h"

static STRIO_POLL(io, 64);
static strio_clock mono;
static strio_loop loop;

static void setup(void)
{
    strio_monotonic_clock_init(&mono);
    cr_assert_eq(STRIO_POLL_SETUP(io), 0);
    strio_loop_init(&loop, &mono, strio_poll_backend(&io.poll));
}

static void teardown(void)
{
    strio_poll_close(&io.poll);
}

TestSuite(process, .init = setup, .fini = teardown, .timeout = 5);

#define RUN(fn, frame, ...)                                                  \
    ({                                                                       \
        strio_task t_;                                                       \
        fn##_start(&(frame), __VA_ARGS__);                                   \
        strio_task_init(&t_, fn##_resume, &(frame), &(frame).strio_ret);     \
        int lrc_ = strio_loop_run(&loop, &t_);                               \
        cr_assert_eq(lrc_, 0, "loop: %s", strio_strerror(lrc_));             \
        (frame).strio_ret;                                                   \
    })

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
    return n - 1;                 /* the directory's own fd */
}

/* No child of ours is left, reaped or not. */
static void assert_no_children(void)
{
    int st;
    errno = 0;
    cr_assert_eq(waitpid(-1, &st, WNOHANG), -1, "a child is left");
    cr_assert_eq(errno, ECHILD);
}

#define ARGV(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* ---- basics ----------------------------------------------------------------- */

Test(process, stdout_pipe_and_exit_status)
{
    static struct pr_spawn_read_wait_frame f;
    static strio_process p;
    strio_process_options o = { 0 };
    char buf[64];
    size_t len = 0;
    int fds = count_fds();
    o.stdio[1] = STRIO_STDIO_PIPE;
    int rc = RUN(pr_spawn_read_wait, f, &p,
                 ARGV("/bin/sh", "-c", "printf 'hello world'; exit 3"), &o,
                 buf, sizeof buf, &len);
    cr_assert_eq(rc, 0, "%s", strio_strerror(rc));
    cr_assert_eq(len, 11);
    cr_assert_arr_eq(buf, "hello world", 11);
    cr_assert(p.reaped);
    cr_assert_eq(p.exit_code, 3);
    cr_assert_eq(p.term_signal, 0);
    cr_assert_eq(p.pidfd, -1, "pidfd closed once reaped");
    cr_assert_eq(count_fds(), fds);
    assert_no_children();
}

Test(process, path_search_env_and_cwd)
{
    static struct pr_spawn_read_wait_frame f;
    static strio_process p;
    strio_process_options o = { 0 };
    char *env[] = { "STRIO_TEST_VAR=from env", NULL };
    char buf[128];
    size_t len = 0;
    o.stdio[1] = STRIO_STDIO_PIPE;
    o.env = env;
    o.cwd = "/";
    /* "sh" without a slash: found in the parent's PATH */
    int rc = RUN(pr_spawn_read_wait, f, &p,
                 ARGV("sh", "-c", "printf '%s|' \"$STRIO_TEST_VAR\"; pwd; "
                      "printf '%s' \"${HOME:-unset}\""),
                 &o, buf, sizeof buf, &len);
    cr_assert_eq(rc, 0, "%s", strio_strerror(rc));
    buf[len] = 0;
    cr_assert_str_eq(buf, "from env|/\nunset");
    cr_assert_eq(p.exit_code, 0);
    assert_no_children();
}

Test(process, stdio_devnull_fd_and_stderr_to_stdout)
{
    static struct pr_spawn_read_wait_frame f;
    static strio_process p;
    strio_process_options o = { 0 };
    char buf[128];
    size_t len = 0;
    /* stdin /dev/null: cat reads EOF at once; stderr merged into stdout */
    o.stdio[0] = STRIO_STDIO_DEVNULL;
    o.stdio[1] = STRIO_STDIO_PIPE;
    o.stdio[2] = STRIO_STDIO_STDOUT;
    int rc = RUN(pr_spawn_read_wait, f, &p,
                 ARGV("/bin/sh", "-c", "cat; echo out; echo err >&2"), &o,
                 buf, sizeof buf, &len);
    cr_assert_eq(rc, 0);
    buf[len] = 0;
    cr_assert_str_eq(buf, "out\nerr\n");

    /* stdin from a file we own (STRIO_STDIO_FD, not taken over) */
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    cr_assert_geq(fd, 0);
    int fds = count_fds();
    memset(&o, 0, sizeof o);
    o.stdio[0] = STRIO_STDIO_FD;
    o.fd[0] = fd;
    o.stdio[1] = STRIO_STDIO_PIPE;
    o.stdio[2] = STRIO_STDIO_DEVNULL;
    rc = RUN(pr_spawn_read_wait, f, &p, ARGV("/bin/sh", "-c", "head -c 3"),
             &o, buf, sizeof buf, &len);
    cr_assert_eq(rc, 0);
    cr_assert_eq(len, 3);
    cr_assert_eq(count_fds(), fds, "our fd stays ours, nothing else left");
    cr_assert_geq(fcntl(fd, F_GETFD), 0);
    close(fd);
    assert_no_children();
}

Test(process, stapled_stdin_stdout)
{
    static struct pr_stapled_cat_frame f;
    static strio_process p;
    enum { N = 60000 };           /* fits in the two pipes: we send it all,
                                     then read it back */
    static char data[N], back[N + 1];
    size_t len = 0;
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)('a' + i % 23);
    int fds = count_fds();
    int rc = RUN(pr_stapled_cat, f, &p, ARGV("cat"), data, N, back,
                 sizeof back, &len);
    cr_assert_eq(rc, 0, "%s", strio_strerror(rc));
    cr_assert_eq(len, N);
    cr_assert_arr_eq(back, data, N);
    cr_assert_eq(p.exit_code, 0);
    cr_assert_eq(count_fds(), fds);
    assert_no_children();
}

/* ---- errors -------------------------------------------------------------------- */

Test(process, spawn_errors)
{
    static strio_process p;
    strio_process_options o = { 0 };
    int fds = count_fds();
    o.stdio[0] = o.stdio[1] = o.stdio[2] = STRIO_STDIO_PIPE;
    cr_assert_eq(strio_process_spawn(&p, ARGV("/nonexistent/program"), &o),
                 -ENOENT);
    cr_assert_eq(strio_process_spawn(&p, ARGV("strio-no-such-program"), &o),
                 -ENOENT);
    cr_assert_eq(strio_process_spawn(&p, ARGV("/etc/passwd"), &o), -EACCES);
    o.cwd = "/nonexistent/dir";
    cr_assert_eq(strio_process_spawn(&p, ARGV("/bin/true"), &o), -ENOENT);
    o.cwd = NULL;
    cr_assert_eq(strio_process_spawn(&p, (const char *const[]){ NULL }, &o),
                 -EINVAL);
    o.stdio[0] = STRIO_STDIO_STDOUT;          /* stderr only */
    cr_assert_eq(strio_process_spawn(&p, ARGV("/bin/true"), &o), -EINVAL);
    o.stdio[0] = STRIO_STDIO_FD;
    o.fd[0] = -1;
    cr_assert_eq(strio_process_spawn(&p, ARGV("/bin/true"), &o), -EINVAL);
    cr_assert_eq(count_fds(), fds, "a failed spawn leaves no fd");
    cr_assert_eq(p.pid, -1);
    cr_assert_eq(strio_process_kill(&p, SIGTERM), -ESRCH);
    cr_assert_eq(strio_process_poll(&p), -ECHILD);
    assert_no_children();
    cr_assert_str_eq(strio_strerror(STRIO_EEXIT),
                     "child process failed (non-zero exit status or killed "
                     "by a signal)");
}

Test(process, killed_by_signal_and_check)
{
    static struct pr_run_frame f;
    static strio_process_runner r;
    strio_process_runner_init(&r);
    int rc = RUN(pr_run, f, &r, ARGV("/bin/sh", "-c", "kill -9 $$"), NULL);
    cr_assert_eq(rc, 0, "no check: the status is only reported");
    cr_assert_eq(r.proc.term_signal, SIGKILL);
    cr_assert_eq(r.proc.exit_code, -1);

    strio_process_runner_init(&r);
    r.check = 1;
    rc = RUN(pr_run, f, &r, ARGV("/bin/sh", "-c", "kill -TERM $$"), NULL);
    cr_assert_eq(rc, STRIO_EEXIT);
    cr_assert_eq(r.proc.term_signal, SIGTERM);

    strio_process_runner_init(&r);
    r.check = 1;
    rc = RUN(pr_run, f, &r, ARGV("/bin/sh", "-c", "exit 1"), NULL);
    cr_assert_eq(rc, STRIO_EEXIT);
    cr_assert_eq(r.proc.exit_code, 1);

    strio_process_runner_init(&r);
    r.check = 1;
    rc = RUN(pr_run, f, &r, ARGV("/bin/true"), NULL);
    cr_assert_eq(rc, 0);

    strio_process_runner_init(&r);
    rc = RUN(pr_run, f, &r, ARGV("/no/such/program"), NULL);
    cr_assert_eq(rc, -ENOENT);
    assert_no_children();
}

Test(process, broken_pipe_is_ebroken_not_sigpipe)
{
    static struct pr_broken_pipe_frame f;
    static strio_pipe_stream w, r;
    cr_assert_eq(strio_pipe_pair(&w, &r), 0);
    int rc = RUN(pr_broken_pipe, f, &w, &r);
    cr_assert_eq(rc, STRIO_EBROKEN);
    cr_assert_eq(w.error, EPIPE);
    sigset_t pending;
    sigpending(&pending);
    cr_assert_eq(sigismember(&pending, SIGPIPE), 0, "SIGPIPE consumed");
    strio_pipe_stream_close_now(&w);
}

/* ---- run to completion ----------------------------------------------------------- */

Test(process, run_captures_both_large_without_deadlock)
{
    static struct pr_run_frame f;
    static strio_process_runner r;
    enum { N = 4000000 };
    static char out[N], err[N];
    int fds = count_fds();
    strio_process_runner_init(&r);
    r.out = out;
    r.out_cap = sizeof out;
    r.err = err;
    r.err_cap = sizeof err;
    r.check = 1;
    /* both pipes fill at once: the child writes to both concurrently */
    int rc = RUN(pr_run, f, &r,
                 ARGV("/bin/sh", "-c",
                      "yes abc | head -c 4000000 & "
                      "yes XYZW | head -c 4000000 >&2; wait"), NULL);
    cr_assert_eq(rc, 0, "%s", strio_strerror(rc));
    cr_assert_eq(r.out_len, N);
    cr_assert_eq(r.err_len, N);
    for (size_t i = 0; i < N; i += 4)
        cr_assert(memcmp(out + i, "abc\n", 4) == 0, "stdout at %zu", i);
    for (size_t i = 0; i < N; i += 5)
        cr_assert(memcmp(err + i, "XYZW\n", 5) == 0, "stderr at %zu", i);
    cr_assert_eq(count_fds(), fds);
    assert_no_children();
}

Test(process, raw_pipes_both_full_read_in_a_nursery)
{
    static struct pr_read_both_frame f;
    static strio_process p;
    enum { N = 3000000 };
    static char out[N + 1], err[N + 1];
    size_t olen = 0, elen = 0;
    strio_process_options o = { 0 };
    int fds = count_fds();
    o.stdio[1] = o.stdio[2] = STRIO_STDIO_PIPE;
    /* one process writing to both in turn, 64 KiB at a time: whichever
     * pipe we did not drain would stop it */
    cr_assert_eq(strio_process_spawn(&p, ARGV("/bin/sh", "-c",
                 "i=0; while [ $i -lt 45 ]; do "
                 "head -c 65536 /dev/zero; head -c 65536 /dev/zero >&2; "
                 "i=$((i+1)); done; head -c 50880 /dev/zero; "
                 "head -c 50880 /dev/zero >&2"), &o), 0);
    int rc = RUN(pr_read_both, f, &p, out, sizeof out, &olen, err,
                 sizeof err, &elen);
    cr_assert_eq(rc, 0, "%s", strio_strerror(rc));
    cr_assert_eq(olen, N);
    cr_assert_eq(elen, N);
    cr_assert_eq(p.exit_code, 0);
    cr_assert_eq(count_fds(), fds);
    assert_no_children();
}

Test(process, run_input_and_output_through_cat)
{
    static struct pr_run_frame f;
    static strio_process_runner r;
    enum { N = 1 << 20 };
    static char in[N], out[N];
    for (size_t i = 0; i < N; i++)
        in[i] = (char)(i * 7 + i / 251);
    strio_process_runner_init(&r);
    r.input = in;
    r.input_len = N;
    r.out = out;
    r.out_cap = N;
    int rc = RUN(pr_run, f, &r, ARGV("cat"), NULL);
    cr_assert_eq(rc, 0, "%s", strio_strerror(rc));
    cr_assert_eq(r.out_len, N);
    cr_assert(memcmp(in, out, N) == 0);

    /* a child that does not read its input: no error */
    strio_process_runner_init(&r);
    r.input = in;
    r.input_len = N;
    r.check = 1;
    rc = RUN(pr_run, f, &r, ARGV("/bin/true"), NULL);
    cr_assert_eq(rc, 0, "%s", strio_strerror(rc));
    assert_no_children();
}

Test(process, run_output_limit)
{
    static struct pr_run_frame f;
    static strio_process_runner r;
    char out[100], err[8];
    strio_process_options o = { 0 };
    int fds = count_fds();
    o.kill_grace = STRIO_MS(100);
    strio_process_runner_init(&r);
    r.out = out;
    r.out_cap = sizeof out;
    r.err = err;
    r.err_cap = sizeof err;
    /* writes forever: only the limit stops it */
    int rc = RUN(pr_run, f, &r, ARGV("yes"), &o);
    cr_assert_eq(rc, -EMSGSIZE);
    cr_assert_eq(r.out_len, sizeof out, "the buffer is full, nothing lost");
    cr_assert_arr_eq(out, "y\ny\ny\n", 6);
    cr_assert(r.proc.reaped);
    cr_assert_eq(r.proc.term_signal, SIGTERM);

    /* exactly the capacity fits; one byte more does not */
    strio_process_runner_init(&r);
    r.out = out;
    r.out_cap = 4;
    rc = RUN(pr_run, f, &r, ARGV("/bin/sh", "-c", "printf abcd"), NULL);
    cr_assert_eq(rc, 0);
    cr_assert_eq(r.out_len, 4);
    strio_process_runner_init(&r);
    r.out = out;
    r.out_cap = 4;
    rc = RUN(pr_run, f, &r, ARGV("/bin/sh", "-c", "printf abcde"), NULL);
    cr_assert_eq(rc, -EMSGSIZE);
    cr_assert_eq(r.out_len, 4);
    cr_assert_eq(count_fds(), fds);
    assert_no_children();
}

/* ---- cancellation ------------------------------------------------------------------ */

Test(process, cancelled_wait_terminates_and_reaps)
{
    static struct pr_wait_timeout_frame f;
    static strio_process p;
    strio_process_options o = { 0 };
    int fds = count_fds();
    int caught = 0;
    o.stdio[1] = STRIO_STDIO_PIPE;
    cr_assert_eq(strio_process_spawn(&p, ARGV("sleep", "10"), &o), 0);
    int rc = RUN(pr_wait_timeout, f, &p, STRIO_MS(20), 0, &caught);
    cr_assert_eq(rc, 0);
    cr_assert_eq(caught, STRIO_ECANCELED);
    cr_assert(p.reaped);
    cr_assert_eq(p.term_signal, SIGTERM);
    cr_assert_eq(count_fds(), fds);
    assert_no_children();
}

Test(process, term_ignored_then_sigkill_after_grace)
{
    static struct pr_wait_timeout_frame f;
    static strio_process p;
    strio_process_options o = { 0 };
    int caught = 0;
    o.stdio[1] = STRIO_STDIO_PIPE;
    o.kill_grace = STRIO_MS(50);
    cr_assert_eq(strio_process_spawn(&p,
                 ARGV("/bin/sh", "-c", "trap '' TERM; echo ready; exec sleep 10"),
                 &o), 0);
    strio_time t0 = strio_loop_now(&loop);
    int rc = RUN(pr_wait_timeout, f, &p, STRIO_MS(10), 1, &caught);
    strio_time took = strio_loop_now(&loop) - t0;
    cr_assert_eq(rc, 0);
    cr_assert_eq(caught, STRIO_ECANCELED);
    cr_assert_eq(p.term_signal, SIGKILL);
    cr_assert_geq(took, STRIO_MS(60), "the grace was waited for");
    assert_no_children();

    /* kill_grace < 0: SIGKILL at once */
    o.kill_grace = -1;
    cr_assert_eq(strio_process_spawn(&p, ARGV("sleep", "10"), &o), 0);
    rc = RUN(pr_wait_timeout, f, &p, STRIO_MS(1), 0, &caught);
    cr_assert_eq(p.term_signal, SIGKILL);
    assert_no_children();
}

Test(process, aclose_kills_running_child)
{
    static struct pr_aclose_frame f;
    static strio_process p;
    strio_process_options o = { 0 };
    int fds = count_fds();
    o.stdio[0] = o.stdio[1] = o.stdio[2] = STRIO_STDIO_PIPE;
    cr_assert_eq(strio_process_spawn(&p, ARGV("sleep", "10"), &o), 0);
    cr_assert_eq(strio_process_poll(&p), 0, "still running");
    cr_assert_eq(RUN(pr_aclose, f, &p), 0);
    cr_assert(p.reaped);
    cr_assert_eq(p.term_signal, SIGTERM);
    cr_assert_eq(count_fds(), fds);
    cr_assert_eq(RUN(pr_aclose, f, &p), 0, "idempotent");
    cr_assert_eq(strio_process_poll(&p), 1);
    cr_assert_eq(strio_process_kill(&p, SIGTERM), -ESRCH);
    assert_no_children();
}

Test(process, polling_fallback_without_pidfd)
{
    static struct pr_spawn_read_wait_frame f;
    static struct pr_wait_timeout_frame g;
    static strio_process p;
    strio_process_options o = { 0 };
    char buf[16];
    size_t len;
    int caught;
    o.flags = STRIO_PROCESS_NO_PIDFD;
    o.stdio[1] = STRIO_STDIO_PIPE;
    int rc = RUN(pr_spawn_read_wait, f, &p,
                 ARGV("/bin/sh", "-c", "echo hi; sleep 0.05; exit 7"), &o,
                 buf, sizeof buf, &len);
    cr_assert_eq(rc, 0);
    cr_assert_eq(p.pidfd, -1);
    cr_assert_eq(p.exit_code, 7);
    o.stdio[1] = STRIO_STDIO_INHERIT;
    cr_assert_eq(strio_process_spawn(&p, ARGV("sleep", "10"), &o), 0);
    cr_assert_eq(p.pidfd, -1);
    rc = RUN(pr_wait_timeout, g, &p, STRIO_MS(20), 0, &caught);
    cr_assert_eq(caught, STRIO_ECANCELED);
    cr_assert_eq(p.term_signal, SIGTERM);
    assert_no_children();
}

/* ---- no leaks over many cycles --------------------------------------------------- */

Test(process, thousand_spawn_wait_cycles_leave_nothing)
{
    static struct pr_cycles_frame f;
    int failed = 0;
    int fds = count_fds();
    int count = 1000;
    int rc = RUN(pr_cycles, f, ARGV("/bin/true"), count, &failed);
    cr_assert_eq(rc, 0, "%s", strio_strerror(rc));
    cr_assert_eq(failed, 0);
    cr_assert_eq(count_fds(), fds);
    assert_no_children();
}

/* ---- pipe streams: conformance ------------------------------------------------------ */

struct pipe_ctx {
    strio_pipe_stream w, r;
};

static int make_pipe(void *ctx, strio_stream **a, strio_stream **b)
{
    struct pipe_ctx *p = ctx;
    int rc = strio_pipe_pair(&p->w, &p->r);
    if (rc < 0)
        return rc;
    fcntl(p->w.fd, F_SETPIPE_SZ, 4096);     /* clogs after a page */
    *a = &p->w.base;
    *b = &p->r.base;
    return 0;
}

static void report(void *arg, const char *property, const char *message)
{
    cr_log_error("%s: %s: %s", (const char *)arg, property, message);
}

Test(process, pipe_conformance)
{
    static strio_conformance cf;
    static struct pipe_ctx ctx;
    static struct pr_conformance_frame f;
    strio_stream_factory fac = {
        .name = "pipe", .ctx = &ctx, .make = make_pipe, .clog_by_filling = 1,
    };
    int fds = count_fds();
    strio_conformance_init(&cf);
    cf.on_fail = report;
    cf.arg = (void *)fac.name;
    cf.timeout = STRIO_SEC(2);
    cf.bulk_bytes = 65536;
    int rc = RUN(pr_conformance, f, &cf, &fac);
    cr_assert_eq(rc, 0, "%s: %s: %s", fac.name, cf.failed ? cf.failed : "?",
                 cf.message);
    cr_assert_eq(cf.skipped, 0);
    cr_assert_gt(cf.checked, 30);
    cr_assert_eq(count_fds(), fds);
}

/* ---- cancellation sweeps ------------------------------------------------------------- */

static struct pr_sweep w;
static char sweep_out[64];
static int sweep_fds;

static void sweep_loop(struct sweep_run *run)
{
    run->loop.backend = strio_poll_backend(&io.poll);
}

static int run_scenario(struct sweep_run *run)
{
    static struct pr_sweep_run_frame f;
    strio_task t;
    sweep_loop(run);
    strio_process_runner_init(&w.r);
    w.r.out = sweep_out;
    w.r.out_cap = sizeof sweep_out;
    w.r.input = "abc";
    w.r.input_len = 3;
    w.argv = ARGV("/bin/sh", "-c", "cat; echo done");
    w.rc = w.exit_rc = 1;
    pr_sweep_run_start(&f, &run->target, &w);
    strio_task_init(&t, pr_sweep_run_resume, &f, &f.strio_ret);
    return strio_loop_run(&run->loop, &t);
}

static void run_check(struct sweep_run *run)
{
    cr_assert(w.r.proc.reaped, "k=%lu: not reaped", run->k);
    cr_assert_eq(count_fds(), sweep_fds, "k=%lu: fd leaked", run->k);
    assert_no_children();
    if (!run->cancelled) {
        cr_assert_eq(w.rc, 0, "k=%lu: %s", run->k, strio_strerror(w.rc));
        cr_assert_eq(w.r.out_len, 8);
        cr_assert_arr_eq(sweep_out, "abcdone\n", 8);
    } else {
        /* cancelled, or it completed before the cancellation arrived */
        cr_assert(w.rc == STRIO_ECANCELED || w.rc == 0, "k=%lu: %s", run->k,
                  strio_strerror(w.rc));
        cr_assert_eq(w.exit_rc, 0, "k=%lu", run->k);
    }
}

Test(process, sweep_run_process)
{
    sweep_fds = count_fds();
    struct sweep s = { .name = "run_process", .scenario = run_scenario,
                       .check = run_check };
    unsigned long runs = sweep_cancellation(&s);
    cr_log_info("run_process sweep: %lu runs", runs);
    cr_assert_geq(runs, 3);
}

static int wait_scenario(struct sweep_run *run)
{
    static struct pr_sweep_wait_frame f;
    strio_task t;
    sweep_loop(run);
    strio_process_runner_init(&w.r);
    w.argv = ARGV("/bin/sh", "-c", "sleep 0.01");
    w.rc = w.exit_rc = 1;
    pr_sweep_wait_start(&f, &run->target, &w);
    strio_task_init(&t, pr_sweep_wait_resume, &f, &f.strio_ret);
    return strio_loop_run(&run->loop, &t);
}

static void wait_check(struct sweep_run *run)
{
    cr_assert(w.r.proc.reaped, "k=%lu: not reaped", run->k);
    cr_assert_eq(count_fds(), sweep_fds, "k=%lu: fd leaked", run->k);
    assert_no_children();
    if (!run->cancelled) {
        cr_assert_eq(w.rc, 0);
        cr_assert_eq(w.r.proc.exit_code, 0);
    } else if (w.rc == 0) {
        /* the exit won the race against the cancellation */
        cr_assert_eq(w.r.proc.exit_code, 0, "k=%lu", run->k);
    } else {
        cr_assert_eq(w.rc, STRIO_ECANCELED, "k=%lu: %s", run->k,
                     strio_strerror(w.rc));
        /* SIGTERM, or SIGKILL if sh took longer than the loop's 1 ms
         * real wait before the virtual clock jumped over the grace */
        cr_assert(w.r.proc.term_signal == SIGTERM ||
                  w.r.proc.term_signal == SIGKILL, "k=%lu: signal %d",
                  run->k, w.r.proc.term_signal);
    }
}

Test(process, sweep_wait)
{
    sweep_fds = count_fds();
    struct sweep s = { .name = "wait", .scenario = wait_scenario,
                       .check = wait_check };
    unsigned long runs = sweep_cancellation(&s);
    cr_log_info("wait sweep: %lu runs", runs);
    cr_assert_geq(runs, 2);
}
