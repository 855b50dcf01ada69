/* stdlib_table.h — the library table: for every library function its
 * module, name, type scheme (written in Snow type syntax, parsed by the type
 * checker) and C implementation.  The resolver, the type checker and the
 * evaluator all read this same table (stdlib.md; spec/README.md decisions
 * 9, 10, 17).
 *
 * Each library area declares its own rows beside its implementation, in a
 * static array registered at start-up (the way Lua's luaL_Reg arrays are):
 *
 *     static Value http_get(Value *args, int nargs) { ... }
 *
 *     static const StdFn http_lib[] = {
 *         {"HTTP", "get", "Fun(String) -> Result<String, String>", http_get, 1,
 *          SF_BLOCKS, "fetch a URL"},
 *     };
 *     STDLIB_REGISTER(http_lib)
 *
 * Nothing else needs to change: no central list, no header of prototypes.
 * The table is the union of the registered arrays.  docs/architecture.md
 * ("Adding a library module") says more.
 *
 * Type schemes: `Fun(A, B) -> R`, single capital letters are type variables,
 * an optional ` where T: Trait` suffix adds constraints (Num = Int or Float).
 * `Tuple` is the escape-hatch type that unifies with any tuple (stdlib §8).
 *
 * Invariants:
 *  - registration happens only before main() (STDLIB_REGISTER is a
 *    constructor), so the table never changes once the program runs and
 *    may be read from any thread without locks;
 *  - the union is ordered by the registered arrays' names, then row by row:
 *    the same in every build, whatever order the linker put the objects in;
 *  - (module, name) is unique across all arrays, and so is an array's name
 *    (its C identifier, e.g. http_lib); a duplicate is a fatal error at the
 *    first lookup;
 *  - entries never move: a `const StdFn *` is valid for the whole run and
 *    stdlib_index gives its dense position (for per-entry caches). */
#ifndef SNOW_STDLIB_TABLE_H
#define SNOW_STDLIB_TABLE_H

#include <stdbool.h>

#include "value.h"

enum {
    SF_PREFIXED = 1 << 0, /* also available as module_name (e.g. string_length) */
    SF_PRELUDE = 1 << 1,  /* available as a bare name (println, map, ...) */
    SF_CONST = 1 << 2,    /* a value, not a function (Math.pi) */
    SF_SPECIAL = 1 << 3,  /* the type checker applies an extra rule (Json.encode, default, ...) */
    SF_BLOCKS = 1 << 4,   /* may block / switch processes (Timer.sleep, Job.await, ...) */
    SF_PROCESS_BODY = 1 << 5, /* a bare name at the REPL's prompt only (flush, decision 33) */
};

typedef struct StdFn {
    const char *module; /* "String", "List", ...; "" for prelude-only names */
    const char *name;
    const char *type;   /* type scheme */
    BuiltinFn impl;
    int arity;          /* -1 for SF_CONST */
    unsigned flags;
    const char *doc;    /* one line, shown by the REPL's :help NAME and completion */
} StdFn;

/* Add an array of rows to the table.  Called by STDLIB_REGISTER before
 * main(); `name` orders the arrays in the union. */
void stdlib_register(const char *name, const StdFn *fns, unsigned n);

/* Register a static array of StdFn rows from the file that defines them.
 *
 * Why a constructor: it needs no central list, works the same with gcc and
 * clang and under ASan, TSan and the fuzzing build (unlike a linker section,
 * whose entries a sanitizer may pad), and runs before main(), while there
 * is one thread.  The one thing that defeats it is a static archive (an
 * object nobody references is not linked): the Makefile links the objects
 * themselves; an archive would need --whole-archive. */
#define STDLIB_REGISTER(table)                                                           \
    __attribute__((constructor)) static void stdlib_register_##table(void) {            \
        stdlib_register(#table, table, (unsigned)(sizeof(table) / sizeof((table)[0]))); \
    }

/* ---- reading the union -------------------------------------------------- */

unsigned stdlib_count(void);
const StdFn *stdlib_at(unsigned i);        /* 0 <= i < stdlib_count() */
unsigned stdlib_index(const StdFn *f);     /* inverse of stdlib_at */

/* Module.name ("String", "length"); NULL when absent. */
const StdFn *stdlib_lookup(const char *module, const char *name);
/* A prefixed global name such as "string_length" or "io_eprintln". */
const StdFn *stdlib_lookup_prefixed(const char *name);
/* A prelude name: println, print, map, filter, reduce, head, tail, compare,
 * default, panic. */
const StdFn *stdlib_lookup_prelude(const char *name);
/* Is `name` a standard-library module (String, List, ..., Process, Timer)? */
bool stdlib_is_module(const char *name);
/* Is `name` an opaque type of the library (a capitalised name its type
 * schemes use that is no built-in type: SqliteConn, PgConn, ...)?  The
 * resolver accepts it in annotations; the type checker makes it a type
 * equal only to itself. */
bool stdlib_is_opaque_type(const char *name);
/* Iterate the functions of one module (REPL completion, did-you-mean). */
const StdFn *stdlib_next_in_module(const char *module, const StdFn *prev);

#endif
