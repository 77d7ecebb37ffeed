#!/usr/bin/env python3
"""strio generator: annotated C (C11 + `async`/`await`) to state machines.

    python3 generator.py [-o OUTDIR] [-I DIR]... [--report] IN.sc...

Each input NAME.sc becomes OUTDIR/NAME.c and OUTDIR/NAME.h. Inputs given
in one run see each other's async functions (and recursion across them is
detected); headers reached through #include along -I announce others with
STRIO_ASYNC_DECL. See README.md for the dialect.
"""
import sys

from gen.cli import main

if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
