/* prepare.c — from the resolved, typed syntax tree to the prepared tree the
 * evaluator walks (architecture.md §1, "prepare").
 *
 * What happens here, once, so that evaluation does no lookups:
 *  - every local variable becomes a frame slot, every captured variable a
 *    capture index of its closure;
 *  - operators are specialised by the types the checker inferred (Int add of
 *    a slot and a constant, Float compare, ...), falling back to a dynamic
 *    version where the type is polymorphic;
 *  - calls of known functions point straight at their Code; calls in tail
 *    position are marked (general tail calls in constant C stack);
 *  - patterns become matcher trees; user types get runtime TypeDescs; impls
 *    fill the method dispatch table. */
#include "prepare.h"

#include <stdlib.h>
#include <string.h>

#include "depth.h"
#include "diag.h"
#include "eval_internal.h"
#include "gc.h"
#include "json.h"
#include "lex.h"
#include "list.h"
#include "map.h"
#include "node.h"
#include "resolve.h"
#include "rt.h"
#include "str.h"
#include "ty.h"
#include "vals.h"
#include "wire.h"
#include "xalloc.h"


/* ---- function contexts ------------------------------------------------------- */

typedef struct FnCtx {
    struct FnCtx *parent;
    Node **owners;      /* fn-like nodes whose locals live in this frame */
    uint32_t nowners;
    uint32_t nslots;
    Sym **caps;         /* captured symbols, in capture order */
    uint32_t ncaps, capcaps;
    Code *code;
    Sym *self_sym;      /* a nested named fn: references to itself */
    bool has_self;      /* captures include the closure itself */
    uint32_t depth;     /* px nesting (stack checks, see px_one) */
    uint32_t pdepth;    /* ppat nesting */
    Node *chain_at;     /* a chain link's left operand, already in slot chain_slot (chain_node) */
    int32_t chain_slot;
    CodeLocal *locals;  /* the variables given a slot (Code.locals) */
    uint32_t nlocals, caplocals;
} FnCtx;

typedef struct TailEdge {
    Code *from, *to;
} TailEdge;

static TailEdge *tail_edges;
static uint32_t ntail, captail;
static bool prep_failed;

static void *xalloc(size_t n) { return ast_alloc(n); }

static PNode *pn(EvalFn ev, Node *src) {
    PNode *p = xalloc(sizeof *p);
    p->ev = ev;
    p->evi = evi_generic;
    p->src = src;
    return p;
}

/* The unboxed evaluator matching a node's (final) evaluator. */
static void set_evi(PNode *p) {
    static const struct { EvalFn ev; IntFn evi; } map[] = {
        {ev_slot, evi_slot}, {ev_const, evi_const},
        {ev_add_ii, evi_add_ii}, {ev_sub_ii, evi_sub_ii}, {ev_mul_ii, evi_mul_ii},
        {ev_add_sk, evi_add_sk}, {ev_sub_sk, evi_sub_sk}, {ev_mul_sk, evi_mul_sk},
        {ev_div_sk, evi_div_sk}, {ev_mod_sk, evi_mod_sk}, {ev_add_ss, evi_add_ss}, {ev_sub_ss, evi_sub_ss},
        {ev_add_sx, evi_add_sx}, {ev_sub_sx, evi_sub_sx},
        {ev_lt_ii, evi_lt_ii}, {ev_le_ii, evi_le_ii}, {ev_gt_ii, evi_gt_ii}, {ev_ge_ii, evi_ge_ii},
        {ev_eq_ii, evi_eq_ii}, {ev_ne_ii, evi_ne_ii},
        {ev_lt_sk, evi_lt_sk}, {ev_le_sk, evi_le_sk}, {ev_gt_sk, evi_gt_sk}, {ev_ge_sk, evi_ge_sk},
        {ev_eq_sk, evi_eq_sk}, {ev_ne_sk, evi_ne_sk},
        {ev_lt_ss, evi_lt_ss}, {ev_le_ss, evi_le_ss}, {ev_gt_ss, evi_gt_ss}, {ev_ge_ss, evi_ge_ss},
        {ev_eq_ss, evi_eq_ss}, {ev_ne_ss, evi_ne_ss},
        {ev_not, evi_not}, {ev_and, evi_and}, {ev_or, evi_or},
    };
    if (p->flags & PF_UNWINDS) return;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (map[i].ev == p->ev) {
            p->evi = map[i].evi;
            return;
        }
}

static PPat *pp(MatchFn m) {
    PPat *p = xalloc(sizeof *p);
    p->m = m;
    return p;
}

static bool owns(FnCtx *c, Node *fn_node) {
    for (uint32_t i = 0; i < c->nowners; i++)
        if (c->owners[i] == fn_node) return true;
    return false;
}

static uint32_t new_slot(FnCtx *c) { return c->nslots++; }

/* Remember that variable s lives in `slot` (for the debugger's locals). */
static void note_local(FnCtx *c, Sym *s, uint32_t slot) {
    if (s->kind != S_LOCAL || !s->def || s->name[0] == '_') return;
    if (c->nlocals == c->caplocals) {
        c->caplocals = c->caplocals ? c->caplocals * 2 : 8;
        c->locals = xrealloc(c->locals, c->caplocals * sizeof *c->locals);
    }
    c->locals[c->nlocals++] = (CodeLocal){s->name, slot, s->def->span.file, s->vis_from, s->vis_to};
}

/* Slot of a binder symbol in ctx c (assigned on first sight). */
static int32_t binder_slot(FnCtx *c, Sym *s) {
    if (s->rt == (void *)c) return (int32_t)s->index;
    s->rt = c;
    s->index = new_slot(c);
    note_local(c, s, s->index);
    return (int32_t)s->index;
}

static uint32_t cap_index(FnCtx *c, Sym *s) {
    for (uint32_t i = 0; i < c->ncaps; i++)
        if (c->caps[i] == s) return i;
    if (c->ncaps == c->capcaps) {
        c->capcaps = c->capcaps ? c->capcaps * 2 : 4;
        c->caps = xrealloc(c->caps, c->capcaps * sizeof *c->caps);
    }
    c->caps[c->ncaps] = s;
    return c->ncaps++;
}

/* ---- runtime objects for top-level symbols ------------------------------------- */

static Code *new_code(const char *name, Node *src, uint32_t nparams) {
    Code *code = xalloc(sizeof *code);
    code->info.name = name;
    code->info.arity = (int)nparams;
    code->info.code = code;
    code->nparams = nparams;
    code->src = src;
    return code;
}

typedef struct FnRt {
    Code *code;
    Value fn;       /* static FuncObj */
    bool prepared;
} FnRt;

static FnRt *fnrt(Sym *s) { return s->rt; }

static FnRt *make_fnrt(Sym *s, const char *name, Node *src, uint32_t nparams) {
    FnRt *r = xalloc(sizeof *r);
    r->code = new_code(name, src, nparams);
    r->fn = val_func_static(&r->code->info);
    s->rt = r;
    if (s->kind == S_ACTOR || s->kind == S_FN) dist_fn_register(r->code->info.name, r->fn); /* Node.spawn by name */
    return r;
}

/* ---- type descriptors -------------------------------------------------------------- */

static const TypeDesc *prelude_td(const char *name) {
    if (strcmp(name, "Option") == 0) return &td_option;
    if (strcmp(name, "Result") == 0) return &td_result;
    if (strcmp(name, "Ordering") == 0) return &td_ordering;
    if (strcmp(name, "ExitReason") == 0) return &td_exit_reason;
    if (strcmp(name, "Signal") == 0) return &td_signal;
    return NULL;
}

static uint32_t default_derives(Sym *s) {
    uint32_t d = ty_derives(s);
    return d;
}

/* The REPL recompiles its session for every input: a type whose definition
 * text did not change keeps its TypeDesc, so values built by earlier inputs
 * still match patterns and print with the current impls. */
typedef struct TdReg {
    struct TdReg *next;
    char *key;
    TypeDesc *td;
} TdReg;
static TdReg *td_registry;
static bool td_registry_on;

void prepare_keep_types(bool on) { td_registry_on = on; }

static char *td_key(Sym *s) {
    Node *def = s->def;
    SourceFile *f = src_get(def->span.file);
    size_t n = f ? def->span.len : 0;
    char *k = xmalloc(strlen(s->name) + n + 2);
    strcpy(k, s->name);
    strcat(k, "\n");
    if (n) strncat(k, f->text + def->span.off, n);
    return k;
}

static TypeDesc *make_td(Sym *s) {
    if (s->rt) return s->rt;
    Node *def = s->def;
    if (s->mod == resolve_prelude()) {
        const TypeDesc *b = prelude_td(s->name);
        s->rt = (void *)b;
        return (TypeDesc *)b;
    }
    char *key = NULL;
    if (td_registry_on) {
        key = td_key(s);
        for (TdReg *r = td_registry; r; r = r->next) {
            if (strcmp(r->key, key) == 0) {
                free(key);
                s->rt = r->td;
                r->td->derives = default_derives(s);
                r->td->to_string_fn = r->td->eq_fn = r->td->lt_fn = r->td->hash_fn = r->td->compare_fn = v_unit();
                return r->td;
            }
        }
    }
    TypeDesc *td = gc_alloc_static(sizeof *td + 16, OK_RAW);
    memset(td, 0, sizeof *td);
    s->rt = td;
    if (key) {
        TdReg *r = xmalloc(sizeof *r);
        r->key = key;
        r->td = td;
        r->next = td_registry;
        td_registry = r;
    }
    td->name = s->name;
    td->qual_name = s->name;
    wire_type_add(td); /* values of it can arrive from other nodes */
    td->nparams = def->tdef.generics.n;
    td->derives = default_derives(s);
    td->to_string_fn = td->eq_fn = td->lt_fn = td->hash_fn = td->compare_fn = v_unit();
    if (def->kind == N_STRUCT) {
        td->kind = TD_STRUCT;
        td->nfields = def->tdef.members.n;
        const char **names = xalloc((td->nfields + 1) * sizeof *names);
        for (uint32_t i = 0; i < td->nfields; i++) names[i] = def->tdef.members.v[i]->field.name.id;
        td->field_names = names;
    } else {
        td->kind = TD_SUM;
        td->nvariants = def->tdef.members.n;
        VariantDesc *vd = xalloc((td->nvariants + 1) * sizeof *vd);
        td->variants = vd;
        for (uint32_t i = 0; i < td->nvariants; i++) {
            Node *v = def->tdef.members.v[i];
            vd[i].name = v->variant.name.id;
            vd[i].nfields = v->variant.fields.n;
            if (vd[i].nfields == 0) vd[i].singleton = val_make_singleton(td, i);
        }
    }
    return td;
}

/* RtType of a checked type (JSON decoding, Row decoding, defaults). */
static const RtType *rt_type_of(Type *t);

static const RtType *rt_simple(RtKind k) {
    RtType *r = xalloc(sizeof *r);
    r->kind = k;
    return r;
}

static const RtType *rt_type_of(Type *t) {
    if (!t) return rt_simple(RK_OTHER);
    t = ty_prune(t);
    RtType *r = xalloc(sizeof *r);
    switch (ty_kind(t)) {
    case TYK_INT: r->kind = RK_INT; break;
    case TYK_FLOAT: r->kind = RK_FLOAT; break;
    case TYK_BOOL: r->kind = RK_BOOL; break;
    case TYK_STRING: r->kind = RK_STRING; break;
    case TYK_UNIT: r->kind = RK_UNIT; break;
    case TYK_JSON: r->kind = RK_JSON; break;
    case TYK_LIST: case TYK_SET: case TYK_MAP: case TYK_TUPLE: {
        TyKindPub k = ty_kind(t);
        r->kind = k == TYK_LIST ? RK_LIST : k == TYK_SET ? RK_SET : k == TYK_MAP ? RK_MAP : RK_TUPLE;
        r->nargs = ty_nargs(t);
        const RtType **a = xalloc(((size_t)r->nargs + 1) * sizeof *a);
        for (int i = 0; i < r->nargs; i++) a[i] = rt_type_of(ty_arg(t, i));
        r->args = a;
        break;
    }
    case TYK_USER: {
        Sym *s = ty_sym(t);
        const char *nm = s->name;
        if (s->mod == resolve_prelude() && strcmp(nm, "Option") == 0) r->kind = RK_OPTION;
        else if (s->mod == resolve_prelude() && strcmp(nm, "Result") == 0) r->kind = RK_RESULT;
        else { r->kind = RK_USER; r->user = make_td(s); }
        r->nargs = ty_nargs(t);
        const RtType **a = xalloc(((size_t)r->nargs + 1) * sizeof *a);
        for (int i = 0; i < r->nargs; i++) a[i] = rt_type_of(ty_arg(t, i));
        r->args = a;
        break;
    }
    default: r->kind = RK_OTHER; break;
    }
    return r;
}

/* Field types of user types (RtType with RK_PARAM for generic parameters),
 * from the declarations: filled after every TypeDesc exists. */
static const RtType *rt_from_decl(Node *t, Node *owner);

static const RtType *rt_from_decl(Node *t, Node *owner) {
    RtType *r = xalloc(sizeof *r);
    if (!t) { r->kind = RK_OTHER; return r; }
    if (t->kind == TY_TUPLE) {
        r->kind = t->list.items.n ? RK_TUPLE : RK_UNIT;
        r->nargs = (int)t->list.items.n;
        const RtType **a = xalloc(((size_t)r->nargs + 1) * sizeof *a);
        for (int i = 0; i < r->nargs; i++) a[i] = rt_from_decl(t->list.items.v[i], owner);
        r->args = a;
        return r;
    }
    if (t->kind != TY_NAME || !t->sym) { r->kind = RK_OTHER; return r; }
    Sym *s = t->sym;
    r->nargs = (int)t->tname.args.n;
    const RtType **a = xalloc(((size_t)r->nargs + 1) * sizeof *a);
    for (int i = 0; i < r->nargs; i++) a[i] = rt_from_decl(t->tname.args.v[i], owner);
    r->args = a;
    switch (s->kind) {
    case S_TYPEVAR:
        r->kind = RK_PARAM;
        r->param = (int)s->index;
        for (uint32_t i = 0; i < owner->tdef.generics.n; i++)
            if (owner->tdef.generics.v[i]->name.id.id == s->name) r->param = (int)i;
        break;
    case S_BUILTIN_TYPE: {
        const char *n = s->name;
        if (!strcmp(n, "Int")) r->kind = RK_INT;
        else if (!strcmp(n, "Float")) r->kind = RK_FLOAT;
        else if (!strcmp(n, "Bool")) r->kind = RK_BOOL;
        else if (!strcmp(n, "String")) r->kind = RK_STRING;
        else if (!strcmp(n, "List")) r->kind = RK_LIST;
        else if (!strcmp(n, "Map")) r->kind = RK_MAP;
        else if (!strcmp(n, "Set")) r->kind = RK_SET;
        else if (!strcmp(n, "Json")) r->kind = RK_JSON;
        else r->kind = RK_OTHER;
        break;
    }
    case S_STRUCT: case S_SUMTYPE:
        if (s->mod == resolve_prelude() && !strcmp(s->name, "Option")) r->kind = RK_OPTION;
        else if (s->mod == resolve_prelude() && !strcmp(s->name, "Result")) r->kind = RK_RESULT;
        else { r->kind = RK_USER; r->user = make_td(s); }
        break;
    case S_ALIAS: return rt_from_decl(s->def->tdef.alias_of, owner);
    default: r->kind = RK_OTHER; break;
    }
    return r;
}

static void fill_td_fields(Sym *s) {
    TypeDesc *td = make_td(s);
    if (s->mod == resolve_prelude()) return;
    Node *def = s->def;
    if (td->kind == TD_STRUCT) {
        const RtType **ft = xalloc((td->nfields + 1) * sizeof *ft);
        for (uint32_t i = 0; i < td->nfields; i++) ft[i] = rt_from_decl(def->tdef.members.v[i]->field.type, def);
        td->field_types = ft;
    } else {
        for (uint32_t i = 0; i < td->nvariants; i++) {
            Node *v = def->tdef.members.v[i];
            const RtType **ft = xalloc((v->variant.fields.n + 1) * sizeof *ft);
            for (uint32_t k = 0; k < v->variant.fields.n; k++) ft[k] = rt_from_decl(v->variant.fields.v[k]->field.type, def);
            td->variants[i].field_types = ft;
        }
    }
}

/* ---- expressions ----------------------------------------------------------------- */

static PNode *px(FnCtx *c, Node *n, bool tail);
static PPat *ppat(FnCtx *c, Node *p);
static PNode *pblock(FnCtx *c, Node *b, bool tail, bool discard);
static Code *prepare_closure_code(FnCtx *parent, Node *closure, Sym *self_sym, const char *name, FnCtx *out_ctx);

static PNode *mk_const(Value v, Node *src) {
    PNode *p = pn(ev_const, src);
    p->k = v;
    return p;
}

static Value ctor_fn_value(Sym *ctor);
static Value method_fn_value(Sym *m);
static Value from_fn_value(FnCtx *c, Node *fa, Sym *type);
static Value supervisor_value(Sym *s);

/* A binder of some function: a slot of this frame, or a capture. */
static PNode *load_binder(FnCtx *c, Sym *s, Node *src) {
    bool own = owns(c, s->fn_node);
    PNode *p = pn(own ? ev_slot : ev_cap, src);
    p->slot = own ? binder_slot(c, s) : (int32_t)cap_index(c, s);
    return p;
}

/* Load the value a symbol denotes, in context c. */
static PNode *load_sym(FnCtx *c, Sym *s, Node *src) {
    switch (s->kind) {
    case S_LOCAL: return load_binder(c, s, src);
    case S_FN:
        if (s->fn_node) {
            /* nested named function: itself, a local slot, or a capture */
            if (s == c->self_sym) return pn(ev_self_fn, src);
            return load_binder(c, s, src);
        }
        return mk_const(fnrt(s)->fn, src);
    case S_ACTOR:
        return mk_const(fnrt(s)->fn, src);
    case S_CTOR: {
        TypeDesc *td = make_td(s->owner);
        if (s->arity == 0) return mk_const(v_variant(td->variants[s->index].singleton), src);
        return mk_const(ctor_fn_value(s), src);
    }
    case S_BUILTIN: {
        const StdFn *f = s->builtin;
        if (f->flags & SF_CONST) {
            PNode *p = pn(ev_call_builtin, src);
            p->p = (void *)f->impl;
            return p;
        }
        return mk_const(ev_std_fn(f), src);
    }
    case S_METHOD: return mk_const(method_fn_value(s), src);
    case S_SUPERVISOR: return mk_const(supervisor_value(s), src);
    default: {
        Diag *d = diag_new(DIAG_ERROR, NULL, src->span, "`%s` cannot be used as a value here", s->name);
        diag_emit(d);
        prep_failed = true;
        return mk_const(v_unit(), src);
    }
    }
}

static uint32_t unwinds(PNode *p) { return p ? (p->flags & PF_UNWINDS) : 0; }

static PNode **pxlist(FnCtx *c, NodeList l, uint32_t *flags) {
    PNode **v = xalloc((l.n + 1) * sizeof *v);
    for (uint32_t i = 0; i < l.n; i++) {
        v[i] = px(c, l.v[i], false);
        *flags |= unwinds(v[i]);
    }
    return v;
}

static TyKindPub kind_of(Node *n) {
    if (!n || !n->ty) return TYK_VAR;
    return ty_kind(ty_prune(n->ty));
}

static bool is_slot(PNode *p) { return p->ev == ev_slot; }
static bool is_int_const(PNode *p) { return p->ev == ev_const && p->k.tag == T_INT; }

static PNode *binop(FnCtx *c, Node *n) {
    int op = n->bin.op;
    if (op == TK_AND || op == TK_ANDAND || op == TK_OR || op == TK_OROR) {
        PNode *p = pn((op == TK_AND || op == TK_ANDAND) ? ev_and : ev_or, n);
        p->a = px(c, n->bin.lhs, false);
        p->b = px(c, n->bin.rhs, false);
        p->flags |= unwinds(p->a) | unwinds(p->b);
        return p;
    }
    PNode *a = px(c, n->bin.lhs, false);
    PNode *b = px(c, n->bin.rhs, false);
    TyRes *tr = n->aux;
    if (tr && tr->kind == TR_IMPL_METHOD && tr->fn && tr->fn->sym) {
        PNode *p = pn(ev_user_binop, n);
        p->a = a;
        p->b = b;
        FnRt *r = tr->fn->aux;
        p->k = r ? r->fn : v_unit();
        p->slot = (tr->negate ? 1 : 0) | (tr->swap ? 2 : 0);
        p->flags |= unwinds(a) | unwinds(b);
        if (r) return p;
    }
    TyKindPub k = kind_of(n->bin.lhs);
    /* an Int literal operand fixes the type of both (operands unify) */
    if (is_int_const(a) || is_int_const(b)) k = TYK_INT;
    if (k == TYK_VAR && (kind_of(n->bin.rhs) == TYK_INT || kind_of(n->bin.rhs) == TYK_FLOAT)) k = kind_of(n->bin.rhs);
    EvalFn ev = NULL;
    bool sk = is_slot(a) && is_int_const(b) && k == TYK_INT;
    switch (op) {
    case TK_PLUS: ev = k == TYK_INT ? (sk ? ev_add_sk : ev_add_ii) : k == TYK_FLOAT ? ev_add_ff : ev_add; break;
    case TK_MINUS: ev = k == TYK_INT ? (sk ? ev_sub_sk : ev_sub_ii) : k == TYK_FLOAT ? ev_sub_ff : ev_sub; break;
    case TK_STAR: ev = k == TYK_INT ? ev_mul_ii : k == TYK_FLOAT ? ev_mul_ff : ev_mul; break;
    case TK_SLASH: ev = k == TYK_FLOAT ? ev_div_ff : ev_div; break;
    case TK_PERCENT: ev = ev_mod; break;
    case TK_EQEQ: ev = (k == TYK_INT || k == TYK_BOOL) ? (sk ? ev_eq_sk : ev_eq_ii) : ev_eq; break;
    case TK_NEQ: ev = (k == TYK_INT || k == TYK_BOOL) ? (sk ? ev_ne_sk : ev_ne_ii) : ev_ne; break;
    case TK_LT: ev = k == TYK_INT ? (sk ? ev_lt_sk : ev_lt_ii) : ev_lt; break;
    case TK_LE: ev = k == TYK_INT ? (sk ? ev_le_sk : ev_le_ii) : ev_le; break;
    case TK_GT: ev = k == TYK_INT ? (sk ? ev_gt_sk : ev_gt_ii) : ev_gt; break;
    case TK_GE: ev = k == TYK_INT ? (sk ? ev_ge_sk : ev_ge_ii) : ev_ge; break;
    case TK_DIAMOND: case TK_PLUSPLUS: ev = ev_concat; break;
    case TK_DOTDOT: ev = ev_range; break;
    default: ev = ev_add; break;
    }
    /* the unboxed Int forms read their operands with evi: no unwinding inside */
    if ((unwinds(a) | unwinds(b)) && (ev == ev_add_ii || ev == ev_sub_ii || ev == ev_mul_ii || ev == ev_lt_ii ||
                                      ev == ev_le_ii || ev == ev_gt_ii || ev == ev_ge_ii || ev == ev_eq_ii ||
                                      ev == ev_ne_ii)) {
        ev = ev == ev_add_ii ? ev_add : ev == ev_sub_ii ? ev_sub : ev == ev_mul_ii ? ev_mul : ev == ev_lt_ii ? ev_lt
           : ev == ev_le_ii ? ev_le : ev == ev_gt_ii ? ev_gt : ev == ev_ge_ii ? ev_ge : ev == ev_eq_ii ? ev_eq : ev_ne;
    }
    /* more fused forms for Int operands: slot op slot, slot * / % constant */
    bool ss = k == TYK_INT && is_slot(a) && is_slot(b);
    if (ss) {
        EvalFn e2 = NULL;
        switch (op) {
        case TK_PLUS: e2 = ev_add_ss; break;
        case TK_MINUS: e2 = ev_sub_ss; break;
        case TK_EQEQ: e2 = ev_eq_ss; break;
        case TK_NEQ: e2 = ev_ne_ss; break;
        case TK_LT: e2 = ev_lt_ss; break;
        case TK_LE: e2 = ev_le_ss; break;
        case TK_GT: e2 = ev_gt_ss; break;
        case TK_GE: e2 = ev_ge_ss; break;
        default: break;
        }
        if (e2) {
            PNode *p = pn(e2, n);
            p->slot = a->slot;
            p->k = v_int(b->slot);
            p->a = a;
            p->b = b;
            return p;
        }
    }
    if (sk && (op == TK_STAR || ((op == TK_SLASH || op == TK_PERCENT) && b->k.i != 0 && b->k.i != -1))) {
        PNode *p = pn(op == TK_STAR ? ev_mul_sk : op == TK_SLASH ? ev_div_sk : ev_mod_sk, n);
        p->slot = a->slot;
        p->k = b->k;
        p->a = a;
        p->b = b;
        return p;
    }
    if ((ev == ev_add_ii || ev == ev_sub_ii) && is_slot(a)) {
        PNode *p = pn(ev == ev_add_ii ? ev_add_sx : ev_sub_sx, n);
        p->slot = a->slot;
        p->a = a;
        p->b = b;
        return p;
    }
    PNode *p = pn(ev, n);
    if (sk && (ev == ev_add_sk || ev == ev_sub_sk || ev == ev_eq_sk || ev == ev_ne_sk || ev == ev_lt_sk ||
               ev == ev_le_sk || ev == ev_gt_sk || ev == ev_ge_sk)) {
        p->slot = a->slot;
        p->k = b->k;
    }
    p->a = a;
    p->b = b;
    p->flags |= unwinds(a) | unwinds(b);
    return p;
}

/* Snake case of a handler name (concurrency.md §11.2). */
static const char *snake(const char *s) {
    char buf[256];
    size_t o = 0;
    for (size_t i = 0; s[i] && o < sizeof buf - 2; i++) {
        char ch = s[i];
        if (ch >= 'A' && ch <= 'Z') {
            if (i > 0) buf[o++] = '_';
            buf[o++] = (char)(ch - 'A' + 'a');
        } else {
            buf[o++] = ch;
        }
    }
    return ast_intern(buf, o);
}

/* A call whose target function is known when preparing.  A tail call is
 * recorded as an edge of the tail-call graph: it reuses the caller's frame,
 * so that frame must be as large as the callee's (fix_frame_caps). */
static PNode *prep_known_call(FnCtx *c, Node *n, FnRt *r, PNode **args, uint32_t nargs, uint32_t fl, bool tail) {
    PNode *p = pn(tail ? ev_tail_known : nargs == 1 ? ev_call_known1 : ev_call_known, n);
    p->p = r->code;
    p->k = r->fn;
    p->kids = args;
    p->nkids = nargs;
    p->flags = fl;
    if (tail) {
        if (ntail == captail) {
            captail = captail ? captail * 2 : 64;
            tail_edges = xrealloc(tail_edges, captail * sizeof *tail_edges);
        }
        tail_edges[ntail++] = (TailEdge){c->code, r->code};
    }
    return p;
}

/* prepare_conc.inc, included below */
static PNode *prep_service_call(FnCtx *c, Node *n, Sym *svc, const char *name, PNode **args, uint32_t nargs, uint32_t fl);
static PNode *prep_from_json(FnCtx *c, Node *n, Sym *type, bool row, PNode **args, uint32_t nargs, uint32_t fl);
static PNode *prep_special_builtin(FnCtx *c, Node *n, const StdFn *f, PNode **args, uint32_t nargs, uint32_t fl);
static void retag(Node *n, Node *from, Node *to);

static PNode *call_node(FnCtx *c, Node *n, bool tail) {
    Node *callee = n->call.callee;
    uint32_t fl = 0;
    PNode **args = pxlist(c, n->call.args, &fl);
    uint32_t nargs = n->call.args.n;
    Sym *s = callee->sym;
    TyRes *tr = n->aux;
    PNode *p = NULL;

    /* method calls resolved by the type checker */
    if (tr && callee->kind == N_FIELDACC && !s) {
        if (tr->kind == TR_FIELD_CALL) {
            p = pn(ev_call_field, n);
            p->a = px(c, callee->field_acc.base, false);
            p->slot = (int32_t)tr->index;
            p->kids = args;
            p->nkids = nargs;
            p->flags = fl | unwinds(p->a);
            return p;
        }
        if (tr->kind == TR_STD_METHOD && tr->std) {
            const StdFn *sf = tr->std;
            PNode **all = xalloc((nargs + 2) * sizeof *all);
            all[0] = px(c, callee->field_acc.base, false);
            fl |= unwinds(all[0]);
            for (uint32_t i = 0; i < nargs; i++) all[i + 1] = args[i];
            p = pn(ev_call_builtin, n);
            p->p = (void *)sf->impl;
            p->kids = all;
            p->nkids = nargs + 1;
            p->flags = fl;
            return p;
        }
        if (tr->kind == TR_IMPL_METHOD && tr->fn && tr->fn->aux) {
            FnRt *r = tr->fn->aux;
            PNode **all = xalloc((nargs + 2) * sizeof *all);
            all[0] = px(c, callee->field_acc.base, false);
            fl |= unwinds(all[0]);
            for (uint32_t i = 0; i < nargs; i++) all[i + 1] = args[i];
            return prep_known_call(c, n, r, all, nargs + 1, fl, tail);
        }
    }

    if (s && (callee->kind == N_NAME || callee->kind == N_FIELDACC)) {
        switch (s->kind) {
        case S_FN:
            if (s->fn_node) break; /* nested: a local closure value */
            /* fallthrough */
        case S_ACTOR: {
            FnRt *r = fnrt(s);
            if (tail && r->code == c->code && nargs >= 1 && nargs <= 4) {
                static const EvalFn selfs[] = {NULL, ev_tail_self1, ev_tail_self2, ev_tail_self3, ev_tail_self4};
                static const EvalFn selfs_n[] = {NULL, ev_tail_self1n, ev_tail_self2n, ev_tail_self3n, ev_tail_self4};
                p = pn((fl & PF_UNWINDS) ? selfs[nargs] : selfs_n[nargs], n);
                p->kids = args;
                p->nkids = nargs;
                p->flags = fl;
                return p;
            }
            return prep_known_call(c, n, r, args, nargs, fl, tail);
        }
        case S_BUILTIN: {
            const StdFn *f = s->builtin;
            if (f->flags & SF_SPECIAL) {
                PNode *sp = prep_special_builtin(c, n, f, args, nargs, fl);
                if (sp) return sp;
            }
            p = pn(ev_call_builtin, n);
            p->p = (void *)f->impl;
            p->kids = args;
            p->nkids = nargs;
            p->flags = fl;
            return p;
        }
        case S_CTOR: {
            p = pn(ev_variant, n);
            p->p = make_td(s->owner);
            p->slot = (int32_t)s->index;
            p->kids = args;
            p->nkids = nargs;
            p->flags = fl;
            return p;
        }
        case S_METHOD: case S_INTERFACE: {
            /* m(x) / Trait.m(x) the type checker resolved to one impl's
             * method: a known call (by name at run time, two traits giving
             * the type a method of the same name could not be told apart) */
            if (tr && tr->kind == TR_IMPL_METHOD && tr->fn && tr->fn->aux) {
                FnRt *r = tr->fn->aux;
                return prep_known_call(c, n, r, args, nargs, fl, tail);
            }
            p = pn(ev_call_dispatch, n);
            if (s->kind == S_METHOD) {
                p->p = (void *)s->name;
            } else {
                /* Trait.m(x): dispatch on the trait-qualified name, so two
                 * traits giving one type a method `m` stay apart */
                char q[256];
                snprintf(q, sizeof q, "%s.%s", s->name, callee->field_acc.name.id);
                p->p = (void *)ast_intern(q, strlen(q));
            }
            p->kids = args;
            p->nkids = nargs;
            p->flags = fl;
            return p;
        }
        case S_SERVICE:
            if (callee->kind == N_FIELDACC) return prep_service_call(c, n, s, callee->field_acc.name.id, args, nargs, fl);
            break;
        case S_STRUCT: case S_SUMTYPE:
            if (callee->kind == N_FIELDACC)
                return prep_from_json(c, n, s, strcmp(callee->field_acc.name.id, "from_row") == 0, args, nargs, fl);
            break;
        default: break;
        }
    }
    if (callee->kind == N_FIELDACC && !s) {
        /* dynamic method call */
        p = pn(ev_call_method, n);
        p->a = px(c, callee->field_acc.base, false);
        p->p = (void *)callee->field_acc.name.id;
        p->kids = args;
        p->nkids = nargs;
        p->flags = fl | unwinds(p->a);
        return p;
    }
    p = pn(tail ? ev_tail_call : ev_call, n);
    p->a = px(c, callee, false);
    p->kids = args;
    p->nkids = nargs;
    p->flags = fl | unwinds(p->a);
    return p;
}

static PNode *field_node(FnCtx *c, Node *n) {
    Sym *s = n->sym;
    if (s) {
        if (s->kind == S_STRUCT || s->kind == S_SUMTYPE) /* T.from_json / T.from_row as a value */
            return mk_const(from_fn_value(c, n, s), n);
        if (s->kind == S_SERVICE || s->kind == S_INTERFACE) {
            Diag *d = diag_new(DIAG_ERROR, NULL, n->span, "`%s.%s` can only be called", s->name, n->field_acc.name.id);
            diag_emit(d);
            prep_failed = true;
            return mk_const(v_unit(), n);
        }
        return load_sym(c, s, n);
    }
    TyRes *tr = n->aux;
    PNode *base = px(c, n->field_acc.base, false);
    if (tr && tr->kind == TR_FIELD) {
        PNode *p = pn(ev_field_idx, n);
        p->a = base;
        p->slot = (int32_t)tr->index;
        p->flags = unwinds(base);
        return p;
    }
    PNode *p = pn(ev_field, n);
    p->a = base;
    p->p = (void *)n->field_acc.name.id;
    p->q = NULL;
    p->flags = unwinds(base);
    return p;
}

static PNode *struct_lit(FnCtx *c, Node *n) {
    Sym *s = n->slit.type->sym;
    TypeDesc *td = make_td(s);
    PNode *p = pn(ev_struct, n);
    p->p = td;
    uint32_t nf = n->slit.fields.n;
    uint32_t *order = xalloc((nf + 1) * sizeof *order);
    p->kids = xalloc((nf + 1) * sizeof *p->kids);
    for (uint32_t i = 0; i < nf; i++) {
        Node *fi = n->slit.fields.v[i];
        p->kids[i] = px(c, fi->field_init.value, false);
        p->flags |= unwinds(p->kids[i]);
        order[i] = 0;
        for (uint32_t k = 0; k < td->nfields; k++)
            if (td->field_names[k] == fi->field_init.name.id) order[i] = k;
    }
    p->q = order;
    p->nkids = nf;
    return p;
}

static PNode *case_node(FnCtx *c, Node *n, bool tail) {
    PNode *p = pn(ev_case, n);
    p->a = px(c, n->case_.scrut, false);
    p->flags |= unwinds(p->a);
    p->nkids = n->case_.arms.n;
    p->kids = xalloc((p->nkids + 1) * sizeof *p->kids);
    for (uint32_t i = 0; i < p->nkids; i++) {
        Node *arm = n->case_.arms.v[i];
        PNode *a = pn(NULL, arm);
        a->p = ppat(c, arm->arm.pat);
        if (arm->arm.guard) a->a = px(c, arm->arm.guard, false);
        a->b = px(c, arm->arm.body, tail);
        p->flags |= unwinds(a->a) | unwinds(a->b);
        p->kids[i] = a;
    }
    return p;
}

static bool is_signal_pattern(Node *pat) {
    while (pat && pat->kind == P_AS) pat = pat->as_.pat;
    if (!pat || pat->kind != P_CTOR || !pat->sym || !pat->sym->owner) return false;
    Sym *ty = pat->sym->owner;
    return ty->mod == resolve_prelude() && strcmp(ty->name, "Signal") == 0;
}

/* The slots a pattern binds, listed in arm->q (int32_t[arm->nkids]):
 * receive looks at them to tell whether the bindings point into the
 * message (see ev_receive). */
static void bound_slots(PPat *p, PNode *arm) {
    if (p->m == pm_bind || p->m == pm_as) {
        arm->q = xrealloc(arm->q, (arm->nkids + 1) * sizeof(int32_t));
        ((int32_t *)arm->q)[arm->nkids++] = p->slot;
    }
    for (uint32_t i = 0; i < p->nsub; i++) bound_slots(p->sub[i], arm);
}

static PNode *receive_node(FnCtx *c, Node *n, bool tail) {
    PNode *p = pn(ev_receive, n);
    p->nkids = n->recv.arms.n;
    p->kids = xalloc((p->nkids + 1) * sizeof *p->kids);
    for (uint32_t i = 0; i < p->nkids; i++) {
        Node *arm = n->recv.arms.v[i];
        PNode *a = pn(NULL, arm);
        a->p = ppat(c, arm->arm.pat);
        a->slot = is_signal_pattern(arm->arm.pat) ? MB_SIGNAL : MB_USER;
        bound_slots(a->p, a);
        if (arm->arm.guard) a->a = px(c, arm->arm.guard, false);
        a->b = px(c, arm->arm.body, tail);
        p->flags |= unwinds(a->a) | unwinds(a->b);
        p->kids[i] = a;
    }
    if (n->recv.after_ms) {
        p->a = px(c, n->recv.after_ms, false);
        p->b = px(c, n->recv.after_body, tail);
        p->flags |= unwinds(p->a) | unwinds(p->b);
    }
    return p;
}

static PNode *for_node(FnCtx *c, Node *n, bool discard) {
    PNode *p = pn(ev_for, n);
    p->a = px(c, n->for_.iter, false);
    p->p = ppat(c, n->for_.var);
    if (n->for_.var2) p->q = ppat(c, n->for_.var2);
    if (n->for_.filter) p->c = px(c, n->for_.filter, false);
    p->b = pblock(c, n->for_.body, false, false);
    /* break/continue are consumed by the loop; return passes through */
    p->flags |= unwinds(p->a) | unwinds(p->c) | unwinds(p->b);
    if (discard) p->flags |= PF_DISCARD;
    return p;
}

static PNode *closure_node(FnCtx *c, Node *n, Sym *self_sym, const char *name) {
    FnCtx cc;
    Code *code = prepare_closure_code(c, n, self_sym, name, &cc);
    PNode *p = pn(ev_closure, n);
    p->p = code;
    p->nkids = cc.ncaps;
    if (cc.ncaps == 0) {
        p->k = val_func_static(&code->info);
    } else {
        p->kids = xalloc((cc.ncaps + 1) * sizeof *p->kids);
        for (uint32_t i = 0; i < cc.ncaps; i++) p->kids[i] = load_sym(c, cc.caps[i], n);
    }
    free(cc.caps);
    free(cc.locals);
    return p;
}

static PNode *px_node(FnCtx *c, Node *n, bool tail) {
    if (!n) return mk_const(v_unit(), NULL);
    PNode *p;
    switch (n->kind) {
    case N_INT: return mk_const(v_int(n->lit.i), n);
    case N_FLOAT: return mk_const(v_float(n->lit.f), n);
    case N_BOOL: return mk_const(v_bool(n->lit.i != 0), n);
    case N_UNIT: return mk_const(v_unit(), n);
    case N_STRING: return mk_const(str_static(n->lit.s, n->lit.n), n);
    case N_INTERP: {
        p = pn(ev_interp, n);
        if (n->list.items.n == 0) return mk_const(str_empty(), n);
        p->kids = pxlist(c, n->list.items, &p->flags);
        p->nkids = n->list.items.n;
        if (p->nkids == 1 && p->kids[0]->ev == ev_const && p->kids[0]->k.tag == T_STR) return p->kids[0];
        if (p->nkids == 1) {
            PNode *t = pn(ev_to_string, n);
            t->a = p->kids[0];
            t->flags = p->flags;
            return t;
        }
        return p;
    }
    case N_NAME:
        if (!n->sym) return mk_const(v_unit(), n);
        return load_sym(c, n->sym, n);
    case N_SELF:
        if (!n->sym) return mk_const(v_unit(), n);
        return load_sym(c, n->sym, n);
    case N_TUPLE:
        p = pn(ev_tuple, n);
        p->kids = pxlist(c, n->list.items, &p->flags);
        p->nkids = n->list.items.n;
        return p;
    case N_LIST:
        p = pn(ev_list, n);
        p->kids = pxlist(c, n->list.items, &p->flags);
        p->nkids = n->list.items.n;
        return p;
    case N_MAPLIT:
        p = pn(ev_map, n);
        p->kids = pxlist(c, n->list.items, &p->flags);
        p->nkids = n->list.items.n;
        return p;
    case N_BINOP: return binop(c, n);
    case N_UNOP:
        p = pn(n->un.op == TK_MINUS ? ev_neg : ev_not, n);
        p->a = px(c, n->un.operand, false);
        p->flags = unwinds(p->a);
        return p;
    case N_CALL: return call_node(c, n, tail);
    case N_FIELDACC: return field_node(c, n);
    case N_INDEX:
        p = pn(ev_index, n);
        p->a = px(c, n->bin.lhs, false);
        p->b = px(c, n->bin.rhs, false);
        p->flags = unwinds(p->a) | unwinds(p->b);
        return p;
    case N_TRY:
        p = pn(ev_try, n);
        p->a = px(c, n->un.operand, false);
        p->flags = PF_UNWINDS;
        return p;
    case N_STRUCTLIT: return struct_lit(c, n);
    case N_IF:
        p = pn(n->if_.els ? ev_if : ev_if_noelse, n);
        p->a = px(c, n->if_.cond, false);
        /* decision 23: the then-branch of an else-less `if` is a tail
         * position too, but only when its value is () like the `if`'s
         * (decision 26): a tail call would hand its result to the caller */
        p->b = pblock(c, n->if_.then, tail && (n->if_.els || kind_of(n->if_.then) == TYK_UNIT), false);
        if (n->if_.els) p->c = n->if_.els->kind == N_IF ? px(c, n->if_.els, tail) : pblock(c, n->if_.els, tail, false);
        p->flags = unwinds(p->a) | unwinds(p->b) | unwinds(p->c);
        if (n->if_.els) {
            /* fuse `if slot OP k` */
            EvalFn ce = p->a->ev, fused = NULL;
            if (ce == ev_lt_sk) fused = ev_if_lt_sk;
            else if (ce == ev_le_sk) fused = ev_if_le_sk;
            else if (ce == ev_gt_sk) fused = ev_if_gt_sk;
            else if (ce == ev_ge_sk) fused = ev_if_ge_sk;
            else if (ce == ev_eq_sk) fused = ev_if_eq_sk;
            else if (ce == ev_ne_sk) fused = ev_if_ne_sk;
            else if (ce == ev_lt_ss) fused = ev_if_lt_ss;
            else if (ce == ev_le_ss) fused = ev_if_le_ss;
            else if (ce == ev_gt_ss) fused = ev_if_gt_ss;
            else if (ce == ev_ge_ss) fused = ev_if_ge_ss;
            else if (ce == ev_eq_ss) fused = ev_if_eq_ss;
            else if (ce == ev_ne_ss) fused = ev_if_ne_ss;
            if (fused) {
                p->ev = fused;
                p->slot = p->a->slot;
                p->k = p->a->k;
            }
        }
        return p;
    case N_CASE: return case_node(c, n, tail);
    case N_CLOSURE: return closure_node(c, n, NULL, "fn");
    case N_WHILE:
        p = pn(ev_while, n);
        p->a = px(c, n->loop.cond, false);
        p->b = pblock(c, n->loop.body, false, true);
        p->flags = unwinds(p->a) | unwinds(p->b);
        return p;
    case N_FOR: return for_node(c, n, false);
    case N_BREAK: p = pn(ev_break, n); p->flags = PF_UNWINDS; return p;
    case N_CONTINUE: p = pn(ev_continue, n); p->flags = PF_UNWINDS; return p;
    case N_RETURN:
        p = pn(ev_return, n);
        if (n->un.operand) p->a = px(c, n->un.operand, true);
        p->flags = PF_UNWINDS;
        return p;
    case N_BLOCK: return pblock(c, n, tail, false);
    case N_SPAWN: {
        Node *callee = n->list.items.v[0];
        p = pn(ev_spawn, n);
        p->a = px(c, callee, false);
        NodeList rest = {n->list.items.v + 1, n->list.items.n - 1};
        p->kids = pxlist(c, rest, &p->flags);
        p->nkids = rest.n;
        p->flags |= unwinds(p->a);
        if (callee->sym) p->p = (void *)callee->sym->name;
        if (callee->sym && callee->sym->kind == S_SUPERVISOR) {
            p->ev = ev_spawn_supervisor;
            p->q = callee->sym->def->aux;
        }
        return p;
    }
    case N_SEND:
        p = pn(ev_send, n);
        p->a = px(c, n->list.items.v[0], false);
        p->b = px(c, n->list.items.v[1], false);
        p->flags = unwinds(p->a) | unwinds(p->b);
        /* send(p, Token(n - 1)): the message is built on the C stack and
         * copied once, into the mailbox, instead of first into our heap */
        if (p->b->ev == ev_variant && p->b->nkids > 0 && p->b->nkids <= SEND_VARIANT_MAX) p->ev = ev_send_variant;
        return p;
    case N_SELFCALL: return pn(ev_selfcall, n);
    case N_LINK:
        p = pn(ev_link, n);
        p->a = px(c, n->list.items.v[0], false);
        p->flags = unwinds(p->a);
        return p;
    case N_RECEIVE: return receive_node(c, n, tail);
    case N_LET: {
        PNode *v = px(c, n->let.value, false);
        Node *pat = n->let.pat;
        if (pat->kind == P_BIND && pat->sym) {
            p = pn(ev_let_slot, n);
            p->slot = binder_slot(c, pat->sym);
        } else {
            p = pn(ev_let, n);
            p->p = ppat(c, pat);
        }
        p->a = v;
        p->flags = unwinds(v);
        return p;
    }
    case N_FN: {
        /* nested named function: a closure stored in its slot */
        Sym *s = n->sym;
        if (!s) return mk_const(v_unit(), n);
        PNode *cl = closure_node(c, n, s, s->name);
        p = pn(ev_let_slot, n);
        p->slot = binder_slot(c, s);
        p->a = cl;
        return p;
    }
    case N_NONE: return mk_const(v_unit(), n);
    default: {
        Diag *d = diag_new(DIAG_ERROR, NULL, n->span, "this construct cannot be evaluated here");
        diag_emit(d);
        prep_failed = true;
        return mk_const(v_unit(), n);
    }
    }
}

/* Every EVAL_CHECK_EVERY levels of px nesting the prepared node is wrapped
 * in a stack check (ev_deep): evaluation recurses over the prepared tree,
 * so however deep a tree is, the process stack is checked (and grown onto a
 * segment, or "stack overflow" panics) at least every few dozen C frames,
 * well within STACK_MARGIN.  Ordinary code is never that deep. */
#define EVAL_CHECK_EVERY 24

static PNode *stack_check(PNode *p) {
    PNode *w = pn(ev_deep, p->src);
    w->evi = evi_deep;
    w->a = p;
    w->flags = p->flags & (PF_UNWINDS | PF_DISCARD | PF_TAIL);
    return w;
}

static PNode *px_one(FnCtx *c, Node *n, bool tail) {
    c->depth++;
    PNode *p = px_node(c, n, tail);
    c->depth--;
    /* an if whose condition cannot unwind reads it unboxed */
    if (p->ev == ev_if && !unwinds(p->a)) p->ev = ev_if_b;
    set_evi(p);
    if (c->depth && c->depth % EVAL_CHECK_EVERY == 0) p = stack_check(p);
    return p;
}

/* A long chain (a + b + c ..., x |> f |> g ...) becomes the sequence
 * t = a; t = t + b; t = t + c; ... in a fresh slot t: each step is the
 * ordinary prepared operator or call (fusions included) whose left operand
 * reads t, so neither preparing nor evaluating the chain recurses down it.
 * The last step is left as is (it may be a tail call). */
#define CHAIN_LOOP_MIN 32

static PNode *let_slot(int32_t slot, PNode *v, Node *src) {
    PNode *p = pn(ev_let_slot, src);
    p->a = v;
    p->slot = slot;
    p->flags = unwinds(v);
    return p;
}

static PNode *chain_node(FnCtx *c, Node *top, const AstSpine *sp, bool pipe, bool tail) {
    uint32_t n = sp->n;
    int32_t t = (int32_t)new_slot(c);
    Node *first = pipe ? sp->v[n - 1]->call.args.v[0] : sp->v[n - 1]->bin.lhs;
    PNode **v = xalloc((n + 2) * sizeof *v);
    v[0] = let_slot(t, px(c, first, false), first);
    uint32_t fl = unwinds(v[0]);
    Node *saved_at = c->chain_at;
    int32_t saved_slot = c->chain_slot;
    for (uint32_t i = n; i-- > 0;) {
        Node *k = sp->v[i];
        c->chain_at = i == n - 1 ? first : sp->v[i + 1];
        c->chain_slot = t;
        PNode *step = px_one(c, k, tail && i == 0);
        v[n - i] = i == 0 ? step : let_slot(t, step, k);
        fl |= unwinds(step);
    }
    c->chain_at = saved_at;
    c->chain_slot = saved_slot;
    PNode *p = pn(fl ? ev_block_uw : ev_block, top);
    p->kids = v;
    p->nkids = n + 1;
    p->flags = fl;
    return p;
}

static PNode *px(FnCtx *c, Node *n, bool tail) {
    if (n && n == c->chain_at) { /* the left operand of a chain step: t */
        c->chain_at = NULL;
        PNode *p = pn(ev_slot, n);
        p->slot = c->chain_slot;
        set_evi(p);
        return p;
    }
    if (n && depth_exhausted()) {
        depth_error(n->span);
        prep_failed = true;
        return mk_const(v_unit(), n);
    }
    if (n && (n->kind == N_BINOP || ast_pipe_link(n))) {
        bool pipe = n->kind == N_CALL;
        AstSpine sp;
        if (pipe) ast_pipe_spine(&sp, n);
        else ast_binop_spine(&sp, n);
        PNode *p = sp.n >= CHAIN_LOOP_MIN ? chain_node(c, n, &sp, pipe, tail) : NULL;
        ast_spine_free(&sp);
        if (p) return p;
    }
    return px_one(c, n, tail);
}

static PNode *pblock(FnCtx *c, Node *b, bool tail, bool discard) {
    if (!b) return mk_const(v_unit(), NULL);
    if (b->kind != N_BLOCK) return px(c, b, tail);
    NodeList items = b->list.items;
    /* consecutive clauses of a nested multi-clause fn are one function: only
     * the first clause of each group makes a closure */
    PNode **v = xalloc((items.n + 1) * sizeof *v);
    uint32_t nv = 0, fl = 0;
    for (uint32_t i = 0; i < items.n; i++) {
        Node *it = items.v[i];
        if (it->kind == N_FN && it->sym && it->sym->defs[0] != it) continue;
        bool last = i == items.n - 1;
        PNode *p;
        if (it->kind == N_FOR) p = for_node(c, it, !last || discard);
        else p = px(c, it, last && tail);
        v[nv++] = p;
        fl |= unwinds(p);
    }
    if (nv == 0) return mk_const(v_unit(), b);
    if (nv == 1) return v[0];
    PNode *p = pn(fl ? ev_block_uw : ev_block, b);
    p->kids = v;
    p->nkids = nv;
    p->flags = fl;
    return p;
}

/* ---- patterns ------------------------------------------------------------------- */

static PPat *ppat_node(FnCtx *c, Node *n);

/* Patterns are matched recursively too: the same stack check every
 * EVAL_CHECK_EVERY levels (pm_deep). */
static PPat *ppat(FnCtx *c, Node *n) {
    if (n && depth_exhausted()) {
        depth_error(n->span);
        prep_failed = true;
        return pp(pm_wild);
    }
    c->pdepth++;
    PPat *p = ppat_node(c, n);
    c->pdepth--;
    if (c->pdepth && c->pdepth % EVAL_CHECK_EVERY == 0 && p->nsub) {
        PPat *w = pp(pm_deep);
        w->nsub = 1;
        w->sub = xalloc(2 * sizeof *w->sub);
        w->sub[0] = p;
        w->irrefutable = p->irrefutable;
        p = w;
    }
    return p;
}

static PPat *ppat_node(FnCtx *c, Node *n) {
    if (!n) return pp(pm_wild);
    PPat *p;
    switch (n->kind) {
    case P_WILD: p = pp(pm_wild); p->irrefutable = true; return p;
    case P_BIND:
        p = pp(pm_bind);
        p->slot = n->sym ? binder_slot(c, n->sym) : (int32_t)new_slot(c);
        p->irrefutable = true;
        return p;
    case P_LIT: {
        Node *l = n->pat_lit.lit;
        switch (l->kind) {
        case N_INT: p = pp(pm_int); p->k = v_int(l->lit.i); return p;
        case N_FLOAT: p = pp(pm_float); p->k = v_float(l->lit.f); return p;
        case N_STRING: p = pp(pm_str); p->k = str_static(l->lit.s, l->lit.n); return p;
        case N_BOOL: p = pp(pm_bool); p->k = v_bool(l->lit.i != 0); return p;
        default: p = pp(pm_unit); return p;
        }
    }
    case P_CTOR: {
        p = pp(pm_ctor);
        Sym *s = n->sym;
        if (s && s->owner) {
            p->td = make_td(s->owner);
            p->idx = s->index;
        }
        p->nsub = n->ctor.args.n;
        p->sub = xalloc((p->nsub + 1) * sizeof *p->sub);
        for (uint32_t i = 0; i < p->nsub; i++) p->sub[i] = ppat(c, n->ctor.args.v[i]);
        bool flat = true;
        for (uint32_t i = 0; i < p->nsub; i++) flat &= p->sub[i]->m == pm_bind || p->sub[i]->m == pm_wild;
        if (flat) p->m = pm_ctor_flat;
        return p;
    }
    case P_TUPLE: case P_LIST: case P_OR:
        p = pp(n->kind == P_TUPLE ? pm_tuple : n->kind == P_LIST ? pm_list : pm_or);
        p->nsub = n->list.items.n;
        p->sub = xalloc((p->nsub + 1) * sizeof *p->sub);
        for (uint32_t i = 0; i < p->nsub; i++) p->sub[i] = ppat(c, n->list.items.v[i]);
        if (n->kind == P_TUPLE) {
            p->irrefutable = true;
            for (uint32_t i = 0; i < p->nsub; i++) p->irrefutable &= p->sub[i]->irrefutable;
        }
        return p;
    case P_CONS:
        p = pp(pm_cons);
        p->nsub = 2;
        p->sub = xalloc(3 * sizeof *p->sub);
        p->sub[0] = ppat(c, n->bin.lhs);
        p->sub[1] = ppat(c, n->bin.rhs);
        return p;
    case P_AS:
        p = pp(pm_as);
        p->nsub = 1;
        p->sub = xalloc(2 * sizeof *p->sub);
        p->sub[0] = ppat(c, n->as_.pat);
        p->slot = n->sym ? binder_slot(c, n->sym) : (int32_t)new_slot(c);
        p->irrefutable = p->sub[0]->irrefutable;
        return p;
    default:
        return pp(pm_wild);
    }
}

/* ---- functions ------------------------------------------------------------------ */

/* The loop idiom `if COND do EXIT else self(args) end` (either branch) as
 * one ev_loop_if node (see eval.c); q keeps the plain if (unloopify). */
static bool is_if(EvalFn e) {
    return e == ev_if || e == ev_if_b || e == ev_if_lt_sk || e == ev_if_le_sk || e == ev_if_gt_sk ||
           e == ev_if_ge_sk || e == ev_if_eq_sk || e == ev_if_ne_sk || e == ev_if_lt_ss || e == ev_if_le_ss ||
           e == ev_if_gt_ss || e == ev_if_ge_ss || e == ev_if_eq_ss || e == ev_if_ne_ss;
}
static bool is_self_loop_call(const PNode *t) {
    return t->ev == ev_tail_self1n || t->ev == ev_tail_self2n || t->ev == ev_tail_self3n;
}
static PNode *loopify(Code *code, PNode *body) {
    if (!body || !is_if(body->ev) || !body->c || unwinds(body->a)) return body;
    bool then_loops = is_self_loop_call(body->b), else_loops = is_self_loop_call(body->c);
    if (then_loops == else_loops) return body;
    PNode *tail = then_loops ? body->b : body->c;
    PNode *lp = pn(ev_loop_if, body->src);
    lp->a = body->a;
    lp->b = then_loops ? body->c : body->b;
    lp->slot = then_loops;
    /* only the arguments that change a parameter */
    lp->kids = xalloc(tail->nkids * sizeof *lp->kids);
    int32_t *to = xalloc(tail->nkids * sizeof *to);
    for (uint32_t i = 0; i < tail->nkids; i++) {
        PNode *arg = tail->kids[i];
        if (arg->ev == ev_slot && arg->slot == (int32_t)i) continue;
        to[lp->nkids] = (int32_t)i;
        lp->kids[lp->nkids++] = arg;
    }
    lp->r = to;
    lp->flags = body->flags;
    lp->p = code;
    lp->q = body;
    return lp;
}
/* A prologue runs before every tail call: back to the plain if. */
static void unloopify(Code *code) {
    if (code->body && code->body->ev == ev_loop_if) code->body = code->body->q;
}

/* Fill `code` from the clauses of a function whose locals live in ctx c.
 * clauses[i]: params, guard, body (N_FN or N_CLAUSE). */
static void fill_clauses(FnCtx *c, Code *code, Node **clauses, uint32_t n) {
    uint32_t np = code->nparams;
    c->nslots = np; /* slots 0..np-1 receive the arguments */
    bool simple = n == 1;
    NodeList params0 = clauses[0]->kind == N_CLAUSE ? clauses[0]->clause.params : clauses[0]->fn.params;
    Node *guard0 = clauses[0]->kind == N_CLAUSE ? clauses[0]->clause.guard : clauses[0]->fn.guard;
    if (guard0) simple = false;
    for (uint32_t j = 0; simple && j < params0.n; j++) {
        Node *pr = params0.v[j];
        if (pr->kind != P_BIND && pr->kind != P_WILD) simple = false;
    }
    code->clauses = xalloc((n + 1) * sizeof *code->clauses);
    code->nclauses = n;
    for (uint32_t i = 0; i < n; i++) {
        Node *cl = clauses[i];
        NodeList params = cl->kind == N_CLAUSE ? cl->clause.params : cl->fn.params;
        Node *guard = cl->kind == N_CLAUSE ? cl->clause.guard : cl->fn.guard;
        Node *body = cl->kind == N_CLAUSE ? cl->clause.body : cl->fn.body;
        Clause *k = &code->clauses[i];
        k->nparams = params.n;
        k->params = xalloc((params.n + 1) * sizeof *k->params);
        for (uint32_t j = 0; j < params.n && j < np; j++) {
            Node *pr = params.v[j];
            if (pr->kind == P_BIND && pr->sym) {
                /* a plain parameter aliases its argument slot */
                pr->sym->rt = c;
                pr->sym->index = j;
                note_local(c, pr->sym, j);
                k->params[j] = NULL;
            } else if (pr->kind == P_WILD) {
                k->params[j] = NULL;
            } else {
                k->params[j] = ppat(c, pr);
            }
        }
        if (guard) k->guard = px(c, guard, false);
        k->body = (body && body->kind == N_BLOCK) ? pblock(c, body, true, false) : px(c, body, true);
    }
    code->simple = simple;
    if (simple) code->body = loopify(code, code->clauses[0].body);
    code->nslots = c->nslots;
    code->frame_cap = c->nslots < 4 ? 4 : c->nslots;
    code->nlocals = c->nlocals;
    code->locals = xalloc((c->nlocals + 1) * sizeof *code->locals);
    if (c->nlocals) memcpy(code->locals, c->locals, c->nlocals * sizeof *code->locals);
    free(c->locals);
    c->locals = NULL;
    c->nlocals = c->caplocals = 0;
}

static Code *prepare_closure_code(FnCtx *parent, Node *closure, Sym *self_sym, const char *name, FnCtx *cc) {
    memset(cc, 0, sizeof *cc);
    cc->parent = parent;
    cc->self_sym = self_sym;
    Node **clauses;
    uint32_t n;
    if (closure->kind == N_CLOSURE) {
        clauses = closure->closure.clauses.v;
        n = closure->closure.clauses.n;
    } else {
        /* nested named fn: all clauses of its group */
        clauses = self_sym->defs;
        n = self_sym->ndefs;
    }
    cc->owners = clauses;
    cc->nowners = n;
    uint32_t np = clauses[0]->kind == N_CLAUSE ? clauses[0]->clause.params.n : clauses[0]->fn.params.n;
    Code *code = new_code(name, closure, np);
    cc->code = code;
    fill_clauses(cc, code, clauses, n);
    return code;
}

/* Top-level function group / actor body. */
static void prepare_fn_sym(Sym *s) {
    FnRt *r = fnrt(s);
    if (r->prepared) return;
    r->prepared = true;
    FnCtx c;
    memset(&c, 0, sizeof c);
    c.code = r->code;
    if (s->kind == S_ACTOR) {
        Node *a = s->def;
        Node *owners[1] = {a};
        c.owners = owners;
        c.nowners = 1;
        /* the actor body is one clause; an N_FN-shaped view for fill_clauses */
        Node view;
        memset(&view, 0, sizeof view);
        view.kind = N_FN;
        view.fn.params = a->fn.params;
        view.fn.body = a->fn.body;
        view.span = a->span;
        Node *vp = &view;
        owners[0] = a;
        fill_clauses(&c, r->code, &vp, 1);
        r->code->src = a;
        if (a->fn.terminate) {
            /* prologue: install a terminate closure seeing the current params */
            Node *cl = ast_node(N_CLOSURE, a->fn.terminate->span);
            Node *clause = ast_node(N_CLAUSE, a->fn.terminate->span);
            clause->clause.body = a->fn.terminate;
            Node **cv = xalloc(sizeof *cv);
            cv[0] = clause;
            cl->closure.clauses.v = cv;
            cl->closure.clauses.n = 1;
            /* locals bound inside the terminate block belong to the clause */
            retag(a->fn.terminate, a, clause);
            PNode *mk = closure_node(&c, cl, NULL, "terminate");
            PNode *pro = pn(ev_set_terminate, a->fn.terminate);
            pro->a = mk;
            r->code->prologue = pro;
            unloopify(r->code);
            r->code->nslots = c.nslots;
            if (r->code->frame_cap < c.nslots) r->code->frame_cap = c.nslots;
        }
    } else {
        c.owners = s->defs;
        c.nowners = s->ndefs;
        fill_clauses(&c, r->code, s->defs, s->ndefs);
    }
    free(c.caps);
    free(c.locals);
}

/* Re-own the locals bound inside a block (the actor's terminate clause). */
static void retag_list(NodeList l, Node *from, Node *to) {
    for (uint32_t i = 0; i < l.n; i++) retag(l.v[i], from, to);
}

static void retag(Node *n, Node *from, Node *to) {
again:
    if (!n) return;
    if (depth_exhausted()) { depth_error(n->span); prep_failed = true; return; }
    if ((n->kind == P_BIND || n->kind == P_AS) && n->sym && n->sym->kind == S_LOCAL && n->sym->fn_node == from)
        n->sym->fn_node = to;
    switch (n->kind) {
    case N_CLOSURE: return; /* its own function */
    case N_BLOCK: case N_TUPLE: case N_LIST: case N_MAPLIT: case N_INTERP: case N_SPAWN: case N_SEND:
    case N_LINK: case P_TUPLE: case P_LIST: case P_OR:
        retag_list(n->list.items, from, to);
        break;
    case N_LET: retag(n->let.pat, from, to); retag(n->let.value, from, to); break;
    case N_BINOP: case N_INDEX: case P_CONS: /* chains in a loop */
        retag(n->bin.rhs, from, to);
        n = n->bin.lhs;
        goto again;
    case N_UNOP: case N_TRY: case N_RETURN: retag(n->un.operand, from, to); break;
    case N_CALL:
        retag(n->call.callee, from, to);
        for (uint32_t i = 1; i < n->call.args.n; i++) retag(n->call.args.v[i], from, to);
        if (!n->call.args.n) break;
        n = n->call.args.v[0];
        goto again;
    case N_FIELDACC: retag(n->field_acc.base, from, to); break;
    case N_STRUCTLIT: retag_list(n->slit.fields, from, to); break;
    case N_FIELDINIT: retag(n->field_init.value, from, to); break;
    case N_IF: retag(n->if_.cond, from, to); retag(n->if_.then, from, to); retag(n->if_.els, from, to); break;
    case N_CASE: retag(n->case_.scrut, from, to); retag_list(n->case_.arms, from, to); break;
    case N_ARM: retag(n->arm.pat, from, to); retag(n->arm.guard, from, to); retag(n->arm.body, from, to); break;
    case N_WHILE: retag(n->loop.cond, from, to); retag(n->loop.body, from, to); break;
    case N_FOR:
        retag(n->for_.var, from, to); retag(n->for_.var2, from, to); retag(n->for_.iter, from, to);
        retag(n->for_.filter, from, to); retag(n->for_.body, from, to);
        break;
    case N_RECEIVE:
        retag_list(n->recv.arms, from, to); retag(n->recv.after_ms, from, to); retag(n->recv.after_body, from, to);
        break;
    case P_CTOR: retag_list(n->ctor.args, from, to); break;
    case P_AS: retag(n->as_.pat, from, to); break;
    default: break;
    }
}

/* ---- synthesized functions ----------------------------------------------------------- */

/* A constructor used as a function value: fn(a, b) -> Ctor(a, b) end. */
static Value ctor_fn_value(Sym *ctor) {
    static Sym *last;
    (void)last;
    Code *code = new_code(ctor->name, ctor->def, ctor->arity);
    PNode *body = pn(ev_variant, ctor->def);
    body->p = make_td(ctor->owner);
    body->slot = (int32_t)ctor->index;
    body->nkids = ctor->arity;
    body->kids = xalloc((ctor->arity + 1) * sizeof *body->kids);
    for (uint32_t i = 0; i < ctor->arity; i++) {
        body->kids[i] = pn(ev_slot, ctor->def);
        body->kids[i]->slot = (int32_t)i;
    }
    code->simple = true;
    code->body = body;
    code->nslots = ctor->arity;
    code->frame_cap = ctor->arity < 4 ? 4 : ctor->arity;
    return val_func_static(&code->info);
}

/* T.from_json / T.from_row used as a function value (passed to
 * Pg.query_as, List.map, ...): fn(x) -> T.from_row(x) end. */
static Value from_fn_value(FnCtx *c, Node *fa, Sym *type) {
    bool row = strcmp(fa->field_acc.name.id, "from_row") == 0;
    Code *code = new_code(row ? "from_row" : "from_json", fa, 1);
    PNode **args = xalloc(2 * sizeof *args);
    args[0] = pn(ev_slot, fa);
    args[0]->slot = 0;
    code->simple = true;
    code->body = prep_from_json(c, fa, type, row, args, 1, 0);
    code->nslots = 1;
    code->frame_cap = 4;
    return val_func_static(&code->info);
}

/* An interface method used as a function value: dispatches on its first
 * argument. */
static Value method_fn_value(Sym *m) {
    if (m->rt) return *(Value *)m->rt;
    uint32_t arity = m->def ? m->def->fn.params.n : 1;
    Code *code = new_code(m->name, m->def, arity);
    PNode *body = pn(ev_call_dispatch, m->def);
    body->p = (void *)m->name;
    body->nkids = arity;
    body->kids = xalloc((arity + 1) * sizeof *body->kids);
    for (uint32_t i = 0; i < arity; i++) {
        body->kids[i] = pn(ev_slot, m->def);
        body->kids[i]->slot = (int32_t)i;
    }
    code->simple = true;
    code->body = body;
    code->nslots = arity;
    code->frame_cap = arity < 4 ? 4 : arity;
    Value *v = xalloc(sizeof *v);
    *v = val_func_static(&code->info);
    m->rt = v;
    return *v;
}

/* ---- impls ----------------------------------------------------------------------- */

static const void *type_key_of_sym(Sym *s) {
    if (!s) return NULL;
    if (s->kind == S_STRUCT || s->kind == S_SUMTYPE) return make_td(s);
    if (s->kind == S_BUILTIN_TYPE) {
        const char *n = s->name;
        uint32_t tag = T__COUNT;
        if (!strcmp(n, "Int")) tag = T_INT;
        else if (!strcmp(n, "Float")) tag = T_FLOAT;
        else if (!strcmp(n, "Bool")) tag = T_BOOL;
        else if (!strcmp(n, "String")) tag = T_STR;
        else if (!strcmp(n, "List")) tag = T_LIST;
        else if (!strcmp(n, "Map")) tag = T_MAP;
        else if (!strcmp(n, "Set")) tag = T_SET;
        else if (!strcmp(n, "Range")) tag = T_RANGE;
        else if (!strcmp(n, "Queue")) tag = T_QUEUE;
        else if (!strcmp(n, "Pid")) tag = T_PID;
        else if (!strcmp(n, "Ref")) tag = T_REF;
        else if (!strcmp(n, "Json")) tag = T_JSON;
        return tag < T__COUNT ? impl_key_tag(tag) : NULL;
    }
    return NULL;
}

/* Method code for an impl or interface-default method (one N_FN clause). */
static FnRt *method_rt(Node *fn, const char *prefix) {
    if (fn->aux) return fn->aux;
    FnRt *r = xalloc(sizeof *r);
    char buf[256];
    snprintf(buf, sizeof buf, "%s%s", prefix, fn->fn.name.id);
    r->code = new_code(ast_intern(buf, strlen(buf)), fn, fn->fn.params.n);
    r->fn = val_func_static(&r->code->info);
    fn->aux = r;
    return r;
}

static void prepare_method(Node *fn, FnRt *r) {
    if (r->prepared || !fn->fn.body) return;
    r->prepared = true;
    FnCtx c;
    memset(&c, 0, sizeof c);
    c.code = r->code;
    Node *owners[1] = {fn};
    c.owners = owners;
    c.nowners = 1;
    fill_clauses(&c, r->code, owners, 1);
    free(c.caps);
    free(c.locals);
}

/* Also under "Trait.method": what `Trait.method(x)` dispatches on. */
static void register_qualified(const void *key, Sym *iface, const char *method, Value fn) {
    if (!iface) return;
    char q[256];
    snprintf(q, sizeof q, "%s.%s", iface->name, method);
    impl_register(key, ast_intern(q, strlen(q)), fn);
}

static void register_impls(Module **mods, uint32_t nmods) {
    for (uint32_t m = 0; m < nmods; m++) {
        NodeList items = mods[m]->root->list.items;
        for (uint32_t i = 0; i < items.n; i++) {
            Node *im = items.v[i];
            if (im->kind != N_IMPL) continue;
            Sym *target = im->aux;
            const void *key = type_key_of_sym(target);
            if (!key) continue;
            char prefix[160];
            snprintf(prefix, sizeof prefix, "%s.", target->name);
            for (uint32_t k = 0; k < im->impl.methods.n; k++) {
                Node *fn = im->impl.methods.v[k];
                FnRt *r = method_rt(fn, prefix);
                impl_register(key, fn->fn.name.id, r->fn);
                register_qualified(key, im->sym, fn->fn.name.id, r->fn);
            }
            /* interface defaults not overridden */
            Sym *iface = im->sym;
            if (iface && iface->def) {
                NodeList ms = iface->def->iface.methods;
                for (uint32_t k = 0; k < ms.n; k++) {
                    Node *dm = ms.v[k];
                    if (!dm->fn.body) continue;
                    bool overridden = false;
                    for (uint32_t q = 0; q < im->impl.methods.n; q++)
                        if (im->impl.methods.v[q]->fn.name.id == dm->fn.name.id) overridden = true;
                    if (overridden) continue;
                    FnRt *r = method_rt(dm, prefix);
                    impl_register(key, dm->fn.name.id, r->fn);
                    register_qualified(key, iface, dm->fn.name.id, r->fn);
                }
            }
            /* the protocols printing and comparison rely on */
            if (target->kind == S_STRUCT || target->kind == S_SUMTYPE) {
                TypeDesc *td = make_td(target);
                Value f;
                if ((f = impl_lookup(key, ast_intern("to_string", 9))).tag == T_FUNC) td->to_string_fn = f;
                if (iface && !strcmp(iface->name, "Eq") && (f = impl_lookup(key, ast_intern("eq", 2))).tag == T_FUNC)
                    td->eq_fn = f;
                if (iface && !strcmp(iface->name, "Ord") && (f = impl_lookup(key, ast_intern("lt", 2))).tag == T_FUNC)
                    td->lt_fn = f;
                if (iface && !strcmp(iface->name, "Hash") && (f = impl_lookup(key, ast_intern("hash", 4))).tag == T_FUNC)
                    td->hash_fn = f;
            }
        }
    }
}

static void prepare_impl_bodies(Module **mods, uint32_t nmods) {
    for (uint32_t m = 0; m < nmods; m++) {
        NodeList items = mods[m]->root->list.items;
        for (uint32_t i = 0; i < items.n; i++) {
            Node *it = items.v[i];
            if (it->kind == N_IMPL) {
                for (uint32_t k = 0; k < it->impl.methods.n; k++) {
                    Node *fn = it->impl.methods.v[k];
                    if (fn->aux) prepare_method(fn, fn->aux);
                }
            } else if (it->kind == N_INTERFACE) {
                for (uint32_t k = 0; k < it->iface.methods.n; k++) {
                    Node *fn = it->iface.methods.v[k];
                    if (fn->aux) prepare_method(fn, fn->aux);
                }
            }
        }
    }
}

/* ---- services and supervisors (runtime/service.h, runtime/supervisor.h) --------- */

#include "prepare_conc.inc"

/* ---- program ------------------------------------------------------------------- */

static void fix_frame_caps(void) {
    bool changed = true;
    for (int iter = 0; changed && iter < 100; iter++) {
        changed = false;
        for (uint32_t i = 0; i < ntail; i++) {
            Code *a = tail_edges[i].from, *b = tail_edges[i].to;
            if (!a || !b) continue;
            uint32_t want = b->frame_cap < FRAME_TAIL_MAX ? b->frame_cap : FRAME_TAIL_MAX;
            if (a->frame_cap < want) {
                a->frame_cap = want;
                changed = true;
            }
        }
    }
}

bool prepare_program(Project *proj, Value *main_fn) { return prepare_entry(proj, "main", main_fn); }

bool prepare_entry(Project *proj, const char *entry, Value *main_fn) {
    prep_failed = false;
    ntail = 0;
    uint32_t nmods;
    Module **mods = resolve_order(&nmods);
    Module *prelude = resolve_prelude();
    Module **all = xmalloc((nmods + 2) * sizeof *all);
    all[0] = prelude;
    for (uint32_t i = 0; i < nmods; i++) all[i + 1] = mods[i];
    uint32_t nall = nmods + 1;
    /* 1. runtime objects for every top-level symbol */
    for (uint32_t m = 0; m < nall; m++) {
        NodeList items = all[m]->root->list.items;
        for (uint32_t i = 0; i < items.n; i++) {
            Node *it = items.v[i];
            Sym *s = it->sym;
            if (!s) continue;
            switch (it->kind) {
            case N_FN:
                if (s->defs[0] == it && !s->rt) make_fnrt(s, s->name, it, s->arity);
                break;
            case N_ACTOR:
                if (!s->rt) make_fnrt(s, s->name, it, it->fn.params.n);
                break;
            case N_STRUCT: case N_SUMTYPE:
                make_td(s);
                break;
            default: break;
            }
        }
    }
    for (uint32_t m = 0; m < nall; m++) {
        NodeList items = all[m]->root->list.items;
        for (uint32_t i = 0; i < items.n; i++) {
            Node *it = items.v[i];
            if ((it->kind == N_STRUCT || it->kind == N_SUMTYPE) && it->sym) fill_td_fields(it->sym);
        }
    }
    register_impls(all, nall);
    prepare_services(all, nall);
    /* 2. bodies */
    for (uint32_t m = 0; m < nall; m++) {
        NodeList items = all[m]->root->list.items;
        for (uint32_t i = 0; i < items.n; i++) {
            Node *it = items.v[i];
            if ((it->kind == N_FN || it->kind == N_ACTOR) && it->sym && it->sym->rt &&
                (it->kind == N_ACTOR || it->sym->defs[0] == it))
                prepare_fn_sym(it->sym);
        }
    }
    prepare_impl_bodies(all, nall);
    prepare_service_bodies(all, nall);
    fix_frame_caps();
    free(all);
    if (prep_failed) return false;
    Sym *mainsym = resolve_lookup_global(proj->main, ast_intern(entry, strlen(entry)));
    if (!mainsym || mainsym->kind != S_FN || !mainsym->rt) return false;
    *main_fn = fnrt(mainsym)->fn;
    eval_install_hooks();
    return true;
}
