/* parse.c — the Snow parser (see parse.h). */
#include "parse.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "modname.h"

typedef struct Parser {
    const Token *toks;
    uint32_t n, pos;
    uint32_t file;
    int skip_nl;       /* > 0: newlines are insignificant (inside brackets) */
    int depth;         /* nesting guard */
    int errors;
    bool panic;        /* recovering from an error: suppress cascades */
    bool no_trailing;  /* parsing an if/while/case/for header: `do` belongs to it */
    bool self_ok;      /* inside a method with a `self` parameter */
    bool in_actor;     /* directly inside an actor body (terminate allowed) */
    bool lex_fatal;    /* the token stream ends with a fatal lexical error */
    bool neg_operand;  /* parsing the operand of unary minus (Int minimum literal) */
    uint32_t lex_fatal_off;
    int loop_depth;    /* inside a while/for body (the `x = x + 1` hint) */
    /* Indentation evidence for "which block lacks its `end`": blocks whose
     * `end` is less indented than the line that opened them, in order. */
    struct ShortEnd { Span open, end; const char *what; } short_ends[32];
    int nshort_ends;
} Parser;

static const Token eof_tok = {.kind = TK_EOF};

/* ---- token access ---------------------------------------------------------- */

static inline const Token *cur(Parser *p) {
    if (p->skip_nl > 0)
        while (p->pos < p->n && p->toks[p->pos].kind == TK_NEWLINE) p->pos++;
    return p->pos < p->n ? &p->toks[p->pos] : &eof_tok;
}
static inline TokKind kind(Parser *p) { return cur(p)->kind; }

/* Token after the current one (skipping newlines when asked). */
static const Token *peek_at(Parser *p, uint32_t ahead, bool skip_newlines) {
    cur(p);
    uint32_t i = p->pos;
    while (i < p->n) {
        if (skip_newlines || p->skip_nl > 0)
            while (i < p->n && p->toks[i].kind == TK_NEWLINE) i++;
        if (ahead == 0) break;
        ahead--;
        i++;
    }
    return i < p->n ? &p->toks[i] : &eof_tok;
}

static const Token *advance(Parser *p) {
    const Token *t = cur(p);
    if (p->pos < p->n && t->kind != TK_EOF) p->pos++;
    return t;
}

static bool accept(Parser *p, TokKind k) {
    if (kind(p) == k) { advance(p); return true; }
    return false;
}

static void skip_newlines(Parser *p) {
    while (p->pos < p->n && p->toks[p->pos].kind == TK_NEWLINE) p->pos++;
}

static Span prev_span(Parser *p) {
    uint32_t i = p->pos;
    while (i > 0) {
        i--;
        if (p->toks[i].kind != TK_NEWLINE) return p->toks[i].span;
    }
    return cur(p)->span;
}

/* Span from `start` to the end of the previous token. */
static Span span_from(Parser *p, Span start) { return span_join(start, prev_span(p)); }

/* ---- errors -------------------------------------------------------------- */

static Diag *err_at(Parser *p, Span s, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static Diag *err_at(Parser *p, Span s, const char *fmt, ...) {
    if (p->panic) return NULL;
    if (p->lex_fatal && s.off >= p->lex_fatal_off) {
        /* the lexer gave up (unterminated literal): no cascade at EOF */
        p->panic = true;
        p->errors++;
        return NULL;
    }
    p->panic = true;
    p->errors++;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return diag_new(DIAG_ERROR, NULL, s, "%s", buf);
}

static void finish(Diag *d) {
    if (d) diag_emit(d);
}

/* An error after which parsing goes on as if the input were right (the
 * construct is understood, only written the way of another language), so
 * the rest of the file is still checked. */
static Diag *soft_err(Parser *p, Span s, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static Diag *soft_err(Parser *p, Span s, const char *fmt, ...) {
    if (p->panic) return NULL;
    p->errors++;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return diag_new(DIAG_ERROR, NULL, s, "%s", buf);
}

static Node *parse_expr(Parser *p);

/* `if x = 2 do`, `when n = 0`: a `=` where a comparison belongs.  Reported,
 * then read as `==` so the rest of the construct parses normally. */
static Node *compare_not_assign(Parser *p, Node *lhs) {
    if (!lhs || p->panic || kind(p) != TK_ASSIGN) return lhs;
    const Token *eq = advance(p);
    Diag *d = soft_err(p, eq->span, "`=` is not a comparison");
    if (d) {
        diag_primary(d, "did you mean `==`?");
        diag_help(d, "`==` compares two values; `=` only binds a name, in `let name = value`");
    }
    finish(d);
    Node *b = ast_node(N_BINOP, lhs->span);
    b->bin.op = TK_EQEQ;
    b->bin.lhs = lhs;
    b->bin.rhs = parse_expr(p);
    b->span = span_join(lhs->span, b->bin.rhs->span);
    return b;
}

static const char *found_text(Parser *p) {
    static char buf[160];
    const Token *t = cur(p);
    if (t->kind == TK_IDENT) {
        SourceFile *f = src_get(t->span.file);
        snprintf(buf, sizeof buf, "`%.*s`", (int)(t->span.len > 60 ? 60 : t->span.len), f->text + t->span.off);
        return buf;
    }
    snprintf(buf, sizeof buf, "%s", tok_display(t->kind));
    return buf;
}

static Node *error_node(Parser *p) { return ast_node(N_NONE, cur(p)->span); }

/* Report "expected X, found Y" at the current token. */
static Diag *expected(Parser *p, const char *what) {
    if (cur(p)->kind == TK_ERROR) { /* already reported by the lexer */
        if (!p->panic) { p->panic = true; p->errors++; }
        return NULL;
    }
    Diag *d = err_at(p, cur(p)->span, "expected %s, found %s", what, found_text(p));
    if (d) diag_primary(d, "expected %s", what);
    return d;
}

static bool expect(Parser *p, TokKind k, const char *ctx) {
    if (accept(p, k)) return true;
    char what[64];
    snprintf(what, sizeof what, "%s", tok_display(k));
    Diag *d = expected(p, what);
    if (d && ctx) diag_note(d, "%s", ctx);
    finish(d);
    return false;
}

/* Indentation (leading blanks) of the line holding byte `off`. */
static uint32_t line_indent(uint32_t file, uint32_t off) {
    const SourceFile *f = src_get(file);
    uint32_t start = off;
    while (start > 0 && f->text[start - 1] != '\n') start--;
    uint32_t i = start;
    while (i < f->len && (f->text[i] == ' ' || f->text[i] == '\t')) i++;
    return i - start;
}

static uint32_t line_of(uint32_t file, uint32_t off) {
    uint32_t line, col;
    src_linecol(file, off, &line, &col);
    return line;
}

/* At the end of the file with `open` unclosed: an inner block whose `end` sat
 * left of its own first line most likely took the `end` meant for something
 * else, so that block is the one missing its `end`.  Reports it and returns
 * true, or returns false when the indentation tells nothing. */
static bool missing_end_by_indent(Parser *p, Span open) {
    for (int i = 0; i < p->nshort_ends; i++) {
        const struct ShortEnd *se = &p->short_ends[i];
        if (se->open.file != open.file || se->open.off <= open.off) continue;
        Diag *d = err_at(p, se->open, "the %s has no `end`", se->what);
        if (!d) return true;
        diag_primary(d, "this `do` is never closed");
        diag_label(d, se->end, "this `end` lines up with an outer block, yet it closes this one");
        /* the block's body is the run of lines indented deeper than its first line */
        uint32_t open_line = line_of(se->open.file, se->open.off), end_line = line_of(se->end.file, se->end.off);
        uint32_t indent = line_indent(se->open.file, se->open.off), last = open_line;
        for (uint32_t l = open_line + 1; l < end_line; l++) {
            const char *ls;
            size_t len, k = 0;
            src_line(se->open.file, l, &ls, &len);
            while (k < len && (ls[k] == ' ' || ls[k] == '\t')) k++;
            if (k == len || ls[k] == '#') continue;
            if (k <= indent) break;
            last = l;
        }
        diag_help(d, "add its `end` after line %u, indented like line %u", last, open_line);
        finish(d);
        return true;
    }
    return false;
}

/* Expect the `end` closing a construct opened at `open`. */
static bool expect_end(Parser *p, Span open, const char *what) {
    if (accept(p, TK_END)) {
        Span end = prev_span(p);
        if (p->nshort_ends < 32 && line_indent(end.file, end.off) < line_indent(open.file, open.off) &&
            line_of(end.file, end.off) != line_of(open.file, open.off))
            p->short_ends[p->nshort_ends++] = (struct ShortEnd){open, end, what};
        return true;
    }
    if (cur(p)->kind == TK_ERROR) { if (!p->panic) { p->panic = true; p->errors++; } return false; }
    if (cur(p)->kind == TK_EOF && !p->panic && missing_end_by_indent(p, open)) return false;
    Diag *d = err_at(p, cur(p)->span, "expected `end` to close %s, found %s", what, found_text(p));
    if (d) {
        diag_primary(d, "expected `end`");
        diag_label(d, open, "`do` block started here");
        diag_help(d, "every `do` needs a matching `end`");
    }
    finish(d);
    return false;
}

static bool enter(Parser *p) {
    if (++p->depth > PARSE_MAX_DEPTH) {
        Diag *d = err_at(p, cur(p)->span, "program is nested too deeply");
        if (d) diag_help(d, "split deeply nested expressions into smaller functions or `let` bindings");
        finish(d);
        return false;
    }
    return true;
}
static void leave(Parser *p) { p->depth--; }

static Name name_of(Parser *p, const Token *t) {
    SourceFile *f = src_get(t->span.file);
    Name nm = {ast_intern(f->text + t->span.off, t->span.len), t->span};
    (void)p;
    return nm;
}

static bool is_upper_ident(const Token *t) {
    if (t->kind != TK_IDENT) return false;
    char c = src_get(t->span.file)->text[t->span.off];
    return c >= 'A' && c <= 'Z';
}

static bool tok_is(Parser *p, const Token *t, const char *word) {
    if (t->kind != TK_IDENT) return false;
    SourceFile *f = src_get(t->span.file);
    size_t n = strlen(word);
    return t->span.len == n && memcmp(f->text + t->span.off, word, n) == 0;
    (void)p;
}

/* Accept an identifier (after `Module.` any keyword is also a name). */
static bool ident(Parser *p, Name *out, const char *what, bool keywords_ok) {
    const Token *t = cur(p);
    if (t->kind == TK_IDENT || (keywords_ok && tok_is_keyword(t->kind))) {
        *out = name_of(p, t);
        advance(p);
        return true;
    }
    Diag *d = expected(p, what);
    if (d && tok_is_keyword(t->kind))
        diag_note(d, "%s is a reserved keyword and cannot be used as a name", tok_display(t->kind));
    finish(d);
    return false;
}

/* ---- forward declarations -------------------------------------------------- */

static Node *parse_expr(Parser *p);
static Node *parse_stmt(Parser *p);
static Node *parse_block_until(Parser *p, bool stop_else, bool stop_after);
static Node *parse_pattern(Parser *p);
static Node *parse_type(Parser *p);
static Node *parse_fn_def(Parser *p, uint16_t flags, bool in_interface);

/* ---- types ---------------------------------------------------------------- */

static NodeList parse_type_args(Parser *p) {
    NodeVec v = {0};
    p->skip_nl++;
    if (accept(p, TK_LT)) {
        while (kind(p) != TK_GT && kind(p) != TK_GE && kind(p) != TK_EOF) {
            Node *t = parse_type(p);
            nv_push(&v, t);
            if (p->panic || !accept(p, TK_COMMA)) break;
        }
        if (!p->panic && !accept(p, TK_GT)) {
            if (kind(p) == TK_GE) {
                Diag *d = err_at(p, cur(p)->span, "`>=` right after a type argument list");
                if (d) diag_help(d, "write a space between `>` and `=`");
                finish(d);
            } else {
                finish(expected(p, "`>` to close the type arguments"));
            }
        }
    }
    p->skip_nl--;
    return nv_finish(&v);
}

static Node *parse_type(Parser *p) {
    if (!enter(p)) { leave(p); return error_node(p); }
    const Token *t = cur(p);
    Node *ty;
    if (t->kind == TK_LPAREN) {
        advance(p);
        p->skip_nl++;
        NodeVec v = {0};
        while (kind(p) != TK_RPAREN && kind(p) != TK_EOF) {
            nv_push(&v, parse_type(p));
            if (p->panic || !accept(p, TK_COMMA)) break;
        }
        expect(p, TK_RPAREN, NULL);
        p->skip_nl--;
        if (v.n == 1 && !(p->toks[p->pos - 2].kind == TK_COMMA)) {
            ty = v.v[0];
            free(v.v);
        } else {
            ty = ast_node(TY_TUPLE, span_from(p, t->span));
            ty->list.items = nv_finish(&v);
        }
    } else if (tok_is(p, t, "Fun") && peek_at(p, 1, false)->kind == TK_LPAREN) {
        advance(p);
        advance(p);
        p->skip_nl++;
        NodeVec v = {0};
        while (kind(p) != TK_RPAREN && kind(p) != TK_EOF) {
            nv_push(&v, parse_type(p));
            if (p->panic || !accept(p, TK_COMMA)) break;
        }
        expect(p, TK_RPAREN, NULL);
        p->skip_nl--;
        ty = ast_node(TY_FUN, t->span);
        ty->tfun.params = nv_finish(&v);
        if (expect(p, TK_ARROW, "a function type is written `Fun(A, B) -> R`")) ty->tfun.ret = parse_type(p);
        ty->span = span_from(p, t->span);
    } else if (t->kind == TK_IDENT) {
        /* dotted path */
        char buf[256];
        size_t len = 0;
        Span s = t->span;
        for (;;) {
            const Token *seg = cur(p);
            if (seg->kind != TK_IDENT) { finish(expected(p, "type name")); break; }
            SourceFile *f = src_get(seg->span.file);
            if (len && len < sizeof buf - 1) buf[len++] = '.';
            size_t k = seg->span.len;
            if (len + k >= sizeof buf) k = sizeof buf - 1 - len;
            memcpy(buf + len, f->text + seg->span.off, k);
            len += k;
            advance(p);
            if (kind(p) == TK_DOT && peek_at(p, 1, false)->kind == TK_IDENT) { advance(p); continue; }
            break;
        }
        ty = ast_node(TY_NAME, s);
        ty->tname.path.id = ast_intern(buf, len);
        ty->tname.path.span = span_from(p, s);
        if (kind(p) == TK_LT) ty->tname.args = parse_type_args(p);
        ty->span = span_from(p, s);
    } else {
        finish(expected(p, "type name"));
        leave(p);
        return error_node(p);
    }
    /* sugar: T? and T!E */
    for (;;) {
        if (kind(p) == TK_QUESTION) {
            advance(p);
            Node *o = ast_node(TY_NAME, span_from(p, ty->span));
            o->tname.path.id = ast_intern("Option", 6);
            o->tname.path.span = o->span;
            NodeVec v = {0};
            nv_push(&v, ty);
            o->tname.args = nv_finish(&v);
            o->tname.opt = true;
            ty = o;
            continue;
        }
        if (kind(p) == TK_BANG) {
            advance(p);
            Node *e = parse_type(p);
            Node *r = ast_node(TY_NAME, span_from(p, ty->span));
            r->tname.path.id = ast_intern("Result", 6);
            r->tname.path.span = r->span;
            NodeVec v = {0};
            nv_push(&v, ty);
            nv_push(&v, e);
            r->tname.args = nv_finish(&v);
            r->tname.err = e;
            ty = r;
            continue;
        }
        break;
    }
    leave(p);
    return ty;
}

static NodeList parse_generic_params(Parser *p) {
    NodeVec v = {0};
    if (kind(p) != TK_LT) return nv_finish(&v);
    advance(p);
    p->skip_nl++;
    while (kind(p) == TK_IDENT) {
        Node *n = ast_node(N_NAME, cur(p)->span);
        n->name.id = name_of(p, cur(p));
        advance(p);
        nv_push(&v, n);
        if (!accept(p, TK_COMMA)) break;
    }
    if (!accept(p, TK_GT)) finish(expected(p, "`>` to close the generic parameters"));
    p->skip_nl--;
    return nv_finish(&v);
}

/* where T: Trait, U: Other.Trait */
static NodeList parse_where(Parser *p) {
    NodeVec v = {0};
    if (!accept(p, TK_WHERE)) return nv_finish(&v);
    do {
        const Token *t = cur(p);
        Name tv, tr;
        if (!ident(p, &tv, "a type parameter", false)) break;
        if (!expect(p, TK_COLON, "a bound is written `T: Trait`")) break;
        Span ts = cur(p)->span;
        if (!ident(p, &tr, "an interface name", false)) break;
        while (kind(p) == TK_DOT) {
            advance(p);
            Name more;
            if (!ident(p, &more, "an interface name", false)) break;
            tr = more; /* qualified trait: keep the last segment */
        }
        Node *b = ast_node(N_BINOP, span_from(p, t->span));
        b->bin.op = TK_COLON;
        b->bin.lhs = ast_node(N_NAME, tv.span);
        b->bin.lhs->name.id = tv;
        b->bin.rhs = ast_node(N_NAME, span_from(p, ts));
        b->bin.rhs->name.id = tr;
        nv_push(&v, b);
    } while (accept(p, TK_COMMA));
    return nv_finish(&v);
}

/* ---- patterns ------------------------------------------------------------ */

static Node *parse_pattern_list(Parser *p, NodeKind k, TokKind close, Span open) {
    NodeVec v = {0};
    p->skip_nl++;
    while (kind(p) != close && kind(p) != TK_EOF) {
        nv_push(&v, parse_pattern(p));
        if (p->panic || !accept(p, TK_COMMA)) break;
    }
    expect(p, close, NULL);
    p->skip_nl--;
    Node *n = ast_node(k, span_from(p, open));
    n->list.items = nv_finish(&v);
    return n;
}

static Node *lit_pattern(Parser *p, Node *lit, bool neg, Span s) {
    Node *n = ast_node(P_LIT, s);
    n->pat_lit.lit = lit;
    n->pat_lit.negated = neg;
    (void)p;
    return n;
}

static Node *parse_primary_pattern(Parser *p) {
    const Token *t = cur(p);
    switch (t->kind) {
    case TK_IDENT: {
        Name nm = name_of(p, t);
        if (nm.id[0] == '_' && nm.id[1] == 0) { advance(p); return ast_node(P_WILD, t->span); }
        const Token *nx = peek_at(p, 1, false);
        if (nx->kind == TK_DOT && peek_at(p, 2, false)->kind == TK_IDENT) {
            /* qualified constructor: Type.Variant or Type.Variant(args) */
            advance(p);
            advance(p);
            Node *c = ast_node(P_CTOR, t->span);
            c->ctor.qual = nm;
            c->ctor.name = name_of(p, cur(p));
            advance(p);
            if (kind(p) == TK_LPAREN && !cur(p)->nl_before) {
                Span open = cur(p)->span;
                advance(p);
                Node *l = parse_pattern_list(p, P_TUPLE, TK_RPAREN, open);
                c->ctor.args = l->list.items;
                c->ctor.has_args = true;
            }
            c->span = span_from(p, t->span);
            return c;
        }
        if (nx->kind == TK_LPAREN && !nx->nl_before && is_upper_ident(t)) {
            advance(p);
            Span open = cur(p)->span;
            advance(p);
            Node *c = ast_node(P_CTOR, t->span);
            c->ctor.name = nm;
            Node *l = parse_pattern_list(p, P_TUPLE, TK_RPAREN, open);
            c->ctor.args = l->list.items;
            c->ctor.has_args = true;
            c->span = span_from(p, t->span);
            return c;
        }
        advance(p);
        Node *b = ast_node(P_BIND, t->span);
        b->name.id = nm;
        return b;
    }
    case TK_INT: case TK_FLOAT: {
        advance(p);
        Node *lit = ast_node(t->kind == TK_INT ? N_INT : N_FLOAT, t->span);
        if (t->kind == TK_INT) lit->lit.i = t->i; else lit->lit.f = t->f;
        if (t->int_min) {
            Diag *d = err_at(p, t->span, "integer literal is too large");
            if (d) diag_primary(d, "does not fit in a 64-bit Int");
            finish(d);
        }
        return lit_pattern(p, lit, false, t->span);
    }
    case TK_MINUS: {
        advance(p);
        const Token *num = cur(p);
        if (num->kind != TK_INT && num->kind != TK_FLOAT) {
            finish(expected(p, "a number after `-` in a pattern"));
            return error_node(p);
        }
        advance(p);
        Node *lit = ast_node(num->kind == TK_INT ? N_INT : N_FLOAT, num->span);
        if (num->kind == TK_INT) lit->lit.i = num->int_min ? INT64_MIN : -num->i;
        else lit->lit.f = -num->f;
        return lit_pattern(p, lit, true, span_from(p, t->span));
    }
    case TK_STRING: {
        advance(p);
        Node *lit = ast_node(N_STRING, t->span);
        lit->lit.s = ast_strdup(t->str.s, t->str.n);
        lit->lit.n = t->str.n;
        return lit_pattern(p, lit, false, t->span);
    }
    case TK_ISTR_START: {
        Diag *d = err_at(p, t->span, "string interpolation not allowed in patterns");
        if (d) diag_help(d, "bind the value and compare it in a guard: `s when s == \"...\"`");
        finish(d);
        return error_node(p);
    }
    case TK_TRUE: case TK_FALSE: {
        advance(p);
        Node *lit = ast_node(N_BOOL, t->span);
        lit->lit.i = t->kind == TK_TRUE;
        return lit_pattern(p, lit, false, t->span);
    }
    case TK_NIL: {
        advance(p);
        return lit_pattern(p, ast_node(N_UNIT, t->span), false, t->span);
    }
    case TK_LPAREN: {
        advance(p);
        p->skip_nl++;
        if (accept(p, TK_RPAREN)) {
            p->skip_nl--;
            return lit_pattern(p, ast_node(N_UNIT, span_from(p, t->span)), false, span_from(p, t->span));
        }
        NodeVec v = {0};
        bool comma = false;
        while (kind(p) != TK_RPAREN && kind(p) != TK_EOF) {
            nv_push(&v, parse_pattern(p));
            if (p->panic || !accept(p, TK_COMMA)) break;
            comma = true;
        }
        expect(p, TK_RPAREN, NULL);
        p->skip_nl--;
        if (v.n == 1 && !comma) {
            Node *inner = v.v[0];
            free(v.v);
            return inner;
        }
        Node *n = ast_node(P_TUPLE, span_from(p, t->span));
        n->list.items = nv_finish(&v);
        return n;
    }
    case TK_LBRACKET:
        advance(p);
        return parse_pattern_list(p, P_LIST, TK_RBRACKET, t->span);
    default:
        finish(expected(p, "pattern"));
        return error_node(p);
    }
}

static Node *parse_or_pattern(Parser *p) {
    Node *first = parse_primary_pattern(p);
    if (kind(p) != TK_BAR || p->panic) return first;
    NodeVec v = {0};
    nv_push(&v, first);
    while (kind(p) == TK_BAR) {
        advance(p);
        nv_push(&v, parse_primary_pattern(p));
        if (p->panic) break;
    }
    Node *n = ast_node(P_OR, span_from(p, first->span));
    n->list.items = nv_finish(&v);
    return n;
}

static Node *parse_cons_pattern(Parser *p) {
    if (!enter(p)) { leave(p); return error_node(p); }
    Node *h = parse_or_pattern(p);
    if (kind(p) == TK_COLONCOLON && !p->panic) {
        advance(p);
        Node *t = parse_cons_pattern(p);
        Node *c = ast_node(P_CONS, span_join(h->span, t->span));
        c->bin.lhs = h;
        c->bin.rhs = t;
        h = c;
    }
    leave(p);
    return h;
}

static Node *parse_pattern(Parser *p) {
    Node *pat = parse_cons_pattern(p);
    while (tok_is(p, cur(p), "as") && !p->panic) {
        advance(p);
        Node *a = ast_node(P_AS, pat->span);
        a->as_.pat = pat;
        if (!ident(p, &a->as_.name, "a name after `as`", false)) return a;
        a->span = span_from(p, pat->span);
        pat = a;
    }
    return pat;
}

/* A parameter of a named function / method / actor / handler.
 * Plain names (even uppercase ones) bind; `_`, literals, tuples and
 * `Upper(...)` / `Type.Variant` are patterns (language.md §3.3 note). */
static Node *parse_param(Parser *p, bool allow_pattern) {
    const Token *t = cur(p);
    Node *prm;
    if (t->kind == TK_SELF) {
        advance(p);
        prm = ast_node(P_BIND, t->span);
        prm->name.id.id = ast_intern("self", 4);
        prm->name.id.span = t->span;
    } else if (t->kind == TK_IDENT && !tok_is(p, t, "_")) {
        const Token *nx = peek_at(p, 1, false);
        bool pattern = is_upper_ident(t) && (nx->kind == TK_LPAREN || nx->kind == TK_DOT);
        if (pattern && allow_pattern) {
            prm = parse_pattern(p);
        } else {
            advance(p);
            prm = ast_node(P_BIND, t->span);
            prm->name.id = name_of(p, t);
        }
    } else if (allow_pattern) {
        prm = parse_pattern(p);
    } else {
        Name nm;
        if (!ident(p, &nm, "a parameter name", false)) return error_node(p);
        prm = ast_node(P_BIND, nm.span);
        prm->name.id = nm;
    }
    if (kind(p) == TK_COLONCOLON && !p->panic) {
        advance(p);
        prm->ann = parse_type(p);
    }
    return prm;
}

/* A bracketed group (`( )`, `[ ]`, `%{ }`, `Name{ }`): newlines inside are
 * insignificant and a trailing `do` block cannot attach to what is inside. */
static bool group_begin(Parser *p) {
    bool saved = p->no_trailing;
    p->skip_nl++;
    p->no_trailing = false;
    return saved;
}

/* Close the group with `close`; when it is missing, say what was expected
 * (want; NULL = "`,` or <close>") and point at where the group started. */
static void group_end(Parser *p, bool saved, TokKind close, const char *want, Span open, const char *what) {
    if (!accept(p, close) && !p->panic) {
        char buf[64];
        if (!want) {
            snprintf(buf, sizeof buf, "`,` or %s", tok_display(close));
            want = buf;
        }
        Diag *d = expected(p, want);
        if (d) diag_label(d, open, "%s starts here", what);
        finish(d);
    }
    p->no_trailing = saved;
    p->skip_nl--;
}

static NodeList parse_param_list(Parser *p, bool allow_pattern) {
    NodeVec v = {0};
    Span open = cur(p)->span;
    if (!expect(p, TK_LPAREN, NULL)) return nv_finish(&v);
    bool saved = group_begin(p);
    while (kind(p) != TK_RPAREN && kind(p) != TK_EOF) {
        nv_push(&v, parse_param(p, allow_pattern));
        if (p->panic || !accept(p, TK_COMMA)) break;
    }
    group_end(p, saved, TK_RPAREN, "`,` or `)` in the parameter list", open, "parameter list");
    return nv_finish(&v);
}

/* ---- expressions ------------------------------------------------------------ */

static int binop_prec(TokKind k) {
    switch (k) {
    case TK_PIPE: return 1;
    case TK_OR: case TK_OROR: return 2;
    case TK_AND: case TK_ANDAND: return 3;
    case TK_EQEQ: case TK_NEQ: return 4;
    case TK_LT: case TK_GT: case TK_LE: case TK_GE: return 5;
    case TK_DOTDOT: return 6;
    case TK_DIAMOND: case TK_PLUSPLUS: return 7;
    case TK_PLUS: case TK_MINUS: return 8;
    case TK_STAR: case TK_SLASH: case TK_PERCENT: return 9;
    default: return 0;
    }
}

int parse_binop_prec(TokKind k) { return binop_prec(k); }

/* A binary operator (or `.`) that cannot start an expression: a line that
 * starts with one continues the previous line (decision 3). */
static bool continues_line(TokKind k) {
    return (binop_prec(k) > 0 && k != TK_MINUS) || k == TK_DOT;
}

/* In block mode, look through a NEWLINE for a continuation operator. */
static const Token *cur_continued(Parser *p) {
    const Token *t = cur(p);
    if (t->kind == TK_NEWLINE) {
        const Token *nx = peek_at(p, 1, false);
        if (continues_line(nx->kind)) {
            advance(p);
            return cur(p);
        }
    }
    return t;
}

static NodeList parse_args(Parser *p, TokKind close, Span open, const char *what) {
    NodeVec v = {0};
    bool saved = group_begin(p);
    while (kind(p) != close && kind(p) != TK_EOF) {
        nv_push(&v, parse_expr(p));
        if (p->panic || !accept(p, TK_COMMA)) break;
    }
    group_end(p, saved, close, NULL, open, what);
    return nv_finish(&v);
}

static Node *parse_string_lit(Parser *p) {
    const Token *t = advance(p);
    Node *n = ast_node(N_STRING, t->span);
    n->lit.s = ast_strdup(t->str.s, t->str.n);
    n->lit.n = t->str.n;
    return n;
}

static Node *parse_interp(Parser *p) {
    const Token *t = advance(p); /* TK_ISTR_START */
    NodeVec v = {0};
    if (t->str.n) {
        Node *s = ast_node(N_STRING, t->span);
        s->lit.s = ast_strdup(t->str.s, t->str.n);
        s->lit.n = t->str.n;
        nv_push(&v, s);
    }
    for (;;) {
        p->skip_nl++;
        if (kind(p) == TK_ISTR_MID || kind(p) == TK_ISTR_END) {
            Diag *d = err_at(p, cur(p)->span, "empty interpolation `${}`");
            if (d) diag_help(d, "put an expression inside, e.g. `${name}`, or write `\\${` for a literal");
            finish(d);
        } else {
            nv_push(&v, parse_expr(p));
        }
        p->skip_nl--;
        const Token *e = cur(p);
        if (e->kind != TK_ISTR_MID && e->kind != TK_ISTR_END) {
            finish(expected(p, "`}` to close the interpolation"));
            /* skip to the end of this string to resynchronise */
            int depth = 0;
            while (kind(p) != TK_EOF) {
                TokKind k = kind(p);
                if (k == TK_ISTR_START) depth++;
                if (k == TK_ISTR_END) { if (depth == 0) { advance(p); break; } depth--; }
                advance(p);
            }
            break;
        }
        advance(p);
        if (e->str.n) {
            Node *s = ast_node(N_STRING, e->span);
            s->lit.s = ast_strdup(e->str.s, e->str.n);
            s->lit.n = e->str.n;
            nv_push(&v, s);
        }
        if (e->kind == TK_ISTR_END) break;
    }
    Node *n = ast_node(N_INTERP, span_from(p, t->span));
    n->list.items = nv_finish(&v);
    return n;
}

/* A `do ... end` block in block (newline-significant) mode. */
static Node *parse_do_block(Parser *p, const char *what, Span *open_out) {
    Span open = cur(p)->span;
    if (open_out) *open_out = open;
    if (!expect(p, TK_DO, NULL)) return ast_node(N_BLOCK, open);
    int saved = p->skip_nl;
    p->skip_nl = 0;
    Node *b = parse_block_until(p, false, false);
    expect_end(p, open, what);
    p->skip_nl = saved;
    return b;
}

static Node *parse_if(Parser *p) {
    const Token *t = advance(p); /* if */
    Node *n = ast_node(N_IF, t->span);
    bool saved = p->no_trailing;
    p->no_trailing = true;
    n->if_.cond = compare_not_assign(p, parse_expr(p));
    p->no_trailing = saved;
    Span open = cur(p)->span;
    if (!expect(p, TK_DO, "an `if` is written `if condition do ... end`")) return n;
    int saved_nl = p->skip_nl;
    p->skip_nl = 0;
    n->if_.then = parse_block_until(p, true, false);
    if (kind(p) == TK_ELSE) {
        advance(p);
        if (kind(p) == TK_IF) {
            n->if_.els = parse_if(p); /* shares the final end */
            p->skip_nl = saved_nl;
            n->span = span_from(p, t->span);
            return n;
        }
        n->if_.els = parse_block_until(p, false, false);
    }
    expect_end(p, open, "`if` block");
    p->skip_nl = saved_nl;
    n->span = span_from(p, t->span);
    return n;
}

/* Arms of case/receive: pattern [when guard] -> expr, any separators. */
static void parse_arms(Parser *p, NodeVec *arms, bool receive, Node **after_ms, Node **after_body) {
    for (;;) {
        while (kind(p) == TK_NEWLINE || kind(p) == TK_SEMI) advance(p);
        TokKind k = kind(p);
        if (k == TK_END || k == TK_EOF) break;
        if (receive && k == TK_AFTER) {
            const Token *a = advance(p);
            *after_ms = parse_expr(p);
            if (!expect(p, TK_ARROW, "a timeout is written `after MILLISECONDS -> expression`")) return;
            skip_newlines(p);
            *after_body = parse_expr(p);
            while (kind(p) == TK_NEWLINE || kind(p) == TK_SEMI) advance(p);
            if (kind(p) != TK_END && !p->panic) {
                Diag *d = err_at(p, cur(p)->span, "`after` must be the last clause of a `receive`");
                if (d) diag_label(d, a->span, "timeout clause here");
                finish(d);
            }
            return;
        }
        if (!receive && k == TK_ELSE) {
            finish(expected(p, "a pattern (`case` has no `else`; use `_ ->`)"));
            return;
        }
        Node *arm = ast_node(N_ARM, cur(p)->span);
        arm->arm.pat = parse_pattern(p);
        if (p->panic) return;
        if (accept(p, TK_WHEN)) arm->arm.guard = compare_not_assign(p, parse_expr(p));
        if (p->panic) return;
        if (!accept(p, TK_ARROW)) {
            Diag *d = expected(p, "`->` after the pattern");
            if (d) {
                diag_help(d, "each arm is written `pattern -> expression`");
                if (arms->n > 0)
                    diag_note(d, "an arm's body is a single expression, so a second statement on the next line "
                                 "starts a new arm; to run several statements, move them into a function (or an "
                                 "`if ... do ... end` block) and call it from the arm");
            }
            finish(d);
            return;
        }
        skip_newlines(p);
        if (kind(p) == TK_DO) {
            /* `pattern -> do ... end`: say what an arm is, then read the block
             * anyway so the arms after it are checked too */
            Diag *d = soft_err(p, cur(p)->span, "an arm's body is one expression, not a `do ... end` block");
            if (d) {
                diag_primary(d, "no `do` here");
                diag_help(d, "an arm is `pattern -> expression`: one value, a call, or an `if`/`case` expression");
                diag_note(d, "to run several statements for this arm, put them in a function and call it: "
                             "`pattern -> handle(x)`");
            }
            finish(d);
            arm->arm.body = parse_do_block(p, "arm body", NULL);
        } else {
            arm->arm.body = parse_expr(p);
        }
        arm->span = span_from(p, arm->span);
        nv_push(arms, arm);
        if (p->panic) return;
    }
}

static Node *parse_case(Parser *p) {
    const Token *t = advance(p);
    Node *n = ast_node(N_CASE, t->span);
    bool saved = p->no_trailing;
    p->no_trailing = true;
    n->case_.scrut = parse_expr(p);
    p->no_trailing = saved;
    Span open = cur(p)->span;
    if (!expect(p, TK_DO, "a `case` is written `case value do pattern -> expr ... end`")) return n;
    int saved_nl = p->skip_nl;
    p->skip_nl = 0;
    NodeVec arms = {0};
    parse_arms(p, &arms, false, NULL, NULL);
    n->case_.arms = nv_finish(&arms);
    if (!p->panic) expect_end(p, open, "`case` block");
    p->skip_nl = saved_nl;
    n->span = span_from(p, t->span);
    return n;
}

static Node *parse_receive(Parser *p) {
    const Token *t = advance(p);
    Node *n = ast_node(N_RECEIVE, t->span);
    Span open = cur(p)->span;
    if (!expect(p, TK_DO, "a receive is written `receive do pattern -> expr ... end`")) return n;
    int saved_nl = p->skip_nl;
    p->skip_nl = 0;
    NodeVec arms = {0};
    parse_arms(p, &arms, true, &n->recv.after_ms, &n->recv.after_body);
    n->recv.arms = nv_finish(&arms);
    if (!p->panic) expect_end(p, open, "`receive` block");
    p->skip_nl = saved_nl;
    n->span = span_from(p, t->span);
    return n;
}

static Node *parse_while(Parser *p) {
    const Token *t = advance(p);
    Node *n = ast_node(N_WHILE, t->span);
    bool saved = p->no_trailing;
    p->no_trailing = true;
    n->loop.cond = compare_not_assign(p, parse_expr(p));
    p->no_trailing = saved;
    p->loop_depth++;
    n->loop.body = parse_do_block(p, "`while` block", NULL);
    p->loop_depth--;
    n->span = span_from(p, t->span);
    return n;
}

static Node *parse_for(Parser *p) {
    const Token *t = advance(p);
    Node *n = ast_node(N_FOR, t->span);
    if (kind(p) == TK_LBRACE) {
        /* for {k, v} in map */
        advance(p);
        p->skip_nl++;
        n->for_.var = parse_pattern(p);
        if (expect(p, TK_COMMA, "iterate a map with `for {key, value} in map`")) n->for_.var2 = parse_pattern(p);
        expect(p, TK_RBRACE, NULL);
        p->skip_nl--;
    } else {
        n->for_.var = parse_pattern(p);
    }
    if (!expect(p, TK_IN, "a loop is written `for x in collection do ... end`")) return n;
    bool saved = p->no_trailing;
    p->no_trailing = true;
    n->for_.iter = parse_expr(p);
    if (accept(p, TK_WHEN)) n->for_.filter = compare_not_assign(p, parse_expr(p));
    p->no_trailing = saved;
    p->loop_depth++;
    n->for_.body = parse_do_block(p, "`for` block", NULL);
    p->loop_depth--;
    n->span = span_from(p, t->span);
    return n;
}

/* Bare closure parameters start here? (language.md §3.4, closures) */
static bool bare_params_start(Parser *p) {
    const Token *t = cur(p);
    const Token *nx = peek_at(p, 1, false);
    switch (t->kind) {
    case TK_IDENT:
        if (tok_is(p, t, "_")) return true;
        if (is_upper_ident(t)) return nx->kind == TK_LPAREN || nx->kind == TK_DOT;
        return nx->kind == TK_COMMA || nx->kind == TK_ARROW || nx->kind == TK_WHEN || nx->kind == TK_DO ||
               nx->kind == TK_COLONCOLON || nx->kind == TK_BAR;
    case TK_INT: case TK_FLOAT: case TK_STRING: case TK_TRUE: case TK_FALSE: case TK_NIL:
    case TK_LBRACKET:
        return true;
    case TK_MINUS:
        return nx->kind == TK_INT || nx->kind == TK_FLOAT;
    default:
        return false;
    }
}

/* One closure clause: [params] [when guard] (-> expr | do block end). */
static Node *parse_clause(Parser *p, bool *was_do) {
    Node *c = ast_node(N_CLAUSE, cur(p)->span);
    NodeVec params = {0};
    if (kind(p) == TK_LPAREN) {
        c->clause.params = parse_param_list(p, true);
    } else if (bare_params_start(p)) {
        do {
            nv_push(&params, parse_param(p, true));
        } while (!p->panic && accept(p, TK_COMMA));
        c->clause.params = nv_finish(&params);
    }
    if (p->panic) return c;
    if (accept(p, TK_WHEN)) c->clause.guard = parse_expr(p);
    if (p->panic) return c;
    if (kind(p) == TK_ARROW) {
        advance(p);
        c->flags |= NF_ARROW;
        skip_newlines(p);
        c->clause.body = parse_expr(p);
        *was_do = false;
    } else if (kind(p) == TK_DO) {
        c->clause.body = parse_do_block(p, "closure body", NULL);
        *was_do = true;
    } else {
        Diag *d = expected(p, "closure parameters, `->`, or `do`");
        if (d) diag_help(d, "closures are written `fn x -> x + 1 end` or `fn x do ... end`");
        finish(d);
    }
    c->span = span_from(p, c->span);
    return c;
}

static Node *parse_closure(Parser *p) {
    const Token *t = advance(p); /* fn */
    Node *n = ast_node(N_CLOSURE, t->span);
    NodeVec clauses = {0};
    /* fn -> block end  /  fn do block end : no parameters, full block */
    if (kind(p) == TK_ARROW || kind(p) == TK_DO) {
        Node *c = ast_node(N_CLAUSE, cur(p)->span);
        if (kind(p) == TK_DO) {
            c->clause.body = parse_do_block(p, "closure body", NULL);
        } else {
            advance(p);
            c->flags |= NF_ARROW;
            int saved_nl = p->skip_nl;
            p->skip_nl = 0;
            c->clause.body = parse_block_until(p, false, false);
            expect_end(p, t->span, "closure");
            p->skip_nl = saved_nl;
        }
        c->span = span_from(p, c->span);
        nv_push(&clauses, c);
        n->closure.clauses = nv_finish(&clauses);
        n->span = span_from(p, t->span);
        return n;
    }
    p->skip_nl++;
    bool was_do = false;
    Node *first = parse_clause(p, &was_do);
    nv_push(&clauses, first);
    if (!(was_do && kind(p) != TK_BAR)) {
        /* arrow clauses (or a do-clause followed by more): `| clause ... end` */
        while (!p->panic && accept(p, TK_BAR)) {
            nv_push(&clauses, parse_clause(p, &was_do));
        }
        if (!p->panic && !accept(p, TK_END)) {
            Diag *d = expected(p, "`end` to close the closure");
            if (d) {
                diag_label(d, t->span, "closure starts here");
                diag_help(d, "an arrow body is one expression; use `fn x do ... end` for several statements");
            }
            finish(d);
        }
    }
    p->skip_nl--;
    n->closure.clauses = nv_finish(&clauses);
    n->span = span_from(p, t->span);
    return n;
}

static Node *parse_keyword_call(Parser *p, NodeKind k, int min_args, int max_args) {
    const Token *t = advance(p);
    Node *n = ast_node(k, t->span);
    Span open = cur(p)->span;
    if (!expect(p, TK_LPAREN, NULL)) return n;
    n->list.items = parse_args(p, TK_RPAREN, open, "argument list");
    if (!p->panic && ((int)n->list.items.n < min_args || (max_args >= 0 && (int)n->list.items.n > max_args))) {
        Diag *d = err_at(p, span_from(p, t->span), "%s takes %s%d argument%s, found %u", tok_display(t->kind),
                         max_args < 0 ? "at least " : "", min_args, min_args == 1 ? "" : "s", n->list.items.n);
        if (d) {
            if (k == N_SEND) diag_help(d, "write `send(pid, message)`");
            if (k == N_SPAWN) diag_help(d, "write `spawn(actor_name, arg1, ...)`");
            if (k == N_LINK) diag_help(d, "write `link(pid)`");
        }
        finish(d);
    }
    n->span = span_from(p, t->span);
    return n;
}

static Node *parse_primary(Parser *p) {
    const Token *t = cur(p);
    switch (t->kind) {
    case TK_INT: {
        advance(p);
        Node *n = ast_node(N_INT, t->span);
        n->lit.i = t->i;
        if (t->int_min) n->lit.n = 1; /* only valid directly under unary minus */
        return n;
    }
    case TK_FLOAT: {
        advance(p);
        Node *n = ast_node(N_FLOAT, t->span);
        n->lit.f = t->f;
        return n;
    }
    case TK_STRING: return parse_string_lit(p);
    case TK_ISTR_START: return parse_interp(p);
    case TK_TRUE: case TK_FALSE: {
        advance(p);
        Node *n = ast_node(N_BOOL, t->span);
        n->lit.i = t->kind == TK_TRUE;
        return n;
    }
    case TK_NIL: advance(p); return ast_node(N_UNIT, t->span);
    case TK_IDENT: {
        advance(p);
        Node *n = ast_node(N_NAME, t->span);
        n->name.id = name_of(p, t);
        return n;
    }
    case TK_SELF: {
        advance(p);
        if (kind(p) == TK_LPAREN && !cur(p)->nl_before) {
            advance(p);
            p->skip_nl++;
            expect(p, TK_RPAREN, "`self()` takes no arguments");
            p->skip_nl--;
            return ast_node(N_SELFCALL, span_from(p, t->span));
        }
        if (p->self_ok) return ast_node(N_SELF, t->span);
        Diag *d = err_at(p, t->span, "`self` used as a value outside a method");
        if (d) {
            diag_primary(d, "expected `(`");
            diag_help(d, "inside an actor, `self()` is the current process's pid; inside a method with a "
                         "`self` parameter, `self` is the receiver");
        }
        finish(d);
        return error_node(p);
    }
    case TK_LPAREN: {
        advance(p);
        p->skip_nl++;
        bool saved = p->no_trailing;
        p->no_trailing = false;
        if (accept(p, TK_RPAREN)) {
            p->no_trailing = saved;
            p->skip_nl--;
            return ast_node(N_UNIT, span_from(p, t->span));
        }
        Node *first = parse_expr(p);
        Node *res = first;
        if (kind(p) == TK_COMMA) {
            NodeVec v = {0};
            nv_push(&v, first);
            while (accept(p, TK_COMMA)) {
                if (kind(p) == TK_RPAREN) break;
                nv_push(&v, parse_expr(p));
                if (p->panic) break;
            }
            res = ast_node(N_TUPLE, t->span);
            res->list.items = nv_finish(&v);
        }
        if (!accept(p, TK_RPAREN) && !p->panic) {
            Diag *d = expected(p, "`)`");
            if (d) diag_label(d, t->span, "unclosed `(` here");
            finish(d);
        }
        p->no_trailing = saved;
        p->skip_nl--;
        if (res == first) {
            res->flags |= NF_PAREN;
            return res;
        }
        res->span = span_from(p, t->span);
        return res;
    }
    case TK_LBRACKET: {
        advance(p);
        Node *n = ast_node(N_LIST, t->span);
        n->list.items = parse_args(p, TK_RBRACKET, t->span, "list");
        n->span = span_from(p, t->span);
        return n;
    }
    case TK_PERCENT: {
        if (peek_at(p, 1, false)->kind != TK_LBRACE) break;
        advance(p);
        advance(p);
        Node *n = ast_node(N_MAPLIT, t->span);
        NodeVec v = {0};
        bool saved = group_begin(p);
        while (kind(p) != TK_RBRACE && kind(p) != TK_EOF) {
            Node *k = parse_expr(p);
            if (p->panic) break;
            if (!expect(p, TK_FATARROW, "map entries are written `key => value`")) break;
            Node *val = parse_expr(p);
            nv_push(&v, k);
            nv_push(&v, val);
            if (p->panic) break;
            accept(p, TK_COMMA);
        }
        group_end(p, saved, TK_RBRACE, "`}` to close the map", t->span, "map");
        n->list.items = nv_finish(&v);
        n->span = span_from(p, t->span);
        return n;
    }
    case TK_IF: return parse_if(p);
    case TK_CASE: case TK_MATCH: return parse_case(p);
    case TK_FN: return parse_closure(p);
    case TK_DEF: {
        Diag *d = err_at(p, t->span, "`def` cannot start a closure");
        if (d) diag_help(d, "write `fn x -> ... end` for an anonymous function");
        finish(d);
        return error_node(p);
    }
    case TK_WHILE: return parse_while(p);
    case TK_FOR: return parse_for(p);
    case TK_BREAK: advance(p); return ast_node(N_BREAK, t->span);
    case TK_CONTINUE: advance(p); return ast_node(N_CONTINUE, t->span);
    case TK_RETURN: {
        advance(p);
        Node *n = ast_node(N_RETURN, t->span);
        TokKind k = kind(p);
        if (k != TK_NEWLINE && k != TK_SEMI && k != TK_END && k != TK_ELSE && k != TK_EOF && k != TK_RPAREN &&
            k != TK_BAR && k != TK_RBRACKET && k != TK_RBRACE && k != TK_COMMA && k != TK_AFTER)
            n->un.operand = parse_expr(p);
        n->span = span_from(p, t->span);
        return n;
    }
    case TK_SPAWN: return parse_keyword_call(p, N_SPAWN, 1, -1);
    case TK_SEND: return parse_keyword_call(p, N_SEND, 2, 2);
    case TK_LINK: return parse_keyword_call(p, N_LINK, 1, 1);
    case TK_RECEIVE: return parse_receive(p);
    case TK_ERROR:
        if (!p->panic) { p->panic = true; p->errors++; }
        advance(p);
        return error_node(p);
    default: break;
    }
    Diag *d = expected(p, "expression");
    if (d) {
        if (t->kind == TK_END) diag_help(d, "is there an extra `end`, or a missing expression before it?");
        else if (tok_is_keyword(t->kind))
            diag_note(d, "%s is a reserved keyword and cannot be used as a name", tok_display(t->kind));
        else if (t->kind == TK_LBRACE) diag_help(d, "map literals are written `%%{key => value}`");
    }
    finish(d);
    return error_node(p);
}

static bool is_struct_name(const Node *n) {
    if (n->kind == N_NAME) return n->name.id.id[0] >= 'A' && n->name.id.id[0] <= 'Z';
    if (n->kind == N_FIELDACC) return n->field_acc.name.id[0] >= 'A' && n->field_acc.name.id[0] <= 'Z';
    return false;
}

static Node *parse_postfix(Parser *p, Node *e) {
    for (;;) {
        if (p->panic) return e;
        const Token *t = cur_continued(p);
        if (e->kind == N_INT && e->lit.n == 1 &&
            (t->kind == TK_DOT || t->kind == TK_LPAREN || t->kind == TK_LBRACKET || t->kind == TK_QUESTION)) {
            /* `-9223372036854775808.abs()` applies `.abs()` to the out-of-range literal first */
            Diag *d = err_at(p, e->span, "integer literal is too large");
            if (d) diag_primary(d, "does not fit in a 64-bit Int");
            finish(d);
            e->lit.n = 0;
        }
        if (t->kind == TK_LPAREN && !t->nl_before) {
            advance(p);
            Node *c = ast_node(N_CALL, e->span);
            c->call.callee = e;
            c->call.args = parse_args(p, TK_RPAREN, t->span, "argument list");
            c->span = span_from(p, e->span);
            e = c;
            if (kind(p) == TK_DO && !p->no_trailing && !cur(p)->nl_before) {
                Diag *d = err_at(p, cur(p)->span, "a call cannot be followed by a `do` block here");
                if (d) {
                    diag_primary(d, "unexpected `do`");
                    diag_help(d, "pass a closure as an argument instead: `f(x, fn y do ... end)`");
                }
                finish(d);
            }
            continue;
        }
        if (t->kind == TK_DOT) {
            advance(p);
            Name nm;
            const Token *f = cur(p);
            if (f->kind == TK_INT || f->kind == TK_FLOAT) {
                Diag *d = err_at(p, f->span, "tuple fields cannot be accessed with `.`");
                if (d) diag_help(d, "destructure the tuple: `let (a, b) = t`, or use `Tuple.first(t)`");
                finish(d);
                return e;
            }
            if (!ident(p, &nm, "a field or method name after `.`", true)) return e;
            Node *fa = ast_node(N_FIELDACC, span_from(p, e->span));
            fa->field_acc.base = e;
            fa->field_acc.name = nm;
            e = fa;
            continue;
        }
        if (t->kind == TK_LBRACKET && !t->nl_before) {
            advance(p);
            p->skip_nl++;
            Node *ix = ast_node(N_INDEX, e->span);
            ix->bin.lhs = e;
            ix->bin.rhs = parse_expr(p);
            expect(p, TK_RBRACKET, NULL);
            p->skip_nl--;
            ix->span = span_from(p, e->span);
            e = ix;
            continue;
        }
        if (t->kind == TK_QUESTION) {
            advance(p);
            Node *q = ast_node(N_TRY, span_from(p, e->span));
            q->un.operand = e;
            e = q;
            continue;
        }
        if (t->kind == TK_LBRACE && !t->nl_before && is_struct_name(e)) {
            advance(p);
            Node *s = ast_node(N_STRUCTLIT, e->span);
            s->slit.type = e;
            NodeVec v = {0};
            bool saved = group_begin(p);
            while (kind(p) != TK_RBRACE && kind(p) != TK_EOF) {
                Node *fi = ast_node(N_FIELDINIT, cur(p)->span);
                if (!ident(p, &fi->field_init.name, "a field name in the struct literal", false)) break;
                if (!expect(p, TK_COLON, "struct fields are written `name: value`")) break;
                fi->field_init.value = parse_expr(p);
                fi->span = span_from(p, fi->span);
                nv_push(&v, fi);
                if (p->panic) break;
                accept(p, TK_COMMA);
            }
            group_end(p, saved, TK_RBRACE, "`}` to close the struct literal", t->span, "struct literal");
            s->slit.fields = nv_finish(&v);
            s->span = span_from(p, e->span);
            e = s;
            continue;
        }
        return e;
    }
}

static Node *parse_unary(Parser *p) {
    if (!enter(p)) { leave(p); return error_node(p); }
    const Token *t = cur(p);
    Node *res;
    if (t->kind == TK_MINUS || t->kind == TK_BANG || t->kind == TK_NOT) {
        advance(p);
        skip_newlines(p);
        bool saved_neg = p->neg_operand;
        p->neg_operand = t->kind == TK_MINUS;
        Node *operand = parse_unary(p);
        p->neg_operand = saved_neg;
        if (t->kind == TK_MINUS && operand->kind == N_INT && operand->lit.n == 1) {
            operand->lit.n = 0; /* -9223372036854775808 */
            operand->span = span_from(p, t->span);
            leave(p);
            return operand;
        }
        res = ast_node(N_UNOP, span_from(p, t->span));
        res->un.op = t->kind;
        res->un.operand = operand;
    } else {
        res = parse_postfix(p, parse_primary(p));
    }
    if (res->kind == N_INT && res->lit.n == 1 && !p->panic && !p->neg_operand) {
        Diag *d = err_at(p, res->span, "integer literal is too large");
        if (d) {
            diag_primary(d, "does not fit in a 64-bit Int");
            diag_note(d, "the largest Int is 9223372036854775807");
        }
        finish(d);
        res->lit.n = 0;
    }
    leave(p);
    return res;
}

/* `x |> f(a)` is `f(x, a)`; `x |> f` is `f(x)`. */
static Node *make_pipe(Parser *p, Node *lhs, Node *rhs, Span op) {
    Node *c;
    if (rhs->kind == N_CALL && !(rhs->flags & NF_PAREN)) {
        c = rhs;
        NodeList old = c->call.args;
        Node **v = ast_alloc((old.n + 1) * sizeof(Node *));
        v[0] = lhs;
        for (uint32_t i = 0; i < old.n; i++) v[i + 1] = old.v[i];
        c->call.args.v = v;
        c->call.args.n = old.n + 1;
    } else {
        c = ast_node(N_CALL, rhs->span);
        c->call.callee = rhs;
        Node **v = ast_alloc(sizeof(Node *));
        v[0] = lhs;
        c->call.args.v = v;
        c->call.args.n = 1;
    }
    c->flags |= NF_PIPED;
    c->span = span_join(lhs->span, rhs->span);
    (void)p;
    (void)op;
    return c;
}

static Node *parse_binary(Parser *p, int min_prec) {
    Node *lhs = parse_unary(p);
    for (;;) {
        if (p->panic) return lhs;
        const Token *t = cur_continued(p);
        int prec = binop_prec(t->kind);
        if (prec == 0 || prec < min_prec) return lhs;
        advance(p);
        skip_newlines(p); /* a line ending with an operator continues */
        Node *rhs = parse_binary(p, prec + 1);
        if (t->kind == TK_PIPE) {
            lhs = make_pipe(p, lhs, rhs, t->span);
        } else {
            Node *b = ast_node(N_BINOP, span_join(lhs->span, rhs->span));
            b->bin.op = t->kind;
            b->bin.lhs = lhs;
            b->bin.rhs = rhs;
            lhs = b;
        }
    }
}

static Node *parse_expr(Parser *p) {
    if (!enter(p)) { leave(p); return error_node(p); }
    bool saved_neg = p->neg_operand;
    p->neg_operand = false; /* a nested expression is not the literal under `-` */
    Node *e = parse_binary(p, 1);
    p->neg_operand = saved_neg;
    leave(p);
    return e;
}

/* ---- items --------------------------------------------------------------- */

static Node *parse_fn_def(Parser *p, uint16_t flags, bool in_interface) {
    const Token *t = advance(p); /* fn / def */
    Node *n = ast_node(N_FN, t->span);
    n->flags = flags | (t->kind == TK_DEF ? NF_DEF : 0);
    if (!ident(p, &n->fn.name, "function name", false)) return n;
    n->fn.generics = parse_generic_params(p);
    bool saved_self = p->self_ok;
    if (kind(p) == TK_LPAREN) {
        n->fn.params = parse_param_list(p, !in_interface);
        for (uint32_t i = 0; i < n->fn.params.n; i++) {
            Node *prm = n->fn.params.v[i];
            if (prm->kind == P_BIND && prm->name.id.id == ast_intern("self", 4)) p->self_ok = true;
        }
    } else {
        n->flags |= NF_NO_PARENS;
    }
    if (p->panic) { p->self_ok = saved_self; return n; }
    if (accept(p, TK_ARROW)) n->fn.ret = parse_type(p);
    n->fn.where = parse_where(p);
    if (accept(p, TK_WHEN)) n->fn.guard = parse_expr(p); /* `= body` may follow: no `=` hint here */
    if (p->panic) { p->self_ok = saved_self; return n; }
    if (kind(p) == TK_ASSIGN) {
        advance(p);
        skip_newlines(p);
        n->flags |= NF_EQ_BODY;
        n->fn.body = parse_expr(p);
    } else if (kind(p) == TK_DO) {
        bool saved_actor = p->in_actor;
        p->in_actor = false;
        n->fn.body = parse_do_block(p, "function body", NULL);
        p->in_actor = saved_actor;
    } else if (!in_interface) {
        Diag *d = expected(p, "`=` or `do` for function body");
        if (d) diag_help(d, "write `fn name(x) do ... end` or `fn name(x) = expression`");
        finish(d);
    }
    p->self_ok = saved_self;
    n->span = span_from(p, t->span);
    return n;
}

static Node *parse_actor(Parser *p) {
    const Token *t = advance(p);
    Node *n = ast_node(N_ACTOR, t->span);
    if (!ident(p, &n->fn.name, "actor name", false)) return n;
    if (kind(p) == TK_LPAREN) n->fn.params = parse_param_list(p, false);
    else n->flags |= NF_NO_PARENS;
    if (p->panic) return n;
    Span open = cur(p)->span;
    if (!expect(p, TK_DO, "an actor is written `actor name(params) do ... end`")) return n;
    int saved_nl = p->skip_nl;
    p->skip_nl = 0;
    bool saved_actor = p->in_actor;
    p->in_actor = true;
    n->fn.body = parse_block_until(p, false, false);
    p->in_actor = saved_actor;
    n->fn.terminate = n->fn.body->aux; /* parked there by the block parser */
    n->fn.body->aux = NULL;
    expect_end(p, open, "actor body");
    p->skip_nl = saved_nl;
    n->span = span_from(p, t->span);
    return n;
}

static void skip_seps(Parser *p) {
    while (kind(p) == TK_NEWLINE || kind(p) == TK_SEMI) advance(p);
}

static Node *parse_struct(Parser *p, uint16_t flags);
static Node *parse_sumtype_or_alias(Parser *p, uint16_t flags);

static void parse_deriving(Parser *p, Node *n) {
    const Token *t = peek_at(p, 0, true);
    if (!tok_is(p, t, "deriving")) return;
    skip_newlines(p);
    advance(p);
    n->tdef.has_deriving = true;
    Span open = cur(p)->span;
    if (!expect(p, TK_LPAREN, "write `deriving(Eq, Display)`")) return;
    n->tdef.derives = parse_args(p, TK_RPAREN, open, "deriving list");
    for (uint32_t i = 0; i < n->tdef.derives.n; i++) {
        if (n->tdef.derives.v[i]->kind != N_NAME && !p->panic) {
            Diag *d = err_at(p, n->tdef.derives.v[i]->span, "expected a trait name in `deriving(...)`");
            if (d) diag_help(d, "derivable traits are Eq, Ord, Display, Debug, Hash, Json and Row");
            finish(d);
        }
    }
}

static Node *parse_struct(Parser *p, uint16_t flags) {
    const Token *t = advance(p);
    Node *n = ast_node(N_STRUCT, t->span);
    n->flags = flags;
    if (!ident(p, &n->tdef.name, "struct name", false)) return n;
    n->tdef.generics = parse_generic_params(p);
    Span open = cur(p)->span;
    if (!expect(p, TK_DO, "a struct is written `struct Name do field :: Type ... end`")) return n;
    NodeVec fields = {0};
    int saved_nl = p->skip_nl;
    p->skip_nl = 0;
    for (;;) {
        while (kind(p) == TK_NEWLINE || kind(p) == TK_SEMI || kind(p) == TK_COMMA) advance(p);
        if (kind(p) == TK_END || kind(p) == TK_EOF) break;
        Node *f = ast_node(N_FIELD, cur(p)->span);
        if (!ident(p, &f->field.name, "a field name", false)) break;
        if (accept(p, TK_COLONCOLON)) f->field.type = parse_type(p);
        f->span = span_from(p, f->span);
        nv_push(&fields, f);
        if (p->panic) break;
    }
    n->tdef.members = nv_finish(&fields);
    if (!p->panic) expect_end(p, open, "struct body");
    p->skip_nl = saved_nl;
    if (!p->panic) parse_deriving(p, n);
    n->span = span_from(p, t->span);
    return n;
}

static Node *parse_sumtype_or_alias(Parser *p, uint16_t flags) {
    const Token *t = advance(p); /* type */
    Node *n = ast_node(N_SUMTYPE, t->span);
    n->flags = flags;
    if (!ident(p, &n->tdef.name, "type name", false)) return n;
    n->tdef.generics = parse_generic_params(p);
    if (kind(p) == TK_ASSIGN) {
        n->kind = N_ALIAS;
        if (flags & NF_PUB) {
            Diag *d = err_at(p, t->span, "type aliases cannot be `pub`");
            if (d) diag_help(d, "remove `pub`; an alias is expanded where it is used");
            finish(d);
            return n;
        }
        advance(p);
        n->tdef.alias_of = parse_type(p);
        n->span = span_from(p, t->span);
        return n;
    }
    Span open = cur(p)->span;
    if (!expect(p, TK_DO, "a sum type is written `type Name do Variant1 Variant2(Int) end`")) return n;
    NodeVec vars = {0};
    int saved_nl = p->skip_nl;
    p->skip_nl = 0;
    for (;;) {
        while (kind(p) == TK_NEWLINE || kind(p) == TK_SEMI || kind(p) == TK_BAR) advance(p);
        if (kind(p) == TK_END || kind(p) == TK_EOF) break;
        Node *v = ast_node(N_VARIANT, cur(p)->span);
        if (!ident(p, &v->variant.name, "a variant name", false)) break;
        if (kind(p) == TK_LPAREN) {
            advance(p);
            p->skip_nl++;
            NodeVec fs = {0};
            while (kind(p) != TK_RPAREN && kind(p) != TK_EOF) {
                Node *f = ast_node(N_FIELD, cur(p)->span);
                if (kind(p) == TK_IDENT && peek_at(p, 1, true)->kind == TK_COLONCOLON) {
                    f->field.name = name_of(p, cur(p));
                    advance(p);
                    advance(p);
                }
                f->field.type = parse_type(p);
                f->span = span_from(p, f->span);
                nv_push(&fs, f);
                if (p->panic || !accept(p, TK_COMMA)) break;
            }
            expect(p, TK_RPAREN, NULL);
            p->skip_nl--;
            v->variant.fields = nv_finish(&fs);
        }
        v->span = span_from(p, v->span);
        nv_push(&vars, v);
        if (p->panic) break;
    }
    n->tdef.members = nv_finish(&vars);
    if (!p->panic) expect_end(p, open, "type body");
    p->skip_nl = saved_nl;
    if (!p->panic) parse_deriving(p, n);
    n->span = span_from(p, t->span);
    return n;
}

static Node *parse_interface(Parser *p, uint16_t flags) {
    const Token *t = advance(p);
    Node *n = ast_node(N_INTERFACE, t->span);
    n->flags = flags;
    if (!ident(p, &n->iface.name, "interface name", false)) return n;
    n->iface.generics = parse_generic_params(p);
    Span open = cur(p)->span;
    if (!expect(p, TK_DO, "an interface is written `interface Name do fn m(self) -> T end`")) return n;
    NodeVec ms = {0};
    int saved_nl = p->skip_nl;
    p->skip_nl = 0;
    for (;;) {
        skip_seps(p);
        if (kind(p) == TK_END || kind(p) == TK_EOF) break;
        if (kind(p) != TK_FN && kind(p) != TK_DEF) {
            finish(expected(p, "a method signature `fn name(self) -> Type`"));
            break;
        }
        Node *m = parse_fn_def(p, NF_METHOD, true);
        nv_push(&ms, m);
        if (p->panic) break;
    }
    n->iface.methods = nv_finish(&ms);
    if (!p->panic) expect_end(p, open, "interface body");
    p->skip_nl = saved_nl;
    n->span = span_from(p, t->span);
    return n;
}

static Name parse_path(Parser *p, const char *what) {
    Name nm = {NULL, cur(p)->span};
    char buf[256];
    size_t len = 0;
    Span s = cur(p)->span;
    for (;;) {
        Name seg;
        if (!ident(p, &seg, what, false)) return nm;
        size_t k = strlen(seg.id);
        if (len) buf[len++] = '.';
        if (len + k >= sizeof buf) k = sizeof buf - 1 - len;
        memcpy(buf + len, seg.id, k);
        len += k;
        if (kind(p) == TK_DOT && peek_at(p, 1, false)->kind == TK_IDENT) { advance(p); continue; }
        break;
    }
    nm.id = ast_intern(buf, len);
    nm.span = span_from(p, s);
    return nm;
}

static Node *parse_impl(Parser *p) {
    const Token *t = advance(p);
    Node *n = ast_node(N_IMPL, t->span);
    n->impl.trait = parse_path(p, "interface name");
    if (p->panic) return n;
    if (kind(p) == TK_LT) n->impl.trait_args = parse_type_args(p);
    if (!expect(p, TK_FOR, "an impl is written `impl Interface for Type do ... end`")) return n;
    n->impl.for_type = parse_path(p, "type name");
    if (p->panic) return n;
    if (kind(p) == TK_LT) {
        Diag *d = err_at(p, cur(p)->span, "impls for generic instantiations cannot be written");
        if (d) diag_help(d, "write `impl Trait for Box do ... end` (the impl covers every `Box<T>`)");
        finish(d);
        return n;
    }
    n->impl.where = parse_where(p);
    Span open = cur(p)->span;
    if (!expect(p, TK_DO, NULL)) return n;
    NodeVec ms = {0};
    int saved_nl = p->skip_nl;
    p->skip_nl = 0;
    for (;;) {
        skip_seps(p);
        if (kind(p) == TK_END || kind(p) == TK_EOF) break;
        if (kind(p) != TK_FN && kind(p) != TK_DEF) {
            finish(expected(p, "a method definition `fn name(self) do ... end`"));
            break;
        }
        nv_push(&ms, parse_fn_def(p, NF_METHOD, false));
        if (p->panic) break;
    }
    n->impl.methods = nv_finish(&ms);
    if (!p->panic) expect_end(p, open, "impl body");
    p->skip_nl = saved_nl;
    n->span = span_from(p, t->span);
    return n;
}

static Node *parse_service(Parser *p) {
    const Token *t = advance(p);
    Node *n = ast_node(N_SERVICE, t->span);
    if (!ident(p, &n->service.name, "service name", false)) return n;
    Span open = cur(p)->span;
    if (!expect(p, TK_DO, NULL)) return n;
    NodeVec hs = {0};
    int saved_nl = p->skip_nl;
    p->skip_nl = 0;
    for (;;) {
        skip_seps(p);
        TokKind k = kind(p);
        if (k == TK_END || k == TK_EOF) break;
        if (k == TK_FN || k == TK_DEF) {
            Node *f = parse_fn_def(p, 0, false);
            if (n->service.init && !p->panic) {
                Diag *d = err_at(p, f->span, "a service has exactly one `fn` (its initialiser)");
                if (d) {
                    diag_label(d, n->service.init->span, "initialiser defined here");
                    diag_help(d, "define helper functions outside the service block");
                }
                finish(d);
            } else {
                n->service.init = f;
            }
        } else if (k == TK_CALL || k == TK_CAST) {
            const Token *h = advance(p);
            Node *hd = ast_node(N_HANDLER, h->span);
            hd->handler.is_call = (k == TK_CALL);
            if (!ident(p, &hd->handler.name, "handler name", false)) break;
            if (kind(p) == TK_LPAREN) hd->handler.params = parse_param_list(p, false);
            if (p->panic) break;
            if (accept(p, TK_COLONCOLON)) hd->handler.ret = parse_type(p);
            Span hopen = cur(p)->span;
            if (!expect(p, TK_DO, "a handler is written `call Name(args) :: Type do |state| ... end`")) break;
            if (kind(p) == TK_BAR) {
                advance(p);
                if (!ident(p, &hd->handler.state, "the state name in `|state|`", false)) break;
                if (!expect(p, TK_BAR, NULL)) break;
            } else if (kind(p) == TK_OROR) {
                finish(expected(p, "a state name between `|` and `|`"));
                break;
            }
            int snl = p->skip_nl;
            p->skip_nl = 0;
            hd->handler.body = parse_block_until(p, false, false);
            expect_end(p, hopen, "handler body");
            p->skip_nl = snl;
            hd->span = span_from(p, h->span);
            nv_push(&hs, hd);
        } else {
            Diag *d = expected(p, "`fn init`, `call` or `cast` in the service body");
            finish(d);
            break;
        }
        if (p->panic) break;
    }
    n->service.handlers = nv_finish(&hs);
    if (!p->panic) expect_end(p, open, "service body");
    p->skip_nl = saved_nl;
    n->span = span_from(p, t->span);
    return n;
}

static Node *parse_int_value(Parser *p, const char *key) {
    const Token *t = cur(p);
    if (t->kind == TK_INT) {
        advance(p);
        Node *n = ast_node(N_INT, t->span);
        n->lit.i = t->i;
        return n;
    }
    char buf[96];
    snprintf(buf, sizeof buf, "an integer literal for `%s`", key);
    finish(expected(p, buf));
    return NULL;
}

static Node *parse_supervisor(Parser *p, uint16_t flags) {
    const Token *t = advance(p);
    Node *n = ast_node(N_SUPERVISOR, t->span);
    n->flags = flags;
    if (!ident(p, &n->sup.name, "supervisor name", false)) return n;
    Span open = cur(p)->span;
    if (!expect(p, TK_DO, NULL)) return n;
    NodeVec kids = {0};
    int saved_nl = p->skip_nl;
    p->skip_nl = 0;
    for (;;) {
        skip_seps(p);
        const Token *k = cur(p);
        if (k->kind == TK_END || k->kind == TK_EOF) break;
        if (tok_is(p, k, "strategy")) {
            advance(p);
            if (!expect(p, TK_COLON, NULL)) break;
            if (!ident(p, &n->sup.strategy, "a strategy name", false)) break;
        } else if (tok_is(p, k, "max_restarts") || tok_is(p, k, "max_seconds")) {
            bool restarts = tok_is(p, k, "max_restarts");
            advance(p);
            if (!expect(p, TK_COLON, NULL)) break;
            Node *v = parse_int_value(p, restarts ? "max_restarts" : "max_seconds");
            if (!v) break;
            if (restarts) n->sup.max_restarts = v; else n->sup.max_seconds = v;
        } else if (tok_is(p, k, "child")) {
            advance(p);
            Node *c = ast_node(N_CHILD, k->span);
            if (!ident(p, &c->child.name, "a child name", false)) break;
            Span copen = cur(p)->span;
            if (!expect(p, TK_DO, NULL)) break;
            for (;;) {
                skip_seps(p);
                const Token *ck = cur(p);
                if (ck->kind == TK_END || ck->kind == TK_EOF) break;
                if (tok_is(p, ck, "start")) {
                    advance(p);
                    if (!expect(p, TK_COLON, NULL)) break;
                    c->child.start = parse_expr(p);
                } else if (tok_is(p, ck, "restart")) {
                    advance(p);
                    if (!expect(p, TK_COLON, NULL)) break;
                    if (!ident(p, &c->child.restart, "a restart type", false)) break;
                } else if (tok_is(p, ck, "shutdown")) {
                    advance(p);
                    if (!expect(p, TK_COLON, NULL)) break;
                    /* a key given twice: the last one counts, as for the
                     * other keys (so `shutdown: 500` then `shutdown:
                     * brutal_kill` is not both at once) */
                    if (tok_is(p, cur(p), "brutal_kill")) {
                        advance(p);
                        c->flags |= NF_BRUTAL;
                        c->child.shutdown = NULL;
                    } else {
                        c->flags &= ~NF_BRUTAL;
                        c->child.shutdown = parse_int_value(p, "shutdown");
                        if (!c->child.shutdown) break;
                    }
                } else {
                    Diag *d = err_at(p, ck->span, "unexpected %s in child spec body", found_text(p));
                    if (d) diag_help(d, "a child spec has `start:`, `restart:` and `shutdown:`");
                    finish(d);
                    break;
                }
                if (p->panic) break;
            }
            if (p->panic) break;
            expect_end(p, copen, "child spec");
            c->span = span_from(p, k->span);
            nv_push(&kids, c);
        } else {
            Diag *d = err_at(p, k->span, "unexpected %s in supervisor body", found_text(p));
            if (d) diag_help(d, "a supervisor has `strategy:`, `max_restarts:`, `max_seconds:` and `child NAME do ... end`");
            finish(d);
            break;
        }
        if (p->panic) break;
    }
    n->sup.children = nv_finish(&kids);
    if (!p->panic) expect_end(p, open, "supervisor body");
    p->skip_nl = saved_nl;
    n->span = span_from(p, t->span);
    return n;
}

static Node *parse_import(Parser *p) {
    const Token *t = advance(p);
    Node *n = ast_node(N_IMPORT, t->span);
    n->import.path = parse_path(p, "module name");
    n->span = span_from(p, t->span);
    return n;
}

static Node *parse_from_import(Parser *p) {
    const Token *t = advance(p); /* from */
    Node *n = ast_node(N_FROM_IMPORT, t->span);
    n->import.path = parse_path(p, "module name");
    if (p->panic) return n;
    if (!expect(p, TK_IMPORT, "write `from Module import name1, name2`")) return n;
    if (kind(p) == TK_STAR) {
        Diag *d = err_at(p, cur(p)->span, "glob imports are not allowed; import names explicitly");
        if (d) diag_help(d, "list the names: `from %s import a, b`", n->import.path.id);
        finish(d);
        return n;
    }
    if (kind(p) == TK_LBRACE) {
        Diag *d = err_at(p, cur(p)->span, "braces are not part of the import syntax");
        if (d) diag_help(d, "write `from %s import a, b`", n->import.path.id);
        finish(d);
        return n;
    }
    NodeVec v = {0};
    do {
        Name nm;
        if (!ident(p, &nm, "a name to import", false)) break;
        Node *x = ast_node(N_NAME, nm.span);
        x->name.id = nm;
        nv_push(&v, x);
    } while (accept(p, TK_COMMA));
    n->import.names = nv_finish(&v);
    n->span = span_from(p, t->span);
    return n;
}

static Node *parse_module_def(Parser *p, uint16_t flags) {
    const Token *t = advance(p);
    Node *n = ast_node(N_MODULE, t->span);
    n->flags = flags;
    if (!ident(p, &n->module_def.name, "module name", false)) return n;
    n->module_def.body = parse_do_block(p, "module body", NULL);
    n->span = span_from(p, t->span);
    return n;
}

static Node *parse_let(Parser *p) {
    const Token *t = advance(p);
    Node *n = ast_node(N_LET, t->span);
    const Token *pt = cur(p);
    if (pt->kind != TK_IDENT && pt->kind != TK_LPAREN && pt->kind != TK_LBRACKET) {
        Diag *d = expected(p, "identifier or pattern after `let`");
        if (d && tok_is_keyword(pt->kind))
            diag_note(d, "%s is a reserved keyword and cannot be used as a name", tok_display(pt->kind));
        finish(d);
        return n;
    }
    /* no top-level cons here: `let x :: T = e` is an annotation */
    n->let.pat = parse_or_pattern(p);
    while (tok_is(p, cur(p), "as") && !p->panic) {
        advance(p);
        Node *a = ast_node(P_AS, n->let.pat->span);
        a->as_.pat = n->let.pat;
        if (!ident(p, &a->as_.name, "a name after `as`", false)) return n;
        a->span = span_from(p, a->span);
        n->let.pat = a;
    }
    if (p->panic) return n;
    if (accept(p, TK_COLONCOLON)) n->let.ann = parse_type(p);
    if (p->panic) return n;
    if (!accept(p, TK_ASSIGN)) {
        Diag *d = expected(p, "`=`");
        if (d) diag_help(d, "a binding is written `let name = value`");
        finish(d);
        return n;
    }
    skip_newlines(p);
    n->let.value = parse_expr(p);
    n->span = span_from(p, t->span);
    return n;
}

/* `defmodule Name do ... end` (Elixir): each Snow file is a module.  The body
 * is read like an inline module, so its contents are still checked. */
static Node *parse_defmodule(Parser *p) {
    const Token *t = advance(p);
    Diag *d = soft_err(p, t->span, "Snow has no `defmodule`: each file is a module");
    Node *n = ast_node(N_MODULE, t->span);
    if (!ident(p, &n->module_def.name, "module name", false)) { finish(d); return n; }
    while (kind(p) == TK_DOT && peek_at(p, 1, false)->kind == TK_IDENT) {
        advance(p);
        ident(p, &n->module_def.name, "module name", false);
    }
    if (d) {
        char *file = modname_file(n->module_def.name.id);
        diag_primary(d, "not needed");
        diag_help(d, "put the functions at the top level of the file %s and drop `defmodule ... end`; other files "
                     "use them after `import %s`", file, n->module_def.name.id);
        free(file);
    }
    finish(d);
    n->module_def.body = parse_do_block(p, "module body", NULL);
    n->span = span_from(p, t->span);
    return n;
}

/* `x = x + 1`: Snow has no assignment.  Reports at the `=` (after reading
 * the right-hand side, to quote it in the suggestion). */
static void assignment(Parser *p, Node *target) {
    Span eq = advance(p)->span;
    skip_newlines(p);
    Node *rhs = parse_expr(p);
    if (p->panic) return;
    const SourceFile *f = src_get(rhs->span.file);
    int rlen = (int)(rhs->span.len > 60 ? 0 : rhs->span.len);
    const char *rtext = f->text + rhs->span.off;
    Diag *d;
    if (target->kind == N_NAME) {
        const char *x = target->name.id.id;
        d = err_at(p, eq, "values don't change: `=` cannot give `%s` a new value", x);
        if (!d) return;
        diag_primary(d, "not an assignment");
        if (rlen) diag_help(d, "write `let %s = %.*s`: a new `%s` that hides the old one from here on", x, rlen, rtext, x);
        else diag_help(d, "write `let %s = ...`: a new `%s` that hides the old one from here on", x, x);
        if (p->loop_depth)
            diag_note(d, "in a loop, a `let` lasts only until the end of the loop body, so it cannot carry a value to "
                         "the next round: use `for x in ...`, `List.reduce`, or a recursive function that takes the "
                         "new value as an argument");
    } else if (target->kind == N_FIELDACC) {
        d = err_at(p, eq, "values don't change: `=` cannot update the field `%s`", target->field_acc.name.id);
        if (!d) return;
        diag_primary(d, "not an assignment");
        diag_help(d, "build a new struct with the new field value and bind it with `let`");
    } else {
        d = err_at(p, eq, "values don't change: Snow has no assignment");
        if (!d) return;
        diag_primary(d, "not an assignment");
        diag_help(d, "`=` appears only in `let name = value` and `fn name(args) = expression`");
    }
    finish(d);
}

static Node *parse_stmt(Parser *p) {
    const Token *t = cur(p);
    switch (t->kind) {
    case TK_FN: case TK_DEF:
        if (peek_at(p, 1, false)->kind == TK_IDENT) return parse_fn_def(p, 0, false);
        break;
    case TK_PUB: {
        advance(p);
        TokKind k = kind(p);
        if (k == TK_FN || k == TK_DEF) return parse_fn_def(p, NF_PUB, false);
        if (k == TK_STRUCT) return parse_struct(p, NF_PUB);
        if (k == TK_TYPE) return parse_sumtype_or_alias(p, NF_PUB);
        if (k == TK_INTERFACE) return parse_interface(p, NF_PUB);
        if (k == TK_MODULE) return parse_module_def(p, NF_PUB);
        if (k == TK_SUPERVISOR) return parse_supervisor(p, NF_PUB);
        if (k == TK_ACTOR) { Node *a = parse_actor(p); a->flags |= NF_PUB; return a; }
        if (k == TK_SERVICE) { Node *s = parse_service(p); s->flags |= NF_PUB; return s; }
        finish(expected(p, "`fn`, `module`, `struct`, `interface`, `type`, or `supervisor` after `pub`"));
        return error_node(p);
    }
    case TK_STRUCT: return parse_struct(p, 0);
    case TK_TYPE: return parse_sumtype_or_alias(p, 0);
    case TK_INTERFACE: return parse_interface(p, 0);
    case TK_IMPL: return parse_impl(p);
    case TK_MODULE: return parse_module_def(p, 0);
    case TK_IMPORT: return parse_import(p);
    case TK_ACTOR: return parse_actor(p);
    case TK_SERVICE: return parse_service(p);
    case TK_SUPERVISOR: return parse_supervisor(p, 0);
    case TK_LET: return parse_let(p);
    case TK_TERMINATE: {
        if (!p->in_actor) {
            Diag *d = err_at(p, t->span, "`terminate` is only allowed directly inside an actor body");
            finish(d);
            return error_node(p);
        }
        break; /* handled by the block parser */
    }
    case TK_IDENT:
        if (tok_is(p, t, "from")) return parse_from_import(p);
        if (tok_is(p, t, "defmodule") && peek_at(p, 1, false)->kind == TK_IDENT) return parse_defmodule(p);
        if (tok_is(p, t, "defp") && peek_at(p, 1, false)->kind == TK_IDENT) {
            Diag *d = soft_err(p, t->span, "Snow has no `defp`: functions are private unless marked `pub`");
            if (d) diag_help(d, "write `fn`; other files can call it only if you write `pub fn`");
            finish(d);
            return parse_fn_def(p, 0, false);
        }
        break;
    default: break;
    }
    Node *e = parse_expr(p);
    if (!p->panic && kind(p) == TK_ASSIGN) assignment(p, e);
    return e;
}

/* Skip to a plausible statement boundary after an error. */
static void synchronize(Parser *p) {
    int depth = 0, brackets = 0;
    int saved = p->skip_nl;
    p->skip_nl = 0;
    while (kind(p) != TK_EOF) {
        TokKind k = kind(p);
        if (brackets == 0 && depth == 0 && (k == TK_NEWLINE || k == TK_SEMI)) { advance(p); break; }
        if (k == TK_LPAREN || k == TK_LBRACKET || k == TK_LBRACE) brackets++;
        else if ((k == TK_RPAREN || k == TK_RBRACKET || k == TK_RBRACE) && brackets > 0) brackets--;
        else if (k == TK_DO) depth++;
        else if (k == TK_END) {
            if (depth == 0) break; /* the enclosing block's end */
            depth--;
        } else if ((k == TK_ELSE || k == TK_AFTER) && depth == 0 && cur(p)->nl_before) break;
        /* a new item at the start of a line */
        if (brackets == 0 && cur(p)->nl_before && depth == 0 &&
            (k == TK_FN || k == TK_DEF || k == TK_STRUCT || k == TK_TYPE || k == TK_INTERFACE || k == TK_IMPL ||
             k == TK_ACTOR || k == TK_SERVICE || k == TK_SUPERVISOR || k == TK_PUB || k == TK_IMPORT || k == TK_LET))
            break;
        advance(p);
    }
    p->skip_nl = saved;
    p->panic = false;
}

/* Statements until `end` (or `else` / `after` when asked, or EOF). */
static Node *parse_block_until(Parser *p, bool stop_else, bool stop_after) {
    Node *b = ast_node(N_BLOCK, cur(p)->span);
    NodeVec v = {0};
    bool in_actor = p->in_actor;
    Node *actor_term = NULL;
    for (;;) {
        skip_seps(p);
        TokKind k = kind(p);
        if (k == TK_EOF || k == TK_END) break;
        if (stop_else && k == TK_ELSE) break;
        if (stop_after && k == TK_AFTER) break;
        if (k == TK_ELSE || k == TK_AFTER) {
            Diag *d = err_at(p, cur(p)->span, "unexpected %s", tok_display(k));
            if (d && k == TK_ELSE) diag_help(d, "`else` belongs to an `if ... do ... else ... end`");
            finish(d);
            advance(p);
            synchronize(p);
            continue;
        }
        uint32_t before = p->pos;
        if (in_actor && k == TK_TERMINATE) {
            const Token *t = advance(p);
            p->in_actor = false;
            Node *tb = parse_do_block(p, "`terminate` block", NULL);
            p->in_actor = true;
            if (actor_term) {
                Diag *d = err_at(p, t->span, "only one `terminate` clause is allowed per actor block");
                finish(d);
            }
            actor_term = tb;
            if (!p->panic) continue;
        } else {
            bool saved_actor = p->in_actor;
            p->in_actor = false;
            Node *s = parse_stmt(p);
            p->in_actor = saved_actor;
            nv_push(&v, s);
        }
        if (p->panic) {
            synchronize(p);
            if (p->pos == before) advance(p); /* guarantee progress */
        }
    }
    b->list.items = nv_finish(&v);
    b->span = span_from(p, b->span);
    if (actor_term) b->aux = actor_term; /* picked up by parse_actor */
    return b;
}

Node *parse_file(uint32_t file, const TokenList *toks, int *nerrors) {
    Parser p;
    memset(&p, 0, sizeof p);
    p.toks = toks->toks;
    p.n = toks->n;
    p.file = file;
    for (uint32_t i = p.n; i > 0; i--) {
        TokKind k = p.toks[i - 1].kind;
        if (k == TK_EOF || k == TK_NEWLINE) continue;
        if (k == TK_ERROR) { p.lex_fatal = true; p.lex_fatal_off = p.toks[i - 1].span.off; }
        break;
    }
    Node *root = ast_node(N_BLOCK, (Span){file, 0, 0});
    NodeVec v = {0};
    /* the last top-level item that ended with an `end` further right than
     * its own first line: that `end` probably closed it too early */
    Span early_end = DIAG_NOSPAN, early_item = DIAG_NOSPAN;
    for (;;) {
        skip_seps(&p);
        if (kind(&p) == TK_EOF) break;
        uint32_t before = p.pos;
        if (kind(&p) == TK_END && early_end.file != UINT32_MAX && !p.panic) {
            Diag *d = err_at(&p, early_end, "extra `end`");
            if (d) {
                diag_primary(d, "this `end` closes the definition of line %u", line_of(file, early_item.off));
                diag_label(d, cur(&p)->span, "so this `end` is left over");
                diag_help(d, "remove the extra `end`: every `do` has exactly one");
            }
            finish(d);
            advance(&p);
            early_end = DIAG_NOSPAN;
        } else if (kind(&p) == TK_END || kind(&p) == TK_ELSE || kind(&p) == TK_AFTER) {
            Diag *d = err_at(&p, cur(&p)->span, "unexpected %s at the top level", tok_display(kind(&p)));
            if (d && kind(&p) == TK_END) diag_help(d, "this `end` has no matching `do`");
            finish(d);
            advance(&p);
            /* one report for a run of stray closers */
            while (kind(&p) == TK_END || kind(&p) == TK_ELSE || kind(&p) == TK_AFTER || kind(&p) == TK_NEWLINE ||
                   kind(&p) == TK_SEMI || kind(&p) == TK_RPAREN || kind(&p) == TK_RBRACKET || kind(&p) == TK_RBRACE)
                advance(&p);
        } else {
            int errors_before = p.errors;
            Node *it = parse_stmt(&p);
            nv_push(&v, it);
            Span last = prev_span(&p);
            if (p.errors > errors_before) {
                early_end = DIAG_NOSPAN; /* recovery moves `end`s around: no evidence */
            } else if (p.pos > before && p.toks[p.pos - 1].kind == TK_END) {
                bool early = line_indent(file, last.off) > line_indent(file, it->span.off);
                early_end = early ? last : DIAG_NOSPAN;
                early_item = it->span;
            }
        }
        if (p.panic) {
            synchronize(&p);
            if (kind(&p) == TK_END && p.pos == before) advance(&p);
        }
        if (p.pos == before) advance(&p);
    }
    root->list.items = nv_finish(&v);
    if (nerrors) *nerrors = p.errors;
    return root;
}

Node *parse_repl(uint32_t file, const TokenList *toks, int *nerrors) {
    return parse_file(file, toks, nerrors);
}

Node *parse_pattern_text(uint32_t file, const TokenList *toks, int *nerrors) {
    Parser p;
    memset(&p, 0, sizeof p);
    p.toks = toks->toks;
    p.n = toks->n;
    p.file = file;
    p.skip_nl = 1;
    Node *pat = parse_pattern(&p);
    Node *guard = NULL;
    if (!p.panic && accept(&p, TK_WHEN)) guard = parse_expr(&p);
    if (!p.panic && kind(&p) != TK_EOF) finish(expected(&p, "end of pattern"));
    Node *arm = ast_node(N_ARM, pat->span);
    arm->arm.pat = pat;
    arm->arm.guard = guard;
    if (nerrors) *nerrors = p.errors;
    return arm;
}

Node *parse_type_text(uint32_t file, const TokenList *toks, int *nerrors) {
    Parser p;
    memset(&p, 0, sizeof p);
    p.toks = toks->toks;
    p.n = toks->n;
    p.file = file;
    p.skip_nl = 1;
    Node *t = parse_type(&p);
    if (!p.panic && kind(&p) != TK_EOF) finish(expected(&p, "end of type"));
    if (nerrors) *nerrors = p.errors;
    return t;
}
