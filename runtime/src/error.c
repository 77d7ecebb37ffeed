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
    case STRIO_EDNS_SHORT:
        return "DNS: message truncated (ends inside an item)";
    case STRIO_EDNS_POINTER:
        return "DNS: bad name compression pointer";
    case STRIO_EDNS_LABEL:
        return "DNS: label longer than 63 bytes";
    case STRIO_EDNS_NAMELEN:
        return "DNS: name longer than 255 bytes";
    case STRIO_EDNS_FORMAT:
        return "DNS: malformed message";
    case STRIO_EDNS_MISMATCH:
        return "DNS: response does not match the query";
    case STRIO_EDNS_NXDOMAIN:
        return "DNS: no such name (NXDOMAIN)";
    case STRIO_EDNS_NODATA:
        return "DNS: no record of the requested type";
    case STRIO_EDNS_SERVFAIL:
        return "DNS: server failure (SERVFAIL)";
    case STRIO_EDNS_REFUSED:
        return "DNS: query refused (REFUSED)";
    case STRIO_EDNS_NOTIMP:
        return "DNS: not implemented by the server (NOTIMP)";
    case STRIO_EDNS_FORMERR:
        return "DNS: server reports a format error (FORMERR)";
    case STRIO_EDNS_RCODE:
        return "DNS: error response code";
    case STRIO_EDNS_TRUNCATED:
        return "DNS: answer truncated (TC) with no usable record";
    }
    if (code < 0 && code > -10000)
        return strerror(-code);
    return "unknown error";
}
