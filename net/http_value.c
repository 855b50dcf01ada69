/* http_value.c — Router, Request and Response as Snow structs
 * (http_value.h). */
#include "http_value.h"

#include "gc.h"
#include "http_parse.h"
#include "list.h"
#include "rt.h"
#include "str.h"
#include "vals.h"

static const char *router_fields[RT__N] = {"routes", "middleware"};
static const char *request_fields[RQ__N] = {"method", "target", "headers", "body", "params"};
static const char *response_fields[RS__N] = {"status", "headers", "body"};

TypeDesc http_td_router = {.name = "Router", .qual_name = "HTTP.Router", .kind = TD_STRUCT,
                           .nfields = RT__N, .field_names = router_fields};
TypeDesc http_td_request = {.name = "Request", .qual_name = "HTTP.Request", .kind = TD_STRUCT,
                            .nfields = RQ__N, .field_names = request_fields};
TypeDesc http_td_response = {.name = "Response", .qual_name = "HTTP.Response", .kind = TD_STRUCT,
                             .nfields = RS__N, .field_names = response_fields};

static Value *fields_of(Value v, const TypeDesc *td, const char *fn) {
    if (v.tag != T_STRUCT || AS_STRUCT(v)->type != td) rt_panic("%s: expected a %s", fn, td->name);
    return AS_STRUCT(v)->fields;
}

Value *http_router_fields(Value v, const char *fn) { return fields_of(v, &http_td_router, fn); }
Value *http_request_fields(Value v, const char *fn) { return fields_of(v, &http_td_request, fn); }
Value *http_response_fields(Value v, const char *fn) { return fields_of(v, &http_td_response, fn); }

Value http_request_new(Value method, Value target, Value headers, Value body, Value params) {
    Value f[RQ__N] = {method, target, headers, body, params};
    return val_struct(&http_td_request, f);
}

Value http_response_new(int64_t status, Value headers, Value body) {
    Value f[RS__N] = {v_int(status), headers, body};
    return val_struct(&http_td_response, f);
}

bool http_headers_find(Value headers, const char *name, size_t nlen, Value *out) {
    bool found = false;
    if (headers.tag == T_STR) { /* a header section as received */
        const char *h = str_data(headers), *n, *v;
        size_t len = str_len(headers), at = 0, nl, vl;
        const char *best = NULL;
        size_t best_len = 0;
        while (http_head_next(h, len, &at, &n, &nl, &v, &vl)) {
            if (http_name_eqn(n, nl, name, nlen)) {
                best = v;
                best_len = vl;
                found = true;
            }
        }
        if (found) *out = str_new(best, best_len);
        return found;
    }
    size_t n = list_len(headers);
    for (size_t i = 0; i < n; i++) {
        Value pair = list_get(headers, i);
        Value k = AS_TUPLE(pair)->items[0];
        if (http_name_eqn(str_data(k), str_len(k), name, nlen)) {
            *out = AS_TUPLE(pair)->items[1];
            found = true;
        }
    }
    return found;
}
