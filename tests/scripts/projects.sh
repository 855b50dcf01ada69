#!/bin/bash
# Projects of several files (decision 27): `snow run main.snow` loads the
# imported modules beside the entry file (nested directories included) and
# only those; `snow run DIR` uses DIR/main.snow; a project module may replace
# a library module; a file that is not Snow is refused.  The diagnostics of
# projects are goldens (tests/golden/project_*/).  Prints `N passed, N failed`.
cd "$(dirname "$0")/../.." || exit 2
SNOW=$(realpath "${SNOW:-./snow}")
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL projects: $*"; }

shop=tests/projects/shop
want=$(cat $shop/expected.out)
# the same program three ways: the entry file, from inside, the directory
out=$("$SNOW" run $shop/main.snow 2>&1) && [ "$out" == "$want" ] && ok || bad "snow run $shop/main.snow: $out"
out=$(cd $shop && "$SNOW" run main.snow 2>&1) && [ "$out" == "$want" ] && ok || bad "cd $shop; snow run main.snow: $out"
out=$("$SNOW" run $shop 2>&1) && [ "$out" == "$want" ] && ok || bad "snow run $shop: $out"
out=$("$SNOW" run $shop/ 2>&1) && [ "$out" == "$want" ] && ok || bad "snow run $shop/: $out"
# scratch.snow does not parse, and nothing imports it: it is never read
"$SNOW" check $shop/scratch.snow >/dev/null 2>&1 && bad "scratch.snow should not parse" || ok

# transitive imports: main -> A -> deep/b.snow; Point.origin() with a struct Point in module Point
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/deep"
printf 'import A\nimport Point\nfn main() do\n  println(A.hello())\n  let p = Point.origin()\n  println("${p.x},${p.y}")\nend\n' > "$tmp/main.snow"
printf 'import Deep.B\npub fn hello() -> String = "a+${B.word()}"\n' > "$tmp/a.snow"
printf 'pub fn word() -> String = "b"\n' > "$tmp/deep/b.snow"
printf 'pub struct Point do\n  x :: Int\n  y :: Int\nend\npub fn origin() -> Point = Point { x: 0, y: 7 }\n' > "$tmp/point.snow"
out=$("$SNOW" run "$tmp/main.snow" 2>&1) && [ "$out" == $'a+b\n0,7' ] && ok || bad "transitive imports / Point.origin: $out"

# a project module replacing a library module, used by two files; a third file keeps the library's
shadow=tests/golden/project_stdlib_shadow
out=$("$SNOW" run $shadow/main.snow 2>/dev/null)
[ "$out" == $'42\n3.1666666666666665\n4\n20' ] && ok || bad "stdlib shadow output: $out"
n=$("$SNOW" run $shadow/main.snow 2>&1 >/dev/null | grep -c 'warning\[W0003\]')
[ "$n" == 1 ] && ok || bad "W0003 printed $n times"

# not a Snow file: refused by its extension, with a hint
out=$("$SNOW" run README.md 2>&1); rc=$?
[ $rc == 1 ] && [[ "$out" == *"'README.md' is not a Snow source file"* ]] && [[ "$out" == *"help:"* ]] && ok ||
    bad "snow run README.md -> $rc: $out"
# a missing path that names a file without its extension
out=$(cd $shop && "$SNOW" run main 2>&1); rc=$?
[ $rc == 1 ] && [[ "$out" == *"did you mean 'main.snow'?"* ]] && ok || bad "snow run main -> $rc: $out"
# a directory without main.snow
out=$("$SNOW" run tests/projects 2>&1); rc=$?
[ $rc == 1 ] && [[ "$out" == *"No 'main.snow' found in 'tests/projects'"* ]] && ok || bad "no main.snow -> $rc: $out"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
