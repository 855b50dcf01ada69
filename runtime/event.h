/* event.h — the runtime event stream (architecture.md §3): one structured
 * event per observable action of the process runtime, with a logical step
 * number.  Sinks: a JSON-lines file (`snow run --events FILE`, schema in
 * docs/events.md) and an in-process callback (the debugger).
 *
 * Cost when no sink is attached: every emission site is guarded by the
 * inline test `if (EV_ON())` on one global flag — one predictable branch.
 *
 * Invariants: steps are 1, 2, 3, ... in emission order; an Event and the
 * Value inside it are valid only during the callback.  Under the threaded
 * scheduler emission is serialised by a lock (values are rendered before
 * taking it), so steps are one total order consistent with each worker's
 * order and with causality between processes (docs/events.md).
 */
#ifndef SNOW_EVENT_H
#define SNOW_EVENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "value.h"

typedef enum EvKind {
    EV_SPAWN,       /* pid spawned other (text = actor name) */
    EV_SEND,        /* pid sent val to other (num = mailbox kind) */
    EV_RECEIVE,     /* pid took val, matching arm num (-1: after body) */
    EV_EXIT,        /* pid exited with reason val */
    EV_LINK,        /* pid linked to other */
    EV_UNLINK,      /* pid unlinked other */
    EV_MONITOR,     /* pid monitors other with ref */
    EV_DEMONITOR,   /* pid removed monitor ref (num = 1 if it existed) */
    EV_DOWN,        /* Down(ref, other, val) queued for pid */
    EV_EXIT_SIGNAL, /* exit signal from other to pid, reason val (text: "trapped"/"kill"/"ignored") */
    EV_REGISTER,    /* pid registered under text */
    EV_UNREGISTER,  /* text unregistered (pid = its owner) */
    EV_TIMER_SET,   /* timer ref set by pid for other, due at num (text = kind) */
    EV_TIMER_FIRE,  /* timer ref fired (text = kind, other = target) */
    EV_PANIC,       /* pid panicked with message text */
    EV_PREEMPT,     /* pid used up its reductions */
    EV_YIELD,       /* pid yielded voluntarily */
    EV_BLOCK,       /* pid blocked (text = receive/sleep/io, num = deadline or -1) */
    EV_WAKE,        /* pid made runnable (text = message/timeout/release/signal/io) */
    EV_RUN,         /* the scheduler switched to pid */
    EV_DISCARD,     /* pid discarded at quiescence */
    EV_CLOCK,       /* the clock jumped to num */
    EV_RESTART,     /* supervisor pid restarts after child text (old pid other) exited with
                       val; text2 = strategy, num = restarts in the intensity window */
    EV_CHILD_START, /* supervisor pid started child text as other (first start or restart) */
    EV_IO,          /* the poller found readiness io->revents on io->fd (pid = first process woken) */
    EV_INPUT,       /* an external operation io->op on io->fd by pid gave io->res (and io->data) */
    EV_QUERY,       /* pid ran a database statement: text = the SQL, query = the rest */
    EV_HTTP_REQUEST,  /* connection process pid read the request text ("GET /users/42") */
    EV_HTTP_RESPONSE, /* pid answered the request text with status num */
    EV_WS_FRAME,      /* WebSocket connection process pid got (text2 "in") or sent ("out") a frame:
                         text = "text 5 bytes", "ping 4 bytes", "close 1001 pong timeout" */
    EV_WS_ROOM,       /* connection pid joined (text2 "join") or left ("leave") room text */
    EV_NODE_UP,       /* a connection to node text is up; num = its node id (the N of <N.serial.creation>) */
    EV_NODE_DOWN,     /* the connection to node text (id num) is lost: text2 = why */
    EV__COUNT
} EvKind;

#define EV_NOPID UINT64_MAX

/* The I/O part of EV_IO and EV_INPUT (iolog.h: the journal of external
 * inputs that makes a run replayable). */
typedef struct EvIo {
    const char *op;    /* EV_INPUT: "read", "write", "accept", ... */
    int fd;
    int revents;       /* EV_IO: POLLIN | POLLOUT | ... */
    int64_t res;       /* EV_INPUT: the result (bytes, new fd, 0) or -errno */
    uint64_t at;       /* EV_IO, deterministic scheduler: scheduling step ... */
    uint64_t epoch;    /* ... and clock jumps so far: where it was applied */
    const void *data;  /* EV_INPUT: bytes read / peer address (len bytes) */
    size_t len;
} EvIo;

/* The database part of EV_QUERY (net/: SQLite, PostgreSQL, the pool). */
typedef struct EvQuery {
    const char *db;    /* "sqlite" / "pg" */
    const char *op;    /* "query", "execute", "begin", "commit", "rollback", "connect", ... */
    int params;        /* parameters bound */
    int64_t rows;      /* query: rows returned; execute: rows changed; -1 when not applicable */
    const char *error; /* the Err text, or NULL */
    int64_t us;        /* time spent, microseconds (recorded: the same in a replay) */
} EvQuery;

typedef struct Event {
    uint64_t step;    /* 1, 2, ... (assigned by ev_emit) */
    int64_t time;     /* scheduler clock, ms (assigned by ev_emit) */
    EvKind kind;
    uint64_t pid;     /* acting process, EV_NOPID if none */
    uint64_t other;   /* second process, EV_NOPID if none */
    uint64_t ref;     /* monitor ref / timer id, 0 if none */
    int64_t num;      /* arm index, deadline, ... */
    const char *text; /* actor name, registered name, panic message, ... */
    const char *text2; /* second string (EV_RESTART: strategy; EV_WS_*: dir/op), NULL if none */
    bool has_val;
    Value val;        /* message or reason */
    const EvIo *io;   /* EV_IO, EV_INPUT */
    const EvQuery *query; /* EV_QUERY */
} Event;

typedef void (*EvCallback)(const Event *e, void *ud);

/* The one flag checked at every emission site (atomic only because a
 * crashing main closes the sinks while other worker threads may look). */
extern _Atomic bool ev_enabled;
#ifdef SNOW_NO_EVENTS /* measurement build: every emission site compiled out */
#define EV_ON() 0
#else
#define EV_ON() __builtin_expect(atomic_load_explicit(&ev_enabled, memory_order_relaxed), 0)
#endif

/* Debug rendering of a value for the file sink: writes at most cap-1 bytes
 * (NUL-terminated) and returns the length.  Defaults to a minimal renderer;
 * the CLI points it at the Debug formatter (runtime/fmt.h). */
typedef size_t (*EvFmtFn)(Value v, char *buf, size_t cap);
extern EvFmtFn ev_fmt_hook;

/* Sinks.  ev_open_file returns false if the file cannot be created. */
bool ev_open_file(const char *path);
void ev_set_callback(EvCallback cb, void *ud);
void ev_close(void); /* flush and detach every sink */
/* The errno of the first failed write to the file sink, 0 if none (kept
 * after ev_close until the next ev_open_file).  After a failure no more
 * events are written to the file. */
int ev_error(void);
/* Flush the file sink now; returns ev_error(). */
int ev_flush(void);
/* Flush the file sink for an exit on a signal (another thread may be
 * writing an event: wait at most wait_ms for its line to end).  False if
 * that failed. */
bool ev_flush_for_exit(int wait_ms);
uint64_t ev_last_step(void);

/* Clock source for event times (set by the scheduler). */
extern int64_t (*ev_clock)(void);
/* The emitting worker thread's number, written as "w" into the file sink;
 * NULL (the deterministic scheduler) omits the field.  Set by the
 * threaded scheduler. */
extern int (*ev_worker)(void);

void ev_emit(Event *e);

/* Convenience emitters (call only under `if (EV_ON())`). */
void ev_pids(EvKind k, uint64_t pid, uint64_t other);
void ev_val(EvKind k, uint64_t pid, uint64_t other, Value v, int64_t num);
void ev_full(EvKind k, uint64_t pid, uint64_t other, uint64_t ref, int64_t num,
             const char *text, const Value *v);

/* Render poll readiness bits as "in,out,hup" into buf; returns the length. */
size_t ev_fmt_revents(int revents, char *buf, size_t cap);

/* Render a pid as <0.N> / <node.N.creation> into buf (>= 32 bytes). */
size_t ev_fmt_pid(uint64_t pid, char *buf, size_t cap);

#endif
