/* ws_event.h — WebSocket connections in the event stream (--events, snow
 * trace, docs/events.md): each frame a connection process reads or sends
 * is a message-like step of that process (ws_frame), each join or leave a
 * ws_room step (the process view lists the rooms).  Data frames are
 * reported once per message (after reassembly), control frames one by
 * one; frames other processes send to a connection (Ws.send, broadcasts)
 * are reported by the sender with the connection's pid. */
#ifndef SNOW_WS_EVENT_H
#define SNOW_WS_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "ws_conn.h"

/* op: WS_OP_*; num: bytes (data, ping, pong) or the close code; reason:
 * a close's reason (NULL for none). */
void ws_event_frame_(const WsConn *c, bool out, int op, int64_t num, const char *reason);
void ws_event_room_(const WsConn *c, const char *room, size_t n, bool join);

#define ws_event_frame(c, out, op, num, reason) \
    do { if (EV_ON()) ws_event_frame_((c), (out), (op), (num), (reason)); } while (0)
#define ws_event_room(c, room, n, join) \
    do { if (EV_ON()) ws_event_room_((c), (room), (n), (join)); } while (0)

#endif
