/* conn.h — a byte stream over a socket, plain or TLS: what the HTTP
 * server and client, and the WebSocket connections, read and write
 * through.  Every call parks the running process (never the thread) and is
 * journaled (fdio.h, tls.h).
 *
 * Invariants:
 *  - fd is registered with the poller for the connection's whole life;
 *    conn_close unregisters and closes it (and frees the TLS session) and
 *    never parks, so it may run in a resource's close hook.
 *  - Writes to a socket never raise SIGPIPE (sendmsg/send MSG_NOSIGNAL).
 */
#ifndef SNOW_CONN_H
#define SNOW_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "tls.h"

typedef struct NetConn {
    int fd;        /* -1 once closed */
    TlsConn *tls;  /* NULL: plain TCP */
} NetConn;

/* > 0 bytes, 0 at end of stream, -errno (-ETIMEDOUT past the deadline). */
ssize_t conn_read(NetConn *c, void *buf, size_t cap, int64_t deadline);
/* Everything, or -errno.  At most FDIO_IOV_MAX pieces. */
ssize_t conn_writev(NetConn *c, const struct iovec *iov, int n, int64_t deadline);
ssize_t conn_write(NetConn *c, const void *buf, size_t len, int64_t deadline);
/* One attempt that never parks (a close hook's last word). */
void conn_write_now(NetConn *c, const void *buf, size_t len);
/* Shut the reading side (the peer's further bytes are refused; a process
 * waiting to read sees the end of the stream).  Any thread. */
void conn_shutdown_read(NetConn *c);
/* Free the TLS session, unregister and close the socket. */
void conn_close(NetConn *c);

/* Client side: resolve host (on the blocking pool), connect with a
 * deadline (every address in turn), and for tls run the handshake with
 * host verified.  0, or -1 with the error text in err ("Connection
 * refused (os error 111)", "failed to lookup address ...", ...), and
 * *kind set to "Connection Failed", "Dns Failed", "Tls Failed" or
 * "Timeout". */
int conn_connect(NetConn *c, const char *host, int port, bool tls, int64_t deadline, const char **kind, char *err,
                 size_t cap);

#endif
