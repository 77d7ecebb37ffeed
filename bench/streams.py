#!/usr/bin/env python3
"""Memory stream throughput and per-message cost, and the buffered reader
(strio/bufread.h), next to a plain memcpy loop over the same data (the
limit).

Builds bench/streams.sc + bench/streams_main.c into $BUILD/bench (linked
against $BUILD/libstrio.a, which `make bench` builds first), runs every
program REPEAT times interleaved and keeps the best time of each, so the
ratios come from one run of this script on one machine state. Figures, not
pass/fail; bench/README.md says what each one means.

Environment: CC (default cc), BUILD (default build), TOTAL (bytes for the
throughput runs, default 268435456), MSGS (16-byte messages, default
2000000), REPEAT (default 5).
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
TOTAL = int(os.environ.get('TOTAL', str(256 << 20)))
MSGS = int(os.environ.get('MSGS', '2000000'))
REPEAT = int(os.environ.get('REPEAT', '5'))
CHUNK = 64 << 10
MSG = 16
CFLAGS = ['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror']


def sh(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True)


def build():
    os.makedirs(OUT, exist_ok=True)
    gen = os.path.join(OUT, 'gen')
    sh([sys.executable, os.path.join(ROOT, 'generator.py'), '-o', gen]
       + INCLUDES + [os.path.join(BENCH, 'streams.sc')])
    prog = os.path.join(OUT, 'streams_strio')
    sh([CC] + CFLAGS + INCLUDES + ['-I', gen, '-o', prog,
       os.path.join(BENCH, 'streams_main.c'), os.path.join(gen, 'streams.c'),
       os.path.join(BUILD, 'libstrio.a')])
    return prog


def run(argv):
    try:
        out = sh(argv).stdout
    except subprocess.CalledProcessError as e:
        raise SystemExit('streams.py: %s failed (%d): %s' % (
            ' '.join(argv[1:]), e.returncode, e.stderr.strip()))
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r'^(\w+) ([0-9.]+)$', out, re.M)}


def main():
    prog = build()
    cases = {
        # throughput, 64 KB chunks
        'buffered': ['pair', TOTAL, CHUNK, 0],
        'lockstep': ['pair', TOTAL, CHUNK, 1],
        'copy1': ['memcpy', TOTAL, CHUNK, 1],
        'copy2': ['memcpy', TOTAL, CHUNK, 2],
        # 16-byte messages
        'm_buffered': ['msgs', MSGS, MSG, 0],
        'm_lockstep': ['msgs', MSGS, MSG, 1],
        'm_until': ['until', MSGS, MSG],
        'm_exact': ['exact', MSGS, MSG],
        'm_copy1': ['memcpy', MSGS * MSG, MSG, 1],
        'm_copy2': ['memcpy', MSGS * MSG, MSG, 2],
    }
    res = {k: [] for k in cases}
    for _ in range(REPEAT):
        for k, args in cases.items():
            res[k].append(run([prog] + [str(a) for a in args]))

    def best(k, key):
        return (max if key.startswith('mb') else min)(r[key]
                                                      for r in res[k])

    print('streams: memory stream pair (strio/memstream.h) on the real loop '
          'and monotonic clock, %s -O2, best of %d; thread CPU time (wall '
          'time in parentheses)' % (os.path.basename(CC), REPEAT))
    print('throughput: %s bytes, send_all and receive_some of 64 KB' %
          format(TOTAL, ','))
    mb = {}
    for k, label in [
            ('buffered', 'buffered pair (64 KB ring: 2 copies)'),
            ('lockstep', 'lockstep pair (no ring: 1 copy)'),
            ('copy1', 'memcpy loop, 1 copy (the limit)'),
            ('copy2', 'memcpy loop, 2 copies through a ring')]:
        mb[k] = best(k, 'mb_per_s')
        print('  %-46s %9.0f MB/s  (wall %.0f)' % (
            label, mb[k], best(k, 'wall_mb_per_s')))
    print('  buffered/memcpy x2 = %.2f   lockstep/memcpy x1 = %.2f   '
          'buffered/memcpy x1 = %.2f' % (
              mb['buffered'] / mb['copy2'], mb['lockstep'] / mb['copy1'],
              mb['buffered'] / mb['copy1']))

    print('16-byte messages: %s of them' % format(MSGS, ','))
    ns = {}
    for k, label in [
            ('m_buffered', 'buffered pair: send_all + receive_some'),
            ('m_lockstep', 'lockstep pair: send_all + receive_some'),
            ('m_until', 'strio_read_until (\\n), 64 KB sends'),
            ('m_exact', 'strio_read_exactly(16), 64 KB sends'),
            ('m_copy1', 'memcpy of 16 bytes (the limit)'),
            ('m_copy2', 'memcpy of 16 bytes, twice through a ring')]:
        ns[k] = best(k, 'ns_per_msg')
        print('  %-46s %9.2f ns/msg (wall %.2f)' % (
            label, ns[k], best(k, 'wall_ns_per_msg')))
    print('  /memcpy x1: buffered %.1f   lockstep %.1f   read_until %.1f   '
          'read_exactly %.1f' % tuple(ns[k] / ns['m_copy1'] for k in (
              'm_buffered', 'm_lockstep', 'm_until', 'm_exact')))
    print('  task switches per message: buffered %.2f, lockstep %.2f, '
          'reader %.3f' % (
              res['m_buffered'][0]['switches'] / MSGS,
              res['m_lockstep'][0]['switches'] / MSGS,
              res['m_until'][0]['switches'] / MSGS))


if __name__ == '__main__':
    main()
