/* fmt_doc.c — document construction and rendering (see fmt_doc.h).
 *
 * The renderer is the classic stack machine: commands (doc, indentation,
 * mode) are popped one at a time; a group is printed flat when `fits` says
 * its flat form, followed by the rest of the line (the remaining commands in
 * their own modes), stays within the width.  `fits` stops at the first line
 * break of a command in break mode, so it looks at most one line ahead and the
 * whole rendering is linear in the size of the document times the width. */
#include "fmt_doc.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

typedef enum {
    D_TEXT, D_LINE, D_SOFTLINE, D_HARDLINE, D_BLANKLINE, D_BREAK_PARENT, D_CONCAT, D_NEST, D_GROUP,
    D_CHOICE, D_SUFFIX, D_COMMENT_LINE, D_MARK, D_FILL,
    D_GAP, /* renderer-internal: a space, unless the line is still empty */
} DocKind;

enum { DF_HARD = 1, DF_BREAK = 2, DF_MULTI = 4, DF_BLANK = 8, DF_EOL = 16 };

struct Doc {
    uint8_t kind;
    uint8_t flags;   /* DF_* */
    uint32_t n;      /* text: byte length; concat/choice: element count; nest: 1 deeper, 0 shallower */
    uint32_t width;  /* text: code points of the first line (multi-line: of the last line in `last`) */
    uint32_t last;   /* multi-line text: code points of the last line */
    union {
        const char *s;
        Doc *kid;
        Doc **kids;
        size_t *slot;
    };
};

/* ---- arena ---------------------------------------------------------------- */

typedef struct Chunk {
    struct Chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
} Chunk;

struct DocArena {
    Chunk *chunks;
};

static void *arena_alloc(DocArena *a, size_t n) {
    n = (n + 15) & ~(size_t)15;
    Chunk *c = a->chunks;
    if (!c || c->used + n > c->cap) {
        size_t cap = n > (1u << 18) ? n : (1u << 18);
        c = xmalloc(sizeof(Chunk) + cap);
        c->next = a->chunks;
        c->used = 0;
        c->cap = cap;
        a->chunks = c;
    }
    void *p = c->data + c->used;
    c->used += n;
    return p;
}

DocArena *doc_arena_new(void) {
    DocArena *a = xcalloc(1, sizeof *a);
    return a;
}

void doc_arena_free(DocArena *a) {
    if (!a) return;
    while (a->chunks) {
        Chunk *c = a->chunks->next;
        free(a->chunks);
        a->chunks = c;
    }
    free(a);
}

static Doc *mk(DocArena *a, DocKind k) {
    Doc *d = arena_alloc(a, sizeof *d);
    memset(d, 0, sizeof *d);
    d->kind = (uint8_t)k;
    return d;
}

/* ---- construction ------------------------------------------------------------ */

Doc *doc_text(DocArena *a, const char *s, uint32_t len) {
    Doc *d = mk(a, D_TEXT);
    d->s = s;
    d->n = len;
    uint32_t w = 0;
    bool multi = false;
    for (uint32_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') {
            if (!multi) d->width = w;
            multi = true;
            w = 0;
            continue;
        }
        if ((c & 0xC0) != 0x80) w++;
    }
    if (multi) {
        d->flags |= DF_MULTI;
        d->last = w;
    } else {
        d->width = w;
    }
    return d;
}

Doc *doc_str(DocArena *a, const char *s) { return doc_text(a, s, (uint32_t)strlen(s)); }
Doc *doc_line(DocArena *a) { return mk(a, D_LINE); }
Doc *doc_softline(DocArena *a) { return mk(a, D_SOFTLINE); }

Doc *doc_hardline(DocArena *a) {
    Doc *d = mk(a, D_HARDLINE);
    d->flags = DF_HARD;
    return d;
}

Doc *doc_blankline(DocArena *a) {
    Doc *d = mk(a, D_BLANKLINE);
    d->flags = DF_HARD;
    return d;
}

Doc *doc_break_parent(DocArena *a) {
    Doc *d = mk(a, D_BREAK_PARENT);
    d->flags = DF_HARD;
    return d;
}

Doc *doc_concat(DocArena *a, Doc *const *v, uint32_t n) {
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) if (v[i]) k++;
    if (k == 0) return NULL;
    if (k == 1)
        for (uint32_t i = 0; i < n; i++) if (v[i]) return v[i];
    Doc *d = mk(a, D_CONCAT);
    d->kids = arena_alloc(a, k * sizeof(Doc *));
    d->n = k;
    k = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!v[i]) continue;
        d->kids[k++] = v[i];
        d->flags |= v[i]->flags & DF_HARD;
    }
    return d;
}

static Doc *nest_by(DocArena *a, Doc *kid, uint32_t dir) {
    if (!kid) return NULL;
    Doc *d = mk(a, D_NEST);
    d->kid = kid;
    d->n = dir;
    d->flags = kid->flags & DF_HARD;
    return d;
}

Doc *doc_nest(DocArena *a, Doc *kid) { return nest_by(a, kid, 1); }
Doc *doc_dedent(DocArena *a, Doc *kid) { return nest_by(a, kid, 0); }

Doc *doc_group(DocArena *a, Doc *kid, bool force_break) {
    if (!kid) return NULL;
    Doc *d = mk(a, D_GROUP);
    d->kid = kid;
    d->flags = kid->flags & DF_HARD;
    if (force_break) d->flags |= DF_HARD;
    if (d->flags & DF_HARD) d->flags |= DF_BREAK;
    return d;
}

Doc *doc_choice(DocArena *a, Doc *const *states, uint32_t n) {
    Doc *d = mk(a, D_CHOICE);
    d->kids = arena_alloc(a, n * sizeof(Doc *));
    memcpy(d->kids, states, n * sizeof(Doc *));
    d->n = n;
    return d; /* shields: not hard even when a state is */
}

Doc *doc_fill(DocArena *a, Doc *const *parts, uint32_t n) {
    Doc *d = mk(a, D_FILL);
    d->kids = arena_alloc(a, n * sizeof(Doc *));
    memcpy(d->kids, parts, n * sizeof(Doc *));
    d->n = n;
    for (uint32_t i = 0; i < n; i++) d->flags |= parts[i]->flags & DF_HARD;
    return d;
}

Doc *doc_line_suffix(DocArena *a, Doc *kid, bool ends_line) {
    Doc *d = mk(a, D_SUFFIX);
    d->kid = kid;
    if (ends_line) d->flags = DF_EOL;
    return d;
}

Doc *doc_comment_line(DocArena *a, const char *s, uint32_t len, bool blank_before) {
    Doc *d = mk(a, D_COMMENT_LINE);
    d->kid = doc_text(a, s, len);
    d->flags = DF_HARD | (blank_before ? DF_BLANK : 0);
    return d;
}

Doc *doc_mark(DocArena *a, size_t *slot) {
    Doc *d = mk(a, D_MARK);
    d->slot = slot;
    return d;
}

void *doc_alloc(DocArena *a, size_t n) {
    void *p = arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

void doc_vec_push(DocVec *dv, Doc *d) {
    if (!d) return;
    if (dv->n == dv->cap) {
        dv->cap = dv->cap ? dv->cap * 2 : 16;
        dv->v = xrealloc(dv->v, dv->cap * sizeof *dv->v);
    }
    dv->v[dv->n++] = d;
}

Doc *doc_vec_finish(DocArena *a, DocVec *dv) {
    Doc *d = doc_concat(a, dv->v, dv->n);
    free(dv->v);
    dv->v = NULL;
    dv->n = dv->cap = 0;
    return d;
}

bool doc_is_hard(const Doc *d) { return d && (d->flags & DF_HARD); }

/* ---- rendering ---------------------------------------------------------------- */

enum { M_FLAT, M_BREAK };

typedef struct Cmd {
    const Doc *d;
    int32_t ind;  /* indentation in spaces */
    int32_t mode;
    uint32_t idx; /* fill: the first part still to print */
} Cmd;

typedef struct CmdStack {
    Cmd *v;
    uint32_t n, cap;
} CmdStack;

static inline void cpush_at(CmdStack *s, const Doc *d, int32_t ind, int32_t mode, uint32_t idx) {
    if (!d) return;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->v = xrealloc(s->v, s->cap * sizeof *s->v);
    }
    s->v[s->n++] = (Cmd){d, ind, mode, idx};
}

static inline void cpush(CmdStack *s, const Doc *d, int32_t ind, int32_t mode) { cpush_at(s, d, ind, mode, 0); }

typedef struct Out {
    char *buf;
    size_t len, cap;
    int32_t col;        /* column (code points) where the next text starts */
    bool at_line_start; /* the current line has no text yet */
    int32_t pend_ind;   /* indentation of the current (empty) line */
    int nl_run;         /* newlines at the end of the output (2 at the start: no leading blank lines) */
    int width, unit;
    CmdStack fits_stack;
} Out;

static void out_put(Out *o, const char *s, size_t n) {
    if (o->len + n + 1 > o->cap) {
        while (o->len + n + 1 > o->cap) o->cap = o->cap ? o->cap * 2 : 4096;
        o->buf = xrealloc(o->buf, o->cap);
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void out_spaces(Out *o, int32_t n) {
    static const char sp[] = "                                ";
    while (n > 0) {
        int32_t k = n > 32 ? 32 : n;
        out_put(o, sp, (size_t)k);
        n -= k;
    }
}

static void out_text(Out *o, const Doc *d) {
    if (d->n == 0) return;
    if (o->at_line_start) {
        out_spaces(o, o->pend_ind);
        o->at_line_start = false;
    }
    out_put(o, d->s, d->n);
    o->nl_run = 0;
    if (d->flags & DF_MULTI) o->col = (int32_t)d->last;
    else o->col += (int32_t)d->width;
}

/* A line break; on an empty line it only changes the indentation (empty
 * lines come from blanklines only). */
static void out_newline(Out *o, int32_t ind) {
    if (!o->at_line_start) {
        while (o->len > 0 && o->buf[o->len - 1] == ' ') o->len--;
        out_put(o, "\n", 1);
        o->nl_run = 1;
    }
    o->at_line_start = true;
    o->pend_ind = ind;
    o->col = ind;
}

static void out_blank(Out *o, int32_t ind) {
    if (o->len == 0) return; /* never at the start */
    if (!o->at_line_start) out_newline(o, ind);
    if (o->nl_run < 2) {
        out_put(o, "\n", 1);
        o->nl_run = 2;
    }
    o->pend_ind = ind;
    o->col = ind;
}

/* Does `next`, followed by the rest of the line (the pending commands in
 * rest[0..nrest) from the top), fit in `rem` columns? */
static bool fits(Out *o, Cmd next, const Cmd *rest, uint32_t nrest, int32_t rem, bool must_be_flat) {
    CmdStack *s = &o->fits_stack;
    s->n = 0;
    cpush(s, next.d, next.ind, next.mode);
    uint32_t ri = nrest;
    while (rem >= 0) {
        if (s->n == 0) {
            if (ri == 0) return true;
            Cmd c = rest[--ri];
            cpush_at(s, c.d, c.ind, c.mode, c.idx);
            continue;
        }
        Cmd c = s->v[--s->n];
        const Doc *d = c.d;
        switch ((DocKind)d->kind) {
        case D_TEXT:
            rem -= (int32_t)d->width;
            if (d->flags & DF_MULTI) return rem >= 0;
            break;
        case D_CONCAT:
            for (uint32_t i = d->n; i > 0; i--) cpush(s, d->kids[i - 1], c.ind, c.mode);
            break;
        case D_FILL:
            for (uint32_t i = d->n; i > c.idx; i--) cpush(s, d->kids[i - 1], c.ind, c.mode);
            break;
        case D_NEST: cpush(s, d->kid, c.ind, c.mode); break;
        case D_GROUP:
            if (must_be_flat && (d->flags & DF_BREAK)) return false;
            cpush(s, d->kid, c.ind, (d->flags & DF_BREAK) ? M_BREAK : c.mode);
            break;
        case D_CHOICE: cpush(s, c.mode == M_BREAK ? d->kids[d->n - 1] : d->kids[0], c.ind, c.mode); break;
        case D_LINE:
            if (c.mode == M_BREAK) return true;
            rem -= 1;
            break;
        case D_SOFTLINE:
            if (c.mode == M_BREAK) return true;
            break;
        case D_HARDLINE: case D_BLANKLINE: case D_COMMENT_LINE: return true;
        case D_SUFFIX: case D_BREAK_PARENT: case D_MARK: case D_GAP: break;
        }
    }
    return false;
}

/* The pending end-of-line suffixes, in order, onto the command stack; a `#`
 * comment ends its line, so the next suffix goes on a line of its own (two
 * `#` comments on one line would read as one), indented like the line that
 * follows (`ind`: where the next pass, which sees it as an own-line comment
 * before that line's code, puts it). */
static void flush_suffixes(CmdStack *st, CmdStack *suffix, int32_t ind) {
    static const Doc newline = {.kind = D_HARDLINE, .flags = DF_HARD};
    static const Doc gap = {.kind = D_GAP};
    for (uint32_t k = suffix->n; k > 0; k--) {
        Cmd s = suffix->v[k - 1];
        cpush(st, s.d->kid, s.ind, s.mode);
        cpush(st, &gap, s.ind, s.mode);
        if (k >= 2 && (suffix->v[k - 2].d->flags & DF_EOL)) cpush(st, &newline, ind, M_BREAK);
    }
    suffix->n = 0;
}

char *doc_render(const Doc *root, int width, int indent, size_t *len_out) {
    Out o;
    memset(&o, 0, sizeof o);
    o.at_line_start = true;
    o.nl_run = 2;
    o.width = width;
    o.unit = indent;
    CmdStack st = {0}, suffix = {0};
    cpush(&st, root, 0, M_BREAK);
    while (st.n > 0) {
        Cmd c = st.v[--st.n];
        const Doc *d = c.d;
        switch ((DocKind)d->kind) {
        case D_TEXT: out_text(&o, d); break;
        case D_CONCAT:
            for (uint32_t i = d->n; i > 0; i--) cpush(&st, d->kids[i - 1], c.ind, c.mode);
            break;
        case D_NEST: cpush(&st, d->kid, d->n ? c.ind + o.unit : c.ind - o.unit, c.mode); break;
        case D_GROUP:
            if (d->flags & DF_BREAK) {
                cpush(&st, d->kid, c.ind, M_BREAK);
            } else if (c.mode == M_FLAT) {
                cpush(&st, d->kid, c.ind, M_FLAT);
            } else {
                Cmd next = {d->kid, c.ind, M_FLAT, 0};
                bool ok = fits(&o, next, st.v, st.n, o.width - o.col, false);
                cpush(&st, d->kid, c.ind, ok ? M_FLAT : M_BREAK);
            }
            break;
        case D_CHOICE:
            if (c.mode == M_FLAT) {
                cpush(&st, d->kids[0], c.ind, M_FLAT);
                break;
            }
            for (uint32_t i = 0; i < d->n; i++) {
                if (i == d->n - 1) { cpush(&st, d->kids[i], c.ind, M_BREAK); break; }
                Cmd next = {d->kids[i], c.ind, M_FLAT, 0};
                if (fits(&o, next, st.v, st.n, o.width - o.col, false)) {
                    cpush(&st, d->kids[i], c.ind, M_FLAT);
                    break;
                }
            }
            break;
        case D_LINE: case D_SOFTLINE: case D_HARDLINE: case D_BLANKLINE: case D_COMMENT_LINE: {
            bool newline = d->kind == D_HARDLINE || d->kind == D_BLANKLINE || c.mode == M_BREAK ||
                           (d->kind == D_COMMENT_LINE && !o.at_line_start);
            if (d->kind == D_LINE && !newline) {
                if (!o.at_line_start) { out_put(&o, " ", 1); o.col++; o.nl_run = 0; }
                break;
            }
            if (d->kind == D_SOFTLINE && !newline) break;
            if (newline && suffix.n > 0) {
                /* end-of-line comments go before the line break */
                cpush(&st, d, c.ind, c.mode);
                flush_suffixes(&st, &suffix, c.ind);
                break;
            }
            if (d->kind == D_COMMENT_LINE) {
                if (!o.at_line_start) out_newline(&o, c.ind);
                if (d->flags & DF_BLANK) out_blank(&o, c.ind);
                o.pend_ind = c.ind;
                o.col = c.ind;
                out_text(&o, d->kid);
                out_newline(&o, c.ind);
            } else if (d->kind == D_BLANKLINE) {
                out_blank(&o, c.ind);
            } else {
                out_newline(&o, c.ind);
            }
            break;
        }
        case D_SUFFIX: cpush(&suffix, d, c.ind, c.mode); break;
        case D_BREAK_PARENT: break;
        case D_MARK: *d->slot = o.len; break;
        case D_GAP:
            if (!o.at_line_start) { out_put(&o, " ", 1); o.col++; o.nl_run = 0; }
            break;
        case D_FILL: {
            /* Prettier's fill: a separator stays flat when the next content fits */
            uint32_t i = c.idx;
            if (i >= d->n) break;
            int32_t rem = o.width - o.col;
            const Doc *content = d->kids[i];
            bool cfits = fits(&o, (Cmd){content, c.ind, M_FLAT, 0}, NULL, 0, rem, true);
            if (i + 1 >= d->n) {
                cpush(&st, content, c.ind, cfits ? M_FLAT : M_BREAK);
                break;
            }
            const Doc *ws = d->kids[i + 1];
            if (i + 2 >= d->n) {
                cpush(&st, ws, c.ind, cfits ? M_FLAT : M_BREAK);
                cpush(&st, content, c.ind, cfits ? M_FLAT : M_BREAK);
                break;
            }
            Doc *pair[3] = {(Doc *)content, (Doc *)ws, d->kids[i + 2]};
            Doc both = {.kind = D_CONCAT, .n = 3, .kids = pair};
            bool bfits = fits(&o, (Cmd){&both, c.ind, M_FLAT, 0}, NULL, 0, rem, true);
            cpush_at(&st, d, c.ind, c.mode, i + 2);
            cpush(&st, ws, c.ind, bfits ? M_FLAT : M_BREAK);
            cpush(&st, content, c.ind, cfits ? M_FLAT : M_BREAK);
            break;
        }
        }
        if (st.n == 0 && suffix.n > 0) flush_suffixes(&st, &suffix, 0); /* at the very end */
    }
    /* exactly one final newline (none for an empty document) */
    while (o.len > 0 && (o.buf[o.len - 1] == '\n' || o.buf[o.len - 1] == ' ')) o.len--;
    if (o.len > 0) out_put(&o, "\n", 1);
    if (!o.buf) out_put(&o, "", 0);
    o.buf[o.len] = 0;
    free(st.v);
    free(suffix.v);
    free(o.fits_stack.v);
    *len_out = o.len;
    return o.buf;
}
