/* vals.h — constructors of tuples, structs, variants, ranges and function
 * values; the built-in sum types (Option, Result, Ordering, ExitReason,
 * Signal) and their helpers; structural equality, ordering and hashing.
 *
 * Equality/ordering/hashing are iterative (explicit work stack), so
 * 100 000-deep values do not touch the C stack.  User implementations in a
 * TypeDesc (eq_fn, lt_fn/compare_fn, hash_fn) are called through rt_apply.
 *
 *  val_eq   : structural; Float IEEE (NaN != NaN, 0.0 == -0.0);
 *             Map/Set order-insensitive; functions by identity.
 *  val_cmp  : -1/0/1.  Int/Float numeric, String byte-wise, List
 *             lexicographic (a proper prefix is smaller), tuples and structs
 *             field by field, sums by variant index then payload, Bool
 *             false < true, Pid/Ref by number.
 *  val_hash : consistent with val_eq (so -0.0 hashes like 0.0).
 *  Map and Set keys are compared with val_eq and hashed with val_hash, so
 *  a key is found exactly when it is `==` to a stored key: 0.0 and -0.0 are
 *  one key, and a NaN (also inside a tuple, list, ...) matches no key, not
 *  even itself (docs/decisions.md).
 */
#ifndef SNOW_VALS_H
#define SNOW_VALS_H

#include "value.h"

/* ---- constructors ---- */

/* Room for n Values that C code fills before building something, when a
 * fixed stack buffer is too small: a zeroed tuple object on the current
 * heap, kept alive by the returned (interior) pointer while that is on the
 * stack.  No C array is ever sized by the program (VAL_BUF). */
Value *val_scratch(uint32_t n);
#define VAL_BUF_SMALL 8
/* Declare `Value *name` with room for `count` values (count is evaluated
 * twice): a fixed C array when small, else val_scratch. */
#define VAL_BUF(name, count)                  \
    Value name##_small_[VAL_BUF_SMALL];       \
    Value *name = (count) <= VAL_BUF_SMALL ? name##_small_ : val_scratch((uint32_t)(count))

Value val_tuple(uint32_t n, const Value *items);
Value val_tuple2(Value a, Value b);
Value val_struct(const TypeDesc *td, const Value *fields);   /* td->nfields */
/* Nullary variants return td->variants[idx].singleton (must exist; the
 * loader creates it with val_make_singleton). */
Value val_variant(const TypeDesc *td, uint32_t idx, const Value *fields);
VariantObj *val_make_singleton(const TypeDesc *td, uint32_t idx); /* static */
Value val_range(int64_t start, int64_t end);
Value val_closure(const FuncInfo *fn, uint32_t ncap, const Value *caps);
/* A static, capture-free function object (named functions, builtins). */
Value val_func_static(const FuncInfo *fn);
/* Calling a builtin function value.  A builtin may carry captured values (a
 * library closure made with val_closure, e.g. the `next` of an HTTP
 * middleware chain): its C function then receives the call's arguments
 * followed by the captures (argc + ncap values). */
Value val_call_cfn_caps(const FuncObj *fo, int argc, Value *argv);
static inline Value val_call_cfn(const FuncObj *fo, int argc, Value *argv) {
    if (__builtin_expect(fo->ncap == 0, 1)) return fo->fn->cfn(argv, argc);
    return val_call_cfn_caps(fo, argc, argv);
}

/* ---- built-in sums ---- */
Value val_some(Value v);
Value val_none(void);
Value val_ok(Value v);
Value val_err(Value e);
Value val_err_cstr(const char *msg);     /* Err(String) */
Value val_ordering(int c);               /* <0 Less, 0 Equal, >0 Greater */
static inline bool val_is_some(Value v) { return v.tag == T_VARIANT && v.aux == OPT_SOME; }
static inline Value val_payload(Value v, uint32_t i) { return AS_VARIANT(v)->fields[i]; }

Value val_exit_reason(int xr);           /* nullary reasons (XR_*) */
Value val_exit_error(Value msg);         /* Error(String) */
Value val_exit_linked(uint64_t pid, Value reason);
Value val_sig_down(uint64_t ref, uint64_t pid, Value reason);
Value val_sig_exit(uint64_t pid, Value reason);
Value val_sig_node(int sig, Value node); /* SIG_NODEUP / SIG_NODEDOWN */

/* ---- comparisons ---- */
bool val_eq(Value a, Value b);
int val_cmp(Value a, Value b);
uint64_t val_hash(Value v);
/* Bitwise identity of two Values (same tag, aux and payload). */
static inline bool val_identical(Value a, Value b) {
    return a.tag == b.tag && a.aux == b.aux && a.u == b.u;
}
/* 64-bit finaliser used by every hash here. */
static inline uint64_t hash_mix(uint64_t x) {
    x ^= x >> 33; x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

#endif
