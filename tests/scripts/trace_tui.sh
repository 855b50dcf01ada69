#!/bin/bash
# snow trace's terminal UI, driven through tmux at 120x40 and 80x24: start,
# step, set a message-pattern breakpoint, continue to it, step back, open the
# help (a framed box that fits) and the output view, resize, quit; long names,
# large reduction counts and a long message (wide.snow: columns stay apart,
# the pane wraps, variables show); a long `continue` that redraws (busy.snow).
# Each step checks the captured screen.
cd "$(dirname "$0")/../trace" || exit 1
SNOW=${SNOW:-../../snow}
if ! command -v tmux >/dev/null; then
    echo "tmux is not installed: skipped"
    echo "0 passed, 0 failed"
    exit 0
fi
SOCK=snowtrace$$
pass=0 fail=0
T() { tmux -L "$SOCK" "$@"; }
screen() { T capture-pane -t trace -p 2>/dev/null; }
# wait until the screen shows $1 (fixed string)
see() {
    for _ in $(seq 60); do
        if screen | grep -qF -- "$1"; then return 0; fi
        sleep 0.1
    done
    echo "  screen does not show: $1"
    screen | sed 's/^/  | /'
    return 1
}
check() { # name, then a command that must succeed
    local name=$1
    shift
    if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL trace tui: $name"; fi
}
keys() { T send-keys -t trace "$@"; }
# a new server: the one of a session that just ended may still be on its way out
fresh() {
    T kill-server 2>/dev/null
    for _ in $(seq 30); do T list-sessions >/dev/null 2>&1 || break; sleep 0.1; done
    sleep 0.2
}

for size in 120x40 80x24; do
    w=${size%x*} h=${size#*x}
    fresh
    T new-session -d -s trace -x "$w" -y "$h" "$SNOW trace service.snow"
    check "$size starts paused at step 0" see "step 0: nothing has run yet"
    check "$size shows the key line" see "q quit"
    keys n
    check "$size next" see "step 1: start <0.0> main"
    keys n
    check "$size next again" see "step 3: spawn <0.0> main -> <0.1> Account"
    keys M
    check "$size breakpoint prompt" see "break on message pattern:"
    keys -l "Withdraw(amount) when amount > 100"
    keys Enter
    check "$size breakpoint set" see "breakpoint 1: message Withdraw(amount) when amount > 100"
    keys c
    check "$size continue stops at the breakpoint" see "step 15: send <0.0> main -> <0.1> Account: call Withdraw(120)"
    check "$size stop reason" see "[breakpoint 1"
    check "$size timeline shows the call" see "call Withdraw(120)"
    keys b
    check "$size step back" see "step 14: monitor <0.0> main watches <0.1> Account"
    keys b
    check "$size step back again" see "step 13: demonitor <0.0> main #Ref<1>"
    keys n
    check "$size forward after back" see "step 14: monitor"
    # the program's output never reaches the terminal, only the output view
    check "$size output stays captured" bash -c "! tmux -L $SOCK capture-pane -t trace -p | grep -q '^balance: 150'"
    keys 8
    check "$size output view" see "balance: 150"
    keys 3
    check "$size supervision view" see "spawn tree (who started whom):"
    keys '?'
    check "$size help overlay" see "watch your actors, one event at a time"
    # the help is a framed box of its own that fits the screen: its last
    # key line and its closing border are on the screen, nothing of the
    # panes shows through inside the frame
    check "$size help fits" see "press any key to close"
    check "$size help box closed" bash -c "tmux -L $SOCK capture-pane -t trace -p | grep -Eq '[+]-{70,}[+]'"
    check "$size help box cleared" bash -c "tmux -L $SOCK capture-pane -t trace -p | grep -Eq '[|] {70,}[|]'"
    keys x
    keys 5
    check "$size timeline view" see "[5] Timeline"
    T resize-window -t trace -x $((w - 10)) -y $((h - 4)) 2>/dev/null || T resize-pane -t trace -x $((w - 10)) -y $((h - 4))
    check "$size redraws after a resize" see "step 14: monitor"
    keys r
    check "$size restart" see "step 0: nothing has run yet"
    keys q
    gone() {
        for _ in $(seq 50); do T has-session -t trace 2>/dev/null || return 0; sleep 0.1; done
        return 1
    }
    check "$size quits" gone
done

# long names, reduction counts in the millions, a long message: columns stay
# apart and the right pane wraps; `continue` redraws while it runs
for size in 120x40 80x24; do
    w=${size%x*} h=${size#*x}
    fresh
    T new-session -d -s trace -x "$w" -y "$h" "$SNOW trace wide.snow"
    check "$size wide: starts" see "step 0: nothing has run yet"
    keys :
    keys -l "break-fn a_worker_with_a_very_long_actor_name"
    keys Enter
    keys c
    check "$size wide: stops in the worker" see "step 610: receive <0.1>"
    # the reduction count (7 digits) has a space before it, never glued to MBOX
    check "$size wide: columns apart" bash -c "tmux -L $SOCK capture-pane -t trace -p | grep -Eq 'main +sleeping +0 1199703 +-'"
    check "$size wide: long name cut" see "a_worker_with_a_very_lo"
    keys 2
    keys z
    check "$size wide: variables" see "variables: id = 7, label = \"worker seven\""
    # the message is longer than the pane: its end is on a row of its own
    check "$size wide: wraps" bash -c "tmux -L $SOCK capture-pane -t trace -p | grep -Eq '^ +.*more words to be sure'"
    keys q
done
fresh
T new-session -d -s trace -x 120 -y 40 "$SNOW trace busy.snow"
check "busy: starts" see "step 0: nothing has run yet"
keys c
check "busy: redraws while running" see "running... step"
first=$(screen | grep -o 'running... step [0-9]*' | head -1)
moved() {
    for _ in $(seq 60); do
        now=$(screen | grep -o 'running... step [0-9]*' | head -1)
        [ -n "$now" ] && [ "$now" != "$first" ] && return 0
        sleep 0.1
    done
    return 1
}
check "busy: the step number moves" moved
keys x
check "busy: a key interrupts" see "[interrupted]"
keys q
T kill-server 2>/dev/null
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
