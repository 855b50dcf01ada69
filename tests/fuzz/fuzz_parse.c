/* fuzz_parse.c — libFuzzer target: lexer + parser on arbitrary bytes.
 * Every input must produce a tree or diagnostics, never a crash, a hang or
 * a sanitizer report.  Built by `make fuzz` (scripts/build-fuzz). */
#include <stdint.h>
#include <stdio.h>

#include "ast.h"
#include "diag.h"
#include "lex.h"
#include "parse.h"
#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static FILE *devnull;
    if (!devnull) {
        devnull = fopen("/dev/null", "w");
        diag_set_output(devnull);
        diag_set_color(0);
    }
    uint32_t id = src_add("fuzz.snow", (const char *)data, size);
    TokenList toks = lex_file(id);
    int nerr = 0;
    Node *root = parse_file(id, &toks, &nerr);
    (void)root;
    lex_free(&toks);
    diag_flush();
    diag_reset();
    ast_reset();
    ast_intern_reset();
    src_free_all();
    return 0;
}
