/* sysmsg.h — selective receive from C for the runtime's own components
 * (services, supervisors, jobs): wait for the oldest mailbox entry that a
 * predicate accepts, whatever its kind, following the receive protocol of
 * proc.h.  A wait without a timeout blocks like a `receive` without `after`
 * (W_RECV: it does not keep the program alive and is discarded at
 * quiescence); a wait with a timeout blocks like one with `after`
 * (W_RECV_AFTER: released at quiescence, which ends the wait as a timeout).
 *
 * Invariant: entries the predicate rejects are never touched, so user
 * messages and other components' entries keep their order. */
#ifndef SNOW_SYSMSG_H
#define SNOW_SYSMSG_H

#include <stdbool.h>
#include <stdint.h>

#include "mbox.h"
#include "value.h"

typedef bool (*SysMatch)(const MboxEntry *e, void *ud);

/* The oldest accepted entry of the running process's mailbox, or NULL. */
MboxEntry *sysmsg_find(SysMatch match, void *ud);
/* The same, blocking until one arrives; NULL when timeout_ms (>= 0) passed
 * or the wait was released at quiescence.  timeout_ms < 0: no timeout. */
MboxEntry *sysmsg_wait(SysMatch match, void *ud, int64_t timeout_ms);
/* Remove an entry found above and return its value (adopted by the heap). */
Value sysmsg_take(MboxEntry *e);

/* A static function object whose body is a C function: the process body of
 * a runtime component, for proc_spawn.  Defines `var` (a FuncObj). */
#define SYSMSG_BODY(var, name, cfn, arity)                                     \
    static FuncInfo var##_info = {name, arity, cfn, NULL};                   \
    static _Alignas(16) FuncObj var = {.h = {OK_FUNC, GC_STATIC, 0, sizeof(FuncObj)}, .fn = &var##_info}
#define SYSMSG_FN(var) v_obj(T_FUNC, &(var))

/* Entry tests for the common shapes. */
bool sysmsg_is_down(const MboxEntry *e, uint32_t kind, uint64_t ref); /* Down(ref, _, _) */
bool sysmsg_is_exit(const MboxEntry *e, uint64_t pid);               /* signal Exit(pid, _) */
/* The reason inside a Down or Exit value. */
Value sysmsg_reason(Value sig);

#endif
