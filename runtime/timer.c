/* timer.c — timer heap, Timer.sleep and Timer.send_after (see timer.h).
 *
 * Threads: the heap is guarded by T.lock (mt.h: free under the
 * deterministic scheduler); `next` mirrors the earliest deadline so the
 * threaded scheduler checks for due timers without locking; sequence
 * numbers come from an atomic counter.  Events are emitted outside the
 * lock, and timers are fired (processes woken, messages delivered) by the
 * caller of timer_pop_due after the lock is released. */
#include "timer.h"

#include <stdlib.h>

#include "event.h"
#include "mt.h"
#include "proc.h"
#include "proc_private.h"
#include "rt.h"
#include "sched.h"
#include "xalloc.h"

static struct {
    MtLock lock;
    Timer *h;      /* binary min-heap on (deadline, seq) */
    size_t n, cap;
    Timer *due;    /* timer_pop_due's result buffer */
    size_t capdue;
    _Atomic uint64_t seq;
    _Atomic int64_t next; /* earliest deadline, INT64_MAX if none */
} T = {.next = INT64_MAX};

uint64_t timer_new_seq(void) { return mt_add(&T.seq, 1) + 1; }

int64_t timer_next_hint(void) { return atomic_load_explicit(&T.next, memory_order_acquire); }

static void set_next(void) {
    atomic_store_explicit(&T.next, T.n ? T.h[0].deadline : INT64_MAX, memory_order_release);
}

static bool before(const Timer *a, const Timer *b) {
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void push(Timer t) {
    if (T.n == T.cap) {
        T.cap = T.cap ? T.cap * 2 : 64;
        T.h = xrealloc(T.h, T.cap * sizeof *T.h);
    }
    size_t i = T.n++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!before(&t, &T.h[parent])) break;
        T.h[i] = T.h[parent];
        i = parent;
    }
    T.h[i] = t;
}

static Timer pop(void) {
    Timer top = T.h[0];
    Timer last = T.h[--T.n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= T.n) break;
        if (c + 1 < T.n && before(&T.h[c + 1], &T.h[c])) c++;
        if (!before(&T.h[c], &last)) break;
        T.h[i] = T.h[c];
        i = c;
    }
    if (T.n) T.h[i] = last;
    return top;
}

/* Push under the lock; tell the scheduler when t became the earliest. */
static void add(Timer t) {
    mt_lock(&T.lock);
    push(t);
    bool first = T.h[0].seq == t.seq;
    set_next();
    mt_unlock(&T.lock);
    if (first) sched_timer_armed(t.deadline);
}

void timer_add_wake(int64_t deadline, uint64_t pid, uint64_t token, uint64_t seq) {
    add((Timer){.deadline = deadline, .seq = seq, .kind = TM_WAKE, .pid = pid, .token = token});
}

uint64_t timer_add_send(int64_t deadline, uint64_t pid, Value msg) {
    Timer t = {.deadline = deadline, .seq = timer_new_seq(), .kind = TM_SEND, .pid = pid};
    Proc *self = proc_self();
    t.from = self ? self->pid : EV_NOPID;
    Value copy;
    t.frag = frag_copy(msg, &copy);
    t.val = t.frag ? copy : msg;
    if (EV_ON()) ev_full(EV_TIMER_SET, t.from, pid, t.seq, deadline, "send_after", &t.val);
    add(t);
    return t.seq;
}

size_t timer_count(void) {
    mt_lock(&T.lock);
    size_t n = T.n;
    mt_unlock(&T.lock);
    return n;
}

bool timer_next_deadline(int64_t *deadline) {
    mt_lock(&T.lock);
    bool any = T.n > 0;
    if (any) *deadline = T.h[0].deadline;
    mt_unlock(&T.lock);
    return any;
}

size_t timer_pop_due(int64_t now, Timer **out) {
    mt_lock(&T.lock);
    size_t k = 0;
    while (T.n && T.h[0].deadline <= now) {
        if (k == T.capdue) {
            T.capdue = T.capdue ? T.capdue * 2 : 64;
            T.due = xrealloc(T.due, T.capdue * sizeof *T.due);
        }
        T.due[k++] = pop();
    }
    set_next();
    mt_unlock(&T.lock);
    *out = T.due;
    return k;
}

void timer_fire(Timer *t) {
    if (t->kind == TM_WAKE) {
        if (sched_wake_token(t->pid, t->token, WK_TIMEOUT) && EV_ON())
            ev_full(EV_TIMER_FIRE, t->pid, t->pid, t->seq, 0, "wake", NULL);
        return;
    }
    if (EV_ON()) ev_full(EV_TIMER_FIRE, t->from, t->pid, t->seq, 0, "send_after", &t->val);
    proc_deliver(t->pid, MB_USER, t->from, t->frag, t->val);
    t->frag = NULL;
}

void timer_clear(void) {
    mt_lock(&T.lock);
    for (size_t i = 0; i < T.n; i++)
        if (T.h[i].kind == TM_SEND && T.h[i].frag) frag_free(T.h[i].frag);
    free(T.h);
    free(T.due);
    T.h = T.due = NULL;
    T.n = T.cap = T.capdue = 0;
    atomic_store_explicit(&T.seq, 0, memory_order_relaxed); /* no timer or wait token is left: a new run starts at 1 */
    set_next();
    mt_unlock(&T.lock);
}

Value timer_bi_sleep(Value *args, int nargs) {
    (void)nargs;
    int64_t ms = args[0].i;
    if (ms > 0) sched_sleep_until(sched_now() + ms);
    return v_unit();
}

Value timer_bi_send_after(Value *args, int nargs) {
    (void)nargs;
    uint64_t pid = args[0].u;
    int64_t ms = args[1].i;
    if (ms <= 0) {
        proc_send(pid, args[2]);
    } else {
        timer_add_send(sched_now() + ms, pid, args[2]);
    }
    return v_unit();
}
