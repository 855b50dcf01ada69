/* lex.c — the Snow lexer (see lex.h). */
#include "lex.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "diag.h"
#include "sb.h"
#include "xalloc.h"

static const char *const kw_text[] = {
    "actor", "after", "alias", "and", "break", "call", "case", "cast", "cond",
    "continue", "def", "do", "else", "end", "false", "fn", "for", "if", "impl",
    "import", "in", "interface", "let", "link", "match", "module", "monitor",
    "nil", "not", "or", "pub", "receive", "return", "self", "send", "service",
    "spawn", "struct", "supervisor", "terminate", "trait", "trap", "true",
    "type", "when", "where", "while", "with",
};

bool tok_is_keyword(TokKind k) { return k >= TK_KW_FIRST && k <= TK_KW_LAST; }

/* s[0..n) against a keyword, in the table's order (a prefix sorts first);
 * inline because most comparisons end at the first character. */
static inline int kw_cmp(const char *s, uint32_t n, const char *kw) {
    for (uint32_t i = 0; i < n; i++) {
        int d = (unsigned char)s[i] - (unsigned char)kw[i];
        if (d) return d;
    }
    return kw[n] ? -1 : 0;
}

TokKind lex_keyword(const char *s, uint32_t n) {
    if (n < 2 || n > 10 || s[0] < 'a' || s[0] > 'w') return TK_IDENT; /* keywords: 2..10 letters, a..w */
    int lo = 0, hi = (int)(sizeof kw_text / sizeof *kw_text) - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        int c = kw_cmp(s, n, kw_text[mid]);
        if (c == 0) return (TokKind)(TK_KW_FIRST + mid);
        if (c < 0) hi = mid - 1; else lo = mid + 1;
    }
    return TK_IDENT;
}

const char *tok_name(TokKind k) {
    static char buf[32];
    switch (k) {
    case TK_EOF: return "EOF";
    case TK_ERROR: return "ERROR";
    case TK_NEWLINE: return "NEWLINE";
    case TK_IDENT: return "IDENT";
    case TK_INT: return "INT";
    case TK_FLOAT: return "FLOAT";
    case TK_STRING: return "STRING";
    case TK_ISTR_START: return "STRING_START";
    case TK_ISTR_MID: return "STRING_MID";
    case TK_ISTR_END: return "STRING_END";
    case TK_PLUS: return "PLUS";
    case TK_PLUSPLUS: return "PLUS_PLUS";
    case TK_MINUS: return "MINUS";
    case TK_ARROW: return "ARROW";
    case TK_STAR: return "STAR";
    case TK_SLASH: return "SLASH";
    case TK_PERCENT: return "PERCENT";
    case TK_EQEQ: return "EQ_EQ";
    case TK_NEQ: return "NOT_EQ";
    case TK_BANG: return "BANG";
    case TK_LT: return "LT";
    case TK_LE: return "LT_EQ";
    case TK_DIAMOND: return "DIAMOND";
    case TK_GT: return "GT";
    case TK_GE: return "GT_EQ";
    case TK_ANDAND: return "AMP_AMP";
    case TK_OROR: return "PIPE_PIPE";
    case TK_PIPE: return "PIPE";
    case TK_BAR: return "BAR";
    case TK_ASSIGN: return "EQ";
    case TK_FATARROW: return "FAT_ARROW";
    case TK_COLONCOLON: return "COLON_COLON";
    case TK_COLON: return "COLON";
    case TK_DOTDOT: return "DOT_DOT";
    case TK_DOT: return "DOT";
    case TK_QUESTION: return "QUESTION";
    case TK_LPAREN: return "L_PAREN";
    case TK_RPAREN: return "R_PAREN";
    case TK_LBRACKET: return "L_BRACKET";
    case TK_RBRACKET: return "R_BRACKET";
    case TK_LBRACE: return "L_BRACE";
    case TK_RBRACE: return "R_BRACE";
    case TK_COMMA: return "COMMA";
    case TK_SEMI: return "SEMICOLON";
    default:
        if (tok_is_keyword(k)) {
            const char *t = kw_text[k - TK_KW_FIRST];
            size_t i = 0;
            for (; t[i] && i < 20; i++) buf[i] = (char)(t[i] - 'a' + 'A');
            strcpy(buf + i, "_KW");
            return buf;
        }
        return "?";
    }
}

const char *tok_text(TokKind k) {
    switch (k) {
    case TK_PLUS: return "+";
    case TK_PLUSPLUS: return "++";
    case TK_MINUS: return "-";
    case TK_ARROW: return "->";
    case TK_STAR: return "*";
    case TK_SLASH: return "/";
    case TK_PERCENT: return "%";
    case TK_EQEQ: return "==";
    case TK_NEQ: return "!=";
    case TK_BANG: return "!";
    case TK_LT: return "<";
    case TK_LE: return "<=";
    case TK_DIAMOND: return "<>";
    case TK_GT: return ">";
    case TK_GE: return ">=";
    case TK_ANDAND: return "&&";
    case TK_OROR: return "||";
    case TK_PIPE: return "|>";
    case TK_BAR: return "|";
    case TK_ASSIGN: return "=";
    case TK_FATARROW: return "=>";
    case TK_COLONCOLON: return "::";
    case TK_COLON: return ":";
    case TK_DOTDOT: return "..";
    case TK_DOT: return ".";
    case TK_QUESTION: return "?";
    case TK_LPAREN: return "(";
    case TK_RPAREN: return ")";
    case TK_LBRACKET: return "[";
    case TK_RBRACKET: return "]";
    case TK_LBRACE: return "{";
    case TK_RBRACE: return "}";
    case TK_COMMA: return ",";
    case TK_SEMI: return ";";
    default: return tok_is_keyword(k) ? kw_text[k - TK_KW_FIRST] : "?";
    }
}

const char *tok_display(TokKind k) {
    static char buf[40];
    switch (k) {
    case TK_EOF: return "end of file";
    case TK_ERROR: return "invalid token";
    case TK_NEWLINE: return "end of line";
    case TK_IDENT: return "identifier";
    case TK_INT: return "integer literal";
    case TK_FLOAT: return "float literal";
    case TK_STRING: case TK_ISTR_START: return "string literal";
    case TK_ISTR_MID: case TK_ISTR_END: return "end of interpolation";
    default: break;
    }
    snprintf(buf, sizeof buf, "`%s`", tok_text(k));
    return buf;
}

/* ---- lexer state ---------------------------------------------------------- */

typedef struct Interp {
    bool triple;  /* the enclosing string is """...""" */
    int depth;    /* unmatched '{' inside this ${...} */
} Interp;

typedef struct Lexer {
    uint32_t file;
    const char *src;
    uint32_t len, pos;
    TokenList out;
    bool nl_pending;
    Interp stack[256];
    int sp;
    bool failed; /* stop after a fatal lexical error (unterminated literal) */
    int errors0; /* diag_error_count() when this file started */
    bool too_big; /* LEX_MAX_TOKENS reached: the tokens are dropped */
    Token sink;   /* returned by push() past the limit */
    SB buf;      /* contents of the string literal being lexed */
    CommentList *comments; /* record comments here (NULL: skip them) */
} Lexer;

static Span mkspan(Lexer *L, uint32_t start, uint32_t end) {
    Span s = {L->file, start, end - start};
    return s;
}

static bool has_str(TokKind k) {
    return k == TK_STRING || k == TK_ISTR_START || k == TK_ISTR_MID || k == TK_ISTR_END;
}

static void sink_clear(Lexer *L) {
    if (has_str(L->sink.kind)) free(L->sink.str.s);
    memset(&L->sink, 0, sizeof L->sink);
}

static Token *push(Lexer *L, TokKind k, uint32_t start, uint32_t end) {
    if (k == TK_NEWLINE) {
        if (L->out.n == 0 || L->out.toks[L->out.n - 1].kind == TK_NEWLINE) {
            L->nl_pending = true;
            return NULL;
        }
    }
    if (L->out.n >= LEX_MAX_TOKENS && k != TK_EOF) {
        if (!L->too_big) {
            Diag *d = diag_new(DIAG_ERROR, NULL, mkspan(L, start, end), "source file too large: more than %u tokens",
                               LEX_MAX_TOKENS);
            diag_primary(d, "the limit is reached here");
            diag_help(d, "split the program into modules (one file each)");
            diag_emit(d);
        }
        L->too_big = L->failed = true;
        sink_clear(L); /* callers fill in the token they asked for */
        L->sink.kind = k;
        return &L->sink;
    }
    if (L->out.n == L->out.cap) {
        L->out.cap = L->out.cap ? L->out.cap * 2 : 256;
        L->out.toks = xrealloc(L->out.toks, L->out.cap * sizeof(Token));
    }
    Token *t = &L->out.toks[L->out.n++];
    memset(t, 0, sizeof *t);
    t->kind = k;
    t->span = mkspan(L, start, end);
    t->nl_before = L->nl_pending;
    L->nl_pending = (k == TK_NEWLINE);
    return t;
}

static void buf_put(Lexer *L, const char *p, uint32_t n) { sb_put(&L->buf, p, n); }

static void put_utf8(Lexer *L, uint32_t cp) {
    char b[4];
    uint32_t n;
    if (cp < 0x80) { b[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { b[0] = (char)(0xC0 | (cp >> 6)); b[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12)); b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        b[0] = (char)(0xF0 | (cp >> 18)); b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); b[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    buf_put(L, b, n);
}

static char *buf_take(Lexer *L, uint32_t *n) {
    *n = (uint32_t)L->buf.len;
    return sb_detach(&L->buf);
}

static inline int peekc(Lexer *L, uint32_t ahead) {
    uint32_t p = L->pos + ahead;
    return p < L->len ? (unsigned char)L->src[p] : -1;
}

static inline bool is_ident_start(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}
static inline bool is_ident_char(int c) { return is_ident_start(c) || (c >= '0' && c <= '9'); }

/* A file full of bad characters (a binary file, a flood of NULs) stops
 * after LEX_MAX_ERRORS errors instead of queueing one per byte. */
#define LEX_MAX_ERRORS 100
static bool too_many_errors(Lexer *L) {
    if (diag_error_count() - L->errors0 < LEX_MAX_ERRORS) return false;
    L->failed = true;
    return true;
}

/* Language.md §2.1: source files are UTF-8.  Every invalid sequence (in
 * code, strings or comments alike) is an error at its bytes; the file is
 * then not lexed at all, so no later message can quote bytes that are not
 * UTF-8 (they would end up in JSON diagnostics and event logs). */
static bool check_utf8(Lexer *L) {
    const unsigned char *s = (const unsigned char *)L->src;
    uint32_t i = L->pos, n = L->len;
    int bad = 0;
    while (i < n) {
        if (n - i >= 8) { /* ASCII fast path */
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080ULL)) { i += 8; continue; }
        }
        if (s[i] < 0x80) { i++; continue; }
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate(s + i, (utf8proc_ssize_t)(n - i), &cp);
        if (len > 0) { i += (uint32_t)len; continue; }
        uint32_t end = i + 1; /* the bad byte and the continuation bytes after it */
        while (end < n && end - i < 4 && (s[end] & 0xC0) == 0x80) end++;
        Diag *d = diag_new(DIAG_ERROR, NULL, mkspan(L, i, end), "invalid UTF-8 in source (byte 0x%02X)", s[i]);
        diag_primary(d, "not a UTF-8 character");
        diag_help(d, "Snow source files must be UTF-8; save the file as UTF-8 (write other bytes with `\\u{...}` escapes)");
        diag_emit(d);
        if (++bad == 20) break; /* enough to see the pattern */
        i = end;
    }
    return bad == 0;
}

/* Lex one string segment starting at L->pos (just after the opening quote or
 * after the '}' that closed an interpolation).  `resumed` tells whether this
 * continues an interpolated string. */
static void lex_string_segment(Lexer *L, bool triple, bool resumed, uint32_t tok_start) {
    L->buf.len = 0;
    for (;;) {
        int c = peekc(L, 0);
        if (c < 0) {
            Diag *d = diag_new(DIAG_ERROR, NULL, mkspan(L, tok_start, tok_start + (triple ? 3 : 1)),
                               "unterminated string");
            diag_primary(d, "this string is never closed");
            diag_help(d, "add the closing %s", triple ? "`\"\"\"`" : "`\"`");
            diag_emit(d);
            push(L, TK_ERROR, tok_start, L->len);
            L->failed = true;
            return;
        }
        if (c == '"' && (!triple || (peekc(L, 1) == '"' && peekc(L, 2) == '"'))) {
            L->pos += triple ? 3 : 1;
            Token *t = push(L, resumed ? TK_ISTR_END : TK_STRING, tok_start, L->pos);
            t->str.s = buf_take(L, &t->str.n);
            return;
        }
        if (c == '$' && peekc(L, 1) == '{') {
            L->pos += 2;
            Token *t = push(L, resumed ? TK_ISTR_MID : TK_ISTR_START, tok_start, L->pos);
            t->str.s = buf_take(L, &t->str.n);
            if (L->sp == (int)(sizeof L->stack / sizeof *L->stack)) {
                diag_error(mkspan(L, L->pos - 2, L->pos), NULL, "string interpolation nested too deeply");
                L->failed = true;
                return;
            }
            L->stack[L->sp].triple = triple;
            L->stack[L->sp].depth = 0;
            L->sp++;
            return;
        }
        if (c == '\\') {
            uint32_t esc = L->pos;
            int e = peekc(L, 1);
            L->pos += 2;
            switch (e) {
            case 'n': buf_put(L, "\n", 1); break;
            case 't': buf_put(L, "\t", 1); break;
            case 'r': buf_put(L, "\r", 1); break;
            case '0': buf_put(L, "\0", 1); break;
            case '\\': buf_put(L, "\\", 1); break;
            case '"': buf_put(L, "\"", 1); break;
            case '$': buf_put(L, "$", 1); break;
            case '{': buf_put(L, "{", 1); break;
            case 'u': {
                uint32_t cp = 0, nd = 0;
                bool ok = peekc(L, 0) == '{';
                if (ok) {
                    L->pos++;
                    int h;
                    while ((h = peekc(L, 0)) >= 0 && h != '}' && nd < 7) {
                        int v = (h >= '0' && h <= '9') ? h - '0'
                              : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                              : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
                        if (v < 0) break;
                        cp = cp * 16 + (uint32_t)v;
                        nd++;
                        L->pos++;
                    }
                    ok = peekc(L, 0) == '}' && nd >= 1 && nd <= 6 && cp <= 0x10FFFF &&
                         !(cp >= 0xD800 && cp <= 0xDFFF);
                    if (peekc(L, 0) == '}') L->pos++;
                }
                if (!ok) {
                    Diag *d = diag_new(DIAG_ERROR, NULL, mkspan(L, esc, L->pos), "invalid unicode escape");
                    diag_primary(d, "not a valid `\\u{...}` escape");
                    diag_help(d, "write 1 to 6 hexadecimal digits naming a Unicode scalar value, e.g. `\\u{1F600}`");
                    diag_emit(d);
                } else {
                    put_utf8(L, cp);
                }
                break;
            }
            default: {
                if (e < 0) { L->pos = L->len; break; }
                /* include a whole UTF-8 character in the span */
                uint32_t end = L->pos;
                while (end < L->len && ((unsigned char)L->src[end] & 0xC0) == 0x80) end++;
                L->pos = end;
                char *vis = diag_visible(L->src + esc, end - esc);
                Diag *d = diag_new(DIAG_ERROR, NULL, mkspan(L, esc, end), "unknown escape sequence `%s`", vis);
                free(vis);
                diag_primary(d, "unknown escape");
                diag_help(d, "valid escapes are \\n \\t \\r \\0 \\\\ \\\" \\$ \\{ and \\u{HEX}; "
                             "write `\\\\` for a literal backslash");
                diag_emit(d);
            }
            }
            if (too_many_errors(L)) return;
            continue;
        }
        /* ordinary byte */
        buf_put(L, L->src + L->pos, 1);
        L->pos++;
    }
}

static void lex_number(Lexer *L) {
    uint32_t start = L->pos;
    int c0 = peekc(L, 0), c1 = peekc(L, 1);
    int base = 10;
    if (c0 == '0' && (c1 == 'x' || c1 == 'X')) base = 16;
    else if (c0 == '0' && (c1 == 'b' || c1 == 'B')) base = 2;
    else if (c0 == '0' && (c1 == 'o' || c1 == 'O')) base = 8;
    if (base != 10) {
        L->pos += 2;
        uint64_t v = 0;
        bool overflow = false, any = false;
        for (;;) {
            int c = peekc(L, 0);
            int d = -1;
            if (c == '_') { L->pos++; continue; }
            if (c >= '0' && c <= '9') d = c - '0';
            else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
            if (d < 0 || d >= base) break;
            any = true;
            if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) overflow = true;
            else v = v * (uint64_t)base + (uint64_t)d;
            L->pos++;
        }
        while (is_ident_char(peekc(L, 0))) L->pos++; /* e.g. 0x1g: report below */
        Token *t = push(L, TK_INT, start, L->pos);
        if (!any) {
            Diag *d = diag_new(DIAG_ERROR, NULL, t->span, "integer literal has no digits");
            diag_help(d, "write digits after the prefix, e.g. `0xff`, `0b1010`, `0o17`");
            diag_emit(d);
            t->kind = TK_ERROR;
        } else if (overflow || v > (uint64_t)INT64_MAX) {
            if (!overflow && v == (uint64_t)INT64_MAX + 1) { t->int_min = true; t->i = INT64_MIN; }
            else {
                Diag *d = diag_new(DIAG_ERROR, NULL, t->span, "integer literal is too large");
                diag_primary(d, "does not fit in a 64-bit Int");
                diag_note(d, "the largest Int is 9223372036854775807 (0x7FFFFFFFFFFFFFFF)");
                diag_emit(d);
                t->kind = TK_ERROR;
            }
        } else {
            t->i = (int64_t)v;
        }
        return;
    }
    /* decimal int or float */
    bool is_float = false;
    while ((peekc(L, 0) >= '0' && peekc(L, 0) <= '9') || peekc(L, 0) == '_') L->pos++;
    if (peekc(L, 0) == '.' && peekc(L, 1) >= '0' && peekc(L, 1) <= '9') {
        is_float = true;
        L->pos++;
        while ((peekc(L, 0) >= '0' && peekc(L, 0) <= '9') || peekc(L, 0) == '_') L->pos++;
    }
    if (peekc(L, 0) == 'e' || peekc(L, 0) == 'E') {
        int k = 1;
        if (peekc(L, 1) == '+' || peekc(L, 1) == '-') k = 2;
        if (peekc(L, k) >= '0' && peekc(L, k) <= '9') {
            is_float = true;
            L->pos += (uint32_t)k;
            while (peekc(L, 0) >= '0' && peekc(L, 0) <= '9') L->pos++;
        }
    }
    char tmp[128];
    uint32_t n = 0;
    for (uint32_t i = start; i < L->pos && n < sizeof tmp - 1; i++)
        if (L->src[i] != '_') tmp[n++] = L->src[i];
    tmp[n] = 0;
    if (is_float) {
        Token *t = push(L, TK_FLOAT, start, L->pos);
        t->f = strtod(tmp, NULL);
        if (L->pos - start >= sizeof tmp - 1 || isinf(t->f)) {
            Diag *d = diag_new(DIAG_ERROR, NULL, t->span, "float literal is too large");
            diag_primary(d, "does not fit in a 64-bit Float");
            diag_note(d, "the largest Float is about 1.7976931348623157e308");
            diag_emit(d);
            t->kind = TK_ERROR;
        }
        return;
    }
    Token *t = push(L, TK_INT, start, L->pos);
    uint64_t v = 0;
    bool overflow = L->pos - start >= sizeof tmp - 1;
    for (uint32_t i = 0; i < n && !overflow; i++) {
        uint64_t d = (uint64_t)(tmp[i] - '0');
        if (v > (UINT64_MAX - d) / 10) overflow = true;
        else v = v * 10 + d;
    }
    if (overflow || v > (uint64_t)INT64_MAX) {
        if (!overflow && v == (uint64_t)INT64_MAX + 1) { t->int_min = true; t->i = INT64_MIN; return; }
        Diag *d = diag_new(DIAG_ERROR, NULL, t->span, "integer literal is too large");
        diag_primary(d, "does not fit in a 64-bit Int");
        diag_note(d, "the largest Int is 9223372036854775807");
        diag_emit(d);
        t->kind = TK_ERROR;
        return;
    }
    t->i = (int64_t)v;
}

/* Skip a (nestable) block comment starting at "#=". */
static bool skip_block_comment(Lexer *L) {
    uint32_t start = L->pos;
    int depth = 0;
    while (L->pos < L->len) {
        if (peekc(L, 0) == '#' && peekc(L, 1) == '=') { depth++; L->pos += 2; continue; }
        if (peekc(L, 0) == '=' && peekc(L, 1) == '#') {
            depth--; L->pos += 2;
            if (depth == 0) return true;
            continue;
        }
        L->pos++;
    }
    Diag *d = diag_new(DIAG_ERROR, NULL, mkspan(L, start, start + 2), "unterminated block comment");
    diag_primary(d, "this comment is never closed");
    diag_help(d, "close it with `=#` (block comments nest: every `#=` needs its own `=#`)");
    diag_emit(d);
    return false;
}

/* Off the hot path: only reached for comments, and only when asked. */
static void record_comment(Lexer *L, uint32_t start, bool block) {
    CommentList *cl = L->comments;
    if (cl->n == cl->cap) {
        cl->cap = cl->cap ? cl->cap * 2 : 64;
        cl->v = xrealloc(cl->v, cl->cap * sizeof *cl->v);
    }
    cl->v[cl->n++] = (Comment){mkspan(L, start, L->pos), block};
}

void lex_comments_free(CommentList *cl) {
    free(cl->v);
    cl->v = NULL;
    cl->n = cl->cap = 0;
}

TokenList lex_file(uint32_t file) { return lex_file_ex(file, NULL); }

TokenList lex_file_ex(uint32_t file, CommentList *comments) {
    Lexer L;
    memset(&L, 0, sizeof L);
    sb_init(&L.buf);
    L.file = file;
    L.comments = comments;
    SourceFile *sf = src_get(file);
    L.src = sf->text;
    L.len = (uint32_t)sf->len;
    /* skip a UTF-8 byte order mark */
    if (L.len >= 3 && (unsigned char)L.src[0] == 0xEF && (unsigned char)L.src[1] == 0xBB &&
        (unsigned char)L.src[2] == 0xBF)
        L.pos = 3;
    L.errors0 = diag_error_count();
    if (!check_utf8(&L)) L.failed = true;
    while (!L.failed) {
        int c = peekc(&L, 0);
        if (c < 0) break;
        uint32_t start = L.pos;
        if (c == ' ' || c == '\t') { L.pos++; continue; }
        if (c == '\n' || c == '\r') {
            L.pos++;
            if (c == '\r' && peekc(&L, 0) == '\n') L.pos++;
            push(&L, TK_NEWLINE, start, L.pos);
            continue;
        }
        if (c == '#') {
            if (peekc(&L, 1) == '=') {
                if (!skip_block_comment(&L)) { L.failed = true; break; }
                if (L.comments) record_comment(&L, start, true);
                continue;
            }
            while (L.pos < L.len && L.src[L.pos] != '\n' && L.src[L.pos] != '\r') L.pos++;
            if (L.comments) record_comment(&L, start, false);
            continue;
        }
        if (c >= '0' && c <= '9') { lex_number(&L); continue; }
        if (is_ident_start(c)) {
            while (is_ident_char(peekc(&L, 0))) L.pos++;
            TokKind k = lex_keyword(L.src + start, L.pos - start);
            push(&L, k, start, L.pos);
            continue;
        }
        if (c == '"') {
            bool triple = peekc(&L, 1) == '"' && peekc(&L, 2) == '"';
            L.pos += triple ? 3 : 1;
            lex_string_segment(&L, triple, false, start);
            continue;
        }
        /* inside ${ ... }: track braces to find the end of the interpolation */
        if (L.sp > 0 && (c == '{' || c == '}')) {
            Interp *top = &L.stack[L.sp - 1];
            if (c == '{') { top->depth++; L.pos++; push(&L, TK_LBRACE, start, L.pos); continue; }
            if (top->depth > 0) { top->depth--; L.pos++; push(&L, TK_RBRACE, start, L.pos); continue; }
            bool triple = top->triple;
            L.sp--;
            L.pos++;
            lex_string_segment(&L, triple, true, start);
            continue;
        }
        int c1 = peekc(&L, 1);
        TokKind k = TK_ERROR;
        uint32_t w = 1;
        switch (c) {
        case '+': if (c1 == '+') { k = TK_PLUSPLUS; w = 2; } else k = TK_PLUS; break;
        case '-': if (c1 == '>') { k = TK_ARROW; w = 2; } else k = TK_MINUS; break;
        case '*': k = TK_STAR; break;
        case '/': k = TK_SLASH; break;
        case '%': k = TK_PERCENT; break;
        case '=':
            if (c1 == '=') { k = TK_EQEQ; w = 2; }
            else if (c1 == '>') { k = TK_FATARROW; w = 2; }
            else k = TK_ASSIGN;
            break;
        case '!': if (c1 == '=') { k = TK_NEQ; w = 2; } else k = TK_BANG; break;
        case '<':
            if (c1 == '=') { k = TK_LE; w = 2; }
            else if (c1 == '>') { k = TK_DIAMOND; w = 2; }
            else k = TK_LT;
            break;
        case '>': if (c1 == '=') { k = TK_GE; w = 2; } else k = TK_GT; break;
        case '&': if (c1 == '&') { k = TK_ANDAND; w = 2; } break;
        case '|':
            if (c1 == '|') { k = TK_OROR; w = 2; }
            else if (c1 == '>') { k = TK_PIPE; w = 2; }
            else k = TK_BAR;
            break;
        case ':': if (c1 == ':') { k = TK_COLONCOLON; w = 2; } else k = TK_COLON; break;
        case '.': if (c1 == '.') { k = TK_DOTDOT; w = 2; } else k = TK_DOT; break;
        case '?': k = TK_QUESTION; break;
        case '(': k = TK_LPAREN; break;
        case ')': k = TK_RPAREN; break;
        case '[': k = TK_LBRACKET; break;
        case ']': k = TK_RBRACKET; break;
        case '{': k = TK_LBRACE; break;
        case '}': k = TK_RBRACE; break;
        case ',': k = TK_COMMA; break;
        case ';': k = TK_SEMI; break;
        default: break;
        }
        if (k == TK_ERROR) {
            /* a whole UTF-8 character */
            uint32_t end = L.pos + 1;
            while (end < L.len && ((unsigned char)L.src[end] & 0xC0) == 0x80) end++;
            char *vis = diag_visible(L.src + start, end - start);
            Diag *d = diag_new(DIAG_ERROR, NULL, mkspan(&L, start, end), "unexpected character `%s`", vis);
            free(vis);
            if (c == '&') diag_help(d, "use `&&` or `and` for logical and");
            else if (c == '$') diag_help(d, "`$` is only meaningful inside strings, as `${expr}`");
            else if (c == '\'') diag_help(d, "strings use double quotes: \"text\"");
            else diag_primary(d, "not part of Snow's syntax");
            diag_emit(d);
            L.pos = end;
            push(&L, TK_ERROR, start, end);
            if (too_many_errors(&L)) break;
            continue;
        }
        L.pos += w;
        push(&L, k, start, L.pos);
    }
    if (!L.failed && L.sp > 0) {
        diag_error(mkspan(&L, L.len, L.len), NULL, "unterminated string interpolation: expected `}`");
    }
    if (L.too_big) { /* parse nothing of a file that is too large */
        sink_clear(&L);
        TokenList all = L.out;
        lex_free(&all);
        memset(&L.out, 0, sizeof L.out);
    }
    push(&L, TK_NEWLINE, L.len, L.len);
    Token *e = push(&L, TK_EOF, L.len, L.len);
    if (!e) { /* NEWLINE collapsed; EOF still needs a slot */
        L.nl_pending = false;
        e = push(&L, TK_EOF, L.len, L.len);
    }
    sb_free(&L.buf);
    return L.out;
}

void lex_free(TokenList *tl) {
    for (uint32_t i = 0; i < tl->n; i++) {
        Token *t = &tl->toks[i];
        if (has_str(t->kind)) free(t->str.s);
    }
    free(tl->toks);
    tl->toks = NULL;
    tl->n = tl->cap = 0;
}
