/* dbcore.h — what the database modules (lib_sqlite.c, pgconn.c, lib_pg.c,
 * pool.c) share: results in one portable form, the journal, the `query`
 * event, and parameters.
 *
 * Results travel as *chunks*: a byte format written in C memory only (by a
 * job on the blocking pool, or from a libpq result), read back into Snow
 * values by the calling process.  The same bytes are the journal's record
 * of the outcome (iolog.h, IO_CALL), so a run that talked to a database
 * replays without it (snow trace stepping back, --replay), and a large
 * result is built batch by batch, in linear time.
 *
 *   'C' u32 ncols, then ncols texts       column names (once, first)
 *   'R' ncols cells                       one row; a cell is a text, or
 *                                         u32 0xFFFFFFFF for SQL NULL
 *   'N' i64                               a count (execute)
 *   'E' text                              an error (the Err text)
 *   'Z' i64                               end of the outcome: microseconds spent
 *   a text is u32 length + bytes (host byte order: the journal is read back
 *   by the machine that wrote it)
 *
 * Invariants:
 *  - DbBuf and the encoders touch no Snow value: they run on blocking-pool
 *    threads.  The decoder (DbDecode) runs on the calling process and
 *    allocates on its heap; it lives on the C stack (its Values are found by
 *    the conservative stack scan).
 *  - A malformed chunk (a journal edited by hand) never crashes: the decoder
 *    reports it as an Err.
 */
#ifndef SNOW_DBCORE_H
#define SNOW_DBCORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iolog.h"
#include "list.h"
#include "value.h"

/* ---- chunks ---------------------------------------------------------------------------- */

typedef struct DbBuf {
    char *p;
    size_t len, cap;
} DbBuf;

#define DB_NULL_CELL 0xFFFFFFFFu

void dbbuf_free(DbBuf *b);
void dbbuf_reset(DbBuf *b);
void db_put_cols(DbBuf *b, uint32_t ncols);               /* then db_put_text per name */
void db_put_text(DbBuf *b, const char *p, size_t n);      /* a text (or a cell) */
void db_put_null(DbBuf *b);                               /* a NULL cell */
void db_put_row(DbBuf *b);                                /* then ncols cells */
void db_put_count(DbBuf *b, int64_t n);
void db_put_error(DbBuf *b, const char *msg, size_t n);
void db_put_end(DbBuf *b, int64_t us);
void db_put_raw(DbBuf *b, const void *p, size_t n);       /* bytes as they are (not a chunk) */

/* ---- reading chunks back into values ------------------------------------------------------ */

typedef enum DbWant { DB_ROWS, DB_COUNT, DB_UNIT } DbWant;

typedef struct DbDecode {
    DbWant want;
    ListBuilder rows;
    Value *keys;        /* column names (a scratch tuple on the heap), NULL before 'C' */
    uint32_t ncols;
    int64_t nrows;      /* rows decoded so far */
    int64_t count;      /* 'N' (the last one) */
    bool has_count;
    Value err;          /* 'E': the Err text (T_UNIT: none) */
    bool ended;         /* 'Z' seen */
    int64_t us;
} DbDecode;

void dbd_init(DbDecode *d, DbWant want);
/* Decode one chunk; false (and d->err set) if it is malformed. */
bool dbd_chunk(DbDecode *d, const char *p, size_t n);
/* The operation's result: Err(text), or Ok(rows) / Ok(count) / Ok(()). */
Value dbd_result(DbDecode *d);

/* For a producer that has the cells in memory already (libpq): the same
 * effect as decoding 'C' and 'R'. */
void dbd_cols(DbDecode *d, uint32_t ncols);
void dbd_col(DbDecode *d, uint32_t i, const char *p, size_t n);
/* One row: cells[i] (NULL = SQL NULL, shown as ""), lens[i]. */
void dbd_row(DbDecode *d, const char *const *cells, const uint32_t *lens);

/* ---- the journal -------------------------------------------------------------------------- */

/* One journal point of a database operation on fd (-1 for SQLite): live, the
 * outcome (res, data) the caller computed is noted if the journal is
 * active; replaying, the recorded outcome is returned in (*res, *data,
 * *len) and the caller must not touch the database.  Returns true when
 * replaying (the outcome came from the journal). */
static inline bool db_replaying(void) { return iolog_replaying(); }
void db_note(int fd, int64_t res, const void *data, size_t len);
int64_t db_take(int fd, const char **data, size_t *len);

/* ---- events ----------------------------------------------------------------------------- */

/* Microseconds on a monotonic clock (the time a statement took). */
int64_t db_now_us(void);
/* Emit the `query` event of the running process (call under EV_ON()). */
void db_event(const char *db, const char *op, Value sql, int params, int64_t rows, Value err, int64_t us);
/* The same from a decoded outcome. */
void db_event_of(const char *db, const char *op, Value sql, int params, const DbDecode *d);

/* ---- parameters ------------------------------------------------------------------------- */

typedef struct DbParams {
    uint32_t n;
    const char **v;   /* bytes of param i (NUL-terminated when asked for) */
    uint32_t *len;
    Value *keep;      /* copies made for a NUL terminator (kept alive from the stack) */
} DbParams;

/* Read a List<String> of parameters.  False with *err = the §4 text when a
 * parameter contains a NUL byte.  With nul_terminated, every v[i] ends in
 * a NUL (copied into the heap when needed). */
bool db_params(Value list, bool nul_terminated, DbParams *out, const char **err);
void db_params_free(DbParams *p);

/* The SQL text: NUL-free (else *err = "SQL contains null byte"), as a
 * NUL-terminated pointer valid while `sql` is alive. */
const char *db_sql(Value sql, const char **err);

/* Trim trailing whitespace / newlines of a library message into buf. */
const char *db_trim_msg(const char *msg, char *buf, size_t cap);

#endif
