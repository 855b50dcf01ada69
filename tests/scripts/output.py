#!/usr/bin/env python3
"""Output is never lost (issue 14 item 4; runtime/output.h), with the
deterministic scheduler and with --threads 2:

- SIGINT / SIGTERM / SIGHUP: stdout is flushed (whole lines only) and the
  program exits with 130 / 143 / 129 (an exit status, not a death by the
  signal), also while a process computes without end;
- while the program runs, output reaches the file: when every process waits
  (idle), when a process waits for input after a prompt, and while another
  process computes without end (the output thread flushes pending output);
- on a terminal (a pty) lines arrive while the program runs;
- a write error on stdout, stderr or the --events file (/dev/full) prints one
  message and exits 74, also in the middle of a run.

Every wait has a generous bound (5 s) that only catches a hang; nothing here
measures time.  Prints `N passed, N failed`."""
import os
import pty
import select
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SNOW = os.path.abspath(os.environ.get("SNOW", os.path.join(ROOT, "snow")))
DIR = os.path.join(ROOT, "tests", "scripts", "output")
BOUND = 5.0
MODES = [("det", []), ("threads", ["--threads", "2"])]

passed = failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL output: " + what)


def start(prog, args, stdout, stdin=subprocess.DEVNULL, stderr=subprocess.PIPE):
    return subprocess.Popen([SNOW, "run"] + args + [os.path.join(DIR, prog)], stdin=stdin, stdout=stdout,
                            stderr=stderr)


def wait_for(cond):
    end = time.monotonic() + BOUND
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.01)
    return cond()


def read(path):
    with open(path, "rb") as f:
        return f.read()


def stop(p):
    if p.poll() is None:
        p.kill()
    try:
        p.communicate(timeout=BOUND)
    except subprocess.TimeoutExpired:
        pass


def signals(tmp):
    for name, sig, status in (("INT", signal.SIGINT, 130), ("TERM", signal.SIGTERM, 143), ("HUP", signal.SIGHUP, 129)):
        for mode, args in MODES:
            tag = f"SIG{name} {mode}"
            # a process printing without end: the file ends with a whole line, no line is missing
            out = os.path.join(tmp, "chatter.out")
            with open(out, "wb") as f:
                p = start("chatter.snow", args, f)
            seen = wait_for(lambda: os.path.getsize(out) > 0)
            p.send_signal(sig)
            try:
                p.communicate(timeout=BOUND)
            except subprocess.TimeoutExpired:
                pass
            data = read(out)
            lines = data.split(b"\n")
            check(seen and p.returncode == status, f"{tag} chatter: exit {p.returncode}, expected {status}")
            check(data.endswith(b"\n") and lines[:-1] == [b"line %d" % i for i in range(1, len(lines))],
                  f"{tag} chatter: output is not whole consecutive lines ({len(data)} bytes, ends {data[-20:]!r})")
            stop(p)
            # the case: a few lines, then computing for ever; the signal comes at once
            out = os.path.join(tmp, "quiet.out")
            with open(out, "wb") as f:
                p = start("quiet_spin.snow", args, f)
            time.sleep(0.3)
            p.send_signal(sig)
            try:
                p.communicate(timeout=BOUND)
            except subprocess.TimeoutExpired:
                pass
            data = read(out)
            check(p.returncode == status, f"{tag} quiet_spin: exit {p.returncode}, expected {status}")
            check(sorted(data.splitlines()) == [b"one", b"three", b"two", b"waiter waits"],
                  f"{tag} quiet_spin: output {data!r}")
            stop(p)


def while_running(tmp):
    for mode, args in MODES:
        out = os.path.join(tmp, "run.out")
        # output thread: one process computes, the other waits in a receive
        with open(out, "wb") as f:
            p = start("quiet_spin.snow", args, f)
        want = [b"one", b"three", b"two", b"waiter waits"]
        ok = wait_for(lambda: sorted(read(out).splitlines()) == want)
        check(ok and p.poll() is None, f"{mode} quiet_spin: not flushed while running: {read(out)!r}")
        stop(p)
        # idle: every process waits
        with open(out, "wb") as f:
            p = start("idle.snow", args, f)
        ok = wait_for(lambda: read(out) == b"start\nw waits\n")
        check(ok and p.poll() is None, f"{mode} idle: not flushed while waiting: {read(out)!r}")
        stop(p)
        # a prompt, then a wait for input, while another process computes
        with open(out, "wb") as f:
            p = start("prompt.snow", args, f, stdin=subprocess.PIPE)
        ok = wait_for(lambda: read(out) == b"name? ")
        check(ok and p.poll() is None, f"{mode} prompt: not flushed before the wait for input: {read(out)!r}")
        stop(p)


def terminal():
    for mode, args in MODES:
        master, slave = pty.openpty()
        p = start("quiet_spin.snow", args, slave)
        os.close(slave)
        got = b""
        end = time.monotonic() + BOUND
        while time.monotonic() < end and got.count(b"\n") < 4:
            try:
                r, _, _ = select.select([master], [], [], 0.05)
                if r:
                    got += os.read(master, 4096)
            except OSError:
                break
        check(sorted(got.replace(b"\r", b"").splitlines()) == [b"one", b"three", b"two", b"waiter waits"] and
              p.poll() is None, f"{mode} terminal: lines did not arrive while running: {got!r}")
        stop(p)
        os.close(master)


def full_device(tmp):
    for mode, args in MODES:
        with open("/dev/full", "wb") as full:
            r = subprocess.run([SNOW, "run"] + args + [os.path.join(DIR, "both.snow")], stdout=full,
                               stderr=subprocess.PIPE, timeout=BOUND * 2)
        err = r.stderr.decode()
        check(r.returncode == 74 and err.count("snow: cannot write to standard output: No space left on device") == 1,
              f"{mode} stdout > /dev/full: exit {r.returncode}, stderr {err!r}")
        with open("/dev/full", "wb") as full:
            r = subprocess.run([SNOW, "run"] + args + [os.path.join(DIR, "both.snow")], stdout=subprocess.PIPE,
                               stderr=full, timeout=BOUND * 2)
        check(r.returncode == 74 and r.stdout == b"to stdout\n",
              f"{mode} stderr > /dev/full: exit {r.returncode}, stdout {r.stdout!r}")
        r = subprocess.run([SNOW, "run"] + args + ["--events", "/dev/full", os.path.join(DIR, "both.snow")],
                           capture_output=True, timeout=BOUND * 2)
        err = r.stderr.decode()
        check(r.returncode == 74 and r.stdout == b"to stdout\ndone\n" and
              err.count("snow: cannot write the event file /dev/full: No space left on device") == 1,
              f"{mode} --events /dev/full: exit {r.returncode}, stdout {r.stdout!r}, stderr {err!r}")
        # in the middle of a run that would never end
        with open("/dev/full", "wb") as full:
            try:
                r = subprocess.run([SNOW, "run"] + args + [os.path.join(DIR, "chatter.snow")], stdout=full,
                                   stderr=subprocess.PIPE, timeout=BOUND)
                check(r.returncode == 74 and b"cannot write to standard output" in r.stderr,
                      f"{mode} chatter > /dev/full: exit {r.returncode}")
            except subprocess.TimeoutExpired:
                check(False, f"{mode} chatter > /dev/full: still running after {BOUND} s")
        # and a normal run is unaffected
        r = subprocess.run([SNOW, "run"] + args + [os.path.join(DIR, "both.snow")], capture_output=True,
                           timeout=BOUND * 2)
        check(r.returncode == 0 and r.stdout == b"to stdout\ndone\n" and r.stderr == b"to stderr\n",
              f"{mode} normal run: exit {r.returncode}, {r.stdout!r} {r.stderr!r}")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        signals(tmp)
        while_running(tmp)
        terminal()
        full_device(tmp)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
