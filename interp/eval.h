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

typedef struct EvalLocal {
    const char *name;
    Value val;            /* in p's heap: read it before p runs again */
} EvalLocal;

/* The variables of frame `depth` (0: innermost) of p that are bound and in
 * scope where the frame stands now: its parameters (an actor's arguments),
 * then its `let`s and pattern variables in binding order; a name bound
 * twice shows its latest binding.  `arm` >= 0 says the frame stands at a
 * `receive` whose arm `arm` has just matched: that arm's variables count.
 * At most max; returns the count (0 when the frame cannot be read). */
int eval_frame_locals(Proc *p, int depth, int arm, EvalLocal *out, int max);

/* The source text of arm `arm` of the `receive` frame `depth` of p stands
 * at ("Withdraw(amount) when amount > 100"), NULL if it is not at one. */
const char *eval_receive_arm(Proc *p, int depth, int arm, size_t *len);

#endif
