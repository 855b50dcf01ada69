/* stack.h — process stacks: lazily committed slots carved from large
 * MAP_NORESERVE slabs, plus growth by stack *segments* for deep recursion.
 *
 * Layout of one process's stack memory:
 *  - the first stack is a STACK_SLOT-byte slot of a slab; its top `hi` is
 *    page aligned, so a process that never goes deep touches ~1 page.
 *    No guard pages (mprotect would split the slab's mapping): overflow is
 *    detected by the evaluator's inline check against ProcHot.stack_limit.
 *  - the limit starts STACK_SOFT below the top ("soft" limit).  Crossing it
 *    the first time only marks the stack `deep` and moves the limit to
 *    lo + STACK_MARGIN; on release the deep part is madvise()d away.
 *  - crossing the hard limit continues the call on a new segment (its own
 *    mmap, 1 MB doubling up to 64 MB) via stack_switch_call; the segment is
 *    popped when the call returns.  Past STACK_MAX_TOTAL bytes of segments
 *    the process panics with "stack overflow".
 *
 * Invariants:
 *  - ps->seg is the innermost *active* segment (sp is inside it while the
 *    process runs), seg->prev the enclosing one, NULL = the first stack.
 *  - The GC scans: the active region from sp, and for every segment g the
 *    enclosing region from g->prev_sp to its top.
 *  - Unwinding (panics, exits) never longjmps across stacks: it longjmps to
 *    each segment's entry in turn (g->jb), which returns normally through
 *    stack_switch_call and then continues the unwind (proc_unwind_continue).
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
#define STACK_MAX_TOTAL ((size_t)1 << 30) /* per process: 1 GB of segments */

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
 * and returns its result.  Panics "stack overflow" past STACK_MAX_TOTAL. */
void *stack_grow_call(void *(*fn)(void *), void *arg);

/* Region [lo, hi) that the running (or suspended at `sp`) process uses now. */
void stack_active_region(const ProcStack *ps, char **lo, char **hi);

/* Statistics for tests and benchmarks. */
typedef struct StackStats {
    size_t slabs, slots_total, slots_free, segs_mapped;
} StackStats;
void stack_stats(StackStats *out);

#endif
