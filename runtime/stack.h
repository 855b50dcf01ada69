/* stack.h — process stacks: lazily committed slots carved from large
 * MAP_NORESERVE slabs, plus growth by stack *segments* for deep recursion.
 *
 * Layout of one process's stack memory:
 *  - the first stack is a STACK_SLOT-byte slot of a slab; its top `hi` is
 *    page aligned, so a process that never goes deep touches ~1 page.
 *  - STACK_GUARD bytes under every slot and every segment are a guard
 *    region (MADV_GUARD_INSTALL where the kernel has it: no VMA is split;
 *    else mprotect(PROT_NONE), up to a bounded number of guards so the
 *    mapping count stays far below vm.max_map_count).  The explicit checks
 *    below keep C code from reaching it; if some C path ever does, the
 *    fault is reported cleanly ("stack overflow in <0.N> ... guard page",
 *    exit 70) by a SIGSEGV handler on an alternate signal stack, instead of
 *    writing into a neighbouring stack.
 *  - the limit starts STACK_SOFT below the top ("soft" limit).  Crossing it
 *    the first time only marks the stack `deep` and moves the limit to
 *    lo + STACK_MARGIN; on release the deep part is madvise()d away.
 *  - crossing the hard limit continues the call on a new segment (its own
 *    mmap, 1 MB doubling up to 64 MB) via stack_switch_call; the segment is
 *    popped when the call returns.  A process's stack (first stack plus
 *    segments) is bounded by stack_max() (`snow run --max-stack`, default
 *    STACK_MAX_DEFAULT); past it, or when a segment cannot be mapped, the
 *    process panics with "stack overflow" (only that process).
 *
 * Invariants:
 *  - ps->seg is the innermost *active* segment (sp is inside it while the
 *    process runs), seg->prev the enclosing one, NULL = the first stack.
 *  - The GC scans: the active region from sp, and for every segment g the
 *    enclosing region from g->prev_sp to its top.
 *  - Unwinding (panics, exits) never longjmps across stacks: it longjmps to
 *    each segment's entry in turn (g->jb), which returns normally through
 *    stack_switch_call and then continues the unwind (proc_unwind_continue).
 *  - C code between two checks (proc_stack_low, then stack_grow_call when
 *    it is true) uses less than STACK_MARGIN bytes of stack.
 */
#ifndef SNOW_STACK_H
#define SNOW_STACK_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>

#ifndef SNOW_TSAN
#define STACK_SLOT (256u * 1024)          /* reserved bytes of a first stack */
#else
/* ThreadSanitizer cannot follow the segment switch (its setjmp/longjmp
 * interception loses track of the stack), so under SNOW_TSAN there are no
 * segments: a first stack is 64 MB of reserved (lazily committed) memory
 * and crossing its hard limit panics "stack overflow". */
#define STACK_SLOT (64u << 20)
#define STACK_NO_SEGMENTS 1
#endif
#define STACK_SOFT (64u * 1024)           /* depth before the stack counts as deep */
#define STACK_MARGIN (48u * 1024)         /* room left under the limit for C code */
#define STACK_SEG_MIN (1u << 20)          /* first segment: 1 MB */
#define STACK_SEG_MAX (64u << 20)         /* segments double up to 64 MB */
#define STACK_GUARD (16u * 1024)          /* guard region under every slot and segment */
/* Default bound of one process's stack (first stack + segments): language.md
 * asks for 100 000 nested calls; an evaluator call takes 300-700 bytes of C
 * stack, so this leaves room for ~200 000-400 000 while a runaway recursion
 * stops after ~128 MB instead of eating the machine. */
#define STACK_MAX_DEFAULT ((size_t)128 << 20)
#define STACK_MAX_MIN ((size_t)STACK_SLOT)   /* --max-stack below this is refused */

typedef struct StackSeg {
    char *lo, *hi;           /* the mapping [lo, hi) */
    struct StackSeg *prev;   /* enclosing segment, NULL = first stack */
    char *prev_sp;           /* sp in the enclosing region at entry (GC scan start) */
    char *prev_limit;        /* stack_limit to restore on return */
    void *(*fn)(void *);     /* the call continued on this segment */
    void *arg;
    void *result;
    bool unwinding;          /* left by longjmp to jb: continue unwinding */
    jmp_buf jb;              /* unwind landing point on this segment */
    void *asan_fake;         /* ASan fake-stack handle of the enclosing region */
} StackSeg;

typedef struct ProcStack {
    char *lo, *hi;      /* first stack slot [lo, hi); NULL before first run */
    bool deep;          /* the soft limit was crossed */
    StackSeg *seg;      /* innermost active segment, NULL = on the first stack */
    StackSeg *spare;    /* one popped segment kept to avoid mmap thrash */
    size_t seg_bytes;   /* bytes of active segments */
    void *hib;          /* hibernated: the used bytes [sp, hi), pages released */
    size_t hib_len;
} ProcStack;

/* Take a first stack from the pool (never fails: out of memory is fatal). */
void stack_alloc(ProcStack *ps);
/* Return everything to the pool; must not be the running stack. */
void stack_release(ProcStack *ps);

/* A worker thread's private cache of free first stacks in front of the
 * shared pool (the pool is locked when rt_mt): the threaded scheduler
 * allocates and releases through its worker's cache, and moves stacks
 * to and from the pool in batches. */
#define STACK_CACHE 64
typedef struct StackCache {
    char *tops[STACK_CACHE];
    unsigned n;
} StackCache;
void stack_alloc_cached(StackCache *c, ProcStack *ps);
void stack_release_cached(StackCache *c, ProcStack *ps);
void stack_cache_flush(StackCache *c); /* everything back to the pool */
/* Initial value of ProcHot.stack_limit for a fresh first stack. */
char *stack_initial_limit(const ProcStack *ps);
/* Called when a process blocks: drop the spare segment and, if the first
 * stack went deep but sp is back near the top, release the deep pages. */
void stack_trim_slow(ProcStack *ps, char **limit, const char *sp);
static inline void stack_trim(ProcStack *ps, char **limit, const char *sp) {
    if (ps->spare || ps->deep) stack_trim_slow(ps, limit, sp); /* blocking is hot; trimming is rare */
}

/* Hibernation of a long-blocked process (architecture.md §2): copy the
 * used part [sp, hi) of the first stack into a compact buffer and give the
 * pages back; stack_thaw copies it back before the process resumes.
 * Refused (false) while the process runs on a segment. */
bool stack_hibernate(ProcStack *ps, const char *sp);
void stack_thaw(ProcStack *ps, char *sp);

/* The evaluator's slow path, called when sp < ProcHot.stack_limit: runs
 * fn(arg) in place (first crossing of the soft limit) or on a new segment,
 * and returns its result.  Panics "stack overflow" past stack_max() or when
 * no segment can be mapped. */
void *stack_grow_call(void *(*fn)(void *), void *arg);

/* The per-process bound (rt_init sets it from RtConfig.max_stack; 0 =
 * STACK_MAX_DEFAULT).  Values below STACK_MAX_MIN are raised to it. */
void stack_set_max(size_t bytes);
size_t stack_max(void);

/* A thread that runs processes (the deterministic scheduler's thread, each
 * worker) calls enter before its first process and leave after its last:
 * it gets an alternate signal stack, and the guard-page SIGSEGV handler is
 * installed (once per program; faults elsewhere go to the previous
 * handler or the default action). */
void stack_thread_enter(void);
void stack_thread_leave(void);

/* Region [lo, hi) that the running (or suspended at `sp`) process uses now. */
void stack_active_region(const ProcStack *ps, char **lo, char **hi);

/* Statistics for tests and benchmarks. */
typedef struct StackStats {
    size_t slabs, slots_total, slots_free, segs_mapped;
    size_t guards;            /* guard regions installed (slots + segments) */
} StackStats;
void stack_stats(StackStats *out);

#endif
