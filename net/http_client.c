/* http_client.c — HTTP.get/post/request (http_client.h). */
#include "http_client.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "handle.h"
#include "http_parse.h"
#include "http_value.h"
#include "lib_util.h"
#include "list.h"
#include "rt.h"
#include "sb.h"
#include "sched.h"
#include "str.h"
#include "vals.h"
#include "xalloc.h"

/* ---- URLs ------------------------------------------------------------------------------ */

typedef struct Url {
    bool tls;
    char host[256];
    int port;
    char *target; /* malloc'd: path + query ("/" at least) */
    char *norm;   /* malloc'd: the normalised URL */
} Url;

static void url_free(Url *u) {
    free(u->target);
    free(u->norm);
    u->target = u->norm = NULL;
}

/* Parse an absolute http(s) URL.  False with a reason. */
static bool url_parse(const char *s, size_t n, Url *u, const char **why) {
    memset(u, 0, sizeof *u);
    size_t i = 0;
    while (i < n && isspace((unsigned char)s[i])) i++;
    while (n > i && isspace((unsigned char)s[n - 1])) n--;
    const char *p = s + i;
    n -= i;
    if (n >= 7 && !strncasecmp(p, "http://", 7)) {
        u->tls = false;
        p += 7, n -= 7;
    } else if (n >= 8 && !strncasecmp(p, "https://", 8)) {
        u->tls = true;
        p += 8, n -= 8;
    } else {
        *why = memchr(p, ':', n) ? "URL scheme is not allowed (only http and https)" : "relative URL without a base";
        return false;
    }
    size_t a = 0;
    while (a < n && p[a] != '/' && p[a] != '?' && p[a] != '#') a++;
    const char *auth = p;
    size_t alen = a;
    if (memchr(auth, '@', alen)) {
        *why = "user names in URLs are not supported";
        return false;
    }
    const char *hs = auth, *pe = NULL;
    size_t hl;
    if (alen && auth[0] == '[') {
        const char *rb = memchr(auth, ']', alen);
        if (!rb) {
            *why = "invalid IPv6 address";
            return false;
        }
        hs = auth + 1;
        hl = (size_t)(rb - hs);
        pe = rb + 1 < auth + alen ? rb + 1 : NULL;
        if (pe && *pe != ':') {
            *why = "invalid authority";
            return false;
        }
    } else {
        const char *c = memchr(auth, ':', alen);
        hl = c ? (size_t)(c - auth) : alen;
        pe = c;
    }
    if (hl == 0 || hl >= sizeof u->host) {
        *why = "empty host";
        return false;
    }
    for (size_t k = 0; k < hl; k++) {
        unsigned char ch = (unsigned char)hs[k];
        if (ch <= ' ' || ch == '/' || ch == '\\' || ch >= 0x7f) {
            *why = "invalid domain character";
            return false;
        }
        u->host[k] = (char)tolower(ch);
    }
    u->host[hl] = 0;
    u->port = u->tls ? 443 : 80;
    if (pe) {
        const char *ds = pe + 1, *de = auth + alen;
        if (ds < de) {
            long v = 0;
            for (const char *d = ds; d < de; d++) {
                if (!isdigit((unsigned char)*d) || (v = v * 10 + (*d - '0')) > 65535) {
                    *why = "invalid port number";
                    return false;
                }
            }
            u->port = (int)v;
        }
    }
    /* target: path and query, without the fragment */
    const char *rest = p + a;
    size_t rl = n - a;
    const char *hash = memchr(rest, '#', rl);
    if (hash) rl = (size_t)(hash - rest);
    SB t;
    sb_init(&t);
    if (rl == 0 || rest[0] != '/') sb_putc(&t, '/');
    for (size_t k = 0; k < rl; k++) {
        unsigned char ch = (unsigned char)rest[k];
        if (ch <= ' ' || ch >= 0x7f) sb_printf(&t, "%%%02X", ch); /* as a browser would send it */
        else sb_putc(&t, (char)ch);
    }
    u->target = sb_detach(&t);
    SB nb;
    sb_init(&nb);
    bool v6 = strchr(u->host, ':') != NULL;
    sb_printf(&nb, "%s://%s%s%s", u->tls ? "https" : "http", v6 ? "[" : "", u->host, v6 ? "]" : "");
    if (u->port != (u->tls ? 443 : 80)) sb_printf(&nb, ":%d", u->port);
    sb_puts(&nb, u->target);
    u->norm = sb_detach(&nb);
    return true;
}

/* The URL a Location header points at, from the URL it came from. */
static char *url_resolve(const Url *from, const char *loc, size_t n) {
    SB b;
    sb_init(&b);
    if ((n >= 7 && !strncasecmp(loc, "http://", 7)) || (n >= 8 && !strncasecmp(loc, "https://", 8))) {
        sb_put(&b, loc, n);
    } else if (n >= 2 && loc[0] == '/' && loc[1] == '/') {
        sb_puts(&b, from->tls ? "https:" : "http:");
        sb_put(&b, loc, n);
    } else {
        /* scheme://authority of the original */
        const char *norm = from->norm;
        const char *path = strchr(strstr(norm, "://") + 3, '/');
        sb_put(&b, norm, (size_t)(path - norm));
        if (n && loc[0] == '/') {
            sb_put(&b, loc, n);
        } else { /* relative to the directory of the original path */
            const char *q = strchr(from->target, '?');
            size_t tl = q ? (size_t)(q - from->target) : strlen(from->target);
            const char *slash = from->target;
            for (size_t k = 0; k < tl; k++)
                if (from->target[k] == '/') slash = from->target + k;
            sb_put(&b, from->target, (size_t)(slash - from->target) + 1);
            sb_put(&b, loc, n);
        }
    }
    return sb_detach(&b);
}

/* ---- one exchange -------------------------------------------------------------------- */

/* Everything a request holds, as a resource of the calling process: freed
 * even if the process is killed while it waits. */
typedef struct Exchange {
    NetConn net;
    HttpParser p;
    char *buf;
    size_t cap, end;
} Exchange;

static void exchange_close(void *data) {
    Exchange *x = data;
    conn_close(&x->net);
    http_parse_free(&x->p);
    free(x->buf);
    free(x);
}

static const HandleClass exchange_class = {"HttpClientConnection", NULL, exchange_close};

typedef struct Answer {
    int status;
    Value headers; /* the header section as received */
    Value body;
    char *location; /* malloc'd, for redirects */
} Answer;

/* Err("<url>: <kind>: <detail>") */
static Value fail(const char *url, const char *kind, const char *detail) {
    SB b;
    sb_init(&b);
    sb_printf(&b, "%s: %s: %s", url, kind, detail);
    return val_err(sb_finish(&b));
}

/* One request on a new connection; false with *err set (an Err value). */
static bool exchange(const Url *u, const char *method, Value headers, const char *body, size_t blen, bool json,
                     Answer *ans, Value *err) {
    int64_t deadline = sched_now() + HTTP_CLIENT_TIMEOUT_MS;
    Exchange *x = xcalloc(1, sizeof *x);
    x->net.fd = -1;
    http_parse_init(&x->p, HTTP_RESPONSE, 64u << 10, 256, HTTP_CLIENT_MAX_BODY);
    bool head = !strcmp(method, "HEAD");
    http_parse_set_no_body(&x->p, head);
    x->cap = 16384;
    x->buf = xmalloc(x->cap);
    Value h = handle_open(&exchange_class, x);
    const char *kind = NULL;
    char detail[300];
    if (conn_connect(&x->net, u->host, u->port, u->tls, deadline, &kind, detail, sizeof detail) < 0) {
        *err = fail(u->norm, kind, detail);
        handle_close(h);
        return false;
    }
    SB rq;
    sb_init(&rq);
    sb_printf(&rq, "%s %s HTTP/1.1\r\nHost: ", method, u->target);
    bool v6 = strchr(u->host, ':') != NULL;
    sb_printf(&rq, "%s%s%s", v6 ? "[" : "", u->host, v6 ? "]" : "");
    if (u->port != (u->tls ? 443 : 80)) sb_printf(&rq, ":%d", u->port);
    sb_puts(&rq, "\r\n");
    bool has_ua = false, has_accept = false, has_type = false;
    size_t nh = headers.tag == T_LIST ? list_len(headers) : 0;
    for (size_t i = 0; i < nh; i++) {
        Value *kv = AS_TUPLE(list_get(headers, i))->items;
        const char *k = str_data(kv[0]);
        size_t kl = str_len(kv[0]);
        if (http_name_eqn(k, kl, "host", 4) || http_name_eqn(k, kl, "content-length", 14) ||
            http_name_eqn(k, kl, "transfer-encoding", 17) || http_name_eqn(k, kl, "connection", 10))
            continue; /* the client's own */
        has_ua |= http_name_eqn(k, kl, "user-agent", 10);
        has_accept |= http_name_eqn(k, kl, "accept", 6);
        has_type |= http_name_eqn(k, kl, "content-type", 12);
        sb_put_str(&rq, kv[0]);
        sb_puts(&rq, ": ");
        sb_put_str(&rq, kv[1]);
        sb_puts(&rq, "\r\n");
    }
    if (!has_ua) sb_puts(&rq, "User-Agent: snow\r\n");
    if (!has_accept) sb_puts(&rq, "Accept: */*\r\n");
    if (json && !has_type) sb_puts(&rq, "Content-Type: application/json\r\n");
    if (blen || (strcmp(method, "GET") && !head)) sb_printf(&rq, "Content-Length: %zu\r\n", blen);
    sb_puts(&rq, "Connection: close\r\n\r\n");
    struct iovec iov[2] = {{rq.p, rq.len}, {(void *)body, blen}};
    ssize_t w = conn_writev(&x->net, iov, 2, deadline);
    sb_free(&rq);
    if (w < 0) {
        *err = fail(u->norm, w == -ETIMEDOUT ? "Timeout" : "Connection Failed", strerror((int)-w));
        handle_close(h);
        return false;
    }
    size_t pos = 0;
    for (;;) {
        HttpEvent ev = pos < x->end ? http_parse_run(&x->p, x->buf, &pos, x->end) : HP_MORE;
        if (ev == HP_HEAD) continue;
        if (ev == HP_MESSAGE) {
            int st = http_status(&x->p);
            if (st >= 100 && st < 200 && st != 101) { /* an interim answer: the real one follows */
                http_parse_next(&x->p);
                memmove(x->buf, x->buf + pos, x->end - pos);
                x->end -= pos;
                pos = 0;
                continue;
            }
            break;
        }
        if (ev == HP_ERROR) {
            bool big = x->p.err_status == 413;
            *err = fail(u->norm, big ? "Body Too Large" : "Bad Response",
                        big ? "response body over 10485760 bytes" : x->p.err_reason ? x->p.err_reason : "malformed");
            handle_close(h);
            return false;
        }
        if (x->end == x->cap) {
            /* the head stays where it is (its spans are offsets); the room
             * of body bytes already given to the parser is reused */
            size_t keep = x->p.in_head ? x->end : (size_t)x->p.head.off + x->p.head.len;
            if (pos > keep) {
                memmove(x->buf + keep, x->buf + pos, x->end - pos);
                x->end = keep + (x->end - pos);
                pos = keep;
            } else {
                x->cap *= 2; /* a head: bounded by max_head */
                x->buf = xrealloc(x->buf, x->cap);
            }
        }
        ssize_t n = conn_read(&x->net, x->buf + x->end, x->cap - x->end, deadline);
        if (n == 0) {
            ev = http_parse_eof(&x->p);
            if (ev == HP_MESSAGE) break;
            *err = fail(u->norm, "Bad Response", "connection closed before the response was complete");
            handle_close(h);
            return false;
        }
        if (n < 0) {
            *err = fail(u->norm, n == -ETIMEDOUT ? "Timeout" : "Connection Failed",
                        n == -ETIMEDOUT ? "operation timed out" : strerror((int)-n));
            handle_close(h);
            return false;
        }
        x->end += (size_t)n;
    }
    ans->status = http_status(&x->p);
    ans->headers = x->p.nheaders ? lib_str_lossy(x->buf + x->p.head.off, x->p.head.len) : str_empty();
    ans->body = x->p.body_len ? lib_str_lossy(x->p.body, x->p.body_len) : str_empty();
    ans->location = NULL;
    Value loc;
    if (http_headers_find(ans->headers, "location", 8, &loc)) {
        ans->location = xmalloc(str_len(loc) + 1);
        memcpy(ans->location, str_data(loc), str_len(loc));
        ans->location[str_len(loc)] = 0;
    }
    handle_close(h);
    return true;
}

/* ---- requests with redirects ------------------------------------------------------------ */

static bool is_redirect(int st) { return st == 301 || st == 302 || st == 303 || st == 307 || st == 308; }

/* Run the request, following redirects.  *first: the normalised first URL
 * (for messages; malloc'd); *last likewise for the final one. */
static bool run(Value urlv, Value methodv, Value headers, Value bodyv, bool json, Answer *ans, Value *err,
                char **first, char **last) {
    char method[32];
    size_t ml = str_len(methodv);
    if (ml == 0 || ml >= sizeof method) {
        *err = val_err_cstr("HTTP.request: invalid method");
        return false;
    }
    for (size_t i = 0; i < ml; i++) {
        char c = str_data(methodv)[i];
        if (!isalnum((unsigned char)c) && !strchr("!#$%&'*+-.^_`|~", c)) {
            *err = val_err_cstr("HTTP.request: invalid method");
            return false;
        }
        method[i] = c;
    }
    method[ml] = 0;
    Url u;
    const char *why = NULL;
    char *url = xmalloc(str_len(urlv) + 1);
    memcpy(url, str_data(urlv), str_len(urlv));
    url[str_len(urlv)] = 0;
    if (!url_parse(url, strlen(url), &u, &why)) {
        *err = fail(url, "Invalid Url", why);
        free(url);
        return false;
    }
    free(url);
    *first = xstrdup(u.norm);
    const char *body = str_data(bodyv);
    size_t blen = str_len(bodyv);
    for (int hops = 0;; hops++) {
        if (!exchange(&u, method, headers, body, blen, json, ans, err)) {
            url_free(&u);
            return false;
        }
        if (!is_redirect(ans->status) || !ans->location) break;
        if (hops == HTTP_CLIENT_MAX_REDIRECTS) {
            *err = fail(u.norm, "Too Many Redirects", "more than 5 redirects");
            free(ans->location);
            url_free(&u);
            return false;
        }
        char *next = url_resolve(&u, ans->location, strlen(ans->location));
        free(ans->location);
        ans->location = NULL;
        Url nu;
        if (!url_parse(next, strlen(next), &nu, &why)) {
            *err = fail(next, "Invalid Url", why);
            free(next);
            url_free(&u);
            return false;
        }
        free(next);
        url_free(&u);
        u = nu;
        if (ans->status == 303 || ((ans->status == 301 || ans->status == 302) && strcmp(method, "HEAD"))) {
            strcpy(method, "GET"); /* as browsers do */
            body = "";
            blen = 0;
            json = false;
        }
    }
    free(ans->location);
    *last = xstrdup(u.norm);
    url_free(&u);
    return true;
}

Value http_client_simple(const char *method, Value url, Value body, bool json) {
    Answer a;
    Value err;
    char *first = NULL, *last = NULL;
    Value m = str_from_cstr(method);
    if (!run(url, m, list_empty(), body, json, &a, &err, &first, &last)) {
        free(first);
        return err;
    }
    Value r;
    if (a.status >= 400) {
        SB b;
        sb_init(&b);
        sb_printf(&b, "%s: status code %d", last, a.status);
        if (strcmp(first, last)) sb_printf(&b, " (redirected from %s)", first);
        r = val_err(sb_finish(&b));
    } else {
        r = val_ok(a.body);
    }
    free(first);
    free(last);
    return r;
}

Value http_client_request(Value method, Value url, Value headers, Value body) {
    Answer a;
    Value err;
    char *first = NULL, *last = NULL;
    if (!run(url, method, headers, body, false, &a, &err, &first, &last)) {
        free(first);
        return err;
    }
    free(first);
    free(last);
    return val_ok(http_response_new(a.status, a.headers, a.body));
}
