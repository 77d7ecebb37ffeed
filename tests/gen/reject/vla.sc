// reject: variabl|VLA|array size
// A variable-length array that lives across an await.
#include "leaf.h"
async int test_main(void)
{
    int n = await tleaf(3);
    int v[n]; // <-- error
    v[0] = 1;
    await tleaf(0);
    return v[0];
}
