/*
 * strio/error.h -- error codes.
 *
 * Every fallible strio call returns an int: >= 0 on success, a negative
 * code on failure. Codes are negated errno values where one fits (for
 * example -ENOMEM, -EINVAL from the C library) and the library's own codes
 * below, which are far below any errno value. strio_strerror() names both.
 */
#ifndef STRIO_ERROR_H
#define STRIO_ERROR_H

enum {
    STRIO_ECANCELED = -10001, /* a cancel scope around the operation was
                                 cancelled (explicitly or by its deadline) */
    STRIO_ETIMEDOUT = -10002, /* a "fail after" scope's deadline expired */
    STRIO_EBUSY = -10003,     /* resource in use: a second concurrent sender
                                 or receiver, or a full pool (no-wait spawn) */
    STRIO_ECLOSED = -10004,   /* used after our own close */
    STRIO_EBROKEN = -10005,   /* the peer or the transport failed */
    STRIO_EEND = -10006,      /* end of channel: closed and drained */
    STRIO_ESTATE = -10007,    /* API misuse: scopes exited out of order, a
                                 frame started twice, ... */
    STRIO_EEXIT = -10008,     /* a checked child process failed: non-zero
                                 exit status or killed by a signal
                                 (strio/process.h) */
    STRIO_ETLS = -10100,      /* TLS failure; see the TLS header for the
                                 BearSSL code it carries */
    /* TLS failures by cause (strio/tls.h: strio_tls_last_error() gives
     * the BearSSL code behind each) */
    STRIO_ETLS_UNTRUSTED = -10101, /* peer chain not trusted (unknown CA,
                                      self-signed, bad signature) */
    STRIO_ETLS_EXPIRED = -10102,   /* peer certificate expired or not yet
                                      valid */
    STRIO_ETLS_HOSTNAME = -10103,  /* peer certificate not for the server
                                      name asked for */
    STRIO_ETLS_HANDSHAKE = -10104, /* handshake failed (alert from the peer,
                                      no common parameters, EOF, ...) */
    STRIO_ETLS_TRUNCATED = -10105  /* end of stream without close_notify
                                      (a truncation attack or a sloppy
                                      peer; see https_compatible) */
};

/* HTTP/1.1 parser (strio/http.h says when each one is returned). */
enum {
    STRIO_EHTTP_REQUEST_LINE = -10200,
    STRIO_EHTTP_STATUS_LINE = -10201,
    STRIO_EHTTP_VERSION = -10202,
    STRIO_EHTTP_FIELD = -10203,
    STRIO_EHTTP_FIELD_SPACE = -10204,
    STRIO_EHTTP_OBS_FOLD = -10205,
    STRIO_EHTTP_BARE_CR = -10206,
    STRIO_EHTTP_BARE_LF = -10207,
    STRIO_EHTTP_CONTENT_LENGTH = -10208,
    STRIO_EHTTP_DUP_LENGTH = -10209,
    STRIO_EHTTP_LENGTH_AND_TE = -10210,
    STRIO_EHTTP_TE = -10211,
    STRIO_EHTTP_CHUNK_SIZE = -10212,
    STRIO_EHTTP_CHUNK_OVERFLOW = -10213,
    STRIO_EHTTP_CHUNK_END = -10214,
    STRIO_EHTTP_HOST = -10215,
    STRIO_EHTTP_TOO_MANY_FIELDS = -10216,
    STRIO_EHTTP_LINE_TOO_LONG = -10217,
    STRIO_EHTTP_HEAD_TOO_LARGE = -10218,
    STRIO_EHTTP_INCOMPLETE = -10219
};

enum {
    /* DNS (strio/dns.h, strio/dns_resolver.h): malformed messages ... */
    STRIO_EDNS_SHORT = -10300,    /* message ends inside an item */
    STRIO_EDNS_POINTER = -10301,  /* bad compression pointer (forward,
                                     out of bounds, loop) */
    STRIO_EDNS_LABEL = -10302,    /* label longer than 63 bytes */
    STRIO_EDNS_NAMELEN = -10303,  /* name longer than 255 bytes */
    STRIO_EDNS_FORMAT = -10304,   /* other malformed message */
    STRIO_EDNS_MISMATCH = -10305, /* response does not match the query */
    /* ... and answers */
    STRIO_EDNS_NXDOMAIN = -10310, /* no such name */
    STRIO_EDNS_NODATA = -10311,   /* name exists, no record of the type */
    STRIO_EDNS_SERVFAIL = -10312, /* server failure */
    STRIO_EDNS_REFUSED = -10313,  /* query refused */
    STRIO_EDNS_NOTIMP = -10314,   /* server does not implement the query */
    STRIO_EDNS_FORMERR = -10315,  /* server says the query was malformed */
    STRIO_EDNS_RCODE = -10316,    /* another nonzero RCODE */
    STRIO_EDNS_TRUNCATED = -10317 /* answer truncated (TC), nothing usable */
};

/*
 * Returns a static, human-readable description of `code` (a strio code or
 * a negated errno value). Never returns NULL; unknown codes give a generic
 * text. Thread-safe.
 */
const char *strio_strerror(int code);

#endif
