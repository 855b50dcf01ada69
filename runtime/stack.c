/* stack.c — process stack slots, segments and the deep-recursion slow path.
 * See stack.h for the layout and invariants.
 *
 * The pool is global and guarded by pool.lock (mt.h: free under the
 * deterministic scheduler); the threaded scheduler's workers keep a small
 * private cache in front of it (StackCache) and move stacks in batches. */
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
#define SLAB_BYTES (SLOT_STRIDE * SLAB_SLOTS) /* 272 MB: 1024 slots per mapping */
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
#define SLAB_SLOTS 1024
#endif

static struct {
    MtLock lock;
    char *bump, *bump_end;   /* unused tail of the newest slab */
    char **free_tops;        /* LIFO of released slot tops (hot first) */
    size_t nfree, capfree;
    size_t slabs, slots_total;
    _Atomic uint64_t segs_mapped; /* changed by running processes on any worker */
    _Atomic uint64_t guards;      /* guard regions installed */
    _Atomic int guard_mode;       /* GM_*: how guards are installed here */
    _Atomic uint64_t guards_mprotect; /* guards made by mprotect (mappings split) */
} pool;

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

/* A free slot top from the pool (pool.lock held). */
static char *pool_take(void) {
    if (pool.nfree) return pool.free_tops[--pool.nfree];
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
    munmap(g->lo - STACK_GUARD, (size_t)(g->hi - g->lo) + STACK_GUARD);
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
    out->slots_free = pool.nfree;
    mt_unlock(&pool.lock);
    out->segs_mapped = (size_t)atomic_load_explicit(&pool.segs_mapped, memory_order_relaxed);
    out->guards = (size_t)atomic_load_explicit(&pool.guards, memory_order_relaxed);
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

void stack_thread_enter(void) {
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
    if (!alt_stack) return;
    stack_t ss = {.ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE};
    sigaltstack(&ss, NULL);
    munmap(alt_stack, ALTSTACK_BYTES);
    alt_stack = NULL;
}
