/* http_parse.h — HTTP/1.x message parsing with llhttp (compiled in strict
 * mode from Debian's node-llhttp sources), for the server (requests) and
 * the client (responses).  No sockets and no Snow values here: the caller
 * owns a byte buffer, feeds it, and gets spans back (so the fuzz target
 * drives exactly the code the server runs).
 *
 * Model:
 *  - The caller keeps the bytes of the current message's head contiguous
 *    in one buffer (it may grow, so spans are offsets from the buffer's
 *    start, never pointers) and only compacts it between messages.
 *  - http_parse_run feeds buf[*pos..end) and stops at the first of: the
 *    head is complete (HP_HEAD: a server may answer `100 Continue` or
 *    refuse a body now), the message is complete (HP_MESSAGE), more bytes
 *    are needed (HP_MORE), or the input is bad (HP_ERROR, with the status
 *    decision 28 gives it: 400, 413, 431).  After HP_MESSAGE the caller
 *    handles the message and calls http_parse_next before feeding again;
 *    pipelined bytes after the message stay in the buffer untouched.
 *  - Limits (decision 28): the head (request line + header lines + blank
 *    line) is at most max_head bytes and max_headers lines (else 431); a
 *    body is at most max_body bytes (413).  The body is collected into a
 *    malloc'd buffer owned by the parser (Content-Length or chunked).
 *  - Header lines are not stored one by one: `head` spans the header
 *    section from the first name to the end of the last value, whose lines
 *    are exactly `name:OWS value OWS CRLF` (strict mode refuses obs-fold,
 *    bare CR/LF and whitespace before the colon), so http_head_next walks
 *    it again when a header is asked for.  The parser itself remembers only
 *    what the server must act on (Expect: 100-continue).
 */
#ifndef SNOW_HTTP_PARSE_H
#define SNOW_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <llhttp.h>

#define HTTP_MAX_HEAD_DEFAULT 8192
#define HTTP_MAX_HEADERS_DEFAULT 100
#define HTTP_MAX_BODY_DEFAULT (8u << 20)

typedef struct HttpSpan {
    uint32_t off, len;
} HttpSpan;

typedef enum HttpEvent { HP_MORE, HP_HEAD, HP_MESSAGE, HP_ERROR } HttpEvent;

typedef struct HttpParser {
    llhttp_t ll;
    const char *base;      /* the buffer being fed (for span offsets) */
    /* limits */
    size_t max_head, max_headers, max_body;
    /* the current message */
    bool in_head;          /* still reading the head */
    bool head_seen;        /* HP_HEAD was returned for this message */
    bool complete;         /* HP_MESSAGE pending */
    bool expect_continue;  /* Expect: 100-continue */
    bool no_body;          /* client: the response to HEAD has no body */
    size_t head_bytes;     /* bytes of the head fed so far */
    uint32_t nheaders;
    HttpSpan method, url, status_text;
    HttpSpan head;         /* header section: first name .. end of last value */
    HttpSpan field, value; /* the header line being read */
    bool in_field;         /* last callback was a field (name) */
    char *body;            /* malloc'd; body_len bytes */
    size_t body_len, body_cap;
    int err_status;        /* HP_ERROR: 400 / 413 / 431 */
    const char *err_reason;
} HttpParser;

/* type: HTTP_REQUEST (server) or HTTP_RESPONSE (client).  max_* of 0 take
 * the defaults. */
void http_parse_init(HttpParser *p, llhttp_type_t type, size_t max_head, size_t max_headers, size_t max_body);
void http_parse_free(HttpParser *p);
/* Feed base[*pos..end); *pos advances over what was consumed. */
HttpEvent http_parse_run(HttpParser *p, const char *base, size_t *pos, size_t end);
/* After HP_MESSAGE: start the next message (spans and body are reset). */
void http_parse_next(HttpParser *p);
/* The connection ended (EOF): HP_MESSAGE if that completes a response
 * delimited by the end of the connection (client), else HP_ERROR. */
HttpEvent http_parse_eof(HttpParser *p);
/* A partial message was read (the peer went away mid-request). */
static inline bool http_parse_midway(const HttpParser *p) { return p->head_bytes > 0 || !p->in_head; }

/* About the message just parsed (valid from HP_HEAD on). */
static inline bool http_keep_alive(HttpParser *p) { return llhttp_should_keep_alive(&p->ll) != 0; }
static inline int http_status(const HttpParser *p) { return p->ll.status_code; }
static inline bool http_is_upgrade(const HttpParser *p) { return p->ll.upgrade != 0; }
static inline int http_version_minor(const HttpParser *p) { return p->ll.http_minor; }
/* A body is still to come after the head. */
bool http_body_expected(const HttpParser *p);
/* Client: the response being read answers a HEAD request (no body). */
static inline void http_parse_set_no_body(HttpParser *p, bool on) { p->no_body = on; }

/* Walk the header lines of a head section (head = base + span):
 *     size_t at = 0; const char *n, *v; size_t nl, vl;
 *     while (http_head_next(head, len, &at, &n, &nl, &v, &vl)) ...
 * Values are trimmed of spaces and tabs. */
bool http_head_next(const char *head, size_t len, size_t *at, const char **name, size_t *nlen,
                    const char **value, size_t *vlen);
/* ASCII case-insensitive equality of a[0..n) and b[0..m) / the C string b. */
bool http_name_eqn(const char *a, size_t n, const char *b, size_t m);
bool http_name_eq(const char *a, size_t n, const char *b);

/* The RFC 9110 reason phrase of a status ("" for unregistered codes). */
const char *http_reason(int status);

#endif
