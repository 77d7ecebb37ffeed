/*
 * Tasks for test_sockdrain.c: a socket stream's receive after a short one
 * waits for readability before its recv() (runtime/src/
 * socket_stream_impl.sc). Prefix sd_.
 */
#include <string.h>

#include <strio/strio.h>
#include <strio/posix.h>
#include <strio/socket_stream.h>

struct sd_run {
    strio_socket_stream a, b;   /* a receives, b sends */
    int msgs;                   /* messages the sender sends... */
    int msg_len;                /* ...of this many bytes... */
    strio_time gap;             /* ...this long apart (sleep before each) */
    int close_a_after;          /* sender: close `a` after its messages
                                   instead of sending EOF */
    unsigned char got[256];
    long total;                 /* bytes received into got */
    long rc;                    /* the receive in the target scope */
    int exit_rc;
    long after;                 /* first receive result after the scope */
    int receives;               /* receive_some calls */
};

/* The sender: msgs messages (byte i of the stream is i & 0xff), then EOF
 * (or closes the receiving side, to test close during a wait). */
async int sd_sender(struct sd_run *r)
{
    unsigned char m[64];
    int rc = 0;
    for (int i = 0; i < r->msgs && rc == 0; i++) {
        for (int j = 0; j < r->msg_len; j++)
            m[j] = (unsigned char)(i * r->msg_len + j);
        if (r->gap > 0)
            rc = await strio_sleep(r->gap);
        if (rc == 0)
            rc = await strio_send_all(&r->b.base, m, (size_t)r->msg_len);
    }
    if (rc == 0 && r->close_a_after) {
        if (r->gap > 0)
            rc = await strio_sleep(r->gap);
        strio_socket_close(&r->a.sock);
        return rc;
    }
    if (rc == 0)
        rc = await strio_send_eof(&r->b.base);
    return rc;
}

/* Receives into r->got until end of stream or an error, 64 bytes at most
 * per call; returns the last result (0 at end of stream). */
async long sd_receive_all(struct sd_run *r)
{
    long n;
    for (;;) {
        r->receives++;
        n = await strio_receive_some(&r->a.base, r->got + r->total, 64);
        if (n <= 0)
            return n;
        r->total += n;
    }
}

async int sd_scenario_body(strio_cancel_scope **target, struct sd_run *r,
                           strio_pool *pool)
{
    strio_nursery nu;
    strio_cancel_scope sc;
    struct sd_sender_frame *f;
    int rc;
    strio_nursery_open(STRIO_SELF, &nu);
    rc = await strio_pool_get(pool, (void **)&f);
    if (rc == 0) {
        sd_sender_start(f, r);
        rc = strio_nursery_start(&nu, pool, f, sd_sender_resume,
                                 &f->strio_ret);
    }
    if (rc == 0) {
        strio_scope_enter(STRIO_SELF, &sc);
        *target = &sc;
        r->rc = await sd_receive_all(r);
        *target = NULL;
        r->exit_rc = strio_scope_exit(&sc, (int)r->rc);
        if (r->rc == STRIO_ECANCELED)
            r->after = await sd_receive_all(r);
        else
            r->after = r->rc;
    }
    return await strio_nursery_close(&nu, rc);
}

/* The sender as a child; receives in the target scope (the sweep cancels
 * it), then the rest outside it, so a test can check nothing was lost.
 * Everything fails with STRIO_ETIMEDOUT after 30 s of virtual time (the
 * test's bound: a lost wakeup must fail it, not hang it). */
async int sd_scenario(strio_cancel_scope **target, struct sd_run *r,
                      strio_pool *pool)
{
    strio_cancel_scope bound;
    strio_fail_after(STRIO_SELF, &bound, STRIO_SEC(30));
    int rc = await sd_scenario_body(target, r, pool);
    return strio_scope_exit(&bound, rc);
}
