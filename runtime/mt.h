/* mt.h — the runtime's multi-threading primitives for the structures that
 * the scheduler backends share (process table, per-process relations,
 * registry, timers, stack pool, event sink): one flag saying whether more
 * than one OS thread runs processes, a small futex lock, and counters.
 *
 * Why a flag: the deterministic scheduler (and `--threads 1`) runs every
 * process on one OS thread, so it must not pay for locks or locked
 * instructions it does not need.  `rt_mt` is set by rt_init before any
 * worker thread starts and cleared by rt_shutdown after they have all been
 * joined; it never changes while processes run, so the branch in front of
 * every lock is perfectly predictable.
 *
 * Invariants:
 *  - MtLock critical sections are short and never switch process (no
 *    blocking, no Snow code): a process holding a lock cannot migrate.
 *  - Locks are never nested, except that the event sink's lock may be taken
 *    inside any other (it is innermost and takes nothing else).
 *  - mt_add/mt_sub are atomic read-modify-writes when rt_mt, plain
 *    load + store otherwise; relaxed in both cases (counters and serials;
 *    use explicit atomics where ordering matters).
 */
#ifndef SNOW_MT_H
#define SNOW_MT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True while more than one OS thread may run processes. */
extern bool rt_mt;

/* A 4-byte lock: 0 free, 1 held, 2 held with waiters (futex). */
typedef struct MtLock {
    _Atomic uint32_t v;
} MtLock;

#define MT_LOCK_INIT {0}

void mt_lock_slow(MtLock *l);
void mt_unlock_wake(MtLock *l);

static inline void mt_lock(MtLock *l) {
    if (!rt_mt) return;
    uint32_t c = 0;
    if (__builtin_expect(atomic_compare_exchange_strong_explicit(&l->v, &c, 1, memory_order_acquire,
                                                                 memory_order_relaxed), 1))
        return;
    mt_lock_slow(l);
}

static inline void mt_unlock(MtLock *l) {
    if (!rt_mt) return;
    if (__builtin_expect(atomic_exchange_explicit(&l->v, 0, memory_order_release) == 2, 0))
        mt_unlock_wake(l);
}

static inline uint64_t mt_add(_Atomic uint64_t *c, uint64_t d) {
    if (rt_mt) return atomic_fetch_add_explicit(c, d, memory_order_relaxed);
    uint64_t v = atomic_load_explicit(c, memory_order_relaxed);
    atomic_store_explicit(c, v + d, memory_order_relaxed);
    return v;
}

static inline uint64_t mt_sub(_Atomic uint64_t *c, uint64_t d) {
    if (rt_mt) return atomic_fetch_sub_explicit(c, d, memory_order_relaxed);
    uint64_t v = atomic_load_explicit(c, memory_order_relaxed);
    atomic_store_explicit(c, v - d, memory_order_relaxed);
    return v;
}

/* Busy-wait hint for spin loops. */
static inline void mt_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

/* Give the CPU to another runnable thread (POSIX sched_yield). */
void mt_yield_cpu(void);

/* Futex helpers for the scheduler's parking (Linux). */
void mt_futex_wait(_Atomic uint32_t *addr, uint32_t expected);
void mt_futex_wake(_Atomic uint32_t *addr, int n);

/* Threads, for the scheduler: a thin wrapper over pthreads, so that the
 * runtime's headers need not include <pthread.h>.  (It no longer has to
 * dodge a name clash: the runtime's yield is sched_cede, and <sched.h> and
 * runtime/sched.h meet without trouble, see tests/unit/test_tls_proc.c.) */
typedef struct MtThread {
    unsigned long handle; /* pthread_t */
} MtThread;
bool mt_thread_start(MtThread *t, void *(*fn)(void *), void *arg, size_t stack_bytes);
void mt_thread_join(MtThread *t);
/* The calling thread's stack [lo, lo + size); false if unknown. */
bool mt_stack_bounds(const void **lo, size_t *size);

#endif
