/* at.h -- the AT-command server of examples/firmware_at (see
 * at_server.sc), served over any strio stream. */
#ifndef AT_H
#define AT_H

#include <errno.h>
#include <strio/bare.h>
#include <strio/stream.h>

#define AT_LINE_MAX 80

typedef struct at_server at_server;

/* What the commands need from the board. */
typedef struct at_board {
    const char *name;
    strio_bare_event *sample_ready;     /* set by the sampling interrupt */
    void (*timer)(int on);              /* start/stop the sampling timer */
} at_board;

#endif
