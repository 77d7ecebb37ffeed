// 1000-iteration loops of awaits: callee frames are started again on every
// iteration and must be reused cleanly.
#include <stdio.h>
#include "leaf.h"

async int step(int i)
{
    int a = await tleaf(i);
    int b = await tleaf(a % 7);
    return a + b;
}

async int inner_loop(int n)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        s += await tleaf(1);
    return s;
}

async int test_main(void)
{
    long sum = 0;
    for (int i = 0; i < 1000; i++)
        sum += await tleaf(i);
    printf("sum=%ld\n", sum);
    long sum2 = 0;
    int i = 0;
    while (i < 1000) {
        sum2 += await step(i);
        i++;
    }
    printf("sum2=%ld\n", sum2);
    long sum3 = 0;
    for (int j = 0; j < 1000; j++)
        sum3 += await inner_loop(j % 5);
    printf("sum3=%ld\n", sum3);
    int k = 0;
    do
        k = await tleaf(k + 1);
    while (k < 1000);
    printf("k=%d calls=%lu\n", k, tleaf_calls());
    return (int)(sum % 100000) + (int)(sum2 % 1000) + (int)sum3 + k;
}
