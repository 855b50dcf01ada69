#!/bin/bash
# `snow explain CODE` (cmd/explain.c): every diagnostic code the sources
# emit has an explanation; every explanation's example program is reported
# with its code and its fixed program checks cleanly; a bad code exits 2 with
# a hint.  Prints `N passed, N failed`.
cd "$(dirname "$0")/../.." || exit 2
exec python3 - "${SNOW:-./snow}" <<'PY'
import os, re, subprocess, sys, tempfile
snow = os.path.abspath(sys.argv[1])
passed = failed = 0
def ok(): 
    global passed; passed += 1
def bad(msg):
    global failed; failed += 1; print("FAIL explain:", msg)
def run(args, cwd=None):
    return subprocess.run([snow] + args, capture_output=True, text=True, cwd=cwd, timeout=30)

listing = run(["explain"])
codes = re.findall(r"^  ([EW]\d{4})  ", listing.stdout, re.M)
ok() if listing.returncode == 0 and len(codes) > 40 else bad(f"listing: {listing.returncode} {listing.stdout[:200]}")

# every code the sources emit is explained
emitted = set()
for d in ("front", "typecheck", "interp", "debugger", "cmd"):
    for root, _, files in os.walk(d):
        for f in files:
            if f.endswith(".c"):
                emitted |= set(re.findall(r'"([EW]\d{4})"', open(os.path.join(root, f)).read()))
emitted.discard("W0000")  # the JSON code of an uncoded warning, not a diagnostic
for c in sorted(emitted):
    ok() if c in codes else bad(f"{c} is emitted but `snow explain` has no entry for it")

def programs(text):
    """The two indented program blocks of an explanation."""
    blocks, cur = [], None
    for line in text.split("\n"):
        if line.startswith("This program") or line.startswith("Fixed:") or line.startswith("and so is"):
            cur = []
            blocks.append(cur)
        elif cur is not None and (line.startswith("    ") or line == ""):
            cur.append(line[4:])
    return ["\n".join(b).strip("\n") + "\n" for b in blocks]

def check(prog):
    """Writes the program (maybe several `# file:` parts) and checks it."""
    d = tempfile.mkdtemp(prefix="snow-explain-")
    files, name = {}, "main.snow"
    for line in prog.split("\n"):
        m = re.match(r"^# file: (\S+)$", line)
        if m:
            name = m.group(1)
            files.setdefault(name, [])
            continue
        files.setdefault(name, []).append(line)
    entry = next(iter(files))
    for f, lines in files.items():
        with open(os.path.join(d, f), "w") as fh:
            fh.write("\n".join(lines).strip("\n") + "\n")
    r = run(["check", "--color=never", entry], cwd=d)
    subprocess.run(["rm", "-rf", d])
    return r

for c in codes:
    r = run(["explain", c])
    if r.returncode != 0:
        bad(f"snow explain {c} -> {r.returncode}")
        continue
    m = re.search(r"^This program is reported (?:as|with) ([EW]\d{4}):", r.stdout, re.M)
    want = m.group(1) if m else None  # None: accepted nowadays
    blocks = programs(r.stdout)
    if len(blocks) != 2:
        bad(f"{c}: expected an example and a fixed program, found {len(blocks)} blocks")
        continue
    ex, fixed = check(blocks[0]), check(blocks[1])
    if want is None:
        ok() if ex.returncode == 0 else bad(f"{c}: the example should be accepted:\n{ex.stderr}")
    elif f"[{want}]" in ex.stderr and ex.returncode == (1 if want.startswith("E") else 0):
        ok()
    else:
        bad(f"{c}: the example is not reported with {want} (exit {ex.returncode}):\n{ex.stderr}")
    ok() if fixed.returncode == 0 and fixed.stderr == "" else bad(f"{c}: the fixed program is not clean:\n{fixed.stderr}")

# lower case and bare numbers are accepted; a bad code exits 2 with a hint
r = run(["explain", "e0004"])
ok() if r.returncode == 0 and r.stdout.startswith("E0004: ") else bad("explain e0004")
r = run(["explain", "4"])
ok() if r.returncode == 0 and r.stdout.startswith("E0004: ") else bad("explain 4")
r = run(["explain", "E9999"])
ok() if r.returncode == 2 and "no diagnostic has the code 'E9999'" in r.stderr and "help:" in r.stderr \
    else bad(f"explain E9999 -> {r.returncode} {r.stderr}")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
PY
