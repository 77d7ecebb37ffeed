// const and volatile locals live across awaits, pointers to const, const
// pointers, volatile arrays.
#include <stdio.h>
#include "leaf.h"

async int test_main(void)
{
    const int k = await tleaf(7);
    volatile int vv = 3;
    await tleaf(0);
    vv += k;
    printf("k=%d vv=%d\n", k, vv);
    const char *const msg = "const";
    int n = await tleaf(2);
    printf("msg=%s n=%d ch=%c\n", msg, n, msg[n]);
    int target = 10;
    int *const cp = &target;
    *cp = await tleaf(11);
    printf("target=%d\n", target);
    const volatile int cv = await tleaf(99);
    await tleaf(1);
    printf("cv=%d\n", cv);
    volatile unsigned char bytes[4] = { 1, 2, 3, 4 };
    bytes[await tleaf(2)] = (unsigned char)await tleaf(30);
    await tleaf(0);
    printf("bytes=%u %u %u %u\n", bytes[0], bytes[1], bytes[2], bytes[3]);
    const struct { int a; const char *b; } cs = { await tleaf(5), "cs" };
    await tleaf(0);
    printf("cs=%d %s\n", cs.a, cs.b);
    for (int i = 0; i < 3; i++) {
        const int ci = await tleaf(i * 4);
        volatile long vl = ci;
        vl += await tleaf(1);
        printf("ci=%d vl=%ld\n", ci, (long)vl);
    }
    return k + vv + n + target + cv + cs.a;
}
