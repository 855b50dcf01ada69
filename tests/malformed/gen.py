#!/usr/bin/env python3
"""Generates the malformed-program corpus (tests/malformed/*.snow).

Every generated program must be rejected with a diagnostic and exit status 1
by `snow check` — never a crash, a hang or a sanitizer report
(scripts/run-tests, suite `malformed`).  Deterministic: re-running gives the
same files.  Categories: truncations at token boundaries of real programs,
random bytes, unbalanced do/end, bad escapes, huge literals, deep nesting,
type errors that once crashed or hung the type checker.
"""
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))

PROGRAMS = {
"bank": '''type Msg do
  Deposit(Int)
  Withdraw(Int)
  Balance(Pid)
end

actor account(balance :: Int) do
  receive do
    Deposit(n) -> account(balance + n)
    Withdraw(n) when n <= balance -> account(balance - n)
    Withdraw(_) -> account(balance)
    Balance(caller) -> send(caller, balance)
  end
end

fn main() do
  let acct = spawn(account, 100)
  send(acct, Deposit(50))
  println("sent ${[1, 2, 3] |> List.map(fn x -> x * 2 end)}")
end
''',
"shapes": '''struct Point do
  x :: Float
  y :: Float
end deriving(Eq, Display)

type Shape do
  Circle(Point, Float)
  Rect(Point, Point)
end

fn area(s :: Shape) -> Float do
  case s do
    Circle(_, r) -> 3.14 * r * r
    Rect(a, b) -> (b.x - a.x) * (b.y - a.y)
  end
end

fn main() do
  let shapes = [Circle(Point { x: 0.0, y: 0.0 }, 1.0), Rect(Point { x: 0.0, y: 0.0 }, Point { x: 2.0, y: 3.0 })]
  for s in shapes when area(s) > 1.0 do
    println("area ${area(s)}")
  end
end
''',
"service": '''service Counter do
  fn init(start :: Int) -> Int do
    start
  end

  call Get() :: Int do |n|
    (n, n)
  end

  cast Add(k :: Int) do |n|
    n + k
  end
end

fn parse(s :: String) -> Int!String do
  case String.to_int(s) do
    Some(n) -> Ok(n)
    None -> Err("bad: ${s}")
  end
end

fn main() do
  let c = Counter.start(0)
  Counter.add(c, 5)
  let v = parse("41")?
  println("${Counter.get(c) + v}")
end
''',
}


def tokens(text):
    """Token end offsets (a rough Snow tokenizer: enough for boundaries)."""
    pat = re.compile(r'"""(?:.|\n)*?"""|"(?:\\.|[^"\\])*"|[A-Za-z_][A-Za-z0-9_]*|\d+\.\d+|\d+|'
                     r'\|>|->|=>|::|\.\.|<>|\+\+|==|!=|<=|>=|&&|\|\||\S')
    return [m.end() for m in pat.finditer(text)]


def write(name, text):
    with open(os.path.join(HERE, name + ".snow"), "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(text)


def main():
    for f in os.listdir(HERE):
        if f.endswith(".snow"):
            os.remove(os.path.join(HERE, f))
    n = 0
    # 1. truncations (main is last, so every prefix is invalid)
    for pname, text in PROGRAMS.items():
        ends = tokens(text)
        step = max(1, len(ends) // 30)
        for k, e in enumerate(ends[:-1]):
            if k % step:
                continue
            write(f"trunc_{pname}_{k:03d}", text[:e] + "\n")
            n += 1
    # 2. random bytes
    rng = random.Random(1234)
    for k in range(20):
        size = rng.randint(1, 400)
        data = bytes(rng.randint(0, 255) for _ in range(size))
        with open(os.path.join(HERE, f"random_{k:02d}.snow"), "wb") as f:
            f.write(data)
        n += 1
    for k in range(10):
        alphabet = "fn do end ( ) [ ] { } %{ => -> |> :: , . .. case if else receive after let = \" ${ } # #= =# \n 1 x Y _".split(" ")
        text = " ".join(rng.choice(alphabet) for _ in range(rng.randint(5, 80)))
        write(f"random_tokens_{k:02d}", text)
        n += 1
    # 3. unbalanced do/end
    cases = {
        "extra_end": "fn main() do\n  println(\"x\")\nend\nend\n",
        "missing_end_if": "fn main() do\n  if true do\n    println(\"x\")\nend\n",
        "missing_end_case": "fn main() do\n  case 1 do\n    1 -> 2\n",
        "missing_end_struct": "struct P do\n  x :: Int\nfn main() do\n  println(\"x\")\nend\n",
        "else_without_if": "fn main() do\n  else\n  println(\"x\")\nend\n",
        "after_outside_receive": "fn main() do\n  after 10 -> 1\nend\n",
        "end_in_expression": "fn main() do\n  let x = end\nend\n",
        "do_without_header": "fn main() do\n  do\n    1\n  end\nend\n",
        "nested_missing_end": "fn main() do\n  for x in [1] do\n    while true do\n      if x do\n        1\n  end\nend\n",
        "actor_two_terminate": "actor a() do\n  terminate do\n    1\n  end\n  terminate do\n    2\n  end\nend\nfn main() do\n  spawn(a)\nend\n",
    }
    for name, text in cases.items():
        write("unbalanced_" + name, text)
        n += 1
    # 4. bad escapes and strings
    escapes = {
        "q": r'"\q"', "x": r'"\x41"', "u_empty": r'"\u{}"', "u_big": r'"\u{110000}"',
        "u_surrogate": r'"\u{D800}"', "u_unclosed": r'"\u{41"', "u_nobrace": r'"\u0041"',
        "trailing_backslash": '"abc\\', "unterminated": '"never closed', "unterminated_triple": '"""abc',
        "interp_unclosed": '"${1 + 2"', "interp_empty": '"${}"', "interp_nested_unclosed": '"${"${x"}"',
    }
    for name, lit in escapes.items():
        write("escape_" + name, f"fn main() do\n  println({lit})\nend\n")
        n += 1
    # 5. huge literals
    huge = {
        "int": "9223372036854775808", "int_long": "9" * 400, "hex": "0x1" + "0" * 40,
        "bin": "0b" + "1" * 70, "oct": "0o" + "7" * 30, "hex_empty": "0x", "float_long": "1" * 500 + ".5",
    }
    for name, lit in huge.items():
        write("huge_" + name, f"fn main() do\n  let x = {lit}\n  println(\"${{x}}\")\nend\n")
        n += 1
    write("huge_int_pattern", "fn f(9223372036854775808) = 1\nfn main() do\n  println(\"x\")\nend\n")
    n += 1
    # 6. deep nesting (10 000 levels)
    D = 10000
    deep = {
        "parens": "(" * D + "1" + ")" * D,
        "lists": "[" * D + "1" + "]" * D,
        "unary": "-" * D + "1",
        "not": "not " * D + "true",
        "ifs": "if true do " * D + "1" + " end" * D,
        "closures": "fn x -> " * D + "x" + " end" * D,
        "interp": '"${' * 300 + "1" + '}"' * 300,
        "maps": "%{1 => " * D + "2" + "}" * D,
        "tuples": "(1, " * D + "2" + ")" * D,
        "unclosed_parens": "(" * D,
    }
    for name, expr in deep.items():
        write("deep_" + name, f"fn main() do\n  let x = {expr}\n  println(\"${{x}}\")\nend\n")
        n += 1
    write("deep_patterns", "fn main() do\n  case 1 do\n    " + "Some(" * D + "x" + ")" * D + " -> 1\n  end\nend\n")
    write("deep_types", "fn f(x :: " + "List<" * D + "Int" + ">" * D + ") = x\nfn main() do\n  println(\"x\")\nend\n")
    n += 2
    # 7. misc
    misc = {
        "keyword_name": "fn main() do\n  let receive = 1\nend\n",
        "pub_let": "pub let x = 1\nfn main() do\n  println(\"x\")\nend\n",
        "pub_alias": "pub type A = Int\nfn main() do\n  println(\"x\")\nend\n",
        "glob_import": "from List import *\nfn main() do\n  println(\"x\")\nend\n",
        "brace_import": "from List import { map }\nfn main() do\n  println(\"x\")\nend\n",
        "assignment": "fn main() do\n  let x = 1\n  x = 2\nend\n",
        "no_main": "fn helper() do\n  1\nend\n",
        "main_with_params": "fn main(x) do\n  println(\"x\")\nend\n",
        "empty_file": "",
        "only_comment": "# nothing here\n",
        "unterminated_block_comment": "#= never closed\nfn main() do\nend\n",
        "nul_bytes": "fn main() do\n  println(\"a\0b\")\n\0\nend\n",
        "tab_and_cr": "fn main() do\r\n\tlet x = \r\nend\r\n",
        "invalid_utf8_ident": "fn m\xc3\x28in() do\nend\n",
        "lone_ampersand": "fn main() do\n  let x = true & false\nend\n",
        "unknown_char": "fn main() do\n  let x = 1 @ 2\nend\n",
        "struct_update_syntax": "struct P do\n  x :: Int\nend\nfn main() do\n  let p = P { x: 1 }\n  let q = P { p | x: 2 }\nend\n",
        "supervisor_bad_key": "supervisor S do\n  colour: red\nend\nfn main() do\n  spawn(S)\nend\n",
        "child_bad_key": "supervisor S do\n  child c do\n    begin: 1\n  end\nend\nfn main() do\n  spawn(S)\nend\n",
        "service_junk": "service S do\n  let x = 1\nend\nfn main() do\n  println(\"x\")\nend\n",
        "interp_in_pattern": "fn main() do\n  case \"a\" do\n    \"${x}\" -> 1\n    _ -> 2\n  end\nend\n",
        "tuple_field": "fn main() do\n  let t = (1, 2)\n  println(\"${t.0}\")\nend\n",
        "trailing_closure": "fn f(x) = x\nfn main() do\n  f(1) do\n    2\n  end\nend\n",
        "def_closure": "fn main() do\n  let f = def x -> x end\nend\n",
        "case_else": "fn main() do\n  case 1 do\n    1 -> 2\n  else\n    3\n  end\nend\n",
        "self_value_outside_method": "fn main() do\n  let x = self\nend\n",
        "terminate_outside_actor": "fn main() do\n  terminate do\n    1\n  end\nend\n",
        "generic_gt_eq": "fn f(x :: List<Int>= 1) = x\nfn main() do\nend\n",
    }
    for name, text in misc.items():
        with open(os.path.join(HERE, "misc_" + name + ".snow"), "wb") as f:
            f.write(text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text)
        n += 1
    # 8. type errors the type checker once mishandled
    typing = {
        # 65535 arguments: a function type of 65536 parts wrapped a 16-bit count
        "huge_arity_call": "fn g(h) = h(" + ",".join("1" for _ in range(65535)) + ")\n"
                           "fn main() do\n  let x :: String = 1\nend\n",
        # a recursive alias used to be expanded 64 levels deep, twice per level
        "alias_cycle": "type X = (X, X)\nfn main() do\n  let x :: X = 1\nend\n",
    }
    for name, text in typing.items():
        with open(os.path.join(HERE, "type_" + name + ".snow"), "w") as f:
            f.write(text)
        n += 1
    print(f"generated {n} programs")


if __name__ == "__main__":
    main()
