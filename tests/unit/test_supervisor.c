/* test_supervisor.c — supervisors at the runtime level (supervisor.h;
 * concurrency.md §10, decisions 18, 20, 24): the restart-intensity window on
 * the virtual clock (including its boundary), shutdown timeouts and
 * brutal_kill with their timing and order, start failures at start-up and
 * during a restart (one stderr line each, no panic report), exit signals
 * from non-children, temporary/transient children in group restarts, and
 * the restart events. */
#include <unistd.h>

#include "proc_testlib.h"
#include "supervisor.h"

/* ---- helpers ------------------------------------------------------------------ */

static char errbuf[8192];

/* t_run with stderr captured into errbuf. */
static int run_capturing_stderr(Value fn) {
    fflush(stderr);
    FILE *tmp = tmpfile();
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    int st = t_run(fn);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    size_t n = fread(errbuf, 1, sizeof errbuf - 1, tmp);
    errbuf[n] = 0;
    fclose(tmp);
    return st;
}

static int count_lines_with(const char *text, const char *needle) {
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p++) n++;
    return n;
}

static void sleep_ms(int64_t ms) { timer_bi_sleep((Value[]){v_int(ms)}, 1); }

/* Wait for the Down of monitor `ref`; describe its reason into buf. */
static void await_down(uint64_t ref, char *buf, size_t cap) {
    for (;;) {
        Value d = recv_signal();
        if (AS_VARIANT(d)->idx == SIG_DOWN && AS_VARIANT(d)->fields[0].u == ref) {
            describe(AS_VARIANT(d)->fields[2], buf, cap);
            return;
        }
    }
}

/* The children: a worker that crashes on 1 and ends normally on 2, and one
 * that traps exits and ignores them (so a shutdown must end in a kill). */
DEFPROC(worker, 1) {
    Value v = recv_any();
    if (v.i == 1) rt_panic("%s crashed", str_data(args[0]));
    return v_unit();
}
DEFPROC(stubborn, 1) {
    proc_trap_exit(true);
    for (;;) {
        Value v;
        if (recv_sel(MB_USER, NULL, NULL, -1, &v) && v.i == 1) rt_panic("stubborn crashed");
    }
}

/* Start functions record each start: kid[i] = latest pid of child i. */
static uint64_t kid[4];
static int starts;
static char start_log[256];
static int fail_from = -1; /* start of child 0 fails from this start number on */

static uint64_t start_named(int i, const char *name, FuncInfo *fi) {
    size_t len = strlen(start_log);
    snprintf(start_log + len, sizeof start_log - len, "%s%s", len ? " " : "", name);
    starts++;
    Value a = str_from_cstr(name);
    kid[i] = proc_spawn(fn_value(fi), 1, &a, NULL);
    return kid[i];
}
DEFPROC(start_a, 0) {
    if (fail_from >= 0 && starts >= fail_from) {
        starts++;
        rt_panic("a cannot start (try %d)", starts);
    }
    return v_pid(start_named(0, "a", &fi_worker));
}
DEFPROC(start_b, 0) { return v_pid(start_named(1, "b", &fi_worker)); }
DEFPROC(start_c, 0) { return v_pid(start_named(2, "c", &fi_worker)); }
DEFPROC(start_stubborn, 0) { return v_pid(start_named(0, "s", &fi_stubborn)); }
DEFPROC(start_broken, 0) {
    starts++;
    rt_panic("nope");
}

static void reset(void) {
    memset(kid, 0, sizeof kid);
    starts = 0;
    start_log[0] = 0;
    fail_from = -1;
}

static SupChild child(Value start, int restart) {
    return (SupChild){.name = "?", .start = start, .restart = restart, .shutdown_ms = 5000};
}

/* ---- restart intensity on the scheduler clock (decision 24) ------------------------ */

static SupChild one_child[1];
static SupDesc one_sup = {"One", SUP_ONE_FOR_ONE, 2, 1, 1, one_child};

static void crash_kid(int i) {
    proc_send(kid[i], v_int(1));
    sleep_ms(1); /* let it crash and the supervisor restart it */
}

DEFPROC(main_window, 0) {
    uint64_t sup = sup_spawn(&one_sup);
    uint64_t ref = proc_monitor(sup);
    sleep_ms(1);
    crash_kid(0); /* t=1: restart 1 */
    crash_kid(0); /* t=2: restart 2 */
    sleep_ms(1000);
    crash_kid(0); /* t=1003: both older than 1 s: restart (count 1) */
    crash_kid(0); /* t=1004: count 2 */
    say("starts so far %d at %lld", starts, (long long)sched_now());
    sleep_ms(998); /* t=2003: the restart at t=1003 is exactly 1000 ms old and still counts */
    proc_send(kid[0], v_int(1));
    char buf[256];
    await_down(ref, buf, sizeof buf);
    say("supervisor: %s at %lld, starts %d", buf, (long long)sched_now(), starts);
    return v_unit();
}

TEST(intensity_window) {
    reset();
    one_child[0] = child(FN(start_a), SUP_PERMANENT);
    CHECK_EQ_INT(run_capturing_stderr(FN(main_window)), 0);
    CHECK_EQ_STR(t_out, "starts so far 5 at 1005\n"
                        "supervisor: error(restart limit exceeded: 2 restarts in 1 seconds) at 2003, starts 5\n");
    CHECK_EQ_INT(count_lines_with(errbuf, "panic in <0."), 5);
}

/* ---- stopping: reverse order, shutdown timeout, brutal_kill -------------------------- */

static SupChild stop_children[3];
static SupDesc stop_sup = {"Stop", SUP_ONE_FOR_ALL, 5, 60, 3, stop_children};

DEFPROC(main_stop, 0) {
    uint64_t sup = sup_spawn(&stop_sup);
    sleep_ms(1);
    uint64_t s = kid[0], b = kid[1];
    uint64_t rs = proc_monitor(s), rb = proc_monitor(b);
    start_log[0] = 0;
    proc_send(kid[2], v_int(1)); /* c crashes: stop b (brutal), then s (300 ms, then kill) */
    char buf[256];
    await_down(rb, buf, sizeof buf);
    say("b: %s at %lld", buf, (long long)sched_now());
    await_down(rs, buf, sizeof buf);
    say("s: %s at %lld", buf, (long long)sched_now());
    sleep_ms(1);
    say("restarted: %s", start_log);
    /* Process.exit(sup, Shutdown) from a live non-child: stop all, exit Shutdown */
    uint64_t ref = proc_monitor(sup);
    uint64_t rc = proc_monitor(kid[2]);
    proc_exit_pid(sup, proc_reason(XR_SHUTDOWN));
    await_down(rc, buf, sizeof buf);
    say("c: %s at %lld", buf, (long long)sched_now());
    await_down(ref, buf, sizeof buf);
    say("sup: %s at %lld", buf, (long long)sched_now());
    return v_unit();
}

TEST(stop_order_and_timeouts) {
    reset();
    stop_children[0] = child(FN(start_stubborn), SUP_PERMANENT);
    stop_children[0].shutdown_ms = 300;
    stop_children[1] = child(FN(start_b), SUP_PERMANENT);
    stop_children[1].brutal_kill = true;
    stop_children[2] = child(FN(start_c), SUP_PERMANENT);
    CHECK_EQ_INT(run_capturing_stderr(FN(main_stop)), 0);
    CHECK_EQ_STR(t_out, "b: killed at 1\n"
                        "s: killed at 301\n"
                        "restarted: s b c\n"
                        "c: shutdown at 302\n"
                        "sup: shutdown at 602\n");
}

/* ---- start failures (decision 24) --------------------------------------------------- */

static SupChild fail_children[3];
static SupDesc fail_sup = {"Fragile", SUP_ONE_FOR_ONE, 3, 5, 3, fail_children};

DEFPROC(main_fail_init, 0) {
    uint64_t sup = sup_spawn(&fail_sup);
    uint64_t ref = proc_monitor(sup);
    char buf[256];
    await_down(ref, buf, sizeof buf);
    say("%s; started %s; a alive %d", buf, start_log, proc_is_alive(kid[0]));
    return v_unit();
}

TEST(start_failure_at_startup) {
    reset();
    fail_children[0] = child(FN(start_a), SUP_PERMANENT);
    fail_children[0].name = "a";
    fail_children[1] = child(FN(start_broken), SUP_PERMANENT);
    fail_children[1].name = "b";
    fail_children[2] = child(FN(start_c), SUP_PERMANENT);
    CHECK_EQ_INT(run_capturing_stderr(FN(main_fail_init)), 0);
    CHECK_EQ_STR(t_out, "error(child 'b' failed to start: nope); started a; a alive 0\n");
    CHECK_EQ_STR(errbuf, "supervisor Fragile: child b failed to start: nope\n");
}

static SupChild retry_children[1];
static SupDesc retry_sup = {"Retry", SUP_ONE_FOR_ONE, 3, 5, 1, retry_children};

DEFPROC(main_fail_restart, 0) {
    uint64_t sup = sup_spawn(&retry_sup);
    uint64_t ref = proc_monitor(sup);
    sleep_ms(1);
    fail_from = 1; /* every later start of a panics */
    proc_send(kid[0], v_int(1));
    char buf[256];
    await_down(ref, buf, sizeof buf);
    say("%s after %d starts", buf, starts);
    return v_unit();
}

TEST(start_failure_during_restart_counts) {
    reset();
    retry_children[0] = child(FN(start_a), SUP_PERMANENT);
    retry_children[0].name = "a";
    CHECK_EQ_INT(run_capturing_stderr(FN(main_fail_restart)), 0);
    /* the crash and two failed starts are restarted; the third failure exceeds 3 */
    CHECK_EQ_STR(t_out, "error(restart limit exceeded: 3 restarts in 5 seconds) after 4 starts\n");
    CHECK_EQ_INT(count_lines_with(errbuf, "supervisor Retry: child a failed to start: a cannot start"), 3);
    CHECK_EQ_INT(count_lines_with(errbuf, "panic in"), 1); /* the worker's crash only */
}

/* ---- an exit signal from a linked process that is not a child ----------------------- */

DEFPROC(saboteur, 1) {
    proc_link(args[0].u);
    rt_panic("sabotage");
}

DEFPROC(main_foreign, 0) {
    uint64_t sup = sup_spawn(&one_sup);
    uint64_t ref = proc_monitor(sup);
    sleep_ms(1);
    uint64_t rk = proc_monitor(kid[0]);
    Value a = v_pid(sup);
    uint64_t sab = proc_spawn(FN(saboteur), 1, &a, NULL);
    char buf[256];
    await_down(rk, buf, sizeof buf);
    say("child: %s", buf);
    await_down(ref, buf, sizeof buf);
    say("supervisor: %s", buf);
    (void)sab;
    return v_unit();
}

TEST(foreign_exit_signal) {
    reset();
    one_child[0] = child(FN(start_a), SUP_PERMANENT);
    CHECK_EQ_INT(run_capturing_stderr(FN(main_foreign)), 0);
    CHECK_EQ_STR(t_out, "child: shutdown\nsupervisor: linked(error(sabotage))\n");
}

/* ---- temporary and transient children in a group restart ------------------------------ */

static SupChild group_children[3];
static SupDesc group_sup = {"Group", SUP_ONE_FOR_ALL, 5, 60, 3, group_children};

DEFPROC(main_group, 0) {
    sup_spawn(&group_sup);
    sleep_ms(1);
    proc_send(kid[1], v_int(2)); /* transient b ends normally: not restarted */
    sleep_ms(1);
    say("after b's normal exit: %s", start_log);
    start_log[0] = 0;
    proc_send(kid[2], v_int(1)); /* c crashes: a (temporary) is stopped for good, b comes back */
    sleep_ms(1);
    say("group restart started: %s", start_log);
    return v_unit();
}

TEST(group_restart_restart_types) {
    reset();
    group_children[0] = child(FN(start_a), SUP_TEMPORARY);
    group_children[1] = child(FN(start_b), SUP_TRANSIENT);
    group_children[2] = child(FN(start_c), SUP_PERMANENT);
    CHECK_EQ_INT(run_capturing_stderr(FN(main_group)), 0);
    CHECK_EQ_STR(t_out, "after b's normal exit: a b c\ngroup restart started: b c\n");
}

/* ---- events -------------------------------------------------------------------------------- */

static int n_restart_ev, n_start_ev;
static char restart_ev[512];
static void sup_ev(const Event *e, void *ud) {
    (void)ud;
    if (e->kind == EV_CHILD_START) n_start_ev++;
    if (e->kind != EV_RESTART) return;
    n_restart_ev++;
    char r[256];
    describe(e->val, r, sizeof r);
    snprintf(restart_ev, sizeof restart_ev, "%s %s count=%lld reason=%s old=%d", e->text, e->text2,
             (long long)e->num, r, e->other == kid[0]);
}

DEFPROC(main_events, 0) {
    ev_set_callback(sup_ev, NULL);
    sup_spawn(&one_sup);
    sleep_ms(1);
    crash_kid(0);
    ev_set_callback(NULL, NULL);
    return v_unit();
}

TEST(restart_events) {
    reset();
    one_child[0] = child(FN(start_a), SUP_PERMANENT);
    one_child[0].name = "a";
    kid[0] = 0;
    n_restart_ev = n_start_ev = 0;
    CHECK_EQ_INT(run_capturing_stderr(FN(main_events)), 0);
    CHECK_EQ_INT(n_restart_ev, 1);
    CHECK_EQ_INT(n_start_ev, 2);
    CHECK_EQ_STR(restart_ev, "a one_for_one count=1 reason=error(a crashed) old=1");
}

int main(void) {
    RUN(intensity_window);
    RUN(stop_order_and_timeouts);
    RUN(start_failure_at_startup);
    RUN(start_failure_during_restart_counts);
    RUN(foreign_exit_signal);
    RUN(group_restart_restart_types);
    RUN(restart_events);
    return harness_report();
}
