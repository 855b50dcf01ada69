/* poll.c — the I/O poller (see poll.h for the model and invariants).
 *
 * Per fd, a PollFd in a page table indexed by fd number (pages are never
 * freed; the table is reset at poll_shutdown).  Its lock guards the
 * readiness set, the tick and the waiter list; readiness is applied by the
 * backends (poll_run_threads / poll_run_det), always through apply():
 * under the lock it adds the readiness and takes the waiters it concerns
 * off the list (storing what they get in Proc.io_fired), then, outside the
 * lock, journals it and wakes them by (pid, token).
 *
 * epoll data: fd | generation << 32, so readiness collected by one worker
 * for an fd that another worker unregistered meanwhile (and maybe
 * registered again) is dropped, not applied to the new registration.
 */
#include "poll.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event.h"
#include "iolog.h"
#include "mt.h"
#include "proc_private.h"
#include "rt.h"
#include "xalloc.h"
#include "sched.h"
#include "timer.h"

#define PF_PAGE 512
#define PF_PAGES 2048 /* fds up to 1 048 575 */
#define BELL_TAG UINT64_MAX
#define EV_BATCH 64

enum { PF_NONE, PF_EPOLL, PF_ALWAYS };

typedef struct PollFd {
    MtLock lk;
    uint32_t gen;       /* registration generation (epoll data) */
    uint8_t state;      /* PF_NONE / PF_EPOLL / PF_ALWAYS */
    bool blocking;      /* O_NONBLOCK was clear at registration */
    bool socket;        /* a socket (writes use MSG_NOSIGNAL) */
    uint16_t ready;     /* readiness seen and not cleared */
    uint32_t tick;      /* +1 per readiness report */
    Proc *head, *tail;  /* waiters, in arrival order (Proc.iow_*) */
} PollFd;

static struct {
    int epfd, bell;               /* -1 outside rt_init .. rt_shutdown */
    PollFd *_Atomic pages[PF_PAGES];
    MtLock page_lock;
    _Atomic int pending;          /* waiters + blocking jobs */
    _Atomic int daemons;          /* waiters that do not keep the program alive (proc_set_daemon) */
    pthread_mutex_t post_lock;    /* a real lock even when !rt_mt: pool threads post under --threads 1 */
    PollPost *posts;              /* posted wakes, newest first */
    _Atomic bool has_posts;
} P = {.epfd = -1, .bell = -1, .post_lock = PTHREAD_MUTEX_INITIALIZER};

static PollFd *pf_get(int fd, bool create) {
    if (fd < 0 || fd >= PF_PAGE * PF_PAGES) return NULL;
    PollFd *pg = atomic_load_explicit(&P.pages[fd / PF_PAGE], memory_order_acquire);
    if (!pg && create) {
        mt_lock(&P.page_lock);
        pg = atomic_load_explicit(&P.pages[fd / PF_PAGE], memory_order_relaxed);
        if (!pg) {
            pg = xcalloc(PF_PAGE, sizeof *pg);
            atomic_store_explicit(&P.pages[fd / PF_PAGE], pg, memory_order_release);
        }
        mt_unlock(&P.page_lock);
    }
    return pg ? &pg[fd % PF_PAGE] : NULL;
}

/* What a waiter for `events` hears about. */
static int interest(int events) {
    return events | POLLERR | POLLHUP | POLLNVAL | (events & POLLIN ? POLLRDHUP : 0);
}

int poll_pending(void) { return atomic_load_explicit(&P.pending, memory_order_seq_cst); }
int poll_daemons(void) { return atomic_load_explicit(&P.daemons, memory_order_seq_cst); }

void poll_pending_add(int delta) { atomic_fetch_add_explicit(&P.pending, delta, memory_order_seq_cst); }

/* ---- registration ------------------------------------------------------------------------ */

/* IO_ADD results: < 0 an error, else these bits. */
enum { ADD_ALWAYS = 1, ADD_BLOCKING = 2, ADD_SOCKET = 4 };

static int64_t add_live(int fd, PollFd *pf) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0) return -errno;
    int64_t res = (fl & O_NONBLOCK) ? 0 : ADD_BLOCKING;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) res |= ADD_SOCKET;
    if (P.epfd < 0) return res | ADD_ALWAYS; /* no run: nothing parks, a read may block */
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                             .data.u64 = (uint64_t)(uint32_t)fd | (uint64_t)(pf->gen + 1) << 32};
    if (epoll_ctl(P.epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
        if (errno != EPERM) return -errno;
        res |= ADD_ALWAYS; /* a regular file: epoll cannot watch it, it never blocks */
    }
    return res;
}

int poll_add(int fd) {
    PollFd *pf = pf_get(fd, true);
    if (!pf) return EBADF;
    mt_lock(&pf->lk);
    if (pf->state != PF_NONE) {
        mt_unlock(&pf->lk);
        return 0;
    }
    int64_t res = iolog_replaying() ? iolog_take(IO_ADD, fd, NULL, 0, NULL) : add_live(fd, pf);
    if (res >= 0) {
        pf->gen++;
        pf->state = (res & ADD_ALWAYS) ? PF_ALWAYS : PF_EPOLL;
        pf->blocking = (res & ADD_BLOCKING) != 0;
        pf->socket = (res & ADD_SOCKET) != 0;
        pf->ready = 0;
        pf->tick++;
    }
    mt_unlock(&pf->lk);
    if (iolog_active()) iolog_note(IO_ADD, fd, res, NULL, 0);
    return res < 0 ? (int)-res : 0;
}

/* Under pf's lock: take every waiter off the list with `got`. */
static size_t take_waiters(PollFd *pf, int revents, uint64_t *pids, uint64_t *toks, size_t max, bool all);

void poll_del(int fd) {
    PollFd *pf = pf_get(fd, false);
    if (!pf) return;
    for (;;) {
        uint64_t pids[32], toks[32];
        mt_lock(&pf->lk);
        if (pf->state == PF_EPOLL && P.epfd >= 0 && !iolog_replaying()) epoll_ctl(P.epfd, EPOLL_CTL_DEL, fd, NULL);
        if (pf->state != PF_NONE) pf->gen++;
        pf->state = PF_NONE;
        pf->ready = 0;
        size_t n = take_waiters(pf, POLLNVAL, pids, toks, 32, true);
        mt_unlock(&pf->lk);
        for (size_t i = 0; i < n; i++) sched_wake_token(pids[i], toks[i], WK_IO);
        if (n < 32) return;
    }
}

static bool pf_query(int fd, int what) {
    PollFd *pf = pf_get(fd, false);
    if (!pf) return false;
    mt_lock(&pf->lk);
    bool r = what == 0 ? pf->state != PF_NONE : what == 1 ? pf->state == PF_ALWAYS : what == 2 ? pf->blocking : pf->socket;
    mt_unlock(&pf->lk);
    return r;
}

bool poll_has(int fd) { return pf_query(fd, 0); }
bool poll_always_ready(int fd) { return pf_query(fd, 1); }
bool poll_fd_blocking(int fd) { return pf_query(fd, 2); }
bool poll_fd_socket(int fd) { return pf_query(fd, 3); }

uint32_t poll_tick(int fd) {
    PollFd *pf = pf_get(fd, false);
    if (!pf) return 0;
    mt_lock(&pf->lk);
    uint32_t t = pf->tick;
    mt_unlock(&pf->lk);
    return t;
}

void poll_clear(int fd, int events, uint32_t tick) {
    PollFd *pf = pf_get(fd, false);
    if (!pf) return;
    mt_lock(&pf->lk);
    if (pf->tick == tick) pf->ready &= (uint16_t)~(events & (POLLIN | POLLOUT));
    mt_unlock(&pf->lk);
}

/* ---- waiting -------------------------------------------------------------------------------- */

static void waiter_unlink(PollFd *pf, Proc *p) {
    if (p->iow_prev) p->iow_prev->iow_next = p->iow_next;
    else pf->head = p->iow_next;
    if (p->iow_next) p->iow_next->iow_prev = p->iow_prev;
    else pf->tail = p->iow_prev;
    p->iow_next = p->iow_prev = NULL;
    p->iow_linked = false;
    atomic_fetch_sub_explicit(p->daemon ? &P.daemons : &P.pending, 1, memory_order_seq_cst);
}

static size_t take_waiters(PollFd *pf, int revents, uint64_t *pids, uint64_t *toks, size_t max, bool all) {
    size_t n = 0;
    for (Proc *q = pf->head, *nx; q && n < max; q = nx) {
        nx = q->iow_next;
        int got = all ? revents : revents & interest(q->iow_events);
        if (!got) continue;
        pids[n] = q->pid;
        toks[n] = q->iow_token;
        n++;
        waiter_unlink(pf, q);
        /* before the wake: the threaded scheduler's re-check reads it */
        atomic_store_explicit(&q->io_fired, got, memory_order_seq_cst);
    }
    return n;
}

/* Outside processes: block the thread. */
static int wait_thread(int fd, int events, int64_t deadline) {
    int timeout = -1;
    if (deadline >= 0) {
        int64_t d = deadline - sched_now();
        timeout = d <= 0 ? 0 : d > 1000000 ? 1000000 : (int)d;
    }
    struct pollfd pfd = {.fd = fd, .events = (short)events};
    int r;
    do r = poll(&pfd, 1, timeout);
    while (r < 0 && errno == EINTR);
    return r > 0 ? pfd.revents : r == 0 ? 0 : POLLERR;
}

int poll_wait(int fd, int events, int64_t deadline) {
    Proc *p = sched_current();
    if (!p) return wait_thread(fd, events, deadline);
    PollFd *pf = pf_get(fd, false);
    if (!pf) return POLLNVAL;
    mt_lock(&pf->lk);
    int r = pf->state == PF_NONE ? POLLNVAL : pf->state == PF_ALWAYS ? events : pf->ready & interest(events);
    if (r) {
        mt_unlock(&pf->lk);
        return r;
    }
    uint64_t tok = timer_new_seq();
    p->iow_fd = fd;
    p->iow_events = (int16_t)events;
    p->iow_token = tok;
    atomic_store_explicit(&p->io_fired, 0, memory_order_relaxed);
    p->iow_next = NULL;
    p->iow_prev = pf->tail;
    if (pf->tail) pf->tail->iow_next = p;
    else pf->head = p;
    pf->tail = p;
    p->iow_linked = true;
    atomic_fetch_add_explicit(p->daemon ? &P.daemons : &P.pending, 1, memory_order_seq_cst);
    mt_unlock(&pf->lk);
    if (deadline >= 0) timer_add_wake(deadline, p->pid, tok, tok);
    p->exit_held = true; /* off the list before any unwind */
    sched_block(p->daemon ? W_OTHER : W_IO, tok); /* a daemon's wait does not keep the program alive */
    p->exit_held = false;
    mt_lock(&pf->lk);
    if (p->iow_linked) waiter_unlink(pf, p);
    mt_unlock(&pf->lk);
    r = atomic_load_explicit(&p->io_fired, memory_order_acquire);
    proc_resumed(p); /* an exit signal held meanwhile */
    return r;
}

void poll_forget(Proc *p) {
    if (!p->iow_linked) return;
    PollFd *pf = pf_get(p->iow_fd, false);
    mt_lock(&pf->lk);
    if (p->iow_linked) waiter_unlink(pf, p);
    mt_unlock(&pf->lk);
}

/* ---- applying readiness ------------------------------------------------------------------ */

typedef struct Key {
    bool det;
    uint64_t step, epoch;
} Key;

/* Readiness `revents` for fd (registration generation gen, or any when
 * gen == 0): record it, journal it, wake the waiters it concerns. */
static int apply(int fd, uint32_t gen, int revents, const Key *key) {
    PollFd *pf = pf_get(fd, false);
    if (!pf) return 0;
    int woken = 0;
    bool first = true;
    for (;;) {
        uint64_t pids[32], toks[32];
        mt_lock(&pf->lk);
        if (pf->state != PF_EPOLL || (gen && pf->gen != gen)) {
            mt_unlock(&pf->lk);
            return woken;
        }
        if (first) {
            pf->ready |= (uint16_t)revents;
            pf->tick++;
        }
        size_t n = take_waiters(pf, revents, pids, toks, 32, false);
        mt_unlock(&pf->lk);
        if (first && iolog_active())
            iolog_note_ready(key->step, key->epoch, fd, revents, n ? pids[0] : EV_NOPID);
        first = false;
        for (size_t i = 0; i < n; i++) woken += sched_wake_token(pids[i], toks[i], WK_IO);
        if (n < 32) return woken;
    }
}

/* ---- doorbell and posted wakes ------------------------------------------------------------ */

void poll_kick(void) {
    uint64_t one = 1;
    ssize_t r = write(P.bell, &one, sizeof one);
    (void)r;
}

void poll_post(PollPost *x) {
    pthread_mutex_lock(&P.post_lock);
    x->next = P.posts;
    P.posts = x;
    atomic_store_explicit(&P.has_posts, true, memory_order_release);
    pthread_mutex_unlock(&P.post_lock);
    poll_kick();
}

static int deliver_posts(void) {
    if (!atomic_load_explicit(&P.has_posts, memory_order_acquire)) return 0;
    pthread_mutex_lock(&P.post_lock);
    PollPost *x = P.posts;
    P.posts = NULL;
    atomic_store_explicit(&P.has_posts, false, memory_order_relaxed);
    pthread_mutex_unlock(&P.post_lock);
    int woken = 0;
    while (x) {
        /* read everything first: once io_fired is set the poster may return
         * and its node (on its stack) be gone */
        PollPost *next = x->next;
        Proc *p = x->p;
        uint64_t pid = p->pid, tok = x->token;
        atomic_store_explicit(&p->io_fired, 1, memory_order_seq_cst);
        woken += sched_wake_token(pid, tok, WK_OTHER);
        x = next;
    }
    return woken;
}

/* ---- backends -------------------------------------------------------------------------------- */

static int epoll_collect(struct epoll_event *evs, int timeout_ms) {
    int n = epoll_wait(P.epfd, evs, EV_BATCH, timeout_ms);
    return n < 0 ? 0 : n; /* EINTR: as if nothing happened */
}

void poll_collect(PollBatch *b, int timeout_ms, bool drain_bell) {
    struct epoll_event evs[EV_BATCH];
    int n = epoll_collect(evs, timeout_ms);
    b->n = 0;
    b->drained = false;
    for (int i = 0; i < n; i++) {
        if (evs[i].data.u64 == BELL_TAG) {
            if (drain_bell && !b->drained) {
                uint64_t v;
                ssize_t r = read(P.bell, &v, sizeof v);
                (void)r;
                b->drained = true;
            }
            continue;
        }
        b->ev[b->n].data = evs[i].data.u64;
        b->ev[b->n].events = evs[i].events;
        b->n++;
    }
}

int poll_dispatch(const PollBatch *b) {
    static const Key none = {0};
    int woken = 0;
    for (int i = 0; i < b->n; i++)
        woken += apply((int)(uint32_t)b->ev[i].data, (uint32_t)(b->ev[i].data >> 32), (int)b->ev[i].events, &none);
    return woken + deliver_posts();
}

int poll_run_threads(int timeout_ms) {
    PollBatch b;
    poll_collect(&b, timeout_ms, timeout_ms != 0);
    return poll_dispatch(&b);
}

typedef struct Ready {
    int fd;
    uint32_t gen;
    int revents;
} Ready;

static int ready_cmp(const void *a, const void *b) {
    const Ready *x = a, *y = b;
    return (x->fd > y->fd) - (x->fd < y->fd);
}

int poll_run_det(int timeout_ms, uint64_t step, uint64_t epoch) {
    Key key = {true, step, epoch};
    int woken = 0;
    if (iolog_replaying()) {
        int fd, revents;
        bool any = false;
        while (iolog_take_ready(step, epoch, &fd, &revents)) {
            any = true;
            woken += apply(fd, 0, revents, &key);
        }
        return !any && timeout_ms < 0 ? -1 : woken;
    }
    struct epoll_event evs[EV_BATCH];
    int n = epoll_collect(evs, timeout_ms);
    while (n > 0) {
        Ready r[EV_BATCH];
        int k = 0;
        for (int i = 0; i < n; i++) {
            uint64_t d = evs[i].data.u64;
            if (d == BELL_TAG) continue;
            r[k++] = (Ready){(int)(uint32_t)d, (uint32_t)(d >> 32), (int)evs[i].events};
        }
        qsort(r, (size_t)k, sizeof *r, ready_cmp); /* the kernel's order is not ours */
        for (int i = 0; i < k; i++) woken += apply(r[i].fd, r[i].gen, r[i].revents, &key);
        n = n == EV_BATCH ? epoll_collect(evs, 0) : 0;
    }
    return woken;
}

/* ---- lifetime ------------------------------------------------------------------------------- */

/* Forget every registration and waiter. */
static void reset_table(void) {
    for (int i = 0; i < PF_PAGES; i++) {
        PollFd *pg = atomic_load_explicit(&P.pages[i], memory_order_relaxed);
        for (int j = 0; pg && j < PF_PAGE; j++) {
            if (pg[j].state != PF_NONE) pg[j].gen++;
            pg[j].state = PF_NONE;
            pg[j].ready = 0;
            pg[j].head = pg[j].tail = NULL;
        }
    }
    atomic_store_explicit(&P.pending, 0, memory_order_relaxed);
    atomic_store_explicit(&P.daemons, 0, memory_order_relaxed);
    P.posts = NULL;
    atomic_store_explicit(&P.has_posts, false, memory_order_relaxed);
}

void poll_init(void) {
    if (P.epfd >= 0) poll_shutdown();
    reset_table(); /* fds registered without a poller (outside a run) were "always ready" */
    P.epfd = epoll_create1(EPOLL_CLOEXEC);
    P.bell = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (P.epfd < 0 || P.bell < 0) rt_fatal("cannot create the I/O poller: %s", strerror(errno));
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = BELL_TAG}; /* level: every poller sees it */
    if (epoll_ctl(P.epfd, EPOLL_CTL_ADD, P.bell, &ev) != 0) rt_fatal("epoll_ctl: %s", strerror(errno));
}

void poll_shutdown(void) {
    reset_table();
    if (P.epfd >= 0) close(P.epfd);
    if (P.bell >= 0) close(P.bell);
    P.epfd = P.bell = -1;
}
