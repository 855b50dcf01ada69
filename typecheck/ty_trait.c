/* ty_trait.c — interfaces, impls, deriving and trait requirements (see
 * ty_trait.h). */
#include "ty_trait.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "resolve.h"
#include "ty_report.h"
#include "value.h"
#include "xalloc.h"

Protocols ty_proto;

static PtrMap ifaces;      /* Sym* -> IfaceInfo* */
static PtrMap impl_of;     /* N_IMPL -> ImplInfo* */
static ImplInfo **impls;
static uint32_t nimpls, capimpls;
static PtrMap method_names; /* interned name -> (void*)1 when some interface/impl defines it */

IfaceInfo *ty_iface(Sym *s) { return s ? pm_get(&ifaces, s) : NULL; }

IfaceMethod *ty_iface_method(IfaceInfo *ii, const char *name) {
    if (!ii) return NULL;
    for (int i = 0; i < ii->nmethods; i++)
        if (ii->methods[i].name == name) return &ii->methods[i];
    return NULL;
}

ImplInfo **ty_all_impls(uint32_t *n) {
    *n = nimpls;
    return impls;
}

ImplInfo *ty_impl_info(Node *impl) { return pm_get(&impl_of, impl); }

bool ty_is_trait_method(const char *name) { return pm_get(&method_names, name) != NULL; }

Node *ty_impl_method(ImplInfo *ii, const char *name) {
    NodeList ms = ii->node->impl.methods;
    for (uint32_t i = 0; i < ms.n; i++)
        if (ms.v[i]->kind == N_FN && ms.v[i]->fn.name.id == name) return ms.v[i];
    return NULL;
}

/* The head of a type, as a key: the user type's Sym, or a small integer. */
static const void *head_key(int kind, Sym *sym) {
    if (kind == TYK_USER) return sym;
    return (const void *)(uintptr_t)(kind + 1);
}

static PtrMap impl_by_head; /* head key -> ImplList* */
typedef struct ImplList {
    ImplInfo **v;
    uint32_t n, cap;
} ImplList;

static ImplList *impls_for(int kind, Sym *sym) {
    return pm_get(&impl_by_head, head_key(kind, sym));
}

ImplInfo *ty_find_impl(Sym *trait, Type *t) {
    t = ty_prune(t);
    if (!t || t->kind == TYK_VAR || t->kind == TYK_ERROR) return NULL;
    int kind = t->kind == TYK_ANYTUPLE ? TYK_TUPLE : t->kind;
    ImplList *l = impls_for(kind, t->sym);
    if (!l) return NULL;
    for (uint32_t i = 0; i < l->n; i++)
        if (l->v[i]->trait == trait && l->v[i]->ok) return l->v[i];
    return NULL;
}

Type *ty_impl_target_type(ImplInfo *ii) {
    if (ii->target_kind == TYK_USER) {
        TypeInfo *ti = ty_info(ii->target_sym);
        return ti ? ty_fresh_instance(ti) : ty_error();
    }
    switch (ii->target_kind) {
    case TYK_LIST: case TYK_SET: case TYK_QUEUE: return ty_con1(ii->target_kind, ty_var());
    case TYK_MAP: return ty_con2(TYK_MAP, ty_var(), ty_var());
    case TYK_PID: return ty_pid_untyped();
    default: return ty_basic(ii->target_kind);
    }
}

/* ---- interfaces ------------------------------------------------------------------- */

static void add_iface(Node *it) {
    if (!it->sym) return;
    IfaceInfo *ii = ast_alloc(sizeof *ii);
    ii->sym = it->sym;
    ii->def = it;
    ii->nmethods = (int)it->iface.methods.n;
    ii->methods = ast_alloc((size_t)(ii->nmethods + 1) * sizeof *ii->methods);
    for (int i = 0; i < ii->nmethods; i++) {
        Node *m = it->iface.methods.v[i];
        IfaceMethod *im = &ii->methods[i];
        im->name = m->fn.name.id;
        im->fn = m;
        im->has_self = m->fn.params.n > 0 && m->fn.params.v[0]->kind == P_BIND &&
                       strcmp(m->fn.params.v[0]->name.id.id, "self") == 0;
        pm_put(&method_names, im->name, (void *)1);
    }
    pm_put(&ifaces, it->sym, ii);
}

IfaceInfo *ty_unique_iface_for(const char *name, IfaceMethod **m) {
    IfaceInfo *found = NULL;
    IfaceMethod *fm = NULL;
    for (uint32_t i = 0; i < ifaces.cap; i++) {
        if (!ifaces.keys[i]) continue;
        IfaceInfo *ii = ifaces.vals[i];
        IfaceMethod *im = ty_iface_method(ii, name);
        if (!im) continue;
        if (found && found != ii) return NULL;
        found = ii;
        fm = im;
    }
    if (m) *m = fm;
    return found;
}

/* ---- impls ---------------------------------------------------------------------------- */

static int builtin_kind_named(const char *n) {
    static const struct { const char *n; int k; } tab[] = {
        {"Int", TYK_INT}, {"Float", TYK_FLOAT}, {"String", TYK_STRING}, {"Bool", TYK_BOOL},
        {"List", TYK_LIST}, {"Map", TYK_MAP}, {"Set", TYK_SET}, {"Queue", TYK_QUEUE},
        {"Pid", TYK_PID}, {"Ref", TYK_REF}, {"Range", TYK_RANGE}, {"Json", TYK_JSON},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (strcmp(tab[i].n, n) == 0) return tab[i].k;
    return -1;
}

static const char *head_name(ImplInfo *ii) {
    if (ii->target_sym) return ii->target_sym->name;
    return ii->node->impl.for_type.id;
}

/* Return-type annotations of impl methods against the interface (E0008). */
static void check_impl_signatures(ImplInfo *ii) {
    NodeList ms = ii->node->impl.methods;
    for (uint32_t i = 0; i < ms.n; i++) {
        Node *m = ms.v[i];
        if (m->kind != N_FN) continue;
        IfaceMethod *im = ty_iface_method(ii->iface, m->fn.name.id);
        if (!im) {
            Diag *d = diag_new(DIAG_ERROR, "E0007", m->fn.name.span, "method %s is not declared by interface %s",
                               m->fn.name.id, ii->trait->name);
            diag_primary(d, "not a method of `%s`", ii->trait->name);
            diag_label(d, ii->iface->def->iface.name.span, "interface `%s` is declared here", ii->trait->name);
            char buf[512] = "";
            for (int k = 0; k < ii->iface->nmethods; k++) {
                if (k) strncat(buf, ", ", sizeof buf - strlen(buf) - 1);
                strncat(buf, ii->iface->methods[k].name, sizeof buf - strlen(buf) - 1);
            }
            if (buf[0]) diag_help(d, "the methods of `%s` are: %s", ii->trait->name, buf);
            diag_emit(d);
            continue;
        }
        if (m->fn.params.n != im->fn->fn.params.n) {
            Diag *d = diag_new(DIAG_ERROR, "E0008", m->fn.name.span,
                               "method %s in impl %s has wrong signature: expected %u parameter(s), found %u", m->fn.name.id,
                               ii->trait->name, im->fn->fn.params.n, m->fn.params.n);
            diag_primary(d, "%u parameter(s) here", m->fn.params.n);
            diag_label(d, im->fn->fn.name.span, "interface `%s` declares %u", ii->trait->name, im->fn->fn.params.n);
            diag_emit(d);
            continue;
        }
        if (!m->fn.ret || !im->fn->fn.ret) continue;
        uint32_t mark = ty_tv_mark();
        ty_tv_mode(TV_FLEX);
        Node *idef = ii->iface->def;
        for (uint32_t g = 0; g < idef->iface.generics.n; g++) {
            Sym *gs = idef->iface.generics.v[g]->sym;
            if (!gs) continue;
            Type *arg = g < ii->node->impl.trait_args.n ? ty_from_ann(ii->node->impl.trait_args.v[g]) : ty_var();
            ty_tv_bind(gs, arg);
        }
        Type *want = ty_from_ann(im->fn->fn.ret);
        Type *got = ty_from_ann(m->fn.ret);
        ty_tv_release(mark);
        ty_tv_mode(TV_RIGID);
        UErr e = {0};
        if (ty_unify(want, got, &e) != U_OK) {
            ShowCtx sc = {0};
            const char *ws = ty_str(&sc, want), *gs = ty_str(&sc, got);
            Diag *d = diag_new(DIAG_ERROR, "E0008", m->fn.ret->span,
                               "method %s in impl %s has wrong signature: expected %s, found %s", m->fn.name.id,
                               ii->trait->name, ws, gs);
            diag_primary(d, "this returns `%s`", gs);
            diag_label(d, im->fn->fn.ret->span, "interface `%s` declares `%s`", ii->trait->name, ws);
            diag_help(d, "make the return type `%s`, as the interface says", ws);
            diag_emit(d);
        }
    }
}

static void add_impl(Node *it) {
    Sym *trait = it->sym;
    if (!trait || trait->kind != S_INTERFACE) return;
    ImplInfo *ii = ast_alloc(sizeof *ii);
    ii->node = it;
    ii->trait = trait;
    ii->iface = ty_iface(trait);
    Sym *target = it->aux;
    if (!target || !ii->iface) return;
    if (target->kind == S_STRUCT || target->kind == S_SUMTYPE) {
        ii->target_kind = TYK_USER;
        ii->target_sym = target;
    } else if (target->kind == S_BUILTIN_TYPE) {
        int k = builtin_kind_named(target->name);
        if (k < 0) {
            Diag *d = diag_new(DIAG_ERROR, "E0026", it->impl.for_type.span, "cannot implement %s for %s",
                               trait->name, target->name);
            diag_primary(d, "impls can target structs, sum types and the built-in value types");
            diag_emit(d);
            return;
        }
        ii->target_kind = k;
    } else if (target->kind == S_ALIAS) {
        Node tmp;
        memset(&tmp, 0, sizeof tmp);
        tmp.kind = TY_NAME;
        tmp.span = it->impl.for_type.span;
        tmp.sym = target;
        tmp.tname.path = it->impl.for_type;
        uint32_t mark = ty_tv_mark();
        ty_tv_mode(TV_FLEX);
        Type *t = ty_prune(ty_from_ann(&tmp));
        ty_tv_release(mark);
        ty_tv_mode(TV_RIGID);
        if (t->kind == TYK_VAR || t->kind == TYK_ERROR) return;
        ii->target_kind = t->kind == TYK_ANYTUPLE ? TYK_TUPLE : t->kind;
        ii->target_sym = t->kind == TYK_USER ? t->sym : NULL;
    } else {
        return;
    }
    pm_put(&impl_of, it, ii);
    if (nimpls == capimpls) {
        capimpls = capimpls ? capimpls * 2 : 32;
        impls = xrealloc(impls, capimpls * sizeof *impls);
    }
    impls[nimpls++] = ii;
    for (uint32_t k = 0; k < it->impl.methods.n; k++)
        if (it->impl.methods.v[k]->kind == N_FN) pm_put(&method_names, it->impl.methods.v[k]->fn.name.id, (void *)1);

    /* E0026: one impl per trait and type */
    const void *key = head_key(ii->target_kind, ii->target_sym);
    ImplList *l = pm_get(&impl_by_head, key);
    if (!l) {
        l = xcalloc(1, sizeof *l);
        pm_put(&impl_by_head, key, l);
    }
    for (uint32_t k = 0; k < l->n; k++) {
        if (l->v[k]->trait != trait || !l->v[k]->ok) continue;
        Diag *d = diag_new(DIAG_ERROR, "E0026", it->impl.for_type.span,
                           "duplicate impl: `%s` is already implemented for `%s`", trait->name, head_name(ii));
        diag_primary(d, "second impl of `%s` for `%s`", trait->name, head_name(ii));
        diag_label(d, l->v[k]->node->impl.for_type.span, "first implemented here");
        diag_help(d, "keep one of the two impls");
        diag_emit(d);
        return;
    }
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = ii;
    ii->ok = true;

    /* E0007: every method without a default must be defined */
    for (int m = 0; m < ii->iface->nmethods; m++) {
        IfaceMethod *im = &ii->iface->methods[m];
        if (im->fn->fn.body || ty_impl_method(ii, im->name)) continue;
        Diag *d = diag_new(DIAG_ERROR, "E0007", it->impl.for_type.span, "impl %s for %s is missing method %s",
                           trait->name, head_name(ii), im->name);
        diag_primary(d, "`%s` is not defined in this impl", im->name);
        diag_label(d, im->fn->fn.name.span, "`%s` is declared here", im->name);
        diag_help(d, "add `fn %s(...) do ... end` to the impl", im->name);
        diag_emit(d);
    }
    check_impl_signatures(ii);
}

/* ---- deriving (§4.9, decision 22) ------------------------------------------------------- */

static const char *const derive_names[DI__COUNT] = {"Eq", "Ord", "Display", "Debug", "Hash", "Json", "Row"};

static bool has_user_impl(Sym *trait, Sym *type_sym) {
    if (!trait) return false;
    ImplList *l = impls_for(TYK_USER, type_sym);
    if (!l) return false;
    for (uint32_t i = 0; i < l->n; i++)
        if (l->v[i]->trait == trait && l->v[i]->ok) return true;
    return false;
}

static Sym *proto_for_bit(int di) {
    switch (di) {
    case DI_EQ: return ty_proto.eq;
    case DI_ORD: return ty_proto.ord;
    case DI_DISPLAY: return ty_proto.display;
    case DI_DEBUG: return ty_proto.debug;
    case DI_HASH: return ty_proto.hash;
    default: return NULL;
    }
}

/* Any impl of the type that provides a method `to_string` (§6.2). */
static bool has_to_string(Sym *type_sym) {
    ImplList *l = impls_for(TYK_USER, type_sym);
    if (!l) return false;
    const char *ts = ast_intern("to_string", 9);
    for (uint32_t i = 0; i < l->n; i++) {
        if (!l->v[i]->ok) continue;
        if (ty_impl_method(l->v[i], ts)) return true;
        IfaceMethod *im = ty_iface_method(l->v[i]->iface, ts);
        if (im && im->fn->fn.body) return true;
    }
    return false;
}

static bool user_printable(TypeInfo *ti) {
    if (ti->is_prelude) return true;
    if (ti->derives & (D_DISPLAY | D_DEBUG)) return true;
    return has_user_impl(ty_proto.display, ti->sym) || has_user_impl(ty_proto.debug, ti->sym) || has_to_string(ti->sym);
}

/* Can a field of type f support derived trait `di`?  `deflt`: the check for
 * the implicit default set (a function field blocks everything there). */
static bool structural(Type *f, int di, bool deflt) {
    f = ty_prune(f);
    if (!f) return true;
    switch (f->kind) {
    case TYK_VAR: case TYK_ERROR: case TYK_NEVER: return true;
    case TYK_INT: case TYK_FLOAT: case TYK_STRING: return di != DI_JSON && di != DI_ROW;
    case TYK_BOOL: return di != DI_ORD;
    case TYK_PID: case TYK_REF: return true;
    case TYK_LIST:
        if (di == DI_EQ || di == DI_ORD || di == DI_DEBUG || di == DI_DISPLAY) return structural(f->args[0], di, deflt);
        return false;
    case TYK_SET: case TYK_QUEUE: case TYK_MAP: case TYK_TUPLE: case TYK_ANYTUPLE:
        if (di == DI_DEBUG || di == DI_DISPLAY) {
            for (int i = 0; i < f->nargs; i++)
                if (!structural(f->args[i], di, deflt)) return false;
            return true;
        }
        return false;
    case TYK_FUN: return !deflt && (di == DI_DEBUG || di == DI_DISPLAY);
    case TYK_UNIT: case TYK_RANGE: case TYK_JSON: case TYK_OTHER:
        return di == DI_DEBUG || di == DI_DISPLAY;
    case TYK_USER: {
        TypeInfo *ti = ty_info(f->sym);
        if (!ti) return true;
        bool ok;
        if (di == DI_DEBUG || di == DI_DISPLAY) ok = user_printable(ti);
        else if (ti->is_prelude) ok = false;
        else ok = (ti->derives & (1u << di)) || has_user_impl(proto_for_bit(di), ti->sym);
        if (!ok) return false;
        for (int i = 0; i < f->nargs; i++)
            if (!structural(f->args[i], di, deflt)) return false;
        return true;
    }
    default: return true;
    }
}

/* The user type inside a field type that keeps derivation `di` away (the
 * root cause to name in a help), or NULL. */
static TypeInfo *blocking_type(Type *f, int di, int depth) {
    f = ty_prune(f);
    if (!f || depth > 20) return NULL;
    if (f->kind == TYK_USER) {
        TypeInfo *ti = ty_info(f->sym);
        if (ti && !ti->is_prelude && !structural(f, di, false)) {
            bool own = (di == DI_DEBUG || di == DI_DISPLAY) ? !user_printable(ti)
                                                            : !((ti->derives & (1u << di)) ||
                                                                has_user_impl(proto_for_bit(di), ti->sym));
            if (own) return ti;
        }
    }
    for (int i = 0; i < f->nargs; i++) {
        TypeInfo *r = blocking_type(f->args[i], di, depth + 1);
        if (r) return r;
    }
    return NULL;
}

/* Every field type of a declaration, with a printable name for notes. */
typedef struct FieldRef {
    const char *name; /* "x", or "Circle.0" for positional variant fields */
    Type *type;
    Span span;
} FieldRef;

static int fields_of(TypeInfo *ti, FieldRef **out) {
    int n = 0;
    if (ti->is_struct) n = ti->nfields;
    else
        for (int v = 0; v < ti->nvariants; v++) n += ti->variants[v].nfields;
    FieldRef *f = xcalloc((size_t)n + 1, sizeof *f);
    int k = 0;
    if (ti->is_struct) {
        for (int i = 0; i < ti->nfields; i++) {
            f[k].name = ti->fnames[i];
            f[k].type = ti->ftypes[i];
            f[k].span = ti->fnodes[i]->span;
            k++;
        }
    } else {
        for (int v = 0; v < ti->nvariants; v++) {
            VariantInfo *vi = &ti->variants[v];
            for (int i = 0; i < vi->nfields; i++) {
                Node *fn = vi->node->variant.fields.v[i];
                if (fn->field.name.id) {
                    f[k].name = fn->field.name.id;
                } else {
                    char buf[160];
                    snprintf(buf, sizeof buf, "%s.%d", vi->name, i);
                    f[k].name = ast_intern(buf, strlen(buf));
                }
                f[k].type = vi->ftypes[i];
                f[k].span = fn->span;
                k++;
            }
        }
    }
    *out = f;
    return n;
}

static bool json_ok(Type *t, TypeInfo *owner) {
    t = ty_prune(t);
    switch (t->kind) {
    case TYK_INT: case TYK_FLOAT: case TYK_BOOL: case TYK_STRING: case TYK_JSON: case TYK_ERROR: return true;
    case TYK_VAR: return true; /* a type parameter: checked at instantiation */
    case TYK_LIST: return json_ok(t->args[0], owner);
    case TYK_MAP: return ty_prune(t->args[0])->kind == TYK_STRING && json_ok(t->args[1], owner);
    case TYK_USER: {
        TypeInfo *ti = ty_info(t->sym);
        if (!ti) return false;
        if (t->sym == ty_prelude_sym("Option")) return json_ok(t->args[0], owner);
        if (!(ti->derives & D_JSON)) return false;
        for (int i = 0; i < t->nargs; i++)
            if (!json_ok(t->args[i], owner)) return false;
        return true;
    }
    default: return false;
    }
}

static bool row_ok(Type *t, bool inner) {
    t = ty_prune(t);
    switch (t->kind) {
    case TYK_INT: case TYK_FLOAT: case TYK_BOOL: case TYK_STRING: case TYK_ERROR: return true;
    case TYK_USER:
        if (!inner && t->sym == ty_prelude_sym("Option")) return row_ok(t->args[0], true);
        return false;
    default: return false;
    }
}

static void compute_derives(void) {
    uint32_t n;
    TypeInfo **all = ty_all_infos(&n);
    const uint32_t deflt = D_EQ | D_ORD | D_DEBUG | D_HASH;
    /* explicit lists (E0028, E0029) */
    for (uint32_t i = 0; i < n; i++) {
        TypeInfo *ti = all[i];
        Node *def = ti->def;
        if (ti->is_prelude) {
            ti->derives = D_DISPLAY | D_DEBUG;
            continue;
        }
        if (!def->tdef.has_deriving) {
            ti->derives = deflt;
            continue;
        }
        uint32_t bits = 0;
        Span ord_span = DIAG_NOSPAN;
        for (uint32_t k = 0; k < def->tdef.derives.n; k++) {
            Node *dn = def->tdef.derives.v[k];
            const char *nm = dn->name.id.id;
            int di = -1;
            for (int q = 0; q < DI__COUNT; q++)
                if (strcmp(nm, derive_names[q]) == 0) di = q;
            if (di < 0) {
                Diag *d = diag_new(DIAG_ERROR, "E0028", dn->span, "cannot derive `%s` for `%s`", nm, ti->sym->name);
                diag_primary(d, "`%s` is not derivable", nm);
                if (strcmp(nm, "Default") == 0)
                    diag_help(d, "write `impl Default for %s do fn default() -> %s do ... end end` instead",
                              ti->sym->name, ti->sym->name);
                else
                    diag_help(d, "only Eq, Ord, Display, Debug, Hash, Json, and Row are derivable");
                diag_emit(d);
                ti->derive_error = true;
                continue;
            }
            if (di == DI_ORD) ord_span = dn->span;
            bits |= 1u << di;
        }
        if ((bits & D_ORD) && !(bits & D_EQ)) {
            Diag *d = diag_new(DIAG_ERROR, "E0029", ord_span, "cannot derive `Ord` for `%s` without `Eq`", ti->sym->name);
            diag_primary(d, "`Ord` needs `Eq`");
            char list[256] = "Eq";
            for (uint32_t k = 0; k < def->tdef.derives.n; k++) {
                strncat(list, ", ", sizeof list - strlen(list) - 1);
                strncat(list, def->tdef.derives.v[k]->name.id.id, sizeof list - strlen(list) - 1);
            }
            diag_help(d, "add `Eq` to the deriving list: deriving(%s)", list);
            diag_emit(d);
            bits = 0;
            ti->derive_error = true;
        }
        ti->derives = bits;
    }
    /* the default set, kept only where every field supports it (fixpoint) */
    bool changed = true;
    while (changed) {
        changed = false;
        for (uint32_t i = 0; i < n; i++) {
            TypeInfo *ti = all[i];
            if (ti->is_prelude || ti->def->tdef.has_deriving) continue;
            FieldRef *fs;
            int nf = fields_of(ti, &fs);
            for (int di = 0; di < DI__COUNT; di++) {
                if (!(ti->derives & (1u << di))) continue;
                for (int k = 0; k < nf; k++) {
                    if (structural(fs[k].type, di, true)) continue;
                    ti->derives &= ~(1u << di);
                    ti->blocked_field[di] = fs[k].name;
                    ti->blocked_type[di] = fs[k].type;
                    changed = true;
                    break;
                }
            }
            free(fs);
        }
    }
    /* explicit derivations must be satisfiable (decision 22) */
    for (uint32_t i = 0; i < n; i++) {
        TypeInfo *ti = all[i];
        if (ti->is_prelude || !ti->def->tdef.has_deriving) continue;
        FieldRef *fs;
        int nf = fields_of(ti, &fs);
        for (int di = 0; di < DI__COUNT; di++) {
            if (!(ti->derives & (1u << di))) continue;
            for (int k = 0; k < nf; k++) {
                ShowCtx sc = {0};
                if (di == DI_JSON) {
                    if (json_ok(fs[k].type, ti)) continue;
                    Diag *d = diag_new(DIAG_ERROR, "E0038", fs[k].span, "field `%s` of type `%s` is not JSON-serializable",
                                       fs[k].name, ty_str(&sc, fs[k].type));
                    diag_primary(d, "cannot be encoded as JSON");
                    diag_help(d, "JSON fields can be Int, Float, Bool, String, Option, List, Map<String, _> "
                                 "or types deriving Json");
                    diag_emit(d);
                    continue;
                }
                if (di == DI_ROW) {
                    if (!ti->is_struct || row_ok(fs[k].type, false)) continue;
                    Diag *d = diag_new(DIAG_ERROR, "E0039", fs[k].span,
                                       "field `%s` has type `%s` which cannot be mapped from a database row",
                                       fs[k].name, ty_str(&sc, fs[k].type));
                    diag_primary(d, "not a column type");
                    diag_help(d, "only Int, Float, Bool, String, and Option<T> are supported");
                    diag_emit(d);
                    continue;
                }
                if (structural(fs[k].type, di, false)) continue;
                Diag *d = diag_new(DIAG_ERROR, "E0028", fs[k].span, "cannot derive `%s` for `%s`", derive_names[di],
                                   ti->sym->name);
                diag_primary(d, "field `%s` has type `%s`, which does not implement `%s`", fs[k].name,
                             ty_str(&sc, fs[k].type), derive_names[di]);
                TypeInfo *bt = di == DI_JSON || di == DI_ROW ? NULL : blocking_type(fs[k].type, di, 0);
                if (bt && bt->def->tdef.has_deriving) {
                    diag_label(d, bt->def->tdef.name.span, "`%s` is declared here", bt->sym->name);
                    diag_help(d, "derive `%s` for `%s` too: add `%s` to the deriving list of `%s`%s", derive_names[di],
                              bt->sym->name, derive_names[di], bt->sym->name,
                              di == DI_ORD && !(bt->derives & D_EQ) ? " (together with `Eq`)" : "");
                } else if (bt && bt->blocked_field[di]) {
                    diag_note(d, "`%s` gets no default `%s` because its field `%s` has type `%s`", bt->sym->name,
                              derive_names[di], bt->blocked_field[di], ty_str(&sc, bt->blocked_type[di]));
                } else if (bt) {
                    diag_help(d, "write `impl %s for %s do ... end`, or remove `%s` from the deriving list of `%s`",
                              derive_names[di], bt->sym->name, derive_names[di], ti->sym->name);
                } else {
                    diag_help(d, "remove `%s` from the deriving list, or change the field's type", derive_names[di]);
                }
                diag_emit(d);
                ti->derives &= ~(1u << di);
                ti->derive_failed |= 1u << di;
                break;
            }
        }
        free(fs);
    }
    /* an explicit derivation and an impl of the same protocol */
    for (uint32_t i = 0; i < nimpls; i++) {
        ImplInfo *ii = impls[i];
        if (!ii->ok || ii->target_kind != TYK_USER) continue;
        TypeInfo *ti = ty_info(ii->target_sym);
        if (!ti || !ti->def->tdef.has_deriving) continue;
        for (int di = 0; di < DI__COUNT; di++) {
            if (!(ti->derives & (1u << di)) || proto_for_bit(di) != ii->trait) continue;
            Node *dn = NULL;
            for (uint32_t k = 0; k < ti->def->tdef.derives.n; k++)
                if (strcmp(ti->def->tdef.derives.v[k]->name.id.id, derive_names[di]) == 0) dn = ti->def->tdef.derives.v[k];
            Diag *d = diag_new(DIAG_ERROR, "E0026", ii->node->impl.for_type.span,
                               "duplicate impl: `%s` is already implemented for `%s`", ii->trait->name, ti->sym->name);
            diag_primary(d, "second implementation of `%s`", ii->trait->name);
            if (dn) diag_label(d, dn->span, "derived here");
            diag_help(d, "remove `%s` from the deriving list to use this impl", derive_names[di]);
            diag_emit(d);
        }
    }
}

/* ---- building ---------------------------------------------------------------------------- */

void ty_trait_reset(void) {
    pm_free(&ifaces);
    pm_free(&impl_of);
    pm_free(&method_names);
    for (uint32_t i = 0; i < impl_by_head.cap; i++)
        if (impl_by_head.keys[i]) {
            ImplList *l = impl_by_head.vals[i];
            free(l->v);
            free(l);
        }
    pm_free(&impl_by_head);
    nimpls = 0;
    memset(&ty_proto, 0, sizeof ty_proto);
}

void ty_traits_build(Module **mods, uint32_t nmods) {
    ty_trait_reset();
    ty_proto.eq = ty_prelude_sym("Eq");
    ty_proto.ord = ty_prelude_sym("Ord");
    ty_proto.display = ty_prelude_sym("Display");
    ty_proto.debug = ty_prelude_sym("Debug");
    ty_proto.hash = ty_prelude_sym("Hash");
    ty_proto.add = ty_prelude_sym("Add");
    ty_proto.sub = ty_prelude_sym("Sub");
    ty_proto.mul = ty_prelude_sym("Mul");
    ty_proto.div = ty_prelude_sym("Div");
    ty_proto.mod = ty_prelude_sym("Mod");
    ty_proto.dflt = ty_prelude_sym("Default");
    Module *pre = resolve_prelude();
    if (pre)
        for (uint32_t i = 0; i < pre->root->list.items.n; i++)
            if (pre->root->list.items.v[i]->kind == N_INTERFACE) add_iface(pre->root->list.items.v[i]);
    /* prelude method names are not free names, but methods all the same */
    for (uint32_t m = 0; m < nmods; m++)
        for (uint32_t i = 0; i < mods[m]->root->list.items.n; i++)
            if (mods[m]->root->list.items.v[i]->kind == N_INTERFACE) add_iface(mods[m]->root->list.items.v[i]);
    for (uint32_t m = 0; m < nmods; m++)
        for (uint32_t i = 0; i < mods[m]->root->list.items.n; i++)
            if (mods[m]->root->list.items.v[i]->kind == N_IMPL) add_impl(mods[m]->root->list.items.v[i]);
    compute_derives();
}

/* ---- requirements ---------------------------------------------------------------------------- */

const char *ty_trait_name(Sym *iface, TraitPseudo p) {
    if (iface) return iface->name;
    switch (p) {
    case PT_SHOW: return "Display";
    case PT_NUM: return "Num";
    case PT_CONCAT: return "Concat";
    case PT_JSON: return "Json";
    default: return "?";
    }
}

static bool is_arith(Sym *s) {
    return s && (s == ty_proto.add || s == ty_proto.sub || s == ty_proto.mul || s == ty_proto.div || s == ty_proto.mod);
}

static void report_missing(Type *t, const Bound *b) {
    ShowCtx sc = {0};
    const char *ts = ty_str(&sc, t);
    const char *tn = ty_trait_name(b->iface, b->pseudo);
    Diag *d;
    if (b->pseudo == PT_CONCAT) {
        d = diag_new(DIAG_ERROR, "E0001", b->origin, "expected String or List, found %s", ts);
        diag_primary(d, "%s", b->what ? b->what : "`<>` and `++` join two Strings or two Lists");
        if (t->kind == TYK_INT || t->kind == TYK_FLOAT) diag_help(d, "to add numbers use `+`; to build text use \"${x}\"");
    } else if (b->pseudo == PT_JSON) {
        d = diag_new(DIAG_ERROR, "E0038", b->origin, "type `%s` is not JSON-serializable", ts);
        diag_primary(d, "%s", b->what ? b->what : "this value cannot be encoded as JSON");
    } else if (b->pseudo == PT_NUM) {
        d = diag_new(DIAG_ERROR, "E0006", b->origin, "%s does not implement Num", ts);
        diag_primary(d, "%s", b->what ? b->what : "a number (Int or Float) is needed here");
        diag_note(d, "Num means Int or Float");
    } else {
        d = diag_new(DIAG_ERROR, "E0006", b->origin, "%s does not implement %s", ts, tn);
        if (b->what) diag_primary(d, "%s", b->what);
        else diag_primary(d, "`%s` does not implement `%s`", ts, tn);
    }
    if (b->decl.file != UINT32_MAX && (b->decl.off != b->origin.off || b->decl.file != b->origin.file) && b->why)
        diag_label(d, b->decl, "%s", b->why);
    /* help */
    TypeInfo *ti = t->kind == TYK_USER ? ty_info(t->sym) : NULL;
    if (b->pseudo == PT_SHOW || b->iface == ty_proto.display || b->iface == ty_proto.debug) {
        if (ti && !ti->is_prelude && ti->blocked_field[DI_DEBUG])
            diag_note(d, "`%s` gets no default `Debug` because its field `%s` has type `%s`", t->sym->name,
                      ti->blocked_field[DI_DEBUG], ty_str(&sc, ti->blocked_type[DI_DEBUG]));
        else if (ti && !ti->is_prelude)
            diag_help(d, "add `Display` (or `Debug`) to the deriving list of `%s`, or write `impl Display for %s do "
                         "fn to_string(self) -> String do ... end end`",
                      t->sym->name, t->sym->name);
    } else if (b->pseudo == PT_JSON) {
        diag_help(d, "Json.encode takes Int, Float, Bool, String, Option, List, Map<String, _> and types deriving Json");
    } else if (b->iface == ty_proto.add && t->kind == TYK_STRING) {
        diag_help(d, "use `<>` to join strings");
    } else if ((b->iface == ty_proto.ord) && t->kind == TYK_BOOL) {
        diag_help(d, "Bool values have no order; compare them with `==` or `!=`");
    } else if ((b->iface == ty_proto.eq || b->iface == ty_proto.ord) && (ty_is_option(t) || ty_is_result(t))) {
        diag_help(d, "use `case` to look inside the value, e.g. `Some(x) -> ...`");
    } else if ((b->iface == ty_proto.eq || b->iface == ty_proto.ord) && t->kind == TYK_TUPLE) {
        diag_help(d, "compare the elements one by one: `let (a, b) = pair`");
    } else if (b->iface == ty_proto.dflt) {
        diag_help(d, "add `impl Default for %s do fn default() -> %s do ... end end`", ts, ts);
    } else if (b->iface && ti && !ti->is_prelude) {
        int di = b->iface == ty_proto.eq ? DI_EQ : b->iface == ty_proto.ord ? DI_ORD : b->iface == ty_proto.hash ? DI_HASH : -1;
        if (di >= 0 && ti->blocked_field[di]) {
            diag_note(d, "`%s` gets no default `%s` because its field `%s` has type `%s`", t->sym->name, tn,
                      ti->blocked_field[di], ty_str(&sc, ti->blocked_type[di]));
        } else if (di >= 0) {
            diag_help(d, "add `%s` to the deriving list of `%s`%s", tn, t->sym->name,
                      di == DI_ORD ? " (together with `Eq`)" : "");
        } else {
            diag_help(d, "add `impl %s for %s do ... end`", tn, t->sym->name);
        }
    } else if (b->iface && (is_arith(b->iface) || b->iface->mod != resolve_prelude())) {
        diag_help(d, "add `impl %s for %s do ... end`", tn, ts);
    }
    diag_emit(d);
}

static bool check(Type *t, const Bound *b, bool report);

static bool args_ok(Type *t, const Bound *b, bool report) {
    for (int i = 0; i < t->nargs; i++)
        if (!check(t->args[i], b, report)) return false;
    return true;
}

static bool fail(Type *t, const Bound *b, bool report) {
    if (t->kind == TYK_USER) {
        TypeInfo *ti = ty_info(t->sym);
        if (ti && ti->derive_error) return true; /* reported at its deriving clause */
        if (ti && ti->derive_failed) {
            /* the list asks for it, but a field could not support it:
             * reported there (E0028) */
            uint32_t bit = 0;
            if (b->pseudo == PT_SHOW) bit = D_DISPLAY | D_DEBUG;
            else if (b->pseudo == PT_JSON) bit = D_JSON;
            else
                for (int di = 0; di < DI__COUNT; di++)
                    if (b->iface && proto_for_bit(di) == b->iface) bit |= 1u << di;
            if (ti->derive_failed & bit) return true;
        }
    }
    if (report) report_missing(t, b);
    return false;
}

static bool user_impl(Type *t, Sym *trait) { return ty_find_impl(trait, t) != NULL; }

static long check_steps; /* budget per requirement (see ty_unify) */

static bool check(Type *t, const Bound *b, bool report) {
    t = ty_prune(t);
    if (!t || ++check_steps > 1000000L) return true;
    int k = t->kind;
    if (k == TYK_ERROR || k == TYK_NEVER) return true;
    if (k == TYK_VAR) {
        if (report) ty_add_bound(t, b);
        return true;
    }
    Sym *tr = b->iface;
    /* pseudo-traits */
    switch (b->pseudo) {
    case PT_SHOW:
        if (k == TYK_USER) {
            TypeInfo *ti = ty_info(t->sym);
            if (ti && !user_printable(ti)) return fail(t, b, report);
            if (ti && !(ti->derives & (D_DISPLAY | D_DEBUG)) && !ti->is_prelude) return true; /* user impl */
        }
        return args_ok(t, b, report);
    case PT_NUM:
        return (k == TYK_INT || k == TYK_FLOAT) ? true : fail(t, b, report);
    case PT_CONCAT:
        return (k == TYK_STRING || k == TYK_LIST) ? true : fail(t, b, report);
    case PT_JSON:
        switch (k) {
        case TYK_INT: case TYK_FLOAT: case TYK_BOOL: case TYK_STRING: case TYK_JSON: return true;
        case TYK_LIST: return args_ok(t, b, report);
        case TYK_MAP: {
            Type *key = ty_prune(t->args[0]);
            if (key->kind != TYK_STRING && key->kind != TYK_VAR && key->kind != TYK_ERROR) return fail(t, b, report);
            return check(t->args[1], b, report);
        }
        case TYK_USER: {
            TypeInfo *ti = ty_info(t->sym);
            if (t->sym == ty_prelude_sym("Option")) return args_ok(t, b, report);
            if (!ti || !(ti->derives & D_JSON)) return fail(t, b, report);
            return args_ok(t, b, report);
        }
        default: return fail(t, b, report);
        }
    default: break;
    }
    if (!tr) return true;
    /* a user impl for this head satisfies any trait */
    if (user_impl(t, tr)) return true;
    bool arith = is_arith(tr);
    switch (k) {
    case TYK_INT: case TYK_FLOAT:
        if (arith || tr == ty_proto.eq || tr == ty_proto.ord || tr == ty_proto.hash || tr == ty_proto.display ||
            tr == ty_proto.debug || tr == ty_proto.dflt)
            return true;
        return fail(t, b, report);
    case TYK_BOOL:
        if (tr == ty_proto.eq || tr == ty_proto.hash || tr == ty_proto.display || tr == ty_proto.debug || tr == ty_proto.dflt)
            return true;
        return fail(t, b, report);
    case TYK_STRING:
        if (tr == ty_proto.eq || tr == ty_proto.ord || tr == ty_proto.hash || tr == ty_proto.display ||
            tr == ty_proto.debug || tr == ty_proto.dflt)
            return true;
        return fail(t, b, report);
    case TYK_PID: case TYK_REF:
        if (tr == ty_proto.eq || tr == ty_proto.ord || tr == ty_proto.hash || tr == ty_proto.display || tr == ty_proto.debug)
            return true;
        return fail(t, b, report);
    case TYK_LIST:
        if (tr == ty_proto.eq || tr == ty_proto.ord || tr == ty_proto.display || tr == ty_proto.debug)
            return args_ok(t, b, report);
        return fail(t, b, report);
    case TYK_MAP: case TYK_SET: case TYK_QUEUE: case TYK_TUPLE: case TYK_ANYTUPLE:
        if (tr == ty_proto.display || tr == ty_proto.debug) return args_ok(t, b, report);
        return fail(t, b, report);
    case TYK_UNIT: case TYK_RANGE: case TYK_JSON: case TYK_FUN: case TYK_OTHER:
        if (tr == ty_proto.display || tr == ty_proto.debug) return true;
        return fail(t, b, report);
    case TYK_USER: {
        TypeInfo *ti = ty_info(t->sym);
        if (!ti) return true;
        int di = tr == ty_proto.eq ? DI_EQ : tr == ty_proto.ord ? DI_ORD : tr == ty_proto.hash ? DI_HASH
               : tr == ty_proto.display ? DI_DISPLAY : tr == ty_proto.debug ? DI_DEBUG : -1;
        if (ti->is_prelude) {
            if (di == DI_DISPLAY || di == DI_DEBUG) return args_ok(t, b, report);
            return fail(t, b, report);
        }
        if (di == DI_DISPLAY && has_to_string(t->sym)) return true;
        if (di >= 0 && (ti->derives & (1u << di))) return args_ok(t, b, report);
        return fail(t, b, report);
    }
    default: return true;
    }
}

void ty_require(Type *t, const Bound *b) {
    long saved = check_steps;
    if (saved == 0) check_steps = 1;
    check(t, b, true);
    if (saved == 0) check_steps = 0;
}

bool ty_satisfies(Type *t, Sym *iface, TraitPseudo p) {
    Bound b = {.iface = iface, .pseudo = p, .origin = DIAG_NOSPAN, .decl = DIAG_NOSPAN};
    long saved = check_steps;
    if (saved == 0) check_steps = 1;
    bool r = check(t, &b, false);
    if (saved == 0) check_steps = 0;
    return r;
}

/* ---- method candidates ------------------------------------------------------------------------ */

static int add_cand(MethodCand *out, int n, int max, MethodCand c) {
    for (int i = 0; i < n; i++)
        if (out[i].trait == c.trait) return n;
    if (n < max) out[n++] = c;
    return n;
}

/* Methods every value of a suitable type has (§4.5, §6.5). */
static Sym *builtin_method_trait(Type *t, const char *name) {
    int k = t->kind;
    TypeInfo *ti = k == TYK_USER ? ty_info(t->sym) : NULL;
    if (strcmp(name, "to_string") == 0) {
        if (ti) return (!ti->is_prelude && (ti->derives & D_DISPLAY)) ? ty_proto.display : NULL;
        if (k == TYK_FUN) return NULL;
        return ty_satisfies(t, NULL, PT_SHOW) ? ty_proto.display : NULL;
    }
    if (strcmp(name, "inspect") == 0) {
        if (ti) return (!ti->is_prelude && (ti->derives & D_DEBUG)) ? ty_proto.debug : NULL;
        return (k == TYK_INT || k == TYK_FLOAT || k == TYK_BOOL || k == TYK_STRING) ? ty_proto.debug : NULL;
    }
    if (strcmp(name, "hash") == 0) {
        if (ti) return (!ti->is_prelude && (ti->derives & D_HASH)) ? ty_proto.hash : NULL;
        return (k == TYK_INT || k == TYK_FLOAT || k == TYK_BOOL || k == TYK_STRING) ? ty_proto.hash : NULL;
    }
    if (strcmp(name, "eq") == 0) return ti && !ti->is_prelude && (ti->derives & D_EQ) ? ty_proto.eq : NULL;
    if (strcmp(name, "lt") == 0) return ti && !ti->is_prelude && (ti->derives & D_ORD) ? ty_proto.ord : NULL;
    return NULL;
}

int ty_method_candidates(Type *recv, const char *name, MethodCand *out, int max) {
    Type *t = ty_prune(recv);
    int n = 0;
    if (!t || t->kind == TYK_ERROR) return 0;
    if (t->kind == TYK_VAR) {
        /* dispatch through the bounds of a type variable */
        for (Bound *b = t->bounds; b; b = b->next) {
            if (!b->iface) continue;
            IfaceInfo *ii = ty_iface(b->iface);
            IfaceMethod *im = ty_iface_method(ii, name);
            if (im) n = add_cand(out, n, max, (MethodCand){b->iface, NULL, im->fn, false, true});
        }
        return n;
    }
    int kind = t->kind == TYK_ANYTUPLE ? TYK_TUPLE : t->kind;
    ImplList *l = impls_for(kind, t->sym);
    for (uint32_t i = 0; l && i < l->n; i++) {
        ImplInfo *ii = l->v[i];
        if (!ii->ok) continue;
        Node *fn = ty_impl_method(ii, name);
        if (!fn) {
            IfaceMethod *im = ty_iface_method(ii->iface, name);
            if (im && im->fn->fn.body) fn = im->fn;
        }
        if (fn) n = add_cand(out, n, max, (MethodCand){ii->trait, ii, fn, false, false});
    }
    Sym *bt = builtin_method_trait(t, name);
    if (bt) n = add_cand(out, n, max, (MethodCand){bt, NULL, NULL, true, false});
    return n;
}
