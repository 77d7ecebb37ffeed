// reject: recursion.*a.*b
// Mutual recursion through await: a frame would have to contain itself.
#include "leaf.h"
async int b(int v);
async int a(int v) { return v > 0 ? await b(v - 1) : await tleaf(0); } // <-- error
async int b(int v) { return await a(v); } // <-- error
async int test_main(void) { return await a(3); }
