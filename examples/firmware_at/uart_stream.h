/*
 * uart_stream.h -- the CMSDK APB UART of the ARM MPS2 boards (QEMU's
 * mps2-an385/an386 UART0 at 0x40004000) as a strio stream.
 *
 * Receive is interrupt-driven: the RX handler moves bytes from the UART
 * into a ring the caller provides and sets a strio_bare_event; a task's
 * receive_some takes what is there (1..max bytes) or waits on the event.
 * Send writes the data register while the UART takes bytes and waits on
 * the TX interrupt's event when it is full. Both handlers touch only the
 * ring's atomics, the UART and strio_bare_event_set() (strio/bare.h).
 *
 *     static unsigned char rx_ring[64];
 *     static uart_stream uart;
 *     uart_stream_init(&uart, UART0_BASE, &bare, rx_ring, sizeof rx_ring);
 *     void UART0_RX_Handler(void) { uart_stream_rx_isr(&uart); }
 *     void UART0_TX_Handler(void) { uart_stream_tx_isr(&uart); }
 *     ... await strio_receive_some(&uart.base, buf, sizeof buf) ...
 *
 * Contract (strio/stream.h): every operation is a checkpoint; a cancelled
 * receive took nothing (bytes are taken only after the last wait); a
 * cancelled send_all sent a prefix. Not half-closeable (a wire has no
 * end of stream: receive_some never returns 0). close stops the UART's
 * interrupts and makes pending and later operations return STRIO_ECLOSED.
 * Flow control: while the ring is full, bytes wait in the UART (RX
 * interrupts off) instead of being dropped; the sender must wait (QEMU's
 * serial does; a real link needs RTS/CTS or a protocol that waits for
 * answers, as AT does).
 */
#ifndef UART_STREAM_H
#define UART_STREAM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <strio/bare.h>
#include <strio/stream.h>

typedef struct uart_stream uart_stream;

/* The operations' frames (generated from uart_stream_impl.sc). */
#include "uart_stream_impl.h"

struct uart_stream {
    strio_stream base;                  /* first: pass &u.base */
    uintptr_t regs;                     /* the UART's base address */
    unsigned char *ring;                /* RX ring, `cap` bytes */
    unsigned cap;
    atomic_uint head;                   /* written by the RX handler */
    atomic_uint tail;                   /* written by the loop thread */
    strio_bare_event rx_ready, tx_ready;
    /* private */
    unsigned char closed;
    volatile unsigned char rx_stalled;  /* ring was full: RX irq off */
    unsigned char send_op;
    union {
        struct uart_do_send_all_frame send_all;
        struct uart_do_wait_send_frame wait_send;
    } send_frame;
    struct uart_do_receive_frame receive_frame;
    struct uart_do_close_frame close_frame;
};

/* Sets up the UART at `regs` (enables TX, RX and their interrupts; the
 * caller enables them in the NVIC) over the caller's ring of `cap` bytes.
 * Loop thread, before the interrupts can fire. */
void uart_stream_init(uart_stream *u, uintptr_t regs, strio_bare *bare,
                      unsigned char *ring, unsigned cap);

/* For the UART's RX and TX interrupt handlers. */
void uart_stream_rx_isr(uart_stream *u);
void uart_stream_tx_isr(uart_stream *u);

/* Writes a byte, waiting while the UART is full (no interrupt): for fault
 * and panic messages. */
void uart_stream_put_raw(uart_stream *u, char c);

#endif
