/* rt.h — the few hooks that tie the runtime library to the interpreter and
 * the process layer: panics (crash the current process) and calling a Snow
 * function value from C (List.map, sort comparators, user impls, handlers).
 *
 * The library never exit()s on a Snow-level error: it calls rt_panic, whose
 * handler is installed by the process layer (it unwinds the current process
 * and turns the message into its exit reason Error(message)). */
#ifndef SNOW_RT_H
#define SNOW_RT_H

#include <stdarg.h>
#include "value.h"

/* Crash the current Snow process with reason Error(message). */
_Noreturn void rt_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void rt_vpanic(const char *fmt, va_list ap);

/* Installed by the process layer.  Receives the message as raw bytes; must
 * not return.  The default handler flushes stdout, prints `panic: MSG` to
 * stderr and exits with status 101. */
typedef void (*PanicHandler)(const char *msg, size_t len);
void rt_set_panic_handler(PanicHandler h);

/* Apply a Snow function value to arguments.  Installed by the interpreter. */
typedef Value (*ApplyFn)(Value fn, int argc, Value *argv);
extern ApplyFn rt_apply_hook;
static inline Value rt_apply(Value fn, int argc, Value *argv) { return rt_apply_hook(fn, argc, argv); }

/* The program's command line for Env.args: the program path followed by
 * the arguments after `--` (set by `snow run`). */
extern int rt_argc;
extern char **rt_argv;

/* Fatal internal error (a bug or out of memory): message and exit 70. */
_Noreturn void rt_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
