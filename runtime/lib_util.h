/* lib_util.h — small helpers shared by the standard-library implementations
 * (runtime/lib_*.c): argument tag checks and callback shorthands.
 *
 * The type checker guarantees argument types; the checks here are a cheap
 * safety net so that an ill-typed call reaching the evaluator (the checker
 * is optional while it is being finished, and the REPL may run unchecked
 * code) ends in a clean panic instead of a crash. */
#ifndef SNOW_LIB_UTIL_H
#define SNOW_LIB_UTIL_H

#include "rt.h"
#include "value.h"

/* Name of a value tag for messages ("String", "List", ...). */
const char *lib_tag_name(uint32_t tag);
/* Panic `FN: argument N must be a TYPE, got a GOT`. */
_Noreturn void lib_bad_arg(const char *fn, int argi, uint32_t want, Value got);

static inline void lib_need(Value v, VTag want, const char *fn, int argi) {
    if (__builtin_expect(v.tag != want, 0)) lib_bad_arg(fn, argi, want, v);
}

/* Err("<strerror text> (os error N)") (lib_file.c; File and IO). */
Value lib_os_error(int err);
/* Is p[0..n) valid UTF-8? (lib_file.c; File.read and IO.read_line) */
bool lib_utf8_valid(const char *p, size_t n);
/* p[0..n) as a heap string; each byte of an invalid UTF-8 sequence becomes
 * U+FFFD (lib_file.c; Env.args, bytes from the network). */
Value lib_str_lossy(const char *p, size_t n);

/* Call a one/two-argument Snow function value. */
static inline Value lib_call1(Value f, Value a) { return rt_apply(f, 1, &a); }
static inline Value lib_call2(Value f, Value a, Value b) {
    Value args[2] = {a, b};
    return rt_apply(f, 2, args);
}
/* A predicate's result (Bool). */
static inline bool lib_truthy(Value v, const char *fn) {
    if (__builtin_expect(v.tag != T_BOOL, 0)) lib_bad_arg(fn, 0, T_BOOL, v);
    return v.i != 0;
}

#endif
