/*
 * streams_main.c -- strio side of the stream benchmarks (bench/streams.py
 * runs it; bench/README.md says what the figures mean).
 *
 *   pair TOTAL CHUNK LOCKSTEP   TOTAL bytes through a memory stream pair,
 *                               send_all of CHUNK bytes, receive_some of
 *                               CHUNK bytes at most; LOCKSTEP 0: a buffered
 *                               pair with a ring of CHUNK bytes per
 *                               direction, 1: a lockstep pair (no ring)
 *   msgs COUNT SIZE LOCKSTEP    COUNT messages of SIZE bytes: one send_all
 *                               and one receive_some of SIZE bytes each
 *   until COUNT SIZE            COUNT SIZE-byte lines (ending in '\n') sent
 *                               in 64 KB send_alls through a buffered pair,
 *                               read back by strio_read_until
 *   exact COUNT SIZE            the same, read by strio_read_exactly
 *   memcpy TOTAL CHUNK COPIES   the limit: a plain loop copying TOTAL bytes
 *                               of the same source, CHUNK bytes per step,
 *                               once (source -> destination) or twice
 *                               (source -> a ring -> destination, what a
 *                               buffered pipe does)
 *
 * The strio runs use the real loop on the real monotonic clock
 * (strio_monotonic_clock_init). Output lines are "key value": the time per
 * unit from this thread's CPU time and (wall_...) from wall time.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <strio/bufread.h>
#include <strio/memstream.h>
#include <strio/posix.h>
#include <strio/strio.h>

#include "streams.h"

#define KB64 65536
#define READER_CAP 4096

static unsigned char src[KB64];
static unsigned char dst[KB64];
static unsigned char ring_ab[KB64], ring_ba[16];
static unsigned char reader_buf[READER_CAP];

struct stamp {
    double wall, cpu;
};

static double read_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static struct stamp stamp(void)
{
    struct stamp s = { read_ns(CLOCK_MONOTONIC),
                       read_ns(CLOCK_THREAD_CPUTIME_ID) };
    return s;
}

static struct stamp since(struct stamp t0)
{
    struct stamp t = stamp();
    t.wall -= t0.wall;
    t.cpu -= t0.cpu;
    return t;
}

/* Source data: SIZE-byte lines, each ending in '\n'. */
static void fill_source(size_t size)
{
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = size > 0 && i % size == size - 1 ? '\n'
               : (unsigned char)('a' + i % 26);
}

/* Runs the transfer described by `c` between the two ends of `pair` on a
 * fresh loop with the monotonic clock. */
static int transfer(strio_memory_stream_pair *pair, struct sb_ctx *c,
                    struct stamp *ns, unsigned long *switches)
{
    static struct sb_root_frame f;
    strio_clock mono;
    strio_loop loop;
    strio_task task;

    c->tx = &pair->a.base;
    c->rx = &pair->b.base;
    c->src = src;
    c->src_len = sizeof src;
    c->dst = dst;
    strio_monotonic_clock_init(&mono);
    strio_loop_init(&loop, &mono, NULL);
    sb_root_start(&f, c);
    strio_task_init(&task, sb_root_resume, &f, &f.strio_ret);
    struct stamp t0 = stamp();
    int rc = strio_loop_run(&loop, &task);
    *ns = since(t0);
    *switches = loop.switches;
    if (rc == 0)
        rc = f.strio_ret;
    if (rc == 0)
        rc = c->send_rc;
    if (rc == 0 && c->received != c->total)
        rc = STRIO_EBROKEN;
    if (rc != 0)
        fprintf(stderr, "transfer failed: %s (%llu of %llu bytes)\n",
                strio_strerror(rc), c->received, c->total);
    return rc;
}

static int make_pair(strio_memory_stream_pair *pair, int lockstep,
                     size_t ring)
{
    if (lockstep) {
        strio_lockstep_stream_pair_init(pair);
        return 0;
    }
    return strio_memory_stream_pair_init(pair, ring_ab, ring, ring_ba,
                                         sizeof ring_ba);
}

static int bench_pair(unsigned long long total, size_t chunk, int lockstep)
{
    static strio_memory_stream_pair pair;
    struct sb_ctx c;
    struct stamp ns;
    unsigned long switches;

    if (chunk == 0 || chunk > KB64 || make_pair(&pair, lockstep, chunk) < 0)
        return 2;
    memset(&c, 0, sizeof c);
    fill_source(0);
    c.total = total;
    c.chunk = chunk;
    c.rchunk = chunk;
    c.mode = SB_RAW;
    if (transfer(&pair, &c, &ns, &switches) != 0)
        return 1;
    printf("switches %lu\n", switches);
    printf("receives %lu\n", c.calls);
    printf("mb_per_s %.3f\n", (double)total / 1e6 / (ns.cpu / 1e9));
    printf("wall_mb_per_s %.3f\n", (double)total / 1e6 / (ns.wall / 1e9));
    return 0;
}

static int bench_msgs(unsigned long count, size_t size, int lockstep)
{
    static strio_memory_stream_pair pair;
    struct sb_ctx c;
    struct stamp ns;
    unsigned long switches;

    if (size == 0 || size > KB64 || make_pair(&pair, lockstep, KB64) < 0)
        return 2;
    memset(&c, 0, sizeof c);
    fill_source(size);
    c.total = (unsigned long long)count * size;
    c.chunk = size;
    c.rchunk = size;
    c.mode = SB_RAW;
    if (transfer(&pair, &c, &ns, &switches) != 0)
        return 1;
    printf("switches %lu\n", switches);
    printf("ns_per_msg %.3f\n", ns.cpu / (double)count);
    printf("wall_ns_per_msg %.3f\n", ns.wall / (double)count);
    return 0;
}

static int bench_reader(unsigned long count, size_t size, int mode)
{
    static strio_memory_stream_pair pair;
    static strio_reader reader;
    struct sb_ctx c;
    struct stamp ns;
    unsigned long switches;

    if (size == 0 || KB64 % size != 0 || make_pair(&pair, 0, KB64) < 0)
        return 2;
    memset(&c, 0, sizeof c);
    fill_source(size);
    strio_reader_init(&reader, &pair.b.base, reader_buf, sizeof reader_buf);
    c.total = (unsigned long long)count * size;
    c.chunk = KB64;
    c.mode = mode;
    c.reader = &reader;
    c.msg = size;
    if (transfer(&pair, &c, &ns, &switches) != 0)
        return 1;
    if (c.messages != count) {
        fprintf(stderr, "read %lu messages, want %lu\n", c.messages, count);
        return 1;
    }
    printf("switches %lu\n", switches);
    printf("ns_per_msg %.3f\n", ns.cpu / (double)count);
    printf("wall_ns_per_msg %.3f\n", ns.wall / (double)count);
    return 0;
}

/* The limit: the same bytes copied by a plain loop. The empty asm tells
 * the compiler the copies are used, so none is optimized away. */
static int bench_memcpy(unsigned long long total, size_t chunk, int copies)
{
    size_t off = 0, roff = 0;
    unsigned long long ops = 0;

    if (chunk == 0 || chunk > KB64 || copies < 1 || copies > 2)
        return 2;
    fill_source(16);
    struct stamp t0 = stamp();
    for (unsigned long long done = 0; done < total; done += chunk) {
        if (off + chunk > sizeof src)
            off = 0;
        if (copies == 1) {
            memcpy(dst, src + off, chunk);
        } else {
            if (roff + chunk > sizeof ring_ab)
                roff = 0;
            memcpy(ring_ab + roff, src + off, chunk);
            __asm__ __volatile__("" : : "r"(ring_ab) : "memory");
            memcpy(dst, ring_ab + roff, chunk);
            roff += chunk;
        }
        __asm__ __volatile__("" : : "r"(dst) : "memory");
        off += chunk;
        ops++;
    }
    struct stamp ns = since(t0);
    printf("mb_per_s %.3f\n", (double)total / 1e6 / (ns.cpu / 1e9));
    printf("wall_mb_per_s %.3f\n", (double)total / 1e6 / (ns.wall / 1e9));
    printf("ns_per_msg %.3f\n", ns.cpu / (double)ops);
    printf("wall_ns_per_msg %.3f\n", ns.wall / (double)ops);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 5 && strcmp(argv[1], "pair") == 0)
        return bench_pair(strtoull(argv[2], NULL, 10),
                          (size_t)atol(argv[3]), atoi(argv[4]));
    if (argc >= 5 && strcmp(argv[1], "msgs") == 0)
        return bench_msgs(strtoul(argv[2], NULL, 10), (size_t)atol(argv[3]),
                          atoi(argv[4]));
    if (argc >= 4 && strcmp(argv[1], "until") == 0)
        return bench_reader(strtoul(argv[2], NULL, 10),
                            (size_t)atol(argv[3]), SB_UNTIL);
    if (argc >= 4 && strcmp(argv[1], "exact") == 0)
        return bench_reader(strtoul(argv[2], NULL, 10),
                            (size_t)atol(argv[3]), SB_EXACT);
    if (argc >= 5 && strcmp(argv[1], "memcpy") == 0)
        return bench_memcpy(strtoull(argv[2], NULL, 10),
                            (size_t)atol(argv[3]), atoi(argv[4]));
    fprintf(stderr, "usage: %s pair TOTAL CHUNK LOCKSTEP | msgs COUNT SIZE "
            "LOCKSTEP | until COUNT SIZE | exact COUNT SIZE | memcpy TOTAL "
            "CHUNK COPIES\n", argv[0]);
    return 2;
}
