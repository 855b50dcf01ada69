/* test_json.c — JSON parse/encode, deriving(Json), deriving(Row). */
#include "harness.h"
#include "rt_test.h"

#include <math.h>
#include <stdlib.h>

/* Parse then re-encode; or the error text. */
static const char *RT(const char *text) {
    static char buf[4096];
    char err[200];
    Value j;
    if (!json_parse_bytes(text, strlen(text), &j, err, sizeof err)) {
        snprintf(buf, sizeof buf, "ERR %s", err);
        return buf;
    }
    return strcpy(buf, CSTR(json_encode(j)));
}

static const char *JF(double d) {
    static char buf[64];
    SB b;
    sb_init(&b);
    json_put_float(&b, d);
    snprintf(buf, sizeof buf, "%.*s", (int)b.len, b.p);
    sb_free(&b);
    return buf;
}

TEST(parse_and_encode) {
    CHECK_EQ_STR(RT("{\"b\":1,\"a\":[1,2.50]}"), "{\"a\":[1,2.5],\"b\":1}");
    CHECK_EQ_STR(RT(" [ true , false , null ] "), "[true,false,null]");
    CHECK_EQ_STR(RT("{\"a\":1,\"a\":2}"), "{\"a\":2}");
    CHECK_EQ_STR(RT("\"h\\u00e9\\n\\ud83d\\ude00\""), "\"h\xc3\xa9\\n\xf0\x9f\x98\x80\"");
    CHECK_EQ_STR(RT("9223372036854775807"), "9223372036854775807");
    CHECK_EQ_STR(RT("-9223372036854775808"), "-9223372036854775808");
    CHECK_EQ_STR(RT("9223372036854775808"), "9.223372036854776e18");
    CHECK_EQ_STR(RT("-0"), "-0.0");
    CHECK_EQ_STR(RT("1E2"), "100.0");
    CHECK_EQ_STR(RT("{}"), "{}");
    CHECK_EQ_STR(RT("[]"), "[]");
    CHECK_EQ_STR(RT("\"/\\/\\b\\f\\t\\r\\u0001\""), "\"//\\b\\f\\t\\r\\u0001\"");
    CHECK_EQ_STR(RT("{\"\xc3\xa9\":1,\"z\":2,\"a\":3}"), "{\"a\":3,\"z\":2,\"\xc3\xa9\":1}");
}

TEST(error_texts) {
    CHECK_EQ_STR(RT("hello"), "ERR expected value at line 1 column 1");
    CHECK_EQ_STR(RT("not json"), "ERR expected ident at line 1 column 2");
    CHECK_EQ_STR(RT("{\"x\":1"), "ERR EOF while parsing an object at line 1 column 6");
    CHECK_EQ_STR(RT("{\"a\":1} x"), "ERR trailing characters at line 1 column 9");
    CHECK_EQ_STR(RT("{a:1}"), "ERR key must be a string at line 1 column 2");
    CHECK_EQ_STR(RT("[1,2,]"), "ERR trailing comma at line 1 column 6");
    CHECK_EQ_STR(RT(""), "ERR EOF while parsing a value at line 1 column 0");
    CHECK_EQ_STR(RT("[1,2"), "ERR EOF while parsing a list at line 1 column 4");
    CHECK_EQ_STR(RT("[1 2]"), "ERR expected `,` or `]` at line 1 column 4");
    CHECK_EQ_STR(RT("{\"a\" 1}"), "ERR expected `:` at line 1 column 6");
    CHECK_EQ_STR(RT("{\"a\":1 \"b\":2}"), "ERR expected `,` or `}` at line 1 column 8");
    CHECK_EQ_STR(RT("{\"a\":1,}"), "ERR trailing comma at line 1 column 8");
    CHECK_EQ_STR(RT("\"abc"), "ERR EOF while parsing a string at line 1 column 4");
    CHECK_EQ_STR(RT("01"), "ERR invalid number at line 1 column 2");
    CHECK_EQ_STR(RT("1."), "ERR EOF while parsing a value at line 1 column 2");
    CHECK_EQ_STR(RT("1.x"), "ERR invalid number at line 1 column 3");
    CHECK_EQ_STR(RT("-"), "ERR EOF while parsing a value at line 1 column 1");
    CHECK_EQ_STR(RT("1e400"), "ERR number out of range at line 1 column 5");
    CHECK_EQ_STR(RT("\"\\x\""), "ERR invalid escape at line 1 column 3");
    CHECK_EQ_STR(RT("\"a\nb\""), "ERR control character (\\u0000-\\u001F) found while parsing a string at line 2 column 0");
    CHECK_EQ_STR(RT("[\n1,\n  x]"), "ERR expected value at line 3 column 3");
    CHECK_EQ_STR(RT("tru"), "ERR EOF while parsing a value at line 1 column 3");
    CHECK_EQ_STR(RT("[,1]"), "ERR expected value at line 1 column 2");
    CHECK_EQ_STR(RT("'a'"), "ERR expected value at line 1 column 1");
    /* nesting limit: an error, never a crash */
    char deep[2000];
    memset(deep, '[', 1000);
    memset(deep + 1000, ']', 999);
    deep[1999] = 0;
    CHECK(strncmp(RT(deep), "ERR recursion limit exceeded at line 1 column 128", 50) == 0);
    memset(deep, '[', 127);
    memset(deep + 127, ']', 127);
    deep[254] = 0;
    CHECK(strncmp(RT(deep), "[[[[", 4) == 0);
    Value r = json_parse(S("[1"));
    CHECK(r.tag == T_VARIANT && r.aux == RES_ERR);
    CHECK_EQ_STR(DISP(r), "Err(EOF while parsing a list at line 1 column 2)");
}

TEST(float_layout) {
    CHECK_EQ_STR(JF(2.0), "2.0");
    CHECK_EQ_STR(JF(95.5), "95.5");
    CHECK_EQ_STR(JF(3.14), "3.14");
    CHECK_EQ_STR(JF(1e15), "1000000000000000.0");
    CHECK_EQ_STR(JF(1e16), "1e16");
    CHECK_EQ_STR(JF(1.5e16), "1.5e16");
    CHECK_EQ_STR(JF(0.00001), "0.00001");
    CHECK_EQ_STR(JF(1e-7), "1e-7");
    CHECK_EQ_STR(JF(1.2345e-6), "1.2345e-6");
    CHECK_EQ_STR(JF(0.0), "0.0");
    CHECK_EQ_STR(JF(-0.0), "-0.0");
    CHECK_EQ_STR(JF(NAN), "null");
    CHECK_EQ_STR(JF(-INFINITY), "null");
    CHECK_EQ_STR(JF(-1.5), "-1.5");
    CHECK_EQ_STR(JF(0.1), "0.1");
    CHECK_EQ_STR(JF(123456.789), "123456.789");
}

TEST(encoders) {
    CHECK_EQ_STR(CSTR(json_encode_int(42)), "42");
    CHECK_EQ_STR(CSTR(json_encode_string(S("hello"))), "\"hello\"");
    CHECK_EQ_STR(CSTR(json_encode_string(S("a\"b\\c\x01/\xc3\xa9"))), "\"a\\\"b\\\\c\\u0001/\xc3\xa9\"");
    CHECK_EQ_STR(CSTR(json_encode_bool(false)), "false");
    CHECK_EQ_STR(CSTR(json_encode_list(list_from_array((Value[]){S("a"), S("b")}, 2))), "[\"a\",\"b\"]");
    CHECK_EQ_STR(CSTR(json_encode_map(map_from_pairs((Value[]){S("k"), S("v"), S("a"), S("b")}, 2))), "{\"a\":\"b\",\"k\":\"v\"}");
}

/* ---- deriving(Json) ---- */
static const RtType t_int = {RK_INT, NULL, 0, 0, NULL}, t_float = {RK_FLOAT, NULL, 0, 0, NULL},
                    t_bool = {RK_BOOL, NULL, 0, 0, NULL}, t_str = {RK_STRING, NULL, 0, 0, NULL},
                    t_p0 = {RK_PARAM, NULL, 0, 0, NULL};
static const RtType *a_str[] = {&t_str}, *a_int[] = {&t_int};
static const RtType t_opt_str = {RK_OPTION, NULL, 0, 1, a_str}, t_list_str = {RK_LIST, NULL, 0, 1, a_str};
static const RtType *a_str_int[] = {&t_str, &t_int};
static const RtType t_map_si = {RK_MAP, NULL, 0, 2, a_str_int};
static const RtType t_opt_int = {RK_OPTION, NULL, 0, 1, a_int};

static const char *user_f[] = {"name", "age", "score", "active"};
static const RtType *user_t[] = {&t_str, &t_int, &t_float, &t_bool};
static TypeDesc user_td = {.name = "User", .kind = TD_STRUCT, .nfields = 4, .field_names = user_f, .field_types = user_t, .derives = D_JSON | D_ROW};
static const RtType t_user = {RK_USER, &user_td, 0, 0, NULL};

static const RtType *circle_t[] = {&t_float}, *rect_t[] = {&t_float, &t_float};
static VariantDesc shape_v[] = {{"Circle", 1, circle_t, NULL}, {"Rectangle", 2, rect_t, NULL}, {"Point", 0, NULL, NULL}};
static TypeDesc shape_td = {.name = "Shape", .kind = TD_SUM, .nvariants = 3, .variants = shape_v, .derives = D_JSON | D_DISPLAY};
static const RtType t_shape = {RK_USER, &shape_td, 0, 0, NULL};

static const char *wrap_f[] = {"value"};
static const RtType *wrap_t[] = {&t_p0};
static TypeDesc wrap_td = {.name = "Wrapper", .kind = TD_STRUCT, .nparams = 1, .nfields = 1, .field_names = wrap_f, .field_types = wrap_t, .derives = D_JSON | D_DISPLAY};

static const char *cfg_f[] = {"tags", "settings", "bio"};
static const RtType *cfg_t[] = {&t_list_str, &t_map_si, &t_opt_str};
static TypeDesc cfg_td = {.name = "Config", .kind = TD_STRUCT, .nfields = 3, .field_names = cfg_f, .field_types = cfg_t, .derives = D_JSON | D_DISPLAY};
static const RtType t_cfg = {RK_USER, &cfg_td, 0, 0, NULL};

static const char *pt_f[] = {"x", "y"};
static const RtType *pt_t[] = {&t_int, &t_int};
static TypeDesc pt_td = {.name = "Point", .kind = TD_STRUCT, .nfields = 2, .field_names = pt_f, .field_types = pt_t, .derives = D_JSON | D_DISPLAY};
static const RtType t_pt = {RK_USER, &pt_td, 0, 0, NULL};

static const char *DEC(const RtType *t, const char *text) { return DISP(json_from_text(t, S(text))); }

TEST(derive_json) {
    Value u = val_struct(&user_td, (Value[]){S("Alice"), v_int(30), v_float(95.5), v_bool(true)});
    CHECK_EQ_STR(CSTR(json_encode(u)), "{\"active\":true,\"age\":30,\"name\":\"Alice\",\"score\":95.5}");
    CHECK_EQ_STR(CSTR(json_encode(val_variant(&shape_td, 0, (Value[]){v_float(3.14)}))), "{\"fields\":[3.14],\"tag\":\"Circle\"}");
    CHECK_EQ_STR(CSTR(json_encode(val_variant(&shape_td, 1, (Value[]){v_float(2.0), v_float(5.0)}))), "{\"fields\":[2.0,5.0],\"tag\":\"Rectangle\"}");
    CHECK_EQ_STR(CSTR(json_encode(val_variant(&shape_td, 2, NULL))), "{\"fields\":[],\"tag\":\"Point\"}");
    Value cfg = val_struct(&cfg_td, (Value[]){list_from_array((Value[]){S("web"), S("api"), S("prod")}, 3),
                                               map_from_pairs((Value[]){S("port"), v_int(8080), S("workers"), v_int(4)}, 2),
                                               val_none()});
    CHECK_EQ_STR(CSTR(json_encode(cfg)), "{\"bio\":null,\"settings\":{\"port\":8080,\"workers\":4},\"tags\":[\"web\",\"api\",\"prod\"]}");
    CHECK_EQ_STR(CSTR(json_encode(val_struct(&wrap_td, (Value[]){v_int(42)}))), "{\"value\":42}");
    CHECK_EQ_STR(CSTR(json_encode(val_some(v_int(3)))), "3");
    /* decoding */
    CHECK_EQ_STR(DEC(&t_shape, "{\"fields\":[3.14],\"tag\":\"Circle\"}"), "Ok(Circle(3.14))");
    CHECK_EQ_STR(DEC(&t_shape, "{\"tag\":\"Point\"}"), "Ok(Point)");
    CHECK_EQ_STR(DEC(&t_shape, "{\"tag\":\"Blob\"}"), "Err(unknown variant for Shape)");
    CHECK_EQ_STR(DEC(&t_shape, "{\"fields\":[1]}"), "Err(missing field: tag)");
    CHECK_EQ_STR(DEC(&t_shape, "{\"tag\":1}"), "Err(expected String)");
    CHECK_EQ_STR(DEC(&t_shape, "{\"tag\":\"Circle\"}"), "Err(missing field: fields)");
    CHECK_EQ_STR(DEC(&t_shape, "{\"tag\":\"Circle\",\"fields\":{}}"), "Err(expected Array)");
    CHECK_EQ_STR(DEC(&t_shape, "{\"tag\":\"Rectangle\",\"fields\":[1]}"), "Err(array index 1 out of bounds (length 1))");
    CHECK_EQ_STR(DEC(&t_shape, "{\"tag\":\"Rectangle\",\"fields\":[1,2,3]}"), "Ok(Rectangle(1, 2))");
    CHECK_EQ_STR(DEC(&t_pt, "not json"), "Err(expected ident at line 1 column 2)");
    CHECK_EQ_STR(DEC(&t_pt, "{\"x\":1}"), "Err(missing field: y)");
    CHECK_EQ_STR(DEC(&t_pt, "{\"x\":\"hello\",\"y\":2}"), "Err(expected Int)");
    CHECK_EQ_STR(DEC(&t_pt, "{\"x\":3.9,\"y\":-2.7,\"z\":0}"), "Ok(Point(3, -2))");
    CHECK_EQ_STR(DEC(&t_pt, "[1,2]"), "Err(expected Object)");
    CHECK_EQ_STR(DEC(&t_user, "{\"active\":true,\"age\":30,\"name\":\"Alice\",\"score\":95}"), "Ok(User { name: Alice, age: 30, score: 95, active: true })");
    CHECK_EQ_STR(DEC(&t_user, "{\"active\":1,\"age\":30,\"name\":\"Alice\",\"score\":95}"), "Err(expected Bool)");
    CHECK_EQ_STR(DEC(&t_cfg, "{\"tags\":[\"a\"],\"settings\":{\"p\":1},\"bio\":null}"), "Ok(Config([a], %{p => 1}, None))");
    CHECK_EQ_STR(DEC(&t_cfg, "{\"tags\":[\"a\"],\"settings\":{\"p\":1},\"bio\":\"hi\"}"), "Ok(Config([a], %{p => 1}, Some(hi)))");
    CHECK_EQ_STR(DEC(&t_cfg, "{\"tags\":[\"a\"],\"settings\":{\"p\":1}}"), "Err(missing field: bio)");
    CHECK_EQ_STR(DEC(&t_cfg, "{\"tags\":[1],\"settings\":{},\"bio\":null}"), "Err(expected String)");
    CHECK_EQ_STR(DEC(&t_cfg, "{\"tags\":{},\"settings\":{},\"bio\":null}"), "Err(expected Array)");
    /* generic struct per instantiation */
    const RtType *wa[] = {&t_opt_int};
    RtType t_wrap = {RK_USER, &wrap_td, 0, 1, wa};
    CHECK_EQ_STR(DEC(&t_wrap, "{\"value\":null}"), "Ok(Wrapper(None))");
    CHECK_EQ_STR(DEC(&t_wrap, "{\"value\":5}"), "Ok(Wrapper(Some(5)))");
    const RtType *wa2[] = {&t_shape};
    RtType t_wrap2 = {RK_USER, &wrap_td, 0, 1, wa2};
    CHECK_EQ_STR(DEC(&t_wrap2, "{\"value\":{\"tag\":\"Circle\",\"fields\":[1]}}"), "Ok(Wrapper(Circle(1)))");
    /* round trip */
    Value back = json_from_text(&t_user, json_encode(u));
    CHECK(back.aux == RES_OK && val_eq(val_payload(back, 0), u));
}

TEST(derive_row) {
    Value row = map_from_pairs((Value[]){S("name"), S("Alice"), S("age"), S("30"), S("score"), S("95.5"), S("active"), S("t")}, 4);
    CHECK_EQ_STR(DISP(row_decode(&user_td, row)), "Ok(User { name: Alice, age: 30, score: 95.5, active: true })");
    Value row2 = map_from_pairs((Value[]){S("name"), S(" x "), S("age"), S(" -7 "), S("score"), S("-Infinity"), S("active"), S(" NO ")}, 4);
    CHECK_EQ_STR(DISP(row_decode(&user_td, row2)), "Ok(User { name:  x , age: -7, score: -inf, active: false })");
    CHECK_EQ_STR(DISP(row_decode(&user_td, map_from_pairs((Value[]){S("name"), S("A")}, 1))), "Err(missing column: age)");
    Value bad = map_put(row, S("age"), S(" 3x "));
    CHECK_EQ_STR(DISP(row_decode(&user_td, bad)), "Err(cannot parse '3x' as Int)");
    CHECK_EQ_STR(DISP(row_decode(&user_td, map_put(row, S("age"), S("")))), "Err(cannot parse '' as Int)");
    CHECK_EQ_STR(DISP(row_decode(&user_td, map_put(row, S("score"), S("abc")))), "Err(cannot parse 'abc' as Float)");
    CHECK_EQ_STR(DISP(row_decode(&user_td, map_put(row, S("active"), S("maybe")))), "Err(cannot parse 'maybe' as Bool)");
    static const char *of[] = {"nick", "n"};
    static const RtType *ot[] = {&t_opt_str, &t_opt_int};
    static TypeDesc opt_td = {.name = "O", .kind = TD_STRUCT, .nfields = 2, .field_names = of, .field_types = ot, .derives = D_ROW | D_DISPLAY};
    CHECK_EQ_STR(DISP(row_decode(&opt_td, map_from_pairs((Value[]){S("nick"), S(""), S("n"), S("5")}, 2))), "Ok(O(None, Some(5)))");
    CHECK_EQ_STR(DISP(row_decode(&opt_td, map_new())), "Ok(O(None, None))");
    CHECK_EQ_STR(DISP(row_decode(&opt_td, map_from_pairs((Value[]){S("n"), S("z")}, 1))), "Err(cannot parse 'z' as Int)");
}

TEST(fuzz_safety) {
    /* random bytes and mutations of valid documents never crash */
    const char *seeds[] = {"{\"a\":[1,2.5,{\"b\":null}],\"c\":\"\\u00e9\"}", "[true,false,-0.5e3]", "\"x\\ud83d\\ude00\""};
    unsigned seed = 7;
    char buf[256];
    int ok = 0;
    for (int iter = 0; iter < 200000; iter++) {
        seed = seed * 1103515245 + 12345;
        const char *s = seeds[(seed >> 16) % 3];
        size_t n = strlen(s);
        memcpy(buf, s, n);
        int muts = 1 + (int)((seed >> 8) % 4);
        for (int m = 0; m < muts; m++) {
            seed = seed * 1103515245 + 12345;
            buf[(seed >> 8) % n] = (char)(seed >> 20);
        }
        if ((seed >> 4) % 5 == 0) n = (seed >> 12) % n;
        char err[200];
        Value j;
        if (json_parse_bytes(buf, n, &j, err, sizeof err)) {
            ok++;
            (void)json_encode(j);
        } else {
            CHECK(strstr(err, " at line ") != NULL);
        }
    }
    CHECK(ok > 0);
}

int main(void) {
    RT_TEST_INIT();
    RUN(parse_and_encode);
    RUN(error_texts);
    RUN(float_layout);
    RUN(encoders);
    RUN(derive_json);
    RUN(derive_row);
    RUN(fuzz_safety);
    return harness_report();
}
