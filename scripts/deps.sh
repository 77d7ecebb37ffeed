#!/usr/bin/env bash
# Installs what building and testing strio needs (Debian/Ubuntu).
#
# Silent and fast when everything is there. Otherwise, as root, installs the
# missing packages with apt-get; as anyone else, prints the command to run
# and fails. Without dpkg (another distribution), checks the commands and
# headers themselves and names what is missing.
set -euo pipefail

# Package -> why it is needed.
packages=(
    make                     # the build
    gcc libc6-dev            # host compiler (its ASan/UBSan runtimes come with it)
    clang                    # second host compiler, checked by CI
    binutils                 # ar, nm (the no-heap check)
    python3                  # the generator and its tests (stdlib only)
    re2c                     # protocol lexers
    libbearssl-dev           # TLS
    libcriterion-dev         # unit tests
    gcc-arm-none-eabi        # Cortex-M core build (make core, make sizes)
    libnewlib-arm-none-eabi  # its C library: a Recommends, so named explicitly
    qemu-system-arm          # make test-bare: the core on emulated Cortex-M3/M4
    gcc-riscv64-unknown-elf  # the RV32 firmware build (freestanding, no libc)
    binutils-riscv64-unknown-elf
    qemu-system-misc         # ... run on QEMU's RISC-V virt board
    openssl curl             # TLS tests: real peers (s_server, s_client, curl)
    stunnel4 tinyproxy-bin   # TLS inside TLS: an HTTPS proxy on loopback
    dnsmasq-base             # DNS resolver tests: a local server
    netbase                  # /etc/protocols, /etc/services: getprotobyname, getnameinfo tests
    libclang-rt-14-dev       # libFuzzer and sanitizer runtimes for clang
    strace                   # make bench: syscalls per round trip
    libuv1-dev               # make bench only: the libuv echo peer
    libhttp-parser-dev       # make bench only: the HTTP parser peer
    wrk                      # make bench only: HTTP load generator
    nginx-light              # make bench only: the HTTP server peer (one worker)
)

if ! command -v dpkg-query >/dev/null 2>&1; then
    missing=()
    for c in make cc python3 re2c arm-none-eabi-gcc qemu-system-arm; do
        command -v "$c" >/dev/null 2>&1 || missing+=("command $c")
    done
    for h in bearssl.h criterion/criterion.h; do
        printf '#include <%s>\n' "$h" | cc -E -x c - >/dev/null 2>&1 || missing+=("header <$h>")
    done
    if ! printf '#include <stdlib.h>\n' |
            arm-none-eabi-gcc -E -x c - >/dev/null 2>&1; then
        missing+=("newlib for arm-none-eabi")
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        printf 'deps: missing: %s\n' "${missing[@]}" >&2
        echo "deps: no dpkg here; install the equivalents of: ${packages[*]}" >&2
        exit 1
    fi
    exit 0
fi

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

install_cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing packages: ${missing[*]}" >&2
    echo "deps: run as root:  apt-get update && $install_cmd" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "deps: installing ${missing[*]}"
# A fresh machine has no package lists; a stale one may lack a version that
# is still on the mirror. Update first in the one case, on failure in the other.
if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    apt-get update -q
    $install_cmd
elif ! $install_cmd; then
    apt-get update -q
    $install_cmd
fi
