// A for loop's body redeclares the loop variable (C11: the body is its own
// scope), live across an await.
#include <stdio.h>
#include "leaf.h"
async int test_main(void)
{
    int total = 0;
    for (int i = 0; i < 3; i++) {
        int i = 10;
        i += await tleaf(1);
        total += i;
        printf("inner i=%d\n", i);
    }
    printf("total=%d\n", total);
    return total;
}
