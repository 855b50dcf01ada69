/* ty_report.h — the wording of type errors (language.md §7).
 *
 * Diagnostics are written for learners: what was expected, what was found,
 * where the expectation came from (a secondary label at the annotation, the
 * first branch, the parameter...) and a help line when a fix is likely
 * ("use to_string()", "wrap in Some(...)", "use Int.to_float(...)"). */
#ifndef SNOW_TY_REPORT_H
#define SNOW_TY_REPORT_H

#include "diag.h"
#include "ty_type.h"

/* Where an expected type comes from. */
typedef struct Expect {
    Type *type;          /* the expected type */
    Span origin;         /* label position (DIAG_NOSPAN: none) */
    const char *why;     /* label text at `origin`; `%s` is replaced by the expected type */
    const char *code;    /* diagnostic code; NULL means E0001 */
    const char *msg;     /* message with two %s (expected, found); NULL: "expected %s, found %s" */
    const char *primary; /* primary label with one %s (found); NULL: "found `%s`" */
    const char *help;    /* a help line replacing the usual suggestions */
} Expect;

static inline Expect ex_plain(Type *t) {
    Expect e = {t, DIAG_NOSPAN, NULL, NULL, NULL, NULL, NULL};
    return e;
}

static inline Expect ex_from(Type *t, Span origin, const char *why) {
    Expect e = {t, origin, why, NULL, NULL, NULL, NULL};
    return e;
}

/* Unify `found` (the type of the thing at `at`) with ex->type; report on
 * failure.  Returns true when they unify. */
bool ty_expect(Span at, Type *found, const Expect *ex);

/* Report a failed unification (mismatch or infinite type). */
void ty_report_unify(Span at, Type *expected, Type *found, const Expect *ex, const UErr *e);

/* E0003: wrong number of arguments. */
void ty_report_arity(Span at, Span callee, const char *what, int want, int got);

#endif
