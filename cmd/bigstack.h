/* bigstack.h — run a function on a fresh thread with a large stack and wait
 * for it.  The front end recurses over the syntax tree; the CLI and the REPL
 * run it this way so that deeply nested (but legal) programs are safe. */
#ifndef SNOW_BIGSTACK_H
#define SNOW_BIGSTACK_H

#include <stddef.h>

void run_on_big_stack(void (*fn)(void *), void *arg, size_t bytes);
/* Start fn(arg) on a detached thread (the REPL's line editor). */
void run_detached(void (*fn)(void *), void *arg);

#endif
