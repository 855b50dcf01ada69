/* bpool.c — the blocking pool (see bpool.h).  A mutex and a condition
 * variable guard the job queue; the completion goes back through the
 * poller (poll.h, PollPost), never straight to the scheduler, so that a
 * lone worker blocked in epoll_wait is woken too. */
#include "bpool.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <pthread.h>

#include "mt.h"
#include "poll.h"
#include "proc_private.h"
#include "rt.h"
#include "sched.h"
#include "timer.h"

typedef struct BJob {
    PollPost done;       /* posted when fn has returned */
    void (*fn)(void *);
    void *arg;
    struct BJob *next;   /* queue */
} BJob;

/* pthread's, not C11's mtx_t: ThreadSanitizer does not see glibc's C11
 * locks (they bypass the pthread entry points it intercepts). */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t work; /* a job was queued, or stop */
    BJob *head, *tail;
    int nthreads, idle;
    bool stop;
    MtThread threads[BPOOL_MAX];
} B = {.lock = PTHREAD_MUTEX_INITIALIZER, .work = PTHREAD_COND_INITIALIZER};

static void *pool_thread(void *unused) {
    (void)unused;
    pthread_mutex_lock(&B.lock);
    for (;;) {
        while (!B.head && !B.stop) {
            B.idle++;
            pthread_cond_wait(&B.work, &B.lock);
            B.idle--;
        }
        if (!B.head) break; /* stop, and nothing left */
        BJob *j = B.head;
        B.head = j->next;
        if (!B.head) B.tail = NULL;
        pthread_mutex_unlock(&B.lock);
        j->fn(j->arg);
        poll_post(&j->done); /* j is the caller's again once the poller has it */
        pthread_mutex_lock(&B.lock);
    }
    pthread_mutex_unlock(&B.lock);
    return NULL;
}

void bpool_run(void (*fn)(void *), void *arg) {
    Proc *p = sched_current();
    if (!p) {
        fn(arg);
        return;
    }
    proc_resumed(p); /* an exit signal already pending: no new work */
    BJob j = {.done = {.p = p, .token = timer_new_seq()}, .fn = fn, .arg = arg};
    atomic_store_explicit(&p->io_fired, 0, memory_order_relaxed);
    poll_pending_add(1); /* the program is not quiescent, and a worker polls */
    pthread_mutex_lock(&B.lock);
    if (B.tail) B.tail->next = &j;
    else B.head = &j;
    B.tail = &j;
    if (B.idle == 0 && B.nthreads < BPOOL_MAX) {
        if (mt_thread_start(&B.threads[B.nthreads], pool_thread, NULL, 1u << 20)) B.nthreads++;
        else if (B.nthreads == 0) rt_fatal("cannot start a blocking-pool thread");
    }
    pthread_cond_signal(&B.work);
    pthread_mutex_unlock(&B.lock);
    p->exit_held = true; /* the job may write into our stack until it is done */
    while (!atomic_load_explicit(&p->io_fired, memory_order_acquire)) sched_block(W_BLOCKING, j.done.token);
    p->exit_held = false;
    poll_pending_add(-1);
    /* an exit signal that came meanwhile is acted on at the next scheduling
     * point, not here: the caller first takes what the job produced (a
     * malloc'd buffer) */
}

void bpool_shutdown(void) {
    if (!B.nthreads) return;
    pthread_mutex_lock(&B.lock);
    B.stop = true;
    pthread_cond_broadcast(&B.work);
    pthread_mutex_unlock(&B.lock);
    for (int i = 0; i < B.nthreads; i++) mt_thread_join(&B.threads[i]);
    pthread_mutex_lock(&B.lock);
    B.nthreads = 0;
    B.stop = false;
    pthread_mutex_unlock(&B.lock);
}

int bpool_threads(void) {
    pthread_mutex_lock(&B.lock);
    int n = B.nthreads;
    pthread_mutex_unlock(&B.lock);
    return n;
}
