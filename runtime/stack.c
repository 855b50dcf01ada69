/* stack.c — shared process stack slots, compact copies of parked frames,
 * segments and the deep-recursion slow path.  See stack.h for the layout
 * and invariants.
 *
 * The slab pool and the homes directory are global, guarded by pool.lock
 * (mt.h: free under the deterministic scheduler); a home is used only by
 * its scheduler thread; a slot's contents and owner only by the thread
 * holding it (StackSlot.busy when rt_mt). */
#include "stack.h"

#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

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

#define SLOT_STRIDE ((size_t)STACK_GUARD + STACK_SLOT) /* guard, then the slot */
#define SLAB_BYTES (SLOT_STRIDE * SLAB_SLOTS) /* 68 MB: 256 slots per mapping */
#define PAGE 4096u
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102 /* Linux 6.13 */
#endif
/* mprotect guards split mappings (two per guard); past this many the
 * fallback stops adding guards rather than approach vm.max_map_count
 * (65 530 by default) and make unrelated mmaps fail. */
#define GUARD_MPROTECT_MAX 8192

#ifdef STACK_NO_SEGMENTS
#define SLAB_SLOTS 64
#else
#define SLAB_SLOTS 256
#endif


struct StackHome {
    StackSlot **slots;         /* the slots this home carved: its CLOCK ring */
    size_t n, cap, hand;
    StackSlot **free;          /* LIFO of slots left without a resident (hot first) */
    size_t nfree, capfree;
};

static struct {
    MtLock lock;               /* carving slots, the homes directory */
    char *bump, *bump_end;     /* unused tail of the newest slab */
    size_t slabs, slots_total;
    StackHome **homes;
    size_t nhomes;
    _Atomic uint64_t segs_mapped; /* changed by running processes on any worker */
    _Atomic uint64_t guards;      /* guard regions installed */
    _Atomic int guard_mode;       /* GM_*: how guards are installed here */
    _Atomic uint64_t guards_mprotect; /* guards made by mprotect (mappings split) */
    _Atomic uint64_t saves, restores, saved_bytes, refused;
} pool;


static _Thread_local StackHome *tl_home; /* the home of this scheduler thread */

static size_t max_total = STACK_MAX_DEFAULT;

void stack_set_max(size_t bytes) {
    if (!bytes) bytes = STACK_MAX_DEFAULT;
    max_total = bytes < STACK_MAX_MIN ? STACK_MAX_MIN : bytes;
}

size_t stack_max(void) { return max_total; }

static void *map_noreserve(size_t bytes) {
    void *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return m == MAP_FAILED ? NULL : m;
}

/* ---- guard regions ---------------------------------------------------------------- */

enum { GM_BATCH, GM_MADVISE, GM_MPROTECT }; /* tried in this order, each once */

static void guard_mprotect(char *const *lo, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (atomic_load_explicit(&pool.guards_mprotect, memory_order_relaxed) >= GUARD_MPROTECT_MAX) return;
        if (mprotect(lo[i], STACK_GUARD, PROT_NONE) != 0) return;
        atomic_fetch_add_explicit(&pool.guards_mprotect, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&pool.guards, 1, memory_order_relaxed);
    }
}

/* Make [lo[i], lo[i] + STACK_GUARD) fault on access, for each i.  Guard
 * markers (MADV_GUARD_INSTALL) cost no memory, split no mapping and
 * survive MADV_DONTNEED; a whole slab's guards go in one process_madvise
 * call.  Older kernels fall back to per-guard madvise, then mprotect. */
static void guard_install(char *const *lo, size_t n) {
    int mode = atomic_load_explicit(&pool.guard_mode, memory_order_relaxed);
    if (mode == GM_BATCH && n > 1) {
        int pfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
        bool ok = false;
        if (pfd >= 0) {
            struct iovec iov[SLAB_SLOTS];
            size_t done = 0;
            ok = true;
            while (ok && done < n) { /* at most IOV_MAX (1024) ranges per call */
                size_t k = n - done > 1024 ? 1024 : n - done;
                for (size_t i = 0; i < k; i++) iov[i] = (struct iovec){lo[done + i], STACK_GUARD};
                ok = syscall(SYS_process_madvise, pfd, iov, k, MADV_GUARD_INSTALL, 0) == (long)(k * STACK_GUARD);
                done += ok ? k : 0;
            }
            close(pfd);
        }
        if (ok) {
            atomic_fetch_add_explicit(&pool.guards, n, memory_order_relaxed);
            return;
        }
        atomic_store_explicit(&pool.guard_mode, mode = GM_MADVISE, memory_order_relaxed);
    }
    if (mode <= GM_MADVISE) {
        size_t i = 0;
        while (i < n && madvise(lo[i], STACK_GUARD, MADV_GUARD_INSTALL) == 0) i++;
        atomic_fetch_add_explicit(&pool.guards, i, memory_order_relaxed);
        if (i == n) return;
        atomic_store_explicit(&pool.guard_mode, GM_MPROTECT, memory_order_relaxed);
        lo += i, n -= i;
    }
    guard_mprotect(lo, n);
}

/* ---- slots and homes ------------------------------------------------------------- */

/* A new slot for home h (pool.lock taken here).  Slabs are mapped with all
 * their guards at once; a slot's pages are faulted in by its first use and
 * then stay, since slots are few and reused. */
static StackSlot *slot_carve(StackHome *h) {
    StackSlot *s = xmalloc(sizeof *s);
    mt_lock(&pool.lock);
    if (pool.bump == pool.bump_end) {
        char *slab = map_noreserve(SLAB_BYTES);
        if (!slab) rt_fatal("out of memory (cannot map %zu bytes of stack)", (size_t)SLAB_BYTES);
        char *guards[SLAB_SLOTS];
        for (size_t i = 0; i < SLAB_SLOTS; i++) guards[i] = slab + i * SLOT_STRIDE;
        guard_install(guards, SLAB_SLOTS);
        pool.bump = slab;
        pool.bump_end = slab + SLAB_BYTES;
        pool.slabs++;
    }
    pool.bump += SLOT_STRIDE;
    pool.slots_total++;
    s->hi = pool.bump;
    mt_unlock(&pool.lock);
    s->lo = s->hi - STACK_SLOT;
    s->owner = NULL;
    s->home = h;
    atomic_init(&s->busy, rt_mt ? 1 : 0); /* handed out held */
    atomic_init(&s->ref, 1);
    atomic_init(&s->parked, false);
    atomic_init(&s->pinned, false);
    atomic_init(&s->listed, false);
    s->deep_pages = false;
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 256;
        h->slots = xrealloc(h->slots, h->cap * sizeof *h->slots);
    }
    h->slots[h->n++] = s;
    return s;
}

StackHome *stack_home(int index) {
    mt_lock(&pool.lock);
    if ((size_t)index >= pool.nhomes) {
        size_t n = (size_t)index + 1;
        pool.homes = xrealloc(pool.homes, n * sizeof *pool.homes);
        for (size_t i = pool.nhomes; i < n; i++) {
            pool.homes[i] = xcalloc(1, sizeof(StackHome));
        }
        pool.nhomes = n;
    }
    StackHome *h = pool.homes[index];
    mt_unlock(&pool.lock);
    return h;
}

/* The busy flag only matters with several worker threads (rt_mt); a
 * single scheduler thread never finds its slot in use. */
static bool slot_acquire(StackSlot *s) {
    if (!rt_mt) return true;
    uint32_t free_ = 0;
    return atomic_compare_exchange_strong_explicit(&s->busy, &free_, 1, memory_order_acquire, memory_order_relaxed);
}

static void slot_unlock(StackSlot *s) {
    if (rt_mt) atomic_store_explicit(&s->busy, 0, memory_order_release);
}

static void home_push_free(StackHome *h, StackSlot *s) {
    if (atomic_exchange_explicit(&s->listed, true, memory_order_relaxed)) return; /* listed already */
    if (h->nfree == h->capfree) {
        h->capfree = h->capfree ? h->capfree * 2 : 256;
        h->free = xrealloc(h->free, h->capfree * sizeof *h->free);
    }
    h->free[h->nfree++] = s;
}

/* A slot for a process's first run, held: a free one (most recently freed
 * first: its pages are warm), a new one while the home has fewer than
 * STACK_HOME_SLOTS, else the next one the CLOCK hand finds whose resident
 * is blocked and has not run since the hand last passed (its resident is
 * copied out by the caller), never one whose resident is pinned.  Runnable residents are passed over: they
 * are about to run again, and under the threaded scheduler a slot shared
 * with a busy process would keep its other processes waiting. */
static StackSlot *home_pick(StackHome *h) {
    while (h->nfree) {
        StackSlot *s = h->free[--h->nfree];
        atomic_store_explicit(&s->listed, false, memory_order_relaxed);
        if (!slot_acquire(s)) continue;
        if (!s->owner) return s;
        slot_unlock(s); /* taken by a CLOCK sweep since it was listed */
    }
    if (!STACK_SHARING || h->n < STACK_HOME_SLOTS) return slot_carve(h);
    for (size_t k = 0; k < 3 * h->n; k++) {
        StackSlot *s = h->slots[h->hand];
        h->hand = h->hand + 1 == h->n ? 0 : h->hand + 1;
        if (atomic_load_explicit(&s->ref, memory_order_relaxed)) {
            atomic_store_explicit(&s->ref, 0, memory_order_relaxed);
            continue;
        }
        if (atomic_load_explicit(&s->parked, memory_order_relaxed) && slot_acquire(s)) return s;
    }
    for (size_t k = 0; k < h->n; k++) { /* every resident runnable: any slot not in use */
        StackSlot *s = h->slots[h->hand];
        h->hand = h->hand + 1 == h->n ? 0 : h->hand + 1;
        if (!slot_acquire(s)) continue;
        if (!atomic_load_explicit(&s->pinned, memory_order_relaxed)) return s;
        slot_unlock(s);
    }
    return slot_carve(h); /* every slot in use at once: more workers than slots */
}

char *stack_initial_limit(const ProcStack *ps) { return ps->hi - STACK_SOFT; }

static void seg_unmap(StackSeg *g) {
    munmap(g->lo - STACK_GUARD, (size_t)(g->hi - g->lo) + STACK_GUARD);
    atomic_fetch_sub_explicit(&pool.segs_mapped, 1, memory_order_relaxed);
    free(g);
}

/* ---- compact copies of parked frames ------------------------------------------------
 * The frames of a parked process are mostly zero words (untouched parts of
 * fixed-size frames, cleared locals): a copy keeps a bitmap of the non-zero
 * words and only those (a process parked in a receive: 1 600 bytes of
 * frames, ~500 bytes copied).  Layout: Hib, bitmap[(nwords + 63) / 64],
 * the non-zero words. */

typedef struct Hib {
    uint32_t nwords;           /* words of frames, ending at the slot's top */
    uint32_t nnz;              /* non-zero words stored */
} Hib;

/* The lowest address of the process's frames in its slot. */
static char *frames_lo(const ProcStack *ps) {
    const StackSeg *g = ps->seg;
    if (!g) return ps->ctx->sp;
    while (g->prev) g = g->prev;
    return (char *)((uintptr_t)g->prev_sp & ~(uintptr_t)7);
}

static size_t hib_bytes(const Hib *b) {
    return sizeof *b + ((size_t)b->nwords + 63) / 64 * 8 + (size_t)b->nnz * 8;
}

/* Copy the resident's frames out of slot s (held); s is then free. */
/* Start loading [p, end) into the cache: the frames of a resident that has
 * not run for a while, or a copy made long ago, are cold, and the copy
 * loops would otherwise wait for one cache line after another. */
static void prefetch_range(const void *p, const void *end) {
    for (const char *c = p; c < (const char *)end; c += 64) __builtin_prefetch(c);
}

/* Copy the resident's frames out of slot s (held); s is then free.  One
 * pass: the non-zero words go to a scratch buffer while the bitmap is
 * built, then both into the copy. */
static void slot_save(StackSlot *s) {
    ProcStack *ps = s->owner;
    const uint64_t *w = (const uint64_t *)frames_lo(ps);
    size_t n = (size_t)((const uint64_t *)ps->hi - w), nmap = (n + 63) / 64;
    prefetch_range(w, ps->hi);
    uint64_t small[512 + 1024]; /* bitmap and words of up to 8 KB of frames */
    uint64_t *map = n <= 1024 ? small : xmalloc((nmap + n) * 8);
    uint64_t *nz = map + (n <= 1024 ? 512 : nmap);
    size_t k = 0;
    for (size_t i = 0; i < nmap; i++) {
        uint64_t m = 0;
        size_t base = i * 64, end = base + 64 < n ? base + 64 : n;
        for (size_t j = base; j < end; j++) {
            uint64_t v = w[j], bit = v != 0;
            nz[k] = v;
            k += bit;
            m |= bit << (j - base);
        }
        map[i] = m;
    }
    Hib *b = xmalloc(sizeof *b + (nmap + k) * 8);
    b->nwords = (uint32_t)n;
    b->nnz = (uint32_t)k;
    uint64_t *bm = (uint64_t *)(b + 1);
    memcpy(bm, map, nmap * 8);
    memcpy(bm + nmap, nz, k * 8);
    if (map != small) free(map);
    ps->hib = b;
    s->owner = NULL; /* (parked stays as it was: the caller binds another process at once) */
    if (s->deep_pages) { /* the next resident starts shallow: give the deep part back */
        madvise(s->lo, STACK_SLOT - STACK_SOFT, MADV_DONTNEED);
        s->deep_pages = false;
    }
    atomic_fetch_add_explicit(&pool.saves, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&pool.saved_bytes, hib_bytes(b), memory_order_relaxed);
}

/* Copy ps's frames back into its slot (held, without a resident). */
static void slot_restore(ProcStack *ps) {
    Hib *b = ps->hib;
    uint64_t *w = (uint64_t *)ps->hi - b->nwords;
    size_t nmap = ((size_t)b->nwords + 63) / 64;
    const uint64_t *bm = (const uint64_t *)(b + 1), *in = bm + nmap;
    prefetch_range(b, (const char *)(in + b->nnz));
    memset(w, 0, (size_t)b->nwords * 8);
    for (size_t i = 0; i < nmap; i++)
        for (uint64_t m = bm[i]; m; m &= m - 1) w[i * 64 + (size_t)__builtin_ctzll(m)] = *in++;
    atomic_fetch_add_explicit(&pool.restores, 1, memory_order_relaxed);
    atomic_fetch_sub_explicit(&pool.saved_bytes, hib_bytes(b), memory_order_relaxed);
    free(b);
    ps->hib = NULL;
    ps->slot->owner = ps;
    if (ps->deep) ps->slot->deep_pages = true;
}

bool stack_enter_slow(StackHome *home, ProcStack *ps, Ctx *ctx, void (*entry)(void *), void *arg) {
    StackSlot *s = ps->slot;
    if (!s) { /* first run */
        s = home_pick(home);
        if (s->owner) slot_save(s);
        memset(ps, 0, sizeof *ps);
        ps->slot = s;
        ps->lo = s->lo;
        ps->hi = s->hi;
        ps->ctx = ctx;
        s->owner = ps;
#ifdef STACK_ASAN
        ASAN_UNPOISON_MEMORY_REGION(s->lo, STACK_SLOT); /* frames of a dead owner */
#endif
        ctx_init(ctx, s->hi, entry, arg);
    } else {
        if (!slot_acquire(s)) {
            atomic_fetch_add_explicit(&pool.refused, 1, memory_order_relaxed);
            return false;
        }
        if (s->owner != ps) {
            if (s->owner && atomic_load_explicit(&s->pinned, memory_order_relaxed)) {
                /* its resident waits for a blocking-pool job that writes into
                 * its frames: they cannot move until the job is done */
                slot_unlock(s);
                atomic_fetch_add_explicit(&pool.refused, 1, memory_order_relaxed);
                return false;
            }
            if (s->owner) slot_save(s);
            slot_restore(ps);
        }
    }
    atomic_store_explicit(&s->ref, 1, memory_order_relaxed);
    atomic_store_explicit(&s->parked, false, memory_order_relaxed);
    atomic_store_explicit(&s->pinned, false, memory_order_relaxed);
    return true;
}



void stack_release(ProcStack *ps) {
    StackSlot *s = ps->slot;
    if (!s) return;
    while (ps->seg) { /* only when a process is discarded while deep */
        StackSeg *g = ps->seg;
        ps->seg = g->prev;
        seg_unmap(g);
    }
    if (ps->spare) seg_unmap(ps->spare);
    if (ps->hib) { /* saved: the slot belongs to someone else now */
        atomic_fetch_sub_explicit(&pool.saved_bytes, hib_bytes(ps->hib), memory_order_relaxed);
        free(ps->hib);
    } else { /* a dead process holds its slot (its exit); a discarded one is not running */
        assert(s->owner == ps);
        s->owner = NULL;
        if (ps->deep) s->deep_pages = true;
        if (s->deep_pages) {
            madvise(s->lo, STACK_SLOT - STACK_SOFT, MADV_DONTNEED);
            s->deep_pages = false;
        }
        atomic_store_explicit(&s->parked, true, memory_order_relaxed);
        atomic_store_explicit(&s->pinned, false, memory_order_relaxed);
        /* discarded after the run (no scheduler thread): to its own home */
        home_push_free(tl_home ? tl_home : s->home, s);
        slot_unlock(s);
    }
    memset(ps, 0, sizeof *ps);
}

void stack_trim_slow(ProcStack *ps, char **limit, const char *sp) {
    if (ps->spare) {
        seg_unmap(ps->spare);
        ps->spare = NULL;
    }
    if (ps->deep && !ps->seg && sp > ps->hi - STACK_SOFT + PAGE) {
        madvise(ps->lo, STACK_SLOT - STACK_SOFT, MADV_DONTNEED);
        ps->deep = false;
        ps->slot->deep_pages = false;
        *limit = stack_initial_limit(ps);
    }
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
        ps->slot->deep_pages = true;
        p->hot.stack_limit = ps->lo + STACK_MARGIN;
        if (&here >= p->hot.stack_limit) return fn(arg);
    }
#ifdef STACK_NO_SEGMENTS
    rt_panic("stack overflow");
#endif
    /* the last segment may be smaller, to end exactly at the bound */
    size_t size = seg_size_for(ps), used = (size_t)STACK_SLOT + ps->seg_bytes;
    size_t room = max_total > used ? (max_total - used) & ~(size_t)(PAGE - 1) : 0;
    if (size > room) size = room;
    if (size < 2 * (size_t)STACK_MARGIN) rt_panic("stack overflow");
    StackSeg *g = ps->spare;
    if (g && (size_t)(g->hi - g->lo) == size) {
        ps->spare = NULL;
    } else {
        if (g) { seg_unmap(g); ps->spare = NULL; }
        /* plain malloc, not xmalloc: a process that cannot get more stack
         * panics, the others run on */
        char *m = map_noreserve(size + STACK_GUARD);
        g = m ? malloc(sizeof *g) : NULL;
        if (!g) {
            if (m) munmap(m, size + STACK_GUARD);
            rt_panic("stack overflow (no memory for %zu more bytes of stack)", size);
        }
        guard_install(&m, 1);
        g->lo = m + STACK_GUARD;
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
    mt_unlock(&pool.lock);
    out->segs_mapped = (size_t)atomic_load_explicit(&pool.segs_mapped, memory_order_relaxed);
    out->guards = (size_t)atomic_load_explicit(&pool.guards, memory_order_relaxed);
    out->saves = (size_t)atomic_load_explicit(&pool.saves, memory_order_relaxed);
    out->restores = (size_t)atomic_load_explicit(&pool.restores, memory_order_relaxed);
    out->saved_bytes = (size_t)atomic_load_explicit(&pool.saved_bytes, memory_order_relaxed);
    out->refused = (size_t)atomic_load_explicit(&pool.refused, memory_order_relaxed);
}

/* ---- the guard-page fault handler ------------------------------------------------- */

#define ALTSTACK_BYTES ((size_t)64 * 1024)

static struct sigaction prev_segv;      /* the handler before ours (ASan's, or the default) */
static _Atomic bool segv_installed;
static _Thread_local char *alt_stack;   /* this thread's alternate signal stack, if ours */

static bool in_guard(const char *a, const char *lo) { return a >= lo - STACK_GUARD && a < lo; }

/* Async-signal-safe: appends decimal n to b at *k. */
static void put_u64(char *b, size_t *k, uint64_t n) {
    char d[20];
    int i = 0;
    do d[i++] = (char)('0' + n % 10); while ((n /= 10) && i < 20);
    while (i) b[(*k)++] = d[--i];
}

static void put_str(char *b, size_t *k, const char *s) {
    while (*s) b[(*k)++] = *s++;
}

/* A fault in the running process's guard region: C code got past the
 * stack checks.  The process cannot be unwound from here (the fault may
 * have hit inside malloc or with a lock held), so the program ends with a
 * clear report instead of a bare SIGSEGV or a corrupted neighbour. */
static void segv_handler(int sig, siginfo_t *si, void *uc) {
    Proc *p = proc_self();
    const char *a = si->si_addr;
    bool guard = false;
    if (p && p->stack.hi) {
        guard = in_guard(a, p->stack.lo);
        for (const StackSeg *g = p->stack.seg; g && !guard; g = g->prev) guard = in_guard(a, g->lo);
    }
    if (guard) {
        char b[200];
        size_t k = 0;
        put_str(b, &k, "snow: internal error: stack overflow in <0.");
        put_u64(b, &k, pid_serial(p->pid));
        put_str(b, &k, ">: C code ran past the stack check into the guard page\n");
        ssize_t r = write(2, b, k);
        (void)r;
        _exit(70);
    }
    /* not ours: hand it on */
    if (prev_segv.sa_flags & SA_SIGINFO) {
        prev_segv.sa_sigaction(sig, si, uc);
    } else if (prev_segv.sa_handler != SIG_DFL && prev_segv.sa_handler != SIG_IGN) {
        prev_segv.sa_handler(sig);
    } else { /* default action: return and fault again without a handler */
        signal(SIGSEGV, SIG_DFL);
    }
}

void stack_thread_enter(StackHome *home) {
    tl_home = home;
    stack_t cur;
    if (sigaltstack(NULL, &cur) == 0 && (cur.ss_flags & SS_DISABLE)) {
        alt_stack = map_noreserve(ALTSTACK_BYTES);
        if (alt_stack) {
            stack_t ss = {.ss_sp = alt_stack, .ss_size = ALTSTACK_BYTES, .ss_flags = 0};
            if (sigaltstack(&ss, NULL) != 0) {
                munmap(alt_stack, ALTSTACK_BYTES);
                alt_stack = NULL;
            }
        }
    }
    if (!atomic_exchange(&segv_installed, true)) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = segv_handler;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGSEGV, &sa, &prev_segv);
    }
}

void stack_thread_leave(void) {
    tl_home = NULL;
    if (!alt_stack) return;
    stack_t ss = {.ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE};
    sigaltstack(&ss, NULL);
    munmap(alt_stack, ALTSTACK_BYTES);
    alt_stack = NULL;
}
