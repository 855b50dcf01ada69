/* bpool.h — the blocking pool of the threaded scheduler: where
 * sched_run_blocking's work runs, so that no scheduler thread ever blocks
 * (architecture.md §4: file I/O, SQLite, DNS lookups).
 *
 * Invariants:
 *  - A job lives on the calling process's stack; the process stays parked
 *    in W_BLOCKING until the job has returned and its completion has been
 *    delivered through the poller (poll_post: doorbell, then a worker wakes
 *    it).  Meanwhile its stack slot is pinned (stack.h: STACK_PINNED, its
 *    frames are never copied out) and exit signals wait (to
 *    the caller's next scheduling point after the job: see bpool_run).
 *  - Threads are started on demand (one more whenever a job finds none
 *    idle), up to BPOOL_MAX; they run jobs in FIFO order and touch no Snow
 *    heap.  bpool_shutdown joins them (rt_shutdown: no job is in flight,
 *    since a job keeps the program alive).
 */
#ifndef SNOW_BPOOL_H
#define SNOW_BPOOL_H

#define BPOOL_MAX 16

/* sched_run_blocking under the threaded scheduler (inline outside processes). */
void bpool_run(void (*fn)(void *), void *arg);
/* Stop and join the pool's threads. */
void bpool_shutdown(void);
/* Threads started so far (tests). */
int bpool_threads(void);

#endif
