/* depth.h — room left on the C stack of a compiling thread.
 *
 * The front end (resolver, type checker, preparer, printers) walks the
 * syntax tree recursively.  Left-associative operator chains (a + b + c
 * ...) are walked in loops (ast_binop_spine), so their length costs no
 * stack; other nesting recurses, and before recursing a walker asks
 * depth_exhausted(): true when less than a margin (1/8 of the thread's
 * stack, at least 256 KiB) remains.  The walker then reports one clean
 * "program is nested too deeply" error (depth_error) and stops descending,
 * instead of overflowing.  The parser bounds its own nesting
 * (PARSE_MAX_DEPTH) and the evaluator checks the process stack
 * (eval_internal.h), so no path depends on luck.
 *
 * The limit is per thread, computed on first use from the thread's stack
 * (pthread_getattr_np); depth_reset() re-arms the one-error-per-compile
 * report. */
#ifndef SNOW_DEPTH_H
#define SNOW_DEPTH_H

#include <stdbool.h>

#include "source.h"

extern _Thread_local char *depth_limit_;
char *depth_init(void); /* computes depth_limit_ for this thread */

static inline bool depth_exhausted(void) {
    char *lim = depth_limit_;
    if (__builtin_expect(lim == 0, 0)) lim = depth_init();
    return (char *)__builtin_frame_address(0) < lim;
}

/* Report "program is nested too deeply" at `at` (once per compile). */
void depth_error(Span at);
/* Start of a compile: the next depth_error reports again. */
void depth_reset(void);

#endif
