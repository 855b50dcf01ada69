#!/bin/bash
# `snow run --explore 100`: a racy program shows at least two outcomes, a
# race-free one exactly one; the printed smallest seed reproduces its outcome.
cd "$(dirname "$0")/../.." || exit 2
SNOW=${SNOW:-./snow}
pass=0
fail=0
racy=$("$SNOW" run --explore 100 tests/explore/racy.snow)
n=$(printf '%s\n' "$racy" | head -1 | sed -E 's/.*: ([0-9]+) distinct.*/\1/')
if [ "${n:-0}" -ge 2 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL explore racy: $n outcomes"; echo "$racy"; fi
free=$("$SNOW" run --explore 100 tests/explore/race_free.snow)
n=$(printf '%s\n' "$free" | head -1 | sed -E 's/.*: ([0-9]+) distinct.*/\1/')
if [ "${n:-0}" -eq 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL explore race-free: $n outcomes"; echo "$free"; fi
# every reported smallest seed reproduces its outcome
while read -r seed; do
    want=$(printf '%s\n' "$racy" | awk -v s="$seed" '
        /^outcome/ { cur = ($0 ~ "smallest seed " s ","); next }
        cur && /^  \| / { sub(/^  \| /, ""); print }')
    got=$("$SNOW" run --seed "$seed" tests/explore/racy.snow)
    if [ "$got" == "$want" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL explore: seed $seed does not reproduce"; fi
done < <(printf '%s\n' "$racy" | sed -nE 's/.*smallest seed ([0-9]+),.*/\1/p')
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
