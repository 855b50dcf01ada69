/* ty_match.h — exhaustiveness and redundancy of patterns (language.md
 * §4.10, spec/README.md decisions 13 and 14), by Maranget's usefulness
 * algorithm over Bool, unit, tuples, lists ([] and h :: t), sum types
 * (Option, Result, Ordering, ExitReason and user types) and literals.
 * Guarded arms never count as covering.
 *
 *   case       non-exhaustive: error E0012 ``non-exhaustive match on `T` ``
 *              with label `missing: ...` (only `h :: t` for a list: warning)
 *   clauses    of a function or closure: warning E0012 (§4.6)
 *   receive    warning (decision 13: unmatched messages wait in the mailbox)
 *   all        W0001 `redundant match arm (arm N)` for unreachable arms */
#ifndef SNOW_TY_MATCH_H
#define SNOW_TY_MATCH_H

#include "ty_infer.h"

void ty_match_check(MatchKind k, Node *node, Type *scrut, Node **clauses, int n, const char *name);
/* Does a receive arm's pattern match system messages (a Signal constructor)? */
bool ty_is_signal_pattern(Node *p);

#endif
