/* pool.c — the PostgreSQL connection pool (net.md §6, decision 30), with
 * the Pool.* and the prefixed (pool_*) forms.
 *
 * A pool is a plain handle (never closed by the runtime: any process may
 * use it, whoever opened it).  Its connections are either idle (in the
 * pool's list, owned by nobody) or checked out: then the borrower owns the
 * connection's handle (class pgc_pool_class), so a borrower that dies for
 * any reason gives it back through the handle's close:
 *  - idle (no transaction): back to the idle list;
 *  - inside a transaction: a ROLLBACK is sent without waiting (a close must
 *    not park) and the connection goes back; the next checkout reads the
 *    ROLLBACK's result before its health check;
 *  - in the middle of a statement, or broken: closed (the server ends the
 *    transaction when the connection goes), and its slot freed.
 *
 * Invariants (under the pool's lock):
 *  - `total` counts the slots taken: connections idle, checked out, or
 *    being opened or health-checked by a borrower.  total <= max always.
 *  - A slot or a connection that becomes free goes to the first waiting
 *    checkout if there is one (pwait.h: a hand-over, so no checkout is
 *    overtaken and no wake-up is lost), else back to the pool.
 *  - A connection is returned at most once: `detached` (under the
 *    connection's lock) is set by whoever returns it -- Pool.checkin or the
 *    handle's close -- and the other one then does nothing.
 *  - Every slot a borrower holds is covered by its handle from the moment
 *    it is taken (the handle exists before the connection is opened or
 *    checked), so a borrower killed at any point frees it.
 */
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "dbcore.h"
#include "event.h"
#include "handle.h"
#include "lib_pg.h"
#include "lib_util.h"
#include "mt.h"
#include "pgconn.h"
#include "proc.h"
#include "pwait.h"
#include "sched.h"
#include "stdlib_table.h"
#include "str.h"
#include "vals.h"
#include "xalloc.h"

struct PgPool {
    MtLock lk;
    char *url;
    int min, max;
    int64_t timeout_ms;
    bool closed;
    int total;
    PgConn *idle_head, *idle_tail; /* longest idle first */
    PWaitQ waiters;
    PgPool *next;                  /* every pool ever opened (they live until the end) */
};

static PgPool *all_pools; /* keeps them reachable (leak checkers); guarded by pools_lk */
static MtLock pools_lk;

static const HandleClass pool_class = {"PoolHandle", NULL, NULL};

static char slot_gift; /* handed to a waiter: "a slot is free, open a connection" */

/* ---- under the pool's lock: where a free slot or connection goes ---------------------------- */

/* c (or a free slot when c is NULL) goes to the first waiter, else to the
 * pool.  *wk is the wake to send after unlocking. */
static void put_locked(PgPool *p, PgConn *c, PWake *wk) {
    wk->pid = 0;
    if (p->closed) {
        p->total--;
        if (c) pgc_free(c);
        return;
    }
    PWaiter *w = pwait_pop(&p->waiters);
    if (w) {
        pwait_give(w, c ? (void *)c : (void *)&slot_gift, wk);
        return;
    }
    if (!c) {
        p->total--;
        return;
    }
    c->next = NULL;
    c->idle_since = sched_now();
    if (p->idle_tail) p->idle_tail->next = c;
    else p->idle_head = c;
    p->idle_tail = c;
}

static void put(PgPool *p, PgConn *c) {
    PWake wk;
    mt_lock(&p->lk);
    put_locked(p, c, &wk);
    mt_unlock(&p->lk);
    pwait_wake(&wk);
}

/* Give a connection back without parking: idle, rolled back later, or
 * closed (freeing its slot). */
static void give_back(PgConn *c, bool abandoned) {
    PgPool *p = c->pool;
    bool keep = c->ready && !abandoned && !c->broken;
    if (keep && (c->txn == PQTRANS_INTRANS || c->txn == PQTRANS_INERROR)) keep = pgc_send_rollback(c);
    else if (keep && c->txn != PQTRANS_IDLE) keep = false;
    if (!keep) {
        pgc_free(c);
        c = NULL;
    }
    put(p, c);
}

/* The close of a borrowed connection's handle (the borrower's exit, or a
 * close by anyone); must not park. */
static void pool_conn_close(void *data) {
    PgConn *c = data;
    uint64_t me = proc_self_pid();
    mt_lock(&c->lk);
    if (c->detached) { /* Pool.checkin is giving it back */
        mt_unlock(&c->lk);
        return;
    }
    if (c->user && c->user != me && me != EV_NOPID && proc_is_alive(c->user)) {
        c->closing = true; /* another process is in a statement: it gives it back (release) */
        mt_unlock(&c->lk);
        return;
    }
    bool abandoned = c->user != 0; /* a statement was in flight */
    c->user = 0;
    c->detached = true;
    mt_unlock(&c->lk);
    give_back(c, abandoned);
}

const HandleClass pgc_pool_class = {"PgConn", NULL, pool_conn_close};

/* A borrower's statement ended after the handle was closed. */
static void release_after_use(PgConn *c) {
    mt_lock(&c->lk);
    bool mine = !c->detached;
    c->detached = true;
    mt_unlock(&c->lk);
    if (mine) give_back(c, false);
}

/* ---- opening ------------------------------------------------------------------------------ */

static PgPool *pool_of(Value h, const char *fn) {
    lib_need(h, T_HANDLE, fn, 1);
    if (AS_HANDLE(h)->cls != &pool_class) rt_panic("%s: not a PoolHandle", fn);
    return handle_pin(h);
}

/* A connection of p not connected yet, in a slot already taken, owned by
 * the running process through *h: from now on its death frees the slot. */
static PgConn *reserve(PgPool *p, Value *h) {
    PgConn *c = pgc_new();
    c->pool = p;
    c->release = release_after_use;
    *h = handle_open(&pgc_pool_class, c);
    return c;
}

/* Connect a reserved connection; false (slot freed) with err. */
static bool connect_reserved(PgPool *p, PgConn *c, Value *h, char *err, size_t cap) {
    int64_t t0 = db_now_us();
    bool ok = pgc_connect_into(c, p->url, -1, err, cap);
    if (EV_ON())
        db_event("pg", "connect", str_from_cstr("(pool connect)"), 0, -1, ok ? v_unit() : str_from_cstr(err),
                 db_now_us() - t0);
    if (!ok) {
        handle_close(*h); /* the close gives the slot back (not ready) */
        return false;
    }
    return true;
}

/* A connection that was idle (or handed over) becomes the running
 * process's, through a handle (no parking). */
static void adopt(PgConn *c, Value *h) {
    mt_lock(&c->lk);
    c->detached = false;
    c->user = 0;
    c->closing = false;
    mt_unlock(&c->lk);
    *h = handle_open(&pgc_pool_class, c);
}

/* Then the pending ROLLBACK's result and the health check (SELECT 1).
 * False if it failed (closed, slot freed). */
static bool healthy(PgConn *c, Value *h) {
    bool ok = pgc_use_begin(c) && pgc_finish_rollback(c);
    if (ok) {
        Value r = pg_simple(c, "SELECT 1", "health check"); /* unmarks c */
        ok = r.aux == RES_OK && !c->broken;
    } else {
        pgc_use_end(c);
    }
    if (!ok) {
        mt_lock(&c->lk);
        c->broken = true; /* the close discards it */
        mt_unlock(&c->lk);
        handle_close(*h);
    }
    return ok;
}

static Value pool_open(Value *a, const char *fn) {
    lib_need(a[0], T_STR, fn, 1);
    for (int i = 1; i <= 3; i++) lib_need(a[i], T_INT, fn, i + 1);
    if (memchr(str_data(a[0]), 0, str_len(a[0]))) return val_err_cstr("pool open: URL contains null byte");
    int64_t mn = a[1].i < 0 ? 0 : a[1].i, mx = a[2].i, to = a[3].i < 100 ? 100 : a[3].i;
    if (mn > 10000) mn = 10000;
    if (mx < (mn > 1 ? mn : 1)) mx = mn > 1 ? mn : 1;
    if (mx > 10000) mx = 10000;
    PgPool *p = xcalloc(1, sizeof *p);
    p->url = xstrdup(str_cstr(a[0]));
    p->min = (int)mn;
    p->max = (int)mx;
    p->timeout_ms = to;
    /* the min connections, opened by us: owned by our handles until idle */
    for (int i = 0; i < p->min; i++) {
        char err[1200] = "";
        Value h;
        p->total++;
        PgConn *c = reserve(p, &h);
        if (!connect_reserved(p, c, &h, err, sizeof err)) {
            /* close those already opened */
            for (PgConn *x = p->idle_head, *n; x; x = n) {
                n = x->next;
                pgc_free(x);
            }
            free(p->url);
            free(p);
            char msg[1300];
            snprintf(msg, sizeof msg, "pool open: %s", err);
            return val_err_cstr(msg);
        }
        mt_lock(&c->lk);
        c->detached = true;
        mt_unlock(&c->lk);
        handle_close(h);
        put(p, c); /* no waiter yet: idle */
    }
    mt_lock(&pools_lk);
    p->next = all_pools;
    all_pools = p;
    mt_unlock(&pools_lk);
    return val_ok(handle_new(&pool_class, p));
}

/* ---- checkout / checkin -------------------------------------------------------------------- */

static Value open_reserved(PgPool *p, PgConn *c, Value *h) {
    char err[1200] = "";
    if (!connect_reserved(p, c, h, err, sizeof err)) {
        char msg[1300];
        snprintf(msg, sizeof msg, "pool connect: %s", err);
        return val_err_cstr(msg);
    }
    return val_ok(*h);
}

/* Ok(PgConn handle) or Err. */
static Value checkout(PgPool *p) {
    int64_t deadline = sched_now() + p->timeout_ms;
    for (;;) {
        mt_lock(&p->lk);
        if (p->closed) {
            mt_unlock(&p->lk);
            return val_err_cstr("pool is closed");
        }
        PgConn *c = p->idle_head;
        if (c) {
            p->idle_head = c->next;
            if (!p->idle_head) p->idle_tail = NULL;
            mt_unlock(&p->lk);
            Value h;
            adopt(c, &h);
            if (healthy(c, &h)) return val_ok(h);
            continue; /* closed and discarded: try the next */
        }
        Value h;
        if (p->total < p->max) {
            p->total++;
            mt_unlock(&p->lk);
            c = reserve(p, &h);
            return open_reserved(p, c, &h);
        }
        /* wait (this process only) for a connection or a slot */
        PWaiter *w = pwait_enqueue(&p->waiters, "a connection from a pool");
        mt_unlock(&p->lk);
        pwait_park(w, deadline);
        mt_lock(&p->lk);
        void *gift = pwait_leave(&p->waiters, w);
        bool closed = p->closed;
        mt_unlock(&p->lk);
        if (gift == &slot_gift) { /* a slot is ours: covered by a handle before an exit signal acts */
            c = reserve(p, &h);
            pwait_done();
            return open_reserved(p, c, &h);
        }
        if (gift) {
            c = gift;
            adopt(c, &h); /* ours from here: an exit now gives it back */
            pwait_done();
            if (healthy(c, &h)) return val_ok(h);
            continue;
        }
        pwait_done();
        if (closed) return val_err_cstr("pool is closed");
        if (sched_now() >= deadline) return val_err_cstr("pool checkout timeout");
    }
}

static Value bi_checkout(Value *a, int n) {
    PgPool *p = pool_of(a[0], "Pool.checkout");
    return checkout(p);
}

static void checkin(PgPool *p, Value h, const char *fn) {
    lib_need(h, T_HANDLE, fn, 2);
    if (AS_HANDLE(h)->cls != &pgc_pool_class) rt_panic("%s: the PgConn does not come from a pool", fn);
    PgConn *c = pg_use(h, fn); /* a panic if closed (checked in twice) or in use */
    if (c->pool != p) {
        pgc_use_end(c);
        rt_panic("%s: the PgConn does not come from this pool", fn);
    }
    if (c->ready && !c->broken && c->txn != PQTRANS_IDLE) {
        Value r = pg_simple(c, "ROLLBACK", "rollback"); /* unmarks c */
        if (r.aux != RES_OK) c->broken = true;
    } else {
        pgc_use_end(c);
    }
    mt_lock(&c->lk);
    bool mine = !c->detached;
    c->detached = true;
    mt_unlock(&c->lk);
    handle_close(h);
    if (mine) give_back(c, false);
}

static Value bi_checkin(Value *a, int n) {
    PgPool *p = pool_of(a[0], "Pool.checkin");
    checkin(p, a[1], "Pool.checkin");
    return v_unit();
}

/* ---- query / execute / query_as: checkout, run, checkin ------------------------------------- */

static Value with_conn(Value *a, DbWant want, const char *fn, const char *evop) {
    PgPool *p = pool_of(a[0], fn);
    Value co = checkout(p);
    if (co.aux != RES_OK) return co;
    Value h = AS_VARIANT(co)->fields[0];
    PgConn *c = pg_use(h, fn);
    Value r = pg_run(c, a[1], a[2], false, want, fn, evop);
    checkin(p, h, fn);
    return r;
}

static Value bi_query(Value *a, int n) { return with_conn(a, DB_ROWS, "Pool.query", "query"); }
static Value bi_execute(Value *a, int n) { return with_conn(a, DB_COUNT, "Pool.execute", "execute"); }
static Value bi_query_as(Value *a, int n) {
    /* rows are converted after the connection is back: from_row may panic */
    return pg_map_rows(with_conn(a, DB_ROWS, "Pool.query_as", "query"), a[3]);
}

/* ---- close ------------------------------------------------------------------------------- */

static Value bi_close(Value *a, int n) {
    PgPool *p = pool_of(a[0], "Pool.close");
    PgConn *idle;
    PWake wakes[64];
    mt_lock(&p->lk);
    p->closed = true;
    idle = p->idle_head;
    p->idle_head = p->idle_tail = NULL;
    for (PgConn *c = idle; c; c = c->next) p->total--;
    mt_unlock(&p->lk);
    for (PgConn *c = idle, *nx; c; c = nx) {
        nx = c->next;
        pgc_free(c);
    }
    /* every waiter gets nothing: "pool is closed" */
    for (;;) {
        int k = 0;
        mt_lock(&p->lk);
        PWaiter *w;
        while (k < 64 && (w = pwait_pop(&p->waiters))) pwait_give(w, NULL, &wakes[k++]);
        mt_unlock(&p->lk);
        for (int i = 0; i < k; i++) pwait_wake(&wakes[i]);
        if (k < 64) break;
    }
    return v_unit();
}

static Value bi_open(Value *a, int n) { return pool_open(a, "Pool.open"); }

static const StdFn pool_lib[] = {
    {"Pool", "open", "Fun(String, Int, Int, Int) -> Result<PoolHandle, String>", bi_open, 4, SF_PREFIXED | SF_BLOCKS,
     "a pool of PostgreSQL connections: url, min, max, checkout timeout (ms)"},
    {"Pool", "checkout", "Fun(PoolHandle) -> Result<PgConn, String>", bi_checkout, 1, SF_PREFIXED | SF_BLOCKS,
     "take a connection (waits up to the pool's timeout)"},
    {"Pool", "checkin", "Fun(PoolHandle, PgConn) -> ()", bi_checkin, 2, SF_PREFIXED | SF_BLOCKS,
     "give a connection back (rolled back if inside a transaction)"},
    {"Pool", "query", "Fun(PoolHandle, String, List<String>) -> Result<List<Map<String, String>>, String>", bi_query, 3,
     SF_PREFIXED | SF_BLOCKS, "checkout, Pg.query, checkin"},
    {"Pool", "execute", "Fun(PoolHandle, String, List<String>) -> Result<Int, String>", bi_execute, 3,
     SF_PREFIXED | SF_BLOCKS, "checkout, Pg.execute, checkin"},
    {"Pool", "query_as", "Fun(PoolHandle, String, List<String>, Fun(Map<String, String>) -> Result<T, String>) -> "
     "Result<List<Result<T, String>>, String>", bi_query_as, 4, SF_PREFIXED | SF_BLOCKS,
     "checkout, Pg.query_as, checkin"},
    {"Pool", "close", "Fun(PoolHandle) -> ()", bi_close, 1, SF_PREFIXED, "close the pool (and its idle connections)"},
};
STDLIB_REGISTER(pool_lib)
