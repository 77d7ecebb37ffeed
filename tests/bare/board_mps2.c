/*
 * board_mps2.c -- the hardware half of the test harness on QEMU's MPS2
 * boards: mps2-an385 (Cortex-M3) and mps2-an386 (Cortex-M4F). SysTick at
 * 1 kHz is the tick; the software interrupt is an external IRQ pended
 * through the NVIC's STIR; output and the exit go through semihosting
 * (startup.c). The memory map is mps2.ld.
 *
 * Tickless mode (tickless_test.sc): SysTick off; the CMSDK dual timer's
 * first half runs free at 25 MHz as the counter (its wrap interrupt
 * extends it to 64 bits), the second half is a one-shot for the loop's
 * next deadline.
 */
#include <stdint.h>

#include "harness.h"

#define REG(addr) (*(volatile uint32_t *)(addr))
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define NVIC_ISER0 REG(0xE000E100u)
#define NVIC_STIR REG(0xE000EF00u)
#define CPU_HZ 25000000u      /* mps2: SysTick's CLKSOURCE=1 is the CPU clock */

/* An external interrupt no emulated device drives on AN385/AN386. */
#define SOFT_IRQ 27

int semihost_call(int op, void *arg);

const char *board_name(void)
{
#if defined(__ARM_ARCH_7EM__) && defined(__ARM_FP)
    return "Cortex-M4F (QEMU mps2-an386)";
#elif defined(__ARM_ARCH_7EM__)
    return "Cortex-M4 (QEMU mps2-an386)";
#else
    return "Cortex-M3 (QEMU mps2-an385)";
#endif
}

void SysTick_Handler(void)
{
    board_tick_isr();
}

void Soft_IRQ_Handler(void)
{
    board_soft_isr();
}

void board_start_tick(void)
{
    SYST_RVR = CPU_HZ / 1000 - 1;
    SYST_CVR = 0;
    SYST_CSR = 7;             /* CLKSOURCE=CPU, TICKINT, ENABLE */
    NVIC_ISER0 = 1u << SOFT_IRQ;
}

void board_wfi(void)
{
    __asm volatile("cpsid i" ::: "memory");
    if (!strio_bare_pending(&board_bare))
        __asm volatile("wfi" ::: "memory");
    __asm volatile("cpsie i" ::: "memory");    /* the ISR runs here */
}

void board_pend_soft_irq(void)
{
    NVIC_STIR = SOFT_IRQ;
    __asm volatile("dsb\n isb" ::: "memory");  /* taken before we go on */
}

/* ---- tickless ----------------------------------------------------------- */

#define DT_BASE 0x40002000u                 /* CMSDK dual timer, IRQ 10 */
#define DT1_LOAD REG(DT_BASE + 0x00)
#define DT1_VALUE REG(DT_BASE + 0x04)
#define DT1_CONTROL REG(DT_BASE + 0x08)
#define DT1_INTCLR REG(DT_BASE + 0x0C)
#define DT1_RIS REG(DT_BASE + 0x10)
#define DT1_MIS REG(DT_BASE + 0x14)
#define DT2_LOAD REG(DT_BASE + 0x20)
#define DT2_CONTROL REG(DT_BASE + 0x28)
#define DT2_INTCLR REG(DT_BASE + 0x2C)
#define DT2_MIS REG(DT_BASE + 0x34)
#define DT_ONESHOT 0x01u
#define DT_32BIT 0x02u
#define DT_INTEN 0x20u
#define DT_PERIODIC 0x40u
#define DT_ENABLE 0x80u
#define DUALTIMER_IRQ 10

static volatile uint32_t counter_hi;        /* wraps of the free counter */

void DUALTIMER_Handler(void);
void DUALTIMER_Handler(void)
{
    if (DT1_MIS) {                          /* the counter wrapped */
        DT1_INTCLR = 1;
        counter_hi++;
    }
    if (DT2_MIS) {                          /* the deadline came */
        DT2_INTCLR = 1;
        DT2_CONTROL = 0;
    }
}

static uint32_t irq_save(void)
{
    uint32_t primask;
    __asm volatile("mrs %0, primask\n cpsid i" : "=r"(primask) :: "memory");
    return primask;
}

static void irq_restore(uint32_t primask)
{
    __asm volatile("msr primask, %0" :: "r"(primask) : "memory");
}

uint32_t board_counter_hz(void)
{
    return CPU_HZ;
}

/* Counts since board_tickless(1): the down-counter inverted, plus the
 * wraps; a wrap not yet handled (masked) is seen in RIS. */
uint64_t board_counter(void *ctx)
{
    (void)ctx;
    uint32_t saved = irq_save();
    uint32_t hi = counter_hi, v = DT1_VALUE;
    if (DT1_RIS) {
        v = DT1_VALUE;
        hi++;
    }
    irq_restore(saved);
    return ((uint64_t)hi << 32) | (0xFFFFFFFFu - v);
}

void board_tickless(int on)
{
    uint32_t saved = irq_save();
    DT1_CONTROL = 0;
    DT2_CONTROL = 0;
    DT1_INTCLR = 1;
    DT2_INTCLR = 1;
    if (on) {
        SYST_CSR = 0;                       /* no periodic tick */
        counter_hi = 0;
        DT1_CONTROL = DT_32BIT | DT_INTEN;  /* free-running */
        DT1_LOAD = 0xFFFFFFFFu;             /* free-running: sets the count */
        DT1_CONTROL = DT_32BIT | DT_INTEN | DT_ENABLE;
        NVIC_ISER0 = 1u << DUALTIMER_IRQ;
    } else {
        SYST_CVR = 0;
        SYST_CSR = 7;
    }
    irq_restore(saved);
}

/* Arms the one-shot for `when` (a counter value) and sleeps until it or
 * any other interrupt; returns at once if `when` has come. */
void board_sleep_until(uint64_t when, strio_bare *bare)
{
    uint32_t saved = irq_save();
    uint64_t now = board_counter(NULL);
    if (when > now && !strio_bare_pending(bare)) {
        uint64_t delta = when - now;
        if (when != UINT64_MAX) {
            DT2_CONTROL = DT_32BIT | DT_PERIODIC | DT_ONESHOT | DT_INTEN;
            DT2_LOAD = delta > 0xFFFFFFFFu ? 0xFFFFFFFFu : (uint32_t)delta;
            DT2_CONTROL = DT_32BIT | DT_PERIODIC | DT_ONESHOT | DT_INTEN |
                          DT_ENABLE;
        }
        __asm volatile("wfi" ::: "memory");
    }
    irq_restore(saved);
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
