/* repl.c — `snow repl`: an interactive session for learning, run as Snow
 * processes on the deterministic scheduler (decision 33; docs/repl.md).
 *
 *   <0.0> reader   reads and compiles each input, hands it to the session and
 *                  waits for it; it is linked to nothing, so it outlives any
 *                  crash, and it keeps a copy of the bindings' values.
 *   <0.1> session  the process the inputs run in: `self()` at the prompt,
 *                  its mailbox is what `receive` and flush() see, and what
 *                  the inputs link to.  Killed (a linked crash, an exit
 *                  signal), it is replaced by a fresh one that gets the
 *                  reader's copy of the bindings: definitions and bindings
 *                  survive, as in iex.
 *   <0.2> watcher  waits for Ctrl-C (a pipe written by the SIGINT handler)
 *                  and interrupts the input the session is running: a panic
 *                  "interrupted" there, caught like any panic at the prompt.
 *
 * Every process is preempted like any other, and the scheduler also polls
 * the terminal while processes run, so an actor that spins never freezes the
 * prompt.  Hand-offs between reader and session use mailbox entries of the
 * REPL's own kinds (mbox.h), which `receive` never sees.
 *
 * Invariants: the session state (repl_int.h) is changed by one process at a
 * time: the reader while the session waits for a job, the session (running
 * an input: repl_accept) while the reader waits for it.  The reader's copy of
 * the bindings has the same shape as R.binds whenever the session is idle. */
#include "repl.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diag.h"
#include "eval_internal.h"
#include "event.h"
#include "fmt.h"
#include "gc.h"
#include "list.h"
#include "prepare.h"
#include "proc.h"
#include "repl_int.h"
#include "rt.h"
#include "sched.h"
#include "sysmsg.h"
#include "vals.h"
#include "xalloc.h"

static uint64_t reader_pid, session_pid, watcher_pid;
static Value backup;       /* the reader's copy of the bindings' values (its heap) */
static Value sess_vals;    /* the session's own (its heap) */
static ReplJob *job;       /* what the session runs next (NULL: :reset, it ends) */
static bool job_taken;     /* the session has started on it */
static bool evaluating;    /* the session is running an input */

uint64_t repl_session_pid(void) { return session_pid; }
bool repl_is_helper(uint64_t pid) { return pid == reader_pid || pid == watcher_pid; }
bool repl_evaluating(void) { return evaluating; }
Value repl_binding_value(uint32_t i) { return i < list_len(backup) ? list_get(backup, i) : v_unit(); }

static bool is_kind(const MboxEntry *e, void *ud) { return mbox_kind(e) == (uint32_t)(uintptr_t)ud; }

/* ---- the session ---------------------------------------------------------------------- */

static void run_wrapper(void *arg) {
    Value *res = arg;
    uint32_t n = job->npass;
    VAL_BUF(args, n);
    for (uint32_t k = 0; k < n; k++) args[k] = list_get(sess_vals, job->pass[k]);
    *res = rt_apply(job->fn, (int)n, args);
}

static Value session_main(Value *args, int nargs) {
    sess_vals = nargs ? args[0] : list_empty();
    heap_add_root(heap_current(), &sess_vals);
    for (;;) {
        sysmsg_take(sysmsg_wait(is_kind, (void *)(uintptr_t)MB_REPL_JOB, -1));
        job_taken = true;
        Value news = v_unit();
        if (job) {
            Value res = v_unit();
            fflush(stdout);
            evaluating = true;
            bool ok = proc_catch_report(run_wrapper, &res);
            evaluating = false;
            fflush(stdout);
            news = repl_accept(job, ok, res);
            sess_vals = repl_merge(job, sess_vals, news);
        } else {
            /* :reset: this process ends (normally: the processes linked to it
             * stay) and a fresh one starts, with an empty mailbox whose type
             * is open again; pids of this one now point to a dead process */
            fflush(stdout);
            return v_unit();
        }
        fflush(stdout);
        fflush(stderr);
        proc_send_kind(reader_pid, MB_REPL_DONE, news);
    }
}

SYSMSG_BODY(session_body, "repl", session_main, 1);

static void start_session(void) {
    SpawnOpts o = {.name = "repl", .terminate = v_unit()};
    session_pid = proc_spawn(SYSMSG_FN(session_body), 1, &backup, &o);
    proc_monitor_kind(session_pid, MB_REPL_DOWN);
}

/* The session died: say why and start a fresh one with the same bindings. */
static void session_died(Value down) {
    char old[48], now[48];
    ev_fmt_pid(session_pid, old, sizeof old);
    SB b;
    sb_init(&b);
    fmt_show(&b, sysmsg_reason(down), 400);
    evaluating = false;
    start_session();
    ev_fmt_pid(session_pid, now, sizeof now);
    fflush(stdout);
    fprintf(stderr, "** the REPL process %s exited: %s\n", old, sb_cstr(&b));
    fprintf(stderr, "** a new REPL process %s keeps your definitions and bindings\n", now);
    fflush(stderr);
    sb_free(&b);
}

static void check_session(void) {
    MboxEntry *e = sysmsg_find(is_kind, (void *)(uintptr_t)MB_REPL_DOWN);
    if (e) session_died(sysmsg_take(e));
}

static bool done_or_down(const MboxEntry *e, void *ud) {
    (void)ud;
    return mbox_kind(e) == MB_REPL_DONE || mbox_kind(e) == MB_REPL_DOWN;
}

/* Hand j (or NULL: :reset, the session ends and a fresh one starts) to the
 * session and wait until it is done or dead. */
static void run_in_session(ReplJob *j) {
    job = j;
    for (;;) {
        job_taken = false;
        proc_send_kind(session_pid, MB_REPL_JOB, v_unit());
        MboxEntry *e = sysmsg_wait(done_or_down, NULL, -1);
        uint32_t kind = mbox_kind(e);
        Value v = sysmsg_take(e);
        if (kind == MB_REPL_DONE) {
            backup = repl_merge(j, backup, v);
            break;
        }
        if (!j && job_taken) { /* :reset: the session ended as asked */
            backup = list_empty();
            start_session();
            break;
        }
        session_died(v);
        if (job_taken) break; /* it died running the input */
        /* it died before it could start (a crash while it waited): the new one runs it */
    }
    job = NULL;
}

bool repl_eval(const char *text, const char *origin, bool defs_only) {
    ReplJob j;
    memset(&j, 0, sizeof j);
    j.text = text;
    j.origin = origin;
    j.defs_only = defs_only;
    check_session();
    repl_compile(&j);
    bool ok = j.ok;
    if (ok) run_in_session(&j);
    repl_job_free(&j);
    return ok;
}

void repl_forget_values(void) { run_in_session(NULL); }

/* ---- the Ctrl-C watcher --------------------------------------------------------------- */

static _Noreturn Value watcher_main(Value *args, int nargs) {
    (void)args;
    (void)nargs;
    int fd = repl_sigint_fd();
    for (;;) {
        sched_wait_io(fd, POLLIN, -1);
        char buf[64];
        while (read(fd, buf, sizeof buf) > 0) {
        }
        if (evaluating) {
            if (R.tty) { /* after the terminal's ^C, the panic on a line of its own */
                fputc('\n', stdout);
                fflush(stdout);
            }
            proc_interrupt(session_pid);
        }
    }
}

SYSMSG_BODY(watcher_body, "repl-signals", watcher_main, 0);

/* ---- the reader ------------------------------------------------------------------------- */

/* Let the processes an input started run until they all wait: the
 * deterministic scheduler's clock only advances when nothing is runnable, so
 * a 1 ms sleep returns exactly then.  Their output thus appears before the
 * next prompt, in the same order every time. */
static void let_others_run(void) {
    fflush(stdout);
    sched_sleep_until(sched_now() + 1);
    fflush(stdout);
    fflush(stderr);
}

static Value reader_main(Value *args, int nargs) {
    (void)args;
    (void)nargs;
    reader_pid = proc_self_pid();
    backup = list_empty();
    heap_add_root(heap_current(), &backup);
    repl_input_start();
    start_session();
    SpawnOpts wo = {.name = "repl-signals", .terminate = v_unit()};
    watcher_pid = proc_spawn(SYSMSG_FN(watcher_body), 0, NULL, &wo);
    for (;;) {
        fflush(stdout);
        fflush(stderr);
        check_session();
        char *input = repl_next_input();
        if (!input) break;
        size_t n = strlen(input);
        while (n && (input[n - 1] == '\n' || input[n - 1] == ' ' || input[n - 1] == '\t' || input[n - 1] == '\r'))
            input[--n] = 0;
        char *s = input;
        while (*s == ' ' || *s == '\t' || *s == '\n') s++;
        if (!*s) {
            free(input);
            continue;
        }
        repl_history_add(s);
        bool go_on = true;
        if (*s == ':') go_on = repl_command(s);
        else repl_eval(s, "repl", false);
        free(input);
        let_others_run();
        check_session();
        if (!go_on) break;
    }
    if (R.tty) printf("\n");
    fflush(stdout);
    fflush(stderr);
    /* leave at once: actors still running do not keep the REPL open */
    exit(0);
}

static FuncInfo reader_fi = {"repl-reader", 0, reader_main, NULL};

int cmd_repl(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--color=", 8) == 0) {
            diag_set_color(strcmp(argv[i] + 8, "always") == 0 ? 1 : strcmp(argv[i] + 8, "never") == 0 ? 0 : -1);
            continue;
        }
        fprintf(stderr, "snow repl: unknown argument '%s'\n", argv[i]);
        return 2;
    }
    R.tty = isatty(0) && isatty(1);
    repl_input_init(R.tty);
    prepare_keep_types(true);
    RtConfig cfg;
    memset(&cfg, 0, sizeof cfg);
    if (!rt_init(&cfg)) return 2;
    eval_install_hooks();
    int st = rt_run_main(val_func_static(&reader_fi));
    rt_shutdown();
    return st;
}
