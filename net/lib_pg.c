/* lib_pg.c — the Pg module (net.md §5; decision 29: libpq, asynchronous).
 *
 * A PgConn of Pg.connect is a resource owned by the connecting process
 * (decision 30: closed when it exits).  Another process may use it, one at
 * a time: a second process using it meanwhile is a panic in that process
 * ("PgConn is in use by another process").  Using a closed connection is a
 * panic too ("PgConn used after close").  The same functions accept a
 * connection checked out of a pool (pool.c); Pool.query/execute/query_as
 * call the pg_run_* helpers below.
 *
 * Pg.transaction calls the Snow callback with proc_catch: a panic inside it
 * rolls back and becomes Err("transaction aborted: panic in callback"); an
 * exit signal is not caught (the process dies, and the connection with it
 * -- or, from a pool, goes back rolled back).
 */
#include <libpq-fe.h>
#include <string.h>

#include "dbcore.h"
#include "event.h"
#include "handle.h"
#include "lib_util.h"
#include "pgconn.h"
#include "lib_pg.h"
#include "proc.h"
#include "stdlib_table.h"
#include "str.h"
#include "vals.h"

static void pg_handle_close(void *data) { pgc_close(data); }
const HandleClass pgc_class = {"PgConn", NULL, pg_handle_close};

PgConn *pg_use(Value h, const char *fn) {
    lib_need(h, T_HANDLE, fn, 1);
    const HandleClass *cls = AS_HANDLE(h)->cls;
    if (cls != &pgc_class && cls != &pgc_pool_class) rt_panic("%s: not a PgConn", fn);
    PgConn *c = handle_pin(h);
    if (!c) rt_panic("%s: PgConn used after close", fn);
    bool ok = pgc_use_begin(c);
    handle_unpin(h);
    if (!ok) rt_panic("%s: PgConn is in use by another process", fn);
    return c;
}

Value pg_run(PgConn *c, Value sqlv, Value paramsv, bool simple, DbWant want, const char *fn, const char *evop) {
    lib_need(sqlv, T_STR, fn, 2);
    const char *err = NULL;
    const char *sql = db_sql(sqlv, &err);
    DbParams params = {0};
    if (sql && paramsv.tag == T_LIST && !db_params(paramsv, true, &params, &err)) sql = NULL;
    DbDecode d;
    dbd_init(&d, want);
    if (!sql) {
        pgc_use_end(c);
        return val_err_cstr(err);
    }
    pgc_exec(c, sql, &params, simple, want == DB_ROWS ? "query" : "execute", &d);
    pgc_use_end(c);
    db_params_free(&params);
    if (EV_ON()) db_event_of("pg", evop, sqlv, (int)params.n, &d);
    return dbd_result(&d);
}

Value pg_simple(PgConn *c, const char *sql, const char *evop) {
    return pg_run(c, str_from_cstr(sql), v_unit(), true, DB_UNIT, "Pg", evop);
}

/* ---- the builtins ------------------------------------------------------------------------ */

static Value bi_connect(Value *a, int n) {
    lib_need(a[0], T_STR, "Pg.connect", 1);
    if (memchr(str_data(a[0]), 0, str_len(a[0]))) return val_err_cstr("URL contains null byte");
    char err[1200] = "";
    int64_t t0 = db_now_us();
    PgConn *c = pgc_new();
    Value h = handle_open(&pgc_class, c); /* ours while it connects: our death closes it */
    bool ok = pgc_connect_into(c, str_cstr(a[0]), -1, err, sizeof err);
    Value e = ok ? v_unit() : str_from_cstr(err);
    if (EV_ON()) db_event("pg", "connect", str_from_cstr("(connect)"), 0, -1, e, db_now_us() - t0);
    if (!ok) {
        handle_close(h);
        return val_err(e);
    }
    return val_ok(h);
}

static Value bi_close(Value *a, int n) {
    lib_need(a[0], T_HANDLE, "Pg.close", 1);
    const HandleClass *cls = AS_HANDLE(a[0])->cls;
    if (cls != &pgc_class && cls != &pgc_pool_class) rt_panic("Pg.close: not a PgConn");
    if (!handle_close(a[0])) rt_panic("Pg.close: PgConn used after close");
    return v_unit();
}

static Value bi_execute(Value *a, int n) {
    PgConn *c = pg_use(a[0], "Pg.execute");
    return pg_run(c, a[1], a[2], false, DB_COUNT, "Pg.execute", "execute");
}

static Value bi_query(Value *a, int n) {
    PgConn *c = pg_use(a[0], "Pg.query");
    return pg_run(c, a[1], a[2], false, DB_ROWS, "Pg.query", "query");
}

static Value bi_begin(Value *a, int n) { return pg_simple(pg_use(a[0], "Pg.begin"), "BEGIN", "begin"); }
static Value bi_commit(Value *a, int n) { return pg_simple(pg_use(a[0], "Pg.commit"), "COMMIT", "commit"); }
static Value bi_rollback(Value *a, int n) { return pg_simple(pg_use(a[0], "Pg.rollback"), "ROLLBACK", "rollback"); }

/* Apply from_row to each row: Ok([from_row(r) for r in rows]) or the Err. */
Value pg_map_rows(Value res, Value from_row) {
    if (res.aux != RES_OK) return res;
    Value rows = AS_VARIANT(res)->fields[0];
    size_t n = list_len(rows);
    ListBuilder b;
    lb_init(&b, n);
    for (size_t i = 0; i < n; i++) lb_push(&b, lib_call1(from_row, list_get(rows, i)));
    return val_ok(lb_finish(&b));
}

static Value bi_query_as(Value *a, int n) {
    PgConn *c = pg_use(a[0], "Pg.query_as");
    Value res = pg_run(c, a[1], a[2], false, DB_ROWS, "Pg.query_as", "query");
    return pg_map_rows(res, a[3]);
}

typedef struct Call {
    Value f, conn, result;
} Call;

static void call_cb(void *arg) {
    Call *c = arg;
    c->result = lib_call1(c->f, c->conn);
}

static Value err_prefixed(const char *prefix, Value r) {
    Value msg = AS_VARIANT(r)->fields[0];
    char buf[64];
    snprintf(buf, sizeof buf, "%s: ", prefix);
    return val_err(str_concat(str_from_cstr(buf), msg));
}

static Value bi_transaction(Value *a, int n) {
    Value h = a[0];
    Value r = pg_simple(pg_use(h, "Pg.transaction"), "BEGIN", "begin");
    if (r.aux != RES_OK) return err_prefixed("BEGIN", r);
    Call call = {.f = a[1], .conn = h, .result = v_unit()};
    char msg[256];
    bool ok = proc_catch(call_cb, &call, msg, sizeof msg);
    /* the callback may have closed the connection: then nothing to end */
    PgConn *c = handle_pin(h);
    if (!c) {
        if (!ok) return val_err_cstr("transaction aborted: panic in callback");
        return call.result.aux == RES_OK ? val_err_cstr("COMMIT: PgConn was closed by the callback") : call.result;
    }
    bool usable = pgc_use_begin(c);
    handle_unpin(h);
    if (!usable) rt_panic("Pg.transaction: PgConn is in use by another process");
    if (!ok) {
        pg_simple(c, "ROLLBACK", "rollback");
        return val_err_cstr("transaction aborted: panic in callback");
    }
    if (call.result.aux != RES_OK) {
        pg_simple(c, "ROLLBACK", "rollback");
        return call.result;
    }
    Value cr = pg_simple(c, "COMMIT", "commit");
    if (cr.aux != RES_OK) {
        c = pg_use(h, "Pg.transaction");
        pg_simple(c, "ROLLBACK", "rollback");
        return err_prefixed("COMMIT", cr);
    }
    return call.result;
}

static const StdFn pg_lib[] = {
    {"Pg", "connect", "Fun(String) -> Result<PgConn, String>", bi_connect, 1, SF_PREFIXED | SF_BLOCKS,
     "connect to a PostgreSQL server: postgres://user:password@host:port/db"},
    {"Pg", "close", "Fun(PgConn) -> ()", bi_close, 1, SF_PREFIXED, "close the connection"},
    {"Pg", "execute", "Fun(PgConn, String, List<String>) -> Result<Int, String>", bi_execute, 3,
     SF_PREFIXED | SF_BLOCKS, "run one statement with $1, $2... parameters; Ok(rows affected)"},
    {"Pg", "query", "Fun(PgConn, String, List<String>) -> Result<List<Map<String, String>>, String>", bi_query, 3,
     SF_PREFIXED | SF_BLOCKS, "run a query; each row maps column name to text (NULL is \"\")"},
    {"Pg", "begin", "Fun(PgConn) -> Result<(), String>", bi_begin, 1, SF_PREFIXED | SF_BLOCKS, "BEGIN a transaction"},
    {"Pg", "commit", "Fun(PgConn) -> Result<(), String>", bi_commit, 1, SF_PREFIXED | SF_BLOCKS,
     "COMMIT the transaction"},
    {"Pg", "rollback", "Fun(PgConn) -> Result<(), String>", bi_rollback, 1, SF_PREFIXED | SF_BLOCKS,
     "ROLLBACK the transaction"},
    {"Pg", "transaction", "Fun(PgConn, Fun(PgConn) -> Result<(), String>) -> Result<(), String>", bi_transaction, 2,
     SF_PREFIXED | SF_BLOCKS, "BEGIN, run the function, COMMIT on Ok, ROLLBACK on Err or a panic"},
    {"Pg", "query_as", "Fun(PgConn, String, List<String>, Fun(Map<String, String>) -> Result<T, String>) -> "
     "Result<List<Result<T, String>>, String>", bi_query_as, 4, SF_PREFIXED | SF_BLOCKS,
     "run a query and convert each row (User.from_row of a deriving(Row) struct)"},
};
STDLIB_REGISTER(pg_lib)
