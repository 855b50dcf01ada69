/* str.c — immutable UTF-8 strings (see str.h for the layout and the
 * append-in-place trick). */
#include "str.h"

#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "gc.h"
#include "rt.h"

/* Strings whose concatenation result is at most this long are built exact
 * and inline; longer results of a repeated concatenation get a growable
 * buffer with spare room. */
#define STR_INLINE_MAX 48

static bool all_ascii(const char *p, size_t n) {
    size_t i = 0;
    uint64_t acc = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        acc |= w;
    }
    for (; i < n; i++) acc |= (unsigned char)p[i];
    return (acc & 0x8080808080808080ULL) == 0;
}

static size_t count_cp(const char *p, size_t n) {
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += ((unsigned char)p[i] & 0xC0) != 0x80;
    return c;
}

uint64_t hash_bytes(const void *data, size_t n) {
    const unsigned char *p = data;
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (n * 0xff51afd7ed558ccdULL);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ (w * 0xc4ceb9fe1a85ec53ULL)) * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
    }
    uint64_t t = 0;
    for (size_t k = 0; i < n; i++, k += 8) t |= (uint64_t)p[i] << k;
    h = (h ^ (t * 0xc4ceb9fe1a85ec53ULL)) * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 32;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 29;
    return h;
}

static StrObj *alloc_inline(size_t n, bool is_static) {
    if (n > UINT32_MAX - 64) rt_panic("string too long (%zu bytes)", n);
    size_t sz = sizeof(StrObj) + n + 1;
    StrObj *s = is_static ? gc_alloc_static(sz, OK_STR) : gc_alloc_uninit(sz, OK_STR);
    s->len = (uint32_t)n;
    s->cplen = 0;
    s->buf = NULL;
    s->off = 0;
    s->hash = 0;
    s->bytes[n] = 0;
    return s;
}

static void set_flags(StrObj *s, const char *p, size_t n) {
    if (all_ascii(p, n)) {
        s->h.xflags |= STR_ASCII;
        s->cplen = (uint32_t)n;
    }
}

Value str_new(const char *p, size_t n) {
    if (n == 0) return str_empty();
    StrObj *s = alloc_inline(n, false);
    memcpy(s->bytes, p, n);
    set_flags(s, p, n);
    return v_obj(T_STR, s);
}

Value str_from_cstr(const char *c) { return str_new(c, strlen(c)); }

Value str_static(const char *p, size_t n) {
    StrObj *s = alloc_inline(n, true);
    memcpy(s->bytes, p, n);
    set_flags(s, p, n);
    if (!(s->h.xflags & STR_ASCII)) {
        s->cplen = (uint32_t)count_cp(p, n);
        s->h.xflags |= STR_CPLEN;
    }
    Value v = v_obj(T_STR, s);
    str_hash(v); /* shared between threads: never written after this */
    return v;
}

/* "" as a static object: a mirror of StrObj's layout with room for the NUL
 * (a struct with a flexible array member cannot be embedded portably). */
static struct {
    Obj h;
    uint32_t len, cplen;
    StrBuf *buf;
    uint32_t off, hash;
    char bytes[16];
} empty_str = {.h = {OK_STR, GC_STATIC, STR_ASCII, 48}, .len = 0, .cplen = 0, .hash = 0x2545F491u};
_Static_assert(offsetof(StrObj, bytes) == offsetof(__typeof__(empty_str), bytes), "empty string layout");

Value str_empty(void) { return v_obj(T_STR, &empty_str); }

Value str_alloc(size_t n, char **data) {
    if (n == 0) {
        *data = empty_str.bytes;
        return str_empty();
    }
    StrObj *s = alloc_inline(n, false);
    *data = s->bytes;
    return v_obj(T_STR, s);
}

void str_seal(Value v) {
    StrObj *s = AS_STR(v);
    if (gc_is_static(&s->h)) return;
    s->h.xflags &= (uint16_t)~(STR_ASCII | STR_CPLEN);
    s->hash = 0;
    set_flags(s, str_data(v), s->len);
}

size_t str_cplen(Value v) {
    StrObj *s = AS_STR(v);
    if (s->h.xflags & (STR_ASCII | STR_CPLEN)) return s->cplen;
    s->cplen = (uint32_t)count_cp(str_data(v), s->len);
    s->h.xflags |= STR_CPLEN;
    return s->cplen;
}

int str_cmp(Value a, Value b) {
    size_t la = str_len(a), lb = str_len(b);
    int c = memcmp(str_data(a), str_data(b), la < lb ? la : lb);
    if (c) return c < 0 ? -1 : 1;
    return la < lb ? -1 : la > lb;
}

bool str_eq(Value a, Value b) {
    if (a.o == b.o) return true;
    StrObj *x = AS_STR(a), *y = AS_STR(b);
    if (x->len != y->len) return false;
    if (x->hash && y->hash && x->hash != y->hash) return false;
    return memcmp(str_data(a), str_data(b), x->len) == 0;
}

uint32_t str_hash(Value v) {
    StrObj *s = AS_STR(v);
    if (s->hash) return s->hash;
    uint64_t h = hash_bytes(str_data(v), s->len);
    uint32_t h32 = (uint32_t)(h ^ (h >> 32));
    if (!h32) h32 = 1;
    if (!gc_is_static(&s->h)) s->hash = h32;
    return h32;
}

/* A view of buffer b: bytes [off, off+n). */
static Value make_view(StrBuf *b, uint32_t off, size_t n, uint16_t flags, uint32_t cplen) {
    StrObj *s = gc_alloc_uninit(sizeof(StrObj), OK_STR);
    s->h.xflags = flags;
    s->len = (uint32_t)n;
    s->cplen = cplen;
    s->buf = b;
    s->off = off;
    s->hash = 0;
    return v_obj(T_STR, s);
}

/* Flags of the concatenation of a (flags fa, cplen ca) and bytes p[0..n). */
static uint16_t concat_flags(Value a, const char *p, size_t n, uint32_t *cplen) {
    StrObj *s = AS_STR(a);
    if ((s->h.xflags & STR_ASCII) && all_ascii(p, n)) {
        *cplen = (uint32_t)(s->len + n);
        return STR_ASCII | STR_GROWN;
    }
    *cplen = 0;
    return STR_GROWN;
}

Value str_append_raw(Value a, const char *p, size_t n) {
    if (n == 0) return a;
    StrObj *s = AS_STR(a);
    size_t la = s->len, total = la + n;
    if (la == 0) return str_new(p, n);
    if (total > UINT32_MAX - 64) rt_panic("string too long (%zu bytes)", total);
    uint32_t cplen;
    uint16_t flags = concat_flags(a, p, n, &cplen);
    StrBuf *b = s->buf;
    /* the trick: a ends at the used end of a non-static buffer with room */
    if (b && !gc_is_static(&b->h) && s->off + la == b->used && b->cap - b->used >= n) {
        memcpy(b->bytes + b->used, p, n);
        b->used += (uint32_t)n;
        if (b->used < b->cap) b->bytes[b->used] = 0;
        return make_view(b, s->off, total, flags, cplen);
    }
    if (total <= STR_INLINE_MAX) { /* small: copying is cheaper than spare room */
        StrObj *r = alloc_inline(total, false);
        memcpy(r->bytes, str_data(a), la);
        memcpy(r->bytes + la, p, n);
        r->h.xflags = flags;
        r->cplen = cplen;
        return v_obj(T_STR, r);
    }
    /* a growable buffer with room for as much again */
    size_t cap = total * 2;
    if (cap < 64) cap = 64;
    if (cap > UINT32_MAX - 64) cap = UINT32_MAX - 64;
    /* p may point into a (and so into a buffer we are about to leave):
     * copy a first, then p — both sources stay alive, nothing moves. */
    StrBuf *nb = gc_alloc_uninit(sizeof(StrBuf) + cap, OK_STRBUF);
    nb->cap = (uint32_t)cap;
    memcpy(nb->bytes, str_data(a), la);
    memcpy(nb->bytes + la, p, n);
    nb->used = (uint32_t)total;
    nb->bytes[total] = 0;
    return make_view(nb, 0, total, flags, cplen);
}

Value str_concat(Value a, Value b) {
    if (str_len(b) == 0) return a;
    if (str_len(a) == 0) return b;
    return str_append_raw(a, str_data(b), str_len(b));
}

const char *str_cstr(Value v) {
    StrObj *s = AS_STR(v);
    if (!s->buf) return s->bytes;
    if (s->off + s->len < s->buf->used) {
        if (s->buf->bytes[s->off + s->len] == 0) return s->buf->bytes + s->off;
    } else if (s->off + s->len < s->buf->cap) {
        return s->buf->bytes + s->off; /* NUL written after used */
    }
    Value c = str_new(str_data(v), s->len);
    return AS_STR(c)->bytes;
}
