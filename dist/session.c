/* session.c — connections between nodes (see session.h). */
#include "session.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "fdio.h"
#include "mbox.h"
#include "mt.h"
#include "poll.h"
#include "proc.h"
#include "sched.h"
#include "sysmsg.h"
#include "xalloc.h"

int64_t sess_hb_interval = 60000, sess_hb_timeout = 15000; /* net.md §8.4 */

/* A queued large frame (or a small one queued behind a large one of the
 * same process). */
typedef struct Bulk {
    struct Bulk *next;
    uint64_t from;
    uint8_t *data; /* the whole frame: length prefix + body */
    size_t len, off;
    bool chunked; /* sent as CHUNK frames */
} Bulk;

struct Sess {
    int fd;
    SSL *ssl;
    MtLock ssl_lk;
    _Atomic bool dead;
    _Atomic int refs;
    void *user;
    /* outgoing (under qlk) */
    MtLock qlk;
    WBuf small;
    Bulk *bulk, *bulk_tail;
    size_t queued;
    bool writer_idle;
    bool writer_started;
    uint64_t writer;
    /* incoming (reader only) */
    uint8_t *in;
    size_t inlen, incap;
    WBuf big; /* a chunked frame being reassembled */
    size_t big_total;
    bool big_on;
};

static SSL_CTX *srv_ctx, *cli_ctx;

/* ---- TLS contexts -------------------------------------------------------------------- */

static bool fail(char *err, size_t cap, const char *what) {
    unsigned long e = ERR_get_error();
    char buf[160] = "";
    if (e) ERR_error_string_n(e, buf, sizeof buf);
    snprintf(err, cap, "%s%s%s", what, *buf ? ": " : "", buf);
    ERR_clear_error();
    return false;
}

bool sess_tls_init(char *err, size_t errcap) {
    if (srv_ctx) return true;
    EVP_PKEY *key = EVP_EC_gen("P-256");
    if (!key) return fail(err, errcap, "cannot make the node's key");
    X509 *x = X509_new();
    bool ok = x != NULL;
    if (ok) {
        unsigned char serial[8];
        RAND_bytes(serial, sizeof serial);
        ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(serial[0] | (serial[1] << 8) | ((serial[2] & 0x3f) << 16)));
        X509_gmtime_adj(X509_getm_notBefore(x), -3600);
        X509_gmtime_adj(X509_getm_notAfter(x), 10L * 365 * 24 * 3600);
        X509_set_pubkey(x, key);
        X509_NAME *nm = X509_get_subject_name(x);
        X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)"snow-node", -1, -1, 0);
        X509_set_issuer_name(x, nm);
        ok = X509_sign(x, key, EVP_sha256()) > 0;
    }
    SSL_CTX *s = ok ? SSL_CTX_new(TLS_server_method()) : NULL;
    SSL_CTX *c = ok ? SSL_CTX_new(TLS_client_method()) : NULL;
    ok = s && c && SSL_CTX_use_certificate(s, x) == 1 && SSL_CTX_use_PrivateKey(s, key) == 1;
    X509_free(x);
    EVP_PKEY_free(key);
    if (!ok) {
        SSL_CTX_free(s);
        SSL_CTX_free(c);
        return fail(err, errcap, "cannot make the node's certificate");
    }
    SSL_CTX *both[2] = {s, c};
    for (int i = 0; i < 2; i++) {
        SSL_CTX_set_min_proto_version(both[i], TLS1_3_VERSION);
        SSL_CTX_set_options(both[i], SSL_OP_NO_TICKET);
        SSL_CTX_set_mode(both[i], SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                      SSL_MODE_RELEASE_BUFFERS);
    }
    SSL_CTX_set_num_tickets(s, 0);
    SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL); /* authentication is the cookie (net.md §8.3) */
    srv_ctx = s;
    cli_ctx = c;
    /* a peer that vanishes must not kill us while we write to it */
    signal(SIGPIPE, SIG_IGN);
    return true;
}

/* ---- sessions ----------------------------------------------------------------------------- */

static Sess *sess_new(int fd, SSL *ssl) {
    Sess *s = xcalloc(1, sizeof *s);
    s->fd = fd;
    s->ssl = ssl;
    atomic_store(&s->refs, 2); /* reader and writer */
    s->writer_idle = true;
    return s;
}

static void sess_free(Sess *s) {
    SSL_free(s->ssl);
    fdio_close(s->fd);
    for (Bulk *b = s->bulk, *n; b; b = n) {
        n = b->next;
        free(b->data);
        free(b);
    }
    wbuf_free(&s->small);
    wbuf_free(&s->big);
    free(s->in);
    free(s);
}

static void sess_unref(Sess *s) {
    if (atomic_fetch_sub(&s->refs, 1) == 1) sess_free(s);
}

void sess_set_user(Sess *s, void *user) { s->user = user; }
void *sess_user(Sess *s) { return s->user; }

void sess_close(Sess *s) {
    if (atomic_exchange(&s->dead, true)) return;
    shutdown(s->fd, SHUT_RDWR); /* the reader and the writer wake with an error */
    mt_lock(&s->qlk);
    bool kick = s->writer_started && s->writer_idle;
    s->writer_idle = false;
    uint64_t w = s->writer;
    mt_unlock(&s->qlk);
    if (kick) proc_deliver(w, MB_DIST_KICK, 0, NULL, v_unit());
}

/* One TLS call, waiting in the poller while it wants the socket: > 0
 * bytes, 0 when the deadline passed, -1 when the session is over. */
enum { OP_READ, OP_WRITE, OP_HANDSHAKE };
static int tls_call(Sess *s, int op, void *buf, int n, int64_t deadline) {
    for (;;) {
        if (atomic_load(&s->dead)) return -1;
        uint32_t tick = poll_tick(s->fd);
        mt_lock(&s->ssl_lk);
        ERR_clear_error();
        int r = op == OP_READ ? SSL_read(s->ssl, buf, n) : op == OP_WRITE ? SSL_write(s->ssl, buf, n)
                                                                          : SSL_do_handshake(s->ssl);
        int e = r > 0 ? SSL_ERROR_NONE : SSL_get_error(s->ssl, r);
        ERR_clear_error();
        mt_unlock(&s->ssl_lk);
        if (r > 0) return r;
        int ev;
        if (e == SSL_ERROR_WANT_READ) ev = POLLIN;
        else if (e == SSL_ERROR_WANT_WRITE) ev = POLLOUT;
        else return -1;
        poll_clear(s->fd, ev, tick);
        int got = poll_wait(s->fd, ev, deadline);
        if (got & POLLNVAL) return -1;
        if (got == 0 && deadline >= 0 && sched_now() >= deadline) return 0;
    }
}

static bool write_all(Sess *s, const uint8_t *p, size_t n, int64_t deadline) {
    while (n) {
        int chunk = n > (1u << 30) ? (1 << 30) : (int)n;
        int r = tls_call(s, OP_WRITE, (void *)p, chunk, deadline);
        if (r <= 0) return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

static bool read_full(Sess *s, uint8_t *p, size_t n, int64_t deadline) {
    while (n) {
        int r = tls_call(s, OP_READ, p, (int)n, deadline);
        if (r <= 0) return false;
        p += r;
        n -= (size_t)r;
    }
    return true;
}

static void put_u32(uint8_t *p, uint32_t x) {
    p[0] = (uint8_t)(x >> 24), p[1] = (uint8_t)(x >> 16), p[2] = (uint8_t)(x >> 8), p[3] = (uint8_t)x;
}
static uint32_t get_u32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- the handshake (net.md §8.3) ------------------------------------------------------------ */

static bool hs_send(Sess *s, const WBuf *body, int64_t deadline) {
    uint8_t hdr[4];
    put_u32(hdr, (uint32_t)body->len);
    return write_all(s, hdr, 4, deadline) && write_all(s, body->p, body->len, deadline);
}

/* A handshake frame of type `type`: its payload in buf (<= 4 KiB). */
static bool hs_recv(Sess *s, int type, uint8_t *buf, size_t *len, int64_t deadline, char *err, size_t cap) {
    uint8_t hdr[4];
    if (!read_full(s, hdr, 4, deadline)) return snprintf(err, cap, "connection closed during the handshake"), false;
    uint32_t n = get_u32(hdr);
    if (n < 1 || n > SESS_HANDSHAKE_MAX) return snprintf(err, cap, "handshake frame of %u bytes", n), false;
    if (!read_full(s, buf, n, deadline)) return snprintf(err, cap, "connection closed during the handshake"), false;
    if (buf[0] != type) return snprintf(err, cap, "unexpected handshake frame %u", buf[0]), false;
    *len = n;
    return true;
}

static void hmac(const SessSelf *me, const uint8_t *data, uint8_t out[32]) {
    unsigned int olen = 32;
    HMAC(EVP_sha256(), me->cookie, (int)me->cookie_len, data, 32, out, &olen);
}

/* The end of either side of the handshake: the session, or NULL (freed) if it failed. */
static Sess *hs_end(Sess *s, WBuf *b, bool ok) {
    wbuf_free(b);
    if (!ok) {
        atomic_store(&s->refs, 1);
        sess_unref(s);
        return NULL;
    }
    return s;
}

static void put_ident(WBuf *b, int type, const SessSelf *me) {
    wbuf_u8(b, (uint8_t)type);
    wbuf_name(b, me->name, strlen(me->name));
    wbuf_u8(b, (uint8_t)me->creation);
}

static bool get_ident(WRead *r, SessPeer *peer) {
    const char *nm;
    size_t nl;
    uint8_t cr;
    if (!wread_name(r, WIRE_MAX_NAME, &nm, &nl) || !wread_u8(r, &cr) || nl == 0 || cr == 0) return false;
    if (memchr(nm, 0, nl)) return false;
    memcpy(peer->name, nm, nl);
    peer->name[nl] = 0;
    peer->creation = cr;
    return true;
}

static Sess *tls_open(int fd, bool server) {
    SSL *ssl = SSL_new(server ? srv_ctx : cli_ctx);
    if (!ssl) return NULL;
    SSL_set_fd(ssl, fd);
    if (server) SSL_set_accept_state(ssl);
    else SSL_set_connect_state(ssl);
    return sess_new(fd, ssl);
}

static int set_nodelay(int fd) {
    int one = 1;
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

typedef struct Resolve {
    const char *host;
    int port;
    struct sockaddr_storage sa;
    socklen_t salen;
    int rc;
} Resolve;

static void resolve_job(void *arg) {
    Resolve *r = arg;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *ai = NULL;
    char port[16];
    snprintf(port, sizeof port, "%d", r->port);
    r->rc = getaddrinfo(r->host, port, &hints, &ai);
    if (r->rc == 0 && ai) {
        memcpy(&r->sa, ai->ai_addr, ai->ai_addrlen);
        r->salen = ai->ai_addrlen;
    }
    if (ai) freeaddrinfo(ai);
}

Sess *sess_connect(const SessSelf *me, const char *host, int port, SessPeer *peer, bool *tcp_failed, char *err,
                   size_t errcap) {
    *tcp_failed = false;
    Resolve r = {.host = host, .port = port};
    sched_run_blocking(resolve_job, &r);
    if (r.rc != 0) {
        *tcp_failed = true;
        snprintf(err, errcap, "TCP connect to %s:%d failed: %s", host, port, gai_strerror(r.rc));
        return NULL;
    }
    int fd = fdio_socket(r.sa.ss_family, SOCK_STREAM, 0);
    if (fd < 0) {
        *tcp_failed = true;
        snprintf(err, errcap, "TCP connect to %s:%d failed: %s", host, port, strerror(-fd));
        return NULL;
    }
    int64_t deadline = sched_now() + SESS_HANDSHAKE_MS;
    int rc = fdio_connect(fd, (struct sockaddr *)&r.sa, r.salen, deadline);
    if (rc < 0) {
        fdio_close(fd);
        *tcp_failed = true;
        snprintf(err, errcap, "TCP connect to %s:%d failed: %s", host, port, strerror(-rc));
        return NULL;
    }
    set_nodelay(fd);
    Sess *s = tls_open(fd, false);
    if (!s) {
        fdio_close(fd);
        snprintf(err, errcap, "TLS setup failed");
        return NULL;
    }
    uint8_t buf[SESS_HANDSHAKE_MAX];
    size_t len;
    WBuf b = {0};
    bool ok = false;
    if (tls_call(s, OP_HANDSHAKE, NULL, 0, deadline) <= 0) {
        snprintf(err, errcap, "TLS handshake with %s:%d failed", host, port);
        goto out;
    }
    /* 1. NAME */
    put_ident(&b, FR_NAME, me);
    if (!hs_send(s, &b, deadline)) {
        snprintf(err, errcap, "connection closed during the handshake");
        goto out;
    }
    /* 2. CHALLENGE (or the acceptor closes: rejected) */
    if (!hs_recv(s, FR_CHALLENGE, buf, &len, deadline, err, errcap)) {
        snprintf(err, errcap, "rejected by %s:%d during the handshake", host, port);
        goto out;
    }
    WRead rd = {buf + 1, buf + len};
    const uint8_t *c1;
    if (!get_ident(&rd, peer) || !wread_bytes(&rd, 32, &c1) || rd.p != rd.end) {
        snprintf(err, errcap, "bad CHALLENGE from %s:%d", host, port);
        goto out;
    }
    /* 3. REPLY(HMAC(cookie, c1), c2) */
    uint8_t c2[32], mac[32], want[32];
    RAND_bytes(c2, 32);
    hmac(me, c1, mac);
    b.len = 0;
    wbuf_u8(&b, FR_REPLY);
    wbuf_put(&b, mac, 32);
    wbuf_put(&b, c2, 32);
    if (!hs_send(s, &b, deadline)) {
        snprintf(err, errcap, "connection closed during the handshake");
        goto out;
    }
    /* 4. ACK(HMAC(cookie, c2)), checked in constant time */
    if (!hs_recv(s, FR_ACK, buf, &len, deadline, err, errcap) || len != 33) {
        snprintf(err, errcap, "authentication failed with %s (cookie mismatch?)", peer->name);
        goto out;
    }
    hmac(me, c2, want);
    if (CRYPTO_memcmp(buf + 1, want, 32) != 0) {
        snprintf(err, errcap, "cookie mismatch: authentication of %s failed", peer->name);
        goto out;
    }
    ok = true;
out:
    return hs_end(s, &b, ok);
}

Sess *sess_accept(const SessSelf *me, int fd, bool (*admit)(const SessPeer *peer), SessPeer *peer, char *err,
                  size_t errcap) {
    set_nodelay(fd);
    Sess *s = tls_open(fd, true);
    if (!s) {
        fdio_close(fd);
        snprintf(err, errcap, "TLS setup failed");
        return NULL;
    }
    int64_t deadline = sched_now() + SESS_HANDSHAKE_MS;
    uint8_t buf[SESS_HANDSHAKE_MAX];
    size_t len;
    WBuf b = {0};
    bool ok = false;
    snprintf(peer->name, sizeof peer->name, "?");
    if (tls_call(s, OP_HANDSHAKE, NULL, 0, deadline) <= 0) {
        snprintf(err, errcap, "TLS handshake failed");
        goto out;
    }
    if (!hs_recv(s, FR_NAME, buf, &len, deadline, err, errcap)) goto out;
    WRead rd = {buf + 1, buf + len};
    if (!get_ident(&rd, peer) || rd.p != rd.end) {
        snprintf(err, errcap, "bad NAME frame");
        goto out;
    }
    if (!admit(peer)) {
        snprintf(err, errcap, "%s is already connected", peer->name);
        goto out;
    }
    uint8_t c1[32], mac[32];
    RAND_bytes(c1, 32);
    put_ident(&b, FR_CHALLENGE, me);
    wbuf_put(&b, c1, 32);
    if (!hs_send(s, &b, deadline)) {
        snprintf(err, errcap, "connection closed during the handshake");
        goto out;
    }
    if (!hs_recv(s, FR_REPLY, buf, &len, deadline, err, errcap)) goto out;
    if (len != 65) {
        snprintf(err, errcap, "bad REPLY frame");
        goto out;
    }
    hmac(me, c1, mac);
    if (CRYPTO_memcmp(buf + 1, mac, 32) != 0) {
        snprintf(err, errcap, "cookie mismatch: authentication failed from %s", peer->name);
        goto out;
    }
    hmac(me, buf + 33, mac);
    b.len = 0;
    wbuf_u8(&b, FR_ACK);
    wbuf_put(&b, mac, 32);
    if (!hs_send(s, &b, deadline)) {
        snprintf(err, errcap, "connection closed during the handshake");
        goto out;
    }
    ok = true;
out:
    return hs_end(s, &b, ok);
}

/* ---- daemon processes ------------------------------------------------------------------------ */

static Value daemon_body(Value *args, int nargs) {
    (void)nargs;
    void (*fn)(void *) = (void (*)(void *))(intptr_t)args[0].i;
    void *arg = (void *)(intptr_t)args[1].i;
    proc_set_daemon();
    fn(arg);
    return v_unit();
}
SYSMSG_BODY(daemon_fn, "dist", daemon_body, 2);

void sess_spawn_daemon(const char *name, void (*fn)(void *), void *arg) {
    Value argv[2] = {v_int((int64_t)(intptr_t)fn), v_int((int64_t)(intptr_t)arg)};
    SpawnOpts o = {.name = name, .terminate = v_unit()};
    proc_spawn(SYSMSG_FN(daemon_fn), 2, argv, &o);
}

/* ---- the outgoing queue and the writer -------------------------------------------------------- */

static bool is_kick(const MboxEntry *e, void *ud) {
    (void)ud;
    return mbox_kind(e) == MB_DIST_KICK;
}

static bool has_bulk_from(Sess *s, uint64_t from) {
    for (Bulk *b = s->bulk; b; b = b->next)
        if (b->from == from) return true;
    return false;
}

void sess_send(Sess *s, uint64_t from, const uint8_t *body, size_t len) {
    if (atomic_load(&s->dead)) return;
    uint8_t hdr[4];
    put_u32(hdr, (uint32_t)len);
    mt_lock(&s->qlk);
    if (len > SESS_CHUNK || (s->bulk && has_bulk_from(s, from))) {
        Bulk *b = xmalloc(sizeof *b);
        b->next = NULL;
        b->from = from;
        b->len = len + 4;
        b->off = 0;
        b->chunked = len > SESS_CHUNK;
        b->data = xmalloc(b->len);
        memcpy(b->data, hdr, 4);
        memcpy(b->data + 4, body, len);
        if (s->bulk_tail) s->bulk_tail->next = b;
        else s->bulk = b;
        s->bulk_tail = b;
    } else {
        wbuf_put(&s->small, hdr, 4);
        wbuf_put(&s->small, body, len);
    }
    s->queued += len + 4;
    bool kick = s->writer_started && s->writer_idle;
    s->writer_idle = false;
    uint64_t w = s->writer;
    mt_unlock(&s->qlk);
    if (kick) proc_deliver(w, MB_DIST_KICK, 0, NULL, v_unit());
}

size_t sess_queued(Sess *s) {
    mt_lock(&s->qlk);
    size_t n = s->queued;
    mt_unlock(&s->qlk);
    return n;
}

/* Take the next round's bytes: every small frame, then one chunk (as a
 * CHUNK frame) or one whole frame queued behind a large one. */
static bool take_round(Sess *s, WBuf *out) {
    out->len = 0;
    if (s->small.len) {
        WBuf t = *out;
        *out = s->small;
        s->small = t;
        s->small.len = 0;
    }
    Bulk *b = s->bulk;
    if (b) {
        if (!b->chunked) {
            wbuf_put(out, b->data, b->len);
            b->off = b->len;
        } else {
            /* CHUNK frame: flags (1 first, 2 last), [total], bytes of the frame body */
            size_t body_total = b->len - 4;
            size_t done = b->off ? b->off - 4 : 0;
            size_t n = body_total - done > SESS_CHUNK ? SESS_CHUNK : body_total - done;
            uint8_t flags = (uint8_t)((done == 0 ? 1 : 0) | (done + n == body_total ? 2 : 0));
            WBuf h = {0};
            wbuf_u8(&h, FR_CHUNK);
            wbuf_u8(&h, flags);
            if (flags & 1) wbuf_varint(&h, body_total);
            uint8_t hdr[4];
            put_u32(hdr, (uint32_t)(h.len + n));
            wbuf_put(out, hdr, 4);
            wbuf_put(out, h.p, h.len);
            wbuf_put(out, b->data + 4 + done, n);
            wbuf_free(&h);
            b->off = 4 + done + n;
        }
        if (b->off >= b->len) {
            s->bulk = b->next;
            if (!s->bulk) s->bulk_tail = NULL;
            s->queued -= b->len;
            free(b->data);
            free(b);
        }
    }
    return out->len > 0;
}

static void writer_main(void *arg) {
    Sess *s = arg;
    WBuf out = {0};
    for (;;) {
        mt_lock(&s->qlk);
        size_t small = s->small.len;
        bool got = !atomic_load(&s->dead) && take_round(s, &out);
        s->queued -= small;
        if (!got) s->writer_idle = true;
        mt_unlock(&s->qlk);
        if (atomic_load(&s->dead)) break;
        if (!got) {
            MboxEntry *e = sysmsg_wait(is_kick, NULL, -1);
            if (e) sysmsg_take(e);
            continue;
        }
        if (!write_all(s, out.p, out.len, -1)) {
            sess_close(s);
            break;
        }
        if (out.cap > (1u << 20)) wbuf_free(&out); /* do not keep a huge buffer */
    }
    wbuf_free(&out);
    sess_unref(s);
}

void sess_start_writer(Sess *s) {
    mt_lock(&s->qlk);
    s->writer_started = true;
    s->writer_idle = false; /* it looks at the queue first */
    mt_unlock(&s->qlk);
    /* the writer's pid must be known before anyone kicks it: spawn with the
     * queue marked busy, then publish the pid */
    Value argv[2] = {v_int((int64_t)(intptr_t)writer_main), v_int((int64_t)(intptr_t)s)};
    SpawnOpts o = {.name = "dist_writer", .terminate = v_unit()};
    uint64_t pid = proc_spawn(SYSMSG_FN(daemon_fn), 2, argv, &o);
    mt_lock(&s->qlk);
    s->writer = pid;
    mt_unlock(&s->qlk);
}

/* ---- the reader ------------------------------------------------------------------------------- */

static void ping(Sess *s, uint8_t token[8]) {
    uint8_t body[9];
    body[0] = FR_PING;
    RAND_bytes(token, 8);
    memcpy(body + 1, token, 8);
    sess_send(s, 0, body, 9);
}

/* One complete frame body: heartbeats here, chunks reassembled, the rest
 * to the node. */
static bool frame(Sess *s, const uint8_t *body, size_t len, SessFrameFn on_frame, bool *pong, const uint8_t tok[8],
                  char *err, size_t cap) {
    switch (body[0]) {
    case FR_PING: {
        if (len != 9) return snprintf(err, cap, "bad heartbeat"), false;
        uint8_t r[9];
        memcpy(r, body, 9);
        r[0] = FR_PONG;
        sess_send(s, 0, r, 9);
        return true;
    }
    case FR_PONG:
        if (len != 9) return snprintf(err, cap, "bad heartbeat"), false;
        if (memcmp(body + 1, tok, 8) == 0) *pong = true;
        return true;
    case FR_CHUNK: {
        WRead r = {body + 1, body + len};
        uint8_t flags;
        if (!wread_u8(&r, &flags) || flags > 3) return snprintf(err, cap, "bad chunk"), false;
        if (flags & 1) {
            uint64_t total;
            if (s->big_on || !wread_varint(&r, &total) || total <= SESS_CHUNK || total > SESS_MAX_FRAME)
                return snprintf(err, cap, "bad chunked message"), false;
            s->big_on = true;
            s->big_total = (size_t)total;
            s->big.len = 0;
            wbuf_reserve(&s->big, (size_t)total);
        } else if (!s->big_on) {
            return snprintf(err, cap, "chunk outside a chunked message"), false;
        }
        size_t n = (size_t)(r.end - r.p);
        if (s->big.len + n > s->big_total) return snprintf(err, cap, "chunked message longer than announced"), false;
        wbuf_put(&s->big, r.p, n);
        if (!(flags & 2)) return true;
        if (s->big.len != s->big_total) return snprintf(err, cap, "chunked message shorter than announced"), false;
        s->big_on = false;
        if (s->big.p[0] == FR_CHUNK) return snprintf(err, cap, "nested chunks"), false;
        bool ok = frame(s, s->big.p, s->big.len, on_frame, pong, tok, err, cap);
        if (s->big.cap > (1u << 20)) wbuf_free(&s->big);
        return ok;
    }
    default: return on_frame(s, body, len, err, cap);
    }
}

void sess_run_reader(Sess *s, SessFrameFn on_frame, char *why, size_t whycap) {
    proc_set_daemon();
    s->incap = 64 << 10;
    s->in = xmalloc(s->incap);
    uint8_t tok[8] = {0};
    bool outstanding = false, pong = false;
    int64_t next_ping = sched_now() + sess_hb_interval, ping_deadline = 0;
    snprintf(why, whycap, "connection closed");
    for (;;) {
        int64_t deadline = outstanding ? ping_deadline : next_ping;
        if (s->inlen == s->incap) {
            s->incap *= 2;
            s->in = xrealloc(s->in, s->incap);
        }
        int r = tls_call(s, OP_READ, s->in + s->inlen, (int)(s->incap - s->inlen), deadline);
        if (r < 0) break;
        if (r > 0) {
            s->inlen += (size_t)r;
            size_t off = 0;
            bool bad = false;
            while (s->inlen - off >= 4) {
                uint32_t n = get_u32(s->in + off);
                if (n < 1 || n > SESS_MAX_FRAME) {
                    snprintf(why, whycap, "protocol violation: frame of %u bytes", n);
                    bad = true;
                    break;
                }
                if (s->inlen - off - 4 < n) {
                    if (4 + (size_t)n > s->incap) { /* make room for the whole frame */
                        memmove(s->in, s->in + off, s->inlen - off);
                        s->inlen -= off;
                        off = 0;
                        s->incap = 4 + (size_t)n;
                        s->in = xrealloc(s->in, s->incap);
                    }
                    break;
                }
                if (!frame(s, s->in + off + 4, n, on_frame, &pong, tok, why, whycap)) {
                    bad = true;
                    break;
                }
                off += 4 + (size_t)n;
                if (atomic_load(&s->dead)) break;
            }
            if (bad) break;
            memmove(s->in, s->in + off, s->inlen - off);
            s->inlen -= off;
            if (s->incap > (1u << 20) && s->inlen < (64u << 10)) { /* shrink after a large message */
                s->incap = 64 << 10;
                s->in = xrealloc(s->in, s->incap);
            }
            if (pong) outstanding = pong = false;
        }
        int64_t now = sched_now();
        if (outstanding && now >= ping_deadline) {
            snprintf(why, whycap, "heartbeat timeout");
            break;
        }
        if (!outstanding && now >= next_ping) {
            ping(s, tok);
            outstanding = true;
            ping_deadline = now + sess_hb_timeout;
            next_ping = now + sess_hb_interval;
        }
    }
    sess_close(s);
}

void sess_release(Sess *s) {
    mt_lock(&s->qlk);
    bool writer = s->writer_started;
    mt_unlock(&s->qlk);
    if (!writer) atomic_fetch_sub(&s->refs, 1); /* the writer's share, never started */
    sess_unref(s);
}
