/* eval.c — the evaluator: one function per prepared-node kind, calls and
 * tail calls, pattern matching (see eval_internal.h for the model).
 *
 * Hot paths first: constants and slots, Int arithmetic and comparisons,
 * calls of known functions.  Every evaluator that evaluates a child which
 * may produce the unwind sentinel (break/continue/return/?/tail call)
 * passes it straight up. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval_internal.h"
#include "fmt.h"
#include "gc.h"
#include "list.h"
#include "map.h"
#include "queue.h"
#include "rt.h"
#include "sb.h"
#include "str.h"
#include "vals.h"
#include "xalloc.h"

#define EVAL(x) ((x)->ev((x), f))
#define CHECK(v) do { if (__builtin_expect((v).tag == T_UNWIND, 0)) return (v); } while (0)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Evaluate an operand, reading slots and constants inline (the commonest
 * operands: this saves an indirect call per leaf on hot paths). */
static inline Value opnd(PNode *x, Frame *f) {
    if (x->ev == ev_slot) return f->slots[x->slot];
    if (x->ev == ev_const) return x->k;
    return x->ev(x, f);
}
#define OPND(x) opnd((x), f)

/* ---- errors ------------------------------------------------------------------ */

_Noreturn void ev_panic_at(Frame *f, const Node *at, const char *fmt, ...) {
    if (f && f->sf && at) f->sf->at = at;
    va_list ap;
    va_start(ap, fmt);
    rt_vpanic(fmt, ap);
}

/* ---- leaves ----------------------------------------------------------------- */

Value ev_const(PNode *n, Frame *f) { (void)f; return n->k; }
Value ev_slot(PNode *n, Frame *f) { return f->slots[n->slot]; }
Value ev_cap(PNode *n, Frame *f) { return f->caps[n->slot]; }
Value ev_self_fn(PNode *n, Frame *f) { (void)n; return v_obj(T_FUNC, f->self); }

/* ---- arithmetic ------------------------------------------------------------------ */

static inline int64_t wrap_add(int64_t a, int64_t b) { return (int64_t)((uint64_t)a + (uint64_t)b); }
static inline int64_t wrap_sub(int64_t a, int64_t b) { return (int64_t)((uint64_t)a - (uint64_t)b); }
static inline int64_t wrap_mul(int64_t a, int64_t b) { return (int64_t)((uint64_t)a * (uint64_t)b); }

Value ev_add_ii(PNode *n, Frame *f) { return v_int(wrap_add(n->a->evi(n->a, f), n->b->evi(n->b, f))); }
int64_t evi_add_ii(PNode *n, Frame *f) { return wrap_add(n->a->evi(n->a, f), n->b->evi(n->b, f)); }
Value ev_sub_ii(PNode *n, Frame *f) { return v_int(wrap_sub(n->a->evi(n->a, f), n->b->evi(n->b, f))); }
int64_t evi_sub_ii(PNode *n, Frame *f) { return wrap_sub(n->a->evi(n->a, f), n->b->evi(n->b, f)); }
Value ev_mul_ii(PNode *n, Frame *f) { return v_int(wrap_mul(n->a->evi(n->a, f), n->b->evi(n->b, f))); }
int64_t evi_mul_ii(PNode *n, Frame *f) { return wrap_mul(n->a->evi(n->a, f), n->b->evi(n->b, f)); }
/* slot op Int expression (acc + i % 7): one child call instead of two */
Value ev_add_sx(PNode *n, Frame *f) { return v_int(wrap_add(f->slots[n->slot].i, n->b->evi(n->b, f))); }
int64_t evi_add_sx(PNode *n, Frame *f) { return wrap_add(f->slots[n->slot].i, n->b->evi(n->b, f)); }
Value ev_sub_sx(PNode *n, Frame *f) { return v_int(wrap_sub(f->slots[n->slot].i, n->b->evi(n->b, f))); }
int64_t evi_sub_sx(PNode *n, Frame *f) { return wrap_sub(f->slots[n->slot].i, n->b->evi(n->b, f)); }
/* slot op slot, slot op constant (n - 1, i + 1, i % 7): no child calls */
Value ev_add_ss(PNode *n, Frame *f) { return v_int(wrap_add(f->slots[n->slot].i, f->slots[(int32_t)n->k.i].i)); }
Value ev_sub_ss(PNode *n, Frame *f) { return v_int(wrap_sub(f->slots[n->slot].i, f->slots[(int32_t)n->k.i].i)); }
Value ev_mul_sk(PNode *n, Frame *f) { return v_int(wrap_mul(f->slots[n->slot].i, n->k.i)); }
/* k != 0 and k != -1 (checked by the preparer): no special cases */
Value ev_div_sk(PNode *n, Frame *f) { return v_int(f->slots[n->slot].i / n->k.i); }
Value ev_mod_sk(PNode *n, Frame *f) { return v_int(f->slots[n->slot].i % n->k.i); }
#define CMP_SS(name, op) \
    Value name(PNode *n, Frame *f) { return v_bool(f->slots[n->slot].i op f->slots[(int32_t)n->k.i].i); }
CMP_SS(ev_lt_ss, <)
CMP_SS(ev_le_ss, <=)
CMP_SS(ev_gt_ss, >)
CMP_SS(ev_ge_ss, >=)
CMP_SS(ev_eq_ss, ==)
CMP_SS(ev_ne_ss, !=)

/* slot op constant (n - 1, i + 1) */
Value ev_add_sk(PNode *n, Frame *f) { return v_int(wrap_add(f->slots[n->slot].i, n->k.i)); }
Value ev_sub_sk(PNode *n, Frame *f) { return v_int(wrap_sub(f->slots[n->slot].i, n->k.i)); }

Value ev_add_ff(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    Value b = EVAL(n->b); CHECK(b);
    return v_float(a.f + b.f);
}
Value ev_sub_ff(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    Value b = EVAL(n->b); CHECK(b);
    return v_float(a.f - b.f);
}
Value ev_mul_ff(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    Value b = EVAL(n->b); CHECK(b);
    return v_float(a.f * b.f);
}
Value ev_div_ff(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    Value b = EVAL(n->b); CHECK(b);
    return v_float(a.f / b.f);
}

/* Operators on user types go through their impl (Add, Sub, ...). */
static Value user_op(Frame *f, PNode *n, const char *name, Value a, Value b) {
    bool field = false;
    Value fn = ev_find_method(a, name, &field);
    if (fn.tag != T_FUNC) ev_panic_at(f, n->src, "no implementation of `%s` for this value", name);
    Value args[2] = {a, b};
    f->sf->at = n->src;
    return ev_call_value(f, n->src, fn, 2, args);
}

Value ev_add(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    Value b = EVAL(n->b); CHECK(b);
    if (LIKELY(a.tag == T_INT)) return v_int(wrap_add(a.i, b.i));
    if (a.tag == T_FLOAT) return v_float(a.f + b.f);
    return user_op(f, n, "add", a, b);
}
Value ev_sub(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    Value b = EVAL(n->b); CHECK(b);
    if (LIKELY(a.tag == T_INT)) return v_int(wrap_sub(a.i, b.i));
    if (a.tag == T_FLOAT) return v_float(a.f - b.f);
    return user_op(f, n, "sub", a, b);
}
Value ev_mul(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    Value b = EVAL(n->b); CHECK(b);
    if (LIKELY(a.tag == T_INT)) return v_int(wrap_mul(a.i, b.i));
    if (a.tag == T_FLOAT) return v_float(a.f * b.f);
    return user_op(f, n, "mul", a, b);
}
Value ev_div(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    Value b = EVAL(n->b); CHECK(b);
    if (LIKELY(a.tag == T_INT)) {
        if (UNLIKELY(b.i == 0)) ev_panic_at(f, n->src, "division by zero");
        if (UNLIKELY(b.i == -1)) return v_int(wrap_sub(0, a.i)); /* MIN / -1 wraps */
        return v_int(a.i / b.i);
    }
    if (a.tag == T_FLOAT) return v_float(a.f / b.f);
    return user_op(f, n, "div", a, b);
}
Value ev_mod(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    Value b = EVAL(n->b); CHECK(b);
    if (LIKELY(a.tag == T_INT)) {
        if (UNLIKELY(b.i == 0)) ev_panic_at(f, n->src, "division by zero");
        if (UNLIKELY(b.i == -1)) return v_int(0);
        return v_int(a.i % b.i);
    }
    if (a.tag == T_FLOAT) return v_float(fmod(a.f, b.f));
    return user_op(f, n, "mod", a, b);
}

Value ev_neg(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    if (a.tag == T_INT) return v_int(wrap_sub(0, a.i));
    return v_float(-a.f);
}

/* ---- comparisons ------------------------------------------------------------------- */

/* Equality of two values of the same static type. */
static inline bool veq(Value a, Value b) {
    if (a.tag == T_INT || a.tag == T_BOOL) return a.i == b.i;
    if (a.tag == T_FLOAT) return a.f == b.f;
    if (a.tag == T_STR) return str_eq(a, b);
    return val_eq(a, b);
}

/* Three-way comparison of ordered values; for floats returns 2 when
 * unordered (NaN) so every relational operator answers false. */
static inline int vcmp(Value a, Value b) {
    if (a.tag == T_INT) return (a.i > b.i) - (a.i < b.i);
    if (a.tag == T_FLOAT) {
        if (a.f < b.f) return -1;
        if (a.f > b.f) return 1;
        if (a.f == b.f) return 0;
        return 2;
    }
    if (a.tag == T_STR) return str_cmp(a, b);
    return val_cmp(a, b);
}

Value ev_eq(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    Value b = EVAL(n->b); CHECK(b);
    return v_bool(veq(a, b));
}
Value ev_ne(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    Value b = EVAL(n->b); CHECK(b);
    return v_bool(!veq(a, b));
}
Value ev_lt(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    Value b = EVAL(n->b); CHECK(b);
    return v_bool(vcmp(a, b) == -1);
}
Value ev_le(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    Value b = EVAL(n->b); CHECK(b);
    int c = vcmp(a, b);
    return v_bool(c == -1 || c == 0);
}
Value ev_gt(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    Value b = EVAL(n->b); CHECK(b);
    return v_bool(vcmp(a, b) == 1);
}
Value ev_ge(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    Value b = EVAL(n->b); CHECK(b);
    int c = vcmp(a, b);
    return v_bool(c == 1 || c == 0);
}

/* Int slot vs constant: n < 2, i <= 10, ... */
Value ev_lt_sk(PNode *n, Frame *f) { return v_bool(f->slots[n->slot].i < n->k.i); }
Value ev_le_sk(PNode *n, Frame *f) { return v_bool(f->slots[n->slot].i <= n->k.i); }
Value ev_gt_sk(PNode *n, Frame *f) { return v_bool(f->slots[n->slot].i > n->k.i); }
Value ev_ge_sk(PNode *n, Frame *f) { return v_bool(f->slots[n->slot].i >= n->k.i); }
Value ev_eq_sk(PNode *n, Frame *f) { return v_bool(f->slots[n->slot].i == n->k.i); }
Value ev_ne_sk(PNode *n, Frame *f) { return v_bool(f->slots[n->slot].i != n->k.i); }

#define INT_CMP(name, op)                                                                       \
    Value ev_##name(PNode *n, Frame *f) { return v_bool(n->a->evi(n->a, f) op n->b->evi(n->b, f)); } \
    int64_t evi_##name(PNode *n, Frame *f) { return n->a->evi(n->a, f) op n->b->evi(n->b, f); }
INT_CMP(lt_ii, <)
INT_CMP(le_ii, <=)
INT_CMP(gt_ii, >)
INT_CMP(ge_ii, >=)
INT_CMP(eq_ii, ==)
INT_CMP(ne_ii, !=)

/* ---- unboxed evaluators (see IntFn) ------------------------------------------------- */

int64_t evi_generic(PNode *n, Frame *f) { return n->ev(n, f).i; }
int64_t evi_slot(PNode *n, Frame *f) { return f->slots[n->slot].i; }
int64_t evi_const(PNode *n, Frame *f) { (void)f; return n->k.i; }
int64_t evi_add_sk(PNode *n, Frame *f) { return wrap_add(f->slots[n->slot].i, n->k.i); }
int64_t evi_sub_sk(PNode *n, Frame *f) { return wrap_sub(f->slots[n->slot].i, n->k.i); }
int64_t evi_mul_sk(PNode *n, Frame *f) { return wrap_mul(f->slots[n->slot].i, n->k.i); }
int64_t evi_div_sk(PNode *n, Frame *f) { return f->slots[n->slot].i / n->k.i; }
int64_t evi_mod_sk(PNode *n, Frame *f) { return f->slots[n->slot].i % n->k.i; }
int64_t evi_add_ss(PNode *n, Frame *f) { return wrap_add(f->slots[n->slot].i, f->slots[(int32_t)n->k.i].i); }
int64_t evi_sub_ss(PNode *n, Frame *f) { return wrap_sub(f->slots[n->slot].i, f->slots[(int32_t)n->k.i].i); }
#define EVI_SK(name, op) int64_t evi_##name(PNode *n, Frame *f) { return f->slots[n->slot].i op n->k.i; }
EVI_SK(lt_sk, <)
EVI_SK(le_sk, <=)
EVI_SK(gt_sk, >)
EVI_SK(ge_sk, >=)
EVI_SK(eq_sk, ==)
EVI_SK(ne_sk, !=)
#define EVI_SS(name, op) \
    int64_t evi_##name(PNode *n, Frame *f) { return f->slots[n->slot].i op f->slots[(int32_t)n->k.i].i; }
EVI_SS(lt_ss, <)
EVI_SS(le_ss, <=)
EVI_SS(gt_ss, >)
EVI_SS(ge_ss, >=)
EVI_SS(eq_ss, ==)
EVI_SS(ne_ss, !=)
int64_t evi_not(PNode *n, Frame *f) { return !n->a->evi(n->a, f); }
int64_t evi_and(PNode *n, Frame *f) { return n->a->evi(n->a, f) && n->b->evi(n->b, f); }
int64_t evi_or(PNode *n, Frame *f) { return n->a->evi(n->a, f) || n->b->evi(n->b, f); }

/* if whose condition cannot unwind: the condition is evaluated unboxed */
Value ev_if_b(PNode *n, Frame *f) { return n->a->evi(n->a, f) ? EVAL(n->b) : EVAL(n->c); }

/* Operators resolved by the type checker to a user impl method:
 * n->p = the impl's FuncObj value in n->k; flags in slot: 1 negate, 2 swap. */
Value ev_user_binop(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    Value b = EVAL(n->b); CHECK(b);
    Value args[2];
    if (n->slot & 2) { args[0] = b; args[1] = a; } else { args[0] = a; args[1] = b; }
    f->sf->at = n->src;
    Value r = ev_call_value(f, n->src, n->k, 2, args);
    if (n->slot & 1) return v_bool(!r.i);
    return r;
}

Value ev_and(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    if (!a.i) return a;
    return EVAL(n->b);
}
Value ev_or(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    if (a.i) return a;
    return EVAL(n->b);
}
Value ev_not(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    return v_bool(!a.i);
}

Value ev_concat(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    Value b = EVAL(n->b); CHECK(b);
    if (a.tag == T_STR) return str_concat(a, b);
    return list_concat(a, b);
}

Value ev_range(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    Value b = EVAL(n->b); CHECK(b);
    return val_range(a.i, b.i);
}

Value ev_index(PNode *n, Frame *f) {
    Value a = EVAL(n->a); CHECK(a);
    Value b = EVAL(n->b); CHECK(b);
    f->sf->at = n->src;
    return list_get_checked(a, b.i, NULL);
}

/* ---- strings ---------------------------------------------------------------------- */

/* Text of one interpolated piece appended to a builder. */
static inline void put_piece(SB *sb, Value v) {
    switch (v.tag) {
    case T_STR: sb_put(sb, str_data(v), str_len(v)); break;
    case T_INT: fmt_int(sb, v.i); break;
    default: fmt_display(sb, v); break;
    }
}

/* "${s}..." where the first piece is a String value: extend it in place
 * (amortised O(1) for the accumulate-a-string loop); otherwise build once. */
Value ev_interp(PNode *n, Frame *f) {
    uint32_t i = 0;
    Value acc;
    bool have = false;
    if (n->kids[0]->ev != ev_const) {
        Value v = EVAL(n->kids[0]); CHECK(v);
        if (v.tag == T_STR) { acc = v; have = true; i = 1; }
        else {
            SB sb;
            sb_init(&sb);
            put_piece(&sb, v);
            for (i = 1; i < n->nkids; i++) {
                Value w = EVAL(n->kids[i]);
                if (UNLIKELY(w.tag == T_UNWIND)) { sb_free(&sb); return w; }
                put_piece(&sb, w);
            }
            return sb_finish(&sb);
        }
    }
    if (have) {
        for (; i < n->nkids; i++) {
            Value w = EVAL(n->kids[i]); CHECK(w);
            if (w.tag == T_STR) acc = str_append_raw(acc, str_data(w), str_len(w));
            else {
                SB sb;
                sb_init(&sb);
                put_piece(&sb, w);
                acc = str_append_raw(acc, sb.p, sb.len);
                sb_free(&sb);
            }
        }
        return acc;
    }
    SB sb;
    sb_init(&sb);
    for (i = 0; i < n->nkids; i++) {
        Value w = EVAL(n->kids[i]);
        if (UNLIKELY(w.tag == T_UNWIND)) { sb_free(&sb); return w; }
        put_piece(&sb, w);
    }
    return sb_finish(&sb);
}

Value ev_to_string(PNode *n, Frame *f) {
    Value v = EVAL(n->a); CHECK(v);
    if (v.tag == T_STR) return v;
    f->sf->at = n->src;
    return fmt_to_string(v);
}

/* ---- aggregates --------------------------------------------------------------------- */

Value ev_tuple(PNode *n, Frame *f) {
    VAL_BUF(items, n->nkids);
    for (uint32_t i = 0; i < n->nkids; i++) { items[i] = EVAL(n->kids[i]); CHECK(items[i]); }
    return val_tuple(n->nkids, items);
}

Value ev_list(PNode *n, Frame *f) {
    if (n->nkids == 0) return list_empty();
    ListBuilder lb;
    lb_init(&lb, n->nkids);
    for (uint32_t i = 0; i < n->nkids; i++) {
        Value v = EVAL(n->kids[i]); CHECK(v);
        lb_push(&lb, v);
    }
    return lb_finish(&lb);
}

Value ev_map(PNode *n, Frame *f) {
    if (n->nkids == 0) return map_new();
    VAL_BUF(kv, n->nkids);
    for (uint32_t i = 0; i < n->nkids; i++) { kv[i] = EVAL(n->kids[i]); CHECK(kv[i]); }
    return map_from_pairs(kv, n->nkids / 2);
}

/* Struct literal: kids are the field initialisers in written order; slot of
 * kid i (n->q: uint32_t array) is its declaration index. */
Value ev_struct(PNode *n, Frame *f) {
    const TypeDesc *td = n->p;
    const uint32_t *order = n->q;
    VAL_BUF(fields, td->nfields);
    for (uint32_t i = 0; i < n->nkids; i++) {
        Value v = EVAL(n->kids[i]); CHECK(v);
        fields[order[i]] = v;
    }
    return val_struct(td, fields);
}

/* Constructor application with fields: n->p TypeDesc, n->slot variant index. */
Value ev_variant(PNode *n, Frame *f) {
    VAL_BUF(fields, n->nkids);
    for (uint32_t i = 0; i < n->nkids; i++) { fields[i] = EVAL(n->kids[i]); CHECK(fields[i]); }
    return val_variant(n->p, (uint32_t)n->slot, fields);
}
Value ev_call_ctor(PNode *n, Frame *f) { return ev_variant(n, f); }

/* Field read by name with an inline cache.  Worker threads may run the same
 * node at once, so the cache is one 64-bit word written atomically:
 * TypeDesc pointer (low 48 bits) | field index (high 16 bits). */
Value ev_field(PNode *n, Frame *f) {
    Value v = EVAL(n->a); CHECK(v);
    if (UNLIKELY(v.tag != T_STRUCT)) ev_panic_at(f, n->src, "field access on a value that is not a struct");
    StructObj *s = AS_STRUCT(v);
    uint64_t c = __atomic_load_n((uint64_t *)&n->q, __ATOMIC_RELAXED);
    if (LIKELY((c & 0xFFFFFFFFFFFFULL) == (uint64_t)(uintptr_t)s->type)) return s->fields[c >> 48];
    const char *name = n->p;
    for (uint32_t i = 0; i < s->type->nfields; i++) {
        if (s->type->field_names[i] == name) {
            if (i < 0xFFFF && ((uintptr_t)s->type >> 48) == 0)
                __atomic_store_n((uint64_t *)&n->q, (uint64_t)(uintptr_t)s->type | ((uint64_t)i << 48),
                                 __ATOMIC_RELAXED);
            return s->fields[i];
        }
    }
    ev_panic_at(f, n->src, "type %s has no field %s", s->type->name, name);
}
Value ev_field_idx(PNode *n, Frame *f) {
    Value v = EVAL(n->a); CHECK(v);
    return AS_STRUCT(v)->fields[n->slot];
}

/* ---- control flow -------------------------------------------------------------------- */

Value ev_if(PNode *n, Frame *f) {
    Value c = EVAL(n->a); CHECK(c);
    return c.i ? EVAL(n->b) : EVAL(n->c);
}
/* if with a fused `slot OP constant` Int condition (k, slot). */
#define IF_SK(name, op)                                                   \
    Value name(PNode *n, Frame *f) {                                      \
        return f->slots[n->slot].i op n->k.i ? EVAL(n->b) : EVAL(n->c);   \
    }
IF_SK(ev_if_lt_sk, <)
IF_SK(ev_if_le_sk, <=)
IF_SK(ev_if_gt_sk, >)
IF_SK(ev_if_ge_sk, >=)
IF_SK(ev_if_eq_sk, ==)
IF_SK(ev_if_ne_sk, !=)
#define IF_SS(name, op)                                                                      \
    Value name(PNode *n, Frame *f) {                                                         \
        return f->slots[n->slot].i op f->slots[(int32_t)n->k.i].i ? EVAL(n->b) : EVAL(n->c); \
    }
IF_SS(ev_if_lt_ss, <)
IF_SS(ev_if_le_ss, <=)
IF_SS(ev_if_gt_ss, >)
IF_SS(ev_if_ge_ss, >=)
IF_SS(ev_if_eq_ss, ==)
IF_SS(ev_if_ne_ss, !=)

Value ev_if_noelse(PNode *n, Frame *f) {
    Value c = EVAL(n->a); CHECK(c);
    if (c.i) {
        Value v = EVAL(n->b); /* decision 26: the value is discarded */
        CHECK(v);
    }
    return v_unit();
}

/* A block whose statements cannot unwind: evaluate all, return the last. */
Value ev_block(PNode *n, Frame *f) {
    uint32_t last = n->nkids - 1;
    for (uint32_t i = 0; i < last; i++) EVAL(n->kids[i]);
    return EVAL(n->kids[last]);
}
Value ev_block_uw(PNode *n, Frame *f) {
    uint32_t last = n->nkids - 1;
    for (uint32_t i = 0; i < last; i++) {
        Value v = EVAL(n->kids[i]);
        CHECK(v);
    }
    return EVAL(n->kids[last]);
}

Value ev_let_slot(PNode *n, Frame *f) {
    Value v = EVAL(n->a); CHECK(v);
    f->slots[n->slot] = v;
    return v;
}
Value ev_let(PNode *n, Frame *f) {
    Value v = EVAL(n->a); CHECK(v);
    PPat *p = n->p;
    if (UNLIKELY(!p->m(p, v, f))) ev_panic_at(f, n->src, "non-exhaustive match");
    return v;
}

/* case: kids are arms; an arm PNode has p = pattern, a = guard, b = body. */
Value ev_case(PNode *n, Frame *f) {
    Value v = EVAL(n->a); CHECK(v);
    for (uint32_t i = 0; i < n->nkids; i++) {
        PNode *arm = n->kids[i];
        PPat *p = arm->p;
        if (!p->m(p, v, f)) continue;
        if (arm->a) {
            Value g = EVAL(arm->a); CHECK(g);
            if (!g.i) continue;
        }
        return EVAL(arm->b);
    }
    ev_panic_at(f, n->src, "non-exhaustive match");
}

Value ev_while(PNode *n, Frame *f) {
    ProcHot *hot = f->ep->hot;
    for (;;) {
        proc_charge(hot);
        Value c = EVAL(n->a); CHECK(c);
        if (!c.i) break;
        Value v = EVAL(n->b);
        if (UNLIKELY(v.tag == T_UNWIND)) {
            if (v.aux == UW_BREAK) break;
            if (v.aux == UW_CONTINUE) continue;
            return v;
        }
    }
    return v_unit();
}

/* for: a = iterable, b = body, c = filter (or NULL), p = loop pattern,
 * q = value pattern for maps (or NULL). */
static inline int for_step(PNode *n, Frame *f, ListBuilder *lb, bool collect, Value *out) {
    if (n->c) {
        Value g = EVAL(n->c);
        if (UNLIKELY(g.tag == T_UNWIND)) { *out = g; return -1; }
        if (!g.i) return 0;
    }
    Value v = EVAL(n->b);
    if (UNLIKELY(v.tag == T_UNWIND)) {
        if (v.aux == UW_BREAK) return 1;
        if (v.aux == UW_CONTINUE) return 0;
        *out = v;
        return -1;
    }
    if (collect) lb_push(lb, v);
    return 0;
}

static inline bool for_bind(PNode *n, Frame *f, PPat *p, Value x) {
    if (LIKELY(p->m == pm_bind)) { f->slots[p->slot] = x; return true; }
    if (!p->m(p, x, f)) ev_panic_at(f, n->src, "non-exhaustive match");
    return true;
}

Value ev_for(PNode *n, Frame *f) {
    ProcHot *hot = f->ep->hot;
    bool collect = !(n->flags & PF_DISCARD);
    Value it = EVAL(n->a); CHECK(it);
    ListBuilder lb;
    lb_init(&lb, 0);
    Value out;
    PPat *p = n->p, *q = n->q;
    int r = 0;
    switch (it.tag) {
    case T_RANGE: {
        int64_t lo = AS_RANGE(it)->start, hi = AS_RANGE(it)->end;
        for (int64_t i = lo; i < hi; i++) {
            proc_charge(hot);
            for_bind(n, f, p, v_int(i));
            if ((r = for_step(n, f, &lb, collect, &out)) < 0) return out;
            if (r) break;
        }
        break;
    }
    case T_LIST: {
        size_t len = list_len(it);
        for (size_t i = 0; i < len; i++) {
            proc_charge(hot);
            for_bind(n, f, p, list_get(it, i));
            if ((r = for_step(n, f, &lb, collect, &out)) < 0) return out;
            if (r) break;
        }
        break;
    }
    case T_MAP: case T_SET: {
        MapIter mi;
        map_iter_init(&mi, it);
        Value k, v;
        while (map_iter_next(&mi, &k, &v)) {
            proc_charge(hot);
            for_bind(n, f, p, k);
            if (q) for_bind(n, f, q, v);
            if ((r = for_step(n, f, &lb, collect, &out)) < 0) return out;
            if (r) break;
        }
        break;
    }
    case T_QUEUE: {
        Value l = queue_to_list(it);
        size_t len = list_len(l);
        for (size_t i = 0; i < len; i++) {
            proc_charge(hot);
            for_bind(n, f, p, list_get(l, i));
            if ((r = for_step(n, f, &lb, collect, &out)) < 0) return out;
            if (r) break;
        }
        break;
    }
    default:
        ev_panic_at(f, n->src, "cannot iterate over this value");
    }
    return collect ? lb_finish(&lb) : list_empty();
}

Value ev_break(PNode *n, Frame *f) { (void)n; (void)f; return mk_unwind(UW_BREAK); }
Value ev_continue(PNode *n, Frame *f) { (void)n; (void)f; return mk_unwind(UW_CONTINUE); }
Value ev_return(PNode *n, Frame *f) {
    Value v = n->a ? EVAL(n->a) : v_unit();
    CHECK(v); /* a tail call in `return f(x)` or a nested return */
    f->ep->ret = v;
    return mk_unwind(UW_RETURN);
}

/* e? : Ok(v)/Some(v) -> v; Err/None -> return it from the function. */
Value ev_try(PNode *n, Frame *f) {
    Value v = EVAL(n->a); CHECK(v);
    if (v.aux == 0) return AS_VARIANT(v)->fields[0]; /* Ok / Some */
    f->ep->ret = v;
    return mk_unwind(UW_RETURN);
}

/* ---- closures ---------------------------------------------------------------------- */

/* n->p: Code; kids: capture initialisers (empty: n->k is a static FuncObj). */
Value ev_closure(PNode *n, Frame *f) {
    if (n->nkids == 0) return n->k;
    VAL_BUF(caps, n->nkids);
    for (uint32_t i = 0; i < n->nkids; i++) caps[i] = EVAL(n->kids[i]);
    Code *code = n->p;
    return val_closure(&code->info, n->nkids, caps);
}

/* ---- stack checks ------------------------------------------------------------------- */

/* The preparer wraps every few dozen levels of a deep tree (and of a deep
 * pattern) in one of these: when the process stack is low, the rest of the
 * subtree continues on a new segment (or panics "stack overflow"), exactly
 * like a call does in ev_run_code.  So no recursive evaluator path runs far
 * without a check: chains of fused Int operators, nested literals,
 * argument lists, patterns. */
typedef struct DeepArgs {
    PNode *n;
    Frame *f;
    PPat *pat;
    Value v;
    int64_t i;
    int mode; /* 0 ev, 1 evi, 2 match */
} DeepArgs;

static void *deep_trampoline(void *arg) {
    DeepArgs *d = arg;
    Frame *f = d->f;
    switch (d->mode) {
    case 0: d->v = EVAL(d->n->a); break;
    case 1: d->i = d->n->a->evi(d->n->a, f); break;
    default: d->i = d->pat->sub[0]->m(d->pat->sub[0], d->v, f); break;
    }
    return NULL;
}

Value ev_deep(PNode *n, Frame *f) {
    if (UNLIKELY(proc_stack_low(f->ep->hot))) {
        DeepArgs d = {n, f, NULL, v_unit(), 0, 0};
        stack_grow_call(deep_trampoline, &d);
        return d.v;
    }
    return EVAL(n->a);
}

int64_t evi_deep(PNode *n, Frame *f) {
    if (UNLIKELY(proc_stack_low(f->ep->hot))) {
        DeepArgs d = {n, f, NULL, v_unit(), 0, 1};
        stack_grow_call(deep_trampoline, &d);
        return d.i;
    }
    return n->a->evi(n->a, f);
}

bool pm_deep(PPat *p, Value v, Frame *f) {
    if (UNLIKELY(proc_stack_low(f->ep->hot))) {
        DeepArgs d = {NULL, f, p, v, 0, 2};
        stack_grow_call(deep_trampoline, &d);
        return d.i != 0;
    }
    return p->sub[0]->m(p->sub[0], v, f);
}

/* ---- calls -------------------------------------------------------------------------- */

static Value run_clauses(const Code *code, Frame *f) {
    for (uint32_t i = 0; i < code->nclauses; i++) {
        const Clause *c = &code->clauses[i];
        bool ok = true;
        for (uint32_t j = 0; j < c->nparams; j++) {
            PPat *p = c->params[j];
            if (p && !p->m(p, f->slots[j], f)) { ok = false; break; }
        }
        if (!ok) continue;
        if (c->guard) {
            Value g = EVAL(c->guard); CHECK(g);
            if (!g.i) continue;
        }
        return EVAL(c->body);
    }
    ev_panic_at(f, code->src, "non-exhaustive match");
}

typedef struct GrowArgs {
    EvalProc *ep;
    FuncObj *fo;
    const Code *code;
    int argc;
    Value *argv;
    Value result;
} GrowArgs;

static void *grow_trampoline(void *arg) {
    GrowArgs *g = arg;
    g->result = ev_run_code(g->ep, g->fo, g->code, g->argc, g->argv);
    return NULL;
}

/* Frames: the slots of a call live in a fixed C array, FRAME_SMALL slots
 * in ev_run_code itself (most functions) or FRAME_BIG in run_code_big; a
 * function needing more gets a scratch object on the process heap.  No C
 * array is sized by the program, so a function with 100 000 `let`s cannot
 * jump over the stack check. */
#define FRAME_SMALL 8
#define FRAME_BIG FRAME_TAIL_MAX

static inline __attribute__((always_inline)) Value run_frame(EvalProc *ep, FuncObj *fo, const Code *code, int argc,
                                                             Value *argv, Value *slots, uint32_t cap) {
    ProcHot *hot = ep->hot;
    /* (a plain loop would become a memmove call) */
    switch (argc) {
    case 3: slots[2] = argv[2]; /* fallthrough */
    case 2: slots[1] = argv[1]; /* fallthrough */
    case 1: slots[0] = argv[0]; /* fallthrough */
    case 0: break;
    default:
        for (int i = 0; i < argc; i++) {
            slots[i] = argv[i];
            __asm__ volatile("" ::: "memory");
        }
    }
    ShadowFrame sf = {ep->top, code, code->src, slots};
    ep->top = &sf;
    Frame fr = {slots, fo->caps, fo, ep, &sf, cap};
    for (;;) {
        Frame *f = &fr;
        if (code->prologue) EVAL(code->prologue);
        Value v = code->simple ? EVAL(code->body) : run_clauses(code, f);
        if (LIKELY(v.tag != T_UNWIND)) {
            ep->top = sf.prev;
            return v;
        }
        if (v.aux == UW_RETURN) {
            ep->top = sf.prev;
            return ep->ret;
        }
        /* UW_TAIL: the arguments are in slots[0..], fr.self is the callee
         * (unchanged for a self tail call) */
        /* the callee may be another closure of the same code with other
         * captures (compose(f, g) calling g), so caps always follow self */
        fr.caps = fr.self->caps;
        if (fr.self->fn->code != code) {
            code = fr.self->fn->code;
            sf.code = code;
        }
        sf.at = code->src;
        proc_charge(hot);
    }
}

static __attribute__((noinline)) Value run_code_big(EvalProc *ep, FuncObj *fo, const Code *code, int argc,
                                                    Value *argv) {
    if (code->frame_cap <= FRAME_BIG) {
        Value slots[FRAME_BIG];
        return run_frame(ep, fo, code, argc, argv, slots, FRAME_BIG);
    }
    return run_frame(ep, fo, code, argc, argv, val_scratch(code->frame_cap), code->frame_cap);
}

Value ev_run_code(EvalProc *ep, FuncObj *fo, const Code *code, int argc, Value *argv) {
    ProcHot *hot = ep->hot;
    if (UNLIKELY(proc_stack_low(hot))) {
        GrowArgs g = {ep, fo, code, argc, argv, v_unit()};
        stack_grow_call(grow_trampoline, &g);
        return g.result;
    }
    proc_charge(hot);
    if (LIKELY(code->frame_cap <= FRAME_SMALL)) {
        Value slots[FRAME_SMALL];
        return run_frame(ep, fo, code, argc, argv, slots, FRAME_SMALL);
    }
    return run_code_big(ep, fo, code, argc, argv);
}

static inline Value call_builtin(Frame *f, const Node *site, const FuncObj *fo, int argc, Value *argv) {
    (void)f;
    (void)site;
    return val_call_cfn(fo, argc, argv);
}

Value ev_call_value(Frame *f, const Node *site, Value fn, int argc, Value *argv) {
    if (UNLIKELY(fn.tag != T_FUNC)) ev_panic_at(f, site, "called a value that is not a function");
    FuncObj *fo = AS_FUNC(fn);
    const FuncInfo *fi = fo->fn;
    if (fi->cfn) return call_builtin(f, site, fo, argc, argv);
    EvalProc *ep = f ? f->ep : ev_proc();
    return ev_run_code(ep, fo, fi->code, argc, argv);
}

/* General call: a = callee expression, kids = arguments. */
Value ev_call(PNode *n, Frame *f) {
    Value fn = EVAL(n->a); CHECK(fn);
    VAL_BUF(args, n->nkids);
    for (uint32_t i = 0; i < n->nkids; i++) { args[i] = EVAL(n->kids[i]); CHECK(args[i]); }
    f->sf->at = n->src;
    return ev_call_value(f, n->src, fn, (int)n->nkids, args);
}

/* One-argument call of a known function (the common recursive case). */
Value ev_call_known1(PNode *n, Frame *f) {
    Value arg = OPND(n->kids[0]); CHECK(arg);
    f->sf->at = n->src;
    return ev_run_code(f->ep, AS_FUNC(n->k), n->p, 1, &arg);
}

/* Call of a statically known interpreted function: p = Code, k = FuncObj. */
Value ev_call_known(PNode *n, Frame *f) {
    VAL_BUF(args, n->nkids);
    for (uint32_t i = 0; i < n->nkids; i++) { args[i] = OPND(n->kids[i]); CHECK(args[i]); }
    f->sf->at = n->src;
    return ev_run_code(f->ep, AS_FUNC(n->k), n->p, (int)n->nkids, args);
}

/* Call of a library function: p = BuiltinFn. */
Value ev_call_builtin(PNode *n, Frame *f) {
    VAL_BUF(args, n->nkids);
    for (uint32_t i = 0; i < n->nkids; i++) { args[i] = OPND(n->kids[i]); CHECK(args[i]); }
    f->sf->at = n->src;
    BuiltinFn fn = (BuiltinFn)n->p;
    return fn(args, (int)n->nkids);
}

/* Tail calls: evaluate everything, then overwrite this frame's slots. */
static inline Value do_tail(PNode *n, Frame *f, FuncObj *fo, Value *args, uint32_t argc) {
    const FuncInfo *fi = fo->fn;
    if (fi->cfn) {
        f->sf->at = n->src;
        return val_call_cfn(fo, (int)argc, args);
    }
    const Code *code = fi->code;
    if (UNLIKELY(code->nslots > f->cap)) {
        /* the callee needs a bigger frame (FRAME_TAIL_MAX): continue this
         * frame on the heap, still a tail call */
        Value *slots = val_scratch(code->frame_cap);
        for (uint32_t i = 0; i < argc; i++) slots[i] = args[i];
        f->slots = slots;
        f->cap = code->frame_cap;
        f->self = fo;
        return mk_unwind(UW_TAIL);
    }
    for (uint32_t i = 0; i < argc; i++) f->slots[i] = args[i];
    f->self = fo;
    return mk_unwind(UW_TAIL);
}

Value ev_tail_call(PNode *n, Frame *f) {
    Value fn = EVAL(n->a); CHECK(fn);
    VAL_BUF(args, n->nkids);
    for (uint32_t i = 0; i < n->nkids; i++) { args[i] = EVAL(n->kids[i]); CHECK(args[i]); }
    if (UNLIKELY(fn.tag != T_FUNC)) ev_panic_at(f, n->src, "called a value that is not a function");
    return do_tail(n, f, AS_FUNC(fn), args, n->nkids);
}

/* Self tail calls (the loop idiom): the callee is this frame's own code,
 * so its parameters are slots 0..n-1 and they always fit. */
Value ev_tail_self1(PNode *n, Frame *f) {
    Value a = OPND(n->kids[0]); CHECK(a);
    f->slots[0] = a;
    return mk_unwind(UW_TAIL);
}
Value ev_tail_self2(PNode *n, Frame *f) {
    Value a = OPND(n->kids[0]); CHECK(a);
    Value b = OPND(n->kids[1]); CHECK(b);
    f->slots[0] = a;
    f->slots[1] = b;
    return mk_unwind(UW_TAIL);
}
Value ev_tail_self3(PNode *n, Frame *f) {
    Value a = OPND(n->kids[0]); CHECK(a);
    Value b = OPND(n->kids[1]); CHECK(b);
    Value c = OPND(n->kids[2]); CHECK(c);
    f->slots[0] = a;
    f->slots[1] = b;
    f->slots[2] = c;
    return mk_unwind(UW_TAIL);
}
/* The same when no argument can unwind (the usual case): no checks. */
Value ev_tail_self1n(PNode *n, Frame *f) {
    f->slots[0] = OPND(n->kids[0]);
    return mk_unwind(UW_TAIL);
}
Value ev_tail_self2n(PNode *n, Frame *f) {
    Value a = OPND(n->kids[0]);
    Value b = OPND(n->kids[1]);
    f->slots[0] = a;
    f->slots[1] = b;
    return mk_unwind(UW_TAIL);
}
Value ev_tail_self3n(PNode *n, Frame *f) {
    Value a = OPND(n->kids[0]);
    Value b = OPND(n->kids[1]);
    Value c = OPND(n->kids[2]);
    f->slots[0] = a;
    f->slots[1] = b;
    f->slots[2] = c;
    return mk_unwind(UW_TAIL);
}

/* A function whose body is `if COND do EXIT else SELF(args) end` (or the
 * branches swapped), with a condition and arguments that cannot unwind: the
 * self tail call becomes this C loop (no unwind back to ev_run_code). It
 * does what ev_run_code does per tail call: the arguments replace the
 * parameters, the frame's location is reset, one reduction is charged.
 * a = condition, b = exit branch, slot = 1 when the tail call is the
 * then-branch, p = the Code; kids[0..nkids) = the arguments that are not
 * their own parameter passed back unchanged, r = their parameter slots. */
Value ev_loop_if(PNode *n, Frame *f) {
    PNode *cond = n->a, **kids = n->kids;
    const int32_t *to = n->r;
    const bool on = n->slot != 0;
    const Node *src = ((const Code *)n->p)->src;
    ProcHot *hot = f->ep->hot;
    const uint32_t m = n->nkids;
    for (;;) {
        if ((cond->evi(cond, f) != 0) != on) return EVAL(n->b);
        switch (m) {
        case 0: break;
        case 1: f->slots[to[0]] = OPND(kids[0]); break;
        case 2: {
            Value a0 = OPND(kids[0]);
            f->slots[to[1]] = OPND(kids[1]);
            f->slots[to[0]] = a0;
            break;
        }
        default: {
            Value a0 = OPND(kids[0]);
            Value a1 = OPND(kids[1]);
            f->slots[to[2]] = OPND(kids[2]);
            f->slots[to[0]] = a0;
            f->slots[to[1]] = a1;
            break;
        }
        }
        f->sf->at = src;
        proc_charge(hot);
    }
}

Value ev_tail_self4(PNode *n, Frame *f) {
    Value a = OPND(n->kids[0]); CHECK(a);
    Value b = OPND(n->kids[1]); CHECK(b);
    Value c = OPND(n->kids[2]); CHECK(c);
    Value d = OPND(n->kids[3]); CHECK(d);
    f->slots[0] = a;
    f->slots[1] = b;
    f->slots[2] = c;
    f->slots[3] = d;
    return mk_unwind(UW_TAIL);
}

Value ev_tail_known(PNode *n, Frame *f) {
    VAL_BUF(args, n->nkids);
    for (uint32_t i = 0; i < n->nkids; i++) { args[i] = OPND(n->kids[i]); CHECK(args[i]); }
    return do_tail(n, f, AS_FUNC(n->k), args, n->nkids);
}

/* Inline caches of dynamic method calls: an immutable entry published with
 * one atomic pointer store (worker threads may run the same node at once).
 * A site that has missed MCACHE_LIMIT times stops caching (megamorphic). */
typedef struct MCache {
    const void *key;   /* receiver's type key */
    FuncObj *fn;
    bool field;        /* a struct-field closure: the receiver is not an argument */
    uint32_t misses;
    struct MCache *prev; /* replaced entries stay reachable (leak checkers) */
} MCache;
#define MCACHE_LIMIT 8

static inline bool mcache_get(PNode *n, const void *key, Value *fn, bool *field) {
    MCache *c = __atomic_load_n((MCache **)&n->r, __ATOMIC_ACQUIRE);
    if (c && c->key == key && key) {
        *fn = v_obj(T_FUNC, c->fn);
        *field = c->field;
        return true;
    }
    return false;
}

static void mcache_put(PNode *n, const void *key, Value fn, bool field) {
    MCache *old = __atomic_load_n((MCache **)&n->r, __ATOMIC_ACQUIRE);
    uint32_t misses = old ? old->misses + 1 : 0;
    if (!key || misses >= MCACHE_LIMIT || fn.tag != T_FUNC) return;
    MCache *c = xmalloc(sizeof *c); /* kept: a reader may still hold the old one */
    c->key = key;
    c->fn = AS_FUNC(fn);
    c->field = field;
    c->misses = misses;
    c->prev = old;
    __atomic_store_n((MCache **)&n->r, c, __ATOMIC_RELEASE);
}

/* Method call recv.name(args): a = receiver, kids = args, p = interned name. */
Value ev_call_method(PNode *n, Frame *f) {
    Value recv = EVAL(n->a); CHECK(recv);
    VAL_BUF(args, n->nkids + 1);
    args[0] = recv;
    for (uint32_t i = 0; i < n->nkids; i++) { args[i + 1] = EVAL(n->kids[i]); CHECK(args[i + 1]); }
    f->sf->at = n->src;
    const void *key = impl_key_of(recv);
    bool field = false;
    Value fn;
    if (!mcache_get(n, key, &fn, &field)) {
        fn = ev_find_method(recv, n->p, &field);
        if (fn.tag != T_FUNC)
            ev_panic_at(f, n->src, "no method `%s` for this value", (const char *)n->p);
        mcache_put(n, key, fn, field);
    }
    if (field) return ev_call_value(f, n->src, fn, (int)n->nkids, args + 1);
    return ev_call_value(f, n->src, fn, (int)n->nkids + 1, args);
}

/* Free call of an interface method m(x, ...): dispatch on the first argument.
 * p = name; same inline cache as ev_call_method. */
Value ev_call_dispatch(PNode *n, Frame *f) {
    VAL_BUF(args, n->nkids);
    for (uint32_t i = 0; i < n->nkids; i++) { args[i] = EVAL(n->kids[i]); CHECK(args[i]); }
    f->sf->at = n->src;
    if (n->nkids == 0) ev_panic_at(f, n->src, "`%s` needs an argument to dispatch on", (const char *)n->p);
    const void *key = impl_key_of(args[0]);
    Value fn;
    bool field = false;
    if (!mcache_get(n, key, &fn, &field)) {
        fn = ev_find_method(args[0], n->p, &field);
        if (fn.tag != T_FUNC || field)
            ev_panic_at(f, n->src, "no implementation of `%s` for this value", (const char *)n->p);
        mcache_put(n, key, fn, false);
    }
    return ev_call_value(f, n->src, fn, (int)n->nkids, args);
}

/* s.f(args) where f is a struct field holding a closure: a = struct, slot = index. */
Value ev_call_field(PNode *n, Frame *f) {
    Value s = EVAL(n->a); CHECK(s);
    Value fn = AS_STRUCT(s)->fields[n->slot];
    VAL_BUF(args, n->nkids);
    for (uint32_t i = 0; i < n->nkids; i++) { args[i] = EVAL(n->kids[i]); CHECK(args[i]); }
    f->sf->at = n->src;
    return ev_call_value(f, n->src, fn, (int)n->nkids, args);
}

/* ---- patterns ------------------------------------------------------------------------ */

bool ev_match(PPat *p, Value v, Frame *f) { return p->m(p, v, f); }
bool pm_wild(PPat *p, Value v, Frame *f) { (void)p; (void)v; (void)f; return true; }
bool pm_bind(PPat *p, Value v, Frame *f) { f->slots[p->slot] = v; return true; }
bool pm_int(PPat *p, Value v, Frame *f) { (void)f; return v.tag == T_INT && v.i == p->k.i; }
bool pm_float(PPat *p, Value v, Frame *f) { (void)f; return v.tag == T_FLOAT && v.f == p->k.f; }
bool pm_str(PPat *p, Value v, Frame *f) { (void)f; return v.tag == T_STR && str_eq(v, p->k); }
bool pm_bool(PPat *p, Value v, Frame *f) { (void)f; return v.tag == T_BOOL && v.i == p->k.i; }
bool pm_unit(PPat *p, Value v, Frame *f) { (void)p; (void)f; return v.tag == T_UNIT; }

bool pm_ctor(PPat *p, Value v, Frame *f) {
    if (v.tag != T_VARIANT || v.aux != p->idx) return false;
    VariantObj *o = AS_VARIANT(v);
    if (o->type != p->td) return false;
    for (uint32_t i = 0; i < p->nsub; i++)
        if (!p->sub[i]->m(p->sub[i], o->fields[i], f)) return false;
    return true;
}

bool pm_ctor_flat(PPat *p, Value v, Frame *f) {
    if (v.tag != T_VARIANT || v.aux != p->idx) return false;
    VariantObj *o = AS_VARIANT(v);
    if (o->type != p->td) return false;
    for (uint32_t i = 0; i < p->nsub; i++)
        if (p->sub[i]->m == pm_bind) f->slots[p->sub[i]->slot] = o->fields[i];
    return true;
}

bool pm_tuple(PPat *p, Value v, Frame *f) {
    if (v.tag != T_TUPLE) return false;
    TupleObj *t = AS_TUPLE(v);
    if (t->n != p->nsub) return false;
    for (uint32_t i = 0; i < p->nsub; i++)
        if (!p->sub[i]->m(p->sub[i], t->items[i], f)) return false;
    return true;
}

bool pm_cons(PPat *p, Value v, Frame *f) {
    if (v.tag != T_LIST || list_is_empty(v)) return false;
    if (!p->sub[0]->m(p->sub[0], list_get(v, 0), f)) return false;
    if (p->sub[1]->m == pm_wild) return true;
    return p->sub[1]->m(p->sub[1], list_drop(v, 1), f);
}

bool pm_list(PPat *p, Value v, Frame *f) {
    if (v.tag != T_LIST || list_len(v) != p->nsub) return false;
    for (uint32_t i = 0; i < p->nsub; i++)
        if (!p->sub[i]->m(p->sub[i], list_get(v, i), f)) return false;
    return true;
}

bool pm_or(PPat *p, Value v, Frame *f) {
    for (uint32_t i = 0; i < p->nsub; i++)
        if (p->sub[i]->m(p->sub[i], v, f)) return true;
    return false;
}

bool pm_as(PPat *p, Value v, Frame *f) {
    if (!p->sub[0]->m(p->sub[0], v, f)) return false;
    f->slots[p->slot] = v;
    return true;
}
