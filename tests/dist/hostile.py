#!/usr/bin/python3
"""Hostile peers for a Snow node (tests/scripts/dist.sh, decision 31): each
connects over TLS, misbehaves, and must be disconnected by the node.
Usage: hostile.py HOST PORT NODE_NAME COOKIE.  Exit 0 when every case was
disconnected (the script that runs it then checks the node still works)."""
import hashlib, hmac, os, socket, ssl, struct, sys

HOST, PORT, NODE, COOKIE = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].encode()

def varint(n):
    out = b""
    while n >= 0x80:
        out += bytes([n & 0x7F | 0x80]); n >>= 7
    return out + bytes([n])

def name(s):
    b = s.encode() if isinstance(s, str) else s
    return varint(len(b)) + b

def frame(body):
    return struct.pack(">I", len(body)) + body

def connect():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    raw = socket.create_connection((HOST, PORT), timeout=5)
    s = ctx.wrap_socket(raw)
    s.settimeout(5)
    return s

def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            raise EOFError
        b += c
    return b

def recv_frame(s):
    n = struct.unpack(">I", recv_exact(s, 4))[0]
    return recv_exact(s, n)

def hello(s, who, cookie=COOKIE, good=True):
    s.sendall(frame(b"\x01" + name(who) + bytes([os.urandom(1)[0] | 1])))
    ch = recv_frame(s)
    assert ch[0] == 2, ch[:1]
    c1 = ch[-32:]
    mac = hmac.new(cookie, c1, hashlib.sha256).digest()
    if not good:
        mac = bytes([mac[0] ^ 1]) + mac[1:]
    c2 = os.urandom(32)
    s.sendall(frame(b"\x03" + mac + c2))
    if not good:
        return
    ack = recv_frame(s)
    assert ack[0] == 4 and hmac.compare_digest(ack[1:], hmac.new(cookie, c2, hashlib.sha256).digest())

def closed(s):
    """True when the node closes the connection (EOF or reset) within 5 s."""
    try:
        while True:
            if not s.recv(65536):
                return True
    except (ConnectionError, ssl.SSLError, EOFError):
        return True
    except socket.timeout:
        return False
    except OSError:
        return True

def pid_term(node, creation, serial):
    return b"\x0e" + name(node) + bytes([creation]) + varint(serial)

results = []
def case(label, fn):
    s = connect()
    try:
        fn(s)
        ok = closed(s)
    except (ConnectionError, ssl.SSLError, EOFError, BrokenPipeError):
        ok = True
    finally:
        s.close()
    results.append((label, ok))
    print(("ok   " if ok else "FAIL ") + label)

case("bad HMAC", lambda s: hello(s, "h1@127.0.0.1:1", good=False))
case("oversized length prefix", lambda s: (hello(s, "h2@127.0.0.1:1"), s.sendall(struct.pack(">I", 0xFFFFFFF0) + b"\x10")))
case("16 MiB + 1 length prefix", lambda s: (hello(s, "h3@127.0.0.1:1"), s.sendall(struct.pack(">I", (16 << 20) + 1))))
case("truncated frame, then end of stream", lambda s: (hello(s, "h4@127.0.0.1:1"), s.sendall(struct.pack(">I", 100) + b"\x10" * 10), s.unwrap() if False else s.shutdown(socket.SHUT_WR)))
case("truncated handshake frame", lambda s: (s.sendall(struct.pack(">I", 50) + b"\x01abc"), s.shutdown(socket.SHUT_WR)))
case("oversized handshake frame", lambda s: s.sendall(struct.pack(">I", 5000) + b"\x01" * 5000))
case("garbage after the handshake", lambda s: (hello(s, "h5@127.0.0.1:1"), s.sendall(os.urandom(4096))))
case("a SEND whose term is garbage", lambda s: (hello(s, "h6@127.0.0.1:1"), s.sendall(frame(b"\x10" + varint(0) + b"\x01\xff\xfe\xfd"))))
case("a pid naming an unknown node", lambda s: (hello(s, "h7@127.0.0.1:1"), s.sendall(frame(b"\x10" + varint(0) + b"\x01" + pid_term("zz@nowhere:1", 3, 5)))))
deep = b"".join(b"\x0d" + name("Option") + name("Some") + varint(1) for _ in range(20000)) + b"\x00"
case("a deeply nested value", lambda s: (hello(s, "h8@127.0.0.1:1"), s.sendall(frame(b"\x10" + varint(0) + b"\x01" + deep))))
case("a huge list count", lambda s: (hello(s, "h9@127.0.0.1:1"), s.sendall(frame(b"\x10" + varint(0) + b"\x01\x06" + varint(10**12) + b"\x00"))))
case("a huge string length", lambda s: (hello(s, "h10@127.0.0.1:1"), s.sendall(frame(b"\x10" + varint(0) + b"\x01\x05" + varint(1 << 40) + b"a"))))
case("a chunk without a start", lambda s: (hello(s, "h11@127.0.0.1:1"), s.sendall(frame(b"\x1e\x02abc"))))
case("a chunked message longer than announced", lambda s: (hello(s, "h12@127.0.0.1:1"), s.sendall(frame(b"\x1e\x01" + varint(70000) + b"x" * 65536) + frame(b"\x1e\x02" + b"y" * 8000))))
case("a handshake frame after the handshake", lambda s: (hello(s, "h13@127.0.0.1:1"), s.sendall(frame(b"\x01" + name("x@y") + b"\x01"))))

bad = [l for l, ok in results if not ok]
print("%d passed, %d failed" % (len(results) - len(bad), len(bad)))
sys.exit(1 if bad else 0)
