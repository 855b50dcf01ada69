#!/usr/bin/env python3
"""Autobahn|Testsuite's case categories as raw-socket cases (issue 19):
1 framing, 2 ping/pong, 3 reserved bits, 4 opcodes, 5 fragmentation,
6 UTF-8 (with the fail-fast cases: the server closes before the rest of
the message is sent), 7 close handling, 9 limits at small scale, plus the
frame rules of net.md §3.3 that Autobahn leaves out (unmasked frames,
oversize declarations, the 64-bit length's MSB).

Each case asserts the exact echo or close code net.md §3 gives; after each
case a fresh connection must still echo.  The server is tests/ws/app.snow
behind HTTP.on_ws (/echo echoes text, /bin echoes binary).
Usage: autobahn_test.py [det|threads2]  (default: det)
Prints `N passed, N failed`."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wslib import (OP_BIN, OP_CLOSE, OP_CONT, OP_PING, OP_PONG, OP_TEXT, Checks, Closed,  # noqa: E402
                   Raw, close_payload, frame, start)

C = Checks()
CASES = []


def case(name, sends, expect, path="/echo", chop=None, pause=0.0):
    """sends: frames (bytes) sent in order; expect: ("msg", op, payload),
    ("close", code) or ("wait_close", code) (the close must come while
    the rest of `later` is unsent: fail-fast)."""
    CASES.append((name, sends, expect, path, chop, pause))


def msg(op, payload):
    return ("msg", op, payload.encode() if isinstance(payload, str) else payload)


def closed(code):
    return ("close", code)


def run_case(port, name, sends, expect, path, chop, pause):
    c = Raw(port, path, timeout=15)
    try:
        if c.status != 101:
            return "handshake %s" % c.status_line
        saw_close = any(e[0] == "close" for e in expect)
        for s in sends:
            if s == "EXPECT":  # expectations so far must hold before sending more (fail-fast)
                e = expect.pop(0)
                got = read_one(c, e)
                if got is not True:
                    return got
                continue
            c.send(s, chop=chop, pause=pause)
        for e in expect:
            got = read_one(c, e)
            if got is not True:
                return got
        if not saw_close:
            c.send(frame(OP_CLOSE, close_payload(1000)))
            code = c.expect_close()
            if code != 1000:
                return "closing handshake: %r" % (code,)
        return True
    except (Closed, OSError) as e:
        return "connection: %r" % e
    finally:
        c.close()


def read_one(c, e):
    if e[0] == "close":
        code = c.expect_close()
        return True if code == e[1] else "close code %r, want %r" % (code, e[1])
    fin, rsv, op, p, masked = c.read_frame()
    if (fin, rsv, op, p, masked) != (1, 0, e[1], e[2], False):
        return "frame %r, want %r" % ((fin, rsv, op, p[:60], len(p), masked), (e[1], e[2][:60], len(e[2])))
    return True


def alive(port):
    c = Raw(port, "/echo", timeout=15)
    try:
        c.send(frame(OP_TEXT, "alive?"))
        return c.read_frame()[2:4] == (OP_TEXT, b"alive?")
    except (Closed, OSError):
        return False
    finally:
        c.close()


# ---- 1 framing ----------------------------------------------------------------------------------

for n in (0, 125, 126, 127, 128, 65535, 65536):
    case("1.1 text %d" % n, [frame(OP_TEXT, "*" * n)], [msg(OP_TEXT, "*" * n)])
    case("1.2 binary %d" % n, [frame(OP_BIN, b"\xfe" * n)], [msg(OP_BIN, b"\xfe" * n)], path="/bin")
case("1.1.7 text 65536 chopped", [frame(OP_TEXT, "*" * 65536)], [msg(OP_TEXT, "*" * 65536)], chop=997)
case("1.1.8 text 65536 in 7-byte pieces", [frame(OP_TEXT, "*" * 4000)], [msg(OP_TEXT, "*" * 4000)], chop=7)
case("1.2.8 binary chopped", [frame(OP_BIN, bytes(range(256)) * 40)], [msg(OP_BIN, bytes(range(256)) * 40)],
     path="/bin", chop=13)

# ---- 2 ping/pong ----------------------------------------------------------------------------------

case("2.1 ping no payload", [frame(OP_PING)], [msg(OP_PONG, b"")])
case("2.2 ping text payload", [frame(OP_PING, "Hello, world!")], [msg(OP_PONG, "Hello, world!")])
case("2.3 ping binary payload", [frame(OP_PING, b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff")],
     [msg(OP_PONG, b"\x00\xff\xfe\xfd\xfc\xfb\x00\xff")])
case("2.4 ping 125 bytes", [frame(OP_PING, b"\xfe" * 125)], [msg(OP_PONG, b"\xfe" * 125)])
case("2.5 ping 126 bytes", [frame(OP_PING, b"\xfe" * 126)], [closed(1002)])
case("2.6 ping 125 chopped", [frame(OP_PING, b"\xfe" * 125)], [msg(OP_PONG, b"\xfe" * 125)], chop=1)
case("2.7 unsolicited pong", [frame(OP_PONG), frame(OP_TEXT, "after")], [msg(OP_TEXT, "after")])
case("2.8 unsolicited pong with payload", [frame(OP_PONG, "unsolicited"), frame(OP_TEXT, "after")],
     [msg(OP_TEXT, "after")])
case("2.9 unsolicited pong then ping", [frame(OP_PONG, "x"), frame(OP_PING, "ping")], [msg(OP_PONG, "ping")])
case("2.10 ten pings", [frame(OP_PING, "p%d" % i) for i in range(10)], [msg(OP_PONG, "p%d" % i) for i in range(10)])
case("2.11 ten pings chopped", [frame(OP_PING, "p%d" % i) for i in range(10)],
     [msg(OP_PONG, "p%d" % i) for i in range(10)], chop=1)
case("2.12 ping unmasked", [frame(OP_PING, "x", mask=False)], [closed(1002)])

# ---- 3 reserved bits ------------------------------------------------------------------------------

case("3.1 RSV1 text", [frame(OP_TEXT, "x", rsv=1)], [closed(1002)])
case("3.2 RSV2 after echo", [frame(OP_TEXT, "ok"), frame(OP_TEXT, "x", rsv=2)], [msg(OP_TEXT, "ok"), closed(1002)])
case("3.3 RSV3 after echo and ping", [frame(OP_TEXT, "ok"), frame(OP_TEXT, "x", rsv=3), frame(OP_PING, "p")],
     [msg(OP_TEXT, "ok"), closed(1002)])
case("3.4 RSV4 binary", [frame(OP_BIN, b"\x00", rsv=4)], [closed(1002)], path="/bin")
case("3.5 RSV5 binary", [frame(OP_BIN, b"\x00", rsv=5)], [closed(1002)], path="/bin")
case("3.6 RSV6 ping", [frame(OP_PING, "p", rsv=6)], [closed(1002)])
case("3.7 RSV7 close", [frame(OP_CLOSE, close_payload(1000), rsv=7)], [closed(1002)])
case("3.8 RSV1 continuation", [frame(OP_TEXT, "a", fin=False), frame(OP_CONT, "b", rsv=1)], [closed(1002)])

# ---- 4 opcodes ------------------------------------------------------------------------------------

for op in (3, 4, 5, 6, 7):
    case("4.1 reserved data opcode %d" % op, [frame(op)], [closed(1002)])
    case("4.1 reserved data opcode %d after echo" % op, [frame(OP_TEXT, "ok"), frame(op, "payload"),
                                                         frame(OP_PING)], [msg(OP_TEXT, "ok"), closed(1002)])
for op in (11, 12, 13, 14, 15):
    case("4.2 reserved control opcode %d" % op, [frame(op)], [closed(1002)])
    case("4.2 reserved control opcode %d after echo" % op, [frame(OP_TEXT, "ok"), frame(op, "payload"),
                                                            frame(OP_PING)], [msg(OP_TEXT, "ok"), closed(1002)])

# ---- 5 fragmentation --------------------------------------------------------------------------------

case("5.1 fragmented ping", [frame(OP_PING, "frag", fin=False), frame(OP_CONT, "ment")], [closed(1002)])
case("5.2 fragmented pong", [frame(OP_PONG, "frag", fin=False), frame(OP_CONT, "ment")], [closed(1002)])
case("5.3 text in 2 fragments", [frame(OP_TEXT, "frag", fin=False), frame(OP_CONT, "ment")],
     [msg(OP_TEXT, "fragment")])
case("5.4 text in 2 fragments chopped", [frame(OP_TEXT, "frag", fin=False), frame(OP_CONT, "ment")],
     [msg(OP_TEXT, "fragment")], chop=1)
case("5.5 text fragments, slow", [frame(OP_TEXT, "frag", fin=False), frame(OP_CONT, "ment")],
     [msg(OP_TEXT, "fragment")], chop=3, pause=0.002)
case("5.6 ping between fragments", [frame(OP_TEXT, "frag", fin=False), frame(OP_PING, "p"),
                                     frame(OP_CONT, "ment")], [msg(OP_PONG, "p"), msg(OP_TEXT, "fragment")])
case("5.7 ping between fragments chopped", [frame(OP_TEXT, "frag", fin=False), frame(OP_PING, "p"),
                                             frame(OP_CONT, "ment")], [msg(OP_PONG, "p"), msg(OP_TEXT, "fragment")],
     chop=1)
case("5.8 pong between fragments", [frame(OP_TEXT, "frag", fin=False), frame(OP_PONG, "p"),
                                     frame(OP_CONT, "ment")], [msg(OP_TEXT, "fragment")])
case("5.9 continuation, nothing to continue", [frame(OP_CONT, "x")], [closed(1002)])
case("5.10 continuation fin=0, nothing to continue", [frame(OP_CONT, "x", fin=False)], [closed(1002)])
case("5.11 continuation chopped", [frame(OP_CONT, "x", fin=False), frame(OP_CONT, "y")], [closed(1002)], chop=1)
case("5.12 continuation then text", [frame(OP_CONT, "x"), frame(OP_TEXT, "y")], [closed(1002)])
case("5.13 continuation fin=0 then text", [frame(OP_CONT, "x", fin=False), frame(OP_TEXT, "y")], [closed(1002)])
case("5.14 continuation after a message", [frame(OP_TEXT, "ok"), frame(OP_CONT, "x")],
     [msg(OP_TEXT, "ok"), closed(1002)])
case("5.15 fragmented then stray continuation", [frame(OP_TEXT, "a", fin=False), frame(OP_CONT, "b"),
                                                  frame(OP_CONT, "c", fin=False), frame(OP_CONT, "d")],
     [msg(OP_TEXT, "ab"), closed(1002)])
case("5.16 two fragmented messages, then continuation", [frame(OP_TEXT, "a", fin=False), frame(OP_CONT, "b"),
                                                          frame(OP_TEXT, "c", fin=False), frame(OP_CONT, "d"),
                                                          frame(OP_CONT, "e")],
     [msg(OP_TEXT, "ab"), msg(OP_TEXT, "cd"), closed(1002)])
case("5.17 new text during fragmented message", [frame(OP_TEXT, "a", fin=False), frame(OP_TEXT, "b")],
     [closed(1002)])
case("5.18 new binary during fragmented text", [frame(OP_TEXT, "a", fin=False), frame(OP_BIN, b"b")],
     [closed(1002)])
case("5.19 many fragments with pings", [f for i in range(10) for f in
                                         (frame(OP_TEXT if i == 0 else OP_CONT, "f%d" % i, fin=i == 9),
                                          frame(OP_PING, "p%d" % i))],
     [msg(OP_PONG, "p%d" % i) for i in range(9)] + [msg(OP_TEXT, "".join("f%d" % i for i in range(10))),
                                                    msg(OP_PONG, "p9")])
case("5.20 many fragments with pings chopped", [f for i in range(10) for f in
                                                 (frame(OP_TEXT if i == 0 else OP_CONT, "f%d" % i, fin=i == 9),
                                                  frame(OP_PING, "p%d" % i))],
     [msg(OP_PONG, "p%d" % i) for i in range(9)] + [msg(OP_TEXT, "".join("f%d" % i for i in range(10))),
                                                    msg(OP_PONG, "p9")], chop=5)
case("5.21 binary in 3 fragments", [frame(OP_BIN, b"\x00", fin=False), frame(OP_CONT, b"\x01", fin=False),
                                     frame(OP_CONT, b"\x02")], [msg(OP_BIN, b"\x00\x01\x02")], path="/bin")
case("5.22 empty fragments", [frame(OP_TEXT, "", fin=False), frame(OP_CONT, "", fin=False), frame(OP_CONT, "")],
     [msg(OP_TEXT, "")])

# ---- 6 UTF-8 ---------------------------------------------------------------------------------------------

VALID = {
    "kosme": "κόσμε".encode(),
    "U+0000": b"\x00", "U+007F": b"\x7f", "U+0080": b"\xc2\x80", "U+07FF": b"\xdf\xbf",
    "U+0800": b"\xe0\xa0\x80", "U+D7FF": b"\xed\x9f\xbf", "U+E000": b"\xee\x80\x80", "U+FFFD": b"\xef\xbf\xbd",
    "U+FFFF": b"\xef\xbf\xbf", "U+10000": b"\xf0\x90\x80\x80", "U+10FFFF": b"\xf4\x8f\xbf\xbf",
    "Hello-µ@ßöäüàá-UTF-8!!": "Hello-µ@ßöäüàá-UTF-8!!".encode(),
    "emoji": "🐧 snow ❄".encode(),
}
INVALID = {
    "lone continuation 80": b"\x80", "lone continuation bf": b"\xbf", "two continuations": b"\x80\xbf",
    "C0 overlong": b"\xc0\xaf", "C1 overlong": b"\xc1\xbf", "E0 overlong": b"\xe0\x80\xaf",
    "F0 overlong": b"\xf0\x80\x80\xaf", "surrogate D800": b"\xed\xa0\x80", "surrogate DFFF": b"\xed\xbf\xbf",
    "past U+10FFFF": b"\xf4\x90\x80\x80", "F5": b"\xf5\x80\x80\x80", "FE": b"\xfe", "FF": b"\xff",
    "truncated 2-byte": b"\xc2", "truncated 3-byte": b"\xe0\xa0", "truncated 4-byte": b"\xf0\x90\x80",
    "ASCII then FF": b"abc\xff", "kosme then bad": "κόσμε".encode() + b"\xed\xa0\x80edited",
    "start byte then ASCII": b"\xe0x",
}
for name, b in VALID.items():
    case("6 valid %s" % name, [frame(OP_TEXT, b)], [msg(OP_TEXT, b)])
    if len(b) > 1:  # one fragment per byte
        case("6 valid %s byte-wise fragments" % name,
             [frame(OP_TEXT if i == 0 else OP_CONT, b[i:i + 1], fin=i == len(b) - 1) for i in range(len(b))],
             [msg(OP_TEXT, b)])
for name, b in INVALID.items():
    case("6 invalid %s" % name, [frame(OP_TEXT, b)], [closed(1007)])
    case("6 invalid %s chopped" % name, [frame(OP_TEXT, b)], [closed(1007)], chop=1)
# fail-fast (Autobahn 6.4): the first fragment is already impossible; the
# server must close before the rest is sent
for name, b in INVALID.items():
    if name.startswith("truncated"):
        continue  # a truncated character may still be completed by the next fragment
    case("6.4 fail-fast %s" % name, [frame(OP_TEXT, b + b"more", fin=False), "EXPECT", frame(OP_CONT, "rest")],
         [closed(1007)])
case("6.4 fail-fast mid-frame", [frame(OP_TEXT, b"ok" * 10 + b"\xff" + b"x" * 3000)[:60], "EXPECT"], [closed(1007)])
case("6 truncated then completed across fragments", [frame(OP_TEXT, b"\xe2\x82", fin=False), frame(OP_CONT, b"\xac")],
     [msg(OP_TEXT, "€")])
case("6 truncated at the last fragment", [frame(OP_TEXT, b"ok", fin=False), frame(OP_CONT, b"\xe2\x82")],
     [closed(1007)])
case("6 binary needs no UTF-8", [frame(OP_BIN, b"\xff\xfe\xc0")], [msg(OP_BIN, b"\xff\xfe\xc0")], path="/bin")

# ---- 7 close handling ---------------------------------------------------------------------------------------

case("7.1.1 echo then close", [frame(OP_TEXT, "Hello"), frame(OP_CLOSE, close_payload(1000))],
     [msg(OP_TEXT, "Hello"), closed(1000)])
case("7.1.2 close twice", [frame(OP_CLOSE, close_payload(1000)), frame(OP_CLOSE, close_payload(1000))], [closed(1000)])
case("7.1.3 ping after close", [frame(OP_CLOSE, close_payload(1000)), frame(OP_PING, "p")], [closed(1000)])
case("7.1.4 text after close", [frame(OP_CLOSE, close_payload(1000)), frame(OP_TEXT, "late")], [closed(1000)])
case("7.1.5 close during fragmented message", [frame(OP_TEXT, "frag", fin=False), frame(OP_CLOSE, close_payload(1000)),
                                                frame(OP_CONT, "ment")], [closed(1000)])
case("7.1.6 big message then close", [frame(OP_TEXT, "B" * 200000), frame(OP_CLOSE, close_payload(1000))],
     [msg(OP_TEXT, "B" * 200000), closed(1000)])
case("7.3.1 close without payload", [frame(OP_CLOSE)], [closed(1000)])
case("7.3.2 close with 1 byte", [frame(OP_CLOSE, b"\x03")], [closed(1002)])
case("7.3.3 close 1000 no reason", [frame(OP_CLOSE, close_payload(1000))], [closed(1000)])
case("7.3.4 close 1000 with reason", [frame(OP_CLOSE, close_payload(1000, "bye"))], [closed(1000)])
case("7.3.5 close 1000 with a 123-byte reason", [frame(OP_CLOSE, close_payload(1000, "r" * 123))], [closed(1000)])
case("7.3.6 close with a 124-byte reason", [frame(OP_CLOSE, close_payload(1000, "r" * 124))], [closed(1002)])
case("7.5.1 close reason not UTF-8", [frame(OP_CLOSE, close_payload(1000, b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc"
                                                                         b"\xce\xb5\xed\xa0\x80\x65\x64"))],
     [closed(1007)])
for code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999):
    case("7.7 close code %d echoed" % code, [frame(OP_CLOSE, close_payload(code))], [closed(code)])
for code in (0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535):
    case("7.9 invalid close code %d" % code, [frame(OP_CLOSE, close_payload(code))], [closed(1002)])
case("7.13 close code 1000 chopped", [frame(OP_CLOSE, close_payload(1000, "bye"))], [closed(1000)], chop=1)

# ---- 9 limits, small scale; §3.3 frame rules ---------------------------------------------------------------

for n in (1 << 16, 1 << 18, 1 << 20):
    case("9.1 text %d" % n, [frame(OP_TEXT, "t" * n)], [msg(OP_TEXT, "t" * n)])
    case("9.2 binary %d" % n, [frame(OP_BIN, b"\x07" * n)], [msg(OP_BIN, b"\x07" * n)], path="/bin")
for fsize in (64, 4096, 65536):
    n = 1 << 18
    data = b"f" * n
    frames = [frame(OP_TEXT if i == 0 else OP_CONT, data[i:i + fsize], fin=i + fsize >= n) for i in range(0, n, fsize)]
    case("9.3 text %d in %d-byte fragments" % (n, fsize), [b"".join(frames)], [msg(OP_TEXT, data)])
    bframes = [frame(OP_BIN if i == 0 else OP_CONT, data[i:i + fsize], fin=i + fsize >= n) for i in range(0, n, fsize)]
    case("9.4 binary %d in %d-byte fragments" % (n, fsize), [b"".join(bframes)], [msg(OP_BIN, data)], path="/bin")
for chop in (64, 1024, 65536):
    case("9.5 text 1 MiB sent in %d-byte writes" % chop, [frame(OP_TEXT, "c" * (1 << 20))],
         [msg(OP_TEXT, "c" * (1 << 20))], chop=chop)
case("9.6 100 messages in a burst", [b"".join(frame(OP_TEXT, "m%d" % i) for i in range(100))],
     [msg(OP_TEXT, "m%d" % i) for i in range(100)])
case("3.3 unmasked text frame", [frame(OP_TEXT, "x", mask=False)], [closed(1002)])
case("3.3 unmasked binary frame", [frame(OP_BIN, b"x", mask=False)], [closed(1002)], path="/bin")
case("3.3 frame declaring 16 MiB + 1", [frame(OP_BIN, b"abcd", length=(16 << 20) + 1), "EXPECT"], [closed(1009)],
     path="/bin")
case("3.3 frame declaring 2^62", [frame(OP_TEXT, b"abcd", length=1 << 62), "EXPECT"], [closed(1009)])
case("3.3 64-bit length with the MSB set", [frame(OP_TEXT, b"abcd", length=1 << 63), "EXPECT"], [closed(1002)])
case("3.4 fragments over 16 MiB", [frame(OP_BIN, b"a" * (8 << 20), fin=False), frame(OP_CONT, b"b" * (8 << 20),
                                                                                     fin=False),
                                    frame(OP_CONT, b"c", fin=False), "EXPECT"], [closed(1009)], path="/bin")
case("3.3 16-bit length encoding a short payload", [b"\x81\xfe\x00\x05" + b"\x00\x00\x00\x00" + b"short"],
     [closed(1002)])


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "det"
    margs = ["--threads", "2"] if mode == "threads2" else []
    s = start("http", margs)
    if not s.port:
        C.check(False, "server starts", s.stderr())
        return C.report()
    try:
        for name, sends, expect, path, chop, pause in CASES:
            got = run_case(s.port, name, list(sends), list(expect), path, chop, pause)
            C.check(got is True, "[%s] %s" % (mode, name), "" if got is True else got)
            C.check(alive(s.port), "[%s] %s: a fresh connection still echoes" % (mode, name))
        C.check(s.alive(), "[%s] the server is still running" % mode, s.stderr()[-2000:])
    finally:
        s.stop()
    print("%d cases" % len(CASES))
    return C.report()


if __name__ == "__main__":
    sys.exit(main())
