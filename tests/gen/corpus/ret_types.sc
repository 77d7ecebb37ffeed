// Async functions returning _Bool, double, unsigned char, long long and a
// pointer: the result converts to the return type as in C.
#include <stdio.h>
#include "leaf.h"

static int cells[3] = { 7, 8, 9 };

async _Bool isnz(int v) { return await tleaf(v); }
async double half(int v) { return await tleaf(v) / 2.0; }
async unsigned char low(int v) { return (unsigned char)await tleaf(v); }
async long long big(int v) { return (long long)await tleaf(v) << 40; }
async int *cell(int i) { return &cells[await tleaf(i)]; }

async int test_main(void)
{
    int b = await isnz(256);
    double h = await half(5);
    unsigned u = await low(300);
    long long l = await big(3);
    int *c = await cell(2);
    printf("%d %.1f %u %lld %d\n", b, h, u, l, *c);
    return b + (int)u + *c;
}
