/* test_ctx.c — the hand-written context switch and stack-switching call:
 * correctness (callee-saved registers, FP state, alignment, ping-pong
 * between coroutines) and speed. */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "ctx.h"
#include "harness.h"

static Ctx main_ctx, co_ctx;
static volatile int64_t counter;

static void co_counter(void *arg) {
    int64_t n = (int64_t)(intptr_t)arg;
    for (;;) {
        counter += n;
        ctx_switch(&co_ctx, &main_ctx);
    }
}

TEST(switch_roundtrip) {
    size_t sz = 64 * 1024;
    char *stk = malloc(sz);
    ctx_init(&co_ctx, stk + sz, co_counter, (void *)(intptr_t)3);
    counter = 0;
    for (int i = 0; i < 10; i++) ctx_switch(&main_ctx, &co_ctx);
    CHECK_EQ_INT(counter, 30);
    free(stk);
}

/* Values kept in callee-saved registers and floating-point registers
 * across switches must survive. */
static double fp_acc;
static void co_clobber(void *arg) {
    (void)arg;
    for (;;) {
        volatile double x = 1.5; /* touch FP state and many registers */
        register long a = 11, b = 22, c = 33, d = 44, e = 55, f = 66;
        __asm__ volatile("" : "+r"(a), "+r"(b), "+r"(c), "+r"(d), "+r"(e), "+r"(f));
        fp_acc += x * (double)(a + b + c + d + e + f);
        ctx_switch(&co_ctx, &main_ctx);
    }
}

TEST(callee_saved_preserved) {
    size_t sz = 64 * 1024;
    char *stk = malloc(sz);
    ctx_init(&co_ctx, stk + sz, co_clobber, NULL);
    fp_acc = 0;
    long sum = 0;
    double fsum = 0.25;
    for (long i = 0; i < 1000; i++) {
        register long keep1 = i * 3, keep2 = i * 5, keep3 = i * 7;
        double fkeep = (double)i * 0.5;
        ctx_switch(&main_ctx, &co_ctx);
        __asm__ volatile("" : "+r"(keep1), "+r"(keep2), "+r"(keep3));
        sum += keep1 + keep2 + keep3 - i * 15;
        fsum += fkeep - (double)i * 0.5;
    }
    CHECK_EQ_INT(sum, 0);
    CHECK(fsum == 0.25);
    CHECK(fp_acc == 1000 * 1.5 * 231);
    free(stk);
}

static uintptr_t seen_sp;
static void co_align(void *arg) {
    (void)arg;
    for (;;) {
        seen_sp = (uintptr_t)__builtin_frame_address(0);
        ctx_switch(&co_ctx, &main_ctx);
    }
}

TEST(alignment) {
    size_t sz = 64 * 1024;
    char *stk = malloc(sz + 64);
    for (int off = 0; off < 16; off += 8) {
        ctx_init(&co_ctx, stk + sz - off, co_align, NULL);
        ctx_switch(&main_ctx, &co_ctx);
        CHECK_EQ_INT(seen_sp % 16, 0); /* frame address is 16-aligned in SysV/AAPCS */
    }
    free(stk);
}

static void *deep_fn(void *arg) {
    long n = (long)(intptr_t)arg;
    volatile char pad[64];
    pad[0] = (char)n;
    (void)pad[0];
    return (void *)(intptr_t)(n * 2 + 1);
}

TEST(stack_switch_call_runs_on_new_stack) {
    size_t sz = 64 * 1024;
    char *stk = malloc(sz);
    void *r = stack_switch_call(deep_fn, (void *)(intptr_t)20, stk + sz);
    CHECK_EQ_INT((intptr_t)r, 41);
    free(stk);
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void co_spin(void *arg) {
    (void)arg;
    for (;;) ctx_switch(&co_ctx, &main_ctx);
}

TEST(switch_speed) {
    size_t sz = 64 * 1024;
    char *stk = malloc(sz);
    ctx_init(&co_ctx, stk + sz, co_spin, NULL);
    const long n = 5 * 1000 * 1000;
    double t0 = now_s();
    for (long i = 0; i < n; i++) ctx_switch(&main_ctx, &co_ctx);
    double t1 = now_s();
    double ns = (t1 - t0) * 1e9 / (double)(2 * n);
    printf("ctx_switch: %.1f ns per switch\n", ns);
    CHECK(ns < 200);
    free(stk);
}

int main(void) {
    RUN(switch_roundtrip);
    RUN(callee_saved_preserved);
    RUN(alignment);
    RUN(stack_switch_call_runs_on_new_stack);
    RUN(switch_speed);
    return harness_report();
}
