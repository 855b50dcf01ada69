/* stdlib_table.h — the standard library's one declarative table: for every
 * library function its module, name, type scheme (written in Snow type
 * syntax, parsed by the type checker) and C implementation.  The resolver,
 * the type checker and the evaluator all read this same table
 * (stdlib.md; spec/README.md decisions 9, 10, 17).
 *
 * Type schemes: `Fun(A, B) -> R`, single capital letters are type variables,
 * an optional ` where T: Trait` suffix adds constraints (Num = Int or Float).
 * `Tuple` is the escape-hatch type that unifies with any tuple (stdlib §8). */
#ifndef SNOW_STDLIB_TABLE_H
#define SNOW_STDLIB_TABLE_H

#include "value.h"

enum {
    SF_PREFIXED = 1 << 0, /* also available as module_name (e.g. string_length) */
    SF_PRELUDE = 1 << 1,  /* available as a bare name (println, map, ...) */
    SF_CONST = 1 << 2,    /* a value, not a function (Math.pi) */
    SF_SPECIAL = 1 << 3,  /* the type checker applies an extra rule (Json.encode, default, ...) */
    SF_BLOCKS = 1 << 4,   /* may block / switch processes (Timer.sleep, Job.await, ...) */
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

extern const StdFn stdlib_table[];
extern const unsigned stdlib_count;

/* Module.name ("String", "length"); NULL when absent. */
const StdFn *stdlib_lookup(const char *module, const char *name);
/* A prefixed global name such as "string_length" or "io_eprintln". */
const StdFn *stdlib_lookup_prefixed(const char *name);
/* A prelude name: println, print, map, filter, reduce, head, tail, compare,
 * default, panic. */
const StdFn *stdlib_lookup_prelude(const char *name);
/* Is `name` a standard-library module (String, List, ..., Process, Timer)? */
bool stdlib_is_module(const char *name);
/* Iterate the functions of one module (REPL completion, did-you-mean). */
const StdFn *stdlib_next_in_module(const char *module, const StdFn *prev);

#endif
