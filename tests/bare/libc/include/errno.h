/* errno.h of tests/bare/libc (see string.h): newlib's values for the codes
 * strio and its tests use, so an RV32 image prints the same numbers as an
 * Arm one. No `errno` variable: strio never reads it. */
#ifndef BARE_LIBC_ERRNO_H
#define BARE_LIBC_ERRNO_H

#define EPERM 1
#define ENOENT 2
#define EINTR 4
#define EIO 5
#define EBADF 9
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define EINVAL 22
#define EMFILE 24
#define ENOSPC 28
#define EPIPE 32
#define ERANGE 34
#define EPROTO 71
#define EMSGSIZE 122
#define ECONNRESET 104
#define EAFNOSUPPORT 106
#define ECONNREFUSED 111
#define EDESTADDRREQ 121
#define ETIMEDOUT 116
#define ECANCELED 140

#endif
