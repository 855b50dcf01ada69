/* stack.c — process stack slots, segments and the deep-recursion slow path.
 * See stack.h for the layout and invariants.
 *
 * The pool is global and guarded by pool.lock (mt.h: free under the
 * deterministic scheduler); the threaded scheduler's workers keep a small
 * private cache in front of it (StackCache) and move stacks in batches. */
#include "stack.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ctx.h"
#include "mt.h"
#include "proc.h"
#include "proc_private.h"
#include "rt.h"
#include "xalloc.h"

#if defined(SNOW_ASAN) || defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define STACK_ASAN 1
#endif

#define SLAB_BYTES ((size_t)STACK_SLOT * SLAB_SLOTS) /* 256 MB: 1024 slots per mapping */
#define PAGE 4096u

#ifdef STACK_NO_SEGMENTS
#define SLAB_SLOTS 64
#else
#define SLAB_SLOTS 1024
#endif

static struct {
    MtLock lock;
    char *bump, *bump_end;   /* unused tail of the newest slab */
    char **free_tops;        /* LIFO of released slot tops (hot first) */
    size_t nfree, capfree;
    size_t slabs, slots_total;
    _Atomic uint64_t segs_mapped; /* changed by running processes on any worker */
} pool;

static void *map_noreserve(size_t bytes) {
    void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) rt_fatal("out of memory (cannot map %zu bytes of stack)", bytes);
    return m;
}

/* A free slot top from the pool (pool.lock held). */
static char *pool_take(void) {
    if (pool.nfree) return pool.free_tops[--pool.nfree];
    if (pool.bump == pool.bump_end) {
        pool.bump = map_noreserve(SLAB_BYTES);
        pool.bump_end = pool.bump + SLAB_BYTES;
        pool.slabs++;
    }
    pool.bump += STACK_SLOT;
    pool.slots_total++;
    return pool.bump;
}

/* Give a clean slot top back (pool.lock held). */
static void pool_put(char *top) {
    if (pool.nfree == pool.capfree) {
        pool.capfree = pool.capfree ? pool.capfree * 2 : 1024;
        pool.free_tops = xrealloc(pool.free_tops, pool.capfree * sizeof *pool.free_tops);
    }
    pool.free_tops[pool.nfree++] = top;
}

static void init_stack(ProcStack *ps, char *top) {
    memset(ps, 0, sizeof *ps);
    ps->hi = top;
    ps->lo = top - STACK_SLOT;
#ifdef STACK_ASAN
    ASAN_UNPOISON_MEMORY_REGION(ps->lo, STACK_SLOT); /* frames of a dead owner */
#endif
}

void stack_alloc(ProcStack *ps) {
    mt_lock(&pool.lock);
    char *top = pool_take();
    mt_unlock(&pool.lock);
    init_stack(ps, top);
}

void stack_alloc_cached(StackCache *c, ProcStack *ps) {
    if (!c->n) { /* refill half the cache in one visit to the pool */
        mt_lock(&pool.lock);
        while (c->n < STACK_CACHE / 2) c->tops[c->n++] = pool_take();
        mt_unlock(&pool.lock);
    }
    init_stack(ps, c->tops[--c->n]);
}

char *stack_initial_limit(const ProcStack *ps) { return ps->hi - STACK_SOFT; }

static void seg_unmap(StackSeg *g) {
    munmap(g->lo, (size_t)(g->hi - g->lo));
    atomic_fetch_sub_explicit(&pool.segs_mapped, 1, memory_order_relaxed);
    free(g);
}

/* Free what a released stack holds besides its slot; returns the slot top
 * (NULL if the stack was never allocated). */
static char *release_prepare(ProcStack *ps) {
    if (!ps->hi) return NULL;
    free(ps->hib);
    while (ps->seg) { /* only when a process is discarded while deep */
        StackSeg *g = ps->seg;
        ps->seg = g->prev;
        seg_unmap(g);
    }
    if (ps->spare) seg_unmap(ps->spare);
    if (ps->deep) madvise(ps->lo, STACK_SLOT - STACK_SOFT, MADV_DONTNEED);
    char *top = ps->hi;
    memset(ps, 0, sizeof *ps);
    return top;
}

void stack_release(ProcStack *ps) {
    char *top = release_prepare(ps);
    if (!top) return;
    mt_lock(&pool.lock);
    pool_put(top);
    mt_unlock(&pool.lock);
}

void stack_release_cached(StackCache *c, ProcStack *ps) {
    char *top = release_prepare(ps);
    if (!top) return;
    if (c->n == STACK_CACHE) { /* give the older half back in one visit */
        mt_lock(&pool.lock);
        for (unsigned i = 0; i < STACK_CACHE / 2; i++) pool_put(c->tops[i]);
        mt_unlock(&pool.lock);
        memmove(c->tops, c->tops + STACK_CACHE / 2, (STACK_CACHE / 2) * sizeof c->tops[0]);
        c->n = STACK_CACHE / 2;
    }
    c->tops[c->n++] = top;
}

void stack_cache_flush(StackCache *c) {
    mt_lock(&pool.lock);
    while (c->n) pool_put(c->tops[--c->n]);
    mt_unlock(&pool.lock);
}

void stack_trim_slow(ProcStack *ps, char **limit, const char *sp) {
    if (ps->spare) {
        seg_unmap(ps->spare);
        ps->spare = NULL;
    }
    if (ps->deep && !ps->seg && sp > ps->hi - STACK_SOFT + PAGE) {
        madvise(ps->lo, STACK_SLOT - STACK_SOFT, MADV_DONTNEED);
        ps->deep = false;
        *limit = stack_initial_limit(ps);
    }
}

bool stack_hibernate(ProcStack *ps, const char *sp) {
    if (ps->seg || ps->hib) return false;
    size_t len = (size_t)(ps->hi - sp);
    /* plain malloc, not xmalloc: hibernating only saves memory, so when
     * there is none to spare the stack simply stays where it is */
    void *buf = malloc(len);
    if (!buf) return false;
    memcpy(buf, sp, len);
    ps->hib = buf;
    ps->hib_len = len;
    if (ps->deep) madvise(ps->lo, STACK_SLOT, MADV_DONTNEED);
    else madvise(ps->hi - STACK_SOFT, STACK_SOFT, MADV_DONTNEED);
    return true;
}

void stack_thaw(ProcStack *ps, char *sp) {
    assert(ps->hib && (size_t)(ps->hi - sp) == ps->hib_len);
    memcpy(sp, ps->hib, ps->hib_len);
    free(ps->hib);
    ps->hib = NULL;
    ps->hib_len = 0;
}

void stack_active_region(const ProcStack *ps, char **lo, char **hi) {
    if (ps->seg) { *lo = ps->seg->lo; *hi = ps->seg->hi; }
    else { *lo = ps->lo; *hi = ps->hi; }
}

static void *seg_entry(void *arg) {
    StackSeg *g = arg;
#ifdef STACK_ASAN
    __sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
    if (setjmp(g->jb) == 0) g->result = g->fn(g->arg);
    else g->unwinding = true;
#ifdef STACK_ASAN
    {
        char *lo = g->prev ? g->prev->lo : proc_self()->stack.lo;
        char *hi = g->prev ? g->prev->hi : proc_self()->stack.hi;
        __sanitizer_start_switch_fiber(NULL, lo, (size_t)(hi - lo));
    }
#endif
    return NULL;
}

static size_t seg_size_for(const ProcStack *ps) {
    size_t n = 0;
    for (const StackSeg *g = ps->seg; g; g = g->prev) n++;
    size_t size = (size_t)STACK_SEG_MIN << (n < 6 ? n : 6);
    return size > STACK_SEG_MAX ? STACK_SEG_MAX : size;
}

void *stack_grow_call(void *(*fn)(void *), void *arg) {
    Proc *p = proc_self();
    assert(p && "stack_grow_call outside a process");
    ProcStack *ps = &p->stack;
    char here;
    if (!ps->seg && !ps->deep) {
        ps->deep = true;
        p->hot.stack_limit = ps->lo + STACK_MARGIN;
        if (&here >= p->hot.stack_limit) return fn(arg);
    }
#ifdef STACK_NO_SEGMENTS
    rt_panic("stack overflow");
#endif
    size_t size = seg_size_for(ps);
    if (ps->seg_bytes + size > STACK_MAX_TOTAL) rt_panic("stack overflow");
    StackSeg *g = ps->spare;
    if (g && (size_t)(g->hi - g->lo) == size) {
        ps->spare = NULL;
    } else {
        if (g) { seg_unmap(g); ps->spare = NULL; }
        g = xmalloc(sizeof *g);
        g->lo = map_noreserve(size);
        g->hi = g->lo + size;
        atomic_fetch_add_explicit(&pool.segs_mapped, 1, memory_order_relaxed);
    }
    g->prev = ps->seg;
    {   /* scan a little below this frame too (spilled registers of the call) */
        uintptr_t sp = (uintptr_t)&here, floor = (uintptr_t)(g->prev ? g->prev->lo : ps->lo);
        g->prev_sp = (char *)(sp - 256 > floor ? sp - 256 : sp);
    }
    g->prev_limit = p->hot.stack_limit;
    g->fn = fn;
    g->arg = arg;
    g->result = NULL;
    g->unwinding = false;
    ps->seg = g;
    ps->seg_bytes += size;
    p->hot.stack_limit = g->lo + STACK_MARGIN;
#ifdef STACK_ASAN
    ASAN_UNPOISON_MEMORY_REGION(g->lo, size);
    __sanitizer_start_switch_fiber(&g->asan_fake, g->lo, size);
#endif
    stack_switch_call(seg_entry, g, g->hi);
#ifdef STACK_ASAN
    __sanitizer_finish_switch_fiber(g->asan_fake, NULL, NULL);
#endif
    assert(ps->seg == g);
    ps->seg = g->prev;
    ps->seg_bytes -= size;
    p->hot.stack_limit = g->prev_limit;
    void *result = g->result;
    bool unwinding = g->unwinding;
    if (ps->spare) seg_unmap(ps->spare);
    ps->spare = g;
    if (unwinding) proc_unwind_continue(p);
    return result;
}

void stack_stats(StackStats *out) {
    mt_lock(&pool.lock);
    out->slabs = pool.slabs;
    out->slots_total = pool.slots_total;
    out->slots_free = pool.nfree;
    mt_unlock(&pool.lock);
    out->segs_mapped = (size_t)atomic_load_explicit(&pool.segs_mapped, memory_order_relaxed);
}
