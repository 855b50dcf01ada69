#!/bin/bash
# HTTPS, the HTTP client and the graceful stop: tests/net/tls_client_test.py.
exec /usr/bin/python3 "$(dirname "$0")/../net/tls_client_test.py"
