#!/usr/bin/env python3
"""Crash isolation under load (issue 18): `wrk -t2 -c100 -d10s` against
tests/net/load_app.snow, where one request in ten goes to a route that
panics, under the deterministic scheduler and with --threads 2.

Checks (tests/net/load.lua counts per response): every completed request is
a correct 200 (`ok:N:N`) or the crash route's 500; wrk saw no connect, read,
write or timeout error; requests sent but not completed are at most the 100
in flight when wrk stopped; one panic report per crash on stderr; the
number of live processes returns to its baseline afterwards.  No timing is
asserted (wrk's rate is printed for information only).
Prints `N passed, N failed`."""
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httplib import MODES, NET, Checks, Server, get  # noqa: E402

C = Checks()
CONNS = 100


def count(port):
    r = get(port, "/count")
    return int(r[2]) if r and r[0] == "HTTP/1.1 200 OK" else None


def load(mode, margs):
    m = "[%s] " % mode
    s = Server("load_app.snow", margs)
    if not s.port:
        C.check(False, m + "load server", s.stderr())
        s.stop()
        return
    base = count(s.port)
    C.check(base is not None and base > 0, m + "process count before", str(base))
    r = subprocess.run(["wrk", "-t2", "-c%d" % CONNS, "-d10s", "-s", os.path.join(NET, "load.lua"),
                        "http://127.0.0.1:%d/" % s.port], capture_output=True, timeout=60)
    out = r.stdout.decode()
    res = re.search(r"^RESULT (.*)$", out, re.M)
    C.check(r.returncode == 0 and res is not None, m + "wrk ran", out + r.stderr.decode())
    if res:
        v = {k: int(x) for k, x in (kv.split("=") for kv in res.group(1).split())}
        rate = re.search(r"Requests/sec:\s*([\d.]+)", out)
        print("%swrk: %d requests (%s/s), %d crashed" % (m, v["requests"], rate.group(1) if rate else "?", v["s500"]))
        C.check(v["requests"] > 1000, m + "a real load (over 1000 requests)", str(v))
        C.eq((v["bad"], v["other"]), (0, 0), m + "every 200 is intact, no other status")
        C.eq(v["ok"] + v["s500"], v["requests"], m + "every completed request is a 200 or the crash's 500")
        C.eq((v["connect"], v["read"], v["write"], v["timeout"]), (0, 0, 0, 0), m + "no socket error or timeout")
        C.check(0 <= v["sent_ok"] - v["ok"] <= CONNS and 0 <= v["sent_crash"] - v["s500"] <= CONNS,
                m + "no response lost (only those in flight at the stop are missing)", str(v))
        C.check(v["s500"] * 10 >= v["requests"] * 0.8, m + "one in ten crashed", str(v))
        time.sleep(0.5)
        C.check(s.stderr().count("crash route /crash/") >= v["s500"], m + "a panic report per crash")
    # the connection processes are gone again
    after = None
    deadline = time.time() + 15
    while time.time() < deadline:
        after = count(s.port)
        if after == base:
            break
        time.sleep(0.2)
    C.eq(after, base, m + "process count back to the baseline")
    C.check(s.alive(), m + "server alive after the load")
    s.stop()


def main():
    for mode, margs in MODES:
        load(mode, margs)
    return C.report()


if __name__ == "__main__":
    sys.exit(main())
