/* timer.h — the runtime's timers on the scheduler clock (decision 24):
 * process wake-ups (Timer.sleep, receive `after` deadlines) and
 * Timer.send_after deliveries, in one min-heap ordered by (deadline,
 * creation sequence) so simultaneous timers fire in creation order.
 *
 * Invariants:
 *  - seq numbers come from one counter (timer_new_seq) and are unique;
 *    they double as wake tokens (sched.h).
 *  - A wake timer never points at a process: it names (pid, token) and is
 *    ignored if the process has moved on (stale timers are harmless).
 *  - A send timer owns its message fragment until it fires or is dropped;
 *    delivery to a dead pid discards it.
 */
#ifndef SNOW_TIMER_H
#define SNOW_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gc.h"
#include "value.h"

enum { TM_WAKE = 1, TM_SEND = 2 };

typedef struct Timer {
    int64_t deadline; /* ms on the scheduler clock */
    uint64_t seq;     /* creation order; also the wake token */
    int kind;         /* TM_WAKE / TM_SEND */
    uint64_t pid;     /* process to wake / to deliver to */
    uint64_t token;   /* TM_WAKE: the wait token */
    uint64_t from;    /* TM_SEND: the sender (events) */
    Frag *frag;       /* TM_SEND: the message's fragment (NULL if none) */
    Value val;        /* TM_SEND: the message */
} Timer;

uint64_t timer_new_seq(void);
void timer_add_wake(int64_t deadline, uint64_t pid, uint64_t token, uint64_t seq);
/* Copy msg out of the current heap and deliver it to pid at the deadline. */
uint64_t timer_add_send(int64_t deadline, uint64_t pid, Value msg);

size_t timer_count(void);
bool timer_next_deadline(int64_t *deadline);
/* The earliest deadline without locking (INT64_MAX: none); may be stale by
 * the time it is used, so it only decides whether to look. */
int64_t timer_next_hint(void);
/* Pop every timer due at or before `now`, in (deadline, seq) order, into a
 * buffer owned by the timer module (valid until the next call; under the
 * threaded scheduler only one worker fires timers at a time, see
 * sched_threads.c). */
size_t timer_pop_due(int64_t now, Timer **out);
/* Carry out a popped timer (wake its process or deliver its message). */
void timer_fire(Timer *t);
/* Drop every pending timer (program end). */
void timer_clear(void);

/* Builtins: Timer.sleep(ms) -> (), Timer.send_after(pid, ms, msg) -> (). */
Value timer_bi_sleep(Value *args, int nargs);
Value timer_bi_send_after(Value *args, int nargs);

#endif
