/*
 * The UART stream (see uart_stream.h): CMSDK APB UART registers under a
 * strio_stream. Written in the dialect like the library's streams; this
 * file is named _impl so its generated header does not shadow
 * uart_stream.h.
 */
#include <strio/strio.h>

#include "uart_stream.h"

/* CMSDK APB UART registers (offsets from the base). */
#define UART_DATA(u) (*(volatile uint32_t *)((u)->regs + 0x00))
#define UART_STATE(u) (*(volatile uint32_t *)((u)->regs + 0x04))
#define UART_CTRL(u) (*(volatile uint32_t *)((u)->regs + 0x08))
#define UART_INTCLEAR(u) (*(volatile uint32_t *)((u)->regs + 0x0C))
#define UART_BAUDDIV(u) (*(volatile uint32_t *)((u)->regs + 0x10))
#define STATE_TXFULL 1u
#define STATE_RXFULL 2u
#define CTRL_TXEN 1u
#define CTRL_RXEN 2u
#define CTRL_TXINTEN 4u
#define CTRL_RXINTEN 8u
#define INT_TX 1u
#define INT_RX 2u

/* ---- the interrupt side ---------------------------------------------- */

/* Moves received bytes from the UART into the ring. When the ring is full
 * it leaves the byte in the UART and turns RX interrupts off: the UART
 * then takes nothing more (the sender waits; QEMU holds its input back),
 * and rx_take() turns them on again once it has made room. */
static void rx_drain(uart_stream *u)
{
    unsigned head = atomic_load_explicit(&u->head, memory_order_relaxed);
    while (UART_STATE(u) & STATE_RXFULL) {
        unsigned tail = atomic_load_explicit(&u->tail, memory_order_acquire);
        if (head - tail >= u->cap) {
            UART_CTRL(u) = CTRL_TXEN | CTRL_RXEN | CTRL_TXINTEN;
            u->rx_stalled = 1;
            break;
        }
        u->ring[head % u->cap] = (unsigned char)UART_DATA(u);
        head++;
    }
    atomic_store_explicit(&u->head, head, memory_order_release);
}

void uart_stream_rx_isr(uart_stream *u)
{
    rx_drain(u);
    UART_INTCLEAR(u) = INT_RX;
    strio_bare_event_set(&u->rx_ready);
}

void uart_stream_tx_isr(uart_stream *u)
{
    UART_INTCLEAR(u) = INT_TX;          /* a byte left: room again */
    strio_bare_event_set(&u->tx_ready);
}

void uart_stream_put_raw(uart_stream *u, char c)
{
    while (UART_STATE(u) & STATE_TXFULL)
        ;
    UART_DATA(u) = (unsigned char)c;
}

/* Takes up to `max` bytes from the ring (loop thread). */
static size_t rx_take(uart_stream *u, unsigned char *buf, size_t max)
{
    unsigned head = atomic_load_explicit(&u->head, memory_order_acquire);
    unsigned tail = atomic_load_explicit(&u->tail, memory_order_relaxed);
    size_t n = 0;
    while (tail != head && n < max)
        buf[n++] = u->ring[tail++ % u->cap];
    atomic_store_explicit(&u->tail, tail, memory_order_release);
    if (u->rx_stalled && n > 0 && !u->closed) {
        /* Room again: what the UART holds comes in now, with interrupts
         * masked (the handler is the ring's other writer), then RX
         * interrupts back on. */
        __asm volatile("cpsid i" ::: "memory");
        u->rx_stalled = 0;
        UART_CTRL(u) = CTRL_TXEN | CTRL_RXEN | CTRL_TXINTEN | CTRL_RXINTEN;
        rx_drain(u);
        __asm volatile("cpsie i" ::: "memory");
    }
    return n;
}

/* ---- the operations ------------------------------------------------- */

async long uart_do_receive(uart_stream *u, unsigned char *buf, size_t max)
{
    int rc = await strio_checkpoint();
    if (rc < 0)
        return rc;
    for (;;) {
        if (u->closed)
            return STRIO_ECLOSED;
        /* taken only here, after the last wait: a cancelled receive (the
         * wait returns STRIO_ECANCELED) has taken nothing */
        size_t n = rx_take(u, buf, max);
        if (n > 0)
            return (long)n;
        rc = await strio_bare_wait_event(&u->rx_ready);
        if (rc < 0)
            return rc;
    }
}

async int uart_do_send_all(uart_stream *u, const unsigned char *data,
                           size_t len)
{
    int rc = await strio_checkpoint();
    if (rc < 0)
        return rc;
    size_t i = 0;
    while (i < len) {
        if (u->closed)
            return STRIO_ECLOSED;
        if ((UART_STATE(u) & STATE_TXFULL) == 0) {
            UART_DATA(u) = data[i++];
            continue;
        }
        rc = await strio_bare_wait_event(&u->tx_ready);
        if (rc < 0)
            return rc;                  /* a prefix was sent */
    }
    return 0;
}

async int uart_do_wait_send(uart_stream *u)
{
    int rc = await strio_checkpoint();
    if (rc < 0)
        return rc;
    while (!u->closed && (UART_STATE(u) & STATE_TXFULL) != 0) {
        rc = await strio_bare_wait_event(&u->tx_ready);
        if (rc < 0)
            return rc;
    }
    return u->closed ? STRIO_ECLOSED : 0;
}

async int uart_do_close(uart_stream *u)
{
    return await strio_checkpoint();    /* closed already, by uart_close */
}

/* ---- the operations table --------------------------------------------- */

static const unsigned char op_send_all = 1, op_wait_send = 2;

static uart_stream *uart(strio_stream *s)
{
    return (uart_stream *)s;
}

static void uart_send_all(strio_stream *s, const void *data, size_t len)
{
    uart(s)->send_op = op_send_all;
    uart_do_send_all_start(&uart(s)->send_frame.send_all, uart(s), data, len);
}

static void uart_wait_send(strio_stream *s)
{
    uart(s)->send_op = op_wait_send;
    uart_do_wait_send_start(&uart(s)->send_frame.wait_send, uart(s));
}

static int uart_send_step(strio_stream *s, strio_task *task, long *result)
{
    uart_stream *u = uart(s);
    int rc;
    if (u->send_op == op_send_all) {
        rc = uart_do_send_all_resume(&u->send_frame.send_all, task);
        if (rc == STRIO_DONE)
            *result = u->send_frame.send_all.strio_ret;
    } else {
        rc = uart_do_wait_send_resume(&u->send_frame.wait_send, task);
        if (rc == STRIO_DONE)
            *result = u->send_frame.wait_send.strio_ret;
    }
    return rc;
}

static void uart_receive(strio_stream *s, void *buf, size_t max)
{
    uart_do_receive_start(&uart(s)->receive_frame, uart(s), buf, max);
}

static int uart_receive_step(strio_stream *s, strio_task *task, long *result)
{
    uart_stream *u = uart(s);
    int rc = uart_do_receive_resume(&u->receive_frame, task);
    if (rc == STRIO_DONE)
        *result = u->receive_frame.strio_ret;
    return rc;
}

/* Close acts at once (even in a cancelled scope): interrupts off, and the
 * events set so that pending operations wake and see `closed`. */
static void uart_close(strio_stream *s)
{
    uart_stream *u = uart(s);
    u->closed = 1;
    UART_CTRL(u) = CTRL_TXEN | CTRL_RXEN;
    strio_bare_event_set(&u->rx_ready);
    strio_bare_event_set(&u->tx_ready);
    uart_do_close_start(&u->close_frame, u);
}

static int uart_close_step(strio_stream *s, strio_task *task, long *result)
{
    uart_stream *u = uart(s);
    int rc = uart_do_close_resume(&u->close_frame, task);
    if (rc == STRIO_DONE)
        *result = u->close_frame.strio_ret;
    return rc;
}

static const strio_stream_ops uart_ops = {
    .name = "cmsdk-uart",
    .send_all = uart_send_all,
    .wait_send = uart_wait_send,
    .send_step = uart_send_step,
    .receive_some = uart_receive,
    .receive_step = uart_receive_step,
    .close = uart_close,
    .close_step = uart_close_step,
};

void uart_stream_init(uart_stream *u, uintptr_t regs, strio_bare *bare,
                      unsigned char *ring, unsigned cap)
{
    strio_stream_init(&u->base, &uart_ops);
    u->regs = regs;
    u->ring = ring;
    u->cap = cap;
    atomic_init(&u->head, 0u);
    atomic_init(&u->tail, 0u);
    strio_bare_event_init(&u->rx_ready, bare);
    strio_bare_event_init(&u->tx_ready, bare);
    u->closed = 0;
    u->rx_stalled = 0;
    u->send_op = 0;
    UART_BAUDDIV(u) = 16;               /* the smallest legal divider */
    UART_CTRL(u) = CTRL_TXEN | CTRL_RXEN | CTRL_TXINTEN | CTRL_RXINTEN;
}
