// A block-scope local with the name of a parameter, live across an await,
// in a function where the block's locals need no union with a sibling.
#include <stdio.h>
#include "leaf.h"

async int f(int a)
{
    int acc = 0;
    {
        int a = 16;
        acc += await tleaf(a);
        acc += a;
    }
    return acc + a;
}

async int test_main(void)
{
    int r = await f(1);
    printf("r=%d\n", r);
    return r;
}
