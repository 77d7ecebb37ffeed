/*
 * strio/process.h -- subprocesses (Trio's Process / run_process), hosted
 * builds (POSIX; Linux is the reference). Needs a loop with the poll
 * backend (strio/posix.h).
 *
 *     strio_process p;
 *     strio_process_options o = { 0 };           // inherit everything
 *     o.stdio[1] = STRIO_STDIO_PIPE;             // stdout -> p.stdout_pipe
 *     const char *argv[] = { "ls", "-l", NULL };
 *     int rc = strio_process_spawn(&p, argv, &o);
 *     long n = await strio_receive_some(&p.stdout_pipe.base, buf, sizeof buf);
 *     rc = await strio_process_wait(&p);          // p.exit_code, p.term_signal
 *     rc = await strio_process_aclose(&p);        // pipes closed, reaped
 *
 * or, all in one, with output captured into caller buffers:
 *
 *     static strio_process_runner r;             // ~ 2.2 KiB (x86-64)
 *     strio_process_runner_init(&r);
 *     r.out = buf; r.out_cap = sizeof buf;       // stdout captured
 *     r.check = 1;                               // non-zero exit: STRIO_EEXIT
 *     rc = await strio_run_process(&r, argv, NULL);   // r.out_len bytes
 *
 * Spawning uses posix_spawn (glibc: clone(CLONE_VM|CLONE_VFORK), exec
 * errors are reported by its return value): a missing program gives
 * -ENOENT, one that is not executable -EACCES. argv[0] without '/' is
 * searched in PATH (of the parent's environment). The child starts with
 * an empty signal mask and every signal at its default action; it gets
 * only its three stdio fds: every fd strio creates is close-on-exec, and
 * on glibc >= 2.34 every other fd >= 3 is closed in the child as well
 * (posix_spawn_file_actions_addclosefrom_np), so even an fd the
 * application forgot to mark close-on-exec does not leak into it.
 *
 * Exit detection: a pidfd (pidfd_open, Linux >= 5.3) watched in the poll
 * backend. Where pidfd_open is not available (ENOSYS; or with
 * STRIO_PROCESS_NO_PIDFD) the fallback polls waitpid(WNOHANG) on the
 * loop's clock, backing off from 1 ms to 50 ms. Chosen over a SIGCHLD
 * handler (which would take SIGCHLD from the application and need global
 * state shared by every loop) and over waitpid on the worker pool (which
 * would hold a thread per child and make cancellation, which must kill and
 * reap, depend on a job that cannot be taken back): it needs nothing but
 * the loop, works with any number of children and loops, and costs at
 * most 50 ms of latency on kernels older than 5.3.
 *
 * Reaping: the process is reaped (waitpid) by strio_process_wait or
 * strio_process_aclose, nowhere else; until then its pid cannot be reused,
 * so signalling it is safe. The application must not reap strio's
 * children itself (waitpid(-1), SIGCHLD set to SIG_IGN): a wait then gives
 * -ECHILD. No zombies are left if every spawned process is waited for or
 * aclosed, which cancellation does for you (below).
 *
 * Threads: loop thread only. Objects must not move while in use.
 */
#ifndef STRIO_PROCESS_H
#define STRIO_PROCESS_H

#include <sys/types.h>

#include <strio/nursery.h>
#include <strio/pipe.h>
#include <strio/time.h>

typedef struct strio_process strio_process;
typedef struct strio_process_runner strio_process_runner;

/* What each of the child's stdin (0), stdout (1), stderr (2) is. */
enum {
    STRIO_STDIO_INHERIT = 0,    /* the parent's own fd (the default) */
    STRIO_STDIO_DEVNULL,        /* /dev/null */
    STRIO_STDIO_PIPE,           /* a pipe: p.stdin_pipe is its write end (a
                                   send stream), p.stdout_pipe /
                                   p.stderr_pipe the read ends (receive
                                   streams) */
    STRIO_STDIO_FD,             /* the fd in options.fd[i] (not taken over:
                                   the caller still closes it) */
    STRIO_STDIO_STDOUT          /* stderr only: wherever stdout goes */
};

/* Flags of strio_process_options. */
enum {
    STRIO_PROCESS_NO_PIDFD = 1  /* use the waitpid polling fallback even
                                   where pidfd_open exists (for tests) */
};

/* Default grace between SIGTERM and SIGKILL on cancellation. */
#define STRIO_PROCESS_DEFAULT_GRACE STRIO_SEC(5)

/* How to start a process. All-zero means: inherit environment, working
 * directory and stdio; default grace. */
typedef struct strio_process_options {
    char *const *env;           /* "NAME=value" list, NULL-terminated;
                                   NULL: the parent's environ */
    const char *cwd;            /* NULL: the parent's */
    unsigned char stdio[3];     /* STRIO_STDIO_* for fds 0, 1, 2 */
    int fd[3];                  /* for STRIO_STDIO_FD */
    strio_time kill_grace;      /* on cancellation: SIGTERM, this long
                                   for the exit, then SIGKILL. 0: the
                                   default (5 s); < 0: SIGKILL at once */
    unsigned flags;             /* STRIO_PROCESS_* */
} strio_process_options;

/* The operations' frames (generated from runtime/src/process_impl.sc). */
#include <strio/process_impl.h>

struct strio_process {
    pid_t pid;                  /* the child (kept after reaping, for
                                   messages); -1 if none was started */
    int pidfd;                  /* -1: none (fallback, or reaped) */
    unsigned char reaped;       /* exited and reaped: status below valid */
    unsigned char waiting;      /* private: a wait is in progress */
    int status;                 /* raw waitpid status */
    int exit_code;              /* exit status 0..255, or -1 if killed by a
                                   signal (or unknown: -ECHILD) */
    int term_signal;            /* the signal that killed it, else 0 */
    strio_time kill_grace;      /* see strio_process_options */
    strio_pipe_stream stdin_pipe;   /* send stream (STRIO_STDIO_PIPE), else
                                       a closed stream */
    strio_pipe_stream stdout_pipe;  /* receive streams, likewise */
    strio_pipe_stream stderr_pipe;
};

/*
 * Starts argv[0] with arguments argv (NULL-terminated) as described by
 * `opt` (NULL: all defaults) in `p` (overwritten). Not a checkpoint (a
 * posix_spawn is quick: vfork semantics). Returns 0, or
 *   -EINVAL       argv empty, a bad stdio mode, fd < 0 for STRIO_STDIO_FD;
 *   -ENOENT       the program (or the cwd) does not exist;
 *   -EACCES, -ENOEXEC, -E2BIG, ... from exec;
 *   -EMFILE, -ENFILE, -EAGAIN, -ENOMEM from pipe/open/spawn.
 * On error nothing is left: no child, no fd; `p` is a process that was
 * never started (its aclose works, wait gives -ECHILD).
 */
int strio_process_spawn(strio_process *p, const char *const argv[],
                        const strio_process_options *opt);

/*
 * Sends `sig` to the process. Returns 0, -ESRCH once reaped (or never
 * started), or -errno of kill. Not a checkpoint.
 */
int strio_process_kill(strio_process *p, int sig);

/*
 * Nonblocking check: reaps the process if it has exited. Returns 1 if it
 * is reaped (now or before; status fields valid), 0 if still running,
 * -ECHILD if it was never started or someone else reaped it. Not a
 * checkpoint.
 */
int strio_process_poll(strio_process *p);

/*
 * async int strio_process_wait(strio_process *p)
 *
 * Waits until the process exits and reaps it: p->exit_code and
 * p->term_signal tell how it ended. Returns 0 (whatever the exit status:
 * see strio_run_process's `check` for turning that into an error),
 * -ECHILD (never started, or reaped by someone else), STRIO_EBUSY
 * (another task waits for it), STRIO_ECANCELED. A checkpoint.
 *
 * Cancellation kills: a cancelled wait sends SIGTERM, waits up to
 * p->kill_grace for the exit, then sends SIGKILL, and reaps the process,
 * all shielded from the cancellation; then it returns STRIO_ECANCELED.
 * So a process never outlives the wait that was cancelled (Trio's
 * run_process behaviour), and no zombie is left; a wait started in an
 * already cancelled scope kills too (the process was not reaped yet). The grace is time on the
 * loop's clock (a virtual clock jumps over it when nothing else happens).
 */
STRIO_ASYNC_DECL(int strio_process_wait(strio_process *p))

/*
 * async int strio_process_aclose(strio_process *p)
 *
 * Closes the three pipe streams (pending operations on them return
 * STRIO_ECLOSED), then, if the process has not been reaped, terminates it
 * as a cancelled wait does (SIGTERM, grace, SIGKILL) and reaps it. Shielded:
 * always completes. Idempotent. Returns 0, or -ECHILD (someone else reaped
 * it). Call it on every spawned process you do not wait for.
 */
STRIO_ASYNC_DECL(int strio_process_aclose(strio_process *p))

/* ======================================================================== */
/* Run to completion                                                        */
/* ======================================================================== */

/*
 * Everything strio_run_process needs, caller-owned. Fill in after
 * strio_process_runner_init():
 *   input, input_len   bytes to write to the child's stdin, which is then
 *                      closed (input NULL: stdin as `opt` says; a child
 *                      that exits without reading them all is fine);
 *   out, out_cap       capture stdout into out[0..out_cap) (out NULL:
 *                      stdout as `opt` says); out_len tells how many;
 *   err, err_cap       the same for stderr;
 *   check              nonzero: an exit status other than 0, or death by a
 *                      signal, gives STRIO_EEXIT.
 * After the call `proc` holds the exit status (proc.exit_code,
 * proc.term_signal). A STRIO_STDIO_PIPE that `opt` asks for without a
 * buffer here gets EOF at once (stdin) or counts as a zero-byte buffer
 * (stdout, stderr: any output is -EMSGSIZE).
 */
struct strio_process_runner {
    const void *input;
    size_t input_len;
    char *out;
    size_t out_cap, out_len;
    char *err;
    size_t err_cap, err_len;
    int check;
    strio_process proc;
    /* private: the options actually used, the pump tasks */
    strio_process_options opts;
    STRIO_POOL(pumps, struct strio_process__pump_frame, 3);
};

/* Resets `r`: no input, nothing captured, no check. */
void strio_process_runner_init(strio_process_runner *r);

/*
 * async int strio_run_process(strio_process_runner *r,
 *                             const char *const *argv,
 *                             const strio_process_options *opt)
 *
 * Spawns argv (strio_process_spawn with `opt`, stdio overridden by r's
 * input/out/err), feeds the input, captures the output, waits for the
 * exit; the three pumps and the wait run concurrently (a nursery), so a
 * child filling both stdout and stderr never deadlocks. Returns 0, or
 *   spawn's errors (nothing was started);
 *   -EMSGSIZE     more output than out_cap (or err_cap) bytes: the buffer
 *                 holds the first cap bytes, the process is terminated
 *                 (SIGTERM, grace, SIGKILL) and reaped; nothing is ever
 *                 dropped silently;
 *   STRIO_EEXIT   `check` is set and the process failed (exit status in
 *                 r->proc);
 *   STRIO_EBROKEN, ... a pipe failed;
 *   STRIO_ECANCELED the process was terminated and reaped (as a cancelled
 *                 strio_process_wait).
 * Every pipe is closed and the process reaped when it returns, whatever
 * the outcome. It returns only once stdout and stderr reach end of stream:
 * a grandchild that inherited them keeps it waiting (as in Trio).
 */
STRIO_ASYNC_DECL(int strio_run_process(strio_process_runner *r, const char *const *argv, const strio_process_options *opt))

#endif
