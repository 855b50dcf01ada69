/* handle.c — handles and the resources owned by processes (handle.h).
 *
 * The table: slots in pages of 1024, reached through a fixed directory of
 * page pointers (pages are never freed, so a stale handle can always be
 * checked against its slot).  Each slot has one atomic word:
 *
 *     generation (32 bits) | CLOSING (bit 31) | pins (31 bits)
 *
 * A handle stores (generation << 32 | slot + 1).  handle_pin increments
 * the pins if the generation matches and CLOSING is clear; handle_close
 * sets CLOSING once (that CAS is what makes the close happen exactly once);
 * whoever then sees the pins at zero — the closer, or the last unpinner —
 * finishes: unlinks the slot from its owner's list, calls cls->close and
 * frees the slot under a new generation.
 *
 * Owner lists are doubly linked through slot indices, headed in the Proc
 * (res_head) or in R.unowned for resources opened outside processes, all
 * under R.lock.  A slot on p's list implies p has not yet passed
 * handle_close_owned (which empties the list under the same lock and sets
 * res_done), so the `owner` pointer is valid while the lock is held.
 */
#include "handle.h"

#include <stdlib.h>
#include <string.h>

#include "gc.h"
#include "mt.h"
#include "proc_private.h"
#include "rt.h"
#include "xalloc.h"

#define RS_PAGE 1024
#define RS_PAGES 4096 /* 4M resources open at once */
#define W_CLOSING (1ull << 31)
#define W_PINS ((1ull << 31) - 1)
#define W_GEN(w) ((uint32_t)((w) >> 32))

typedef struct Slot {
    _Atomic uint64_t w;     /* generation | CLOSING | pins */
    const HandleClass *cls; /* set while open */
    void *data;
    Proc *owner;            /* NULL: on R.unowned */
    uint32_t prev, next;    /* owner's list, or the free list (next); index + 1, 0 = none */
} Slot;

static struct {
    MtLock lock;            /* lists, free list, page creation */
    Slot *_Atomic pages[RS_PAGES];
    uint32_t nslots;        /* slots ever handed out */
    uint32_t free_head;     /* index + 1 */
    uint32_t unowned;       /* list of resources opened outside processes */
    size_t nopen;
} R;

static Slot *slot_at(uint32_t idx) {
    Slot *pg = atomic_load_explicit(&R.pages[idx / RS_PAGE], memory_order_acquire);
    return pg ? &pg[idx % RS_PAGE] : NULL;
}

static uint32_t *list_head(Proc *owner) { return owner ? &owner->res_head : &R.unowned; }

/* Under R.lock. */
static void list_link(Proc *owner, uint32_t idx) {
    uint32_t *head = list_head(owner);
    Slot *s = slot_at(idx);
    s->owner = owner;
    s->prev = 0;
    s->next = *head;
    if (*head) slot_at(*head - 1)->prev = idx + 1;
    *head = idx + 1;
}

/* Under R.lock. */
static void list_unlink(uint32_t idx) {
    Slot *s = slot_at(idx);
    if (s->prev) slot_at(s->prev - 1)->next = s->next;
    else *list_head(s->owner) = s->next;
    if (s->next) slot_at(s->next - 1)->prev = s->prev;
    s->prev = s->next = 0;
    s->owner = NULL;
}

/* Under R.lock: a free slot (its generation word already advanced). */
static uint32_t slot_take(void) {
    if (R.free_head) {
        uint32_t idx = R.free_head - 1;
        R.free_head = slot_at(idx)->next;
        return idx;
    }
    if (R.nslots == (uint32_t)RS_PAGE * RS_PAGES) rt_fatal("too many open resources");
    uint32_t idx = R.nslots++;
    if (idx % RS_PAGE == 0) {
        Slot *pg = xcalloc(RS_PAGE, sizeof *pg);
        for (int i = 0; i < RS_PAGE; i++) atomic_init(&pg[i].w, 1ull << 32); /* generation 1 */
        atomic_store_explicit(&R.pages[idx / RS_PAGE], pg, memory_order_release);
    }
    return idx;
}

static uint32_t rid_slot(uint64_t rid) { return (uint32_t)rid - 1; }
static uint32_t rid_gen(uint64_t rid) { return (uint32_t)(rid >> 32); }

/* ---- creation ------------------------------------------------------------------------ */

static Value wrap(const HandleClass *cls, void *data, uint64_t rid) {
    HandleObj *o = gc_alloc(sizeof *o, OK_HANDLE);
    o->cls = cls;
    o->data = data;
    o->rid = rid;
    return v_obj(T_HANDLE, o);
}

Value handle_new(const HandleClass *cls, void *data) { return wrap(cls, data, 0); }

Value handle_open(const HandleClass *cls, void *data) {
    Proc *p = proc_self();
    mt_lock(&R.lock);
    uint32_t idx = slot_take();
    Slot *s = slot_at(idx);
    s->cls = cls;
    s->data = data;
    list_link(p, idx);
    R.nopen++;
    uint64_t rid = ((uint64_t)W_GEN(atomic_load_explicit(&s->w, memory_order_relaxed)) << 32) | (idx + 1);
    mt_unlock(&R.lock);
    /* the wrapper last: a collection may run, and the resource is listed */
    return wrap(cls, NULL, rid);
}

/* ---- closing ------------------------------------------------------------------------- */

/* CLOSING is set and the pins are zero: we are the one to finish. */
static void finish_close(uint32_t idx) {
    Slot *s = slot_at(idx);
    mt_lock(&R.lock);
    list_unlink(idx);
    const HandleClass *cls = s->cls;
    void *data = s->data;
    mt_unlock(&R.lock);
    cls->close(data); /* outside the lock: it may take others (the poller's) */
    mt_lock(&R.lock);
    s->cls = NULL;
    s->data = NULL;
    uint32_t gen = W_GEN(atomic_load_explicit(&s->w, memory_order_relaxed)) + 1;
    if (!gen) gen = 1;
    atomic_store_explicit(&s->w, (uint64_t)gen << 32, memory_order_release);
    s->next = R.free_head;
    R.free_head = idx + 1;
    R.nopen--;
    mt_unlock(&R.lock);
}

/* Request the close of (idx, gen): false if it is gone or already closing. */
static bool close_rid(uint64_t rid) {
    uint32_t idx = rid_slot(rid);
    Slot *s = slot_at(idx);
    if (!s) return false;
    uint64_t w = atomic_load_explicit(&s->w, memory_order_acquire);
    do {
        if (W_GEN(w) != rid_gen(rid) || (w & W_CLOSING)) return false;
    } while (!atomic_compare_exchange_weak_explicit(&s->w, &w, w | W_CLOSING, memory_order_acq_rel,
                                                    memory_order_acquire));
    if ((w & W_PINS) == 0) finish_close(idx);
    return true;
}

bool handle_close(Value h) {
    uint64_t rid = AS_HANDLE(h)->rid;
    return rid && close_rid(rid);
}

void handle_close_owned(Proc *p) {
    for (;;) {
        mt_lock(&R.lock);
        p->res_done = true;
        uint32_t head = p->res_head;
        uint64_t rid = 0;
        if (head) {
            Slot *s = slot_at(head - 1);
            rid = ((uint64_t)W_GEN(atomic_load_explicit(&s->w, memory_order_relaxed)) << 32) | head;
            /* a slot whose close is pending stays listed until it finishes:
             * move it to nobody, so the loop makes progress */
            if (atomic_load_explicit(&s->w, memory_order_relaxed) & W_CLOSING) {
                list_unlink(head - 1);
                list_link(NULL, head - 1);
                rid = 0;
            }
        }
        mt_unlock(&R.lock);
        if (!head) return;
        if (rid) close_rid(rid);
    }
}

void handle_reset(void) {
    for (;;) {
        mt_lock(&R.lock);
        uint32_t head = R.unowned;
        uint64_t w = head ? atomic_load_explicit(&slot_at(head - 1)->w, memory_order_relaxed) : 0;
        mt_unlock(&R.lock);
        if (!head) return;
        if (w & W_CLOSING) { /* pinned by nobody any more (no process runs): finish it */
            atomic_store_explicit(&slot_at(head - 1)->w, w & ~W_PINS, memory_order_relaxed);
            finish_close(head - 1);
        } else {
            close_rid(((uint64_t)W_GEN(w) << 32) | head);
        }
    }
}

size_t handle_open_count(void) {
    mt_lock(&R.lock);
    size_t n = R.nopen;
    mt_unlock(&R.lock);
    return n;
}

/* ---- use -------------------------------------------------------------------------------- */

void *handle_pin(Value h) {
    HandleObj *o = AS_HANDLE(h);
    if (!o->rid) return o->data;
    Slot *s = slot_at(rid_slot(o->rid));
    if (!s) return NULL;
    uint64_t w = atomic_load_explicit(&s->w, memory_order_acquire);
    do {
        if (W_GEN(w) != rid_gen(o->rid) || (w & W_CLOSING)) return NULL;
    } while (!atomic_compare_exchange_weak_explicit(&s->w, &w, w + 1, memory_order_acq_rel, memory_order_acquire));
    return s->data;
}

void handle_unpin(Value h) {
    HandleObj *o = AS_HANDLE(h);
    if (!o->rid) return;
    uint32_t idx = rid_slot(o->rid);
    uint64_t w = atomic_fetch_sub_explicit(&slot_at(idx)->w, 1, memory_order_acq_rel);
    if ((w & W_CLOSING) && (w & W_PINS) == 1) finish_close(idx);
}

bool handle_give(Value h, uint64_t pid) {
    uint64_t rid = AS_HANDLE(h)->rid;
    if (!rid) return false;
    Proc *q = proc_find(pid);
    uint32_t idx = rid_slot(rid);
    Slot *s = slot_at(idx);
    if (!s) return false;
    mt_lock(&R.lock);
    uint64_t w = atomic_load_explicit(&s->w, memory_order_relaxed);
    bool open = W_GEN(w) == rid_gen(rid) && !(w & W_CLOSING);
    bool moved = open && q && !q->res_done;
    if (moved) {
        list_unlink(idx);
        list_link(q, idx);
    }
    mt_unlock(&R.lock);
    if (open && !moved) close_rid(rid); /* the new owner is gone */
    return open;
}

bool handle_owner(Value h, uint64_t *pid) {
    uint64_t rid = AS_HANDLE(h)->rid;
    if (!rid) return false;
    Slot *s = slot_at(rid_slot(rid));
    if (!s) return false;
    mt_lock(&R.lock);
    uint64_t w = atomic_load_explicit(&s->w, memory_order_relaxed);
    bool open = W_GEN(w) == rid_gen(rid) && !(w & W_CLOSING);
    bool owned = open && s->owner;
    if (owned) *pid = s->owner->pid;
    mt_unlock(&R.lock);
    return owned;
}
