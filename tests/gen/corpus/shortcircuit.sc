// && || ?: with awaits on either side. The untaken side must not run:
// tleaf counts its calls, and every check prints how many calls happened.
#include <stdio.h>
#include "leaf.h"

static unsigned long mark;

static void since(const char *what, int value)
{
    unsigned long now = tleaf_calls();
    printf("%s: value %d, %lu leaf calls\n", what, value, now - mark);
    mark = now;
}

async int side(int v)
{
    int r = await tleaf(v);
    return r;
}

async int test_main(void)
{
    int r;
    mark = tleaf_calls();
    r = await tleaf(0) && await tleaf(1);
    since("0 && 1", r);
    r = await tleaf(2) && await tleaf(3);
    since("2 && 3", r);
    r = await tleaf(4) || await tleaf(5);
    since("4 || 5", r);
    r = await tleaf(0) || await tleaf(0);
    since("0 || 0", r);
    r = await tleaf(0) || await tleaf(0) || await tleaf(6);
    since("0 || 0 || 6", r);
    r = await tleaf(1) && await tleaf(0) && await side(9);
    since("1 && 0 && side", r);
    r = 1 || await tleaf(1);
    since("1 || x", r);
    r = 0 && await tleaf(1);
    since("0 && x", r);
    int k = 0;
    r = k || (await tleaf(1) && (k || await side(2)));
    since("k || (1 && (k || side))", r);
    r = await tleaf(1) ? await tleaf(10) : await side(20);
    since("1 ? 10 : side", r);
    r = await tleaf(0) ? await tleaf(10) : await side(20);
    since("0 ? 10 : side", r);
    r = await tleaf(1) ? await tleaf(0) ? 5 : await tleaf(6) : await tleaf(7);
    since("nested ?:", r);
    r = (await tleaf(3) > 2 ? await tleaf(30) : 0) + (await tleaf(0) ? 0 : await tleaf(40));
    since("sum of ?:", r);
    if (await tleaf(0) && await side(1))
        printf("not here\n");
    since("if 0 && side", 0);
    if (await tleaf(1) || await side(1))
        printf("here\n");
    since("if 1 || side", 1);
    int n = 0;
    while (n < 3 && await tleaf(n) >= 0)
        n++;
    since("while n < 3 && leaf", n);
    int m = 0;
    while (await tleaf(m) < 2 || m == 2)
        m++;
    since("while leaf || m == 2", m);
    int arr[2] = { 0, 0 };
    arr[await tleaf(1) ? 1 : await tleaf(0)] = await tleaf(1) || await side(5);
    since("subscript ?:", arr[1]);
    r = (await tleaf(0) && await side(1)) + (await tleaf(1) || await side(1)) + (await tleaf(1) && await side(1));
    since("three groups", r);
    /* an equality as the left operand, and as a ?: condition: no doubled
     * parentheses around it (clang's -Wparentheses-equality) */
    int rc = 0, got;
    while (rc == 0 && (got = await tleaf(m)) > 0)
        rc = got - 2;
    since("while rc == 0 && (got = leaf) > 0", rc);
    r = rc == 0 ? await tleaf(1) : await tleaf(2);
    since("rc == 0 ? leaf : leaf", r);
    return r;
}
