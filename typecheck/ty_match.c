/* ty_match.c — exhaustiveness and redundancy (see ty_match.h).
 *
 * Patterns are first abstracted: a constructor (with a number inside its
 * type's signature and sub-patterns), a literal of an infinite type, a
 * wildcard, or an or-pattern.  Lists are the two constructors `[]` and
 * `::` (so `[a, b]` is a :: b :: []).  Then the classic algorithm: a row
 * is useful against a matrix when some value matches it and no earlier row;
 * the missing values of a match are the witnesses of usefulness of `_`. */
#include "ty_match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sb.h"
#include "xalloc.h"

/* ---- abstract patterns ------------------------------------------------------------- */

typedef enum { AP_WILD, AP_CTOR, AP_LIT, AP_OR } APKind;

typedef struct AP AP;
struct AP {
    APKind kind;
    int ctor;     /* AP_CTOR: index in the signature */
    int n;        /* AP_CTOR: arity; AP_OR: alternatives */
    AP **args;
    Type *ty;     /* the pattern's type (may be a variable) */
    int lk;       /* AP_LIT: N_INT / N_FLOAT / N_STRING */
    int64_t i;
    double f;
    const char *s;
    uint32_t sn;
};

/* everything of one check lives in this pool */
typedef struct Pool {
    void **blocks;
    size_t n, cap;
} Pool;

static Pool pool;
static long steps;
#define STEP_LIMIT 400000

static void *palloc(size_t sz) {
    void *p = xcalloc(1, sz ? sz : 1);
    if (pool.n == pool.cap) {
        pool.cap = pool.cap ? pool.cap * 2 : 256;
        pool.blocks = xrealloc(pool.blocks, pool.cap * sizeof *pool.blocks);
    }
    pool.blocks[pool.n++] = p;
    return p;
}

static void pool_free(void) {
    for (size_t i = 0; i < pool.n; i++) free(pool.blocks[i]);
    pool.n = 0;
}

static AP WILD_AP = {AP_WILD, 0, 0, NULL, NULL, 0, 0, 0, NULL, 0};

static AP *wild(Type *t) {
    if (!t) return &WILD_AP;
    AP *a = palloc(sizeof *a);
    a->kind = AP_WILD;
    a->ty = t;
    return a;
}

/* ---- signatures ----------------------------------------------------------------------- */

enum { LIST_NIL = 0, LIST_CONS = 1 };

/* Number of constructors of t, or -1 when infinite/unknown. */
static int sig_size(Type *t) {
    t = ty_prune(t);
    if (!t) return -1;
    switch (t->kind) {
    case TYK_BOOL: return 2;
    case TYK_UNIT: return 1;
    case TYK_TUPLE: return 1;
    case TYK_LIST: return 2;
    case TYK_USER: {
        TypeInfo *ti = ty_info(t->sym);
        if (!ti || ti->is_struct) return -1;
        return ti->nvariants;
    }
    default: return -1;
    }
}

static int ctor_arity(Type *t, int c) {
    t = ty_prune(t);
    switch (t->kind) {
    case TYK_TUPLE: return t->nargs;
    case TYK_LIST: return c == LIST_CONS ? 2 : 0;
    case TYK_USER: {
        TypeInfo *ti = ty_info(t->sym);
        return ti && c < ti->nvariants ? ti->variants[c].nfields : 0;
    }
    default: return 0;
    }
}

static void ctor_arg_types(Type *t, int c, Type **out) {
    t = ty_prune(t);
    if (!t) return;
    switch (t->kind) {
    case TYK_TUPLE:
        for (int i = 0; i < t->nargs; i++) out[i] = t->args[i];
        break;
    case TYK_LIST:
        if (c == LIST_CONS) {
            out[0] = t->args[0];
            out[1] = t;
        }
        break;
    case TYK_USER: {
        TypeInfo *ti = ty_info(t->sym);
        if (ti && c < ti->nvariants) ty_variant_fields(ti, c, t, out);
        break;
    }
    default: break;
    }
}

/* ---- abstraction ------------------------------------------------------------------------ */

static AP *abstract(Node *p, bool cons_wild);

static AP *mk_ctor(Type *t, int c, int n) {
    AP *a = palloc(sizeof *a);
    a->kind = AP_CTOR;
    a->ctor = c;
    a->n = n;
    a->args = palloc((size_t)(n + 1) * sizeof *a->args);
    a->ty = t;
    return a;
}

static AP *abstract(Node *p, bool cons_wild) {
    if (!p) return &WILD_AP;
    Type *t = p->ty;
    switch (p->kind) {
    case P_WILD: case P_BIND: return wild(t);
    case P_AS: return abstract(p->as_.pat, cons_wild);
    case P_LIT: {
        Node *l = p->pat_lit.lit;
        if (l->kind == N_BOOL) return mk_ctor(t, l->lit.i ? 1 : 0, 0);
        if (l->kind == N_UNIT) return mk_ctor(t, 0, 0);
        AP *a = palloc(sizeof *a);
        a->kind = AP_LIT;
        a->ty = t;
        a->lk = l->kind;
        a->i = l->lit.i;
        a->f = l->lit.f;
        a->s = l->lit.s;
        a->sn = l->lit.n;
        return a;
    }
    case P_CTOR: {
        Sym *c = p->sym;
        if (!c || c->kind != S_CTOR) return wild(t);
        TypeInfo *ti = ty_info(c->owner);
        int nf = ti && (int)c->index < ti->nvariants ? ti->variants[c->index].nfields : 0;
        AP *a = mk_ctor(t, (int)c->index, nf);
        for (int i = 0; i < nf; i++)
            a->args[i] = (uint32_t)i < p->ctor.args.n ? abstract(p->ctor.args.v[i], cons_wild) : &WILD_AP;
        return a;
    }
    case P_TUPLE: {
        int n = (int)p->list.items.n;
        if (n == 0) return mk_ctor(t, 0, 0);
        if (n == 1) return abstract(p->list.items.v[0], cons_wild);
        AP *a = mk_ctor(t, 0, n);
        for (int i = 0; i < n; i++) a->args[i] = abstract(p->list.items.v[i], cons_wild);
        return a;
    }
    case P_LIST: {
        int n = (int)p->list.items.n;
        AP *tail = mk_ctor(t, LIST_NIL, 0);
        for (int i = n - 1; i >= 0; i--) {
            AP *c = mk_ctor(t, LIST_CONS, 2);
            c->args[0] = abstract(p->list.items.v[i], cons_wild);
            c->args[1] = tail;
            tail = c;
        }
        return tail;
    }
    case P_CONS: {
        if (cons_wild) return wild(t); /* the original's view (decision 14) */
        AP *c = mk_ctor(t, LIST_CONS, 2);
        c->args[0] = abstract(p->bin.lhs, cons_wild);
        c->args[1] = abstract(p->bin.rhs, cons_wild);
        return c;
    }
    case P_OR: {
        AP *a = palloc(sizeof *a);
        a->kind = AP_OR;
        a->ty = t;
        a->n = (int)p->list.items.n;
        a->args = palloc((size_t)(a->n + 1) * sizeof *a->args);
        for (int i = 0; i < a->n; i++) a->args[i] = abstract(p->list.items.v[i], cons_wild);
        return a;
    }
    default: return wild(t);
    }
}

/* ---- matrices ------------------------------------------------------------------------------ */

typedef struct Row {
    AP **v;
} Row;

typedef struct Matrix {
    Row *rows;
    int n, cap;
    int width;
} Matrix;

static void mpush(Matrix *m, AP **v) {
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 8;
        Row *nr = palloc((size_t)m->cap * sizeof *nr);
        if (m->n) memcpy(nr, m->rows, (size_t)m->n * sizeof *nr);
        m->rows = nr;
    }
    m->rows[m->n++].v = v;
}

/* Push a row, expanding an or-pattern in its first column. */
static void mpush_expanded(Matrix *m, AP **v) {
    if (m->width > 0 && v[0]->kind == AP_OR) {
        for (int a = 0; a < v[0]->n; a++) {
            AP **nv = palloc((size_t)m->width * sizeof *nv);
            memcpy(nv, v, (size_t)m->width * sizeof *nv);
            nv[0] = v[0]->args[a];
            mpush_expanded(m, nv);
        }
        return;
    }
    mpush(m, v);
}

static bool lit_eq(AP *a, AP *b) {
    if (a->lk != b->lk) return false;
    switch (a->lk) {
    case N_INT: return a->i == b->i;
    case N_FLOAT: return a->f == b->f;
    case N_STRING: return a->sn == b->sn && (a->sn == 0 || memcmp(a->s, b->s, a->sn) == 0);
    default: return false;
    }
}

/* Specialise by constructor c (arity a) / by literal l. */
static Matrix specialize(Matrix *m, int c, int a, AP *lit) {
    Matrix r = {NULL, 0, 0, m->width - 1 + a};
    for (int i = 0; i < m->n; i++) {
        AP **v = m->rows[i].v;
        AP *h = v[0];
        AP **nv = palloc((size_t)(r.width + 1) * sizeof *nv);
        if (lit) {
            if (h->kind == AP_LIT && !lit_eq(h, lit)) continue;
            if (h->kind == AP_CTOR) continue;
        } else {
            if (h->kind == AP_CTOR && h->ctor != c) continue;
            if (h->kind == AP_LIT) continue;
        }
        for (int k = 0; k < a; k++) nv[k] = h->kind == AP_CTOR && k < h->n ? h->args[k] : &WILD_AP;
        for (int k = 1; k < m->width; k++) nv[a + k - 1] = v[k];
        mpush_expanded(&r, nv);
    }
    return r;
}

static Matrix default_matrix(Matrix *m) {
    Matrix r = {NULL, 0, 0, m->width - 1};
    for (int i = 0; i < m->n; i++) {
        AP **v = m->rows[i].v;
        if (v[0]->kind != AP_WILD) continue;
        AP **nv = palloc((size_t)(r.width + 1) * sizeof *nv);
        for (int k = 1; k < m->width; k++) nv[k - 1] = v[k];
        mpush_expanded(&r, nv);
    }
    return r;
}

/* The type of column 0: the declared one, or one a pattern knows. */
static Type *col_type(Matrix *m, Type *declared) {
    Type *d = ty_prune(declared);
    if (d && d->kind != TYK_VAR && d->kind != TYK_ERROR) return d;
    for (int i = 0; i < m->n; i++) {
        Type *t = ty_prune(m->rows[i].v[0]->ty);
        if (t && t->kind != TYK_VAR && t->kind != TYK_ERROR) return t;
    }
    return d;
}

/* Which constructors head column 0 (seen[c] for c < size). */
static int head_ctors(Matrix *m, int size, bool *seen) {
    int count = 0;
    for (int i = 0; i < m->n; i++) {
        AP *h = m->rows[i].v[0];
        if (h->kind == AP_CTOR && h->ctor < size && !seen[h->ctor]) {
            seen[h->ctor] = true;
            count++;
        }
    }
    return count;
}

/* ---- usefulness --------------------------------------------------------------------------------- */

static bool useful(Matrix *m, AP **q, Type **types) {
    if (++steps > STEP_LIMIT) return false;
    if (m->width == 0) return m->n == 0;
    AP *h = q[0];
    if (h->kind == AP_OR) {
        for (int a = 0; a < h->n; a++) {
            AP **nq = palloc((size_t)m->width * sizeof *nq);
            memcpy(nq, q, (size_t)m->width * sizeof *nq);
            nq[0] = h->args[a];
            if (useful(m, nq, types)) return true;
        }
        return false;
    }
    Type *t = col_type(m, types[0]);
    if (!t || (t->kind == TYK_VAR && h->ty)) t = ty_prune(h->ty) ? ty_prune(h->ty) : t;
    if (h->kind == AP_CTOR || h->kind == AP_LIT) {
        int a = h->kind == AP_CTOR ? h->n : 0;
        Matrix s = specialize(m, h->ctor, a, h->kind == AP_LIT ? h : NULL);
        AP **nq = palloc((size_t)(s.width + 1) * sizeof *nq);
        Type **nt = palloc((size_t)(s.width + 1) * sizeof *nt);
        Type *at[64] = {0};
        if (a > 64) return false;
        if (h->kind == AP_CTOR) ctor_arg_types(t ? t : h->ty, h->ctor, at);
        for (int k = 0; k < a; k++) {
            nq[k] = h->args[k];
            nt[k] = h->kind == AP_CTOR ? at[k] : NULL;
        }
        for (int k = 1; k < m->width; k++) {
            nq[a + k - 1] = q[k];
            nt[a + k - 1] = types[k];
        }
        return useful(&s, nq, nt);
    }
    /* wildcard */
    int size = t ? sig_size(t) : -1;
    if (size > 0 && size <= 4096) {
        bool *seen = palloc((size_t)size);
        int count = head_ctors(m, size, seen);
        if (count == size) {
            for (int c = 0; c < size; c++) {
                int a = ctor_arity(t, c);
                if (a > 64) return false;
                Matrix s = specialize(m, c, a, NULL);
                AP **nq = palloc((size_t)(s.width + 1) * sizeof *nq);
                Type **nt = palloc((size_t)(s.width + 1) * sizeof *nt);
                Type *at[64] = {0};
                ctor_arg_types(t, c, at);
                for (int k = 0; k < a; k++) {
                    nq[k] = &WILD_AP;
                    nt[k] = at[k];
                }
                for (int k = 1; k < m->width; k++) {
                    nq[a + k - 1] = q[k];
                    nt[a + k - 1] = types[k];
                }
                if (useful(&s, nq, nt)) return true;
            }
            return false;
        }
    }
    Matrix d = default_matrix(m);
    return useful(&d, q + 1, types + 1);
}

/* ---- missing values (witnesses) ----------------------------------------------------------------- */

typedef struct WList {
    AP ***v; /* each a vector of `width` witnesses */
    int n, cap;
} WList;

#define MAX_WITNESSES 8

static void wpush(WList *l, AP **w) {
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        AP ***nv = palloc((size_t)l->cap * sizeof *nv);
        if (l->n) memcpy(nv, l->v, (size_t)l->n * sizeof *nv);
        l->v = nv;
    }
    l->v[l->n++] = w;
}

static WList missing(Matrix *m, Type **types) {
    WList out = {NULL, 0, 0};
    if (++steps > STEP_LIMIT) return out;
    int width = m->width;
    if (width == 0) {
        if (m->n == 0) wpush(&out, palloc(sizeof(AP *)));
        return out;
    }
    Type *t = col_type(m, types[0]);
    int size = t ? sig_size(t) : -1;
    bool *seen = NULL;
    int count = 0;
    if (size > 0 && size <= 4096) {
        seen = palloc((size_t)size);
        count = head_ctors(m, size, seen);
    }
    if (size > 0 && size <= 4096 && count == size) {
        for (int c = 0; c < size && out.n < MAX_WITNESSES; c++) {
            int a = ctor_arity(t, c);
            if (a > 64) continue;
            Matrix s = specialize(m, c, a, NULL);
            Type **nt = palloc((size_t)(s.width + 1) * sizeof *nt);
            Type *at[64] = {0};
            ctor_arg_types(t, c, at);
            for (int k = 0; k < a; k++) nt[k] = at[k];
            for (int k = 1; k < width; k++) nt[a + k - 1] = types[k];
            WList sub = missing(&s, nt);
            for (int w = 0; w < sub.n && out.n < MAX_WITNESSES; w++) {
                AP **v = palloc((size_t)width * sizeof *v);
                AP *ctor = mk_ctor(t, c, a);
                for (int k = 0; k < a; k++) ctor->args[k] = sub.v[w][k];
                v[0] = ctor;
                for (int k = 1; k < width; k++) v[k] = sub.v[w][a + k - 1];
                wpush(&out, v);
            }
        }
        return out;
    }
    Matrix d = default_matrix(m);
    WList sub = missing(&d, types + 1);
    if (sub.n == 0) return out;
    bool listed = size > 0 && size <= 4096 && count > 0;
    for (int w = 0; w < sub.n && out.n < MAX_WITNESSES; w++) {
        if (!listed) {
            AP **v = palloc((size_t)width * sizeof *v);
            v[0] = wild(t);
            for (int k = 1; k < width; k++) v[k] = sub.v[w][k - 1];
            wpush(&out, v);
            continue;
        }
        for (int c = 0; c < size && out.n < MAX_WITNESSES; c++) {
            if (seen[c]) continue;
            int a = ctor_arity(t, c);
            AP **v = palloc((size_t)width * sizeof *v);
            AP *ctor = mk_ctor(t, c, a);
            for (int k = 0; k < a; k++) ctor->args[k] = &WILD_AP;
            v[0] = ctor;
            for (int k = 1; k < width; k++) v[k] = sub.v[w][k - 1];
            wpush(&out, v);
        }
    }
    return out;
}

/* ---- printing witnesses ------------------------------------------------------------------------ */

/* A witness list longer than this is cut with "..." (diagnostics stay short). */
enum { WITNESS_TEXT_MAX = 508 };

static void sput(SB *b, const char *s) {
    size_t l = strlen(s);
    if (b->len + l >= WITNESS_TEXT_MAX) {
        if (b->len < WITNESS_TEXT_MAX) sb_put(b, "...", 3);
        return;
    }
    sb_put(b, s, l);
}

static void print_ap(SB *b, AP *a) {
    if (!a || a->kind != AP_CTOR) {
        sput(b, "_");
        return;
    }
    Type *t = ty_prune(a->ty);
    switch (t ? t->kind : TYK_VAR) {
    case TYK_BOOL: sput(b, a->ctor ? "true" : "false"); return;
    case TYK_UNIT: sput(b, "()"); return;
    case TYK_TUPLE:
        sput(b, "(");
        for (int i = 0; i < a->n; i++) {
            if (i) sput(b, ", ");
            print_ap(b, a->args[i]);
        }
        sput(b, ")");
        return;
    case TYK_LIST: {
        if (a->ctor == LIST_NIL) {
            sput(b, "[]");
            return;
        }
        /* [a, b] when the chain ends in [], else a :: b :: _ */
        AP *x = a;
        bool closed = true;
        while (x && x->kind == AP_CTOR && x->ctor == LIST_CONS) x = x->args[1];
        if (!x || x->kind != AP_CTOR) closed = false;
        x = a;
        if (closed) sput(b, "[");
        bool first = true;
        while (x && x->kind == AP_CTOR && x->ctor == LIST_CONS) {
            if (!first) sput(b, closed ? ", " : " :: ");
            print_ap(b, x->args[0]);
            first = false;
            x = x->args[1];
        }
        if (closed) sput(b, "]");
        else sput(b, " :: _");
        return;
    }
    case TYK_USER: {
        TypeInfo *ti = ty_info(t->sym);
        if (!ti || a->ctor >= ti->nvariants) {
            sput(b, "_");
            return;
        }
        sput(b, ti->variants[a->ctor].name);
        if (a->n) {
            sput(b, "(");
            for (int i = 0; i < a->n; i++) {
                if (i) sput(b, ", ");
                print_ap(b, a->args[i]);
            }
            sput(b, ")");
        }
        return;
    }
    default: sput(b, "_"); return;
    }
}

static void print_witnesses(SB *b, WList *w, int width, const char *fname) {
    for (int i = 0; i < w->n; i++) {
        if (i) sput(b, ", ");
        if (fname) {
            sput(b, fname);
            sput(b, "(");
            for (int k = 0; k < width; k++) {
                if (k) sput(b, ", ");
                print_ap(b, w->v[i][k]);
            }
            sput(b, ")");
        } else {
            print_ap(b, w->v[i][0]);
        }
    }
    if (w->n >= MAX_WITNESSES) sput(b, ", ...");
}

/* ---- the checks ------------------------------------------------------------------------------------ */

bool ty_is_signal_pattern(Node *p) {
    if (!p) return false;
    if (p->kind == P_AS) return ty_is_signal_pattern(p->as_.pat);
    if (p->kind == P_CTOR) return ty_is_signal_ctor(p->sym);
    if (p->kind == P_OR) {
        for (uint32_t i = 0; i < p->list.items.n; i++)
            if (!ty_is_signal_pattern(p->list.items.v[i])) return false;
        return p->list.items.n > 0;
    }
    return false;
}

typedef struct Arm {
    AP **v;        /* the row */
    bool guarded;
    Span span;     /* for W0001 */
} Arm;

static WList run_missing(Arm *arms, int n, int width, Type **types) {
    Matrix m = {NULL, 0, 0, width};
    for (int i = 0; i < n; i++)
        if (!arms[i].guarded) mpush_expanded(&m, arms[i].v);
    return missing(&m, types);
}

static void check_redundancy(Arm *arms, int n, int width, Type **types, const char *what) {
    Matrix m = {NULL, 0, 0, width};
    for (int i = 0; i < n; i++) {
        if (i > 0 && m.n > 0 && !useful(&m, arms[i].v, types) && steps <= STEP_LIMIT) {
            Diag *d = diag_new(DIAG_WARNING, "W0001", arms[i].span, "redundant %s (%s %d)",
                               strcmp(what, "arm") == 0 ? "match arm" : what, what, i + 1);
            diag_primary(d, "this %s is unreachable", what);
            diag_note(d, "the %ss before it already match every value it matches", what);
            diag_emit(d);
        }
        if (!arms[i].guarded) mpush_expanded(&m, arms[i].v);
    }
}

void ty_match_check(MatchKind k, Node *node, Type *scrut, Node **clauses, int n, const char *name) {
    steps = 0;
    if (ty_is_error(scrut)) return; /* already reported */
    int width = 1;
    Type **types;
    Arm *arms;
    int narms = 0;
    switch (k) {
    case MK_CASE: case MK_RECEIVE: {
        NodeList al = k == MK_CASE ? node->case_.arms : node->recv.arms;
        arms = palloc((al.n + 1) * sizeof *arms);
        types = palloc(2 * sizeof *types);
        types[0] = scrut;
        for (uint32_t i = 0; i < al.n; i++) {
            Node *arm = al.v[i];
            if (k == MK_RECEIVE && ty_is_signal_pattern(arm->arm.pat)) continue;
            arms[narms].v = palloc(sizeof(AP *));
            arms[narms].v[0] = abstract(arm->arm.pat, false);
            arms[narms].guarded = arm->arm.guard != NULL;
            arms[narms].span = arm->arm.pat->span;
            narms++;
        }
        if (k == MK_RECEIVE) {
            Type *t = ty_prune(scrut);
            if (narms == 0 || !t || t->kind == TYK_VAR || t->kind == TYK_ERROR) {
                pool_free();
                return;
            }
        }
        break;
    }
    case MK_CLAUSES: case MK_CLOSURE: {
        Type *f = ty_prune(scrut);
        if (!f || f->kind != TYK_FUN) return;
        width = ty_fun_arity(f);
        if (width == 0) return;
        types = palloc((size_t)(width + 1) * sizeof *types);
        for (int i = 0; i < width; i++) types[i] = f->args[i];
        arms = palloc((size_t)(n + 1) * sizeof *arms);
        for (int c = 0; c < n; c++) {
            Node *cl = clauses[c];
            NodeList ps = k == MK_CLAUSES ? cl->fn.params : cl->clause.params;
            if ((int)ps.n != width) continue;
            arms[narms].v = palloc((size_t)width * sizeof(AP *));
            for (int i = 0; i < width; i++) arms[narms].v[i] = abstract(ps.v[i], false);
            arms[narms].guarded = (k == MK_CLAUSES ? cl->fn.guard : cl->clause.guard) != NULL;
            arms[narms].span = k == MK_CLAUSES ? cl->fn.name.span : cl->span;
            narms++;
        }
        break;
    }
    default: return;
    }
    check_redundancy(arms, narms, width, types, k == MK_CASE || k == MK_RECEIVE ? "arm" : "clause");
    steps = 0;
    WList w = run_missing(arms, narms, width, types);
    if (w.n == 0 || steps > STEP_LIMIT) {
        pool_free();
        return;
    }
    ShowCtx sc = {0};
    SB b;
    sb_init(&b);
    if (k == MK_CASE) {
        /* decision 14: a list matched only with h :: t stays accepted, with a warning */
        steps = 0;
        Arm *loose = palloc((size_t)(narms + 1) * sizeof *loose);
        for (int i = 0; i < narms; i++) {
            loose[i] = arms[i];
            loose[i].v = palloc(sizeof(AP *));
            Node *pat = node->case_.arms.v[i]->arm.pat;
            loose[i].v[0] = abstract(pat, true);
        }
        WList w2 = run_missing(loose, narms, 1, types);
        bool warn_only = w2.n == 0 && steps <= STEP_LIMIT;
        print_witnesses(&b, &w, 1, NULL);
        Diag *d = diag_new(warn_only ? DIAG_WARNING : DIAG_ERROR, "E0012", node->span, "non-exhaustive match on `%s`",
                           ty_str(&sc, scrut));
        diag_primary(d, "missing: %s", sb_cstr(&b));
        if (warn_only) diag_note(d, "matching `[]` here panics with `non-exhaustive match` at run time");
        diag_help(d, "add the missing patterns or a wildcard `_` arm");
        diag_emit(d);
    } else if (k == MK_RECEIVE) {
        print_witnesses(&b, &w, 1, NULL);
        Diag *d = diag_new(DIAG_WARNING, "E0012", node->span, "non-exhaustive receive on `%s`", ty_str(&sc, scrut));
        diag_primary(d, "missing: %s", sb_cstr(&b));
        diag_note(d, "messages that match no arm stay in the mailbox until a later `receive` takes them");
        diag_emit(d);
    } else {
        print_witnesses(&b, &w, width, name ? name : "fn");
        Span at = k == MK_CLAUSES ? node->fn.name.span : node->span;
        Diag *d = k == MK_CLAUSES && name
                      ? diag_new(DIAG_WARNING, "E0012", at, "non-exhaustive clauses of function `%s`", name)
                      : diag_new(DIAG_WARNING, "E0012", at, "non-exhaustive closure clauses");
        diag_primary(d, "missing: %s", sb_cstr(&b));
        diag_note(d, "a call with such arguments panics with `non-exhaustive match`");
        diag_emit(d);
    }
    sb_free(&b);
    pool_free();
}
