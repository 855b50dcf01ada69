/* proc.h — Snow processes: the process table, spawn, send, selective-receive
 * support, exits and crash isolation, links, monitors, trap_exit, paused
 * spawns (decision 20) and the Snow-facing builtins of the Process surface.
 *
 * A process is a stackful coroutine (ctx.h, stack.h) with its own Heap
 * (gc.h) and Mbox (mbox.h); the scheduler (sched.h) decides when it runs.
 *
 * Invariants:
 *  - pids: pid_make(0, 0, serial), serials from one counter starting at 0
 *    (main is <0.0>), never reused (with several worker threads, taken in
 *    blocks of 64 per thread: not in spawn order across threads).  proc_find(pid) finds exactly the live
 *    processes (is_alive); it fails from the moment a process starts
 *    signalling its links (decision 23: terminate, names removed + not
 *    alive, links, monitors).
 *  - Only the running process touches its own heap, mailbox list and
 *    stack; other processes reach it only through mbox_push + sched_wake,
 *    through its relations (links, monitors, trap_exit) or through an exit
 *    signal (exit_pending), which the target acts on itself when it next
 *    resumes.  Relations and the pending exit are guarded by the process's
 *    lock `lk` (mt.h; a no-op unless rt_mt); no code holds two process
 *    locks at once.  Once `gone` is set (under lk, in the exit sequence)
 *    nobody adds relations or exit signals to the process any more.
 *  - Under the threaded scheduler a Proc* found by proc_find stays readable
 *    until the finder's worker next passes a scheduling point, even if the
 *    process exits meanwhile: records are freed through sched_retire
 *    (quiescent-state reclamation, docs/scheduler.md).  A message pushed
 *    into the mailbox of a process that has exited is dropped (mbox.h).
 *  - Exit cleanup always runs on the dying process's own stack (so its
 *    terminate closure and the Down/Exit messages are built in its heap),
 *    except when processes are discarded at quiescence (no notifications).
 *  - Unwinding (panic, exit) longjmps only within one stack: segments are
 *    left one by one (stack.h), then the innermost UnwindFrame is taken.
 */
#ifndef SNOW_PROC_H
#define SNOW_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gc.h"
#include "mbox.h"
#include "sched.h"
#include "stack.h" /* stack_grow_call, for proc_stack_low's callers */
#include "value.h"

/* ---- the hot prefix the evaluator reaches inline ------------------------ */

#define PROC_REDUCTIONS 4000

typedef struct ProcHot {
    int32_t reds;      /* reductions left in this slice (reset when scheduled) */
    uint32_t flags;    /* reserved */
    char *stack_limit; /* a Snow call needs sp >= stack_limit (else stack_grow_call) */
    void *interp;      /* interpreter's per-process state (owned by interp/) */
} ProcHot;

/* At every Snow call and loop iteration: charge one reduction. */
static inline void proc_charge(ProcHot *h) {
    if (__builtin_expect(--h->reds < 0, 0)) sched_preempt();
}
/* At every Snow call: true when the call must go through stack_grow_call. */
static inline bool proc_stack_low(const ProcHot *h) {
    return (char *)__builtin_frame_address(0) < h->stack_limit;
}

/* ---- the process record -------------------------------------------------
 * Proc is opaque outside runtime/: its fields are defined in proc_private.h,
 * which only runtime/ includes (tests/scripts/layers.sh checks it).  Other
 * layers reach a process through the functions below: proc_hot for the
 * evaluator's inline fields, proc_info / proc_relations / proc_mailbox for
 * tools (debugger, REPL). */

typedef enum ProcState {
    PS_NEW,      /* spawned, not yet started (runnable or paused) */
    PS_RUNNABLE, /* in the run queue */
    PS_RUNNING,
    PS_WAITING,  /* blocked (see wait) */
    PS_EXITING,  /* no longer alive; finishing its exit on its own stack */
    PS_DEAD      /* switched away for the last time; to be reaped */
} ProcState;

typedef struct Proc Proc;

/* A receive in progress (one per nesting level, lives on the C stack). */
typedef struct RecvWait {
    int64_t deadline;      /* < 0: no deadline */
    bool after;            /* the receive has an `after` clause (released at quiescence) */
    uint64_t token;        /* entry order (quiescence release) and timer token */
    bool timer_set;        /* the deadline timer exists */
    struct RecvWait *outer;
} RecvWait;

/* The evaluator's inline fields of a process (the record's first member). */
static inline ProcHot *proc_hot(Proc *p) { return (ProcHot *)(void *)p; }

/* ---- identity and lookup ------------------------------------------------ */

Proc *proc_self(void);          /* running process or NULL (never inlined) */
ProcHot *proc_self_hot(void);   /* running process's hot part (a dummy outside processes) */
uint64_t proc_self_pid(void);
Proc *proc_find(uint64_t pid);  /* live local process or NULL */
size_t proc_count(void);        /* live processes */
uint64_t proc_spawned_total(void);

/* ---- spawn ------------------------------------------------------------------ */

typedef struct SpawnOpts {
    const char *name;  /* actor name for events / debugger, or NULL */
    Value terminate;   /* closure run at exit (T_UNIT = none); deep-copied */
    bool link;         /* link child and spawner before the child can run */
} SpawnOpts;

/* Spawn fn(argv...) (fn and args deep-copied into the child's heap); the
 * child is appended to the run queue (or held if a paused scope is open)
 * and the spawner keeps running.  Returns the child's pid. */
uint64_t proc_spawn(Value fn, int argc, const Value *argv, const SpawnOpts *opts);
/* Set or replace the running process's terminate closure. */
void proc_set_terminate(Value closure);

/* Paused-spawn scopes (decision 20): processes spawned by the running
 * process between begin and end do not run until end, which releases them
 * in spawn order.  Scopes nest; an unwind or exit closes open scopes. */
uint32_t proc_pause_begin(void);
void proc_pause_end(uint32_t token);

/* ---- messages ---------------------------------------------------------------- */

/* send: deep copy, append, wake a receiver; unknown/dead pid: dropped.
 * msg is only read during the call (it may live on the caller's C stack). */
void proc_send(uint64_t pid, Value msg);
void proc_send_kind(uint64_t pid, uint32_t kind, Value msg);
/* Deliver an already copied message (consumes f). */
void proc_deliver(uint64_t pid, uint32_t kind, uint64_t from, Frag *f, Value v);

/* Receive protocol for the interpreter (decision 13, 23):
 *
 *   RecvWait w; proc_recv_begin(&w, timeout_ms);       // RECV_NO_AFTER, RECV_AFTER_NEVER or >= 0
 *   Mbox *m = proc_mbox(); MboxEntry *last = NULL;
 *   for (;;) {
 *       for (MboxEntry *e = last ? mbox_next(m, last) : mbox_first(m); e;
 *            last = e, e = mbox_next(m, e)) {
 *           if (kind fits the arms && some arm matches mbox_value(e)) {
 *               Value v = mbox_take(m, e); proc_recv_end(&w); -> run arm
 *           }
 *       }
 *       if (!proc_recv_wait(&w)) { proc_recv_end(&w); -> run `after` body }
 *   }
 *
 * proc_recv_wait blocks until a new entry arrives (true: scan the new
 * entries) or the deadline passes / the receive is released at quiescence
 * (false).  timeout 0 never blocks.  The quiescence release order is the
 * order of proc_recv_begin calls.
 *
 * An `after` with a negative timeout waits without a deadline
 * (concurrency.md §3 step 3) but is still an `after`: at quiescence it is
 * released through its body like any other (§6 item 2a). */
#define RECV_NO_AFTER (-1)
#define RECV_AFTER_NEVER (-2)
Mbox *proc_mbox(void);
void proc_recv_begin(RecvWait *w, int64_t timeout_ms);
bool proc_recv_wait(RecvWait *w);
void proc_recv_end(RecvWait *w);

/* ---- exits, links, monitors (decisions 18, 23) -------------------------------- */

void proc_link(uint64_t pid);
void proc_unlink(uint64_t pid);
uint64_t proc_monitor(uint64_t pid); /* returns the ref; dead pid: Down(NoProc) at once */
/* The same, but the Down entry gets mailbox kind `kind` (>= MB_RUNTIME): a
 * runtime component (jobs, service calls) watching a process without user
 * `receive` ever seeing the Down. */
uint64_t proc_monitor_kind(uint64_t pid, uint32_t kind);
/* The ref of the running process's oldest monitor of `pid` with that kind,
 * 0 if none (so a component need not store the refs it created). */
uint64_t proc_monitor_ref(uint64_t pid, uint32_t kind);
bool proc_demonitor(uint64_t ref);
bool proc_trap_exit(bool on);        /* returns the previous setting */
bool proc_is_alive(uint64_t pid);
/* Process.exit(pid, reason) with BEAM semantics (decision 18). */
void proc_exit_pid(uint64_t pid, Value reason);

/* Run fn(arg); a panic inside it is caught (nothing printed): returns false
 * with the message in msg.  Exit signals are not caught. */
bool proc_catch(void (*fn)(void *), void *arg, char *msg, size_t cap);
/* The same, but a panic is reported as a panic in main is (`panic: MSG` and
 * the Snow call stack on stderr) before the process goes on: the REPL. */
bool proc_catch_report(void (*fn)(void *), void *arg);
/* Make process pid panic with "interrupted" where it is (woken if it waits)
 * the next time it runs: Ctrl-C in the REPL.  Nothing happens if it is
 * exiting or an exit signal is pending; a later exit signal wins over it.
 * Not for the running process. */
void proc_interrupt(uint64_t pid);

/* ExitReason values (built in the current heap or static). */
Value proc_reason(int xr);                 /* nullary: XR_NORMAL, XR_SHUTDOWN, ... */
Value proc_reason_error(const char *msg, size_t len);
Value proc_reason_linked(uint64_t pid, Value inner);

/* ---- remote pids (distribution) -----------------------------------------------
 * A pid whose node part is not 0 belongs to another node (net.md §8.5).
 * The runtime keeps links and monitors with such pids in the local
 * process's lists like local ones, and hands everything that must cross
 * the network to the distribution layer (dist/) through this table, which
 * dist installs when a node starts.  Without it remote pids are dead:
 * sends are dropped, links and monitors report NoConnection. */
typedef struct ProcRemote {
    void (*send)(uint64_t from, uint64_t to, Value msg);         /* transparent send */
    bool (*link)(uint64_t local, uint64_t remote);               /* false: node not connected */
    void (*unlink)(uint64_t local, uint64_t remote);
    bool (*monitor)(uint64_t watcher, uint64_t target, uint64_t ref); /* false: not connected */
    void (*demonitor)(uint64_t watcher, uint64_t target, uint64_t ref);
    /* a local process's exit reaches a remote linked process (link = true),
     * or Process.exit(remote, reason) (link = false) */
    void (*exit)(uint64_t from, uint64_t to, Value reason, bool link);
    void (*down)(uint64_t target, uint64_t watcher, uint64_t ref, Value reason);
    bool (*alive)(uint64_t pid);
    void (*exited)(uint64_t pid); /* a local process has exited (global names) */
} ProcRemote;
extern const ProcRemote *proc_remote;
void proc_set_remote(const ProcRemote *r);

/* What arrives from another node, applied to local processes (called by
 * dist/ on any process's stack; values are read during the call only). */
void proc_remote_link(uint64_t remote, uint64_t local);   /* dead local: exit NoProc goes back */
void proc_remote_unlink(uint64_t remote, uint64_t local);
void proc_remote_exit(uint64_t from, uint64_t to, Value reason, bool link);
void proc_remote_monitor(uint64_t watcher, uint64_t target, uint64_t ref); /* dead: Down NoProc back */
void proc_remote_demonitor(uint64_t watcher, uint64_t target, uint64_t ref);
void proc_remote_down(uint64_t target, uint64_t watcher, uint64_t ref, Value reason);
/* The running process is part of the runtime's distribution machinery: its
 * I/O waits do not keep the program alive (net.md §8.9). */
void proc_set_daemon(void);

/* ---- introspection for tools (debugger, REPL :processes) --------------------
 * Read a process without running it: from the process itself, or while it
 * is not running (the deterministic scheduler, a paused `snow trace`). */

typedef struct ProcInfo {
    uint64_t pid, parent;
    const char *name;       /* actor name, or NULL */
    const char *regname;    /* registered name (valid while p lives), or NULL */
    bool is_main;
    ProcState state;
    WaitKind wait;          /* while PS_WAITING */
    bool trap_exit;
    bool hibernated;        /* stack stored compactly: its Snow frames cannot be read */
    void *interp;           /* the evaluator's per-process state (NULL before it first ran) */
    int32_t reds_used;      /* reductions used in the current slice, 0..PROC_REDUCTIONS */
    size_t mailbox;         /* entries waiting, every kind */
    uint32_t nlinks, nmons_out, nmons_in;
} ProcInfo;
void proc_info(Proc *p, ProcInfo *out);
/* Is p's stack in place (not hibernated), so that the evaluator's frames on
 * it can be read? */
bool proc_stack_readable(Proc *p);

/* A monitor seen from one end: the ref and the process at the other end
 * (the target of a monitor p holds, the watcher of a monitor on p). */
typedef struct ProcMonitor { uint64_t ref, pid; } ProcMonitor;
typedef struct ProcRelations {
    uint64_t *links;        /* malloc'd, nlinks pids */
    ProcMonitor *mons_out;  /* monitors p holds */
    ProcMonitor *mons_in;   /* monitors on p */
    uint32_t nlinks, nmons_out, nmons_in;
} ProcRelations;
/* Copy p's links and monitors (under its lock); free with proc_relations_free. */
void proc_relations(Proc *p, ProcRelations *out);
void proc_relations_free(ProcRelations *r);
/* p's mailbox, for mbox_snapshot / mbox_peek_count (not for receiving). */
Mbox *proc_mailbox(Proc *p);

/* ---- hooks for the interpreter --------------------------------------------- */

/* Prints the Snow call stack lines ("  at FILE:LINE:COL in F") of the
 * running process after a panic line. */
extern void (*proc_backtrace_hook)(FILE *out);
/* Marks the interpreter's per-process roots (shadow stack arguments...). */
extern void (*proc_scan_hook)(Heap *h, void *interp);
/* Called on the process's stack after an unwind landed (base, terminate or
 * proc_catch frame): reset the shadow stack to the frame's depth. */
extern void (*proc_unwound_hook)(ProcHot *hot);
/* Frees ProcHot.interp when a process is reaped or discarded. */
extern void (*proc_interp_free_hook)(void *interp);
/* Called instead of exit(101) when the program must end at once (a panic in
 * main, main killed by an exit signal).  NULL (the default): exit.  A hook
 * that returns lets the dying main unwind and exit like any crashed process;
 * the caller (snow trace) then stops the run at the next scheduling step. */
extern void (*proc_exit_hook)(int status);
/* Called on main's stack before main's body runs (dist/: a node started
 * from the command line spawns its listener then). */
extern void (*proc_main_start_hook)(void);

/* ---- builtins (Snow surface, decision 9) -------------------------------- */

Value proc_bi_self(Value *args, int nargs);        /* self() -> Pid */
Value proc_bi_send(Value *args, int nargs);        /* send(pid, msg) -> () */
Value proc_bi_link(Value *args, int nargs);        /* link(pid) -> () */
Value proc_bi_unlink(Value *args, int nargs);      /* Process.unlink(pid) -> () */
Value proc_bi_monitor(Value *args, int nargs);     /* Process.monitor(pid) -> Ref */
Value proc_bi_demonitor(Value *args, int nargs);   /* Process.demonitor(ref) -> Bool */
Value proc_bi_trap_exit(Value *args, int nargs);   /* Process.trap_exit(Bool) -> Bool */
Value proc_bi_exit(Value *args, int nargs);        /* Process.exit(pid, ExitReason) -> () */
Value proc_bi_is_alive(Value *args, int nargs);    /* Process.is_alive(pid) -> Bool */
Value proc_bi_register(Value *args, int nargs);    /* Process.register(String, pid) -> Result<(), String> */
Value proc_bi_whereis(Value *args, int nargs);     /* Process.whereis(String) -> Option<Pid> */
Value proc_bi_unregister(Value *args, int nargs);  /* Process.unregister(String) -> Result<(), String> */

/* ---- for the scheduler backends and stack.c ------------------------------------- */

Proc *proc_new_main(Value main_fn);        /* process <0.0> */
_Noreturn void proc_main(Proc *p);         /* first code run on a new process stack */
void proc_resumed(Proc *p);                /* after every switch back into p */
_Noreturn void proc_unwind_continue(Proc *p);
void proc_reap(Proc *p);                   /* free a PS_DEAD process */
/* proc_reap in two halves for the threaded scheduler: proc_release frees
 * everything the process owned but leaves the record readable (late
 * senders may still hold the pointer); proc_free_record frees the record
 * once no worker can hold it (passed to sched_retire). */
void proc_release(Proc *p);
void proc_free_record(void *p);
/* Free this thread's cache of dead records (a worker thread before it ends;
 * rt_shutdown for the calling thread). */
void proc_records_flush(void);
void proc_discard_all(void);               /* quiescence: drop every remaining process */
/* Call fn on every live process, in pid order (the threaded scheduler's
 * quiescence; no process may start or exit meanwhile). */
void proc_foreach(void (*fn)(Proc *p, void *ud), void *ud);
void proc_prepare_block(Proc *p, WaitKind kind); /* before blocking: flush, trim the stack */
void proc_runtime_reset(void);             /* rt_shutdown */

#endif
