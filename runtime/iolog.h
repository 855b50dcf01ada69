/* iolog.h — the journal of external inputs: what makes a run that talked to
 * the outside world replayable (architecture.md §3-4).
 *
 * Under the deterministic scheduler a run is a function of the program, the
 * seed and its inputs.  The inputs are exactly what the kernel told us:
 * readiness found by the poller (and where in the schedule it was applied),
 * and the outcome of every operation on an fd (bytes read, bytes written,
 * accepted connections, connect results, registrations...).  Each of these
 * goes through a journal point:
 *
 *     res = iolog_replaying() ? iolog_take(op, fd, buf, cap, &len)
 *                             : <the system call>;
 *     if (iolog_active()) iolog_note(op, fd, res, data, len);
 *
 * poll.c and fdio.c are written this way, so net/ code that uses fdio_*
 * (or wraps its own calls like this) is journaled without thinking about it.
 *
 * Modes:
 *  - off: journal points cost one predictable branch (iolog_active).
 *  - record: notes are kept in memory (snow trace's first run).
 *  - replay: iolog_take returns the recorded outcome instead of calling
 *    the kernel (snow trace's re-runs, `snow trace --replay FILE`).
 * Independently, whenever the event stream is on, every note is also an
 * event: `io` for readiness, `input` for an operation (docs/events.md), so
 * `snow run --events FILE` writes a journal that iolog_load reads back.
 *
 * Invariants:
 *  - The journal is one sequence, in the order the run produced it; replay
 *    consumes it in the same order.  An operation record names the process
 *    and fd that made it; a readiness record names the scheduling step and
 *    the number of clock jumps when it was applied, and is taken only at
 *    exactly that point.  A mismatch means the replayed run is not the
 *    recorded one (another seed, a changed program or file): the process
 *    concerned panics with "replay diverged ...".
 *  - Replay is for the deterministic scheduler only (rt_init refuses
 *    --threads with a journal to replay).
 *  - The journal survives rt_shutdown: the debugger records once and
 *    replays many runs.
 */
#ifndef SNOW_IOLOG_H
#define SNOW_IOLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

typedef enum IoOp {
    IO_READY,   /* readiness applied by the deterministic poller (res = revents) */
    IO_ADD,     /* poll_add: res < 0 -errno, else registration flags (poll.c) */
    IO_PROBE,   /* level readiness probe of a blocking fd: res = revents */
    IO_READ,    /* res = bytes (data) / 0 end of file / -errno */
    IO_WRITE,   /* res = bytes written / -errno */
    IO_ACCEPT,  /* res = new fd / -errno; data = the peer's address */
    IO_CONNECT, /* res = 0 / -errno */
    IO_SOCKET,  /* res = new fd / -errno */
    IO_CALL,    /* any other external call (net/: bind, listen, getaddrinfo...) */
    IO__COUNT
} IoOp;

typedef enum IologMode { IOLOG_OFF, IOLOG_RECORD, IOLOG_REPLAY } IologMode;

extern IologMode iolog_mode_;

static inline bool iolog_replaying(void) { return iolog_mode_ == IOLOG_REPLAY; }
/* A note must be made (recording, replaying, or the event stream is on). */
static inline bool iolog_active(void) { return iolog_mode_ != IOLOG_OFF || EV_ON(); }

/* Switch modes.  IOLOG_RECORD starts an empty journal; IOLOG_REPLAY
 * rewinds the current one; IOLOG_OFF keeps it (a later REPLAY uses it).
 * Starting or rewinding calls the rewind hooks. */
void iolog_set_mode(IologMode m);
/* A module that buffers input read through the journal (IO.read_line's
 * stdin buffer) registers a hook that empties it: a recorded or replayed
 * run starts from nothing buffered, as the recording did. */
void iolog_on_rewind(void (*hook)(void));
IologMode iolog_mode(void);
/* Read the `io` and `input` events of an events file (snow run --events)
 * as the journal and switch to IOLOG_REPLAY.  False with a message in err. */
bool iolog_load(const char *path, char *err, size_t cap);
/* Records in the journal / not yet replayed. */
size_t iolog_size(void);
size_t iolog_remaining(void);
/* Forget the journal (IOLOG_OFF). */
void iolog_free(void);

/* Replay an operation of the running process: its recorded result; up to
 * cap bytes of its data go to buf (*len, if len is non-NULL).  Panics the
 * process if the next record is not (op, fd) by this process or if the
 * journal has ended. */
int64_t iolog_take(IoOp op, int fd, void *buf, size_t cap, size_t *len);
/* Like iolog_take, for an outcome of any size: *data points at the
 * recorded bytes (valid while the journal is replayed, i.e. until the mode
 * changes), *len is their length. */
int64_t iolog_take_data(IoOp op, int fd, const void **data, size_t *len);
/* Journal an operation's outcome (record and/or event). */
void iolog_note(IoOp op, int fd, int64_t res, const void *data, size_t len);

/* Readiness, deterministic scheduler: the next record if it is readiness
 * applied at (step, epoch); false otherwise (nothing is consumed). */
bool iolog_take_ready(uint64_t step, uint64_t epoch, int *fd, int *revents);
void iolog_note_ready(uint64_t step, uint64_t epoch, int fd, int revents, uint64_t woken);

/* Replaying: the run uses fd `actual` where the recording has `recorded`
 * (a socket re-created as a placeholder gets whatever number is free);
 * records name fds by their recorded numbers and are translated, and the
 * notes and events of the replay name the recorded numbers too (so the
 * replayed event stream is the recorded one). */
void iolog_map_fd(int recorded, int actual);

/* The name of an operation in events ("read", ...). */
const char *iolog_op_name(IoOp op);

#endif
