// Awaits in the conditions of if / else if / while / for / do-while / switch.
#include <stdio.h>
#include "leaf.h"

async int is_even(int v)
{
    int r = await tleaf(v) % 2 == 0;
    return r;
}

async int test_main(void)
{
    int n = 0;
    for (int v = 0; v < 6; v++) {
        if (await is_even(v))
            printf("%d even\n", v);
        else if (await tleaf(v) == 3)
            printf("%d three\n", v);
        else
            printf("%d odd\n", v);
    }
    int w = 5;
    while (await tleaf(w) > 0) {
        w -= 2;
        n++;
    }
    printf("while w=%d n=%d\n", w, n);
    int f;
    for (f = await tleaf(1); await tleaf(f) < 100; f = await tleaf(f * 3))
        printf("for f=%d\n", f);
    printf("for end f=%d\n", f);
    int d = 0;
    do {
        d += 4;
        printf("do d=%d\n", d);
    } while (await tleaf(d) < 15);
    for (int s = 0; s < 5; s++) {
        switch (await tleaf(s)) {
        case 0: printf("s zero\n"); break;
        case 2: printf("s two\n"); break;
        case 4: printf("s four\n"); break;
        default: printf("s other %d\n", s); break;
        }
    }
    if (await tleaf(0)) {
        printf("never\n");
    }
    if (!await tleaf(0))
        printf("negated\n");
    if ((await tleaf(2) & 2) != 0 && await tleaf(n) == n)
        printf("compound cond\n");
    int count = 0;
    while (await tleaf(count) < 3)
        count++;
    printf("count=%d\n", count);
    return w + f + d + count;
}
