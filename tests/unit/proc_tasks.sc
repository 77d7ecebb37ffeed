/*
 * Async code for test_process.c and test_signal.c: subprocesses, pipe
 * streams, signal receivers. Prefix pr_ (processes) and sg_ (signals).
 */
#define _GNU_SOURCE 1                   /* sigset_t (strio/signal.h) */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/conformance.h>
#include <strio/pipe.h>
#include <strio/posix.h>
#include <strio/process.h>
#include <strio/signal.h>

/* ---- processes --------------------------------------------------------------- */

/* Reads `s` until end of stream (or error) into buf[0..cap); the count in
 * *len. Returns 0 at EOF, -EMSGSIZE if it does not fit, or the error. */
async int pr_read_all(strio_stream *s, char *buf, size_t cap, size_t *len)
{
    long n;
    *len = 0;
    for (;;) {
        if (*len == cap)
            return -EMSGSIZE;
        n = await strio_receive_some(s, buf + *len, cap - *len);
        if (n <= 0)
            return (int)n;
        *len += (size_t)n;
    }
}

/* Spawn argv with stdout piped, read it all, wait. */
async int pr_spawn_read_wait(strio_process *p, const char *const *argv,
                             strio_process_options *o, char *buf, size_t cap,
                             size_t *len)
{
    int rc = strio_process_spawn(p, argv, o);
    if (rc < 0)
        return rc;
    rc = await pr_read_all(&p->stdout_pipe.base, buf, cap, len);
    int rc2 = await strio_process_wait(p);
    int rc3 = await strio_process_aclose(p);
    return rc < 0 ? rc : rc2 < 0 ? rc2 : rc3;
}

/* The child's stdin and stdout stapled into one stream: send `data`,
 * send_eof, read everything back (through `cat`). */
async int pr_stapled_cat(strio_process *p, const char *const *argv,
                         const char *data, size_t n, char *buf, size_t cap,
                         size_t *len)
{
    strio_stapled_stream st;
    strio_process_options o;
    int rc, rc2;
    memset(&o, 0, sizeof o);
    o.stdio[0] = STRIO_STDIO_PIPE;
    o.stdio[1] = STRIO_STDIO_PIPE;
    rc = strio_process_spawn(p, argv, &o);
    if (rc < 0)
        return rc;
    strio_stapled_stream_init(&st, &p->stdin_pipe.base, &p->stdout_pipe.base);
    rc = await strio_send_all(&st.base, data, n);
    if (rc == 0)
        rc = await strio_send_eof(&st.base);
    if (rc == 0)
        rc = await pr_read_all(&st.base, buf, cap, len);
    rc2 = await strio_stream_close(&st.base);
    if (rc == 0)
        rc = rc2;
    rc2 = await strio_process_wait(p);
    return rc < 0 ? rc : rc2;
}

/* A child of pr_read_both: drains one pipe. */
async int pr_drain_child(strio_stream *s, char *buf, size_t cap, size_t *len)
{
    return await pr_read_all(s, buf, cap, len);
}

STRIO_POOL(pr_drainers, struct pr_drain_child_frame, 2);

/* Reads stdout and stderr of p concurrently (two children of a nursery)
 * while the body waits for the exit. */
async int pr_read_both(strio_process *p, char *out, size_t ocap,
                       size_t *olen, char *err, size_t ecap, size_t *elen)
{
    strio_nursery n;
    struct pr_drain_child_frame *c;
    int rc;
    STRIO_POOL_SETUP(pr_drainers);
    strio_nursery_open(STRIO_SELF, &n);
    c = strio_pool_try_get(&pr_drainers.pool);
    pr_drain_child_start(c, &p->stdout_pipe.base, out, ocap, olen);
    strio_nursery_start(&n, &pr_drainers.pool, c, pr_drain_child_resume,
                        &c->strio_ret);
    c = strio_pool_try_get(&pr_drainers.pool);
    pr_drain_child_start(c, &p->stderr_pipe.base, err, ecap, elen);
    strio_nursery_start(&n, &pr_drainers.pool, c, pr_drain_child_resume,
                        &c->strio_ret);
    rc = await strio_process_wait(p);
    rc = await strio_nursery_close(&n, rc);
    int rc2 = await strio_process_aclose(p);
    return rc < 0 ? rc : rc2;
}

async int pr_run(strio_process_runner *r, const char *const *argv,
                 const strio_process_options *o)
{
    return await strio_run_process(r, argv, o);
}

/* Waits for p inside a scope that moves on after `timeout`, after reading
 * one line ("ready") from its stdout if `ready` is set. The scope's
 * result in *caught. */
async int pr_wait_timeout(strio_process *p, strio_time timeout, int ready,
                          int *caught)
{
    strio_cancel_scope sc;
    char buf[16];
    long n;
    int rc;
    if (ready) {
        n = await strio_receive_some(&p->stdout_pipe.base, buf, sizeof buf);
        if (n <= 0)
            return n < 0 ? (int)n : -EIO;
    }
    strio_move_on_after(STRIO_SELF, &sc, timeout);
    rc = await strio_process_wait(p);
    *caught = rc;
    rc = strio_scope_exit(&sc, rc);
    await strio_process_aclose(p);
    return rc;
}

async int pr_aclose(strio_process *p)
{
    return await strio_process_aclose(p);
}

/* `count` spawn/wait cycles of argv; stops at the first error. */
async int pr_cycles(const char *const *argv, int count, int *failed_exit)
{
    strio_process p;
    strio_process_options o;
    int i, rc;
    memset(&o, 0, sizeof o);
    *failed_exit = 0;
    for (i = 0; i < count; i++) {
        rc = strio_process_spawn(&p, argv, &o);
        if (rc < 0)
            return rc;
        rc = await strio_process_wait(&p);
        if (rc < 0)
            return rc;
        if (p.exit_code != 0)
            (*failed_exit)++;
    }
    return 0;
}

/* Writes to a pipe whose reader is closed: STRIO_EBROKEN, no SIGPIPE. */
async int pr_broken_pipe(strio_pipe_stream *w, strio_pipe_stream *r)
{
    int rc = await strio_stream_close(&r->base);
    if (rc < 0)
        return rc;
    return await strio_send_all(&w->base, "x", 1);
}

async int pr_conformance(strio_conformance *cf, const strio_stream_factory *f)
{
    return await strio_check_one_way_stream(cf, f);
}

/* ---- sweep scenarios (see sweep.h) ------------------------------------------- */

struct pr_sweep {
    strio_process_runner r;
    const char *const *argv;
    int rc;
    int exit_rc;
};

async int pr_sweep_run(strio_cancel_scope **target, struct pr_sweep *w)
{
    strio_cancel_scope sc;
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    w->rc = await strio_run_process(&w->r, w->argv, NULL);
    *target = NULL;
    w->exit_rc = strio_scope_exit(&sc, w->rc);
    return 0;
}

async int pr_sweep_wait(strio_cancel_scope **target, struct pr_sweep *w)
{
    strio_cancel_scope sc;
    strio_process_options o;
    memset(&o, 0, sizeof o);
    w->rc = strio_process_spawn(&w->r.proc, w->argv, &o);
    if (w->rc < 0)
        return w->rc;
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    w->rc = await strio_process_wait(&w->r.proc);
    *target = NULL;
    w->exit_rc = strio_scope_exit(&sc, w->rc);
    return 0;
}

/* ---- signals ------------------------------------------------------------------- */

async int sg_receive(strio_signal_receiver *r, sigset_t *out)
{
    return await strio_signal_receive(r, out);
}

/* Receives within `timeout` (0 if none arrived: *n stays 0). */
async int sg_receive_timeout(strio_signal_receiver *r, sigset_t *out,
                             strio_time timeout, int *n)
{
    strio_cancel_scope sc;
    int rc;
    *n = 0;
    strio_move_on_after(STRIO_SELF, &sc, timeout);
    rc = await strio_signal_receive(r, out);
    if (rc > 0)
        *n = rc;
    return strio_scope_exit(&sc, rc < 0 ? rc : 0);
}

/* A child of sg_close_wakes: sleeps, then closes the receiver. */
async int sg_closer(strio_signal_receiver *r, strio_time delay)
{
    int rc = await strio_sleep(delay);
    strio_signal_receiver_close(r);
    return rc;
}

/* A child that sleeps, then raises `sig` in this thread. */
async int sg_raiser(int sig, strio_time delay)
{
    int rc = await strio_sleep(delay);
    raise(sig);
    return rc;
}

STRIO_POOL(sg_closers, struct sg_closer_frame, 1);
STRIO_POOL(sg_raisers, struct sg_raiser_frame, 1);

/* A receive pending while another task closes the receiver. */
async int sg_close_wakes(strio_signal_receiver *r, sigset_t *out, int *got)
{
    strio_nursery n;
    struct sg_closer_frame *c;
    STRIO_POOL_SETUP(sg_closers);
    strio_nursery_open(STRIO_SELF, &n);
    c = strio_pool_try_get(&sg_closers.pool);
    sg_closer_start(c, r, STRIO_MS(5));
    strio_nursery_start(&n, &sg_closers.pool, c, sg_closer_resume,
                        &c->strio_ret);
    *got = await strio_signal_receive(r, out);
    return await strio_nursery_close(&n, 0);
}

struct sg_sweep {
    strio_signal_receiver *r;
    sigset_t got;
    int sig;
    int rc;
    int exit_rc;
};

/* A receive (the target) while a child raises the signal after 10 ms. */
async int sg_sweep_receive(strio_cancel_scope **target, struct sg_sweep *w)
{
    strio_nursery n;
    strio_cancel_scope sc;
    struct sg_raiser_frame *c;
    STRIO_POOL_SETUP(sg_raisers);
    strio_nursery_open(STRIO_SELF, &n);
    c = strio_pool_try_get(&sg_raisers.pool);
    sg_raiser_start(c, w->sig, STRIO_MS(10));
    strio_nursery_start(&n, &sg_raisers.pool, c, sg_raiser_resume,
                        &c->strio_ret);
    strio_scope_enter(STRIO_SELF, &sc);
    *target = &sc;
    w->rc = await strio_signal_receive(w->r, &w->got);
    *target = NULL;
    w->exit_rc = strio_scope_exit(&sc, w->rc < 0 ? w->rc : 0);
    return await strio_nursery_close(&n, 0);
}
