/*
 * The stub resolver on hosted builds, async part (see strio/dns_posix.h):
 * the UDP transport's stream operations (the table is in dns_posix.c) and
 * strio_dns_resolve (literals and the hosts file, then DNS).
 *
 * This file's generated header carries the frames strio/dns_posix.h
 * embeds (hence *_impl.sc); static helpers are named strio_dns__* because
 * their frame tags are public there.
 */
#include <errno.h>

#include <strio/strio.h>
#include <strio/socket.h>
#include <strio/dns_posix.h>

async int strio_dns__udp_send(strio_dns_udp_stream *st, const void *data,
                              size_t len)
{
    long n;
    if (st->sock.fd < 0)
        return STRIO_ECLOSED;
    n = await strio_socket_send(&st->sock, data, len, 0);
    if (n == -EBADF)
        return STRIO_ECLOSED;
    if (n >= 0 && (size_t)n != len)
        return -EMSGSIZE;               /* a datagram goes whole or not */
    return n < 0 ? (int)n : 0;
}

async int strio_dns__udp_wait_send(strio_dns_udp_stream *st)
{
    int rc;
    if (st->sock.fd < 0)
        return STRIO_ECLOSED;
    rc = await strio_socket_wait_writable(&st->sock);
    return rc == -EBADF ? STRIO_ECLOSED : rc;
}

async long strio_dns__udp_receive(strio_dns_udp_stream *st, void *buf,
                                  size_t max)
{
    long n;
    do {
        if (st->sock.fd < 0)
            return STRIO_ECLOSED;
        n = await strio_socket_recv(&st->sock, buf, max, 0);
    } while (n == 0);                   /* an empty datagram says nothing */
    return n == -EBADF ? STRIO_ECLOSED : n;
}

async int strio_dns__udp_close(strio_dns_udp_stream *st)
{
    strio_socket_close(&st->sock);      /* wakes pending operations */
    return await strio_checkpoint();
}

async int strio_dns_resolve(strio_dns_resolver *r, const char *name,
                            unsigned want, strio_dns_addr *out, size_t max,
                            size_t *count)
{
    int rc;
    if (r->busy)
        return STRIO_EBUSY;
    rc = strio_dns__local(r, name, want, out, max, count);
    if (rc != 0) {
        /* answered here: still a checkpoint */
        int crc = await strio_checkpoint();
        if (crc < 0) {
            if (count != NULL)
                *count = 0;
            return crc;
        }
        return rc;
    }
    return await strio_dns_query(r, name, want, out, max, count);
}
