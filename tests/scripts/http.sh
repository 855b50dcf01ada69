#!/bin/bash
# The HTTP server with real clients: tests/net/http_test.py.
exec /usr/bin/python3 "$(dirname "$0")/../net/http_test.py"
