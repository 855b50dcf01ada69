/* lib_pg.h — the Pg module's operations on a connection, shared with the
 * pool (pool.c: Pool.query/execute/query_as are checkout, one of these,
 * checkin). */
#ifndef SNOW_LIB_PG_H
#define SNOW_LIB_PG_H

#include <stdbool.h>

#include "dbcore.h"
#include "pgconn.h"
#include "value.h"

/* The connection behind a PgConn handle, marked in use by the running
 * process; panics (in the caller) if it is closed or used by another
 * process.  pg_run / pg_simple unmark it. */
PgConn *pg_use(Value h, const char *fn);
/* Run sql with params (a List<String>, or T_UNIT for none) on a connection
 * marked by pg_use; emits the `query` event; unmarks it.  The result:
 * Ok(rows) / Ok(count) / Ok(()) per `want`, or Err(text). */
Value pg_run(PgConn *c, Value sql, Value params, bool simple, DbWant want, const char *fn, const char *evop);
/* BEGIN / COMMIT / ROLLBACK / SELECT 1 as a simple query: Ok(()) or Err. */
Value pg_simple(PgConn *c, const char *sql, const char *evop);
/* Pg.query_as's second half: Ok(rows) -> Ok([from_row(row), ...]). */
Value pg_map_rows(Value res, Value from_row);

#endif
