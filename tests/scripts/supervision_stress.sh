#!/usr/bin/env bash
# Acceptance test for supervision (concurrency.md §10, decisions 18/20/24):
# a three-level supervision tree (supervision_stress/tree.snow) whose
# workers main kills at random (seeded), for at least 10 000 restarts per
# run, under virtual time.  check.py replays the `--events` log: every
# restart follows the strategy, the restart types and the intensity rules,
# and at the end exactly the tree is left (no leaked process).
#
# env: SNOW (default ./snow).  Prints `N passed, N failed`.
set -u
cd "$(dirname "$0")/../.."
SNOW=${SNOW:-./snow}
DIR=tests/scripts/supervision_stress
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0
# (scheduler seed, program seed) pairs: the FIFO policy and a drawn order
for run in "0 7" "3 11"; do
    set -- $run
    start=$(date +%s%N)
    if ! "$SNOW" run --virtual-time --seed "$1" --events "$TMP/ev.jsonl" "$DIR/tree.snow" -- "$2" \
            >"$TMP/out" 2>"$TMP/err"; then
        echo "supervision_stress seed $1/$2: snow run failed"; tail -5 "$TMP/err"
        failed=$((failed + 1)); continue
    fi
    end=$(date +%s%N)
    res=$(python3 "$DIR/check.py" "$TMP/ev.jsonl" 10000)
    st=$?
    printf 'supervision_stress seed %s/%s: %s (run %d ms, %s)\n' "$1" "$2" "$(cat "$TMP/out")" \
        $(( (end - start) / 1000000 )) "$(echo "$res" | head -1)"
    if [ $st -eq 0 ]; then passed=$((passed + 1)); else echo "$res" | tail -25; failed=$((failed + 1)); fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
