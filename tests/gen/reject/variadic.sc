// reject: variable arguments|variadic|\.\.\.
#include <stdarg.h>
#include "leaf.h"
async int sum(int n, ...) // <-- error
{
    va_list ap;
    va_start(ap, n);
    int s = va_arg(ap, int);
    va_end(ap);
    return s + await tleaf(n);
}
async int test_main(void) { return await sum(1, 2); }
