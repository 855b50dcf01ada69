/* fmt_snow.h — `snow fmt`'s layout of Snow programs (docs/style-guide.md).
 *
 * The formatter parses a file with the ordinary lexer and parser (comments
 * collected on the side), turns the syntax tree into a document of
 * front/fmt_doc (groups that fit flat or break) and renders it.  Printed
 * text comes from the tree, except literals, strings (with their
 * interpolations) and comments, which are copied byte for byte from the
 * source.  Comments are woven back in by position: each printed token is
 * tied to its source offset, and the comments before it are emitted there
 * (own-line comments on their own line, end-of-line comments at the end of
 * the line, inline block comments inline).
 *
 * Invariants (checked by snowfmt_verify, `snow fmt --verify`, and the tests):
 * the output parses to the same tree as the input (ast_eq: positions
 * ignored), keeps every comment in order and every string literal byte for
 * byte, and is a fixed point. */
#ifndef SNOW_FMT_SNOW_H
#define SNOW_FMT_SNOW_H

#include <stddef.h>
#include <stdint.h>

typedef struct SnowFmtOpts {
    int width;  /* line width (default 100) */
    int indent; /* spaces per level (default 2) */
} SnowFmtOpts;

#define SNOWFMT_DEFAULT_WIDTH 100
#define SNOWFMT_DEFAULT_INDENT 2

/* Format source file `file` (registered in the source table).  Returns the
 * malloc'ed text (*len bytes, NUL-terminated), or NULL when the file has a
 * lexical or parse error (reported through diag, not flushed). */
char *snowfmt_file(uint32_t file, const SnowFmtOpts *o, size_t *len);

/* The same, also reporting where the time went (SNOW_TIMING, bench/run):
 * wall-clock milliseconds, and the CPU time of the calling thread (which
 * a loaded machine does not inflate). */
typedef struct SnowFmtTimes {
    double parse_ms, parse_cpu_ms;   /* lex (with comments) + parse */
    double layout_ms, layout_cpu_ms; /* syntax tree to document */
    double render_ms, render_cpu_ms; /* document to text */
} SnowFmtTimes;
char *snowfmt_file_timed(uint32_t file, const SnowFmtOpts *o, size_t *len, SnowFmtTimes *t);

/* Check that `out` (the formatting of `file`) parses to the same tree, keeps
 * every comment of `file` in order and every string literal spelled the same,
 * and formats to itself.  Returns NULL when all hold, else a malloc'ed
 * description of the first failure. */
char *snowfmt_verify(uint32_t file, const char *out, size_t len, const SnowFmtOpts *o);

#endif
