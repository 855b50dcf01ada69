/* test_services.c — services and jobs at the runtime level (service.h,
 * lib_job.c; concurrency.md §11–12): replies matched by reference with user
 * messages waiting, nothing left in the caller's mailbox after a call, calls
 * to dead and dying services, and for jobs: awaiting twice, the bounded
 * retention of awaited results, await_timeout discarding the late result,
 * awaiting another process's job, crash texts and Job.map's order. */
#include "lib_test.h"
#include "list.h"
#include "proc_testlib.h"
#include "service.h"

static void sleep_ms(int64_t ms) { timer_bi_sleep((Value[]){v_int(ms)}, 1); }

/* ---- a counter service: Get() call, Add(n) call, Boom() cast that crashes ---- */

DEFPROC(h_get, 1) { return val_tuple2(args[0], args[0]); }
DEFPROC(h_add, 2) {
    Value s = v_int(args[1].i + args[0].i);
    return val_tuple2(s, s);
}
DEFPROC(h_boom, 1) { rt_panic("boom at %lld", (long long)args[0].i); }
DEFPROC(h_slow_boom, 1) {
    sleep_ms(10);
    rt_panic("slow boom");
}

static const char *h_names[] = {"Get", "Add", "Boom", "SlowBoom"};
static Value h_fns[4];
static bool h_call[] = {true, true, false, true};
static uint32_t h_arity[] = {0, 1, 0, 0};
static ServiceDesc counter = {"Counter", 4, h_names, h_fns, h_call, h_arity};

static void init_counter(void) {
    h_fns[0] = FN(h_get);
    h_fns[1] = FN(h_add);
    h_fns[2] = FN(h_boom);
    h_fns[3] = FN(h_slow_boom);
}

static int64_t call_int(uint64_t svc, uint32_t h, int64_t arg) {
    Value a = v_int(arg);
    return svc_call(svc, &counter, h, h_arity[h], &a).i;
}

DEFPROC(client, 1) {
    uint64_t svc = args[0].u;
    uint64_t self = proc_self_pid();
    proc_send(self, v_int(100)); /* user messages waiting before the calls */
    proc_send(self, v_int(200));
    say("add 5 -> %lld", (long long)call_int(svc, 1, 5));
    say("get -> %lld", (long long)call_int(svc, 0, 0));
    svc_cast(svc, &counter, 2, 0, NULL); /* the service crashes after this */
    sleep_ms(1);
    say("mailbox: %zu entries", mbox_count(proc_mbox()));
    say("first %lld", (long long)recv_any().i);
    say("second %lld", (long long)recv_any().i);
    call_int(svc, 0, 0); /* dead service: panics */
    say("not reached");
    return v_unit();
}

DEFPROC(caller_of_dying, 1) {
    call_int(args[0].u, 3, 0);
    return v_unit();
}

DEFPROC(main_svc, 0) {
    uint64_t svc = svc_start(&counter, v_int(10));
    Value a = v_pid(svc);
    uint64_t c = proc_spawn(FN(client), 1, &a, NULL);
    uint64_t r = proc_monitor(c);
    Value d = recv_signal();
    char buf[256];
    describe(AS_VARIANT(d)->fields[2], buf, sizeof buf);
    say("client: %s (ref ok %d)", buf, AS_VARIANT(d)->fields[0].u == r);
    /* a service that dies while handling the call */
    uint64_t svc2 = svc_start(&counter, v_int(0));
    a = v_pid(svc2);
    c = proc_spawn(FN(caller_of_dying), 1, &a, NULL);
    proc_monitor(c);
    d = recv_signal();
    describe(AS_VARIANT(d)->fields[2], buf, sizeof buf);
    say("caller of a dying service: %s", buf);
    return v_unit();
}

TEST(service_calls) {
    init_counter();
    CHECK_EQ_INT(t_run(FN(main_svc)), 0);
    CHECK_EQ_STR(t_out, "add 5 -> 15\nget -> 15\nmailbox: 2 entries\nfirst 100\nsecond 200\n"
                        "client: error(service call failed: NoProc) (ref ok 1)\n"
                        "caller of a dying service: error(service call failed: Error(slow boom))\n");
}

/* ---- jobs ---------------------------------------------------------------------------- */

static Value await1(uint64_t job) { return lib_fn("Job", "await")((Value[]){v_pid(job)}, 1); }
static Value await_t(uint64_t job, int64_t ms) { return lib_fn("Job", "await_timeout")((Value[]){v_pid(job), v_int(ms)}, 2); }
static uint64_t async1(Value f) { return lib_fn("Job", "async")(&f, 1).u; }

/* Describe a Result<Int, String>. */
static void show(const char *what, Value r) {
    Value p = AS_VARIANT(r)->fields[0];
    if (r.aux == RES_OK) say("%s: Ok(%lld)", what, (long long)p.i);
    else say("%s: Err(%.*s)", what, (int)str_len(p), str_data(p));
}

static int64_t job_counter;
DEFPROC(j_next, 0) { return v_int(++job_counter); }
DEFPROC(j_crash, 0) { rt_panic("job went wrong"); }
DEFPROC(j_slow, 0) {
    sleep_ms(100);
    say("slow job done");
    return v_int(7);
}
DEFPROC(j_wait_kill, 0) {
    recv_any();
    return v_int(0);
}
DEFPROC(j_div, 1) {
    if (args[0].i == 0) rt_panic("division by zero");
    return v_int(60 / args[0].i);
}

static Value shared_job;
DEFPROC(stranger, 0) {
    show("stranger awaits", await1(shared_job.u));
    return v_unit();
}

DEFPROC(main_jobs, 0) {
    /* awaiting twice, also a crash */
    uint64_t a = async1(FN(j_next));
    uint64_t c = async1(FN(j_crash));
    show("a", await1(a));
    show("c", await1(c));
    show("a again", await1(a));
    show("c again", await1(c));
    /* a killed job */
    uint64_t k = async1(FN(j_wait_kill));
    proc_exit_pid(k, proc_reason(XR_KILLED));
    show("killed", await1(k));
    /* retention: only the 16 most recently awaited outcomes are kept */
    uint64_t first = async1(FN(j_next));
    await1(first);
    uint64_t last = 0;
    for (int i = 0; i < 16; i++) await1(last = async1(FN(j_next)));
    show("evicted", await1(first));
    show("recent", await1(last));
    /* await_timeout: Err(timeout), the job runs on, its result never arrives */
    uint64_t s = async1(FN(j_slow));
    show("timeout", await_t(s, 20));
    sleep_ms(200);
    say("mailbox after the slow job: %zu kept entries", mbox_count(proc_mbox()));
    /* a job awaited by a process that did not start it */
    shared_job = v_pid(async1(FN(j_next)));
    proc_spawn(FN(stranger), 0, NULL, NULL);
    sleep_ms(1);
    show("owner awaits", await1(shared_job.u));
    /* Job.map: input order, failures in place, nothing left behind */
    Value xs[4] = {v_int(3), v_int(0), v_int(6), v_int(1)};
    Value rs = lib_fn("Job", "map")((Value[]){list_from_array(xs, 4), FN(j_div)}, 2);
    for (size_t i = 0; i < list_len(rs); i++) show("map", list_get(rs, i));
    Value none = lib_fn("Job", "map")((Value[]){list_empty(), FN(j_div)}, 2);
    say("map of []: %zu", list_len(none));
    return v_unit();
}

TEST(jobs) {
    job_counter = 0;
    fflush(stderr);
    CHECK_EQ_INT(t_run(FN(main_jobs)), 0);
    CHECK_EQ_STR(t_out, "a: Ok(1)\nc: Err(job went wrong)\na again: Ok(1)\nc again: Err(job went wrong)\n"
                        "killed: Err(killed)\n"
                        "evicted: Err(job result not available)\nrecent: Ok(18)\n"
                        "timeout: Err(timeout)\nslow job done\n"
                        "mailbox after the slow job: 16 kept entries\n"
                        "stranger awaits: Err(job result not available)\nowner awaits: Ok(19)\n"
                        "map: Ok(20)\nmap: Err(division by zero)\nmap: Ok(10)\nmap: Ok(60)\n"
                        "map of []: 0\n");
}

int main(void) {
    RUN(service_calls);
    RUN(jobs);
    return harness_report();
}
