/* cli.c — commands `check` and `ast`, shared option parsing and the front
 * end pipeline (see cli.h).  Other commands live in their own cmd_*.c files
 * and are listed in cli_commands below. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "prepare.h"
#include "resolve.h"
#include "ty.h"
#include <time.h>

int cli_parse_common(int argc, char **argv, CliOpts *o, const char *const *extra) {
    memset(o, 0, sizeof *o);
    o->color = -1;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) { o->json = true; continue; }
        if (strcmp(a, "--color=always") == 0) { o->color = 1; continue; }
        if (strcmp(a, "--color=never") == 0 || strcmp(a, "--no-color") == 0) { o->color = 0; continue; }
        if (strcmp(a, "--color=auto") == 0) { o->color = -1; continue; }
        if (a[0] == '-' && a[1]) {
            bool known = false;
            for (int k = 0; extra && extra[k]; k++)
                if (strcmp(extra[k], a) == 0) known = true;
            if (known) break;
            fprintf(stderr, "snow %s: unknown option '%s'\n", argv[0], a);
            fprintf(stderr, "run `snow help %s` for the options\n", argv[0]);
            return -1;
        }
        if (!o->path) { o->path = a; continue; }
        break;
    }
    if (!o->path) {
        fprintf(stderr, "snow %s: missing PATH (a .snow file or a project directory)\n", argv[0]);
        return -1;
    }
    diag_set_json(o->json);
    diag_set_color(o->color);
    return i;
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* SNOW_TIMING=1 prints the time of each front-end phase on stderr. */
bool cli_frontend(const CliOpts *o, Project *proj) {
    bool timing = getenv("SNOW_TIMING") != NULL;
    double t0 = now_ms();
    if (!project_load(o->path, proj)) return false;
    double t1 = now_ms();
    if (diag_error_count() == 0) resolve_project(proj);
    double t2 = now_ms();
    if (diag_error_count() == 0) ty_check_project(proj);
    double t3 = now_ms();
    if (timing)
        fprintf(stderr, "timing: load+lex+parse %.1f ms, resolve %.1f ms, typecheck %.1f ms\n", t1 - t0, t2 - t1,
                t3 - t2);
    bool ok = diag_error_count() == 0;
    diag_flush();
    return ok;
}

static void fail_summary(void) {
    /* language.md §7.1: the driver's closing line after the diagnostics. */
    if (diag_error_count()) fputs("error: Compilation failed due to errors above.\n", stderr);
}

bool cli_compile(const CliOpts *o, Project *proj, Value *main_fn) {
    if (!cli_frontend(o, proj)) {
        if (!o->json) fail_summary();
        project_free(proj);
        return false;
    }
    bool ok = prepare_program(proj, main_fn);
    diag_flush();
    if (!ok) project_free(proj);
    return ok;
}

static int cmd_check(int argc, char **argv) {
    CliOpts o;
    if (cli_parse_common(argc, argv, &o, NULL) < 0) return 2;
    Project proj;
    bool ok = cli_frontend(&o, &proj);
    if (!ok) {
        if (!o.json) fail_summary();
        project_free(&proj);
        return 1;
    }
    project_free(&proj);
    return 0;
}

static int cmd_ast(int argc, char **argv) {
    CliOpts o;
    if (cli_parse_common(argc, argv, &o, NULL) < 0) return 2;
    Project proj;
    if (!project_load(o.path, &proj)) return 1;
    if (diag_error_count()) {
        diag_flush();
        if (!o.json) fail_summary();
        project_free(&proj);
        return 1;
    }
    diag_flush();
    for (uint32_t i = 0; i < proj.nmods; i++) {
        Module *m = proj.mods[i];
        printf("Module %s (%s)\n", m->name, src_get(m->file)->path);
        for (uint32_t k = 0; k < m->root->list.items.n; k++) ast_dump(stdout, m->root->list.items.v[k], 1);
    }
    project_free(&proj);
    return 0;
}

int cmd_run(int argc, char **argv);  /* cmd_run.c */
int cmd_repl(int argc, char **argv); /* repl.c */
int cmd_trace(int argc, char **argv); /* debugger/dbg_run.c */

const Command cli_commands[] = {
    {"run", "compile and run a program", "snow run [OPTIONS] PATH [-- ARGS...]",
     "Type-checks PATH and runs its `main`. Nothing runs if there is a static error (exit 1).\n"
     "A panic in main prints `panic: MESSAGE` and the Snow call stack and exits with 101.\n\n"
     "options:\n"
     "  --seed N          scheduling seed of the deterministic scheduler (default 0: FIFO)\n"
     "  --virtual-time    when every process waits, jump the clock to the next timer\n"
     "  --events FILE     write the event stream (JSON lines, docs/events.md)\n"
     "  --explore K       run under seeds 1..K and show each distinct outcome\n"
     "  --threads N       run on N worker threads (0 = one per core)\n"
     "  --json            diagnostics as JSON lines\n"
     "  --color=WHEN      always, never or auto\n\n"
     "Arguments after `--` are available to the program through Env.args().\n",
     cmd_run, true},
    {"trace", "step through an actor program in the tracing debugger", "snow trace [OPTIONS] PATH",
     "Runs PATH on the deterministic scheduler with virtual time and stops before it\n"
     "starts: watch processes spawn, send, receive, link, monitor and crash, one event\n"
     "or one message at a time, and step backwards (the run is replayed exactly).\n"
     "Press ? inside for every key; docs/debugger.md shows the views.\n\n"
     "options:\n"
     "  --seed N          scheduling seed (default 0: FIFO); change it inside with s\n"
     "  --script CMDS     headless: run commands separated by `;` (next, next-message,\n"
     "                    continue, back, restart, goto N, seed N, select PID,\n"
     "                    break PID, break-fn NAME, break-line N, break-msg PATTERN,\n"
     "                    delete N, search TEXT, filter all|learner, quit)\n"
     "  --script-file F   the same, read from a file (one command per line)\n"
     "  --dump            headless: print every view as text after each command\n"
     "  --width N         width of the dumped views (default 100)\n"
     "  --export FILE     write the whole run's message sequence chart:\n"
     "                    FILE.svg (picture) or FILE.mmd (Mermaid sequence diagram)\n",
     cmd_trace, true},
    {"repl", "an interactive session: values, types, definitions and live processes", "snow repl",
     "Reads expressions and definitions, prints each value with its type (`[1, 2] :: List<Int>`).\n"
     "Definitions and `let` bindings persist; actors you spawn keep running between inputs.\n"
     "Type :help inside the REPL for its commands (:type, :load, :reload, :reset, :processes, :quit).\n"
     "With a non-terminal stdin it reads the session from stdin and prints one result per input.\n\n"
     "options:\n  --color=WHEN      always, never or auto\n",
     cmd_repl, false},
    {"check", "type-check a program without running it", "snow check [--json] PATH",
     "Parses, resolves and type-checks PATH and reports every error and warning.\n"
     "Exit status: 0 no errors (warnings allowed), 1 errors found, 2 misuse.\n\n"
     "options:\n  --json            one JSON object per diagnostic\n"
     "  --color=WHEN      always, never or auto (default; NO_COLOR is honoured)\n",
     cmd_check, true},
    {"ast", "print the parsed syntax tree as an indented outline", "snow ast PATH",
     "Prints every module's syntax tree, one node per line with its line:column.\n"
     "A learning aid: see how Snow reads your program.\n",
     cmd_ast, true},
    {"help", "show help for snow or for one command", "snow help [COMMAND]",
     "Without COMMAND, lists the commands. With COMMAND, shows its options.\n", NULL, false},
    {0},
};
