/* gc.c — per-process heaps, the mark-sweep collector, the static area and
 * message fragments (implements gc.h; design in docs/memory.md).
 *
 * Heap = a set of chunks.  Each chunk is one malloc'd block laid out as
 *   [Chunk header][object-start bitmap][objects ...]
 * and is always completely tiled by blocks (allocated objects or free
 * blocks, kind 0), each starting with an Obj header whose size is a multiple
 * of 16.  Bit i of the bitmap is set iff a block starts at start + 16*i; it
 * lets the conservative stack scan map an interior pointer to its object.
 *
 * Decisions:
 *  - The first chunk is created lazily at the first allocation and is 1 KiB
 *    (an idle actor costs the Heap struct + 1 KiB).  Later chunks double the
 *    reserved total, capped at 1 MiB; objects > 32 KiB get a chunk of their
 *    own.
 *  - Allocation: exact-size free lists for 16..256 bytes, first-fit
 *    power-of-two classes above, and bump allocation in the current "bump
 *    region" (a fresh chunk or a large free run taken from the lists).
 *  - Mark-sweep, non-moving.  Marks live in Obj.gcbits (GC_MARK); the sweep
 *    clears them.  Objects outside this heap's chunks (fragments still in the
 *    mailbox) are traced through and their marks cleared right after the
 *    mark phase (they are never swept here).  GC_STATIC objects are skipped.
 *  - Trigger: bytes allocated (or adopted) since the last collection exceed
 *    max(64 KiB, live bytes after the last collection).  So a heap stays
 *    within about 2x its live data + 64 KiB, and collection work is
 *    amortised O(1) per allocated byte.
 *  - Fragments are built exactly sized (a sizing pass, then a copy pass,
 *    both with explicit stacks) directly in chunk format, so heap_adopt is an
 *    O(1) append to a pending list; pending chunks are merged into the
 *    address-sorted chunk array at the start of the next collection (the
 *    only time lookups by address are needed).
 *  - Sharing inside a message is not preserved (like the BEAM): a DAG is
 *    copied as a tree.  Slices (list tails, string views, old map versions)
 *    are copied compactly: only what the value can observe.
 */
#include "gc.h"

#include <assert.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "list.h"
#include "map.h"
#include "rt.h"
#include "str.h"
#include "xalloc.h"

#define GC_MARK 0x01u
#define OK_FREE 0

#define GRAN 16
#define NSMALL 16               /* exact classes 16, 32, ..., 256 bytes */
#define SMALL_MAX (NSMALL * GRAN)
#define NLARGE 16               /* classes [2^(k+8), 2^(k+9)) for k = 0.. */
#define LARGE_OBJ (32 * 1024)   /* bigger objects get their own chunk */
#define FIRST_CHUNK 1024
#define MAX_CHUNK (1024 * 1024)
#define MIN_TRIGGER (64 * 1024)
#define BUMP_RUN_MIN 512        /* free runs this large become bump regions */
#define SMALL_HEAP (1024 * 1024) /* may use the reserve when out of memory */

enum { CH_LARGE = 1 };

typedef struct Chunk {
    uint8_t *start;   /* first block (16-aligned) */
    uint8_t *end;     /* end of the object area */
    uint32_t flags;   /* CH_LARGE */
    uint32_t nwords;  /* bitmap words */
    size_t total;     /* bytes of the malloc'd block (stats) */
    uint64_t bits[];  /* object-start bitmap */
} Chunk;

/* A fragment is a chunk that no heap owns yet. */
struct Frag {
    Chunk c;
};

typedef struct FreeBlock {
    Obj h; /* kind OK_FREE, size */
    struct FreeBlock *next;
} FreeBlock;

struct Heap {
    uint8_t *bump, *limit;   /* current bump region */
    Chunk *bump_chunk;       /* chunk containing it */
    size_t since_gc;         /* bytes allocated/adopted since last collection */
    size_t trigger;          /* collect when since_gc exceeds this */
    size_t in_use;           /* bytes in allocated blocks */
    size_t reserved;         /* bytes of all chunks */
    size_t collections;
    size_t live_after_gc;
    Chunk **chunks;          /* sorted by address */
    uint32_t nchunks, capchunks;
    Chunk **pending;         /* adopted fragments, not yet merged */
    uint32_t npending, cappending;
    uintptr_t lo, hi;        /* bounds of all chunks (fast rejection) */
    FreeBlock *small[NSMALL];
    FreeBlock *large[NLARGE];
    RootScanFn scan;
    void *scan_ctx;
    Value **roots;
    uint32_t nroots, caproots;
    bool collecting;
    bool out_of_memory;      /* panicked "out of memory" once (heap_chunk_new) */
    /* mark phase only (freed afterwards) */
    Obj **mstack;
    size_t msp, mcap;
    Obj **foreign;
    size_t nforeign, capforeign;
};

/* ---- helpers -------------------------------------------------------------- */

static inline size_t round16(size_t n) { return (n + (GRAN - 1)) & ~(size_t)(GRAN - 1); }

static inline void bit_set(Chunk *c, const uint8_t *p) {
    size_t i = (size_t)(p - c->start) >> 4;
    c->bits[i >> 6] |= 1ULL << (i & 63);
}
static inline void bit_clear(Chunk *c, const uint8_t *p) {
    size_t i = (size_t)(p - c->start) >> 4;
    c->bits[i >> 6] &= ~(1ULL << (i & 63));
}

/* Allocate a chunk whose object area holds at least `area` bytes, or NULL
 * when the memory is not there. */
static Chunk *chunk_try_new(size_t area, uint32_t flags) {
    area = round16(area);
    size_t nbits = area / GRAN;
    size_t nwords = (nbits + 63) / 64;
    size_t hdr = round16(sizeof(Chunk) + nwords * 8);
    size_t total = hdr + area;
    Chunk *c = malloc(total);
    if (!c) return NULL;
    c->start = (uint8_t *)c + hdr;
    c->end = c->start + area;
    c->flags = flags;
    c->nwords = (uint32_t)nwords;
    c->total = total;
    memset(c->bits, 0, nwords * 8);
    return c;
}

/* Same, never NULL (fragments): with the reserve's help, else fatal. */
static Chunk *chunk_new(size_t area, uint32_t flags) {
    Chunk *c = chunk_try_new(area, flags);
    while (__builtin_expect(!c, 0) && xalloc_reserve_release()) c = chunk_try_new(area, flags);
    if (!c) xalloc_fail(area);
    return c;
}

/* Binary search of the sorted chunk array. */
static Chunk *chunk_find(const Heap *h, uintptr_t p) {
    if (p < h->lo || p >= h->hi) return NULL;
    uint32_t lo = 0, hi = h->nchunks;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        Chunk *c = h->chunks[mid];
        if (p < (uintptr_t)c->start) hi = mid;
        else if (p >= (uintptr_t)c->end) lo = mid + 1;
        else return c;
    }
    return NULL;
}

static void bounds_add(Heap *h, Chunk *c) {
    if (h->lo == 0 || (uintptr_t)c->start < h->lo) h->lo = (uintptr_t)c->start;
    if ((uintptr_t)c->end > h->hi) h->hi = (uintptr_t)c->end;
}

/* Room for one more chunk in h->chunks; false when the memory is not there. */
static bool chunks_room(Heap *h) {
    if (h->nchunks < h->capchunks) return true;
    uint32_t cap = h->capchunks ? h->capchunks * 2 : 4;
    Chunk **a = realloc(h->chunks, cap * sizeof(Chunk *));
    if (!a) return false;
    h->chunks = a;
    h->capchunks = cap;
    return true;
}

static void chunks_insert_sorted(Heap *h, Chunk *c) {
    while (!chunks_room(h))
        if (!xalloc_reserve_release()) xalloc_fail((size_t)h->capchunks * 2 * sizeof(Chunk *));
    uint32_t lo = 0, hi = h->nchunks;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if ((uintptr_t)h->chunks[mid]->start < (uintptr_t)c->start) lo = mid + 1;
        else hi = mid;
    }
    memmove(h->chunks + lo + 1, h->chunks + lo, (h->nchunks - lo) * sizeof(Chunk *));
    h->chunks[lo] = c;
    h->nchunks++;
    bounds_add(h, c);
    h->reserved += c->total;
}

static int chunk_cmp(const void *a, const void *b) {
    uintptr_t x = (uintptr_t)(*(Chunk *const *)a)->start, y = (uintptr_t)(*(Chunk *const *)b)->start;
    return x < y ? -1 : x > y;
}

/* Merge the adopted fragments into the sorted array: sort them, then one
 * backwards merge (O(n + k log k)). */
static void merge_pending(Heap *h) {
    if (!h->npending) return;
    qsort(h->pending, h->npending, sizeof(Chunk *), chunk_cmp);
    uint32_t n = h->nchunks, k = h->npending;
    if (n + k > h->capchunks) {
        while (n + k > h->capchunks) h->capchunks = h->capchunks ? h->capchunks * 2 : 4;
        h->chunks = xrealloc(h->chunks, h->capchunks * sizeof(Chunk *));
    }
    int64_t i = (int64_t)n - 1, j = (int64_t)k - 1, o = (int64_t)(n + k) - 1;
    while (j >= 0) {
        if (i >= 0 && (uintptr_t)h->chunks[i]->start > (uintptr_t)h->pending[j]->start)
            h->chunks[o--] = h->chunks[i--];
        else
            h->chunks[o--] = h->pending[j--];
    }
    h->nchunks = n + k;
    h->npending = 0;
}

/* ---- free lists ----------------------------------------------------------- */

static inline int large_class(size_t sz) {
    int k = 63 - __builtin_clzll((unsigned long long)sz) - 8;
    if (k < 0) k = 0;
    if (k >= NLARGE) k = NLARGE - 1;
    return k;
}

/* Put the block [p, p+sz) on a free list (its header and start bit are
 * written here). */
static void free_push(Heap *h, Chunk *c, uint8_t *p, size_t sz) {
    assert(sz >= GRAN && sz % GRAN == 0);
    FreeBlock *b = (FreeBlock *)p;
    b->h.kind = OK_FREE;
    b->h.gcbits = 0;
    b->h.xflags = 0;
    b->h.size = (uint32_t)sz;
    bit_set(c, p);
    if (sz <= SMALL_MAX) {
        b->next = h->small[sz / GRAN - 1];
        h->small[sz / GRAN - 1] = b;
    } else {
        int k = large_class(sz);
        b->next = h->large[k];
        h->large[k] = b;
    }
}

/* Turn the rest of the bump region into a free block. */
static void retire_bump(Heap *h) {
    if (h->bump && h->limit > h->bump) free_push(h, h->bump_chunk, h->bump, (size_t)(h->limit - h->bump));
    h->bump = h->limit = NULL;
    h->bump_chunk = NULL;
}

/* ---- heaps ---------------------------------------------------------------- */

static _Thread_local Heap *tl_current;

__attribute__((noinline)) Heap *heap_current(void) { return tl_current; }
__attribute__((noinline)) void heap_set_current(Heap *h) { tl_current = h; }

Heap *heap_new(void) {
    Heap *h = xmalloc(sizeof(Heap)); /* not calloc: glibc's calloc bypasses the thread cache */
    __asm__ volatile("" : : "r"(h) : "memory"); /* or the compiler makes it calloc again */
    memset(h, 0, sizeof(Heap));
    h->trigger = MIN_TRIGGER;
    xalloc_reserve_refill();
    return h;
}

void heap_free(Heap *h) {
    if (!h) return;
    for (uint32_t i = 0; i < h->nchunks; i++) free(h->chunks[i]);
    for (uint32_t i = 0; i < h->npending; i++) free(h->pending[i]);
    free(h->chunks);
    free(h->pending);
    free(h->roots);
    free(h->mstack);
    free(h->foreign);
    if (tl_current == h) tl_current = NULL;
    free(h);
    xalloc_reserve_refill(); /* after a process that ran out of memory */
}

void heap_set_roots(Heap *h, RootScanFn fn, void *ctx) {
    h->scan = fn;
    h->scan_ctx = ctx;
}

void heap_add_root(Heap *h, Value *slot) {
    if (h->nroots == h->caproots) {
        h->caproots = h->caproots ? h->caproots * 2 : 4;
        h->roots = xrealloc(h->roots, h->caproots * sizeof(Value *));
    }
    h->roots[h->nroots++] = slot;
}

void heap_remove_root(Heap *h, Value *slot) {
    for (uint32_t i = h->nroots; i-- > 0;)
        if (h->roots[i] == slot) {
            h->roots[i] = h->roots[--h->nroots];
            return;
        }
}

bool heap_contains(const Heap *h, const void *p) {
    if (chunk_find(h, (uintptr_t)p)) return true;
    for (uint32_t i = 0; i < h->npending; i++)
        if ((const uint8_t *)p >= h->pending[i]->start && (const uint8_t *)p < h->pending[i]->end) return true;
    return false;
}

void heap_stats(const Heap *h, HeapStats *out) {
    memset(out, 0, sizeof *out);
    out->bytes_in_use = h->in_use;
    out->bytes_reserved = h->reserved;
    out->collections = h->collections;
    out->chunks = h->nchunks + h->npending;
    out->live_after_gc = h->live_after_gc;
    out->heap_struct = sizeof(Heap) + h->capchunks * sizeof(Chunk *) + h->cappending * sizeof(Chunk *) +
                       h->caproots * sizeof(Value *);
}

/* ---- allocation ----------------------------------------------------------- */

static inline void *init_obj(void *p, size_t sz, uint8_t kind, bool zero) {
    if (zero) memset(p, 0, sz);
    Obj *o = p;
    o->kind = kind;
    o->gcbits = 0;
    o->xflags = 0;
    o->size = (uint32_t)sz;
    return p;
}

/* A new chunk for allocating an object of `sz` bytes in h (the heap of
 * the running process).  When the memory is not there (an address-space
 * limit such as `ulimit -v`), retry with the smallest chunk that fits; if
 * that is missing too, the process panics "out of memory": running out of
 * memory ends the process that asked, like a stack overflow, not the whole
 * program (issue 14).  Safe here: the heap is unchanged so far, and every
 * gc_alloc may already panic ("allocation too large").  No collection is
 * tried first: the trigger already collects at twice the live data, and a
 * collection per failed chunk thrashes for minutes near the limit.
 * Two kinds of heap may draw on the reserve (xalloc.h) first: one that
 * already panicked (its process is unwinding: exit reason, report) and a
 * small one (under 1 MB) -- when memory runs out it is the big heaps that
 * should go, as they release what the small ones need -- and only for a
 * small request. */
static Chunk *heap_chunk_new(Heap *h, size_t area, size_t min_area, uint32_t flags, size_t sz) {
    Chunk *c;
    if (__builtin_expect(chunks_room(h), 1)) {
        c = chunk_try_new(area, flags);
        if (__builtin_expect(c != NULL, 1)) return c;
        if (min_area < area && (c = chunk_try_new(min_area, flags))) return c;
    }
    if ((h->out_of_memory || h->reserved < SMALL_HEAP) && min_area < SMALL_HEAP)
        while (xalloc_reserve_release())
            if (chunks_room(h) && (c = chunk_try_new(min_area, flags))) return c;
    h->out_of_memory = true;
    h->since_gc -= sz < h->since_gc ? sz : h->since_gc;
    h->in_use -= sz < h->in_use ? sz : h->in_use;
    rt_panic("out of memory (cannot allocate %zu more bytes of heap)", min_area);
}

/* Make a new chunk the bump region. */
static void new_bump_chunk(Heap *h, size_t need) {
    size_t area = h->reserved ? h->reserved : FIRST_CHUNK;
    if (area > MAX_CHUNK) area = MAX_CHUNK;
    if (area < need + 256) area = need + 256;
    Chunk *c = heap_chunk_new(h, area, need + 256, 0, need);
    chunks_insert_sorted(h, c);
    retire_bump(h);
    h->bump = c->start;
    h->limit = c->end;
    h->bump_chunk = c;
}

/* Take a free block of at least sz bytes (first fit), or NULL. */
static FreeBlock *take_free(Heap *h, size_t sz) {
    if (sz <= SMALL_MAX) {
        for (size_t k = sz / GRAN; k < NSMALL; k++) /* classes above sz's */
            if (h->small[k]) {
                FreeBlock *b = h->small[k];
                h->small[k] = b->next;
                return b;
            }
    }
    for (int k = sz <= SMALL_MAX ? 0 : large_class(sz); k < NLARGE; k++) {
        FreeBlock **pp = &h->large[k];
        for (FreeBlock *b = *pp; b; pp = &b->next, b = b->next)
            if (b->h.size >= sz) {
                *pp = b->next;
                return b;
            }
    }
    return NULL;
}

static void *alloc_large(Heap *h, size_t sz, uint8_t kind, bool zero) {
    Chunk *c = heap_chunk_new(h, sz, sz, CH_LARGE, sz);
    chunks_insert_sorted(h, c);
    bit_set(c, c->start);
    return init_obj(c->start, sz, kind, zero);
}

static void *alloc_slow(Heap *h, size_t sz, uint8_t kind, bool zero) {
    if (h->since_gc > h->trigger && !h->collecting && (h->nchunks || h->npending)) {
        gc_collect(h);
        h->since_gc = sz; /* this allocation counts towards the next cycle */
        h->in_use += sz;
        if (sz <= SMALL_MAX && h->small[sz / GRAN - 1]) {
            FreeBlock *b = h->small[sz / GRAN - 1];
            h->small[sz / GRAN - 1] = b->next;
            return init_obj(b, sz, kind, zero);
        }
        if (h->bump && (size_t)(h->limit - h->bump) >= sz) {
            uint8_t *p = h->bump;
            h->bump += sz;
            bit_set(h->bump_chunk, p);
            return init_obj(p, sz, kind, zero);
        }
    }
    if (sz > LARGE_OBJ) return alloc_large(h, sz, kind, zero);
    FreeBlock *b = take_free(h, sz);
    if (b) {
        size_t bsz = b->h.size;
        Chunk *c = chunk_find(h, (uintptr_t)b);
        assert(c && !(c->flags & CH_LARGE));
        if (bsz >= BUMP_RUN_MIN && bsz - sz >= BUMP_RUN_MIN / 2) {
            /* a big run: make it the bump region */
            retire_bump(h);
            h->bump = (uint8_t *)b + sz;
            h->limit = (uint8_t *)b + bsz;
            h->bump_chunk = c;
        } else if (bsz > sz) {
            free_push(h, c, (uint8_t *)b + sz, bsz - sz);
        }
        return init_obj(b, sz, kind, zero);
    }
    new_bump_chunk(h, sz);
    uint8_t *p = h->bump;
    h->bump += sz;
    bit_set(h->bump_chunk, p);
    return init_obj(p, sz, kind, zero);
}

static inline void *alloc_in(Heap *h, size_t bytes, uint8_t kind, bool zero) {
    size_t sz = round16(bytes < sizeof(FreeBlock) ? sizeof(FreeBlock) : bytes);
    if (sz > UINT32_MAX) rt_panic("allocation too large (%zu bytes)", bytes);
    h->since_gc += sz;
    h->in_use += sz;
    if (__builtin_expect(h->since_gc <= h->trigger, 1)) {
        if (sz <= SMALL_MAX) {
            FreeBlock *b = h->small[sz / GRAN - 1];
            if (b) {
                h->small[sz / GRAN - 1] = b->next;
                return init_obj(b, sz, kind, zero);
            }
        }
        uint8_t *p = h->bump;
        if (p && (size_t)(h->limit - p) >= sz) {
            h->bump = p + sz;
            bit_set(h->bump_chunk, p);
            return init_obj(p, sz, kind, zero);
        }
    }
    return alloc_slow(h, sz, kind, zero);
}

void *gc_alloc(size_t bytes, uint8_t kind) {
    Heap *h = heap_current();
    if (!h) rt_fatal("gc_alloc without a current heap");
    return alloc_in(h, bytes, kind, true);
}

void *gc_alloc_uninit(size_t bytes, uint8_t kind) {
    Heap *h = heap_current();
    if (!h) rt_fatal("gc_alloc without a current heap");
    return alloc_in(h, bytes, kind, false);
}

/* ---- the static area ------------------------------------------------------ */

/* A spinlock, not a pthread mutex: static allocation happens at load time
 * and is rare, and <pthread.h> drags in <sched.h>, which runtime/sched.h
 * shadows under -Iruntime. */
static atomic_flag static_lock = ATOMIC_FLAG_INIT;
static uint8_t *static_bump, *static_limit;

void *gc_alloc_static(size_t bytes, uint8_t kind) {
    size_t sz = round16(bytes < sizeof(Obj) ? sizeof(Obj) : bytes);
    uint8_t *p;
    if (sz > 16 * 1024) {
        p = xcalloc(1, sz); /* big literal: its own block, never freed */
    } else {
        while (atomic_flag_test_and_set_explicit(&static_lock, memory_order_acquire)) {
        }
        if (!static_bump || (size_t)(static_limit - static_bump) < sz) {
            static_bump = xcalloc(1, 64 * 1024);
            static_limit = static_bump + 64 * 1024;
        }
        p = static_bump;
        static_bump += sz;
        atomic_flag_clear_explicit(&static_lock, memory_order_release);
    }
    Obj *o = (Obj *)p;
    o->kind = kind;
    o->gcbits = GC_STATIC;
    o->xflags = 0;
    o->size = (uint32_t)sz;
    return p;
}

/* ---- marking -------------------------------------------------------------- */

static inline bool kind_has_pointers(uint8_t k) {
    return !(k == OK_STRBUF || k == OK_RAW || k == OK_RANGE || k == OK_FREE);
}

static void mpush(Heap *h, Obj *o) {
    if (h->msp == h->mcap) {
        h->mcap = h->mcap ? h->mcap * 2 : 256;
        h->mstack = xrealloc(h->mstack, h->mcap * sizeof(Obj *));
    }
    h->mstack[h->msp++] = o;
}

static void mark_obj(Heap *h, Obj *o) {
    if (!o || (o->gcbits & (GC_STATIC | GC_MARK))) return;
    o->gcbits |= GC_MARK;
    if (!chunk_find(h, (uintptr_t)o)) {
        /* not ours (a fragment in the mailbox): trace through, unmark later */
        if (h->nforeign == h->capforeign) {
            h->capforeign = h->capforeign ? h->capforeign * 2 : 64;
            h->foreign = xrealloc(h->foreign, h->capforeign * sizeof(Obj *));
        }
        h->foreign[h->nforeign++] = o;
    }
    if (kind_has_pointers(o->kind)) mpush(h, o);
}

void gc_mark_value(Heap *h, Value v) {
    if (val_has_obj(v)) mark_obj(h, v.o);
}

static inline void mark_values(Heap *h, const Value *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (val_has_obj(v[i])) mark_obj(h, v[i].o);
}

/* Precise tracing of one object's children, by kind. */
static void trace(Heap *h, Obj *o) {
    switch (o->kind) {
    case OK_STR: {
        StrObj *s = (StrObj *)o;
        if (s->buf) mark_obj(h, &s->buf->h);
        break;
    }
    case OK_LIST:
    case OK_QUEUE:
        mark_obj(h, &((ListObj *)o)->buf->h);
        break;
    case OK_LISTBUF: {
        ListBuf *b = (ListBuf *)o;
        mark_values(h, b->items + b->lo, b->hi - b->lo);
        break;
    }
    case OK_TUPLE:
        mark_values(h, ((TupleObj *)o)->items, ((TupleObj *)o)->n);
        break;
    case OK_STRUCT: {
        StructObj *s = (StructObj *)o;
        mark_values(h, s->fields, s->type->nfields);
        break;
    }
    case OK_VARIANT:
        mark_values(h, ((VariantObj *)o)->fields, ((VariantObj *)o)->n);
        break;
    case OK_FUNC:
        mark_values(h, ((FuncObj *)o)->caps, ((FuncObj *)o)->ncap);
        break;
    case OK_MAP:
    case OK_SET: {
        MapObj *m = (MapObj *)o;
        if (m->h.xflags == MOP_ROOT) {
            if (m->tab) mark_obj(h, &m->tab->h);
        } else {
            mark_obj(h, &m->next->h);
            gc_mark_value(h, m->key);
            gc_mark_value(h, m->val);
        }
        break;
    }
    case OK_MAPTAB: {
        MapTab *t = (MapTab *)o;
        for (uint32_t i = 0; i < t->n; i++) {
            MapEnt *e = (MapEnt *)(t->data + (size_t)i * t->esize);
            if (e->key.tag == T__COUNT) continue;
            gc_mark_value(h, e->key);
            if (t->esize == sizeof(MapEnt)) gc_mark_value(h, e->val);
        }
        break;
    }
    case OK_JSON:
        gc_mark_value(h, ((JsonObj *)o)->v);
        break;
    case OK_HANDLE: {
        HandleObj *ho = (HandleObj *)o;
        if (ho->cls && ho->cls->trace) ho->cls->trace(h, ho);
        break;
    }
    default:
        break;
    }
}

static void drain(Heap *h) {
    while (h->msp) trace(h, h->mstack[--h->msp]);
}

/* Conservative: any word pointing into an allocated block of this heap
 * marks it.  Reads arbitrary stack words, hence no ASan instrumentation. */
__attribute__((no_sanitize_address)) void gc_mark_range(Heap *h, const void *lo, const void *hi) {
    uintptr_t a = ((uintptr_t)lo + 7) & ~(uintptr_t)7;
    for (; a + 8 <= (uintptr_t)hi; a += 8) {
        uintptr_t w = *(const uintptr_t *)a;
        if (w < h->lo || w >= h->hi) continue;
        Chunk *c = chunk_find(h, w);
        if (!c) continue;
        size_t i = (w - (uintptr_t)c->start) >> 4;
        size_t wi = i >> 6;
        uint64_t bits = c->bits[wi] & (~0ULL >> (63 - (i & 63)));
        while (!bits && wi > 0) bits = c->bits[--wi];
        if (!bits) continue;
        size_t start = wi * 64 + (63 - (size_t)__builtin_clzll(bits));
        Obj *o = (Obj *)(c->start + start * GRAN);
        if (o->kind == OK_FREE || w >= (uintptr_t)o + o->size) continue;
        mark_obj(h, o);
    }
}

__attribute__((noinline, no_sanitize_address)) static void scan_from_here(Heap *h, const void *top) {
    volatile uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    gc_mark_range(h, (const void *)here, top);
}

void gc_mark_current_stack(Heap *h, const void *stack_top) {
    jmp_buf regs; /* callee-saved registers land here, inside the scanned range */
    setjmp(regs);
    scan_from_here(h, stack_top);
    __asm__ volatile("" : : "r"(&regs) : "memory");
}

/* ---- sweeping ------------------------------------------------------------- */

typedef struct Run {
    uint8_t *p;
    size_t sz;
} Run;

/* Sweep one chunk: clear marks, coalesce free runs.  Returns live bytes;
 * the runs are written as free blocks and reported through `emit`. */
static size_t sweep_chunk(Heap *h, Chunk *c, FreeBlock **runs) {
    size_t live = 0;
    uint8_t *p = c->start, *run = NULL;
    *runs = NULL;
    FreeBlock *last = NULL;
    while (p < c->end) {
        Obj *o = (Obj *)p;
        size_t sz = o->size;
        assert(sz >= GRAN && sz % GRAN == 0 && p + sz <= c->end);
        if (o->kind != OK_FREE && (o->gcbits & GC_MARK)) {
            o->gcbits &= (uint8_t)~GC_MARK;
            live += sz;
            run = NULL;
        } else if (run) {
            bit_clear(c, p);
            ((FreeBlock *)run)->h.size += (uint32_t)sz;
        } else {
            run = p;
            FreeBlock *b = (FreeBlock *)p;
            b->h.kind = OK_FREE;
            b->h.gcbits = 0;
            b->h.size = (uint32_t)sz;
            b->next = NULL;
            if (last) last->next = b; else *runs = b;
            last = b;
        }
        p += sz;
    }
    return live;
}

static void release_chunk(Heap *h, uint32_t i) {
    Chunk *c = h->chunks[i];
    h->reserved -= c->total;
    free(c);
    h->chunks[i] = NULL;
}

void gc_collect(Heap *h) {
    assert(!h->collecting);
    if (h->collecting) return;
    h->collecting = true;
    merge_pending(h);
    retire_bump(h);
    memset(h->small, 0, sizeof h->small);
    memset(h->large, 0, sizeof h->large);

    /* mark */
    for (uint32_t i = 0; i < h->nroots; i++) gc_mark_value(h, *h->roots[i]);
    drain(h);
    if (h->scan) h->scan(h, h->scan_ctx);
    drain(h);
    for (size_t i = 0; i < h->nforeign; i++) h->foreign[i]->gcbits &= (uint8_t)~GC_MARK;
    h->nforeign = 0;

    /* sweep */
    size_t live = 0;
    uint32_t kept = 0;
    Chunk *spare = NULL; /* an empty small chunk we may keep */
    for (uint32_t i = 0; i < h->nchunks; i++) {
        Chunk *c = h->chunks[i];
        FreeBlock *runs;
        size_t l = sweep_chunk(h, c, &runs);
        if (l == 0) {
            if (!spare && !(c->flags & CH_LARGE)) {
                spare = c; /* decide after the loop */
                continue;
            }
            release_chunk(h, i);
            continue;
        }
        live += l;
        kept++;
        while (runs) {
            FreeBlock *nx = runs->next;
            size_t sz = runs->h.size;
            free_push(h, c, (uint8_t *)runs, sz);
            runs = nx;
        }
    }
    if (spare) {
        if (kept == 0) {
            /* keep one chunk: it becomes the bump region */
            memset(spare->bits, 0, spare->nwords * 8);
            h->bump = spare->start;
            h->limit = spare->end;
            h->bump_chunk = spare;
        } else {
            for (uint32_t i = 0; i < h->nchunks; i++)
                if (h->chunks[i] == spare) release_chunk(h, i);
        }
    }
    /* compact the chunk array and recompute bounds */
    uint32_t n = 0;
    h->lo = h->hi = 0;
    for (uint32_t i = 0; i < h->nchunks; i++)
        if (h->chunks[i]) {
            h->chunks[n++] = h->chunks[i];
            bounds_add(h, h->chunks[i]);
        }
    h->nchunks = n;

    h->in_use = live;
    h->live_after_gc = live;
    h->since_gc = 0;
    h->trigger = live > MIN_TRIGGER ? live : MIN_TRIGGER;
    h->collections++;
    free(h->mstack);
    h->mstack = NULL;
    h->msp = h->mcap = 0;
    free(h->foreign);
    h->foreign = NULL;
    h->capforeign = 0;
    h->collecting = false;
}

/* ---- fragments (deep copy) ------------------------------------------------ */

/* Copy work item: copy `src` and store the result in *dst. */
typedef struct CopyItem {
    Value src;
    Value *dst;
} CopyItem;

/* The work stack starts in a buffer on the C stack: most messages are a
 * few objects, and a malloc + free per send would cost more than the copy. */
#define CS_INLINE 32
typedef struct CopyStack {
    CopyItem *items;
    size_t n, cap;
    CopyItem inline_items[CS_INLINE];
} CopyStack;

static void cs_push(CopyStack *s, Value src, Value *dst) {
    if (s->n == s->cap) {
        size_t ncap = s->cap * 2;
        if (s->items == s->inline_items) {
            CopyItem *h = xmalloc(ncap * sizeof(CopyItem));
            memcpy(h, s->items, s->n * sizeof(CopyItem));
            s->items = h;
        } else {
            s->items = xrealloc(s->items, ncap * sizeof(CopyItem));
        }
        s->cap = ncap;
    }
    s->items[s->n].src = src;
    s->items[s->n].dst = dst;
    s->n++;
}

static inline bool needs_copy(Value v) { return val_has_obj(v) && !gc_is_static(v.o); }

/* Size of the copy of one object (not its children). */
static size_t copy_size(Value v) {
    Obj *o = v.o;
    switch (o->kind) {
    case OK_STR:
        return round16(sizeof(StrObj) + AS_STR(v)->len + 1);
    case OK_LIST:
    case OK_QUEUE:
        return round16(sizeof(ListObj)) + round16(sizeof(ListBuf) + (size_t)AS_LIST(v)->len * sizeof(Value));
    case OK_MAP:
    case OK_SET: {
        MapObj *m = AS_MAP(v);
        size_t s = round16(sizeof(MapObj));
        if (m->count) s += round16(maptab_size(m->count, o->kind == OK_SET, NULL));
        return s;
    }
    default:
        return o->size;
    }
}

/* Push the children of v (source side) for the sizing pass. */
static void push_children(CopyStack *s, Value v) {
    Obj *o = v.o;
    switch (o->kind) {
    case OK_LIST:
    case OK_QUEUE: {
        Value *it = AS_LIST(v)->buf->items + AS_LIST(v)->off;
        for (uint32_t i = 0; i < AS_LIST(v)->len; i++)
            if (needs_copy(it[i])) cs_push(s, it[i], NULL);
        break;
    }
    case OK_TUPLE:
        for (uint32_t i = 0; i < AS_TUPLE(v)->n; i++)
            if (needs_copy(AS_TUPLE(v)->items[i])) cs_push(s, AS_TUPLE(v)->items[i], NULL);
        break;
    case OK_STRUCT:
        for (uint32_t i = 0; i < AS_STRUCT(v)->type->nfields; i++)
            if (needs_copy(AS_STRUCT(v)->fields[i])) cs_push(s, AS_STRUCT(v)->fields[i], NULL);
        break;
    case OK_VARIANT:
        for (uint32_t i = 0; i < AS_VARIANT(v)->n; i++)
            if (needs_copy(AS_VARIANT(v)->fields[i])) cs_push(s, AS_VARIANT(v)->fields[i], NULL);
        break;
    case OK_FUNC:
        for (uint32_t i = 0; i < AS_FUNC(v)->ncap; i++)
            if (needs_copy(AS_FUNC(v)->caps[i])) cs_push(s, AS_FUNC(v)->caps[i], NULL);
        break;
    case OK_JSON:
        if (needs_copy(AS_JSON(v)->v)) cs_push(s, AS_JSON(v)->v, NULL);
        break;
    case OK_MAP:
    case OK_SET: {
        MapObj *m = AS_MAP(v);
        if (!m->count) break;
        map_reroot(m);
        MapTab *t = m->tab;
        for (uint32_t i = 0; i < t->n; i++) {
            MapEnt *e = (MapEnt *)(t->data + (size_t)i * t->esize);
            if (e->key.tag == T__COUNT) continue;
            if (needs_copy(e->key)) cs_push(s, e->key, NULL);
            if (t->esize == sizeof(MapEnt) && needs_copy(e->val)) cs_push(s, e->val, NULL);
        }
        break;
    }
    default:
        break;
    }
}

/* Bump allocator over a fragment chunk. */
typedef struct FragAlloc {
    Chunk *c;
    uint8_t *p;
} FragAlloc;

static void *fa_alloc(FragAlloc *fa, size_t sz, uint8_t kind) {
    sz = round16(sz);
    uint8_t *p = fa->p;
    assert(p + sz <= fa->c->end);
    fa->p += sz;
    bit_set(fa->c, p);
    Obj *o = (Obj *)p;
    o->kind = kind;
    o->gcbits = 0;
    o->xflags = 0;
    o->size = (uint32_t)sz;
    return p;
}

/* Fill d (header kind/size already set) with string v's bytes, inline:
 * a copy never shares a buffer (the source may be a view). */
static void str_copy_inline(StrObj *d, Value v) {
    const StrObj *src = AS_STR(v);
    size_t n = src->len;
    d->h.xflags = src->h.xflags & (STR_ASCII | STR_CPLEN);
    d->len = (uint32_t)n;
    d->cplen = src->cplen;
    d->buf = NULL;
    d->off = 0;
    d->hash = src->hash;
    memcpy(d->bytes, str_data(v), n);
    d->bytes[n] = 0;
}

static inline void copy_child(CopyStack *s, Value src, Value *dst) {
    if (needs_copy(src)) cs_push(s, src, dst);
    else *dst = src;
}

/* Copy one object into the fragment, push its children. */
static Value copy_one(FragAlloc *fa, CopyStack *s, Value v) {
    Obj *o = v.o;
    Value r = v;
    switch (o->kind) {
    case OK_STR: {
        StrObj *d = fa_alloc(fa, sizeof(StrObj) + AS_STR(v)->len + 1, OK_STR);
        str_copy_inline(d, v);
        r.o = &d->h;
        return r;
    }
    case OK_LIST:
    case OK_QUEUE: {
        ListObj *src = AS_LIST(v);
        ListObj *d = fa_alloc(fa, sizeof(ListObj), o->kind);
        ListBuf *b = fa_alloc(fa, sizeof(ListBuf) + (size_t)src->len * sizeof(Value), OK_LISTBUF);
        b->cap = b->hi = src->len;
        b->lo = 0;
        b->pad_ = 0;
        d->buf = b;
        d->off = 0;
        d->len = src->len;
        Value *it = src->buf->items + src->off;
        for (uint32_t i = 0; i < src->len; i++) copy_child(s, it[i], &b->items[i]);
        r.o = &d->h;
        return r;
    }
    case OK_MAP:
    case OK_SET: {
        MapObj *m = AS_MAP(v);
        bool set = o->kind == OK_SET;
        MapObj *d = fa_alloc(fa, sizeof(MapObj), o->kind);
        memset((uint8_t *)d + sizeof(Obj), 0, sizeof(MapObj) - sizeof(Obj));
        d->h.xflags = MOP_ROOT;
        d->count = m->count;
        r.o = &d->h;
        if (!m->count) return r;
        map_reroot(m);
        MapTab *t = m->tab;
        uint32_t ibits;
        size_t tb = maptab_size(m->count, set, &ibits);
        MapTab *nt = fa_alloc(fa, tb, OK_MAPTAB);
        memset((uint8_t *)nt + sizeof(Obj), 0, round16(tb) - sizeof(Obj));
        nt->h.xflags = set;
        nt->cap = m->count;
        nt->esize = set ? 24 : sizeof(MapEnt);
        nt->ibits = ibits;
        uint32_t j = 0;
        for (uint32_t i = 0; i < t->n; i++) {
            MapEnt *e = (MapEnt *)(t->data + (size_t)i * t->esize);
            if (e->key.tag == T__COUNT) continue;
            MapEnt *ne = (MapEnt *)(nt->data + (size_t)j * nt->esize);
            ne->hash = e->hash;
            copy_child(s, e->key, &ne->key);
            if (!set) copy_child(s, e->val, &ne->val);
            if (ibits) maptab_index_insert(nt, e->hash, j);
            j++;
        }
        assert(j == m->count);
        nt->n = nt->live = j;
        d->tab = nt;
        return r;
    }
    default: {
        /* fixed layouts: copy verbatim, then redirect the Value fields */
        uint8_t *d = fa_alloc(fa, o->size, o->kind);
        memcpy(d, o, o->size);
        ((Obj *)d)->gcbits = 0;
        r.o = (Obj *)d;
        switch (o->kind) {
        case OK_TUPLE:
            for (uint32_t i = 0; i < AS_TUPLE(r)->n; i++) copy_child(s, AS_TUPLE(v)->items[i], &AS_TUPLE(r)->items[i]);
            break;
        case OK_STRUCT:
            for (uint32_t i = 0; i < AS_STRUCT(r)->type->nfields; i++)
                copy_child(s, AS_STRUCT(v)->fields[i], &AS_STRUCT(r)->fields[i]);
            break;
        case OK_VARIANT:
            for (uint32_t i = 0; i < AS_VARIANT(r)->n; i++) copy_child(s, AS_VARIANT(v)->fields[i], &AS_VARIANT(r)->fields[i]);
            break;
        case OK_FUNC:
            for (uint32_t i = 0; i < AS_FUNC(r)->ncap; i++) copy_child(s, AS_FUNC(v)->caps[i], &AS_FUNC(r)->caps[i]);
            break;
        case OK_JSON:
            copy_child(s, AS_JSON(v)->v, &AS_JSON(r)->v);
            break;
        default:
            break; /* OK_RANGE, OK_HANDLE: no Values inside */
        }
        return r;
    }
    }
}

/* One object whose fields need no copying (Token(5), (pid, 7), a string):
 * the common message, copied without the two passes. */
static bool is_flat(Value v) {
    const Value *f;
    uint32_t n;
    switch (v.o->kind) {
    case OK_STR: return true;
    case OK_TUPLE: f = AS_TUPLE(v)->items; n = AS_TUPLE(v)->n; break;
    case OK_VARIANT: f = AS_VARIANT(v)->fields; n = AS_VARIANT(v)->n; break;
    case OK_STRUCT: f = AS_STRUCT(v)->fields; n = AS_STRUCT(v)->type->nfields; break;
    default: return false;
    }
    for (uint32_t i = 0; i < n; i++)
        if (needs_copy(f[i])) return false;
    return true;
}

Frag *frag_copy(Value v, Value *out) {
    *out = v;
    if (!needs_copy(v)) return NULL;
    CopyStack s;
    s.items = s.inline_items;
    s.n = 0;
    s.cap = CS_INLINE;
    if (is_flat(v)) {
        Chunk *c = chunk_new(copy_size(v), 0);
        FragAlloc fa = {c, c->start};
        *out = copy_one(&fa, &s, v);
        assert(s.n == 0 && fa.p == c->end);
        return (Frag *)c;
    }
    /* pass 1: size */
    size_t total = 0;
    cs_push(&s, v, NULL);
    while (s.n) {
        Value x = s.items[--s.n].src;
        total += copy_size(x);
        push_children(&s, x);
    }
    /* pass 2: copy into one chunk */
    Chunk *c = chunk_new(total, 0);
    FragAlloc fa = {c, c->start};
    cs_push(&s, v, out);
    while (s.n) {
        CopyItem it = s.items[--s.n];
        *it.dst = copy_one(&fa, &s, it.src);
    }
    assert(fa.p == c->end);
    if (s.items != s.inline_items) free(s.items);
    return (Frag *)c;
}

void heap_adopt(Heap *h, Frag *f) {
    if (!f) return;
    Chunk *c = &f->c;
    if (h->npending == h->cappending) {
        h->cappending = h->cappending ? h->cappending * 2 : 4;
        h->pending = xrealloc(h->pending, h->cappending * sizeof(Chunk *));
    }
    h->pending[h->npending++] = c;
    size_t sz = (size_t)(c->end - c->start);
    h->in_use += sz;
    h->since_gc += sz;
    h->reserved += c->total;
    bounds_add(h, c);
}

/* Small single-object fragments are copied in and freed at once: an
 * adopted chunk would wait for the next collection to be merged, swept and
 * freed, which costs far more than copying a few words. */
#define ADOPT_COPY_MAX 128

Value heap_adopt_value(Heap *h, Frag *f, Value v) {
    if (!f) return v;
    Chunk *c = &f->c;
    size_t sz = (size_t)(c->end - c->start);
    if (sz <= ADOPT_COPY_MAX && v.o == (Obj *)c->start && v.o->size == sz &&
        (v.o->kind == OK_STR || v.o->kind == OK_TUPLE || v.o->kind == OK_VARIANT || v.o->kind == OK_STRUCT)) {
        /* one self-contained object: no pointer inside it leads into the chunk */
        Obj *o = alloc_in(h, sz, v.o->kind, false);
        memcpy(o, v.o, sz);
        o->gcbits = 0;
        free(f);
        v.o = o;
        return v;
    }
    heap_adopt(h, f);
    return v;
}

size_t val_flat_size(Value v) {
    if (!needs_copy(v) || !is_flat(v)) return 0;
    return copy_size(v);
}

Value val_flat_copy_to(Value v, void *dst) {
    Obj *o = v.o;
    size_t sz = copy_size(v);
    if (o->kind == OK_STR) { /* always inline bytes in the copy (the source may be a view) */
        StrObj *d = dst;
        d->h = (Obj){.kind = OK_STR, .gcbits = 0, .xflags = 0, .size = (uint32_t)sz};
        str_copy_inline(d, v);
    } else {
        memcpy(dst, o, sz);
        ((Obj *)dst)->gcbits = 0;
    }
    v.o = dst;
    return v;
}

Value heap_copy_flat(Heap *h, Value v) {
    size_t sz = v.o->size;
    Obj *o = alloc_in(h, sz, v.o->kind, false);
    memcpy(o, v.o, sz);
    o->gcbits = 0;
    v.o = o;
    return v;
}

void frag_free(Frag *f) { free(f); }

size_t frag_bytes(const Frag *f) { return f ? (size_t)(f->c.end - f->c.start) : 0; }

Value val_copy_into_current(Value v) {
    Value out;
    Frag *f = frag_copy(v, &out);
    if (f) {
        Heap *h = heap_current();
        if (!h) rt_fatal("val_copy_into_current without a current heap");
        heap_adopt(h, f);
    }
    return out;
}
