/* fmt.c — Display and Debug text of values (see fmt.h for the rules).
 *
 * Formatting runs on an explicit task stack: a task is a piece of literal
 * text, a value to format, or a cursor over the elements of a compound
 * value (list, tuple, fields, map, set).  Cursors re-push themselves one
 * element at a time, so the stack holds O(depth) tasks, never O(size), and
 * no depth touches the C stack. */
#include "fmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "list.h"
#include "map.h"
#include "rt.h"
#include "str.h"
#include "vals.h"
#include "xalloc.h"

/* ---- floats (language.md §6.3) -------------------------------------------- */

static bool round_trips(double d, int p, char *buf, size_t n) {
    snprintf(buf, n, "%.*e", p - 1, d);
    return strtod(buf, NULL) == d;
}

int fmt_float_digits(double d, char digits[24], int *exp10) {
    char buf[48];
    d = fabs(d);
    int nd = 0;
    if (d < 9007199254740992.0 && d == floor(d)) {
        /* integral: exact digits, trailing zeros dropped */
        char tmp[24];
        int n = snprintf(tmp, sizeof tmp, "%.0f", d);
        *exp10 = n - 1;
        while (n > 1 && tmp[n - 1] == '0') n--;
        memcpy(digits, tmp, (size_t)n);
        digits[n] = 0;
        return n;
    }
    /* the shortest precision that round-trips; round-tripping is monotonic
     * in the precision, so binary search */
    int lo = 1, hi = 17;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (round_trips(d, mid, buf, sizeof buf)) hi = mid;
        else lo = mid + 1;
    }
    snprintf(buf, sizeof buf, "%.*e", lo - 1, d);
    const char *p = buf;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9') digits[nd++] = *p;
    *exp10 = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0') nd--;
    digits[nd] = 0;
    return nd;
}

void fmt_float(SB *b, double d) {
    if (isnan(d)) { sb_put(b, "NaN", 3); return; }
    if (isinf(d)) { sb_puts(b, d < 0 ? "-inf" : "inf"); return; }
    if (signbit(d)) sb_putc(b, '-');
    if (d == 0) { sb_putc(b, '0'); return; }
    char dg[24];
    int e;
    int n = fmt_float_digits(d, dg, &e);
    if (e >= n - 1) {
        sb_put(b, dg, (size_t)n);
        for (int i = 0; i < e - n + 1; i++) sb_putc(b, '0');
    } else if (e >= 0) {
        sb_put(b, dg, (size_t)e + 1);
        sb_putc(b, '.');
        sb_put(b, dg + e + 1, (size_t)(n - e - 1));
    } else {
        sb_put(b, "0.", 2);
        for (int i = 0; i < -e - 1; i++) sb_putc(b, '0');
        sb_put(b, dg, (size_t)n);
    }
}

void fmt_int(SB *b, int64_t i) { sb_put_int(b, i); }

/* ---- the task stack ------------------------------------------------------- */

enum {
    K_TEXT,    /* s */
    K_VAL,     /* v, Display rule */
    K_SEQ,     /* v list/queue/tuple, i: next element */
    K_FIELDS,  /* v struct/variant payload, i: next field, "a, b" */
    K_DFIELDS, /* v struct, i: next field, "x: a, y: b" */
    K_MAP,     /* v map/set, i: iterator position, first: no separator yet */
};

typedef struct Task {
    uint8_t kind;
    uint8_t first;
    uint32_t i;
    Value v;
    const char *s;
} Task;

typedef struct Tasks {
    Task *t;
    size_t n, cap;
    Task small[48];
} Tasks;

static void tpush(Tasks *ts, uint8_t kind, Value v, uint32_t i, const char *s) {
    if (ts->n == ts->cap) {
        size_t cap = ts->cap * 2;
        Task *p = ts->t == ts->small ? xmalloc(cap * sizeof(Task)) : xrealloc(ts->t, cap * sizeof(Task));
        if (ts->t == ts->small) memcpy(p, ts->small, sizeof ts->small);
        ts->t = p;
        ts->cap = cap;
    }
    Task *t = &ts->t[ts->n++];
    t->kind = kind;
    t->first = 1;
    t->i = i;
    t->v = v;
    t->s = s;
}
static inline void ttext(Tasks *ts, const char *s) { tpush(ts, K_TEXT, v_unit(), 0, s); }

static inline bool has_fn(Value f) { return f.tag == T_FUNC; }

static void put_user_string(SB *b, Value fn, Value v) {
    Value s = rt_apply(fn, 1, &v);
    if (s.tag == T_STR) sb_put_str(b, s);
}

static void put_pid(SB *b, uint64_t p) {
    if (pid_node(p) == 0) sb_printf(b, "<0.%llu>", (unsigned long long)pid_serial(p));
    else sb_printf(b, "<%u.%llu.%u>", pid_node(p), (unsigned long long)pid_serial(p), pid_creation(p));
}

/* Debug text of a struct: `Name { f: v, ... }` / `Name {}`. */
static void struct_debug(SB *b, Tasks *ts, Value v) {
    const TypeDesc *td = AS_STRUCT(v)->type;
    sb_puts(b, td->name);
    if (td->nfields == 0) { sb_put(b, " {}", 3); return; }
    sb_put(b, " { ", 3);
    ttext(ts, " }");
    tpush(ts, K_DFIELDS, v, 0, NULL);
}

/* Format one value (Display rule), pushing tasks for its parts. */
static void fmt_value(SB *b, Tasks *ts, Value v) {
    switch (v.tag) {
    case T_UNIT: sb_put(b, "()", 2); break;
    case T_BOOL: sb_puts(b, v.i ? "true" : "false"); break;
    case T_INT: sb_put_int(b, v.i); break;
    case T_FLOAT: fmt_float(b, v.f); break;
    case T_STR: sb_put_str(b, v); break;
    case T_PID: put_pid(b, v.u); break;
    case T_REF: sb_printf(b, "#Ref<%llu>", (unsigned long long)v.u); break;
    case T_LIST:
        sb_putc(b, '[');
        ttext(ts, "]");
        tpush(ts, K_SEQ, v, 0, NULL);
        break;
    case T_QUEUE:
        sb_put(b, "Queue[", 6);
        ttext(ts, "]");
        tpush(ts, K_SEQ, v, 0, NULL);
        break;
    case T_TUPLE:
        sb_putc(b, '(');
        ttext(ts, ")");
        tpush(ts, K_SEQ, v, 0, NULL);
        break;
    case T_MAP:
        sb_put(b, "%{", 2);
        ttext(ts, "}");
        tpush(ts, K_MAP, v, 0, NULL);
        break;
    case T_SET:
        sb_put(b, "#{", 2);
        ttext(ts, "}");
        tpush(ts, K_MAP, v, 0, NULL);
        break;
    case T_RANGE: sb_printf(b, "%lld..%lld", (long long)AS_RANGE(v)->start, (long long)AS_RANGE(v)->end); break;
    case T_FUNC: sb_put(b, "<fn>", 4); break;
    case T_JSON: json_encode_sb(b, v); break;
    case T_HANDLE: {
        const HandleClass *c = AS_HANDLE(v)->cls;
        sb_printf(b, "#Handle<%s>", c && c->name ? c->name : "?");
        break;
    }
    case T_STRUCT: {
        const TypeDesc *td = AS_STRUCT(v)->type;
        if (has_fn(td->to_string_fn)) { put_user_string(b, td->to_string_fn, v); break; }
        if (!(td->derives & D_DISPLAY)) { struct_debug(b, ts, v); break; }
        sb_puts(b, td->name);
        sb_putc(b, '(');
        ttext(ts, ")");
        tpush(ts, K_FIELDS, v, 0, NULL);
        break;
    }
    case T_VARIANT: {
        VariantObj *o = AS_VARIANT(v);
        const TypeDesc *td = o->type;
        if (has_fn(td->to_string_fn)) { put_user_string(b, td->to_string_fn, v); break; }
        sb_puts(b, td->variants[o->idx].name);
        if (o->n == 0) break;
        if (!(td->derives & D_DISPLAY)) { sb_put(b, "(...)", 5); break; }
        sb_putc(b, '(');
        ttext(ts, ")");
        tpush(ts, K_FIELDS, v, 0, NULL);
        break;
    }
    default: sb_put(b, "<?>", 3); break;
    }
}

static void run(SB *b, Tasks *ts) {
    while (ts->n) {
        Task *t = &ts->t[ts->n - 1];
        switch (t->kind) {
        case K_TEXT:
            ts->n--;
            sb_puts(b, t->s);
            break;
        case K_VAL: {
            Value v = t->v;
            ts->n--;
            fmt_value(b, ts, v);
            break;
        }
        case K_SEQ: {
            Value v = t->v;
            const Value *items;
            size_t n;
            if (v.tag == T_TUPLE) { items = AS_TUPLE(v)->items; n = AS_TUPLE(v)->n; }
            else { items = v.o ? ((ListObj *)v.o)->buf->items + ((ListObj *)v.o)->off : NULL; n = v.o ? ((ListObj *)v.o)->len : 0; }
            if (t->i >= n) { ts->n--; break; }
            uint32_t i = t->i++;
            if (i) sb_put(b, ", ", 2);
            tpush(ts, K_VAL, items[i], 0, NULL);
            break;
        }
        case K_FIELDS:
        case K_DFIELDS: {
            Value v = t->v;
            const Value *fs;
            uint32_t n;
            if (v.tag == T_STRUCT) { fs = AS_STRUCT(v)->fields; n = AS_STRUCT(v)->type->nfields; }
            else { fs = AS_VARIANT(v)->fields; n = AS_VARIANT(v)->n; }
            if (t->i >= n) { ts->n--; break; }
            uint32_t i = t->i++;
            if (i) sb_put(b, ", ", 2);
            if (t->kind == K_DFIELDS) {
                sb_puts(b, AS_STRUCT(v)->type->field_names[i]);
                sb_put(b, ": ", 2);
            }
            tpush(ts, K_VAL, fs[i], 0, NULL);
            break;
        }
        case K_MAP: {
            MapIter it = {AS_MAP(t->v), t->i};
            Value k, val;
            bool is_map = t->v.tag == T_MAP;
            if (!map_iter_next(&it, &k, &val)) { ts->n--; break; }
            t->i = it.i;
            if (!t->first) sb_put(b, ", ", 2);
            t->first = 0;
            if (is_map) {
                tpush(ts, K_VAL, val, 0, NULL);
                ttext(ts, " => ");
            }
            tpush(ts, K_VAL, k, 0, NULL);
            break;
        }
        }
    }
}

static void tasks_init(Tasks *ts) {
    ts->t = ts->small;
    ts->n = 0;
    ts->cap = sizeof ts->small / sizeof ts->small[0];
}
static void tasks_free(Tasks *ts) {
    if (ts->t != ts->small) free(ts->t);
}

void fmt_display(SB *b, Value v) {
    switch (v.tag) { /* leaves need no task stack */
    case T_STR: sb_put_str(b, v); return;
    case T_INT: sb_put_int(b, v.i); return;
    case T_FLOAT: fmt_float(b, v.f); return;
    case T_BOOL: sb_puts(b, v.i ? "true" : "false"); return;
    default: break;
    }
    Tasks ts;
    tasks_init(&ts);
    tpush(&ts, K_VAL, v, 0, NULL);
    run(b, &ts);
    tasks_free(&ts);
}

static void debug_string(SB *b, Value s) {
    const char *p = str_data(s);
    size_t n = str_len(s);
    sb_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        switch (c) {
        case '"': sb_put(b, "\\\"", 2); break;
        case '\\': sb_put(b, "\\\\", 2); break;
        case '\n': sb_put(b, "\\n", 2); break;
        case '\r': sb_put(b, "\\r", 2); break;
        case '\t': sb_put(b, "\\t", 2); break;
        case 0: sb_put(b, "\\0", 2); break;
        default:
            if (c < 0x20 || c == 0x7f) sb_printf(b, "\\u{%x}", c);
            else sb_putc(b, (char)c);
        }
    }
    sb_putc(b, '"');
}

static bool is_builtin_sum(const TypeDesc *td) {
    return td == &td_option || td == &td_result || td == &td_ordering || td == &td_exit_reason || td == &td_signal;
}

void fmt_debug(SB *b, Value v) {
    if (v.tag == T_STR) { debug_string(b, v); return; }
    Tasks ts;
    tasks_init(&ts);
    if (v.tag == T_STRUCT) {
        struct_debug(b, &ts, v);
    } else if (v.tag == T_VARIANT && !is_builtin_sum(AS_VARIANT(v)->type)) {
        /* a user sum type: derived Debug shows `Name(...)` for payloads */
        VariantObj *o = AS_VARIANT(v);
        sb_puts(b, o->type->variants[o->idx].name);
        if (o->n) sb_put(b, "(...)", 5);
    } else {
        tpush(&ts, K_VAL, v, 0, NULL);
    }
    run(b, &ts);
    tasks_free(&ts);
}

Value fmt_to_string(Value v) {
    if (v.tag == T_STR) return v;
    SB b;
    sb_init(&b);
    fmt_display(&b, v);
    return sb_finish(&b);
}

Value fmt_inspect(Value v) {
    SB b;
    sb_init(&b);
    fmt_debug(&b, v);
    return sb_finish(&b);
}

/* ---- the tools' text (REPL results, snow trace) --------------------------------- */

#define SHOW_DEPTH 24

typedef struct ShowCtx {
    SB *b;
    size_t limit; /* stop writing past this length */
    bool full;
} ShowCtx;

static bool room(ShowCtx *c) {
    if (c->full) return false;
    if (c->b->len >= c->limit) {
        c->full = true;
        return false;
    }
    return true;
}

static void put(ShowCtx *c, const char *s) {
    if (room(c)) sb_puts(c->b, s);
}

static void show_val(ShowCtx *c, Value v, int depth, bool raw_str);

static void show_seq(ShowCtx *c, const Value *items, size_t n, int depth, bool raw) {
    for (size_t i = 0; i < n; i++) {
        if (!room(c)) return;
        if (i) sb_put(c->b, ", ", 2);
        show_val(c, items[i], depth + 1, raw);
    }
}

/* Recursive, but bounded: past SHOW_DEPTH levels a value is "...". */
static void show_val(ShowCtx *c, Value v, int depth, bool raw_str) {
    if (!room(c)) return;
    SB *b = c->b;
    if (depth > SHOW_DEPTH) {
        sb_put(b, "...", 3);
        return;
    }
    switch (v.tag) {
    case T_STR:
        if (raw_str) sb_put(b, str_data(v), str_len(v) < c->limit ? str_len(v) : c->limit);
        else debug_string(b, v);
        break;
    case T_LIST:
        sb_putc(b, '[');
        show_seq(c, list_items(v), list_len(v), depth, raw_str);
        put(c, "]");
        break;
    case T_QUEUE:
        sb_put(b, "Queue[", 6);
        show_seq(c, list_items(v), list_len(v), depth, raw_str);
        put(c, "]");
        break;
    case T_TUPLE:
        sb_putc(b, '(');
        show_seq(c, AS_TUPLE(v)->items, AS_TUPLE(v)->n, depth, raw_str);
        put(c, ")");
        break;
    case T_MAP:
    case T_SET: {
        bool is_map = v.tag == T_MAP;
        sb_put(b, is_map ? "%{" : "#{", 2);
        MapIter it;
        map_iter_init(&it, v);
        Value k, x;
        bool first = true;
        while (room(c) && map_iter_next(&it, &k, &x)) {
            if (!first) sb_put(b, ", ", 2);
            first = false;
            show_val(c, k, depth + 1, raw_str);
            if (is_map) {
                put(c, " => ");
                show_val(c, x, depth + 1, raw_str);
            }
        }
        put(c, "}");
        break;
    }
    case T_STRUCT: {
        const TypeDesc *td = AS_STRUCT(v)->type;
        sb_puts(b, td->name);
        if (td->nfields == 0) {
            sb_put(b, " {}", 3);
            break;
        }
        sb_put(b, " { ", 3);
        for (uint32_t i = 0; i < td->nfields && room(c); i++) {
            if (i) sb_put(b, ", ", 2);
            sb_puts(b, td->field_names[i]);
            sb_put(b, ": ", 2);
            show_val(c, AS_STRUCT(v)->fields[i], depth + 1, raw_str);
        }
        put(c, " }");
        break;
    }
    case T_VARIANT: {
        VariantObj *o = AS_VARIANT(v);
        const TypeDesc *td = o->type;
        sb_puts(b, td && o->idx < td->nvariants ? td->variants[o->idx].name : "?");
        if (o->n) {
            /* exit reasons and signals print their strings bare (decision 9) */
            bool raw = raw_str || td == &td_exit_reason || td == &td_signal;
            sb_putc(b, '(');
            show_seq(c, o->fields, o->n, depth, raw);
            put(c, ")");
        }
        break;
    }
    case T_FUNC: {
        FuncObj *fo = AS_FUNC(v);
        const char *name = fo->fn && fo->fn->name ? fo->fn->name : NULL;
        /* closures are named "fn" (their backtrace name) */
        if (name && strcmp(name, "fn") != 0) sb_printf(b, "<fn %s>", name);
        else sb_put(b, "<fn>", 4);
        break;
    }
    default: {
        /* leaves: the Display text */
        Tasks ts;
        tasks_init(&ts);
        fmt_value(b, &ts, v);
        tasks_free(&ts);
        break;
    }
    }
}

void fmt_show(SB *b, Value v, size_t max) {
    size_t start = b->len;
    ShowCtx c = {b, max ? start + max : SIZE_MAX, false};
    show_val(&c, v, 0, false);
    if (c.full || b->len > c.limit) {
        if (b->len > c.limit) {
            b->len = c.limit;
            /* do not cut a UTF-8 sequence in half */
            while (b->len > start && ((unsigned char)b->p[b->len] & 0xC0) == 0x80) b->len--;
        }
        sb_put(b, "...", 3);
    }
}
