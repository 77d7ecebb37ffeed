// Statement forms around awaits: empty loop bodies, do/if/else without
// braces, (void)await, a label on an awaiting statement, await in a for step.
#include <stdio.h>
#include "leaf.h"
async void vf(int *p) { *p += await tleaf(1); }
async int test_main(void)
{
    int n = 3, x = 0, i = 0;
    while (await tleaf(n--) > 0)
        ;
    printf("n=%d\n", n);
    do await vf(&x); while (x < 3);
    printf("x=%d\n", x);
    if (x > 2) await vf(&x); else await vf(&i);
    printf("x=%d i=%d\n", x, i);
    for (;;) { if (await tleaf(i) > 4) break; i++; }
    printf("i=%d\n", i);
    (void)await tleaf(2);
lbl:
    x = await tleaf(x + 1);
    if (x < 8)
        goto lbl;
    printf("x=%d\n", x);
    for (i = 0; i < 3; i++, await vf(&x))
        continue;
    printf("x=%d\n", x);
    return x;
}
