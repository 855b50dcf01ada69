#!/bin/bash
# The generated stress corpus of issue 14 (tests/stress/run.py): large
# literals and long operator chains, plain and 1 000 calls deep, on every
# scheduler.  Each program runs correctly or stops cleanly (compile error,
# `stack overflow` panic); none dies by a signal.  Prints `N passed, N failed`.
cd "$(dirname "$0")/../.." || exit 2
SNOW=${SNOW:-./snow}
case "$BUILD" in *asan*) exec python3 tests/stress/run.py "$SNOW" --asan ;; esac
exec python3 tests/stress/run.py "$SNOW"
