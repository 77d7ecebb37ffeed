// _Alignas locals keep their alignment when they live across awaits.
#include <stdio.h>
#include <stdint.h>
#include "leaf.h"

async int inner(int v)
{
    _Alignas(64) char line[64];
    line[0] = (char)await tleaf(v);
    await tleaf(0);
    printf("inner aligned64=%d\n", (int)((uintptr_t)line % 64 == 0));
    return line[0];
}

async int test_main(void)
{
    _Alignas(32) int a = await tleaf(5);
    _Alignas(16) char buf[20];
    _Alignas(double) char dbl[sizeof(double)];
    buf[0] = 'q';
    dbl[0] = 'd';
    await tleaf(0);
    printf("a=%d aligned32=%d\n", a, (int)((uintptr_t)&a % 32 == 0));
    printf("buf aligned16=%d %c\n", (int)((uintptr_t)buf % 16 == 0), buf[0]);
    printf("dbl aligned=%d %c\n", (int)((uintptr_t)dbl % _Alignof(double) == 0), dbl[0]);
    int r = await inner(9);
    _Alignas(128) long big = await tleaf(3);
    await tleaf(0);
    printf("big aligned128=%d %ld\n", (int)((uintptr_t)&big % 128 == 0), big);
    return a + r + (int)big;
}
