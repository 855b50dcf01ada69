/* test_map.c — persistent insertion-ordered maps and sets. */
#include "harness.h"
#include "rt_test.h"

#include <math.h>
#include <stdlib.h>

TEST(spec_examples) {
    Value m = map_put(map_put(map_new(), S("name"), S("Alice")), S("city"), S("Portland"));
    CHECK_EQ_STR(CSTR(map_get(m, S("name"))), "Alice");
    CHECK_EQ_INT(map_size(m), 2);
    CHECK(map_has_key(m, S("name")));
    CHECK_EQ_STR(CSTR(map_get(map_put(m, S("name"), S("Bob")), S("name"))), "Bob");
    CHECK_EQ_STR(CSTR(map_get(m, S("name"))), "Alice"); /* old version intact */
    Value m1 = map_put(map_put(map_new(), v_int(1), v_int(10)), v_int(2), v_int(20));
    Value m2 = map_put(map_put(map_new(), v_int(2), v_int(200)), v_int(3), v_int(30));
    Value merged = map_merge(m1, m2);
    CHECK_EQ_INT(map_size(merged), 3);
    CHECK_EQ_INT(map_get(merged, v_int(2)).i, 200);
    CHECK_EQ_STR(DISP(merged), "%{1 => 10, 2 => 200, 3 => 30}");
    CHECK_EQ_INT(map_get(map_from_list(map_to_list(m1)), v_int(2)).i, 20);
    CHECK_EQ_STR(DISP(map_from_pairs((Value[]){S("name"), S("Alice")}, 1)), "%{name => Alice}");
    /* missing keys: zero of Int values, panic otherwise */
    CHECK_EQ_INT(map_get(m1, v_int(99)).i, 0);
    int p;
    RT_EXPECT_PANIC(map_get(m, S("nope")), p);
    CHECK(p);
    CHECK_EQ_STR(rt_test_panic_msg, "Map.get: key not found");
    Value zero = v_float(0.0);
    CHECK(map_get_or(m1, v_int(7), &zero).tag == T_FLOAT);
}

TEST(order_rules) {
    Value m = map_new();
    m = map_put(m, S("b"), v_int(1));
    m = map_put(m, S("a"), v_int(2));
    m = map_put(m, S("c"), v_int(3));
    m = map_put(m, S("b"), v_int(9)); /* replaced in place */
    CHECK_EQ_STR(DISP(m), "%{b => 9, a => 2, c => 3}");
    Value d = map_delete(m, S("a"));
    CHECK_EQ_STR(DISP(d), "%{b => 9, c => 3}");
    CHECK_EQ_STR(DISP(map_put(d, S("a"), v_int(5))), "%{b => 9, c => 3, a => 5}");
    CHECK_EQ_STR(DISP(map_delete(d, S("zz"))), "%{b => 9, c => 3}");
    CHECK_EQ_STR(DISP(map_keys(m)), "[b, a, c]");
    CHECK_EQ_STR(DISP(map_values(m)), "[9, 2, 3]");
    CHECK_EQ_STR(DISP(map_to_list(m)), "[(b, 9), (a, 2), (c, 3)]");
    /* from_list: a later duplicate overwrites the value, keeps the first position */
    Value l = list_from_array((Value[]){val_tuple2(S("x"), v_int(1)), val_tuple2(S("y"), v_int(2)),
                                        val_tuple2(S("x"), v_int(3))}, 3);
    CHECK_EQ_STR(DISP(map_from_list(l)), "%{x => 3, y => 2}");
    /* merge: a's order, b's values, new keys appended in b's order */
    Value a = map_from_pairs((Value[]){S("k1"), v_int(1), S("k2"), v_int(2)}, 2);
    Value b = map_from_pairs((Value[]){S("k3"), v_int(3), S("k1"), v_int(10)}, 2);
    CHECK_EQ_STR(DISP(map_merge(a, b)), "%{k1 => 10, k2 => 2, k3 => 3}");
    CHECK_EQ_STR(DISP(map_new()), "%{}");
    CHECK_EQ_STR(DISP(map_delete(map_put(map_new(), v_int(1), v_int(1)), v_int(1))), "%{}");
}

TEST(sets) {
    Value s = set_add(set_add(set_add(set_new(), v_int(1)), v_int(2)), v_int(1));
    CHECK_EQ_INT(set_size(s), 2);
    Value s3 = set_add(set_add(set_add(set_new(), v_int(10)), v_int(20)), v_int(10));
    CHECK_EQ_STR(DISP(s3), "#{10, 20}");
    Value d = set_difference(set_from_list(list_from_array((Value[]){v_int(1), v_int(2), v_int(3)}, 3)),
                             set_from_list(list_from_array((Value[]){v_int(2), v_int(3)}, 2)));
    CHECK(set_contains(d, v_int(1)));
    CHECK_EQ_STR(DISP(d), "#{1}");
    Value f = set_from_list(list_from_array((Value[]){v_int(1), v_int(2), v_int(2), v_int(3), v_int(3), v_int(3)}, 6));
    CHECK_EQ_INT(set_size(f), 3);
    Value a = set_from_list(list_from_array((Value[]){v_int(3), v_int(1), v_int(2)}, 3));
    Value b = set_from_list(list_from_array((Value[]){v_int(5), v_int(2), v_int(4), v_int(3)}, 4));
    CHECK_EQ_STR(DISP(set_union(a, b)), "#{3, 1, 2, 5, 4}");
    CHECK_EQ_STR(DISP(set_intersection(a, b)), "#{3, 2}");
    CHECK_EQ_STR(DISP(set_intersection(b, a)), "#{2, 3}");
    CHECK_EQ_STR(DISP(set_difference(b, a)), "#{5, 4}");
    CHECK_EQ_STR(DISP(set_remove(a, v_int(1))), "#{3, 2}");
    CHECK_EQ_STR(DISP(set_remove(a, v_int(9))), "#{3, 1, 2}");
    CHECK_EQ_STR(DISP(set_to_list(a)), "[3, 1, 2]");
    CHECK_EQ_STR(DISP(set_new()), "#{}");
    /* generic elements compared by value (decision 17) */
    Value ss = set_add(set_add(set_new(), S("a")), str_concat(S("a"), S("")));
    CHECK_EQ_INT(set_size(ss), 1);
    Value tl = set_add(set_add(set_new(), val_tuple2(v_int(1), S("x"))), val_tuple2(v_int(1), S("x")));
    CHECK_EQ_INT(set_size(tl), 1);
    Value ls = set_add(set_new(), list_from_array((Value[]){v_int(1)}, 1));
    CHECK(set_contains(ls, list_append(list_empty(), v_int(1))));
}

/* Float keys follow == (docs/decisions.md): 0.0 and -0.0 are one key, a NaN
 * is never found, and every put of one adds an entry. */
TEST(float_keys_follow_eq) {
    Value m = map_put(map_put(map_new(), v_float(0.0), S("zero")), v_float(-0.0), S("negzero"));
    CHECK_EQ_INT(map_size(m), 1);
    CHECK_EQ_STR(CSTR(map_get(m, v_float(0.0))), "negzero");
    Value nan = v_float(NAN);
    m = map_put(map_put(m, nan, S("nan")), nan, S("nan"));
    CHECK_EQ_INT(map_size(m), 3);
    CHECK(!map_has_key(m, nan));
    CHECK_EQ_INT(map_size(map_delete(m, nan)), 3);
    Value s = set_add(set_add(set_new(), val_tuple2(v_int(1), v_float(-0.0))), val_tuple2(v_int(1), v_float(0.0)));
    CHECK_EQ_INT(set_size(s), 1);
}

static Value user_hash(Value *a, int n) { return v_int(AS_STRUCT(a[0])->fields[0].i % 3); }

TEST(struct_keys) {
    static const char *fn[] = {"x", "y"};
    static TypeDesc pt = {.name = "Point", .kind = TD_STRUCT, .nfields = 2, .field_names = fn, .derives = D_EQ | D_HASH};
    Value p1 = val_struct(&pt, (Value[]){v_int(1), v_int(2)});
    Value p2 = val_struct(&pt, (Value[]){v_int(1), v_int(2)});
    Value p3 = val_struct(&pt, (Value[]){v_int(4), v_int(2)});
    Value m = map_put(map_put(map_new(), p1, S("a")), p3, S("c"));
    CHECK_EQ_STR(CSTR(map_get(m, p2)), "a");
    /* a user hash with collisions still compares with == */
    static const FuncInfo hf = {"hash", 1, user_hash, NULL};
    static TypeDesc pt2 = {.name = "P2", .kind = TD_STRUCT, .nfields = 2, .field_names = fn, .derives = D_EQ};
    pt2.hash_fn = val_func_static(&hf);
    Value q1 = val_struct(&pt2, (Value[]){v_int(1), v_int(0)});
    Value q4 = val_struct(&pt2, (Value[]){v_int(4), v_int(0)}); /* same user hash */
    Value m2 = map_put(map_put(map_new(), q1, v_int(1)), q4, v_int(4));
    CHECK_EQ_INT(map_size(m2), 2);
    CHECK_EQ_INT(map_get(m2, val_struct(&pt2, (Value[]){v_int(4), v_int(0)})).i, 4);
}

TEST(old_versions_survive) {
    enum { N = 2000 };
    Value versions[N]; /* on the stack: scanned conservatively */
    Value m = map_new();
    for (int i = 0; i < N; i++) {
        m = map_put(m, v_int(i % 500), v_int(i)); /* updates and inserts */
        if (i % 7 == 3) m = map_delete(m, v_int((i * 13) % 500));
        versions[i] = m;
    }
    gc_collect(heap_current());
    /* check every version against a recomputation, in a scrambled order */
    for (int k = 0; k < N; k += 37) {
        int i = (k * 7919) % N;
        Value ref = map_new();
        for (int j = 0; j <= i; j++) {
            ref = map_put(ref, v_int(j % 500), v_int(j));
            if (j % 7 == 3) ref = map_delete(ref, v_int((j * 13) % 500));
        }
        CHECK(map_equal(versions[i], ref));
        CHECK_EQ_STR(DISP(map_keys(versions[i])), DISP(map_keys(ref)));
    }
}

/* A naive model: parallel arrays in insertion order. */
typedef struct Model {
    int n;
    int keys[64], vals[64];
} Model;

static void model_put(Model *m, int k, int v) {
    for (int i = 0; i < m->n; i++)
        if (m->keys[i] == k) { m->vals[i] = v; return; }
    m->keys[m->n] = k;
    m->vals[m->n++] = v;
}
static void model_del(Model *m, int k) {
    for (int i = 0; i < m->n; i++)
        if (m->keys[i] == k) {
            memmove(m->keys + i, m->keys + i + 1, (size_t)(m->n - i - 1) * sizeof(int));
            memmove(m->vals + i, m->vals + i + 1, (size_t)(m->n - i - 1) * sizeof(int));
            m->n--;
            return;
        }
}
static bool model_matches(const Model *m, Value v) {
    if ((int)map_size(v) != m->n) return false;
    MapIter it;
    Value k, x;
    map_iter_init(&it, v);
    for (int i = 0; i < m->n; i++) {
        if (!map_iter_next(&it, &k, &x)) return false;
        if (k.i != m->keys[i] || x.i != m->vals[i]) return false;
    }
    return !map_iter_next(&it, &k, &x);
}

TEST(random_versions_vs_model) {
    enum { POOL = 16, STEPS = 20000 };
    Value pool[POOL];
    static Model models[POOL];
    for (int i = 0; i < POOL; i++) pool[i] = map_new();
    unsigned seed = 42;
    int bad = 0;
    for (int s = 0; s < STEPS; s++) {
        seed = seed * 1664525 + 1013904223;
        int from = (int)((seed >> 8) % POOL), to = (int)((seed >> 16) % POOL), k = (int)((seed >> 4) % 40);
        Model m = models[from];
        Value v = pool[from];
        if ((seed >> 28) < 11) { v = map_put(v, v_int(k), v_int(s)); model_put(&m, k, s); }
        else if ((seed >> 28) < 15) { v = map_delete(v, v_int(k)); model_del(&m, k); }
        else {
            Value x;
            bool found = map_find(v, v_int(k), &x);
            bool mf = false;
            for (int i = 0; i < m.n; i++) if (m.keys[i] == k) { mf = true; if (x.i != m.vals[i]) bad++; }
            if (found != mf) bad++;
        }
        pool[to] = v;
        models[to] = m;
        if (s % 97 == 0) {
            for (int i = 0; i < POOL; i++) if (!model_matches(&models[i], pool[i])) bad++;
        }
    }
    CHECK_EQ_INT(bad, 0);
}

TEST(iteration_with_updates) {
    Value m = map_from_pairs((Value[]){v_int(1), v_int(1), v_int(2), v_int(2), v_int(3), v_int(3)}, 3);
    MapIter it;
    Value k, v;
    map_iter_init(&it, m);
    int seen = 0;
    Value acc = m;
    while (map_iter_next(&it, &k, &v)) {
        acc = map_put(m, v_int(100 + k.i), v); /* branches from the iterated version */
        seen++;
    }
    CHECK_EQ_INT(seen, 3);
    CHECK_EQ_STR(DISP(acc), "%{1 => 1, 2 => 2, 3 => 3, 103 => 3}");
    CHECK_EQ_STR(DISP(m), "%{1 => 1, 2 => 2, 3 => 3}");
}

TEST(performance) {
    enum { N = 1000000 };
    char buf[32];
    ListBuilder kb;
    lb_init(&kb, N);
    for (int i = 0; i < N; i++) {
        int n = snprintf(buf, sizeof buf, "key%d", i);
        lb_push(&kb, str_new(buf, (size_t)n));
    }
    Value klist = lb_finish(&kb);
    Value *keys = list_items(klist);
    double t0 = now_sec();
    Value m = map_new();
    for (int i = 0; i < N; i++) m = map_put(m, keys[i], v_int(i));
    double t1 = now_sec();
    long sum = 0;
    for (int i = 0; i < N; i++) sum += map_get(m, keys[i]).i;
    double t2 = now_sec();
    /* word counting: repeated updates of existing keys */
    Value wc = map_new();
    for (int i = 0; i < N; i++) {
        Value k = keys[i % 1000], old;
        wc = map_put(wc, k, v_int(map_find(wc, k, &old) ? old.i + 1 : 1));
    }
    double t3 = now_sec();
    CHECK_EQ_INT(map_size(m), N);
    CHECK_EQ_INT(sum, (long)N * (N - 1) / 2);
    CHECK_EQ_INT(map_get(wc, keys[7]).i, 1000);
    fprintf(stderr, "  1M string-key puts %.3fs, 1M gets %.3fs, 1M word-count updates %.3fs\n", t1 - t0, t2 - t1, t3 - t2);
    Value s = set_new();
    for (int i = 0; i < N; i++) s = set_add(s, v_int(i % 5000));
    CHECK_EQ_INT(set_size(s), 5000);
}

int main(void) {
    RT_TEST_INIT();
    RUN(spec_examples);
    RUN(order_rules);
    RUN(sets);
    RUN(float_keys_follow_eq);
    RUN(struct_keys);
    RUN(old_versions_survive);
    RUN(random_versions_vs_model);
    RUN(iteration_with_updates);
    RUN(performance);
    return harness_report();
}
