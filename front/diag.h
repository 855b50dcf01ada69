/* diag.h — diagnostics shared by the parser, resolver and type checker.
 *
 * Human form (stderr; colour only on a TTY and when NO_COLOR is unset):
 *
 *   main.snow:3:18: error[E0001]: type mismatch: expected `Int`, found `String`
 *     3 |   let x :: Int = "hello"
 *       |                  ^^^^^^^ found `String`
 *       |            --- expected `Int` because of this annotation
 *     = help: ...
 *
 * JSON form (--json): one object per line.  Diagnostics are queued and
 * printed sorted by position at diag_flush, so several phases can report
 * in any order. */
#ifndef SNOW_DIAG_H
#define SNOW_DIAG_H

#include <stdbool.h>
#include <stdio.h>
#include "source.h"

typedef enum { DIAG_ERROR, DIAG_WARNING } DiagSeverity;

typedef struct Diag Diag;

#define DIAG_NOSPAN ((Span){UINT32_MAX, 0, 0})

/* Start a diagnostic at `primary`; code may be NULL (parse errors). */
Diag *diag_new(DiagSeverity sev, const char *code, Span primary, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Text under the primary caret. */
void diag_primary(Diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A secondary label (drawn with '-'). */
void diag_label(Diag *d, Span s, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_note(Diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void diag_help(Diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Queue it (counts it). */
void diag_emit(Diag *d);

/* Shorthands that create and emit at once. */
void diag_error(Span s, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_warning(Span s, const char *code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

void diag_flush(void);
int diag_error_count(void);
int diag_warning_count(void);
void diag_reset(void); /* drop queued diagnostics and counts (REPL) */
/* The code of the first error (by position) flushed since the last reset,
 * or NULL: the closing hint names it (`snow explain E0004`). */
const char *diag_first_error_code(void);
/* Is some queued error located in `file` at or after byte `off`?  (The REPL
 * asks whether a parse error is at the end of the input: then the input is
 * incomplete and it reads another line.) */
bool diag_has_error_from(uint32_t file, uint32_t off);

void diag_set_json(bool on);
bool diag_json(void); /* are diagnostics printed as JSON lines? */
void diag_set_output(FILE *f); /* default stderr */
/* colour: -1 auto (TTY and no NO_COLOR), 0 off, 1 on */
void diag_set_color(int mode);
/* Suppress warnings entirely (e.g. the REPL's :type). */
void diag_set_warnings(bool on);

/* The bytes s[0..n) as a message shows them: control characters and bytes
 * that are not UTF-8 escaped (`\0` for NUL, `\x1B`, ...), the rest as is.
 * Returns a malloc'd string. */
char *diag_visible(const char *s, size_t n);

#endif
