/* iolog.c — the journal of external inputs (see iolog.h).
 *
 * In memory: an array of records and one byte buffer for their data.  On
 * file: the `io` and `input` lines of an events file (docs/events.md),
 * read back by a small parser of exactly the JSON objects event.c writes
 * (flat, string and integer values).
 */
#include "iolog.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "rt.h"
#include "xalloc.h"

IologMode iolog_mode_;

typedef struct Rec {
    uint8_t op;      /* IoOp */
    int32_t fd;
    int64_t res;     /* result; IO_READY: revents */
    uint64_t pid;    /* who (operations); EV_NOPID if none */
    uint64_t at, epoch; /* IO_READY: where */
    size_t off, len; /* data in J.bytes */
    bool has_data;
} Rec;

typedef struct FdMap {
    int recorded, actual;
} FdMap;

static struct {
    Rec *v;
    size_t n, cap, pos;
    char *bytes;
    size_t nbytes, capbytes;
    FdMap *map;              /* replay: fd translations, newest last */
    size_t nmap, capmap;
} J;

void iolog_map_fd(int recorded, int actual) {
    for (size_t i = 0; i < J.nmap; i++)
        if (J.map[i].recorded == recorded || J.map[i].actual == actual) J.map[i] = J.map[--J.nmap], i--;
    if (recorded == actual) return;
    if (J.nmap == J.capmap) {
        J.capmap = J.capmap ? J.capmap * 2 : 16;
        J.map = xrealloc(J.map, J.capmap * sizeof *J.map);
    }
    J.map[J.nmap++] = (FdMap){recorded, actual};
}

static int fd_now(int recorded) {
    for (size_t i = 0; i < J.nmap; i++)
        if (J.map[i].recorded == recorded) return J.map[i].actual;
    return recorded;
}

/* Replaying, notes and events name fds by their recorded numbers too: the
 * replayed event stream is the recorded one, whatever numbers the
 * placeholders got. */
static int fd_then(int actual) {
    if (iolog_mode_ != IOLOG_REPLAY) return actual;
    for (size_t i = 0; i < J.nmap; i++)
        if (J.map[i].actual == actual) return J.map[i].recorded;
    return actual;
}

static const char *const op_names[IO__COUNT] = {
    [IO_READY] = "ready", [IO_ADD] = "register", [IO_PROBE] = "probe", [IO_READ] = "read",
    [IO_WRITE] = "write", [IO_ACCEPT] = "accept", [IO_CONNECT] = "connect", [IO_SOCKET] = "socket", [IO_CALL] = "call",
};

const char *iolog_op_name(IoOp op) { return op < IO__COUNT ? op_names[op] : "?"; }

static void clear(void) {
    J.n = J.pos = J.nbytes = J.nmap = 0;
}

#define MAX_HOOKS 8
static void (*hooks[MAX_HOOKS])(void);
static _Atomic int nhooks;

void iolog_on_rewind(void (*hook)(void)) {
    int n = atomic_load(&nhooks);
    for (int i = 0; i < n; i++)
        if (hooks[i] == hook) return;
    if (n == MAX_HOOKS) rt_fatal("too many iolog rewind hooks");
    hooks[n] = hook;
    atomic_store(&nhooks, n + 1);
}

void iolog_set_mode(IologMode m) {
    if (m == IOLOG_RECORD) clear();
    J.pos = J.nmap = 0;
    iolog_mode_ = m;
    if (m != IOLOG_OFF)
        for (int i = 0; i < atomic_load(&nhooks); i++) hooks[i]();
}

IologMode iolog_mode(void) { return iolog_mode_; }
size_t iolog_size(void) { return J.n; }
size_t iolog_remaining(void) { return J.n - J.pos; }

void iolog_free(void) {
    free(J.v);
    free(J.bytes);
    free(J.map);
    memset(&J, 0, sizeof J);
    iolog_mode_ = IOLOG_OFF;
}

static Rec *append(IoOp op, int fd, int64_t res, const void *data, size_t len, bool has_data) {
    if (J.n == J.cap) {
        J.cap = J.cap ? J.cap * 2 : 256;
        J.v = xrealloc(J.v, J.cap * sizeof *J.v);
    }
    if (J.nbytes + len > J.capbytes) {
        while (J.nbytes + len > J.capbytes) J.capbytes = J.capbytes ? J.capbytes * 2 : 4096;
        J.bytes = xrealloc(J.bytes, J.capbytes);
    }
    Rec *r = &J.v[J.n++];
    *r = (Rec){.op = (uint8_t)op, .fd = fd, .res = res, .pid = EV_NOPID, .off = J.nbytes, .len = len,
               .has_data = has_data};
    if (len) memcpy(J.bytes + J.nbytes, data, len);
    J.nbytes += len;
    return r;
}

/* ---- journal points --------------------------------------------------------------------- */

void iolog_note(IoOp op, int fd, int64_t res, const void *data, size_t len) {
    uint64_t pid = proc_self_pid();
    fd = fd_then(fd);
    if (iolog_mode_ == IOLOG_RECORD) append(op, fd, res, data, len, data != NULL)->pid = pid;
    if (EV_ON()) {
        EvIo io = {.op = op_names[op], .fd = fd, .res = res, .data = data, .len = len};
        Event e = {.kind = EV_INPUT, .pid = pid, .other = EV_NOPID, .io = &io};
        ev_emit(&e);
    }
}

void iolog_note_ready(uint64_t step, uint64_t epoch, int fd, int revents, uint64_t woken) {
    fd = fd_then(fd);
    if (iolog_mode_ == IOLOG_RECORD) {
        Rec *r = append(IO_READY, fd, revents, NULL, 0, false);
        r->at = step;
        r->epoch = epoch;
    }
    if (EV_ON()) {
        EvIo io = {.op = op_names[IO_READY], .fd = fd, .revents = revents, .at = step, .epoch = epoch};
        Event e = {.kind = EV_IO, .pid = woken, .other = EV_NOPID, .io = &io};
        ev_emit(&e);
    }
}

/* The next record, which must be (op, fd) by the running process. */
static Rec *take_next(IoOp op, int fd) {
    uint64_t pid = proc_self_pid();
    char who[48];
    ev_fmt_pid(pid, who, sizeof who);
    if (J.pos == J.n)
        rt_panic("replay: the recording has no more input (%s on fd %d by %s)", op_names[op], fd, who);
    Rec *r = &J.v[J.pos];
    if (r->op != op || fd_now(r->fd) != fd || r->pid != pid) {
        char rwho[48];
        ev_fmt_pid(r->pid, rwho, sizeof rwho);
        rt_panic("replay diverged: the program did %s on fd %d in %s where the recording has %s on fd %d in %s",
                 op_names[op], fd, who, op_names[r->op], r->fd, rwho);
    }
    return r;
}

int64_t iolog_take_data(IoOp op, int fd, const void **data, size_t *len) {
    Rec *r = take_next(op, fd);
    J.pos++;
    *data = J.bytes + r->off;
    *len = r->len;
    return r->res;
}

int64_t iolog_take(IoOp op, int fd, void *buf, size_t cap, size_t *len) {
    Rec *r = take_next(op, fd);
    if (r->len > cap && buf) {
        char who[48];
        ev_fmt_pid(proc_self_pid(), who, sizeof who);
        rt_panic("replay diverged: %s on fd %d in %s asks for %zu bytes, the recording has %zu", op_names[op], fd,
                 who, cap, r->len);
    }
    J.pos++;
    if (buf && r->len) memcpy(buf, J.bytes + r->off, r->len);
    if (len) *len = r->len;
    return r->res;
}

bool iolog_take_ready(uint64_t step, uint64_t epoch, int *fd, int *revents) {
    if (J.pos == J.n) return false;
    Rec *r = &J.v[J.pos];
    if (r->op != IO_READY || r->at != step || r->epoch != epoch) return false;
    J.pos++;
    *fd = fd_now(r->fd);
    *revents = (int)r->res;
    return true;
}

/* ---- reading an events file ---------------------------------------------------------------- */

typedef struct Field {
    const char *key;
    size_t klen;
    bool is_str;
    char *str; /* decoded (malloc'd) */
    size_t slen;
    int64_t num;
} Field;

/* Decode the JSON string at *p (after the opening quote) into a new
 * NUL-terminated buffer; *p ends after the closing quote.  False on malformed input. */
static bool parse_str(const char **p, char **out, size_t *outlen) {
    const char *s = *p;
    size_t cap = 64, n = 0;
    char *b = xmalloc(cap);
    for (;;) {
        char c = *s++;
        if (!c) break;
        if (c == '"') {
            b[n] = 0; /* n < cap: room was made before each byte */
            *p = s;
            *out = b;
            *outlen = n;
            return true;
        }
        if (c == '\\') {
            char e = *s++;
            if (e == 'n') c = '\n';
            else if (e == 't') c = '\t';
            else if (e == 'r') c = '\r';
            else if (e == '"' || e == '\\' || e == '/') c = e;
            else if (e == 'u') {
                unsigned v = 0;
                for (int i = 0; i < 4; i++) {
                    char h = *s++;
                    v = v * 16 + (unsigned)(h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 :
                                            h >= 'A' && h <= 'F' ? h - 'A' + 10 : 99);
                }
                if (v > 0xff) break;
                c = (char)v;
            } else {
                break;
            }
        }
        if (n + 1 >= cap) {
            cap *= 2;
            b = xrealloc(b, cap);
        }
        b[n++] = c;
    }
    free(b);
    return false;
}

/* The flat object on one line: up to max fields.  Returns the count, -1 if
 * malformed (then nothing is left to free). */
static int parse_line(const char *s, Field *f, int max) {
    int n = 0;
    while (*s == ' ') s++;
    if (*s++ != '{') goto bad;
    for (;;) {
        while (*s == ' ' || *s == ',') s++;
        if (*s == '}') return n;
        if (*s++ != '"' || n == max) goto bad;
        Field *x = &f[n];
        memset(x, 0, sizeof *x);
        x->key = s;
        while (*s && *s != '"') s++;
        if (!*s) goto bad;
        x->klen = (size_t)(s - x->key);
        s++;
        if (*s++ != ':') goto bad;
        if (*s == '"') {
            s++;
            x->is_str = true;
            if (!parse_str(&s, &x->str, &x->slen)) goto bad;
        } else {
            char *end;
            errno = 0;
            x->num = strtoll(s, &end, 10);
            if (end == s || errno) goto bad;
            s = end;
        }
        n++;
    }
bad:
    for (int i = 0; i < n; i++) free(f[i].str);
    return -1;
}

static Field *field(Field *f, int n, const char *key) {
    for (int i = 0; i < n; i++)
        if (f[i].klen == strlen(key) && !memcmp(f[i].key, key, f[i].klen)) return &f[i];
    return NULL;
}

static int revents_of(const char *s) {
    static const struct { const char *name; int bit; } names[] = {
        {"in", POLLIN}, {"out", POLLOUT}, {"rdhup", POLLRDHUP}, {"hup", POLLHUP},
        {"err", POLLERR}, {"nval", POLLNVAL}, {"pri", POLLPRI},
    };
    int r = 0;
    while (*s) {
        size_t k = strcspn(s, ",");
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (strlen(names[i].name) == k && !strncmp(s, names[i].name, k)) r |= names[i].bit;
        s += k;
        if (*s) s++;
    }
    return r;
}

static bool parse_pid(const char *s, uint64_t *pid) {
    unsigned long long serial;
    if (sscanf(s, "<0.%llu>", &serial) != 1) return false;
    *pid = pid_make(0, 0, serial);
    return true;
}

/* One io / input line into the journal; false if it is one but malformed. */
static bool load_line(const char *line) {
    Field f[16];
    int n = parse_line(line, f, 16);
    if (n < 0) return false;
    bool ok = true;
    Field *ev = field(f, n, "ev");
    if (ev && ev->is_str && (!strcmp(ev->str, "io") || !strcmp(ev->str, "input"))) {
        Field *fd = field(f, n, "fd"), *pid = field(f, n, "pid");
        if (!strcmp(ev->str, "io")) {
            Field *ready = field(f, n, "ready"), *at = field(f, n, "at"), *epoch = field(f, n, "epoch");
            ok = fd && ready && ready->is_str;
            if (ok) {
                Rec *r = append(IO_READY, (int)fd->num, revents_of(ready->str), NULL, 0, false);
                r->at = at ? (uint64_t)at->num : 0;
                r->epoch = epoch ? (uint64_t)epoch->num : 0;
            }
        } else {
            Field *op = field(f, n, "op"), *res = field(f, n, "res"), *data = field(f, n, "data");
            int k = -1;
            for (int i = 0; op && op->is_str && i < IO__COUNT; i++)
                if (!strcmp(op->str, op_names[i])) k = i;
            ok = fd && res && k >= 0;
            uint64_t who = EV_NOPID;
            if (ok && pid) ok = pid->is_str && parse_pid(pid->str, &who);
            if (ok) {
                Rec *r = append((IoOp)k, (int)fd->num, res->num, data ? data->str : NULL, data ? data->slen : 0,
                                data != NULL);
                r->pid = who;
            }
        }
    }
    for (int i = 0; i < n; i++) free(f[i].str);
    return ok || !ev;
}

bool iolog_load(const char *path, char *err, size_t cap) {
    FILE *in = fopen(path, "r");
    if (!in) {
        snprintf(err, cap, "cannot read %s: %s", path, strerror(errno));
        return false;
    }
    clear();
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    size_t lineno = 0;
    bool ok = true;
    while ((len = getline(&line, &lcap, in)) > 0) {
        lineno++;
        if (!strstr(line, "\"ev\":\"io\"") && !strstr(line, "\"ev\":\"input\"")) continue;
        if (!load_line(line)) {
            snprintf(err, cap, "%s:%zu: not an event line snow wrote", path, lineno);
            ok = false;
            break;
        }
    }
    free(line);
    fclose(in);
    if (!ok) {
        clear();
        return false;
    }
    iolog_set_mode(IOLOG_REPLAY);
    return true;
}
