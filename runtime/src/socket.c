/*
 * Low-level sockets, the synchronous part (see strio/socket.h): creation
 * with modern defaults, the plain calls, numeric address parsing, the
 * shielded yield leaf, and the one-attempt system calls that the async
 * calls in socket_ops.sc loop over. Hosted only.
 */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <strio/loop.h>
#include <strio/socket.h>

#define SOCK_FLAGS (SOCK_NONBLOCK | SOCK_CLOEXEC)

static int neg_errno(void)
{
    return errno == EWOULDBLOCK ? -EAGAIN : -errno;
}

static void set_closed(strio_socket *s)
{
    s->fd = -1;
    s->family = s->type = s->protocol = 0;
    s->did_shutdown_write = 0;
    s->waiting[0] = s->waiting[1] = NULL;
}

static void set_open(strio_socket *s, int fd, int family, int type,
                     int protocol)
{
    s->fd = fd;
    s->family = family;
    s->type = type & ~SOCK_FLAGS;
    s->protocol = protocol;
    s->did_shutdown_write = 0;
    s->waiting[0] = s->waiting[1] = NULL;
}

static void set_int(int fd, int level, int name, int value)
{
    (void)setsockopt(fd, level, name, &value, sizeof value);
}

/* ---- creation --------------------------------------------------------- */

int strio_socket_create(strio_socket *s, int family, int type, int protocol)
{
    set_closed(s);
    int fd = socket(family, type | SOCK_FLAGS, protocol);
    if (fd < 0)
        return -errno;
    type &= ~SOCK_FLAGS;
    if (family == AF_INET6)
        set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0);
    if ((family == AF_INET || family == AF_INET6) && type == SOCK_STREAM)
        set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
    set_open(s, fd, family, type, protocol);
    return 0;
}

int strio_socket_pair(strio_socket *a, strio_socket *b, int family, int type,
                      int protocol)
{
    int sv[2];
    set_closed(a);
    set_closed(b);
    if (socketpair(family, type | SOCK_FLAGS, protocol, sv) < 0)
        return -errno;
    set_open(a, sv[0], family, type, protocol);
    set_open(b, sv[1], family, type, protocol);
    return 0;
}

int strio_socket_from_fd(strio_socket *s, int fd)
{
    int family, type, protocol;
    socklen_t len = sizeof family;
    set_closed(s);
    if (fd < 0)
        return -EBADF;
    if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &family, &len) < 0)
        return -errno;
    len = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
        return -errno;
    len = sizeof protocol;
    if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len) < 0)
        return -errno;
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0))
        return -errno;
    set_open(s, fd, family, type, protocol);
    return 0;
}

int strio_is_strio_socket(const strio_socket *s)
{
    int family, type;
    socklen_t len = sizeof family;
    if (s == NULL || s->fd < 0)
        return 0;
    if (getsockopt(s->fd, SOL_SOCKET, SO_DOMAIN, &family, &len) < 0)
        return 0;
    len = sizeof type;
    if (getsockopt(s->fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
        return 0;
    int fl = fcntl(s->fd, F_GETFL);
    return family == s->family && type == s->type && fl >= 0 &&
           (fl & O_NONBLOCK) != 0;
}

/* ---- plain calls -------------------------------------------------------- */

int strio_socket_bind(strio_socket *s, const strio_sockaddr *addr)
{
    if (s->fd < 0)
        return -EBADF;
    return bind(s->fd, &addr->u.sa, addr->len) < 0 ? -errno : 0;
}

int strio_socket_listen(strio_socket *s, int backlog)
{
    if (s->fd < 0)
        return -EBADF;
    if (backlog < 0)
        backlog = SOMAXCONN < 128 ? SOMAXCONN : 128;
    return listen(s->fd, backlog) < 0 ? -errno : 0;
}

int strio_socket_shutdown(strio_socket *s, int how)
{
    if (s->fd < 0)
        return -EBADF;
    if (shutdown(s->fd, how) < 0)
        return -errno;
    if (how == SHUT_WR || how == SHUT_RDWR)
        s->did_shutdown_write = 1;
    return 0;
}

int strio_socket_setsockopt(strio_socket *s, int level, int name,
                            const void *value, socklen_t len)
{
    if (s->fd < 0)
        return -EBADF;
    return setsockopt(s->fd, level, name, value, len) < 0 ? -errno : 0;
}

int strio_socket_getsockopt(const strio_socket *s, int level, int name,
                            void *value, socklen_t *len)
{
    if (s->fd < 0)
        return -EBADF;
    return getsockopt(s->fd, level, name, value, len) < 0 ? -errno : 0;
}

int strio_socket_setsockopt_int(strio_socket *s, int level, int name,
                                int value)
{
    return strio_socket_setsockopt(s, level, name, &value, sizeof value);
}

int strio_socket_getsockopt_int(const strio_socket *s, int level, int name,
                                int *value)
{
    socklen_t len = sizeof *value;
    *value = 0;
    return strio_socket_getsockopt(s, level, name, value, &len);
}

int strio_socket_getsockname(const strio_socket *s, strio_sockaddr *out)
{
    memset(out, 0, sizeof *out);
    if (s->fd < 0)
        return -EBADF;
    out->len = sizeof out->u;
    if (getsockname(s->fd, &out->u.sa, &out->len) < 0) {
        out->len = 0;
        return -errno;
    }
    return 0;
}

int strio_socket_getpeername(const strio_socket *s, strio_sockaddr *out)
{
    memset(out, 0, sizeof *out);
    if (s->fd < 0)
        return -EBADF;
    out->len = sizeof out->u;
    if (getpeername(s->fd, &out->u.sa, &out->len) < 0) {
        out->len = 0;
        return -errno;
    }
    return 0;
}

/* Wakes the tasks waiting on `s` (they return -EBADF) and forgets the fd;
 * returns the fd. */
static int take_fd(strio_socket *s)
{
    int fd = s->fd;
    s->fd = -1;
    for (int dir = 0; dir < 2; dir++)
        if (s->waiting[dir] != NULL)
            strio_scope_cancel(s->waiting[dir]);
    return fd;
}

int strio_socket_close(strio_socket *s)
{
    if (s->fd < 0)
        return 0;
    int fd = take_fd(s);
    /* Linux releases the fd even when close() fails; EINTR is no error */
    if (close(fd) < 0 && errno != EINTR)
        return -errno;
    return 0;
}

int strio_socket_dup(const strio_socket *s, strio_socket *out)
{
    set_closed(out);
    if (s->fd < 0)
        return -EBADF;
    int fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    set_open(out, fd, s->family, s->type, s->protocol);
    return 0;
}

int strio_socket_detach(strio_socket *s)
{
    if (s->fd < 0)
        return -EBADF;
    return take_fd(s);
}

/* ---- numeric addresses -------------------------------------------------- */

static int resolve(const strio_socket *s, const char *host, unsigned port,
                   strio_sockaddr *out, int local)
{
    memset(out, 0, sizeof *out);
    if (port > 65535)
        return -EINVAL;
    int empty = host == NULL || host[0] == '\0';
    if (s->family == AF_INET) {
        struct sockaddr_in *in = &out->u.in;
        in->sin_family = AF_INET;
        in->sin_port = htons((unsigned short)port);
        if (empty) {
            in->sin_addr.s_addr = htonl(local ? INADDR_ANY : INADDR_LOOPBACK);
        } else if (strcmp(host, "<broadcast>") == 0) {
            in->sin_addr.s_addr = htonl(INADDR_BROADCAST);
        } else if (inet_pton(AF_INET, host, &in->sin_addr) != 1) {
            struct in6_addr a6;
            memset(out, 0, sizeof *out);
            return inet_pton(AF_INET6, host, &a6) == 1 ? -EAFNOSUPPORT
                                                       : -EINVAL;
        }
        out->len = sizeof *in;
        return 0;
    }
    if (s->family != AF_INET6)
        return -EAFNOSUPPORT;

    struct sockaddr_in6 *in6 = &out->u.in6;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((unsigned short)port);
    out->len = sizeof *in6;
    if (empty) {
        in6->sin6_addr = local ? in6addr_any : in6addr_loopback;
        return 0;
    }
    /* split off a "%scope" */
    char addr[INET6_ADDRSTRLEN + 1];
    const char *pct = strchr(host, '%');
    size_t n = pct != NULL ? (size_t)(pct - host) : strlen(host);
    int rc = -EINVAL;
    if (n < sizeof addr) {
        memcpy(addr, host, n);
        addr[n] = '\0';
        if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
            rc = 0;
        } else if (pct == NULL) {
            struct in_addr a4;
            if (inet_pton(AF_INET, addr, &a4) == 1) {
                /* IPv4 through a dual-stack socket: ::ffff:a.b.c.d */
                int v6only = 1;
                if (strio_socket_getsockopt_int(s, IPPROTO_IPV6, IPV6_V6ONLY,
                                                &v6only) < 0 || v6only) {
                    rc = -EAFNOSUPPORT;
                } else {
                    in6->sin6_addr.s6_addr[10] = 0xff;
                    in6->sin6_addr.s6_addr[11] = 0xff;
                    memcpy(&in6->sin6_addr.s6_addr[12], &a4, 4);
                    rc = 0;
                }
            }
        }
    }
    if (rc == 0 && pct != NULL) {
        const char *scope = pct + 1;
        char *end;
        unsigned long id = 0;
        if (scope[0] >= '0' && scope[0] <= '9') {
            errno = 0;
            id = strtoul(scope, &end, 10);
            if (*end != '\0' || errno != 0 || id > 0xffffffffUL)
                id = 0;
        } else if (scope[0] != '\0') {
            id = if_nametoindex(scope);
        }
        if (id == 0)
            rc = -EINVAL;
        in6->sin6_scope_id = (uint32_t)id;
    }
    if (rc < 0)
        memset(out, 0, sizeof *out);
    return rc;
}

int strio_resolve_local_address(const strio_socket *s, const char *host,
                                unsigned port, strio_sockaddr *out)
{
    return resolve(s, host, port, out, 1);
}

int strio_resolve_remote_address(const strio_socket *s, const char *host,
                                 unsigned port, strio_sockaddr *out)
{
    return resolve(s, host, port, out, 0);
}

int strio_sockaddr_port(const strio_sockaddr *a)
{
    if (a->u.sa.sa_family == AF_INET)
        return ntohs(a->u.in.sin_port);
    if (a->u.sa.sa_family == AF_INET6)
        return ntohs(a->u.in6.sin6_port);
    return -EAFNOSUPPORT;
}

int strio_sockaddr_format(const strio_sockaddr *a, char *buf, size_t size)
{
    char host[INET6_ADDRSTRLEN];
    int n;
    if (size > 0)
        buf[0] = '\0';
    if (a->u.sa.sa_family == AF_INET) {
        inet_ntop(AF_INET, &a->u.in.sin_addr, host, sizeof host);
        n = snprintf(buf, size, "%s:%u", host, ntohs(a->u.in.sin_port));
    } else if (a->u.sa.sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &a->u.in6.sin6_addr, host, sizeof host);
        if (a->u.in6.sin6_scope_id != 0)
            n = snprintf(buf, size, "[%s%%%u]:%u", host,
                         (unsigned)a->u.in6.sin6_scope_id,
                         ntohs(a->u.in6.sin6_port));
        else
            n = snprintf(buf, size, "[%s]:%u", host,
                         ntohs(a->u.in6.sin6_port));
    } else {
        n = snprintf(buf, size, "family %d", a->u.sa.sa_family);
    }
    return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}

/* ---- the shielded yield leaf ---------------------------------------------- */

void strio_socket_yield_start(struct strio_socket_yield_frame *f)
{
    f->strio_state = 0;
}

int strio_socket_yield_resume(void *vf, strio_task *task)
{
    struct strio_socket_yield_frame *f = vf;
    if (f->strio_state == 0) {
        f->strio_state = 1;
        strio_task_yield(task);
        return STRIO_PENDING;
    }
    f->strio_ret = 0;
    return STRIO_DONE;
}

/* ---- one attempt ----------------------------------------------------------- */

static socklen_t *addr_len(strio_sockaddr *a, socklen_t *len)
{
    if (a == NULL)
        return NULL;
    *len = sizeof a->u;
    return len;
}

long strio_socket__try(strio_socket *s, strio_socket_call *c)
{
    ssize_t r;
    socklen_t len = 0;
    struct sockaddr *sa;
    if (s->fd < 0)
        return -EBADF;
    do {
        sa = c->a.addr != NULL ? &c->a.addr->u.sa : NULL;
        switch (c->op) {
        case STRIO_SOCKET_OP_RECV:
            r = recv(s->fd, c->u.buf, c->len, c->flags | MSG_DONTWAIT);
            break;
        case STRIO_SOCKET_OP_RECVFROM:
            r = recvfrom(s->fd, c->u.buf, c->len, c->flags | MSG_DONTWAIT, sa,
                         addr_len(c->a.addr, &len));
            if (r >= 0 && c->a.addr != NULL)
                c->a.addr->len = len;
            break;
        case STRIO_SOCKET_OP_RECVMSG:
            r = recvmsg(s->fd, c->u.msg,
                        c->flags | MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
            break;
        case STRIO_SOCKET_OP_SEND:
            r = send(s->fd, c->u.cbuf, c->len,
                     c->flags | MSG_DONTWAIT | MSG_NOSIGNAL);
            break;
        case STRIO_SOCKET_OP_SENDTO:
            r = sendto(s->fd, c->u.cbuf, c->len,
                       c->flags | MSG_DONTWAIT | MSG_NOSIGNAL,
                       c->a.to != NULL ? &c->a.to->u.sa : NULL,
                       c->a.to != NULL ? c->a.to->len : 0);
            break;
        case STRIO_SOCKET_OP_SENDMSG:
            r = sendmsg(s->fd, c->u.cmsg,
                        c->flags | MSG_DONTWAIT | MSG_NOSIGNAL);
            break;
        case STRIO_SOCKET_OP_ACCEPT:
            r = accept4(s->fd, sa, addr_len(c->a.addr, &len), SOCK_FLAGS);
            if (r >= 0) {
                if (c->a.addr != NULL)
                    c->a.addr->len = len;
                set_open(c->u.into, (int)r, s->family, s->type, s->protocol);
                r = 0;
            }
            break;
        default:
            return -EINVAL;
        }
    } while (r < 0 && errno == EINTR);
    return r < 0 ? neg_errno() : (long)r;
}

int strio_socket__connect_start(strio_socket *s, const strio_sockaddr *addr)
{
    if (s->fd < 0)
        return -EBADF;
    if (connect(s->fd, &addr->u.sa, addr->len) == 0)
        return 0;
    /* interrupted: the connection goes on in the background */
    if (errno == EINPROGRESS || errno == EINTR)
        return 1;
    return neg_errno();
}

int strio_socket__connect_result(strio_socket *s)
{
    int err = 0;
    socklen_t len = sizeof err;
    if (s->fd < 0)
        return -EBADF;
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
        return -errno;
    return -err;
}
