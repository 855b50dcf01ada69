#!/bin/bash
# `snow repl` tests:
#  1. scripted sessions: tests/repl/NAME.in fed on stdin must print exactly
#     tests/repl/NAME.out (stdout and stderr together);
#  2. a real terminal (tmux): type a multi-line function, use history (arrow
#     up) and tab completion, check the screen;
# (start-up time is measured by `bench/run tools`, not here: no timing in
# pass/fail tests.)
# Prints `N passed, N failed`.
cd "$(dirname "$0")/../.." || exit 2
SNOW=${SNOW:-./snow}
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL repl: $1"; }

for in in tests/repl/*.in; do
    want="${in%.in}.out"
    got=$(timeout 20 "$SNOW" repl < "$in" 2>&1)
    if [ "$got" == "$(cat "$want")" ]; then ok; else
        bad "$(basename "$in")"
        diff <(printf '%s\n' "$got") "$want" | head -20
    fi
done

# a real terminal
if command -v tmux > /dev/null; then
    sock="snow-repl-test-$$"
    home=$(mktemp -d)
    T="tmux -L $sock"
    $T kill-server 2> /dev/null
    HOME="$home" $T -f /dev/null new-session -d -x 100 -y 30 "HOME=$home TERM=xterm $SNOW repl"
    wait_for() { # text, tries
        for _ in $(seq 1 ${2:-50}); do
            $T capture-pane -p | grep -qF -- "$1" && return 0
            sleep 0.1
        done
        return 1
    }
    screen() { $T capture-pane -p; }
    if wait_for "snow>"; then ok; else bad "tmux: no prompt"; screen; fi
    # multi-line function: continuation prompt, then the definition
    lit() { $T send-keys -l "$1"; $T send-keys Enter; }
    lit "fn triple(x) do"
    if wait_for "  ..."; then ok; else bad "tmux: no continuation prompt"; screen; fi
    lit "  x * 3"
    lit "end"
    if wait_for "defined triple"; then ok; else bad "tmux: multi-line definition"; screen; fi
    lit "triple(14)"
    if wait_for "42 :: Int"; then ok; else bad "tmux: evaluation"; screen; fi
    # history: arrow up recalls the last input; edit it and run again
    $T send-keys Up
    sleep 0.2
    $T send-keys BSpace BSpace BSpace
    lit "5)"
    if wait_for "15 :: Int"; then ok; else bad "tmux: history (arrow up)"; screen; fi
    # tab completion of a module function and of a session name
    $T send-keys -l "String.to_up"
    $T send-keys Tab
    sleep 0.3
    lit '("snow")'
    if wait_for '"SNOW" :: String'; then ok; else bad "tmux: tab completion (String.to_upper)"; screen; fi
    $T send-keys -l "tri"
    $T send-keys Tab
    sleep 0.3
    lit "(2)"
    if wait_for "6 :: Int"; then ok; else bad "tmux: tab completion (triple)"; screen; fi
    # an error does not end the session
    lit "nope + 1"
    if wait_for "undefined variable: nope"; then ok; else bad "tmux: error"; screen; fi
    lit "1 + 1"
    if wait_for "2 :: Int"; then ok; else bad "tmux: session after error"; screen; fi
    lit ":quit"
    sleep 0.3
    if [ -s "$home/.snow_history" ] && grep -q "triple(14)" "$home/.snow_history"; then ok; else bad "history file ~/.snow_history"; fi
    $T kill-server 2> /dev/null
    rm -rf "$home"
else
    echo "repl: tmux not installed; terminal test skipped"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
