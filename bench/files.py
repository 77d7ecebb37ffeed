#!/usr/bin/env python3
"""File read throughput through the worker pool (strio/file.h) next to
plain blocking read() in a loop, same file, page cache warm.

Builds bench/files.sc + bench/files_main.c into $BUILD/bench (linked
against $BUILD/libstrio.a, which `make bench` builds first), writes a
SIZE-byte file under $BUILD/bench, reads it once to warm the page cache,
then runs every case REPEAT times interleaved and keeps the best, so the
ratios come from one run of this script. Figures, not pass/fail.

Each strio_file_read is one job on the pool: a hand-off to the worker
thread, pread() into the file's transfer buffer, a hand-off back, and a
memcpy into the caller's buffer (why: strio/file.h). Larger chunks
amortize the two hand-offs.

Environment: CC (default cc), BUILD (default build), SIZE (bytes, default
134217728), REPEAT (default 5).
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
SIZE = int(os.environ.get('SIZE', str(128 << 20)))
REPEAT = int(os.environ.get('REPEAT', '5'))
CFLAGS = ['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror']


def sh(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True)


def build():
    os.makedirs(OUT, exist_ok=True)
    gen = os.path.join(OUT, 'gen')
    sh([sys.executable, os.path.join(ROOT, 'generator.py'), '-o', gen]
       + INCLUDES + [os.path.join(BENCH, 'files.sc')])
    prog = os.path.join(OUT, 'files_strio')
    sh([CC] + CFLAGS + INCLUDES + ['-I', gen, '-o', prog,
       os.path.join(BENCH, 'files_main.c'), os.path.join(gen, 'files.c'),
       os.path.join(BUILD, 'libstrio.a'), '-pthread'])
    return prog


def run(argv):
    try:
        out = sh(argv).stdout
    except subprocess.CalledProcessError as e:
        raise SystemExit('files.py: %s failed (%d): %s' % (
            ' '.join(argv[1:]), e.returncode, e.stderr.strip()))
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r'^(\w+) ([0-9.]+)$', out, re.M)}


def main():
    prog = build()
    path = os.path.join(OUT, 'files.data')
    block = bytes(range(256)) * 4096
    with open(path, 'wb') as f:
        for _ in range(SIZE // len(block)):
            f.write(block)
        f.write(block[:SIZE % len(block)])
    with open(path, 'rb') as f:                 # warm the page cache
        while f.read(1 << 20):
            pass
    K = 1024
    cases = {}
    for chunk in (4 * K, 64 * K, 1024 * K):
        cases['plain%d' % chunk] = ['plain', path, chunk]
        cases['strio%d' % chunk] = ['strio', path, chunk, chunk]
    res = {k: [] for k in cases}
    try:
        for _ in range(REPEAT):
            for k, args in cases.items():
                r = run([prog] + [str(a) for a in args])
                if int(r['bytes']) != SIZE:
                    raise SystemExit('files.py: %s read %d of %d bytes' % (
                        k, r['bytes'], SIZE))
                res[k].append(r)
    finally:
        os.unlink(path)

    def best(k):
        return max(r['mb_per_s'] for r in res[k])

    print('files: read a %d MB file (page cache warm) to the end, %s -O2, '
          'best of %d, wall time' % (SIZE >> 20, os.path.basename(CC),
                                     REPEAT))
    print('  %-10s %16s %22s %8s %10s' % ('chunk', 'plain read()',
                                          'strio_file_read (pool)',
                                          'ratio', 'jobs'))
    for chunk in (4 * K, 64 * K, 1024 * K):
        p, s = best('plain%d' % chunk), best('strio%d' % chunk)
        print('  %-10s %11.0f MB/s %17.0f MB/s %8.2f %10d' % (
            '%d KB' % (chunk // K), p, s, s / p,
            res['strio%d' % chunk][0]['jobs']))
    print('  (strio: one worker thread, transfer buffer = chunk; each read '
          'is one job plus a memcpy to the caller)')


if __name__ == '__main__':
    main()
