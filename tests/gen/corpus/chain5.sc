// A call chain five levels deep (no recursion), every level with locals
// live across its awaits, run several times in a loop.
#include <stdio.h>
#include "leaf.h"

async int level5(int v)
{
    int a = await tleaf(v);
    int b = await tleaf(a + 1);
    return a * b;
}

async int level4(int v)
{
    int keep = v * 3;
    int r = await level5(v);
    return r + keep + await tleaf(1);
}

async int level3(int v)
{
    char tag[8] = "L3";
    int r = await level4(v) + await level4(v + 1);
    tag[2] = '!';
    tag[3] = 0;
    if (tag[0] != 'L')
        return -1;
    return r;
}

async int level2(int v)
{
    int sum = 0;
    for (int i = 0; i < 2; i++)
        sum += await level3(v + i);
    return sum;
}

async int level1(int v)
{
    int before = await tleaf(v);
    int mid = await level2(before);
    int after = await tleaf(mid);
    return after - before;
}

async int test_main(void)
{
    int total = 0;
    for (int v = 0; v < 4; v++) {
        int r = await level1(v);
        printf("level1(%d)=%d\n", v, r);
        total += r;
    }
    printf("direct level5=%d level3=%d\n", await level5(6), await level3(2));
    return total;
}
