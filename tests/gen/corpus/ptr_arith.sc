// Pointer arithmetic on locals live across awaits, pointers into arrays
// as loop variables, an awaited pointer increment.
#include <stdio.h>
#include "leaf.h"
async int test_main(void)
{
    int arr[10];
    int *p = arr, *end = arr + 10;
    while (p < end) {
        *p = await tleaf((int)(end - p));
        p++;
    }
    int sum = 0;
    for (int *q = arr; q != end; q += await tleaf(2))
        sum += *q;
    printf("sum=%d first=%d\n", sum, arr[0]);
    char buf[16];
    char *w = buf;
    for (int i = 0; i < 5; i++)
        *w++ = (char)('a' + await tleaf(i));
    *w = 0;
    printf("buf=%s len=%d\n", buf, (int)(w - buf));
    return sum;
}
