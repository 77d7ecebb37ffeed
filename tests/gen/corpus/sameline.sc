// Several awaits on one source line, in one statement and in several
// statements: resume states must not be keyed by line number.
#include <stdio.h>
#include "leaf.h"

async int id(int v) { int r = await tleaf(v); return r; }

async int test_main(void)
{
    int a = await tleaf(1); int b = await tleaf(2); int c = await id(3) + await id(4);
    printf("a=%d b=%d c=%d\n", a, b, c);
    if (await tleaf(a)) a = await tleaf(10); else a = await tleaf(20);
    printf("a=%d\n", a);
    for (int i = await tleaf(0); i < await tleaf(3); i += await tleaf(1)) b += await id(i);
    printf("b=%d\n", b);
    int x = 0; while (x < await tleaf(3)) x += await id(1); printf("x=%d\n", x);
    return a + b + c + x;
}
