/* fdio.c — journaled fd operations that wait in the poller (fdio.h), and
 * sched_wait_io, the level-triggered wait of the scheduler interface.
 *
 * Every function below is a sequence of journal points (iolog.h): `live`
 * does the system call, `replay` takes its recorded outcome; the control
 * flow between them (retry on EAGAIN, wait in the poller) is the same code
 * either way, which is what makes a replayed run schedule like the
 * recorded one.  errno is read right after each call: a process may resume
 * on another thread, and errno is thread-local. */
#include "fdio.h"

#include <errno.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include "iolog.h"
#include "poll.h"
#include "sched.h"

/* The outcome of one system call: live or replayed, then journaled. */
typedef struct Point {
    IoOp op;
    int fd;
    void *buf;     /* data of the outcome (read bytes, peer address) */
    size_t cap, len;
} Point;

static int64_t journal(Point *pt, int64_t live_res, bool live) {
    int64_t r = live_res;
    if (!live) r = iolog_take(pt->op, pt->fd, pt->buf, pt->cap, &pt->len);
    if (iolog_active()) iolog_note(pt->op, pt->fd, r, pt->len ? pt->buf : NULL, pt->len);
    return r;
}

static int ensure_registered(int fd) { return poll_has(fd) ? 0 : poll_add(fd); }

/* A blocking-mode fd must not be read (written) unless it is ready now. */
static bool probe_says_wait(int fd, short events) {
    if (!poll_fd_blocking(fd) || poll_always_ready(fd)) return false;
    struct pollfd p = {.fd = fd, .events = events};
    return poll(&p, 1, 0) == 0;
}

/* Wait after EAGAIN: 0 to retry, or -errno. */
static int wait_again(int fd, int events, uint32_t tick, int64_t deadline) {
    poll_clear(fd, events, tick);
    int w = poll_wait(fd, events, deadline);
    if (w & POLLNVAL) return -EBADF;
    return w ? 0 : -ETIMEDOUT;
}

ssize_t fdio_read(int fd, void *buf, size_t cap, int64_t deadline) {
    int e = ensure_registered(fd);
    if (e) return -e;
    for (;;) {
        uint32_t tick = poll_tick(fd);
        Point pt = {IO_READ, fd, buf, cap, 0};
        int64_t live = 0;
        bool replay = iolog_replaying();
        if (!replay) {
            if (probe_says_wait(fd, POLLIN)) {
                live = -EAGAIN;
            } else {
                do live = read(fd, buf, cap);
                while (live < 0 && errno == EINTR);
                if (live < 0) live = -errno;
                if (live > 0) pt.len = (size_t)live;
            }
        }
        int64_t r = journal(&pt, live, !replay);
        if (r != -EAGAIN && r != -EWOULDBLOCK) return (ssize_t)r;
        int w = wait_again(fd, POLLIN, tick, deadline);
        if (w) return w;
    }
}

ssize_t fdio_write(int fd, const void *buf, size_t len, int64_t deadline) {
    struct iovec v = {(void *)buf, len};
    return fdio_writev(fd, &v, 1, deadline);
}

ssize_t fdio_writev(int fd, const struct iovec *iov, int iovcnt, int64_t deadline) {
    int e = ensure_registered(fd);
    if (e) return -e;
    if (iovcnt > FDIO_IOV_MAX) iovcnt = FDIO_IOV_MAX;
    struct iovec v[FDIO_IOV_MAX];
    size_t total = 0;
    int n = 0;
    for (int i = 0; i < iovcnt; i++) {
        if (!iov[i].iov_len) continue;
        v[n++] = iov[i];
        total += iov[i].iov_len;
    }
    size_t done = 0;
    struct iovec *cur = v;
    while (done < total) {
        uint32_t tick = poll_tick(fd);
        Point pt = {IO_WRITE, fd, NULL, 0, 0};
        int64_t live = 0;
        bool replay = iolog_replaying();
        if (!replay) {
            if (probe_says_wait(fd, POLLOUT)) {
                live = -EAGAIN;
            } else {
                /* a socket: sendmsg with MSG_NOSIGNAL, so a peer that went
                 * away is EPIPE for this connection, never a SIGPIPE for
                 * the program (writev for what is not a socket) */
                struct msghdr mh = {.msg_iov = cur, .msg_iovlen = (size_t)n};
                bool sock = poll_fd_socket(fd);
                do live = sock ? sendmsg(fd, &mh, MSG_NOSIGNAL) : writev(fd, cur, n);
                while (live < 0 && errno == EINTR);
                if (live < 0) live = -errno;
            }
        }
        int64_t r = journal(&pt, live, !replay);
        if (r > 0) {
            done += (size_t)r;
            size_t k = (size_t)r; /* skip what went out */
            while (n && k >= cur->iov_len) {
                k -= cur->iov_len;
                cur++;
                n--;
            }
            if (n && k) {
                cur->iov_base = (char *)cur->iov_base + k;
                cur->iov_len -= k;
            }
            continue;
        }
        int w = r == -EAGAIN || r == -EWOULDBLOCK ? wait_again(fd, POLLOUT, tick, deadline) : (int)r;
        if (r == 0) w = -EIO;
        if (w) return done ? (ssize_t)done : w;
    }
    return (ssize_t)done;
}

/* Replay: something that stands for a socket (never ready, closable). */
int fdio_placeholder(int recorded) {
    int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd >= 0) iolog_map_fd(recorded, fd);
    return fd;
}

int fdio_socket(int domain, int type, int protocol) {
    Point pt = {IO_SOCKET, -1, NULL, 0, 0};
    bool replay = iolog_replaying();
    int64_t live = 0;
    if (!replay) {
        live = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
        if (live < 0) live = -errno;
    }
    int64_t r = journal(&pt, live, !replay);
    if (r < 0) return (int)r;
    int fd = replay ? fdio_placeholder((int)r) : (int)r;
    if (fd < 0) return -errno;
    int e = poll_add(fd);
    if (e) {
        close(fd);
        return -e;
    }
    return fd;
}

int fdio_connect(int fd, const struct sockaddr *sa, socklen_t salen, int64_t deadline) {
    int e = ensure_registered(fd);
    if (e) return -e;
    uint32_t tick = poll_tick(fd);
    Point pt = {IO_CONNECT, fd, NULL, 0, 0};
    bool replay = iolog_replaying();
    int64_t live = 0;
    if (!replay) {
        live = connect(fd, sa, salen);
        if (live < 0) live = -errno;
    }
    int64_t r = journal(&pt, live, !replay);
    if (r != -EINPROGRESS) return (int)r;
    for (;;) { /* in progress: writable means done, one way or the other */
        int w = wait_again(fd, POLLOUT, tick, deadline);
        if (w) return w;
        tick = poll_tick(fd);
        Point res = {IO_CONNECT, fd, NULL, 0, 0};
        live = 0;
        if (!replay) {
            int err = 0;
            socklen_t elen = sizeof err;
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0) err = errno;
            live = -err;
            if (err == EINPROGRESS || err == EALREADY) live = -EAGAIN; /* woken early: wait more */
        }
        r = journal(&res, live, !replay);
        if (r != -EAGAIN) return (int)r;
    }
}

int fdio_accept(int lfd, struct sockaddr *addr, socklen_t *alen, int64_t deadline) {
    int e = ensure_registered(lfd);
    if (e) return -e;
    struct sockaddr_storage peer;
    for (;;) {
        uint32_t tick = poll_tick(lfd);
        Point pt = {IO_ACCEPT, lfd, &peer, sizeof peer, 0};
        bool replay = iolog_replaying();
        int64_t live = 0;
        if (!replay) {
            socklen_t plen = sizeof peer;
            do live = accept4(lfd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
            while (live < 0 && errno == EINTR);
            if (live < 0) live = -errno;
            else pt.len = plen;
        }
        int64_t r = journal(&pt, live, !replay);
        if (r == -EAGAIN || r == -EWOULDBLOCK || r == -ECONNABORTED) {
            int w = r == -ECONNABORTED ? 0 : wait_again(lfd, POLLIN, tick, deadline);
            if (w) return w;
            continue;
        }
        if (r < 0) return (int)r;
        int fd = replay ? fdio_placeholder((int)r) : (int)r;
        if (fd < 0) return -errno;
        if (addr && alen) {
            socklen_t n = pt.len < *alen ? (socklen_t)pt.len : *alen;
            for (socklen_t i = 0; i < n; i++) ((char *)addr)[i] = ((char *)&peer)[i];
            *alen = (socklen_t)pt.len;
        }
        e = poll_add(fd);
        if (e) {
            close(fd);
            return -e;
        }
        return fd;
    }
}

int fdio_close(int fd) {
    poll_del(fd);
    return close(fd) == 0 ? 0 : -errno;
}

int64_t fdio_call(int fd, FdioCallFn fn, void *ud, void *out, size_t cap, size_t *len) {
    Point pt = {IO_CALL, fd, out, cap, 0};
    bool replay = iolog_replaying();
    int64_t live = replay ? 0 : fn(fd, ud, out, cap, &pt.len);
    int64_t r = journal(&pt, live, !replay);
    if (len) *len = pt.len;
    return r;
}

/* ---- the scheduler interface's level-triggered wait ---------------------------------- */

int sched_wait_io(int fd, int events, int64_t deadline) {
    if (!sched_current()) return poll_wait(fd, events, deadline); /* blocks the thread */
    if (ensure_registered(fd)) return POLLERR | POLLNVAL;
    if (poll_always_ready(fd)) return events;
    /* the readiness set only knows edges seen since registration: ask the
     * kernel once, then wait for the next edge */
    uint32_t tick = poll_tick(fd);
    Point pt = {IO_PROBE, fd, NULL, 0, 0};
    bool replay = iolog_replaying();
    int64_t live = 0;
    if (!replay) {
        struct pollfd p = {.fd = fd, .events = (short)events};
        live = poll(&p, 1, 0) > 0 ? p.revents : 0;
    }
    int r = (int)journal(&pt, live, !replay);
    if (r) return r;
    poll_clear(fd, events, tick);
    return poll_wait(fd, events, deadline);
}
