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
    STRIO_ETLS = -10100,      /* TLS failure; see the TLS header for the
                                 BearSSL code it carries */
    STRIO_EEXIT = -10200      /* a checked child process failed: non-zero
                                 exit status or killed by a signal
                                 (strio/process.h) */
};

/*
 * Returns a static, human-readable description of `code` (a strio code or
 * a negated errno value). Never returns NULL; unknown codes give a generic
 * text. Thread-safe.
 */
const char *strio_strerror(int code);

#endif
