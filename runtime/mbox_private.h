/* mbox_private.h — the mailbox and entry records, private to runtime/.
 *
 * Only runtime/ includes this header (tests/scripts/layers.sh checks it);
 * other layers use mbox.h's functions.  The invariants are mbox.h's. */
#ifndef SNOW_MBOX_PRIVATE_H
#define SNOW_MBOX_PRIVATE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "mbox.h"

struct MboxEntry {                     /* 64 bytes; a small flat value may follow it */
    MboxMsg m;                         /* first: the public part (mbox_msg) */
    struct MboxEntry *_Atomic in_next; /* inbox link (Treiber stack) */
    struct MboxEntry *next, *prev;     /* private list, owner only */
    Frag *frag;                        /* owning fragment, NULL if none needed */
};
_Static_assert(offsetof(struct MboxEntry, m) == 0, "MboxMsg must be the first member of MboxEntry");

struct Mbox {
    MboxEntry *_Atomic inbox; /* newest first; pushed by any thread */
    MboxEntry *head, *tail;   /* private FIFO */
    size_t count;             /* entries in the private list */
};

/* The inbox of a destroyed mailbox points here (mbox_destroy). */
extern MboxEntry mbox_closed_mark;

/* True if entries were pushed since the owner last drained (any thread;
 * false once closed). */
static inline bool mbox_has_new(Mbox *m) {
    MboxEntry *x = atomic_load_explicit(&m->inbox, memory_order_seq_cst);
    return x && x != &mbox_closed_mark;
}

#endif
