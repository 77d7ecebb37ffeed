/*
 * Async code for test_udp.c: UDP datagrams over loopback.
 */
#include <errno.h>
#include <string.h>

#include <strio/strio.h>
#include <sys/uio.h>

#include <strio/udp.h>

struct ud_op {
    int recv;                   /* 1: receive, 0: send */
    strio_socket *s;
    const void *data;
    size_t len;                 /* send: length; receive: max */
    const strio_sockaddr *to;
    void *buf;
    strio_sockaddr from;
    size_t size;
    int cancel_first;
    strio_time timeout;         /* > 0: give up after (moves on) */
    long rc;
    int caught;
};

/* Runs ops[0..n) one after the other, each in its own scope. */
async int ud_run(struct ud_op *ops, int n)
{
    for (int i = 0; i < n; i++) {
        struct ud_op *o = &ops[i];
        strio_cancel_scope sc;
        strio_scope_enter(STRIO_SELF, &sc);
        if (o->cancel_first)
            strio_scope_cancel(&sc);
        if (o->timeout > 0)
            strio_scope_set_deadline(&sc, strio_task_now(STRIO_SELF) +
                                              o->timeout);
        if (o->recv)
            o->rc = await strio_udp_receive_from(o->s, o->buf, o->len,
                                                 &o->from, &o->size);
        else
            o->rc = await strio_udp_send_to(o->s, o->data, o->len, o->to);
        strio_scope_exit(&sc, (int)o->rc);
        o->caught = sc.cancelled_caught;
    }
    return 0;
}

/* The _into aliases of the low-level calls: recvfrom_into, recvmsg_into. */
async int ud_into(strio_socket *a, strio_socket *b, const strio_sockaddr *to,
                  long *r, strio_sockaddr *from, char *buf)
{
    struct iovec iov;
    struct msghdr msg;
    r[0] = await strio_socket_sendto(a, "first", 5, 0, to);
    r[1] = await strio_socket_sendto(a, "second", 6, 0, to);
    r[2] = await strio_socket_recvfrom_into(b, buf, 16, 0, from);
    iov.iov_base = buf + 16;
    iov.iov_len = 16;
    memset(&msg, 0, sizeof msg);
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    r[3] = await strio_socket_recvmsg_into(b, &msg, 0);
    return 0;
}
