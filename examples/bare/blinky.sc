/*
 * blinky.sc -- a bare-metal strio program for the ARM MPS2 AN386 board
 * (Cortex-M4), which QEMU emulates as mps2-an386.
 *
 * Two tasks run in a nursery on the loop, over the bare backend:
 *   heartbeat  toggles LED0 every 250 ms (a sleep loop);
 *   sampler    waits for "sample ready" interrupts from the CMSDK timer
 *              (TIMER0, 10 Hz here, standing in for a sensor), each inside
 *              a 200 ms watchdog (a fail-after cancel scope); LED1 blinks
 *              once per 10 samples.
 * The whole demo runs in a move-on-after scope with a 3 s deadline: when it
 * expires, both tasks are cancelled, the nursery closes, and the program
 * resets the board. Should the timer stop, the watchdog fails the sampler,
 * the nursery cancels the heartbeat, and the program halts with both LEDs
 * lit.
 *
 * The SysTick handler (1 kHz) drives the loop's clock, TIMER0's handler
 * sets an event; neither touches anything but atomics (strio/bare.h lists
 * what an ISR may call). Between events the loop sleeps in WFI.
 *
 *   make core          # builds build/arm/examples/bare/blinky.elf
 *   qemu-system-arm -M mps2-an386 -nographic -no-reboot \
 *       -trace mps2_fpgaio_write -kernel build/arm/examples/bare/blinky.elf
 *
 * (`make test-bare` runs it that way: -no-reboot turns the final reset into
 * QEMU's exit.) Linked with tests/bare/mps2.ld, the board's memory map.
 */
#include <stdint.h>
#include <strio/bare.h>
#include <strio/strio.h>

/* ---- the board ------------------------------------------------------------ */

#define REG(addr) (*(volatile uint32_t *)(addr))
#define FPGAIO_LED REG(0x40028000u)         /* bit 0: LED0, bit 1: LED1 */
#define TIMER0_CTRL REG(0x40000000u)        /* CMSDK APB timer 0, IRQ 8 */
#define TIMER0_RELOAD REG(0x40000008u)
#define TIMER0_INTCLEAR REG(0x4000000Cu)
#define TIMER0_IRQ 8
#define NVIC_ISER0 REG(0xE000E100u)
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define SCB_AIRCR REG(0xE000ED0Cu)
#define CPU_HZ 25000000u                    /* SYSCLK, also TIMER0's PCLK */

static strio_bare_tick_clock tick_clock;
static strio_bare bare;
static strio_loop loop;
static strio_bare_event sample_ready;

void SysTick_Handler(void)
{
    strio_bare_tick(&tick_clock);
}

void TIMER0_Handler(void)
{
    TIMER0_INTCLEAR = 1;
    strio_bare_event_set(&sample_ready);    /* ISR-safe: atomics + notify */
}

/* Sleep until an interrupt; masked while testing the flag, so an event
 * set just before the WFI still ends it (the interrupt stays pending). */
static void board_wait_until(void *ctx, strio_time deadline)
{
    (void)ctx;
    (void)deadline;                         /* the 1 kHz tick ends any sleep */
    __asm volatile("cpsid i" ::: "memory");
    if (!strio_bare_pending(&bare))
        __asm volatile("wfi" ::: "memory");
    __asm volatile("cpsie i" ::: "memory");
}

static const strio_bare_port port = { board_wait_until, NULL, NULL };

static void board_start(void)
{
    strio_bare_tick_clock_init(&tick_clock, STRIO_MS(1));
    strio_bare_init(&bare, &port);
    strio_loop_init(&loop, &tick_clock.clock, strio_bare_backend(&bare));
    strio_bare_event_init(&sample_ready, &bare);

    SYST_RVR = CPU_HZ / 1000 - 1;
    SYST_CVR = 0;
    SYST_CSR = 7;                           /* CPU clock, interrupt, on */
    TIMER0_RELOAD = CPU_HZ / 10 - 1;        /* 10 samples a second (QEMU
                                               7.2's model: every 50 ms) */
    TIMER0_CTRL = 1 | 8;                    /* enable, interrupt enable */
    NVIC_ISER0 = 1u << TIMER0_IRQ;
}

/* ---- the application ------------------------------------------------------- */

static unsigned samples, missed;

static async int heartbeat(void)
{
    for (;;) {
        FPGAIO_LED ^= 1u;
        int rc = await strio_sleep(STRIO_MS(250));
        if (rc < 0)
            return rc;                      /* cancelled: the demo is over */
    }
}

static async int sampler(void)
{
    for (;;) {
        strio_cancel_scope watchdog;
        strio_fail_after(STRIO_SELF, &watchdog, STRIO_MS(200));
        int n = await strio_bare_wait_event(&sample_ready);
        int rc = strio_scope_exit(&watchdog, n);
        if (rc < 0)
            return rc;      /* STRIO_ETIMEDOUT: the sensor went quiet */
        missed += (unsigned)n - 1;          /* sets that arrived together */
        samples += (unsigned)n;
        if (samples % 10 == 0)
            FPGAIO_LED ^= 2u;
    }
}

union child_frame {
    struct heartbeat_frame hb;
    struct sampler_frame smp;
};
STRIO_POOL(children, union child_frame, 2);

static async int demo(strio_time duration)
{
    strio_cancel_scope deadline;
    strio_nursery n;
    union child_frame *f;

    strio_move_on_after(STRIO_SELF, &deadline, duration);
    strio_nursery_open(STRIO_SELF, &n);
    f = strio_pool_try_get(&children.pool);
    heartbeat_start(&f->hb);
    strio_nursery_start(&n, &children.pool, f, heartbeat_resume,
                        &f->hb.strio_ret);
    f = strio_pool_try_get(&children.pool);
    sampler_start(&f->smp);
    strio_nursery_start(&n, &children.pool, f, sampler_resume,
                        &f->smp.strio_ret);
    int rc = await strio_nursery_close(&n, 0);
    return strio_scope_exit(&deadline, rc);  /* the deadline: 0 */
}

static struct demo_frame demo_frame;
static strio_task demo_task;

int main(void)
{
    board_start();
    STRIO_POOL_SETUP(children);
    demo_start(&demo_frame, STRIO_SEC(3));
    strio_task_init(&demo_task, demo_resume, &demo_frame,
                    &demo_frame.strio_ret);
    int rc = strio_loop_run(&loop, &demo_task);
    TIMER0_CTRL = 0;
    if (rc == 0 && demo_frame.strio_ret == 0) {
        FPGAIO_LED = 0;
        SCB_AIRCR = 0x05FA0004u;            /* SYSRESETREQ: start over */
    } else {
        FPGAIO_LED = 3;                     /* failed: both LEDs on */
    }
    for (;;)
        __asm volatile("wfi");
}

/* ---- startup: no vendor code ------------------------------------------------ */

extern uint32_t __data_start__[], __data_end__[], __data_load__[];
extern uint32_t __bss_start__[], __bss_end__[];
extern char __stack_top__[];

/* Plain loops, not memcpy/memset calls (GCC would turn them into those
 * and link 440 bytes of newlib for two loops). */
__attribute__((optimize("no-tree-loop-distribute-patterns")))
void Reset_Handler(void)
{
    for (uint32_t *s = __data_load__, *d = __data_start__; d < __data_end__;)
        *d++ = *s++;
    for (uint32_t *d = __bss_start__; d < __bss_end__;)
        *d++ = 0;
    main();
}

static void Halt_Handler(void)
{
    FPGAIO_LED = 3;
    for (;;)
        ;
}

typedef void (*vector)(void);

__attribute__((section(".isr_vector"), used))
static const vector vectors[16 + TIMER0_IRQ + 1] = {
    [0] = (vector)(uintptr_t)__stack_top__,
    [1] = Reset_Handler,
    [2] = Halt_Handler,                     /* NMI */
    [3] = Halt_Handler,                     /* HardFault */
    [15] = SysTick_Handler,
    [16 + TIMER0_IRQ] = TIMER0_Handler,
};
