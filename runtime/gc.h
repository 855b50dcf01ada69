/* gc.h — per-process heaps, their mark-sweep collector, the static
 * (immortal) area and message fragments.
 *
 * Model (architecture.md §2 "Memory"):
 *  - Every process owns one Heap.  Only the thread currently running that
 *    process allocates in it or collects it; no locks on the fast path.
 *  - Roots: a conservative scan of the owning process's stack ranges (supplied
 *    by a root-scanner callback, see heap_set_roots) plus any precise roots
 *    that callback marks (mailbox values, process arguments, ...).  Heap
 *    objects are traced precisely by kind.  Interior pointers found on the
 *    stack keep their object alive.
 *  - Objects never move, so C code may hold raw pointers across allocations
 *    as long as the owning Value (or an interior pointer) stays on the stack.
 *  - A message is deep-copied by the sender into a Frag (a fragment: memory
 *    not yet owned by any heap).  The receiver matches against the fragment's
 *    value in place and, when it takes the message, adopts the fragment into
 *    its heap in O(1) — no second copy.
 *  - Static objects (literals, function objects, nullary variants) carry
 *    GC_STATIC and are shared by every heap; they are never copied.
 *  - heap_free releases all of a dead process's memory at once.
 */
#ifndef SNOW_GC_H
#define SNOW_GC_H

#include "value.h"

typedef struct Heap Heap;
typedef struct Frag Frag;

/* Root scanner: called at the start of a collection; it must call
 * gc_mark_range for each stack range and gc_mark_value for each precise root. */
typedef void (*RootScanFn)(Heap *h, void *ctx);

Heap *heap_new(void);
void heap_free(Heap *h);
void heap_set_roots(Heap *h, RootScanFn fn, void *ctx);

/* The heap allocations go to.  Switched by the scheduler on every context
 * switch.  Read through this non-inlined accessor only (a coroutine can resume
 * on another OS thread; never cache thread-locals across a switch). */
Heap *heap_current(void);
void heap_set_current(Heap *h);

/* Allocate `bytes` (header included) of kind `kind` in the current heap; the
 * header is initialised, the rest zeroed.  May collect first.  Never NULL
 * (out of memory is a clean fatal error). */
void *gc_alloc(size_t bytes, uint8_t kind);
/* Same, in the static area: never collected; for values built at load time. */
void *gc_alloc_static(size_t bytes, uint8_t kind);

void gc_mark_value(Heap *h, Value v);
void gc_mark_range(Heap *h, const void *lo, const void *hi); /* conservative */
void gc_collect(Heap *h);

/* ---- additions by the value library (runtime/gc.c) ------------------------ */

/* For a root scanner running on the stack it scans ("the stack I am running
 * on"): spills the callee-saved registers into this frame (setjmp) and scans
 * conservatively from the current stack pointer up to `stack_top` (the
 * highest address of the stack, i.e. where the coroutine/thread started).
 * Stacks grow downwards on every platform we support. */
void gc_mark_current_stack(Heap *h, const void *stack_top);

/* Precise roots: C code that keeps a Value in memory the collector does not
 * scan (a global, a malloc'd struct) registers the slot's address.  These are
 * marked in every collection in addition to what the RootScanFn marks; with
 * no RootScanFn they are the only roots.  Removal is by address. */
void heap_add_root(Heap *h, Value *slot);
void heap_remove_root(Heap *h, Value *slot);

/* Like gc_alloc but the payload after the header is NOT zeroed.  Only for
 * pointer-free kinds (OK_STRBUF, OK_RAW, and OK_STR whose bytes the caller
 * writes at once). */
void *gc_alloc_uninit(size_t bytes, uint8_t kind);

static inline bool gc_is_static(const Obj *o) { return (o->gcbits & GC_STATIC) != 0; }

/* True when p points into one of h's chunks (tests, assertions). */
bool heap_contains(const Heap *h, const void *p);

/* Total bytes of a fragment (tests, event log). */
size_t frag_bytes(const Frag *f);

/* True when a Value refers to an object (as opposed to an immediate or []). */
static inline bool val_has_obj(Value v) { return v.tag >= T_STR && v.tag < T__COUNT && v.o != NULL; }

/* Statistics (for tests, :processes in the REPL and the debugger). */
typedef struct HeapStats {
    size_t bytes_in_use;   /* live + not yet collected garbage */
    size_t bytes_reserved; /* memory held from the system */
    size_t collections;
    /* added: */
    size_t chunks;         /* chunks (incl. adopted fragments) */
    size_t live_after_gc;  /* bytes found live by the last collection */
    size_t heap_struct;    /* bytes of the Heap bookkeeping itself */
} HeapStats;
void heap_stats(const Heap *h, HeapStats *out);

/* ---- messages --------------------------------------------------------------
 * frag_copy deep-copies v out of the current heap into a new fragment (static
 * objects and immediates are shared, not copied).  *out receives the copied
 * value, valid as long as the fragment lives.  Returns NULL when nothing
 * needed copying.  heap_adopt makes the fragment's objects part of h (the
 * fragment handle is consumed).  frag_free discards an unreceived message. */
Frag *frag_copy(Value v, Value *out);
void heap_adopt(Heap *h, Frag *f);
/* heap_adopt for a fragment whose root value is v; returns the value to use
 * from now on (a small single-object fragment is copied into h and freed). */
Value heap_adopt_value(Heap *h, Frag *f, Value v);

/* Flat values: one object whose fields need no copying (Token(5),
 * (pid, 7), a string).  Mailboxes carry small ones inline in their entries
 * instead of in a fragment.  val_flat_size: the bytes of the copy (a
 * multiple of 16), 0 if v is not a flat object.  val_flat_copy_to: copy
 * v's object to dst (16-aligned, val_flat_size bytes) and return the value
 * there.  heap_copy_flat: copy such a copy into h. */
size_t val_flat_size(Value v);
Value val_flat_copy_to(Value v, void *dst);
Value heap_copy_flat(Heap *h, Value v);
void frag_free(Frag *f);

/* Deep copy of a value into the current heap (used when a value crosses
 * between heaps without a mailbox, e.g. a supervisor start closure result). */
Value val_copy_into_current(Value v);

#endif
