// continue must go to the loop's condition/step even when that condition or
// step contains awaits: do-while with an awaited condition, for with awaits
// in condition and step, while with an awaited condition.
#include <stdio.h>
#include "leaf.h"

async int dec(int v)
{
    int r = await tleaf(v - 1);
    return r;
}

async int test_main(void)
{
    int n = 6, seen = 0;
    do {
        if (n % 2 == 0) {
            printf("do skip %d\n", n);
            continue;
        }
        seen += await tleaf(n);
        printf("do n=%d seen=%d\n", n, seen);
    } while ((n = await dec(n)) > 0);
    printf("do end n=%d seen=%d\n", n, seen);

    int i, acc = 0;
    for (i = await tleaf(0); await tleaf(i) < 8; i = await tleaf(i + 1)) {
        if (i % 3 == 1)
            continue;
        acc += i;
        if (await tleaf(acc) > 20)
            break;
        printf("for i=%d acc=%d\n", i, acc);
    }
    printf("for end i=%d acc=%d\n", i, acc);

    int k = 0;
    for (int step = 1; k < 20; k += await tleaf(step), step++) {
        if (k % 2)
            continue;
        printf("for2 k=%d step=%d\n", k, step);
    }
    printf("for2 end k=%d\n", k);

    int w = 10, odd = 0;
    while (await dec(w) > 0) {
        w = await dec(w);
        if (w % 2 == 0)
            continue;
        odd++;
        printf("while w=%d\n", w);
    }
    printf("while end w=%d odd=%d\n", w, odd);

    int c = 0, d = 0;
    do {
        c++;
        do {
            d++;
            if (d % 3)
                continue;
            printf("inner c=%d d=%d\n", c, d);
        } while (await tleaf(d % 4) != 0);
        if (c == 2)
            continue;
    } while (await tleaf(c) < 3);
    printf("nested do end c=%d d=%d\n", c, d);
    return seen + acc + k + w + odd + c + d;
}
