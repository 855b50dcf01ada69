/* poll.h — the I/O poller (architecture.md §4; in the spirit of Redis's
 * ae.h): file descriptors registered once, processes parked until an fd is
 * ready, and the two scheduler backends' ways of collecting readiness.
 *
 * Model (edge-triggered, as Go's netpoller and Tokio):
 *  - poll_add registers an fd for good — one epoll registration for in and
 *    out (EPOLLET), never modified, until poll_del.  (Of ae.h's register /
 *    modify / unregister there is no modify: the registration covers both
 *    directions, which costs nothing when edge-triggered, and each
 *    poll_wait names the directions it waits for.)  A file epoll cannot
 *    watch (a regular file, /dev/null) is accepted and is always ready.
 *  - Each registered fd has a readiness set.  Readiness reported by the
 *    kernel is added to it (and wakes the processes waiting for it); it is
 *    removed only by poll_clear, which an operation calls when it got
 *    EAGAIN.  So the rule for every user is the usual edge-triggered one:
 *        for (;;) { tick = poll_tick(fd); try the syscall;
 *                   if (EAGAIN) { poll_clear(fd, POLLIN, tick);
 *                                 poll_wait(fd, POLLIN, deadline); continue; }
 *                   ... }
 *    fdio.h wraps exactly this (and journals it for replay); net code should
 *    use fdio_* rather than this loop.
 *  - poll_wait parks the running process until the fd is ready for one of
 *    `events`, the deadline passes, or the fd is unregistered (POLLNVAL).
 *    Any number of processes may wait on one fd; readiness wakes all of
 *    those it concerns, in the order they started waiting.  No allocation
 *    and no system call per wait: the waiter's list node is in its Proc.
 *  - poll_del must come before close(fd): it removes the registration and
 *    wakes the fd's waiters with POLLNVAL.  (An fd closed while registered
 *    leaves a stale entry that a later fd with the same number would
 *    inherit.)
 *
 * Backends:
 *  - threaded scheduler: one epoll set; idle workers block in
 *    poll_run_threads, busy ones call it without waiting every few ticks.
 *    Other threads (the blocking pool, a timer becoming earliest) reach a
 *    blocked poller through the doorbell (an eventfd in the same set).
 *  - deterministic scheduler: poll_run_det at fixed points of the schedule
 *    (every POLL_DET_EVERY scheduling steps while processes wait for I/O,
 *    and whenever nothing is runnable).  The readiness found is applied in
 *    fd order and journaled (iolog.h: an `io` event, and, when replaying,
 *    taken from the journal instead of the kernel), so a run is a function
 *    of the program, the seed and the journal.
 *
 * Invariants:
 *  - A process is on at most one fd's waiter list (Proc.iow_*), and only
 *    while it is inside poll_wait; it removes itself (under the fd's lock)
 *    before poll_wait returns or unwinds — an exit signal that arrives
 *    meanwhile is held (Proc.exit_held) and acted on just after.
 *  - Every wake carries the waiter's episode token: a wake for an episode
 *    that already ended (timeout, signal) is ignored.
 *  - Under the threaded scheduler a process publishes "waiting" only after
 *    it switched out; the poller stores the readiness in Proc.io_fired
 *    before it tries to wake, and the worker re-reads io_fired after
 *    publishing (sched_threads.c), so a readiness is never lost.
 *  - poll_pending() counts waiters and blocking jobs in flight: while it is
 *    non-zero the program is not quiescent and some worker polls.
 */
#ifndef SNOW_POLL_H
#define SNOW_POLL_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct Proc Proc;

/* ---- the API for library code (fdio.c, lib_io.c, net/) -------------------------- */

/* Register fd (persistent, both directions).  Returns 0, or an errno value
 * (EBADF...).  Registering an fd that is already registered is a no-op. */
int poll_add(int fd);
/* Unregister fd (before closing it); its waiters wake with POLLNVAL. */
void poll_del(int fd);
/* True if fd is registered. */
bool poll_has(int fd);
/* True if fd cannot be watched (regular file...): always ready. */
bool poll_always_ready(int fd);
/* True if fd was in blocking mode (O_NONBLOCK clear) when registered: a
 * read must be preceded by a readiness probe (stdin, a terminal). */
bool poll_fd_blocking(int fd);
/* True if fd was a socket when registered (fdio writes to it with
 * MSG_NOSIGNAL: a peer that went away is EPIPE, not a SIGPIPE). */
bool poll_fd_socket(int fd);

/* Park the running process until fd is ready for `events` (POLLIN,
 * POLLOUT), the deadline (ms on sched_now's clock, < 0 = none) passes or
 * fd is unregistered.  Returns the readiness (POLLIN, POLLOUT, POLLERR,
 * POLLHUP, POLLRDHUP; POLLNVAL if fd is not registered), 0 on timeout or
 * when an exit signal interrupted the wait.  Outside a process it blocks
 * the thread in poll(2). */
int poll_wait(int fd, int events, int64_t deadline);
/* The fd's readiness counter: read it before trying an operation. */
uint32_t poll_tick(int fd);
/* The operation tried at `tick` returned EAGAIN: forget the readiness for
 * `events` unless new readiness arrived since. */
void poll_clear(int fd, int events, uint32_t tick);

/* ---- for the schedulers and the blocking pool ---------------------------- */

/* Create the epoll set and the doorbell (rt_init); close them, forget every
 * registration and waiter (rt_shutdown). */
void poll_init(void);
void poll_shutdown(void);

/* p is discarded while it may be waiting (quiescence, an abandoned run):
 * take it off its waiter list. */
void poll_forget(Proc *p);

/* Waiters + blocking jobs in flight. */
int poll_pending(void);
/* Waiters of daemon processes (proc_set_daemon: the distribution layer's
 * sessions and listener): the schedulers poll for them, but they do not
 * keep the program alive. */
int poll_daemons(void);
void poll_pending_add(int delta);

/* Threaded backend: collect readiness, waiting at most timeout_ms (0: do
 * not wait, -1: until something happens), and wake the processes concerned.
 * Ringing the doorbell ends the wait; posted wakes (poll_post) are
 * delivered by every call.  Returns the number of processes woken.  In two
 * halves for a parked worker, which must not hold process pointers while
 * it waits: poll_collect (may block; touches no process), then, once the
 * worker is back online, poll_dispatch.  The doorbell is level-triggered
 * and only the parked poller drains it (drain_bell), so a busy worker's
 * look never swallows a kick meant for the parked one. */
typedef struct PollBatch {
    int n;
    bool drained;                 /* the doorbell was drained */
    struct { uint64_t data; uint32_t events; } ev[64];
} PollBatch;
void poll_collect(PollBatch *b, int timeout_ms, bool drain_bell);
int poll_dispatch(const PollBatch *b);
int poll_run_threads(int timeout_ms);
/* Ring the doorbell: a thread blocked in poll_run_threads returns. */
void poll_kick(void);

/* A wake posted from a thread that is not a scheduler worker (the blocking
 * pool): the poller sets p->io_fired and wakes p's episode `token` with
 * WK_OTHER.  The node is owned by the poster until the wake is delivered. */
typedef struct PollPost {
    struct PollPost *next;
    Proc *p;
    uint64_t token;
} PollPost;
void poll_post(PollPost *x);

/* Deterministic backend: collect readiness (waiting at most timeout_ms),
 * apply it in fd order, journal it at scheduling position (step, epoch).
 * Returns the number of processes woken, or -1 when replaying a journal
 * that has nothing more for a wait that could only end with input. */
#define POLL_DET_EVERY 64
int poll_run_det(int timeout_ms, uint64_t step, uint64_t epoch);

#endif
