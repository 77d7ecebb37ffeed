// differential: expected-only
// Lexical left-to-right evaluation of every operand in expressions that
// contain an await: binary operands, function arguments (plain and async),
// initializer lists, and assignment targets. Plain C leaves these orders
// unspecified, so this is checked against order.expected only.
#include <stdio.h>
#include "leaf.h"

static int trace(int v)
{
    printf(" t%d", v);
    return v;
}

async int say(int v)
{
    printf(" s%d", v);
    int r = await tleaf(v);
    printf(" e%d", v);
    return r;
}

static int three(int a, int b, int c)
{
    return a * 100 + b * 10 + c;
}

async int athree(int a, int b, int c)
{
    return await tleaf(a * 100 + b * 10 + c);
}

async int test_main(void)
{
    int r;
    printf("binary:");
    r = await say(1) + await say(2) * await say(3);
    printf(" = %d\n", r);
    printf("mixed:");
    r = trace(1) - await say(2) + trace(3);
    printf(" = %d\n", r);
    printf("plain args:");
    r = three(await say(1), trace(2), await say(3));
    printf(" = %d\n", r);
    printf("async args:");
    r = await athree(trace(1), await say(2), trace(3));
    printf(" = %d\n", r);
    printf("nested:");
    r = await athree(await say(1), await athree(trace(0), await say(2), 0), await say(3));
    printf(" = %d\n", r);
    printf("init:");
    int arr[3] = { await say(7), trace(8), await say(9) };
    printf(" = %d%d%d\n", arr[0], arr[1], arr[2]);
    printf("cmp:");
    r = (await say(1) < trace(2)) + (trace(3) == await say(3));
    printf(" = %d\n", r);
    printf("target:");
    int t[4] = { 0, 0, 0, 0 };
    t[trace(1)] = await say(5);
    printf(" = %d\n", t[1]);
    printf("ternary:");
    r = trace(0) ? await say(1) : trace(2) + await say(3);
    printf(" = %d\n", r);
    printf("short:");
    r = trace(1) && await say(0) && trace(9);
    printf(" = %d\n", r);
    return r;
}
