/* http_parse.c — llhttp behind the span-and-limits interface of
 * http_parse.h.  The callbacks only record offsets and counts; the limits
 * are enforced where the bytes are fed (the head budget) and in the
 * callbacks (header count, body size), so no input can make the parser
 * hold more than max_head bytes of head or max_body bytes of body. */
#include "http_parse.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static HttpParser *P(llhttp_t *ll) { return (HttpParser *)ll; }

static uint32_t off_of(HttpParser *p, const char *at) { return (uint32_t)(at - p->base); }

/* Extend span s with [at, at+len) (the same piece continued in a later
 * feed is contiguous in the caller's buffer), or start it. */
static void span_add(HttpParser *p, HttpSpan *s, const char *at, size_t len) {
    uint32_t off = off_of(p, at);
    if (s->len == 0) s->off = off;
    s->len = off + (uint32_t)len - s->off;
}

static void head_extend(HttpParser *p, const char *at, size_t len) {
    p->head.len = off_of(p, at) + (uint32_t)len - p->head.off;
}

static int fail(HttpParser *p, int status, const char *why) {
    p->err_status = status;
    p->err_reason = why;
    return -1;
}

static int on_method(llhttp_t *ll, const char *at, size_t len) {
    span_add(P(ll), &P(ll)->method, at, len);
    return 0;
}
static int on_url(llhttp_t *ll, const char *at, size_t len) {
    span_add(P(ll), &P(ll)->url, at, len);
    return 0;
}
static int on_status(llhttp_t *ll, const char *at, size_t len) {
    span_add(P(ll), &P(ll)->status_text, at, len);
    return 0;
}

static int on_header_field(llhttp_t *ll, const char *at, size_t len) {
    HttpParser *p = P(ll);
    if (!p->in_head) return 0; /* a trailer of a chunked body: not kept */
    if (!p->in_field) {        /* a new header line */
        if (++p->nheaders > p->max_headers) return fail(p, 431, "too many header lines");
        p->in_field = true;
        p->field.len = 0;
        p->value.len = 0;
        if (p->nheaders == 1) p->head.off = off_of(p, at), p->head.len = 0;
    }
    span_add(p, &p->field, at, len);
    head_extend(p, at, len);
    return 0;
}

static int on_header_field_complete(llhttp_t *ll) {
    P(ll)->in_field = false;
    return 0;
}

static int on_header_value(llhttp_t *ll, const char *at, size_t len) {
    HttpParser *p = P(ll);
    if (!p->in_head) return 0;
    span_add(p, &p->value, at, len);
    head_extend(p, at, len);
    return 0;
}

static bool ci_eq(const char *a, size_t n, const char *b, size_t m) {
    if (n != m) return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z') x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z') y = (unsigned char)(y + 32);
        if (x != y) return false;
    }
    return true;
}

bool http_name_eq(const char *a, size_t n, const char *b) { return ci_eq(a, n, b, strlen(b)); }
bool http_name_eqn(const char *a, size_t n, const char *b, size_t m) { return ci_eq(a, n, b, m); }

static int on_header_value_complete(llhttp_t *ll) {
    HttpParser *p = P(ll);
    if (!p->in_head) return 0;
    const char *f = p->base + p->field.off, *v = p->base + p->value.off;
    size_t vl = p->value.len;
    while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t')) vl--;
    if (p->field.len == 6 && ci_eq(f, 6, "expect", 6)) {
        if (ci_eq(v, vl, "100-continue", 12)) p->expect_continue = true;
    }
    return 0;
}

static int on_headers_complete(llhttp_t *ll) {
    HttpParser *p = P(ll);
    p->in_head = false;
    p->head_seen = true;
    if (ll->type == HTTP_RESPONSE) return p->no_body ? 1 : 0;
    if ((ll->flags & F_CONTENT_LENGTH) && ll->content_length > p->max_body)
        return fail(p, 413, "body over the limit");
    /* pause only when a body follows: the caller may answer 100 Continue
     * (or refuse) before reading it; a request without body runs on */
    return http_body_expected(p) ? HPE_PAUSED : 0;
}

static int on_body(llhttp_t *ll, const char *at, size_t len) {
    HttpParser *p = P(ll);
    if (len > p->max_body - p->body_len) return fail(p, 413, "body over the limit");
    if (p->body_len + len > p->body_cap) {
        size_t cap = p->body_cap ? p->body_cap : 1024;
        while (cap < p->body_len + len) cap *= 2;
        p->body = xrealloc(p->body, cap);
        p->body_cap = cap;
    }
    memcpy(p->body + p->body_len, at, len);
    p->body_len += len;
    return 0;
}

/* A chunk's declared size is checked before its bytes arrive, so a huge
 * one is 413 at once instead of after the body's idle timeout. */
static int on_chunk_header(llhttp_t *ll) {
    HttpParser *p = P(ll);
    if (ll->content_length > p->max_body - p->body_len) return fail(p, 413, "body over the limit");
    return 0;
}

static int on_message_complete(llhttp_t *ll) {
    P(ll)->complete = true;
    return HPE_PAUSED;
}

static const llhttp_settings_t settings = {
    .on_method = on_method,
    .on_url = on_url,
    .on_status = on_status,
    .on_header_field = on_header_field,
    .on_header_field_complete = on_header_field_complete,
    .on_header_value = on_header_value,
    .on_header_value_complete = on_header_value_complete,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_chunk_header = on_chunk_header,
    .on_message_complete = on_message_complete,
};

static void reset_message(HttpParser *p) {
    p->in_head = true;
    p->head_seen = false;
    p->complete = false;
    p->expect_continue = false;
    p->head_bytes = 0;
    p->nheaders = 0;
    p->method = p->url = p->status_text = p->head = p->field = p->value = (HttpSpan){0, 0};
    p->in_field = false;
    p->body_len = 0;
    if (p->body_cap > (64u << 10)) { /* a big body's buffer does not outlive it */
        free(p->body);
        p->body = NULL;
        p->body_cap = 0;
    }
    p->err_status = 0;
    p->err_reason = NULL;
}

void http_parse_init(HttpParser *p, llhttp_type_t type, size_t max_head, size_t max_headers, size_t max_body) {
    memset(p, 0, sizeof *p);
    llhttp_init(&p->ll, type, &settings);
    p->max_head = max_head ? max_head : HTTP_MAX_HEAD_DEFAULT;
    p->max_headers = max_headers ? max_headers : HTTP_MAX_HEADERS_DEFAULT;
    p->max_body = max_body ? max_body : HTTP_MAX_BODY_DEFAULT;
    reset_message(p);
}

void http_parse_free(HttpParser *p) {
    free(p->body);
    p->body = NULL;
    p->body_cap = p->body_len = 0;
}

bool http_body_expected(const HttpParser *p) {
    const llhttp_t *ll = &p->ll;
    if (ll->flags & F_CHUNKED) return true;
    return (ll->flags & F_CONTENT_LENGTH) && ll->content_length > 0;
}

static HttpEvent error_of(HttpParser *p, llhttp_errno_t e) {
    if (!p->err_status) {
        p->err_status = 400;
        p->err_reason = llhttp_get_error_reason(&p->ll);
        if (!p->err_reason) p->err_reason = llhttp_errno_name(e);
    }
    return HP_ERROR;
}

/* ---- the strict head check (requests) -------------------------------------------------------
 * llhttp 8 (Debian's) accepts a few forms decision 28 refuses or RFC 9112
 * forbids: obs-fold, a bare LF after the request line, an empty header
 * name, more than one space between the parts of the request line,
 * HTTP/0.9 and 2.0 request lines.  Once llhttp has accepted a head, this
 * walks its bytes again and insists on exactly
 *     method SP target SP "HTTP/1." ("0"|"1") CRLF *(token ":" value CRLF) CRLF
 * with no control byte but HTAB in a value, one Host line in an HTTP/1.1
 * request (RFC 9112 §3.2) and "chunked" as the only transfer coding (the
 * server decodes no other).  The head is in the buffer: spans are offsets
 * from base and the terminator is among the bytes fed. */

static bool tchar(unsigned char c) {
    if (c >= '0' && c <= '9') return true;
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static const char *check_head(const HttpParser *p, const char *base, size_t end) {
    const char *s = base + p->method.off, *e = base + end;
    const char *x = s;
    while (x < e && tchar((unsigned char)*x)) x++;
    if (x == s || x >= e || *x != ' ') return "bad request line";
    const char *t = ++x;
    while (x < e && (unsigned char)*x > ' ' && *x != 0x7f) x++;
    if (x == t || e - x < 10 || memcmp(x, " HTTP/1.", 8) != 0 || (x[8] != '0' && x[8] != '1') || x[9] != '\r' ||
        x + 10 >= e || x[10] != '\n')
        return "bad request line";
    x += 11;
    int hosts = 0;
    for (;;) {
        if (x + 1 >= e) return "unterminated head";
        if (x[0] == '\r') {
            if (x[1] != '\n') return "bare CR";
            break;
        }
        const char *n = x;
        while (x < e && tchar((unsigned char)*x)) x++;
        if (x == n) return *n == ' ' || *n == '\t' ? "obs-fold" : "bad header name";
        if (x >= e || *x != ':') return "bad header name";
        size_t nl = (size_t)(x - n);
        const char *v = ++x;
        while (x < e && (*x == '\t' || ((unsigned char)*x >= ' ' && *x != 0x7f))) x++;
        if (x + 1 >= e || x[0] != '\r' || x[1] != '\n') return "bad header value";
        if (http_name_eqn(n, nl, "host", 4)) hosts++;
        else if (http_name_eqn(n, nl, "transfer-encoding", 17)) {
            const char *ve = x;
            while (v < ve && (*v == ' ' || *v == '\t')) v++;
            while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
            if (!ci_eq(v, (size_t)(ve - v), "chunked", 7)) return "a transfer coding other than chunked";
        }
        x += 2;
    }
    if (p->ll.http_minor == 1 && hosts != 1) return hosts ? "more than one Host" : "no Host";
    return NULL;
}

HttpEvent http_parse_run(HttpParser *p, const char *base, size_t *pos, size_t end) {
    if (p->complete) return HP_MESSAGE;
    if (p->err_status) return HP_ERROR;
    p->base = base;
    while (*pos < end) {
        size_t feed = end - *pos;
        bool was_head = p->in_head;
        if (was_head) {
            size_t room = p->max_head - p->head_bytes;
            if (room == 0) {
                p->err_status = 431;
                p->err_reason = "header section over the limit";
                return HP_ERROR;
            }
            if (feed > room) feed = room;
        }
        const char *from = base + *pos;
        llhttp_errno_t e = llhttp_execute(&p->ll, from, feed);
        size_t used = feed;
        if (e == HPE_PAUSED || e == HPE_PAUSED_UPGRADE) {
            used = (size_t)(llhttp_get_error_pos(&p->ll) - from);
            if (e == HPE_PAUSED) llhttp_resume(&p->ll);
            else llhttp_resume_after_upgrade(&p->ll);
        } else if (e != HPE_OK) {
            return error_of(p, e);
        }
        if (was_head) p->head_bytes += used;
        *pos += used;
        if (was_head && !p->in_head && p->ll.type == HTTP_REQUEST) {
            const char *why = check_head(p, base, end);
            if (why) {
                p->complete = false;
                p->err_status = 400;
                p->err_reason = why;
                return HP_ERROR;
            }
        }
        if (p->complete) return HP_MESSAGE;
        if (was_head && !p->in_head && e == HPE_PAUSED) return HP_HEAD;
        if (e == HPE_PAUSED_UPGRADE) return HP_MESSAGE;
    }
    return HP_MORE;
}

void http_parse_next(HttpParser *p) { reset_message(p); }

HttpEvent http_parse_eof(HttpParser *p) {
    if (p->complete) return HP_MESSAGE;
    llhttp_errno_t e = llhttp_finish(&p->ll);
    if (e == HPE_PAUSED) llhttp_resume(&p->ll);
    if (p->complete) return HP_MESSAGE;
    if (e == HPE_OK || e == HPE_PAUSED) {
        if (!p->err_status) p->err_status = 400, p->err_reason = "connection closed mid-message";
        return HP_ERROR;
    }
    return error_of(p, e);
}

bool http_head_next(const char *head, size_t len, size_t *at, const char **name, size_t *nlen,
                    const char **value, size_t *vlen) {
    size_t i = *at;
    while (i < len && (head[i] == '\r' || head[i] == '\n')) i++;
    if (i >= len) return false;
    const char *line = head + i;
    const char *eol = memchr(line, '\n', len - i);
    size_t ll = eol ? (size_t)(eol - line) : len - i;
    *at = i + ll + (eol ? 1 : 0);
    while (ll && (line[ll - 1] == '\r')) ll--;
    const char *colon = memchr(line, ':', ll);
    if (!colon) { /* cannot happen after llhttp; an empty name then */
        *name = line;
        *nlen = 0;
        *value = line;
        *vlen = ll;
        return true;
    }
    *name = line;
    *nlen = (size_t)(colon - line);
    const char *v = colon + 1, *e = line + ll;
    while (v < e && (*v == ' ' || *v == '\t')) v++;
    while (e > v && (e[-1] == ' ' || e[-1] == '\t')) e--;
    *value = v;
    *vlen = (size_t)(e - v);
    return true;
}

const char *http_reason(int status) {
    switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 305: return "Use Proxy";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";      /* RFC 6585, registered alongside */
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 511: return "Network Authentication Required";
    default: return "";
    }
}
