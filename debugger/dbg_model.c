/* dbg_model.c — what the debugger knows about a run, built from the event
 * stream: one DbgProc per process ever spawned (indexed by pid serial), the
 * timeline of events with every send paired with the receive that consumed
 * it, and the supervisors with their child slots.
 *
 * Send/receive pairing: each process keeps the sent-not-yet-received
 * messages in order; a receive takes the oldest one whose text equals the
 * received value's text.  Selective receive takes the oldest message that
 * matches an arm, and equal values match the same arms, so this is exact up
 * to values that render identically.
 *
 * Supervisor children: a process linked by a supervisor that spawned it is
 * that supervisor's child; it fills the first vacant slot, preferring a slot
 * whose last incarnation ran the same actor (restarts happen in declaration
 * order, so this names the restarted child).
 *
 * Invariant: the model is rebuilt from scratch by every (re)run, so stepping
 * back never has to undo anything. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "dbg.h"
#include "proc.h"
#include "rt.h"
#include "xalloc.h"


static void proc_free(DbgProc *p) {
    free(p->name);
    free(p->reason);
    free(p->regname);
    free(p->rooms);
    free(p->pending);
    free(p->arm);
}

/* ---- interned texts: open addressing, never shrinks ------------------------------------ */

static struct {
    char **slot;
    size_t cap, n;
} IT;

static uint64_t text_hash(const char *s) {
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

const char *dm_intern(const char *s) {
    if (!s) return NULL;
    if (IT.n * 2 >= IT.cap) {
        size_t ncap = IT.cap ? IT.cap * 2 : 256;
        char **ns = xcalloc(ncap, sizeof *ns);
        for (size_t i = 0; i < IT.cap; i++) {
            if (!IT.slot[i]) continue;
            size_t k = text_hash(IT.slot[i]) & (ncap - 1);
            while (ns[k]) k = (k + 1) & (ncap - 1);
            ns[k] = IT.slot[i];
        }
        free(IT.slot);
        IT.slot = ns;
        IT.cap = ncap;
    }
    size_t k = text_hash(s) & (IT.cap - 1);
    while (IT.slot[k]) {
        if (!strcmp(IT.slot[k], s)) return IT.slot[k];
        k = (k + 1) & (IT.cap - 1);
    }
    IT.slot[k] = xstrdup(s);
    IT.n++;
    return IT.slot[k];
}

void dm_intern_free(void) {
    for (size_t i = 0; i < IT.cap; i++) free(IT.slot[i]);
    free(IT.slot);
    memset(&IT, 0, sizeof IT);
}

void dm_free(DbgModel *m) {
    for (uint64_t i = 0; i < m->nprocs; i++) proc_free(&m->procs[i]);
    free(m->procs);
    for (uint32_t i = 0; i < m->nevs; i++) {
        free(m->evs[i].val);
    }
    free(m->evs);
    for (int i = 0; i < m->nsups; i++) {
        DbgSup *s = &m->sups[i];
        if (s->ch) {
            /* the child count lives in the definition; reasons are freed by owner */
            free(s->ch);
        }
    }
    free(m->sups);
    memset(m, 0, sizeof *m);
    m->running = DBG_NONE;
}

void dm_reset(DbgModel *m, const DbgSupDef *defs, int ndefs, const DbgSvcDef *svcdefs, int nsvcdefs) {
    dm_free(m);
    m->defs = defs;
    m->ndefs = ndefs;
    m->svcdefs = svcdefs;
    m->nsvcdefs = nsvcdefs;
}

DbgProc *dm_proc(DbgModel *m, uint64_t pid) {
    if (pid == DBG_NONE || (pid >> 40)) return NULL;
    uint64_t s = pid_serial(pid);
    if (s >= m->nprocs || m->procs[s].pid != pid) return NULL;
    return &m->procs[s];
}

static DbgProc *ensure_proc(DbgModel *m, uint64_t pid) {
    if (pid == DBG_NONE || (pid >> 40)) return NULL;
    uint64_t s = pid_serial(pid);
    if (s >= m->capprocs) {
        uint64_t cap = m->capprocs ? m->capprocs : 64;
        while (cap <= s) cap *= 2;
        m->procs = xrealloc(m->procs, cap * sizeof *m->procs);
        memset(m->procs + m->capprocs, 0, (cap - m->capprocs) * sizeof *m->procs);
        m->capprocs = cap;
    }
    while (m->nprocs <= s) {
        DbgProc *p = &m->procs[m->nprocs];
        memset(p, 0, sizeof *p);
        p->pid = DBG_NONE;
        m->nprocs++;
    }
    DbgProc *p = &m->procs[s];
    if (p->pid != pid) {
        memset(p, 0, sizeof *p);
        p->pid = pid;
        p->parent = DBG_NONE;
        p->sup = p->sup_of = p->slot = p->svc = -1;
        p->state = DP_NEW;
    }
    return p;
}

const char *dm_state_name(DbgPState s) {
    static const char *const names[] = {"new", "runnable", "running", "waiting", "sleeping", "dead", "discarded"};
    return names[s];
}

const char *dm_kind_name(int kind) {
    static const char *const names[EV__COUNT] = {
        [EV_SPAWN] = "spawn", [EV_SEND] = "send", [EV_RECEIVE] = "receive",
        [EV_EXIT] = "exit", [EV_LINK] = "link", [EV_UNLINK] = "unlink",
        [EV_MONITOR] = "monitor", [EV_DEMONITOR] = "demonitor", [EV_DOWN] = "down",
        [EV_EXIT_SIGNAL] = "exit-signal", [EV_REGISTER] = "register",
        [EV_UNREGISTER] = "unregister", [EV_TIMER_SET] = "timer-set",
        [EV_TIMER_FIRE] = "timer-fire", [EV_PANIC] = "panic", [EV_PREEMPT] = "preempt",
        [EV_YIELD] = "yield", [EV_BLOCK] = "block", [EV_WAKE] = "wake", [EV_RUN] = "run",
        [EV_DISCARD] = "discard", [EV_CLOCK] = "clock", [EV_RESTART] = "restart",
        [EV_CHILD_START] = "child-start", [EV_QUERY] = "query", [EV_IO] = "io", [EV_INPUT] = "input",
        [EV_HTTP_REQUEST] = "http-request", [EV_HTTP_RESPONSE] = "http-response",
        [EV_WS_FRAME] = "ws-frame", [EV_WS_ROOM] = "ws-room",
        [EV_NODE_UP] = "node-up", [EV_NODE_DOWN] = "node-down",
    };
    if (kind < 0 || kind >= EV__COUNT || !names[kind]) return "event";
    return names[kind];
}

bool dm_is_learner_event(const DbgEv *e) {
    switch (e->kind) {
    case EV_RUN: case EV_PREEMPT: case EV_YIELD: case EV_BLOCK: case EV_WAKE: case EV_CLOCK:
    case EV_IO: case EV_INPUT: /* the journal's records: `query` says what a database call did */
        return false;
    case EV_TIMER_SET:
    case EV_TIMER_FIRE:
        return e->text && strcmp(e->text, "send_after") == 0;
    default:
        return true;
    }
}

bool dm_is_message_event(const DbgEv *e) {
    switch (e->kind) {
    case EV_SEND: case EV_RECEIVE: case EV_DOWN: return true;
    case EV_EXIT_SIGNAL: return e->text && strcmp(e->text, "trapped") == 0;
    case EV_TIMER_FIRE: return e->text && strcmp(e->text, "send_after") == 0;
    default: return false;
    }
}

/* ---- supervisors --------------------------------------------------------------- */

static int supdef_named(DbgModel *m, const char *name) {
    if (!name) return -1;
    for (int i = 0; i < m->ndefs; i++)
        if (strcmp(m->defs[i].name, name) == 0) return i;
    return -1;
}

static void sup_new(DbgModel *m, DbgProc *p, int def) {
    if (m->nsups == m->capsups) {
        m->capsups = m->capsups ? m->capsups * 2 : 8;
        m->sups = xrealloc(m->sups, (size_t)m->capsups * sizeof *m->sups);
    }
    DbgSup *s = &m->sups[m->nsups];
    memset(s, 0, sizeof *s);
    s->pid = p->pid;
    s->def = def;
    int n = m->defs[def].nchildren;
    s->ch = xrealloc(NULL, (size_t)(n ? n : 1) * sizeof *s->ch);
    for (int i = 0; i < n; i++) s->ch[i] = (DbgChild){.pid = DBG_NONE};
    p->sup = m->nsups++;
}

/* EV_CHILD_START: supervisor sp started child `name` as kid (a first start or
 * a restart: the slot's previous incarnation is then replaced). */
static void sup_child_start(DbgModel *m, DbgProc *sp, DbgProc *kid, const char *name) {
    if (!sp || !kid || sp->sup < 0 || !name) return;
    DbgSup *s = &m->sups[sp->sup];
    const DbgSupDef *sd = &m->defs[s->def];
    int slot = -1;
    for (int i = 0; i < sd->nchildren; i++)
        if (strcmp(sd->ch[i].name, name) == 0) slot = i;
    if (slot < 0) return;
    DbgChild *c = &s->ch[slot];
    if (c->pid != DBG_NONE) c->restarts++;
    c->pid = kid->pid;
    c->dead = false;
    c->removed = false;
    kid->sup_of = sp->sup;
    kid->slot = slot;
    kid->restarts = c->restarts;
}

static bool reason_is_normal(const char *r) {
    return r && (strcmp(r, "Normal") == 0 || strcmp(r, "Shutdown") == 0);
}

static void sup_child_exit(DbgModel *m, DbgProc *kid) {
    if (kid->sup_of < 0) return;
    DbgSup *s = &m->sups[kid->sup_of];
    DbgChild *c = &s->ch[kid->slot];
    if (c->pid != kid->pid) return;
    c->dead = true;
    c->reason = kid->reason; /* owned by the DbgProc */
    const char *rt = m->defs[s->def].ch[kid->slot].restart;
    if (rt && strcmp(rt, "temporary") == 0) c->removed = true;
    if (rt && strcmp(rt, "transient") == 0 && reason_is_normal(kid->reason)) c->removed = true;
}

/* ---- pairing sends and receives ---------------------------------------------------- */

/* A WebSocket connection joined or left a room: keep p->rooms ("a, b"). */
static void rooms_update(DbgProc *p, const char *room, bool join) {
    SB b;
    sb_init(&b);
    bool found = false;
    const char *s = p->rooms;
    while (s && *s) {
        const char *e = strstr(s, ", ");
        size_t n = e ? (size_t)(e - s) : strlen(s);
        bool same = n == strlen(room) && memcmp(s, room, n) == 0;
        found |= same;
        if (!same || join) {
            if (b.len) sb_put(&b, ", ", 2);
            sb_put(&b, s, n);
        }
        s = e ? e + 2 : s + n;
    }
    if (join && !found) {
        if (b.len) sb_put(&b, ", ", 2);
        sb_puts(&b, room);
    }
    free(p->rooms);
    p->rooms = b.len ? sb_detach(&b) : NULL;
    sb_free(&b);
}

static void pending_push(DbgProc *p, uint32_t idx) {
    if (p->npending == p->cappending) {
        p->cappending = p->cappending ? p->cappending * 2 : 8;
        p->pending = xrealloc(p->pending, p->cappending * sizeof *p->pending);
    }
    p->pending[p->npending++] = idx;
}

/* The message text a pending event put into a mailbox. */
static void pending_text(DbgModel *m, const DbgEv *e, SB *b) {
    char a[48];
    const char *v = e->val ? e->val : "";
    switch (e->kind) {
    case EV_DOWN:
        dbg_fmt_pid(a, sizeof a, e->other);
        sb_printf(b, "Down(#Ref<%" PRIu64 ">, %s, %s)", e->ref, a, v);
        break;
    case EV_EXIT_SIGNAL:
        dbg_fmt_pid(a, sizeof a, e->other);
        sb_printf(b, "Exit(%s, %s)", a, v);
        break;
    default: sb_puts(b, v); break;
    }
    (void)m;
}

static void pair_receive(DbgModel *m, DbgProc *p, DbgEv *r) {
    if (!r->val) return;
    SB b;
    sb_init(&b);
    for (uint32_t i = 0; i < p->npending; i++) {
        DbgEv *s = &m->evs[p->pending[i]];
        b.len = 0;
        pending_text(m, s, &b);
        if (strcmp(sb_cstr(&b), r->val) != 0) continue;
        s->pair = r->step;
        r->pair = s->step;
        memmove(p->pending + i, p->pending + i + 1, (p->npending - i - 1) * sizeof *p->pending);
        p->npending--;
        break;
    }
    sb_free(&b);
}

/* ---- recording ----------------------------------------------------------------------- */

static const char *state_wait(const char *on, DbgPState *st) {
    if (!on) { *st = DP_WAITING; return "?"; }
    if (strcmp(on, "sleep") == 0) { *st = DP_SLEEPING; return "sleep"; }
    *st = DP_WAITING;
    if (strncmp(on, "receive", 7) == 0) return "receive";
    if (strcmp(on, "io") == 0) return "io";
    return "reply";
}

void dm_slice_end(DbgModel *m) {
    if (m->running == DBG_NONE) return;
    Proc *p = proc_find(m->running);
    DbgProc *dp = dm_proc(m, m->running);
    if (p && dp) {
        ProcInfo pi;
        proc_info(p, &pi);
        dp->reductions += (uint64_t)pi.reds_used;
    }
    m->running = DBG_NONE;
}

/* Runtime messages (service requests and replies, job results) in words:
 * `call Withdraw(120)`, `cast Deposit(50)`, `reply true`. */
void dm_message_text(DbgModel *m, uint64_t to, uint32_t kind, Value v, SB *b, size_t max) {
    if (kind < MB_RUNTIME || v.tag != T_TUPLE) {
        dbg_fmt(b, v, max);
        return;
    }
    TupleObj *t = AS_TUPLE(v);
    DbgProc *dest = dm_proc(m, to);
    if (kind == MB_SVC_REQUEST && dest && dest->svc >= 0 && t->n >= 3 && t->items[0].tag == T_INT) {
        const DbgSvcDef *sd = &m->svcdefs[dest->svc];
        int64_t h = t->items[0].i;
        bool call = t->items[1].tag == T_PID;
        const char *name = h >= 0 && h < sd->nhandlers ? sd->handlers[h] : "?";
        sb_printf(b, "%s %s(", call ? "call" : "cast", name);
        for (uint32_t i = 3; i < t->n; i++) {
            if (i > 3) sb_puts(b, ", ");
            dbg_fmt(b, t->items[i], max / 2);
        }
        sb_putc(b, ')');
    } else if (kind == MB_SVC_REPLY && t->n == 2) {
        sb_puts(b, "reply ");
        dbg_fmt(b, t->items[1], max);
    } else if (kind == MB_JOB_RESULT && t->n == 2) {
        sb_puts(b, "job result ");
        dbg_fmt(b, t->items[1], max);
    } else {
        dbg_fmt(b, v, max);
    }
}

static char *runtime_msg_text(DbgModel *m, const Event *e) {
    SB b;
    sb_init(&b);
    dm_message_text(m, e->other == EV_NOPID ? DBG_NONE : e->other, (uint32_t)e->num, e->val, &b, 400);
    char *r = xstrdup(sb_cstr(&b));
    sb_free(&b);
    return r;
}

static DbgEv scratch_ev;

/* EV_QUERY: "SQL (2 params) -> 3 rows, 0.4 ms" */
static char *query_text(const Event *e) {
    const EvQuery *q = e->query;
    SB b;
    sb_init(&b);
    const char *sql = e->text ? e->text : "";
    size_t n = strlen(sql);
    sb_printf(&b, "%s %s", q->db, q->op);
    if (n) sb_printf(&b, " %.*s%s", n > 300 ? 300 : (int)n, sql, n > 300 ? "..." : "");
    if (q->params) sb_printf(&b, " (%d param%s)", q->params, q->params == 1 ? "" : "s");
    if (q->error) sb_printf(&b, " -> Err(%s)", q->error);
    else if (q->rows >= 0 && !strcmp(q->op, "query")) sb_printf(&b, " -> %" PRId64 " row%s", q->rows, q->rows == 1 ? "" : "s");
    else if (q->rows >= 0) sb_printf(&b, " -> %" PRId64, q->rows);
    else sb_puts(&b, " -> ok");
    if (q->us < 1000) sb_printf(&b, ", %" PRId64 " us", q->us);
    else sb_printf(&b, ", %" PRId64 ".%" PRId64 " ms", q->us / 1000, (q->us % 1000) / 100);
    char *r = xstrdup(sb_cstr(&b));
    sb_free(&b);
    return r;
}

DbgEv *dm_record(DbgModel *m, const Event *e) {
    DbgEv *d;
    uint32_t idx = m->nevs;
    if (m->nevs >= DBG_MAX_EVENTS) {
        m->truncated = true;
        free(scratch_ev.val);
        d = &scratch_ev;
        idx = UINT32_MAX;
    } else {
        if (m->nevs == m->capevs) {
            m->capevs = m->capevs ? m->capevs * 2 : 1024;
            m->evs = xrealloc(m->evs, m->capevs * sizeof *m->evs);
        }
        d = &m->evs[m->nevs++];
    }
    memset(d, 0, sizeof *d);
    m->cur = d;
    d->step = e->step;
    d->time = e->time;
    d->kind = (uint16_t)e->kind;
    d->pid = e->pid == EV_NOPID ? DBG_NONE : e->pid;
    d->other = e->other == EV_NOPID ? DBG_NONE : e->other;
    d->ref = e->ref;
    d->num = e->num;
    d->text = dm_intern(e->text);
    if (e->has_val) d->val = e->kind == EV_SEND ? runtime_msg_text(m, e) : dbg_fmt_str(e->val, 400);
    if (e->kind == EV_QUERY && e->query) d->val = query_text(e);
    m->last_step = e->step;
    m->now = e->time;
    if (d->pid != DBG_NONE && e->kind != EV_DISCARD && dm_is_learner_event(d)) {
        uint32_t file, line;
        if (dbg_proc_location(d->pid, &file, &line, NULL)) {
            d->file = file;
            d->line = line;
        }
    }

    DbgProc *p = dm_proc(m, d->pid);
    switch (e->kind) {
    case EV_SPAWN: {
        DbgProc *c = ensure_proc(m, d->other);
        if (!c) break;
        free(c->name);
        c->name = xstrdup(e->text ? e->text : d->pid == DBG_NONE ? "main" : "(fn)");
        c->parent = d->pid;
        c->spawn_step = d->step;
        c->state = DP_RUNNABLE;
        int def = supdef_named(m, e->text);
        if (def >= 0) sup_new(m, c, def);
        for (int i = 0; e->text && i < m->nsvcdefs; i++)
            if (!strcmp(m->svcdefs[i].name, e->text)) c->svc = i;
        break;
    }
    case EV_RUN:
        if (p) {
            p->state = DP_RUNNING;
            p->ran = true;
        }
        m->running = d->pid;
        break;
    case EV_PREEMPT:
    case EV_YIELD:
    case EV_WAKE:
        if (p && p->state != DP_DEAD) p->state = DP_RUNNABLE;
        break;
    case EV_BLOCK:
        if (p) p->wait_on = state_wait(e->text, &p->state);
        break;
    case EV_EXIT:
        if (!p) break;
        if (m->running == d->pid) dm_slice_end(m);
        p->state = DP_DEAD;
        p->exit_step = d->step;
        free(p->reason);
        p->reason = xstrdup(d->val ? d->val : "?");
        free(p->regname);
        p->regname = NULL;
        free(p->rooms);
        p->rooms = NULL;
        p->npending = 0;
        sup_child_exit(m, p);
        break;
    case EV_DISCARD:
        if (!p) break;
        p->state = DP_DISCARDED;
        p->exit_step = d->step;
        free(p->reason);
        p->reason = xstrdup("discarded at the end of the program");
        break;
    case EV_SEND: {
        if (p) p->sent++;
        DbgProc *t = dm_proc(m, d->other);
        if (pid_node(d->other) != 0) break; /* to another node: not dropped, nobody here receives it */
        if (!proc_find(d->other) || !t) {
            d->dropped = true;
            break;
        }
        if ((d->num == MB_USER || d->num == MB_SIGNAL) && idx != UINT32_MAX) pending_push(t, idx);
        break;
    }
    case EV_DOWN:
    case EV_EXIT_SIGNAL:
        if (e->kind == EV_EXIT_SIGNAL && !(e->text && strcmp(e->text, "trapped") == 0)) break;
        if (p && idx != UINT32_MAX) pending_push(p, idx);
        break;
    case EV_TIMER_FIRE:
        if (e->text && strcmp(e->text, "send_after") == 0) {
            DbgProc *t = dm_proc(m, d->other);
            if (t && proc_find(d->other) && idx != UINT32_MAX) pending_push(t, idx);
            else d->dropped = true;
        }
        break;
    case EV_RECEIVE:
        if (!p) break;
        if (d->num >= 0) {
            p->received++;
            pair_receive(m, p, d);
        }
        break;
    case EV_REGISTER:
        if (p) {
            free(p->regname);
            p->regname = e->text ? xstrdup(e->text) : NULL;
        }
        break;
    case EV_UNREGISTER:
        if (p) {
            free(p->regname);
            p->regname = NULL;
        }
        break;
    case EV_CHILD_START:
        sup_child_start(m, p, dm_proc(m, d->other), e->text);
        break;
    case EV_RESTART:
        if (p && p->sup >= 0) m->sups[p->sup].restarts++;
        d->text2 = dm_intern(e->text2);
        break;
    case EV_WS_FRAME:
        d->text2 = dm_intern(e->text2);
        break;
    case EV_WS_ROOM:
        d->text2 = dm_intern(e->text2);
        if (p && e->text) rooms_update(p, e->text, e->text2 && strcmp(e->text2, "join") == 0);
        break;
    default: break;
    }
    return d;
}

DbgEv *dm_find_step(DbgModel *m, uint64_t step) {
    uint32_t lo = 0, hi = m->nevs;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (m->evs[mid].step < step) lo = mid + 1;
        else hi = mid;
    }
    return lo < m->nevs && m->evs[lo].step == step ? &m->evs[lo] : NULL;
}

/* ---- descriptions ------------------------------------------------------------------------- */

static void who(DbgModel *m, SB *b, uint64_t pid) {
    char a[48];
    dbg_fmt_pid(a, sizeof a, pid);
    sb_puts(b, a);
    DbgProc *p = dm_proc(m, pid);
    if (p && p->name) {
        sb_putc(b, ' ');
        sb_puts(b, p->name);
    }
}

void dm_describe(DbgModel *m, const DbgEv *e, SB *b) {
    const char *v = e->val ? e->val : "";
    switch (e->kind) {
    case EV_SPAWN:
        if (e->pid == DBG_NONE) {
            sb_puts(b, "start ");
            who(m, b, e->other);
        } else {
            sb_puts(b, "spawn ");
            who(m, b, e->pid);
            sb_puts(b, " -> ");
            who(m, b, e->other);
        }
        break;
    case EV_SEND:
        sb_puts(b, "send ");
        who(m, b, e->pid);
        sb_puts(b, " -> ");
        who(m, b, e->other);
        sb_printf(b, ": %s", v);
        if (e->num == MB_SIGNAL) sb_puts(b, " [signal]");
        else if (e->num >= MB_RUNTIME && e->num != MB_SVC_REQUEST && e->num != MB_SVC_REPLY && e->num != MB_JOB_RESULT) sb_puts(b, " [runtime]");
        if (e->dropped) sb_puts(b, " (dropped: no such process)");
        break;
    case EV_RECEIVE:
        sb_puts(b, "receive ");
        who(m, b, e->pid);
        if (e->num < 0) sb_puts(b, ": `after` timeout");
        else sb_printf(b, ": %s (arm %" PRId64 ")", v, e->num + 1);
        break;
    case EV_EXIT:
        sb_puts(b, "exit ");
        who(m, b, e->pid);
        sb_printf(b, ": %s", v);
        break;
    case EV_LINK:
    case EV_UNLINK:
        sb_puts(b, e->kind == EV_LINK ? "link " : "unlink ");
        who(m, b, e->pid);
        sb_puts(b, " <-> ");
        who(m, b, e->other);
        break;
    case EV_MONITOR:
        sb_puts(b, "monitor ");
        who(m, b, e->pid);
        sb_puts(b, " watches ");
        who(m, b, e->other);
        sb_printf(b, " (#Ref<%" PRIu64 ">)", e->ref);
        break;
    case EV_DEMONITOR:
        sb_puts(b, "demonitor ");
        who(m, b, e->pid);
        sb_printf(b, " #Ref<%" PRIu64 ">%s", e->ref, e->num ? "" : " (not active)");
        break;
    case EV_DOWN: {
        char a[48];
        dbg_fmt_pid(a, sizeof a, e->other);
        sb_puts(b, "down ");
        who(m, b, e->pid);
        sb_printf(b, " gets Down(#Ref<%" PRIu64 ">, %s, %s)", e->ref, a, v);
        break;
    }
    case EV_EXIT_SIGNAL:
        sb_puts(b, "exit signal ");
        who(m, b, e->other);
        sb_puts(b, " -> ");
        who(m, b, e->pid);
        sb_printf(b, ": %s", v);
        if (e->text) {
            if (strcmp(e->text, "trapped") == 0) sb_puts(b, " (trapped: becomes an Exit message)");
            else if (strcmp(e->text, "ignored") == 0) sb_puts(b, " (ignored)");
            else if (strcmp(e->text, "kill") == 0) sb_puts(b, " (kill: untrappable)");
            else sb_puts(b, " (the target exits)");
        }
        break;
    case EV_REGISTER:
        sb_puts(b, "register ");
        who(m, b, e->pid);
        sb_printf(b, " as \"%s\"", e->text ? e->text : "");
        break;
    case EV_UNREGISTER:
        sb_printf(b, "unregister \"%s\"", e->text ? e->text : "");
        break;
    case EV_TIMER_SET:
        if (e->text && strcmp(e->text, "send_after") == 0) {
            sb_puts(b, "send_after ");
            who(m, b, e->pid);
            sb_puts(b, " -> ");
            who(m, b, e->other);
            sb_printf(b, " at %" PRId64 "ms: %s", e->num, v);
        } else {
            sb_printf(b, "timer %s ", e->text ? e->text : "");
            who(m, b, e->pid);
            sb_printf(b, " until %" PRId64 "ms", e->num);
        }
        break;
    case EV_TIMER_FIRE:
        if (e->text && strcmp(e->text, "send_after") == 0) {
            sb_puts(b, "timer delivers ");
            who(m, b, e->pid);
            sb_puts(b, " -> ");
            who(m, b, e->other);
            sb_printf(b, ": %s", v);
            if (e->dropped) sb_puts(b, " (dropped: no such process)");
        } else {
            sb_puts(b, "timer wakes ");
            who(m, b, e->other);
        }
        break;
    case EV_PANIC:
        sb_puts(b, "panic in ");
        who(m, b, e->pid);
        sb_printf(b, ": %s", e->text ? e->text : "");
        break;
    case EV_PREEMPT:
        sb_puts(b, "preempt ");
        who(m, b, e->pid);
        sb_printf(b, " (used its %d reductions)", PROC_REDUCTIONS);
        break;
    case EV_YIELD:
        sb_puts(b, "yield ");
        who(m, b, e->pid);
        break;
    case EV_BLOCK:
        sb_puts(b, "block ");
        who(m, b, e->pid);
        sb_printf(b, " in %s", e->text ? e->text : "?");
        break;
    case EV_WAKE:
        sb_puts(b, "wake ");
        who(m, b, e->pid);
        sb_printf(b, " (%s)", e->text ? e->text : "?");
        break;
    case EV_RUN:
        sb_puts(b, "run ");
        who(m, b, e->pid);
        break;
    case EV_DISCARD:
        sb_puts(b, "discard ");
        who(m, b, e->pid);
        sb_puts(b, " (program finished)");
        break;
    case EV_CLOCK:
        sb_printf(b, "clock jumps to %" PRId64 "ms", e->num);
        break;
    case EV_QUERY:
        who(m, b, e->pid);
        sb_printf(b, " %s", v);
        break;
    case EV_CHILD_START:
        sb_puts(b, "supervisor ");
        who(m, b, e->pid);
        sb_printf(b, " starts child %s as ", e->text ? e->text : "?");
        who(m, b, e->other);
        break;
    case EV_RESTART:
        sb_puts(b, "supervisor ");
        who(m, b, e->pid);
        sb_printf(b, " restarts child %s (", e->text ? e->text : "?");
        who(m, b, e->other);
        sb_printf(b, " exited: %s; %s, restart %" PRId64 " in the window)", v, e->text2 ? e->text2 : "?", e->num);
        break;
    case EV_HTTP_REQUEST: /* a request as a message the connection process took */
        who(m, b, e->pid);
        sb_printf(b, " reads request %s", e->text ? e->text : "?");
        break;
    case EV_HTTP_RESPONSE:
        who(m, b, e->pid);
        sb_printf(b, " answers %s \u2192 %" PRId64, e->text ? e->text : "?", e->num);
        break;
    case EV_WS_FRAME: /* a frame as a message the connection process took or sent */
        who(m, b, e->pid);
        sb_printf(b, " %s WebSocket frame: %s", e->text2 && !strcmp(e->text2, "out") ? "sends" : "reads",
                  e->text ? e->text : "?");
        break;
    case EV_WS_ROOM:
        who(m, b, e->pid);
        sb_printf(b, " %s room \"%s\"", e->text2 && !strcmp(e->text2, "join") ? "joins" : "leaves",
                  e->text ? e->text : "");
        break;
    default:
        sb_printf(b, "%s", dm_kind_name(e->kind));
        break;
    }
}
