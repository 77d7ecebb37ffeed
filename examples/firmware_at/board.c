/*
 * board.c -- board glue of examples/firmware_at on the ARM MPS2 AN386
 * board (QEMU mps2-an386, Cortex-M4): SysTick at 1 kHz drives the loop's
 * clock, the loop sleeps in WFI, UART0 is the AT server's stream
 * (uart_stream.h), CMSDK TIMER0 stands in for a sensor whose "sample
 * ready" interrupt sets an event. Reset, vectors and the exit (QEMU's exit
 * status, through semihosting) come from tests/bare/startup.c, the memory
 * map from tests/bare/mps2.ld.
 *
 *   make test-firmware   # scripted session: script.txt in, expected.txt out
 *   qemu-system-arm -M mps2-an386 -nographic \
 *       -semihosting-config enable=on,target=native \
 *       -kernel build/bare/an386/firmware_at.elf       # interactive
 */
#include <stdint.h>
#include <strio/bare.h>
#include <strio/strio.h>

#include "at.h"
#include "at_server.h"
#include "uart_stream.h"

#define REG(addr) (*(volatile uint32_t *)(addr))
#define SYST_CSR REG(0xE000E010u)
#define SYST_RVR REG(0xE000E014u)
#define SYST_CVR REG(0xE000E018u)
#define NVIC_ISER0 REG(0xE000E100u)
#define TIMER0_CTRL REG(0x40000000u)        /* CMSDK APB timer 0, IRQ 8 */
#define TIMER0_RELOAD REG(0x40000008u)
#define TIMER0_INTCLEAR REG(0x4000000Cu)
#define UART0_BASE 0x40004000u              /* RX IRQ 0, TX IRQ 1 */
#define CPU_HZ 25000000u

static strio_bare_tick_clock ticks;
static strio_bare bare;
static strio_loop loop;
static uart_stream uart;
static unsigned char rx_ring[64];
static strio_bare_event sample_ready;
static volatile unsigned sample_count;

void SysTick_Handler(void);
void UART0_RX_Handler(void);
void UART0_TX_Handler(void);
void TIMER0_Handler(void);

void SysTick_Handler(void) { strio_bare_tick(&ticks); }
void UART0_RX_Handler(void) { uart_stream_rx_isr(&uart); }
void UART0_TX_Handler(void) { uart_stream_tx_isr(&uart); }

void TIMER0_Handler(void)
{
    TIMER0_INTCLEAR = 1;
    sample_count++;
    strio_bare_event_set(&sample_ready);
}

/* 20 Hz "sample ready" interrupts while on. */
static void timer(int on)
{
    TIMER0_CTRL = 0;
    if (on) {
        TIMER0_RELOAD = CPU_HZ / 20 - 1;
        REG(0x40000004u) = CPU_HZ / 20 - 1;     /* VALUE: a full period */
        TIMER0_CTRL = 1u | 8u;                  /* enable, interrupt */
    }
}

/* Sleep until an interrupt; masked while testing the flag, so an event
 * set just before the WFI still ends it (the interrupt stays pending). */
static void wait_until(void *ctx, strio_time deadline)
{
    (void)ctx;
    (void)deadline;                 /* the 1 kHz tick ends every sleep */
    __asm volatile("cpsid i" ::: "memory");
    if (!strio_bare_pending(&bare))
        __asm volatile("wfi" ::: "memory");
    __asm volatile("cpsie i" ::: "memory");
}

static const strio_bare_port port = { wait_until, NULL, NULL };

static const at_board board = {
    "strio AT demo, Cortex-M4 (MPS2 AN386)", &sample_ready, timer,
};

static struct at_serve_frame serve_frame;
static strio_task serve_task;

int main(void)
{
    strio_bare_tick_clock_init(&ticks, STRIO_MS(1));
    strio_bare_init(&bare, &port);
    strio_loop_init(&loop, &ticks.clock, strio_bare_backend(&bare));
    strio_bare_event_init(&sample_ready, &bare);
    uart_stream_init(&uart, UART0_BASE, &bare, rx_ring, sizeof rx_ring);
    NVIC_ISER0 = (1u << 0) | (1u << 1) | (1u << 8);
    SYST_RVR = CPU_HZ / 1000 - 1;
    SYST_CVR = 0;
    SYST_CSR = 7;                   /* CLKSOURCE=CPU, TICKINT, ENABLE */
    timer(1);

    at_serve_start(&serve_frame, &uart.base, &board);
    strio_task_init(&serve_task, at_serve_resume, &serve_frame,
                    &serve_frame.strio_ret);
    int rc = strio_loop_run(&loop, &serve_task);
    if (rc == 0)
        rc = serve_frame.strio_ret;
    timer(0);
    return rc == 0 ? 0 : 1;         /* QEMU's exit status */
}
