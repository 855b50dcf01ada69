/* test_str.c — strings and the string builder. */
#include "harness.h"
#include "rt_test.h"

TEST(basics) {
    Value a = S("hello");
    CHECK_EQ_INT(str_len(a), 5);
    CHECK(str_is_ascii(a));
    CHECK_EQ_INT(str_cplen(a), 5);
    Value u = S("héllo wörld");
    CHECK(!str_is_ascii(u));
    CHECK_EQ_INT(str_len(u), 13);
    CHECK_EQ_INT(str_cplen(u), 11);
    CHECK_EQ_INT(str_len(str_empty()), 0);
    CHECK(str_eq(str_empty(), S("")));
    CHECK(str_eq(S("abc"), S("abc")));
    CHECK(!str_eq(S("abc"), S("abd")));
    CHECK_EQ_INT(str_hash(S("abc")), str_hash(S("abc")));
    CHECK(str_hash(S("abc")) != str_hash(S("abd")));
    CHECK(str_eq_cstr(a, "hello"));
    Value st = str_static("héllo", 6);
    CHECK_EQ_INT(str_cplen(st), 5);
    CHECK(str_eq(st, S("héllo")));
    CHECK_EQ_INT(str_hash(st), str_hash(S("héllo")));
}

TEST(compare) {
    CHECK_EQ_INT(str_cmp(S("a"), S("b")), -1);
    CHECK_EQ_INT(str_cmp(S("b"), S("a")), 1);
    CHECK_EQ_INT(str_cmp(S("ab"), S("abc")), -1); /* prefix is smaller */
    CHECK_EQ_INT(str_cmp(S("abc"), S("abc")), 0);
    CHECK_EQ_INT(str_cmp(S(""), S("a")), -1);
    CHECK_EQ_INT(str_cmp(S("\xc3\xa9"), S("z")), 1); /* byte-wise */
}

TEST(concat_persistent) {
    Value a = S("");
    for (int i = 0; i < 9; i++) a = str_concat(a, S("0123456789"));
    CHECK_EQ_INT(str_len(a), 90); /* a buffer of 100 after 50 bytes */
    /* a is a view ending at its buffer's used end: extend twice from it */
    Value b = str_concat(a, S("BBB"));
    Value c = str_concat(a, S("CC"));
    CHECK_EQ_INT(str_len(a), 90);
    CHECK_EQ_INT(str_len(b), 93);
    CHECK_EQ_INT(str_len(c), 92);
    CHECK(memcmp(str_data(b) + 90, "BBB", 3) == 0);
    CHECK(memcmp(str_data(c) + 90, "CC", 2) == 0);
    CHECK(AS_STR(b)->buf == AS_STR(a)->buf);  /* b extended in place */
    CHECK(AS_STR(c)->buf != AS_STR(a)->buf);  /* c had to copy */
    CHECK(str_eq_cstr(str_concat(S("ab"), S("cd")), "abcd"));
    CHECK(str_is_ascii(b));
    Value d = str_concat(b, S("é"));
    CHECK(!str_is_ascii(d));
    CHECK_EQ_INT(str_cplen(d), 94);
    CHECK_EQ_STR(str_cstr(a), CSTR(a));
    CHECK_EQ_STR(str_cstr(c), CSTR(c));
}

TEST(append_million) {
    double t0 = now_sec();
    Value acc = S("");
    Value piece = S("xyz");
    for (int i = 0; i < 1000000; i++) acc = str_concat(acc, piece);
    double t1 = now_sec();
    CHECK_EQ_INT(str_len(acc), 3000000);
    CHECK_EQ_INT(str_cplen(acc), 3000000);
    CHECK(memcmp(str_data(acc) + 2999997, "xyz", 3) == 0);
    fprintf(stderr, "  1M x (acc <> piece): %.3fs\n", t1 - t0);
    CHECK(t1 - t0 < 2.0);
    /* the raw variant used by interpolation */
    Value s = S("n=");
    for (int i = 0; i < 100000; i++) s = str_append_raw(s, "1,", 2);
    CHECK_EQ_INT(str_len(s), 200002);
}

TEST(builder) {
    SB b;
    sb_init(&b);
    for (int i = 0; i < 1000; i++) sb_put_int(&b, i % 10);
    sb_printf(&b, "|%s|%d", "x", -5);
    sb_put_int(&b, INT64_MIN);
    Value s = sb_finish(&b);
    CHECK_EQ_INT(str_len(s), 1000 + 5 + 20);
    CHECK(memcmp(str_data(s) + 1000, "|x|-5-9223372036854775808", 25) == 0);
    sb_init(&b);
    CHECK_EQ_INT(str_len(sb_finish(&b)), 0);
}

int main(void) {
    RT_TEST_INIT();
    RUN(basics);
    RUN(compare);
    RUN(concat_persistent);
    RUN(append_million);
    RUN(builder);
    return harness_report();
}
