/* stdio.h of tests/bare/libc (see string.h): formatted output to the
 * board's UART. Conversions: %d %i %u %x %X %c %s %p %%, with the l, ll,
 * z and h length modifiers, a field width, the 0 and - flags, and a
 * precision (.N or .*) for %s only; no floating point. */
#ifndef BARE_LIBC_STDIO_H
#define BARE_LIBC_STDIO_H

#include <stdarg.h>
#include <stddef.h>

typedef struct bare_file FILE;
extern FILE *const stdout, *const stderr;
#define EOF (-1)

int printf(const char *restrict fmt, ...)
    __attribute__((format(printf, 1, 2)));
int fprintf(FILE *restrict f, const char *restrict fmt, ...)
    __attribute__((format(printf, 2, 3)));
int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
    __attribute__((format(printf, 3, 4)));
int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt,
              va_list ap);
int vprintf(const char *restrict fmt, va_list ap);
int putchar(int c);
int puts(const char *s);
int fflush(FILE *f);

/* The board's byte output (the UART). */
void bare_libc_putc(char c);

#endif
