/* parse.h — recursive-descent parser with precedence climbing for the whole
 * Snow grammar (language.md §3, concurrency.md §0, decisions 2, 3, 5, 6, 14,
 * 15, 19 and 23 of spec/README.md).
 *
 * Newlines: inside (), [] and {} they are skipped; inside do-blocks they
 * separate statements, except that a line ending with a binary operator, or
 * a line starting with `|>` / another binary operator that cannot start an
 * expression / `.`, continues the previous expression.  Errors are reported
 * through diag; the parser recovers at statement and item boundaries so one
 * run reports several errors.  Nesting deeper than PARSE_MAX_DEPTH is a clean
 * error (keeps every later recursive pass within its stack). */
#ifndef SNOW_PARSE_H
#define SNOW_PARSE_H

#include "ast.h"
#include "lex.h"

#define PARSE_MAX_DEPTH 400

/* Binding power of a binary operator token (1 `|>` ... 9 `*`), 0 if k is not
 * one (language.md §3.5). */
int parse_binop_prec(TokKind k);

/* Parse a whole file; returns its N_BLOCK of top-level items (never NULL).
 * Returns the number of parse errors through *nerrors. */
Node *parse_file(uint32_t file, const TokenList *toks, int *nerrors);

/* REPL: parse one input (statements/items) the same way. */
Node *parse_repl(uint32_t file, const TokenList *toks, int *nerrors);

/* Parse a standalone pattern (the debugger's message breakpoints). */
Node *parse_pattern_text(uint32_t file, const TokenList *toks, int *nerrors);

/* Parse a type from text, e.g. the stdlib signature table. */
Node *parse_type_text(uint32_t file, const TokenList *toks, int *nerrors);

#endif
