/* lib_map.c — the Map module (stdlib.md §4): thin wrappers over the
 * persistent insertion-ordered maps of map.h, which own the ordering rules
 * (put replaces in place, delete keeps the order of the rest, merge and
 * from_list keep first positions). */
#include "lib_util.h"
#include "list.h"
#include "map.h"
#include "stdlib_table.h"

#define NEED_MAP(v, fn, i) lib_need((v), T_MAP, (fn), (i))

static Value bi_map_new(Value *a, int n) { return map_new(); }

static Value bi_map_put(Value *a, int n) {
    NEED_MAP(a[0], "Map.put", 1);
    return map_put(a[0], a[1], a[2]);
}

/* Map.get when the value type was not known statically (the evaluator's
 * typed path calls map_get_or): map_get guesses the zero from the map. */
static Value bi_map_get(Value *a, int n) {
    NEED_MAP(a[0], "Map.get", 1);
    return map_get(a[0], a[1]);
}

static Value bi_map_has_key(Value *a, int n) {
    NEED_MAP(a[0], "Map.has_key", 1);
    return v_bool(map_has_key(a[0], a[1]));
}

static Value bi_map_delete(Value *a, int n) {
    NEED_MAP(a[0], "Map.delete", 1);
    return map_delete(a[0], a[1]);
}

static Value bi_map_size(Value *a, int n) {
    NEED_MAP(a[0], "Map.size", 1);
    return v_int((int64_t)map_size(a[0]));
}

static Value bi_map_keys(Value *a, int n) {
    NEED_MAP(a[0], "Map.keys", 1);
    return map_keys(a[0]);
}

static Value bi_map_values(Value *a, int n) {
    NEED_MAP(a[0], "Map.values", 1);
    return map_values(a[0]);
}

static Value bi_map_merge(Value *a, int n) {
    NEED_MAP(a[0], "Map.merge", 1);
    NEED_MAP(a[1], "Map.merge", 2);
    return map_merge(a[0], a[1]);
}

static Value bi_map_to_list(Value *a, int n) {
    NEED_MAP(a[0], "Map.to_list", 1);
    return map_to_list(a[0]);
}

static Value bi_map_from_list(Value *a, int n) {
    lib_need(a[0], T_LIST, "Map.from_list", 1);
    size_t len = list_len(a[0]);
    const Value *it = list_items(a[0]);
    for (size_t i = 0; i < len; i++) {
        lib_need(it[i], T_TUPLE, "Map.from_list", 1);
        if (AS_TUPLE(it[i])->n != 2) rt_panic("Map.from_list: expected pairs, got a %u-tuple", AS_TUPLE(it[i])->n);
    }
    return map_from_list(a[0]);
}

/* ---- rows of the library table (stdlib_table.h) ---------------------------- */

static const StdFn map_lib[] = {
    {"Map", "new", "Fun() -> Map<K, V>", bi_map_new, 0, SF_PREFIXED, "an empty map"},
    {"Map", "put", "Fun(Map<K, V>, K, V) -> Map<K, V>", bi_map_put, 3, SF_PREFIXED, "insert or replace a key"},
    {"Map", "get", "Fun(Map<K, V>, K) -> V", bi_map_get, 2, SF_PREFIXED|SF_SPECIAL, "the value of a key (0/false/0.0 or a panic when missing)"},
    {"Map", "has_key", "Fun(Map<K, V>, K) -> Bool", bi_map_has_key, 2, SF_PREFIXED, "is the key present?"},
    {"Map", "delete", "Fun(Map<K, V>, K) -> Map<K, V>", bi_map_delete, 2, SF_PREFIXED, "remove a key"},
    {"Map", "size", "Fun(Map<K, V>) -> Int", bi_map_size, 1, SF_PREFIXED, "number of entries"},
    {"Map", "keys", "Fun(Map<K, V>) -> List<K>", bi_map_keys, 1, SF_PREFIXED, "keys in insertion order"},
    {"Map", "values", "Fun(Map<K, V>) -> List<V>", bi_map_values, 1, SF_PREFIXED, "values in insertion order"},
    {"Map", "merge", "Fun(Map<K, V>, Map<K, V>) -> Map<K, V>", bi_map_merge, 2, SF_PREFIXED, "entries of both maps, the second winning"},
    {"Map", "to_list", "Fun(Map<K, V>) -> List<(K, V)>", bi_map_to_list, 1, SF_PREFIXED, "entries as pairs in insertion order"},
    {"Map", "from_list", "Fun(List<(K, V)>) -> Map<K, V>", bi_map_from_list, 1, SF_PREFIXED, "a map from pairs"},
};
STDLIB_REGISTER(map_lib)
