/* eval_rt.c — the evaluator's side of the runtime: per-process interpreter
 * state and the process-layer hooks (backtraces, GC roots, unwinding), the
 * rt_apply entry used by library functions, dynamic method dispatch, and
 * the actor primitives (spawn, send, self, link, receive). */
#include <stdlib.h>
#include <string.h>

#include "eval_internal.h"
#include "blocked.h"
#include "event.h"
#include "fmt.h"
#include "gc.h"
#include "list.h"
#include "map.h"
#include "node.h"
#include "rt.h"
#include "str.h"
#include "vals.h"
#include "xalloc.h"

#define EVAL(x) ((x)->ev((x), f))
#define CHECK(v) do { if (__builtin_expect((v).tag == T_UNWIND, 0)) return (v); } while (0)

/* ---- per-process state ------------------------------------------------------ */

EvalProc *ev_proc(void) {
    ProcHot *hot = proc_self_hot();
    EvalProc *ep = hot->interp;
    if (!ep) {
        ep = xcalloc(1, sizeof *ep);
        ep->hot = hot;
        hot->interp = ep;
    }
    return ep;
}

static void interp_free(void *interp) { free(interp); }

static void interp_scan(Heap *h, void *interp) {
    EvalProc *ep = interp;
    if (ep) gc_mark_value(h, ep->ret);
}

static void interp_unwound(ProcHot *hot) {
    EvalProc *ep = hot->interp;
    if (ep) ep->top = ep->catch_top;
}

static void print_frame(FILE *out, const ShadowFrame *sf) {
    const Node *at = sf->at;
    const char *name = sf->code ? sf->code->info.name : "?";
    if (at) {
        uint32_t line, col;
        src_linecol(at->span.file, at->span.off, &line, &col);
        SourceFile *file = src_get(at->span.file);
        fprintf(out, "  at %s:%u:%u in %s\n", file ? file->path : "?", line, col, name);
    } else {
        fprintf(out, "  at ? in %s\n", name);
    }
}

/* "19998" -> "19 998": counts of repeated frames are read at a glance. */
static void print_count(FILE *out, size_t n) {
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%zu", n);
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0) fputc(' ', out);
        fputc(digits[i], out);
    }
}

static bool same_frame(const ShadowFrame *a, const ShadowFrame *b) { return a->code == b->code && a->at == b->at; }

/* How many times the block frames[i, i+p) repeats from i on (at least 1). */
static size_t block_repeats(ShadowFrame *const *fr, size_t n, size_t i, size_t p) {
    size_t reps = 1;
    while (i + (reps + 1) * p <= n) {
        for (size_t k = 0; k < p; k++)
            if (!same_frame(fr[i + k], fr[i + reps * p + k])) return reps;
        reps++;
    }
    return reps;
}

#define BT_MAX_PERIOD 4   /* mutual recursion of up to 4 functions is folded */
#define BT_HEAD 30        /* lines shown before eliding the middle of a long trace */
#define BT_TAIL 10

/* The Snow call stack, innermost first.  Recursion is folded: a frame (or a
 * cycle of up to four frames) repeated is shown once, then `... 19 998 more
 * calls of f`; a trace still longer than BT_HEAD + BT_TAIL lines keeps its
 * two ends. */
static void interp_backtrace(FILE *out) {
    ProcHot *hot = proc_self_hot();
    EvalProc *ep = hot ? hot->interp : NULL;
    if (!ep) return;
    size_t n = 0;
    for (ShadowFrame *sf = ep->top; sf; sf = sf->prev) n++;
    /* lines: a frame (index, reps 0) or a fold (index of the block, its period, the repeats) */
    typedef struct { size_t at, period, reps; } Line;
    /* plain malloc: this often runs for a `stack overflow` panic, when the
     * address space may be exhausted; then the trace is printed unfolded
     * and cut, rather than the report ending the whole program */
    ShadowFrame **fr = malloc(n * sizeof *fr + 1);
    Line *lines = fr ? malloc((n + 1) * 2 * sizeof *lines) : NULL;
    if (!lines) {
        free(fr);
        size_t k = 0;
        for (ShadowFrame *sf = ep->top; sf && k < BT_HEAD; sf = sf->prev, k++) print_frame(out, sf);
        if (n > k) {
            fputs("  ... ", out);
            print_count(out, n - k);
            fputs(" more calls\n", out);
        }
        return;
    }
    n = 0;
    for (ShadowFrame *sf = ep->top; sf; sf = sf->prev) fr[n++] = sf;
    size_t nl = 0;
    for (size_t i = 0; i < n;) {
        size_t best_p = 0, best_reps = 1;
        for (size_t p = 1; p <= BT_MAX_PERIOD && i + 2 * p <= n; p++) {
            size_t reps = block_repeats(fr, n, i, p);
            if (reps >= 2 && (reps - 1) * p > (best_reps - 1) * best_p) best_p = p, best_reps = reps;
        }
        if (!best_p) {
            lines[nl++] = (Line){i, 0, 0};
            i++;
            continue;
        }
        for (size_t k = 0; k < best_p; k++) lines[nl++] = (Line){i + k, 0, 0};
        lines[nl++] = (Line){i, best_p, best_reps};
        i += best_p * best_reps;
    }
    for (size_t l = 0; l < nl; l++) {
        if (nl > BT_HEAD + BT_TAIL && l == BT_HEAD) {
            fputs("  ... ", out);
            print_count(out, nl - BT_HEAD - BT_TAIL);
            fputs(" more lines of the call stack\n", out);
            l = nl - BT_TAIL - 1;
            continue;
        }
        const Line *ln = &lines[l];
        if (!ln->period) {
            print_frame(out, fr[ln->at]);
            continue;
        }
        fputs("  ... ", out);
        print_count(out, (ln->reps - 1) * ln->period);
        fputs(" more calls of ", out);
        for (size_t k = 0; k < ln->period; k++) {
            const ShadowFrame *sf = fr[ln->at + k];
            bool dup = false;
            for (size_t j = 0; j < k; j++) dup |= fr[ln->at + j]->code == sf->code;
            if (dup) continue;
            if (k) fputs(k + 1 == ln->period ? " and " : ", ", out);
            fputs(sf->code ? sf->code->info.name : "?", out);
        }
        fputc('\n', out);
    }
    free(lines);
    free(fr);
}

/* ---- what a blocked process waits for (blocked.h) -------------------------------- */

/* "a message matching `Ping(from)` or `Stop`": the arms' patterns as written. */
static void receive_text(const void *site, SB *out) {
    const Node *rn = site;
    NodeList arms = rn->recv.arms;
    if (rn->kind != N_RECEIVE || arms.n == 0) {
        sb_puts(out, "a message");
        return;
    }
    for (uint32_t i = 0; i < arms.n; i++) {
        const Node *pat = arms.v[i]->arm.pat;
        /* (a capitalised P_BIND is a constructor without fields) */
        bool any = pat->kind == P_WILD || (pat->kind == P_BIND && !(pat->name.id.id[0] >= 'A' && pat->name.id.id[0] <= 'Z'));
        if (any && !arms.v[i]->arm.guard) {
            sb_puts(out, "any message"); /* a catch-all arm */
            return;
        }
    }
    sb_puts(out, arms.n == 1 ? "a message matching " : "a message matching one of ");
    uint32_t shown = arms.n > 4 ? 3 : arms.n;
    for (uint32_t i = 0; i < shown; i++) {
        Span s = arms.v[i]->arm.pat->span;
        const SourceFile *f = src_get(s.file);
        uint32_t len = s.len > 40 ? 40 : s.len;
        if (i) sb_puts(out, i + 1 == arms.n ? " or " : ", ");
        sb_printf(out, "`%.*s%s`", (int)len, f->text + s.off, len < s.len ? "..." : "");
    }
    if (shown < arms.n) sb_printf(out, " or %u more", arms.n - shown);
}

/* "main.snow:9:11 in main": where the blocked process is in its Snow code. */
static void where_blocked(Proc *p, SB *out) {
    EvalProc *ep = proc_stack_readable(p) ? proc_hot(p)->interp : NULL;
    ShadowFrame *sf = ep ? ep->top : NULL;
    if (!sf || !sf->at) return;
    uint32_t line, col;
    src_linecol(sf->at->span.file, sf->at->span.off, &line, &col);
    const SourceFile *file = src_get(sf->at->span.file);
    sb_printf(out, "%s:%u:%u in %s", file ? file->path : "?", line, col, sf->code ? sf->code->info.name : "?");
}

/* rt_apply: library functions (List.map, sort comparators, ...) and the
 * process runtime (actor bodies, terminate closures) call Snow functions. */
static Value interp_apply(Value fn, int argc, Value *argv) {
    if (fn.tag != T_FUNC) rt_panic("called a value that is not a function");
    FuncObj *fo = AS_FUNC(fn);
    if (fo->fn->cfn) return val_call_cfn(fo, argc, argv);
    return ev_run_code(ev_proc(), fo, fo->fn->code, argc, argv);
}

static size_t ev_debug_fmt(Value v, char *buf, size_t cap) {
    SB sb;
    sb_init(&sb);
    fmt_debug(&sb, v);
    size_t n = sb.len < cap - 1 ? sb.len : cap - 1;
    memcpy(buf, sb.p, n);
    buf[n] = 0;
    sb_free(&sb);
    return n;
}

static Value c_ts, c_in, c_ha, c_eq, c_lt;
static FuncInfo fi_to_string, fi_inspect, fi_hash, fi_eq, fi_lt;
static Value static_fn(FuncInfo *fi, Value *cache);

void eval_install_hooks(void) {
    /* built once here, before any worker thread exists */
    static_fn(&fi_to_string, &c_ts);
    static_fn(&fi_inspect, &c_in);
    static_fn(&fi_hash, &c_ha);
    static_fn(&fi_eq, &c_eq);
    static_fn(&fi_lt, &c_lt);
    for (unsigned i = 0, n = stdlib_count(); i < n; i++) ev_std_fn(stdlib_at(i));
    rt_apply_hook = interp_apply;
    proc_backtrace_hook = interp_backtrace;
    blocked_receive_text_hook = receive_text;
    blocked_where_hook = where_blocked;
    proc_scan_hook = interp_scan;
    proc_unwound_hook = interp_unwound;
    proc_interp_free_hook = interp_free;
    ev_fmt_hook = ev_debug_fmt;
}

/* ---- method dispatch tables ------------------------------------------------------ */

typedef struct ImplEnt {
    const void *key;
    const char *name;
    Value fn;
} ImplEnt;

static ImplEnt *impls;
static uint32_t impl_cap, impl_n;

static uint32_t impl_hash(const void *k, const char *name) {
    uint64_t x = (uint64_t)(uintptr_t)k * 0x9E3779B97F4A7C15ULL ^ (uint64_t)(uintptr_t)name;
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ULL;
    x ^= x >> 32;
    return (uint32_t)x;
}

void impl_register(const void *key, const char *name, Value fn) {
    if ((impl_n + 1) * 2 > impl_cap) {
        uint32_t nc = impl_cap ? impl_cap * 2 : 64;
        ImplEnt *nt = xcalloc(nc, sizeof *nt);
        for (uint32_t i = 0; i < impl_cap; i++) {
            if (!impls[i].name) continue;
            uint32_t j = impl_hash(impls[i].key, impls[i].name) & (nc - 1);
            while (nt[j].name) j = (j + 1) & (nc - 1);
            nt[j] = impls[i];
        }
        free(impls);
        impls = nt;
        impl_cap = nc;
    }
    uint32_t j = impl_hash(key, name) & (impl_cap - 1);
    while (impls[j].name && !(impls[j].key == key && impls[j].name == name)) j = (j + 1) & (impl_cap - 1);
    if (!impls[j].name) impl_n++;
    impls[j].key = key;
    impls[j].name = name;
    impls[j].fn = fn;
}

Value impl_lookup(const void *key, const char *name) {
    if (!impl_cap) return v_unit();
    uint32_t j = impl_hash(key, name) & (impl_cap - 1);
    while (impls[j].name) {
        if (impls[j].key == key && impls[j].name == name) return impls[j].fn;
        j = (j + 1) & (impl_cap - 1);
    }
    return v_unit();
}

__attribute__((destructor)) static void impl_free(void) {
    free(impls);
    impls = NULL;
    impl_cap = impl_n = 0;
}

static char tag_keys[T__COUNT];

const void *impl_key_tag(uint32_t tag) { return tag < T__COUNT ? &tag_keys[tag] : NULL; }

const void *impl_key_of(Value v) {
    if (v.tag == T_STRUCT) return AS_STRUCT(v)->type;
    if (v.tag == T_VARIANT) return AS_VARIANT(v)->type;
    return impl_key_tag(v.tag);
}

/* Built-in methods every value understands, as static builtin functions. */
static Value bm_to_string(Value *a, int n) { (void)n; return a[0].tag == T_STR ? a[0] : fmt_to_string(a[0]); }
static Value bm_inspect(Value *a, int n) { (void)n; return fmt_inspect(a[0]); }
static Value bm_hash(Value *a, int n) { (void)n; return v_int((int64_t)val_hash(a[0])); }
static Value bm_eq(Value *a, int n) { (void)n; return v_bool(val_eq(a[0], a[1])); }
static Value bm_lt(Value *a, int n) { (void)n; return v_bool(val_cmp(a[0], a[1]) < 0); }

static FuncInfo fi_to_string = {"to_string", 1, bm_to_string, NULL};
static FuncInfo fi_inspect = {"inspect", 1, bm_inspect, NULL};
static FuncInfo fi_hash = {"hash", 1, bm_hash, NULL};
static FuncInfo fi_eq = {"eq", 2, bm_eq, NULL};
static FuncInfo fi_lt = {"lt", 2, bm_lt, NULL};

static Value static_fn(FuncInfo *fi, Value *cache) {
    if (cache->tag != T_FUNC) *cache = val_func_static(fi);
    return *cache;
}

/* A static FuncObj for a stdlib entry (shared). */
Value ev_std_fn(const StdFn *s) {
    static Value *cache;
    static FuncInfo *infos;
    if (!cache) {
        cache = xcalloc(stdlib_count(), sizeof *cache);
        infos = xcalloc(stdlib_count(), sizeof *infos);
    }
    unsigned i = stdlib_index(s);
    if (cache[i].tag != T_FUNC) {
        infos[i].name = s->name;
        infos[i].arity = s->arity;
        infos[i].cfn = s->impl;
        cache[i] = val_func_static(&infos[i]);
    }
    return cache[i];
}

static const char *std_module_of(uint32_t tag) {
    switch (tag) {
    case T_STR: return "String";
    case T_LIST: return "List";
    case T_MAP: return "Map";
    case T_SET: return "Set";
    case T_RANGE: return "Range";
    case T_QUEUE: return "Queue";
    default: return NULL;
    }
}

Value ev_find_method(Value recv, const char *name, bool *field_call) {
    *field_call = false;
    const void *key = impl_key_of(recv);
    /* a struct field holding a closure (divergence 47) */
    if (recv.tag == T_STRUCT) {
        const TypeDesc *td = AS_STRUCT(recv)->type;
        for (uint32_t i = 0; i < td->nfields; i++) {
            if (td->field_names[i] == name && AS_STRUCT(recv)->fields[i].tag == T_FUNC) {
                *field_call = true;
                return AS_STRUCT(recv)->fields[i];
            }
        }
    }
    Value fn = impl_lookup(key, name);
    if (fn.tag == T_FUNC) return fn;
    /* "Trait.method" not implemented by a user impl: a built-in method */
    const char *dot = strrchr(name, '.');
    if (dot) name = dot + 1;
    /* built-in methods (derived traits, Display/Debug of built-in types) */
    if (strcmp(name, "to_string") == 0) return static_fn(&fi_to_string, &c_ts);
    if (strcmp(name, "inspect") == 0) return static_fn(&fi_inspect, &c_in);
    if (strcmp(name, "hash") == 0) return static_fn(&fi_hash, &c_ha);
    if (strcmp(name, "eq") == 0) return static_fn(&fi_eq, &c_eq);
    if (strcmp(name, "lt") == 0) return static_fn(&fi_lt, &c_lt);
    /* stdlib fallback by receiver type */
    const char *mod = std_module_of(recv.tag);
    if (mod) {
        const StdFn *s = stdlib_lookup(mod, name);
        if (s) return ev_std_fn(s);
    }
    return v_unit();
}

/* ---- actors -------------------------------------------------------------------- */

/* spawn(f, args...): a = callee, kids = args, p = actor name (or NULL). */
Value ev_spawn(PNode *n, Frame *f) {
    Value fn = EVAL(n->a); CHECK(fn);
    VAL_BUF(args, n->nkids);
    for (uint32_t i = 0; i < n->nkids; i++) { args[i] = EVAL(n->kids[i]); CHECK(args[i]); }
    f->sf->at = n->src;
    SpawnOpts opts = {n->p, v_unit(), false};
    uint64_t pid = proc_spawn(fn, (int)n->nkids, args, &opts);
    return v_pid(pid);
}

/* send({name, node}, msg): a registered name on a node (net.md §8.5). */
static void send_named(Value to, Value msg) {
    Value name = AS_TUPLE(to)->items[0], node = AS_TUPLE(to)->items[1];
    dist_send_named(str_data(name), str_len(name), str_data(node), str_len(node), msg);
}

Value ev_send(PNode *n, Frame *f) {
    Value to = EVAL(n->a); CHECK(to);
    Value msg = EVAL(n->b); CHECK(msg);
    f->sf->at = n->src;
    if (to.tag == T_TUPLE) send_named(to, msg);
    else proc_send(to.u, msg);
    return v_unit();
}

/* send(p, Variant(args)): the message object is built on the C stack (the
 * send copies it into the mailbox; nothing keeps it afterwards), which
 * spares the sender's heap one allocation per message. */
Value ev_send_variant(PNode *n, Frame *f) {
    Value to = EVAL(n->a); CHECK(to);
    PNode *b = n->b;
    union {
        VariantObj o;
        _Alignas(16) unsigned char bytes[sizeof(VariantObj) + SEND_VARIANT_MAX * sizeof(Value) + 16];
    } buf;
    VariantObj *o = &buf.o;
    for (uint32_t i = 0; i < b->nkids; i++) { o->fields[i] = EVAL(b->kids[i]); CHECK(o->fields[i]); }
    size_t sz = (sizeof(VariantObj) + b->nkids * sizeof(Value) + 15) & ~(size_t)15;
    o->h = (Obj){.kind = OK_VARIANT, .gcbits = 0, .xflags = 0, .size = (uint32_t)sz};
    o->type = b->p;
    o->idx = (uint32_t)b->slot;
    o->n = b->nkids;
    f->sf->at = n->src;
    if (to.tag == T_TUPLE) send_named(to, v_variant(o));
    else proc_send(to.u, v_variant(o));
    return v_unit();
}

Value ev_selfcall(PNode *n, Frame *f) {
    (void)n;
    (void)f;
    return v_pid(proc_self_pid());
}

Value ev_link(PNode *n, Frame *f) {
    Value p = EVAL(n->a); CHECK(p);
    proc_link(p.u);
    return v_unit();
}

/* receive: kids = arms (arm: p = pattern, a = guard, b = body, slot = 1 for
 * a Signal arm), a = after timeout (or NULL), b = after body. */
Value ev_receive(PNode *n, Frame *f) {
    int64_t timeout = RECV_NO_AFTER;
    if (n->a) {
        Value t = EVAL(n->a); CHECK(t);
        timeout = t.i < 0 ? RECV_AFTER_NEVER : t.i;
    }
    f->sf->at = n->src; /* the debugger and backtraces show the receive line */
    RecvWait w;
    proc_recv_begin(&w, timeout);
    Mbox *m = proc_mbox();
    MboxEntry *last = NULL;
    for (;;) {
        MboxEntry *e = last ? mbox_next(m, last) : mbox_first(m);
        for (; e; last = e, e = mbox_next(m, e)) {
            uint32_t kind = mbox_kind(e);
            if (kind != MB_USER && kind != MB_SIGNAL) continue;
            Value v = mbox_value(e);
            for (uint32_t i = 0; i < n->nkids; i++) {
                PNode *arm = n->kids[i];
                if ((uint32_t)arm->slot != kind) continue;
                PPat *p = arm->p;
                if (!p->m(p, v, f)) continue;
                if (arm->a) {
                    Value g = EVAL(arm->a);
                    if (g.tag == T_UNWIND) { proc_recv_end(&w); return g; }
                    if (!g.i) continue;
                }
                /* bindings that are all immediates (Token(n)) keep nothing
                 * of the message: free it without copying it into the heap */
                const int32_t *bs = arm->q;
                bool keep = false;
                for (uint32_t k = 0; k < arm->nkids; k++) keep |= val_has_obj(f->slots[bs[k]]);
                if (!keep) {
                    mbox_unlink(m, e);
                    proc_recv_end(&w);
                    if (EV_ON()) ev_val(EV_RECEIVE, proc_self_pid(), EV_NOPID, v, (int64_t)i);
                    mbox_entry_free(e);
                    return EVAL(arm->b);
                }
                Value got = mbox_take(m, e);
                /* a small message is copied into the heap when taken and its
                 * mailbox copy freed: bind the arm's variables again */
                if (val_has_obj(got) && got.o != v.o) p->m(p, got, f);
                proc_recv_end(&w);
                if (EV_ON()) ev_val(EV_RECEIVE, proc_self_pid(), EV_NOPID, got, (int64_t)i);
                return EVAL(arm->b);
            }
        }
        blocked_on(BW_RECEIVE, 0, NULL, n->src);
        if (!proc_recv_wait(&w)) {
            proc_recv_end(&w);
            if (EV_ON()) ev_full(EV_RECEIVE, proc_self_pid(), EV_NOPID, 0, -1, "after", NULL);
            return n->b ? EVAL(n->b) : v_unit();
        }
    }
}

/* Actor prologue: install the terminate closure (a = closure expression). */
Value ev_set_terminate(PNode *n, Frame *f) {
    Value cl = EVAL(n->a); CHECK(cl);
    proc_set_terminate(cl);
    return v_unit();
}

/* ---- introspection (eval.h) ---------------------------------------------------- */

#include "eval.h"

int eval_proc_frames(Proc *p, EvalFrameInfo *out, int max) {
    if (!p || !proc_stack_readable(p)) return 0;
    EvalProc *ep = proc_hot(p)->interp;
    if (!ep) return 0;
    int n = 0;
    for (ShadowFrame *sf = ep->top; sf && n < max; sf = sf->prev, n++) {
        EvalFrameInfo *fi = &out[n];
        fi->function = sf->code ? sf->code->info.name : "?";
        const Node *at = sf->at;
        if (at) {
            fi->span = at->span;
            src_linecol(at->span.file, at->span.off, &fi->line, &fi->col);
            SourceFile *sfile = src_get(at->span.file);
            fi->file = sfile ? sfile->path : "?";
        } else {
            fi->file = "?";
            fi->line = fi->col = 0;
            fi->span = (Span){UINT32_MAX, 0, 0};
        }
    }
    return n;
}

static ShadowFrame *frame_at(Proc *p, int depth) {
    if (!p || !proc_stack_readable(p)) return NULL;
    EvalProc *ep = proc_hot(p)->interp;
    ShadowFrame *sf = ep ? ep->top : NULL;
    for (int i = 0; sf && i < depth; i++) sf = sf->prev;
    return sf && sf->code && sf->slots ? sf : NULL;
}

static const Node *receive_arm(const ShadowFrame *sf, int arm) {
    const Node *at = sf->at;
    if (!at || at->kind != N_RECEIVE || arm < 0 || (uint32_t)arm >= at->recv.arms.n) return NULL;
    return at->recv.arms.v[arm];
}

int eval_frame_locals(Proc *p, int depth, int arm, EvalLocal *out, int max) {
    ShadowFrame *sf = frame_at(p, depth);
    if (!sf || !sf->at) return 0;
    const Code *code = sf->code;
    uint32_t file = sf->at->span.file, pos = sf->at->span.off;
    const Node *a = receive_arm(sf, arm);
    if (a) pos = a->arm.body ? a->arm.body->span.off : a->span.off + a->span.len - 1;
    int n = 0;
    for (uint32_t i = 0; i < code->nlocals && n < max; i++) {
        const CodeLocal *l = &code->locals[i];
        if (l->file != file || pos < l->from || pos >= l->to || l->slot >= code->nslots) continue;
        int k = 0;
        while (k < n && strcmp(out[k].name, l->name) != 0) k++;
        if (k == n) n++;
        else { /* shadowed: the later binding, in its place in the order */
            memmove(&out[k], &out[k + 1], (size_t)(n - k - 1) * sizeof *out);
            k = n - 1;
        }
        out[k] = (EvalLocal){l->name, sf->slots[l->slot]};
    }
    return n;
}

const char *eval_receive_arm(Proc *p, int depth, int arm, size_t *len) {
    ShadowFrame *sf = frame_at(p, depth);
    const Node *a = sf ? receive_arm(sf, arm) : NULL;
    if (!a) return NULL;
    Span s = a->arm.pat->span;
    if (a->arm.guard) s.len = a->arm.guard->span.off + a->arm.guard->span.len - s.off;
    const SourceFile *f = src_get(s.file);
    if (!f) return NULL;
    *len = s.len;
    return f->text + s.off;
}
