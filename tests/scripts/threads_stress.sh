#!/bin/bash
# Threaded scheduler stress test: 10 000 processes exchange 1 000 000
# messages under `--threads 2`, 20 times over.  The program checks every
# message it receives (tests/scripts/threads_stress.snow); this script checks
# the totals it prints and the exit status, and bounds each run with a
# timeout (a lost message would leave a worker waiting, and the run would
# end at quiescence without its totals -- or hang, if the loss broke the
# runtime itself).
#
# Environment: SNOW (the binary, default ./snow), STRESS_RUNS (default 20),
# STRESS_THREADS (default 2), SNOW_STRESS_N (processes, default 10 000).
cd "$(dirname "$0")/../.." || exit 2
SNOW=${SNOW:-./snow}
RUNS=${STRESS_RUNS:-20}
THREADS=${STRESS_THREADS:-2}
N=${SNOW_STRESS_N:-10000}
want="processes $N messages $((N * 100))"
pass=0
fail=0
start=$(date +%s.%N)
for i in $(seq 1 "$RUNS"); do
    err=$(mktemp)
    out=$(SNOW_STRESS_N=$N timeout 120 "$SNOW" run --threads "$THREADS" tests/scripts/threads_stress.snow 2>"$err")
    st=$?
    if [ $st -eq 0 ] && [ "$out" = "$want" ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "run $i: exit $st, output: ${out:-<none>} (want: $want)"
        grep -v "warning\[E0012\]\|^ *[0-9]* |\|^ *|\|= note" "$err" | head -20
    fi
    rm -f "$err"
done
end=$(date +%s.%N)
echo "threads_stress: $RUNS runs of $N processes / $((N * 100)) messages on $THREADS threads in $(echo "$end - $start" | bc) s"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
