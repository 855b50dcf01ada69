#!/bin/bash
# See determinism.py.
exec python3 "$(dirname "$0")/determinism.py"
