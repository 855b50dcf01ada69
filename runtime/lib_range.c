/* lib_range.c — the Range module (stdlib.md §7): half-open Int intervals
 * [start, end), empty when end <= start. */
#include "lib_util.h"
#include "list.h"
#include "stdlib_table.h"
#include "vals.h"

/* Number of elements, saturated at INT64_MAX (end - start may overflow). */
static int64_t range_len(Value r) {
    int64_t s = AS_RANGE(r)->start, e = AS_RANGE(r)->end, d;
    if (e <= s) return 0;
    if (__builtin_sub_overflow(e, s, &d)) return INT64_MAX;
    return d;
}

/* A builder sized for the range (panics cleanly when it cannot be a list). */
static void range_builder(ListBuilder *lb, Value r, int64_t *len) {
    *len = range_len(r);
    if ((uint64_t)*len > UINT32_MAX / 2) rt_panic("list too long (%lld elements)", (long long)*len);
    lb_init(lb, (size_t)*len);
}

static Value bi_range_new(Value *a, int n) {
    lib_need(a[0], T_INT, "Range.new", 1);
    lib_need(a[1], T_INT, "Range.new", 2);
    return val_range(a[0].i, a[1].i);
}

static Value bi_range_length(Value *a, int n) {
    lib_need(a[0], T_RANGE, "Range.length", 1);
    return v_int(range_len(a[0]));
}

static Value bi_range_to_list(Value *a, int n) {
    lib_need(a[0], T_RANGE, "Range.to_list", 1);
    ListBuilder lb;
    int64_t len, s = AS_RANGE(a[0])->start;
    range_builder(&lb, a[0], &len);
    for (int64_t i = 0; i < len; i++) lb_push(&lb, v_int(s + i));
    return lb_finish(&lb);
}

static Value bi_range_map(Value *a, int n) {
    lib_need(a[0], T_RANGE, "Range.map", 1);
    ListBuilder lb;
    int64_t len, s = AS_RANGE(a[0])->start;
    range_builder(&lb, a[0], &len);
    for (int64_t i = 0; i < len; i++) lb_push(&lb, lib_call1(a[1], v_int(s + i)));
    return lb_finish(&lb);
}

static Value bi_range_filter(Value *a, int n) {
    lib_need(a[0], T_RANGE, "Range.filter", 1);
    int64_t s = AS_RANGE(a[0])->start, len = range_len(a[0]);
    ListBuilder lb;
    lb_init(&lb, 0);
    for (int64_t i = 0; i < len; i++) {
        Value x = v_int(s + i);
        if (lib_truthy(lib_call1(a[1], x), "Range.filter")) lb_push(&lb, x);
    }
    return lb_finish(&lb);
}

/* ---- rows of the library table (stdlib_table.h) ---------------------------- */

static const StdFn range_lib[] = {
    {"Range", "new", "Fun(Int, Int) -> Range", bi_range_new, 2, SF_PREFIXED, "the half-open range [start, end)"},
    {"Range", "to_list", "Fun(Range) -> List<Int>", bi_range_to_list, 1, SF_PREFIXED, "the elements as a list"},
    {"Range", "map", "Fun(Range, Fun(Int) -> Int) -> List<Int>", bi_range_map, 2, SF_PREFIXED, "apply a function to every element"},
    {"Range", "filter", "Fun(Range, Fun(Int) -> Bool) -> List<Int>", bi_range_filter, 2, SF_PREFIXED, "keep the elements satisfying a predicate"},
    {"Range", "length", "Fun(Range) -> Int", bi_range_length, 1, SF_PREFIXED, "number of elements"},
};
STDLIB_REGISTER(range_lib)
