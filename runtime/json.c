/* json.c — JSON parsing, encoding, deriving(Json) decoding and
 * deriving(Row) decoding (see json.h; stdlib.md §13–14).
 *
 * The parser follows serde_json's control flow step by step so that its
 * error messages and positions are the same: `error` reports the position
 * of the last consumed byte, `peek_error` that of the next byte (columns are
 * bytes since the last newline, 1-based; EOF errors report the end). */
#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "gc.h"
#include "list.h"
#include "map.h"
#include "rt.h"
#include "str.h"
#include "vals.h"
#include "xalloc.h"

Value json_wrap(int kind, Value v) {
    JsonObj *j = gc_alloc(sizeof(JsonObj), OK_JSON);
    j->h.xflags = (uint16_t)kind;
    j->v = v;
    return v_obj(T_JSON, j);
}

/* ---- parser --------------------------------------------------------------- */

typedef struct P {
    const unsigned char *s;
    size_t n, i;
    char *err;
    size_t errlen;
} P;

static bool fail_at(P *p, size_t idx, const char *msg) {
    size_t sol = 0, line = 1;
    for (size_t k = 0; k < idx && k < p->n; k++)
        if (p->s[k] == '\n') { line++; sol = k + 1; }
    snprintf(p->err, p->errlen, "%s at line %zu column %zu", msg, line, idx - sol);
    return false;
}
static bool error(P *p, const char *msg) { return fail_at(p, p->i, msg); }
static bool peek_error(P *p, const char *msg) { return fail_at(p, p->i + 1 < p->n ? p->i + 1 : p->n, msg); }

static int ws(P *p) {
    while (p->i < p->n) {
        unsigned char c = p->s[p->i];
        if (c != ' ' && c != '\n' && c != '\t' && c != '\r') return c;
        p->i++;
    }
    return -1;
}

static bool ident(P *p, const char *rest) {
    for (; *rest; rest++) {
        if (p->i >= p->n) return error(p, "EOF while parsing a value");
        if (p->s[p->i++] != (unsigned char)*rest) return error(p, "expected ident");
    }
    return true;
}

static inline bool isdig(int c) { return c >= '0' && c <= '9'; }

static bool parse_number(P *p, bool positive, Value *out) {
    size_t start = positive ? p->i : p->i - 1;
    if (p->i >= p->n) return error(p, "EOF while parsing a value");
    int c = p->s[p->i++];
    if (c == '0') {
        if (p->i < p->n && isdig(p->s[p->i])) return peek_error(p, "invalid number");
    } else if (c >= '1' && c <= '9') {
        while (p->i < p->n && isdig(p->s[p->i])) p->i++;
    } else {
        return error(p, "invalid number");
    }
    bool is_float = false;
    if (p->i < p->n && p->s[p->i] == '.') {
        p->i++;
        if (p->i >= p->n) return peek_error(p, "EOF while parsing a value");
        if (!isdig(p->s[p->i])) return peek_error(p, "invalid number");
        while (p->i < p->n && isdig(p->s[p->i])) p->i++;
        is_float = true;
    }
    if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
        p->i++;
        if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-')) p->i++;
        if (p->i >= p->n) return error(p, "EOF while parsing a value");
        if (!isdig(p->s[p->i++])) return error(p, "invalid number");
        while (p->i < p->n && isdig(p->s[p->i])) p->i++;
        is_float = true;
    }
    size_t len = p->i - start;
    char tmp[64], *buf = len < sizeof tmp ? tmp : xmalloc(len + 1);
    memcpy(buf, p->s + start, len);
    buf[len] = 0;
    if (!is_float) {
        /* an integer: Int when it fits, else a Float (serde: u64/i64/f64) */
        uint64_t u = 0;
        bool over = false;
        for (size_t k = positive ? 0 : 1; k < len; k++) {
            unsigned d = (unsigned)(buf[k] - '0');
            if (u > (UINT64_MAX - d) / 10) { over = true; break; }
            u = u * 10 + d;
        }
        if (!over && positive && u <= INT64_MAX) {
            *out = json_wrap(J_INT, v_int((int64_t)u));
        } else if (!over && !positive && u != 0 && u <= (uint64_t)INT64_MAX + 1) {
            *out = json_wrap(J_INT, v_int((int64_t)(0 - u)));
        } else {
            double d = strtod(buf, NULL); /* "-0" is -0.0, as in serde_json */
            if (isinf(d)) {
                if (buf != tmp) free(buf);
                return error(p, "number out of range");
            }
            *out = json_wrap(J_FLOAT, v_float(d));
        }
    } else {
        double d = strtod(buf, NULL);
        if (isinf(d)) {
            if (buf != tmp) free(buf);
            return error(p, "number out of range");
        }
        *out = json_wrap(J_FLOAT, v_float(d));
    }
    if (buf != tmp) free(buf);
    return true;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static bool hex4(P *p, unsigned *out) {
    if (p->n - p->i < 4) {
        p->i = p->n;
        return error(p, "EOF while parsing a string");
    }
    unsigned v = 0;
    bool bad = false;
    for (int k = 0; k < 4; k++) {
        int h = hexval(p->s[p->i + k]);
        if (h < 0) bad = true;
        v = v * 16 + (unsigned)(h < 0 ? 0 : h);
    }
    p->i += 4;
    if (bad) return error(p, "invalid escape");
    *out = v;
    return true;
}

static void put_utf8(SB *b, unsigned c) {
    char t[4];
    if (c < 0x80) { sb_putc(b, (char)c); return; }
    if (c < 0x800) { t[0] = (char)(0xC0 | (c >> 6)); t[1] = (char)(0x80 | (c & 0x3F)); sb_put(b, t, 2); return; }
    if (c < 0x10000) {
        t[0] = (char)(0xE0 | (c >> 12)); t[1] = (char)(0x80 | ((c >> 6) & 0x3F)); t[2] = (char)(0x80 | (c & 0x3F));
        sb_put(b, t, 3);
        return;
    }
    t[0] = (char)(0xF0 | (c >> 18)); t[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    t[2] = (char)(0x80 | ((c >> 6) & 0x3F)); t[3] = (char)(0x80 | (c & 0x3F));
    sb_put(b, t, 4);
}

static bool valid_utf8(const unsigned char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) { i++; continue; }
        size_t len;
        unsigned min;
        if ((c & 0xE0) == 0xC0) { len = 2; min = 0x80; c &= 0x1F; }
        else if ((c & 0xF0) == 0xE0) { len = 3; min = 0x800; c &= 0x0F; }
        else if ((c & 0xF8) == 0xF0) { len = 4; min = 0x10000; c &= 0x07; }
        else return false;
        if (i + len > n) return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return false;
            c = (c << 6) | (s[i + k] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return false;
        i += len;
    }
    return true;
}

/* After the opening quote. */
static bool parse_string(P *p, Value *out) {
    SB b;
    sb_init(&b);
    size_t start = p->i;
    for (;;) {
        while (p->i < p->n && p->s[p->i] != '"' && p->s[p->i] != '\\' && p->s[p->i] >= 0x20) p->i++;
        if (p->i >= p->n) { sb_free(&b); return error(p, "EOF while parsing a string"); }
        unsigned char c = p->s[p->i];
        if (c == '"') {
            sb_put(&b, (const char *)p->s + start, p->i - start);
            p->i++;
            if (!valid_utf8((const unsigned char *)b.p, b.len)) { sb_free(&b); return error(p, "invalid unicode code point"); }
            *out = sb_finish(&b);
            return true;
        }
        if (c < 0x20) {
            p->i++;
            sb_free(&b);
            return error(p, "control character (\\u0000-\\u001F) found while parsing a string");
        }
        /* backslash */
        sb_put(&b, (const char *)p->s + start, p->i - start);
        p->i++;
        if (p->i >= p->n) { sb_free(&b); return error(p, "EOF while parsing a string"); }
        unsigned char e = p->s[p->i++];
        switch (e) {
        case '"': sb_putc(&b, '"'); break;
        case '\\': sb_putc(&b, '\\'); break;
        case '/': sb_putc(&b, '/'); break;
        case 'b': sb_putc(&b, '\b'); break;
        case 'f': sb_putc(&b, '\f'); break;
        case 'n': sb_putc(&b, '\n'); break;
        case 'r': sb_putc(&b, '\r'); break;
        case 't': sb_putc(&b, '\t'); break;
        case 'u': {
            unsigned u;
            if (!hex4(p, &u)) { sb_free(&b); return false; }
            if (u >= 0xDC00 && u <= 0xDFFF) { sb_free(&b); return error(p, "lone leading surrogate in hex escape"); }
            if (u >= 0xD800 && u <= 0xDBFF) {
                if (p->i >= p->n) { sb_free(&b); return error(p, "EOF while parsing a string"); }
                if (p->s[p->i] != '\\') { p->i++; sb_free(&b); return error(p, "unexpected end of hex escape"); }
                p->i++;
                if (p->i >= p->n) { sb_free(&b); return error(p, "EOF while parsing a string"); }
                if (p->s[p->i] != 'u') { p->i++; sb_free(&b); return error(p, "unexpected end of hex escape"); }
                p->i++;
                unsigned u2;
                if (!hex4(p, &u2)) { sb_free(&b); return false; }
                if (u2 < 0xDC00 || u2 > 0xDFFF) { sb_free(&b); return error(p, "lone leading surrogate in hex escape"); }
                u = (((u - 0xD800) << 10) | (u2 - 0xDC00)) + 0x10000;
            }
            put_utf8(&b, u);
            break;
        }
        default:
            sb_free(&b);
            return error(p, "invalid escape");
        }
        start = p->i;
    }
}

typedef struct Frame {
    bool is_obj, first;
    ListBuilder lb; /* arrays */
    Value map;      /* objects (a fresh builder map) */
    Value key;      /* objects: the key whose value is being parsed */
} Frame;

bool json_parse_bytes(const char *text, size_t n, Value *out, char *err, size_t errlen) {
    P p = {(const unsigned char *)text, n, 0, err, errlen};
    Frame st[JSON_MAX_DEPTH];
    int depth = 0, remaining = JSON_MAX_DEPTH;
    Value v;
    int c;

parse_value:
    c = ws(&p);
    switch (c) {
    case -1: return peek_error(&p, "EOF while parsing a value");
    case 'n': p.i++; if (!ident(&p, "ull")) return false; v = json_wrap(J_NULL, v_unit()); break;
    case 't': p.i++; if (!ident(&p, "rue")) return false; v = json_wrap(J_BOOL, v_bool(true)); break;
    case 'f': p.i++; if (!ident(&p, "alse")) return false; v = json_wrap(J_BOOL, v_bool(false)); break;
    case '-': p.i++; if (!parse_number(&p, false, &v)) return false; break;
    case '"': {
        p.i++;
        Value s;
        if (!parse_string(&p, &s)) return false;
        v = json_wrap(J_STRING, s);
        break;
    }
    case '[':
    case '{':
        if (--remaining == 0) return peek_error(&p, "recursion limit exceeded");
        p.i++;
        st[depth].is_obj = c == '{';
        st[depth].first = true;
        st[depth].lb.buf = NULL;
        st[depth].map = st[depth].key = v_unit();
        if (c == '{') st[depth].map = mapb_new(4, false);
        depth++;
        if (c == '{') goto object_next;
        goto array_next;
    default:
        if (isdig(c)) { if (!parse_number(&p, true, &v)) return false; break; }
        return peek_error(&p, "expected value");
    }

got_value:
    if (depth == 0) {
        if (ws(&p) != -1) return peek_error(&p, "trailing characters");
        *out = v;
        return true;
    }
    if (st[depth - 1].is_obj) {
        mapb_put(st[depth - 1].map, st[depth - 1].key, v);
        goto object_next;
    }
    lb_push(&st[depth - 1].lb, v);
    /* fall through */

array_next: {
    Frame *f = &st[depth - 1];
    c = ws(&p);
    if (c == ']') {
        p.i++;
        v = json_wrap(J_ARRAY, lb_finish(&f->lb));
        depth--;
        remaining++;
        goto got_value;
    }
    if (c == ',' && !f->first) {
        p.i++;
        c = ws(&p);
    } else if (c != -1) {
        if (f->first) f->first = false;
        else return peek_error(&p, "expected `,` or `]`");
    } else {
        return peek_error(&p, "EOF while parsing a list");
    }
    if (c == ']') return peek_error(&p, "trailing comma");
    if (c == -1) return peek_error(&p, "EOF while parsing a value");
    goto parse_value;
}

object_next: {
    Frame *f = &st[depth - 1];
    c = ws(&p);
    if (c == '}') {
        p.i++;
        v = json_wrap(J_OBJECT, f->map);
        depth--;
        remaining++;
        goto got_value;
    }
    if (c == ',' && !f->first) {
        p.i++;
        c = ws(&p);
    } else if (c != -1) {
        if (f->first) f->first = false;
        else return peek_error(&p, "expected `,` or `}`");
    } else {
        return peek_error(&p, "EOF while parsing an object");
    }
    if (c == '}') return peek_error(&p, "trailing comma");
    if (c == -1) return peek_error(&p, "EOF while parsing a value");
    if (c != '"') return peek_error(&p, "key must be a string");
    p.i++;
    if (!parse_string(&p, &f->key)) return false;
    c = ws(&p);
    if (c == -1) return peek_error(&p, "EOF while parsing an object");
    if (c != ':') return peek_error(&p, "expected `:`");
    p.i++;
    goto parse_value;
}
}

Value json_parse(Value text) {
    char err[160];
    Value out;
    if (json_parse_bytes(str_data(text), str_len(text), &out, err, sizeof err)) return val_ok(out);
    return val_err_cstr(err);
}

/* ---- encoder -------------------------------------------------------------- */

void json_put_string(SB *b, const char *p, size_t n) {
    static const char hex[] = "0123456789abcdef";
    sb_putc(b, '"');
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        sb_put(b, p + start, i - start);
        start = i + 1;
        switch (c) {
        case '"': sb_put(b, "\\\"", 2); break;
        case '\\': sb_put(b, "\\\\", 2); break;
        case '\b': sb_put(b, "\\b", 2); break;
        case '\f': sb_put(b, "\\f", 2); break;
        case '\n': sb_put(b, "\\n", 2); break;
        case '\r': sb_put(b, "\\r", 2); break;
        case '\t': sb_put(b, "\\t", 2); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            sb_put(b, u, 6);
        }
        }
    }
    sb_put(b, p + start, n - start);
    sb_putc(b, '"');
}

void json_put_float(SB *b, double d) {
    if (isnan(d) || isinf(d)) { sb_put(b, "null", 4); return; }
    if (signbit(d)) sb_putc(b, '-');
    if (d == 0) { sb_put(b, "0.0", 3); return; }
    char dg[24];
    int e;
    int n = fmt_float_digits(d, dg, &e);
    int kk = e + 1, k = kk - n; /* ryu's layout rules */
    if (k >= 0 && kk <= 16) {
        sb_put(b, dg, (size_t)n);
        for (int i = 0; i < k; i++) sb_putc(b, '0');
        sb_put(b, ".0", 2);
    } else if (kk > 0 && kk <= 16) {
        sb_put(b, dg, (size_t)kk);
        sb_putc(b, '.');
        sb_put(b, dg + kk, (size_t)(n - kk));
    } else if (kk > -5 && kk <= 0) {
        sb_put(b, "0.", 2);
        for (int i = 0; i < -kk; i++) sb_putc(b, '0');
        sb_put(b, dg, (size_t)n);
    } else {
        sb_putc(b, dg[0]);
        if (n > 1) {
            sb_putc(b, '.');
            sb_put(b, dg + 1, (size_t)(n - 1));
        }
        sb_printf(b, "e%d", kk - 1);
    }
}

/* Sorted object members: key bytes + value.  Encoding never allocates in the
 * GC heap and never runs Snow code, so no collection can happen while these
 * malloc'd arrays hold Values (all reachable from the encoded value). */
typedef struct Member {
    const char *k;
    size_t klen;
    char *owned; /* malloc'd key text for non-String keys */
    Value v;
} Member;

static int member_cmp(const void *a, const void *b) {
    const Member *x = a, *y = b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->k, y->k, n);
    if (c) return c;
    return x->klen < y->klen ? -1 : x->klen > y->klen;
}

enum { E_TEXT, E_VAL, E_SEQ, E_OBJ };

typedef struct ETask {
    uint8_t kind;
    uint32_t i, n;
    Value v;
    const char *s;
    Member *m; /* E_OBJ: owned array */
} ETask;

typedef struct ETasks {
    ETask *t;
    size_t n, cap;
} ETasks;

static ETask *epush(ETasks *ts, uint8_t kind) {
    if (ts->n == ts->cap) {
        ts->cap = ts->cap ? ts->cap * 2 : 32;
        ts->t = xrealloc(ts->t, ts->cap * sizeof(ETask));
    }
    ETask *t = &ts->t[ts->n++];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    return t;
}

static void push_obj(ETasks *ts, Member *m, uint32_t n) {
    qsort(m, n, sizeof(Member), member_cmp);
    ETask *t = epush(ts, E_OBJ);
    t->m = m;
    t->n = n;
}

static void encode_value(SB *b, ETasks *ts, Value v) {
    switch (v.tag) {
    case T_UNIT: sb_put(b, "null", 4); return;
    case T_BOOL: sb_puts(b, v.i ? "true" : "false"); return;
    case T_INT: sb_put_int(b, v.i); return;
    case T_FLOAT: json_put_float(b, v.f); return;
    case T_STR: json_put_string(b, str_data(v), str_len(v)); return;
    case T_LIST: case T_QUEUE: case T_TUPLE: {
        sb_putc(b, '[');
        epush(ts, E_TEXT)->s = "]";
        ETask *t = epush(ts, E_SEQ);
        t->v = v;
        return;
    }
    case T_SET: {
        sb_putc(b, '[');
        epush(ts, E_TEXT)->s = "]";
        ETask *t = epush(ts, E_SEQ);
        t->v = v;
        return;
    }
    case T_MAP: {
        uint32_t n = (uint32_t)map_size(v);
        Member *m = xcalloc(n ? n : 1, sizeof(Member));
        MapIter it;
        Value k, val;
        uint32_t i = 0;
        map_iter_init(&it, v);
        while (map_iter_next(&it, &k, &val)) {
            if (k.tag == T_STR) {
                m[i].k = str_data(k);
                m[i].klen = str_len(k);
            } else {
                SB kb;
                sb_init(&kb);
                fmt_display(&kb, k);
                m[i].owned = xmalloc(kb.len + 1);
                memcpy(m[i].owned, kb.p, kb.len);
                m[i].k = m[i].owned;
                m[i].klen = kb.len;
                sb_free(&kb);
            }
            m[i].v = val;
            i++;
        }
        sb_putc(b, '{');
        epush(ts, E_TEXT)->s = "}";
        push_obj(ts, m, i);
        return;
    }
    case T_STRUCT: {
        const TypeDesc *td = AS_STRUCT(v)->type;
        Member *m = xcalloc(td->nfields ? td->nfields : 1, sizeof(Member));
        for (uint32_t i = 0; i < td->nfields; i++) {
            m[i].k = td->field_names[i];
            m[i].klen = strlen(td->field_names[i]);
            m[i].v = AS_STRUCT(v)->fields[i];
        }
        sb_putc(b, '{');
        epush(ts, E_TEXT)->s = "}";
        push_obj(ts, m, td->nfields);
        return;
    }
    case T_VARIANT: {
        VariantObj *o = AS_VARIANT(v);
        if (o->type == &td_option) {
            if (o->idx == OPT_NONE) sb_put(b, "null", 4);
            else epush(ts, E_VAL)->v = o->fields[0];
            return;
        }
        sb_put(b, "{\"fields\":[", 11);
        /* pushed in reverse: the tag, "]," then the fields */
        epush(ts, E_TEXT)->s = "}";
        ETask *tag = epush(ts, E_TEXT);
        tag->s = o->type->variants[o->idx].name;
        tag->i = 1; /* 1 = emit as a JSON string */
        epush(ts, E_TEXT)->s = "],\"tag\":";
        ETask *t = epush(ts, E_SEQ);
        t->v = v;
        return;
    }
    case T_JSON:
        epush(ts, E_VAL)->v = AS_JSON(v)->v;
        return;
    case T_RANGE:
        sb_printf(b, "{\"end\":%lld,\"start\":%lld}", (long long)AS_RANGE(v)->end, (long long)AS_RANGE(v)->start);
        return;
    default: /* not serializable (pids, functions, handles) */
        sb_put(b, "null", 4);
        return;
    }
}

void json_encode_sb(SB *b, Value v) {
    ETasks ts = {0};
    epush(&ts, E_VAL)->v = v;
    while (ts.n) {
        ETask *t = &ts.t[ts.n - 1];
        switch (t->kind) {
        case E_TEXT:
            ts.n--;
            if (t->i) json_put_string(b, t->s, strlen(t->s));
            else sb_puts(b, t->s);
            break;
        case E_VAL: {
            Value v = t->v;
            ts.n--;
            encode_value(b, &ts, v);
            break;
        }
        case E_SEQ: {
            Value v = t->v;
            const Value *items = NULL;
            size_t n = 0;
            Value k;
            if (v.tag == T_TUPLE) { items = AS_TUPLE(v)->items; n = AS_TUPLE(v)->n; }
            else if (v.tag == T_VARIANT) { items = AS_VARIANT(v)->fields; n = AS_VARIANT(v)->n; }
            else if (v.tag == T_SET) {
                MapIter it = {AS_MAP(v), t->i};
                if (!map_iter_next(&it, &k, NULL)) { ts.n--; break; }
                if (t->n++) sb_putc(b, ',');
                t->i = it.i;
                epush(&ts, E_VAL)->v = k;
                break;
            } else if (v.o) { items = list_items(v); n = list_len(v); }
            if (t->i >= n) { ts.n--; break; }
            uint32_t i = t->i++;
            if (i) sb_putc(b, ',');
            epush(&ts, E_VAL)->v = items[i];
            break;
        }
        case E_OBJ: {
            if (t->i >= t->n) {
                for (uint32_t i = 0; i < t->n; i++) free(t->m[i].owned);
                free(t->m);
                ts.n--;
                break;
            }
            uint32_t i = t->i++;
            Member *m = &t->m[i];
            if (i) sb_putc(b, ',');
            json_put_string(b, m->k, m->klen);
            sb_putc(b, ':');
            epush(&ts, E_VAL)->v = m->v;
            break;
        }
        }
    }
    free(ts.t);
}

Value json_encode(Value v) {
    SB b;
    sb_init(&b);
    json_encode_sb(&b, v);
    return sb_finish(&b);
}

Value json_encode_string(Value s) {
    SB b;
    sb_init(&b);
    json_put_string(&b, str_data(s), str_len(s));
    return sb_finish(&b);
}

Value json_encode_int(int64_t i) {
    SB b;
    sb_init(&b);
    sb_put_int(&b, i);
    return sb_finish(&b);
}

Value json_encode_bool(bool v) { return str_from_cstr(v ? "true" : "false"); }
Value json_encode_map(Value m) { return json_encode(m); }
Value json_encode_list(Value l) { return json_encode(l); }

/* ---- decoding by type (deriving(Json)) ------------------------------------ */

/* Type-parameter substitution: RK_PARAM i means args[i] of the innermost
 * enclosing RK_USER, itself resolved in its parent's context. */
typedef struct Ctx {
    const RtType **args;
    int nargs;
    const struct Ctx *parent;
} Ctx;

typedef struct Dec {
    char err[200];
} Dec;

static bool dfail(Dec *d, const char *fmt, const char *arg) {
    snprintf(d->err, sizeof d->err, fmt, arg);
    return false;
}

static bool member(Value obj, const char *name, Value *out) {
    return map_find(AS_JSON(obj)->v, str_from_cstr(name), out);
}

static int64_t trunc_to_int(double f) {
    if (isnan(f)) return 0;
    if (f >= 9223372036854775807.0) return INT64_MAX;
    if (f <= -9223372036854775808.0) return INT64_MIN;
    return (int64_t)f;
}

static bool decode(Dec *d, const RtType *t, const Ctx *ctx, Value j, Value *out);

static bool decode_user(Dec *d, const RtType *t, const Ctx *ctx, Value j, Value *out) {
    Ctx inner = {t->args, t->nargs, ctx};
    const TypeDesc *td = t->user;
    if (json_kind(j) != J_OBJECT) return dfail(d, "expected Object", NULL);
    if (td->kind == TD_STRUCT) {
        StructObj *s = gc_alloc(sizeof(StructObj) + (size_t)td->nfields * sizeof(Value), OK_STRUCT);
        s->type = td;
        for (uint32_t i = 0; i < td->nfields; i++) {
            Value m;
            if (!member(j, td->field_names[i], &m)) return dfail(d, "missing field: %s", td->field_names[i]);
            if (!decode(d, td->field_types[i], &inner, m, &s->fields[i])) return false;
        }
        *out = v_obj(T_STRUCT, s);
        return true;
    }
    Value tag, fields;
    if (!member(j, "tag", &tag)) return dfail(d, "missing field: tag", NULL);
    if (json_kind(tag) != J_STRING) return dfail(d, "expected String", NULL);
    uint32_t idx = 0;
    Value tname = AS_JSON(tag)->v;
    while (idx < td->nvariants && !str_eq_cstr(tname, td->variants[idx].name)) idx++;
    if (idx == td->nvariants) return dfail(d, "unknown variant for %s", td->name);
    VariantDesc *vd = &td->variants[idx];
    if (vd->nfields == 0) {
        *out = val_variant(td, idx, NULL);
        return true;
    }
    if (!member(j, "fields", &fields)) return dfail(d, "missing field: fields", NULL);
    if (json_kind(fields) != J_ARRAY) return dfail(d, "expected Array", NULL);
    Value arr = AS_JSON(fields)->v;
    size_t len = list_len(arr);
    if (len < vd->nfields) {
        snprintf(d->err, sizeof d->err, "array index %zu out of bounds (length %zu)", len, len);
        return false;
    }
    VariantObj *o = gc_alloc(sizeof(VariantObj) + (size_t)vd->nfields * sizeof(Value), OK_VARIANT);
    o->type = td;
    o->idx = idx;
    o->n = vd->nfields;
    for (uint32_t i = 0; i < vd->nfields; i++)
        if (!decode(d, vd->field_types[i], &inner, list_get(arr, i), &o->fields[i])) return false;
    *out = v_variant(o);
    return true;
}

static bool decode(Dec *d, const RtType *t, const Ctx *ctx, Value j, Value *out) {
    while (t->kind == RK_PARAM) {
        if (!ctx || t->param >= ctx->nargs) return dfail(d, "cannot decode a value of unknown type", NULL);
        t = ctx->args[t->param];
        ctx = ctx->parent;
    }
    int k = json_kind(j);
    Value jv = AS_JSON(j)->v;
    switch (t->kind) {
    case RK_INT:
        if (k == J_INT) { *out = jv; return true; }
        if (k == J_FLOAT) { *out = v_int(trunc_to_int(jv.f)); return true; }
        return dfail(d, "expected Int", NULL);
    case RK_FLOAT:
        if (k == J_FLOAT) { *out = jv; return true; }
        if (k == J_INT) { *out = v_float((double)jv.i); return true; }
        return dfail(d, "expected Float", NULL);
    case RK_BOOL:
        if (k == J_BOOL) { *out = jv; return true; }
        return dfail(d, "expected Bool", NULL);
    case RK_STRING:
        if (k == J_STRING) { *out = jv; return true; }
        return dfail(d, "expected String", NULL);
    case RK_UNIT:
        if (k == J_NULL) { *out = v_unit(); return true; }
        return dfail(d, "expected Unit", NULL);
    case RK_JSON:
        *out = j;
        return true;
    case RK_OPTION:
        if (k == J_NULL) { *out = val_none(); return true; }
        if (!decode(d, t->args[0], ctx, j, out)) return false;
        *out = val_some(*out);
        return true;
    case RK_LIST:
    case RK_SET: {
        if (k != J_ARRAY) return dfail(d, "expected Array", NULL);
        size_t n = list_len(jv);
        ListBuilder lb;
        lb_init(&lb, n);
        for (size_t i = 0; i < n; i++) {
            lb_push(&lb, v_unit());
            if (!decode(d, t->args[0], ctx, list_get(jv, i), &lb.buf->items[i])) return false;
        }
        *out = lb_finish(&lb);
        if (t->kind == RK_SET) *out = set_from_list(*out);
        return true;
    }
    case RK_TUPLE: {
        if (k != J_ARRAY) return dfail(d, "expected Array", NULL);
        size_t n = list_len(jv);
        if (n < (size_t)t->nargs) {
            snprintf(d->err, sizeof d->err, "array index %zu out of bounds (length %zu)", n, n);
            return false;
        }
        TupleObj *tu = gc_alloc(sizeof(TupleObj) + (size_t)t->nargs * sizeof(Value), OK_TUPLE);
        tu->n = (uint32_t)t->nargs;
        for (int i = 0; i < t->nargs; i++)
            if (!decode(d, t->args[i], ctx, list_get(jv, (size_t)i), &tu->items[i])) return false;
        *out = v_obj(T_TUPLE, tu);
        return true;
    }
    case RK_MAP: {
        if (k != J_OBJECT) return dfail(d, "expected Object", NULL);
        Value m = mapb_new(map_size(jv), false);
        MapIter it;
        Value key, val, dv;
        map_iter_init(&it, jv);
        while (map_iter_next(&it, &key, &val)) {
            if (!decode(d, t->args[1], ctx, val, &dv)) return false;
            mapb_put(m, key, dv);
        }
        *out = map_size(m) ? m : map_new();
        return true;
    }
    case RK_RESULT: {
        RtType user = {RK_USER, &td_result, 0, t->nargs, t->args};
        return decode_user(d, &user, ctx, j, out);
    }
    case RK_USER:
        return decode_user(d, t, ctx, j, out);
    default:
        return dfail(d, "cannot decode this type from JSON", NULL);
    }
}

Value json_decode(const RtType *t, Value json) {
    Dec d;
    Value out = v_unit();
    if (decode(&d, t, NULL, json, &out)) return val_ok(out);
    return val_err_cstr(d.err);
}

Value json_from_text(const RtType *t, Value text) {
    char err[160];
    Value j;
    if (!json_parse_bytes(str_data(text), str_len(text), &j, err, sizeof err)) return val_err_cstr(err);
    return json_decode(t, j);
}

/* ---- deriving(Row) --------------------------------------------------------- */

/* Unicode White_Space (the set String.trim removes), decoded from UTF-8. */
static size_t ws_len_at(const unsigned char *p, size_t n) {
    unsigned c = p[0];
    if (c == ' ' || (c >= 0x09 && c <= 0x0D)) return 1;
    if (c == 0xC2 && n >= 2 && (p[1] == 0x85 || p[1] == 0xA0)) return 2;
    if (c == 0xE1 && n >= 3 && p[1] == 0x9A && p[2] == 0x80) return 3;
    if (c == 0xE2 && n >= 3) {
        if (p[1] == 0x80 && ((p[2] >= 0x80 && p[2] <= 0x8A) || p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF)) return 3;
        if (p[1] == 0x81 && p[2] == 0x9F) return 3;
    }
    if (c == 0xE3 && n >= 3 && p[1] == 0x80 && p[2] == 0x80) return 3;
    return 0;
}

static void trim(const char **p, size_t *n) {
    const unsigned char *s = (const unsigned char *)*p;
    size_t len = *n, k;
    while (len && (k = ws_len_at(s, len))) { s += k; len -= k; }
    /* from the end: step back over UTF-8 continuation bytes */
    for (;;) {
        if (!len) break;
        size_t start = len - 1;
        while (start > 0 && (s[start] & 0xC0) == 0x80 && len - start < 3) start--;
        size_t cl = ws_len_at(s + start, len - start);
        if (cl && start + cl == len) len = start;
        else if (s[len - 1] == ' ' || (s[len - 1] >= 0x09 && s[len - 1] <= 0x0D)) len--;
        else break;
    }
    *p = (const char *)s;
    *n = len;
}

static bool parse_int_text(const char *p, size_t n, int64_t *out) {
    size_t i = 0;
    bool neg = false;
    if (i < n && (p[i] == '+' || p[i] == '-')) neg = p[i++] == '-';
    if (i == n) return false;
    uint64_t u = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < n; i++) {
        if (!isdig((unsigned char)p[i])) return false;
        unsigned d = (unsigned)(p[i] - '0');
        if (u > (lim - d) / 10) return false;
        u = u * 10 + d;
    }
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return true;
}

static bool ieq(const char *p, size_t n, const char *w) {
    size_t m = strlen(w);
    if (n != m) return false;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c + 32);
        if (c != w[i]) return false;
    }
    return true;
}

static bool parse_float_text(const char *p, size_t n, double *out) {
    size_t i = 0;
    bool neg = false;
    if (i < n && (p[i] == '+' || p[i] == '-')) neg = p[i++] == '-';
    const char *r = p + i;
    size_t rn = n - i;
    if (ieq(r, rn, "inf") || ieq(r, rn, "infinity")) { *out = neg ? -INFINITY : INFINITY; return true; }
    if (ieq(r, rn, "nan")) { *out = NAN; return true; }
    size_t digits = 0;
    while (i < n && isdig((unsigned char)p[i])) { i++; digits++; }
    if (i < n && p[i] == '.') {
        i++;
        while (i < n && isdig((unsigned char)p[i])) { i++; digits++; }
    }
    if (!digits) return false;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-')) i++;
        size_t ed = 0;
        while (i < n && isdig((unsigned char)p[i])) { i++; ed++; }
        if (!ed) return false;
    }
    if (i != n) return false;
    char tmp[128], *buf = n < sizeof tmp ? tmp : xmalloc(n + 1);
    memcpy(buf, p, n);
    buf[n] = 0;
    *out = strtod(buf, NULL);
    if (buf != tmp) free(buf);
    return true;
}

/* Parse a column text as a scalar of kind rk; false + message on failure. */
static bool row_scalar(RtKind rk, Value text, Value *out, char *err, size_t errlen) {
    const char *p = str_data(text);
    size_t n = str_len(text);
    if (rk == RK_STRING) { *out = text; return true; }
    trim(&p, &n);
    const char *what = "Int";
    switch (rk) {
    case RK_INT: {
        int64_t i;
        if (parse_int_text(p, n, &i)) { *out = v_int(i); return true; }
        break;
    }
    case RK_FLOAT: {
        double d;
        what = "Float";
        if (parse_float_text(p, n, &d)) { *out = v_float(d); return true; }
        break;
    }
    case RK_BOOL:
        what = "Bool";
        if (ieq(p, n, "true") || ieq(p, n, "t") || ieq(p, n, "1") || ieq(p, n, "yes")) { *out = v_bool(true); return true; }
        if (ieq(p, n, "false") || ieq(p, n, "f") || ieq(p, n, "0") || ieq(p, n, "no")) { *out = v_bool(false); return true; }
        break;
    default:
        snprintf(err, errlen, "cannot map this field from a database row");
        return false;
    }
    snprintf(err, errlen, "cannot parse '%.*s' as %s", (int)(n > 100 ? 100 : n), p, what);
    return false;
}

Value row_decode(const TypeDesc *td, Value row) {
    char err[200];
    StructObj *s = gc_alloc(sizeof(StructObj) + (size_t)td->nfields * sizeof(Value), OK_STRUCT);
    s->type = td;
    for (uint32_t i = 0; i < td->nfields; i++) {
        const RtType *ft = td->field_types[i];
        bool opt = ft->kind == RK_OPTION;
        RtKind inner = opt ? ft->args[0]->kind : ft->kind;
        Value text;
        if (!map_find(row, str_from_cstr(td->field_names[i]), &text)) {
            if (opt) { s->fields[i] = val_none(); continue; }
            snprintf(err, sizeof err, "missing column: %s", td->field_names[i]);
            return val_err_cstr(err);
        }
        if (opt && str_len(text) == 0) { s->fields[i] = val_none(); continue; }
        Value v;
        if (!row_scalar(inner, text, &v, err, sizeof err)) return val_err_cstr(err);
        s->fields[i] = opt ? val_some(v) : v;
    }
    return val_ok(v_obj(T_STRUCT, s));
}
