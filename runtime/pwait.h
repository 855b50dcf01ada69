/* pwait.h — processes waiting, in order, for something another process
 * hands over: a connection checked into a pool (net/pool.c) is given to the
 * first process waiting for one.  A condition variable for processes, with
 * a hand-off instead of a broadcast.
 *
 * Use (the queue is guarded by the owner's lock, `lk` below):
 *
 *     lock(lk);
 *     ... nothing available:
 *     PWaiter *w = pwait_enqueue(&q, "a connection from a pool");
 *     unlock(lk);
 *     pwait_park(w, deadline);           // parks this process only
 *     lock(lk);
 *     void *got = pwait_leave(&q, w);    // what a waker handed over, or NULL
 *     unlock(lk);
 *     ... put `got` back if we are not going to use it ...
 *     pwait_done();                       // an exit signal held meanwhile acts now
 *
 *     waker: lock(lk); PWaiter *w = pwait_pop(&q);
 *            if (w) pwait_give(w, item, &wk); // under lk
 *            unlock(lk); pwait_wake(&wk);     // wk filled by pwait_give
 *
 * Invariants:
 *  - A waiter record is malloc'd, never on the waiting process's stack: a
 *    parked process's frames may be copied out of its shared stack slot
 *    (stack.h), so nothing may write into them while it is parked.
 *  - A waiter is on at most one queue; it leaves it either by pwait_pop
 *    (a waker took it, and hands over `gift`, possibly NULL for "closed")
 *    or by pwait_remove (it gave up).  Both happen under the owner's lock,
 *    so exactly one of the two happens and a gift is never lost.
 *  - Exit signals are held from pwait_enqueue to pwait_done: a waiter
 *    killed while parked first leaves the queue and returns its gift.
 *  - pwait_give marks the waiter's process before the wake is sent, and the
 *    threaded scheduler re-checks the mark after a process publishes that it
 *    blocks (as for I/O readiness), so a wake that comes "too early" is not
 *    lost.  The wake itself is sent after the lock is released.
 */
#ifndef SNOW_PWAIT_H
#define SNOW_PWAIT_H

#include <stdbool.h>
#include <stdint.h>

typedef struct Proc Proc;

typedef struct PWaiter {
    struct PWaiter *next, *prev;
    Proc *p;
    uint64_t pid, token;
    bool linked;
    void *gift;
} PWaiter;

typedef struct PWaitQ {
    PWaiter *head, *tail;
    uint32_t n;
} PWaitQ;

/* A wake to send after the owner's lock is released. */
typedef struct PWake {
    uint64_t pid, token;
} PWake;

/* Under the owner's lock: queue the running process (at the back).
 * `what` names the wait in deadlock reports ("a connection from a pool").
 * The record is the caller's until pwait_leave. */
PWaiter *pwait_enqueue(PWaitQ *q, const char *what);
/* Without the lock: park until handed something or the deadline (ms on
 * sched_now's clock, < 0 none) passes or an exit signal comes. */
void pwait_park(PWaiter *w, int64_t deadline);
/* Under the lock: the waiter leaves the queue (if a waker did not take it
 * off) and gets what was handed over (NULL: nothing, or "closed"); frees w. */
void *pwait_leave(PWaitQ *q, PWaiter *w);
/* After the waiter has settled its gift: act on an exit signal held
 * since pwait_enqueue (may unwind the process). */
void pwait_done(void);

/* Under the lock: the first waiter (taken off), or NULL. */
PWaiter *pwait_pop(PWaitQ *q);
/* Under the lock: hand `gift` to a popped waiter (it stays the waiter's
 * record: the waker forgets it); *wk is the wake to send. */
void pwait_give(PWaiter *w, void *gift, PWake *wk);
/* Without the lock: send the wake (harmless if the waiter has gone). */
void pwait_wake(const PWake *wk);

#endif
