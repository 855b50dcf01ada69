/* lib_set.c — the Set module (stdlib.md §5 with decision 17: elements of
 * any type with equality and hashing): thin wrappers over map.h's
 * insertion-ordered persistent sets. */
#include "lib.h"
#include "lib_util.h"
#include "map.h"

#define NEED_SET(v, fn, i) lib_need((v), T_SET, (fn), (i))

Value bi_set_new(Value *a, int n) { return set_new(); }

Value bi_set_add(Value *a, int n) {
    NEED_SET(a[0], "Set.add", 1);
    return set_add(a[0], a[1]);
}

Value bi_set_remove(Value *a, int n) {
    NEED_SET(a[0], "Set.remove", 1);
    return set_remove(a[0], a[1]);
}

Value bi_set_contains(Value *a, int n) {
    NEED_SET(a[0], "Set.contains", 1);
    return v_bool(set_contains(a[0], a[1]));
}

Value bi_set_size(Value *a, int n) {
    NEED_SET(a[0], "Set.size", 1);
    return v_int((int64_t)set_size(a[0]));
}

Value bi_set_union(Value *a, int n) {
    NEED_SET(a[0], "Set.union", 1);
    NEED_SET(a[1], "Set.union", 2);
    return set_union(a[0], a[1]);
}

Value bi_set_intersection(Value *a, int n) {
    NEED_SET(a[0], "Set.intersection", 1);
    NEED_SET(a[1], "Set.intersection", 2);
    return set_intersection(a[0], a[1]);
}

Value bi_set_difference(Value *a, int n) {
    NEED_SET(a[0], "Set.difference", 1);
    NEED_SET(a[1], "Set.difference", 2);
    return set_difference(a[0], a[1]);
}

Value bi_set_to_list(Value *a, int n) {
    NEED_SET(a[0], "Set.to_list", 1);
    return set_to_list(a[0]);
}

Value bi_set_from_list(Value *a, int n) {
    lib_need(a[0], T_LIST, "Set.from_list", 1);
    return set_from_list(a[0]);
}
