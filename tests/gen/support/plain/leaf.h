/*
 * tests/gen/support/plain/leaf.h -- the test leaf for the erased build:
 * the corpus with `async`/`await` removed is plain C, and tleaf is a plain
 * function returning its argument. Same name as ../leaf.h on purpose:
 * `#include "leaf.h"` picks this one with -I tests/gen/support/plain.
 */
#ifndef TLEAF_H
#define TLEAF_H

int tleaf(int v);

enum { TLEAF_NEVER = 0, TLEAF_ALWAYS = 1, TLEAF_RANDOM = 2, TLEAF_BURST = 3 };
void tleaf_mode(int mode);      /* accepted and ignored */
void tleaf_seed(unsigned seed); /* accepted and ignored */
unsigned long tleaf_calls(void);

#endif
