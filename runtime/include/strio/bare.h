/*
 * strio/bare.h -- the bare-metal backend: strio on firmware with no OS.
 *
 * The firmware supplies two things: a clock (any strio_clock; a tick
 * counter driven by SysTick, and a counter clock over a free-running
 * hardware counter for tickless idle, are provided below) and a port, a caller-owned
 * struct of callbacks that sleeps until something happens. strio supplies
 * the backend the loop waits in, an ISR-safe notification, and events that
 * an interrupt handler sets and a task awaits.
 *
 *     static strio_bare_tick_clock ticks;     // all caller-owned, no heap
 *     static strio_bare bare;
 *     static strio_loop loop;
 *     static strio_bare_event rx_ready;
 *
 *     static void board_wait_until(void *ctx, strio_time deadline)
 *     {
 *         (void)ctx; (void)deadline;   // a 1 kHz SysTick ends every sleep
 *         __asm volatile ("cpsid i" ::: "memory");
 *         if (!strio_bare_pending(&bare))
 *             __asm volatile ("wfi");  // wakes on a pending IRQ even masked
 *         __asm volatile ("cpsie i" ::: "memory");  // the ISR runs here
 *     }
 *     static const strio_bare_port port = { board_wait_until, NULL, NULL };
 *
 *     void SysTick_Handler(void) { strio_bare_tick(&ticks); }
 *     void UART0RX_Handler(void) { ...; strio_bare_event_set(&rx_ready); }
 *
 *     int main(void)
 *     {
 *         strio_bare_tick_clock_init(&ticks, STRIO_MS(1));
 *         strio_bare_init(&bare, &port);
 *         strio_loop_init(&loop, &ticks.clock, strio_bare_backend(&bare));
 *         strio_bare_event_init(&rx_ready, &bare);
 *         ... start SysTick, enable IRQs ...
 *         return strio_loop_run(&loop, &root_task);
 *     }
 *
 *     // in annotated code:
 *     int n = await strio_bare_wait_event(&rx_ready);  // n: sets since last
 *
 * ---- What an interrupt handler may call -------------------------------
 *
 * Only these, from any ISR at any priority (and from the loop's thread):
 *
 *     strio_bare_event_set()   strio_bare_notify()   strio_bare_pending()
 *     strio_bare_tick()        strio_loop_notify()
 *
 * They touch nothing but C11 atomics (lock-free on ARMv7-M and later:
 * LDREX/STREX, no interrupt masking) and then call the port's `signal`.
 * Everything else in strio -- waking or cancelling tasks, scopes,
 * nurseries, timers, wait queues, the clock's `now` -- belongs to the loop's
 * thread: an ISR must never call strio_task_wake(), strio_scope_cancel(),
 * strio_waitq_*() and the like. An ISR that needs a task to act sets an
 * event; the loop then wakes the task on its own thread. (ARMv6-M, e.g.
 * Cortex-M0, has no lock-free atomics: bare.c refuses to build there.)
 *
 * ---- How a wakeup travels ----------------------------------------------
 *
 * ISR: strio_bare_event_set(ev) adds 1 to ev's count, sets the backend's
 * `pending` flag and calls port->signal. Loop: its wait in the backend
 * sees `pending` (or port->wait_until returns because the interrupt woke
 * the CPU), clears it and marks the loop notified; the loop runs its hooks;
 * the bare backend's hook wakes every task parked on an event whose count
 * is nonzero. The count is read after the flag is cleared, so no set is
 * ever lost, and sets that arrive before anyone waits are kept.
 */
#ifndef STRIO_BARE_H
#define STRIO_BARE_H

#include <stdatomic.h>
#include <stdint.h>

#include <strio/loop.h>

/* ---- what the firmware supplies ---------------------------------------- */

typedef struct strio_bare_port {
    /*
     * Sleeps (WFI, WFE, a low-power mode) until an interrupt or an event,
     * or until the loop's clock reaches `deadline` (STRIO_TIME_NEVER: no
     * limit). May return early, for any reason: strio checks the clock and
     * its flag and calls again. Called on the loop's thread, only when
     * nothing is runnable.
     *
     * It must not sleep through a notification that arrived after strio's
     * last check: test strio_bare_pending() with interrupts masked and then
     * sleep with an instruction that a pending interrupt ends (WFI with
     * PRIMASK set), as in the example above; or sleep with WFE and have
     * `signal` execute SEV. A firmware with a periodic tick may ignore the
     * deadline (the next tick ends the sleep); a tickless one programs a
     * timer for it.
     */
    void (*wait_until)(void *ctx, strio_time deadline);
    /*
     * Optional (NULL: nothing to do). Called by strio_bare_notify() and
     * strio_bare_event_set(), so possibly from an ISR: must be ISR-safe.
     * For firmware whose wait_until needs more than the interrupt itself to
     * wake (SEV for WFE, a doorbell from another core).
     */
    void (*signal)(void *ctx);
    void *ctx;              /* passed to both */
} strio_bare_port;

/* ---- the backend --------------------------------------------------------- */

typedef struct strio_bare_event strio_bare_event;

typedef struct strio_bare {
    strio_backend backend;          /* strio_bare_backend() hands this out */
    const strio_bare_port *port;
    atomic_int pending;             /* notified, not yet seen by the loop */
    /* Loop thread only: */
    strio_loop *loop;               /* set when a task first waits */
    strio_hook hook;                /* wakes event waiters */
    strio_bare_event *waiting;      /* events with a parked task */
    unsigned waiters;
} strio_bare;

/* Prepares `bare` (caller-owned) over the firmware's `port`, which must
 * stay valid while the loop runs. */
void strio_bare_init(strio_bare *bare, const strio_bare_port *port);

/* The backend to pass to strio_loop_init(). One strio_bare per loop. */
static inline strio_backend *strio_bare_backend(strio_bare *bare)
{
    return &bare->backend;
}

/* ISR-safe. Wakes the loop: it leaves its wait and runs its hooks. */
void strio_bare_notify(strio_bare *bare);

/* ISR-safe. Nonzero while a notification waits for the loop to see it;
 * for the port's wait_until (with interrupts masked). */
static inline int strio_bare_pending(strio_bare *bare)
{
    return atomic_load(&bare->pending);
}

/* ---- events: an interrupt wakes a task ------------------------------------ */

/*
 * A counting event: strio_bare_event_set() (ISR-safe) adds one; a task's
 * `await strio_bare_wait_event()` waits until the count is nonzero and
 * takes it all. At most one task waits on an event at a time.
 */
struct strio_bare_event {
    atomic_uint count;              /* sets not yet taken */
    strio_bare *bare;
    strio_task *waiter;             /* loop thread only */
    strio_bare_event *next;         /* in bare->waiting */
};

/* Loop thread, before enabling any interrupt that sets the event. */
void strio_bare_event_init(strio_bare_event *ev, strio_bare *bare);

/* ISR-safe. Adds one to the count, then notifies the loop. */
void strio_bare_event_set(strio_bare_event *ev);

/* Loop thread. Takes the count without waiting (0: not set since last
 * taken); e.g. to drop stale sets before waiting for the next one. Not a
 * checkpoint. */
unsigned strio_bare_event_take(strio_bare_event *ev);

/*
 * async int strio_bare_wait_event(strio_bare_event *ev)
 *
 * Waits until `ev` has been set, then takes and returns the count (> 0):
 * how many sets arrived since it was last taken. Sets that came before the
 * call count (the task does not need to be waiting when the ISR fires). A
 * checkpoint: it yields at least once, and inside a cancelled scope returns
 * STRIO_ECANCELED without taking anything. A second concurrent waiter gets
 * STRIO_EBUSY at once; an event of another loop's backend, STRIO_ESTATE.
 */
STRIO_ASYNC_DECL(int strio_bare_wait_event(strio_bare_event *ev))
struct strio_bare_wait_event_frame {
    unsigned short strio_state;
    int strio_ret;
    strio_bare_event *ev;
};
void strio_bare_wait_event_start(struct strio_bare_wait_event_frame *f,
                                 strio_bare_event *ev);
int strio_bare_wait_event_resume(void *f, strio_task *task);

/* ---- a tick clock for SysTick and friends -------------------------------- */

/*
 * A strio_clock over a 32-bit tick counter that an ISR advances with
 * strio_bare_tick(). `now` (loop thread only) extends it to 64 bits, so it
 * must run at least once per 2^32 ticks (49 days at 1 kHz); the loop reads
 * the clock every turn that has a timer. Resolution is one tick: a
 * deadline fires at the first tick at or after it.
 */
typedef struct strio_bare_tick_clock {
    strio_clock clock;              /* first: pass &tc.clock to the loop */
    atomic_uint ticks;              /* advanced by the ISR */
    strio_time ns_per_tick;
    unsigned last;                  /* `ticks` at the last read */
    strio_time base;                /* the time at `last` */
} strio_bare_tick_clock;

/* Starts at 0 with one tick = `ns_per_tick` nanoseconds. */
void strio_bare_tick_clock_init(strio_bare_tick_clock *tc,
                                strio_time ns_per_tick);

/* ISR-safe: one tick has passed. */
static inline void strio_bare_tick(strio_bare_tick_clock *tc)
{
    atomic_fetch_add_explicit(&tc->ticks, 1u, memory_order_relaxed);
}

/* Ticks since init (wraps at 2^32). ISR-safe. */
static inline unsigned strio_bare_ticks(strio_bare_tick_clock *tc)
{
    return atomic_load_explicit(&tc->ticks, memory_order_relaxed);
}

/* ---- a counter clock for tickless firmware -------------------------------- */

/*
 * A strio_clock over a free-running 64-bit hardware counter of `hz` counts
 * per second (RISC-V's mtime, two chained timers, an RTC): no periodic
 * interrupt. Its port's wait_until programs a compare interrupt for the
 * deadline (strio_bare_counter_at) and sleeps until it or any other
 * interrupt, so the CPU wakes only when a timer is due or something
 * happened -- "tickless" idle:
 *
 *     static void wait_until(void *ctx, strio_time deadline)
 *     {
 *         mtimecmp = deadline == STRIO_TIME_NEVER ? UINT64_MAX
 *                  : strio_bare_counter_at(&cc, deadline);
 *         mask interrupts; if (!strio_bare_pending(&bare)) wfi; unmask;
 *     }
 *
 * `read` is called on the loop's thread only (from `now`). Time 0 is
 * counter 0. Resolution: one count (100 ns at 10 MHz).
 */
typedef struct strio_bare_counter_clock {
    strio_clock clock;              /* first: pass &cc.clock to the loop */
    uint64_t (*read)(void *ctx);    /* the counter's current value */
    void *ctx;
    uint32_t hz;                    /* counts per second (> 0) */
} strio_bare_counter_clock;

void strio_bare_counter_clock_init(strio_bare_counter_clock *cc,
                                   uint64_t (*read)(void *ctx), void *ctx,
                                   uint32_t hz);

/* The first counter value at or after time `t` (>= 0): what to program
 * into the compare register for a deadline. */
uint64_t strio_bare_counter_at(const strio_bare_counter_clock *cc,
                               strio_time t);

#endif
