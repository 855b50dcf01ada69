/* panic.c — rt_panic and its pluggable handler (see rt.h). */
#include <stdio.h>
#include <stdlib.h>
#include "rt.h"

ApplyFn rt_apply_hook;
int rt_argc;
char **rt_argv;

static void default_handler(const char *msg, size_t len) {
    fflush(stdout);
    fprintf(stderr, "panic: %.*s\n", (int)len, msg);
    exit(101);
}

static PanicHandler handler = default_handler;

void rt_set_panic_handler(PanicHandler h) { handler = h ? h : default_handler; }

_Noreturn void rt_vpanic(const char *fmt, va_list ap) {
    char buf[1024];
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    if (n < 0) n = 0;
    if ((size_t)n >= sizeof buf) n = sizeof buf - 1;
    handler(buf, (size_t)n);
    abort(); /* a handler must not return */
}

_Noreturn void rt_panic(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    rt_vpanic(fmt, ap);
}

_Noreturn void rt_fatal(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fflush(stdout);
    fputs("snow: internal error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(70);
}
