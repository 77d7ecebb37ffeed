/*
 * tickless_test.sc -- the bare backend with no periodic tick: the loop's
 * clock is a free-running hardware counter through a
 * strio_bare_counter_clock (the CLINT's 64-bit mtime at 10 MHz on RV32
 * virt; the CMSDK dual timer at 25 MHz, extended to 64 bits, on MPS2), and
 * the port programs a compare interrupt for the loop's next deadline
 * (mtimecmp; the dual timer's one-shot half) and sleeps in WFI. So the CPU wakes when a timer is due or
 * an interrupt came, and at no other time: a 100 ms sleep is one WFI, not
 * a hundred. A second loop, next to the board's ticking one.
 */
#include <stdint.h>
#include <stdio.h>
#include <strio/bare.h>
#include <strio/strio.h>

#include "harness.h"

uint64_t board_counter(void *ctx);
uint32_t board_counter_hz(void);
void board_tickless(int on);
void board_sleep_until(uint64_t when, strio_bare *bare);

static strio_bare_counter_clock tl_clock;
static strio_bare tl_bare;
static strio_loop tl_loop;
static unsigned long tl_wfi;

static void tl_wait_until(void *ctx, strio_time deadline)
{
    (void)ctx;
    tl_wfi++;
    board_sleep_until(deadline == STRIO_TIME_NEVER ? UINT64_MAX :
                      strio_bare_counter_at(&tl_clock, deadline), &tl_bare);
}

static const strio_bare_port tl_port = { tl_wait_until, NULL, NULL };

#define NOW() strio_task_now(STRIO_SELF)
/* Microseconds since `t0` (the counter clock resolves 100 or 40 ns). */
#define US_SINCE(t0) ((long)((NOW() - (t0)) / STRIO_US(1)))

/* How late a wakeup may be: the interrupt, the trap handler, the loop's
 * turn and the clock's 64-bit arithmetic (soft division on RV32), at
 * -icount's 32 ns per instruction. */
#define LATENCY_US 100

static long tl_late_max;

/* Sleeps until t0 + i * period (absolute deadlines: no drift), records
 * the worst lateness. */
static async int tl_sleeper(strio_time t0, int period_ms, int count)
{
    for (int i = 1; i <= count; i++) {
        strio_time due = t0 + STRIO_MS(period_ms) * i;
        int rc = await strio_sleep_until(due);
        if (rc < 0)
            return rc;
        long late = (long)((NOW() - due) / STRIO_US(1));
        if (late > tl_late_max)
            tl_late_max = late;
    }
    return 0;
}

static strio_bare_event tl_event;
static int tl_got;

static async int tl_waiter(void)
{
    strio_cancel_scope sc;
    strio_move_on_after(STRIO_SELF, &sc, STRIO_SEC(5));
    tl_got = await strio_bare_wait_event(&tl_event);
    return strio_scope_exit(&sc, tl_got < 0 ? tl_got : 0);
}

static async int tl_pender(int ms)
{
    int rc = await strio_sleep(STRIO_MS(ms));
    if (rc == 0)
        board_soft_irq(&tl_event);
    return rc;
}

union tl_frame {
    struct tl_sleeper_frame s;
    struct tl_waiter_frame w;
    struct tl_pender_frame p;
};

STRIO_POOL(tl_kids, union tl_frame, 2);

static async int tl_run(void)
{
    strio_nursery n;
    union tl_frame *f;
    strio_time t0 = NOW();
    unsigned long w0 = tl_wfi;
    int rc = await strio_sleep(STRIO_MS(100));
    long us = US_SINCE(t0);
    printf("tickless sleep: rc=%d elapsed=%ld us wfi=%lu\n", rc, us,
           tl_wfi - w0);
    CHECK_EQ(rc, 0);
    CHECK(us >= 100000 && us <= 100000 + LATENCY_US);
    CHECK_EQ(tl_wfi - w0, 1);

    /* Two sleepers, 13 x 5 ms and 5 x 13 ms: one wakeup per distinct
     * deadline (13 + 5, one shared at 65 ms: 17), none late. */
    t0 = NOW();
    w0 = tl_wfi;
    strio_nursery_open(STRIO_SELF, &n);
    f = strio_pool_try_get(&tl_kids.pool);
    tl_sleeper_start(&f->s, t0, 5, 13);
    strio_nursery_start(&n, &tl_kids.pool, f, tl_sleeper_resume,
                        &f->s.strio_ret);
    f = strio_pool_try_get(&tl_kids.pool);
    tl_sleeper_start(&f->s, t0, 13, 5);
    strio_nursery_start(&n, &tl_kids.pool, f, tl_sleeper_resume,
                        &f->s.strio_ret);
    rc = await strio_nursery_close(&n, 0);
    us = US_SINCE(t0);
    printf("tickless sleepers: rc=%d late(max)=%ld us elapsed=%ld us "
           "wfi=%lu\n", rc, tl_late_max, us, tl_wfi - w0);
    CHECK_EQ(rc, 0);
    CHECK(tl_late_max >= 0 && tl_late_max <= LATENCY_US);
    CHECK(us >= 65000 && us <= 65000 + LATENCY_US);
    CHECK_EQ(tl_wfi - w0, 13 + 5 - 1);

    /* An interrupt wakes a task whose deadline is 5 s away: the loop
     * sleeps until the pender's 7 ms, then until the interrupt. */
    t0 = NOW();
    w0 = tl_wfi;
    strio_bare_event_init(&tl_event, &tl_bare);
    strio_nursery_open(STRIO_SELF, &n);
    f = strio_pool_try_get(&tl_kids.pool);
    tl_waiter_start(&f->w);
    strio_nursery_start(&n, &tl_kids.pool, f, tl_waiter_resume,
                        &f->w.strio_ret);
    f = strio_pool_try_get(&tl_kids.pool);
    tl_pender_start(&f->p, 7);
    strio_nursery_start(&n, &tl_kids.pool, f, tl_pender_resume,
                        &f->p.strio_ret);
    rc = await strio_nursery_close(&n, 0);
    us = US_SINCE(t0);
    printf("tickless irq wake: rc=%d got=%d elapsed=%ld us wfi=%lu\n", rc,
           tl_got, us, tl_wfi - w0);
    CHECK_EQ(rc, 0);
    CHECK_EQ(tl_got, 1);
    CHECK(us >= 7000 && us <= 7000 + 2 * LATENCY_US);
    CHECK(tl_wfi - w0 <= 2);

    /* A fail-after deadline cancels a long sleep on its exact instant. */
    strio_cancel_scope sc;
    t0 = NOW();
    strio_fail_after(STRIO_SELF, &sc, STRIO_US(20500));
    rc = await strio_sleep(STRIO_SEC(10));
    rc = strio_scope_exit(&sc, rc);
    us = US_SINCE(t0);
    printf("tickless fail_after: rc=%d elapsed=%ld us\n", rc, us);
    CHECK_EQ(rc, STRIO_ETIMEDOUT);
    CHECK(us >= 20500 && us <= 20500 + LATENCY_US);
    CHECK_EQ(tl_loop.timers.count, 0);
    return 0;
}

static struct tl_run_frame tl_frame;
static strio_task tl_task;

void tickless_tests(void)
{
    board_tickless(1);
    strio_bare_counter_clock_init(&tl_clock, board_counter, NULL,
                                  board_counter_hz());
    strio_bare_init(&tl_bare, &tl_port);
    strio_loop_init(&tl_loop, &tl_clock.clock, strio_bare_backend(&tl_bare));
    STRIO_POOL_SETUP(tl_kids);
    tl_run_start(&tl_frame);
    strio_task_init(&tl_task, tl_run_resume, &tl_frame, &tl_frame.strio_ret);
    int rc = strio_loop_run(&tl_loop, &tl_task);
    CHECK_EQ(rc, 0);
    CHECK_EQ(tl_frame.strio_ret, 0);
    board_tickless(0);
}
