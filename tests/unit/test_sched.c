/* test_sched.c — the deterministic scheduler: the seed-0 FIFO policy of
 * concurrency.md §5.4 with decision 23's settlements (mirrors of the
 * conformance `deterministic` cases), quiescence (§6), seeded runs and
 * their determinism, and the scale/performance measurements (100 000 live
 * processes, 1 000 000 spawn+exit, ping-pong, RSS per idle process). */
#include "proc_testlib.h"
#include "slots_testlib.h"

/* ---- FIFO policy ------------------------------------------------------------------- */

DEFPROC(say_word, 1) {
    say("%s", str_data(args[0]));
    return v_unit();
}
DEFPROC(main_spawn_order, 0) {
    const char *w[] = {"first", "second", "third"};
    for (int i = 0; i < 3; i++) {
        Value s = str_new(w[i], strlen(w[i]));
        proc_spawn(FN(say_word), 1, &s, NULL);
    }
    say("main finished spawning");
    return v_unit();
}
TEST(spawn_order_after_main) {
    CHECK_EQ_INT(t_run(FN(main_spawn_order)), 0);
    CHECK_EQ_STR(t_out, "main finished spawning\nfirst\nsecond\nthird\n");
}

DEFPROC(consumer, 0) {
    for (int i = 0; i < 3; i++) say("got %lld", (long long)recv_any().i * 10);
    return v_unit();
}
DEFPROC(producer, 1) {
    for (int i = 1; i < 4; i++) {
        proc_send(args[0].u, v_int(i));
        say("sent %d", i);
    }
    return v_unit();
}
DEFPROC(main_send_no_yield, 0) {
    Value c = v_pid(proc_spawn(FN(consumer), 0, NULL, NULL));
    proc_spawn(FN(producer), 1, &c, NULL);
    return v_unit();
}
TEST(send_does_not_yield) {
    CHECK_EQ_INT(t_run(FN(main_send_no_yield)), 0);
    CHECK_EQ_STR(t_out, "sent 1\nsent 2\nsent 3\ngot 10\ngot 20\ngot 30\n");
}

DEFPROC(receiver, 0) {
    say("receiver got %lld", (long long)recv_any().i);
    return v_unit();
}
DEFPROC(talker, 1) {
    proc_send(args[0].u, v_int(5));
    say("talker done");
    return v_unit();
}
DEFPROC(bystander, 0) {
    say("bystander ran");
    return v_unit();
}
DEFPROC(main_woken_back, 0) {
    Value r = v_pid(proc_spawn(FN(receiver), 0, NULL, NULL));
    proc_spawn(FN(talker), 1, &r, NULL);
    proc_spawn(FN(bystander), 0, NULL, NULL);
    return v_unit();
}
TEST(woken_receiver_goes_to_back) {
    CHECK_EQ_INT(t_run(FN(main_woken_back)), 0);
    CHECK_EQ_STR(t_out, "talker done\nbystander ran\nreceiver got 5\n");
}

DEFPROC(worker_slices, 2) {
    for (int i = 1; i < 4; i++) {
        burn(args[1].i);
        say("%s step %d", str_data(args[0]), i);
    }
    return v_unit();
}
DEFPROC(main_slices, 0) {
    proc_spawn(FN(worker_slices), 2, (Value[]){str_new("long", 4), v_int(6500)}, NULL);
    proc_spawn(FN(worker_slices), 2, (Value[]){str_new("short", 5), v_int(3000)}, NULL);
    return v_unit();
}
TEST(reduction_slices_interleave) {
    CHECK_EQ_INT(t_run(FN(main_slices)), 0);
    CHECK_EQ_STR(t_out, "short step 1\nlong step 1\nshort step 2\nshort step 3\nlong step 2\nlong step 3\n");
}

DEFPROC(patient, 3) {
    burn(args[2].i);
    Value v;
    if (recv_sel(MB_USER, NULL, NULL, args[1].i, &v)) say("%s got", str_data(args[0]));
    else say("%s released", str_data(args[0]));
    return v_unit();
}
DEFPROC(main_release_order, 0) {
    proc_spawn(FN(patient), 3, (Value[]){str_new("a", 1), v_int(100), v_int(20000)}, NULL);
    proc_spawn(FN(patient), 3, (Value[]){str_new("b", 1), v_int(300), v_int(0)}, NULL);
    proc_spawn(FN(patient), 3, (Value[]){str_new("c", 1), v_int(200), v_int(0)}, NULL);
    return v_unit();
}
TEST(release_order_is_wait_order) {
    CHECK_EQ_INT(t_run(FN(main_release_order)), 0);
    CHECK_EQ_STR(t_out, "b released\nc released\na released\n");
}

DEFPROC(napper, 1) {
    timer_bi_sleep((Value[]){v_int(50)}, 1);
    say("%s woke", str_data(args[0]));
    return v_unit();
}
DEFPROC(waiter, 1) {
    Value v;
    if (!recv_sel(MB_USER, NULL, NULL, 50, &v)) say("%s timed out", str_data(args[0]));
    return v_unit();
}
DEFPROC(main_timers, 0) {
    proc_spawn(FN(waiter), 1, (Value[]){str_new("w1", 2)}, NULL);
    proc_spawn(FN(napper), 1, (Value[]){str_new("n1", 2)}, NULL);
    proc_spawn(FN(waiter), 1, (Value[]){str_new("w2", 2)}, NULL);
    proc_spawn(FN(napper), 1, (Value[]){str_new("n2", 2)}, NULL);
    timer_bi_sleep((Value[]){v_int(200)}, 1);
    return v_unit();
}
TEST(simultaneous_timers_creation_order) {
    CHECK_EQ_INT(t_run(FN(main_timers)), 0);
    CHECK_EQ_STR(t_out, "w1 timed out\nn1 woke\nw2 timed out\nn2 woke\n");
}

DEFPROC(rounds, 1) {
    for (int n = 1; n <= 3; n++) {
        Value v;
        recv_sel(MB_USER, NULL, NULL, 600000, &v);
        say("round %d released", n);
    }
    return v_unit();
}
DEFPROC(forever, 0) {
    proc_set_terminate(FN(bystander)); /* must not run when discarded */
    recv_any();
    say("forever got a message");
    return v_unit();
}
DEFPROC(main_quiescence, 0) {
    proc_spawn(FN(rounds), 0, NULL, NULL);
    proc_spawn(FN(forever), 0, NULL, NULL);
    return v_unit();
}
TEST(quiescence_release_and_discard) {
    CHECK_EQ_INT(t_run(FN(main_quiescence)), 0);
    CHECK_EQ_STR(t_out, "round 1 released\nround 2 released\nround 3 released\n");
    CHECK_EQ_INT(proc_count(), 0);
}

/* ---- the clock advances with work (decision 32) -------------------------------------- */

DEFPROC(main_clock, 0) {
    say("t0 %lld", (long long)sched_now());
    burn(99999); /* 0.99999 ms: the clock shows whole milliseconds */
    say("after 99999 reductions %lld", (long long)sched_now());
    burn(1);
    say("after 100000 reductions %lld", (long long)sched_now());
    burn(150000);
    say("after 250000 reductions %lld", (long long)sched_now());
    timer_bi_sleep((Value[]){v_int(2)}, 1); /* nothing else runs: the clock jumps */
    say("slept to %lld", (long long)sched_now());
    return v_unit();
}
TEST(clock_counts_reductions) {
    CHECK_EQ_INT(t_run(FN(main_clock)), 0);
    CHECK_EQ_STR(t_out, "t0 0\nafter 99999 reductions 0\nafter 100000 reductions 1\n"
                        "after 250000 reductions 2\nslept to 4\n");
}

static long spun;
static bool stop_spinning;
DEFPROC(spinner, 0) {
    while (!stop_spinning) {
        burn(1);
        spun++;
    }
    say("spinner stopped at %lld", (long long)sched_now());
    return v_unit();
}
DEFPROC(watchdog, 0) {
    Value v;
    if (!recv_sel(MB_USER, NULL, NULL, 5, &v)) say("watchdog fired at %lld after %ld reductions", (long long)sched_now(), spun);
    stop_spinning = true;
    return v_unit();
}
DEFPROC(main_watchdog, 0) {
    proc_spawn(FN(watchdog), 0, NULL, NULL);
    proc_spawn(FN(spinner), 0, NULL, NULL);
    return v_unit();
}
/* A receive timeout fires while another process computes: 5 ms is 500 000
 * reductions; the spinner's 125th slice (4001 charges each: the one that
 * preempts resumes the next slice) passes it, the timer fires at that
 * scheduling point and the woken watchdog queues behind the spinner, which
 * runs one more slice (126 * 4001 - 1 completed calls). */
TEST(timeout_fires_while_another_spins) {
    spun = 0;
    stop_spinning = false;
    CHECK_EQ_INT(t_run(FN(main_watchdog)), 0);
    CHECK_EQ_STR(t_out, "watchdog fired at 5 after 504125 reductions\nspinner stopped at 5\n");
    spun = 0;
    stop_spinning = false;
    CHECK_EQ_INT(t_run_cfg(FN(main_watchdog), 0, false), 0); /* the same in real time */
    CHECK_EQ_STR(t_out, "watchdog fired at 5 after 504125 reductions\nspinner stopped at 5\n");
}

/* ---- determinism ------------------------------------------------------------------------ */

DEFPROC(chatter, 2) {
    /* args: (id, work).  Sends to a registered ring neighbour, burns, and
     * receives with a timeout: output order depends on the schedule. */
    int64_t id = args[0].i;
    char name[16];
    snprintf(name, sizeof name, "c%lld", (long long)((id + 1) % 6));
    for (int i = 0; i < 5; i++) {
        uint64_t peer;
        if (reg_whereis(name, strlen(name), &peer)) proc_send(peer, v_int(id * 100 + i));
        burn(args[1].i);
        Value v;
        if (recv_sel(MB_USER, NULL, NULL, 3, &v)) say("c%lld got %lld", (long long)id, (long long)v.i);
        else say("c%lld timeout", (long long)id);
    }
    return v_unit();
}
DEFPROC(main_racy, 0) {
    for (int i = 0; i < 6; i++) {
        uint64_t p = proc_spawn(FN(chatter), 2, (Value[]){v_int(i), v_int(1000 + 1500 * i)}, NULL);
        char name[16];
        snprintf(name, sizeof name, "c%d", i);
        reg_register(name, strlen(name), p);
    }
    timer_bi_sleep((Value[]){v_int(100)}, 1);
    return v_unit();
}

static char *run_logged(uint64_t seed, char **out) {
    t_record = true;
    t_ev_start();
    t_run_cfg(FN(main_racy), seed, true);
    t_record = false;
    *out = strdup(t_out);
    return strdup(t_ev ? t_ev : "");
}

TEST(same_seed_same_event_log) {
    char *o0, *o0b, *o7, *o7b, *o8;
    char *e0 = run_logged(0, &o0), *e0b = run_logged(0, &o0b);
    char *e7 = run_logged(7, &o7), *e7b = run_logged(7, &o7b);
    char *e8 = run_logged(8, &o8);
    CHECK(strlen(e0) > 1000);
    CHECK(strcmp(e0, e0b) == 0 && strcmp(o0, o0b) == 0);
    CHECK(strcmp(e7, e7b) == 0 && strcmp(o7, o7b) == 0);
    CHECK(strcmp(e0, e7) != 0); /* another seed is another schedule */
    CHECK(strcmp(e7, e8) != 0);
    free(e0); free(e0b); free(e7); free(e7b); free(e8);
    free(o0); free(o0b); free(o7); free(o7b); free(o8);
}

TEST(event_file_sink) {
    const char *path = "/tmp/snow_test_events.jsonl";
    rt_apply_hook = t_apply;
    RtConfig cfg = {.virtual_time = true, .events_path = path};
    CHECK(rt_init(&cfg));
    rt_run_main(FN(main_send_no_yield));
    rt_shutdown();
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    if (!f) return;
    char line[1024];
    int n = 0, sends = 0;
    while (fgets(line, sizeof line, f)) {
        n++;
        if (n == 1) CHECK(strncmp(line, "{\"step\":1,\"t\":0,\"ev\":\"spawn\"", 28) == 0);
        if (strstr(line, "\"ev\":\"send\"")) {
            sends++;
            CHECK(strstr(line, "\"msg\":\"") != NULL);
        }
    }
    fclose(f);
    CHECK_EQ_INT(sends, 3);
    CHECK(n > 10);
    remove(path);
}

/* ---- scale and speed ------------------------------------------------------------------------- */

static long rss_before;
DEFPROC(blocked_one, 0) {
    recv_any();
    return v_unit();
}
static long n_live;
DEFPROC(main_100k, 0) {
    rss_before = rss_kb();
    double t0 = now_s();
    uint64_t *pids = malloc((size_t)n_live * sizeof *pids);
    for (long i = 0; i < n_live; i++) pids[i] = proc_spawn(FN(blocked_one), 0, NULL, NULL);
    timer_bi_sleep((Value[]){v_int(1)}, 1); /* let all of them run and block */
    double t1 = now_s();
    long rss = rss_kb();
    CHECK_EQ_INT(proc_count(), n_live + 1);
    printf("%ld live blocked processes: spawn+block %.0f ns each, RSS %.2f KB per process\n", n_live,
           (t1 - t0) * 1e9 / (double)n_live, (double)(rss - rss_before) * 1024.0 / (double)n_live / 1024.0);
#if !defined(SNOW_ASAN) && !defined(__SANITIZE_ADDRESS__)
    CHECK((double)(rss - rss_before) / (double)n_live <= 5.0); /* sanitizers add shadow memory */
#endif
    /* wake every process (most of them copied out of their stack slots): each takes its message and exits */
    for (long i = 0; i < n_live; i++) proc_send(pids[i], v_int(i));
    free(pids);
    timer_bi_sleep((Value[]){v_int(1)}, 1);
    CHECK_EQ_INT(proc_count(), 1);
    return v_unit();
}
TEST(hundred_thousand_live) {
    n_live = 100000;
    CHECK_EQ_INT(t_run(FN(main_100k)), 0);
    CHECK_EQ_INT(proc_count(), 0);
}

TEST(shared_slots_keep_frames) {
    StackStats s0, s1;
    stack_stats(&s0);
    sf_ok = sf_bad = 0;
    CHECK_EQ_INT(t_run(FN(sf_main)), 0);
    CHECK_EQ_INT(sf_ok, SF_N);
    CHECK_EQ_INT(sf_bad, 0);
    stack_stats(&s1);
    CHECK_EQ_INT(s1.saved_bytes, s0.saved_bytes);           /* every copy freed */
    CHECK_EQ_INT(s1.segs_mapped, 0);
    if (STACK_SHARING) {
        CHECK(s1.saves - s0.saves >= SF_N - STACK_HOME_SLOTS);  /* most were copied out... */
        CHECK(s1.restores - s0.restores >= SF_N - STACK_HOME_SLOTS); /* ...and back */
        CHECK(s1.slots_total - s0.slots_total <= STACK_HOME_SLOTS);
    }
}

TEST(hand_over_waits_copied_out) {
    StackStats s0, s1;
    stack_stats(&s0);
    pw_reset();
    CHECK_EQ_INT(t_run(FN(pw_main)), 0);
    CHECK_EQ_INT(pw_ok, PW_N);
    CHECK_EQ_INT(pw_bad, 0);
    CHECK(pw_each_once());
    stack_stats(&s1);
    if (STACK_SHARING) CHECK(s1.saves - s0.saves >= PW_N - STACK_HOME_SLOTS); /* waiters were copied out */
}

DEFPROC(nothing, 0) { return v_unit(); }
DEFPROC(main_million, 0) {
    double t0 = now_s();
    for (long b = 0; b < 1000; b++) {
        for (long i = 0; i < 1000; i++) proc_spawn(FN(nothing), 0, NULL, NULL);
        sched_cede(); /* let the batch run and exit */
    }
    double t1 = now_s();
    printf("1000000 spawn+exit: %.0f ns each\n", (t1 - t0) * 1e9 / 1e6);
    CHECK_EQ_INT(proc_count(), 1);
    return v_unit();
}
TEST(million_spawn_exit) {
    StackStats s0;
    stack_stats(&s0);
    CHECK_EQ_INT(t_run(FN(main_million)), 0);
    CHECK_EQ_INT(proc_spawned_total(), 0); /* reset by rt_shutdown */
    StackStats s;
    stack_stats(&s);
    CHECK(s.slots_total - s0.slots_total < 2000); /* stacks are pooled */
}

DEFPROC(ponger, 0) {
    for (;;) {
        Value v = recv_any();
        if (v.tag != T_PID) return v_unit();
        proc_send(v.u, v_int(1));
    }
}
DEFPROC(main_pingpong, 0) {
    uint64_t p = proc_spawn(FN(ponger), 0, NULL, NULL);
    long n = 1000000;
    double t0 = now_s();
    /* main cannot receive in Snow, but the runtime does not care */
    for (long i = 0; i < n; i++) {
        proc_send(p, v_pid(proc_self_pid()));
        recv_any();
    }
    double t1 = now_s();
    printf("message round trip: %.0f ns\n", (t1 - t0) * 1e9 / (double)n);
    proc_send(p, v_int(0));
    return v_unit();
}
TEST(ping_pong) {
    CHECK_EQ_INT(t_run(FN(main_pingpong)), 0);
}

int main(void) {
    RUN(spawn_order_after_main);
    RUN(shared_slots_keep_frames);
    RUN(hand_over_waits_copied_out);
    RUN(send_does_not_yield);
    RUN(woken_receiver_goes_to_back);
    RUN(reduction_slices_interleave);
    RUN(release_order_is_wait_order);
    RUN(simultaneous_timers_creation_order);
    RUN(quiescence_release_and_discard);
    RUN(clock_counts_reductions);
    RUN(timeout_fires_while_another_spins);
    RUN(same_seed_same_event_log);
    RUN(event_file_sink);
    RUN(hundred_thousand_live);
    RUN(million_spawn_exit);
    RUN(ping_pong);
    return harness_report();
}
