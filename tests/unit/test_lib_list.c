/* test_lib_list.c — the List module (runtime/lib_list.c): the stable merge
 * sort against a model, comparison counts, collections inside callbacks,
 * panics inside callbacks, and the higher-order functions' call order. */
#include "harness.h"
#include "lib_test.h"
#include "rt_test.h"

static Value call2(BuiltinFn f, Value a, Value b) {
    Value v[2] = {a, b};
    return f(v, 2);
}
static Value fnval(FuncInfo *fi) { return val_func_static(fi); }

/* ---- comparators and callbacks (C builtins called through rt_apply) ---- */

static long ncmp;
static int garbage_per_call;

/* Elements are tuples (key, serial); compare keys only. */
static Value cmp_key(Value *a, int n) {
    ncmp++;
    for (int i = 0; i < garbage_per_call; i++) str_new("garbage garbage garbage garbage garbage garbage", 48);
    return v_int(AS_TUPLE(a[0])->items[0].i - AS_TUPLE(a[1])->items[0].i);
}
static FuncInfo cmp_key_fi = {"cmp_key", 2, cmp_key, NULL};

static Value cmp_str(Value *a, int n) {
    ncmp++;
    for (int i = 0; i < garbage_per_call; i++) str_new("garbage garbage garbage garbage garbage garbage", 48);
    return v_int(str_cmp(a[0], a[1]));
}
static FuncInfo cmp_str_fi = {"cmp_str", 2, cmp_str, NULL};

static Value cmp_panics(Value *a, int n) {
    if (a[0].i == 13 || a[1].i == 13) rt_panic("unlucky");
    return v_int(a[0].i - a[1].i);
}
static FuncInfo cmp_panics_fi = {"cmp_panics", 2, cmp_panics, NULL};

static Value cmp_bad_result(Value *a, int n) { return v_bool(true); }
static FuncInfo cmp_bad_fi = {"cmp_bad", 2, cmp_bad_result, NULL};

static uint64_t rng = 88172645463325252ULL;
static uint64_t next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Model: a stable insertion sort on (key, serial) pairs. */
static void model_sort(int64_t *keys, int64_t *serial, size_t n) {
    for (size_t i = 1; i < n; i++) {
        int64_t k = keys[i], s = serial[i];
        size_t j = i;
        while (j > 0 && keys[j - 1] > k) {
            keys[j] = keys[j - 1];
            serial[j] = serial[j - 1];
            j--;
        }
        keys[j] = k;
        serial[j] = s;
    }
}

TEST(sort_matches_stable_model) {
    static int64_t keys[3000], serial[3000];
    size_t sizes[] = {0, 1, 2, 3, 7, 12, 13, 25, 100, 257, 1000, 3000};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        for (int pattern = 0; pattern < 4; pattern++) {
            size_t n = sizes[si];
            ListBuilder lb;
            lb_init(&lb, n);
            for (size_t i = 0; i < n; i++) {
                int64_t k = pattern == 0 ? (int64_t)(next_rand() % 10)          /* many ties */
                            : pattern == 1 ? (int64_t)i                          /* sorted */
                            : pattern == 2 ? (int64_t)(n - i)                    /* reversed */
                                           : (int64_t)(next_rand() % 1000000);  /* random */
                keys[i] = k;
                serial[i] = (int64_t)i;
                lb_push(&lb, val_tuple2(v_int(k), v_int((int64_t)i)));
            }
            Value xs = lb_finish(&lb);
            model_sort(keys, serial, n);
            Value ys = call2(lib_fn("List", "sort"), xs, fnval(&cmp_key_fi));
            CHECK_EQ_INT(list_len(ys), n);
            bool same = true;
            for (size_t i = 0; i < n && same; i++) {
                TupleObj *t = AS_TUPLE(list_get(ys, i));
                same = t->items[0].i == keys[i] && t->items[1].i == serial[i];
            }
            CHECK(same);
            /* the input is unchanged */
            for (size_t i = 0; i < n; i++)
                if (AS_TUPLE(list_get(xs, i))->items[1].i != (int64_t)i) same = false;
            CHECK(same);
        }
    }
}

TEST(sort_comparison_counts) {
    size_t n = 100000;
    ListBuilder lb;
    lb_init(&lb, n);
    for (size_t i = 0; i < n; i++) lb_push(&lb, val_tuple2(v_int((int64_t)(next_rand() % 1000000)), v_int(0)));
    Value xs = lb_finish(&lb);
    ncmp = 0;
    Value ys = call2(lib_fn("List", "sort"), xs, fnval(&cmp_key_fi));
    CHECK(ncmp < 1800000); /* n log2 n = 1.66M */
    bool ok = true;
    for (size_t i = 1; i < n; i++)
        if (AS_TUPLE(list_get(ys, i - 1))->items[0].i > AS_TUPLE(list_get(ys, i))->items[0].i) ok = false;
    CHECK(ok);
    /* already sorted input: about n comparisons */
    ncmp = 0;
    call2(lib_fn("List", "sort"), ys, fnval(&cmp_key_fi));
    CHECK(ncmp < 2 * (long)n);
}

TEST(sort_survives_collections_in_the_comparator) {
    size_t n = 5000;
    ListBuilder lb;
    lb_init(&lb, n);
    char buf[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(buf, sizeof buf, "s%09llu", (unsigned long long)(next_rand() % 1000000000));
        lb_push(&lb, str_from_cstr(buf));
    }
    Value xs = lb_finish(&lb);
    HeapStats before, after;
    heap_stats(heap_current(), &before);
    garbage_per_call = 20;
    Value ys = call2(lib_fn("List", "sort"), xs, fnval(&cmp_str_fi));
    garbage_per_call = 0;
    heap_stats(heap_current(), &after);
    CHECK(after.collections > before.collections);
    bool ok = list_len(ys) == n;
    for (size_t i = 1; i < n && ok; i++) ok = str_cmp(list_get(ys, i - 1), list_get(ys, i)) <= 0;
    for (size_t i = 0; i < n && ok; i++) ok = str_len(list_get(ys, i)) == 10 && str_data(list_get(ys, i))[0] == 's';
    CHECK(ok);
}

TEST(sort_comparator_panics_and_bad_results) {
    Value xs = list_from_array((Value[]){v_int(5), v_int(13), v_int(1)}, 3);
    int p;
    RT_EXPECT_PANIC(call2(lib_fn("List", "sort"), xs, fnval(&cmp_panics_fi)), p);
    CHECK(p);
    CHECK_EQ_STR(rt_test_panic_msg, "unlucky");
    RT_EXPECT_PANIC(call2(lib_fn("List", "sort"), xs, fnval(&cmp_bad_fi)), p);
    CHECK(p);
    CHECK_EQ_STR(rt_test_panic_msg, "List.sort: the function must return a Int, got a Bool");
}

/* ---- map / filter / reduce ---- */

static Value log_buf_list;
static Value double_it(Value *a, int n) {
    log_buf_list = list_append(log_buf_list, a[0]);
    str_new("some garbage to collect", 23);
    return v_int(a[0].i * 2);
}
static FuncInfo double_fi = {"double", 1, double_it, NULL};

static Value is_even(Value *a, int n) { return v_bool(a[0].i % 2 == 0); }
static FuncInfo even_fi = {"even", 1, is_even, NULL};
static Value always(Value *a, int n) { return v_bool(true); }
static FuncInfo always_fi = {"always", 1, always, NULL};
static Value add(Value *a, int n) { return v_int(a[0].i + a[1].i); }
static FuncInfo add_fi = {"add", 2, add, NULL};

TEST(map_filter_reduce) {
    Value xs = list_from_array((Value[]){v_int(1), v_int(2), v_int(3), v_int(4)}, 4);
    log_buf_list = list_empty();
    CHECK_EQ_STR(DISP(call2(lib_fn("List", "map"), xs, fnval(&double_fi))), "[2, 4, 6, 8]");
    CHECK_EQ_STR(DISP(log_buf_list), "[1, 2, 3, 4]");
    CHECK_EQ_STR(DISP(call2(lib_fn("List", "filter"), xs, fnval(&even_fi))), "[2, 4]");
    /* all kept: the same list, no copy */
    CHECK(call2(lib_fn("List", "filter"), xs, fnval(&always_fi)).o == xs.o);
    Value args[3] = {xs, v_int(100), fnval(&add_fi)};
    CHECK_EQ_INT(lib_fn("List", "reduce")(args, 3).i, 110);
    CHECK_EQ_STR(DISP(call2(lib_fn("List", "map"), list_empty(), fnval(&double_fi))), "[]");
    int p;
    RT_EXPECT_PANIC(call2(lib_fn("List", "filter"), xs, fnval(&double_fi)), p);
    CHECK(p);
}

TEST(million_map) {
    size_t n = 1000000;
    ListBuilder lb;
    lb_init(&lb, n);
    for (size_t i = 0; i < n; i++) lb_push(&lb, v_int((int64_t)i));
    Value xs = lb_finish(&lb);
    log_buf_list = list_empty();
    double t0 = now_sec();
    Value ys = call2(lib_fn("List", "map"), xs, fnval(&double_fi));
    double dt = now_sec() - t0;
    CHECK_EQ_INT(list_len(ys), n);
    CHECK_EQ_INT(list_get(ys, n - 1).i, (int64_t)(n - 1) * 2);
    CHECK(dt < 5.0); /* a guard against quadratic work, not a benchmark */
    log_buf_list = list_empty();
}

TEST(structure_functions) {
    Value xs = list_from_array((Value[]){S("a"), S("b"), S("c")}, 3);
    Value ys = list_from_array((Value[]){v_int(1), v_int(2)}, 2);
    CHECK_EQ_STR(DISP(call2(lib_fn("List", "zip"), xs, ys)), "[(a, 1), (b, 2)]");
    Value e[1] = {xs};
    CHECK_EQ_STR(DISP(lib_fn("List", "enumerate")(e, 1)), "[(0, a), (1, b), (2, c)]");
    Value nested = list_from_array((Value[]){xs, list_empty(), ys}, 3);
    Value f[1] = {nested};
    CHECK_EQ_STR(DISP(lib_fn("List", "flatten")(f, 1)), "[a, b, c, 1, 2]");
    CHECK(call2(lib_fn("List", "contains"), xs, S("c")).i);
    CHECK(!call2(lib_fn("List", "contains"), xs, S("d")).i);
    CHECK(call2(lib_fn("List", "contains"), list_from_array((Value[]){xs}, 1), list_from_array((Value[]){S("a"), S("b"), S("c")}, 3)).i);
    int p;
    RT_EXPECT_PANIC(call2(lib_fn("List", "get"), xs, v_int(3)), p);
    CHECK(p);
    CHECK_EQ_STR(rt_test_panic_msg, "List.get: index 3 out of bounds (length 3)");
    RT_EXPECT_PANIC(call2(lib_fn("List", "nth"), xs, v_int(-1)), p);
    CHECK_EQ_STR(rt_test_panic_msg, "List.nth: index -1 out of bounds (length 3)");
    Value empty[1] = {list_empty()};
    RT_EXPECT_PANIC(lib_fn("List", "head")(empty, 1), p);
    CHECK_EQ_STR(rt_test_panic_msg, "List.head: empty list");
    RT_EXPECT_PANIC(lib_fn("List", "tail")(empty, 1), p);
    CHECK_EQ_STR(rt_test_panic_msg, "List.tail: empty list");
    RT_EXPECT_PANIC(lib_fn("List", "last")(empty, 1), p);
    CHECK_EQ_STR(rt_test_panic_msg, "List.last: empty list");
}

int main(void) {
    RT_TEST_INIT();
    heap_add_root(heap_current(), &log_buf_list);
    RUN(sort_matches_stable_model);
    RUN(sort_comparison_counts);
    RUN(sort_survives_collections_in_the_comparator);
    RUN(sort_comparator_panics_and_bad_results);
    RUN(map_filter_reduce);
    RUN(million_map);
    RUN(structure_functions);
    return harness_report();
}
