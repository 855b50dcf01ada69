/* mbox.h — process mailboxes: one FIFO of entries, each carrying its kind
 * (user message, system signal, runtime-component kinds) and its value in a
 * message fragment (gc.h Frag) until the owner takes it.
 *
 * Concurrency design: senders push onto a lock-free MPSC inbox (a Treiber
 * stack: one CAS, safe from any thread); only the owning process touches the
 * private doubly-linked list, into which it drains the inbox (reversed, so
 * arrival order is kept) whenever it reaches the end of the list.
 *
 * mbox_destroy closes the inbox (it then holds a sentinel): a push that
 * comes later, from a sender that found the process just before it exited,
 * frees its entry instead (the message is dropped, as for any dead pid).
 *
 * Invariants:
 *  - Entries are in arrival order across private list + inbox (FIFO over
 *    the whole mailbox, whatever the kind).
 *  - Only the owner calls mbox_first/next/take/destroy; an entry pointer it
 *    holds stays valid until the owner takes it (nobody else removes).
 *  - An entry's value is readable in place (inside its fragment, or for a
 *    small flat value inside the entry itself) without taking it;
 *    mbox_take adopts the fragment into the current heap (the owner's) in
 *    O(1), or copies a small value into it, and returns the value to use.
 */
#ifndef SNOW_MBOX_H
#define SNOW_MBOX_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gc.h"
#include "value.h"

/* Entry kinds.  A `receive` with only ordinary arms looks at MB_USER
 * entries; Signal arms (Down/Exit/NodeUp/NodeDown, values of td_signal) look
 * at MB_SIGNAL entries.  Runtime components (service replies, job results,
 * WebSocket frames, ...) may use their own kinds from MB_RUNTIME upwards. */
enum { MB_USER = 0, MB_SIGNAL = 1, MB_RUNTIME = 16 };

/* Runtime-component kinds (one list here, so components never collide). */
enum {
    MB_SVC_REQUEST = MB_RUNTIME, /* service call/cast request (service.c) */
    MB_SVC_REPLY,                /* (ref, reply) for a blocked caller */
    MB_SVC_DOWN,                 /* Down of the service a caller waits on */
    MB_SUP_DOWN,                 /* Down of a child a supervisor is stopping (supervisor.c) */
    MB_JOB_RESULT,               /* (job, Ok(value)) for the job's owner (lib_job.c) */
    MB_JOB_DOWN,                 /* Down of a job, watched by its owner */
    MB_JOB_KEPT,                 /* an awaited outcome kept for a later await */
    MB_JOB_CANCEL,               /* to a job: its owner stopped waiting (await_timeout) */
    MB_REPL_JOB,                 /* to the REPL's session: run the next input (cmd/repl.c) */
    MB_REPL_DONE,                /* to the REPL's reader: the input ran (its new bindings) */
    MB_REPL_DOWN,                /* Down of the REPL's session, watched by the reader */
    MB_DIST_KICK,                /* to a distribution session's writer: frames are queued (dist/) */
    MB_DIST_REPLY,               /* (request, result) of a remote spawn or connect (dist/) */
};

/* Mailboxes and their entries are opaque outside runtime/: their fields are
 * in mbox_private.h, which only runtime/ includes (tests/scripts/layers.sh
 * checks it).  An entry begins with its public part, MboxMsg, which is all
 * a receive reads; tools read a whole mailbox through mbox_snapshot. */
typedef struct Mbox Mbox;
typedef struct MboxEntry MboxEntry;

/* What a receive reads of an entry: the first member of every MboxEntry. */
typedef struct MboxMsg {
    uint32_t kind;  /* MB_* */
    uint64_t from;  /* sender pid (events, debugger) */
    Value val;      /* the message, inside the entry's fragment */
} MboxMsg;

static inline const MboxMsg *mbox_msg(const MboxEntry *e) { return (const MboxMsg *)(const void *)e; }

void mbox_init(Mbox *m);
/* Free every entry and its fragment (process exit or discard). */
void mbox_destroy(Mbox *m);

/* Make an entry for value v: v is deep-copied out of the current heap. */
MboxEntry *mbox_entry_new(uint32_t kind, uint64_t from, Value v);
/* Make an entry from an already copied fragment (timers keep them). */
MboxEntry *mbox_entry_from_frag(uint32_t kind, uint64_t from, Frag *f, Value v);
void mbox_entry_free(MboxEntry *e);

/* Free this thread's pools of unused entries (a worker thread before it
 * ends; rt_shutdown for the calling thread). */
void mbox_pool_flush(void);

/* Append (any thread).  Returns nothing: the caller wakes the owner.
 * The push is sequentially consistent: with the threaded scheduler's
 * seq_cst publication of a blocked state followed by a seq_cst re-read of
 * the inbox, either the sender sees the receiver blocked (and wakes it) or
 * the receiver sees the new entry. */
void mbox_push(Mbox *m, MboxEntry *e);

/* Owner only.  Iteration from the oldest entry; NULL at the end. */
MboxEntry *mbox_first(Mbox *m);
MboxEntry *mbox_next(Mbox *m, MboxEntry *e);
static inline uint32_t mbox_kind(const MboxEntry *e) { return mbox_msg(e)->kind; }
static inline Value mbox_value(const MboxEntry *e) { return mbox_msg(e)->val; }
/* Unlink e, adopt its fragment into the current heap (or copy a small
 * value into it), free e, and return the value to use from now on: the
 * value read in place with mbox_value, and anything pointing into it
 * (pattern bindings made while matching), may be gone after the take. */
Value mbox_take(Mbox *m, MboxEntry *e);
/* Unlink e without bringing its value into the heap; the caller frees it
 * with mbox_entry_free when done reading it in place.  For a receive whose
 * bindings kept nothing that points into the message (only immediates,
 * e.g. the n of Token(n)). */
void mbox_unlink(Mbox *m, MboxEntry *e);
/* Number of entries (drains the inbox first). */
size_t mbox_count(Mbox *m);

/* ---- for tools (debugger, REPL), not the owner --------------------------
 * Read a mailbox without changing it, while its owner is not running (under
 * the deterministic scheduler, or from the owner itself).  Values are read
 * in place: valid until the owner next runs. */

/* The entries in arrival order (private list, then the inbox): a malloc'd
 * array of *n copies of their public parts, for the caller to free. */
MboxMsg *mbox_snapshot(Mbox *m, size_t *n);
/* Number of entries, without draining the inbox. */
size_t mbox_peek_count(Mbox *m);

#endif
