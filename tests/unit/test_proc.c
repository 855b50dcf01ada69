/* test_proc.c — process semantics: spawn/send/receive, selective receive,
 * timeouts, crash isolation, links (decision 18), monitors, trap_exit,
 * Process.exit, the registry, terminate order (decision 23), paused spawns
 * (decision 20), proc_catch, send_after, and stack growth/overflow. */
#include <sys/wait.h>
#include <unistd.h>

#include "proc_private.h" /* white-box: pause depth, stack segments */
#include "proc_testlib.h"

/* ---- basics ---------------------------------------------------------------- */

DEFPROC(echo_once, 1) {
    Value v = recv_any();
    say("%s got %lld", str_data(args[0]), (long long)v.i);
    return v_unit();
}

DEFPROC(main_basic, 0) {
    Value a = str_new("a", 1);
    uint64_t p = proc_spawn(FN(echo_once), 1, &a, NULL);
    proc_send(p, v_int(7));
    say("main sent");
    CHECK(proc_is_alive(p));
    CHECK_EQ_INT(pid_serial(proc_self_pid()), 0);
    CHECK_EQ_INT(pid_serial(p), 1);
    return v_unit();
}

TEST(spawn_send_receive) {
    CHECK_EQ_INT(t_run(FN(main_basic)), 0);
    CHECK_EQ_STR(t_out, "main sent\na got 7\n");
}

/* ---- selective receive -------------------------------------------------------- */

DEFPROC(selective, 0) {
    Value self = v_pid(proc_self_pid());
    proc_send(self.u, v_int(1));
    proc_send(self.u, v_int(2));
    proc_send(self.u, v_int(3));
    int64_t want = 2;
    Value v;
    CHECK(recv_sel(MB_USER, match_int, &want, -1, &v));
    say("first %lld", (long long)v.i);
    say("then %lld", (long long)recv_any().i);
    say("then %lld", (long long)recv_any().i);
    /* a receive that matches nothing times out and leaves the mailbox alone */
    proc_send(self.u, v_int(9));
    want = 42;
    CHECK(!recv_sel(MB_USER, match_int, &want, 30, &v));
    say("after %lld", (long long)sched_now());
    say("left %lld", (long long)recv_any().i);
    return v_unit();
}
DEFPROC(main_selective, 0) {
    proc_spawn(FN(selective), 0, NULL, NULL);
    timer_bi_sleep((Value[]){v_int(100)}, 1); /* keep the program alive: no quiescence release */
    return v_unit();
}

TEST(selective_receive_order) {
    CHECK_EQ_INT(t_run(FN(main_selective)), 0);
    CHECK_EQ_STR(t_out, "first 2\nthen 1\nthen 3\nafter 30\nleft 9\n");
}

/* A message that matches no arm wakes the receiver; the receiver re-blocks. */
DEFPROC(picky, 0) {
    int64_t want = 5;
    Value v;
    recv_sel(MB_USER, match_int, &want, -1, &v);
    say("picky got %lld", (long long)v.i);
    return v_unit();
}
DEFPROC(main_picky, 0) {
    uint64_t p = proc_spawn(FN(picky), 0, NULL, NULL);
    Timer *unused;
    (void)unused;
    timer_bi_sleep((Value[]){v_int(1)}, 1);
    proc_send(p, v_int(4));
    timer_bi_sleep((Value[]){v_int(1)}, 1);
    say("still waiting: %d", proc_is_alive(p));
    proc_send(p, v_int(5));
    return v_unit();
}
TEST(unmatched_message_rewaits) {
    CHECK_EQ_INT(t_run(FN(main_picky)), 0);
    CHECK_EQ_STR(t_out, "still waiting: 1\npicky got 5\n");
}

/* ---- timeouts ------------------------------------------------------------------------ */

DEFPROC(ticker, 1) {
    int64_t n = args[0].i;
    for (int i = 0; i < 3; i++) {
        Value v;
        bool got = recv_sel(MB_USER, NULL, NULL, 20, &v);
        say("tick %lld at %lld (%s)", (long long)(n + i), (long long)sched_now(), got ? "msg" : "timeout");
    }
    return v_unit();
}
DEFPROC(main_ticker, 0) {
    Value one = v_int(1);
    proc_spawn(FN(ticker), 1, &one, NULL);
    timer_bi_sleep((Value[]){v_int(300)}, 1);
    say("main awake at %lld", (long long)sched_now());
    return v_unit();
}
TEST(receive_timeouts_virtual_time) {
    double t0 = now_s();
    CHECK_EQ_INT(t_run(FN(main_ticker)), 0);
    CHECK(now_s() - t0 < 0.1); /* virtual: no real sleeping */
    CHECK_EQ_STR(t_out, "tick 1 at 20 (timeout)\ntick 2 at 40 (timeout)\ntick 3 at 60 (timeout)\nmain awake at 300\n");
}

TEST(real_time_sleeps) {
    double t0 = now_s();
    CHECK_EQ_INT(t_run_cfg(FN(main_ticker), 0, false), 0);
    double dt = now_s() - t0;
    CHECK(dt >= 0.29 && dt < 1.0);
    CHECK_EQ_STR(t_out, "tick 1 at 20 (timeout)\ntick 2 at 40 (timeout)\ntick 3 at 60 (timeout)\nmain awake at 300\n");
}

DEFPROC(zero_poller, 0) {
    Value v;
    say("empty: %s", recv_sel(MB_USER, NULL, NULL, 0, &v) ? "msg" : "after");
    proc_send(proc_self_pid(), v_int(7));
    say("queued: %s", recv_sel(MB_USER, NULL, NULL, 0, &v) ? "msg" : "after");
    return v_unit();
}
DEFPROC(main_zero, 0) {
    proc_spawn(FN(zero_poller), 0, NULL, NULL);
    return v_unit();
}
TEST(after_zero_polls) {
    CHECK_EQ_INT(t_run(FN(main_zero)), 0);
    CHECK_EQ_STR(t_out, "empty: after\nqueued: msg\n");
}

/* ---- crash isolation, links, monitors ---------------------------------------------- */

DEFPROC(bomb, 0) {
    Value m = recv_any();
    rt_panic("%.*s", (int)str_len(m), str_data(m));
}

DEFPROC(partner, 2) {
    proc_link(args[0].u);
    proc_send(args[1].u, v_int(1));
    recv_any();
    say("partner got a message");
    return v_unit();
}

DEFPROC(top, 2) {
    Value a[2] = {args[0], args[1]};
    uint64_t m = proc_spawn(FN(partner), 2, a, NULL);
    proc_link(m);
    recv_any();
    return v_unit();
}

DEFPROC(watcher_chain, 0) {
    uint64_t b = proc_spawn(FN(bomb), 0, NULL, NULL);
    Value a[2] = {v_pid(b), v_pid(proc_self_pid())};
    uint64_t t = proc_spawn(FN(top), 2, a, NULL);
    proc_monitor(t);
    recv_any(); /* partner is linked to the bomb */
    Value msg = str_new("chain reaction", 14);
    proc_send(b, msg);
    Value d = recv_signal();
    CHECK_EQ_INT(d.aux, SIG_DOWN);
    char buf[256];
    describe(AS_VARIANT(d)->fields[2], buf, sizeof buf);
    say("top exited: %s", buf);
    CHECK(!proc_is_alive(t) && !proc_is_alive(b));
    return v_unit();
}
DEFPROC(main_chain, 0) {
    proc_spawn(FN(watcher_chain), 0, NULL, NULL);
    return v_unit();
}

TEST(links_cascade) {
    fflush(stderr);
    CHECK_EQ_INT(t_run(FN(main_chain)), 0);
    CHECK_EQ_STR(t_out, "top exited: linked(linked(error(chain reaction)))\n");
}

DEFPROC(quick, 0) {
    recv_any();
    return v_unit();
}
DEFPROC(watcher_mon, 0) {
    uint64_t q = proc_spawn(FN(quick), 0, NULL, NULL);
    uint64_t r1 = proc_monitor(q);
    uint64_t r2 = proc_monitor(q);
    uint64_t r3 = proc_monitor(q);
    CHECK(r1 != r2 && r2 != r3);
    CHECK(proc_demonitor(r3));
    CHECK(!proc_demonitor(r3));
    proc_send(q, v_int(1));
    char buf[64];
    for (int i = 0; i < 2; i++) {
        Value d = recv_signal();
        describe(AS_VARIANT(d)->fields[2], buf, sizeof buf);
        say("down %s ref=%llu", buf, (unsigned long long)AS_VARIANT(d)->fields[0].u - r1);
    }
    Value v;
    CHECK(!recv_sel(MB_SIGNAL, NULL, NULL, 50, &v)); /* no third Down */
    uint64_t r4 = proc_monitor(q);
    Value d = recv_signal();
    describe(AS_VARIANT(d)->fields[2], buf, sizeof buf);
    say("late monitor: %s", buf);
    CHECK_EQ_INT(AS_VARIANT(d)->fields[0].u, r4);
    CHECK_EQ_INT(AS_VARIANT(d)->fields[1].u, q);
    return v_unit();
}
DEFPROC(main_mon, 0) {
    proc_spawn(FN(watcher_mon), 0, NULL, NULL);
    return v_unit();
}
TEST(monitors) {
    CHECK_EQ_INT(t_run(FN(main_mon)), 0);
    CHECK_EQ_STR(t_out, "down normal ref=0\ndown normal ref=1\nlate monitor: noproc\n");
}

DEFPROC(helper, 0) {
    recv_any();
    return v_unit();
}
DEFPROC(overseer, 0) {
    CHECK(!proc_trap_exit(true));
    CHECK(proc_trap_exit(true));
    uint64_t h = proc_spawn(FN(helper), 0, NULL, NULL);
    proc_link(h);
    uint64_t b = proc_spawn(FN(bomb), 0, NULL, NULL);
    proc_link(b);
    proc_send(h, v_int(1));
    proc_send(b, str_new("bad input", 9));
    /* a plain receive never consumes a signal */
    proc_send(proc_self_pid(), v_int(77));
    timer_bi_sleep((Value[]){v_int(5)}, 1);
    say("plain: %lld", (long long)recv_any().i);
    char buf[128];
    for (int i = 0; i < 2; i++) {
        Value e = recv_signal();
        CHECK_EQ_INT(e.aux, SIG_EXIT);
        describe(AS_VARIANT(e)->fields[1], buf, sizeof buf);
        say("trapped %s from %s", buf, AS_VARIANT(e)->fields[0].u == h ? "helper" : "bomb");
    }
    /* linking to a dead pid while trapping: Exit(pid, NoProc) */
    proc_link(h);
    Value e = recv_signal();
    describe(AS_VARIANT(e)->fields[1], buf, sizeof buf);
    say("link to dead: %s", buf);
    return v_unit();
}
DEFPROC(main_trap, 0) {
    proc_spawn(FN(overseer), 0, NULL, NULL);
    return v_unit();
}
TEST(trap_exit) {
    CHECK_EQ_INT(t_run(FN(main_trap)), 0);
    CHECK_EQ_STR(t_out, "plain: 77\ntrapped normal from helper\ntrapped error(bad input) from bomb\nlink to dead: noproc\n");
}

/* ---- Process.exit, terminate ---------------------------------------------------------- */

DEFPROC(term_say, 0) {
    say("terminate of <0.%llu>", (unsigned long long)pid_serial(proc_self_pid()));
    return v_unit();
}
DEFPROC(victim, 1) {
    if (args[0].i) proc_trap_exit(true);
    Value v;
    while (recv_sel(MB_SIGNAL, NULL, NULL, -1, &v)) {
        char buf[64];
        describe(AS_VARIANT(v)->fields[1], buf, sizeof buf);
        say("victim trapped %s", buf);
    }
    return v_unit();
}
DEFPROC(executioner, 0) {
    SpawnOpts o = {.name = "victim", .terminate = FN(term_say)};
    const int reasons[] = {XR_KILLED, XR_SHUTDOWN, XR_NORMAL, XR_KILLED, XR_SHUTDOWN};
    const int traps[] = {0, 0, 1, 1, 1};
    char buf[64];
    for (int i = 0; i < 5; i++) {
        Value trap = v_int(traps[i]);
        uint64_t v = proc_spawn(FN(victim), 1, &trap, &o);
        proc_monitor(v);
        timer_bi_sleep((Value[]){v_int(1)}, 1);
        proc_exit_pid(v, proc_reason(reasons[i]));
        if (traps[i] && reasons[i] != XR_KILLED) {
            timer_bi_sleep((Value[]){v_int(1)}, 1);
            proc_exit_pid(v, proc_reason(XR_KILLED));
        }
        Value d = recv_signal();
        describe(AS_VARIANT(d)->fields[2], buf, sizeof buf);
        say("victim %d: %s", i, buf);
    }
    /* Normal to a non-trapping process is ignored */
    Value trap = v_int(0);
    uint64_t v = proc_spawn(FN(victim), 1, &trap, NULL);
    proc_exit_pid(v, proc_reason(XR_NORMAL));
    timer_bi_sleep((Value[]){v_int(1)}, 1);
    say("after Normal alive: %d", proc_is_alive(v));
    return v_unit();
}
DEFPROC(main_exec, 0) {
    proc_spawn(FN(executioner), 0, NULL, NULL);
    return v_unit();
}
TEST(process_exit) {
    CHECK_EQ_INT(t_run(FN(main_exec)), 0);
    CHECK_EQ_STR(t_out,
                 "victim 0: killed\n"
                 "terminate of <0.3>\nvictim 1: shutdown\n"
                 "victim trapped normal\nvictim 2: killed\n"
                 "victim 3: killed\n"
                 "victim trapped shutdown\nvictim 4: killed\n"
                 "after Normal alive: 1\n");
}

static uint64_t reg_pid;
DEFPROC(named_term, 0) {
    uint64_t p;
    say("terminate: registered=%d", reg_whereis("temp", 4, &p));
    return v_unit();
}
DEFPROC(fragile, 0) {
    proc_set_terminate(FN(named_term));
    recv_any();
    rt_panic("bad state");
}
DEFPROC(watcher_term, 0) {
    uint64_t f = proc_spawn(FN(fragile), 0, NULL, NULL);
    reg_pid = f;
    Value r = proc_bi_register((Value[]){str_new("temp", 4), v_pid(f)}, 2);
    CHECK_EQ_INT(r.aux, RES_OK);
    proc_monitor(f);
    proc_send(f, v_int(1));
    Value d = recv_signal();
    char buf[64];
    describe(AS_VARIANT(d)->fields[2], buf, sizeof buf);
    Value w = proc_bi_whereis((Value[]){str_new("temp", 4)}, 1);
    say("watcher saw %s; name %s", buf, w.aux == OPT_SOME ? "still there" : "gone");
    return v_unit();
}
DEFPROC(main_term, 0) {
    proc_spawn(FN(watcher_term), 0, NULL, NULL);
    return v_unit();
}
TEST(terminate_after_panic_before_down) {
    CHECK_EQ_INT(t_run(FN(main_term)), 0);
    CHECK_EQ_STR(t_out, "terminate: registered=1\nwatcher saw error(bad state); name gone\n");
}

/* ---- registry ------------------------------------------------------------------------------- */

static const char *res_text(Value r) { return r.aux == RES_OK ? "ok" : "error"; }
DEFPROC(idle, 0) {
    recv_any();
    return v_unit();
}
DEFPROC(main_reg, 0) {
    uint64_t a = proc_spawn(FN(idle), 0, NULL, NULL);
    uint64_t b = proc_spawn(FN(idle), 0, NULL, NULL);
    Value w = str_new("worker", 6);
    say("register a: %s", res_text(proc_bi_register((Value[]){w, v_pid(a)}, 2)));
    Value e = proc_bi_register((Value[]){w, v_pid(b)}, 2);
    say("register b: %s %.*s", res_text(e), (int)str_len(AS_VARIANT(e)->fields[0]), str_data(AS_VARIANT(e)->fields[0]));
    e = proc_bi_register((Value[]){str_new("other", 5), v_pid(a)}, 2);
    say("second name: %.*s", (int)str_len(AS_VARIANT(e)->fields[0]), str_data(AS_VARIANT(e)->fields[0]));
    Value f = proc_bi_whereis((Value[]){w}, 1);
    say("whereis: %s", f.aux == OPT_SOME && AS_VARIANT(f)->fields[0].u == a ? "a" : "?");
    say("unregister: %s", res_text(proc_bi_unregister((Value[]){w}, 1)));
    say("whereis: %s", proc_bi_whereis((Value[]){w}, 1).aux == OPT_NONE ? "none" : "?");
    say("unregister again: %s", res_text(proc_bi_unregister((Value[]){w}, 1)));
    say("register b: %s", res_text(proc_bi_register((Value[]){w, v_pid(b)}, 2)));
    say("register dead: %s", res_text(proc_bi_register((Value[]){str_new("x", 1), v_pid(pid_make(0, 0, 999))}, 2)));
    return v_unit();
}
TEST(registry) {
    CHECK_EQ_INT(t_run(FN(main_reg)), 0);
    CHECK_EQ_STR(t_out,
                 "register a: ok\n"
                 "register b: error name \"worker\" is already registered\n"
                 "second name: cannot register \"other\": process already has a registered name\n"
                 "whereis: a\nunregister: ok\nwhereis: none\nunregister again: error\n"
                 "register b: ok\nregister dead: error\n");
}

/* ---- paused spawns (decision 20), proc_catch -------------------------------------------------- */

DEFPROC(child_says, 1) {
    say("child %lld runs", (long long)args[0].i);
    return v_unit();
}
static void crashing_closure(void *arg) {
    (void)arg;
    Value one = v_int(3);
    proc_spawn(FN(child_says), 1, &one, NULL);
    rt_panic("start failed");
}
DEFPROC(sup, 0) {
    uint32_t tok = proc_pause_begin();
    Value one = v_int(1);
    uint64_t c = proc_spawn(FN(child_says), 1, &one, NULL);
    burn(10000); /* preempted meanwhile: the child still must not run */
    say("sup links child");
    proc_link(c);
    proc_pause_end(tok);
    char msg[64];
    tok = proc_pause_begin();
    bool ok = proc_catch(crashing_closure, NULL, msg, sizeof msg);
    say("catch: %d %s", ok, msg);
    CHECK_EQ_INT(proc_self()->pause_depth, 1); /* opened outside the catch: still open */
    proc_pause_end(tok);
    return v_unit();
}
DEFPROC(main_sup, 0) {
    proc_spawn(FN(sup), 0, NULL, NULL);
    return v_unit();
}
TEST(paused_spawn_and_catch) {
    CHECK_EQ_INT(t_run(FN(main_sup)), 0);
    CHECK_EQ_STR(t_out, "sup links child\ncatch: 0 start failed\nchild 1 runs\nchild 3 runs\n");
}

/* ---- send_after ------------------------------------------------------------------------------------ */

DEFPROC(waiter_after, 1) {
    Value v;
    bool got = recv_sel(MB_USER, NULL, NULL, args[0].i, &v);
    if (got) say("waiter got %lld at %lld", (long long)v.i, (long long)sched_now());
    else say("waiter released at %lld", (long long)sched_now());
    return v_unit();
}
DEFPROC(main_send_after, 0) {
    Value t = v_int(5000);
    uint64_t w = proc_spawn(FN(waiter_after), 1, &t, NULL);
    timer_bi_send_after((Value[]){v_pid(w), v_int(50), v_int(99)}, 3);
    timer_bi_sleep((Value[]){v_int(200)}, 1);
    uint64_t w2 = proc_spawn(FN(waiter_after), 1, (Value[]){v_int(60000)}, NULL);
    timer_bi_send_after((Value[]){v_pid(w2), v_int(5000), v_int(1)}, 3);
    return v_unit();
}
TEST(send_after) {
    CHECK_EQ_INT(t_run(FN(main_send_after)), 0);
    CHECK_EQ_STR(t_out, "waiter got 99 at 50\nwaiter released at 200\n");
}

/* ---- stacks ---------------------------------------------------------------------------------------- */

typedef struct Deep { long n; } Deep;
static void *deep_rec(void *arg);
static long deep(long n) {
    ProcHot *h = proc_self_hot();
    proc_charge(h);
    if (n == 0) return 0;
    volatile char frame[96]; /* a frame about the size of an evaluator call */
    frame[0] = (char)n;
    long r;
    if (proc_stack_low(h)) {
        Deep d = {n - 1};
        r = (long)(intptr_t)stack_grow_call(deep_rec, &d);
    } else {
        r = deep(n - 1);
    }
    return r + 1 + (frame[0] != (char)n);
}
static void *deep_rec(void *arg) { return (void *)(intptr_t)deep(((Deep *)arg)->n); }

DEFPROC(deep_proc, 1) {
    long r = deep(args[0].i);
    say("depth %ld ok", r);
    return v_unit();
}
DEFPROC(main_deep, 0) {
    say("main depth %ld", deep(100000));
    uint64_t p = proc_spawn(FN(deep_proc), 1, (Value[]){v_int(100000)}, NULL);
    (void)p;
    uint64_t q = proc_spawn(FN(deep_proc), 1, (Value[]){v_int(1L << 40)}, NULL);
    proc_monitor(q);
    /* main cannot receive in Snow, but the runtime allows it */
    Value d = recv_signal();
    char buf[64];
    describe(AS_VARIANT(d)->fields[2], buf, sizeof buf);
    say("overflowing process: %s", buf);
    say("main depth again %ld", deep(200000));
    return v_unit();
}
TEST(stack_growth_and_overflow) {
    StackStats s0, s1;
    stack_stats(&s0);
    CHECK_EQ_INT(t_run(FN(main_deep)), 0);
    CHECK_EQ_STR(t_out, "main depth 100000\ndepth 100000 ok\noverflowing process: error(stack overflow)\nmain depth again 200000\n");
    stack_stats(&s1);
    CHECK_EQ_INT(s1.segs_mapped, 0); /* every segment returned */
}

/* GC during deep recursion: values held only by frames on earlier stack
 * segments must survive a collection (the root scanner walks segments). */
static void *gc_deep_rec(void *arg);
static long gc_deep(long n) {
    ProcHot *h = proc_self_hot();
    char want[32];
    snprintf(want, sizeof want, "level-%ld", n);
    Value s = str_new(want, strlen(want)); /* only this frame refers to it */
    long bad = 0;
    if (n > 0) {
        if (proc_stack_low(h)) {
            Deep d = {n - 1};
            bad += (long)(intptr_t)stack_grow_call(gc_deep_rec, &d);
        } else {
            bad += gc_deep(n - 1);
        }
    } else {
        gc_collect(heap_current());
        for (int i = 0; i < 20000; i++) str_new("garbage-garbage-garbage", 23); /* reuse freed memory */
        gc_collect(heap_current());
    }
    if (n % 1000 == 0 && (str_len(s) != strlen(want) || memcmp(str_data(s), want, strlen(want)) != 0)) bad++;
    return bad;
}
static void *gc_deep_rec(void *arg) { return (void *)(intptr_t)gc_deep(((Deep *)arg)->n); }

DEFPROC(main_gc_deep, 0) {
    long bad = gc_deep(30000);
    say("corrupted levels: %ld", bad);
    say("segments used: %d", proc_self()->stack.spare != NULL);
    return v_unit();
}
TEST(gc_scans_stack_segments) {
    CHECK_EQ_INT(t_run(FN(main_gc_deep)), 0);
    CHECK_EQ_STR(t_out, "corrupted levels: 0\nsegments used: 1\n");
}

/* ---- main's panic exits 101 (in a child OS process) --------------------------------------------------- */

DEFPROC(main_panics, 0) {
    say("before");
    rt_panic("boom %d", 42);
}
TEST(main_panic_exits_101) {
    fflush(stdout);
    fflush(stderr);
    int fds[2];
    CHECK(pipe(fds) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        t_run(FN(main_panics));
        _exit(0);
    }
    close(fds[1]);
    char buf[256] = {0};
    ssize_t n = read(fds[0], buf, sizeof buf - 1);
    (void)n;
    close(fds[0]);
    int st;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 101);
    CHECK_EQ_STR(buf, "panic: boom 42\n");
}

/* ---- guard regions (issue 14): C code that recurses past every stack
 * check faults in the guard region under its stack and the program ends
 * with a clear report (exit 70), never writing into another stack. ------- */

static volatile long unchecked_stop = -1; /* never reached: keeps the recursion legal C */
static long unchecked(long n) {
    volatile char frame[512];
    frame[0] = (char)n;
    if (n == unchecked_stop) return 0;
    return unchecked(n + 1) + frame[0];
}
static long guard_depth; /* checked recursion first (onto stack segments), then unchecked */
static void *dtu_rec(void *arg);
static long deep_then_unchecked(long n) {
    ProcHot *h = proc_self_hot();
    volatile char frame[96];
    frame[0] = (char)n;
    if (n == 0) {
        if (proc_self()->stack.seg) fputs("on a segment\n", stderr);
        return unchecked(0);
    }
    if (proc_stack_low(h)) {
        Deep d = {n - 1};
        return (long)(intptr_t)stack_grow_call(dtu_rec, &d) + frame[0];
    }
    return deep_then_unchecked(n - 1) + frame[0];
}
static void *dtu_rec(void *arg) { return (void *)(intptr_t)deep_then_unchecked(((Deep *)arg)->n); }
DEFPROC(guard_victim, 0) {
    say("%ld", deep_then_unchecked(guard_depth));
    return v_unit();
}
DEFPROC(main_guard, 0) {
    proc_spawn(FN(guard_victim), 0, NULL, NULL);
    return v_unit();
}

/* Runs main_guard in a child OS process; returns its exit status and its
 * stderr in err. */
static int guard_child(long depth, int threads, char *err, size_t cap) {
    fflush(stdout);
    fflush(stderr);
    int fds[2];
    if (pipe(fds) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 2);
        guard_depth = depth;
        rt_apply_hook = t_apply;
        RtConfig cfg = {.threads = threads};
        if (rt_init(&cfg)) rt_run_main(FN(main_guard));
        _exit(0);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t r;
    while (n < cap - 1 && (r = read(fds[0], err + n, cap - 1 - n)) > 0) n += (size_t)r;
    err[n] = 0;
    close(fds[0]);
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

TEST(guard_page_reports_overflow) {
    char err[512];
    const char *want = "snow: internal error: stack overflow in <0.1>: C code ran past the stack check into the guard page\n";
    CHECK_EQ_INT(guard_child(0, 0, err, sizeof err), 70); /* first stack */
    CHECK_EQ_STR(err, want);
#ifndef STACK_NO_SEGMENTS
    CHECK_EQ_INT(guard_child(20000, 0, err, sizeof err), 70); /* on a segment */
    CHECK(strncmp(err, "on a segment\n", 13) == 0);
    CHECK_EQ_STR(err + 13, want);
#endif
    CHECK_EQ_INT(guard_child(0, 2, err, sizeof err), 70); /* on a worker thread */
    /* the pid depends on the worker that spawned it (serials come in blocks
     * of 64 per worker): <0.1> or <0.65>... */
    const char *tail = strstr(err, ">: C code ran");
    CHECK(strncmp(err, want, strlen("snow: internal error: stack overflow in <0.")) == 0);
    CHECK(tail && strcmp(tail, strstr(want, ">: C code ran")) == 0);
    StackStats s;
    stack_stats(&s);
    CHECK(s.guards >= s.slots_total); /* every slot carved so far has its guard */
}

/* The per-process bound: a runaway recursion stops at --max-stack. */
static long max_depth_seen;
static void *bounded_rec(void *arg);
static long bounded(long n) {
    ProcHot *h = proc_self_hot();
    proc_charge(h);
    volatile char frame[96];
    frame[0] = (char)n;
    if (n > max_depth_seen) max_depth_seen = n;
    if (proc_stack_low(h)) {
        Deep d = {n + 1};
        return (long)(intptr_t)stack_grow_call(bounded_rec, &d) + frame[0];
    }
    return bounded(n + 1) + frame[0];
}
static void *bounded_rec(void *arg) { return (void *)(intptr_t)bounded(((Deep *)arg)->n); }
DEFPROC(bounded_proc, 0) {
    say("%ld", bounded(0));
    return v_unit();
}
DEFPROC(main_bounded, 0) {
    uint64_t q = proc_spawn(FN(bounded_proc), 0, NULL, NULL);
    proc_monitor(q);
    Value d = recv_signal();
    char buf[64];
    describe(AS_VARIANT(d)->fields[2], buf, sizeof buf);
    say("%s", buf);
    return v_unit();
}
TEST(stack_bound) {
    t_outlen = 0;
    t_out[0] = 0;
    rt_apply_hook = t_apply;
    RtConfig cfg = {.virtual_time = true, .max_stack = (size_t)8 << 20};
    CHECK(rt_init(&cfg));
    max_depth_seen = 0;
    CHECK_EQ_INT(rt_run_main(FN(main_bounded)), 0);
    rt_shutdown();
    CHECK_EQ_STR(t_out, "error(stack overflow)\n");
    /* each level takes more than 96 bytes and the bound is 8 MB */
    CHECK(max_depth_seen < (8L << 20) / 96);
#ifndef STACK_NO_SEGMENTS
    CHECK(max_depth_seen > (4L << 20) / 1024); /* it did grow past the first stack */
#endif
    StackStats s;
    stack_stats(&s);
    CHECK_EQ_INT(s.segs_mapped, 0);
}

int main(void) {
    RUN(spawn_send_receive);
    RUN(selective_receive_order);
    RUN(unmatched_message_rewaits);
    RUN(receive_timeouts_virtual_time);
    RUN(real_time_sleeps);
    RUN(after_zero_polls);
    RUN(links_cascade);
    RUN(monitors);
    RUN(trap_exit);
    RUN(process_exit);
    RUN(terminate_after_panic_before_down);
    RUN(registry);
    RUN(paused_spawn_and_catch);
    RUN(send_after);
    RUN(stack_growth_and_overflow);
    RUN(gc_scans_stack_segments);
    RUN(main_panic_exits_101);
    RUN(guard_page_reports_overflow);
    RUN(stack_bound);
    return harness_report();
}
