// Declarations in for headers initialized by awaits, awaits in every part
// of the for header, loop-scoped locals, labels followed by declarations.
#include <stdio.h>
#include "leaf.h"

async int test_main(void)
{
    int total = 0;
    for (int i = await tleaf(0), lim = await tleaf(4); i < lim; i += await tleaf(1)) {
        int sq = await tleaf(i * i);
        total += sq;
        printf("i=%d lim=%d sq=%d\n", i, lim, sq);
    }
    for (int a = 0; a < 2; a++)
        for (int b = await tleaf(a); b < 3; b++) {
            int ab = await tleaf(a * 10 + b);
            total += ab;
        }
    printf("total=%d\n", total);
    int n = 0;
    goto lbl;
lbl:;
    int after_label = await tleaf(6);
    n += after_label;
    for (int k = 0; k < 3; k++) {
        int fresh = k + 100;
        await tleaf(k);
        printf("fresh=%d\n", fresh);
    }
    for (int e = 0; e < 3;) {
        e = await tleaf(e + 1);
        n += e;
    }
    printf("n=%d\n", n);
    return total + n;
}
