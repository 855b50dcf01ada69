/* xalloc.h — memory allocation that does not fail: the one out-of-memory
 * idiom of the whole code base.
 *
 * Running out of memory is not a Snow-level error a program could handle.
 * Process heaps handle it themselves (gc.c: the process that cannot grow
 * its heap panics "out of memory" and the others go on).  Everything else
 * allocates through the x* functions, which either return memory or end the
 * interpreter through rt_fatal ("snow: internal error: out of memory
 * (N bytes)", exit status 70).  So callers never test the result, and no
 * other file writes `if (!p) abort();`.
 *
 * Between the two sits a reserve: a few blocks of address space, malloc'd
 * early and never touched.  A failed x* request frees one block and tries
 * again before it gives up, and so does the unwinding of a process that
 * panicked "out of memory": the runtime's own small allocations (mailbox
 * entries, mark stacks, exit reports) still succeed while such a process
 * dies and its heap is released.  heap_free and heap_new take the blocks
 * back (xalloc_reserve_refill).
 *
 * The functions are inline (the failure path is not) so the hot callers
 * (mailbox entries, process records) pay nothing over a bare malloc.
 * Memory from them is released with free. */
#ifndef SNOW_XALLOC_H
#define SNOW_XALLOC_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Report the failed request and exit (rt_fatal). */
_Noreturn void xalloc_fail(size_t n);

/* The failure paths: release reserve blocks one by one, retrying the
 * request after each; xalloc_fail when none is left. */
void *xmalloc_retry(size_t n);
void *xcalloc_retry(size_t count, size_t size);
void *xrealloc_retry(void *p, size_t n);

/* Free one block of the reserve; false when it is empty. */
bool xalloc_reserve_release(void);
/* Take back the blocks released so far, as far as memory allows (cheap
 * when the reserve is full: one atomic load). */
void xalloc_reserve_refill(void);

/* A request of 0 bytes is served as 1, so NULL always means failure. */
static inline void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (__builtin_expect(!p, 0)) p = xmalloc_retry(n ? n : 1);
    return p;
}
static inline void *xcalloc(size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (__builtin_expect(!p, 0)) p = xcalloc_retry(count ? count : 1, size ? size : 1);
    return p;
}
static inline void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (__builtin_expect(!q, 0)) q = xrealloc_retry(p, n ? n : 1);
    return q;
}
static inline char *xstrndup(const char *s, size_t n) {
    size_t len = strnlen(s, n);
    char *d = xmalloc(len + 1);
    memcpy(d, s, len);
    d[len] = 0;
    return d;
}
static inline char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

#endif
