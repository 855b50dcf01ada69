/* router.h — HTTP routers (net.md §1.2, §1.4): immutable Router values,
 * the three route kinds, matching, and the middleware chain.
 *
 * Matching (§1.2): three passes over the routes in registration order —
 * exact, then parameterised, then wildcard — the first route whose method
 * filter and pattern accept the request wins.  A route of on_get also
 * answers HEAD (decision 28: HEAD gets GET's headers).
 *
 * The chain (§1.4): mw1(req, next1), next_i(req') = mw_{i+1}(req', next_{i+1}),
 * the last next calls the route's handler (or the built-in 404).  A `next`
 * is a library closure (vals.h val_call_cfn) carrying the chain and its
 * position, so it may be called any number of times, or not at all.
 */
#ifndef SNOW_ROUTER_H
#define SNOW_ROUTER_H

#include <stddef.h>

#include "value.h"

Value router_new(void);
/* A new router with one more route (method: "" for any). */
Value router_route(Value r, const char *method, Value pattern, Value handler);
/* A new router with one more middleware. */
Value router_use(Value r, Value mw);
/* The handler for (method, path), T_UNIT if none; *params gets the
 * captures [(name, value)] ([] if none). */
Value router_match(Value r, const char *method, size_t mlen, const char *path, size_t plen, Value *params);
/* Run the middleware chain around handler (T_UNIT: the 404 handler). */
Value router_run(Value r, Value handler, Value req);
/* HTTP.response(404, "Not Found") */
Value router_not_found(void);

#endif
