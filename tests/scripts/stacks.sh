#!/bin/bash
# Process stacks are bounded (issue 14, item 2): 100 000 nested calls fit in
# the default bound; runaway recursion is a `stack overflow` panic of that
# process only, after at most the bound (--max-stack), also when the address
# space runs out first (a failed stack mapping); twenty runaway actors under
# `ulimit -v 4000000` leave main to finish with status 0.
# Prints `N passed, N failed`.
cd "$(dirname "$0")/../.." || exit 2
SNOW=${SNOW:-$PWD/snow}
T=tests/stacks
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL stacks: $*"; }

# run NAME WANT_STATUS WANT_STDOUT VMEM_KB MAX_RSS_KB SNOW-ARGS...: the run's
# exit status and stdout must match; its peak RSS must stay under MAX_RSS_KB.
run() {
    local name=$1 want=$2 out=$3 vmem=$4 maxrss=$5
    shift 5
    ( [ "$vmem" = - ] || ulimit -v "$vmem"
      exec /usr/bin/time -f "RSS %M" -o "$tmp/time" timeout 300 "$SNOW" run "$@" ) > "$tmp/out" 2> "$tmp/err"
    local rc=$? rss
    rss=$(awk '/^RSS/ {print $2}' "$tmp/time")
    if [ "$rc" -ne "$want" ]; then bad "$name: exit $rc (want $want): $(head -c 300 "$tmp/err")"; return; fi
    if [ "$(cat "$tmp/out")" != "$out" ]; then bad "$name: stdout '$(head -c 200 "$tmp/out")' (want '$out')"; return; fi
    if [ "$maxrss" != - ] && [ "${rss:-0}" -gt "$maxrss" ]; then bad "$name: peak RSS ${rss} KB (limit $maxrss KB)"; return; fi
    ok
}

# Sanitizer builds reserve terabytes of shadow address space and add shadow
# memory: there the address-space limits and RSS bounds are left out.
case "${BUILD:-}" in *asan*|*tsan*|*fuzz*) SANITIZED=1 ;; *) SANITIZED= ;; esac
rss() { if [ -n "$SANITIZED" ]; then echo -; else echo "$1"; fi; }
vm() { if [ -n "$SANITIZED" ]; then echo -; else echo "$1"; fi; }

run "100 000 nested calls (det)" 0 $'main depth 100000\nactor depth 100000' - - $T/deep100k.snow
run "100 000 nested calls (2 threads)" 0 $'main depth 100000\nactor depth 100000' - - --threads 2 $T/deep100k.snow
# default bound 128 MB: the panic comes before 200 MB are resident
run "runaway main, default bound" 101 start - "$(rss 200000)" $T/main_overflow.snow
grep -q '^panic: stack overflow$' "$tmp/err" || bad "runaway main: stderr $(head -c 200 "$tmp/err")"
run "runaway main, --max-stack 8M" 101 start - "$(rss 40000)" --max-stack 8M $T/main_overflow.snow
grep -q '^panic: stack overflow$' "$tmp/err" || bad "runaway main 8M: stderr $(head -c 200 "$tmp/err")"
# the acceptance case: twenty runaway actors, default bound, 4 GB of address space
run "20 runaway actors, ulimit -v 4000000" 0 $'main done\noverflows: 20 of 20' "$(vm 4000000)" "$(rss 3500000)" \
    $T/runaway20.snow
run "20 runaway actors, 2 threads, --max-stack 16M" 0 $'main done\noverflows: 20 of 20' "$(vm 4000000)" "$(rss 800000)" \
    --threads 2 --max-stack 16M $T/runaway20.snow
# the address space runs out before the bound: the mappings that fail panic
# their own process with `stack overflow (no memory ...)`
if [ -z "$SANITIZED" ]; then
    run "20 runaway actors, --max-stack 1G, ulimit -v 3000000" 0 $'main done\noverflows: 20 of 20' 3000000 - \
        --max-stack 1G $T/runaway20.snow
    grep -q 'stack overflow (no memory for' "$tmp/err" || bad "failed mappings: no 'no memory' panic in stderr"
fi
# the option itself
for badsize in 100K 12Q -5M ""; do
    "$SNOW" run --max-stack "$badsize" $T/deep100k.snow > /dev/null 2> "$tmp/err"
    if [ $? -eq 2 ] && grep -q -- '--max-stack needs a size' "$tmp/err"; then ok; else bad "--max-stack '$badsize' accepted"; fi
done
"$SNOW" help run | grep -q -- '--max-stack SIZE' && ok || bad "snow help run does not document --max-stack"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
