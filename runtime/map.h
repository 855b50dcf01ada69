/* map.h — persistent, insertion-ordered Map (T_MAP) and Set (T_SET).
 *
 * Design: Baker's "persistent array" rerooting.  A family of versions shares
 * one mutable MapTab (entries in insertion order + an open-addressing index).
 * Exactly one version of the family, the root, owns the table: the table
 * holds that version's contents.  Every other version is a diff node
 * "I am `next` with one change applied" (set a value, push/pop the last
 * entry, tombstone/untombstone an entry).  Accessing a non-root version
 * reroots the family: the diff path to the root is reversed and each change
 * applied to the table, so that version becomes the root.  In linear use
 * (`let m = Map.put(m, k, v)` in a loop, lookups on the newest version)
 * every operation is O(1) expected; old versions stay valid and unchanged
 * (accessing one costs its distance from the root, once).
 *
 * Rules kept here:
 *  - put on an existing key replaces the value at the same position; a new
 *    key is appended; delete tombstones the entry (order of the rest kept).
 *  - Keys are compared structurally (val_key_eq: Float by bit pattern) and
 *    hashed with val_key_hash; the hash is stored with each entry so
 *    rerooting, growth and copying never call user code.
 *  - Rerooting and table growth never allocate (the table of a family is
 *    always large enough for every version in it), so no collection can see
 *    a half-reversed path.
 *  - Static maps (GC_STATIC, e.g. Map.new()) are always roots and never
 *    mutated: updating one first copies it into a fresh heap family.
 *  - Compaction (too many tombstones) and growth with tombstones build a
 *    fresh family for the new version; the old versions keep the old table.
 */
#ifndef SNOW_MAP_H
#define SNOW_MAP_H

#include <stddef.h>
#include <stdint.h>
#include "value.h"

/* One entry.  Sets use only key+hash (entry stride 24 instead of 40). */
typedef struct MapEnt {
    Value key;     /* key.tag == T__COUNT: tombstone */
    uint64_t hash; /* val_key_hash(key) */
    Value val;     /* maps only */
} MapEnt;

typedef struct MapTab {
    Obj h;          /* OK_MAPTAB; xflags: 1 = set (no values) */
    uint32_t cap;   /* entry slots */
    uint32_t n;     /* entries used, tombstones included */
    uint32_t live;  /* live entries (== count of the root version) */
    uint32_t ibits; /* index has 1 << ibits slots; 0 = no index (small) */
    uint32_t esize; /* bytes per entry: 40 (map) or 24 (set) */
    uint32_t pad_;
    /* entries[cap] (esize bytes each), then uint64_t index[1 << ibits]:
     * slot = (hash32 << 32) | (entry + 1), 0 = empty, linear probing */
    unsigned char data[];
} MapTab;

enum { MOP_ROOT = 0, MOP_SETVAL, MOP_PUSH, MOP_POP, MOP_TOMB, MOP_UNTOMB };

typedef struct MapObj {
    Obj h;          /* OK_MAP or OK_SET; xflags = MOP_* */
    uint32_t count; /* live entries of this version */
    uint32_t ei;    /* diff: entry index */
    union {
        MapTab *tab;          /* root (NULL: empty, no table yet) */
        struct MapObj *next;  /* diff: the version this one differs from */
    };
    uint64_t hash;  /* diff payload */
    Value key, val; /* diff payload */
} MapObj;

#define AS_MAP(v) ((MapObj *)(v).o)

static inline size_t map_size(Value m) { return AS_MAP(m)->count; }

/* ---- Map ---- */
Value map_new(void);                       /* the static empty map */
Value map_put(Value m, Value k, Value v);
bool map_find(Value m, Value k, Value *out); /* false when absent */
Value map_get(Value m, Value k);           /* Map.get: 0/false/0.0 defaults, else panic */
/* Map.get when the evaluator knows the value type statically: *zero is the
 * result for a missing key (0, false, 0.0), NULL means panic
 * `Map.get: key not found`.  Preferred over map_get (which must guess the
 * value type from the map's other values). */
Value map_get_or(Value m, Value k, const Value *zero);
bool map_has_key(Value m, Value k);
Value map_delete(Value m, Value k);
Value map_keys(Value m);
Value map_values(Value m);
Value map_to_list(Value m);                /* [(k, v)] */
Value map_from_list(Value pairs);          /* List<(K, V)> */
Value map_from_pairs(const Value *kv, size_t n); /* kv[2i] => kv[2i+1], literal order */
Value map_merge(Value a, Value b);

/* Builders: a fresh map/set that no Snow code has seen yet, updated
 * destructively (parsers, literals, from_list).  Once published, use the
 * persistent operations only. */
Value mapb_new(size_t hint, bool set);
void mapb_put(Value m, Value k, Value v); /* v ignored for sets */

/* Iteration in insertion order, robust against updates of the iterated
 * version inside the loop body:
 *   MapIter it; map_iter_init(&it, m); Value k, v;
 *   while (map_iter_next(&it, &k, &v)) { ... }      (v ignored for sets) */
typedef struct MapIter {
    MapObj *m;
    uint32_t i;
} MapIter;
void map_iter_init(MapIter *it, Value m);
bool map_iter_next(MapIter *it, Value *k, Value *v);

/* ---- Set ---- */
Value set_new(void);
Value set_add(Value s, Value x);
Value set_remove(Value s, Value x);
bool set_contains(Value s, Value x);
static inline size_t set_size(Value s) { return AS_MAP(s)->count; }
Value set_union(Value a, Value b);
Value set_intersection(Value a, Value b);
Value set_difference(Value a, Value b);
Value set_to_list(Value s);
Value set_from_list(Value xs);

/* Structural equality / hashing of whole maps and sets (order-insensitive),
 * used by val_eq/val_hash. */
bool map_equal(Value a, Value b);
uint64_t map_hash(Value m);

/* Internal (also used by gc.c's message copy): make `m` the root of its
 * family (no allocation); the byte size of a table of `cap` entries; add
 * entry i to a table's index. */
void map_reroot(MapObj *m);
size_t maptab_size(uint32_t cap, bool set, uint32_t *ibits);
void maptab_index_insert(MapTab *t, uint64_t hash, uint32_t i);

#endif
