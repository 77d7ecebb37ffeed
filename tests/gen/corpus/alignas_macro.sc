// The <stdalign.h> spellings `alignas`/`alignof` (macros for _Alignas and
// _Alignof, which the generator sees unexpanded) on locals live across
// awaits.
#include <stdio.h>
#include <stdint.h>
#include <stdalign.h>
#include "leaf.h"

async int test_main(void)
{
    alignas(32) int a = await tleaf(5);
    alignas(double) char dbl[sizeof(double)];
    dbl[0] = 'd';
    await tleaf(0);
    printf("a=%d aligned32=%d\n", a, (int)((uintptr_t)&a % 32 == 0));
    printf("dbl aligned=%d %c\n", (int)((uintptr_t)dbl % alignof(double) == 0), dbl[0]);
    return a;
}
