#!/usr/bin/env python3
"""Checks that a man page says what `snow help` says: every paragraph, row
(option, exit status, environment variable, example) and usage line of the
help text must appear, word for word, in the page as `man -l` renders it.

usage: help_vs_man.py HELP_TEXT_FILE RENDERED_MAN_FILE
Prints each missing chunk; exit 1 if there is one."""
import re
import sys


def norm(s):
    s = s.replace("`", "").replace("\u2010", "-").replace("\u2212", "-").replace("\u2019", "'")
    return " ".join(s.split())


def chunks(text):
    """Paragraphs and rows of the help text.  A row starts with two spaces
    and a non-space; its continuation lines are indented further."""
    out, cur = [], []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if i == 0 and line.startswith("snow ") and "\u2014" in line:
            continue  # the overview's title line: `snow 0.1.0 — ...`
        if line.startswith("usage: "):
            if line.startswith("usage: snow <command>"):
                continue  # the overview's generic usage line
            line = line[len("usage: "):]
        if re.fullmatch(r"[a-z ]+:", line) or line.startswith("Run `snow help"):
            line = ""  # section headings and the pointer to more help
        starts_row = re.match(r"^  \S", line) is not None
        if not line.strip() or starts_row:
            if cur:
                out.append(norm(" ".join(cur)))
            cur = []
        if line.strip():
            cur.append(line)
    if cur:
        out.append(norm(" ".join(cur)))
    return [c for c in out if c]


def main():
    help_text = open(sys.argv[1], encoding="utf-8").read()
    man_text = norm(open(sys.argv[2], encoding="utf-8").read())
    missing = [c for c in chunks(help_text) if c not in man_text]
    for c in missing:
        print(f"  not in the man page: {c!r}")
    n = len(chunks(help_text))
    if n < 3:
        print(f"  too few chunks in the help text ({n})")
        return 1
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
