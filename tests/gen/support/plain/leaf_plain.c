/* Plain-C tleaf for the erased build (see leaf.h next to this file). */
#include "leaf.h"

static unsigned long calls;

int tleaf(int v)
{
    calls++;
    return v;
}

void tleaf_mode(int mode) { (void)mode; }
void tleaf_seed(unsigned seed) { (void)seed; }
unsigned long tleaf_calls(void) { return calls; }
