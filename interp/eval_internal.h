/* eval_internal.h — the prepared tree the evaluator walks, shared by
 * prepare.c (which builds it from the typed AST) and eval*.c (which runs it).
 *
 * A prepared node (PNode) carries its own evaluation function `ev`: the
 * preparer picks a specialised one (a local slot read, an Int add of a slot
 * and a constant, a call to a known function, ...), so evaluation is one
 * indirect call per node with no switch and no name lookup.
 *
 * Control flow: break, continue, return, `?` and tail calls do not use
 * longjmp.  A node that performs one returns the sentinel value
 * (tag T_UNWIND, aux = UW_*); only nodes whose subtree may produce one
 * (prepare marks them) check for it, so ordinary code pays nothing.  Panics
 * are longjmps owned by the process runtime.
 *
 * Frames: a call allocates its local slots as a C array on the process's
 * own stack (found by the conservative GC scan).  A tail call overwrites the
 * slots of the current frame and loops (constant C stack) when the callee
 * fits in the frame's capacity; otherwise it is an ordinary call.
 * Every call links a ShadowFrame (also on the C stack) for backtraces. */
#ifndef SNOW_EVAL_INTERNAL_H
#define SNOW_EVAL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "proc.h"
#include "stdlib_table.h"
#include "value.h"

#define T_UNWIND 0xFFu
enum { UW_RETURN = 1, UW_BREAK, UW_CONTINUE, UW_TAIL };

typedef struct PNode PNode;
typedef struct PPat PPat;
typedef struct Frame Frame;
typedef struct Code Code;

typedef Value (*EvalFn)(PNode *n, Frame *f);
/* Unboxed evaluation of an Int or Bool node whose subtree cannot unwind:
 * parents that know their operand is an Int call this and skip all tag
 * handling.  Every node has one (evi_generic unboxes ev's result). */
typedef int64_t (*IntFn)(PNode *n, Frame *f);
typedef bool (*MatchFn)(PPat *p, Value v, Frame *f);

/* Per-process interpreter state (ProcHot.interp). */
typedef struct ShadowFrame {
    struct ShadowFrame *prev;
    const Code *code;     /* NULL for a builtin frame */
    const Node *at;       /* where this frame is now (call site or panic site) */
    Value *slots;         /* its variables (the debugger shows those in scope at `at`) */
} ShadowFrame;

typedef struct EvalProc {
    ProcHot *hot;
    ShadowFrame *top;     /* innermost Snow frame */
    ShadowFrame *catch_top; /* top to restore after an unwind lands */
    Value ret;            /* value of a pending `return` / `?` */
} EvalProc;

struct Frame {
    Value *slots;
    const Value *caps;    /* captured values of the running closure */
    FuncObj *self;        /* the running function object (recursion, tail calls) */
    EvalProc *ep;
    ShadowFrame *sf;
    uint32_t cap;         /* number of slots */
};

struct PNode {
    EvalFn ev;
    IntFn evi;
    Node *src;            /* for spans (errors, backtraces) */
    PNode *a, *b, *c;
    PNode **kids;
    uint32_t nkids;
    int32_t slot;         /* slot / capture / field index, arity ... */
    uint32_t flags;
    Value k;              /* constant */
    void *p;              /* kind-specific: Code*, StdFn*, TypeDesc*, PPat*, ... */
    void *q;              /* kind-specific second pointer / inline cache */
    void *r;
};

/* A frame's capacity grows for its tail callees (so a tail call reuses it)
 * only up to this many slots; a tail call into a function needing more
 * moves the frame to the heap (do_tail in eval.c), still in constant C
 * stack.  Without the bound, one big function called in tail position from
 * a deep recursion multiplied its frame by the depth. */
#define FRAME_TAIL_MAX 64

/* ev_send_variant builds messages of at most this many fields on the C stack */
#define SEND_VARIANT_MAX 8

/* PNode.flags */
enum {
    PF_UNWINDS = 1 << 0,  /* the subtree may produce T_UNWIND */
    PF_DISCARD = 1 << 1,  /* value unused (statement position): `for` collects nothing */
    PF_TAIL = 1 << 2,     /* call in tail position */
};

struct PPat {
    MatchFn m;
    int32_t slot;         /* P_BIND / P_AS target */
    Value k;              /* literal */
    PPat **sub;
    uint32_t nsub;
    const TypeDesc *td;   /* constructor's type */
    uint32_t idx;         /* variant index */
    bool irrefutable;
};

typedef struct Clause {
    PPat **params;        /* NULL entries: plain binder already in its slot */
    uint32_t nparams;
    PNode *guard;
    PNode *body;
} Clause;

/* A variable of a function: its slot, and where it is in scope (the
 * resolver's Sym.vis_from/vis_to): a slot is only read where its variable
 * has been bound in this call (eval_frame_locals). */
typedef struct CodeLocal {
    const char *name;
    uint32_t slot;
    uint32_t file, from, to;
} CodeLocal;

struct Code {
    FuncInfo info;        /* info.code == this */
    CodeLocal *locals;    /* for tools (eval.h): in binding order */
    uint32_t nlocals;
    Clause *clauses;
    uint32_t nclauses;
    uint32_t nparams;
    uint32_t nslots;      /* slots used by this function */
    uint32_t frame_cap;   /* slots allocated per frame (>= nslots, room for tail callees) */
    bool simple;          /* one clause, plain parameters in slots 0..n-1, no guard */
    PNode *body;          /* simple: the body */
    PNode *prologue;      /* run at every entry (actors: install the terminate closure) */
    Node *src;            /* defining node */
    const char *file;
};

/* ---- shared by prepare.c and eval.c -------------------------------------- */

static inline bool is_unwind(Value v) { return v.tag == T_UNWIND; }
static inline Value mk_unwind(uint32_t kind) { Value v = {.tag = T_UNWIND, .aux = kind}; v.u = 0; return v; }

/* Call a function value with arguments (the general path). */
Value ev_call_value(Frame *f, const Node *site, Value fn, int argc, Value *argv);
/* Run an interpreted function. */
Value ev_run_code(EvalProc *ep, FuncObj *fo, const Code *code, int argc, Value *argv);
EvalProc *ev_proc(void);   /* this process's interpreter state (created on demand) */
bool ev_match(PPat *p, Value v, Frame *f);
/* Dynamic method dispatch: the function implementing `name` for a value
 * (user impl, derived or built-in method, or stdlib module function), or
 * T_UNIT when there is none.  *prepend tells whether the receiver becomes
 * the first argument (always true except for struct field closures). */
Value ev_find_method(Value recv, const char *name, bool *field_call);
_Noreturn void ev_panic_at(Frame *f, const Node *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Method dispatch table filled by the preparer: (type key, interned name). */
void impl_register(const void *type_key, const char *name, Value fn);
Value impl_lookup(const void *type_key, const char *name);
/* The type key of a runtime value: its TypeDesc for user types, else a
 * per-tag key. */
const void *impl_key_of(Value v);
const void *impl_key_tag(uint32_t tag);

/* The shared function value of a library table entry (eval_rt.c). */
Value ev_std_fn(const StdFn *s);
/* Install the runtime hooks the evaluator provides (rt_apply, backtraces,
 * root scanning, unwinding) and build the library's function values; once,
 * before any worker thread exists. */
void eval_install_hooks(void);

/* All the node evaluators (eval.c), referenced by the preparer. */
#define EVFN(name) Value name(PNode *n, Frame *f)
EVFN(ev_const); EVFN(ev_slot); EVFN(ev_cap); EVFN(ev_self_fn);
EVFN(ev_add); EVFN(ev_sub); EVFN(ev_mul); EVFN(ev_div); EVFN(ev_mod);
EVFN(ev_add_ii); EVFN(ev_sub_ii); EVFN(ev_mul_ii);
EVFN(ev_add_sk); EVFN(ev_sub_sk); EVFN(ev_add_sx); EVFN(ev_sub_sx);
EVFN(ev_add_ff); EVFN(ev_sub_ff); EVFN(ev_mul_ff); EVFN(ev_div_ff);
EVFN(ev_eq); EVFN(ev_ne); EVFN(ev_lt); EVFN(ev_le); EVFN(ev_gt); EVFN(ev_ge);
EVFN(ev_lt_sk); EVFN(ev_le_sk); EVFN(ev_gt_sk); EVFN(ev_ge_sk); EVFN(ev_eq_sk); EVFN(ev_ne_sk);
EVFN(ev_lt_ii); EVFN(ev_le_ii); EVFN(ev_gt_ii); EVFN(ev_ge_ii); EVFN(ev_eq_ii); EVFN(ev_ne_ii);
EVFN(ev_and); EVFN(ev_or); EVFN(ev_not); EVFN(ev_neg);
EVFN(ev_concat); EVFN(ev_range); EVFN(ev_index);
EVFN(ev_user_binop);
EVFN(ev_interp); EVFN(ev_tuple); EVFN(ev_list); EVFN(ev_map);
EVFN(ev_struct); EVFN(ev_variant); EVFN(ev_field); EVFN(ev_field_idx);
EVFN(ev_if); EVFN(ev_if_noelse);
EVFN(ev_if_lt_sk); EVFN(ev_if_le_sk); EVFN(ev_if_gt_sk); EVFN(ev_if_ge_sk); EVFN(ev_if_eq_sk); EVFN(ev_if_ne_sk);
EVFN(ev_call_known1);
EVFN(ev_add_ss); EVFN(ev_sub_ss); EVFN(ev_mul_sk); EVFN(ev_div_sk); EVFN(ev_mod_sk);
EVFN(ev_lt_ss); EVFN(ev_le_ss); EVFN(ev_gt_ss); EVFN(ev_ge_ss); EVFN(ev_eq_ss); EVFN(ev_ne_ss);
EVFN(ev_if_lt_ss); EVFN(ev_if_le_ss); EVFN(ev_if_gt_ss); EVFN(ev_if_ge_ss); EVFN(ev_if_eq_ss); EVFN(ev_if_ne_ss);
EVFN(ev_tail_self1); EVFN(ev_tail_self2); EVFN(ev_tail_self3); EVFN(ev_tail_self4);
EVFN(ev_tail_self1n); EVFN(ev_tail_self2n); EVFN(ev_tail_self3n); EVFN(ev_loop_if); EVFN(ev_block); EVFN(ev_block_uw); EVFN(ev_let); EVFN(ev_let_slot);
EVFN(ev_case); EVFN(ev_while); EVFN(ev_for);
EVFN(ev_break); EVFN(ev_continue); EVFN(ev_return); EVFN(ev_try);
EVFN(ev_closure);
EVFN(ev_call); EVFN(ev_call_known); EVFN(ev_call_builtin); EVFN(ev_call_method);
EVFN(ev_call_dispatch); EVFN(ev_call_ctor); EVFN(ev_call_field);
EVFN(ev_tail_call); EVFN(ev_tail_known);
EVFN(ev_spawn); EVFN(ev_send); EVFN(ev_send_variant); EVFN(ev_selfcall); EVFN(ev_link); EVFN(ev_receive);
EVFN(ev_to_string); EVFN(ev_default); EVFN(ev_map_get);
EVFN(ev_from_json); EVFN(ev_from_row);
EVFN(ev_service_start); EVFN(ev_service_call);
EVFN(ev_spawn_supervisor); EVFN(ev_set_terminate);

/* unboxed evaluators */
#define EVIFN(name) int64_t name(PNode *n, Frame *f)
EVIFN(evi_generic); EVIFN(evi_slot); EVIFN(evi_const);
EVIFN(evi_add_ii); EVIFN(evi_sub_ii); EVIFN(evi_mul_ii);
EVIFN(evi_add_sx); EVIFN(evi_sub_sx); EVIFN(evi_add_sk); EVIFN(evi_sub_sk); EVIFN(evi_mul_sk); EVIFN(evi_div_sk); EVIFN(evi_mod_sk);
EVIFN(evi_add_ss); EVIFN(evi_sub_ss);
EVIFN(evi_lt_ii); EVIFN(evi_le_ii); EVIFN(evi_gt_ii); EVIFN(evi_ge_ii); EVIFN(evi_eq_ii); EVIFN(evi_ne_ii);
EVIFN(evi_lt_sk); EVIFN(evi_le_sk); EVIFN(evi_gt_sk); EVIFN(evi_ge_sk); EVIFN(evi_eq_sk); EVIFN(evi_ne_sk);
EVIFN(evi_lt_ss); EVIFN(evi_le_ss); EVIFN(evi_gt_ss); EVIFN(evi_ge_ss); EVIFN(evi_eq_ss); EVIFN(evi_ne_ss);
EVIFN(evi_not); EVIFN(evi_and); EVIFN(evi_or);
EVFN(ev_if_b);
/* stack checks inserted by the preparer in deep trees (a = the node) */
EVFN(ev_deep);
EVIFN(evi_deep);
bool pm_deep(PPat *p, Value v, Frame *f);

/* pattern matchers */
bool pm_wild(PPat *p, Value v, Frame *f);
bool pm_bind(PPat *p, Value v, Frame *f);
bool pm_int(PPat *p, Value v, Frame *f);
bool pm_float(PPat *p, Value v, Frame *f);
bool pm_str(PPat *p, Value v, Frame *f);
bool pm_bool(PPat *p, Value v, Frame *f);
bool pm_unit(PPat *p, Value v, Frame *f);
bool pm_ctor(PPat *p, Value v, Frame *f);
bool pm_ctor_flat(PPat *p, Value v, Frame *f); /* every argument a binder or `_` */
bool pm_tuple(PPat *p, Value v, Frame *f);
bool pm_cons(PPat *p, Value v, Frame *f);
bool pm_list(PPat *p, Value v, Frame *f);
bool pm_or(PPat *p, Value v, Frame *f);
bool pm_as(PPat *p, Value v, Frame *f);

#endif
