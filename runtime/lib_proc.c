/* lib_proc.c — the Timer and Process rows of the library table
 * (stdlib.md §15, spec/README.md decision 9): they point straight at the
 * builtins of the process runtime (proc.h) and of the timers (timer.h),
 * which own the semantics. */
#include "proc.h"
#include "stdlib_table.h"
#include "timer.h"

static Value bi_proc_count(Value *a, int n) {
    (void)a;
    (void)n;
    return v_int((int64_t)proc_count());
}

/* ---- rows of the library table (stdlib_table.h) ---------------------------- */

static const StdFn proc_lib[] = {
    {"Timer", "sleep", "Fun(Int) -> ()", timer_bi_sleep, 1, SF_BLOCKS, "suspend the current process for at least ms milliseconds"},
    {"Timer", "send_after", "Fun(Pid<T>, Int, T) -> ()", timer_bi_send_after, 3, 0, "send a message after ms milliseconds"},
    {"Process", "link", "Fun(Pid) -> ()", proc_bi_link, 1, 0, "link the current process with another"},
    {"Process", "unlink", "Fun(Pid) -> ()", proc_bi_unlink, 1, 0, "remove a link"},
    {"Process", "monitor", "Fun(Pid) -> Ref", proc_bi_monitor, 1, 0, "monitor a process: a Down signal arrives when it exits"},
    {"Process", "demonitor", "Fun(Ref) -> Bool", proc_bi_demonitor, 1, 0, "remove a monitor"},
    {"Process", "trap_exit", "Fun(Bool) -> Bool", proc_bi_trap_exit, 1, 0, "receive exits of linked processes as Exit signals; returns the previous setting"},
    {"Process", "exit", "Fun(Pid, ExitReason) -> ()", proc_bi_exit, 2, 0, "send an exit signal to a process"},
    {"Process", "is_alive", "Fun(Pid) -> Bool", proc_bi_is_alive, 1, 0, "is the process still running?"},
    {"Process", "register", "Fun(String, Pid) -> Result<(), String>", proc_bi_register, 2, 0, "give a process a name"},
    {"Process", "whereis", "Fun(String) -> Option<Pid>", proc_bi_whereis, 1, 0, "look up a registered name"},
    {"Process", "unregister", "Fun(String) -> Result<(), String>", proc_bi_unregister, 1, 0, "remove a registered name"},
    {"Process", "count", "Fun() -> Int", bi_proc_count, 0, 0, "the number of live processes (servers check theirs)"},
};
STDLIB_REGISTER(proc_lib)
