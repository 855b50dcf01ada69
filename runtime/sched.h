/* sched.h — the scheduler interface (Redis `ae.h` style): the process layer
 * and everything else talk to "the scheduler" only through these calls;
 * the backend (sched_det.c, or sched_threads.c for `--threads N`) is chosen
 * once by rt_init and sits behind the SchedOps table.  Nothing outside the backends
 * knows which one runs.
 *
 * Vocabulary:
 *  - runnable: in a run queue; blocked: waiting for a wake (message,
 *    timeout, quiescence release, exit signal, I/O readiness).
 *  - A blocking *episode* is one sched_block call; sched_wake succeeds at
 *    most once per episode.  A `token` names what a timer or a quiescence
 *    release wakes: a timer for (pid, token) wakes the process only if it is
 *    still blocked with that token.
 *  - Time is milliseconds on the scheduler's one clock (decision 24); under
 *    the deterministic scheduler it is logical, under the threaded one it is
 *    real (docs/scheduler.md).
 *
 * All calls except rt_*, sched_wake/sched_wake_token/sched_spawned,
 * sched_retire and sched_timer_armed are made by the running process about
 * itself.  Under the threaded scheduler those exceptions may be called from
 * any worker thread at any time.
 */
#ifndef SNOW_SCHED_H
#define SNOW_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "value.h"

typedef struct Proc Proc;

typedef enum WaitKind {
    W_RECV,       /* receive without `after`: does not keep the program alive */
    W_RECV_AFTER, /* receive with `after`: released at quiescence, by token order */
    W_SLEEP,      /* Timer.sleep: keeps the program alive */
    W_IO,         /* waiting for fd readiness: keeps the program alive */
    W_OTHER,      /* runtime-internal wait, woken only by sched_wake */
    W_BLOCKING,   /* sched_run_blocking: keeps the program alive; exit signals wait for the job */
    W_RESOURCE    /* pwait.h: a hand-over from another process (a pool connection); keeps it alive */
} WaitKind;

typedef enum WakeReason {
    WK_NONE, WK_MSG, WK_TIMEOUT, WK_RELEASE, WK_SIGNAL, WK_IO, WK_OTHER
} WakeReason;

/* ---- entry points for the CLI ------------------------------------------ */
typedef struct RtConfig {
    uint64_t seed;           /* 0 = FIFO policy of concurrency.md §5.4 */
    bool virtual_time;       /* jump the clock instead of sleeping */
    const char *events_path; /* JSON-lines event file, or NULL */
    int threads;             /* 0 = deterministic scheduler */
    size_t max_stack;        /* bound of one process's stack in bytes (0 = default) */
} RtConfig;

/* Initialise the runtime (panic handler, event sink, scheduler).  Returns
 * false with a message on stderr if the configuration is not supported. */
bool rt_init(const RtConfig *cfg);
/* Run `main_fn` (a 0-argument Snow function) as process <0.0>, then the
 * other processes until quiescence (concurrency.md §6).  Returns the exit
 * status (0; a panic in main exits 101 directly). */
int rt_run_main(Value main_fn);
/* Release the runtime's memory and close the event sink. */
void rt_shutdown(void);

/* ---- backend table ------------------------------------------------------ */
typedef struct SchedOps {
    const char *name;
    void (*init)(const RtConfig *cfg);
    int (*run)(Proc *main);
    void (*shutdown)(void);
    Proc *(*current)(void);
    void (*spawned)(Proc *p);
    bool (*wake)(Proc *p, WakeReason why);
    bool (*wake_token)(uint64_t pid, uint64_t token, WakeReason why);
    WakeReason (*block)(WaitKind kind, uint64_t token);
    void (*preempt)(void);
    void (*yield)(void);
    int64_t (*now)(void);
    void (*run_blocking)(void (*fn)(void *), void *arg);
    void (*sleep_until)(int64_t deadline);
    void (*exit_current)(void) __attribute__((noreturn));
    void (*retire)(void *ptr, void (*free_fn)(void *));
    void (*timer_armed)(int64_t deadline); /* may be NULL */
} SchedOps;

extern const SchedOps *sched_ops;
extern const SchedOps sched_det_ops;
extern const SchedOps sched_threads_ops;

/* The running process (NULL on the scheduler's own stack). */
static inline Proc *sched_current(void) { return sched_ops->current(); }
/* A new process is ready to run for the first time (appended). */
static inline void sched_spawned(Proc *p) { sched_ops->spawned(p); }
/* Make a blocked process runnable (appended); false if it was not blocked
 * (or, for WK_MSG, not blocked in a receive). */
static inline bool sched_wake(Proc *p, WakeReason why) { return sched_ops->wake(p, why); }
/* Same, but only if pid is still blocked with `token` (timers, releases). */
static inline bool sched_wake_token(uint64_t pid, uint64_t token, WakeReason why) {
    return sched_ops->wake_token(pid, token, why);
}
/* Block the running process; returns why it was woken.  The caller sets
 * up timers (timer_add_wake) before blocking. */
static inline WakeReason sched_block(WaitKind kind, uint64_t token) {
    return sched_ops->block(kind, token);
}
/* Reductions exhausted: go to the back of the run queue. */
static inline void sched_preempt(void) { sched_ops->preempt(); }
/* Voluntary yield (same queueing as preempt). */
static inline void sched_cede(void) { sched_ops->yield(); }
/* The scheduler clock in ms. */
static inline int64_t sched_now(void) { return sched_ops->now(); }
/* Block until fd is ready for `events` (POLLIN/POLLOUT) or the deadline
 * (ms on sched_now's clock, < 0 = none): level-triggered — returns at once
 * if the fd is ready now.  Returns revents, 0 on timeout (or when woken by
 * an exit signal).  A thin wrapper over the poller (poll.h; defined in
 * fdio.c): the fd is registered on first use and stays registered, so it
 * must be unregistered (poll_del / fdio_close) before it is closed.  A
 * file the poller cannot watch (a regular file) counts as ready at once. */
int sched_wait_io(int fd, int events, int64_t deadline);
/* Run fn(arg), which may block the OS thread (file I/O, a DNS lookup, a
 * SQLite call), without blocking a scheduler thread.  Deterministic
 * scheduler: inline (the schedule stays reproducible).  Threaded: on a small
 * pool of blocking threads while the calling process is parked; the pool
 * wakes it through the poller's doorbell.  fn must not touch the Snow heap
 * or Values, nor panic (copy what it needs first, build values after);
 * `arg` may live on the caller's stack.  An exit signal to the caller takes
 * effect after fn has returned, at the caller's next scheduling point (so
 * the caller can still free what fn produced). */
static inline void sched_run_blocking(void (*fn)(void *), void *arg) { sched_ops->run_blocking(fn, arg); }
/* The running process has finished its exit: switch away for good. */
static inline _Noreturn void sched_exit_current(void) {
    sched_ops->exit_current();
    __builtin_unreachable();
}
/* Sleep the running process until the deadline (Timer.sleep). */
static inline void sched_sleep_until(int64_t deadline) { sched_ops->sleep_until(deadline); }
/* Free ptr with free_fn once no other thread can still be reading it (it
 * must already be unreachable from shared structures).  The deterministic
 * scheduler frees at once; the threaded one after every worker has passed
 * a scheduling point (quiescent-state reclamation). */
static inline void sched_retire(void *ptr, void (*free_fn)(void *)) { sched_ops->retire(ptr, free_fn); }
/* A timer became the earliest one (timer.c): a scheduler sleeping until
 * an older deadline must wake up earlier. */
static inline void sched_timer_armed(int64_t deadline) {
    if (sched_ops->timer_armed) sched_ops->timer_armed(deadline);
}

/* ---- deterministic scheduler controls (debugger) ----------------------- */
/* Called before each scheduling step with the pid about to run; returning
 * false stops the run (rt_run_main returns SCHED_STOPPED). */
typedef bool (*SchedStepHook)(uint64_t next_pid, void *ud);
void sched_det_set_step_hook(SchedStepHook hook, void *ud);
#define SCHED_STOPPED 130

/* Number of scheduling steps (context switches into processes) so far. */
uint64_t sched_steps(void);

#endif
