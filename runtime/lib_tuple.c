/* lib_tuple.c — the Tuple module (stdlib.md §8): positional access to a
 * tuple of any arity.  The type checker types the results as Int (the
 * original's signatures); at run time the element is returned as it is. */
#include "lib_util.h"
#include "stdlib_table.h"

static Value nth(Value t, int64_t i, const char *fn) {
    lib_need(t, T_TUPLE, fn, 1);
    uint32_t len = AS_TUPLE(t)->n;
    if (i < 0 || (uint64_t)i >= len) rt_panic("%s: index %lld out of bounds (size %u)", fn, (long long)i, len);
    return AS_TUPLE(t)->items[i];
}

static Value bi_tuple_nth(Value *a, int n) {
    lib_need(a[1], T_INT, "Tuple.nth", 2);
    return nth(a[0], a[1].i, "Tuple.nth");
}

static Value bi_tuple_first(Value *a, int n) { return nth(a[0], 0, "Tuple.first"); }
static Value bi_tuple_second(Value *a, int n) { return nth(a[0], 1, "Tuple.second"); }

static Value bi_tuple_size(Value *a, int n) {
    lib_need(a[0], T_TUPLE, "Tuple.size", 1);
    return v_int(AS_TUPLE(a[0])->n);
}

/* ---- rows of the library table (stdlib_table.h) ---------------------------- */

static const StdFn tuple_lib[] = {
    {"Tuple", "nth", "Fun(Tuple, Int) -> Int", bi_tuple_nth, 2, SF_PREFIXED, "element i of a tuple (Int elements)"},
    {"Tuple", "first", "Fun(Tuple) -> Int", bi_tuple_first, 1, SF_PREFIXED, "element 0 of a tuple (Int elements)"},
    {"Tuple", "second", "Fun(Tuple) -> Int", bi_tuple_second, 1, SF_PREFIXED, "element 1 of a tuple (Int elements)"},
    {"Tuple", "size", "Fun(Tuple) -> Int", bi_tuple_size, 1, SF_PREFIXED, "number of elements"},
};
STDLIB_REGISTER(tuple_lib)
