/* cli.c — commands `check` and `ast`, shared option parsing and the front
 * end pipeline (see cli.h).  Other commands live in their own files; all
 * are listed in the command table, commands.c. */
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

int cmd_check(int argc, char **argv) {
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

int cmd_ast(int argc, char **argv) {
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
