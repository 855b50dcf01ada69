/* repl_compile.c — the REPL session's definitions and bindings, and
 * compiling one input.
 *
 * Model: the session is a list of definitions (source text keyed by kind and
 * name: redefining replaces) and a list of `let` bindings (name, type scheme,
 * value).  Every input is compiled as one Main module made of the session's
 * definitions, the input's own definitions, and a wrapper function
 *
 *     fn <input><t__0, t__1, ...>(b1 :: S1, b2 :: S2, ...)   (NF_PROCESS)
 *
 * whose parameters are the earlier bindings and whose body is the input's
 * statements; it returns the value of the last expression and of every new
 * `let`.  So each input gets the whole front end (diagnostics point into the
 * input) and the ordinary evaluator.
 *
 * Invariants:
 *  - Types stay sound across inputs: a binding's parameter is annotated with
 *    its type scheme (NF_SCHEME), so a polymorphic value stays polymorphic
 *    and a function stays a function (`let f = fn a -> a end` then `f + 1`
 *    is a type error).  A binding whose type cannot be written as an
 *    annotation is passed unannotated.
 *  - A binding whose type mentions a type that an input redefines
 *    differently is forgotten (its value has the old layout).
 *  - Each definition keeps its own source entry, placed at its real line and
 *    column in its origin ("repl" or the :load-ed file), so diagnostics and
 *    panics inside it point where it was written.
 *  - The session's message type (self(), receive; decision 33) is the
 *    wrapper's `ann` once an input fixed it to a type without variables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bigstack.h"
#include "diag.h"
#include "fmt.h"
#include "lex.h"
#include "list.h"
#include "parse.h"
#include "pipeline.h"
#include "prepare.h"
#include "project.h"
#include "repl_int.h"
#include "sb.h"
#include "source.h"
#include "ty.h"
#include "vals.h"
#include "xalloc.h"

ReplState R;

/* ---- the session's tables ------------------------------------------------------------ */

static void binding_free(ReplBinding *b) {
    free(b->name);
    free(b->scheme);
    free(b->shown);
    free(b->origin);
}

void repl_reset_session(void) {
    for (uint32_t i = 0; i < R.ndefs; i++) {
        ReplDef *d = &R.defs[i];
        free(d->key);
        free(d->name);
        free(d->text);
        free(d->origin);
        free(d->doc);
    }
    R.ndefs = 0;
    for (uint32_t i = 0; i < R.nbinds; i++) binding_free(&R.binds[i]);
    R.nbinds = 0;
    free(R.msg_type);
    R.msg_type = NULL;
}

int repl_find_binding(const char *name) {
    for (uint32_t i = 0; i < R.nbinds; i++)
        if (strcmp(R.binds[i].name, name) == 0) return (int)i;
    return -1;
}

int repl_find_def_named(const char *name) {
    for (uint32_t i = R.ndefs; i > 0; i--)
        if (strcmp(R.defs[i - 1].name, name) == 0 && R.defs[i - 1].kind != N_IMPORT &&
            R.defs[i - 1].kind != N_FROM_IMPORT && R.defs[i - 1].kind != N_IMPL)
            return (int)i - 1;
    return -1;
}

static int find_def(const char *key) {
    for (uint32_t i = 0; i < R.ndefs; i++)
        if (strcmp(R.defs[i].key, key) == 0) return (int)i;
    return -1;
}

/* ---- keys of definitions ----------------------------------------------------------------- */

static bool is_def(const Node *n) {
    switch (n->kind) {
    case N_FN: case N_STRUCT: case N_SUMTYPE: case N_ALIAS: case N_INTERFACE: case N_IMPL: case N_ACTOR:
    case N_SERVICE: case N_SUPERVISOR: case N_IMPORT: case N_FROM_IMPORT:
        return true;
    default:
        return false;
    }
}

static bool is_type_def(const Node *n) {
    return n->kind == N_STRUCT || n->kind == N_SUMTYPE || n->kind == N_ALIAS || n->kind == N_SERVICE ||
           n->kind == N_SUPERVISOR || n->kind == N_INTERFACE;
}

static void def_key(const Node *n, const char *text, char *key, size_t cap, const char **name) {
    switch (n->kind) {
    case N_FN:
        snprintf(key, cap, "fn:%s/%u", n->fn.name.id, n->fn.params.n);
        *name = n->fn.name.id;
        break;
    case N_ACTOR: snprintf(key, cap, "fn:%s", n->fn.name.id); *name = n->fn.name.id; break;
    case N_STRUCT: case N_SUMTYPE: case N_ALIAS:
        snprintf(key, cap, "type:%s", n->tdef.name.id);
        *name = n->tdef.name.id;
        break;
    case N_INTERFACE: snprintf(key, cap, "interface:%s", n->iface.name.id); *name = n->iface.name.id; break;
    case N_IMPL:
        snprintf(key, cap, "impl:%s for %s", n->impl.trait.id, n->impl.for_type.id);
        *name = n->impl.trait.id;
        break;
    case N_SERVICE: snprintf(key, cap, "type:%s", n->service.name.id); *name = n->service.name.id; break;
    case N_SUPERVISOR: snprintf(key, cap, "type:%s", n->sup.name.id); *name = n->sup.name.id; break;
    case N_IMPORT: case N_FROM_IMPORT:
        /* the import's own text: two different imports of a module both stay */
        snprintf(key, cap, "import:%.*s", (int)n->span.len, text + n->span.off);
        *name = n->import.path.id;
        break;
    default: key[0] = 0; *name = ""; break;
    }
}

/* ---- types as annotation text -------------------------------------------------------------- */

#define MAX_TV 64

typedef struct TvMap {
    Type *v[MAX_TV];
    uint32_t n;
} TvMap;

/* Snow annotation syntax for a checked type, its variables named t__0,
 * t__1, ...; false when some part cannot be written (an opaque library
 * type, too many variables). */
static bool ann_of(Type *t, SB *b, TvMap *m) {
    t = ty_prune(t);
    switch (ty_kind(t)) {
    case TYK_VAR: {
        uint32_t i = 0;
        while (i < m->n && m->v[i] != t) i++;
        if (i == m->n) {
            if (m->n == MAX_TV) return false;
            m->v[m->n++] = t;
        }
        sb_printf(b, "t__%u", i);
        return true;
    }
    case TYK_INT: sb_puts(b, "Int"); return true;
    case TYK_FLOAT: sb_puts(b, "Float"); return true;
    case TYK_BOOL: sb_puts(b, "Bool"); return true;
    case TYK_STRING: sb_puts(b, "String"); return true;
    case TYK_UNIT: sb_puts(b, "()"); return true;
    case TYK_RANGE: sb_puts(b, "Range"); return true;
    case TYK_REF: sb_puts(b, "Ref"); return true;
    case TYK_JSON: sb_puts(b, "Json"); return true;
    case TYK_TUPLE: {
        sb_puts(b, "(");
        for (int i = 0; i < ty_nargs(t); i++) {
            if (i) sb_puts(b, ", ");
            if (!ann_of(ty_arg(t, i), b, m)) return false;
        }
        sb_puts(b, ")");
        return true;
    }
    case TYK_FUN: {
        int n = ty_nargs(t);
        sb_puts(b, "Fun(");
        for (int i = 0; i < n - 1; i++) {
            if (i) sb_puts(b, ", ");
            if (!ann_of(ty_arg(t, i), b, m)) return false;
        }
        sb_puts(b, ") -> ");
        return ann_of(ty_arg(t, n - 1), b, m);
    }
    case TYK_LIST: case TYK_MAP: case TYK_SET: case TYK_QUEUE: case TYK_PID: case TYK_USER: {
        TyKindPub k = ty_kind(t);
        const char *name = k == TYK_LIST ? "List" : k == TYK_MAP ? "Map" : k == TYK_SET ? "Set"
                         : k == TYK_QUEUE ? "Queue" : k == TYK_PID ? "Pid" : ty_sym(t)->name;
        sb_puts(b, name);
        int n = ty_nargs(t);
        if (n) {
            sb_puts(b, "<");
            for (int i = 0; i < n; i++) {
                if (i) sb_puts(b, ", ");
                if (!ann_of(ty_arg(t, i), b, m)) return false;
            }
            sb_puts(b, ">");
        }
        return true;
    }
    default: return false;
    }
}

/* The scheme text of t (malloc'd) and its number of type parameters, or NULL. */
static char *scheme_text(Type *t, uint32_t *ntv) {
    if (!t) return NULL;
    TvMap m;
    m.n = 0;
    SB b;
    sb_init(&b);
    if (!ann_of(t, &b, &m)) {
        sb_free(&b);
        return NULL;
    }
    *ntv = m.n;
    return sb_detach(&b);
}

static char *type_text(Type *t) { return t ? ty_show(t) : xstrdup("?"); }

/* Does `text` (a type) name `type` as a whole word? */
static bool mentions(const char *text, const char *type) {
    if (!text) return false;
    size_t n = strlen(type);
    for (const char *p = strstr(text, type); p; p = strstr(p + 1, type)) {
        bool left = p == text || !(p[-1] == '_' || p[-1] == '.' || (p[-1] >= 'a' && p[-1] <= 'z') ||
                                   (p[-1] >= 'A' && p[-1] <= 'Z') || (p[-1] >= '0' && p[-1] <= '9'));
        char c = p[n];
        bool right = !(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
        if (left && right) return true;
    }
    return false;
}

/* ---- compiling one input ------------------------------------------------------------------------ */

static Node *mk_name(const char *id, Span sp) {
    Node *n = ast_node(N_NAME, sp);
    n->name.id.id = ast_intern(id, strlen(id));
    n->name.id.span = sp;
    return n;
}

static void collect_binders(Node *p, ReplJob *j) {
    if (!p) return;
    switch (p->kind) {
    case P_BIND: case P_AS: {
        const char *nm = p->kind == P_BIND ? p->name.id.id : p->as_.name.id;
        bool dup = false;
        for (uint32_t i = 0; i < j->nnew; i++)
            if (strcmp(j->new_names[i], nm) == 0) dup = true;
        if (!dup && nm[0] != '_') {
            j->new_names = xrealloc(j->new_names, (j->nnew + 1) * sizeof *j->new_names);
            j->new_syms = xrealloc(j->new_syms, (j->nnew + 1) * sizeof *j->new_syms);
            j->new_names[j->nnew] = (char *)nm;
            j->new_syms[j->nnew] = NULL;
            j->nnew++;
        }
        if (p->kind == P_AS) collect_binders(p->as_.pat, j);
        break;
    }
    case P_TUPLE: case P_LIST: case P_OR:
        for (uint32_t i = 0; i < p->list.items.n; i++) collect_binders(p->list.items.v[i], j);
        break;
    case P_CTOR:
        for (uint32_t i = 0; i < p->ctor.args.n; i++) collect_binders(p->ctor.args.v[i], j);
        break;
    case P_CONS:
        collect_binders(p->bin.lhs, j);
        collect_binders(p->bin.rhs, j);
        break;
    default: break;
    }
}

/* The binder node of a new let named `name`. */
static Sym *find_binder(Node *p, const char *name) {
    if (!p) return NULL;
    switch (p->kind) {
    case P_BIND: return strcmp(p->name.id.id, name) == 0 ? p->sym : NULL;
    case P_AS:
        if (strcmp(p->as_.name.id, name) == 0) return p->sym;
        return find_binder(p->as_.pat, name);
    case P_TUPLE: case P_LIST: case P_OR:
        for (uint32_t i = 0; i < p->list.items.n; i++) {
            Sym *s = find_binder(p->list.items.v[i], name);
            if (s) return s;
        }
        return NULL;
    case P_CTOR:
        for (uint32_t i = 0; i < p->ctor.args.n; i++) {
            Sym *s = find_binder(p->ctor.args.v[i], name);
            if (s) return s;
        }
        return NULL;
    case P_CONS: {
        Sym *s = find_binder(p->bin.lhs, name);
        return s ? s : find_binder(p->bin.rhs, name);
    }
    default: return NULL;
    }
}

static Node *parse_source(uint32_t file, int *nerr) {
    TokenList toks = lex_file(file);
    Node *root = parse_file(file, &toks, nerr);
    lex_free(&toks);
    return root;
}

static Node *parse_annotation(const char *text) {
    int terr = 0;
    uint32_t tid = src_add("binding type", text, strlen(text));
    TokenList toks = lex_file(tid);
    Node *ann = parse_type_text(tid, &toks, &terr);
    lex_free(&toks);
    return terr ? NULL : ann;
}

static void compile_input(ReplJob *j) {
    j->ok = false;
    R.inputs++;
    int nerr = 0;
    j->in_file = src_add(j->origin, j->text, strlen(j->text));
    Node *in = parse_source(j->in_file, &nerr);
    if (nerr || diag_error_count()) return;
    /* the input's definitions and statements */
    NodeVec dv = {0}, sv = {0};
    for (uint32_t i = 0; i < in->list.items.n; i++) {
        Node *it = in->list.items.v[i];
        if (is_def(it)) nv_push(&dv, it);
        else if (!j->defs_only) nv_push(&sv, it);
    }
    NodeList idefs = nv_finish(&dv), stmts = nv_finish(&sv);
    char **ikeys = xmalloc((idefs.n + 1) * sizeof *ikeys);
    const char **redefined = xmalloc((idefs.n + 1) * sizeof *redefined);
    uint32_t nredef = 0;
    for (uint32_t k = 0; k < idefs.n; k++) {
        char key[512];
        const char *nm;
        Node *d = idefs.v[k];
        def_key(d, j->text, key, sizeof key, &nm);
        ikeys[k] = xstrdup(key);
        /* a type defined again with another text: values of the old one have
         * another layout */
        int old = find_def(key);
        if (old >= 0 && is_type_def(d) &&
            (strlen(R.defs[old].text) != d->span.len || strncmp(R.defs[old].text, j->text + d->span.off, d->span.len)))
            redefined[nredef++] = nm;
    }
    /* the session's definitions the input does not replace */
    NodeVec items = {0};
    for (uint32_t i = 0; i < R.ndefs; i++) {
        bool replaced = false;
        for (uint32_t k = 0; k < idefs.n && !replaced; k++) replaced = strcmp(ikeys[k], R.defs[i].key) == 0;
        if (replaced) continue;
        Node *root = parse_source(R.defs[i].file, &nerr);
        for (uint32_t k = 0; root && k < root->list.items.n; k++) nv_push(&items, root->list.items.v[k]);
    }
    for (uint32_t k = 0; k < idefs.n; k++) free(ikeys[k]);
    free(ikeys);
    for (uint32_t i = 0; i < idefs.n; i++) nv_push(&items, idefs.v[i]);
    /* the bindings passed in (those of a redefined type are dropped) */
    j->pass = xmalloc((R.nbinds + 1) * sizeof *j->pass);
    j->npass = 0;
    uint32_t ntv = 0;
    for (uint32_t i = 0; i < R.nbinds; i++) {
        const char *stale = NULL;
        for (uint32_t k = 0; k < nredef && !stale; k++)
            if (mentions(R.binds[i].scheme ? R.binds[i].scheme : R.binds[i].shown, redefined[k])) stale = redefined[k];
        if (stale) {
            SB note;
            sb_init(&note);
            sb_printf(&note, "`%s` is forgotten: its type uses `%s`, which was defined again", R.binds[i].name, stale);
            j->dropped = xrealloc(j->dropped, (j->ndropped + 1) * sizeof *j->dropped);
            j->dropped[j->ndropped++] = sb_detach(&note);
            continue;
        }
        j->pass[j->npass++] = i;
        if (R.binds[i].ntv > ntv) ntv = R.binds[i].ntv;
    }
    free(redefined);
    /* the wrapper: fn <input><t__...>(bindings...) do statements; (__it, news..., ()) end */
    Span sp = {j->in_file, 0, 0};
    Node *fn = ast_node(N_FN, sp);
    fn->flags |= NF_PROCESS;
    /* a name no input can write (backtraces say "in <input>") */
    fn->fn.name.id = ast_intern("<input>", 7);
    fn->fn.name.span = sp;
    if (R.msg_type) fn->ann = parse_annotation(R.msg_type);
    NodeVec gens = {0};
    for (uint32_t k = 0; k < ntv; k++) {
        char g[32];
        snprintf(g, sizeof g, "t__%u", k);
        nv_push(&gens, mk_name(g, sp));
    }
    fn->fn.generics = nv_finish(&gens);
    NodeVec params = {0};
    for (uint32_t k = 0; k < j->npass; k++) {
        ReplBinding *b = &R.binds[j->pass[k]];
        Node *pb = ast_node(P_BIND, sp);
        pb->name.id.id = ast_intern(b->name, strlen(b->name));
        pb->name.id.span = sp;
        if (b->scheme) {
            pb->ann = parse_annotation(b->scheme);
            if (pb->ann) pb->flags |= NF_SCHEME;
        }
        nv_push(&params, pb);
    }
    fn->fn.params = nv_finish(&params);
    Node *body = ast_node(N_BLOCK, sp);
    NodeVec bv = {0};
    j->it_let = NULL;
    j->last_expr = NULL;
    j->nnew = 0;
    for (uint32_t i = 0; i < stmts.n; i++) {
        Node *s = stmts.v[i];
        bool last = i == stmts.n - 1;
        if (s->kind == N_LET) {
            collect_binders(s->let.pat, j);
            nv_push(&bv, s);
        } else if (last) {
            Node *let = ast_node(N_LET, s->span);
            Node *pb = ast_node(P_BIND, s->span);
            pb->name.id.id = ast_intern("__it", 4);
            pb->name.id.span = s->span;
            let->let.pat = pb;
            let->let.value = s;
            j->it_let = let;
            j->last_expr = s;
            nv_push(&bv, let);
        } else {
            nv_push(&bv, s);
        }
    }
    Node *tup = ast_node(N_TUPLE, sp);
    NodeVec tv = {0};
    nv_push(&tv, j->it_let ? mk_name("__it", sp) : ast_node(N_UNIT, sp));
    for (uint32_t i = 0; i < j->nnew; i++) nv_push(&tv, mk_name(j->new_names[i], sp));
    nv_push(&tv, ast_node(N_UNIT, sp));
    tup->list.items = nv_finish(&tv);
    nv_push(&bv, tup);
    body->list.items = nv_finish(&bv);
    fn->fn.body = body;
    nv_push(&items, fn);
    Module *m = ast_alloc(sizeof *m);
    m->name = ast_intern("Main", 4);
    m->short_name = m->name;
    m->file = j->in_file;
    m->root = ast_node(N_BLOCK, sp);
    m->root->list.items = nv_finish(&items);
    j->new_defs = idefs.v;
    j->nnew_defs = idefs.n;
    Project proj;
    Module *mods[1];
    project_single(&proj, mods, m);
    proj.no_main = true;
    if (!pipeline_check_project(&proj)) return;
    /* what the session prints and keeps: the types, while they exist */
    j->shadowed = xcalloc(j->npass + 1, sizeof *j->shadowed);
    for (uint32_t k = 0; k < j->npass; k++)
        for (uint32_t i = 0; i < j->nnew; i++)
            if (strcmp(R.binds[j->pass[k]].name, j->new_names[i]) == 0) j->shadowed[k] = true;
    j->news = xcalloc(j->nnew + 1, sizeof *j->news);
    for (uint32_t i = 0; i < j->nnew; i++) {
        for (uint32_t k = stmts.n; k > 0 && !j->new_syms[i]; k--) {
            Node *s = stmts.v[k - 1];
            if (s->kind == N_LET) j->new_syms[i] = find_binder(s->let.pat, j->new_names[i]);
        }
        Type *ty = j->new_syms[i] ? ty_of_sym(j->new_syms[i]) : NULL;
        ReplBinding *b = &j->news[i];
        b->name = xstrdup(j->new_names[i]);
        b->scheme = scheme_text(ty, &b->ntv);
        b->shown = type_text(ty);
        b->origin = xstrdup(j->origin);
    }
    if (j->it_let) {
        Type *ty = j->it_let->let.pat->sym ? ty_of_sym(j->it_let->let.pat->sym) : NULL;
        if (!ty) ty = j->last_expr->ty;
        if (!(ty && ty_kind(ty_prune(ty)) == TYK_UNIT)) j->it_shown = type_text(ty);
    }
    if (!R.msg_type && !j->only_type) {
        uint32_t n = 0;
        char *mt = scheme_text(ty_process_message(), &n);
        if (mt && n == 0) j->msg_type = mt;
        else free(mt);
    }
    if (j->only_type) {
        j->ok = true;
        return;
    }
    j->ok = prepare_entry(&proj, "<input>", &j->fn);
}

static void compile_thread(void *arg) { compile_input(arg); }

void repl_compile(ReplJob *j) {
    diag_reset();
    run_on_big_stack(compile_thread, j, (size_t)128 << 20);
    diag_flush();
    diag_reset();
}

void repl_job_free(ReplJob *j) {
    free(j->pass);
    free(j->shadowed);
    free(j->new_names);
    free(j->new_syms);
    for (uint32_t i = 0; j->news && i < j->nnew; i++) binding_free(&j->news[i]);
    free(j->news);
    free(j->it_shown);
    free(j->msg_type);
    for (uint32_t i = 0; i < j->ndropped; i++) free(j->dropped[i]);
    free(j->dropped);
    memset(j, 0, sizeof *j);
}

char *repl_type_of(const char *expr, bool quiet) {
    ReplJob j;
    memset(&j, 0, sizeof j);
    j.text = expr;
    j.origin = "repl";
    j.only_type = true;
    diag_reset();
    run_on_big_stack(compile_thread, &j, (size_t)128 << 20);
    if (!quiet) diag_flush();
    diag_reset();
    char *r = NULL;
    if (j.ok && j.it_let) {
        Type *ty = j.it_let->let.pat->sym ? ty_of_sym(j.it_let->let.pat->sym) : NULL;
        if (!ty) ty = j.last_expr->ty;
        r = type_text(ty);
    } else if (j.ok) {
        r = xstrdup("()");
    }
    repl_job_free(&j);
    return r;
}

/* ---- after the input ran ------------------------------------------------------------------------- */

static void describe_def(Node *d) {
    switch (d->kind) {
    case N_FN: {
        if (d->sym && d->sym->defs && d->sym->defs[0] != d) return; /* later clauses */
        char *t = type_text(d->sym ? ty_of_sym(d->sym) : NULL);
        printf("defined %s :: %s\n", d->fn.name.id, t);
        free(t);
        break;
    }
    case N_ACTOR: {
        char *t = type_text(d->sym ? ty_actor_message(d->sym) : NULL);
        printf("defined actor %s (messages: %s)\n", d->fn.name.id, t);
        free(t);
        break;
    }
    case N_STRUCT: printf("defined struct %s\n", d->tdef.name.id); break;
    case N_SUMTYPE: printf("defined type %s\n", d->tdef.name.id); break;
    case N_ALIAS: printf("defined alias %s\n", d->tdef.name.id); break;
    case N_INTERFACE: printf("defined interface %s\n", d->iface.name.id); break;
    case N_IMPL: printf("defined impl %s for %s\n", d->impl.trait.id, d->impl.for_type.id); break;
    case N_SERVICE: printf("defined service %s\n", d->service.name.id); break;
    case N_SUPERVISOR: printf("defined supervisor %s\n", d->sup.name.id); break;
    default: break;
    }
}

/* The `##` lines right above offset `off` of text, without the marks. */
static char *doc_above(const char *text, uint32_t off) {
    const char *p = text + off;
    while (p > text && p[-1] != '\n') p--; /* start of the definition's line */
    const char *top = p;
    for (;;) {
        if (top == text) break;
        const char *q = top - 1; /* the newline ending the previous line */
        const char *ls = q;
        while (ls > text && ls[-1] != '\n') ls--;
        const char *s = ls;
        while (s < q && (*s == ' ' || *s == '\t')) s++;
        if (q - s >= 2 && s[0] == '#' && s[1] == '#' && !(q - s >= 3 && s[2] == '!')) top = ls;
        else break;
    }
    if (top == p) return NULL;
    SB b;
    sb_init(&b);
    for (const char *l = top; l < p;) {
        const char *e = strchr(l, '\n');
        if (!e || e > p) e = p;
        const char *s = l;
        while (*s == ' ' || *s == '\t') s++;
        s += 2;
        if (*s == ' ') s++;
        if (b.len) sb_putc(&b, '\n');
        sb_put(&b, s, (size_t)(e - s));
        l = e + 1;
    }
    return sb_detach(&b);
}

static void put_def(const char *key, const char *name, int kind, const char *text, const char *origin,
                    uint32_t line, uint32_t col, char *doc) {
    /* the text at its real position: line - 1 newlines, col - 1 spaces */
    SB padded;
    sb_init(&padded);
    for (uint32_t i = 1; i < line; i++) sb_putc(&padded, '\n');
    for (uint32_t i = 1; i < col; i++) sb_putc(&padded, ' ');
    sb_puts(&padded, text);
    uint32_t file = src_add(origin, padded.p, padded.len);
    sb_free(&padded);
    int i = find_def(key);
    if (i < 0) {
        if (R.ndefs == R.capdefs) {
            R.capdefs = R.capdefs ? R.capdefs * 2 : 32;
            R.defs = xrealloc(R.defs, R.capdefs * sizeof *R.defs);
        }
        i = (int)R.ndefs++;
        R.defs[i].key = xstrdup(key);
        R.defs[i].name = xstrdup(name ? name : "");
    } else { /* keep the session's order stable: replace in place */
        free(R.defs[i].text);
        free(R.defs[i].origin);
        free(R.defs[i].doc);
    }
    ReplDef *d = &R.defs[i];
    d->kind = kind;
    d->text = xstrdup(text);
    d->origin = xstrdup(origin);
    d->line = line;
    d->col = col;
    d->file = file;
    d->doc = doc;
}

static void accept_defs(ReplJob *j) {
    SourceFile *sf = src_get(j->in_file);
    for (uint32_t i = 0; i < j->nnew_defs; i++) {
        Node *d = j->new_defs[i];
        char key[512];
        const char *nm;
        def_key(d, sf->text, key, sizeof key, &nm);
        /* consecutive clauses of one function are kept as one text */
        uint32_t start = d->span.off, end = d->span.off + d->span.len;
        while (i + 1 < j->nnew_defs && d->kind == N_FN && j->new_defs[i + 1]->kind == N_FN) {
            char k2[512];
            const char *n2;
            def_key(j->new_defs[i + 1], sf->text, k2, sizeof k2, &n2);
            if (strcmp(k2, key)) break;
            describe_def(j->new_defs[i]);
            i++;
            end = j->new_defs[i]->span.off + j->new_defs[i]->span.len;
        }
        uint32_t line, col;
        src_linecol(j->in_file, start, &line, &col);
        char *text = xstrndup(sf->text + start, end - start);
        put_def(key, nm, d->kind, text, j->origin, line, col, doc_above(sf->text, start));
        free(text);
        describe_def(d);
    }
}

static void print_value(Value v, const char *type) {
    SB sb;
    sb_init(&sb);
    fmt_show(&sb, v, REPL_SHOW_MAX);
    printf("%.*s :: %s\n", (int)sb.len, sb.p, type);
    sb_free(&sb);
}

Value repl_merge(ReplJob *j, Value old, Value news) {
    bool ok = news.tag == T_LIST;
    size_t nn = ok ? list_len(news) : 0;
    Value *v = xmalloc((j->npass + nn + 1) * sizeof *v);
    size_t n = 0;
    for (uint32_t k = 0; k < j->npass; k++)
        if (!(ok && j->shadowed[k]) && j->pass[k] < list_len(old)) v[n++] = list_get(old, j->pass[k]);
    for (size_t i = 0; i < nn; i++) v[n++] = list_get(news, i);
    Value r = list_from_array(v, n);
    free(v);
    return r;
}

Value repl_accept(ReplJob *j, bool ok, Value res) {
    accept_defs(j);
    for (uint32_t i = 0; i < j->ndropped; i++) printf("note: %s\n", j->dropped[i]);
    if (j->msg_type && !R.msg_type) {
        R.msg_type = j->msg_type;
        j->msg_type = NULL;
    }
    TupleObj *t = ok ? AS_TUPLE(res) : NULL;
    if (ok && j->it_let && j->it_shown) print_value(t->items[0], j->it_shown);
    /* the bindings: passed and not replaced, then the new ones */
    Value news = v_unit();
    if (ok) {
        Value *nv = xmalloc((j->nnew + 1) * sizeof *nv);
        for (uint32_t i = 0; i < j->nnew; i++) nv[i] = t->items[1 + i];
        news = list_from_array(nv, j->nnew);
        free(nv);
    }
    ReplBinding *nb = xmalloc((j->npass + j->nnew + 1) * sizeof *nb);
    uint32_t n = 0;
    bool *kept = xcalloc(R.nbinds + 1, sizeof *kept);
    for (uint32_t k = 0; k < j->npass; k++)
        if (!(ok && j->shadowed[k])) {
            nb[n++] = R.binds[j->pass[k]];
            kept[j->pass[k]] = true;
        }
    for (uint32_t i = 0; i < R.nbinds; i++)
        if (!kept[i]) binding_free(&R.binds[i]);
    free(kept);
    for (uint32_t i = 0; ok && i < j->nnew; i++) {
        nb[n] = j->news[i];
        memset(&j->news[i], 0, sizeof j->news[i]);
        if (!j->it_let || R.tty) {
            SB sb;
            sb_init(&sb);
            fmt_show(&sb, list_get(news, i), REPL_SHOW_MAX);
            printf("%s = %.*s :: %s\n", nb[n].name, (int)sb.len, sb.p, nb[n].shown);
            sb_free(&sb);
        }
        n++;
    }
    free(R.binds);
    R.binds = nb;
    R.nbinds = R.capbinds = n;
    return news;
}
