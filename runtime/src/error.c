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
    /* HTTP parser */
    case STRIO_EHTTP_REQUEST_LINE:
        return "HTTP: malformed request line";
    case STRIO_EHTTP_STATUS_LINE:
        return "HTTP: malformed status line";
    case STRIO_EHTTP_VERSION:
        return "HTTP: unsupported version (only 1.0 and 1.1)";
    case STRIO_EHTTP_FIELD:
        return "HTTP: malformed header field";
    case STRIO_EHTTP_FIELD_SPACE:
        return "HTTP: whitespace between field name and colon";
    case STRIO_EHTTP_OBS_FOLD:
        return "HTTP: obsolete line folding (line starts with whitespace)";
    case STRIO_EHTTP_BARE_CR:
        return "HTTP: CR not followed by LF";
    case STRIO_EHTTP_BARE_LF:
        return "HTTP: LF without CR";
    case STRIO_EHTTP_CONTENT_LENGTH:
        return "HTTP: invalid Content-Length";
    case STRIO_EHTTP_DUP_LENGTH:
        return "HTTP: more than one Content-Length";
    case STRIO_EHTTP_LENGTH_AND_TE:
        return "HTTP: both Content-Length and Transfer-Encoding";
    case STRIO_EHTTP_TE:
        return "HTTP: unsupported or malformed Transfer-Encoding";
    case STRIO_EHTTP_CHUNK_SIZE:
        return "HTTP: malformed chunk size line";
    case STRIO_EHTTP_CHUNK_OVERFLOW:
        return "HTTP: chunk size too large";
    case STRIO_EHTTP_CHUNK_END:
        return "HTTP: chunk data not followed by CRLF";
    case STRIO_EHTTP_HOST:
        return "HTTP: missing or repeated Host";
    case STRIO_EHTTP_TOO_MANY_FIELDS:
        return "HTTP: too many header fields";
    case STRIO_EHTTP_LINE_TOO_LONG:
        return "HTTP: line longer than the parser's buffer";
    case STRIO_EHTTP_HEAD_TOO_LARGE:
        return "HTTP: header section too large";
    case STRIO_EHTTP_INCOMPLETE:
        return "HTTP: end of stream inside a message";
    case STRIO_ETLS_UNTRUSTED:
        return "TLS: peer certificate chain not trusted";
    case STRIO_ETLS_EXPIRED:
        return "TLS: peer certificate expired or not yet valid";
    case STRIO_ETLS_HOSTNAME:
        return "TLS: peer certificate does not match the server name";
    case STRIO_ETLS_HANDSHAKE:
        return "TLS: handshake failed";
    case STRIO_ETLS_TRUNCATED:
        return "TLS: stream truncated (end of stream without close_notify)";
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
    case STRIO_EEXIT:
        return "child process failed (non-zero exit status or killed by a "
               "signal)";
    }
    if (code < 0 && code > -10000)
        return strerror(-code);
    return "unknown error";
}
