/* supervisor.c — `supervisor` blocks at run time (concurrency.md §10,
 * decisions 18, 20, 24; supervisor.h).  A supervisor is a process whose
 * body is C: it traps exits, starts its children, and then waits for
 * `Exit(pid, reason)` signals, restarting children per restart type and
 * strategy within the restart intensity.
 *
 * Invariants:
 *  - kids[i].pid is the running pid of child i, or 0.  A running child is
 *    linked to the supervisor; its exit arrives as an Exit signal, which the
 *    main loop (or stop_child, for a child being stopped) consumes.
 *  - A start closure runs inside the supervisor under a paused-spawn scope;
 *    the returned pid is linked before the scope ends, so nothing the
 *    closure spawned runs before the link exists (decision 20).
 *  - Children are stopped one at a time in reverse start order, each waited
 *    for (monitor under MB_SUP_DOWN) or killed after its `shutdown` ms; the
 *    supervisor unlinks a child before stopping it, and afterwards takes any
 *    Exit the child sent before the unlink, so a stopped child leaves
 *    nothing behind in the mailbox.
 *  - The restart times of the current intensity window are kept in a ring
 *    of max_restarts entries on the scheduler clock (decision 24).
 *  - All bookkeeping lives on the supervisor's stack and heap: a supervisor
 *    that is killed or discarded at quiescence leaks nothing.
 */
#include "blocked.h"
#include "supervisor.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "gc.h"
#include "mbox.h"
#include "proc.h"
#include "rt.h"
#include "sched.h"
#include "str.h"
#include "sysmsg.h"
#include "vals.h"

typedef struct Kid {
    uint64_t pid; /* running child, 0 if none */
    bool gone;    /* temporary child that exited: removed from the list */
} Kid;

typedef struct Sup {
    const SupDesc *d;
    uint64_t self;
    Kid *kids;       /* d->nchildren, in the supervisor's heap */
    int64_t *stamps; /* ring of restart times (ms), oldest at head */
    uint32_t cap, head, nstamps;
} Sup;

static const char *strategy_name(int s) {
    switch (s) {
    case SUP_ONE_FOR_ALL: return "one_for_all";
    case SUP_REST_FOR_ONE: return "rest_for_one";
    case SUP_SIMPLE_ONE_FOR_ONE: return "simple_one_for_one";
    default: return "one_for_one";
    }
}

static int reason_kind(Value r) { return r.tag == T_VARIANT ? (int)r.aux : -1; }

/* Raw (pointer-free) storage in the supervisor's own heap, kept alive by the
 * pointer in the Sup on this stack and freed with the heap. */
static void *heap_raw(size_t bytes) {
    Obj *o = gc_alloc(sizeof(Obj) + bytes, OK_RAW);
    return o + 1;
}

/* ---- events ------------------------------------------------------------------ */

static void ev_child_start(const Sup *s, uint32_t i) {
    if (EV_ON()) ev_full(EV_CHILD_START, s->self, s->kids[i].pid, 0, 0, s->d->children[i].name, NULL);
}

static void ev_restart(const Sup *s, uint32_t i, uint64_t old, Value reason, uint32_t count) {
    if (!EV_ON()) return;
    Event e = {.kind = EV_RESTART, .pid = s->self, .other = old ? old : EV_NOPID,
               .num = count, .text = s->d->children[i].name,
               .text2 = strategy_name(s->d->strategy), .has_val = true, .val = reason};
    ev_emit(&e);
}

/* ---- starting and stopping children --------------------------------------------- */

typedef struct StartCall {
    Value fn;
    Value result;
} StartCall;

static void run_start(void *ud) {
    StartCall *c = ud;
    c->result = rt_apply(c->fn, 0, NULL);
}

/* Start child i.  On failure (the closure panicked or returned no Pid) the
 * one stderr line of decision 24 is written, *why gets Error(message) and
 * false is returned. */
static bool start_child(Sup *s, uint32_t i, Value *why) {
    const SupChild *c = &s->d->children[i];
    StartCall call = {c->start, v_unit()};
    char msg[1024];
    uint32_t scope = proc_pause_begin();
    bool ok = proc_catch(run_start, &call, msg, sizeof msg);
    if (ok && call.result.tag != T_PID) {
        ok = false;
        snprintf(msg, sizeof msg, "start function did not return a Pid");
    }
    if (ok) {
        s->kids[i].pid = call.result.u;
        proc_link(call.result.u); /* before anything it spawned can run */
        ev_child_start(s, i);     /* and before the child can be seen exiting */
    }
    proc_pause_end(scope);
    if (ok) return true;
    fflush(stdout);
    fprintf(stderr, "supervisor %s: child %s failed to start: %s\n", s->d->name, c->name, msg);
    fflush(stderr);
    *why = proc_reason_error(msg, strlen(msg));
    return false;
}

static bool down_of(const MboxEntry *e, void *ud) {
    return sysmsg_is_down(e, MB_SUP_DOWN, *(const uint64_t *)ud);
}
static bool exit_of(const MboxEntry *e, void *ud) {
    return sysmsg_is_exit(e, *(const uint64_t *)ud);
}

/* Stop child i (if running) and wait until it has exited (§10.2.5). */
static void stop_child(Sup *s, uint32_t i) {
    uint64_t pid = s->kids[i].pid;
    if (!pid) return;
    const SupChild *c = &s->d->children[i];
    s->kids[i].pid = 0;
    if (c->restart == SUP_TEMPORARY) s->kids[i].gone = true; /* stopped temporaries never come back */
    proc_unlink(pid);
    uint64_t ref = proc_monitor_kind(pid, MB_SUP_DOWN);
    proc_exit_pid(pid, proc_reason(c->brutal_kill ? XR_KILLED : XR_SHUTDOWN));
    blocked_on(BW_CHILD_EXIT, pid, NULL, NULL);
    MboxEntry *e = sysmsg_wait(down_of, &ref, c->brutal_kill ? -1 : c->shutdown_ms);
    if (!e) {
        proc_exit_pid(pid, proc_reason(XR_KILLED));
        blocked_on(BW_CHILD_EXIT, pid, NULL, NULL);
        while (!(e = sysmsg_wait(down_of, &ref, -1))) {
        }
    }
    sysmsg_take(e);
    while ((e = sysmsg_find(exit_of, &pid))) sysmsg_take(e);
}

static void stop_all(Sup *s) {
    for (uint32_t i = s->d->nchildren; i-- > 0;) stop_child(s, i);
}

/* Leave with `reason` (the supervisor must stop trapping to die of it). */
static _Noreturn void exit_self(Value reason) {
    proc_trap_exit(false);
    proc_exit_pid(proc_self_pid(), reason);
    rt_fatal("supervisor survived its own exit");
}

/* ---- restarts ------------------------------------------------------------------ */

/* The intensity check of §10.2.3: drop restart times older than the window;
 * if max_restarts remain the limit is exceeded, else record `now`. */
static bool intensity_allows(Sup *s, int64_t now, uint32_t *count) {
    int64_t window = (int64_t)s->d->max_seconds * 1000;
    while (s->nstamps && now - s->stamps[s->head] > window) {
        s->head = (s->head + 1) % s->cap;
        s->nstamps--;
    }
    int64_t max = s->d->max_restarts < 0 ? 0 : s->d->max_restarts;
    if ((int64_t)s->nstamps >= max) return false;
    s->stamps[(s->head + s->nstamps) % s->cap] = now;
    *count = ++s->nstamps;
    return true;
}

static _Noreturn void give_up(Sup *s) {
    stop_all(s);
    char msg[128];
    snprintf(msg, sizeof msg, "restart limit exceeded: %d restarts in %d seconds", s->d->max_restarts,
             s->d->max_seconds);
    exit_self(proc_reason_error(msg, strlen(msg)));
}

/* Start children from..n-1 that are still in the list; returns the index of
 * the first that failed to start (with *why), or -1. */
static int start_from(Sup *s, uint32_t from, Value *why) {
    for (uint32_t j = from; j < s->d->nchildren; j++)
        if (!s->kids[j].gone && !s->kids[j].pid && !start_child(s, j, why)) return (int)j;
    return -1;
}

/* Child i exited (pid `old`, `reason`) and must be restarted: apply the
 * strategy.  A start that fails counts as that child's failure and goes
 * round again (decision 24), each round checked against the intensity. */
static void restart(Sup *s, uint32_t i, uint64_t old, Value reason) {
    uint32_t n = s->d->nchildren;
    for (;;) {
        uint32_t count;
        if (!intensity_allows(s, sched_now(), &count)) give_up(s);
        ev_restart(s, i, old, reason, count);
        int failed;
        switch (s->d->strategy) {
        case SUP_ONE_FOR_ALL:
            for (uint32_t j = n; j-- > 0;)
                if (j != i) stop_child(s, j);
            failed = start_from(s, 0, &reason);
            break;
        case SUP_REST_FOR_ONE:
            for (uint32_t j = n; j-- > i + 1;) stop_child(s, j);
            failed = start_from(s, i, &reason);
            break;
        default: /* one_for_one, simple_one_for_one */
            failed = start_child(s, i, &reason) ? -1 : (int)i;
            break;
        }
        if (failed < 0) return;
        i = (uint32_t)failed;
        old = 0;
    }
}

static void child_exited(Sup *s, uint32_t i, Value reason) {
    uint64_t old = s->kids[i].pid;
    s->kids[i].pid = 0;
    int restart_type = s->d->children[i].restart;
    int xr = reason_kind(reason);
    if (restart_type == SUP_TEMPORARY) {
        s->kids[i].gone = true;
        return;
    }
    if (restart_type == SUP_TRANSIENT && (xr == XR_NORMAL || xr == XR_SHUTDOWN)) return;
    restart(s, i, old, reason);
}

/* An exit signal from a process that is not a child: act as a process that
 * does not trap exits would (decision 18) — ignore Normal, otherwise stop
 * the children and die.  A signal from a linked process that has died
 * becomes Linked(pid, R) (Shutdown stays Shutdown); Process.exit(sup, R)
 * from a live process is R itself. */
static void foreign_exit(Sup *s, uint64_t from, Value reason) {
    int xr = reason_kind(reason);
    if (xr == XR_NORMAL) return;
    stop_all(s);
    if (xr != XR_SHUTDOWN && !proc_is_alive(from)) reason = proc_reason_linked(from, reason);
    exit_self(reason);
}

static int child_index(const Sup *s, uint64_t pid) {
    for (uint32_t i = 0; i < s->d->nchildren; i++)
        if (s->kids[i].pid == pid) return (int)i;
    return -1;
}

static bool any_entry(const MboxEntry *e, void *ud) {
    (void)e, (void)ud;
    return true;
}

static _Noreturn void supervise(Sup *s) {
    for (;;) {
        blocked_on(BW_SUPERVISE, 0, NULL, NULL);
        MboxEntry *e = sysmsg_wait(any_entry, NULL, -1);
        if (!e) continue;
        uint32_t kind = mbox_kind(e);
        Value m = sysmsg_take(e);
        /* only exit signals mean something to a supervisor; the rest is dropped */
        if (kind != MB_SIGNAL || AS_VARIANT(m)->idx != SIG_EXIT) continue;
        uint64_t from = AS_VARIANT(m)->fields[0].u;
        Value reason = AS_VARIANT(m)->fields[1];
        int i = child_index(s, from);
        if (i >= 0) child_exited(s, (uint32_t)i, reason);
        else foreign_exit(s, from, reason);
    }
}

/* The supervisor process: args = (SupDesc pointer as Int). */
static Value sup_body(Value *args, int nargs) {
    (void)nargs;
    Sup s = {.d = (const SupDesc *)(uintptr_t)args[0].i, .self = proc_self_pid()};
    uint32_t n = s.d->nchildren;
    s.kids = heap_raw((n ? n : 1) * sizeof *s.kids);
    s.cap = s.d->max_restarts > 0 ? (uint32_t)s.d->max_restarts : 1;
    s.stamps = heap_raw(s.cap * sizeof *s.stamps);
    proc_trap_exit(true);
    for (uint32_t i = 0; i < n; i++) {
        Value why;
        if (start_child(&s, i, &why)) continue;
        /* §10.2.1: stop what was started, then fail with the child's reason */
        stop_all(&s);
        Value text = AS_VARIANT(why)->fields[0]; /* Error(message) */
        char msg[1200];
        snprintf(msg, sizeof msg, "child '%s' failed to start: %.*s", s.d->children[i].name,
                 (int)str_len(text), str_data(text));
        exit_self(proc_reason_error(msg, strlen(msg)));
    }
    supervise(&s);
}

SYSMSG_BODY(sup_body_fn, "supervisor", sup_body, 1);

uint64_t sup_spawn(const SupDesc *sd) {
    Value arg = v_int((int64_t)(uintptr_t)sd);
    SpawnOpts o = {.name = sd->name, .terminate = v_unit(), .link = false};
    return proc_spawn(SYSMSG_FN(sup_body_fn), 1, &arg, &o);
}
