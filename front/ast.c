/* ast.c — AST arena, string interning and the `snow ast` printer. */
#include "ast.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "depth.h"
#include "lex.h"
#include "xalloc.h"

/* ---- arena ---------------------------------------------------------------- */

typedef struct Chunk {
    struct Chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
} Chunk;

static Chunk *chunks;
static uint32_t next_id;

void *ast_alloc(size_t n) {
    n = (n + 15) & ~(size_t)15;
    if (!chunks || chunks->used + n > chunks->cap) {
        size_t cap = n > 60000 ? n : 65536 - sizeof(Chunk);
        Chunk *c = xmalloc(sizeof(Chunk) + cap);
        c->next = chunks;
        c->used = 0;
        c->cap = cap;
        chunks = c;
    }
    void *p = chunks->data + chunks->used;
    chunks->used += n;
    memset(p, 0, n);
    return p;
}

Node *ast_node(NodeKind k, Span s) {
    Node *n = ast_alloc(sizeof(Node));
    n->kind = (uint16_t)k;
    n->span = s;
    n->id = next_id++;
    return n;
}

uint32_t ast_node_count(void) { return next_id; }

const char *ast_strdup(const char *s, size_t n) {
    char *p = ast_alloc(n + 1);
    if (n) memcpy(p, s, n);
    p[n] = 0;
    return p;
}

/* ---- interning ------------------------------------------------------------ */

static const char **itab;
static size_t icap, icount;

static uint64_t hash_bytes(const char *s, size_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) { h ^= (unsigned char)s[i]; h *= 1099511628211ULL; }
    return h;
}

const char *ast_intern(const char *s, size_t n) {
    if (icount * 2 >= icap) {
        size_t ncap = icap ? icap * 2 : 1024;
        const char **nt = xcalloc(ncap, sizeof *nt);
        for (size_t i = 0; i < icap; i++) {
            if (!itab[i]) continue;
            size_t j = hash_bytes(itab[i], strlen(itab[i])) & (ncap - 1);
            while (nt[j]) j = (j + 1) & (ncap - 1);
            nt[j] = itab[i];
        }
        free(itab);
        itab = nt;
        icap = ncap;
    }
    size_t j = hash_bytes(s, n) & (icap - 1);
    while (itab[j]) {
        if (strncmp(itab[j], s, n) == 0 && itab[j][n] == 0) return itab[j];
        j = (j + 1) & (icap - 1);
    }
    /* interned strings live outside the AST arena so they survive resets */
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = 0;
    itab[j] = p;
    icount++;
    return p;
}

void ast_reset(void) {
    while (chunks) {
        Chunk *c = chunks->next;
        free(chunks);
        chunks = c;
    }
    next_id = 0;
}

/* Interned strings and the AST arena stay until the process ends: they are
 * reachable from globals, so leak checkers count them as "still reachable".
 * (Freeing them in a destructor would run before LeakSanitizer's own exit
 * check and turn everything they point to into reported leaks.)
 * ast_intern_reset frees the intern table explicitly (fuzzing). */
void ast_intern_reset(void) {
    for (size_t i = 0; i < icap; i++) free((void *)itab[i]);
    free(itab);
    itab = NULL;
    icap = icount = 0;
    ast_reset();
}

/* ---- node vectors --------------------------------------------------------- */

static void spine_push(AstSpine *s, Node *n) {
    if (s->n == s->cap) {
        uint32_t cap = s->cap * 2;
        Node **v = s->v == s->small ? xmalloc(cap * sizeof *v) : xrealloc(s->v, cap * sizeof *v);
        if (s->v == s->small) memcpy(v, s->small, sizeof s->small);
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = n;
}

void ast_binop_spine(AstSpine *s, Node *top) {
    s->v = s->small;
    s->n = 0;
    s->cap = sizeof s->small / sizeof *s->small;
    for (Node *n = top; n && n->kind == N_BINOP; n = n->bin.lhs) spine_push(s, n);
}

void ast_pipe_spine(AstSpine *s, Node *top) {
    s->v = s->small;
    s->n = 0;
    s->cap = sizeof s->small / sizeof *s->small;
    for (Node *n = top; n && ast_pipe_link(n); n = n->call.args.v[0]) spine_push(s, n);
}

void ast_spine_free(AstSpine *s) {
    if (s->v != s->small) free(s->v);
    s->v = s->small;
    s->n = 0;
}

void nv_push(NodeVec *nv, Node *n) {
    if (nv->n == nv->cap) {
        nv->cap = nv->cap ? nv->cap * 2 : 4;
        nv->v = xrealloc(nv->v, nv->cap * sizeof(Node *));
    }
    nv->v[nv->n++] = n;
}

NodeList nv_finish(NodeVec *nv) {
    NodeList l = {NULL, nv->n};
    if (nv->n) {
        l.v = ast_alloc(nv->n * sizeof(Node *));
        memcpy(l.v, nv->v, nv->n * sizeof(Node *));
    }
    free(nv->v);
    nv->v = NULL;
    nv->n = nv->cap = 0;
    return l;
}

/* ---- printer -------------------------------------------------------------- */

static const char *const kind_names[N__COUNT] = {
    [N_NONE] = "None", [N_FN] = "Fn", [N_STRUCT] = "Struct", [N_SUMTYPE] = "SumType",
    [N_ALIAS] = "Alias", [N_FIELD] = "Field", [N_VARIANT] = "Variant", [N_INTERFACE] = "Interface",
    [N_IMPL] = "Impl", [N_MODULE] = "ModuleDef", [N_IMPORT] = "Import", [N_FROM_IMPORT] = "FromImport",
    [N_ACTOR] = "Actor", [N_SERVICE] = "Service", [N_HANDLER] = "Handler",
    [N_SUPERVISOR] = "Supervisor", [N_CHILD] = "Child", [N_LET] = "Let", [N_INT] = "Int",
    [N_FLOAT] = "Float", [N_STRING] = "String", [N_INTERP] = "Interpolation", [N_BOOL] = "Bool",
    [N_UNIT] = "Unit", [N_NAME] = "Name", [N_SELF] = "SelfValue", [N_TUPLE] = "Tuple",
    [N_LIST] = "List", [N_MAPLIT] = "Map", [N_BINOP] = "Binary", [N_UNOP] = "Unary",
    [N_CALL] = "Call", [N_FIELDACC] = "Field", [N_INDEX] = "Index", [N_TRY] = "Try",
    [N_STRUCTLIT] = "StructLit", [N_FIELDINIT] = "FieldInit", [N_IF] = "If", [N_CASE] = "Case",
    [N_ARM] = "Arm", [N_CLOSURE] = "Closure", [N_CLAUSE] = "Clause", [N_WHILE] = "While",
    [N_FOR] = "For", [N_BREAK] = "Break", [N_CONTINUE] = "Continue", [N_RETURN] = "Return",
    [N_BLOCK] = "Block", [N_SPAWN] = "Spawn", [N_SEND] = "Send", [N_RECEIVE] = "Receive",
    [N_SELFCALL] = "SelfCall", [N_LINK] = "Link", [P_WILD] = "PWild", [P_BIND] = "PBind",
    [P_LIT] = "PLit", [P_CTOR] = "PCtor", [P_TUPLE] = "PTuple", [P_LIST] = "PList",
    [P_CONS] = "PCons", [P_OR] = "POr", [P_AS] = "PAs", [TY_NAME] = "TypeName",
    [TY_TUPLE] = "TypeTuple", [TY_FUN] = "TypeFun",
};

const char *ast_kind_name(NodeKind k) {
    return (k < N__COUNT && kind_names[k]) ? kind_names[k] : "?";
}

static void indent(FILE *f, int d) {
    for (int i = 0; i < d; i++) fputs("  ", f);
}

static void print_str(FILE *f, const char *s, uint32_t n) {
    fputc('"', f);
    for (uint32_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c == '\n') fputs("\\n", f);
        else if (c == '\t') fputs("\\t", f);
        else if (c == '\r') fputs("\\r", f);
        else if (c < 0x20) fprintf(f, "\\u{%x}", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static void dump_list(FILE *f, const char *label, NodeList l, int depth) {
    if (!l.n) return;
    indent(f, depth);
    fprintf(f, "%s:\n", label);
    for (uint32_t i = 0; i < l.n; i++) ast_dump(f, l.v[i], depth + 1);
}

static void dump_child(FILE *f, const char *label, const Node *n, int depth) {
    if (!n) return;
    indent(f, depth);
    fprintf(f, "%s:\n", label);
    ast_dump(f, n, depth + 1);
}

/* Deeper than this the outline stops (a million-term chain would print
 * terabytes of indentation). */
#define AST_DUMP_MAX_DEPTH 1000

void ast_dump(FILE *f, const Node *n, int depth) {
    if (!n) return;
    if (depth > AST_DUMP_MAX_DEPTH || depth_exhausted()) {
        indent(f, depth > AST_DUMP_MAX_DEPTH ? AST_DUMP_MAX_DEPTH : depth);
        fputs("... (nested too deeply to show)\n", f);
        return;
    }
    uint32_t line, col;
    src_linecol(n->span.file, n->span.off, &line, &col);
    indent(f, depth);
    fputs(ast_kind_name((NodeKind)n->kind), f);
    switch (n->kind) {
    case N_FN: case N_ACTOR:
        fprintf(f, " %s%s%s", (n->flags & NF_PUB) ? "pub " : "", n->fn.name.id,
                (n->flags & NF_EQ_BODY) ? " (=)" : "");
        break;
    case N_STRUCT: case N_SUMTYPE: case N_ALIAS:
        fprintf(f, " %s%s", (n->flags & NF_PUB) ? "pub " : "", n->tdef.name.id);
        break;
    case N_FIELD: if (n->field.name.id) fprintf(f, " %s", n->field.name.id); break;
    case N_VARIANT: fprintf(f, " %s", n->variant.name.id); break;
    case N_INTERFACE: fprintf(f, " %s%s", (n->flags & NF_PUB) ? "pub " : "", n->iface.name.id); break;
    case N_IMPL: fprintf(f, " %s for %s", n->impl.trait.id, n->impl.for_type.id); break;
    case N_MODULE: fprintf(f, " %s", n->module_def.name.id); break;
    case N_IMPORT: case N_FROM_IMPORT: fprintf(f, " %s", n->import.path.id); break;
    case N_SERVICE: fprintf(f, " %s", n->service.name.id); break;
    case N_HANDLER:
        fprintf(f, " %s %s", n->handler.is_call ? "call" : "cast", n->handler.name.id);
        if (n->handler.state.id) fprintf(f, " |%s|", n->handler.state.id);
        break;
    case N_SUPERVISOR:
        fprintf(f, " %s%s", (n->flags & NF_PUB) ? "pub " : "", n->sup.name.id);
        if (n->sup.strategy.id) fprintf(f, " strategy=%s", n->sup.strategy.id);
        break;
    case N_CHILD:
        fprintf(f, " %s", n->child.name.id);
        if (n->child.restart.id) fprintf(f, " restart=%s", n->child.restart.id);
        if (n->flags & NF_BRUTAL) fputs(" shutdown=brutal_kill", f);
        break;
    case N_INT: fprintf(f, " %" PRId64, n->lit.i); break;
    case N_FLOAT: {
        /* shortest text that reads back as the same double */
        char buf[40];
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, n->lit.f);
            if (strtod(buf, NULL) == n->lit.f) break;
        }
        fprintf(f, " %s", buf);
        break;
    }
    case N_STRING: fputc(' ', f); print_str(f, n->lit.s, n->lit.n); break;
    case N_BOOL: fputs(n->lit.i ? " true" : " false", f); break;
    case N_NAME: case P_BIND: fprintf(f, " %s", n->name.id.id); break;
    case N_BINOP: case N_UNOP: fprintf(f, " %s", tok_text((TokKind)n->bin.op)); break;
    case N_FIELDACC: fprintf(f, " .%s", n->field_acc.name.id); break;
    case N_FIELDINIT: fprintf(f, " %s", n->field_init.name.id); break;
    case N_CALL: if (n->flags & NF_PIPED) fputs(" (piped)", f); break;
    case P_LIT: if (n->pat_lit.negated) fputs(" negative", f); break;
    case P_CTOR:
        fputc(' ', f);
        if (n->ctor.qual.id) fprintf(f, "%s.", n->ctor.qual.id);
        fputs(n->ctor.name.id, f);
        break;
    case P_AS: fprintf(f, " %s", n->as_.name.id); break;
    case TY_NAME:
        fprintf(f, " %s", n->tname.path.id);
        if (n->tname.opt) fputs("?", f);
        break;
    default: break;
    }
    fprintf(f, " @%u:%u\n", line, col);
    int d = depth + 1;
    if (n->ann) dump_child(f, "type", n->ann, d);
    switch (n->kind) {
    case N_FN: case N_ACTOR:
        dump_list(f, "generics", n->fn.generics, d);
        dump_list(f, "params", n->fn.params, d);
        dump_child(f, "returns", n->fn.ret, d);
        dump_list(f, "where", n->fn.where, d);
        dump_child(f, "guard", n->fn.guard, d);
        dump_child(f, "body", n->fn.body, d);
        dump_child(f, "terminate", n->fn.terminate, d);
        break;
    case N_STRUCT: case N_SUMTYPE: case N_ALIAS:
        dump_list(f, "generics", n->tdef.generics, d);
        dump_list(f, "members", n->tdef.members, d);
        if (n->tdef.has_deriving) {
            indent(f, d);
            fputs("deriving:", f);
            for (uint32_t i = 0; i < n->tdef.derives.n; i++) fprintf(f, " %s", n->tdef.derives.v[i]->name.id.id);
            fputc('\n', f);
        }
        dump_child(f, "aliases", n->tdef.alias_of, d);
        break;
    case N_FIELD: dump_child(f, "type", n->field.type, d); break;
    case N_VARIANT: dump_list(f, "fields", n->variant.fields, d); break;
    case N_INTERFACE:
        dump_list(f, "generics", n->iface.generics, d);
        dump_list(f, "methods", n->iface.methods, d);
        break;
    case N_IMPL:
        dump_list(f, "trait args", n->impl.trait_args, d);
        dump_list(f, "where", n->impl.where, d);
        dump_list(f, "methods", n->impl.methods, d);
        break;
    case N_MODULE: dump_child(f, "body", n->module_def.body, d); break;
    case N_FROM_IMPORT: dump_list(f, "names", n->import.names, d); break;
    case N_SERVICE:
        dump_child(f, "init", n->service.init, d);
        dump_list(f, "handlers", n->service.handlers, d);
        break;
    case N_HANDLER:
        dump_list(f, "params", n->handler.params, d);
        dump_child(f, "returns", n->handler.ret, d);
        dump_child(f, "body", n->handler.body, d);
        break;
    case N_SUPERVISOR:
        dump_child(f, "max_restarts", n->sup.max_restarts, d);
        dump_child(f, "max_seconds", n->sup.max_seconds, d);
        dump_list(f, "children", n->sup.children, d);
        break;
    case N_CHILD:
        dump_child(f, "start", n->child.start, d);
        dump_child(f, "shutdown", n->child.shutdown, d);
        break;
    case N_LET:
        dump_child(f, "pattern", n->let.pat, d);
        dump_child(f, "type", n->let.ann, d);
        dump_child(f, "value", n->let.value, d);
        break;
    case N_INTERP: case N_TUPLE: case N_LIST: case N_MAPLIT: case N_BLOCK: case N_SPAWN:
    case N_SEND: case N_LINK: case P_TUPLE: case P_LIST: case P_OR: case TY_TUPLE:
        for (uint32_t i = 0; i < n->list.items.n; i++) ast_dump(f, n->list.items.v[i], d);
        break;
    case N_BINOP: case N_INDEX: case P_CONS:
        ast_dump(f, n->bin.lhs, d);
        ast_dump(f, n->bin.rhs, d);
        break;
    case N_UNOP: case N_TRY: case N_RETURN: ast_dump(f, n->un.operand, d); break;
    case N_CALL:
        dump_child(f, "callee", n->call.callee, d);
        dump_list(f, "args", n->call.args, d);
        break;
    case N_FIELDACC: ast_dump(f, n->field_acc.base, d); break;
    case N_STRUCTLIT:
        dump_child(f, "type", n->slit.type, d);
        for (uint32_t i = 0; i < n->slit.fields.n; i++) ast_dump(f, n->slit.fields.v[i], d);
        break;
    case N_FIELDINIT: ast_dump(f, n->field_init.value, d); break;
    case N_IF:
        dump_child(f, "cond", n->if_.cond, d);
        dump_child(f, "then", n->if_.then, d);
        dump_child(f, "else", n->if_.els, d);
        break;
    case N_CASE:
        dump_child(f, "scrutinee", n->case_.scrut, d);
        for (uint32_t i = 0; i < n->case_.arms.n; i++) ast_dump(f, n->case_.arms.v[i], d);
        break;
    case N_ARM:
        dump_child(f, "pattern", n->arm.pat, d);
        dump_child(f, "guard", n->arm.guard, d);
        dump_child(f, "body", n->arm.body, d);
        break;
    case N_CLOSURE:
        for (uint32_t i = 0; i < n->closure.clauses.n; i++) ast_dump(f, n->closure.clauses.v[i], d);
        break;
    case N_CLAUSE:
        dump_list(f, "params", n->clause.params, d);
        dump_child(f, "guard", n->clause.guard, d);
        dump_child(f, "body", n->clause.body, d);
        break;
    case N_WHILE:
        dump_child(f, "cond", n->loop.cond, d);
        dump_child(f, "body", n->loop.body, d);
        break;
    case N_FOR:
        dump_child(f, "var", n->for_.var, d);
        dump_child(f, "value var", n->for_.var2, d);
        dump_child(f, "iterable", n->for_.iter, d);
        dump_child(f, "filter", n->for_.filter, d);
        dump_child(f, "body", n->for_.body, d);
        break;
    case N_RECEIVE:
        for (uint32_t i = 0; i < n->recv.arms.n; i++) ast_dump(f, n->recv.arms.v[i], d);
        dump_child(f, "after", n->recv.after_ms, d);
        dump_child(f, "after body", n->recv.after_body, d);
        break;
    case P_LIT: ast_dump(f, n->pat_lit.lit, d); break;
    case P_CTOR: dump_list(f, "args", n->ctor.args, d); break;
    case P_AS: ast_dump(f, n->as_.pat, d); break;
    case TY_NAME:
        for (uint32_t i = 0; i < n->tname.args.n; i++) ast_dump(f, n->tname.args.v[i], d);
        dump_child(f, "error", n->tname.err, d);
        break;
    case TY_FUN:
        dump_list(f, "params", n->tfun.params, d);
        dump_child(f, "returns", n->tfun.ret, d);
        break;
    default: break;
    }
}
