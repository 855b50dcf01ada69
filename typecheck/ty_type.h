/* ty_type.h — the type checker's types: representation, union-find
 * unification with occurs check, levels, generalisation and instantiation
 * (language.md §4.1, §4.3).
 *
 * A Type is a node of a DAG.  Variables are union-find cells: `link` points
 * at what a variable was bound to (ty_prune follows and compresses).  Levels
 * implement let-polymorphism the OCaml way: a variable remembers the deepest
 * binding level it may escape to; ty_generalize marks variables deeper than
 * the current level as generic (quantified) *in place*, and ty_instantiate
 * copies a type replacing generic variables by fresh ones.  A scheme is thus
 * just a type containing generic variables.
 *
 * Variables carry trait requirements (Bound lists): `x == y` on an unknown
 * type puts an `Eq` bound on the variable; when the variable is bound to a
 * concrete type the requirement is checked (ty_trait.c, ty_require).  Bounds
 * survive generalisation and are copied by instantiation, which is how
 * where-clauses and inferred constraints are checked at every use.
 *
 * Invariants: a generic variable is never bound; `link` is set only on
 * variables; the occurs check keeps every type finite. */
#ifndef SNOW_TY_TYPE_H
#define SNOW_TY_TYPE_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "source.h"
#include "ty.h"

/* Internal kinds beyond ty.h's public TyKindPub. */
enum {
    TYK_ERROR = 100, /* the type of an erroneous expression: unifies with all, silently */
    TYK_ANYTUPLE,    /* the stdlib's `Tuple`: unifies with any tuple */
};

enum {
    TF_RIGID = 1 << 0,   /* a declared type parameter while its definition is checked */
    TF_GENERIC = 1 << 1, /* quantified: only ever copied by ty_instantiate */
    TF_GROUND = 1 << 2,  /* no type variable anywhere inside (set when built): the
                          * walkers (instantiate, generalise, occurs, ...) skip it,
                          * so a deep concrete type costs nothing per use */
};

/* Pseudo-traits: requirements that are not interfaces. */
typedef enum TraitPseudo {
    PT_NONE = 0,
    PT_SHOW,   /* printable by interpolation: Display or Debug (§6.2) */
    PT_NUM,    /* Int or Float (unary minus, Math.abs/min/max) */
    PT_CONCAT, /* String or List (`<>`, `++`) */
    PT_JSON,   /* JSON-serialisable (Json.encode, §13.2) */
} TraitPseudo;

/* A requirement on a type: it must implement an interface or a pseudo-trait. */
typedef struct Bound {
    struct Bound *next;
    Sym *iface;        /* S_INTERFACE, or NULL for a pseudo-trait */
    TraitPseudo pseudo;
    Span origin;       /* where the requirement is checked (reported here) */
    const char *what;  /* label at `origin`, e.g. "`<` needs `Ord`" (may be NULL) */
    Span decl;         /* where it was declared (where-clause, operator...) */
    const char *why;   /* label for `decl`, e.g. "required by this bound" */
} Bound;

struct Type {
    uint8_t kind;      /* TyKindPub or TYK_ERROR / TYK_ANYTUPLE */
    uint8_t flags;     /* TF_* (variables) */
    int32_t nargs;     /* (not 16 bits: a 65535-parameter function must not wrap) */
    uint32_t id;       /* variables: creation number */
    int level;         /* variables: binding level */
    Type *link;        /* variables: what it was bound to */
    Type **args;
    Sym *sym;          /* TYK_USER: the S_STRUCT / S_SUMTYPE */
    const char *name;  /* TYK_OTHER: opaque name; rigid variables: the declared name */
    Bound *bounds;     /* variables: requirements */
    Type *inst;        /* scratch for ty_instantiate */
    uint32_t inst_gen;
};

/* ---- construction ---------------------------------------------------------- */

void ty_types_reset(void); /* start of a checking run */
Type *ty_var(void);        /* fresh flexible variable at the current level */
Type *ty_rigid(const char *name);
Type *ty_basic(int kind);  /* Int, Float, Bool, String, (), Never, Range, Ref, Json, error */
Type *ty_error(void);
Type *ty_con1(int kind, Type *a);            /* List<a>, Set<a>, Queue<a>, Pid<a> */
Type *ty_con2(int kind, Type *a, Type *b);   /* Map<a, b> */
Type *ty_conn(int kind, int n, Type **args); /* tuples, functions (params..., ret) */
Type *ty_fun(int nparams, Type **params, Type *ret);
Type *ty_user(Sym *type_sym, int n, Type **args);
Type *ty_other(const char *name);
Type *ty_pid_untyped(void);

static inline Type *ty_fun_ret(Type *f) { return f->args[f->nargs - 1]; }
static inline int ty_fun_arity(Type *f) { return (int)f->nargs - 1; }

/* ---- levels and schemes ------------------------------------------------------- */

void ty_enter_level(void);
void ty_leave_level(void);
int ty_current_level(void);
/* Mark variables deeper than the current level as generic. */
void ty_generalize(Type *t);
/* Mark every unbound variable of t generic (building a scheme directly). */
void ty_make_generic(Type *t);
/* Copy `t` with fresh variables for its generic ones.  Bounds of the copies
 * get `site` as their origin (unless site.file == UINT32_MAX). */
Type *ty_instantiate(Type *t, Span site);
/* Same, also replacing the bounds' primary label (e.g. "required by `f`"). */
Type *ty_instantiate_at(Type *t, Span site, const char *what);
/* Instantiate several types sharing one substitution (an actor's function
 * type and message type). */
void ty_instantiate_many(Type **ts, int n, Span site);
/* Keep the variables of `t` out of the next generalisation (lowers their
 * levels to the current one): used for types a pending lookup depends on. */
void ty_pin(Type *t);

/* ---- unification ----------------------------------------------------------------- */

typedef enum UResult { U_OK = 0, U_MISMATCH, U_OCCURS } UResult;
typedef struct UErr {
    UResult r;
    Type *a, *b; /* innermost failing pair (U_OCCURS: the variable and the type) */
} UErr;

/* Unify; on failure some variables may already be bound (as usual). */
UResult ty_unify(Type *a, Type *b, UErr *err);

/* Is the (pruned) type a still-unknown variable? */
bool ty_is_var(Type *t);
bool ty_is_error(Type *t);
/* Does a variable occur anywhere (not yet resolved) inside t? */
bool ty_has_vars(Type *t);

/* Attach a requirement to a variable (deduplicated); used by ty_require. */
void ty_add_bound(Type *var, const Bound *b);

/* ---- printing --------------------------------------------------------------------- */

/* Printing context: unnamed variables are shown as a, b, c, ... (then a1,
 * b1, ...) in order of first appearance, shared by every type printed
 * through the same context (so "expected a, found List<a>" is consistent).
 * Variables with a declared name (type parameters) keep it; a letter a
 * declared parameter uses in the type being printed is skipped.
 * Initialise with `ShowCtx sc = {0};`. */
#define SHOW_MAXVARS 64
typedef struct ShowCtx {
    Type *vars[SHOW_MAXVARS];
    char names[SHOW_MAXVARS][8];
    int nvars;
    int next;       /* next letter number to try */
    uint32_t taken; /* bit i: letter 'a' + i is a declared parameter's name */
} ShowCtx;

/* Snow syntax for a type; the result is valid until the next 16 calls. */
const char *ty_str(ShowCtx *sc, Type *t);
/* Qualify user type names with their module (multi-module builds). */
void ty_set_qualify(bool on);
/* Free the printed-type ring (see ty_reset). */
void ty_show_reset(void);

/* ---- small pointer map ------------------------------------------------------------- */

typedef struct PtrMap {
    const void **keys;
    void **vals;
    uint32_t cap, n;
} PtrMap;

void *pm_get(const PtrMap *m, const void *k);
void pm_put(PtrMap *m, const void *k, void *v);
void pm_free(PtrMap *m);

#endif
