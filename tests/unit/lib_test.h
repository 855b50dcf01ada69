/* lib_test.h — the C implementation of a library function for unit tests,
 * found through the library table as the resolver finds it (the rows'
 * functions are static in their runtime/lib_*.c files). */
#ifndef SNOW_LIB_TEST_H
#define SNOW_LIB_TEST_H

#include <stdio.h>
#include <stdlib.h>

#include "stdlib_table.h"

static inline BuiltinFn lib_fn(const char *module, const char *name) {
    const StdFn *f = stdlib_lookup(module, name);
    if (!f) {
        fprintf(stderr, "no library function %s.%s\n", module, name);
        exit(1);
    }
    return f->impl;
}

#endif
