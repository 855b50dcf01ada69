/* resolve.h — name resolution for a whole project (architecture.md §1).
 *
 * Builds the module graph (imports, cycles, `pub` visibility), one scope per
 * module with every top-level item (decision 4: any order, mutual recursion),
 * lexical block scopes for locals, and binds every name in the tree:
 *
 *   N_NAME           sym = S_LOCAL / S_FN / S_ACTOR / S_SUPERVISOR / S_CTOR /
 *                          S_BUILTIN / S_METHOD / S_SERVICE ...
 *   N_FIELDACC       sym set when the node denotes a static entity:
 *                    Module.f (S_FN/S_ACTOR/...), Std.f (S_BUILTIN),
 *                    Type.Variant (S_CTOR), Type.from_json / from_row (the
 *                    S_STRUCT/S_SUMTYPE sym, name tells which), Service.f
 *                    (the S_SERVICE sym); the base N_NAME gets S_MODULE /
 *                    S_STDMOD / S_STRUCT / S_SUMTYPE / S_SERVICE.  sym NULL:
 *                    an ordinary field access or method call on a value.
 *   N_SELF           sym = the `self` parameter (S_LOCAL)
 *   N_STRUCTLIT      slit.type->sym = S_STRUCT
 *   P_BIND           sym = the new S_LOCAL (a P_BIND naming a visible nullary
 *                    constructor is rewritten into a P_CTOR first, except a
 *                    plain function parameter: divergence 37)
 *   P_CTOR, P_AS     sym = the constructor / the new local
 *   TY_NAME          sym = S_STRUCT / S_SUMTYPE / S_ALIAS / S_INTERFACE /
 *                          S_BUILTIN_TYPE / S_TYPEVAR
 *   N_WHERE bounds   lhs->sym = S_TYPEVAR, rhs->sym = S_INTERFACE
 *
 * Consecutive same-name, same-arity `fn` clauses become one S_FN.  Errors
 * reported here: E0004 (with did-you-mean), E0010, E0011, E0015, E0017,
 * E0022, E0023, E0024, E0031, E0032, E0033, E0034, E0035, W0002, duplicate
 * definitions, import cycles, missing `main`. */
#ifndef SNOW_RESOLVE_H
#define SNOW_RESOLVE_H

#include "ast.h"
#include "project.h"

void resolve_project(Project *p);

/* Forget everything the resolver keeps between runs (the prelude, the
 * caches of built-in symbols, the scopes of every module resolved so far).
 * For a caller that frees the AST arena and the intern table between
 * projects (the fuzz target): call it before ast_reset(); the modules of
 * earlier projects must not be used afterwards. */
void resolve_reset(void);

/* Warn about the locals, functions and imports of the last resolved project
 * that are never used (W0004 variable, W0005 function, W0006 import); names
 * starting with `_` are exempt.  Called after a check without errors. */
void resolve_warn_unused(void);

/* The prelude module (after resolve_project): Option, Result, ... */
Module *resolve_prelude(void);

/* Look a top-level name up in a module's scope (items, imports, prelude). */
Sym *resolve_lookup_global(Module *m, const char *name);

/* Modules in dependency order (imports first, ties alphabetical), Main last. */
Module **resolve_order(uint32_t *n);

/* Every S_METHOD symbol (interface methods usable as free functions). */
Sym **resolve_methods(uint32_t *n);

/* Built-in type names: Int Float String Bool List Map Set Option Result
 * Ordering Pid Ref ExitReason Signal Range Queue Json Tuple. */
bool resolve_is_builtin_type(const char *name);

#endif
