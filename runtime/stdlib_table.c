/* stdlib_table.c — the library table: registration of each area's rows and
 * lookups in their union (see stdlib_table.h).  The rows themselves live
 * beside their implementations (runtime/lib_*.c, and later net/, dist/). */
#include "stdlib_table.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "rt.h"
#include "xalloc.h"

/* Registered arrays, filled by constructors before main(). */
enum { MAX_TABLES = 64 };
typedef struct Reg {
    const char *name;
    const StdFn *fns;
    unsigned n;
} Reg;
static Reg regs[MAX_TABLES];
static unsigned nregs;

/* The union, built once at the first read. */
static StdFn *all;
static unsigned nall;
static pthread_once_t sealed = PTHREAD_ONCE_INIT;

void stdlib_register(const char *name, const StdFn *fns, unsigned n) {
    if (nregs == MAX_TABLES) rt_fatal("more than %d library tables (raise MAX_TABLES in stdlib_table.c)", MAX_TABLES);
    regs[nregs++] = (Reg){name, fns, n};
}

static void seal(void) {
    /* order by array name (insertion sort: a few dozen arrays) so the union
     * does not depend on the order the linker ran the constructors in */
    for (unsigned i = 1; i < nregs; i++) {
        Reg r = regs[i];
        unsigned k = i;
        for (; k > 0 && strcmp(regs[k - 1].name, r.name) > 0; k--) regs[k] = regs[k - 1];
        regs[k] = r;
    }
    for (unsigned i = 0; i < nregs; i++) {
        if (i > 0 && strcmp(regs[i - 1].name, regs[i].name) == 0)
            rt_fatal("two library tables are named %s", regs[i].name);
        nall += regs[i].n;
    }
    all = xmalloc((nall ? nall : 1) * sizeof *all);
    unsigned k = 0;
    for (unsigned i = 0; i < nregs; i++)
        for (unsigned j = 0; j < regs[i].n; j++) all[k++] = regs[i].fns[j];
    for (unsigned i = 0; i < nall; i++)
        for (unsigned j = i + 1; j < nall; j++)
            if (strcmp(all[i].module, all[j].module) == 0 && strcmp(all[i].name, all[j].name) == 0)
                rt_fatal("library function %s.%s is defined by two tables", all[i].module, all[i].name);
}

static inline void ensure_sealed(void) { pthread_once(&sealed, seal); }

unsigned stdlib_count(void) {
    ensure_sealed();
    return nall;
}

const StdFn *stdlib_at(unsigned i) {
    ensure_sealed();
    return i < nall ? &all[i] : NULL;
}

unsigned stdlib_index(const StdFn *f) {
    ensure_sealed();
    return (unsigned)(f - all);
}

const StdFn *stdlib_lookup(const char *module, const char *name) {
    ensure_sealed();
    for (unsigned i = 0; i < nall; i++)
        if (strcmp(all[i].module, module) == 0 && strcmp(all[i].name, name) == 0)
            return &all[i];
    return NULL;
}

const StdFn *stdlib_lookup_prefixed(const char *name) {
    ensure_sealed();
    for (unsigned i = 0; i < nall; i++) {
        const StdFn *f = &all[i];
        if (!(f->flags & SF_PREFIXED)) continue;
        size_t m = strlen(f->module);
        if (strncasecmp(name, f->module, m) == 0 && name[m] == '_' && strcmp(name + m + 1, f->name) == 0)
            return f;
    }
    return NULL;
}

const StdFn *stdlib_lookup_prelude(const char *name) {
    ensure_sealed();
    for (unsigned i = 0; i < nall; i++) {
        const StdFn *f = &all[i];
        if ((f->flags & SF_PRELUDE) && strcmp(f->name, name) == 0) return f;
    }
    return NULL;
}

bool stdlib_is_module(const char *name) {
    ensure_sealed();
    for (unsigned i = 0; i < nall; i++)
        if (all[i].module[0] && strcmp(all[i].module, name) == 0) return true;
    return false;
}

bool stdlib_is_opaque_type(const char *name) {
    size_t n = strlen(name);
    if (n < 2 || name[0] < 'A' || name[0] > 'Z' || strcmp(name, "Fun") == 0) return false;
    ensure_sealed();
    for (unsigned i = 0; i < nall; i++) {
        const char *t = all[i].type, *end = strstr(t, " where ");
        if (!end) end = t + strlen(t);
        for (const char *p = t; (p = strstr(p, name)) && p < end; p++) {
            bool start = p == t || !(p[-1] == '_' || (p[-1] >= 'A' && p[-1] <= 'Z') || (p[-1] >= 'a' && p[-1] <= 'z') ||
                                     (p[-1] >= '0' && p[-1] <= '9'));
            char c = p[n];
            bool stop = !(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
            if (start && stop) return true;
        }
    }
    return false;
}

const StdFn *stdlib_next_in_module(const char *module, const StdFn *prev) {
    ensure_sealed();
    unsigned i = prev ? (unsigned)(prev - all) + 1 : 0;
    for (; i < nall; i++)
        if (strcmp(all[i].module, module) == 0) return &all[i];
    return NULL;
}
