/* dbg_match.c — message-pattern breakpoints: `Withdraw(amount) when amount > 100`.
 *
 * The text is parsed by the real parser (parse_pattern_text: a Snow pattern
 * with an optional `when` guard), then matched directly on the syntax tree
 * against the message value.  Matching is by name (constructors compare
 * their variant names; a bare capitalised name is a nullary constructor),
 * because a breakpoint is typed by the learner at run time, outside any
 * module scope.  Guards support what guards are written with: literals, the
 * pattern's variables, arithmetic, comparisons, `and`/`or`/`not`, field
 * access on structs and a few pure library calls (String.length,
 * List.length, Map.size, Set.size, String.contains / starts_with /
 * ends_with).  A service call or cast matches like a constructor named
 * after its handler: `Withdraw(amount) when amount > 100` stops at
 * `Account.withdraw(acct, 150)`, and the Down / Exit signals a process is
 * about to receive match `Down(ref, pid, reason)` / `Exit(pid, reason)`.
 * Nothing here allocates in a Snow heap or runs Snow code: the
 * match runs while the sender is paused in the middle of `send`. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "dbg.h"
#include "diag.h"
#include "lex.h"
#include "list.h"
#include "map.h"
#include "parse.h"
#include "source.h"
#include "str.h"
#include "xalloc.h"

struct DbgPattern {
    Node *pat;
    Node *guard;
};

/* ---- parsing ------------------------------------------------------------------------ */

DbgPattern *dbg_pattern_parse(const char *text, char *err, size_t cap) {
    while (*text == ' ') text++;
    if (!*text) {
        snprintf(err, cap, "empty pattern (e.g. `Withdraw(amount) when amount > 100`)");
        return NULL;
    }
    diag_flush();
    char *buf = NULL;
    size_t blen = 0;
    FILE *mem = open_memstream(&buf, &blen);
    if (!mem) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    diag_set_output(mem);
    diag_set_color(0);
    uint32_t id = src_add("<breakpoint>", text, strlen(text));
    TokenList toks = lex_file(id);
    int nerr = 0;
    Node *arm = diag_error_count() ? NULL : parse_pattern_text(id, &toks, &nerr);
    bool bad = diag_error_count() > 0 || nerr > 0 || !arm || !arm->arm.pat;
    diag_flush();
    diag_reset();
    diag_set_output(stderr);
    diag_set_color(-1);
    fclose(mem);
    lex_free(&toks);
    if (bad) {
        /* the first line of the diagnostic, without the file position */
        const char *msg = buf && *buf ? buf : "cannot parse the pattern";
        const char *e = strstr(msg, "error");
        if (e) {
            const char *colon = strchr(e, ':');
            if (colon) msg = colon + 1;
        }
        while (*msg == ' ') msg++;
        size_t n = strcspn(msg, "\n");
        snprintf(err, cap, "%.*s", (int)n, msg);
        free(buf);
        return NULL;
    }
    free(buf);
    DbgPattern *p = xcalloc(1, sizeof *p);
    p->pat = arm->arm.pat;
    p->guard = arm->arm.guard;
    return p;
}

void dbg_pattern_free(DbgPattern *p) { free(p); /* nodes live in the AST arena */ }

/* ---- matching ------------------------------------------------------------------------- */

#define MAX_BINDS 32

typedef struct Env {
    const char *names[MAX_BINDS];
    Value vals[MAX_BINDS];
    int n;
    ListObj *tails[64]; /* views made for `h :: t` */
    int ntails;
} Env;

static bool is_upper(const char *s) { return s && *s >= 'A' && *s <= 'Z'; }

static bool variant_named(Value v, const char *name, const char *qual) {
    if (v.tag != T_VARIANT) return false;
    VariantObj *o = AS_VARIANT(v);
    if (!o->type || o->idx >= o->type->nvariants) return false;
    if (strcmp(o->type->variants[o->idx].name, name) != 0) return false;
    return !qual || strcmp(o->type->name, qual) == 0;
}

static void bind(Env *env, const char *name, Value v) {
    if (env->n < MAX_BINDS) {
        env->names[env->n] = name;
        env->vals[env->n++] = v;
    }
}

static bool match(const Node *p, Value v, Env *env);

static bool match_items(NodeList items, const Value *vals, size_t n, Env *env) {
    if (items.n != n) return false;
    for (uint32_t i = 0; i < items.n; i++)
        if (!match(items.v[i], vals[i], env)) return false;
    return true;
}

static bool lit_equal(const Node *lit, Value v) {
    switch (lit->kind) {
    case N_INT: return (v.tag == T_INT && v.i == lit->lit.i) || (v.tag == T_FLOAT && v.f == (double)lit->lit.i);
    case N_FLOAT: return (v.tag == T_FLOAT && v.f == lit->lit.f) || (v.tag == T_INT && (double)v.i == lit->lit.f);
    case N_STRING: return v.tag == T_STR && str_len(v) == lit->lit.n && memcmp(str_data(v), lit->lit.s, lit->lit.n) == 0;
    case N_BOOL: return v.tag == T_BOOL && (v.i != 0) == (lit->lit.i != 0);
    case N_UNIT: return v.tag == T_UNIT;
    default: return false;
    }
}

static bool match(const Node *p, Value v, Env *env) {
    if (!p) return false;
    switch (p->kind) {
    case P_WILD: return true;
    case P_BIND:
        if (is_upper(p->name.id.id)) return variant_named(v, p->name.id.id, NULL) && AS_VARIANT(v)->n == 0;
        bind(env, p->name.id.id, v);
        return true;
    case P_LIT: return lit_equal(p->pat_lit.lit, v);
    case P_CTOR: {
        if (!variant_named(v, p->ctor.name.id, p->ctor.qual.id)) return false;
        VariantObj *o = AS_VARIANT(v);
        if (!p->ctor.has_args) return o->n == 0;
        return match_items(p->ctor.args, o->fields, o->n, env);
    }
    case P_TUPLE:
        return v.tag == T_TUPLE && match_items(p->list.items, AS_TUPLE(v)->items, AS_TUPLE(v)->n, env);
    case P_LIST:
        return v.tag == T_LIST && match_items(p->list.items, list_items(v), list_len(v), env);
    case P_CONS: {
        if (v.tag != T_LIST || list_len(v) == 0) return false;
        if (!match(p->bin.lhs, list_items(v)[0], env)) return false;
        Value tail = list_empty();
        if (list_len(v) > 1) {
            if (env->ntails == 64) return false;
            ListObj *t = xmalloc(sizeof *t);
            *t = *AS_LIST(v);
            t->off++;
            t->len--;
            env->tails[env->ntails++] = t;
            tail.o = &t->h;
        }
        return match(p->bin.rhs, tail, env);
    }
    case P_OR:
        for (uint32_t i = 0; i < p->list.items.n; i++) {
            int mark = env->n;
            if (match(p->list.items.v[i], v, env)) return true;
            env->n = mark;
        }
        return false;
    case P_AS:
        if (!match(p->as_.pat, v, env)) return false;
        bind(env, p->as_.name.id, v);
        return true;
    default: return false;
    }
}

/* ---- guards ------------------------------------------------------------------------------ */

enum { G_ERR, G_INT, G_FLOAT, G_BOOL, G_STR, G_UNIT, G_VAL, G_CTOR };

typedef struct G {
    int k;
    int64_t i;
    double f;
    const char *s; /* G_STR bytes / G_CTOR name */
    size_t n;
    Value v;       /* G_VAL */
} G;

static G g_err(void) { return (G){.k = G_ERR}; }
static G g_bool(bool b) { return (G){.k = G_BOOL, .i = b}; }
static G g_int(int64_t i) { return (G){.k = G_INT, .i = i}; }

static G from_value(Value v) {
    switch (v.tag) {
    case T_INT: return g_int(v.i);
    case T_FLOAT: return (G){.k = G_FLOAT, .f = v.f};
    case T_BOOL: return g_bool(v.i != 0);
    case T_STR: return (G){.k = G_STR, .s = str_data(v), .n = str_len(v)};
    case T_UNIT: return (G){.k = G_UNIT};
    default: return (G){.k = G_VAL, .v = v};
    }
}

static bool is_num(const G *g) { return g->k == G_INT || g->k == G_FLOAT; }
static double as_f(const G *g) { return g->k == G_INT ? (double)g->i : g->f; }

static bool same_text(Value a, Value b) {
    SB x, y;
    sb_init(&x);
    sb_init(&y);
    dbg_fmt(&x, a, 8192);
    dbg_fmt(&y, b, 8192);
    bool r = x.len == y.len && memcmp(x.p, y.p, x.len) == 0;
    sb_free(&x);
    sb_free(&y);
    return r;
}

/* -1/0/1, or 2 when not comparable; eq_only: only equality is asked. */
static int compare(const G *a, const G *b, bool eq_only) {
    if (is_num(a) && is_num(b)) {
        if (a->k == G_INT && b->k == G_INT) return a->i < b->i ? -1 : a->i > b->i;
        double x = as_f(a), y = as_f(b);
        if (x != x || y != y) return 2;
        return x < y ? -1 : x > y;
    }
    if (a->k == G_STR && b->k == G_STR) {
        size_t n = a->n < b->n ? a->n : b->n;
        int c = memcmp(a->s, b->s, n);
        if (c) return c < 0 ? -1 : 1;
        return a->n < b->n ? -1 : a->n > b->n;
    }
    if (a->k == G_BOOL && b->k == G_BOOL) return (int)a->i - (int)b->i;
    if (a->k == G_UNIT && b->k == G_UNIT) return 0;
    if (!eq_only) return 2;
    if (a->k == G_CTOR && b->k == G_VAL) return variant_named(b->v, a->s, NULL) && AS_VARIANT(b->v)->n == 0 ? 0 : 1;
    if (b->k == G_CTOR && a->k == G_VAL) return compare(b, a, true);
    if (a->k == G_CTOR && b->k == G_CTOR) return strcmp(a->s, b->s) != 0;
    if (a->k == G_VAL && b->k == G_VAL) return same_text(a->v, b->v) ? 0 : 1;
    return 1;
}

static size_t utf8_count(const char *s, size_t n) {
    size_t c = 0;
    for (size_t i = 0; i < n; i++) c += ((unsigned char)s[i] & 0xC0) != 0x80;
    return c;
}

static G eval(const Node *e, Env *env);

static G call(const Node *e, Env *env) {
    const Node *cal = e->call.callee;
    if (!cal || cal->kind != N_FIELDACC || !cal->field_acc.base || cal->field_acc.base->kind != N_NAME) return g_err();
    const char *mod = cal->field_acc.base->name.id.id, *fn = cal->field_acc.name.id;
    uint32_t argc = e->call.args.n;
    G a[2];
    for (uint32_t i = 0; i < argc && i < 2; i++) a[i] = eval(e->call.args.v[i], env);
    if (argc == 1 && !strcmp(fn, "length")) {
        if (!strcmp(mod, "String") && a[0].k == G_STR) return g_int((int64_t)utf8_count(a[0].s, a[0].n));
        if (!strcmp(mod, "List") && a[0].k == G_VAL && a[0].v.tag == T_LIST) return g_int((int64_t)list_len(a[0].v));
    }
    if (argc == 1 && !strcmp(fn, "size") && a[0].k == G_VAL) {
        if (!strcmp(mod, "Map") && a[0].v.tag == T_MAP) return g_int((int64_t)map_size(a[0].v));
        if (!strcmp(mod, "Set") && a[0].v.tag == T_SET) return g_int((int64_t)set_size(a[0].v));
    }
    if (argc == 2 && !strcmp(mod, "String") && a[0].k == G_STR && a[1].k == G_STR) {
        const char *s = a[0].s, *t = a[1].s;
        size_t n = a[0].n, m = a[1].n;
        if (!strcmp(fn, "contains")) {
            if (m == 0) return g_bool(true);
            for (size_t i = 0; i + m <= n; i++)
                if (!memcmp(s + i, t, m)) return g_bool(true);
            return g_bool(false);
        }
        if (!strcmp(fn, "starts_with")) return g_bool(m <= n && !memcmp(s, t, m));
        if (!strcmp(fn, "ends_with")) return g_bool(m <= n && !memcmp(s + n - m, t, m));
    }
    return g_err();
}

static G eval(const Node *e, Env *env) {
    if (!e) return g_err();
    switch (e->kind) {
    case N_INT: return g_int(e->lit.i);
    case N_FLOAT: return (G){.k = G_FLOAT, .f = e->lit.f};
    case N_BOOL: return g_bool(e->lit.i != 0);
    case N_STRING: return (G){.k = G_STR, .s = e->lit.s, .n = e->lit.n};
    case N_UNIT: return (G){.k = G_UNIT};
    case N_NAME: {
        const char *nm = e->name.id.id;
        for (int i = env->n; i-- > 0;)
            if (env->names[i] == nm || strcmp(env->names[i], nm) == 0) return from_value(env->vals[i]);
        if (is_upper(nm)) return (G){.k = G_CTOR, .s = nm};
        return g_err();
    }
    case N_FIELDACC: {
        const Node *b = e->field_acc.base;
        if (b && b->kind == N_NAME && is_upper(b->name.id.id) && is_upper(e->field_acc.name.id))
            return (G){.k = G_CTOR, .s = e->field_acc.name.id}; /* ExitReason.Normal */
        G base = eval(b, env);
        if (base.k != G_VAL || base.v.tag != T_STRUCT) return g_err();
        StructObj *so = AS_STRUCT(base.v);
        for (uint32_t i = 0; i < so->type->nfields; i++)
            if (!strcmp(so->type->field_names[i], e->field_acc.name.id)) return from_value(so->fields[i]);
        return g_err();
    }
    case N_CALL: return call(e, env);
    case N_UNOP: {
        G a = eval(e->un.operand, env);
        if (e->un.op == TK_MINUS) {
            if (a.k == G_INT) return g_int(-a.i);
            if (a.k == G_FLOAT) return (G){.k = G_FLOAT, .f = -a.f};
            return g_err();
        }
        if (a.k != G_BOOL) return g_err();
        return g_bool(!a.i);
    }
    case N_BINOP: {
        int op = e->bin.op;
        if (op == TK_ANDAND || op == TK_AND || op == TK_OROR || op == TK_OR) {
            G a = eval(e->bin.lhs, env);
            if (a.k != G_BOOL) return g_err();
            bool is_and = op == TK_ANDAND || op == TK_AND;
            if (is_and ? !a.i : a.i) return a;
            G b = eval(e->bin.rhs, env);
            return b.k == G_BOOL ? b : g_err();
        }
        G a = eval(e->bin.lhs, env), b = eval(e->bin.rhs, env);
        if (a.k == G_ERR || b.k == G_ERR) return g_err();
        switch (op) {
        case TK_EQEQ: case TK_NEQ: {
            int c = compare(&a, &b, true);
            if (c == 2) return g_bool(op == TK_NEQ);
            return g_bool(op == TK_EQEQ ? c == 0 : c != 0);
        }
        case TK_LT: case TK_LE: case TK_GT: case TK_GE: {
            int c = compare(&a, &b, false);
            if (c == 2) return g_bool(false);
            return g_bool(op == TK_LT ? c < 0 : op == TK_LE ? c <= 0 : op == TK_GT ? c > 0 : c >= 0);
        }
        case TK_PLUS: case TK_MINUS: case TK_STAR: case TK_SLASH: case TK_PERCENT:
            if (!is_num(&a) || !is_num(&b)) return g_err();
            if (a.k == G_INT && b.k == G_INT) {
                switch (op) {
                case TK_PLUS: return g_int((int64_t)((uint64_t)a.i + (uint64_t)b.i));
                case TK_MINUS: return g_int((int64_t)((uint64_t)a.i - (uint64_t)b.i));
                case TK_STAR: return g_int((int64_t)((uint64_t)a.i * (uint64_t)b.i));
                default:
                    if (b.i == 0 || (a.i == INT64_MIN && b.i == -1)) return g_err();
                    return g_int(op == TK_SLASH ? a.i / b.i : a.i % b.i);
                }
            } else {
                double x = as_f(&a), y = as_f(&b);
                switch (op) {
                case TK_PLUS: return (G){.k = G_FLOAT, .f = x + y};
                case TK_MINUS: return (G){.k = G_FLOAT, .f = x - y};
                case TK_STAR: return (G){.k = G_FLOAT, .f = x * y};
                case TK_SLASH: return (G){.k = G_FLOAT, .f = x / y};
                default: return g_err();
                }
            }
        default: return g_err();
        }
    }
    default: return g_err();
    }
}

bool dbg_pattern_match(const DbgPattern *p, Value v) {
    Env env;
    env.n = 0;
    env.ntails = 0;
    bool ok = match(p->pat, v, &env);
    if (ok && p->guard) {
        G g = eval(p->guard, &env);
        ok = g.k == G_BOOL && g.i;
    }
    for (int i = 0; i < env.ntails; i++) free(env.tails[i]);
    return ok;
}

bool dbg_pattern_match_call(const DbgPattern *p, const char *name, const Value *args, uint32_t nargs) {
    const Node *pat = p->pat;
    Env env;
    env.n = 0;
    env.ntails = 0;
    bool ok = false;
    bool qual_ok = !pat->ctor.qual.id || !strcmp(pat->ctor.qual.id, "Signal");
    if (pat->kind == P_CTOR && qual_ok && !strcmp(pat->ctor.name.id, name))
        ok = pat->ctor.has_args ? match_items(pat->ctor.args, args, nargs, &env) : nargs == 0;
    else if (pat->kind == P_BIND && is_upper(pat->name.id.id) && !strcmp(pat->name.id.id, name))
        ok = nargs == 0;
    if (ok && p->guard) {
        G g = eval(p->guard, &env);
        ok = g.k == G_BOOL && g.i;
    }
    for (int i = 0; i < env.ntails; i++) free(env.tails[i]);
    return ok;
}
