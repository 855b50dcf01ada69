#!/bin/bash
# Bounded memory: a program that allocates 10 GB in total must run in under
# 100 MB of resident memory; 1 000 000 tail calls and a long-running actor
# loop too.  Prints `N passed, N failed`.
cd "$(dirname "$0")/../.." || exit 2
SNOW=${SNOW:-./snow}
# Under ASan (make asan) freed chunks would sit in its quarantine (256 MB by
# default) and be counted as ours; no effect on other builds.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
pass=0
fail=0
check() { # name, program, expected stdout, max KB
    out=$( { /usr/bin/time -f "RSS %M" "$SNOW" run "$2" > /tmp/snow-mem-$$.out; } 2>&1 | grep '^RSS' | awk '{print $2}')
    got=$(cat /tmp/snow-mem-$$.out)
    rm -f /tmp/snow-mem-$$.out
    if [ "$got" == "$3" ] && [ -n "$out" ] && [ "$out" -lt "$4" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL memory $1: output '$got' (want '$3'), max RSS ${out} KB (limit $4 KB)"
    fi
}
check "10 GB allocated in a loop" tests/memory/alloc10g.snow 1000000 102400
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
