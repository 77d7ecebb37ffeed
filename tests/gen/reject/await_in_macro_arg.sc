// reject: macro
// DESIGN.md: an await inside a macro argument is seen once where the macro
// may evaluate it several times; diagnose it where it can be seen (here the
// macro is defined in the same file).
#include "leaf.h"
#define TWICE(x) ((x) + (x))
async int test_main(void)
{
    return TWICE(await tleaf(1)); // <-- error
}
