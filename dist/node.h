/* node.h — this program's node in a Snow cluster (net.md §8, decisions
 * 10 and 31): its identity, the table of peers it knows, the sessions to
 * the connected ones, and everything routed through them — transparent
 * remote sends, links, monitors, remote spawn, node monitors and the
 * global registry.  The transport (TLS sessions, handshake, frames,
 * heartbeats) is session.h.
 *
 * Invariants:
 *  - A peer is one incarnation of a node: (name, creation).  It gets a
 *    node id (1, 2, ... in order of first connection) that is never reused,
 *    so a pid of a lost incarnation stays dead even after the node comes
 *    back (it then has a new creation and a new id).  Peer records live
 *    until the runtime shuts down; only their session comes and goes.
 *  - One lock (DistLock) guards the tables (peers, sessions, relations,
 *    global registry, node monitors).  It is never held across a wait, and
 *    a session's queue lock is only ever taken inside it, never the
 *    reverse.
 *  - Everything a local process does with a remote pid reaches a node
 *    through proc_remote (runtime/proc.h); what arrives from a node is
 *    applied through proc_remote_* on the session reader's stack.
 */
#ifndef SNOW_NODE_H
#define SNOW_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "value.h"

/* Defaults of net.md §8.4 (the command line may shorten them for tests). */
#define DIST_HEARTBEAT_MS 60000
#define DIST_HEARTBEAT_TIMEOUT_MS 15000
#define DIST_MAX_MESSAGE (16u << 20)
#define DIST_DEFAULT_PORT 9000

/* Command-line configuration (before the program runs). */
void dist_set_heartbeat(int64_t interval_ms, int64_t timeout_ms);
/* `snow run --name N --cookie-file F`: validate, bind the listener and make
 * the certificate now (errors are command-line errors: false + message);
 * the node then starts with the program's main process. */
bool dist_configure(const char *name, const char *cookie, char *err, size_t errcap);

/* The Snow surface (dist/lib_node.c).  Results as decision 10 says:
 * false + a message in err where the surface returns Err. */
bool dist_start(const char *name, const char *cookie, char *err, size_t errcap);
bool dist_connect(const char *target, char *err, size_t errcap);
bool dist_started(void);
const char *dist_self(void);            /* "" before start */
/* Names of connected nodes (malloc'd array of malloc'd strings). */
size_t dist_list(char ***out);
bool dist_node_monitor(uint64_t pid, const char *node, char *err, size_t errcap);
/* Remote spawn of the top-level function `fn` (a FuncObj) with args:
 * the new pid, or false + reason. */
bool dist_spawn(const char *node, Value fn, int argc, const Value *argv, bool link, uint64_t *pid, char *err,
                size_t errcap);
/* send({name, node}, msg) */
void dist_send_named(const char *name, size_t nlen, const char *node, size_t nodelen, Value msg);
int dist_global_register(const char *name, uint64_t pid);  /* 0 ok, 1 taken */
bool dist_global_whereis(const char *name, uint64_t *pid);
int dist_global_unregister(const char *name);              /* 0 ok, 1 unknown */

/* The interpreter registers every top-level function and actor, so remote
 * spawn can find it by name. */
void dist_fn_register(const char *name, Value fn);

/* Validate a node name `name@host[:port]` and split it (host and port
 * into the buffers).  False for an invalid name. */
bool dist_parse_name(const char *name, char *host, size_t hostcap, int *port);

#endif
