/* lib_job.c — the Job rows of the library table (concurrency.md §12):
 * Job.async, Job.await, Job.await_timeout, Job.map.
 *
 * A job is a process; its pid is the handle.  Its owner (the process that
 * called Job.async) monitors it under MB_JOB_DOWN from before it can run
 * (the spawn sits in a paused-spawn scope), and the job sends its value to
 * the owner as MB_JOB_RESULT (job, value) just before it exits.  Both kinds
 * are invisible to user `receive`, and results are matched by the job's pid,
 * never "the next message".  Outcomes:
 *   RESULT(job, v) (followed by Down(Normal))   -> Ok(v)
 *   Down(job, reason) with no RESULT            -> Err(text of reason)
 *
 * Memory policy (where finished results live):
 *  - An outcome stays in its owner's mailbox until awaited (like a message
 *    nobody received yet; a job that is never awaited keeps its result until
 *    the owner exits, as on the BEAM).
 *  - Awaiting takes it and re-files it as MB_JOB_KEPT so a second await
 *    returns the same result; only the JOB_KEEP most recently awaited
 *    outcomes are kept per process (the oldest is dropped), so a long-lived
 *    process awaiting job after job does not accumulate results.  Awaiting a
 *    job whose outcome was dropped, or a job of another process, gives
 *    Err("job result not available") (or the job's crash text).
 *  - When Job.await_timeout gives up, the job is told (MB_JOB_CANCEL) and
 *    discards its value instead of sending it, the owner's monitor is
 *    removed, and anything of the job already queued is taken: the late
 *    result never reaches the owner.  (Under --threads one window remains:
 *    a job that checked for the cancel just before it arrived may still
 *    send its value after the owner cleaned up; that one entry then stays
 *    in the owner's mailbox, unseen, until the owner exits.)
 *  - Job.map's jobs are private to the call: their outcomes are taken, not
 *    kept.
 */
#include <string.h>

#include "blocked.h"
#include "gc.h"
#include "lib_util.h"
#include "list.h"
#include "mbox.h"
#include "proc.h"
#include "rt.h"
#include "stdlib_table.h"
#include "str.h"
#include "sysmsg.h"
#include "vals.h"

enum { JOB_KEEP = 16 };

/* ---- the job process ------------------------------------------------------------- */

static bool is_cancel(const MboxEntry *e, void *ud) {
    (void)ud;
    return mbox_kind(e) == MB_JOB_CANCEL;
}

static void job_finish(uint64_t owner, Value v) {
    if (sysmsg_find(is_cancel, NULL)) return; /* the owner stopped waiting */
    proc_send_kind(owner, MB_JOB_RESULT, val_tuple2(v_pid(proc_self_pid()), v));
}

/* args = (f, owner) */
static Value job_body(Value *args, int nargs) {
    (void)nargs;
    job_finish(args[1].u, rt_apply(args[0], 0, NULL));
    return v_unit();
}
/* args = (f, owner, x): one element of Job.map */
static Value job_map_body(Value *args, int nargs) {
    (void)nargs;
    job_finish(args[1].u, rt_apply(args[0], 1, &args[2]));
    return v_unit();
}

SYSMSG_BODY(job_body_fn, "job", job_body, 2);
SYSMSG_BODY(job_map_body_fn, "job", job_map_body, 3);

/* Spawn a job watched by the running process (monitored before it runs). */
static uint64_t job_spawn(FuncObj *body, int argc, Value *argv) {
    SpawnOpts o = {.name = "job", .terminate = v_unit(), .link = false};
    uint32_t scope = proc_pause_begin();
    uint64_t pid = proc_spawn(v_obj(T_FUNC, body), argc, argv, &o);
    proc_monitor_kind(pid, MB_JOB_DOWN);
    proc_pause_end(scope);
    return pid;
}

/* ---- outcomes ---------------------------------------------------------------------- */

/* The job pid an entry is about (0 if it is not a job entry). */
static uint64_t entry_job(const MboxEntry *e) {
    switch (mbox_kind(e)) {
    case MB_JOB_RESULT:
    case MB_JOB_KEPT: return AS_TUPLE(mbox_value(e))->items[0].u;
    case MB_JOB_DOWN: return AS_VARIANT(mbox_value(e))->fields[1].u; /* Down(ref, pid, reason) */
    default: return 0;
    }
}

static bool about_job(const MboxEntry *e, void *ud) { return entry_job(e) == *(const uint64_t *)ud; }
static bool down_of_job(const MboxEntry *e, void *ud) {
    return mbox_kind(e) == MB_JOB_DOWN && entry_job(e) == *(const uint64_t *)ud;
}
static bool result_of_job(const MboxEntry *e, void *ud) {
    return mbox_kind(e) == MB_JOB_RESULT && entry_job(e) == *(const uint64_t *)ud;
}

/* §12: the Err text of a job that ended without a value. */
static Value crash_text(Value reason) {
    const char *t;
    switch (reason.tag == T_VARIANT ? (int)reason.aux : -1) {
    case XR_ERROR: return AS_VARIANT(reason)->fields[0];
    case XR_KILLED: t = "killed"; break;
    case XR_SHUTDOWN: t = "shutdown"; break;
    case XR_NORMAL: case XR_NOPROC: t = "job result not available"; break;
    default: t = "job crashed"; break;
    }
    return str_from_cstr(t);
}

/* Take the job's Down (it follows its result), waiting if it is still on
 * its way: after this nothing of the job is left in the mailbox. */
static void take_down(uint64_t job) {
    uint64_t ref = proc_monitor_ref(job, MB_JOB_DOWN);
    if (ref && proc_demonitor(ref)) return; /* still exiting: no Down will come */
    MboxEntry *e;
    blocked_on(BW_JOB, job, NULL, NULL);
    while (!(e = sysmsg_wait(down_of_job, &job, -1))) {
    }
    sysmsg_take(e);
}

/* Turn the outcome entry e of `job` into a Result, taking it (and the Down
 * that follows a value) out of the mailbox. */
static Value take_outcome(MboxEntry *e, uint64_t job) {
    uint32_t kind = mbox_kind(e);
    Value v = sysmsg_take(e);
    if (kind == MB_JOB_RESULT) {
        take_down(job);
        return val_ok(AS_TUPLE(v)->items[1]);
    }
    return val_err(crash_text(sysmsg_reason(v)));
}

/* File an awaited outcome for a later await; drop the oldest beyond JOB_KEEP. */
static void keep_outcome(uint64_t job, Value result) {
    Mbox *m = proc_mbox();
    mbox_push(m, mbox_entry_new(MB_JOB_KEPT, proc_self_pid(), val_tuple2(v_pid(job), result)));
    size_t kept = 0;
    for (MboxEntry *e = mbox_first(m); e; e = mbox_next(m, e)) kept += mbox_kind(e) == MB_JOB_KEPT;
    for (MboxEntry *e = mbox_first(m), *next; e && kept > JOB_KEEP; e = next) {
        next = mbox_next(m, e);
        if (mbox_kind(e) != MB_JOB_KEPT) continue;
        sysmsg_take(e);
        kept--;
    }
}

/* The outcome of `job` for Job.await (timeout_ms < 0) / await_timeout:
 * false if the timeout passed first (the job is then abandoned). */
static bool await_job(uint64_t job, int64_t timeout_ms, Value *out) {
    MboxEntry *e = sysmsg_find(about_job, &job);
    if (e && mbox_kind(e) == MB_JOB_KEPT) {
        *out = val_copy_into_current(AS_TUPLE(mbox_value(e))->items[1]);
        return true;
    }
    /* not our job, or its outcome was dropped: watch it to learn its end */
    if (!e && !proc_monitor_ref(job, MB_JOB_DOWN)) proc_monitor_kind(job, MB_JOB_DOWN);
    if (!e) {
        blocked_on(BW_JOB, job, NULL, NULL);
        e = sysmsg_wait(about_job, &job, timeout_ms);
    }
    if (!e) {
        /* give up: the job discards its value; whatever it already queued goes */
        proc_send_kind(job, MB_JOB_CANCEL, v_unit());
        take_down(job);
        while ((e = sysmsg_find(result_of_job, &job))) sysmsg_take(e);
        return false;
    }
    *out = take_outcome(e, job);
    keep_outcome(job, *out);
    return true;
}

/* ---- the library rows ------------------------------------------------------------- */

static Value bi_job_async(Value *args, int nargs) {
    (void)nargs;
    lib_need(args[0], T_FUNC, "Job.async", 1);
    Value a[2] = {args[0], v_pid(proc_self_pid())};
    return v_pid(job_spawn(&job_body_fn, 2, a));
}

static Value bi_job_await(Value *args, int nargs) {
    (void)nargs;
    lib_need(args[0], T_PID, "Job.await", 1);
    Value r;
    await_job(args[0].u, -1, &r);
    return r;
}

static Value bi_job_await_timeout(Value *args, int nargs) {
    (void)nargs;
    lib_need(args[0], T_PID, "Job.await_timeout", 1);
    lib_need(args[1], T_INT, "Job.await_timeout", 2);
    Value r;
    if (!await_job(args[0].u, args[1].i < 0 ? 0 : args[1].i, &r)) return val_err_cstr("timeout");
    return r;
}

/* Job.map: the jobs' pids ascend in spawn order (serials only grow), so an
 * entry is matched to its element by binary search. */
typedef struct MapWait {
    const uint64_t *pids;
    const Value *results; /* T_UNIT until the element's value or crash is known */
    uint32_t n;
} MapWait;

static int map_index(const MapWait *w, uint64_t pid) {
    uint32_t lo = 0, hi = w->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (w->pids[mid] < pid) lo = mid + 1;
        else hi = mid;
    }
    return lo < w->n && w->pids[lo] == pid ? (int)lo : -1;
}

static bool map_entry(const MboxEntry *e, void *ud) {
    uint32_t k = mbox_kind(e);
    return (k == MB_JOB_RESULT || k == MB_JOB_DOWN) && map_index(ud, entry_job(e)) >= 0;
}

static Value bi_job_map(Value *args, int nargs) {
    (void)nargs;
    lib_need(args[0], T_LIST, "Job.map", 1);
    lib_need(args[1], T_FUNC, "Job.map", 2);
    Value xs = args[0];
    uint32_t n = (uint32_t)list_len(xs);
    if (n == 0) return list_empty();
    /* results in a tuple (traced by the collector), pids in raw heap memory */
    TupleObj *res = gc_alloc(sizeof(TupleObj) + n * sizeof(Value), OK_TUPLE); /* all () */
    res->n = n;
    Value *results = res->items;
    Obj *raw = gc_alloc(sizeof(Obj) + n * sizeof(uint64_t), OK_RAW);
    uint64_t *pids = (uint64_t *)(raw + 1);
    Value a[3] = {args[1], v_pid(proc_self_pid()), v_unit()};
    for (uint32_t i = 0; i < n; i++) {
        a[2] = list_get(xs, i);
        pids[i] = job_spawn(&job_map_body_fn, 3, a);
    }
    MapWait w = {pids, results, n};
    for (uint32_t pending = n; pending;) { /* one Down per job ends it */
        blocked_on(BW_JOBS, 0, NULL, NULL);
        MboxEntry *e = sysmsg_wait(map_entry, &w, -1);
        if (!e) continue;
        uint32_t kind = mbox_kind(e);
        uint32_t i = (uint32_t)map_index(&w, entry_job(e));
        Value v = sysmsg_take(e);
        if (kind == MB_JOB_RESULT) {
            results[i] = val_ok(AS_TUPLE(v)->items[1]);
            continue;
        }
        if (results[i].tag == T_UNIT) results[i] = val_err(crash_text(sysmsg_reason(v)));
        pending--;
    }
    ListBuilder b;
    lb_init(&b, n);
    for (uint32_t i = 0; i < n; i++) lb_push(&b, results[i]);
    return lb_finish(&b);
}

/* ---- rows of the library table (stdlib_table.h) ---------------------------- */

static const StdFn job_lib[] = {
    {"Job", "async", "Fun(Fun() -> T) -> Pid<T>", bi_job_async, 1, 0, "run a function in a new process"},
    {"Job", "await", "Fun(Pid<T>) -> Result<T, String>", bi_job_await, 1, SF_BLOCKS, "wait for a job's result"},
    {"Job", "await_timeout", "Fun(Pid<T>, Int) -> Result<T, String>", bi_job_await_timeout, 2, SF_BLOCKS, "wait at most ms milliseconds for a job's result"},
    {"Job", "map", "Fun(List<A>, Fun(A) -> B) -> List<Result<B, String>>", bi_job_map, 2, SF_BLOCKS, "run a function on every element concurrently; results in input order"},
};
STDLIB_REGISTER(job_lib)
