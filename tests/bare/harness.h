/*
 * harness.h -- the board and the check bookkeeping for tests/bare/core_test.
 *
 * The board is QEMU's mps2-an386: SysTick at 1 kHz drives a
 * strio_bare_tick_clock, the port's wait_until sleeps in WFI, and the
 * SysTick handler can be armed to set a strio_bare_event from the ISR.
 */
#ifndef BARE_HARNESS_H
#define BARE_HARNESS_H

#include <strio/bare.h>
#include <strio/strio.h>

extern strio_bare_tick_clock board_clock;
extern strio_bare board_bare;
extern strio_loop board_loop;

/* Sets up the clock, the bare backend, the loop, and SysTick at 1 kHz. */
void board_init(void);

/* Milliseconds (SysTick interrupts) since board_init. */
unsigned board_ticks(void);

/* How many times the loop slept in the port (each one a WFI). */
unsigned long board_sleeps(void);

/* Arms the SysTick handler: every `period` ticks from now it calls
 * strio_bare_event_set(ev), `count` times in all. */
void board_isr_arm(strio_bare_event *ev, unsigned period, unsigned count);

/* Sets made by the ISR since the last arm. */
unsigned board_isr_sets(void);

void SysTick_Handler(void);

/* Semihosting: the guest's command line (`-append ...`), "" if none. */
const char *board_cmdline(void);
int semihost_call(int op, void *arg);

/* ---- checks -------------------------------------------------------------- */

void check_(int ok, const char *what, int line);
void check_eq_(long got, long want, const char *what, int line);
#define CHECK(c) check_((c) != 0, #c, __LINE__)
#define CHECK_EQ(got, want) check_eq_((got), (want), #got, __LINE__)
/* Prints "N passed, M failed"; returns the exit status (0: all passed). */
int checks_report(void);

/* ---- a leaf for the tests' own primitives -------------------------------- */

/*
 * async int park_on(strio_waitq *q)
 *
 * Parks the task on `q` until strio_waitq_wake_*() (returns the value it
 * passed) or cancellation (STRIO_ECANCELED, and it leaves the queue).
 */
STRIO_ASYNC_DECL(int park_on(strio_waitq *q))
struct park_on_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_waitq *q;
};
void park_on_start(struct park_on_frame *f, strio_waitq *q);
int park_on_resume(void *f, strio_task *task);

#endif
