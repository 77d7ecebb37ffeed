/*
 * Memory streams, lockstep streams, stapled streams, the pump and fault
 * injection (strio/memstream.h, strio/stapled.h).
 *
 * The task logic is in memstream_tasks.sc; each test here runs one of its
 * roots on a loop with an autojumping virtual clock and checks what the
 * tasks logged in a `struct ms_ctx`. Common invariants after every run:
 * the loop returned 0 (no deadlock), no task is left, no timer is armed
 * and every pool slot came back.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include <strio/strio.h>
#include <strio/memstream.h>

#include "memstream_tasks.h"
#include "sweep.h"

/* Plain C functions of memstream_tasks.sc (the generated header carries
 * only its types and async functions). */
void ms_pool_reset(void);
unsigned ms_pool_used(void);
void ms_ctx_init(struct ms_ctx *c);
uint64_t ms_rand(uint64_t *state);
unsigned char ms_pattern(uint64_t seed, size_t pos);
void ms_setup_standalone(struct ms_ctx *c, size_t cap_s, size_t cap_r);
void ms_setup_trio_pair(struct ms_ctx *c, size_t cap_s, size_t cap_r);
void ms_set_hooks(struct ms_ctx *c);

#define EC STRIO_ECANCELED
#define SEC(x) STRIO_SEC(x)
#define MS(x) STRIO_MS(x)

static strio_vclock vc;
static strio_loop loop;
static struct ms_ctx C;
static unsigned long suspensions;

static void on_suspend(strio_loop *l, strio_task *t, void *arg)
{
    (void)l;
    (void)t;
    (void)arg;
    suspensions++;
}

static void fresh(void)
{
    strio_vclock_init(&vc, 0, 1);
    strio_loop_init(&loop, &vc.clock, NULL);
    loop.on_suspend = on_suspend;
    suspensions = 0;
    ms_ctx_init(&C);
}

#define RUN(fn, ...)                                                      \
    do {                                                                  \
        static struct fn##_frame fr_;                                     \
        strio_task t_;                                                    \
        fn##_start(&fr_, __VA_ARGS__);                                    \
        strio_task_init(&t_, fn##_resume, &fr_, &fr_.strio_ret);          \
        int rc_ = strio_loop_run(&loop, &t_);                             \
        cr_assert_eq(rc_, 0, #fn ": loop returned %d (%s)", rc_,          \
                     strio_strerror(rc_));                                \
        cr_assert_eq(fr_.strio_ret, 0, #fn " returned %d (%s)",           \
                     fr_.strio_ret, strio_strerror(fr_.strio_ret));       \
        cr_assert_eq(loop.tasks, 0, #fn ": %lu tasks left", loop.tasks);  \
        cr_assert_eq(loop.timers.count, 0, #fn ": timers left armed");    \
        cr_assert_eq(ms_pool_used(), 0, #fn ": pool slots leaked");       \
        cr_assert_eq(C.spawn_errors, 0, #fn ": pool too small");          \
    } while (0)

#define EQ(a, b) cr_assert_eq((long)(a), (long)(b), "%s = %ld, want %ld", \
                              #a, (long)(a), (long)(b))
#define GOT(i, str) cr_assert(memcmp(C.got[i], str, strlen(str)) == 0,     \
                              "got[%d] = \"%.*s\", want \"%s\"", i,       \
                              (int)strlen(str), (const char *)C.got[i], str)

/* ======================================================================== */
/* Data integrity                                                           */
/* ======================================================================== */

static void direction(int d, strio_stream *tx, strio_stream *rx, size_t total,
                      size_t send_max, size_t recv_max, int finish)
{
    C.tx[d] = tx;
    C.rx[d] = rx;
    C.total[d] = total;
    C.send_max[d] = send_max;
    C.recv_max[d] = recv_max;
    C.finish[d] = finish;
}

static void check_direction(int d)
{
    cr_assert_eq(C.send_rc[d], 0, "dir %d: send_all failed: %s", d,
                 strio_strerror(C.send_rc[d]));
    cr_assert_eq(C.fin_rc[d], 0, "dir %d: eof/close failed", d);
    cr_assert_eq(C.recv_rc[d], 0, "dir %d: receive failed: %s", d,
                 strio_strerror(C.recv_rc[d]));
    cr_assert_eq(C.sent[d], C.total[d], "dir %d: sent %zu of %zu", d,
                 C.sent[d], C.total[d]);
    cr_assert_eq(C.received[d], C.total[d], "dir %d: received %zu of %zu",
                 d, C.received[d], C.total[d]);
    cr_assert_eq(C.bad[d], 0, "dir %d: %ld bytes corrupted", d, C.bad[d]);
    cr_assert_eq(C.too_big[d], 0, "dir %d: reads longer than asked", d);
    cr_assert(C.eof[d], "dir %d: no end of stream", d);
}

Test(memstream_transfer, buffered_odd_chunks_through_small_ring)
{
    fresh();
    strio_memory_stream_one_way_pair_init(&C.one, C.ring[2], 7);
    direction(0, &C.one.send.base, &C.one.receive.base, 200000, 1000, 333,
              MS_FIN_CLOSE);
    C.rclose[0] = 1;
    RUN(ms_root_transfer, &C, 1, 0);
    check_direction(0);
    /* a 7-byte ring never hands out more than 7 bytes at once */
    for (int i = 0; i < C.rlog_n[0]; i++)
        cr_assert_leq(C.rlog[0][i], 7);
}

Test(memstream_transfer, buffered_ring_of_one_byte)
{
    fresh();
    strio_memory_stream_one_way_pair_init(&C.one, C.ring[2], 1);
    direction(0, &C.one.send.base, &C.one.receive.base, 5000, 37, 5,
              MS_FIN_CLOSE);
    RUN(ms_root_transfer, &C, 1, 0);
    check_direction(0);
    EQ(C.chunks[0], 5000);
}

Test(memstream_transfer, lockstep_odd_chunks)
{
    fresh();
    strio_lockstep_stream_one_way_pair_init(&C.one);
    direction(0, &C.one.send.base, &C.one.receive.base, 100000, 777, 100,
              MS_FIN_CLOSE);
    C.rclose[0] = 1;
    RUN(ms_root_transfer, &C, 1, 0);
    check_direction(0);
}

Test(memstream_transfer, duplex_buffered_pair)
{
    fresh();
    strio_memory_stream_pair_init(&C.two, C.ring[0], 13, C.ring[1], 29);
    direction(0, &C.two.a.base, &C.two.b.base, 150000, 4096, 1500,
              MS_FIN_EOF);
    direction(1, &C.two.b.base, &C.two.a.base, 150000, 333, 4096,
              MS_FIN_EOF);
    RUN(ms_root_transfer, &C, 2, 0);
    check_direction(0);
    check_direction(1);
}

Test(memstream_transfer, duplex_lockstep_pair)
{
    fresh();
    strio_lockstep_stream_pair_init(&C.two);
    direction(0, &C.two.a.base, &C.two.b.base, 120000, 4096, 999,
              MS_FIN_EOF);
    direction(1, &C.two.b.base, &C.two.a.base, 120000, 50, 4096,
              MS_FIN_EOF);
    RUN(ms_root_transfer, &C, 2, 0);
    check_direction(0);
    check_direction(1);
}

Test(memstream_transfer, trio_pair_pumped_by_hooks)
{
    fresh();
    ms_setup_trio_pair(&C, 16, 16);
    direction(0, &C.ss.base, &C.rs.base, 50000, 100, 40, MS_FIN_CLOSE);
    RUN(ms_root_transfer, &C, 1, 0);
    check_direction(0);
}

Test(memstream_transfer, standalone_streams_joined_by_async_pump)
{
    fresh();
    ms_setup_standalone(&C, 32, 8);
    direction(0, &C.ss.base, &C.rs.base, 50000, 100, 40, MS_FIN_CLOSE);
    C.max[4] = 5;
    RUN(ms_root_transfer, &C, 1, 1);
    check_direction(0);
    EQ(C.pumped, 50000);
    EQ(C.lres[4], 0);       /* the pump ended with the end of stream */
}

Test(memstream_transfer, duplex_through_fault_wrappers)
{
    fresh();
    strio_memory_stream_pair_init(&C.two, C.ring[0], 64, C.ring[1], 17);
    strio_fault_config cfg = { .seed = 7, .send_chunk_max = 100,
                               .receive_max = 50, .delay_max = MS(3),
                               .delay_percent = 20 };
    strio_fault_stream_init(&C.f[0], &C.two.a.base, &cfg);
    cfg.seed = 8;
    strio_fault_stream_init(&C.f[1], &C.two.b.base, &cfg);
    direction(0, &C.f[0].base, &C.f[1].base, 60000, 4096, 4096, MS_FIN_EOF);
    direction(1, &C.f[1].base, &C.f[0].base, 60000, 999, 4096, MS_FIN_EOF);
    RUN(ms_root_transfer, &C, 2, 0);
    check_direction(0);
    check_direction(1);
    cr_assert_gt(C.f[0].delays, 0);
    cr_assert_gt(C.f[0].delayed, 0);
    cr_assert_gt(C.t_end, 0, "delays took virtual time");
    cr_assert_geq(C.f[0].send_chunks, 600, "60000 bytes in chunks <= 100");
    for (int d = 0; d < 2; d++)
        for (int i = 0; i < C.rlog_n[d]; i++)
            cr_assert_leq(C.rlog[d][i], 50, "short reads of <= receive_max");
}

/* ======================================================================== */
/* Blocking: full ring, empty ring                                          */
/* ======================================================================== */

Test(memstream_blocking, send_waits_while_the_ring_is_full)
{
    fresh();
    RUN(ms_root_full, &C);
    EQ(C.r[0], 8);              /* t=1s: ring full, sender waits */
    EQ(C.r[1], 0);
    EQ(C.l[0], 8);
    GOT(0, "abcdefgh");
    EQ(C.r[2], 8);              /* t=2s: refilled, still waiting */
    EQ(C.r[3], 0);
    EQ(C.l[1], 8);
    GOT(1, "ijklmnop");
    EQ(C.r[4], 4);              /* t=3s: the last 4 bytes, sender done */
    EQ(C.r[5], 1);
    EQ(C.l[2], 4);
    GOT(2, "qrst");
    EQ(C.res[0], 0);
    EQ(C.t_done[0], SEC(2));    /* when room came for the last portion */
    EQ(C.r[7], 0);              /* fills the ring exactly */
    EQ(C.r[8], 0);              /* wait_send still waiting at t=4s */
    EQ(C.l[3], 1);
    EQ(C.res[1], 0);
    EQ(C.t_done[1], SEC(4));    /* ... returned once a byte was taken */
}

Test(memstream_blocking, receive_waits_while_the_ring_is_empty)
{
    fresh();
    RUN(ms_root_empty, &C);
    EQ(C.r[0], 0);
    EQ(C.r[1], 0);
    EQ(C.res[0], 0);
    EQ(C.lres[0], 3);
    cr_assert(memcmp(C.buf[0], "xyz", 3) == 0);
    EQ(C.t_done[0], SEC(1));
}

/* ======================================================================== */
/* Lockstep                                                                 */
/* ======================================================================== */

Test(memstream_lockstep, send_completes_when_everything_was_taken)
{
    fresh();
    strio_lockstep_stream_one_way_pair_init(&C.one);
    RUN(ms_root_lockstep_send, &C);
    EQ(C.r[0], 10);             /* offered, not buffered anywhere */
    EQ(C.r[1], 0);
    EQ(C.l[0], 3);
    GOT(0, "012");
    EQ(C.r[2], 7);
    EQ(C.r[3], 0);
    EQ(C.l[1], 3);
    GOT(1, "345");
    EQ(C.r[4], 4);
    EQ(C.r[5], 0);              /* still not done before the last read */
    EQ(C.l[2], 4);
    GOT(2, "6789");
    EQ(C.res[0], 0);
    EQ(C.t_done[0], SEC(3));
    EQ(C.r[7], 0);
    EQ(C.r[8], 0);              /* empty send: no receiver needed */
}

Test(memstream_lockstep, wait_send_waits_for_a_receiver)
{
    fresh();
    strio_lockstep_stream_one_way_pair_init(&C.one);
    RUN(ms_root_lockstep_wait, &C);
    EQ(C.r[0], 0);              /* nobody receives: still waiting */
    EQ(C.r[1], STRIO_EBUSY);    /* the send slot is the waiter's */
    EQ(C.r[2], 1);
    EQ(C.res[0], 0);
    EQ(C.t_done[0], SEC(1));    /* woke when the receiver came */
    EQ(C.r[3], 0);
    EQ(C.lres[1], 1);
    cr_assert_eq(C.buf[1][0], 'x');
}

Test(memstream_lockstep, cancelled_or_closed_sender_withdraws_the_rest)
{
    fresh();
    strio_lockstep_stream_one_way_pair_init(&C.one);
    RUN(ms_root_lockstep_cancel, &C);
    EQ(C.l[0], 3);
    GOT(0, "012");
    EQ(C.r[0], 1);
    EQ(C.res[0], EC);           /* cancelled after 3 of 10 bytes */
    EQ(C.r[1], 0);              /* the other 7 were withdrawn */
    EQ(C.l[1], 3);
    GOT(1, "abc");              /* the next send's bytes, not "3456789" */
    EQ(C.res[1], 0);
    EQ(C.l[2], 3);
    GOT(2, "012");
    EQ(C.r[3], 0);
    EQ(C.res[2], STRIO_ECLOSED);
    EQ(C.l[3], 0);              /* end of stream, not the withdrawn rest */
}

/* ======================================================================== */
/* End of stream, close, broken                                             */
/* ======================================================================== */

static void check_eof(void)
{
    EQ(C.res[0], 0);
    EQ(C.res2[0], 0);
    EQ(C.l[0], 5);
    GOT(0, "hello");
    EQ(C.l[1], 0);
    EQ(C.l[2], 0);              /* and again */
    EQ(C.r[1], STRIO_ECLOSED);
    EQ(C.r[2], STRIO_ECLOSED);
    EQ(C.r[3], STRIO_ECLOSED);
    EQ(C.r[4], 0);
    EQ(C.r[5], 0);
    EQ(C.r[6], 0);
    EQ(C.l[3], STRIO_ECLOSED);
    EQ(C.r[7], 0);
}

Test(memstream_close, buffered_data_survives_a_graceful_close)
{
    fresh();
    RUN(ms_root_eof, &C);
    check_eof();
    EQ(C.t_done[0], 0);         /* buffered: the sender did not wait */
}

Test(memstream_close, lockstep_data_survives_a_graceful_close)
{
    fresh();
    strio_lockstep_stream_one_way_pair_init(&C.one);
    RUN(ms_root_eof, &C);
    check_eof();
    EQ(C.t_done[0], SEC(1));    /* lockstep: until the reader came */
}

static void check_broken(void)
{
    EQ(C.r[0], 0);
    EQ(C.res[0], STRIO_EBROKEN);
    EQ(C.r[2], STRIO_EBROKEN);  /* sticky */
    EQ(C.r[3], STRIO_EBROKEN);
    EQ(C.r[4], 0);              /* a send would not block: it fails */
    EQ(C.l[0], STRIO_ECLOSED);
    EQ(C.r[5], 0);
    EQ(C.r[6], 0);
    EQ(C.r[7], STRIO_ECLOSED);  /* our own close comes first */
    EQ(C.r[8], 0);              /* nothing left buffered */
}

Test(memstream_close, peer_close_breaks_the_sender_buffered)
{
    fresh();
    RUN(ms_root_broken, &C);
    check_broken();
    EQ(C.lres[0], 0);           /* no 100-byte block fitted a 16-byte ring */
}

Test(memstream_close, peer_close_breaks_the_sender_lockstep)
{
    fresh();
    strio_lockstep_stream_one_way_pair_init(&C.one);
    RUN(ms_root_broken, &C);
    check_broken();
}

Test(memstream_close, close_wakes_pending_operations)
{
    fresh();
    RUN(ms_root_close_wakes, &C);
    /* own receive close: pending receive -> ECLOSED */
    EQ(C.r[0], 0);
    EQ(C.r[1], 0);
    EQ(C.res[0], STRIO_ECLOSED);
    EQ(C.t_done[0], MS(1));
    /* own send close: pending send -> ECLOSED, buffered bytes survive */
    EQ(C.r[3], 0);
    EQ(C.r[4], 0);
    EQ(C.r[5], 0);
    EQ(C.res[1], STRIO_ECLOSED);
    EQ(C.l[0], 4);
    GOT(0, "abcd");
    EQ(C.l[1], 0);
    /* peer close: pending send -> EBROKEN, data dropped; a second sender
     * entering meanwhile was busy */
    EQ(C.r[8], 0);
    EQ(C.r[9], 0);
    EQ(C.res[2], STRIO_EBROKEN);
    EQ(C.res[3], STRIO_EBUSY);
    EQ(C.r[10], 0);
    /* peer close: pending wait_send returns */
    EQ(C.r[13], 0);
    EQ(C.r[14], 0);
    EQ(C.res[4], 0);
}

Test(memstream_close, cancelled_close_still_closes)
{
    fresh();
    RUN(ms_root_cancelled_close, &C);
    EQ(C.r[0], 0);
    EQ(C.r[1], EC);             /* not graceful (cancelled)... */
    EQ(C.r[2], EC);
    EQ(C.r[3], EC);
    EQ(C.r[4], 0);
    EQ(C.r[5], STRIO_ECLOSED);  /* ...but closed */
    EQ(C.l[0], STRIO_ECLOSED);
    EQ(C.r[6], STRIO_ECLOSED);
    EQ(C.l[1], STRIO_ECLOSED);
    EQ(C.l[2], 2);              /* sent before the close: still delivered */
    GOT(1, "ab");
    EQ(C.l[3], 0);
    EQ(C.r[7], STRIO_EBROKEN);
}

Test(memstream_close, operations_in_a_cancelled_scope_do_nothing)
{
    fresh();
    RUN(ms_root_cancel_at_entry, &C);
    EQ(C.r[0], 0);
    EQ(C.l[0], EC);
    EQ(C.r[1], EC);
    EQ(C.r[2], EC);
    EQ(C.l[1], EC);
    EQ(C.r[3], EC);             /* send_eof (stapled over a close) too */
    EQ(C.r[4], 0);
    EQ(C.r[5], 3);              /* the cancelled receive took nothing */
    EQ(C.l[2], 3);
    GOT(1, "abc");
    EQ(C.r[6], 0);              /* no end of stream was sent */
    EQ(C.l[3], 1);
    GOT(2, "q");
}

Test(memstream_checkpoint, immediate_operations_yield_exactly_once)
{
    fresh();
    RUN(ms_root_checkpoints, &C);
    EQ(C.r[0], 0);
    EQ(C.r[1], 0);
    EQ(C.l[0], 3);
    EQ(C.r[2], 0);
    EQ(C.r[3], 0);
    EQ(C.l[1], 2);
    EQ(C.r[4], 0);
    EQ(C.l[2], 0);
    EQ(C.r[5], 0);
    EQ(C.r[6], 0);
    EQ(C.r[7], STRIO_ECLOSED);
    EQ(C.r[8], 0);
    /* 11 operations, one yield each; the stapled close closes two
     * streams, one yield each */
    cr_assert_eq(suspensions, 13, "%lu suspensions", suspensions);
}

/* ======================================================================== */
/* Busy and invalid calls                                                   */
/* ======================================================================== */

Test(memstream_busy, concurrent_operations_and_invalid_calls)
{
    fresh();
    RUN(ms_root_busy, &C);
    EQ(C.l[0], STRIO_EBUSY);    /* a receive is pending in actor 0 */
    EQ(C.r[0], 0);
    EQ(C.lres[0], 2);
    EQ(C.r[2], 0);
    EQ(C.r[3], STRIO_EBUSY);    /* send, wait, send_eof: one slot */
    EQ(C.r[4], STRIO_EBUSY);
    EQ(C.r[5], STRIO_EBUSY);
    EQ(C.l[1], 4);
    GOT(1, "1234");
    EQ(C.res[1], 0);
    EQ(C.l[2], 4);
    GOT(2, "5678");
    EQ(C.l[3], -EINVAL);        /* max 0 */
    EQ(C.r[7], -EINVAL);        /* a receive stream cannot send */
    EQ(C.l[4], -EINVAL);        /* a send stream cannot receive */
    EQ(C.r[8], -EINVAL);        /* nor send_eof (not half-closeable) */
    EQ(C.r[9], -EINVAL);
    EQ(C.r[10], -EINVAL);
}

Test(memstream_busy, which_streams_are_half_closeable)
{
    ms_ctx_init(&C);
    cr_assert_not(strio_stream_can_send_eof(&C.one.send.base));
    cr_assert_not(strio_stream_can_send_eof(&C.one.receive.base));
    cr_assert(strio_stream_can_send_eof(&C.two.a.base));
    cr_assert(strio_stream_can_send_eof(&C.two.b.base));
    strio_fault_config cfg = { .seed = 1 };
    strio_fault_stream_init(&C.f[0], &C.two.a.base, &cfg);
    strio_fault_stream_init(&C.f[1], &C.one.send.base, &cfg);
    cr_assert(strio_stream_can_send_eof(&C.f[0].base));
    cr_assert_not(strio_stream_can_send_eof(&C.f[1].base));
    cr_assert_null(C.f[1].base.ops->receive_some);
    cr_assert_not_null(C.f[1].base.ops->send_all);
    strio_fault_stream_init(&C.f[1], &C.one.receive.base, &cfg);
    cr_assert_null(C.f[1].base.ops->send_all);
    cr_assert_not_null(C.f[1].base.ops->receive_some);
}

Test(memstream_busy, init_rejects_a_missing_buffer)
{
    strio_memory_pipe p;
    strio_memory_one_way_pair one;
    strio_memory_stream_pair two;
    unsigned char b[4];
    EQ(strio_memory_pipe_init(&p, NULL, 4), -EINVAL);
    EQ(strio_memory_pipe_init(&p, NULL, 0), 0);
    EQ(strio_memory_pipe_init(&p, b, 4), 0);
    EQ(strio_memory_pipe_room(&p), 4);
    EQ(strio_memory_pipe_buffered(&p), 0);
    EQ(strio_memory_stream_one_way_pair_init(&one, b, 0), -EINVAL);
    EQ(strio_memory_stream_one_way_pair_init(&one, NULL, 4), -EINVAL);
    EQ(strio_memory_stream_pair_init(&two, b, 4, NULL, 4), -EINVAL);
    EQ(strio_memory_stream_pair_init(&two, b, 2, b + 2, 2), 0);
}

/* ======================================================================== */
/* Two-way pairs and stapled streams                                        */
/* ======================================================================== */

static void check_two_way(void)
{
    EQ(C.res[0], 0);
    EQ(C.res2[0], 0);
    EQ(C.l[0], 1);
    GOT(0, "x");
    EQ(C.l[1], 0);
    EQ(C.r[1], STRIO_ECLOSED);  /* no sending after send_eof */
    EQ(C.r[2], 0);              /* send_eof is idempotent */
    EQ(C.r[3], 0);
    EQ(C.l[2], 1);              /* the other direction still works */
    GOT(2, "q");
    EQ(C.l[3], 0);
    EQ(C.res[1], 0);
    EQ(C.res2[1], 0);
    EQ(C.r[5], 0);
    EQ(C.r[6], 0);
    EQ(C.r[7], 0);
    EQ(C.r[8], STRIO_ECLOSED);
}

Test(memstream_two_way, half_close_buffered)
{
    fresh();
    RUN(ms_root_two_way, &C);
    check_two_way();
}

Test(memstream_two_way, half_close_lockstep)
{
    fresh();
    strio_lockstep_stream_pair_init(&C.two);
    RUN(ms_root_two_way, &C);
    check_two_way();
}

static void check_two_way_close(void)
{
    EQ(C.r[0], 0);
    EQ(C.res[0], 0);
    EQ(C.lres[0], 0);           /* the peer sees the end of stream */
    EQ(C.r[2], STRIO_EBROKEN);  /* and its sends break */
    EQ(C.r[3], STRIO_ECLOSED);
    EQ(C.l[0], STRIO_ECLOSED);
    EQ(C.r[4], 0);
}

Test(memstream_two_way, full_close_buffered)
{
    fresh();
    RUN(ms_root_two_way_close, &C);
    check_two_way_close();
}

Test(memstream_two_way, full_close_lockstep)
{
    fresh();
    strio_lockstep_stream_pair_init(&C.two);
    RUN(ms_root_two_way_close, &C);
    check_two_way_close();
}

Test(memstream_two_way, stapled_send_eof_is_forwarded_when_offered)
{
    fresh();
    RUN(ms_root_stapled_forward, &C);
    EQ(C.res[0], 0);
    EQ(C.res2[0], 0);
    EQ(C.l[0], 1);
    EQ(C.l[1], 0);
    EQ(C.l[2], 1);              /* receiving still works: not closed */
    GOT(2, "r");
    EQ(C.r[2], STRIO_ECLOSED);
    EQ(C.r[3], 0);
    EQ(C.r[4], STRIO_EBROKEN);
    EQ(C.l[3], STRIO_ECLOSED);
}

Test(memstream_two_way, stapled_close_during_its_own_send_eof)
{
    fresh();
    RUN(ms_root_stapled_close_race, &C);
    EQ(C.r[1], 1);              /* send_eof is inside the inner close */
    EQ(C.r[2], 0);              /* the busy inner close is not an error */
    EQ(C.res[0], 0);
    EQ(C.r[4], 1);
    EQ(C.r[5], 1);
}

/* ======================================================================== */
/* Hooks                                                                    */
/* ======================================================================== */

Test(memstream_hooks, called_after_each_operation_and_errors_returned)
{
    fresh();
    RUN(ms_root_hooks, &C);
    EQ(C.r[0], 0);
    EQ(C.r[1], 0);
    EQ(C.l[0], 3);
    EQ(C.r[2], 0);
    EQ(C.l[1], 8);
    GOT(1, "deABCDEF");
    EQ(C.l[2], 8);
    GOT(2, "GHIJKLMN");
    EQ(C.l[3], 6);
    GOT(3, "OPQRST");
    EQ(C.res[0], 0);
    EQ(C.r[4], -EIO);           /* send_all_hook failed... */
    EQ(C.r[5], 1);              /* ...after the byte was in the ring */
    EQ(C.l[4], -EIO);           /* receive_some_hook failed: took nothing */
    EQ(C.r[6], 1);
    EQ(C.r[7], -EIO);           /* close_hook failed... */
    EQ(C.r[8], STRIO_ECLOSED);  /* ...closed anyway */
    EQ(C.l[5], 1);
    EQ(C.l[6], 0);
    EQ(C.r[9], 0);
    const char *want = "SWRSSRSRSRSRCRRc";
    static const size_t bytes[] = { 5, 5, 5, 2, 8, 8, 8, 8, 6, 6, 1, 1, 1,
                                    1, 0, 0 };
    cr_assert_eq(C.nh, (int)strlen(want), "%d hook calls: %.*s", C.nh,
                 C.nh, C.hlog);
    cr_assert(memcmp(C.hlog, want, strlen(want)) == 0, "hooks: %.*s",
              C.nh, C.hlog);
    for (int i = 0; i < C.nh; i++)
        cr_assert_eq(C.hbuf[i], bytes[i], "hook %d (%c) saw %zu bytes", i,
                     C.hlog[i], C.hbuf[i]);
}

/* ======================================================================== */
/* Standalone streams and the pump                                          */
/* ======================================================================== */

Test(memstream_pump, get_data_put_data_put_eof)
{
    fresh();
    ms_setup_standalone(&C, 8, 8);
    RUN(ms_root_standalone, &C);
    EQ(C.r[0], 0);
    EQ(C.l[0], 2);
    EQ(C.l[1], 1);
    GOT(7, "abc");
    EQ(C.l[2], STRIO_EBUSY);
    EQ(C.l[3], -EINVAL);
    EQ(C.r[1], 0);
    EQ(C.res[0], 0);
    EQ(C.lres[0], 2);
    cr_assert(memcmp(C.buf[0], "de", 2) == 0);
    EQ(C.l[4], 8);              /* what fits */
    EQ(C.l[5], 0);              /* full */
    EQ(C.l[6], 8);
    GOT(0, "01234567");
    EQ(C.l[7], 2);
    EQ(C.l[8], STRIO_ECLOSED);  /* after put_eof */
    EQ(C.l[9], 2);
    GOT(1, "89");
    EQ(C.l[10], 0);
}

Test(memstream_pump, pump_results_step_by_step)
{
    fresh();
    ms_setup_standalone(&C, 8, 8);
    RUN(ms_root_pump_codes, &C);
    EQ(C.l[0], STRIO_EBUSY);    /* nothing to move */
    EQ(C.l[1], 4);              /* at most max */
    EQ(C.l[2], 2);
    EQ(C.l[3], STRIO_EBUSY);
    EQ(C.l[4], 2);              /* what fits */
    EQ(C.l[5], STRIO_EBUSY);    /* receiving ring full */
    EQ(C.l[6], 8);
    GOT(0, "abcdefgh");
    EQ(C.l[7], 6);
    EQ(C.l[8], 0);              /* drained and closed: end moved */
    EQ(C.l[9], 0);
    EQ(C.l[10], 6);
    GOT(1, "ijklmn");
    EQ(C.l[11], 0);
    EQ(C.l[12], -EINVAL);
    EQ(C.l[18], -EINVAL);       /* into a lockstep receive stream */
    EQ(C.l[13], STRIO_EBROKEN); /* receive stream closed */
    EQ(C.l[14], STRIO_EBROKEN); /* receive stream at its end */
    /* async pump */
    EQ(C.r[6], 0);              /* waits for data */
    EQ(C.r[8], 4);              /* then for room */
    EQ(C.r[9], 4);
    EQ(C.l[15], 4);
    GOT(3, "abcd");
    EQ(C.r[10], 0);
    EQ(C.l[16], 4);
    GOT(4, "efgh");
    EQ(C.l[17], 0);
    EQ(C.res[4], 0);
    EQ(C.lres[4], 0);
    EQ(C.pumped, 8);
}

/* ======================================================================== */
/* Fault injection                                                          */
/* ======================================================================== */

#define MAX_TRACE 4096

struct trace {
    int n;
    int event[MAX_TRACE];
    int64_t value[MAX_TRACE];
};

static struct trace traces[2];

static void tracer(void *arg, int event, int64_t value)
{
    struct trace *t = arg;
    if (t->n < MAX_TRACE) {
        t->event[t->n] = event;
        t->value[t->n++] = value;
    }
}

/* What one faulty run looks like from the outside. */
struct fault_run {
    struct trace tr[2];
    long rlog[2][MS_RLOG];
    strio_time rtime[2][MS_RLOG];
    int rlog_n[2];
    strio_time t_end;
    unsigned long delays;
};

static void run_faulty(uint64_t seed, struct fault_run *out)
{
    fresh();
    memset(traces, 0, sizeof traces);
    strio_memory_stream_pair_init(&C.two, C.ring[0], 32, C.ring[1], 32);
    strio_fault_config cfg = { .seed = seed, .send_chunk_max = 64,
                               .receive_max = 48, .delay_max = MS(2),
                               .delay_percent = 30, .trace = tracer };
    cfg.trace_arg = &traces[0];
    strio_fault_stream_init(&C.f[0], &C.two.a.base, &cfg);
    cfg.trace_arg = &traces[1];
    cfg.seed = seed + 1000;
    strio_fault_stream_init(&C.f[1], &C.two.b.base, &cfg);
    direction(0, &C.f[0].base, &C.f[1].base, 20000, 500, 200, MS_FIN_EOF);
    direction(1, &C.f[1].base, &C.f[0].base, 20000, 300, 100, MS_FIN_CLOSE);
    RUN(ms_root_transfer, &C, 2, 0);
    check_direction(0);
    check_direction(1);
    memcpy(out->tr, traces, sizeof traces);
    memcpy(out->rlog, C.rlog, sizeof C.rlog);
    memcpy(out->rtime, C.rtime, sizeof C.rtime);
    memcpy(out->rlog_n, C.rlog_n, sizeof C.rlog_n);
    out->t_end = C.t_end;
    out->delays = C.f[0].delays + C.f[1].delays;
}

static int same_run(const struct fault_run *a, const struct fault_run *b)
{
    for (int s = 0; s < 2; s++) {
        if (a->tr[s].n != b->tr[s].n || a->rlog_n[s] != b->rlog_n[s])
            return 0;
        for (int i = 0; i < a->tr[s].n; i++)
            if (a->tr[s].event[i] != b->tr[s].event[i] ||
                a->tr[s].value[i] != b->tr[s].value[i])
                return 0;
        for (int i = 0; i < a->rlog_n[s]; i++)
            if (a->rlog[s][i] != b->rlog[s][i] ||
                a->rtime[s][i] != b->rtime[s][i])
                return 0;
    }
    return a->t_end == b->t_end;
}

static struct fault_run run_a, run_b, run_c;

Test(memstream_fault, same_seed_same_run_other_seed_other_run)
{
    run_faulty(42, &run_a);
    run_faulty(42, &run_b);
    run_faulty(43, &run_c);
    cr_assert_gt(run_a.tr[0].n, 100);
    cr_assert_gt(run_a.delays, 10);
    cr_assert(same_run(&run_a, &run_b), "seed 42 twice: runs differ");
    cr_assert_not(same_run(&run_a, &run_c), "seeds 42 and 43: same run");
    /* the very choices differ, not only their timing */
    int differ = 0;
    for (int i = 0; i < 20 && i < run_a.tr[0].n && i < run_c.tr[0].n; i++)
        differ |= run_a.tr[0].value[i] != run_c.tr[0].value[i];
    cr_assert(differ);
}

Test(memstream_fault, choices_stay_within_bounds)
{
    run_faulty(5, &run_a);
    int chunks = 0, recvs = 0, delays = 0;
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < run_a.tr[s].n; i++) {
            int64_t v = run_a.tr[s].value[i];
            switch (run_a.tr[s].event[i]) {
            case STRIO_FAULT_SEND_CHUNK:
                cr_assert(v >= 1 && v <= 64, "chunk %lld", (long long)v);
                chunks++;
                break;
            case STRIO_FAULT_RECEIVE:
                cr_assert(v >= 1 && v <= 48, "receive %lld", (long long)v);
                recvs++;
                break;
            case STRIO_FAULT_DELAY:
                cr_assert(v >= 0 && v <= MS(2), "delay %lld", (long long)v);
                delays++;
                break;
            default:
                cr_assert_fail("unknown trace event");
            }
        }
    }
    cr_assert_gt(chunks, 600);  /* 40000 bytes in chunks of <= 64 */
    cr_assert_gt(recvs, 800);   /* and reads of <= 48 */
    cr_assert_gt(delays, 0);
    /* several chunk sizes and read sizes actually occur */
    int seen_small = 0, seen_large = 0;
    for (int i = 0; i < run_a.tr[0].n; i++) {
        if (run_a.tr[0].event[i] != STRIO_FAULT_SEND_CHUNK)
            continue;
        seen_small |= run_a.tr[0].value[i] <= 8;
        seen_large |= run_a.tr[0].value[i] >= 56;
    }
    cr_assert(seen_small && seen_large);
}

Test(memstream_fault, no_splitting_no_delays_is_transparent)
{
    fresh();
    strio_memory_stream_one_way_pair_init(&C.one, C.ring[2], 200);
    strio_fault_config cfg = { .seed = 3 };
    strio_fault_stream_init(&C.f[0], &C.one.send.base, &cfg);
    direction(0, &C.f[0].base, &C.one.receive.base, 10000, 150, 150,
              MS_FIN_CLOSE);
    RUN(ms_root_transfer, &C, 1, 0);
    check_direction(0);
    EQ(C.f[0].delays, 0);
    EQ(C.t_end, 0);
    cr_assert_gt(C.f[0].send_chunks, 0);
}

/* ======================================================================== */
/* Cancellation sweeps                                                      */
/* ======================================================================== */

enum { KIND_BUFFERED, KIND_LOCKSTEP, KIND_FAULT };
static int sweep_kind;

static void setup_one(int kind)
{
    ms_ctx_init(&C);
    if (kind == KIND_LOCKSTEP)
        strio_lockstep_stream_one_way_pair_init(&C.one);
    else
        strio_memory_stream_one_way_pair_init(&C.one, C.ring[2], 8);
    C.tx[0] = &C.one.send.base;
    C.rx[0] = &C.one.receive.base;
    if (kind == KIND_FAULT) {
        strio_fault_config cfg = { .seed = 11, .receive_max = 3,
                                   .delay_max = MS(2),
                                   .delay_percent = 50 };
        strio_fault_stream_init(&C.f[0], &C.one.receive.base, &cfg);
        C.rx[0] = &C.f[0].base;
    }
}

/* send_all of 40 bytes cancelled at every suspension: the receiver gets
 * exactly a prefix of the data, then the end of stream. */
static int sc_send(struct sweep_run *run)
{
    static struct ms_sw_send_frame f;
    strio_task t;
    setup_one(sweep_kind);
    C.recv_max[0] = 5;
    C.recv_sleep[0] = MS(1);
    ms_sw_send_start(&f, &run->target, &C);
    strio_task_init(&t, ms_sw_send_resume, &f, &f.strio_ret);
    return strio_loop_run(&run->loop, &t);
}

static void ck_send(struct sweep_run *run)
{
    cr_assert_eq(ms_pool_used(), 0, "k=%lu", run->k);
    if (!run->cancelled)
        cr_assert_eq(C.r[0], 0, "k=%lu", run->k);
    else
        cr_assert(C.r[0] == 0 || C.r[0] == EC, "k=%lu: %d", run->k, C.r[0]);
    cr_assert_eq(C.r[1], 0, "k=%lu: scope exit", run->k);
    cr_assert_eq(C.r[2], 0, "k=%lu: close", run->k);
    cr_assert_eq(C.bad[0], 0, "k=%lu: corrupted", run->k);
    cr_assert_eq(C.recv_rc[0], 0, "k=%lu", run->k);
    cr_assert(C.eof[0], "k=%lu: no end of stream", run->k);
    if (C.r[0] == 0)
        cr_assert_eq(C.received[0], 40, "k=%lu", run->k);
    else
        cr_assert_lt(C.received[0], 40, "k=%lu", run->k);
}

Test(memstream_sweep, send_buffered)
{
    sweep_kind = KIND_BUFFERED;
    struct sweep s = { .name = "send buffered", .scenario = sc_send,
                       .check = ck_send };
    cr_assert_gt(sweep_cancellation(&s), 3);
}

Test(memstream_sweep, send_lockstep)
{
    sweep_kind = KIND_LOCKSTEP;
    struct sweep s = { .name = "send lockstep", .scenario = sc_send,
                       .check = ck_send };
    cr_assert_gt(sweep_cancellation(&s), 3);
}

/* Receives cancelled at every suspension lose nothing: the root reads on
 * after the cancellation and gets every byte in order. */
static int sc_receive(struct sweep_run *run)
{
    static struct ms_sw_receive_frame f;
    strio_task t;
    setup_one(sweep_kind);
    C.total[0] = 40;
    C.send_max[0] = 7;
    C.send_sleep[0] = MS(1);
    C.finish[0] = MS_FIN_CLOSE;
    ms_sw_receive_start(&f, &run->target, &C);
    strio_task_init(&t, ms_sw_receive_resume, &f, &f.strio_ret);
    return strio_loop_run(&run->loop, &t);
}

static void ck_receive(struct sweep_run *run)
{
    cr_assert_eq(ms_pool_used(), 0, "k=%lu", run->k);
    /* a cancellation that arrives after the receive was woken with its
     * data (or the end) is too late for it */
    if (!run->cancelled)
        cr_assert_eq(C.r[0], 0, "k=%lu", run->k);
    else
        cr_assert(C.r[0] == 0 || C.r[0] == EC, "k=%lu: %d", run->k, C.r[0]);
    cr_assert_eq(C.r[1], 0, "k=%lu", run->k);
    cr_assert_eq(C.r[2], 0, "k=%lu: end of stream", run->k);
    cr_assert_eq(C.received[0], 40, "k=%lu: received %zu", run->k,
                 C.received[0]);
    cr_assert_eq(C.bad[0], 0, "k=%lu: corrupted or reordered", run->k);
    cr_assert_eq(C.send_rc[0], 0, "k=%lu", run->k);
}

Test(memstream_sweep, receive_buffered)
{
    sweep_kind = KIND_BUFFERED;
    struct sweep s = { .name = "receive buffered", .scenario = sc_receive,
                       .check = ck_receive };
    cr_assert_gt(sweep_cancellation(&s), 8);
}

Test(memstream_sweep, receive_lockstep)
{
    sweep_kind = KIND_LOCKSTEP;
    struct sweep s = { .name = "receive lockstep", .scenario = sc_receive,
                       .check = ck_receive };
    cr_assert_gt(sweep_cancellation(&s), 8);
}

Test(memstream_sweep, receive_through_delaying_fault_wrapper)
{
    sweep_kind = KIND_FAULT;
    struct sweep s = { .name = "receive fault", .scenario = sc_receive,
                       .check = ck_receive };
    cr_assert_gt(sweep_cancellation(&s), 8);
}

/* close of a two-way end cancelled at every suspension: it closes all the
 * same, wakes both pending operations, and the peer sees the rules. */
static int sc_close(struct sweep_run *run)
{
    static struct ms_sw_close_frame f;
    strio_task t;
    ms_ctx_init(&C);
    if (sweep_kind == KIND_LOCKSTEP)
        strio_lockstep_stream_pair_init(&C.two);
    else
        strio_memory_stream_pair_init(&C.two, C.ring[0], 4, C.ring[1], 4);
    C.s[2] = &C.two.a.base;
    C.s[3] = &C.two.b.base;
    ms_sw_close_start(&f, &run->target, &C, sweep_kind == KIND_BUFFERED);
    strio_task_init(&t, ms_sw_close_resume, &f, &f.strio_ret);
    return strio_loop_run(&run->loop, &t);
}

static void ck_close(struct sweep_run *run)
{
    int buffered = sweep_kind == KIND_BUFFERED;
    cr_assert_eq(ms_pool_used(), 0, "k=%lu", run->k);
    cr_assert_eq(C.r[0], run->cancelled ? EC : 0, "k=%lu: close %d",
                 run->k, C.r[0]);
    cr_assert_eq(C.r[1], 0, "k=%lu", run->k);
    cr_assert_eq(C.r[2], 0, "k=%lu", run->k);
    cr_assert_eq(C.res[0], STRIO_ECLOSED, "k=%lu: pending receive",
                 run->k);
    cr_assert_eq(C.res[1], STRIO_ECLOSED, "k=%lu: pending send", run->k);
    cr_assert_eq(C.r[3], STRIO_ECLOSED, "k=%lu", run->k);
    cr_assert_eq(C.l[0], STRIO_ECLOSED, "k=%lu", run->k);
    cr_assert_eq(C.l[1], buffered ? 4 : 0, "k=%lu", run->k);
    cr_assert_eq(C.l[2], 0, "k=%lu", run->k);
    cr_assert_eq(C.r[4], STRIO_EBROKEN, "k=%lu", run->k);
    cr_assert_eq(C.r[5], 0, "k=%lu", run->k);
}

Test(memstream_sweep, close_buffered)
{
    sweep_kind = KIND_BUFFERED;
    struct sweep s = { .name = "close buffered", .scenario = sc_close,
                       .check = ck_close };
    cr_assert_gt(sweep_cancellation(&s), 1);
}

Test(memstream_sweep, close_lockstep)
{
    sweep_kind = KIND_LOCKSTEP;
    struct sweep s = { .name = "close lockstep", .scenario = sc_close,
                       .check = ck_close };
    cr_assert_gt(sweep_cancellation(&s), 1);
}
