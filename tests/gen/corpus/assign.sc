// Awaits in assignments: plain, compound (+= -= *= /= %= <<= >>= &= |= ^=),
// chained, into array elements, struct members and through pointers.
#include <stdio.h>
#include "leaf.h"

struct box { int x; int y[3]; };

async int test_main(void)
{
    int x = 0, y = 0;
    x = await tleaf(5);
    printf("x=%d\n", x);
    x += await tleaf(10);
    printf("+= %d\n", x);
    x -= await tleaf(3);
    printf("-= %d\n", x);
    x *= await tleaf(4);
    printf("*= %d\n", x);
    x /= await tleaf(6);
    printf("/= %d\n", x);
    x %= await tleaf(5);
    printf("%%= %d\n", x);
    x <<= await tleaf(3);
    printf("<<= %d\n", x);
    x >>= await tleaf(1);
    printf(">>= %d\n", x);
    x &= await tleaf(0x1c);
    printf("&= %d\n", x);
    x |= await tleaf(0x101);
    printf("|= %d\n", x);
    x ^= await tleaf(0xff);
    printf("^= %d\n", x);
    x = y = await tleaf(42);
    printf("chain %d %d\n", x, y);
    int a[5] = { 0 };
    int i = 2;
    a[i] = await tleaf(7);
    a[i + 1] += await tleaf(8);
    a[0] = await tleaf(1) + a[i];
    printf("a=%d %d %d %d %d\n", a[0], a[1], a[2], a[3], a[4]);
    struct box b = { 0, { 0, 0, 0 } };
    b.x = await tleaf(9);
    b.y[1] = await tleaf(b.x + 1);
    b.y[2] -= await tleaf(2);
    printf("b=%d %d %d %d\n", b.x, b.y[0], b.y[1], b.y[2]);
    int *p = &b.y[0];
    *p = await tleaf(33);
    *(p + 2) *= await tleaf(-3);
    printf("b.y=%d %d %d\n", b.y[0], b.y[1], b.y[2]);
    struct box *bp = &b;
    bp->x += await tleaf(100);
    printf("bp->x=%d\n", bp->x);
    long sum = 0;
    for (i = 0; i < 5; i++)
        sum += await tleaf(a[i]);
    printf("sum=%ld\n", sum);
    return x + (int)sum;
}
