// Shadowed names: the same name in nested and sibling blocks, shadowing a
// parameter and a global, every copy live across awaits.
#include <stdio.h>
#include "leaf.h"

int x = 5000;

async int shadow_param(int v)
{
    int r = await tleaf(v);
    {
        int v = await tleaf(r * 2);
        r += v;
        {
            int v = await tleaf(1);
            r += v;
        }
        r += v;
    }
    return r + v;
}

async int test_main(void)
{
    printf("global x=%d\n", x);
    int x = await tleaf(1);
    {
        int x = await tleaf(2);
        {
            int x = await tleaf(3);
            await tleaf(0);
            printf("x3=%d\n", x);
        }
        await tleaf(0);
        printf("x2=%d\n", x);
        {
            int x = await tleaf(4);
            await tleaf(0);
            printf("x4=%d\n", x);
            x += 10;
            printf("x4'=%d\n", x);
        }
        printf("x2 again=%d\n", x);
    }
    printf("x1=%d\n", x);
    for (int i = 0; i < 2; i++) {
        int x = await tleaf(i + 20);
        for (int i = 0; i < 2; i++) {
            int x2 = x;
            int x = await tleaf(i + 30);
            printf("loop x=%d outer x=%d\n", x, x2);
        }
        printf("loop outer x=%d i=%d\n", x, i);
    }
    {
        long x = 100000L * await tleaf(3);
        printf("long x=%ld\n", x);
    }
    printf("shadow_param %d\n", await shadow_param(7));
    printf("x1 end=%d\n", x);
    return x;
}
