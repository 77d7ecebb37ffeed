/*
 * strio/conformance.h -- the stream conformance suite (Trio's
 * trio.testing.check_one_way_stream / check_two_way_stream /
 * check_half_closeable_stream), shipped as a testing helper.
 *
 * Give it a factory that makes fresh connected pairs of streams in your
 * memory; it runs every property of the contract written in strio/stream.h
 * against them, one property at a time, each on a fresh pair, and stops at
 * the first property that fails: it calls your `on_fail` callback with the
 * property's name and a message, and returns STRIO_CONFORMANCE_FAILED.
 * Nothing allocates: the suite's helper tasks (up to 4 at once), their
 * frames and buffers live in the caller's `strio_conformance` (about
 * 7 KiB on a 64-bit host; sizeof tells), the check functions' own frames
 * are small.
 *
 *     static int make(void *ctx, strio_stream **a, strio_stream **b)
 *     {
 *         struct my_pair *p = ctx;            // storage for one pair
 *         my_pair_init(p);
 *         *a = &p->left.base;                 // bytes sent on *a arrive
 *         *b = &p->right.base;                // at *b (and back, two-way)
 *         return 0;
 *     }
 *
 *     static const strio_stream_factory fac = {
 *         .name = "my pair", .ctx = &pair, .make = make,
 *         .clog_by_filling = 1,               // see "clogged pairs"
 *     };
 *
 *     async int check(void)                   // in annotated code
 *     {
 *         strio_conformance cf;
 *         strio_conformance_init(&cf);
 *         cf.on_fail = print_failure;         // (arg, property, message)
 *         return await strio_check_half_closeable_stream(&cf, &fac);
 *     }
 *
 * The factory
 * -----------
 * `make(ctx, &a, &b)` builds a fresh connected pair in caller memory and
 * returns 0 (or a negative error, which ends the check: property "factory").
 * For a one-way check, `a` sends and `b` receives; for the two-way and
 * half-closeable checks both ends do both, and the one-way properties run
 * twice, a->b and then b->a. The suite holds at most one pair at a time:
 * after a property it closes both ends (in a cancelled scope, so the close
 * must work from any state) and then calls `destroy(ctx, a, b)` (optional),
 * before it calls `make` again, so one pair's worth of storage is enough.
 *
 * Clogged pairs. Some properties need a pair whose sender is blocked: its
 * send_all and wait_send_all_might_not_block wait until the receiver
 * reads. Either `make_clogged` builds such a pair directly (a lockstep
 * pair, or a buffered pair made full; for two-way checks it must be clogged
 * in both directions), or, with `clog_by_filling` set, the suite makes an
 * ordinary pair and fills the direction under test itself: it sends
 * 4 KiB chunks until one send_all has been blocked for `settle` (that
 * send is then cancelled, like Trio's socket tests do) and a following
 * wait_send_all_might_not_block stays blocked for `settle` as well,
 * giving up with a failure after `clog_limit` bytes. (So with fault
 * injection, keep every injected delay shorter than `settle`.) With
 * neither, the clogged properties are skipped (counted in `skipped`).
 *
 * Time. The suite sleeps for `settle` where Trio waits until every other
 * task is blocked (wait_all_tasks_blocked). On a virtual clock with
 * autojump (strio_vclock_init(&vc, 0, 1)) that is exact and costs no real
 * time; on a real clock `settle` must be long enough for the other side to
 * block. Every property runs under a deadline of `timeout`; an operation
 * that never returns fails the property with "timed out".
 *
 * Results: 0 when every property held; STRIO_CONFORMANCE_FAILED after
 * on_fail reported the first failing one (cf->failed names it and
 * cf->message says why); the factory's error when `make` failed (also
 * reported, as property "factory"); STRIO_ECANCELED when a scope of the
 * caller cancelled the check (nothing reported).
 *
 * Properties
 * ----------
 * "s -> r" is the direction under test (a->b, and also b->a for two-way
 * streams; messages start with "[a->b]" or "[b->a]"). Every successful
 * operation the suite performs must have passed through a checkpoint (the
 * task suspended at least once: strio_task.switches grew); every
 * receive_some must return at most `max` bytes. (Tn) is the property's
 * number in the list of Trio's checks in ../shared/reference/trio-io.md
 * section 2.4 (testing/_check_streams.py); "gap" marks one Trio does not
 * check.
 *
 * One-way (s -> r):
 *   ops_offered              s offers send_all, wait_send_all_might_not_
 *                            block and close; r offers receive_some and
 *                            close (T1).
 *   send_receive             send_all("x") and receive_some(max 1) in two
 *                            tasks: r gets "x"; both checkpoint (T2).
 *   send_empty               send_all of 0 bytes returns 0, checkpoints,
 *                            and is not an end of stream: a pending
 *                            receive stays pending and then gets the next
 *                            byte sent (T3).
 *   receive_max_zero         receive_some(max 0) gives -EINVAL and leaves
 *                            the stream usable (T5).
 *   receive_honours_max      100 bytes read with max = 1, 2, 3, ...: each
 *                            receive returns 1..max bytes, in order (gap).
 *   receive_busy             a second receive_some while one is pending
 *                            gives STRIO_EBUSY at once (without
 *                            suspending); the pending one is then
 *                            cancelled cleanly: STRIO_ECANCELED (T7).
 *   send_busy                a second send_all while one is in flight
 *                            gives STRIO_EBUSY at once and sends nothing;
 *                            r receives exactly the first one's bytes.
 *   wait_send_busy           send_all / wait_send_all_might_not_block
 *                            against each other, in both orders and
 *                            wait/wait: the second gives STRIO_EBUSY at
 *                            once (T24-T25, on an ordinary pair).
 *   send_eof_busy            (s offers send_eof) send_eof while a send_all
 *                            or a wait is in flight: STRIO_EBUSY at once,
 *                            no EOF is sent (T42-T43, ordinary pair).
 *   wait_send_returns        with a receive pending in another task,
 *                            wait_send_all_might_not_block returns 0 with a
 *                            checkpoint; the receive is then cancelled
 *                            cleanly (T8).
 *   receive_cancel_keeps_stream
 *                            a pending receive_some cancelled returns
 *                            STRIO_ECANCELED; bytes sent afterwards all
 *                            arrive, nothing more (gap).
 *   receive_cancel_race      40 small sends at 1 ms steps against receives
 *                            (max 1..8) whose deadlines fall on the same
 *                            instants, half-way between, or have already
 *                            passed: every byte arrives exactly once and
 *                            in order, so a cancelled receive took nothing
 *                            (gap; after 3 cancelled receives in a row one
 *                            runs without a deadline, so slow streams
 *                            progress).
 *   receive_cancel_sweep     a receive_some cancelled after k turns of the
 *                            scheduler, for k = 0, 1, 2, ... while a small
 *                            send runs: it returns the bytes or
 *                            STRIO_ECANCELED, and every byte it did not
 *                            return still arrives (a completed receive is
 *                            never reported as cancelled) (gap: #77).
 *   bulk_random_chunks       `bulk_bytes` bytes (more than any buffer),
 *                            send_all chunks of 1..CHUNK bytes, receive max
 *                            1..CHUNK, concurrently: identical data, no
 *                            empty receive, nothing extra afterwards.
 *   bulk_one_byte_receives   min(bulk_bytes, 4096) bytes read with max 1.
 *   bulk_large_sends         `bulk_bytes` bytes in send_all calls of
 *                            3 * CHUNK bytes each.
 *   bulk_one_byte_sends      min(bulk_bytes, 2048) bytes sent 1 at a time.
 *   cancelled_ops            in an already-cancelled scope, send_all (1 and
 *                            0 bytes), wait_send_all_might_not_block,
 *                            send_eof (if offered) and receive_some all
 *                            return STRIO_ECANCELED: every operation is a
 *                            checkpoint. Afterwards closing s and r
 *                            concurrently both succeed with checkpoints
 *                            (T20-T21).
 *   close_idempotent         close s three times and r three times: each
 *                            returns 0 with a checkpoint (T12-T13, T15).
 *   ops_after_close          after its own close, every operation the end
 *                            offers (send_all with 100 and 0 bytes, wait_
 *                            send_all_might_not_block, send_eof,
 *                            receive_some) returns STRIO_ECLOSED (T11, T14).
 *   close_wakes_receive      a receive_some pending on r returns
 *                            STRIO_ECLOSED when another task closes r (T22).
 *   graceful_close_keeps_data
 *                            one task sends "y" and closes s; the reader,
 *                            starting after that, gets "y", then 0 (end of
 *                            stream), and 0 again: EOF is sticky (T16).
 *   peer_close_wakes_receive a receive_some pending on r returns 0 when s
 *                            is closed (gap; T35 for one-way streams).
 *   receiver_close_breaks_sender
 *                            a task sending in a loop while another closes
 *                            r eventually gets STRIO_EBROKEN (not
 *                            STRIO_ECLOSED, no hang), and send_all keeps
 *                            failing with STRIO_EBROKEN (T9-T10).
 *   forced_receiver_close    after r is closed in a cancelled scope,
 *                            sending fails with STRIO_EBROKEN and r's
 *                            receive_some with STRIO_ECLOSED (T17).
 *   forced_sender_close      after s is closed in a cancelled scope, its
 *                            send_all gives STRIO_ECLOSED and r's
 *                            receive_some gives 0 or STRIO_EBROKEN (T18).
 *   cancelled_close_releases closing r and s in cancelled scopes still
 *                            closes them: send_all and receive_some then
 *                            give STRIO_ECLOSED (T19).
 * One-way, on a clogged pair (skipped without one):
 *   clogged_wait_send_blocks wait_send_all_might_not_block blocks while the
 *                            pair is clogged and returns 0 only after a
 *                            receiver starts reading; the order must be
 *                            exactly "waiting, receiver starts, woke" (T23).
 *   (In the four *_busy ones below both operations start at once and the
 *   second must fail with STRIO_EBUSY without suspending; the first is
 *   then cancelled, and may have completed instead.)
 *   clogged_wait_send_busy   two waits: the second gives STRIO_EBUSY (T24).
 *   clogged_wait_then_send_busy
 *                            send_all during a pending wait: STRIO_EBUSY
 *                            (T25).
 *   clogged_send_then_wait_busy
 *                            a wait during a pending send_all: STRIO_EBUSY.
 *   clogged_send_busy        two send_all: the second gives STRIO_EBUSY
 *                            (T26).
 *   clogged_send_eof_busy    (s offers send_eof) send_eof during a pending
 *                            wait, then during a pending send_all:
 *                            STRIO_EBUSY (T42-T43).
 *   (The ones below and clogged_send_cancel need the operation still
 *   pending after `settle`, else they fail with "the pair is not
 *   clogged".)
 *   clogged_receiver_close_wakes_wait_send
 *                            a pending wait returns 0 or STRIO_EBROKEN when
 *                            r is closed (in a cancelled scope) (T27).
 *   clogged_wait_send_after_receiver_close
 *                            a new wait after that: 0 or STRIO_EBROKEN (T28).
 *   clogged_close_wakes_send a pending send_all returns STRIO_ECLOSED when
 *                            another task closes s in a cancelled scope
 *                            (T29).
 *   clogged_close_wakes_wait_send
 *                            likewise for a pending wait (T30).
 *   clogged_send_cancel      a pending send_all cancelled returns
 *                            STRIO_ECANCELED -- an unknown amount was sent,
 *                            as documented -- and close still works:
 *                            send_all then gives STRIO_ECLOSED, and r reads
 *                            whatever arrived, then 0 or STRIO_EBROKEN
 *                            (gap: Trio's #77).
 * Two-way (a <-> b):
 *   two_way_ops_offered      both ends offer send_all, wait_send_all_might_
 *                            not_block, receive_some and close (T33).
 *   duplex_stress            both ends send `bulk_bytes` bytes (chunks of
 *                            1..CHUNK) while both receive (max 1..CHUNK),
 *                            all four at once: identical data both ways,
 *                            no deadlock (T34).
 *   send_while_receive_pending
 *                            a receive pending on a does not keep a from
 *                            sending, and it gets what b sends later (gap).
 *   close_gives_peer_eof     closing a makes b's pending receive_some
 *                            return 0; b then closes (T35).
 * Half-closeable:
 *   half_ops_offered         both ends offer send_eof (T37).
 *   send_eof_delivers_eof    send_all("x"), send_eof (0, checkpoint); the
 *                            peer reads "x" then 0 (T38).
 *   send_after_send_eof      send_all after send_eof: STRIO_ECLOSED (T39).
 *   send_eof_idempotent      a second send_eof returns 0 with a checkpoint
 *                            (T40).
 *   receive_after_send_eof   after a's send_eof, b can still send to a: a
 *                            reads "x" then 0 (T41).
 *   send_eof_wakes_receive   a receive_some pending on b returns 0 when a
 *                            sends EOF (gap).
 *
 * What a C suite cannot check and Trio does: argument types (bytearray,
 * memoryview, float max_bytes), receive_some(None). Not checked: that
 * wait_send_all_might_not_block never returns late, beyond the clogged
 * case (as in Trio).
 */
#ifndef STRIO_CONFORMANCE_H
#define STRIO_CONFORMANCE_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include <strio/async.h>
#include <strio/cancel.h>
#include <strio/nursery.h>
#include <strio/stream.h>
#include <strio/sync.h>
#include <strio/time.h>

/* What the check functions return when a property failed. */
#define STRIO_CONFORMANCE_FAILED (-EPROTO)

/* Bytes of one chunk buffer (the suite keeps four in its workspace). */
#define STRIO_CONFORMANCE_CHUNK 1024

/* Room for a failure message, terminating NUL included. */
#define STRIO_CONFORMANCE_MSG 200

typedef struct strio_stream_factory strio_stream_factory;
typedef struct strio_conformance strio_conformance;

struct strio_stream_factory {
    const char *name;           /* for messages; may be NULL */
    void *ctx;                  /* handed to every callback */
    /* A fresh connected pair (see above): 0, or a negative error. */
    int (*make)(void *ctx, strio_stream **a, strio_stream **b);
    /* A fresh clogged pair; NULL: see clog_by_filling. */
    int (*make_clogged)(void *ctx, strio_stream **a, strio_stream **b);
    /* Releases a pair after the suite closed both ends; may be NULL. */
    void (*destroy)(void *ctx, strio_stream *a, strio_stream *b);
    /* Without make_clogged: clog ordinary pairs by sending until blocked. */
    int clog_by_filling;
};

/* Clears `cf` (workspace included) and sets the defaults below. */
void strio_conformance_init(strio_conformance *cf);

/* The name of property `i` (0, 1, ...; in the order they run), NULL after
 * the last one. */
const char *strio_conformance_property(unsigned i);

/*
 * async int strio_check_one_way_stream(strio_conformance *cf,
 *                                      const strio_stream_factory *f)
 * async int strio_check_two_way_stream(...)
 * async int strio_check_half_closeable_stream(...)
 *
 * The one-way properties (a -> b); the two-way check adds them b -> a and
 * the two-way ones; the half-closeable check adds the half-closeable ones.
 * `cf` (initialized with strio_conformance_init, then configured) must
 * not be used by another check at the same time. Results: see above.
 */
STRIO_ASYNC_DECL(int strio_check_one_way_stream(strio_conformance *cf, const strio_stream_factory *factory))
STRIO_ASYNC_DECL(int strio_check_two_way_stream(strio_conformance *cf, const strio_stream_factory *factory))
STRIO_ASYNC_DECL(int strio_check_half_closeable_stream(strio_conformance *cf, const strio_stream_factory *factory))

/* ======================================================================== */
/* Private: the suite's workspace (helper tasks, buffers). Do not touch.    */
/* ======================================================================== */

#define STRIO_CF_JOBS 4             /* helper tasks at once */
#define STRIO_CF_FILL 128           /* filler bytes (ops after close) */
#define STRIO_CF_SMALL 128          /* the checking task's receive buffer */

/* What a helper task does. */
enum {
    STRIO_CF_OP_SEND = 1,       /* send_all(data, len) */
    STRIO_CF_OP_WAIT_SEND,      /* wait_send_all_might_not_block */
    STRIO_CF_OP_SEND_EOF,       /* send_eof */
    STRIO_CF_OP_RECEIVE,        /* receive_some(buf, max) */
    STRIO_CF_OP_CLOSE,          /* close */
    STRIO_CF_OP_SEND_CLOSE,     /* send_all(data, len), then close */
    STRIO_CF_OP_SEND_EOF_AFTER, /* send_all(data, len), then send_eof */
    STRIO_CF_OP_SEND_LOOP,      /* send_all(data, len) until an error */
    STRIO_CF_OP_RECEIVE_LOOP,   /* receive_some(buf, max) until <= 0 */
    STRIO_CF_OP_BULK_SEND,      /* `total` pattern bytes, random chunks */
    STRIO_CF_OP_BULK_RECEIVE,   /* `total` pattern bytes, random max */
    STRIO_CF_OP_TIMED_SEND      /* `total` small sends at 1 ms steps */
};

/* Properties, in the order they run (names: strio_conformance_property). */
enum {
    /* one-way */
    STRIO_CF_P_OPS_OFFERED, STRIO_CF_P_SEND_RECEIVE, STRIO_CF_P_SEND_EMPTY,
    STRIO_CF_P_RECEIVE_MAX_ZERO, STRIO_CF_P_RECEIVE_HONOURS_MAX,
    STRIO_CF_P_RECEIVE_BUSY, STRIO_CF_P_SEND_BUSY, STRIO_CF_P_WAIT_SEND_BUSY,
    STRIO_CF_P_SEND_EOF_BUSY, STRIO_CF_P_WAIT_SEND_RETURNS,
    STRIO_CF_P_RECEIVE_CANCEL_KEEPS, STRIO_CF_P_RECEIVE_CANCEL_RACE,
    STRIO_CF_P_RECEIVE_CANCEL_SWEEP, STRIO_CF_P_BULK_RANDOM,
    STRIO_CF_P_BULK_ONE_BYTE_RECEIVES, STRIO_CF_P_BULK_LARGE_SENDS,
    STRIO_CF_P_BULK_ONE_BYTE_SENDS, STRIO_CF_P_CANCELLED_OPS,
    STRIO_CF_P_CLOSE_IDEMPOTENT, STRIO_CF_P_OPS_AFTER_CLOSE,
    STRIO_CF_P_CLOSE_WAKES_RECEIVE, STRIO_CF_P_GRACEFUL_CLOSE,
    STRIO_CF_P_PEER_CLOSE_WAKES_RECEIVE, STRIO_CF_P_RECEIVER_CLOSE_BREAKS,
    STRIO_CF_P_FORCED_RECEIVER_CLOSE, STRIO_CF_P_FORCED_SENDER_CLOSE,
    STRIO_CF_P_CANCELLED_CLOSE_RELEASES,
    /* one-way, clogged */
    STRIO_CF_P_CLOGGED_WAIT_BLOCKS, STRIO_CF_P_CLOGGED_WAIT_BUSY,
    STRIO_CF_P_CLOGGED_WAIT_THEN_SEND, STRIO_CF_P_CLOGGED_SEND_THEN_WAIT,
    STRIO_CF_P_CLOGGED_SEND_BUSY, STRIO_CF_P_CLOGGED_EOF_BUSY,
    STRIO_CF_P_CLOGGED_RCLOSE_WAKES_WAIT, STRIO_CF_P_CLOGGED_WAIT_AFTER_RCLOSE,
    STRIO_CF_P_CLOGGED_CLOSE_WAKES_SEND, STRIO_CF_P_CLOGGED_CLOSE_WAKES_WAIT,
    STRIO_CF_P_CLOGGED_SEND_CANCEL,
    /* two-way */
    STRIO_CF_P_TWO_OPS_OFFERED, STRIO_CF_P_DUPLEX_STRESS,
    STRIO_CF_P_SEND_WHILE_RECEIVE, STRIO_CF_P_CLOSE_GIVES_PEER_EOF,
    /* half-closeable */
    STRIO_CF_P_HALF_OPS_OFFERED, STRIO_CF_P_SEND_EOF_DELIVERS,
    STRIO_CF_P_SEND_AFTER_EOF, STRIO_CF_P_SEND_EOF_IDEMPOTENT,
    STRIO_CF_P_RECEIVE_AFTER_EOF, STRIO_CF_P_SEND_EOF_WAKES_RECEIVE,
    STRIO_CF_P_COUNT
};

/* Property kinds (flags). */
enum {
    STRIO_CF_K_ONE = 1,         /* one-way: runs once per direction */
    STRIO_CF_K_TWO = 2,         /* two-way */
    STRIO_CF_K_HALF = 4,        /* half-closeable */
    STRIO_CF_K_CLOG = 8,        /* needs a clogged pair */
    STRIO_CF_K_EOF = 16         /* only if the sending end offers send_eof */
};

/* One helper task's operation, arguments and outcome. */
struct strio_cf_job {
    unsigned char op;
    unsigned char started, done, cancel_early;
    char log_before, log_after; /* appended to the run's log around it */
    const char *what;           /* operation name, for messages */
    strio_stream *s;
    const unsigned char *data;
    size_t len;
    unsigned char *buf;
    size_t max;
    unsigned long total, count; /* bulk: bytes to move, bytes moved */
    size_t lo, hi;              /* chunk (send) or max (receive) range */
    uint32_t seed, key;         /* chunk sizes, data stream */
    long result;
    unsigned long yields;       /* suspensions during the operation */
    strio_cancel_scope *scope;  /* the job's scope while it runs */
    strio_event done_ev;
};

/* The state of one check. */
struct strio_cf_run {
    strio_conformance *cf;
    const strio_stream_factory *fac;
    strio_pool *pool;
    strio_nursery n;
    strio_cancel_scope *deadline;   /* the property's, while it runs */
    strio_stream *a, *b;            /* the pair as made */
    strio_stream *s, *r;            /* direction under test: s sends */
    int flipped;                    /* s is b */
    int one_way;                    /* the property is a one-way one */
    const char *prop;
    int failed;                     /* the first failure is recorded */
    int factory_rc;                 /* make's error, if that failed */
    unsigned mlen;                  /* length of cf->message */
    char log[16];
    unsigned nlog;
    struct strio_cf_job jobs[STRIO_CF_JOBS];
    unsigned char mem[STRIO_CF_JOBS * STRIO_CONFORMANCE_CHUNK];
    unsigned char small[STRIO_CF_SMALL];
    unsigned char fill[STRIO_CF_FILL];
};

/* The frames of the functions above and of the helper task (generated
 * from runtime/src/conformance_impl.sc; named so because a generated
 * header must not shadow this hand-written one). */
#include <strio/conformance_impl.h>

struct strio_conformance {
    /* ---- set by the caller (strio_conformance_init sets the defaults) */
    /* The first failure: the property's name (one of the names above, or
     * "factory") and a message. May be NULL. */
    void (*on_fail)(void *arg, const char *property, const char *message);
    /* Called as each property starts (tracing); may be NULL. */
    void (*on_check)(void *arg, const char *property);
    void *arg;
    unsigned long bulk_bytes;   /* per direction in the bulk properties;
                                   default 65536 */
    unsigned long clog_limit;   /* clog_by_filling gives up after this many
                                   bytes; default 1 MiB */
    strio_time settle;          /* "until the others are blocked"; 1 ms */
    strio_time timeout;         /* per property; default 10 s */
    unsigned long seed;         /* data and chunk sizes; default 1 */

    /* ---- results */
    const char *failed;         /* name of the failed property, or NULL */
    char message[STRIO_CONFORMANCE_MSG];
    unsigned checked;           /* properties run (each direction counts) */
    unsigned skipped;           /* clogged ones without a clogged pair */

    /* ---- private workspace: helper tasks, their frames, buffers */
    struct strio_cf_run run;
    struct {
        strio_pool pool;
        strio_task tasks[STRIO_CF_JOBS];
        struct strio_cf_actor_frame frames[STRIO_CF_JOBS];
    } ws;
};

#endif
