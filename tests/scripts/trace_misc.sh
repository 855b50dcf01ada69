#!/bin/bash
# snow trace: step-back speed, export formats, programs that panic or
# deadlock, and robustness over every actor/supervisor/service/job program of
# the conformance suite (the debugger must never crash, whatever the program).
cd "$(dirname "$0")/../trace" || exit 1
SNOW=${SNOW:-../../snow}
SHARED=../../../shared/conformance
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL trace: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. stepping back from step k to k-1 on a 10 000-event run lands on k-1
#    (its speed is measured by `bench/run tools`: no timing in pass/fail tests)
out=$("$SNOW" trace bench_pingpong.snow --script "filter all; goto 10000; back; back" 2>&1)
if echo "$out" | grep -q "^back .*step 9999:" && echo "$out" | grep -q "^back .*step 9998:" &&
   echo "$out" | grep -q "^goto 10000 .*step 10000:"; then ok; else bad "goto/back on the long run"; echo "$out" | tail -5; fi

# 2. export: SVG (well-formed XML, arrows, labels) and Mermaid
if "$SNOW" trace ping_pong.snow --export "$tmp/pp.svg" >/dev/null && python3 - "$tmp/pp.svg" <<'PY'
import sys, xml.dom.minidom as m
d = m.parse(sys.argv[1])
texts = "".join(t.firstChild.data for t in d.getElementsByTagName("text") if t.firstChild)
assert "Ping(<0.3>, 3)" in texts and "receive Pong(1)" in texts, texts[:300]
assert len(d.getElementsByTagName("line")) > 10
PY
then ok; else bad "svg export"; fi
if "$SNOW" trace supervisor.snow --export "$tmp/sup.mmd" >/dev/null &&
   head -2 "$tmp/sup.mmd" | grep -q "^sequenceDiagram" &&
   grep -q "P1-->>P4: start child w1" "$tmp/sup.mmd" &&
   grep -q "P0->>P2: -1" "$tmp/sup.mmd" &&
   grep -q "Note over P1: restart child w1" "$tmp/sup.mmd"; then ok; else bad "mermaid export"; cat "$tmp/sup.mmd" | head -30; fi
if ! "$SNOW" trace ping_pong.snow --export "$tmp/x.png" >/dev/null 2>&1; then ok; else bad "export accepts only .svg/.mmd"; fi

# 3. message-pattern breakpoints: each pattern stops first at the expected send
while IFS='|' read -r step pat; do
    out=$("$SNOW" trace patterns.snow --script "break-msg $pat; continue" 2>&1)
    if echo "$out" | grep -q "^continue .*step $step: send"; then ok; else bad "break-msg $pat (expected step $step)"; echo "$out"; fi
done <<'PATS'
5|Tick
4|Hello(s) when String.length(s) > 3
12|Hello("hi")
7|Batch([])
6|Batch(h :: t) when h == 1 and List.length(t) == 2
8|Place(o) when o.qty >= 10 and o.item == "apple"
9|Maybe(Some(x)) when String.contains(x, "text")
10|Maybe(None)
11|Pair((n, _)) when n * 2 == 14
6|Batch([_, x, _]) when x == 2
12|Hello(s) when s == "hi" or s == "bye"
PATS
out=$("$SNOW" trace monitor.snow --script "break-panic off; break-msg Down(_, pid, Error(msg)) when String.contains(msg, \"crash\"); continue" 2>&1)
if echo "$out" | grep -q "^continue .*step 42: down <0.4> watcher gets Down(#Ref<2>, <0.2>, Error(runner: asked to crash))"; then ok; else bad "break-msg on a Down signal"; echo "$out"; fi
out=$("$SNOW" trace links.snow --script "break-panic off; break-msg Exit(pid, reason); continue" 2>&1)
if echo "$out" | grep -q "^continue .*step 36: exit signal <0.1> worker -> <0.3> guard"; then ok; else bad "break-msg on a trapped Exit"; echo "$out"; fi
out=$("$SNOW" trace patterns.snow --script "break-msg Nope(" 2>&1)
if echo "$out" | grep -q "bad message pattern: expected"; then ok; else bad "a bad pattern is reported"; echo "$out"; fi

# 4. a panic in main ends the program inside the debugger (no exit 101)
cat > "$tmp/boom.snow" <<'SNOW'
actor idle() do
  receive do
    _ -> ()
  end
end
fn main() do
  spawn(idle)
  println("about to fail")
  panic("boom")
end
SNOW
out=$("$SNOW" trace "$tmp/boom.snow" --script "continue; continue; back; continue" 2>&1)
if [ $? -eq 0 ] && echo "$out" | grep -q "main panicked: boom (exit status 101)" &&
   echo "$out" | grep -q "^back .*step"; then ok; else bad "panic in main"; echo "$out"; fi

# 5. a deadlock is shown, not fatal
cat > "$tmp/dead.snow" <<'SNOW'
service Box do
  fn init() -> Int do
    0
  end
  call Get() :: Int do |n|
    (n, n)
  end
end
actor waiter() do
  receive do
    n -> println("${n}")
  end
end
fn main() do
  let w = spawn(waiter)
  link(w)
  Process.trap_exit(true)
  receive_forever()
end
fn receive_forever() do
  Timer.sleep(-1)
  Job.await(Job.async(fn() -> Timer.sleep(-1) end))
end
SNOW
out=$("$SNOW" trace "$tmp/dead.snow" --script "continue; continue" 2>&1)
if [ $? -le 1 ]; then ok; else bad "deadlocking program"; echo "$out"; fi

# 6. a program that does not compile: diagnostics, exit 1
printf 'fn main() do\n  println(nope)\nend\n' > "$tmp/bad.snow"
"$SNOW" trace "$tmp/bad.snow" --script next >/dev/null 2>&1
if [ $? -eq 1 ]; then ok; else bad "compile error exit status"; fi
"$SNOW" trace >/dev/null 2>&1
if [ $? -eq 2 ]; then ok; else bad "usage exit status"; fi

# 7. every concurrency program of the conformance suite, stepped around
n=0 crashed=0
for f in "$SHARED"/{actors,supervisors,services,jobs}/*.snow; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    out=$(timeout 60 "$SNOW" trace "$f" --script "next-message; continue; continue; back; back; goto 3; continue" 2>&1)
    rc=$?
    if [ $rc -eq 124 ]; then
        echo "  $f: still running after 60 s (slow build?), not counted"
        continue
    fi
    if [ $rc -gt 1 ] || echo "$out" | grep -q "Sanitizer\|runtime error:\|internal error"; then
        crashed=$((crashed + 1))
        echo "  $f: exit $rc"
        echo "$out" | tail -5
    fi
done
if [ $crashed -eq 0 ]; then ok; else bad "$crashed of $n conformance programs broke the debugger"; fi
echo "traced $n conformance programs"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
