#!/usr/bin/env python3
"""Hostile input (issue 18, decision 28): a checklist of raw-socket requests
in the style of the Http11Probe suite against tests/net/hostile_app.snow
(header timeout 2 s, idle timeout 3 s, body limit 1 MiB).

Each case must get the status decision 28 gives it, followed by a clean
close (`Connection: close`, then end of stream), or a clean close without
an answer where none is owed; after every case a normal request on a new
connection still gets 200; the server's peak RSS stays within 64 MB of its RSS at start.

- the table of CASES: smuggling (CL/TE variants, duplicate Content-Length),
  chunk sizes, header syntax (obs-fold, bare CR/LF, space before the colon),
  request lines, limits (431/413), TLS and HTTP/2 bytes on the plain port;
  under the deterministic scheduler and with --threads 2;
- timed and connection-level cases (--threads 2): slowloris at one byte a
  second, unterminated heads and bodies, half-closed sockets, resets, a
  million pipelined requests, idle connections, a client that never reads;
- HTTPS: plain text, garbage and a stalled handshake on the TLS port;
- the inputs of the fuzz target's corpus (tests/fuzz/corpus/http).
Prints `N passed, N failed`."""
import os
import re
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httplib import BOUND, Checks, Server, get, rss_kb  # noqa: E402

C = Checks()
LIMIT = 1048576
# the server's RSS may grow this much over its RSS when it started listening
# (scripts/run-tsan raises it: ThreadSanitizer's own memory grows with the
# million requests)
RSS_GROWTH_KB = int(os.environ.get("HTTP_RSS_GROWTH_MB", "64")) * 1024

H = b"Host: x\r\n"
POST = b"POST /echo HTTP/1.1\r\n" + H
GET = b"GET /health HTTP/1.1\r\n" + H

# (name, raw bytes, expected status; None: a clean close without an answer)
CASES = [
    # smuggling: Content-Length / Transfer-Encoding
    ("CL and TE", POST + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("TE and CL", POST + b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400),
    ("duplicate CL, differing", POST + b"Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 400),
    ("duplicate CL, equal", POST + b"Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", 400),
    ("CL list", POST + b"Content-Length: 5, 5\r\n\r\nhello", 400),
    ("CL negative", POST + b"Content-Length: -1\r\n\r\nhello", 400),
    ("CL with plus", POST + b"Content-Length: +5\r\n\r\nhello", 400),
    ("CL with inner space", POST + b"Content-Length: 5 5\r\n\r\nhello", 400),
    ("CL hex", POST + b"Content-Length: 0x5\r\n\r\nhello", 400),
    ("CL overflow", POST + b"Content-Length: 99999999999999999999999\r\n\r\nhello", 400),
    ("CL absurd", POST + b"Content-Length: 1000000000\r\n\r\nhello", 413),
    ("CL trailing junk", POST + b"Content-Length: 5abc\r\n\r\nhello", 400),
    ("CL empty", POST + b"Content-Length: \r\n\r\nhello", 400),
    ("CL over the limit", POST + b"Content-Length: %d\r\n\r\nhello" % (LIMIT + 1), 413),
    ("CL over the limit with Expect", POST + b"Content-Length: %d\r\nExpect: 100-continue\r\n\r\n" % (LIMIT + 1), 413),
    ("TE chunked, identity", POST + b"Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400),
    ("TE xchunked", POST + b"Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400),
    ("TE chunked, chunked", POST + b"Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400),
    ("TE gzip, chunked", POST + b"Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 400),
    ("TE twice", POST + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    ("TE obs-fold", POST + b"Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", 400),
    ("TE space before colon", POST + b"Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400),
    ("TE vertical tab", POST + b"Transfer-Encoding: \x0bchunked\r\n\r\n0\r\n\r\n", 400),
    ("CL 0 with a request in the body", POST + b"Content-Length: 0\r\n\r\nGARBAGE / HTTP/1.1\r\n\r\n", [200, 400]),
    # chunk sizes and framing
    ("chunk size overflow", POST + b"Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk size 2^63-1", POST + b"Transfer-Encoding: chunked\r\n\r\n7FFFFFFFFFFFFFFF\r\nhello\r\n0\r\n\r\n", 413),
    ("chunk size over the limit", POST + b"Transfer-Encoding: chunked\r\n\r\n100001\r\nhello\r\n0\r\n\r\n", 413),
    ("chunk size not hex", POST + b"Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk size negative", POST + b"Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk without CRLF", POST + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n", 400),
    ("chunk with bare LF", POST + b"Transfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n", 400),
    ("chunk size leading space", POST + b"Transfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk extension with bare CR", POST + b"Transfer-Encoding: chunked\r\n\r\n5;a\rb\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk size then space", POST + b"Transfer-Encoding: chunked\r\n\r\n5 ;a=b\r\nhello\r\n0\r\n\r\n", 400),
    # header syntax
    ("obs-fold", GET + b"X-A: 1\r\n 2\r\n\r\n", 400),
    ("obs-fold with tab", GET + b"X-A: 1\r\n\t2\r\n\r\n", 400),
    ("space before colon", b"GET /health HTTP/1.1\r\nHost : x\r\n\r\n", 400),
    ("tab before colon", b"GET /health HTTP/1.1\r\nHost\t: x\r\n\r\n", 400),
    ("bare CR in a value", b"GET /health HTTP/1.1\r\nHost: x\rX\r\n\r\n", 400),
    ("bare CR line ends", b"GET /health HTTP/1.1\rHost: x\r\r", 400),
    ("bare LF after the request line", b"GET /health HTTP/1.1\nHost: x\r\n\r\n", 400),
    ("bare LF after a header", b"GET /health HTTP/1.1\r\nHost: x\nX-A: 1\r\n\r\n", 400),
    ("bare LF everywhere", b"GET /health HTTP/1.1\nHost: x\n\n", 400),
    ("NUL in a value", b"GET /health HTTP/1.1\r\nHost: x\x00y\r\n\r\n", 400),
    ("control byte in a value", GET + b"X-A: a\x01b\r\n\r\n", 400),
    ("DEL in a value", GET + b"X-A: a\x7fb\r\n\r\n", 400),
    ("line without colon", GET + b"Hello\r\n\r\n", 400),
    ("empty header name", GET + b": v\r\n\r\n", 400),
    ("separator in a name", GET + b"X(A): 1\r\n\r\n", 400),
    ("whitespace before the first header", b"GET /health HTTP/1.1\r\n Host: x\r\n\r\n", 400),
    ("no Host", b"GET /health HTTP/1.1\r\nX-A: 1\r\n\r\n", 400),
    ("two Host lines", b"GET /health HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400),
    ("header section over 8 KiB", GET + b"X-A: " + b"a" * 9000 + b"\r\n\r\n", 431),
    ("101 header lines", GET + b"".join(b"X-%d: 1\r\n" % i for i in range(100)) + b"\r\n", 431),
    ("10000 tiny header lines", GET + b"X: 1\r\n" * 10000 + b"\r\n", 431),
    ("100 header lines (the limit)", GET + b"".join(b"X-%d: 1\r\n" % i for i in range(98)) +
     b"Connection: close\r\n\r\n", 200),
    # request lines
    ("method with @", b"G@T /health HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("lower-case method", b"get /health HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("unknown method", b"FOO /health HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("HTTP/0.9 request line", b"GET /health\r\n\r\n", 400),
    ("HTTP/2.0 version", b"GET /health HTTP/2.0\r\n" + H + b"\r\n", 400),
    ("HTTP/1.2 version", b"GET /health HTTP/1.2\r\n" + H + b"\r\n", 400),
    ("lower-case version", b"GET /health http/1.1\r\n" + H + b"\r\n", 400),
    ("two spaces after the method", b"GET  /health HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("space after the version", b"GET /health HTTP/1.1 \r\n" + H + b"\r\n", 400),
    ("space in the target", b"GET /a b HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("control byte in the target", b"GET /a\x01b HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("no target", b"GET HTTP/1.1\r\n" + H + b"\r\n", 400),
    ("target over 8 KiB", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n" + H + b"\r\n", 431),
    ("absolute-form target", b"GET http://x/health HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n", 200),
    ("empty lines before the request", b"\r\n\r\n" + GET + b"Connection: close\r\n\r\n", 200),
    # not HTTP/1.x at all
    ("HTTP/2 preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 400),
    ("TLS ClientHello on the plain port", bytes.fromhex("16030100a5010000a10303") + os.urandom(160), 400),
    ("NUL bytes", b"\x00" * 100, 400),
    ("every byte value", bytes(range(256)), 400),
    ("only CRLFs, then close", b"\r\n" * 50, None),
    ("nothing, then close", b"", None),
    ("unterminated head, then close", b"GET /health HTTP/1.1\r\nHost: x\r\nX-A: 1", None),
    ("short body, then close", POST + b"Content-Length: 10\r\n\r\nhello", None),
    ("unfinished chunked body, then close", POST + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhel", None),
]


def read_all(s, limit=1 << 20):
    """Everything until end of stream; '<reset>' / '<timeout>' appended if so."""
    data = b""
    while len(data) < limit:
        try:
            d = s.recv(65536)
        except ConnectionResetError:
            return data, "reset"
        except socket.timeout:
            return data, "timeout"
        if not d:
            return data, "eof"
        data += d
    return data, "limit"


def status_of(data):
    line = data.split(b"\r\n", 1)[0]
    parts = line.split(b" ")
    return int(parts[1]) if len(parts) > 1 and parts[0] == b"HTTP/1.1" and parts[1].isdigit() else None


def answered(name, data, how, want, m):
    """One answer then a clean close (or nothing then a clean close)."""
    if want is None:
        C.check(data == b"" and how in ("eof", "reset"), m + name + ": closed without an answer",
                "%r %s" % (data[:200], how))
        return
    wants = want if isinstance(want, list) else [want]
    st = status_of(data)
    C.check(st in wants and how == "eof", m + name + ": %s then close" % want, "got %r (%s)" % (data[:200], how))
    if st and st >= 400:
        C.check(b"\r\nConnection: close\r\n" in data.split(b"\r\n\r\n")[0] + b"\r\n",
                m + name + ": the answer says Connection: close", repr(data[:200]))


def still_serving(s, m, what):
    r = get(s.port, "/health")
    C.eq(r[0] if r else None, "HTTP/1.1 200 OK", m + "after " + what + ": a new connection gets 200")


def one_case(s, name, raw, want, m, half_close=True):
    k = s.connect(timeout=10)
    try:
        k.sendall(raw)
        if half_close and want is None:
            try:
                k.shutdown(socket.SHUT_WR)
            except OSError:
                pass  # the server closed first: read_all sees it
        data, how = read_all(k)
    except OSError as e:
        data, how = b"", "error %s" % e
    finally:
        k.close()
    answered(name, data, how, want, m)
    still_serving(s, m, name)


def table(mode, margs):
    m = "[%s] " % mode
    s = Server("hostile_app.snow", margs)
    if not s.port:
        C.check(False, m + "hostile server", s.stderr())
        s.stop()
        return
    s.rss0 = rss_kb(s.proc.pid)
    for name, raw, want in CASES:
        one_case(s, name, raw, want, m)
    # the fuzz target's hand-written seeds and regressions (byte 0 is its
    # piece size; the inputs it found itself are named by their SHA-1):
    # answered or closed, and the server keeps serving
    corpus = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "corpus", "http")
    for f in sorted(os.listdir(corpus)):
        if re.fullmatch(r"[0-9a-f]{40}", f):
            continue
        with open(os.path.join(corpus, f), "rb") as fh:
            raw = fh.read()[1:]
        k = s.connect(timeout=10)
        try:
            k.sendall(raw)
            k.shutdown(socket.SHUT_WR)
            data, how = read_all(k)
        except OSError:
            data, how = b"", "reset"
        k.close()
        C.check(how in ("eof", "reset") and (data == b"" or data.startswith(b"HTTP/1.1 ")),
                m + "fuzz corpus " + f + ": answered or closed", "%r %s" % (data[:100], how))
        still_serving(s, m, "fuzz corpus " + f)
    C.check(s.alive(), m + "the server is alive after the table")
    rss = rss_kb(s.proc.pid)
    C.check(0 < rss < s.rss0 + RSS_GROWTH_KB, m + "RSS bounded after the table", "%d kB (at start %d)" % (rss, s.rss0))
    s.stop()


def timed(s, m):
    """Cases that wait for a timeout, run side by side (each in a thread)."""
    results = {}

    def slowloris():
        k = s.connect(timeout=15)
        data, how = b"", "sent"
        try:
            for b in b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"y" * 40:
                k.sendall(bytes([b]))
                k.settimeout(1.0)
                try:
                    d = k.recv(4096)
                except socket.timeout:
                    continue
                data = d
                break
            k.settimeout(5)
            more, how = read_all(k)
            data += more
        except OSError as e:
            how = "error %s" % e
        k.close()
        results["slowloris, one byte a second"] = (data, how, 408)

    def stalled(name, raw, want, close_after=None):
        def run():
            k = s.connect(timeout=10)
            k.sendall(raw)
            data, how = read_all(k)
            k.close()
            results[name] = (data, how, want)
        return run

    jobs = [slowloris,
            stalled("unterminated head, kept open", b"GET /health HTTP/1.1\r\nHost: x\r\n", 408),
            stalled("request line only, kept open", b"GET /health HTTP/1.1", 408),
            stalled("short body, kept open", POST + b"Content-Length: 10\r\n\r\nhello", 408),
            stalled("unfinished chunked body, kept open", POST + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhel", 408),
            stalled("100-continue, body never sent", POST + b"Content-Length: 5\r\nExpect: 100-continue\r\n\r\n",
                    [100, 408])]
    ths = [threading.Thread(target=j) for j in jobs]
    for t in ths:
        t.start()
    # while they wait: the server answers others at once
    t0 = time.time()
    still_serving(s, m, "starting the slow cases")
    C.check(time.time() - t0 < 5, m + "slow clients do not hold others up")
    for t in ths:
        t.join(BOUND)
    for name, (data, how, want) in sorted(results.items()):
        if want == [100, 408]:
            ok = data.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 408 ") and how == "eof"
            C.check(ok, m + name + ": 100 Continue, then 408 and close", "%r %s" % (data[:200], how))
        else:
            answered(name, data, how, want, m)
    C.eq(len(results), len(jobs), m + "every slow case finished")
    still_serving(s, m, "the slow cases")


def connections(s, m):
    # a complete request, then half-close: answered, then closed
    k = s.connect()
    k.sendall(GET + b"\r\n" + GET + b"\r\n")
    k.shutdown(socket.SHUT_WR)
    data, how = read_all(k)
    k.close()
    C.check(data.count(b"HTTP/1.1 200 OK") == 2 and how == "eof", m + "two pipelined, then half-close: both answered",
            "%r %s" % (data[:300], how))
    still_serving(s, m, "half-close")
    # a reset in the middle of a request (SO_LINGER 0)
    for raw in (b"GET /health HTTP/1.1\r\nHo", POST + b"Content-Length: 100\r\n\r\nabc"):
        k = s.connect()
        k.sendall(raw)
        time.sleep(0.05)
        k.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        k.close()
    still_serving(s, m, "resets mid-request")
    # 100 connections opened and closed at once, 300 left idle
    for _ in range(100):
        socket.create_connection(("127.0.0.1", s.port), timeout=5).close()
    idle = [socket.create_connection(("127.0.0.1", s.port), timeout=5) for _ in range(300)]
    still_serving(s, m, "300 idle connections")
    for k in idle:
        k.close()
    # a client that sends a 1 MiB body to echo and never reads the answer
    k = s.connect()
    k.sendall(POST + b"Content-Length: %d\r\n\r\n" % LIMIT + b"e" * LIMIT)
    time.sleep(0.3)
    k.close()
    still_serving(s, m, "a client that never reads")
    # a body exactly at the limit, by Content-Length and chunked
    k = s.connect()
    k.sendall(POST + b"Content-Length: %d\r\nConnection: close\r\n\r\n" % LIMIT + b"b" * LIMIT)
    data, how = read_all(k, 4 << 20)
    k.close()
    C.check(status_of(data) == 200 and data.endswith(b"b" * 1000) and len(data.split(b"\r\n\r\n", 1)[1]) == LIMIT,
            m + "a body of exactly the limit is served", "%r %s" % (data[:200], how))
    k = s.connect()
    chunks = b"".join(b"10000\r\n" + b"c" * 65536 + b"\r\n" for _ in range(17)) + b"0\r\n\r\n"
    k.sendall(POST + b"Transfer-Encoding: chunked\r\n\r\n" + chunks)
    data, how = read_all(k, 4 << 20)
    k.close()
    answered("chunks adding up to more than the limit", data, how, 413, m)
    still_serving(s, m, "bodies at the limit")


def million(s, m):
    """A million pipelined requests on one connection, read while sent."""
    n = 1000000
    req = GET + b"\r\n"
    k = s.connect(timeout=60)
    err = []

    def send():
        try:
            batch = req * 10000
            for _ in range(n // 10000):
                k.sendall(batch)
        except OSError as e:
            err.append(e)

    t = threading.Thread(target=send)
    t.start()
    first = b""
    size = None
    got = 0
    peak = 0
    last = time.time()
    while got < n * (size or 1) or size is None:
        try:
            d = k.recv(1 << 20)
        except OSError as e:
            err.append(e)
            break
        if not d:
            break
        if size is None:
            first += d
            at = first.find(b'{"status":"ok"}')
            if at >= 0:
                size = at + 15
        got += len(d)
        if time.time() - last > 0.5:
            last = time.time()
            peak = max(peak, rss_kb(s.proc.pid))
    tail = d[-(size or 1):] if got else b""
    t.join(BOUND)
    k.close()
    C.check(size is not None and got == n * size and tail.startswith(b"HTTP/1.1 200 OK")
            and tail.endswith(b'{"status":"ok"}') and not err,
            m + "a million pipelined requests: a million answers, in order", "%d bytes, %s, %r" % (got, err, tail[:80]))
    C.check(peak < s.rss0 + RSS_GROWTH_KB, m + "RSS bounded during the million", "%d kB (at start %d)" % (peak, s.rss0))
    still_serving(s, m, "a million pipelined requests")


def dynamic(mode, margs):
    m = "[%s] " % mode
    s = Server("hostile_app.snow", margs)
    if not s.port:
        C.check(False, m + "hostile server", s.stderr())
        s.stop()
        return
    s.rss0 = rss_kb(s.proc.pid)
    timed(s, m)
    connections(s, m)
    million(s, m)
    C.check(s.alive(), m + "the server is alive at the end")
    hwm = 0
    try:
        with open("/proc/%d/status" % s.proc.pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        pass
    C.check(0 < hwm < s.rss0 + RSS_GROWTH_KB, m + "peak RSS bounded", "%d kB (at start %d)" % (hwm, s.rss0))
    s.stop()


def tls(mode, margs):
    m = "[%s] " % mode
    tmp = tempfile.mkdtemp(prefix="snow-hostile-")
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                        "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost"],
                       capture_output=True, timeout=60)
    C.check(r.returncode == 0, m + "openssl makes a certificate", r.stderr.decode())
    s = Server("hostile_app.snow", margs, args=[cert, key])
    if not s.port:
        C.check(False, m + "hostile TLS server", s.stderr())
        s.stop()
        shutil.rmtree(tmp, ignore_errors=True)
        return
    ctx = ssl.create_default_context(cafile=cert)
    ctx.check_hostname = False

    def https_ok(what):
        try:
            with socket.create_connection(("127.0.0.1", s.port), timeout=10) as raw:
                with ctx.wrap_socket(raw, server_hostname="localhost") as k:
                    k.sendall(GET + b"Connection: close\r\n\r\n")
                    data, _ = read_all(k)
        except (OSError, ssl.SSLError) as e:
            data = repr(e).encode()
        C.check(data.startswith(b"HTTP/1.1 200 OK"), m + "after " + what + ": HTTPS still gets 200", repr(data[:100]))

    https_ok("start")
    for name, raw in [("plain HTTP on the TLS port", GET + b"\r\n"), ("garbage on the TLS port", os.urandom(500)),
                      ("a TLS record header announcing 16 KiB, then close", b"\x16\x03\x01\x40\x00")]:
        k = s.connect(timeout=10)
        try:
            k.sendall(raw)
            k.shutdown(socket.SHUT_WR)  # the server may have closed already
            data, how = read_all(k)
        except OSError:
            data, how = b"", "reset"
        k.close()
        C.check(not data.startswith(b"HTTP/") and how in ("eof", "reset"), m + name + ": closed",
                "%r %s" % (data[:100], how))
        https_ok(name)
    # a handshake that stalls halfway: ended by the header timeout
    k = s.connect(timeout=10)
    k.sendall(b"\x16\x03\x01\x00\xa5\x01\x00")
    t0 = time.time()
    data, how = read_all(k)
    k.close()
    C.check(how in ("eof", "reset") and time.time() - t0 < 8, m + "stalled handshake: closed by the timeout",
            "%r %s" % (data[:100], how))
    https_ok("a stalled handshake")
    C.check(s.alive(), m + "the TLS server is alive at the end")
    s.stop()
    shutil.rmtree(tmp, ignore_errors=True)


def main():
    table("det", [])
    table("threads2", ["--threads", "2"])
    dynamic("threads2", ["--threads", "2"])
    tls("threads2", ["--threads", "2"])
    print("%d cases in the table" % len(CASES))
    return C.report()


if __name__ == "__main__":
    sys.exit(main())
