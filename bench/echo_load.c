/*
 * echo_load.c -- the load generator of bench/echo.py: one thread, epoll.
 *
 *     echo_load PORT CONNS SIZE SECONDS [PID]  timed run
 *     echo_load PORT CONNS SIZE -N           N round trips in all, after a
 *                                            "connected" line and a line
 *                                            on stdin (for strace)
 *     echo_load PORT CONNS SIZE idle         one round trip per connection,
 *                                            then "ready", then wait for a
 *                                            line on stdin and close
 *
 * Opens CONNS TCP connections to 127.0.0.1:PORT (TCP_NODELAY), and on each
 * keeps exactly one SIZE-byte message in flight: send it, read SIZE bytes
 * back (checked byte for byte), send the next one. Every connection does
 * one round trip first (warm-up, not counted: it also proves the server
 * accepted every connection). A round trip's latency runs from just before
 * its send to the read that completed it; latencies go to an array
 * allocated before the run (never during it) and are sorted at the end.
 *
 * Prints "key value" lines: rt (round trips completed), seconds, rt_per_s,
 * p50_us, p99_us, and with PID (the server's) server_cpu_ns: the CPU time
 * the server's thread spent during the measured window only (from
 * /proc/PID/schedstat, read right before and after it, so connection
 * setup, warm-up and teardown are not counted). Exits 1 on any error (a
 * connection that closes, a wrong byte, a stall of 10 s).
 */
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIZE 65536
#define MAX_LAT (8u << 20)          /* latencies kept (32 MB of uint32) */
#define STALL_MS 10000

struct conn {
    int fd;
    unsigned got;                   /* bytes of the echo read so far */
    unsigned sent;                  /* bytes of the message written */
    unsigned char seq;              /* first byte of the current message */
    uint64_t t0;                    /* when the current message was sent */
};

static struct conn *conns;
static unsigned nconns, size;
static int ep;
static unsigned char msg[MAX_SIZE], in[MAX_SIZE];
static uint32_t *lat;
static unsigned long nlat, rt;
static int recording;

static void die(const char *what)
{
    fprintf(stderr, "echo_load: %s: %s\n", what, strerror(errno));
    exit(1);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void interest(struct conn *c, uint32_t ev)
{
    struct epoll_event e = { .events = ev, .data.ptr = c };
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e) < 0)
        die("epoll_ctl");
}

/* Writes (the rest of) the current message; EAGAIN: wait for EPOLLOUT. */
static void send_msg(struct conn *c)
{
    msg[0] = c->seq;
    while (c->sent < size) {
        ssize_t w = write(c->fd, msg + c->sent, size - c->sent);
        if (w < 0) {
            if (errno == EAGAIN) {
                interest(c, EPOLLOUT);
                return;
            }
            die("write");
        }
        c->sent += (unsigned)w;
    }
}

static void start(struct conn *c)
{
    c->got = c->sent = 0;
    c->seq++;
    c->t0 = now_ns();
    send_msg(c);
}

/* Reads what is there; returns 1 when the echo is complete. */
static int receive(struct conn *c)
{
    ssize_t n = read(c->fd, in + c->got, size - c->got);
    if (n == 0) {
        fprintf(stderr, "echo_load: server closed a connection\n");
        exit(1);
    }
    if (n < 0) {
        if (errno == EAGAIN)
            return 0;
        die("read");
    }
    if (c->got == 0 && in[0] != c->seq) {
        fprintf(stderr, "echo_load: wrong echo\n");
        exit(1);
    }
    c->got += (unsigned)n;
    if (c->got < size)
        return 0;
    if (memcmp(in + 1, msg + 1, size - 1) != 0) {
        fprintf(stderr, "echo_load: wrong echo\n");
        exit(1);
    }
    return 1;
}

/*
 * Runs until `deadline` (ns) or until `limit` round trips were started
 * (0: no limit) and every started one completed. Each connection starts
 * a new round trip as soon as its previous one completes, but at most
 * `once` each if `once` (the warm-up).
 */
static void run(uint64_t deadline, unsigned long limit, int once)
{
    static struct epoll_event evs[1024];
    unsigned long started = 0, inflight = 0;
    for (unsigned i = 0; i < nconns; i++) {
        if (limit != 0 && started == limit)
            break;
        start(&conns[i]);
        started++;
        inflight++;
    }
    uint64_t last = now_ns();
    while (inflight > 0) {
        uint64_t t = now_ns();
        if (deadline != 0 && t >= deadline)
            break;
        if (t - last > (uint64_t)STALL_MS * 1000000) {
            fprintf(stderr, "echo_load: no progress for %d s\n",
                    STALL_MS / 1000);
            exit(1);
        }
        int ms = 100;
        if (deadline != 0 && (deadline - t) / 1000000 < 100)
            ms = (int)((deadline - t) / 1000000) + 1;
        int n = epoll_wait(ep, evs, 1024, ms);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die("epoll_wait");
        }
        for (int k = 0; k < n; k++) {
            struct conn *c = evs[k].data.ptr;
            if (c->sent < size) {               /* EPOLLOUT */
                send_msg(c);
                if (c->sent == size)
                    interest(c, EPOLLIN);
                continue;
            }
            if (!receive(c))
                continue;
            uint64_t done = now_ns();
            last = done;
            inflight--;
            if (recording) {
                rt++;
                if (nlat < MAX_LAT)
                    lat[nlat++] = (uint32_t)(done - c->t0 > UINT32_MAX
                                             ? UINT32_MAX : done - c->t0);
            }
            if (once || (limit != 0 && started == limit))
                continue;
            start(c);
            started++;
            inflight++;
        }
    }
}

/* The CPU time (ns) of thread `pid` so far, or -1. */
static long long cpu_ns(long pid)
{
    char path[64];
    long long ns = -1;
    snprintf(path, sizeof path, "/proc/%ld/schedstat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return -1;
    if (fscanf(f, "%lld", &ns) != 1)
        ns = -1;
    fclose(f);
    return ns;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static void wait_line(void)
{
    char line[64];
    if (fgets(line, sizeof line, stdin) == NULL)
        exit(0);                    /* the script went away */
}

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: echo_load PORT CONNS SIZE SECONDS|-N|idle "
                        "[PID]\n");
        return 2;
    }
    long pid = argc == 6 ? atol(argv[5]) : 0;
    unsigned port = (unsigned)atoi(argv[1]);
    nconns = (unsigned)atoi(argv[2]);
    size = (unsigned)atoi(argv[3]);
    int idle = strcmp(argv[4], "idle") == 0;
    long count = argv[4][0] == '-' ? atol(argv[4] + 1) : 0;
    double seconds = idle || count ? 0 : atof(argv[4]);
    if (nconns == 0 || size == 0 || size > MAX_SIZE ||
        (!idle && count <= 0 && seconds <= 0)) {
        fprintf(stderr, "echo_load: bad arguments\n");
        return 2;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < nconns + 64) {
        rl.rlim_cur = rl.rlim_max < nconns + 64 ? rl.rlim_max : nconns + 64;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    for (unsigned i = 0; i < MAX_SIZE; i++)
        msg[i] = (unsigned char)(i * 7 + 1);
    conns = calloc(nconns, sizeof *conns);
    lat = malloc(MAX_LAT * sizeof *lat);
    if (conns == NULL || lat == NULL)
        die("malloc");
    memset(lat, 0, MAX_LAT * sizeof *lat);    /* touched before the run */
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        die("epoll_create1");

    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((unsigned short)port);
    for (unsigned i = 0; i < nconns; i++) {
        struct conn *c = &conns[i];
        int one = 1;
        c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c->fd < 0)
            die("socket");
        if (connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0)
            die("connect");
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (fcntl(c->fd, F_SETFL, O_NONBLOCK) < 0)
            die("fcntl");
        struct epoll_event e = { .events = EPOLLIN, .data.ptr = c };
        if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &e) < 0)
            die("epoll_ctl");
        c->seq = (unsigned char)(i * 13);
    }
    run(0, 0, 1);                   /* warm-up: one round trip each */

    if (idle) {
        printf("ready\n");
        fflush(stdout);
        wait_line();
        return 0;                   /* exit closes every connection */
    }
    if (count) {
        printf("connected\n");
        fflush(stdout);
        wait_line();
    }
    recording = 1;
    long long cpu0 = pid > 0 ? cpu_ns(pid) : -1;
    uint64_t t0 = now_ns();
    if (count)
        run(0, (unsigned long)count, 0);
    else
        run(t0 + (uint64_t)(seconds * 1e9), 0, 0);
    double secs = (double)(now_ns() - t0) / 1e9;
    long long cpu1 = pid > 0 ? cpu_ns(pid) : -1;
    recording = 0;
    qsort(lat, nlat, sizeof *lat, cmp_u32);
    printf("rt %lu\nseconds %.3f\nrt_per_s %.1f\n", rt, secs, rt / secs);
    if (cpu0 >= 0 && cpu1 >= cpu0)
        printf("server_cpu_ns %lld\n", cpu1 - cpu0);
    if (nlat > 0)
        printf("p50_us %.1f\np99_us %.1f\n", lat[nlat / 2] / 1e3,
               lat[(size_t)((double)nlat * 0.99)] / 1e3);
    fflush(stdout);
    if (count)
        wait_line();                /* closes only when told to */
    return 0;
}
