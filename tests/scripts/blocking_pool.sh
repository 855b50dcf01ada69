#!/bin/bash
# File I/O runs on the blocking pool under --threads (sched_run_blocking):
# two processes reading FIFOs whose writer is slow do not stop the others.
# The writer (a shell loop) only writes once the program has created the
# file `go`, which main does after a Timer.sleep -- so if the readers'
# open()/read() blocked the worker threads (as before the pool), main could
# never run again and the program would hang until the timeout.
# Also: File.read / File.write / File.append / File.exists / File.delete
# give the same results on the pool as inline.
cd "$(dirname "$0")/../.." || exit 2
SNOW=${SNOW:-./snow}
case "$SNOW" in /*) ;; *) SNOW="$PWD/$SNOW" ;; esac
pass=0
fail=0
dir=$(mktemp -d /tmp/snow-bpool.XXXXXX)
trap 'rm -rf "$dir"' EXIT

cat > "$dir/fifo.snow" <<'SNOW'
actor reader(path :: String) do
  case File.read(path) do
    Ok(text) -> println("read " <> String.trim(text))
    Err(e) -> println("read failed: " <> e)
  end
end

fn main() do
  spawn(reader, "f1")
  spawn(reader, "f2")
  Timer.sleep(200)
  println("main still runs")
  let _ = File.write("go", "")
end
SNOW

cat > "$dir/files.snow" <<'SNOW'
fn main() do
  let _ = File.write("a.txt", "one")
  let _ = File.append("a.txt", " two")
  println("${File.read("a.txt")}")
  println("${File.exists("a.txt")} ${File.exists("nope.txt")}")
  println("${File.read("nope.txt")}")
  let _ = File.delete("a.txt")
  println("${File.exists("a.txt")}")
  println("${File.delete("a.txt")}")
end
SNOW

want_fifo=$'main still runs\nread a\nread b'
for threads in 1 2; do
    rm -f "$dir/f1" "$dir/f2" "$dir/go"
    mkfifo "$dir/f1" "$dir/f2"
    ( cd "$dir" && for _ in $(seq 400); do [ -e go ] && break; sleep 0.05; done
      echo a > f1; echo b > f2 ) &
    writer=$!
    out=$(cd "$dir" && timeout 20 "$SNOW" run --threads "$threads" fifo.snow 2>&1)
    st=$?
    kill "$writer" 2>/dev/null
    wait "$writer" 2>/dev/null
    sorted=$(printf '%s\n' "$out" | sort)
    if [ $st -eq 0 ] && [ "$sorted" = "$want_fifo" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL fifo readers --threads $threads: exit $st (124 = timed out: a blocked worker), output:"
        printf '%s\n' "$out" | head -10
    fi
done

want_files=$(cd "$dir" && timeout 20 "$SNOW" run files.snow 2>&1)
if printf '%s\n' "$want_files" | head -1 | grep -q '^Ok(one two)$'; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAIL files.snow (deterministic): $want_files"
fi
for threads in 1 2; do
    out=$(cd "$dir" && timeout 20 "$SNOW" run --threads "$threads" files.snow 2>&1)
    if [ "$out" = "$want_files" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL files.snow --threads $threads differs from the deterministic run:"
        printf '%s\n' "$out"
    fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
