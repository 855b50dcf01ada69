/* pgconn.h — PostgreSQL connections on libpq's asynchronous API (decision
 * 29), for lib_pg.c (Pg) and pool.c (Pool).
 *
 * Every libpq call is non-blocking: PQconnectStartParams / PQconnectPoll,
 * PQsendQueryParams, PQflush, PQconsumeInput / PQisBusy / PQgetResult,
 * with the socket waited on through the poller (sched_wait_io), so a query
 * parks its process and never a scheduler thread.  A host name is resolved
 * on the blocking pool (libpq would call getaddrinfo inline) and handed to
 * libpq as hostaddr.  Each step is a journal point (dbcore.h): replaying, no
 * libpq function is called and the socket is a placeholder that the
 * journal's readiness drives, so the schedule is the recorded one.
 *
 * Invariants:
 *  - A connection is used by one process at a time: pgc_use_begin marks it
 *    (a second process gets a panic) and pgc_use_end unmarks it.  A user
 *    that dies in the middle leaves the mark; the connection is then in an
 *    unknown protocol state and is treated as broken.
 *  - Closing (pgc_close) never parks: when a live process is in the middle
 *    of a statement, the socket is unregistered (its wait ends) and that
 *    process finishes the close in pgc_use_end.
 *  - `txn` is the server's transaction status after the last statement
 *    (PQTRANS_IDLE, PQTRANS_INTRANS, PQTRANS_INERROR; PQTRANS_UNKNOWN once
 *    broken); the pool decides on it.
 */
#ifndef SNOW_PGCONN_H
#define SNOW_PGCONN_H

#include <stdbool.h>
#include <stdint.h>

#include "dbcore.h"
#include "mt.h"
#include "value.h"

typedef struct PgPool PgPool;

typedef struct PgConn {
    struct pg_conn *pg;   /* libpq's PGconn; NULL in a replay */
    int fd;               /* the registered socket (a placeholder in a replay), -1: none */
    int txn;              /* PQTRANS_* after the last statement */
    bool broken;          /* the connection failed: only closing it makes sense */
    bool ready;           /* connected (pgc_connect_into succeeded) */
    DbBuf io;             /* the bytes of the current journal point */
    MtLock lk;            /* guards user, closing, detached */
    uint64_t user;        /* the process running a statement on it, 0 = none */
    bool closing;         /* closed while in use: the user closes it */
    /* pool connections (pool.c) */
    PgPool *pool;
    void (*release)(struct PgConn *c); /* closed while in use: what the user does then (NULL: pgc_free) */
    struct PgConn *next;  /* the pool's idle list / all list */
    struct PgConn *all_next;
    bool detached;        /* checked in: its handle no longer returns it */
    bool rollback_sent;   /* a ROLLBACK was sent without reading its result */
    int64_t idle_since;   /* ms on sched_now's clock */
} PgConn;

/* The handle classes, both printed #Handle<PgConn>: a connection of
 * Pg.connect (lib_pg.c), and one checked out of a pool (pool.c). */
extern const HandleClass pgc_class;
extern const HandleClass pgc_pool_class;

/* A connection not connected yet (to be given a handle first, so that the
 * connecting process's death closes it). */
PgConn *pgc_new(void);
/* Connect c to `url` (a postgres:// URL, checked and handed to libpq),
 * parking the running process.  False with the error text in err (libpq's
 * message, or one of net.md §5.1's URL errors).  `timeout_ms` bounds the
 * whole connection (< 0: the URL's connect_timeout, else no limit, as
 * libpq). */
bool pgc_connect_into(PgConn *c, const char *url, int64_t timeout_ms, char *err, size_t cap);

/* Run one statement on a connection marked in use by the caller: with
 * the extended protocol and text parameters (simple = false: Pg.execute,
 * Pg.query), or as a simple query (BEGIN / COMMIT / ROLLBACK / SELECT 1).
 * The outcome goes into d (an Err text: the server's primary message, or
 * "<what>: <libpq message>" for an I/O failure, what = "send query",
 * "read execute", ...). */
void pgc_exec(PgConn *c, const char *sql, const DbParams *params, bool simple, const char *opname, DbDecode *d);

/* Mark c as used by the running process.  Returns false if another live
 * process is using it.  Takes over from a user that died mid-statement
 * (the connection is then broken). */
bool pgc_use_begin(PgConn *c);
/* Unmark; true if the connection was closed meanwhile (it has been
 * freed: do not touch it). */
bool pgc_use_end(PgConn *c);

/* Close now, or (in use by a live process) make the user close it.
 * Never parks. */
void pgc_close(PgConn *c);
/* Free a connection nobody uses (no parking): PQfinish, unregister. */
void pgc_free(PgConn *c);

/* Send a ROLLBACK without waiting for its result (the close of a dying
 * borrower's connection, which must not park).  False if it could not be
 * sent (the connection is then broken). */
bool pgc_send_rollback(PgConn *c);
/* Read the results of a ROLLBACK sent that way (parks).  False if the
 * connection is broken. */
bool pgc_finish_rollback(PgConn *c);

#endif
