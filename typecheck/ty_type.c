/* ty_type.c — type representation, unification, levels, printing (see
 * ty_type.h). */
#include "ty_type.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "depth.h"
#include "diag.h"
#include "sb.h"
#include "ty_trait.h"
#include "xalloc.h"

/* ---- allocation and basic types ------------------------------------------- */

static uint32_t var_counter;
static int cur_level;
static uint32_t inst_gen;
static bool qualify_names;
static Type *basics[TYK_ANYTUPLE + 1];

static Type *alloc_type(int kind) {
    Type *t = ast_alloc(sizeof *t);
    t->kind = (uint8_t)kind;
    if (kind != TYK_VAR) t->flags |= TF_GROUND; /* until an argument says otherwise */
    return t;
}

/* A constructed type is ground when all its arguments are. */
static void settle_ground(Type *t) {
    for (int i = 0; i < t->nargs; i++) {
        Type *a = ty_prune(t->args[i]);
        if (!a || !(a->flags & TF_GROUND)) {
            t->flags &= (uint8_t)~TF_GROUND;
            return;
        }
    }
}

void ty_types_reset(void) {
    var_counter = 0;
    cur_level = 0;
    memset(basics, 0, sizeof basics);
}

Type *ty_var(void) {
    Type *t = alloc_type(TYK_VAR);
    t->id = ++var_counter;
    t->level = cur_level;
    return t;
}

Type *ty_rigid(const char *name) {
    Type *t = ty_var();
    t->flags |= TF_RIGID;
    t->name = name;
    return t;
}

Type *ty_basic(int kind) {
    if (!basics[kind]) basics[kind] = alloc_type(kind);
    return basics[kind];
}

Type *ty_error(void) { return ty_basic(TYK_ERROR); }

Type *ty_conn(int kind, int n, Type **args) {
    Type *t = alloc_type(kind);
    t->nargs = n;
    if (n) {
        t->args = ast_alloc((size_t)n * sizeof *t->args);
        memcpy(t->args, args, (size_t)n * sizeof *t->args);
    }
    settle_ground(t);
    return t;
}

Type *ty_con1(int kind, Type *a) { return ty_conn(kind, 1, &a); }

Type *ty_con2(int kind, Type *a, Type *b) {
    Type *v[2] = {a, b};
    return ty_conn(kind, 2, v);
}

Type *ty_fun(int nparams, Type **params, Type *ret) {
    Type *t = alloc_type(TYK_FUN);
    t->nargs = nparams + 1;
    t->args = ast_alloc((size_t)(nparams + 1) * sizeof *t->args);
    if (nparams) memcpy(t->args, params, (size_t)nparams * sizeof *t->args);
    t->args[nparams] = ret;
    settle_ground(t);
    return t;
}

Type *ty_user(Sym *type_sym, int n, Type **args) {
    Type *t = ty_conn(TYK_USER, n, args);
    t->sym = type_sym;
    return t;
}

Type *ty_other(const char *name) {
    Type *t = alloc_type(TYK_OTHER);
    t->name = name;
    return t;
}

Type *ty_pid_untyped(void) { return ty_basic(TYK_PID); }

/* ---- public readers (ty.h) ------------------------------------------------------ */

Type *ty_prune(Type *t) {
    if (!t) return NULL;
    Type *r = t;
    while (r->kind == TYK_VAR && r->link) r = r->link;
    while (t->kind == TYK_VAR && t->link && t->link != r) { /* path compression */
        Type *next = t->link;
        t->link = r;
        t = next;
    }
    return r;
}

TyKindPub ty_kind(Type *t) {
    t = ty_prune(t);
    if (!t) return TYK_VAR;
    if (t->kind == TYK_ERROR) return TYK_VAR;
    if (t->kind == TYK_ANYTUPLE) return TYK_TUPLE;
    return (TyKindPub)t->kind;
}

int ty_nargs(Type *t) {
    t = ty_prune(t);
    return t ? t->nargs : 0;
}

Type *ty_arg(Type *t, int i) {
    t = ty_prune(t);
    if (!t || i < 0 || i >= t->nargs) return NULL;
    return ty_prune(t->args[i]);
}

Sym *ty_sym(Type *t) {
    t = ty_prune(t);
    return t && t->kind == TYK_USER ? t->sym : NULL;
}

bool ty_is_var(Type *t) {
    t = ty_prune(t);
    return t && t->kind == TYK_VAR;
}

bool ty_is_error(Type *t) {
    t = ty_prune(t);
    return !t || t->kind == TYK_ERROR;
}

bool ty_has_vars(Type *t) {
    t = ty_prune(t);
    if (!t || (t->flags & TF_GROUND)) return false;
    if (depth_exhausted()) return true;
    if (t->kind == TYK_VAR) return true;
    for (int i = 0; i < t->nargs; i++)
        if (ty_has_vars(t->args[i])) return true;
    return false;
}

/* The walkers below recurse over a type's structure.  A type is as deep as
 * the program made it (a chain of `let`s can nest it further than literal
 * nesting, which the parser bounds), so each walk checks the room left on
 * the stack and gives up with "program is nested too deeply" (a compile
 * error: nothing runs) rather than overflow. */
static bool too_deep(void) {
    if (!depth_exhausted()) return false;
    depth_error(DIAG_NOSPAN);
    return true;
}

/* ---- levels, generalisation, instantiation ----------------------------------------- */

void ty_enter_level(void) { cur_level++; }
void ty_leave_level(void) { cur_level--; }
int ty_current_level(void) { return cur_level; }

/* Walks mark the nodes they have seen with a fresh generation number:
 * types are DAGs, and as trees they can be exponentially large
 * (`let b = (a, a)` repeated), so every node is visited once per walk. */
static uint32_t walk_gen;

static bool seen(Type *t) {
    if (t->inst_gen == walk_gen && t->inst == t) return true;
    t->inst_gen = walk_gen;
    t->inst = t;
    return false;
}

static void generalize(Type *t) {
    t = ty_prune(t);
    if (!t || (t->flags & TF_GROUND) || seen(t) || too_deep()) return;
    if (t->kind == TYK_VAR) {
        if (!(t->flags & TF_GENERIC) && t->level > cur_level) t->flags |= TF_GENERIC;
        return;
    }
    for (int i = 0; i < t->nargs; i++) generalize(t->args[i]);
}

void ty_generalize(Type *t) {
    walk_gen = ++inst_gen;
    generalize(t);
}

static void make_generic(Type *t) {
    t = ty_prune(t);
    if (!t || (t->flags & TF_GROUND) || seen(t) || too_deep()) return;
    if (t->kind == TYK_VAR) {
        t->flags |= TF_GENERIC;
        return;
    }
    for (int i = 0; i < t->nargs; i++) make_generic(t->args[i]);
}

void ty_make_generic(Type *t) {
    walk_gen = ++inst_gen;
    make_generic(t);
}

static void pin(Type *t) {
    t = ty_prune(t);
    if (!t || (t->flags & TF_GROUND) || seen(t) || too_deep()) return;
    if (t->kind == TYK_VAR) {
        if (!(t->flags & TF_GENERIC) && t->level > cur_level) t->level = cur_level;
        return;
    }
    for (int i = 0; i < t->nargs; i++) pin(t->args[i]);
}

void ty_pin(Type *t) {
    walk_gen = ++inst_gen;
    pin(t);
}

static const char *inst_what;

static Bound *copy_bound(const Bound *b, Span site) {
    Bound *c = ast_alloc(sizeof *c);
    *c = *b;
    c->next = NULL;
    if (site.file != UINT32_MAX) {
        c->origin = site;
        if (inst_what) c->what = inst_what;
    }
    return c;
}

static Type *inst(Type *t, Span site) {
    t = ty_prune(t);
    if ((t->flags & TF_GROUND) || too_deep()) return t;
    if (t->inst_gen == inst_gen) return t->inst; /* already copied in this instantiation */
    if (t->kind == TYK_VAR) {
        if (!(t->flags & TF_GENERIC)) return t;
        if (t->inst_gen == inst_gen) return t->inst;
        Type *v = ty_var();
        for (Bound *b = t->bounds; b; b = b->next) {
            Bound *c = copy_bound(b, site);
            c->next = v->bounds;
            v->bounds = c;
        }
        t->inst = v;
        t->inst_gen = inst_gen;
        return v;
    }
    if (!t->nargs) return t;
    Type *tmp[16];
    Type **na = t->nargs <= 16 ? tmp : xmalloc(t->nargs * sizeof *na);
    bool changed = false;
    for (int i = 0; i < t->nargs; i++) {
        na[i] = inst(t->args[i], site);
        if (na[i] != t->args[i]) changed = true;
    }
    Type *r = t;
    if (changed) {
        r = ty_conn(t->kind, t->nargs, na);
        r->sym = t->sym;
        r->name = t->name;
    }
    if (na != tmp) free(na);
    t->inst = r;
    t->inst_gen = inst_gen;
    return r;
}

Type *ty_instantiate(Type *t, Span site) { return ty_instantiate_at(t, site, NULL); }

Type *ty_instantiate_at(Type *t, Span site, const char *what) {
    if (!t) return NULL;
    inst_gen++;
    inst_what = what;
    Type *r = inst(t, site);
    inst_what = NULL;
    return r;
}

void ty_instantiate_many(Type **ts, int n, Span site) {
    inst_gen++;
    for (int i = 0; i < n; i++)
        if (ts[i]) ts[i] = inst(ts[i], site);
}

/* ---- unification ------------------------------------------------------------------- */

void ty_add_bound(Type *var, const Bound *b) {
    for (Bound *x = var->bounds; x; x = x->next)
        if (x->iface == b->iface && x->pseudo == b->pseudo) return;
    const char *saved = inst_what;
    inst_what = NULL;
    Bound *c = copy_bound(b, DIAG_NOSPAN);
    inst_what = saved;
    c->next = var->bounds;
    var->bounds = c;
}

/* Occurs check that also lowers the levels of the variables of t to v's. */
static bool occurs_walk(Type *v, Type *t) {
    t = ty_prune(t);
    if (t == v) return true;
    if ((t->flags & TF_GROUND) || too_deep()) return false;
    if (seen(t)) return false;
    if (t->kind == TYK_VAR) {
        if (t->level > v->level && !(t->flags & TF_GENERIC)) t->level = v->level;
        return false;
    }
    for (int i = 0; i < t->nargs; i++)
        if (occurs_walk(v, t->args[i])) return true;
    return false;
}

static bool occurs_adjust(Type *v, Type *t) {
    walk_gen = ++inst_gen;
    return occurs_walk(v, t);
}

static UResult fail(UErr *e, UResult r, Type *a, Type *b) {
    if (e && e->r == U_OK) {
        e->r = r;
        e->a = a;
        e->b = b;
    }
    return r;
}

/* Bind flexible variable v to t (t pruned, t != v). */
static UResult bind(Type *v, Type *t, UErr *e) {
    if (t->kind == TYK_VAR) {
        if (t->level > v->level) t->level = v->level;
        v->link = t;
        for (Bound *b = v->bounds; b; b = b->next) ty_require(t, b);
        return U_OK;
    }
    if (occurs_adjust(v, t)) return fail(e, U_OCCURS, v, t);
    v->link = t;
    for (Bound *b = v->bounds; b; b = b->next) ty_require(t, b);
    return U_OK;
}

static bool is_flex(Type *t) { return t->kind == TYK_VAR && !(t->flags & TF_RIGID); }

/* A budget against pathological (exponentially shared) types: past it,
 * unification gives up and succeeds rather than hang the compiler. */
static long unify_steps;
#define UNIFY_BUDGET 4000000L

static UResult unify(Type *a, Type *b, UErr *e);

UResult ty_unify(Type *a, Type *b, UErr *e) {
    unify_steps = 0;
    return unify(a, b, e);
}

static UResult unify(Type *a, Type *b, UErr *e) {
    if (++unify_steps > UNIFY_BUDGET || too_deep()) return U_OK;
    a = ty_prune(a);
    b = ty_prune(b);
    if (!a || !b || a == b) return U_OK;
    if (a->kind == TYK_ERROR || b->kind == TYK_ERROR) return U_OK;
    if (a->kind == TYK_NEVER || b->kind == TYK_NEVER) return U_OK;
    if (is_flex(a)) return bind(a, b, e);
    if (is_flex(b)) return bind(b, a, e);
    if (a->kind == TYK_VAR || b->kind == TYK_VAR) return fail(e, U_MISMATCH, a, b); /* rigid */
    if (a->kind == TYK_ANYTUPLE && (b->kind == TYK_TUPLE || b->kind == TYK_ANYTUPLE)) return U_OK;
    if (b->kind == TYK_ANYTUPLE && a->kind == TYK_TUPLE) return U_OK;
    if (a->kind != b->kind) return fail(e, U_MISMATCH, a, b);
    switch (a->kind) {
    case TYK_PID:
        /* decision 25: Pid<M> converts to the untyped Pid (and the untyped
         * Pid is the escape hatch in the other direction) */
        if (a->nargs == 0 || b->nargs == 0) return U_OK;
        break;
    case TYK_USER:
        if (a->sym != b->sym) return fail(e, U_MISMATCH, a, b);
        break;
    case TYK_OTHER:
        if (a->name != b->name && strcmp(a->name, b->name) != 0) return fail(e, U_MISMATCH, a, b);
        return U_OK;
    default: break;
    }
    if (a->nargs != b->nargs) return fail(e, U_MISMATCH, a, b);
    for (int i = 0; i < a->nargs; i++) {
        UResult r = unify(a->args[i], b->args[i], e);
        if (r != U_OK) {
            if (e && e->r == U_MISMATCH) { /* report the whole pair, not the innermost part */
                e->a = a;
                e->b = b;
            }
            return r;
        }
    }
    return U_OK;
}

/* ---- printing ---------------------------------------------------------------------- */

void ty_set_qualify(bool on) { qualify_names = on; }

static void show(SB *b, ShowCtx *sc, Type *t, int depth) {
    t = ty_prune(t);
    if (!t) { sb_puts(b, "?"); return; }
    if (depth > 40 || b->len > 2000) { sb_puts(b, "..."); return; }
    switch (t->kind) {
    case TYK_VAR: {
        if (t->name) { sb_puts(b, t->name); return; }
        if (sc) {
            for (int i = 0; i < sc->nvars; i++)
                if (sc->vars[i] == t) { sb_puts(b, sc->names[i]); return; }
            if (sc->nvars < SHOW_MAXVARS) {
                int k = sc->nvars++;
                sc->vars[k] = t;
                /* the next letter no declared parameter uses */
                while (sc->next < 26 && (sc->taken >> sc->next & 1)) sc->next++;
                int n = sc->next++;
                if (n < 26) snprintf(sc->names[k], sizeof sc->names[k], "%c", 'a' + n);
                else snprintf(sc->names[k], sizeof sc->names[k], "%c%d", 'a' + n % 26, (n / 26) % 100);
                sb_puts(b, sc->names[k]);
                return;
            }
        }
        char tmp[24];
        snprintf(tmp, sizeof tmp, "t%u", t->id);
        sb_puts(b, tmp);
        return;
    }
    case TYK_INT: sb_puts(b, "Int"); return;
    case TYK_FLOAT: sb_puts(b, "Float"); return;
    case TYK_BOOL: sb_puts(b, "Bool"); return;
    case TYK_STRING: sb_puts(b, "String"); return;
    case TYK_UNIT: sb_puts(b, "()"); return;
    case TYK_NEVER: sb_puts(b, "Never"); return;
    case TYK_RANGE: sb_puts(b, "Range"); return;
    case TYK_REF: sb_puts(b, "Ref"); return;
    case TYK_JSON: sb_puts(b, "Json"); return;
    case TYK_ERROR: sb_puts(b, "_"); return;
    case TYK_ANYTUPLE: sb_puts(b, "Tuple"); return;
    case TYK_OTHER: sb_puts(b, t->name); return;
    case TYK_TUPLE:
        sb_puts(b, "(");
        for (int i = 0; i < t->nargs; i++) {
            if (i) sb_puts(b, ", ");
            show(b, sc, t->args[i], depth + 1);
        }
        sb_puts(b, ")");
        return;
    case TYK_FUN:
        sb_puts(b, "(");
        for (int i = 0; i + 1 < t->nargs; i++) {
            if (i) sb_puts(b, ", ");
            show(b, sc, t->args[i], depth + 1);
        }
        sb_puts(b, ") -> ");
        show(b, sc, t->args[t->nargs - 1], depth + 1);
        return;
    default: break;
    }
    const char *name = "?";
    switch (t->kind) {
    case TYK_LIST: name = "List"; break;
    case TYK_MAP: name = "Map"; break;
    case TYK_SET: name = "Set"; break;
    case TYK_QUEUE: name = "Queue"; break;
    case TYK_PID: name = "Pid"; break;
    case TYK_USER: name = t->sym ? t->sym->name : "?"; break;
    default: break;
    }
    if (t->kind == TYK_USER && qualify_names && t->sym && t->sym->mod && t->sym->mod->name &&
        strcmp(t->sym->mod->name, "Main") != 0 && strcmp(t->sym->mod->name, "Prelude") != 0) {
        sb_puts(b, t->sym->mod->name);
        sb_puts(b, ".");
    }
    sb_puts(b, name);
    if (t->nargs) {
        sb_puts(b, "<");
        for (int i = 0; i < t->nargs; i++) {
            if (i) sb_puts(b, ", ");
            show(b, sc, t->args[i], depth + 1);
        }
        sb_puts(b, ">");
    }
}

#define NRING 16
static char *ring[NRING];
static int ring_pos;

/* Letters that declared type parameters of `t` are called (ShowCtx.taken). */
static void taken_letters(ShowCtx *sc, Type *t, int depth, int *budget) {
    t = ty_prune(t);
    if (!t || depth > 40 || --*budget < 0) return; /* types are DAGs: bounded walk */
    if (t->kind == TYK_VAR) {
        if (t->name && t->name[0] >= 'a' && t->name[0] <= 'z' && !t->name[1]) sc->taken |= 1u << (t->name[0] - 'a');
        return;
    }
    for (int i = 0; i < t->nargs; i++) taken_letters(sc, t->args[i], depth + 1, budget);
}

const char *ty_str(ShowCtx *sc, Type *t) {
    SB b;
    sb_init(&b);
    if (sc) {
        int budget = 2000;
        taken_letters(sc, t, 0, &budget);
    }
    show(&b, sc, t, 0);
    free(ring[ring_pos]);
    char *text = sb_detach(&b);
    ring[ring_pos] = text;
    ring_pos = (ring_pos + 1) % NRING;
    return text;
}

void ty_show_reset(void) {
    for (int i = 0; i < NRING; i++) {
        free(ring[i]);
        ring[i] = NULL;
    }
    ring_pos = 0;
    qualify_names = false;
    inst_what = NULL;
}

char *ty_show(Type *t) {
    SB b;
    sb_init(&b);
    ShowCtx sc = {.nvars = 0};
    int budget = 2000;
    taken_letters(&sc, t, 0, &budget);
    show(&b, &sc, t, 0);
    return sb_detach(&b);
}

/* ---- pointer map ----------------------------------------------------------------------- */

static uint32_t phash(const void *p) {
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (uint32_t)x;
}

void *pm_get(const PtrMap *m, const void *k) {
    if (!m->cap) return NULL;
    uint32_t j = phash(k) & (m->cap - 1);
    while (m->keys[j]) {
        if (m->keys[j] == k) return m->vals[j];
        j = (j + 1) & (m->cap - 1);
    }
    return NULL;
}

void pm_put(PtrMap *m, const void *k, void *v) {
    if ((m->n + 1) * 2 > m->cap) {
        uint32_t nc = m->cap ? m->cap * 2 : 64;
        const void **nk = xcalloc(nc, sizeof *nk);
        void **nv = xcalloc(nc, sizeof *nv);
        for (uint32_t i = 0; i < m->cap; i++) {
            if (!m->keys[i]) continue;
            uint32_t j = phash(m->keys[i]) & (nc - 1);
            while (nk[j]) j = (j + 1) & (nc - 1);
            nk[j] = m->keys[i];
            nv[j] = m->vals[i];
        }
        free(m->keys);
        free(m->vals);
        m->keys = nk;
        m->vals = nv;
        m->cap = nc;
    }
    uint32_t j = phash(k) & (m->cap - 1);
    while (m->keys[j] && m->keys[j] != k) j = (j + 1) & (m->cap - 1);
    if (!m->keys[j]) m->n++;
    m->keys[j] = k;
    m->vals[j] = v;
}

void pm_free(PtrMap *m) {
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}
