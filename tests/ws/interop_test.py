#!/usr/bin/env python3
"""Interoperability with real clients (issue 19): Python's `websockets`
(Debian python3-websockets) and Node's `ws` (Debian node-ws) connect to
tests/ws/app.snow over loopback, plain and TLS (HTTP.on_ws on HTTP and
HTTPS, and Ws.serve / Ws.serve_tls), under the deterministic scheduler and
with --threads 2.  Each exchanges text and binary messages of 0, 125, 126,
65 535, 65 536 and 16 MiB bytes, whole and fragmented, with pings
interleaved, joins rooms and receives broadcasts.
Prints `N passed, N failed`."""
import asyncio
import os
import shutil
import ssl
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wslib import BOUND, HERE, MODES, Checks, make_cert, start  # noqa: E402

import websockets  # noqa: E402

C = Checks()
TMP = tempfile.mkdtemp(prefix="snow-ws-interop-")
SIZES = [0, 125, 126, 65535, 65536, 16 << 20]
NODE = shutil.which("node")


def payload(n, binary):
    if binary:
        return bytes((i * 7) & 0xFF for i in range(n)) if n < 70000 else bytes(range(256)) * (n // 256)
    return ("abcdefghijklmnopqrstuvwxyz" * (n // 26 + 1))[:n]


async def fragments(data, ws):
    """The message in four fragments, a ping after the first."""
    step = max(1, -(-len(data) // 4))
    for i, at in enumerate(range(0, max(len(data), 1), step)):
        yield data[at:at + step]
        if i == 0:
            await ws.ping(b"mid")


async def python_client(base, tag, ssl_ctx, routes):
    """routes: an HTTP.on_ws server (/echo for text, /bin for binary); else
    Ws.serve, which echoes everything as text."""
    kw = {"max_size": None, "ssl": ssl_ctx, "open_timeout": BOUND, "ping_interval": None}
    for binary in ((False, True) if routes else (False,)):
        kind = "binary" if binary else "text"
        async with websockets.connect(base + ("/bin" if binary else "/echo"), **kw) as ws:
            for n in SIZES:
                for frag in (False, True):
                    data = payload(n, binary)
                    pong = await ws.ping(b"before")
                    if frag and n:
                        await ws.send(fragments(data, ws))
                    else:
                        await ws.send(data)
                    got = await asyncio.wait_for(ws.recv(), BOUND)
                    await asyncio.wait_for(pong, BOUND)
                    C.check(got == data, "%s python %s %d %s" % (tag, kind, n, "fragmented" if frag else "whole"),
                            "got %s of %d" % (type(got).__name__, len(got)))
            await ws.close()
            C.eq(ws.close_code, 1000, "%s python %s close" % (tag, kind))
    async with websockets.connect(base + "/echo", **kw) as a, websockets.connect(base + "/echo", **kw) as b:
        for ws in (a, b):
            await ws.send("join:py-room")
            C.eq(await ws.recv(), "joined", tag + " python join")
        await a.send("say:py-room:hi from python")
        C.eq(sorted([await a.recv(), await a.recv()]), ["hi from python", "said 0"], tag + " python broadcast, sender")
        C.eq(await b.recv(), "hi from python", tag + " python broadcast, other member")
        await b.send("others:py-room:psst")
        C.eq((await a.recv(), await b.recv()), ("psst", "told 0"), tag + " python broadcast_except")


def node_client(base, tag):
    if not NODE:
        C.check(False, tag + " node is installed (scripts/install-deps test)")
        return
    env = dict(os.environ, NODE_PATH="/usr/share/nodejs:/usr/lib/nodejs")
    r = subprocess.run([NODE, os.path.join(HERE, "node_client.js"), base], capture_output=True, timeout=BOUND * 6,
                       env=env)
    lines = [ln for ln in r.stdout.decode().splitlines() if ln.startswith(("ok ", "FAIL "))]
    C.check(len(lines) >= 30, tag + " node client ran", r.stdout.decode()[-800:] + r.stderr.decode()[-800:])
    for ln in lines:
        C.check(ln.startswith("ok "), "%s node %s" % (tag, ln[3:] if ln.startswith("ok ") else ln[5:]))



def main():
    cert, key = make_cert(TMP, C)
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        for mode, margs in MODES:
            for kind, scheme, extra in (("http", "ws", []), ("https", "wss", [cert, key]), ("ws", "ws", []),
                                        ("wss", "wss", [cert, key])):
                tag = "[%s %s]" % (mode, kind)
                s = start(kind, margs, extra=extra)
                if not s.port:
                    C.check(False, tag + " server starts", s.stderr())
                    continue
                base = "%s://127.0.0.1:%d" % (scheme, s.port)
                try:
                    asyncio.run(python_client(base, tag, ctx if scheme == "wss" else None,
                                              kind in ("http", "https")))
                except Exception as e:  # noqa: BLE001
                    C.check(False, tag + " python client", repr(e))
                if kind in ("http", "https"):  # one node run per mode and transport
                    node_client(base, tag)
                C.check(s.alive(), tag + " server still running", s.stderr()[-1000:])
                s.stop()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    return C.report()


if __name__ == "__main__":
    sys.exit(main())
