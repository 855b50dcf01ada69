#!/usr/bin/env python3
"""Doc-test runner for the Snow tutorials: the lessons can never drift from the language.

usage: tutorials/doctest.py [--snow PATH] [--verbose] [LESSON...]

LESSON is a lesson directory name or a prefix of one (`01`, `07-actors`); all lessons by
default. Every lesson is `tutorials/NN-topic/README.md` plus its `.snow` files. The
runner reads the Markdown and checks four kinds of fenced blocks:

  ```snow file=NAME.snow        the block must be exactly the content of NAME.snow
  ```snow file=NAME.snow excerpt
                                the block must appear, line for line, inside NAME.snow

  ```console                    every line that starts with `$ ` is a command; it runs
  $ snow run hello.snow         with bash in the lesson directory (`snow` is the binary
  Hello, World!                 under test) and its output, stdout and stderr together,
                                must be exactly the lines that follow, up to the next `$ `
                                line or the end of the block. A command that exits with a
                                status other than 0 ends with the line `[exit status N]`.

  ```repl                       a REPL transcript: lines that start with `snow> ` (or the
  snow> 1 + 2                   continuation prompt `  ... `) are fed to `snow repl` on
  3 :: Int                      stdin, the other lines are the expected output.

A command whose `snow` subcommand is not listed by `snow help` (the REPL and the tracing
debugger while they are being written) is skipped with a message, and runs as soon as the
command exists. On top of the blocks, each lesson is checked for completeness:

  - every example (`NN-topic/*.snow`) and every solution (`solutions/*.snow`) is run by
    some `$ snow ...` command of the lesson, so its output is shown and tested;
  - a folder with a `main.snow` is a project of several files (lesson 7): it counts as
    run when `snow run FOLDER` or `snow run FOLDER/main.snow` is, and each of its other
    files must be run by a command or imported by a file of the project. Snippets of
    its files are ```snow file=FOLDER/NAME.snow blocks;
  - every exercise `exercises/NAME.snow` (or project `exercises/NAME/`) has a solution
    `solutions/NAME.snow` (`solutions/NAME/`) and the other way round, and the exercise
    itself runs with exit status 0;
  - relative links in the lessons, the index and the top-level README lead to files that
    exist, and `snow help` points at the first lesson.

The last line is `N passed, N failed` (scripts/run-tests adds it to `make test`).
"""
import difflib
import os
import shutil
import re
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TIMEOUT = 120

PROMPTS = ("snow> ", "  ... ")


class Runner:
    def __init__(self, snow, verbose):
        self.snow = os.path.abspath(snow)
        self.verbose = verbose
        self.passed = 0
        self.failed = 0
        self.skipped = {}  # reason -> count
        self.bindir = tempfile.mkdtemp(prefix="snow-doctest-")
        os.symlink(self.snow, os.path.join(self.bindir, "snow"))
        self.commands = self.snow_commands()

    # ---- bookkeeping
    def ok(self, what):
        self.passed += 1
        if self.verbose:
            print(f"ok    {what}")

    def fail(self, what, detail=""):
        self.failed += 1
        print(f"FAIL  {what}")
        if detail:
            for line in detail.rstrip("\n").split("\n"):
                print(f"      {line}")

    def skip(self, what, reason):
        self.skipped[reason] = self.skipped.get(reason, 0) + 1
        if self.verbose:
            print(f"skip  {what}: {reason}")

    # ---- the binary under test
    def snow_commands(self):
        """The subcommands `snow help` lists (under `commands:`)."""
        r = subprocess.run([self.snow, "help"], capture_output=True, text=True, errors="replace")
        cmds, inside = set(), False
        for line in r.stdout.splitlines():
            if line.strip() == "commands:":
                inside = True
                continue
            if inside:
                m = re.match(r"^\s+([a-z][a-z-]*)\s", line + " ")
                if not m:
                    break
                cmds.add(m.group(1))
        self.help_text = r.stdout
        return cmds

    def env(self):
        env = dict(os.environ)
        env["PATH"] = self.bindir + os.pathsep + env.get("PATH", "")
        env["TERM"] = "dumb"
        env.pop("NO_COLOR", None)
        return env

    def shell(self, cmd, cwd, stdin_text=None):
        """Runs one command line; returns its combined output (plus the exit status line)."""
        try:
            r = subprocess.run(["bash", "-c", cmd], cwd=cwd, env=self.env(), timeout=TIMEOUT,
                               input=(stdin_text if stdin_text is not None else ""),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, errors="replace")
        except subprocess.TimeoutExpired:
            return None
        out = r.stdout
        if r.returncode != 0:
            if out and not out.endswith("\n"):
                out += "\n"
            out += f"[exit status {r.returncode}]\n"
        return out


def normalise(text):
    """Compare line by line, ignoring trailing spaces and trailing empty lines."""
    lines = [l.rstrip() for l in text.split("\n")]
    while lines and lines[-1] == "":
        lines.pop()
    return lines


def diff(want, got):
    d = difflib.unified_diff(want, got, "lesson", "actual", lineterm="", n=2)
    out = list(d)
    if len(out) > 60:
        out = out[:60] + [f"... ({len(out) - 60} more diff lines)"]
    return "\n".join(out)


FENCE = re.compile(r"^( *)(`{3,})(.*)$")


def fenced_blocks(path):
    """Yields (line_number, lang, attrs, body) for every fenced block of a Markdown file.
    A fence may be indented (inside a list item); the indentation is removed from the body."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = len(m.group(1)), m.group(2), m.group(3).strip()
        start = i + 1
        j = start
        while j < len(lines) and lines[j].strip() != fence:
            j += 1
        body = "\n".join(l[indent:] if l[:indent].strip() == "" else l for l in lines[start:j])
        words = shlex.split(info) if info else []
        lang = words[0] if words else ""
        attrs = {}
        for w in words[1:]:
            k, _, v = w.partition("=")
            attrs[k] = v if _ else True
        yield start, lang, attrs, body
        i = j + 1


LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def check_links(runner, md_path):
    with open(md_path, encoding="utf-8") as f:
        text = f.read()
    # links inside fenced blocks are program text, not links
    text = re.sub(r"^ *```.*?^ *```", "", text, flags=re.S | re.M)
    base = os.path.dirname(md_path)
    rel = os.path.relpath(md_path, ROOT)
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue
        path = target.split("#")[0]
        full = os.path.normpath(os.path.join(base, path))
        if os.path.exists(full):
            runner.ok(f"{rel}: link {target}")
        else:
            runner.fail(f"{rel}: broken link {target}", f"{full} does not exist")


def check_lesson(runner, lesson_dir):
    name = os.path.basename(lesson_dir)
    md = os.path.join(lesson_dir, "README.md")
    if not os.path.exists(md):
        runner.fail(f"{name}: no README.md")
        return
    ran = set()  # .snow files named by some command of this lesson
    # commands run in a scratch copy of the lesson, so files they write stay out of the tree;
    # it sits at the same depth as the lesson, beside the repository's scripts/ (lesson 16
    # runs ../../scripts/pg-test-server)
    scratch = tempfile.mkdtemp(prefix="snow-lesson-")
    work = os.path.join(scratch, "tutorials", name)
    shutil.copytree(lesson_dir, work)
    os.symlink(os.path.join(ROOT, "scripts"), os.path.join(scratch, "scripts"))
    for line, lang, attrs, body in fenced_blocks(md):
        where = f"{name}/README.md:{line}"
        if lang == "snow" and "file" in attrs:
            check_file_block(runner, lesson_dir, where, attrs, body)
        elif lang == "console":
            check_console(runner, work, where, body, ran)
        elif lang == "repl":
            check_repl(runner, work, where, body)
    # every example and every solution is run and its output shown; a project
    # (a folder with a main.snow) counts as run when its folder or its
    # main.snow is, and each of its other files must be run or imported
    wanted = programs(lesson_dir, "")
    sol_dir = os.path.join(lesson_dir, "solutions")
    ex_dir = os.path.join(lesson_dir, "exercises")
    sols = programs(lesson_dir, "solutions")
    exs = programs(lesson_dir, "exercises")
    wanted += ["solutions/" + f for f in sols]
    for f in wanted:
        if f in ran or (os.path.isdir(os.path.join(lesson_dir, f)) and f + "/main.snow" in ran):
            runner.ok(f"{name}: {f} is run in the lesson")
        else:
            runner.fail(f"{name}: {f} is never run in the lesson",
                        "show its output with a ```console block: $ snow run " + f)
    for f in wanted:  # (an exercise is unfinished: its modules may not be imported yet)
        if os.path.isdir(os.path.join(lesson_dir, f)):
            check_project_files(runner, name, lesson_dir, f, ran)
    for f in exs:
        if f not in sols:
            runner.fail(f"{name}: exercises/{f} has no solutions/{f}")
            continue
        out = runner.shell(f"snow run exercises/{f}", work)
        if out is not None and "[exit status" not in out:
            runner.ok(f"{name}: exercises/{f} runs")
        else:
            runner.fail(f"{name}: exercises/{f} does not run cleanly", out or "timeout")
    for f in sols:
        if f not in exs:
            runner.fail(f"{name}: solutions/{f} has no exercises/{f}")
    if not exs:
        runner.fail(f"{name}: the lesson has no exercises")
    check_links(runner, md)
    shutil.rmtree(scratch, ignore_errors=True)


def programs(lesson_dir, sub):
    """The programs of a lesson folder (or of its exercises/ or solutions/): every
    NAME.snow, and every folder NAME with a NAME/main.snow (a project)."""
    d = os.path.join(lesson_dir, sub)
    if not os.path.isdir(d):
        return []
    out = []
    for f in sorted(os.listdir(d)):
        full = os.path.join(d, f)
        if f.endswith(".snow") and os.path.isfile(full):
            out.append(f)
        elif f not in ("exercises", "solutions") and os.path.isfile(os.path.join(full, "main.snow")):
            out.append(f)
    return out


def module_name(rel):
    """The module a project file is (language.md §8): tools/shears.snow -> Tools.Shears."""
    parts = rel[:-len(".snow")].split("/")
    return ".".join("".join(w[:1].upper() + w[1:] for w in p.split("_") if w) for p in parts)


IMPORT = re.compile(r"^\s*(?:import|from)\s+([A-Z][A-Za-z0-9_.]*)", re.M)


def check_project_files(runner, name, lesson_dir, project, ran):
    """Every file of a project is either an entry file run by the lesson or a module
    that some file of the project imports."""
    root = os.path.join(lesson_dir, project)
    files = []
    for dirpath, _, names in os.walk(root):
        for f in names:
            if f.endswith(".snow"):
                files.append(os.path.relpath(os.path.join(dirpath, f), root))
    imported = set()
    for f in files:
        with open(os.path.join(root, f), encoding="utf-8") as fh:
            imported.update(IMPORT.findall(fh.read()))
    for f in sorted(files):
        path = os.path.normpath(os.path.join(project, f))
        if f == "main.snow" or path in ran or module_name(f) in imported:
            runner.ok(f"{name}: {path} is run or imported")
        else:
            runner.fail(f"{name}: {path} is neither run by the lesson nor imported by its project")


def check_file_block(runner, lesson_dir, where, attrs, body):
    path = os.path.join(lesson_dir, attrs["file"])
    what = f"{where}: {attrs['file']}"
    if not os.path.exists(path):
        runner.fail(what, "the file does not exist")
        return
    with open(path, encoding="utf-8") as f:
        content = f.read()
    want = normalise(body)
    have = normalise(content)
    if "excerpt" in attrs:
        n = len(want)
        found = any(have[i:i + n] == want for i in range(len(have) - n + 1)) if n else False
        if found:
            runner.ok(what + " (excerpt)")
        else:
            runner.fail(what + " (excerpt)", "the snippet is not a part of the file")
    elif want == have:
        runner.ok(what)
    else:
        runner.fail(what, "the snippet differs from the file:\n" + diff(want, have))


def check_console(runner, lesson_dir, where, body, ran):
    lines = body.split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].startswith("$ "):
            i += 1
            continue
        cmd = lines[i][2:]
        j = i + 1
        while j < len(lines) and not lines[j].startswith("$ "):
            j += 1
        want = normalise("\n".join(lines[i + 1:j]))
        what = f"{where}: $ {cmd}"
        words = command_words(cmd)
        for w in words:
            if w.endswith(".snow") or os.path.isdir(os.path.join(lesson_dir, w)):
                ran.add(os.path.normpath(w))
        if words and words[0] == "snow" and len(words) > 1 and words[1] not in runner.commands \
                and not words[1].startswith("-"):
            runner.skip(what, f"`snow {words[1]}` is not listed by `snow help` yet")
        else:
            out = runner.shell(cmd, lesson_dir)
            if out is None:
                runner.fail(what, f"timeout after {TIMEOUT} s")
            elif normalise(out) == want:
                runner.ok(what)
            else:
                runner.fail(what, diff(want, normalise(out)))
        i = j


def command_words(cmd):
    """The words of the first command of a shell line (up to a pipe or a redirection)."""
    lex = shlex.shlex(cmd, posix=True, punctuation_chars=True)
    lex.whitespace_split = True
    words = []
    for tok in lex:
        if tok and all(c in "|&;<>()" for c in tok):
            break
        words.append(tok)
    return words


def strip_prompts(line):
    changed = True
    while changed:
        changed = False
        for p in PROMPTS + tuple(q.rstrip() for q in PROMPTS):
            if line.startswith(p):
                line = line[len(p):]
                changed = True
    return line


def check_repl(runner, lesson_dir, where, body):
    what = f"{where}: REPL transcript"
    if "repl" not in runner.commands:
        runner.skip(what, "`snow repl` is not listed by `snow help` yet")
        return
    inputs, want = [], []
    for line in body.split("\n"):
        if line.startswith(PROMPTS):
            inputs.append(strip_prompts(line))
        else:
            want.append(line)
    out = runner.shell("snow repl", lesson_dir, stdin_text="\n".join(inputs) + "\n")
    if out is None:
        runner.fail(what, f"timeout after {TIMEOUT} s")
        return
    got = normalise("\n".join(strip_prompts(l) for l in out.split("\n")))
    if got == normalise("\n".join(want)):
        runner.ok(what)
    else:
        runner.fail(what, diff(normalise("\n".join(want)), got))


def check_entry_points(runner):
    """The way in: README -> tutorials/01-hello, the index, and `snow help`."""
    first = "tutorials/01-hello/README.md"
    if os.path.exists(os.path.join(ROOT, first)):
        runner.ok(f"{first} exists")
    else:
        runner.fail(f"{first} does not exist")
    if first in runner.help_text:
        runner.ok("`snow help` points at the tutorials")
    else:
        runner.fail("`snow help` does not mention " + first)
    for md in ("README.md", "tutorials/README.md"):
        path = os.path.join(ROOT, md)
        if not os.path.exists(path):
            runner.fail(f"{md} does not exist")
            continue
        check_links(runner, path)
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        if first in f.read():
            runner.ok("README.md points at the first lesson")
        else:
            runner.fail("README.md does not point at " + first)


def main():
    args = sys.argv[1:]
    snow = os.path.join(ROOT, "snow")
    verbose = False
    only = []
    while args:
        a = args.pop(0)
        if a == "--snow":
            snow = args.pop(0)
        elif a in ("-v", "--verbose"):
            verbose = True
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            only.append(a)
    if not os.path.exists(snow):
        print(f"doctest: {snow} not found (build it with `make`)")
        print("0 passed, 1 failed")
        return 1
    runner = Runner(snow, verbose)
    lessons = sorted(d for d in os.listdir(HERE)
                     if re.match(r"^\d\d-", d) and os.path.isdir(os.path.join(HERE, d)))
    if only:
        lessons = [d for d in lessons if any(d.startswith(o) for o in only)]
    else:
        check_entry_points(runner)
    for d in lessons:
        check_lesson(runner, os.path.join(HERE, d))
    shutil.rmtree(runner.bindir, ignore_errors=True)
    for reason, n in sorted(runner.skipped.items()):
        print(f"skipped {n} check{'s' if n != 1 else ''}: {reason}")
    print(f"{runner.passed} passed, {runner.failed} failed")
    return 1 if runner.failed else 0


if __name__ == "__main__":
    sys.exit(main())
