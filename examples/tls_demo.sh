#!/usr/bin/env bash
# A TLS session end to end on 127.0.0.1, for `make demo` and
# `make test-examples`: test certificates made with the openssl CLI
# (tests/unit/tls_fixtures.sh), examples/tls_echo_server serving one
# HTTPS connection, examples/https_get fetching a page from it with the
# test CA, then the same fetch refused without that CA (the system bundle
# does not know it).
#   usage: examples/tls_demo.sh BUILD/examples
set -euo pipefail
bin=$1
dir=$(mktemp -d /tmp/strio-tls-demo.XXXXXX)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT

sh tests/unit/tls_fixtures.sh "$dir"
"$bin/tls_echo_server" --cert "$dir/ec-chain.pem" --key "$dir/ec.key" \
    --http --max-conns 2 >"$dir/server.out" 2>"$dir/server.err" &
server=$!
for _ in $(seq 100); do                    # at most 5 s for it to listen
    grep -q '^listening on' "$dir/server.out" 2>/dev/null && break
    sleep 0.05
done
port=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$dir/server.out")
[ -n "$port" ] || { echo "tls_demo: the server did not start" >&2; exit 1; }
echo "tls_demo: $(cat "$dir/server.out")"

echo "tls_demo: \$ https_get https://localhost:$port/hello --cacert ca.pem"
out=$(timeout 10 "$bin/https_get" "https://localhost:$port/hello" --cacert "$dir/ca.pem" 2>&1)
printf '%s\n' "$out" | sed 's/^/  | /'
printf '%s\n' "$out" | grep -q '^GET /hello' ||
    { echo "tls_demo: the page did not come back" >&2; exit 1; }

echo "tls_demo: \$ https_get https://localhost:$port/hello   (system CAs only)"
if err=$(timeout 10 "$bin/https_get" "https://localhost:$port/hello" 2>&1); then
    echo "tls_demo: an unknown CA was accepted" >&2; exit 1
fi
printf '%s\n' "$err" | sed 's/^/  | /'
wait "$server"; server=
echo "tls_demo: the server's log"
sed 's/^/  | /' "$dir/server.err"
echo "tls_demo: 2 passed, 0 failed"
