/*
 * libc.c -- the freestanding C library of the RV32 test images (see
 * include/string.h). Compiled with -fno-builtin and
 * -fno-tree-loop-distribute-patterns, so GCC does not turn these loops
 * back into calls to themselves.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- memory and strings -------------------------------------------------- */

void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    while (n--)
        *dp++ = *sp++;
    return d;
}

void *memmove(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;
    if (dp < sp) {
        while (n--)
            *dp++ = *sp++;
    } else {
        while (n--)
            dp[n] = sp[n];
    }
    return d;
}

void *memset(void *d, int c, size_t n)
{
    unsigned char *dp = d;
    while (n--)
        *dp++ = (unsigned char)c;
    return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x - *y;
    return 0;
}

void *memchr(const void *s, int c, size_t n)
{
    const unsigned char *p = s;
    for (; n; n--, p++)
        if (*p == (unsigned char)c)
            return (void *)(uintptr_t)p;
    return NULL;
}

size_t strlen(const char *s)
{
    const char *p = s;
    while (*p)
        p++;
    return (size_t)(p - s);
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (*a == 0)
            break;
    }
    return 0;
}

char *strncpy(char *restrict d, const char *restrict s, size_t n)
{
    size_t i = 0;
    for (; i < n && s[i]; i++)
        d[i] = s[i];
    for (; i < n; i++)
        d[i] = 0;
    return d;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)(uintptr_t)s;
        if (*s == 0)
            return NULL;
    }
}

char *strstr(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncmp(hay, needle, n) == 0)
            return (char *)(uintptr_t)hay;
    return n == 0 ? (char *)(uintptr_t)hay : NULL;
}

char *strerror(int errnum)
{
    static char buf[24];
    snprintf(buf, sizeof buf, "error %d", errnum);
    return buf;
}

int abs(int v)
{
    return v < 0 ? -v : v;
}

/* ---- formatting ------------------------------------------------------------ */

struct out {
    char *buf;          /* NULL: to the UART */
    size_t size, len;
};

static void emit(struct out *o, char c)
{
    if (o->buf == NULL)
        bare_libc_putc(c);
    else if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void emit_padded(struct out *o, const char *s, size_t n, int width,
                        int left, char pad)
{
    int fill = width > (int)n ? width - (int)n : 0;
    if (!left && pad == '0' && n > 0 && *s == '-') {
        emit(o, '-');           /* zero padding goes after the sign */
        s++, n--;
    }
    if (!left)
        while (fill-- > 0)
            emit(o, pad);
    while (n--)
        emit(o, *s++);
    if (left)
        while (fill-- > 0)
            emit(o, ' ');
}

static int format(struct out *o, const char *fmt, va_list ap)
{
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            emit(o, *fmt);
            continue;
        }
        fmt++;
        int left = 0, width = 0, lng = 0;
        char pad = ' ';
        for (;; fmt++) {
            if (*fmt == '-')
                left = 1;
            else if (*fmt == '0')
                pad = '0';
            else
                break;
        }
        while (*fmt >= '0' && *fmt <= '9')
            width = width * 10 + (*fmt++ - '0');
        /* precision: used by %s only ("%.*s" prints spans that are not
         * NUL-terminated); -1 none */
        int prec = -1;
        if (*fmt == '.') {
            fmt++;
            prec = 0;
            if (*fmt == '*') {
                fmt++;
                prec = va_arg(ap, int);
                if (prec < 0)
                    prec = -1;      /* a negative precision is none */
            } else {
                while (*fmt >= '0' && *fmt <= '9')
                    prec = prec * 10 + (*fmt++ - '0');
            }
        }
        for (;; fmt++) {
            if (*fmt == 'l')
                lng++;
            else if (*fmt == 'z')
                lng = sizeof(size_t) > sizeof(int) ? 2 : 0;
            else if (*fmt != 'h')
                break;
        }
        char tmp[24], *p = tmp + sizeof tmp;
        unsigned long long u;
        int neg = 0, base = 10;
        const char *digits = "0123456789abcdef";
        switch (*fmt) {
        case 'd':
        case 'i': {
            long long v = lng >= 2 ? va_arg(ap, long long)
                        : lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
            neg = v < 0;
            u = neg ? 0ull - (unsigned long long)v : (unsigned long long)v;
            goto number;
        }
        case 'p':
            u = (uintptr_t)va_arg(ap, void *);
            base = 16;
            emit(o, '0');
            emit(o, 'x');
            goto number;
        case 'X':
            digits = "0123456789ABCDEF";
            /* fall through */
        case 'x':
            base = 16;
            /* fall through */
        case 'u':
            u = lng >= 2 ? va_arg(ap, unsigned long long)
              : lng == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
        number:
            do {
                *--p = digits[u % (unsigned)base];
                u /= (unsigned)base;
            } while (u);
            if (neg)
                *--p = '-';
            emit_padded(o, p, (size_t)(tmp + sizeof tmp - p), width, left,
                        pad);
            break;
        case 'c':
            tmp[0] = (char)va_arg(ap, int);
            emit_padded(o, tmp, 1, width, left, ' ');
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (s == NULL)
                s = "(null)";
            size_t n = 0;           /* never reads past the precision */
            while ((prec < 0 || n < (size_t)prec) && s[n] != 0)
                n++;
            emit_padded(o, s, n, width, left, ' ');
            break;
        }
        case '%':
            emit(o, '%');
            break;
        default:                /* unsupported: show it, do not guess */
            emit(o, '%');
            emit(o, *fmt ? *fmt : '?');
            if (*fmt == 0)
                fmt--;
            break;
        }
    }
    if (o->buf != NULL && o->size > 0)
        o->buf[o->len < o->size ? o->len : o->size - 1] = 0;
    return (int)o->len;
}

int vsnprintf(char *restrict buf, size_t size, const char *restrict fmt,
              va_list ap)
{
    static char dummy[1];
    struct out o = { size ? buf : dummy, size, 0 };
    return format(&o, fmt, ap);
}

int snprintf(char *restrict buf, size_t size, const char *restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int vprintf(const char *restrict fmt, va_list ap)
{
    struct out o = { NULL, 0, 0 };
    return format(&o, fmt, ap);
}

int printf(const char *restrict fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

/* One UART: stdout and stderr are the same stream. */
struct bare_file {
    int fd;
};
static struct bare_file files[2] = { { 1 }, { 2 } };
FILE *const stdout = &files[0], *const stderr = &files[1];

int fprintf(FILE *restrict f, const char *restrict fmt, ...)
{
    (void)f;
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int fflush(FILE *f)
{
    (void)f;
    return 0;
}

int putchar(int c)
{
    bare_libc_putc((char)c);
    return (unsigned char)c;
}

int puts(const char *s)
{
    while (*s)
        bare_libc_putc(*s++);
    bare_libc_putc('\n');
    return 0;
}

void exit(int status)
{
    _exit(status);
}

void abort(void)
{
    puts("abort()");
    _exit(1);
}

char *strrchr(const char *s, int c)
{
    const char *last = NULL;
    for (;; s++) {
        if (*s == (char)c)
            last = s;
        if (*s == 0)
            return (char *)(uintptr_t)last;
    }
}
