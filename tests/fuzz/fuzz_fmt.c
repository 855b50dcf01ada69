/* fuzz_fmt.c — libFuzzer target for `snow fmt`: every input that parses is
 * formatted, and the result must parse to the same tree, keep every comment
 * and format to itself (snowfmt_verify); anything else aborts.  The width
 * (40, 80 or 100) follows the input's length, so all three get exercised.
 * Built by `make fuzz` (scripts/build-fuzz); corpus: tests/fuzz/corpus/fmt. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "ast.h"
#include "diag.h"
#include "fmt_snow.h"
#include "source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static FILE *devnull;
    if (!devnull) {
        devnull = fopen("/dev/null", "w");
        diag_set_output(devnull);
        diag_set_color(0);
    }
    static const int widths[] = {40, 80, 100};
    SnowFmtOpts o = {widths[size % 3], 2};
    uint32_t id = src_add("fuzz.snow", (const char *)data, size);
    size_t len = 0;
    char *out = snowfmt_file(id, &o, &len);
    if (out) {
        char *why = snowfmt_verify(id, out, len, &o);
        if (why) {
            fprintf(stderr, "snow fmt: %s\n--- formatted:\n%s\n", why, out);
            abort();
        }
        free(out);
    }
    diag_flush();
    diag_reset();
    ast_reset();
    ast_intern_reset();
    src_free_all();
    return 0;
}
