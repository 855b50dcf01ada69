/* listen.c — listeners, the acceptor loop, the connection limit and the
 * graceful stop (listen.h). */
#include "listen.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fdio.h"
#include "handle.h"
#include "iolog.h"
#include "output.h"
#include "proc.h"
#include "rt.h"
#include "sched.h"
#include "xalloc.h"

struct Listener {
    int fd;                 /* the listening socket (-1 once closed) */
    int wake;               /* eventfd: a connection closed (limit, drain) or a stop */
    int port;
    _Atomic int nconns;
    _Atomic int refs;       /* the acceptor + one per connection */
    _Atomic bool paused;    /* the acceptor waits for a connection to close */
    _Atomic bool stopping;
    TlsCtx *tls;
    int max_conns, shutdown_ms;
    pthread_mutex_t lock;   /* conns */
    ListenConn *conns;
    Listener *next_live;    /* the list of running listeners (under live_lock) */
};

/* Running listeners, for the stop hook (output thread). */
static pthread_mutex_t live_lock = PTHREAD_MUTEX_INITIALIZER;
static Listener *live;
static int live_running;         /* listeners that have not finished draining */
static _Atomic bool stopping;    /* a stop signal was handed to us */

static void wake(Listener *l) {
    uint64_t one = 1;
    ssize_t r = write(l->wake, &one, sizeof one);
    (void)r;
}

static void unref(Listener *l) {
    if (atomic_fetch_sub(&l->refs, 1) != 1) return;
    if (l->wake >= 0) fdio_close(l->wake);
    pthread_mutex_destroy(&l->lock);
    tls_ctx_free(l->tls);
    free(l);
}

/* ---- the stop (output thread) --------------------------------------------------------- */

/* Set by a worker (the first WebSocket connection), read by the output
 * thread when a stop signal comes: atomic (TSan saw the race). */
static void (*_Atomic on_stop)(void); /* listen_set_on_stop */

void listen_set_on_stop(void (*fn)(void)) { atomic_store(&on_stop, fn); }

static bool stop_hook(int sig) {
    (void)sig;
    pthread_mutex_lock(&live_lock);
    if (!live) {
        pthread_mutex_unlock(&live_lock);
        return false; /* nothing to stop gracefully: the default exit */
    }
    atomic_store(&stopping, true);
    void (*stop_taken_over)(void) = atomic_load(&on_stop);
    if (stop_taken_over) stop_taken_over(); /* connections a protocol took over (WebSockets) */
    for (Listener *l = live; l; l = l->next_live) {
        atomic_store(&l->stopping, true);
        /* the socket stops listening: new connections are refused, the
         * acceptor's wait ends (the socket reports a hang-up) */
        if (l->fd >= 0) shutdown(l->fd, SHUT_RDWR);
        wake(l);
        pthread_mutex_lock(&l->lock);
        for (ListenConn *c = l->conns; c; c = c->next)
            if (atomic_load(&c->state) == LC_IDLE) conn_shutdown_read(&c->net);
        pthread_mutex_unlock(&l->lock);
    }
    pthread_mutex_unlock(&live_lock);
    return true;
}

bool listen_stopping(void) { return atomic_load_explicit(&stopping, memory_order_relaxed); }

bool listen_set_idle(ListenConn *c, bool idle) {
    atomic_store(&c->state, idle ? LC_IDLE : LC_BUSY);
    /* seq_cst pair with stop_hook: either it sees LC_IDLE and shuts the
     * reading side, or we see the stop here */
    return !(idle && atomic_load(&stopping));
}

/* ---- opening ------------------------------------------------------------------------- */

typedef struct BindArg {
    int port;
} BindArg;

/* bind + listen as one journaled outcome: the port bound, or -errno. */
static int64_t bind_live(int fd, void *ud, void *out, size_t cap, size_t *len) {
    (void)out;
    (void)cap;
    (void)len;
    BindArg *b = ud;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_ANY);
    sa.sin_port = htons((uint16_t)b->port);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) return -errno;
    if (listen(fd, 4096) != 0) return -errno;
    socklen_t sl = sizeof sa;
    if (getsockname(fd, (struct sockaddr *)&sa, &sl) != 0) return -errno;
    return ntohs(sa.sin_port);
}

Listener *listen_open(int port, char *err, size_t cap) {
    if (port < 0 || port > 65535) {
        snprintf(err, cap, "invalid port number %d", port);
        return NULL;
    }
    int fd = fdio_socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        snprintf(err, cap, "%s (os error %d)", strerror(-fd), -fd);
        return NULL;
    }
    BindArg b = {port};
    int64_t r = fdio_call(fd, bind_live, &b, NULL, 0, NULL);
    if (r < 0) {
        snprintf(err, cap, "%s (os error %d)", strerror((int)-r), (int)-r);
        fdio_close(fd);
        return NULL;
    }
    Listener *l = xcalloc(1, sizeof *l);
    l->fd = fd;
    l->port = (int)r;
    l->wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (l->wake < 0) rt_fatal("eventfd: %s", strerror(errno));
    atomic_init(&l->refs, 1);
    pthread_mutex_init(&l->lock, NULL);
    return l;
}

int listen_port(const Listener *l) { return l->port; }
int listen_count(const Listener *l) { return atomic_load(&((Listener *)l)->nconns); }
TlsCtx *listen_tls(const ListenConn *c) { return c->l->tls; }

/* ---- connections ---------------------------------------------------------------------- */

typedef struct ConnBox {
    ListenConn c;
    const ListenProto *proto;
} ConnBox;

/* The connection's resource closes (its process ended, for any reason). */
static void conn_res_close(void *data) {
    ConnBox *b = data;
    ListenConn *c = &b->c;
    Listener *l = c->l;
    if (b->proto->close) b->proto->close(c);
    conn_close(&c->net);
    pthread_mutex_lock(&l->lock);
    if (c->prev) c->prev->next = c->next;
    else l->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    pthread_mutex_unlock(&l->lock);
    atomic_fetch_sub(&l->nconns, 1);
    if (atomic_load(&l->paused) || atomic_load(&l->stopping)) wake(l);
    free(b);
    unref(l);
}

static const HandleClass conn_res_class = {"Connection", NULL, conn_res_close};

ListenConn *listen_conn_of(Value conn) {
    ListenConn *c = handle_pin(conn);
    handle_unpin(conn); /* see the header: the pointer lives as long as the owner runs */
    if (!c) rt_panic("the connection is closed");
    return c;
}

/* The listening socket, owned by the acceptor: if the acceptor dies the
 * port is released. */
static void listener_res_close(void *data) {
    Listener *l = data;
    pthread_mutex_lock(&live_lock);
    for (Listener **p = &live; *p; p = &(*p)->next_live)
        if (*p == l) {
            *p = l->next_live;
            break;
        }
    pthread_mutex_unlock(&live_lock);
    if (l->fd >= 0) fdio_close(l->fd);
    l->fd = -1;
    unref(l);
}

static const HandleClass listener_res_class = {"Listener", NULL, listener_res_close};

/* Wait for the wake eventfd (a connection closed, a stop), at most until deadline. */
static void wait_wake(Listener *l, int64_t deadline) {
    uint64_t v;
    fdio_read(l->wake, &v, sizeof v, deadline);
}

static void accept_one(Listener *l, int fd, const ListenProto *proto, Value arg) {
    if (!iolog_replaying()) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    ConnBox *b = xcalloc(1, sizeof *b);
    b->proto = proto;
    ListenConn *c = &b->c;
    c->net.fd = fd;
    c->l = l;
    atomic_init(&c->state, LC_BUSY);
    atomic_fetch_add(&l->refs, 1);
    atomic_fetch_add(&l->nconns, 1);
    pthread_mutex_lock(&l->lock);
    c->next = l->conns;
    if (l->conns) l->conns->prev = c;
    l->conns = c;
    pthread_mutex_unlock(&l->lock);
    Value h = handle_open(&conn_res_class, b);
    /* the child runs only once it owns the connection */
    uint32_t scope = proc_pause_begin();
    Value args[2] = {arg, h};
    SpawnOpts o = {.name = proto->name, .terminate = v_unit(), .link = false};
    uint64_t pid = proc_spawn(v_obj(T_FUNC, proto->body), 2, args, &o);
    handle_give(h, pid);
    proc_pause_end(scope);
}

void listen_run(Listener *l, const ListenProto *proto, Value arg, TlsCtx *tls, const ListenOpts *opts) {
    l->tls = tls;
    l->max_conns = opts && opts->max_conns > 0 ? opts->max_conns : LISTEN_MAX_CONNS_DEFAULT;
    l->shutdown_ms = opts && opts->shutdown_ms > 0 ? opts->shutdown_ms : LISTEN_SHUTDOWN_MS_DEFAULT;
    Value lh = handle_open(&listener_res_class, l);
    atomic_fetch_add(&l->refs, 1); /* the resource's reference; ours is released at the end */
    pthread_mutex_lock(&live_lock);
    l->next_live = live;
    live = l;
    live_running++;
    int grace = 0;
    for (Listener *x = live; x; x = x->next_live)
        if (x->shutdown_ms > grace) grace = x->shutdown_ms;
    pthread_mutex_unlock(&live_lock);
    out_set_stop_hook(stop_hook, grace + 1000);

    for (;;) {
        if (atomic_load(&l->stopping)) break;
        if (atomic_load(&l->nconns) >= l->max_conns) { /* the limit: pause accepting */
            atomic_store(&l->paused, true);
            if (atomic_load(&l->nconns) >= l->max_conns && !atomic_load(&l->stopping))
                wait_wake(l, sched_now() + 1000);
            atomic_store(&l->paused, false);
            continue;
        }
        int fd = fdio_accept(l->fd, NULL, NULL, -1);
        if (fd >= 0) {
            accept_one(l, fd, proto, arg);
            continue;
        }
        if (atomic_load(&l->stopping)) break;
        if (fd == -EMFILE || fd == -ENFILE || fd == -ENOBUFS || fd == -ENOMEM) {
            wait_wake(l, sched_now() + 100); /* out of descriptors: wait for some to close */
            continue;
        }
        if (fd == -EINTR || fd == -EPROTO || fd == -EPERM || fd == -ENETDOWN || fd == -EHOSTUNREACH ||
            fd == -ENETUNREACH || fd == -ENOPROTOOPT || fd == -EOPNOTSUPP || fd == -ETIMEDOUT)
            continue; /* that connection's trouble (accept(2)'s list of network errors) */
        fprintf(stderr, "[snow-rt] accept on 0.0.0.0:%d failed: %s\n", l->port, strerror(-fd));
        handle_close(lh);
        unref(l);
        pthread_mutex_lock(&live_lock);
        live_running--;
        pthread_mutex_unlock(&live_lock);
        return;
    }

    /* stopping: no new connections; let the busy ones finish */
    handle_close(lh);
    int64_t deadline = sched_now() + l->shutdown_ms;
    while (atomic_load(&l->nconns) > 0 && sched_now() < deadline) wait_wake(l, deadline);
    pthread_mutex_lock(&live_lock);
    bool last = --live_running == 0;
    pthread_mutex_unlock(&live_lock);
    if (last) out_exit(0);
    unref(l);
    for (;;) sched_sleep_until(-1); /* another listener ends the program */
}
