#!/usr/bin/env python3
"""HTTP/1.1 parser throughput: strio/http.h next to Debian's libhttp-parser
(the peer), on the same bytes in one run (bench/http_parser_main.c says
what each case is and what work both sides do).

Builds bench/http_parser_main.c into $BUILD/bench, linked against
$BUILD/libstrio.a (which `make bench` builds first) and, statically,
-lhttp_parser (Debian libhttp-parser-dev; bench only). Figures, not
pass/fail.

Environment: CC (default cc), BUILD (default build), ROUNDS (requests per
case, default 200000), REPEAT (default 5).
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CC = os.environ.get('CC', 'cc')
BUILD = os.path.join(ROOT, os.environ.get('BUILD', 'build'))
OUT = os.path.join(BUILD, 'bench')
ROUNDS = os.environ.get('ROUNDS', '200000')
REPEAT = os.environ.get('REPEAT', '5')


def main():
    os.makedirs(OUT, exist_ok=True)
    prog = os.path.join(OUT, 'http_parser')
    cmd = [CC, '-std=c11', '-O2', '-Wall', '-Wextra', '-Werror',
           '-I', os.path.join(ROOT, 'runtime', 'include'), '-o', prog,
           os.path.join(ROOT, 'bench', 'http_parser_main.c'),
           os.path.join(BUILD, 'libstrio.a'),
           '-Wl,-Bstatic', '-lhttp_parser', '-Wl,-Bdynamic']
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode:
        raise SystemExit('http_parser.py: build failed:\n' + r.stderr)
    r = subprocess.run([prog, ROUNDS, REPEAT], capture_output=True, text=True)
    if r.returncode:
        raise SystemExit('http_parser.py: run failed:\n' + r.stderr)
    sys.stdout.write(r.stdout)


if __name__ == '__main__':
    main()
