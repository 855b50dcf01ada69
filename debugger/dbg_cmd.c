/* dbg_cmd.c — the debugger's command language, shared by headless scripts
 * (`--script "next; back"`), the TUI's `:` prompt and its keys, plus the
 * breakpoints it manages.
 *
 * Commands (aliases in parentheses):
 *   next (n)  next-message (m)  continue (c)  back (b)  restart (r)
 *   goto STEP  seed N  select PID|NAME  follow on|off  filter all|learner
 *   break PID | break-process PID   break-fn NAME   break-line [FILE:]LINE
 *   break-msg PATTERN [when GUARD]  break-panic on|off  delete N|all
 *   search TEXT  search-next  search-prev  view NAME  quit (q)  help
 *
 * Breakpoints are checked on every recorded event (except while re-running
 * to a known step): a process breakpoint fires on events of that process and
 * on messages sent to it; a function breakpoint on events done by a running
 * process of that actor or with that function on its call stack; a line
 * breakpoint on events done by a process executing that line; a message breakpoint on every
 * send (and send_after delivery) whose message matches the pattern. */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "dbg.h"
#include "eval.h"
#include "mbox.h"
#include "proc.h"
#include "source.h"
#include "xalloc.h"

static void say(Dbg *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(Dbg *d, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
}

bool dbg_visible(Dbg *d, const DbgEv *e) { return d->all_events || dm_is_learner_event(e); }

uint64_t dbg_prev_visible(Dbg *d) {
    uint64_t cur = d->m.last_step;
    for (uint32_t i = d->m.nevs; i-- > 0;) {
        DbgEv *e = &d->m.evs[i];
        if (e->step < cur && dbg_visible(d, e)) return e->step;
    }
    return 0;
}

/* ---- breakpoints ------------------------------------------------------------------- */

static void bp_free(DbgBreak *b) {
    free(b->name);
    free(b->file);
    free(b->text);
    if (b->pat) dbg_pattern_free(b->pat);
}

void dbg_break_free_all(Dbg *d) {
    for (int i = 0; i < d->nbps; i++) bp_free(&d->bps[i]);
    free(d->bps);
    d->bps = NULL;
    d->nbps = d->capbps = 0;
}

static DbgBreak *bp_add(Dbg *d, BpKind kind, const char *text) {
    if (d->nbps == d->capbps) {
        d->capbps = d->capbps ? d->capbps * 2 : 8;
        d->bps = xrealloc(d->bps, (size_t)d->capbps * sizeof *d->bps);
    }
    DbgBreak *b = &d->bps[d->nbps++];
    memset(b, 0, sizeof *b);
    b->id = d->next_bp++;
    b->kind = kind;
    b->text = xstrdup(text);
    return b;
}

static const char *base_name(const char *path) {
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static bool fn_on_stack(uint64_t pid, const char *name) {
    Proc *p = proc_find(pid);
    EvalFrameInfo fi[64];
    int n = eval_proc_frames(p, fi, 64);
    for (int i = 0; i < n; i++)
        if (fi[i].function && strcmp(fi[i].function, name) == 0) return true;
    return false;
}

bool dbg_break_hit(Dbg *d, const DbgEv *e, const Event *raw, int *which) {
    bool visible = dbg_visible(d, e);
    /* function and line breakpoints concern the process executing the code
     * (not the one a Down or a wake-up is about) */
    uint64_t running = proc_self_pid();
    if (running == EV_NOPID) running = DBG_NONE;
    for (int i = 0; i < d->nbps; i++) {
        DbgBreak *b = &d->bps[i];
        bool hit = false;
        switch (b->kind) {
        case BP_PROC:
            hit = visible && (e->pid == b->pid || (e->kind == EV_SEND && e->other == b->pid));
            break;
        case BP_FN: {
            if (!visible || e->pid == DBG_NONE || e->pid != running) break;
            DbgProc *p = dm_proc(&d->m, e->pid);
            hit = (p && p->name && strcmp(p->name, b->name) == 0) || fn_on_stack(e->pid, b->name);
            break;
        }
        case BP_LINE:
            if (!visible || e->line != b->line || e->pid != running) break;
            if (b->file) {
                SourceFile *sf = src_get(e->file);
                hit = sf && strcmp(base_name(sf->path), b->file) == 0;
            } else hit = true;
            break;
        case BP_MSG:
            if (!raw || !raw->has_val) break;
            if (e->kind == EV_SEND && e->num == MB_SVC_REQUEST) {
                /* a service call/cast: matched as Handler(args...) */
                DbgProc *svc = dm_proc(&d->m, e->other);
                Value v = raw->val;
                if (!svc || svc->svc < 0 || v.tag != T_TUPLE || AS_TUPLE(v)->n < 3) break;
                TupleObj *t = AS_TUPLE(v);
                const DbgSvcDef *sd = &d->m.svcdefs[svc->svc];
                int64_t h = t->items[0].tag == T_INT ? t->items[0].i : -1;
                if (h >= 0 && h < sd->nhandlers)
                    hit = dbg_pattern_match_call(b->pat, sd->handlers[h], t->items + 3, t->n - 3);
            } else if (e->kind == EV_DOWN) {
                /* the Down(ref, pid, reason) the watcher will receive */
                Value args[3] = {v_ref(e->ref), v_pid(e->other), raw->val};
                hit = dbg_pattern_match_call(b->pat, "Down", args, 3);
            } else if (e->kind == EV_EXIT_SIGNAL && e->text && !strcmp(e->text, "trapped")) {
                Value args[2] = {v_pid(e->other), raw->val};
                hit = dbg_pattern_match_call(b->pat, "Exit", args, 2);
            } else if ((e->kind == EV_SEND && e->num < MB_RUNTIME) ||
                       (e->kind == EV_TIMER_FIRE && e->text && strcmp(e->text, "send_after") == 0)) {
                hit = dbg_pattern_match(b->pat, raw->val);
            }
            break;
        }
        if (hit) {
            *which = b->id;
            return true;
        }
    }
    return false;
}

/* ---- helpers ----------------------------------------------------------------------------- */

static bool parse_pid(const char *s, uint64_t *pid) {
    /* <0.N>, 0.N or N */
    const char *p = s;
    if (*p == '<') p++;
    if (p[0] == '0' && p[1] == '.') p += 2;
    char *end;
    unsigned long long n = strtoull(p, &end, 10);
    if (end == p) return false;
    if (*end == '>') end++;
    if (*end) return false;
    *pid = pid_make(0, 0, n);
    return true;
}

/* A pid, or the name of a process (the first alive one, else the newest). */
static bool find_proc(Dbg *d, const char *s, uint64_t *pid) {
    if (parse_pid(s, pid)) return dm_proc(&d->m, *pid) != NULL;
    uint64_t found = DBG_NONE;
    for (uint64_t i = 0; i < d->m.nprocs; i++) {
        DbgProc *p = &d->m.procs[i];
        if (p->pid == DBG_NONE || !p->name) continue;
        bool named = strcmp(p->name, s) == 0 || (p->regname && strcmp(p->regname, s) == 0);
        if (!named) continue;
        found = p->pid;
        if (p->state != DP_DEAD && p->state != DP_DISCARDED) break;
    }
    if (found == DBG_NONE) return false;
    *pid = found;
    return true;
}

static bool on_off(const char *s, bool *out) {
    if (strcmp(s, "on") == 0 || strcmp(s, "true") == 0 || strcmp(s, "yes") == 0) { *out = true; return true; }
    if (strcmp(s, "off") == 0 || strcmp(s, "false") == 0 || strcmp(s, "no") == 0) { *out = false; return true; }
    return false;
}

static bool icontains(const char *hay, const char *needle) {
    size_t n = strlen(needle);
    if (!n) return false;
    for (const char *p = hay; *p; p++) {
        size_t i = 0;
        while (i < n && p[i] && tolower((unsigned char)p[i]) == tolower((unsigned char)needle[i])) i++;
        if (i == n) return true;
    }
    return false;
}

static bool ev_matches(Dbg *d, const DbgEv *e, const char *text) {
    SB b;
    sb_init(&b);
    sb_printf(&b, "%" PRIu64 " ", e->step);
    dm_describe(&d->m, e, &b);
    bool r = icontains(sb_cstr(&b), text);
    sb_free(&b);
    return r;
}

/* Search the recorded timeline: dir -1 older than `from`, +1 newer. */
static void do_search(Dbg *d, uint64_t from, int dir) {
    if (!d->search[0]) {
        say(d, "nothing to search for: use `search TEXT` (or / in the TUI)");
        return;
    }
    if (dir < 0) {
        for (uint32_t i = d->m.nevs; i-- > 0;) {
            DbgEv *e = &d->m.evs[i];
            if (e->step >= from || !dbg_visible(d, e)) continue;
            if (ev_matches(d, e, d->search)) {
                d->search_hit = e->step;
                say(d, "found \"%s\" at step %" PRIu64, d->search, e->step);
                return;
            }
        }
    } else {
        for (uint32_t i = 0; i < d->m.nevs; i++) {
            DbgEv *e = &d->m.evs[i];
            if (e->step <= from || !dbg_visible(d, e)) continue;
            if (ev_matches(d, e, d->search)) {
                d->search_hit = e->step;
                say(d, "found \"%s\" at step %" PRIu64, d->search, e->step);
                return;
            }
        }
    }
    say(d, "\"%s\" not found %s step %" PRIu64 " in the timeline so far", d->search, dir < 0 ? "before" : "after",
        from);
}

static int view_named(const char *s) {
    static const char *const names[V__COUNT][2] = {
        {"processes", "procs"}, {"process", "proc"}, {"tree", "supervision"}, {"links", "monitors"},
        {"timeline", "chart"}, {"source", "src"}, {"nodes", "node"}, {"output", "out"}, {"breakpoints", "breaks"},
    };
    for (int i = 0; i < V__COUNT; i++)
        if (strcmp(s, names[i][0]) == 0 || strcmp(s, names[i][1]) == 0) return i;
    if (s[0] >= '1' && s[0] <= '9' && !s[1]) return s[0] - '1';
    return -1;
}

static const char help_text[] =
    "commands: next (n), next-message (m), continue (c), back (b), restart (r), goto STEP, seed N, "
    "select PID|NAME, break PID, break-fn NAME, break-line [FILE:]LINE, break-msg PATTERN [when GUARD], "
    "break-panic on|off, delete N|all, search TEXT, search-next, search-prev, filter all|learner, "
    "follow on|off, view NAME, quit (q)";

/* ---- the commands --------------------------------------------------------------------------- */

void dbg_exec(Dbg *d, const char *line) {
    d->action = ACT_NONE;
    while (*line == ' ' || *line == ':') line++;
    char word[64];
    size_t n = 0;
    while (line[n] && line[n] != ' ' && n < sizeof word - 1) {
        word[n] = line[n];
        n++;
    }
    word[n] = 0;
    const char *arg = line + n;
    while (*arg == ' ') arg++;
    uint64_t num;
    bool ended = d->ended;

    if (!strcmp(word, "next") || !strcmp(word, "n") || !strcmp(word, "step") || !strcmp(word, "s") ||
        !strcmp(word, "next-message") || !strcmp(word, "m") || !strcmp(word, "continue") || !strcmp(word, "c")) {
        if (ended) {
            say(d, "%s; b steps back, r restarts", d->ended_msg);
            return;
        }
        d->mode = word[0] == 'c' ? MODE_CONTINUE : (word[0] == 'm' || strchr(word, '-')) ? MODE_NEXT_MSG : MODE_NEXT;
        d->action = ACT_RESUME;
        return;
    }
    if (!strcmp(word, "back") || !strcmp(word, "b")) {
        if (d->m.last_step == 0) {
            say(d, "already at the start");
            return;
        }
        dbg_request_rerun(d, dbg_prev_visible(d));
        return;
    }
    if (!strcmp(word, "restart") || !strcmp(word, "r")) {
        dbg_request_rerun(d, 0);
        return;
    }
    if (!strcmp(word, "goto") || !strcmp(word, "g")) {
        if (!*arg || sscanf(arg, "%" SCNu64, &num) != 1) {
            say(d, "goto needs a step number");
            return;
        }
        if (num < d->m.last_step) dbg_request_rerun(d, num);
        else if (num > d->m.last_step && !ended) {
            d->mode = MODE_TO_STEP;
            d->target = num;
            d->action = ACT_RESUME;
        } else if (num > d->m.last_step) say(d, "the program ended at step %" PRIu64, d->m.last_step);
        return;
    }
    if (!strcmp(word, "seed")) {
        if (!*arg || sscanf(arg, "%" SCNu64, &num) != 1) {
            say(d, "seed needs a number (0 = FIFO order)");
            return;
        }
        d->seed = num;
        say(d, "seed %" PRIu64 ": restarted", num);
        dbg_request_rerun(d, 0);
        return;
    }
    if (!strcmp(word, "select") || !strcmp(word, "sel")) {
        uint64_t pid;
        if (!find_proc(d, arg, &pid)) {
            say(d, "no process %s (yet)", arg);
            return;
        }
        d->selected = pid;
        d->follow = false;
        return;
    }
    if (!strcmp(word, "follow")) {
        if (!on_off(arg, &d->follow)) say(d, "follow on|off");
        return;
    }
    if (!strcmp(word, "filter")) {
        if (!strcmp(arg, "all")) d->all_events = true;
        else if (!strcmp(arg, "learner") || !strcmp(arg, "default")) d->all_events = false;
        else say(d, "filter all (every scheduler event) | learner (spawn, messages, exits, links, ...)");
        return;
    }
    if (!strcmp(word, "break") || !strcmp(word, "break-process") || !strcmp(word, "bp")) {
        uint64_t pid;
        if (!*arg) {
            pid = d->selected;
        } else if (!parse_pid(arg, &pid) && !find_proc(d, arg, &pid)) {
            say(d, "break-process needs a pid like <0.3> (or the name of a process)");
            return;
        }
        char t[64], ps[48];
        dbg_fmt_pid(ps, sizeof ps, pid);
        snprintf(t, sizeof t, "process %s", ps);
        DbgBreak *b = bp_add(d, BP_PROC, t);
        b->pid = pid;
        say(d, "breakpoint %d: %s", b->id, t);
        return;
    }
    if (!strcmp(word, "break-fn") || !strcmp(word, "break-actor")) {
        if (!*arg) {
            say(d, "break-fn needs a function or actor name");
            return;
        }
        char t[200];
        snprintf(t, sizeof t, "function %s", arg);
        DbgBreak *b = bp_add(d, BP_FN, t);
        b->name = xstrdup(arg);
        say(d, "breakpoint %d: %s", b->id, t);
        return;
    }
    if (!strcmp(word, "break-line")) {
        const char *colon = strrchr(arg, ':');
        const char *ln = colon ? colon + 1 : arg;
        if (!*ln || sscanf(ln, "%" SCNu64, &num) != 1 || num == 0) {
            say(d, "break-line needs a line number (optionally FILE:LINE)");
            return;
        }
        char t[300];
        if (colon) snprintf(t, sizeof t, "line %.*s:%" PRIu64, (int)(colon - arg), arg, num);
        else snprintf(t, sizeof t, "line %" PRIu64, num);
        DbgBreak *b = bp_add(d, BP_LINE, t);
        b->line = (uint32_t)num;
        if (colon) b->file = xstrndup(base_name(arg), (size_t)(colon - base_name(arg)));
        say(d, "breakpoint %d: %s", b->id, t);
        return;
    }
    if (!strcmp(word, "break-msg") || !strcmp(word, "break-message")) {
        char err[300];
        DbgPattern *p = dbg_pattern_parse(arg, err, sizeof err);
        if (!p) {
            say(d, "bad message pattern: %s", err);
            return;
        }
        char t[300];
        snprintf(t, sizeof t, "message %s", arg);
        DbgBreak *b = bp_add(d, BP_MSG, t);
        b->pat = p;
        say(d, "breakpoint %d: %s", b->id, t);
        return;
    }
    if (!strcmp(word, "break-panic")) {
        if (!on_off(arg, &d->break_panic)) say(d, "break-panic on|off");
        else say(d, "stop at panics: %s", d->break_panic ? "on" : "off");
        return;
    }
    if (!strcmp(word, "delete") || !strcmp(word, "del")) {
        if (!strcmp(arg, "all") || !*arg) {
            dbg_break_free_all(d);
            say(d, "every breakpoint deleted");
            return;
        }
        int id = atoi(arg);
        for (int i = 0; i < d->nbps; i++)
            if (d->bps[i].id == id) {
                bp_free(&d->bps[i]);
                memmove(d->bps + i, d->bps + i + 1, (size_t)(d->nbps - i - 1) * sizeof *d->bps);
                d->nbps--;
                say(d, "breakpoint %d deleted", id);
                return;
            }
        say(d, "no breakpoint %s", arg);
        return;
    }
    if (!strcmp(word, "search") || !strcmp(word, "/")) {
        snprintf(d->search, sizeof d->search, "%s", arg);
        d->search_hit = 0;
        do_search(d, d->m.last_step + 1, -1);
        return;
    }
    if (!strcmp(word, "search-next") || !strcmp(word, "search-prev")) {
        uint64_t from = d->search_hit ? d->search_hit : d->m.last_step + 1;
        do_search(d, from, word[7] == 'n' ? 1 : -1);
        return;
    }
    if (!strcmp(word, "view")) {
        int v = view_named(arg);
        if (v < 0) say(d, "views: processes, process, tree, links, timeline, source, nodes, output, breakpoints");
        else d->view = v;
        return;
    }
    if (!strcmp(word, "quit") || !strcmp(word, "q") || !strcmp(word, "exit")) {
        d->action = ACT_QUIT;
        return;
    }
    if (!strcmp(word, "help") || !strcmp(word, "h") || !strcmp(word, "?")) {
        say(d, "%s", help_text);
        return;
    }
    if (!strcmp(word, "dump")) return; /* headless: the views are printed after it */
    if (!word[0]) return;
    say(d, "unknown command `%s` (try `help`)", word);
}
