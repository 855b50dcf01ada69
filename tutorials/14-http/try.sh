#!/bin/bash
# Tries a server the way the lesson does by hand: starts it on a free port,
# sends it requests with curl (each shown as `curl [OPTIONS] PATH` with the
# answer and its status), then stops it with SIGTERM and shows what the
# server printed.  usage: bash try.sh PROGRAM.snow
out=$(mktemp) err=$(mktemp)
snow run "$1" -- 0 >"$out" 2>"$err" &
server=$!
for _ in $(seq 100); do
    port=$(sed -n 's/.*listening on 0\.0\.0\.0:\([0-9]*\).*/\1/p' "$err")
    [ -n "$port" ] && break
    sleep 0.1
done
try() { # [curl options] PATH
    local path=${*: -1}
    local shown=() a
    for a in "$@"; do
        case $a in *[\ \"{]*) shown+=("'$a'") ;; *) shown+=("$a") ;; esac
    done
    echo "> curl ${shown[*]}"
    curl -s -w "  (%{http_code})\n" "${@:1:$#-1}" "http://localhost:$port$path"
}
try /health
try /users/42
try -H "X-Api-Key: secret" /users/42
try -H "X-Api-Key: secret" /users/abc
try -d '{"name": "Snow", "tags": [1, 2]}' /echo
try -d '{"name": ' /echo
try /report
try /health
try /nowhere
kill -TERM $server
wait $server
echo "the server exited with $?; it printed:"
cat "$out"
echo "and on stderr:"
grep -v "listening on" "$err"
rm -f "$out" "$err"
