#!/bin/bash
# PostgreSQL (net.md §5-7, decisions 29-30) against a real server: a private
# one started by scripts/pg-test-server (initdb as an unprivileged user, a
# free port, SCRAM, TLS with a self-signed certificate), stopped and removed
# when this script ends, whatever happens.
#
# The programs are tests/db/pg_*.snow; NAME.out is the exact stdout (port
# numbers written PORT).  Covered: the §5 end-to-end program, every error
# text, execute counts, NULLs, transactions and Pg.transaction (Err, a
# panic in the callback), query_as with deriving(Row) (Option fields, wrong
# types), the pool and its errors, injection, NUL bytes, a 10 MB value,
# closed and shared connections, TLS (require, verify-full with and without
# the CA), the pool under stress (--threads 2, 200 processes, max 5),
# killed borrowers, a server restart while 20 processes query, a stopped
# server, query events and the replay of a recorded run.
cd "$(dirname "$0")/../.." || exit 2
if [ -z "${SNOW_PG_URL:-}" ]; then
    exec scripts/pg-test-server run --ssl -- bash "$0" "$@"
fi
SNOW=${SNOW:-./snow}
case "$SNOW" in /*) ;; *) SNOW="$PWD/$SNOW" ;; esac
src="$PWD/tests/db"
pass=0
fail=0
dir=$(mktemp -d /tmp/snow-dbpg.XXXXXX)
trap 'rm -rf "$dir"' EXIT

ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL $1"
    [ -n "${2:-}" ] && printf '%s\n' "$2" | head -30 | sed 's/^/    /'
}
norm() { sed -E 's/port [0-9]+/port PORT/g; s#"'"$dir"'/#"HOME/#g'; }
# run NAME [snow options]: stdout + stderr of tests/db/NAME.snow, in $dir
run() {
    local name=$1
    shift
    (cd "$dir" && timeout 120 "$SNOW" run "$@" "$src/$name.snow" 2>&1)
}
expect() { # NAME [options]: stdout must be NAME.out
    local out
    out=$(run "$@" | norm)
    if [ "$out" = "$(cat "$src/$1.out")" ]; then ok; else bad "$1 ${*:2}" "$(diff <(printf '%s\n' "$out") "$src/$1.out")"; fi
}
check() { # label, expected, actual
    if [ "$2" = "$3" ]; then ok; else bad "$1" "expected: $2"$'\n'"got:      $3"; fi
}

for t in "" "--threads 2"; do
    # shellcheck disable=SC2086
    for p in pg_spec_e2e pg_errors pg_txn pg_pool pg_big; do expect $p $t; done
done
HOME="$dir" expect pg_ssl

check "closed connection" $'closed\npanic: Pg.query: PgConn used after close\n  at '"$src"$'/pg_closed.snow:12:14 in use\nexit 101' \
    "$(run pg_closed; echo "exit $?")"
out=$(cd "$dir" && timeout 60 "$SNOW" run "$src/pg_owner.snow" 2>"$dir/owner.err"; echo "exit $?")
check "owned and shared connections" $'after its opener exited: Err(Pg.query: PgConn used after close)\nanother process, one at a time: Ok(Ok([%{two => 2}]))\nwhile it is busy:\nexit 101' "$out"
check "owned and shared connections: the panics" $'panic in <0.2>: Pg.query: PgConn used after close\n  at '"$src"$'/pg_owner.snow:18:82 in fn\npanic: Pg.query: PgConn is in use by another process\n  at '"$src"$'/pg_owner.snow:32:14 in shared' \
    "$(cat "$dir/owner.err")"

# the pool under stress; killed borrowers
want=$'before: 10000 in 10 accounts\ntransactions committed: 10000\nmost connections of the pool seen at once: at most 5\nafter: 10000 in 10 accounts'
check "stress --threads 2" "$want" "$(run pg_stress --threads 2)"
want=$'idle in transaction after 20 kills: 0\nbalance (nothing committed): 100\nfive checkouts after the kills: [ok, ok, ok, ok, ok]\npool connections on the server: at most 5: true\na query: Ok([%{balance => 100}])'
check "killed borrowers" "$want" "$(run pg_kill)"
check "killed borrowers --threads 2" "$want" "$(run pg_kill --threads 2)"

# the server restarts while 20 processes query
want=$'calls that hung: 0\nserved after the restart: []\nthe long statement during the restart: Ok(Err)'
for t in "" "--threads 2"; do
    rm -f "$dir/ready" "$dir/restarted"
    ( for _ in $(seq 600); do [ -e "$dir/ready" ] && break; sleep 0.05; done
      scripts/pg-test-server ctl "$SNOW_PG_DIR" restart
      touch "$dir/restarted" ) &
    restarter=$!
    # shellcheck disable=SC2086
    out=$(run pg_restart $t)
    wait $restarter
    check "restart while querying $t" "$want" "$out"
done

# events: each statement is a step of the process that ran it
run pg_txn --events "$dir/pg.ev" >/dev/null
grep -q '"ev":"query","pid":"<0.0>","db":"pg","op":"query","params":0,"rows":1,"us":[0-9]*,"sql":"SELECT count' "$dir/pg.ev" && ok ||
    bad "query events" "$(grep '"query"' "$dir/pg.ev" | head -5)"
# ... and the recording replays without the server (stepping back and
# forth): the output at the end is the recorded run's
out=$(cd "$dir" && timeout 60 "$SNOW" trace --replay pg.ev --script 'continue;continue;back;back;back;continue;continue' \
    --dump "$src/pg_txn.snow" 2>&1 | awk '/^--- Output/ { keep = 1; block = ""; next } /^--- / { keep = 0 } keep { block = block $0 "\n" } END { printf "%s", block }')
check "replay of a recorded run" "$(cat "$src/pg_txn.out")" "$out"

# a stopped server: Pg.connect fails at once with libpq's message
scripts/pg-test-server ctl "$SNOW_PG_DIR" stop
out=$(cd "$dir" && timeout 20 "$SNOW" run "$src/pg_spec_e2e.snow" 2>&1 | norm)
check "server stopped" 'error: connection to server at "127.0.0.1", port PORT failed: Connection refused
	Is the server running on that host and accepting TCP/IP connections?' "$out"
scripts/pg-test-server ctl "$SNOW_PG_DIR" start
expect pg_spec_e2e

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
