#!/bin/bash
# WebSockets (issue 19): the server's behaviour (tests/ws/ws_test.py) and the
# Autobahn-style raw-socket cases (tests/ws/autobahn_test.py), deterministic
# and with --threads 2.  Prints the summed `N passed, N failed`.
here="$(dirname "$0")/../ws"
pass=0
fail=0
for run in "ws_test.py" "autobahn_test.py det" "autobahn_test.py threads2"; do
  # shellcheck disable=SC2086
  out=$(/usr/bin/python3 "$here"/$run 2>&1)
  echo "$out" | grep -v " passed, .* failed$"
  line=$(echo "$out" | grep -E "^[0-9]+ passed, [0-9]+ failed$" | tail -1)
  if [ -z "$line" ]; then
    echo "FAIL: $run printed no summary"
    fail=$((fail + 1))
    continue
  fi
  pass=$((pass + $(echo "$line" | cut -d' ' -f1)))
  fail=$((fail + $(echo "$line" | cut -d' ' -f3)))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
