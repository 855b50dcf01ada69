/* http_server.h — the HTTP/1.1 server (net.md §1, decision 28): one
 * process per connection reading requests with llhttp, routing them,
 * running the middleware chain and the handler in that process, and
 * writing each response with one writev.
 *
 * Per connection (the process's loop):
 *   read until a request is complete (keep-alive: up to idle_ms for its
 *   first byte, then head_ms for the whole head, 408 after that), answer
 *   `100 Continue` when asked, refuse what decision 28 refuses
 *   (400/413/431, then close), build the Request once, route, run, write
 *   the response; pipelined requests are answered in order; the
 *   connection stays open unless the client or the protocol version says
 *   otherwise, or the program is stopping.
 * A handler or middleware that panics ends the connection's process (its
 * panic report goes to stderr as for any process); the connection's close
 * hook then writes `500` with an empty body.  Other connections are not
 * affected.
 *
 * For protocols that take a connection over (WebSocket, issue 19): the
 * connection process owns its socket (ListenConn, listen.h) for its whole
 * life, so an upgrade needs no hand-over — the code that answers the
 * upgrade request continues in the same process with the same ListenConn
 * and the bytes already read after the request (HttpServeConn.buf
 * [pos..end)).
 */
#ifndef SNOW_HTTP_SERVER_H
#define SNOW_HTTP_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <sys/uio.h>

#include "http_parse.h"
#include "sb.h"
#include "value.h"

typedef struct HttpServeOpts {
    int port;
    int max_conns;        /* "max_connections", default 10 000 */
    int shutdown_ms;      /* "shutdown_timeout_ms", default 10 000 */
    int64_t max_body;     /* "max_body_bytes", default 8 MiB */
    int64_t max_head;     /* "max_header_bytes", default 8 KiB */
    int64_t max_headers;  /* "max_headers", default 100 */
    int64_t idle_ms;      /* "idle_timeout_ms", default 60 000 */
    int64_t head_ms;      /* "header_timeout_ms", default 10 000 */
} HttpServeOpts;

void http_serve_opts_default(HttpServeOpts *o, int port);
/* Set option `name` (the serve_with names above); false if unknown or
 * out of range. */
bool http_serve_opt(HttpServeOpts *o, const char *name, int64_t value);

/* HTTP.serve / serve_tls: bind, print the stderr line, serve for good.
 * Returns (after printing the failure line) if the port cannot be bound
 * or the certificate cannot be loaded. */
void http_serve(Value router, const HttpServeOpts *o, const char *cert, const char *key);

/* The request path without a socket (the connection process and the fuzz
 * target tests/fuzz/fuzz_http.c share it):
 *  - http_request_of: the Request of the message just parsed (its bytes at
 *    base; a target in absolute-form counts as its path) and, in *handler,
 *    its route's handler (T_UNIT: none, the chain ends in 404);
 *  - http_render_response: the response's head into b, and iov = the head
 *    and the body (empty for HEAD and for 1xx/204/304). */
Value http_request_of(Value router, const HttpParser *p, const char *base, Value *handler);
void http_render_response(SB *b, Value resp, bool head_req, bool keep, bool http10, struct iovec iov[2]);

#endif
