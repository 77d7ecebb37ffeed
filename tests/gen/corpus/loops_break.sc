// break and continue around awaits in while, for and do-while loops,
// nested loops, and loops with no condition.
#include <stdio.h>
#include "leaf.h"

async int test_main(void)
{
    int total = 0;
    for (int i = 0; i < 10; i++) {
        int v = await tleaf(i);
        if (v == 2)
            continue;
        if (v == 7)
            break;
        total += v;
        printf("for i=%d total=%d\n", i, total);
    }
    int w = 0;
    while (1) {
        w = await tleaf(w + 3);
        if (w % 2 == 0)
            continue;
        if (w > 12)
            break;
        printf("while w=%d\n", w);
        w++;
    }
    printf("after while w=%d\n", w);
    int d = 0;
    do {
        d++;
        if (await tleaf(d) == 2)
            continue;
        printf("do d=%d\n", d);
        if (d == 4)
            break;
    } while (d < 10);
    printf("after do d=%d\n", d);
    int pairs = 0;
    for (int a = 0; a < 4; a++) {
        for (int b = 0; b < 4; b++) {
            if (await tleaf(b) > a)
                break;
            if ((a + b) % 2)
                continue;
            pairs += await tleaf(a * 10 + b);
        }
        if (a == 2)
            continue;
        printf("outer a=%d pairs=%d\n", a, pairs);
    }
    int e = 0;
    for (;;) {
        if (await tleaf(e) >= 3)
            break;
        e++;
    }
    printf("e=%d\n", e);
    return total + w + d + pairs + e;
}
