/*
 * size_probe.c -- the runtime's objects, one static instance each, so that
 * `nm -S` of this file compiled for the target prints their sizes (the
 * generator's --report measures frames the same way). Never linked.
 */
#include <strio/bare.h>
#include <strio/bufread.h>
#include <strio/memstream.h>
#include <strio/strio.h>

#include "uart_stream.h"
#include "at_server.h"

strio_task size_task;
strio_cancel_scope size_cancel_scope;
strio_nursery size_nursery;
strio_timer size_timer;
strio_waitq size_waitq;
strio_loop size_loop;
strio_pool size_pool;
strio_bare size_bare;
strio_bare_event size_bare_event;
strio_bare_tick_clock size_bare_tick_clock;
strio_reader size_reader;
strio_memory_stream_pair size_memory_stream_pair;
strio_fault_stream size_fault_stream;
uart_stream size_uart_stream;
struct strio_checkpoint_frame size_checkpoint_frame;
struct strio_sleep_frame size_sleep_frame;
struct strio_receive_some_frame size_receive_some_frame;
struct strio_read_until_frame size_read_until_frame;
struct strio_bare_wait_event_frame size_wait_event_frame;
struct at_serve_frame size_at_serve_frame;
