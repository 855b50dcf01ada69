#!/bin/bash
# Replayable I/O (runtime/iolog.h): `snow run --events FILE` journals every
# external input (here: lines on stdin arriving from a slow pipe); `snow
# trace --replay FILE` then runs the program again with stdin empty and
# gets the same lines from the journal, stepping back and forward included;
# plain `snow trace` records its first run and replays it when stepping
# back.  A program that does not match the journal stops with a clean
# "replay diverged" panic.
cd "$(dirname "$0")/../.." || exit 2
SNOW=${SNOW:-./snow}
case "$SNOW" in /*) ;; *) SNOW="$PWD/$SNOW" ;; esac
pass=0
fail=0
dir=$(mktemp -d /tmp/snow-replay.XXXXXX)
trap 'rm -rf "$dir"' EXIT

check() { # name, got, want
    if [ "$2" = "$3" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        printf 'FAIL %s\n--- got:\n%s\n--- want:\n%s\n' "$1" "$2" "$3"
    fi
}

# the last Output view of a --dump
output_view() {
    awk '/^--- Output ---/{p=1;buf="";next} /^--- /{if(p){last=buf};p=0} p{buf=buf $0 "\n"} END{printf "%s", last}'
}

cat > "$dir/echo.snow" <<'SNOW'
actor shout(line :: String) do
  println("heard: " <> line)
end

actor ticker(n :: Int) do
  if n > 0 do
    Timer.sleep(40)
    println("tick ${n}")
    ticker(n - 1)
  end
end

fn loop(n :: Int) do
  case IO.read_line() do
    Ok(line) ->
      if line == "" do
        println("lines: ${n}")
      else
        spawn(shout, line)
        loop(n + 1)
      end
    Err(e) -> println("error: " <> e)
  end
end

fn main() do
  spawn(ticker, 3)
  loop(0)
end
SNOW

# the other reader: the same input read by another process
cat > "$dir/other.snow" <<'SNOW'
actor reader() do
  println("${IO.read_line()}")
end

fn main() do
  spawn(reader)
end
SNOW

live=$( (echo alpha; sleep 0.1; echo beta; sleep 0.1; echo gamma) |
        timeout 20 "$SNOW" run --events "$dir/ev.jsonl" "$dir/echo.snow" 2>&1)
check "live run" "$(printf '%s\n' "$live" | grep -c heard)" "3"
n_in=$(grep -c '"ev":"input"' "$dir/ev.jsonl")
n_io=$(grep -c '"ev":"io"' "$dir/ev.jsonl")
check "events record the reads" "$([ "$n_in" -ge 4 ] && echo yes)" "yes"
check "events record the readiness" "$([ "$n_io" -ge 1 ] && echo yes)" "yes"

replayed=$(timeout 20 "$SNOW" trace --replay "$dir/ev.jsonl" --script "continue" --dump "$dir/echo.snow" </dev/null | output_view)
check "trace --replay gives the live output" "$replayed" "$live"

# stepping back re-runs the program from the journal again
back=$(timeout 20 "$SNOW" trace --replay "$dir/ev.jsonl" --script "continue; back; back; back; back; back; back; back; continue" --dump "$dir/echo.snow" </dev/null)
check "back and forward over the replay" "$(printf '%s\n' "$back" | output_view)" "$live"
check "no divergence while stepping" "$(printf '%s\n' "$back" | grep -c 'replay diverged')" "0"

# plain trace: the first run records (stdin is empty), re-runs replay it
plain=$(timeout 20 "$SNOW" trace --script "continue; back; back; back; continue" --dump "$dir/echo.snow" </dev/null | output_view)
check "trace records and replays its own run" "$(printf '%s\n' "$plain" | grep -c 'lines: 0')" "1"

# a program that does not match the journal
div=$(timeout 20 "$SNOW" trace --replay "$dir/ev.jsonl" --script "continue" --dump "$dir/other.snow" </dev/null)
check "divergence is a clean panic" "$(printf '%s\n' "$div" | grep -c 'panic: replay diverged: the program did register on fd 0 in <0.1>')" "1"

# a file that is not an events file
printf '{"step":1,"ev":"io","fd":}\n' > "$dir/bad.jsonl"
err=$("$SNOW" trace --replay "$dir/bad.jsonl" --script "continue" --dump "$dir/echo.snow" 2>&1 </dev/null)
st=$?
check "bad journal: exit 2" "$st" "2"
check "bad journal: message" "$(printf '%s\n' "$err" | grep -c 'not an event line')" "1"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
