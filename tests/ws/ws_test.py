#!/usr/bin/env python3
"""The WebSocket server's behaviour (net.md §3, issue 19) over raw sockets,
under the deterministic scheduler and with --threads 2:

- the handshake: the exact 101 answer, the five 400 reasons (and stderr's
  `WS upgrade failed`), both through Ws.serve and HTTP.on_ws; middleware
  runs before an upgrade (403 for /private); other routes still answer;
- on_connect returning false: Close 1008 `rejected`, on_close not called;
- a panicking on_message: Close 1011 `internal error`, on_close(1011,
  "internal error"), while 100 other clients keep chatting and lose
  nothing;
- rooms: join, leave, broadcast (the caller included), broadcast_except,
  failure counts; a connection leaves its rooms when it ends;
- Ws.send from another process: every frame, in order;
- a client that stops reading is closed with 1008 `slow consumer` while
  the rest of the server keeps echoing;
- the heartbeat under --virtual-time: a silent client gets a 4-byte Ping
  at 30 s and Close 1001 `pong timeout` at 40 s of virtual time (events
  file), in far less real time than the hang guard;
- Ws.serve_tls / HTTP.serve_tls upgrades (wss).
Prints `N passed, N failed`."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wslib import (BOUND, MODES, OP_CLOSE, OP_PING, OP_TEXT, Checks, Closed, Raw, close_payload, make_cert,  # noqa: E402
                   frame, start)

C = Checks()
TMP = tempfile.mkdtemp(prefix="snow-ws-")


def text(c, t):
    c.send(frame(OP_TEXT, t))


def recv_text(c):
    fin, rsv, op, p, masked = c.read_frame()
    return p.decode("utf-8", "replace") if op == OP_TEXT else "<op %d>" % op


def bye(c):
    c.send(frame(OP_CLOSE, close_payload(1000)))
    code = c.expect_close()
    c.close()
    return code


def stdout_of(s):
    try:
        os.killpg(s.proc.pid, signal.SIGTERM)
        out, _ = s.proc.communicate(timeout=BOUND)
        return out.decode("utf-8", "replace")
    except (subprocess.TimeoutExpired, ProcessLookupError):
        s.stop()
        return ""


# ---- the handshake ----------------------------------------------------------------------------------

BAD = [
    ("POST", {}, "method must be GET"),
    ("GET", {"Upgrade": None}, "missing or invalid Upgrade header"),
    ("GET", {"Upgrade": "h2c"}, "missing or invalid Upgrade header"),
    ("GET", {"Connection": "keep-alive"}, "missing or invalid Connection header"),
    ("GET", {"Sec-WebSocket-Key": None}, "missing Sec-WebSocket-Key header"),
    ("GET", {"Sec-WebSocket-Version": "8"}, "missing or invalid Sec-WebSocket-Version (must be 13)"),
    ("GET", {"Sec-WebSocket-Version": None}, "missing or invalid Sec-WebSocket-Version (must be 13)"),
]


def raw_request(port, method, path, changes):
    h = {"Host": "localhost", "Upgrade": "websocket", "Connection": "keep-alive, Upgrade",
         "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13"}
    for k, v in changes.items():
        if v is None:
            h.pop(k, None)
        else:
            h[k] = v
    s = socket.create_connection(("127.0.0.1", port), timeout=BOUND)
    body = "" if method == "GET" else "x"
    req = "%s %s HTTP/1.1\r\n" % (method, path) + "".join("%s: %s\r\n" % kv for kv in h.items())
    if body:
        req += "Content-Length: 1\r\n"
    s.sendall((req + "\r\n" + body).encode())
    data = b""
    while True:
        try:
            d = s.recv(65536)
        except OSError:
            break
        if not d:
            break
        data += d
        if b"\r\n\r\n" in data:
            head, _, rest = data.partition(b"\r\n\r\n")
            if head.startswith(b"HTTP/1.1 101"):
                break
            cl = [ln for ln in head.split(b"\r\n") if ln.lower().startswith(b"content-length:")]
            if cl and len(rest) >= int(cl[0].split(b":")[1]):
                break
    s.close()
    return data.decode("latin-1")


def handshake(mode, margs):
    m = "[%s] " % mode
    for kind in ("ws", "http"):
        s = start(kind, margs)
        path = "/" if kind == "ws" else "/echo"
        got = raw_request(s.port, "GET", path, {})
        C.eq(got, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n", m + kind + " 101 answer (RFC 6455 example)")
        for method, ch, reason in BAD:
            if kind == "http" and method == "POST":
                continue  # an on_ws route is a GET route: POST is the router's 404
            got = raw_request(s.port, method, path, ch)
            body = "Bad Request: " + reason
            C.eq(got, "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                      "Connection: close\r\n\r\n%s" % (len(body), body) if kind == "ws" else got,
                 m + kind + " 400 " + reason)
            C.check(got.startswith("HTTP/1.1 400") and got.endswith(body), m + kind + " 400 body " + reason, got)
        if kind == "http":
            C.check(raw_request(s.port, "GET", "/private", {}).startswith("HTTP/1.1 403"),
                    m + "middleware runs before the upgrade (403)")
            C.check(raw_request(s.port, "GET", "/health", {}).endswith("ok"), m + "plain routes still answer")
            C.check(raw_request(s.port, "GET", "/nowhere", {}).startswith("HTTP/1.1 404"), m + "no route: 404")
        time.sleep(0.1)
        C.check("[snow-rt] WS upgrade failed: missing Sec-WebSocket-Key header" in s.stderr(),
                m + kind + " stderr names the failure", s.stderr())
        C.check(s.alive(), m + kind + " server alive after bad handshakes")
        s.stop()


# ---- callbacks, rooms, crash isolation, ordering, slow consumers -------------------------------------


def callbacks(mode, margs):
    m = "[%s] " % mode
    s = start("http", margs)
    # rejected
    c = Raw(s.port, "/reject")
    C.eq(c.status, 101, m + "reject: the upgrade happens first")
    C.eq(c.expect_close(), 1008, m + "on_connect false: Close 1008")
    C.eq(c.close_reason, b"rejected", m + "reason `rejected`")
    # rooms
    a, b, d = Raw(s.port, "/echo"), Raw(s.port, "/echo"), Raw(s.port, "/echo")
    for x in (a, b):
        text(x, "join:lobby")
        C.eq(recv_text(x), "joined", m + "join")
    text(a, "say:lobby:hello")
    C.eq(sorted([recv_text(a), recv_text(a)]), ["hello", "said 0"], m + "broadcast reaches the caller too")
    C.eq(recv_text(b), "hello", m + "broadcast reaches the other member")
    text(a, "others:lobby:psst")
    C.eq(recv_text(a), "told 0", m + "broadcast_except answers 0")
    C.eq(recv_text(b), "psst", m + "broadcast_except reaches the others")
    text(d, "say:all:everyone")  # every connection joined "all" in on_connect
    got = [recv_text(d), recv_text(d)]
    C.eq(sorted(got), ["everyone", "said 0"], m + "room joined in on_connect")
    C.eq(recv_text(a), "everyone", m + "all: a")
    C.eq(recv_text(b), "everyone", m + "all: b")
    text(d, "say:nobody:x")
    C.eq(recv_text(d), "said 0", m + "an absent room: 0")
    text(b, "leave:lobby")
    C.eq(recv_text(b), "left", m + "leave")
    text(a, "say:lobby:again")
    C.eq(sorted([recv_text(a), recv_text(a)]), ["again", "said 0"], m + "after leave: only a")
    C.eq(bye(b), 1000, m + "close echoed")
    text(a, "say:all:after b")
    C.eq(sorted([recv_text(a), recv_text(a)]), ["after b", "said 0"], m + "a closed connection left its rooms")
    C.eq(recv_text(d), "after b", m + "d still in all")
    # Ws.send from another process: all frames, in order
    text(a, "burst:500:10")
    want = ["%d:%s" % (i, "x" * 16) for i in range(500)]
    got = [recv_text(a) for _ in range(500)]
    C.eq(got, want, m + "Ws.send from another process: 500 frames in order")
    # crash isolation: one handler panics while 100 others chat
    others = [Raw(s.port, "/echo") for _ in range(100)]
    crasher = Raw(s.port, "/echo")
    errors = []

    def chat(i, c):
        try:
            for k in range(20):
                t = "c%d-%d" % (i, k)
                text(c, t)
                r = recv_text(c)
                if r != t:
                    errors.append((i, k, r))
            c.send(frame(OP_CLOSE, close_payload(1000)))
            if c.expect_close() != 1000:
                errors.append((i, "close"))
        except Exception as e:  # noqa: BLE001
            errors.append((i, repr(e)))

    threads = [threading.Thread(target=chat, args=(i, c)) for i, c in enumerate(others)]
    for t in threads:
        t.start()
    text(crasher, "crash")
    C.eq(crasher.expect_close(), 1011, m + "a panicking handler: Close 1011")
    C.eq(crasher.close_reason, b"internal error", m + "reason `internal error`")
    for t in threads:
        t.join(BOUND * 2)
    C.eq(errors, [], m + "100 other clients chatting meanwhile: no message lost")
    for x in (a, d):
        bye(x)
    out = stdout_of(s)
    C.check("closed 1011 internal error" in out, m + "on_close(conn, 1011, \"internal error\")", out[-500:])
    C.eq(out.count("closed 1000 "), 103, m + "on_close(conn, 1000, \"\") for each other end, none for the rejected")
    C.check("WebSocket handler panicked" in s.stderr() and "handler crashed on purpose" in s.stderr(),
            m + "the panic goes to stderr", s.stderr()[-500:])


def slow_consumer(mode, margs):
    m = "[%s] " % mode
    s = start("http", margs)
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(iter(s.proc.stdout.readline, b"")), daemon=True)
    reader.start()
    slow = Raw(s.port, "/echo")
    text(slow, "burst:40:1048576")  # 40 MiB at a client that reads nothing
    deadline = time.time() + BOUND * 3
    while time.time() < deadline and not any(ln.startswith(b"sender") for ln in lines):
        time.sleep(0.05)  # until the sender is done (or refused): then read
    ok = Raw(s.port, "/echo")
    text(ok, "still here")
    C.eq(recv_text(ok), "still here", m + "others are served while a client does not read")
    bye(ok)
    n, code = 0, None
    try:
        while True:
            fin, rsv, op, p, _ = slow.read_frame()
            if op == OP_CLOSE:
                code = int.from_bytes(p[:2], "big")
                reason = p[2:]
                break
            n += 1
    except (Closed, OSError):
        pass
    C.eq((code, reason if code else None), (1008, b"slow consumer"), m + "slow consumer: Close 1008")
    C.check(0 < n < 40, m + "frames before the Close are whole (%d)" % n)
    slow.close()
    os.killpg(s.proc.pid, signal.SIGTERM)
    try:
        s.proc.wait(BOUND)
    except subprocess.TimeoutExpired:
        s.stop()
    reader.join(BOUND)
    out = b"".join(lines).decode()
    C.check("sender stopped at" in out, m + "Ws.send returned -1 to the sender", out[-300:])


def rooms_stress(mode, margs):
    """40 clients join, broadcast to and leave 4 rooms at once (workers in
    parallel with --threads 2): every command is answered, every broadcast
    a client makes to a room it is in reaches it, the server survives."""
    m = "[%s] " % mode
    s = start("http", margs)
    errors = []

    def client(i):
        try:
            c = Raw(s.port, "/echo", timeout=BOUND)

            def until(want):  # skip other clients' broadcasts
                for _ in range(10000):
                    t = recv_text(c)
                    if t == want:
                        return True
                errors.append((i, want))
                return False

            for k in range(30):
                room = "r%d" % ((i + k) % 4)
                text(c, "join:" + room)
                until("joined")
                mine = "m-%d-%d" % (i, k)
                text(c, "say:%s:%s" % (room, mine))
                until(mine)  # a member hears its own broadcast
                text(c, "leave:" + room)
                until("left")
            bye(c)
        except Exception as e:  # noqa: BLE001
            errors.append((i, repr(e)))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(BOUND * 3)
    C.eq(errors, [], m + "rooms from 40 clients at once: every answer and own broadcast arrives")
    C.check(s.alive(), m + "server alive after the room stress", s.stderr()[-500:])
    s.stop()


def graceful_stop(mode, margs):
    """SIGTERM with WebSockets open (decision 28's stop): each gets Close
    1001 `going away`, on_close(conn, 1001, "going away") runs, the
    program exits with 0."""
    m = "[%s] " % mode
    for kind, path in (("http", "/echo"), ("ws", "/")):
        s = start(kind, margs)
        cs = [Raw(s.port, path) for _ in range(3)]
        for c in cs:
            text(c, "hi")
            recv_text(c)
        os.killpg(s.proc.pid, signal.SIGTERM)
        codes = [(c.expect_close(), c.close_reason) for c in cs]
        C.eq(codes, [(1001, b"going away")] * 3, m + kind + " SIGTERM: Close 1001 to every connection")
        try:
            out, _ = s.proc.communicate(timeout=BOUND)
        except subprocess.TimeoutExpired:
            s.stop()
            out = b""
        C.eq(s.proc.returncode, 0, m + kind + " the program exits with 0")
        C.eq(out.decode().count("closed 1001 going away"), 3, m + kind + " on_close(conn, 1001, \"going away\")")


# ---- heartbeat under virtual time ---------------------------------------------------------------------


def heartbeat():
    ev = os.path.join(TMP, "hb.jsonl")
    s = start("http", ["--virtual-time"], events=ev)
    # the server is stopped while the client connects and asks, so the
    # request is there when it accepts (under --virtual-time a wait for a
    # peer's first bytes would otherwise be over at once)
    os.killpg(s.proc.pid, signal.SIGSTOP)
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("c", Raw(s.port, "/echo", timeout=BOUND)))
    t.start()
    time.sleep(0.3)
    os.killpg(s.proc.pid, signal.SIGCONT)
    t.join()
    c = box["c"]
    C.eq(c.status, 101, "[virtual] upgrade")
    t0 = time.time()
    fin, rsv, op, p, _ = c.read_frame()
    C.eq((op, len(p)), (OP_PING, 4), "[virtual] a silent client gets a Ping with a 4-byte payload")
    C.eq(c.expect_close(), 1001, "[virtual] no Pong: Close 1001")
    C.eq(c.close_reason, b"pong timeout", "[virtual] reason `pong timeout`")
    C.check(time.time() - t0 < BOUND, "[virtual] well before the hang guard (not 40 s of real time)")
    stdout_of(s)
    frames = []
    with open(ev) as f:
        for ln in f:
            e = json.loads(ln)
            if e.get("ev") == "ws_frame":
                frames.append((e["t"], e.get("dir"), e.get("frame")))
    C.check(any(t == 30000 and d == "out" and fr.startswith("ping") for t, d, fr in frames),
            "[virtual] the Ping goes out at 30 s (events)", frames)
    C.check(any(t == 40000 and d == "out" and fr == "close 1001 pong timeout" for t, d, fr in frames),
            "[virtual] Close 1001 at 40 s (events)", frames)


def trace_replay():
    """A recorded run replays in snow trace without the network; frames and
    room changes are steps of the connection's timeline."""
    from wslib import HERE, SNOW
    ev = os.path.join(TMP, "trace.jsonl")
    prog = os.path.join(HERE, "trace_app.snow")
    p = subprocess.Popen([SNOW, "run", "--events", ev, prog], stderr=subprocess.PIPE, stdout=subprocess.PIPE,
                         start_new_session=True)
    import re
    m = re.search(r":(\d+)", p.stderr.readline().decode())
    c = Raw(int(m.group(1)), "/")
    text(c, "hello")
    C.eq(recv_text(c), "hello", "[trace] echo while recording")
    C.eq(bye(c), 1000, "[trace] close while recording")
    time.sleep(0.3)
    os.killpg(p.pid, signal.SIGTERM)
    p.communicate(timeout=BOUND)
    r = subprocess.run([SNOW, "trace", "--replay", ev, "--script", "continue", "--dump", "--width", "120", prog],
                       capture_output=True, timeout=BOUND * 3)
    out = r.stdout.decode("utf-8", "replace")
    for want in ('join room "lobby"', "\u2190 text 5 bytes", "\u2192 text 5 bytes", "\u2190 close 1000",
                 "\u2192 close 1000"):
        C.check(want in out, "[trace] the timeline shows " + want, out[-1500:])


# ---- TLS ------------------------------------------------------------------------------------------------


def tls(mode, margs, cert, key):
    m = "[%s] " % mode
    for kind, path in (("wss", "/"), ("https", "/echo")):
        s = start(kind, margs, extra=[cert, key])
        C.check(s.port is not None, m + kind + " listening", s.stderr())
        if not s.port:
            continue
        want = "WebSocket TLS server listening" if kind == "wss" else "HTTPS server listening"
        C.check(want in s.listening_line, m + kind + " listening line", s.listening_line)
        c = Raw(s.port, path, tls=True)
        C.check(c.status == 101 and c.accept_ok(), m + kind + " upgrade over TLS")
        for n in (0, 125, 126, 65536, 1 << 20):
            text(c, "s" * n)
            C.eq(recv_text(c), "s" * n, m + kind + " echo %d over TLS" % n)
        text(c, "burst:200:1000")
        got = [recv_text(c) for _ in range(200)]
        C.eq(got, ["%d:%s" % (i, "x" * 1024) for i in range(200)], m + kind + " another process's sends over TLS")
        C.eq(bye(c), 1000, m + kind + " close over TLS")
        s.stop()



def main():
    try:
        cert, key = make_cert(TMP, C)
        for mode, margs in MODES:
            handshake(mode, margs)
            callbacks(mode, margs)
            slow_consumer(mode, margs)
            rooms_stress(mode, margs)
            graceful_stop(mode, margs)
            tls(mode, margs, cert, key)
        if any(m == "det" for m, _ in MODES):
            heartbeat()
            trace_replay()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    return C.report()


if __name__ == "__main__":
    sys.exit(main())
