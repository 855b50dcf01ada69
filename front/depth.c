/* depth.c — see depth.h. */
#include "depth.h"

#include <pthread.h>

#include "diag.h"

_Thread_local char *depth_limit_;
static _Thread_local bool reported;

char *depth_init(void) {
    void *addr = NULL;
    size_t size = 0;
    pthread_attr_t a;
    if (pthread_getattr_np(pthread_self(), &a) == 0) {
        if (pthread_attr_getstack(&a, &addr, &size) != 0) addr = NULL;
        pthread_attr_destroy(&a);
    }
    char *here = (char *)__builtin_frame_address(0);
    if (!addr || size == 0 || here < (char *)addr || here > (char *)addr + size) {
        /* unknown stack: assume the usual 8 MiB below here */
        addr = here - ((size_t)8 << 20);
        size = (size_t)8 << 20;
    }
    size_t margin = size / 8;
    if (margin < ((size_t)256 << 10)) margin = (size_t)256 << 10;
    if (margin > size / 2) margin = size / 2;
    depth_limit_ = (char *)addr + margin;
    return depth_limit_;
}

void depth_error(Span at) {
    if (reported) return;
    reported = true;
    Diag *d = diag_new(DIAG_ERROR, NULL, at, "program is nested too deeply");
    diag_primary(d, "this expression goes too deep to compile");
    diag_help(d, "split deeply nested expressions into smaller functions or `let` bindings");
    diag_emit(d);
}

void depth_reset(void) { reported = false; }
