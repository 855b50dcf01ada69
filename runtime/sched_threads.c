/* sched_threads.c — the threaded scheduler (`snow run --threads N`): N
 * worker OS threads run the processes, with work stealing, real time and an
 * epoll poller.  Design and memory ordering in docs/scheduler.md
 * ("The threaded scheduler"); the short version:
 *
 *  - Run queues: per worker, Go's runq — a 256-slot ring the owner pushes at
 *    the tail and anyone takes from at the head with a CAS (thieves take
 *    half), plus a `runnext` slot for the process the running one just woke
 *    (message passing stays on one core); overflow and processes made
 *    runnable outside a worker go to one locked global queue, checked every
 *    61 scheduling ticks for fairness.  A process runs for PROC_REDUCTIONS
 *    reductions per slice; a chain of runnext hand-offs shares one slice, so
 *    two processes messaging each other cannot starve the queue.
 *  - Process state: one atomic word per process (Proc.sword) packs the
 *    wait token, the wait kind and runnable / waiting / dead.
 *    A wake is a CAS waiting -> runnable: at most one per blocking episode.
 *    A process never publishes "waiting" itself: it switches to its
 *    worker, which then stores the word (seq_cst) and re-reads the inbox and
 *    the pending exit signal (seq_cst), so a sender that pushed before the
 *    store is seen by the re-read, and one that pushed after sees "waiting"
 *    (mbox.h).  Enqueueing the current process (preempt, yield) also happens
 *    on the worker's own stack, after the switch: nobody can run a process
 *    whose registers are still being saved.
 *  - Termination (§6, same rules as the deterministic scheduler): `live`
 *    counts runnable and running processes, sleepers (W_SLEEP, W_IO: they
 *    keep the program alive) and in-flight timer firings.  Whoever brings it
 *    to zero freezes it (CAS 0 -> QUIESCING; nothing can then make a process
 *    runnable) and decides: main done -> release the receives with `after`
 *    in token order (the order they were entered), or stop and discard;
 *    main alive and no timer left -> deadlock (exit 101); otherwise the
 *    idle poller sleeps until the next deadline.
 *  - Idle workers spin briefly (stealing), then park: at most one blocks in
 *    epoll_wait with the next timer deadline as timeout (the poller); the
 *    others sleep on a futex.  Waking is Go's "one spinning worker" rule.
 *  - Memory reclamation: quiescent-state based.  A worker announces the
 *    global epoch at each scheduling point (it holds no Proc* then); a
 *    retired record (dead process, emptied process-table page, replaced
 *    directory) is freed once every online worker has announced a later
 *    epoch.  Parked workers are offline.
 *
 * Nothing here is reached by the deterministic scheduler.  Thread-local
 * state is only read through the non-inlined self_worker(); code running
 * on a process stack re-reads it after every switch. */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blocked.h"
#include "bpool.h"
#include "ctx.h"
#include "event.h"
#include "mt.h"
#include "poll.h"
#include "proc.h"
#include "proc_private.h"
#include "rt.h"
#include "sched.h"
#include "stack.h"
#include "output.h"
#include "timer.h"
#include "xalloc.h"

#if defined(SNOW_ASAN) || defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define THR_ASAN 1
#endif
#ifdef SNOW_TSAN
#include <sanitizer/tsan_interface.h>
#endif

/* ---- the state word ------------------------------------------------------------- */

enum { TS_RUN = 0, TS_WAIT = 1, TS_DEAD = 3 };
#define SW(token, kind, st) (((uint64_t)(token) << 16) | ((uint64_t)(kind) << 8) | (uint64_t)(st))
#define SW_ST(w) ((unsigned)((w) & 0xff))
#define SW_KIND(w) ((unsigned)(((w) >> 8) & 0xff))
#define SW_TOKEN(w) ((w) >> 16)
#define TOKEN_MASK ((1ull << 48) - 1)

static bool keeps_alive(unsigned kind) {
    return kind == W_SLEEP || kind == W_IO || kind == W_BLOCKING || kind == W_RESOURCE;
}

/* ---- workers --------------------------------------------------------------------- */

#define RQ_SIZE 1024    /* local run queue slots */
#define GQ_EVERY 61     /* ticks between global-queue (and I/O) checks */
#define LIMBO_MAX 256   /* retired records before a reclamation round */
#define QS_OFFLINE UINT64_MAX
#define SPIN_NS 50000   /* an idle worker looks for work this long before parking */

enum { OP_NONE, OP_YIELD, OP_BLOCK, OP_EXIT };

typedef struct Retired {
    void *ptr;
    void (*fn)(void *);
    uint64_t epoch;
} Retired;

typedef struct Worker {
    /* run queue (shared) */
    _Atomic uint32_t head;          /* taken by the owner and thieves (CAS) */
    _Atomic uint32_t tail;          /* written by the owner only */
    Proc *_Atomic runnext;          /* woken by the running process; owner only */
    Proc *_Atomic buf[RQ_SIZE];
    /* announced epoch for reclamation (shared) */
    _Alignas(64) _Atomic uint64_t epoch;
    _Atomic uint32_t wakeup;        /* futex word while parked */
    struct Worker *next_sleeper;    /* under T.idle_lock */
    /* owner only */
    _Alignas(64) int id;
    MtThread thread;
    Ctx ctx;                        /* the worker's own context (its thread stack) */
    Proc *cur;                      /* the running process */
    int op;                         /* what `cur` asked for when it switched out */
    int32_t slice;                  /* reductions left to a runnext chain */
    int64_t live_delta;             /* decrements of T.live not applied yet (<= 0) */
    bool spinning;                  /* counted in T.nspinning */
    uint32_t tick;
    uint64_t rng;
    StackHome *home;                /* the stack slots this worker hands out */
    Retired *limbo;
    size_t nlimbo, caplimbo;
    size_t limbo_next;              /* reclaim when nlimbo reaches this */
    const void *asan_lo;            /* thread stack, for fiber annotations */
    size_t asan_size;
    void *asan_fake;
    void *tsan_fiber;
} Worker;

/* Fields written often by different workers sit on separate cache lines
 * (a shared line would bounce on every spawn, exit or park). */
static struct {
    /* read-mostly */
    Worker *w;
    int n;
    bool running;                   /* workers started and not yet joined */
    _Atomic bool stop;
    int status;
    struct timespec t0;
    /* global run queue */
    _Alignas(64) MtLock gq_lock;
    Proc *gq_head, *gq_tail;
    _Atomic uint32_t gq_n;
    /* termination */
    _Alignas(64) _Atomic uint64_t live; /* runnable + running + sleepers + timer firings | QUIESCING */
    _Alignas(64) _Atomic bool main_done;
    _Atomic bool firing;            /* a worker is firing timers */
    /* idle workers */
    _Alignas(64) MtLock idle_lock;
    Worker *sleepers;               /* parked on their futex */
    bool poller;                    /* a worker is in epoll_wait */
    bool kicked;                    /* the poller was woken through the eventfd */
    int64_t poll_deadline;          /* the poller wakes by then (INT64_MAX: never) */
    _Alignas(64) _Atomic int nidle; /* workers parking or parked */
    _Atomic int nspinning;          /* workers looking for work */
    /* reclamation */
    _Alignas(64) _Atomic uint64_t epoch;
} T;

#define LIVE_Q (1ull << 63)

static _Thread_local Worker *tl_worker;

/* The worker of this OS thread (NULL outside workers).  Never inlined and
 * opaque to the optimiser: a process that switched out may resume on
 * another thread, so no caller may reuse an earlier answer (or the TLS
 * address behind it) across a switch. */
__attribute__((noinline)) static Worker *self_worker(void) {
    Worker *w = tl_worker;
    __asm__ volatile("" : "+r"(w)::"memory");
    return w;
}

__attribute__((noinline)) static void set_self_worker(Worker *w) { tl_worker = w; }

static int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)(ts.tv_sec - T.t0.tv_sec) * 1000 + (ts.tv_nsec - T.t0.tv_nsec) / 1000000;
}

static uint64_t rng_next(Worker *w) { /* xorshift64 */
    uint64_t x = w->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return w->rng = x;
}

/* ---- quiescent-state reclamation --------------------------------------------------- */

/* At a scheduling point (no Proc* held): announce the current epoch. */
static void qs_quiescent(Worker *w) {
    uint64_t g = atomic_load_explicit(&T.epoch, memory_order_seq_cst);
    if (atomic_load_explicit(&w->epoch, memory_order_relaxed) != g)
        atomic_store_explicit(&w->epoch, g, memory_order_seq_cst);
}

static void qs_offline(Worker *w) { atomic_store_explicit(&w->epoch, QS_OFFLINE, memory_order_seq_cst); }

static void qs_online(Worker *w) {
    atomic_store_explicit(&w->epoch, atomic_load_explicit(&T.epoch, memory_order_seq_cst), memory_order_seq_cst);
    atomic_thread_fence(memory_order_seq_cst);
}

/* At a scheduling point: free what every online worker has stopped
 * seeing.  The limbo is in retirement order, so epochs never decrease and
 * what can go is a prefix. */
static void reclaim(Worker *w) {
    uint64_t g = atomic_fetch_add_explicit(&T.epoch, 1, memory_order_seq_cst) + 1;
    atomic_store_explicit(&w->epoch, g, memory_order_seq_cst);
    uint64_t min = g;
    for (int i = 0; i < T.n; i++) {
        uint64_t e = atomic_load_explicit(&T.w[i].epoch, memory_order_seq_cst);
        if (e < min) min = e;
    }
    size_t k = 0;
    while (k < w->nlimbo && w->limbo[k].epoch < min) {
        w->limbo[k].fn(w->limbo[k].ptr);
        k++;
    }
    memmove(w->limbo, w->limbo + k, (w->nlimbo - k) * sizeof *w->limbo);
    w->nlimbo -= k;
    w->limbo_next = w->nlimbo + LIMBO_MAX; /* a slow worker must not make this quadratic */
}

static void thr_retire(void *ptr, void (*fn)(void *)) {
    Worker *w = self_worker();
    if (!w || !T.running || T.n == 1) {
        /* no other thread runs, or it is the only worker: retire is called
         * where its own processes hold no pointer to the record */
        fn(ptr);
        return;
    }
    if (w->nlimbo == w->caplimbo) {
        w->caplimbo = w->caplimbo ? w->caplimbo * 2 : 64;
        w->limbo = xrealloc(w->limbo, w->caplimbo * sizeof *w->limbo);
    }
    w->limbo[w->nlimbo++] = (Retired){ptr, fn, atomic_load_explicit(&T.epoch, memory_order_seq_cst)};
}

/* ---- the global queue --------------------------------------------------------------- */

static void gq_push_list(Proc *first, Proc *last, uint32_t n) {
    last->q_next = NULL;
    mt_lock(&T.gq_lock);
    if (T.gq_tail) T.gq_tail->q_next = first;
    else T.gq_head = first;
    T.gq_tail = last;
    atomic_fetch_add_explicit(&T.gq_n, n, memory_order_seq_cst);
    mt_unlock(&T.gq_lock);
}

static void gq_push(Proc *p) { gq_push_list(p, p, 1); }

static void push_local(Worker *w, Proc *p);

/* Take a batch from the global queue (at most `max`): the first is
 * returned, the rest go to w's local queue. */
static Proc *gq_get(Worker *w, uint32_t max) {
    if (!atomic_load_explicit(&T.gq_n, memory_order_relaxed)) return NULL;
    mt_lock(&T.gq_lock);
    uint32_t n = atomic_load_explicit(&T.gq_n, memory_order_relaxed);
    if (!n) {
        mt_unlock(&T.gq_lock);
        return NULL;
    }
    uint32_t take = n / (uint32_t)T.n + 1;
    if (take > n) take = n;
    if (take > RQ_SIZE / 2) take = RQ_SIZE / 2;
    if (take > max) take = max;
    Proc *first = T.gq_head, *p = first;
    for (uint32_t i = 1; i < take; i++) p = p->q_next;
    T.gq_head = p->q_next;
    if (!T.gq_head) T.gq_tail = NULL;
    atomic_fetch_sub_explicit(&T.gq_n, take, memory_order_relaxed);
    mt_unlock(&T.gq_lock);
    p->q_next = NULL;
    Proc *rest = first->q_next;
    while (rest) {
        Proc *nx = rest->q_next;
        push_local(w, rest);
        rest = nx;
    }
    return first;
}

/* ---- local run queues (Go's runq) -------------------------------------------------- */

/* Queue full: move half of it and p to the global queue. */
static bool push_slow(Worker *w, Proc *p, uint32_t h, uint32_t t) {
    uint32_t n = (t - h) / 2;
    Proc *batch[RQ_SIZE / 2 + 1];
    for (uint32_t i = 0; i < n; i++) batch[i] = atomic_load_explicit(&w->buf[(h + i) % RQ_SIZE], memory_order_relaxed);
    if (!atomic_compare_exchange_strong_explicit(&w->head, &h, h + n, memory_order_release, memory_order_relaxed))
        return false;
    batch[n] = p;
    for (uint32_t i = 0; i < n; i++) batch[i]->q_next = batch[i + 1];
    gq_push_list(batch[0], batch[n], n + 1);
    return true;
}

/* Owner: append p. */
static void push_local(Worker *w, Proc *p) {
    for (;;) {
        uint32_t h = atomic_load_explicit(&w->head, memory_order_acquire);
        uint32_t t = atomic_load_explicit(&w->tail, memory_order_relaxed);
        if (t - h < RQ_SIZE) {
            atomic_store_explicit(&w->buf[t % RQ_SIZE], p, memory_order_relaxed);
            atomic_store_explicit(&w->tail, t + 1, memory_order_release);
            return;
        }
        if (push_slow(w, p, h, t)) return;
    }
}

static uint32_t local_len(Worker *w) {
    uint32_t h = atomic_load_explicit(&w->head, memory_order_acquire);
    uint32_t t = atomic_load_explicit(&w->tail, memory_order_acquire);
    return t - h;
}

/* Owner: the next process to run; *inherit when it continues a runnext
 * chain (it gets what is left of the slice). */
static Proc *pop_local(Worker *w, bool *inherit) {
    Proc *next = atomic_load_explicit(&w->runnext, memory_order_relaxed);
    if (next) {
        atomic_store_explicit(&w->runnext, NULL, memory_order_relaxed);
        if (w->slice > 0) {
            *inherit = true;
            return next;
        }
        push_local(w, next); /* the chain used up its slice: to the back */
    }
    *inherit = false;
    for (;;) {
        uint32_t h = atomic_load_explicit(&w->head, memory_order_acquire);
        uint32_t t = atomic_load_explicit(&w->tail, memory_order_relaxed);
        if (t == h) return NULL;
        Proc *p = atomic_load_explicit(&w->buf[h % RQ_SIZE], memory_order_relaxed);
        if (atomic_compare_exchange_weak_explicit(&w->head, &h, h + 1, memory_order_release, memory_order_relaxed))
            return p;
    }
}

/* Thief: move half of v's queue into w's (empty) queue; returns one of
 * them to run, or NULL. */
static Proc *steal_from(Worker *w, Worker *v) {
    uint32_t t = atomic_load_explicit(&w->tail, memory_order_relaxed);
    uint32_t n;
    for (;;) {
        uint32_t h = atomic_load_explicit(&v->head, memory_order_acquire);
        uint32_t vt = atomic_load_explicit(&v->tail, memory_order_acquire);
        n = vt - h;
        n -= n / 2;
        if (n == 0) return NULL;
        if (n > RQ_SIZE / 2) continue; /* read head and tail at different times */
        for (uint32_t i = 0; i < n; i++) {
            Proc *p = atomic_load_explicit(&v->buf[(h + i) % RQ_SIZE], memory_order_relaxed);
            atomic_store_explicit(&w->buf[(t + i) % RQ_SIZE], p, memory_order_relaxed);
        }
        if (atomic_compare_exchange_strong_explicit(&v->head, &h, h + n, memory_order_acq_rel, memory_order_relaxed))
            break;
    }
    n--;
    Proc *p = atomic_load_explicit(&w->buf[(t + n) % RQ_SIZE], memory_order_relaxed);
    if (n) atomic_store_explicit(&w->tail, t + n, memory_order_release);
    return p;
}

static Proc *steal_any(Worker *w) {
    if (T.n < 2) return NULL;
    uint32_t start = (uint32_t)(rng_next(w) % (uint64_t)T.n);
    for (int i = 0; i < T.n; i++) {
        Worker *v = &T.w[(start + (uint32_t)i) % (uint32_t)T.n];
        if (v == w) continue;
        Proc *p = steal_from(w, v);
        if (p) return p;
    }
    return NULL;
}

/* Work a parked worker could take: the global queue or a local queue. */
static bool work_visible(void) {
    atomic_thread_fence(memory_order_seq_cst); /* pairs with wakep's fence */
    if (atomic_load_explicit(&T.gq_n, memory_order_seq_cst)) return true;
    for (int i = 0; i < T.n; i++)
        if (local_len(&T.w[i])) return true;
    return false;
}

/* ---- waking idle workers (Go's wakep) ------------------------------------------------ */

static void kick_poller(void) { poll_kick(); }

/* Stealable work was just published: make sure one worker looks for it.
 * Either a worker is already spinning (it will find it), or we wake one,
 * who counts as spinning until it finds work. */
static void wakep(void) {
    if (T.n == 1) return;
    atomic_thread_fence(memory_order_seq_cst); /* pairs with the parker's re-check */
    if (atomic_load_explicit(&T.nspinning, memory_order_seq_cst) != 0 ||
        atomic_load_explicit(&T.nidle, memory_order_seq_cst) == 0)
        return;
    int zero = 0;
    if (!atomic_compare_exchange_strong_explicit(&T.nspinning, &zero, 1, memory_order_seq_cst, memory_order_relaxed))
        return;
    mt_lock(&T.idle_lock);
    Worker *s = T.sleepers;
    if (s) {
        T.sleepers = s->next_sleeper;
        atomic_store_explicit(&s->wakeup, 1, memory_order_release);
        mt_unlock(&T.idle_lock);
        mt_futex_wake(&s->wakeup, 1);
        return;
    }
    if (T.poller && !T.kicked) {
        T.kicked = true;
        mt_unlock(&T.idle_lock);
        kick_poller();
        return;
    }
    mt_unlock(&T.idle_lock);
    /* nobody parked yet: whoever is on its way re-checks under the lock */
    atomic_fetch_sub_explicit(&T.nspinning, 1, memory_order_seq_cst);
}

static void wake_all(void) {
    mt_lock(&T.idle_lock);
    while (T.sleepers) {
        Worker *s = T.sleepers;
        T.sleepers = s->next_sleeper;
        atomic_store_explicit(&s->wakeup, 1, memory_order_release);
        mt_futex_wake(&s->wakeup, 1);
    }
    if (T.poller && !T.kicked) {
        T.kicked = true;
        kick_poller();
    }
    mt_unlock(&T.idle_lock);
}

static void request_stop(int status) {
    T.status = status;
    atomic_store_explicit(&T.stop, true, memory_order_seq_cst);
    wake_all();
}

/* ---- making processes runnable --------------------------------------------------------- */

static void make_runnable(Proc *p) {
    Worker *w = self_worker();
    if (w && w->cur) { /* woken by the running process: run it next, here */
        Proc *old = atomic_exchange_explicit(&w->runnext, p, memory_order_relaxed);
        if (old) {
            push_local(w, old);
            wakep();
        }
    } else if (w) {
        push_local(w, p);
        wakep();
    } else {
        gq_push(p);
        wakep();
    }
}

/* `live` is shared by every worker; to keep its cache line from bouncing
 * on every block and exit, a worker keeps its decrements in `live_delta`
 * (<= 0) and applies them in batches, and an increment first cancels a
 * pending decrement of the same worker.  So the shared count is never
 * below the true one, and it reaches zero exactly when the true one does
 * and every worker has flushed — which each does before it idles. */
#define LIVE_BATCH 64

static void on_zero(Worker *w);

static void live_flush(Worker *w) {
    int64_t d = w->live_delta;
    if (!d) return;
    w->live_delta = 0;
    if (atomic_fetch_add_explicit(&T.live, (uint64_t)d, memory_order_acq_rel) + (uint64_t)d == 0) on_zero(w);
}

static void live_inc(Worker *w) {
    if (w && w->live_delta < 0) w->live_delta++;
    else atomic_fetch_add_explicit(&T.live, 1, memory_order_acq_rel);
}

/* At a scheduling point only (a flush may decide the run is over). */
static void live_dec(Worker *w) {
    if (--w->live_delta <= -LIVE_BATCH) live_flush(w);
}

/* A timer firing counts as live, unless the program is being frozen. */
static bool live_acquire(void) {
    uint64_t c = atomic_load_explicit(&T.live, memory_order_acquire);
    do {
        if (c & LIVE_Q) return false;
    } while (!atomic_compare_exchange_weak_explicit(&T.live, &c, c + 1, memory_order_acq_rel, memory_order_acquire));
    return true;
}

static const char *const wake_names[] = {"none", "message", "timeout", "release", "signal", "io", "other"};

/* The one wake of a blocking episode: CAS waiting -> runnable.  With
 * `tokmask`, only if the episode's token matches (timers, I/O). */
static bool try_wake(Proc *p, WakeReason why, uint64_t token, uint64_t tokmask) {
    uint64_t s = atomic_load_explicit(&p->sword, memory_order_seq_cst);
    unsigned kind;
    for (;;) {
        unsigned st = SW_ST(s);
        if (st != TS_WAIT) return false;
        kind = SW_KIND(s);
        if (why == WK_MSG && kind != W_RECV && kind != W_RECV_AFTER) return false;
        if (why == WK_IO && kind != W_IO && kind != W_OTHER) return false; /* W_OTHER: a daemon's I/O wait */
        if (why == WK_SIGNAL && kind == W_BLOCKING) return false; /* the job has our stack: after it */
        if (tokmask && (SW_TOKEN(s) & tokmask) != (token & tokmask)) return false;
        if (atomic_compare_exchange_weak_explicit(&p->sword, &s, (s & ~(uint64_t)0xff) | TS_RUN,
                                                  memory_order_seq_cst, memory_order_seq_cst))
            break;
    }
    /* the process is ours until it is queued */
    if (!keeps_alive(kind)) live_inc(self_worker());
    p->wake = (uint8_t)why;
    if (EV_ON()) ev_full(EV_WAKE, p->pid, EV_NOPID, 0, 0, wake_names[why], NULL);
    make_runnable(p);
    return true;
}

/* ---- switching ------------------------------------------------------------------------- */

static void thr_entry(void *arg) {
#ifdef THR_ASAN
    __sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
    proc_main(arg);
}

/* From the running process to its worker, asking for `op`; returns when the
 * process is resumed, possibly on another worker thread.  The caller then
 * calls proc_resumed (which may unwind the process if an exit signal came),
 * after undoing what it set up for the wait. */
static void switch_out(Proc *p, int op) {
    Worker *w = self_worker();
    w->op = op;
#ifdef THR_ASAN
    __sanitizer_start_switch_fiber(&p->asan_fake, w->asan_lo, w->asan_size);
#endif
#ifdef SNOW_TSAN
    __tsan_switch_to_fiber(w->tsan_fiber, 0);
#endif
    ctx_switch(&p->ctx, &w->ctx);
    /* resumed: `w` may be another thread's worker now; do not use it */
#ifdef THR_ASAN
    __sanitizer_finish_switch_fiber(p->asan_fake, NULL, NULL);
#endif
}

/* ---- after a process switched out (on the worker's stack) ------------------------------ */

static void after_block(Worker *w, Proc *p) {
    unsigned kind = p->wait;
    uint64_t token = p->wait_token & TOKEN_MASK;
    bool keeps = keeps_alive(kind);
    /* publish, then re-check what a sender may have done before seeing it */
    atomic_store_explicit(&p->sword, SW(token, kind, TS_WAIT), memory_order_seq_cst);
    if ((kind == W_RECV || kind == W_RECV_AFTER) && mbox_has_new(&p->mbox)) try_wake(p, WK_MSG, 0, 0);
    else if ((kind == W_IO || kind == W_BLOCKING || kind == W_RESOURCE || (kind == W_OTHER && p->daemon)) &&
             atomic_load_explicit(&p->io_fired, memory_order_seq_cst))
        try_wake(p, kind == W_IO || kind == W_OTHER ? WK_IO : WK_OTHER, 0, 0); /* the poller (pwait_give) found it before we published */
    else if (kind != W_BLOCKING && atomic_load_explicit(&p->exit_pending, memory_order_seq_cst))
        try_wake(p, WK_SIGNAL, 0, 0);
    else if (token && atomic_load_explicit(&p->timer_fired, memory_order_seq_cst) == token)
        try_wake(p, WK_TIMEOUT, token, TOKEN_MASK); /* its timer fired before we published (thr_wake_token) */
    if (!keeps) live_dec(w); /* last: a wake above counted first */
}

static void after_exit(Worker *w, Proc *p) {
    atomic_store_explicit(&p->sword, SW(0, 0, TS_DEAD), memory_order_release);
    if (p->is_main) atomic_store_explicit(&T.main_done, true, memory_order_seq_cst);
#ifdef SNOW_TSAN
    __tsan_destroy_fiber(p->tsan_fiber);
#endif
    proc_release(p); /* frees its stack slot too */
    thr_retire(p, proc_free_record); /* late senders may still hold it */
    live_dec(w);
}

/* A preempted or yielding process goes behind whatever overflowed to the
 * global queue (older than the local queue's tail): a process spawning in
 * a loop must not get ahead of its own children, or they pile up unrun. */
static void requeue(Worker *w, Proc *p) {
    if (atomic_load_explicit(&T.gq_n, memory_order_relaxed)) {
        gq_push(p);
    } else {
        push_local(w, p);
        if (local_len(w) > 1) wakep();
    }
}

static void run_proc(Worker *w, Proc *p, bool inherit) {
#ifdef SNOW_TSAN
    if (!p->tsan_fiber) p->tsan_fiber = __tsan_create_fiber(0);
#endif
    bool first = !p->stack.hi;
    if (!stack_enter(w->home, &p->stack, &p->ctx, thr_entry, p)) {
        /* its stack slot is in use on another worker (by a process sharing
         * it, for at most that one's slice): run the others first */
        mt_relax();
        requeue(w, p);
        return;
    }
    if (first) p->hot.stack_limit = stack_initial_limit(&p->stack);
    p->state = PS_RUNNING;
    p->hot.reds = inherit ? w->slice : PROC_REDUCTIONS;
    w->cur = p;
    w->op = OP_NONE;
    heap_set_current(p->heap);
    if (EV_ON()) ev_pids(EV_RUN, p->pid, EV_NOPID);
#ifdef THR_ASAN
    char *lo, *hi;
    stack_active_region(&p->stack, &lo, &hi);
    __sanitizer_start_switch_fiber(&w->asan_fake, lo, (size_t)(hi - lo));
#endif
#ifdef SNOW_TSAN
    __tsan_switch_to_fiber(p->tsan_fiber, 0);
#endif
    ctx_switch(&w->ctx, &p->ctx);
#ifdef THR_ASAN
    __sanitizer_finish_switch_fiber(w->asan_fake, NULL, NULL);
#endif
    w->cur = NULL;
    heap_set_current(NULL);
    w->slice = p->hot.reds;
    /* its registers are saved: another worker may take the slot (a dying
     * process keeps it until its stack is released) */
    if (w->op != OP_EXIT)
        stack_leave(&p->stack, w->op != OP_BLOCK ? STACK_RUNNABLE : p->wait == W_BLOCKING ? STACK_PINNED : STACK_PARKED);
    switch (w->op) {
    case OP_YIELD:
        requeue(w, p);
        break;
    case OP_BLOCK:
        after_block(w, p);
        break;
    case OP_EXIT:
        after_exit(w, p);
        break;
    default:
        rt_fatal("process switched out without a reason");
    }
}

/* ---- timers and I/O -------------------------------------------------------------------- */

/* Fire the due timers, if no other worker is at it.  True if any fired. */
static bool fire_timers(Worker *w) {
    int64_t next = timer_next_hint();
    if (next == INT64_MAX || next > now_ms()) return false;
    if (atomic_exchange_explicit(&T.firing, true, memory_order_acquire)) return false;
    size_t n = 0;
    if (live_acquire()) {
        Timer *due;
        n = timer_pop_due(now_ms(), &due);
        for (size_t i = 0; i < n; i++) timer_fire(&due[i]);
        atomic_store_explicit(&T.firing, false, memory_order_release);
        live_dec(w);
    } else {
        atomic_store_explicit(&T.firing, false, memory_order_release);
    }
    return n > 0;
}

/* ---- termination ------------------------------------------------------------------------ */

typedef struct AfterWaiter {
    uint64_t token;
    Proc *p;
} AfterWaiter;

typedef struct AwList {
    AfterWaiter *v;
    size_t n, cap;
} AwList;

static void collect_after_waiter(Proc *p, void *ud) {
    AwList *l = ud;
    uint64_t s = atomic_load_explicit(&p->sword, memory_order_acquire);
    if (SW_ST(s) != TS_WAIT || SW_KIND(s) != W_RECV_AFTER) return;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = (AfterWaiter){SW_TOKEN(s), p};
}

static int aw_cmp(const void *a, const void *b) {
    uint64_t x = ((const AfterWaiter *)a)->token, y = ((const AfterWaiter *)b)->token;
    return x < y ? -1 : x > y;
}

/* `live` just reached zero on this worker (at a scheduling point). */
static void on_zero(Worker *w) {
again:;
    uint64_t zero = 0;
    if (!atomic_compare_exchange_strong_explicit(&T.live, &zero, LIVE_Q, memory_order_acq_rel, memory_order_relaxed))
        return; /* a timer firing started meanwhile */
    /* frozen: nothing runs, nothing is runnable, nothing sleeps, and no
     * timer can fire until LIVE_Q is cleared */
    if (!atomic_load_explicit(&T.main_done, memory_order_seq_cst)) {
        int64_t d;
        if (!timer_next_deadline(&d)) {
            request_stop(101); /* deadlock: reported by rt_run_main's thread */
            return;
        }
        atomic_fetch_and_explicit(&T.live, ~LIVE_Q, memory_order_acq_rel);
        return; /* this worker goes idle and polls until the deadline */
    }
    AwList l = {0};
    proc_foreach(collect_after_waiter, &l);
    if (!l.n) {
        free(l.v);
        request_stop(0);
        return;
    }
    qsort(l.v, l.n, sizeof *l.v, aw_cmp); /* the order they entered their receives */
    for (size_t i = 0; i < l.n; i++) try_wake(l.v[i].p, WK_RELEASE, 0, 0);
    free(l.v);
    /* The released processes may already have run on other workers and
     * blocked or exited again: their decrements met LIVE_Q, not zero, so
     * nobody else saw `live` reach zero.  Then it is ours to handle. */
    if (atomic_fetch_and_explicit(&T.live, ~LIVE_Q, memory_order_acq_rel) == LIVE_Q) goto again;
    (void)w;
}

/* ---- idle workers ------------------------------------------------------------------------ */

static bool needs_poller(void) {
    return timer_next_hint() != INT64_MAX || poll_pending() > 0 || poll_daemons() > 0;
}

/* Found work while spinning: stop counting as spinning; if this was the
 * last spinner, wake another to look for more. */
static void reset_spinning(Worker *w) {
    if (!w->spinning) return;
    w->spinning = false;
    if (atomic_fetch_sub_explicit(&T.nspinning, 1, memory_order_seq_cst) == 1) wakep();
}

/* Nothing to do: sleep until there may be work.  Returns with w->spinning
 * set when a waker counted this worker as the spinning one. */
static void park(Worker *w) {
    out_flush(); /* idle */
    if (w->nlimbo) reclaim(w);
    qs_offline(w);
    atomic_fetch_add_explicit(&T.nidle, 1, memory_order_seq_cst);
    mt_lock(&T.idle_lock);
    if (atomic_load_explicit(&T.stop, memory_order_relaxed) || work_visible()) {
        mt_unlock(&T.idle_lock);
    } else if (!T.poller && needs_poller()) {
        T.poller = true;
        T.kicked = false;
        int64_t next = timer_next_hint();
        T.poll_deadline = next;
        mt_unlock(&T.idle_lock);
        int timeout = -1;
        if (next != INT64_MAX) {
            int64_t d = next - now_ms();
            timeout = d <= 0 ? 0 : d > 1000000 ? 1000000 : (int)d;
        }
        PollBatch b;
        poll_collect(&b, timeout, true); /* offline: holds no process */
        mt_lock(&T.idle_lock);
        T.poller = false;
        bool kicked = T.kicked;
        mt_unlock(&T.idle_lock);
        atomic_fetch_sub_explicit(&T.nidle, 1, memory_order_seq_cst);
        qs_online(w);
        if (kicked) w->spinning = true;
        poll_dispatch(&b); /* wakes the processes whose fds are ready */
        return;
    } else {
        w->next_sleeper = T.sleepers;
        T.sleepers = w;
        atomic_store_explicit(&w->wakeup, 0, memory_order_relaxed);
        mt_unlock(&T.idle_lock);
        while (!atomic_load_explicit(&w->wakeup, memory_order_acquire)) mt_futex_wait(&w->wakeup, 0);
        w->spinning = true; /* the waker counted us */
    }
    atomic_fetch_sub_explicit(&T.nidle, 1, memory_order_seq_cst);
    qs_online(w);
}

/* The next process for w; NULL when the run is over. */
static Proc *find_work(Worker *w, bool *inherit) {
    for (;;) {
        if (atomic_load_explicit(&T.stop, memory_order_relaxed)) return NULL;
        w->tick++;
        fire_timers(w);
        Proc *p;
        if (w->tick % GQ_EVERY == 0) { /* fairness: one from the global queue */
            if (poll_pending() || poll_daemons()) poll_run_threads(0);
            if ((p = gq_get(w, 1))) {
                *inherit = false;
                reset_spinning(w);
                return p;
            }
        }
        if ((p = pop_local(w, inherit)) || (p = gq_get(w, RQ_SIZE))) {
            reset_spinning(w);
            return p;
        }
        *inherit = false;
        live_flush(w); /* idle: the run may be over */
        if (atomic_load_explicit(&T.stop, memory_order_relaxed)) return NULL;
        if ((poll_pending() || poll_daemons()) && poll_run_threads(0)) continue;
        /* look at the other workers' queues a few times */
        if (!w->spinning && 2 * atomic_load_explicit(&T.nspinning, memory_order_relaxed) < T.n) {
            w->spinning = true;
            atomic_fetch_add_explicit(&T.nspinning, 1, memory_order_seq_cst);
        }
        if (w->spinning) { /* for a while: parking and waking cost microseconds */
            int64_t until = now_ns() + SPIN_NS;
            unsigned rounds = 0;
            do {
                if ((p = steal_any(w)) || (p = gq_get(w, RQ_SIZE))) {
                    reset_spinning(w);
                    return p;
                }
                if (atomic_load_explicit(&T.stop, memory_order_relaxed)) return NULL;
                for (int i = 0; i < 32; i++) mt_relax();
                if (++rounds % 8 == 0) mt_yield_cpu(); /* more threads than cores: let them run */
            } while (now_ns() < until);
            w->spinning = false;
            atomic_fetch_sub_explicit(&T.nspinning, 1, memory_order_seq_cst);
            /* a waker may have skipped us while we were spinning */
            if (work_visible()) continue;
        }
        park(w);
    }
}

static void worker_loop(Worker *w) {
    for (;;) {
        qs_quiescent(w);
        if (w->nlimbo >= w->limbo_next) reclaim(w);
        bool inherit;
        Proc *p = find_work(w, &inherit);
        if (!p) return;
        run_proc(w, p, inherit);
    }
}

static void worker_start(Worker *w) {
    set_self_worker(w);
    stack_thread_enter(w->home);
#ifdef THR_ASAN
    mt_stack_bounds(&w->asan_lo, &w->asan_size);
#endif
#ifdef SNOW_TSAN
    w->tsan_fiber = __tsan_get_current_fiber();
#endif
    qs_online(w);
}

static void *worker_thread(void *arg) {
    Worker *w = arg;
    worker_start(w);
    worker_loop(w);
    qs_offline(w);
    set_self_worker(NULL);
    stack_thread_leave();
    proc_records_flush(); /* the records and entries this thread kept for reuse */
    mbox_pool_flush();
    return NULL;
}

/* ---- the SchedOps ---------------------------------------------------------------------- */

/* Only ever called through the SchedOps table (never inlined), so it may
 * read the thread-local directly. */
static Proc *thr_current(void) {
    Worker *w = tl_worker;
    return w ? w->cur : NULL;
}

static void thr_spawned(Proc *p) {
    live_inc(self_worker());
    atomic_store_explicit(&p->sword, SW(0, 0, TS_RUN), memory_order_relaxed);
    atomic_store_explicit(&p->timer_fired, 0, memory_order_relaxed); /* a reused record: tokens restart with a run */
    Worker *w = self_worker();
    if (w) {
        push_local(w, p);
        wakep();
    } else {
        gq_push(p); /* main, before the workers start */
    }
}

static bool thr_wake(Proc *p, WakeReason why) { return try_wake(p, why, 0, 0); }

/* A process arms its timer before it blocks (sleep, receive ... after, a
 * deadline on I/O), so the timer may fire on another worker before
 * after_block has published the wait: try_wake then finds it running and
 * the wake would be lost (the process slept for ever; seen as a hang of
 * actors/timer_sleep under TSan).  So a timer first leaves its token in
 * timer_fired, which after_block reads after publishing (seq_cst on both
 * sides: one of the two sees the other).  Tokens are unique, so a token
 * left from an earlier episode never matches. */
static bool thr_wake_token(uint64_t pid, uint64_t token, WakeReason why) {
    Proc *p = proc_find(pid);
    if (!p) return false;
    if (why == WK_TIMEOUT) atomic_store_explicit(&p->timer_fired, token & TOKEN_MASK, memory_order_seq_cst);
    return try_wake(p, why, token, TOKEN_MASK);
}

/* Block the running process (W_IO: poll.c holds an exit signal until the
 * process is off its fd's waiter list; W_BLOCKING: bpool.c, until the job
 * returned). */
static WakeReason thr_block(WaitKind kind, uint64_t token) {
    Proc *p = self_worker()->cur;
    assert(p && p->state == PS_RUNNING);
    proc_prepare_block(p, kind);
    p->wait = (uint8_t)kind;
    p->wait_token = token;
    p->wake = WK_NONE;
    if (EV_ON()) ev_full(EV_BLOCK, p->pid, EV_NOPID, 0, -1, blocked_event_label(p, kind), NULL);
    switch_out(p, OP_BLOCK);
    proc_resumed(p);
    return (WakeReason)p->wake;
}

static void thr_requeue(EvKind why) {
    Worker *w = self_worker();
    Proc *p = w ? w->cur : NULL;
    if (!p) {
        proc_self_hot()->reds = INT32_MAX;
        return;
    }
    if (EV_ON()) ev_pids(why, p->pid, EV_NOPID);
    switch_out(p, OP_YIELD);
    proc_resumed(p);
}

static void thr_preempt(void) { thr_requeue(EV_PREEMPT); }
static void thr_yield(void) { thr_requeue(EV_YIELD); }

static int64_t thr_now(void) { return now_ms(); }

static void thr_sleep_until(int64_t deadline) {
    Proc *p = thr_current();
    if (!p || deadline <= now_ms()) return;
    uint64_t tok = timer_new_seq();
    timer_add_wake(deadline, p->pid, tok, tok);
    if (EV_ON()) ev_full(EV_TIMER_SET, p->pid, p->pid, tok, deadline, "sleep", NULL);
    thr_block(W_SLEEP, tok);
}

__attribute__((noreturn)) static void thr_exit_current(void) {
    Worker *w = self_worker();
    Proc *p = w->cur;
    p->state = PS_DEAD;
    w->op = OP_EXIT;
#ifdef THR_ASAN
    __sanitizer_start_switch_fiber(NULL, w->asan_lo, w->asan_size);
#endif
#ifdef SNOW_TSAN
    __tsan_switch_to_fiber(w->tsan_fiber, 0);
#endif
    ctx_switch(&p->ctx, &w->ctx);
    __builtin_unreachable();
}

static void thr_timer_armed(int64_t deadline) {
    if (!T.running) return;
    mt_lock(&T.idle_lock);
    bool kick = T.poller && !T.kicked && deadline < T.poll_deadline;
    if (kick) T.poll_deadline = deadline; /* it re-arms after waking */
    mt_unlock(&T.idle_lock);
    if (kick) kick_poller();
}

static int thr_worker_id(void) {
    Worker *w = self_worker();
    return w ? w->id : -1;
}

static void thr_init(const RtConfig *cfg) {
    memset(&T, 0, sizeof T);
    T.n = cfg->threads > 0 ? cfg->threads : 1;
    T.w = aligned_alloc(64, sizeof(Worker) * (size_t)T.n);
    if (!T.w) xalloc_fail(sizeof(Worker) * (size_t)T.n);
    memset(T.w, 0, sizeof(Worker) * (size_t)T.n);
    for (int i = 0; i < T.n; i++) {
        T.w[i].id = i;
        T.w[i].rng = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
        T.w[i].limbo_next = LIMBO_MAX;
        T.w[i].home = stack_home(i);
        atomic_init(&T.w[i].epoch, QS_OFFLINE);
    }
    atomic_init(&T.epoch, 1);
    T.poll_deadline = INT64_MAX;
    clock_gettime(CLOCK_MONOTONIC, &T.t0);
    ev_clock = thr_now;
    ev_worker = thr_worker_id;
}

static int thr_run(Proc *main) {
    (void)main;
    T.running = true;
    for (int i = 1; i < T.n; i++)
        if (!mt_thread_start(&T.w[i].thread, worker_thread, &T.w[i], 1u << 20))
            rt_fatal("cannot start worker thread %d", i);
    Worker *w0 = &T.w[0]; /* this thread is worker 0 */
    worker_start(w0);
    worker_loop(w0);
    qs_offline(w0);
    set_self_worker(NULL);
    stack_thread_leave();
    for (int i = 1; i < T.n; i++) mt_thread_join(&T.w[i].thread);
    T.running = false;
    for (int i = 0; i < T.n; i++) { /* nobody else runs: free everything retired */
        Worker *w = &T.w[i];
        for (size_t k = 0; k < w->nlimbo; k++) w->limbo[k].fn(w->limbo[k].ptr);
        w->nlimbo = 0;
    }
    if (T.status == 101) {
        blocked_report_deadlock(stderr);
        return 101;
    }
    proc_discard_all(); /* §6: silently, no notifications */
    timer_clear();
    return T.status;
}

static void thr_shutdown(void) {
    if (!T.w) return;
    for (int i = 0; i < T.n; i++) free(T.w[i].limbo);
    free(T.w);
    T.w = NULL;
    bpool_shutdown();
    ev_worker = NULL;
}

const SchedOps sched_threads_ops = {
    .name = "threads",
    .init = thr_init,
    .run = thr_run,
    .shutdown = thr_shutdown,
    .current = thr_current,
    .spawned = thr_spawned,
    .wake = thr_wake,
    .wake_token = thr_wake_token,
    .block = thr_block,
    .preempt = thr_preempt,
    .yield = thr_yield,
    .now = thr_now,
    .run_blocking = bpool_run,
    .sleep_until = thr_sleep_until,
    .exit_current = thr_exit_current,
    .retire = thr_retire,
    .timer_armed = thr_timer_armed,
};
