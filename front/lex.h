/* lex.h — the Snow lexer: source bytes to a token array (language.md §2 with
 * decisions 1 and 3 of spec/README.md).
 *
 * Strings: a literal without interpolation is one TK_STRING token whose value
 * is the escape-processed bytes.  An interpolated literal "a${x}b${y}c" is
 * the sequence  TK_ISTR_START("a") <tokens of x> TK_ISTR_MID("b") <tokens of y>
 * TK_ISTR_END("c"), nested to any depth.  NEWLINE tokens are always emitted
 * (consecutive ones collapsed); the parser decides where they are
 * significant (blocks) and where they are skipped (brackets, continuation).
 * Lexical errors are reported through diag and produce a TK_ERROR token. */
#ifndef SNOW_LEX_H
#define SNOW_LEX_H

#include <stdbool.h>
#include <stdint.h>
#include "source.h"

typedef enum TokKind {
    TK_EOF = 0, TK_ERROR, TK_NEWLINE,
    TK_IDENT, TK_INT, TK_FLOAT, TK_STRING, TK_ISTR_START, TK_ISTR_MID, TK_ISTR_END,
    /* punctuation and operators */
    TK_PLUS, TK_PLUSPLUS, TK_MINUS, TK_ARROW, TK_STAR, TK_SLASH, TK_PERCENT,
    TK_EQEQ, TK_NEQ, TK_BANG, TK_LT, TK_LE, TK_DIAMOND, TK_GT, TK_GE, TK_ANDAND, TK_OROR,
    TK_PIPE, TK_BAR, TK_ASSIGN, TK_FATARROW, TK_COLONCOLON, TK_COLON, TK_DOTDOT, TK_DOT,
    TK_QUESTION, TK_LPAREN, TK_RPAREN, TK_LBRACKET, TK_RBRACKET, TK_LBRACE, TK_RBRACE,
    TK_COMMA, TK_SEMI,
    /* keywords (48), in alphabetical order */
    TK_KW_FIRST,
    TK_ACTOR = TK_KW_FIRST, TK_AFTER, TK_ALIAS, TK_AND, TK_BREAK, TK_CALL, TK_CASE, TK_CAST,
    TK_COND, TK_CONTINUE, TK_DEF, TK_DO, TK_ELSE, TK_END, TK_FALSE, TK_FN, TK_FOR, TK_IF,
    TK_IMPL, TK_IMPORT, TK_IN, TK_INTERFACE, TK_LET, TK_LINK, TK_MATCH, TK_MODULE,
    TK_MONITOR, TK_NIL, TK_NOT, TK_OR, TK_PUB, TK_RECEIVE, TK_RETURN, TK_SELF, TK_SEND,
    TK_SERVICE, TK_SPAWN, TK_STRUCT, TK_SUPERVISOR, TK_TERMINATE, TK_TRAIT, TK_TRAP,
    TK_TRUE, TK_TYPE, TK_WHEN, TK_WHERE, TK_WHILE, TK_WITH,
    TK_KW_LAST = TK_WITH,
    TK__COUNT
} TokKind;

typedef struct Token {
    TokKind kind;
    Span span;
    bool nl_before; /* a NEWLINE separated this token from the previous one */
    bool int_min;   /* TK_INT literal 9223372036854775808 (valid only after '-') */
    union {
        int64_t i;  /* TK_INT */
        double f;   /* TK_FLOAT */
        struct {    /* TK_STRING / TK_ISTR_*: processed bytes, NUL-terminated */
            char *s;
            uint32_t n;
        } str;
    };
} Token;

typedef struct TokenList {
    Token *toks;
    uint32_t n, cap;
} TokenList;

/* A file of more tokens is refused (about 600 000 lines of ordinary code):
 * it bounds what one source costs the front end, whatever it contains. */
#define LEX_MAX_TOKENS (1u << 22)

/* A comment seen by the lexer (only recorded on request: the formatter).
 * span covers the whole comment: `# ...` up to (not including) the line
 * break, or `#= ... =#` including its delimiters. */
typedef struct Comment {
    Span span;
    bool block; /* #= ... =# */
} Comment;

typedef struct CommentList {
    Comment *v;
    uint32_t n, cap;
} CommentList;

/* Lex a whole file (registered in the source table). Always ends with TK_EOF. */
TokenList lex_file(uint32_t file);
/* The same, also appending every comment, in source order, to *comments
 * (NULL: discard them, exactly like lex_file). */
TokenList lex_file_ex(uint32_t file, CommentList *comments);
void lex_comments_free(CommentList *cl);
void lex_free(TokenList *tl);

const char *tok_name(TokKind k);     /* internal name, e.g. "R_PAREN" */
const char *tok_display(TokKind k);  /* human form, e.g. "`)`" */
const char *tok_text(TokKind k);     /* the spelling of a punctuation or keyword token, e.g. ")" / "and"; "?" otherwise */
bool tok_is_keyword(TokKind k);
TokKind lex_keyword(const char *s, uint32_t n); /* TK_IDENT when not a keyword */

#endif
