#!/bin/bash
# Crash isolation under wrk: tests/net/load_test.py.
exec /usr/bin/python3 "$(dirname "$0")/../net/load_test.py"
