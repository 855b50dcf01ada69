/* vals.c — value constructors, the built-in sum types and structural
 * equality / ordering / hashing (see vals.h). */
#include "vals.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "gc.h"
#include "json.h"
#include "list.h"
#include "map.h"
#include "rt.h"
#include "str.h"
#include "xalloc.h"

/* ---- built-in type descriptors -------------------------------------------- */

static const RtType rt_p0 = {RK_PARAM, NULL, 0, 0, NULL};
static const RtType rt_p1 = {RK_PARAM, NULL, 1, 0, NULL};
static const RtType rt_string = {RK_STRING, NULL, 0, 0, NULL};
static const RtType rt_pidref = {RK_OTHER, NULL, 0, 0, NULL};
static const RtType rt_xr = {RK_USER, &td_exit_reason, 0, 0, NULL};

static const RtType *ft_p0[] = {&rt_p0};
static const RtType *ft_p1[] = {&rt_p1};
static const RtType *ft_str[] = {&rt_string};
static const RtType *ft_pid_xr[] = {&rt_pidref, &rt_xr};
static const RtType *ft_ref_pid_xr[] = {&rt_pidref, &rt_pidref, &rt_xr};

#define SINGLETON(var, td, i) \
    static VariantObj var = {.h = {OK_VARIANT, GC_STATIC, 0, 32}, .type = &td, .idx = i, .n = 0}

SINGLETON(s_none, td_option, OPT_NONE);
SINGLETON(s_less, td_ordering, ORD_LESS);
SINGLETON(s_equal, td_ordering, ORD_EQUAL);
SINGLETON(s_greater, td_ordering, ORD_GREATER);
SINGLETON(s_normal, td_exit_reason, XR_NORMAL);
SINGLETON(s_shutdown, td_exit_reason, XR_SHUTDOWN);
SINGLETON(s_killed, td_exit_reason, XR_KILLED);
SINGLETON(s_noproc, td_exit_reason, XR_NOPROC);
SINGLETON(s_noconn, td_exit_reason, XR_NOCONNECTION);

static VariantDesc opt_variants[] = {{"Some", 1, ft_p0, NULL}, {"None", 0, NULL, &s_none}};
static VariantDesc res_variants[] = {{"Ok", 1, ft_p0, NULL}, {"Err", 1, ft_p1, NULL}};
static VariantDesc ord_variants[] = {{"Less", 0, NULL, &s_less}, {"Equal", 0, NULL, &s_equal}, {"Greater", 0, NULL, &s_greater}};
static VariantDesc xr_variants[] = {
    {"Normal", 0, NULL, &s_normal}, {"Shutdown", 0, NULL, &s_shutdown}, {"Killed", 0, NULL, &s_killed},
    {"Error", 1, ft_str, NULL},     {"Linked", 2, ft_pid_xr, NULL},     {"NoProc", 0, NULL, &s_noproc},
    {"NoConnection", 0, NULL, &s_noconn}};
static VariantDesc sig_variants[] = {
    {"Down", 3, ft_ref_pid_xr, NULL}, {"Exit", 2, ft_pid_xr, NULL}, {"NodeUp", 1, ft_str, NULL}, {"NodeDown", 1, ft_str, NULL}};

#define BUILTIN_DERIVES (D_EQ | D_ORD | D_DISPLAY | D_DEBUG | D_HASH)

TypeDesc td_option = {.name = "Option", .qual_name = "Option", .kind = TD_SUM, .nparams = 1,
                      .nvariants = 2, .variants = opt_variants, .derives = BUILTIN_DERIVES | D_JSON};
TypeDesc td_result = {.name = "Result", .qual_name = "Result", .kind = TD_SUM, .nparams = 2,
                      .nvariants = 2, .variants = res_variants, .derives = BUILTIN_DERIVES};
TypeDesc td_ordering = {.name = "Ordering", .qual_name = "Ordering", .kind = TD_SUM,
                        .nvariants = 3, .variants = ord_variants, .derives = BUILTIN_DERIVES};
TypeDesc td_exit_reason = {.name = "ExitReason", .qual_name = "ExitReason", .kind = TD_SUM,
                           .nvariants = 7, .variants = xr_variants, .derives = BUILTIN_DERIVES};
TypeDesc td_signal = {.name = "Signal", .qual_name = "Signal", .kind = TD_SUM,
                      .nvariants = 4, .variants = sig_variants, .derives = BUILTIN_DERIVES};

/* ---- constructors --------------------------------------------------------- */

Value *val_scratch(uint32_t n) {
    TupleObj *t = gc_alloc(sizeof(TupleObj) + (size_t)n * sizeof(Value), OK_TUPLE);
    t->n = n;
    return t->items;
}

Value val_tuple(uint32_t n, const Value *items) {
    TupleObj *t = gc_alloc_uninit(sizeof(TupleObj) + (size_t)n * sizeof(Value), OK_TUPLE);
    t->n = n;
    t->pad_ = 0;
    memcpy(t->items, items, (size_t)n * sizeof(Value));
    return v_obj(T_TUPLE, t);
}

Value val_tuple2(Value a, Value b) {
    Value it[2] = {a, b};
    return val_tuple(2, it);
}

Value val_struct(const TypeDesc *td, const Value *fields) {
    StructObj *s = gc_alloc_uninit(sizeof(StructObj) + (size_t)td->nfields * sizeof(Value), OK_STRUCT);
    s->type = td;
    if (td->nfields) memcpy(s->fields, fields, (size_t)td->nfields * sizeof(Value));
    return v_obj(T_STRUCT, s);
}

VariantObj *val_make_singleton(const TypeDesc *td, uint32_t idx) {
    VariantObj *v = gc_alloc_static(sizeof(VariantObj), OK_VARIANT);
    v->type = td;
    v->idx = idx;
    v->n = 0;
    return v;
}

Value val_variant(const TypeDesc *td, uint32_t idx, const Value *fields) {
    assert(idx < td->nvariants);
    VariantDesc *vd = &td->variants[idx];
    if (vd->nfields == 0) {
        /* the loader normally creates these; late creation is a benign race */
        if (!vd->singleton) vd->singleton = val_make_singleton(td, idx);
        return v_variant(vd->singleton);
    }
    VariantObj *o = gc_alloc_uninit(sizeof(VariantObj) + (size_t)vd->nfields * sizeof(Value), OK_VARIANT);
    o->type = td;
    o->idx = idx;
    o->n = vd->nfields;
    memcpy(o->fields, fields, (size_t)vd->nfields * sizeof(Value));
    return v_variant(o);
}

Value val_range(int64_t start, int64_t end) {
    RangeObj *r = gc_alloc_uninit(sizeof(RangeObj), OK_RANGE);
    r->start = start;
    r->end = end;
    return v_obj(T_RANGE, r);
}

Value val_closure(const FuncInfo *fn, uint32_t ncap, const Value *caps) {
    FuncObj *f = gc_alloc_uninit(sizeof(FuncObj) + (size_t)ncap * sizeof(Value), OK_FUNC);
    f->fn = fn;
    f->ncap = ncap;
    f->pad_ = 0;
    if (ncap) memcpy(f->caps, caps, (size_t)ncap * sizeof(Value));
    return v_obj(T_FUNC, f);
}

Value val_call_cfn_caps(const FuncObj *fo, int argc, Value *argv) {
    uint32_t n = (uint32_t)argc + fo->ncap;
    VAL_BUF(all, n);
    if (argc) memcpy(all, argv, (size_t)argc * sizeof(Value));
    memcpy(all + argc, fo->caps, (size_t)fo->ncap * sizeof(Value));
    return fo->fn->cfn(all, (int)n);
}

Value val_func_static(const FuncInfo *fn) {
    FuncObj *f = gc_alloc_static(sizeof(FuncObj), OK_FUNC);
    f->fn = fn;
    f->ncap = 0;
    return v_obj(T_FUNC, f);
}

Value val_some(Value v) { return val_variant(&td_option, OPT_SOME, &v); }
Value val_none(void) { return v_variant(&s_none); }
Value val_ok(Value v) { return val_variant(&td_result, RES_OK, &v); }
Value val_err(Value e) { return val_variant(&td_result, RES_ERR, &e); }
Value val_err_cstr(const char *msg) { return val_err(str_from_cstr(msg)); }

Value val_ordering(int c) { return v_variant(c < 0 ? &s_less : c > 0 ? &s_greater : &s_equal); }

Value val_exit_reason(int xr) {
    assert(xr_variants[xr].nfields == 0);
    return v_variant(xr_variants[xr].singleton);
}
Value val_exit_error(Value msg) { return val_variant(&td_exit_reason, XR_ERROR, &msg); }
Value val_exit_linked(uint64_t pid, Value reason) {
    Value f[2] = {v_pid(pid), reason};
    return val_variant(&td_exit_reason, XR_LINKED, f);
}
Value val_sig_down(uint64_t ref, uint64_t pid, Value reason) {
    Value f[3] = {v_ref(ref), v_pid(pid), reason};
    return val_variant(&td_signal, SIG_DOWN, f);
}
Value val_sig_exit(uint64_t pid, Value reason) {
    Value f[2] = {v_pid(pid), reason};
    return val_variant(&td_signal, SIG_EXIT, f);
}
Value val_sig_node(int sig, Value node) {
    assert(sig == SIG_NODEUP || sig == SIG_NODEDOWN);
    return val_variant(&td_signal, (uint32_t)sig, &node);
}

/* ---- an explicit work stack (no C recursion on deep values) --------------- */

typedef struct Pair {
    Value a, b;
} Pair;

typedef struct Work {
    Pair *items;
    size_t n, cap;
    Pair small[32];
} Work;

static void work_init(Work *w) {
    w->items = w->small;
    w->n = 0;
    w->cap = 32;
}
static void work_free(Work *w) {
    if (w->items != w->small) free(w->items);
}
static void work_push(Work *w, Value a, Value b) {
    if (w->n == w->cap) {
        size_t cap = w->cap * 2;
        Pair *p = w->items == w->small ? xmalloc(cap * sizeof(Pair)) : xrealloc(w->items, cap * sizeof(Pair));
        if (w->items == w->small) memcpy(p, w->small, sizeof w->small);
        w->items = p;
        w->cap = cap;
    }
    w->items[w->n].a = a;
    w->items[w->n].b = b;
    w->n++;
}

static inline bool has_fn(Value f) { return f.tag == T_FUNC; }

/* ---- equality ------------------------------------------------------------- */

static bool eq_impl(Value a, Value b) {
    Work w;
    work_init(&w);
    work_push(&w, a, b);
    bool ok = true;
    while (ok && w.n) {
        Pair p = w.items[--w.n];
        Value x = p.a, y = p.b;
        if (x.tag != y.tag) { ok = false; break; }
        switch (x.tag) {
        case T_UNIT: break;
        case T_BOOL: case T_INT: case T_PID: case T_REF:
            ok = x.i == y.i;
            break;
        case T_FLOAT:
            ok = x.f == y.f;
            break;
        case T_STR:
            ok = str_eq(x, y);
            break;
        case T_LIST: case T_QUEUE: {
            size_t n = list_len(x);
            if (n != list_len(y)) { ok = false; break; }
            const Value *xi = ((ListObj *)x.o) ? ((ListObj *)x.o)->buf->items + ((ListObj *)x.o)->off : NULL;
            const Value *yi = ((ListObj *)y.o) ? ((ListObj *)y.o)->buf->items + ((ListObj *)y.o)->off : NULL;
            for (size_t i = n; i-- > 0;) work_push(&w, xi[i], yi[i]);
            break;
        }
        case T_TUPLE:
            if (AS_TUPLE(x)->n != AS_TUPLE(y)->n) { ok = false; break; }
            for (uint32_t i = AS_TUPLE(x)->n; i-- > 0;) work_push(&w, AS_TUPLE(x)->items[i], AS_TUPLE(y)->items[i]);
            break;
        case T_STRUCT: {
            const TypeDesc *td = AS_STRUCT(x)->type;
            if (td != AS_STRUCT(y)->type) { ok = false; break; }
            if (has_fn(td->eq_fn)) {
                Value args[2] = {x, y};
                ok = rt_apply(td->eq_fn, 2, args).i != 0;
                break;
            }
            for (uint32_t i = td->nfields; i-- > 0;) work_push(&w, AS_STRUCT(x)->fields[i], AS_STRUCT(y)->fields[i]);
            break;
        }
        case T_VARIANT: {
            const TypeDesc *td = AS_VARIANT(x)->type;
            if (td != AS_VARIANT(y)->type) { ok = false; break; }
            if (has_fn(td->eq_fn)) {
                Value args[2] = {x, y};
                ok = rt_apply(td->eq_fn, 2, args).i != 0;
                break;
            }
            if (AS_VARIANT(x)->idx != AS_VARIANT(y)->idx) { ok = false; break; }
            for (uint32_t i = AS_VARIANT(x)->n; i-- > 0;) work_push(&w, AS_VARIANT(x)->fields[i], AS_VARIANT(y)->fields[i]);
            break;
        }
        case T_MAP: case T_SET:
            ok = x.o == y.o || map_equal(x, y);
            break;
        case T_RANGE:
            ok = AS_RANGE(x)->start == AS_RANGE(y)->start && AS_RANGE(x)->end == AS_RANGE(y)->end;
            break;
        case T_JSON:
            if (json_kind(x) != json_kind(y)) { ok = false; break; }
            work_push(&w, AS_JSON(x)->v, AS_JSON(y)->v);
            break;
        default: /* functions, handles: identity */
            ok = x.o == y.o;
            break;
        }
    }
    work_free(&w);
    return ok;
}

bool val_eq(Value a, Value b) {
    /* fast paths for the common scalar cases */
    if (a.tag == T_INT && b.tag == T_INT) return a.i == b.i;
    if (a.tag == T_STR && b.tag == T_STR) return str_eq(a, b);
    return eq_impl(a, b);
}

/* ---- ordering ------------------------------------------------------------- */

/* Work items whose a.tag == T__COUNT carry a precomputed result in a.i
 * (the length tie-break of sequences, processed after their elements). */
static inline void push_result(Work *w, int r) {
    Value m = {.tag = T__COUNT};
    m.i = r;
    work_push(w, m, m);
}

static inline int cmp_u(uint64_t x, uint64_t y) { return x < y ? -1 : x > y; }
static inline int cmp_i(int64_t x, int64_t y) { return x < y ? -1 : x > y; }

static int ordering_to_int(Value o) {
    if (o.tag == T_VARIANT) return o.aux == ORD_LESS ? -1 : o.aux == ORD_GREATER ? 1 : 0;
    if (o.tag == T_INT) return o.i < 0 ? -1 : o.i > 0;
    return 0;
}

/* A user ordering, if the type has one: returns true and *r. */
static bool user_cmp(const TypeDesc *td, Value x, Value y, int *r) {
    Value args[2] = {x, y};
    if (has_fn(td->compare_fn)) {
        *r = ordering_to_int(rt_apply(td->compare_fn, 2, args));
        return true;
    }
    if (has_fn(td->lt_fn)) {
        if (rt_apply(td->lt_fn, 2, args).i) { *r = -1; return true; }
        Value rev[2] = {y, x};
        *r = rt_apply(td->lt_fn, 2, rev).i ? 1 : 0;
        return true;
    }
    return false;
}

static void push_seq(Work *w, const Value *xi, size_t nx, const Value *yi, size_t ny) {
    push_result(w, cmp_u(nx, ny));
    size_t n = nx < ny ? nx : ny;
    for (size_t i = n; i-- > 0;) work_push(w, xi[i], yi[i]);
}

int val_cmp(Value a, Value b) {
    if (a.tag == T_INT && b.tag == T_INT) return cmp_i(a.i, b.i);
    Work w;
    work_init(&w);
    work_push(&w, a, b);
    int r = 0;
    while (!r && w.n) {
        Pair p = w.items[--w.n];
        Value x = p.a, y = p.b;
        if (x.tag == T__COUNT) { r = (int)x.i; continue; }
        if (x.tag != y.tag) { r = cmp_u(x.tag, y.tag); break; }
        switch (x.tag) {
        case T_UNIT: break;
        case T_BOOL: case T_INT: r = cmp_i(x.i, y.i); break;
        case T_PID: case T_REF: r = cmp_u(x.u, y.u); break;
        case T_FLOAT: r = x.f < y.f ? -1 : x.f > y.f ? 1 : 0; break;
        case T_STR: r = str_cmp(x, y); break;
        case T_LIST: case T_QUEUE:
            push_seq(&w, list_items(x), list_len(x), list_items(y), list_len(y));
            break;
        case T_TUPLE:
            push_seq(&w, AS_TUPLE(x)->items, AS_TUPLE(x)->n, AS_TUPLE(y)->items, AS_TUPLE(y)->n);
            break;
        case T_STRUCT: {
            const TypeDesc *td = AS_STRUCT(x)->type;
            if (td != AS_STRUCT(y)->type) { r = cmp_u((uintptr_t)td, (uintptr_t)AS_STRUCT(y)->type); break; }
            if (user_cmp(td, x, y, &r)) break;
            for (uint32_t i = td->nfields; i-- > 0;) work_push(&w, AS_STRUCT(x)->fields[i], AS_STRUCT(y)->fields[i]);
            break;
        }
        case T_VARIANT: {
            const TypeDesc *td = AS_VARIANT(x)->type;
            if (td != AS_VARIANT(y)->type) { r = cmp_u((uintptr_t)td, (uintptr_t)AS_VARIANT(y)->type); break; }
            if (user_cmp(td, x, y, &r)) break;
            if (AS_VARIANT(x)->idx != AS_VARIANT(y)->idx) { r = cmp_u(AS_VARIANT(x)->idx, AS_VARIANT(y)->idx); break; }
            for (uint32_t i = AS_VARIANT(x)->n; i-- > 0;) work_push(&w, AS_VARIANT(x)->fields[i], AS_VARIANT(y)->fields[i]);
            break;
        }
        case T_RANGE:
            r = cmp_i(AS_RANGE(x)->start, AS_RANGE(y)->start);
            if (!r) r = cmp_i(AS_RANGE(x)->end, AS_RANGE(y)->end);
            break;
        case T_MAP: case T_SET:
            /* not orderable in Snow; a total order for sorting: size, then
             * the entries in insertion order */
            r = cmp_u(map_size(x), map_size(y));
            if (!r && !map_equal(x, y)) {
                Value lx = x.tag == T_MAP ? map_to_list(x) : set_to_list(x);
                Value ly = y.tag == T_MAP ? map_to_list(y) : set_to_list(y);
                work_push(&w, lx, ly);
            }
            break;
        case T_JSON:
            r = cmp_i(json_kind(x), json_kind(y));
            if (!r) work_push(&w, AS_JSON(x)->v, AS_JSON(y)->v);
            break;
        default:
            r = cmp_u((uintptr_t)x.o, (uintptr_t)y.o);
            break;
        }
    }
    work_free(&w);
    return r;
}

/* ---- hashing -------------------------------------------------------------- */

static inline uint64_t hcomb(uint64_t h, uint64_t x) {
    h ^= x + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdULL;
}

static uint64_t hash_impl(Value v) {
    Work w;
    work_init(&w);
    work_push(&w, v, v);
    uint64_t h = 0x243F6A8885A308D3ULL;
    while (w.n) {
        Value x = w.items[--w.n].a;
        h = hcomb(h, x.tag);
        switch (x.tag) {
        case T_UNIT: break;
        case T_BOOL: case T_INT: case T_PID: case T_REF: h = hcomb(h, x.u); break;
        case T_FLOAT:
            h = hcomb(h, x.f == 0.0 ? 0 : x.u); /* -0.0 == 0.0 */
            break;
        case T_STR: h = hcomb(h, str_hash(x)); break;
        case T_LIST: case T_QUEUE: {
            size_t n = list_len(x);
            const Value *it = list_items(x);
            h = hcomb(h, n);
            for (size_t i = n; i-- > 0;) work_push(&w, it[i], it[i]);
            break;
        }
        case T_TUPLE:
            h = hcomb(h, AS_TUPLE(x)->n);
            for (uint32_t i = AS_TUPLE(x)->n; i-- > 0;) work_push(&w, AS_TUPLE(x)->items[i], AS_TUPLE(x)->items[i]);
            break;
        case T_STRUCT: {
            const TypeDesc *td = AS_STRUCT(x)->type;
            h = hcomb(h, (uintptr_t)td);
            if (has_fn(td->hash_fn)) { h = hcomb(h, (uint64_t)rt_apply(td->hash_fn, 1, &x).i); break; }
            for (uint32_t i = td->nfields; i-- > 0;) work_push(&w, AS_STRUCT(x)->fields[i], AS_STRUCT(x)->fields[i]);
            break;
        }
        case T_VARIANT: {
            const TypeDesc *td = AS_VARIANT(x)->type;
            h = hcomb(h, (uintptr_t)td);
            if (has_fn(td->hash_fn)) { h = hcomb(h, (uint64_t)rt_apply(td->hash_fn, 1, &x).i); break; }
            h = hcomb(h, AS_VARIANT(x)->idx);
            for (uint32_t i = AS_VARIANT(x)->n; i-- > 0;) work_push(&w, AS_VARIANT(x)->fields[i], AS_VARIANT(x)->fields[i]);
            break;
        }
        case T_MAP: case T_SET: h = hcomb(h, map_hash(x)); break;
        case T_RANGE: h = hcomb(hcomb(h, (uint64_t)AS_RANGE(x)->start), (uint64_t)AS_RANGE(x)->end); break;
        case T_JSON:
            h = hcomb(h, (uint64_t)json_kind(x));
            work_push(&w, AS_JSON(x)->v, AS_JSON(x)->v);
            break;
        default: h = hcomb(h, (uintptr_t)x.o); break;
        }
    }
    work_free(&w);
    return hash_mix(h);
}

uint64_t val_hash(Value v) {
    if (v.tag == T_INT) return hash_mix((uint64_t)v.i ^ 0x5851F42D4C957F2DULL);
    if (v.tag == T_STR) return hash_mix(str_hash(v));
    return hash_impl(v);
}
