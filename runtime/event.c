/* event.c — event sinks and the JSON-lines writer (schema: docs/events.md). */
#include "event.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mt.h"

_Atomic bool ev_enabled;

static struct {
    MtLock lock;     /* threads: steps, the file and the callback */
    FILE *file;
    EvCallback cb;
    void *ud;
    uint64_t step;
    _Atomic int err; /* errno of the first failed write to the file (0: none) */
} S;

static int64_t no_clock(void) { return 0; }
int64_t (*ev_clock)(void) = no_clock;
int (*ev_worker)(void);

static const char *const kind_names[EV__COUNT] = {
    [EV_SPAWN] = "spawn", [EV_SEND] = "send", [EV_RECEIVE] = "receive",
    [EV_EXIT] = "exit", [EV_LINK] = "link", [EV_UNLINK] = "unlink",
    [EV_MONITOR] = "monitor", [EV_DEMONITOR] = "demonitor", [EV_DOWN] = "down",
    [EV_EXIT_SIGNAL] = "exit_signal", [EV_REGISTER] = "register",
    [EV_UNREGISTER] = "unregister", [EV_TIMER_SET] = "timer_set",
    [EV_TIMER_FIRE] = "timer_fire", [EV_PANIC] = "panic", [EV_PREEMPT] = "preempt",
    [EV_YIELD] = "yield", [EV_BLOCK] = "block", [EV_WAKE] = "wake", [EV_RUN] = "run",
    [EV_DISCARD] = "discard", [EV_CLOCK] = "clock",
    [EV_RESTART] = "restart", [EV_CHILD_START] = "child_start",
    [EV_IO] = "io", [EV_INPUT] = "input", [EV_QUERY] = "query",
    [EV_HTTP_REQUEST] = "http_request", [EV_HTTP_RESPONSE] = "http_response",
    [EV_WS_FRAME] = "ws_frame", [EV_WS_ROOM] = "ws_room",
    [EV_NODE_UP] = "node_up", [EV_NODE_DOWN] = "node_down",
};

size_t ev_fmt_pid(uint64_t pid, char *buf, size_t cap) {
    int n;
    if (pid_node(pid) == 0)
        n = snprintf(buf, cap, "<0.%" PRIu64 ">", pid_serial(pid));
    else
        n = snprintf(buf, cap, "<%u.%" PRIu64 ".%u>", pid_node(pid), pid_serial(pid),
                     pid_creation(pid));
    return n < 0 ? 0 : (size_t)n;
}

/* Minimal Debug rendering used until the CLI installs fmt_debug. */
static size_t default_fmt(Value v, char *buf, size_t cap) {
    int n = 0;
    switch (v.tag) {
    case T_UNIT: n = snprintf(buf, cap, "()"); break;
    case T_BOOL: n = snprintf(buf, cap, "%s", v.i ? "true" : "false"); break;
    case T_INT: n = snprintf(buf, cap, "%" PRId64, v.i); break;
    case T_FLOAT: n = snprintf(buf, cap, "%g", v.f); break;
    case T_PID: return ev_fmt_pid(v.u, buf, cap);
    case T_REF: n = snprintf(buf, cap, "#Ref<%" PRIu64 ">", v.u); break;
    case T_TUPLE: {
        TupleObj *t = AS_TUPLE(v);
        size_t len = 0;
        if (cap < 2) return 0;
        buf[len++] = '(';
        for (uint32_t i = 0; i < t->n && len + 2 < cap; i++) {
            if (i) len += (size_t)snprintf(buf + len, cap - len, ", ");
            if (len + 2 >= cap) break;
            len += default_fmt(t->items[i], buf + len, cap - len);
        }
        if (len + 1 < cap) buf[len++] = ')';
        buf[len < cap ? len : cap - 1] = 0;
        return len < cap ? len : cap - 1;
    }
    case T_VARIANT: {
        VariantObj *o = AS_VARIANT(v);
        const char *name = o->type && o->idx < o->type->nvariants ? o->type->variants[o->idx].name : "?";
        size_t len = (size_t)snprintf(buf, cap, "%s", name);
        if (len >= cap) return cap - 1;
        if (o->n) {
            if (len + 2 >= cap) return len;
            buf[len++] = '(';
            for (uint32_t i = 0; i < o->n && len + 2 < cap; i++) {
                if (i) len += (size_t)snprintf(buf + len, cap - len, ", ");
                if (len + 2 >= cap) break;
                len += default_fmt(o->fields[i], buf + len, cap - len);
            }
            if (len + 1 < cap) buf[len++] = ')';
            buf[len < cap ? len : cap - 1] = 0;
        }
        return len < cap ? len : cap - 1;
    }
    default: n = snprintf(buf, cap, "<value>"); break;
    }
    if (n < 0) return 0;
    return (size_t)n < cap ? (size_t)n : cap - 1;
}
EvFmtFn ev_fmt_hook = default_fmt;

static bool file_ok(void);

static void update_enabled(void) {
    atomic_store_explicit(&ev_enabled, file_ok() || S.cb != NULL, memory_order_relaxed);
}

bool ev_open_file(const char *path) {
    if (S.file) fclose(S.file);
    S.file = fopen(path, "w");
    atomic_store(&S.err, 0);
    update_enabled();
    return S.file != NULL;
}

/* The file sink failed (disk full, ...): remember why and write no more.
 * The FILE stays open until ev_close (a flush at a signal may hold it). */
static void file_failed(int err) {
    int none = 0;
    atomic_compare_exchange_strong(&S.err, &none, err ? err : EIO);
    update_enabled();
}

static bool file_ok(void) { return S.file && !atomic_load_explicit(&S.err, memory_order_relaxed); }

int ev_error(void) { return atomic_load_explicit(&S.err, memory_order_relaxed); }

int ev_flush(void) {
    if (file_ok() && fflush(S.file) != 0) file_failed(errno);
    return ev_error();
}

bool ev_flush_for_exit(int wait_ms) {
    FILE *f = S.file;
    if (!f || ev_error()) return true;
    for (int waited = 0; ftrylockfile(f) != 0; waited++) {
        if (waited >= wait_ms) return false;
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    bool ok = fflush_unlocked(f) == 0;
    funlockfile(f);
    return ok;
}

void ev_set_callback(EvCallback cb, void *ud) {
    S.cb = cb;
    S.ud = ud;
    update_enabled();
}

void ev_close(void) {
    mt_lock(&S.lock);
    if (S.file) {
        bool ok = file_ok();
        if (fclose(S.file) != 0 && ok) file_failed(errno);
        S.file = NULL;
    }
    S.cb = NULL;
    S.step = 0; /* the next run numbers its events from 1 again */
    update_enabled();
    mt_unlock(&S.lock);
}

uint64_t ev_last_step(void) {
    mt_lock(&S.lock);
    uint64_t n = S.step;
    mt_unlock(&S.lock);
    return n;
}

static void put_json_str(FILE *f, const char *s, size_t n) {
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') { fputc('\\', f); fputc(c, f); }
        else if (c == '\n') fputs("\\n", f);
        else if (c == '\t') fputs("\\t", f);
        else if (c == '\r') fputs("\\r", f);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

static void put_pid(FILE *f, const char *key, uint64_t pid) {
    char b[48];
    ev_fmt_pid(pid, b, sizeof b);
    fprintf(f, ",\"%s\":\"%s\"", key, b);
}

/* Field names of `other`, `val` and `num` per kind (docs/events.md). */
static const char *other_key(EvKind k) {
    switch (k) {
    case EV_SPAWN: case EV_RESTART: case EV_CHILD_START: return "child";
    case EV_SEND: return "to";
    case EV_EXIT_SIGNAL: return "from";
    case EV_DOWN: return "of";
    case EV_LINK: case EV_UNLINK: return "peer";
    case EV_MONITOR: case EV_TIMER_SET: case EV_TIMER_FIRE: return "target";
    default: return "other";
    }
}
static const char *val_key(EvKind k) {
    switch (k) {
    case EV_SEND: case EV_RECEIVE: case EV_TIMER_SET: case EV_TIMER_FIRE: return "msg";
    default: return "reason";
    }
}
static const char *num_key(EvKind k) {
    switch (k) {
    case EV_SEND: return "kind";
    case EV_RECEIVE: return "arm";
    case EV_DEMONITOR: return "existed";
    case EV_TIMER_SET: case EV_BLOCK: return "due";
    case EV_CLOCK: return "to";
    case EV_RESTART: return "count";
    case EV_HTTP_RESPONSE: return "status";
    case EV_NODE_UP: case EV_NODE_DOWN: return "id";
    default: return "num";
    }
}
static const char *text_key(EvKind k) {
    switch (k) {
    case EV_SPAWN: case EV_RESTART: case EV_CHILD_START: return "name";
    case EV_REGISTER: case EV_UNREGISTER: return "name";
    case EV_PANIC: return "message";
    case EV_EXIT_SIGNAL: return "effect";
    case EV_BLOCK: return "on";
    case EV_WAKE: return "by";
    case EV_QUERY: return "sql";
    case EV_HTTP_REQUEST: case EV_HTTP_RESPONSE: return "request";
    case EV_WS_FRAME: return "frame";
    case EV_WS_ROOM: return "room";
    case EV_NODE_UP: case EV_NODE_DOWN: return "node";
    default: return "kind";
    }
}

static bool has_num(EvKind k) {
    return k == EV_SEND || k == EV_RECEIVE || k == EV_DEMONITOR || k == EV_TIMER_SET ||
           k == EV_BLOCK || k == EV_CLOCK || k == EV_RESTART || k == EV_HTTP_RESPONSE ||
           k == EV_NODE_UP || k == EV_NODE_DOWN;
}

/* Bytes as a JSON string: printable ASCII as is, every other byte as
 * \u00XX, so a reader recovers the bytes exactly (code points <= 0xff). */
static void put_json_bytes(FILE *f, const unsigned char *s, size_t n) {
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') { fputc('\\', f); fputc(c, f); }
        else if (c == '\n') fputs("\\n", f);
        else if (c >= 0x20 && c < 0x7f) fputc(c, f);
        else fprintf(f, "\\u%04x", c);
    }
    fputc('"', f);
}

size_t ev_fmt_revents(int revents, char *buf, size_t cap) {
    static const struct { int bit; const char *name; } names[] = {
        {POLLIN, "in"}, {POLLOUT, "out"}, {POLLRDHUP, "rdhup"}, {POLLHUP, "hup"},
        {POLLERR, "err"}, {POLLNVAL, "nval"}, {POLLPRI, "pri"},
    };
    size_t len = 0;
    if (cap) buf[0] = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (!(revents & names[i].bit)) continue;
        int n = snprintf(buf + len, cap - len, "%s%s", len ? "," : "", names[i].name);
        if (n < 0 || (size_t)n >= cap - len) break;
        len += (size_t)n;
    }
    return len;
}

static void write_io(FILE *f, const Event *e) {
    const EvIo *io = e->io;
    if (e->kind == EV_IO) {
        char r[64];
        ev_fmt_revents(io->revents, r, sizeof r);
        fprintf(f, ",\"fd\":%d,\"ready\":\"%s\"", io->fd, r);
        if (io->at || io->epoch) fprintf(f, ",\"at\":%" PRIu64 ",\"epoch\":%" PRIu64, io->at, io->epoch);
        return;
    }
    fprintf(f, ",\"op\":\"%s\",\"fd\":%d,\"res\":%" PRId64, io->op, io->fd, io->res);
    if (io->data) {
        fputs(",\"data\":", f);
        put_json_bytes(f, io->data, io->len);
    }
}

static void write_query(FILE *f, const EvQuery *q) {
    fprintf(f, ",\"db\":\"%s\",\"op\":\"%s\",\"params\":%d", q->db, q->op, q->params);
    if (q->error) {
        fputs(",\"error\":", f);
        put_json_str(f, q->error, strlen(q->error));
    } else if (q->rows >= 0) {
        fprintf(f, ",\"rows\":%" PRId64, q->rows);
    }
    fprintf(f, ",\"us\":%" PRId64, q->us);
}

/* Everything after the step and time: `,"ev":...}` and the newline. */
static void write_body(FILE *f, const Event *e) {
    fprintf(f, ",\"ev\":\"%s\"", kind_names[e->kind]);
    if (e->pid != EV_NOPID) put_pid(f, "pid", e->pid);
    if (e->other != EV_NOPID) put_pid(f, other_key(e->kind), e->other);
    if (e->ref) fprintf(f, ",\"ref\":%" PRIu64, e->ref);
    if (has_num(e->kind)) fprintf(f, ",\"%s\":%" PRId64, num_key(e->kind), e->num);
    if (e->io) write_io(f, e);
    if (e->query) write_query(f, e->query);
    if (e->text) {
        fprintf(f, ",\"%s\":", text_key(e->kind));
        put_json_str(f, e->text, strlen(e->text));
    }
    if (e->text2) {
        fprintf(f, ",\"%s\":", e->kind == EV_WS_FRAME ? "dir" : e->kind == EV_WS_ROOM ? "op" : e->kind == EV_NODE_DOWN ? "why" : "strategy");
        put_json_str(f, e->text2, strlen(e->text2));
    }
    if (e->has_val) {
        char buf[4096];
        size_t n = ev_fmt_hook(e->val, buf, sizeof buf);
        if (n >= sizeof buf) n = sizeof buf - 1;
        fprintf(f, ",\"%s\":", val_key(e->kind));
        put_json_str(f, buf, n);
    }
    fputs("}\n", f);
}

static void write_head(FILE *f, const Event *e) {
    fprintf(f, "{\"step\":%" PRIu64 ",\"t\":%" PRId64, e->step, e->time);
}

void ev_emit(Event *e) {
    if (!rt_mt) {
        e->step = ++S.step;
        e->time = ev_clock();
        if (file_ok()) {
            flockfile(S.file); /* a whole line: the flush at a signal sees no half */
            write_head(S.file, e);
            if (ev_worker) fprintf(S.file, ",\"w\":%d", ev_worker());
            write_body(S.file, e);
            bool bad = ferror_unlocked(S.file);
            funlockfile(S.file);
            if (bad) file_failed(errno);
        }
        if (S.cb) S.cb(e, S.ud);
        return;
    }
    /* render first: a value's Debug text may run Snow code (user impls) */
    char *body = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&body, &len);
    if (!m) return;
    write_body(m, e);
    fclose(m);
    int w = ev_worker ? ev_worker() : -1;
    mt_lock(&S.lock);
    e->step = ++S.step;
    e->time = ev_clock();
    if (file_ok() && body) {
        flockfile(S.file);
        write_head(S.file, e);
        if (w >= 0) fprintf(S.file, ",\"w\":%d", w);
        fwrite(body, 1, len, S.file);
        bool bad = ferror_unlocked(S.file);
        funlockfile(S.file);
        if (bad) file_failed(errno);
    }
    if (S.cb) S.cb(e, S.ud);
    mt_unlock(&S.lock);
    free(body);
}

void ev_full(EvKind k, uint64_t pid, uint64_t other, uint64_t ref, int64_t num,
             const char *text, const Value *v) {
    Event e = {.kind = k, .pid = pid, .other = other, .ref = ref, .num = num, .text = text};
    if (v) { e.has_val = true; e.val = *v; }
    ev_emit(&e);
}

void ev_pids(EvKind k, uint64_t pid, uint64_t other) {
    ev_full(k, pid, other, 0, 0, NULL, NULL);
}

void ev_val(EvKind k, uint64_t pid, uint64_t other, Value v, int64_t num) {
    ev_full(k, pid, other, 0, num, NULL, &v);
}
