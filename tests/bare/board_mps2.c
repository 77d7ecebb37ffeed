/*
 * board_mps2.c -- the hardware half of the test harness on QEMU's MPS2
 * boards: mps2-an385 (Cortex-M3) and mps2-an386 (Cortex-M4F). SysTick at
 * 1 kHz is the tick; the software interrupt is an external IRQ pended
 * through the NVIC's STIR; output and the exit go through semihosting
 * (startup.c). The memory map is mps2.ld.
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

const char *board_cmdline(void)
{
    static char buf[128];
    struct { char *p; int len; } arg = { buf, (int)sizeof buf - 1 };
    if (semihost_call(0x15 /* SYS_GET_CMDLINE */, &arg) != 0)
        return "";
    buf[arg.len < 0 ? 0 : arg.len] = 0;
    return buf;
}
