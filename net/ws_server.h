/* ws_server.h — the WebSocket server (net.md §3): the upgrade handshake,
 * the connection process's life (callbacks, frames, heartbeat, close),
 * Ws.serve / Ws.serve_tls, and the upgrade of an HTTP connection whose
 * request matched an HTTP.on_ws route.
 *
 * A connection's life (§3.2, in its own process, which owns the socket):
 *   101 answer; on_connect(conn, path, headers) (false: Close 1008
 *   `rejected`, no on_close); then frames are read one piece at a time
 *   (ws_frame.h) and checked as they come: RSV bits, unknown opcodes,
 *   unmasked frames and malformed headers are 1002, a frame or message
 *   over 16 MiB is 1009, text is checked as UTF-8 piece by piece (1007 at
 *   the first impossible byte), fragmentation errors are 1002; a complete
 *   message runs on_message(conn, payload); a Ping is answered with its
 *   Pong; a Close is answered with the same code (1000 if it had none) and
 *   ends the connection.  Every 30 s a Ping with a 4-byte payload goes out;
 *   no matching Pong within 10 s is Close 1001 `pong timeout` (deadlines on
 *   sched_now's clock, so virtual under --virtual-time).  The frame rules
 *   are ws_proto.h's; this file does the I/O and runs the callbacks.
 *   The end: leave every room, on_close(conn, 1000, "") — or, when
 *   on_connect or on_message panicked, Close 1011 `internal error` and
 *   on_close(conn, 1011, "internal error"); on SIGINT/SIGTERM, Close 1001
 *   `going away` and on_close(conn, 1001, "going away") — then the handle
 *   is closed.
 * A panic in a callback is caught in the connection process (its message
 * goes to stderr), so only that connection ends.
 */
#ifndef SNOW_WS_SERVER_H
#define SNOW_WS_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "listen.h"
#include "value.h"

#define WS_PING_EVERY_MS 30000
#define WS_PONG_WITHIN_MS 10000

/* Check an upgrade request (§3.2 item 1): NULL if it is one, with the
 * Sec-WebSocket-Accept value in accept (29 bytes with the NUL), else the
 * reason ("method must be GET", ...).  head: the header section as
 * http_head_next walks it. */
const char *ws_handshake_check(const char *method, size_t mlen, const char *head, size_t hlen, char accept[29]);

/* The callbacks of a WebSocket endpoint, as a tuple (on_connect,
 * on_message, on_close). */
Value ws_callbacks(Value on_connect, Value on_message, Value on_close);

/* HTTP.on_ws's route handler: checks the request; answers 400 with the
 * reason, or a 101 Response that http_server.c turns into the upgrade
 * (ws_take_over) once the middleware chain has returned it. */
Value ws_route_handler(Value callbacks);
/* The route handler `handler` answered `resp` to a request: true if this
 * is an upgrade to carry out. */
bool ws_is_upgrade(Value handler, Value resp);
/* Carry out the upgrade in the HTTP connection process: the connection
 * becomes a WebSocket (it never returns to HTTP).  req: the Request;
 * pre[0..n): bytes read after the request. */
void ws_take_over(ListenConn *lc, Value handler, Value req, const char *pre, size_t n);

/* Ws.serve / Ws.serve_tls: bind, print the stderr line, serve for good
 * (returns after printing the failure line if the port cannot be bound or
 * the certificate cannot be loaded). */
void ws_serve(Value callbacks, int port, const char *cert, const char *key);

#endif
