/*
 * harness.h -- the boards and the check bookkeeping of the bare-metal test
 * images (tests/bare/): QEMU's mps2-an385 (Cortex-M3), mps2-an386
 * (Cortex-M4F) and virt (RV32IMAC).
 *
 * Every board gives the same thing: a 1 kHz tick interrupt (SysTick, or
 * the CLINT's machine timer) driving a strio_bare_tick_clock, a port whose
 * wait_until sleeps in WFI, a software interrupt (NVIC STIR, or the
 * CLINT's MSIP) whose handler sets a strio_bare_event, byte output
 * (semihosting or the UART) and an exit status for QEMU. board_mps2.c and
 * board_virt.c are the hardware halves; harness.c the shared rest.
 */
#ifndef BARE_HARNESS_H
#define BARE_HARNESS_H

#include <strio/bare.h>
#include <strio/strio.h>

extern strio_bare_tick_clock board_clock;
extern strio_bare board_bare;
extern strio_loop board_loop;

/* ---- what each board file provides --------------------------------------- */

/* "Cortex-M3 (QEMU mps2-an385)" and the like. */
const char *board_name(void);

/* Starts the 1 kHz tick interrupt and enables interrupts. */
void board_start_tick(void);

/* Sleeps until an interrupt: with interrupts masked, checks
 * strio_bare_pending(&board_bare) and executes WFI only if nothing is
 * pending (a pending interrupt ends WFI even while masked). */
void board_wfi(void);

/* Pends the software interrupt; its handler calls board_soft_isr(). */
void board_pend_soft_irq(void);

/* The guest's command line (`-append ...`), "" if the board has none. */
const char *board_cmdline(void);

/* ---- harness.c ------------------------------------------------------------ */

/* Sets up the clock, the bare backend, the loop, and the tick. */
void board_init(void);

/* Milliseconds (tick interrupts) since board_init. */
unsigned board_ticks(void);

/* How many times the loop slept in the port (each one a WFI). */
unsigned long board_sleeps(void);

/* Arms the tick handler: every `period` ticks from now it calls
 * strio_bare_event_set(ev), `count` times in all. */
void board_isr_arm(strio_bare_event *ev, unsigned period, unsigned count);

/* Sets made by the tick handler since the last arm. */
unsigned board_isr_sets(void);

/* Pends the software interrupt, whose handler sets `ev`. */
void board_soft_irq(strio_bare_event *ev);

/* Software interrupts handled so far. */
unsigned board_soft_irqs(void);

/* Called by the board's interrupt handlers. */
void board_tick_isr(void);
void board_soft_isr(void);

/* ---- checks -------------------------------------------------------------- */

void check_(int ok, const char *what, const char *file, int line);
void check_eq_(long got, long want, const char *what, const char *file,
               int line);
#define CHECK(c) check_((c) != 0, #c, __FILE__, __LINE__)
#define CHECK_EQ(got, want) check_eq_((got), (want), #got, __FILE__, __LINE__)
/* Prints "N passed, M failed"; returns the exit status (0: all passed). */
int checks_report(void);

/* The parts of an image (each runs its tasks on board_loop). */
void core_tests(void);
void stream_tests(void);
void corpus_tests(void);
void tickless_tests(void);
void proto_tests(void);
void resolve_tests(void);

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
