#!/usr/bin/env bash
# examples/http_server against curl, on loopback (make test-examples).
#
#   tests/http/curl_server.sh BUILD/examples/http_server
#
# Starts the server (port 0, --max-conns: it exits by itself once the
# checks' connections are served), runs curl against it: keep-alive (two
# requests, one connection), the static file, a chunked upload echoed
# back, HEAD, 404, HTTP/1.0, and a request-smuggling attempt over a raw
# socket (400). Then the server's own count must match. Every wait is
# bounded; the server is killed and reaped on any exit.
set -uo pipefail

srv=$1
conns=7
tmp=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

seq 1 40000 > "$tmp/file"          # 228,894 bytes, the same every run
timeout 30 "$srv" --file "$tmp/file" --max-conns "$conns" \
    >"$tmp/out" 2>"$tmp/err" &
pid=$!
port=
for _ in $(seq 100); do
    port=$(sed -n 's/^listening on 127\.0\.0\.1://p' "$tmp/out")
    [ -n "$port" ] && break
    sleep 0.05
done
if [ -z "$port" ]; then
    echo "http_server did not start"; cat "$tmp/err"; exit 1
fi
url=http://127.0.0.1:$port
curl=(curl -sS --max-time 10)

pass=0 fail=0
check() {                           # check NAME COMMAND...
    local name=$1; shift
    if "$@"; then
        pass=$((pass + 1)); echo "ok   $name"
    else
        fail=$((fail + 1)); echo "FAIL $name"
    fi
}

keep_alive() {
    local n
    n=$("${curl[@]}" -o "$tmp/a" -o "$tmp/b" -w '%{num_connects} ' "$url/" "$url/")
    [ "$n" = "1 0 " ] && [ "$(cat "$tmp/a" "$tmp/b")" = "$(printf 'Hello, world!\nHello, world!')" ]
}
static_file() {
    "${curl[@]}" -o "$tmp/got" "$url/static" && cmp -s "$tmp/got" "$tmp/file"
}
chunked_upload() {
    "${curl[@]}" -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/file" \
        -D "$tmp/hdr" -o "$tmp/echo" "$url/echo" &&
        cmp -s "$tmp/echo" "$tmp/file" &&
        grep -qi '^transfer-encoding: chunked' "$tmp/hdr"
}
head_request() {
    "${curl[@]}" -I "$url/static" | tr -d '\r' | grep -qx "Content-Length: $(stat -c %s "$tmp/file")"
}
not_found() {
    [ "$("${curl[@]}" -o /dev/null -w '%{http_code}' "$url/nope")" = 404 ]
}
http10() {
    [ "$("${curl[@]}" -0 "$url/")" = "Hello, world!" ]
}
smuggling() {
    local reply
    # (a subshell that ignores SIGPIPE: the server may answer and close
    # before the last bytes are written)
    reply=$(trap '' PIPE
            exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
            printf 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n' >&3 2>/dev/null
            timeout 5 cat <&3)
    [[ $reply == "HTTP/1.1 400 Bad Request"* ]] && [[ $reply == *"Connection: close"* ]]
}

check "keep-alive: two requests, one connection" keep_alive
check "static file" static_file
check "chunked upload, chunked echo" chunked_upload
check "HEAD: Content-Length, no body" head_request
check "404" not_found
check "HTTP/1.0" http10
check "Content-Length + Transfer-Encoding: 400, close" smuggling

for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
done
wait "$pid"; rc=$?
pid=
summary="served $conns connections, 7 requests, 1 errors"
check "server exits 0 and counts: $summary" \
    bash -c "[ $rc -eq 0 ] && grep -qx '$summary' '$tmp/out'"
if [ "$fail" -ne 0 ]; then
    echo "--- server stdout"; cat "$tmp/out"; echo "--- server stderr"; cat "$tmp/err"
fi
echo "http_server/curl: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
