#!/usr/bin/env python3
"""The editor files know every keyword of the lexer, and only those.

The lexer's keywords are the kw_text table of front/lex.c.  The Vim syntax
file must list each of them in exactly one `syn keyword` line (the contained
snowTodo group is not a language keyword), and the TextMate grammar's
`keywords` patterns must list each exactly once.  Prints `N passed, N failed`."""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL keywords: {what}")


src = open(os.path.join(ROOT, "front", "lex.c")).read()
m = re.search(r"kw_text\[\]\s*=\s*\{(.*?)\};", src, re.S)
lexer = re.findall(r'"([a-z_]+)"', m.group(1)) if m else []
check(len(lexer) >= 40, f"found the lexer's keyword table ({len(lexer)} keywords)")
lexer_set = set(lexer)


def compare(name, words):
    dup = sorted({w for w in words if words.count(w) > 1})
    check(not dup, f"{name}: listed more than once: {dup}")
    missing = sorted(lexer_set - set(words))
    check(not missing, f"{name}: lexer keywords missing: {missing}")
    extra = sorted(set(words) - lexer_set)
    check(not extra, f"{name}: not lexer keywords: {extra}")


vim_words = []
for line in open(os.path.join(ROOT, "editors", "vim", "syntax", "snow.vim")):
    f = line.split()
    if len(f) >= 3 and f[0] in ("syn", "syntax") and f[1] == "keyword" and f[2] != "snowTodo":
        vim_words += [w for w in f[3:] if not w.startswith("contained")]
compare("editors/vim/syntax/snow.vim", vim_words)

g = json.load(open(os.path.join(ROOT, "editors", "vscode", "syntaxes", "snow.tmLanguage.json")))
tm_words = []
for p in g["repository"]["keywords"]["patterns"]:
    mm = re.fullmatch(r"\\b\(\?:([a-z_|]+)\)\\b", p["match"])
    check(mm is not None, f"tmLanguage keyword pattern has the form \\b(?:a|b)\\b: {p['match']}")
    if mm:
        tm_words += mm.group(1).split("|")
compare("editors/vscode/syntaxes/snow.tmLanguage.json", tm_words)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
