/* fmt_snow.c — Snow's canonical layout (see fmt_snow.h and
 * docs/style-guide.md).
 *
 * Construction order matters: every printed token is "tied" to its source
 * offset, and tying flushes the comments that precede that offset.  Documents
 * are therefore built strictly in output order (which is source order), and
 * every line break goes through P(), which first emits the end-of-line
 * comments left pending by the previous token (and breaks the groups around
 * them, so they stay where they were).  Parentheses are printed
 * exactly where the parser recorded them (NF_PAREN) — except in patterns and
 * types, whose parentheses the tree does not keep; there they are inserted
 * where precedence needs them.
 *
 * Choices the author made and that the layout keeps (all idempotent):
 * blank lines between statements (runs collapse to one); a `|>` chain
 * written one step per line; a list, map, tuple, struct literal or argument
 * list written with a line break after its opening and before its closing
 * bracket; a short `if`/`for`/`while`/`fn ... do` with one statement written
 * on one line. */
#include "fmt_snow.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ast.h"
#include "ast_eq.h"
#include "depth.h"
#include "diag.h"
#include "fmt_doc.h"
#include "lex.h"
#include "parse.h"
#include "source.h"
#include "xalloc.h"

typedef struct F {
    DocArena *a;
    const char *src;
    uint32_t len;
    const Token *toks;
    uint32_t ntoks;
    const Comment *cm;
    uint32_t ncm, ci;     /* comments [0, ci) are placed */
    uint32_t hint;        /* tok_index's last answer */
    Node *lead_closure;   /* a closure that starts a statement (see params_form) */
    bool too_deep;        /* depth_exhausted(): reported, the result is dropped */
    uint32_t *pend;       /* end-of-line comments waiting for the next separator */
    uint32_t npend, cpend;
    bool suffix_open;     /* an end-of-line comment may wait for the end of this line */
    struct ItemMark *marks; /* definitions in item lists, for the blank-line pass */
} F;

/* Where a definition of an item list landed in the output: a blank line
 * separates it from its predecessor when either spans several lines (known
 * only after rendering, so it is a pass over the text). */
typedef struct ItemMark {
    struct ItemMark *next, *prev_item;
    size_t blank_at, start, end; /* SIZE_MAX: not rendered */
} ItemMark;

static Doc *expr(F *f, Node *n);
static Doc *expr_top(F *f, Node *n);
static bool too_deep(F *f, const Node *n);
static Doc *pat(F *f, Node *n, int min_prec);
static Doc *type_doc(F *f, Node *t);
static Doc *stmt(F *f, Node *n);

/* ---- tokens ------------------------------------------------------------------ */

/* Index of the first token at or after byte offset `off`.  Lookups mostly
 * move forward through the file: try a few steps from the last answer first. */
static uint32_t tok_index(F *f, uint32_t off) {
    uint32_t h = f->hint;
    if (h < f->ntoks && f->toks[h].span.off <= off) {
        for (uint32_t k = 0; k < 8 && h < f->ntoks; k++, h++)
            if (f->toks[h].span.off >= off) return f->hint = h;
    }
    uint32_t lo = 0, hi = f->ntoks;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (f->toks[mid].span.off < off) lo = mid + 1; else hi = mid;
    }
    return f->hint = lo;
}

/* First token of kind k in [from, until); NULL if none. */
static const Token *find_tok(F *f, uint32_t from, uint32_t until, TokKind k) {
    for (uint32_t i = tok_index(f, from); i < f->ntoks && f->toks[i].span.off < until; i++)
        if (f->toks[i].kind == k) return &f->toks[i];
    return NULL;
}

/* The last non-newline token that starts before `off`. */
static const Token *prev_tok(F *f, uint32_t off) {
    uint32_t i = tok_index(f, off);
    while (i > 0) {
        i--;
        if (f->toks[i].kind != TK_NEWLINE) return &f->toks[i];
    }
    return NULL;
}

/* The first non-newline token at or after `off`. */
static const Token *next_tok(F *f, uint32_t off) {
    for (uint32_t i = tok_index(f, off); i < f->ntoks; i++)
        if (f->toks[i].kind != TK_NEWLINE) return &f->toks[i];
    return NULL;
}

/* The bracket closing the one at `open` (same kind of bracket). */
static const Token *match_close(F *f, const Token *open) {
    TokKind o = open->kind;
    TokKind c = o == TK_LPAREN ? TK_RPAREN : o == TK_LBRACKET ? TK_RBRACKET : TK_RBRACE;
    int depth = 0;
    for (uint32_t i = (uint32_t)(open - f->toks); i < f->ntoks; i++) {
        TokKind k = f->toks[i].kind;
        if (k == o || (c == TK_RBRACE && k == TK_LBRACE)) depth++;
        else if (k == c && --depth == 0) return &f->toks[i];
    }
    return NULL;
}

static uint32_t nend(const Node *n) { return n->span.off + n->span.len; }

/* The operand a postfix/binary node starts with (its leftmost child), or NULL. */
static const Node *left_child(const Node *n) {
    switch ((NodeKind)n->kind) {
    case N_BINOP: case N_INDEX: return n->bin.lhs;
    case N_CALL: return (n->flags & NF_PIPED) && n->call.args.n ? n->call.args.v[0] : n->call.callee;
    case N_FIELDACC: return n->field_acc.base;
    case N_TRY: return n->un.operand;
    case N_STRUCTLIT: return n->slit.type;
    default: return NULL;
    }
}

/* Offset of the first token of n (its opening parenthesis, its `pub`).  A
 * loop down the left spine: `a.b.c...` may be a million links long. */
static uint32_t node_start(F *f, const Node *n) {
    uint32_t parens = 0;
    const Node *top = n, *l = n;
    for (;;) {
        if (l->flags & NF_PAREN) parens++;
        const Node *c = left_child(l);
        if (!c) break;
        l = c;
    }
    uint32_t off = l->span.off;
    for (; parens > 0; parens--) {
        const Token *t = prev_tok(f, off);
        if (!t || t->kind != TK_LPAREN) break;
        off = t->span.off;
    }
    if ((top->flags & NF_PUB) && top->kind <= N_CHILD) {
        const Token *t = prev_tok(f, off);
        if (t && t->kind == TK_PUB) off = t->span.off;
    }
    return off;
}

/* No line break between the tokens of [from, to]. */
static bool one_line(F *f, uint32_t from, uint32_t to) {
    for (uint32_t i = tok_index(f, from) + 1; i < f->ntoks && f->toks[i].span.off <= to; i++)
        if (f->toks[i].nl_before || f->toks[i].kind == TK_NEWLINE) return false;
    return true;
}

/* The author broke the bracketed group: a line break right after `open`
 * and right before `close`. */
static bool user_broken(F *f, const Token *open, const Token *close) {
    if (!open || !close) return false;
    const Token *first = next_tok(f, open->span.off + open->span.len);
    return first && first != close && first->nl_before && close->nl_before;
}

/* ---- comments ------------------------------------------------------------------ */

enum { CK_OWN, CK_TRAIL, CK_INLINE };
enum { BLANK_NO, BLANK_OK, BLANK_AFTER_FIRST };

static bool own_line(F *f, uint32_t off) {
    while (off > 0) {
        char c = f->src[off - 1];
        if (c == ' ' || c == '\t') off--;
        else return c == '\n' || c == '\r';
    }
    return true;
}

static bool rest_of_line_blank(F *f, uint32_t off) {
    while (off < f->len) {
        char c = f->src[off];
        if (c == ' ' || c == '\t') off++;
        else return c == '\n' || c == '\r' || c == '#';
    }
    return true;
}

/* An empty line separates `off` from what precedes it. */
static bool blank_before(F *f, uint32_t off) {
    int nl = 0;
    while (off > 0) {
        char c = f->src[off - 1];
        if (c == '\n' || (c == '\r' && (off >= f->len || f->src[off] != '\n'))) nl++;
        else if (c != ' ' && c != '\t' && c != '\r') break;
        off--;
    }
    return nl >= 2;
}

static int comment_class(F *f, const Comment *c) {
    bool own = own_line(f, c->span.off);
    if (c->block && !rest_of_line_blank(f, c->span.off + c->span.len)) return CK_INLINE;
    return own ? CK_OWN : CK_TRAIL;
}

static Doc *comment_text(F *f, const Comment *c) {
    uint32_t n = c->span.len;
    const char *s = f->src + c->span.off;
    if (!c->block)
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    return doc_text(f->a, s, n);
}

/* An end-of-line comment.  At a line break (brk) it also breaks the groups
 * around it, so the comment stays after the token it followed (`f(a, # c`);
 * flushed in front of a token (no line break between, as in `- # c` / `4`)
 * it moves to the end of the line and breaks nothing: breaking there would
 * depend on where the comment was, and the next pass finds it elsewhere. */
static Doc *trailing_doc(F *f, const Comment *c, bool brk) {
    Doc *s = doc_line_suffix(f->a, comment_text(f, c), !c->block);
    f->suffix_open = !brk;
    return brk ? DOC_CAT(f->a, s, doc_break_parent(f->a)) : s;
}

static void flush_pending(F *f, DocVec *v, bool brk) {
    for (uint32_t i = 0; i < f->npend; i++) doc_vec_push(v, trailing_doc(f, &f->cm[f->pend[i]], brk));
    f->npend = 0;
}

/* The comments before `off` (and the pending end-of-line ones).  *own_out:
 * some own-line comment was printed. */
static Doc *flush_comments(F *f, uint32_t off, int blank, bool *own_out) {
    if (f->npend == 0 && (f->ci >= f->ncm || f->cm[f->ci].span.off >= off)) {
        if (own_out) *own_out = false;
        return NULL;
    }
    DocVec v = {0};
    flush_pending(f, &v, false);
    bool any = false;
    while (f->ci < f->ncm && f->cm[f->ci].span.off < off) {
        const Comment *c = &f->cm[f->ci++];
        int k = comment_class(f, c);
        if (k == CK_OWN) {
            bool b = blank != BLANK_NO && (any || blank == BLANK_OK) && blank_before(f, c->span.off);
            uint32_t n = c->span.len;
            if (!c->block)
                while (n > 0 && (f->src[c->span.off + n - 1] == ' ' || f->src[c->span.off + n - 1] == '\t')) n--;
            doc_vec_push(&v, doc_comment_line(f->a, f->src + c->span.off, n, b));
            f->suffix_open = false;
            any = true;
        } else if (k == CK_TRAIL || f->suffix_open) {
            /* an inline comment after one that waits for the end of the line
             * waits too: printed in place it would come first */
            doc_vec_push(&v, trailing_doc(f, c, false));
        } else {
            doc_vec_push(&v, DOC_CAT(f->a, comment_text(f, c), doc_str(f->a, " ")));
            any = true;
        }
    }
    if (own_out) *own_out = any;
    return doc_vec_finish(f->a, &v);
}

/* After a token ending at `end`: the comments that follow it on its line
 * (with only `,` / `;` between) become pending end-of-line comments. */
static void mark_trailing(F *f, uint32_t end) {
    while (f->ci < f->ncm) {
        const Comment *c = &f->cm[f->ci];
        if (c->span.off < end || comment_class(f, c) != CK_TRAIL) return;
        for (uint32_t i = tok_index(f, end); i < f->ntoks && f->toks[i].span.off < c->span.off; i++) {
            TokKind k = f->toks[i].kind;
            if (k != TK_COMMA && k != TK_SEMI && k != TK_NEWLINE) return;
        }
        if (f->npend == f->cpend) {
            f->cpend = f->cpend ? f->cpend * 2 : 8;
            f->pend = xrealloc(f->pend, f->cpend * sizeof *f->pend);
        }
        f->pend[f->npend++] = f->ci++;
    }
}

/* A line break: pending end-of-line comments go first. */
static Doc *P(F *f, Doc *d) {
    if (f->npend == 0) return d;
    DocVec v = {0};
    flush_pending(f, &v, true);
    doc_vec_push(&v, d);
    return doc_vec_finish(f->a, &v);
}

/* Punctuation the formatter adds (`, `, ` `, `(` in patterns): pending
 * comments wait for the next line break or token. */
static Doc *S(F *f, const char *s) { return doc_str(f->a, s); }
static Doc *LINE(F *f) { return P(f, doc_line(f->a)); }
static Doc *SOFT(F *f) { return P(f, doc_softline(f->a)); }
static Doc *HARD(F *f) {
    f->suffix_open = false;
    return P(f, doc_hardline(f->a));
}

/* Text tied to the source token at [off, end). */
static Doc *tie_text(F *f, uint32_t off, uint32_t end, const char *s, uint32_t n) {
    Doc *lead = flush_comments(f, off, BLANK_NO, NULL);
    Doc *d = doc_text(f->a, s, n);
    mark_trailing(f, end);
    return lead ? DOC_CAT(f->a, lead, d) : d;
}

static Doc *kw_at(F *f, uint32_t off, const char *s) {
    uint32_t n = (uint32_t)strlen(s);
    return tie_text(f, off, off + n, s, n);
}

/* Keyword `s` (token kind k) searched in [from, until); untied if absent. */
static Doc *kw_find(F *f, uint32_t from, uint32_t until, TokKind k, const char *s) {
    const Token *t = find_tok(f, from, until, k);
    return t ? kw_at(f, t->span.off, s) : S(f, s);
}

static Doc *tok_doc(F *f, const Token *t, const char *s) { return t ? kw_at(f, t->span.off, s) : S(f, s); }

static Doc *name_doc(F *f, Name nm) {
    uint32_t n = (uint32_t)strlen(nm.id);
    return tie_text(f, nm.span.off, nm.span.off + nm.span.len, nm.id, n);
}

/* Source bytes [off, end) printed as they are (literals, strings with their
 * interpolations); comments inside belong to the text. */
static Doc *verbatim(F *f, uint32_t off, uint32_t end) {
    Doc *lead = flush_comments(f, off, BLANK_NO, NULL);
    Doc *d = doc_text(f->a, f->src + off, end - off);
    while (f->ci < f->ncm && f->cm[f->ci].span.off < end) f->ci++;
    mark_trailing(f, end);
    return lead ? DOC_CAT(f->a, lead, d) : d;
}

/* ---- bracketed sequences ------------------------------------------------------------ */

typedef Doc *(*ItemFn)(F *f, void *ctx, uint32_t i);

enum {
    C_SPACES = 1,  /* `{ a, b }`: a space inside the brackets when flat */
    C_HUG = 2,     /* the last item may hug the brackets (calls) */
    C_TRAIL1 = 4,  /* a single item needs a trailing comma: `(x,)` */
    C_FILL = 8,    /* a list of literals: as many per line as fit */
};

static bool comments_between(F *f, uint32_t from, uint32_t to) {
    for (uint32_t i = f->ci; i < f->ncm; i++) {
        if (f->cm[i].span.off >= to) return false;
        if (f->cm[i].span.off >= from) return true;
    }
    return false;
}

/* A leaf that cannot break. */
static bool atom(const Node *n) {
    switch ((NodeKind)n->kind) {
    case N_STRING: case N_INTERP: case N_INT: case N_FLOAT: case N_BOOL: case N_UNIT: case N_NAME: case N_SELF:
        return true;
    default: return false;
    }
}

/* Items a list packs several to a line. */
static bool fill_atom(F *f, const Node *n) {
    if (n->flags & NF_PAREN) return false;
    switch ((NodeKind)n->kind) {
    case N_INT: case N_FLOAT: case N_BOOL: case N_UNIT: case N_NAME: return true;
    case N_STRING: return !memchr(f->src + n->span.off, '\n', n->span.len);
    case N_UNOP:
        return n->un.op == TK_MINUS && (n->un.operand->kind == N_INT || n->un.operand->kind == N_FLOAT) &&
               !(n->un.operand->flags & NF_PAREN);
    default: return false;
    }
}

static bool huggable(const Node *n) {
    if (n->flags & NF_PAREN) return false;
    switch ((NodeKind)n->kind) {
    case N_CLOSURE: case N_LIST: case N_MAPLIT: case N_STRUCTLIT: return true;
    default: return false;
    }
}

/* open ... close with n items separated by `,`.  `last` is the node of the
 * last item (for hugging), or NULL. */
static Doc *bracketed(F *f, const Token *open, const char *open_s, const Token *close, const char *close_s, uint32_t n,
                      ItemFn fn, void *ctx, int style, const Node *last) {
    DocArena *a = f->a;
    Doc *o = tok_doc(f, open, open_s);
    uint32_t close_off = close ? close->span.off : (open ? open->span.off + 1 : 0);
    if ((style & C_HUG) && n == 1 && last && atom(last) && open && close &&
        !comments_between(f, open->span.off, close_off)) {
        /* f("a long string"): breaking would not make it shorter */
        Doc *it = fn(f, ctx, 0);
        return DOC_CAT(a, o, it, tok_doc(f, close, close_s));
    }
    bool broken = user_broken(f, open, close);
    if ((style & C_FILL) && n >= 2 && !broken && open && close && !comments_between(f, open->span.off, close_off)) {
        Node **v = ctx;
        bool all = true;
        for (uint32_t i = 0; i < n && all; i++) all = fill_atom(f, v[i]);
        if (all) {
            /* [1, 2, 3, ...   continued lines one level in; no line break
             * after `[` (that would read as "one item per line" next time) */
            Doc **parts = xmalloc((2 * n - 1) * sizeof *parts);
            for (uint32_t i = 0; i < n; i++) {
                Doc *it = fn(f, ctx, i);
                parts[2 * i] = i + 1 < n ? DOC_CAT(a, it, S(f, ",")) : it;
                if (i + 1 < n) parts[2 * i + 1] = LINE(f);
            }
            Doc *fl = doc_fill(a, parts, 2 * n - 1);
            free(parts);
            return DOC_CAT(a, o, doc_nest(a, fl), tok_doc(f, close, close_s));
        }
    }
    bool hug = (style & C_HUG) && n > 0 && last && huggable(last) && !broken && open && close &&
               !comments_between(f, open->span.off, close_off);
    if (hug) {
        /* three layouts: all on one line / last item broken around its own
         * brackets / one item per line */
        Doc **items = xmalloc(n * sizeof *items);
        bool hard_before = false;
        for (uint32_t i = 0; i < n; i++) {
            items[i] = fn(f, ctx, i);
            if (i + 1 < n && doc_is_hard(items[i])) hard_before = true;
        }
        Doc *c = tok_doc(f, close, close_s);
        DocVec flat = {0}, huglast = {0}, exp = {0};
        doc_vec_push(&flat, o);
        doc_vec_push(&huglast, o);
        for (uint32_t i = 0; i < n; i++) {
            if (i) {
                doc_vec_push(&flat, doc_str(a, ", "));
                doc_vec_push(&huglast, doc_str(a, ", "));
                doc_vec_push(&exp, doc_str(a, ","));
                doc_vec_push(&exp, doc_line(a));
            }
            doc_vec_push(&flat, items[i]);
            doc_vec_push(&huglast, i + 1 == n ? doc_group(a, items[i], true) : items[i]);
            doc_vec_push(&exp, items[i]);
        }
        doc_vec_push(&flat, c);
        doc_vec_push(&huglast, c);
        Doc *expanded = doc_group(a, DOC_CAT(a, o, doc_nest(a, DOC_CAT(a, doc_softline(a), doc_vec_finish(a, &exp))),
                                             doc_softline(a), c), true);
        free(items);
        if (hard_before) {
            doc_vec_finish(a, &flat);
            doc_vec_finish(a, &huglast);
            return expanded;
        }
        Doc *states[3] = {doc_vec_finish(a, &flat), doc_vec_finish(a, &huglast), expanded};
        return doc_choice(a, states, 3);
    }
    DocVec in = {0};
    doc_vec_push(&in, (style & C_SPACES) ? LINE(f) : SOFT(f));
    for (uint32_t i = 0; i < n; i++) {
        if (i) {
            doc_vec_push(&in, S(f, ","));
            doc_vec_push(&in, LINE(f));
        }
        doc_vec_push(&in, fn(f, ctx, i));
    }
    if (n == 1 && (style & C_TRAIL1)) doc_vec_push(&in, S(f, ","));
    doc_vec_push(&in, flush_comments(f, close_off, BLANK_NO, NULL));
    Doc *inner = doc_vec_finish(a, &in);
    Doc *sep = (style & C_SPACES) ? LINE(f) : SOFT(f);
    Doc *c = tok_doc(f, close, close_s);
    if (n == 0 && !doc_is_hard(inner)) return DOC_CAT(a, o, c);
    return doc_group(a, DOC_CAT(a, o, doc_nest(a, inner), sep, c), broken);
}

static Doc *item_expr(F *f, void *ctx, uint32_t i) { return expr_top(f, ((Node **)ctx)[i]); }
static Doc *item_pat(F *f, void *ctx, uint32_t i) { return pat(f, ((Node **)ctx)[i], 0); }
static Doc *item_type(F *f, void *ctx, uint32_t i) { return type_doc(f, ((Node **)ctx)[i]); }

/* A bracketed list of nodes; open is the opening token (may be NULL). */
static Doc *node_list(F *f, const Token *open, const char *os, const char *cs, NodeList l, ItemFn fn, int style) {
    const Token *close = open ? match_close(f, open) : NULL;
    return bracketed(f, open, os, close, cs, l.n, fn, l.v, style, l.n ? l.v[l.n - 1] : NULL);
}

/* ---- types ------------------------------------------------------------------- */

static Doc *type_paren(F *f, Node *t) {
    bool paren = t->kind == TY_FUN || (t->kind == TY_NAME && t->tname.err);
    if (!paren) return type_doc(f, t);
    Doc *o = S(f, "(");
    Doc *d = type_doc(f, t);
    return DOC_CAT(f->a, o, d, S(f, ")"));
}

static Doc *type_args(F *f, uint32_t from, NodeList args) {
    const Token *lt = find_tok(f, from, args.n ? args.v[0]->span.off : from + 1, TK_LT);
    Doc *o = tok_doc(f, lt, "<");
    DocVec v = {0};
    doc_vec_push(&v, o);
    for (uint32_t i = 0; i < args.n; i++) {
        if (i) doc_vec_push(&v, S(f, ", "));
        doc_vec_push(&v, type_doc(f, args.v[i]));
    }
    doc_vec_push(&v, S(f, ">"));
    return doc_vec_finish(f->a, &v);
}

static Doc *type_doc(F *f, Node *t) {
    DocArena *a = f->a;
    if (too_deep(f, t)) return NULL;
    switch ((NodeKind)t->kind) {
    case TY_NAME:
        if (t->tname.opt) {
            Doc *d = type_paren(f, t->tname.args.v[0]);
            return DOC_CAT(a, d, kw_find(f, nend(t->tname.args.v[0]), nend(t) + 1, TK_QUESTION, "?"));
        }
        if (t->tname.err) {
            Doc *d = type_paren(f, t->tname.args.v[0]);
            Doc *bang = kw_find(f, nend(t->tname.args.v[0]), t->tname.err->span.off, TK_BANG, "!");
            return DOC_CAT(a, d, bang, type_doc(f, t->tname.err));
        }
        {
            Doc *d = kw_at(f, t->tname.path.span.off, t->tname.path.id);
            if (!t->tname.args.n) return d;
            return DOC_CAT(a, d, type_args(f, nend(&(Node){.span = t->tname.path.span}), t->tname.args));
        }
    case TY_TUPLE: {
        const Token *open = find_tok(f, t->span.off, t->span.off + 1, TK_LPAREN);
        return node_list(f, open, "(", ")", t->list.items, item_type, C_TRAIL1);
    }
    case TY_FUN: {
        Doc *d = kw_at(f, t->span.off, "Fun");
        const Token *open = find_tok(f, t->span.off, nend(t), TK_LPAREN);
        Doc *ps = node_list(f, open, "(", ")", t->tfun.params, item_type, 0);
        const Token *close = open ? match_close(f, open) : NULL;
        Doc *arrow = kw_find(f, close ? close->span.off : t->span.off, nend(t), TK_ARROW, "->");
        return DOC_CAT(a, d, ps, S(f, " "), arrow, S(f, " "), type_doc(f, t->tfun.ret));
    }
    default:
        return S(f, "?");
    }
}

/* `:: Type` after something ending at `from`. */
static Doc *annotation(F *f, uint32_t from, Node *ty) {
    Doc *sp = S(f, " ");
    Doc *cc = kw_find(f, from, ty->span.off, TK_COLONCOLON, "::");
    return DOC_CAT(f->a, sp, cc, S(f, " "), type_doc(f, ty));
}

/* ---- patterns ------------------------------------------------------------------ */

enum { PP_AS = 0, PP_CONS = 1, PP_OR = 2, PP_PRIMARY = 3 };

static int pat_prec(const Node *n) {
    switch ((NodeKind)n->kind) {
    case P_AS: return PP_AS;
    case P_CONS: return PP_CONS;
    case P_OR: return PP_OR;
    default: return PP_PRIMARY;
    }
}

static Doc *lit_doc(F *f, Node *lit) {
    switch ((NodeKind)lit->kind) {
    case N_UNIT:
        if (f->src[lit->span.off] == 'n') return kw_at(f, lit->span.off, "nil");
        return DOC_CAT(f->a, kw_at(f, lit->span.off, "("), kw_at(f, nend(lit) - 1, ")"));
    case N_BOOL: return kw_at(f, lit->span.off, lit->lit.i ? "true" : "false");
    default: {
        if (f->src[lit->span.off] == '-') {
            /* -9223372036854775808: the minus and the literal are one node */
            Doc *m = kw_at(f, lit->span.off, "-");
            const Token *num = prev_tok(f, nend(lit));
            if (!num) return m;
            return DOC_CAT(f->a, m, verbatim(f, num->span.off, num->span.off + num->span.len));
        }
        return verbatim(f, lit->span.off, nend(lit));
    }
    }
}

static Doc *pat_inner(F *f, Node *n) {
    DocArena *a = f->a;
    switch ((NodeKind)n->kind) {
    case P_WILD: return kw_at(f, n->span.off, "_");
    case P_BIND: return name_doc(f, n->name.id);
    case P_LIT:
        if (n->pat_lit.negated) {
            Doc *m = kw_at(f, n->span.off, "-");
            return DOC_CAT(a, m, lit_doc(f, n->pat_lit.lit));
        }
        return lit_doc(f, n->pat_lit.lit);
    case P_CTOR: {
        Doc *d;
        uint32_t after;
        if (n->ctor.qual.id) {
            Doc *q = name_doc(f, n->ctor.qual);
            Doc *dot = kw_find(f, n->ctor.qual.span.off, n->ctor.name.span.off, TK_DOT, ".");
            d = DOC_CAT(a, q, dot, name_doc(f, n->ctor.name));
        } else {
            d = name_doc(f, n->ctor.name);
        }
        after = n->ctor.name.span.off + n->ctor.name.span.len;
        if (!n->ctor.has_args) return d;
        const Token *open = find_tok(f, after, nend(n), TK_LPAREN);
        return DOC_CAT(a, d, node_list(f, open, "(", ")", n->ctor.args, item_pat, 0));
    }
    case P_TUPLE: {
        const Token *open = find_tok(f, n->span.off, n->span.off + 1, TK_LPAREN);
        return node_list(f, open, "(", ")", n->list.items, item_pat, C_TRAIL1);
    }
    case P_LIST: {
        const Token *open = find_tok(f, n->span.off, n->span.off + 1, TK_LBRACKET);
        return node_list(f, open, "[", "]", n->list.items, item_pat, 0);
    }
    case P_CONS: {
        Doc *l = pat(f, n->bin.lhs, PP_OR);
        Doc *sp = S(f, " ");
        Doc *op = kw_find(f, nend(n->bin.lhs), n->bin.rhs->span.off, TK_COLONCOLON, "::");
        return DOC_CAT(a, l, sp, op, S(f, " "), pat(f, n->bin.rhs, PP_CONS));
    }
    case P_OR: {
        DocVec v = {0};
        for (uint32_t i = 0; i < n->list.items.n; i++) {
            Node *it = n->list.items.v[i];
            if (i) {
                doc_vec_push(&v, S(f, " "));
                doc_vec_push(&v, kw_find(f, nend(n->list.items.v[i - 1]), it->span.off, TK_BAR, "|"));
                doc_vec_push(&v, S(f, " "));
            }
            doc_vec_push(&v, pat(f, it, PP_PRIMARY));
        }
        return doc_vec_finish(a, &v);
    }
    case P_AS: {
        Doc *p = pat(f, n->as_.pat, PP_AS);
        Doc *as = S(f, " as ");
        return DOC_CAT(a, p, as, name_doc(f, n->as_.name));
    }
    default:
        return expr(f, n);
    }
}

static Doc *pat(F *f, Node *n, int min_prec) {
    if (too_deep(f, n)) return NULL;
    if (pat_prec(n) >= min_prec) return pat_inner(f, n);
    Doc *o = S(f, "(");
    Doc *d = pat_inner(f, n);
    return DOC_CAT(f->a, o, d, S(f, ")"));
}

/* A parameter read by parse_param: a plain name would be taken as a binder,
 * so a pattern that starts with one needs parentheses. */
static bool starts_with_binder(const Node *n) {
    for (;;) {
        switch ((NodeKind)n->kind) {
        case P_CONS: n = n->bin.lhs; continue;
        case P_AS: n = n->as_.pat; continue;
        case P_OR: n = n->list.items.v[0]; continue;
        case P_BIND: return true;
        case P_CTOR: return n->ctor.qual.id && !(n->ctor.qual.id[0] >= 'A' && n->ctor.qual.id[0] <= 'Z');
        default: return false;
        }
    }
}

static Doc *param(F *f, Node *p) {
    Doc *d;
    bool compound = p->kind == P_CONS || p->kind == P_AS || p->kind == P_OR;
    if (p->kind == P_CTOR && starts_with_binder(p)) compound = true;
    if (compound && starts_with_binder(p)) {
        Doc *o = S(f, "(");
        Doc *in = pat_inner(f, p);
        d = DOC_CAT(f->a, o, in, S(f, ")"));
    } else {
        d = pat(f, p, PP_AS);
    }
    if (p->ann) d = DOC_CAT(f->a, d, annotation(f, nend(p), p->ann));
    return d;
}

static Doc *item_param(F *f, void *ctx, uint32_t i) { return param(f, ((Node **)ctx)[i]); }

/* ---- expressions ------------------------------------------------------------------ */

static int binop_prec(int k) { return parse_binop_prec((TokKind)k); }
static const char *op_text(int k) { return tok_text((TokKind)k); }

/* a op b op c ... of one precedence level, broken after the operators.
 * indent: continuation lines one level deeper (not needed where the chain
 * can only break when it starts its own line: arguments, arm bodies). */
static Doc *binop_chain(F *f, Node *n, bool indent) {
    DocArena *a = f->a;
    int prec = binop_prec(n->bin.op);
    uint32_t k = 1;
    Node *l = n;
    while (l->bin.lhs->kind == N_BINOP && !(l->bin.lhs->flags & NF_PAREN) && binop_prec(l->bin.lhs->bin.op) == prec) {
        l = l->bin.lhs;
        k++;
    }
    Node **ops = xmalloc(k * sizeof *ops);
    l = n;
    for (uint32_t i = k; i > 0; i--) {
        ops[i - 1] = l;
        l = l->bin.lhs;
    }
    Doc *first = expr(f, l);
    DocVec rest = {0};
    for (uint32_t i = 0; i < k; i++) {
        Node *b = ops[i];
        Node *lhs = b->bin.lhs;
        Doc *op = kw_find(f, nend(lhs), node_start(f, b->bin.rhs), (TokKind)b->bin.op, op_text(b->bin.op));
        if (b->bin.op == TK_DOTDOT) {
            doc_vec_push(&rest, op);
        } else {
            doc_vec_push(&rest, S(f, " "));
            doc_vec_push(&rest, op);
            doc_vec_push(&rest, LINE(f));
        }
        doc_vec_push(&rest, expr(f, b->bin.rhs));
    }
    free(ops);
    Doc *r = doc_vec_finish(a, &rest);
    return doc_group(a, DOC_CAT(a, first, indent ? doc_nest(a, r) : r), false);
}

static Doc *call_args(F *f, Node *n, uint32_t first) {
    const Token *open = find_tok(f, nend(n->call.callee), nend(n), TK_LPAREN);
    if (n->call.callee->flags & NF_PAREN) {
        const Token *rp = find_tok(f, nend(n->call.callee), nend(n), TK_RPAREN);
        if (rp) open = find_tok(f, rp->span.off + 1, nend(n), TK_LPAREN);
    }
    uint32_t cnt = n->call.args.n - first;
    const Token *close = open ? match_close(f, open) : NULL;
    return bracketed(f, open, "(", close, ")", cnt, item_expr, cnt ? n->call.args.v + first : NULL, C_HUG,
                     cnt ? n->call.args.v[n->call.args.n - 1] : NULL);
}

/* x |> f(a) |> g: one step per line when broken (or when written so). */
static Doc *pipe_chain(F *f, Node *n) {
    DocArena *a = f->a;
    uint32_t k = 1;
    Node *l = n;
    while (l->call.args.v[0]->kind == N_CALL && (l->call.args.v[0]->flags & NF_PIPED) &&
           !(l->call.args.v[0]->flags & NF_PAREN) && l->call.args.v[0]->call.args.n > 0) {
        l = l->call.args.v[0];
        k++;
    }
    Node **steps = xmalloc(k * sizeof *steps);
    l = n;
    for (uint32_t i = k; i > 0; i--) {
        steps[i - 1] = l;
        l = l->call.args.v[0];
    }
    bool broken = false;
    Doc *head = expr(f, l);
    DocVec v = {0};
    doc_vec_push(&v, head);
    for (uint32_t i = 0; i < k; i++) {
        Node *c = steps[i];
        const Token *pt = find_tok(f, nend(c->call.args.v[0]), node_start(f, c->call.callee), TK_PIPE);
        if (pt && pt->nl_before) broken = true;
        doc_vec_push(&v, LINE(f));
        doc_vec_push(&v, tok_doc(f, pt, "|>"));
        doc_vec_push(&v, S(f, " "));
        doc_vec_push(&v, expr(f, c->call.callee));
        const Token *open = next_tok(f, nend(c->call.callee));
        bool parens = c->call.args.n > 1 || (open && open->kind == TK_LPAREN && open->span.off < nend(c));
        if (parens) doc_vec_push(&v, call_args(f, c, 1));
    }
    free(steps);
    return doc_group(a, doc_vec_finish(a, &v), broken);
}

static Doc *map_entry(F *f, void *ctx, uint32_t i) {
    Node **v = ctx;
    Node *k = v[2 * i], *val = v[2 * i + 1];
    Doc *kd = expr(f, k);
    Doc *sp = S(f, " ");
    Doc *arrow = kw_find(f, nend(k), node_start(f, val), TK_FATARROW, "=>");
    return DOC_CAT(f->a, kd, sp, arrow, S(f, " "), expr(f, val));
}

static Doc *field_init(F *f, void *ctx, uint32_t i) {
    Node *fi = ((Node **)ctx)[i];
    Doc *nm = name_doc(f, fi->field_init.name);
    Doc *colon = kw_find(f, fi->field_init.name.span.off, node_start(f, fi->field_init.value), TK_COLON, ":");
    return DOC_CAT(f->a, nm, colon, S(f, " "), expr(f, fi->field_init.value));
}

/* ---- blocks ------------------------------------------------------------------------- */

typedef struct Entry {
    uint32_t off;  /* first token */
    int kind;      /* E_* */
    Node *n;
    uint32_t aux;  /* E_TERMINATE: offset of its `end` search bound */
} Entry;

enum { E_NODE, E_TERMINATE, E_STRATEGY, E_MAXR, E_MAXS, E_START, E_RESTART, E_SHUTDOWN, E_BRUTAL, E_FIELD,
       E_VARIANT };

static Doc *entry_doc(F *f, const Entry *e);

/* Comments and blank line before an entry at `off`. */
static Doc *entry_lead(F *f, uint32_t off, bool first) {
    bool own = false;
    Doc *c = flush_comments(f, off, first ? BLANK_AFTER_FIRST : BLANK_OK, &own);
    if ((!first || own) && blank_before(f, off)) return DOC_CAT(f->a, c, doc_blankline(f->a));
    return c;
}

/* Entries one per line.  items: definitions, separated by a blank line when
 * either neighbour spans several lines (see ItemMark).  end_off: the closing
 * `end` (or the end of the file); comments before it are printed inside. */
static Doc *entries(F *f, Entry *es, uint32_t n, bool items, uint32_t end_off) {
    DocArena *a = f->a;
    DocVec v = {0};
    ItemMark *prev = NULL;
    for (uint32_t i = 0; i < n; i++) {
        Doc *sep = i ? HARD(f) : NULL;
        ItemMark *m = NULL;
        Doc *mb = NULL, *ms = NULL, *me = NULL;
        if (items) {
            m = doc_alloc(a, sizeof *m);
            m->blank_at = m->start = m->end = SIZE_MAX;
            m->prev_item = prev;
            m->next = f->marks;
            f->marks = m;
            prev = m;
            mb = doc_mark(a, &m->blank_at);
            ms = doc_mark(a, &m->start);
            me = doc_mark(a, &m->end);
        }
        Doc *lead = entry_lead(f, es[i].off, i == 0);
        Doc *d = entry_doc(f, &es[i]);
        Doc *all = DOC_CAT(a, sep, mb, lead, ms, d, me);
        if (es[i].kind == E_TERMINATE) {
            /* a clause of the actor block: at the level of `actor` and `end` */
            all = doc_dedent(a, DOC_CAT(a, sep ? NULL : doc_softline(a), all));
        }
        doc_vec_push(&v, all);
    }
    bool own = false;
    Doc *tail = flush_comments(f, end_off, n ? BLANK_OK : BLANK_AFTER_FIRST, &own);
    doc_vec_push(&v, tail);
    return doc_vec_finish(a, &v);
}

static bool multi_line(const char *s, const ItemMark *m) {
    if (m->start == SIZE_MAX || m->end == SIZE_MAX) return false;
    return memchr(s + m->start, '\n', m->end > m->start ? m->end - m->start : 0) != NULL;
}

static int cmp_size_desc(const void *x, const void *y) {
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    return a < b ? 1 : a > b ? -1 : 0;
}

/* Insert the blank lines around multi-line definitions. */
static char *blank_pass(F *f, char *s, size_t *len) {
    size_t n = 0, cap = 0, *at = NULL;
    for (ItemMark *m = f->marks; m; m = m->next) {
        if (!m->prev_item || m->blank_at == SIZE_MAX || m->blank_at < 2 || m->prev_item->end == SIZE_MAX) continue;
        if (!multi_line(s, m) && !multi_line(s, m->prev_item)) continue;
        /* right after the previous definition's last line: comments split off
         * its end-of-line comments lead the next definition (as they will when
         * the output is formatted again) */
        const char *nl = memchr(s + m->prev_item->end, '\n', m->blank_at - m->prev_item->end);
        size_t pos = nl ? (size_t)(nl - s) + 1 : m->blank_at;
        if (pos < 2) continue;
        if (s[pos - 1] == '\n' && (s[pos - 2] == '\n' || s[pos] == '\n')) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            at = xrealloc(at, cap * sizeof *at);
        }
        at[n++] = pos;
    }
    if (!n) return s;
    qsort(at, n, sizeof *at, cmp_size_desc);
    char *out = xmalloc(*len + n + 1);
    size_t src_end = *len, dst = *len + n;
    out[dst] = 0;
    for (size_t i = 0; i <= n; i++) {
        size_t from = i < n ? at[i] : 0;
        size_t k = src_end - from;
        dst -= k;
        memcpy(out + dst, s + from, k);
        src_end = from;
        if (i < n) out[--dst] = '\n';
    }
    free(at);
    free(s);
    *len += n;
    return out;
}

static void push_entry(Entry **es, uint32_t *n, uint32_t *cap, Entry e) {
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *es = xrealloc(*es, *cap * sizeof **es);
    }
    (*es)[(*n)++] = e;
}

static void push_nodes(F *f, Entry **es, uint32_t *n, uint32_t *cap, NodeList l) {
    for (uint32_t i = 0; i < l.n; i++) push_entry(es, n, cap, (Entry){node_start(f, l.v[i]), E_NODE, l.v[i], 0});
}

static int entry_cmp(const void *x, const void *y) {
    const Entry *a = x, *b = y;
    return a->off < b->off ? -1 : a->off > b->off;
}

/* Entries gathered from several fields, in source order. */
static void sort_entries(Entry *es, uint32_t n) {
    if (n > 1) qsort(es, n, sizeof *es, entry_cmp);
}

/* The statements of a block (plus an actor's terminate clause) between
 * `from` (just after `do`) and the block's `end` at end_off. */
static Doc *block_entries(F *f, Node *block, Node *terminate, uint32_t from, uint32_t end_off) {
    Entry *es = NULL;
    uint32_t n = 0, cap = 0;
    if (block) push_nodes(f, &es, &n, &cap, block->list.items);
    if (terminate) {
        const Token *t = find_tok(f, from, end_off, TK_TERMINATE);
        push_entry(&es, &n, &cap, (Entry){t ? t->span.off : from, E_TERMINATE, terminate, end_off});
        sort_entries(es, n);
    }
    Doc *d = entries(f, es, n, false, end_off);
    free(es);
    return d;
}

/* `do` <statements> `end` (the caller prints the header before and groups). */
static Doc *do_end(F *f, uint32_t do_off, Node *block, Node *terminate, uint32_t end_off) {
    DocArena *a = f->a;
    Doc *d = kw_at(f, do_off, "do");
    Doc *first = LINE(f);
    Doc *body = block_entries(f, block, terminate, do_off + 2, end_off);
    Doc *last = LINE(f);
    return DOC_CAT(a, d, doc_nest(a, DOC_CAT(a, first, body)), last, kw_at(f, end_off, "end"));
}

/* Offset of the `end` closing a block that starts after `from`: the first
 * `end` after its last statement. */
static uint32_t block_end_off(F *f, Node *block, uint32_t from, uint32_t until) {
    uint32_t after = from;
    if (block && block->list.items.n) {
        Node *last = block->list.items.v[block->list.items.n - 1];
        after = nend(last);
        if (last->flags & NF_PAREN) {
            const Token *rp = find_tok(f, after, until, TK_RPAREN);
            if (rp) after = rp->span.off + 1;
        }
    }
    const Token *e = find_tok(f, after, until, TK_END);
    return e ? e->span.off : until;
}

/* A block that may print on one line: one statement that is a plain
 * expression (the layout then depends on the width). */
static bool simple_block(const Node *b) {
    if (!b || b->list.items.n != 1) return false;
    const Node *s = b->list.items.v[0];
    return s->kind != N_LET && !(s->kind <= N_CHILD && s->kind != N_NONE);
}

/* ---- control flow -------------------------------------------------------------------- */

static Doc *if_doc(F *f, Node *n) {
    DocArena *a = f->a;
    uint32_t end_off = nend(n) - 3;
    bool flat_ok = true;
    for (Node *c = n; c; c = (c->if_.els && c->if_.els->kind == N_IF) ? c->if_.els : NULL) {
        if (!simple_block(c->if_.then)) flat_ok = false;
        if (c->if_.els && c->if_.els->kind != N_IF && !simple_block(c->if_.els)) flat_ok = false;
    }
    if (flat_ok) flat_ok = one_line(f, n->span.off, end_off);
    DocVec v = {0};
    Node *c = n;
    uint32_t kw_off = n->span.off;
    bool first = true;
    for (;;) {
        if (!first) {
            doc_vec_push(&v, kw_at(f, kw_off, "if"));
        } else {
            doc_vec_push(&v, kw_at(f, c->span.off, "if"));
        }
        first = false;
        doc_vec_push(&v, S(f, " "));
        doc_vec_push(&v, expr(f, c->if_.cond));
        doc_vec_push(&v, S(f, " "));
        const Token *dt = find_tok(f, nend(c->if_.cond), end_off, TK_DO);
        uint32_t do_off = dt ? dt->span.off : nend(c->if_.cond);
        doc_vec_push(&v, kw_at(f, do_off, "do"));
        Doc *l1 = LINE(f);
        Doc *then = block_entries(f, c->if_.then, NULL, do_off + 2, end_off);
        /* the `else` (or `end`) of this branch */
        uint32_t after = do_off + 2;
        if (c->if_.then && c->if_.then->list.items.n) after = nend(c->if_.then->list.items.v[c->if_.then->list.items.n - 1]);
        const Token *et = c->if_.els ? find_tok(f, after, end_off, TK_ELSE) : NULL;
        /* comments before `else` stay inside the branch */
        if (et) then = DOC_CAT(a, then, flush_comments(f, et->span.off, BLANK_OK, NULL));
        doc_vec_push(&v, doc_nest(a, DOC_CAT(a, l1, then)));
        doc_vec_push(&v, LINE(f));
        if (!c->if_.els) break;
        doc_vec_push(&v, tok_doc(f, et, "else"));
        if (c->if_.els->kind == N_IF) {
            doc_vec_push(&v, S(f, " "));
            c = c->if_.els;
            kw_off = c->span.off;
            continue;
        }
        Doc *l2 = LINE(f);
        Doc *els = block_entries(f, c->if_.els, NULL, et ? et->span.off + 4 : after, end_off);
        doc_vec_push(&v, doc_nest(a, DOC_CAT(a, l2, els)));
        doc_vec_push(&v, LINE(f));
        break;
    }
    doc_vec_push(&v, kw_at(f, end_off, "end"));
    return doc_group(a, doc_vec_finish(a, &v), !flat_ok);
}

/* pattern [when guard] -> body */
static Doc *arm_doc(F *f, Node *arm) {
    DocArena *a = f->a;
    Doc *p = pat(f, arm->arm.pat, PP_AS);
    Doc *g = NULL;
    uint32_t after = nend(arm->arm.pat);
    if (arm->arm.guard) {
        Doc *sp = S(f, " ");
        Doc *w = kw_find(f, after, arm->arm.guard->span.off, TK_WHEN, "when");
        Doc *sp2 = S(f, " ");
        g = DOC_CAT(a, sp, w, sp2, expr(f, arm->arm.guard));
        after = nend(arm->arm.guard);
    }
    Doc *sp = S(f, " ");
    Doc *arrow = kw_find(f, after, node_start(f, arm->arm.body), TK_ARROW, "->");
    Doc *l = LINE(f);
    Doc *body = expr_top(f, arm->arm.body);
    return doc_group(a, DOC_CAT(a, p, g, sp, arrow, doc_nest(a, DOC_CAT(a, l, body))), false);
}

static Doc *arms_doc(F *f, NodeList arms, uint32_t end_off) {
    DocArena *a = f->a;
    DocVec v = {0};
    for (uint32_t i = 0; i < arms.n; i++) {
        Node *arm = arms.v[i];
        if (i) doc_vec_push(&v, HARD(f));
        doc_vec_push(&v, entry_lead(f, node_start(f, arm->arm.pat), i == 0));
        doc_vec_push(&v, arm_doc(f, arm));
    }
    doc_vec_push(&v, flush_comments(f, end_off, arms.n ? BLANK_OK : BLANK_AFTER_FIRST, NULL));
    return doc_vec_finish(a, &v);
}

static Doc *case_doc(F *f, Node *n) {
    DocArena *a = f->a;
    uint32_t end_off = nend(n) - 3;
    bool match = f->src[n->span.off] == 'm';
    Doc *kw = kw_at(f, n->span.off, match ? "match" : "case");
    Doc *sp = S(f, " ");
    Doc *scrut = expr(f, n->case_.scrut);
    Doc *sp2 = S(f, " ");
    const Token *dt = find_tok(f, nend(n->case_.scrut), end_off, TK_DO);
    Doc *d = tok_doc(f, dt, "do");
    Doc *l = HARD(f);
    Doc *arms = arms_doc(f, n->case_.arms, end_off);
    Doc *l2 = HARD(f);
    return DOC_CAT(a, kw, sp, scrut, sp2, d, doc_nest(a, DOC_CAT(a, l, arms)), l2, kw_at(f, end_off, "end"));
}

/* receive do arms [after MS -> body] end — `after` at the level of `receive`. */
static Doc *receive_doc(F *f, Node *n) {
    DocArena *a = f->a;
    uint32_t end_off = nend(n) - 3;
    Doc *kw = kw_at(f, n->span.off, "receive");
    Doc *sp = S(f, " ");
    const Token *dt = find_tok(f, n->span.off, end_off, TK_DO);
    Doc *d = tok_doc(f, dt, "do");
    Doc *l = HARD(f);
    const Token *at = NULL;
    if (n->recv.after_ms) {
        uint32_t s = n->recv.arms.n ? nend(n->recv.arms.v[n->recv.arms.n - 1]) : (dt ? dt->span.off + 2 : n->span.off);
        at = find_tok(f, s, end_off, TK_AFTER);
    }
    Doc *arms = arms_doc(f, n->recv.arms, at ? at->span.off : end_off);
    Doc *after = NULL;
    if (n->recv.after_ms) {
        Doc *l1 = HARD(f);
        Doc *k = tok_doc(f, at, "after");
        Doc *s1 = S(f, " ");
        Doc *ms = expr(f, n->recv.after_ms);
        Doc *s2 = S(f, " ");
        Doc *arrow = kw_find(f, nend(n->recv.after_ms), node_start(f, n->recv.after_body), TK_ARROW, "->");
        Doc *l2 = LINE(f);
        Doc *body = expr_top(f, n->recv.after_body);
        Doc *tail = flush_comments(f, end_off, BLANK_OK, NULL);
        after = DOC_CAT(a, l1, doc_group(a, DOC_CAT(a, k, s1, ms, s2, arrow, doc_nest(a, DOC_CAT(a, l2, body))), false),
                        tail ? doc_nest(a, tail) : NULL);
    }
    Doc *l3 = HARD(f);
    return DOC_CAT(a, kw, sp, d, doc_nest(a, DOC_CAT(a, l, arms)), after, l3, kw_at(f, end_off, "end"));
}

static Doc *loop_doc(F *f, Node *n) {
    DocArena *a = f->a;
    uint32_t end_off = nend(n) - 3;
    DocVec v = {0};
    Node *body;
    uint32_t hdr_end;
    if (n->kind == N_WHILE) {
        doc_vec_push(&v, kw_at(f, n->span.off, "while"));
        doc_vec_push(&v, S(f, " "));
        doc_vec_push(&v, expr(f, n->loop.cond));
        hdr_end = nend(n->loop.cond);
        body = n->loop.body;
    } else {
        doc_vec_push(&v, kw_at(f, n->span.off, "for"));
        doc_vec_push(&v, S(f, " "));
        if (n->for_.var2) {
            const Token *lb = find_tok(f, n->span.off, n->for_.var->span.off, TK_LBRACE);
            doc_vec_push(&v, tok_doc(f, lb, "{"));
            doc_vec_push(&v, pat(f, n->for_.var, PP_AS));
            doc_vec_push(&v, S(f, ", "));
            doc_vec_push(&v, pat(f, n->for_.var2, PP_AS));
            doc_vec_push(&v, kw_find(f, nend(n->for_.var2), n->for_.iter->span.off, TK_RBRACE, "}"));
        } else {
            doc_vec_push(&v, pat(f, n->for_.var, PP_AS));
        }
        doc_vec_push(&v, S(f, " "));
        doc_vec_push(&v, kw_find(f, nend(n->for_.var2 ? n->for_.var2 : n->for_.var), node_start(f, n->for_.iter), TK_IN,
                                 "in"));
        doc_vec_push(&v, S(f, " "));
        doc_vec_push(&v, expr(f, n->for_.iter));
        hdr_end = nend(n->for_.iter);
        if (n->for_.filter) {
            doc_vec_push(&v, S(f, " "));
            doc_vec_push(&v, kw_find(f, hdr_end, node_start(f, n->for_.filter), TK_WHEN, "when"));
            doc_vec_push(&v, S(f, " "));
            doc_vec_push(&v, expr(f, n->for_.filter));
            hdr_end = nend(n->for_.filter);
        }
        body = n->for_.body;
    }
    doc_vec_push(&v, S(f, " "));
    const Token *dt = find_tok(f, hdr_end, end_off, TK_DO);
    uint32_t do_off = dt ? dt->span.off : hdr_end;
    doc_vec_push(&v, do_end(f, do_off, body, NULL, end_off));
    bool flat_ok = simple_block(body) && one_line(f, n->span.off, end_off);
    return doc_group(a, doc_vec_finish(a, &v), !flat_ok);
}

/* ---- closures ---------------------------------------------------------------------------- */

enum { PF_NONE, PF_BARE, PF_PAREN };

/* How a clause's parameters are written.  A first clause without
 * parameters and with an arrow body is printed `fn() -> x`: `fn -> x` would
 * read as the block form (the author separated `fn` and `->` by a line
 * break, which makes the same tree as `fn() ->`). */
static int params_form(F *f, Node *c, bool first) {
    if (f->src[c->span.off] == '(') return PF_PAREN;
    if (c->clause.params.n) {
        /* `fn x` at the start of a statement defines a function named x: a
         * closure there (the author wrote `fn` and `x` on two lines) gets
         * parentheses, `fn(x)`, which is the same closure */
        if (first && f->lead_closure && f->lead_closure->closure.clauses.v[0] == c) return PF_PAREN;
        return PF_BARE;
    }
    return first && (c->flags & NF_ARROW) ? PF_PAREN : PF_NONE;
}

/* Closure parameters stay on one line (a closure hugging the end of a call
 * breaks after `->`, never inside its parameters). */
static Doc *clause_params(F *f, Node *c, int form) {
    DocArena *a = f->a;
    DocVec v = {0};
    const Token *open = NULL, *close = NULL;
    if (form == PF_PAREN) {
        open = find_tok(f, c->span.off, c->span.off + 1, TK_LPAREN);
        close = open ? match_close(f, open) : NULL;
        doc_vec_push(&v, tok_doc(f, open, "("));
    }
    for (uint32_t i = 0; i < c->clause.params.n; i++) {
        if (i) doc_vec_push(&v, S(f, ", "));
        doc_vec_push(&v, param(f, c->clause.params.v[i]));
    }
    if (form == PF_PAREN) {
        if (close) doc_vec_push(&v, flush_comments(f, close->span.off, BLANK_NO, NULL));
        doc_vec_push(&v, tok_doc(f, close, ")"));
    }
    return doc_vec_finish(a, &v);
}

/* One clause after `fn ` or `| `: params [when g] -> body  /  params do ... end.
 * An arrow clause is returned ungrouped (the caller groups it). */
static Doc *clause_doc(F *f, Node *c, bool first, uint32_t until, bool *was_do) {
    DocArena *a = f->a;
    int form = params_form(f, c, first);
    DocVec v = {0};
    uint32_t after = c->span.off;
    if (form != PF_NONE) {
        doc_vec_push(&v, clause_params(f, c, form));
        if (form == PF_PAREN) {
            const Token *open = find_tok(f, c->span.off, c->span.off + 1, TK_LPAREN);
            const Token *close = open ? match_close(f, open) : NULL;
            after = close ? close->span.off + 1 : after;
        } else {
            Node *lp = c->clause.params.v[c->clause.params.n - 1];
            after = nend(lp->ann ? lp->ann : lp);
        }
    }
    if (c->clause.guard) {
        doc_vec_push(&v, S(f, " "));
        doc_vec_push(&v, kw_find(f, after, c->clause.guard->span.off, TK_WHEN, "when"));
        doc_vec_push(&v, S(f, " "));
        doc_vec_push(&v, expr(f, c->clause.guard));
        after = nend(c->clause.guard);
    }
    if (c->flags & NF_ARROW) {
        *was_do = false;
        if (form != PF_NONE || c->clause.guard) doc_vec_push(&v, S(f, " "));
        doc_vec_push(&v, kw_find(f, after, until, TK_ARROW, "->"));
        Doc *l = LINE(f);
        Doc *body = expr_top(f, c->clause.body);
        doc_vec_push(&v, doc_nest(a, DOC_CAT(a, l, body)));
        return doc_vec_finish(a, &v);
    }
    *was_do = true;
    if (form != PF_NONE || c->clause.guard) doc_vec_push(&v, S(f, " "));
    const Token *dt = find_tok(f, after, until, TK_DO);
    uint32_t do_off = dt ? dt->span.off : after;
    uint32_t end_off = block_end_off(f, c->clause.body, do_off + 2, until);
    doc_vec_push(&v, do_end(f, do_off, c->clause.body, NULL, end_off));
    bool flat_ok = simple_block(c->clause.body) && one_line(f, do_off, end_off);
    return doc_group(a, doc_vec_finish(a, &v), !flat_ok);
}

static Doc *closure_doc(F *f, Node *n) {
    DocArena *a = f->a;
    uint32_t end_off = nend(n) - 3;
    Doc *fn = kw_at(f, n->span.off, "fn");
    NodeList cl = n->closure.clauses;
    Node *c0 = cl.v[0];
    if (cl.n == 1 && c0->clause.params.n == 0 && c0->clause.body && c0->clause.body->kind == N_BLOCK &&
        f->src[c0->span.off] != '(') {
        if (c0->flags & NF_ARROW) {
            /* fn -> statements end */
            Doc *sp = S(f, " ");
            Doc *arrow = kw_at(f, c0->span.off, "->");
            Doc *l = LINE(f);
            Doc *body = block_entries(f, c0->clause.body, NULL, c0->span.off + 2, end_off);
            Doc *l2 = LINE(f);
            return doc_group(a, DOC_CAT(a, fn, sp, arrow, doc_nest(a, DOC_CAT(a, l, body)), l2,
                                        kw_at(f, end_off, "end")), false);
        }
        /* fn do statements end */
        Doc *sp = S(f, " ");
        Doc *d = do_end(f, c0->span.off, c0->clause.body, NULL, end_off);
        bool flat_ok = simple_block(c0->clause.body) && one_line(f, n->span.off, end_off);
        return doc_group(a, DOC_CAT(a, fn, sp, d), !flat_ok);
    }
    if (cl.n == 1 && !(c0->flags & NF_ARROW)) {
        /* fn x do statements end: the clause's `end` is the closure's */
        Doc *sp = params_form(f, c0, true) == PF_PAREN ? NULL : S(f, " ");
        bool was_do;
        Doc *c = clause_doc(f, c0, true, nend(n), &was_do);
        return DOC_CAT(a, fn, sp, c);
    }
    DocVec v = {0};
    doc_vec_push(&v, fn);
    bool was_do = false;
    for (uint32_t i = 0; i < cl.n; i++) {
        Node *c = cl.v[i];
        if (i) {
            doc_vec_push(&v, LINE(f));
            doc_vec_push(&v, kw_find(f, nend(cl.v[i - 1]), c->span.off + 1, TK_BAR, "|"));
            doc_vec_push(&v, S(f, " "));
        } else if (params_form(f, c, true) != PF_PAREN) {
            doc_vec_push(&v, S(f, " "));
        }
        uint32_t until = i + 1 < cl.n ? cl.v[i + 1]->span.off : end_off;
        Doc *cd = clause_doc(f, c, i == 0, until, &was_do);
        doc_vec_push(&v, cl.n > 1 ? doc_group(a, cd, false) : cd);
    }
    doc_vec_push(&v, LINE(f));
    doc_vec_push(&v, kw_at(f, end_off, "end"));
    return doc_group(a, doc_vec_finish(a, &v), false);
}

/* ---- expressions ------------------------------------------------------------------------ */

static Doc *keyword_call(F *f, Node *n, const char *kw) {
    Doc *k = kw_at(f, n->span.off, kw);
    const Token *open = find_tok(f, n->span.off, nend(n), TK_LPAREN);
    Doc *args = node_list(f, open, "(", ")", n->list.items, item_expr, C_HUG);
    return DOC_CAT(f->a, k, args);
}

static Doc *expr_inner(F *f, Node *n) {
    DocArena *a = f->a;
    switch ((NodeKind)n->kind) {
    case N_INT: case N_FLOAT: case N_BOOL: case N_UNIT: return lit_doc(f, n);
    case N_STRING: case N_INTERP: return verbatim(f, n->span.off, nend(n));
    case N_NAME: return name_doc(f, n->name.id);
    case N_SELF: return kw_at(f, n->span.off, "self");
    case N_SELFCALL: {
        Doc *s = kw_at(f, n->span.off, "self");
        const Token *o = find_tok(f, n->span.off, nend(n), TK_LPAREN);
        Doc *op = tok_doc(f, o, "(");
        return DOC_CAT(a, s, op, kw_at(f, nend(n) - 1, ")"));
    }
    case N_BREAK: return kw_at(f, n->span.off, "break");
    case N_CONTINUE: return kw_at(f, n->span.off, "continue");
    case N_TUPLE: {
        const Token *open = find_tok(f, n->span.off, n->span.off + 1, TK_LPAREN);
        return node_list(f, open, "(", ")", n->list.items, item_expr, C_TRAIL1);
    }
    case N_LIST: {
        const Token *open = find_tok(f, n->span.off, n->span.off + 1, TK_LBRACKET);
        return node_list(f, open, "[", "]", n->list.items, item_expr, C_FILL);
    }
    case N_MAPLIT: {
        Doc *pct = kw_at(f, n->span.off, "%");
        const Token *open = find_tok(f, n->span.off, nend(n), TK_LBRACE);
        const Token *close = open ? match_close(f, open) : NULL;
        uint32_t k = n->list.items.n / 2;
        Doc *body = bracketed(f, open, "{", close, "}", k, map_entry, n->list.items.v, 0, NULL);
        return DOC_CAT(a, pct, body);
    }
    case N_BINOP: return binop_chain(f, n, true);
    case N_UNOP: {
        Doc *op = kw_at(f, n->span.off, op_text(n->un.op));
        Doc *sp = n->un.op == TK_NOT ? S(f, " ") : NULL;
        return DOC_CAT(a, op, sp, expr(f, n->un.operand));
    }
    case N_CALL:
        if ((n->flags & NF_PIPED) && n->call.args.n > 0) return pipe_chain(f, n);
        {
            Doc *callee = expr(f, n->call.callee);
            return DOC_CAT(a, callee, call_args(f, n, 0));
        }
    case N_FIELDACC: {
        Doc *base = expr(f, n->field_acc.base);
        Doc *dot = kw_find(f, nend(n->field_acc.base), n->field_acc.name.span.off, TK_DOT, ".");
        return DOC_CAT(a, base, dot, name_doc(f, n->field_acc.name));
    }
    case N_INDEX: {
        Doc *base = expr(f, n->bin.lhs);
        const Token *open = find_tok(f, nend(n->bin.lhs), node_start(f, n->bin.rhs), TK_LBRACKET);
        Doc *o = tok_doc(f, open, "[");
        Doc *ix = expr(f, n->bin.rhs);
        return DOC_CAT(a, base, o, ix, kw_at(f, nend(n) - 1, "]"));
    }
    case N_TRY: {
        Doc *e = expr(f, n->un.operand);
        return DOC_CAT(a, e, kw_at(f, nend(n) - 1, "?"));
    }
    case N_STRUCTLIT: {
        Doc *ty = expr(f, n->slit.type);
        Doc *sp = S(f, " ");
        const Token *open = find_tok(f, nend(n->slit.type), nend(n), TK_LBRACE);
        const Token *close = open ? match_close(f, open) : NULL;
        Doc *body = bracketed(f, open, "{", close, "}", n->slit.fields.n, field_init, n->slit.fields.v, C_SPACES,
                              NULL);
        return DOC_CAT(a, ty, sp, body);
    }
    case N_IF: return if_doc(f, n);
    case N_CASE: return case_doc(f, n);
    case N_RECEIVE: return receive_doc(f, n);
    case N_WHILE: case N_FOR: return loop_doc(f, n);
    case N_CLOSURE: return closure_doc(f, n);
    case N_RETURN: {
        Doc *r = kw_at(f, n->span.off, "return");
        if (!n->un.operand) return r;
        return DOC_CAT(a, r, S(f, " "), expr(f, n->un.operand));
    }
    case N_SPAWN: return keyword_call(f, n, "spawn");
    case N_SEND: return keyword_call(f, n, "send");
    case N_LINK: return keyword_call(f, n, "link");
    default:
        if (n->kind >= P_WILD && n->kind <= P_AS) return pat_inner(f, n);
        return stmt(f, n);
    }
}

/* Nesting beyond what the thread's stack allows: one clean error (the file
 * is then not formatted), never an overflow. */
static bool too_deep(F *f, const Node *n) {
    if (!depth_exhausted()) return false;
    if (!f->too_deep) depth_error(n->span);
    f->too_deep = true;
    return true;
}

static Doc *expr(F *f, Node *n) {
    if (too_deep(f, n)) return NULL;
    if (!(n->flags & NF_PAREN)) return expr_inner(f, n);
    uint32_t s = node_start(f, n);
    const Token *lp = find_tok(f, s, s + 1, TK_LPAREN);
    Doc *o = tok_doc(f, lp, "(");
    Doc *d = expr_inner(f, n);
    const Token *rp = lp ? match_close(f, lp) : NULL;
    return DOC_CAT(f->a, o, d, tok_doc(f, rp, ")"));
}

static Doc *expr_top(F *f, Node *n) {
    if (n->kind == N_BINOP && !(n->flags & NF_PAREN)) return binop_chain(f, n, false);
    return expr(f, n);
}

/* ---- items -------------------------------------------------------------------------------- */

static Doc *pub_doc(F *f, Node *n) {
    if (!(n->flags & NF_PUB)) return NULL;
    const Token *t = prev_tok(f, n->span.off);
    Doc *p = (t && t->kind == TK_PUB) ? kw_at(f, t->span.off, "pub") : S(f, "pub");
    return DOC_CAT(f->a, p, S(f, " "));
}

/* `[pub ]KW NAME` (the head of a named definition); *after: the end of NAME. */
static Doc *named_head(F *f, Node *n, const char *kw, Name name, uint32_t *after) {
    Doc *p = pub_doc(f, n);
    Doc *k = kw_at(f, n->span.off, kw);
    Doc *sp = S(f, " ");
    *after = name.span.off + name.span.len;
    return DOC_CAT(f->a, p, k, sp, name_doc(f, name));
}


/* ` do`, the entries one per line, `end` (at end_off): the body of a
 * definition whose `do` is the first after `after`.  Frees es. */
static Doc *entries_body(F *f, Node *n, uint32_t after, Entry *es, uint32_t ne, bool items, uint32_t end_off) {
    DocArena *a = f->a;
    Doc *sp = S(f, " ");
    const Token *dt = find_tok(f, after, nend(n), TK_DO);
    Doc *d = tok_doc(f, dt, "do");
    Doc *l = LINE(f);
    Doc *body = entries(f, es, ne, items, end_off);
    free(es);
    Doc *l2 = LINE(f);
    return DOC_CAT(a, sp, d, doc_nest(a, DOC_CAT(a, l, body)), l2, kw_at(f, end_off, "end"));
}

static Doc *generics_doc(F *f, NodeList g, uint32_t from, uint32_t *after) {
    const Token *lt = find_tok(f, from, from + 2, TK_LT);
    if (!g.n) {
        if (lt) {
            const Token *gt = find_tok(f, lt->span.off, f->len + 1, TK_GT);
            if (gt) *after = gt->span.off + 1;
        }
        return NULL;
    }
    DocVec v = {0};
    doc_vec_push(&v, tok_doc(f, lt, "<"));
    for (uint32_t i = 0; i < g.n; i++) {
        if (i) doc_vec_push(&v, S(f, ", "));
        doc_vec_push(&v, name_doc(f, g.v[i]->name.id));
    }
    const Token *gt = find_tok(f, nend(g.v[g.n - 1]), f->len + 1, TK_GT);
    doc_vec_push(&v, tok_doc(f, gt, ">"));
    if (gt) *after = gt->span.off + 1;
    return doc_vec_finish(f->a, &v);
}

/* where T: Trait, U: Mod.Trait (the trait is printed from the source: the
 * tree keeps only its last segment) */
static Doc *where_doc(F *f, NodeList w, uint32_t from) {
    if (!w.n) return NULL;
    DocArena *a = f->a;
    DocVec v = {0};
    doc_vec_push(&v, S(f, " "));
    doc_vec_push(&v, kw_find(f, from, w.v[0]->span.off, TK_WHERE, "where"));
    doc_vec_push(&v, S(f, " "));
    for (uint32_t i = 0; i < w.n; i++) {
        Node *b = w.v[i];
        if (i) doc_vec_push(&v, S(f, ", "));
        doc_vec_push(&v, name_doc(f, b->bin.lhs->name.id));
        doc_vec_push(&v, kw_find(f, nend(b->bin.lhs), b->bin.rhs->span.off, TK_COLON, ":"));
        doc_vec_push(&v, S(f, " "));
        uint32_t s = b->bin.rhs->span.off, e = nend(b->bin.rhs);
        for (uint32_t i2 = tok_index(f, s); i2 < f->ntoks && f->toks[i2].span.off < e; i2++) {
            const Token *t = &f->toks[i2];
            if (t->kind == TK_IDENT) doc_vec_push(&v, verbatim(f, t->span.off, t->span.off + t->span.len));
            else if (t->kind == TK_DOT) doc_vec_push(&v, kw_at(f, t->span.off, "."));
        }
    }
    return doc_vec_finish(a, &v);
}

static Doc *fn_doc(F *f, Node *n) {
    DocArena *a = f->a;
    DocVec v = {0};
    doc_vec_push(&v, pub_doc(f, n));
    bool is_actor = n->kind == N_ACTOR;
    doc_vec_push(&v, kw_at(f, n->span.off, is_actor ? "actor" : (n->flags & NF_DEF) ? "def" : "fn"));
    doc_vec_push(&v, S(f, " "));
    doc_vec_push(&v, name_doc(f, n->fn.name));
    uint32_t after = n->fn.name.span.off + n->fn.name.span.len;
    if (!is_actor) doc_vec_push(&v, generics_doc(f, n->fn.generics, after, &after));
    if (!(n->flags & NF_NO_PARENS)) {
        const Token *open = find_tok(f, after, nend(n), TK_LPAREN);
        const Token *close = open ? match_close(f, open) : NULL;
        doc_vec_push(&v, bracketed(f, open, "(", close, ")", n->fn.params.n, item_param, n->fn.params.v, 0, NULL));
        if (close) after = close->span.off + 1;
    }
    if (n->fn.ret) {
        doc_vec_push(&v, S(f, " "));
        doc_vec_push(&v, kw_find(f, after, n->fn.ret->span.off, TK_ARROW, "->"));
        doc_vec_push(&v, S(f, " "));
        doc_vec_push(&v, type_doc(f, n->fn.ret));
        after = nend(n->fn.ret);
    }
    if (n->fn.where.n) {
        doc_vec_push(&v, where_doc(f, n->fn.where, after));
        after = nend(n->fn.where.v[n->fn.where.n - 1]);
    }
    if (n->fn.guard) {
        doc_vec_push(&v, S(f, " "));
        doc_vec_push(&v, kw_find(f, after, n->fn.guard->span.off, TK_WHEN, "when"));
        doc_vec_push(&v, S(f, " "));
        doc_vec_push(&v, expr(f, n->fn.guard));
        after = nend(n->fn.guard);
    }
    if (!n->fn.body) return doc_vec_finish(a, &v);
    if (n->flags & NF_EQ_BODY) {
        doc_vec_push(&v, S(f, " "));
        doc_vec_push(&v, kw_find(f, after, node_start(f, n->fn.body), TK_ASSIGN, "="));
        Doc *l = LINE(f);
        Doc *body = expr_top(f, n->fn.body);
        doc_vec_push(&v, doc_nest(a, DOC_CAT(a, l, body)));
        return doc_group(a, doc_vec_finish(a, &v), false);
    }
    doc_vec_push(&v, S(f, " "));
    const Token *dt = find_tok(f, after, nend(n), TK_DO);
    uint32_t do_off = dt ? dt->span.off : after;
    doc_vec_push(&v, do_end(f, do_off, n->fn.body, is_actor ? n->fn.terminate : NULL, nend(n) - 3));
    return doc_group(a, doc_vec_finish(a, &v), true);
}

static Doc *deriving_doc(F *f, Node *n, uint32_t end_off) {
    if (!n->tdef.has_deriving) return NULL;
    DocArena *a = f->a;
    const Token *t = NULL;
    for (uint32_t i = tok_index(f, end_off + 3); i < f->ntoks && f->toks[i].span.off < nend(n); i++)
        if (f->toks[i].kind == TK_IDENT) { t = &f->toks[i]; break; }
    Doc *sp = S(f, " ");
    Doc *d = tok_doc(f, t, "deriving");
    const Token *open = find_tok(f, t ? t->span.off : end_off, nend(n), TK_LPAREN);
    return DOC_CAT(a, sp, d, node_list(f, open, "(", ")", n->tdef.derives, item_expr, 0));
}

static Doc *tdef_doc(F *f, Node *n) {
    DocArena *a = f->a;
    uint32_t after;
    Doc *head = named_head(f, n, n->kind == N_STRUCT ? "struct" : "type", n->tdef.name, &after);
    Doc *g = generics_doc(f, n->tdef.generics, after, &after);
    if (n->kind == N_ALIAS) {
        Doc *sp = S(f, " ");
        Doc *eq = kw_find(f, after, n->tdef.alias_of->span.off, TK_ASSIGN, "=");
        Doc *sp2 = S(f, " ");
        return DOC_CAT(a, head, g, sp, eq, sp2, type_doc(f, n->tdef.alias_of));
    }
    /* the `end` after the last member (a deriving clause may follow) */
    uint32_t m_end = after;
    if (n->tdef.members.n) m_end = nend(n->tdef.members.v[n->tdef.members.n - 1]);
    const Token *et = find_tok(f, m_end, nend(n), TK_END);
    uint32_t end_off = et ? et->span.off : nend(n) - 3;
    Entry *es = NULL;
    uint32_t ne = 0, cap = 0;
    for (uint32_t i = 0; i < n->tdef.members.n; i++) {
        Node *m = n->tdef.members.v[i];
        push_entry(&es, &ne, &cap, (Entry){m->span.off, n->kind == N_STRUCT ? E_FIELD : E_VARIANT, m, 0});
    }
    Doc *body = entries_body(f, n, after, es, ne, false, end_off);
    return doc_group(a, DOC_CAT(a, head, g, body, deriving_doc(f, n, end_off)), true);
}

static Doc *vfield(F *f, void *ctx, uint32_t i) {
    Node *fl = ((Node **)ctx)[i];
    if (!fl->field.name.id) return type_doc(f, fl->field.type);
    Doc *nm = name_doc(f, fl->field.name);
    return DOC_CAT(f->a, nm, annotation(f, fl->field.name.span.off + fl->field.name.span.len, fl->field.type));
}

static Doc *interface_doc(F *f, Node *n) {
    uint32_t after;
    Doc *head = named_head(f, n, "interface", n->iface.name, &after);
    Doc *g = generics_doc(f, n->iface.generics, after, &after);
    Entry *es = NULL;
    uint32_t ne = 0, cap = 0;
    push_nodes(f, &es, &ne, &cap, n->iface.methods);
    Doc *body = entries_body(f, n, after, es, ne, true, nend(n) - 3);
    return doc_group(f->a, DOC_CAT(f->a, head, g, body), true);
}

static Doc *impl_doc(F *f, Node *n) {
    DocArena *a = f->a;
    DocVec v = {0};
    doc_vec_push(&v, kw_at(f, n->span.off, "impl"));
    doc_vec_push(&v, S(f, " "));
    doc_vec_push(&v, kw_at(f, n->impl.trait.span.off, n->impl.trait.id));
    uint32_t after = n->impl.trait.span.off + n->impl.trait.span.len;
    if (n->impl.trait_args.n) {
        doc_vec_push(&v, type_args(f, after, n->impl.trait_args));
        after = nend(n->impl.trait_args.v[n->impl.trait_args.n - 1]);
    }
    doc_vec_push(&v, S(f, " "));
    doc_vec_push(&v, kw_find(f, after, n->impl.for_type.span.off, TK_FOR, "for"));
    doc_vec_push(&v, S(f, " "));
    doc_vec_push(&v, kw_at(f, n->impl.for_type.span.off, n->impl.for_type.id));
    after = n->impl.for_type.span.off + n->impl.for_type.span.len;
    if (n->impl.where.n) {
        doc_vec_push(&v, where_doc(f, n->impl.where, after));
        after = nend(n->impl.where.v[n->impl.where.n - 1]);
    }
    Entry *es = NULL;
    uint32_t ne = 0, cap = 0;
    push_nodes(f, &es, &ne, &cap, n->impl.methods);
    doc_vec_push(&v, entries_body(f, n, after, es, ne, true, nend(n) - 3));
    return doc_group(a, doc_vec_finish(a, &v), true);
}

static Doc *module_doc(F *f, Node *n) {
    uint32_t after;
    Doc *head = named_head(f, n, "module", n->module_def.name, &after);
    Entry *es = NULL;
    uint32_t ne = 0, cap = 0;
    push_nodes(f, &es, &ne, &cap, n->module_def.body->list.items);
    Doc *body = entries_body(f, n, after, es, ne, true, nend(n) - 3);
    return doc_group(f->a, DOC_CAT(f->a, head, body), true);
}

static Doc *import_doc(F *f, Node *n) {
    DocArena *a = f->a;
    if (n->kind == N_IMPORT) {
        Doc *k = kw_at(f, n->span.off, "import");
        return DOC_CAT(a, k, S(f, " "), kw_at(f, n->import.path.span.off, n->import.path.id));
    }
    DocVec v = {0};
    doc_vec_push(&v, kw_at(f, n->span.off, "from"));
    doc_vec_push(&v, S(f, " "));
    doc_vec_push(&v, kw_at(f, n->import.path.span.off, n->import.path.id));
    doc_vec_push(&v, S(f, " "));
    doc_vec_push(&v, kw_find(f, n->import.path.span.off + n->import.path.span.len, nend(n), TK_IMPORT, "import"));
    doc_vec_push(&v, S(f, " "));
    for (uint32_t i = 0; i < n->import.names.n; i++) {
        if (i) doc_vec_push(&v, S(f, ", "));
        doc_vec_push(&v, name_doc(f, n->import.names.v[i]->name.id));
    }
    return doc_vec_finish(a, &v);
}

static Doc *handler_doc(F *f, Node *h) {
    DocArena *a = f->a;
    DocVec v = {0};
    doc_vec_push(&v, kw_at(f, h->span.off, h->handler.is_call ? "call" : "cast"));
    doc_vec_push(&v, S(f, " "));
    doc_vec_push(&v, name_doc(f, h->handler.name));
    uint32_t after = h->handler.name.span.off + h->handler.name.span.len;
    const Token *open = next_tok(f, after);
    if (open && open->kind == TK_LPAREN) {
        const Token *close = match_close(f, open);
        doc_vec_push(&v, bracketed(f, open, "(", close, ")", h->handler.params.n, item_param, h->handler.params.v, 0,
                                   NULL));
        if (close) after = close->span.off + 1;
    }
    if (h->handler.ret) {
        doc_vec_push(&v, annotation(f, after, h->handler.ret));
        after = nend(h->handler.ret);
    }
    doc_vec_push(&v, S(f, " "));
    const Token *dt = find_tok(f, after, nend(h), TK_DO);
    uint32_t do_off = dt ? dt->span.off : after;
    doc_vec_push(&v, kw_at(f, do_off, "do"));
    uint32_t from = do_off + 2;
    if (h->handler.state.id) {
        doc_vec_push(&v, S(f, " "));
        doc_vec_push(&v, kw_find(f, from, h->handler.state.span.off, TK_BAR, "|"));
        doc_vec_push(&v, name_doc(f, h->handler.state));
        from = h->handler.state.span.off + h->handler.state.span.len;
        const Token *bar = find_tok(f, from, nend(h), TK_BAR);
        doc_vec_push(&v, tok_doc(f, bar, "|"));
        if (bar) from = bar->span.off + 1;
    }
    uint32_t end_off = nend(h) - 3;
    Doc *l = LINE(f);
    Doc *body = block_entries(f, h->handler.body, NULL, from, end_off);
    doc_vec_push(&v, doc_nest(a, DOC_CAT(a, l, body)));
    doc_vec_push(&v, LINE(f));
    doc_vec_push(&v, kw_at(f, end_off, "end"));
    return doc_group(a, doc_vec_finish(a, &v), true);
}

static Doc *service_doc(F *f, Node *n) {
    uint32_t after;
    Doc *head = named_head(f, n, "service", n->service.name, &after);
    Entry *es = NULL;
    uint32_t ne = 0, cap = 0;
    if (n->service.init) push_entry(&es, &ne, &cap, (Entry){n->service.init->span.off, E_NODE, n->service.init, 0});
    push_nodes(f, &es, &ne, &cap, n->service.handlers);
    sort_entries(es, ne);
    Doc *body = entries_body(f, n, after, es, ne, true, nend(n) - 3);
    return doc_group(f->a, DOC_CAT(f->a, head, body), true);
}

/* The key token (`strategy`, `start`, ...) of a `key: value` entry whose
 * value starts at `val`. */
static uint32_t key_off(F *f, uint32_t val) {
    const Token *colon = prev_tok(f, val);
    if (!colon) return val;
    const Token *key = prev_tok(f, colon->span.off);
    return key ? key->span.off : val;
}

static Doc *key_value(F *f, uint32_t key, const char *kname, Doc *(*val)(F *, const Entry *), const Entry *e) {
    Doc *k = kw_at(f, key, kname);
    Doc *c = kw_find(f, key, key + (uint32_t)strlen(kname) + 64, TK_COLON, ":");
    Doc *sp = S(f, " ");
    return DOC_CAT(f->a, k, c, sp, val(f, e));
}

static Doc *val_node(F *f, const Entry *e) { return expr(f, e->n); }
static Doc *val_name(F *f, const Entry *e) { return name_doc(f, *(Name *)(void *)e->n); }
static Doc *val_brutal(F *f, const Entry *e) { return kw_at(f, e->aux, "brutal_kill"); }

static Doc *child_doc(F *f, Node *c) {
    uint32_t after;
    Doc *head = named_head(f, c, "child", c->child.name, &after);
    Entry *es = xmalloc(3 * sizeof *es);
    uint32_t ne = 0;
    if (c->child.start) es[ne++] = (Entry){key_off(f, node_start(f, c->child.start)), E_START, c->child.start, 0};
    if (c->child.restart.id)
        es[ne++] = (Entry){key_off(f, c->child.restart.span.off), E_RESTART, (Node *)(void *)&c->child.restart, 0};
    if (c->child.shutdown) {
        es[ne++] = (Entry){key_off(f, c->child.shutdown->span.off), E_SHUTDOWN, c->child.shutdown, 0};
    } else if (c->flags & NF_BRUTAL) {
        const Token *bk = NULL;
        for (uint32_t i = tok_index(f, after); i < f->ntoks && f->toks[i].span.off < nend(c); i++) {
            const Token *t = &f->toks[i];
            if (t->kind == TK_IDENT && t->span.len == 11 && memcmp(f->src + t->span.off, "brutal_kill", 11) == 0)
                bk = t;
        }
        if (bk) es[ne++] = (Entry){key_off(f, bk->span.off), E_BRUTAL, NULL, bk->span.off};
    }
    sort_entries(es, ne);
    Doc *body = entries_body(f, c, after, es, ne, false, nend(c) - 3);
    return doc_group(f->a, DOC_CAT(f->a, head, body), true);
}

static Doc *supervisor_doc(F *f, Node *n) {
    uint32_t after;
    Doc *head = named_head(f, n, "supervisor", n->sup.name, &after);
    Entry *es = NULL;
    uint32_t ne = 0, cap = 0;
    if (n->sup.strategy.id)
        push_entry(&es, &ne, &cap,
                   (Entry){key_off(f, n->sup.strategy.span.off), E_STRATEGY, (Node *)(void *)&n->sup.strategy, 0});
    if (n->sup.max_restarts)
        push_entry(&es, &ne, &cap, (Entry){key_off(f, n->sup.max_restarts->span.off), E_MAXR, n->sup.max_restarts, 0});
    if (n->sup.max_seconds)
        push_entry(&es, &ne, &cap, (Entry){key_off(f, n->sup.max_seconds->span.off), E_MAXS, n->sup.max_seconds, 0});
    push_nodes(f, &es, &ne, &cap, n->sup.children);
    sort_entries(es, ne);
    Doc *body = entries_body(f, n, after, es, ne, true, nend(n) - 3);
    return doc_group(f->a, DOC_CAT(f->a, head, body), true);
}

static Doc *let_pat(F *f, Node *p) {
    if (p->kind == P_AS) {
        Doc *in = let_pat(f, p->as_.pat);
        Doc *as = S(f, " as ");
        return DOC_CAT(f->a, in, as, name_doc(f, p->as_.name));
    }
    return pat(f, p, PP_OR);
}

static Doc *let_doc(F *f, Node *n) {
    DocArena *a = f->a;
    Doc *k = kw_at(f, n->span.off, "let");
    Doc *sp = S(f, " ");
    Doc *p = let_pat(f, n->let.pat);
    uint32_t after = nend(n->let.pat);
    Doc *ann = NULL;
    if (n->let.ann) {
        ann = annotation(f, after, n->let.ann);
        after = nend(n->let.ann);
    }
    Doc *sp2 = S(f, " ");
    Doc *eq = kw_find(f, after, node_start(f, n->let.value), TK_ASSIGN, "=");
    Doc *sp3 = S(f, " ");
    return DOC_CAT(a, k, sp, p, ann, sp2, eq, sp3, expr(f, n->let.value));
}

static Doc *stmt(F *f, Node *n) {
    switch ((NodeKind)n->kind) {
    case N_FN: case N_ACTOR: return fn_doc(f, n);
    case N_STRUCT: case N_SUMTYPE: case N_ALIAS: return tdef_doc(f, n);
    case N_INTERFACE: return interface_doc(f, n);
    case N_IMPL: return impl_doc(f, n);
    case N_MODULE: return module_doc(f, n);
    case N_IMPORT: case N_FROM_IMPORT: return import_doc(f, n);
    case N_SERVICE: return service_doc(f, n);
    case N_HANDLER: return handler_doc(f, n);
    case N_SUPERVISOR: return supervisor_doc(f, n);
    case N_CHILD: return child_doc(f, n);
    case N_LET: return let_doc(f, n);
    default: return expr(f, n);
    }
}

static Doc *entry_doc(F *f, const Entry *e) {
    DocArena *a = f->a;
    switch (e->kind) {
    case E_NODE: {
        /* the expression whose first token starts the statement */
        Node *l = e->n;
        for (;;) {
            if (l->flags & NF_PAREN) break;
            if (l->kind == N_BINOP || l->kind == N_INDEX) l = l->bin.lhs;
            else if (l->kind == N_CALL) l = (l->flags & NF_PIPED) && l->call.args.n ? l->call.args.v[0] : l->call.callee;
            else if (l->kind == N_FIELDACC) l = l->field_acc.base;
            else if (l->kind == N_TRY) l = l->un.operand;
            else if (l->kind == N_STRUCTLIT) l = l->slit.type;
            else break;
        }
        f->lead_closure = l->kind == N_CLOSURE && !(l->flags & NF_PAREN) ? l : NULL;
        return stmt(f, e->n);
    }
    case E_TERMINATE: {
        Doc *k = kw_at(f, e->off, "terminate");
        Doc *sp = S(f, " ");
        const Token *dt = find_tok(f, e->off, e->aux, TK_DO);
        uint32_t do_off = dt ? dt->span.off : e->off;
        uint32_t end_off = block_end_off(f, e->n, do_off + 2, e->aux);
        return doc_group(a, DOC_CAT(a, k, sp, do_end(f, do_off, e->n, NULL, end_off)), true);
    }
    case E_STRATEGY: return key_value(f, e->off, "strategy", val_name, e);
    case E_MAXR: return key_value(f, e->off, "max_restarts", val_node, e);
    case E_MAXS: return key_value(f, e->off, "max_seconds", val_node, e);
    case E_START: return key_value(f, e->off, "start", val_node, e);
    case E_RESTART: return key_value(f, e->off, "restart", val_name, e);
    case E_SHUTDOWN: return key_value(f, e->off, "shutdown", val_node, e);
    case E_BRUTAL: return key_value(f, e->off, "shutdown", val_brutal, e);
    case E_FIELD: {
        Node *m = e->n;
        Doc *nm = name_doc(f, m->field.name);
        if (!m->field.type) return nm;
        return DOC_CAT(a, nm, annotation(f, m->field.name.span.off + m->field.name.span.len, m->field.type));
    }
    case E_VARIANT: {
        Node *m = e->n;
        Doc *nm = name_doc(f, m->variant.name);
        const Token *open = next_tok(f, m->variant.name.span.off + m->variant.name.span.len);
        if (!open || open->kind != TK_LPAREN || open->span.off >= nend(m)) return nm;
        const Token *close = match_close(f, open);
        return DOC_CAT(a, nm, bracketed(f, open, "(", close, ")", m->variant.fields.n, vfield, m->variant.fields.v, 0,
                                        NULL));
    }
    default: return NULL;
    }
}

/* ---- entry points ---------------------------------------------------------------------------- */

typedef struct Parsed {
    TokenList toks;
    CommentList comments;
    Node *root;
    bool ok;
} Parsed;

static Parsed parse_src(uint32_t file) {
    Parsed p;
    memset(&p, 0, sizeof p);
    int before = diag_error_count();
    p.toks = lex_file_ex(file, &p.comments);
    int nerr = 0;
    p.root = parse_file(file, &p.toks, &nerr);
    p.ok = nerr == 0 && diag_error_count() == before;
    return p;
}

static void parsed_free(Parsed *p) {
    lex_free(&p->toks);
    lex_comments_free(&p->comments);
}

static double clock_ms(clockid_t c) {
    struct timespec ts;
    clock_gettime(c, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A moment, on the wall clock and on the thread's CPU clock. */
typedef struct Stamp {
    double wall, cpu;
} Stamp;

static Stamp stamp(void) { return (Stamp){clock_ms(CLOCK_MONOTONIC), clock_ms(CLOCK_THREAD_CPUTIME_ID)}; }

static char *format_parsed(uint32_t file, Parsed *p, const SnowFmtOpts *o, size_t *len, SnowFmtTimes *t) {
    SourceFile *sf = src_get(file);
    F f;
    memset(&f, 0, sizeof f);
    f.a = doc_arena_new();
    f.src = sf->text;
    f.len = (uint32_t)sf->len;
    f.toks = p->toks.toks;
    f.ntoks = p->toks.n;
    f.cm = p->comments.v;
    f.ncm = p->comments.n;
    Entry *es = NULL;
    uint32_t n = 0, cap = 0;
    push_nodes(&f, &es, &n, &cap, p->root->list.items);
    Stamp t0 = t ? stamp() : (Stamp){0, 0};
    Doc *d = entries(&f, es, n, true, f.len + 1);
    free(es);
    Doc *tail = P(&f, NULL);
    d = DOC_CAT(f.a, d, tail);
    Stamp t1 = t ? stamp() : (Stamp){0, 0};
    if (f.too_deep) {
        /* reported (depth_error); the file is left as it is */
        doc_arena_free(f.a);
        free(f.pend);
        return NULL;
    }
    char *out = d ? doc_render(d, o->width, o->indent, len) : doc_render(doc_str(f.a, ""), o->width, o->indent, len);
    out = blank_pass(&f, out, len);
    if (t) {
        Stamp t2 = stamp();
        t->layout_ms = t1.wall - t0.wall;
        t->layout_cpu_ms = t1.cpu - t0.cpu;
        t->render_ms = t2.wall - t1.wall;
        t->render_cpu_ms = t2.cpu - t1.cpu;
    }
    doc_arena_free(f.a);
    free(f.pend);
    return out;
}

char *snowfmt_file_timed(uint32_t file, const SnowFmtOpts *o, size_t *len, SnowFmtTimes *t) {
    Stamp t0 = t ? stamp() : (Stamp){0, 0};
    depth_reset();
    Parsed p = parse_src(file);
    if (t) {
        Stamp t1 = stamp();
        t->parse_ms = t1.wall - t0.wall;
        t->parse_cpu_ms = t1.cpu - t0.cpu;
    }
    char *out = p.ok ? format_parsed(file, &p, o, len, t) : NULL;
    parsed_free(&p);
    return out;
}

char *snowfmt_file(uint32_t file, const SnowFmtOpts *o, size_t *len) { return snowfmt_file_timed(file, o, len, NULL); }

static char *msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *msg(const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return xstrdup(buf);
}

static void comment_bytes(const char *src, const Comment *c, const char **s, uint32_t *n) {
    *s = src + c->span.off;
    *n = c->span.len;
    if (!c->block)
        while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t')) (*n)--;
}

static bool string_tok(TokKind k) {
    return k == TK_STRING || k == TK_ISTR_START || k == TK_ISTR_MID || k == TK_ISTR_END;
}

/* The string literals are spelled the same, byte for byte (escapes
 * included: the tree only holds their values). */
static char *same_strings(uint32_t fa, const Parsed *a, uint32_t fb, const Parsed *b) {
    const char *ta = src_get(fa)->text, *tb = src_get(fb)->text;
    uint32_t i = 0, j = 0;
    for (;;) {
        while (i < a->toks.n && !string_tok(a->toks.toks[i].kind)) i++;
        while (j < b->toks.n && !string_tok(b->toks.toks[j].kind)) j++;
        if (i == a->toks.n || j == b->toks.n) {
            if (i == a->toks.n && j == b->toks.n) return NULL;
            return msg("the output has %s string literals than the input", i == a->toks.n ? "more" : "fewer");
        }
        Span x = a->toks.toks[i].span, y = b->toks.toks[j].span;
        if (x.len != y.len || memcmp(ta + x.off, tb + y.off, x.len) != 0) {
            uint32_t l, c;
            src_linecol(fa, x.off, &l, &c);
            return msg("the string literal at input %u:%u is spelled differently", l, c);
        }
        i++;
        j++;
    }
}

char *snowfmt_verify(uint32_t file, const char *out, size_t len, const SnowFmtOpts *o) {
    SourceFile *sf = src_get(file);
    char path[600];
    snprintf(path, sizeof path, "%s (formatted)", sf->path);
    Parsed a = parse_src(file);
    uint32_t ofile = src_add(path, out, len);
    Parsed b = parse_src(ofile);
    char *err = NULL;
    const Node *wa = NULL, *wb = NULL;
    if (!a.ok) {
        err = msg("the input does not parse");
    } else if (!b.ok) {
        err = msg("the formatted text does not parse");
    } else if (!ast_eq_trees(a.root, b.root, &wa, &wb) && !wa && !wb) {
        err = msg("the syntax trees are nested too deeply to compare");
    } else if (wa || wb) {
        uint32_t la = 0, ca = 0, lb = 0, cb = 0;
        if (wa) src_linecol(file, wa->span.off, &la, &ca);
        if (wb) src_linecol(ofile, wb->span.off, &lb, &cb);
        err = msg("the syntax tree changed: input %u:%u (%s) vs output %u:%u (%s)", la, ca,
                  wa ? ast_kind_name((NodeKind)wa->kind) : "-", lb, cb, wb ? ast_kind_name((NodeKind)wb->kind) : "-");
    } else if (a.comments.n != b.comments.n) {
        err = msg("%u comments in the input, %u in the output", a.comments.n, b.comments.n);
    } else {
        for (uint32_t i = 0; i < a.comments.n && !err; i++) {
            const char *s1, *s2;
            uint32_t n1, n2;
            comment_bytes(sf->text, &a.comments.v[i], &s1, &n1);
            comment_bytes(src_get(ofile)->text, &b.comments.v[i], &s2, &n2);
            if (n1 != n2 || memcmp(s1, s2, n1) != 0) {
                uint32_t l, c;
                src_linecol(file, a.comments.v[i].span.off, &l, &c);
                err = msg("comment %u (input %u:%u) changed", i + 1, l, c);
            }
        }
    }
    if (!err) err = same_strings(file, &a, ofile, &b);
    if (!err) {
        size_t len2 = 0;
        char *again = format_parsed(ofile, &b, o, &len2, NULL);
        if (len2 != len || memcmp(again, out, len) != 0) {
            size_t i = 0;
            while (i < len && i < len2 && again[i] == out[i]) i++;
            uint32_t l, c;
            src_linecol(ofile, (uint32_t)i, &l, &c);
            err = msg("formatting is not idempotent: a second pass changes line %u", l);
        }
        free(again);
    }
    parsed_free(&a);
    parsed_free(&b);
    return err;
}
