/* lib_proc.c — the Timer and Process rows of the library table
 * (stdlib.md §15, spec/README.md decision 9): each forwards to the process
 * runtime (proc.h) or the timers (timer.h), which own the semantics. */
#include "lib.h"
#include "proc.h"
#include "timer.h"

Value bi_timer_sleep(Value *a, int n) { return timer_bi_sleep(a, n); }
Value bi_timer_send_after(Value *a, int n) { return timer_bi_send_after(a, n); }

Value bi_process_link(Value *a, int n) { return proc_bi_link(a, n); }
Value bi_process_unlink(Value *a, int n) { return proc_bi_unlink(a, n); }
Value bi_process_monitor(Value *a, int n) { return proc_bi_monitor(a, n); }
Value bi_process_demonitor(Value *a, int n) { return proc_bi_demonitor(a, n); }
Value bi_process_trap_exit(Value *a, int n) { return proc_bi_trap_exit(a, n); }
Value bi_process_exit(Value *a, int n) { return proc_bi_exit(a, n); }
Value bi_process_is_alive(Value *a, int n) { return proc_bi_is_alive(a, n); }
Value bi_process_register(Value *a, int n) { return proc_bi_register(a, n); }
Value bi_process_whereis(Value *a, int n) { return proc_bi_whereis(a, n); }
Value bi_process_unregister(Value *a, int n) { return proc_bi_unregister(a, n); }
