/* ws_server.c — the WebSocket handshake, the connection process and the
 * servers (ws_server.h). */
#include "ws_server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/evp.h>

#include "http_parse.h"
#include "http_value.h"
#include "gc.h"
#include "handle.h"
#include "iolog.h"
#include "lib_util.h"
#include "list.h"
#include "map.h"
#include "proc.h"
#include "rt.h"
#include "sb.h"
#include "sched.h"
#include "str.h"
#include "sysmsg.h"
#include "tls.h"
#include "vals.h"
#include "ws_conn.h"
#include "ws_event.h"
#include "ws_frame.h"
#include "ws_proto.h"
#include "ws_room.h"
#include "xalloc.h"

#define HANDSHAKE_MS 5000   /* §3.2: the upgrade request's read timeout */
#define CLOSE_DRAIN_MS 2000 /* after our Close: how long it may take to go out */
#define LINGER_MS 1000      /* then: how long to wait for the peer's Close */

enum { CB_CONNECT, CB_MESSAGE, CB_CLOSE };

/* ---- the handshake -------------------------------------------------------------------------- */

static bool contains_token(const char *v, size_t n, const char *tok) {
    size_t t = strlen(tok);
    for (size_t i = 0; i + t <= n; i++)
        if (http_name_eqn(v + i, t, tok, t)) return true;
    return false;
}

static void accept_key(const char *key, size_t n, char out[29]) {
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_MD_CTX *x = EVP_MD_CTX_new();
    if (!x || !EVP_DigestInit_ex(x, EVP_sha1(), NULL) || !EVP_DigestUpdate(x, key, n) ||
        !EVP_DigestUpdate(x, guid, sizeof guid - 1) || !EVP_DigestFinal_ex(x, md, &mdlen))
        rt_fatal("OpenSSL: SHA-1 failed");
    EVP_MD_CTX_free(x);
    EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen); /* 20 bytes -> 28 + NUL */
}

const char *ws_handshake_check(const char *method, size_t mlen, const char *head, size_t hlen, char accept[29]) {
    if (!http_name_eqn(method, mlen, "GET", 3)) return "method must be GET";
    const char *upg = NULL, *con = NULL, *key = NULL, *ver = NULL, *n, *v;
    size_t upl = 0, conl = 0, keyl = 0, verl = 0, nl, vl, at = 0;
    while (http_head_next(head, hlen, &at, &n, &nl, &v, &vl)) {
        if (http_name_eq(n, nl, "upgrade")) upg = v, upl = vl;
        else if (http_name_eq(n, nl, "connection")) con = v, conl = vl;
        else if (http_name_eq(n, nl, "sec-websocket-key")) key = v, keyl = vl;
        else if (http_name_eq(n, nl, "sec-websocket-version")) ver = v, verl = vl;
    }
    if (!upg || !contains_token(upg, upl, "websocket")) return "missing or invalid Upgrade header";
    if (!con || !contains_token(con, conl, "upgrade")) return "missing or invalid Connection header";
    if (!key) return "missing Sec-WebSocket-Key header";
    if (!ver || verl != 2 || memcmp(ver, "13", 2) != 0) return "missing or invalid Sec-WebSocket-Version (must be 13)";
    accept_key(key, keyl, accept);
    return NULL;
}

static void answer_400(NetConn *net, const char *reason) {
    fprintf(stderr, "[snow-rt] WS upgrade failed: %s\n", reason);
    SB b;
    sb_init(&b);
    sb_printf(&b,
              "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: "
              "close\r\n\r\nBad Request: %s",
              strlen(reason) + 13, reason);
    conn_write(net, b.p, b.len, sched_now() + HANDSHAKE_MS);
    sb_free(&b);
}

static int write_101(NetConn *net, const char accept[29]) {
    char r[160];
    int n = snprintf(r, sizeof r,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\n\r\n",
                     accept);
    return conn_write(net, r, (size_t)n, sched_now() + HANDSHAKE_MS) < 0 ? -1 : 0;
}

/* Header section -> Map<String, String> (names as sent, the last wins). */
static Value headers_map(const char *head, size_t hlen) {
    Value m = map_new();
    const char *n, *v;
    size_t nl, vl, at = 0;
    while (http_head_next(head, hlen, &at, &n, &nl, &v, &vl))
        m = map_put(m, lib_str_lossy(n, nl), lib_str_lossy(v, vl));
    return m;
}

/* ---- callbacks, caught ---------------------------------------------------------------------- */

typedef struct Call {
    Value fn;
    int argc;
    Value argv[3];
    Value result;
} Call;

static void call_fn(void *p) {
    Call *k = p;
    k->result = rt_apply(k->fn, k->argc, k->argv);
}

/* fn(args): true, or false after a panic (reported on stderr). */
static bool call_caught(Call *k) {
    char msg[512];
    if (proc_catch(call_fn, k, msg, sizeof msg)) return true;
    fprintf(stderr, "[snow-rt] WebSocket handler panicked in <0.%llu>: %s\n", (unsigned long long)proc_self_pid(),
            msg);
    fflush(stderr);
    return false;
}

/* ---- the connection ---------------------------------------------------------------------------- */

typedef struct Sess {
    WsConn *c;
    Value h;           /* the WsConn handle given to callbacks */
    WsReader *rd;
    WsProto proto;
    int64_t next_ping, pong_by;
    bool awaiting;
    uint8_t ping[4];
    uint32_t pings;
} Sess;

typedef enum End { END_PEER, END_CLOSED, END_CRASH, END_STOP } End;

/* We close: queue the Close, let it go out, stop sending, and give the
 * peer a moment to answer (so that closing does not reset the connection
 * before the peer read our Close). */
static void close_with(Sess *s, int code, const char *reason, bool linger) {
    ws_event_frame(s->c, true, WS_OP_CLOSE, code, reason);
    ws_conn_queue_close(s->c, code, reason);
    if (!ws_conn_drain(s->c, sched_now() + CLOSE_DRAIN_MS) || !linger || iolog_replaying()) return;
    if (!s->c->net.tls) shutdown(s->c->net.fd, SHUT_WR);
    int64_t until = sched_now() + LINGER_MS;
    char buf[512];
    while (conn_read(&s->c->net, buf, sizeof buf, until) > 0) {
    }
}

static void queue_control(Sess *s, int op, const uint8_t *data, size_t n) {
    ws_event_frame(s->c, true, op, (int64_t)n, NULL);
    SB b;
    sb_init(&b);
    ws_frame_encode(&b, op, data, n);
    ws_conn_queue(s->c, b.p, b.len, true);
    sb_free(&b);
}

static void send_ping(Sess *s) {
    /* a payload that differs between pings and connections, from the
     * program's own values (so a run replays the same) */
    uint64_t x = (proc_self_pid() * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)++s->pings * 0xC2B2AE3D27D4EB4Full);
    x ^= x >> 29;
    for (int i = 0; i < 4; i++) s->ping[i] = (uint8_t)(x >> (8 * i));
    queue_control(s, WS_OP_PING, s->ping, 4);
    s->awaiting = true;
}

/* Read and act on frames until the connection ends. */
static End frames(Sess *s, Value cbs) {
    s->next_ping = sched_now() + WS_PING_EVERY_MS;
    for (;;) {
        WsPiece pc;
        int64_t deadline = s->awaiting ? s->pong_by : s->next_ping;
        WsRead r = ws_reader_next(s->rd, deadline, &pc);
        if (r == WSR_TIMEOUT) {
            int64_t now = sched_now();
            if (s->awaiting && now >= s->pong_by) {
                close_with(s, 1001, "pong timeout", true);
                return END_CLOSED;
            }
            if (!s->awaiting && now >= s->next_ping) {
                send_ping(s);
                s->pong_by = now + WS_PONG_WITHIN_MS;
                s->next_ping = now + WS_PING_EVERY_MS;
            }
            continue;
        }
        if (r == WSR_EOF) {
            if (!listen_stopping()) return END_PEER;
            close_with(s, 1001, "going away", false); /* SIGINT/SIGTERM: ws_conn_stop_all */
            return END_STOP;
        }
        if (r == WSR_PROTO) {
            close_with(s, 1002, "protocol error", true);
            return END_CLOSED;
        }
        WsAction a;
        switch (ws_proto_piece(&s->proto, &pc, &a)) {
        case WSA_MORE: break;
        case WSA_MESSAGE: {
            ws_event_frame(s->c, false, a.op, (int64_t)a.len, NULL);
            Value payload = str_new((const char *)a.data, a.len);
            Call k = {AS_TUPLE(cbs)->items[CB_MESSAGE], 2, {s->h, payload}, v_unit()};
            if (!call_caught(&k)) return END_CRASH;
            break;
        }
        case WSA_PING:
            ws_event_frame(s->c, false, WS_OP_PING, (int64_t)a.len, NULL);
            queue_control(s, WS_OP_PONG, a.data, a.len);
            break;
        case WSA_PONG:
            ws_event_frame(s->c, false, WS_OP_PONG, (int64_t)a.len, NULL);
            if (s->awaiting && a.len == 4 && memcmp(a.data, s->ping, 4) == 0) s->awaiting = false;
            break;
        case WSA_CLOSE: /* answer with its code; the peer has said everything */
            ws_event_frame(s->c, false, WS_OP_CLOSE, a.code, NULL);
            close_with(s, a.code, "", false);
            return END_PEER;
        case WSA_FAIL:
            close_with(s, a.code, a.reason, true);
            return END_CLOSED;
        }
    }
}

/* The connection's life after the 101 answer, in its process.  path and
 * head: the request target and header section (raw bytes); `scratch`, if
 * not NULL, is the malloc'd block holding them, freed once they are read. */
static void session(NetConn *net, Value cbs, const char *path, size_t plen, const char *head, size_t hlen,
                    char *scratch, const char *pre, size_t n) {
    Sess s;
    memset(&s, 0, sizeof s);
    /* the handle first: the path and headers made next are garbage once
     * on_connect returns, and then leave whole chunks to the collector */
    s.h = ws_conn_open(net, &s.c);
    s.rd = ws_reader_new(&s.c->net, pre, n);
    Call k = {AS_TUPLE(cbs)->items[CB_CONNECT], 3, {s.h, v_unit(), v_unit()}, v_unit()};
    k.argv[1] = lib_str_lossy(path, plen);
    k.argv[2] = headers_map(head, hlen);
    free(scratch);
    End end;
    if (!call_caught(&k)) {
        end = END_CRASH;
    } else if (k.result.tag != T_BOOL || !k.result.i) {
        close_with(&s, 1008, "rejected", true);
        goto done; /* no on_close for a rejected connection */
    } else {
        /* the request's path and headers were on_connect's: collect them now,
         * so an idle connection does not keep their room (usually a chunk) */
        k.argv[1] = k.argv[2] = k.result = v_unit();
        gc_collect(heap_current());
        end = frames(&s, cbs);
    }
    int code = 1000;
    const char *reason = "";
    if (end == END_CRASH) {
        code = 1011;
        reason = "internal error";
        close_with(&s, 1011, "internal error", true);
    } else if (end == END_STOP) {
        code = 1001;
        reason = "going away";
    }
    ws_rooms_leave_all(s.c);
    Call kc = {AS_TUPLE(cbs)->items[CB_CLOSE], 3, {s.h, v_int(code), str_from_cstr(reason)}, v_unit()};
    call_caught(&kc);
    ws_conn_drain(s.c, sched_now() + CLOSE_DRAIN_MS);
done:
    ws_reader_free(s.rd);
    ws_proto_free(&s.proto);
    handle_close(s.h);
}

/* ---- HTTP.on_ws ------------------------------------------------------------------------------------ */

Value ws_callbacks(Value on_connect, Value on_message, Value on_close) {
    Value t[3] = {on_connect, on_message, on_close};
    return val_tuple(3, t);
}

/* route(req), a closure: args = [req, callbacks] */
static Value route_fn(Value *args, int nargs) {
    if (nargs != 2) rt_panic("a WebSocket route: expected one argument");
    Value *rq = http_request_fields(args[0], "a WebSocket route");
    Value m = rq[RQ_METHOD], hd = rq[RQ_HEADERS];
    char acc[29];
    const char *why = ws_handshake_check(str_data(m), str_len(m), str_data(hd), str_len(hd), acc);
    if (why) {
        fprintf(stderr, "[snow-rt] WS upgrade failed: %s\n", why);
        SB b;
        sb_init(&b);
        sb_printf(&b, "Bad Request: %s", why);
        Value ct = val_tuple2(str_from_cstr("Content-Type"), str_from_cstr("text/plain"));
        return http_response_new(400, list_from_array(&ct, 1), sb_finish(&b));
    }
    Value hs[3] = {val_tuple2(str_from_cstr("Upgrade"), str_from_cstr("websocket")),
                   val_tuple2(str_from_cstr("Connection"), str_from_cstr("Upgrade")),
                   val_tuple2(str_from_cstr("Sec-WebSocket-Accept"), str_from_cstr(acc))};
    return http_response_new(101, list_from_array(hs, 3), str_empty());
}

static FuncInfo route_info = {"ws_route", 1, route_fn, NULL};

Value ws_route_handler(Value callbacks) { return val_closure(&route_info, 1, &callbacks); }

bool ws_is_upgrade(Value handler, Value resp) {
    if (handler.tag != T_FUNC || AS_FUNC(handler)->fn != &route_info) return false;
    return AS_STRUCT(resp)->fields[RS_STATUS].i == 101;
}

void ws_take_over(ListenConn *lc, Value handler, Value req, const char *pre, size_t n) {
    Value cbs = AS_FUNC(handler)->caps[0];
    Value *rq = http_request_fields(req, "HTTP.on_ws");
    Value m = rq[RQ_METHOD], hd = rq[RQ_HEADERS], t = rq[RQ_TARGET];
    char acc[29];
    if (ws_handshake_check(str_data(m), str_len(m), str_data(hd), str_len(hd), acc)) return;
    if (write_101(&lc->net, acc) < 0) return;
    session(&lc->net, cbs, str_data(t), str_len(t), str_data(hd), str_len(hd), NULL, pre, n);
}

/* ---- Ws.serve ------------------------------------------------------------------------------------------ */

/* The upgrade request of a Ws.serve connection: read, check, answer.
 * True after the 101, with *meta (malloc'd) holding the target (ul
 * bytes), the header section (hl) and the bytes after the request (rn).
 * Its own frame (parser, buffers) is gone while the session runs: an idle
 * connection's stack is what it keeps parked. */
static __attribute__((noinline)) bool upgrade(ListenConn *lc, char **meta, size_t *ul, size_t *hl, size_t *rn) {
    TlsCtx *tls = listen_tls(lc);
    int64_t deadline = sched_now() + HANDSHAKE_MS;
    if (tls) {
        char err[200];
        lc->net.tls = tls_new(tls, lc->net.fd, NULL);
        if (tls_handshake(lc->net.tls, deadline, err, sizeof err) < 0) return false;
    }
    HttpParser p;
    http_parse_init(&p, HTTP_REQUEST, 0, 0, 0);
    size_t cap = 4096, end = 0, pos = 0;
    char *buf = xmalloc(cap);
    HttpEvent ev = HP_MORE;
    for (;;) {
        if (pos < end) {
            ev = http_parse_run(&p, buf, &pos, end);
            if (ev == HP_HEAD) continue; /* a body follows: parse on */
            if (ev != HP_MORE) break;
        }
        if (end == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        ssize_t r = conn_read(&lc->net, buf + end, cap - end, deadline);
        if (r <= 0) break;
        end += (size_t)r;
    }
    bool ok = false;
    if (ev == HP_MESSAGE) {
        const char *m = buf + p.method.off;
        char acc[29];
        const char *why = ws_handshake_check(m, p.method.len, buf + p.head.off, p.nheaders ? p.head.len : 0, acc);
        if (why) {
            answer_400(&lc->net, why);
        } else if (write_101(&lc->net, acc) == 0) {
            /* the session may run long: keep only the target, the headers
             * and what follows the request, not the read buffer */
            *ul = p.url.len, *hl = p.nheaders ? p.head.len : 0, *rn = end - pos;
            *meta = xmalloc(*ul + *hl + *rn + 1);
            memcpy(*meta, buf + p.url.off, *ul);
            memcpy(*meta + *ul, buf + p.head.off, *hl);
            memcpy(*meta + *ul + *hl, buf + pos, *rn);
            ok = true;
        }
    } else if (ev == HP_ERROR) {
        answer_400(&lc->net, "malformed request");
    }
    http_parse_free(&p);
    free(buf);
    return ok;
}

/* The connection process of Ws.serve: args = [callbacks, connection]. */
static Value ws_conn_main(Value *args, int nargs) {
    (void)nargs;
    ListenConn *lc = listen_conn_of(args[1]);
    char *meta;
    size_t ul, hl, rn;
    if (upgrade(lc, &meta, &ul, &hl, &rn)) session(&lc->net, args[0], meta, ul, meta + ul, hl, meta, meta + ul + hl, rn);
    return v_unit();
}

SYSMSG_BODY(ws_conn_fn, "ws_conn", ws_conn_main, 2);

static const ListenProto ws_proto = {"ws_conn", &ws_conn_fn, NULL};

void ws_serve(Value callbacks, int port, const char *cert, const char *key) {
    char err[512];
    TlsCtx *tls = NULL;
    if (cert) {
        tls = tls_server_ctx(cert, key, err, sizeof err);
        if (!tls) {
            fprintf(stderr, "[snow-rt] Failed to load TLS certificates: %s\n", err);
            return;
        }
    }
    Listener *l = listen_open(port, err, sizeof err);
    if (!l) {
        fprintf(stderr, "[snow-rt] Failed to start WebSocket %sserver on 0.0.0.0:%d: %s\n", cert ? "TLS " : "", port,
                err);
        tls_ctx_free(tls);
        return;
    }
    fprintf(stderr, "[snow-rt] WebSocket %sserver listening on 0.0.0.0:%d\n", cert ? "TLS " : "", listen_port(l));
    fflush(stderr);
    ListenOpts lo = {LISTEN_MAX_CONNS_DEFAULT, LISTEN_SHUTDOWN_MS_DEFAULT};
    listen_run(l, &ws_proto, callbacks, tls, &lo);
}
