/* dbg_run.c — `snow trace`: compile the program once, then run it (again and
 * again) on the deterministic scheduler with virtual time, driven by the
 * debugger.
 *
 *  - The event callback records each event into the model and decides
 *    whether it ends the current step (next event, next message, breakpoint,
 *    target step); the pause itself happens at the next callback, the next
 *    scheduling step or the end of the run (see dbg.h).
 *  - The step hook (sched_det_set_step_hook) is asked before every
 *    scheduling step; returning false abandons the run (back, restart, new
 *    seed, quit): rt_run_main returns SCHED_STOPPED, the runtime is shut
 *    down and re-initialised, and the program re-runs from the start to the
 *    target step — exact, because the run is deterministic.
 *  - A pause inside a running process switches to the debugger's own stack
 *    (process stacks keep only a small margin for C code).
 *  - A panic in main would exit(101): proc_exit_hook keeps the debugger in
 *    control and shows the final state instead.
 *  - The program's stdout and stderr go to a memory file shown in the output
 *    view; its stdin is /dev/null.
 *  - External input (what the program read from fds, readiness, accepted
 *    connections: runtime/iolog.h) is recorded by the first run and replayed
 *    by the re-runs, so stepping back never talks to the outside world
 *    again; with --replay FILE every run replays the journal of a
 *    `snow run --events FILE` run instead.  A new seed records afresh.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ast.h"
#include "ctx.h"
#include "dbg.h"
#include "diag.h"
#include "eval.h"
#include "iolog.h"
#include "pipeline.h"
#include "proc.h"
#include "rt.h"
#include "sched.h"
#include "source.h"
#include "trace.h"
#include "xalloc.h"

#if defined(SNOW_ASAN) || defined(__SANITIZE_ADDRESS__)
#include <sanitizer/common_interface_defs.h>
#define DBG_ASAN 1
#endif

/* ---- text buffers ------------------------------------------------------------------ */

void dt_init(DbgText *t) {
    memset(t, 0, sizeof *t);
    t->focus = -1;
}

void dt_free(DbgText *t) {
    for (int i = 0; i < t->n; i++) free(t->v[i].s);
    free(t->v);
    dt_init(t);
}

void dt_addn(DbgText *t, int attr, const char *s, size_t n) {
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->v = xrealloc(t->v, (size_t)t->cap * sizeof *t->v);
    }
    char *c = xmalloc(n + 1);
    memcpy(c, s, n);
    c[n] = 0;
    t->v[t->n++] = (DbgLine){c, attr};
}

void dt_add(DbgText *t, int attr, const char *fmt, ...) {
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    if ((size_t)n < sizeof small) {
        dt_addn(t, attr, small, (size_t)n);
        return;
    }
    char *big = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    dt_addn(t, attr, big, (size_t)n);
    free(big);
}

/* ---- live process state ----------------------------------------------------------------- */

bool dbg_proc_location(uint64_t pid, uint32_t *file, uint32_t *line, const char **fn) {
    Proc *p = proc_find(pid);
    EvalFrameInfo fi[16];
    int n = eval_proc_frames(p, fi, 16);
    for (int i = 0; i < n; i++) {
        if (fi[i].line == 0 || fi[i].span.file == UINT32_MAX) continue;
        *file = fi[i].span.file;
        *line = fi[i].line;
        if (fn) *fn = fi[i].function;
        return true;
    }
    return false;
}

/* ---- output capture ------------------------------------------------------------------------ */

static int saved_err_fd = -1;

static bool capture_begin(Dbg *d) {
    fflush(stdout);
    fflush(stderr);
    int ofd = memfd_create("snow-trace-output", MFD_CLOEXEC);
    if (ofd < 0) {
        FILE *t = tmpfile();
        if (!t) return false;
        ofd = dup(fileno(t));
        fclose(t);
    }
    int so = dup(1), se = dup(2), si = dup(0);
    int dn = open("/dev/null", O_RDONLY);
    if (so < 0 || se < 0 || si < 0 || dn < 0) return false;
    dup2(ofd, 1);
    dup2(ofd, 2);
    dup2(dn, 0);
    close(dn);
    d->out_fd = ofd;
    d->ui_out = fdopen(so, "w");
    d->ui_in_fd = si;
    saved_err_fd = se;
    return d->ui_out != NULL;
}

static void capture_reset(Dbg *d) {
    fflush(stdout);
    fflush(stderr);
    if (ftruncate(d->out_fd, 0) != 0) { /* nothing better to do */ }
    lseek(d->out_fd, 0, SEEK_SET);
}

static void capture_end(Dbg *d) {
    fflush(stdout);
    fflush(stderr);
    if (d->ui_out) {
        fflush(d->ui_out);
        dup2(fileno(d->ui_out), 1);
        fclose(d->ui_out);
        d->ui_out = NULL;
    }
    if (saved_err_fd >= 0) {
        dup2(saved_err_fd, 2);
        close(saved_err_fd);
        saved_err_fd = -1;
    }
    if (d->ui_in_fd >= 0) {
        dup2(d->ui_in_fd, 0);
        close(d->ui_in_fd);
        d->ui_in_fd = -1;
    }
    if (d->out_fd >= 0) close(d->out_fd);
    d->out_fd = -1;
}

#define DBG_OUTPUT_MAX (1u << 20)

char *dbg_output(Dbg *d, size_t *len) {
    fflush(stdout);
    fflush(stderr);
    struct stat st;
    size_t size = 0, off = 0;
    if (d->out_fd >= 0 && fstat(d->out_fd, &st) == 0) size = (size_t)st.st_size;
    if (size > DBG_OUTPUT_MAX) {
        off = size - DBG_OUTPUT_MAX;
        size = DBG_OUTPUT_MAX;
    }
    char *buf = xmalloc(size + 1);
    size_t got = 0;
    while (got < size) {
        ssize_t r = pread(d->out_fd, buf + got, size - got, (off_t)(off + got));
        if (r <= 0) break;
        got += (size_t)r;
    }
    buf[got] = 0;
    *len = got;
    return buf;
}

/* ---- pausing ------------------------------------------------------------------------------ */

#define UI_STACK_BYTES ((size_t)16 << 20)
static char *ui_stack;

static void pause_body(Dbg *d) {
    fflush(stdout);
    fflush(stderr);
    if (d->follow && !d->ended) {
        DbgEv *e = d->m.cur;
        if (e && e->pid != DBG_NONE) d->selected = e->pid;
        else if (e && e->kind == EV_SPAWN) d->selected = e->other;
    }
    for (;;) {
        d->action = ACT_NONE;
        if (d->headless) dbg_script_pause(d);
        else dbg_tui_pause(d);
        if (d->action == ACT_RESUME && d->ended) continue; /* nothing left to run */
        break;
    }
    if (d->action != ACT_RESUME) d->aborting = true;
}

static void *ui_entry(void *arg) {
#ifdef DBG_ASAN
    const void *old_lo;
    size_t old_size;
    __sanitizer_finish_switch_fiber(NULL, &old_lo, &old_size);
#endif
    pause_body(arg);
#ifdef DBG_ASAN
    __sanitizer_start_switch_fiber(NULL, old_lo, old_size);
#endif
    return NULL;
}

/* Pause wherever we are: inside a process, run the UI on its own stack. */
static void do_pause(Dbg *d) {
    if (!sched_current()) {
        pause_body(d);
        return;
    }
    if (!ui_stack) {
        void *m = mmap(NULL, UI_STACK_BYTES, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
        if (m == MAP_FAILED) rt_fatal("debugger: cannot map its stack");
        ui_stack = m;
    }
#ifdef DBG_ASAN
    void *fake = NULL;
    __sanitizer_start_switch_fiber(&fake, ui_stack, UI_STACK_BYTES);
#endif
    stack_switch_call(ui_entry, d, ui_stack + UI_STACK_BYTES);
#ifdef DBG_ASAN
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
}

static double mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void maybe_interrupt(Dbg *d);

/* ---- deciding where to stop ----------------------------------------------------------------- */

static void want_pause(Dbg *d, const DbgEv *r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void want_pause(Dbg *d, const DbgEv *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->stop_reason, sizeof d->stop_reason, fmt, ap);
    va_end(ap);
    d->pause_pending = true;
    (void)r;
}

static void check_stop(Dbg *d, const DbgEv *r, const Event *raw) {
    switch (d->mode) {
    case MODE_TO_END: return;
    case MODE_TO_STEP:
        if (r->step >= d->target) want_pause(d, r, "at step %" PRIu64, r->step);
        return;
    case MODE_NEXT:
        if (dbg_visible(d, r)) want_pause(d, r, "stepped to the next event");
        break;
    case MODE_NEXT_MSG:
        if (dm_is_message_event(r)) want_pause(d, r, "stepped to the next message");
        break;
    case MODE_CONTINUE: break;
    }
    int which;
    if (dbg_break_hit(d, r, raw, &which)) {
        for (int i = 0; i < d->nbps; i++)
            if (d->bps[i].id == which) want_pause(d, r, "breakpoint %d: %s", which, d->bps[i].text);
    } else if (d->break_panic && r->kind == EV_PANIC) {
        want_pause(d, r, "a process panicked");
    }
}

/* Events emitted once their effect is complete can pause right away (a
 * panic then still shows the panicking call stack); the others (a send is
 * reported before the message is pushed, an exit before the links are
 * signalled) pause just before the next event or scheduling step. */
static bool pause_at_once(EvKind k) {
    switch (k) {
    case EV_RECEIVE: case EV_PANIC: case EV_LINK: case EV_UNLINK: case EV_DEMONITOR: case EV_REGISTER:
    case EV_UNREGISTER: case EV_BLOCK: case EV_WAKE: case EV_RUN: case EV_PREEMPT: case EV_YIELD:
    case EV_CLOCK: case EV_TIMER_SET: case EV_CHILD_START: case EV_RESTART: case EV_QUERY:
    case EV_HTTP_REQUEST: case EV_HTTP_RESPONSE: case EV_WS_FRAME: case EV_WS_ROOM:
        return true;
    default:
        return false;
    }
}

/* Which arm of its `receive` the process's message matched (it still stands
 * at the receive: the event comes before the arm runs). */
static void note_arm(Dbg *d, const Event *e) {
    DbgProc *p = dm_proc(&d->m, e->pid);
    size_t n;
    const char *a = p ? eval_receive_arm(proc_find(e->pid), 0, (int)e->num, &n) : NULL;
    if (!a) return;
    free(p->arm);
    p->arm = xstrndup(a, n);
    p->arm_step = e->step;
}

static void on_event(const Event *e, void *ud) {
    Dbg *d = ud;
    if (d->aborting) return;
    if (d->pause_pending) {
        d->pause_pending = false;
        do_pause(d);
        if (d->aborting) return;
    }
    DbgEv *r = dm_record(&d->m, e);
    if (e->kind == EV_RECEIVE && e->num >= 0) note_arm(d, e);
    check_stop(d, r, e);
    if ((e->step & 4095) == 0) maybe_interrupt(d);
    if (d->pause_pending && pause_at_once(e->kind)) {
        d->pause_pending = false;
        do_pause(d);
    }
}

/* While a long `continue` runs in the UI: true at most every `ms`
 * milliseconds (`last` is the caller's clock). */
static bool ui_due(Dbg *d, double *last, double ms) {
    if (d->headless || d->mode == MODE_TO_STEP || d->pause_pending) return false;
    double now = mono_ms();
    if (now - *last < ms) return false;
    *last = now;
    return true;
}

/* Every ~100 ms, a key press interrupts the run. */
static void maybe_interrupt(Dbg *d) {
    static double last;
    if (ui_due(d, &last, 100) && dbg_tui_interrupted(d)) {
        snprintf(d->stop_reason, sizeof d->stop_reason, "interrupted");
        d->pause_pending = true;
    }
}

/* Every 200 ms, the screen follows the run (from the step hook only: it
 * runs on the scheduler's own stack). */
static void maybe_redraw(Dbg *d) {
    static double last;
    if (ui_due(d, &last, 200)) dbg_tui_progress(d);
}

static bool on_step(uint64_t next_pid, void *ud) {
    Dbg *d = ud;
    (void)next_pid;
    dm_slice_end(&d->m);
    if (d->aborting) return false;
    static unsigned tick;
    if ((++tick & 15) == 0) {
        maybe_interrupt(d);
        maybe_redraw(d);
    }
    if (d->pause_pending) {
        d->pause_pending = false;
        do_pause(d);
        if (d->aborting) return false;
    }
    return true;
}

static Dbg *exit_dbg;

static void end_message(Dbg *d) {
    if (d->status == 0) {
        snprintf(d->ended_msg, sizeof d->ended_msg, "the program finished (exit status 0)");
        return;
    }
    /* the last panic tells why */
    for (uint32_t i = d->m.nevs; i-- > 0;) {
        DbgEv *e = &d->m.evs[i];
        if (e->kind == EV_PANIC && e->pid == 0) {
            snprintf(d->ended_msg, sizeof d->ended_msg, "main panicked: %s (exit status %d)",
                     e->text ? e->text : "", d->status);
            return;
        }
        if (e->kind == EV_EXIT && e->pid == 0) {
            snprintf(d->ended_msg, sizeof d->ended_msg, "main exited: %s (exit status %d)", e->val ? e->val : "",
                     d->status);
            return;
        }
    }
    if (d->status == 101)
        snprintf(d->ended_msg, sizeof d->ended_msg, "deadlock: main is blocked and no process can run (exit status 101)");
    else
        snprintf(d->ended_msg, sizeof d->ended_msg, "the program ended (exit status %d)", d->status);
}

/* Main panicked or was killed: the program ends here (instead of exit). */
static void on_program_exit(int status) {
    Dbg *d = exit_dbg;
    if (!d || d->aborting || d->ended) return;
    dm_slice_end(&d->m);
    d->ended = true;
    d->status = status;
    end_message(d);
    d->pause_pending = false;
    if (d->mode != MODE_TO_END) {
        snprintf(d->stop_reason, sizeof d->stop_reason, "%s", d->ended_msg);
        do_pause(d);
    }
    d->aborting = true;
}

/* ---- runs ------------------------------------------------------------------------------------- */

/* The journal of external inputs the runs share (iolog.h). */
static struct {
    bool from_file; /* --replay: every run replays it */
    bool recorded;  /* a run recorded it, with seed `seed` */
    uint64_t seed;
} journal;

static void journal_begin(Dbg *d) {
    if (journal.from_file || (journal.recorded && journal.seed == d->seed)) {
        iolog_set_mode(IOLOG_REPLAY);
    } else {
        iolog_set_mode(IOLOG_RECORD);
        journal.recorded = true;
        journal.seed = d->seed;
    }
}

static bool run_once(Dbg *d) {
    dm_reset(&d->m, d->supdefs, d->nsupdefs, d->svcdefs, d->nsvcdefs);
    capture_reset(d);
    d->aborting = d->ended = false;
    d->status = 0;
    d->ended_msg[0] = 0;
    d->action = ACT_NONE;
    d->pause_pending = d->mode == MODE_TO_STEP && d->target == 0;
    if (d->pause_pending) snprintf(d->stop_reason, sizeof d->stop_reason, "at the start: nothing has run yet");
    journal_begin(d);
    RtConfig cfg = {.seed = d->seed, .virtual_time = true};
    if (!rt_init(&cfg)) return false;
    ev_set_callback(on_event, d);
    sched_det_set_step_hook(on_step, d);
    exit_dbg = d;
    proc_exit_hook = on_program_exit;
    d->runs++;
    int st = rt_run_main(d->main_fn);
    if (!d->aborting) {
        dm_slice_end(&d->m);
        d->ended = true;
        d->status = st;
        end_message(d);
        d->pause_pending = false;
        snprintf(d->stop_reason, sizeof d->stop_reason, "%s", d->ended_msg);
        if (d->mode != MODE_TO_END) pause_body(d);
        else d->action = ACT_QUIT;
    }
    ev_set_callback(NULL, NULL);
    sched_det_set_step_hook(NULL, NULL);
    proc_exit_hook = NULL;
    exit_dbg = NULL;
    rt_shutdown();
    return true;
}

void dbg_request_rerun(Dbg *d, uint64_t target) {
    d->mode = MODE_TO_STEP;
    d->target = target;
    d->action = ACT_RERUN;
}

/* ---- supervisor definitions from the program ------------------------------------------------ */

static const char *name_or(Name n, const char *dflt) { return n.id ? n.id : dflt; }

static void collect_supdefs(Dbg *d) {
    for (uint32_t mi = 0; mi < d->proj->nmods; mi++) {
        Node *root = d->proj->mods[mi]->root;
        if (!root) continue;
        for (uint32_t i = 0; i < root->list.items.n; i++) {
            Node *s = root->list.items.v[i];
            if (s && s->kind == N_SERVICE) {
                d->svcdefs = xrealloc(d->svcdefs, (size_t)(d->nsvcdefs + 1) * sizeof *d->svcdefs);
                DbgSvcDef *sv = &d->svcdefs[d->nsvcdefs++];
                uint32_t nh = s->service.handlers.n;
                sv->name = s->service.name.id;
                sv->nhandlers = (int)nh;
                sv->handlers = xcalloc(nh ? nh : 1, sizeof *sv->handlers);
                sv->is_call = xcalloc(nh ? nh : 1, sizeof *sv->is_call);
                for (uint32_t k = 0; k < nh; k++) {
                    sv->handlers[k] = s->service.handlers.v[k]->handler.name.id;
                    sv->is_call[k] = s->service.handlers.v[k]->handler.is_call;
                }
            }
            if (!s || s->kind != N_SUPERVISOR) continue;
            d->supdefs = xrealloc(d->supdefs, (size_t)(d->nsupdefs + 1) * sizeof *d->supdefs);
            DbgSupDef *sd = &d->supdefs[d->nsupdefs++];
            memset(sd, 0, sizeof *sd);
            sd->name = s->sup.name.id;
            sd->strategy = name_or(s->sup.strategy, "one_for_one");
            sd->max_restarts = s->sup.max_restarts && s->sup.max_restarts->kind == N_INT ? (int)s->sup.max_restarts->lit.i : 3;
            sd->max_seconds = s->sup.max_seconds && s->sup.max_seconds->kind == N_INT ? (int)s->sup.max_seconds->lit.i : 5;
            sd->nchildren = (int)s->sup.children.n;
            sd->ch = xcalloc((size_t)(sd->nchildren ? sd->nchildren : 1), sizeof *sd->ch);
            for (int k = 0; k < sd->nchildren; k++) {
                Node *c = s->sup.children.v[k];
                sd->ch[k].name = c->child.name.id;
                sd->ch[k].restart = name_or(c->child.restart, "permanent");
                if (c->flags & NF_BRUTAL) sd->ch[k].shutdown = "brutal_kill";
                else if (c->child.shutdown && c->child.shutdown->kind == N_INT) {
                    char buf[32];
                    snprintf(buf, sizeof buf, "%" PRId64 " ms", c->child.shutdown->lit.i);
                    sd->ch[k].shutdown = ast_strdup(buf, strlen(buf));
                } else sd->ch[k].shutdown = "5000 ms";
            }
        }
    }
}

/* ---- the command --------------------------------------------------------------------------------- */

static bool parse_u64(const char *s, uint64_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || !*s || *end || s[0] == '-') return false;
    *out = v;
    return true;
}

/* Commands are separated by newlines or `;`; a line starting with # is a comment. */
static void split_script(Dbg *d, const char *text) {
    const char *p = text;
    while (*p) {
        const char *eol = p;
        while (*eol && *eol != '\n') eol++;
        const char *q = p;
        while (q < eol && (*q == ' ' || *q == '\t')) q++;
        if (*q != '#') {
            while (q < eol) {
                const char *e = q;
                while (e < eol && *e != ';') e++;
                const char *a = q, *b = e;
                while (a < b && (*a == ' ' || *a == '\t' || *a == '\r')) a++;
                while (b > a && (b[-1] == ' ' || b[-1] == '\t' || b[-1] == '\r')) b--;
                if (b > a) {
                    d->script = xrealloc(d->script, (size_t)(d->nscript + 1) * sizeof *d->script);
                    d->script[d->nscript++] = xstrndup(a, (size_t)(b - a));
                }
                q = e < eol ? e + 1 : e;
            }
        }
        p = *eol ? eol + 1 : eol;
    }
}

static int usage(const char *msg) {
    fprintf(stderr, "snow trace: %s\nrun `snow help trace` for the options\n", msg);
    return 2;
}

int cmd_trace(int argc, char **argv) {
    Dbg d;
    memset(&d, 0, sizeof d);
    d.width = 100;
    d.follow = true;
    d.break_panic = true;
    d.view = V_TIMELINE;
    d.out_fd = d.ui_in_fd = -1;
    d.selected = 0;
    d.next_bp = 1;
    const char *export_path = NULL, *script_text = NULL, *script_file = NULL, *replay_path = NULL;
    /* the options `snow trace` shares with the other commands (cli.h's
     * CliOpts, read here without depending on the command layer) */
    struct { const char *path; bool json; int color; } co = {.color = -1};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--seed") == 0 || strcmp(a, "--width") == 0) {
            uint64_t v;
            if (i + 1 >= argc || !parse_u64(argv[i + 1], &v)) return usage("--seed and --width need a non-negative integer");
            if (a[2] == 's') d.seed = v;
            else d.width = v < 40 ? 40 : v > 1000 ? 1000 : (int)v;
            i++;
        } else if (strcmp(a, "--script") == 0 || strcmp(a, "--script-file") == 0 || strcmp(a, "--export") == 0 ||
                   strcmp(a, "--replay") == 0) {
            if (i + 1 >= argc) return usage("--script, --script-file, --export and --replay need an argument");
            if (a[2] == 'e') export_path = argv[++i];
            else if (a[2] == 'r') replay_path = argv[++i];
            else if (strcmp(a, "--script") == 0) script_text = argv[++i];
            else script_file = argv[++i];
        } else if (strcmp(a, "--dump") == 0) {
            d.dump = true;
        } else if (strcmp(a, "--json") == 0) {
            co.json = true;
        } else if (strncmp(a, "--color=", 8) == 0) {
            co.color = strcmp(a + 8, "always") == 0 ? 1 : strcmp(a + 8, "never") == 0 ? 0 : -1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "snow trace: unknown option '%s'\nrun `snow help trace` for the options\n", a);
            return 2;
        } else if (!co.path) {
            co.path = a;
        } else {
            return usage("unexpected argument (one PATH only)");
        }
    }
    if (!co.path) return usage("missing PATH (a .snow file or a project directory)");
    if (export_path) {
        size_t n = strlen(export_path);
        if (!(n > 4 && (strcmp(export_path + n - 4, ".svg") == 0 || strcmp(export_path + n - 4, ".mmd") == 0)))
            return usage("--export writes FILE.svg (SVG picture) or FILE.mmd (Mermaid sequence diagram)");
    }
    if (replay_path) {
        char err[512];
        if (!iolog_load(replay_path, err, sizeof err)) {
            fprintf(stderr, "snow trace: --replay: %s\n", err);
            return 2;
        }
        journal.from_file = true;
    }
    char *file_script = NULL;
    if (script_file && !(file_script = src_read_file(script_file, NULL))) {
        fprintf(stderr, "snow trace: cannot read %s: %s\n", script_file, strerror(errno));
        return 2;
    }
    d.headless = script_text || script_file || export_path || d.dump;
    if (!d.headless && (!isatty(0) || !isatty(1))) /* (no script: nothing to free) */
        return usage("the interactive debugger needs a terminal (use --script ... --dump for headless runs)");
    diag_set_json(co.json);
    diag_set_color(co.color);

    static Project proj; /* reachable at exit (leak checkers) */
    Value main_fn;
    if (!pipeline_compile(co.path, &proj, &main_fn)) {
        free(file_script);
        return 1;
    }
    /* the script's commands, once nothing can return early */
    if (file_script) split_script(&d, file_script);
    free(file_script);
    if (script_text) split_script(&d, script_text);
    d.path = co.path;
    d.proj = &proj;
    d.main_fn = main_fn;
    collect_supdefs(&d);
    rt_argc = 1;
    rt_argv = xcalloc(2, sizeof *rt_argv);
    rt_argv[0] = (char *)co.path;

    int rc = 0;
    if (!capture_begin(&d)) {
        fprintf(stderr, "snow trace: cannot capture the program's output\n");
        return 2;
    }
    if (export_path && !script_text && !script_file && !d.dump) {
        d.mode = MODE_TO_END;
        run_once(&d);
        char err[256];
        bool ok = dbg_export(&d, export_path, err, sizeof err);
        uint32_t nmsg = 0;
        for (uint32_t i = 0; i < d.m.nevs; i++) nmsg += d.m.evs[i].kind == EV_SEND;
        capture_end(&d);
        if (ok) printf("wrote %s: %" PRIu64 " events, %u messages, %" PRIu64 " processes\n", export_path,
                       d.m.last_step, nmsg, d.m.nprocs);
        else fprintf(stderr, "snow trace: %s\n", err);
        rc = ok ? 0 : 1;
    } else {
        d.mode = MODE_TO_STEP;
        d.target = 0;
        for (;;) {
            if (!run_once(&d)) {
                rc = 2;
                break;
            }
            if (d.action == ACT_QUIT) break;
            if (d.action != ACT_RERUN) break;
        }
        if (!d.headless) dbg_tui_end(&d);
        if (export_path) {
            /* after a script: the whole run's chart */
            d.mode = MODE_TO_END;
            run_once(&d);
            char err[256];
            if (!dbg_export(&d, export_path, err, sizeof err)) {
                fprintf(d.ui_out, "snow trace: %s\n", err);
                rc = 1;
            }
        }
        capture_end(&d);
    }
    dm_free(&d.m);
    dm_intern_free();
    dbg_break_free_all(&d);
    for (int i = 0; i < d.nscript; i++) free(d.script[i]);
    free(d.script);
    for (int i = 0; i < d.nsupdefs; i++) free(d.supdefs[i].ch);
    free(d.supdefs);
    for (int i = 0; i < d.nsvcdefs; i++) {
        free(d.svcdefs[i].handlers);
        free(d.svcdefs[i].is_call);
    }
    free(d.svcdefs);
    free(rt_argv);
    rt_argv = NULL;
    rt_argc = 0;
    project_free(&proj);
    iolog_free();
    return rc;
}
