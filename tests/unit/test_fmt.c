/* test_fmt.c — Display/Debug texts (language.md §6). */
#include "harness.h"
#include "rt_test.h"

#include <math.h>

static const char *F(double d) { return DISP(v_float(d)); }

TEST(float_table) {
    CHECK_EQ_STR(F(3.0), "3");
    CHECK_EQ_STR(F(3.14), "3.14");
    CHECK_EQ_STR(F(0.1 + 0.2), "0.30000000000000004");
    CHECK_EQ_STR(F(1.0 / 3.0), "0.3333333333333333");
    CHECK_EQ_STR(F(2.5), "2.5");
    CHECK_EQ_STR(F(100.0), "100");
    CHECK_EQ_STR(F(1e20), "100000000000000000000");
    CHECK_EQ_STR(F(1e21), "1000000000000000000000");
    char big[400] = "1";
    for (int i = 0; i < 300; i++) strcat(big, "0");
    CHECK_EQ_STR(F(1e300), big);
    CHECK_EQ_STR(F(1.5e-5), "0.000015");
    CHECK_EQ_STR(F(1e-7), "0.0000001");
    char tiny[400] = "0.";
    for (int i = 0; i < 323; i++) strcat(tiny, "0");
    strcat(tiny, "5");
    CHECK_EQ_STR(F(5e-324), tiny);
    CHECK_EQ_STR(F(-0.0), "-0");
    CHECK_EQ_STR(F(0.0), "0");
    CHECK_EQ_STR(F(NAN), "NaN");
    CHECK_EQ_STR(F(INFINITY), "inf");
    CHECK_EQ_STR(F(-INFINITY), "-inf");
    CHECK_EQ_STR(F(123456789.125), "123456789.125");
    CHECK_EQ_STR(F(3.14 + 0.01), "3.15");
    CHECK_EQ_STR(F(pow(2.0, 10.0)), "1024");
    CHECK_EQ_STR(F(sqrt(2.0)), "1.4142135623730951");
    CHECK_EQ_STR(F(42.0), "42");
    CHECK_EQ_STR(F(-2.5), "-2.5");
    const char *mx = F(1.7976931348623157e308);
    CHECK_EQ_INT(strlen(mx), 309);
    CHECK(strncmp(mx, "17976931348623157000", 20) == 0);
    CHECK_EQ_STR(F(0.1), "0.1");
    CHECK_EQ_STR(F(9007199254740993.0), "9007199254740992");
    CHECK_EQ_STR(F(123e18), "123000000000000000000");
}

TEST(scalars_and_collections) {
    CHECK_EQ_STR(DISP(v_int(42)), "42");
    CHECK_EQ_STR(DISP(v_int(-5)), "-5");
    CHECK_EQ_STR(DISP(v_int(INT64_MIN)), "-9223372036854775808");
    CHECK_EQ_STR(DISP(v_bool(true)), "true");
    CHECK_EQ_STR(DISP(S("hi")), "hi");
    CHECK_EQ_STR(DISP(v_unit()), "()");
    Value l = list_from_array((Value[]){v_int(10), v_int(20), v_int(30)}, 3);
    CHECK_EQ_STR(DISP(l), "[10, 20, 30]");
    CHECK_EQ_STR(DISP(list_from_array((Value[]){S("hello"), S("world")}, 2)), "[hello, world]");
    Value l12 = list_from_array((Value[]){v_int(1), v_int(2)}, 2), l34 = list_from_array((Value[]){v_int(3), v_int(4)}, 2);
    CHECK_EQ_STR(DISP(list_from_array((Value[]){l12, l34}, 2)), "[[1, 2], [3, 4]]");
    CHECK_EQ_STR(DISP(list_from_array((Value[]){v_bool(true), v_bool(false)}, 2)), "[true, false]");
    CHECK_EQ_STR(DISP(list_from_array((Value[]){v_float(1.5), v_float(2.0)}, 2)), "[1.5, 2]");
    CHECK_EQ_STR(DISP(map_from_pairs((Value[]){v_int(1), v_int(10), v_int(2), v_int(20)}, 2)), "%{1 => 10, 2 => 20}");
    CHECK_EQ_STR(DISP(map_from_pairs((Value[]){S("name"), S("Alice")}, 1)), "%{name => Alice}");
    CHECK_EQ_STR(DISP(val_tuple2(v_int(1), S("hi"))), "(1, hi)");
    CHECK_EQ_STR(DISP(val_range(1, 4)), "1..4");
    CHECK_EQ_STR(DISP(v_pid(pid_make(0, 0, 7))), "<0.7>");
    CHECK_EQ_STR(DISP(v_pid(pid_make(3, 2, 7))), "<3.7.2>");
    CHECK_EQ_STR(DISP(v_ref(12)), "#Ref<12>");
    static const FuncInfo fi = {"f", 0, NULL, NULL};
    CHECK_EQ_STR(DISP(val_func_static(&fi)), "<fn>");
}

TEST(builtin_sums) {
    CHECK_EQ_STR(DISP(val_some(v_int(42))), "Some(42)");
    CHECK_EQ_STR(DISP(val_none()), "None");
    CHECK_EQ_STR(DISP(val_ok(v_int(1))), "Ok(1)");
    CHECK_EQ_STR(DISP(val_err(S("boom"))), "Err(boom)");
    CHECK_EQ_STR(DISP(val_ordering(-3)), "Less");
    CHECK_EQ_STR(DISP(val_ordering(0)), "Equal");
    CHECK_EQ_STR(DISP(val_ordering(9)), "Greater");
    CHECK_EQ_STR(DBG(val_some(S("x"))), "Some(x)");
    CHECK_EQ_STR(DISP(val_exit_reason(XR_NORMAL)), "Normal");
    CHECK_EQ_STR(DISP(val_exit_error(S("boom"))), "Error(boom)");
    CHECK_EQ_STR(DISP(val_exit_linked(pid_make(0, 0, 4), val_exit_error(S("boom")))), "Linked(<0.4>, Error(boom))");
    CHECK_EQ_STR(DISP(val_exit_reason(XR_NOPROC)), "NoProc");
    CHECK_EQ_STR(DISP(val_sig_down(3, pid_make(0, 0, 5), val_exit_reason(XR_KILLED))), "Down(#Ref<3>, <0.5>, Killed)");
    CHECK_EQ_STR(DBG(val_sig_exit(pid_make(0, 0, 5), val_exit_reason(XR_SHUTDOWN))), "Exit(<0.5>, Shutdown)");
    CHECK_EQ_STR(DISP(list_from_array((Value[]){val_some(S("a")), val_none()}, 2)), "[Some(a), None]");
}

static const char *pt_fields[] = {"x", "y"};
static TypeDesc point_display = {.name = "Point", .kind = TD_STRUCT, .nfields = 2, .field_names = pt_fields,
                                 .derives = D_EQ | D_ORD | D_DISPLAY | D_DEBUG | D_HASH};
static TypeDesc point_plain = {.name = "Point", .kind = TD_STRUCT, .nfields = 2, .field_names = pt_fields,
                               .derives = D_EQ | D_ORD | D_DEBUG | D_HASH};
static TypeDesc empty_struct = {.name = "Empty", .kind = TD_STRUCT, .nfields = 0, .derives = D_DISPLAY | D_DEBUG};
static const char *person_fields[] = {"name", "age"};
static TypeDesc person = {.name = "Person", .kind = TD_STRUCT, .nfields = 2, .field_names = person_fields, .derives = D_DEBUG};

static VariantDesc shape_vs[] = {{"Circle", 1, NULL, NULL}, {"Rect", 2, NULL, NULL}, {"Dot", 0, NULL, NULL}};
static TypeDesc shape_plain = {.name = "Shape", .kind = TD_SUM, .nvariants = 3, .variants = shape_vs, .derives = D_DEBUG | D_EQ};
static VariantDesc shape_vs2[] = {{"Circle", 1, NULL, NULL}, {"Rect", 2, NULL, NULL}, {"Dot", 0, NULL, NULL}};
static TypeDesc shape_display = {.name = "Shape", .kind = TD_SUM, .nvariants = 3, .variants = shape_vs2, .derives = D_DISPLAY | D_EQ};

static Value my_to_string(Value *a, int n) { return S("custom!"); }

TEST(derived_formats) {
    Value p = val_struct(&point_display, (Value[]){v_int(1), v_int(2)});
    CHECK_EQ_STR(DISP(p), "Point(1, 2)");
    CHECK_EQ_STR(DBG(p), "Point { x: 1, y: 2 }");
    Value q = val_struct(&point_plain, (Value[]){v_int(1), v_int(2)});
    CHECK_EQ_STR(DISP(q), "Point { x: 1, y: 2 }");
    Value e = val_struct(&empty_struct, NULL);
    CHECK_EQ_STR(DISP(e), "Empty()");
    CHECK_EQ_STR(DBG(e), "Empty {}");
    Value al = val_struct(&person, (Value[]){S("Alice"), v_int(30)});
    CHECK_EQ_STR(DISP(al), "Person { name: Alice, age: 30 }");
    CHECK_EQ_STR(DBG(al), "Person { name: Alice, age: 30 }");
    Value c = val_variant(&shape_plain, 0, (Value[]){v_float(1.5)});
    CHECK_EQ_STR(DISP(c), "Circle(...)");
    CHECK_EQ_STR(DISP(val_variant(&shape_plain, 2, NULL)), "Dot");
    Value c2 = val_variant(&shape_display, 0, (Value[]){v_float(1.5)});
    Value r2 = val_variant(&shape_display, 1, (Value[]){v_float(2.0), v_float(5.0)});
    CHECK_EQ_STR(DISP(c2), "Circle(1.5)");
    CHECK_EQ_STR(DISP(r2), "Rect(2, 5)");
    CHECK_EQ_STR(DBG(c2), "Circle(...)");
    CHECK_EQ_STR(DISP(val_variant(&shape_display, 2, NULL)), "Dot");
    /* nested: a struct field of a list of options */
    Value nested = val_struct(&point_display, (Value[]){list_from_array((Value[]){val_some(S("a"))}, 1), c2});
    CHECK_EQ_STR(DISP(nested), "Point([Some(a)], Circle(1.5))");
    /* a user to_string wins */
    static const FuncInfo ts = {"to_string", 1, my_to_string, NULL};
    static TypeDesc custom = {.name = "C", .kind = TD_STRUCT, .nfields = 0, .derives = D_DISPLAY};
    custom.to_string_fn = val_func_static(&ts);
    CHECK_EQ_STR(DISP(val_struct(&custom, NULL)), "custom!");
    CHECK_EQ_STR(DISP(list_from_array((Value[]){val_struct(&custom, NULL)}, 1)), "[custom!]");
}

TEST(inspect) {
    CHECK_EQ_STR(DBG(v_int(42)), "42");
    CHECK_EQ_STR(DBG(v_float(3.5)), "3.5");
    CHECK_EQ_STR(DBG(v_bool(true)), "true");
    CHECK_EQ_STR(DBG(S("hi")), "\"hi\"");
    CHECK_EQ_STR(DBG(S("a\"b\\c\nd")), "\"a\\\"b\\\\c\\nd\"");
    CHECK_EQ_STR(DBG(list_from_array((Value[]){S("x")}, 1)), "[x]"); /* only top-level strings are quoted */
    CHECK_EQ_STR(CSTR(fmt_inspect(S("q"))), "\"q\"");
    CHECK_EQ_STR(CSTR(fmt_to_string(v_int(7))), "7");
}

TEST(deep_values) {
    Value v = v_int(1);
    for (int i = 0; i < 100000; i++) v = val_some(v);
    Value s = fmt_to_string(v);
    CHECK_EQ_INT(str_len(s), 100000 * 6 + 1);
    CHECK(memcmp(str_data(s), "Some(Some(", 10) == 0);
    Value l = list_empty();
    for (int i = 0; i < 100000; i++) l = list_prepend(l, list_empty());
    CHECK_EQ_INT(str_len(fmt_to_string(l)), 200002); /* 100 000 nested + the inner [] */
    ListBuilder b;
    lb_init(&b, 0);
    for (int i = 0; i < 1000000; i++) lb_push(&b, v_int(i % 10));
    CHECK_EQ_INT(str_len(fmt_to_string(lb_finish(&b))), 1000000 + 2 * 999999 + 2);
}

int main(void) {
    RT_TEST_INIT();
    RUN(float_table);
    RUN(scalars_and_collections);
    RUN(builtin_sums);
    RUN(derived_formats);
    RUN(inspect);
    RUN(deep_values);
    return harness_report();
}
