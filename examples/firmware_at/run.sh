#!/usr/bin/env bash
# Runs the AT firmware on QEMU with a scripted session on its UART.
#
#   examples/firmware_at/run.sh ELF SCRIPT EXPECTED QEMU-COMMAND...
#
# SCRIPT goes to the UART (QEMU's stdio serial), what the firmware answers
# must equal EXPECTED byte for byte, and QEMU must exit 0 (the firmware
# returns after AT+QUIT). The session runs twice: same bytes both times.
set -uo pipefail
elf=$1 script=$2 expected=$3
shift 3
out=$elf.uart
pass=0 fail=0
for run in 1 2; do
    "$@" -kernel "$elf" <"$script" >"$out.$run" 2>"$out.$run.err"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "FAIL firmware_at: run $run: QEMU exited $rc"; cat "$out.$run.err"
        fail=$((fail + 1))
    elif ! cmp -s "$out.$run" "$expected"; then
        echo "FAIL firmware_at: run $run: the answers differ from $expected:"
        diff <(tr -d '\r' <"$expected") <(tr -d '\r' <"$out.$run") | head -n 20
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
done
tr -d '\r' <"$out.1"
echo "firmware_at: $(grep -c . "$script") commands; $pass passed, $fail failed"
[ "$fail" -eq 0 ]
