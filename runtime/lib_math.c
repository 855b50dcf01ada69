/* lib_math.c — Math, Int and Float (stdlib.md §10).
 *
 * abs/min/max are generic over Int and Float: they dispatch on the value
 * tag.  Float -> Int conversions (floor, ceil, round, Float.to_int)
 * truncate the Float result toward zero, saturate at the Int range and map
 * NaN to 0 (the recommended behaviour of §10).  round rounds halves away
 * from zero (C round()). */
#include <math.h>

#include "lib_util.h"
#include "stdlib_table.h"

static _Noreturn void not_num(const char *fn, Value v) {
    rt_panic("%s: expected an Int or a Float, got a %s", fn, lib_tag_name(v.tag));
}

/* Saturating, NaN-to-zero conversion of an integral (or any) double. */
static int64_t to_int_sat(double d) {
    if (isnan(d)) return 0;
    if (d >= 9223372036854775808.0) return INT64_MAX;
    if (d < -9223372036854775808.0) return INT64_MIN;
    return (int64_t)d;
}

static double need_float(Value v, const char *fn, int i) {
    lib_need(v, T_FLOAT, fn, i);
    return v.f;
}

static Value bi_math_abs(Value *a, int n) {
    Value x = a[0];
    if (x.tag == T_INT) return v_int(x.i < 0 ? (int64_t)(0 - (uint64_t)x.i) : x.i); /* -2^63 wraps */
    if (x.tag == T_FLOAT) return v_float(fabs(x.f));
    not_num("Math.abs", x);
}

static Value min_max(Value *a, bool want_max, const char *fn) {
    Value x = a[0], y = a[1];
    if (x.tag == T_INT && y.tag == T_INT) return (x.i < y.i) != want_max ? x : y;
    if (x.tag == T_FLOAT && y.tag == T_FLOAT) return v_float(want_max ? fmax(x.f, y.f) : fmin(x.f, y.f));
    not_num(fn, x.tag == T_INT || x.tag == T_FLOAT ? y : x);
}

static Value bi_math_min(Value *a, int n) { return min_max(a, false, "Math.min"); }
static Value bi_math_max(Value *a, int n) { return min_max(a, true, "Math.max"); }

/* SF_CONST: called with no arguments. */
static Value bi_math_pi(Value *a, int n) { return v_float(3.141592653589793); }

static Value bi_math_pow(Value *a, int n) {
    return v_float(pow(need_float(a[0], "Math.pow", 1), need_float(a[1], "Math.pow", 2)));
}

static Value bi_math_sqrt(Value *a, int n) { return v_float(sqrt(need_float(a[0], "Math.sqrt", 1))); }
static Value bi_math_floor(Value *a, int n) { return v_int(to_int_sat(floor(need_float(a[0], "Math.floor", 1)))); }
static Value bi_math_ceil(Value *a, int n) { return v_int(to_int_sat(ceil(need_float(a[0], "Math.ceil", 1)))); }
static Value bi_math_round(Value *a, int n) { return v_int(to_int_sat(round(need_float(a[0], "Math.round", 1)))); }

static Value bi_int_to_float(Value *a, int n) {
    lib_need(a[0], T_INT, "Int.to_float", 1);
    return v_float((double)a[0].i);
}

static Value bi_float_to_int(Value *a, int n) { return v_int(to_int_sat(need_float(a[0], "Float.to_int", 1))); }

/* ---- rows of the library table (stdlib_table.h) ---------------------------- */

static const StdFn math_lib[] = {
    {"Math", "abs", "Fun(T) -> T where T: Num", bi_math_abs, 1, 0, "absolute value"},
    {"Math", "min", "Fun(T, T) -> T where T: Num", bi_math_min, 2, 0, "the smaller value"},
    {"Math", "max", "Fun(T, T) -> T where T: Num", bi_math_max, 2, 0, "the larger value"},
    {"Math", "pi", "Float", bi_math_pi, -1, SF_CONST, "3.141592653589793"},
    {"Math", "pow", "Fun(Float, Float) -> Float", bi_math_pow, 2, 0, "b raised to the power e"},
    {"Math", "sqrt", "Fun(Float) -> Float", bi_math_sqrt, 1, 0, "square root"},
    {"Math", "floor", "Fun(Float) -> Int", bi_math_floor, 1, 0, "round down to an Int"},
    {"Math", "ceil", "Fun(Float) -> Int", bi_math_ceil, 1, 0, "round up to an Int"},
    {"Math", "round", "Fun(Float) -> Int", bi_math_round, 1, 0, "round half away from zero to an Int"},
    {"Int", "to_float", "Fun(Int) -> Float", bi_int_to_float, 1, 0, "convert to Float"},
    {"Float", "to_int", "Fun(Float) -> Int", bi_float_to_int, 1, 0, "truncate toward zero"},
};
STDLIB_REGISTER(math_lib)
