// static async functions, async prototypes before use, definitions after
// use, and an async function declared twice.
#include <stdio.h>
#include "leaf.h"

static async int helper(int v);
async int later(int v);
async int later(int v);

async int test_main(void)
{
    int a = await helper(3);
    int b = await later(a);
    printf("a=%d b=%d\n", a, b);
    return a + b;
}

static async int helper(int v)
{
    int r = await tleaf(v) + await later(v);
    return r;
}

async int later(int v)
{
    int t = await tleaf(v * 10);
    return t + 1;
}
