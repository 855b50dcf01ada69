/* test_fmt_snow.c — `snow fmt`'s invariants, in process:
 *
 *   - every .snow file of ../shared/conformance, tests/, tutorials/ and examples/ that
 *     parses formats to text that parses to the same tree, keeps every
 *     comment, and is a fixed point (snowfmt_verify);
 *   - the same for 10 000 (valid) programs made from those files by rewriting the
 *     white space between tokens (spaces, tabs, line breaks, indentation,
 *     blank lines, trailing spaces, CRLF), a deterministic pseudo-random
 *     sample; mutants that no longer parse are skipped (and counted);
 *   - a few direct layout checks of the document renderer.
 *
 * SNOW_FMT_MUTANTS=N changes the number of mutants (the fuzz-like run). */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

#include "ast.h"
#include "diag.h"
#include "fmt_doc.h"
#include "fmt_snow.h"
#include "lex.h"
#include "source.h"

typedef struct Text {
    char *path;
    char *s;
    size_t n;
} Text;

static Text *files;
static size_t nfiles, capfiles;

static void add_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (!s || fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        fclose(f);
        return;
    }
    fclose(f);
    s[n] = 0;
    if (nfiles == capfiles) {
        capfiles = capfiles ? capfiles * 2 : 256;
        files = realloc(files, capfiles * sizeof *files);
    }
    files[nfiles++] = (Text){strdup(path), s, (size_t)n};
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void scan(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return;
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            names = realloc(names, cap * sizeof *names);
        }
        char buf[4096];
        snprintf(buf, sizeof buf, "%s/%s", dir, e->d_name);
        names[n++] = strdup(buf);
    }
    closedir(d);
    if (n > 1) qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0) {
            size_t L = strlen(names[i]);
            if (S_ISDIR(st.st_mode)) scan(names[i]);
            else if (L > 5 && strcmp(names[i] + L - 5, ".snow") == 0) add_file(names[i]);
        }
        free(names[i]);
    }
    free(names);
}

static void reset_all(void) {
    diag_reset();
    ast_reset();
    src_free_all();
}

/* 0: formatted and verified, 1: does not parse, 2: verification failed. */
static int check_text(const char *path, const char *s, size_t n, int width, char **why) {
    SnowFmtOpts o = {width, 2};
    uint32_t id = src_add(path, s, n);
    size_t len = 0;
    char *out = snowfmt_file(id, &o, &len);
    int r = 1;
    if (out) {
        *why = snowfmt_verify(id, out, len, &o);
        r = *why ? 2 : 0;
        free(out);
    }
    reset_all();
    return r;
}

static int corpus_ok, corpus_skipped;

TEST(corpus) {
    for (size_t i = 0; i < nfiles; i++) {
        char *why = NULL;
        int r = check_text(files[i].path, files[i].s, files[i].n, 100, &why);
        if (r == 0) corpus_ok++;
        else if (r == 1) corpus_skipped++;
        else {
            fprintf(stderr, "FAIL corpus %s: %s\n", files[i].path, why);
            free(why);
        }
        CHECK(r != 2);
    }
    CHECK(corpus_ok > 500);
}

/* ---- mutants ------------------------------------------------------------------------ */

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint32_t rnd(uint32_t n) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

typedef struct Buf {
    char *s;
    size_t n, cap;
} Buf;

static void put(Buf *b, const char *s, size_t n) {
    if (b->n + n + 1 > b->cap) {
        while (b->n + n + 1 > b->cap) b->cap = b->cap ? b->cap * 2 : 4096;
        b->s = realloc(b->s, b->cap);
    }
    memcpy(b->s + b->n, s, n);
    b->n += n;
}

/* A new spelling of the white space between two tokens.  breaks: line
 * breaks may also be added or removed (which may change the meaning of the
 * program or make it invalid); otherwise only their number, the
 * indentation, spaces, tabs, trailing spaces and CRLF change. */
static void new_gap(Buf *b, const char *gap, size_t n, bool breaks) {
    bool vertical = memchr(gap, '\n', n) != NULL || memchr(gap, '\r', n) != NULL;
    uint32_t r = rnd(100);
    if (n == 0) {
        if (r < 10) put(b, " ", 1);
        else if (breaks && r < 15) {
            put(b, "\n", 1);
            for (uint32_t k = rnd(6); k; k--) put(b, " ", 1);
        } else {
            put(b, gap, n);
        }
        return;
    }
    if (!vertical) {
        if (r < 50) {
            for (uint32_t k = 1 + rnd(4); k; k--) put(b, " ", 1);
        } else if (r < 70) {
            put(b, "\t", 1);
        } else if (breaks && r < 90) {
            put(b, "\n", 1);
            for (uint32_t k = rnd(9); k; k--) put(b, " ", 1);
        } else {
            put(b, gap, n);
        }
        return;
    }
    if (breaks && r < 20) {
        put(b, " ", 1);
    } else if (r < 80) {
        if (rnd(4) == 0) put(b, "  ", 2); /* trailing spaces */
        for (uint32_t k = 1 + rnd(3); k; k--) {
            if (rnd(8) == 0) put(b, "\r\n", 2);
            else put(b, "\n", 1);
        }
        for (uint32_t k = rnd(11); k; k--) put(b, rnd(10) == 0 ? "\t" : " ", 1);
    } else {
        put(b, gap, n);
    }
}

/* Rewrite some of the gaps between tokens (and comments) of `t`. */
static char *mutate(const Text *t, size_t *len) {
    uint32_t id = src_add("mutant.snow", t->s, t->n);
    CommentList cl = {0};
    TokenList tl = lex_file_ex(id, &cl);
    /* the boundaries of every token and comment, in order */
    size_t nb = tl.n + cl.n;
    uint32_t *starts = malloc(nb * sizeof *starts), *ends = malloc(nb * sizeof *ends);
    size_t k = 0, ti = 0, ci = 0;
    while (ti < tl.n || ci < cl.n) {
        bool tok = ci >= cl.n || (ti < tl.n && tl.toks[ti].span.off < cl.v[ci].span.off);
        Span s = tok ? tl.toks[ti++].span : cl.v[ci++].span;
        if (tok && tl.toks[ti - 1].kind == TK_NEWLINE) continue;
        starts[k] = s.off;
        ends[k] = s.off + s.len;
        k++;
    }
    uint32_t density = 1 + rnd(30); /* percent of gaps rewritten */
    bool breaks = rnd(100) < 35;
    Buf b = {0};
    size_t pos = 0;
    for (size_t i = 0; i < k; i++) {
        if (starts[i] < pos) continue; /* inside a string: its interpolation */
        const char *gap = t->s + pos;
        size_t gn = starts[i] - pos;
        bool ws = true;
        for (size_t j = 0; j < gn; j++)
            if (!strchr(" \t\r\n", gap[j])) ws = false;
        if (ws && i > 0 && rnd(100) < density) new_gap(&b, gap, gn, breaks);
        else put(&b, gap, gn);
        put(&b, t->s + starts[i], ends[i] - starts[i]);
        pos = ends[i];
    }
    if (pos < t->n) put(&b, t->s + pos, t->n - pos);
    if (!b.s) put(&b, "", 0);
    b.s[b.n] = 0;
    free(starts);
    free(ends);
    lex_free(&tl);
    lex_comments_free(&cl);
    reset_all();
    *len = b.n;
    return b.s;
}

TEST(mutants) {
    const char *env = getenv("SNOW_FMT_MUTANTS");
    int want = env ? atoi(env) : 10000;
    int done = 0, skipped = 0, failed = 0;
    /* only files that parse are mutated */
    size_t *ok = malloc(nfiles * sizeof *ok), nok = 0;
    for (size_t i = 0; i < nfiles; i++) {
        char *why = NULL;
        if (check_text(files[i].path, files[i].s, files[i].n, 100, &why) == 0) ok[nok++] = i;
        free(why);
    }
    CHECK(nok > 0);
    /* `want` mutants that parse (at most 3 * want attempts) */
    while (nok && done - skipped < want && done < 3 * want) {
        const Text *t = &files[ok[rnd((uint32_t)nok)]];
        size_t n = 0;
        char *m = mutate(t, &n);
        static const int widths[] = {40, 60, 80, 100, 120};
        char *why = NULL;
        int r = check_text(t->path, m, n, widths[rnd(5)], &why);
        if (r == 1) skipped++;
        if (r == 2) {
            if (failed < 10) {
                fprintf(stderr, "FAIL mutant of %s: %s\n", t->path, why);
                char p[64];
                snprintf(p, sizeof p, "/tmp/snow-fmt-mutant-%d.snow", failed);
                FILE *f = fopen(p, "wb");
                if (f) {
                    fwrite(m, 1, n, f);
                    fclose(f);
                    fprintf(stderr, "     (kept in %s)\n", p);
                }
            }
            failed++;
            free(why);
        }
        free(m);
        done++;
    }
    free(ok);
    printf("fmt mutants: %d programs, %d verified, %d no longer parse, %d failed\n", done, done - skipped - failed,
           skipped, failed);
    CHECK(failed == 0);
    CHECK(done - skipped >= want); /* enough mutants still parse: the test tests something */
}

/* ---- the renderer ------------------------------------------------------------------- */

static char *render(Doc *d, int width) {
    size_t n;
    return doc_render(d, width, 2, &n);
}

TEST(doc_groups) {
    DocArena *a = doc_arena_new();
    Doc *d = doc_group(a, DOC_CAT(a, doc_str(a, "f("), doc_nest(a, DOC_CAT(a, doc_softline(a), doc_str(a, "aaaa"),
                                                                           doc_str(a, ","), doc_line(a),
                                                                           doc_str(a, "bbbb"))),
                                  doc_softline(a), doc_str(a, ")")),
                       false);
    char *s = render(d, 80);
    CHECK_EQ_STR(s, "f(aaaa, bbbb)\n");
    free(s);
    s = render(d, 10);
    CHECK_EQ_STR(s, "f(\n  aaaa,\n  bbbb\n)\n");
    free(s);
    /* an end-of-line comment goes after the rest of the line, never before code */
    Doc *c = DOC_CAT(a, doc_str(a, "x"), doc_line_suffix(a, doc_str(a, "# c"), true), doc_str(a, ")"), doc_hardline(a),
                     doc_str(a, "y"));
    s = render(c, 80);
    CHECK_EQ_STR(s, "x) # c\ny\n");
    free(s);
    /* two `#` comments for one line: the second goes on the next line */
    Doc *two = DOC_CAT(a, doc_str(a, "x"), doc_line_suffix(a, doc_str(a, "# a"), true),
                       doc_line_suffix(a, doc_str(a, "# b"), true), doc_hardline(a), doc_str(a, "y"));
    s = render(two, 80);
    CHECK_EQ_STR(s, "x # a\n# b\ny\n");
    free(s);
    /* own-line comments start a line; blank lines collapse; no trailing spaces */
    Doc *o = DOC_CAT(a, doc_str(a, "a = "), doc_comment_line(a, "# c", 3, false), doc_str(a, "b "), doc_blankline(a),
                     doc_blankline(a), doc_str(a, "z"));
    s = render(o, 80);
    CHECK_EQ_STR(s, "a =\n# c\nb\n\nz\n");
    free(s);
    doc_arena_free(a);
}

int main(void) {
    FILE *devnull = fopen("/dev/null", "w");
    diag_set_output(devnull);
    diag_set_color(0);
    scan("../shared/conformance");
    scan("tests");
    scan("tutorials");
    scan("examples");
    RUN(doc_groups);
    RUN(corpus);
    printf("fmt corpus: %d files verified, %d do not parse (error cases)\n", corpus_ok, corpus_skipped);
    RUN(mutants);
    return harness_report();
}
