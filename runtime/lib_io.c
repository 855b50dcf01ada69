/* lib_io.c — the prelude's output functions and the IO module: println,
 * print, IO.eprintln, IO.read_line (stdlib.md §1), plus compare and panic.
 *
 * Each println is one fwrite of the whole line (stdio locks the stream per
 * call), so lines from different processes never interleave. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib.h"
#include "rt.h"
#include "str.h"
#include "vals.h"

static void write_line(FILE *f, Value s, bool nl) {
    size_t n = str_len(s);
    const char *p = str_data(s);
    if (!nl) {
        fwrite(p, 1, n, f);
        return;
    }
    char small[512];
    char *buf = n + 1 <= sizeof small ? small : malloc(n + 1);
    if (!buf) rt_fatal("out of memory");
    memcpy(buf, p, n);
    buf[n] = '\n';
    fwrite(buf, 1, n + 1, f);
    if (buf != small) free(buf);
}

Value bi_println(Value *a, int n) {
    (void)n;
    write_line(stdout, a[0], true);
    return v_unit();
}

Value bi_print(Value *a, int n) {
    (void)n;
    write_line(stdout, a[0], false);
    return v_unit();
}

Value bi_io_eprintln(Value *a, int n) {
    (void)n;
    fflush(stdout);
    write_line(stderr, a[0], true);
    return v_unit();
}

Value bi_compare(Value *a, int n) {
    (void)n;
    return val_ordering(val_cmp(a[0], a[1]));
}

Value bi_panic(Value *a, int n) {
    (void)n;
    rt_panic("%.*s", (int)str_len(a[0]), str_data(a[0]));
}
