/* diag.c — formatting and queueing of diagnostics (see diag.h). */
#include "diag.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utf8proc.h>

#include "xalloc.h"

#define MAX_LABELS 6
#define MAX_NOTES 6
/* Errors shown in the human form; the rest are counted ("... and N more
 * errors"): later errors often follow from the first ones. */
#define MAX_ERRORS_SHOWN 20
#define MAX_QUEUED 10000 /* diagnostics kept until the flush; later ones are only counted */

typedef struct Label {
    Span span;
    char *text;
    bool primary;
} Label;

struct Diag {
    DiagSeverity sev;
    const char *code;
    char *msg;
    Label labels[MAX_LABELS];
    int nlabels;
    char *notes[MAX_NOTES]; /* "note: ..." or "help: ..." */
    int nnotes;
    unsigned seq;
};

static Diag **queue;
static int nqueue, capqueue, dropped_errors, dropped_warnings;
static int nerrors, nwarnings;
static unsigned seqno;
static bool json_mode;
static int color_mode = -1;
static bool warnings_on = true;
static FILE *out;
static const char *first_code; /* code of the first error printed (a string literal) */

static char *vfmt(const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) n = 0;
    char *s = xmalloc((size_t)n + 1);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

Diag *diag_new(DiagSeverity sev, const char *code, Span primary, const char *fmt, ...) {
    Diag *d = xcalloc(1, sizeof *d);
    d->sev = sev;
    d->code = code;
    va_list ap;
    va_start(ap, fmt);
    d->msg = vfmt(fmt, ap);
    va_end(ap);
    d->labels[0].span = primary;
    d->labels[0].primary = true;
    d->nlabels = 1;
    return d;
}

void diag_primary(Diag *d, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    free(d->labels[0].text);
    d->labels[0].text = vfmt(fmt, ap);
    va_end(ap);
}

void diag_label(Diag *d, Span s, const char *fmt, ...) {
    if (d->nlabels == MAX_LABELS || s.file == UINT32_MAX) return;
    va_list ap;
    va_start(ap, fmt);
    Label *l = &d->labels[d->nlabels++];
    l->span = s;
    l->text = vfmt(fmt, ap);
    l->primary = false;
    va_end(ap);
}

static void add_note(Diag *d, const char *kind, const char *fmt, va_list ap) {
    if (d->nnotes == MAX_NOTES) return;
    char *body = vfmt(fmt, ap);
    size_t n = strlen(kind) + strlen(body) + 3;
    char *s = xmalloc(n);
    snprintf(s, n, "%s: %s", kind, body);
    free(body);
    d->notes[d->nnotes++] = s;
}

void diag_note(Diag *d, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    add_note(d, "note", fmt, ap);
    va_end(ap);
}

void diag_help(Diag *d, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    add_note(d, "help", fmt, ap);
    va_end(ap);
}

static void diag_free(Diag *d) {
    free(d->msg);
    for (int i = 0; i < d->nlabels; i++) free(d->labels[i].text);
    for (int i = 0; i < d->nnotes; i++) free(d->notes[i]);
    free(d);
}

void diag_emit(Diag *d) {
    if (d->sev == DIAG_WARNING) {
        if (!warnings_on) { diag_free(d); return; }
        nwarnings++;
    } else {
        nerrors++;
    }
    d->seq = seqno++;
    if (nqueue >= MAX_QUEUED) { /* a flood (hostile input): counted, not kept */
        if (d->sev == DIAG_ERROR) dropped_errors++;
        else dropped_warnings++;
        diag_free(d);
        return;
    }
    if (nqueue == capqueue) {
        capqueue = capqueue ? capqueue * 2 : 32;
        queue = xrealloc(queue, (size_t)capqueue * sizeof *queue);
    }
    queue[nqueue++] = d;
}

void diag_error(Span s, const char *code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *m = vfmt(fmt, ap);
    va_end(ap);
    Diag *d = diag_new(DIAG_ERROR, code, s, "%s", m);
    free(m);
    diag_emit(d);
}

void diag_warning(Span s, const char *code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *m = vfmt(fmt, ap);
    va_end(ap);
    Diag *d = diag_new(DIAG_WARNING, code, s, "%s", m);
    free(m);
    diag_emit(d);
}

int diag_error_count(void) { return nerrors; }
int diag_warning_count(void) { return nwarnings; }
void diag_set_json(bool on) { json_mode = on; }
bool diag_json(void) { return json_mode; }
void diag_set_output(FILE *f) { out = f; }
void diag_set_color(int mode) { color_mode = mode; }
void diag_set_warnings(bool on) { warnings_on = on; }

const char *diag_first_error_code(void) { return first_code; }

void diag_reset(void) {
    first_code = NULL;
    for (int i = 0; i < nqueue; i++) diag_free(queue[i]);
    nqueue = 0;
    dropped_errors = dropped_warnings = 0;
    nerrors = nwarnings = 0;
}

bool diag_has_error_from(uint32_t file, uint32_t off) {
    for (int i = 0; i < nqueue; i++) {
        const Diag *d = queue[i];
        if (d->sev == DIAG_ERROR && d->labels[0].span.file == file && d->labels[0].span.off >= off) return true;
    }
    return false;
}

/* ---- rendering ------------------------------------------------------------ */

/* How the character starting at s[0] (n > 0 bytes left) is shown: a valid
 * UTF-8 character as itself, a control character or a byte that is not
 * UTF-8 escaped (`\0` for NUL, else `\xNN`), so a message shows what the
 * file holds and the carets under a source line stay aligned.  Tab is kept
 * (the underline repeats it).  Writes the text to out, returns the bytes of
 * s it covers; *cols is its width in columns. */
static size_t vis_char(const char *s, size_t n, char out[8], int *cols) {
    unsigned char c = (unsigned char)s[0];
    if (c >= 0x20 && c < 0x7F) { out[0] = (char)c; out[1] = 0; *cols = 1; return 1; }
    if (c == '\t') { out[0] = '\t'; out[1] = 0; *cols = 1; return 1; }
    if (c >= 0x80) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &cp);
        if (len > 0 && cp >= 0xA0) {
            memcpy(out, s, (size_t)len);
            out[len] = 0;
            *cols = 1;
            return (size_t)len;
        }
        if (len > 1) { /* a C1 control character: escape its bytes */
            snprintf(out, 8, "\\u%04X", (unsigned)cp);
            *cols = 6;
            return (size_t)len;
        }
    }
    if (c == 0) snprintf(out, 8, "\\0");
    else snprintf(out, 8, "\\x%02X", c);
    *cols = (int)strlen(out);
    return 1;
}

char *diag_visible(const char *s, size_t n) {
    size_t cap = n * 6 + 1, o = 0;
    char *r = xmalloc(cap);
    for (size_t i = 0; i < n;) {
        char ch[8];
        int cols;
        i += vis_char(s + i, n - i, ch, &cols);
        size_t k = strlen(ch);
        memcpy(r + o, ch, k);
        o += k;
    }
    r[o] = 0;
    return r;
}

static bool use_color(void) {
    if (color_mode >= 0) return color_mode == 1;
    if (getenv("NO_COLOR")) return false;
    return isatty(fileno(out ? out : stderr));
}

static const char *C(const char *code) { return use_color() ? code : ""; }
#define BOLD "\x1b[1m"
#define RED "\x1b[1;31m"
#define YEL "\x1b[1;33m"
#define BLUE "\x1b[1;34m"
#define CYAN "\x1b[1;36m"
#define RESET "\x1b[0m"

static int cmp_diag(const void *a, const void *b) {
    const Diag *x = *(Diag *const *)a, *y = *(Diag *const *)b;
    Span sx = x->labels[0].span, sy = y->labels[0].span;
    if (sx.file != sy.file) return sx.file < sy.file ? -1 : 1;
    if (sx.off != sy.off) return sx.off < sy.off ? -1 : 1;
    return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

static int digits(uint32_t n) {
    int d = 1;
    while (n >= 10) { n /= 10; d++; }
    return d;
}

/* Print the underline row for label `l` on source line `line`. */
static void underline(FILE *f, int gutter, const char *ls, size_t llen, uint32_t line_start_off,
                      const Label *l) {
    uint32_t start = l->span.off - line_start_off;
    uint32_t len = l->span.len;
    if (start > llen) start = (uint32_t)llen;
    if (start + len > llen) len = (uint32_t)(llen - start); /* multi-line: first line only */
    fprintf(f, "%*s %s|%s ", gutter, "", C(BLUE), C(RESET));
    char ch[8];
    int cols;
    for (uint32_t i = 0; i < start;) {
        if (ls[i] == '\t') { fputc('\t', f); i++; continue; }
        i += (uint32_t)vis_char(ls + i, llen - i, ch, &cols);
        fprintf(f, "%*s", cols, "");
    }
    fputs(l->primary ? C(RED) : C(BLUE), f);
    uint32_t marks = 0;
    for (uint32_t i = start; i < start + len;) {
        i += (uint32_t)vis_char(ls + i, llen - i, ch, &cols);
        marks += (uint32_t)cols;
    }
    if (marks == 0) marks = 1;
    for (uint32_t i = 0; i < marks; i++) fputc(l->primary ? '^' : '-', f);
    if (l->text && *l->text) fprintf(f, " %s", l->text);
    fprintf(f, "%s\n", C(RESET));
}

static void print_human(FILE *f, const Diag *d) {
    const Span p = d->labels[0].span;
    const char *sevs = d->sev == DIAG_ERROR ? "error" : "warning";
    if (p.file != UINT32_MAX && src_get(p.file)) {
        uint32_t line, col;
        src_linecol(p.file, p.off, &line, &col);
        fprintf(f, "%s%s:%u:%u:%s ", C(BOLD), src_get(p.file)->path, line, col, C(RESET));
    }
    fputs(d->sev == DIAG_ERROR ? C(RED) : C(YEL), f);
    if (d->code) fprintf(f, "%s[%s]", sevs, d->code); else fputs(sevs, f);
    fprintf(f, "%s%s: %s%s\n", C(RESET), C(BOLD), d->msg, C(RESET));

    /* Group labels by (file, line), primary's line first. */
    int gutter = 1;
    for (int i = 0; i < d->nlabels; i++) {
        if (d->labels[i].span.file == UINT32_MAX) continue;
        uint32_t line, col;
        src_linecol(d->labels[i].span.file, d->labels[i].span.off, &line, &col);
        if (digits(line) > gutter) gutter = digits(line);
    }
    bool done[MAX_LABELS] = {0};
    for (int i = 0; i < d->nlabels; i++) {
        if (done[i] || d->labels[i].span.file == UINT32_MAX || !src_get(d->labels[i].span.file)) continue;
        uint32_t file = d->labels[i].span.file, line, col;
        src_linecol(file, d->labels[i].span.off, &line, &col);
        if (file != p.file && i > 0) {
            fprintf(f, "%*s %s-->%s %s:%u:%u\n", gutter, "", C(BLUE), C(RESET), src_get(file)->path, line, col);
        }
        const char *ls;
        size_t llen;
        src_line(file, line, &ls, &llen);
        uint32_t lstart = (uint32_t)(ls - src_get(file)->text);
        /* very long lines: show a window around the label, with ellipses */
        const char *pre = "", *post = "";
        uint32_t loff = d->labels[i].span.off - lstart;
        if (llen > 120) {
            size_t from = loff > 50 ? loff - 50 : 0;
            while (from > 0 && ((unsigned char)ls[from] & 0xC0) == 0x80) from--;
            size_t to = from + 100 < llen ? from + 100 : llen;
            while (to < llen && ((unsigned char)ls[to] & 0xC0) == 0x80) to++;
            if (from > 0) pre = "...";
            if (to < llen) post = "...";
            lstart += (uint32_t)from;
            ls += from;
            llen = to - from;
        }
        fprintf(f, "%s%*u |%s %s", C(BLUE), gutter, line, C(RESET), pre);
        for (size_t k = 0; k < llen;) {
            char ch[8];
            int cols;
            k += vis_char(ls + k, llen - k, ch, &cols);
            fputs(ch, f);
        }
        fprintf(f, "%s\n", post);
        if (*pre) lstart -= 3; /* the ellipsis shifts the caret */
        for (int j = i; j < d->nlabels; j++) {
            if (done[j] || d->labels[j].span.file != file) continue;
            uint32_t l2, c2;
            src_linecol(file, d->labels[j].span.off, &l2, &c2);
            if (l2 != line) continue;
            underline(f, gutter, ls, llen, lstart, &d->labels[j]);
            done[j] = true;
        }
    }
    for (int i = 0; i < d->nnotes; i++)
        fprintf(f, "%*s %s=%s %s\n", gutter, "", C(BLUE), C(RESET), d->notes[i]);
}

static void json_str(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\t': fputs("\\t", f); break;
        case '\r': fputs("\\r", f); break;
        default:
            if (c < 0x20) fprintf(f, "\\u%04x", c);
            else if (c < 0x80) fputc(c, f);
            else { /* JSON must stay UTF-8 whatever a path or message holds */
                utf8proc_int32_t cp;
                utf8proc_ssize_t len = utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &cp);
                if (len > 0) { fwrite(s, 1, (size_t)len, f); s += len - 1; }
                else fputs("\\ufffd", f);
            }
        }
    }
    fputc('"', f);
}

static void print_json(FILE *f, const Diag *d) {
    const Span p = d->labels[0].span;
    fputs("{\"code\":", f);
    if (d->code) json_str(f, d->code);
    else json_str(f, d->sev == DIAG_ERROR ? "P0001" : "W0000");
    fprintf(f, ",\"severity\":\"%s\",\"message\":", d->sev == DIAG_ERROR ? "error" : "warning");
    if (!d->code && d->sev == DIAG_ERROR) {
        size_t n = strlen(d->msg) + 16;
        char *m = xmalloc(n);
        snprintf(m, n, "Parse error: %s", d->msg);
        json_str(f, m);
        free(m);
    } else {
        json_str(f, d->msg);
    }
    fputs(",\"file\":", f);
    if (p.file != UINT32_MAX && src_get(p.file)) {
        uint32_t line, col;
        src_linecol(p.file, p.off, &line, &col);
        json_str(f, src_get(p.file)->path);
        fprintf(f, ",\"line\":%u,\"col\":%u", line, col);
    } else {
        fputs("null", f);
    }
    fputs(",\"spans\":[", f);
    int first = 1;
    for (int i = 0; i < d->nlabels; i++) {
        const Label *l = &d->labels[i];
        if (l->span.file == UINT32_MAX) continue;
        uint32_t line, col;
        src_linecol(l->span.file, l->span.off, &line, &col);
        fprintf(f, "%s{\"start\":%u,\"end\":%u,\"line\":%u,\"col\":%u,\"primary\":%s,\"label\":",
                first ? "" : ",", l->span.off, l->span.off + l->span.len, line, col,
                l->primary ? "true" : "false");
        json_str(f, l->text ? l->text : "");
        fputc('}', f);
        first = 0;
    }
    fputs("],\"notes\":[", f);
    for (int i = 0; i < d->nnotes; i++) {
        if (i) fputc(',', f);
        json_str(f, d->notes[i]);
    }
    fputs("]}\n", f);
}

void diag_flush(void) {
    FILE *f = out ? out : stderr;
    if (nqueue == 0) {
        fflush(f);
        return;
    }
    qsort(queue, (size_t)nqueue, sizeof *queue, cmp_diag);
    int shown_errors = 0, more_errors = 0, more_warnings = 0;
    for (int i = 0; i < nqueue; i++) {
        const Diag *d = queue[i];
        if (json_mode) print_json(f, d);
        else if (shown_errors == MAX_ERRORS_SHOWN) {
            if (d->sev == DIAG_ERROR) more_errors++;
            else more_warnings++;
        } else {
            print_human(f, d);
            if (d->sev == DIAG_ERROR) shown_errors++;
        }
        if (d->sev == DIAG_ERROR && d->code && !first_code) first_code = d->code;
        diag_free(queue[i]);
    }
    more_errors += dropped_errors;
    more_warnings += dropped_warnings;
    if (more_errors || more_warnings) {
        fprintf(f, "... and %d more error%s", more_errors, more_errors == 1 ? "" : "s");
        if (more_warnings) fprintf(f, " and %d more warning%s", more_warnings, more_warnings == 1 ? "" : "s");
        fputs(" (fix the first ones: later errors often follow from them)\n", f);
    }
    nqueue = 0;
    dropped_errors = dropped_warnings = 0;
    fflush(f);
}
