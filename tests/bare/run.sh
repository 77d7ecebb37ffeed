#!/usr/bin/env bash
# Runs a bare-metal test image under QEMU and checks the harness itself.
#
#   tests/bare/run.sh NAME IMAGE FAIL_IMAGE FAULT_IMAGE QEMU-COMMAND...
#
# 1. IMAGE runs (QEMU's exit status is the guest's: 0 when every check
#    passed); its output is shown and kept in IMAGE.out.
# 2. IMAGE runs again: the output must be byte-identical (-icount makes
#    virtual time exact and the fault injection is seeded).
# 3. FAIL_IMAGE, which fails a check on purpose, must make QEMU exit 1.
# 4. FAULT_IMAGE, which traps on purpose, must report the fault and make
#    QEMU exit 3.
# Ends with "N passed, M failed": the image's checks plus these three.
set -uo pipefail
name=$1 image=$2 fail_image=$3 fault_image=$4
shift 4

"$@" -kernel "$image" </dev/null >"$image.out" 2>&1
rc=$?
cat "$image.out"
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$image.out" | tail -n 1)
pass=$(cut -d' ' -f1 <<<"${line:-0 passed, 0 failed}")
fail=$(cut -d' ' -f3 <<<"${line:-0 passed, 0 failed}")
if [ "$rc" -ne 0 ]; then
    echo "$name: QEMU exited $rc"
    [ "$fail" -eq 0 ] && fail=1
fi

"$@" -kernel "$image" </dev/null >"$image.out2" 2>&1
if cmp -s "$image.out" "$image.out2"; then
    echo "$name: second run byte-identical ($(wc -c <"$image.out") bytes)"
    pass=$((pass + 1))
else
    echo "FAIL $name: second run differs:"
    diff "$image.out" "$image.out2" | head -n 10
    fail=$((fail + 1))
fi

"$@" -kernel "$fail_image" </dev/null >"$fail_image.out" 2>&1
frc=$?
if [ "$frc" -eq 1 ] && grep -q '^FAIL ' "$fail_image.out"; then
    echo "$name: the deliberately failing image exits 1: $(grep -m1 '^FAIL ' "$fail_image.out")"
    pass=$((pass + 1))
else
    echo "FAIL $name: the deliberately failing image exited $frc:"
    cat "$fail_image.out"
    fail=$((fail + 1))
fi

"$@" -kernel "$fault_image" </dev/null >"$fault_image.out" 2>&1
frc=$?
if [ "$frc" -eq 3 ] && grep -q '^FAULT' "$fault_image.out"; then
    echo "$name: the deliberately faulting image exits 3: $(grep -m1 '^FAULT' "$fault_image.out")"
    pass=$((pass + 1))
else
    echo "FAIL $name: the deliberately faulting image exited $frc:"
    cat "$fault_image.out"
    fail=$((fail + 1))
fi

echo "$name: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
