/* stack.h — process stacks: a bounded set of *shared* stack slots, the
 * frames of parked processes saved compactly, plus growth by stack
 * *segments* for deep recursion.
 *
 * Shared slots (issue 16: a million live processes).  A process's frames
 * always live at the same addresses (they point into themselves), so each
 * process is bound for life to one STACK_SLOT-byte slot, chosen at its
 * first run.  But a slot is shared by many processes: at most one of them
 * is *resident* (its frames are in the slot); the others keep their frames
 * in a compact copy (`hib`: a bitmap of the non-zero words and those
 * words, ~500 bytes for a process parked in a receive).  Running a process
 * whose slot holds someone else first copies the resident one out, then
 * copies its own frames in (stack_enter).  So spawning, parking and waking
 * a process cost no system call and no page fault: the slots are few
 * (STACK_HOME_SLOTS per scheduler thread), stay mapped and stay faulted
 * in, and are handed out by a CLOCK sweep that prefers slots whose
 * resident has not run for a while.  A set of processes that fits in the
 * slots (a ring of 1 000) never copies anything.
 *
 * Layout of one process's stack memory:
 *  - its slot, carved from a MAP_NORESERVE slab; the top `hi` is page
 *    aligned, so a small process touches ~1 page of it.
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
 *    lo + STACK_MARGIN; the deep pages are madvise()d away when the process
 *    blocks near the top again or leaves the slot.
 *  - crossing the hard limit continues the call on a new segment (its own
 *    mmap, 1 MB doubling up to 64 MB, private to the process) via
 *    stack_switch_call; the segment is popped when the call returns.  A
 *    process's stack (slot plus segments) is bounded by stack_max()
 *    (`snow run --max-stack`, default STACK_MAX_DEFAULT); past it, or when
 *    a segment cannot be mapped, the process panics with "stack overflow"
 *    (only that process).
 *
 * Invariants:
 *  - A slot's `owner` is the process whose frames are in it (NULL: none).
 *    A process is resident iff ps->slot->owner == ps, and then ps->hib is
 *    NULL; otherwise ps->hib holds its frames (or it never ran).
 *  - Only a thread holding the slot (its `busy` flag, acquired by
 *    stack_enter; implicit with a single scheduler thread) reads or writes
 *    the slot's memory, its owner, or the hib copy of a process bound to
 *    it.  The running process holds its slot until it has switched out.
 *  - ps->seg is the innermost *active* segment (sp is inside it while the
 *    process runs), seg->prev the enclosing one, NULL = the first stack.
 *    Segments are never shared; the slot part of a process on segments is
 *    [outermost segment's prev_sp, hi).
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
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mt.h"

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
/* Slots per scheduler thread before slots are shared: processes beyond
 * this many live ones take turns in the slots (~8 KB resident per slot). */
#define STACK_HOME_SLOTS 1024
/* Under ASan every process keeps a slot of its own (no sharing): ASan's
 * poisoning of stack redzones lives in shadow memory that a copy of the
 * frames would not carry along. */
#if defined(SNOW_ASAN) || defined(__SANITIZE_ADDRESS__)
#define STACK_SHARING 0
#else
#define STACK_SHARING 1
#endif

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

typedef struct StackSlot StackSlot;
typedef struct StackHome StackHome;
struct Ctx;
struct ProcStack;

/* A shared slot.  The fields are stack.c's; they are here only so that
 * the common case of stack_enter / stack_leave (the process is already
 * resident) is inline. */
struct StackSlot {
    char *lo, *hi;             /* the slot [lo, hi); its guard is under lo */
    struct ProcStack *owner;   /* whose frames are in it (NULL: none) */
    StackHome *home;           /* the home that carved it (its CLOCK ring) */
    _Atomic uint32_t busy;     /* held by a worker running or swapping its owner (when rt_mt) */
    _Atomic uint8_t ref;       /* CLOCK: its resident ran since the hand last passed */
    _Atomic bool parked;       /* no resident, or it is blocked (not runnable) */
    _Atomic bool pinned;       /* its resident's frames must stay (STACK_PINNED) */
    _Atomic bool listed;       /* on some home's free list */
    bool deep_pages;           /* pages under hi - STACK_SOFT may be resident */
};

typedef struct ProcStack {
    char *lo, *hi;      /* its slot [lo, hi); NULL before the first run */
    StackSlot *slot;    /* the slot its frames live in (shared, see above) */
    struct Ctx *ctx;    /* its saved context: ctx->sp while suspended */
    bool deep;          /* the soft limit was crossed */
    StackSeg *seg;      /* innermost active segment, NULL = on the first stack */
    StackSeg *spare;    /* one popped segment kept to avoid mmap thrash */
    size_t seg_bytes;   /* bytes of active segments */
    void *hib;          /* not resident: its frames, compacted (NULL: resident) */
} ProcStack;

/* One scheduler thread's share of the slots (the deterministic scheduler
 * uses home 0, worker i of the threaded one home i).  Homes live as long
 * as the program, so later runs (tests, the REPL) reuse their slots. */
StackHome *stack_home(int index);

/* On the scheduler's stack, before switching to the process owning ps:
 * make its frames resident in its slot (copying the slot's resident out
 * and its own frames in); at its first run, bind it to a slot of `home`
 * and ctx_init(ctx) to call entry(arg).  False (threaded scheduler only):
 * the slot is in use by another worker right now; run something else and
 * try again later. */
bool stack_enter_slow(StackHome *home, ProcStack *ps, struct Ctx *ctx, void (*entry)(void *), void *arg);
static inline bool stack_enter(StackHome *home, ProcStack *ps, struct Ctx *ctx, void (*entry)(void *), void *arg) {
    StackSlot *s = ps->slot;
    /* (rt_mt first: with several workers the owner is read only while holding the slot) */
    if (rt_mt || !s || s->owner != ps) return stack_enter_slow(home, ps, ctx, entry, arg);
    atomic_store_explicit(&s->ref, 1, memory_order_relaxed); /* resident, one scheduler thread */
    atomic_store_explicit(&s->parked, false, memory_order_relaxed);
    return true;
}
/* After the process switched back to the scheduler for anything but its
 * exit: other workers may now use the slot.  `how` says why it left. */
typedef enum StackLeave {
    STACK_RUNNABLE, /* preempted or yielding: it runs again soon */
    STACK_PARKED,   /* blocked: its frames may be copied out */
    STACK_PINNED,   /* blocked while another thread writes into its frames (a
                     * blocking-pool job): they stay until it runs again, and
                     * processes sharing its slot wait */
} StackLeave;
static inline void stack_leave(ProcStack *ps, StackLeave how) {
    if (how == STACK_PARKED) atomic_store_explicit(&ps->slot->parked, true, memory_order_relaxed);
    else if (how == STACK_PINNED) atomic_store_explicit(&ps->slot->pinned, true, memory_order_relaxed);
    if (rt_mt) atomic_store_explicit(&ps->slot->busy, 0, memory_order_release);
}
/* The process is dead (after its last switch) or discarded: its frames are
 * gone, its segments unmapped and its slot free.  Not the running stack. */
void stack_release(ProcStack *ps);

/* Initial value of ProcHot.stack_limit for a fresh first stack. */
char *stack_initial_limit(const ProcStack *ps);
/* Called when a process blocks: drop the spare segment and, if the first
 * stack went deep but sp is back near the top, release the deep pages. */
void stack_trim_slow(ProcStack *ps, char **limit, const char *sp);
static inline void stack_trim(ProcStack *ps, char **limit, const char *sp) {
    if (ps->spare || ps->deep) stack_trim_slow(ps, limit, sp); /* blocking is hot; trimming is rare */
}

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
 * worker) calls enter with its home before its first process and leave
 * after its last: it gets an alternate signal stack, and the guard-page
 * SIGSEGV handler is installed (once per program; faults elsewhere go to
 * the previous handler or the default action). */
void stack_thread_enter(StackHome *home);
void stack_thread_leave(void);

/* Region [lo, hi) that the running (or suspended at `sp`) process uses now. */
void stack_active_region(const ProcStack *ps, char **lo, char **hi);

/* Statistics for tests and benchmarks. */
typedef struct StackStats {
    size_t slabs, slots_total, segs_mapped;
    size_t guards;            /* guard regions installed (slots + segments) */
    size_t saves, restores;   /* frames copied out of / into a slot */
    size_t saved_bytes;       /* bytes of compact copies now held */
    size_t refused;           /* stack_enter found the slot in use on another worker */
} StackStats;
void stack_stats(StackStats *out);

#endif
