/* pipes.c — the I/O poller's per-wake cost: processes that talk over 1 000
 * pipes, in C (Snow has no pipes), linked against a build of the runtime.
 *
 *   pipes ring|pingpong wait|fdio THREADS ROUNDS
 *
 *  ring:     1 000 processes in a ring of 1 000 pipes, one token going round
 *            ROUNDS times: every hop is one wait that ends with one wake while
 *            999 other processes wait on their pipes (the poller's cost per
 *            wake with many waiters).
 *  pingpong: 500 pairs over 1 000 pipes, all exchanging a byte ROUNDS times
 *            at once (many readinesses per poll).
 *  wait:     sched_wait_io(fd, POLLIN) then read(2) — the API both the old
 *            and the new runtime have (level-triggered).
 *  fdio:     fdio_read / fdio_write (new runtime only: edge-triggered, no
 *            probe), when built with -DHAVE_FDIO.
 *  THREADS:  0 = the deterministic scheduler, N = --threads N.
 *
 * Prints: mode, wakes (waits that blocked are at most this), seconds, ns per
 * hop (ring) or per round trip (pingpong). */
#include <fcntl.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "rt.h"
#include "sched.h"
#include "vals.h"
#ifdef HAVE_FDIO
#include "fdio.h"
#endif

#define NPIPES 1000

static int use_fdio;
static long rounds;
static int pfd[NPIPES][2];
static _Atomic long done;

static Value apply_c(Value fn, int argc, Value *argv) { return AS_FUNC(fn)->fn->cfn(argv, argc); }

static void get(int fd, char *c) {
#ifdef HAVE_FDIO
    if (use_fdio) {
        if (fdio_read(fd, c, 1, -1) != 1) abort();
        return;
    }
#endif
    for (;;) {
        sched_wait_io(fd, POLLIN, -1);
        ssize_t r = read(fd, c, 1);
        if (r == 1) return;
        if (r == 0) abort();
    }
}

static void put(int fd, char c) {
#ifdef HAVE_FDIO
    if (use_fdio) {
        if (fdio_write(fd, &c, 1, -1) != 1) abort();
        return;
    }
#endif
    if (write(fd, &c, 1) != 1) abort();
}

/* ring member i: read from pipe i, write to pipe i+1 */
static Value ring_member(Value *a, int n) {
    (void)n;
    long i = a[0].i;
    long hops = rounds + (i == 0);
    for (long k = 0; k < hops; k++) {
        char c;
        get(pfd[i][0], &c);
        if (i == 0 && k == rounds) break;
        put(pfd[(i + 1) % NPIPES][1], c);
    }
    atomic_fetch_add(&done, 1);
    return v_unit();
}

/* pair p: pipes 2p (a -> b) and 2p+1 (b -> a) */
static Value pinger(Value *a, int n) {
    (void)n;
    long p = a[0].i;
    for (long k = 0; k < rounds; k++) {
        char c = (char)k;
        put(pfd[2 * p][1], c);
        get(pfd[2 * p + 1][0], &c);
    }
    atomic_fetch_add(&done, 1);
    return v_unit();
}
static Value ponger(Value *a, int n) {
    (void)n;
    long p = a[0].i;
    for (long k = 0; k < rounds; k++) {
        char c;
        get(pfd[2 * p][0], &c);
        put(pfd[2 * p + 1][1], c);
    }
    atomic_fetch_add(&done, 1);
    return v_unit();
}

static FuncInfo fi_ring = {"ring", 1, ring_member, NULL};
static FuncInfo fi_ping = {"ping", 1, pinger, NULL};
static FuncInfo fi_pong = {"pong", 1, ponger, NULL};
static int ring_mode;

static Value fnv(FuncInfo *fi) {
    if (!fi->code) fi->code = val_func_static(fi).o; /* one static function object each */
    return v_obj(T_FUNC, fi->code);
}

static Value main_body(Value *a, int n) {
    (void)a, (void)n;
    if (ring_mode) {
        for (long i = 0; i < NPIPES; i++) {
            Value v = v_int(i);
            proc_spawn(fnv(&fi_ring), 1, &v, NULL);
        }
        put(pfd[0][1], 'x'); /* the token */
    } else {
        for (long p = 0; p < NPIPES / 2; p++) {
            Value v = v_int(p);
            proc_spawn(fnv(&fi_ping), 1, &v, NULL);
            proc_spawn(fnv(&fi_pong), 1, &v, NULL);
        }
    }
    return v_unit();
}
static FuncInfo fi_main = {"main", 0, main_body, NULL};

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: pipes ring|pingpong wait|fdio THREADS ROUNDS\n");
        return 2;
    }
    ring_mode = !strcmp(argv[1], "ring");
    use_fdio = !strcmp(argv[2], "fdio");
#ifndef HAVE_FDIO
    if (use_fdio) {
        fprintf(stderr, "this runtime has no fdio\n");
        return 2;
    }
#endif
    int threads = atoi(argv[3]);
    rounds = atol(argv[4]);
    for (int i = 0; i < NPIPES; i++)
        if (pipe2(pfd[i], O_NONBLOCK | O_CLOEXEC) != 0) {
            perror("pipe2");
            return 1;
        }
    rt_apply_hook = apply_c;
    RtConfig cfg = {.threads = threads, .virtual_time = threads == 0};
    if (!rt_init(&cfg)) return 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int st = rt_run_main(fnv(&fi_main));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    rt_shutdown();
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    long units = ring_mode ? rounds * NPIPES : rounds * (NPIPES / 2);
    long want = ring_mode ? NPIPES : NPIPES;
    if (st != 0 || atomic_load(&done) != want) {
        fprintf(stderr, "run failed: status %d, %ld of %ld processes finished\n", st, atomic_load(&done), want);
        return 1;
    }
    printf("%s %s threads=%d: %ld %s in %.3f s, %.0f ns each\n", argv[1], argv[2], threads, units,
           ring_mode ? "hops" : "round trips", s, s * 1e9 / (double)units);
    return 0;
}
