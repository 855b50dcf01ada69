/* ast.h — the Snow syntax tree produced by the parser, bound by the
 * resolver, annotated by the type checker and consumed by the preparer.
 *
 * One Node struct with a kind and a union of per-kind payloads.  Nodes live
 * in a per-compilation arena and are never freed individually.  Lists of
 * children are NodeList (arena arrays).  Annotation slots:
 *   - `sym`  (resolver): what an N_NAME / qualified name / pattern binder
 *            refers to, see Sym below;
 *   - `ty`   (type checker): the type of an expression or pattern;
 *   - `aux`  (type checker → preparer): per-kind resolution detail, e.g. the
 *            method target of a call, documented in typecheck/ty.h.
 * The printer `ast_dump` (snow ast) shows every node with its position. */
#ifndef SNOW_AST_H
#define SNOW_AST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "source.h"

typedef struct Node Node;
typedef struct Sym Sym;
typedef struct Module Module;

typedef struct NodeList {
    Node **v;
    uint32_t n;
} NodeList;

typedef enum NodeKind {
    N_NONE = 0,
    /* ---- items ---- */
    N_FN,         /* named function clause: fn.name, params, ret, where, guard, body */
    N_STRUCT,     /* tdef: name, generics, members (N_FIELD), derives */
    N_SUMTYPE,    /* tdef: name, generics, members (N_VARIANT), derives */
    N_ALIAS,      /* tdef: name, generics, alias_of */
    N_FIELD,      /* field: name, type (struct field or named variant field) */
    N_VARIANT,    /* variant: name, fields (N_FIELD with optional name) */
    N_INTERFACE,  /* iface: name, generics, methods (N_FN; body may be NULL) */
    N_IMPL,       /* impl: trait path, trait type args, for_type path, where, methods */
    N_MODULE,     /* module_def: name, body (inline module; rejected by resolver) */
    N_IMPORT,     /* import: path */
    N_FROM_IMPORT,/* import: path, names (N_NAME list) */
    N_ACTOR,      /* fn: name, params, body, terminate (actor definition) */
    N_SERVICE,    /* service: name, init (N_FN), handlers (N_HANDLER) */
    N_HANDLER,    /* handler: is_call, name, params, ret, state_name, body */
    N_SUPERVISOR, /* sup: name, strategy, max_restarts, max_seconds, children (N_CHILD) */
    N_CHILD,      /* child: name, start expr, restart, shutdown */
    /* ---- statements ---- */
    N_LET,        /* let: pat, ann, value */
    /* ---- expressions ---- */
    N_INT,        /* lit.i */
    N_FLOAT,      /* lit.f */
    N_STRING,     /* lit.s / lit.n */
    N_INTERP,     /* list: parts (N_STRING literals and expressions, in order) */
    N_BOOL,       /* lit.i = 0/1 */
    N_UNIT,       /* () or nil */
    N_NAME,       /* name.id ; sym set by resolver */
    N_SELF,       /* `self` as a value inside a method (decision: divergence 46) */
    N_TUPLE,      /* list: items */
    N_LIST,       /* list: items */
    N_MAPLIT,     /* list: items alternate key, value */
    N_BINOP,      /* bin: op, lhs, rhs */
    N_UNOP,       /* un: op (T_MINUS / T_BANG / T_NOT), operand */
    N_CALL,       /* call: callee, args; flags & NF_PIPED when made from |> */
    N_FIELDACC,   /* field_acc: base, name — also qualified names Module.f, Type.Variant */
    N_INDEX,      /* bin: lhs = base, rhs = index */
    N_TRY,        /* un: operand (e?) */
    N_STRUCTLIT,  /* slit: type name (N_NAME or N_FIELDACC), fields (N_FIELDINIT) */
    N_FIELDINIT,  /* field_init: name, value */
    N_IF,         /* if_: cond, then (N_BLOCK), els (N_BLOCK / N_IF / NULL) */
    N_CASE,       /* case_: scrutinee, arms (N_ARM) */
    N_ARM,        /* arm: pat, guard, body */
    N_CLOSURE,    /* closure: clauses (N_CLAUSE) */
    N_CLAUSE,     /* clause: params (patterns), guard, body */
    N_WHILE,      /* loop: cond, body */
    N_FOR,        /* for_: var (pattern), var2 (map value pattern or NULL), iter, filter, body */
    N_BREAK,
    N_CONTINUE,
    N_RETURN,     /* un: operand (may be NULL) */
    N_BLOCK,      /* list: stmts (items, lets, expressions) */
    N_SPAWN,      /* list: items = [callee, args...] */
    N_SEND,       /* list: items = [target, message] */
    N_RECEIVE,    /* recv: arms (N_ARM), after_ms, after_body */
    N_SELFCALL,   /* self() */
    N_LINK,       /* list: items = [pid] */
    /* ---- patterns ---- */
    P_WILD,       /* _ */
    P_BIND,       /* name.id ; sym = the new local (or, after resolution, may
                     become P_CTOR when it names a nullary constructor) */
    P_LIT,        /* pat_lit: lit node (N_INT/N_FLOAT/N_STRING/N_BOOL/N_UNIT), negated */
    P_CTOR,       /* ctor: qualifier (NULL or type/module name), name, args; sym = ctor */
    P_TUPLE,      /* list: items */
    P_LIST,       /* list: items ([] and [p1, p2]) — decision 14 */
    P_CONS,       /* bin: lhs = head, rhs = tail */
    P_OR,         /* list: items (alternatives) */
    P_AS,         /* as_: pat, name ; sym = the bound local */
    /* ---- types ---- */
    TY_NAME,      /* tname: path (dotted, e.g. "Math.Vector"), args */
    TY_TUPLE,     /* list: items (empty = unit) */
    TY_FUN,       /* tfun: params, ret */
    N__COUNT
} NodeKind;

/* Node.flags */
enum {
    NF_PUB = 1 << 0,       /* item marked pub */
    NF_PIPED = 1 << 1,     /* N_CALL produced by |> (first arg came from the pipe) */
    NF_EQ_BODY = 1 << 2,   /* N_FN with `= expr` body */
    NF_DEF = 1 << 3,       /* N_FN spelled `def` */
    NF_TAIL = 1 << 4,      /* set by later passes: expression in tail position */
    NF_PAREN = 1 << 5,     /* expression was parenthesised */
    NF_NO_PARENS = 1 << 6, /* fn/actor defined without a parameter list */
    NF_ARROW = 1 << 7,     /* N_CLAUSE with `->` body (vs do-block) */
    NF_TRAILING = 1 << 8,  /* N_CALL had a trailing do-block closure (ignored, warned) */
    NF_BRUTAL = 1 << 9,    /* N_CHILD shutdown: brutal_kill */
    NF_METHOD = 1 << 10,   /* N_FN inside interface/impl */
    NF_CHECKED = 1 << 11,  /* type checker: a link of a long pipe chain already checked (ty is final) */
    /* the REPL's input wrapper (cmd/repl_compile.c) */
    NF_PROCESS = 1 << 12,  /* N_FN: a process body (decision 33): self(), receive and
                              flush() are allowed; its `ann` is the message type */
    NF_SCHEME = 1 << 13,   /* P_BIND parameter: its annotation is a type scheme (every
                              type parameter of the function is quantified afresh) */
};

/* Supervisor strategy / restart kinds as parsed (validated by typecheck). */
typedef struct Name {
    const char *id; /* interned: compare pointers */
    Span span;
} Name;

struct Node {
    uint16_t kind;   /* NodeKind */
    uint16_t flags;  /* NF_* */
    uint32_t id;     /* unique per compilation, dense: index for side tables */
    Span span;
    Sym *sym;        /* resolver */
    void *ty;        /* type checker: Type* */
    void *aux;       /* type checker → preparer */
    union {
        struct { int64_t i; double f; const char *s; uint32_t n; } lit;
        struct { Name id; } name;
        struct { NodeList items; } list;
        struct { int op; Node *lhs, *rhs; } bin;   /* op: TokKind */
        struct { int op; Node *operand; } un;
        struct { Node *callee; NodeList args; } call;
        struct { Node *base; Name name; } field_acc;
        struct { Node *type; NodeList fields; } slit;
        struct { Name name; Node *value; } field_init;
        struct { Node *cond, *then, *els; } if_;
        struct { Node *scrut; NodeList arms; } case_;
        struct { Node *pat, *guard, *body; } arm;
        struct { NodeList clauses; } closure;
        struct { NodeList params; Node *guard, *body; } clause;
        struct { Node *cond, *body; } loop;
        struct { Node *var, *var2, *iter, *filter, *body; } for_;
        struct { NodeList arms; Node *after_ms, *after_body; } recv;
        struct { Node *pat, *ann, *value; } let;
        /* patterns */
        struct { Node *lit; bool negated; } pat_lit;
        struct { Name qual; Name name; NodeList args; bool has_args; } ctor;
        struct { Node *pat; Name name; } as_;
        /* types */
        struct { Name path; NodeList args; bool opt; Node *err; } tname; /* opt: T?, err: T!E */
        struct { NodeList params; Node *ret; } tfun;
        /* items */
        struct {
            Name name;
            NodeList generics;  /* N_NAME */
            NodeList params;    /* patterns; P_BIND/P_WILD/... each may carry `ann` via P_* field below */
            Node *ret;          /* type or NULL */
            NodeList where;     /* N_BINOP(op=T_COLON, lhs=N_NAME tvar, rhs=N_NAME trait) */
            Node *guard;
            Node *body;         /* N_BLOCK, or an expression for `=` bodies; NULL in interface sigs */
            Node *terminate;    /* N_ACTOR: N_BLOCK or NULL */
        } fn;
        struct {
            Name name;
            NodeList generics;
            NodeList members;   /* N_FIELD / N_VARIANT */
            NodeList derives;   /* N_NAME */
            bool has_deriving;  /* a deriving(...) clause was written (maybe empty) */
            Node *alias_of;     /* N_ALIAS */
        } tdef;
        struct { Name name; Node *type; } field;      /* name.id NULL for positional variant fields */
        struct { Name name; NodeList fields; } variant;
        struct { Name name; NodeList generics; NodeList methods; } iface;
        struct {
            Name trait;         /* dotted path */
            NodeList trait_args;
            Name for_type;      /* dotted path */
            NodeList where;
            NodeList methods;
        } impl;
        struct { Name name; Node *body; } module_def;
        struct { Name path; NodeList names; } import;
        struct { Name name; Node *init; NodeList handlers; } service;
        struct {
            bool is_call;
            Name name;
            NodeList params;
            Node *ret;
            Name state;         /* id NULL when |state| omitted */
            Node *body;
        } handler;
        struct {
            Name name;
            Name strategy;       /* id NULL = default */
            Node *max_restarts;  /* N_INT or NULL */
            Node *max_seconds;
            NodeList children;
        } sup;
        struct {
            Name name;
            Node *start;
            Name restart;        /* id NULL = default */
            Node *shutdown;      /* N_INT, or NULL (default / brutal_kill via NF_BRUTAL) */
        } child;
    };
    Node *ann; /* patterns used as parameters / let: the `:: Type` annotation */
};

/* ---- symbols (resolver output) -------------------------------------------- */

typedef enum SymKind {
    S_LOCAL = 1,   /* let / parameter / pattern variable; def = binding pattern node */
    S_FN,          /* top-level or nested named function; defs = its clauses */
    S_ACTOR,       /* actor; def = N_ACTOR */
    S_SUPERVISOR,  /* def = N_SUPERVISOR */
    S_SERVICE,     /* def = N_SERVICE */
    S_STRUCT,      /* def = N_STRUCT */
    S_SUMTYPE,     /* def = N_SUMTYPE */
    S_ALIAS,       /* def = N_ALIAS */
    S_CTOR,        /* variant constructor; def = N_VARIANT, owner = the S_SUMTYPE sym */
    S_INTERFACE,   /* def = N_INTERFACE */
    S_METHOD,      /* interface method used as a free function; def = N_FN in the interface */
    S_MODULE,      /* a user module (imported); mod = it */
    S_STDMOD,      /* a standard-library module name (String, List, ...); name = it */
    S_BUILTIN,     /* a standard-library function; builtin = its table entry */
    S_TYPEVAR,     /* generic parameter name inside a definition */
    S_BUILTIN_TYPE,/* Int, Float, String, Bool, List, Map, Option, ... */
} SymKind;

struct Sym {
    SymKind kind;
    const char *name;       /* interned */
    Node *def;              /* defining node (see SymKind) */
    Node **defs;            /* S_FN: clauses in order (ndefs) */
    uint32_t ndefs;
    Module *mod;            /* module that defines it (S_MODULE: the module itself) */
    Sym *owner;             /* S_CTOR: its sum type; S_LOCAL: enclosing function sym (if any) */
    Node *fn_node;          /* S_LOCAL: innermost enclosing N_FN/N_CLOSURE clause/N_ACTOR/handler */
    const void *builtin;    /* S_BUILTIN: stdlib table entry (runtime/stdlib.h) */
    uint32_t index;         /* S_CTOR: variant index; S_LOCAL: dense local number */
    uint32_t arity;         /* S_FN: number of parameters */
    bool is_pub;
    bool used;              /* referenced at least once */
    void *ty;               /* type checker: scheme / type */
    void *rt;               /* preparer: runtime object (FuncObj, TypeDesc, ...) */
    uint32_t vis_from, vis_to; /* S_LOCAL: the source offsets (in def's file) where it is
                                  bound and in scope (resolver; the debugger's locals) */
};

/* ---- modules ----------------------------------------------------------------- */

struct Module {
    const char *name;       /* "Main", "Math.Vector" */
    const char *short_name; /* last segment: "Vector" */
    uint32_t file;
    Node *root;             /* N_BLOCK of top-level items */
    Sym **syms;             /* top-level symbols of this module (nsyms) */
    uint32_t nsyms;
    Module **imports;       /* modules it imports (nimports) */
    uint32_t nimports;
    bool checked;
    void *scope;            /* resolver-private */
};

/* ---- arena and construction ----------------------------------------------------- */

void *ast_alloc(size_t n);           /* zeroed arena memory */
Node *ast_node(NodeKind k, Span s);  /* assigns a fresh id */
uint32_t ast_node_count(void);       /* ids are in [0, ast_node_count()) */
const char *ast_intern(const char *s, size_t n);
const char *ast_strdup(const char *s, size_t n); /* arena copy (not interned) */
void ast_reset(void);                /* free the arena (tests, fuzzing) */
void ast_intern_reset(void);         /* free the intern table too */

/* Growable NodeList builder used by the parser. */
typedef struct NodeVec {
    Node **v;
    uint32_t n, cap;
} NodeVec;
void nv_push(NodeVec *nv, Node *n);
NodeList nv_finish(NodeVec *nv); /* copies into the arena and frees the vec */

/* The left spine of a left-associative operator chain: `a + b - c` is
 * ((a + b) - c), so v[0] = the `-` node, v[1] = the `+` node (n = 2), and
 * the first operand is v[n-1]->bin.lhs.  Walkers loop over it instead of
 * recursing down the left operands: a chain of a million terms needs no C
 * stack.  A pipe chain `x |> f |> g` is the same shape through the first
 * argument of piped calls (ast_pipe_spine; the first value is
 * v[n-1]->call.args.v[0]). */
typedef struct AstSpine {
    Node **v;
    uint32_t n, cap;
    Node *small[16];
} AstSpine;
void ast_binop_spine(AstSpine *s, Node *top);
void ast_pipe_spine(AstSpine *s, Node *top);
void ast_spine_free(AstSpine *s);
/* A piped call whose piped value is itself a piped call (the pipe spine
 * continues below it). */
static inline bool ast_pipe_link(const Node *n) {
    return n->kind == N_CALL && (n->flags & NF_PIPED) && n->call.args.n > 0;
}

const char *ast_kind_name(NodeKind k);
/* The `snow ast` outline: one node per line, indented by depth. */
void ast_dump(FILE *f, const Node *n, int depth);

#endif
