/* rt_test.h — shared setup for the value-library unit tests: a current heap
 * whose root scanner scans the test's own C stack conservatively, an
 * rt_apply hook that calls builtin FuncObjs (FuncInfo.cfn), and a panic
 * catcher (RT_EXPECT_PANIC). */
#ifndef SNOW_RT_TEST_H
#define SNOW_RT_TEST_H

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fmt.h"
#include "gc.h"
#include "json.h"
#include "list.h"
#include "map.h"
#include "queue.h"
#include "rt.h"
#include "sb.h"
#include "str.h"
#include "vals.h"

static const void *rt_test_stack_top;

static void rt_test_scan(Heap *h, void *ctx) {
    (void)ctx;
    gc_mark_current_stack(h, rt_test_stack_top);
}

static Value rt_test_apply(Value fn, int argc, Value *argv) {
    return AS_FUNC(fn)->fn->cfn(argv, argc);
}

static jmp_buf rt_test_panic_jmp;
static int rt_test_panic_armed;
static char rt_test_panic_msg[1024];

static void rt_test_panic(const char *msg, size_t len) {
    if (!rt_test_panic_armed) {
        fprintf(stderr, "unexpected panic: %.*s\n", (int)len, msg);
        abort();
    }
    snprintf(rt_test_panic_msg, sizeof rt_test_panic_msg, "%.*s", (int)len, msg);
    rt_test_panic_armed = 0;
    longjmp(rt_test_panic_jmp, 1);
}

/* Runs `stmt`; true when it panicked (message in rt_test_panic_msg). */
#define RT_EXPECT_PANIC(stmt, okvar)                                      \
    do {                                                                  \
        rt_test_panic_msg[0] = 0;                                         \
        rt_test_panic_armed = 1;                                          \
        if (setjmp(rt_test_panic_jmp) == 0) {                             \
            stmt;                                                         \
            rt_test_panic_armed = 0;                                      \
            okvar = 0;                                                    \
        } else {                                                          \
            okvar = 1;                                                    \
        }                                                                 \
    } while (0)

/* Call at the top of main. */
#define RT_TEST_INIT()                                                    \
    do {                                                                  \
        rt_test_stack_top = __builtin_frame_address(0);                   \
        rt_apply_hook = rt_test_apply;                                    \
        rt_set_panic_handler(rt_test_panic);                              \
        Heap *h_ = heap_new();                                            \
        heap_set_roots(h_, rt_test_scan, NULL);                           \
        heap_set_current(h_);                                             \
    } while (0)

static inline Value S(const char *s) { return str_from_cstr(s); }

/* Display text as a C string (static buffer, for CHECK_EQ_STR). */
static inline const char *DISP(Value v) {
    static char buf[8192];
    SB b;
    sb_init(&b);
    fmt_display(&b, v);
    snprintf(buf, sizeof buf, "%.*s", (int)b.len, b.p);
    sb_free(&b);
    return buf;
}
static inline const char *DBG(Value v) {
    static char buf[8192];
    SB b;
    sb_init(&b);
    fmt_debug(&b, v);
    snprintf(buf, sizeof buf, "%.*s", (int)b.len, b.p);
    sb_free(&b);
    return buf;
}
static inline const char *CSTR(Value s) {
    static char buf[8192];
    snprintf(buf, sizeof buf, "%.*s", (int)str_len(s), str_data(s));
    return buf;
}

static inline double now_sec(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif
