// Designated initializers (struct members, array indices, compound
// literals) with awaits in them.
#include <stdio.h>
#include "leaf.h"

struct pt { int x, y; };

async int test_main(void)
{
    struct pt p = { .y = await tleaf(2), .x = 1 };
    int arr[4] = { [2] = await tleaf(9), [0] = p.x };
    struct pt q = (struct pt){ .x = await tleaf(3), .y = p.y };
    printf("p=%d,%d arr=%d,%d,%d,%d q=%d,%d\n", p.x, p.y, arr[0], arr[1], arr[2], arr[3], q.x, q.y);
    return p.y + arr[2] + q.x;
}
