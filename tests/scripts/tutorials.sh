#!/usr/bin/env bash
# The tutorials (tutorials/NN-topic/README.md) tell no lies: every snippet equals its
# file, every shown command prints exactly what the lesson says, every exercise runs
# and has a solution. See tutorials/doctest.py for the conventions.
# Prints `N passed, N failed` (scripts/run-tests counts it).
set -u
cd "$(dirname "$0")/../.."
exec python3 tutorials/doctest.py --snow "${SNOW:-./snow}"
