#!/bin/bash
# The concurrency areas under other interleavings: the `actors`, `supervisors`,
# `services` and `jobs` conformance areas must pass under --seed 1..20 (their
# cases have one possible output under any fair schedule).  SEEDS overrides
# the list.  Prints `N passed, N failed`.
cd "$(dirname "$0")/../.." || exit 2
SNOW=${SNOW:-./snow}
case "$SNOW" in /*) ;; *) SNOW="$PWD/$SNOW" ;; esac
pass=0
fail=0
for seed in ${SEEDS:-$(seq 1 20)}; do
    out=$(python3 scripts/conformance --snow "$SNOW" --snow-args "--seed $seed" --jobs 2 actors supervisors services jobs 2>&1)
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -1)
    p=${line%% passed*}
    f=${line#*passed, }
    f=${f%% failed*}
    [ -z "$line" ] && { p=0; f=1; }
    if [ "$f" != 0 ]; then
        echo "--seed $seed: $line"
        printf '%s\n' "$out" | grep '^FAIL' | sed "s/^/  [--seed $seed] /"
    fi
    pass=$((pass + p))
    fail=$((fail + f))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
