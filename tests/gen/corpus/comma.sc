// The comma operator with awaits on either side, in statements, for
// headers, conditions and arguments.
#include <stdio.h>
#include "leaf.h"

async int test_main(void)
{
    int a, b, c;
    a = (await tleaf(1), await tleaf(2));
    printf("a=%d\n", a);
    b = (a = await tleaf(5), a + await tleaf(1));
    printf("a=%d b=%d\n", a, b);
    c = 0;
    await tleaf(9), c = await tleaf(3), c += await tleaf(4);
    printf("c=%d\n", c);
    int i, j, sum = 0;
    for (i = 0, j = await tleaf(6); i < j; i++, j = await tleaf(j - 1))
        sum += i * 10 + j;
    printf("i=%d j=%d sum=%d\n", i, j, sum);
    int n = 0;
    while (n++, await tleaf(n) < 4)
        printf("while n=%d\n", n);
    printf("end n=%d\n", n);
    int k = 0;
    if ((k = await tleaf(3), k > 2))
        printf("if k=%d\n", k);
    printf("arg %d\n", (await tleaf(0), await tleaf(11)));
    return a + b + c + sum + n + k;
}
