/* lib_set.c — the Set module (stdlib.md §5 with decision 17: elements of
 * any type with equality and hashing): thin wrappers over map.h's
 * insertion-ordered persistent sets. */
#include "lib_util.h"
#include "map.h"
#include "stdlib_table.h"

#define NEED_SET(v, fn, i) lib_need((v), T_SET, (fn), (i))

static Value bi_set_new(Value *a, int n) { return set_new(); }

static Value bi_set_add(Value *a, int n) {
    NEED_SET(a[0], "Set.add", 1);
    return set_add(a[0], a[1]);
}

static Value bi_set_remove(Value *a, int n) {
    NEED_SET(a[0], "Set.remove", 1);
    return set_remove(a[0], a[1]);
}

static Value bi_set_contains(Value *a, int n) {
    NEED_SET(a[0], "Set.contains", 1);
    return v_bool(set_contains(a[0], a[1]));
}

static Value bi_set_size(Value *a, int n) {
    NEED_SET(a[0], "Set.size", 1);
    return v_int((int64_t)set_size(a[0]));
}

static Value bi_set_union(Value *a, int n) {
    NEED_SET(a[0], "Set.union", 1);
    NEED_SET(a[1], "Set.union", 2);
    return set_union(a[0], a[1]);
}

static Value bi_set_intersection(Value *a, int n) {
    NEED_SET(a[0], "Set.intersection", 1);
    NEED_SET(a[1], "Set.intersection", 2);
    return set_intersection(a[0], a[1]);
}

static Value bi_set_difference(Value *a, int n) {
    NEED_SET(a[0], "Set.difference", 1);
    NEED_SET(a[1], "Set.difference", 2);
    return set_difference(a[0], a[1]);
}

static Value bi_set_to_list(Value *a, int n) {
    NEED_SET(a[0], "Set.to_list", 1);
    return set_to_list(a[0]);
}

static Value bi_set_from_list(Value *a, int n) {
    lib_need(a[0], T_LIST, "Set.from_list", 1);
    return set_from_list(a[0]);
}

/* ---- rows of the library table (stdlib_table.h) ---------------------------- */

static const StdFn set_lib[] = {
    {"Set", "new", "Fun() -> Set<T>", bi_set_new, 0, SF_PREFIXED, "an empty set"},
    {"Set", "add", "Fun(Set<T>, T) -> Set<T>", bi_set_add, 2, SF_PREFIXED, "add an element"},
    {"Set", "remove", "Fun(Set<T>, T) -> Set<T>", bi_set_remove, 2, SF_PREFIXED, "remove an element"},
    {"Set", "contains", "Fun(Set<T>, T) -> Bool", bi_set_contains, 2, SF_PREFIXED, "is it an element?"},
    {"Set", "size", "Fun(Set<T>) -> Int", bi_set_size, 1, SF_PREFIXED, "number of elements"},
    {"Set", "union", "Fun(Set<T>, Set<T>) -> Set<T>", bi_set_union, 2, SF_PREFIXED, "elements of either set"},
    {"Set", "intersection", "Fun(Set<T>, Set<T>) -> Set<T>", bi_set_intersection, 2, SF_PREFIXED, "elements of both sets"},
    {"Set", "difference", "Fun(Set<T>, Set<T>) -> Set<T>", bi_set_difference, 2, SF_PREFIXED, "elements of the first set not in the second"},
    {"Set", "to_list", "Fun(Set<T>) -> List<T>", bi_set_to_list, 1, SF_PREFIXED, "elements in insertion order"},
    {"Set", "from_list", "Fun(List<T>) -> Set<T>", bi_set_from_list, 1, SF_PREFIXED, "a set from a list (first occurrences kept)"},
};
STDLIB_REGISTER(set_lib)
