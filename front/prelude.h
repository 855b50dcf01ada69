/* prelude.h — the built-in declarations every module sees, written in Snow:
 * Option, Result, Ordering, ExitReason, Signal and the protocols behind
 * operators and printing (Display, Debug, Eq, Ord, Hash, Add, ..., Default).
 * It is parsed and resolved like a module named "Prelude"; its types are
 * mapped onto the runtime's built-in TypeDescs by name. */
#ifndef SNOW_PRELUDE_H
#define SNOW_PRELUDE_H

#include "ast.h"

/* Parse the prelude (once) and return its module. */
Module *prelude_module(void);
/* Forget the parsed prelude (before an ast_reset; see resolve_reset). */
void prelude_reset(void);
extern const char prelude_source[];

#endif
