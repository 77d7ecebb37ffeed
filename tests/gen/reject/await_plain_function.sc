// reject: not an async function|async
#include "leaf.h"
static int plain(int v) { return v; }
async int test_main(void)
{
    return await plain(1); // <-- error
}
