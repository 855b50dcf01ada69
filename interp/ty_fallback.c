/* ty_fallback.c — DEVELOPMENT ONLY: weak stand-ins for the type checker's
 * reading functions (typecheck/ty.h) so the evaluator can be built and run
 * dynamically while typecheck/ is being written.  The real definitions
 * override these; the file is deleted once typecheck/ is complete. */
#include <stdlib.h>
#include <string.h>
#include "ty.h"
#include "value.h"

__attribute__((weak)) bool ty_check_project(Project *p) { (void)p; return true; }
__attribute__((weak)) Type *ty_prune(Type *t) { return t; }
__attribute__((weak)) TyKindPub ty_kind(Type *t) { (void)t; return TYK_VAR; }
__attribute__((weak)) int ty_nargs(Type *t) { (void)t; return 0; }
__attribute__((weak)) Type *ty_arg(Type *t, int i) { (void)t; (void)i; return NULL; }
__attribute__((weak)) Sym *ty_sym(Type *t) { (void)t; return NULL; }
__attribute__((weak)) char *ty_show(Type *t) { (void)t; return strdup("?"); }
__attribute__((weak)) uint32_t ty_derives(Sym *s) {
    Node *d = s->def;
    if (!d || !d->tdef.has_deriving) return D_EQ | D_ORD | D_DEBUG | D_HASH;
    uint32_t bits = 0;
    for (uint32_t i = 0; i < d->tdef.derives.n; i++) {
        const char *n = d->tdef.derives.v[i]->name.id.id;
        if (!strcmp(n, "Eq")) bits |= D_EQ;
        else if (!strcmp(n, "Ord")) bits |= D_ORD;
        else if (!strcmp(n, "Display")) bits |= D_DISPLAY;
        else if (!strcmp(n, "Debug")) bits |= D_DEBUG;
        else if (!strcmp(n, "Hash")) bits |= D_HASH;
        else if (!strcmp(n, "Json")) bits |= D_JSON;
        else if (!strcmp(n, "Row")) bits |= D_ROW;
    }
    return bits;
}
