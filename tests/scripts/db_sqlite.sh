#!/bin/bash
# Sqlite (net.md §4) beyond the conformance cases (tests/conformance/db):
# a result of 5000 rows (several batches), one connection shared by eight
# processes, a connection closed when its opener exits (decision 30), a
# slow query that parks only its process (--threads 1: the blocking pool),
# and a recorded run replayed without the database file (the journal).
# The programs are in tests/db/sqlite_*.snow.
cd "$(dirname "$0")/../.." || exit 2
SNOW=${SNOW:-./snow}
case "$SNOW" in /*) ;; *) SNOW="$PWD/$SNOW" ;; esac
src="$PWD/tests/db"
pass=0
fail=0
dir=$(mktemp -d /tmp/snow-sqlite.XXXXXX)
trap 'rm -rf "$dir"' EXIT

check() { # name, expected, actual
    if [ "$2" = "$3" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL $1"
        echo "  expected: $2"
        echo "  got:      $3" | head -20
    fi
}

run() { (cd "$dir" && timeout 60 "$SNOW" run "$@" 2>&1); }

want=$'Ok(5000)\n5000\nvalue number 1 / value number 5000\n83893\nok'
for t in "" "--threads 2"; do
    # shellcheck disable=SC2086
    check "big result $t" "$want" "$(run $t "$src/sqlite_big.snow")"
done

want=$'[Ok(Ok(50)), Ok(Ok(50)), Ok(Ok(50)), Ok(Ok(50)), Ok(Ok(50)), Ok(Ok(50)), Ok(Ok(50)), Ok(Ok(50))]\nOk([%{c => 400}])'
for t in "" "--threads 1" "--threads 2"; do
    # shellcheck disable=SC2086
    check "shared connection $t" "$want" "$(run $t "$src/sqlite_shared.snow")"
done

for t in "" "--threads 2"; do
    # shellcheck disable=SC2086
    out=$(run $t "$src/sqlite_owner.snow"; echo "exit $?")
    check "closed with its owner $t" $'the opener has exited\npanic: Sqlite.query: SqliteConn used after close\n  at '"$src"$'/sqlite_owner.snow:13:14 in use\nexit 101' "$out"
done

check "slow query parks its process only" $'Ok([%{n => 3000000}])\nticks while the query ran: several' \
    "$(run --threads 1 "$src/sqlite_slow.snow")"

rm -f "$dir/replay.db"
first=$(run --events "$dir/ev.jsonl" "$src/sqlite_replay.snow")
check "replay: the recording" $'rows: 1\nOk(())' "$first"
check "replay: a live second run sees the file" $'rows: 2\nOk(())' "$(run "$src/sqlite_replay.snow")"
rm -f "$dir/replay.db"
out=$(cd "$dir" && timeout 60 "$SNOW" trace --replay ev.jsonl --script 'continue;back;back;continue' --dump \
    "$src/sqlite_replay.snow" 2>&1 | sed -n '/^--- Output/,/^--- Breakpoints/p' | grep '^rows')
check "replay: stepping back and forth without the file" $'rows: 1\nrows: 1' "$out"
check "replay: the file was not touched" "no file" "$([ -e "$dir/replay.db" ] && echo file || echo "no file")"
grep -q '"ev":"query","pid":"<0.0>","db":"sqlite","op":"query","params":0,"rows":1' "$dir/ev.jsonl" &&
    pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL no query event in --events"; }

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
