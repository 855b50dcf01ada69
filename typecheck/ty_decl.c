/* ty_decl.c — declarations as types: structs, sum types, constructors,
 * aliases, annotations and the stdlib schemes (see ty_decl.h). */
#include "ty_decl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "lex.h"
#include "parse.h"
#include "resolve.h"
#include "sb.h"
#include "ty_trait.h"
#include "xalloc.h"

/* ---- type declarations ------------------------------------------------------- */

/* The aliases being expanded (a cycle is found when one comes back: an
 * expansion budget alone would take exponential time on `type X = (X, X)`),
 * and those already reported. */
static Sym *alias_stack[64];
static int alias_sp;
static PtrMap alias_reported;
static bool alias_cycle_hit; /* a cycle was met inside the current expansion */

static PtrMap infos;          /* Sym* -> TypeInfo* */
static TypeInfo **info_list;
static uint32_t ninfos, capinfos;
static Module *prelude;
static Sym *sym_option, *sym_result, *sym_ordering, *sym_exit, *sym_signal;

Sym *ty_prelude_sym(const char *name) {
    if (!prelude) return NULL;
    return resolve_lookup_global(prelude, ast_intern(name, strlen(name)));
}

TypeInfo *ty_info(Sym *s) { return s ? pm_get(&infos, s) : NULL; }

TypeInfo **ty_all_infos(uint32_t *n) {
    *n = ninfos;
    return info_list;
}

Type *ty_option(Type *t) { return ty_user(sym_option, 1, &t); }
Type *ty_result(Type *t, Type *e) {
    Type *a[2] = {t, e};
    return ty_user(sym_result, 2, a);
}
Type *ty_ordering(void) { return ty_user(sym_ordering, 0, NULL); }
Type *ty_exit_reason(void) { return ty_user(sym_exit, 0, NULL); }
Type *ty_signal(void) { return ty_user(sym_signal, 0, NULL); }

bool ty_is_option(Type *t) {
    t = ty_prune(t);
    return t && t->kind == TYK_USER && t->sym == sym_option;
}

bool ty_is_result(Type *t) {
    t = ty_prune(t);
    return t && t->kind == TYK_USER && t->sym == sym_result;
}

bool ty_is_signal_ctor(Sym *ctor) { return ctor && ctor->kind == S_CTOR && ctor->owner == sym_signal; }

int ty_field_index(TypeInfo *ti, const char *name) {
    for (int i = 0; i < ti->nfields; i++)
        if (ti->fnames[i] == name) return i;
    return -1;
}

/* Substitution of the generic parameters by the arguments of an instance. */
static Type *subst(TypeInfo *ti, Type **args, int nargs, Type *t) {
    t = ty_prune(t);
    if (t->kind == TYK_VAR) {
        for (int i = 0; i < ti->nparams && i < nargs; i++)
            if (ti->params[i] == t) return args[i];
        return t;
    }
    if (!t->nargs) return t;
    Type *tmp[16];
    Type **na = t->nargs <= 16 ? tmp : xmalloc(t->nargs * sizeof *na);
    bool changed = false;
    for (int i = 0; i < t->nargs; i++) {
        na[i] = subst(ti, args, nargs, t->args[i]);
        if (na[i] != t->args[i]) changed = true;
    }
    Type *r = t;
    if (changed) {
        r = ty_conn(t->kind, t->nargs, na);
        r->sym = t->sym;
        r->name = t->name;
    }
    if (na != tmp) free(na);
    return r;
}

Type *ty_subst_params(TypeInfo *ti, Type *inst, Type *t) {
    inst = ty_prune(inst);
    if (!ti->nparams) return t;
    if (!inst || inst->kind != TYK_USER || inst->nargs != ti->nparams) return ty_instantiate(t, DIAG_NOSPAN);
    return subst(ti, inst->args, inst->nargs, t);
}

void ty_struct_fields(TypeInfo *ti, Type *t, Type **out) {
    for (int i = 0; i < ti->nfields; i++) out[i] = ty_subst_params(ti, t, ti->ftypes[i]);
}

void ty_variant_fields(TypeInfo *ti, int v, Type *t, Type **out) {
    VariantInfo *vi = &ti->variants[v];
    for (int i = 0; i < vi->nfields; i++) out[i] = ty_subst_params(ti, t, vi->ftypes[i]);
}

Type *ty_fresh_instance(TypeInfo *ti) { return ty_instantiate(ti->self, DIAG_NOSPAN); }

Type *ty_ctor_scheme(Sym *ctor) {
    if (ctor->ty) return ctor->ty;
    TypeInfo *ti = ty_info(ctor->owner);
    if (!ti || ctor->index >= (uint32_t)ti->nvariants) return ty_error();
    VariantInfo *vi = &ti->variants[ctor->index];
    Type *t = vi->nfields ? ty_fun(vi->nfields, vi->ftypes, ti->self) : ti->self;
    ctor->ty = t;
    return t;
}

static void add_info(TypeInfo *ti) {
    pm_put(&infos, ti->sym, ti);
    if (ninfos == capinfos) {
        capinfos = capinfos ? capinfos * 2 : 64;
        info_list = xrealloc(info_list, capinfos * sizeof *info_list);
    }
    info_list[ninfos++] = ti;
}

static void declare_type(Node *it, bool is_prelude) {
    if (!it->sym) return;
    TypeInfo *ti = ast_alloc(sizeof *ti);
    ti->sym = it->sym;
    ti->def = it;
    ti->is_struct = it->kind == N_STRUCT;
    ti->is_prelude = is_prelude;
    ti->nparams = (int)it->tdef.generics.n;
    ti->params = ast_alloc((size_t)(ti->nparams + 1) * sizeof *ti->params);
    for (int i = 0; i < ti->nparams; i++) {
        Node *g = it->tdef.generics.v[i];
        Type *v = ty_var();
        v->flags |= TF_GENERIC;
        v->name = g->name.id.id;
        ti->params[i] = v;
    }
    ti->self = ty_user(ti->sym, ti->nparams, ti->params);
    add_info(ti);
}

static void define_type(TypeInfo *ti) {
    Node *it = ti->def;
    uint32_t mark = ty_tv_mark();
    for (int i = 0; i < ti->nparams; i++) {
        Node *g = it->tdef.generics.v[i];
        if (g->sym) ty_tv_bind(g->sym, ti->params[i]);
    }
    ty_tv_mode(TV_GENERIC);
    if (ti->is_struct) {
        int n = (int)it->tdef.members.n;
        ti->nfields = n;
        ti->fnames = ast_alloc((size_t)(n + 1) * sizeof *ti->fnames);
        ti->ftypes = ast_alloc((size_t)(n + 1) * sizeof *ti->ftypes);
        ti->fnodes = ast_alloc((size_t)(n + 1) * sizeof *ti->fnodes);
        for (int i = 0; i < n; i++) {
            Node *f = it->tdef.members.v[i];
            ti->fnames[i] = f->field.name.id;
            ti->fnodes[i] = f;
            ti->ftypes[i] = ty_from_ann(f->field.type);
        }
    } else {
        int n = (int)it->tdef.members.n;
        ti->nvariants = n;
        ti->variants = ast_alloc((size_t)(n + 1) * sizeof *ti->variants);
        for (int i = 0; i < n; i++) {
            Node *v = it->tdef.members.v[i];
            VariantInfo *vi = &ti->variants[i];
            vi->node = v;
            vi->ctor = v->sym;
            vi->name = v->variant.name.id;
            vi->nfields = (int)v->variant.fields.n;
            vi->ftypes = ast_alloc((size_t)(vi->nfields + 1) * sizeof *vi->ftypes);
            for (int k = 0; k < vi->nfields; k++) vi->ftypes[k] = ty_from_ann(v->variant.fields.v[k]->field.type);
            if (v->sym) v->sym->ty = NULL; /* constructor schemes are rebuilt lazily */
        }
    }
    ty_tv_release(mark);
    ty_tv_mode(TV_RIGID);
}

void ty_decls_build(Module **mods, uint32_t nmods) {
    pm_free(&alias_reported);
    alias_sp = 0;
    pm_free(&infos);
    ninfos = 0;
    prelude = resolve_prelude();
    sym_option = ty_prelude_sym("Option");
    sym_result = ty_prelude_sym("Result");
    sym_ordering = ty_prelude_sym("Ordering");
    sym_exit = ty_prelude_sym("ExitReason");
    sym_signal = ty_prelude_sym("Signal");
    if (prelude)
        for (uint32_t i = 0; i < prelude->root->list.items.n; i++) {
            Node *it = prelude->root->list.items.v[i];
            if (it->kind == N_STRUCT || it->kind == N_SUMTYPE) declare_type(it, true);
        }
    for (uint32_t m = 0; m < nmods; m++)
        for (uint32_t i = 0; i < mods[m]->root->list.items.n; i++) {
            Node *it = mods[m]->root->list.items.v[i];
            if (it->kind == N_STRUCT || it->kind == N_SUMTYPE) declare_type(it, false);
        }
    for (uint32_t i = 0; i < ninfos; i++) define_type(info_list[i]);
}

/* ---- annotations ----------------------------------------------------------------- */

static TvMode tv_mode = TV_RIGID;
static Type **std_cache;          /* stdlib schemes, built from the prelude of ... */
static Module *std_cache_prelude; /* ... this module */
static Node *std_cache_root;
static Sym **touched;
static uint32_t ntouched, captouched;

void ty_tv_mode(TvMode m) { tv_mode = m; }
TvMode ty_tv_get_mode(void) { return tv_mode; }
int ty_ann_holes;

static void touch(Sym *s) {
    if (ntouched == captouched) {
        captouched = captouched ? captouched * 2 : 32;
        touched = xrealloc(touched, captouched * sizeof *touched);
    }
    touched[ntouched++] = s;
}

void ty_tv_reset(void) { ty_tv_release(0); }

void ty_decl_reset(void) {
    ntouched = 0; /* the symbols are gone with the arena: nothing to clear */
    pm_free(&alias_reported);
    alias_sp = 0;
    tv_mode = TV_RIGID;
    pm_free(&infos);
    ninfos = 0;
    prelude = NULL;
    sym_option = sym_result = sym_ordering = sym_exit = sym_signal = NULL;
    free(std_cache);
    std_cache = NULL;
    std_cache_prelude = NULL;
    std_cache_root = NULL;
}

uint32_t ty_tv_mark(void) { return ntouched; }

void ty_tv_release(uint32_t mark) {
    while (ntouched > mark) touched[--ntouched]->ty = NULL;
}

Sym **ty_tv_since(uint32_t mark, uint32_t *n) {
    *n = ntouched > mark ? ntouched - mark : 0;
    return touched + mark;
}

void ty_tv_bind(Sym *tv, Type *t) {
    tv->ty = t;
    touch(tv);
}

/* A variable standing for a type the annotation leaves open. */
static Type *hole(void) {
    ty_ann_holes++;
    Type *v = ty_var();
    if (tv_mode == TV_GENERIC) v->flags |= TF_GENERIC;
    return v;
}

static Type *typevar_for(Sym *s) {
    if (s->ty) return s->ty;
    Type *v;
    if (tv_mode == TV_RIGID) v = ty_rigid(s->name);
    else {
        v = ty_var();
        v->name = s->name;
        if (tv_mode == TV_GENERIC) v->flags |= TF_GENERIC;
    }
    ty_tv_bind(s, v);
    return v;
}

static void arity_error(Node *t, const char *name, int want, int got) {
    Diag *d = diag_new(DIAG_ERROR, "E0003", t->span, "type `%s` takes %d type argument(s), found %d", name, want, got);
    diag_primary(d, "wrong number of type arguments");
    if (want == 0) diag_help(d, "write just `%s`", name);
    diag_emit(d);
}

static Type *conv(Node *t, int depth);

static Type *conv_alias(Node *t, Sym *s, Type **args, int nargs, int depth) {
    Node *al = s->def;
    int np = (int)al->tdef.generics.n;
    bool cycle = depth > 64 || alias_sp >= 64;
    for (int i = 0; i < alias_sp && !cycle; i++)
        if (alias_stack[i] == s) cycle = true;
    if (cycle) {
        if (!pm_get(&alias_reported, s)) {
            pm_put(&alias_reported, s, (void *)1);
            Diag *d = diag_new(DIAG_ERROR, "E0002", t->span, "infinite type: alias `%s` refers to itself", s->name);
            diag_help(d, "an alias is only another name for a type; use a sum type for recursive data");
            diag_emit(d);
        }
        alias_cycle_hit = true;
        return ty_error();
    }
    if (nargs && nargs != np) {
        arity_error(t, s->name, np, nargs);
        return ty_error();
    }
    Type *saved[16];
    for (int i = 0; i < np && i < 16; i++) {
        Sym *g = al->tdef.generics.v[i]->sym;
        if (!g) continue;
        saved[i] = g->ty;
        g->ty = nargs ? args[i] : hole();
    }
    alias_stack[alias_sp++] = s;
    bool outer_hit = alias_cycle_hit;
    alias_cycle_hit = false;
    Type *r = conv(al->tdef.alias_of, depth + 1);
    if (alias_cycle_hit) r = ty_error(); /* a recursive alias is no type at all */
    alias_cycle_hit = outer_hit || alias_cycle_hit;
    alias_sp--;
    for (int i = 0; i < np && i < 16; i++) {
        Sym *g = al->tdef.generics.v[i]->sym;
        if (g) g->ty = saved[i];
    }
    return r;
}

static Type *builtin_named(Node *t, const char *name, Type **args, int nargs) {
    struct { const char *n; int kind; int arity; } tab[] = {
        {"Int", TYK_INT, 0},     {"Float", TYK_FLOAT, 0}, {"String", TYK_STRING, 0}, {"Bool", TYK_BOOL, 0},
        {"Ref", TYK_REF, 0},     {"Range", TYK_RANGE, 0}, {"Json", TYK_JSON, 0},     {"Never", TYK_NEVER, 0},
        {"List", TYK_LIST, 1},   {"Set", TYK_SET, 1},     {"Queue", TYK_QUEUE, 1},   {"Map", TYK_MAP, 2},
        {"Pid", TYK_PID, 1},     {"Tuple", TYK_ANYTUPLE, 0},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
        if (strcmp(tab[i].n, name) != 0) continue;
        int k = tab[i].kind;
        if (k == TYK_PID) {
            if (nargs == 0) return ty_pid_untyped();
            if (nargs == 1) return ty_con1(TYK_PID, args[0]);
            arity_error(t, name, 1, nargs);
            return ty_error();
        }
        if (tab[i].arity == 0) {
            if (nargs) {
                arity_error(t, name, 0, nargs);
                return ty_error();
            }
            return ty_basic(k);
        }
        if (nargs == 0) {
            Type *h[2] = {hole(), hole()};
            return ty_conn(k, tab[i].arity, h);
        }
        if (nargs != tab[i].arity) {
            arity_error(t, name, tab[i].arity, nargs);
            return ty_error();
        }
        return ty_conn(k, nargs, args);
    }
    return ty_other(name);
}

static Type *conv(Node *t, int depth) {
    if (!t) return hole();
    switch (t->kind) {
    case TY_TUPLE: {
        int n = (int)t->list.items.n;
        if (n == 0) return ty_basic(TYK_UNIT);
        if (n == 1) return conv(t->list.items.v[0], depth + 1);
        Type **v = xmalloc((size_t)n * sizeof *v);
        for (int i = 0; i < n; i++) v[i] = conv(t->list.items.v[i], depth + 1);
        Type *r = ty_conn(TYK_TUPLE, n, v);
        free(v);
        return r;
    }
    case TY_FUN: {
        int n = (int)t->tfun.params.n;
        Type **v = xmalloc((size_t)(n + 1) * sizeof *v);
        for (int i = 0; i < n; i++) v[i] = conv(t->tfun.params.v[i], depth + 1);
        Type *r = ty_fun(n, v, conv(t->tfun.ret, depth + 1));
        free(v);
        return r;
    }
    case TY_NAME: break;
    default: return ty_error();
    }
    int nargs = (int)t->tname.args.n;
    Type *tmp[8];
    Type **args = nargs <= 8 ? tmp : xmalloc((size_t)nargs * sizeof *args);
    for (int i = 0; i < nargs; i++) args[i] = conv(t->tname.args.v[i], depth + 1);
    Sym *s = t->sym;
    Type *r;
    if (!s) r = ty_error();
    else switch (s->kind) {
    case S_TYPEVAR:
        r = typevar_for(s);
        if (nargs) {
            Diag *d = diag_new(DIAG_ERROR, "E0003", t->span, "type parameter `%s` takes no type arguments", s->name);
            diag_emit(d);
        }
        break;
    case S_BUILTIN_TYPE: r = builtin_named(t, s->name, args, nargs); break;
    case S_STRUCT: case S_SUMTYPE: {
        TypeInfo *ti = ty_info(s);
        int np = ti ? ti->nparams : 0;
        if (nargs == 0 && np > 0) {
            Type **h = xmalloc((size_t)np * sizeof *h);
            for (int i = 0; i < np; i++) h[i] = hole();
            r = ty_user(s, np, h);
            free(h);
        } else if (nargs != np) {
            arity_error(t, s->name, np, nargs);
            r = ty_error();
        } else {
            r = ty_user(s, nargs, args);
        }
        break;
    }
    case S_ALIAS: r = conv_alias(t, s, args, nargs, depth); break;
    case S_INTERFACE: {
        /* an interface used as a type: any type implementing it */
        r = hole();
        Bound b = {.iface = s, .origin = t->span, .decl = t->span, .why = "required by this annotation"};
        ty_add_bound(r, &b);
        break;
    }
    default: r = ty_error(); break;
    }
    if (args != tmp) free(args);
    return r; /* T? and T!E arrive already spelled Option<T> / Result<T, E> */
}

Type *ty_from_ann(Node *ann) {
    if (!ann) ty_ann_holes++;
    return conv(ann, 0);
}

void ty_apply_where(NodeList where) {
    for (uint32_t i = 0; i < where.n; i++) {
        Node *b = where.v[i];
        if (b->kind != N_BINOP || !b->bin.lhs || !b->bin.lhs->sym) continue;
        Type *tv = ty_prune(typevar_for(b->bin.lhs->sym));
        if (tv->kind != TYK_VAR) continue;
        Bound bd = {.origin = b->span, .decl = b->span, .why = "required by this bound"};
        Sym *tr = b->bin.rhs ? b->bin.rhs->sym : NULL;
        if (tr && tr->kind == S_INTERFACE) bd.iface = tr;
        else if (b->bin.rhs && strcmp(b->bin.rhs->name.id.id, "Num") == 0) bd.pseudo = PT_NUM;
        else continue;
        ty_add_bound(tv, &bd);
    }
}

/* ---- stdlib schemes ---------------------------------------------------------------- */


/* Convert a scheme's type node: single capital letters are its generic
 * variables; other names are built-in, prelude or opaque library types. */
static Type *sconv(Node *t, Type **letters) {
    if (!t) return ty_error();
    switch (t->kind) {
    case TY_TUPLE: {
        int n = (int)t->list.items.n;
        if (n == 0) return ty_basic(TYK_UNIT);
        if (n == 1) return sconv(t->list.items.v[0], letters);
        Type *v[16];
        for (int i = 0; i < n && i < 16; i++) v[i] = sconv(t->list.items.v[i], letters);
        return ty_conn(TYK_TUPLE, n < 16 ? n : 16, v);
    }
    case TY_FUN: {
        int n = (int)t->tfun.params.n;
        Type *v[16];
        for (int i = 0; i < n && i < 16; i++) v[i] = sconv(t->tfun.params.v[i], letters);
        return ty_fun(n < 16 ? n : 16, v, sconv(t->tfun.ret, letters));
    }
    case TY_NAME: break;
    default: return ty_error();
    }
    const char *name = t->tname.path.id;
    int nargs = (int)t->tname.args.n;
    Type *args[8];
    for (int i = 0; i < nargs && i < 8; i++) args[i] = sconv(t->tname.args.v[i], letters);
    if (nargs > 8) nargs = 8;
    Type *r;
    if (name[0] >= 'A' && name[0] <= 'Z' && name[1] == 0) {
        Type **slot = &letters[name[0] - 'A'];
        if (!*slot) {
            *slot = ty_var();
            (*slot)->flags |= TF_GENERIC;
        }
        r = *slot;
    } else {
        Sym *ps = ty_prelude_sym(name);
        if (ps && (ps->kind == S_SUMTYPE || ps->kind == S_STRUCT)) {
            TypeInfo *ti = ty_info(ps);
            if (ti && nargs != ti->nparams) {
                Type *h[8];
                for (int i = 0; i < ti->nparams && i < 8; i++) {
                    h[i] = ty_var();
                    h[i]->flags |= TF_GENERIC;
                }
                r = ty_user(ps, ti->nparams, h);
            } else {
                r = ty_user(ps, nargs, args);
            }
        } else {
            r = builtin_named(t, name, args, nargs);
            if (r->kind == TYK_ERROR) r = ty_other(name);
        }
    }
    return r;
}

static void build_std_cache(void) {
    unsigned nstd = stdlib_count();
    free(std_cache);
    std_cache = xcalloc(nstd + 1, sizeof *std_cache);
    /* one source text, one scheme per line (where-clauses kept aside) */
    SB text;
    sb_init(&text);
    const char **wheres = xcalloc(nstd + 1, sizeof *wheres);
    for (unsigned i = 0; i < nstd; i++) {
        const char *ty = stdlib_at(i)->type ? stdlib_at(i)->type : "T";
        const char *w = strstr(ty, " where ");
        size_t n = w ? (size_t)(w - ty) : strlen(ty);
        wheres[i] = w ? w + 7 : NULL;
        sb_put(&text, ty, n);
        sb_putc(&text, '\n');
    }
    uint32_t file = src_add("<stdlib>", text.p, text.len);
    sb_free(&text);
    TokenList toks = lex_file(file);
    TvMode saved_mode = tv_mode;
    tv_mode = TV_GENERIC;
    uint32_t pos = 0;
    for (unsigned i = 0; i < nstd; i++) {
        /* the tokens of line i */
        uint32_t start = pos;
        while (pos < toks.n && toks.toks[pos].kind != TK_NEWLINE && toks.toks[pos].kind != TK_EOF) pos++;
        TokenList one;
        one.n = pos - start + 1;
        one.cap = one.n;
        one.toks = xmalloc(one.n * sizeof *one.toks);
        memcpy(one.toks, toks.toks + start, (pos - start) * sizeof *one.toks);
        memset(&one.toks[one.n - 1], 0, sizeof one.toks[0]);
        one.toks[one.n - 1].kind = TK_EOF;
        one.toks[one.n - 1].span = pos < toks.n ? toks.toks[pos].span : (Span){file, 0, 0};
        if (pos < toks.n && toks.toks[pos].kind == TK_NEWLINE) pos++;
        int nerr = 0;
        Node *tn = one.n > 1 ? parse_type_text(file, &one, &nerr) : NULL;
        free(one.toks);
        Type *letters[26] = {0};
        Type *t = tn && !nerr ? sconv(tn, letters) : NULL;
        if (!t) {
            t = ty_var();
            t->flags |= TF_GENERIC;
        }
        /* where T: Trait, U: Trait */
        for (const char *w = wheres[i]; w && *w;) {
            while (*w == ' ' || *w == ',') w++;
            if (!(*w >= 'A' && *w <= 'Z')) break;
            char letter = *w;
            const char *colon = strchr(w, ':');
            if (!colon) break;
            const char *nm = colon + 1;
            while (*nm == ' ') nm++;
            size_t nl = strcspn(nm, ", ");
            char buf[64];
            snprintf(buf, sizeof buf, "%.*s", (int)(nl < 63 ? nl : 63), nm);
            Type *tv = letters[letter - 'A'];
            if (tv) {
                Bound b = {.origin = DIAG_NOSPAN, .decl = DIAG_NOSPAN};
                if (strcmp(buf, "Num") == 0) b.pseudo = PT_NUM;
                else {
                    Sym *tr = ty_prelude_sym(buf);
                    if (tr && tr->kind == S_INTERFACE) b.iface = tr;
                }
                if (b.iface || b.pseudo) ty_add_bound(tv, &b);
            }
            w = nm + nl;
        }
        std_cache[i] = t;
    }
    lex_free(&toks);
    free(wheres);
    tv_mode = saved_mode;
}

Type *ty_std_scheme(const StdFn *f) {
    Module *p = resolve_prelude();
    if (!std_cache || std_cache_prelude != p || (p && std_cache_root != p->root)) {
        std_cache_prelude = p;
        std_cache_root = p ? p->root : NULL;
        build_std_cache();
    }
    unsigned i = stdlib_index(f);
    if (i >= stdlib_count()) return ty_error();
    return std_cache[i];
}
