/*
 * UDP datagrams (see strio/udp.h) over the low-level socket calls, in the
 * dialect: a datagram is sent whole and received whole, or reported
 * truncated (recvmsg with MSG_TRUNC returns the full length).
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include <strio/strio.h>
#include <strio/udp.h>

int strio_open_udp_socket(strio_socket *s, const char *host, unsigned port)
{
    strio_sockaddr addr;
    int wildcard = host == NULL || host[0] == 0;
    int family = wildcard || strchr(host, ':') != NULL ? AF_INET6 : AF_INET;
    int rc = strio_socket_create(s, family, SOCK_DGRAM, 0);
    if (rc == -EAFNOSUPPORT && wildcard)
        rc = strio_socket_create(s, family = AF_INET, SOCK_DGRAM, 0);
    if (rc < 0)
        return rc;
    rc = strio_resolve_local_address(s, host, port, &addr);
    if (rc == 0)
        rc = strio_socket_bind(s, &addr);
    if (rc < 0)
        strio_socket_close(s);
    return rc;
}

async int strio_udp_send_to(strio_socket *s, const void *buf, size_t len,
                            const strio_sockaddr *to)
{
    long n;
    if (to != NULL)
        n = await strio_socket_sendto(s, buf, len, 0, to);
    else
        n = await strio_socket_send(s, buf, len, 0);
    if (n < 0)
        return (int)n;
    return (size_t)n == len ? 0 : -EIO;     /* a datagram is never split */
}

async long strio_udp_receive_from(strio_socket *s, void *buf, size_t max,
                                  strio_sockaddr *from, size_t *size)
{
    struct iovec iov;
    struct msghdr msg;
    strio_sockaddr peer;
    long n;
    iov.iov_base = buf;
    iov.iov_len = max;
    memset(&msg, 0, sizeof msg);
    msg.msg_name = &peer.u;
    msg.msg_namelen = sizeof peer.u;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    /* MSG_TRUNC: the result is the datagram's real length */
    n = await strio_socket_recvmsg(s, &msg, MSG_TRUNC);
    if (n < 0)
        return n;
    peer.len = msg.msg_namelen;
    if (from != NULL)
        *from = peer;
    if (size != NULL)
        *size = (size_t)n;
    if ((msg.msg_flags & MSG_TRUNC) || (size_t)n > max)
        return -EMSGSIZE;
    return n;
}
