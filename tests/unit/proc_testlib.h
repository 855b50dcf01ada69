/* proc_testlib.h — helpers for the process-runtime unit tests: processes
 * whose bodies are C builtins (FuncInfo.cfn, applied by a test rt_apply
 * hook), a C version of the interpreter's receive loop, an output log that
 * stands in for stdout, and an event recorder. */
#ifndef SNOW_PROC_TESTLIB_H
#define SNOW_PROC_TESTLIB_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "harness.h"
#include "mbox.h"
#include "proc.h"
#include "registry.h"
#include "rt.h"
#include "sched.h"
#include "str.h"
#include "timer.h"
#include "vals.h"

static Value t_apply(Value fn, int argc, Value *argv) {
    return AS_FUNC(fn)->fn->cfn(argv, argc);
}

#define DEFPROC(name, arity)                                                 \
    static Value name(Value *args, int nargs);                              \
    static FuncInfo fi_##name = {#name, arity, name, NULL};                 \
    static Value name(Value *args, int nargs)

/* One static function object per FuncInfo (cached in its `code` slot). */
static inline Value fn_value(FuncInfo *fi) {
    if (!fi->code) fi->code = val_func_static(fi).o;
    return v_obj(T_FUNC, fi->code);
}
#define FN(name) fn_value(&fi_##name)

/* ---- output log (stands in for stdout) ---- */
static char t_out[1 << 16];
static size_t t_outlen;
__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t_out + t_outlen, sizeof t_out - t_outlen, fmt, ap);
    va_end(ap);
    if (n > 0) t_outlen += (size_t)n;
    if (t_outlen < sizeof t_out - 1) t_out[t_outlen++] = '\n';
    t_out[t_outlen] = 0;
}

/* ---- runs ---- */
static void t_ev_cb(const Event *e, void *ud);
static bool t_record;
static int t_run_cfg(Value main_fn, uint64_t seed, bool vt) {
    t_outlen = 0;
    t_out[0] = 0;
    rt_apply_hook = t_apply;
    RtConfig cfg = {.seed = seed, .virtual_time = vt};
    if (!rt_init(&cfg)) return -1;
    if (t_record) ev_set_callback(t_ev_cb, NULL);
    int st = rt_run_main(main_fn);
    rt_shutdown();
    return st;
}
static int t_run(Value main_fn) { return t_run_cfg(main_fn, 0, true); }

/* ---- the interpreter's receive loop, in C ---- */
typedef bool (*MatchFn)(Value v, void *ud);

__attribute__((unused)) static bool recv_sel(uint32_t kind, MatchFn m, void *ud, int64_t timeout, Value *out) {
    RecvWait w;
    proc_recv_begin(&w, timeout);
    Mbox *mb = proc_mbox();
    MboxEntry *last = NULL;
    for (;;) {
        for (MboxEntry *e = last ? mbox_next(mb, last) : mbox_first(mb); e; last = e, e = mbox_next(mb, e)) {
            if (mbox_kind(e) == kind && (!m || m(mbox_value(e), ud))) {
                Value v = mbox_take(mb, e);
                proc_recv_end(&w);
                if (EV_ON()) ev_val(EV_RECEIVE, proc_self_pid(), EV_NOPID, v, 0);
                if (out) *out = v;
                return true;
            }
        }
        if (!proc_recv_wait(&w)) {
            proc_recv_end(&w);
            if (EV_ON()) ev_full(EV_RECEIVE, proc_self_pid(), EV_NOPID, 0, -1, NULL, NULL);
            return false;
        }
    }
}
__attribute__((unused)) static Value recv_any(void) {
    Value v = v_unit();
    recv_sel(MB_USER, NULL, NULL, -1, &v);
    return v;
}
__attribute__((unused)) static Value recv_signal(void) {
    Value v = v_unit();
    recv_sel(MB_SIGNAL, NULL, NULL, -1, &v);
    return v;
}
__attribute__((unused)) static bool match_int(Value v, void *ud) { return v.tag == T_INT && v.i == *(int64_t *)ud; }

/* Describe an ExitReason like the conformance cases' `describe`. */
__attribute__((unused)) static void describe(Value r, char *buf, size_t cap) {
    if (r.tag != T_VARIANT) { snprintf(buf, cap, "?"); return; }
    VariantObj *o = AS_VARIANT(r);
    switch (o->idx) {
    case XR_NORMAL: snprintf(buf, cap, "normal"); break;
    case XR_SHUTDOWN: snprintf(buf, cap, "shutdown"); break;
    case XR_KILLED: snprintf(buf, cap, "killed"); break;
    case XR_NOPROC: snprintf(buf, cap, "noproc"); break;
    case XR_ERROR: snprintf(buf, cap, "error(%.*s)", (int)str_len(o->fields[0]), str_data(o->fields[0])); break;
    case XR_LINKED: {
        char inner[200];
        describe(o->fields[1], inner, sizeof inner);
        snprintf(buf, cap, "linked(%.200s)", inner);
        break;
    }
    default: snprintf(buf, cap, "other"); break;
    }
}

/* Burn n reductions the way the evaluator does (one per call). */
__attribute__((unused)) static void burn(long n) {
    ProcHot *h = proc_self_hot();
    for (long i = 0; i < n; i++) proc_charge(h);
}

__attribute__((unused)) static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

__attribute__((unused)) static long rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
    fclose(f);
    return kb;
}

/* ---- event recorder ---- */
static char *t_ev;
static size_t t_evlen, t_evcap;
static void t_ev_cb(const Event *e, void *ud) {
    (void)ud;
    char line[512];
    char v[256] = "";
    if (e->has_val) ev_fmt_hook(e->val, v, sizeof v);
    int n = snprintf(line, sizeof line, "%llu %lld %d %llu %llu %llu %lld %s %s\n",
                     (unsigned long long)e->step, (long long)e->time, (int)e->kind,
                     (unsigned long long)e->pid, (unsigned long long)e->other,
                     (unsigned long long)e->ref, (long long)e->num, e->text ? e->text : "-", v);
    if (e->io && n > 0 && (size_t)n < sizeof line) { /* io / input: the journal's contents too */
        n--; /* over the newline */
        n += snprintf(line + n, sizeof line - (size_t)n, " op=%s fd=%d rev=%d res=%lld at=%llu/%llu data=%.*s\n",
                      e->io->op ? e->io->op : "-", e->io->fd, e->io->revents, (long long)e->io->res,
                      (unsigned long long)e->io->at, (unsigned long long)e->io->epoch,
                      (int)(e->io->len < 64 ? e->io->len : 64), e->io->data ? (const char *)e->io->data : "");
        if ((size_t)n >= sizeof line) n = (int)sizeof line - 1;
    }
    if (t_evlen + (size_t)n + 1 > t_evcap) {
        t_evcap = (t_evcap + (size_t)n + 1) * 2;
        t_ev = realloc(t_ev, t_evcap);
    }
    memcpy(t_ev + t_evlen, line, (size_t)n + 1);
    t_evlen += (size_t)n;
}
__attribute__((unused)) static void t_ev_start(void) {
    t_evlen = 0;
    if (t_ev) t_ev[0] = 0;
}
#endif
