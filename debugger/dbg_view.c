/* dbg_view.c — every view of the debugger as lines of plain text (DbgText):
 * processes, the selected process, the supervision tree, links and monitors,
 * the message timeline (a sequence chart), source, nodes, program output and
 * breakpoints.  The TUI draws these lines into its panes; the headless mode
 * prints them.  Given the same run, step and settings the text is the same
 * byte for byte (no addresses, no wall-clock time).
 *
 * Live details (mailbox contents, links, monitors, trap_exit, call stacks)
 * are read from the paused runtime's process records; this is the only file
 * besides dbg_model.c that looks inside a Proc, and it only reads. */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "dbg.h"
#include "eval.h"
#include "mbox.h"
#include "proc.h"
#include "registry.h"
#include "source.h"
#include "xalloc.h"

static int COLW = 10; /* timeline column width (8 on narrow panes) */

static const char *const view_names[V__COUNT] = {
    "Processes", "Process", "Supervision tree", "Links & monitors", "Timeline",
    "Source", "Nodes", "Output", "Breakpoints",
};

const char *dbg_view_name(int view) { return view >= 0 && view < V__COUNT ? view_names[view] : "?"; }

static void pidstr(char *b, size_t cap, uint64_t pid) { dbg_fmt_pid(b, cap, pid); }

static const char *pname(Dbg *d, uint64_t pid) {
    DbgProc *p = dm_proc(&d->m, pid);
    return p && p->name ? p->name : "?";
}

static bool alive(const DbgProc *p) { return p->state != DP_DEAD && p->state != DP_DISCARDED; }

/* The runtime record of a process the model considers alive (a dying
 * process stays in the runtime's table for a few events after its exit). */
static Proc *live(Dbg *d, uint64_t pid) {
    DbgProc *dp = dm_proc(&d->m, pid);
    return dp && alive(dp) ? proc_find(pid) : NULL;
}

/* ---- live reads ------------------------------------------------------------------------------ */

static size_t mbox_len(Dbg *d, uint64_t pid) {
    Proc *p = live(d, pid);
    return p ? mbox_peek_count(proc_mailbox(p)) : 0;
}

static uint64_t reductions(Dbg *d, DbgProc *dp) {
    uint64_t r = dp->reductions;
    if (d->m.running == dp->pid) {
        Proc *p = live(d, dp->pid);
        if (p) {
            ProcInfo pi;
            proc_info(p, &pi);
            r += (uint64_t)pi.reds_used;
        }
    }
    return r;
}

static void status_text(DbgProc *p, char *buf, size_t cap) {
    switch (p->state) {
    case DP_NEW:
    case DP_RUNNABLE: snprintf(buf, cap, "runnable"); break;
    case DP_RUNNING: snprintf(buf, cap, "running"); break;
    case DP_WAITING: snprintf(buf, cap, "waiting (%s)", p->wait_on ? p->wait_on : "?"); break;
    case DP_SLEEPING: snprintf(buf, cap, "sleeping"); break;
    case DP_DEAD: snprintf(buf, cap, "dead: %s", p->reason ? p->reason : "?"); break;
    case DP_DISCARDED: snprintf(buf, cap, "discarded"); break;
    }
}

static bool has_proc_bp(Dbg *d, uint64_t pid) {
    for (int i = 0; i < d->nbps; i++)
        if (d->bps[i].kind == BP_PROC && d->bps[i].pid == pid) return true;
    return false;
}

/* ---- title and current event ---------------------------------------------------------------- */

void dbg_title(Dbg *d, SB *b) {
    sb_printf(b, "snow trace %s | seed %" PRIu64 " | step %" PRIu64 " | t=%" PRId64 "ms", d->path, d->seed,
              d->m.last_step, d->m.now);
    if (d->ended) sb_printf(b, " | finished (exit %d)", d->status);
    if (!d->all_events) sb_puts(b, " | filter: learner");
    else sb_puts(b, " | filter: all events");
}

void dbg_current_event(Dbg *d, SB *b) {
    DbgEv *e = d->m.cur;
    if (!e) {
        sb_puts(b, "step 0: nothing has run yet");
        return;
    }
    sb_printf(b, "step %" PRIu64 ": ", e->step);
    dm_describe(&d->m, e, b);
}

uint64_t dbg_focus_pid(Dbg *d) { return d->selected; }

/* ---- processes --------------------------------------------------------------------------------- */

/* `s` cut to `w` display columns ("..." at the end when cut), in buf. */
static const char *fit(const char *s, int w, char *buf, size_t cap) {
    size_t n = strlen(s);
    if ((int)n <= w || w < 4) return s;
    snprintf(buf, cap, "%.*s...", w - 3, s);
    return buf;
}

static int digits(uint64_t v) {
    int n = 1;
    while (v >= 10) v /= 10, n++;
    return n;
}

/* The process table.  Columns grow with their contents (up to a limit,
 * then the text is cut with "..."), so that they never run into each
 * other: long names, pids and reduction counts in the millions. */
static void view_procs(Dbg *d, int width, DbgText *t) {
    int wpid = 5, wname = 12, wmbox = 4, wreds = 6, wst = 20;
    for (uint64_t i = 0; i < d->m.nprocs; i++) {
        DbgProc *p = &d->m.procs[i];
        if (p->pid == DBG_NONE) continue;
        char pid[48];
        pidstr(pid, sizeof pid, p->pid);
        if ((int)strlen(pid) > wpid) wpid = (int)strlen(pid);
        int nl = (int)strlen(p->name ? p->name : "?") + (p->regname ? (int)strlen(p->regname) + 3 : 0);
        if (nl > wname) wname = nl > 28 ? 28 : nl;
        if (alive(p) && digits(mbox_len(d, p->pid)) > wmbox) wmbox = digits(mbox_len(d, p->pid));
        if (digits(reductions(d, p)) > wreds) wreds = digits(reductions(d, p));
    }
    if (wpid < 7) wpid = 7;
    /* name and status share what the pane leaves them */
    int room = width - (2 + wpid + 1 + 1 + wmbox + 1 + wreds + 1 + 4) - 1;
    while (wname + wst > room && wst > 14) wst--;
    while (wname + wst > room && wname > 12) wname--;
    while (wname + wst > room && wst > 8) wst--;
    dt_add(t, DA_BOLD, "  %-*s %-*s %-*s %*s %*s %4s", wpid, "PID", wname, "NAME", wst, "STATUS", wmbox, "MBOX", wreds,
           "REDS", "RST");
    for (uint64_t i = 0; i < d->m.nprocs; i++) {
        DbgProc *p = &d->m.procs[i];
        if (p->pid == DBG_NONE) continue;
        char pid[48], st[200], rs[32], name[160], cut[160];
        pidstr(pid, sizeof pid, p->pid);
        status_text(p, st, sizeof st);
        if ((int)strlen(st) > wst) strcpy(st + wst - 3, "...");
        if (p->sup_of >= 0) snprintf(rs, sizeof rs, "%d", p->restarts);
        else if (p->sup >= 0) snprintf(rs, sizeof rs, "sup %d", d->m.sups[p->sup].restarts);
        else snprintf(rs, sizeof rs, "-");
        snprintf(name, sizeof name, "%s", p->name ? p->name : "?");
        if (p->regname) snprintf(name, sizeof name, "%s \"%s\"", p->name ? p->name : "?", p->regname);
        bool sel = p->pid == d->selected;
        int attr = sel ? DA_HILITE : alive(p) ? DA_NORMAL : DA_DIM;
        if (sel) t->focus = t->n;
        dt_add(t, attr, "%c%c%-*s %-*s %-*s %*zu %*" PRIu64 " %4s", sel ? '>' : ' ', has_proc_bp(d, p->pid) ? 'B' : ' ',
               wpid, pid, wname, fit(name, wname, cut, sizeof cut), wst, st, wmbox,
               alive(p) ? mbox_len(d, p->pid) : (size_t)0, wreds, reductions(d, p), rs);
    }
    if (t->n == 1) dt_add(t, DA_DIM, "  (no process yet: step to start main)");
}

/* ---- the selected process ------------------------------------------------------------------------ */

/* The innermost frame's variables in scope: an actor's arguments, its
 * `let`s, the variables of the receive arm that just matched. */
static void frame_variables(Dbg *d, DbgProc *dp, Proc *p, DbgText *t) {
    DbgEv *cur = d->m.cur;
    int arm = cur && cur->kind == EV_RECEIVE && cur->pid == dp->pid && cur->num >= 0 ? (int)cur->num : -1;
    EvalLocal loc[24];
    int n = eval_frame_locals(p, 0, arm, loc, 24);
    if (!n) return;
    SB b;
    sb_init(&b);
    for (int i = 0; i < n; i++) {
        sb_printf(&b, "%s%s = ", i ? ", " : "", loc[i].name);
        dbg_fmt(&b, loc[i].val, 80);
    }
    dt_add(t, 0, "    variables: %s", sb_cstr(&b));
    sb_free(&b);
}

static void view_proc(Dbg *d, int width, DbgText *t) {
    DbgProc *dp = dm_proc(&d->m, d->selected);
    char pid[48], ppid[48];
    pidstr(pid, sizeof pid, d->selected);
    if (!dp) {
        dt_add(t, DA_DIM, "%s has not been spawned yet", pid);
        return;
    }
    pidstr(ppid, sizeof ppid, dp->parent);
    if (dp->parent == DBG_NONE) dt_add(t, DA_BOLD, "%s %s (the main process)", pid, dp->name ? dp->name : "?");
    else
        dt_add(t, DA_BOLD, "%s %s  spawned by %s %s at step %" PRIu64, pid, dp->name ? dp->name : "?", ppid,
               pname(d, dp->parent), dp->spawn_step);
    char st[300];
    status_text(dp, st, sizeof st);
    Proc *p = live(d, dp->pid);
    ProcInfo pi;
    if (p) proc_info(p, &pi);
    if (p) dt_add(t, 0, "status: %s   trap_exit: %s", st, pi.trap_exit ? "true (linked crashes arrive as Exit messages)" : "false");
    else dt_add(t, 0, "status: %s", st);
    dt_add(t, 0, "reductions: %" PRIu64 "   sent: %u   received: %u", reductions(d, dp), dp->sent, dp->received);
    if (dp->regname) dt_add(t, 0, "registered as \"%s\"", dp->regname);
    if (dp->rooms) dt_add(t, 0, "WebSocket rooms: %s", dp->rooms);
    if (dp->sup_of >= 0) {
        DbgSup *s = &d->m.sups[dp->sup_of];
        const DbgSupDef *sd = &d->m.defs[s->def];
        char sp[48];
        pidstr(sp, sizeof sp, s->pid);
        dt_add(t, 0, "supervised: child %s of %s %s (%s, restarted %d time%s)", sd->ch[dp->slot].name, sp, sd->name,
               sd->ch[dp->slot].restart, s->ch[dp->slot].restarts, s->ch[dp->slot].restarts == 1 ? "" : "s");
    }
    if (dp->sup >= 0) {
        const DbgSupDef *sd = &d->m.defs[d->m.sups[dp->sup].def];
        dt_add(t, 0, "supervisor %s: %s, max %d restarts in %d s", sd->name, sd->strategy, sd->max_restarts,
               sd->max_seconds);
    }
    if (!p) {
        if (dp->state == DP_DEAD)
            dt_add(t, DA_ERROR, "exited at step %" PRIu64 " with reason %s", dp->exit_step, dp->reason ? dp->reason : "?");
        else if (dp->state == DP_DISCARDED)
            dt_add(t, DA_DIM, "discarded at step %" PRIu64 " (still blocked when the program finished)", dp->exit_step);
        return;
    }
    /* call stack */
    if (pi.hibernated) {
        dt_add(t, DA_DIM, "call stack: (hibernated: stored compactly while another process uses its stack slot)");
    } else {
        EvalFrameInfo fi[32];
        int n = eval_proc_frames(p, fi, 32);
        if (n == 0)
            dt_add(t, DA_DIM, "call stack: %s", dp->ran ? "(no Snow code: the runtime's own loop, e.g. a supervisor or a service)"
                                                       : "(not started yet)");
        else dt_add(t, DA_BOLD, "call stack (innermost first):");
        for (int i = 0; i < n; i++) {
            const char *f = fi[i].file ? fi[i].file : "?";
            const char *slash = strrchr(f, '/');
            if (fi[i].line) dt_add(t, i == 0 ? DA_HILITE : 0, "  %s:%u:%u in %s", slash ? slash + 1 : f, fi[i].line, fi[i].col, fi[i].function);
            else dt_add(t, 0, "  ? in %s", fi[i].function);
            if (i == 0) frame_variables(d, dp, p, t);
        }
    }
    if (dp->arm) {
        DbgEv *re = dm_find_step(&d->m, dp->arm_step);
        dt_add(t, 0, "last receive (step %" PRIu64 "): %s matched `%s`", dp->arm_step, re && re->val ? re->val : "a message",
               dp->arm);
    }
    /* mailbox */
    size_t nm;
    MboxMsg *ents = mbox_snapshot(proc_mailbox(p), &nm);
    dt_add(t, DA_BOLD, "mailbox (%zu message%s, oldest first):", nm, nm == 1 ? "" : "s");
    size_t shown = nm > 200 ? 200 : nm;
    int room = width > 30 ? width - 24 : 20;
    for (size_t i = 0; i < shown; i++) {
        const MboxMsg *e = &ents[i];
        SB b;
        sb_init(&b);
        dm_message_text(&d->m, dp->pid, e->kind, e->val, &b, (size_t)room);
        char from[48];
        pidstr(from, sizeof from, e->from == EV_NOPID ? DBG_NONE : e->from);
        bool words = e->kind == MB_SVC_REQUEST || e->kind == MB_SVC_REPLY || e->kind == MB_JOB_RESULT;
        const char *kind = e->kind == MB_USER || words ? "" : e->kind == MB_SIGNAL ? "[signal] " : "[runtime] ";
        dt_add(t, 0, "  %3zu. %s%s   from %s", i + 1, kind, sb_cstr(&b), from);
        sb_free(&b);
    }
    if (nm > shown) dt_add(t, DA_DIM, "  ... %zu more", nm - shown);
    free(ents);
    /* links and monitors */
    ProcRelations rel;
    proc_relations(p, &rel);
    SB b;
    sb_init(&b);
    for (uint32_t i = 0; i < rel.nlinks; i++) {
        char l[48];
        pidstr(l, sizeof l, rel.links[i]);
        sb_printf(&b, "%s%s %s", i ? ", " : "", l, pname(d, rel.links[i]));
    }
    dt_add(t, 0, "links: %s", rel.nlinks ? sb_cstr(&b) : "none");
    b.len = 0;
    for (uint32_t i = 0; i < rel.nmons_out; i++) {
        char l[48];
        pidstr(l, sizeof l, rel.mons_out[i].pid);
        sb_printf(&b, "%s%s %s (#Ref<%" PRIu64 ">)", i ? ", " : "", l, pname(d, rel.mons_out[i].pid),
                  rel.mons_out[i].ref);
    }
    dt_add(t, 0, "monitors: %s", rel.nmons_out ? sb_cstr(&b) : "none");
    b.len = 0;
    for (uint32_t i = 0; i < rel.nmons_in; i++) {
        char l[48];
        pidstr(l, sizeof l, rel.mons_in[i].pid);
        sb_printf(&b, "%s%s %s (#Ref<%" PRIu64 ">)", i ? ", " : "", l, pname(d, rel.mons_in[i].pid),
                  rel.mons_in[i].ref);
    }
    dt_add(t, 0, "monitored by: %s", rel.nmons_in ? sb_cstr(&b) : "nobody");
    sb_free(&b);
    proc_relations_free(&rel);
}

/* ---- supervision tree --------------------------------------------------------------------------- */

static void child_line(Dbg *d, DbgText *t, int depth, DbgSup *s, int i, bool last);

static void sup_block(Dbg *d, DbgText *t, int depth, int si) {
    DbgSup *s = &d->m.sups[si];
    const DbgSupDef *sd = &d->m.defs[s->def];
    DbgProc *p = dm_proc(&d->m, s->pid);
    char pid[48], st[200];
    pidstr(pid, sizeof pid, s->pid);
    status_text(p, st, sizeof st);
    dt_add(t, p && alive(p) ? DA_BOLD : DA_ERROR, "%*s%s %s  supervisor, %s, max %d restarts in %d s, restarts: %d  [%s]",
           depth * 4, "", pid, sd->name, sd->strategy, sd->max_restarts, sd->max_seconds, s->restarts, st);
    for (int i = 0; i < sd->nchildren; i++) child_line(d, t, depth, s, i, i == sd->nchildren - 1);
}

static void child_line(Dbg *d, DbgText *t, int depth, DbgSup *s, int i, bool last) {
    const DbgSupDef *sd = &d->m.defs[s->def];
    DbgChild *c = &s->ch[i];
    char pid[48], st[200];
    const char *branch = last ? "`-" : "+-";
    if (c->pid == DBG_NONE) {
        dt_add(t, DA_DIM, "%*s  %s %s  (not started)  %s", depth * 4, "", branch, sd->ch[i].name, sd->ch[i].restart);
        return;
    }
    DbgProc *p = dm_proc(&d->m, c->pid);
    pidstr(pid, sizeof pid, c->pid);
    status_text(p, st, sizeof st);
    const char *mark = "";
    if (c->dead) mark = c->removed ? "  (not restarted)" : "  (restarting)";
    int attr = c->dead ? DA_ERROR : 0;
    if (p && p->pid == d->selected) attr |= DA_HILITE;
    dt_add(t, attr, "%*s  %s %s  %s %s  %s, shutdown %s  restarts: %d  [%s]%s", depth * 4, "", branch,
           sd->ch[i].name, pid, p && p->name ? p->name : "?", sd->ch[i].restart, sd->ch[i].shutdown, c->restarts, st,
           mark);
    if (p && p->sup >= 0) sup_block(d, t, depth + 1, p->sup);
}

static void view_tree(Dbg *d, DbgText *t) {
    if (d->nsupdefs == 0) {
        dt_add(t, DA_DIM, "this program defines no supervisor");
    } else {
        bool any = false;
        for (int i = 0; i < d->m.nsups; i++) {
            DbgSup *s = &d->m.sups[i];
            DbgProc *p = dm_proc(&d->m, s->pid);
            if (p && p->sup_of >= 0) continue; /* shown under its parent supervisor */
            sup_block(d, t, 0, i);
            any = true;
        }
        if (!any) {
            for (int i = 0; i < d->nsupdefs; i++)
                dt_add(t, DA_DIM, "%s (%s, %d children): not started yet", d->supdefs[i].name, d->supdefs[i].strategy,
                       d->supdefs[i].nchildren);
        }
    }
    /* who spawned whom */
    uint64_t n = d->m.nprocs;
    if (!n) return;
    dt_add(t, 0, "%s", "");
    dt_add(t, DA_BOLD, "spawn tree (who started whom):");
    uint64_t *first = xmalloc(n * sizeof *first), *next = xmalloc(n * sizeof *next), *last = xmalloc(n * sizeof *last);
    for (uint64_t i = 0; i < n; i++) first[i] = next[i] = last[i] = DBG_NONE;
    for (uint64_t i = 0; i < n; i++) {
        DbgProc *p = &d->m.procs[i];
        if (p->pid == DBG_NONE || p->parent == DBG_NONE) continue;
        uint64_t par = pid_serial(p->parent);
        if (par >= n) continue;
        if (last[par] == DBG_NONE) first[par] = i;
        else next[last[par]] = i;
        last[par] = i;
    }
    typedef struct { uint64_t i; int depth; } Item;
    Item *stack = xmalloc((n + 1) * sizeof *stack);
    for (uint64_t r = n; r-- > 0;) { /* roots, pushed in reverse so they pop in order */
        DbgProc *p = &d->m.procs[r];
        if (p->pid != DBG_NONE && (p->parent == DBG_NONE || pid_serial(p->parent) >= n)) {
            size_t sp = 0;
            stack[sp++] = (Item){r, 0};
            while (sp) {
                Item it = stack[--sp];
                DbgProc *q = &d->m.procs[it.i];
                char pid[48], st[200];
                pidstr(pid, sizeof pid, q->pid);
                status_text(q, st, sizeof st);
                int ind = it.depth > 16 ? 16 : it.depth;
                int attr = q->pid == d->selected ? DA_HILITE : alive(q) ? 0 : DA_DIM;
                dt_add(t, attr, "%*s%s%s %s  [%s]", ind * 3, "", it.depth ? "+- " : "", pid, q->name ? q->name : "?", st);
                /* children onto the stack, reversed so they pop in pid order */
                size_t base = sp;
                for (uint64_t c = first[it.i]; c != DBG_NONE; c = next[c]) stack[sp++] = (Item){c, it.depth + 1};
                for (size_t a = base, z = sp; a + 1 < z; a++, z--) {
                    Item tmp = stack[a];
                    stack[a] = stack[z - 1];
                    stack[z - 1] = tmp;
                }
            }
        }
    }
    free(stack);
    free(first);
    free(next);
    free(last);
}

/* ---- links and monitors --------------------------------------------------------------------------- */

static void view_links(Dbg *d, DbgText *t) {
    bool any = false;
    for (uint64_t i = 0; i < d->m.nprocs; i++) {
        DbgProc *dp = &d->m.procs[i];
        if (dp->pid == DBG_NONE) continue;
        Proc *p = live(d, dp->pid);
        if (!p) continue;
        ProcInfo pi;
        proc_info(p, &pi);
        if (!pi.nlinks && !pi.nmons_out && !pi.nmons_in && !pi.trap_exit) continue;
        any = true;
        char pid[48], o[48];
        pidstr(pid, sizeof pid, dp->pid);
        dt_add(t, dp->pid == d->selected ? DA_HILITE | DA_BOLD : DA_BOLD, "%s %s%s", pid, dp->name ? dp->name : "?",
               pi.trap_exit ? "  (traps exits: linked crashes arrive as Exit messages)" : "");
        ProcRelations rel;
        proc_relations(p, &rel);
        for (uint32_t k = 0; k < rel.nlinks; k++) {
            pidstr(o, sizeof o, rel.links[k]);
            dt_add(t, 0, "    link        <=> %s %s", o, pname(d, rel.links[k]));
        }
        for (uint32_t k = 0; k < rel.nmons_out; k++) {
            pidstr(o, sizeof o, rel.mons_out[k].pid);
            dt_add(t, 0, "    monitors    ~~> %s %s  #Ref<%" PRIu64 ">", o, pname(d, rel.mons_out[k].pid),
                   rel.mons_out[k].ref);
        }
        for (uint32_t k = 0; k < rel.nmons_in; k++) {
            pidstr(o, sizeof o, rel.mons_in[k].pid);
            dt_add(t, 0, "    watched by  <~~ %s %s  #Ref<%" PRIu64 ">", o, pname(d, rel.mons_in[k].pid),
                   rel.mons_in[k].ref);
        }
        proc_relations_free(&rel);
    }
    if (!any) dt_add(t, DA_DIM, "no links or monitors between live processes");
    /* history: relations that ended with a death */
    int past = 0;
    for (uint32_t i = 0; i < d->m.nevs && past < 200; i++) {
        DbgEv *e = &d->m.evs[i];
        if (e->kind != EV_DOWN && !(e->kind == EV_EXIT_SIGNAL)) continue;
        if (!past++) {
            dt_add(t, 0, "%s", "");
            dt_add(t, DA_BOLD, "signals delivered so far:");
        }
        SB b;
        sb_init(&b);
        sb_printf(&b, "  @%-5" PRIu64 " ", e->step);
        dm_describe(&d->m, e, &b);
        dt_add(t, 0, "%s", sb_cstr(&b));
        sb_free(&b);
    }
}

/* ---- timeline --------------------------------------------------------------------------------------- */

typedef struct Cols {
    uint64_t pid[128];
    int n;
} Cols;

static int col_of(const Cols *c, uint64_t pid) {
    for (int i = 0; i < c->n; i++)
        if (c->pid[i] == pid) return i;
    return -1;
}

static bool two_ended(const DbgEv *e) {
    switch (e->kind) {
    case EV_SPAWN: case EV_SEND: case EV_LINK: case EV_UNLINK: case EV_MONITOR: case EV_DOWN:
    case EV_EXIT_SIGNAL: case EV_CHILD_START:
        return true;
    case EV_TIMER_FIRE: case EV_TIMER_SET:
        return e->text && strcmp(e->text, "send_after") == 0;
    default: return false;
    }
}

/* Draw a horizontal connection from column a to b in the chart buffer. */
static void connect(char *row, int a, int b, char line, char from, char head) {
    int ca = a * COLW + COLW / 2, cb = b * COLW + COLW / 2;
    if (a == b) {
        row[ca] = from;
        return;
    }
    int lo = ca < cb ? ca : cb, hi = ca < cb ? cb : ca;
    for (int x = lo + 1; x < hi; x++) row[x] = line;
    row[ca] = from;
    row[cb] = head == '>' ? (cb > ca ? '>' : '<') : head;
}

static char glyph(const DbgEv *e) {
    switch (e->kind) {
    case EV_RECEIVE: return e->num < 0 ? 't' : '*';
    case EV_EXIT: return e->val && (!strcmp(e->val, "Normal") || !strcmp(e->val, "Shutdown")) ? '.' : 'X';
    case EV_PANIC: return '!';
    case EV_REGISTER: case EV_UNREGISTER: return 'R';
    case EV_DEMONITOR: return '~';
    case EV_TIMER_SET: return 'T';
    case EV_TIMER_FIRE: return 't';
    case EV_RUN: return 'r';
    case EV_BLOCK: return 'b';
    case EV_WAKE: return 'w';
    case EV_PREEMPT: return 'p';
    case EV_YIELD: return 'y';
    case EV_DISCARD: return 'd';
    case EV_RESTART: return '@';
    case EV_QUERY: return 'Q';
    default: return '?';
    }
}

static void short_desc(Dbg *d, const DbgEv *e, const Cols *c, SB *b) {
    const char *v = e->val ? e->val : "";
    bool off = two_ended(e) && e->pid != DBG_NONE && (col_of(c, e->pid) < 0 || col_of(c, e->other) < 0);
    if (e->kind == EV_SEND) {
        if (off || e->pid == e->other) {
            char a[48], o[48];
            pidstr(a, sizeof a, e->pid);
            pidstr(o, sizeof o, e->other);
            sb_printf(b, "%s->%s ", a, o);
        }
        sb_puts(b, v);
        if (e->num == MB_SIGNAL) sb_puts(b, " [signal]");
        else if (e->num >= MB_RUNTIME && e->num != MB_SVC_REQUEST && e->num != MB_SVC_REPLY && e->num != MB_JOB_RESULT) sb_puts(b, " [runtime]");
        if (e->dropped) sb_puts(b, "  (dropped: no such process)");
        else if (e->pair) sb_printf(b, "  (received @%" PRIu64 ")", e->pair);
        else if (e->num == MB_USER || e->num == MB_SIGNAL) sb_puts(b, "  (not received yet)");
        return;
    }
    if (e->kind == EV_RECEIVE) {
        if (col_of(c, e->pid) < 0) {
            char a[48];
            pidstr(a, sizeof a, e->pid);
            sb_printf(b, "%s ", a);
        }
        if (e->num < 0) sb_puts(b, "receive: `after` timeout");
        else {
            sb_printf(b, "receive %s", v);
            if (e->pair) sb_printf(b, "  (sent @%" PRIu64 ")", e->pair);
        }
        return;
    }
    /* the chart shows who: keep the words short */
    bool a_on = e->pid != DBG_NONE && col_of(c, e->pid) >= 0;
    bool b_on = e->other == DBG_NONE || col_of(c, e->other) >= 0;
    if (!a_on || (two_ended(e) && !b_on)) {
        dm_describe(&d->m, e, b);
        return;
    }
    switch (e->kind) {
    case EV_SPAWN: sb_printf(b, "spawn %s", pname(d, e->other)); break;
    case EV_LINK: sb_puts(b, "link"); break;
    case EV_UNLINK: sb_puts(b, "unlink"); break;
    case EV_MONITOR: sb_printf(b, "monitor (#Ref<%" PRIu64 ">)", e->ref); break;
    case EV_CHILD_START: sb_printf(b, "start child %s", e->text ? e->text : "?"); break;
    case EV_HTTP_REQUEST: sb_printf(b, "%s", e->text ? e->text : "?"); break;
    case EV_HTTP_RESPONSE: sb_printf(b, "%s \u2192 %" PRId64, e->text ? e->text : "?", e->num); break;
    case EV_WS_FRAME:
        sb_printf(b, "%s %s", e->text2 && !strcmp(e->text2, "out") ? "\u2192" : "\u2190", e->text ? e->text : "?");
        break;
    case EV_WS_ROOM:
        sb_printf(b, "%s room \"%s\"", e->text2 && !strcmp(e->text2, "join") ? "join" : "leave", e->text ? e->text : "");
        break;
    case EV_RESTART: sb_printf(b, "restart child %s (%s)", e->text ? e->text : "?", e->text2 ? e->text2 : "?"); break;
    case EV_DOWN: sb_printf(b, "Down(#Ref<%" PRIu64 ">, ..., %s)", e->ref, v); break;
    case EV_EXIT_SIGNAL: sb_printf(b, "exit signal %s%s", v, e->text && !strcmp(e->text, "trapped") ? " (trapped)" : ""); break;
    case EV_REGISTER: sb_printf(b, "register \"%s\"", e->text ? e->text : ""); break;
    case EV_UNREGISTER: sb_printf(b, "unregister \"%s\"", e->text ? e->text : ""); break;
    case EV_PANIC: sb_printf(b, "panic: %s", e->text ? e->text : ""); break;
    case EV_EXIT: sb_printf(b, "exit: %s", v); break;
    case EV_DISCARD: sb_puts(b, "discarded (program finished)"); break;
    case EV_QUERY: sb_puts(b, v); break;
    default: dm_describe(&d->m, e, b); break;
    }
}

static void view_timeline(Dbg *d, int width, int height, DbgText *t) {
    DbgModel *m = &d->m;
    uint32_t *idx = xmalloc((m->nevs + 1) * sizeof *idx);
    uint32_t nv = 0;
    for (uint32_t i = 0; i < m->nevs; i++)
        if (dbg_visible(d, &m->evs[i])) idx[nv++] = i;
    if (nv == 0) {
        dt_add(t, DA_DIM, "no events yet: press n (next) to start the program");
        free(idx);
        return;
    }
    /* the window of rows */
    uint32_t end = nv; /* exclusive */
    if (d->search_hit) {
        for (uint32_t k = 0; k < nv; k++)
            if (m->evs[idx[k]].step == d->search_hit) {
                end = k + 1;
                if (height > 0) end += (uint32_t)(height / 3);
                if (end > nv) end = nv;
                break;
            }
    }
    int scroll = d->scroll[V_TIMELINE];
    if (scroll > 0) end = (uint32_t)scroll >= end ? 1 : end - (uint32_t)scroll;
    uint32_t start = 0;
    if (height > 0) {
        int rows = height - 2;
        if (rows < 1) rows = 1;
        start = end > (uint32_t)rows ? end - (uint32_t)rows : 0;
    }
    /* columns: the processes most involved in the window */
    COLW = width >= 100 ? 10 : 8;
    int maxcols = (width - 8 - 22) / COLW;
    if (maxcols < 2) maxcols = 2;
    if (maxcols > 128) maxcols = 128;
    typedef struct { uint64_t pid; uint32_t count, first; } Inv;
    Inv *inv = NULL;
    int ninv = 0, capinv = 0;
    for (uint32_t k = start; k < end; k++) {
        DbgEv *e = &m->evs[idx[k]];
        uint64_t ps[2] = {e->pid, two_ended(e) ? e->other : DBG_NONE};
        if (e->kind == EV_SPAWN && e->pid == DBG_NONE) ps[0] = e->other;
        for (int j = 0; j < 2; j++) {
            if (ps[j] == DBG_NONE) continue;
            int f = -1;
            for (int q = 0; q < ninv; q++)
                if (inv[q].pid == ps[j]) f = q;
            if (f < 0) {
                if (ninv == capinv) inv = xrealloc(inv, (size_t)(capinv = capinv ? capinv * 2 : 32) * sizeof *inv);
                inv[ninv] = (Inv){ps[j], 0, k};
                f = ninv++;
            }
            inv[f].count++;
        }
    }
    /* keep the most involved (ties: first seen), then order by pid */
    for (int a = 1; a < ninv; a++)
        for (int b = a; b > 0 && (inv[b].count > inv[b - 1].count ||
                                  (inv[b].count == inv[b - 1].count && inv[b].first < inv[b - 1].first));
             b--) {
            Inv tmp = inv[b];
            inv[b] = inv[b - 1];
            inv[b - 1] = tmp;
        }
    Cols c = {.n = ninv < maxcols ? ninv : maxcols};
    for (int i = 0; i < c.n; i++) c.pid[i] = inv[i].pid;
    for (int a = 1; a < c.n; a++)
        for (int b = a; b > 0 && c.pid[b] < c.pid[b - 1]; b--) {
            uint64_t tmp = c.pid[b];
            c.pid[b] = c.pid[b - 1];
            c.pid[b - 1] = tmp;
        }
    free(inv);
    int cw = c.n * COLW;
    char *row = xmalloc((size_t)cw + 1);
    /* header: pids and names */
    memset(row, ' ', (size_t)cw);
    row[cw] = 0;
    for (int i = 0; i < c.n; i++) {
        char p[48];
        pidstr(p, sizeof p, c.pid[i]);
        int len = (int)strlen(p), x = i * COLW + COLW / 2 - len / 2;
        if (x < i * COLW) x = i * COLW;
        memcpy(row + x, p, (size_t)(len < COLW ? len : COLW));
    }
    dt_add(t, DA_BOLD, "  step %s", row);
    memset(row, ' ', (size_t)cw);
    for (int i = 0; i < c.n; i++) {
        const char *nm = pname(d, c.pid[i]);
        int len = (int)strlen(nm);
        if (len > COLW - 1) len = COLW - 1;
        int x = i * COLW + COLW / 2 - len / 2;
        if (x < i * COLW) x = i * COLW;
        memcpy(row + x, nm, (size_t)len);
    }
    dt_add(t, DA_BOLD, "       %s", row);
    int64_t last_time = start > 0 ? m->evs[idx[start - 1]].time : 0;
    for (uint32_t k = start; k < end; k++) {
        DbgEv *e = &m->evs[idx[k]];
        memset(row, ' ', (size_t)cw);
        for (int i = 0; i < c.n; i++) {
            DbgProc *p = dm_proc(m, c.pid[i]);
            if (!p) continue;
            bool born = p->spawn_step < e->step || (p->spawn_step == e->step && e->kind != EV_SPAWN);
            bool gone = p->exit_step && p->exit_step < e->step;
            if (born && !gone) row[i * COLW + COLW / 2] = '|';
        }
        int a = col_of(&c, e->pid), b = col_of(&c, e->other);
        switch (e->kind) {
        case EV_SPAWN:
            if (e->pid == DBG_NONE) {
                if (b >= 0) row[b * COLW + COLW / 2] = '+';
            } else if (a >= 0 && b >= 0) connect(row, a, b, '-', 'o', '+');
            else if (a >= 0) row[a * COLW + COLW / 2] = 'o';
            else if (b >= 0) row[b * COLW + COLW / 2] = '+';
            break;
        case EV_SEND:
            if (a >= 0 && b >= 0) connect(row, a, b, '-', 'o', e->dropped ? '?' : '>');
            else if (a >= 0) row[a * COLW + COLW / 2] = 'o';
            else if (b >= 0) row[b * COLW + COLW / 2] = '>';
            break;
        case EV_LINK:
        case EV_UNLINK:
            if (a >= 0 && b >= 0) connect(row, a, b, e->kind == EV_LINK ? '=' : '.', '+', '+');
            else if (a >= 0) row[a * COLW + COLW / 2] = '+';
            break;
        case EV_CHILD_START:
            if (a >= 0 && b >= 0) connect(row, a, b, '=', 'S', '+');
            else if (a >= 0) row[a * COLW + COLW / 2] = 'S';
            break;
        case EV_MONITOR:
            if (a >= 0 && b >= 0) connect(row, a, b, '~', 'o', '>');
            else if (a >= 0) row[a * COLW + COLW / 2] = 'o';
            break;
        case EV_DOWN:
        case EV_EXIT_SIGNAL:
            /* from the dead process (other) to pid */
            if (a >= 0 && b >= 0) connect(row, b, a, e->kind == EV_DOWN ? '~' : '!', 'x', '>');
            else if (a >= 0) row[a * COLW + COLW / 2] = e->kind == EV_DOWN ? 'v' : '!';
            break;
        case EV_TIMER_FIRE:
        case EV_TIMER_SET:
            if (e->text && strcmp(e->text, "send_after") == 0 && e->kind == EV_TIMER_FIRE && a >= 0 && b >= 0)
                connect(row, a, b, ':', 't', '>');
            else if (a >= 0) row[a * COLW + COLW / 2] = glyph(e);
            else if (b >= 0) row[b * COLW + COLW / 2] = glyph(e);
            break;
        default:
            if (a >= 0) row[a * COLW + COLW / 2] = glyph(e);
            break;
        }
        SB b2;
        sb_init(&b2);
        if (e->time != last_time) sb_printf(&b2, "[t=%" PRId64 "ms] ", e->time);
        last_time = e->time;
        short_desc(d, e, &c, &b2);
        bool cur = &m->evs[idx[k]] == m->cur;
        bool hit = d->search_hit && e->step == d->search_hit;
        int attr = cur ? DA_HILITE : hit ? DA_MARK : 0;
        if (cur || hit) t->focus = t->n;
        dt_add(t, attr, "%c%5" PRIu64 " %s %s", cur ? '>' : hit ? '/' : ' ', e->step, row, sb_cstr(&b2));
        sb_free(&b2);
    }
    if (end < nv) dt_add(t, DA_DIM, "  ... %u later event%s (scroll down)", nv - end, nv - end == 1 ? "" : "s");
    if (m->truncated && end == nv)
        dt_add(t, DA_DIM, "  ... the timeline keeps the first %u events; now at step %" PRIu64, DBG_MAX_EVENTS, m->last_step);
    free(row);
    free(idx);
}

/* ---- source ------------------------------------------------------------------------------------ */

static void view_source(Dbg *d, int height, DbgText *t) {
    uint32_t file = 0, line = 0;
    const char *fn = NULL;
    uint64_t who = DBG_NONE;
    DbgEv *cur = d->m.cur;
    if (cur && cur->line && cur->pid == d->selected && !d->ended) {
        /* where the current event happened (the process may have moved on
         * a little when the pause waits for the event's effects) */
        file = cur->file;
        line = cur->line;
        who = cur->pid;
        uint32_t f2, l2;
        dbg_proc_location(who, &f2, &l2, &fn);
    } else if (live(d, d->selected) && dbg_proc_location(d->selected, &file, &line, &fn)) {
        who = d->selected;
    } else if (d->m.nevs) {
        for (uint32_t i = d->m.nevs; i-- > 0;)
            if (d->m.evs[i].line) {
                file = d->m.evs[i].file;
                line = d->m.evs[i].line;
                who = d->m.evs[i].pid;
                break;
            }
    }
    if (!line && d->proj && d->proj->main) {
        file = d->proj->main->file;
        line = 1;
    }
    SourceFile *sf = src_get(file);
    if (!sf) {
        dt_add(t, DA_DIM, "(no source)");
        return;
    }
    char pid[48];
    pidstr(pid, sizeof pid, who);
    if (who != DBG_NONE && fn)
        dt_add(t, DA_BOLD, "%s:%u  in %s  (%s %s)", sf->path, line, fn, pid, pname(d, who));
    else if (who != DBG_NONE)
        dt_add(t, DA_BOLD, "%s:%u  (%s %s)", sf->path, line, pid, pname(d, who));
    else dt_add(t, DA_BOLD, "%s", sf->path);
    uint32_t nl = sf->nlines;
    int rows = height > 0 ? height - 1 : 11;
    if (rows < 1) rows = 1;
    int64_t first = (int64_t)line - rows / 2 + d->scroll[V_SOURCE];
    if (first + rows > (int64_t)nl + 1) first = (int64_t)nl + 1 - rows;
    if (first < 1) first = 1;
    /* other live processes standing in this file */
    typedef struct { uint32_t line; uint64_t pid; } At;
    At at[64];
    int nat = 0;
    for (uint64_t i = 0; i < d->m.nprocs && nat < 64; i++) {
        DbgProc *p = &d->m.procs[i];
        if (p->pid == DBG_NONE || !alive(p)) continue;
        uint32_t f2, l2;
        if (dbg_proc_location(p->pid, &f2, &l2, NULL) && f2 == file) at[nat++] = (At){l2, p->pid};
    }
    for (int64_t ln = first; ln < first + rows && ln <= (int64_t)nl; ln++) {
        const char *s;
        size_t n;
        src_line(file, (uint32_t)ln, &s, &n);
        SB b;
        sb_init(&b);
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '\t') sb_puts(&b, "    ");
            else sb_putc(&b, s[i]);
        }
        int marks = 0;
        for (int k = 0; k < nat; k++)
            if (at[k].line == (uint32_t)ln && at[k].pid != who && marks < 3) {
                char p2[48];
                pidstr(p2, sizeof p2, at[k].pid);
                sb_printf(&b, "%s%s", marks ? " " : "    <- ", p2);
                marks++;
            }
        bool bp = false;
        for (int k = 0; k < d->nbps; k++) {
            DbgBreak *br = &d->bps[k];
            const char *base = strrchr(sf->path, '/');
            base = base ? base + 1 : sf->path;
            if (br->kind == BP_LINE && br->line == (uint32_t)ln && (!br->file || !strcmp(br->file, base))) bp = true;
        }
        bool cur = (uint32_t)ln == line && who != DBG_NONE;
        if (cur) t->focus = t->n;
        dt_add(t, cur ? DA_HILITE : 0, "%c%c%4" PRId64 " | %s", cur ? '>' : ' ', bp ? 'B' : ' ', ln, sb_cstr(&b));
        sb_free(&b);
    }
}

/* ---- nodes, output, breakpoints ------------------------------------------------------------------ */

static void view_nodes(Dbg *d, DbgText *t) {
    uint64_t live = 0, total = 0;
    for (uint64_t i = 0; i < d->m.nprocs; i++) {
        DbgProc *p = &d->m.procs[i];
        if (p->pid == DBG_NONE) continue;
        total++;
        live += alive(p);
    }
    dt_add(t, DA_BOLD, "NODE                 PROCESSES   STATUS");
    dt_add(t, DA_HILITE, "local (this node)    %3" PRIu64 " alive  %s", live,
           d->ended ? "program finished" : "running under snow trace");
    dt_add(t, 0, "                     %3" PRIu64 " spawned in this run", total);
    dt_add(t, 0, "%s", "");
    dt_add(t, DA_DIM, "Distribution is not started in this program, so this node is alone.");
    dt_add(t, DA_DIM, "Remote nodes appear here (with their processes and the messages between nodes)");
    dt_add(t, DA_DIM, "when the program uses distribution (Node.start / Node.connect).");
}

static void view_output(Dbg *d, int height, DbgText *t) {
    size_t len;
    char *out = dbg_output(d, &len);
    if (!len) {
        dt_add(t, DA_DIM, "(no output yet)");
        free(out);
        return;
    }
    /* count lines to show only the last `height` ones */
    int total = 0;
    for (size_t i = 0; i < len; i++) total += out[i] == '\n';
    if (len && out[len - 1] != '\n') total++;
    int skip = height > 0 && total > height ? total - height + (d->scroll[V_OUTPUT] > 0 ? 0 : 0) : 0;
    if (height > 0 && d->scroll[V_OUTPUT] > 0) {
        skip -= d->scroll[V_OUTPUT];
        if (skip < 0) skip = 0;
    }
    const char *p = out, *end = out + len;
    int k = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (k++ >= skip) {
            bool err = n >= 5 && (!strncmp(p, "panic", 5));
            dt_addn(t, err ? DA_ERROR : 0, p, n);
        }
        p += n + (nl ? 1 : 0);
    }
    free(out);
}

static void view_breaks(Dbg *d, DbgText *t) {
    if (!d->nbps) dt_add(t, DA_DIM, "no breakpoints");
    for (int i = 0; i < d->nbps; i++) dt_add(t, 0, "%3d  %s", d->bps[i].id, d->bps[i].text);
    dt_add(t, 0, "stop at panics: %s", d->break_panic ? "on" : "off");
    dt_add(t, 0, "%s", "");
    dt_add(t, DA_DIM, "set: p (selected process), f (its actor), l (current line), M (message pattern)");
    dt_add(t, DA_DIM, "or type  :break <0.3>  :break-fn worker  :break-line 12  :break-msg Withdraw(a) when a > 100");
    dt_add(t, DA_DIM, "delete:  :delete N  or  X (all)");
}

void dbg_render(Dbg *d, int view, int width, int height, DbgText *out) {
    switch (view) {
    case V_PROCS: view_procs(d, width, out); break;
    case V_PROC: view_proc(d, width, out); break;
    case V_TREE: view_tree(d, out); break;
    case V_LINKS: view_links(d, out); break;
    case V_TIMELINE: view_timeline(d, width, height, out); break;
    case V_SOURCE: view_source(d, height, out); break;
    case V_NODES: view_nodes(d, out); break;
    case V_OUTPUT: view_output(d, height, out); break;
    case V_BREAKS: view_breaks(d, out); break;
    default: break;
    }
}

/* ---- headless dump -------------------------------------------------------------------------------- */

void dbg_dump(Dbg *d, FILE *f) {
    SB b;
    sb_init(&b);
    dbg_title(d, &b);
    fprintf(f, "%s\n", sb_cstr(&b));
    b.len = 0;
    dbg_current_event(d, &b);
    fprintf(f, "%s\n", sb_cstr(&b));
    sb_free(&b);
    if (d->stop_reason[0]) fprintf(f, "stopped: %s\n", d->stop_reason);
    if (d->msg[0]) fprintf(f, "note: %s\n", d->msg);
    for (int v = 0; v < V__COUNT; v++) {
        char pid[48] = "";
        if (v == V_PROC) {
            pidstr(pid, sizeof pid, d->selected);
        }
        fprintf(f, "--- %s%s%s ---\n", dbg_view_name(v), pid[0] ? " " : "", pid);
        DbgText t;
        dt_init(&t);
        dbg_render(d, v, d->width, 0, &t);
        for (int i = 0; i < t.n; i++) {
            /* no trailing blanks: goldens stay stable */
            size_t n = strlen(t.v[i].s);
            while (n && t.v[i].s[n - 1] == ' ') n--;
            fprintf(f, "%.*s\n", (int)n, t.v[i].s);
        }
        dt_free(&t);
    }
    fflush(f);
}
