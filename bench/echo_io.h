/*
 * echo_io.h -- stand-ins for the stream operations an echo handler awaits,
 * with frames shaped like strio's dynamic-dispatch stream calls (the stream
 * owns its in-flight operation; the caller's frame holds only the call's
 * arguments). Used to measure the handler's frame, never run.
 */
#ifndef BENCH_ECHO_IO_H
#define BENCH_ECHO_IO_H
#include <stddef.h>
#include <sys/types.h>
#include <strio/async.h>

struct conn;

STRIO_ASYNC_DECL(ssize_t conn_recv(struct conn *c, void *buf, size_t max))
struct conn_recv_frame {
    unsigned short strio_state;
    ssize_t strio_ret;
    struct conn *c;
    void *buf;
    size_t max;
};
void conn_recv_start(struct conn_recv_frame *f, struct conn *c, void *buf,
                     size_t max);
int conn_recv_resume(void *f, strio_task *t);

STRIO_ASYNC_DECL(int conn_send_all(struct conn *c, const void *buf, size_t len))
struct conn_send_all_frame {
    unsigned short strio_state;
    int strio_ret;
    struct conn *c;
    const void *buf;
    size_t len;
};
void conn_send_all_start(struct conn_send_all_frame *f, struct conn *c,
                         const void *buf, size_t len);
int conn_send_all_resume(void *f, strio_task *t);

#endif
