#!/usr/bin/env python3
"""The HTTP server with real clients (issue 18, decision 28), under the
deterministic scheduler and with --threads 2: the four scenarios of
net.md §1.9, keep-alive, pipelining, chunked upload, Expect: 100-continue,
HEAD, 204/304, reason phrases, custom headers, a handler panic answered by
500 while serving goes on; clients: Python's http.client, raw sockets and
curl.  Prints `N passed, N failed`."""
import http.client
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httplib import BOUND, MODES, Checks, Server, exchange, get  # noqa: E402

C = Checks()


def hc(port):
    return http.client.HTTPConnection("127.0.0.1", port, timeout=BOUND)


def curl(args, stdin=None):
    r = subprocess.run(["curl", "-s", "--max-time", str(int(BOUND))] + args, capture_output=True, timeout=BOUND + 5,
                       input=stdin)
    return r.stdout.decode("utf-8", "replace")


def scenarios(mode, margs):
    m = "[%s] " % mode
    s = Server("scen1_health.snow", margs)
    C.check(s.port is not None, m + "scenario 1 listening line", s.stderr())
    if s.port:
        C.check(s.listening_line.startswith("[snow-rt] HTTP server listening on 0.0.0.0:"), m + "listening text")
        c = hc(s.port)
        c.request("GET", "/health")
        r = c.getresponse()
        C.eq((r.status, r.reason, r.read()), (200, "OK", b'{"status":"ok"}'), m + "scenario 1")
        C.eq(r.getheader("Content-Type"), "application/json; charset=utf-8", m + "default content type")
        st = exchange(s.port, b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        C.eq(st[0][0] if st else None, "HTTP/1.1 200 OK", m + "scenario 1 status line")
    s.stop()

    s = Server("scen2_params.snow", margs)
    if s.port:
        for meth, path, body in [("GET", "/users/42", "42"), ("GET", "/users/me", "me"), ("POST", "/data", "posted"),
                                 ("POST", "/users/42", "fallback"), ("GET", "/unknown/path", "fallback"),
                                 ("GET", "//users//42", "42"), ("GET", "/users/42/", "42")]:
            c = hc(s.port)
            c.request(meth, path)
            r = c.getresponse()
            C.eq((r.status, r.read().decode()), (200, body), m + "scenario 2 %s %s" % (meth, path))
    else:
        C.check(False, m + "scenario 2 server", s.stderr())
    s.stop()

    s = Server("scen3_middleware.snow", margs)
    if s.port:
        for path, st, reason, body in [("/hello", 200, "OK", "hello-world"), ("/secret", 401, "Unauthorized", "Unauthorized"),
                                       ("/nonexistent", 404, "Not Found", "Not Found")]:
            r = get(s.port, path)
            C.eq((r[0], r[2].decode()) if r else None, ("HTTP/1.1 %d %s" % (st, reason), body), m + "scenario 3 " + path)
    else:
        C.check(False, m + "scenario 3 server", s.stderr())
    s.stop()

    s = Server("scen4_crash.snow", margs)
    if s.port:
        r = get(s.port, "/crash")
        C.eq((r[0], r[2]) if r else None, ("HTTP/1.1 500 Internal Server Error", b""), m + "scenario 4 crash is 500")
        r = get(s.port, "/health")
        C.eq((r[0], r[2]) if r else None, ("HTTP/1.1 200 OK", b'{"status":"ok"}'), m + "scenario 4 health after crash")
        time.sleep(0.2)
        C.check("panic" in s.stderr(), m + "scenario 4 panic report on stderr", s.stderr())
        C.check(s.alive(), m + "scenario 4 server alive")
    else:
        C.check(False, m + "scenario 4 server", s.stderr())
    s.stop()


def features(mode, margs):
    m = "[%s] " % mode
    s = Server("app.snow", margs)
    if not s.port:
        C.check(False, m + "app server", s.stderr())
        s.stop()
        return
    p = s.port
    # keep-alive: several requests, one connection
    c = hc(p)
    socks = set()
    for i in range(5):
        c.request("GET", "/health")
        r = c.getresponse()
        C.eq((r.status, r.read()), (200, b'{"status":"ok"}'), m + "keep-alive request %d" % i)
        C.check(r.getheader("Connection") is None, m + "keep-alive: no Connection: close")
        socks.add(id(c.sock))
    C.eq(len(socks), 1, m + "keep-alive: one socket")
    c.close()
    # pipelining: three requests in one write, answered in order
    raw = (b"GET /method HTTP/1.1\r\nHost: x\r\n\r\n"
           b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
           b"PUT /method HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    rs = exchange(p, raw, nresp=4)
    C.eq([x[2] for x in rs], [b"GET", b"hello", b"PUT"], m + "pipelining in order")
    C.eq(rs[-1][1].get("connection") if rs else None, "close", m + "pipelining: the last closes")
    # chunked upload (http.client)
    c = hc(p)
    c.request("POST", "/echo", body=iter([b"chunk one, ", b"chunk two, ", b"three"]), encode_chunked=True)
    r = c.getresponse()
    C.eq((r.status, r.read()), (200, b"chunk one, chunk two, three"), m + "chunked upload")
    c.close()
    # chunked upload, raw, with a chunk extension and a trailer
    raw = (b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
           b"4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: t\r\n\r\n")
    rs = exchange(p, raw)
    C.eq(rs[0][2] if rs else None, b"Wikipedia", m + "chunked with extension and trailer")
    # Expect: 100-continue
    sk = s.connect()
    sk.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 7\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
    f = sk.makefile("rb")
    line = f.readline()
    C.eq(line, b"HTTP/1.1 100 Continue\r\n", m + "100 Continue")
    f.readline()
    sk.sendall(b"payload")
    from httplib import read_response
    r = read_response(f)
    C.eq((r[0], r[2]) if r else None, ("HTTP/1.1 200 OK", b"payload"), m + "body after 100 Continue")
    sk.close()
    # curl's Expect (it sends one for large bodies)
    big = b"x" * 2000000
    out = curl(["-H", "Expect: 100-continue", "--data-binary", "@-", "http://127.0.0.1:%d/echo" % p], stdin=big)
    C.eq(len(out), 2000000, m + "curl 2 MB upload with Expect")
    # HEAD: GET's headers, no body (a pipelined GET right behind proves it)
    rs = exchange(p, b"HEAD /health HTTP/1.1\r\nHost: x\r\n\r\nGET /method HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                  nresp=1, head_req=True)
    C.eq((rs[0][0], rs[0][1].get("content-length")) if rs else None, ("HTTP/1.1 200 OK", "15"), m + "HEAD headers")
    sk = s.connect()
    sk.sendall(b"HEAD /health HTTP/1.1\r\nHost: x\r\n\r\nGET /method HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    f = sk.makefile("rb")
    r1 = read_response(f, head_req=True)
    r2 = read_response(f)
    C.eq((r1[0], r2[0], r2[2]) if r1 and r2 else None, ("HTTP/1.1 200 OK", "HTTP/1.1 200 OK", b"GET"),
         m + "HEAD has no body")
    sk.close()
    c = hc(p)
    c.request("HEAD", "/health")
    r = c.getresponse()
    C.eq((r.status, r.read(), r.getheader("Content-Length")), (200, b"", "15"), m + "HEAD via http.client")
    c.close()
    # 204 and 304 carry no body and no length
    for path, line in [("/empty", "HTTP/1.1 204 No Content"), ("/same", "HTTP/1.1 304 Not Modified")]:
        sk = s.connect()
        sk.sendall(("GET %s HTTP/1.1\r\nHost: x\r\n\r\nGET /method HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path).encode())
        f = sk.makefile("rb")
        r1 = read_response(f)
        r2 = read_response(f)
        C.eq((r1[0], "content-length" in r1[1], r2[2]) if r1 and r2 else None, (line, False, b"GET"),
             m + "%s: no body" % path)
        sk.close()
    # reason phrases: an unregistered code has an empty phrase
    r = get(p, "/teapot")
    C.eq(r[0] if r else None, "HTTP/1.1 418 ", m + "418: empty reason phrase")
    # custom headers, set by the handler and by middleware
    c = hc(p)
    c.request("GET", "/custom")
    r = c.getresponse()
    C.eq((r.status, r.reason, r.getheader("Content-Type"), r.getheader("X-Snow"), r.getheader("X-Seen"), r.read()),
         (201, "Created", "text/html", "yes", "hits", b"<p>hi</p>"), m + "custom headers")
    c.close()
    # request headers: case-insensitive lookup, the list in order with names lower-cased
    r = get(p, "/header/x-custom-thing", b"X-Custom-Thing: value 1\r\n")
    C.eq(r[2] if r else None, b"value 1", m + "Request.header is case-insensitive")
    r = get(p, "/headers", b"X-A: 1\r\nX-B:   two  \r\n")
    C.eq(r[2] if r else None, b'[(host, t), (x-a, 1), (x-b, two), (connection, close)]',
         m + "Request.headers")
    r = get(p, "/query?a=1&b=&c&a=3")
    C.eq(r[2] if r else None, b"Some(3) Some()", m + "Request.query: last wins, empty value")
    # middleware sees the 404 of an unknown path
    r = get(p, "/mw")
    C.eq(r[2] if r else None, b"mw saw 404", m + "middleware around 404")
    # with_header refuses the server's own headers: a panic, hence 500
    r = get(p, "/owned")
    C.eq(r[0] if r else None, "HTTP/1.1 500 Internal Server Error", m + "with_header Content-Length panics")
    # a handler panic is 500 (empty body) and the server keeps serving
    for i in range(3):
        r = get(p, "/crash")
        C.eq((r[0], r[2]) if r else None, ("HTTP/1.1 500 Internal Server Error", b""), m + "panic -> 500 #%d" % i)
        r = get(p, "/health")
        C.eq(r[0] if r else None, "HTTP/1.1 200 OK", m + "serving after panic #%d" % i)
    time.sleep(0.2)
    C.check("boom 2" in s.stderr(), m + "panic report on stderr")
    # HTTP/1.0: closes unless keep-alive is asked for
    rs = exchange(p, b"GET /method HTTP/1.0\r\n\r\nGET /method HTTP/1.0\r\n\r\n", nresp=2)
    C.eq((len(rs), rs[0][1].get("connection")), (1, "close"), m + "HTTP/1.0 closes")
    rs = exchange(p, b"GET /method HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /method HTTP/1.0\r\n\r\n", nresp=3)
    C.eq([x[1].get("connection") for x in rs], ["keep-alive", "close"], m + "HTTP/1.0 keep-alive")
    # curl: a plain GET and a POST
    C.eq(curl(["http://127.0.0.1:%d/health" % p]), '{"status":"ok"}', m + "curl GET")
    C.eq(curl(["-d", "from curl", "http://127.0.0.1:%d/echo" % p]), "from curl", m + "curl POST")
    # non-UTF-8 body bytes arrive as U+FFFD
    rs = exchange(p, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\na\xffb")
    C.eq(rs[0][2] if rs else None, "a\ufffdb".encode(), m + "invalid UTF-8 body is replaced")
    C.check(s.alive(), m + "server alive at the end")
    s.stop()


def main():
    for mode, margs in MODES:
        scenarios(mode, margs)
        features(mode, margs)
    return C.report()


if __name__ == "__main__":
    sys.exit(main())
