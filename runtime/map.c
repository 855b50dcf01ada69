/* map.c — persistent insertion-ordered maps and sets by rerooting (see
 * map.h for the design and its invariants). */
#include "map.h"

#include <assert.h>
#include <string.h>

#include "gc.h"
#include "list.h"
#include "rt.h"
#include "vals.h"

#define TOMB T__COUNT
#define SMALL_TAB 8 /* tables up to this many entries have no index */

static inline MapEnt *ent(MapTab *t, uint32_t i) { return (MapEnt *)(t->data + (size_t)i * t->esize); }
static inline uint64_t *tindex(MapTab *t) { return (uint64_t *)(t->data + (size_t)t->cap * t->esize); }
static inline bool tab_is_set(const MapTab *t) { return t->esize != sizeof(MapEnt); }
static inline uint32_t h32of(uint64_t h) { return (uint32_t)(h ^ (h >> 32)); }
static inline Value unit(void) { return v_unit(); }

size_t maptab_size(uint32_t cap, bool set, uint32_t *ibits) {
    uint32_t bits = 0;
    if (cap > SMALL_TAB)
        while ((1ull << bits) < (uint64_t)cap * 2) bits++;
    if (ibits) *ibits = bits;
    return sizeof(MapTab) + (size_t)cap * (set ? 24 : sizeof(MapEnt)) + (bits ? ((size_t)8 << bits) : 0);
}

static MapTab *tab_alloc(uint32_t cap, bool set) {
    uint32_t ibits;
    size_t sz = maptab_size(cap, set, &ibits);
    MapTab *t = gc_alloc(sz, OK_MAPTAB); /* zeroed: the index starts empty */
    t->h.xflags = set;
    t->cap = cap;
    t->ibits = ibits;
    t->esize = set ? 24 : sizeof(MapEnt);
    return t;
}

/* ---- the index (linear probing, backward-shift deletion) ---- */

static void index_insert(MapTab *t, uint32_t h32, uint32_t i) {
    uint64_t *ix = tindex(t);
    uint32_t mask = (1u << t->ibits) - 1, k = h32 & mask;
    while (ix[k]) k = (k + 1) & mask;
    ix[k] = ((uint64_t)h32 << 32) | (i + 1);
}

static void index_remove(MapTab *t, uint32_t h32, uint32_t i) {
    uint64_t *ix = tindex(t);
    uint32_t mask = (1u << t->ibits) - 1, k = h32 & mask;
    uint64_t want = ((uint64_t)h32 << 32) | (i + 1);
    while (ix[k] != want) {
        assert(ix[k] != 0);
        k = (k + 1) & mask;
    }
    /* backward shift: pull later members of the cluster into the hole */
    uint32_t hole = k, j = k;
    for (;;) {
        j = (j + 1) & mask;
        if (!ix[j]) break;
        uint32_t home = (uint32_t)(ix[j] >> 32) & mask;
        bool movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
        if (movable) {
            ix[hole] = ix[j];
            hole = j;
        }
    }
    ix[hole] = 0;
}

void maptab_index_insert(MapTab *t, uint64_t hash, uint32_t i) { index_insert(t, h32of(hash), i); }

/* Entry index of key in t, or -1.  May call user eq code. */
static int64_t tab_find(MapTab *t, Value key, uint64_t hash) {
    if (!t) return -1;
    if (t->ibits) {
        uint64_t *ix = tindex(t);
        uint32_t h32 = h32of(hash), mask = (1u << t->ibits) - 1, k = h32 & mask;
        for (; ix[k]; k = (k + 1) & mask) {
            if ((uint32_t)(ix[k] >> 32) != h32) continue;
            uint32_t i = (uint32_t)ix[k] - 1;
            MapEnt *e = ent(t, i);
            if (e->hash == hash && val_eq(e->key, key)) return i;
        }
        return -1;
    }
    for (uint32_t i = 0; i < t->n; i++) {
        MapEnt *e = ent(t, i);
        if (e->key.tag != TOMB && e->hash == hash && val_eq(e->key, key)) return i;
    }
    return -1;
}

static void tab_push(MapTab *t, Value key, uint64_t hash, Value val) {
    assert(t->n < t->cap);
    uint32_t i = t->n++;
    MapEnt *e = ent(t, i);
    e->key = key;
    e->hash = hash;
    if (!tab_is_set(t)) e->val = val;
    if (t->ibits) index_insert(t, h32of(hash), i);
    t->live++;
}

static void tab_pop(MapTab *t, Value *key, uint64_t *hash, Value *val) {
    assert(t->n > 0);
    uint32_t i = --t->n;
    MapEnt *e = ent(t, i);
    assert(e->key.tag != TOMB);
    *key = e->key;
    *hash = e->hash;
    *val = tab_is_set(t) ? unit() : e->val;
    if (t->ibits) index_remove(t, h32of(e->hash), i);
    t->live--;
}

static void tab_tomb(MapTab *t, uint32_t i, Value *key, uint64_t *hash, Value *val) {
    MapEnt *e = ent(t, i);
    assert(e->key.tag != TOMB);
    *key = e->key;
    *hash = e->hash;
    *val = tab_is_set(t) ? unit() : e->val;
    if (t->ibits) index_remove(t, h32of(e->hash), i);
    e->key = unit();
    e->key.tag = TOMB;
    if (!tab_is_set(t)) e->val = unit();
    t->live--;
}

static void tab_untomb(MapTab *t, uint32_t i, Value key, uint64_t hash, Value val) {
    MapEnt *e = ent(t, i);
    assert(e->key.tag == TOMB);
    e->key = key;
    e->hash = hash;
    if (!tab_is_set(t)) e->val = val;
    if (t->ibits) index_insert(t, h32of(hash), i);
    t->live++;
}

/* ---- versions and rerooting ---- */

static MapObj *new_root(uint8_t kind, MapTab *t, uint32_t count) {
    MapObj *m = gc_alloc(sizeof(MapObj), kind);
    m->h.xflags = MOP_ROOT;
    m->count = count;
    m->tab = t;
    return m;
}

static void set_diff(MapObj *m, int op, uint32_t ei, MapObj *next, Value key, uint64_t hash, Value val) {
    m->h.xflags = (uint16_t)op;
    m->ei = ei;
    m->next = next;
    m->key = key;
    m->hash = hash;
    m->val = val;
}

/* x differs from the root r by x's op: apply it to the table and make r
 * the inverse diff pointing at x. */
static void apply_diff(MapObj *x, MapObj *r, MapTab *t) {
    Value k, v;
    uint64_t h;
    switch (x->h.xflags) {
    case MOP_SETVAL: {
        MapEnt *e = ent(t, x->ei);
        Value old = e->val;
        e->val = x->val;
        set_diff(r, MOP_SETVAL, x->ei, x, e->key, e->hash, old);
        break;
    }
    case MOP_POP:
        assert(x->ei == t->n - 1);
        tab_pop(t, &k, &h, &v);
        set_diff(r, MOP_PUSH, x->ei, x, k, h, v);
        break;
    case MOP_PUSH:
        assert(x->ei == t->n);
        tab_push(t, x->key, x->hash, x->val); /* cap suffices: see map.h */
        set_diff(r, MOP_POP, x->ei, x, unit(), 0, unit());
        break;
    case MOP_TOMB:
        tab_tomb(t, x->ei, &k, &h, &v);
        set_diff(r, MOP_UNTOMB, x->ei, x, k, h, v);
        break;
    case MOP_UNTOMB:
        tab_untomb(t, x->ei, x->key, x->hash, x->val);
        set_diff(r, MOP_TOMB, x->ei, x, unit(), 0, unit());
        break;
    default:
        assert(0 && "bad map diff");
    }
}

void map_reroot(MapObj *m) {
    if (m->h.xflags == MOP_ROOT) return;
    /* reverse the path m -> ... -> root (no recursion, no allocation) */
    MapObj *prev = NULL, *cur = m;
    while (cur->h.xflags != MOP_ROOT) {
        MapObj *nx = cur->next;
        cur->next = prev;
        prev = cur;
        cur = nx;
    }
    MapTab *t = cur->tab;
    MapObj *root = cur, *x = prev;
    while (x) {
        MapObj *back = x->next;
        apply_diff(x, root, t);
        x->h.xflags = MOP_ROOT;
        x->tab = t;
        x->key = x->val = unit();
        root = x;
        x = back;
    }
    assert(m->h.xflags == MOP_ROOT && (!m->tab || m->tab->live == m->count));
}

/* A fresh family holding m's live entries, with room for `extra` more. */
static MapObj *fresh_copy(MapObj *m, uint32_t extra) {
    bool set = m->h.kind == OK_SET;
    uint32_t cap = m->count + extra;
    if (cap < 4) cap = 4;
    MapTab *nt = tab_alloc(cap, set);
    map_reroot(m); /* allocation cannot reroot, but be explicit */
    MapTab *t = m->tab;
    if (t)
        for (uint32_t i = 0; i < t->n; i++) {
            MapEnt *e = ent(t, i);
            if (e->key.tag != TOMB) tab_push(nt, e->key, e->hash, set ? unit() : e->val);
        }
    return new_root(m->h.kind, nt, nt->live);
}

/* Destructive insert into an unpublished root (builders). */
static void put_mut(MapObj *r, Value k, uint64_t hash, Value v) {
    int64_t i = tab_find(r->tab, k, hash);
    MapTab *t = r->tab;
    if (i >= 0) {
        if (!tab_is_set(t)) ent(t, (uint32_t)i)->val = v;
        return;
    }
    if (t->n == t->cap) {
        uint32_t cap = t->live * 2 + 4;
        MapTab *nt = tab_alloc(cap, tab_is_set(t));
        t = r->tab; /* r lives on the C stack: still ours */
        for (uint32_t j = 0; j < t->n; j++) {
            MapEnt *e = ent(t, j);
            if (e->key.tag != TOMB) tab_push(nt, e->key, e->hash, tab_is_set(t) ? unit() : e->val);
        }
        r->tab = t = nt;
    }
    tab_push(t, k, hash, v);
    r->count = t->live;
}

static Value put_impl(Value mv, Value k, Value v, VTag tag) {
    MapObj *m = AS_MAP(mv);
    bool set = m->h.kind == OK_SET;
    uint64_t hash = val_hash(k);
    if (gc_is_static(&m->h) || (m->h.xflags == MOP_ROOT && !m->tab)) {
        MapObj *r = fresh_copy(m, 4);
        put_mut(r, k, hash, v);
        return v_obj(tag, r);
    }
    map_reroot(m);
    int64_t ei = tab_find(m->tab, k, hash);
    map_reroot(m); /* user eq code may have rerooted the family */
    if (ei >= 0) {
        MapEnt *e = ent(m->tab, (uint32_t)ei);
        if (set || val_identical(e->val, v)) return mv;
        MapObj *n = new_root(m->h.kind, NULL, m->count);
        MapTab *t = m->tab;
        e = ent(t, (uint32_t)ei);
        Value old = e->val;
        e->val = v;
        n->tab = t;
        set_diff(m, MOP_SETVAL, (uint32_t)ei, n, e->key, e->hash, old);
        return v_obj(tag, n);
    }
    MapTab *t = m->tab;
    if (t->n == t->cap) {
        uint32_t dead = t->n - t->live;
        if (dead * 4 > t->n) {
            /* compact into a new family; old versions keep the old table */
            MapObj *r = fresh_copy(m, m->count + 4);
            put_mut(r, k, hash, v);
            return v_obj(tag, r);
        }
        /* grow in place: same entry indices, so every version stays valid */
        MapTab *nt = tab_alloc(t->cap * 2, set);
        t = m->tab;
        memcpy(nt->data, t->data, (size_t)t->n * t->esize);
        nt->n = t->n;
        nt->live = t->live;
        if (nt->ibits)
            for (uint32_t i = 0; i < nt->n; i++)
                if (ent(nt, i)->key.tag != TOMB) index_insert(nt, h32of(ent(nt, i)->hash), i);
        m->tab = t = nt;
    }
    MapObj *n = new_root(m->h.kind, NULL, m->count + 1);
    t = m->tab;
    uint32_t ei2 = t->n;
    tab_push(t, k, hash, v);
    n->tab = t;
    set_diff(m, MOP_POP, ei2, n, unit(), 0, unit());
    return v_obj(tag, n);
}

static Value delete_impl(Value mv, Value k, VTag tag) {
    MapObj *m = AS_MAP(mv);
    if (m->count == 0) return mv;
    uint64_t hash = val_hash(k);
    map_reroot(m);
    int64_t ei = tab_find(m->tab, k, hash);
    map_reroot(m);
    if (ei < 0) return mv;
    MapTab *t = m->tab;
    if (gc_is_static(&m->h)) goto compact;
    if ((uint32_t)ei == t->n - 1) {
        /* the last entry: pop it (no tombstone) */
        MapObj *n = new_root(m->h.kind, NULL, m->count - 1);
        Value key, val;
        uint64_t h;
        t = m->tab;
        tab_pop(t, &key, &h, &val);
        n->tab = t;
        set_diff(m, MOP_PUSH, (uint32_t)ei, n, key, h, val);
        return v_obj(tag, n);
    }
    if (t->n - t->live + 1 > SMALL_TAB && t->n - t->live + 1 > t->live - 1) goto compact;
    {
        MapObj *n = new_root(m->h.kind, NULL, m->count - 1);
        Value key, val;
        uint64_t h;
        t = m->tab;
        tab_tomb(t, (uint32_t)ei, &key, &h, &val);
        n->tab = t;
        set_diff(m, MOP_UNTOMB, (uint32_t)ei, n, key, h, val);
        return v_obj(tag, n);
    }
compact : {
    /* a fresh family without the key (and without tombstones) */
    bool set = m->h.kind == OK_SET;
    MapTab *nt = tab_alloc(m->count < 4 ? 4 : m->count, set);
    map_reroot(m);
    t = m->tab;
    for (uint32_t i = 0; i < t->n; i++) {
        MapEnt *e = ent(t, i);
        if (e->key.tag != TOMB && i != (uint32_t)ei) tab_push(nt, e->key, e->hash, set ? unit() : e->val);
    }
    return v_obj(tag, new_root(m->h.kind, nt, nt->live));
}
}

static bool find_impl(Value mv, Value k, Value *out) {
    MapObj *m = AS_MAP(mv);
    if (m->count == 0) return false;
    uint64_t hash = val_hash(k);
    map_reroot(m);
    int64_t ei = tab_find(m->tab, k, hash);
    if (ei < 0) return false;
    map_reroot(m);
    if (out) *out = tab_is_set(m->tab) ? unit() : ent(m->tab, (uint32_t)ei)->val;
    return true;
}

/* ---- static empties ---- */

static MapObj empty_map = {.h = {OK_MAP, GC_STATIC, MOP_ROOT, 64}, .count = 0};
static MapObj empty_set = {.h = {OK_SET, GC_STATIC, MOP_ROOT, 64}, .count = 0};

/* ---- Map API ---- */

Value map_new(void) { return v_obj(T_MAP, &empty_map); }
Value map_put(Value m, Value k, Value v) { return put_impl(m, k, v, T_MAP); }
bool map_find(Value m, Value k, Value *out) { return find_impl(m, k, out); }
bool map_has_key(Value m, Value k) { return find_impl(m, k, NULL); }
Value map_delete(Value m, Value k) { return delete_impl(m, k, T_MAP); }

Value map_get(Value m, Value k) {
    Value v;
    if (find_impl(m, k, &v)) return v;
    /* stdlib.md §4: a missing key gives the zero of Int/Bool/Float values;
     * the value type is taken from the map's other values. */
    MapIter it;
    Value k2, v2;
    map_iter_init(&it, m);
    if (map_iter_next(&it, &k2, &v2)) {
        if (v2.tag == T_INT) return v_int(0);
        if (v2.tag == T_BOOL) return v_bool(false);
        if (v2.tag == T_FLOAT) return v_float(0.0);
    }
    rt_panic("Map.get: key not found");
}

Value map_get_or(Value m, Value k, const Value *zero) {
    Value v;
    if (find_impl(m, k, &v)) return v;
    if (zero) return *zero;
    rt_panic("Map.get: key not found");
}

void map_iter_init(MapIter *it, Value m) {
    it->m = AS_MAP(m);
    it->i = 0;
}

bool map_iter_next(MapIter *it, Value *k, Value *v) {
    MapObj *m = it->m;
    map_reroot(m);
    MapTab *t = m->tab;
    if (!t) return false;
    while (it->i < t->n) {
        MapEnt *e = ent(t, it->i++);
        if (e->key.tag == TOMB) continue;
        *k = e->key;
        if (v) *v = tab_is_set(t) ? unit() : e->val;
        return true;
    }
    return false;
}

enum { COLLECT_KEYS, COLLECT_VALUES, COLLECT_PAIRS };

static Value collect(Value m, int what) {
    ListBuilder b;
    lb_init(&b, map_size(m));
    MapIter it;
    Value k, v;
    map_iter_init(&it, m);
    while (map_iter_next(&it, &k, &v)) {
        if (what == COLLECT_KEYS) lb_push(&b, k);
        else if (what == COLLECT_VALUES) lb_push(&b, v);
        else lb_push(&b, val_tuple2(k, v));
    }
    return lb_finish(&b);
}

Value map_keys(Value m) { return collect(m, COLLECT_KEYS); }
Value map_values(Value m) { return collect(m, COLLECT_VALUES); }
Value map_to_list(Value m) { return collect(m, COLLECT_PAIRS); }

static MapObj *builder(uint8_t kind, size_t hint) {
    if (hint < 4) hint = 4;
    if (hint > UINT32_MAX / 4) rt_panic("map too large");
    return new_root(kind, tab_alloc((uint32_t)hint, kind == OK_SET), 0);
}

Value mapb_new(size_t hint, bool set) {
    MapObj *r = builder(set ? OK_SET : OK_MAP, hint);
    return v_obj(set ? T_SET : T_MAP, r);
}

void mapb_put(Value m, Value k, Value v) {
    MapObj *r = AS_MAP(m);
    assert(r->h.xflags == MOP_ROOT && r->tab && !gc_is_static(&r->h));
    put_mut(r, k, val_hash(k), r->h.kind == OK_SET ? unit() : v);
}

Value map_from_pairs(const Value *kv, size_t n) {
    if (n == 0) return map_new();
    MapObj *r = builder(OK_MAP, n);
    for (size_t i = 0; i < n; i++) put_mut(r, kv[2 * i], val_hash(kv[2 * i]), kv[2 * i + 1]);
    return v_obj(T_MAP, r);
}

Value map_from_list(Value pairs) {
    size_t n = list_len(pairs);
    if (n == 0) return map_new();
    MapObj *r = builder(OK_MAP, n);
    for (size_t i = 0; i < n; i++) {
        Value p = list_get(pairs, i);
        Value k = AS_TUPLE(p)->items[0];
        put_mut(r, k, val_hash(k), AS_TUPLE(p)->items[1]);
    }
    return v_obj(T_MAP, r);
}

Value map_merge(Value a, Value b) {
    size_t na = map_size(a), nb = map_size(b);
    if (nb == 0) return a;
    if (na == 0) return b;
    MapIter it;
    Value k, v;
    if (nb * 4 < na) {
        /* small b: persistent puts keep `a` cheap to extend */
        Value r = a;
        map_iter_init(&it, b);
        while (map_iter_next(&it, &k, &v)) r = map_put(r, k, v);
        return r;
    }
    MapObj *r = fresh_copy(AS_MAP(a), (uint32_t)nb);
    map_iter_init(&it, b);
    while (map_iter_next(&it, &k, &v)) put_mut(r, k, val_hash(k), v);
    return v_obj(T_MAP, r);
}

/* ---- Set API ---- */

Value set_new(void) { return v_obj(T_SET, &empty_set); }
Value set_add(Value s, Value x) { return put_impl(s, x, unit(), T_SET); }
Value set_remove(Value s, Value x) { return delete_impl(s, x, T_SET); }
bool set_contains(Value s, Value x) { return find_impl(s, x, NULL); }
Value set_to_list(Value s) { return collect(s, COLLECT_KEYS); }

Value set_from_list(Value xs) {
    size_t n = list_len(xs);
    if (n == 0) return set_new();
    MapObj *r = builder(OK_SET, n);
    for (size_t i = 0; i < n; i++) {
        Value x = list_get(xs, i);
        put_mut(r, x, val_hash(x), unit());
    }
    return v_obj(T_SET, r);
}

Value set_union(Value a, Value b) {
    size_t na = set_size(a), nb = set_size(b);
    if (nb == 0) return a;
    if (na == 0) return b;
    Value xs = set_to_list(b); /* a snapshot: a and b may share a family */
    if (nb * 4 < na) {
        Value r = a;
        for (size_t i = 0; i < nb; i++) r = set_add(r, list_get(xs, i));
        return r;
    }
    MapObj *r = fresh_copy(AS_MAP(a), (uint32_t)nb);
    for (size_t i = 0; i < nb; i++) {
        Value x = list_get(xs, i);
        put_mut(r, x, val_hash(x), unit());
    }
    return v_obj(T_SET, r);
}

static Value filter_set(Value a, Value b, bool keep_if_in_b) {
    Value xs = set_to_list(a);
    size_t n = list_len(xs);
    MapObj *r = builder(OK_SET, n);
    for (size_t i = 0; i < n; i++) {
        Value x = list_get(xs, i);
        if (set_contains(b, x) == keep_if_in_b) put_mut(r, x, val_hash(x), unit());
    }
    if (r->count == 0) return set_new();
    return v_obj(T_SET, r);
}

Value set_intersection(Value a, Value b) { return filter_set(a, b, true); }
Value set_difference(Value a, Value b) { return filter_set(a, b, false); }

/* ---- equality and hashing of whole maps ---- */

bool map_equal(Value a, Value b) {
    if (a.tag != b.tag || map_size(a) != map_size(b)) return false;
    if (a.o == b.o || map_size(a) == 0) return true;
    Value ks = map_keys(a), vs = a.tag == T_MAP ? map_values(a) : list_empty();
    for (size_t i = 0; i < list_len(ks); i++) {
        Value v;
        if (!find_impl(b, list_get(ks, i), &v)) return false;
        if (a.tag == T_MAP && !val_eq(list_get(vs, i), v)) return false;
    }
    return true;
}

uint64_t map_hash(Value m) {
    uint64_t h = map_size(m);
    MapIter it;
    Value k, v;
    map_iter_init(&it, m);
    while (map_iter_next(&it, &k, &v)) {
        uint64_t eh = val_hash(k);
        if (m.tag == T_MAP) eh = hash_mix(eh ^ (val_hash(v) * 0x9E3779B97F4A7C15ULL));
        h += eh; /* order-insensitive */
    }
    return h;
}
