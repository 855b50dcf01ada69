#!/bin/bash
# The conformance suite (every area but `deterministic`, which the runner
# skips when --snow-args is given) on the threaded scheduler with 1, 2 and
# 4 worker threads.  Prints each run's failures and per-area summary, then
# one aggregated `N passed, N failed` line for scripts/run-tests.
#
# Environment: SNOW (the binary, default ./snow), THREADS (default "1 2 4").
cd "$(dirname "$0")/../.." || exit 2
SNOW=${SNOW:-./snow}
case "$SNOW" in /*) ;; *) SNOW="$PWD/$SNOW" ;; esac
RUNNER=../shared/conformance/run
[ -f "$RUNNER" ] || RUNNER=/work/shared/conformance/run
if [ ! -f "$RUNNER" ]; then
    echo "threads_conformance: conformance suite not found; skipped"
    echo "0 passed, 0 failed"
    exit 0
fi
total_pass=0
total_fail=0
for n in ${THREADS:-1 2 4}; do
    out=$(python3 scripts/conformance --snow "$SNOW" --snow-args "--threads $n" --jobs 2 2>&1)
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
    if [ -z "$line" ]; then
        printf '%s\n' "$out" | tail -20
        total_fail=$((total_fail + 1))
        continue
    fi
    p=${line%% passed*}
    f=${line#*passed, }
    f=${f%% failed*}
    echo "--threads $n: $line"
    printf '%s\n' "$out" | grep '^FAIL' | sed "s/^/  [--threads $n] /"
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
