/* tls.c — OpenSSL sessions whose every call is a journal point and whose
 * waits are the poller's (tls.h). */
#include "tls.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "fdio.h"
#include "iolog.h"
#include "poll.h"
#include "rt.h"
#include "xalloc.h"

struct TlsCtx {
    SSL_CTX *ssl;
    bool client;
};

struct TlsConn {
    SSL *ssl;
    int fd;
    bool client;
    pthread_mutex_t lk; /* a WebSocket's reader and writers use the session from two processes */
    char err[200];
};

/* ---- the socket BIO: recv/send with MSG_NOSIGNAL ------------------------------------ */

static int bio_fd(BIO *b) { return (int)(intptr_t)BIO_get_data(b); }

static int bio_write(BIO *b, const char *buf, int len) {
    BIO_clear_retry_flags(b);
    ssize_t n;
    do n = send(bio_fd(b), buf, (size_t)len, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_write(b);
    return (int)n;
}

static int bio_read(BIO *b, char *buf, int len) {
    BIO_clear_retry_flags(b);
    ssize_t n;
    do n = recv(bio_fd(b), buf, (size_t)len, 0);
    while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) BIO_set_retry_read(b);
    return (int)n;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr) {
    (void)b;
    (void)num;
    (void)ptr;
    return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int bio_puts(BIO *b, const char *s) { return bio_write(b, s, (int)strlen(s)); }

static int bio_create(BIO *b) {
    BIO_set_init(b, 1);
    return 1;
}

static BIO_METHOD *bio_method;
static pthread_once_t bio_once = PTHREAD_ONCE_INIT;

static void bio_method_init(void) {
    bio_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "snow socket");
    BIO_meth_set_write(bio_method, bio_write);
    BIO_meth_set_read(bio_method, bio_read);
    BIO_meth_set_puts(bio_method, bio_puts);
    BIO_meth_set_ctrl(bio_method, bio_ctrl);
    BIO_meth_set_create(bio_method, bio_create);
}

/* ---- contexts ------------------------------------------------------------------------ */

/* The text of the thread's newest OpenSSL error (the queue is emptied). */
static void err_text(char *out, size_t cap, const char *what) {
    unsigned long e = ERR_peek_last_error();
    char reason[160] = "unknown error";
    if (e) ERR_error_string_n(e, reason, sizeof reason);
    ERR_clear_error();
    snprintf(out, cap, "%s%s%s", what, *what ? ": " : "", reason);
}

static SSL_CTX *ctx_common(const SSL_METHOD *m) {
    SSL_CTX *c = SSL_CTX_new(m);
    if (!c) return NULL;
    SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
    SSL_CTX_set_options(c, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
    /* partial writes and moving buffers: a write resumed after a wait may
     * continue from a new address; released buffers keep idle sessions small */
    SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                            SSL_MODE_RELEASE_BUFFERS);
    return c;
}

TlsCtx *tls_server_ctx(const char *cert_path, const char *key_path, char *err, size_t cap) {
    ERR_clear_error();
    SSL_CTX *c = ctx_common(TLS_server_method());
    char what[300];
    if (!c) {
        err_text(err, cap, "cannot create a TLS context");
        return NULL;
    }
    if (SSL_CTX_use_certificate_chain_file(c, cert_path) != 1) {
        snprintf(what, sizeof what, "certificate chain %s", cert_path);
        err_text(err, cap, what);
        SSL_CTX_free(c);
        return NULL;
    }
    if (SSL_CTX_use_PrivateKey_file(c, key_path, SSL_FILETYPE_PEM) != 1) {
        snprintf(what, sizeof what, "private key %s", key_path);
        err_text(err, cap, what);
        SSL_CTX_free(c);
        return NULL;
    }
    if (SSL_CTX_check_private_key(c) != 1) {
        err_text(err, cap, "the private key does not match the certificate");
        SSL_CTX_free(c);
        return NULL;
    }
    ERR_clear_error();
    TlsCtx *t = xmalloc(sizeof *t);
    t->ssl = c;
    t->client = false;
    return t;
}

static TlsCtx *client_ctx;
static char client_err[256];
static pthread_once_t client_once = PTHREAD_ONCE_INIT;

static void client_init(void) {
    ERR_clear_error();
    SSL_CTX *c = ctx_common(TLS_client_method());
    if (!c) {
        err_text(client_err, sizeof client_err, "cannot create a TLS context");
        return;
    }
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, NULL);
    if (SSL_CTX_set_default_verify_paths(c) != 1) {
        err_text(client_err, sizeof client_err, "cannot load the system CA store");
        SSL_CTX_free(c);
        return;
    }
    ERR_clear_error();
    client_ctx = xmalloc(sizeof *client_ctx);
    client_ctx->ssl = c;
    client_ctx->client = true;
}

TlsCtx *tls_client_ctx(char *err, size_t cap) {
    pthread_once(&client_once, client_init);
    if (!client_ctx) snprintf(err, cap, "%s", client_err);
    return client_ctx;
}

void tls_ctx_free(TlsCtx *ctx) {
    if (!ctx || ctx == client_ctx) return;
    SSL_CTX_free(ctx->ssl);
    free(ctx);
}

/* ---- sessions ------------------------------------------------------------------------ */

TlsConn *tls_new(TlsCtx *ctx, int fd, const char *host) {
    pthread_once(&bio_once, bio_method_init);
    TlsConn *t = xcalloc(1, sizeof *t);
    t->fd = fd;
    t->client = ctx->client;
    pthread_mutex_init(&t->lk, NULL);
    t->ssl = SSL_new(ctx->ssl);
    if (!t->ssl) rt_fatal("out of memory (a TLS session)");
    BIO *b = BIO_new(bio_method);
    BIO_set_data(b, (void *)(intptr_t)fd);
    SSL_set_bio(t->ssl, b, b);
    if (ctx->client) {
        SSL_set_connect_state(t->ssl);
        if (host && *host) {
            SSL_set1_host(t->ssl, host);
            /* SNI is for names, not address literals */
            if (!strchr(host, ':') && strspn(host, "0123456789.") != strlen(host))
                SSL_set_tlsext_host_name(t->ssl, host);
        }
    } else {
        SSL_set_accept_state(t->ssl);
    }
    ERR_clear_error();
    return t;
}

enum { OP_HANDSHAKE, OP_READ, OP_WRITE };
/* "wants to write" (EAGAIN stands for "wants to read") */
#define WANT_WRITE (-EALREADY)

typedef struct OpArg {
    TlsConn *t;
    int op;
    const void *wbuf;
    size_t wlen;
} OpArg;

static int64_t op_locked(OpArg *a, SSL *ssl, void *out, size_t cap, size_t *len);

/* One OpenSSL call, as an fdio_call: its result, bytes read into out, or
 * (handshake) the error text into out.  Under the session's lock. */
static int64_t op_live(int fd, void *ud, void *out, size_t cap, size_t *len) {
    (void)fd;
    OpArg *a = ud;
    SSL *ssl = a->t->ssl;
    pthread_mutex_lock(&a->t->lk);
    int64_t res = op_locked(a, ssl, out, cap, len);
    pthread_mutex_unlock(&a->t->lk);
    return res;
}

static int64_t op_locked(OpArg *a, SSL *ssl, void *out, size_t cap, size_t *len) {
    ERR_clear_error();
    errno = 0;
    int r;
    switch (a->op) {
    case OP_HANDSHAKE: r = SSL_do_handshake(ssl); break;
    case OP_READ: r = SSL_read(ssl, out, cap > INT32_MAX ? INT32_MAX : (int)cap); break;
    default: r = SSL_write(ssl, a->wbuf, a->wlen > INT32_MAX ? INT32_MAX : (int)a->wlen); break;
    }
    int64_t res;
    if (r > 0) {
        res = a->op == OP_HANDSHAKE ? 0 : r;
        if (a->op == OP_READ) *len = (size_t)r;
        ERR_clear_error();
        return res;
    }
    int saved = errno;
    switch (SSL_get_error(ssl, r)) {
    case SSL_ERROR_WANT_READ: res = -EAGAIN; break;
    case SSL_ERROR_WANT_WRITE: res = WANT_WRITE; break;
    case SSL_ERROR_ZERO_RETURN: res = a->op == OP_READ ? 0 : -ECONNRESET; break;
    case SSL_ERROR_SYSCALL:
        res = saved ? -saved : a->op == OP_READ ? 0 : -ECONNRESET;
        snprintf(a->t->err, sizeof a->t->err, "%s", saved ? strerror(saved) : "connection closed");
        break;
    default: {
        res = -EPROTO;
        char what[64] = "";
        if (a->op == OP_HANDSHAKE && a->t->client) {
            long v = SSL_get_verify_result(ssl);
            if (v != X509_V_OK) {
                snprintf(a->t->err, sizeof a->t->err, "certificate verify failed: %s",
                         X509_verify_cert_error_string(v));
                break;
            }
        }
        err_text(a->t->err, sizeof a->t->err, what);
        break;
    }
    }
    if (a->op == OP_HANDSHAKE && res < 0 && res != -EAGAIN && res != WANT_WRITE) {
        size_t n = strlen(a->t->err);
        if (n > cap) n = cap;
        memcpy(out, a->t->err, n);
        *len = n;
    }
    ERR_clear_error(); /* nothing of this call is left for another process on this thread */
    return res;
}

/* Run one operation until it is not waiting any more (parking in between). */
static int64_t run_op(TlsConn *t, int op, void *out, size_t cap, const void *wbuf, size_t wlen, int64_t deadline,
                      size_t *outlen) {
    for (;;) {
        uint32_t tick = poll_tick(t->fd);
        OpArg a = {t, op, wbuf, wlen};
        size_t len = 0;
        int64_t r = fdio_call(t->fd, op_live, &a, out, cap, &len);
        if (r == -EAGAIN || r == WANT_WRITE) {
            int ev = r == -EAGAIN ? POLLIN : POLLOUT;
            poll_clear(t->fd, ev, tick);
            int w = poll_wait(t->fd, ev, deadline);
            if (w & POLLNVAL) return -EBADF;
            if (!w) return -ETIMEDOUT;
            continue;
        }
        if (outlen) *outlen = len;
        return r;
    }
}

int tls_handshake(TlsConn *t, int64_t deadline, char *err, size_t cap) {
    char text[200];
    size_t len = 0;
    int64_t r = run_op(t, OP_HANDSHAKE, text, sizeof text - 1, NULL, 0, deadline, &len);
    if (r >= 0) return 0;
    if (r == -ETIMEDOUT) snprintf(err, cap, "handshake timed out");
    else if (len) snprintf(err, cap, "%.*s", (int)len, text);
    else snprintf(err, cap, "%s", strerror((int)-r));
    snprintf(t->err, sizeof t->err, "%s", err);
    return (int)r;
}

ssize_t tls_read(TlsConn *t, void *buf, size_t cap, int64_t deadline) {
    if (cap == 0) return 0;
    return (ssize_t)run_op(t, OP_READ, buf, cap, NULL, 0, deadline, NULL);
}

ssize_t tls_write(TlsConn *t, const void *buf, size_t len, int64_t deadline) {
    size_t done = 0;
    while (done < len) {
        int64_t r = run_op(t, OP_WRITE, NULL, 0, (const char *)buf + done, len - done, deadline, NULL);
        if (r <= 0) return done ? (ssize_t)done : (ssize_t)(r ? r : -EIO);
        done += (size_t)r;
    }
    return (ssize_t)done;
}

ssize_t tls_write_now(TlsConn *t, const void *buf, size_t len) {
    if (iolog_replaying()) return (ssize_t)len; /* nothing goes out in a replay */
    OpArg a = {t, OP_WRITE, buf, len};
    size_t n = 0;
    int64_t r = op_live(t->fd, &a, NULL, 0, &n);
    return (ssize_t)r;
}

ssize_t tls_write_try(TlsConn *t, const void *buf, size_t len, int *want) {
    OpArg a = {t, OP_WRITE, buf, len};
    size_t n = 0;
    int64_t r = fdio_call(t->fd, op_live, &a, NULL, 0, &n);
    if (r == -EAGAIN || r == WANT_WRITE) {
        *want = r == -EAGAIN ? POLLIN : POLLOUT;
        return -EAGAIN;
    }
    return (ssize_t)r;
}

bool tls_pending(TlsConn *t) { return !iolog_replaying() && SSL_pending(t->ssl) > 0; }

const char *tls_error(TlsConn *t) { return t->err; }

void tls_free(TlsConn *t) {
    if (!t) return;
    if (!iolog_replaying() && SSL_is_init_finished(t->ssl)) {
        ERR_clear_error();
        SSL_shutdown(t->ssl); /* close_notify if it fits now; never waits */
    }
    SSL_free(t->ssl);
    ERR_clear_error();
    pthread_mutex_destroy(&t->lk);
    free(t);
}
