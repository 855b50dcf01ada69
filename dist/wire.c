/* wire.c — encoder and decoder of the wire format (see wire.h and
 * docs/wire-format.md). */
#include "wire.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "lib_util.h"
#include "list.h"
#include "map.h"
#include "proc.h"
#include "queue.h"
#include "sb.h"
#include "str.h"
#include "vals.h"
#include "xalloc.h"

enum {
    WT_UNIT = 0, WT_FALSE, WT_TRUE, WT_INT, WT_FLOAT, WT_STR, WT_LIST, WT_TUPLE, WT_MAP, WT_SET,
    WT_QUEUE, WT_RANGE, WT_STRUCT, WT_VARIANT, WT_PID, WT_REF, WT_JSON, WT__COUNT
};

static struct {
    const TypeDesc **v;
    size_t n, cap;
} types;

void wire_type_add(const TypeDesc *td) {
    if (types.n == types.cap) {
        types.cap = types.cap ? 2 * types.cap : 32;
        types.v = xrealloc(types.v, types.cap * sizeof *types.v);
    }
    types.v[types.n++] = td;
}

static const TypeDesc *user_type(const char *n, size_t len) {
    for (size_t i = types.n; i-- > 0;) {
        const char *q = types.v[i]->qual_name ? types.v[i]->qual_name : types.v[i]->name;
        if (strlen(q) == len && memcmp(q, n, len) == 0) return types.v[i];
    }
    return NULL;
}

/* ---- buffers ----------------------------------------------------------------------------- */

void wbuf_reserve(WBuf *b, size_t extra) {
    if (b->len + extra <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra) cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
}
void wbuf_put(WBuf *b, const void *p, size_t n) {
    if (!n) return;
    wbuf_reserve(b, n);
    memcpy(b->p + b->len, p, n);
    b->len += n;
}
void wbuf_u8(WBuf *b, uint8_t x) {
    wbuf_reserve(b, 1);
    b->p[b->len++] = x;
}
void wbuf_varint(WBuf *b, uint64_t x) {
    wbuf_reserve(b, 10);
    while (x >= 0x80) {
        b->p[b->len++] = (uint8_t)(x | 0x80);
        x >>= 7;
    }
    b->p[b->len++] = (uint8_t)x;
}
void wbuf_name(WBuf *b, const char *p, size_t len) {
    wbuf_varint(b, len);
    wbuf_put(b, p, len);
}
void wbuf_free(WBuf *b) {
    free(b->p);
    *b = (WBuf){0};
}

bool wread_u8(WRead *r, uint8_t *out) {
    if (r->p >= r->end) return false;
    *out = *r->p++;
    return true;
}
bool wread_varint(WRead *r, uint64_t *out) {
    uint64_t x = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) return false;
        uint8_t c = *r->p++;
        if (shift == 63 && c > 1) return false; /* more than 64 bits */
        x |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80)) {
            *out = x;
            return true;
        }
    }
    return false;
}
bool wread_bytes(WRead *r, size_t n, const uint8_t **out) {
    if ((size_t)(r->end - r->p) < n) return false;
    *out = r->p;
    r->p += n;
    return true;
}
bool wread_name(WRead *r, size_t max, const char **p, size_t *len) {
    uint64_t n;
    const uint8_t *b;
    if (!wread_varint(r, &n) || n > max || !wread_bytes(r, (size_t)n, &b)) return false;
    *p = (const char *)b;
    *len = (size_t)n;
    return true;
}

static uint64_t zigzag(int64_t i) { return ((uint64_t)i << 1) ^ (uint64_t)(i >> 63); }
static int64_t unzigzag(uint64_t u) { return (int64_t)(u >> 1) ^ -(int64_t)(u & 1); }

static const char *type_name(const TypeDesc *td) { return td->qual_name ? td->qual_name : td->name; }

/* ---- encoder ----------------------------------------------------------------------------- */

typedef struct Enc {
    WBuf *b;
    const WirePids *pids;
    char *err;
    size_t errcap;
    const char *where; /* innermost struct/variant being written, for the error */
    const char *field;
} Enc;

static bool enc_fail(Enc *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool enc_fail(Enc *e, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->err, e->errcap, fmt, ap);
    va_end(ap);
    return false;
}

static bool enc_refuse(Enc *e, const char *what) {
    char ctx[300] = "";
    if (e->where && e->field) snprintf(ctx, sizeof ctx, ", in field `%s` of `%s`", e->field, e->where);
    else if (e->where) snprintf(ctx, sizeof ctx, ", inside `%s`", e->where);
    return enc_fail(e, "%s%s cannot be sent to another node (closures and function pointers cannot be serialized)",
                    what, ctx);
}

/* The refusals have their message buffers in frames of their own, so that
 * enc_value's recursive frame stays small. */
static __attribute__((noinline)) bool enc_refuse_func(Enc *e, Value v) {
    char what[200];
    const FuncObj *f = AS_FUNC(v);
    const char *name = f->fn && f->fn->name ? f->fn->name : NULL;
    if (name && *name) snprintf(what, sizeof what, "a function (Fun `%s`)", name);
    else snprintf(what, sizeof what, "a function (Fun)");
    return enc_refuse(e, what);
}

static __attribute__((noinline)) bool enc_refuse_handle(Enc *e, Value v) {
    char what[200];
    snprintf(what, sizeof what, "a resource (Handle<%s>)", AS_HANDLE(v)->cls ? AS_HANDLE(v)->cls->name : "?");
    char ctx[300] = "";
    if (e->where) snprintf(ctx, sizeof ctx, ", inside `%s`", e->where);
    return enc_fail(e, "%s%s cannot be sent to another node (it belongs to this node)", what, ctx);
}

/* Both walks recurse once per level of nesting, up to WIRE_MAX_DEPTH: more
 * C stack than a process's first stack holds (a level is some hundred bytes,
 * ~2 KB under ASan), while C code between two stack checks must stay under
 * STACK_MARGIN (runtime/stack.h).  So every WIRE_STACK_EVERY levels the
 * walk checks the running process's stack and, when it is low, continues on
 * a new segment (stack_grow_call).  Outside processes (unit tests, threads
 * of their own) proc_self_hot is a dummy whose limit is never crossed. */
#define WIRE_STACK_EVERY 8

static bool wire_stack_low(int depth) {
    return depth % WIRE_STACK_EVERY == WIRE_STACK_EVERY - 1 && proc_stack_low(proc_self_hot());
}

static bool enc_value_here(Enc *e, Value v, int depth);

typedef struct EncDeep {
    Enc *e;
    Value v;
    int depth;
    bool ok;
} EncDeep;

static void *enc_deep(void *arg) {
    EncDeep *a = arg;
    a->ok = enc_value_here(a->e, a->v, a->depth);
    return NULL;
}

static bool enc_value(Enc *e, Value v, int depth) {
    if (wire_stack_low(depth)) {
        EncDeep a = {e, v, depth, false};
        stack_grow_call(enc_deep, &a);
        return a.ok;
    }
    return enc_value_here(e, v, depth);
}

static bool enc_seq(Enc *e, const Value *xs, size_t n, int depth) {
    for (size_t i = 0; i < n; i++)
        if (!enc_value(e, xs[i], depth)) return false;
    return true;
}

static bool enc_value_here(Enc *e, Value v, int depth) {
    WBuf *b = e->b;
    if (depth > WIRE_MAX_DEPTH) return enc_fail(e, "the message is nested more than %d levels deep", WIRE_MAX_DEPTH);
    switch ((VTag)v.tag) {
    case T_UNIT: wbuf_u8(b, WT_UNIT); return true;
    case T_BOOL: wbuf_u8(b, v.i ? WT_TRUE : WT_FALSE); return true;
    case T_INT:
        wbuf_u8(b, WT_INT);
        wbuf_varint(b, zigzag(v.i));
        return true;
    case T_FLOAT: {
        uint64_t u;
        memcpy(&u, &v.f, 8);
        uint8_t le[8];
        for (int i = 0; i < 8; i++) le[i] = (uint8_t)(u >> (8 * i));
        wbuf_u8(b, WT_FLOAT);
        wbuf_put(b, le, 8);
        return true;
    }
    case T_STR: {
        size_t n = str_len(v);
        if (n > WIRE_MAX_STRING) return enc_fail(e, "a string of %zu bytes is over the %u-byte limit of a message", n, WIRE_MAX_STRING);
        wbuf_u8(b, WT_STR);
        wbuf_name(b, str_data(v), n);
        return true;
    }
    case T_LIST: {
        size_t n = list_len(v);
        if (n > WIRE_MAX_COUNT) return enc_fail(e, "a list of %zu elements is over the limit of %u", n, WIRE_MAX_COUNT);
        wbuf_u8(b, WT_LIST);
        wbuf_varint(b, n);
        return enc_seq(e, n ? list_items(v) : NULL, n, depth + 1);
    }
    case T_QUEUE: {
        Value l = queue_to_list(v);
        size_t n = list_len(l);
        if (n > WIRE_MAX_COUNT) return enc_fail(e, "a queue of %zu elements is over the limit of %u", n, WIRE_MAX_COUNT);
        wbuf_u8(b, WT_QUEUE);
        wbuf_varint(b, n);
        return enc_seq(e, n ? list_items(l) : NULL, n, depth + 1);
    }
    case T_TUPLE: {
        TupleObj *t = AS_TUPLE(v);
        wbuf_u8(b, WT_TUPLE);
        wbuf_varint(b, t->n);
        return enc_seq(e, t->items, t->n, depth + 1);
    }
    case T_MAP: case T_SET: {
        bool set = v.tag == T_SET;
        size_t n = set ? set_size(v) : map_size(v);
        if (n > WIRE_MAX_COUNT) return enc_fail(e, "a %s of %zu entries is over the limit of %u", set ? "set" : "map", n, WIRE_MAX_COUNT);
        wbuf_u8(b, set ? WT_SET : WT_MAP);
        wbuf_varint(b, n);
        MapIter it;
        map_iter_init(&it, v);
        Value k, x;
        while (map_iter_next(&it, &k, &x)) {
            if (!enc_value(e, k, depth + 1)) return false;
            if (!set && !enc_value(e, x, depth + 1)) return false;
        }
        return true;
    }
    case T_RANGE:
        wbuf_u8(b, WT_RANGE);
        wbuf_varint(b, zigzag(AS_RANGE(v)->start));
        wbuf_varint(b, zigzag(AS_RANGE(v)->end));
        return true;
    case T_STRUCT: {
        StructObj *s = AS_STRUCT(v);
        const TypeDesc *td = s->type;
        const char *tn = type_name(td);
        wbuf_u8(b, WT_STRUCT);
        wbuf_name(b, tn, strlen(tn));
        wbuf_varint(b, td->nfields);
        const char *ow = e->where, *of = e->field;
        for (uint32_t i = 0; i < td->nfields; i++) {
            wbuf_name(b, td->field_names[i], strlen(td->field_names[i]));
            e->where = td->name;
            e->field = td->field_names[i];
            if (!enc_value(e, s->fields[i], depth + 1)) return false;
        }
        e->where = ow;
        e->field = of;
        return true;
    }
    case T_VARIANT: {
        VariantObj *o = AS_VARIANT(v);
        const TypeDesc *td = o->type;
        const char *tn = type_name(td), *vn = td->variants[o->idx].name;
        wbuf_u8(b, WT_VARIANT);
        wbuf_name(b, tn, strlen(tn));
        wbuf_name(b, vn, strlen(vn));
        wbuf_varint(b, o->n);
        const char *ow = e->where, *of = e->field;
        e->where = vn;
        e->field = NULL;
        if (!enc_seq(e, o->fields, o->n, depth + 1)) return false;
        e->where = ow;
        e->field = of;
        return true;
    }
    case T_PID: {
        const char *node;
        size_t nlen;
        uint32_t creation;
        uint64_t serial;
        if (!e->pids || !e->pids->out(e->pids->ud, v.u, &node, &nlen, &creation, &serial))
            return enc_fail(e, "the pid cannot be named for another node");
        wbuf_u8(b, WT_PID);
        wbuf_name(b, node, nlen);
        wbuf_u8(b, (uint8_t)creation);
        wbuf_varint(b, serial);
        return true;
    }
    case T_REF:
        wbuf_u8(b, WT_REF);
        wbuf_varint(b, v.u);
        return true;
    case T_JSON: {
        SB s;
        sb_init(&s);
        json_encode_sb(&s, v);
        wbuf_u8(b, WT_JSON);
        wbuf_name(b, s.p, s.len);
        sb_free(&s);
        return true;
    }
    case T_FUNC: return enc_refuse_func(e, v);
    case T_HANDLE: return enc_refuse_handle(e, v);
    case T__COUNT: break;
    }
    return enc_fail(e, "a value with tag %u cannot be sent", v.tag);
}

bool wire_encode(WBuf *b, Value v, const WirePids *pids, char *err, size_t errcap) {
    Enc e = {b, pids, err, errcap, NULL, NULL};
    size_t mark = b->len;
    wbuf_u8(b, WIRE_VERSION);
    if (!enc_value(&e, v, 0)) {
        b->len = mark;
        return false;
    }
    return true;
}

/* ---- decoder ----------------------------------------------------------------------------- */

typedef struct Dec {
    WRead r;
    const WirePids *pids;
    char *err;
    size_t errcap;
} Dec;

static bool dec_fail(Dec *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool dec_fail(Dec *d, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->err, d->errcap, fmt, ap);
    va_end(ap);
    return false;
}

static const TypeDesc *builtin_type(const char *n, size_t len) {
    static const TypeDesc *const all[] = {&td_option, &td_result, &td_ordering, &td_exit_reason, &td_signal};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        if (strlen(all[i]->name) == len && memcmp(all[i]->name, n, len) == 0) return all[i];
    return NULL;
}

static const TypeDesc *find_type(const char *n, size_t len) {
    const TypeDesc *td = builtin_type(n, len);
    if (!td) td = user_type(n, len);
    return td;
}

/* A count that each needs at least `min` bytes: bounded by the limit and by
 * what is left, so a lying count never makes us allocate. */
static bool dec_count(Dec *d, uint64_t *n, size_t min, const char *what) {
    if (!wread_varint(&d->r, n)) return dec_fail(d, "truncated %s count", what);
    if (*n > WIRE_MAX_COUNT) return dec_fail(d, "%s of %llu elements is over the limit", what, (unsigned long long)*n);
    if (*n * min > (uint64_t)(d->r.end - d->r.p)) return dec_fail(d, "%s count %llu is more than the bytes left", what, (unsigned long long)*n);
    return true;
}

static bool dec_value(Dec *d, Value *out, int depth);

/* n values into a buffer (VAL_BUF: on the process heap when large, so a
 * collection meanwhile keeps them). */
static bool dec_seq(Dec *d, Value *xs, uint64_t n, int depth) {
    for (uint64_t i = 0; i < n; i++)
        if (!dec_value(d, &xs[i], depth)) return false;
    return true;
}

static bool dec_value_here(Dec *d, Value *out, int depth);

typedef struct DecDeep {
    Dec *d;
    Value *out;
    int depth;
    bool ok;
} DecDeep;

static void *dec_deep(void *arg) {
    DecDeep *a = arg;
    a->ok = dec_value_here(a->d, a->out, a->depth);
    return NULL;
}

static bool dec_value(Dec *d, Value *out, int depth) {
    if (wire_stack_low(depth)) {
        DecDeep a = {d, out, depth, false};
        stack_grow_call(dec_deep, &a);
        return a.ok;
    }
    return dec_value_here(d, out, depth);
}

/* The Json case's message buffer in a frame of its own (see enc_refuse_func). */
static __attribute__((noinline)) bool dec_json(Dec *d, const char *p, size_t n, Value *out) {
    char msg[128];
    if (!json_parse_bytes(p, n, out, msg, sizeof msg)) return dec_fail(d, "bad Json value: %s", msg);
    return true;
}

static bool dec_value_here(Dec *d, Value *out, int depth) {
    if (depth > WIRE_MAX_DEPTH) return dec_fail(d, "value nested more than %d levels deep", WIRE_MAX_DEPTH);
    uint8_t tag;
    if (!wread_u8(&d->r, &tag)) return dec_fail(d, "truncated value");
    switch (tag) {
    case WT_UNIT: *out = v_unit(); return true;
    case WT_FALSE: *out = v_bool(false); return true;
    case WT_TRUE: *out = v_bool(true); return true;
    case WT_INT: {
        uint64_t u;
        if (!wread_varint(&d->r, &u)) return dec_fail(d, "bad Int");
        *out = v_int(unzigzag(u));
        return true;
    }
    case WT_FLOAT: {
        const uint8_t *p;
        if (!wread_bytes(&d->r, 8, &p)) return dec_fail(d, "truncated Float");
        uint64_t u = 0;
        for (int i = 0; i < 8; i++) u |= (uint64_t)p[i] << (8 * i);
        double f;
        memcpy(&f, &u, 8);
        *out = v_float(f);
        return true;
    }
    case WT_STR: case WT_JSON: {
        const char *p;
        size_t n;
        if (!wread_name(&d->r, WIRE_MAX_STRING, &p, &n)) return dec_fail(d, "bad string length");
        if (!lib_utf8_valid(p, n)) return dec_fail(d, "string is not valid UTF-8");
        if (tag == WT_STR) {
            *out = n ? str_new(p, n) : str_empty();
            return true;
        }
        return dec_json(d, p, n, out);
    }
    case WT_LIST: case WT_QUEUE: case WT_SET: {
        uint64_t n;
        if (!dec_count(d, &n, 1, tag == WT_SET ? "set" : "list")) return false;
        VAL_BUF(xs, n);
        if (!dec_seq(d, xs, n, depth + 1)) return false;
        if (tag == WT_SET) {
            Value s = mapb_new((size_t)n, true);
            for (uint64_t i = 0; i < n; i++) mapb_put(s, xs[i], v_unit());
            *out = s;
        } else {
            Value l = list_from_array(xs, (size_t)n);
            *out = tag == WT_QUEUE ? queue_from_list(l) : l;
        }
        return true;
    }
    case WT_TUPLE: {
        uint64_t n;
        if (!dec_count(d, &n, 1, "tuple")) return false;
        if (n < 2) return dec_fail(d, "tuple of %llu elements", (unsigned long long)n);
        VAL_BUF(xs, n);
        if (!dec_seq(d, xs, n, depth + 1)) return false;
        *out = val_tuple((uint32_t)n, xs);
        return true;
    }
    case WT_MAP: {
        uint64_t n;
        if (!dec_count(d, &n, 2, "map")) return false;
        VAL_BUF(kv, 2 * n);
        if (!dec_seq(d, kv, 2 * n, depth + 1)) return false;
        Value m = mapb_new((size_t)n, false);
        for (uint64_t i = 0; i < n; i++) mapb_put(m, kv[2 * i], kv[2 * i + 1]);
        *out = m;
        return true;
    }
    case WT_RANGE: {
        uint64_t a, b;
        if (!wread_varint(&d->r, &a) || !wread_varint(&d->r, &b)) return dec_fail(d, "bad Range");
        *out = val_range(unzigzag(a), unzigzag(b));
        return true;
    }
    case WT_STRUCT: {
        const char *tn;
        size_t tl;
        if (!wread_name(&d->r, WIRE_MAX_NAME, &tn, &tl)) return dec_fail(d, "bad struct name");
        const TypeDesc *td = find_type(tn, tl);
        if (!td || td->kind != TD_STRUCT) return dec_fail(d, "unknown struct type `%.*s`", (int)tl, tn);
        uint64_t n;
        if (!dec_count(d, &n, 2, "struct field")) return false;
        if (n != td->nfields) return dec_fail(d, "struct `%s` sent with %llu fields, this program has %u", td->name, (unsigned long long)n, td->nfields);
        VAL_BUF(fs, n);
        for (uint64_t i = 0; i < n; i++) {
            const char *fn;
            size_t fl;
            if (!wread_name(&d->r, WIRE_MAX_NAME, &fn, &fl)) return dec_fail(d, "bad field name");
            if (strlen(td->field_names[i]) != fl || memcmp(td->field_names[i], fn, fl) != 0)
                return dec_fail(d, "struct `%s`: field `%.*s` where this program has `%s`", td->name, (int)fl, fn, td->field_names[i]);
            if (!dec_value(d, &fs[i], depth + 1)) return false;
        }
        *out = val_struct(td, fs);
        return true;
    }
    case WT_VARIANT: {
        const char *tn, *vn;
        size_t tl, vl;
        if (!wread_name(&d->r, WIRE_MAX_NAME, &tn, &tl) || !wread_name(&d->r, WIRE_MAX_NAME, &vn, &vl))
            return dec_fail(d, "bad variant name");
        const TypeDesc *td = find_type(tn, tl);
        if (!td || td->kind != TD_SUM) return dec_fail(d, "unknown sum type `%.*s`", (int)tl, tn);
        uint32_t idx = 0;
        while (idx < td->nvariants && !(strlen(td->variants[idx].name) == vl && memcmp(td->variants[idx].name, vn, vl) == 0)) idx++;
        if (idx == td->nvariants) return dec_fail(d, "`%s` has no variant `%.*s`", td->name, (int)vl, vn);
        uint64_t n;
        if (!dec_count(d, &n, 1, "variant field")) return false;
        if (n != td->variants[idx].nfields)
            return dec_fail(d, "`%s` sent with %llu fields, this program has %u", td->variants[idx].name, (unsigned long long)n, td->variants[idx].nfields);
        if (n == 0) {
            if (!td->variants[idx].singleton) return dec_fail(d, "`%s` has no value", td->variants[idx].name);
            *out = v_variant(td->variants[idx].singleton);
            return true;
        }
        VAL_BUF(fs, n);
        if (!dec_seq(d, fs, n, depth + 1)) return false;
        *out = val_variant(td, idx, fs);
        return true;
    }
    case WT_PID: {
        const char *node;
        size_t nl;
        uint8_t creation;
        uint64_t serial, pid;
        if (!wread_name(&d->r, WIRE_MAX_NAME, &node, &nl) || !wread_u8(&d->r, &creation) || !wread_varint(&d->r, &serial))
            return dec_fail(d, "bad pid");
        if (serial > 0xffffffffffULL) return dec_fail(d, "pid serial out of range");
        if (!d->pids || !d->pids->in(d->pids->ud, node, nl, creation, serial, &pid))
            return dec_fail(d, "pid of unknown node `%.*s`", (int)(nl > 64 ? 64 : nl), node);
        *out = v_pid(pid);
        return true;
    }
    case WT_REF: {
        uint64_t u;
        if (!wread_varint(&d->r, &u)) return dec_fail(d, "bad Ref");
        *out = v_ref(u);
        return true;
    }
    default: return dec_fail(d, "unknown value tag %u", tag);
    }
}

bool wire_decode(const uint8_t *p, size_t n, const WirePids *pids, Value *out, char *err, size_t errcap) {
    Dec d = {{p, p + n}, pids, err, errcap};
    uint8_t ver;
    if (!wread_u8(&d.r, &ver)) return dec_fail(&d, "empty message");
    if (ver != WIRE_VERSION) return dec_fail(&d, "wire format version %u (this node speaks %u)", ver, WIRE_VERSION);
    if (!dec_value(&d, out, 0)) return false;
    if (d.r.p != d.r.end) return dec_fail(&d, "%zu bytes after the value", (size_t)(d.r.end - d.r.p));
    return true;
}
