/*
 * Files (strio/file.h) and paths (strio/path.h) on the worker pool, in a
 * fresh temporary directory under /tmp per test (removed afterwards):
 * every call, the errors users hit, one task at a time, cancellation
 * sweeps over file reads (seekable and pipe) and an atomic write, and no
 * leaked fd (/proc/self/fd counted before and after).
 *
 * Root: mode bits do not deny root, so the -EACCES assertions inside the
 * general tests are skipped when euid == 0; permission_denied checks them
 * for real in all cases: as root it forks a child that drops to uid/gid
 * 65534 (nobody) and runs the calls there with its own loop and pool.
 */
#define _GNU_SOURCE 1
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/file.h>
#include <strio/path.h>

#include "file_tasks.h"
#include "sweep.h"

static STRIO_POLL(io, 16);
static STRIO_WORKERS(pool, 2, 8);
/* small buffers: most calls run several jobs (paths must fit: ~40 bytes) */
static STRIO_FILE(f7, 64);
static STRIO_FILE(g7, 64);
static STRIO_FS(fs, 1024);
static strio_clock mono;
static strio_loop loop;
static char dir[64];
static int fds_before;
static int sweep_fds;
static unsigned long sweep_cancelled_mid;
static unsigned long sweep_abandoned;   /* jobs left running by a cancel */
static struct ft_ctx ctx;

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

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_D || flag == FTW_DP || flag == FTW_DNR)
        chmod(path, 0700);
    return remove(path);
}

static void rm_tree(const char *path)
{
    chmod(path, 0700);
    /* open the read-only dirs first so their entries can be removed */
    char cmd[128];
    snprintf(cmd, sizeof cmd, "%s/ro", path);
    chmod(cmd, 0700);
    nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
    alarm(20);
    strcpy(dir, "/tmp/strio-files-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    strio_monotonic_clock_init(&mono);
    cr_assert_eq(STRIO_POLL_SETUP(io), 0);
    strio_loop_init(&loop, &mono, strio_poll_backend(&io.poll));
    cr_assert_eq(STRIO_WORKERS_SETUP(pool, &loop), 0);
    STRIO_FILE_SETUP(f7, &pool.workers);
    STRIO_FILE_SETUP(g7, &pool.workers);
    STRIO_FS_SETUP(fs, &pool.workers);
    memset(&ctx, 0, sizeof ctx);
    ctx.w = &pool.workers;
    ctx.f = &f7.file;
    ctx.g = &g7.file;
    ctx.fs = &fs.fs;
    ctx.dir = dir;
    ctx.root = geteuid() == 0;
    fds_before = count_fds();
}

static void teardown(void)
{
    strio_workers_close(&pool.workers);
    strio_poll_close(&io.poll);
    rm_tree(dir);
    alarm(0);
}

/* The time bound is alarm(), not Criterion's .timeout: Criterion 2.4.1's
 * runner leaks the entry of a timeout that has not expired when the whole
 * run ends (LeakSanitizer then fails the ASan suite), and these tests are
 * often among the last to finish. SIGALRM kills the test process, which
 * Criterion reports as a crash. */
TestSuite(files, .init = setup, .fini = teardown);
TestSuite(paths, .init = setup, .fini = teardown);

static void check_ctx(const struct ft_ctx *c)
{
    cr_assert_eq(c->fail_line, 0, "file_tasks.sc:%d: %s (got %lld: %s)",
                 c->fail_line, c->fail_expr, c->fail_val,
                 strio_strerror((int)c->fail_val));
}

static void check_fds(void)
{
    cr_assert_eq(count_fds(), fds_before, "fds leaked");
}

/* Runs fn(args...) as the root task and checks its recorded checks. */
#define RUN(fn, ...)                                                      \
    do {                                                                  \
        static struct fn##_frame fr_;                                     \
        strio_task t_;                                                    \
        fn##_start(&fr_, __VA_ARGS__);                                    \
        strio_task_init(&t_, fn##_resume, &fr_, &fr_.strio_ret);          \
        int lrc_ = strio_loop_run(&loop, &t_);                            \
        cr_assert_eq(lrc_, 0, #fn ": loop returned %d", lrc_);            \
        check_ctx(&ctx);                                                  \
    } while (0)

static void write_file(const char *name, const void *data, size_t len)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, data, len), (ssize_t)len);
    close(fd);
}

/* ---- files ------------------------------------------------------------ */

Test(files, open_errors_and_closed)
{
    if (ctx.root)
        cr_log_info("running as root: the -EACCES assertion is skipped");
    RUN(ft_open_errors, &ctx);
    check_fds();
}

Test(files, read_write_seek_truncate_sync_read_all)
{
    RUN(ft_rw, &ctx);
    check_fds();
}

Test(files, append_mode)
{
    RUN(ft_append, &ctx);
    check_fds();
}

Test(files, pipe_is_not_seekable)
{
    int p[2];
    cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
    RUN(ft_pipe, &ctx, p[0], p[1]);
    check_fds();
}

Test(files, borrowed_fd_stays_open)
{
    write_file("b", "abcdef", 6);
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/b", dir);
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    cr_assert_geq(fd, 0);
    RUN(ft_borrowed, &ctx, fd);
    cr_assert_eq(fcntl(fd, F_GETFD), FD_CLOEXEC);   /* still open */
    close(fd);
    check_fds();
}

Test(files, lines_with_a_limit)
{
    static const char text[] = "short\n\nxxxxxxxxxxxxxxxxxxxx\nend\nlast";
    write_file("lines", text, sizeof text - 1);
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/lines", dir);
    RUN(ft_lines, &ctx, p);
    check_fds();
}

Test(files, one_task_at_a_time)
{
    static STRIO_POOL(kids, struct ft_reader_frame, 1);
    static strio_nursery n;
    STRIO_POOL_SETUP(kids);
    RUN(ft_busy, &ctx, &n, &kids.pool);
    check_fds();
}

Test(files, opened_fds_are_close_on_exec)
{
    static const char text[] = "x";
    write_file("c", text, 1);
    int fd = -1;
    /* wrap nothing: open through the pool and look at the flag */
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/c", dir);
    static struct strio_file_open_frame fr;
    strio_task t;
    strio_file_open_start(&fr, &f7.file, p, O_RDONLY, 0);
    strio_task_init(&t, strio_file_open_resume, &fr, &fr.strio_ret);
    cr_assert_eq(strio_loop_run(&loop, &t), 0);
    cr_assert_eq(fr.strio_ret, 0);
    fd = strio_file_fd(&f7.file);
    cr_assert_eq(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    static struct strio_file_close_frame cf;
    strio_file_close_start(&cf, &f7.file);
    strio_task_init(&t, strio_file_close_resume, &cf, &cf.strio_ret);
    cr_assert_eq(strio_loop_run(&loop, &t), 0);
    cr_assert_eq(cf.strio_ret, 0);
    check_fds();
}

/* ---- permission denied ---------------------------------------------------- */

/* Runs ft_eacces with a fresh loop and pool (after a fork: no threads
 * survive it). Returns the failed line, 0 if every check passed. */
static int eacces_run(void)
{
    static STRIO_POLL(cio, 8);
    static STRIO_WORKERS(cpool, 1, 2);
    static STRIO_FILE(cf, 256);
    static STRIO_FS(cfs, 256);
    static strio_loop cloop;
    static struct ft_eacces_frame fr;
    strio_task t;
    if (STRIO_POLL_SETUP(cio) < 0)
        return -1;
    strio_loop_init(&cloop, &mono, strio_poll_backend(&cio.poll));
    if (STRIO_WORKERS_SETUP(cpool, &cloop) < 0)
        return -2;
    STRIO_FILE_SETUP(cf, &cpool.workers);
    STRIO_FS_SETUP(cfs, &cpool.workers);
    ctx.f = &cf.file;
    ctx.fs = &cfs.fs;
    ft_eacces_start(&fr, &ctx);
    strio_task_init(&t, ft_eacces_resume, &fr, &fr.strio_ret);
    int rc = strio_loop_run(&cloop, &t);
    strio_workers_close(&cpool.workers);
    strio_poll_close(&cio.poll);
    return rc < 0 ? -3 : ctx.fail_line;
}

Test(files, permission_denied)
{
    char p[PATH_MAX];
    write_file("secret", "s", 1);
    snprintf(p, sizeof p, "%s/secret", dir);
    cr_assert_eq(chmod(p, 0), 0);
    snprintf(p, sizeof p, "%s/ro", dir);
    cr_assert_eq(mkdir(p, 0555), 0);
    snprintf(p, sizeof p, "%s/closed", dir);
    cr_assert_eq(mkdir(p, 0), 0);
    if (!ctx.root) {
        int line = eacces_run();
        cr_assert_eq(line, 0, "file_tasks.sc:%d: %s (got %lld)", line,
                     ctx.fail_expr, ctx.fail_val);
        check_fds();
        return;
    }
    /* root: the checks run in a child that is nobody */
    cr_assert_eq(chmod(dir, 0755), 0);
    strio_workers_close(&pool.workers);      /* no threads across fork */
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
            _exit(101);
        int line = eacces_run();
        if (line != 0)
            fprintf(stderr, "file_tasks.sc:%d: %s (got %lld)\n", line,
                    ctx.fail_expr, ctx.fail_val);
        _exit(line == 0 ? 0 : line < 0 ? 102 : 100);
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "child died (status %d)", status);
    cr_assert_eq(WEXITSTATUS(status), 0, "child as nobody: exit %d",
                 WEXITSTATUS(status));
    cr_assert_eq(STRIO_WORKERS_SETUP(pool, &loop), 0);  /* for teardown */
    check_fds();
}

/* ---- paths -------------------------------------------------------------- */

Test(paths, every_call_and_its_errors)
{
    if (ctx.root)
        cr_log_info("running as root: the -EACCES assertions are skipped");
    RUN(ft_paths, &ctx);
    check_fds();
}

/* ---- directory iterator ------------------------------------------------------ */

enum { NFILES = 200 };
static unsigned char dirbuf[1024];        /* ~30 entries per batch */
static strio_dir dit;
static char dpath[PATH_MAX];

static void make_files(void)
{
    snprintf(dpath, sizeof dpath, "%s/d", dir);
    cr_assert_eq(mkdir(dpath, 0755), 0);
    for (int i = 0; i < NFILES; i++) {
        char name[16];
        snprintf(name, sizeof name, "d/f%d", i);
        write_file(name, "", 0);
    }
}

Test(paths, directory_iterator)
{
    make_files();
    strio_dir_init(&dit, &pool.workers, dirbuf, sizeof dirbuf);
    ctx.size = NFILES;
    RUN(ft_iterate, &ctx, &dit, dpath, NULL);
    RUN(ft_dir_errors, &ctx, &dit);
    check_fds();
}

static int dir_scenario(struct sweep_run *run)
{
    run->loop.backend = strio_poll_backend(&io.poll);
    cr_assert_eq(STRIO_WORKERS_SETUP(pool, &run->loop), 0);
    strio_dir_init(&dit, &pool.workers, dirbuf, sizeof dirbuf);
    memset(&ctx, 0, sizeof ctx);
    ctx.size = NFILES;
    struct ft_iterate_frame fr;
    strio_task t;
    ft_iterate_start(&fr, &ctx, &dit, dpath, &run->target);
    strio_task_init(&t, ft_iterate_resume, &fr, &fr.strio_ret);
    int rc = strio_loop_run(&run->loop, &t);
    strio_workers_close(&pool.workers);
    sweep_abandoned += pool.workers.abandoned;
    return rc;
}

static void dir_check(struct sweep_run *run)
{
    check_ctx(&ctx);
    cr_assert_eq(count_fds(), sweep_fds, "k=%lu: fd leaked", run->k);
}

Test(paths, cancellation_sweep_directory_iterator)
{
    make_files();
    strio_workers_close(&pool.workers);
    sweep_fds = count_fds();
    sweep_abandoned = 0;
    struct sweep s = { .name = "directory iterator", .scenario = dir_scenario,
                       .check = dir_check };
    unsigned long runs = sweep_cancellation(&s);
    cr_assert_gt(runs, NFILES, "%lu runs", runs);
    cr_assert_gt(sweep_abandoned, 0, "no job was abandoned");
    cr_log_info("%s sweep: %lu runs, %lu jobs abandoned", s.name, runs,
                sweep_abandoned);
    cr_assert_eq(STRIO_WORKERS_SETUP(pool, &loop), 0);
    check_fds();
}

/* ---- cancellation sweeps --------------------------------------------------- */

static unsigned char content[1000];
static STRIO_FILE(f64, 64);
static STRIO_FS(fs64, 64);
static int sweep_pipe;

static int file_scenario(struct sweep_run *run)
{
    run->loop.backend = strio_poll_backend(&io.poll);
    cr_assert_eq(STRIO_WORKERS_SETUP(pool, &run->loop), 0);
    STRIO_FILE_SETUP(f64, &pool.workers);
    memset(&ctx, 0, sizeof ctx);
    ctx.f = &f64.file;
    ctx.content = content;
    ctx.size = sizeof content;
    int fd;
    if (sweep_pipe) {
        int p[2];
        cr_assert_eq(pipe2(p, O_CLOEXEC), 0);
        cr_assert_eq(write(p[1], content, sizeof content),
                     (ssize_t)sizeof content);
        close(p[1]);
        fd = p[0];
    } else {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/content", dir);
        fd = open(p, O_RDONLY | O_CLOEXEC);
    }
    cr_assert_geq(fd, 0);
    cr_assert_eq(strio_file_wrap(&f64.file, fd, 1), 0);
    struct ft_sweep_read_frame fr;
    strio_task t;
    ft_sweep_read_start(&fr, &ctx, &run->target);
    strio_task_init(&t, ft_sweep_read_resume, &fr, &fr.strio_ret);
    int rc = strio_loop_run(&run->loop, &t);
    strio_workers_close(&pool.workers);
    sweep_abandoned += pool.workers.abandoned;
    return rc;
}

static void file_check(struct sweep_run *run)
{
    check_ctx(&ctx);
    cr_assert_eq(count_fds(), sweep_fds, "k=%lu: fd leaked", run->k);
    cr_assert(ctx.in_scope_rc == 0 || ctx.in_scope_rc == STRIO_ECANCELED,
              "k=%lu: %d", run->k, ctx.in_scope_rc);
    if (ctx.in_scope_rc == STRIO_ECANCELED && ctx.got > 0 &&
        ctx.got < ctx.size)
        sweep_cancelled_mid++;
}

static void sweep_files(int use_pipe)
{
    for (size_t i = 0; i < sizeof content; i++)
        content[i] = (unsigned char)(i * 31 + 7);
    write_file("content", content, sizeof content);
    /* the fixture's pool is set up on another loop: the sweep's runs set
     * it up afresh on theirs */
    strio_workers_close(&pool.workers);
    sweep_pipe = use_pipe;
    sweep_fds = count_fds();
    sweep_cancelled_mid = 0;
    sweep_abandoned = 0;
    struct sweep s = {
        .name = use_pipe ? "pipe read_into" : "file read_into",
        .scenario = file_scenario,
        .check = file_check,
    };
    unsigned long runs = sweep_cancellation(&s);
    cr_assert_gt(runs, 16, "%lu runs", runs);
    cr_assert_gt(sweep_cancelled_mid, 0, "no run was cut mid-read");
    cr_assert_gt(sweep_abandoned, 0, "no job was abandoned");
    cr_log_info("%s sweep: %lu runs, %lu jobs abandoned", s.name, runs,
                sweep_abandoned);
    cr_assert_eq(STRIO_WORKERS_SETUP(pool, &loop), 0);   /* for teardown */
}

Test(files, cancellation_sweep_read)
{
    sweep_files(0);
    check_fds();
}

Test(files, cancellation_sweep_pipe_read)
{
    sweep_files(1);
    check_fds();
}

static char sweep_path[PATH_MAX];
static int sweep_kind;              /* 0 lines, 1 write */

static int io_scenario(struct sweep_run *run)
{
    run->loop.backend = strio_poll_backend(&io.poll);
    cr_assert_eq(STRIO_WORKERS_SETUP(pool, &run->loop), 0);
    STRIO_FILE_SETUP(f64, &pool.workers);
    memset(&ctx, 0, sizeof ctx);
    ctx.f = &f64.file;
    ctx.content = content;
    ctx.size = sizeof content;
    strio_task t;
    int rc;
    if (sweep_kind == 0) {
        struct ft_sweep_lines_frame fr;
        ft_sweep_lines_start(&fr, &ctx, sweep_path, &run->target);
        strio_task_init(&t, ft_sweep_lines_resume, &fr, &fr.strio_ret);
        rc = strio_loop_run(&run->loop, &t);
    } else {
        int fd = open(sweep_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
                      0644);
        cr_assert_geq(fd, 0);
        cr_assert_eq(strio_file_wrap(&f64.file, fd, 1), 0);
        struct ft_sweep_write_frame fr;
        ft_sweep_write_start(&fr, &ctx, &run->target);
        strio_task_init(&t, ft_sweep_write_resume, &fr, &fr.strio_ret);
        rc = strio_loop_run(&run->loop, &t);
    }
    strio_workers_close(&pool.workers);
    sweep_abandoned += pool.workers.abandoned;
    return rc;
}

static void io_check(struct sweep_run *run)
{
    check_ctx(&ctx);
    cr_assert_eq(count_fds(), sweep_fds, "k=%lu: fd leaked", run->k);
    cr_assert(ctx.in_scope_rc >= 0 || ctx.in_scope_rc == STRIO_ECANCELED,
              "k=%lu: %d", run->k, ctx.in_scope_rc);
    if (ctx.in_scope_rc == STRIO_ECANCELED && ctx.got > 0)
        sweep_cancelled_mid++;
}

static void sweep_io(int kind, const char *name)
{
    /* lines of 1..30 bytes (the reader holds 32) */
    size_t at = 0;
    for (int i = 0; at < sizeof content; i++) {
        size_t len = 1 + (size_t)(i * 7) % 30;
        for (size_t k = 0; k + 1 < len && at < sizeof content; k++)
            content[at++] = (unsigned char)('a' + (i + k) % 26);
        if (at < sizeof content)
            content[at++] = '\n';
    }
    write_file("content", content, sizeof content);
    snprintf(sweep_path, sizeof sweep_path, "%s/%s", dir,
             kind == 0 ? "content" : "written");
    strio_workers_close(&pool.workers);
    sweep_kind = kind;
    sweep_fds = count_fds();
    sweep_cancelled_mid = 0;
    sweep_abandoned = 0;
    struct sweep s = { .name = name, .scenario = io_scenario,
                       .check = io_check };
    unsigned long runs = sweep_cancellation(&s);
    cr_assert_gt(runs, 16, "%lu runs", runs);
    cr_assert_gt(sweep_cancelled_mid, 0, "no run was cut midway");
    cr_assert_gt(sweep_abandoned, 0, "no job was abandoned");
    cr_log_info("%s sweep: %lu runs, %lu jobs abandoned", name, runs,
                sweep_abandoned);
    cr_assert_eq(STRIO_WORKERS_SETUP(pool, &loop), 0);
}

Test(files, cancellation_sweep_open_and_lines)
{
    sweep_io(0, "open + read_line");
    check_fds();
}

Test(files, cancellation_sweep_write)
{
    sweep_io(1, "write");
    check_fds();
}

static int path_scenario(struct sweep_run *run)
{
    run->loop.backend = strio_poll_backend(&io.poll);
    cr_assert_eq(STRIO_WORKERS_SETUP(pool, &run->loop), 0);
    STRIO_FS_SETUP(fs64, &pool.workers);
    memset(&ctx, 0, sizeof ctx);
    ctx.fs = &fs64.fs;
    ctx.dir = dir;
    ctx.content = content;
    ctx.size = sizeof content;
    write_file("target", "old", 3);
    struct ft_sweep_path_frame fr;
    strio_task t;
    ft_sweep_path_start(&fr, &ctx, &run->target);
    strio_task_init(&t, ft_sweep_path_resume, &fr, &fr.strio_ret);
    int rc = strio_loop_run(&run->loop, &t);
    strio_workers_close(&pool.workers);
    sweep_abandoned += pool.workers.abandoned;
    return rc;
}

static void path_check(struct sweep_run *run)
{
    check_ctx(&ctx);
    cr_assert_eq(count_fds(), sweep_fds, "k=%lu: fd leaked", run->k);
    cr_assert_eq(ctx.count, 1, "k=%lu: %zu entries (temporary left?)",
                 run->k, ctx.count);
    int old = ctx.got == 3 && memcmp(ctx.out, "old", 3) == 0;
    int new = ctx.got == sizeof content &&
              memcmp(ctx.out, content, sizeof content) == 0;
    cr_assert(old || new, "k=%lu: target is neither old nor new (%zu bytes)",
              run->k, ctx.got);
    if (!run->cancelled)
        cr_assert(new && ctx.in_scope_rc == 0);
    if (old)
        sweep_cancelled_mid++;
}

Test(paths, cancellation_sweep_atomic_write)
{
    for (size_t i = 0; i < sizeof content; i++)
        content[i] = (unsigned char)(i * 13 + 5);
    strio_workers_close(&pool.workers);
    sweep_fds = count_fds();
    sweep_cancelled_mid = 0;
    sweep_abandoned = 0;
    struct sweep s = {
        .name = "atomic write_file",
        .scenario = path_scenario,
        .check = path_check,
    };
    unsigned long runs = sweep_cancellation(&s);
    cr_assert_gt(runs, 16, "%lu runs", runs);
    cr_assert_gt(sweep_cancelled_mid, 0, "no run kept the old content");
    cr_assert_gt(sweep_abandoned, 0, "no job was abandoned");
    cr_log_info("%s sweep: %lu runs, %lu jobs abandoned", s.name, runs,
                sweep_abandoned);
    cr_assert_eq(STRIO_WORKERS_SETUP(pool, &loop), 0);
    check_fds();
}
