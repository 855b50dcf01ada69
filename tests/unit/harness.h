/* harness.h — a tiny unit-test harness (clox/Lua style: no framework).
 *
 *   TEST(name) { CHECK(cond); CHECK_EQ_INT(a, b); CHECK_EQ_STR(a, b); }
 *   int main(void) { RUN(name); ...; return harness_report(); }
 *
 * Each binary prints one line per failed check and finally
 * `unit <file>: N passed, N failed`; scripts/run-tests aggregates them. */
#ifndef SNOW_HARNESS_H
#define SNOW_HARNESS_H
#include <stdio.h>
#include <string.h>

static int h_passed, h_failed, h_cur_failed;
static const char *h_cur;

#define TEST(name) static void test_##name(void)
#define RUN(name)                                                         \
    do {                                                                  \
        h_cur = #name; h_cur_failed = 0;                                  \
        test_##name();                                                    \
        if (h_cur_failed) h_failed++; else h_passed++;                    \
    } while (0)
#define CHECK(cond)                                                       \
    do {                                                                  \
        if (!(cond)) {                                                    \
            fprintf(stderr, "FAIL %s (%s:%d): %s\n", h_cur, __FILE__,     \
                    __LINE__, #cond);                                     \
            h_cur_failed = 1;                                             \
        }                                                                 \
    } while (0)
#define CHECK_EQ_INT(a, b)                                                \
    do {                                                                  \
        long long a_ = (long long)(a), b_ = (long long)(b);               \
        if (a_ != b_) {                                                   \
            fprintf(stderr, "FAIL %s (%s:%d): %s == %lld, expected %lld\n", \
                    h_cur, __FILE__, __LINE__, #a, a_, b_);               \
            h_cur_failed = 1;                                             \
        }                                                                 \
    } while (0)
#define CHECK_EQ_STR(a, b)                                                \
    do {                                                                  \
        const char *a_ = (a), *b_ = (b);                                  \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                          \
            fprintf(stderr, "FAIL %s (%s:%d): %s == \"%s\", expected \"%s\"\n", \
                    h_cur, __FILE__, __LINE__, #a, a_ ? a_ : "(null)",    \
                    b_ ? b_ : "(null)");                                  \
            h_cur_failed = 1;                                             \
        }                                                                 \
    } while (0)

static inline int harness_report_(const char *file) {
    printf("unit %s: %d passed, %d failed\n", file, h_passed, h_failed);
    return h_failed ? 1 : 0;
}
#define harness_report() harness_report_(__FILE__)
#endif
