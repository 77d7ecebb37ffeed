#!/usr/bin/env python3
"""TLS figures: bulk throughput of a strio TLS stream pair (strio/tls.h)
next to BearSSL's own engines driven in a plain loop over memory (the
limit: same suite, same record sizes, one copy per record), per suite
(ECDHE-ECDSA with AES-128-GCM and with ChaCha20-Poly1305); the same pair
over TCP loopback; `openssl speed` of the bare cipher as the peer's
figure; ECDHE-ECDSA handshakes per second; bytes per TLS connection.

Real peer (the issue's "openssl s_server/s_client where comparable"):
one `openssl s_server -WWW -tls1_2 -cipher SUITE` per suite on
127.0.0.1 serves a file of TOTAL bytes; two clients GET it over TCP
loopback and discard the answer: the strio TLS client (tls_bench get)
and `openssl s_client -quiet -ign_eof` (stdout to /dev/null). Both do
the same work: one ECDHE-ECDSA handshake verifying the chain to the test
CA, one request, the same server process encrypting the same records,
decrypting TOTAL bytes plus the 45-byte header, a close_notify. Each
client process is timed from outside in the same way (wall clock from
spawn to reaping, CPU from wait4's rusage), and the time of a GET of an
empty file (process start, handshake, request) is subtracted, leaving
the transfer of TOTAL bytes.

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
import select
import tempfile
import threading
import time

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


SUITES = (('aes', 'ECDHE-ECDSA-AES128-GCM-SHA256'),
          ('chacha', 'ECDHE-ECDSA-CHACHA20-POLY1305'))


def start_s_server(certs, cipher):
    """openssl s_server -WWW serving `certs` on 127.0.0.1 (an ephemeral
    port, read back from its ACCEPT line): (process, port)."""
    p = subprocess.Popen(
        ['openssl', 's_server', '-WWW', '-accept', '127.0.0.1:0',
         '-cert', os.path.join(certs, 'ec.pem'),
         '-key', os.path.join(certs, 'ec.key'), '-tls1_2', '-cipher', cipher],
        cwd=certs, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL, text=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not select.select([p.stdout], [], [],
                             max(deadline - time.monotonic(), 0))[0]:
            break
        line = p.stdout.readline()
        if not line:
            break
        m = re.match(r'ACCEPT .*:(\d+)$', line.strip())
        if m:
            return p, int(m.group(1))
    stop(p)
    raise SystemExit('tls.py: openssl s_server did not start')


def stop(p):
    """Ends and reaps a process this script started."""
    if p.poll() is None:
        p.terminate()
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if p.stdout:
        p.stdout.close()


def timed(argv, env, stdin=None, out=None):
    """Runs argv to its end (killed after 60 s): (wall s, CPU s of the
    process from wait4's rusage, stdout)."""
    with tempfile.TemporaryFile() as so, tempfile.TemporaryFile() as se:
        t0 = time.monotonic()
        p = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE,
                             stdout=so if out is None else out, stderr=se)
        watchdog = threading.Timer(60, p.kill)
        watchdog.start()
        if stdin:
            p.stdin.write(stdin)
        p.stdin.close()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        watchdog.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        so.seek(0)
        se.seek(0)
        if p.returncode != 0:
            raise SystemExit('tls.py: %s failed (%d): %s' % (
                ' '.join(argv[:2]), p.returncode,
                se.read().decode(errors='replace').strip()))
        return wall, ru.ru_utime + ru.ru_stime, so.read().decode()


def s_client_argv(certs, port, cipher):
    return ['openssl', 's_client', '-quiet', '-ign_eof',
            '-connect', '127.0.0.1:%d' % port, '-tls1_2', '-cipher', cipher,
            '-CAfile', os.path.join(certs, 'ca.pem'), '-servername',
            'localhost', '-verify_hostname', 'localhost',
            '-verify_return_error']


def real_peer(prog, certs, env):
    """The strio client and s_client against openssl s_server: per suite
    and client, {'big': [(wall, cpu)], 'empty': [...]}, REPEAT each."""
    with open(os.path.join(certs, 'big.bin'), 'wb') as f:
        f.write(b'x' * TOTAL)
    open(os.path.join(certs, 'empty.bin'), 'wb').close()
    servers = {}
    res = {}
    try:
        for suite, cipher in SUITES:
            servers[suite] = start_s_server(certs, cipher)
        # untimed check: both clients receive the whole answer
        for suite, cipher in SUITES:
            port = servers[suite][1]
            out = timed([prog, 'get', suite, str(port), 'big.bin'], env)[2]
            got = int(re.search(r'^bytes (\d+)$', out, re.M).group(1))
            ssc = subprocess.run(s_client_argv(certs, port, cipher),
                                 input=b'GET /big.bin HTTP/1.0\r\n\r\n',
                                 capture_output=True, check=True,
                                 timeout=60)
            if got != len(ssc.stdout) or got < TOTAL:
                raise SystemExit('tls.py: answer sizes differ: strio %d, '
                                 's_client %d' % (got, len(ssc.stdout)))
        for _ in range(REPEAT):
            for suite, cipher in SUITES:
                port = servers[suite][1]
                for f in ('big', 'empty'):
                    path = f + '.bin'
                    r = timed([prog, 'get', suite, str(port), path], env)
                    res.setdefault(('strio', suite, f), []).append(r[:2])
                    with open(os.devnull, 'wb') as null:
                        r = timed(s_client_argv(certs, port, cipher), env,
                                  b'GET /%s HTTP/1.0\r\n\r\n'
                                  % path.encode(), out=null)
                    res.setdefault(('openssl', suite, f), []).append(r[:2])
    finally:
        for p, _ in servers.values():
            stop(p)
    return res


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
        peer = real_peer(prog, certs, env)
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
    def transfer(client, suite):
        """(wall MB/s, CPU MB/s) of TOTAL bytes: best GET of the file
        minus best GET of the empty file."""
        big, empty = peer[(client, suite, 'big')], peer[(client, suite,
                                                         'empty')]
        return tuple(TOTAL / max(min(b[i] for b in big) -
                                 min(e[i] for e in empty), 1e-9) / 1e6
                     for i in (0, 1))

    print('real peer over TCP loopback: GET of %s bytes from openssl '
          's_server -WWW (one per suite, TLS 1.2, pinned suite), answer '
          'discarded; each client process timed from outside, GET of an '
          'empty file subtracted; best of %d; wall MB/s (client CPU in '
          'parentheses)' % (format(TOTAL, ','), REPEAT))
    print('    %-32s %22s %22s %14s' % ('suite', 'strio TLS client',
                                        'openssl s_client', 'strio/openssl'))
    for suite, cipher in SUITES:
        sw, sc = transfer('strio', suite)
        ow, oc = transfer('openssl', suite)
        print('    %-32s %8.0f MB/s (%6.0f) %8.0f MB/s (%6.0f) %7.2fx '
              '(%.2fx)' % (cipher, sw, sc, ow, oc, sw / ow, sc / oc))
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
