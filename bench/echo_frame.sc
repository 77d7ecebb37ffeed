/* An echo-style handler: receive into a 256-byte local buffer, send it
 * back, loop. bench/frames.py reports its frame against the 256 bytes. */
#include "echo_io.h"

async int echo_handler(struct conn *c)
{
    char buf[256];
    for (;;) {
        ssize_t n = await conn_recv(c, buf, sizeof buf);
        if (n <= 0)
            return (int)n;
        int rc = await conn_send_all(c, buf, (size_t)n);
        if (rc < 0)
            return rc;
    }
}
