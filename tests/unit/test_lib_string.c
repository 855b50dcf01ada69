/* test_lib_string.c — the String module (runtime/lib_string.c): Unicode
 * case mapping, trim, slice, split/replace/join rules and the to_int /
 * to_float grammar; plus the UTF-8 validator shared with File and IO. */
#include "harness.h"
#include "lib_test.h"
#include "lib_util.h"
#include "rt_test.h"

static Value call1(BuiltinFn f, Value a) { return f(&a, 1); }
static Value call2(BuiltinFn f, Value a, Value b) {
    Value v[2] = {a, b};
    return f(v, 2);
}
static Value call3(BuiltinFn f, Value a, Value b, Value c) {
    Value v[3] = {a, b, c};
    return f(v, 3);
}

static const char *upper(const char *s) { return CSTR(call1(lib_fn("String", "to_upper"), S(s))); }
static const char *lower(const char *s) { return CSTR(call1(lib_fn("String", "to_lower"), S(s))); }

TEST(case_mapping) {
    CHECK_EQ_STR(upper("hello"), "HELLO");
    CHECK_EQ_STR(lower("HeLLo 123"), "hello 123");
    CHECK_EQ_STR(upper("ß"), "SS");
    CHECK_EQ_STR(upper("straße"), "STRASSE");
    CHECK_EQ_STR(upper("ǅ"), "Ǆ");
    CHECK_EQ_STR(lower("ǅ"), "ǆ");
    CHECK_EQ_STR(upper("ﬃ"), "FFI");
    CHECK_EQ_STR(upper("ΐ"), "\xCE\x99\xCC\x88\xCC\x81");
    CHECK_EQ_STR(upper("ᾳ"), "ΑΙ");
    CHECK_EQ_STR(lower("İ"), "i\xCC\x87");
    CHECK_EQ_STR(lower("ẞ"), "ß");
    CHECK_EQ_STR(upper("ÿ"), "Ÿ");
    CHECK_EQ_STR(upper("日本"), "日本");
    CHECK_EQ_STR(upper(""), "");
}

TEST(final_sigma) {
    CHECK_EQ_STR(lower("ΣΑΣ"), "σας");
    CHECK_EQ_STR(lower("Σ"), "σ");           /* nothing cased before */
    CHECK_EQ_STR(lower(" Σ "), " σ ");
    CHECK_EQ_STR(lower("ΑΣ"), "ας");
    CHECK_EQ_STR(lower("ΑΣΑ"), "ασα");       /* cased after */
    CHECK_EQ_STR(lower("ΑΣ'"), "ας'");       /* ignorable after, then end */
    CHECK_EQ_STR(lower("Α'Σ"), "α'ς");       /* ignorable before */
    CHECK_EQ_STR(lower("ΑΣ'Α"), "ασ'α");     /* ignorable then cased */
    CHECK_EQ_STR(lower("ΑΣ\xCC\x81"), "ας\xCC\x81"); /* combining mark */
    CHECK_EQ_STR(lower("1Σ"), "1σ");
    CHECK_EQ_STR(lower("ʰΣ"), "ʰσ");         /* Lm: Cased but also ignorable */
    CHECK_EQ_STR(lower("ªΣ"), "ªς");         /* Lo: Cased via Other_Lowercase */
    CHECK_EQ_STR(lower("ⒶΣ"), "ⓐς");        /* So: Other_Uppercase */
    CHECK_EQ_STR(lower("ΑΣⒶ"), "ασⓐ");
}

TEST(unchanged_strings_are_shared) {
    Value s = S("already upper ÄÖ 123");
    CHECK_EQ_STR(CSTR(call1(lib_fn("String", "to_upper"), s)), "ALREADY UPPER ÄÖ 123");
    Value u = S("NO LOWER");
    CHECK(call1(lib_fn("String", "to_upper"), u).o == u.o);
    Value t = S("trimmed");
    CHECK(call1(lib_fn("String", "trim"), t).o == t.o);
}

TEST(trim) {
    static const char *ws[] = {" ", "\t", "\n", "\v", "\f", "\r", "\xC2\x85", "\xC2\xA0", "\xE1\x9A\x80",
                               "\xE2\x80\x80", "\xE2\x80\x8A", "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF",
                               "\xE2\x81\x9F", "\xE3\x80\x80"};
    for (size_t i = 0; i < sizeof ws / sizeof ws[0]; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "%sx%sy%s", ws[i], ws[i], ws[i]);
        char want[32];
        snprintf(want, sizeof want, "x%sy", ws[i]);
        CHECK_EQ_STR(CSTR(call1(lib_fn("String", "trim"), S(buf))), want);
    }
    /* not White_Space: ZWSP, BOM, Mongolian vowel separator, NEL-lookalikes */
    CHECK_EQ_STR(CSTR(call1(lib_fn("String", "trim"), S("\xE2\x80\x8Bx"))), "\xE2\x80\x8Bx");
    CHECK_EQ_STR(CSTR(call1(lib_fn("String", "trim"), S("\xEF\xBB\xBFx"))), "\xEF\xBB\xBFx");
    CHECK_EQ_STR(CSTR(call1(lib_fn("String", "trim"), S("\xE1\xA0\x8Ex"))), "\xE1\xA0\x8Ex");
    CHECK_EQ_STR(CSTR(call1(lib_fn("String", "trim"), S(" \t "))), "");
    CHECK_EQ_STR(CSTR(call1(lib_fn("String", "trim"), S(""))), "");
}

TEST(length_and_slice) {
    CHECK_EQ_INT(call1(lib_fn("String", "length"), S("héllo")).i, 5);
    CHECK_EQ_INT(call1(lib_fn("String", "length"), S("😀x")).i, 2);
    Value s = S("héllo wörld");
    CHECK_EQ_STR(CSTR(call3(lib_fn("String", "slice"), s, v_int(1), v_int(8))), "éllo wö");
    CHECK_EQ_STR(CSTR(call3(lib_fn("String", "slice"), s, v_int(-5), v_int(2))), "hé");
    CHECK_EQ_STR(CSTR(call3(lib_fn("String", "slice"), s, v_int(7), v_int(100))), "örld");
    CHECK_EQ_STR(CSTR(call3(lib_fn("String", "slice"), s, v_int(4), v_int(1))), "");
    CHECK_EQ_STR(CSTR(call3(lib_fn("String", "slice"), s, v_int(INT64_MIN), v_int(INT64_MAX))), "héllo wörld");
    CHECK_EQ_STR(CSTR(call3(lib_fn("String", "slice"), S("hello"), v_int(1), v_int(3))), "el");
}

/* The naive slice: code points [from, to), clamped. */
static void naive_slice(const char *p, size_t len, int64_t from, int64_t to, size_t *b0, size_t *b1) {
    size_t cp = 0, i = 0;
    *b0 = *b1 = len;
    for (; i <= len; i++) {
        if (i < len && (p[i] & 0xC0) == 0x80) continue;
        if ((int64_t)cp == from) *b0 = i;
        if ((int64_t)cp == to) *b1 = i;
        cp++;
    }
    if (*b1 < *b0) *b1 = *b0;
}

TEST(slice_matches_naive_model) {
    static const char *pieces[] = {"a", "é", "€", "😀", "bc", "ü"};
    uint64_t seed = 12345;
    for (int round = 0; round < 300; round++) {
        SB b;
        sb_init(&b);
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        int n = (int)(seed >> 58);
        for (int i = 0; i < n * 3; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            sb_puts(&b, pieces[(seed >> 33) % 6]);
        }
        Value s = sb_finish(&b);
        int64_t cpl = (int64_t)str_cplen(s);
        for (int64_t from = -1; from <= cpl + 1; from++)
            for (int64_t to = from - 1; to <= cpl + 1; to++) {
                size_t b0, b1;
                int64_t f = from < 0 ? 0 : from > cpl ? cpl : from, t = to < 0 ? 0 : to > cpl ? cpl : to;
                naive_slice(str_data(s), str_len(s), f, t < f ? f : t, &b0, &b1);
                Value r = call3(lib_fn("String", "slice"), s, v_int(from), v_int(to));
                if (str_len(r) != b1 - b0 || memcmp(str_data(r), str_data(s) + b0, b1 - b0) != 0) {
                    CHECK(!"slice differs from the model");
                    return;
                }
            }
    }
}

static const char *joined(Value list) {
    return CSTR(call2(lib_fn("String", "join"), list, S("|")));
}

TEST(split) {
    CHECK_EQ_STR(joined(call2(lib_fn("String", "split"), S("a,b,,c"), S(","))), "a|b||c");
    CHECK_EQ_INT(list_len(call2(lib_fn("String", "split"), S(""), S(","))), 1);
    CHECK_EQ_STR(joined(call2(lib_fn("String", "split"), S(",a,"), S(","))), "|a|");
    CHECK_EQ_STR(joined(call2(lib_fn("String", "split"), S("abc"), S(""))), "|a|b|c|");
    CHECK_EQ_INT(list_len(call2(lib_fn("String", "split"), S(""), S(""))), 2);
    CHECK_EQ_STR(joined(call2(lib_fn("String", "split"), S("日本"), S(""))), "|日|本|");
    CHECK_EQ_STR(joined(call2(lib_fn("String", "split"), S("a::b:::c"), S("::"))), "a|b|:c");
    CHECK_EQ_STR(joined(call2(lib_fn("String", "split"), S("aaaa"), S("aa"))), "||");
    CHECK_EQ_STR(joined(call2(lib_fn("String", "split"), S("x→y"), S("→"))), "x|y");
    /* no delimiter: the string itself */
    Value s = S("no delimiter here");
    Value r = call2(lib_fn("String", "split"), s, S(";"));
    CHECK(list_len(r) == 1 && list_get(r, 0).o == s.o);
}

TEST(replace) {
    CHECK_EQ_STR(CSTR(call3(lib_fn("String", "replace"), S("hello world"), S("world"), S("snow"))), "hello snow");
    CHECK_EQ_STR(CSTR(call3(lib_fn("String", "replace"), S("aaa"), S("aa"), S("b"))), "ba");
    CHECK_EQ_STR(CSTR(call3(lib_fn("String", "replace"), S("abc"), S(""), S("-"))), "-a-b-c-");
    CHECK_EQ_STR(CSTR(call3(lib_fn("String", "replace"), S(""), S(""), S("-"))), "-");
    CHECK_EQ_STR(CSTR(call3(lib_fn("String", "replace"), S("éa"), S(""), S("."))), ".é.a.");
    CHECK_EQ_STR(CSTR(call3(lib_fn("String", "replace"), S("abcabc"), S("b"), S(""))), "acac");
    CHECK_EQ_STR(CSTR(call3(lib_fn("String", "replace"), S("abc"), S("abcd"), S("x"))), "abc");
    CHECK_EQ_STR(CSTR(call3(lib_fn("String", "replace"), S("a.b"), S("."), S("..."))), "a...b");
    /* the result's ASCII flag / code-point length are right */
    Value r = call3(lib_fn("String", "replace"), S("abc"), S("b"), S("é"));
    CHECK_EQ_INT(str_cplen(r), 3);
}

TEST(join) {
    CHECK_EQ_STR(CSTR(call2(lib_fn("String", "join"), list_empty(), S(","))), "");
    Value one = list_from_array((Value[]){S("a")}, 1);
    CHECK_EQ_STR(CSTR(call2(lib_fn("String", "join"), one, S(","))), "a");
    Value three = list_from_array((Value[]){S("α"), S(""), S("c")}, 3);
    Value j = call2(lib_fn("String", "join"), three, S(", "));
    CHECK_EQ_STR(CSTR(j), "α, , c");
    CHECK_EQ_INT(str_cplen(j), 6);
}

static const char *to_int(const char *s) {
    static char buf[64];
    Value r = call1(lib_fn("String", "to_int"), S(s));
    if (!val_is_some(r)) return "None";
    snprintf(buf, sizeof buf, "%lld", (long long)val_payload(r, 0).i);
    return buf;
}

TEST(to_int_grammar) {
    CHECK_EQ_STR(to_int(" 42 "), "42");
    CHECK_EQ_STR(to_int("+5"), "5");
    CHECK_EQ_STR(to_int("-100"), "-100");
    CHECK_EQ_STR(to_int("\xE3\x80\x80" "7\xC2\xA0"), "7");
    CHECK_EQ_STR(to_int("9223372036854775807"), "9223372036854775807");
    CHECK_EQ_STR(to_int("-9223372036854775808"), "-9223372036854775808");
    CHECK_EQ_STR(to_int("9223372036854775808"), "None");
    CHECK_EQ_STR(to_int("-9223372036854775809"), "None");
    CHECK_EQ_STR(to_int("00000000000000000000000001"), "1");
    static const char *bad[] = {"", " ", "+", "-", "+-1", "1_000", "0x10", "1.0", "1e3", "1 2", "abc", "٣", "１"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) CHECK_EQ_STR(to_int(bad[i]), "None");
}

static const char *to_float(const char *s) {
    static char buf[64];
    Value r = call1(lib_fn("String", "to_float"), S(s));
    if (!val_is_some(r)) return "None";
    SB b;
    sb_init(&b);
    fmt_float(&b, val_payload(r, 0).f);
    snprintf(buf, sizeof buf, "%.*s", (int)b.len, b.p);
    sb_free(&b);
    return buf;
}

TEST(to_float_grammar) {
    CHECK_EQ_STR(to_float("3.14"), "3.14");
    CHECK_EQ_STR(to_float("42"), "42");
    CHECK_EQ_STR(to_float(".5"), "0.5");
    CHECK_EQ_STR(to_float("5."), "5");
    CHECK_EQ_STR(to_float("-1.5e3"), "-1500");
    CHECK_EQ_STR(to_float("1E-2"), "0.01");
    CHECK_EQ_STR(to_float("+1e+2"), "100");
    CHECK_EQ_STR(to_float(" 2.5 "), "2.5");
    CHECK_EQ_STR(to_float("inf"), "inf");
    CHECK_EQ_STR(to_float("-Infinity"), "-inf");
    CHECK_EQ_STR(to_float("NAN"), "NaN");
    CHECK_EQ_STR(to_float("1e999"), "inf");
    static const char *bad[] = {"", ".", "e5", "1e", "1e+", "1.5.2", "0x1p3", "1,5", "in", "nana", "infinityy", "- 1", "1f", "--1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) CHECK_EQ_STR(to_float(bad[i]), "None");
    /* a long literal (heap copy for strtod) */
    char big[400];
    memset(big, '1', 300);
    strcpy(big + 300, ".5e-290");
    CHECK(val_is_some(call1(lib_fn("String", "to_float"), S(big))));
}

TEST(ill_typed_arguments_panic_cleanly) {
    int p;
    RT_EXPECT_PANIC(call1(lib_fn("String", "length"), v_int(1)), p);
    CHECK(p);
    CHECK_EQ_STR(rt_test_panic_msg, "String.length: argument 1 must be a String, got a Int");
    Value bad = list_from_array((Value[]){S("a"), v_int(2)}, 2);
    RT_EXPECT_PANIC(call2(lib_fn("String", "join"), bad, S(",")), p);
    CHECK(p);
}

TEST(utf8_validation) {
    CHECK(lib_utf8_valid("", 0));
    CHECK(lib_utf8_valid("plain ascii text, long enough for words", 40));
    CHECK(lib_utf8_valid("é€😀", strlen("é€😀")));
    CHECK(lib_utf8_valid("\xF4\x8F\xBF\xBF", 4)); /* U+10FFFF */
    static const char *bad[] = {"\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xED\xA0\x80", "\xF0\x80\x80\x80",
                                "\xF4\x90\x80\x80", "\xF5\x80\x80\x80", "\xFF", "\x80", "\xC3", "\xE2\x82",
                                "abcdefgh\xC3(", "\xE2\x28\xA1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) CHECK(!lib_utf8_valid(bad[i], strlen(bad[i])));
}

TEST(big_inputs) {
    /* 200 000 pieces: split, join and replace stay linear */
    SB b;
    sb_init(&b);
    for (int i = 0; i < 200000; i++) sb_puts(&b, i ? ",wörd" : "wörd");
    Value big = sb_finish(&b);
    double t0 = now_sec();
    Value parts = call2(lib_fn("String", "split"), big, S(","));
    CHECK_EQ_INT(list_len(parts), 200000);
    Value back = call2(lib_fn("String", "join"), parts, S(","));
    CHECK(str_eq(back, big));
    Value r = call3(lib_fn("String", "replace"), big, S(","), S(""));
    CHECK_EQ_INT(str_cplen(r), 200000 * 4);
    Value up = call1(lib_fn("String", "to_upper"), big);
    CHECK_EQ_INT(str_len(up), str_len(big));
    CHECK(now_sec() - t0 < 5.0); /* a guard against quadratic work */
}

int main(void) {
    RT_TEST_INIT();
    RUN(case_mapping);
    RUN(final_sigma);
    RUN(unchanged_strings_are_shared);
    RUN(trim);
    RUN(length_and_slice);
    RUN(slice_matches_naive_model);
    RUN(split);
    RUN(replace);
    RUN(join);
    RUN(to_int_grammar);
    RUN(to_float_grammar);
    RUN(ill_typed_arguments_panic_cleanly);
    RUN(utf8_validation);
    RUN(big_inputs);
    return harness_report();
}
