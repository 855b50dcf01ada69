/* tls.h — TLS 1.2/1.3 (OpenSSL 3) over non-blocking sockets that wait in
 * the runtime's poller: for the HTTP server and client, WebSockets, and
 * any other module that needs TLS on a socket (dist/, database drivers).
 *
 * Use (inside a Snow process; the calls park the process, never the
 * thread):
 *
 *     char err[256];
 *     TlsCtx *ctx = tls_server_ctx("cert.pem", "key.pem", err, sizeof err);
 *     TlsConn *t = tls_new(ctx, fd, NULL);              // server side
 *     if (tls_handshake(t, sched_now() + 10000, err, sizeof err) < 0) ...
 *     ssize_t n = tls_read(t, buf, cap, deadline);      // > 0, 0 = EOF, -errno
 *     tls_write(t, buf, len, deadline);                  // all of it, or -errno
 *     tls_free(t);                                       // close_notify; fd stays open
 *
 *     TlsCtx *cc = tls_client_ctx(err, sizeof err);     // system CA store, peer verified
 *     TlsConn *t = tls_new(cc, fd, "example.com");       // SNI + host name check
 *
 * Invariants:
 *  - A context is immutable after creation and shared by any number of
 *    connections and threads; tls_ctx_free only when none is left.
 *  - Every OpenSSL call on a connection runs inside fdio_call: its outcome
 *    (bytes read, bytes written, "wants to read/write", the error text) is
 *    journaled, so a recorded run replays without the network (OpenSSL is
 *    not called at all then).  The thread's OpenSSL error queue is emptied
 *    before and after each call — before any wait — because the process
 *    may resume on another worker thread, and the queue is per thread.
 *  - The socket goes through a BIO that sends with MSG_NOSIGNAL: a peer
 *    that went away is an error of its connection, never a SIGPIPE.
 *  - A failed handshake or read affects only its connection.
 *  - tls_free never parks (it may run in a resource's close hook): it sends
 *    close_notify if the socket takes it at once, and frees the session.
 */
#ifndef SNOW_TLS_H
#define SNOW_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct TlsCtx TlsCtx;
typedef struct TlsConn TlsConn;

/* A server context from PEM files: cert_path holds the certificate chain,
 * key_path the private key (PKCS#8, PKCS#1 or SEC1).  NULL with a message
 * in err on failure. */
TlsCtx *tls_server_ctx(const char *cert_path, const char *key_path, char *err, size_t cap);
/* The shared client context: peers are verified against the system CA
 * store (SSL_CERT_FILE / SSL_CERT_DIR are honoured, as by OpenSSL).  NULL
 * with a message on failure.  Never free it. */
TlsCtx *tls_client_ctx(char *err, size_t cap);
void tls_ctx_free(TlsCtx *ctx);

/* A session on socket fd (registered with the poller).  host: the name
 * the client checks the certificate against and sends as SNI (NULL for a
 * server). */
TlsConn *tls_new(TlsCtx *ctx, int fd, const char *host);
/* Handshake: 0, or -errno (-ETIMEDOUT, -EPROTO...) with a message in err. */
int tls_handshake(TlsConn *t, int64_t deadline, char *err, size_t cap);
/* Up to cap bytes: > 0, 0 when the peer closed, -errno. */
ssize_t tls_read(TlsConn *t, void *buf, size_t cap, int64_t deadline);
/* All len bytes: len, or -errno. */
ssize_t tls_write(TlsConn *t, const void *buf, size_t len, int64_t deadline);
/* One attempt, never parks (a close hook's last word): bytes written or -errno. */
ssize_t tls_write_now(TlsConn *t, const void *buf, size_t len);
/* One attempt through the journal, never parks: bytes written, -EAGAIN
 * with *want = POLLIN or POLLOUT (what to wait for before trying again
 * with the same bytes), or -errno.  A session may be read by one process
 * while others write to it (a WebSocket): OpenSSL calls on one session
 * are serialised by its lock. */
ssize_t tls_write_try(TlsConn *t, const void *buf, size_t len, int *want);
/* Bytes OpenSSL already decrypted and holds (a read will not wait). */
bool tls_pending(TlsConn *t);
/* The last error's text ("" if none). */
const char *tls_error(TlsConn *t);
/* Send close_notify if possible, free the session (not the fd). */
void tls_free(TlsConn *t);

#endif
