// Awaits in initializers: scalars, several declarators in one declaration,
// struct and array initializers, initializers that use earlier awaited
// locals, and a block-scope declaration after statements.
#include <stdio.h>
#include "leaf.h"

struct pair { int a, b; };

async int twice(int v)
{
    int r = await tleaf(v) * 2;
    return r;
}

async int test_main(void)
{
    int a = await tleaf(3);
    int b = await tleaf(4), c = a + await tleaf(5), d = 7;
    printf("a=%d b=%d c=%d d=%d\n", a, b, c, d);
    long e = await twice(await tleaf(a + b));
    printf("e=%ld\n", e);
    struct pair p = { await tleaf(10), await tleaf(20) };
    printf("p=%d,%d\n", p.a, p.b);
    int arr[4] = { await tleaf(1), 2, await tleaf(3) };
    printf("arr=%d %d %d %d\n", arr[0], arr[1], arr[2], arr[3]);
    unsigned char small = (unsigned char)await tleaf(300);
    printf("small=%u\n", (unsigned)small);
    double dd = await tleaf(7) / 2.0;
    printf("dd=%.2f\n", dd);
    for (int i = 0; i < 2; i++) {
        int inner = await tleaf(i * 100) + await twice(i);
        printf("inner[%d]=%d\n", i, inner);
    }
    int last = a + b + c + d + (int)e + p.a + p.b + arr[0] + arr[2];
    return last;
}
