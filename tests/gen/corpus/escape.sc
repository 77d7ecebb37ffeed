// An address-taken local used after an await only through a pointer kept
// elsewhere (a global): it must stay in the frame for its whole scope.
#include <stdio.h>
#include "leaf.h"
static int *gp;
async int test_main(void)
{
    int total = 0;
    {
        int x = 5;
        gp = &x;
        await tleaf(0);
        printf("via gp %d\n", *gp);
        total += *gp;
    }
    for (int i = 0; i < 3; i++) {
        int y = i * 11;
        int *q = &y;
        gp = q;
        await tleaf(i);
        *gp += 1;
        printf("y=%d\n", *gp);
    }
    return total;
}
