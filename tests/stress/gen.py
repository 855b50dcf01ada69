#!/usr/bin/env python3
"""Generates the stress corpus of issue 14: large literals and long operator
chains that once overflowed the evaluator's C stack.

usage: gen.py OUTDIR SHAPE FACTOR [--deep]

Writes OUTDIR/SHAPE_xFACTOR[_deep].snow and prints its path.  The program
prints one line, the expected result (see EXPECT).  --deep evaluates the
shape inside a non-tail recursion 1 000 calls deep.

Base sizes (FACTOR 1) are the sizes at which the issue saw SIGSEGV:
list literal 16 500 elements, map literal 8 300 entries, 16 500 `let`s in
one function, a `+` chain of 8 000 terms, `<>` of 5 000, `|>` of 5 500.
"""
import os
import sys

BASE = {"list": 16500, "map": 8300, "lets": 16500, "plus": 8000, "concat": 5000, "pipe": 5500}


def body(shape, n):
    """(definitions, expression of the work function's body, expected output)"""
    if shape == "list":
        items = ", ".join(str(i % 10) for i in range(n))
        return "", f"List.length([{items}])", str(n)
    if shape == "map":
        items = ", ".join(f"{i} => {i % 10}" for i in range(n))
        return "", f"Map.size(%{{{items}}})", str(n)
    if shape == "lets":
        lines = ["  let v0 = x"] + [f"  let v{i} = v{i - 1} + 1" for i in range(1, n)]
        return "", "\n".join(lines) + f"\n  v{n - 1}", str(n)
    if shape == "plus":
        return "", "x" + " + 1" * (n - 1), str(n)
    if shape == "concat":
        return "", 'String.length("a"' + ' <> "a"' * (n - 1) + ")", str(n)
    if shape == "pipe":
        return "fn inc(v :: Int) -> Int do\n  v + 1\nend\n\n", "x" + " |> inc" * (n - 1), str(n)
    raise SystemExit(f"unknown shape {shape}")


def program(shape, n, deep):
    defs, expr, want = body(shape, n)
    src = defs
    src += "fn work(x :: Int) -> Int do\n"
    src += (expr if "\n" in expr else "  " + expr) + "\nend\n\n"
    if deep:
        src += ("fn rec(d :: Int, x :: Int) -> Int do\n"
                "  if d == 0 do\n    work(x)\n  else\n    rec(d - 1, x) + 0\n  end\nend\n\n"
                "fn main() do\n  println(\"${rec(1000, 1)}\")\nend\n")
    else:
        src += "fn main() do\n  println(\"${work(1)}\")\nend\n"
    return src, want


def main():
    args = [a for a in sys.argv[1:] if a != "--deep"]
    deep = "--deep" in sys.argv[1:]
    out, shape, factor = args[0], args[1], int(args[2])
    n = BASE[shape] * factor
    src, want = program(shape, n, deep)
    path = os.path.join(out, f"{shape}_x{factor}{'_deep' if deep else ''}.snow")
    with open(path, "w") as f:
        f.write(src)
    with open(path[:-5] + ".expect", "w") as f:
        f.write(want + "\n")
    print(path)


if __name__ == "__main__":
    main()
