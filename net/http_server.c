/* http_server.c — the connection process of the HTTP server and
 * HTTP.serve (http_server.h).
 *
 * Buffer discipline (allocation-light per request): each connection has
 * one read buffer.  The current message starts at `msg`; the parser's
 * spans are offsets from there, so the buffer may be compacted (the
 * message moved to the front) or grown between reads.  Once a head is
 * complete the body's bytes go to the parser's body buffer and their room
 * in the read buffer is reused, so a connection holds at most about
 * max_head + one read of raw bytes, whatever the client sends. */
#include "http_server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "event.h"
#include "http_parse.h"
#include "http_value.h"
#include "iolog.h"
#include "lib_util.h"
#include "listen.h"
#include "list.h"
#include "proc.h"
#include "router.h"
#include "rt.h"
#include "sb.h"
#include "sched.h"
#include "str.h"
#include "sysmsg.h"
#include "tls.h"
#include "vals.h"
#include "ws_server.h"
#include "xalloc.h"

#define BUF_INITIAL 4096
#define BUF_READ_MIN 1024      /* compact or grow when less room is left */
#define LINGER_MS 2000         /* after an answer that closes: wait this long for the peer to finish */
#define LINGER_BYTES (256u << 10)

enum { HS_READ, HS_HANDLE, HS_WRITE };

/* The options as the connection processes get them: a tuple of Ints
 * after the router (copied with the spawn). */
enum { ARG_ROUTER, ARG_MAX_BODY, ARG_MAX_HEAD, ARG_MAX_HEADERS, ARG_IDLE_MS, ARG_HEAD_MS, ARG__N };

typedef struct HttpConn {
    HttpParser p;
    char *buf;
    size_t cap;
    size_t msg;        /* the current message starts here */
    size_t pos;        /* parse position, relative to msg */
    size_t end;        /* end of the bytes read (absolute) */
    size_t body_base;  /* relative: after the head of a message with a body (0: none) */
    _Atomic int state; /* HS_HANDLE: a crash now owes the client a 500 */
    int64_t max_head;
} HttpConn;

void http_serve_opts_default(HttpServeOpts *o, int port) {
    o->port = port;
    o->max_conns = LISTEN_MAX_CONNS_DEFAULT;
    o->shutdown_ms = LISTEN_SHUTDOWN_MS_DEFAULT;
    o->max_body = HTTP_MAX_BODY_DEFAULT;
    o->max_head = HTTP_MAX_HEAD_DEFAULT;
    o->max_headers = HTTP_MAX_HEADERS_DEFAULT;
    o->idle_ms = 60000;
    o->head_ms = 10000;
}

bool http_serve_opt(HttpServeOpts *o, const char *name, int64_t v) {
    if (v <= 0) return false;
    if (!strcmp(name, "max_connections") && v <= 1000000) o->max_conns = (int)v;
    else if (!strcmp(name, "shutdown_timeout_ms") && v <= 3600000) o->shutdown_ms = (int)v;
    else if (!strcmp(name, "max_body_bytes") && v <= (int64_t)1 << 31) o->max_body = v;
    else if (!strcmp(name, "max_header_bytes") && v >= 256 && v <= 1 << 20) o->max_head = v;
    else if (!strcmp(name, "max_headers") && v <= 10000) o->max_headers = v;
    else if (!strcmp(name, "idle_timeout_ms")) o->idle_ms = v;
    else if (!strcmp(name, "header_timeout_ms")) o->head_ms = v;
    else return false;
    return true;
}

/* ---- writing -------------------------------------------------------------------------- */

static void put_uint(SB *b, uint64_t v) {
    char d[24];
    int n = 0;
    do d[n++] = (char)('0' + v % 10);
    while ((v /= 10) && n < 24);
    char *o = sb_extend(b, (size_t)n);
    for (int i = 0; i < n; i++) o[i] = d[n - 1 - i];
}

static void status_line(SB *b, int status) {
    sb_put(b, "HTTP/1.1 ", 9);
    put_uint(b, (uint64_t)status);
    sb_putc(b, ' ');
    sb_puts(b, http_reason(status));
    sb_put(b, "\r\n", 2);
}

/* An answer of the server itself (400/408/413/431): empty body, close. */
static void write_error(ListenConn *lc, int status) {
    SB b;
    sb_init(&b);
    status_line(&b, status);
    sb_puts(&b, "Content-Length: 0\r\nConnection: close\r\n\r\n");
    conn_write(&lc->net, b.p, b.len, sched_now() + 5000);
    sb_free(&b);
}

static bool bodyless(int status) { return (status >= 100 && status < 200) || status == 204 || status == 304; }

void http_render_response(SB *b, Value resp, bool head_req, bool keep, bool http10, struct iovec iov[2]) {
    Value *rf = AS_STRUCT(resp)->fields;
    int status = (int)rf[RS_STATUS].i;
    Value headers = rf[RS_HEADERS], body = rf[RS_BODY];
    status_line(b, status);
    bool typed = false;
    if (headers.tag == T_LIST) {
        size_t n = list_len(headers);
        for (size_t i = 0; i < n; i++) {
            Value *kv = AS_TUPLE(list_get(headers, i))->items;
            if (!typed && http_name_eqn(str_data(kv[0]), str_len(kv[0]), "content-type", 12)) typed = true;
            sb_put_str(b, kv[0]);
            sb_put(b, ": ", 2);
            sb_put_str(b, kv[1]);
            sb_put(b, "\r\n", 2);
        }
    }
    if (!typed) sb_puts(b, "Content-Type: application/json; charset=utf-8\r\n");
    bool no_body = bodyless(status);
    if (!no_body) {
        sb_put(b, "Content-Length: ", 16);
        put_uint(b, str_len(body));
        sb_put(b, "\r\n", 2);
    }
    if (!keep) sb_put(b, "Connection: close\r\n", 19);
    else if (http10) sb_put(b, "Connection: keep-alive\r\n", 24);
    sb_put(b, "\r\n", 2);
    iov[0] = (struct iovec){b->p, b->len};
    iov[1] = (struct iovec){(void *)str_data(body), no_body || head_req ? 0 : str_len(body)};
}

/* The response, head and body in one writev.  0 or -errno. */
static int write_response(ListenConn *lc, Value resp, bool head_req, bool keep, bool http10, int64_t idle_ms) {
    SB b;
    sb_init(&b);
    struct iovec iov[2];
    http_render_response(&b, resp, head_req, keep, http10, iov);
    ssize_t r = conn_writev(&lc->net, iov, 2, sched_now() + idle_ms);
    sb_free(&b);
    return r < 0 ? (int)r : 0;
}

/* Before closing after an answer: stop sending, and read (and drop) what
 * the peer still sends for a moment, so that closing with unread bytes
 * does not reset the connection before the peer has read the answer. */
static void linger(ListenConn *lc, HttpConn *hc) {
    if (lc->net.fd < 0 || lc->net.tls || iolog_replaying()) return; /* fd < 0: a WebSocket took it */
    shutdown(lc->net.fd, SHUT_WR);
    int64_t deadline = sched_now() + LINGER_MS;
    size_t total = 0;
    while (total < LINGER_BYTES) {
        ssize_t n = conn_read(&lc->net, hc->buf, hc->cap, deadline);
        if (n <= 0) break;
        total += (size_t)n;
    }
}

/* ---- reading -------------------------------------------------------------------------- */

/* Room to read into: compact (the current message to the front) or grow.
 * False when the message cannot fit (the head is bounded, so only a
 * hostile one). */
static bool make_room(HttpConn *hc) {
    if (hc->cap - hc->end >= BUF_READ_MIN) return true;
    if (hc->msg > 0) {
        memmove(hc->buf, hc->buf + hc->msg, hc->end - hc->msg);
        hc->end -= hc->msg;
        hc->msg = 0;
        if (hc->cap - hc->end >= BUF_READ_MIN) return true;
    }
    size_t limit = (size_t)hc->max_head + 2 * BUF_INITIAL;
    if (hc->cap >= limit) return hc->end < hc->cap;
    size_t cap = hc->cap * 2 > limit ? limit : hc->cap * 2;
    hc->buf = xrealloc(hc->buf, cap);
    hc->cap = cap;
    return true;
}

/* Read until the next request is complete: 0 (it is), -1 (close without
 * a word: the peer left, or stayed idle too long), or the status to
 * answer before closing (400, 408, 413, 431). */
static int read_request(ListenConn *lc, HttpConn *hc, int64_t idle_ms, int64_t head_ms) {
    int64_t head_deadline = -1;
    for (;;) {
        size_t endrel = hc->end - hc->msg;
        if (hc->pos < endrel) {
            if (head_deadline < 0) head_deadline = sched_now() + head_ms;
            HttpEvent ev = http_parse_run(&hc->p, hc->buf + hc->msg, &hc->pos, endrel);
            if (ev == HP_MESSAGE) return 0;
            if (ev == HP_ERROR) return hc->p.err_status;
            if (ev == HP_HEAD) {
                hc->body_base = hc->pos;
                if (hc->p.expect_continue && http_version_minor(&hc->p) >= 1) {
                    static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
                    if (conn_write(&lc->net, cont, sizeof cont - 1, sched_now() + idle_ms) < 0) return -1;
                }
                continue;
            }
        }
        /* everything read is parsed: read more */
        bool fresh = hc->p.in_head && hc->p.head_bytes == 0;
        int64_t deadline;
        if (fresh) { /* between requests: nothing of the next one yet */
            hc->msg = hc->end = hc->pos = 0;
            if (!listen_set_idle(lc, true)) return -1; /* stopping */
            deadline = sched_now() + idle_ms;
        } else {
            if (!hc->p.in_head && hc->body_base) { /* body bytes are in the parser: reuse their room */
                hc->end = hc->msg + hc->body_base;
                hc->pos = hc->body_base;
            }
            deadline = hc->p.in_head ? head_deadline : sched_now() + idle_ms;
        }
        if (!make_room(hc)) return 431;
        ssize_t n = conn_read(&lc->net, hc->buf + hc->end, hc->cap - hc->end, deadline);
        if (fresh) listen_set_idle(lc, false);
        if (n == -ETIMEDOUT) return fresh ? -1 : 408;
        if (n <= 0) return -1;
        hc->end += (size_t)n;
    }
}

/* ---- the connection process ------------------------------------------------------------- */

static void emit(EvKind k, const HttpParser *p, const char *base, int status) {
    char text[256];
    int ml = (int)(p->method.len > 32 ? 32 : p->method.len);
    int ul = (int)(p->url.len > 200 ? 200 : p->url.len);
    snprintf(text, sizeof text, "%.*s %.*s", ml, base + p->method.off, ul, base + p->url.off);
    ev_full(k, proc_self_pid(), EV_NOPID, 0, status, text, NULL);
}

/* The close hook's part: a handler that crashed owes its client a 500. */
static void http_conn_close(ListenConn *lc) {
    HttpConn *hc = lc->proto;
    if (!hc) return;
    if (atomic_load(&hc->state) == HS_HANDLE && lc->net.fd >= 0) {
        static const char r500[] =
            "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
        conn_write_now(&lc->net, r500, sizeof r500 - 1);
    }
    http_parse_free(&hc->p);
    free(hc->buf);
    free(hc);
    lc->proto = NULL;
}

/* A target in absolute-form (`GET http://host/path HTTP/1.1`, RFC 9112
 * §3.2.2) is routed, and seen by Request.path, as its origin-form. */
static void origin_form(const char **url, size_t *ul) {
    const char *u = *url;
    size_t n = *ul, skip;
    if (n >= 7 && http_name_eqn(u, 7, "http://", 7)) skip = 7;
    else if (n >= 8 && http_name_eqn(u, 8, "https://", 8)) skip = 8;
    else return;
    const char *slash = memchr(u + skip, '/', n - skip), *q = memchr(u + skip, '?', n - skip);
    if (slash && (!q || slash < q)) {
        *url = slash;
        *ul = n - (size_t)(slash - u);
    } else {
        *url = "/"; /* no path: the root (a query after the authority is dropped) */
        *ul = 1;
    }
}

Value http_request_of(Value router, const HttpParser *p, const char *base, Value *handler) {
    const char *m = base + p->method.off, *url = base + p->url.off;
    size_t ml = p->method.len, ul = p->url.len;
    origin_form(&url, &ul);
    const char *q = memchr(url, '?', ul);
    size_t plen = q ? (size_t)(q - url) : ul;
    Value params;
    *handler = router_match(router, m, ml, url, plen, &params);
    return http_request_new(str_new(m, ml), lib_str_lossy(url, ul),
                            p->nheaders ? lib_str_lossy(base + p->head.off, p->head.len) : str_empty(),
                            p->body_len ? lib_str_lossy(p->body, p->body_len) : str_empty(), params);
}

/* One request: route it, run the chain, answer.  False: close. */
static bool serve_one(ListenConn *lc, HttpConn *hc, Value router, int64_t idle_ms) {
    HttpParser *p = &hc->p;
    const char *base = hc->buf + hc->msg;
    if (EV_ON()) emit(EV_HTTP_REQUEST, p, base, 0);
    Value handler;
    Value req = http_request_of(router, p, base, &handler);
    bool head_req = p->method.len == 4 && memcmp(base + p->method.off, "HEAD", 4) == 0;
    bool keep = http_keep_alive(p) && !http_is_upgrade(p);
    bool http10 = http_version_minor(p) == 0;
    atomic_store(&hc->state, HS_HANDLE);
    Value resp = router_run(router, handler, req);
    atomic_store(&hc->state, HS_WRITE);
    if (ws_is_upgrade(handler, resp)) { /* HTTP.on_ws: the connection becomes a WebSocket for good */
        size_t rest = hc->msg + hc->pos;
        ws_take_over(lc, handler, req, hc->buf + rest, hc->end - rest);
        return false;
    }
    if (listen_stopping()) keep = false;
    base = hc->buf + hc->msg; /* the handler cannot move it, but be exact */
    int status = (int)AS_STRUCT(resp)->fields[RS_STATUS].i;
    if (EV_ON()) emit(EV_HTTP_RESPONSE, p, base, status);
    if (write_response(lc, resp, head_req, keep, http10, idle_ms) < 0) return false;
    atomic_store(&hc->state, HS_READ);
    return keep;
}

static Value http_conn_main(Value *args, int nargs) {
    (void)nargs;
    Value *opt = AS_TUPLE(args[0])->items;
    Value router = opt[ARG_ROUTER];
    int64_t idle_ms = opt[ARG_IDLE_MS].i, head_ms = opt[ARG_HEAD_MS].i;
    ListenConn *lc = listen_conn_of(args[1]);
    HttpConn *hc = xcalloc(1, sizeof *hc);
    http_parse_init(&hc->p, HTTP_REQUEST, (size_t)opt[ARG_MAX_HEAD].i, (size_t)opt[ARG_MAX_HEADERS].i,
                    (size_t)opt[ARG_MAX_BODY].i);
    hc->max_head = opt[ARG_MAX_HEAD].i;
    hc->cap = BUF_INITIAL;
    hc->buf = xmalloc(hc->cap);
    atomic_init(&hc->state, HS_READ);
    lc->proto = hc;
    TlsCtx *tls = listen_tls(lc);
    if (tls) {
        char err[200];
        lc->net.tls = tls_new(tls, lc->net.fd, NULL);
        if (tls_handshake(lc->net.tls, sched_now() + head_ms, err, sizeof err) < 0) return v_unit();
    }
    for (;;) {
        int r = read_request(lc, hc, idle_ms, head_ms);
        if (r < 0) break;
        if (r > 0) {
            write_error(lc, r);
            linger(lc, hc);
            break;
        }
        if (!serve_one(lc, hc, router, idle_ms)) {
            linger(lc, hc);
            break;
        }
        http_parse_next(&hc->p);
        hc->msg += hc->pos; /* pipelined bytes after the message stay where they are */
        hc->pos = 0;
        hc->body_base = 0;
    }
    return v_unit();
}

SYSMSG_BODY(http_conn_fn, "http_conn", http_conn_main, 2);

static const ListenProto http_proto = {"http_conn", &http_conn_fn, http_conn_close};

/* ---- HTTP.serve ---------------------------------------------------------------------------- */

void http_serve(Value router, const HttpServeOpts *o, const char *cert, const char *key) {
    char err[512];
    TlsCtx *tls = NULL;
    if (cert) {
        tls = tls_server_ctx(cert, key, err, sizeof err);
        if (!tls) {
            fprintf(stderr, "[snow-rt] Failed to load TLS certificates: %s\n", err);
            return;
        }
    }
    Listener *l = listen_open(o->port, err, sizeof err);
    if (!l) {
        if (cert) fprintf(stderr, "[snow-rt] Failed to bind 0.0.0.0:%d: %s\n", o->port, err);
        else fprintf(stderr, "[snow-rt] Failed to start HTTP server on 0.0.0.0:%d: %s\n", o->port, err);
        tls_ctx_free(tls);
        return;
    }
    fprintf(stderr, "[snow-rt] %s server listening on 0.0.0.0:%d\n", cert ? "HTTPS" : "HTTP", listen_port(l));
    fflush(stderr);
    Value a[ARG__N] = {router, v_int(o->max_body), v_int(o->max_head), v_int(o->max_headers), v_int(o->idle_ms),
                       v_int(o->head_ms)};
    ListenOpts lo = {o->max_conns, o->shutdown_ms};
    listen_run(l, &http_proto, val_tuple(ARG__N, a), tls, &lo);
}
