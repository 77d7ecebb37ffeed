/* harness.c -- board support and checks for core_test (see harness.h). */
#include <stdio.h>
#include <string.h>

#include "harness.h"

strio_bare_tick_clock board_clock;
strio_bare board_bare;
strio_loop board_loop;

static unsigned long sleeps;

/* ---- the port: sleep in WFI, race-free --------------------------------- */

/*
 * The periodic tick ends every sleep, so the deadline needs no timer of its
 * own. Interrupts are masked while the flag is tested: an ISR that fires
 * after the test stays pending and ends the WFI at once, instead of being
 * handled before it and leaving the CPU asleep until the next tick.
 */
static void board_wait_until(void *ctx, strio_time deadline)
{
    (void)ctx;
    (void)deadline;
    __asm volatile("cpsid i" ::: "memory");
    if (!strio_bare_pending(&board_bare)) {
        sleeps++;
        __asm volatile("wfi" ::: "memory");
    }
    __asm volatile("cpsie i" ::: "memory");
}

static const strio_bare_port board_port = { board_wait_until, NULL, NULL };

/* ---- SysTick ------------------------------------------------------------- */

#define SYST_CSR (*(volatile unsigned *)0xE000E010u)
#define SYST_RVR (*(volatile unsigned *)0xE000E014u)
#define SYST_CVR (*(volatile unsigned *)0xE000E018u)
#define CPU_HZ 25000000u      /* mps2: SysTick's CLKSOURCE=1 is the CPU clock */

/* Written by the loop thread only while isr_left is 0 (disarmed). */
static strio_bare_event *volatile isr_event;
static volatile unsigned isr_period, isr_phase, isr_left, isr_sets;

void SysTick_Handler(void)
{
    strio_bare_tick(&board_clock);
    if (isr_left != 0 && ++isr_phase == isr_period) {
        isr_phase = 0;
        isr_left--;
        isr_sets++;
        strio_bare_event_set(isr_event);     /* atomics + notify only */
    }
}

void board_isr_arm(strio_bare_event *ev, unsigned period, unsigned count)
{
    isr_left = 0;
    __asm volatile("" ::: "memory");
    isr_event = ev;
    isr_period = period;
    isr_phase = 0;
    isr_sets = 0;
    __asm volatile("" ::: "memory");
    isr_left = count;
}

unsigned board_isr_sets(void)
{
    return isr_sets;
}

void board_init(void)
{
    strio_bare_tick_clock_init(&board_clock, STRIO_MS(1));
    strio_bare_init(&board_bare, &board_port);
    strio_loop_init(&board_loop, &board_clock.clock,
                    strio_bare_backend(&board_bare));
    SYST_RVR = CPU_HZ / 1000 - 1;
    SYST_CVR = 0;
    SYST_CSR = 7;             /* CLKSOURCE=CPU, TICKINT, ENABLE */
}

unsigned board_ticks(void)
{
    return strio_bare_ticks(&board_clock);
}

unsigned long board_sleeps(void)
{
    return sleeps;
}

const char *board_cmdline(void)
{
    static char buf[128];
    struct { char *p; int len; } arg = { buf, (int)sizeof buf - 1 };
    if (semihost_call(0x15 /* SYS_GET_CMDLINE */, &arg) != 0)
        return "";
    buf[arg.len < 0 ? 0 : arg.len] = 0;
    return buf;
}

/* ---- checks -------------------------------------------------------------- */

static unsigned passed, failed;

void check_(int ok, const char *what, int line)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    printf("FAIL core_test.sc:%d: %s\n", line, what);
}

void check_eq_(long got, long want, const char *what, int line)
{
    if (got == want) {
        passed++;
        return;
    }
    failed++;
    printf("FAIL core_test.sc:%d: %s is %ld, want %ld\n", line, what, got,
           want);
}

int checks_report(void)
{
    printf("%u passed, %u failed\n", passed, failed);
    return failed != 0;
}

/* ---- park_on ------------------------------------------------------------- */

void park_on_start(struct park_on_frame *f, strio_waitq *q)
{
    f->strio_state = 0;
    f->q = q;
}

int park_on_resume(void *vf, strio_task *task)
{
    struct park_on_frame *f = vf;
    if (f->strio_state == 0) {
        if (strio_task_cancelled(task)) {
            f->strio_ret = STRIO_ECANCELED;
            return STRIO_DONE;
        }
        f->strio_state = 1;
        strio_waitq_park(f->q, task);
        return STRIO_PENDING;
    }
    f->strio_ret = task->wake_result;
    return STRIO_DONE;
}
