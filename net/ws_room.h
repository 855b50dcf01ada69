/* ws_room.h — WebSocket rooms (net.md §3.8): one program-wide registry
 * from room names (exact byte strings) to sets of connections.
 *
 * Invariants:
 *  - One lock guards the registry, every room and every connection's list
 *    of joined rooms; it is never held with a connection's lock.
 *  - Membership is indexed both ways (a room's slot for each member, a
 *    connection's slot for each room), so join, leave and a connection's
 *    end cost O(1) per room whatever the room's size.
 *  - A room exists while it has members; the last leave frees it.
 *  - A broadcast copies the member list (taking a reference on each) and
 *    sends without the lock: members that leave meanwhile may still get
 *    that message; one sender's broadcasts reach each member in order
 *    because every member's queue is appended in the sender's order.
 */
#ifndef SNOW_WS_ROOM_H
#define SNOW_WS_ROOM_H

#include <stddef.h>
#include <stdint.h>

#include "ws_conn.h"

typedef struct WsRoom WsRoom;
struct WsJoined {
    WsRoom *room;
    uint32_t pos; /* the member's slot in room */
};

/* Idempotent join; leave is a no-op if absent. */
void ws_room_join(WsConn *c, const char *name, size_t n);
void ws_room_leave(WsConn *c, const char *name, size_t n);
/* The connection ends: leave every room. */
void ws_rooms_leave_all(WsConn *c);
/* The members of room `name` except `except` (may be NULL), each with a
 * reference the caller drops (ws_conn_unref); *out is malloc'd (free it).
 * Returns the count (0 for an absent room). */
size_t ws_room_members(const char *name, size_t n, const WsConn *except, WsConn ***out);
/* The names of the rooms c is in, ", "-separated, into buf (events, the
 * process view).  Returns the count. */
size_t ws_room_names(WsConn *c, char *buf, size_t cap);

#endif
