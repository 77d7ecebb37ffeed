/*
 * strio_read_until / strio_read_exactly (strio/bufread.h).
 *
 * The reading loops are in bufread_tasks.sc; they log every call's result
 * and append every byte they got to one output. The stream here is a
 * *scripted stream*: it hands out a fixed input cut at chosen boundaries
 * (a list of cut positions, a maximum chunk size, or seeded random chunk
 * sizes with random extra yields: fault injection), yields at least once in
 * every receive_some, honours cancellation (a cancelled receive received
 * nothing) and ends with end of stream or a chosen error. Because the cuts
 * are exact, the same input can be fed split at every position (and every
 * pair of positions) and the results compared with a reference splitter.
 *
 * Invariants checked after every run: the loop returned 0, no task left,
 * the output is exactly the input (nothing lost, nothing duplicated), the
 * reader is not left busy.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/bufread.h>
#include <strio/memstream.h>

#include "bufread_tasks.h"
#include "sweep.h"

/* ======================================================================== */
/* The scripted stream                                                      */
/* ======================================================================== */

#define MAX_CUTS 8

struct script {
    strio_stream base;
    const unsigned char *data;
    size_t len, pos;
    size_t cuts[MAX_CUTS];      /* chunk boundaries (any order) */
    int ncuts;
    size_t step;                /* > 0: chunks of at most this many bytes */
    uint32_t seed;              /* != 0: chunks of 1..step bytes at random,
                                   and 0..2 extra yields per receive */
    int end_rc;                 /* returned once the data is exhausted: 0
                                   (end of stream) or an error */
    /* the receive in flight */
    unsigned char *rbuf;
    size_t rmax;
    int state, extra;
    /* statistics */
    unsigned long receives, cancelled;
};

static uint32_t rnd(struct script *s)
{
    uint32_t x = s->seed;       /* xorshift32 */
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return s->seed = x;
}

static void script_receive(strio_stream *st, void *buf, size_t max)
{
    struct script *s = (struct script *)st;
    s->rbuf = buf;
    s->rmax = max;
    s->state = 0;
}

static int script_step(strio_stream *st, strio_task *task, long *result)
{
    struct script *s = (struct script *)st;
    if (strio_task_cancelled(task)) {
        s->cancelled++;
        *result = STRIO_ECANCELED;
        return STRIO_DONE;
    }
    if (s->state == 0) {
        s->state = 1;
        s->extra = s->seed != 0 ? (int)(rnd(s) % 3) : 0;
        strio_task_yield(task);
        return STRIO_PENDING;
    }
    if (s->extra > 0) {
        s->extra--;
        strio_task_yield(task);
        return STRIO_PENDING;
    }
    s->receives++;
    if (s->pos == s->len) {
        *result = s->end_rc;
        return STRIO_DONE;
    }
    size_t end = s->len;
    for (int i = 0; i < s->ncuts; i++)
        if (s->cuts[i] > s->pos && s->cuts[i] < end)
            end = s->cuts[i];
    if (s->step > 0) {
        size_t chunk = s->seed != 0 ? 1 + rnd(s) % s->step : s->step;
        if (end - s->pos > chunk)
            end = s->pos + chunk;
    }
    size_t n = end - s->pos;
    if (n > s->rmax)
        n = s->rmax;
    memcpy(s->rbuf, s->data + s->pos, n);
    s->pos += n;
    *result = (long)n;
    return STRIO_DONE;
}

static const strio_stream_ops script_ops = {
    .name = "script",
    .receive_some = script_receive,
    .receive_step = script_step,
};

static void script_init(struct script *s, const void *data, size_t len)
{
    memset(s, 0, sizeof *s);
    strio_stream_init(&s->base, &script_ops);
    s->data = data;
    s->len = len;
}

/* ======================================================================== */
/* Running roots                                                            */
/* ======================================================================== */

static strio_vclock vc;
static strio_loop loop;
static unsigned long suspensions;

static void count_suspend(strio_loop *l, strio_task *t, void *arg)
{
    (void)l;
    (void)t;
    (void)arg;
    suspensions++;
}

/* Runs a root to completion on a fresh loop; returns the root's result. */
#define RUN(fn, ...)                                                      \
    ({                                                                    \
        static struct fn##_frame fr_;                                     \
        strio_task t_;                                                    \
        strio_vclock_init(&vc, 0, 1);                                     \
        strio_loop_init(&loop, &vc.clock, NULL);                          \
        loop.on_suspend = count_suspend;                                  \
        suspensions = 0;                                                  \
        fn##_start(&fr_, __VA_ARGS__);                                    \
        strio_task_init(&t_, fn##_resume, &fr_, &fr_.strio_ret);          \
        int rc_ = strio_loop_run(&loop, &t_);                             \
        cr_assert_eq(rc_, 0, #fn ": loop returned %d (%s)", rc_,          \
                     strio_strerror(rc_));                                \
        cr_assert_eq(loop.tasks, 0, #fn ": %lu tasks left", loop.tasks);  \
        fr_.strio_ret;                                                    \
    })

static long until_once(strio_reader *r, const char *delim, void *out,
                       size_t max)
{
    long rc = 12345;
    RUN(br_until_once, r, delim, strlen(delim), out, max, &rc);
    cr_assert_eq(r->busy, 0, "reader left busy");
    return rc;
}

static long exact_once(strio_reader *r, void *out, size_t n)
{
    long rc = 12345;
    RUN(br_exact_once, r, out, n, &rc);
    cr_assert_eq(r->busy, 0, "reader left busy");
    return rc;
}

static void assert_buffered(const strio_reader *r, const char *want,
                            const char *what)
{
    const void *p = NULL;
    size_t n = strio_reader_buffered(r, &p);
    cr_assert_eq(n, strlen(want), "%s: %zu bytes buffered, want %zu", what,
                 n, strlen(want));
    cr_assert(memcmp(p, want, n) == 0, "%s: buffered bytes differ", what);
}

/* ======================================================================== */
/* Reference results                                                        */
/* ======================================================================== */

/* What read_until must return, call after call, for `in` (the stream then
 * ends): message lengths, an unterminated tail, then 0. Assumes no
 * message exceeds the limit. */
static int ref_until(const char *in, size_t len, const char *d, size_t dl,
                     long *want)
{
    int n = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t end = len;
        for (size_t i = pos; i + dl <= len; i++)
            if (memcmp(in + i, d, dl) == 0) {
                end = i + dl;
                break;
            }
        want[n++] = (long)(end - pos);
        pos = end;
    }
    want[n++] = 0;
    return n;
}

static char desc[160];

static const char *describe(const struct script *s)
{
    int k = snprintf(desc, sizeof desc, "step %zu seed %u cuts", s->step,
                     (unsigned)s->seed);
    for (int i = 0; i < s->ncuts && k < (int)sizeof desc - 8; i++)
        k += snprintf(desc + k, sizeof desc - (size_t)k, " %zu", s->cuts[i]);
    return desc;
}

static void check_log(const struct br_log *log, const char *in, size_t len,
                      const long *want, int nwant, const char *what)
{
    cr_assert_eq(log->calls, nwant, "%s: %d calls, want %d", what,
                 log->calls, nwant);
    for (int i = 0; i < nwant; i++)
        cr_assert_eq(log->rc[i], want[i], "%s: call %d returned %ld, want "
                     "%ld", what, i, log->rc[i], want[i]);
    cr_assert_eq(log->out_len, len, "%s: %zu bytes out, want %zu", what,
                 log->out_len, len);
    cr_assert(memcmp(log->out, in, len) == 0, "%s: output differs", what);
}

/* Reads all of `in` with read_until (delimiter `d`, reader buffer `cap`,
 * max `max`) as cut by the script prepared in *proto; compares with the
 * reference. */
static void until_case(const char *in, const char *d, size_t cap,
                       size_t max, const struct script *proto)
{
    static struct script s;
    static struct br_log log;
    static unsigned char buf[256];
    static long want[BR_MAX_CALLS];
    size_t len = strlen(in);
    int nwant = ref_until(in, len, d, strlen(d), want);
    strio_reader r;

    s = *proto;
    s.data = (const unsigned char *)in;
    s.len = len;
    s.pos = 0;
    memset(&log, 0, sizeof log);
    strio_reader_init(&r, &s.base, buf, cap);
    int rc = RUN(br_until_all, &r, d, strlen(d), max, &log);
    cr_assert_eq(rc, 0, "%s: br_until_all returned %d", describe(&s), rc);
    check_log(&log, in, len, want, nwant, describe(&s));
    cr_assert_eq(r.busy, 0);
    cr_assert(strio_reader_eof(&r));
    cr_assert_eq(strio_reader_buffered(&r, NULL), 0);
}

/* The same input split at every position, at every pair of positions,
 * in chunks of every size 1..9, and in seeded random chunks. */
static void until_every_split(const char *in, const char *d, size_t cap,
                              size_t max)
{
    struct script s;
    size_t len = strlen(in);
    script_init(&s, in, len);
    until_case(in, d, cap, max, &s);              /* one chunk */
    for (size_t i = 1; i < len; i++) {
        s.ncuts = 1;
        s.cuts[0] = i;
        until_case(in, d, cap, max, &s);
        for (size_t j = i + 1; j < len; j++) {
            s.ncuts = 2;
            s.cuts[1] = j;
            until_case(in, d, cap, max, &s);
        }
    }
    s.ncuts = 0;
    for (size_t step = 1; step <= 9; step++) {
        s.step = step;
        until_case(in, d, cap, max, &s);
    }
    for (uint32_t seed = 1; seed <= 64; seed++) {
        s.step = 1 + seed % 11;
        s.seed = seed * 2654435761u;
        until_case(in, d, cap, max, &s);
    }
}

/* ======================================================================== */
/* read_until: chunking                                                     */
/* ======================================================================== */

/* False starts of the delimiter ("\r" alone), an empty line, an
 * unterminated tail; the longest message is 16 bytes. */
static const char HTTPISH[] =
    "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\nx\r\r\n\r\r\r\nbody\rtail\r";

/* Length-prefixed messages ("LEN\n" + LEN bytes): hello, abc, an empty
 * one, 12 bytes of newlines and letters, Z. */
static const char PROTO_IN[] = "5\nhello3\nabc0\n12\n\n\nnew\nlines\n1\nZ";

Test(bufread_until, every_split_two_byte_delimiter)
{
    until_every_split(HTTPISH, "\r\n", 64, 64);
}

Test(bufread_until, every_split_buffer_as_small_as_the_longest_line)
{
    /* cap 16: the 16-byte first line fills the buffer exactly, every
     * later line needs the unread bytes moved to the front */
    until_every_split(HTTPISH, "\r\n", 16, 64);
    until_every_split(HTTPISH, "\r\n", 17, 16);
    until_every_split(HTTPISH, "\r\n", 19, 64);
}

Test(bufread_until, every_split_single_byte_delimiter)
{
    until_every_split("a\nbb\n\nccc\ndddd\n\n\ne", "\n", 8, 64);
    until_every_split("a\nbb\n\nccc\ndddd\n\n\n", "\n", 5, 5);
}

Test(bufread_until, every_split_self_overlapping_delimiter)
{
    /* "aab": the match in "aaab" starts one byte after a false start, and
     * "aabaab" is two messages */
    until_every_split("xaaabyaabaabzaaaaab", "aab", 64, 64);
    until_every_split("aabaabaaab", "aab", 6, 64);
    /* a long delimiter, mostly a prefix of itself */
    until_every_split("--b--b--bound--b--bound", "--bound", 64, 64);
}

Test(bufread_until, delimiter_straddles_chunks)
{
    static struct script s;
    static unsigned char buf[64];
    char out[64];
    strio_reader r;
    /* "\r" ends one receive, "\n" starts the next */
    script_init(&s, "abc\r\ndef\r\n", 10);
    s.cuts[0] = 4;
    s.cuts[1] = 9;
    s.ncuts = 2;
    strio_reader_init(&r, &s.base, buf, sizeof buf);
    cr_assert_eq(until_once(&r, "\r\n", out, sizeof out), 5);
    cr_assert(memcmp(out, "abc\r\n", 5) == 0);
    cr_assert_eq(s.receives, 2, "two receives for the first line");
    assert_buffered(&r, "def\r", "after the first line");
    cr_assert_eq(until_once(&r, "\r\n", out, sizeof out), 5);
    cr_assert(memcmp(out, "def\r\n", 5) == 0);
    cr_assert_eq(until_once(&r, "\r\n", out, sizeof out), 0);
    cr_assert_eq(until_once(&r, "\r\n", out, sizeof out), 0, "again");
    cr_assert_eq(s.receives, 4, "end of stream is asked for once");
}

/* ======================================================================== */
/* read_until: limits, end of stream, errors                                */
/* ======================================================================== */

Test(bufread_until, limit_exceeded_keeps_the_bytes)
{
    static const char in[] = "hello world\nok\n";
    struct script proto;
    script_init(&proto, in, strlen(in));
    /* at every cut: -EMSGSIZE with max 5, then the whole line with a
     * larger max, then the next line */
    for (size_t cut = 0; cut < strlen(in); cut++) {
        static struct script s;
        static unsigned char buf[64];
        char out[64];
        strio_reader r;
        s = proto;
        s.ncuts = cut > 0;
        s.cuts[0] = cut;
        strio_reader_init(&r, &s.base, buf, sizeof buf);
        cr_assert_eq(until_once(&r, "\n", out, 5), -EMSGSIZE, "cut %zu",
                     cut);
        const void *p;
        size_t n = strio_reader_buffered(&r, &p);
        cr_assert_geq(n, 5, "cut %zu: %zu buffered", cut, n);
        cr_assert(memcmp(p, "hello", 5) == 0);
        cr_assert_eq(until_once(&r, "\n", out, 11), -EMSGSIZE,
                     "cut %zu: 12 bytes do not fit in 11", cut);
        cr_assert_eq(until_once(&r, "\n", out, 12), 12, "cut %zu", cut);
        cr_assert(memcmp(out, "hello world\n", 12) == 0);
        cr_assert_eq(until_once(&r, "\n", out, 3), 3);
        cr_assert(memcmp(out, "ok\n", 3) == 0);
        cr_assert_eq(until_once(&r, "\n", out, 3), 0);
    }
}

Test(bufread_until, limit_is_inclusive_of_the_delimiter)
{
    static struct script s;
    static unsigned char buf[64];
    char out[8];
    strio_reader r;
    script_init(&s, "abc\r\n", 5);
    strio_reader_init(&r, &s.base, buf, sizeof buf);
    cr_assert_eq(until_once(&r, "\r\n", out, 4), -EMSGSIZE,
                 "the delimiter ends at byte 5");
    cr_assert_eq(until_once(&r, "\r\n", out, 5), 5);
}

Test(bufread_until, buffer_capacity_limits_a_line)
{
    static struct script s;
    static unsigned char buf[8];
    char out[64];
    strio_reader r;
    script_init(&s, "0123456789\nnext\n", 16);
    s.step = 3;
    strio_reader_init(&r, &s.base, buf, sizeof buf);
    cr_assert_eq(until_once(&r, "\n", out, sizeof out), -EMSGSIZE,
                 "the line needs 11 bytes, the buffer has 8");
    assert_buffered(&r, "01234567", "a full buffer");
    /* skip the too-long line by hand */
    cr_assert_eq(strio_reader_consume(&r, 9), -EINVAL);
    cr_assert_eq(strio_reader_consume(&r, 8), 0);
    cr_assert_eq(until_once(&r, "\n", out, sizeof out), 3);
    cr_assert(memcmp(out, "89\n", 3) == 0);
    cr_assert_eq(until_once(&r, "\n", out, sizeof out), 5);
    cr_assert(memcmp(out, "next\n", 5) == 0);
    cr_assert_eq(until_once(&r, "\n", out, sizeof out), 0);
}

Test(bufread_until, end_of_stream_returns_the_tail_then_zero)
{
    static struct script s;
    static unsigned char buf[64];
    char out[64];
    strio_reader r;
    script_init(&s, "ab\ncd", 5);
    s.step = 1;
    strio_reader_init(&r, &s.base, buf, sizeof buf);
    cr_assert_eq(until_once(&r, "\n", out, sizeof out), 3);
    cr_assert_eq(until_once(&r, "\n", out, sizeof out), 2, "the tail");
    cr_assert(memcmp(out, "cd", 2) == 0);
    cr_assert(strio_reader_eof(&r));
    cr_assert_eq(until_once(&r, "\n", out, sizeof out), 0);
    cr_assert_eq(until_once(&r, "\n", out, sizeof out), 0);
    cr_assert_eq(exact_once(&r, out, 1), 0);
}

Test(bufread_until, end_of_stream_inside_the_delimiter)
{
    static struct script s;
    static unsigned char buf[64];
    char out[64];
    strio_reader r;
    script_init(&s, "ab\r", 3);
    strio_reader_init(&r, &s.base, buf, sizeof buf);
    cr_assert_eq(until_once(&r, "\r\n", out, sizeof out), 3);
    cr_assert(memcmp(out, "ab\r", 3) == 0);
    cr_assert_eq(until_once(&r, "\r\n", out, sizeof out), 0);
}

Test(bufread_until, tail_as_long_as_the_limit_is_too_long)
{
    /* chunking-independent: with 4 bytes buffered and no delimiter the
     * reader cannot know that the stream ends there */
    static struct script s;
    static unsigned char buf[64];
    char out[64];
    strio_reader r;
    script_init(&s, "abcd", 4);
    strio_reader_init(&r, &s.base, buf, sizeof buf);
    cr_assert_eq(until_once(&r, "\n", out, 4), -EMSGSIZE);
    cr_assert_eq(until_once(&r, "\n", out, 5), 4);
    cr_assert_eq(until_once(&r, "\n", out, 5), 0);
}

Test(bufread_until, stream_errors_pass_through_and_keep_the_bytes)
{
    static struct script s;
    static unsigned char buf[64];
    char out[64];
    strio_reader r;
    script_init(&s, "ab\ncd", 5);
    s.end_rc = STRIO_EBROKEN;
    strio_reader_init(&r, &s.base, buf, sizeof buf);
    cr_assert_eq(until_once(&r, "\n", out, sizeof out), 3);
    cr_assert_eq(until_once(&r, "\n", out, sizeof out), STRIO_EBROKEN);
    assert_buffered(&r, "cd", "after the error");
    cr_assert_not(strio_reader_eof(&r));
    cr_assert_eq(until_once(&r, "\n", out, sizeof out), STRIO_EBROKEN,
                 "not sticky: the stream is asked again");
    cr_assert_eq(exact_once(&r, out, 3), STRIO_EBROKEN);
    cr_assert_eq(exact_once(&r, out, 2), 2, "what is buffered is served");
    cr_assert(memcmp(out, "cd", 2) == 0);
}

Test(bufread_until, argument_errors_at_once)
{
    static struct script s;
    static unsigned char buf[16];
    char out[16];
    strio_reader r, empty;
    script_init(&s, "a\n", 2);
    strio_reader_init(&r, &s.base, buf, sizeof buf);
    cr_assert_eq(until_once(&r, "", out, sizeof out), -EINVAL);
    cr_assert_eq(suspensions, 0);
    cr_assert_eq(until_once(&r, "\n", out, 0), -EINVAL);
    cr_assert_eq(until_once(&r, "\n", NULL, 4), -EINVAL);
    cr_assert_eq(exact_once(&r, NULL, 1), -EINVAL);
    cr_assert_eq(exact_once(&r, out, sizeof buf + 1), -EMSGSIZE);
    cr_assert_eq(suspensions, 0);
    strio_reader_init(&empty, &s.base, NULL, 16);
    cr_assert_eq(until_once(&empty, "\n", out, sizeof out), -EINVAL);
    cr_assert_eq(s.receives, 0, "nothing was received");
    cr_assert_eq(until_once(&r, "\n", out, sizeof out), 2);
}

/* ======================================================================== */
/* read_exactly                                                             */
/* ======================================================================== */

static const size_t SIZES[] = { 3, 1, 4, 1, 5, 9, 2, 6 };     /* sum 31 */
#define NSIZES ((int)(sizeof SIZES / sizeof SIZES[0]))
static const char DIGITS[] = "3141592653589793238462643383279";  /* 31 */

static void exact_case(size_t len, size_t cap, const struct script *proto)
{
    static struct script s;
    static struct br_log log;
    static unsigned char buf[64];
    strio_reader r;
    s = *proto;
    s.data = (const unsigned char *)DIGITS;
    s.len = len;
    memset(&log, 0, sizeof log);
    strio_reader_init(&r, &s.base, buf, cap);
    int at = RUN(br_exact_all, &r, SIZES, NSIZES, 0, &log);
    const char *what = describe(&s);
    /* full reads while the sizes fit, then the stream ends */
    size_t sum = 0;
    int i = 0;
    while (sum + SIZES[i % NSIZES] <= len) {
        cr_assert_eq(log.rc[i], (long)SIZES[i % NSIZES], "%s, len %zu: "
                     "read %d returned %ld", what, len, i, log.rc[i]);
        sum += SIZES[i % NSIZES];
        i++;
    }
    cr_assert_eq(at, i, "%s, len %zu: stopped at read %d, want %d", what,
                 len, at, i);
    cr_assert_eq(log.calls, i + 1);
    long last = sum == len ? 0 : STRIO_EBROKEN;
    cr_assert_eq(log.rc[i], last, "%s, len %zu: last read returned %ld, "
                 "want %ld", what, len, log.rc[i], last);
    cr_assert_eq(log.out_len, sum);
    cr_assert(memcmp(log.out, DIGITS, sum) == 0, "%s: output differs", what);
    /* the truncated message stays buffered */
    const void *p;
    cr_assert_eq(strio_reader_buffered(&r, &p), len - sum);
    cr_assert(memcmp(p, DIGITS + sum, len - sum) == 0);
    cr_assert(strio_reader_eof(&r));
}

Test(bufread_exact, every_split)
{
    struct script s;
    for (size_t len = 29; len <= 31; len++) {     /* truncated, clean */
        for (size_t cap = 9; cap <= 12; cap += 3) {
            script_init(&s, DIGITS, len);
            exact_case(len, cap, &s);
            for (size_t i = 1; i < len; i++) {
                s.ncuts = 1;
                s.cuts[0] = i;
                exact_case(len, cap, &s);
                for (size_t j = i + 1; j < len; j++) {
                    s.ncuts = 2;
                    s.cuts[1] = j;
                    exact_case(len, cap, &s);
                }
            }
            s.ncuts = 0;
            for (size_t step = 1; step <= 10; step++) {
                s.step = step;
                exact_case(len, cap, &s);
            }
            for (uint32_t seed = 1; seed <= 64; seed++) {
                s.step = 1 + seed % 13;
                s.seed = seed * 2654435761u;
                exact_case(len, cap, &s);
            }
        }
    }
}

Test(bufread_exact, truncated_message_then_the_rest)
{
    static struct script s;
    static unsigned char buf[16];
    char out[16];
    strio_reader r;
    script_init(&s, "abcdefg", 7);
    s.step = 2;
    strio_reader_init(&r, &s.base, buf, sizeof buf);
    cr_assert_eq(exact_once(&r, out, 4), 4);
    cr_assert(memcmp(out, "abcd", 4) == 0);
    cr_assert_eq(exact_once(&r, out, 4), STRIO_EBROKEN);
    cr_assert(strio_reader_eof(&r));
    assert_buffered(&r, "efg", "the truncated message");
    cr_assert_eq(exact_once(&r, out, 3), 3);
    cr_assert(memcmp(out, "efg", 3) == 0);
    cr_assert_eq(exact_once(&r, out, 1), 0, "clean end");
    cr_assert_eq(exact_once(&r, out, 0), 0);
}

Test(bufread_exact, zero_bytes_is_a_checkpoint)
{
    static struct script s;
    static unsigned char buf[16];
    char out[1];
    strio_reader r;
    script_init(&s, "x", 1);
    strio_reader_init(&r, &s.base, buf, sizeof buf);
    cr_assert_eq(exact_once(&r, out, 0), 0);
    cr_assert_eq(suspensions, 1);
    cr_assert_eq(s.receives, 0);
}

/* ======================================================================== */
/* Checkpoints, busy, hand-over                                             */
/* ======================================================================== */

Test(bufread_checkpoint, a_read_served_from_the_buffer_yields_once)
{
    static struct script s;
    static unsigned char buf[64];
    char out[64];
    strio_reader r;
    script_init(&s, "a\nb\nc\n12345678", 14);
    strio_reader_init(&r, &s.base, buf, sizeof buf);
    cr_assert_eq(until_once(&r, "\n", out, sizeof out), 2);
    cr_assert_eq(suspensions, 1, "the receive: %lu", suspensions);
    cr_assert_eq(until_once(&r, "\n", out, sizeof out), 2);
    cr_assert_eq(suspensions, 1, "from the buffer: %lu", suspensions);
    cr_assert_eq(until_once(&r, "\n", out, 1), -EMSGSIZE);
    cr_assert_eq(suspensions, 1, "-EMSGSIZE from the buffer: %lu",
                 suspensions);
    cr_assert_eq(until_once(&r, "\n", out, sizeof out), 2);
    cr_assert_eq(exact_once(&r, out, 8), 8);
    cr_assert_eq(suspensions, 1);
    cr_assert_eq(s.receives, 1, "one receive served them all");
}

Test(bufread_checkpoint, cancelled_scope_consumes_nothing)
{
    static struct script s;
    static unsigned char buf[64];
    char out[64];
    long rc[3];
    strio_reader r;
    script_init(&s, "one\ntwo\n", 8);
    s.cuts[0] = 4;
    s.ncuts = 1;
    strio_reader_init(&r, &s.base, buf, sizeof buf);
    /* nothing buffered: the receive is cancelled */
    RUN(br_cancelled_at_entry, &r, "\n", 1, out, sizeof out, rc);
    cr_assert_eq(rc[0], STRIO_ECANCELED);
    cr_assert_eq(rc[1], STRIO_ECANCELED);
    cr_assert_eq(rc[2], 4);
    cr_assert(memcmp(out, "one\n", 4) == 0);
    /* buffered now... */
    s.cuts[0] = 0;
    s.pos = 0;
    strio_reader_init(&r, &s.base, buf, sizeof buf);
    cr_assert_eq(exact_once(&r, out, 1), 1);
    assert_buffered(&r, "ne\ntwo\n", "one receive");
    /* ...and the checkpoint is cancelled */
    RUN(br_cancelled_at_entry, &r, "\n", 1, out, sizeof out, rc);
    cr_assert_eq(rc[0], STRIO_ECANCELED);
    cr_assert_eq(rc[1], STRIO_ECANCELED);
    cr_assert_eq(rc[2], 3);
    cr_assert(memcmp(out, "ne\n", 3) == 0);
    assert_buffered(&r, "two\n", "after");
}

Test(bufread_checkpoint, second_reader_gets_busy)
{
    static struct script s;
    static unsigned char buf[64];
    static struct br_busy_log b;
    strio_reader r;
    script_init(&s, "line\nrest", 9);
    strio_reader_init(&r, &s.base, buf, sizeof buf);
    memset(&b, 0, sizeof b);
    int rc = RUN(br_busy, &r, &b);
    cr_assert_eq(rc, 0);
    cr_assert_eq(b.until_rc, STRIO_EBUSY);
    cr_assert_eq(b.exact_rc, STRIO_EBUSY);
    cr_assert_eq(b.consume_rc, STRIO_EBUSY);
    cr_assert_eq(b.child_rc, 5, "the first reader is undisturbed");
    cr_assert(memcmp(b.line, "line\n", 5) == 0);
    assert_buffered(&r, "rest", "after");
}

Test(bufread_handover, buffered_bytes_then_the_stream)
{
    /* a header line, then the connection goes to "another protocol" that
     * receives from the stream itself: buffered bytes + stream = the rest */
    static const char in[] = "STARTTLS\r\n\x16\x03\x01 handshake bytes...";
    size_t len = sizeof in - 1;
    for (size_t cut = 0; cut < len; cut++) {
        static struct script s;
        static unsigned char buf[32];
        static struct br_log log;
        char line[32];
        strio_reader r;
        script_init(&s, in, len);
        s.ncuts = cut > 0;
        s.cuts[0] = cut;
        s.step = 16;
        strio_reader_init(&r, &s.base, buf, sizeof buf);
        cr_assert_eq(until_once(&r, "\r\n", line, sizeof line), 10);
        const void *p;
        size_t n = strio_reader_buffered(&r, &p);
        memset(&log, 0, sizeof log);
        memcpy(log.out, p, n);
        log.out_len = n;
        cr_assert_eq(strio_reader_consume(&r, n), 0);
        cr_assert_eq(strio_reader_buffered(&r, NULL), 0);
        RUN(br_receive_all, &s.base, &log);
        cr_assert_eq(log.last, 0);
        cr_assert_eq(log.out_len, len - 10, "cut %zu", cut);
        cr_assert(memcmp(log.out, in + 10, len - 10) == 0, "cut %zu", cut);
    }
}

/* ======================================================================== */
/* Cancellation sweeps: cancel at every suspension, retry, compare          */
/* ======================================================================== */

struct sweep_ctx {
    struct script proto;        /* the stream, re-made for every run */
    struct script s;
    unsigned char buf[64];
    size_t cap;
    strio_reader r;
    struct br_log log;
    struct br_proto p;
    const char *in;
    size_t len;
    const char *delim;
    long want[BR_MAX_CALLS];
    int nwant;
};

static struct sweep_ctx X;

static void sweep_reset(void)
{
    X.s = X.proto;
    memset(&X.log, 0, sizeof X.log);
    memset(&X.p, 0, sizeof X.p);
    strio_reader_init(&X.r, &X.s.base, X.buf, X.cap);
}

static int scenario_until(struct sweep_run *run)
{
    static struct br_sweep_until_frame f;
    strio_task t;
    sweep_reset();
    br_sweep_until_start(&f, &X.r, X.delim, strlen(X.delim), X.cap,
                         &run->target, &X.log);
    strio_task_init(&t, br_sweep_until_resume, &f, &f.strio_ret);
    int rc = strio_loop_run(&run->loop, &t);
    cr_assert_eq(f.strio_ret, 0, "k=%lu: %d", run->k, f.strio_ret);
    return rc;
}

/* Common to every sweep: exactly one call was cancelled iff the run was,
 * nothing else failed, and the output is the input. */
static void check_common(struct sweep_run *run)
{
    cr_assert_eq(X.log.cancelled, run->cancelled ? 1 : 0, "k=%lu: %d "
                 "cancelled calls", run->k, X.log.cancelled);
    cr_assert_eq(X.log.errors, 0, "k=%lu: %d errors", run->k, X.log.errors);
    cr_assert_eq(X.log.out_len, X.len, "k=%lu: %zu bytes out, want %zu",
                 run->k, X.log.out_len, X.len);
    cr_assert(memcmp(X.log.out, X.in, X.len) == 0, "k=%lu: output differs",
              run->k);
    cr_assert_eq(X.r.busy, 0, "k=%lu: reader left busy", run->k);
}

static void check_until(struct sweep_run *run)
{
    check_common(run);
    /* the results, with the one cancelled call taken out, are exactly the
     * uncancelled ones */
    int j = 0;
    for (int i = 0; i < X.log.calls; i++) {
        if (X.log.rc[i] == STRIO_ECANCELED)
            continue;
        cr_assert_lt(j, X.nwant, "k=%lu: too many calls", run->k);
        cr_assert_eq(X.log.rc[i], X.want[j], "k=%lu: call %d returned %ld, "
                     "want %ld", run->k, i, X.log.rc[i], X.want[j]);
        j++;
    }
    cr_assert_eq(j, X.nwant, "k=%lu: %d results, want %d", run->k, j,
                 X.nwant);
}

static unsigned long sweep_until(const char *in, const char *delim,
                                 size_t cap, size_t step, uint32_t seed)
{
    memset(&X, 0, sizeof X);
    X.in = in;
    X.len = strlen(in);
    X.delim = delim;
    X.cap = cap;
    X.nwant = ref_until(in, X.len, delim, strlen(delim), X.want);
    script_init(&X.proto, in, X.len);
    X.proto.step = step;
    X.proto.seed = seed;
    struct sweep sw = { .name = "read_until", .scenario = scenario_until,
                        .check = check_until };
    return sweep_cancellation(&sw);
}

Test(bufread_sweep, read_until_cancelled_anywhere_loses_nothing)
{
    unsigned long runs = 0;
    runs += sweep_until(HTTPISH, "\r\n", 64, 5, 0);
    runs += sweep_until(HTTPISH, "\r\n", 16, 3, 0);
    runs += sweep_until(HTTPISH, "\r\n", 20, 7, 0x9e3779b9u);
    runs += sweep_until("xaaabyaabaabzaaaaab", "aab", 8, 2, 0x12345u);
    cr_assert_gt(runs, 60, "only %lu runs", runs);
    cr_log_info("read_until sweep: %lu runs", runs);
}

static int scenario_exact(struct sweep_run *run)
{
    static struct br_sweep_exact_frame f;
    strio_task t;
    sweep_reset();
    br_sweep_exact_start(&f, &X.r, SIZES, NSIZES, &run->target, &X.log);
    strio_task_init(&t, br_sweep_exact_resume, &f, &f.strio_ret);
    int rc = strio_loop_run(&run->loop, &t);
    cr_assert_eq(f.strio_ret, 0, "k=%lu: %d", run->k, f.strio_ret);
    return rc;
}

static void check_exact(struct sweep_run *run)
{
    check_common(run);
    int j = 0;
    for (int i = 0; i < X.log.calls; i++) {
        if (X.log.rc[i] == STRIO_ECANCELED)
            continue;
        long want = j < 8 ? (long)SIZES[j] : 0;
        cr_assert_eq(X.log.rc[i], want, "k=%lu: call %d returned %ld, want "
                     "%ld", run->k, i, X.log.rc[i], want);
        j++;
    }
    cr_assert_eq(j, 9, "k=%lu: %d results", run->k, j);
}

Test(bufread_sweep, read_exactly_cancelled_anywhere_loses_nothing)
{
    static const struct { size_t cap, step; uint32_t seed; } cases[] = {
        { 9, 2, 0 }, { 12, 4, 0 }, { 9, 5, 0xdeadbeefu }, { 16, 9, 77 },
    };
    unsigned long runs = 0;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        memset(&X, 0, sizeof X);
        X.in = DIGITS;
        X.len = strlen(DIGITS);
        X.cap = cases[c].cap;
        script_init(&X.proto, DIGITS, X.len);
        X.proto.step = cases[c].step;
        X.proto.seed = cases[c].seed;
        struct sweep sw = { .name = "read_exactly",
                            .scenario = scenario_exact,
                            .check = check_exact };
        runs += sweep_cancellation(&sw);
    }
    cr_assert_gt(runs, 40, "only %lu runs", runs);
    cr_log_info("read_exactly sweep: %lu runs", runs);
}

static int scenario_proto(struct sweep_run *run)
{
    static struct br_sweep_proto_frame f;
    strio_task t;
    sweep_reset();
    br_sweep_proto_start(&f, &X.r, &X.p, &run->target, &X.log);
    strio_task_init(&t, br_sweep_proto_resume, &f, &f.strio_ret);
    int rc = strio_loop_run(&run->loop, &t);
    cr_assert_eq(f.strio_ret, 0, "k=%lu: %d", run->k, f.strio_ret);
    return rc;
}

static void check_proto(struct sweep_run *run)
{
    check_common(run);
    cr_assert_eq(X.p.messages, 5, "k=%lu: %d messages", run->k,
                 X.p.messages);
    cr_assert_eq(X.p.bad_header, 0, "k=%lu: a header was misread", run->k);
    cr_assert_eq(X.log.last, 0, "k=%lu: ended with %ld", run->k, X.log.last);
}

Test(bufread_sweep, length_prefixed_protocol_cancelled_anywhere)
{
    /* headers by read_until, bodies by read_exactly (one empty) */
    static const char *in = PROTO_IN;
    unsigned long runs = 0;
    for (size_t step = 1; step <= 13; step += 4) {
        memset(&X, 0, sizeof X);
        X.in = in;
        X.len = strlen(in);
        X.cap = 12;
        script_init(&X.proto, in, X.len);
        X.proto.step = step;
        X.proto.seed = step == 13 ? 4242 : 0;
        struct sweep sw = { .name = "length-prefixed",
                            .scenario = scenario_proto,
                            .check = check_proto };
        runs += sweep_cancellation(&sw);
    }
    cr_assert_gt(runs, 40, "only %lu runs", runs);
    cr_log_info("length-prefixed sweep: %lu runs", runs);
}

/* ======================================================================== */
/* Over memory streams (strio/memstream.h), with fault injection            */
/* ======================================================================== */

/* How a memory-stream case is set up; M is re-made from it for every run
 * (the sweeps run a case many times). */
struct mem_case {
    int lockstep;               /* lockstep pair (else a buffered ring) */
    size_t ring;                /* ring capacity (buffered) */
    uint64_t seed;              /* != 0: both ends wrapped in fault streams */
    size_t cap;                 /* reader buffer */
    int mode;                   /* 0: read_until, 1: length-prefixed */
    const char *in, *delim;
    size_t cuts[BR_MAX_PIECES]; /* the producer's send_all pieces */
    int ncuts;
};


static struct {
    struct mem_case c;
    strio_memory_one_way_pair pair;
    unsigned char ring[64];
    strio_fault_stream fsend, frecv;
    unsigned char buf[64];
    strio_reader r;
    struct br_log log;
    struct br_proto p;
    struct br_mem m;
    long want[BR_MAX_CALLS];
    int nwant;
} M;

static void mem_setup(const struct mem_case *c)
{
    memset(&M, 0, sizeof M);
    M.c = *c;
    if (c->lockstep)
        strio_lockstep_stream_one_way_pair_init(&M.pair);
    else
        cr_assert_eq(strio_memory_stream_one_way_pair_init(&M.pair, M.ring,
                                                           c->ring), 0);
    strio_stream *send = &M.pair.send.base;
    strio_stream *recv = &M.pair.receive.base;
    if (c->seed != 0) {
        /* short sends, short reads, delays on both sides */
        strio_fault_config fs = { .seed = c->seed, .send_chunk_max = 5,
                                  .delay_max = STRIO_US(50),
                                  .delay_percent = 30 };
        strio_fault_config fr = { .seed = c->seed * 31 + 7,
                                  .receive_max = 6,
                                  .delay_max = STRIO_US(50),
                                  .delay_percent = 30 };
        strio_fault_stream_init(&M.fsend, send, &fs);
        strio_fault_stream_init(&M.frecv, recv, &fr);
        send = &M.fsend.base;
        recv = &M.frecv.base;
    }
    strio_reader_init(&M.r, recv, M.buf, c->cap);
    M.m.send = send;
    M.m.data = (const unsigned char *)c->in;
    M.m.len = strlen(c->in);
    memcpy(M.m.cuts, c->cuts, sizeof M.m.cuts);
    M.m.ncuts = c->ncuts;
    M.m.mode = c->mode;
    M.m.delim = c->delim;
    M.m.dlen = c->delim != NULL ? strlen(c->delim) : 0;
    M.m.max = c->cap;
    M.m.r = &M.r;
    M.m.log = &M.log;
    M.m.p = &M.p;
    if (c->mode == 0)
        M.nwant = ref_until(c->in, M.m.len, c->delim, M.m.dlen, M.want);
}

static const char *mem_describe(const struct mem_case *c)
{
    int k = snprintf(desc, sizeof desc, "%s ring %zu seed %llu cap %zu "
                     "mode %d pieces ending", c->lockstep ? "lockstep" :
                     "buffered", c->ring, (unsigned long long)c->seed,
                     c->cap, c->mode);
    for (int i = 0; i < c->ncuts && k < (int)sizeof desc - 8; i++)
        k += snprintf(desc + k, sizeof desc - (size_t)k, " %zu", c->cuts[i]);
    return desc;
}

/* After a run: the producer finished, nothing failed but (at most) the
 * one cancelled call, the output is the input, the results are right. */
static void mem_check(unsigned long k, int cancelled)
{
    const char *what = mem_describe(&M.c);
    size_t len = M.m.len;
    cr_assert_eq(M.m.producer_rc, 0, "%s, k=%lu: producer %d", what, k,
                 M.m.producer_rc);
    cr_assert_eq(M.log.cancelled, cancelled, "%s, k=%lu: %d cancelled calls",
                 what, k, M.log.cancelled);
    cr_assert_eq(M.log.errors, 0, "%s, k=%lu: %d errors (last %ld)", what,
                 k, M.log.errors, M.log.last);
    cr_assert_eq(M.log.last, 0, "%s, k=%lu: ended with %ld", what, k,
                 M.log.last);
    cr_assert_eq(M.log.out_len, len, "%s, k=%lu: %zu bytes out, want %zu",
                 what, k, M.log.out_len, len);
    cr_assert(memcmp(M.log.out, M.c.in, len) == 0, "%s, k=%lu: output "
              "differs", what, k);
    cr_assert_eq(M.r.busy, 0);
    if (M.c.mode == 0) {
        int j = 0;
        for (int i = 0; i < M.log.calls; i++) {
            if (M.log.rc[i] == STRIO_ECANCELED)
                continue;
            cr_assert_lt(j, M.nwant, "%s, k=%lu: too many calls", what, k);
            cr_assert_eq(M.log.rc[i], M.want[j], "%s, k=%lu: call %d "
                         "returned %ld, want %ld", what, k, i, M.log.rc[i],
                         M.want[j]);
            j++;
        }
        cr_assert_eq(j, M.nwant, "%s, k=%lu: %d results, want %d", what, k,
                     j, M.nwant);
    } else {
        cr_assert_eq(M.p.messages, 5, "%s, k=%lu: %d messages", what, k,
                     M.p.messages);
        cr_assert_eq(M.p.bad_header, 0, "%s, k=%lu", what, k);
    }
}

static void mem_case_run(const struct mem_case *c)
{
    mem_setup(c);
    int rc = RUN(br_mem_run, &M.m);
    cr_assert_eq(rc, 0, "%s: %d (%s)", mem_describe(c), rc,
                 strio_strerror(rc));
    mem_check(0, 0);
}

Test(bufread_memstream, lockstep_pair_split_at_every_position)
{
    /* a lockstep send_all completes only when the reader took every
     * byte, so each piece arrives on its own: the producer's cuts are the
     * reader's receive boundaries */
    struct mem_case c = { .lockstep = 1, .cap = 64, .in = HTTPISH,
                          .delim = "\r\n" };
    size_t len = strlen(HTTPISH);
    mem_case_run(&c);
    for (size_t i = 1; i < len; i++) {
        c.ncuts = 1;
        c.cuts[0] = i;
        mem_case_run(&c);
        for (size_t j = i + 1; j < len; j++) {
            c.ncuts = 2;
            c.cuts[1] = j;
            mem_case_run(&c);
        }
    }
}

Test(bufread_memstream, fault_injection_many_seeds)
{
    unsigned long runs = 0, delays = 0, chunks = 0, receives = 0;
    for (uint64_t seed = 1; seed <= 150; seed++) {
        struct mem_case c = { .ring = 3 + seed % 9, .seed = seed,
                              .cap = 16 + seed % 5, .in = HTTPISH,
                              .delim = "\r\n" };
        c.lockstep = seed % 4 == 0;
        mem_case_run(&c);
        delays += M.fsend.delays + M.frecv.delays;
        chunks += M.fsend.send_chunks;
        receives += M.frecv.receives;
        c.mode = 1;
        c.cap = 12;
        c.in = PROTO_IN;
        mem_case_run(&c);
        runs += 2;
    }
    /* the faults really happened: more pieces than send_all calls, and
     * delays */
    cr_assert_gt(chunks, 150 * 10);
    cr_assert_gt(delays, 150);
    cr_log_info("fault injection: %lu runs, %lu send chunks, %lu receives, "
                "%lu delays", runs, chunks, receives, delays);
}

static const struct mem_case *mem_sweep_case;

static int scenario_mem(struct sweep_run *run)
{
    static struct br_mem_run_frame f;
    strio_task t;
    mem_setup(mem_sweep_case);
    M.m.target = &run->target;
    br_mem_run_start(&f, &M.m);
    strio_task_init(&t, br_mem_run_resume, &f, &f.strio_ret);
    int rc = strio_loop_run(&run->loop, &t);
    cr_assert_eq(f.strio_ret, 0, "%s, k=%lu: %d",
                 mem_describe(mem_sweep_case), run->k, f.strio_ret);
    return rc;
}

static void check_mem(struct sweep_run *run)
{
    mem_check(run->k, run->cancelled);
}

Test(bufread_sweep, memory_streams_with_faults_cancelled_anywhere)
{
    static const struct mem_case cases[] = {
        { .lockstep = 1, .cap = 16, .in = HTTPISH, .delim = "\r\n",
          .cuts = { 3, 15, 16, 30 }, .ncuts = 4 },
        { .ring = 5, .cap = 20, .in = HTTPISH, .delim = "\r\n",
          .seed = 11 },
        { .ring = 4, .cap = 12, .in = PROTO_IN, .mode = 1, .seed = 5 },
        { .lockstep = 1, .cap = 12, .in = PROTO_IN, .mode = 1, .seed = 9 },
    };
    unsigned long runs = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mem_sweep_case = &cases[i];
        struct sweep sw = { .name = "memory streams",
                            .scenario = scenario_mem, .check = check_mem };
        runs += sweep_cancellation(&sw);
    }
    cr_assert_gt(runs, 100, "only %lu runs", runs);
    cr_log_info("memory-stream sweep: %lu runs", runs);
}
