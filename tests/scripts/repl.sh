#!/bin/bash
# `snow repl` tests:
#  1. scripted sessions: tests/repl/NAME.in fed on stdin must print exactly
#     tests/repl/NAME.out (stdout and stderr together);
#  2. a session fed line by line through a pipe: a spinning actor, a linked
#     crash, a message to self() (the done-when of issue 17);
#  3. a real terminal (tmux): type a multi-line function, use history (arrow
#     up) and tab completion; Ctrl-C at the prompt, in a continuation, in a
#     running input and in a receive; an empty line cancelling; Ctrl-D;
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

# A session fed line by line (stdin a pipe): the prompt is a process among
# others.  In order: (1) an actor that spins does not freeze the prompt:
# `1 + 1` is answered (the bound is generous, against a loaded machine; the
# time is printed), and the actor is killed; (2) a crash linked to the
# prompt's process leaves a fresh one with the same bindings; (3) a message
# sent to self() is received at the prompt; the session ends with status 0.
session() {
    local dir fifo out pid
    dir=$(mktemp -d)
    fifo="$dir/in"
    out="$dir/out"
    mkfifo "$fifo"
    timeout 60 "$SNOW" repl < "$fifo" > "$out" 2>&1 &
    pid=$!
    exec 3> "$fifo"
    say() { printf '%s\n' "$1" >&3; }
    now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
    waitfor() { # text, timeout in ms
        local end=$(( $(now_ms) + ${2:-10000} ))
        while [ "$(now_ms)" -lt "$end" ]; do
            grep -qF -- "$1" "$out" && return 0
            sleep 0.005
        done
        echo "  session output does not show: $1"
        sed 's/^/  | /' "$out"
        return 1
    }
    say "let kept = [1, 2, 3]"
    say "actor spinner() do"
    say "  spinner()"
    say "end"
    say "let sp = spawn(spinner)"
    if waitfor "sp = <0.3> :: Pid<a>"; then ok; else bad "session: spawn a spinning actor"; fi
    local t0 t1
    t0=$(now_ms)
    say "1 + 1"
    if waitfor "2 :: Int" 5000; then
        t1=$(now_ms)
        echo "repl: 1 + 1 answered in $((t1 - t0)) ms beside a spinning actor"
        if [ $((t1 - t0)) -lt 2000 ]; then ok; else bad "session: 1 + 1 took $((t1 - t0)) ms beside a spinner"; fi
    else
        bad "session: 1 + 1 beside a spinning actor"
    fi
    say "Process.exit(sp, Killed)"
    say "Process.is_alive(sp)"
    if waitfor "false :: Bool"; then ok; else bad "session: kill the spinner"; fi
    say "actor crasher() do"
    say "  receive do"
    say "    n -> panic(\"boom \${n}\")"
    say "  end"
    say "end"
    say "let c = spawn(crasher)"
    say "link(c)"
    say "send(c, 1)"
    say "kept |> List.map(fn x -> x * 10 end)"
    if waitfor "** a new REPL process <0.5> keeps your definitions and bindings" &&
        waitfor "[10, 20, 30] :: List<Int>"; then ok; else bad "session: survive a linked crash with the bindings"; fi
    say 'send(self(), "ping")'
    say 'receive do'
    say '  m -> "got " <> m'
    say 'after 5000 -> "nothing"'
    say 'end'
    if waitfor '"got ping" :: String'; then ok; else bad "session: receive a message sent to self()"; fi
    exec 3>&-
    wait "$pid"
    local rc=$?
    if [ $rc -eq 0 ]; then ok; else bad "session: exit status $rc"; sed 's/^/  | /' "$out"; fi
    rm -rf "$dir"
}
session

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

    # Ctrl-C and Ctrl-D: a session you cannot lose
    $T kill-server 2> /dev/null
    sleep 0.2
    HOME="$home" $T -f /dev/null new-session -d -x 100 -y 30 "HOME=$home TERM=xterm $SNOW repl; echo EXIT=\$?; sleep 30"
    if wait_for "snow>"; then ok; else bad "tmux: no prompt (Ctrl-C session)"; screen; fi
    lit "let keep = 7"
    if wait_for "keep = 7 :: Int"; then ok; else bad "tmux: binding"; screen; fi
    # at the prompt: Ctrl-C drops the half-typed line, nothing else
    $T send-keys -l "let lost = [1, 2"
    $T send-keys C-c
    if wait_for "^C"; then ok; else bad "tmux: Ctrl-C at the prompt"; screen; fi
    lit "keep + 1"
    if wait_for "8 :: Int"; then ok; else bad "tmux: the session goes on after Ctrl-C at the prompt"; screen; fi
    # Ctrl-C in a continuation line cancels the whole input
    lit "fn unfinished() do"
    $T send-keys C-c
    lit "keep * 3"
    if wait_for "21 :: Int"; then ok; else bad "tmux: Ctrl-C cancels an unfinished input"; screen; fi
    # an empty line cancels an unfinished bracket
    lit "let y = [1, 2"
    lit ""
    if wait_for "(input cancelled: it was not finished)"; then ok; else bad "tmux: an empty line cancels"; screen; fi
    # Ctrl-C interrupts a running input, here one that spins, and a receive
    lit "fn forever(n :: Int) -> Int do"
    lit "  forever(n + 1)"
    lit "end"
    # (a Ctrl-C that comes while the input is still being compiled interrupts
    # nothing: press it again until the panic shows)
    interrupt() {
        for _ in 1 2 3 4 5; do
            $T send-keys C-c
            wait_for "panic: interrupted" 20 && return 0
        done
        return 1
    }
    lit "forever(0)"
    sleep 0.3
    if interrupt; then ok; else bad "tmux: Ctrl-C interrupts a running input"; screen; fi
    lit "keep - 1"
    if wait_for "6 :: Int"; then ok; else bad "tmux: bindings kept after an interrupt"; screen; fi
    $T send-keys C-l
    lit "receive do x -> x end"
    sleep 0.3
    if interrupt; then ok; else bad "tmux: Ctrl-C interrupts a receive"; screen; fi
    # Ctrl-D on an empty line leaves, with status 0
    $T send-keys C-d
    if wait_for "EXIT=0"; then ok; else bad "tmux: Ctrl-D leaves with status 0"; screen; fi
    $T kill-server 2> /dev/null
    rm -rf "$home"
else
    echo "repl: tmux not installed; terminal test skipped"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
