/* ws_conn.c — the WsConn resource, its outgoing queue and its flusher
 * (ws_conn.h). */
#include "ws_conn.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fdio.h"
#include "handle.h"
#include "iolog.h"
#include "listen.h"
#include "poll.h"
#include "proc.h"
#include "rt.h"
#include "sched.h"
#include "sysmsg.h"
#include "ws_frame.h"
#include "ws_room.h"
#include "xalloc.h"

/* ---- references and the resource -------------------------------------------------------- */

/* The open connections.  The lock is never held with a connection's lk
 * except by the stop, which takes them in this order. */
static pthread_mutex_t all_lock = PTHREAD_MUTEX_INITIALIZER;
static WsConn *all;

static void all_add(WsConn *c) {
    pthread_mutex_lock(&all_lock);
    c->next = all;
    if (all) all->prev = c;
    all = c;
    pthread_mutex_unlock(&all_lock);
}

static void all_remove(WsConn *c) {
    pthread_mutex_lock(&all_lock);
    if (c->prev) c->prev->next = c->next;
    else if (all == c) all = c->next;
    if (c->next) c->next->prev = c->prev;
    c->prev = c->next = NULL;
    pthread_mutex_unlock(&all_lock);
}

void ws_conn_ref(WsConn *c) { atomic_fetch_add(&c->refs, 1); }

void ws_conn_unref(WsConn *c) {
    if (atomic_fetch_sub(&c->refs, 1) != 1) return;
    free(c->q);
    free(c->rooms);
    free(c);
}

/* The owner exited, or closed it: leave the rooms, stop every writer, close
 * the socket.  Never parks. */
static void res_close(void *data) {
    WsConn *c = data;
    all_remove(c);
    ws_rooms_leave_all(c);
    mt_lock(&c->lk);
    c->dead = true;
    c->closing = true;
    NetConn net = c->net;
    c->net.fd = -1;
    c->net.tls = NULL;
    free(c->q);
    c->q = NULL;
    c->head = c->len = c->cap = 0;
    mt_unlock(&c->lk);
    conn_close(&net); /* wakes a flusher waiting on the socket (POLLNVAL) */
    ws_conn_unref(c);
}

static const HandleClass ws_class = {"WsConn", NULL, res_close};

static void stop_init(void) { listen_set_on_stop(ws_conn_stop_all); }

Value ws_conn_open(NetConn *net, WsConn **out) {
    WsConn *c = xcalloc(1, sizeof *c);
    c->net = *net;
    net->fd = -1;
    net->tls = NULL;
    atomic_init(&c->refs, 1);
    c->limit = WS_QUEUE_LIMIT_DEFAULT;
    c->owner = proc_self_pid();
    *out = c;
    Value h = handle_open(&ws_class, c);
    all_add(c);
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, stop_init);
    return h;
}

WsConn *ws_conn_pin(Value h, const char *fn) {
    if (h.tag != T_HANDLE || AS_HANDLE(h)->cls != &ws_class) rt_panic("%s: not a WsConn", fn);
    return handle_pin(h);
}

void ws_conn_unpin(Value h) { handle_unpin(h); }

size_t ws_conn_queued(WsConn *c) {
    mt_lock(&c->lk);
    size_t n = c->len - c->head;
    mt_unlock(&c->lk);
    return n;
}

/* ---- writing (under lk) -------------------------------------------------------------------- */

typedef struct SendArg {
    const char *p;
    size_t n;
} SendArg;

static int64_t send_live(int fd, void *ud, void *out, size_t cap, size_t *len) {
    (void)out;
    (void)cap;
    (void)len;
    SendArg *a = ud;
    ssize_t r;
    do r = send(fd, a->p, a->n, MSG_NOSIGNAL | MSG_DONTWAIT);
    while (r < 0 && errno == EINTR);
    return r < 0 ? -errno : r;
}

/* Write what the socket takes now: 0 (the queue is empty), -EAGAIN (the
 * socket is full: wait for *want), or -errno. */
static int write_some(WsConn *c, int *want) {
    int fd = c->net.fd;
    *want = POLLOUT;
    while (c->head < c->len) {
        uint32_t tick = poll_tick(fd);
        ssize_t r;
        if (c->net.tls) {
            r = tls_write_try(c->net.tls, c->q + c->head, c->len - c->head, want);
        } else {
            SendArg a = {c->q + c->head, c->len - c->head};
            r = (ssize_t)fdio_call(fd, send_live, &a, NULL, 0, NULL);
            if (r == -EWOULDBLOCK) r = -EAGAIN;
        }
        if (r == -EAGAIN) {
            poll_clear(fd, *want, tick);
            return -EAGAIN;
        }
        if (r < 0) return (int)r;
        if (r == 0) return -EPIPE;
        c->head += (size_t)r;
    }
    c->head = c->len = 0;
    if (c->cap > (64u << 10)) { /* a burst is over: give its room back */
        free(c->q);
        c->q = NULL;
        c->cap = 0;
    }
    return 0;
}

/* Our own frames' lengths: the end of the frame starting at q[at]. */
static size_t frame_end(const WsConn *c, size_t at) {
    const uint8_t *f = (const uint8_t *)c->q + at;
    uint64_t n = f[1] & 0x7F;
    size_t hdr = 2;
    if (n == 126) n = (uint64_t)f[2] << 8 | f[3], hdr = 4;
    else if (n == 127) {
        n = 0;
        for (int i = 0; i < 8; i++) n = n << 8 | f[2 + i];
        hdr = 10;
    }
    return at + hdr + (size_t)n;
}

static void shut(WsConn *c, int how) {
    if (c->net.fd >= 0 && !iolog_replaying()) shutdown(c->net.fd, how);
}

/* Writing failed: nothing more goes out; the owner's read ends. */
static void fail_locked(WsConn *c) {
    c->closing = true;
    c->head = c->len = 0;
    shut(c, SHUT_RDWR);
}

static void append(WsConn *c, const void *p, size_t n) {
    if (c->len + n > c->cap) {
        if (c->head > 0) { /* only whole frames are dropped: find the one in progress */
            size_t at = 0;
            for (;;) {
                size_t e = frame_end(c, at);
                if (e > c->head) break;
                at = e;
            }
            memmove(c->q, c->q + at, c->len - at);
            c->len -= at;
            c->head -= at;
        }
        if (c->len + n > c->cap) {
            size_t cap = c->cap ? c->cap : 256;
            while (cap < c->len + n) cap *= 2;
            c->q = xrealloc(c->q, cap);
            c->cap = cap;
        }
    }
    memcpy(c->q + c->len, p, n);
    c->len += n;
}

/* The queue passed its limit: keep the frame being written, drop the
 * rest, say 1008 and stop. */
static void slow_locked(WsConn *c) {
    c->slow = true;
    size_t cut = 0;
    for (size_t at = 0; at < c->len;) {
        size_t e = frame_end(c, at);
        if (e > c->head) {
            cut = at < c->head ? e : at;
            break;
        }
        at = e;
    }
    c->len = cut;
    if (c->head >= c->len) c->head = c->len = 0;
    SB b;
    sb_init(&b);
    ws_frame_close(&b, 1008, "slow consumer");
    append(c, b.p, b.len);
    sb_free(&b);
    c->closing = true;
    int want;
    if (write_some(c, &want) != -EAGAIN) c->head = c->len = 0;
    shut(c, SHUT_RD); /* the owner's read ends: it finishes the connection */
}

/* ---- the flusher ----------------------------------------------------------------------------- */

/* flusher(conn as Int): write the queue out as the socket takes it. */
static Value flusher_main(Value *args, int nargs) {
    (void)nargs;
    WsConn *c = (WsConn *)(intptr_t)args[0].i;
    for (;;) {
        mt_lock(&c->lk);
        if (c->dead) {
            c->flushing = false;
            mt_unlock(&c->lk);
            break;
        }
        int want;
        int w = write_some(c, &want);
        if (w != -EAGAIN) {
            if (w < 0) fail_locked(c);
            c->flushing = false;
            mt_unlock(&c->lk);
            break;
        }
        int fd = c->net.fd;
        mt_unlock(&c->lk);
        /* if the resource closes meanwhile, the wait ends (POLLNVAL) or
         * the next round sees `dead`: nothing is written to a reused fd */
        poll_wait(fd, want, -1);
    }
    ws_conn_unref(c);
    return v_unit();
}

SYSMSG_BODY(flusher_fn, "ws_flush", flusher_main, 1);

static void spawn_flusher(WsConn *c) {
    ws_conn_ref(c);
    Value a = v_int((int64_t)(intptr_t)c);
    SpawnOpts o = {.name = "ws_flush", .terminate = v_unit(), .link = false};
    proc_spawn(SYSMSG_FN(flusher_fn), 1, &a, &o);
}

/* ---- queueing --------------------------------------------------------------------------------- */

int ws_conn_queue(WsConn *c, const void *frame, size_t n, bool control) {
    mt_lock(&c->lk);
    if (c->dead || c->closing) {
        mt_unlock(&c->lk);
        return -1;
    }
    size_t queued = c->len - c->head;
    if (!control && queued > 0 && queued + n > c->limit) { /* one frame always fits an empty queue */
        slow_locked(c);
        mt_unlock(&c->lk);
        return -1;
    }
    append(c, frame, n);
    bool spawn = false;
    if (!c->flushing) {
        int want;
        int w = write_some(c, &want);
        if (w == -EAGAIN) spawn = c->flushing = true;
        else if (w < 0) fail_locked(c);
    }
    mt_unlock(&c->lk);
    if (spawn) spawn_flusher(c);
    return 0;
}

void ws_conn_queue_close(WsConn *c, int code, const char *reason) {
    SB b;
    sb_init(&b);
    ws_frame_close(&b, code, reason);
    ws_conn_queue(c, b.p, b.len, true);
    sb_free(&b);
    mt_lock(&c->lk);
    c->closing = true;
    mt_unlock(&c->lk);
}

bool ws_conn_drain(WsConn *c, int64_t deadline) {
    for (;;) {
        mt_lock(&c->lk);
        if (c->dead) {
            mt_unlock(&c->lk);
            return false;
        }
        int want;
        int w = write_some(c, &want);
        int fd = c->net.fd;
        if (w < 0 && w != -EAGAIN) fail_locked(c);
        mt_unlock(&c->lk);
        if (w == 0) return true;
        if (w != -EAGAIN) return false;
        int r = poll_wait(fd, want, deadline);
        if (!r || (r & POLLNVAL)) return false;
    }
}

/* (On the signal's thread, maybe beside the deterministic scheduler's, so
 * without lk: a listed connection's socket is open, because its close
 * leaves the list, under all_lock, before it closes the socket.) */
void ws_conn_stop_all(void) {
    pthread_mutex_lock(&all_lock);
    for (WsConn *c = all; c; c = c->next)
        if (c->net.fd >= 0 && !iolog_replaying()) shutdown(c->net.fd, SHUT_RD);
    pthread_mutex_unlock(&all_lock);
}

void ws_conn_shutdown(WsConn *c) {
    mt_lock(&c->lk);
    if (!c->dead) shut(c, SHUT_RD);
    mt_unlock(&c->lk);
}
