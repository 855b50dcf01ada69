/* ty_infer.h — inference for expressions, patterns and function bodies
 * (language.md §4.3–§4.11), shared by the driver (ty_check.c) and the
 * concurrency rules (ty_actor.c).
 *
 * Checking is bidirectional where it helps: an expected type (Expect) flows
 * into closures (their parameters take the types the callee wants), into
 * the branches of if/case, the elements of literals and the last statement
 * of blocks, so a mismatch is reported at the innermost expression with a
 * label at the place the expectation came from.
 *
 * Some questions can only be answered once a whole definition group is
 * inferred: a field access or method call on a value whose type is still
 * unknown, which impl an operator or a trait method resolves to, the type
 * `default()` must produce, exhaustiveness.  Those are queued and settled by
 * tc_group_end, before the group is generalised. */
#ifndef SNOW_TY_INFER_H
#define SNOW_TY_INFER_H

#include "ty_decl.h"
#include "ty_report.h"
#include "ty_trait.h"
#include "ty_type.h"

/* The innermost function-like construct being checked. */
typedef struct FnCtx {
    Type *ret;          /* its result type */
    Span ret_span;      /* the return annotation (DIAG_NOSPAN when none) */
    bool ret_declared;  /* an annotation fixes the result (§4.11, E0036) */
    const char *ret_why;/* label for mismatches against ret_span */
    const char *ret_code; /* code for body mismatches (E0008 for impl methods) */
    bool try_reported;  /* E0036 said once is enough */
    struct FnCtx *outer;
} FnCtx;

void tc_push_fn(FnCtx *f);
void tc_pop_fn(void);
FnCtx *tc_fn(void);

/* The message type of the enclosing actor (NULL outside actors). */
void tc_set_actor_msg(Type *m);
Type *tc_actor_msg(void);

Type *tc_expr(Node *n, const Expect *ex);
Type *tc_block(Node *b, const Expect *ex);
/* Type a pattern against the type of the value it matches; `origin` is the
 * value's span for labels. */
void tc_pattern(Node *p, Type *t, Span origin);
/* Apply a function type to arguments (E0003 arity, E0001 per argument). */
Type *tc_apply(Node *call, Type *fty, Node **args, int nargs, Span callee, const char *what, Node *decl);
/* A guard: any Bool expression (E0025). */
void tc_guard(Node *g);

/* ---- definitions --------------------------------------------------------------- */

/* The type of a named function from its first clause's annotations.
 * scheme: generic variables (the up-front scheme of a fully annotated
 * function); otherwise rigid ones for checking its body.  *complete tells
 * whether every parameter and the result are annotated. */
Type *tc_fn_signature(Node *first, int arity, bool scheme, bool *complete);
/* Check the clauses of a function against its type (rigid signature). */
void tc_fn_clauses(Node **clauses, int n, Type *ftype, const char *name);
/* Signature of an impl method (ii != NULL) or interface default method. */
Type *tc_method_signature(ImplInfo *ii, IfaceInfo *iface, Node *fn, bool scheme, bool *complete);
void tc_method_check(ImplInfo *ii, IfaceInfo *iface, Node *fn, Type *ftype);

/* Settle the queued questions of the definitions just inferred. */
void tc_group_begin(void);
/* Forget every queued question (the AST arena is being freed; see ty_reset). */
void tc_infer_reset(void);
void tc_group_end(void);
/* Before a let/nested-fn generalisation: settle what can be, and keep the
 * types the rest depends on monomorphic. */
void tc_before_generalize(void);

/* Queue an exhaustiveness/redundancy check (ty_match.c does the work). */
typedef enum MatchKind { MK_CASE, MK_CLAUSES, MK_CLOSURE, MK_RECEIVE } MatchKind;
void tc_queue_match(MatchKind k, Node *node, Type *scrut, Node **clauses, int n, const char *name);

/* Record a resolution on a node (node->aux). */
TyRes *tc_res(Node *n, TyResKind k);

/* Instantiate the type of a symbol used at `site` (N_NAME/N_FIELDACC). */
Type *tc_sym_type(Sym *s, Node *site);

/* ---- concurrency (ty_actor.c) ------------------------------------------------------- */

Type *tc_spawn(Node *n, const Expect *ex);
/* Node.spawn / Node.spawn_link(node, actor, args...) -> Result<Pid<M>, String> */
Type *tc_node_spawn(Node *call, Node *callee, Node **args, int nargs, const Expect *ex);
Type *tc_send(Node *n);
Type *tc_receive(Node *n, const Expect *ex);
Type *tc_selfcall(Node *n);
Type *tc_link(Node *n);
/* Svc.f used as a callee or value: its type, with the TyRes recorded on `fa`. */
Type *tc_service_fn(Node *fa, Node *call);

/* Definitions of actors and services, for the driver. */
typedef struct ActorInfo {
    Sym *sym;
    Type *fn;    /* (params) -> body type */
    Type *msg;   /* message type */
} ActorInfo;
ActorInfo *ty_actor_info(Sym *actor);
void tc_actor_prepare(Sym *actor);
void tc_actor_check(Sym *actor);
void tc_actor_generalize(Sym *actor);
void tc_service_prepare(Sym *svc);
void tc_service_check(Sym *svc);
void tc_service_generalize(Sym *svc);
void tc_supervisor_check(Node *sup);
void tc_actor_reset(void);

#endif
