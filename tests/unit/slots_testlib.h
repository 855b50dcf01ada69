/* slots_testlib.h — a scenario for the shared stack slots (runtime/stack.h),
 * run by test_sched.c (deterministic) and test_threads.c (2 and 4 workers). */
#ifndef SNOW_SLOTS_TESTLIB_H
#define SNOW_SLOTS_TESTLIB_H

#include <pthread.h>

#include "proc_testlib.h"
#include "pwait.h"
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

/* ---- hand-over waits (pwait.h) while the waiters are copied out ---- *
 * PW_N processes wait on one queue; most of them are copied out of their
 * slots meanwhile (more processes than slots), so the waker must write
 * only into the malloc'd waiter records, never into their frames.  Each
 * token is handed to exactly one waiter, and each waiter's frame is
 * intact when it resumes. */
#define PW_N 3000
static pthread_mutex_t pw_lock = PTHREAD_MUTEX_INITIALIZER;
static PWaitQ pw_q;
static _Atomic long pw_ok, pw_bad;
static _Atomic int pw_got[PW_N];
DEFPROC(pw_proc, 1) {
    volatile long mine[4];
    for (int i = 0; i < 4; i++) mine[i] = args[0].i * 7 + i;
    pthread_mutex_lock(&pw_lock);
    PWaiter *w = pwait_enqueue(&pw_q, "a test token");
    pthread_mutex_unlock(&pw_lock);
    pwait_park(w, -1);
    pthread_mutex_lock(&pw_lock);
    void *got = pwait_leave(&pw_q, w);
    pthread_mutex_unlock(&pw_lock);
    pwait_done();
    long k = (long)(intptr_t)got - 1;
    bool frame_ok = true;
    for (int i = 0; i < 4; i++) frame_ok &= mine[i] == args[0].i * 7 + i;
    if (k >= 0 && k < PW_N && frame_ok) {
        atomic_fetch_add(&pw_got[k], 1);
        atomic_fetch_add(&pw_ok, 1);
    } else {
        atomic_fetch_add(&pw_bad, 1);
    }
    return v_unit();
}
DEFPROC(pw_main, 0) {
    for (long i = 0; i < PW_N; i++) proc_spawn(FN(pw_proc), 1, (Value[]){v_int(i)}, NULL);
    timer_bi_sleep((Value[]){v_int(20)}, 1); /* all parked */
    long given = 0;
    while (given < PW_N) {
        pthread_mutex_lock(&pw_lock);
        PWaiter *w = pwait_pop(&pw_q);
        PWake wk = {0, 0};
        if (w) pwait_give(w, (void *)(intptr_t)(given + 1), &wk);
        pthread_mutex_unlock(&pw_lock);
        if (w) {
            pwait_wake(&wk);
            given++;
        } else {
            timer_bi_sleep((Value[]){v_int(1)}, 1); /* some waiter is not queued yet */
        }
    }
    return v_unit();
}
static void pw_reset(void) {
    pw_ok = pw_bad = 0;
    for (int i = 0; i < PW_N; i++) pw_got[i] = 0;
}
static bool pw_each_once(void) {
    for (int i = 0; i < PW_N; i++)
        if (pw_got[i] != 1) return false;
    return pw_q.n == 0 && !pw_q.head;
}

#endif
