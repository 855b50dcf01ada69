/* list.c — persistent lists as slices of shared, write-once buffers (see
 * list.h for the append/prepend-in-place tricks). */
#include "list.h"

#include <string.h>

#include "gc.h"
#include "rt.h"

#define MIN_CAP 4

ListBuf *listbuf_alloc(size_t cap) {
    if (cap > UINT32_MAX / 2) rt_panic("list too long (%zu elements)", cap);
    /* slots beyond hi are never read, so only the header needs zeroing */
    ListBuf *b = gc_alloc_uninit(sizeof(ListBuf) + cap * sizeof(Value), OK_LISTBUF);
    b->cap = (uint32_t)cap;
    b->lo = b->hi = 0;
    b->pad_ = 0;
    return b;
}

Value listslice_view(uint8_t kind, VTag tag, ListBuf *b, uint32_t off, size_t len) {
    if (len == 0) {
        Value v = {.tag = tag};
        v.o = NULL;
        return v;
    }
    ListObj *l = gc_alloc_uninit(sizeof(ListObj), kind);
    l->buf = b;
    l->off = off;
    l->len = (uint32_t)len;
    return v_obj(tag, l);
}

static inline Value view(ListBuf *b, uint32_t off, size_t len) { return listslice_view(OK_LIST, T_LIST, b, off, len); }

Value list_get_checked(Value l, int64_t i, const char *fn) {
    size_t n = list_len(l);
    if (i < 0 || (uint64_t)i >= n) {
        if (fn) rt_panic("%s: index %lld out of bounds (length %zu)", fn, (long long)i, n);
        rt_panic("list index %lld out of bounds (length %zu)", (long long)i, n);
    }
    return list_get(l, (size_t)i);
}

Value list_from_array(const Value *xs, size_t n) {
    if (n == 0) return list_empty();
    ListBuf *b = listbuf_alloc(n);
    memcpy(b->items, xs, n * sizeof(Value));
    b->hi = (uint32_t)n;
    return view(b, 0, n);
}

/* Shared by lists and queues: the slice (b, off, len) with x appended. */
Value listslice_append(uint8_t kind, VTag tag, ListBuf *b, uint32_t off, uint32_t len, Value x) {
    if (b && off + len == b->hi && b->hi < b->cap && !gc_is_static(&b->h)) {
        b->items[b->hi++] = x; /* never observed by any existing view */
        return listslice_view(kind, tag, b, off, len + 1);
    }
    size_t cap = (size_t)len * 2;
    if (cap < MIN_CAP) cap = MIN_CAP;
    ListBuf *nb = listbuf_alloc(cap);
    if (len) memcpy(nb->items, b->items + off, len * sizeof(Value));
    nb->items[len] = x;
    nb->hi = len + 1;
    return listslice_view(kind, tag, nb, 0, len + 1);
}

Value list_append(Value l, Value x) {
    if (!l.o) return listslice_append(OK_LIST, T_LIST, NULL, 0, 0, x);
    ListObj *o = AS_LIST(l);
    return listslice_append(OK_LIST, T_LIST, o->buf, o->off, o->len, x);
}

/* xs with the n values pre[] in front. */
static Value prepend_n(const Value *pre, size_t n, Value xs) {
    if (n == 0) return xs;
    size_t len = list_len(xs);
    if (len == 0) return list_from_array(pre, n);
    ListObj *o = AS_LIST(xs);
    ListBuf *b = o->buf;
    if (o->off == b->lo && b->lo >= n && !gc_is_static(&b->h)) {
        b->lo -= (uint32_t)n;
        memcpy(b->items + b->lo, pre, n * sizeof(Value));
        return view(b, b->lo, len + n);
    }
    /* new buffer, spare room at the front (we are growing by prepends) */
    size_t total = len + n, cap = total * 2;
    if (cap < MIN_CAP) cap = MIN_CAP;
    ListBuf *nb = listbuf_alloc(cap);
    uint32_t lo = (uint32_t)(cap - total);
    memcpy(nb->items + lo, pre, n * sizeof(Value));
    memcpy(nb->items + lo + n, b->items + o->off, len * sizeof(Value));
    nb->lo = lo;
    nb->hi = (uint32_t)cap;
    return view(nb, lo, total);
}

Value list_prepend(Value x, Value l) { return prepend_n(&x, 1, l); }

Value list_concat(Value a, Value b) {
    size_t la = list_len(a), lb = list_len(b);
    if (lb == 0) return a;
    if (la == 0) return b;
    ListObj *oa = AS_LIST(a), *ob = AS_LIST(b);
    ListBuf *ba = oa->buf;
    if (oa->off + la == ba->hi && ba->cap - ba->hi >= lb && !gc_is_static(&ba->h)) {
        memmove(ba->items + ba->hi, ob->buf->items + ob->off, lb * sizeof(Value));
        ba->hi += (uint32_t)lb;
        return view(ba, oa->off, la + lb);
    }
    ListBuf *bb = ob->buf;
    if (la < lb && ob->off == bb->lo && bb->lo >= la && !gc_is_static(&bb->h))
        return prepend_n(ba->items + oa->off, la, b);
    size_t total = la + lb, cap = total * 2;
    ListBuf *nb = listbuf_alloc(cap);
    if (la < lb) {
        /* [small] ++ big: probably growing at the front */
        uint32_t lo = (uint32_t)(cap - total);
        memcpy(nb->items + lo, ba->items + oa->off, la * sizeof(Value));
        memcpy(nb->items + lo + la, bb->items + ob->off, lb * sizeof(Value));
        nb->lo = lo;
        nb->hi = (uint32_t)cap;
        return view(nb, lo, total);
    }
    memcpy(nb->items, ba->items + oa->off, la * sizeof(Value));
    memcpy(nb->items + la, bb->items + ob->off, lb * sizeof(Value));
    nb->hi = (uint32_t)total;
    return view(nb, 0, total);
}

Value list_head(Value l) {
    if (!l.o) rt_panic("List.head: empty list");
    return list_get(l, 0);
}

Value list_tail(Value l) {
    if (!l.o) rt_panic("List.tail: empty list");
    ListObj *o = AS_LIST(l);
    return view(o->buf, o->off + 1, o->len - 1);
}

Value list_last(Value l) {
    if (!l.o) rt_panic("List.last: empty list");
    return list_get(l, list_len(l) - 1);
}

Value list_slice(Value l, size_t from, size_t to) {
    size_t n = list_len(l);
    if (to > n) to = n;
    if (from >= to) return list_empty();
    if (from == 0 && to == n) return l;
    ListObj *o = AS_LIST(l);
    return view(o->buf, o->off + (uint32_t)from, to - from);
}

Value list_take(Value l, int64_t n) { return list_slice(l, 0, n < 0 ? 0 : (size_t)n); }

Value list_drop(Value l, int64_t n) {
    size_t len = list_len(l);
    size_t k = n < 0 ? 0 : (uint64_t)n > len ? len : (size_t)n;
    return list_slice(l, k, len);
}

Value list_reverse(Value l) {
    size_t n = list_len(l);
    if (n < 2) return l;
    ListBuf *b = listbuf_alloc(n);
    const Value *src = list_items(l);
    for (size_t i = 0; i < n; i++) b->items[i] = src[n - 1 - i];
    b->hi = (uint32_t)n;
    return view(b, 0, n);
}

/* ---- builder ---- */

void lb_init(ListBuilder *b, size_t hint) {
    b->buf = hint ? listbuf_alloc(hint) : NULL;
}

void lb_push(ListBuilder *b, Value x) {
    ListBuf *buf = b->buf;
    if (!buf || buf->hi == buf->cap) {
        size_t n = buf ? buf->hi : 0;
        size_t cap = n * 2;
        if (cap < 8) cap = 8;
        ListBuf *nb = listbuf_alloc(cap);
        if (n) memcpy(nb->items, buf->items, n * sizeof(Value));
        nb->hi = (uint32_t)n;
        b->buf = buf = nb;
    }
    buf->items[buf->hi++] = x; /* hi first covers x for the collector */
}

Value lb_finish(ListBuilder *b) {
    ListBuf *buf = b->buf;
    b->buf = NULL;
    if (!buf || buf->hi == 0) return list_empty();
    return view(buf, 0, buf->hi);
}

