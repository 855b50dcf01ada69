/* pipeline.c — path to checked, prepared program (see pipeline.h). */
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "diag.h"
#include "prepare.h"
#include "resolve.h"
#include "ty.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

bool pipeline_check_project(Project *proj) {
    resolve_project(proj);
    if (diag_error_count()) return false;
    ty_check_project(proj);
    return diag_error_count() == 0;
}

void pipeline_summary(void) {
    /* language.md §7.1: the driver's closing line after the diagnostics,
     * then where to read more about the first error */
    if (!diag_json() && diag_error_count()) {
        fputs("error: Compilation failed due to errors above.\n", stderr);
        const char *code = diag_first_error_code();
        if (code) fprintf(stderr, "For more about an error code, run `snow explain %s`.\n", code);
    }
}

static bool fail(Project *proj) {
    pipeline_summary();
    project_free(proj);
    return false;
}

bool pipeline_parse(const char *path, Project *proj) {
    if (!project_load(path, proj)) return fail(proj);
    bool ok = diag_error_count() == 0;
    diag_flush();
    return ok ? true : fail(proj);
}

bool pipeline_check(const char *path, Project *proj) {
    bool timing = getenv("SNOW_TIMING") != NULL;
    double t0 = now_ms();
    if (!project_load(path, proj)) return fail(proj);
    double t1 = now_ms();
    if (diag_error_count() == 0) resolve_project(proj);
    double t2 = now_ms();
    if (diag_error_count() == 0) ty_check_project(proj);
    if (diag_error_count() == 0) resolve_warn_unused(); /* only a clean program: errors leave names unused */
    double t3 = now_ms();
    if (timing)
        fprintf(stderr, "timing: load+lex+parse %.1f ms, resolve %.1f ms, typecheck %.1f ms\n", t1 - t0, t2 - t1,
                t3 - t2);
    bool ok = diag_error_count() == 0;
    diag_flush();
    return ok ? true : fail(proj);
}

bool pipeline_compile(const char *path, Project *proj, Value *main_fn) {
    if (!pipeline_check(path, proj)) return false;
    bool ok = prepare_program(proj, main_fn);
    diag_flush();
    if (!ok) project_free(proj);
    return ok;
}
