#!/usr/bin/env bash
# docs/supervision.md shows runnable examples: each `<!-- example: NAME -->`
# code block must be tests/conformance/supervision_docs/NAME.snow and each
# `<!-- output: NAME -->` block its NAME.out (the cases themselves run in the
# `own` conformance suite).  Prints `N passed, N failed`.
cd "$(dirname "$0")/../.."
python3 - <<'PY'
import os, re, sys
doc = open("docs/supervision.md").read()
cases = "tests/conformance/supervision_docs"
passed = failed = 0
seen = set()
for kind, name, body in re.findall(r"<!-- (example|output): (\w+) -->\n```\w*\n(.*?)```", doc, re.S):
    path = os.path.join(cases, name + (".snow" if kind == "example" else ".out"))
    seen.add(name)
    if os.path.exists(path) and open(path).read() == body:
        passed += 1
    else:
        failed += 1
        print(f"docs/supervision.md: the {kind} block of {name} differs from {path}")
for f in sorted(os.listdir(cases)):
    if f.endswith(".snow") and f[:-5] not in seen:
        failed += 1
        print(f"{cases}/{f} is not shown in docs/supervision.md")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
