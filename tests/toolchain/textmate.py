#!/usr/bin/env python3
"""Tokenizes Snow with the TextMate grammar and checks the scopes of chosen
tokens.  A small TextMate engine: `match` rules with captures, `begin`/`end`
rules with nested patterns, `include` of #repository entries and $self; the
grammar's regexes use only what Python's `re` shares with Oniguruma.
Prints `N passed, N failed`."""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
G = json.load(open(os.path.join(ROOT, "editors", "vscode", "syntaxes", "snow.tmLanguage.json")))
REPO = G["repository"]


def expand(patterns):
    out = []
    for p in patterns:
        inc = p.get("include")
        if inc == "$self":
            out += expand(G["patterns"])
        elif inc:
            r = REPO[inc[1:]]
            out += expand(r["patterns"]) if "patterns" in r and "begin" not in r and "match" not in r else [r]
        else:
            out.append(p)
    return out


_cache = {}


def rx(s):
    if s not in _cache:
        _cache[s] = re.compile(s)
    return _cache[s]


def tokenize(text):
    """[(token text, [scopes])] for the whole text."""
    toks = []
    stack = []  # (rule, end regex)
    for line in text.split("\n"):
        pos = 0
        while pos <= len(line):
            rules = expand(stack[-1][0].get("patterns", [])) if stack else expand(G["patterns"])
            best = None
            for r in rules:
                m = rx(r.get("match") or r["begin"]).search(line, pos)
                if m and (best is None or m.start() < best[1].start()):
                    best = (r, m)
            end = rx(stack[-1][0]["end"]).search(line, pos) if stack else None
            scopes = [r.get("name") for r, _ in stack if r.get("name")]
            if end and (best is None or end.start() <= best[1].start()):
                if end.start() > pos:
                    toks.append((line[pos:end.start()], scopes))
                toks.append((end.group(0), scopes))
                stack.pop()
                pos = end.end()
                continue
            if best is None:
                if pos < len(line):
                    toks.append((line[pos:], scopes))
                break
            r, m = best
            if m.start() > pos:
                toks.append((line[pos:m.start()], scopes))
            if "match" in r:
                caps = r.get("captures", {})
                if caps:
                    for i in range(1, (m.lastindex or 0) + 1):
                        if m.group(i) is not None and str(i) in caps:
                            toks.append((m.group(i), scopes + [r.get("name"), caps[str(i)]["name"]]))
                else:
                    toks.append((m.group(0), scopes + [r.get("name")]))
                pos = max(m.end(), pos + 1)
            else:
                stack.append((r, None))
                toks.append((m.group(0), scopes + [r.get("name")]))
                pos = m.end()
    return [(t, [s for s in sc if s]) for t, sc in toks if t.strip()]


SAMPLE = '''# a line comment
#= outer #= inner =# still =#
fn main() do
  let n = 0x1F + 1_000
  let s = "sum ${n + 2} done\\n"
  receive do
    Some(x) -> x |> double
  end
  if true do nil else self end
end
'''

EXPECT = [  # (token, occurrence, expected innermost scope prefix)
    ("# a line comment", 0, "comment.line"),
    ("still", 0, "comment.block"),
    ("fn", 0, "storage.type"),
    ("main", 0, "entity.name.function"),
    ("let", 0, "keyword.other"),
    ("0x1F", 0, "constant.numeric.hex"),
    ("1_000", 0, "constant.numeric.integer"),
    ("sum", 0, "string.quoted.double"),
    ("n", 1, "meta.embedded"),  # inside ${...}: code, which themes show as code
    ("+", 1, "keyword.operator"),
    ("2", 0, "constant.numeric.integer"),
    ("\\n", 0, "constant.character.escape"),
    ("receive", 0, "keyword.control.concurrency"),
    ("Some", 0, "entity.name.type"),
    ("|>", 0, "keyword.operator"),
    ("true", 0, "constant.language.boolean"),
    ("nil", 0, "constant.language.nil"),
    ("self", 0, "variable.language"),
    ("end", 2, "keyword.other"),
]

passed = failed = 0
toks = tokenize(SAMPLE)
for text, nth, want in EXPECT:
    found = [sc for t, sc in toks if t.strip() == text]
    if len(found) <= nth:
        failed += 1
        print(f"FAIL textmate: token {text!r} #{nth} not found; tokens: {[t for t, _ in toks]}")
        continue
    sc = found[nth]
    if want.startswith("!"):
        ok = not any(s.startswith(want[1:]) for s in sc)
    else:
        ok = bool(sc) and sc[-1].startswith(want)
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL textmate: {text!r} #{nth} has scopes {sc}, want {want}")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
