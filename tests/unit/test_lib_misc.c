/* test_lib_misc.c — Math, File, Env, IO.read_line, Tuple, Range, Queue,
 * Map/Set wrappers and JSON wrappers (runtime/lib_*.c). */
#include <fcntl.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lib_test.h"
#include "rt_test.h"

static Value call1(BuiltinFn f, Value a) { return f(&a, 1); }
static Value call2(BuiltinFn f, Value a, Value b) {
    Value v[2] = {a, b};
    return f(v, 2);
}

/* "Ok(text)" / "Err(text)" of a Result<String|(), String>. */
static const char *res(Value r) {
    static char buf[512];
    Value p = val_payload(r, 0);
    const char *tag = r.aux == RES_OK ? "Ok" : "Err";
    if (p.tag == T_STR) snprintf(buf, sizeof buf, "%s(%.*s)", tag, (int)str_len(p), str_data(p));
    else snprintf(buf, sizeof buf, "%s", tag);
    return buf;
}

TEST(math) {
    CHECK_EQ_INT(call1(lib_fn("Math", "abs"), v_int(-5)).i, 5);
    CHECK_EQ_INT(call1(lib_fn("Math", "abs"), v_int(INT64_MIN)).i, INT64_MIN);
    CHECK(call1(lib_fn("Math", "abs"), v_float(-2.5)).f == 2.5);
    CHECK_EQ_INT(call2(lib_fn("Math", "min"), v_int(3), v_int(-1)).i, -1);
    CHECK_EQ_INT(call2(lib_fn("Math", "max"), v_int(3), v_int(-1)).i, 3);
    CHECK(call2(lib_fn("Math", "min"), v_float(NAN), v_float(1.0)).f == 1.0);
    CHECK(call2(lib_fn("Math", "max"), v_float(2.0), v_float(NAN)).f == 2.0);
    CHECK(lib_fn("Math", "pi")(NULL, 0).f == 3.141592653589793);
    double rounds[][2] = {{2.5, 3}, {-2.5, -3}, {0.5, 1}, {-0.5, -1}, {3.4, 3}, {1.5, 2}, {0.49999999999999994, 0}};
    for (size_t i = 0; i < sizeof rounds / sizeof rounds[0]; i++)
        CHECK_EQ_INT(call1(lib_fn("Math", "round"), v_float(rounds[i][0])).i, (int64_t)rounds[i][1]);
    CHECK_EQ_INT(call1(lib_fn("Math", "floor"), v_float(-2.3)).i, -3);
    CHECK_EQ_INT(call1(lib_fn("Math", "ceil"), v_float(-2.7)).i, -2);
    CHECK_EQ_INT(call1(lib_fn("Float", "to_int"), v_float(-2.7)).i, -2);
    CHECK_EQ_INT(call1(lib_fn("Float", "to_int"), v_float(NAN)).i, 0);
    CHECK_EQ_INT(call1(lib_fn("Float", "to_int"), v_float(INFINITY)).i, INT64_MAX);
    CHECK_EQ_INT(call1(lib_fn("Float", "to_int"), v_float(-INFINITY)).i, INT64_MIN);
    CHECK_EQ_INT(call1(lib_fn("Float", "to_int"), v_float(9.3e18)).i, INT64_MAX);
    CHECK_EQ_INT(call1(lib_fn("Float", "to_int"), v_float(-9223372036854775808.0)).i, INT64_MIN);
    CHECK_EQ_INT(call1(lib_fn("Math", "round"), v_float(NAN)).i, 0);
    CHECK_EQ_INT(call1(lib_fn("Math", "floor"), v_float(1e300)).i, INT64_MAX);
    CHECK(call1(lib_fn("Int", "to_float"), v_int(7)).f == 7.0);
    int p;
    RT_EXPECT_PANIC(call1(lib_fn("Math", "abs"), S("x")), p);
    CHECK(p);
    RT_EXPECT_PANIC(call2(lib_fn("Math", "min"), v_int(1), v_float(1.0)), p);
    CHECK(p);
}

TEST(files) {
    char dir[] = "/tmp/snow_lib_test_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256], bad[256], sub[256];
    snprintf(path, sizeof path, "%s/a.txt", dir);
    snprintf(bad, sizeof bad, "%s/bad.bin", dir);
    snprintf(sub, sizeof sub, "%s/sub", dir);
    CHECK_EQ_STR(res(call1(lib_fn("File", "read"), S(path))), "Err(No such file or directory (os error 2))");
    CHECK(!call1(lib_fn("File", "exists"), S(path)).i);
    CHECK_EQ_STR(res(call2(lib_fn("File", "write"), S(path), S("héllo"))), "Ok");
    CHECK_EQ_STR(res(call2(lib_fn("File", "append"), S(path), S(" wörld"))), "Ok");
    CHECK_EQ_STR(res(call1(lib_fn("File", "read"), S(path))), "Ok(héllo wörld)");
    CHECK(call1(lib_fn("File", "exists"), S(path)).i);
    CHECK(call1(lib_fn("File", "exists"), S(dir)).i);
    /* invalid UTF-8 content */
    FILE *f = fopen(bad, "wb");
    fwrite("ok\xff\xfe", 1, 4, f);
    fclose(f);
    CHECK_EQ_STR(res(call1(lib_fn("File", "read"), S(bad))), "Err(stream did not contain valid UTF-8)");
    /* a directory */
    CHECK(mkdir(sub, 0755) == 0);
    CHECK_EQ_STR(res(call1(lib_fn("File", "read"), S(sub))), "Err(Is a directory (os error 21))");
    CHECK_EQ_STR(res(call1(lib_fn("File", "delete"), S(sub))), "Err(Is a directory (os error 21))");
    CHECK_EQ_STR(res(call2(lib_fn("File", "write"), S(sub), S("x"))), "Err(Is a directory (os error 21))");
    /* a NUL byte in the path */
    Value nul = str_new("a\0b", 3);
    CHECK_EQ_STR(res(call1(lib_fn("File", "read"), nul)), "Err(file name contained an unexpected NUL byte)");
    CHECK(!call1(lib_fn("File", "exists"), nul).i);
    /* a large file round trip */
    SB b;
    sb_init(&b);
    for (int i = 0; i < 100000; i++) sb_puts(&b, "line of text ü\n");
    Value big = sb_finish(&b);
    CHECK_EQ_STR(res(call2(lib_fn("File", "write"), S(path), big)), "Ok");
    Value r = call1(lib_fn("File", "read"), S(path));
    CHECK(r.aux == RES_OK && str_eq(val_payload(r, 0), big));
    /* permission denied (skipped when running as root) */
    if (geteuid() != 0) {
        chmod(path, 0);
        CHECK_EQ_STR(res(call1(lib_fn("File", "read"), S(path))), "Err(Permission denied (os error 13))");
        chmod(path, 0644);
    }
    CHECK_EQ_STR(res(call1(lib_fn("File", "delete"), S(path))), "Ok");
    CHECK_EQ_STR(res(call1(lib_fn("File", "delete"), S(path))), "Err(No such file or directory (os error 2))");
    unlink(bad);
    rmdir(sub);
    rmdir(dir);
}

TEST(env) {
    setenv("SNOW_LIB_TEST_VAR", "vâlue", 1);
    setenv("SNOW_LIB_TEST_EMPTY", "", 1);
    setenv("SNOW_LIB_TEST_BAD", "\xff", 1);
    Value r = call1(lib_fn("Env", "get"), S("SNOW_LIB_TEST_VAR"));
    CHECK(val_is_some(r) && str_eq(val_payload(r, 0), S("vâlue")));
    r = call1(lib_fn("Env", "get"), S("SNOW_LIB_TEST_EMPTY"));
    CHECK(val_is_some(r) && str_len(val_payload(r, 0)) == 0);
    CHECK(!val_is_some(call1(lib_fn("Env", "get"), S("SNOW_LIB_TEST_BAD"))));
    CHECK(!val_is_some(call1(lib_fn("Env", "get"), S("SNOW_LIB_TEST_UNSET_XYZ"))));
    CHECK(!val_is_some(call1(lib_fn("Env", "get"), S(""))));
    CHECK(!val_is_some(call1(lib_fn("Env", "get"), S("A=B"))));
    CHECK(!val_is_some(call1(lib_fn("Env", "get"), str_new("PATH\0X", 6))));
    char *argv[] = {"prog.snow", "one", "twö", NULL};
    rt_argc = 3;
    rt_argv = argv;
    CHECK_EQ_STR(DISP(lib_fn("Env", "args")(NULL, 0)), "[prog.snow, one, twö]");
    char *bad[] = {"a\xff" "b", NULL};
    rt_argc = 1;
    rt_argv = bad;
    CHECK_EQ_STR(DISP(lib_fn("Env", "args")(NULL, 0)), "[a\xEF\xBF\xBD" "b]");
    rt_argc = 0;
    rt_argv = NULL;
    CHECK_EQ_STR(DISP(lib_fn("Env", "args")(NULL, 0)), "[]");
}

TEST(read_line) {
    char path[] = "/tmp/snow_lib_stdin_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    const char text[] = "first\r\n\nthird\r\r\nbad\xff\nafter\nlast";
    CHECK(write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1));
    lseek(fd, 0, SEEK_SET);
    int saved = dup(0);
    dup2(fd, 0);
    const char *want[] = {"Ok(first)", "Ok()", "Ok(third\r)", "Err(stream did not contain valid UTF-8)",
                          "Ok(after)", "Ok(last)", "Ok()", "Ok()"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) CHECK_EQ_STR(res(lib_fn("IO", "read_line")(NULL, 0)), want[i]);
    dup2(saved, 0);
    close(saved);
    close(fd);
    unlink(path);
}

TEST(tuple_range_queue) {
    Value t = val_tuple(3, (Value[]){v_int(1), S("x"), v_int(3)});
    CHECK_EQ_INT(call1(lib_fn("Tuple", "size"), t).i, 3);
    CHECK_EQ_INT(call1(lib_fn("Tuple", "first"), t).i, 1);
    CHECK_EQ_INT(call2(lib_fn("Tuple", "nth"), t, v_int(2)).i, 3);
    int p;
    RT_EXPECT_PANIC(call2(lib_fn("Tuple", "nth"), t, v_int(3)), p);
    CHECK(p);
    CHECK_EQ_STR(rt_test_panic_msg, "Tuple.nth: index 3 out of bounds (size 3)");
    RT_EXPECT_PANIC(call2(lib_fn("Tuple", "nth"), t, v_int(-1)), p);
    CHECK_EQ_STR(rt_test_panic_msg, "Tuple.nth: index -1 out of bounds (size 3)");
    Value r = call2(lib_fn("Range", "new"), v_int(2), v_int(5));
    CHECK_EQ_INT(call1(lib_fn("Range", "length"), r).i, 3);
    CHECK_EQ_STR(DISP(call1(lib_fn("Range", "to_list"), r)), "[2, 3, 4]");
    CHECK_EQ_INT(call1(lib_fn("Range", "length"), call2(lib_fn("Range", "new"), v_int(5), v_int(2))).i, 0);
    CHECK_EQ_INT(call1(lib_fn("Range", "length"), call2(lib_fn("Range", "new"), v_int(INT64_MIN), v_int(INT64_MAX))).i, INT64_MAX);
    RT_EXPECT_PANIC(call1(lib_fn("Range", "to_list"), call2(lib_fn("Range", "new"), v_int(0), v_int(INT64_MAX))), p);
    CHECK(p);
    Value q = lib_fn("Queue", "new")(NULL, 0);
    q = call2(lib_fn("Queue", "push"), q, S("a"));
    q = call2(lib_fn("Queue", "push"), q, S("b"));
    Value popped = call1(lib_fn("Queue", "pop"), q);
    CHECK_EQ_STR(DISP(popped), "(a, Queue[b])");
    CHECK_EQ_INT(call1(lib_fn("Queue", "size"), q).i, 2);
    RT_EXPECT_PANIC(call1(lib_fn("Queue", "peek"), lib_fn("Queue", "new")(NULL, 0)), p);
    CHECK_EQ_STR(rt_test_panic_msg, "Queue.peek: empty queue");
    RT_EXPECT_PANIC(call1(lib_fn("Queue", "pop"), lib_fn("Queue", "new")(NULL, 0)), p);
    CHECK_EQ_STR(rt_test_panic_msg, "Queue.pop: empty queue");
}

TEST(map_set_json_wrappers) {
    Value pairs = list_from_array((Value[]){val_tuple2(S("b"), v_int(1)), val_tuple2(S("a"), v_int(2)),
                                            val_tuple2(S("b"), v_int(3))}, 3);
    Value m = call1(lib_fn("Map", "from_list"), pairs);
    CHECK_EQ_STR(DISP(m), "%{b => 3, a => 2}");
    CHECK_EQ_STR(CSTR(call1(lib_fn("JSON", "encode_map"), call1(lib_fn("Map", "from_list"), list_from_array((Value[]){
        val_tuple2(S("k"), S("v")), val_tuple2(S("a"), S("b"))}, 2)))), "{\"a\":\"b\",\"k\":\"v\"}");
    int p;
    RT_EXPECT_PANIC(call1(lib_fn("Map", "from_list"), list_from_array((Value[]){v_int(1)}, 1)), p);
    CHECK(p);
    Value s = call1(lib_fn("Set", "from_list"), list_from_array((Value[]){v_int(3), v_int(1), v_int(3)}, 3));
    CHECK_EQ_STR(DISP(s), "#{3, 1}");
    CHECK_EQ_STR(DISP(call2(lib_fn("Set", "union"), s, call1(lib_fn("Set", "from_list"), list_from_array((Value[]){v_int(2), v_int(1)}, 2)))),
                 "#{3, 1, 2}");
    Value r = call1(lib_fn("JSON", "parse"), S("{\"b\":1,\"a\":[1,2.50]}"));
    CHECK(r.aux == RES_OK);
    CHECK_EQ_STR(CSTR(call1(lib_fn("JSON", "encode"), val_payload(r, 0))), "{\"a\":[1,2.5],\"b\":1}");
    CHECK_EQ_STR(res(call1(lib_fn("JSON", "parse"), S("not json"))), "Err(expected ident at line 1 column 2)");
    CHECK_EQ_STR(CSTR(call1(lib_fn("JSON", "encode_string"), S("a\"b"))), "\"a\\\"b\"");
    CHECK_EQ_STR(CSTR(call1(lib_fn("JSON", "encode_int"), v_int(-3))), "-3");
    CHECK_EQ_STR(CSTR(call1(lib_fn("JSON", "encode_bool"), v_bool(false))), "false");
    CHECK_EQ_STR(CSTR(call1(lib_fn("Json", "encode"), list_from_array((Value[]){v_float(2.0), val_none()}, 2))), "[2.0,null]");
}

int main(void) {
    RT_TEST_INIT();
    RUN(math);
    RUN(files);
    RUN(env);
    RUN(read_line);
    RUN(tuple_range_queue);
    RUN(map_set_json_wrappers);
    return harness_report();
}
