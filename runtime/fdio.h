/* fdio.h — operations on file descriptors for processes: they wait in the
 * poller instead of blocking a scheduler thread, and every outcome goes
 * through the journal (iolog.h), so a run that used them can be replayed
 * without the outside world.  The network modules build on these.
 *
 * Conventions:
 *  - Results are >= 0 on success and -errno on failure (never errno);
 *    -ETIMEDOUT when the deadline (ms on sched_now's clock, < 0 = none)
 *    passed, -EBADF when the fd was unregistered (poll_del) meanwhile.
 *  - An fd is registered with the poller on first use (poll_add); fds made
 *    here (fdio_socket, fdio_accept) are non-blocking, close-on-exec and
 *    registered.  Close them with fdio_close (poll_del, then close).
 *  - Each function is one sequence of journal points: the outcome of every
 *    system call is noted, and replaying takes the outcomes back in the same
 *    order, with the same waits in between.  In replay no system call
 *    touches the outside: sockets are placeholders (an eventfd), writes are
 *    not sent, reads return what was read.
 *  - Outside a process (no scheduler running it) the calls block the thread.
 *
 * A net module waits on a socket like this:
 *     int fd = fdio_socket(AF_INET, SOCK_STREAM, 0);
 *     int r = fdio_connect(fd, sa, salen, sched_now() + 5000);
 *     ssize_t n = fdio_read(fd, buf, sizeof buf, -1);     // parks, never blocks
 *     ... Value h = handle_open(&socket_class, conn);     // closed with its owner
 *     socket_class.close = conn_close -> fdio_close(fd)
 * and a library with its own socket (libpq) waits with
 *     poll_add(PQsocket(c)); poll_wait(PQsocket(c), POLLIN, deadline);
 * (its reads are not journaled: record its results with fdio_call or
 * iolog_note if such a session must replay).
 */
#ifndef SNOW_FDIO_H
#define SNOW_FDIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Read up to cap bytes: > 0 bytes read, 0 at end of file, -errno.  Waits
 * (parks) until some data is there.  A blocking-mode fd (stdin) is probed
 * for readiness before each read, so the read itself never blocks. */
ssize_t fdio_read(int fd, void *buf, size_t cap, int64_t deadline);
/* Write all len bytes (waiting whenever the fd is full): len, or -errno
 * if nothing was written (else the bytes written before the error).  On a
 * socket it is sendmsg(MSG_NOSIGNAL), so a peer that went away is -EPIPE,
 * never a SIGPIPE (poll_fd_socket: known from the registration). */
ssize_t fdio_write(int fd, const void *buf, size_t len, int64_t deadline);
/* fdio_write of several pieces with one system call (a response's head
 * and body): the total written, or -errno if nothing was.
 * At most FDIO_IOV_MAX pieces. */
struct iovec;
#define FDIO_IOV_MAX 16
ssize_t fdio_writev(int fd, const struct iovec *iov, int iovcnt, int64_t deadline);
/* A new non-blocking, registered socket; -errno. */
int fdio_socket(int domain, int type, int protocol);
/* Connect a socket made by fdio_socket: 0 or -errno. */
int fdio_connect(int fd, const struct sockaddr *sa, socklen_t salen, int64_t deadline);
/* Accept a connection on a listening socket: the new registered fd, or
 * -errno; the peer's address goes to addr (*alen bytes), if addr. */
int fdio_accept(int lfd, struct sockaddr *addr, socklen_t *alen, int64_t deadline);
/* Replaying: a stand-in for the socket the recording had as fd `recorded`
 * (an eventfd, never ready on its own; readiness comes from the journal),
 * with the recorded number mapped to it.  Not registered.  -1 on failure.
 * For a library that made its own socket (libpq): its journal points name
 * the recorded fd, the replay waits on the stand-in. */
int fdio_placeholder(int recorded);
/* Unregister and close. */
int fdio_close(int fd);

/* Any other external call, journaled: live, fn(fd, ud, out, cap, &len)
 * runs (returning >= 0 or -errno, and up to cap bytes in out); replaying,
 * its recorded result and bytes come back without calling fn.  (bind,
 * listen, setsockopt, getaddrinfo's answer, a TLS handshake's outcome...) */
typedef int64_t (*FdioCallFn)(int fd, void *ud, void *out, size_t cap, size_t *len);
int64_t fdio_call(int fd, FdioCallFn fn, void *ud, void *out, size_t cap, size_t *len);

#endif
