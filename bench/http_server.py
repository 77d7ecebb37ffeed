#!/usr/bin/env python3
"""HTTP server requests/s: examples/http_server (strio) next to nginx-light
with one worker, both serving "Hello, world!\\n" on loopback with
keep-alive, loaded by wrk (Debian) in one run.

Runs each server in turn (REPEAT rounds, interleaved; best of each), wrk
with one thread and CONNS connections for SECONDS seconds against
http://127.0.0.1:PORT/. Both servers are single-threaded (nginx:
worker_processes 1, access log off); wrk shares the machine with them,
so the ratio is the figure to read. Figures, not pass/fail; skipped (with
a line saying so) when wrk or nginx is missing.

Environment: BUILD (default build), WRK_SECONDS (default 5), CONNS (default
50), REPEAT (default 2).
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, os.environ.get('BUILD', 'build'))
SECONDS = os.environ.get('WRK_SECONDS', '5')
CONNS = os.environ.get('CONNS', '50')
REPEAT = int(os.environ.get('REPEAT', '2'))
NGINX = shutil.which('nginx') or '/usr/sbin/nginx'

NGINX_CONF = """worker_processes 1;
error_log {d}/error.log;
pid {d}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    keepalive_requests 1000000;
    server {{
        listen 127.0.0.1:{port};
        location = / {{
            default_type text/plain;
            return 200 "Hello, world!\\n";
        }}
    }}
}}
"""


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_listening(port, proc):
    for _ in range(200):
        if proc.poll() is not None:
            raise SystemExit('http_server.py: server exited early')
        try:
            socket.create_connection(('127.0.0.1', port), 0.2).close()
            return
        except OSError:
            time.sleep(0.025)
    raise SystemExit('http_server.py: server did not start')


def wrk(port):
    out = subprocess.run(['wrk', '-t1', '-c' + CONNS, '-d' + SECONDS + 's',
                          'http://127.0.0.1:%d/' % port],
                         capture_output=True, text=True, check=True).stdout
    m = re.search(r'Requests/sec:\s+([0-9.]+)', out)
    errors = re.search(r'Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)',
                       out)
    if not m or errors:
        raise SystemExit('http_server.py: wrk: ' + out)
    return float(m.group(1))


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_strio():
    proc = subprocess.Popen([os.path.join(BUILD, 'examples', 'http_server')],
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        port = int(line.rsplit(':', 1)[1])
        wait_listening(port, proc)
        return wrk(port)
    finally:
        stop(proc)


def run_nginx(tmp):
    port = free_port()
    conf = os.path.join(tmp, 'nginx.conf')
    with open(conf, 'w') as f:
        f.write(NGINX_CONF.format(d=tmp, port=port))
    proc = subprocess.Popen([NGINX, '-p', tmp, '-c', conf, '-g',
                             'daemon off;'], stderr=subprocess.DEVNULL)
    try:
        wait_listening(port, proc)
        return wrk(port)
    finally:
        stop(proc)


def main():
    if not shutil.which('wrk') or not os.path.exists(NGINX):
        print('http server: skipped (needs wrk and nginx-light)')
        return
    best = {'strio': 0.0, 'nginx': 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(REPEAT):
            best['strio'] = max(best['strio'], run_strio())
            best['nginx'] = max(best['nginx'], run_nginx(tmp))
    print('http server: hello world, keep-alive, wrk -t1 -c%s %ss, best of %d'
          % (CONNS, SECONDS, REPEAT))
    print('  strio http_server %9.0f req/s | nginx-light (1 worker) %9.0f '
          'req/s | strio/nginx %.2fx (aim: > 1)'
          % (best['strio'], best['nginx'], best['strio'] / best['nginx']))


if __name__ == '__main__':
    sys.exit(main())
