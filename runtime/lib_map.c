/* lib_map.c — the Map module (stdlib.md §4): thin wrappers over the
 * persistent insertion-ordered maps of map.h, which own the ordering rules
 * (put replaces in place, delete keeps the order of the rest, merge and
 * from_list keep first positions). */
#include "lib.h"
#include "lib_util.h"
#include "list.h"
#include "map.h"

#define NEED_MAP(v, fn, i) lib_need((v), T_MAP, (fn), (i))

Value bi_map_new(Value *a, int n) { return map_new(); }

Value bi_map_put(Value *a, int n) {
    NEED_MAP(a[0], "Map.put", 1);
    return map_put(a[0], a[1], a[2]);
}

/* Map.get when the value type was not known statically (the evaluator's
 * typed path calls map_get_or): map_get guesses the zero from the map. */
Value bi_map_get(Value *a, int n) {
    NEED_MAP(a[0], "Map.get", 1);
    return map_get(a[0], a[1]);
}

Value bi_map_has_key(Value *a, int n) {
    NEED_MAP(a[0], "Map.has_key", 1);
    return v_bool(map_has_key(a[0], a[1]));
}

Value bi_map_delete(Value *a, int n) {
    NEED_MAP(a[0], "Map.delete", 1);
    return map_delete(a[0], a[1]);
}

Value bi_map_size(Value *a, int n) {
    NEED_MAP(a[0], "Map.size", 1);
    return v_int((int64_t)map_size(a[0]));
}

Value bi_map_keys(Value *a, int n) {
    NEED_MAP(a[0], "Map.keys", 1);
    return map_keys(a[0]);
}

Value bi_map_values(Value *a, int n) {
    NEED_MAP(a[0], "Map.values", 1);
    return map_values(a[0]);
}

Value bi_map_merge(Value *a, int n) {
    NEED_MAP(a[0], "Map.merge", 1);
    NEED_MAP(a[1], "Map.merge", 2);
    return map_merge(a[0], a[1]);
}

Value bi_map_to_list(Value *a, int n) {
    NEED_MAP(a[0], "Map.to_list", 1);
    return map_to_list(a[0]);
}

Value bi_map_from_list(Value *a, int n) {
    lib_need(a[0], T_LIST, "Map.from_list", 1);
    size_t len = list_len(a[0]);
    const Value *it = list_items(a[0]);
    for (size_t i = 0; i < len; i++) {
        lib_need(it[i], T_TUPLE, "Map.from_list", 1);
        if (AS_TUPLE(it[i])->n != 2) rt_panic("Map.from_list: expected pairs, got a %u-tuple", AS_TUPLE(it[i])->n);
    }
    return map_from_list(a[0]);
}
