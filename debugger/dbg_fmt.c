/* dbg_fmt.c — the debugger's value text: Debug-like, bounded in length and
 * depth, and never running Snow code (a user `to_string` could block, send
 * or panic; the debugger only looks).
 *
 * Differences from fmt_debug (runtime/fmt.h): payloads of user variants are
 * always shown (`Withdraw(150)`, not `Withdraw(...)`), nested strings stay
 * quoted, and the text stops after `max` bytes with "...". */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dbg.h"
#include "fmt.h"
#include "json.h"
#include "list.h"
#include "map.h"
#include "str.h"
#include "xalloc.h"

#define DBG_FMT_DEPTH 24

typedef struct FmtCtx {
    SB *b;
    size_t limit; /* stop writing past this length */
    bool full;
} FmtCtx;

static bool room(FmtCtx *c) {
    if (c->full) return false;
    if (c->b->len >= c->limit) {
        c->full = true;
        return false;
    }
    return true;
}

static void put(FmtCtx *c, const char *s) {
    if (room(c)) sb_puts(c->b, s);
}

static void put_quoted(FmtCtx *c, const char *p, size_t n) {
    SB *b = c->b;
    sb_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        if (!room(c)) return;
        unsigned char ch = (unsigned char)p[i];
        switch (ch) {
        case '"': sb_puts(b, "\\\""); break;
        case '\\': sb_puts(b, "\\\\"); break;
        case '\n': sb_puts(b, "\\n"); break;
        case '\r': sb_puts(b, "\\r"); break;
        case '\t': sb_puts(b, "\\t"); break;
        default:
            if (ch < 0x20 || ch == 0x7f) sb_printf(b, "\\u{%x}", ch);
            else sb_putc(b, (char)ch);
        }
    }
    sb_putc(b, '"');
}

void dbg_fmt_pid(char *buf, size_t cap, uint64_t pid) {
    if (pid == DBG_NONE) snprintf(buf, cap, "-");
    else ev_fmt_pid(pid, buf, cap);
}

static bool is_runtime_sum(const TypeDesc *td) { return td == &td_exit_reason || td == &td_signal; }

static void fmt_val(FmtCtx *c, Value v, int depth, bool raw_str);

static void fmt_seq(FmtCtx *c, const Value *items, size_t n, int depth, bool raw) {
    for (size_t i = 0; i < n; i++) {
        if (!room(c)) return;
        if (i) sb_puts(c->b, ", ");
        fmt_val(c, items[i], depth + 1, raw);
    }
}

static void fmt_val(FmtCtx *c, Value v, int depth, bool raw_str) {
    if (!room(c)) return;
    SB *b = c->b;
    if (depth > DBG_FMT_DEPTH) {
        sb_puts(b, "...");
        return;
    }
    switch (v.tag) {
    case T_UNIT: sb_puts(b, "()"); break;
    case T_BOOL: sb_puts(b, v.i ? "true" : "false"); break;
    case T_INT: sb_put_int(b, v.i); break;
    case T_FLOAT: fmt_float(b, v.f); break;
    case T_PID: {
        char p[48];
        dbg_fmt_pid(p, sizeof p, v.u);
        sb_puts(b, p);
        break;
    }
    case T_REF: sb_printf(b, "#Ref<%" PRIu64 ">", v.u); break;
    case T_STR:
        if (raw_str) sb_put(b, str_data(v), str_len(v) < c->limit ? str_len(v) : c->limit);
        else put_quoted(c, str_data(v), str_len(v));
        break;
    case T_LIST:
        sb_putc(b, '[');
        fmt_seq(c, list_items(v), list_len(v), depth, raw_str);
        put(c, "]");
        break;
    case T_QUEUE:
        sb_puts(b, "Queue[");
        fmt_seq(c, list_items(v), list_len(v), depth, raw_str);
        put(c, "]");
        break;
    case T_TUPLE:
        sb_putc(b, '(');
        fmt_seq(c, AS_TUPLE(v)->items, AS_TUPLE(v)->n, depth, raw_str);
        put(c, ")");
        break;
    case T_MAP:
    case T_SET: {
        bool is_map = v.tag == T_MAP;
        sb_puts(b, is_map ? "%{" : "#{");
        MapIter it;
        map_iter_init(&it, v);
        Value k, x;
        bool first = true;
        while (room(c) && map_iter_next(&it, &k, &x)) {
            if (!first) sb_puts(b, ", ");
            first = false;
            fmt_val(c, k, depth + 1, raw_str);
            if (is_map) {
                put(c, " => ");
                fmt_val(c, x, depth + 1, raw_str);
            }
        }
        put(c, "}");
        break;
    }
    case T_RANGE: sb_printf(b, "%" PRId64 "..%" PRId64, AS_RANGE(v)->start, AS_RANGE(v)->end); break;
    case T_STRUCT: {
        const TypeDesc *td = AS_STRUCT(v)->type;
        sb_puts(b, td->name);
        if (td->nfields == 0) {
            sb_puts(b, " {}");
            break;
        }
        sb_puts(b, " { ");
        for (uint32_t i = 0; i < td->nfields && room(c); i++) {
            if (i) sb_puts(b, ", ");
            sb_puts(b, td->field_names[i]);
            sb_puts(b, ": ");
            fmt_val(c, AS_STRUCT(v)->fields[i], depth + 1, raw_str);
        }
        put(c, " }");
        break;
    }
    case T_VARIANT: {
        VariantObj *o = AS_VARIANT(v);
        const TypeDesc *td = o->type;
        const char *name = td && o->idx < td->nvariants ? td->variants[o->idx].name : "?";
        sb_puts(b, name);
        if (o->n) {
            bool raw = raw_str || is_runtime_sum(td);
            sb_putc(b, '(');
            fmt_seq(c, o->fields, o->n, depth, raw);
            put(c, ")");
        }
        break;
    }
    case T_FUNC: {
        FuncObj *fo = AS_FUNC(v);
        const char *name = fo->fn && fo->fn->name ? fo->fn->name : NULL;
        if (name) sb_printf(b, "<fn %s>", name);
        else sb_puts(b, "<fn>");
        break;
    }
    case T_JSON: json_encode_sb(b, v); break;
    case T_HANDLE: {
        const HandleClass *hc = AS_HANDLE(v)->cls;
        sb_printf(b, "#Handle<%s>", hc && hc->name ? hc->name : "?");
        break;
    }
    default: sb_puts(b, "<?>"); break;
    }
}

void dbg_fmt(SB *b, Value v, size_t max) {
    size_t start = b->len;
    FmtCtx c = {b, start + (max ? max : 1), false};
    fmt_val(&c, v, 0, false);
    if (c.full || b->len > c.limit) {
        if (b->len > c.limit) {
            b->len = c.limit;
            /* do not cut a UTF-8 sequence in half */
            while (b->len > start && ((unsigned char)b->p[b->len] & 0xC0) == 0x80) b->len--;
        }
        sb_puts(b, "...");
    }
}

char *dbg_fmt_str(Value v, size_t max) {
    SB b;
    sb_init(&b);
    dbg_fmt(&b, v, max);
    char *s = xmalloc(b.len + 1);
    memcpy(s, b.p, b.len);
    s[b.len] = 0;
    sb_free(&b);
    return s;
}
