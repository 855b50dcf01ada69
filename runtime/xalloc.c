/* xalloc.c — the failure paths of the allocation functions and the reserve
 * (see xalloc.h). */
#include "xalloc.h"

#include <stdatomic.h>

#include "rt.h"

/* 8 blocks of 2 MB: 16 MB of address space, a page or so resident each.
 * One block is room for a dying process's report and exit messages, and a
 * block freed lets malloc grow by that much even under `ulimit -v`. */
#define NBLOCKS 8
#define BLOCK ((size_t)2 << 20)

static _Atomic(void *) blocks[NBLOCKS];
static atomic_int missing = NBLOCKS; /* empty slots of blocks[] */

_Noreturn void xalloc_fail(size_t n) { rt_fatal("out of memory (%zu bytes)", n); }

bool xalloc_reserve_release(void) {
    for (int i = 0; i < NBLOCKS; i++) {
        void *b = atomic_exchange(&blocks[i], NULL);
        if (b) {
            atomic_fetch_add(&missing, 1);
            free(b);
            return true;
        }
    }
    return false;
}

void xalloc_reserve_refill(void) {
    if (__builtin_expect(atomic_load_explicit(&missing, memory_order_relaxed) == 0, 1)) return;
    for (int i = 0; i < NBLOCKS; i++) {
        if (atomic_load(&blocks[i])) continue;
        void *b = malloc(BLOCK), *none = NULL;
        if (!b) return; /* not now: the next heap_free tries again */
        if (atomic_compare_exchange_strong(&blocks[i], &none, b)) atomic_fetch_sub(&missing, 1);
        else free(b);
    }
}

void *xmalloc_retry(size_t n) {
    while (xalloc_reserve_release()) {
        void *p = malloc(n);
        if (p) return p;
    }
    xalloc_fail(n);
}

void *xcalloc_retry(size_t count, size_t size) {
    while (xalloc_reserve_release()) {
        void *p = calloc(count, size);
        if (p) return p;
    }
    xalloc_fail(count * size);
}

void *xrealloc_retry(void *p, size_t n) {
    while (xalloc_reserve_release()) {
        void *q = realloc(p, n);
        if (q) return q;
    }
    xalloc_fail(n);
}
