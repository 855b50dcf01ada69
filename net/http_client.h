/* http_client.h — the HTTP/1.1 client (net.md §2): HTTP.get, HTTP.post and
 * HTTP.request over http:// and https://.
 *
 * Built on the server's pieces rather than libcurl: llhttp in response
 * mode (http_parse.h), the poller-driven sockets and TLS of conn.h/tls.h,
 * and getaddrinfo on the blocking pool.  So a request parks only the
 * calling process, every outcome is journaled like the server's (a
 * recorded run replays without the network), and there is one TLS and one
 * parser implementation to fuzz and harden instead of two.
 *
 * Behaviour: one connection per request (Connection: close); at most 5
 * redirects (301, 302, 303: the next request is a GET without body; 307,
 * 308 keep method and body); certificates verified against the system CA
 * store with the host name checked; a 30 s deadline per request (connect,
 * TLS, sending, reading); response bodies up to 10 MiB (larger is an
 * Err), decoded as UTF-8 with invalid sequences replaced by U+FFFD.
 * Errors are `"<url>: <kind>: <detail>"` (kinds: Invalid Url, Dns Failed,
 * Connection Failed, Tls Failed, Timeout, Bad Response, Body Too Large,
 * Too Many Redirects); get/post turn a final status >= 400 into
 * `"<url>: status code <N>"`, with ` (redirected from <url>)` after
 * redirects.
 */
#ifndef SNOW_HTTP_CLIENT_H
#define SNOW_HTTP_CLIENT_H

#include <stdbool.h>

#include "value.h"

#define HTTP_CLIENT_MAX_REDIRECTS 5
#define HTTP_CLIENT_TIMEOUT_MS 30000
#define HTTP_CLIENT_MAX_BODY (10u << 20)

/* HTTP.get / HTTP.post: Result<String, String>. */
Value http_client_simple(const char *method, Value url, Value body, bool json);
/* HTTP.request: Result<Response, String> (any final status is Ok). */
Value http_client_request(Value method, Value url, Value headers, Value body);

#endif
