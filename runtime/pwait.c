/* pwait.c — processes waiting for a hand-over (see pwait.h). */
#include "pwait.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "blocked.h"
#include "proc_private.h"
#include "sched.h"
#include "timer.h"
#include "xalloc.h"

PWaiter *pwait_enqueue(PWaitQ *q, const char *what) {
    Proc *p = proc_self();
    PWaiter *w = xmalloc(sizeof *w); /* not on our stack: see pwait.h */
    w->p = p;
    w->pid = p ? p->pid : 0;
    w->token = timer_new_seq();
    w->gift = NULL;
    w->next = NULL;
    w->prev = q->tail;
    if (q->tail) q->tail->next = w;
    else q->head = w;
    q->tail = w;
    q->n++;
    w->linked = true;
    if (p) {
        atomic_store_explicit(&p->io_fired, 0, memory_order_relaxed);
        p->exit_held = true; /* off the queue (and the gift settled) before any unwind */
        blocked_on(BW_RESOURCE, 0, what, NULL);
    }
    return w;
}

static void unlink_w(PWaitQ *q, PWaiter *w) {
    if (w->prev) w->prev->next = w->next;
    else q->head = w->next;
    if (w->next) w->next->prev = w->prev;
    else q->tail = w->prev;
    q->n--;
    w->next = w->prev = NULL;
    w->linked = false;
}

void *pwait_leave(PWaitQ *q, PWaiter *w) {
    if (w->linked) unlink_w(q, w);
    void *gift = w->gift;
    free(w);
    return gift;
}

void pwait_park(PWaiter *w, int64_t deadline) {
    Proc *p = w->p;
    if (!p) return; /* outside processes nothing can hand over while we wait */
    if (deadline >= 0) timer_add_wake(deadline, p->pid, w->token, w->token);
    /* a gift sets io_fired before its wake; any other wake (timer, exit
     * signal) ends the wait too */
    if (!atomic_load_explicit(&p->io_fired, memory_order_acquire)) sched_block(W_RESOURCE, w->token);
}

void pwait_done(void) {
    Proc *p = proc_self();
    if (!p) return;
    blocked_clear(p);
    p->exit_held = false;
    proc_resumed(p);
}

PWaiter *pwait_pop(PWaitQ *q) {
    PWaiter *w = q->head;
    if (w) unlink_w(q, w);
    return w;
}

void pwait_give(PWaiter *w, void *gift, PWake *wk) {
    w->gift = gift;
    wk->pid = w->pid;
    wk->token = w->token;
    /* the waiter cannot leave pwait before it takes the owner's lock, so
     * its Proc is alive here */
    if (w->p) atomic_store_explicit(&w->p->io_fired, 1, memory_order_seq_cst);
}

void pwait_wake(const PWake *wk) {
    if (wk->pid) sched_wake_token(wk->pid, wk->token, WK_OTHER);
}
