/* ws_event.c — WebSocket steps in the event stream (ws_event.h). */
#include "ws_event.h"

#include <inttypes.h>
#include <stdio.h>

#include "ws_frame.h"

static const char *op_name(int op) {
    switch (op) {
    case WS_OP_TEXT: return "text";
    case WS_OP_BINARY: return "binary";
    case WS_OP_CLOSE: return "close";
    case WS_OP_PING: return "ping";
    case WS_OP_PONG: return "pong";
    default: return "continuation";
    }
}

void ws_event_frame_(const WsConn *c, bool out, int op, int64_t num, const char *reason) {
    char text[200];
    if (op == WS_OP_CLOSE)
        snprintf(text, sizeof text, "close %" PRId64 "%s%.120s", num, reason && *reason ? " " : "", reason ? reason : "");
    else snprintf(text, sizeof text, "%s %" PRId64 " bytes", op_name(op), num);
    Event e = {.kind = EV_WS_FRAME, .pid = c->owner, .other = EV_NOPID, .text = text, .text2 = out ? "out" : "in"};
    ev_emit(&e);
}

void ws_event_room_(const WsConn *c, const char *room, size_t n, bool join) {
    char text[200];
    snprintf(text, sizeof text, "%.*s", (int)(n > 160 ? 160 : n), room);
    Event e = {.kind = EV_WS_ROOM, .pid = c->owner, .other = EV_NOPID, .text = text, .text2 = join ? "join" : "leave"};
    ev_emit(&e);
}
