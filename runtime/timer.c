/* timer.c — timer heap, Timer.sleep and Timer.send_after (see timer.h).
 * Unlocked: driven by the deterministic scheduler's single thread. */
#include "timer.h"

#include <stdlib.h>

#include "event.h"
#include "proc.h"
#include "rt.h"
#include "sched.h"

static struct {
    Timer *h;      /* binary min-heap on (deadline, seq) */
    size_t n, cap;
    Timer *due;    /* timer_pop_due's result buffer */
    size_t capdue;
    uint64_t seq;
} T;

uint64_t timer_new_seq(void) { return ++T.seq; }

static bool before(const Timer *a, const Timer *b) {
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

static void push(Timer t) {
    if (T.n == T.cap) {
        T.cap = T.cap ? T.cap * 2 : 64;
        T.h = realloc(T.h, T.cap * sizeof *T.h);
        if (!T.h) rt_fatal("out of memory");
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

void timer_add_wake(int64_t deadline, uint64_t pid, uint64_t token, uint64_t seq) {
    push((Timer){.deadline = deadline, .seq = seq, .kind = TM_WAKE, .pid = pid, .token = token});
}

uint64_t timer_add_send(int64_t deadline, uint64_t pid, Value msg) {
    Timer t = {.deadline = deadline, .seq = timer_new_seq(), .kind = TM_SEND, .pid = pid};
    Proc *self = proc_self();
    t.from = self ? self->pid : EV_NOPID;
    Value copy;
    t.frag = frag_copy(msg, &copy);
    t.val = t.frag ? copy : msg;
    if (EV_ON()) ev_full(EV_TIMER_SET, t.from, pid, t.seq, deadline, "send_after", &t.val);
    push(t);
    return t.seq;
}

size_t timer_count(void) { return T.n; }

bool timer_next_deadline(int64_t *deadline) {
    if (!T.n) return false;
    *deadline = T.h[0].deadline;
    return true;
}

size_t timer_pop_due(int64_t now, Timer **out) {
    size_t k = 0;
    while (T.n && T.h[0].deadline <= now) {
        if (k == T.capdue) {
            T.capdue = T.capdue ? T.capdue * 2 : 64;
            T.due = realloc(T.due, T.capdue * sizeof *T.due);
            if (!T.due) rt_fatal("out of memory");
        }
        T.due[k++] = pop();
    }
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
    for (size_t i = 0; i < T.n; i++)
        if (T.h[i].kind == TM_SEND && T.h[i].frag) frag_free(T.h[i].frag);
    free(T.h);
    free(T.due);
    T.h = T.due = NULL;
    T.n = T.cap = T.capdue = 0;
    T.seq = 0; /* no timer or wait token is left: a new run starts at 1 */
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
