/* ty.h — the type checker's public interface (typecheck/).
 *
 * ty_check_project runs Hindley–Milner inference with let-polymorphism over
 * every module in dependency order, checks traits/impls/where-clauses,
 * deriving rules, actors/messages/services/supervisors/jobs, exhaustiveness
 * and redundancy, and reports every error and warning through diag (codes of
 * language.md §7.2 and concurrency.md).  It needs a resolved project
 * (front/resolve.h).
 *
 * Annotations left on the tree for the preparer (interp/prepare.c):
 *   node->ty   for every expression and pattern: its Type (use ty_prune and
 *              the accessors below; unresolved variables may remain in
 *              polymorphic code).
 *   node->aux  on N_CALL, N_BINOP, N_UNOP, N_FIELDACC, N_INDEX and N_NAME
 *              (S_METHOD free calls) when the type checker resolved something
 *              the evaluator could not cheaply rediscover: a TyRes (below).
 *              NULL means "plain": an ordinary call / built-in operator /
 *              dynamic dispatch on the runtime value is correct.
 */
#ifndef SNOW_TY_H
#define SNOW_TY_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "project.h"

typedef struct Type Type;

/* Check every module of the project.  Returns true when there is no error
 * (warnings allowed). */
bool ty_check_project(Project *p);

/* Forget every table of the last check.  For a caller that frees the AST
 * arena between projects (the fuzz target, with resolve_reset): call it
 * before ast_reset().  ty_check_project itself starts clean as long as the
 * earlier project's tree is still alive (the REPL). */
void ty_reset(void);

/* ---- reading types -------------------------------------------------------- */

typedef enum TyKindPub {
    TYK_VAR,      /* unresolved (polymorphic) */
    TYK_INT, TYK_FLOAT, TYK_BOOL, TYK_STRING, TYK_UNIT, TYK_NEVER,
    TYK_LIST,     /* arg 0 = element */
    TYK_MAP,      /* args: key, value */
    TYK_SET,      /* arg 0 = element */
    TYK_QUEUE,    /* arg 0 = element */
    TYK_RANGE,
    TYK_TUPLE,    /* args: elements */
    TYK_FUN,      /* args: params..., last = result */
    TYK_PID,      /* arg 0 = message type, or no arg for the untyped Pid */
    TYK_REF,
    TYK_JSON,
    TYK_USER,     /* struct or sum type (incl. Option, Result, Ordering,
                     ExitReason, Signal from the prelude): ty_sym, args */
    TYK_OTHER     /* opaque library handle types */
} TyKindPub;

Type *ty_prune(Type *t);                /* follow bound variables */
TyKindPub ty_kind(Type *t);
int ty_nargs(Type *t);
Type *ty_arg(Type *t, int i);
Sym *ty_sym(Type *t);                   /* TYK_USER: the S_STRUCT / S_SUMTYPE */
/* Snow syntax for a type, e.g. "Map<String, List<Int>>" (caller frees). */
char *ty_show(Type *t);

/* ---- resolutions recorded in node->aux -------------------------------------- */

typedef enum TyResKind {
    TR_IMPL_METHOD = 1, /* call the user method `fn` (an N_FN in an impl or an
                           interface default): receiver/operands are the args.
                           Used for x.m(...), m(x, ...), and operators on user
                           types (a + b -> add(a, b); a == b -> eq(a, b);
                           a != b -> not eq; a < b -> lt(a, b); a > b ->
                           lt(b, a); a <= b -> not lt(b, a); a >= b -> not
                           lt(a, b)). */
    TR_STD_METHOD,      /* x.m(args) is the stdlib function `std` with x first */
    TR_FIELD_CALL,      /* s.f(args): call the closure stored in field `index` */
    TR_FIELD,           /* N_FIELDACC: struct field number `index` */
    TR_DYN_METHOD,      /* trait method on a type variable: dispatch at run
                           time on the first argument's runtime type, by name */
    TR_DEFAULT,         /* default(): `type` is the required type; `fn` the
                           user `impl Default` method or NULL for a built-in */
    TR_FROM_JSON,       /* T.from_json(s): `type` = T (fully applied if known) */
    TR_FROM_ROW,        /* T.from_row(m): `type` = T */
    TR_MAP_GET,         /* Map.get(m, k): `type` = the value type (missing-key rule) */
    TR_SERVICE_START,   /* Svc.start(args): `service` node */
    TR_SERVICE_CALL,    /* Svc.name(pid, args): `handler` node */
    TR_JSON_ENCODE,     /* Json.encode(v): `type` = type of v */
    TR_TO_STRING,       /* x.to_string() / x.inspect() / x.hash() / x.eq(y) /
                           x.lt(y) on a type with a derived or built-in
                           implementation: `name` tells which */
} TyResKind;

typedef struct TyRes {
    TyResKind kind;
    Node *fn;              /* TR_IMPL_METHOD / TR_DEFAULT */
    Node *impl;            /* the N_IMPL that `fn` belongs to (NULL for defaults in interfaces) */
    const void *std;       /* TR_STD_METHOD: const StdFn * */
    uint32_t index;        /* TR_FIELD / TR_FIELD_CALL */
    const char *name;      /* TR_DYN_METHOD / TR_TO_STRING: method name (interned) */
    Type *type;            /* TR_DEFAULT / TR_FROM_JSON / TR_FROM_ROW / TR_MAP_GET / TR_JSON_ENCODE */
    Node *service;         /* TR_SERVICE_* */
    Node *handler;         /* TR_SERVICE_CALL */
    bool negate;           /* operator result is negated (!=, <=, >=) */
    bool swap;             /* operator operands are swapped (>, <=) */
} TyRes;

/* The derived traits actually available for a struct/sum type symbol (D_*
 * bits of runtime/value.h), after defaults (decision 22) and deriving rules. */
uint32_t ty_derives(Sym *type_sym);

/* Every impl of the project: for the runtime's dispatch tables. */
Node **ty_impls(uint32_t *n);

/* For a TYK_USER type of an impl's target: the Sym of the implementing type,
 * or NULL for impls on built-in types (then ty_impl_builtin tells which). */
Sym *ty_impl_target(Node *impl);
TyKindPub ty_impl_builtin(Node *impl);

/* The message type inferred for an actor (for the debugger / REPL). */
Type *ty_actor_message(Sym *actor);

/* The type of a top-level or REPL binding / function (for the REPL). */
Type *ty_of_sym(Sym *s);
/* The message type of the last process body (NF_PROCESS: the REPL's input)
 * checked, or NULL. */
Type *ty_process_message(void);

#endif
