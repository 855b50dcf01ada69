/* conn.c — streams over plain or TLS sockets, and connecting to a host
 * (conn.h). */
#include "conn.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "fdio.h"
#include "iolog.h"
#include "sched.h"

ssize_t conn_read(NetConn *c, void *buf, size_t cap, int64_t deadline) {
    if (c->tls) return tls_read(c->tls, buf, cap, deadline);
    return fdio_read(c->fd, buf, cap, deadline);
}

ssize_t conn_writev(NetConn *c, const struct iovec *iov, int n, int64_t deadline) {
    if (!c->tls) return fdio_writev(c->fd, iov, n, deadline);
    size_t total = 0;
    for (int i = 0; i < n; i++) total += iov[i].iov_len;
    char small[4096];
    if (total <= sizeof small) { /* one TLS record for a small response */
        size_t at = 0;
        for (int i = 0; i < n; i++) {
            memcpy(small + at, iov[i].iov_base, iov[i].iov_len);
            at += iov[i].iov_len;
        }
        return tls_write(c->tls, small, total, deadline);
    }
    size_t done = 0;
    for (int i = 0; i < n; i++) {
        if (!iov[i].iov_len) continue;
        ssize_t r = tls_write(c->tls, iov[i].iov_base, iov[i].iov_len, deadline);
        if (r < 0) return done ? (ssize_t)done : r;
        done += (size_t)r;
    }
    return (ssize_t)done;
}

ssize_t conn_write(NetConn *c, const void *buf, size_t len, int64_t deadline) {
    struct iovec v = {(void *)buf, len};
    return conn_writev(c, &v, 1, deadline);
}

void conn_write_now(NetConn *c, const void *buf, size_t len) {
    if (c->fd < 0 || iolog_replaying()) return;
    if (c->tls) {
        tls_write_now(c->tls, buf, len);
        return;
    }
    ssize_t r;
    do r = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    while (r < 0 && errno == EINTR);
}

void conn_shutdown_read(NetConn *c) {
    if (c->fd >= 0 && !iolog_replaying()) shutdown(c->fd, SHUT_RD);
}

void conn_close(NetConn *c) {
    if (c->tls) tls_free(c->tls);
    c->tls = NULL;
    if (c->fd >= 0) fdio_close(c->fd);
    c->fd = -1;
}

/* ---- connecting ---------------------------------------------------------------------- */

/* The addresses of a host, as an fdio_call (journaled: a replay gets the
 * same answer without asking).  out: a packed array of sockaddr_storage. */
typedef struct Resolve {
    const char *host;
    int port;
    int gai;       /* getaddrinfo's result */
    char *out;
    size_t cap, len;
} Resolve;

static void resolve_job(void *arg) {
    Resolve *r = arg;
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV;
    char port[16];
    snprintf(port, sizeof port, "%d", r->port);
    r->gai = getaddrinfo(r->host, port, &hints, &res);
    r->len = 0;
    for (struct addrinfo *a = res; a && r->len + sizeof(struct sockaddr_storage) <= r->cap; a = a->ai_next) {
        struct sockaddr_storage ss;
        memset(&ss, 0, sizeof ss);
        memcpy(&ss, a->ai_addr, a->ai_addrlen);
        memcpy(r->out + r->len, &ss, sizeof ss);
        r->len += sizeof ss;
    }
    if (res) freeaddrinfo(res);
}

static int64_t resolve_live(int fd, void *ud, void *out, size_t cap, size_t *len) {
    (void)fd;
    Resolve *r = ud;
    r->out = out;
    r->cap = cap;
    sched_run_blocking(resolve_job, r); /* the process waits; the thread does not */
    *len = r->len;
    return r->gai ? (r->gai == EAI_SYSTEM ? -1000 - errno : -(int64_t)r->gai) : (int64_t)(r->len / sizeof(struct sockaddr_storage));
}

static socklen_t sa_len(const struct sockaddr_storage *ss) {
    return ss->ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
}

int conn_connect(NetConn *c, const char *host, int port, bool tls, int64_t deadline, const char **kind, char *err,
                 size_t cap) {
    c->fd = -1;
    c->tls = NULL;
    struct sockaddr_storage addrs[8];
    size_t len = 0;
    Resolve r = {host, port, 0, NULL, 0, 0};
    int64_t n = fdio_call(-1, resolve_live, &r, addrs, sizeof addrs, &len);
    if (n <= 0) {
        *kind = "Dns Failed";
        const char *why = n == 0 ? "no addresses" : n <= -1000 ? strerror((int)(-n - 1000)) : gai_strerror((int)-n);
        snprintf(err, cap, "failed to lookup address information: %s", why);
        return -1;
    }
    int last = ECONNREFUSED;
    for (int64_t i = 0; i < n; i++) {
        int fd = fdio_socket(addrs[i].ss_family, SOCK_STREAM, 0);
        if (fd < 0) {
            last = -fd;
            continue;
        }
        int rc = fdio_connect(fd, (struct sockaddr *)&addrs[i], sa_len(&addrs[i]), deadline);
        if (rc == 0) {
            int one = 1;
            if (!iolog_replaying()) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            c->fd = fd;
            break;
        }
        fdio_close(fd);
        last = -rc;
        if (rc == -ETIMEDOUT) break;
    }
    if (c->fd < 0) {
        *kind = last == ETIMEDOUT ? "Timeout" : "Connection Failed";
        snprintf(err, cap, "Connect error: %s (os error %d)", strerror(last), last);
        return -1;
    }
    if (tls) {
        char e[200];
        TlsCtx *ctx = tls_client_ctx(e, sizeof e);
        if (!ctx) {
            *kind = "Tls Failed";
            snprintf(err, cap, "%s", e);
            conn_close(c);
            return -1;
        }
        c->tls = tls_new(ctx, c->fd, host);
        int h = tls_handshake(c->tls, deadline, e, sizeof e);
        if (h < 0) {
            *kind = h == -ETIMEDOUT ? "Timeout" : "Tls Failed";
            snprintf(err, cap, "%s", e);
            conn_close(c);
            return -1;
        }
    }
    return 0;
}
