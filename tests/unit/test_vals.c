/* test_vals.c — constructors, equality, ordering, hashing. */
#include "harness.h"
#include "rt_test.h"

#include <math.h>

static const char *pf[] = {"x", "y"};
static TypeDesc point = {.name = "Point", .kind = TD_STRUCT, .nfields = 2, .field_names = pf, .derives = D_EQ | D_ORD | D_HASH};
static VariantDesc col_v[] = {{"Red", 0, NULL, NULL}, {"Green", 0, NULL, NULL}, {"Rgb", 3, NULL, NULL}};
static TypeDesc color = {.name = "Color", .kind = TD_SUM, .nvariants = 3, .variants = col_v, .derives = D_EQ | D_ORD};

static Value P(int64_t x, int64_t y) { return val_struct(&point, (Value[]){v_int(x), v_int(y)}); }

TEST(equality) {
    CHECK(val_eq(v_int(3), v_int(3)));
    CHECK(!val_eq(v_float(NAN), v_float(NAN)));
    CHECK(val_eq(v_float(0.0), v_float(-0.0)));
    CHECK_EQ_INT(val_hash(v_float(0.0)), val_hash(v_float(-0.0)));
    CHECK(val_eq(S("ab"), str_concat(S("a"), S("b"))));
    CHECK(val_eq(P(1, 2), P(1, 2)));
    CHECK(!val_eq(P(1, 2), P(1, 3)));
    Value l1 = list_from_array((Value[]){S("a"), P(1, 2)}, 2);
    Value l2 = list_append(list_from_array((Value[]){S("a")}, 1), P(1, 2));
    CHECK(val_eq(l1, l2));
    CHECK_EQ_INT(val_hash(l1), val_hash(l2));
    CHECK(!val_eq(l1, list_tail(l1)));
    CHECK(val_eq(val_variant(&color, 0, NULL), val_variant(&color, 0, NULL)));
    CHECK(!val_eq(val_variant(&color, 0, NULL), val_variant(&color, 1, NULL)));
    Value r1 = val_variant(&color, 2, (Value[]){v_int(1), v_int(2), v_int(3)});
    Value r2 = val_variant(&color, 2, (Value[]){v_int(1), v_int(2), v_int(3)});
    CHECK(val_eq(r1, r2));
    CHECK_EQ_INT(val_hash(r1), val_hash(r2));
    CHECK(val_eq(val_some(S("x")), val_some(S("x"))));
    CHECK(!val_eq(val_some(S("x")), val_none()));
    /* maps/sets: order-insensitive */
    Value m1 = map_put(map_put(map_new(), v_int(1), S("a")), v_int(2), S("b"));
    Value m2 = map_put(map_put(map_new(), v_int(2), S("b")), v_int(1), S("a"));
    CHECK(val_eq(m1, m2));
    CHECK_EQ_INT(val_hash(m1), val_hash(m2));
    CHECK(!val_eq(m1, map_put(m2, v_int(1), S("z"))));
    CHECK(val_eq(val_range(1, 4), val_range(1, 4)));
    CHECK_EQ_INT(val_hash(v_float(0.0)), val_hash(v_float(-0.0)));
}

TEST(ordering) {
    CHECK_EQ_INT(val_cmp(v_int(1), v_int(2)), -1);
    CHECK_EQ_INT(val_cmp(v_float(2.5), v_float(1.0)), 1);
    CHECK_EQ_INT(val_cmp(S("abc"), S("abd")), -1);
    CHECK_EQ_INT(val_cmp(S("b"), S("abc")), 1);
    Value a = list_from_array((Value[]){v_int(1), v_int(2)}, 2);
    Value b = list_from_array((Value[]){v_int(1), v_int(3)}, 2);
    Value c = list_from_array((Value[]){v_int(1)}, 1);
    CHECK_EQ_INT(val_cmp(a, b), -1);
    CHECK_EQ_INT(val_cmp(c, a), -1);
    CHECK_EQ_INT(val_cmp(a, c), 1);
    CHECK_EQ_INT(val_cmp(a, a), 0);
    CHECK_EQ_INT(val_cmp(list_empty(), c), -1);
    Value sa = list_from_array((Value[]){S("a")}, 1), sb = list_from_array((Value[]){S("b")}, 1);
    CHECK_EQ_INT(val_cmp(sa, sb), -1);
    CHECK_EQ_INT(val_cmp(sb, sa), 1);
    CHECK_EQ_INT(val_cmp(P(1, 2), P(1, 3)), -1);
    CHECK_EQ_INT(val_cmp(P(2, 0), P(1, 3)), 1);
    CHECK_EQ_INT(val_cmp(val_variant(&color, 0, NULL), val_variant(&color, 1, NULL)), -1);
    Value r1 = val_variant(&color, 2, (Value[]){v_int(1), v_int(2), v_int(3)});
    Value r2 = val_variant(&color, 2, (Value[]){v_int(1), v_int(5), v_int(0)});
    CHECK_EQ_INT(val_cmp(r1, r2), -1);
    CHECK_EQ_INT(val_cmp(val_variant(&color, 1, NULL), r1), -1);
    CHECK_EQ_INT(val_cmp(val_tuple2(v_int(1), S("b")), val_tuple2(v_int(1), S("a"))), 1);
    CHECK_EQ_INT(val_cmp(v_bool(false), v_bool(true)), -1);
    CHECK_EQ_INT(val_cmp(v_ref(3), v_ref(10)), -1);
}

static Value rev_cmp(Value *a, int n) { return val_ordering(-(int)(a[0].i < a[1].i ? -1 : a[0].i > a[1].i)); }
static Value mod_eq(Value *a, int n) {
    return v_bool(AS_STRUCT(a[0])->fields[0].i % 10 == AS_STRUCT(a[1])->fields[0].i % 10);
}
static Value cmp_first(Value *a, int n) {
    int64_t x = AS_STRUCT(a[0])->fields[0].i, y = AS_STRUCT(a[1])->fields[0].i;
    return val_ordering(x < y ? 1 : x > y ? -1 : 0); /* descending */
}

TEST(user_impls) {
    static const FuncInfo eqf = {"eq", 2, mod_eq, NULL}, cmpf = {"compare", 2, cmp_first, NULL};
    static const char *f1[] = {"v"};
    static TypeDesc t = {.name = "M", .kind = TD_STRUCT, .nfields = 1, .field_names = f1, .derives = D_EQ | D_ORD};
    t.eq_fn = val_func_static(&eqf);
    t.compare_fn = val_func_static(&cmpf);
    Value a = val_struct(&t, (Value[]){v_int(3)}), b = val_struct(&t, (Value[]){v_int(13)});
    CHECK(val_eq(a, b));
    CHECK(val_eq(list_from_array(&a, 1), list_from_array(&b, 1)));
    CHECK_EQ_INT(val_cmp(a, b), 1);
    (void)rev_cmp;
}

TEST(deep_compare) {
    Value x = v_int(1), y = v_int(1);
    for (int i = 0; i < 100000; i++) { x = val_some(x); y = val_some(y); }
    CHECK(val_eq(x, y));
    CHECK_EQ_INT(val_cmp(x, y), 0);
    CHECK_EQ_INT(val_hash(x), val_hash(y));
    Value z = v_int(2);
    for (int i = 0; i < 100000; i++) z = val_some(z);
    CHECK(!val_eq(x, z));
    CHECK_EQ_INT(val_cmp(x, z), -1);
}

TEST(constructors) {
    CHECK(val_none().o == val_none().o);
    CHECK(gc_is_static(val_ordering(0).o));
    CHECK_EQ_INT(val_ordering(-1).aux, ORD_LESS);
    CHECK(val_is_some(val_some(v_int(1))));
    Value e = val_err_cstr("bad");
    CHECK_EQ_INT(e.aux, RES_ERR);
    CHECK_EQ_STR(CSTR(val_payload(e, 0)), "bad");
    Value nul = val_variant(&color, 1, NULL);
    CHECK(gc_is_static(nul.o));
    CHECK_EQ_STR(DISP(val_tuple(3, (Value[]){v_int(1), v_unit(), S("s")})), "(1, (), s)");
    CHECK_EQ_INT(AS_RANGE(val_range(-2, 5))->end, 5);
    CHECK_EQ_STR(DISP(val_sig_node(SIG_NODEUP, S("n1@host"))), "NodeUp(n1@host)");
}

int main(void) {
    RT_TEST_INIT();
    RUN(equality);
    RUN(ordering);
    RUN(user_impls);
    RUN(deep_compare);
    RUN(constructors);
    return harness_report();
}
