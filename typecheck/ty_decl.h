/* ty_decl.h — what declarations mean as types: structs, sum types and their
 * constructors, aliases (expanded), type annotations (`Fun(...) -> T`, `T?`,
 * `T!E`, generics — divergence 5: honoured everywhere) and the standard
 * library's type schemes (runtime/stdlib_table.c, parsed once and cached).
 *
 * Type parameters in annotations are S_TYPEVAR symbols; while a definition is
 * being checked each one's current Type lives in its Sym.ty.  ty_tv_reset
 * forgets them all between definitions. */
#ifndef SNOW_TY_DECL_H
#define SNOW_TY_DECL_H

#include "stdlib_table.h"
#include "ty_type.h"

typedef struct VariantInfo {
    Node *node;      /* N_VARIANT */
    Sym *ctor;       /* S_CTOR */
    const char *name;
    int nfields;
    Type **ftypes;   /* field types over the owner's generic parameters */
} VariantInfo;

/* D_* bit indexes for per-trait notes */
enum { DI_EQ, DI_ORD, DI_DISPLAY, DI_DEBUG, DI_HASH, DI_JSON, DI_ROW, DI__COUNT };

typedef struct TypeInfo {
    Sym *sym;
    Node *def;          /* N_STRUCT / N_SUMTYPE */
    bool is_struct;
    bool is_prelude;    /* Option, Result, Ordering, ExitReason, Signal */
    int nparams;
    Type **params;      /* generic variables */
    Type *self;         /* sym<params...> */
    int nfields;        /* structs */
    const char **fnames;
    Type **ftypes;
    Node **fnodes;
    int nvariants;      /* sum types */
    VariantInfo *variants;
    uint32_t derives;   /* D_* bits available (explicit list, or the conditional defaults) */
    bool derive_error;  /* its deriving clause was rejected: uses are not reported again */
    uint32_t derive_failed; /* D_* bits of the list that a field could not support
                               (E0028): uses of those are not reported again */
    /* the field that kept a default derivation away (decision 22) */
    const char *blocked_field[DI__COUNT];
    Type *blocked_type[DI__COUNT];
} TypeInfo;

/* Build the TypeInfo of every struct and sum type of the prelude and of the
 * project's modules. */
void ty_decls_build(Module **mods, uint32_t nmods);
TypeInfo *ty_info(Sym *type_sym);
/* Every TypeInfo, in declaration order. */
TypeInfo **ty_all_infos(uint32_t *n);

/* Prelude types and interfaces. */
Sym *ty_prelude_sym(const char *name);
Type *ty_option(Type *t);
Type *ty_result(Type *t, Type *e);
Type *ty_ordering(void);
Type *ty_exit_reason(void);
Type *ty_signal(void);
bool ty_is_option(Type *t);
bool ty_is_result(Type *t);
bool ty_is_signal_ctor(Sym *ctor);

/* Field index of a struct, or -1. */
int ty_field_index(TypeInfo *ti, const char *name);
/* The field types / a variant's field types for one instance `t` of the
 * type (generic parameters substituted); `out` must hold enough entries. */
void ty_struct_fields(TypeInfo *ti, Type *t, Type **out);
void ty_variant_fields(TypeInfo *ti, int variant, Type *t, Type **out);
/* Substitute the generic parameters of `ti` by the arguments of `inst`. */
Type *ty_subst_params(TypeInfo *ti, Type *inst, Type *t);
/* A fresh instance of the type: sym<fresh vars>. */
Type *ty_fresh_instance(TypeInfo *ti);
/* The scheme of a constructor: (fields) -> T<params>, or T<params>. */
Type *ty_ctor_scheme(Sym *ctor);

/* ---- annotations ------------------------------------------------------------ */

typedef enum TvMode {
    TV_RIGID,    /* unknown type variables become rigid (a definition's own) */
    TV_FLEX,     /* ... flexible variables */
    TV_GENERIC,  /* ... generic variables (declarations, schemes) */
} TvMode;

void ty_tv_mode(TvMode m);
TvMode ty_tv_get_mode(void);
/* Type variable bindings are scoped: ty_tv_release(mark) forgets every
 * binding made since ty_tv_mark() returned `mark`. */
uint32_t ty_tv_mark(void);
void ty_tv_release(uint32_t mark);
/* The symbols bound since `mark` (for moving bounds between passes). */
Sym **ty_tv_since(uint32_t mark, uint32_t *n);
/* Forget every binding. */
void ty_tv_reset(void);
/* Forget everything (the AST arena is being freed; see ty_reset). */
void ty_decl_reset(void);
/* Bind a type parameter symbol to a type for the annotations that follow. */
void ty_tv_bind(Sym *tv, Type *t);
/* Convert an annotation; NULL gives a fresh variable.  ty_ann_holes counts
 * the open parts seen (a bare `List`, a missing annotation...). */
Type *ty_from_ann(Node *ann);
extern int ty_ann_holes;
/* Attach the bounds of a where-clause to its type parameters. */
void ty_apply_where(NodeList where);

/* ---- the standard library -------------------------------------------------------- */

/* The (generic) type of a stdlib entry. */
Type *ty_std_scheme(const StdFn *f);

#endif
