/* dbcore.c — chunks, decoding, the journal, the `query` event and
 * parameters for the database modules (see dbcore.h). */
#include "dbcore.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "gc.h"
#include "lib_util.h"
#include "map.h"
#include "proc.h"
#include "str.h"
#include "vals.h"
#include "xalloc.h"

/* ---- chunks ---------------------------------------------------------------------------- */

void dbbuf_free(DbBuf *b) {
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

void dbbuf_reset(DbBuf *b) { b->len = 0; }

static void put(DbBuf *b, const void *p, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n) cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->len, p, n);
    b->len += n;
}

void db_put_raw(DbBuf *b, const void *p, size_t n) { put(b, p, n); }

static void put_u8(DbBuf *b, char c) { put(b, &c, 1); }
static void put_u32(DbBuf *b, uint32_t v) { put(b, &v, 4); }
static void put_i64(DbBuf *b, int64_t v) { put(b, &v, 8); }

void db_put_cols(DbBuf *b, uint32_t ncols) {
    put_u8(b, 'C');
    put_u32(b, ncols);
}

void db_put_text(DbBuf *b, const char *p, size_t n) {
    if (n >= DB_NULL_CELL) n = DB_NULL_CELL - 1; /* a Snow string is < 4 GiB anyway */
    put_u32(b, (uint32_t)n);
    put(b, p, n);
}

void db_put_null(DbBuf *b) { put_u32(b, DB_NULL_CELL); }
void db_put_row(DbBuf *b) { put_u8(b, 'R'); }

void db_put_count(DbBuf *b, int64_t n) {
    put_u8(b, 'N');
    put_i64(b, n);
}

void db_put_error(DbBuf *b, const char *msg, size_t n) {
    put_u8(b, 'E');
    db_put_text(b, msg, n);
}

void db_put_end(DbBuf *b, int64_t us) {
    put_u8(b, 'Z');
    put_i64(b, us);
}

/* ---- decoding ------------------------------------------------------------------------- */

void dbd_init(DbDecode *d, DbWant want) {
    memset(d, 0, sizeof *d);
    d->want = want;
    d->err = v_unit();
    lb_init(&d->rows, 0);
}

void dbd_cols(DbDecode *d, uint32_t ncols) {
    d->ncols = ncols;
    d->keys = ncols ? val_scratch(ncols) : NULL;
    for (uint32_t i = 0; i < ncols; i++) d->keys[i] = str_empty();
}

void dbd_col(DbDecode *d, uint32_t i, const char *p, size_t n) {
    if (i < d->ncols) d->keys[i] = str_new(p, n);
}

void dbd_row(DbDecode *d, const char *const *cells, const uint32_t *lens) {
    d->nrows++;
    if (d->want != DB_ROWS) return;
    Value row = mapb_new(d->ncols, false);
    for (uint32_t i = 0; i < d->ncols; i++) {
        Value v = cells[i] ? str_new(cells[i], lens[i]) : str_empty();
        mapb_put(row, d->keys[i], v); /* a repeated name: first position, last value */
    }
    lb_push(&d->rows, row);
}

typedef struct Rd {
    const char *p, *end;
} Rd;

static bool rd(Rd *r, void *out, size_t n) {
    if ((size_t)(r->end - r->p) < n) return false;
    memcpy(out, r->p, n);
    r->p += n;
    return true;
}

/* A text: *p / *n, or NULL for a NULL cell. */
static bool rd_text(Rd *r, const char **p, uint32_t *n) {
    uint32_t len;
    if (!rd(r, &len, 4)) return false;
    if (len == DB_NULL_CELL) {
        *p = NULL;
        *n = 0;
        return true;
    }
    if ((size_t)(r->end - r->p) < len) return false;
    *p = r->p;
    *n = len;
    r->p += len;
    return true;
}

bool dbd_chunk(DbDecode *d, const char *p, size_t n) {
    Rd r = {p, p + n};
    const char *small[16];
    uint32_t small_len[16];
    const char **cells = small;
    uint32_t *lens = small_len;
    bool ok = true;
    while (ok && r.p < r.end) {
        char tag = *r.p++;
        switch (tag) {
        case 'C': {
            uint32_t nc;
            if (!(ok = rd(&r, &nc, 4)) || nc > (uint32_t)(r.end - r.p) / 4) {
                ok = false;
                break;
            }
            dbd_cols(d, nc);
            for (uint32_t i = 0; ok && i < nc; i++) {
                const char *t;
                uint32_t tl;
                ok = rd_text(&r, &t, &tl) && t;
                if (ok) dbd_col(d, i, t, tl);
            }
            if (nc > 16 && cells == small) {
                cells = xmalloc(nc * sizeof *cells);
                lens = xmalloc(nc * sizeof *lens);
            }
            break;
        }
        case 'R':
            for (uint32_t i = 0; ok && i < d->ncols; i++) ok = rd_text(&r, &cells[i], &lens[i]);
            if (ok) dbd_row(d, cells, lens);
            break;
        case 'N': ok = rd(&r, &d->count, 8); d->has_count = ok; break;
        case 'E': {
            const char *t;
            uint32_t tl;
            ok = rd_text(&r, &t, &tl) && t;
            if (ok) d->err = str_new(t, tl);
            break;
        }
        case 'Z': ok = rd(&r, &d->us, 8); d->ended = ok; break;
        default: ok = false; break;
        }
    }
    if (cells != small) {
        free(cells);
        free(lens);
    }
    if (!ok) d->err = str_from_cstr("malformed database result in the journal");
    return ok;
}

Value dbd_result(DbDecode *d) {
    if (d->err.tag == T_STR) return val_err(d->err);
    switch (d->want) {
    case DB_ROWS: return val_ok(lb_finish(&d->rows));
    case DB_COUNT: return val_ok(v_int(d->count));
    default: return val_ok(v_unit());
    }
}

/* ---- the journal ------------------------------------------------------------------------ */

void db_note(int fd, int64_t res, const void *data, size_t len) {
    if (iolog_active()) iolog_note(IO_CALL, fd, res, data, len);
}

int64_t db_take(int fd, const char **data, size_t *len) {
    const void *p;
    int64_t r = iolog_take_data(IO_CALL, fd, &p, len);
    *data = p;
    if (iolog_active()) iolog_note(IO_CALL, fd, r, p, *len); /* the replay's own events */
    return r;
}

/* ---- events ---------------------------------------------------------------------------- */

int64_t db_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void db_event(const char *db, const char *op, Value sql, int params, int64_t rows, Value err, int64_t us) {
    char ebuf[512];
    const char *e = NULL;
    if (err.tag == T_STR) {
        size_t n = str_len(err) < sizeof ebuf - 1 ? str_len(err) : sizeof ebuf - 1;
        memcpy(ebuf, str_data(err), n);
        ebuf[n] = 0;
        e = ebuf;
    }
    EvQuery q = {.db = db, .op = op, .params = params, .rows = e ? -1 : rows, .error = e, .us = us};
    Event ev = {.kind = EV_QUERY, .pid = proc_self_pid(), .other = EV_NOPID, .query = &q};
    if (sql.tag == T_STR) ev.text = str_cstr(sql);
    ev_emit(&ev);
}

void db_event_of(const char *db, const char *op, Value sql, int params, const DbDecode *d) {
    int64_t rows = d->want == DB_ROWS ? d->nrows : d->want == DB_COUNT ? d->count : -1;
    db_event(db, op, sql, params, rows, d->err, d->us);
}

/* ---- parameters ------------------------------------------------------------------------- */

bool db_params(Value list, bool nul_terminated, DbParams *out, const char **err) {
    size_t n = list_len(list);
    memset(out, 0, sizeof *out);
    if (n > 65535) {
        *err = "too many parameters";
        return false;
    }
    out->n = (uint32_t)n;
    if (!n) return true;
    /* on the process heap, not malloc: a process killed while its statement
     * waits leaks nothing (the pointers on our stack keep them alive) */
    out->v = (const char **)((char *)gc_alloc(sizeof(Obj) + n * sizeof *out->v, OK_RAW) + sizeof(Obj));
    out->len = (uint32_t *)((char *)gc_alloc(sizeof(Obj) + n * sizeof *out->len, OK_RAW) + sizeof(Obj));
    out->keep = val_scratch((uint32_t)n); /* interior pointer on our stack: alive */
    Value *items = list_items(list);
    for (size_t i = 0; i < n; i++) {
        Value s = items[i];
        lib_need(s, T_STR, "query parameters", (int)i + 1);
        const char *p = str_data(s);
        size_t len = str_len(s);
        if (memchr(p, 0, len)) {
            *err = "parameter contains null byte";
            return false;
        }
        if (nul_terminated && AS_STR(s)->buf) { /* a view into a buffer: copy, inline strings end in NUL */
            s = str_new(p, len);
            p = str_data(s);
        }
        out->keep[i] = s;
        out->v[i] = p;
        out->len[i] = (uint32_t)len;
    }
    return true;
}

void db_params_free(DbParams *p) {
    p->v = NULL;
    p->len = NULL;
}

const char *db_sql(Value sql, const char **err) {
    if (memchr(str_data(sql), 0, str_len(sql))) {
        *err = "SQL contains null byte";
        return NULL;
    }
    return str_cstr(sql);
}

const char *db_trim_msg(const char *msg, char *buf, size_t cap) {
    if (!msg) msg = "";
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' ' || msg[n - 1] == '\r' || msg[n - 1] == '\t')) n--;
    if (n >= cap) n = cap - 1;
    memcpy(buf, msg, n);
    buf[n] = 0;
    return buf;
}
