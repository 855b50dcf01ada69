#!/bin/bash
# See output.py.
exec python3 "$(dirname "$0")/output.py"
