#!/bin/bash
# WebSockets with real clients (issue 19): Python websockets and Node ws,
# plain and TLS, deterministic and --threads 2 (tests/ws/interop_test.py).
exec /usr/bin/python3 "$(dirname "$0")/../ws/interop_test.py"
