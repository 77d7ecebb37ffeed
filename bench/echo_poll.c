/*
 * echo_poll.c -- the floor of bench/echo.py: a minimal hand-written poll()
 * echo server, one thread, no library.
 *
 *     echo_poll [PORT]
 *
 * Listens on 127.0.0.1:PORT (0: the kernel picks), prints "listening on
 * 127.0.0.1:PORT" and serves until killed. One poll() over a dense array
 * (the listener first); a readable connection gets one read() into a
 * shared 64 KB buffer and one write() of what arrived. Only if that write
 * is partial does the rest go to a per-connection heap buffer, and the
 * connection waits for POLLOUT (not reading meanwhile) until it is out.
 * This is what a careful C programmer writes by hand: 3 syscalls per round
 * trip for one connection (poll, read, write), one poll() shared by every
 * connection that is ready at once.
 */
#define _GNU_SOURCE 1
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_FDS 4096

struct pending {
    char *buf;              /* unsent rest of an echo, or NULL */
    size_t off, len;
};

static struct pollfd fds[MAX_FDS];
static struct pending pend[MAX_FDS];
static unsigned nfds;
static char buf[64 * 1024];

static void drop(unsigned i)
{
    close(fds[i].fd);
    free(pend[i].buf);
    nfds--;
    fds[i] = fds[nfds];
    pend[i] = pend[nfds];
    pend[nfds].buf = NULL;
}

/* Writes what is pending on entry i; returns -1 if the connection died. */
static int flush(unsigned i)
{
    struct pending *p = &pend[i];
    while (p->off < p->len) {
        ssize_t w = write(fds[i].fd, p->buf + p->off, p->len - p->off);
        if (w < 0) {
            if (errno == EAGAIN)
                return 0;
            return -1;
        }
        p->off += (size_t)w;
    }
    free(p->buf);
    p->buf = NULL;
    fds[i].events = POLLIN;
    return 0;
}

/* One read and its echo; returns -1 if the connection ended or died. */
static int echo(unsigned i)
{
    ssize_t n = read(fds[i].fd, buf, sizeof buf);
    if (n <= 0)
        return n < 0 && errno == EAGAIN ? 0 : -1;
    ssize_t w = write(fds[i].fd, buf, (size_t)n);
    if (w < 0) {
        if (errno != EAGAIN)
            return -1;
        w = 0;
    }
    if (w == n)
        return 0;
    struct pending *p = &pend[i];
    p->len = (size_t)(n - w);
    p->off = 0;
    p->buf = malloc(p->len);
    if (p->buf == NULL)
        return -1;
    memcpy(p->buf, buf + w, p->len);
    fds[i].events = POLLOUT;
    return 0;
}

static void accept_all(int lfd)
{
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;                 /* EAGAIN, or out of fds: retry later */
        if (nfds == MAX_FDS) {
            close(fd);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fds[nfds].fd = fd;
        fds[nfds].events = POLLIN;
        fds[nfds].revents = 0;
        nfds++;
    }
}

int main(int argc, char **argv)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int one = 1;
    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((unsigned short)(argc > 1 ? atoi(argv[1]) : 0));
    if (lfd < 0 ||
        setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 ||
        listen(lfd, 4096) < 0 ||
        getsockname(lfd, (struct sockaddr *)&a, &alen) < 0) {
        perror("echo_poll");
        return 1;
    }
    printf("listening on 127.0.0.1:%u\n", (unsigned)ntohs(a.sin_port));
    fflush(stdout);
    fds[0].fd = lfd;
    fds[0].events = POLLIN;
    nfds = 1;
    for (;;) {
        int n = poll(fds, nfds, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("echo_poll: poll");
            return 1;
        }
        if (fds[0].revents & POLLIN) {
            n--;
            accept_all(lfd);      /* appends: this pass does not see them */
        }
        /* Backwards, so dropping entry i (the last one moves into it)
         * never skips an entry not yet seen. */
        unsigned end = nfds;
        for (unsigned i = end; i-- > 1 && n > 0;) {
            short re = fds[i].revents;
            if (re == 0 || i >= nfds)
                continue;
            fds[i].revents = 0;
            n--;
            int rc = 0;
            if (re & POLLOUT)
                rc = flush(i);
            else if (re & (POLLIN | POLLERR | POLLHUP))
                rc = echo(i);
            if (rc < 0)
                drop(i);
        }
    }
}
