/* pgconn.c — PostgreSQL connections on libpq's asynchronous API (see
 * pgconn.h).
 *
 * Each libpq step is one journal point (`point`): live, a small function
 * calls libpq and reports (res, bytes); replaying, the recorded (res,
 * bytes) come back and libpq is not called.  The waits between the steps
 * (sched_wait_io on the socket) are the same code in both modes, and they
 * are journaled by the poller, so a replayed run schedules exactly like the
 * recorded one.  The socket is probed before each wait (sched_wait_io is
 * level-triggered): libpq reads one buffer at a time and may leave data in
 * the kernel, which an edge-triggered wait would never report again.
 */
#include "pgconn.h"

#include <errno.h>
#include <libpq-fe.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"
#include "poll.h"
#include "proc.h"
#include "sched.h"
#include "xalloc.h"

/* ---- journal points ----------------------------------------------------------------------- */

typedef int64_t (*LiveFn)(PgConn *c, void *ud, DbBuf *out);

/* One step: live fn(c, ud, out), or the journal's record.  data, len:
 * the step's bytes (valid until the next step). */
static int64_t point(PgConn *c, LiveFn fn, void *ud, const char **data, size_t *len) {
    DbBuf *out = &c->io;
    if (db_replaying()) return db_take(c->fd, data, len);
    dbbuf_reset(out);
    int64_t r = fn(c, ud, out);
    *data = out->p;
    *len = out->len;
    db_note(c->fd, r, out->p, out->len);
    return r;
}

static void put_msg(DbBuf *out, const char *prefix, const char *msg) {
    char buf[1024];
    const char *m = db_trim_msg(msg, buf, sizeof buf);
    char full[1200];
    int n = snprintf(full, sizeof full, "%s%s%s", prefix ? prefix : "", prefix ? ": " : "", m);
    db_put_error(out, full, n < 0 ? 0 : (size_t)n >= sizeof full ? sizeof full - 1 : (size_t)n);
}

/* The connection steps report errors as plain text (not a chunk). */
static void put_raw(DbBuf *out, const char *msg) {
    char buf[1024];
    const char *m = db_trim_msg(msg, buf, sizeof buf);
    dbbuf_reset(out);
    db_put_raw(out, m, strlen(m));
}

/* ---- connecting ----------------------------------------------------------------------------- */

/* net.md §5.1's checks; libpq parses the rest. */
static bool check_url(const char *url, char *err, size_t cap) {
    const char *rest;
    if (strncmp(url, "postgres://", 11) == 0) rest = url + 11;
    else if (strncmp(url, "postgresql://", 13) == 0) rest = url + 13;
    else {
        snprintf(err, cap, "URL must start with postgres:// or postgresql://");
        return false;
    }
    const char *at = strchr(rest, '@');
    if (!at) {
        snprintf(err, cap, "URL missing '@' separator");
        return false;
    }
    const char *host = at + 1;
    size_t hl = strcspn(host, "/?");
    const char *close = memchr(host, ']', hl);
    const char *from = close ? close : host;
    const char *colon = NULL;
    for (const char *p = from; p < host + hl; p++)
        if (*p == ':') colon = p;
    if (colon) {
        const char *pt = colon + 1;
        size_t pl = (size_t)(host + hl - pt);
        bool ok = pl > 0 && pl <= 5;
        long v = 0;
        for (size_t i = 0; ok && i < pl; i++) {
            if (pt[i] < '0' || pt[i] > '9') ok = false;
            else v = v * 10 + (pt[i] - '0');
        }
        if (!ok || v > 65535) {
            snprintf(err, cap, "invalid port: %.*s", (int)(pl > 200 ? 200 : pl), pt);
            return false;
        }
    }
    return true;
}

typedef struct Resolve {
    char *hosts;      /* comma-separated names as the URL gives them */
    char hostlist[1024], addrlist[1024];
    char err[512];
    bool done;        /* hostlist/addrlist filled */
} Resolve;

static bool is_numeric_host(const char *h) {
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST}, *r = NULL;
    if (getaddrinfo(h, NULL, &hints, &r) != 0) return false;
    freeaddrinfo(r);
    return true;
}

/* Blocking pool: resolve each host name; every address becomes one entry
 * (host repeated, hostaddr) so libpq tries them in order, as it would. */
static void resolve_job(void *arg) {
    Resolve *r = arg;
    size_t hl = 0, al = 0;
    char *save = NULL;
    for (char *h = strtok_r(r->hosts, ",", &save); h; h = strtok_r(NULL, ",", &save)) {
        struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL, *a;
        int e = getaddrinfo(h, NULL, &hints, &res);
        if (e != 0) {
            snprintf(r->err, sizeof r->err, "could not translate host name \"%s\" to address: %s", h, gai_strerror(e));
            return;
        }
        for (a = res; a; a = a->ai_next) {
            char ip[128];
            if (getnameinfo(a->ai_addr, a->ai_addrlen, ip, sizeof ip, NULL, 0, NI_NUMERICHOST) != 0) continue;
            int n1 = snprintf(r->hostlist + hl, sizeof r->hostlist - hl, "%s%s", hl ? "," : "", h);
            int n2 = snprintf(r->addrlist + al, sizeof r->addrlist - al, "%s%s", al ? "," : "", ip);
            if (n1 < 0 || n2 < 0 || hl + (size_t)n1 >= sizeof r->hostlist || al + (size_t)n2 >= sizeof r->addrlist) break;
            hl += (size_t)n1;
            al += (size_t)n2;
        }
        freeaddrinfo(res);
    }
    r->done = hl > 0;
}

static void ignore_notice(void *arg, const char *message) {}

typedef struct StartArgs {
    const char *url;
} StartArgs;

/* The URL's connect_timeout (s) in ms, else the default (parsing only: the
 * same whether live or replaying). */
static int64_t url_timeout(const char *url, int64_t dflt) {
    PQconninfoOption *opts = PQconninfoParse(url, NULL);
    int64_t t = dflt;
    for (PQconninfoOption *o = opts; o && o->keyword; o++)
        if (o->val && !strcmp(o->keyword, "connect_timeout") && atoi(o->val) > 0) t = (int64_t)atoi(o->val) * 1000;
    PQconninfoFree(opts);
    return t;
}

/* Live: parse, resolve, PQconnectStartParams.  res = the socket, or -1
 * with the message. */
static int64_t start_live(PgConn *c, void *ud, DbBuf *out) {
    StartArgs *a = ud;
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(a->url, &perr);
    if (!opts) {
        put_raw(out, perr ? perr : "invalid connection string");
        PQfreemem(perr);
        return -1;
    }
    const char *host = NULL, *hostaddr = NULL;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val) continue;
        if (!strcmp(o->keyword, "host")) host = o->val;
        else if (!strcmp(o->keyword, "hostaddr")) hostaddr = o->val;
    }
    Resolve r = {0};
    bool need = host && *host && !hostaddr && host[0] != '/' && !strchr(host, '/');
    if (need) { /* names that are not addresses go to the blocking pool */
        need = false;
        char *dup = xstrdup(host), *save = NULL;
        for (char *h = strtok_r(dup, ",", &save); h; h = strtok_r(NULL, ",", &save))
            if (!is_numeric_host(h)) need = true;
        free(dup);
    }
    if (need) {
        r.hosts = xstrdup(host);
        sched_run_blocking(resolve_job, &r);
        free(r.hosts);
        if (!r.done) {
            PQconninfoFree(opts);
            put_raw(out, r.err[0] ? r.err : "could not resolve host");
            return -1;
        }
    }
    PQconninfoFree(opts);
    const char *keys[4] = {"dbname", NULL, NULL, NULL};
    const char *vals[4] = {a->url, NULL, NULL, NULL};
    if (need) {
        keys[1] = "host";
        vals[1] = r.hostlist;
        keys[2] = "hostaddr";
        vals[2] = r.addrlist;
    }
    PGconn *pg = PQconnectStartParams(keys, vals, 1);
    if (!pg) {
        put_raw(out, "out of memory");
        return -1;
    }
    if (PQstatus(pg) == CONNECTION_BAD) {
        put_raw(out, PQerrorMessage(pg));
        PQfinish(pg);
        return -1;
    }
    PQsetNoticeProcessor(pg, ignore_notice, NULL); /* net.md §5.3: notices are ignored */
    c->pg = pg;
    return PQsocket(pg);
}

typedef struct PollState {
    int fd;        /* the socket libpq had */
    ino_t ino;     /* and its identity: libpq may close it and open another with the same number */
} PollState;

static ino_t inode_of(int fd) {
    struct stat st;
    return fd >= 0 && fstat(fd, &st) == 0 ? st.st_ino : 0;
}

/* Live: one PQconnectPoll.  res = status | changed << 8 | socket << 16. */
static int64_t poll_live(PgConn *c, void *ud, DbBuf *out) {
    PollState *s = ud;
    PostgresPollingStatusType st = PQconnectPoll(c->pg);
    int fd = PQsocket(c->pg);
    ino_t ino = inode_of(fd);
    bool changed = fd != s->fd || ino != s->ino;
    s->fd = fd;
    s->ino = ino;
    if (st == PGRES_POLLING_FAILED) put_raw(out, PQerrorMessage(c->pg));
    return (int64_t)st | (changed ? 0x100 : 0) | ((int64_t)(fd + 1) << 16);
}

static void unregister(PgConn *c) {
    if (c->fd < 0) return;
    poll_del(c->fd);
    if (!c->pg) close(c->fd); /* a replay's placeholder; libpq closes its own */
    c->fd = -1;
}

/* The socket became `recorded` (the live one, or the recording's number). */
static bool reregister(PgConn *c, int recorded) {
    unregister(c);
    if (recorded < 0) return true;
    int fd = db_replaying() ? fdio_placeholder(recorded) : recorded;
    if (fd < 0 || poll_add(fd) != 0) {
        if (fd >= 0 && db_replaying()) close(fd);
        return false;
    }
    c->fd = fd;
    return true;
}

/* A statement still runs on the server for a connection being closed (its
 * user died waiting for it): the server would keep its locks until the
 * statement ends (a backend busy in a statement does not notice that its
 * client went away).  A detached thread (PQcancel connects to the server:
 * it must not run on a scheduler thread) sends the cancel request and waits
 * for the statement's end before closing the connection, which ends the
 * session and its transaction.  A cancel that reaches the server before
 * the statement does (it may still be in flight, or in libpq's buffer) is
 * ignored by the server, so it is repeated until the results come back --
 * a bounded number of times. */
typedef struct Canceller {
    PGcancel *cancel;
    PGconn *pg;
} Canceller;

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait (this thread) until the statement's results are in, at most ms:
 * true if they are (or the connection failed: nothing more to wait for). */
static bool await_idle(PGconn *pg, int ms) {
    int64_t end = mono_ms() + ms;
    for (;;) {
        int fl = PQflush(pg);
        if (fl < 0) return true;
        if (fl == 0 && !PQisBusy(pg)) return true;
        int64_t left = end - mono_ms();
        if (left <= 0) return false;
        struct pollfd pf = {PQsocket(pg), (short)(POLLIN | (fl == 1 ? POLLOUT : 0)), 0};
        if (pf.fd < 0) return true;
        if (poll(&pf, 1, (int)left) > 0 && !PQconsumeInput(pg)) return true;
    }
}

static void *cancel_thread(void *arg) {
    Canceller *k = arg;
    char buf[256];
    for (int i = 0; i < 20; i++) { /* at most ~10 s */
        PQcancel(k->cancel, buf, sizeof buf);
        if (await_idle(k->pg, 500)) break;
    }
    PQfreeCancel(k->cancel);
    PQfinish(k->pg);
    free(k);
    return NULL;
}

static void finish(PGconn *pg) {
    if (PQtransactionStatus(pg) == PQTRANS_ACTIVE) {
        Canceller *k = xmalloc(sizeof *k);
        k->cancel = PQgetCancel(pg);
        k->pg = pg;
        pthread_t t;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        pthread_attr_setstacksize(&at, 256 * 1024);
        bool started = k->cancel && pthread_create(&t, &at, cancel_thread, k) == 0;
        pthread_attr_destroy(&at);
        if (started) return;
        if (k->cancel) PQfreeCancel(k->cancel);
        free(k);
    }
    PQfinish(pg);
}

void pgc_free(PgConn *c) {
    if (!c) return;
    unregister(c);
    if (c->pg) finish(c->pg);
    dbbuf_free(&c->io);
    free(c);
}

PgConn *pgc_new(void) {
    PgConn *c = xcalloc(1, sizeof *c);
    c->fd = -1;
    c->txn = PQTRANS_IDLE;
    return c;
}

/* A failed connection attempt leaves c as new. */
static void reset_conn(PgConn *c) {
    unregister(c);
    if (c->pg) PQfinish(c->pg);
    c->pg = NULL;
}

bool pgc_connect_into(PgConn *c, const char *url, int64_t timeout_ms, char *err, size_t cap) {
    if (!check_url(url, err, cap)) return false;
    const char *data;
    size_t len;
    /* like libpq: no limit unless the URL says connect_timeout (a deadline
     * would also make snow trace's virtual time give up at once) */
    if (timeout_ms < 0) timeout_ms = url_timeout(url, -1);
    int64_t deadline = timeout_ms >= 0 ? sched_now() + timeout_ms : -1;
    StartArgs sa = {url};
    int64_t r = point(c, start_live, &sa, &data, &len);
    if (r < 0) {
        snprintf(err, cap, "%.*s", (int)len, data);
        goto fail_msg;
    }
    if (!reregister(c, (int)r)) {
        snprintf(err, cap, "cannot watch the connection's socket");
        goto fail;
    }
    PollState ps = {(int)r, c->pg ? inode_of((int)r) : 0};
    int st = PGRES_POLLING_WRITING; /* libpq: wait until writable before the first poll */
    for (;;) {
        if (st == PGRES_POLLING_READING || st == PGRES_POLLING_WRITING) {
            int w = sched_wait_io(c->fd, st == PGRES_POLLING_WRITING ? POLLOUT : POLLIN, deadline);
            if (w == 0 && deadline >= 0 && sched_now() >= deadline) {
                snprintf(err, cap, "timeout expired");
                goto fail;
            }
        }
        r = point(c, poll_live, &ps, &data, &len);
        st = (int)(r & 0xff);
        if ((r & 0x100) && !reregister(c, (int)(r >> 16) - 1)) {
            snprintf(err, cap, "cannot watch the connection's socket");
            goto fail;
        }
        if (st == PGRES_POLLING_OK) break;
        if (st == PGRES_POLLING_FAILED || c->fd < 0) {
            snprintf(err, cap, "%.*s", (int)len, data);
            goto fail_msg;
        }
    }
    if (c->pg) PQsetnonblocking(c->pg, 1);
    c->ready = true;
    return true;
fail_msg:
    if (!err[0]) snprintf(err, cap, "connection failed");
    /* fallthrough */
fail:
    reset_conn(c);
    return false;
}

/* ---- statements ---------------------------------------------------------------------------- */

typedef struct ExecArgs {
    int64_t t0;         /* when the statement started (us) */
    const char *sql;
    const DbParams *params;
    bool simple;
    const char *opname; /* "query" / "execute" */
} ExecArgs;

static int64_t send_live(PgConn *c, void *ud, DbBuf *out) {
    ExecArgs *a = ud;
    int ok;
    if (a->simple) ok = PQsendQuery(c->pg, a->sql);
    else
        ok = PQsendQueryParams(c->pg, a->sql, a->params ? (int)a->params->n : 0, NULL,
                               a->params ? a->params->v : NULL, NULL, NULL, 0);
    if (ok) return 0;
    char prefix[32];
    snprintf(prefix, sizeof prefix, "send %s", a->opname);
    put_msg(out, prefix, PQerrorMessage(c->pg));
    return -1;
}

static int64_t flush_live(PgConn *c, void *ud, DbBuf *out) {
    ExecArgs *a = ud;
    int r = PQflush(c->pg);
    if (r == 1) PQconsumeInput(c->pg); /* the server may be sending while we do: take it in */
    if (r < 0) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "send %s", a->opname);
        put_msg(out, prefix, PQerrorMessage(c->pg));
    }
    return r;
}

static int64_t busy_live(PgConn *c, void *ud, DbBuf *out) { return PQisBusy(c->pg); }

static int64_t consume_live(PgConn *c, void *ud, DbBuf *out) {
    ExecArgs *a = ud;
    if (PQconsumeInput(c->pg)) return 0;
    char prefix[32];
    snprintf(prefix, sizeof prefix, "read %s", a->opname);
    put_msg(out, prefix, PQerrorMessage(c->pg));
    return -1;
}

/* The count of a command tag: its last word if it is a number ("INSERT 0
 * 1" -> 1, "CREATE TABLE" -> 0). */
static int64_t tag_count(const char *tag) {
    const char *w = tag ? strrchr(tag, ' ') : NULL;
    w = w ? w + 1 : tag;
    if (!w || !*w) return 0;
    int64_t n = 0;
    for (const char *p = w; *p; p++) {
        if (*p < '0' || *p > '9') return 0;
        n = n * 10 + (*p - '0');
    }
    return n;
}

/* Live: PQgetResult (not busy: it does not block).  res = 1 with the
 * result's chunk, or, once there are no more, 0x100 | the transaction
 * status | the microseconds the statement took << 12 (so a replay shows
 * the recorded time). */
static int64_t get_live(PgConn *c, void *ud, DbBuf *out) {
    ExecArgs *a = ud;
    PGresult *res = PQgetResult(c->pg);
    if (!res) return 0x100 | PQtransactionStatus(c->pg) | ((db_now_us() - a->t0) << 12);
    switch (PQresultStatus(res)) {
    case PGRES_TUPLES_OK: {
        int nc = PQnfields(res), nr = PQntuples(res);
        db_put_cols(out, (uint32_t)nc);
        for (int i = 0; i < nc; i++) {
            const char *name = PQfname(res, i);
            db_put_text(out, name, strlen(name));
        }
        for (int r = 0; r < nr; r++) {
            db_put_row(out);
            for (int i = 0; i < nc; i++) {
                if (PQgetisnull(res, r, i)) db_put_null(out);
                else db_put_text(out, PQgetvalue(res, r, i), (size_t)PQgetlength(res, r, i));
            }
        }
        db_put_count(out, tag_count(PQcmdStatus(res)));
        break;
    }
    case PGRES_COMMAND_OK:
    case PGRES_EMPTY_QUERY:
        db_put_count(out, tag_count(PQcmdStatus(res)));
        break;
    default: {
        const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
        put_msg(out, NULL, primary ? primary : PQresultErrorMessage(res));
        break;
    }
    }
    PQclear(res);
    return 1;
}

static void fail_with(PgConn *c, DbDecode *d, const char *msg) {
    dbbuf_reset(&c->io);
    db_put_error(&c->io, msg, strlen(msg));
    dbd_chunk(d, c->io.p, c->io.len);
}

void pgc_exec(PgConn *c, const char *sql, const DbParams *params, bool simple, const char *opname, DbDecode *d) {
    int64_t t0 = db_now_us();
    if (c->broken || c->fd < 0 || !c->ready) {
        char m[64];
        snprintf(m, sizeof m, "send %s: connection is broken", opname);
        fail_with(c, d, m);
        return;
    }
    ExecArgs a = {t0, sql, params, simple, opname};
    const char *data;
    size_t len;
    bool failed = false;
    if (point(c, send_live, &a, &data, &len) < 0) {
        dbd_chunk(d, data, len);
        failed = true;
    }
    while (!failed) { /* flush what did not fit in the socket */
        int64_t r = point(c, flush_live, &a, &data, &len);
        if (r == 0) break;
        if (r < 0) {
            dbd_chunk(d, data, len);
            failed = true;
            break;
        }
        int w = sched_wait_io(c->fd, POLLOUT | POLLIN, -1);
        if (w & POLLNVAL) {
            char m[64];
            snprintf(m, sizeof m, "send %s: connection closed", opname);
            fail_with(c, d, m);
            failed = true;
        }
    }
    while (!failed) {
        while (point(c, busy_live, &a, &data, &len) == 1) {
            int w = sched_wait_io(c->fd, POLLIN, -1);
            if (w & POLLNVAL) {
                char m[64];
                snprintf(m, sizeof m, "read %s: connection closed", opname);
                fail_with(c, d, m);
                failed = true;
                break;
            }
            if (point(c, consume_live, &a, &data, &len) < 0) {
                dbd_chunk(d, data, len);
                failed = true;
                break;
            }
        }
        if (failed) break;
        int64_t r = point(c, get_live, &a, &data, &len);
        if (r & 0x100) {
            c->txn = (int)(r & 0xff);
            d->us = r >> 12;
            break;
        }
        dbd_chunk(d, data, len);
    }
    if (failed) {
        c->broken = true;
        c->txn = PQTRANS_UNKNOWN;
    } else if (c->pg && PQstatus(c->pg) == CONNECTION_BAD) {
        c->broken = true;
    }
    if (failed) d->us = db_now_us() - t0; /* (a failure's time is not journaled) */
    d->ended = true;
}

/* ---- rollback without waiting (a dying borrower's close) ------------------------------------ */

static int64_t send_rollback_live(PgConn *c, void *ud, DbBuf *out) {
    if (!PQsendQuery(c->pg, "ROLLBACK")) return -1;
    return PQflush(c->pg) < 0 ? -1 : 0; /* 1: the rest goes out with the next flush */
}

bool pgc_send_rollback(PgConn *c) {
    if (c->broken || c->fd < 0) return false;
    ExecArgs a = {db_now_us(), "ROLLBACK", NULL, true, "execute"};
    const char *data;
    size_t len;
    bool ok = point(c, send_rollback_live, &a, &data, &len) == 0;
    if (!ok) c->broken = true;
    else c->rollback_sent = true;
    return ok;
}

bool pgc_finish_rollback(PgConn *c) {
    if (!c->rollback_sent) return !c->broken;
    c->rollback_sent = false;
    if (c->broken || c->fd < 0) return false;
    ExecArgs a = {db_now_us(), "ROLLBACK", NULL, true, "execute"};
    const char *data;
    size_t len;
    bool ok = true;
    for (int64_t r; ok && (r = point(c, flush_live, &a, &data, &len)) != 0;) {
        if (r < 0 || (sched_wait_io(c->fd, POLLOUT | POLLIN, -1) & POLLNVAL)) ok = false;
    }
    while (ok) {
        while (ok && point(c, busy_live, &a, &data, &len) == 1) {
            if (sched_wait_io(c->fd, POLLIN, -1) & POLLNVAL) ok = false;
            else if (point(c, consume_live, &a, &data, &len) < 0) ok = false;
        }
        if (!ok) break;
        int64_t r = point(c, get_live, &a, &data, &len);
        if (r & 0x100) {
            c->txn = (int)(r & 0xff);
            break;
        }
    }
    if (!ok) {
        c->broken = true;
        c->txn = PQTRANS_UNKNOWN;
    }
    return ok && c->txn == PQTRANS_IDLE;
}

/* ---- who uses it ---------------------------------------------------------------------------- */

bool pgc_use_begin(PgConn *c) {
    uint64_t me = proc_self_pid();
    mt_lock(&c->lk);
    if (c->user && c->user != me && proc_is_alive(c->user)) {
        mt_unlock(&c->lk);
        return false;
    }
    if (c->user && c->user != me) { /* its last user died in the middle of a statement */
        c->broken = true;
        c->txn = PQTRANS_UNKNOWN;
    }
    c->user = me;
    mt_unlock(&c->lk);
    return true;
}

bool pgc_use_end(PgConn *c) {
    mt_lock(&c->lk);
    c->user = 0;
    bool closing = c->closing;
    c->closing = false;
    mt_unlock(&c->lk);
    if (closing) {
        if (c->release) c->release(c);
        else pgc_free(c);
    }
    return closing;
}

void pgc_close(PgConn *c) {
    uint64_t me = proc_self_pid();
    mt_lock(&c->lk);
    bool in_use = c->user && c->user != me && me != EV_NOPID && proc_is_alive(c->user);
    if (in_use) {
        c->closing = true;
        /* end its wait: the user sees the socket gone and finishes the
         * close (under the lock: once it is released the user may free c) */
        if (c->fd >= 0) poll_del(c->fd);
    }
    mt_unlock(&c->lk);
    if (!in_use) pgc_free(c);
}
