#!/usr/bin/env bash
# Runs test suites in order and adds up their results.
#
#   tests/suites.sh [--keep-going] NAME COMMAND [NAME COMMAND]...
#
# Each COMMAND runs through bash with its output shown as it comes. Its
# counts are read from the runner's own closing lines:
#   Criterion       "Synthesis: Tested: N | Passing: P | Failing: F | ..."
#   python unittest "Ran N tests" + "OK" / "FAILED (failures=a, errors=b)"
#   anything        "N passed, M failed" (e.g. the differential corpus)
# A suite that prints none of these (a build, a check) counts as one test.
# A suite that exits non-zero counts at least one failure, whatever it
# printed. Stops after the first failing suite unless --keep-going.
# The last line is always "N passed, M failed"; exit status 1 on failure.
set -uo pipefail

keep_going=0
if [ "${1:-}" = --keep-going ]; then keep_going=1; shift; fi
if [ $(( $# % 2 )) -ne 0 ] || [ $# -eq 0 ]; then
    echo "usage: $0 [--keep-going] NAME COMMAND [NAME COMMAND]..." >&2
    exit 2
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT

total_pass=0 total_fail=0 results=() skipped=()

# Sets pass/fail from the output in $log (0/0 and found=0 when it has none).
count() {
    local text
    text=$(sed 's/\x1b\[[0-9;]*m//g' "$log")
    pass=0 fail=0 found=0
    local line
    if line=$(grep -E 'Synthesis: Tested: [0-9]+ \| Passing: [0-9]+' <<<"$text" | tail -n 1); then
        local tested passing
        tested=$(sed -E 's/.*Tested: ([0-9]+).*/\1/' <<<"$line")
        passing=$(sed -E 's/.*Passing: ([0-9]+).*/\1/' <<<"$line")
        pass=$passing fail=$(( tested - passing )) found=1
    elif line=$(grep -E '^Ran [0-9]+ tests? in ' <<<"$text" | tail -n 1); then
        local ran bad=0 skip=0 n
        ran=$(sed -E 's/^Ran ([0-9]+).*/\1/' <<<"$line")
        line=$(grep -E '^(OK|FAILED)( \(.*\))?$' <<<"$text" | tail -n 1)
        for key in failures errors 'unexpected successes'; do
            # "(failures=1" or ", failures=1", not "expected failures=1"
            n=$(sed -nE "s/.*(\(|, )$key=([0-9]+).*/\2/p" <<<"$line")
            bad=$(( bad + ${n:-0} ))
        done
        n=$(sed -nE 's/.*[(, ]skipped=([0-9]+).*/\1/p' <<<"$line")
        skip=${n:-0}
        pass=$(( ran - bad - skip )) fail=$bad found=1
    elif line=$(grep -E '(^|[^0-9])[0-9]+ passed, [0-9]+ failed' <<<"$text" | tail -n 1); then
        pass=$(grep -oE '[0-9]+ passed' <<<"$line" | tail -n 1 | cut -d' ' -f1)
        fail=$(grep -oE '[0-9]+ failed' <<<"$line" | tail -n 1 | cut -d' ' -f1)
        found=1
    fi
}

failed=0
while [ $# -gt 0 ]; do
    name=$1 cmd=$2
    shift 2
    if [ "$failed" -eq 1 ] && [ "$keep_going" -eq 0 ]; then
        skipped+=("$name")
        continue
    fi
    echo "=== suite $name: $cmd"
    bash -c "$cmd" 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    count
    if [ "$found" -eq 0 ]; then
        if [ "$rc" -eq 0 ]; then pass=1; else fail=1; fi
    elif [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
        fail=1   # e.g. crashed after its summary, or a build step failed
    fi
    total_pass=$(( total_pass + pass )) total_fail=$(( total_fail + fail ))
    results+=("$(printf '%-14s %4d passed, %4d failed  (exit %d)' "$name" "$pass" "$fail" "$rc")")
    if [ "$rc" -ne 0 ] || [ "$fail" -ne 0 ]; then failed=1; fi
done

echo "=== summary"
for r in "${results[@]}"; do echo "  $r"; done
for s in "${skipped[@]+"${skipped[@]}"}"; do
    printf '  %-14s skipped after an earlier failure (make -k test runs it)\n' "$s"
done
echo "$total_pass passed, $total_fail failed"
[ "$failed" -eq 0 ]
