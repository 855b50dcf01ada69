/* sched_det.c — the deterministic scheduler: one OS thread, one run queue.
 *
 * Policy (concurrency.md §5.4, decision 23, docs/scheduler.md):
 *  - seed 0: FIFO.  spawn appends the child (the spawner keeps running);
 *    a process runs until it finishes, blocks or uses PROC_REDUCTIONS
 *    reductions (then it is appended); a woken process is appended; each
 *    time a process is scheduled it gets a fresh budget.
 *  - seed N > 0: the next process is drawn uniformly from the run queue by
 *    a PRNG seeded with N, and simultaneous timers fire in a drawn order.
 *  - Time is logical (decision 32): every reduction advances the clock by
 *    DET_NS_PER_REDUCTION; at every scheduling point the timers that are
 *    due fire, in (deadline, creation) order; when nothing is runnable the
 *    clock jumps to the next deadline.  So timeouts fire while other
 *    processes compute, at points that depend only on the program and the
 *    seed.  Without virtual time a timer also never fires before its
 *    deadline on the wall clock (measured from the start): the scheduler
 *    sleeps until then, so a run takes about as long as its timeouts say.
 *  - Termination (§6): once main is gone and nothing is runnable, sleeping
 *    or waiting for I/O, receives with `after` are released in the order
 *    they were entered; when none is left every remaining process is
 *    discarded silently and pending timers are dropped.
 *
 * Invariants: D.cur is the only PS_RUNNING process; a process is queued at
 * most once (p->queued); p->state == PS_WAITING exactly while blocked; the
 * after-waiters list holds exactly the W_RECV_AFTER waiters, in token order.
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blocked.h"
#include "ctx.h"
#include "event.h"
#include "iolog.h"
#include "output.h"
#include "poll.h"
#include "proc.h"
#include "proc_private.h"
#include "rt.h"
#include "sched.h"
#include "stack.h"
#include "timer.h"
#include "xalloc.h"

#if defined(SNOW_ASAN) || defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define DET_ASAN 1
#endif
#ifdef SNOW_TSAN
#include <sanitizer/tsan_interface.h>
#endif

static struct {
    Ctx ctx;                  /* the scheduler's own context (OS thread stack) */
    Proc *cur;                /* the running process */
    Proc **rq;                /* run queue: ring buffer */
    size_t head, len, cap;
    uint64_t seed, rng;
    bool virtual_time;
    int64_t now_ns;           /* logical clock, ns, up to the last scheduling point */
    struct timespec wall0;    /* wall-clock instant of time 0 */
    Proc *main;
    bool main_done;
    size_t nsleepers;         /* W_SLEEP waiters */
    Proc *aw_head, *aw_tail;  /* W_RECV_AFTER waiters by token */
    uint64_t jumps;           /* clock jumps so far (where readiness was applied, iolog.h) */
    StackHome *home;          /* the stack slots this thread hands out */
    SchedStepHook hook;
    void *hook_ud;
    uint64_t steps;
    const void *asan_lo;      /* scheduler stack, for fiber annotations */
    size_t asan_size;
    void *asan_fake;
    void *tsan_fiber;
} D;

/* Decision 32: a full slice of PROC_REDUCTIONS reductions is 40 µs. */
#define DET_NS_PER_REDUCTION 10
#define NS_PER_MS 1000000

/* The clock time the running process has used in its current slice: one
 * DET_NS_PER_REDUCTION per charge.  hot.reds counts down from
 * PROC_REDUCTIONS and the charge that takes it to -1 preempts, so every
 * reduction is counted exactly once (the preempting one is the call that
 * resumes the next slice, which is not charged again). */
static int64_t slice_ns(const Proc *p) {
    int32_t left = p->hot.reds < -1 ? -1 : p->hot.reds;
    return left >= PROC_REDUCTIONS ? 0 : (int64_t)(PROC_REDUCTIONS - left) * DET_NS_PER_REDUCTION;
}

/* ---- run queue -------------------------------------------------------------- */

static uint64_t rng_next(void) { /* splitmix64 */
    uint64_t z = (D.rng += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void enqueue(Proc *p) {
    assert(!p->queued);
    if (D.len == D.cap) {
        size_t ncap = D.cap ? D.cap * 2 : 256; /* a power of two: indices wrap with a mask */
        Proc **n = xmalloc(ncap * sizeof *n);
        for (size_t i = 0; i < D.len; i++) n[i] = D.rq[(D.head + i) & (D.cap - 1)];
        free(D.rq);
        D.rq = n;
        D.cap = ncap;
        D.head = 0;
    }
    D.rq[(D.head + D.len) & (D.cap - 1)] = p;
    D.len++;
    p->queued = true;
    p->state = PS_RUNNABLE;
}

static Proc *dequeue(void) {
    assert(D.len);
    if (D.seed) {
        size_t k = (size_t)(rng_next() % D.len);
        size_t a = D.head, b = (D.head + k) & (D.cap - 1);
        Proc *t = D.rq[a];
        D.rq[a] = D.rq[b];
        D.rq[b] = t;
    }
    Proc *p = D.rq[D.head];
    D.head = (D.head + 1) & (D.cap - 1);
    D.len--;
    p->queued = false;
    return p;
}

/* ---- after-waiters (quiescence release order) -------------------------------------- */

static void aw_insert(Proc *p) {
    Proc *at = D.aw_tail; /* tokens almost always arrive in order: walk from the tail */
    while (at && at->wait_token > p->wait_token) at = at->aw_prev;
    p->aw_prev = at;
    p->aw_next = at ? at->aw_next : D.aw_head;
    if (p->aw_next) p->aw_next->aw_prev = p;
    else D.aw_tail = p;
    if (at) at->aw_next = p;
    else D.aw_head = p;
}

static void aw_remove(Proc *p) {
    if (p->aw_prev) p->aw_prev->aw_next = p->aw_next;
    else D.aw_head = p->aw_next;
    if (p->aw_next) p->aw_next->aw_prev = p->aw_prev;
    else D.aw_tail = p->aw_prev;
    p->aw_next = p->aw_prev = NULL;
}

/* ---- switching ------------------------------------------------------------------------ */

static void det_entry(void *arg) {
#ifdef DET_ASAN
    __sanitizer_finish_switch_fiber(NULL, &D.asan_lo, &D.asan_size);
#endif
    proc_main(arg);
}

/* From the running process to the scheduler; returns when resumed. */
static void switch_out(Proc *p) {
#ifdef DET_ASAN
    __sanitizer_start_switch_fiber(&p->asan_fake, D.asan_lo, D.asan_size);
#endif
#ifdef SNOW_TSAN
    __tsan_switch_to_fiber(D.tsan_fiber, 0);
#endif
    ctx_switch(&p->ctx, &D.ctx);
#ifdef DET_ASAN
    __sanitizer_finish_switch_fiber(p->asan_fake, NULL, NULL);
#endif
    proc_resumed(p);
}

static void run_proc(Proc *p) {
    if (!p->stack.hi) { /* first run */
        stack_enter(D.home, &p->stack, &p->ctx, det_entry, p);
        p->hot.stack_limit = stack_initial_limit(&p->stack);
#ifdef SNOW_TSAN
        p->tsan_fiber = __tsan_create_fiber(0);
#endif
    } else {
        stack_enter(D.home, &p->stack, &p->ctx, det_entry, p); /* one thread: never refused */
    }
    p->state = PS_RUNNING;
    p->hot.reds = PROC_REDUCTIONS;
    D.cur = p;
    D.steps++;
    heap_set_current(p->heap);
    if (EV_ON()) ev_pids(EV_RUN, p->pid, EV_NOPID);
#ifdef DET_ASAN
    char *lo, *hi;
    stack_active_region(&p->stack, &lo, &hi);
    __sanitizer_start_switch_fiber(&D.asan_fake, lo, (size_t)(hi - lo));
#endif
#ifdef SNOW_TSAN
    __tsan_switch_to_fiber(p->tsan_fiber, 0);
#endif
    ctx_switch(&D.ctx, &p->ctx);
#ifdef DET_ASAN
    __sanitizer_finish_switch_fiber(D.asan_fake, NULL, NULL);
#endif
    D.cur = NULL;
    D.now_ns += slice_ns(p);
    heap_set_current(NULL);
    if (p->state != PS_DEAD) stack_leave(&p->stack, p->state == PS_WAITING ? STACK_PARKED : STACK_RUNNABLE);
    if (p->state == PS_DEAD) {
        if (p == D.main) {
            D.main = NULL;
            D.main_done = true;
        }
#ifdef SNOW_TSAN
        __tsan_destroy_fiber(p->tsan_fiber);
#endif
        proc_reap(p);
    }
}

/* ---- the SchedOps ---------------------------------------------------------------------- */

static Proc *det_current(void) { return D.cur; }

static void det_spawned(Proc *p) { enqueue(p); }

static const char *const wake_names[] = {"none", "message", "timeout", "release", "signal", "io", "other"};

static bool det_wake(Proc *p, WakeReason why) {
    if (p->state != PS_WAITING) return false;
    if (why == WK_MSG && p->wait != W_RECV && p->wait != W_RECV_AFTER) return false;
    switch (p->wait) {
    case W_SLEEP: D.nsleepers--; break;
    case W_RECV_AFTER: aw_remove(p); break;
    default: break;
    }
    p->wake = (uint8_t)why;
    enqueue(p);
    if (EV_ON()) ev_full(EV_WAKE, p->pid, EV_NOPID, 0, 0, wake_names[why], NULL);
    return true;
}

static bool det_wake_token(uint64_t pid, uint64_t token, WakeReason why) {
    Proc *p = proc_find(pid);
    if (!p || p->state != PS_WAITING || p->wait_token != token) return false;
    return det_wake(p, why);
}

static WakeReason det_block(WaitKind kind, uint64_t token) {
    Proc *p = D.cur;
    assert(p && p->state == PS_RUNNING);
    proc_prepare_block(p, kind);
    p->state = PS_WAITING;
    p->wait = (uint8_t)kind;
    p->wait_token = token;
    p->wake = WK_NONE;
    if (kind == W_SLEEP) D.nsleepers++;
    if (kind == W_RECV_AFTER) aw_insert(p);
    if (EV_ON()) ev_full(EV_BLOCK, p->pid, EV_NOPID, 0, -1, blocked_event_label(p, kind), NULL);
    switch_out(p);
    return (WakeReason)p->wake;
}

static void det_requeue(EvKind why) {
    Proc *p = D.cur;
    if (!p) {
        proc_self_hot()->reds = INT32_MAX;
        return;
    }
    if (EV_ON()) ev_pids(why, p->pid, EV_NOPID);
    enqueue(p);
    switch_out(p);
}

static void det_preempt(void) { det_requeue(EV_PREEMPT); }
static void det_yield(void) { det_requeue(EV_YIELD); }

/* Milliseconds, counting the running process's reductions so far. */
static int64_t det_now(void) { return (D.now_ns + (D.cur ? slice_ns(D.cur) : 0)) / NS_PER_MS; }

static void det_sleep_until(int64_t deadline) {
    Proc *p = D.cur;
    if (!p || deadline <= det_now()) return;
    uint64_t tok = timer_new_seq();
    timer_add_wake(deadline, p->pid, tok, tok);
    if (EV_ON()) ev_full(EV_TIMER_SET, p->pid, p->pid, tok, deadline, "sleep", NULL);
    det_block(W_SLEEP, tok);
}

/* Inline: the schedule stays a function of the program and the seed. */
static void det_run_blocking(void (*fn)(void *), void *arg) { fn(arg); }

__attribute__((noreturn)) static void det_exit_current(void) {
    Proc *p = D.cur;
    p->state = PS_DEAD;
#ifdef DET_ASAN
    __sanitizer_start_switch_fiber(NULL, D.asan_lo, D.asan_size);
#endif
#ifdef SNOW_TSAN
    __tsan_switch_to_fiber(D.tsan_fiber, 0);
#endif
    ctx_switch(&p->ctx, &D.ctx);
    __builtin_unreachable();
}

/* ---- time and I/O --------------------------------------------------------------------- */

/* Collect I/O readiness for at most timeout_ms (-1: until some arrives) and
 * apply it (poll.c: fd order, journaled at this point of the schedule).
 * Returns the processes woken; -1 when replaying a journal that ends here. */
static int io_poll(int timeout_ms) { return poll_run_det(timeout_ms, D.steps, D.jumps); }

static int64_t wall_ms_until(int64_t t) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    int64_t elapsed = (int64_t)(now.tv_sec - D.wall0.tv_sec) * 1000 + (now.tv_nsec - D.wall0.tv_nsec) / 1000000;
    return t - elapsed;
}

static void sleep_until_wall(int64_t t) {
    struct timespec ts = D.wall0;
    ts.tv_sec += t / 1000;
    ts.tv_nsec += (t % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) { ts.tv_sec++; ts.tv_nsec -= 1000000000; }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR) {}
}

/* A scheduling point: fire every timer due on the clock, in deadline
 * order, then creation order (a seed draws the order of simultaneous
 * ones).  Fired wakes and deliveries append to the run queue.  In real
 * time no timer fires before its deadline on the wall clock: when the
 * processes computed faster than the clock's 10 ns per reduction, the
 * scheduler waits for the wall clock first (which timers fire, and where,
 * still depends only on the logical clock). */
static void fire_due(void) {
    int64_t now = D.now_ns / NS_PER_MS;
    if (timer_next_hint() > now) return;
    Timer *due;
    size_t n = timer_pop_due(now, &due);
    if (!D.virtual_time && n) sleep_until_wall(due[n - 1].deadline);
    if (D.seed) {
        for (size_t lo = 0; lo < n;) {
            size_t hi = lo + 1;
            while (hi < n && due[hi].deadline == due[lo].deadline) hi++;
            for (size_t i = hi - 1; i > lo; i--) {
                size_t j = lo + (size_t)(rng_next() % (i - lo + 1));
                Timer t = due[i];
                due[i] = due[j];
                due[j] = t;
            }
            lo = hi;
        }
    }
    for (size_t i = 0; i < n; i++) timer_fire(&due[i]);
}

/* Nothing is runnable: move the clock to the deadline `next` (ms) and fire
 * what is due (in real time fire_due first waits for the wall clock to get
 * there).  Returns early, the clock unmoved, if I/O completes first. */
static void advance_to(int64_t next) {
    if (next > D.now_ns / NS_PER_MS) {
        if (poll_pending() || poll_daemons()) { /* I/O may complete before the deadline */
            bool live_wait = !D.virtual_time && !iolog_replaying();
            int64_t wait = live_wait ? wall_ms_until(next) : 0;
            if (io_poll(wait > 0 ? (int)(wait > 1000000 ? 1000000 : wait) : 0) > 0) return;
            if (live_wait && wall_ms_until(next) > 0) return; /* poll capped: loop again */
        }
        D.now_ns = next * NS_PER_MS;
        D.jumps++;
        if (EV_ON()) ev_full(EV_CLOCK, EV_NOPID, EV_NOPID, 0, next, NULL, NULL);
    }
    fire_due();
}

/* ---- the loop ------------------------------------------------------------------------------ */

static int det_loop(void) {
    for (;;) {
        fire_due();
        if (D.len) {
            /* a busy program still hears its fds (the REPL's terminal while an
             * actor spins), at fixed points of the schedule */
            if (D.steps % POLL_DET_EVERY == 0 && (poll_pending() || poll_daemons())) io_poll(0);
            Proc *p = dequeue();
            if (D.hook && !D.hook(p->pid, D.hook_ud)) return SCHED_STOPPED;
            run_proc(p);
            continue;
        }
        out_flush(); /* idle */
        if ((poll_pending() || poll_daemons()) && io_poll(0) > 0) continue;
        if (D.main_done && D.nsleepers == 0 && poll_pending() == 0) { /* quiescent */
            if (D.aw_head) {
                while (D.aw_head) det_wake(D.aw_head, WK_RELEASE);
                continue;
            }
            proc_discard_all();
            timer_clear();
            return 0;
        }
        int64_t next;
        if (timer_next_deadline(&next)) {
            advance_to(next);
            continue;
        }
        if (poll_pending() || poll_daemons()) {
            if (io_poll(-1) < 0) { /* replaying: the recorded run ended while processes waited */
                fflush(stdout);
                fprintf(stderr, "snow: replay: the recording ends here (%d process(es) waiting for input)\n",
                        poll_pending());
                fflush(stderr);
                return 0;
            }
            continue;
        }
        blocked_report_deadlock(stderr);
        return 101;
    }
}

static int det_run(Proc *main) {
    D.main = main;
    D.main_done = false;
    D.home = stack_home(0);
    stack_thread_enter(D.home);
    int status = det_loop();
    stack_thread_leave();
    return status;
}

static void det_init(const RtConfig *cfg) {
    free(D.rq);
    memset(&D, 0, sizeof D);
    D.seed = cfg->seed;
    D.rng = cfg->seed;
    D.virtual_time = cfg->virtual_time;
    clock_gettime(CLOCK_MONOTONIC, &D.wall0);
    ev_clock = det_now;
    ev_worker = NULL;
#ifdef SNOW_TSAN
    D.tsan_fiber = __tsan_get_current_fiber();
#endif
}

static void det_shutdown(void) {
    free(D.rq);
    D.rq = NULL;
    D.len = D.cap = D.head = 0;
    D.aw_head = D.aw_tail = NULL;
    D.nsleepers = 0;
}

/* One thread: nobody else can hold a retired pointer. */
static void det_retire(void *ptr, void (*free_fn)(void *)) { free_fn(ptr); }

void sched_det_set_step_hook(SchedStepHook hook, void *ud) {
    D.hook = hook;
    D.hook_ud = ud;
}

uint64_t sched_steps(void) { return D.steps; }

const SchedOps sched_det_ops = {
    .name = "deterministic",
    .init = det_init,
    .run = det_run,
    .shutdown = det_shutdown,
    .current = det_current,
    .spawned = det_spawned,
    .wake = det_wake,
    .wake_token = det_wake_token,
    .block = det_block,
    .preempt = det_preempt,
    .yield = det_yield,
    .now = det_now,
    .run_blocking = det_run_blocking,
    .sleep_until = det_sleep_until,
    .exit_current = det_exit_current,
    .retire = det_retire,
    .timer_armed = NULL,
};
