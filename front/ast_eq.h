/* ast_eq.h — structural equality of two parsed syntax trees, ignoring
 * positions (spans and node ids) and everything later passes attach (sym,
 * ty, aux, NF_TAIL).  Compares every node kind, flag, literal value, name
 * and child, so it is stricter than comparing `snow ast` outlines.  The
 * formatter uses it to prove that a layout change kept the meaning. */
#ifndef SNOW_AST_EQ_H
#define SNOW_AST_EQ_H

#include <stdbool.h>
#include "ast.h"

/* True when a and b are the same tree.  On a difference, *where_a and
 * *where_b (when not NULL) receive the first pair of nodes that differ; both
 * are NULL when the trees are nested too deeply for the thread's stack to
 * compare (depth.h; the answer is then false). */
bool ast_eq_trees(const Node *a, const Node *b, const Node **where_a, const Node **where_b);

#endif
