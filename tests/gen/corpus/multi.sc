// Several awaits in one expression, across arithmetic, bitwise, relational,
// unary and cast operators, inside subscripts and member access.
#include <stdio.h>
#include "leaf.h"

struct pt { int x, y; };

async struct pt mkpt(int x, int y)
{
    struct pt p;
    p.x = await tleaf(x);
    p.y = await tleaf(y);
    return p;
}

async int test_main(void)
{
    int a = await tleaf(1) * 100 + await tleaf(2) * 10 + await tleaf(3);
    printf("a=%d\n", a);
    int b = (await tleaf(7) - await tleaf(2)) * (await tleaf(3) + await tleaf(1));
    printf("b=%d\n", b);
    int c = (await tleaf(0xf0) | await tleaf(0x0f)) ^ (await tleaf(0x3c) & await tleaf(0xff));
    printf("c=%d\n", c);
    int d = (await tleaf(3) < await tleaf(4)) + (await tleaf(5) == await tleaf(5)) * 2
            + (await tleaf(1) >= await tleaf(9)) * 4;
    printf("d=%d\n", d);
    int e = -await tleaf(5) + ~await tleaf(0) + !await tleaf(3) + !!await tleaf(8);
    printf("e=%d\n", e);
    long f = (long)await tleaf(1000) * (long)await tleaf(1000000);
    printf("f=%ld\n", f);
    int arr[6] = { 10, 11, 12, 13, 14, 15 };
    int g = arr[await tleaf(2)] + arr[await tleaf(1) + await tleaf(3)];
    printf("g=%d\n", g);
    int h = (await mkpt(4, 5)).x * 10 + (await mkpt(6, 7)).y;
    printf("h=%d\n", h);
    double q = await tleaf(7) / (double)await tleaf(2);
    printf("q=%.1f\n", q);
    int s = 0;
    s = s * 2 + await tleaf(1) + s + await tleaf(2) * s;
    printf("s=%d\n", s);
    unsigned sh = (unsigned)await tleaf(1) << await tleaf(4) >> await tleaf(2);
    printf("sh=%u\n", sh);
    return a + b + c + d + e + g + h + s;
}
