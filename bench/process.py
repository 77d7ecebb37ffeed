#!/usr/bin/env python3
"""Subprocess spawn+wait per second through strio (strio/process.h) next
to posix_spawn + waitpid in a plain loop (the peer named by the issue).

Builds bench/process.sc + bench/process_main.c into $BUILD/bench (linked
against $BUILD/libstrio.a, which `make bench` builds first), runs the
programs interleaved REPEAT times and keeps the best of each, so the
ratios come from one run of this script on one machine state. Figures,
not pass/fail; bench/README.md says what they mean.

Environment: CC (default cc), BUILD (default build), COUNT (cycles per
run, default 2000), REPEAT (default 5).
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, 'bench')
CC = os.environ.get('CC', 'cc')
BUILD = os.path.join(ROOT, os.environ.get('BUILD', 'build'))
OUT = os.path.join(BUILD, 'bench')
GEN_RUNTIME = os.path.join(BUILD, 'gen', 'runtime')
INCLUDES = ['-I', os.path.join(ROOT, 'runtime', 'include'), '-I', GEN_RUNTIME]
COUNT = int(os.environ.get('COUNT', '2000'))
REPEAT = int(os.environ.get('REPEAT', '5'))
CFLAGS = ['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror']


def sh(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True)


def build():
    os.makedirs(OUT, exist_ok=True)
    gen = os.path.join(OUT, 'gen_process')
    sh([sys.executable, os.path.join(ROOT, 'generator.py'), '-o', gen]
       + INCLUDES + [os.path.join(BENCH, 'process.sc')])
    prog = os.path.join(OUT, 'process_strio')
    sh([CC] + CFLAGS + INCLUDES + ['-I', gen, '-o', prog,
       os.path.join(BENCH, 'process_main.c'), os.path.join(gen, 'process.c'),
       os.path.join(BUILD, 'libstrio.a'), '-pthread'])
    return prog


def run(argv):
    try:
        out = sh(argv).stdout
    except subprocess.CalledProcessError as e:
        raise SystemExit('process.py: %s failed (%d): %s' % (
            ' '.join(argv[1:]), e.returncode, e.stderr.strip()))
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r'^(\w+) ([0-9.]+)$', out, re.M)}


def main():
    prog = build()
    cases = ['plain', 'strio', 'strio_nopidfd']
    res = {k: [] for k in cases}
    for _ in range(REPEAT):
        for k in cases:
            res[k].append(run([prog, k, str(COUNT)])['us_per_cycle'])
    best = {k: min(v) for k, v in res.items()}
    print('process: spawn+wait of /bin/true, %s cycles per run, best of %d, '
          'wall time (%s -O2)' % (format(COUNT, ','), REPEAT,
                                  os.path.basename(CC)))
    for k, label in [
            ('plain', 'posix_spawn + waitpid, plain loop (the peer)'),
            ('strio', 'strio_process_spawn + await wait (pidfd)'),
            ('strio_nopidfd', 'strio, waitpid polling fallback')]:
        print('  %-46s %8.1f us  %7.0f /s' % (label, best[k],
                                                1e6 / best[k]))
    print('  strio/plain = %.2f (rate ratio %.2f)   fallback/plain = %.2f' % (
        best['strio'] / best['plain'], best['plain'] / best['strio'],
        best['strio_nopidfd'] / best['plain']))


if __name__ == '__main__':
    main()
