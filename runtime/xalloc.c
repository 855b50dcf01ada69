/* xalloc.c — the failure path of the allocation functions (see xalloc.h). */
#include "xalloc.h"

#include "rt.h"

_Noreturn void xalloc_fail(size_t n) { rt_fatal("out of memory (%zu bytes)", n); }
