/* lib_sqlite.c — the Sqlite module (net.md §4) on Debian's libsqlite3.
 *
 * A SqliteConn is a resource owned by the process that opened it (decision
 * 30: closed when that process exits); any process may use it meanwhile.
 * Every SQLite call runs in a job through sched_run_blocking — inline under
 * the deterministic scheduler, on the blocking pool under --threads — so a
 * slow query parks its process only.
 *
 * Invariants:
 *  - The sqlite3 handle is opened with SQLITE_OPEN_NOMUTEX and used only
 *    under the connection's mutex, by jobs (pool threads) or by the close;
 *    a job holds a pin on the handle, so the close (the owner's exit, or
 *    Sqlite.close from anyone) waits for the job to end.  Using a closed
 *    handle is a panic in the caller ("SqliteConn used after close").
 *  - Prepared statements are cached per connection by SQL text (most
 *    recently used first, at most STMT_CACHE).  A statement is *taken* for
 *    the length of one operation (a query may span several jobs: its rows
 *    come in batches of BATCH_ROWS / BATCH_BYTES, each decoded into Snow
 *    values before the next is stepped, so a large table costs linear time
 *    and bounded C memory); another operation on the same SQL meanwhile
 *    prepares its own.  A statement taken by a process that died mid-query
 *    is taken back when found.
 *  - Every outcome goes through the journal (dbcore.h) with fd -1, so a run
 *    replays without the database file; in a replay `db` is NULL and no
 *    SQLite function is called.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "dbcore.h"
#include "event.h"
#include "handle.h"
#include "lib_util.h"
#include "proc.h"
#include "sched.h"
#include "stdlib_table.h"
#include "str.h"
#include "vals.h"
#include "xalloc.h"

enum { STMT_CACHE = 64, BATCH_ROWS = 1024, BATCH_BYTES = 1 << 20 };

typedef struct Stmt {
    struct Stmt *next;
    sqlite3_stmt *st;
    char *sql;
    size_t len;
    uint64_t user; /* the process using it (taken), 0 = free */
} Stmt;

typedef struct SqlConn {
    sqlite3 *db;          /* NULL in a replay */
    pthread_mutex_t lk;   /* guards db and the statements */
    Stmt *stmts;          /* cached, most recently used first */
    unsigned nstmts;
    Stmt *loose;          /* taken statements outside the cache (same SQL in use) */
} SqlConn;

static void stmt_free(Stmt *s) {
    sqlite3_finalize(s->st);
    free(s->sql);
    free(s);
}

static void conn_close(void *data) {
    SqlConn *c = data;
    for (Stmt *s = c->stmts, *n; s; s = n) {
        n = s->next;
        stmt_free(s);
    }
    for (Stmt *s = c->loose, *n; s; s = n) {
        n = s->next;
        stmt_free(s);
    }
    if (c->db) sqlite3_close_v2(c->db);
    pthread_mutex_destroy(&c->lk);
    free(c);
}

static const HandleClass sqlite_class = {"SqliteConn", NULL, conn_close};

/* The connection behind h, pinned; a panic in the caller if it is closed. */
static SqlConn *pin(Value h, const char *fn) {
    lib_need(h, T_HANDLE, fn, 1);
    if (AS_HANDLE(h)->cls != &sqlite_class) rt_panic("%s: not a SqliteConn", fn);
    SqlConn *c = handle_pin(h);
    if (!c) rt_panic("%s: SqliteConn used after close", fn);
    return c;
}

/* ---- jobs (blocking-pool threads: no Snow values) ---------------------------------------- */

typedef struct OpenJob {
    const char *path;
    sqlite3 *db;
    char err[512];
} OpenJob;

static void open_job(void *arg) {
    OpenJob *j = arg;
    int rc = sqlite3_open_v2(j->path, &j->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf(j->err, sizeof j->err, "%s", j->db ? sqlite3_errmsg(j->db) : sqlite3_errstr(rc));
        sqlite3_close_v2(j->db);
        j->db = NULL;
    }
}

enum { OP_EXEC, OP_QUERY };

typedef struct SqlJob {
    SqlConn *c;
    int op;
    uint64_t pid;
    const char *sql;      /* NUL-terminated */
    size_t sqllen;
    const DbParams *params;
    Stmt *stmt;           /* taken, between batches of a query */
    bool started;         /* the statement has been bound and stepped */
    bool more;            /* out: rows remain (query) */
    int64_t t0;
    DbBuf out;
} SqlJob;

static void put_err(SqlJob *j, const char *msg) { db_put_error(&j->out, msg, strlen(msg)); }

/* Under c->lk: a statement for j->sql, taken for j->pid; NULL with the
 * error put when it does not prepare (or is empty: *empty). */
static Stmt *take_stmt(SqlJob *j, bool *empty) {
    SqlConn *c = j->c;
    Stmt **pp = &c->stmts;
    for (Stmt *s = c->stmts; s; pp = &s->next, s = s->next) {
        if (s->len != j->sqllen || memcmp(s->sql, j->sql, j->sqllen) != 0) continue;
        if (s->user && proc_is_alive(s->user)) break; /* in use: prepare another */
        if (s->user) { /* taken by a process that died mid-query */
            sqlite3_reset(s->st);
            sqlite3_clear_bindings(s->st);
        }
        *pp = s->next; /* to the front */
        s->next = c->stmts;
        c->stmts = s;
        s->user = j->pid;
        return s;
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(c->db, j->sql, (int)j->sqllen + 1, &st, NULL);
    if (rc != SQLITE_OK) {
        put_err(j, sqlite3_errmsg(c->db));
        sqlite3_finalize(st);
        return NULL;
    }
    if (!st) { /* only whitespace or comments */
        *empty = true;
        return NULL;
    }
    Stmt *s = xmalloc(sizeof *s);
    s->st = st;
    s->sql = xmalloc(j->sqllen + 1);
    memcpy(s->sql, j->sql, j->sqllen + 1);
    s->len = j->sqllen;
    s->user = j->pid;
    bool cached = true;
    for (Stmt *t = c->stmts; t; t = t->next)
        if (t->len == s->len && memcmp(t->sql, s->sql, s->len) == 0) cached = false;
    if (cached) {
        s->next = c->stmts;
        c->stmts = s;
        if (++c->nstmts > STMT_CACHE) { /* drop the least recently used free one */
            Stmt **lp = NULL;
            for (Stmt **q = &c->stmts; *q; q = &(*q)->next)
                if (!(*q)->user) lp = q;
            if (lp) {
                Stmt *old = *lp;
                *lp = old->next;
                stmt_free(old);
                c->nstmts--;
            }
        }
    } else {
        s->next = c->loose;
        c->loose = s;
    }
    return s;
}

/* Under c->lk: the operation is over; the statement goes back. */
static void give_stmt(SqlJob *j) {
    Stmt *s = j->stmt;
    if (!s) return;
    j->stmt = NULL;
    sqlite3_reset(s->st);
    sqlite3_clear_bindings(s->st);
    s->user = 0;
    for (Stmt **q = &j->c->loose; *q; q = &(*q)->next)
        if (*q == s) { /* a loose one: not kept */
            *q = s->next;
            stmt_free(s);
            return;
        }
}

static void step_rows(SqlJob *j) {
    sqlite3_stmt *st = j->stmt->st;
    int ncols = sqlite3_column_count(st);
    size_t start = j->out.len;
    for (int n = 0; n < BATCH_ROWS && j->out.len - start < BATCH_BYTES; n++) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) {
            j->more = false;
            return;
        }
        if (rc != SQLITE_ROW) {
            put_err(j, sqlite3_errmsg(j->c->db));
            j->more = false;
            return;
        }
        db_put_row(&j->out);
        for (int i = 0; i < ncols; i++) {
            int t = sqlite3_column_type(st, i);
            if (t == SQLITE_NULL) {
                db_put_null(&j->out);
                continue;
            }
            const void *p = t == SQLITE_BLOB ? sqlite3_column_blob(st, i) : (const void *)sqlite3_column_text(st, i);
            db_put_text(&j->out, p ? p : "", (size_t)sqlite3_column_bytes(st, i));
        }
    }
    j->more = true;
}

/* One batch of an operation (the first one binds and starts it). */
static void sql_job(void *arg) {
    SqlJob *j = arg;
    SqlConn *c = j->c;
    dbbuf_reset(&j->out);
    pthread_mutex_lock(&c->lk);
    if (!j->started) {
        j->started = true;
        bool empty = false;
        j->stmt = take_stmt(j, &empty);
        if (!j->stmt) {
            if (empty && j->op == OP_QUERY) db_put_cols(&j->out, 0);
            if (empty && j->op == OP_EXEC) db_put_count(&j->out, sqlite3_changes64(c->db));
            j->more = false;
            goto done;
        }
        sqlite3_stmt *st = j->stmt->st;
        for (uint32_t i = 0; i < j->params->n; i++) {
            int rc = sqlite3_bind_text(st, (int)i + 1, j->params->v[i], (int)j->params->len[i], SQLITE_STATIC);
            if (rc != SQLITE_OK) {
                put_err(j, sqlite3_errstr(rc));
                j->more = false;
                goto done;
            }
        }
        if (j->op == OP_EXEC) {
            int rc = sqlite3_step(st);
            if (rc == SQLITE_ROW || rc == SQLITE_DONE) db_put_count(&j->out, sqlite3_changes64(c->db));
            else put_err(j, sqlite3_errmsg(c->db));
            j->more = false;
            goto done;
        }
        int ncols = sqlite3_column_count(st);
        db_put_cols(&j->out, (uint32_t)ncols);
        for (int i = 0; i < ncols; i++) {
            const char *name = sqlite3_column_name(st, i);
            db_put_text(&j->out, name ? name : "", name ? strlen(name) : 0);
        }
    }
    step_rows(j);
done:
    if (!j->more) {
        give_stmt(j);
        db_put_end(&j->out, db_now_us() - j->t0);
    }
    pthread_mutex_unlock(&c->lk);
}

/* ---- the builtins ---------------------------------------------------------------------------- */

static Value bi_open(Value *a, int n) {
    lib_need(a[0], T_STR, "Sqlite.open", 1);
    if (memchr(str_data(a[0]), 0, str_len(a[0]))) return val_err_cstr("path contains null byte");
    int64_t t0 = db_now_us();
    OpenJob j = {.path = str_cstr(a[0])};
    const char *err = NULL;
    size_t errlen = 0;
    if (db_replaying()) {
        if (db_take(-1, &err, &errlen) == 0) err = NULL;
    } else {
        sched_run_blocking(open_job, &j);
        if (!j.db) {
            err = j.err;
            errlen = strlen(err);
        }
        db_note(-1, err ? -1 : 0, err, errlen);
    }
    Value errv = err ? str_new(err, errlen) : v_unit();
    if (EV_ON()) db_event("sqlite", "open", a[0], 0, -1, errv, db_now_us() - t0);
    if (err) return val_err(errv);
    SqlConn *c = xcalloc(1, sizeof *c);
    c->db = j.db;
    pthread_mutex_init(&c->lk, NULL);
    return val_ok(handle_open(&sqlite_class, c));
}

static Value bi_close(Value *a, int n) {
    lib_need(a[0], T_HANDLE, "Sqlite.close", 1);
    if (AS_HANDLE(a[0])->cls != &sqlite_class) rt_panic("Sqlite.close: not a SqliteConn");
    if (!handle_close(a[0])) rt_panic("Sqlite.close: SqliteConn used after close");
    return v_unit();
}

/* execute / query / a transaction statement: run it, batch by batch. */
static Value run(Value h, Value sqlv, Value paramsv, int op, DbWant want, const char *fn, const char *evop) {
    SqlConn *c = pin(h, fn);
    handle_unpin(h); /* checked now; each job pins again */
    lib_need(sqlv, T_STR, fn, 2);
    const char *err = NULL;
    const char *sql = db_sql(sqlv, &err);
    DbParams params = {0};
    if (sql && paramsv.tag == T_LIST && !db_params(paramsv, false, &params, &err)) sql = NULL;
    if (!sql) return val_err_cstr(err);
    DbDecode d;
    dbd_init(&d, want);
    SqlJob j = {.c = c, .op = op, .pid = proc_self_pid(), .sql = sql, .sqllen = str_len(sqlv), .params = &params,
                .t0 = db_now_us()};
    bool more = true;
    while (more) {
        const char *data;
        size_t len;
        if (db_replaying()) {
            more = db_take(-1, &data, &len) != 0;
        } else {
            c = handle_pin(h);
            if (!c) { /* closed by another process between two batches */
                dbbuf_reset(&j.out);
                static const char msg[] = "database connection closed";
                db_put_error(&j.out, msg, sizeof msg - 1);
                db_put_end(&j.out, db_now_us() - j.t0);
                more = false;
            } else {
                j.c = c;
                if (!c->db) rt_panic("%s: SqliteConn of a replayed run used in a live one", fn);
                sched_run_blocking(sql_job, &j);
                handle_unpin(h);
                more = j.more;
            }
            data = j.out.p;
            len = j.out.len;
            db_note(-1, more, data, len);
        }
        if (!dbd_chunk(&d, data, len)) more = false;
    }
    dbbuf_free(&j.out);
    db_params_free(&params);
    if (EV_ON()) db_event_of("sqlite", evop, sqlv, (int)params.n, &d);
    return dbd_result(&d);
}

static Value bi_execute(Value *a, int n) {
    return run(a[0], a[1], a[2], OP_EXEC, DB_COUNT, "Sqlite.execute", "execute");
}
static Value bi_query(Value *a, int n) { return run(a[0], a[1], a[2], OP_QUERY, DB_ROWS, "Sqlite.query", "query"); }

static Value txn(Value h, const char *sql, const char *fn, const char *evop) {
    Value s = str_from_cstr(sql);
    return run(h, s, v_unit(), OP_EXEC, DB_UNIT, fn, evop);
}
static Value bi_begin(Value *a, int n) { return txn(a[0], "BEGIN", "Sqlite.begin", "begin"); }
static Value bi_commit(Value *a, int n) { return txn(a[0], "COMMIT", "Sqlite.commit", "commit"); }
static Value bi_rollback(Value *a, int n) { return txn(a[0], "ROLLBACK", "Sqlite.rollback", "rollback"); }

static const StdFn sqlite_lib[] = {
    {"Sqlite", "open", "Fun(String) -> Result<SqliteConn, String>", bi_open, 1, SF_PREFIXED | SF_BLOCKS,
     "open (or create) a database file; \":memory:\" for a private one"},
    {"Sqlite", "close", "Fun(SqliteConn) -> ()", bi_close, 1, SF_PREFIXED, "close the connection"},
    {"Sqlite", "execute", "Fun(SqliteConn, String, List<String>) -> Result<Int, String>", bi_execute, 3,
     SF_PREFIXED | SF_BLOCKS, "run one statement with ? parameters; Ok(rows changed)"},
    {"Sqlite", "query", "Fun(SqliteConn, String, List<String>) -> Result<List<Map<String, String>>, String>",
     bi_query, 3, SF_PREFIXED | SF_BLOCKS, "run a SELECT; each row maps column name to text (NULL is \"\")"},
    {"Sqlite", "begin", "Fun(SqliteConn) -> Result<(), String>", bi_begin, 1, SF_PREFIXED | SF_BLOCKS,
     "BEGIN a transaction"},
    {"Sqlite", "commit", "Fun(SqliteConn) -> Result<(), String>", bi_commit, 1, SF_PREFIXED | SF_BLOCKS,
     "COMMIT the transaction"},
    {"Sqlite", "rollback", "Fun(SqliteConn) -> Result<(), String>", bi_rollback, 1, SF_PREFIXED | SF_BLOCKS,
     "ROLLBACK the transaction"},
};
STDLIB_REGISTER(sqlite_lib)
