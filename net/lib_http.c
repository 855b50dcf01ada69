/* lib_http.c — the HTTP, Request and Response rows of the library table
 * (net.md §1-2, decision 28).  The work is in router.c, http_server.c and
 * http_client.c; this file checks arguments and builds values. */
#include <string.h>

#include "http_client.h"
#include "http_parse.h"
#include "http_server.h"
#include "http_value.h"
#include "lib_util.h"
#include "list.h"
#include "map.h"
#include "router.h"
#include "rt.h"
#include "stdlib_table.h"
#include "str.h"
#include "vals.h"

/* ---- routers ------------------------------------------------------------------------------ */

static Value bi_router(Value *a, int n) {
    (void)a;
    (void)n;
    return router_new();
}

static Value add_route(Value *a, const char *method, const char *fn) {
    lib_need(a[1], T_STR, fn, 2);
    lib_need(a[2], T_FUNC, fn, 3);
    return router_route(a[0], method, a[1], a[2]);
}

static Value bi_route(Value *a, int n) { (void)n; return add_route(a, "", "HTTP.route"); }
static Value bi_on_get(Value *a, int n) { (void)n; return add_route(a, "GET", "HTTP.on_get"); }
static Value bi_on_post(Value *a, int n) { (void)n; return add_route(a, "POST", "HTTP.on_post"); }
static Value bi_on_put(Value *a, int n) { (void)n; return add_route(a, "PUT", "HTTP.on_put"); }
static Value bi_on_delete(Value *a, int n) { (void)n; return add_route(a, "DELETE", "HTTP.on_delete"); }

static Value bi_use(Value *a, int n) {
    (void)n;
    lib_need(a[1], T_FUNC, "HTTP.use", 2);
    return router_use(a[0], a[1]);
}

/* ---- responses ---------------------------------------------------------------------------- */

static Value bi_response(Value *a, int n) {
    (void)n;
    lib_need(a[0], T_INT, "HTTP.response", 1);
    lib_need(a[1], T_STR, "HTTP.response", 2);
    int64_t st = (int64_t)((uint64_t)a[0].i % 65536); /* net.md §1.5 */
    if (st < 100 || st > 999) rt_panic("HTTP.response: status %lld is not a three-digit HTTP status", (long long)a[0].i);
    return http_response_new(st, list_empty(), a[1]);
}

static bool tchar(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static Value bi_with_header(Value *a, int n) {
    (void)n;
    Value *rf = http_response_fields(a[0], "HTTP.with_header");
    lib_need(a[1], T_STR, "HTTP.with_header", 2);
    lib_need(a[2], T_STR, "HTTP.with_header", 3);
    const char *k = str_data(a[1]), *v = str_data(a[2]);
    size_t kl = str_len(a[1]), vl = str_len(a[2]);
    if (kl == 0) rt_panic("HTTP.with_header: a header name cannot be empty");
    for (size_t i = 0; i < kl; i++)
        if (!tchar((unsigned char)k[i])) rt_panic("HTTP.with_header: \"%.*s\" is not a valid header name", (int)kl, k);
    for (size_t i = 0; i < vl; i++)
        if (v[i] == '\r' || v[i] == '\n' || v[i] == 0)
            rt_panic("HTTP.with_header: the value of %.*s contains a line break or NUL", (int)kl, k);
    static const char *const owned[] = {"Content-Length", "Transfer-Encoding", "Connection"};
    for (size_t i = 0; i < 3; i++)
        if (http_name_eqn(k, kl, owned[i], strlen(owned[i])))
            rt_panic("HTTP.with_header: the %s header belongs to the server", owned[i]);
    Value old = rf[RS_HEADERS];
    if (old.tag != T_LIST) old = list_empty(); /* a client's response: start afresh */
    size_t cnt = list_len(old);
    ListBuilder lb;
    lb_init(&lb, cnt + 1);
    bool replaced = false;
    Value pair = val_tuple2(a[1], a[2]);
    for (size_t i = 0; i < cnt; i++) {
        Value kv = list_get(old, i);
        Value name = AS_TUPLE(kv)->items[0];
        if (http_name_eqn(str_data(name), str_len(name), k, kl)) {
            if (!replaced) lb_push(&lb, pair);
            replaced = true;
        } else {
            lb_push(&lb, kv);
        }
    }
    if (!replaced) lb_push(&lb, pair);
    return http_response_new(rf[RS_STATUS].i, lb_finish(&lb), rf[RS_BODY]);
}

static Value bi_response_status(Value *a, int n) {
    (void)n;
    return http_response_fields(a[0], "Response.status")[RS_STATUS];
}
static Value bi_response_body(Value *a, int n) {
    (void)n;
    return http_response_fields(a[0], "Response.body")[RS_BODY];
}
static Value bi_response_header(Value *a, int n) {
    (void)n;
    Value *rf = http_response_fields(a[0], "Response.header");
    lib_need(a[1], T_STR, "Response.header", 2);
    Value v;
    if (http_headers_find(rf[RS_HEADERS], str_data(a[1]), str_len(a[1]), &v)) return val_some(v);
    Value *f = AS_STRUCT(a[0])->fields; /* the default Content-Type of a server response */
    if (f[RS_HEADERS].tag == T_LIST && http_name_eqn(str_data(a[1]), str_len(a[1]), "content-type", 12))
        return val_some(str_from_cstr("application/json; charset=utf-8"));
    return val_none();
}

/* [(name, value)] with names lower-cased, in order */
static Value headers_list(Value headers) {
    if (headers.tag == T_LIST) {
        size_t cnt = list_len(headers);
        ListBuilder lb;
        lb_init(&lb, cnt);
        for (size_t i = 0; i < cnt; i++) {
            Value *kv = AS_TUPLE(list_get(headers, i))->items;
            char *d;
            Value k = str_alloc(str_len(kv[0]), &d);
            for (size_t j = 0; j < str_len(kv[0]); j++) {
                char c = str_data(kv[0])[j];
                d[j] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
            }
            str_seal(k);
            lb_push(&lb, val_tuple2(k, kv[1]));
        }
        return lb_finish(&lb);
    }
    const char *h = str_data(headers), *nm, *v;
    size_t len = str_len(headers), at = 0, nl, vl;
    ListBuilder lb;
    lb_init(&lb, 8);
    while (http_head_next(h, len, &at, &nm, &nl, &v, &vl)) {
        char *d;
        Value k = str_alloc(nl, &d);
        for (size_t j = 0; j < nl; j++) d[j] = nm[j] >= 'A' && nm[j] <= 'Z' ? (char)(nm[j] + 32) : nm[j];
        str_seal(k);
        lb_push(&lb, val_tuple2(k, str_new(v, vl)));
    }
    return lb_finish(&lb);
}

static Value bi_response_headers(Value *a, int n) {
    (void)n;
    return headers_list(http_response_fields(a[0], "Response.headers")[RS_HEADERS]);
}

/* ---- requests ------------------------------------------------------------------------------ */

static Value bi_req_method(Value *a, int n) {
    (void)n;
    return http_request_fields(a[0], "Request.method")[RQ_METHOD];
}

static Value bi_req_path(Value *a, int n) {
    (void)n;
    Value t = http_request_fields(a[0], "Request.path")[RQ_TARGET];
    const char *q = memchr(str_data(t), '?', str_len(t));
    return q ? str_new(str_data(t), (size_t)(q - str_data(t))) : t;
}

static Value bi_req_body(Value *a, int n) {
    (void)n;
    return http_request_fields(a[0], "Request.body")[RQ_BODY];
}

static Value bi_req_header(Value *a, int n) {
    (void)n;
    Value *rf = http_request_fields(a[0], "Request.header");
    lib_need(a[1], T_STR, "Request.header", 2);
    Value v;
    return http_headers_find(rf[RQ_HEADERS], str_data(a[1]), str_len(a[1]), &v) ? val_some(v) : val_none();
}

static Value bi_req_headers(Value *a, int n) {
    (void)n;
    return headers_list(http_request_fields(a[0], "Request.headers")[RQ_HEADERS]);
}

/* net.md §1.3: split after the first '?' on '&'; key=value at the first
 * '='; pieces without '=' ignored; the last duplicate wins; raw text. */
static Value bi_req_query(Value *a, int n) {
    (void)n;
    Value t = http_request_fields(a[0], "Request.query")[RQ_TARGET];
    lib_need(a[1], T_STR, "Request.query", 2);
    const char *s = str_data(t), *key = str_data(a[1]);
    size_t len = str_len(t), kl = str_len(a[1]);
    const char *q = memchr(s, '?', len);
    if (!q) return val_none();
    const char *p = q + 1, *end = s + len, *found = NULL;
    size_t flen = 0;
    while (p <= end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *pe = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(pe - p));
        if (eq && (size_t)(eq - p) == kl && memcmp(p, key, kl) == 0) {
            found = eq + 1;
            flen = (size_t)(pe - found);
        }
        if (!amp) break;
        p = amp + 1;
    }
    return found ? val_some(str_new(found, flen)) : val_none();
}

static Value bi_req_param(Value *a, int n) {
    (void)n;
    Value ps = http_request_fields(a[0], "Request.param")[RQ_PARAMS];
    lib_need(a[1], T_STR, "Request.param", 2);
    size_t cnt = list_len(ps);
    for (size_t i = 0; i < cnt; i++) {
        Value *kv = AS_TUPLE(list_get(ps, i))->items;
        if (str_eq(kv[0], a[1])) return val_some(kv[1]);
    }
    return val_none();
}

/* ---- serving ---------------------------------------------------------------------------------- */

static int port_arg(Value v, const char *fn) {
    lib_need(v, T_INT, fn, 2);
    if (v.i < 0 || v.i > 65535) rt_panic("%s: %lld is not a port number (0..65535)", fn, (long long)v.i);
    return (int)v.i;
}

static void apply_options(HttpServeOpts *o, Value opts, const char *fn) {
    lib_need(opts, T_MAP, fn, 0);
    MapIter it;
    map_iter_init(&it, opts);
    Value k, v;
    while (map_iter_next(&it, &k, &v)) {
        if (!http_serve_opt(o, str_cstr(k), v.i))
            rt_panic("%s: unknown option or value out of range: \"%s\" => %lld (options: max_connections, "
                     "max_body_bytes, max_header_bytes, max_headers, idle_timeout_ms, header_timeout_ms, "
                     "shutdown_timeout_ms)",
                     fn, str_cstr(k), (long long)v.i);
    }
}

static Value serve(Value r, int port, Value cert, Value key, Value opts, const char *fn) {
    http_router_fields(r, fn);
    HttpServeOpts o;
    http_serve_opts_default(&o, port);
    if (opts.tag == T_MAP) apply_options(&o, opts, fn);
    const char *c = NULL, *k = NULL;
    if (cert.tag == T_STR) {
        c = str_cstr(cert);
        k = str_cstr(key);
    }
    http_serve(r, &o, c, k);
    return v_unit();
}

static Value bi_serve(Value *a, int n) {
    (void)n;
    return serve(a[0], port_arg(a[1], "HTTP.serve"), v_unit(), v_unit(), v_unit(), "HTTP.serve");
}
static Value bi_serve_with(Value *a, int n) {
    (void)n;
    return serve(a[0], port_arg(a[1], "HTTP.serve_with"), v_unit(), v_unit(), a[2], "HTTP.serve_with");
}
static Value bi_serve_tls(Value *a, int n) {
    (void)n;
    lib_need(a[2], T_STR, "HTTP.serve_tls", 3);
    lib_need(a[3], T_STR, "HTTP.serve_tls", 4);
    return serve(a[0], port_arg(a[1], "HTTP.serve_tls"), a[2], a[3], v_unit(), "HTTP.serve_tls");
}
static Value bi_serve_tls_with(Value *a, int n) {
    (void)n;
    lib_need(a[2], T_STR, "HTTP.serve_tls_with", 3);
    lib_need(a[3], T_STR, "HTTP.serve_tls_with", 4);
    return serve(a[0], port_arg(a[1], "HTTP.serve_tls_with"), a[2], a[3], a[4], "HTTP.serve_tls_with");
}

/* ---- the client ---------------------------------------------------------------------------------- */

static Value bi_get(Value *a, int n) {
    (void)n;
    lib_need(a[0], T_STR, "HTTP.get", 1);
    return http_client_simple("GET", a[0], str_empty(), false);
}

static Value bi_post(Value *a, int n) {
    (void)n;
    lib_need(a[0], T_STR, "HTTP.post", 1);
    lib_need(a[1], T_STR, "HTTP.post", 2);
    return http_client_simple("POST", a[0], a[1], true);
}

static Value bi_request(Value *a, int n) {
    (void)n;
    lib_need(a[0], T_STR, "HTTP.request", 1);
    lib_need(a[1], T_STR, "HTTP.request", 2);
    lib_need(a[2], T_LIST, "HTTP.request", 3);
    lib_need(a[3], T_STR, "HTTP.request", 4);
    size_t cnt = list_len(a[2]);
    for (size_t i = 0; i < cnt; i++) {
        Value *kv = AS_TUPLE(list_get(a[2], i))->items;
        for (int j = 0; j < 2; j++)
            for (size_t c = 0; c < str_len(kv[j]); c++) {
                char ch = str_data(kv[j])[c];
                if (ch == '\r' || ch == '\n' || ch == 0 || (j == 0 && !tchar((unsigned char)ch)))
                    rt_panic("HTTP.request: invalid header %s \"%s\"", j ? "value" : "name", str_cstr(kv[j]));
            }
    }
    return http_client_request(a[0], a[1], a[2], a[3]);
}

#define HANDLER "Fun(Request) -> Response"

static const StdFn http_lib[] = {
    {"HTTP", "router", "Fun() -> Router", bi_router, 0, SF_PREFIXED, "an empty router"},
    {"HTTP", "route", "Fun(Router, String, " HANDLER ") -> Router", bi_route, 3, SF_PREFIXED,
     "a router with a route for any method"},
    {"HTTP", "on_get", "Fun(Router, String, " HANDLER ") -> Router", bi_on_get, 3, SF_PREFIXED,
     "a router with a GET (and HEAD) route"},
    {"HTTP", "on_post", "Fun(Router, String, " HANDLER ") -> Router", bi_on_post, 3, SF_PREFIXED,
     "a router with a POST route"},
    {"HTTP", "on_put", "Fun(Router, String, " HANDLER ") -> Router", bi_on_put, 3, SF_PREFIXED,
     "a router with a PUT route"},
    {"HTTP", "on_delete", "Fun(Router, String, " HANDLER ") -> Router", bi_on_delete, 3, SF_PREFIXED,
     "a router with a DELETE route"},
    {"HTTP", "use", "Fun(Router, Fun(Request, " HANDLER ") -> Response) -> Router", bi_use, 2, SF_PREFIXED,
     "a router with one more middleware"},
    {"HTTP", "response", "Fun(Int, String) -> Response", bi_response, 2, SF_PREFIXED,
     "a response (JSON content type by default)"},
    {"HTTP", "with_header", "Fun(Response, String, String) -> Response", bi_with_header, 3, SF_PREFIXED,
     "the response with a header set or replaced"},
    {"HTTP", "serve", "Fun(Router, Int) -> ()", bi_serve, 2, SF_PREFIXED | SF_BLOCKS,
     "serve HTTP on a port (one process per connection)"},
    {"HTTP", "serve_with", "Fun(Router, Int, Map<String, Int>) -> ()", bi_serve_with, 3, SF_PREFIXED | SF_BLOCKS,
     "serve HTTP with limits (max_connections, max_body_bytes, ...)"},
    {"HTTP", "serve_tls", "Fun(Router, Int, String, String) -> ()", bi_serve_tls, 4, SF_PREFIXED | SF_BLOCKS,
     "serve HTTPS with a PEM certificate chain and key"},
    {"HTTP", "serve_tls_with", "Fun(Router, Int, String, String, Map<String, Int>) -> ()", bi_serve_tls_with, 5,
     SF_PREFIXED | SF_BLOCKS, "serve HTTPS with limits"},
    {"HTTP", "get", "Fun(String) -> Result<String, String>", bi_get, 1, SF_PREFIXED | SF_BLOCKS,
     "GET a URL: the body, or an error"},
    {"HTTP", "post", "Fun(String, String) -> Result<String, String>", bi_post, 2, SF_PREFIXED | SF_BLOCKS,
     "POST a JSON body: the response body, or an error"},
    {"HTTP", "request", "Fun(String, String, List<(String, String)>, String) -> Result<Response, String>",
     bi_request, 4, SF_PREFIXED | SF_BLOCKS, "any request (method, url, headers, body): the response"},
    {"Request", "method", "Fun(Request) -> String", bi_req_method, 1, SF_PREFIXED, "the method as sent"},
    {"Request", "path", "Fun(Request) -> String", bi_req_path, 1, SF_PREFIXED, "the target up to the first ?"},
    {"Request", "body", "Fun(Request) -> String", bi_req_body, 1, SF_PREFIXED, "the request body"},
    {"Request", "header", "Fun(Request, String) -> Option<String>", bi_req_header, 2, SF_PREFIXED,
     "a header's value (names compare case-insensitively)"},
    {"Request", "headers", "Fun(Request) -> List<(String, String)>", bi_req_headers, 1, SF_PREFIXED,
     "every header in order, names lower-cased"},
    {"Request", "query", "Fun(Request, String) -> Option<String>", bi_req_query, 2, SF_PREFIXED,
     "a query parameter (raw; the last one wins)"},
    {"Request", "param", "Fun(Request, String) -> Option<String>", bi_req_param, 2, SF_PREFIXED,
     "a :name segment of the matched route"},
    {"Response", "status", "Fun(Response) -> Int", bi_response_status, 1, 0, "the status code"},
    {"Response", "header", "Fun(Response, String) -> Option<String>", bi_response_header, 2, 0,
     "a header's value (names compare case-insensitively)"},
    {"Response", "headers", "Fun(Response) -> List<(String, String)>", bi_response_headers, 1, 0,
     "every header in order, names lower-cased"},
    {"Response", "body", "Fun(Response) -> String", bi_response_body, 1, 0, "the body"},
};
STDLIB_REGISTER(http_lib)
