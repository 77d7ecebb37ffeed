/* stdlib.h of tests/bare/libc (see string.h): no heap, just the exits. */
#ifndef BARE_LIBC_STDLIB_H
#define BARE_LIBC_STDLIB_H

#include <stddef.h>

_Noreturn void exit(int status);
_Noreturn void abort(void);
int abs(int v);

/* The board's exit (QEMU's exit status). */
_Noreturn void _exit(int status);

#endif
