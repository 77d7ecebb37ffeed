#!/usr/bin/env python3
"""TLS figures: bulk throughput of a strio TLS stream pair (strio/tls.h)
next to BearSSL's own engines driven in a plain loop over memory (the
limit: same suite, same record sizes, one copy per record), per suite
(ECDHE-ECDSA with AES-128-GCM and with ChaCha20-Poly1305); the same pair
over TCP loopback; `openssl speed` of the bare cipher as the peer's
figure; ECDHE-ECDSA handshakes per second; bytes per TLS connection.

Builds bench/tls.sc + bench/tls_main.c into $BUILD/bench (against
$BUILD/libstrio.a and -lbearssl), makes an ECDSA certificate with
tests/unit/tls_fixtures.sh (openssl CLI) in a temporary directory, runs
every case REPEAT times interleaved and keeps the best, so the ratios come
from one run of this script. Thread CPU time is the figure (wall time in
parentheses: the machine may be shared). Figures, not pass/fail.

Environment: CC (default cc), BUILD (default build), TOTAL (bytes,
default 67108864), HS (handshakes, default 100), REPEAT (default 3).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, 'bench')
CC = os.environ.get('CC', 'cc')
BUILD = os.path.join(ROOT, os.environ.get('BUILD', 'build'))
OUT = os.path.join(BUILD, 'bench')
INCLUDES = ['-I', os.path.join(ROOT, 'runtime', 'include'),
            '-I', os.path.join(BUILD, 'gen', 'runtime')]
TOTAL = int(os.environ.get('TOTAL', str(64 << 20)))
HS = int(os.environ.get('HS', '100'))
REPEAT = int(os.environ.get('REPEAT', '3'))
CFLAGS = ['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror']


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True,
                          **kw)


def build():
    os.makedirs(OUT, exist_ok=True)
    gen = os.path.join(OUT, 'tlsgen')
    sh([sys.executable, os.path.join(ROOT, 'generator.py'), '-o', gen]
       + INCLUDES + [os.path.join(BENCH, 'tls.sc')])
    prog = os.path.join(OUT, 'tls_bench')
    sh([CC] + CFLAGS + INCLUDES + ['-I', gen, '-o', prog,
       os.path.join(BENCH, 'tls_main.c'), os.path.join(gen, 'tls.c'),
       os.path.join(BUILD, 'libstrio.a'), '-lbearssl', '-pthread'])
    return prog


def run(argv, env):
    try:
        out = sh(argv, env=env).stdout
    except subprocess.CalledProcessError as e:
        raise SystemExit('tls.py: %s failed (%d): %s' % (
            ' '.join(argv[1:]), e.returncode, e.stderr.strip()))
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r'^(\w+) ([0-9.]+)$', out, re.M)}


def openssl_speed(cipher):
    """openssl speed's 16 KiB figure for the bare AEAD (MB/s), or None."""
    try:
        out = sh(['openssl', 'speed', '-seconds', '1', '-bytes', '16384',
                  '-evp', cipher]).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    m = re.search(r'^\S+\s+([0-9.]+)k\s*$', out.strip().splitlines()[-1])
    return float(m.group(1)) * 1000 / 1e6 if m else None


def main():
    prog = build()
    certs = tempfile.mkdtemp(prefix='strio-tls-bench-')
    try:
        sh(['sh', os.path.join(ROOT, 'tests', 'unit', 'tls_fixtures.sh'),
            certs])
        env = dict(os.environ, CERTDIR=certs)
        cases = {}
        for suite in ('aes', 'chacha'):
            cases['raw_' + suite] = ['raw', suite, TOTAL]
            cases['mem_' + suite] = ['strio', suite, TOTAL, 'mem']
            cases['tcp_' + suite] = ['strio', suite, TOTAL, 'tcp']
        cases['hs_raw'] = ['hs_raw', HS]
        cases['hs_strio'] = ['hs_strio', HS]
        res = {k: [] for k in cases}
        for _ in range(REPEAT):
            for k, args in cases.items():
                res[k].append(run([prog] + [str(a) for a in args], env))
        sizes = run([prog, 'sizes'], env)
    finally:
        shutil.rmtree(certs, ignore_errors=True)

    def best(k, key):
        return max(r[key] for r in res[k])

    print('tls: strio TLS streams (BearSSL %s) vs BearSSL engines in a plain '
          'loop, %s -O2, best of %d; thread CPU time (wall in parentheses)'
          % ('0.6', os.path.basename(CC), REPEAT))
    print('bulk: %s bytes, send_all / receive_some of 16 KiB, TLS 1.2, '
          'ECDSA P-256 certificate' % format(TOTAL, ','))
    for suite, label, evp in (('aes', 'ECDHE-ECDSA-AES128-GCM', 'aes-128-gcm'),
                              ('chacha', 'ECDHE-ECDSA-CHACHA20-POLY1305',
                               'chacha20-poly1305')):
        raw, mem, tcp = (best(k + '_' + suite, 'mb_per_s')
                         for k in ('raw', 'mem', 'tcp'))
        print('  %s' % label)
        print('    %-52s %8.0f MB/s  (wall %.0f)' % (
            'BearSSL engines, plain loop over memory (the limit)', raw,
            best('raw_' + suite, 'wall_mb_per_s')))
        print('    %-52s %8.0f MB/s  (wall %.0f)  %.2fx the limit '
              '(aim >= 0.9)' % (
                  'strio TLS pair over a memory stream pair', mem,
                  best('mem_' + suite, 'wall_mb_per_s'), mem / raw))
        print('    %-52s %8.0f MB/s  (wall %.0f)  %.2fx' % (
            'strio TLS pair over TCP loopback', tcp,
            best('tcp_' + suite, 'wall_mb_per_s'), tcp / raw))
        sp = openssl_speed(evp)
        if sp is not None:
            print('    %-52s %8.0f MB/s  (cipher only, no records, no '
                  'TLS)' % ('openssl speed -evp %s, 16 KiB' % evp, sp))
    hr, hsx = best('hs_raw', 'hs_per_s'), best('hs_strio', 'hs_per_s')
    print('handshakes (ECDHE-ECDSA P-256, full, both ends in this process): '
          'BearSSL loop %.0f/s, strio pair %.0f/s (%.2fx)' % (hr, hsx,
                                                             hsx / hr))
    st = int(sizes['stream'])
    print('bytes per TLS connection: strio_tls_stream %d + record buffer: '
          'full duplex %d (total %d), half duplex %d (total %d), 1 KiB '
          'fragments full duplex %d (total %d), 512-byte half duplex %d '
          '(total %d)' % (st, sizes['bidi'], st + sizes['bidi'],
                          sizes['mono'], st + sizes['mono'],
                          sizes['bidi1024'], st + sizes['bidi1024'],
                          sizes['mono512'], st + sizes['mono512']))


if __name__ == '__main__':
    main()
