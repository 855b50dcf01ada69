/* eval.h — the evaluator's public face for tools (REPL, debugger): read a
 * process's Snow call stack and describe prepared code positions. */
#ifndef SNOW_EVAL_H
#define SNOW_EVAL_H

#include <stdint.h>
#include "ast.h"
#include "proc.h"

typedef struct EvalFrameInfo {
    const char *function; /* function name */
    const char *file;     /* source path */
    uint32_t line, col;   /* where the frame is now (call site or current node) */
    Span span;
} EvalFrameInfo;

/* The Snow call stack of process p (innermost first), at most `max` frames.
 * Valid for the running process and for suspended ones (their frames live on
 * their own stacks, untouched while suspended); none for a process that has
 * not run yet or whose stack is hibernated.  Returns the count. */
int eval_proc_frames(Proc *p, EvalFrameInfo *out, int max);

#endif
