/* lib_list.c — the List module and the prelude's map/filter/reduce/head/tail
 * (stdlib.md §3).
 *
 * Lists are contiguous slices (list.h), so every function walks
 * list_items() directly and builds its result with a ListBuilder sized in
 * advance.  Callbacks go through rt_apply and may panic (a longjmp): all
 * temporary storage is GC memory reachable from this C frame, never
 * malloc, so a panic leaks nothing and a collection inside a callback sees
 * every value.  Callbacks are applied in list order, from the first
 * element, exactly once per element (any/all/find stop early). */
#include <string.h>

#include "gc.h"
#include "lib_util.h"
#include "list.h"
#include "stdlib_table.h"
#include "vals.h"

#define NEED_LIST(v, fn, i) lib_need((v), T_LIST, (fn), (i))

static Value bi_list_new(Value *a, int n) { return list_empty(); }

static Value bi_list_length(Value *a, int n) {
    NEED_LIST(a[0], "List.length", 1);
    return v_int((int64_t)list_len(a[0]));
}

static Value bi_list_append(Value *a, int n) {
    NEED_LIST(a[0], "List.append", 1);
    return list_append(a[0], a[1]);
}

static Value bi_list_head(Value *a, int n) {
    NEED_LIST(a[0], "List.head", 1);
    return list_head(a[0]);
}

static Value bi_list_tail(Value *a, int n) {
    NEED_LIST(a[0], "List.tail", 1);
    return list_tail(a[0]);
}

static Value bi_list_last(Value *a, int n) {
    NEED_LIST(a[0], "List.last", 1);
    return list_last(a[0]);
}

static Value bi_list_get(Value *a, int n) {
    NEED_LIST(a[0], "List.get", 1);
    lib_need(a[1], T_INT, "List.get", 2);
    return list_get_checked(a[0], a[1].i, "List.get");
}

static Value bi_list_nth(Value *a, int n) {
    NEED_LIST(a[0], "List.nth", 1);
    lib_need(a[1], T_INT, "List.nth", 2);
    return list_get_checked(a[0], a[1].i, "List.nth");
}

static Value bi_list_concat(Value *a, int n) {
    NEED_LIST(a[0], "List.concat", 1);
    NEED_LIST(a[1], "List.concat", 2);
    return list_concat(a[0], a[1]);
}

static Value bi_list_reverse(Value *a, int n) {
    NEED_LIST(a[0], "List.reverse", 1);
    return list_reverse(a[0]);
}

/* ---- higher-order ------------------------------------------------------------ */

static Value bi_list_map(Value *a, int n) {
    NEED_LIST(a[0], "List.map", 1);
    Value xs = a[0], f = a[1];
    size_t len = list_len(xs);
    if (len == 0) return xs;
    const Value *it = list_items(xs);
    ListBuilder lb;
    lb_init(&lb, len);
    for (size_t i = 0; i < len; i++) lb_push(&lb, lib_call1(f, it[i]));
    return lb_finish(&lb);
}

/* The elements satisfying p; xs itself when all do (no copy). */
static Value filter_list(Value xs, Value p, const char *fn) {
    size_t len = list_len(xs);
    const Value *it = list_items(xs);
    ListBuilder lb;
    size_t i = 0;
    while (i < len && lib_truthy(lib_call1(p, it[i]), fn)) i++;
    if (i == len) return xs;
    lb_init(&lb, len - 1);
    for (size_t k = 0; k < i; k++) lb_push(&lb, it[k]);
    for (i++; i < len; i++)
        if (lib_truthy(lib_call1(p, it[i]), fn)) lb_push(&lb, it[i]);
    return lb_finish(&lb);
}

static Value bi_list_filter(Value *a, int n) {
    NEED_LIST(a[0], "List.filter", 1);
    return filter_list(a[0], a[1], "List.filter");
}

static Value bi_list_reduce(Value *a, int n) {
    NEED_LIST(a[0], "List.reduce", 1);
    Value xs = a[0], acc = a[1], f = a[2];
    size_t len = list_len(xs);
    const Value *it = list_items(xs);
    for (size_t i = 0; i < len; i++) acc = lib_call2(f, acc, it[i]);
    return acc;
}

static Value bi_list_find(Value *a, int n) {
    NEED_LIST(a[0], "List.find", 1);
    size_t len = list_len(a[0]);
    const Value *it = list_items(a[0]);
    for (size_t i = 0; i < len; i++)
        if (lib_truthy(lib_call1(a[1], it[i]), "List.find")) return val_some(it[i]);
    return val_none();
}

static Value bi_list_any(Value *a, int n) {
    NEED_LIST(a[0], "List.any", 1);
    size_t len = list_len(a[0]);
    const Value *it = list_items(a[0]);
    for (size_t i = 0; i < len; i++)
        if (lib_truthy(lib_call1(a[1], it[i]), "List.any")) return v_bool(true);
    return v_bool(false);
}

static Value bi_list_all(Value *a, int n) {
    NEED_LIST(a[0], "List.all", 1);
    size_t len = list_len(a[0]);
    const Value *it = list_items(a[0]);
    for (size_t i = 0; i < len; i++)
        if (!lib_truthy(lib_call1(a[1], it[i]), "List.all")) return v_bool(false);
    return v_bool(true);
}

static Value bi_list_contains(Value *a, int n) {
    NEED_LIST(a[0], "List.contains", 1);
    size_t len = list_len(a[0]);
    const Value *it = list_items(a[0]);
    Value x = a[1];
    if (x.tag == T_INT) { /* the common case without a call per element */
        for (size_t i = 0; i < len; i++)
            if (it[i].tag == T_INT && it[i].i == x.i) return v_bool(true);
        return v_bool(false);
    }
    for (size_t i = 0; i < len; i++)
        if (val_eq(it[i], x)) return v_bool(true);
    return v_bool(false);
}

/* ---- sort: stable merge sort with a Snow comparator ------------------------------ */

/* The comparator says a > b (so b must come first). */
static inline bool greater(Value cmp, Value x, Value y) {
    Value r = lib_call2(cmp, x, y);
    if (__builtin_expect(r.tag != T_INT, 0)) lib_bad_arg("List.sort", 0, T_INT, r);
    return r.i > 0;
}

/* Binary insertion sort of v[0..n): few comparisons (they are Snow calls);
 * an element goes after every element it is not smaller than (stable).
 * Sorted runs cost one comparison per element. */
static void insertion_sort(Value *v, size_t n, Value cmp) {
    for (size_t i = 1; i < n; i++) {
        Value x = v[i];
        if (!greater(cmp, v[i - 1], x)) continue; /* in order already: one call */
        size_t lo = 0, hi = i - 1;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (greater(cmp, v[mid], x)) hi = mid;
            else lo = mid + 1;
        }
        memmove(v + lo + 1, v + lo, (i - lo) * sizeof(Value));
        v[lo] = x;
    }
}

/* Sort v[0..n) using tmp[0..n/2] as scratch; the result ends in v. */
static void merge_sort(Value *v, Value *tmp, size_t n, Value cmp) {
    if (n <= 12) {
        insertion_sort(v, n, cmp);
        return;
    }
    size_t h = n / 2;
    merge_sort(v, tmp, h, cmp);
    merge_sort(v + h, tmp, n - h, cmp);
    if (!greater(cmp, v[h - 1], v[h])) return; /* already in order */
    memcpy(tmp, v, h * sizeof(Value));
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n) {
        if (greater(cmp, tmp[i], v[j])) v[k++] = v[j++];
        else v[k++] = tmp[i++];
    }
    while (i < h) v[k++] = tmp[i++];
}

static Value bi_list_sort(Value *a, int n) {
    NEED_LIST(a[0], "List.sort", 1);
    Value xs = a[0], cmp = a[1];
    size_t len = list_len(xs);
    if (len < 2) return xs;
    /* result and scratch are GC buffers: marked up to `hi` while the
     * comparator runs (and may collect) */
    ListBuf *res = listbuf_alloc(len);
    memcpy(res->items, list_items(xs), len * sizeof(Value));
    res->hi = (uint32_t)len;
    ListBuf *tmp = listbuf_alloc(len / 2 + 1);
    memcpy(tmp->items, res->items, (len / 2 + 1) * sizeof(Value));
    tmp->hi = (uint32_t)(len / 2 + 1);
    merge_sort(res->items, tmp->items, len, cmp);
    return listslice_view(OK_LIST, T_LIST, res, 0, len);
}

/* ---- structure ---------------------------------------------------------------------- */

static Value bi_list_zip(Value *a, int n) {
    NEED_LIST(a[0], "List.zip", 1);
    NEED_LIST(a[1], "List.zip", 2);
    size_t la = list_len(a[0]), lb_ = list_len(a[1]), len = la < lb_ ? la : lb_;
    const Value *x = list_items(a[0]), *y = list_items(a[1]);
    ListBuilder lb;
    lb_init(&lb, len);
    for (size_t i = 0; i < len; i++) lb_push(&lb, val_tuple2(x[i], y[i]));
    return lb_finish(&lb);
}

static Value bi_list_flat_map(Value *a, int n) {
    NEED_LIST(a[0], "List.flat_map", 1);
    Value xs = a[0], f = a[1];
    size_t len = list_len(xs);
    const Value *it = list_items(xs);
    ListBuilder lb;
    lb_init(&lb, len);
    for (size_t i = 0; i < len; i++) {
        Value ys = lib_call1(f, it[i]);
        if (ys.tag != T_LIST) lib_bad_arg("List.flat_map", 0, T_LIST, ys);
        size_t m = list_len(ys);
        const Value *y = list_items(ys);
        for (size_t k = 0; k < m; k++) lb_push(&lb, y[k]);
    }
    return lb_finish(&lb);
}

static Value bi_list_flatten(Value *a, int n) {
    NEED_LIST(a[0], "List.flatten", 1);
    size_t len = list_len(a[0]), total = 0;
    const Value *it = list_items(a[0]);
    for (size_t i = 0; i < len; i++) {
        NEED_LIST(it[i], "List.flatten", 1);
        total += list_len(it[i]);
    }
    ListBuilder lb;
    lb_init(&lb, total);
    for (size_t i = 0; i < len; i++) {
        size_t m = list_len(it[i]);
        const Value *y = list_items(it[i]);
        for (size_t k = 0; k < m; k++) lb_push(&lb, y[k]);
    }
    return lb_finish(&lb);
}

static Value bi_list_enumerate(Value *a, int n) {
    NEED_LIST(a[0], "List.enumerate", 1);
    size_t len = list_len(a[0]);
    const Value *it = list_items(a[0]);
    ListBuilder lb;
    lb_init(&lb, len);
    for (size_t i = 0; i < len; i++) lb_push(&lb, val_tuple2(v_int((int64_t)i), it[i]));
    return lb_finish(&lb);
}

static Value bi_list_take(Value *a, int n) {
    NEED_LIST(a[0], "List.take", 1);
    lib_need(a[1], T_INT, "List.take", 2);
    return list_take(a[0], a[1].i);
}

static Value bi_list_drop(Value *a, int n) {
    NEED_LIST(a[0], "List.drop", 1);
    lib_need(a[1], T_INT, "List.drop", 2);
    return list_drop(a[0], a[1].i);
}

/* ---- rows of the library table (stdlib_table.h) ---------------------------- */

static const StdFn list_lib[] = {
    {"List", "new", "Fun() -> List<T>", bi_list_new, 0, SF_PREFIXED, "an empty list"},
    {"List", "length", "Fun(List<T>) -> Int", bi_list_length, 1, SF_PREFIXED, "number of elements"},
    {"List", "append", "Fun(List<T>, T) -> List<T>", bi_list_append, 2, SF_PREFIXED, "add an element at the end"},
    {"List", "head", "Fun(List<T>) -> T", bi_list_head, 1, SF_PREFIXED|SF_PRELUDE, "the first element (panics on [])"},
    {"List", "tail", "Fun(List<T>) -> List<T>", bi_list_tail, 1, SF_PREFIXED|SF_PRELUDE, "all but the first element (panics on [])"},
    {"List", "last", "Fun(List<T>) -> T", bi_list_last, 1, SF_PREFIXED, "the last element (panics on [])"},
    {"List", "get", "Fun(List<T>, Int) -> T", bi_list_get, 2, SF_PREFIXED, "the element at an index (panics when out of bounds)"},
    {"List", "nth", "Fun(List<T>, Int) -> T", bi_list_nth, 2, SF_PREFIXED, "same as List.get"},
    {"List", "concat", "Fun(List<T>, List<T>) -> List<T>", bi_list_concat, 2, SF_PREFIXED, "the elements of both lists"},
    {"List", "reverse", "Fun(List<T>) -> List<T>", bi_list_reverse, 1, SF_PREFIXED, "the elements in reverse order"},
    {"List", "map", "Fun(List<T>, Fun(T) -> U) -> List<U>", bi_list_map, 2, SF_PREFIXED|SF_PRELUDE, "apply a function to every element"},
    {"List", "filter", "Fun(List<T>, Fun(T) -> Bool) -> List<T>", bi_list_filter, 2, SF_PREFIXED|SF_PRELUDE, "keep the elements satisfying a predicate"},
    {"List", "reduce", "Fun(List<T>, U, Fun(U, T) -> U) -> U", bi_list_reduce, 3, SF_PREFIXED|SF_PRELUDE, "fold from the left"},
    {"List", "sort", "Fun(List<T>, Fun(T, T) -> Int) -> List<T>", bi_list_sort, 2, SF_PREFIXED, "stable sort with a comparator returning <0, 0, >0"},
    {"List", "find", "Fun(List<T>, Fun(T) -> Bool) -> Option<T>", bi_list_find, 2, SF_PREFIXED, "the first element satisfying a predicate"},
    {"List", "any", "Fun(List<T>, Fun(T) -> Bool) -> Bool", bi_list_any, 2, SF_PREFIXED, "does some element satisfy the predicate?"},
    {"List", "all", "Fun(List<T>, Fun(T) -> Bool) -> Bool", bi_list_all, 2, SF_PREFIXED, "do all elements satisfy the predicate?"},
    {"List", "contains", "Fun(List<T>, T) -> Bool where T: Eq", bi_list_contains, 2, SF_PREFIXED, "is the value an element (==)?"},
    {"List", "zip", "Fun(List<T>, List<U>) -> List<(T, U)>", bi_list_zip, 2, SF_PREFIXED, "pair elements by position"},
    {"List", "flat_map", "Fun(List<T>, Fun(T) -> List<U>) -> List<U>", bi_list_flat_map, 2, SF_PREFIXED, "map then flatten"},
    {"List", "flatten", "Fun(List<List<T>>) -> List<T>", bi_list_flatten, 1, SF_PREFIXED, "concatenate a list of lists"},
    {"List", "enumerate", "Fun(List<T>) -> List<(Int, T)>", bi_list_enumerate, 1, SF_PREFIXED, "pair each element with its index"},
    {"List", "take", "Fun(List<T>, Int) -> List<T>", bi_list_take, 2, SF_PREFIXED, "the first n elements"},
    {"List", "drop", "Fun(List<T>, Int) -> List<T>", bi_list_drop, 2, SF_PREFIXED, "all but the first n elements"},
};
STDLIB_REGISTER(list_lib)
