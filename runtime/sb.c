/* sb.c — the growable byte-string builder (see sb.h). */
#include "sb.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "rt.h"
#include "str.h"
#include "xalloc.h"

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
        p = xmalloc(cap);
        memcpy(p, b->small, b->len);
    } else {
        p = xrealloc(b->p, cap);
    }
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

bool sb_read_fd(SB *b, int fd) {
    for (;;) {
        if (b->cap - b->len < 4096) sb_grow_(b, 4096);
        ssize_t r = read(fd, b->p + b->len, b->cap - b->len);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return false;
        if (r == 0) return true;
        b->len += (size_t)r;
    }
}

const char *sb_cstr(SB *b) {
    if (b->len + 1 > b->cap) sb_grow_(b, 1);
    b->p[b->len] = 0;
    return b->p;
}

char *sb_detach(SB *b) {
    char *s;
    if (b->p == b->small) {
        s = xmalloc(b->len + 1);
        memcpy(s, b->p, b->len);
    } else {
        s = xrealloc(b->p, b->len + 1);
    }
    s[b->len] = 0;
    sb_init(b);
    return s;
}

Value sb_finish(SB *b) {
    Value s = str_new(b->p, b->len);
    sb_free(b);
    return s;
}
