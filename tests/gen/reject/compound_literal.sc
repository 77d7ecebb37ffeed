// reject: compound literal
// A compound literal has automatic storage for its block: one whose
// address is kept would have to survive the await, but it lives on the C
// stack. Rejected (use a local variable, which moves into the frame).
#include <stdio.h>
#include "leaf.h"

async int test_main(void)
{
    int *p = (int[]){ 10, 20, 30 }; // <-- error
    await tleaf(0);
    printf("p1=%d\n", p[1]);
    return p[2];
}
