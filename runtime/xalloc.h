/* xalloc.h — memory allocation that does not fail: the one out-of-memory
 * idiom of the whole code base.
 *
 * Running out of memory is not a Snow-level error a program could handle;
 * it is a fatal internal error like a broken invariant: every x* function
 * either returns memory or ends the interpreter through rt_fatal ("snow:
 * internal error: out of memory (N bytes)", exit status 70).  So callers
 * never test the result, and no other file writes `if (!p) abort();`.
 *
 * The functions are inline (the failure path is not) so the hot callers
 * (mailbox entries, process records) pay nothing over a bare malloc.
 * Memory from them is released with free. */
#ifndef SNOW_XALLOC_H
#define SNOW_XALLOC_H

#include <stdlib.h>
#include <string.h>

/* Report the failed request and exit (rt_fatal). */
_Noreturn void xalloc_fail(size_t n);

/* A request of 0 bytes is served as 1, so NULL always means failure. */
static inline void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (__builtin_expect(!p, 0)) xalloc_fail(n);
    return p;
}
static inline void *xcalloc(size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (__builtin_expect(!p, 0)) xalloc_fail(count * size);
    return p;
}
static inline void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (__builtin_expect(!q, 0)) xalloc_fail(n);
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
