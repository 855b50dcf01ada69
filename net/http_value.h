/* http_value.h — the Snow values of the HTTP library: Router, Request and
 * Response (net.md §1, decision 28).  The type checker knows them only as
 * opaque names; at run time each is a struct with a runtime type
 * descriptor of its own, so it is an ordinary immutable Snow value: copied
 * into a connection process's heap like any argument, collected like any
 * value, and shown by the Debug formatter (events, snow trace) with its
 * fields.
 *
 *  Router   { routes: [(kind, method, pattern, handler)], middleware: [fn] }
 *           kind: HTTP_ROUTE_EXACT / PARAM / WILDCARD; method "" = any.
 *  Request  { method, target, headers, body, params }
 *           target: the request target as sent (path + "?" + query);
 *           headers: the header section as received (lines "Name: value"
 *           separated by CRLF; looked up again on demand, decision 28's
 *           case-insensitive names); params: [(name, value)] of the route.
 *  Response { status, headers, body }
 *           headers: [(name, value)] set with HTTP.with_header (server
 *           side), or the header section as received (client side).
 */
#ifndef SNOW_HTTP_VALUE_H
#define SNOW_HTTP_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include "value.h"

enum { HTTP_ROUTE_EXACT = 0, HTTP_ROUTE_PARAM = 1, HTTP_ROUTE_WILDCARD = 2 };
enum { RT_ROUTES, RT_MIDDLEWARE, RT__N };
enum { RQ_METHOD, RQ_TARGET, RQ_HEADERS, RQ_BODY, RQ_PARAMS, RQ__N };
enum { RS_STATUS, RS_HEADERS, RS_BODY, RS__N };
enum { ROUTE_KIND, ROUTE_METHOD, ROUTE_PATTERN, ROUTE_HANDLER, ROUTE__N };

extern TypeDesc http_td_router, http_td_request, http_td_response;

static inline Value *http_fields(Value v) { return AS_STRUCT(v)->fields; }
/* Panics (clean, in the calling process) if v is not of that type. */
Value *http_router_fields(Value v, const char *fn);
Value *http_request_fields(Value v, const char *fn);
Value *http_response_fields(Value v, const char *fn);

Value http_request_new(Value method, Value target, Value headers, Value body, Value params);
Value http_response_new(int64_t status, Value headers, Value body);

/* The value of header `name` (ASCII case-insensitive; the last one wins)
 * in a header section or a [(name, value)] list: true with *out set. */
bool http_headers_find(Value headers, const char *name, size_t nlen, Value *out);

#endif
