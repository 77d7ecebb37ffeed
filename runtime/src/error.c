/* strio_strerror (see strio/error.h). */
#include <string.h>

#include <strio/error.h>

const char *strio_strerror(int code)
{
    switch (code) {
    case 0:
        return "success";
    case STRIO_ECANCELED:
        return "operation cancelled (a cancel scope was cancelled)";
    case STRIO_ETIMEDOUT:
        return "deadline expired";
    case STRIO_EBUSY:
        return "resource busy (another task is already using it, or the "
               "pool is full)";
    case STRIO_ECLOSED:
        return "resource used after it was closed";
    case STRIO_EBROKEN:
        return "resource broken (the peer or the transport failed)";
    case STRIO_EEND:
        return "end of channel (closed and drained)";
    case STRIO_ESTATE:
        return "invalid state (API misuse, or every task blocked forever)";
    case STRIO_ETLS:
        return "TLS failure";
    case STRIO_EEXIT:
        return "child process failed (non-zero exit status or killed by a "
               "signal)";
    }
    if (code < 0 && code > -10000)
        return strerror(-code);
    return "unknown error";
}
