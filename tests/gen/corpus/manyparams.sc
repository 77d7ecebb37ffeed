// An async function with many parameters of many types (including a struct
// by value, a pointer, a function pointer and a double), all read after
// awaits.
#include <stdio.h>
#include "leaf.h"

struct cfg { short lo, hi; char mode; };

static int twice(int v) { return 2 * v; }

async long many(int a, long b, char c, double d, unsigned e, short f,
                const char *s, struct cfg g, int (*fn)(int), unsigned char h,
                long long i, int *out)
{
    int t = await tleaf(a);
    await tleaf(0);
    long r = t + b + c + (long)(d * 4) + (long)e + f + s[0] + g.lo + g.hi + g.mode
             + fn(a) + h + (long)i;
    *out = await tleaf(a + f);
    printf("many a=%d b=%ld c=%c d=%.2f e=%u f=%d s=%s g=%d,%d,%c fn=%d h=%u i=%lld\n",
           a, b, c, d, e, f, s, g.lo, g.hi, g.mode, fn(a), h, i);
    return r;
}

async int eight(int p1, int p2, int p3, int p4, int p5, int p6, int p7, int p8)
{
    int s = await tleaf(p1) + p2 * 2 + p3 * 3 + p4 * 4;
    await tleaf(0);
    return s + p5 * 5 + p6 * 6 + p7 * 7 + await tleaf(p8 * 8);
}

async int test_main(void)
{
    int out = 0;
    struct cfg g = { -3, 300, 'm' };
    long r = await many(1, 100000L, 'z', 2.25, 40000u, (short)-7, "str", g, twice,
                        (unsigned char)250, 1LL << 40, &out);
    printf("r=%ld out=%d\n", r, out);
    int e = await eight(1, 2, 3, 4, 5, 6, 7, 8);
    printf("eight=%d\n", e);
    int e2 = await eight(await tleaf(1), 1, await tleaf(1), 1, 1, await tleaf(1), 1, 1);
    printf("eight2=%d\n", e2);
    return (int)(r % 1000) + e + e2 + out;
}
