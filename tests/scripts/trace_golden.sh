#!/bin/bash
# snow trace headless goldens: every tests/trace/NAME.snow with a NAME.script
# is traced with `--script-file NAME.script --dump` and the text of every view
# after every command must equal NAME.golden.
#   UPDATE=1 tests/scripts/trace_golden.sh   rewrites the goldens (review the diff!)
cd "$(dirname "$0")/../trace" || exit 1
SNOW=${SNOW:-../../snow}
pass=0 fail=0
err=$(mktemp)
trap 'rm -f "$err"' EXIT
for script in *.script; do
    name=${script%.script}
    # stdout is the golden; stderr (compiler warnings) only must not show a crash
    out=$("$SNOW" trace "$name.snow" --script-file "$script" --dump --width 100 2>"$err")
    status=$?
    if grep -q "Sanitizer\|runtime error:\|internal error" "$err"; then
        cat "$err"
        status=99
    fi
    if [ -n "$UPDATE" ]; then
        printf '%s\n' "$out" > "$name.golden"
    fi
    if [ $status -eq 0 ] && [ "$out" == "$(cat "$name.golden" 2>/dev/null)" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL trace golden $name (exit $status)"
        diff <(printf '%s\n' "$out") "$name.golden" | head -40
    fi
done
# the same script twice gives the same text (determinism, including step back)
a=$("$SNOW" trace links.snow --script "continue; back; back; next-message; seed 5; continue" --dump 2>&1)
b=$("$SNOW" trace links.snow --script "continue; back; back; next-message; seed 5; continue" --dump 2>&1)
if [ "$a" == "$b" ] && [ -n "$a" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL trace determinism"; fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
