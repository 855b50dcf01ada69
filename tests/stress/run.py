#!/usr/bin/env python3
"""Runs the generated stress corpus of issue 14 (see gen.py) and prints
`N passed, N failed`.

usage: run.py SNOW [--asan]

Each program must either run correctly (print the expected line, exit 0),
stop with a compile error (exit 1, no output) or panic with `stack
overflow` (exit 101).  Anything else fails, above all a death by signal.

Sampling keeps `make test` lean (2 busy cores): every shape at 1x and 10x,
plain and inside a recursion 1 000 deep, on the deterministic scheduler and
with --threads 2 and --threads 4; every shape at 100x once (the deep ones
alternate between --threads 2 and 4); 1000x for every shape (all beyond
the lexer's token limit: a clean compile error); and `snow check` of a
one-million-term `+` chain.  Under ASan (--asan) the 100x runs and the
million-term check are skipped (too slow there).
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402

SHAPES = ["list", "map", "lets", "plus", "concat", "pipe"]
MODES = {"det": [], "t2": ["--threads", "2"], "t4": ["--threads", "4"]}


def cases(asan):
    for shape in SHAPES:
        for factor in (1, 10):
            for deep in (False, True):
                for mode in MODES:
                    yield shape, factor, deep, mode, "run"
    if not asan:
        for i, shape in enumerate(SHAPES):
            yield shape, 100, False, "det", "run"
            yield shape, 100, True, "t2" if i % 2 else "t4", "run"
    for shape in SHAPES:
        yield shape, 1000, shape in ("plus", "list"), "det", "run"
    if not asan:
        yield "plus", 125, False, "det", "check"


def main():
    snow = sys.argv[1]
    asan = "--asan" in sys.argv[2:]
    passed = failed = 0
    outcomes = {}
    with tempfile.TemporaryDirectory() as tmp:
        for shape, factor, deep, mode, cmd in cases(asan):
            src, want = gen.program(shape, gen.BASE[shape] * factor, deep)
            path = os.path.join(tmp, f"{shape}_x{factor}{'_deep' if deep else ''}.snow")
            if not os.path.exists(path):
                with open(path, "w") as f:
                    f.write(src)
            name = f"{shape} x{factor}{' deep' if deep else ''} {mode} {cmd}"
            argv = [snow, cmd] + (MODES[mode] if cmd == "run" else []) + [path]
            try:
                r = subprocess.run(argv, capture_output=True, timeout=600)
            except subprocess.TimeoutExpired:
                failed += 1
                print(f"FAIL stress {name}: timeout")
                continue
            out = r.stdout.decode("utf-8", "replace")
            err = r.stderr.decode("utf-8", "replace")
            if cmd == "check" and r.returncode == 0:
                kind = "checked"
            elif cmd == "run" and r.returncode == 0 and out == want + "\n":
                kind = "ran"
            elif r.returncode == 1 and not out and "error" in err and "sanitizer" not in err.lower():
                kind = "compile error"
            elif r.returncode == 101 and "panic: stack overflow" in err and "sanitizer" not in err.lower():
                kind = "stack overflow"
            else:
                failed += 1
                how = f"signal {-r.returncode}" if r.returncode < 0 else f"exit {r.returncode}"
                print(f"FAIL stress {name}: {how}, stdout {out[:80]!r}, stderr {err[-300:]!r}")
                continue
            passed += 1
            outcomes[kind] = outcomes.get(kind, 0) + 1
            os.remove(path) if factor >= 100 else None
    print("stress outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items())))
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
