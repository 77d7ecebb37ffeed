/* string.h of tests/bare/libc: the freestanding C library of the RV32 test
 * images (Debian ships no libc for riscv64-unknown-elf). Only what the
 * strio core, its tests and the generator's corpus call. */
#ifndef BARE_LIBC_STRING_H
#define BARE_LIBC_STRING_H

#include <stddef.h>

void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strncpy(char *restrict d, const char *restrict s, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *hay, const char *needle);
char *strerror(int errnum);

#endif
