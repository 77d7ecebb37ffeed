// Parameters whose declared type is adjusted by C: an array parameter is a
// pointer, a function parameter is a function pointer. Both live across
// awaits. An array of const elements keeps its element type's qualifiers
// (`const char *const v[]` is `const char *const *v`, not a const pointer).
#include <stdio.h>
#include <string.h>
#include "leaf.h"

static int neg(int v) { return -v; }

async int sum(int a[4], int n)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        s += await tleaf(a[i]);
    a[0] = 99;
    return s;
}

async int apply(int fn(int), int v)
{
    int t = await tleaf(v);
    return fn(t);
}

async int count_chars(const char *const v[], const int w[])
{
    int n = 0;
    for (int i = 0; v[i] != 0; i++)
        n += await tleaf((int)strlen(v[i]) * w[i]);
    return n;
}

async int test_main(void)
{
    static const char *const words[] = { "ab", "cde", 0 };
    static const int weights[] = { 1, 10 };
    printf("chars=%d\n", await count_chars(words, weights));
    int arr[4] = { 1, 2, 3, 4 };
    int s = await sum(arr, 4);
    printf("s=%d a0=%d\n", s, arr[0]);
    printf("apply=%d\n", await apply(neg, 5));
    return s;
}
