#!/bin/bash
# The `snow` command line: exit statuses (0 ok, 1 static error, 2 misuse,
# 101 panic in main), misuse messages, help and version.
# Prints `N passed, N failed`.
cd "$(dirname "$0")/../.." || exit 2
SNOW=${SNOW:-./snow}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'fn main() do\n  println("hi")\nend\n' > "$tmp/ok.snow"
printf 'fn main() do\n  let x :: Int = "s"\n  println("${x}")\nend\n' > "$tmp/bad.snow"
printf 'fn main() do\n  panic("boom")\nend\n' > "$tmp/panic.snow"

# expect STATUS STDERR-SUBSTRING ARGS...
expect() {
    local want=$1 msg=$2
    shift 2
    out=$("$SNOW" "$@" 2>&1)
    rc=$?
    if [ "$rc" -eq "$want" ] && [[ "$out" == *"$msg"* ]]; then pass=$((pass + 1)); else
        fail=$((fail + 1))
        echo "FAIL cli: snow $* -> exit $rc (want $want), output: ${out:0:200}"
    fi
}
expect 0 "hi" run "$tmp/ok.snow"
expect 0 "hi" run --threads 2 "$tmp/ok.snow"
expect 1 "error: Compilation failed due to errors above." run "$tmp/bad.snow"
expect 1 "error[E0001]" check "$tmp/bad.snow"
expect 101 "panic: boom" run "$tmp/panic.snow"
expect 2 "missing PATH" run
expect 2 "unknown option '--bogus'" run --bogus "$tmp/ok.snow"
expect 2 "needs a non-negative integer" run --threads x "$tmp/ok.snow"
expect 2 "drop one of them" run --seed 3 --threads 2 "$tmp/ok.snow"
# --threads is 1..1024 (0 = one per core), checked before main runs
for n in 100000 1025 -3; do
    expect 2 "--threads" run --threads $n "$tmp/ok.snow"
    if [[ "$out" == *hi* ]]; then fail=$((fail + 1)); echo "FAIL cli: --threads $n ran main"; else pass=$((pass + 1)); fi
done
expect 0 "hi" run --threads 1024 "$tmp/ok.snow"
expect 0 "hi" run --threads 0 "$tmp/ok.snow"
expect 0 "1 to 1024" help run
expect 2 "drop one of them" run --virtual-time --threads 2 "$tmp/ok.snow"
expect 2 "drop --threads" run --explore 3 --threads 2 "$tmp/ok.snow"
expect 2 "" frobnicate
expect 0 "--threads" help run
expect 0 "tutorials" help
expect 0 "snow" --version
expect 0 "counter is 15" run examples/demo.snow   # what `make run` shows
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
