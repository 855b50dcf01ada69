/* sysmsg.c — selective receive from C (see sysmsg.h). */
#include "sysmsg.h"

#include "proc.h"
#include "proc_private.h"

MboxEntry *sysmsg_find(SysMatch match, void *ud) {
    Mbox *m = proc_mbox();
    for (MboxEntry *e = mbox_first(m); e; e = mbox_next(m, e))
        if (match(e, ud)) return e;
    return NULL;
}

MboxEntry *sysmsg_wait(SysMatch match, void *ud, int64_t timeout_ms) {
    Proc *self = proc_self();
    uint8_t why = self ? self->why : 0; /* the caller's blocked_on, kept for every wait below */
    RecvWait w;
    proc_recv_begin(&w, timeout_ms < 0 ? RECV_NO_AFTER : timeout_ms);
    Mbox *m = proc_mbox();
    MboxEntry *last = NULL;
    for (;;) {
        /* only the entries after `last` are new since the previous scan */
        for (MboxEntry *e = last ? mbox_next(m, last) : mbox_first(m); e; last = e, e = mbox_next(m, e)) {
            if (match(e, ud)) {
                proc_recv_end(&w);
                return e;
            }
        }
        if (self) self->why = why;
        if (!proc_recv_wait(&w)) {
            proc_recv_end(&w);
            return NULL;
        }
    }
}

Value sysmsg_take(MboxEntry *e) { return mbox_take(proc_mbox(), e); }

bool sysmsg_is_down(const MboxEntry *e, uint32_t kind, uint64_t ref) {
    if (mbox_kind(e) != kind) return false;
    Value v = mbox_value(e);
    return v.tag == T_VARIANT && AS_VARIANT(v)->type == &td_signal && v.aux == SIG_DOWN &&
           AS_VARIANT(v)->fields[0].u == ref;
}

bool sysmsg_is_exit(const MboxEntry *e, uint64_t pid) {
    if (mbox_kind(e) != MB_SIGNAL) return false;
    Value v = mbox_value(e);
    return v.tag == T_VARIANT && AS_VARIANT(v)->type == &td_signal && v.aux == SIG_EXIT &&
           AS_VARIANT(v)->fields[0].u == pid;
}

Value sysmsg_reason(Value sig) {
    VariantObj *o = AS_VARIANT(sig);
    return o->fields[o->n - 1]; /* Down(ref, pid, reason), Exit(pid, reason) */
}
