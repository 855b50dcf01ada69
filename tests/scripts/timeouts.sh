#!/usr/bin/env bash
# Timeouts fire while other processes compute (decision 32, issue 14 item 3):
# every program in timeouts/ has a process spinning without end next to a
# Job.await_timeout, a `receive ... after`, a Timer.sleep in main or a
# supervisor's shutdown kill of a trapping child.  Each must print its .out
# and exit 0:
#  - in real time, with --virtual-time, and with --threads 1 / --threads 2,
#    each run within 5 s (a hang guard, not a timing check: the elapsed
#    times are printed for the record);
#  - real time and --virtual-time give the same --events log;
#  - with --virtual-time and seeds 0..20, two runs give the same stdout,
#    stderr, status and --events log.
#
# env: SNOW (default ./snow).  Prints `N passed, N failed`.
set -u
cd "$(dirname "$0")/../.."
SNOW=${SNOW:-./snow}
DIR=tests/scripts/timeouts
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0

# run NAME TAG ARGS...: run DIR/NAME.snow with ARGS, output in TMP/NAME.TAG.{out,err,st}
run() {
    local name=$1 tag=$2
    shift 2
    timeout -k 1 5 "$SNOW" run "$@" "$DIR/$name.snow" >"$TMP/$name.$tag.out" 2>"$TMP/$name.$tag.err" </dev/null
    echo $? >"$TMP/$name.$tag.st"
}

for prog in "$DIR"/*.snow; do
    name=$(basename "$prog" .snow)
    times=""
    for mode in real virtual t1 t2; do
        case $mode in
        real) args=(--events "$TMP/$name.real.ev") ;;
        virtual) args=(--virtual-time --events "$TMP/$name.virtual.ev") ;;
        t1) args=(--threads 1) ;;
        t2) args=(--threads 2) ;;
        esac
        start=$(date +%s%N)
        run "$name" "$mode" "${args[@]}"
        ms=$(( ($(date +%s%N) - start) / 1000000 ))
        times="$times $mode ${ms}ms"
        st=$(cat "$TMP/$name.$mode.st")
        if [ "$st" = 0 ] && cmp -s "$TMP/$name.$mode.out" "$DIR/$name.out"; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            echo "FAIL timeouts $name ($mode): exit $st (124: still running after 5 s)"
            diff "$TMP/$name.$mode.out" "$DIR/$name.out" | head -10
            head -5 "$TMP/$name.$mode.err"
        fi
    done
    echo "timeouts $name:$times"
    # real time only waits: the timers fire at the same points
    if cmp -s "$TMP/$name.real.ev" "$TMP/$name.virtual.ev" && [ -s "$TMP/$name.real.ev" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL timeouts $name: the event logs of real and virtual time differ"
    fi
done

# seeds 0..20: the same run twice, byte for byte (two at a time)
check_seed() {
    local name=$1 seed=$2 t
    for t in a b; do
        run "$name" "s$seed$t" --virtual-time --seed "$seed" --events "$TMP/$name.s$seed$t.ev"
    done
    for f in out err st ev; do
        cmp -s "$TMP/$name.s${seed}a.$f" "$TMP/$name.s${seed}b.$f" || { echo "FAIL timeouts $name --seed $seed: $f differs"; return; }
    done
    [ -s "$TMP/$name.s${seed}a.ev" ] || { echo "FAIL timeouts $name --seed $seed: empty event log"; return; }
    cmp -s "$TMP/$name.s${seed}a.out" "$DIR/$name.out" || { echo "FAIL timeouts $name --seed $seed: wrong output"; return; }
    [ "$(cat "$TMP/$name.s${seed}a.st")" = 0 ] || { echo "FAIL timeouts $name --seed $seed: exit $(cat "$TMP/$name.s${seed}a.st")"; return; }
    echo "ok"
}
export -f run check_seed
export SNOW DIR TMP
res=$(for prog in "$DIR"/*.snow; do
          for seed in $(seq 0 20); do echo "$(basename "$prog" .snow) $seed"; done
      done | xargs -P 2 -n 2 bash -c 'check_seed "$0" "$1"')
ok=$(grep -c '^ok$' <<<"$res")
bad=$(grep -vc '^ok$' <<<"$res")
grep -v '^ok$' <<<"$res"
passed=$((passed + ok))
failed=$((failed + bad))
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
