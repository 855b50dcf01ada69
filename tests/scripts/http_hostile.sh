#!/bin/bash
# Hostile input against the HTTP server: tests/net/hostile_test.py.
exec /usr/bin/python3 "$(dirname "$0")/../net/hostile_test.py"
