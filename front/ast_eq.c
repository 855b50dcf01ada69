/* ast_eq.c — structural tree equality (see ast_eq.h).  Names are interned,
 * but the two trees may come from different intern tables in tests, so
 * names are compared by content. */
#include "ast_eq.h"

#include <string.h>

#include "depth.h"

typedef struct Eq {
    const Node *wa, *wb;
    bool too_deep; /* ran out of stack: the trees were not compared */
} Eq;

static bool str_eq(const char *a, const char *b) {
    if (a == b) return true;
    if (!a || !b) return false;
    return strcmp(a, b) == 0;
}

static bool name_eq(Name a, Name b) { return str_eq(a.id, b.id); }

static bool node_eq(Eq *e, const Node *a, const Node *b);

static bool list_eq(Eq *e, NodeList a, NodeList b) {
    if (a.n != b.n) return false;
    for (uint32_t i = 0; i < a.n; i++)
        if (!node_eq(e, a.v[i], b.v[i])) return false;
    return true;
}

/* Flags set by the parser; NF_TAIL is set by later passes. */
#define PARSE_FLAGS (0xFFFF & ~NF_TAIL)

static bool fail(Eq *e, const Node *a, const Node *b) {
    if (!e->wa) {
        e->wa = a;
        e->wb = b;
    }
    return false;
}

static bool node_eq(Eq *e, const Node *a, const Node *b) {
    if (!a || !b) return a == b ? true : fail(e, a, b);
    if (depth_exhausted()) {
        e->too_deep = true;
        return false;
    }
    if (a->kind != b->kind || (a->flags & PARSE_FLAGS) != (b->flags & PARSE_FLAGS)) return fail(e, a, b);
    if (!node_eq(e, a->ann, b->ann)) return false;
    bool ok = true;
    switch ((NodeKind)a->kind) {
    case N_INT: ok = a->lit.i == b->lit.i && a->lit.n == b->lit.n; break;
    case N_FLOAT: ok = memcmp(&a->lit.f, &b->lit.f, sizeof a->lit.f) == 0; break;
    case N_STRING: ok = a->lit.n == b->lit.n && memcmp(a->lit.s, b->lit.s, a->lit.n) == 0; break;
    case N_BOOL: ok = a->lit.i == b->lit.i; break;
    case N_NAME: case P_BIND: ok = name_eq(a->name.id, b->name.id); break;
    case N_INTERP: case N_TUPLE: case N_LIST: case N_MAPLIT: case N_BLOCK: case N_SPAWN: case N_SEND:
    case N_LINK: case P_TUPLE: case P_LIST: case P_OR: case TY_TUPLE:
        return list_eq(e, a->list.items, b->list.items) || fail(e, a, b);
    case N_BINOP: case N_INDEX: case P_CONS:
        /* long operator chains: their left spine is walked in a loop */
        while (a->kind == N_BINOP && b->kind == N_BINOP && !(a->flags & NF_PAREN) && a->bin.lhs &&
               b->bin.lhs && a->bin.lhs->kind == N_BINOP && b->bin.lhs->kind == N_BINOP) {
            if (a->bin.op != b->bin.op || !node_eq(e, a->bin.rhs, b->bin.rhs)) return fail(e, a, b);
            a = a->bin.lhs;
            b = b->bin.lhs;
            if (a->kind != b->kind || (a->flags & PARSE_FLAGS) != (b->flags & PARSE_FLAGS) || !node_eq(e, a->ann, b->ann))
                return fail(e, a, b);
        }
        ok = a->bin.op == b->bin.op && node_eq(e, a->bin.lhs, b->bin.lhs) && node_eq(e, a->bin.rhs, b->bin.rhs);
        break;
    case N_UNOP: case N_TRY: case N_RETURN:
        ok = a->un.op == b->un.op && node_eq(e, a->un.operand, b->un.operand);
        break;
    case N_CALL: ok = node_eq(e, a->call.callee, b->call.callee) && list_eq(e, a->call.args, b->call.args); break;
    case N_FIELDACC:
        ok = name_eq(a->field_acc.name, b->field_acc.name) && node_eq(e, a->field_acc.base, b->field_acc.base);
        break;
    case N_STRUCTLIT: ok = node_eq(e, a->slit.type, b->slit.type) && list_eq(e, a->slit.fields, b->slit.fields); break;
    case N_FIELDINIT:
        ok = name_eq(a->field_init.name, b->field_init.name) && node_eq(e, a->field_init.value, b->field_init.value);
        break;
    case N_IF:
        ok = node_eq(e, a->if_.cond, b->if_.cond) && node_eq(e, a->if_.then, b->if_.then) &&
             node_eq(e, a->if_.els, b->if_.els);
        break;
    case N_CASE: ok = node_eq(e, a->case_.scrut, b->case_.scrut) && list_eq(e, a->case_.arms, b->case_.arms); break;
    case N_ARM:
        ok = node_eq(e, a->arm.pat, b->arm.pat) && node_eq(e, a->arm.guard, b->arm.guard) &&
             node_eq(e, a->arm.body, b->arm.body);
        break;
    case N_CLOSURE: ok = list_eq(e, a->closure.clauses, b->closure.clauses); break;
    case N_CLAUSE:
        ok = list_eq(e, a->clause.params, b->clause.params) && node_eq(e, a->clause.guard, b->clause.guard) &&
             node_eq(e, a->clause.body, b->clause.body);
        break;
    case N_WHILE: ok = node_eq(e, a->loop.cond, b->loop.cond) && node_eq(e, a->loop.body, b->loop.body); break;
    case N_FOR:
        ok = node_eq(e, a->for_.var, b->for_.var) && node_eq(e, a->for_.var2, b->for_.var2) &&
             node_eq(e, a->for_.iter, b->for_.iter) && node_eq(e, a->for_.filter, b->for_.filter) &&
             node_eq(e, a->for_.body, b->for_.body);
        break;
    case N_RECEIVE:
        ok = list_eq(e, a->recv.arms, b->recv.arms) && node_eq(e, a->recv.after_ms, b->recv.after_ms) &&
             node_eq(e, a->recv.after_body, b->recv.after_body);
        break;
    case N_LET:
        ok = node_eq(e, a->let.pat, b->let.pat) && node_eq(e, a->let.ann, b->let.ann) &&
             node_eq(e, a->let.value, b->let.value);
        break;
    case P_LIT: ok = a->pat_lit.negated == b->pat_lit.negated && node_eq(e, a->pat_lit.lit, b->pat_lit.lit); break;
    case P_CTOR:
        ok = name_eq(a->ctor.qual, b->ctor.qual) && name_eq(a->ctor.name, b->ctor.name) &&
             a->ctor.has_args == b->ctor.has_args && list_eq(e, a->ctor.args, b->ctor.args);
        break;
    case P_AS: ok = name_eq(a->as_.name, b->as_.name) && node_eq(e, a->as_.pat, b->as_.pat); break;
    case TY_NAME:
        ok = name_eq(a->tname.path, b->tname.path) && a->tname.opt == b->tname.opt &&
             list_eq(e, a->tname.args, b->tname.args) && node_eq(e, a->tname.err, b->tname.err);
        break;
    case TY_FUN: ok = list_eq(e, a->tfun.params, b->tfun.params) && node_eq(e, a->tfun.ret, b->tfun.ret); break;
    case N_FN: case N_ACTOR:
        ok = name_eq(a->fn.name, b->fn.name) && list_eq(e, a->fn.generics, b->fn.generics) &&
             list_eq(e, a->fn.params, b->fn.params) && node_eq(e, a->fn.ret, b->fn.ret) &&
             list_eq(e, a->fn.where, b->fn.where) && node_eq(e, a->fn.guard, b->fn.guard) &&
             node_eq(e, a->fn.body, b->fn.body) && node_eq(e, a->fn.terminate, b->fn.terminate);
        break;
    case N_STRUCT: case N_SUMTYPE: case N_ALIAS:
        ok = name_eq(a->tdef.name, b->tdef.name) && list_eq(e, a->tdef.generics, b->tdef.generics) &&
             list_eq(e, a->tdef.members, b->tdef.members) && list_eq(e, a->tdef.derives, b->tdef.derives) &&
             a->tdef.has_deriving == b->tdef.has_deriving && node_eq(e, a->tdef.alias_of, b->tdef.alias_of);
        break;
    case N_FIELD: ok = name_eq(a->field.name, b->field.name) && node_eq(e, a->field.type, b->field.type); break;
    case N_VARIANT:
        ok = name_eq(a->variant.name, b->variant.name) && list_eq(e, a->variant.fields, b->variant.fields);
        break;
    case N_INTERFACE:
        ok = name_eq(a->iface.name, b->iface.name) && list_eq(e, a->iface.generics, b->iface.generics) &&
             list_eq(e, a->iface.methods, b->iface.methods);
        break;
    case N_IMPL:
        ok = name_eq(a->impl.trait, b->impl.trait) && list_eq(e, a->impl.trait_args, b->impl.trait_args) &&
             name_eq(a->impl.for_type, b->impl.for_type) && list_eq(e, a->impl.where, b->impl.where) &&
             list_eq(e, a->impl.methods, b->impl.methods);
        break;
    case N_MODULE:
        ok = name_eq(a->module_def.name, b->module_def.name) && node_eq(e, a->module_def.body, b->module_def.body);
        break;
    case N_IMPORT: case N_FROM_IMPORT:
        ok = name_eq(a->import.path, b->import.path) && list_eq(e, a->import.names, b->import.names);
        break;
    case N_SERVICE:
        ok = name_eq(a->service.name, b->service.name) && node_eq(e, a->service.init, b->service.init) &&
             list_eq(e, a->service.handlers, b->service.handlers);
        break;
    case N_HANDLER:
        ok = a->handler.is_call == b->handler.is_call && name_eq(a->handler.name, b->handler.name) &&
             list_eq(e, a->handler.params, b->handler.params) && node_eq(e, a->handler.ret, b->handler.ret) &&
             name_eq(a->handler.state, b->handler.state) && node_eq(e, a->handler.body, b->handler.body);
        break;
    case N_SUPERVISOR:
        ok = name_eq(a->sup.name, b->sup.name) && name_eq(a->sup.strategy, b->sup.strategy) &&
             node_eq(e, a->sup.max_restarts, b->sup.max_restarts) &&
             node_eq(e, a->sup.max_seconds, b->sup.max_seconds) && list_eq(e, a->sup.children, b->sup.children);
        break;
    case N_CHILD:
        ok = name_eq(a->child.name, b->child.name) && node_eq(e, a->child.start, b->child.start) &&
             name_eq(a->child.restart, b->child.restart) && node_eq(e, a->child.shutdown, b->child.shutdown);
        break;
    case N_NONE: case N_UNIT: case N_SELF: case N_BREAK: case N_CONTINUE: case N_SELFCALL: case P_WILD:
    case N__COUNT:
        break;
    }
    return ok || fail(e, a, b);
}

bool ast_eq_trees(const Node *a, const Node *b, const Node **where_a, const Node **where_b) {
    Eq e = {NULL, NULL, false};
    bool ok = node_eq(&e, a, b);
    if (e.too_deep) e.wa = e.wb = NULL;
    if (where_a) *where_a = e.wa;
    if (where_b) *where_b = e.wb;
    return ok;
}
