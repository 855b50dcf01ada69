/* ty_infer.c — inference for expressions, patterns and function bodies
 * (see ty_infer.h).  The sections follow language.md §4: names and
 * instantiation (§4.3), expressions (§4.4), fields and methods (§4.5),
 * functions (§4.6), structs (§4.7), operators on user types (§4.8),
 * patterns (§4.10) and `?` (§4.11). */
#include "ty_infer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depth.h"
#include "lex.h"
#include "resolve.h"
#include "ty_match.h"
#include "xalloc.h"

/* ---- state ----------------------------------------------------------------------- */

static FnCtx *cur_fn;
static Type *cur_actor_msg;

void tc_push_fn(FnCtx *f) {
    f->outer = cur_fn;
    cur_fn = f;
}
void tc_pop_fn(void) {
    if (cur_fn) cur_fn = cur_fn->outer;
}
FnCtx *tc_fn(void) { return cur_fn; }
void tc_set_actor_msg(Type *m) { cur_actor_msg = m; }
Type *tc_actor_msg(void) { return cur_actor_msg; }

TyRes *tc_res(Node *n, TyResKind k) {
    TyRes *r = ast_alloc(sizeof *r);
    r->kind = k;
    n->aux = r;
    return r;
}

static const char *I(const char *s) { return ast_intern(s, strlen(s)); }

static Type *ty_int(void) { return ty_basic(TYK_INT); }
static Type *ty_bool(void) { return ty_basic(TYK_BOOL); }
static Type *ty_string(void) { return ty_basic(TYK_STRING); }
static Type *ty_unit(void) { return ty_basic(TYK_UNIT); }

static const char *fmt_tmp(const char *fmt, const char *a) {
    size_t n = strlen(fmt) + strlen(a) + 1;
    char *buf = xmalloc(n);
    snprintf(buf, n, fmt, a);
    const char *r = ast_strdup(buf, strlen(buf));
    free(buf);
    return r;
}

/* ---- queued questions (settled at the end of a definition group) ---------------------- */

typedef enum SiteKind {
    SITE_FIELD,       /* pending: field access on an unknown type */
    SITE_METHOD,      /* pending: method call on an unknown type */
    SITE_BINOP,       /* which impl an operator uses */
    SITE_DYN,         /* trait method dispatched on a type variable */
    SITE_METHOD_NAME, /* an S_METHOD used as a value */
    SITE_DEFAULT,     /* default(): which Default */
} SiteKind;

typedef struct Site {
    SiteKind kind;
    bool done;
    Node *node;       /* N_FIELDACC / N_CALL / N_BINOP / N_NAME */
    Node *node2;      /* the callee node that also records the resolution */
    Type *type;       /* receiver / operand / required type */
    Type *result;     /* pending: the result variable */
    Type **pre;       /* pending method: the argument types already inferred */
    Node **args;
    int nargs;
    const char *name;
    Sym *trait;       /* Trait.m(x) / a dynamic call's interface: only its method */
} Site;

/* Sites live in one array (pointers into it die at the next add_site);
 * the unsettled lookups are also listed by index in `pending`. */
static Site *sites;
static uint32_t nsites, capsites, group_start;
static uint32_t *pending;
static uint32_t npending, cappending;

static Site *add_site(SiteKind k, Node *node) {
    if (nsites == capsites) {
        capsites = capsites ? capsites * 2 : 256;
        sites = xrealloc(sites, capsites * sizeof *sites);
    }
    if (k == SITE_FIELD || k == SITE_METHOD || k == SITE_DEFAULT) {
        if (npending == cappending) {
            cappending = cappending ? cappending * 2 : 64;
            pending = xrealloc(pending, cappending * sizeof *pending);
        }
        pending[npending++] = nsites;
    }
    Site *s = &sites[nsites++];
    memset(s, 0, sizeof *s);
    s->kind = k;
    s->node = node;
    return s;
}

typedef struct MatchJob {
    MatchKind kind;
    Node *node;
    Type *scrut;
    Node **clauses;
    int n;
    const char *name;
} MatchJob;

static MatchJob *matches;
static uint32_t nmatches, capmatches;

void tc_infer_reset(void) {
    cur_fn = NULL;
    cur_actor_msg = NULL;
    nsites = group_start = 0;
    npending = 0;
    nmatches = 0;
}

void tc_queue_match(MatchKind k, Node *node, Type *scrut, Node **clauses, int n, const char *name) {
    if (nmatches == capmatches) {
        capmatches = capmatches ? capmatches * 2 : 128;
        matches = xrealloc(matches, capmatches * sizeof *matches);
    }
    matches[nmatches++] = (MatchJob){k, node, scrut, clauses, n, name};
}

/* ---- symbols ------------------------------------------------------------------------- */

static Type *method_value_type(Node *site, const char *name);

Type *tc_sym_type(Sym *s, Node *site) {
    switch (s->kind) {
    case S_LOCAL:
        if (!s->ty) s->ty = ty_var();
        return ty_instantiate(s->ty, site->span);
    case S_FN:
        if (!s->ty) s->ty = ty_var(); /* referenced before it was checked */
        return ty_instantiate_at(s->ty, site->span, fmt_tmp("required by `%s`", s->name));
    case S_ACTOR: {
        ActorInfo *ai = ty_actor_info(s);
        if (!ai || !ai->fn) return ty_var();
        return ty_instantiate(ai->fn, site->span);
    }
    case S_CTOR: return ty_instantiate(ty_ctor_scheme(s), site->span);
    case S_BUILTIN: {
        const StdFn *f = s->builtin;
        if (!f) return ty_error();
        char nm[160];
        snprintf(nm, sizeof nm, "%s%s%s", f->module, f->module[0] ? "." : "", f->name);
        return ty_instantiate_at(ty_std_scheme(f), site->span, fmt_tmp("required by `%s`", nm));
    }
    case S_METHOD: return method_value_type(site, s->name);
    case S_SUPERVISOR: {
        Diag *d = diag_new(DIAG_ERROR, "E0001", site->span, "expected a value, found supervisor %s", s->name);
        diag_primary(d, "a supervisor is not a value");
        diag_help(d, "start it with `spawn(%s)`", s->name);
        diag_emit(d);
        return ty_error();
    }
    case S_STRUCT: case S_SUMTYPE: case S_ALIAS: case S_INTERFACE: case S_BUILTIN_TYPE: case S_SERVICE:
    case S_MODULE: case S_STDMOD: {
        Diag *d = diag_new(DIAG_ERROR, "E0001", site->span, "expected a value, found %s `%s`",
                           s->kind == S_SERVICE ? "service" : s->kind == S_MODULE || s->kind == S_STDMOD ? "module" : "type",
                           s->name);
        diag_primary(d, "not a value");
        if (s->kind == S_STRUCT) diag_help(d, "build a value with `%s { field: value, ... }`", s->name);
        else if (s->kind == S_SERVICE) diag_help(d, "start it with `%s.start(...)`", s->name);
        diag_emit(d);
        return ty_error();
    }
    default: return ty_error();
    }
}

/* ---- patterns (§4.10) --------------------------------------------------------------------- */

static void pat_mismatch(Node *p, Type *t, Type *pt, Span origin, UErr *e) {
    Expect ex = {t, origin, "the value matched has type `%s`", NULL, NULL, "this pattern has type `%s`", NULL};
    ty_report_unify(p->span, t, pt, &ex, e);
}

static void pat_unify(Node *p, Type *t, Type *pt, Span origin) {
    UErr e = {0};
    if (ty_unify(t, pt, &e) != U_OK) pat_mismatch(p, t, pt, origin, &e);
}

static Type *lit_type(Node *lit) {
    switch (lit->kind) {
    case N_INT: return ty_int();
    case N_FLOAT: return ty_basic(TYK_FLOAT);
    case N_STRING: return ty_string();
    case N_BOOL: return ty_bool();
    case N_UNIT: return ty_unit();
    default: return ty_error();
    }
}

static void bind_local(Sym *s, Type *t, Node *p, Span origin) {
    if (!s) return;
    if (s->ty && s->def != p) {
        /* an or-pattern alternative: the same symbol, the same type */
        pat_unify(p, s->ty, t, origin);
        return;
    }
    s->ty = t;
}

void tc_pattern(Node *p, Type *t, Span origin) {
    if (!p) return;
    p->ty = t;
    if (depth_exhausted()) { depth_error(p->span); return; }
    if (p->ann) {
        Type *a = ty_from_ann(p->ann);
        Expect ex = {a, p->ann->span, "expected `%s` because of this annotation", NULL, NULL, NULL, NULL};
        ty_expect(p->span, t, &ex);
    }
    switch (p->kind) {
    case P_WILD: break;
    case P_BIND: bind_local(p->sym, t, p, origin); break;
    case P_AS:
        tc_pattern(p->as_.pat, t, origin);
        bind_local(p->sym, t, p, origin);
        break;
    case P_LIT: pat_unify(p, t, lit_type(p->pat_lit.lit), origin); break;
    case P_CTOR: {
        Sym *c = p->sym;
        int nargs = (int)p->ctor.args.n;
        if (!c || c->kind != S_CTOR) {
            for (int i = 0; i < nargs; i++) tc_pattern(p->ctor.args.v[i], ty_error(), origin);
            break;
        }
        Type *sch = ty_instantiate(ty_ctor_scheme(c), p->span);
        Type *sp = ty_prune(sch);
        int nf = sp->kind == TYK_FUN ? ty_fun_arity(sp) : 0;
        Type *res = sp->kind == TYK_FUN ? ty_fun_ret(sp) : sp;
        pat_unify(p, t, res, origin);
        if (nargs != nf && (p->ctor.has_args || nf > 0)) {
            Diag *d = diag_new(DIAG_ERROR, "E0003", p->span, "expected %d argument(s), found %d", nf, nargs);
            diag_primary(d, "`%s` has %d field(s)", c->name, nf);
            if (nargs < nf) diag_help(d, "missing %d argument(s): use `_` for the fields you do not need", nf - nargs);
            else diag_help(d, "%d extra argument(s)", nargs - nf);
            diag_emit(d);
        }
        for (int i = 0; i < nargs; i++)
            tc_pattern(p->ctor.args.v[i], i < nf ? sp->args[i] : ty_error(), origin);
        break;
    }
    case P_TUPLE: {
        int n = (int)p->list.items.n;
        if (n == 0) {
            pat_unify(p, t, ty_unit(), origin);
            break;
        }
        if (n == 1) {
            tc_pattern(p->list.items.v[0], t, origin);
            break;
        }
        Type *pt = ty_prune(t);
        if (pt->kind == TYK_TUPLE && pt->nargs != n) {
            ShowCtx sc = {0};
            Diag *d = diag_new(DIAG_ERROR, "E0003", p->span, "expected a tuple of %d elements, found %d", pt->nargs, n);
            diag_primary(d, "this pattern has %d elements", n);
            if (origin.file != UINT32_MAX) diag_label(d, origin, "the value matched has type `%s`", ty_str(&sc, pt));
            diag_emit(d);
            for (int i = 0; i < n; i++) tc_pattern(p->list.items.v[i], ty_error(), origin);
            break;
        }
        Type **v = xmalloc((size_t)n * sizeof *v);
        for (int i = 0; i < n; i++) v[i] = ty_var();
        Type *tt = ty_conn(TYK_TUPLE, n, v);
        free(v);
        pat_unify(p, t, tt, origin);
        for (int i = 0; i < n; i++) tc_pattern(p->list.items.v[i], tt->args[i], origin);
        break;
    }
    case P_LIST: {
        Type *e = ty_var();
        pat_unify(p, t, ty_con1(TYK_LIST, e), origin);
        for (uint32_t i = 0; i < p->list.items.n; i++) tc_pattern(p->list.items.v[i], e, origin);
        break;
    }
    case P_CONS: {
        Type *e = ty_var();
        Type *l = ty_con1(TYK_LIST, e);
        pat_unify(p, t, l, origin);
        tc_pattern(p->bin.lhs, e, origin);
        tc_pattern(p->bin.rhs, l, origin);
        break;
    }
    case P_OR:
        for (uint32_t i = 0; i < p->list.items.n; i++) tc_pattern(p->list.items.v[i], t, origin);
        break;
    default: break;
    }
}

/* Generalise the variables bound by a pattern (let-polymorphism). */
static void generalize_binders(Node *p) {
    if (!p) return;
    if (depth_exhausted()) { depth_error(p->span); return; }
    switch (p->kind) {
    case P_BIND: if (p->sym && p->sym->ty) ty_generalize(p->sym->ty); break;
    case P_AS:
        if (p->sym && p->sym->ty) ty_generalize(p->sym->ty);
        generalize_binders(p->as_.pat);
        break;
    case P_CTOR:
        for (uint32_t i = 0; i < p->ctor.args.n; i++) generalize_binders(p->ctor.args.v[i]);
        break;
    case P_TUPLE: case P_LIST: case P_OR:
        for (uint32_t i = 0; i < p->list.items.n; i++) generalize_binders(p->list.items.v[i]);
        break;
    case P_CONS:
        generalize_binders(p->bin.lhs);
        generalize_binders(p->bin.rhs);
        break;
    default: break;
    }
}

/* ---- small helpers ----------------------------------------------------------------------- */

void tc_guard(Node *g) {
    if (!g) return;
    Expect ex = {ty_bool(), DIAG_NOSPAN, NULL, "E0025", "guard expression must return `%s`, found `%s`",
                 "this has type `%s`, not `Bool`", NULL};
    tc_expr(g, &ex);
}

/* The last expression of a block (for labels). */
static Node *last_expr(Node *b) {
    while (b && b->kind == N_BLOCK && b->list.items.n) b = b->list.items.v[b->list.items.n - 1];
    if (b && b->kind == N_LET) return b->let.value;
    return b;
}

static const char *callee_name(Node *c) {
    if (!c) return NULL;
    if (c->kind == N_NAME) return fmt_tmp("`%s`", c->name.id.id);
    if (c->kind == N_FIELDACC && c->field_acc.base->kind == N_NAME) {
        char buf[256];
        snprintf(buf, sizeof buf, "`%s.%s`", c->field_acc.base->name.id.id, c->field_acc.name.id);
        return ast_strdup(buf, strlen(buf));
    }
    if (c->kind == N_FIELDACC) return fmt_tmp("`.%s`", c->field_acc.name.id);
    return NULL;
}

/* ---- application ------------------------------------------------------------------------ */

/* Apply fty to the arguments; pre[i] (when given) is an argument's already
 * inferred type. */
/* A closure literal passed where a function of another arity is expected:
 * say so in words (E0003 at the closure) instead of comparing two function
 * types.  Returns true when reported (the closure is then typed on its own). */
static bool closure_arity_mismatch(Node *arg, Type *want, Span callee, const char *what) {
    want = ty_prune(want);
    if (arg->kind != N_CLOSURE || want->kind != TYK_FUN || !arg->closure.clauses.n) return false;
    Node *cl = arg->closure.clauses.v[0];
    int got = (int)cl->clause.params.n, exp = ty_fun_arity(want);
    if (got == exp) return false;
    const char *who = what ? what : "the function";
    Span at = arg->span;
    if (got) at = span_join(cl->clause.params.v[0]->span, cl->clause.params.v[got - 1]->span);
    Diag *d = diag_new(DIAG_ERROR, "E0003", at, "this closure takes %d argument%s, but %s passes %d", got,
                       got == 1 ? "" : "s", who, exp);
    diag_primary(d, "%d parameter%s here", got, got == 1 ? "" : "s");
    ShowCtx sc = {0};
    if (callee.file != UINT32_MAX)
        diag_label(d, callee, "%s calls it as `%s`", who, ty_str(&sc, want));
    /* the names of the closure's parameters, for the suggestions */
    char names[200];
    size_t nl = 0;
    names[0] = 0;
    for (int i = 0; i < got && nl + 40 < sizeof names; i++) {
        Node *p = cl->clause.params.v[i];
        const char *nm = p->kind == P_BIND ? p->name.id.id : "_";
        nl += (size_t)snprintf(names + nl, sizeof names - nl, "%s%s", i ? ", " : "", nm);
    }
    Type *a0 = exp == 1 ? ty_prune(want->args[0]) : NULL;
    Node *p0 = got == 1 ? cl->clause.params.v[0] : NULL;
    if (a0 && a0->kind == TYK_TUPLE && a0->nargs == got && got > 1)
        diag_help(d, "%s passes one tuple: take it apart with a pattern, `fn ((%s)) -> ... end`", who, names);
    else if (p0 && p0->kind == P_TUPLE && (int)p0->list.items.n == exp && exp > 1) {
        char inner[200];
        size_t il = 0;
        inner[0] = 0;
        for (int i = 0; i < exp && il + 40 < sizeof inner; i++) {
            Node *p = p0->list.items.v[i];
            il += (size_t)snprintf(inner + il, sizeof inner - il, "%s%s", i ? ", " : "",
                                   p->kind == P_BIND ? p->name.id.id : "_");
        }
        diag_help(d, "%s passes %d separate arguments, not a tuple: `fn %s -> ... end`", who, exp, inner);
    } else if (exp == 0)
        diag_help(d, "write a closure without parameters: `fn -> ... end`");
    else if (exp == 1)
        diag_help(d, "write a closure that takes one argument: `fn %s -> ... end`",
                  got && cl->clause.params.v[0]->kind == P_BIND ? cl->clause.params.v[0]->name.id.id : "x");
    else if (exp == 2)
        diag_help(d, "write a closure that takes two arguments: `fn a, b -> ... end`");
    else
        diag_help(d, "write a closure that takes %d arguments", exp);
    diag_emit(d);
    tc_expr(arg, NULL);
    return true;
}

static Type *apply_pre(Node *call, Type *fty, Node **args, Type **pre, int nargs, Span callee, const char *what,
                       Node *decl) {
    Type *f = ty_prune(fty);
    if (f->kind == TYK_VAR) {
        Type **ps = xmalloc((size_t)(nargs + 1) * sizeof *ps);
        for (int i = 0; i < nargs; i++) ps[i] = ty_var();
        Type *nf = ty_fun(nargs, ps, ty_var());
        free(ps);
        ty_unify(f, nf, NULL);
        f = ty_prune(f);
    }
    if (f->kind == TYK_ERROR) {
        for (int i = 0; i < nargs; i++)
            if (!pre || !pre[i]) tc_expr(args[i], NULL);
        return ty_error();
    }
    if (f->kind != TYK_FUN) {
        ShowCtx sc = {0};
        const char *fs = ty_str(&sc, f);
        Diag *d = diag_new(DIAG_ERROR, "E0001", callee, "expected a function, found %s", fs);
        diag_primary(d, "%s has type `%s`, which is not a function", what ? what : "this", fs);
        diag_help(d, "only functions and closures can be called with `(...)`");
        diag_emit(d);
        for (int i = 0; i < nargs; i++)
            if (!pre || !pre[i]) tc_expr(args[i], NULL);
        return ty_error();
    }
    int arity = ty_fun_arity(f);
    if (arity != nargs) {
        ty_report_arity(call->span, callee, what ? what : "this function", arity, nargs);
        for (int i = 0; i < nargs; i++) {
            Type *a = pre && pre[i] ? pre[i] : tc_expr(args[i], NULL);
            if (i < arity) ty_unify(f->args[i], a, NULL);
        }
        return ty_fun_ret(f);
    }
    for (int i = 0; i < nargs; i++) {
        if (!(pre && pre[i]) && closure_arity_mismatch(args[i], f->args[i], callee, what)) continue;
        char prim[64];
        snprintf(prim, sizeof prim, "argument %d has type `%%s`", i + 1);
        Expect ex = {f->args[i], callee, NULL, NULL, NULL, prim, NULL};
        char whybuf[300];
        Node *prm = decl && (uint32_t)i < decl->fn.params.n ? decl->fn.params.v[i] : NULL;
        if (prm && prm->ann && prm->kind == P_BIND) {
            snprintf(whybuf, sizeof whybuf, "parameter `%s` is declared `%%s` here", prm->name.id.id);
            ex.origin = prm->ann->span;
            ex.why = whybuf;
        } else if (what) {
            snprintf(whybuf, sizeof whybuf, "%s expects `%%s` here", what);
            ex.why = whybuf;
        }
        if (pre && pre[i]) ty_expect(args[i]->span, pre[i], &ex);
        else tc_expr(args[i], &ex);
    }
    return ty_fun_ret(f);
}

Type *tc_apply(Node *call, Type *fty, Node **args, int nargs, Span callee, const char *what, Node *decl) {
    return apply_pre(call, fty, args, NULL, nargs, callee, what, decl);
}

/* ---- methods (§4.5) ------------------------------------------------------------------------ */

/* The type of an interface method with its receiver `self` (or a fresh
 * variable), from the interface's annotations. */
static Type *iface_method_type(IfaceInfo *ii, IfaceMethod *im, Type *self) {
    Node *fn = im->fn;
    int n = (int)fn->fn.params.n;
    uint32_t mark = ty_tv_mark();
    TvMode saved = ty_tv_get_mode();
    ty_tv_mode(TV_FLEX);
    for (uint32_t g = 0; g < ii->def->iface.generics.n; g++)
        if (ii->def->iface.generics.v[g]->sym) ty_tv_bind(ii->def->iface.generics.v[g]->sym, ty_var());
    Type **ps = xmalloc((size_t)(n + 1) * sizeof *ps);
    for (int i = 0; i < n; i++) {
        Node *p = fn->fn.params.v[i];
        if (i == 0 && im->has_self) ps[i] = self ? self : ty_var();
        else ps[i] = p->ann ? ty_from_ann(p->ann) : ty_var();
    }
    Type *r = ty_fun(n, ps, fn->fn.ret ? ty_from_ann(fn->fn.ret) : ty_var());
    free(ps);
    ty_tv_release(mark);
    ty_tv_mode(saved);
    return r;
}

/* The type of a concrete method candidate, instantiated. */
static Type *cand_type(MethodCand *c, Node *site) {
    Node *fn = c->fn;
    if (!fn) return NULL;
    if (!fn->ty) {
        /* not checked yet (should not happen given the dependency order) */
        bool complete;
        fn->ty = tc_method_signature(c->impl, c->impl ? c->impl->iface : ty_iface(c->trait), fn, true, &complete);
    }
    return ty_instantiate(fn->ty, site->span);
}

static void record_method(Node *call, Node *callee, MethodCand *c, const char *name) {
    TyRes *r;
    if (c->builtin) {
        r = tc_res(call, TR_TO_STRING);
        r->name = I(name);
    } else if (c->dynamic) {
        r = tc_res(call, TR_DYN_METHOD);
        r->name = I(name);
    } else {
        r = tc_res(call, TR_IMPL_METHOD);
        r->fn = c->fn;
        r->impl = c->impl && c->fn && c->fn->kind == N_FN && ty_impl_method(c->impl, c->fn->fn.name.id) == c->fn
                      ? c->impl->node
                      : NULL;
    }
    if (callee && callee->kind == N_NAME) callee->aux = r;
}

static Type *builtin_method_type(const char *name, Type *recv) {
    if (strcmp(name, "to_string") == 0 || strcmp(name, "inspect") == 0) return ty_fun(1, &recv, ty_string());
    if (strcmp(name, "hash") == 0) return ty_fun(1, &recv, ty_int());
    Type *ps[2] = {recv, recv};
    return ty_fun(2, ps, ty_bool()); /* eq, lt */
}

static const StdFn *std_method(Type *recv, const char *name) {
    recv = ty_prune(recv);
    const char *mod = NULL;
    switch (recv->kind) {
    case TYK_STRING: mod = "String"; break;
    case TYK_LIST: mod = "List"; break;
    case TYK_MAP: mod = "Map"; break;
    case TYK_SET: mod = "Set"; break;
    case TYK_RANGE: mod = "Range"; break;
    case TYK_QUEUE: mod = "Queue"; break;
    default: return NULL;
    }
    return stdlib_lookup(mod, name);
}

static void no_method(Node *at, Type *recv, const char *name) {
    ShowCtx sc = {0};
    const char *ts = ty_str(&sc, recv);
    Diag *d = diag_new(DIAG_ERROR, "E0030", at->span, "no method `%s` on type `%s`", name, ts);
    diag_primary(d, "`%s` has no method `%s`", ts, name);
    Sym *fs = NULL;
    Module **mods;
    uint32_t nm;
    mods = resolve_order(&nm);
    for (uint32_t i = 0; i < nm && !fs; i++) {
        Sym *s = resolve_lookup_global(mods[i], I(name));
        if (s && s->kind == S_FN) fs = s;
    }
    if (fs) diag_help(d, "`%s` is a function, not a method: call it as `%s(%s)`", name, name,
                      fs->arity == 1 ? "value" : "value, ...");
    diag_emit(d);
}

static Type *finish_std_method(Node *call, const StdFn *f, Type *recv, Node *recv_node, Node **args, Type **pre,
                               int nargs, Span callee_span) {
    Type *ft = ty_prune(ty_instantiate(ty_std_scheme(f), call->span));
    TyRes *r = tc_res(call, TR_STD_METHOD);
    r->std = f;
    char what[128];
    snprintf(what, sizeof what, "`%s.%s`", f->module, f->name);
    if (ft->kind != TYK_FUN || ty_fun_arity(ft) < 1) return ty_error();
    UErr e = {0};
    if (ty_unify(ft->args[0], recv, &e) != U_OK) {
        Expect ex = {ft->args[0], DIAG_NOSPAN, NULL, NULL, NULL, NULL, NULL};
        ty_report_unify(recv_node->span, ft->args[0], recv, &ex, &e);
    }
    if (strcmp(f->module, "Map") == 0 && strcmp(f->name, "get") == 0) r->type = ty_arg(recv, 1);
    int arity = ty_fun_arity(ft) - 1;
    Type *rest = ty_fun(arity, ft->args + 1, ty_fun_ret(ft));
    return apply_pre(call, rest, args, pre, nargs, callee_span, ast_strdup(what, strlen(what)), NULL);
}

/* recv.name(args) once recv's type is known (or a type variable with
 * bounds).  Returns NULL when the receiver type is still unknown and nothing
 * applies (the caller defers). */
static Type *resolve_method(Node *call, Node *callee, Type *recv, Node *recv_node, const char *name, Node **args,
                            Type **pre, int nargs, Span callee_span, bool may_defer, Sym *only_trait) {
    Type *R = ty_prune(recv);
    if (R->kind == TYK_ERROR) {
        for (int i = 0; i < nargs; i++)
            if (!pre || !pre[i]) tc_expr(args[i], NULL);
        return ty_error();
    }
    /* a struct field holding a closure (divergence 47) */
    if (R->kind == TYK_USER && !only_trait) {
        TypeInfo *ti = ty_info(R->sym);
        int fi = ti && ti->is_struct ? ty_field_index(ti, name) : -1;
        if (fi >= 0) {
            Type *ft = ty_subst_params(ti, R, ti->ftypes[fi]);
            TyRes *r = tc_res(call, TR_FIELD_CALL);
            r->index = (uint32_t)fi;
            return apply_pre(call, ft, args, pre, nargs, callee_span, fmt_tmp("field `%s`", name), NULL);
        }
    }
    MethodCand cands[8];
    int nc = ty_method_candidates(R, name, cands, 8);
    if (only_trait) {
        int k = 0;
        for (int i = 0; i < nc; i++)
            if (cands[i].trait == only_trait) cands[k++] = cands[i];
        nc = k;
    }
    if (nc == 0 && R->kind == TYK_VAR) {
        /* an unknown receiver: wait for the rest of the definition to tell
         * its type; at the end, a method of exactly one interface puts a
         * bound on it */
        if (may_defer) return NULL;
        IfaceMethod *im = NULL;
        IfaceInfo *ii = only_trait ? ty_iface(only_trait) : ty_unique_iface_for(name, &im);
        if (ii && !im) im = ty_iface_method(ii, name);
        if (ii && im && im->has_self) {
            Bound b = {.iface = ii->sym, .origin = call->span, .what = fmt_tmp("required by the method call `.%s()`", name),
                       .decl = DIAG_NOSPAN};
            ty_require(R, &b);
            nc = ty_method_candidates(R, name, cands, 8);
        }
        if (nc == 0) {
            ShowCtx sc = {0};
            Diag *d = diag_new(DIAG_ERROR, "E0030", callee_span, "cannot call method `%s` on a value of unknown type %s",
                               name, ty_str(&sc, R));
            diag_primary(d, "the type of this value is not known here");
            static const char *const mods[] = {"String", "List", "Map", "Set", "Range", "Queue", NULL};
            char list[128] = "";
            for (int i = 0; mods[i]; i++)
                if (stdlib_lookup(mods[i], name)) {
                    if (list[0]) strncat(list, ", ", sizeof list - strlen(list) - 1);
                    strncat(list, mods[i], sizeof list - strlen(list) - 1);
                }
            if (list[0]) diag_note(d, "`%s` is a method of: %s", name, list);
            diag_help(d, "add a type annotation, e.g. `fn f(x :: String)` or `let x :: List<Int> = ...`");
            diag_emit(d);
            for (int i = 0; i < nargs; i++)
                if (!pre || !pre[i]) tc_expr(args[i], NULL);
            return ty_error();
        }
    }
    if (nc > 1) {
        ShowCtx sc = {0};
        const char *ts = ty_str(&sc, R);
        char list[512] = "";
        for (int i = 0; i < nc; i++) {
            if (i) strncat(list, ", ", sizeof list - strlen(list) - 1);
            strncat(list, cands[i].trait->name, sizeof list - strlen(list) - 1);
        }
        Diag *d = diag_new(DIAG_ERROR, "E0027", callee_span, "ambiguous method `%s` for type `%s`: candidates from traits [%s]",
                           name, ts, list);
        diag_primary(d, "%d interfaces implemented by `%s` have a method `%s`", nc, ts, name);
        diag_help(d, "use qualified syntax: %s.%s(value) or %s.%s(value)", cands[0].trait->name, name, cands[1].trait->name,
                  name);
        diag_emit(d);
        for (int i = 0; i < nargs; i++)
            if (!pre || !pre[i]) tc_expr(args[i], NULL);
        return ty_error();
    }
    if (nc == 1) {
        MethodCand *c = &cands[0];
        record_method(call, callee, c, name);
        Type *mt;
        if (c->builtin) mt = builtin_method_type(name, R);
        else if (c->dynamic) mt = iface_method_type(ty_iface(c->trait), ty_iface_method(ty_iface(c->trait), name), R);
        else mt = cand_type(c, call);
        mt = ty_prune(mt);
        if (c->dynamic) {
            Site *s = add_site(SITE_DYN, call);
            s->node2 = callee && callee->kind == N_NAME ? callee : NULL;
            s->type = R;
            s->name = I(name);
            s->trait = c->trait;
        }
        if (mt->kind != TYK_FUN || ty_fun_arity(mt) < 1) {
            Diag *d = diag_new(DIAG_ERROR, "E0030", callee_span, "`%s` of `%s` cannot be called on a value", name,
                               c->trait->name);
            diag_primary(d, "`%s` has no `self` parameter", name);
            diag_emit(d);
            return ty_error();
        }
        UErr e = {0};
        if (ty_unify(mt->args[0], R, &e) != U_OK) {
            Expect ex = {mt->args[0], DIAG_NOSPAN, NULL, NULL, NULL, NULL, NULL};
            ty_report_unify(recv_node->span, mt->args[0], R, &ex, &e);
        }
        int arity = ty_fun_arity(mt) - 1;
        Type *rest = ty_fun(arity, mt->args + 1, ty_fun_ret(mt));
        return apply_pre(call, rest, args, pre, nargs, callee_span, fmt_tmp("`%s`", name), NULL);
    }
    /* stdlib fallback by receiver type */
    const StdFn *f = only_trait ? NULL : std_method(R, name);
    if (f) return finish_std_method(call, f, R, recv_node, args, pre, nargs, callee_span);
    if (only_trait) {
        ShowCtx sc = {0};
        Diag *d = diag_new(DIAG_ERROR, "E0006", recv_node->span, "%s does not implement %s", ty_str(&sc, R),
                           only_trait->name);
        diag_primary(d, "`%s.%s` needs a value implementing `%s`", only_trait->name, name, only_trait->name);
        diag_emit(d);
    } else {
        no_method(callee_span.file != UINT32_MAX ? callee : call, R, name);
    }
    for (int i = 0; i < nargs; i++)
        if (!pre || !pre[i]) tc_expr(args[i], NULL);
    return ty_error();
}

/* recv.name(args): N_CALL whose callee is an N_FIELDACC without symbol. */
static Type *tc_method_call(Node *call) {
    Node *callee = call->call.callee;
    Node *recv = callee->field_acc.base;
    const char *name = callee->field_acc.name.id;
    Type *R = tc_expr(recv, NULL);
    int nargs = (int)call->call.args.n;
    Node **args = call->call.args.v;
    Type *t = resolve_method(call, callee, R, recv, name, args, NULL, nargs, callee->field_acc.name.span, true, NULL);
    if (t) return t;
    /* unknown receiver: infer the arguments now, decide at the end of the group */
    Type **pre = ast_alloc((size_t)(nargs + 1) * sizeof *pre);
    for (int i = 0; i < nargs; i++) pre[i] = tc_expr(args[i], NULL);
    Site *s = add_site(SITE_METHOD, call);
    s->type = R;
    s->result = ty_var();
    s->name = name;
    s->args = args;
    s->nargs = nargs;
    s->pre = pre;
    return s->result;
}

/* m(x, args) for an interface method m (S_METHOD): dispatch on x. */
static Type *tc_method_free_call(Node *call, Node *callee, const char *name, Sym *only_trait) {
    int nargs = (int)call->call.args.n;
    Node **args = call->call.args.v;
    if (nargs == 0) {
        /* a method without receiver: fine when exactly one impl defines it */
        uint32_t ni;
        ImplInfo **all = ty_all_impls(&ni);
        Node *found = NULL;
        ImplInfo *fi = NULL;
        int count = 0;
        for (uint32_t i = 0; i < ni; i++) {
            if (!all[i]->ok || (only_trait && all[i]->trait != only_trait)) continue;
            Node *m = ty_impl_method(all[i], name);
            if (m) {
                found = m;
                fi = all[i];
                count++;
            }
        }
        if (count != 1) {
            Diag *d = diag_new(DIAG_ERROR, "E0027", callee->span, "cannot tell which `%s` to call", name);
            diag_primary(d, "%d impls define `%s` and there is no receiver to choose by", count, name);
            diag_emit(d);
            return ty_error();
        }
        MethodCand c = {fi->trait, fi, found, false, false};
        record_method(call, callee, &c, name);
        return tc_apply(call, cand_type(&c, call), args, 0, callee->span, fmt_tmp("`%s`", name), NULL);
    }
    Type *R = tc_expr(args[0], NULL);
    Type *t = resolve_method(call, callee, R, args[0], name, args + 1, NULL, nargs - 1, callee->span, true, only_trait);
    if (t) return t;
    Type **pre = ast_alloc((size_t)nargs * sizeof *pre);
    for (int i = 1; i < nargs; i++) pre[i - 1] = tc_expr(args[i], NULL);
    Site *s = add_site(SITE_METHOD, call);
    s->node2 = callee;
    s->type = R;
    s->result = ty_var();
    s->name = name;
    s->trait = only_trait;
    s->args = args + 1;
    s->nargs = nargs - 1;
    s->pre = pre;
    return s->result;
}

/* An S_METHOD used as a value: the interface's signature over a bounded
 * receiver variable; settled at the end of the group. */
static Type *method_value_type(Node *site, const char *name) {
    IfaceMethod *im = NULL;
    IfaceInfo *ii = ty_unique_iface_for(name, &im);
    Type *self = ty_var();
    if (ii && im) {
        Bound b = {.iface = ii->sym, .origin = site->span, .what = fmt_tmp("required by `%s`", name), .decl = DIAG_NOSPAN};
        ty_require(self, &b);
        Site *s = add_site(SITE_METHOD_NAME, site);
        s->type = self;
        s->name = name;
        TyRes *r = tc_res(site, TR_DYN_METHOD);
        r->name = I(name);
        return iface_method_type(ii, im, self);
    }
    /* only impls define it (no interface declares it): take the first impl's type */
    uint32_t ni;
    ImplInfo **all = ty_all_impls(&ni);
    for (uint32_t i = 0; i < ni; i++) {
        if (!all[i]->ok) continue;
        Node *m = ty_impl_method(all[i], name);
        if (!m) continue;
        MethodCand c = {all[i]->trait, all[i], m, false, false};
        Site *s = add_site(SITE_METHOD_NAME, site);
        s->name = name;
        Type *t = ty_prune(cand_type(&c, site));
        s->type = t->kind == TYK_FUN && t->nargs > 1 ? t->args[0] : ty_var();
        TyRes *r = tc_res(site, TR_DYN_METHOD);
        r->name = I(name);
        return t;
    }
    return ty_var();
}

/* ---- special library functions ----------------------------------------------------------------- */

static Type *tc_default_call(Node *call, Node *callee, const Expect *ex) {
    if (call->call.args.n) {
        ty_report_arity(call->span, callee->span, "`default`", 0, (int)call->call.args.n);
        for (uint32_t i = 0; i < call->call.args.n; i++) tc_expr(call->call.args.v[i], NULL);
    }
    Type *t = ty_var();
    if (ex && ex->type) ty_unify(t, ex->type, NULL);
    Bound b = {.iface = ty_proto.dflt, .origin = call->span, .what = "`default()` needs a type with a `Default` value",
               .decl = DIAG_NOSPAN};
    ty_require(t, &b);
    TyRes *r = tc_res(call, TR_DEFAULT);
    r->type = t;
    callee->aux = r;
    Site *s = add_site(SITE_DEFAULT, call);
    s->type = t;
    return t;
}

static Type *tc_builtin_call(Node *call, Node *callee, Sym *s, const Expect *ex) {
    const StdFn *f = s->builtin;
    int nargs = (int)call->call.args.n;
    Node **args = call->call.args.v;
    if (f && (f->flags & SF_SPECIAL) && strcmp(f->name, "default") == 0 && !f->module[0])
        return tc_default_call(call, callee, ex);
    if (f && (f->flags & SF_SPECIAL) && strcmp(f->module, "Node") == 0 && nargs >= 2)
        return tc_node_spawn(call, callee, args, nargs, ex);
    Type *ft = tc_sym_type(s, callee);
    callee->ty = ft;
    const char *what = callee_name(callee);
    if (f && strcmp(f->module, "Json") == 0 && strcmp(f->name, "encode") == 0 && nargs == 1) {
        Type *a = tc_expr(args[0], NULL);
        Bound b = {.pseudo = PT_JSON, .origin = args[0]->span, .what = "Json.encode needs a JSON-serializable value",
                   .decl = DIAG_NOSPAN};
        ty_require(a, &b);
        TyRes *r = tc_res(call, TR_JSON_ENCODE);
        r->type = a;
        Type *pre[1] = {a};
        return apply_pre(call, ft, args, pre, 1, callee->span, what, NULL);
    }
    Type *res = tc_apply(call, ft, args, nargs, callee->span, what, NULL);
    if (f && strcmp(f->module, "Map") == 0 && strcmp(f->name, "get") == 0 && nargs >= 1) {
        TyRes *r = tc_res(call, TR_MAP_GET);
        r->type = res;
    }
    return res;
}

/* T.from_json / T.from_row (§4.5 item 5). */
static Type *tc_from_fn(Node *fa) {
    Sym *ts = fa->sym;
    TypeInfo *ti = ty_info(ts);
    bool json = strcmp(fa->field_acc.name.id, "from_json") == 0;
    if (!ti) return ty_error();
    uint32_t need = json ? D_JSON : D_ROW;
    if (!(ti->derives & need)) {
        Diag *d = diag_new(DIAG_ERROR, "E0030", fa->field_acc.name.span, "no method `%s` on type `%s`",
                           fa->field_acc.name.id, ts->name);
        diag_primary(d, "`%s` does not derive `%s`", ts->name, json ? "Json" : "Row");
        diag_help(d, "add `%s` to the deriving list of `%s`", json ? "Json" : "Row", ts->name);
        diag_emit(d);
        return ty_error();
    }
    Type *inst = ty_fresh_instance(ti);
    Type *param = json ? ty_string() : ty_con2(TYK_MAP, ty_string(), ty_string());
    TyRes *r = tc_res(fa, json ? TR_FROM_JSON : TR_FROM_ROW);
    r->type = inst;
    return ty_fun(1, &param, ty_result(inst, ty_string()));
}

/* ---- calls -------------------------------------------------------------------------------------- */

static Type *tc_call(Node *n, const Expect *ex) {
    Node *callee = n->call.callee;
    int nargs = (int)n->call.args.n;
    Node **args = n->call.args.v;
    if (callee->kind == N_FIELDACC && !callee->sym) return tc_method_call(n);
    Sym *s = (callee->kind == N_NAME || callee->kind == N_FIELDACC) ? callee->sym : NULL;
    if (s) {
        switch (s->kind) {
        case S_METHOD: return tc_method_free_call(n, callee, s->name, NULL);
        case S_INTERFACE:
            if (callee->kind == N_FIELDACC) return tc_method_free_call(n, callee, callee->field_acc.name.id, s);
            break;
        case S_BUILTIN: return tc_builtin_call(n, callee, s, ex);
        case S_SERVICE:
            if (callee->kind == N_FIELDACC) {
                Type *ft = tc_service_fn(callee, n);
                callee->ty = ft;
                return tc_apply(n, ft, args, nargs, callee->field_acc.name.span, callee_name(callee), NULL);
            }
            break;
        case S_STRUCT: case S_SUMTYPE:
            if (callee->kind == N_FIELDACC) {
                Type *ft = tc_from_fn(callee);
                callee->ty = ft;
                n->aux = callee->aux; /* the call carries it too */
                return tc_apply(n, ft, args, nargs, callee->field_acc.name.span, callee_name(callee), NULL);
            }
            break;
        case S_FN: {
            Type *ft = tc_sym_type(s, callee);
            callee->ty = ft;
            return tc_apply(n, ft, args, nargs, callee->span, callee_name(callee), s->defs ? s->defs[0] : NULL);
        }
        case S_CTOR: {
            Type *ft = tc_sym_type(s, callee);
            callee->ty = ft;
            if (ty_prune(ft)->kind != TYK_FUN) {
                ShowCtx sc = {0};
                Diag *d = diag_new(DIAG_ERROR, "E0003", n->span, "expected 0 argument(s), found %d", nargs);
                diag_primary(d, "`%s` has no fields: write just `%s`", s->name, s->name);
                diag_label(d, callee->span, "`%s` is a value of type `%s`", s->name, ty_str(&sc, ft));
                diag_emit(d);
                for (int i = 0; i < nargs; i++) tc_expr(args[i], NULL);
                return ft;
            }
            return tc_apply(n, ft, args, nargs, callee->span, callee_name(callee), NULL);
        }
        default: break;
        }
    }
    Type *ft = tc_expr(callee, NULL);
    return tc_apply(n, ft, args, nargs, callee->span, callee_name(callee), NULL);
}

/* ---- field access (§4.5) ---------------------------------------------------------------------------- */

static Type *field_of(Node *fa, Type *B, bool report_unknown) {
    Type *b = ty_prune(B);
    const char *name = fa->field_acc.name.id;
    if (b->kind == TYK_ERROR) return ty_error();
    if (b->kind == TYK_VAR && report_unknown) {
        /* still unknown at the end: the one struct that has such a field */
        uint32_t n;
        TypeInfo **all = ty_all_infos(&n), *only = NULL;
        int count = 0;
        for (uint32_t i = 0; i < n; i++)
            if (all[i]->is_struct && ty_field_index(all[i], name) >= 0) {
                only = all[i];
                count++;
            }
        if (count == 1 && ty_unify(b, ty_fresh_instance(only), NULL) == U_OK) return field_of(fa, b, true);
    }
    if (b->kind == TYK_VAR) {
        if (!report_unknown) return NULL;
        ShowCtx sc = {0};
        Diag *d = diag_new(DIAG_ERROR, "E0009", fa->field_acc.name.span, "cannot access field `%s` of a value of unknown type %s",
                           name, ty_str(&sc, b));
        diag_primary(d, "the type of this value must be known here");
        diag_help(d, "add a type annotation, e.g. `fn f(p :: Point)`");
        diag_emit(d);
        return ty_error();
    }
    TypeInfo *ti = b->kind == TYK_USER ? ty_info(b->sym) : NULL;
    if (ti && ti->is_struct) {
        int fi = ty_field_index(ti, name);
        if (fi >= 0) {
            TyRes *r = tc_res(fa, TR_FIELD);
            r->index = (uint32_t)fi;
            return ty_subst_params(ti, b, ti->ftypes[fi]);
        }
    }
    ShowCtx sc = {0};
    const char *ts = ty_str(&sc, b);
    Diag *d = diag_new(DIAG_ERROR, "E0009", fa->field_acc.name.span, "type %s has no field %s", ts, name);
    diag_primary(d, "unknown field");
    if (ti && ti->is_struct) {
        char list[512] = "";
        for (int i = 0; i < ti->nfields; i++) {
            if (i) strncat(list, ", ", sizeof list - strlen(list) - 1);
            strncat(list, ti->fnames[i], sizeof list - strlen(list) - 1);
        }
        if (list[0]) diag_note(d, "`%s` has the fields: %s", b->sym->name, list);
        else diag_note(d, "`%s` has no fields", b->sym->name);
    } else if (std_method(b, name)) {
        diag_help(d, "`%s` is a function: call it with `.%s()`", name, name);
    }
    diag_emit(d);
    return ty_error();
}

static Type *tc_fieldacc(Node *n) {
    Sym *s = n->sym;
    if (s) {
        switch (s->kind) {
        case S_STRUCT: case S_SUMTYPE: return tc_from_fn(n);
        case S_SERVICE: return tc_service_fn(n, NULL);
        case S_INTERFACE: return method_value_type(n, n->field_acc.name.id);
        default: return tc_sym_type(s, n);
        }
    }
    Node *base = n->field_acc.base;
    Type *B = tc_expr(base, NULL);
    Type *t = field_of(n, B, false);
    if (t) return t;
    Site *st = add_site(SITE_FIELD, n);
    st->type = B;
    st->result = ty_var();
    return st->result;
}

/* ---- struct literals (§4.7) --------------------------------------------------------------------------- */

static Type *tc_structlit(Node *n, const Expect *ex) {
    Sym *s = n->slit.type ? n->slit.type->sym : NULL;
    TypeInfo *ti = s ? ty_info(s) : NULL;
    if (!ti || !ti->is_struct) {
        for (uint32_t i = 0; i < n->slit.fields.n; i++) tc_expr(n->slit.fields.v[i]->field_init.value, NULL);
        return ty_error();
    }
    Type *inst = ty_fresh_instance(ti);
    if (ex && ex->type && ty_sym(ex->type) == s) ty_unify(inst, ex->type, NULL); /* Box<Int> = Box { ... } */
    bool *seen = xcalloc((size_t)ti->nfields + 1, sizeof *seen);
    for (uint32_t i = 0; i < n->slit.fields.n; i++) {
        Node *fi = n->slit.fields.v[i];
        const char *fname = fi->field_init.name.id;
        int k = ty_field_index(ti, fname);
        if (k < 0) {
            Diag *d = diag_new(DIAG_ERROR, "E0009", fi->field_init.name.span, "unknown field %s in struct %s", fname, s->name);
            diag_primary(d, "`%s` has no field `%s`", s->name, fname);
            diag_label(d, ti->def->tdef.name.span, "`%s` is declared here", s->name);
            diag_emit(d);
            tc_expr(fi->field_init.value, NULL);
            continue;
        }
        if (seen[k]) {
            Diag *d = diag_new(DIAG_ERROR, "E0009", fi->field_init.name.span, "field %s given twice in struct %s", fname,
                               s->name);
            diag_primary(d, "second value for `%s`", fname);
            diag_emit(d);
        }
        seen[k] = true;
        Type *ft = ty_subst_params(ti, inst, ti->ftypes[k]);
        char why[512];
        if (ti->nparams) {
            ShowCtx sc = {0};
            snprintf(why, sizeof why, "field `%s` of `%s` has type `%%s`", fname, ty_str(&sc, inst));
        } else {
            snprintf(why, sizeof why, "field `%s` of `%s` is declared `%%s` here", fname, s->name);
        }
        Node *fdecl = ti->fnodes[k];
        Expect ex = {ft, fdecl->field.type ? fdecl->field.type->span : fdecl->span, why, NULL, NULL, NULL, NULL};
        fi->ty = tc_expr(fi->field_init.value, &ex);
    }
    for (int k = 0; k < ti->nfields; k++) {
        if (seen[k]) continue;
        Diag *d = diag_new(DIAG_ERROR, "E0009", n->span, "missing field %s in struct %s", ti->fnames[k], s->name);
        diag_primary(d, "`%s` is not given a value", ti->fnames[k]);
        diag_label(d, ti->fnodes[k]->span, "`%s` is declared here", ti->fnames[k]);
        diag_help(d, "add `%s: <value>`", ti->fnames[k]);
        diag_emit(d);
    }
    free(seen);
    return inst;
}

/* ---- operators (§4.4, §4.8) ----------------------------------------------------------------------------- */

static Sym *op_trait(int op, const char **method) {
    switch (op) {
    case TK_PLUS: *method = "add"; return ty_proto.add;
    case TK_MINUS: *method = "sub"; return ty_proto.sub;
    case TK_STAR: *method = "mul"; return ty_proto.mul;
    case TK_SLASH: *method = "div"; return ty_proto.div;
    case TK_PERCENT: *method = "mod"; return ty_proto.mod;
    case TK_EQEQ: case TK_NEQ: *method = "eq"; return ty_proto.eq;
    case TK_LT: case TK_GT: case TK_LE: case TK_GE: *method = "lt"; return ty_proto.ord;
    default: *method = NULL; return NULL;
    }
}

static const char *op_text(int op) { return tok_text((TokKind)op); }

/* The impl an operator on a user type calls (TR_IMPL_METHOD), if any. */
static void settle_binop(Node *n, Type *operand) {
    const char *mname;
    Sym *tr = op_trait(n->bin.op, &mname);
    if (!tr) return;
    Type *t = ty_prune(operand);
    if (t->kind == TYK_VAR) {
        TyRes *r = tc_res(n, TR_DYN_METHOD);
        r->name = I(mname);
        r->negate = n->bin.op == TK_NEQ || n->bin.op == TK_LE || n->bin.op == TK_GE;
        r->swap = n->bin.op == TK_GT || n->bin.op == TK_LE;
        return;
    }
    ImplInfo *ii = ty_find_impl(tr, t);
    if (!ii) {
        n->aux = NULL;
        return;
    }
    Node *fn = ty_impl_method(ii, I(mname));
    if (!fn) return;
    TyRes *r = tc_res(n, TR_IMPL_METHOD);
    r->fn = fn;
    r->impl = ii->node;
    r->negate = n->bin.op == TK_NEQ || n->bin.op == TK_LE || n->bin.op == TK_GE;
    r->swap = n->bin.op == TK_GT || n->bin.op == TK_LE;
}

static bool numeric_kind(Type *t) {
    t = ty_prune(t);
    return t->kind == TYK_INT || t->kind == TYK_FLOAT;
}

/* Both operands must have one type; blame the side that looks wrong. */
static Type *unify_operands(Node *n, Type *L, Type *R) {
    UErr e = {0};
    if (ty_unify(L, R, &e) == U_OK) return L;
    Node *lhs = n->bin.lhs, *rhs = n->bin.rhs;
    Type *lp = ty_prune(L), *rp = ty_prune(R);
    bool blame_left = !numeric_kind(lp) && numeric_kind(rp) && lp->kind != TYK_VAR;
    char why[128];
    snprintf(why, sizeof why, "`%s` needs two operands of one type; this one is `%%s`", op_text(n->bin.op));
    Expect ex = {blame_left ? R : L, blame_left ? rhs->span : lhs->span, why, NULL, NULL, NULL, NULL};
    if (numeric_kind(lp) && numeric_kind(rp))
        ex.help = "Snow never mixes Int and Float: convert one side with Int.to_float(...) or Float.to_int(...)";
    if (blame_left) ty_report_unify(lhs->span, R, L, &ex, &e);
    else ty_report_unify(rhs->span, L, R, &ex, &e);
    return ty_error();
}

/* The left operand of a binary operator: checked here, or (when the
 * operator is a link of a chain, see tc_binop) already checked as `L`. */
static Type *binop_lhs(Node *lhs, Type *L, const Expect *ex) {
    if (!L) return tc_expr(lhs, ex);
    ty_expect(lhs->span, L, ex);
    return L;
}

static Type *tc_binop1(Node *n, Type *lhs_type) {
    int op = n->bin.op;
    Node *lhs = n->bin.lhs, *rhs = n->bin.rhs;
    switch (op) {
    case TK_ANDAND: case TK_OROR: case TK_AND: case TK_OR: {
        Expect ex = {ty_bool(), DIAG_NOSPAN, NULL, NULL, NULL, "`and`/`or` work on Bool values; this has type `%s`", NULL};
        binop_lhs(lhs, lhs_type, &ex);
        tc_expr(rhs, &ex);
        return ty_bool();
    }
    case TK_DOTDOT: {
        Expect ex = {ty_int(), DIAG_NOSPAN, NULL, NULL, NULL, NULL, NULL};
        binop_lhs(lhs, lhs_type, &ex);
        tc_expr(rhs, &ex);
        return ty_basic(TYK_RANGE);
    }
    case TK_DIAMOND: case TK_PLUSPLUS: {
        Type *L = binop_lhs(lhs, lhs_type, NULL);
        Type *R = tc_expr(rhs, NULL);
        Type *t = unify_operands(n, L, R);
        if (ty_is_error(t)) return t;
        Bound b = {.pseudo = PT_CONCAT, .origin = n->span, .decl = DIAG_NOSPAN};
        ty_require(L, &b);
        return L;
    }
    default: break;
    }
    const char *mname;
    Sym *tr = op_trait(op, &mname);
    Type *L = binop_lhs(lhs, lhs_type, NULL);
    Type *R = tc_expr(rhs, NULL);
    Type *t = unify_operands(n, L, R);
    if (ty_is_error(t)) return (op == TK_EQEQ || op == TK_NEQ || op == TK_LT || op == TK_GT || op == TK_LE || op == TK_GE)
                                   ? ty_bool()
                                   : ty_error();
    if (tr) {
        char what[96];
        snprintf(what, sizeof what, "`%s` needs `%s`", op_text(op), tr->name);
        Bound b = {.iface = tr, .origin = n->span, .what = ast_strdup(what, strlen(what)), .decl = DIAG_NOSPAN};
        ty_require(L, &b);
        Site *s = add_site(SITE_BINOP, n);
        s->type = L;
    }
    if (op == TK_EQEQ || op == TK_NEQ || op == TK_LT || op == TK_GT || op == TK_LE || op == TK_GE) return ty_bool();
    /* arithmetic on a user type: the impl's result type */
    Type *lp = ty_prune(L);
    if (tr && lp->kind == TYK_USER) {
        ImplInfo *ii = ty_find_impl(tr, lp);
        Node *fn = ii ? ty_impl_method(ii, I(mname)) : NULL;
        if (fn) {
            MethodCand c = {tr, ii, fn, false, false};
            Type *mt = ty_prune(cand_type(&c, n));
            if (mt->kind == TYK_FUN && ty_fun_arity(mt) == 2) {
                ty_unify(mt->args[0], L, NULL);
                ty_unify(mt->args[1], R, NULL);
                return ty_fun_ret(mt);
            }
        }
    }
    return L;
}

/* A chain a + b - c ... is checked in a loop from the innermost operator
 * out, exactly in the order the recursion would take (first operand, then
 * each right operand), so its length costs no C stack. */
static Type *tc_binop(Node *n) {
    if (n->bin.lhs->kind != N_BINOP) return tc_binop1(n, NULL);
    AstSpine sp;
    ast_binop_spine(&sp, n);
    Type *L = NULL;
    for (uint32_t i = sp.n; i-- > 1;) {
        L = tc_binop1(sp.v[i], L);
        sp.v[i]->ty = L; /* what tc_expr records for an operand */
    }
    ast_spine_free(&sp);
    return tc_binop1(n, L);
}

static Type *tc_unop(Node *n) {
    if (n->un.op == TK_MINUS) {
        Type *t = tc_expr(n->un.operand, NULL);
        Bound b = {.pseudo = PT_NUM, .origin = n->span, .what = "unary `-` works on Int and Float", .decl = DIAG_NOSPAN};
        ty_require(t, &b);
        return t;
    }
    Expect ex = {ty_bool(), DIAG_NOSPAN, NULL, NULL, NULL, NULL, NULL};
    tc_expr(n->un.operand, &ex);
    return ty_bool();
}

/* ---- `?` (§4.11) ------------------------------------------------------------------------------------------ */

static Type *tc_try(Node *n) {
    Type *t = tc_expr(n->un.operand, NULL);
    Type *p = ty_prune(t);
    FnCtx *f = cur_fn;
    Type *ret = f ? ty_prune(f->ret) : NULL;
    if (p->kind == TYK_ERROR) return ty_error();
    if (p->kind == TYK_VAR) {
        /* unknown operand: follow the enclosing function's result */
        if (ret && ty_is_option(ret)) ty_unify(p, ty_option(ty_var()), NULL);
        else ty_unify(p, ty_result(ty_var(), ty_var()), NULL);
        p = ty_prune(p);
    }
    bool opt = ty_is_option(p), res = ty_is_result(p);
    if (!opt && !res) {
        ShowCtx sc = {0};
        Diag *d = diag_new(DIAG_ERROR, "E0037", n->span, "`?` requires `Result` or `Option`");
        diag_primary(d, "type `%s` is not `Result` or `Option`", ty_str(&sc, p));
        diag_help(d, "`?` unwraps an Ok/Some value and returns early on Err/None; this value has nothing to unwrap");
        diag_emit(d);
        return ty_error();
    }
    Type *inner = p->args[0];
    if (!f) return inner;
    Type *want = opt ? ty_option(ty_var()) : ty_result(ty_var(), p->args[1]);
    UErr e = {0};
    bool fits = ty_unify(f->ret, want, &e) == U_OK;
    if (fits && !f->ret_declared && f->ret_span.file == UINT32_MAX) {
        /* §4.11 (recommended): `?` decides the result of an unannotated function */
        f->ret_span = n->span;
        f->ret_why = "this `?` makes the function return `%s`";
    }
    if (!fits) {
        ShowCtx sc = {0};
        Type *r = ty_prune(f->ret);
        if (res && ty_is_result(r)) {
            /* the error types differ */
            const char *es = ty_str(&sc, p->args[1]), *rs = ty_str(&sc, r->args[1]);
            Diag *d = diag_new(DIAG_ERROR, "E0001", n->span, "expected %s, found %s", rs, es);
            diag_primary(d, "this error has type `%s`", es);
            if (f->ret_span.file != UINT32_MAX) diag_label(d, f->ret_span, "the function returns errors of type `%s`", rs);
            diag_help(d, "`?` passes the error on unchanged, so both error types must be the same");
            diag_emit(d);
        } else if (!f->try_reported) {
            f->try_reported = true;
            Diag *d = diag_new(DIAG_ERROR, "E0036", n->span, "`?` operator requires function to return `Result` or `Option`");
            diag_primary(d, "`?` can return early from here");
            if (f->ret_span.file != UINT32_MAX) diag_label(d, f->ret_span, "the function's return type");
            diag_note(d, "the enclosing function returns `%s`, but `?` requires `%s`", ty_str(&sc, r),
                      opt ? "Option<_>" : "Result<_, _>");
            diag_emit(d);
        }
    }
    return inner;
}

/* ---- control flow ------------------------------------------------------------------------------------------ */

static Type *tc_if(Node *n, const Expect *ex) {
    Expect cex = {ty_bool(), DIAG_NOSPAN, NULL, NULL, NULL, "this has type `%s`, not `Bool`", NULL};
    tc_expr(n->if_.cond, &cex);
    if (!n->if_.els) {
        /* decision 26: without `else` the `if` is a statement of type ();
         * the then-branch's value is discarded */
        tc_block(n->if_.then, NULL);
        if (ex && ex->type) {
            Expect e = *ex;
            e.primary = "this `if` has no `else` branch, so its type is `%s`";
            e.help = "add an `else` branch so that the `if` has a value in both cases";
            ty_expect(n->span, ty_unit(), &e);
        }
        return ty_unit();
    }
    Type *A = tc_block(n->if_.then, ex);
    Expect bex;
    if (ex && ex->type) bex = *ex;
    else {
        Node *le = last_expr(n->if_.then);
        bex = (Expect){A, le ? le->span : n->if_.then->span, "this branch has type `%s`", NULL, NULL, NULL, NULL};
    }
    if (n->if_.els->kind == N_IF) tc_expr(n->if_.els, &bex);
    else tc_block(n->if_.els, &bex);
    return ex && ex->type ? ex->type : A;
}

static Type *tc_case(Node *n, const Expect *ex) {
    Type *S = tc_expr(n->case_.scrut, NULL);
    Type *result = NULL;
    Node *first_body = NULL;
    for (uint32_t i = 0; i < n->case_.arms.n; i++) {
        Node *arm = n->case_.arms.v[i];
        tc_pattern(arm->arm.pat, S, n->case_.scrut->span);
        tc_guard(arm->arm.guard);
        Expect aex;
        const Expect *use = ex;
        if (!(ex && ex->type) && result) {
            Node *le = last_expr(first_body);
            aex = (Expect){result, le ? le->span : first_body->span, "the first arm has type `%s`", NULL, NULL, NULL, NULL};
            use = &aex;
        }
        Type *bt = tc_expr(arm->arm.body, use);
        arm->ty = bt;
        if (!result) {
            result = ex && ex->type ? ex->type : bt;
            first_body = arm->arm.body;
        }
    }
    tc_queue_match(MK_CASE, n, S, NULL, 0, NULL);
    if (!result) return ex && ex->type ? ex->type : ty_var();
    return result;
}

static Type *tc_while(Node *n) {
    Expect cex = {ty_bool(), DIAG_NOSPAN, NULL, NULL, NULL, "this has type `%s`, not `Bool`", NULL};
    tc_expr(n->loop.cond, &cex);
    tc_block(n->loop.body, NULL);
    return ty_unit();
}

static Type *tc_for(Node *n, const Expect *ex) {
    Type *I0 = tc_expr(n->for_.iter, NULL);
    Type *it = ty_prune(I0);
    Type *elem, *val = NULL;
    if (it->kind == TYK_VAR) {
        elem = ty_var();
        ty_unify(it, ty_con1(TYK_LIST, elem), NULL);
        it = ty_prune(it);
    }
    switch (it->kind) {
    case TYK_RANGE: elem = ty_int(); break;
    case TYK_LIST: case TYK_SET: case TYK_QUEUE: elem = it->args[0]; break;
    case TYK_MAP:
        elem = it->args[0];
        val = it->args[1];
        break;
    case TYK_ERROR: elem = ty_error(); break;
    default: {
        ShowCtx sc = {0};
        Diag *d = diag_new(DIAG_ERROR, "E0001", n->for_.iter->span, "expected a List, Range, Map or Set, found %s",
                           ty_str(&sc, it));
        diag_primary(d, "`for` cannot iterate over a value of type `%s`", ty_str(&sc, it));
        diag_emit(d);
        elem = ty_error();
        break;
    }
    }
    if (n->for_.var2) {
        if (!val) {
            ShowCtx sc = {0};
            Diag *d = diag_new(DIAG_ERROR, "E0001", n->for_.iter->span, "expected a Map, found %s", ty_str(&sc, it));
            diag_primary(d, "`for {k, v} in ...` iterates over the entries of a Map");
            diag_emit(d);
            val = ty_error();
        }
        tc_pattern(n->for_.var, elem, n->for_.iter->span);
        tc_pattern(n->for_.var2, val, n->for_.iter->span);
    } else {
        tc_pattern(n->for_.var, elem, n->for_.iter->span);
    }
    tc_guard(n->for_.filter);
    Expect bex, *use = NULL;
    if (ex && ex->type) {
        Type *et = ty_prune(ex->type);
        if (et->kind == TYK_LIST) {
            bex = *ex;
            bex.type = et->args[0];
            bex.primary = NULL;
            use = &bex;
        }
    }
    Type *B = tc_block(n->for_.body, use);
    return ty_con1(TYK_LIST, use ? use->type : B);
}

static Type *tc_return(Node *n) {
    FnCtx *f = cur_fn;
    if (!f) {
        if (n->un.operand) tc_expr(n->un.operand, NULL);
        return ty_var();
    }
    Expect ex = {f->ret, f->ret_span, f->ret_why ? f->ret_why : "expected `%s` because of the return type", f->ret_code,
                 NULL, NULL, NULL};
    if (n->un.operand) tc_expr(n->un.operand, &ex);
    else ty_expect(n->span, ty_unit(), &ex);
    if (!f->ret_declared && f->ret_span.file == UINT32_MAX) {
        f->ret_span = n->span;
        f->ret_why = "this `return` gives the function the result type `%s`";
    }
    return ty_var();
}

/* The value of an unannotated body is the function's result: unify it
 * last, with the label of whatever fixed the result first (a `?`, a
 * `return`). */
static void finish_body(Node *body, Type *bt, FnCtx *f) {
    Node *le = last_expr(body);
    Expect ex = {f->ret, f->ret_span, f->ret_why, f->ret_code, NULL, NULL, NULL};
    ty_expect(le ? le->span : body ? body->span : DIAG_NOSPAN, bt, &ex);
}

/* ---- closures ---------------------------------------------------------------------------------------------- */

static Type *tc_closure(Node *n, const Expect *ex) {
    int nc = (int)n->closure.clauses.n;
    int arity = nc ? (int)n->closure.clauses.v[0]->clause.params.n : 0;
    Type *want = ex && ex->type ? ty_prune(ex->type) : NULL;
    Type **ps = xmalloc((size_t)(arity + 1) * sizeof *ps);
    Type *ret;
    bool from_ctx = want && want->kind == TYK_FUN && ty_fun_arity(want) == arity;
    for (int i = 0; i < arity; i++) ps[i] = from_ctx ? want->args[i] : ty_var();
    ret = from_ctx ? ty_fun_ret(want) : ty_var();
    FnCtx f = {.ret = ret, .ret_span = DIAG_NOSPAN, .ret_declared = false};
    tc_push_fn(&f);
    Node *first_body = NULL;
    for (int c = 0; c < nc; c++) {
        Node *cl = n->closure.clauses.v[c];
        int k = (int)cl->clause.params.n;
        if (k != arity) {
            Diag *d = diag_new(DIAG_ERROR, "E0024", cl->span,
                               "all clauses of a closure must have the same number of parameters; expected %d, found %d",
                               arity, k);
            diag_emit(d);
        }
        for (int i = 0; i < k; i++) tc_pattern(cl->clause.params.v[i], i < arity ? ps[i] : ty_var(), cl->clause.params.v[i]->span);
        tc_guard(cl->clause.guard);
        Expect bex, *use = NULL;
        if (from_ctx && ex) {
            bex = *ex;
            bex.type = ret;
            bex.primary = NULL;
            bex.code = NULL;
            bex.msg = NULL;
            bex.why = ex->origin.file != UINT32_MAX ? "the function's result is expected to be `%s`" : NULL;
            use = &bex;
        } else if (first_body) {
            Node *le = last_expr(first_body);
            bex = (Expect){ret, le ? le->span : first_body->span, "the first clause returns `%s`", NULL, NULL, NULL, NULL};
            use = &bex;
        }
        cl->ty = cl->clause.body ? tc_block(cl->clause.body, use) : ty_unit();
        if (!use) finish_body(cl->clause.body, cl->ty, &f);
        if (!first_body) first_body = cl->clause.body;
    }
    tc_pop_fn();
    Type *t = ty_fun(arity, ps, ret);
    free(ps);
    bool refutable = nc > 1;
    for (int c = 0; c < nc && !refutable; c++) {
        Node *cl = n->closure.clauses.v[c];
        if (cl->clause.guard) refutable = true;
        for (uint32_t i = 0; i < cl->clause.params.n; i++)
            if (cl->clause.params.v[i]->kind != P_BIND && cl->clause.params.v[i]->kind != P_WILD) refutable = true;
    }
    if (refutable) tc_queue_match(MK_CLOSURE, n, t, n->closure.clauses.v, nc, NULL);
    return t;
}

/* ---- blocks and let ------------------------------------------------------------------------------------------ */

static void tc_nested_fn(Node *it);

static Type *tc_let(Node *n) {
    ty_enter_level();
    Type *A = n->let.ann ? ty_from_ann(n->let.ann) : NULL;
    Expect ex = {A, n->let.ann ? n->let.ann->span : DIAG_NOSPAN, "expected `%s` because of this annotation", NULL, NULL,
                 NULL, NULL};
    Type *V = tc_expr(n->let.value, A ? &ex : NULL);
    Type *T = A ? A : V;
    ty_leave_level();
    tc_before_generalize();
    Node *pat = n->let.pat;
    Node *saved_ann = pat ? pat->ann : NULL;
    if (pat) pat->ann = NULL; /* the annotation belongs to the let, already applied */
    tc_pattern(pat, T, n->let.value ? n->let.value->span : n->span);
    if (pat) pat->ann = saved_ann;
    generalize_binders(pat);
    n->ty = V;
    return V;
}

Type *tc_block(Node *b, const Expect *ex) {
    if (!b) return ty_unit();
    if (depth_exhausted()) { depth_error(b->span); return b->ty = ty_error(); }
    if (b->kind != N_BLOCK) return tc_expr(b, ex);
    uint32_t n = b->list.items.n;
    Type *t = ty_unit();
    bool last_value = false;
    for (uint32_t i = 0; i < n; i++) {
        Node *it = b->list.items.v[i];
        bool last = i + 1 == n;
        switch (it->kind) {
        case N_FN:
            tc_nested_fn(it);
            t = ty_unit();
            last_value = false;
            break;
        case N_LET:
            t = tc_let(it);
            last_value = last;
            break;
        case N_STRUCT: case N_SUMTYPE: case N_ALIAS: case N_INTERFACE: case N_IMPL: case N_ACTOR: case N_SERVICE:
        case N_SUPERVISOR: case N_IMPORT: case N_FROM_IMPORT: case N_MODULE:
            t = ty_unit();
            break;
        default:
            t = tc_expr(it, last ? ex : NULL);
            last_value = false;
            break;
        }
    }
    if (ex && ex->type && (n == 0 || last_value)) {
        Node *at = n ? b->list.items.v[n - 1] : b;
        if (at->kind == N_LET) at = at->let.value;
        ty_expect(at->span, t, ex);
    } else if (ex && ex->type && n && b->list.items.v[n - 1]->kind == N_FN) {
        ty_expect(b->list.items.v[n - 1]->span, t, ex);
    }
    b->ty = t;
    return t;
}

/* ---- expressions ------------------------------------------------------------------------------------------------ */

static Type *tc_list(Node *n, const Expect *ex) {
    Type *want = ex && ex->type ? ty_prune(ex->type) : NULL;
    Type *elem = want && want->kind == TYK_LIST ? want->args[0] : NULL;
    Node *first = NULL;
    for (uint32_t i = 0; i < n->list.items.n; i++) {
        Node *e = n->list.items.v[i];
        if (elem) {
            Expect eex;
            if (want && ex->origin.file != UINT32_MAX) eex = (Expect){elem, ex->origin, "the elements must be `%s`", NULL, NULL, NULL, NULL};
            else eex = (Expect){elem, first ? first->span : DIAG_NOSPAN, "the first element has type `%s`", NULL, NULL, NULL, NULL};
            tc_expr(e, &eex);
        } else {
            elem = tc_expr(e, NULL);
        }
        if (!first) first = e;
    }
    return ty_con1(TYK_LIST, elem ? elem : ty_var());
}

static Type *tc_map(Node *n, const Expect *ex) {
    Type *want = ex && ex->type ? ty_prune(ex->type) : NULL;
    Type *K = want && want->kind == TYK_MAP ? want->args[0] : NULL;
    Type *V = want && want->kind == TYK_MAP ? want->args[1] : NULL;
    Node *fk = NULL, *fv = NULL;
    for (uint32_t i = 0; i + 1 < n->list.items.n; i += 2) {
        Node *k = n->list.items.v[i], *v = n->list.items.v[i + 1];
        if (K) {
            Expect e = {K, fk ? fk->span : DIAG_NOSPAN, "the first key has type `%s`", NULL, NULL, NULL, NULL};
            tc_expr(k, &e);
        } else {
            K = tc_expr(k, NULL);
        }
        if (V) {
            Expect e = {V, fv ? fv->span : DIAG_NOSPAN, "the first value has type `%s`", NULL, NULL, NULL, NULL};
            tc_expr(v, &e);
        } else {
            V = tc_expr(v, NULL);
        }
        if (!fk) {
            fk = k;
            fv = v;
        }
    }
    return ty_con2(TYK_MAP, K ? K : ty_var(), V ? V : ty_var());
}

static Type *tc_tuple(Node *n, const Expect *ex) {
    int k = (int)n->list.items.n;
    if (k == 0) return ty_unit();
    Type *want = ex && ex->type ? ty_prune(ex->type) : NULL;
    bool use = want && want->kind == TYK_TUPLE && want->nargs == k;
    Type **v = xmalloc((size_t)k * sizeof *v);
    for (int i = 0; i < k; i++) {
        if (use) {
            Expect e = *ex;
            e.type = want->args[i];
            e.primary = NULL;
            v[i] = want->args[i];
            tc_expr(n->list.items.v[i], &e);
        } else {
            v[i] = tc_expr(n->list.items.v[i], NULL);
        }
    }
    Type *t = ty_conn(TYK_TUPLE, k, v);
    free(v);
    return t;
}

static Type *tc_interp(Node *n) {
    for (uint32_t i = 0; i < n->list.items.n; i++) {
        Node *part = n->list.items.v[i];
        if (part->kind == N_STRING) {
            part->ty = ty_string();
            continue;
        }
        Type *t = tc_expr(part, NULL);
        Bound b = {.pseudo = PT_SHOW, .origin = part->span, .what = "interpolation needs a type with `Display` or `Debug`",
                   .decl = DIAG_NOSPAN};
        ty_require(t, &b);
    }
    return ty_string();
}

static Type *tc_index(Node *n) {
    Type *B = tc_expr(n->bin.lhs, NULL);
    Type *e = ty_var();
    Type *b = ty_prune(B);
    if (b->kind != TYK_LIST && b->kind != TYK_VAR && b->kind != TYK_ERROR) {
        ShowCtx sc = {0};
        Diag *d = diag_new(DIAG_ERROR, "E0001", n->bin.lhs->span, "expected List, found %s", ty_str(&sc, b));
        diag_primary(d, "`e[i]` indexes lists only");
        if (b->kind == TYK_MAP) diag_help(d, "use Map.get(map, key) to look a key up");
        else if (b->kind == TYK_TUPLE) diag_help(d, "destructure the tuple: `let (a, b) = pair`");
        diag_emit(d);
        tc_expr(n->bin.rhs, NULL);
        return ty_error();
    }
    ty_unify(B, ty_con1(TYK_LIST, e), NULL);
    Expect ix = {ty_int(), DIAG_NOSPAN, NULL, NULL, NULL, "the index must be an `Int`, found `%s`", NULL};
    tc_expr(n->bin.rhs, &ix);
    return e;
}

/* Kinds whose expected type is handled inside (no second check at the end). */
static bool propagates(int k) {
    /* literals, closures and comprehensions use the expectation only when
     * its shape fits, so they are checked again as a whole */
    return k == N_IF || k == N_CASE || k == N_BLOCK || k == N_RECEIVE;
}

/* A long pipe chain x |> f |> g ... is checked in a loop: its links, from
 * the innermost out, are checked with no expected type and marked
 * NF_CHECKED, so checking the next link finds its piped argument done
 * instead of recursing (the marks are removed once the whole chain is
 * checked).  Short chains keep the plain recursion and its expectations. */
#define PIPE_LOOP_MIN 64
static bool pretype_pipe(Node *n, AstSpine *sp) {
    if (!ast_pipe_link(n) || !ast_pipe_link(n->call.args.v[0])) return false;
    ast_pipe_spine(sp, n);
    if (sp->n < PIPE_LOOP_MIN) {
        ast_spine_free(sp);
        return false;
    }
    for (uint32_t i = sp->n; i-- > 1;) {
        Node *k = sp->v[i];
        k->ty = tc_call(k, NULL);
        k->flags |= NF_CHECKED;
    }
    return true;
}

Type *tc_expr(Node *n, const Expect *ex) {
    if (!n) return ty_unit();
    if (depth_exhausted()) { depth_error(n->span); return n->ty = ty_error(); }
    Type *t;
    if (n->flags & NF_CHECKED) {
        t = n->ty;
        if (ex && ex->type) ty_expect(n->span, t, ex);
        return t;
    }
    switch (n->kind) {
    case N_INT: t = ty_int(); break;
    case N_FLOAT: t = ty_basic(TYK_FLOAT); break;
    case N_STRING: t = ty_string(); break;
    case N_BOOL: t = ty_bool(); break;
    case N_UNIT: t = ty_unit(); break;
    case N_INTERP: t = tc_interp(n); break;
    case N_NAME: t = n->sym ? tc_sym_type(n->sym, n) : ty_error(); break;
    case N_SELF: t = n->sym && n->sym->ty ? n->sym->ty : ty_error(); break;
    case N_TUPLE: t = tc_tuple(n, ex); break;
    case N_LIST: t = tc_list(n, ex); break;
    case N_MAPLIT: t = tc_map(n, ex); break;
    case N_BINOP: t = tc_binop(n); break;
    case N_UNOP: t = tc_unop(n); break;
    case N_CALL: {
        AstSpine sp;
        bool pre = pretype_pipe(n, &sp);
        t = tc_call(n, ex);
        if (pre) {
            for (uint32_t i = 1; i < sp.n; i++) sp.v[i]->flags &= ~NF_CHECKED;
            ast_spine_free(&sp);
        }
        break;
    }
    case N_FIELDACC: t = tc_fieldacc(n); break;
    case N_INDEX: t = tc_index(n); break;
    case N_TRY: t = tc_try(n); break;
    case N_STRUCTLIT: t = tc_structlit(n, ex); break;
    case N_IF: t = tc_if(n, ex); break;
    case N_CASE: t = tc_case(n, ex); break;
    case N_CLOSURE: t = tc_closure(n, ex); break;
    case N_WHILE: t = tc_while(n); break;
    case N_FOR: t = tc_for(n, ex); break;
    case N_BREAK: case N_CONTINUE: t = ty_var(); break;
    case N_RETURN: t = tc_return(n); break;
    case N_BLOCK: t = tc_block(n, ex); break;
    case N_LET: t = tc_let(n); break;
    case N_SPAWN: t = tc_spawn(n, ex); break;
    case N_SEND: t = tc_send(n); break;
    case N_RECEIVE: t = tc_receive(n, ex); break;
    case N_SELFCALL: t = tc_selfcall(n); break;
    case N_LINK: t = tc_link(n); break;
    case N_FN: tc_nested_fn(n); t = ty_unit(); break;
    default: t = ty_error(); break;
    }
    n->ty = t;
    if (ex && ex->type && !propagates(n->kind)) ty_expect(n->span, t, ex);
    return t;
}

/* ---- functions (§4.6) ------------------------------------------------------------------------------------------- */

/* Bind a function's generic parameters: fresh generic variables when its
 * scheme is being built, rigid ones when its body is checked against it. */
static void bind_fn_generics(Node *fn, bool scheme) {
    for (uint32_t g = 0; g < fn->fn.generics.n; g++) {
        Node *gn = fn->fn.generics.v[g];
        if (!gn->sym) continue;
        Type *v = scheme ? ty_var() : ty_rigid(gn->name.id.id);
        if (scheme) {
            v->flags |= TF_GENERIC;
            v->name = gn->name.id.id;
        }
        ty_tv_bind(gn->sym, v);
    }
    ty_apply_where(fn->fn.where);
}

Type *tc_fn_signature(Node *first, int arity, bool scheme, bool *complete) {
    TvMode saved = ty_tv_get_mode();
    ty_tv_mode(scheme ? TV_GENERIC : TV_RIGID);
    int holes0 = ty_ann_holes;
    bind_fn_generics(first, scheme);
    Type **ps = xmalloc((size_t)(arity + 1) * sizeof *ps);
    for (int i = 0; i < arity; i++) {
        Node *p = (uint32_t)i < first->fn.params.n ? first->fn.params.v[i] : NULL;
        if (p && p->ann) ps[i] = ty_from_ann(p->ann);
        else {
            ty_ann_holes++;
            ps[i] = ty_var();
            if (scheme) ps[i]->flags |= TF_GENERIC;
        }
    }
    Type *ret;
    if (first->fn.ret) ret = ty_from_ann(first->fn.ret);
    else {
        ty_ann_holes++;
        ret = ty_var();
        if (scheme) ret->flags |= TF_GENERIC;
    }
    Type *t = ty_fun(arity, ps, ret);
    free(ps);
    *complete = ty_ann_holes == holes0;
    ty_tv_mode(saved);
    return t;
}

/* A REPL binding passed to the input's wrapper (NF_SCHEME): its value was
 * generalised when it was computed, so its annotation is a type scheme.
 * Every use instantiates it, as for a `let` of the same input. */
static void bind_scheme(Node *fn, Node *p) {
    uint32_t mark = ty_tv_mark();
    TvMode saved = ty_tv_get_mode();
    ty_tv_mode(TV_GENERIC);
    bind_fn_generics(fn, true);
    Type *t = ty_from_ann(p->ann);
    ty_tv_release(mark);
    ty_tv_mode(saved);
    p->ty = t;
    if (p->sym) p->sym->ty = t;
}

void tc_fn_clauses(Node **clauses, int n, Type *ftype, const char *name) {
    Type *f = ty_prune(ftype);
    if (f->kind != TYK_FUN) return;
    int arity = ty_fun_arity(f);
    Node *first = clauses[0];
    FnCtx fc = {.ret = ty_fun_ret(f), .ret_span = first->fn.ret ? first->fn.ret->span : DIAG_NOSPAN,
                .ret_declared = first->fn.ret != NULL};
    tc_push_fn(&fc);
    Node *first_body = NULL;
    for (int c = 0; c < n; c++) {
        Node *cl = clauses[c];
        for (int i = 0; i < arity && (uint32_t)i < cl->fn.params.n; i++) {
            Node *p = cl->fn.params.v[i];
            if ((p->flags & NF_SCHEME) && p->kind == P_BIND && p->ann) bind_scheme(first, p);
            else tc_pattern(p, f->args[i], p->span);
        }
        tc_guard(cl->fn.guard);
        Expect ex;
        const Expect *use = &ex;
        if (first->fn.ret)
            ex = (Expect){fc.ret, first->fn.ret->span, "expected `%s` because of the return type", NULL, NULL, NULL, NULL};
        else if (first_body) {
            Node *le = last_expr(first_body);
            ex = (Expect){fc.ret, le ? le->span : first_body->span, "the first clause returns `%s`", NULL, NULL, NULL, NULL};
        } else
            use = NULL;
        if (cl->fn.body) {
            Type *bt = tc_block(cl->fn.body, use);
            if (!use) finish_body(cl->fn.body, bt, &fc);
        }
        if (!first_body) first_body = cl->fn.body;
    }
    tc_pop_fn();
    bool refutable = n > 1;
    for (int c = 0; c < n && !refutable; c++) {
        if (clauses[c]->fn.guard) refutable = true;
        for (uint32_t i = 0; i < clauses[c]->fn.params.n; i++)
            if (clauses[c]->fn.params.v[i]->kind != P_BIND && clauses[c]->fn.params.v[i]->kind != P_WILD) refutable = true;
    }
    if (refutable) tc_queue_match(MK_CLAUSES, first, ftype, clauses, n, name);
}

/* A named function inside a block: generalised at its definition. */
static void tc_nested_fn(Node *it) {
    Sym *s = it->sym;
    if (!s || s->kind != S_FN || s->defs[0] != it) return; /* later clauses are checked with the first */
    uint32_t mark = ty_tv_mark();
    ty_enter_level();
    bool complete;
    Type *ft = tc_fn_signature(it, (int)s->arity, false, &complete);
    s->ty = ft;
    tc_fn_clauses(s->defs, (int)s->ndefs, ft, s->name);
    ty_leave_level();
    tc_before_generalize();
    ty_generalize(ft);
    ty_tv_release(mark);
}

/* ---- impl methods and interface defaults (§4.8) -------------------------------------------------------------------- */

static bool binary_protocol(Sym *s) {
    return s && (s == ty_proto.eq || s == ty_proto.ord || s == ty_proto.add || s == ty_proto.sub || s == ty_proto.mul ||
                 s == ty_proto.div || s == ty_proto.mod);
}

Type *tc_method_signature(ImplInfo *ii, IfaceInfo *iface, Node *fn, bool scheme, bool *complete) {
    TvMode saved = ty_tv_get_mode();
    uint32_t mark = ty_tv_mark();
    ty_tv_mode(scheme ? TV_GENERIC : TV_RIGID);
    int holes0 = ty_ann_holes;
    IfaceMethod *im = ty_iface_method(iface, fn->fn.name.id);
    /* interface generics: the impl's trait arguments */
    if (iface)
        for (uint32_t g = 0; g < iface->def->iface.generics.n; g++) {
            Sym *gs = iface->def->iface.generics.v[g]->sym;
            if (!gs) continue;
            Type *arg = ii && g < ii->node->impl.trait_args.n ? ty_from_ann(ii->node->impl.trait_args.v[g]) : ty_var();
            if (scheme && ty_prune(arg)->kind == TYK_VAR) ty_prune(arg)->flags |= TF_GENERIC;
            ty_tv_bind(gs, arg);
        }
    bind_fn_generics(fn, scheme);
    /* the receiver: the impl's type, or (a default method) any type of the interface */
    Type *self;
    if (ii) {
        self = ty_impl_target_type(ii);
    } else {
        self = scheme ? ty_var() : ty_rigid("Self");
        Bound b = {.iface = iface ? iface->sym : NULL, .origin = fn->span, .decl = DIAG_NOSPAN};
        if (b.iface) ty_add_bound(ty_prune(self), &b);
    }
    if (scheme) ty_make_generic(self);
    int arity = (int)fn->fn.params.n;
    bool has_self = (im && im->has_self) ||
                    (arity > 0 && fn->fn.params.v[0]->kind == P_BIND && strcmp(fn->fn.params.v[0]->name.id.id, "self") == 0);
    Type **ps = xmalloc((size_t)(arity + 1) * sizeof *ps);
    for (int i = 0; i < arity; i++) {
        Node *p = fn->fn.params.v[i];
        Node *ip = im && (uint32_t)i < im->fn->fn.params.n ? im->fn->fn.params.v[i] : NULL;
        if (i == 0 && has_self) {
            ps[i] = self;
            if (p->ann) {
                Type *a = ty_from_ann(p->ann);
                ty_unify(a, self, NULL);
            }
        } else if (p->ann) {
            ps[i] = ty_from_ann(p->ann);
        } else if (ip && ip->ann) {
            ps[i] = ty_from_ann(ip->ann);
        } else if (i == 1 && has_self && iface && binary_protocol(iface->sym)) {
            ps[i] = self; /* `other` of Eq, Ord, Add, ...: both operands have one type */
        } else {
            ty_ann_holes++;
            ps[i] = ty_var();
            if (scheme) ps[i]->flags |= TF_GENERIC;
        }
    }
    Type *ret;
    if (fn->fn.ret) ret = ty_from_ann(fn->fn.ret);
    else if (im && im->fn->fn.ret) ret = ty_from_ann(im->fn->fn.ret);
    else {
        ty_ann_holes++;
        ret = ty_var();
        if (scheme) ret->flags |= TF_GENERIC;
    }
    Type *t = ty_fun(arity, ps, ret);
    free(ps);
    *complete = ty_ann_holes == holes0;
    ty_tv_release(mark);
    ty_tv_mode(saved);
    return t;
}

void tc_method_check(ImplInfo *ii, IfaceInfo *iface, Node *fn, Type *ftype) {
    Type *f = ty_prune(ftype);
    if (f->kind != TYK_FUN || !fn->fn.body) return;
    IfaceMethod *im = ty_iface_method(iface, fn->fn.name.id);
    FnCtx fc = {.ret = ty_fun_ret(f), .ret_span = DIAG_NOSPAN};
    const char *why = "expected `%s` because of the return type";
    const char *code = NULL;
    if (fn->fn.ret) {
        fc.ret_span = fn->fn.ret->span;
        fc.ret_declared = true;
    } else if (im && im->fn->fn.ret && im->fn != fn) {
        fc.ret_span = im->fn->fn.ret->span;
        fc.ret_declared = true;
        why = "the interface declares `%s`";
        code = "E0008";
    }
    fc.ret_why = why;
    fc.ret_code = code;
    tc_push_fn(&fc);
    int arity = ty_fun_arity(f);
    for (int i = 0; i < arity && (uint32_t)i < fn->fn.params.n; i++) {
        Node *p = fn->fn.params.v[i];
        Node *saved = p->ann;
        if (i == 0 && (p->kind == P_BIND && strcmp(p->name.id.id, "self") == 0)) p->ann = NULL;
        tc_pattern(p, f->args[i], p->span);
        p->ann = saved;
    }
    char msg[256];
    snprintf(msg, sizeof msg, "method %s in impl %s has wrong signature: expected %%s, found %%s", fn->fn.name.id,
             ii ? ii->trait->name : iface ? iface->sym->name : "?");
    Expect ex = {fc.ret, fc.ret_span, why, code, code ? msg : NULL, NULL, NULL};
    tc_block(fn->fn.body, &ex);
    tc_pop_fn();
}

/* ---- the end of a group ------------------------------------------------------------------------------------------------ */

void tc_group_begin(void) {
    group_start = nsites;
    npending = 0;
    nmatches = 0;
}

/* Settle one pending lookup (by index: settling may add sites). */
static bool settle_site(uint32_t i, bool final) {
    Site s = sites[i]; /* a copy: the array may move */
    switch (s.kind) {
    case SITE_FIELD: {
        Type *t = field_of(s.node, s.type, final);
        if (!t) return false;
        UErr e = {0};
        if (ty_unify(s.result, t, &e) != U_OK) {
            Expect ex = ex_plain(s.result);
            ty_report_unify(s.node->span, s.result, t, &ex, &e);
        }
        s.node->ty = t;
        return true;
    }
    case SITE_METHOD: {
        Node *call = s.node;
        Node *callee = s.node2 ? s.node2 : call->call.callee;
        Node *recv = s.node2 ? call->call.args.v[0] : call->call.callee->field_acc.base;
        Span cs = callee->kind == N_FIELDACC ? callee->field_acc.name.span : callee->span;
        Type *t = resolve_method(call, callee, s.type, recv, s.name, s.args, s.pre, s.nargs, cs, !final, s.trait);
        if (!t) return false;
        UErr e = {0};
        if (ty_unify(s.result, t, &e) != U_OK) {
            Expect ex = ex_plain(s.result);
            ty_report_unify(call->span, s.result, t, &ex, &e);
        }
        return true;
    }
    default: return false;
    }
}

/* Settle pending lookups whose receiver became known; with `final`, report
 * the rest.  Drops settled entries from `pending`. */
static void settle_pending(bool final) {
    bool progress = true;
    while (progress) {
        progress = false;
        for (uint32_t k = 0; k < npending; k++) {
            uint32_t i = pending[k];
            if (sites[i].done || sites[i].kind == SITE_DEFAULT) continue;
            Type *t = ty_prune(sites[i].type);
            if (t->kind == TYK_VAR && !(t->bounds && sites[i].kind == SITE_METHOD)) continue;
            if (settle_site(i, false)) {
                sites[i].done = true;
                progress = true;
            }
        }
    }
    if (final)
        for (uint32_t k = 0; k < npending; k++) {
            uint32_t i = pending[k];
            if (sites[i].done || sites[i].kind == SITE_DEFAULT) continue;
            settle_site(i, true);
            sites[i].done = true;
        }
    uint32_t w = 0;
    for (uint32_t k = 0; k < npending; k++)
        if (!sites[pending[k]].done) pending[w++] = pending[k];
    npending = w;
}

void tc_before_generalize(void) {
    settle_pending(false);
    for (uint32_t k = 0; k < npending; k++) ty_pin(sites[pending[k]].type);
}

void tc_group_end(void) {
    settle_pending(true);
    for (uint32_t i = group_start; i < nsites; i++) {
        Site *s = &sites[i];
        if (s->done) continue;
        s->done = true;
        switch (s->kind) {
        case SITE_BINOP: settle_binop(s->node, s->type); break;
        case SITE_DYN: case SITE_METHOD_NAME: {
            Type *t = ty_prune(s->type);
            if (!t || t->kind == TYK_VAR) break;
            MethodCand c[8];
            int nc = ty_method_candidates(t, s->name, c, 8);
            if (s->trait) {
                int k = 0;
                for (int q = 0; q < nc; q++)
                    if (c[q].trait == s->trait) c[k++] = c[q];
                nc = k;
            }
            if (nc == 1 && !c[0].dynamic) record_method(s->node, s->node2, &c[0], s->name);
            break;
        }
        case SITE_DEFAULT: {
            TyRes *r = s->node->aux;
            Type *t = ty_prune(s->type);
            if (r && t->kind == TYK_USER) {
                ImplInfo *ii = ty_find_impl(ty_proto.dflt, t);
                if (ii) {
                    r->fn = ty_impl_method(ii, I("default"));
                    r->impl = ii->node;
                }
            }
            break;
        }
        default: break;
        }
    }
    for (uint32_t i = 0; i < nmatches; i++) {
        MatchJob *m = &matches[i];
        ty_match_check(m->kind, m->node, m->scrut, m->clauses, m->n, m->name);
    }
    nmatches = 0;
    nsites = group_start;
    npending = 0;
}
