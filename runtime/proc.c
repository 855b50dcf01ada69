/* proc.c — processes: table, spawn, send, receive support, exits, crash
 * isolation, links, monitors, registry builtins and the runtime entry
 * points.  See proc.h for the model and invariants.
 *
 * Exit sequence (decision 23), always on the dying process's own stack:
 *   unwind to the base frame -> terminate closure (not for Killed; a panic
 *   in it is printed and ignored) -> name removed + no longer alive ->
 *   links signalled -> monitors' Down -> mailbox freed -> final switch.
 */
#include "proc.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blocked.h"
#include "event.h"
#include "handle.h"
#include "iolog.h"
#include "output.h"
#include "poll.h"
#include "proc_private.h"
#include "registry.h"
#include "rt.h"
#include "str.h"
#include "timer.h"
#include "vals.h"
#include "xalloc.h"

void (*proc_backtrace_hook)(FILE *out);
void (*proc_scan_hook)(Heap *h, void *interp);
void (*proc_unwound_hook)(ProcHot *hot);
void (*proc_interp_free_hook)(void *interp);
void (*proc_exit_hook)(int status);
void (*proc_main_start_hook)(void);

/* ---- process table: pages of 1024 slots indexed by serial --------------------
 * Serials only grow, so a page whose serials have all been allocated and
 * have all died is freed; lookups are four plain loads (serial bound,
 * directory, page, slot).
 *
 * Threads: serials come from an atomic counter; the directory and the pages
 * are created, grown and removed under PT.grow (once per 1024 spawns), and
 * readers never lock: a replaced directory or an emptied page is handed to
 * sched_retire, so a reader that loaded it keeps reading valid memory until
 * its next scheduling point.  A page counts the serials it has left alive
 * (`left`, starting at 1024, decremented at each death), so "all allocated
 * and all dead" is one atomic decrement reaching 0. */

#define PT_BITS 10
#define PT_PAGE (1u << PT_BITS)

typedef struct PtPage {
    Proc *_Atomic slot[PT_PAGE];
    _Atomic uint64_t left; /* serials of this page not yet dead (allocated or not) */
} PtPage;

typedef struct PtDir {
    size_t n;
    PtPage *_Atomic page[];
} PtDir;

static struct {
    /* read by every lookup: kept apart from the counters spawns and exits
     * write on every worker */
    _Alignas(64) PtDir *_Atomic dir;
    MtLock grow;               /* directory growth, page creation and removal */
    _Alignas(64) _Atomic uint64_t next_serial;
    _Alignas(64) _Atomic uint64_t next_ref; /* monitor refs, from 1 */
} PT;

static PtDir *pt_dir(void) { return atomic_load_explicit(&PT.dir, memory_order_acquire); }

static PtPage *pt_page_at(PtDir *dir, size_t d) {
    return dir && d < dir->n ? atomic_load_explicit(&dir->page[d], memory_order_acquire) : NULL;
}

/* The page for serial, created (and the directory grown) if needed. */
static PtPage *pt_page_make(uint64_t serial) {
    size_t d = (size_t)(serial >> PT_BITS);
    PtPage *pg = pt_page_at(pt_dir(), d);
    if (pg) return pg;
    mt_lock(&PT.grow);
    PtDir *dir = pt_dir();
    if (!dir || d >= dir->n) {
        size_t n = dir ? dir->n * 2 : 64;
        while (n <= d) n *= 2;
        PtDir *nd = xcalloc(1, sizeof *nd + n * sizeof nd->page[0]);
        nd->n = n;
        for (size_t i = 0; dir && i < dir->n; i++)
            atomic_init(&nd->page[i], atomic_load_explicit(&dir->page[i], memory_order_relaxed));
        atomic_store_explicit(&PT.dir, nd, memory_order_release);
        if (dir) sched_retire(dir, free);
        dir = nd;
    }
    pg = atomic_load_explicit(&dir->page[d], memory_order_relaxed);
    if (!pg) {
        pg = xcalloc(1, sizeof *pg);
        atomic_init(&pg->left, PT_PAGE);
        atomic_store_explicit(&dir->page[d], pg, memory_order_release);
    }
    mt_unlock(&PT.grow);
    return pg;
}

/* Serials: one counter; with several worker threads each takes a block of
 * 64 at a time, so spawns on different workers do not share a cache line
 * (serials stay unique and never reused, but are no longer in spawn order
 * across workers). */
#define SERIAL_BLOCK 64
static _Thread_local struct {
    uint64_t next, end;
} serials;

__attribute__((noinline)) static void reset_serials(void) { serials.next = serials.end = 0; }

__attribute__((noinline)) static uint64_t pt_reserve_mt(void) {
    if (serials.next == serials.end) {
        serials.next = atomic_fetch_add_explicit(&PT.next_serial, SERIAL_BLOCK, memory_order_relaxed);
        serials.end = serials.next + SERIAL_BLOCK;
    }
    return serials.next++;
}

static uint64_t pt_reserve(void) {
    if (rt_mt) return pt_reserve_mt();
    return mt_add(&PT.next_serial, 1);
}

/* Make p (fully initialised, p->pid set) findable. */
static void pt_publish(Proc *p) {
    uint64_t serial = pid_serial(p->pid);
    PtPage *pg = pt_page_make(serial);
    atomic_store_explicit(&pg->slot[serial & (PT_PAGE - 1)], p, memory_order_release);
}

static void pt_remove(uint64_t pid) {
    uint64_t serial = pid_serial(pid);
    size_t d = (size_t)(serial >> PT_BITS);
    PtDir *dir = pt_dir();
    PtPage *pg = pt_page_at(dir, d);
    assert(pg && atomic_load_explicit(&pg->slot[serial & (PT_PAGE - 1)], memory_order_relaxed));
    atomic_store_explicit(&pg->slot[serial & (PT_PAGE - 1)], NULL, memory_order_release);
    if (mt_sub(&pg->left, 1) == 1) { /* every serial of the page allocated and dead */
        mt_lock(&PT.grow);
        dir = pt_dir();
        atomic_store_explicit(&dir->page[d], NULL, memory_order_release);
        mt_unlock(&PT.grow);
        sched_retire(pg, free);
    }
}

static inline __attribute__((always_inline)) Proc *pt_find(uint64_t pid) {
    if (pid >> 40) return NULL; /* remote (node/creation set) */
    uint64_t serial = pid_serial(pid); /* a serial not yet allocated has an empty slot */
    PtPage *pg = pt_page_at(pt_dir(), (size_t)(serial >> PT_BITS));
    return pg ? atomic_load_explicit(&pg->slot[serial & (PT_PAGE - 1)], memory_order_acquire) : NULL;
}

Proc *proc_find(uint64_t pid) { return pt_find(pid); }

/* Counted by scanning the table (tests and tools only): no counter shared
 * by spawns and exits, whose cache line would bounce between workers. */
size_t proc_count(void) {
    size_t n = 0;
    PtDir *dir = pt_dir();
    for (size_t d = 0; dir && d < dir->n; d++) {
        PtPage *pg = pt_page_at(dir, d);
        for (size_t i = 0; pg && i < PT_PAGE; i++)
            if (atomic_load_explicit(&pg->slot[i], memory_order_relaxed)) n++;
    }
    return n;
}

uint64_t proc_spawned_total(void) { return atomic_load_explicit(&PT.next_serial, memory_order_relaxed); }

/* ---- identity -------------------------------------------------------------------- */

static ProcHot dummy_hot = {.reds = INT32_MAX};

__attribute__((noinline)) Proc *proc_self(void) { return sched_current(); }

__attribute__((noinline)) ProcHot *proc_self_hot(void) {
    Proc *p = sched_current();
    return p ? &p->hot : &dummy_hot;
}

uint64_t proc_self_pid(void) {
    Proc *p = proc_self();
    return p ? p->pid : EV_NOPID;
}

/* ---- small vectors ------------------------------------------------------------------ */

#define VEC_PUSH(arr, n, cap, x)                                             \
    do {                                                                     \
        if ((n) == (cap)) {                                                  \
            (cap) = (cap) ? (cap) * 2 : 4;                                   \
            (arr) = xrealloc((arr), (size_t)(cap) * sizeof *(arr));           \
        }                                                                    \
        (arr)[(n)++] = (x);                                                  \
    } while (0)

static bool pids_remove(uint64_t *v, uint32_t *n, uint64_t pid) {
    for (uint32_t i = 0; i < *n; i++)
        if (v[i] == pid) {
            memmove(v + i, v + i + 1, (size_t)(*n - i - 1) * sizeof *v);
            (*n)--;
            return true;
        }
    return false;
}

static bool pids_has(const uint64_t *v, uint32_t n, uint64_t pid) {
    for (uint32_t i = 0; i < n; i++)
        if (v[i] == pid) return true;
    return false;
}

static bool mons_in_remove(Proc *p, uint64_t ref) {
    for (uint32_t i = 0; i < p->nmons_in; i++)
        if (p->mons_in[i].ref == ref) {
            memmove(p->mons_in + i, p->mons_in + i + 1, (size_t)(p->nmons_in - i - 1) * sizeof *p->mons_in);
            p->nmons_in--;
            return true;
        }
    return false;
}

static bool mons_out_remove_kind(Proc *p, uint64_t ref, uint64_t *target, uint32_t *kind) {
    for (uint32_t i = 0; i < p->nmons_out; i++)
        if (p->mons_out[i].ref == ref) {
            if (target) *target = p->mons_out[i].target;
            if (kind) *kind = p->mons_out[i].kind;
            memmove(p->mons_out + i, p->mons_out + i + 1, (size_t)(p->nmons_out - i - 1) * sizeof *p->mons_out);
            p->nmons_out--;
            return true;
        }
    return false;
}

static bool mons_out_remove(Proc *p, uint64_t ref, uint64_t *target) {
    return mons_out_remove_kind(p, ref, target, NULL);
}

static bool is_remote(uint64_t pid) { return pid_node(pid) != 0; }

const ProcRemote *proc_remote;
void proc_set_remote(const ProcRemote *r) { proc_remote = r; }

/* ---- reasons ---------------------------------------------------------------------- */

Value proc_reason(int xr) { return val_exit_reason(xr); }
Value proc_reason_error(const char *msg, size_t len) { return val_exit_error(str_new(msg, len)); }
Value proc_reason_linked(uint64_t pid, Value inner) { return val_exit_linked(pid, inner); }

static int reason_kind(Value r) {
    if (r.tag != T_VARIANT) return -1;
    return (int)r.aux;
}

/* ---- records: a dead process's record is reused by a later spawn on the
 * same thread.  Spawns and exits come in bursts of thousands, far more than
 * glibc's thread cache keeps (7 blocks per size), and its slow paths cost
 * more than the rest of a spawn.  Thread-local, so only reached through
 * these out-of-line functions (a process may resume on another thread). */

#define RECORD_CACHE_MAX 4096

static _Thread_local struct {
    Proc *head; /* linked through q_next */
    uint32_t n;
} records;

__attribute__((noinline)) static Proc *record_alloc(void) {
    Proc *p = records.head;
    if (p) {
        records.head = p->q_next;
        records.n--;
    } else {
        p = xmalloc(sizeof *p); /* not calloc: glibc's calloc bypasses the thread cache */
    }
    __asm__ volatile("" : : "r"(p) : "memory"); /* or the compiler makes it calloc */
    memset(p, 0, sizeof *p);
    return p;
}

__attribute__((noinline)) static void record_free(Proc *p) {
    if (records.n < RECORD_CACHE_MAX) {
        p->q_next = records.head;
        records.head = p;
        records.n++;
    } else {
        free(p);
    }
}

__attribute__((noinline)) void proc_records_flush(void) {
    while (records.head) {
        Proc *p = records.head;
        records.head = p->q_next;
        free(p);
    }
    records.n = 0;
}

/* ---- spawn ------------------------------------------------------------------------- */

static Value copy_out(Value v, Frag **f) {
    Value c;
    *f = frag_copy(v, &c);
    return *f ? c : v;
}

/* Remove pid from p's links (under p's lock); true if it was there. */
static bool links_del(Proc *p, uint64_t pid) {
    mt_lock(&p->lk);
    bool had = pids_remove(p->links, &p->nlinks, pid);
    mt_unlock(&p->lk);
    return had;
}

/* Link a (the running process or the spawner) and b.  a's side first: if b
 * turns out to be exiting, b's exit has not seen a and a's side is undone,
 * so links stay symmetric.  Returns false if b is already exiting. */
static bool link_pair(Proc *a, Proc *b) {
    mt_lock(&a->lk);
    if (pids_has(a->links, a->nlinks, b->pid)) {
        mt_unlock(&a->lk);
        return true;
    }
    VEC_PUSH(a->links, a->nlinks, a->caplinks, b->pid);
    mt_unlock(&a->lk);
    mt_lock(&b->lk);
    bool alive = !b->gone;
    if (alive && !pids_has(b->links, b->nlinks, a->pid)) VEC_PUSH(b->links, b->nlinks, b->caplinks, a->pid);
    mt_unlock(&b->lk);
    if (!alive) {
        links_del(a, b->pid);
        return false;
    }
    if (EV_ON()) ev_pids(EV_LINK, a->pid, b->pid);
    return true;
}

uint64_t proc_spawn(Value fn, int argc, const Value *argv, const SpawnOpts *o) {
    Proc *self = proc_self();
    Proc *p = record_alloc();
    p->pid = pid_make(0, 0, pt_reserve());
    p->state = PS_NEW;
    p->hot.reds = PROC_REDUCTIONS;
    mbox_init(&p->mbox);
    p->parent = self ? self->pid : EV_NOPID;
    p->name = o ? o->name : NULL;
    p->argc = (uint32_t)argc;
    /* one block: frags[argc + 2] then argv[argc] */
    size_t nf = (size_t)argc + 2;
    size_t fbytes = nf * sizeof(Frag *) + (size_t)argc * sizeof(Value);
    p->frags = xmalloc(fbytes);
    __asm__ volatile("" : : "r"(p->frags) : "memory");
    memset(p->frags, 0, fbytes);
    p->argv = (Value *)(p->frags + nf);
    p->fn = copy_out(fn, &p->frags[0]);
    for (int i = 0; i < argc; i++) p->argv[i] = copy_out(argv[i], &p->frags[i + 1]);
    p->terminate = v_unit();
    if (o && o->terminate.tag == T_FUNC) p->terminate = copy_out(o->terminate, &p->frags[argc + 1]);
    p->reason = v_unit();
    pt_publish(p);
    if (EV_ON()) ev_full(EV_SPAWN, p->parent, p->pid, 0, 0, p->name, NULL);
    if (o && o->link && self) link_pair(self, p);
    if (self && self->pause_depth) {
        p->paused = true;
        VEC_PUSH(self->paused_kids, self->npaused, self->cappaused, p);
    } else {
        sched_spawned(p);
    }
    return p->pid;
}

Proc *proc_new_main(Value main_fn) {
    assert(proc_spawned_total() == 0 && "main must be the first process");
    uint64_t pid = proc_spawn(main_fn, 0, NULL, NULL);
    Proc *p = proc_find(pid);
    p->is_main = true;
    return p;
}

void proc_set_terminate(Value closure) {
    Proc *p = proc_self();
    if (p) p->terminate = closure;
}

static void release_paused(Proc *p, uint32_t from) {
    for (uint32_t i = from; i < p->npaused; i++) {
        Proc *k = p->paused_kids[i];
        k->paused = false;
        sched_spawned(k);
    }
    p->npaused = from;
}

uint32_t proc_pause_begin(void) {
    Proc *p = proc_self();
    p->pause_depth++;
    return p->npaused;
}

void proc_pause_end(uint32_t token) {
    Proc *p = proc_self();
    assert(p->pause_depth > 0 && token <= p->npaused);
    (void)token;
    if (--p->pause_depth == 0) release_paused(p, 0);
}

/* ---- messages -------------------------------------------------------------------------- */

void proc_deliver(uint64_t pid, uint32_t kind, uint64_t from, Frag *f, Value v) {
    Proc *t = pt_find(pid);
    if (!t) {
        if (f) frag_free(f);
        return;
    }
    mbox_push(&t->mbox, mbox_entry_from_frag(kind, from, f, v));
    sched_wake(t, WK_MSG);
}

void proc_send_kind(uint64_t pid, uint32_t kind, Value msg) {
    Proc *self = proc_self();
    uint64_t from = self ? self->pid : EV_NOPID;
    if (EV_ON()) ev_val(EV_SEND, from, pid, msg, kind);
    Proc *t = pt_find(pid);
    if (!t) { /* dead or unknown: dropped; remote: to its node */
        if (is_remote(pid) && kind == MB_USER && proc_remote) proc_remote->send(from, pid, msg);
        return;
    }
    mbox_push(&t->mbox, mbox_entry_new(kind, from, msg));
    sched_wake(t, WK_MSG);
}

void proc_send(uint64_t pid, Value msg) { proc_send_kind(pid, MB_USER, msg); }

/* A system message (Down / Exit), built in the current heap. */
static void send_signal_kind(Proc *to, uint32_t kind, uint64_t from, Value sig) {
    mbox_push(&to->mbox, mbox_entry_new(kind, from, sig));
    sched_wake(to, WK_MSG);
}
static void send_signal(Proc *to, uint64_t from, Value sig) { send_signal_kind(to, MB_SIGNAL, from, sig); }

Mbox *proc_mbox(void) { return &proc_self()->mbox; }
Mbox *proc_mailbox(Proc *p) { return &p->mbox; }

void proc_recv_begin(RecvWait *w, int64_t timeout_ms) {
    Proc *p = proc_self();
    w->deadline = timeout_ms < 0 ? -1 : sched_now() + timeout_ms;
    w->after = timeout_ms != RECV_NO_AFTER;
    w->token = timer_new_seq();
    w->timer_set = false;
    w->outer = p->recv;
    p->recv = w;
}

bool proc_recv_wait(RecvWait *w) {
    Proc *p = proc_self();
    assert(p->recv == w);
    if (w->deadline >= 0) {
        if (w->deadline <= sched_now()) return false;
        if (!w->timer_set) {
            timer_add_wake(w->deadline, p->pid, w->token, w->token);
            if (EV_ON()) ev_full(EV_TIMER_SET, p->pid, p->pid, w->token, w->deadline, "receive", NULL);
            w->timer_set = true;
        }
    }
    /* something arrived after the caller's scan drained the inbox */
    if (atomic_load_explicit(&p->mbox.inbox, memory_order_acquire)) return true;
    WakeReason r = sched_block(w->after ? W_RECV_AFTER : W_RECV, w->token);
    return r == WK_MSG;
}

void proc_recv_end(RecvWait *w) {
    Proc *p = proc_self();
    assert(p->recv == w);
    p->recv = w->outer;
    blocked_clear(p);
}

/* ---- unwinding ------------------------------------------------------------------------- */

static void frame_push(Proc *p, UnwindFrame *f, bool catches_exit, bool quiet) {
    f->prev = p->unwind;
    f->seg = p->stack.seg;
    f->recv = p->recv;
    f->pause_depth = p->pause_depth;
    f->npaused = p->npaused;
    f->catches_exit = catches_exit;
    f->quiet = quiet;
    f->report = false;
    p->unwind = f;
}

static UnwindFrame *unwind_target(Proc *p) {
    UnwindFrame *f = p->unwind;
    if (p->unwinding == UW_EXIT)
        while (f && !f->catches_exit) f = f->prev;
    return f;
}

_Noreturn void proc_unwind_continue(Proc *p) {
    UnwindFrame *f = unwind_target(p);
    if (!f) rt_fatal("unwind without a landing frame in <0.%" PRIu64 ">", pid_serial(p->pid));
    if (p->stack.seg != f->seg) longjmp(p->stack.seg->jb, 1);
    longjmp(f->jb, 1);
}

/* Back on frame f after an unwind: restore the state it saved and pop it. */
static void landed(Proc *p, UnwindFrame *f) {
    p->unwind = f->prev;
    p->recv = f->recv;
    if (p->pause_depth > f->pause_depth) {
        p->pause_depth = f->pause_depth;
        if (p->pause_depth == 0) release_paused(p, 0);
    }
    if (proc_unwound_hook) proc_unwound_hook(&p->hot);
}

static void print_pid(FILE *out, uint64_t pid) {
    char b[48];
    ev_fmt_pid(pid, b, sizeof b);
    fputs(b, out);
}

/* The program ends at once (main crashed).  With other worker threads
 * still running processes, _exit: atexit handlers and destructors would
 * free what those threads are using. */
static void exit_program(int status) {
    if (proc_exit_hook) {
        proc_exit_hook(status);
        return;
    }
    ev_close();
    if (rt_mt) {
        fflush(stdout);
        fflush(stderr);
        _exit(status);
    }
    exit(status);
}

static void panic_handler(const char *msg, size_t len) {
    Proc *p = proc_self();
    if (!p) {
        fflush(stdout);
        fprintf(stderr, "panic: %.*s\n", (int)len, msg);
        fflush(stderr);
        exit(101);
    }
    char *copy = xmalloc(len + 1);
    memcpy(copy, msg, len);
    copy[len] = 0;
    free(p->panic_msg);
    p->panic_msg = copy;
    UnwindFrame *f = p->unwind;
    bool quiet = f && f->quiet, report = f && f->report;
    if (EV_ON()) ev_full(EV_PANIC, p->pid, EV_NOPID, 0, 0, copy, NULL);
    if (!quiet) {
        fflush(stdout);
        flockfile(stderr); /* one report at a time (worker threads) */
        if (p->is_main || report) {
            fprintf(stderr, "panic: %s\n", copy);
            if (proc_backtrace_hook) proc_backtrace_hook(stderr);
            fflush(stderr);
            funlockfile(stderr);
            if (!report) exit_program(101);
        } else {
            fputs("panic in ", stderr);
            print_pid(stderr, p->pid);
            fprintf(stderr, ": %s\n", copy);
            if (proc_backtrace_hook) proc_backtrace_hook(stderr);
            fflush(stderr);
            funlockfile(stderr);
        }
    }
    p->unwinding = UW_PANIC;
    proc_unwind_continue(p);
}

static bool catch_panic(void (*fn)(void *), void *arg, char *msg, size_t cap, bool report) {
    Proc *p = proc_self();
    UnwindFrame f;
    frame_push(p, &f, false, !report);
    f.report = report;
    if (setjmp(f.jb) == 0) {
        fn(arg);
        assert(p->unwind == &f);
        p->unwind = f.prev;
        return true;
    }
    landed(p, &f);
    p->unwinding = 0;
    if (cap) snprintf(msg, cap, "%s", p->panic_msg ? p->panic_msg : "");
    return false;
}

bool proc_catch(void (*fn)(void *), void *arg, char *msg, size_t cap) { return catch_panic(fn, arg, msg, cap, false); }

bool proc_catch_report(void (*fn)(void *), void *arg) { return catch_panic(fn, arg, NULL, 0, true); }

/* Exit the running process now with `reason` (Process.exit on itself). */
static _Noreturn void die_now(Proc *p, Value reason, bool kill) {
    if (!p->in_terminate) {
        p->reason = reason;
        p->killed = kill;
    }
    p->unwinding = UW_EXIT;
    proc_unwind_continue(p);
}

void proc_resumed(Proc *p) {
    if (!atomic_load_explicit(&p->exit_pending, memory_order_acquire) || !p->unwind || p->exit_held) return;
    mt_lock(&p->lk);
    atomic_store_explicit(&p->exit_pending, false, memory_order_relaxed);
    bool interrupt = p->pending_interrupt;
    p->pending_interrupt = false;
    Value r = p->pending_reason;
    Frag *f = p->pending_frag;
    p->pending_frag = NULL;
    bool kill = p->pending_kill;
    mt_unlock(&p->lk);
    if (interrupt) {
        if (!p->unwinding && !p->in_terminate) rt_panic("interrupted");
        return;
    }
    if (f) heap_adopt(p->heap, f);
    die_now(p, r, kill);
}

void proc_interrupt(uint64_t pid) {
    Proc *t = proc_find(pid);
    if (!t || t == proc_self()) return;
    mt_lock(&t->lk);
    if (!t->gone && !atomic_load_explicit(&t->exit_pending, memory_order_relaxed)) {
        t->pending_interrupt = true;
        atomic_store_explicit(&t->exit_pending, true, memory_order_seq_cst);
        sched_wake(t, WK_SIGNAL);
    }
    mt_unlock(&t->lk);
}

/* Ask process t (not the running one; its lock held by the caller) to
 * exit with `reason`.  t may be on another worker, acting on an earlier
 * signal; the sequentially consistent store of exit_pending pairs with the
 * threaded scheduler's re-check after t publishes that it blocks.  Signals
 * are queued with the target's lock held, so once an unlink, demonitor or
 * trap_exit change returns (under the same lock) no signal decided before
 * it can arrive after it. */
static void send_exit_locked(Proc *t, Value reason, bool kill) {
    assert(t != proc_self());
    if (t->gone || (atomic_load_explicit(&t->exit_pending, memory_order_relaxed) && !t->pending_interrupt &&
                    (t->pending_kill || !kill)))
        return; /* first signal wins; Killed upgrades; an exit replaces an interrupt */
    t->pending_interrupt = false;
    Frag *old = t->pending_frag;
    t->pending_reason = copy_out(reason, &t->pending_frag);
    t->pending_kill = kill;
    atomic_store_explicit(&t->exit_pending, true, memory_order_seq_cst);
    if (old) frag_free(old);
    sched_wake(t, WK_SIGNAL);
}

/* ---- the process body and its exit --------------------------------------------------- */

static void scan_roots(Heap *h, void *ctx) {
    Proc *p = ctx;
    char *lo, *hi;
    stack_active_region(&p->stack, &lo, &hi);
    if (p == proc_self()) gc_mark_current_stack(h, hi);
    else if (p->stack.hi && p->ctx.sp && !p->stack.hib) gc_mark_range(h, p->ctx.sp, hi); /* resident frames */
    for (StackSeg *g = p->stack.seg; g; g = g->prev)
        gc_mark_range(h, g->prev_sp, g->prev ? g->prev->hi : p->stack.hi);
    gc_mark_value(h, p->fn);
    gc_mark_value(h, p->terminate);
    gc_mark_value(h, p->reason);
    if (proc_scan_hook && p->hot.interp) proc_scan_hook(h, p->hot.interp);
}

/* l's lock is held. */
static void signal_link_locked(uint64_t dying, Proc *l, Value reason) {
    int xr = reason_kind(reason);
    if (l->trap_exit) {
        if (EV_ON()) ev_full(EV_EXIT_SIGNAL, l->pid, dying, 0, 0, "trapped", &reason);
        send_signal(l, dying, val_sig_exit(dying, reason));
    } else if (xr == XR_NORMAL) {
        /* a non-trapping partner ignores a normal exit */
    } else if (xr == XR_SHUTDOWN) {
        if (EV_ON()) ev_full(EV_EXIT_SIGNAL, l->pid, dying, 0, 0, "exit", &reason);
        send_exit_locked(l, reason, false);
    } else {
        Value lr = val_exit_linked(dying, reason);
        if (EV_ON()) ev_full(EV_EXIT_SIGNAL, l->pid, dying, 0, 0, "exit", &lr);
        send_exit_locked(l, lr, false);
    }
}

static _Noreturn void finish_exit(Proc *p) {
    Value reason = p->reason;
    if (EV_ON()) ev_full(EV_EXIT, p->pid, EV_NOPID, 0, 0, NULL, &reason);
    pt_remove(p->pid); /* first: a concurrent Process.register must then fail */
    reg_remove_proc(p);
    if (proc_remote) proc_remote->exited(p->pid);
    p->state = PS_EXITING;
    int xr = reason_kind(reason);
    if (p->is_main && xr != XR_NORMAL && xr != XR_SHUTDOWN) {
        char buf[512];
        ev_fmt_hook(reason, buf, sizeof buf);
        fflush(stdout);
        fprintf(stderr, "panic: main process exited: %s\n", buf);
        fflush(stderr);
        exit_program(101);
    }
    handle_close_owned(p); /* decision 30: before the links and monitors hear of it */
    /* From here on nobody adds relations or exit signals: take the lists.
     * A partner that unlinked / demonitored meanwhile no longer lists p
     * (its side is removed first), and is then left alone. */
    mt_lock(&p->lk);
    p->gone = true;
    uint64_t *links = p->links;
    uint32_t nlinks = p->nlinks;
    MonIn *mons_in = p->mons_in;
    uint32_t nmons_in = p->nmons_in;
    MonOut *mons_out = p->mons_out;
    uint32_t nmons_out = p->nmons_out;
    p->links = NULL;
    p->mons_in = NULL;
    p->mons_out = NULL;
    p->nlinks = p->caplinks = p->nmons_in = p->capmons_in = p->nmons_out = p->capmons_out = 0;
    mt_unlock(&p->lk);
    for (uint32_t i = 0; i < nlinks; i++) {
        if (is_remote(links[i])) {
            if (proc_remote) proc_remote->exit(p->pid, links[i], reason, true);
            continue;
        }
        Proc *l = proc_find(links[i]);
        if (!l) continue;
        mt_lock(&l->lk);
        if (pids_remove(l->links, &l->nlinks, p->pid)) signal_link_locked(p->pid, l, reason);
        mt_unlock(&l->lk);
    }
    for (uint32_t i = 0; i < nmons_in; i++) {
        MonIn m = mons_in[i];
        if (is_remote(m.watcher)) {
            if (proc_remote) proc_remote->down(p->pid, m.watcher, m.ref, reason);
            continue;
        }
        Proc *w = proc_find(m.watcher);
        if (!w) continue;
        mt_lock(&w->lk);
        if (mons_out_remove(w, m.ref, NULL)) {
            if (EV_ON()) ev_full(EV_DOWN, w->pid, p->pid, m.ref, 0, NULL, &reason);
            send_signal_kind(w, m.kind, p->pid, val_sig_down(m.ref, p->pid, reason));
        }
        mt_unlock(&w->lk);
    }
    for (uint32_t i = 0; i < nmons_out; i++) {
        if (is_remote(mons_out[i].target)) {
            if (proc_remote) proc_remote->demonitor(p->pid, mons_out[i].target, mons_out[i].ref);
            continue;
        }
        Proc *t = proc_find(mons_out[i].target);
        if (!t) continue;
        mt_lock(&t->lk);
        mons_in_remove(t, mons_out[i].ref);
        mt_unlock(&t->lk);
    }
    free(links);
    free(mons_in);
    free(mons_out);
    p->pause_depth = 0;
    release_paused(p, 0);
    mbox_destroy(&p->mbox);
    sched_exit_current();
}

static void run_terminate(Proc *p) {
    if (p->killed || p->terminate.tag != T_FUNC) return;
    UnwindFrame tf;
    frame_push(p, &tf, true, false);
    p->in_terminate = true;
    p->unwinding = 0;
    if (setjmp(tf.jb) == 0) {
        rt_apply(p->terminate, 0, NULL);
        p->unwind = tf.prev;
    } else {
        landed(p, &tf);
    }
    p->unwinding = 0;
    p->in_terminate = false;
}

_Noreturn void proc_main(Proc *p) {
    p->heap = heap_new();
    heap_set_roots(p->heap, scan_roots, p);
    heap_set_current(p->heap);
    uint32_t argc = p->argc;
    VAL_BUF(args, argc);
    for (uint32_t i = 0; i < argc + 2; i++)
        if (p->frags[i]) heap_adopt(p->heap, p->frags[i]);
    for (uint32_t i = 0; i < argc; i++) args[i] = p->argv[i];
    free(p->frags);
    p->frags = NULL;
    p->argv = NULL;
    UnwindFrame base;
    frame_push(p, &base, true, false);
    if (setjmp(base.jb) == 0) {
        proc_resumed(p); /* an exit signal that arrived before the first run */
        if (p->is_main && proc_main_start_hook) proc_main_start_hook();
        rt_apply(p->fn, (int)argc, args);
        p->unwind = base.prev;
        p->reason = proc_reason(XR_NORMAL);
    } else {
        landed(p, &base);
        if (p->unwinding == UW_PANIC) {
            const char *m = p->panic_msg ? p->panic_msg : "";
            p->reason = proc_reason_error(m, strlen(m));
        }
    }
    p->unwinding = 0;
    p->recv = NULL;
    run_terminate(p);
    finish_exit(p);
}

void proc_prepare_block(Proc *p, WaitKind kind) {
    /* What a process printed before it sleeps or waits for input (a
     * prompt) is visible at once.  Not before a receive: every actor
     * blocks in one per message, and a write(2) per line made a printing
     * ping-pong into a file 3-4x slower; a receive that lasts ends in the
     * scheduler's idle flush, or in the output thread's within 100 ms. */
    if (kind == W_SLEEP || kind == W_IO) out_flush();
    stack_trim(&p->stack, &p->hot.stack_limit, (const char *)__builtin_frame_address(0));
}

void proc_release(Proc *p) {
    if (p->frags) {
        for (uint32_t i = 0; i < p->argc + 2; i++)
            if (p->frags[i]) frag_free(p->frags[i]);
        free(p->frags);
    }
    if (p->pending_frag) frag_free(p->pending_frag);
    if (p->hot.interp && proc_interp_free_hook) proc_interp_free_hook(p->hot.interp);
    heap_free(p->heap);
    stack_release(&p->stack);
    free(p->links);
    free(p->mons_in);
    free(p->mons_out);
    free(p->paused_kids);
    free(p->panic_msg);
    p->frags = NULL;
    p->pending_frag = NULL;
    p->hot.interp = NULL;
    p->heap = NULL;
    p->links = NULL;
    p->mons_in = NULL;
    p->mons_out = NULL;
    p->paused_kids = NULL;
    p->panic_msg = NULL;
}

void proc_free_record(void *p) { record_free(p); }

void proc_reap(Proc *p) {
    assert(p->state == PS_DEAD);
    proc_release(p);
    record_free(p);
}

void proc_foreach(void (*fn)(Proc *p, void *ud), void *ud) {
    PtDir *dir = pt_dir();
    for (size_t d = 0; dir && d < dir->n; d++) {
        PtPage *pg = pt_page_at(dir, d);
        for (size_t i = 0; pg && i < PT_PAGE; i++) {
            Proc *p = atomic_load_explicit(&pg->slot[i], memory_order_acquire);
            if (p) fn(p, ud);
        }
    }
}

static void forget_io(Proc *p, void *ud) {
    (void)ud;
    poll_forget(p);
}

/* Quiescence or shutdown: no process runs, on any thread. */
void proc_discard_all(void) {
    proc_foreach(forget_io, NULL); /* first: closing a resource wakes its fd's waiters */
    PtDir *dir = pt_dir();
    for (size_t d = 0; dir && d < dir->n; d++) {
        PtPage *pg = pt_page_at(dir, d);
        if (!pg) continue;
        for (size_t i = 0; i < PT_PAGE; i++) {
            Proc *p = atomic_load_explicit(&pg->slot[i], memory_order_relaxed);
            if (!p) continue;
            if (EV_ON()) ev_pids(EV_DISCARD, p->pid, EV_NOPID);
            reg_remove_proc(p);
            handle_close_owned(p);
            mbox_destroy(&p->mbox);
            pt_remove(p->pid); /* may free pg when it empties */
            proc_release(p);
            record_free(p);
            if (!pt_page_at(dir, d)) break;
        }
    }
}

/* ---- links, monitors, exits ----------------------------------------------------------- */

/* A link or monitor to a process on a node that is not connected: the
 * caller hears NoConnection at once (net.md §8.7). */
static void link_noconnection(Proc *self, uint64_t pid) {
    Value r = proc_reason(XR_NOCONNECTION);
    if (self->trap_exit) send_signal(self, pid, val_sig_exit(pid, r));
    else die_now(self, val_exit_linked(pid, r), false);
}

void proc_link(uint64_t pid) {
    Proc *self = proc_self();
    if (pid == self->pid) return;
    if (is_remote(pid)) {
        mt_lock(&self->lk);
        bool had = pids_has(self->links, self->nlinks, pid);
        if (!had) VEC_PUSH(self->links, self->nlinks, self->caplinks, pid);
        mt_unlock(&self->lk);
        if (had) return;
        if (proc_remote && proc_remote->link(self->pid, pid)) {
            if (EV_ON()) ev_pids(EV_LINK, self->pid, pid);
            return;
        }
        links_del(self, pid);
        link_noconnection(self, pid);
        return;
    }
    Proc *t = proc_find(pid);
    if (!t) {
        /* linking to a dead/unknown pid: a trapping caller is told NoProc */
        if (self->trap_exit) send_signal(self, pid, val_sig_exit(pid, proc_reason(XR_NOPROC)));
        return;
    }
    if (!link_pair(self, t) && self->trap_exit) /* it started exiting meanwhile */
        send_signal(self, pid, val_sig_exit(pid, proc_reason(XR_NOPROC)));
}

void proc_unlink(uint64_t pid) {
    Proc *self = proc_self();
    bool had = links_del(self, pid);
    if (is_remote(pid)) {
        if (had && proc_remote) proc_remote->unlink(self->pid, pid);
    } else {
        Proc *t = proc_find(pid);
        if (t) links_del(t, self->pid);
    }
    if (had && EV_ON()) ev_pids(EV_UNLINK, self->pid, pid);
}

uint64_t proc_monitor(uint64_t pid) { return proc_monitor_kind(pid, MB_SIGNAL); }

uint64_t proc_monitor_kind(uint64_t pid, uint32_t kind) {
    Proc *self = proc_self();
    uint64_t ref = mt_add(&PT.next_ref, 1) + 1;
    Proc *t = proc_find(pid);
    if (EV_ON()) ev_full(EV_MONITOR, self->pid, pid, ref, 0, NULL, NULL);
    if (is_remote(pid)) {
        MonOut out = {ref, pid, kind};
        mt_lock(&self->lk);
        VEC_PUSH(self->mons_out, self->nmons_out, self->capmons_out, out);
        mt_unlock(&self->lk);
        if (proc_remote && proc_remote->monitor(self->pid, pid, ref)) return ref;
        mt_lock(&self->lk);
        mons_out_remove(self, ref, NULL);
        mt_unlock(&self->lk);
        Value r = proc_reason(XR_NOCONNECTION);
        if (EV_ON()) ev_full(EV_DOWN, self->pid, pid, ref, 0, NULL, &r);
        send_signal_kind(self, kind, pid, val_sig_down(ref, pid, r));
        return ref;
    }
    if (t) { /* watcher's side first, as for links */
        MonIn in = {ref, self->pid, kind};
        MonOut out = {ref, pid, kind};
        mt_lock(&self->lk);
        VEC_PUSH(self->mons_out, self->nmons_out, self->capmons_out, out);
        mt_unlock(&self->lk);
        mt_lock(&t->lk);
        bool alive = !t->gone;
        if (alive) VEC_PUSH(t->mons_in, t->nmons_in, t->capmons_in, in);
        mt_unlock(&t->lk);
        if (!alive) { /* it started exiting meanwhile: as if it were dead */
            mt_lock(&self->lk);
            mons_out_remove(self, ref, NULL);
            mt_unlock(&self->lk);
            t = NULL;
        }
    }
    if (!t) {
        Value r = proc_reason(XR_NOPROC);
        if (EV_ON()) ev_full(EV_DOWN, self->pid, pid, ref, 0, NULL, &r);
        send_signal_kind(self, kind, pid, val_sig_down(ref, pid, r));
    }
    return ref;
}

uint64_t proc_monitor_ref(uint64_t pid, uint32_t kind) {
    Proc *self = proc_self();
    uint64_t ref = 0;
    mt_lock(&self->lk);
    for (uint32_t i = 0; i < self->nmons_out; i++)
        if (self->mons_out[i].target == pid && self->mons_out[i].kind == kind) {
            ref = self->mons_out[i].ref;
            break;
        }
    mt_unlock(&self->lk);
    return ref;
}

bool proc_demonitor(uint64_t ref) {
    Proc *self = proc_self();
    uint64_t target;
    mt_lock(&self->lk);
    bool had = mons_out_remove(self, ref, &target);
    mt_unlock(&self->lk);
    if (had && is_remote(target)) {
        if (proc_remote) proc_remote->demonitor(self->pid, target, ref);
    } else if (had) {
        Proc *t = proc_find(target);
        if (t) {
            mt_lock(&t->lk);
            mons_in_remove(t, ref);
            mt_unlock(&t->lk);
        }
    }
    if (EV_ON()) ev_full(EV_DEMONITOR, self->pid, EV_NOPID, ref, had, NULL, NULL);
    return had;
}

bool proc_trap_exit(bool on) {
    Proc *self = proc_self();
    mt_lock(&self->lk);
    bool prev = self->trap_exit;
    self->trap_exit = on;
    mt_unlock(&self->lk);
    return prev;
}

bool proc_is_alive(uint64_t pid) {
    if (is_remote(pid)) return proc_remote && proc_remote->alive(pid);
    return proc_find(pid) != NULL;
}

void proc_set_daemon(void) {
    Proc *p = proc_self();
    if (p) p->daemon = true;
}

/* ---- what arrives from other nodes ----------------------------------------------------- */

void proc_remote_link(uint64_t remote, uint64_t local) {
    Proc *t = proc_find(local);
    bool ok = false;
    if (t) {
        mt_lock(&t->lk);
        ok = !t->gone;
        if (ok && !pids_has(t->links, t->nlinks, remote)) VEC_PUSH(t->links, t->nlinks, t->caplinks, remote);
        mt_unlock(&t->lk);
    }
    if (!ok && proc_remote) proc_remote->exit(local, remote, proc_reason(XR_NOPROC), true);
    else if (ok && EV_ON()) ev_pids(EV_LINK, remote, local);
}

void proc_remote_unlink(uint64_t remote, uint64_t local) {
    Proc *t = proc_find(local);
    if (t) links_del(t, remote);
}

/* Process.exit semantics for a signal from `from` to t (t's lock held, t
 * not the running process). */
static void exit_signal_locked(Proc *t, uint64_t from, Value reason) {
    int xr = reason_kind(reason);
    if (xr == XR_KILLED) send_exit_locked(t, reason, true);
    else if (t->trap_exit) send_signal(t, from, val_sig_exit(from, reason));
    else if (xr != XR_NORMAL) send_exit_locked(t, reason, false);
}

void proc_remote_exit(uint64_t from, uint64_t to, Value reason, bool link) {
    Proc *t = proc_find(to);
    if (!t) return;
    mt_lock(&t->lk);
    if (!link) {
        if (EV_ON()) ev_full(EV_EXIT_SIGNAL, t->pid, from, 0, 0, "exit", &reason);
        exit_signal_locked(t, from, reason);
    } else if (pids_remove(t->links, &t->nlinks, from)) {
        signal_link_locked(from, t, reason);
    }
    mt_unlock(&t->lk);
}

void proc_remote_monitor(uint64_t watcher, uint64_t target, uint64_t ref) {
    Proc *t = proc_find(target);
    bool ok = false;
    if (t) {
        MonIn in = {ref, watcher, MB_SIGNAL};
        mt_lock(&t->lk);
        ok = !t->gone;
        if (ok) VEC_PUSH(t->mons_in, t->nmons_in, t->capmons_in, in);
        mt_unlock(&t->lk);
    }
    if (!ok && proc_remote) proc_remote->down(target, watcher, ref, proc_reason(XR_NOPROC));
}

void proc_remote_demonitor(uint64_t watcher, uint64_t target, uint64_t ref) {
    (void)watcher;
    Proc *t = proc_find(target);
    if (!t) return;
    mt_lock(&t->lk);
    mons_in_remove(t, ref);
    mt_unlock(&t->lk);
}

void proc_remote_down(uint64_t target, uint64_t watcher, uint64_t ref, Value reason) {
    Proc *w = proc_find(watcher);
    if (!w) return;
    uint32_t kind;
    mt_lock(&w->lk);
    if (mons_out_remove_kind(w, ref, NULL, &kind)) {
        if (EV_ON()) ev_full(EV_DOWN, w->pid, target, ref, 0, NULL, &reason);
        send_signal_kind(w, kind, target, val_sig_down(ref, target, reason));
    }
    mt_unlock(&w->lk);
}

/* ---- introspection ------------------------------------------------------------ */

void proc_info(Proc *p, ProcInfo *out) {
    int32_t used = PROC_REDUCTIONS - p->hot.reds;
    *out = (ProcInfo){
        .pid = p->pid,
        .parent = p->parent,
        .name = p->name,
        .is_main = p->is_main,
        .state = (ProcState)p->state,
        .wait = (WaitKind)p->wait,
        .trap_exit = p->trap_exit,
        .hibernated = p->stack.hib != NULL,
        .interp = p->hot.interp,
        .reds_used = used < 0 ? 0 : used > PROC_REDUCTIONS ? PROC_REDUCTIONS : used,
        .mailbox = mbox_peek_count(&p->mbox),
        .nlinks = p->nlinks,
        .nmons_out = p->nmons_out,
        .nmons_in = p->nmons_in,
    };
    RegEntry *re = atomic_load_explicit(&p->reg, memory_order_acquire);
    out->regname = re ? re->name : NULL;
}

bool proc_stack_readable(Proc *p) { return p->stack.hib == NULL; }

void proc_relations(Proc *p, ProcRelations *out) {
    mt_lock(&p->lk);
    out->nlinks = p->nlinks;
    out->nmons_out = p->nmons_out;
    out->nmons_in = p->nmons_in;
    out->links = xmalloc((p->nlinks + 1) * sizeof *out->links);
    out->mons_out = xmalloc((p->nmons_out + 1) * sizeof *out->mons_out);
    out->mons_in = xmalloc((p->nmons_in + 1) * sizeof *out->mons_in);
    for (uint32_t i = 0; i < p->nlinks; i++) out->links[i] = p->links[i];
    for (uint32_t i = 0; i < p->nmons_out; i++) out->mons_out[i] = (ProcMonitor){p->mons_out[i].ref, p->mons_out[i].target};
    for (uint32_t i = 0; i < p->nmons_in; i++) out->mons_in[i] = (ProcMonitor){p->mons_in[i].ref, p->mons_in[i].watcher};
    mt_unlock(&p->lk);
}

void proc_relations_free(ProcRelations *r) {
    free(r->links);
    free(r->mons_out);
    free(r->mons_in);
    *r = (ProcRelations){0};
}

void proc_exit_pid(uint64_t pid, Value reason) {
    Proc *self = proc_self();
    if (is_remote(pid)) {
        if (proc_remote) proc_remote->exit(self->pid, pid, reason, false);
        return;
    }
    Proc *t = proc_find(pid);
    if (!t) return;
    int xr = reason_kind(reason);
    if (t != self) mt_lock(&t->lk); /* decide and deliver atomically for t */
    bool trap = t->trap_exit;
    const char *effect;
    if (xr == XR_KILLED) effect = "kill";
    else if (trap) effect = "trapped";
    else if (xr == XR_NORMAL && t != self) effect = "ignored";
    else effect = "exit";
    if (EV_ON()) ev_full(EV_EXIT_SIGNAL, t->pid, self->pid, 0, 0, effect, &reason);
    if (t == self) {
        if (xr == XR_KILLED) die_now(self, reason, true);
        if (trap) send_signal(self, self->pid, val_sig_exit(self->pid, reason));
        else die_now(self, reason, false);
        return;
    }
    exit_signal_locked(t, self->pid, reason); /* a normal exit to a non-trapping process is ignored */
    mt_unlock(&t->lk);
}

/* ---- builtins ---------------------------------------------------------------------------- */

Value proc_bi_self(Value *args, int nargs) {
    (void)args, (void)nargs;
    return v_pid(proc_self()->pid);
}
Value proc_bi_send(Value *args, int nargs) {
    (void)nargs;
    proc_send(args[0].u, args[1]);
    return v_unit();
}
Value proc_bi_link(Value *args, int nargs) {
    (void)nargs;
    proc_link(args[0].u);
    return v_unit();
}
Value proc_bi_unlink(Value *args, int nargs) {
    (void)nargs;
    proc_unlink(args[0].u);
    return v_unit();
}
Value proc_bi_monitor(Value *args, int nargs) {
    (void)nargs;
    return v_ref(proc_monitor(args[0].u));
}
Value proc_bi_demonitor(Value *args, int nargs) {
    (void)nargs;
    return v_bool(proc_demonitor(args[0].u));
}
Value proc_bi_trap_exit(Value *args, int nargs) {
    (void)nargs;
    return v_bool(proc_trap_exit(args[0].i != 0));
}
Value proc_bi_exit(Value *args, int nargs) {
    (void)nargs;
    proc_exit_pid(args[0].u, args[1]);
    return v_unit();
}
Value proc_bi_is_alive(Value *args, int nargs) {
    (void)nargs;
    return v_bool(proc_is_alive(args[0].u));
}

static Value reg_result(int code, const char *name, size_t len) {
    if (code == REG_OK) return val_ok(v_unit());
    char buf[300];
    reg_error_text(code, name, len, buf, sizeof buf);
    return val_err(str_new(buf, strlen(buf)));
}

Value proc_bi_register(Value *args, int nargs) {
    (void)nargs;
    const char *name = str_data(args[0]);
    size_t len = str_len(args[0]);
    return reg_result(reg_register(name, len, args[1].u), name, len);
}
Value proc_bi_whereis(Value *args, int nargs) {
    (void)nargs;
    uint64_t pid;
    if (reg_whereis(str_data(args[0]), str_len(args[0]), &pid)) return val_some(v_pid(pid));
    return val_none();
}
Value proc_bi_unregister(Value *args, int nargs) {
    (void)nargs;
    const char *name = str_data(args[0]);
    size_t len = str_len(args[0]);
    return reg_result(reg_unregister(name, len), name, len);
}

/* ---- runtime entry points ---------------------------------------------------------------- */

const SchedOps *sched_ops = &sched_det_ops;

bool rt_init(const RtConfig *cfg) {
    if (cfg->threads > 0 && iolog_replaying()) {
        fprintf(stderr, "snow: a recorded run replays on the deterministic scheduler only\n");
        return false;
    }
    sched_ops = cfg->threads > 0 ? &sched_threads_ops : &sched_det_ops;
    rt_mt = cfg->threads > 1; /* one worker thread needs no locking */
    rt_set_panic_handler(panic_handler);
    stack_set_max(cfg->max_stack);
    if (cfg->events_path && !ev_open_file(cfg->events_path)) {
        fprintf(stderr, "snow: cannot write events to %s\n", cfg->events_path);
        return false;
    }
    poll_init();
    sched_ops->init(cfg);
    return true;
}

int rt_run_main(Value main_fn) {
    Proc *m = proc_new_main(main_fn);
    int status = sched_ops->run(m);
    fflush(stdout);
    return status;
}

void proc_runtime_reset(void) {
    proc_discard_all();
    PtDir *dir = pt_dir();
    for (size_t d = 0; dir && d < dir->n; d++) free(pt_page_at(dir, d));
    free(dir);
    atomic_store_explicit(&PT.dir, NULL, memory_order_relaxed);
    atomic_store_explicit(&PT.next_serial, 0, memory_order_relaxed);
    reset_serials();
    atomic_store_explicit(&PT.next_ref, 0, memory_order_relaxed);
}

void rt_shutdown(void) {
    sched_ops->shutdown();
    proc_runtime_reset();
    handle_reset();
    poll_shutdown();
    timer_clear();
    reg_reset();
    ev_close();
    rt_set_panic_handler(NULL);
    proc_records_flush();
    mbox_pool_flush();
    rt_mt = false;
}
