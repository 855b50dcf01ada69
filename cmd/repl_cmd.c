/* repl_cmd.c — the REPL's `:` commands, and flush() (decision 33).
 *
 * The commands run in the reader process while the session waits; they
 * read processes only through proc.h's introspection calls and eval.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blocked.h"
#include "eval.h"
#include "event.h"
#include "fmt.h"
#include "mbox.h"
#include "proc.h"
#include "registry.h"
#include "repl_int.h"
#include "source.h"
#include "stdlib_table.h"
#include "sysmsg.h"
#include "xalloc.h"

const char *const repl_command_names[] = {":help", ":type", ":info", ":i", ":load", ":reload", ":reset",
                                          ":processes", ":quit", NULL};

static const char *const help_text =
    "Type an expression to see its value and type, e.g. [1, 2, 3] |> List.map(fn x -> x * 2 end)\n"
    "Definitions (fn, struct, type, interface, impl, actor, service, supervisor, import) and\n"
    "`let` bindings stay for the rest of the session; defining a name again replaces it.\n"
    "Input continues on the next line while a do/end block, a bracket or a string is open;\n"
    "Ctrl-C or an empty line cancels it (inside a do/end block: two empty lines).\n"
    "Ctrl-C also interrupts a running input; the definitions and bindings stay.\n"
    "The prompt is a process: self(), send, receive ... after, and flush() (print and\n"
    "empty its mailbox) work here.  If it is killed, a new one keeps the bindings.\n\n"
    "commands:\n"
    "  :help              this help\n"
    "  :type EXPR         the type of an expression, without running it\n"
    "  :info NAME         the type, documentation and definition site of a name\n"
    "  :i PID             a process (<0.3>, 3, self, a name bound to a pid): its status,\n"
    "                     registered name, links, monitors, mailbox and current function\n"
    "  :load FILE         load the definitions of a file\n"
    "  :reload            load the files given to :load again\n"
    "  :reset             forget every definition and binding\n"
    "  :processes         the live processes (pid, name, mailbox length, status)\n"
    "  :quit              leave (also Ctrl-D on an empty line)\n";

/* ---- :type, :load ------------------------------------------------------------------------- */

static void cmd_type(const char *expr) {
    char *t = repl_type_of(expr, false);
    if (t) printf("%s :: %s\n", expr, t);
    free(t);
}

static void cmd_load(const char *path, bool remember) {
    size_t len;
    const char *why = NULL;
    char *text = src_read(path, &len, &why);
    if (!text) {
        fprintf(stderr, "error: cannot read '%s': %s\n", path, why);
        return;
    }
    if (strlen(text) != len) { /* an input is a C string */
        fprintf(stderr, "error: cannot load '%s': it contains a NUL byte\n", path);
        free(text);
        return;
    }
    bool ok = repl_eval(text, path, true);
    free(text);
    if (remember) {
        bool known = false;
        for (uint32_t i = 0; i < R.nloaded; i++) known |= strcmp(R.loaded[i], path) == 0;
        if (!known) {
            R.loaded = xrealloc(R.loaded, (R.nloaded + 1) * sizeof *R.loaded);
            R.loaded[R.nloaded++] = xstrdup(path);
        }
    }
    if (R.tty && ok) printf("loaded %s\n", path);
}

/* ---- processes ----------------------------------------------------------------------------- */

static void put_pid(SB *b, uint64_t pid) {
    char p[48];
    ev_fmt_pid(pid, p, sizeof p);
    sb_puts(b, p);
}

static const char *label(const ProcInfo *p) {
    if (p->is_main) return "main";
    if (p->name) return p->name;
    return p->regname ? p->regname : "?";
}

/* "<0.3> worker" */
static void put_who(SB *b, uint64_t pid) {
    put_pid(b, pid);
    Proc *p = proc_find(pid);
    if (!p) return;
    ProcInfo v;
    proc_info(p, &v);
    if (pid == repl_session_pid()) sb_puts(b, " repl");
    else if (!repl_is_helper(pid)) sb_printf(b, " %s", label(&v));
}

/* Ordinary messages and signals: what `receive` and flush() see. */
static size_t user_messages(Proc *p) {
    size_t n, k = 0;
    MboxMsg *m = mbox_snapshot(proc_mailbox(p), &n);
    for (size_t i = 0; i < n; i++) k += m[i].kind == MB_USER || m[i].kind == MB_SIGNAL;
    free(m);
    return k;
}

static void status_text(Proc *p, const ProcInfo *v, SB *b) {
    if (v->pid == repl_session_pid() && !repl_evaluating()) {
        sb_puts(b, "at the prompt");
        return;
    }
    switch (v->state) {
    case PS_NEW: sb_puts(b, "runnable (not started yet)"); break;
    case PS_RUNNABLE: sb_puts(b, "runnable"); break;
    case PS_RUNNING: sb_puts(b, "running"); break;
    case PS_WAITING:
        if (v->wait == W_SLEEP) sb_puts(b, "sleeping");
        else if (v->wait == W_IO) sb_puts(b, "waiting for input");
        else {
            sb_puts(b, "waiting for ");
            blocked_reason_text(p, b);
        }
        break;
    default: sb_puts(b, "exiting"); break;
    }
}

static void list_proc(Proc *p, void *ud) {
    (void)ud;
    ProcInfo v;
    proc_info(p, &v);
    if (repl_is_helper(v.pid)) return;
    char pid[48], name[64];
    ev_fmt_pid(v.pid, pid, sizeof pid);
    if (v.pid == repl_session_pid()) snprintf(name, sizeof name, "repl (this prompt)");
    else if (v.regname && v.name) snprintf(name, sizeof name, "%s \"%s\"", v.name, v.regname);
    else snprintf(name, sizeof name, "%s", label(&v));
    SB st;
    sb_init(&st);
    status_text(p, &v, &st);
    printf("  %-9s %-20s %7zu %s\n", pid, name, user_messages(p), sb_cstr(&st));
    sb_free(&st);
}

static void cmd_processes(void) {
    printf("  %-9s %-20s %-7s %s\n", "pid", "name", "mailbox", "status");
    proc_foreach(list_proc, NULL);
}

/* `<0.3>`, `0.3`, `3`, self / self(), a binding holding a pid, or a
 * registered name. */
static bool parse_pid(const char *s, uint64_t *pid) {
    if (strcmp(s, "self()") == 0 || strcmp(s, "self") == 0) {
        *pid = repl_session_pid();
        return true;
    }
    const char *p = s;
    if (*p == '<') p++;
    if (p[0] == '0' && p[1] == '.') p += 2;
    char *end;
    errno = 0;
    unsigned long long n = strtoull(p, &end, 10);
    if (end != p && !errno && (*end == 0 || (*end == '>' && end[1] == 0 && *s == '<'))) {
        *pid = pid_make(0, 0, n);
        return true;
    }
    int b = repl_find_binding(s);
    if (b >= 0) {
        Value v = repl_binding_value((uint32_t)b);
        if (v.tag == T_PID) {
            *pid = v.u;
            return true;
        }
    }
    const char *name = s[0] == '"' ? s + 1 : s;
    size_t len = strlen(name);
    if (len && name[len - 1] == '"' && s[0] == '"') len--;
    return reg_whereis(name, len, pid);
}

/* "<0.6> crasher (#Ref<3>), ..." without the REPL's own helpers. */
static void put_monitors(const char *label, const ProcMonitor *m, uint32_t n, const char *none) {
    SB b;
    sb_init(&b);
    for (uint32_t i = 0; i < n; i++) {
        if (repl_is_helper(m[i].pid)) continue;
        if (b.len) sb_puts(&b, ", ");
        put_who(&b, m[i].pid);
        sb_printf(&b, " (#Ref<%" PRIu64 ">)", m[i].ref);
    }
    printf("  %s %s\n", label, b.len ? sb_cstr(&b) : none);
    sb_free(&b);
}

static void cmd_process(uint64_t pid) {
    char ps[48];
    ev_fmt_pid(pid, ps, sizeof ps);
    Proc *p = proc_find(pid);
    if (!p) {
        printf("%s is not alive\n", ps);
        return;
    }
    ProcInfo v;
    proc_info(p, &v);
    SB b;
    sb_init(&b);
    bool me = pid == repl_session_pid();
    put_who(&b, pid);
    if (me) sb_puts(&b, "  (this prompt: self())");
    else if (v.is_main || repl_is_helper(pid)) sb_puts(&b, "  (the REPL's own helper process)");
    else {
        sb_puts(&b, "  spawned by ");
        put_who(&b, v.parent);
    }
    printf("%s\n", sb_cstr(&b));
    b.len = 0;
    status_text(p, &v, &b);
    printf("  status:           %s\n", sb_cstr(&b));
    printf("  registered name:  %s\n", v.regname ? v.regname : "none");
    /* the current function: the innermost Snow frame */
    b.len = 0;
    EvalFrameInfo fi[1];
    int n = eval_proc_frames(p, fi, 1);
    if (n == 1 && fi[0].line) sb_printf(&b, "%s at %s:%u:%u", fi[0].function, fi[0].file, fi[0].line, fi[0].col);
    else if (n == 1) sb_puts(&b, fi[0].function);
    else if (v.hibernated) sb_puts(&b, "(idle for long: its stack is stored compactly)");
    else if (me) sb_puts(&b, "none (waiting for your input)");
    else if (v.state == PS_NEW) sb_printf(&b, "%s (not started yet)", v.name ? v.name : "?");
    else sb_puts(&b, "none (the runtime's own loop: a service, a supervisor)");
    printf("  current function: %s\n", sb_cstr(&b));
    EvalLocal loc[16];
    int nl = n == 1 ? eval_frame_locals(p, 0, -1, loc, 16) : 0;
    if (nl) {
        b.len = 0;
        for (int i = 0; i < nl; i++) {
            sb_printf(&b, "%s%s = ", i ? ", " : "", loc[i].name);
            fmt_show(&b, loc[i].val, 60);
        }
        printf("  variables:        %s\n", sb_cstr(&b));
    }
    ProcRelations r;
    proc_relations(p, &r);
    b.len = 0;
    for (uint32_t i = 0; i < r.nlinks; i++) {
        if (i) sb_puts(&b, ", ");
        put_who(&b, r.links[i]);
    }
    printf("  links:            %s\n", r.nlinks ? sb_cstr(&b) : "none");
    put_monitors("monitors:        ", r.mons_out, r.nmons_out, "none");
    put_monitors("monitored by:    ", r.mons_in, r.nmons_in, "nobody");
    proc_relations_free(&r);
    printf("  traps exits:      %s\n", v.trap_exit ? "yes (linked crashes arrive as Exit messages)" : "no");
    size_t nm, nuser = user_messages(p);
    MboxMsg *msgs = mbox_snapshot(proc_mailbox(p), &nm);
    printf("  mailbox:          %zu message%s\n", nuser, nuser == 1 ? "" : "s");
    size_t k = 0;
    for (size_t i = 0; i < nm; i++) {
        if (msgs[i].kind != MB_USER && msgs[i].kind != MB_SIGNAL) continue;
        if (++k > 50) {
            printf("    ... %zu more\n", nuser - 50);
            break;
        }
        b.len = 0;
        fmt_show(&b, msgs[i].val, 200);
        char from[48];
        ev_fmt_pid(msgs[i].from, from, sizeof from);
        bool known = msgs[i].from != EV_NOPID;
        printf("    %zu. %s%s%s%s\n", k, msgs[i].kind == MB_SIGNAL ? "[signal] " : "", sb_cstr(&b),
               known ? "   from " : "", known ? from : "");
    }
    free(msgs);
    sb_free(&b);
}

/* ---- :info ---------------------------------------------------------------------------------- */

static void print_doc(const char *doc) {
    for (const char *l = doc; l && *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        printf("  %.*s\n", (int)n, l);
        l = e ? e + 1 : l + n;
    }
}

static void print_site(const char *origin, uint32_t line) {
    if (strcmp(origin, "repl") == 0) printf("  defined at the prompt\n");
    else printf("  defined in %s:%u\n", origin, line);
}

static void cmd_info(const char *name, bool process) {
    uint64_t pid;
    if (name[0] == '<' || (name[0] >= '0' && name[0] <= '9') || (process && parse_pid(name, &pid))) {
        if (parse_pid(name, &pid)) cmd_process(pid);
        else printf("%s is not a pid (write <0.3>, 0.3 or 3)\n", name);
        return;
    }
    int bi = repl_find_binding(name);
    if (bi >= 0) {
        ReplBinding *b = &R.binds[bi];
        printf("%s :: %s\n", name, b->shown);
        SB sb;
        sb_init(&sb);
        fmt_show(&sb, repl_binding_value((uint32_t)bi), 400);
        printf("  = %s\n", sb_cstr(&sb));
        sb_free(&sb);
        if (strcmp(b->origin, "repl") == 0) printf("  bound at the prompt\n");
        else printf("  bound in %s\n", b->origin);
        return;
    }
    int di = repl_find_def_named(name);
    if (di >= 0) {
        ReplDef *d = &R.defs[di];
        static const char *const what[N__COUNT] = {
            [N_STRUCT] = "struct", [N_SUMTYPE] = "type", [N_ALIAS] = "alias", [N_INTERFACE] = "interface",
            [N_ACTOR] = "actor", [N_SERVICE] = "service", [N_SUPERVISOR] = "supervisor"};
        if (d->kind == N_FN) {
            char *t = repl_type_of(name, true);
            printf("%s :: %s\n", name, t ? t : "?");
            free(t);
        } else {
            printf("%s %s\n", d->kind < N__COUNT && what[d->kind] ? what[d->kind] : "definition", name);
        }
        print_doc(d->doc);
        print_site(d->origin, d->line);
        if (d->kind != N_FN) {
            /* a type, an actor, an interface...: its definition */
            uint32_t indent = d->col - 1; /* the first line starts at its column */
            for (const char *l = d->text; *l;) {
                const char *e = strchr(l, '\n');
                size_t n = e ? (size_t)(e - l) : strlen(l);
                size_t skip = 0;
                if (l != d->text)
                    while (skip < indent && skip < n && l[skip] == ' ') skip++;
                printf("    %.*s\n", (int)(n - skip), l + skip);
                l = e ? e + 1 : l + n;
            }
        }
        return;
    }
    const StdFn *f = NULL;
    const char *dot = strrchr(name, '.');
    if (dot) {
        char mod[128];
        snprintf(mod, sizeof mod, "%.*s", (int)(dot - name), name);
        f = stdlib_lookup(mod, dot + 1);
    } else {
        f = stdlib_lookup_prelude(name);
    }
    if (f) {
        char *t = repl_type_of(name, true);
        printf("%s :: %s\n", name, t ? t : f->type);
        free(t);
        if (f->doc && f->doc[0]) printf("  %s\n", f->doc);
        printf("  standard library%s%s\n", f->module[0] ? ", module " : "", f->module);
        return;
    }
    if (stdlib_next_in_module(name, NULL)) {
        printf("%s: a module of the standard library\n  functions:", name);
        int col = 13;
        for (const StdFn *g = stdlib_next_in_module(name, NULL); g; g = stdlib_next_in_module(name, g)) {
            int w = (int)strlen(g->name) + 1;
            if (col + w > 78) {
                printf("\n   ");
                col = 3;
            }
            printf(" %s", g->name);
            col += w;
        }
        printf("\n  (:info %s.NAME for one of them)\n", name);
        return;
    }
    char *t = repl_type_of(name, true);
    if (t) {
        printf("%s :: %s\n", name, t); /* a constructor, a prelude value... */
        free(t);
        return;
    }
    if (parse_pid(name, &pid)) {
        cmd_process(pid);
        return;
    }
    printf("nothing is called `%s` here\n", name);
}

/* ---- the commands ------------------------------------------------------------------------------ */

bool repl_command(const char *line) {
    const char *arg = line + 1;
    size_t w = 0;
    while (arg[w] && arg[w] != ' ' && arg[w] != '\t') w++;
    const char *rest = arg + w;
    while (*rest == ' ' || *rest == '\t') rest++;
#define IS(s) (w == strlen(s) && strncmp(arg, s, w) == 0)
    if (IS("quit") || IS("q") || IS("exit")) return false;
    if (IS("help") || IS("h") || IS("?")) {
        fputs(help_text, stdout);
        return true;
    }
    if (IS("type") || IS("t")) {
        if (!*rest) fputs("usage: :type EXPR\n", stderr);
        else cmd_type(rest);
        return true;
    }
    if (IS("info") || IS("i")) {
        if (!*rest) fprintf(stderr, "usage: :%s NAME (or a pid: <0.3>, 0.3, 3)\n", IS("i") ? "i" : "info");
        else cmd_info(rest, IS("i"));
        return true;
    }
    if (IS("load") || IS("l")) {
        if (!*rest) fputs("usage: :load FILE\n", stderr);
        else cmd_load(rest, true);
        return true;
    }
    if (IS("reload") || IS("r")) {
        if (!R.nloaded) fputs("nothing to reload: use :load FILE first\n", stderr);
        for (uint32_t i = 0; i < R.nloaded; i++) cmd_load(R.loaded[i], false);
        return true;
    }
    if (IS("reset")) {
        repl_reset_session();
        repl_forget_values();
        if (R.tty) puts("session reset");
        return true;
    }
    if (IS("processes") || IS("ps")) {
        cmd_processes();
        return true;
    }
#undef IS
    fprintf(stderr, "unknown command :%.*s (try :help)\n", (int)w, arg);
    return true;
}

/* ---- flush() -------------------------------------------------------------------------------------- */

/* Print every ordinary message and signal of the running process's mailbox,
 * oldest first, and remove them (the REPL's own entries stay). */
static Value bi_flush(Value *args, int nargs) {
    (void)args;
    (void)nargs;
    Mbox *m = proc_mbox();
    SB b;
    sb_init(&b);
    for (MboxEntry *e = mbox_first(m); e;) {
        MboxEntry *next = mbox_next(m, e);
        if (mbox_kind(e) == MB_USER || mbox_kind(e) == MB_SIGNAL) {
            b.len = 0;
            fmt_show(&b, mbox_value(e), REPL_SHOW_MAX);
            printf("%s\n", sb_cstr(&b));
            mbox_take(m, e);
        }
        e = next;
    }
    sb_free(&b);
    return v_unit();
}

static const StdFn repl_lib[] = {
    {"", "flush", "Fun() -> ()", bi_flush, 0, SF_PRELUDE | SF_PROCESS_BODY,
     "print and empty the mailbox of the REPL's process (at the prompt only)"},
};
STDLIB_REGISTER(repl_lib)
