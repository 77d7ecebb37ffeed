// return with awaits: return await, return of an expression with several
// awaits, early returns from inside loops, switch and nested blocks.
#include <stdio.h>
#include "leaf.h"

async int direct(int v)
{
    return await tleaf(v);
}

async int expr(int v)
{
    return await tleaf(v) * 10 + await tleaf(v + 1);
}

async int early(int limit)
{
    for (int i = 0; ; i++) {
        int sq = await tleaf(i * i);
        if (sq > limit)
            return await tleaf(i);
    }
}

async int classify(int v)
{
    switch (v % 3) {
    case 0:
        return await tleaf(100 + v);
    case 1: {
        int t = await tleaf(v);
        if (t > 5)
            return t * 2;
        break;
    }
    default:
        break;
    }
    return -1;
}

async int nested(int v)
{
    {
        int a = await tleaf(v);
        {
            int b = await tleaf(a + 1);
            if (b > 3)
                return a + b;
        }
    }
    return 0;
}

async int ternary_ret(int v)
{
    return v > 2 ? await tleaf(v) : await direct(-v);
}

async int test_main(void)
{
    printf("direct %d\n", await direct(7));
    printf("expr %d\n", await expr(4));
    printf("early %d\n", await early(50));
    for (int v = 0; v < 9; v++)
        printf("classify(%d) %d\n", v, await classify(v));
    printf("nested %d %d\n", await nested(1), await nested(5));
    printf("ternary %d %d\n", await ternary_ret(1), await ternary_ret(5));
    return await direct(await expr(2));
}
