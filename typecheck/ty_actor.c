/* ty_actor.c — typing of actors, messages, services and supervisors
 * (concurrency.md §2.2–2.4, §10–12; spec/README.md decisions 9, 13, 21, 25).
 *
 *   - An actor has two types: its function type (params) -> body type,
 *     which its own recursive calls use (decision 21), and its message type
 *     M, inferred from its receive arms and their use.  Both are
 *     generalised together; every `spawn` instantiates them afresh
 *     (decision 25) and yields Pid<M>.
 *   - `send(pid, msg)` with pid : Pid<M> requires msg : M (E0014); the
 *     untyped Pid accepts anything; Pid<M> converts to Pid (ty_unify).
 *   - `receive` arms have type M, except arms whose pattern is a Signal
 *     constructor (Down, Exit, NodeUp, NodeDown), which match system
 *     messages.  Arms not covering M are a warning (decision 13).
 *   - A service's `init` gives the state type S; `call` bodies are
 *     (S, reply), `cast` bodies are S; Svc.start and Svc.<snake_name> are
 *     generated (§11.2).
 *   - Supervisors: E0018 (start must be `fn -> Pid`), E0019 strategy, E0020
 *     restart type, E0021 shutdown. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ty_infer.h"
#include "ty_match.h"
#include "xalloc.h"

static PtrMap actors;   /* Sym* -> ActorInfo* */
static PtrMap services; /* Sym* -> ServiceInfo* */

typedef struct ServiceInfo {
    Sym *sym;
    Node *def;
    Type *state;
    Type *init;      /* init's function type */
    Type *start;     /* (init params) -> Pid<()> */
    int nh;
    Type **handlers; /* (Pid<()>, params) -> reply / () */
    Type **replies;  /* each call handler's reply type */
} ServiceInfo;

void tc_actor_reset(void) {
    pm_free(&actors);
    pm_free(&services);
}

ActorInfo *ty_actor_info(Sym *s) { return s ? pm_get(&actors, s) : NULL; }

static Type *pid_of(Type *m) { return ty_con1(TYK_PID, m); }

/* ---- actors ------------------------------------------------------------------------- */

void tc_actor_prepare(Sym *s) {
    ActorInfo *ai = ast_alloc(sizeof *ai);
    ai->sym = s;
    Node *def = s->def;
    int n = (int)def->fn.params.n;
    Type **ps = xmalloc((size_t)(n + 1) * sizeof *ps);
    for (int i = 0; i < n; i++) {
        Node *p = def->fn.params.v[i];
        ps[i] = p->ann ? ty_from_ann(p->ann) : ty_var();
    }
    ai->fn = ty_fun(n, ps, ty_var());
    free(ps);
    ai->msg = ty_var();
    s->ty = ai->fn;
    pm_put(&actors, s, ai);
}

void tc_actor_check(Sym *s) {
    ActorInfo *ai = ty_actor_info(s);
    if (!ai) return;
    Node *def = s->def;
    Type *f = ty_prune(ai->fn);
    Type *saved = tc_actor_msg();
    tc_set_actor_msg(ai->msg);
    FnCtx fc = {.ret = ty_fun_ret(f), .ret_span = DIAG_NOSPAN};
    tc_push_fn(&fc);
    for (uint32_t i = 0; i < def->fn.params.n && (int)i < ty_fun_arity(f); i++) {
        Node *p = def->fn.params.v[i];
        Node *ann = p->ann;
        p->ann = NULL; /* already in the signature */
        tc_pattern(p, f->args[i], p->span);
        p->ann = ann;
    }
    Expect ex = ex_plain(fc.ret);
    tc_block(def->fn.body, &ex);
    if (def->fn.terminate) tc_block(def->fn.terminate, NULL);
    tc_pop_fn();
    tc_set_actor_msg(saved);
}

void tc_actor_generalize(Sym *s) {
    ActorInfo *ai = ty_actor_info(s);
    if (!ai) return;
    ty_generalize(ai->fn);
    ty_generalize(ai->msg);
}

Type *tc_spawn(Node *n, const Expect *ex) {
    (void)ex;
    NodeList it = n->list.items;
    if (it.n == 0) return ty_pid_untyped();
    Node *callee = it.v[0];
    Node **args = it.v + 1;
    int nargs = (int)it.n - 1;
    Sym *s = callee->kind == N_NAME || callee->kind == N_FIELDACC ? callee->sym : NULL;
    if (s && s->kind == S_ACTOR) {
        ActorInfo *ai = ty_actor_info(s);
        if (!ai) {
            for (int i = 0; i < nargs; i++) tc_expr(args[i], NULL);
            return pid_of(ty_var());
        }
        Type *ts[2] = {ai->fn, ai->msg};
        ty_instantiate_many(ts, 2, n->span);
        callee->ty = ts[0];
        char what[160];
        snprintf(what, sizeof what, "actor `%s`", s->name);
        tc_apply(n, ts[0], args, nargs, callee->span, what, s->def && s->def->kind == N_ACTOR ? s->def : NULL);
        return pid_of(ts[1]);
    }
    if (s && s->kind == S_SUPERVISOR) {
        if (nargs) {
            ty_report_arity(n->span, callee->span, "a supervisor", 0, nargs);
            for (int i = 0; i < nargs; i++) tc_expr(args[i], NULL);
        }
        callee->ty = ty_pid_untyped();
        return ty_pid_untyped();
    }
    Type *t = tc_expr(callee, NULL);
    for (int i = 0; i < nargs; i++) tc_expr(args[i], NULL);
    if (ty_is_error(t)) return ty_pid_untyped();
    ShowCtx sc = {0};
    Diag *d;
    if (s && s->kind == S_FN) {
        d = diag_new(DIAG_ERROR, "E0016", callee->span, "cannot spawn `%s`: only actors and supervisors can be spawned",
                     s->name);
        diag_primary(d, "`%s` is a function, not an actor", s->name);
        diag_help(d, "define it with `actor %s(...) do ... end`, or run it concurrently with `Job.async(fn -> %s(...) end)`",
                  s->name, s->name);
    } else {
        d = diag_new(DIAG_ERROR, "E0016", callee->span, "cannot spawn non-function: found %s", ty_str(&sc, t));
        diag_primary(d, "`spawn` starts an actor (or a supervisor), not a value of type `%s`", ty_str(&sc, t));
        if (ty_kind(t) == TYK_FUN)
            diag_help(d, "a closure cannot be spawned: define `actor name(...) do ... end` and write `spawn(name, "
                         "args...)`, or run the closure with `Job.async(...)`");
        else
            diag_help(d, "write `spawn(actor_name, args...)`");
    }
    diag_emit(d);
    return ty_pid_untyped();
}

Type *tc_node_spawn(Node *call, Node *callee, Node **args, int nargs, const Expect *ex) {
    (void)ex;
    Expect sex = {ty_basic(TYK_STRING), DIAG_NOSPAN, NULL, NULL, NULL, "the node name must be a String, found `%s`", NULL};
    tc_expr(args[0], &sex);
    Node *actor = args[1];
    Sym *s = actor->kind == N_NAME || actor->kind == N_FIELDACC ? actor->sym : NULL;
    callee->ty = ty_var();
    if (s && s->kind == S_ACTOR && ty_actor_info(s)) {
        ActorInfo *ai = ty_actor_info(s);
        Type *ts[2] = {ai->fn, ai->msg};
        ty_instantiate_many(ts, 2, call->span);
        actor->ty = ts[0];
        char what[160];
        snprintf(what, sizeof what, "actor `%s`", s->name);
        tc_apply(call, ts[0], args + 2, nargs - 2, actor->span, what, s->def && s->def->kind == N_ACTOR ? s->def : NULL);
        return ty_result(pid_of(ts[1]), ty_basic(TYK_STRING));
    }
    for (int i = 2; i < nargs; i++) tc_expr(args[i], NULL);
    Type *t = tc_expr(actor, NULL);
    if (!ty_is_error(t)) {
        ShowCtx sc = {0};
        Diag *d = diag_new(DIAG_ERROR, "E0016", actor->span, "cannot spawn %s on another node: only actors can be",
                           s ? s->name : ty_str(&sc, t));
        diag_primary(d, "`Node.spawn` starts an actor by name on another node");
        diag_help(d, "write `Node.spawn(node, actor_name, args...)` with an `actor` defined at the top level");
        diag_emit(d);
    }
    return ty_result(ty_pid_untyped(), ty_basic(TYK_STRING));
}

Type *tc_send(Node *n) {
    NodeList it = n->list.items;
    if (it.n < 2) {
        for (uint32_t i = 0; i < it.n; i++) tc_expr(it.v[i], NULL);
        return ty_basic(TYK_UNIT);
    }
    Node *target = it.v[0], *msg = it.v[1];
    Type *P = tc_expr(target, NULL);
    Type *p = ty_prune(P);
    if (p->kind == TYK_VAR) {
        ty_unify(p, pid_of(ty_var()), NULL);
        p = ty_prune(p);
    }
    if (p->kind == TYK_TUPLE && p->nargs == 2) { /* send({name, node}, msg): net.md §8.5 */
        Type *ss[2] = {ty_basic(TYK_STRING), ty_basic(TYK_STRING)};
        Expect sx = {ty_conn(TYK_TUPLE, 2, ss), DIAG_NOSPAN, NULL, NULL, NULL,
                     "`send({name, node}, msg)` needs a (String, String) pair, found `%s`", NULL};
        ty_expect(target->span, P, &sx);
        tc_expr(msg, NULL);
        return ty_basic(TYK_UNIT);
    }
    if (p->kind == TYK_PID && p->nargs == 1) {
        Expect ex = {p->args[0], target->span, "this pid takes messages of type `%s`", "E0014",
                     "message type mismatch: expected %s, found %s", "this message has type `%s`", NULL};
        tc_expr(msg, &ex);
    } else if (p->kind == TYK_PID || p->kind == TYK_ERROR) {
        tc_expr(msg, NULL);
    } else {
        ShowCtx sc = {0};
        Diag *d = diag_new(DIAG_ERROR, "E0001", target->span, "expected Pid, found %s", ty_str(&sc, p));
        diag_primary(d, "`send` needs a pid to send to");
        diag_emit(d);
        tc_expr(msg, NULL);
    }
    return ty_basic(TYK_UNIT);
}

Type *tc_selfcall(Node *n) {
    (void)n;
    Type *m = tc_actor_msg();
    return m ? pid_of(m) : ty_pid_untyped();
}

Type *tc_link(Node *n) {
    NodeList it = n->list.items;
    for (uint32_t i = 0; i < it.n; i++) {
        Type *t = tc_expr(it.v[i], NULL);
        if (i == 0) {
            Expect ex = {ty_pid_untyped(), DIAG_NOSPAN, NULL, NULL, NULL, "`link` needs a pid, found `%s`", NULL};
            ty_expect(it.v[i]->span, t, &ex);
        }
    }
    return ty_basic(TYK_UNIT);
}

static Node *last_of(Node *b) {
    while (b && b->kind == N_BLOCK && b->list.items.n) b = b->list.items.v[b->list.items.n - 1];
    return b;
}

Type *tc_receive(Node *n, const Expect *ex) {
    Type *M = tc_actor_msg();
    if (!M) M = ty_var();
    Type *result = ex && ex->type ? ex->type : NULL;
    Node *first_body = NULL;
    for (uint32_t i = 0; i < n->recv.arms.n; i++) {
        Node *arm = n->recv.arms.v[i];
        bool sig = ty_is_signal_pattern(arm->arm.pat);
        tc_pattern(arm->arm.pat, sig ? ty_signal() : M, arm->arm.pat->span);
        tc_guard(arm->arm.guard);
        Expect aex;
        const Expect *use = ex;
        if (!(ex && ex->type) && result) {
            Node *le = last_of(first_body);
            aex = (Expect){result, le ? le->span : first_body->span, "the first arm has type `%s`", NULL, NULL, NULL, NULL};
            use = &aex;
        }
        Type *bt = tc_expr(arm->arm.body, use);
        if (!result) result = bt;
        if (!first_body) first_body = arm->arm.body;
    }
    if (n->recv.after_ms) {
        Expect tex = {ty_basic(TYK_INT), DIAG_NOSPAN, NULL, NULL, NULL, "the `after` timeout is milliseconds (an `Int`), found `%s`", NULL};
        tc_expr(n->recv.after_ms, &tex);
        Expect aex;
        const Expect *use = ex;
        if (!(ex && ex->type) && result && first_body) {
            Node *le = last_of(first_body);
            aex = (Expect){result, le ? le->span : first_body->span, "the first arm has type `%s`", NULL, NULL, NULL, NULL};
            use = &aex;
        }
        Type *at = tc_expr(n->recv.after_body, use);
        if (!result) result = at;
    }
    tc_queue_match(MK_RECEIVE, n, M, NULL, 0, NULL);
    return result ? result : ty_var();
}

/* ---- services (§11) ------------------------------------------------------------------------ */

static ServiceInfo *svc_info(Sym *s) { return s ? pm_get(&services, s) : NULL; }

static void params_from(NodeList ps, Type **out) {
    for (uint32_t i = 0; i < ps.n; i++) out[i] = ps.v[i]->ann ? ty_from_ann(ps.v[i]->ann) : ty_var();
}

void tc_service_prepare(Sym *s) {
    Node *def = s->def;
    ServiceInfo *si = ast_alloc(sizeof *si);
    si->sym = s;
    si->def = def;
    si->state = ty_var();
    Node *init = def->service.init;
    int ni = init ? (int)init->fn.params.n : 0;
    if (init) {
        bool complete;
        si->init = tc_fn_signature(init, ni, false, &complete);
        ty_unify(si->state, ty_fun_ret(ty_prune(si->init)), NULL);
        if (init->sym) init->sym->ty = si->init;
    }
    Type **ps = xmalloc((size_t)(ni + 1) * sizeof *ps);
    for (int i = 0; i < ni; i++) ps[i] = ty_prune(si->init)->args[i];
    si->start = ty_fun(ni, ps, pid_of(ty_basic(TYK_UNIT)));
    free(ps);
    si->nh = (int)def->service.handlers.n;
    si->handlers = ast_alloc((size_t)(si->nh + 1) * sizeof *si->handlers);
    si->replies = ast_alloc((size_t)(si->nh + 1) * sizeof *si->replies);
    for (int h = 0; h < si->nh; h++) {
        Node *hn = def->service.handlers.v[h];
        int np = (int)hn->handler.params.n;
        Type **hp = xmalloc((size_t)(np + 2) * sizeof *hp);
        hp[0] = pid_of(ty_basic(TYK_UNIT));
        params_from(hn->handler.params, hp + 1);
        Type *reply = hn->handler.is_call ? (hn->handler.ret ? ty_from_ann(hn->handler.ret) : ty_var()) : ty_basic(TYK_UNIT);
        si->replies[h] = reply;
        si->handlers[h] = ty_fun(np + 1, hp, reply);
        free(hp);
    }
    pm_put(&services, s, si);
}

void tc_service_check(Sym *s) {
    ServiceInfo *si = svc_info(s);
    if (!si) return;
    Node *def = si->def;
    if (def->service.init && si->init) {
        Node *init = def->service.init;
        tc_fn_clauses(&init, 1, si->init, "init");
    }
    for (int h = 0; h < si->nh; h++) {
        Node *hn = def->service.handlers.v[h];
        Type *ht = ty_prune(si->handlers[h]);
        for (uint32_t i = 0; i < hn->handler.params.n; i++) {
            Node *p = hn->handler.params.v[i];
            Node *ann = p->ann;
            p->ann = NULL;
            tc_pattern(p, ht->args[i + 1], p->span);
            p->ann = ann;
        }
        Node *state = hn->aux; /* the |state| binder (resolver) */
        if (state && state->kind == P_BIND) tc_pattern(state, si->state, state->span);
        Type *want;
        const char *why;
        if (hn->handler.is_call) {
            Type *pair[2] = {si->state, si->replies[h]};
            want = ty_conn(TYK_TUPLE, 2, pair);
            why = "a `call` handler returns `(new_state, reply)`: `%s`";
        } else {
            want = si->state;
            why = "a `cast` handler returns the new state: `%s`";
        }
        FnCtx fc = {.ret = want, .ret_span = hn->handler.ret ? hn->handler.ret->span : hn->handler.name.span,
                    .ret_declared = true, .ret_why = why};
        tc_push_fn(&fc);
        Expect ex = {want, hn->handler.name.span, why, NULL, NULL, NULL, NULL};
        tc_block(hn->handler.body, &ex);
        tc_pop_fn();
    }
}

void tc_service_generalize(Sym *s) {
    ServiceInfo *si = svc_info(s);
    if (!si) return;
    ty_generalize(si->state);
    if (si->init) ty_generalize(si->init);
    ty_generalize(si->start);
    for (int h = 0; h < si->nh; h++) ty_generalize(si->handlers[h]);
}

/* `GetCount` -> `get_count` (§11.2). */
static void snake(const char *in, char *out, size_t cap) {
    size_t k = 0;
    for (size_t i = 0; in[i] && k + 2 < cap; i++) {
        char c = in[i];
        if (c >= 'A' && c <= 'Z') {
            if (i > 0) out[k++] = '_';
            out[k++] = (char)(c - 'A' + 'a');
        } else {
            out[k++] = c;
        }
    }
    out[k] = 0;
}

Type *tc_service_fn(Node *fa, Node *call) {
    ServiceInfo *si = svc_info(fa->sym);
    const char *name = fa->field_acc.name.id;
    if (!si) return ty_error();
    if (strcmp(name, "start") == 0) {
        TyRes *r = tc_res(fa, TR_SERVICE_START);
        r->service = si->def;
        if (call) call->aux = r;
        return ty_instantiate(si->start, fa->span);
    }
    for (int h = 0; h < si->nh; h++) {
        Node *hn = si->def->service.handlers.v[h];
        char sn[256];
        snake(hn->handler.name.id, sn, sizeof sn);
        if (strcmp(sn, name) != 0) continue;
        TyRes *r = tc_res(fa, TR_SERVICE_CALL);
        r->service = si->def;
        r->handler = hn;
        if (call) call->aux = r;
        return ty_instantiate(si->handlers[h], fa->span);
    }
    Diag *d = diag_new(DIAG_ERROR, "E0004", fa->field_acc.name.span, "undefined: %s.%s", fa->sym->name, name);
    diag_primary(d, "service `%s` has no function `%s`", fa->sym->name, name);
    char list[512] = "start";
    for (int h = 0; h < si->nh; h++) {
        char sn[256];
        snake(si->def->service.handlers.v[h]->handler.name.id, sn, sizeof sn);
        strncat(list, ", ", sizeof list - strlen(list) - 1);
        strncat(list, sn, sizeof list - strlen(list) - 1);
    }
    diag_note(d, "the functions of `%s` are: %s (a handler `GetCount` becomes `get_count`)", fa->sym->name, list);
    diag_emit(d);
    return ty_error();
}

/* ---- supervisors (§10) --------------------------------------------------------------------------- */

static bool one_of(const char *s, const char *const *set) {
    for (int i = 0; set[i]; i++)
        if (strcmp(s, set[i]) == 0) return true;
    return false;
}

void tc_supervisor_check(Node *sup) {
    static const char *const strategies[] = {"one_for_one", "one_for_all", "rest_for_one", "simple_one_for_one", NULL};
    static const char *const restarts[] = {"permanent", "transient", "temporary", NULL};
    if (sup->sup.strategy.id && !one_of(sup->sup.strategy.id, strategies)) {
        Diag *d = diag_new(DIAG_ERROR, "E0019", sup->sup.strategy.span, "unknown supervisor strategy `%s`",
                           sup->sup.strategy.id);
        diag_primary(d, "not a strategy");
        diag_help(d, "use one_for_one, one_for_all, rest_for_one or simple_one_for_one");
        diag_emit(d);
    }
    for (uint32_t i = 0; i < sup->sup.children.n; i++) {
        Node *ch = sup->sup.children.v[i];
        const char *cname = ch->child.name.id;
        if (ch->child.restart.id && !one_of(ch->child.restart.id, restarts)) {
            Diag *d = diag_new(DIAG_ERROR, "E0020", ch->child.restart.span, "invalid restart type `%s` for child `%s`",
                               ch->child.restart.id, cname);
            diag_primary(d, "not a restart type");
            diag_help(d, "use permanent, transient or temporary");
            diag_emit(d);
        }
        if (ch->child.shutdown && ch->child.shutdown->kind == N_INT && ch->child.shutdown->lit.i <= 0) {
            Diag *d = diag_new(DIAG_ERROR, "E0021", ch->child.shutdown->span, "invalid shutdown value `%lld` for child `%s`",
                               (long long)ch->child.shutdown->lit.i, cname);
            diag_primary(d, "the shutdown timeout must be positive");
            diag_help(d, "use a number of milliseconds greater than 0, or `brutal_kill`");
            diag_emit(d);
        }
        Node *start = ch->child.start;
        if (!start) {
            Diag *d = diag_new(DIAG_ERROR, "E0018", ch->child.name.span, "child `%s` has no start function", cname);
            diag_help(d, "add `start: fn -> spawn(worker) end`");
            diag_emit(d);
            continue;
        }
        Type *t = ty_prune(tc_expr(start, NULL));
        if (t->kind == TYK_ERROR) continue;
        if (t->kind == TYK_VAR) {
            ty_unify(t, ty_fun(0, NULL, ty_pid_untyped()), NULL);
            continue;
        }
        ShowCtx sc = {0};
        if (t->kind != TYK_FUN || ty_fun_arity(t) != 0) {
            Diag *d = diag_new(DIAG_ERROR, "E0018", start->span, "child `%s` start must be a function without parameters, found `%s`",
                               cname, ty_str(&sc, t));
            diag_primary(d, "this has type `%s`", ty_str(&sc, t));
            diag_help(d, "write `start: fn -> spawn(worker) end`");
            diag_emit(d);
            continue;
        }
        Type *r = ty_prune(ty_fun_ret(t));
        if (r->kind == TYK_VAR) {
            ty_unify(r, ty_pid_untyped(), NULL);
            continue;
        }
        if (r->kind == TYK_PID || r->kind == TYK_ERROR) continue;
        Node *body = start->kind == N_CLOSURE && start->closure.clauses.n ? last_of(start->closure.clauses.v[0]->clause.body) : start;
        Diag *d = diag_new(DIAG_ERROR, "E0018", body ? body->span : start->span,
                           "child `%s` start function must return Pid, found `%s`", cname, ty_str(&sc, r));
        diag_primary(d, "this has type `%s`, not `Pid`", ty_str(&sc, r));
        diag_help(d, "start the child with `spawn(actor_name, args...)` and return the pid");
        diag_emit(d);
    }
}
