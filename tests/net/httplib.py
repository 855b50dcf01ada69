"""Helpers of the HTTP tests (tests/net/*.py): start a Snow server program,
learn its port from the `[snow-rt] ... listening on 0.0.0.0:PORT` line,
talk to it over raw sockets, and count checks."""
import atexit
import os
import re
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SNOW = os.path.abspath(os.environ.get("SNOW", os.path.join(ROOT, "snow")))
NET = os.path.join(ROOT, "tests", "net")
BOUND = 20.0  # a hang guard, never a measurement

MODES = [("det", []), ("threads2", ["--threads", "2"])]


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: %s %s" % (what, detail), flush=True)

    def eq(self, got, want, what):
        self.check(got == want, what, "\n  got:  %r\n  want: %r" % (got, want))

    def report(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        return 0 if self.failed == 0 else 1


_STARTED = []


@atexit.register
def _stop_all():
    """A test that dies halfway leaves no server behind."""
    for s in _STARTED:
        try:
            s.stop()
        except Exception:  # noqa: BLE001 (half-built: nothing to stop)
            pass


class Server:
    """A `snow run` of a program under tests/net; stderr is collected."""

    def __init__(self, prog, mode_args=(), args=(), env=None, events=None):
        _STARTED.append(self)
        cmd = [SNOW, "run"] + list(mode_args)
        if events:
            cmd += ["--events", events]
        cmd += [os.path.join(NET, prog), "--", "0"] + list(args)
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=NET,
                                     env=env, start_new_session=True)
        self.err = []
        self.port = None
        deadline = time.time() + BOUND
        while time.time() < deadline:
            line = self.proc.stderr.readline().decode("utf-8", "replace")
            if not line:
                break
            self.err.append(line)
            m = re.search(r"listening on 0\.0\.0\.0:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                break
        self.listening_line = self.err[-1] if self.err else ""
        self.reader = threading.Thread(target=self._drain, daemon=True)
        self.reader.start()

    def _drain(self):
        for line in self.proc.stderr:
            self.err.append(line.decode("utf-8", "replace"))

    def stderr(self):
        return "".join(self.err)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(BOUND)
        except subprocess.TimeoutExpired:
            pass
        self.reader.join(2)

    def connect(self, timeout=BOUND):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        s.settimeout(timeout)
        return s


def read_response(f, head_req=False):
    """One response from a socket file: (status line, headers dict with
    lower-case names, body bytes).  None at end of stream."""
    line = f.readline()
    if not line:
        return None
    status = line.decode("latin-1").rstrip("\r\n")
    headers = {}
    order = []
    while True:
        h = f.readline()
        if h in (b"\r\n", b"\n", b""):
            break
        k, _, v = h.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
        order.append(k.strip())
    code = int(status.split(" ")[1])
    body = b""
    if not head_req and code not in (204, 304) and not (100 <= code < 200):
        if "content-length" in headers:
            n = int(headers["content-length"])
            while len(body) < n:
                chunk = f.read(n - len(body))
                if not chunk:
                    break
                body += chunk
    headers["_order"] = order
    return status, headers, body


def exchange(port, raw, timeout=BOUND, nresp=1, head_req=False):
    """Send raw bytes on a new connection, read nresp responses (fewer if
    the server closes)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.settimeout(timeout)
    try:
        s.sendall(raw)
        f = s.makefile("rb")
        out = []
        for _ in range(nresp):
            try:
                r = read_response(f, head_req)
            except (ConnectionResetError, socket.timeout):
                r = None
            if r is None:
                break
            out.append(r)
        return out
    finally:
        s.close()


def get(port, path, extra=b""):
    rs = exchange(port, b"GET " + path.encode() + b" HTTP/1.1\r\nHost: t\r\n" + extra + b"Connection: close\r\n\r\n")
    return rs[0] if rs else None


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return -1
    return -1
