/* fuzz_http.c — libFuzzer target for the HTTP server's request path
 * (issue 18): arbitrary bytes go through the parser (llhttp strict + the
 * strict head check, net/http_parse.c) fed in pieces whose sizes the input
 * chooses, and every message it accepts goes through the router (the three
 * route kinds, a method filter, two middleware), the Request functions of
 * the library (path, query, header, headers, param, body) as handlers call
 * them, and the response writer (net/http_server.c's http_render_response).
 * Checks: no sanitizer report; a message is answered in order or the
 * input ends in an error status decision 28 lists; a rendered response is
 * a well-formed head whose Content-Length matches the body.
 *
 * Input: byte 0 picks the piece size (1..64, or everything at once); the
 * rest is the stream a client would send on one connection.
 * Built by `make fuzz` (scripts/build-fuzz); corpus: tests/fuzz/corpus/http.
 *   mkdir -p /tmp/fh && build/fuzz/fuzz_http -max_total_time=600 -dict=tests/fuzz/http.dict /tmp/fh tests/fuzz/corpus/http
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc.h"
#include "http_parse.h"
#include "http_server.h"
#include "http_value.h"
#include "list.h"
#include "router.h"
#include "rt.h"
#include "sb.h"
#include "stdlib_table.h"
#include "str.h"
#include "vals.h"

static const void *stack_top;
static jmp_buf panic_jmp;
static int panic_armed;

static void scan(Heap *h, void *ctx) {
    (void)ctx;
    gc_mark_current_stack(h, stack_top);
}

static Value apply(Value fn, int argc, Value *argv) { return val_call_cfn(AS_FUNC(fn), argc, argv); }

/* A handler or middleware panic: the server answers 500; here the
 * request ends. */
static void on_panic(const char *msg, size_t len) {
    (void)msg;
    (void)len;
    if (!panic_armed) abort();
    panic_armed = 0;
    longjmp(panic_jmp, 1);
}

static Value lib(const char *module, const char *name, Value *a, int n) {
    const StdFn *f = stdlib_lookup(module, name);
    if (!f) abort();
    return f->impl(a, n);
}

/* ---- handlers and middleware (what a Snow program would write) ---- */

static Value h_health(Value *a, int n) {
    (void)a;
    (void)n;
    return http_response_new(200, list_empty(), str_from_cstr("{\"status\":\"ok\"}"));
}

/* /users/:id — reads the parameter, a header, a query value and the path */
static Value h_user(Value *a, int n) {
    (void)n;
    Value args[2] = {a[0], str_from_cstr("id")};
    Value id = lib("Request", "param", args, 2);
    args[1] = str_from_cstr("x-test");
    Value h = lib("Request", "header", args, 2);
    args[1] = str_from_cstr("q");
    Value q = lib("Request", "query", args, 2);
    Value path = lib("Request", "path", a, 1);
    Value body = str_concat(str_concat(path, val_is_some(id) ? val_payload(id, 0) : str_empty()),
                            str_concat(val_is_some(h) ? val_payload(h, 0) : str_empty(),
                                       val_is_some(q) ? val_payload(q, 0) : str_empty()));
    return http_response_new(200, list_empty(), body);
}

/* POST /echo — the body back, the method as a header */
static Value h_echo(Value *a, int n) {
    (void)n;
    Value r = http_response_new(201, list_empty(), lib("Request", "body", a, 1));
    Value args[3] = {r, str_from_cstr("X-Method"), lib("Request", "method", a, 1)};
    return lib("HTTP", "with_header", args, 3);
}

/* /files/(any) — every header line counted; 204 (no body) for an odd count */
static Value h_files(Value *a, int n) {
    (void)n;
    Value hs = lib("Request", "headers", a, 1);
    size_t k = list_len(hs);
    return http_response_new(k % 2 ? 204 : 200, list_empty(), str_from_cstr("files"));
}

/* /crash — a panic in a handler */
static Value h_crash(Value *a, int n) {
    (void)a;
    (void)n;
    rt_panic("crash route");
    return v_unit();
}

/* middleware: passes the request on and adds a header */
static Value mw_header(Value *a, int n) {
    (void)n;
    Value next = a[1];
    Value r = apply(next, 1, &a[0]);
    Value args[3] = {r, str_from_cstr("X-Seen"), str_from_cstr("yes")};
    return lib("HTTP", "with_header", args, 3);
}

/* middleware: a request with `X-Deny` header is answered 401 here */
static Value mw_deny(Value *a, int n) {
    (void)n;
    Value args[2] = {a[0], str_from_cstr("x-deny")};
    if (val_is_some(lib("Request", "header", args, 2)))
        return http_response_new(401, list_empty(), str_from_cstr("Unauthorized"));
    return apply(a[1], 1, &a[0]);
}

static FuncInfo fi_health = {"health", 1, h_health, NULL}, fi_user = {"user", 1, h_user, NULL},
                fi_echo = {"echo", 1, h_echo, NULL}, fi_files = {"files", 1, h_files, NULL},
                fi_crash = {"crash", 1, h_crash, NULL}, fi_mw_header = {"mw_header", 2, mw_header, NULL},
                fi_mw_deny = {"mw_deny", 2, mw_deny, NULL};

static Value make_router(void) {
    Value r = router_new();
    r = router_route(r, "GET", str_from_cstr("/health"), val_func_static(&fi_health));
    r = router_route(r, "", str_from_cstr("/users/:id"), val_func_static(&fi_user));
    r = router_route(r, "POST", str_from_cstr("/echo"), val_func_static(&fi_echo));
    r = router_route(r, "", str_from_cstr("/files/*"), val_func_static(&fi_files));
    r = router_route(r, "", str_from_cstr("/crash"), val_func_static(&fi_crash));
    r = router_use(r, val_func_static(&fi_mw_header));
    r = router_use(r, val_func_static(&fi_mw_deny));
    return r;
}

/* A rendered response: status line, header lines, blank line, and a
 * Content-Length equal to the body sent (when there is one). */
static void check_rendered(const struct iovec iov[2], bool head_req) {
    const char *h = iov[0].iov_base;
    size_t n = iov[0].iov_len;
    if (n < 19 || memcmp(h, "HTTP/1.1 ", 9) != 0 || memcmp(h + n - 4, "\r\n\r\n", 4) != 0) abort();
    for (size_t i = 0; i + 1 < n; i++)
        if ((h[i] == '\r') != (h[i + 1] == '\n') && (h[i] == '\r' || h[i + 1] == '\n')) abort(); /* bare CR/LF */
    const char *cl = memmem(h, n, "\r\nContent-Length: ", 18);
    if (cl) {
        unsigned long long len = strtoull(cl + 18, NULL, 10);
        if (!head_req && len != iov[1].iov_len) abort();
    } else if (iov[1].iov_len) {
        abort();
    }
}

static void handle(Value router, HttpParser *p, const char *base) {
    Value handler;
    Value req = http_request_of(router, p, base, &handler);
    bool head_req = p->method.len == 4 && memcmp(base + p->method.off, "HEAD", 4) == 0;
    bool keep = http_keep_alive(p) && !http_is_upgrade(p);
    panic_armed = 1;
    if (setjmp(panic_jmp) == 0) {
        Value resp = router_run(router, handler, req);
        panic_armed = 0;
        SB b;
        sb_init(&b);
        struct iovec iov[2];
        http_render_response(&b, resp, head_req, keep, http_version_minor(p) == 0, iov);
        check_rendered(iov, head_req);
        sb_free(&b);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static Heap *heap;
    static Value router; /* built once: a precise root of the heap */
    stack_top = __builtin_frame_address(0);
    if (!heap) {
        rt_apply_hook = apply;
        rt_set_panic_handler(on_panic);
        heap = heap_new();
        heap_set_roots(heap, scan, NULL);
        heap_set_current(heap);
        router = make_router();
        heap_add_root(heap, &router);
    }
    if (size == 0) return 0;
    size_t piece = data[0] % 65 ? data[0] % 65 : size;
    const char *in = (const char *)data + 1;
    size_t len = size - 1;
    /* the bytes of the connection so far, as the server keeps them: the
     * current message from `msg` on, fed in pieces */
    char *buf = malloc(len ? len : 1);
    size_t end = 0, msg = 0, pos = 0;
    HttpParser p;
    http_parse_init(&p, HTTP_REQUEST, 2048, 20, 4096);
    for (;;) {
        size_t rel = end - msg;
        if (pos < rel) {
            HttpEvent ev = http_parse_run(&p, buf + msg, &pos, rel);
            if (ev == HP_ERROR) {
                int st = p.err_status;
                if (st != 400 && st != 413 && st != 431) abort();
                break;
            }
            if (ev == HP_HEAD) continue;
            if (ev == HP_MESSAGE) {
                bool keep = http_keep_alive(&p) && !http_is_upgrade(&p);
                handle(router, &p, buf + msg);
                http_parse_next(&p);
                msg += pos;
                pos = 0;
                if (!keep) break;
                continue;
            }
        }
        if (end == len) break; /* the client is done */
        size_t k = len - end < piece ? len - end : piece;
        memcpy(buf + end, in + end, k);
        end += k;
    }
    http_parse_free(&p);
    free(buf);
    return 0;
}
