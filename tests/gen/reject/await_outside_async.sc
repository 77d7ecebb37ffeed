// reject: outside
#include "leaf.h"
int plainfn(void)
{
    return await tleaf(1); // <-- error
}
async int test_main(void) { return await tleaf(plainfn()); }
