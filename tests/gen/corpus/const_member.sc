// A struct with a const member initialized from an await and returned from
// an async function (valid C: initialization and return, no assignment).
#include <stdio.h>
#include "leaf.h"
struct cs { const int a; int b; };
async struct cs mk(int v)
{
    struct cs r = { await tleaf(v), v * 2 };
    return r;
}
async int test_main(void)
{
    struct cs v = await mk(3);
    await tleaf(0);
    printf("a=%d b=%d\n", v.a, v.b);
    return v.a;
}
