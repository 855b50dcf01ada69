/* fuzz_check.c — libFuzzer target: the whole front end on arbitrary bytes.
 * The input is a single-file project (module Main): lex -> parse ->
 * resolve -> type check, each phase only when the one before reported no
 * error (as `snow check` does).  Every input must end in a verdict, never a
 * crash, a hang or a sanitizer report.  Between inputs every table of the
 * front end is reset and the AST arena freed, so each input starts clean.
 * Built by `make fuzz` (scripts/build-fuzz); crashers are kept in
 * tests/fuzz/corpus/check/ and replayed by tests/scripts/fuzz_corpus.sh. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "diag.h"
#include "lex.h"
#include "parse.h"
#include "project.h"
#include "resolve.h"
#include "source.h"
#include "ty.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static FILE *devnull;
    if (!devnull) {
        devnull = fopen("/dev/null", "w");
        diag_set_output(devnull);
        diag_set_color(0);
    }
    uint32_t id = src_add("fuzz.snow", (const char *)data, size);
    Module *m = project_parse_module(id, "Main");
    Project proj;
    Module *mods[1];
    project_single(&proj, mods, m);
    if (diag_error_count() == 0 && m->root) resolve_project(&proj);
    if (diag_error_count() == 0 && m->root) ty_check_project(&proj);
    diag_flush();
    diag_reset();
    resolve_reset();
    ty_reset();
    ast_reset();
    ast_intern_reset();
    src_free_all();
    return 0;
}
