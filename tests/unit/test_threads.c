/* test_threads.c — the threaded scheduler (sched_threads.c): I/O readiness
 * through epoll (a pipe, a deadline, a regular file, a waiter killed while
 * parked), real-time timers, the termination rules of §6 across workers
 * (release order, discard, sleepers keeping the program alive, deadlock),
 * exactly-once wakes under many concurrent senders, links / monitors / exit
 * signals / the registry between processes on different workers, and many
 * spawns (process-table pages and records reclaimed while others look).
 *
 * Process bodies run on several OS threads, so results go into atomics and
 * are checked by the test after the run (the harness is single-threaded). */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <unistd.h>

#include "proc_testlib.h"
#include "slots_testlib.h"
#include "sysmsg.h"

static int tt_run(Value main_fn, int threads) {
    rt_apply_hook = t_apply;
    RtConfig cfg = {.threads = threads};
    if (!rt_init(&cfg)) return -1;
    int st = rt_run_main(main_fn);
    rt_shutdown();
    return st;
}

/* More processes than stack slots on 2 and 4 workers: frames are copied
 * out and back by whichever worker runs a process, and a process whose
 * slot is in use on another worker waits for it. */
TEST(shared_slots_across_workers) {
    for (int threads = 2; threads <= 4; threads += 2) {
        StackStats s0, s1;
        stack_stats(&s0);
        sf_ok = sf_bad = 0;
        CHECK_EQ_INT(tt_run(FN(sf_main), threads), 0);
        CHECK_EQ_INT(sf_ok, SF_N);
        CHECK_EQ_INT(sf_bad, 0);
        stack_stats(&s1);
        CHECK_EQ_INT(s1.saved_bytes, s0.saved_bytes);
        CHECK_EQ_INT(s1.segs_mapped, 0);
    }
}

/* Hand-over waits (pwait.h) on 2 workers while the waiters are copied out. */
TEST(hand_over_waits_across_workers) {
    pw_reset();
    CHECK_EQ_INT(tt_run(FN(pw_main), 2), 0);
    CHECK_EQ_INT(pw_ok, PW_N);
    CHECK_EQ_INT(pw_bad, 0);
    CHECK(pw_each_once());
}

/* A process waiting for a blocking-pool job must keep its frames in its
 * slot (the job writes into them), even when more processes than slots
 * want to run meanwhile. */
static _Atomic long pin_ok, pin_bad;
static void pin_job(void *arg) {
    volatile long *x = arg;
    usleep(300);
    x[0] = x[1] * 3 + 1; /* into the caller's frame */
}
DEFPROC(pin_proc, 1) {
    volatile long x[2] = {0, args[0].i};
    sched_run_blocking(pin_job, (void *)x);
    atomic_fetch_add(x[0] == args[0].i * 3 + 1 ? &pin_ok : &pin_bad, 1);
    return v_unit();
}
DEFPROC(pin_main, 0) {
    for (long i = 0; i < 3000; i++) proc_spawn(FN(pin_proc), 1, (Value[]){v_int(i)}, NULL);
    return v_unit();
}
static void pin_watchdog(int sig) {
    (void)sig;
    static const char m[] = "FAIL blocking_jobs_pin_their_slots: hung (a job's frame was moved?)\n";
    ssize_t w = write(2, m, sizeof m - 1);
    (void)w;
    _exit(1);
}
TEST(blocking_jobs_pin_their_slots) {
    pin_ok = pin_bad = 0;
    signal(SIGALRM, pin_watchdog);
    alarm(120);
    CHECK_EQ_INT(tt_run(FN(pin_main), 2), 0);
    alarm(0);
    CHECK_EQ_INT(pin_ok, 3000);
    CHECK_EQ_INT(pin_bad, 0);
}

static _Atomic long c_a, c_b, c_c;
static _Atomic long order[16];
static _Atomic int norder;

static void reset_counters(void) {
    atomic_store(&c_a, 0);
    atomic_store(&c_b, 0);
    atomic_store(&c_c, 0);
    atomic_store(&norder, 0);
}

static int64_t ms_since(double t0) { return (int64_t)((now_s() - t0) * 1000.0); }

/* ---- I/O readiness ------------------------------------------------------------------ */

DEFPROC(pipe_writer, 1) {
    timer_bi_sleep((Value[]){v_int(30)}, 1);
    ssize_t n = write((int)args[0].i, "x", 1);
    (void)n;
    return v_unit();
}
DEFPROC(main_pipe, 0) {
    int fds[2];
    if (pipe2(fds, O_NONBLOCK) != 0) return v_unit();
    Value w = v_int(fds[1]);
    proc_spawn(FN(pipe_writer), 1, &w, NULL);
    double t0 = now_s();
    int r = sched_wait_io(fds[0], POLLIN, -1);
    atomic_store(&c_b, ms_since(t0));
    char c = 0;
    if ((r & POLLIN) && read(fds[0], &c, 1) == 1 && c == 'x') atomic_store(&c_a, 1);
    /* nothing more to read: a deadline ends the wait with 0 */
    t0 = now_s();
    r = sched_wait_io(fds[0], POLLIN, sched_now() + 40);
    if (r == 0) atomic_store(&c_c, ms_since(t0));
    close(fds[0]);
    close(fds[1]);
    return v_unit();
}
TEST(wait_io_pipe_and_deadline) {
    for (int threads = 1; threads <= 4; threads *= 2) {
        reset_counters();
        CHECK_EQ_INT(tt_run(FN(main_pipe), threads), 0);
        CHECK_EQ_INT(atomic_load(&c_a), 1);
        CHECK(atomic_load(&c_b) >= 25); /* woken by the write, not before */
        CHECK(atomic_load(&c_c) >= 35); /* the deadline */
    }
}

DEFPROC(fd_waiter, 1) {
    int r = sched_wait_io((int)args[0].i, POLLIN, sched_now() + 5000);
    if (r & POLLIN) atomic_fetch_add(&c_a, 1);
    return v_unit();
}
DEFPROC(main_two_waiters, 0) {
    int fds[2];
    if (pipe2(fds, O_NONBLOCK) != 0) return v_unit();
    Value r = v_int(fds[0]);
    proc_spawn(FN(fd_waiter), 1, &r, NULL);
    proc_spawn(FN(fd_waiter), 1, &r, NULL);
    timer_bi_sleep((Value[]){v_int(30)}, 1); /* both parked on the same fd */
    ssize_t n = write(fds[1], "x", 1);
    (void)n;
    timer_bi_sleep((Value[]){v_int(30)}, 1);
    close(fds[0]);
    close(fds[1]);
    return v_unit();
}
TEST(wait_io_two_waiters_one_fd) {
    reset_counters();
    CHECK_EQ_INT(tt_run(FN(main_two_waiters), 2), 0);
    CHECK_EQ_INT(atomic_load(&c_a), 2);
}

DEFPROC(main_regular_file, 0) {
    int fd = open("/proc/self/status", O_RDONLY);
    if (fd < 0) return v_unit();
    int r = sched_wait_io(fd, POLLIN, -1); /* epoll cannot watch it: ready at once */
    atomic_store(&c_a, r);
    close(fd);
    return v_unit();
}
TEST(wait_io_regular_file_is_ready) {
    reset_counters();
    CHECK_EQ_INT(tt_run(FN(main_regular_file), 2), 0);
    CHECK(atomic_load(&c_a) & POLLIN);
}

DEFPROC(io_waiter, 1) {
    atomic_fetch_add(&c_a, 1);
    sched_wait_io((int)args[0].i, POLLIN, -1); /* killed while parked here */
    atomic_fetch_add(&c_b, 1);
    return v_unit();
}
DEFPROC(main_kill_io_waiter, 0) {
    int fds[2];
    if (pipe2(fds, O_NONBLOCK) != 0) return v_unit();
    Value r = v_int(fds[0]);
    uint64_t w = proc_spawn(FN(io_waiter), 1, &r, NULL);
    while (atomic_load(&c_a) == 0) timer_bi_sleep((Value[]){v_int(1)}, 1);
    timer_bi_sleep((Value[]){v_int(10)}, 1);
    proc_exit_pid(w, proc_reason(XR_KILLED));
    timer_bi_sleep((Value[]){v_int(10)}, 1);
    if (!proc_is_alive(w)) atomic_store(&c_c, 1);
    ssize_t n = write(fds[1], "x", 1); /* a stale readiness must not wake anything */
    (void)n;
    timer_bi_sleep((Value[]){v_int(10)}, 1);
    close(fds[0]);
    close(fds[1]);
    return v_unit();
}
TEST(wait_io_waiter_killed) {
    reset_counters();
    CHECK_EQ_INT(tt_run(FN(main_kill_io_waiter), 2), 0);
    CHECK_EQ_INT(atomic_load(&c_b), 0);
    CHECK_EQ_INT(atomic_load(&c_c), 1);
}

/* ---- time ----------------------------------------------------------------------------- */

DEFPROC(sleeper, 1) {
    timer_bi_sleep(args, 1);
    atomic_store(&order[atomic_fetch_add(&norder, 1)], args[0].i);
    return v_unit();
}
DEFPROC(main_sleepers, 0) {
    for (int i = 5; i >= 1; i--) proc_spawn(FN(sleeper), 1, (Value[]){v_int(i * 20)}, NULL);
    atomic_store(&c_a, sched_now());
    return v_unit(); /* the sleepers keep the program alive */
}
TEST(real_time_sleeps_keep_alive) {
    reset_counters();
    double t0 = now_s();
    CHECK_EQ_INT(tt_run(FN(main_sleepers), 4), 0);
    CHECK(ms_since(t0) >= 95);
    CHECK_EQ_INT(atomic_load(&norder), 5);
    for (int i = 0; i < 5; i++) CHECK_EQ_INT(atomic_load(&order[i]), (i + 1) * 20);
}

/* ---- termination (§6) -------------------------------------------------------------------- */

static void after_waiter(int64_t id) {
    int64_t never = -1;
    Value v;
    if (!recv_sel(MB_USER, match_int, &never, 60000, &v)) /* released at quiescence */
        atomic_store(&order[atomic_fetch_add(&norder, 1)], id);
}
DEFPROC(chain_waiter, 1) {
    /* enters its receive only after the previous one did: a causal order */
    if (args[0].i < 6) proc_spawn(FN(chain_waiter), 1, (Value[]){v_int(args[0].i + 1)}, NULL);
    after_waiter(args[0].i);
    return v_unit();
}
DEFPROC(blocked_forever, 0) {
    recv_any();
    atomic_fetch_add(&c_b, 1);
    return v_unit();
}
DEFPROC(main_quiescence, 0) {
    for (int i = 0; i < 3; i++) proc_spawn(FN(blocked_forever), 0, NULL, NULL);
    proc_spawn(FN(chain_waiter), 1, (Value[]){v_int(1)}, NULL);
    return v_unit();
}
TEST(quiescence_release_then_discard) {
    for (int threads = 1; threads <= 4; threads *= 2) {
        reset_counters();
        double t0 = now_s();
        CHECK_EQ_INT(tt_run(FN(main_quiescence), threads), 0);
        CHECK(ms_since(t0) < 5000); /* released, not timed out */
        CHECK_EQ_INT(atomic_load(&norder), 6);
        CHECK_EQ_INT(atomic_load(&c_b), 0); /* discarded silently */
        if (threads == 1) /* one worker: released in the order they started waiting */
            for (int i = 0; i < 6; i++) CHECK_EQ_INT(atomic_load(&order[i]), i + 1);
    }
}

DEFPROC(main_deadlock, 0) {
    recv_any();
    return v_unit();
}
TEST(deadlock_exits_101) {
    CHECK_EQ_INT(tt_run(FN(main_deadlock), 2), 101);
}

DEFPROC(late_sender, 1) {
    timer_bi_sleep((Value[]){v_int(30)}, 1);
    proc_send(args[0].u, v_int(7));
    return v_unit();
}
DEFPROC(main_waits_on_timer, 0) {
    Value me = v_pid(proc_self_pid());
    proc_spawn(FN(late_sender), 1, &me, NULL);
    atomic_store(&c_a, recv_any().i); /* all blocked, one sleeping: no deadlock */
    return v_unit();
}
TEST(main_blocked_while_a_timer_runs) {
    reset_counters();
    CHECK_EQ_INT(tt_run(FN(main_waits_on_timer), 2), 0);
    CHECK_EQ_INT(atomic_load(&c_a), 7);
}

/* A process arms its timer before it blocks; on another worker the timer
 * may fire in between, while the process is still running.  The wake must
 * not be lost (it was: the process slept for ever, seen as a hang of
 * actors/timer_sleep under TSan).  The interleaving is made here by the
 * process itself: it fires its own due timer, as another worker's
 * fire_timers would, and only then blocks.  main kills it if it was not
 * woken within 500 ms (c_a stays 0). */
DEFPROC(fired_before_blocking, 0) {
    uint64_t tok = timer_new_seq();
    timer_add_wake(sched_now(), proc_self_pid(), tok, tok);
    Timer *due;
    size_t n = timer_pop_due(sched_now(), &due);
    for (size_t i = 0; i < n; i++) timer_fire(&due[i]);
    atomic_store(&c_b, (long)n);
    WakeReason r = sched_block(W_SLEEP, tok);
    atomic_store(&c_a, r == WK_TIMEOUT ? 1 : 2);
    return v_unit();
}
DEFPROC(main_timer_fires_first, 0) {
    uint64_t p = proc_spawn(FN(fired_before_blocking), 0, NULL, NULL);
    for (int i = 0; i < 500 && !atomic_load(&c_a); i++) timer_bi_sleep((Value[]){v_int(1)}, 1);
    if (!atomic_load(&c_a)) proc_exit_pid(p, proc_reason(XR_KILLED));
    return v_unit();
}
TEST(timer_fired_before_its_process_blocked) {
    for (int threads = 1; threads <= 2; threads++) {
        reset_counters();
        CHECK_EQ_INT(tt_run(FN(main_timer_fires_first), threads), 0);
        CHECK(atomic_load(&c_b) >= 1); /* its own timer (and maybe main's) */
        CHECK_EQ_INT(atomic_load(&c_a), 1);
    }
}

/* ---- exactly-once wakes ---------------------------------------------------------------------- */

#define SENDERS 8
#define PER_SENDER 20000

DEFPROC(counter_proc, 1) {
    long sum = 0;
    for (long i = 0; i < SENDERS * PER_SENDER; i++) sum += recv_any().i;
    atomic_store(&c_a, sum);
    proc_send(args[0].u, v_int(1));
    return v_unit();
}
DEFPROC(sender_proc, 1) {
    for (long i = 1; i <= PER_SENDER; i++) {
        proc_send(args[0].u, v_int(i));
        if (i % 1000 == 0) sched_cede();
    }
    return v_unit();
}
DEFPROC(main_many_senders, 0) {
    Value me = v_pid(proc_self_pid());
    Value c = v_pid(proc_spawn(FN(counter_proc), 1, &me, NULL));
    for (int i = 0; i < SENDERS; i++) proc_spawn(FN(sender_proc), 1, &c, NULL);
    atomic_store(&c_b, recv_any().i);
    return v_unit();
}
TEST(many_senders_one_receiver) {
    for (int threads = 2; threads <= 4; threads *= 2) {
        reset_counters();
        CHECK_EQ_INT(tt_run(FN(main_many_senders), threads), 0);
        CHECK_EQ_INT(atomic_load(&c_a), (long)SENDERS * PER_SENDER * (PER_SENDER + 1) / 2);
        CHECK_EQ_INT(atomic_load(&c_b), 1);
    }
}

/* ---- links, monitors, exit signals across workers ---------------------------------------------- */

#define PAIRS 300

DEFPROC(doomed, 0) {
    burn(200); /* let the partner link and block meanwhile, on another worker */
    proc_exit_pid(proc_self_pid(), proc_reason_error("boom", 4));
    return v_unit();
}
DEFPROC(partner, 1) {
    recv_any(); /* go: the watcher monitors us first */
    SpawnOpts linked = {NULL, v_unit(), true}; /* linked before it can run (and die) */
    uint64_t d = proc_spawn(FN(doomed), 0, NULL, &linked);
    proc_send(args[0].u, v_pid(d)); /* the watcher monitors both */
    recv_any(); /* dies here with Linked(d, Error(boom)) */
    atomic_fetch_add(&c_c, 1);
    return v_unit();
}
static bool is_down(Value v, void *ud) {
    (void)ud;
    return v.tag == T_VARIANT;
}
DEFPROC(watcher, 1) {
    Value me = v_pid(proc_self_pid());
    for (int i = 0; i < PAIRS; i++) {
        uint64_t p = proc_spawn(FN(partner), 1, &me, NULL);
        proc_monitor(p);
        proc_send(p, v_int(0));
    }
    for (int i = 0; i < PAIRS; i++) proc_monitor(recv_any().u); /* the doomed ones (maybe dead: NoProc) */
    for (int i = 0; i < 2 * PAIRS; i++) {
        Value d;
        recv_sel(MB_SIGNAL, is_down, NULL, -1, &d);
        char buf[300];
        describe(sysmsg_reason(d), buf, sizeof buf);
        if (strncmp(buf, "linked(error(boom", 17) == 0) atomic_fetch_add(&c_a, 1);
        else if (strcmp(buf, "error(boom)") == 0 || strcmp(buf, "noproc") == 0) atomic_fetch_add(&c_b, 1);
        else fprintf(stderr, "links test: unexpected Down reason %s\n", buf);
    }
    return v_unit();
}
DEFPROC(main_links, 0) {
    proc_spawn(FN(watcher), 0, NULL, NULL);
    return v_unit();
}
TEST(links_and_monitors_across_workers) {
    reset_counters();
    CHECK_EQ_INT(tt_run(FN(main_links), 4), 0);
    CHECK_EQ_INT(atomic_load(&c_a), PAIRS); /* every partner died of its link */
    CHECK_EQ_INT(atomic_load(&c_b), PAIRS);
    CHECK_EQ_INT(atomic_load(&c_c), 0);
}

DEFPROC(trapper, 0) {
    proc_trap_exit(true);
    Value me = v_pid(proc_self_pid());
    for (int i = 0; i < PAIRS; i++) {
        uint64_t d = proc_spawn(FN(doomed), 0, NULL, NULL);
        proc_link(d); /* may already be dead: then Exit(d, NoProc) */
    }
    for (int i = 0; i < PAIRS; i++) {
        Value s = recv_signal();
        char buf[300];
        describe(sysmsg_reason(s), buf, sizeof buf);
        if (strcmp(buf, "error(boom)") == 0 || strcmp(buf, "noproc") == 0) atomic_fetch_add(&c_a, 1);
    }
    (void)me;
    atomic_store(&c_b, 1);
    return v_unit();
}
DEFPROC(main_trap, 0) {
    proc_spawn(FN(trapper), 0, NULL, NULL);
    return v_unit();
}
TEST(trap_exit_across_workers) {
    reset_counters();
    CHECK_EQ_INT(tt_run(FN(main_trap), 4), 0);
    CHECK_EQ_INT(atomic_load(&c_a), PAIRS);
    CHECK_EQ_INT(atomic_load(&c_b), 1);
}

DEFPROC(victim, 1) {
    for (;;) { /* busy: sending to itself and receiving, never blocking for long */
        proc_send(proc_self_pid(), v_int(1));
        recv_any();
        burn(10);
    }
    return v_unit();
}
DEFPROC(killer, 1) {
    proc_exit_pid(args[0].u, proc_reason(XR_KILLED));
    return v_unit();
}
DEFPROC(main_kills, 0) {
    uint64_t v[PAIRS];
    for (int i = 0; i < PAIRS; i++) {
        v[i] = proc_spawn(FN(victim), 1, (Value[]){v_int(i)}, NULL);
        proc_monitor(v[i]);
    }
    for (int i = 0; i < PAIRS; i++) proc_spawn(FN(killer), 1, (Value[]){v_pid(v[i])}, NULL);
    for (int i = 0; i < PAIRS; i++) {
        Value d = recv_signal();
        char buf[100];
        describe(sysmsg_reason(d), buf, sizeof buf);
        if (strcmp(buf, "killed") == 0) atomic_fetch_add(&c_a, 1);
    }
    return v_unit();
}
TEST(kill_running_processes) {
    reset_counters();
    CHECK_EQ_INT(tt_run(FN(main_kills), 4), 0);
    CHECK_EQ_INT(atomic_load(&c_a), PAIRS);
}

/* ---- registry ---------------------------------------------------------------------------------- */

DEFPROC(registrant, 1) {
    char name[32];
    snprintf(name, sizeof name, "n%lld", (long long)args[0].i);
    if (reg_register(name, strlen(name), proc_self_pid()) == REG_OK) atomic_fetch_add(&c_a, 1);
    return v_unit(); /* exits at once: the name must go with it */
}
DEFPROC(outsider, 1) {
    /* registers other (exiting) processes under its own names */
    for (int i = 0; i < 200; i++) {
        char name[32];
        snprintf(name, sizeof name, "o%lld_%d", (long long)args[0].i, i);
        if (reg_register(name, strlen(name), args[0].u) == REG_OK) atomic_fetch_add(&c_c, 1);
    }
    return v_unit();
}
DEFPROC(main_registry, 0) {
    for (int i = 0; i < 2000; i++) {
        uint64_t p = proc_spawn(FN(registrant), 1, (Value[]){v_int(i)}, NULL);
        if (i % 10 == 0) proc_spawn(FN(outsider), 1, (Value[]){v_pid(p)}, NULL);
    }
    for (int i = 0; i < 10000 && proc_count() > 1; i++) /* until all have exited */
        timer_bi_sleep((Value[]){v_int(1)}, 1);
    /* a process leaves the table before its name is dropped (finish_exit: a concurrent
     * register must fail), so the last exits may still be dropping names: wait, bounded */
    for (int i = 0; i < 1000 && reg_count() > 0; i++) timer_bi_sleep((Value[]){v_int(1)}, 1);
    atomic_store(&c_b, (long)reg_count());
    return v_unit();
}
TEST(registry_names_die_with_processes) {
    reset_counters();
    CHECK_EQ_INT(tt_run(FN(main_registry), 4), 0);
    /* every process had exactly one name: its own, or an outsider's first */
    CHECK_EQ_INT(atomic_load(&c_a) + atomic_load(&c_c), 2000);
    CHECK_EQ_INT(atomic_load(&c_b), 0); /* and all are gone */
}

/* ---- many spawns: table pages and records reclaimed while others look ---------------------- */

DEFPROC(short_lived, 1) {
    proc_send(args[0].u, v_int(1));
    return v_unit();
}
DEFPROC(spawner_proc, 1) {
    Value me = v_pid(proc_self_pid());
    for (int i = 0; i < 25000; i++) proc_spawn(FN(short_lived), 1, &me, NULL);
    long got = 0;
    for (int i = 0; i < 25000; i++) got += recv_any().i;
    proc_send(args[0].u, v_int(got));
    return v_unit();
}
DEFPROC(main_spawns, 0) {
    Value me = v_pid(proc_self_pid());
    for (int i = 0; i < 4; i++) proc_spawn(FN(spawner_proc), 1, &me, NULL);
    long got = 0;
    for (int i = 0; i < 4; i++) got += recv_any().i;
    atomic_store(&c_a, got);
    for (int i = 0; i < 1000 && proc_count() > 1; i++) /* the spawners may still be exiting */
        timer_bi_sleep((Value[]){v_int(1)}, 1);
    atomic_store(&c_b, (long)proc_count());
    return v_unit();
}
TEST(hundred_thousand_spawns) {
    reset_counters();
    CHECK_EQ_INT(tt_run(FN(main_spawns), 4), 0);
    CHECK_EQ_INT(atomic_load(&c_a), 100000);
    CHECK_EQ_INT(atomic_load(&c_b), 1);
}

int main(void) {
    RUN(shared_slots_across_workers);
    RUN(blocking_jobs_pin_their_slots);
    RUN(hand_over_waits_across_workers);
    (void)t_run; /* the deterministic helpers of proc_testlib.h */
    (void)say;
    /* function objects are made lazily (proc_testlib.h): make them before
     * processes on several threads ask for them */
    (void)FN(blocked_forever);
    (void)FN(pw_main);
    (void)FN(pw_proc);
    (void)FN(chain_waiter);
    (void)FN(counter_proc);
    (void)FN(doomed);
    (void)FN(fd_waiter);
    (void)FN(io_waiter);
    (void)FN(killer);
    (void)FN(late_sender);
    (void)FN(main_deadlock);
    (void)FN(main_kill_io_waiter);
    (void)FN(main_kills);
    (void)FN(main_links);
    (void)FN(main_many_senders);
    (void)FN(main_pipe);
    (void)FN(main_quiescence);
    (void)FN(main_registry);
    (void)FN(main_regular_file);
    (void)FN(main_sleepers);
    (void)FN(main_spawns);
    (void)FN(main_trap);
    (void)FN(main_waits_on_timer);
    (void)FN(outsider);
    (void)FN(partner);
    (void)FN(pipe_writer);
    (void)FN(registrant);
    (void)FN(sender_proc);
    (void)FN(short_lived);
    (void)FN(sleeper);
    (void)FN(spawner_proc);
    (void)FN(trapper);
    (void)FN(victim);
    (void)FN(watcher);
    RUN(wait_io_pipe_and_deadline);
    RUN(wait_io_two_waiters_one_fd);
    RUN(wait_io_regular_file_is_ready);
    RUN(wait_io_waiter_killed);
    RUN(real_time_sleeps_keep_alive);
    RUN(quiescence_release_then_discard);
    RUN(deadlock_exits_101);
    RUN(main_blocked_while_a_timer_runs);
    RUN(timer_fired_before_its_process_blocked);
    RUN(many_senders_one_receiver);
    RUN(links_and_monitors_across_workers);
    RUN(trap_exit_across_workers);
    RUN(kill_running_processes);
    RUN(registry_names_die_with_processes);
    RUN(hundred_thousand_spawns);
    return harness_report();
}
