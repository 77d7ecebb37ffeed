/*
 * Subprocesses, the synchronous part (see strio/process.h): spawning with
 * posix_spawn, pidfd_open, reaping and decoding the status, kill. The
 * async calls are in process_impl.sc. Hosted only.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <strio/process.h>

extern char **environ;

/* Private, used by process_impl.sc. */
int strio_process__reap(strio_process *p);
void strio_process__runner_options(strio_process_runner *r,
                                   const strio_process_options *opt);

static void reset(strio_process *p)
{
    p->pid = -1;
    p->pidfd = -1;
    p->reaped = 0;
    p->waiting = 0;
    p->status = 0;
    p->exit_code = -1;
    p->term_signal = 0;
    p->kill_grace = STRIO_PROCESS_DEFAULT_GRACE;
    strio_pipe_stream_init(&p->stdin_pipe, -1, 1);
    strio_pipe_stream_init(&p->stdout_pipe, -1, 0);
    strio_pipe_stream_init(&p->stderr_pipe, -1, 0);
}

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

/* Moves a new close-on-exec fd above the stdio range, so that the child's
 * dup2s onto 0, 1, 2 never overwrite a source still to be used (the
 * parent may run with a std fd closed). */
static int above_stdio(int *fd)
{
    if (*fd > 2)
        return 0;
    int n = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
    if (n < 0)
        return -errno;
    close(*fd);
    *fd = n;
    return 0;
}

static int pidfd_open_(pid_t pid)
{
#ifdef SYS_pidfd_open
    long fd = syscall(SYS_pidfd_open, pid, 0);   /* close-on-exec */
    return fd < 0 ? -errno : (int)fd;
#else
    (void)pid;
    return -ENOSYS;
#endif
}

int strio_process_spawn(strio_process *p, const char *const argv[],
                        const strio_process_options *opt)
{
    static const strio_process_options defaults;
    /* parent[i]: our end of pipe i; child[i]: the fd the child gets as i
     * (-1: inherit); owned[i]: child[i] is ours to close afterwards */
    int parent[3] = { -1, -1, -1 }, child[3] = { -1, -1, -1 };
    int owned[3] = { 0, 0, 0 };
    int devnull = -1, rc = 0;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    pid_t pid = -1;

    reset(p);
    if (opt == NULL)
        opt = &defaults;
    if (argv == NULL || argv[0] == NULL || argv[0][0] == '\0')
        return -EINVAL;
    if (opt->kill_grace != 0)
        p->kill_grace = opt->kill_grace;
    for (int i = 0; i < 3; i++) {
        int mode = opt->stdio[i];
        if (mode > STRIO_STDIO_STDOUT ||
            (mode == STRIO_STDIO_STDOUT && i != 2) ||
            (mode == STRIO_STDIO_FD && opt->fd[i] < 0))
            return -EINVAL;
    }

    for (int i = 0; i < 3 && rc == 0; i++) {
        switch (opt->stdio[i]) {
        case STRIO_STDIO_PIPE: {
            int fd[2];
            if (pipe2(fd, O_CLOEXEC) < 0) {
                rc = -errno;
                break;
            }
            /* stdin: the child reads fd[0]; stdout/stderr: it writes fd[1] */
            parent[i] = i == 0 ? fd[1] : fd[0];
            child[i] = i == 0 ? fd[0] : fd[1];
            owned[i] = 1;
            rc = above_stdio(&child[i]);
            if (rc == 0)
                rc = above_stdio(&parent[i]);
            if (rc == 0) {
                /* only our end is non-blocking: a pipe's two ends are
                 * separate open file descriptions */
                int fl = fcntl(parent[i], F_GETFL);
                if (fl < 0 || fcntl(parent[i], F_SETFL, fl | O_NONBLOCK) < 0)
                    rc = -errno;
            }
            break;
        }
        case STRIO_STDIO_DEVNULL:
            if (devnull < 0) {
                devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
                if (devnull < 0) {
                    rc = -errno;
                    break;
                }
                rc = above_stdio(&devnull);
            }
            child[i] = devnull;
            break;
        case STRIO_STDIO_FD:
            if (opt->fd[i] <= 2 && opt->fd[i] != i) {
                /* a copy above the stdio range (see above_stdio) */
                child[i] = fcntl(opt->fd[i], F_DUPFD_CLOEXEC, 3);
                if (child[i] < 0)
                    rc = -errno;
                owned[i] = 1;
            } else {
                child[i] = opt->fd[i];
            }
            break;
        default:
            break;
        }
    }

    if (rc == 0) {
        rc = -posix_spawn_file_actions_init(&fa);
        if (rc == 0) {
            for (int i = 0; i < 3 && rc == 0; i++) {
                if (opt->stdio[i] == STRIO_STDIO_STDOUT)
                    rc = -posix_spawn_file_actions_adddup2(&fa, 1, 2);
                else if (child[i] >= 0)
                    /* dup2 onto the same number clears FD_CLOEXEC too
                     * (glibc >= 2.29, POSIX.1-2024) */
                    rc = -posix_spawn_file_actions_adddup2(&fa, child[i], i);
            }
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
            /* and nothing else: fds of the application or of libraries
             * that forgot close-on-exec stay out of the child (close_range
             * in the child; Python's close_fds) */
            if (rc == 0)
                rc = -posix_spawn_file_actions_addclosefrom_np(&fa, 3);
#endif
            if (rc == 0 && opt->cwd != NULL)
                rc = -posix_spawn_file_actions_addchdir_np(&fa, opt->cwd);
            if (rc == 0)
                rc = -posix_spawnattr_init(&attr);
            if (rc == 0) {
                sigset_t none, all;
                sigemptyset(&none);
                sigfillset(&all);
                sigdelset(&all, SIGKILL);
                sigdelset(&all, SIGSTOP);
                rc = -posix_spawnattr_setsigmask(&attr, &none);
                if (rc == 0)
                    rc = -posix_spawnattr_setsigdefault(&attr, &all);
                if (rc == 0)
                    rc = -posix_spawnattr_setflags(
                        &attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
                if (rc == 0) {
                    char *const *env = opt->env != NULL ? opt->env : environ;
                    char *const *args = (char *const *)(void *)argv;
                    if (strchr(argv[0], '/') != NULL)
                        rc = -posix_spawn(&pid, argv[0], &fa, &attr, args,
                                          env);
                    else
                        rc = -posix_spawnp(&pid, argv[0], &fa, &attr, args,
                                           env);
                }
                posix_spawnattr_destroy(&attr);
            }
            posix_spawn_file_actions_destroy(&fa);
        }
    }

    /* the child has its copies now (or failed) */
    for (int i = 0; i < 3; i++)
        if (owned[i])
            close_fd(&child[i]);
    close_fd(&devnull);
    if (rc < 0) {
        for (int i = 0; i < 3; i++)
            close_fd(&parent[i]);
        return rc;
    }

    p->pid = pid;
    if (!(opt->flags & STRIO_PROCESS_NO_PIDFD)) {
        int fd = pidfd_open_(pid);
        /* no pidfd (old kernel, or seccomp): the polling fallback */
        p->pidfd = fd >= 0 ? fd : -1;
    }
    /* the parent ends are non-blocking and close-on-exec already */
    strio_pipe_stream_init(&p->stdin_pipe, parent[0], 1);
    strio_pipe_stream_init(&p->stdout_pipe, parent[1], 0);
    strio_pipe_stream_init(&p->stderr_pipe, parent[2], 0);
    return 0;
}

static void decode(strio_process *p, int status)
{
    p->status = status;
    p->reaped = 1;
    if (WIFEXITED(status)) {
        p->exit_code = WEXITSTATUS(status);
        p->term_signal = 0;
    } else if (WIFSIGNALED(status)) {
        p->exit_code = -1;
        p->term_signal = WTERMSIG(status);
    }
}

/* 1: reaped (now or before), 0: running, -ECHILD (or other -errno). */
int strio_process__reap(strio_process *p)
{
    if (p->reaped)
        return 1;
    if (p->pid <= 0)
        return -ECHILD;
    int status;
    pid_t r;
    do
        r = waitpid(p->pid, &status, WNOHANG);
    while (r < 0 && errno == EINTR);
    if (r == 0)
        return 0;
    if (r < 0) {
        /* someone else reaped it: it is gone all the same */
        int e = errno;
        p->reaped = 1;
        p->exit_code = -1;
        close_fd(&p->pidfd);
        return -e;
    }
    decode(p, status);
    close_fd(&p->pidfd);
    return 1;
}

int strio_process_poll(strio_process *p)
{
    return strio_process__reap(p);
}

int strio_process_kill(strio_process *p, int sig)
{
    if (p->reaped || p->pid <= 0)
        return -ESRCH;
    return kill(p->pid, sig) < 0 ? -errno : 0;
}

void strio_process_runner_init(strio_process_runner *r)
{
    memset(r, 0, sizeof *r);
    reset(&r->proc);
}

void strio_process__runner_options(strio_process_runner *r,
                                   const strio_process_options *opt)
{
    if (opt != NULL)
        r->opts = *opt;
    else
        memset(&r->opts, 0, sizeof r->opts);
    if (r->input != NULL)
        r->opts.stdio[0] = STRIO_STDIO_PIPE;
    if (r->out != NULL)
        r->opts.stdio[1] = STRIO_STDIO_PIPE;
    if (r->err != NULL)
        r->opts.stdio[2] = STRIO_STDIO_PIPE;
}
