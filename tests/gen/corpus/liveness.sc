// Liveness must come from the control-flow graph: values that flow around a
// loop back edge or a backward goto across an await (while lexically no use
// follows the await), and address-taken locals used only through pointers.
#include <stdio.h>
#include "leaf.h"

async int test_main(void)
{
    int x = 0, total = 0;
    for (int i = 0; i < 4; i++) {
        printf("top x=%d\n", x);
        x = i * 2 + 1;
        await tleaf(0);
    }
    int y = 100, n = 0;
again:
    total += y;
    y = n * 7;
    await tleaf(n);
    if (++n < 3)
        goto again;
    printf("total=%d\n", total);
    int z = 5;
    while (await tleaf(z) > 0) {
        int tmp = z - 1;
        await tleaf(0);
        z = tmp;
        printf("z=%d\n", z);
    }
    {
        int a = await tleaf(1);
        int *p = &a;
        {
            int b = await tleaf(2);
            int c = await tleaf(3);
            total += b + c;
        }
        *p += 10;
        {
            int d[4] = { await tleaf(4), 0, 0, await tleaf(4) };
            total += d[0] + d[3];
        }
        total += *p;
        printf("via p=%d total=%d\n", *p, total);
    }
    int carry = 1, out = 0;
    for (int k = 0; k < 5; k++) {
        {
            int s1 = await tleaf(k);
            out += s1 * carry;
        }
        {
            int s2 = await tleaf(k + 1);
            carry = s2;
        }
    }
    printf("out=%d carry=%d\n", out, carry);
    int w = 3;
    do {
        if (w == 1) {
            printf("w one\n");
        }
        w--;
    } while (await tleaf(w) > 0);
    printf("w=%d\n", w);
    return total + out + x + y + z + w;
}
