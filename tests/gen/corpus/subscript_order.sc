// differential: expected-only
// The dialect evaluates every operand left to right, the subscript on the
// left of `=` included; plain C leaves this unsequenced (UB), so this
// program is checked against subscript_order.expected only.
#include <stdio.h>
#include "leaf.h"

async int bump(int *p)
{
    int v = await tleaf(*p);
    *p = v + 10;
    return v;
}

async int test_main(void)
{
    int a[8] = { 0 };
    int i = 0;
    a[i++] = await tleaf(i);          /* a[0] = 1, i = 1 */
    a[i++] = await tleaf(i * 10);     /* a[1] = 20, i = 2 */
    a[i] += await tleaf(i++);         /* a[2] += 2, i = 3 */
    printf("i=%d a=%d %d %d %d\n", i, a[0], a[1], a[2], a[3]);
    int j = 4;
    a[j] = await bump(&j);            /* a[4] = 4, j = 14 */
    printf("j=%d a4=%d\n", j, a[4]);
    int k = 5;
    a[await tleaf(k)] = await bump(&k);  /* a[5] = 5, k = 15 */
    printf("k=%d a5=%d\n", k, a[5]);
    int m = 1;
    int r = m + await bump(&m);       /* 1 + 1, m = 11 */
    printf("r=%d m=%d\n", r, m);
    int n = 2;
    int s = await bump(&n) + n;       /* 2 + 12, n = 12 */
    printf("s=%d n=%d\n", s, n);
    return a[0] + a[1] + a[2] + a[4] + a[5] + r + s;
}
