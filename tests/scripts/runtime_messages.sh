#!/bin/bash
# Runtime messages in Snow's words (issue 17, item 4): no C function names in
# panic messages (a lint over runtime/ and interp/), the deadlock report on
# the threaded scheduler too, and `waiting (reply)` in snow trace for a
# process waiting for a service's reply.  The messages themselves are checked
# by our conformance cases (tests/conformance/stdlib/err_*,
# actors_extra/err_deadlock_*, core_extra/err_backtrace_*).
# Prints `N passed, N failed`.
cd "$(dirname "$0")/../.." || exit 2
SNOW=${SNOW:-./snow}
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL runtime_messages: $*"; }

# panic texts never start with a C identifier (snow_list_get:, bi_..., list_head:)
hits=$(grep -rnE 'rt_panic\("(snow|bi|list|queue|map|set|str|val|gc|proc|lib|sched|svc|sup|job)_[a-z_]+' runtime interp)
[ -z "$hits" ] && ok || bad "C names in panic messages: $hits"

case=tests/conformance/actors_extra/err_deadlock_report.snow
out=$("$SNOW" run --threads 2 "$case" 2>&1); rc=$?
[ $rc == 101 ] && [[ "$out" == *"panic: deadlock: main waits for a reply from <0."*"Counter, and no process can run"* ]] &&
    [[ "$out" == *"pinger   waits for a message matching \`Pong\`"* ]] && ok || bad "deadlock with --threads 2 ($rc): $out"

out=$("$SNOW" trace "$case" --script "continue" --dump 2>&1)
line=$(printf '%s\n' "$out" | grep -E '^[> ] <0\.0> +main ')
[[ "$line" == *"waiting (reply)"* ]] && ok || bad "trace: main should be 'waiting (reply)': $line"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
