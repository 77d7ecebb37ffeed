/*
 * board_virt.c -- the hardware half of the test harness on QEMU's RISC-V
 * virt board (RV32IMAC, machine mode, no OS, no libc: tests/bare/libc).
 *
 *   tick        the CLINT's machine timer: mtimecmp advanced by 1 ms of
 *               mtime (10 MHz) at each interrupt
 *   soft IRQ    the CLINT's MSIP for hart 0 (a machine software interrupt)
 *   output      the NS16550A UART at 0x10000000
 *   exit        the SiFive test device at 0x100000: 0x5555 exits QEMU
 *               with 0, (code << 16) | 0x3333 with `code`
 *   faults      any other trap prints mcause/mepc/mtval and exits 3
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

#define REG32(addr) (*(volatile uint32_t *)(addr))
#define UART_THR REG32(0x10000000u)             /* byte-wide registers */
#define UART_LSR (*(volatile uint8_t *)0x10000005u)
#define TEST_DEV REG32(0x00100000u)
#define CLINT_MSIP REG32(0x02000000u)
#define CLINT_MTIMECMP_LO REG32(0x02004000u)
#define CLINT_MTIMECMP_HI REG32(0x02004004u)
#define CLINT_MTIME_LO REG32(0x0200BFF8u)
#define CLINT_MTIME_HI REG32(0x0200BFFCu)
#define MTIME_HZ 10000000u
#define TICK (MTIME_HZ / 1000u)

#define MIE_MSIE (1u << 3)
#define MIE_MTIE (1u << 7)
#define MSTATUS_MIE (1u << 3)
#define MCAUSE_INT 0x80000000u

const char *board_name(void)
{
    return "RV32IMAC (QEMU virt)";
}

const char *board_cmdline(void)
{
    return "";          /* no semihosting: deliberate failures are built in */
}

void bare_libc_putc(char c)
{
    while ((UART_LSR & 0x20) == 0)              /* THR empty */
        ;
    UART_THR = (uint8_t)c;
}

void _exit(int status)
{
    TEST_DEV = status == 0 ? 0x5555u : ((uint32_t)status << 16) | 0x3333u;
    for (;;)
        __asm volatile("wfi");
}

static uint64_t mtime(void)
{
    uint32_t hi, lo;
    do {
        hi = CLINT_MTIME_HI;
        lo = CLINT_MTIME_LO;
    } while (hi != CLINT_MTIME_HI);
    return (uint64_t)hi << 32 | lo;
}

/* The next tick's mtime: advanced by exactly one period each interrupt,
 * so the tick does not drift (-icount keeps QEMU from bursting). */
static uint64_t next_tick;
/* Tickless mode: no periodic tick; mtimecmp holds the loop's deadline. */
static volatile int tickless;

static void set_mtimecmp(uint64_t t)
{
    CLINT_MTIMECMP_HI = 0xFFFFFFFFu;            /* no spurious match */
    CLINT_MTIMECMP_LO = (uint32_t)t;
    CLINT_MTIMECMP_HI = (uint32_t)(t >> 32);
}

void board_start_tick(void)
{
    next_tick = mtime() + TICK;
    set_mtimecmp(next_tick);
    __asm volatile("csrs mie, %0" :: "r"(MIE_MTIE | MIE_MSIE));
    __asm volatile("csrs mstatus, %0" :: "r"(MSTATUS_MIE) : "memory");
}

void board_wfi(void)
{
    __asm volatile("csrc mstatus, %0" :: "r"(MSTATUS_MIE) : "memory");
    if (!strio_bare_pending(&board_bare))
        __asm volatile("wfi" ::: "memory");     /* ends on a pending IRQ */
    __asm volatile("csrs mstatus, %0" :: "r"(MSTATUS_MIE) : "memory");
}

void board_pend_soft_irq(void)
{
    CLINT_MSIP = 1;
    __asm volatile("fence" ::: "memory");
}

static void fault(uint32_t cause)
{
    uint32_t epc, tval;
    __asm volatile("csrr %0, mepc" : "=r"(epc));
    __asm volatile("csrr %0, mtval" : "=r"(tval));
    printf("FAULT: mcause=%08x mepc=%08x mtval=%08x\n", (unsigned)cause,
           (unsigned)epc, (unsigned)tval);
    _exit(3);
}

/* The trap vector (mtvec, direct mode): GCC saves and restores the
 * registers it uses and returns with mret. */
__attribute__((interrupt("machine"), aligned(4))) void trap_entry(void);
__attribute__((interrupt("machine"), aligned(4))) void trap_entry(void)
{
    uint32_t cause;
    __asm volatile("csrr %0, mcause" : "=r"(cause));
    if (cause == (MCAUSE_INT | 7) && tickless) {
        set_mtimecmp(UINT64_MAX);       /* the deadline came: disarm */
    } else if (cause == (MCAUSE_INT | 7)) {     /* machine timer */
        next_tick += TICK;
        set_mtimecmp(next_tick);
        board_tick_isr();
    } else if (cause == (MCAUSE_INT | 3)) {     /* machine software */
        CLINT_MSIP = 0;
        board_soft_isr();
    } else {
        fault(cause);
    }
}

/* ---- tickless (tickless_test.sc) ------------------------------------------ */

uint64_t board_counter(void *ctx)
{
    (void)ctx;
    return mtime();
}

uint32_t board_counter_hz(void)
{
    return MTIME_HZ;
}

void board_tickless(int on)
{
    __asm volatile("csrc mstatus, %0" :: "r"(MSTATUS_MIE) : "memory");
    tickless = on;
    if (on) {
        set_mtimecmp(UINT64_MAX);
    } else {
        next_tick = mtime() + TICK;
        set_mtimecmp(next_tick);
    }
    __asm volatile("csrs mstatus, %0" :: "r"(MSTATUS_MIE) : "memory");
}

/* Programs the compare for the deadline, then sleeps until it or any
 * other interrupt. A deadline already passed makes the interrupt pending
 * at once, so the WFI returns at once. */
void board_sleep_until(uint64_t when, strio_bare *bare)
{
    __asm volatile("csrc mstatus, %0" :: "r"(MSTATUS_MIE) : "memory");
    set_mtimecmp(when);
    if (!strio_bare_pending(bare))
        __asm volatile("wfi" ::: "memory");
    __asm volatile("csrs mstatus, %0" :: "r"(MSTATUS_MIE) : "memory");
}
