// Bit-fields in expressions with awaits (temporaries of bit-field type).
#include <stdio.h>
#include "leaf.h"
struct flags { unsigned a : 3; unsigned b : 5; int c : 4; };
async int test_main(void)
{
    struct flags f = { 5, 17, -3 };
    int r = f.a + await tleaf(1) + f.c;
    f.b = (unsigned)await tleaf(30) & 31u;
    r += f.b * await tleaf(2);
    printf("r=%d a=%u b=%u c=%d\n", r, f.a, f.b, f.c);
    return r;
}
