/* ty_trait.h — interfaces, impls and deriving (language.md §4.8, §4.9,
 * §5.7, §6.2; spec/README.md decision 22).
 *
 * Which types implement what:
 *   - built-in types implement the protocols of the spec's tables (Int and
 *     Float: Eq Ord Hash Display Debug Add Sub Mul Div Mod Default; Bool: no
 *     Ord; String: no arithmetic; List<T>: Eq/Ord when T does; Option,
 *     Result, tuples, maps, sets, unit and functions: printable only);
 *   - user types implement their derived traits (an explicit deriving list,
 *     or the default set kept only where every field supports it) and every
 *     trait they have an impl for.
 * ty_require checks a requirement on a type, reporting E0006 where it fails,
 * or remembers it on a type variable until the variable is known. */
#ifndef SNOW_TY_TRAIT_H
#define SNOW_TY_TRAIT_H

#include "ty_decl.h"
#include "ty_type.h"

typedef struct IfaceMethod {
    const char *name;
    Node *fn;        /* N_FN in the interface (body = default, or NULL) */
    bool has_self;   /* first parameter is `self` */
} IfaceMethod;

typedef struct IfaceInfo {
    Sym *sym;
    Node *def;       /* N_INTERFACE */
    int nmethods;
    IfaceMethod *methods;
} IfaceInfo;

typedef struct ImplInfo {
    Node *node;      /* N_IMPL */
    Sym *trait;      /* S_INTERFACE */
    IfaceInfo *iface;
    Sym *target_sym; /* S_STRUCT / S_SUMTYPE, or NULL for a built-in type */
    int target_kind; /* TYK_USER or the built-in kind */
    bool ok;         /* well-formed and not a duplicate */
} ImplInfo;

/* Prelude protocols. */
typedef struct Protocols {
    Sym *eq, *ord, *display, *debug, *hash, *add, *sub, *mul, *div, *mod, *dflt;
} Protocols;
extern Protocols ty_proto;

/* Build interface and impl tables (E0007, E0026, E0008 on annotations) and
 * compute every type's derived traits (E0028, E0029, E0038, E0039). */
void ty_traits_build(Module **mods, uint32_t nmods);
/* Forget everything (the AST arena is being freed; see ty_reset). */
void ty_trait_reset(void);

IfaceInfo *ty_iface(Sym *iface);
IfaceMethod *ty_iface_method(IfaceInfo *ii, const char *name);
ImplInfo **ty_all_impls(uint32_t *n);
ImplInfo *ty_impl_info(Node *impl);
/* The impl of `trait` for the head of type t (or NULL). */
ImplInfo *ty_find_impl(Sym *trait, Type *t);
/* The method `name` defined by an impl (its N_FN), or NULL. */
Node *ty_impl_method(ImplInfo *ii, const char *name);
/* A fresh instance of the impl's target type. */
Type *ty_impl_target_type(ImplInfo *ii);

/* Check that t satisfies b (reporting E0006 at b->origin if not), or record
 * it on a type variable. */
void ty_require(Type *t, const Bound *b);
/* Does t satisfy the trait?  No report, no side effect; unknown types and
 * variables answer `maybe` = true. */
bool ty_satisfies(Type *t, Sym *iface, TraitPseudo p);
/* Printable name of a requirement ("Eq", "Display", "Num", ...). */
const char *ty_trait_name(Sym *iface, TraitPseudo p);

/* ---- methods on a receiver (§4.5) ------------------------------------------------- */

typedef struct MethodCand {
    Sym *trait;      /* the interface (a prelude protocol for built-in methods) */
    ImplInfo *impl;  /* the user impl, or NULL (built-in / derived / bound) */
    Node *fn;        /* impl method or interface default/signature; NULL for built-ins */
    bool builtin;    /* derived or built-in to_string / inspect / hash / eq / lt */
    bool dynamic;    /* receiver is a type variable: dispatch at run time */
} MethodCand;

/* Collect the candidates for recv.name(...) (at most `max`); returns the count. */
int ty_method_candidates(Type *recv, const char *name, MethodCand *out, int max);
/* Is `name` a method of some interface or impl? */
bool ty_is_trait_method(const char *name);
/* The one interface declaring `name` (NULL when none or several). */
IfaceInfo *ty_unique_iface_for(const char *name, IfaceMethod **m);

#endif
