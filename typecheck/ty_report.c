/* ty_report.c — wording of type mismatches (see ty_report.h). */
#include "ty_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ty_decl.h"
#include "xalloc.h"

/* Replace the first "%s" of tpl by arg (templates are program constants). */
static char *fmt1(const char *tpl, const char *arg) {
    const char *p = strstr(tpl, "%s");
    size_t n = strlen(tpl) + (arg ? strlen(arg) : 0) + 1;
    char *out = xmalloc(n);
    if (!p) {
        memcpy(out, tpl, strlen(tpl) + 1);
        return out;
    }
    size_t pre = (size_t)(p - tpl);
    memcpy(out, tpl, pre);
    strcpy(out + pre, arg ? arg : "");
    strcat(out, p + 2);
    return out;
}

static char *fmt2(const char *tpl, const char *a, const char *b) {
    char *x = fmt1(tpl, a);
    char *y = fmt1(x, b);
    free(x);
    return y;
}

static bool same_head(Type *a, Type *b) {
    a = ty_prune(a);
    b = ty_prune(b);
    if (!a || !b) return false;
    if (a->kind == TYK_VAR || b->kind == TYK_VAR) return true;
    if (a->kind != b->kind) return false;
    return a->kind != TYK_USER || a->sym == b->sym;
}

static void add_help(Diag *d, Type *exp, Type *found) {
    Type *e = ty_prune(exp), *f = ty_prune(found);
    if (!e || !f) return;
    if (e->kind == TYK_STRING && (f->kind == TYK_INT || f->kind == TYK_FLOAT || f->kind == TYK_BOOL)) {
        diag_help(d, "use to_string(): `value.to_string()`, or interpolation: \"${value}\"");
    } else if (e->kind == TYK_STRING && f->kind != TYK_VAR && f->kind != TYK_FUN && !ty_is_option(f) && !ty_is_result(f)) {
        diag_help(d, "turn it into text with interpolation: \"${value}\"");
    } else if (e->kind == TYK_INT && f->kind == TYK_STRING) {
        diag_help(d, "this is text: `String.to_int(s)` turns it into an `Option<Int>` (`Some(n)`, or `None` when "
                     "it is not a number)");
    } else if (e->kind == TYK_FLOAT && f->kind == TYK_STRING) {
        diag_help(d, "this is text: `String.to_float(s)` turns it into an `Option<Float>` (`Some(x)`, or `None` "
                     "when it is not a number)");
    } else if (e->kind == TYK_FLOAT && f->kind == TYK_INT) {
        diag_help(d, "use Int.to_float(...) to turn an Int into a Float");
    } else if (e->kind == TYK_INT && f->kind == TYK_FLOAT) {
        diag_help(d, "use Float.to_int(...) (or Math.round, Math.floor) to turn a Float into an Int");
    } else if (ty_is_option(e) && !ty_is_option(f) && same_head(e->args[0], f)) {
        diag_help(d, "wrap in Some(...) to make an Option");
    } else if (ty_is_result(e) && !ty_is_result(f) && same_head(e->args[0], f)) {
        diag_help(d, "wrap in Ok(...) to make a Result");
    } else if (ty_is_option(f) && !ty_is_option(e) && e->kind != TYK_VAR) {
        diag_help(d, "this is an Option: use `case` to get the value out (`Some(v) -> ...`, `None -> ...`)");
    } else if (ty_is_result(f) && !ty_is_result(e) && e->kind != TYK_VAR) {
        diag_help(d, "this is a Result: use `case` (`Ok(v) -> ...`, `Err(e) -> ...`) or `?` to get the value out");
    } else if (e->kind == TYK_BOOL) {
        diag_help(d, "expected a boolean expression");
    } else if (f->kind == TYK_FUN && e->kind == TYK_FUN && f->nargs != e->nargs) {
        diag_help(d, "this function takes %d parameter(s), but one taking %d is expected", f->nargs - 1, e->nargs - 1);
    } else if (f->kind == TYK_FUN && e->kind != TYK_FUN && e->kind != TYK_VAR) {
        diag_help(d, "this is a function: call it with `(...)` to get its result");
    }
}

void ty_report_unify(Span at, Type *expected, Type *found, const Expect *ex, const UErr *e) {
    ShowCtx sc = {0};
    if (e && e->r == U_OCCURS) {
        const char *v = ty_str(&sc, e->a), *t = ty_str(&sc, e->b);
        Diag *d = diag_new(DIAG_ERROR, "E0002", at, "infinite type: %s occurs in %s", v, t);
        diag_primary(d, "this would need a type that contains itself");
        diag_help(d, "a value cannot have a type that refers to itself");
        diag_emit(d);
        return;
    }
    const char *es = ty_str(&sc, expected), *fs = ty_str(&sc, found);
    char *msg = fmt2(ex && ex->msg ? ex->msg : "expected %s, found %s", es, fs);
    Diag *d = diag_new(DIAG_ERROR, ex && ex->code ? ex->code : "E0001", at, "%s", msg);
    free(msg);
    char *prim = fmt1(ex && ex->primary ? ex->primary : "found `%s`", fs);
    diag_primary(d, "%s", prim);
    free(prim);
    if (ex && ex->why && ex->origin.file != UINT32_MAX &&
        !(ex->origin.file == at.file && ex->origin.off == at.off && ex->origin.len == at.len)) {
        char *w = fmt1(ex->why, es);
        diag_label(d, ex->origin, "%s", w);
        free(w);
    }
    if (ex && ex->help) diag_help(d, "%s", ex->help);
    else add_help(d, expected, found);
    diag_emit(d);
}

bool ty_expect(Span at, Type *found, const Expect *ex) {
    if (!ex || !ex->type) return true;
    UErr e = {0};
    if (ty_unify(ex->type, found, &e) == U_OK) return true;
    ty_report_unify(at, ex->type, found, ex, &e);
    return false;
}

void ty_report_arity(Span at, Span callee, const char *what, int want, int got) {
    Diag *d = diag_new(DIAG_ERROR, "E0003", at, "expected %d argument(s), found %d", want, got);
    diag_primary(d, "%d argument(s) given here", got);
    if (callee.file != UINT32_MAX && what) diag_label(d, callee, "%s takes %d argument(s)", what, want);
    if (got < want) diag_help(d, "missing %d argument(s)", want - got);
    else diag_help(d, "%d extra argument(s)", got - want);
    diag_emit(d);
}
