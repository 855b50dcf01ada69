#!/usr/bin/env bash
# Regressions of the front end's robustness: every input kept in
# tests/fuzz/corpus/{parse,check}/ (crashes the fuzz targets found once) and a
# few generated programs too large to keep (a function of 65535 parameters
# wrapped the type checker's 16-bit arity) go through `snow check`: each must
# end in a verdict (exit 0 or 1), never a crash, a hang or a sanitizer report.
# Prints `N passed, N failed`.
cd "$(dirname "$0")/../.."
SNOW=${SNOW:-./snow}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() { # FILE [EXPECTED_STATUS]
    local f=$1 want=${2:-}
    timeout 30 "$SNOW" check --color=never "$f" >"$tmp/out" 2>&1 </dev/null
    local rc=$?
    if { [ -n "$want" ] && [ "$rc" != "$want" ]; } || { [ "$rc" != 0 ] && [ "$rc" != 1 ]; } ||
        grep -q "Sanitizer\|runtime error" "$tmp/out"; then
        fail=$((fail + 1))
        echo "FAIL fuzz regression $f (exit $rc)"
        tail -5 "$tmp/out"
    else
        pass=$((pass + 1))
    fi
}

for f in tests/fuzz/corpus/parse/* tests/fuzz/corpus/check/*; do
    [ -f "$f" ] && check "$f"
done

python3 - "$tmp" <<'PY'
import sys
d = sys.argv[1]
n = 65535
def w(name, text):
    with open(f"{d}/{name}.snow", "w") as f:
        f.write(text)
# a call of an unknown function with 65535 arguments: its type has 65536 parts
w("huge_call", "fn g(h) = h(" + ",".join("1" for _ in range(n)) + ")\nfn main() do\n  let x :: String = 1\nend\n")
w("huge_params", "fn f(" + ",".join("_" for _ in range(n)) + ") = 1\nfn main() do\n  let x :: String = f(1)\nend\n")
w("huge_tuple", "fn main() do\n  let x :: Int = (" + ",".join("1" for _ in range(70000)) + ")\nend\n")
w("huge_variant", "type T do\n  V(" + ",".join("Int" for _ in range(n)) + ")\nend\nfn main() do\n  let y :: String = V(1)\nend\n")
PY
for f in "$tmp"/huge_*.snow; do check "$f" 1; done

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
