/* slots_testlib.h — a scenario for the shared stack slots (runtime/stack.h),
 * run by test_sched.c (deterministic) and test_threads.c (2 and 4 workers). */
#ifndef SNOW_SLOTS_TESTLIB_H
#define SNOW_SLOTS_TESTLIB_H

#include "proc_testlib.h"
#include "stack.h"

/* ---- shared stack slots: frames copied out of a slot and back ---- *
 * SF_N processes park twice in a receive, some of them deep (on stack
 * segments); more processes than slots, so most of them are copied out
 * while parked and copied back before they resume.  Each frame checks its
 * own words on the way back up. */
#define SF_N 3000
static _Atomic long sf_ok, sf_bad;
typedef struct SfArg { long n, key; } SfArg;
static void *sf_rec(void *arg);
static long sf_walk(long n, long key) {
    ProcHot *h = proc_self_hot();
    proc_charge(h);
    volatile long mine[6];
    for (int i = 0; i < 6; i++) mine[i] = key * 1000003 + n * 31 + i;
    long r;
    if (n == 0) {
        recv_any();
        recv_any();
        r = 0;
    } else if (proc_stack_low(h)) {
        SfArg a = {n - 1, key};
        r = (long)(intptr_t)stack_grow_call(sf_rec, &a);
    } else {
        r = sf_walk(n - 1, key);
    }
    for (int i = 0; i < 6; i++)
        if (mine[i] != key * 1000003 + n * 31 + i) atomic_fetch_add(&sf_bad, 1);
    return r + 1;
}
static void *sf_rec(void *arg) { return (void *)(intptr_t)sf_walk(((SfArg *)arg)->n, ((SfArg *)arg)->key); }
DEFPROC(sf_proc, 2) {
    if (sf_walk(args[0].i, args[1].i) == args[0].i + 1) atomic_fetch_add(&sf_ok, 1);
    else atomic_fetch_add(&sf_bad, 1);
    return v_unit();
}
static uint64_t sf_pids[SF_N];
DEFPROC(sf_main, 0) {
    for (long i = 0; i < SF_N; i++) { /* every 100th goes 3 000 calls deep: onto segments */
        Value a[2] = {v_int(i % 100 == 0 ? 3000 : 1 + i % 7), v_int(i)};
        sf_pids[i] = proc_spawn(FN(sf_proc), 2, a, NULL);
    }
    for (int round = 0; round < 2; round++) {
        timer_bi_sleep((Value[]){v_int(20)}, 1); /* all parked */
        for (long i = 0; i < SF_N; i++) proc_send(sf_pids[(i * 7919) % SF_N], v_int(round));
    }
    return v_unit();
}

#endif
