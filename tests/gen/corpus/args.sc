// Awaits as function arguments: to plain C functions, to async functions,
// nested `await f(await g(x))`, and mixed with plain arguments.
#include <stdio.h>
#include "leaf.h"

static int plain3(int a, int b, int c)
{
    return a * 100 + b * 10 + c;
}

async int add(int a, int b)
{
    int r = await tleaf(a) + b;
    return r;
}

async int mul3(int a, int b, int c)
{
    return await tleaf(a * b * c);
}

async int test_main(void)
{
    int x = plain3(await tleaf(1), 2, await tleaf(3));
    printf("plain3 %d\n", x);
    int y = await add(await tleaf(4), await tleaf(5));
    printf("add %d\n", y);
    int z = await tleaf(await tleaf(await tleaf(6)));
    printf("nested3 %d\n", z);
    int w = await mul3(await add(1, 1), 3, await add(await tleaf(2), await tleaf(2)));
    printf("mul3 %d\n", w);
    int v = plain3(await add(0, 1), plain3(0, 0, await tleaf(2)), 3);
    printf("mixed %d\n", v);
    printf("printf args %d %d %d\n", await tleaf(7), x + 1, await add(y, await tleaf(1)));
    int k = 2;
    int u = await add(k, await add(k, await add(k, await tleaf(k))));
    printf("deep %d\n", u);
    return x + y + z + w + v + u;
}
