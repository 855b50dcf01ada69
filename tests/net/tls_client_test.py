#!/usr/bin/env python3
"""HTTPS, the client, and the graceful stop (issue 18), under the
deterministic scheduler and with --threads 2:

- HTTPS with a certificate the test makes with the `openssl` command: curl
  over TLS 1.2 and 1.3, Python's ssl module with keep-alive, a handler panic
  over TLS (500), a failed handshake (plain text, garbage, a client that
  does not trust the certificate) affects only its connection;
- HTTP.get / post / request (tests/net/client.snow) against a Snow server:
  bodies, redirects (at most 5), status errors with the URL, bad URLs,
  connection refused, https verified against the CA store (SSL_CERT_FILE
  names the test's certificate; without it verification fails);
- SIGTERM during a slow request: it completes, new connections are refused,
  the program exits with 0.
Prints `N passed, N failed`."""
import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httplib import BOUND, MODES, NET, SNOW, Checks, Server, get  # noqa: E402

C = Checks()
TMP = tempfile.mkdtemp(prefix="snow-https-")
CERT = os.path.join(TMP, "cert.pem")
KEY = os.path.join(TMP, "key.pem")


def make_cert():
    r = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", KEY, "-out", CERT,
                        "-days", "2", "-subj", "/CN=localhost", "-addext",
                        "subjectAltName=DNS:localhost,IP:127.0.0.1"], capture_output=True, timeout=60)
    C.check(r.returncode == 0, "openssl makes a certificate", r.stderr.decode())


def curl(args):
    r = subprocess.run(["curl", "-s", "--max-time", str(int(BOUND))] + args, capture_output=True, timeout=BOUND + 5)
    return r.returncode, r.stdout.decode("utf-8", "replace")


def https(mode, margs):
    m = "[%s] " % mode
    s = Server("tls_app.snow", margs, args=[CERT, KEY])
    C.check(s.port is not None and "HTTPS server listening on 0.0.0.0:" in s.listening_line,
            m + "HTTPS listening line", s.stderr())
    if not s.port:
        s.stop()
        return
    url = "https://localhost:%d/health" % s.port
    for v in (["--tlsv1.2", "--tls-max", "1.2"], ["--tlsv1.3"]):
        C.eq(curl(["--cacert", CERT] + v + [url]), (0, '{"status":"ok"}'), m + "curl " + v[0])
    C.eq(curl(["--cacert", CERT, "-d", "over tls", "https://localhost:%d/echo" % s.port]), (0, "over tls"),
         m + "curl POST over TLS")
    # a client that does not trust the certificate fails; the server does not care
    rc, _ = curl([url])
    C.check(rc != 0, m + "an untrusting client fails its handshake")
    # plain text and garbage on the TLS port: that connection only
    for junk in (b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n", os.urandom(300)):
        k = s.connect(timeout=5)
        try:
            k.sendall(junk)
            k.recv(100)
        except OSError:
            pass
        k.close()
    ctx = ssl.create_default_context(cafile=CERT)
    c = http.client.HTTPSConnection("localhost", s.port, context=ctx, timeout=BOUND)
    for i in range(3):
        c.request("GET", "/health")
        r = c.getresponse()
        C.eq((r.status, r.read()), (200, b'{"status":"ok"}'), m + "python ssl keep-alive #%d" % i)
    c.request("GET", "/crash")
    r = c.getresponse()
    C.eq((r.status, r.read()), (500, b""), m + "panic over TLS is 500")
    c.close()
    C.eq(curl(["--cacert", CERT, url]), (0, '{"status":"ok"}'), m + "serving after all that")
    C.check(s.alive(), m + "HTTPS server alive")
    s.stop()
    # a certificate that cannot be loaded
    s = Server("tls_app.snow", margs, args=[os.path.join(TMP, "missing.pem"), KEY])
    time.sleep(0.1)
    s.proc.wait(BOUND)
    C.check("[snow-rt] Failed to load TLS certificates:" in s.stderr(), m + "bad certificate message", s.stderr())
    s.stop()


EXPECTED = """Ok: {"status":"ok"}
Err: http://127.0.0.1:PORT/missing: status code 404
Ok: Some(application/json) {"n":1}
Ok: arrived
Err: http://127.0.0.1:PORT/redirect/4: Too Many Redirects: more than 5 redirects
Err: http://127.0.0.1:PORT/missing: status code 404 (redirected from http://127.0.0.1:PORT/gone)
Ok: root
Err: ftp://example.com/: Invalid Url: URL scheme is not allowed (only http and https)
Err: http://127.0.0.1:1/: Connection Failed: Connect error: Connection refused (os error 111)
Ok: {"status":"ok"}
request: 200 Some(PUT) Some(yes) put body
request: 404 Not Found
"""


def client(mode, margs):
    m = "[%s] " % mode
    srv = Server("client_server.snow", margs)
    tls = Server("tls_app.snow", margs, args=[CERT, KEY])
    if not srv.port or not tls.port:
        C.check(False, m + "client servers", srv.stderr() + tls.stderr())
    else:
        env = dict(os.environ, SSL_CERT_FILE=CERT)
        r = subprocess.run([SNOW, "run"] + margs + [os.path.join(NET, "client.snow"), "--", str(srv.port), str(tls.port)],
                           capture_output=True, timeout=120, env=env, cwd=NET)
        C.eq(r.stdout.decode(), EXPECTED.replace("PORT", str(srv.port)), m + "client results")
        # without the test's certificate in the CA store, verification fails
        env = dict(os.environ, SSL_CERT_FILE=os.path.join(TMP, "none.pem"), SSL_CERT_DIR=TMP)
        r = subprocess.run([SNOW, "run"] + margs + [os.path.join(NET, "client.snow"), "--", str(srv.port), str(tls.port)],
                           capture_output=True, timeout=120, env=env, cwd=NET)
        lines = r.stdout.decode().splitlines()
        C.check(len(lines) > 9 and lines[9].startswith("Err: https://localhost:%d/health: Tls Failed: certificate verify failed"
                                                        % tls.port), m + "unverified certificate refused", r.stdout.decode())
    srv.stop()
    tls.stop()


def shutdown(mode, margs):
    m = "[%s] " % mode
    s = Server("app.snow", margs)
    if not s.port:
        C.check(False, m + "shutdown server", s.stderr())
        s.stop()
        return
    result = {}

    def slow():
        result["slow"] = get(s.port, "/slow")

    idle = s.connect()  # an idle keep-alive connection: ended by the stop
    idle.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    idle.recv(4096)
    t = threading.Thread(target=slow)
    t.start()
    time.sleep(0.5)  # the slow request is in its handler (it sleeps 1.5 s)
    s.proc.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    refused = False
    try:
        k = socket.create_connection(("127.0.0.1", s.port), timeout=2)
        k.close()
    except ConnectionRefusedError:
        refused = True
    C.check(refused, m + "new connections refused while stopping")
    t.join(BOUND)
    r = result.get("slow")
    C.eq((r[0], r[2], r[1].get("connection")) if r else None, ("HTTP/1.1 200 OK", b"slow done", "close"),
         m + "the slow request completes")
    idle.settimeout(5)
    try:
        C.eq(idle.recv(100), b"", m + "the idle connection is closed")
    except OSError as e:
        C.check(False, m + "the idle connection is closed", str(e))
    try:
        code = s.proc.wait(BOUND)
    except subprocess.TimeoutExpired:
        code = None
    C.eq(code, 0, m + "exit status 0 after SIGTERM")
    s.stop()


def main():
    make_cert()
    for mode, margs in MODES:
        https(mode, margs)
        client(mode, margs)
        shutdown(mode, margs)
    shutil.rmtree(TMP, ignore_errors=True)
    return C.report()


if __name__ == "__main__":
    sys.exit(main())
