/* mt.c — slow paths of the runtime's lock and the futex helpers (mt.h). */
#include "mt.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

_Static_assert(sizeof(pthread_t) == sizeof(unsigned long), "pthread_t fits MtThread");

bool rt_mt;

void mt_yield_cpu(void) { sched_yield(); }

void mt_futex_wait(_Atomic uint32_t *addr, uint32_t expected) {
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

void mt_futex_wake(_Atomic uint32_t *addr, int n) {
    syscall(SYS_futex, (uint32_t *)addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

/* Drepper's "Futexes are tricky" mutex 2, after a short spin: critical
 * sections are a few dozen instructions, so the holder usually lets go
 * before a waiter would have slept. */
void mt_lock_slow(MtLock *l) {
    for (int i = 0; i < 100; i++) {
        uint32_t c = 0;
        if (atomic_load_explicit(&l->v, memory_order_relaxed) == 0 &&
            atomic_compare_exchange_weak_explicit(&l->v, &c, 1, memory_order_acquire, memory_order_relaxed))
            return;
        mt_relax();
    }
    uint32_t c = atomic_exchange_explicit(&l->v, 2, memory_order_acquire);
    while (c != 0) {
        mt_futex_wait(&l->v, 2);
        c = atomic_exchange_explicit(&l->v, 2, memory_order_acquire);
    }
}

void mt_unlock_wake(MtLock *l) { mt_futex_wake(&l->v, 1); }

bool mt_thread_start(MtThread *t, void *(*fn)(void *), void *arg, size_t stack_bytes) {
    pthread_attr_t a;
    pthread_t th;
    pthread_attr_init(&a);
    if (stack_bytes) pthread_attr_setstacksize(&a, stack_bytes);
    int r = pthread_create(&th, &a, fn, arg);
    pthread_attr_destroy(&a);
    t->handle = (unsigned long)th;
    return r == 0;
}

void mt_thread_join(MtThread *t) { pthread_join((pthread_t)t->handle, NULL); }

bool mt_stack_bounds(const void **lo, size_t *size) {
    pthread_attr_t a;
    void *addr;
    if (pthread_getattr_np(pthread_self(), &a) != 0) return false;
    bool ok = pthread_attr_getstack(&a, &addr, size) == 0;
    pthread_attr_destroy(&a);
    *lo = addr;
    return ok;
}
