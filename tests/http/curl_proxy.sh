#!/usr/bin/env bash
# examples/connect_proxy with curl through it to examples/http_server, on
# loopback (make test-examples).
#
#   tests/http/curl_proxy.sh BUILD/examples
#
# curl -p tunnels through the proxy (CONNECT) to the HTTP server: a file,
# and a chunked upload echoed back; a plain proxy request gets 405; a
# CONNECT to a closed port gets 502. Both servers run with --max-conns and
# must exit by themselves with the expected counts. Every wait is bounded;
# both are killed and reaped on any exit.
set -uo pipefail

ex=$1
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do
        if kill -0 "$p" 2>/dev/null; then kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; fi
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

start() {                           # start NAME ARGS... -> sets port
    local name=$1; shift
    timeout 30 "$ex/$name" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" &
    pids+=($!)
    port=
    for _ in $(seq 100); do
        port=$(sed -n 's/^listening on 127\.0\.0\.1://p' "$tmp/$name.out")
        [ -n "$port" ] && return 0
        sleep 0.05
    done
    echo "$name did not start"; cat "$tmp/$name.err"; exit 1
}

seq 1 40000 > "$tmp/file"
start http_server --file "$tmp/file" --max-conns 2; hport=$port
start connect_proxy --max-conns 4; pport=$port
curl=(curl -sS --max-time 10 -x "http://127.0.0.1:$pport")
origin=http://127.0.0.1:$hport

pass=0 fail=0
check() {
    local name=$1; shift
    if "$@"; then pass=$((pass + 1)); echo "ok   $name"
    else fail=$((fail + 1)); echo "FAIL $name"; fi
}
tunnel_file() {
    "${curl[@]}" -p -o "$tmp/got" "$origin/static" && cmp -s "$tmp/got" "$tmp/file"
}
tunnel_upload() {
    "${curl[@]}" -p -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/file" \
        -o "$tmp/echo" "$origin/echo" && cmp -s "$tmp/echo" "$tmp/file"
}
not_connect() {
    [ "$("${curl[@]}" -o /dev/null -w '%{http_code}' "$origin/")" = 405 ]
}
refused() {
    ! "${curl[@]}" -p -o /dev/null http://127.0.0.1:1/ 2>"$tmp/refused" &&
        grep -q 502 "$tmp/refused"
}
check "CONNECT tunnel: a file" tunnel_file
check "CONNECT tunnel: chunked upload echoed" tunnel_upload
check "plain proxy request: 405" not_connect
check "CONNECT to a closed port: 502" refused

for p in "${pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.05; done
done
counts() {
    wait "${pids[0]}" && wait "${pids[1]}" &&
        grep -qx 'served 2 connections, 2 requests, 0 errors' "$tmp/http_server.out" &&
        grep -qx 'served 4 connections, 2 tunnels, 1 refused' "$tmp/connect_proxy.out"
}
check "both exit 0 with the expected counts" counts
pids=()
if [ "$fail" -ne 0 ]; then
    tail -n +1 "$tmp"/*.out "$tmp"/*.err
fi
echo "connect_proxy/curl: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
