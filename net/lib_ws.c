/* lib_ws.c — the Ws rows of the library table and HTTP.on_ws (net.md §3,
 * issue 19).  The work is in ws_server.c (connections), ws_conn.c
 * (sending) and ws_room.c (rooms); this file checks arguments. */
#include <stdlib.h>
#include <string.h>

#include "lib_util.h"
#include "router.h"
#include "rt.h"
#include "sb.h"
#include "stdlib_table.h"
#include "str.h"
#include "ws_conn.h"
#include "ws_event.h"
#include "ws_frame.h"
#include "ws_room.h"
#include "ws_server.h"

#define ON_CONNECT "Fun(WsConn, String, Map<String, String>) -> Bool"
#define ON_MESSAGE "Fun(WsConn, String) -> ()"
#define ON_CLOSE "Fun(WsConn, Int, String) -> ()"

static Value callbacks(Value *a, const char *fn) {
    for (int i = 0; i < 3; i++) lib_need(a[i], T_FUNC, fn, i + 1);
    return ws_callbacks(a[0], a[1], a[2]);
}

static int port_arg(Value v, const char *fn) {
    lib_need(v, T_INT, fn, 4);
    if (v.i < 0 || v.i > 65535) rt_panic("%s: %lld is not a port number (0..65535)", fn, (long long)v.i);
    return (int)v.i;
}

static Value bi_serve(Value *a, int n) {
    (void)n;
    Value cbs = callbacks(a, "Ws.serve");
    ws_serve(cbs, port_arg(a[3], "Ws.serve"), NULL, NULL);
    return v_unit();
}

static Value bi_serve_tls(Value *a, int n) {
    (void)n;
    Value cbs = callbacks(a, "Ws.serve_tls");
    int port = port_arg(a[3], "Ws.serve_tls");
    lib_need(a[4], T_STR, "Ws.serve_tls", 5);
    lib_need(a[5], T_STR, "Ws.serve_tls", 6);
    ws_serve(cbs, port, str_cstr(a[4]), str_cstr(a[5]));
    return v_unit();
}

/* One frame to one connection: 0, or -1 (closed, closing, slow). */
static int64_t send_frame(Value h, int op, Value data, const char *fn) {
    lib_need(data, T_STR, fn, 2);
    WsConn *c = ws_conn_pin(h, fn);
    if (!c) return -1;
    ws_event_frame(c, true, op, (int64_t)str_len(data), NULL);
    SB b;
    sb_init(&b);
    ws_frame_encode(&b, op, str_data(data), str_len(data));
    int r = ws_conn_queue(c, b.p, b.len, false);
    sb_free(&b);
    ws_conn_unpin(h);
    return r;
}

static Value bi_send(Value *a, int n) {
    (void)n;
    return v_int(send_frame(a[0], WS_OP_TEXT, a[1], "Ws.send"));
}

static Value bi_send_binary(Value *a, int n) {
    (void)n;
    return v_int(send_frame(a[0], WS_OP_BINARY, a[1], "Ws.send_binary"));
}

static Value room_op(Value *a, bool join, const char *fn) {
    lib_need(a[1], T_STR, fn, 2);
    WsConn *c = ws_conn_pin(a[0], fn);
    if (!c) return v_int(-1);
    if (join) ws_room_join(c, str_data(a[1]), str_len(a[1]));
    else ws_room_leave(c, str_data(a[1]), str_len(a[1]));
    ws_conn_unpin(a[0]);
    return v_int(0);
}

static Value bi_join(Value *a, int n) {
    (void)n;
    return room_op(a, true, "Ws.join");
}

static Value bi_leave(Value *a, int n) {
    (void)n;
    return room_op(a, false, "Ws.leave");
}

/* A text frame to every member of room (but `except`): the number whose
 * write failed.  The frame is encoded once. */
static int64_t broadcast(Value room, Value text, const WsConn *except, const char *fn) {
    lib_need(room, T_STR, fn, 1);
    lib_need(text, T_STR, fn, 2);
    WsConn **m;
    size_t k = ws_room_members(str_data(room), str_len(room), except, &m);
    if (!k) {
        free(m);
        return 0;
    }
    SB b;
    sb_init(&b);
    ws_frame_encode(&b, WS_OP_TEXT, str_data(text), str_len(text));
    int64_t failed = 0;
    for (size_t i = 0; i < k; i++) {
        mt_lock(&m[i]->lk);
        bool skip = m[i]->closing || m[i]->dead; /* closing members are skipped (§3.8) */
        mt_unlock(&m[i]->lk);
        if (!skip) ws_event_frame(m[i], true, WS_OP_TEXT, (int64_t)str_len(text), NULL);
        if (!skip && ws_conn_queue(m[i], b.p, b.len, false) < 0) failed++;
        ws_conn_unref(m[i]);
    }
    sb_free(&b);
    free(m);
    return failed;
}

static Value bi_broadcast(Value *a, int n) {
    (void)n;
    return v_int(broadcast(a[0], a[1], NULL, "Ws.broadcast"));
}

static Value bi_broadcast_except(Value *a, int n) {
    (void)n;
    WsConn *c = ws_conn_pin(a[2], "Ws.broadcast_except");
    int64_t r = broadcast(a[0], a[1], c, "Ws.broadcast_except");
    if (c) ws_conn_unpin(a[2]);
    return v_int(r);
}

static Value bi_on_ws(Value *a, int n) {
    (void)n;
    lib_need(a[1], T_STR, "HTTP.on_ws", 2);
    Value cbs = callbacks(a + 2, "HTTP.on_ws");
    return router_route(a[0], "GET", a[1], ws_route_handler(cbs));
}

static const StdFn ws_lib[] = {
    {"Ws", "serve", "Fun(" ON_CONNECT ", " ON_MESSAGE ", " ON_CLOSE ", Int) -> ()", bi_serve, 4,
     SF_PREFIXED | SF_BLOCKS, "serve WebSockets on a port (one process per connection)"},
    {"Ws", "serve_tls", "Fun(" ON_CONNECT ", " ON_MESSAGE ", " ON_CLOSE ", Int, String, String) -> ()", bi_serve_tls,
     6, SF_PREFIXED | SF_BLOCKS, "serve WebSockets over TLS with a PEM certificate chain and key"},
    {"Ws", "send", "Fun(WsConn, String) -> Int", bi_send, 2, SF_PREFIXED,
     "send a text message (0, or -1 if the connection is closed)"},
    {"Ws", "send_binary", "Fun(WsConn, String) -> Int", bi_send_binary, 2, SF_PREFIXED,
     "send the bytes of a String as a binary message"},
    {"Ws", "join", "Fun(WsConn, String) -> Int", bi_join, 2, SF_PREFIXED, "add the connection to a room"},
    {"Ws", "leave", "Fun(WsConn, String) -> Int", bi_leave, 2, SF_PREFIXED, "take the connection out of a room"},
    {"Ws", "broadcast", "Fun(String, String) -> Int", bi_broadcast, 2, SF_PREFIXED,
     "send a text message to every member of a room (the number of failed writes)"},
    {"Ws", "broadcast_except", "Fun(String, String, WsConn) -> Int", bi_broadcast_except, 3, SF_PREFIXED,
     "broadcast to a room except one connection"},
    {"HTTP", "on_ws", "Fun(Router, String, " ON_CONNECT ", " ON_MESSAGE ", " ON_CLOSE ") -> Router", bi_on_ws, 5,
     SF_PREFIXED, "a router that upgrades matching GET requests to WebSockets"},
};
STDLIB_REGISTER(ws_lib)
