/* session.h — one connection between two nodes (net.md §8.3–8.4, decision
 * 31): TCP + TLS 1.3 (a self-signed ECDSA P-256 certificate made when the
 * node starts; the initiator does not verify it — authentication is the
 * cookie), the four-message HMAC-SHA256 handshake, length-prefixed frames,
 * heartbeats, and the outgoing queue with chunking of large frames.
 *
 * Processes: a session has a reader (the process that ran the acceptor's
 * handshake, or one spawned for the initiator) and a writer.  Both are
 * daemons (proc_set_daemon): they do not keep the program alive.  Senders
 * never touch the socket: they append a frame to the queue (under the
 * queue lock) and kick the writer with one MB_DIST_KICK entry when it is
 * idle, so a wake-up is never lost.  The writer sends, per round, every
 * queued small frame and at most one 64 KiB chunk of a large one, so a
 * heartbeat or a small message waits behind at most one chunk.  Frames
 * from a process that has a large frame queued follow it (order between
 * two processes is kept).
 *
 * Invariants:
 *  - The SSL object is used under the session's ssl lock only, and never
 *    across a wait (the socket is non-blocking; waits go through the
 *    poller).
 *  - Every length read from the wire is checked before use: handshake
 *    frames <= 4 KiB, session frames and reassembled messages <= 16 MiB.
 *  - A session is freed when its last user (reader, writer) lets go.
 */
#ifndef SNOW_SESSION_H
#define SNOW_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* Frame types (the first byte of a frame's body). */
enum {
    FR_NAME = 1, FR_CHALLENGE, FR_REPLY, FR_ACK,
    FR_SEND = 0x10, FR_REG_SEND, FR_PEER_LIST, FR_LINK, FR_UNLINK, FR_EXIT, FR_MONITOR, FR_DEMONITOR,
    FR_DOWN, FR_SPAWN, FR_SPAWN_REPLY, FR_GLOBAL_REG, FR_GLOBAL_UNREG, FR_GLOBAL_SYNC, FR_CHUNK,
    FR_PING = 0xF0, FR_PONG = 0xF1
};

#define SESS_HANDSHAKE_MAX 4096
#define SESS_CHUNK (64u << 10)
#define SESS_HANDSHAKE_MS 5000
#define SESS_MAX_FRAME (16u << 20) /* a frame, and a reassembled chunked message */

/* Heartbeat: a ping every interval; no pong within timeout ends the
 * session (ms; dist_set_heartbeat). */
extern int64_t sess_hb_interval, sess_hb_timeout;

typedef struct Sess Sess;

/* The node's TLS contexts and certificate (made once, at start). */
bool sess_tls_init(char *err, size_t errcap);

/* What the handshake needs to know about this node. */
typedef struct SessSelf {
    const char *name;
    uint32_t creation;
    const char *cookie;
    size_t cookie_len;
} SessSelf;

/* The peer, as the handshake learned it. */
typedef struct SessPeer {
    char name[WIRE_MAX_NAME + 1];
    uint32_t creation;
} SessPeer;

/* Initiator: TCP connect to host:port, TLS, handshake — in the calling
 * process.  NULL with a reason (err) and *tcp_failed when the TCP connect
 * itself failed. */
Sess *sess_connect(const SessSelf *me, const char *host, int port, SessPeer *peer, bool *tcp_failed, char *err,
                   size_t errcap);
/* Acceptor: TLS and handshake on an accepted socket, in the calling
 * process.  `admit` is asked once the peer's name is known (false:
 * rejected, closed).  NULL on failure (the socket is closed). */
Sess *sess_accept(const SessSelf *me, int fd, bool (*admit)(const SessPeer *peer), SessPeer *peer, char *err,
                  size_t errcap);

/* Attach the node's record of the peer (opaque to the session). */
void sess_set_user(Sess *s, void *user);
void *sess_user(Sess *s);
/* Spawn the writer (a daemon process).  Call once, after registration. */
void sess_start_writer(Sess *s);
/* Queue one frame (body: type byte + payload) from process `from`. */
void sess_send(Sess *s, uint64_t from, const uint8_t *body, size_t len);
/* Run the reader loop in the calling process (made a daemon): frames are
 * handed to on_frame (false: protocol violation, disconnect with the
 * reason in err); returns when the session ends, with the reason. */
typedef bool (*SessFrameFn)(Sess *s, const uint8_t *body, size_t len, char *err, size_t errcap);
void sess_run_reader(Sess *s, SessFrameFn on_frame, char *why, size_t whycap);
/* Make the session end (from any process): the reader returns soon. */
void sess_close(Sess *s);
/* The reader is done with the session. */
void sess_release(Sess *s);
/* Spawn a daemon process running fn(arg) (the acceptor, a background
 * connector, a session reader). */
void sess_spawn_daemon(const char *name, void (*fn)(void *), void *arg);

/* Bytes queued and not yet written (tests, flow control). */
size_t sess_queued(Sess *s);

#endif
