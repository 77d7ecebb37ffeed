#!/usr/bin/env python3
"""TCP echo over loopback: strio next to libuv and a hand-written poll()
loop, under one load generator (bench/echo_load.c).

Builds the three servers and the load generator into $BUILD/bench (strio
links $BUILD/libstrio.a, which `make bench` builds first; libuv only if
its header is installed: bench only, never a dependency of the library),
starts the servers on 127.0.0.1 (port 0) and, for every case, runs the
load generator against each of them in turn, REPEAT times interleaved,
keeping the best round trips/s, so every ratio comes from one run of this
script. Then, on fresh server processes: memory per idle connection (RSS
delta across 1,000 connections) and system calls per round trip (strace -c,
and perf's syscall tracepoint when perf works: it does not slow the server
down). Figures, not pass/fail; bench/README.md says what each one means.
Every server is killed and reaped at the end.

Environment: CC (default cc), BUILD (default build), DURATION (seconds per
measured run, default 1.0), REPEAT (default 2), CONNS (default 1,100,1000),
SIZES (default 64,1024), IDLE (connections for the memory figure, default
1000), STRACE_RT (round trips under strace, default 5000).
"""
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, 'bench')
CC = os.environ.get('CC', 'cc')
BUILD = os.path.join(ROOT, os.environ.get('BUILD', 'build'))
OUT = os.path.join(BUILD, 'bench')
GEN_RUNTIME = os.path.join(BUILD, 'gen', 'runtime')
INCLUDES = ['-I', os.path.join(ROOT, 'runtime', 'include'), '-I', GEN_RUNTIME]
SECONDS = float(os.environ.get('DURATION', '1.0'))
REPEAT = int(os.environ.get('REPEAT', '2'))
CONNS = [int(x) for x in os.environ.get('CONNS', '1,100,1000').split(',')]
SIZES = [int(x) for x in os.environ.get('SIZES', '64,1024').split(',')]
IDLE = int(os.environ.get('IDLE', '1000'))
STRACE_RT = int(os.environ.get('STRACE_RT', '5000'))
PERF_RT = 20000
CFLAGS = ['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror']
LABEL = {'strio': 'strio', 'lean': 'strio, lean handler', 'uv': 'libuv', 'uvg': 'libuv, guide style',
         'poll': 'poll loop'}


def sh(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True)


def build():
    """Returns ({name: argv} of the servers, load generator, notes)."""
    os.makedirs(OUT, exist_ok=True)
    gen = os.path.join(OUT, 'gen')
    sh([sys.executable, os.path.join(ROOT, 'generator.py'), '-o', gen]
       + INCLUDES + [os.path.join(BENCH, 'echo_strio.sc')])
    progs, notes = {}, []
    progs['strio'] = [os.path.join(OUT, 'echo_strio')]
    progs['lean'] = progs['strio'] + ['--lean']
    sh([CC] + CFLAGS + INCLUDES + ['-I', gen, '-o', progs['strio'][0],
       os.path.join(gen, 'echo_strio.c'), os.path.join(BUILD, 'libstrio.a'),
       '-pthread'])
    try:
        uv = os.path.join(OUT, 'echo_uv')
        sh([CC] + CFLAGS + ['-o', uv, os.path.join(BENCH, 'echo_uv.c'),
                            '-luv'])
        progs['uv'] = [uv]
        progs['uvg'] = [uv, '--guide']
    except subprocess.CalledProcessError as e:
        err = e.stderr.strip().splitlines()
        notes.append('libuv: not built (%s; Debian: libuv1-dev)' % (
            err[-1] if err else 'compiler failed'))
    progs['poll'] = [os.path.join(OUT, 'echo_poll')]
    sh([CC] + CFLAGS + ['-o', progs['poll'][0],
                        os.path.join(BENCH, 'echo_poll.c')])
    load = os.path.join(OUT, 'echo_load')
    sh([CC] + CFLAGS + ['-o', load, os.path.join(BENCH, 'echo_load.c')])
    return progs, load, notes


def raise_nofile(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = need if hard == resource.RLIM_INFINITY else min(need, hard)
    if soft != resource.RLIM_INFINITY and soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


class Server:
    """One server process on 127.0.0.1, port picked by the kernel."""

    def __init__(self, argv):
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        m = re.match(r'listening on 127\.0\.0\.1:(\d+)', line)
        if not m:
            self.stop()
            raise SystemExit('echo.py: %s did not start (%r)' % (
                ' '.join(argv), line))
        self.port = int(m.group(1))
        self.pid = self.p.pid

    def rss_kib(self):
        with open('/proc/%d/status' % self.pid) as f:
            return int(re.search(r'^VmRSS:\s+(\d+) kB', f.read(),
                                 re.M).group(1))

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


def keyvals(text):
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r'^(\w+) ([0-9.]+)$', text, re.M)}


def load(loadgen, srv, conns, size, seconds):
    """A timed run; adds the server's CPU time per round trip (over the
    measured window only: the load generator reads it)."""
    r = subprocess.run([loadgen, str(srv.port), str(conns), str(size),
                        str(seconds), str(srv.pid)], capture_output=True,
                       text=True, timeout=seconds + 60)
    if r.returncode != 0:
        raise SystemExit('echo.py: load on %s failed: %s' % (
            srv.p.args[0], r.stderr.strip()))
    kv = keyvals(r.stdout)
    kv['cpu_us'] = kv.get('server_cpu_ns', float('nan')) / 1e3 / max(
        kv['rt'], 1)
    return kv


class Counted:
    """The load generator in count mode, paused until go()."""

    def __init__(self, loadgen, srv, conns, size, n):
        self.p = subprocess.Popen([loadgen, str(srv.port), str(conns),
                                   str(size), '-%d' % n],
                                  stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        if self.p.stdout.readline().strip() != 'connected':
            raise SystemExit('echo.py: load generator failed to connect')

    def go(self):
        """Runs the round trips; returns the figures (connections stay
        open until close())."""
        self.p.stdin.write('go\n')
        self.p.stdin.flush()
        out = []
        for line in self.p.stdout:
            out.append(line)
            if line.startswith('p99_us'):
                break
        return keyvals(''.join(out))

    def close(self):
        self.p.stdin.write('bye\n')
        self.p.stdin.close()
        self.p.wait(timeout=30)


def strace_count(loadgen, srv, n):
    """strace -c -f attached to the server over n round trips at C=1:
    (syscalls, {name: calls})."""
    job = Counted(loadgen, srv, 1, 64, n)
    out = os.path.join(OUT, 'strace-%d.txt' % srv.pid)
    st = subprocess.Popen(['strace', '-c', '-f', '-o', out, '-p',
                           str(srv.pid)], stderr=subprocess.PIPE, text=True)
    line = st.stderr.readline()          # "strace: Process N attached"
    if 'attached' not in line:
        st.kill()
        st.wait()
        job.close()
        return None, line.strip()
    kv = job.go()
    st.send_signal(signal.SIGINT)         # detaches; the server goes on
    st.wait(timeout=30)
    job.close()
    calls, total = {}, None
    with open(out) as f:
        for row in f:
            cols = row.split()
            if len(cols) >= 5 and cols[-1] == 'total':
                total = int(cols[3])
            elif len(cols) >= 5 and cols[0][0].isdigit():
                calls[cols[-1]] = int(cols[3])
    os.unlink(out)
    if kv.get('rt') != n or total is None:
        return None, 'strace output not understood'
    return total, calls


def perf_count(loadgen, srv, conns, n):
    """Syscalls of the server over n round trips, from perf's
    raw_syscalls:sys_enter tracepoint (no ptrace: the server runs at full
    speed); None if perf cannot trace here."""
    job = Counted(loadgen, srv, conns, 64, n)
    pf = subprocess.Popen(['perf', 'stat', '-x', ',', '-e',
                           'raw_syscalls:sys_enter', '-p', str(srv.pid)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    time.sleep(0.3)                       # perf attaches to the counters
    if pf.poll() is not None:
        job.close()
        return None
    kv = job.go()
    pf.send_signal(signal.SIGINT)
    err = pf.communicate(timeout=30)[1]
    job.close()
    m = re.search(r'^(\d+),[^,]*,raw_syscalls:sys_enter', err, re.M)
    if not m or kv.get('rt') != n:
        return None
    return int(m.group(1))


def fmt_rate(x):
    return '%.0fk' % (x / 1e3) if x >= 1e4 else '%.1fk' % (x / 1e3)


def main():
    progs, loadgen, notes = build()
    names = [n for n in ('strio', 'uv', 'poll') if n in progs]
    raise_nofile(max(CONNS + [IDLE]) + 256)
    for n in notes:
        print(n)

    # ---- throughput and latency: servers side by side ----------------------
    servers = {}
    res = {}
    try:
        for n in names:
            servers[n] = Server(progs[n])
        for conns in CONNS:
            for size in SIZES:
                runs = {n: [] for n in names}
                for _ in range(REPEAT):
                    for n in names:
                        runs[n].append(load(loadgen, servers[n], conns, size,
                                            SECONDS))
                res[conns, size] = {n: max(runs[n],
                                           key=lambda r: r['rt_per_s'])
                                    for n in names}
                for n in names:
                    res[conns, size][n]['cpu_us'] = min(
                        r['cpu_us'] for r in runs[n])
    finally:
        for s in servers.values():
            s.stop()

    print('echo over loopback: one message in flight per connection, %.1f s '
          'per run, best of %d interleaved; rt/s = round trips per second, '
          'p99 in us, cpu = server CPU us per round trip' % (SECONDS, REPEAT))
    head = '  %5s %5s ' % ('C', 'size')
    for n in names:
        head += '| %-22s' % LABEL[n]
    ratios = [n for n in ('uv', 'poll') if n in names]
    head += '| ' + '  '.join('strio/%s' % LABEL[n].split()[0]
                             for n in ratios)
    print(head)
    sub = '  %5s %5s ' % ('', '')
    for n in names:
        sub += '| %7s %7s %6s ' % ('rt/s', 'p99', 'cpu')
    sub += '| (rt/s; cpu)'
    print(sub)
    for conns in CONNS:
        for size in SIZES:
            r = res[conns, size]
            row = '  %5d %5d ' % (conns, size)
            for n in names:
                row += '| %7s %7.0f %6.2f ' % (fmt_rate(r[n]['rt_per_s']),
                                               r[n]['p99_us'],
                                               r[n]['cpu_us'])
            row += '| ' + '  '.join('%.2f; %.2f' % (
                r['strio']['rt_per_s'] / r[n]['rt_per_s'],
                r['strio']['cpu_us'] / r[n]['cpu_us']) for n in ratios)
            print(row)

    # ---- memory per idle connection: fresh servers -------------------------
    print('memory per idle connection: server RSS delta (VmRSS) across %d '
          'connections that each did one 64-byte round trip, fresh server, '
          'after a warm-up connection' % IDLE)
    mem = {}
    extra = ['uvg'] if 'uvg' in progs else []
    for n in ['strio', 'lean'] + names[1:2] + extra + names[2:]:
        srv = Server(progs[n])
        try:
            warm = Counted(loadgen, srv, 1, 64, 1)
            warm.go()
            warm.close()
            time.sleep(0.05)
            base = srv.rss_kib()
            idle = subprocess.Popen([loadgen, str(srv.port), str(IDLE), '64',
                                     'idle'], stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True)
            if idle.stdout.readline().strip() != 'ready':
                raise SystemExit('echo.py: idle connections failed')
            full = srv.rss_kib()
            idle.stdin.write('bye\n')
            idle.stdin.close()
            idle.wait(timeout=30)
        finally:
            srv.stop()
        mem[n] = (full - base) * 1024.0 / IDLE
        print('  %-19s %7.0f bytes/connection  (RSS %d -> %d KiB)' % (
            LABEL[n], mem[n], base, full))
    for n in ('strio', 'lean'):
        print('  %s: /libuv = %s   /libuv guide style = %s   (aim: <= 0.5)'
              % ((LABEL[n],) + tuple('%.2f' % (mem[n] / mem[m]) if mem.get(m)
                                     else '-' for m in ('uv', 'uvg'))))
    sz = keyvals(sh(progs['strio'] + ['--sizes']).stdout)
    print('  strio by construction: handler frame %d (of which buffer %d) + '
          'socket stream %d + poll entry %d = %d bytes per connection; '
          'its task (%d) is touched when the pool is set up, so the delta '
          'leaves it out' % (sz['frame'], sz['buffer'], sz['stream'],
                             sz['poll_entry'], sz['frame'] + sz['stream']
                             + sz['poll_entry'], sz['task']))
    print('  strio, lean handler: frame %d + socket stream %d + poll entry '
          '%d = %d bytes per idle connection (a %d-byte buffer is borrowed '
          'from a shared pool of 64 for each message)' % (
              sz['lean_frame'], sz['stream'], sz['poll_entry'],
              sz['lean_frame'] + sz['stream'] + sz['poll_entry'],
              sz['buffer']))

    # ---- syscalls per round trip, C=1 ---------------------------------------
    print('system calls per round trip, C=1, 64 bytes (fresh servers)')
    have_strace = shutil.which('strace') is not None
    have_perf = shutil.which('perf') is not None
    for n in names[:2] + extra + names[2:]:
        srv = Server(progs[n])
        try:
            parts = []
            if have_strace:
                total, calls = strace_count(loadgen, srv, STRACE_RT)
                if total is None:
                    parts.append('strace: %s' % calls)
                else:
                    parts.append('strace -c: %.2f (%s)' % (
                        total / STRACE_RT, ', '.join(
                            '%s %.2f' % (k, v / STRACE_RT) for k, v in
                            sorted(calls.items(), key=lambda kv: -kv[1])
                            if v / STRACE_RT >= 0.005)))
            if have_perf:
                c1 = perf_count(loadgen, srv, 1, PERF_RT)
                c100 = perf_count(loadgen, srv, 100, PERF_RT * 5)
                if c1 is not None and c100 is not None:
                    parts.append('perf: %.2f at C=1, %.2f at C=100' % (
                        c1 / PERF_RT, c100 / (PERF_RT * 5)))
        finally:
            srv.stop()
        print('  %-19s %s' % (LABEL[n], '; '.join(parts) or
                              'neither strace nor perf available'))
    print('  (aim: strio <= poll loop + 1; strace slows the server down, '
          'which changes how often a receive finds its data already there; '
          'perf counts at full speed)')


if __name__ == '__main__':
    main()
