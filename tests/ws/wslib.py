"""Helpers of the WebSocket tests (tests/ws/*.py): start tests/ws/app.snow
(through tests/net/httplib.py's Server), and a raw RFC 6455 client that
builds any frame, legal or not, and reads the server's frames."""
import atexit
import base64
import hashlib
import os
import socket
import ssl
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "net"))
from httplib import BOUND, MODES, SNOW, Checks, Server  # noqa: E402,F401

APP = os.path.join(HERE, "app.snow")
if os.environ.get("WS_MODES"):  # e.g. WS_MODES=threads2 (scripts/run-tsan)
    MODES = [m for m in MODES if m[0] in os.environ["WS_MODES"].split(",")]
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OP_CONT, OP_TEXT, OP_BIN, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10


STARTED = []


@atexit.register
def _stop_all():
    """No server outlives its test, even one that stopped on an exception."""
    for s in STARTED:
        if s.proc.poll() is None:
            s.proc.kill()


def start(mode, margs=(), extra=(), env=None, events=None):
    """The test server in `mode` (ws, wss, http, https)."""
    s = Server(APP, list(margs), args=[mode] + list(extra), env=env, events=events)
    STARTED.append(s)
    return s


def make_cert(tmp, checks):
    """A self-signed certificate and key in tmp (the openssl command)."""
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=localhost"], capture_output=True, timeout=60)
    checks.check(r.returncode == 0, "openssl makes a certificate", r.stderr.decode())
    return cert, key


def frame(op, payload=b"", fin=True, rsv=0, mask=True, length=None):
    """One client frame; `length` overrides the declared payload length."""
    if isinstance(payload, str):
        payload = payload.encode()
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | (rsv << 4) | op
    m = 0x80 if mask else 0
    if n < 126:
        head = struct.pack("!BB", b0, m | n)
    elif n < 65536:
        head = struct.pack("!BBH", b0, m | 126, n)
    else:
        head = struct.pack("!BBQ", b0, m | 127, n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    body = bytes(c ^ key[i % 4] for i, c in enumerate(payload)) if len(payload) < 4096 else _mask_big(payload, key)
    return head + key + body


def _mask_big(payload, key):
    k = (key * (len(payload) // 4 + 1))[: len(payload)]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(k, "big")).to_bytes(len(payload), "big")


def close_payload(code, reason=b""):
    if isinstance(reason, str):
        reason = reason.encode()
    return struct.pack("!H", code) + reason


class Closed(Exception):
    pass


class Raw:
    """A raw client connection: handshake, send bytes, read frames."""

    def __init__(self, port, path="/", tls=False, headers=None, timeout=BOUND):
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        if tls:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            s = ctx.wrap_socket(s)
        self.s = s
        self.buf = b""
        self.close_reason = None
        self.key = base64.b64encode(os.urandom(16)).decode()
        h = headers if headers is not None else {
            "Host": "localhost", "Upgrade": "websocket", "Connection": "Upgrade",
            "Sec-WebSocket-Key": self.key, "Sec-WebSocket-Version": "13"}
        req = "GET %s HTTP/1.1\r\n" % path + "".join("%s: %s\r\n" % kv for kv in h.items()) + "\r\n"
        s.sendall(req.encode())
        while b"\r\n\r\n" not in self.buf:
            d = s.recv(65536)
            if not d:
                break
            self.buf += d
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        self.buf = bytearray(rest)
        lines = head.decode("latin-1").split("\r\n")
        self.status_line = lines[0]
        self.headers = {}
        for ln in lines[1:]:
            k, _, v = ln.partition(":")
            self.headers[k.strip().lower()] = v.strip()
        self.status = int(self.status_line.split()[1]) if len(self.status_line.split()) > 1 else 0
        if self.status == 400 and "content-length" in self.headers:
            n = int(self.headers["content-length"])
            while len(self.buf) < n:
                d = s.recv(65536)
                if not d:
                    break
                self.buf += d
            self.body = bytes(self.buf[:n]).decode()

    def accept_ok(self):
        want = base64.b64encode(hashlib.sha1(self.key.encode() + GUID).digest()).decode()
        return self.headers.get("sec-websocket-accept") == want

    def send(self, data, chop=None, pause=0.0):
        if chop is None:
            self.s.sendall(data)
            return
        for i in range(0, len(data), chop):
            self.s.sendall(data[i:i + chop])
            if pause:
                time.sleep(pause)

    def _need(self, n):
        while len(self.buf) < n:
            d = self.s.recv(max(65536, n - len(self.buf)))
            if not d:
                raise Closed()
            self.buf += d

    def read_frame(self):
        """(fin, rsv, op, payload) of the next server frame; Closed at EOF."""
        self._need(2)
        b0, b1 = self.buf[0], self.buf[1]
        n = b1 & 0x7F
        at = 2
        if n == 126:
            self._need(4)
            n = struct.unpack("!H", self.buf[2:4])[0]
            at = 4
        elif n == 127:
            self._need(10)
            n = struct.unpack("!Q", self.buf[2:10])[0]
            at = 10
        masked = b1 & 0x80
        if masked:
            at += 4
        self._need(at + n)
        payload = bytes(self.buf[at:at + n])
        del self.buf[:at + n]
        return (b0 >> 7, (b0 >> 4) & 7, b0 & 0xF, payload, bool(masked))

    def recv_msg(self):
        """The next data message (op, payload), answering nothing; control
        frames other than close are returned as they come."""
        fin, _, op, p, _ = self.read_frame()
        return op, p

    def expect_close(self):
        """Read until the server's Close: its code (None if no payload),
        then wait for the end of the stream. 'eof' if the stream ends
        without a Close."""
        try:
            while True:
                fin, rsv, op, p, _ = self.read_frame()
                if op == OP_CLOSE:
                    code = struct.unpack("!H", p[:2])[0] if len(p) >= 2 else None
                    self.close_reason = p[2:]
                    try:
                        self.s.sendall(frame(OP_CLOSE, p[:2]))
                    except OSError:
                        pass
                    self.eof()
                    return code
        except (Closed, ConnectionResetError):
            return "eof"
        except socket.timeout:
            return "timeout"

    def eof(self):
        try:
            while self.s.recv(65536):
                pass
            return True
        except (OSError, socket.timeout):
            return False

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass
