#!/bin/bash
# Sources that are not programs someone wrote are refused cleanly (issue 14
# item 5): a path that is not a regular file (/dev/zero, a FIFO) or one
# larger than 64 MiB, also as a module of a project and through the REPL's
# :load; a file full of NULs stops after a bounded number of errors; JSON
# diagnostics of invalid UTF-8 stay valid JSON; nesting too deep for the
# compiler and files of too many tokens are clean errors (item 1).  Prints `N passed, N failed`.
cd "$(dirname "$0")/../.." || exit 2
SNOW=${SNOW:-./snow}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL hostile_sources: $1"; }

# expect STATUS STDERR-SUBSTRING ARGS... (each run bounded by a timeout)
expect() {
    local want=$1 msg=$2
    shift 2
    out=$(timeout 20 "$SNOW" "$@" 2>&1 < /dev/null)
    rc=$?
    if [ "$rc" -eq "$want" ] && [[ "$out" == *"$msg"* ]]; then ok; else
        bad "snow $* -> exit $rc (want $want), output: ${out:0:300}"
    fi
}

mkfifo "$tmp/fifo.snow"
ln -s /dev/zero "$tmp/zero.snow"
truncate -s 65M "$tmp/huge.snow"
expect 1 "is not a Snow source file" run /dev/zero
expect 1 "zero.snow': not a regular file" run "$tmp/zero.snow"
expect 1 "zero.snow': not a regular file" check "$tmp/zero.snow"
expect 1 "not a regular file" check "$tmp/fifo.snow"
expect 1 "larger than 64 MiB" run "$tmp/huge.snow"

# a project whose imported module is too large
mkdir -p "$tmp/proj"
printf 'import BigModule\n\nfn main() do\n  println("main ran")\nend\n' > "$tmp/proj/main.snow"
truncate -s 65M "$tmp/proj/big_module.snow"
expect 1 "big_module.snow': larger than 64 MiB" run "$tmp/proj"
if [[ "$out" == *"main ran"* ]]; then bad "project with a huge module ran main"; else ok; fi
expect 1 "big_module.snow': larger than 64 MiB" run "$tmp/proj/main.snow"

# a project whose imported module is a FIFO or a device
rm "$tmp/proj/big_module.snow"
mkfifo "$tmp/proj/big_module.snow"
expect 1 "big_module.snow': not a regular file" run "$tmp/proj"
rm "$tmp/proj/big_module.snow"
ln -s /dev/zero "$tmp/proj/big_module.snow"
expect 1 "big_module.snow': not a regular file" run "$tmp/proj/main.snow"

# the REPL's :load refuses the same files and the session goes on
out=$(printf ':load /dev/zero\n:load %s\n1 + 1\n' "$tmp/fifo.snow" | timeout 20 "$SNOW" repl 2>&1)
if [[ "$out" == *"/dev/zero': not a regular file"* && "$out" == *"fifo.snow': not a regular file"* &&
      "$out" == *"2 :: Int"* ]]; then ok; else bad "repl :load: ${out:0:300}"; fi

# 64 MiB of NUL bytes: a bounded number of errors (the lexer stops after
# 100), each NUL shown as \0
head -c 67108864 /dev/zero > "$tmp/nuls.snow"
expect 1 'unexpected character `\0`' check "$tmp/nuls.snow"
n=$(printf '%s\n' "$out" | grep -c 'error: unexpected character')
more=$(printf '%s\n' "$out" | sed -n 's/^\.\.\. and \([0-9]*\) more error.*/\1/p')
if [ "$n" -ge 1 ] && [ $((n + ${more:-0})) -le 100 ]; then ok; else bad "NUL flood: $n errors shown, ${more:-0} more"; fi

# invalid UTF-8: JSON diagnostics are valid JSON (and UTF-8)
printf 'fn main() do\n  println("\xff\xfe")\nend\n' > "$tmp/bad8.snow"
expect 1 "invalid UTF-8" check "$tmp/bad8.snow"
if "$SNOW" check --json "$tmp/bad8.snow" 2>&1 | python3 -c '
import json, sys
data = sys.stdin.buffer.read().decode("utf-8")
rows = [json.loads(l) for l in data.splitlines() if l.strip()]
assert rows and all("UTF-8" in r["message"] for r in rows), rows
'; then ok; else bad "--json output for invalid UTF-8 is not valid JSON"; fi
# a path that is not UTF-8 in a JSON diagnostic
cp "$tmp/bad8.snow" "$tmp/$(printf 'x\xff.snow')"
if "$SNOW" check --json "$tmp/$(printf 'x\xff.snow')" 2>&1 | python3 -c '
import json, sys
[json.loads(l) for l in sys.stdin.buffer.read().decode("utf-8").splitlines() if l.strip()]
'; then ok; else bad "--json with a non-UTF-8 path is not valid JSON"; fi

# nesting deeper than the compiler's stack allows, in every construct that
# nests: a clean `program is nested too deeply` at the place (file:line:col),
# from `snow check` and `snow run`, never a crash (issue 14 item 1)
python3 - "$tmp" <<'PY'
import sys
d, n = sys.argv[1], 200000
def w(name, text):
    with open(f"{d}/deep_{name}.snow", "w") as f:
        f.write(text)
main = lambda e: 'fn main() do\n  let v = ' + e + '\n  println("${v}")\nend\n'
w("parens", main("(" * n + "1" + ")" * n))
w("lists", main("[" * n + "]" * n))
w("tuples", main("(1, " * n + "1" + ")" * n))
w("closures", main("fn(x) -> " * n + "1" + " end" * n))
w("ifs", main("if true do " * n + "1" + " else 2 end" * n))
w("cases", main("case 1 do _ -> " * n + "1" + " end" * n))
w("interpolation", main('"${' * n + "1" + '}"' * n))
w("unary", main("-" * n + "1"))
w("not", main("not " * n + "true"))
w("pattern", 'fn main() do\n  let ' + "[" * n + "a" + "]" * n + ' = 1\n  println("ok")\nend\n')
w("type", 'fn f(x :: ' + "List<" * n + "Int" + "> " * n + ') = 1\nfn main() do\n  println("ok")\nend\n')
PY
for f in "$tmp"/deep_*.snow; do
    expect 1 "$(basename "$f"):" check "$f"
    [[ "$out" == *"error: program is nested too deeply"* ]] || bad "check $(basename "$f"): ${out:0:200}"
    expect 1 "error: program is nested too deeply" run "$f"
done
# more tokens than the lexer keeps: `source file too large` at the token
python3 -c 'import sys; open(sys.argv[1], "w").write("fn main() do\n  println(\"${1" + " + 1" * 2200000 + "}\")\nend\n")' "$tmp/tokens.snow"
expect 1 "tokens.snow:2:8388604: error: source file too large: more than 4194304 tokens" check "$tmp/tokens.snow"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
