/* ty_check.c — the type checker's driver and public interface (ty.h).
 *
 * Order of work:
 *   1. declarations: structs, sum types, aliases (ty_decl.c);
 *   2. interfaces, impls, deriving (ty_trait.c);
 *   3. every top-level definition — functions, actors, services, impl
 *      methods, interface default methods — is a node of a dependency
 *      graph; its strongly connected components are inferred callees first
 *      (decision 4: any order, mutual recursion), each component at a new
 *      level and generalised together (let-polymorphism, §4.3);
 *   4. supervisors, then top-level statements (checked, never run).
 * A definition whose parameters and result are all annotated gets its
 * scheme from the annotations up front, so it is polymorphic even inside
 * its own component.
 *
 * Where the resolutions of ty.h land (node->aux):
 *   N_CALL      recv.m(...): TR_IMPL_METHOD / TR_STD_METHOD (+ `type` = the
 *               value type for Map.get) / TR_FIELD_CALL / TR_TO_STRING /
 *               TR_DYN_METHOD; m(x, ...) and Trait.m(x, ...) for interface
 *               methods: the same kinds; default(): TR_DEFAULT; Map.get(m, k):
 *               TR_MAP_GET; Json.encode(v): TR_JSON_ENCODE; T.from_json(s) /
 *               T.from_row(m): TR_FROM_JSON / TR_FROM_ROW; Svc.f(...):
 *               TR_SERVICE_START / TR_SERVICE_CALL.
 *   N_NAME      an interface method named as a function (callee of a free
 *               call, or a value): the same TyRes as its call / TR_DYN_METHOD;
 *               `default` as callee: its call's TR_DEFAULT.
 *   N_FIELDACC  struct field: TR_FIELD; T.from_json / Svc.f: as on the call.
 *   N_BINOP     operator on a user type with an impl: TR_IMPL_METHOD (negate,
 *               swap as in ty.h); on a still-polymorphic operand:
 *               TR_DYN_METHOD named add/sub/mul/div/mod/eq/lt (negate/swap
 *               set the same way); built-in types: NULL.
 * Every expression and pattern has node->ty; callees of method calls
 * (N_FIELDACC with no sym) have none.  SNOW_TY_DUMP=1 prints all of it. */
#include "ty.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "depth.h"
#include "diag.h"
#include "lex.h"
#include "resolve.h"
#include "ty_infer.h"
#include "stdlib_table.h"
#include "ty_match.h"
#include "xalloc.h"

/* ---- definitions and their dependencies ------------------------------------------ */

typedef enum DefKind { DEF_FN, DEF_ACTOR, DEF_SERVICE, DEF_METHOD, DEF_DEFAULT } DefKind;

typedef struct Def {
    DefKind kind;
    Sym *sym;         /* DEF_FN / DEF_ACTOR / DEF_SERVICE */
    Node *node;       /* first clause / N_ACTOR / N_SERVICE / method N_FN */
    ImplInfo *impl;   /* DEF_METHOD */
    IfaceInfo *iface; /* DEF_METHOD / DEF_DEFAULT */
    bool complete;    /* fully annotated: scheme known up front */
    Type *scheme;     /* methods: that scheme */
    Sym **tv;         /* complete functions: type parameters ... */
    Type **tv_scheme; /* ... and their generic variables */
    uint32_t ntv;
    /* graph */
    int *out;
    int nout, capout;
    int index, low;
    bool onstack;
} Def;

static Def *defs;
static int ndefs, capdefs;
static PtrMap def_of;      /* Sym* or method N_FN -> index + 1 */
static PtrMap by_method;   /* method name -> IntList* of defs defining it */

typedef struct IntList {
    int *v;
    int n, cap;
} IntList;

static void il_push(IntList *l, int x) {
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->v = xrealloc(l->v, (size_t)l->cap * sizeof *l->v);
    }
    l->v[l->n++] = x;
}

static int add_def(DefKind k, Sym *s, Node *node) {
    if (ndefs == capdefs) {
        capdefs = capdefs ? capdefs * 2 : 256;
        defs = xrealloc(defs, (size_t)capdefs * sizeof *defs);
    }
    Def *d = &defs[ndefs];
    memset(d, 0, sizeof *d);
    d->kind = k;
    d->sym = s;
    d->node = node;
    d->index = -1;
    pm_put(&def_of, k == DEF_METHOD || k == DEF_DEFAULT ? (void *)node : (void *)s, (void *)(intptr_t)(ndefs + 1));
    return ndefs++;
}

/* Methods are found by name (x.m(), operators, interpolation), so a body
 * using `+` may depend on every `add`.  A fully annotated method needs no
 * such edge: its scheme is known before its body is checked.  Only the
 * others are ordered by name (this keeps the graph linear in practice). */
static void add_method_def(DefKind k, Node *fn, ImplInfo *ii, IfaceInfo *iface) {
    int i = add_def(k, NULL, fn);
    defs[i].impl = ii;
    defs[i].iface = iface;
    bool complete;
    Type *t = tc_method_signature(ii, iface, fn, true, &complete);
    if (complete) {
        defs[i].complete = true;
        defs[i].scheme = t;
        fn->ty = t;
        return;
    }
    const char *name = fn->fn.name.id;
    IntList *l = pm_get(&by_method, name);
    if (!l) {
        l = xcalloc(1, sizeof *l);
        pm_put(&by_method, name, l);
    }
    il_push(l, i);
}

static void edge(int from, int to) {
    Def *d = &defs[from];
    if (d->nout == d->capout) {
        d->capout = d->capout ? d->capout * 2 : 8;
        d->out = xrealloc(d->out, (size_t)d->capout * sizeof *d->out);
    }
    d->out[d->nout++] = to;
}

static void dep_sym(int from, Sym *s) {
    if (!s) return;
    if (s->kind == S_METHOD) {
        IntList *l = pm_get(&by_method, s->name);
        for (int i = 0; l && i < l->n; i++) edge(from, l->v[i]);
        return;
    }
    intptr_t k = (intptr_t)pm_get(&def_of, s);
    if (k) edge(from, (int)k - 1);
}

static void dep_name(int from, const char *name) {
    if (!by_method.n) return; /* every method is fully annotated (the usual case) */
    IntList *l = pm_get(&by_method, ast_intern(name, strlen(name)));
    for (int i = 0; l && i < l->n; i++) edge(from, l->v[i]);
}

static void deps(int from, Node *n);

static void deps_list(int from, NodeList l) {
    for (uint32_t i = 0; i < l.n; i++) deps(from, l.v[i]);
}

/* Collect what a definition's body refers to: functions, actors, services,
 * and (by name) the impl methods that method calls and operators may use. */
static void deps(int from, Node *n) {
again:
    if (!n) return;
    if (depth_exhausted()) { depth_error(n->span); return; }
    switch (n->kind) {
    case N_NAME:
        dep_sym(from, n->sym);
        if (n->sym && n->sym->kind == S_BUILTIN) {
            if (strcmp(n->sym->name, "default") == 0) dep_name(from, "default");
            if (strcmp(n->sym->name, "compare") == 0) dep_name(from, "lt");
        }
        break;
    case N_FIELDACC:
        if (n->sym) dep_sym(from, n->sym);
        n = n->field_acc.base; /* a.b.c... and method chains in a loop */
        goto again;
    case N_CALL:
        if (n->call.callee->kind == N_FIELDACC && !n->call.callee->sym) dep_name(from, n->call.callee->field_acc.name.id);
        if (n->call.callee->kind == N_FIELDACC && n->call.callee->sym && n->call.callee->sym->kind == S_INTERFACE)
            dep_name(from, n->call.callee->field_acc.name.id);
        for (uint32_t i = 1; i < n->call.args.n; i++) deps(from, n->call.args.v[i]);
        if (n->call.args.n) {
            deps(from, n->call.callee);
            n = n->call.args.v[0]; /* x |> f |> g ... in a loop */
            goto again;
        }
        n = n->call.callee;
        goto again;
    case N_BINOP:
        switch (n->bin.op) {
        case TK_PLUS: dep_name(from, "add"); break;
        case TK_MINUS: dep_name(from, "sub"); break;
        case TK_STAR: dep_name(from, "mul"); break;
        case TK_SLASH: dep_name(from, "div"); break;
        case TK_PERCENT: dep_name(from, "mod"); break;
        case TK_EQEQ: case TK_NEQ: dep_name(from, "eq"); break;
        case TK_LT: case TK_GT: case TK_LE: case TK_GE: dep_name(from, "lt"); break;
        default: break;
        }
        deps(from, n->bin.rhs);
        n = n->bin.lhs; /* a chain a + b + c ... in a loop */
        goto again;
    case N_INDEX:
        deps(from, n->bin.lhs);
        deps(from, n->bin.rhs);
        break;
    case N_INTERP:
        dep_name(from, "to_string");
        dep_name(from, "inspect");
        deps_list(from, n->list.items);
        break;
    case N_TUPLE: case N_LIST: case N_MAPLIT: case N_BLOCK: case N_SPAWN: case N_SEND: case N_LINK:
        deps_list(from, n->list.items);
        break;
    case N_UNOP: case N_TRY: case N_RETURN: deps(from, n->un.operand); break;
    case N_STRUCTLIT:
        for (uint32_t i = 0; i < n->slit.fields.n; i++) deps(from, n->slit.fields.v[i]->field_init.value);
        break;
    case N_IF:
        deps(from, n->if_.cond);
        deps(from, n->if_.then);
        deps(from, n->if_.els);
        break;
    case N_CASE:
        deps(from, n->case_.scrut);
        deps_list(from, n->case_.arms);
        break;
    case N_ARM:
        deps(from, n->arm.guard);
        deps(from, n->arm.body);
        break;
    case N_CLOSURE: deps_list(from, n->closure.clauses); break;
    case N_CLAUSE:
        deps(from, n->clause.guard);
        deps(from, n->clause.body);
        break;
    case N_WHILE:
        deps(from, n->loop.cond);
        deps(from, n->loop.body);
        break;
    case N_FOR:
        deps(from, n->for_.iter);
        deps(from, n->for_.filter);
        deps(from, n->for_.body);
        break;
    case N_RECEIVE:
        deps_list(from, n->recv.arms);
        deps(from, n->recv.after_ms);
        deps(from, n->recv.after_body);
        break;
    case N_LET: deps(from, n->let.value); break;
    case N_FN:
        deps(from, n->fn.guard);
        deps(from, n->fn.body);
        break;
    default: break;
    }
}

static void collect_deps(int i) {
    Def *d = &defs[i];
    switch (d->kind) {
    case DEF_FN:
        for (uint32_t c = 0; c < d->sym->ndefs; c++) {
            deps(i, d->sym->defs[c]->fn.guard);
            deps(i, d->sym->defs[c]->fn.body);
        }
        break;
    case DEF_ACTOR:
        deps(i, d->node->fn.body);
        deps(i, d->node->fn.terminate);
        break;
    case DEF_SERVICE:
        if (d->node->service.init) deps(i, d->node->service.init->fn.body);
        for (uint32_t h = 0; h < d->node->service.handlers.n; h++) deps(i, d->node->service.handlers.v[h]->handler.body);
        break;
    case DEF_METHOD: case DEF_DEFAULT:
        deps(i, d->node->fn.guard);
        deps(i, d->node->fn.body);
        break;
    }
}

/* ---- strongly connected components (Tarjan, iterative) ------------------------------ */

static int *scc_stack, scc_sp, scc_index;
static int *order_out, norder_out; /* defs in SCC order, components separated by -1 */

static void tarjan(int root) {
    typedef struct Frame {
        int v, next;
    } Frame;
    Frame *fs = xmalloc((size_t)(ndefs + 1) * sizeof *fs);
    int fp = 0;
    fs[fp++] = (Frame){root, 0};
    defs[root].index = defs[root].low = scc_index++;
    scc_stack[scc_sp++] = root;
    defs[root].onstack = true;
    while (fp) {
        Frame *f = &fs[fp - 1];
        Def *v = &defs[f->v];
        if (f->next < v->nout) {
            int w = v->out[f->next++];
            if (defs[w].index < 0) {
                defs[w].index = defs[w].low = scc_index++;
                scc_stack[scc_sp++] = w;
                defs[w].onstack = true;
                fs[fp++] = (Frame){w, 0};
            } else if (defs[w].onstack && defs[w].index < v->low) {
                v->low = defs[w].index;
            }
            continue;
        }
        if (v->low == v->index) {
            int w;
            do {
                w = scc_stack[--scc_sp];
                defs[w].onstack = false;
                order_out[norder_out++] = w;
            } while (w != f->v);
            order_out[norder_out++] = -1;
        }
        int done = f->v;
        fp--;
        if (fp) {
            Def *parent = &defs[fs[fp - 1].v];
            if (defs[done].low < parent->low) parent->low = defs[done].low;
        }
    }
    free(fs);
}

/* ---- checking one definition ------------------------------------------------------------- */

static void prepare(Def *d) {
    switch (d->kind) {
    case DEF_FN: {
        Node *first = d->sym->defs[0];
        uint32_t mark = ty_tv_mark();
        bool complete;
        Type *t = tc_fn_signature(first, (int)d->sym->arity, true, &complete);
        if (complete) {
            d->complete = true;
            d->sym->ty = t;
            uint32_t n;
            Sym **tvs = ty_tv_since(mark, &n);
            d->ntv = n;
            d->tv = ast_alloc((n + 1) * sizeof *d->tv);
            d->tv_scheme = ast_alloc((n + 1) * sizeof *d->tv_scheme);
            for (uint32_t i = 0; i < n; i++) {
                d->tv[i] = tvs[i];
                d->tv_scheme[i] = tvs[i]->ty;
            }
            ty_tv_release(mark);
        } else {
            ty_tv_release(mark);
            d->sym->ty = tc_fn_signature(first, (int)d->sym->arity, false, &complete);
        }
        break;
    }
    case DEF_METHOD: case DEF_DEFAULT: {
        bool complete;
        if (d->complete) d->node->ty = d->scheme;
        else d->node->ty = tc_method_signature(d->impl, d->iface, d->node, false, &complete);
        break;
    }
    case DEF_ACTOR: tc_actor_prepare(d->sym); break;
    case DEF_SERVICE: tc_service_prepare(d->sym); break;
    }
}

/* The message type of the last process body checked (the REPL's input). */
static Type *process_msg;

Type *ty_process_message(void) { return process_msg; }

static void check(Def *d) {
    switch (d->kind) {
    case DEF_FN: {
        Node *first = d->sym->defs[0];
        if (first->flags & NF_PROCESS) {
            /* the REPL's input runs as the session's process body (decision 33):
             * self() and receive use the session's message type, fixed by an
             * earlier input (first->ann) or still open */
            Type *saved = tc_actor_msg();
            process_msg = first->ann ? ty_from_ann(first->ann) : ty_var();
            tc_set_actor_msg(process_msg);
            tc_fn_clauses(d->sym->defs, (int)d->sym->ndefs, d->sym->ty, d->sym->name);
            tc_set_actor_msg(saved);
            break;
        }
        if (!d->complete) {
            tc_fn_clauses(d->sym->defs, (int)d->sym->ndefs, d->sym->ty, d->sym->name);
            break;
        }
        uint32_t mark = ty_tv_mark();
        bool c;
        Type *rigid = tc_fn_signature(d->sym->defs[0], (int)d->sym->arity, false, &c);
        tc_fn_clauses(d->sym->defs, (int)d->sym->ndefs, rigid, d->sym->name);
        /* requirements the body put on its type parameters belong to the scheme */
        for (uint32_t i = 0; i < d->ntv; i++) {
            Type *r = ty_prune(d->tv[i]->ty);
            Type *g = ty_prune(d->tv_scheme[i]);
            if (!r || !g || r == g || g->kind != TYK_VAR) continue;
            for (Bound *b = r->bounds; b; b = b->next) ty_add_bound(g, b);
        }
        ty_tv_release(mark);
        break;
    }
    case DEF_METHOD: case DEF_DEFAULT: {
        if (!d->complete) {
            tc_method_check(d->impl, d->iface, d->node, d->node->ty);
            break;
        }
        bool c;
        Type *rigid = tc_method_signature(d->impl, d->iface, d->node, false, &c);
        tc_method_check(d->impl, d->iface, d->node, rigid);
        break;
    }
    case DEF_ACTOR: tc_actor_check(d->sym); break;
    case DEF_SERVICE: tc_service_check(d->sym); break;
    }
}

static void generalize(Def *d) {
    switch (d->kind) {
    case DEF_FN:
        if (!d->complete) ty_generalize(d->sym->ty);
        break;
    case DEF_METHOD: case DEF_DEFAULT:
        if (!d->complete) ty_generalize(d->node->ty);
        break;
    case DEF_ACTOR: tc_actor_generalize(d->sym); break;
    case DEF_SERVICE: tc_service_generalize(d->sym); break;
    }
}

/* ---- the project ----------------------------------------------------------------------------- */

static Node **impl_nodes;
static uint32_t nimpl_nodes;

static void dump_project(Module **mods, uint32_t nmods);

static void reset(void) {
    for (int i = 0; i < ndefs; i++) free(defs[i].out);
    ndefs = 0;
    pm_free(&def_of);
    for (uint32_t i = 0; i < by_method.cap; i++)
        if (by_method.keys[i]) {
            IntList *l = by_method.vals[i];
            free(l->v);
            free(l);
        }
    pm_free(&by_method);
    ty_types_reset();
    tc_actor_reset();
    ty_tv_reset();
    ty_tv_mode(TV_RIGID);
}

void ty_reset(void) {
    ty_decl_reset(); /* first: reset() below must not touch the old symbols */
    reset();
    ty_trait_reset();
    tc_infer_reset();
    ty_show_reset();
    free(impl_nodes);
    impl_nodes = NULL;
    nimpl_nodes = 0;
}

static double cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

bool ty_check_project(Project *p) {
    int errors0 = diag_error_count();
    depth_reset();
    double t0 = cpu_ms();
    reset();
    uint32_t nmods;
    Module **mods = resolve_order(&nmods);
    ty_set_qualify(p->nmods > 1);
    ty_decls_build(mods, nmods);
    ty_traits_build(mods, nmods);

    /* the definitions */
    for (uint32_t m = 0; m < nmods; m++) {
        NodeList items = mods[m]->root->list.items;
        for (uint32_t i = 0; i < items.n; i++) {
            Node *it = items.v[i];
            switch (it->kind) {
            case N_FN:
                if (it->sym && it->sym->kind == S_FN && it->sym->defs && it->sym->defs[0] == it) add_def(DEF_FN, it->sym, it);
                break;
            case N_ACTOR:
                if (it->sym) add_def(DEF_ACTOR, it->sym, it);
                break;
            case N_SERVICE:
                if (it->sym) add_def(DEF_SERVICE, it->sym, it);
                break;
            case N_IMPL: {
                ImplInfo *ii = ty_impl_info(it);
                if (!ii) break;
                for (uint32_t k = 0; k < it->impl.methods.n; k++)
                    if (it->impl.methods.v[k]->kind == N_FN) add_method_def(DEF_METHOD, it->impl.methods.v[k], ii, ii->iface);
                break;
            }
            case N_INTERFACE: {
                IfaceInfo *ii = ty_iface(it->sym);
                if (!ii) break;
                for (uint32_t k = 0; k < it->iface.methods.n; k++)
                    if (it->iface.methods.v[k]->fn.body) add_method_def(DEF_DEFAULT, it->iface.methods.v[k], NULL, ii);
                break;
            }
            default: break;
            }
        }
    }
    for (int i = 0; i < ndefs; i++) collect_deps(i);

    /* components, callees first */
    scc_stack = xmalloc((size_t)(ndefs + 1) * sizeof *scc_stack);
    order_out = xmalloc((size_t)(2 * ndefs + 1) * sizeof *order_out);
    scc_sp = scc_index = norder_out = 0;
    for (int i = 0; i < ndefs; i++)
        if (defs[i].index < 0) tarjan(i);
    int start = 0;
    for (int k = 0; k < norder_out; k++) {
        if (order_out[k] != -1) continue;
        tc_group_begin();
        uint32_t mark = ty_tv_mark();
        ty_enter_level();
        for (int j = start; j < k; j++) prepare(&defs[order_out[j]]);
        for (int j = start; j < k; j++) check(&defs[order_out[j]]);
        tc_group_end();
        ty_leave_level();
        for (int j = start; j < k; j++) generalize(&defs[order_out[j]]);
        ty_tv_release(mark);
        start = k + 1;
    }
    free(scc_stack);
    free(order_out);

    /* supervisors, then top-level statements */
    for (uint32_t m = 0; m < nmods; m++) {
        NodeList items = mods[m]->root->list.items;
        for (uint32_t i = 0; i < items.n; i++) {
            Node *it = items.v[i];
            if (it->kind != N_SUPERVISOR) continue;
            tc_group_begin();
            ty_enter_level();
            tc_supervisor_check(it);
            tc_group_end();
            ty_leave_level();
        }
    }
    for (uint32_t m = 0; m < nmods; m++) {
        NodeList items = mods[m]->root->list.items;
        tc_group_begin();
        ty_enter_level();
        for (uint32_t i = 0; i < items.n; i++) {
            Node *it = items.v[i];
            switch (it->kind) {
            case N_FN: case N_STRUCT: case N_SUMTYPE: case N_ALIAS: case N_INTERFACE: case N_IMPL: case N_MODULE:
            case N_IMPORT: case N_FROM_IMPORT: case N_ACTOR: case N_SERVICE: case N_SUPERVISOR:
                break;
            default: tc_expr(it, NULL); break;
            }
        }
        tc_group_end();
        ty_leave_level();
    }

    /* the impls, for the runtime's dispatch tables */
    uint32_t ni;
    ImplInfo **all = ty_all_impls(&ni);
    free(impl_nodes);
    impl_nodes = xmalloc((ni + 1) * sizeof *impl_nodes);
    nimpl_nodes = 0;
    for (uint32_t i = 0; i < ni; i++)
        if (all[i]->ok) impl_nodes[nimpl_nodes++] = all[i]->node;
    if (getenv("SNOW_TY_DUMP")) dump_project(mods, nmods);
    if (getenv("SNOW_TY_TIMING")) fprintf(stderr, "typecheck: %.1f ms cpu, %d definitions\n", cpu_ms() - t0, ndefs);
    return diag_error_count() == errors0;
}

/* ---- SNOW_TY_DUMP: the annotations, for whoever reads them ------------------------------ */

static const char *res_name(TyResKind k) {
    switch (k) {
    case TR_IMPL_METHOD: return "impl-method";
    case TR_STD_METHOD: return "std-method";
    case TR_FIELD_CALL: return "field-call";
    case TR_FIELD: return "field";
    case TR_DYN_METHOD: return "dyn-method";
    case TR_DEFAULT: return "default";
    case TR_FROM_JSON: return "from-json";
    case TR_FROM_ROW: return "from-row";
    case TR_MAP_GET: return "map-get";
    case TR_SERVICE_START: return "service-start";
    case TR_SERVICE_CALL: return "service-call";
    case TR_JSON_ENCODE: return "json-encode";
    case TR_TO_STRING: return "builtin-method";
    }
    return "?";
}

static void dump_node(Node *n, int depth);

static void dump_list(NodeList l, int depth) {
    for (uint32_t i = 0; i < l.n; i++) dump_node(l.v[i], depth);
}

/* One line per node that carries a resolution, and per let binding. */
static void dump_node(Node *n, int depth) {
    if (!n || depth > 400) return;
    uint32_t line, col;
    src_linecol(n->span.file, n->span.off, &line, &col);
    if (n->aux && (n->kind == N_CALL || n->kind == N_BINOP || n->kind == N_FIELDACC || n->kind == N_NAME ||
                   n->kind == N_INDEX)) {
        TyRes *r = n->aux;
        fprintf(stderr, "%u:%u %s %s", line, col, ast_kind_name((NodeKind)n->kind), res_name(r->kind));
        if (r->fn) fprintf(stderr, " fn=%s", r->fn->fn.name.id);
        if (r->impl) fprintf(stderr, " impl=%s", r->impl->impl.for_type.id);
        if (r->name) fprintf(stderr, " name=%s", r->name);
        if (r->std) fprintf(stderr, " std=%s.%s", ((const StdFn *)r->std)->module, ((const StdFn *)r->std)->name);
        if (r->kind == TR_FIELD || r->kind == TR_FIELD_CALL) fprintf(stderr, " index=%u", r->index);
        if (r->type) {
            char *t = ty_show(r->type);
            fprintf(stderr, " type=%s", t);
            free(t);
        }
        if (r->negate) fputs(" negate", stderr);
        if (r->swap) fputs(" swap", stderr);
        fputc('\n', stderr);
    }
    if (n->kind == N_LET && n->let.pat && n->let.pat->ty) {
        char *t = ty_show(n->let.pat->ty);
        fprintf(stderr, "%u:%u let : %s\n", line, col, t);
        free(t);
    }
    switch (n->kind) {
    case N_FN: dump_node(n->fn.guard, depth + 1); dump_node(n->fn.body, depth + 1); break;
    case N_ACTOR: dump_node(n->fn.body, depth + 1); dump_node(n->fn.terminate, depth + 1); break;
    case N_IMPL: case N_INTERFACE: dump_list(n->kind == N_IMPL ? n->impl.methods : n->iface.methods, depth + 1); break;
    case N_SERVICE:
        if (n->service.init) dump_node(n->service.init, depth + 1);
        for (uint32_t i = 0; i < n->service.handlers.n; i++) dump_node(n->service.handlers.v[i]->handler.body, depth + 1);
        break;
    case N_SUPERVISOR:
        for (uint32_t i = 0; i < n->sup.children.n; i++) dump_node(n->sup.children.v[i]->child.start, depth + 1);
        break;
    case N_LET: dump_node(n->let.value, depth + 1); break;
    case N_INTERP: case N_TUPLE: case N_LIST: case N_MAPLIT: case N_BLOCK: case N_SPAWN: case N_SEND: case N_LINK:
        dump_list(n->list.items, depth + 1);
        break;
    case N_BINOP: case N_INDEX: dump_node(n->bin.lhs, depth + 1); dump_node(n->bin.rhs, depth + 1); break;
    case N_UNOP: case N_TRY: case N_RETURN: dump_node(n->un.operand, depth + 1); break;
    case N_CALL: dump_node(n->call.callee, depth + 1); dump_list(n->call.args, depth + 1); break;
    case N_FIELDACC: dump_node(n->field_acc.base, depth + 1); break;
    case N_STRUCTLIT:
        for (uint32_t i = 0; i < n->slit.fields.n; i++) dump_node(n->slit.fields.v[i]->field_init.value, depth + 1);
        break;
    case N_IF: dump_node(n->if_.cond, depth + 1); dump_node(n->if_.then, depth + 1); dump_node(n->if_.els, depth + 1); break;
    case N_CASE: dump_node(n->case_.scrut, depth + 1); dump_list(n->case_.arms, depth + 1); break;
    case N_ARM: dump_node(n->arm.guard, depth + 1); dump_node(n->arm.body, depth + 1); break;
    case N_CLOSURE: dump_list(n->closure.clauses, depth + 1); break;
    case N_CLAUSE: dump_node(n->clause.guard, depth + 1); dump_node(n->clause.body, depth + 1); break;
    case N_WHILE: dump_node(n->loop.cond, depth + 1); dump_node(n->loop.body, depth + 1); break;
    case N_FOR: dump_node(n->for_.iter, depth + 1); dump_node(n->for_.filter, depth + 1); dump_node(n->for_.body, depth + 1); break;
    case N_RECEIVE:
        dump_list(n->recv.arms, depth + 1);
        dump_node(n->recv.after_ms, depth + 1);
        dump_node(n->recv.after_body, depth + 1);
        break;
    default: break;
    }
}

static void dump_project(Module **mods, uint32_t nmods) {
    for (uint32_t m = 0; m < nmods; m++) {
        fprintf(stderr, "== module %s\n", mods[m]->name);
        NodeList items = mods[m]->root->list.items;
        for (uint32_t i = 0; i < items.n; i++) {
            Node *it = items.v[i];
            Type *t = it->kind == N_FN && it->sym ? it->sym->ty : it->kind == N_ACTOR && it->sym ? it->sym->ty : NULL;
            if (t && (it->kind != N_FN || it->sym->defs[0] == it)) {
                char *s = ty_show(t);
                fprintf(stderr, "%s : %s", it->fn.name.id, s);
                free(s);
                if (it->kind == N_ACTOR) {
                    char *ms = ty_show(ty_actor_message(it->sym));
                    fprintf(stderr, "  (messages: %s)", ms);
                    free(ms);
                }
                fputc('\n', stderr);
            }
            dump_node(it, 0);
        }
    }
}

/* ---- public readers ------------------------------------------------------------------------------ */

uint32_t ty_derives(Sym *type_sym) {
    TypeInfo *ti = ty_info(type_sym);
    return ti ? ti->derives : 0;
}

Node **ty_impls(uint32_t *n) {
    *n = nimpl_nodes;
    return impl_nodes;
}

Sym *ty_impl_target(Node *impl) {
    ImplInfo *ii = ty_impl_info(impl);
    return ii ? ii->target_sym : NULL;
}

TyKindPub ty_impl_builtin(Node *impl) {
    ImplInfo *ii = ty_impl_info(impl);
    return ii ? (TyKindPub)ii->target_kind : TYK_VAR;
}

Type *ty_actor_message(Sym *actor) {
    ActorInfo *ai = ty_actor_info(actor);
    return ai ? ai->msg : NULL;
}

Type *ty_of_sym(Sym *s) {
    if (!s) return NULL;
    switch (s->kind) {
    case S_LOCAL: case S_FN: case S_ACTOR: return s->ty;
    case S_CTOR: return ty_ctor_scheme(s);
    case S_BUILTIN: return s->builtin ? ty_std_scheme(s->builtin) : NULL;
    default: return NULL;
    }
}
