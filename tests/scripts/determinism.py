#!/usr/bin/env python3
"""Determinism of the deterministic scheduler: for every actor conformance
program and seeds 0..20, two runs give byte-identical stdout, stderr, exit
status and --events log.  Prints `N passed, N failed` (one check per program
and seed)."""
import concurrent.futures
import glob
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SNOW = os.path.abspath(os.environ.get("SNOW", os.path.join(ROOT, "snow")))
SEEDS = [int(s) for s in os.environ.get("SEEDS", " ".join(str(i) for i in range(21))).split()]
AREAS = os.environ.get("AREAS", "actors deterministic").split()


def run(prog, seed, tmp, tag):
    ev = os.path.join(tmp, f"{tag}.events")
    r = subprocess.run([SNOW, "run", "--seed", str(seed), "--events", ev, prog], capture_output=True,
                       cwd=tmp, timeout=60, stdin=subprocess.DEVNULL)
    with open(ev, "rb") as f:
        events = f.read()
    return r.returncode, r.stdout, r.stderr, events


def check(prog, seed):
    with tempfile.TemporaryDirectory() as tmp:
        try:
            a = run(prog, seed, tmp, "a")
            b = run(prog, seed, tmp, "b")
        except subprocess.TimeoutExpired:
            return False, "timeout"
        if a != b:
            what = [n for n, x, y in zip(("status", "stdout", "stderr", "events"), a, b) if x != y]
            return False, "differs in " + ", ".join(what)
        if not a[3]:
            return False, "empty event log"
        return True, ""


def main():
    shared = os.path.normpath(os.path.join(ROOT, "..", "shared", "conformance"))
    progs = []
    for area in AREAS:
        progs += sorted(glob.glob(os.path.join(shared, area, "*.snow")))
    if not progs:
        print("determinism: conformance suite not found; skipped")
        print("0 passed, 0 failed")
        return 0
    jobs = [(p, s) for p in progs for s in SEEDS if not (os.path.basename(p) == "hundred_thousand_replies.snow" and s > 3)]
    passed = failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        for (p, s), (ok, why) in zip(jobs, ex.map(lambda j: check(*j), jobs)):
            if ok:
                passed += 1
            else:
                failed += 1
                print(f"FAIL determinism {os.path.relpath(p, shared)} --seed {s}: {why}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
