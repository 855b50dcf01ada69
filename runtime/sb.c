/* sb.c — the growable byte-string builder (see sb.h). */
#include "sb.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "rt.h"
#include "str.h"

void sb_init(SB *b) {
    b->p = b->small;
    b->len = 0;
    b->cap = sizeof b->small;
}

void sb_free(SB *b) {
    if (b->p != b->small) free(b->p);
    sb_init(b);
}

void sb_grow_(SB *b, size_t need) {
    size_t cap = b->cap * 2;
    while (cap < b->len + need + 1) cap *= 2;
    char *p;
    if (b->p == b->small) {
        p = malloc(cap);
        if (p) memcpy(p, b->small, b->len);
    } else {
        p = realloc(b->p, cap);
    }
    if (!p) rt_fatal("out of memory (string builder, %zu bytes)", cap);
    b->p = p;
    b->cap = cap;
}

void sb_printf(SB *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char tmp[128];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    if ((size_t)n < sizeof tmp) {
        sb_put(b, tmp, (size_t)n);
        return;
    }
    char *dst = sb_extend(b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(dst, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len--; /* drop the NUL */
}

void sb_put_int(SB *b, int64_t i) {
    char tmp[24];
    char *e = tmp + sizeof tmp, *p = e;
    uint64_t u = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (i < 0) *--p = '-';
    sb_put(b, p, (size_t)(e - p));
}

void sb_put_str(SB *b, Value s) { sb_put(b, str_data(s), str_len(s)); }

const char *sb_cstr(SB *b) {
    if (b->len + 1 > b->cap) sb_grow_(b, 1);
    b->p[b->len] = 0;
    return b->p;
}

Value sb_finish(SB *b) {
    Value s = str_new(b->p, b->len);
    sb_free(b);
    return s;
}
