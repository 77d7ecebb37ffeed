/*
 * startup.c -- reset, vector table, exit and faults for the bare-metal test
 * images on QEMU's mps2-an385 (Cortex-M3) and mps2-an386 (Cortex-M4F). No vendor code: the linker script
 * is tests/bare/mps2.ld.
 *
 * Linked with -nostartfiles and newlib-nano's rdimon (semihosting) specs,
 * so this file does what rdimon-crt0 would: copy .data, clear .bss, open
 * the semihosting stdio handles, run main, exit. The exit status reaches
 * the host through SYS_EXIT_EXTENDED: qemu-system-arm exits with main's
 * return value; a CPU fault exits 3 after printing its registers.
 */
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"

extern uint32_t __data_start__[], __data_end__[], __data_load__[];
extern uint32_t __bss_start__[], __bss_end__[];
extern char __stack_top__[];

extern void initialise_monitor_handles(void);
int main(void);
void SysTick_Handler(void);

/* ---- semihosting --------------------------------------------------------- */

int semihost_call(int op, void *arg)
{
    register int r0 __asm("r0") = op;
    register void *r1 __asm("r1") = arg;
    __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

enum { SYS_WRITE0 = 0x04, SYS_EXIT = 0x18, SYS_EXIT_EXTENDED = 0x20 };
#define ADP_STOPPED_APPLICATION_EXIT 0x20026u

/* Overrides rdimon's (a separate archive member): exit(), abort() and a
 * return from main all end here, and the code always reaches the host. */
void _exit(int code)
{
    uint32_t block[2] = { ADP_STOPPED_APPLICATION_EXIT, (uint32_t)code };
    semihost_call(SYS_EXIT_EXTENDED, block);
    /* An old host without the extension: only "0 or not". */
    semihost_call(SYS_EXIT, (void *)(uintptr_t)(code == 0
        ? ADP_STOPPED_APPLICATION_EXIT : 0x20023u /* RunTimeErrorUnknown */));
    for (;;)
        __asm volatile("wfi");
}

/* __libc_init_array / __libc_fini_array call these; crti.o is not linked. */
void _init(void) {}
void _fini(void) {}

/* ---- faults: raw semihosting only (newlib may be what broke) ------------ */

static char *put(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

static char *put_hex(char *p, const char *name, uint32_t v)
{
    p = put(p, name);
    for (int i = 7; i >= 0; i--)
        p[i] = "0123456789abcdef"[(v >> (4 * (7 - i))) & 15];
    return p + 8;
}

static void fault_report(uint32_t *frame, uint32_t exc_return)
{
    static char line[160];
    char *p = put(line, "FAULT:");
    p = put_hex(p, " pc=", frame[6]);
    p = put_hex(p, " lr=", frame[5]);
    p = put_hex(p, " cfsr=", *(volatile uint32_t *)0xE000ED28u);
    p = put_hex(p, " hfsr=", *(volatile uint32_t *)0xE000ED2Cu);
    p = put_hex(p, " bfar=", *(volatile uint32_t *)0xE000ED38u);
    p = put_hex(p, " exc_return=", exc_return);
    put(p, "\n");
    semihost_call(SYS_WRITE0, line);
    _exit(3);
}

__attribute__((naked)) void Fault_Handler(void)
{
    __asm volatile(
        "tst lr, #4\n"
        "ite eq\n"
        "mrseq r0, msp\n"
        "mrsne r0, psp\n"
        "mov r1, lr\n"
        "b fault_report_entry\n");
}

void fault_report_entry(uint32_t *frame, uint32_t exc_return);
void fault_report_entry(uint32_t *frame, uint32_t exc_return)
{
    fault_report(frame, exc_return);
}

void Unexpected_Handler(void);
void Unexpected_Handler(void)
{
    semihost_call(SYS_WRITE0, "FAULT: unexpected interrupt\n");
    _exit(3);
}

/* ---- reset ------------------------------------------------------------------ */

void Reset_Handler(void)
{
    for (uint32_t *s = __data_load__, *d = __data_start__; d < __data_end__;)
        *d++ = *s++;
    for (uint32_t *d = __bss_start__; d < __bss_end__;)
        *d++ = 0;
    /* Fault handlers for MemManage/BusFault/UsageFault, not HardFault. */
    *(volatile uint32_t *)0xE000ED24u |= 7u << 16;     /* SHCSR */
    *(volatile uint32_t *)0xE000ED14u |= 1u << 4;      /* CCR.DIV_0_TRP */
#if defined(__ARM_FP)
    /* Cortex-M4F: FPU access (CPACR CP10/CP11) before any FP instruction,
     * newlib's included. */
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
    __asm volatile("dsb\n isb" ::: "memory");
#endif
    initialise_monitor_handles();
    exit(main());
}

typedef void (*vector)(void);

/* External interrupts the images use; the board or the program defines
 * them (board_mps2.c, examples/firmware_at), else they are unexpected. */
void UART0_RX_Handler(void) __attribute__((weak, alias("Unexpected_Handler")));
void UART0_TX_Handler(void) __attribute__((weak, alias("Unexpected_Handler")));
void TIMER0_Handler(void) __attribute__((weak, alias("Unexpected_Handler")));
void DUALTIMER_Handler(void) __attribute__((weak, alias("Unexpected_Handler")));
void Soft_IRQ_Handler(void) __attribute__((weak, alias("Unexpected_Handler")));

__attribute__((section(".isr_vector"), used))
static const vector vectors[16 + 32] = {
    [0] = (vector)(uintptr_t)__stack_top__,
    [1] = Reset_Handler,
    [2] = Unexpected_Handler,     /* NMI */
    [3] = Fault_Handler,          /* HardFault */
    [4] = Fault_Handler,          /* MemManage */
    [5] = Fault_Handler,          /* BusFault */
    [6] = Fault_Handler,          /* UsageFault */
    [11] = Unexpected_Handler,    /* SVCall */
    [12] = Unexpected_Handler,    /* DebugMonitor */
    [14] = Unexpected_Handler,    /* PendSV */
    [15] = SysTick_Handler,
    [16 + 0] = UART0_RX_Handler,  /* CMSDK UART0 receive (AN385/AN386) */
    [16 + 1] = UART0_TX_Handler,  /* CMSDK UART0 transmit */
    [16 + 8] = TIMER0_Handler,    /* CMSDK timer 0 */
    [16 + 10] = DUALTIMER_Handler, /* CMSDK dual timer (both halves) */
    [16 + 27] = Soft_IRQ_Handler, /* pended by software (board_mps2.c) */
};
