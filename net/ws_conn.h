/* ws_conn.h — a WebSocket connection as a resource (WsConn, decision 30):
 * its socket, its bounded outgoing queue, and its rooms.
 *
 * The connection process (ws_server.c) owns the resource: it reads
 * frames and runs the callbacks.  Any process may send to it (Ws.send,
 * broadcasts): a frame is appended to the queue under the connection's
 * lock and written at once if the socket takes it; what the socket does
 * not take is written by a flusher process, spawned when needed and gone
 * when the queue is empty.  So no sender ever waits for a peer, and frames
 * to one connection go out in the order they were queued.
 *
 * Invariants:
 *  - Every write to the socket happens under `lk` with `dead` false; the
 *    resource's close sets `dead` and closes the socket under `lk`, so no
 *    write ever reaches a closed (or reused) descriptor.  Reads are the
 *    owner's alone and end before the resource closes.
 *  - Bytes not yet written never exceed `limit`, but for one frame queued
 *    when nothing was (a 16 MiB message fits): a frame that would pass it
 *    closes the connection with 1008 `slow consumer`
 *    (the queue is dropped, the Close frame is tried once, the socket is
 *    shut so the owner's read ends).
 *  - After a Close frame is queued nothing else is (send returns -1).
 *  - The struct lives until its last reference goes (the resource, a
 *    flusher, a broadcast in progress); rooms hold no reference: a
 *    connection leaves every room in its close, before that reference
 *    goes.
 *  - Lock order: ws_rooms' lock and a connection's `lk` are never held
 *    together (the poller's per-fd lock, a leaf, may be taken under `lk`).
 */
#ifndef SNOW_WS_CONN_H
#define SNOW_WS_CONN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn.h"
#include "mt.h"
#include "value.h"

#define WS_QUEUE_LIMIT_DEFAULT (16u << 20)

typedef struct WsJoined WsJoined;

typedef struct WsConn {
    NetConn net;
    MtLock lk;              /* the queue, dead, closing, flushing */
    _Atomic int refs;
    bool dead;              /* the resource closed: no more writes */
    bool closing;           /* a Close frame is queued (or the connection is going) */
    bool flushing;          /* a flusher process is on duty */
    bool slow;              /* closed as a slow consumer */
    char *q;                /* outgoing bytes q[head..len) */
    size_t head, len, cap;
    size_t limit;
    uint64_t owner;         /* the connection process */
    Value handle;           /* the resource's handle, for flushers (plain copy) */
    WsJoined *rooms;        /* rooms joined (guarded by the rooms lock: ws_room.h) */
    struct WsConn *prev, *next; /* the open connections (for the stop) */
    uint32_t nrooms, rooms_cap;
} WsConn;

/* A new resource owned by the running process, over net (taken over: the
 * caller's NetConn is left closed).  Returns its handle; *out = the conn. */
Value ws_conn_open(NetConn *net, WsConn **out);
/* The connection behind a WsConn handle, pinned; NULL if closed (then
 * nothing to unpin).  Panics (in the caller) if h is not a WsConn. */
WsConn *ws_conn_pin(Value h, const char *fn);
void ws_conn_unpin(Value h);
void ws_conn_ref(WsConn *c);
void ws_conn_unref(WsConn *c);

/* Queue a frame (bytes already encoded): 0, or -1 if the connection is
 * closing or gone, or if the frame made it a slow consumer.  Control
 * frames of the owner (`control`) pass the limit.  Never parks. */
int ws_conn_queue(WsConn *c, const void *frame, size_t n, bool control);
/* Queue a Close frame and stop queueing anything after it. */
void ws_conn_queue_close(WsConn *c, int code, const char *reason);
/* The owner: write out the queue, parking while the socket is full, until
 * it is empty, the deadline passes or writing fails.  True if empty. */
bool ws_conn_drain(WsConn *c, int64_t deadline);
/* A Close frame was queued or the peer went: shut the socket's reading
 * side so the owner's wait for frames ends (any thread). */
void ws_conn_shutdown(WsConn *c);

/* SIGINT/SIGTERM (listen.h): shut the reading side of every open
 * connection, so each process ends its connection with 1001 `going
 * away` (ws_server.c asks listen_stopping()). */
void ws_conn_stop_all(void);

/* Queued bytes (tests, statistics). */
size_t ws_conn_queued(WsConn *c);

#endif
