/* listen.h — TCP listeners with one process per connection, a limit on
 * concurrent connections and the graceful stop of decision 28.  The HTTP
 * server uses it; so can any protocol served on a port (WebSockets share
 * the HTTP server's port and its connections: see http_server.h).
 *
 * Use (in the process that serves, typically the one calling HTTP.serve):
 *
 *     char err[256];
 *     Listener *l = listen_open(port, err, sizeof err);   // NULL: bind failed
 *     listen_run(l, &my_proto, arg, tls_ctx_or_NULL, &opts);  // returns never
 *
 * listen_run accepts for good; each connection becomes a new process
 * running proto->body(arg, conn) where `conn` is the connection's handle
 * (an owned resource given to that process: it is closed when the process
 * ends, whatever the reason).  The body gets its ListenConn with
 * listen_conn_of(conn).
 *
 * Invariants:
 *  - A ListenConn belongs to its connection process; only that process
 *    reads and writes it, except: the stop path (any thread) shuts the
 *    reading side of connections marked LC_IDLE, and the close hook (the
 *    owner's exit) frees it.  The handle is never given to Snow code, so
 *    the pointer stays valid for as long as its process runs.
 *  - At most opts->max_conns connections are open per listener; at the
 *    limit the acceptor stops accepting (the kernel's backlog holds new
 *    ones) until one closes.  Out of file descriptors it pauses too.
 *  - On SIGINT/SIGTERM (output.h's stop hook) every listener stops: its
 *    socket stops listening (new connections are refused), idle
 *    connections are ended, busy ones finish their work (a protocol asks
 *    listen_stopping() before keeping a connection open); when the last
 *    connection of the last listener is gone, or after
 *    opts->shutdown_ms, the program exits with 0.
 */
#ifndef SNOW_LISTEN_H
#define SNOW_LISTEN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "conn.h"
#include "value.h"

typedef struct Listener Listener;

enum { LC_BUSY = 0, LC_IDLE = 1 };

typedef struct ListenConn {
    NetConn net;
    Listener *l;
    _Atomic int state;              /* LC_IDLE: waiting for the peer's next request */
    struct ListenConn *prev, *next; /* the listener's connections (under its lock) */
    void *proto;                    /* the protocol's state for this connection */
} ListenConn;

typedef struct ListenProto {
    const char *name;            /* the connection processes' name (events, snow trace) */
    FuncObj *body;               /* body(arg, conn): a C body (sysmsg.h SYSMSG_BODY) */
    void (*close)(ListenConn *c); /* the connection ends: last words (never park), free proto */
} ListenProto;

typedef struct ListenOpts {
    int max_conns;    /* concurrent connections (default 10 000) */
    int shutdown_ms;  /* graceful stop: how long busy connections may take (10 000) */
} ListenOpts;

#define LISTEN_MAX_CONNS_DEFAULT 10000
#define LISTEN_SHUTDOWN_MS_DEFAULT 10000

/* Bind 0.0.0.0:port and listen.  NULL with the OS error text in err. */
Listener *listen_open(int port, char *err, size_t cap);
/* The port actually bound (port 0 picks one). */
int listen_port(const Listener *l);
/* Accept and spawn for good (see above).  Returns only if the listener's
 * socket fails for good (then it has been closed). */
void listen_run(Listener *l, const ListenProto *proto, Value arg, TlsCtx *tls, const ListenOpts *opts);

/* A connection process: its ListenConn (from the handle it was given). */
ListenConn *listen_conn_of(Value conn);
/* The connection's TLS context (NULL: plain). */
TlsCtx *listen_tls(const ListenConn *c);
/* Mark the connection idle (waiting for a new request, nothing pending) or
 * busy.  Going idle returns false when the program is stopping: close the
 * connection instead of waiting. */
bool listen_set_idle(ListenConn *c, bool idle);
/* The program is stopping: answer what is in flight, keep nothing open. */
bool listen_stopping(void);
/* A protocol that took its connections' sockets over (ws_conn.h) is told
 * of the stop (on the thread that got the signal; must not park). */
void listen_set_on_stop(void (*fn)(void));
/* Connections currently open on l (tests, statistics). */
int listen_count(const Listener *l);

#endif
