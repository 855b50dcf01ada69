/* repl.c — `snow repl`: an interactive session for learning.
 *
 * Model: the session is a list of definitions (their source text, keyed by
 * kind and name: redefining replaces) and a list of `let` bindings (name,
 * value, type).  Every input is compiled as one Main module made of the
 * session's definitions, the input's own definitions, and a wrapper function
 * `__repl_eval(previous bindings...)` whose body is the input's statements;
 * the wrapper returns the value of the last expression and of every new
 * `let`.  So each input gets the full front end (diagnostics point into the
 * input line) and the ordinary evaluator.
 *
 * The REPL itself runs as process <0.0> on the deterministic scheduler:
 * while it waits for input (parked on stdin readiness), spawned actors keep
 * running and their output appears as it happens.  Compilation runs on a
 * helper thread with a large stack (the front end recurses over the tree). */
#include "repl.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <editline/readline.h>

#include "bigstack.h"
#include "cli.h"
#include "diag.h"
#include "eval_internal.h"
#include "event.h"
#include "fmt.h"
#include "gc.h"
#include "lex.h"
#include "list.h"
#include "parse.h"
#include "pipeline.h"
#include "prepare.h"
#include "resolve.h"
#include "rt.h"
#include "sb.h"
#include "sched.h"
#include "stdlib_table.h"
#include "source.h"
#include "str.h"
#include "ty.h"
#include "vals.h"
#include "xalloc.h"

/* ---- session state ------------------------------------------------------------- */

typedef struct Def {
    char *key;   /* "fn:f/1", "struct:Point", "impl:Display for Point", ... */
    char *name;  /* for completion */
    char *text;  /* source */
} Def;

typedef struct Binding {
    char *name;
    char *ann;   /* annotation text (NULL: polymorphic, left to inference) */
    char *shown; /* the type as displayed */
} Binding;

static Def *defs;
static uint32_t ndefs, capdefs;
static Binding *binds;
static uint32_t nbinds, capbinds;
static Value bind_vals; /* List of the bindings' values (a GC root) */
static char **loaded;   /* files given to :load, for :reload */
static uint32_t nloaded;
static bool tty;
static uint32_t input_no;

static void session_reset(void) {
    for (uint32_t i = 0; i < ndefs; i++) {
        free(defs[i].key);
        free(defs[i].name);
        free(defs[i].text);
    }
    ndefs = 0;
    for (uint32_t i = 0; i < nbinds; i++) {
        free(binds[i].name);
        free(binds[i].ann);
        free(binds[i].shown);
    }
    nbinds = 0;
    bind_vals = list_empty();
}

static int find_def(const char *key) {
    for (uint32_t i = 0; i < ndefs; i++)
        if (strcmp(defs[i].key, key) == 0) return (int)i;
    return -1;
}

static void put_def(const char *key, const char *name, const char *text) {
    int i = find_def(key);
    if (i >= 0) {
        /* keep the session's order stable: replace in place */
        free(defs[i].text);
        defs[i].text = xstrdup(text);
        return;
    }
    if (ndefs == capdefs) {
        capdefs = capdefs ? capdefs * 2 : 32;
        defs = xrealloc(defs, capdefs * sizeof *defs);
    }
    defs[ndefs].key = xstrdup(key);
    defs[ndefs].name = xstrdup(name ? name : "");
    defs[ndefs].text = xstrdup(text);
    ndefs++;
}

/* ---- keys of definitions -------------------------------------------------------- */

static bool is_def(const Node *n) {
    switch (n->kind) {
    case N_FN: case N_STRUCT: case N_SUMTYPE: case N_ALIAS: case N_INTERFACE: case N_IMPL: case N_ACTOR:
    case N_SERVICE: case N_SUPERVISOR: case N_IMPORT: case N_FROM_IMPORT:
        return true;
    default:
        return false;
    }
}

static void def_key(const Node *n, char *key, size_t cap, const char **name) {
    switch (n->kind) {
    case N_FN:
        snprintf(key, cap, "fn:%s/%u", n->fn.name.id, n->fn.params.n);
        *name = n->fn.name.id;
        break;
    case N_ACTOR: snprintf(key, cap, "fn:%s", n->fn.name.id); *name = n->fn.name.id; break;
    case N_STRUCT: case N_SUMTYPE: case N_ALIAS:
        snprintf(key, cap, "type:%s", n->tdef.name.id);
        *name = n->tdef.name.id;
        break;
    case N_INTERFACE: snprintf(key, cap, "interface:%s", n->iface.name.id); *name = n->iface.name.id; break;
    case N_IMPL:
        snprintf(key, cap, "impl:%s for %s", n->impl.trait.id, n->impl.for_type.id);
        *name = n->impl.trait.id;
        break;
    case N_SERVICE: snprintf(key, cap, "type:%s", n->service.name.id); *name = n->service.name.id; break;
    case N_SUPERVISOR: snprintf(key, cap, "type:%s", n->sup.name.id); *name = n->sup.name.id; break;
    case N_IMPORT: case N_FROM_IMPORT:
        snprintf(key, cap, "import:%s:%u", n->import.path.id, n->span.off);
        *name = n->import.path.id;
        break;
    default: key[0] = 0; *name = ""; break;
    }
}

/* ---- annotation text of a type ----------------------------------------------------- */

/* Snow annotation syntax for a checked type; false when it has unresolved
 * variables (the binding is then passed unannotated). */
static bool ann_of(Type *t, SB *b) {
    t = ty_prune(t);
    switch (ty_kind(t)) {
    case TYK_INT: sb_puts(b, "Int"); return true;
    case TYK_FLOAT: sb_puts(b, "Float"); return true;
    case TYK_BOOL: sb_puts(b, "Bool"); return true;
    case TYK_STRING: sb_puts(b, "String"); return true;
    case TYK_UNIT: sb_puts(b, "()"); return true;
    case TYK_RANGE: sb_puts(b, "Range"); return true;
    case TYK_REF: sb_puts(b, "Ref"); return true;
    case TYK_JSON: sb_puts(b, "Json"); return true;
    case TYK_TUPLE: {
        sb_puts(b, "(");
        for (int i = 0; i < ty_nargs(t); i++) {
            if (i) sb_puts(b, ", ");
            if (!ann_of(ty_arg(t, i), b)) return false;
        }
        sb_puts(b, ")");
        return true;
    }
    case TYK_FUN: {
        int n = ty_nargs(t);
        sb_puts(b, "Fun(");
        for (int i = 0; i < n - 1; i++) {
            if (i) sb_puts(b, ", ");
            if (!ann_of(ty_arg(t, i), b)) return false;
        }
        sb_puts(b, ") -> ");
        return ann_of(ty_arg(t, n - 1), b);
    }
    case TYK_LIST: case TYK_MAP: case TYK_SET: case TYK_QUEUE: case TYK_PID: case TYK_USER: {
        TyKindPub k = ty_kind(t);
        const char *name = k == TYK_LIST ? "List" : k == TYK_MAP ? "Map" : k == TYK_SET ? "Set"
                         : k == TYK_QUEUE ? "Queue" : k == TYK_PID ? "Pid" : ty_sym(t)->name;
        sb_puts(b, name);
        int n = ty_nargs(t);
        if (n) {
            sb_puts(b, "<");
            for (int i = 0; i < n; i++) {
                if (i) sb_puts(b, ", ");
                if (!ann_of(ty_arg(t, i), b)) return false;
            }
            sb_puts(b, ">");
        }
        return true;
    }
    default: return false;
    }
}

/* ---- compiling one input ------------------------------------------------------------ */

typedef struct Compile {
    /* in */
    const char *text;
    bool only_type;    /* :type */
    bool defs_only;    /* :load: definitions only, statements ignored */
    /* out */
    bool ok;
    Value fn;          /* the wrapper */
    Node **new_defs;   /* definitions of the input (accepted ones) */
    uint32_t nnew_defs;
    uint32_t in_file;
    char **new_names;  /* new let bindings, in order */
    Sym **new_syms;
    uint32_t nnew;
    Node *it_let;      /* let __it = ..., or NULL */
    Node *last_expr;
} Compile;

static Node *mk_name(const char *id, Span sp) {
    Node *n = ast_node(N_NAME, sp);
    n->name.id.id = ast_intern(id, strlen(id));
    n->name.id.span = sp;
    return n;
}

static void collect_binders(Node *p, Compile *c) {
    if (!p) return;
    switch (p->kind) {
    case P_BIND: case P_AS: {
        const char *nm = p->kind == P_BIND ? p->name.id.id : p->as_.name.id;
        if (p->kind == P_AS) collect_binders(p->as_.pat, c);
        for (uint32_t i = 0; i < c->nnew; i++)
            if (strcmp(c->new_names[i], nm) == 0) {
                /* shadowed by a later let: keep the later one */
                memmove(&c->new_names[i], &c->new_names[i + 1], (c->nnew - i - 1) * sizeof *c->new_names);
                memmove(&c->new_syms[i], &c->new_syms[i + 1], (c->nnew - i - 1) * sizeof *c->new_syms);
                c->nnew--;
                break;
            }
        c->new_names = xrealloc(c->new_names, (c->nnew + 1) * sizeof *c->new_names);
        c->new_syms = xrealloc(c->new_syms, (c->nnew + 1) * sizeof *c->new_syms);
        c->new_names[c->nnew] = (char *)nm;
        c->new_syms[c->nnew] = NULL; /* filled after resolution from the node */
        c->nnew++;
        break;
    }
    case P_TUPLE: case P_LIST: case P_OR:
        for (uint32_t i = 0; i < p->list.items.n; i++) collect_binders(p->list.items.v[i], c);
        break;
    case P_CTOR:
        for (uint32_t i = 0; i < p->ctor.args.n; i++) collect_binders(p->ctor.args.v[i], c);
        break;
    case P_CONS:
        collect_binders(p->bin.lhs, c);
        collect_binders(p->bin.rhs, c);
        break;
    default: break;
    }
}

/* The binder node of a new let named `name` (the last one in the input). */
static Sym *find_binder(Node *p, const char *name) {
    if (!p) return NULL;
    switch (p->kind) {
    case P_BIND: return strcmp(p->name.id.id, name) == 0 ? p->sym : NULL;
    case P_AS: {
        if (strcmp(p->as_.name.id, name) == 0) return p->sym;
        return find_binder(p->as_.pat, name);
    }
    case P_TUPLE: case P_LIST: case P_OR:
        for (uint32_t i = 0; i < p->list.items.n; i++) {
            Sym *s = find_binder(p->list.items.v[i], name);
            if (s) return s;
        }
        return NULL;
    case P_CTOR:
        for (uint32_t i = 0; i < p->ctor.args.n; i++) {
            Sym *s = find_binder(p->ctor.args.v[i], name);
            if (s) return s;
        }
        return NULL;
    case P_CONS: {
        Sym *s = find_binder(p->bin.lhs, name);
        return s ? s : find_binder(p->bin.rhs, name);
    }
    default: return NULL;
    }
}

static Node *parse_text(const char *path, const char *text, uint32_t *file, int *nerr) {
    uint32_t id = src_add(path, text, strlen(text));
    TokenList toks = lex_file(id);
    Node *root = parse_file(id, &toks, nerr);
    lex_free(&toks);
    if (file) *file = id;
    return root;
}

static void compile_input(Compile *c) {
    c->ok = false;
    ++input_no;
    int nerr = 0;
    Node *in = parse_text("repl", c->text, &c->in_file, &nerr);
    if (nerr || diag_error_count()) return;
    /* split the input into definitions and statements */
    NodeVec dv = {0}, sv = {0};
    for (uint32_t i = 0; i < in->list.items.n; i++) {
        Node *it = in->list.items.v[i];
        if (is_def(it)) nv_push(&dv, it);
        else if (!c->defs_only) nv_push(&sv, it);
    }
    /* in the AST arena: c->new_defs outlives this function */
    NodeList idefs = nv_finish(&dv), stmts = nv_finish(&sv);
    /* the session's definitions not redefined by this input */
    SB sess;
    sb_init(&sess);
    for (uint32_t i = 0; i < ndefs; i++) {
        bool replaced = false;
        for (uint32_t k = 0; k < idefs.n; k++) {
            char key[512];
            const char *nm;
            def_key(idefs.v[k], key, sizeof key, &nm);
            if (strcmp(key, defs[i].key) == 0) replaced = true;
        }
        if (replaced) continue;
        sb_puts(&sess, defs[i].text);
        sb_puts(&sess, "\n");
    }
    Node *sroot = parse_text("session", sb_cstr(&sess), NULL, &nerr);
    sb_free(&sess);
    /* the wrapper: fn __repl_eval(bindings...) do statements; (__it, news..., ()) end */
    Span sp = {c->in_file, 0, 0};
    Node *fn = ast_node(N_FN, sp);
    fn->fn.name.id = ast_intern("__repl_eval", 11);
    fn->fn.name.span = sp;
    NodeVec params = {0};
    for (uint32_t i = 0; i < nbinds; i++) {
        Node *pb = ast_node(P_BIND, sp);
        pb->name.id.id = ast_intern(binds[i].name, strlen(binds[i].name));
        pb->name.id.span = sp;
        if (binds[i].ann) {
            int terr = 0;
            uint32_t tid = src_add("binding type", binds[i].ann, strlen(binds[i].ann));
            TokenList toks = lex_file(tid);
            pb->ann = parse_type_text(tid, &toks, &terr);
            lex_free(&toks);
            if (terr) pb->ann = NULL;
        }
        nv_push(&params, pb);
    }
    fn->fn.params = nv_finish(&params);
    Node *body = ast_node(N_BLOCK, sp);
    NodeVec bv = {0};
    c->it_let = NULL;
    c->last_expr = NULL;
    c->nnew = 0;
    for (uint32_t i = 0; i < stmts.n; i++) {
        Node *s = stmts.v[i];
        bool last = i == stmts.n - 1;
        if (s->kind == N_LET) {
            collect_binders(s->let.pat, c);
            nv_push(&bv, s);
        } else if (last) {
            Node *let = ast_node(N_LET, s->span);
            Node *pb = ast_node(P_BIND, s->span);
            pb->name.id.id = ast_intern("__it", 4);
            pb->name.id.span = s->span;
            let->let.pat = pb;
            let->let.value = s;
            c->it_let = let;
            c->last_expr = s;
            nv_push(&bv, let);
        } else {
            nv_push(&bv, s);
        }
    }
    /* result tuple */
    Node *tup = ast_node(N_TUPLE, sp);
    NodeVec tv = {0};
    nv_push(&tv, c->it_let ? mk_name("__it", sp) : ast_node(N_UNIT, sp));
    for (uint32_t i = 0; i < c->nnew; i++) nv_push(&tv, mk_name(c->new_names[i], sp));
    nv_push(&tv, ast_node(N_UNIT, sp));
    tup->list.items = nv_finish(&tv);
    nv_push(&bv, tup);
    body->list.items = nv_finish(&bv);
    fn->fn.body = body;
    /* the module */
    Module *m = ast_alloc(sizeof *m);
    m->name = ast_intern("Main", 4);
    m->short_name = m->name;
    m->file = c->in_file;
    m->root = ast_node(N_BLOCK, sp);
    NodeVec items = {0};
    for (uint32_t i = 0; i < sroot->list.items.n; i++) nv_push(&items, sroot->list.items.v[i]);
    for (uint32_t i = 0; i < idefs.n; i++) nv_push(&items, idefs.v[i]);
    nv_push(&items, fn);
    m->root->list.items = nv_finish(&items);
    c->new_defs = idefs.v;
    c->nnew_defs = idefs.n;
    Project proj;
    Module *mods[1];
    project_single(&proj, mods, m);
    proj.no_main = true;
    if (!pipeline_check_project(&proj)) return;
    /* the new bindings' symbols */
    for (uint32_t i = 0; i < c->nnew; i++) {
        for (uint32_t k = stmts.n; k > 0; k--) {
            Node *s = stmts.v[k - 1];
            if (s->kind != N_LET) continue;
            Sym *sy = find_binder(s->let.pat, c->new_names[i]);
            if (sy) { c->new_syms[i] = sy; break; }
        }
    }
    if (c->only_type) {
        c->ok = true;
        return;
    }
    c->ok = prepare_entry(&proj, "__repl_eval", &c->fn);
}

/* Compilation runs on a thread with a large stack. */
static void compile_thread(void *arg) { compile_input(arg); }

static void compile_big_stack(Compile *c) { run_on_big_stack(compile_thread, c, (size_t)128 << 20); }

/* ---- running ---------------------------------------------------------------------- */

typedef struct RunArgs {
    Value fn;
    Value result;
} RunArgs;

static void run_wrapper(void *arg) {
    RunArgs *ra = arg;
    uint32_t n = nbinds;
    VAL_BUF(args, n);
    for (uint32_t i = 0; i < n; i++) args[i] = list_get(bind_vals, i);
    ra->result = rt_apply(ra->fn, (int)n, args);
}

static char *type_text(Type *t) {
    if (!t) return xstrdup("?");
    return ty_show(t);
}

static void print_value(Value v, Type *t) {
    SB sb;
    sb_init(&sb);
    fmt_debug(&sb, v);
    char *ts = type_text(t);
    printf("%.*s :: %s\n", (int)sb.len, sb.p, ts);
    free(ts);
    sb_free(&sb);
}

static void describe_def(Node *d) {
    switch (d->kind) {
    case N_FN: {
        if (d->sym && d->sym->defs && d->sym->defs[0] != d) return; /* later clauses */
        char *t = type_text(d->sym ? ty_of_sym(d->sym) : NULL);
        printf("defined %s :: %s\n", d->fn.name.id, t);
        free(t);
        break;
    }
    case N_ACTOR: {
        char *t = type_text(d->sym ? ty_actor_message(d->sym) : NULL);
        printf("defined actor %s (messages: %s)\n", d->fn.name.id, t);
        free(t);
        break;
    }
    case N_STRUCT: printf("defined struct %s\n", d->tdef.name.id); break;
    case N_SUMTYPE: printf("defined type %s\n", d->tdef.name.id); break;
    case N_ALIAS: printf("defined alias %s\n", d->tdef.name.id); break;
    case N_INTERFACE: printf("defined interface %s\n", d->iface.name.id); break;
    case N_IMPL: printf("defined impl %s for %s\n", d->impl.trait.id, d->impl.for_type.id); break;
    case N_SERVICE: printf("defined service %s\n", d->service.name.id); break;
    case N_SUPERVISOR: printf("defined supervisor %s\n", d->sup.name.id); break;
    default: break;
    }
}

static void accept_defs(Compile *c) {
    SourceFile *sf = src_get(c->in_file);
    for (uint32_t i = 0; i < c->nnew_defs; i++) {
        Node *d = c->new_defs[i];
        char key[512];
        const char *nm;
        def_key(d, key, sizeof key, &nm);
        /* consecutive clauses of one function are stored as one text */
        uint32_t start = d->span.off, end = d->span.off + d->span.len;
        while (i + 1 < c->nnew_defs && d->kind == N_FN && c->new_defs[i + 1]->kind == N_FN) {
            char k2[512];
            const char *n2;
            def_key(c->new_defs[i + 1], k2, sizeof k2, &n2);
            if (strcmp(k2, key)) break;
            describe_def(c->new_defs[i]);
            i++;
            end = c->new_defs[i]->span.off + c->new_defs[i]->span.len;
        }
        char *text = xstrndup(sf->text + start, end - start);
        put_def(key, nm, text);
        free(text);
        describe_def(d);
    }
}

static void eval_text(const char *text, bool defs_only) {
    Compile c;
    memset(&c, 0, sizeof c);
    c.text = text;
    c.defs_only = defs_only;
    diag_reset();
    compile_big_stack(&c);
    diag_flush();
    if (!c.ok) {
        diag_reset();
        free(c.new_names);
        free(c.new_syms);
        return;
    }
    diag_reset();
    RunArgs ra = {c.fn, v_unit()};
    char msg[1024];
    fflush(stdout);
    EvalProc *ep = ev_proc();
    ShadowFrame *saved = ep->top;
    bool ok = proc_catch(run_wrapper, &ra, msg, sizeof msg);
    ep->top = saved;
    fflush(stdout);
    if (!ok) {
        fprintf(stderr, "panic: %s\n", msg);
        /* definitions of a failed input still count (they compiled) */
        accept_defs(&c);
        free(c.new_names);
        free(c.new_syms);
        return;
    }
    accept_defs(&c);
    /* display and keep the results */
    TupleObj *t = AS_TUPLE(ra.result);
    if (c.it_let) {
        Value it = t->items[0];
        Type *ty = c.it_let->let.pat->sym ? ty_of_sym(c.it_let->let.pat->sym) : c.last_expr->ty;
        if (!ty) ty = c.last_expr->ty;
        if (!(it.tag == T_UNIT && ty && ty_kind(ty_prune(ty)) == TYK_UNIT)) print_value(it, ty);
    }
    /* new bindings replace older ones of the same name */
    /* (malloc'd: every value here is also reachable from bind_vals or t) */
    Value *vals = xmalloc((nbinds + c.nnew + 1) * sizeof *vals);
    uint32_t nv = 0;
    for (uint32_t i = 0; i < nbinds; i++) {
        bool shadowed = false;
        for (uint32_t k = 0; k < c.nnew; k++)
            if (strcmp(binds[i].name, c.new_names[k]) == 0) shadowed = true;
        if (shadowed) {
            free(binds[i].name);
            free(binds[i].ann);
            free(binds[i].shown);
            continue;
        }
        binds[nv] = binds[i];
        vals[nv] = list_get(bind_vals, i);
        nv++;
    }
    nbinds = nv;
    for (uint32_t k = 0; k < c.nnew; k++) {
        if (nbinds == capbinds) {
            capbinds = capbinds ? capbinds * 2 : 16;
            binds = xrealloc(binds, capbinds * sizeof *binds);
        }
        Type *ty = c.new_syms[k] ? ty_of_sym(c.new_syms[k]) : NULL;
        SB b;
        sb_init(&b);
        bool annotatable = ty && ann_of(ty, &b);
        Binding *bd = &binds[nbinds];
        bd->name = xstrdup(c.new_names[k]);
        bd->ann = annotatable ? sb_detach(&b) : (sb_free(&b), NULL);
        bd->shown = type_text(ty);
        vals[nbinds] = t->items[1 + k];
        nbinds++;
        if (!c.it_let || tty) {
            SB sb;
            sb_init(&sb);
            fmt_debug(&sb, vals[nbinds - 1]);
            printf("%s = %.*s :: %s\n", bd->name, (int)sb.len, sb.p, bd->shown);
            sb_free(&sb);
        }
    }
    bind_vals = list_from_array(vals, nbinds);
    free(vals);
    free(c.new_names);
    free(c.new_syms);
}

/* ---- commands ------------------------------------------------------------------------ */

static const char *const help_text =
    "Type an expression to see its value and type, e.g. [1, 2, 3] |> List.map(fn x -> x * 2 end)\n"
    "Definitions (fn, struct, type, interface, impl, actor, service, supervisor, import) and\n"
    "`let` bindings stay for the rest of the session; defining a name again replaces it.\n"
    "Input continues on the next line while a do/end block, a bracket or a string is open.\n\n"
    "commands:\n"
    "  :help              this help\n"
    "  :type EXPR         show the type of an expression without running it\n"
    "  :load FILE         load the definitions of a file\n"
    "  :reload            load the files given to :load again\n"
    "  :reset             forget every definition and binding\n"
    "  :processes         list live processes (pid, name, status, mailbox length)\n"
    "  :quit              leave (also Ctrl-D)\n";

static void cmd_type(const char *expr) {
    Compile c;
    memset(&c, 0, sizeof c);
    c.text = expr;
    c.only_type = true;
    diag_reset();
    compile_big_stack(&c);
    diag_flush();
    diag_reset();
    if (c.ok && c.it_let) {
        Type *ty = c.it_let->let.pat->sym ? ty_of_sym(c.it_let->let.pat->sym) : NULL;
        if (!ty) ty = c.last_expr->ty;
        char *ts = type_text(ty);
        printf("%s :: %s\n", expr, ts);
        free(ts);
    } else if (c.ok) {
        printf("(no expression)\n");
    }
    free(c.new_names);
    free(c.new_syms);
}

static void cmd_load(const char *path, bool remember) {
    size_t len;
    const char *why = NULL;
    char *text = src_read(path, &len, &why);
    if (!text) {
        fprintf(stderr, "error: cannot read '%s': %s\n", path, why);
        return;
    }
    if (strlen(text) != len) { /* eval_text takes a C string */
        fprintf(stderr, "error: cannot load '%s': it contains a NUL byte\n", path);
        free(text);
        return;
    }
    eval_text(text, true);
    free(text);
    if (remember) {
        for (uint32_t i = 0; i < nloaded; i++)
            if (strcmp(loaded[i], path) == 0) return;
        loaded = xrealloc(loaded, (nloaded + 1) * sizeof *loaded);
        loaded[nloaded++] = xstrdup(path);
    }
    if (tty) printf("loaded %s\n", path);
}

static const char *state_name(const ProcInfo *p) {
    switch (p->state) {
    case PS_NEW: return "new";
    case PS_RUNNABLE: return "runnable";
    case PS_RUNNING: return "running";
    case PS_WAITING:
        switch (p->wait) {
        case W_SLEEP: return "sleeping";
        case W_IO: return "waiting (input)";
        default: return "waiting";
        }
    case PS_EXITING: return "exiting";
    default: return "dead";
    }
}

static void list_proc(Proc *proc, void *ud) {
    (void)ud;
    ProcInfo p;
    proc_info(proc, &p);
    char pid[32];
    ev_fmt_pid(p.pid, pid, sizeof pid);
    const char *name = p.is_main ? "repl" : (p.name ? p.name : "?");
    printf("  %-10s %-20s %-16s %zu\n", pid, name, state_name(&p), p.mailbox);
}

static void cmd_processes(void) {
    printf("  %-10s %-20s %-16s %s\n", "pid", "name", "status", "mailbox");
    proc_foreach(list_proc, NULL);
}

static bool handle_command(const char *line) {
    const char *arg = line + 1;
    size_t w = 0;
    while (arg[w] && arg[w] != ' ' && arg[w] != '\t') w++;
    const char *rest = arg + w;
    while (*rest == ' ' || *rest == '\t') rest++;
#define IS(s) (w == strlen(s) && strncmp(arg, s, w) == 0)
    if (IS("quit") || IS("q") || IS("exit")) return false;
    if (IS("help") || IS("h") || IS("?")) { fputs(help_text, stdout); return true; }
    if (IS("type") || IS("t")) {
        if (!*rest) fputs("usage: :type EXPR\n", stderr);
        else cmd_type(rest);
        return true;
    }
    if (IS("load") || IS("l")) {
        if (!*rest) fputs("usage: :load FILE\n", stderr);
        else cmd_load(rest, true);
        return true;
    }
    if (IS("reload") || IS("r")) {
        if (!nloaded) fputs("nothing to reload: use :load FILE first\n", stderr);
        for (uint32_t i = 0; i < nloaded; i++) cmd_load(loaded[i], false);
        return true;
    }
    if (IS("reset")) {
        session_reset();
        if (tty) puts("session reset");
        return true;
    }
    if (IS("processes") || IS("ps")) { cmd_processes(); return true; }
#undef IS
    fprintf(stderr, "unknown command :%.*s (try :help)\n", (int)w, arg);
    return true;
}

/* ---- input ----------------------------------------------------------------------------- */

/* Is the input unfinished (an open do/end block, bracket, string or an
 * operator at the end)?  Parse it and see whether an error sits at its end. */
static bool needs_more(const char *text) {
    size_t n = strlen(text);
    uint32_t id = src_add("probe", text, n);
    TokenList toks = lex_file(id);
    bool fatal = false;
    for (uint32_t i = toks.n; i > 0; i--) {
        TokKind k = toks.toks[i - 1].kind;
        if (k == TK_EOF || k == TK_NEWLINE) continue;
        fatal = k == TK_ERROR && toks.toks[i - 1].span.off + toks.toks[i - 1].span.len >= n;
        break;
    }
    int nerr = 0;
    parse_file(id, &toks, &nerr);
    lex_free(&toks);
    bool at_end = nerr && diag_has_error_from(id, (uint32_t)n);
    diag_reset();
    return fatal || at_end;
}

/* TTY: libedit's readline runs on its own thread (it blocks); the REPL
 * process asks it for a line through a pipe and parks on the answer, so the
 * scheduler keeps running the other processes meanwhile. */
static int req_pipe[2] = {-1, -1}, resp_pipe[2] = {-1, -1};

static void write_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return;
        }
        c += w;
        n -= (size_t)w;
    }
}

static bool read_all(int fd, void *p, size_t n) {
    char *c = p;
    while (n) {
        ssize_t r = read(fd, c, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        c += r;
        n -= (size_t)r;
    }
    return true;
}

static void input_thread(void *arg) {
    (void)arg;
    for (;;) {
        uint32_t plen;
        if (!read_all(req_pipe[0], &plen, sizeof plen)) return;
        char prompt[64];
        if (plen >= sizeof prompt || !read_all(req_pipe[0], prompt, plen)) return;
        prompt[plen] = 0;
        char *line = readline(prompt);
        int32_t len = line ? (int32_t)strlen(line) : -1;
        write_all(resp_pipe[1], &len, sizeof len);
        if (line) {
            write_all(resp_pipe[1], line, (size_t)len);
            free(line);
        }
    }
}

/* One line from the terminal, or NULL at end of input. */
static char *tty_line(const char *prompt) {
    uint32_t plen = (uint32_t)strlen(prompt);
    write_all(req_pipe[1], &plen, sizeof plen);
    write_all(req_pipe[1], prompt, plen);
    fflush(stdout);
    sched_wait_io(resp_pipe[0], POLLIN, -1);
    int32_t len;
    if (!read_all(resp_pipe[0], &len, sizeof len) || len < 0) return NULL;
    char *line = xmalloc((size_t)len + 1);
    if (len && !read_all(resp_pipe[0], line, (size_t)len)) {
        free(line);
        return NULL;
    }
    line[len] = 0;
    return line;
}


static void start_input_thread(void) {
    if (pipe(req_pipe) != 0 || pipe(resp_pipe) != 0) rt_fatal("pipe: %s", strerror(errno));
    run_detached(input_thread, NULL);
}

/* Non-TTY: read lines ourselves (no prompts). */
static char rbuf[65536];
static size_t rlen;
static bool rdone;

static char *read_line_plain(void) {
    for (;;) {
        char *nl = memchr(rbuf, '\n', rlen);
        if (nl) {
            size_t k = (size_t)(nl - rbuf);
            char *line = xstrndup(rbuf, k);
            memmove(rbuf, nl + 1, rlen - k - 1);
            rlen -= k + 1;
            return line;
        }
        if (rdone) {
            if (rlen) {
                char *line = xstrndup(rbuf, rlen);
                rlen = 0;
                return line;
            }
            return NULL;
        }
        if (rlen == sizeof rbuf) { /* an absurdly long line: take it as is */
            char *line = xstrndup(rbuf, rlen);
            rlen = 0;
            return line;
        }
        sched_wait_io(0, POLLIN, -1);
        ssize_t r = read(0, rbuf + rlen, sizeof rbuf - rlen);
        if (r <= 0) {
            if (r < 0 && errno == EINTR) continue;
            rdone = true;
        } else {
            rlen += (size_t)r;
        }
    }
}

/* One input: lines are read until they form a complete item (or a `:`
 * command); at end of input what was read so far is returned. */
static char *next_input(bool tty) {
    SB b;
    sb_init(&b);
    const char *prompt = "snow> ";
    for (;;) {
        char *line = tty ? tty_line(prompt) : read_line_plain();
        if (!line) {
            if (b.len) return sb_detach(&b);
            sb_free(&b);
            return NULL;
        }
        sb_puts(&b, line);
        sb_puts(&b, "\n");
        free(line);
        if (b.p[0] == ':' || !needs_more(sb_cstr(&b))) return sb_detach(&b);
        prompt = "  ... ";
    }
}

/* ---- completion ------------------------------------------------------------------------- */

static char **cands;
static size_t ncands, capcands;

static void cand(const char *prefix, size_t plen, const char *qual, const char *name) {
    if (strncmp(name, prefix, plen) != 0) return;
    char buf[256];
    snprintf(buf, sizeof buf, "%s%s", qual, name);
    for (size_t i = 0; i < ncands; i++)
        if (strcmp(cands[i], buf) == 0) return;
    if (ncands == capcands) {
        capcands = capcands ? capcands * 2 : 64;
        cands = xrealloc(cands, capcands * sizeof *cands);
    }
    cands[ncands++] = xstrdup(buf);
}

static char *complete_gen(const char *text, int state) {
    static size_t idx;
    if (state == 0) {
        for (size_t i = 0; i < ncands; i++) free(cands[i]);
        ncands = 0;
        idx = 0;
        const char *dot = strrchr(text, '.');
        if (dot) {
            /* Module.function */
            char mod[128];
            size_t ml = (size_t)(dot - text);
            if (ml >= sizeof mod) ml = sizeof mod - 1;
            memcpy(mod, text, ml);
            mod[ml] = 0;
            char qual[140];
            snprintf(qual, sizeof qual, "%s.", mod);
            for (const StdFn *f = stdlib_next_in_module(mod, NULL); f; f = stdlib_next_in_module(mod, f))
                cand(dot + 1, strlen(dot + 1), qual, f->name);
        } else {
            size_t pl = strlen(text);
            static const char *const cmds[] = {":help", ":type", ":load", ":reload", ":reset", ":processes", ":quit", NULL};
            for (int i = 0; cmds[i]; i++) cand(text, pl, "", cmds[i]);
            for (uint32_t i = 0; i < nbinds; i++) cand(text, pl, "", binds[i].name);
            for (uint32_t i = 0; i < ndefs; i++) cand(text, pl, "", defs[i].name);
            for (unsigned i = 0, n = stdlib_count(); i < n; i++) {
                const StdFn *f = stdlib_at(i);
                if (f->module[0]) cand(text, pl, "", f->module);
                if (f->flags & SF_PRELUDE) cand(text, pl, "", f->name);
            }
            static const char *const kws[] = {"actor", "case", "else", "end", "false", "fn", "for", "if", "impl",
                                              "import", "interface", "let", "receive", "send", "service", "spawn",
                                              "struct", "supervisor", "true", "type", "while", "Some", "None",
                                              "Ok", "Err", NULL};
            for (int i = 0; kws[i]; i++) cand(text, pl, "", kws[i]);
        }
    }
    if (idx < ncands) return xstrdup(cands[idx++]);
    return NULL;
}

static char **complete(const char *text, int start, int end) {
    (void)start;
    (void)end;
    rl_attempted_completion_over = 1;
    return rl_completion_matches(text, complete_gen);
}

/* ---- the REPL process ---------------------------------------------------------------------- */

/* Let the processes an input started run until they all wait: the
 * deterministic scheduler's clock only advances when nothing is runnable, so
 * a 1 ms sleep returns exactly then.  Their output thus appears before the
 * next prompt, in the same order every time. */
static void let_others_run(void) {
    fflush(stdout);
    sched_sleep_until(sched_now() + 1);
    fflush(stdout);
}

static char history_path[4096];

static Value repl_main(Value *args, int nargs) {
    (void)args;
    (void)nargs;
    bind_vals = list_empty();
    heap_add_root(heap_current(), &bind_vals);
    if (tty) {
        printf("Snow REPL — type :help for help, :quit to leave\n");
        const char *home = getenv("HOME");
        if (home) {
            snprintf(history_path, sizeof history_path, "%s/.snow_history", home);
            using_history();
            read_history(history_path);
        }
        rl_attempted_completion_function = complete;
        rl_completion_append_character = '\0';
        start_input_thread();
        rl_basic_word_break_characters = " \t\n\"()[]{},+-*/%<>=|&!";
    }
    for (;;) {
        fflush(stdout);
        char *input = next_input(tty);
        if (!input) break;
        /* trim */
        size_t n = strlen(input);
        while (n && (input[n - 1] == '\n' || input[n - 1] == ' ' || input[n - 1] == '\t' || input[n - 1] == '\r'))
            input[--n] = 0;
        char *s = input;
        while (*s == ' ' || *s == '\t' || *s == '\n') s++;
        if (!*s) { free(input); continue; }
        if (tty && history_path[0]) {
            add_history(s);
            write_history(history_path);
        }
        bool go_on = true;
        if (*s == ':') go_on = handle_command(s);
        else eval_text(s, false);
        free(input);
        let_others_run();
        fflush(stdout);
        fflush(stderr);
        if (!go_on) break;
    }
    if (tty) printf("\n");
    fflush(stdout);
    /* leave at once: actors still running do not keep the REPL open */
    exit(0);
}

static FuncInfo repl_fi = {"repl", 0, repl_main, NULL};

int cmd_repl(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--color=", 8) == 0) {
            diag_set_color(strcmp(argv[i] + 8, "always") == 0 ? 1 : strcmp(argv[i] + 8, "never") == 0 ? 0 : -1);
            continue;
        }
        fprintf(stderr, "snow repl: unknown argument '%s'\n", argv[i]);
        return 2;
    }
    tty = isatty(0) && isatty(1);
    prepare_keep_types(true);
    RtConfig cfg;
    memset(&cfg, 0, sizeof cfg);
    if (!rt_init(&cfg)) return 2;
    eval_install_hooks();
    Value fn = val_func_static(&repl_fi);
    int st = rt_run_main(fn);
    rt_shutdown();
    return st;
}
