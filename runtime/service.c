/* service.c — `service` blocks at run time (concurrency.md §11, service.h).
 *
 * Protocol (mailbox kinds from mbox.h, invisible to user `receive`):
 *   caller -> service  MB_SVC_REQUEST  (handler, caller, ref, args...)
 *                                      caller/ref are () / 0 for a cast
 *   service -> caller  MB_SVC_REPLY    (ref, reply)
 *   runtime -> caller  MB_SVC_DOWN     Down(ref, service, reason)
 * A call monitors the service under MB_SVC_DOWN and uses the monitor's ref
 * as the request's identity, so its reply is matched by ref (never "the
 * next message") and a service that is dead, or dies before replying, wakes
 * the caller with the Down.
 *
 * Invariants:
 *  - The service handles one request at a time in mailbox order, so the
 *    requests of one caller (casts and calls alike) are handled in the order
 *    they were sent.
 *  - After a call returns, the caller's mailbox holds nothing of it: the
 *    monitor is removed, and a Down that was already queued is taken.
 *  - An idle service waits like a `receive` without `after`: it does not keep
 *    the program alive and is discarded at quiescence (§6).
 */
#include "blocked.h"
#include "service.h"

#include <string.h>

#include "fmt.h"
#include "mbox.h"
#include "proc.h"
#include "rt.h"
#include "str.h"
#include "sysmsg.h"
#include "vals.h"

enum { RQ_HANDLER, RQ_CALLER, RQ_REF, RQ_ARGS }; /* request tuple layout */

static bool any_entry(const MboxEntry *e, void *ud) {
    (void)e, (void)ud;
    return true;
}

/* The service process: args = (ServiceDesc pointer as Int, initial state). */
static Value svc_body(Value *args, int nargs) {
    (void)nargs;
    const ServiceDesc *sd = (const ServiceDesc *)(uintptr_t)args[0].i;
    Value state = args[1];
    for (;;) {
        blocked_on(BW_REQUEST, 0, NULL, NULL);
        MboxEntry *e = sysmsg_wait(any_entry, NULL, -1);
        if (!e) continue;
        uint32_t kind = mbox_kind(e);
        Value req = sysmsg_take(e);
        if (kind != MB_SVC_REQUEST) continue; /* nothing else is meant for a service */
        TupleObj *rq = AS_TUPLE(req);
        uint32_t h = (uint32_t)rq->items[RQ_HANDLER].i;
        uint32_t n = sd->arity[h];
        VAL_BUF(hargs, n + 1);
        memcpy(hargs, rq->items + RQ_ARGS, n * sizeof *hargs);
        hargs[n] = state;
        Value r = rt_apply(sd->handlers[h], (int)n + 1, hargs);
        if (!sd->is_call[h]) {
            state = r;
            continue;
        }
        if (r.tag != T_TUPLE || AS_TUPLE(r)->n != 2)
            rt_panic("service %s: call %s must return (new_state, reply)", sd->name, sd->names[h]);
        state = AS_TUPLE(r)->items[0];
        proc_send_kind(rq->items[RQ_CALLER].u, MB_SVC_REPLY, val_tuple2(rq->items[RQ_REF], AS_TUPLE(r)->items[1]));
    }
}

SYSMSG_BODY(svc_body_fn, "service", svc_body, 2);

uint64_t svc_start(const ServiceDesc *sd, Value state) {
    Value args[2] = {v_int((int64_t)(uintptr_t)sd), state};
    SpawnOpts o = {.name = sd->name, .terminate = v_unit(), .link = false};
    return proc_spawn(SYSMSG_FN(svc_body_fn), 2, args, &o);
}

static void send_request(uint64_t pid, uint32_t h, Value caller, Value ref, int argc, const Value *argv) {
    VAL_BUF(items, RQ_ARGS + argc);
    items[RQ_HANDLER] = v_int(h);
    items[RQ_CALLER] = caller;
    items[RQ_REF] = ref;
    if (argc) memcpy(items + RQ_ARGS, argv, (size_t)argc * sizeof *items);
    proc_send_kind(pid, MB_SVC_REQUEST, val_tuple((uint32_t)(RQ_ARGS + argc), items));
}

typedef struct CallWait {
    uint64_t ref;
} CallWait;

static bool reply_or_down(const MboxEntry *e, void *ud) {
    uint64_t ref = ((CallWait *)ud)->ref;
    if (mbox_kind(e) == MB_SVC_REPLY) return AS_TUPLE(mbox_value(e))->items[0].u == ref;
    return sysmsg_is_down(e, MB_SVC_DOWN, ref);
}

static bool down_only(const MboxEntry *e, void *ud) {
    return sysmsg_is_down(e, MB_SVC_DOWN, ((CallWait *)ud)->ref);
}

Value svc_call(uint64_t pid, const ServiceDesc *sd, uint32_t handler, int argc, const Value *argv) {
    CallWait cw = {proc_monitor_kind(pid, MB_SVC_DOWN)};
    send_request(pid, handler, v_pid(proc_self_pid()), v_ref(cw.ref), argc, argv);
    MboxEntry *e;
    blocked_on(BW_REPLY, pid, sd ? sd->name : NULL, NULL);
    while (!(e = sysmsg_wait(reply_or_down, &cw, -1))) {
    }
    if (mbox_kind(e) == MB_SVC_REPLY) {
        Value reply = AS_TUPLE(sysmsg_take(e))->items[1];
        if (!proc_demonitor(cw.ref)) {
            /* the service exited after replying: its Down is queued (or about to be) */
            while (!(e = sysmsg_wait(down_only, &cw, -1))) {
            }
            sysmsg_take(e);
        }
        return reply;
    }
    Value reason = sysmsg_reason(sysmsg_take(e));
    Value text = fmt_to_string(reason);
    rt_panic("service call failed: %.*s", (int)str_len(text), str_data(text));
}

void svc_cast(uint64_t pid, const ServiceDesc *sd, uint32_t handler, int argc, const Value *argv) {
    (void)sd;
    send_request(pid, handler, v_unit(), v_ref(0), argc, argv);
}
