/* mbox.c — mailboxes (see mbox.h). */
#include "mbox.h"
#include "mbox_private.h"

#include <assert.h>
#include <stdlib.h>

#include "rt.h"
#include "xalloc.h"

void mbox_init(Mbox *m) {
    atomic_init(&m->inbox, NULL);
    m->head = m->tail = NULL;
    m->count = 0;
}

/* ---- entries come from two per-thread pools of fixed-size blocks (a bare
 * entry; an entry with room for the largest inline value), so a message
 * costs a pointer pop and push instead of malloc and free.  Thread-local,
 * reached only through these out-of-line functions (a process may resume
 * on another thread).  A pool keeps at most POOL_MAX blocks. */

#define INLINE_MAX 96
#define POOL_MAX 1024
static const size_t block_size[2] = {sizeof(MboxEntry), sizeof(MboxEntry) + INLINE_MAX};

typedef struct FreeEntry {
    struct FreeEntry *next;
} FreeEntry;

static _Thread_local struct {
    FreeEntry *head[2];
    unsigned n[2];
} pools;

__attribute__((noinline)) static MboxEntry *entry_alloc(int cls) {
    FreeEntry *b = pools.head[cls];
    if (b) {
        pools.head[cls] = b->next;
        pools.n[cls]--;
        return (MboxEntry *)b;
    }
    MboxEntry *e = xmalloc(block_size[cls]);
    return e;
}

__attribute__((noinline)) static void entry_release(MboxEntry *e, int cls) {
    if (pools.n[cls] < POOL_MAX) {
        FreeEntry *b = (FreeEntry *)e;
        b->next = pools.head[cls];
        pools.head[cls] = b;
        pools.n[cls]++;
    } else {
        free(e);
    }
}

__attribute__((noinline)) void mbox_pool_flush(void) {
    for (int c = 0; c < 2; c++) {
        while (pools.head[c]) {
            FreeEntry *b = pools.head[c];
            pools.head[c] = b->next;
            free(b);
        }
        pools.n[c] = 0;
    }
}

static inline bool entry_inline(const MboxEntry *e) { return e->m.val.o == (Obj *)(e + 1) && !e->frag; }

static inline void entry_init(MboxEntry *e, uint32_t kind, uint64_t from, Frag *f) {
    atomic_init(&e->in_next, NULL);
    e->next = e->prev = NULL;
    e->m.kind = kind;
    e->m.from = from;
    e->frag = f;
}

MboxEntry *mbox_entry_from_frag(uint32_t kind, uint64_t from, Frag *f, Value v) {
    MboxEntry *e = entry_alloc(0);
    entry_init(e, kind, from, f);
    e->m.val = v;
    return e;
}

/* A small flat message lives right after its entry: one block, no
 * fragment (the common Token(5) / (pid, 7) / short string). */
_Static_assert(sizeof(MboxEntry) % 16 == 0, "an inline value after the entry must be 16-aligned");

MboxEntry *mbox_entry_new(uint32_t kind, uint64_t from, Value v) {
    size_t fs = val_flat_size(v);
    if (fs && fs <= INLINE_MAX) {
        MboxEntry *e = entry_alloc(1);
        entry_init(e, kind, from, NULL);
        e->m.val = val_flat_copy_to(v, e + 1);
        return e;
    }
    Value copy;
    Frag *f = frag_copy(v, &copy);
    return mbox_entry_from_frag(kind, from, f, f ? copy : v);
}

void mbox_entry_free(MboxEntry *e) {
    if (e->frag) frag_free(e->frag);
    entry_release(e, entry_inline(e));
}

MboxEntry mbox_closed_mark;
#define CLOSED (&mbox_closed_mark)

void mbox_push(Mbox *m, MboxEntry *e) {
    MboxEntry *old = atomic_load_explicit(&m->inbox, memory_order_relaxed);
    do {
        if (old == CLOSED) { /* the owner has exited */
            mbox_entry_free(e);
            return;
        }
        atomic_store_explicit(&e->in_next, old, memory_order_relaxed);
    } while (!atomic_compare_exchange_weak_explicit(&m->inbox, &old, e, memory_order_seq_cst,
                                                    memory_order_relaxed));
}

/* Move the inbox (newest first) to the end of the private list. */
static void drain(Mbox *m) {
    MboxEntry *x = atomic_exchange_explicit(&m->inbox, NULL, memory_order_acquire);
    if (!x) return;
    assert(x != CLOSED);
    MboxEntry *rev = NULL; /* reverse into arrival order, linked by ->next */
    while (x) {
        MboxEntry *n = atomic_load_explicit(&x->in_next, memory_order_relaxed);
        x->next = rev;
        rev = x;
        x = n;
    }
    for (MboxEntry *e = rev; e;) {
        MboxEntry *n = e->next;
        e->next = NULL;
        e->prev = m->tail;
        if (m->tail) m->tail->next = e;
        else m->head = e;
        m->tail = e;
        m->count++;
        e = n;
    }
}

MboxEntry *mbox_first(Mbox *m) {
    if (!m->head) drain(m);
    return m->head;
}

MboxEntry *mbox_next(Mbox *m, MboxEntry *e) {
    if (!e->next) {
        assert(e == m->tail);
        drain(m);
    }
    return e->next;
}

void mbox_unlink(Mbox *m, MboxEntry *e) {
    assert(m->count > 0);
    if (e->prev) e->prev->next = e->next;
    else m->head = e->next;
    if (e->next) e->next->prev = e->prev;
    else m->tail = e->prev;
    m->count--;
}

Value mbox_take(Mbox *m, MboxEntry *e) {
    mbox_unlink(m, e);
    bool inl = entry_inline(e);
    Value v = e->frag ? heap_adopt_value(heap_current(), e->frag, e->m.val)
            : inl ? heap_copy_flat(heap_current(), e->m.val)
            : e->m.val;
    entry_release(e, inl);
    return v;
}

size_t mbox_count(Mbox *m) {
    drain(m);
    return m->count;
}

void mbox_destroy(Mbox *m) {
    MboxEntry *x = atomic_exchange_explicit(&m->inbox, CLOSED, memory_order_acquire);
    while (x && x != CLOSED) {
        MboxEntry *n = atomic_load_explicit(&x->in_next, memory_order_relaxed);
        mbox_entry_free(x);
        x = n;
    }
    for (MboxEntry *e = m->head; e;) {
        MboxEntry *n = e->next;
        mbox_entry_free(e);
        e = n;
    }
    m->head = m->tail = NULL;
    m->count = 0;
}

/* ---- for tools ---------------------------------------------------------------- */

static MboxEntry *inbox_first(Mbox *m) {
    MboxEntry *x = atomic_load_explicit(&m->inbox, memory_order_acquire);
    return x == &mbox_closed_mark ? NULL : x;
}

size_t mbox_peek_count(Mbox *m) {
    size_t n = m->count;
    for (MboxEntry *e = inbox_first(m); e; e = atomic_load_explicit(&e->in_next, memory_order_relaxed)) n++;
    return n;
}

MboxMsg *mbox_snapshot(Mbox *m, size_t *n) {
    size_t total = mbox_peek_count(m), k = 0;
    MboxMsg *v = xmalloc((total ? total : 1) * sizeof *v);
    for (MboxEntry *e = m->head; e && k < total; e = e->next) v[k++] = e->m;
    /* the inbox is newest first: fill its part of the array from the end */
    size_t end = total;
    for (MboxEntry *e = inbox_first(m); e && end > k; e = atomic_load_explicit(&e->in_next, memory_order_relaxed))
        v[--end] = e->m;
    *n = total;
    return v;
}
