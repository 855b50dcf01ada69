/* router.c — routes, matching and the middleware chain (router.h). */
#include "router.h"

#include <string.h>

#include "http_value.h"
#include "list.h"
#include "rt.h"
#include "str.h"
#include "vals.h"

Value router_new(void) {
    Value f[RT__N] = {list_empty(), list_empty()};
    return val_struct(&http_td_router, f);
}

static int kind_of(const char *p, size_t n) {
    if (n >= 2 && p[n - 2] == '/' && p[n - 1] == '*') return HTTP_ROUTE_WILDCARD;
    for (size_t i = 0; i < n; i++)
        if (p[i] == ':' && (i == 0 || p[i - 1] == '/')) return HTTP_ROUTE_PARAM;
    return HTTP_ROUTE_EXACT;
}

Value router_route(Value r, const char *method, Value pattern, Value handler) {
    Value *rf = http_router_fields(r, "HTTP.route");
    Value route[ROUTE__N] = {v_int(kind_of(str_data(pattern), str_len(pattern))), str_from_cstr(method), pattern,
                             handler};
    Value f[RT__N] = {list_append(rf[RT_ROUTES], val_tuple(ROUTE__N, route)), rf[RT_MIDDLEWARE]};
    return val_struct(&http_td_router, f);
}

Value router_use(Value r, Value mw) {
    Value *rf = http_router_fields(r, "HTTP.use");
    Value f[RT__N] = {rf[RT_ROUTES], list_append(rf[RT_MIDDLEWARE], mw)};
    return val_struct(&http_td_router, f);
}

/* ---- matching -------------------------------------------------------------------------- */

static bool method_ok(Value want, const char *m, size_t ml) {
    size_t wl = str_len(want);
    if (wl == 0) return true;
    const char *w = str_data(want);
    if (wl == ml && memcmp(w, m, ml) == 0) return true;
    return wl == 3 && memcmp(w, "GET", 3) == 0 && ml == 4 && memcmp(m, "HEAD", 4) == 0;
}

/* The next non-empty '/'-separated segment of s[*at..len). */
static bool next_seg(const char *s, size_t len, size_t *at, const char **seg, size_t *n) {
    size_t i = *at;
    while (i < len && s[i] == '/') i++;
    if (i >= len) return false;
    size_t j = i;
    while (j < len && s[j] != '/') j++;
    *seg = s + i;
    *n = j - i;
    *at = j;
    return true;
}

enum { MAX_CAPTURES = 32 };

static bool match_param(Value pattern, const char *path, size_t plen, Value *params) {
    const char *pat = str_data(pattern);
    size_t patlen = str_len(pattern), a = 0, b = 0;
    const char *ps = NULL, *qs = NULL;
    size_t pn = 0, qn = 0;
    struct { const char *name, *val; size_t nl, vl; } cap[MAX_CAPTURES];
    int ncap = 0;
    for (;;) {
        bool more_p = next_seg(pat, patlen, &a, &ps, &pn);
        bool more_q = next_seg(path, plen, &b, &qs, &qn);
        if (!more_p || !more_q) {
            if (more_p != more_q) return false;
            break;
        }
        if (pn > 0 && ps[0] == ':') {
            if (ncap < MAX_CAPTURES) {
                cap[ncap].name = ps + 1;
                cap[ncap].nl = pn - 1;
                cap[ncap].val = qs;
                cap[ncap].vl = qn;
                ncap++;
            }
        } else if (pn != qn || memcmp(ps, qs, pn) != 0) {
            return false;
        }
    }
    if (ncap == 0) {
        *params = list_empty();
        return true;
    }
    ListBuilder lb;
    lb_init(&lb, (size_t)ncap);
    for (int i = 0; i < ncap; i++)
        lb_push(&lb, val_tuple2(str_new(cap[i].name, cap[i].nl), str_new(cap[i].val, cap[i].vl)));
    *params = lb_finish(&lb);
    return true;
}

static bool match_wild(Value pattern, const char *path, size_t plen) {
    size_t n = str_len(pattern) - 1; /* P = pattern minus '*', ends with '/' */
    const char *p = str_data(pattern);
    if (plen >= n && memcmp(path, p, n) == 0) return true;
    return plen == n - 1 && memcmp(path, p, n - 1) == 0;
}

Value router_match(Value r, const char *method, size_t mlen, const char *path, size_t plen, Value *params) {
    Value routes = http_router_fields(r, "HTTP.serve")[RT_ROUTES];
    size_t n = list_len(routes);
    *params = list_empty();
    for (int pass = HTTP_ROUTE_EXACT; pass <= HTTP_ROUTE_WILDCARD; pass++) {
        for (size_t i = 0; i < n; i++) {
            Value *rt = AS_TUPLE(list_get(routes, i))->items;
            if (rt[ROUTE_KIND].i != pass || !method_ok(rt[ROUTE_METHOD], method, mlen)) continue;
            Value pat = rt[ROUTE_PATTERN];
            bool ok;
            switch (pass) {
            case HTTP_ROUTE_EXACT: ok = str_len(pat) == plen && memcmp(str_data(pat), path, plen) == 0; break;
            case HTTP_ROUTE_PARAM: ok = match_param(pat, path, plen, params); break;
            default: ok = match_wild(pat, path, plen); break;
            }
            if (ok) return rt[ROUTE_HANDLER];
        }
    }
    return v_unit();
}

/* ---- the chain ---------------------------------------------------------------------------- */

Value router_not_found(void) { return http_response_new(404, list_empty(), str_from_cstr("Not Found")); }

static Value checked_response(Value v, const char *who) {
    if (v.tag != T_STRUCT || AS_STRUCT(v)->type != &http_td_response)
        rt_panic("%s did not return a Response", who);
    return v;
}

static Value chain_at(Value mws, int64_t i, Value handler, Value req);

/* next(req), a closure: args = [req, mws, i, handler] */
static Value next_fn(Value *args, int nargs) {
    if (nargs != 4) rt_panic("next: expected one argument");
    return chain_at(args[1], args[2].i, args[3], args[0]);
}

static FuncInfo next_info = {"next", 1, next_fn, NULL};

static Value chain_at(Value mws, int64_t i, Value handler, Value req) {
    if (req.tag != T_STRUCT || AS_STRUCT(req)->type != &http_td_request) rt_panic("next: expected a Request");
    if ((size_t)i >= list_len(mws)) {
        if (handler.tag == T_UNIT) return router_not_found();
        return checked_response(rt_apply(handler, 1, &req), "the route handler");
    }
    Value caps[3] = {mws, v_int(i + 1), handler};
    Value next = val_closure(&next_info, 3, caps);
    Value a[2] = {req, next};
    return checked_response(rt_apply(list_get(mws, (size_t)i), 2, a), "a middleware");
}

Value router_run(Value r, Value handler, Value req) {
    Value mws = http_router_fields(r, "HTTP.serve")[RT_MIDDLEWARE];
    return chain_at(mws, 0, handler, req);
}
