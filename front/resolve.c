/* resolve.c — name resolution (see resolve.h). */
#include "resolve.h"

#include <stdlib.h>
#include <string.h>

#include "depth.h"
#include "diag.h"
#include "hints.h"
#include "lex.h"
#include "modname.h"
#include "prelude.h"
#include "stdlib_table.h"
#include "xalloc.h"

/* ---- symbol tables ------------------------------------------------------- */

typedef struct Table {
    const char **keys; /* interned */
    Sym **vals;
    uint32_t cap, n;
} Table;

static uint32_t ptr_hash(const void *p) {
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (uint32_t)x;
}

static void table_put(Table *t, const char *k, Sym *v) {
    if ((t->n + 1) * 2 > t->cap) {
        uint32_t nc = t->cap ? t->cap * 2 : 64;
        const char **nk = xcalloc(nc, sizeof *nk);
        Sym **nv = xcalloc(nc, sizeof *nv);
        for (uint32_t i = 0; i < t->cap; i++) {
            if (!t->keys[i]) continue;
            uint32_t j = ptr_hash(t->keys[i]) & (nc - 1);
            while (nk[j]) j = (j + 1) & (nc - 1);
            nk[j] = t->keys[i];
            nv[j] = t->vals[i];
        }
        free(t->keys);
        free(t->vals);
        t->keys = nk;
        t->vals = nv;
        t->cap = nc;
    }
    uint32_t j = ptr_hash(k) & (t->cap - 1);
    while (t->keys[j] && t->keys[j] != k) j = (j + 1) & (t->cap - 1);
    if (!t->keys[j]) t->n++;
    t->keys[j] = k;
    t->vals[j] = v;
}

static Sym *table_get(const Table *t, const char *k) {
    if (!t->cap) return NULL;
    uint32_t j = ptr_hash(k) & (t->cap - 1);
    while (t->keys[j]) {
        if (t->keys[j] == k) return t->vals[j];
        j = (j + 1) & (t->cap - 1);
    }
    return NULL;
}

static void table_free(Table *t) {
    free(t->keys);
    free(t->vals);
    memset(t, 0, sizeof *t);
}

/* Per-module resolver data (Module.scope). */
/* Types and values are separate namespaces: `type Pile do Pile(Int) end`
 * defines a type Pile and a constructor Pile. */
typedef struct ModScope {
    Table items;     /* own values: functions, constructors, actors, services, supervisors */
    Table types;     /* own types: structs, sum types, aliases, interfaces */
    Table imported;  /* values brought in by imports (incl. public constructors) */
    Table timported; /* types brought in by imports */
    Table modules;   /* short name -> S_MODULE */
    Table unknown_modules; /* undefined module names already reported (once per file) */
    Table used_names; /* names found through `imported`, `timported` or `modules` (unused imports) */
} ModScope;

/* ---- global state ---------------------------------------------------------- */

static Project *proj;
static Module *prelude;
static Table builtin_syms;   /* stdlib functions, prelude names, std modules */
static Table method_syms;    /* interface method names -> S_METHOD */
static Sym **all_methods;
static uint32_t nall_methods, capall_methods;
static Module **order;
static uint32_t norder;
/* caches of symbols for built-in names (allocated in the AST arena, keyed by
 * interned names: resolve_reset forgets them together with the arena) */
static Table builtin_type_tab; /* "Int" ... -> S_BUILTIN_TYPE */
static Table builtin_fn_tab;   /* "List.map" ... -> S_BUILTIN */
static Table stdmod_tab;       /* "List" ... -> S_STDMOD */
static Table std_module_tab;   /* is_std_module */
static bool std_module_init, builtins_done;

static Sym *new_sym(SymKind k, const char *name, Node *def, Module *m) {
    Sym *s = ast_alloc(sizeof *s);
    s->kind = k;
    s->name = name;
    s->def = def;
    s->mod = m;
    return s;
}

static const char *I(const char *s) { return ast_intern(s, strlen(s)); }

static const char *const builtin_types[] = {
    "Int", "Float", "String", "Bool", "List", "Map", "Set", "Pid", "Ref", "Range", "Queue", "Json",
    "Tuple", "Never", NULL,
};

bool resolve_is_builtin_type(const char *name) {
    for (int i = 0; builtin_types[i]; i++)
        if (strcmp(builtin_types[i], name) == 0) return true;
    return false;
}

static Sym *builtin_type_sym(const char *name) {
    const char *k = I(name);
    Sym *s = table_get(&builtin_type_tab, k);
    if (!s && (resolve_is_builtin_type(name) || stdlib_is_opaque_type(name))) {
        s = new_sym(S_BUILTIN_TYPE, k, NULL, NULL);
        table_put(&builtin_type_tab, k, s);
    }
    return s;
}

/* A Sym for a stdlib entry (shared per entry). */
static Sym *builtin_fn_sym(const StdFn *f) {
    char buf[128];
    snprintf(buf, sizeof buf, "%s.%s", f->module, f->name);
    const char *k = I(buf);
    Sym *s = table_get(&builtin_fn_tab, k);
    if (!s) {
        s = new_sym(S_BUILTIN, I(f->name), NULL, NULL);
        s->builtin = f;
        s->arity = f->arity < 0 ? 0 : (uint32_t)f->arity;
        table_put(&builtin_fn_tab, k, s);
    }
    return s;
}

static Sym *stdmod_sym(const char *name) {
    const char *k = I(name);
    Sym *s = table_get(&stdmod_tab, k);
    if (!s) {
        s = new_sym(S_STDMOD, k, NULL, NULL);
        table_put(&stdmod_tab, k, s);
    }
    return s;
}

/* ---- locals and context ---------------------------------------------------- */

typedef struct LocalEnt {
    const char *name;
    Sym *sym;
} LocalEnt;

typedef struct Ctx {
    Module *mod;
    ModScope *ms;
    LocalEnt *locals;
    uint32_t nlocals, caplocals;
    Node *fn_node;    /* innermost function-like node */
    uint32_t local_counter;
    int loop_depth;   /* loops in the current function (closures reset it) */
    bool in_actor;    /* lexically inside an actor body */
    bool in_process;  /* inside the REPL's input wrapper (NF_PROCESS): flush() exists */
    bool top_level;   /* resolving top-level statements */
    bool no_unused;   /* declaring names that need no use (interface signatures) */
    /* type variables in scope (generic parameters) */
    LocalEnt *tvars;
    uint32_t ntvars, captvars;
    bool implicit_tvars; /* single capital letters become type variables */
    Node *tvar_owner;
} Ctx;

/* ---- unused names ------------------------------------------------------------
 * Locals, nested functions and imports are remembered as they are declared;
 * resolve_warn_unused reports those never used (after a check without
 * errors, as rustc does: an error often leaves names unused). */

typedef struct SymVec {
    Sym **v;
    uint32_t n, cap;
} SymVec;

static void symvec_push(SymVec *sv, Sym *s) {
    if (sv->n == sv->cap) {
        sv->cap = sv->cap ? sv->cap * 2 : 64;
        sv->v = xrealloc(sv->v, sv->cap * sizeof *sv->v);
    }
    sv->v[sv->n++] = s;
}

typedef struct ImportRec {
    Module *m;   /* the importing module */
    Node *it;    /* N_IMPORT / N_FROM_IMPORT */
    Module *dep; /* the project module imported, NULL for a library module */
} ImportRec;

static SymVec made_locals, made_nested_fns;
static ImportRec *import_recs;
static uint32_t nimport_recs, capimport_recs;

static void unused_reset(void) {
    free(made_locals.v);
    free(made_nested_fns.v);
    memset(&made_locals, 0, sizeof made_locals);
    memset(&made_nested_fns, 0, sizeof made_nested_fns);
    free(import_recs);
    import_recs = NULL;
    nimport_recs = capimport_recs = 0;
}

static void record_import(Module *m, Node *it, Module *dep) {
    if (nimport_recs == capimport_recs) {
        capimport_recs = capimport_recs ? capimport_recs * 2 : 16;
        import_recs = xrealloc(import_recs, capimport_recs * sizeof *import_recs);
    }
    import_recs[nimport_recs++] = (ImportRec){m, it, dep};
}

static void push_local(Ctx *c, const char *name, Sym *s) {
    if (s->kind == S_LOCAL && !c->no_unused && c->mod != prelude) symvec_push(&made_locals, s);
    if (s->kind == S_LOCAL && s->def) { /* in scope from its pattern to the end of the scope */
        s->vis_from = s->def->span.off;
        s->vis_to = UINT32_MAX;
    }
    if (c->nlocals == c->caplocals) {
        c->caplocals = c->caplocals ? c->caplocals * 2 : 64;
        c->locals = xrealloc(c->locals, c->caplocals * sizeof *c->locals);
    }
    c->locals[c->nlocals].name = name;
    c->locals[c->nlocals].sym = s;
    c->nlocals++;
}

/* The locals declared since `mark` go out of scope at the end of `owner`. */
static void end_scope(Ctx *c, uint32_t mark, const Node *owner) {
    for (uint32_t i = mark; i < c->nlocals; i++) {
        Sym *s = c->locals[i].sym;
        if (s->kind == S_LOCAL && s->vis_to == UINT32_MAX) s->vis_to = owner->span.off + owner->span.len;
    }
    c->nlocals = mark;
}

static Sym *find_local(Ctx *c, const char *name) {
    for (uint32_t i = c->nlocals; i > 0; i--)
        if (c->locals[i - 1].name == name) return c->locals[i - 1].sym;
    return NULL;
}

__attribute__((unused)) static Sym *declare_local(Ctx *c, const char *name, Node *def) {
    Sym *s = new_sym(S_LOCAL, name, def, c->mod);
    s->fn_node = c->fn_node;
    s->index = c->local_counter++;
    push_local(c, name, s);
    return s;
}

static void push_tvar(Ctx *c, const char *name, Sym *s) {
    if (c->ntvars == c->captvars) {
        c->captvars = c->captvars ? c->captvars * 2 : 16;
        c->tvars = xrealloc(c->tvars, c->captvars * sizeof *c->tvars);
    }
    c->tvars[c->ntvars].name = name;
    c->tvars[c->ntvars].sym = s;
    c->ntvars++;
}

static Sym *find_tvar(Ctx *c, const char *name) {
    for (uint32_t i = c->ntvars; i > 0; i--)
        if (c->tvars[i - 1].name == name) return c->tvars[i - 1].sym;
    return NULL;
}

static void declare_generics(Ctx *c, NodeList gens, Node *owner) {
    for (uint32_t i = 0; i < gens.n; i++) {
        Node *g = gens.v[i];
        Sym *s = new_sym(S_TYPEVAR, g->name.id.id, g, c->mod);
        s->index = i;
        s->owner = NULL;
        s->fn_node = owner;
        g->sym = s;
        push_tvar(c, g->name.id.id, s);
    }
}

/* ---- global lookup --------------------------------------------------------- */

static bool is_std_module(const char *name);

/* A module's own value / type of that name. */
static Sym *mod_value(Module *m, const char *name) {
    ModScope *ms = m->scope;
    return ms ? table_get(&ms->items, name) : NULL;
}
static Sym *mod_type(Module *m, const char *name) {
    ModScope *ms = m->scope;
    return ms ? table_get(&ms->types, name) : NULL;
}
/* Either (qualified access Module.x, imports). */
static Sym *lookup_in_module_items(Module *m, const char *name) {
    Sym *s = mod_value(m, name);
    return s ? s : mod_type(m, name);
}

/* An imported name (or module) was looked up: its import is used. */
static Sym *mark_used(ModScope *ms, const char *name, Sym *s) {
    table_put(&ms->used_names, name, s);
    return s;
}

/* Value namespace: own items, imports, prelude, interface methods, library
 * functions, module names. */
static Sym *lookup_value(Module *m, const char *name) {
    ModScope *ms = m->scope;
    Sym *s;
    if (ms) {
        if ((s = table_get(&ms->items, name))) return s;
        if ((s = table_get(&ms->imported, name))) return mark_used(ms, name, s);
    }
    if (prelude && m != prelude && (s = mod_value(prelude, name))) return s;
    if ((s = table_get(&method_syms, name))) return s;
    if ((s = table_get(&builtin_syms, name))) return s;
    if (ms && (s = table_get(&ms->modules, name))) return mark_used(ms, name, s);
    if (is_std_module(name)) return stdmod_sym(name);
    return NULL;
}

/* Type namespace: own types, imported types, prelude types, built-in types. */
static Sym *lookup_type(Module *m, const char *name) {
    ModScope *ms = m->scope;
    Sym *s;
    if (ms) {
        if ((s = table_get(&ms->types, name))) return s;
        if ((s = table_get(&ms->timported, name))) return mark_used(ms, name, s);
    }
    if (prelude && m != prelude && (s = mod_type(prelude, name))) return s;
    if (resolve_is_builtin_type(name)) return builtin_type_sym(name);
    return NULL;
}

Sym *resolve_lookup_global(Module *m, const char *name) {
    Sym *s = lookup_value(m, name);
    return s ? s : lookup_type(m, name);
}

/* stdlib_is_module by interned pointer (the table scan is too slow for
 * every name lookup). */
static bool is_std_module(const char *name) {
    if (!std_module_init) {
        std_module_init = true;
        for (unsigned i = 0, n = stdlib_count(); i < n; i++)
            if (stdlib_at(i)->module[0]) {
                const char *k = I(stdlib_at(i)->module);
                if (!table_get(&std_module_tab, k)) table_put(&std_module_tab, k, stdmod_sym(k));
            }
    }
    return table_get(&std_module_tab, name) != NULL;
}

static Sym *lookup_module_name(Ctx *c, const char *name) {
    Sym *s = table_get(&c->ms->modules, name);
    if (s) return mark_used(c->ms, name, s);
    if (is_std_module(name)) return stdmod_sym(name);
    return NULL;
}

/* ---- did you mean ------------------------------------------------------------ */

/* Edit distance where swapping two neighbours counts as one edit (optimal
 * string alignment): `prnit` is one step from `print`. */
static int edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40) return 99;
    int d[41][41];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int cost = a[i - 1] != b[j - 1];
            int x = d[i - 1][j] + 1, y = d[i][j - 1] + 1, z = d[i - 1][j - 1] + cost;
            d[i][j] = x < y ? (x < z ? x : z) : (y < z ? y : z);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < d[i][j])
                d[i][j] = d[i - 2][j - 2] + 1;
        }
    return d[la][lb];
}

typedef struct Suggest {
    const char *best;
    int dist;
    const char *target;
} Suggest;

static bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

static void consider(Suggest *sg, const char *cand) {
    if (!cand || cand == sg->target || cand[0] == '_') return;
    /* capitalised names are types, variants and modules; the others values:
     * `Point` is not a misspelt `print` */
    if (is_upper(cand[0]) != is_upper(sg->target[0])) return;
    int d = edit_distance(sg->target, cand);
    size_t lt = strlen(sg->target);
    int limit = lt <= 3 ? 1 : lt <= 6 ? 2 : 3;
    if (d <= limit && d < sg->dist) {
        sg->dist = d;
        sg->best = cand;
    }
}

static void consider_table(Suggest *sg, const Table *t) {
    for (uint32_t i = 0; i < t->cap; i++)
        if (t->keys[i]) consider(sg, t->keys[i]);
}

static const char *suggest_name(Ctx *c, const char *name) {
    Suggest sg = {NULL, 99, name};
    for (uint32_t i = 0; i < c->nlocals; i++) consider(&sg, c->locals[i].name);
    consider_table(&sg, &c->ms->items);
    consider_table(&sg, &c->ms->imported);
    consider_table(&sg, &builtin_syms);
    consider_table(&sg, &method_syms);
    if (prelude) consider_table(&sg, &((ModScope *)prelude->scope)->items);
    return sg.best;
}

/* ---- errors ------------------------------------------------------------------- */

/* A module `name` that exists as a file of the project but is not imported
 * by this module: the help that says how to import it. */
static char *module_file_of(const char *name) {
    if (!proj || !proj->root || name[0] < 'A' || name[0] > 'Z') return NULL;
    char *rel = project_find_module(proj->root, name);
    if (!rel || strcmp(proj->root, ".") == 0) return rel;
    size_t n = strlen(proj->root) + strlen(rel) + 2;
    char *full = xmalloc(n);
    snprintf(full, n, "%s/%s", proj->root, rel);
    free(rel);
    return full;
}

static bool help_import(Diag *d, const char *name) {
    char *file = module_file_of(name);
    if (!file) return false;
    diag_help(d, "`%s` is the module in %s: add `import %s` at the top of this file", name, file, name);
    free(file);
    return true;
}

static void undefined(Ctx *c, Node *n, const char *name, const char *what) {
    Diag *d = diag_new(DIAG_ERROR, "E0004", n->span, "undefined %s: %s", what, name);
    diag_primary(d, "not found in this scope");
    const char *familiar = hint_familiar(NULL, name);
    if (familiar) diag_help(d, "%s", familiar);
    else if (!help_import(d, name)) {
        const char *s = suggest_name(c, name);
        if (s) diag_help(d, "did you mean `%s`?", s);
    }
    diag_emit(d);
}

/* ---- module names -------------------------------------------------------------- */

static int lower(int ch) { return ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch; }

/* Edit distance ignoring case: `string.length` is close to `String`. */
static int edit_distance_nocase(const char *a, const char *b) {
    char la[41], lb[41];
    size_t i;
    for (i = 0; a[i] && i < 40; i++) la[i] = (char)lower((unsigned char)a[i]);
    la[i] = 0;
    for (i = 0; b[i] && i < 40; i++) lb[i] = (char)lower((unsigned char)b[i]);
    lb[i] = 0;
    return edit_distance(la, lb);
}

static void consider_module(Suggest *sg, const char *cand) {
    if (!cand || strcmp(cand, sg->target) == 0) return;
    int d = edit_distance_nocase(sg->target, cand);
    size_t lt = strlen(sg->target);
    int limit = lt <= 3 ? 1 : lt <= 6 ? 2 : 3;
    if (d <= limit && (d < sg->dist || (d == sg->dist && sg->best && strcmp(cand, sg->best) < 0))) {
        sg->dist = d;
        sg->best = cand;
    }
}

/* The closest module name: the standard library's, this module's imports
 * and the modules of the project directory (its top level). */
static const char *suggest_module(Ctx *c, const char *name, char **owned) {
    Suggest sg = {NULL, 99, name};
    *owned = NULL;
    for (unsigned i = 0, n = stdlib_count(); i < n; i++)
        if (stdlib_at(i)->module[0]) consider_module(&sg, stdlib_at(i)->module);
    for (uint32_t i = 0; i < c->ms->modules.cap; i++)
        if (c->ms->modules.keys[i]) consider_module(&sg, c->ms->modules.keys[i]);
    char **files = proj && proj->root ? project_list_modules(proj->root) : NULL;
    for (char **f = files; f && *f; f++) consider_module(&sg, *f);
    if (sg.best) *owned = xstrdup(sg.best);
    for (char **f = files; f && *f; f++) free(*f);
    free(files);
    return *owned;
}

/* `Name.member` where Name is nothing in scope: say what a module name
 * would need (an import, a spelling, the Snow name of a familiar module). */
static void undefined_module(Ctx *c, Node *base, const char *member) {
    const char *name = base->name.id.id;
    if (table_get(&c->ms->unknown_modules, name)) return; /* one report per file is enough */
    table_put(&c->ms->unknown_modules, name, (Sym *)name);
    bool upper = name[0] >= 'A' && name[0] <= 'Z';
    Diag *d = diag_new(DIAG_ERROR, "E0004", base->span, "undefined %s: %s", upper ? "module" : "variable", name);
    const char *familiar = hint_familiar_module(name, member);
    if (help_import(d, name)) {
        diag_primary(d, "not imported in this file");
    } else if (familiar) {
        diag_primary(d, "no module with this name");
        diag_help(d, "%s", familiar);
    } else {
        diag_primary(d, upper ? "no module with this name" : "not found in this scope");
        char *owned;
        const char *sg = suggest_module(c, name, &owned);
        if (sg && stdlib_lookup(sg, member)) diag_help(d, "did you mean `%s.%s`?", sg, member);
        else if (sg) diag_help(d, "did you mean `%s`?", sg);
        else if (upper) {
            char *file = modname_file(name);
            diag_help(d, "a module `%s` would be the file %s beside the entry file, imported with `import %s`",
                      name, file, name);
            free(file);
        }
        free(owned);
    }
    diag_emit(d);
}

/* E0035: `name` of module m is not `pub`; the label shows its definition
 * in the module's file. */
static void private_item(Span at, Sym *s, Module *m, const char *how) {
    const char *file = src_get(m->file)->path;
    Diag *d = diag_new(DIAG_ERROR, "E0035", at, "private item cannot be %s", how);
    diag_primary(d, "`%s` is private in module `%s` (%s)", s->name, m->name, file);
    Node *def = s->kind == S_FN ? s->defs[0] : s->def;
    Span name_at = !def ? DIAG_NOSPAN
                 : def->kind == N_FN || def->kind == N_ACTOR ? def->fn.name.span
                 : def->kind == N_STRUCT || def->kind == N_SUMTYPE || def->kind == N_ALIAS ? def->tdef.name.span
                 : def->kind == N_INTERFACE ? def->iface.name.span
                 : def->span;
    diag_label(d, name_at, "defined here without `pub`");
    diag_help(d, "add `pub` to `%s` in %s to make it usable from other files", s->name, file);
    diag_emit(d);
}

/* ---- patterns ------------------------------------------------------------------ */

typedef struct Binds {
    const char **names;
    Sym **syms;
    Node **nodes;
    uint32_t n, cap;
} Binds;

static void binds_add(Binds *b, const char *name, Sym *s, Node *n) {
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 8;
        b->names = xrealloc(b->names, b->cap * sizeof *b->names);
        b->syms = xrealloc(b->syms, b->cap * sizeof *b->syms);
        b->nodes = xrealloc(b->nodes, b->cap * sizeof *b->nodes);
    }
    b->names[b->n] = name;
    b->syms[b->n] = s;
    b->nodes[b->n] = n;
    b->n++;
}

static void binds_free(Binds *b) {
    free(b->names);
    free(b->syms);
    free(b->nodes);
}

static int binds_find(const Binds *b, const char *name) {
    for (uint32_t i = 0; i < b->n; i++)
        if (b->names[i] == name) return (int)i;
    return -1;
}

static void resolve_type(Ctx *c, Node *t);
static void resolve_expr(Ctx *c, Node *n);
static void resolve_block(Ctx *c, Node *b, bool new_scope);

/* Resolve a constructor name visible from this module. */
static Sym *find_ctor(Ctx *c, const char *name) {
    Sym *s = lookup_value(c->mod, name);
    return (s && s->kind == S_CTOR) ? s : NULL;
}

/* Type.Variant / Module.Type / Module.Variant for qualified constructors. */
static Sym *find_qualified_ctor(Ctx *c, const char *qual, const char *name) {
    Sym *q = lookup_type(c->mod, qual);
    if (q && q->kind == S_SUMTYPE) {
        for (uint32_t i = 0; i < q->def->tdef.members.n; i++) {
            Node *v = q->def->tdef.members.v[i];
            if (v->variant.name.id == name) return v->sym;
        }
        return NULL;
    }
    Sym *m = lookup_module_name(c, qual);
    if (m && m->kind == S_MODULE) {
        Sym *s = mod_value(m->mod, name);
        if (s && s->kind == S_CTOR) return s;
    }
    return NULL;
}

static void bind_pattern(Ctx *c, Node *p, Binds *b, bool plain_param);

static void bind_name(Ctx *c, Node *p, const char *name, Binds *b, Sym **out) {
    if (binds_find(b, name) >= 0) {
        Diag *d = diag_new(DIAG_ERROR, "E0011", p->span, "identifier `%s` is bound more than once in the same pattern", name);
        diag_label(d, b->nodes[binds_find(b, name)]->span, "first bound here");
        diag_help(d, "use a different name, and compare them in a guard if they must be equal");
        diag_emit(d);
        *out = b->syms[binds_find(b, name)];
        return;
    }
    Sym *s = new_sym(S_LOCAL, name, p, c->mod);
    s->fn_node = c->fn_node;
    s->index = c->local_counter++;
    binds_add(b, name, s, p);
    *out = s;
}

static void bind_pattern(Ctx *c, Node *p, Binds *b, bool plain_param) {
    if (!p) return;
    if (depth_exhausted()) { depth_error(p->span); return; }
    switch (p->kind) {
    case P_WILD: break;
    case P_BIND: {
        const char *name = p->name.id.id;
        if (!plain_param) {
            Sym *ctor = find_ctor(c, name);
            if (ctor && ctor->def->variant.fields.n == 0) {
                Name nm = p->name.id;
                memset(&p->ctor, 0, sizeof p->ctor);
                p->kind = P_CTOR;
                p->ctor.name = nm;
                p->sym = ctor;
                ctor->used = true;
                break;
            }
        }
        bind_name(c, p, name, b, &p->sym);
        break;
    }
    case P_LIT: break;
    case P_CTOR: {
        Sym *s = p->ctor.qual.id ? find_qualified_ctor(c, p->ctor.qual.id, p->ctor.name.id)
                                 : find_ctor(c, p->ctor.name.id);
        if (!s) {
            Diag *d = diag_new(DIAG_ERROR, "E0010", p->span, "unknown variant: %s%s%s",
                               p->ctor.qual.id ? p->ctor.qual.id : "", p->ctor.qual.id ? "." : "", p->ctor.name.id);
            diag_primary(d, "no constructor with this name is in scope");
            Suggest sg = {NULL, 99, p->ctor.name.id};
            consider_table(&sg, &c->ms->items);
            consider_table(&sg, &c->ms->imported);
            if (prelude) consider_table(&sg, &((ModScope *)prelude->scope)->items);
            if (sg.best && find_ctor(c, sg.best)) diag_help(d, "did you mean `%s`?", sg.best);
            diag_emit(d);
        } else {
            s->used = true;
        }
        p->sym = s;
        for (uint32_t i = 0; i < p->ctor.args.n; i++) bind_pattern(c, p->ctor.args.v[i], b, false);
        break;
    }
    case P_TUPLE: case P_LIST:
        for (uint32_t i = 0; i < p->list.items.n; i++) bind_pattern(c, p->list.items.v[i], b, false);
        break;
    case P_CONS:
        bind_pattern(c, p->bin.lhs, b, false);
        bind_pattern(c, p->bin.rhs, b, false);
        break;
    case P_AS:
        bind_pattern(c, p->as_.pat, b, false);
        bind_name(c, p, p->as_.name.id, b, &p->sym);
        break;
    case P_OR: {
        /* every alternative must bind the same names, to the same symbols */
        Binds first = {0};
        bind_pattern(c, p->list.items.v[0], &first, false);
        for (uint32_t i = 1; i < p->list.items.n; i++) {
            Binds alt = {0};
            bind_pattern(c, p->list.items.v[i], &alt, false);
            bool same = alt.n == first.n;
            for (uint32_t k = 0; same && k < alt.n; k++) same = binds_find(&first, alt.names[k]) >= 0;
            if (!same) {
                char a[256] = "", bb[256] = "";
                for (uint32_t k = 0; k < first.n; k++) {
                    strncat(a, k ? ", " : "", sizeof a - strlen(a) - 1);
                    strncat(a, first.names[k], sizeof a - strlen(a) - 1);
                }
                for (uint32_t k = 0; k < alt.n; k++) {
                    strncat(bb, k ? ", " : "", sizeof bb - strlen(bb) - 1);
                    strncat(bb, alt.names[k], sizeof bb - strlen(bb) - 1);
                }
                Diag *d = diag_new(DIAG_ERROR, "E0011", p->list.items.v[i]->span,
                                   "or-pattern alternatives bind different variables: [%s] vs [%s]", a, bb);
                diag_label(d, p->list.items.v[0]->span, "first alternative");
                diag_help(d, "every alternative of `|` must bind the same names");
                diag_emit(d);
            } else {
                /* re-point the alternative's binders at the first alternative's symbols */
                for (uint32_t k = 0; k < alt.n; k++) {
                    Sym *target = first.syms[binds_find(&first, alt.names[k])];
                    alt.nodes[k]->sym = target;
                }
            }
            binds_free(&alt);
        }
        for (uint32_t k = 0; k < first.n; k++) {
            if (binds_find(b, first.names[k]) >= 0) {
                Diag *d = diag_new(DIAG_ERROR, "E0011", first.nodes[k]->span,
                                   "identifier `%s` is bound more than once in the same pattern", first.names[k]);
                diag_emit(d);
                continue;
            }
            binds_add(b, first.names[k], first.syms[k], first.nodes[k]);
        }
        binds_free(&first);
        break;
    }
    case N_NONE: break;
    default: break;
    }
    if (p->ann) resolve_type(c, p->ann);
}

/* Bind a pattern and bring its names into scope. */
static void declare_pattern(Ctx *c, Node *p, bool plain_param) {
    Binds b = {0};
    bind_pattern(c, p, &b, plain_param);
    for (uint32_t i = 0; i < b.n; i++) push_local(c, b.names[i], b.syms[i]);
    binds_free(&b);
}

/* ---- types ------------------------------------------------------------------------ */

static void resolve_type(Ctx *c, Node *t) {
    if (!t) return;
    if (depth_exhausted()) { depth_error(t->span); return; }
    switch (t->kind) {
    case TY_NAME: {
        const char *path = t->tname.path.id;
        Sym *s = NULL;
        if (strchr(path, '.')) {
            /* Module.Type */
            const char *dot = strrchr(path, '.');
            const char *modpart = ast_intern(path, (size_t)(dot - path));
            const char *tname = I(dot + 1);
            Sym *m = lookup_module_name(c, modpart);
            if (!m) {
                /* maybe the full dotted module name */
                for (uint32_t i = 0; i < c->ms->modules.cap; i++) {
                    Sym *ms = c->ms->modules.vals[i];
                    if (c->ms->modules.keys[i] && ms && ms->mod && ms->mod->name == modpart)
                        m = mark_used(c->ms, c->ms->modules.keys[i], ms);
                }
            }
            if (m && m->kind == S_MODULE) s = mod_type(m->mod, tname);
            if (s && !(s->kind == S_STRUCT || s->kind == S_SUMTYPE || s->kind == S_ALIAS || s->kind == S_INTERFACE))
                s = NULL;
        } else {
            s = find_tvar(c, path);
            if (!s) s = lookup_type(c->mod, path);
            if (!s) s = builtin_type_sym(path);
            if (!s && c->implicit_tvars && path[0] >= 'A' && path[0] <= 'Z' && path[1] == 0) {
                /* an undeclared single capital letter is a type variable */
                Node *g = ast_node(N_NAME, t->span);
                g->name.id = t->tname.path;
                s = new_sym(S_TYPEVAR, path, g, c->mod);
                s->fn_node = c->tvar_owner;
                s->index = 1000 + c->ntvars;
                g->sym = s;
                push_tvar(c, path, s);
            }
        }
        if (!s) {
            Diag *d = diag_new(DIAG_ERROR, "E0004", t->tname.path.span, "undefined type: %s", path);
            diag_primary(d, "no type with this name is in scope");
            Suggest sg = {NULL, 99, path};
            for (int i = 0; builtin_types[i]; i++) consider(&sg, I(builtin_types[i]));
            consider_table(&sg, &c->ms->types);
            consider_table(&sg, &c->ms->timported);
            if (prelude) consider_table(&sg, &((ModScope *)prelude->scope)->types);
            if (sg.best) diag_help(d, "did you mean `%s`?", sg.best);
            diag_emit(d);
        } else {
            s->used = true;
        }
        t->sym = s;
        for (uint32_t i = 0; i < t->tname.args.n; i++) resolve_type(c, t->tname.args.v[i]);
        break;
    }
    case TY_TUPLE:
        for (uint32_t i = 0; i < t->list.items.n; i++) resolve_type(c, t->list.items.v[i]);
        break;
    case TY_FUN:
        for (uint32_t i = 0; i < t->tfun.params.n; i++) resolve_type(c, t->tfun.params.v[i]);
        resolve_type(c, t->tfun.ret);
        break;
    default: break;
    }
}

static void resolve_where(Ctx *c, NodeList where) {
    for (uint32_t i = 0; i < where.n; i++) {
        Node *b = where.v[i];
        Sym *tv = find_tvar(c, b->bin.lhs->name.id.id);
        if (!tv) {
            Diag *d = diag_new(DIAG_ERROR, "E0004", b->bin.lhs->span, "undefined type parameter: %s",
                               b->bin.lhs->name.id.id);
            diag_help(d, "declare it in the generic list, e.g. `fn f<%s>(x :: %s)`", b->bin.lhs->name.id.id,
                      b->bin.lhs->name.id.id);
            diag_emit(d);
        }
        b->bin.lhs->sym = tv;
        Sym *tr = lookup_type(c->mod, b->bin.rhs->name.id.id);
        if (!tr || tr->kind != S_INTERFACE) {
            if (strcmp(b->bin.rhs->name.id.id, "Num") == 0) tr = NULL; /* built-in numeric bound */
            else {
                Diag *d = diag_new(DIAG_ERROR, "E0004", b->bin.rhs->span, "undefined interface: %s",
                                   b->bin.rhs->name.id.id);
                diag_emit(d);
                tr = NULL;
            }
        }
        b->bin.rhs->sym = tr;
    }
}

/* ---- functions -------------------------------------------------------------------- */

typedef struct FnSave {
    Node *fn_node;
    uint32_t nlocals, ntvars, local_counter;
    int loop_depth;
    bool in_actor, in_process, implicit_tvars;
    Node *tvar_owner;
} FnSave;

static FnSave enter_fn(Ctx *c, Node *fn, bool actor) {
    FnSave s = {c->fn_node, c->nlocals, c->ntvars, c->local_counter, c->loop_depth, c->in_actor,
                c->in_process, c->implicit_tvars, c->tvar_owner};
    c->fn_node = fn;
    c->loop_depth = 0;
    c->local_counter = 0;
    if (actor) c->in_actor = true;
    if (fn && fn->kind == N_FN && (fn->flags & NF_PROCESS)) c->in_actor = c->in_process = true;
    return s;
}

static void leave_fn(Ctx *c, FnSave s) {
    c->fn_node = s.fn_node;
    c->nlocals = s.nlocals;
    c->ntvars = s.ntvars;
    c->local_counter = s.local_counter;
    c->loop_depth = s.loop_depth;
    c->in_actor = s.in_actor;
    c->in_process = s.in_process;
    c->implicit_tvars = s.implicit_tvars;
    c->tvar_owner = s.tvar_owner;
}

/* A named function clause (top-level, nested, method, service init). */
static void resolve_fn_clause(Ctx *c, Node *fn) {
    FnSave sv = enter_fn(c, fn, false);
    c->implicit_tvars = true;
    c->tvar_owner = fn;
    declare_generics(c, fn->fn.generics, fn);
    bool saved_no_unused = c->no_unused;
    c->no_unused = !fn->fn.body; /* a signature's parameters only name the types */
    for (uint32_t i = 0; i < fn->fn.params.n; i++) declare_pattern(c, fn->fn.params.v[i], true);
    c->no_unused = saved_no_unused;
    resolve_type(c, fn->fn.ret);
    if (fn->flags & NF_PROCESS) resolve_type(c, fn->ann); /* the REPL's message type */
    resolve_where(c, fn->fn.where);
    if (fn->fn.guard) resolve_expr(c, fn->fn.guard);
    if (fn->fn.body) {
        if (fn->fn.body->kind == N_BLOCK) resolve_block(c, fn->fn.body, true);
        else resolve_expr(c, fn->fn.body);
    }
    fn->sym = fn->sym; /* set by the caller (group symbol) */
    end_scope(c, sv.nlocals, fn); /* parameters: this clause only */
    leave_fn(c, sv);
}

static bool is_catch_all(Node *fn) {
    if (fn->fn.guard) return false;
    for (uint32_t i = 0; i < fn->fn.params.n; i++) {
        Node *p = fn->fn.params.v[i];
        if (p->kind != P_BIND && p->kind != P_WILD) return false;
    }
    return true;
}

static bool is_plain_fn(Node *fn) { return is_catch_all(fn); }

/* Group the N_FN items of a statement list into S_FN symbols: consecutive
 * clauses with the same name and arity form one function. Reports
 * E0022/E0023/E0024/W0002. Calls `declare` for each new symbol. */
typedef void (*DeclareFn)(Ctx *c, Sym *s, Node *first);

static void group_functions(Ctx *c, NodeList items, DeclareFn declare) {
    Sym *prev = NULL;     /* the group the previous item belongs to */
    Node *prev_item = NULL;
    /* remember every group by name+arity for E0023 */
    Table seen = {0};
    for (uint32_t i = 0; i < items.n; i++) {
        Node *it = items.v[i];
        if (it->kind != N_FN) { prev = NULL; prev_item = it; continue; }
        const char *name = it->fn.name.id;
        uint32_t arity = it->fn.params.n;
        if (prev && prev->name == name && prev_item && prev_item->kind == N_FN && prev->arity == arity) {
            /* another clause */
            Node **nd = ast_alloc((prev->ndefs + 1) * sizeof(Node *));
            memcpy(nd, prev->defs, prev->ndefs * sizeof(Node *));
            nd[prev->ndefs++] = it;
            prev->defs = nd;
            it->sym = prev;
            Node *first = prev->defs[0];
            if (is_catch_all(prev->defs[prev->ndefs - 2])) {
                Node *ca = prev->defs[prev->ndefs - 2];
                Diag *d = diag_new(DIAG_ERROR, "E0022", ca->span,
                                   "catch-all clause must be the last clause of function `%s/%u`", name, arity);
                diag_primary(d, "this clause matches every argument");
                diag_label(d, it->fn.name.span, "so this later clause can never run");
                diag_help(d, "move the catch-all clause after the more specific ones");
                diag_emit(d);
            }
            const char *what = NULL;
            if (it->flags & NF_PUB) what = "visibility";
            else if (it->fn.generics.n) what = "generic parameters";
            else if (it->fn.ret) what = "return type annotation";
            else if (it->fn.where.n) what = "where clause";
            if (what) {
                Diag *d = diag_new(DIAG_WARNING, "W0002", it->fn.name.span, "%s on non-first clause of `%s` will be ignored",
                                   what, name);
                diag_label(d, first->fn.name.span, "first clause");
                diag_help(d, "put it on the first clause only");
                diag_emit(d);
            }
            prev_item = it;
            continue;
        }
        if (prev && prev->name == name && prev_item && prev_item->kind == N_FN && prev->arity != arity &&
            (prev->ndefs > 1 || !is_plain_fn(prev->defs[0]) || !is_plain_fn(it))) {
            Diag *d = diag_new(DIAG_ERROR, "E0024", it->fn.name.span,
                               "all clauses of `%s` must have the same number of parameters; expected %u, found %u",
                               name, prev->arity, arity);
            diag_label(d, prev->defs[0]->fn.name.span, "first clause has %u", prev->arity);
            diag_emit(d);
        }
        char key[300];
        snprintf(key, sizeof key, "%s/%u", name, arity);
        const char *k = I(key);
        Sym *earlier = table_get(&seen, k);
        if (earlier) {
            Diag *d = diag_new(DIAG_ERROR, "E0023", it->fn.name.span,
                               "function `%s/%u` already defined; multi-clause functions must have consecutive clauses",
                               name, arity);
            diag_label(d, earlier->defs[0]->fn.name.span, "first defined here");
            diag_help(d, "move this clause next to the others, or rename it");
            diag_emit(d);
        }
        Sym *s = new_sym(S_FN, name, it, c->mod);
        s->defs = ast_alloc(sizeof(Node *));
        s->defs[0] = it;
        s->ndefs = 1;
        s->arity = arity;
        s->is_pub = (it->flags & NF_PUB) != 0;
        it->sym = s;
        if (!earlier) table_put(&seen, k, s);
        if (declare) declare(c, s, it);
        prev = s;
        prev_item = it;
    }
    table_free(&seen);
}

/* ---- expressions ----------------------------------------------------------------- */

static Sym *resolve_static(Ctx *c, Node *n); /* qualified entities */

static void resolve_list(Ctx *c, NodeList l) {
    for (uint32_t i = 0; i < l.n; i++) resolve_expr(c, l.v[i]);
}

static void resolve_closure(Ctx *c, Node *n) {
    for (uint32_t i = 0; i < n->closure.clauses.n; i++) {
        Node *cl = n->closure.clauses.v[i];
        FnSave sv = enter_fn(c, cl, false);
        c->local_counter = sv.local_counter; /* locals numbered per outer function is fine */
        for (uint32_t k = 0; k < cl->clause.params.n; k++) declare_pattern(c, cl->clause.params.v[k], false);
        if (cl->clause.guard) resolve_expr(c, cl->clause.guard);
        if (cl->clause.body) {
            if (cl->clause.body->kind == N_BLOCK) resolve_block(c, cl->clause.body, true);
            else resolve_expr(c, cl->clause.body);
        }
        end_scope(c, sv.nlocals, cl);
        leave_fn(c, sv);
    }
}

static void resolve_arm(Ctx *c, Node *arm) {
    uint32_t mark = c->nlocals;
    declare_pattern(c, arm->arm.pat, false);
    if (arm->arm.guard) resolve_expr(c, arm->arm.guard);
    resolve_expr(c, arm->arm.body);
    end_scope(c, mark, arm);
}

static bool refers_to_itself(const Sym *f, const Node *n) {
    for (uint32_t i = 0; i < f->ndefs; i++) {
        Span d = f->defs[i]->span;
        if (d.file == n->span.file && n->span.off >= d.off && n->span.off < d.off + d.len) return true;
    }
    return false;
}

static void resolve_name(Ctx *c, Node *n) {
    const char *name = n->name.id.id;
    Sym *s = find_local(c, name);
    if (!s) s = lookup_value(c->mod, name);
    if (s && s->kind == S_BUILTIN && s->builtin && (((const StdFn *)s->builtin)->flags & SF_PROCESS_BODY) &&
        !c->in_process)
        s = NULL; /* flush() exists at the REPL's prompt only (decision 33) */
    if (!s) s = lookup_type(c->mod, name); /* a type used as a value: reported later */
    if (!s) {
        if (name[0] == '_' && name[1] == 0) {
            Diag *d = diag_new(DIAG_ERROR, "E0004", n->span, "`_` cannot be used as a value");
            diag_primary(d, "`_` only ignores a value in patterns");
            diag_emit(d);
            return;
        }
        undefined(c, n, name, "variable");
        return;
    }
    if (s->kind == S_STRUCT || s->kind == S_SUMTYPE || s->kind == S_ALIAS || s->kind == S_INTERFACE ||
        s->kind == S_BUILTIN_TYPE) {
        /* a type used as a value: only meaningful as Type.x (handled by the caller) */
    }
    /* same name, different arity: the definition in force at this point of
     * the file (the latest one before the use; the first one for a forward
     * reference) */
    if (s->kind == S_FN && s->owner && s->mod == c->mod && n->span.file == s->defs[0]->span.file) {
        Sym *pick = NULL, *first = s;
        for (Sym *o = s; o; o = o->owner) {
            first = o;
            if (o->defs[0]->span.off < n->span.off && !pick) pick = o;
        }
        s = pick ? pick : first;
    }
    if (!(s->kind == S_FN && refers_to_itself(s, n))) s->used = true; /* recursion is not a use */
    n->sym = s;
}

/* For N_NAME / N_FIELDACC chains that denote modules, types or services. */
static Sym *resolve_static(Ctx *c, Node *n) {
    if (depth_exhausted()) { depth_error(n->span); return NULL; }
    if (n->kind == N_NAME) {
        const char *name = n->name.id.id;
        if (find_local(c, name)) return NULL;
        Sym *s = lookup_value(c->mod, name);
        if (s && s->kind == S_SERVICE) {
            n->sym = s;
            s->used = true;
            return s;
        }
        s = lookup_type(c->mod, name);
        if (s && (s->kind == S_STRUCT || s->kind == S_SUMTYPE || s->kind == S_INTERFACE)) {
            n->sym = s;
            s->used = true;
            return s;
        }
        Sym *m = lookup_module_name(c, name);
        if (m) {
            n->sym = m;
            return m;
        }
        return NULL;
    }
    if (n->kind == N_FIELDACC) {
        Sym *base = resolve_static(c, n->field_acc.base);
        if (!base || base->kind != S_MODULE) return NULL;
        Sym *s = mod_value(base->mod, n->field_acc.name.id);
        if (!s || s->kind != S_SERVICE) s = mod_type(base->mod, n->field_acc.name.id);
        if (s && (s->kind == S_STRUCT || s->kind == S_SUMTYPE || s->kind == S_SERVICE)) {
            n->sym = s;
            return s;
        }
    }
    return NULL;
}

/* Decision 27: after `import Point`, `Point.origin()` is the module's
 * function even though the module also makes its struct `Point` visible. */
static Sym *imported_module_with(Ctx *c, Node *base, const char *name) {
    if (base->kind != N_NAME || find_local(c, base->name.id.id)) return NULL;
    Sym *m = table_get(&c->ms->modules, base->name.id.id);
    if (!m || m->kind != S_MODULE || !lookup_in_module_items(m->mod, name)) return NULL;
    base->sym = mark_used(c->ms, base->name.id.id, m);
    return m;
}

static void resolve_fieldacc(Ctx *c, Node *n) {
    Node *base = n->field_acc.base;
    const char *name = n->field_acc.name.id;
    Sym *bs = imported_module_with(c, base, name);
    if (!bs) bs = resolve_static(c, base);
    if (!bs) {
        if (base->kind == N_NAME && !find_local(c, base->name.id.id) && !lookup_value(c->mod, base->name.id.id) &&
            !lookup_type(c->mod, base->name.id.id) && strcmp(base->name.id.id, "_") != 0) {
            undefined_module(c, base, name);
            return;
        }
        resolve_expr(c, base);
        return;
    }
    switch (bs->kind) {
    case S_MODULE: {
        Module *m = bs->mod;
        Sym *s = lookup_in_module_items(m, name);
        if (!s || s->kind == S_CTOR) {
            if (s && s->kind == S_CTOR) { n->sym = s; s->used = true; return; }
            Diag *d = diag_new(DIAG_ERROR, "E0004", n->field_acc.name.span, "undefined: %s.%s", bs->name, name);
            diag_primary(d, "module `%s` has no item named `%s`", m->name, name);
            Suggest sg = {NULL, 99, name};
            consider_table(&sg, &((ModScope *)m->scope)->items);
            if (sg.best) diag_help(d, "did you mean `%s.%s`?", bs->name, sg.best);
            diag_emit(d);
            return;
        }
        if (!s->is_pub && s->kind != S_CTOR) private_item(n->field_acc.name.span, s, m, "accessed");
        s->used = true;
        n->sym = s;
        return;
    }
    case S_STDMOD: {
        const StdFn *f = stdlib_lookup(bs->name, name);
        if (!f) {
            Diag *d = diag_new(DIAG_ERROR, "E0004", n->field_acc.name.span, "undefined: %s.%s", bs->name, name);
            diag_primary(d, "the %s module has no function `%s`", bs->name, name);
            const char *familiar = hint_familiar(bs->name, name);
            Suggest sg = {NULL, 99, name};
            for (const StdFn *g = stdlib_next_in_module(bs->name, NULL); g; g = stdlib_next_in_module(bs->name, g))
                consider(&sg, I(g->name));
            if (familiar) diag_help(d, "%s", familiar);
            else if (sg.best) diag_help(d, "did you mean `%s.%s`?", bs->name, sg.best);
            help_import(d, bs->name);
            diag_emit(d);
            return;
        }
        n->sym = builtin_fn_sym(f);
        return;
    }
    case S_SUMTYPE: {
        for (uint32_t i = 0; i < bs->def->tdef.members.n; i++) {
            Node *v = bs->def->tdef.members.v[i];
            if (v->variant.name.id == name) {
                n->sym = v->sym;
                v->sym->used = true;
                return;
            }
        }
        if (strcmp(name, "from_json") == 0 || strcmp(name, "from_row") == 0) { n->sym = bs; return; }
        Diag *d = diag_new(DIAG_ERROR, "E0010", n->field_acc.name.span, "unknown variant: %s.%s", bs->name, name);
        diag_primary(d, "`%s` has no variant `%s`", bs->name, name);
        diag_emit(d);
        return;
    }
    case S_STRUCT:
        if (strcmp(name, "from_json") == 0 || strcmp(name, "from_row") == 0) { n->sym = bs; return; }
        {
            Diag *d = diag_new(DIAG_ERROR, "E0009", n->field_acc.name.span, "`%s` is a struct type, not a value",
                               bs->name);
            diag_primary(d, "no associated function `%s`", name);
            diag_help(d, "build a value with `%s { field: value }`", bs->name);
            diag_emit(d);
        }
        return;
    case S_SERVICE:
        n->sym = bs;
        return;
    case S_INTERFACE:
        n->sym = bs; /* Trait.method(value): qualified method call (E0027 help) */
        return;
    default:
        resolve_expr(c, base);
        return;
    }
}

static void resolve_expr(Ctx *c, Node *n) {
    if (!n) return;
    if (depth_exhausted()) { depth_error(n->span); return; }
    switch (n->kind) {
    case N_INT: case N_FLOAT: case N_STRING: case N_BOOL: case N_UNIT: case N_NONE:
        break;
    case N_INTERP: case N_TUPLE: case N_LIST: case N_MAPLIT:
        resolve_list(c, n->list.items);
        break;
    case N_NAME: resolve_name(c, n); break;
    case N_SELF: {
        Sym *s = find_local(c, ast_intern("self", 4));
        n->sym = s;
        break;
    }
    case N_BINOP: { /* a chain in a loop, operands left to right */
        AstSpine sp;
        ast_binop_spine(&sp, n);
        resolve_expr(c, sp.v[sp.n - 1]->bin.lhs);
        for (uint32_t i = sp.n; i-- > 0;) resolve_expr(c, sp.v[i]->bin.rhs);
        ast_spine_free(&sp);
        break;
    }
    case N_INDEX:
        resolve_expr(c, n->bin.lhs);
        resolve_expr(c, n->bin.rhs);
        break;
    case N_UNOP: case N_TRY:
        resolve_expr(c, n->un.operand);
        break;
    case N_RETURN:
        resolve_expr(c, n->un.operand);
        break;
    case N_CALL:
        if (ast_pipe_link(n) && ast_pipe_link(n->call.args.v[0])) {
            /* x |> f |> g ...: a loop from the first value outwards */
            AstSpine sp;
            ast_pipe_spine(&sp, n);
            resolve_expr(c, sp.v[sp.n - 1]->call.args.v[0]);
            for (uint32_t i = sp.n; i-- > 0;) {
                Node *k = sp.v[i];
                resolve_expr(c, k->call.callee);
                for (uint32_t a = 1; a < k->call.args.n; a++) resolve_expr(c, k->call.args.v[a]);
            }
            ast_spine_free(&sp);
            break;
        }
        resolve_expr(c, n->call.callee);
        resolve_list(c, n->call.args);
        break;
    case N_FIELDACC: resolve_fieldacc(c, n); break;
    case N_STRUCTLIT: {
        Node *t = n->slit.type;
        Sym *s = resolve_static(c, t);
        if (!s) {
            if (t->kind == N_NAME) {
                s = lookup_type(c->mod, t->name.id.id);
                if (!s || s->kind != S_STRUCT) {
                    Diag *d = diag_new(DIAG_ERROR, "E0004", t->span, "undefined struct: %s", t->name.id.id);
                    diag_primary(d, "no struct with this name is in scope");
                    const char *sg = suggest_name(c, t->name.id.id);
                    if (sg) diag_help(d, "did you mean `%s`?", sg);
                    diag_emit(d);
                    s = NULL;
                }
            } else {
                Diag *d = diag_new(DIAG_ERROR, "E0004", t->span, "undefined struct");
                diag_emit(d);
            }
        } else if (s->kind != S_STRUCT) {
            Diag *d = diag_new(DIAG_ERROR, "E0009", t->span, "`%s` is not a struct", s->name);
            diag_emit(d);
            s = NULL;
        }
        t->sym = s;
        if (s) s->used = true;
        for (uint32_t i = 0; i < n->slit.fields.n; i++) resolve_expr(c, n->slit.fields.v[i]->field_init.value);
        break;
    }
    case N_FIELDINIT: resolve_expr(c, n->field_init.value); break;
    case N_IF:
        resolve_expr(c, n->if_.cond);
        resolve_block(c, n->if_.then, true);
        if (n->if_.els) {
            if (n->if_.els->kind == N_IF) resolve_expr(c, n->if_.els);
            else resolve_block(c, n->if_.els, true);
        }
        break;
    case N_CASE:
        resolve_expr(c, n->case_.scrut);
        for (uint32_t i = 0; i < n->case_.arms.n; i++) resolve_arm(c, n->case_.arms.v[i]);
        break;
    case N_CLOSURE: resolve_closure(c, n); break;
    case N_WHILE:
        resolve_expr(c, n->loop.cond);
        c->loop_depth++;
        resolve_block(c, n->loop.body, true);
        c->loop_depth--;
        break;
    case N_FOR: {
        resolve_expr(c, n->for_.iter);
        uint32_t mark = c->nlocals;
        Binds b = {0};
        bind_pattern(c, n->for_.var, &b, false);
        if (n->for_.var2) bind_pattern(c, n->for_.var2, &b, false);
        for (uint32_t i = 0; i < b.n; i++) push_local(c, b.names[i], b.syms[i]);
        binds_free(&b);
        if (n->for_.filter) resolve_expr(c, n->for_.filter);
        c->loop_depth++;
        resolve_block(c, n->for_.body, true);
        c->loop_depth--;
        end_scope(c, mark, n);
        break;
    }
    case N_BREAK: case N_CONTINUE:
        if (c->loop_depth == 0) {
            bool brk = n->kind == N_BREAK;
            Diag *d = diag_new(DIAG_ERROR, brk ? "E0032" : "E0033", n->span, "`%s` outside of loop",
                               brk ? "break" : "continue");
            diag_primary(d, "not inside a `while` or `for` loop");
            if (c->fn_node && c->fn_node->kind == N_CLAUSE)
                diag_note(d, "a closure is a separate function: `%s` cannot leave a loop around it",
                          brk ? "break" : "continue");
            diag_emit(d);
        }
        break;
    case N_BLOCK: resolve_block(c, n, true); break;
    case N_SPAWN: case N_SEND: case N_LINK:
        resolve_list(c, n->list.items);
        break;
    case N_SELFCALL:
        if (!c->in_actor) {
            Diag *d = diag_new(DIAG_ERROR, "E0015", n->span, "self() used outside actor block");
            diag_primary(d, "only code inside an `actor ... end` block has a `self()`");
            diag_help(d, "pass the pid in as an argument, or move this code into the actor");
            diag_emit(d);
        }
        break;
    case N_RECEIVE:
        if (!c->in_actor) {
            Diag *d = diag_new(DIAG_ERROR, "E0017", n->span, "receive used outside actor block");
            diag_primary(d, "only code inside an `actor ... end` block can receive messages");
            diag_help(d, "define an `actor` that receives, and `spawn` it");
            diag_emit(d);
        }
        for (uint32_t i = 0; i < n->recv.arms.n; i++) resolve_arm(c, n->recv.arms.v[i]);
        resolve_expr(c, n->recv.after_ms);
        resolve_expr(c, n->recv.after_body);
        break;
    case N_LET: {
        resolve_expr(c, n->let.value);
        resolve_type(c, n->let.ann);
        uint32_t first = c->nlocals;
        declare_pattern(c, n->let.pat, false);
        /* bound once the whole statement has run */
        for (uint32_t i = first; i < c->nlocals; i++)
            if (c->locals[i].sym->kind == S_LOCAL) c->locals[i].sym->vis_from = n->span.off + n->span.len;
        break;
    }
    default:
        /* items inside blocks are handled by resolve_block */
        break;
    }
}

/* Items allowed inside function bodies: nested named functions. */
static void declare_nested_fn(Ctx *c, Sym *s, Node *first) {
    (void)first;
    if (c->mod != prelude) symvec_push(&made_nested_fns, s);
    push_local(c, s->name, s);
}

static void resolve_block(Ctx *c, Node *b, bool new_scope) {
    if (!b) return;
    if (depth_exhausted()) { depth_error(b->span); return; }
    if (b->kind != N_BLOCK) { resolve_expr(c, b); return; }
    uint32_t mark = c->nlocals;
    NodeList items = b->list.items;
    /* nested named functions: group clauses; each group becomes visible from
     * its definition on (and inside itself, for recursion) */
    bool has_fn = false;
    for (uint32_t i = 0; i < items.n; i++)
        if (items.v[i]->kind == N_FN) has_fn = true;
    for (uint32_t i = 0; i < items.n; i++) {
        Node *it = items.v[i];
        if (it->kind == N_FN) {
            if (!has_fn) continue;
            /* group starting here */
            uint32_t j = i;
            while (j + 1 < items.n && items.v[j + 1]->kind == N_FN && items.v[j + 1]->fn.name.id == it->fn.name.id &&
                   items.v[j + 1]->fn.params.n == it->fn.params.n)
                j++;
            NodeList sub = {items.v + i, j - i + 1};
            group_functions(c, sub, declare_nested_fn);
            for (uint32_t k = i; k <= j; k++) {
                Sym *s = items.v[k]->sym;
                s->fn_node = c->fn_node;
                resolve_fn_clause(c, items.v[k]);
            }
            i = j;
            continue;
        }
        switch (it->kind) {
        case N_STRUCT: case N_SUMTYPE: case N_ALIAS: case N_INTERFACE: case N_IMPL: case N_ACTOR: case N_SERVICE:
        case N_SUPERVISOR: case N_IMPORT: case N_FROM_IMPORT: {
            Diag *d = diag_new(DIAG_ERROR, NULL, it->span, "this definition must be at the top level of a file");
            diag_help(d, "move it out of the function body");
            diag_emit(d);
            break;
        }
        case N_MODULE: {
            Diag *d = diag_new(DIAG_ERROR, NULL, it->span, "inline `module` blocks are not supported");
            diag_help(d, "put the module in its own file: `%s.snow` becomes module `%s`", it->module_def.name.id,
                      it->module_def.name.id);
            diag_emit(d);
            break;
        }
        default: resolve_expr(c, it); break;
        }
    }
    if (new_scope) end_scope(c, mark, b);
}

/* ---- top level ------------------------------------------------------------------ */

static bool is_type_sym(const Sym *s) {
    return s->kind == S_STRUCT || s->kind == S_SUMTYPE || s->kind == S_ALIAS || s->kind == S_INTERFACE;
}

static void declare_item(Ctx *c, const char *name, Sym *s, Span where) {
    ModScope *ms = c->ms;
    Table *tab = is_type_sym(s) ? &ms->types : &ms->items;
    Sym *old = table_get(tab, name);
    if (old) {
        /* same name, different arity: the later definition wins for code after it */
        if (old->kind == S_FN && s->kind == S_FN && old->arity != s->arity) {
            s->owner = old; /* chain of overloads by position, see resolve_name */
            table_put(tab, name, s);
            return;
        }
        if (old->kind == S_FN && s->kind == S_FN) return; /* E0023 reported by grouping */
        /* report at the later of the two definitions */
        Sym *first = old, *second = s;
        if (old->def && s->def && old->def->span.off > s->def->span.off) { first = s; second = old; }
        Span at = second == s ? where : (second->def ? second->def->span : where);
        Diag *d = diag_new(DIAG_ERROR, NULL, at, "`%s` is defined more than once", name);
        diag_primary(d, "redefined here");
        if (first->def) diag_label(d, first->def->span, "first defined here");
        diag_help(d, "rename one of them");
        diag_emit(d);
        return;
    }
    table_put(tab, name, s);
}

static void declare_top_fn(Ctx *c, Sym *s, Node *first) {
    declare_item(c, s->name, s, first->fn.name.span);
}

static void collect_items(Ctx *c, Module *m) {
    NodeList items = m->root->list.items;
    group_functions(c, items, declare_top_fn);
    for (uint32_t i = 0; i < items.n; i++) {
        Node *it = items.v[i];
        Sym *s = NULL;
        switch (it->kind) {
        case N_STRUCT:
            s = new_sym(S_STRUCT, it->tdef.name.id, it, m);
            break;
        case N_SUMTYPE: {
            s = new_sym(S_SUMTYPE, it->tdef.name.id, it, m);
            for (uint32_t k = 0; k < it->tdef.members.n; k++) {
                Node *v = it->tdef.members.v[k];
                Sym *cs = new_sym(S_CTOR, v->variant.name.id, v, m);
                cs->owner = s;
                cs->index = k;
                cs->arity = v->variant.fields.n;
                cs->is_pub = (it->flags & NF_PUB) != 0;
                v->sym = cs;
                Sym *old = table_get(&c->ms->items, cs->name);
                if (old && old->kind == S_CTOR) {
                    Diag *d = diag_new(DIAG_ERROR, NULL, v->variant.name.span,
                                       "variant `%s` is defined by two types: `%s` and `%s`", cs->name,
                                       old->owner->name, s->name);
                    diag_label(d, old->def->span, "also defined here");
                    diag_help(d, "rename one variant (variant names are shared by the whole module)");
                    diag_emit(d);
                } else {
                    declare_item(c, cs->name, cs, v->variant.name.span);
                }
            }
            break;
        }
        case N_ALIAS: s = new_sym(S_ALIAS, it->tdef.name.id, it, m); break;
        case N_INTERFACE: {
            s = new_sym(S_INTERFACE, it->iface.name.id, it, m);
            break;
        }
        case N_ACTOR: s = new_sym(S_ACTOR, it->fn.name.id, it, m); s->arity = it->fn.params.n; break;
        case N_SERVICE: s = new_sym(S_SERVICE, it->service.name.id, it, m); break;
        case N_SUPERVISOR: s = new_sym(S_SUPERVISOR, it->sup.name.id, it, m); break;
        default: break;
        }
        if (s) {
            s->is_pub = (it->flags & NF_PUB) != 0;
            if (it->kind == N_ACTOR || it->kind == N_SERVICE) s->is_pub = true; /* usable across modules */
            it->sym = s;
            Span where = it->span;
            declare_item(c, s->name, s, where);
        }
    }
}

static void add_method_sym(Node *def, const char *name, Module *m) {
    Sym *s = table_get(&method_syms, name);
    if (s) return;
    s = new_sym(S_METHOD, name, def, m);
    s->is_pub = true;
    table_put(&method_syms, name, s);
    if (nall_methods == capall_methods) {
        capall_methods = capall_methods ? capall_methods * 2 : 16;
        all_methods = xrealloc(all_methods, capall_methods * sizeof *all_methods);
    }
    all_methods[nall_methods++] = s;
}

static void collect_methods(Module *m) {
    NodeList items = m->root->list.items;
    for (uint32_t i = 0; i < items.n; i++) {
        Node *it = items.v[i];
        if (it->kind == N_INTERFACE)
            for (uint32_t k = 0; k < it->iface.methods.n; k++)
                add_method_sym(it->iface.methods.v[k], it->iface.methods.v[k]->fn.name.id, m);
        if (it->kind == N_IMPL)
            for (uint32_t k = 0; k < it->impl.methods.n; k++)
                add_method_sym(it->impl.methods.v[k], it->impl.methods.v[k]->fn.name.id, m);
    }
}

static Module *find_module(const char *name) {
    for (uint32_t i = 0; i < proj->nmods; i++)
        if (proj->mods[i]->name == name) return proj->mods[i];
    return NULL;
}

static void add_import(Module *m, Module *dep) {
    for (uint32_t i = 0; i < m->nimports; i++)
        if (m->imports[i] == dep) return;
    Module **v = ast_alloc((m->nimports + 1) * sizeof *v);
    if (m->nimports) memcpy(v, m->imports, m->nimports * sizeof *v);
    v[m->nimports++] = dep;
    m->imports = v;
}

static void import_public_types(Ctx *c, Module *dep) {
    ModScope *ds = dep->scope;
    for (uint32_t i = 0; i < ds->types.cap; i++) {
        Sym *s = ds->types.vals[i];
        if (!ds->types.keys[i] || !s) continue;
        if ((s->kind == S_STRUCT || s->kind == S_SUMTYPE || s->kind == S_INTERFACE) && s->is_pub)
            if (!table_get(&c->ms->timported, s->name)) table_put(&c->ms->timported, s->name, s);
    }
    for (uint32_t i = 0; i < ds->items.cap; i++) {
        Sym *s = ds->items.vals[i];
        if (!ds->items.keys[i] || !s) continue;
        if (s->kind == S_CTOR && s->is_pub)
            if (!table_get(&c->ms->imported, s->name)) table_put(&c->ms->imported, s->name, s);
    }
}

static void process_imports(Ctx *c, Module *m) {
    NodeList items = m->root->list.items;
    for (uint32_t i = 0; i < items.n; i++) {
        Node *it = items.v[i];
        if (it->kind != N_IMPORT && it->kind != N_FROM_IMPORT) continue;
        const char *path = it->import.path.id;
        if (!path) continue;
        Module *dep = find_module(path);
        if (!dep) {
            if (stdlib_is_module(path)) {
                /* `import String` does nothing; `from String import length` binds */
                if (it->kind == N_FROM_IMPORT) {
                    record_import(m, it, NULL);
                    for (uint32_t k = 0; k < it->import.names.n; k++) {
                        Node *nm = it->import.names.v[k];
                        const StdFn *f = stdlib_lookup(path, nm->name.id.id);
                        if (!f) {
                            Diag *d = diag_new(DIAG_ERROR, "E0034", nm->span, "name not found in module");
                            diag_primary(d, "`%s` is not exported by module `%s`", nm->name.id.id, path);
                            diag_emit(d);
                            continue;
                        }
                        Sym *fs = builtin_fn_sym(f);
                        nm->sym = fs;
                        table_put(&c->ms->imported, nm->name.id.id, fs);
                    }
                }
                continue;
            }
            Diag *d = diag_new(DIAG_ERROR, "E0031", it->import.path.span, "module not found");
            diag_primary(d, "module `%s` not found", path);
            char *file = modname_file(path), *owned = NULL;
            const char *sg = strchr(path, '.') ? NULL : suggest_module(c, path, &owned);
            if (sg) diag_help(d, "did you mean `%s`?", sg);
            else
                diag_help(d, "`import %s` reads the file %s beside %s", path, file, src_get(proj->main->file)->path);
            free(file);
            free(owned);
            diag_emit(d);
            continue;
        }
        if (dep == m) {
            Diag *d = diag_new(DIAG_ERROR, NULL, it->span, "Module '%s' cannot import itself", m->name);
            diag_emit(d);
            continue;
        }
        add_import(m, dep);
        record_import(m, it, dep);
        Sym *ms = new_sym(S_MODULE, dep->short_name, it, m);
        ms->mod = dep;
        table_put(&c->ms->modules, dep->short_name, ms);
        import_public_types(c, dep);
        if (it->kind == N_FROM_IMPORT) {
            for (uint32_t k = 0; k < it->import.names.n; k++) {
                Node *nm = it->import.names.v[k];
                Sym *sv = mod_value(dep, nm->name.id.id);
                if (sv && sv->kind == S_CTOR) sv = NULL;
                Sym *st = mod_type(dep, nm->name.id.id);
                Sym *s = sv ? sv : st;
                if (!s) {
                    Diag *d = diag_new(DIAG_ERROR, "E0034", nm->span, "name not found in module");
                    diag_primary(d, "`%s` is not exported by module `%s`", nm->name.id.id, dep->name);
                    char exports[512] = "";
                    ModScope *ds = dep->scope;
                    for (int pass = 0; pass < 2; pass++) {
                        Table *t = pass ? &ds->types : &ds->items;
                        for (uint32_t q = 0; q < t->cap; q++) {
                            Sym *e = t->vals[q];
                            if (!t->keys[q] || !e || !e->is_pub || e->kind == S_CTOR) continue;
                            if (exports[0]) strncat(exports, ", ", sizeof exports - strlen(exports) - 1);
                            strncat(exports, e->name, sizeof exports - strlen(exports) - 1);
                        }
                    }
                    if (exports[0]) diag_note(d, "available exports: %s", exports);
                    diag_emit(d);
                    continue;
                }
                if (!s->is_pub) {
                    private_item(nm->span, s, dep, "imported");
                    continue;
                }
                nm->sym = s;
                if (sv && sv->is_pub) table_put(&c->ms->imported, sv->name, sv);
                if (st && st->is_pub) table_put(&c->ms->timported, st->name, st);
                if (st && st->kind == S_SUMTYPE)
                    for (uint32_t q = 0; q < st->def->tdef.members.n; q++) {
                        Sym *cs = st->def->tdef.members.v[q]->sym;
                        table_put(&c->ms->imported, cs->name, cs);
                    }
            }
        }
    }
}

/* Cycle detection and dependency order (DFS; ties alphabetical). */
static int cmp_mod(const void *a, const void *b) {
    return strcmp((*(Module *const *)a)->name, (*(Module *const *)b)->name);
}

static bool visit(Module *m, int *state, Module **stack, uint32_t depth) {
    uint32_t idx = 0;
    for (; idx < proj->nmods; idx++)
        if (proj->mods[idx] == m) break;
    if (state[idx] == 2) return true;
    if (state[idx] == 1) {
        /* report the cycle */
        char buf[1024] = "";
        uint32_t start = 0;
        for (uint32_t i = 0; i < depth; i++)
            if (stack[i] == m) start = i;
        for (uint32_t i = start; i < depth; i++) {
            strncat(buf, stack[i]->name, sizeof buf - strlen(buf) - 1);
            strncat(buf, " -> ", sizeof buf - strlen(buf) - 1);
        }
        strncat(buf, m->name, sizeof buf - strlen(buf) - 1);
        diag_error(DIAG_NOSPAN, NULL, "Circular dependency: %s", buf);
        return false;
    }
    state[idx] = 1;
    stack[depth] = m;
    Module **deps = xmalloc((m->nimports + 1) * sizeof *deps);
    if (m->nimports) memcpy(deps, m->imports, m->nimports * sizeof *deps);
    qsort(deps, m->nimports, sizeof *deps, cmp_mod);
    bool ok = true;
    for (uint32_t i = 0; i < m->nimports && ok; i++) ok = visit(deps[i], state, stack, depth + 1);
    free(deps);
    state[idx] = 2;
    order[norder++] = m;
    return ok;
}

static void init_builtins(void) {
    if (builtins_done) return;
    builtins_done = true;
    for (unsigned i = 0, n = stdlib_count(); i < n; i++) {
        const StdFn *f = stdlib_at(i);
        if (f->flags & SF_PRELUDE) {
            const char *k = I(f->name);
            if (!table_get(&builtin_syms, k)) table_put(&builtin_syms, k, builtin_fn_sym(f));
        }
        if (f->flags & SF_PREFIXED) {
            char buf[128];
            snprintf(buf, sizeof buf, "%s_%s", f->module, f->name);
            for (char *q = buf; *q && *q != '_'; q++) *q = (char)(*q >= 'A' && *q <= 'Z' ? *q - 'A' + 'a' : *q);
            table_put(&builtin_syms, I(buf), builtin_fn_sym(f));
        }
    }
}

static void resolve_module_bodies(Ctx *c, Module *m) {
    NodeList items = m->root->list.items;
    c->top_level = true;
    for (uint32_t i = 0; i < items.n; i++) {
        Node *it = items.v[i];
        c->nlocals = 0;
        c->ntvars = 0;
        c->fn_node = NULL;
        c->in_actor = c->in_process = false;
        c->loop_depth = 0;
        switch (it->kind) {
        case N_FN: resolve_fn_clause(c, it); break;
        case N_STRUCT: case N_SUMTYPE: case N_ALIAS:
            declare_generics(c, it->tdef.generics, it);
            if (it->kind == N_ALIAS) resolve_type(c, it->tdef.alias_of);
            for (uint32_t k = 0; k < it->tdef.members.n; k++) {
                Node *mem = it->tdef.members.v[k];
                if (mem->kind == N_FIELD) resolve_type(c, mem->field.type);
                else
                    for (uint32_t q = 0; q < mem->variant.fields.n; q++) resolve_type(c, mem->variant.fields.v[q]->field.type);
            }
            break;
        case N_INTERFACE:
            declare_generics(c, it->iface.generics, it);
            for (uint32_t k = 0; k < it->iface.methods.n; k++) {
                Node *meth = it->iface.methods.v[k];
                meth->sym = table_get(&method_syms, meth->fn.name.id);
                resolve_fn_clause(c, meth);
            }
            break;
        case N_IMPL: {
            Sym *tr = lookup_type(m, it->impl.trait.id);
            if (strchr(it->impl.trait.id, '.')) {
                const char *dot = strrchr(it->impl.trait.id, '.');
                Sym *mod = lookup_module_name(c, ast_intern(it->impl.trait.id, (size_t)(dot - it->impl.trait.id)));
                tr = mod && mod->kind == S_MODULE ? mod_type(mod->mod, I(dot + 1)) : NULL;
            }
            if (!tr || tr->kind != S_INTERFACE) {
                Diag *d = diag_new(DIAG_ERROR, "E0004", it->impl.trait.span, "undefined interface: %s", it->impl.trait.id);
                diag_primary(d, "no interface with this name is in scope");
                diag_emit(d);
                tr = NULL;
            }
            it->sym = tr;
            for (uint32_t k = 0; k < it->impl.trait_args.n; k++) resolve_type(c, it->impl.trait_args.v[k]);
            /* the target type */
            Node tmp;
            memset(&tmp, 0, sizeof tmp);
            tmp.kind = TY_NAME;
            tmp.span = it->impl.for_type.span;
            tmp.tname.path = it->impl.for_type;
            resolve_type(c, &tmp);
            it->aux = tmp.sym; /* the Sym of the implementing type */
            resolve_where(c, it->impl.where);
            for (uint32_t k = 0; k < it->impl.methods.n; k++) {
                Node *meth = it->impl.methods.v[k];
                meth->sym = table_get(&method_syms, meth->fn.name.id);
                resolve_fn_clause(c, meth);
            }
            break;
        }
        case N_ACTOR: {
            FnSave sv = enter_fn(c, it, true);
            for (uint32_t k = 0; k < it->fn.params.n; k++) declare_pattern(c, it->fn.params.v[k], true);
            resolve_block(c, it->fn.body, true);
            if (it->fn.terminate) resolve_block(c, it->fn.terminate, true);
            end_scope(c, sv.nlocals, it);
            leave_fn(c, sv);
            break;
        }
        case N_SERVICE: {
            if (it->service.init) {
                it->service.init->sym = new_sym(S_FN, it->service.init->fn.name.id, it->service.init, m);
                resolve_fn_clause(c, it->service.init);
            } else {
                Diag *d = diag_new(DIAG_ERROR, NULL, it->service.name.span, "service `%s` has no `fn init`",
                                   it->service.name.id);
                diag_help(d, "add `fn init() -> StateType do ... end` computing the initial state");
                diag_emit(d);
            }
            for (uint32_t k = 0; k < it->service.handlers.n; k++) {
                Node *h = it->service.handlers.v[k];
                FnSave sv = enter_fn(c, h, false);
                for (uint32_t q = 0; q < h->handler.params.n; q++) declare_pattern(c, h->handler.params.v[q], true);
                if (h->handler.state.id) {
                    Node *sp = ast_node(P_BIND, h->handler.state.span);
                    sp->name.id = h->handler.state;
                    h->aux = sp; /* the state binder */
                    declare_pattern(c, sp, true);
                }
                resolve_type(c, h->handler.ret);
                resolve_block(c, h->handler.body, true);
                end_scope(c, sv.nlocals, h);
                leave_fn(c, sv);
            }
            break;
        }
        case N_SUPERVISOR:
            for (uint32_t k = 0; k < it->sup.children.n; k++) resolve_expr(c, it->sup.children.v[k]->child.start);
            break;
        case N_IMPORT: case N_FROM_IMPORT: break;
        case N_MODULE: {
            Diag *d = diag_new(DIAG_ERROR, NULL, it->span, "inline `module` blocks are not supported");
            diag_help(d, "put the module in its own file: `%s.snow` becomes module `%s`",
                      it->module_def.name.id, it->module_def.name.id);
            diag_emit(d);
            break;
        }
        case N_LET: {
            /* top-level lets are checked but never run; visible only to later
             * top-level statements */
            resolve_expr(c, it->let.value);
            break;
        }
        default:
            resolve_expr(c, it);
            break;
        }
    }
    c->top_level = false;
}

/* every scope made, for resolve_reset */
static ModScope **scopes;
static uint32_t nscopes, capscopes;

static void setup_module(Module *m) {
    ModScope *ms = xcalloc(1, sizeof *ms);
    m->scope = ms;
    if (nscopes == capscopes) {
        capscopes = capscopes ? capscopes * 2 : 16;
        scopes = xrealloc(scopes, capscopes * sizeof *scopes);
    }
    scopes[nscopes++] = ms;
}

Module *resolve_prelude(void) { return prelude; }

void resolve_reset(void) {
    for (uint32_t i = 0; i < nscopes; i++) {
        ModScope *ms = scopes[i];
        table_free(&ms->items);
        table_free(&ms->types);
        table_free(&ms->imported);
        table_free(&ms->timported);
        table_free(&ms->modules);
        table_free(&ms->unknown_modules);
        table_free(&ms->used_names);
        free(ms);
    }
    free(scopes);
    scopes = NULL;
    nscopes = capscopes = 0;
    table_free(&builtin_syms);
    table_free(&method_syms);
    table_free(&builtin_type_tab);
    table_free(&builtin_fn_tab);
    table_free(&stdmod_tab);
    table_free(&std_module_tab);
    std_module_init = builtins_done = false;
    free(all_methods);
    all_methods = NULL;
    nall_methods = capall_methods = 0;
    free(order);
    order = NULL;
    norder = 0;
    proj = NULL;
    prelude = NULL;
    prelude_reset();
    unused_reset();
}

Module **resolve_order(uint32_t *n) {
    *n = norder;
    return order;
}

Sym **resolve_methods(uint32_t *n) {
    *n = nall_methods;
    return all_methods;
}

void resolve_project(Project *p) {
    proj = p;
    unused_reset();
    depth_reset();
    init_builtins();
    prelude = prelude_module();
    Ctx c;
    memset(&c, 0, sizeof c);
    if (!prelude->scope) {
        setup_module(prelude);
        c.mod = prelude;
        c.ms = prelude->scope;
        collect_items(&c, prelude);
        collect_methods(prelude);
        /* prelude interface methods are not free names (to_string(42) is E0004) */
        table_free(&method_syms);
        nall_methods = 0;
        resolve_module_bodies(&c, prelude);
    }
    /* a new compilation (the REPL recompiles its session): forget the
     * interface-method names of the previous one */
    table_free(&method_syms);
    nall_methods = 0;
    for (uint32_t i = 0; i < p->nmods; i++) setup_module(p->mods[i]);
    for (uint32_t i = 0; i < p->nmods; i++) {
        c.mod = p->mods[i];
        c.ms = p->mods[i]->scope;
        collect_items(&c, p->mods[i]);
        collect_methods(p->mods[i]);
    }
    for (uint32_t i = 0; i < p->nmods; i++) {
        c.mod = p->mods[i];
        c.ms = p->mods[i]->scope;
        process_imports(&c, p->mods[i]);
    }
    /* dependency order */
    free(order);
    order = xcalloc(p->nmods + 1, sizeof *order);
    norder = 0;
    int *state = xcalloc(p->nmods + 1, sizeof *state);
    Module **stack = xcalloc(p->nmods + 1, sizeof *stack);
    Module **sorted = xmalloc((p->nmods + 1) * sizeof *sorted);
    memcpy(sorted, p->mods, p->nmods * sizeof *sorted);
    qsort(sorted, p->nmods, sizeof *sorted, cmp_mod);
    for (uint32_t i = 0; i < p->nmods; i++)
        if (sorted[i] != p->main) visit(sorted[i], state, stack, 0);
    if (p->main) visit(p->main, state, stack, 0);
    free(state);
    free(stack);
    free(sorted);
    for (uint32_t i = 0; i < norder; i++) {
        c.mod = order[i];
        c.ms = order[i]->scope;
        resolve_module_bodies(&c, order[i]);
    }
    /* main */
    if (p->main && !p->no_main) {
        Sym *mainfn = mod_value(p->main, I("main"));
        if (!mainfn || mainfn->kind != S_FN) {
            Diag *d = diag_new(DIAG_ERROR, NULL, (Span){p->main->file, 0, 0}, "no `main` function");
            diag_help(d, "add `fn main() do ... end`: it is where the program starts");
            diag_emit(d);
        } else if (mainfn->arity != 0) {
            Diag *d = diag_new(DIAG_ERROR, NULL, mainfn->defs[0]->fn.name.span, "`main` must take no parameters");
            diag_help(d, "command-line arguments are available through `Env.args()`");
            diag_emit(d);
        }
    }
    free(c.locals);
    free(c.tvars);
}

/* ---- unused-name warnings ------------------------------------------------------- */

static bool silent_name(const char *name) { return name[0] == '_' || strcmp(name, "self") == 0; }

static void warn_unused_fn(Sym *f) {
    if (f->used || f->is_pub || silent_name(f->name)) return;
    if (proj && f->mod == proj->main && strcmp(f->name, "main") == 0) return;
    Diag *d = diag_new(DIAG_WARNING, "W0005", f->defs[0]->fn.name.span, "unused function: `%s`", f->name);
    diag_primary(d, "never called");
    diag_help(d, "remove it, or name it `_%s` to keep it unused", f->name);
    diag_emit(d);
}

static bool import_used(ModScope *ms, Module *dep) {
    for (uint32_t i = 0; i < ms->used_names.cap; i++)
        if (ms->used_names.keys[i] && ms->used_names.vals[i]->mod == dep) return true;
    return false;
}

/* `from M import Shape` is used when one of Shape's variants is. */
static bool sumtype_ctor_used(ModScope *ms, Sym *type) {
    NodeList vs = type->def->tdef.members;
    for (uint32_t i = 0; i < vs.n; i++)
        if (table_get(&ms->used_names, vs.v[i]->variant.name.id) == vs.v[i]->sym) return true;
    return false;
}

void resolve_warn_unused(void) {
    for (uint32_t i = 0; i < made_locals.n; i++) {
        Sym *s = made_locals.v[i];
        if (s->used || silent_name(s->name) || !s->def) continue;
        Span at = s->def->kind == P_AS ? s->def->as_.name.span : s->def->span;
        Diag *d = diag_new(DIAG_WARNING, "W0004", at, "unused variable: `%s`", s->name);
        diag_primary(d, "never used");
        Sym *ctor = s->name[0] >= 'A' && s->name[0] <= 'Z' ? lookup_value(s->mod, s->name) : NULL;
        if (ctor && ctor->kind == S_CTOR)
            diag_help(d, "a parameter written as a bare name is a new variable, even when a variant is called `%s`; "
                         "to match the variant, use a `case` in the body", s->name);
        else if (s->name[0] >= 'A' && s->name[0] <= 'Z')
            diag_help(d, "no variant is called `%s` here, so this is a new variable that matches any value; "
                         "check the variant's name (and its module's `import`)", s->name);
        else
            diag_help(d, "if it is meant to be unused, name it `_%s` (or `_`)", s->name);
        diag_emit(d);
    }
    for (uint32_t i = 0; i < made_nested_fns.n; i++) warn_unused_fn(made_nested_fns.v[i]);
    for (uint32_t i = 0; proj && i < proj->nmods; i++) {
        ModScope *ms = proj->mods[i]->scope;
        for (uint32_t k = 0; ms && k < ms->items.cap; k++) {
            if (!ms->items.keys[k]) continue;
            for (Sym *f = ms->items.vals[k]; f && f->kind == S_FN; f = f->owner) warn_unused_fn(f);
        }
    }
    for (uint32_t i = 0; i < nimport_recs; i++) {
        const ImportRec *r = &import_recs[i];
        ModScope *ms = r->m->scope;
        if (r->it->kind == N_IMPORT) {
            if (r->dep && !import_used(ms, r->dep)) {
                Diag *d = diag_new(DIAG_WARNING, "W0006", r->it->import.path.span, "unused import: `%s`",
                                   r->it->import.path.id);
                diag_primary(d, "nothing from `%s` is used in this file", r->dep->short_name);
                diag_help(d, "remove the import");
                diag_emit(d);
            }
            continue;
        }
        for (uint32_t k = 0; k < r->it->import.names.n; k++) {
            Node *nm = r->it->import.names.v[k];
            if (!nm->sym || table_get(&ms->used_names, nm->name.id.id) || silent_name(nm->name.id.id)) continue;
            if (nm->sym->kind == S_SUMTYPE && sumtype_ctor_used(ms, nm->sym)) continue;
            Diag *d = diag_new(DIAG_WARNING, "W0006", nm->span, "unused import: `%s`", nm->name.id.id);
            diag_primary(d, "never used in this file");
            diag_help(d, "remove it from the `from %s import` list", r->it->import.path.id);
            diag_emit(d);
        }
    }
}
