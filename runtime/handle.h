/* handle.h — handles: Snow values (T_HANDLE) that stand for a runtime
 * resource, and the resources that belong to processes (decision 30).
 *
 * Two kinds of handle:
 *  - plain (handle_new): a router, a pool...  The wrapper carries `data`
 *    directly; nothing is ever closed by the runtime.
 *  - owned (handle_open): a socket, a TLS session, a database connection,
 *    an open file.  The resource is listed on the process that opened it
 *    (its owner) and is closed by `cls->close(data)` exactly once: by
 *    handle_close, or when the owner exits for any reason (normal return,
 *    panic, Process.exit, kill, a linked exit, discard at quiescence), or
 *    at rt_shutdown for a resource opened outside any process.
 *
 * Invariants (owned handles):
 *  - A resource lives in a slot of one global table; a handle names it by
 *    (slot, generation), so copies of the handle in other heaps (messages)
 *    see it closed the moment it is closed, and a slot reused later never
 *    answers to an old handle.
 *  - `data` is reached only through handle_pin, which fails once a close
 *    has been requested.  A close requested while pins are held runs when
 *    the last pin is released, on the releasing thread; otherwise it runs
 *    at once, on the closing thread.  Either way it runs exactly once.
 *  - A pin is held only across code that neither parks the process nor
 *    panics (read the fd, issue the syscall, unpin; then wait in the
 *    poller if needed): an unwind never skips an unpin.
 *  - cls->close runs outside the Snow heap and must not park: it may run on
 *    the dying owner's stack, on a scheduler stack (discard at quiescence)
 *    or at shutdown.  For a socket it is typically poll_del + close.
 *  - The owner lists are guarded by one lock; opening, closing and giving
 *    away a resource take it, pins do not (one CAS on the slot).
 */
#ifndef SNOW_HANDLE_H
#define SNOW_HANDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "value.h"

typedef struct Proc Proc;

/* A plain handle in the current heap (wrapper->data = data, no close). */
Value handle_new(const HandleClass *cls, void *data);

/* An owned resource, listed on the running process (or on nobody outside
 * processes); cls->close must be non-NULL.  Returns its handle in the
 * current heap. */
Value handle_open(const HandleClass *cls, void *data);

/* True for a handle made by handle_open. */
static inline bool handle_is_owned(Value h) { return AS_HANDLE(h)->rid != 0; }

/* The resource behind h, pinned open; NULL once closed.  Plain handles
 * return their data (and need no unpin, though it is harmless). */
void *handle_pin(Value h);
void handle_unpin(Value h);

/* Close the resource now (any process may).  False if it was already
 * closed or closing. */
bool handle_close(Value h);

/* Hand the resource to process `pid` (the acceptor giving a connection to
 * its handler).  If pid is not alive the resource is closed.  False if the
 * handle was already closed. */
bool handle_give(Value h, uint64_t pid);

/* The owner's pid; false if closed, plain or owned by nobody. */
bool handle_owner(Value h, uint64_t *pid);

/* ---- for the process layer and the runtime ------------------------------ */

/* p is exiting (or being discarded): close everything it still owns, and
 * refuse resources given to it from now on. */
void handle_close_owned(Proc *p);
/* Owned resources currently open (tests, statistics). */
size_t handle_open_count(void);
/* rt_shutdown: close resources that have no owner left. */
void handle_reset(void);

#endif
