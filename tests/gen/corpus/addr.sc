// Locals whose address is taken and used after awaits: the frame must not
// move, so pointers into it stay valid. Async callees write through
// pointers after their own awaits.
#include <stdio.h>
#include "leaf.h"

struct acc { int n; long total; };

async void set_later(int *p, int v)
{
    int t = await tleaf(v);
    await tleaf(0);
    *p = t;
}

async int add_later(struct acc *a, int v)
{
    int t = await tleaf(v);
    a->n++;
    a->total += t;
    return a->n;
}

async int fill(int *dst, int n)
{
    for (int i = 0; i < n; i++)
        dst[i] = await tleaf(i * i);
    return n;
}

async int swap_later(int *a, int *b)
{
    int t = *a;
    await tleaf(0);
    *a = *b;
    await tleaf(0);
    *b = t;
    return t;
}

async int test_main(void)
{
    int x = 1;
    await set_later(&x, 42);
    printf("x=%d\n", x);
    int *px = &x;
    await tleaf(0);
    *px += await tleaf(8);
    printf("x=%d via px=%d\n", x, *px);
    struct acc a = { 0, 0 };
    for (int i = 1; i <= 4; i++)
        printf("add_later n=%d\n", await add_later(&a, i * 10));
    printf("acc n=%d total=%ld\n", a.n, a.total);
    int arr[6];
    int filled = await fill(arr, 6);
    printf("filled %d: %d %d %d %d %d %d\n", filled, arr[0], arr[1], arr[2], arr[3], arr[4], arr[5]);
    int *mid = &arr[2];
    await fill(mid, 2);
    printf("refill: %d %d %d %d\n", arr[1], arr[2], arr[3], arr[4]);
    int u = 5, v = 9;
    await swap_later(&u, &v);
    printf("swapped u=%d v=%d\n", u, v);
    for (int round = 0; round < 3; round++) {
        int local = -1;
        int *pl = &local;
        await set_later(pl, round * 3);
        printf("round %d local=%d\n", round, local);
    }
    int *pa = &a.n;
    await set_later(pa, 77);
    printf("a.n=%d\n", a.n);
    return x + a.n + (int)a.total + u + v;
}
