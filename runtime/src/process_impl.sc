/*
 * Subprocesses, the async part (see strio/process.h), in the dialect:
 * waiting for the exit (pidfd or polling), terminating on cancellation,
 * and the run-to-completion helper. Spawning and reaping are in
 * process.c. This file's generated header carries the frames
 * strio/process.h embeds; static helpers are named strio_process__*
 * because their frame tags are public.
 */
#include <errno.h>
#include <signal.h>

#include <strio/posix.h>
#include <strio/process.h>
#include <strio/sleep.h>
#include <strio/socket.h>

/* Private, in process.c. */
int strio_process__reap(strio_process *p);
void strio_process__runner_options(strio_process_runner *r,
                                   const strio_process_options *opt);

/* Waits until the process is reaped: 0, STRIO_ECANCELED, or an error. */
static async int strio_process__wait_exit(strio_process *p)
{
    strio_time delay = STRIO_MS(1);
    int suspended = 0, rc;
    if (strio_task_cancelled(STRIO_SELF))
        return STRIO_ECANCELED;
    for (;;) {
        rc = strio_process__reap(p);
        if (rc != 0)
            break;
        suspended = 1;
        if (p->pidfd >= 0) {
            /* readable once the process exited */
            rc = await strio_wait_readable(p->pidfd);
        } else {
            rc = await strio_sleep(delay);
            if (delay < STRIO_MS(50))
                delay *= 2;
        }
        /* -EBADF: strio_process_poll reaped it and closed the pidfd */
        if (rc < 0 && !p->reaped)
            return rc;
    }
    if (rc > 0 && !suspended)
        await strio_socket_yield();     /* completed: shielded checkpoint */
    return rc > 0 ? 0 : rc;
}

/* SIGTERM, grace, SIGKILL, reap; shielded from cancellation. */
static async int strio_process__terminate(strio_process *p)
{
    strio_cancel_scope shield, grace;
    int rc = 0;
    strio_scope_enter(STRIO_SELF, &shield);
    strio_scope_shield(&shield, 1);
    if (!p->reaped && p->pid > 0) {
        if (p->kill_grace >= 0) {
            strio_process_kill(p, SIGTERM);
            strio_move_on_after(STRIO_SELF, &grace, p->kill_grace);
            rc = await strio_process__wait_exit(p);
            rc = strio_scope_exit(&grace, rc);
        }
        if (!p->reaped && rc == 0) {
            strio_process_kill(p, SIGKILL);
            rc = await strio_process__wait_exit(p);
        }
    }
    return strio_scope_exit(&shield, rc);
}

async int strio_process_wait(strio_process *p)
{
    int rc;
    if (p->waiting)
        return STRIO_EBUSY;
    if (p->reaped)
        return await strio_checkpoint();
    if (p->pid <= 0)
        return -ECHILD;
    p->waiting = 1;
    rc = await strio_process__wait_exit(p);
    if (rc == STRIO_ECANCELED) {
        await strio_process__terminate(p);
        rc = STRIO_ECANCELED;
    }
    p->waiting = 0;
    return rc;
}

async int strio_process_aclose(strio_process *p)
{
    int rc = 0;
    strio_pipe_stream_close_now(&p->stdin_pipe);
    strio_pipe_stream_close_now(&p->stdout_pipe);
    strio_pipe_stream_close_now(&p->stderr_pipe);
    if (p->waiting)
        return STRIO_EBUSY;
    if (!p->reaped && p->pid > 0) {
        p->waiting = 1;
        rc = await strio_process__terminate(p);
        p->waiting = 0;
    } else {
        await strio_socket_yield();
    }
    return rc;
}

/* ---- run to completion ------------------------------------------------- */

/* Reads `from` into buf[*len..cap) until end of stream; one byte more than
 * fits is -EMSGSIZE. */
static async int strio_process__drain(strio_pipe_stream *from, char *buf,
                                      size_t cap, size_t *len)
{
    long n;
    char extra;
    for (;;) {
        if (*len == cap) {
            n = await strio_receive_some(&from->base, &extra, 1);
            return n > 0 ? -EMSGSIZE : (int)n;
        }
        n = await strio_receive_some(&from->base, buf + *len, cap - *len);
        if (n <= 0)
            return (int)n;
        *len += (size_t)n;
    }
}

/* One pump task of strio_run_process: 0 feeds stdin, 1 and 2 drain. */
async int strio_process__pump(strio_process_runner *r, int which)
{
    int rc, rc2;
    if (which == 0) {
        rc = await strio_send_all(&r->proc.stdin_pipe.base, r->input,
                                  r->input_len);
        /* a child that exits without reading its input is no failure */
        if (rc == STRIO_EBROKEN)
            rc = 0;
        rc2 = await strio_stream_close(&r->proc.stdin_pipe.base);
        return rc < 0 ? rc : rc2;
    }
    if (which == 1)
        return await strio_process__drain(&r->proc.stdout_pipe, r->out,
                                          r->out_cap, &r->out_len);
    return await strio_process__drain(&r->proc.stderr_pipe, r->err,
                                      r->err_cap, &r->err_len);
}

async int strio_run_process(strio_process_runner *r, const char *const *argv,
                            const strio_process_options *opt)
{
    strio_nursery n;
    struct strio_process__pump_frame *pump;
    int rc, rc2, i;
    r->out_len = r->err_len = 0;
    if (strio_task_cancelled(STRIO_SELF))
        return STRIO_ECANCELED;
    strio_process__runner_options(r, opt);
    rc = strio_process_spawn(&r->proc, argv, &r->opts);
    if (rc < 0) {
        await strio_socket_yield();
        return rc;
    }
    STRIO_POOL_SETUP(r->pumps);
    strio_nursery_open(STRIO_SELF, &n);
    for (i = 0; i < 3; i++) {
        if (r->opts.stdio[i] != STRIO_STDIO_PIPE)
            continue;
        pump = strio_pool_try_get(&r->pumps.pool);
        strio_process__pump_start(pump, r, i);
        strio_nursery_start(&n, &r->pumps.pool, pump,
                            strio_process__pump_resume, &pump->strio_ret);
    }
    rc = await strio_process_wait(&r->proc);
    rc = await strio_nursery_close(&n, rc);
    rc2 = await strio_process_aclose(&r->proc);
    if (rc == 0)
        rc = rc2;
    if (rc == 0 && r->check &&
        (r->proc.exit_code != 0 || r->proc.term_signal != 0))
        rc = STRIO_EEXIT;
    return rc;
}
