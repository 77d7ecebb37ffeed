/*
 * Async code for test_listener.c: the generic listener calls
 * (strio/listener.h) on a socket listener over loopback. Children of a
 * nursery run "jobs" (ln_child), each inside its own cancel scope, with an
 * optional delay and timeout.
 */
#include <errno.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/listener.h>
#include <strio/posix.h>
#include <strio/socket.h>
#include <strio/socket_stream.h>

enum {
    LN_JOB_ACCEPT = 1,      /* generic accept on l into storage, out */
    LN_JOB_ECHO,            /* generic accept, echo until EOF, send EOF
                               back, close the accepted stream */
    LN_JOB_CLOSE,           /* generic close of l */
    LN_JOB_CLIENT           /* connect to port, send data, EOF, read the
                               echo back into buf, close */
};

struct ln_job {
    int kind;
    strio_listener *l;
    void *storage;
    strio_stream *out;
    unsigned port;
    const unsigned char *data;
    unsigned char *buf;
    size_t len;
    long count;             /* bytes moved */
    strio_time delay;       /* sleep first */
    strio_time timeout;     /* > 0: move on after this */
    strio_cancel_scope sc;
    int started, done;
    long result;
    int caught;             /* the job's scope caught a cancellation */
    unsigned long switches; /* suspensions of the task during the job */
};

async long ln_echo_once(struct ln_job *j)
{
    unsigned char buf[512];
    long n;
    int rc = await strio_listener_accept(j->l, j->storage, &j->out);
    if (rc < 0)
        return rc;
    for (int i = 0; i < 100000; i++) {
        n = await strio_receive_some(j->out, buf, sizeof buf);
        if (n <= 0) {
            rc = (int)n;
            break;
        }
        j->count += n;
        rc = await strio_send_all(j->out, buf, (size_t)n);
        if (rc < 0)
            break;
    }
    if (rc == 0)
        rc = await strio_send_eof(j->out);
    await strio_stream_close(j->out);
    return rc;
}

async long ln_client(struct ln_job *j)
{
    strio_socket s;
    strio_sockaddr a;
    strio_socket_stream st;
    long n;
    int rc = strio_socket_create(&s, AF_INET, SOCK_STREAM, 0);
    if (rc < 0)
        return rc;
    rc = strio_resolve_remote_address(&s, "127.0.0.1", j->port, &a);
    if (rc == 0)
        rc = await strio_socket_connect(&s, &a);
    if (rc < 0) {
        strio_socket_close(&s);
        return rc;
    }
    rc = strio_socket_stream_init(&st, &s);
    if (rc < 0)
        return rc;
    rc = await strio_send_all(&st.base, j->data, j->len);
    if (rc == 0)
        rc = await strio_send_eof(&st.base);
    for (int i = 0; i < 100000 && rc == 0; i++) {
        if ((size_t)j->count >= j->len) {
            unsigned char extra;
            n = await strio_receive_some(&st.base, &extra, 1);
        } else {
            n = await strio_receive_some(&st.base, j->buf + j->count,
                                         j->len - (size_t)j->count);
        }
        if (n <= 0) {
            rc = (int)n;
            break;
        }
        j->count += n;
    }
    await strio_stream_close(&st.base);
    return rc;
}

async long ln_do_job(struct ln_job *j)
{
    switch (j->kind) {
    case LN_JOB_ACCEPT:
        return await strio_listener_accept(j->l, j->storage, &j->out);
    case LN_JOB_ECHO:
        return await ln_echo_once(j);
    case LN_JOB_CLOSE:
        return await strio_listener_close(j->l);
    case LN_JOB_CLIENT:
        return await ln_client(j);
    default:
        return -EINVAL;
    }
}

/* One child: its own scope (deadline `timeout`), delay, job. Results are
 * in the job; returns 0 so no job failure cancels the siblings. */
async int ln_child(struct ln_job *j)
{
    long rc = 0;
    strio_scope_enter(STRIO_SELF, &j->sc);
    j->started = 1;
    if (j->timeout > 0)
        strio_scope_set_deadline(&j->sc,
                                 strio_task_now(STRIO_SELF) + j->timeout);
    if (j->delay > 0)
        rc = await strio_sleep(j->delay);
    unsigned long before = STRIO_SELF->switches;
    if (rc == 0)
        rc = await ln_do_job(j);
    j->switches = STRIO_SELF->switches - before;
    j->result = rc;
    strio_scope_exit(&j->sc, rc < -10000 ? (int)rc : 0);
    j->caught = j->sc.cancelled_caught;
    j->done = 1;
    return 0;
}

async int ln_spawn(strio_nursery *n, strio_pool *pool, struct ln_job *j)
{
    struct ln_child_frame *f;
    int rc = await strio_pool_get(pool, (void **)&f);
    if (rc < 0)
        return rc;
    j->started = j->done = 0;
    j->result = 12345;
    ln_child_start(f, j);
    return strio_nursery_start(n, pool, f, ln_child_resume, &f->strio_ret);
}

/* Runs jobs[0..n) concurrently and waits for all. */
async int ln_run_jobs(strio_pool *pool, struct ln_job *jobs, int n)
{
    strio_nursery nu;
    int rc = 0;
    strio_nursery_open(STRIO_SELF, &nu);
    for (int i = 0; i < n && rc == 0; i++)
        rc = await ln_spawn(&nu, pool, &jobs[i]);
    return await strio_nursery_close(&nu, rc);
}

/* Sequential calls after a close: r[0] second close, r[1] accept,
 * r[2] accept with NULL storage, r[3] first close. */
async int ln_after_close(strio_listener *l, void *storage, strio_stream **out,
                         int *r)
{
    r[3] = await strio_listener_close(l);
    r[0] = await strio_listener_close(l);
    r[1] = await strio_listener_accept(l, storage, out);
    r[2] = await strio_listener_accept(l, NULL, out);
    return 0;
}
