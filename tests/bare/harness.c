/* harness.c -- the board-independent half of the bare-metal test images:
 * clock, backend and loop setup, the tick and software interrupt logic,
 * checks, and main (see harness.h). */
#include <stdio.h>
#include <string.h>

#include "harness.h"

strio_bare_tick_clock board_clock;
strio_bare board_bare;
strio_loop board_loop;

static unsigned long sleeps;

/* ---- the port ------------------------------------------------------------ */

/*
 * The periodic tick ends every sleep, so the deadline needs no timer of its
 * own. board_wfi() tests the flag with interrupts masked: an ISR that fires
 * after the test stays pending and ends the WFI at once, instead of being
 * handled before it and leaving the CPU asleep until the next tick.
 */
static void board_wait_until(void *ctx, strio_time deadline)
{
    (void)ctx;
    (void)deadline;
    sleeps++;
    board_wfi();
}

static const strio_bare_port board_port = { board_wait_until, NULL, NULL };

/* ---- interrupts ------------------------------------------------------------ */

/* Written by the loop thread only while isr_left is 0 (disarmed). */
static strio_bare_event *volatile isr_event;
static volatile unsigned isr_period, isr_phase, isr_left, isr_sets;
static strio_bare_event *volatile soft_event;
static volatile unsigned soft_count;

void board_tick_isr(void)
{
    strio_bare_tick(&board_clock);
    if (isr_left != 0 && ++isr_phase == isr_period) {
        isr_phase = 0;
        isr_left--;
        isr_sets++;
        strio_bare_event_set(isr_event);     /* atomics + notify only */
    }
}

void board_soft_isr(void)
{
    soft_count++;
    if (soft_event != NULL)
        strio_bare_event_set(soft_event);
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

void board_soft_irq(strio_bare_event *ev)
{
    soft_event = ev;
    __asm volatile("" ::: "memory");
    board_pend_soft_irq();
}

unsigned board_soft_irqs(void)
{
    return soft_count;
}

void board_init(void)
{
    strio_bare_tick_clock_init(&board_clock, STRIO_MS(1));
    strio_bare_init(&board_bare, &board_port);
    strio_loop_init(&board_loop, &board_clock.clock,
                    strio_bare_backend(&board_bare));
    board_start_tick();
}

unsigned board_ticks(void)
{
    return strio_bare_ticks(&board_clock);
}

unsigned long board_sleeps(void)
{
    return sleeps;
}

/* ---- checks -------------------------------------------------------------- */

static unsigned passed, failed;

static const char *base(const char *file)
{
    const char *s = strrchr(file, '/');
    return s != NULL ? s + 1 : file;
}

void check_(int ok, const char *what, const char *file, int line)
{
    if (ok) {
        passed++;
        return;
    }
    failed++;
    printf("FAIL %s:%d: %s\n", base(file), line, what);
}

void check_eq_(long got, long want, const char *what, const char *file,
               int line)
{
    if (got == want) {
        passed++;
        return;
    }
    failed++;
    printf("FAIL %s:%d: %s is %ld, want %ld\n", base(file), line, what, got,
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
