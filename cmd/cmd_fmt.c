/* cmd_fmt.c — `snow fmt`: rewrite Snow files in the canonical layout
 * (front/fmt_snow, docs/style-guide.md).
 *
 *   snow fmt [--check] [--line-width N] [--indent-size N] [--verify] PATH...
 *
 * A PATH is a file, a directory (every *.snow below it, hidden directories
 * skipped, in path order) or `-` (standard input to standard output).  A file
 * is rewritten only when its text changes, through a temporary file renamed
 * over it (mode kept).  A file with a parse error is left untouched and the
 * error is reported as `snow check` reports it.  --check writes nothing and
 * lists the files that would change.  --verify also proves, for every file,
 * that the result parses to the same tree, keeps every comment and is a
 * fixed point (a failure is an internal error: the file is not written).
 *
 * Exit status: 0 success; 1 some file could not be read, parsed, verified or
 * written, or (--check) would change; 2 misuse. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd_fmt.h"

#include "ast.h"
#include "diag.h"
#include "fmt_snow.h"
#include "pipeline.h"
#include "source.h"
#include "xalloc.h"

typedef struct FmtRun {
    SnowFmtOpts opts;
    bool check, verify;
    bool timing; /* SNOW_TIMING=1: time of each phase on stderr */
    int status;
    bool parse_errors;
} FmtRun;

typedef struct Paths {
    char **v;
    size_t n, cap;
} Paths;

static void paths_push(Paths *p, char *s) {
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->v = xrealloc(p->v, p->cap * sizeof *p->v);
    }
    p->v[p->n++] = s;
}

static int cmp_path(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void scan_dir(const char *dir, Paths *out, int depth) {
    if (depth > 64) return;
    DIR *d = opendir(dir);
    if (!d) return;
    Paths here = {0};
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        size_t n = strlen(dir) + strlen(e->d_name) + 2;
        char *full = xmalloc(n);
        snprintf(full, n, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
        paths_push(&here, full);
    }
    closedir(d);
    if (here.n > 1) qsort(here.v, here.n, sizeof *here.v, cmp_path);
    for (size_t i = 0; i < here.n; i++) {
        struct stat st;
        char *p = here.v[i];
        size_t L = strlen(p);
        if (stat(p, &st) != 0) {
            free(p);
        } else if (S_ISDIR(st.st_mode)) {
            scan_dir(p, out, depth + 1);
            free(p);
        } else if (S_ISREG(st.st_mode) && L > 5 && strcmp(p + L - 5, ".snow") == 0) {
            paths_push(out, p);
        } else {
            free(p);
        }
    }
    free(here.v);
}

static char *read_all(FILE *in, size_t *len) {
    size_t cap = 8192, n = 0;
    char *buf = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        size_t k = fread(buf + n, 1, cap - n, in);
        n += k;
        if (k == 0) break;
    }
    if (ferror(in)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* Replace `path` by `text`: a temporary file in the same directory renamed
 * over it, with the original's permission bits. */
static bool write_file(const char *path, const char *text, size_t len, mode_t mode) {
    size_t n = strlen(path) + 16;
    char *tmp = xmalloc(n);
    snprintf(tmp, n, "%s.fmt-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        /* no room for a temporary file (read-only directory): write in place */
        free(tmp);
        FILE *f = fopen(path, "wb");
        if (!f) return false;
        bool ok = fwrite(text, 1, len, f) == len;
        return fclose(f) == 0 && ok;
    }
    bool ok = (size_t)write(fd, text, len) == len && fchmod(fd, mode & 07777) == 0;
    ok = close(fd) == 0 && ok;
    if (ok) ok = rename(tmp, path) == 0;
    if (!ok) {
        int e = errno;
        unlink(tmp);
        errno = e;
    }
    free(tmp);
    return ok;
}

/* Format one source text.  `path` names it in messages; `fs_path` is the file
 * to rewrite (NULL for standard input). */
static void fmt_text(FmtRun *r, const char *path, const char *fs_path, const char *text, size_t len,
                     const struct stat *st) {
    uint32_t id = src_add(path, text, len);
    size_t outlen = 0;
    SnowFmtTimes t = {0};
    char *out = snowfmt_file_timed(id, &r->opts, &outlen, &t);
    if (r->timing)
        fprintf(stderr,
                "timing: %s: lex+parse %.1f ms, layout %.1f ms, render %.1f ms "
                "(cpu: lex+parse %.1f ms, layout %.1f ms, render %.1f ms)\n",
                path, t.parse_ms, t.layout_ms, t.render_ms, t.parse_cpu_ms, t.layout_cpu_ms, t.render_cpu_ms);
    if (!out) {
        diag_flush();
        r->parse_errors = true;
        r->status = 1;
        return;
    }
    if (r->verify) {
        char *why = snowfmt_verify(id, out, outlen, &r->opts);
        diag_flush();
        if (why) {
            fprintf(stderr, "snow fmt: internal error: %s: %s (the file is left as it is; please report it)\n",
                    path, why);
            free(why);
            free(out);
            r->status = 1;
            return;
        }
    }
    bool same = outlen == len && memcmp(out, text, len) == 0;
    if (!fs_path) {
        if (r->check) {
            if (!same) {
                printf("%s\n", path);
                r->status = 1;
            }
        } else {
            fwrite(out, 1, outlen, stdout);
        }
    } else if (!same) {
        if (r->check) {
            printf("%s\n", path);
            r->status = 1;
        } else if (!(st->st_mode & 0222)) {
            fprintf(stderr, "error: cannot write '%s': the file is read-only\n", path);
            r->status = 1;
        } else if (!write_file(fs_path, out, outlen, st->st_mode)) {
            fprintf(stderr, "error: cannot write '%s': %s\n", path, strerror(errno));
            r->status = 1;
        }
    }
    free(out);
    ast_reset(); /* the trees of this file are no longer needed */
}

static void fmt_path(FmtRun *r, const char *path) {
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0) {
        fprintf(stderr, "error: cannot read '%s': %s\n", path, strerror(errno));
        if (f) fclose(f);
        r->status = 1;
        return;
    }
    size_t len = 0;
    char *text = read_all(f, &len);
    fclose(f);
    if (!text) {
        fprintf(stderr, "error: cannot read '%s': %s\n", path, strerror(errno));
        r->status = 1;
        return;
    }
    fmt_text(r, path, path, text, len, &st);
    free(text);
}

static bool int_arg(const char *s, int lo, int hi, int *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < lo || v > hi) return false;
    *out = (int)v;
    return true;
}

int cmd_fmt(int argc, char **argv) {
    FmtRun r;
    memset(&r, 0, sizeof r);
    r.opts.width = SNOWFMT_DEFAULT_WIDTH;
    r.opts.indent = SNOWFMT_DEFAULT_INDENT;
    r.timing = getenv("SNOW_TIMING") != NULL;
    Paths targets = {0};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        int *dst = NULL, lo = 0, hi = 0;
        const char *opt = NULL;
        if (strcmp(a, "--check") == 0) { r.check = true; continue; }
        if (strcmp(a, "--verify") == 0) { r.verify = true; continue; }
        if (strncmp(a, "--line-width", 12) == 0 && (a[12] == 0 || a[12] == '=')) {
            opt = "--line-width"; dst = &r.opts.width; lo = 20; hi = 1000;
            val = a[12] == '=' ? a + 13 : (i + 1 < argc ? argv[++i] : NULL);
        } else if (strncmp(a, "--indent-size", 13) == 0 && (a[13] == 0 || a[13] == '=')) {
            opt = "--indent-size"; dst = &r.opts.indent; lo = 1; hi = 16;
            val = a[13] == '=' ? a + 14 : (i + 1 < argc ? argv[++i] : NULL);
        } else if (strcmp(a, "--color=never") == 0 || strcmp(a, "--no-color") == 0) {
            diag_set_color(0);
            continue;
        } else if (strcmp(a, "--color=always") == 0) {
            diag_set_color(1);
            continue;
        } else if (strcmp(a, "--color=auto") == 0) {
            diag_set_color(-1);
            continue;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "snow fmt: unknown option '%s'\nrun `snow help fmt` for the options\n", a);
            free(targets.v);
            return 2;
        }
        if (opt) {
            if (!val || !int_arg(val, lo, hi, dst)) {
                fprintf(stderr, "snow fmt: %s needs a number from %d to %d\n", opt, lo, hi);
                free(targets.v);
                return 2;
            }
            continue;
        }
        paths_push(&targets, (char *)a);
    }
    if (targets.n == 0) {
        fprintf(stderr, "snow fmt: missing PATH (a .snow file, a directory, or - for standard input)\n");
        return 2;
    }
    for (size_t i = 0; i < targets.n; i++) {
        const char *t = targets.v[i];
        struct stat st;
        if (strcmp(t, "-") == 0) {
            size_t len = 0;
            char *text = read_all(stdin, &len);
            if (!text) {
                fprintf(stderr, "error: cannot read standard input: %s\n", strerror(errno));
                r.status = 1;
                continue;
            }
            fmt_text(&r, "<stdin>", NULL, text, len, NULL);
            free(text);
        } else if (stat(t, &st) == 0 && S_ISDIR(st.st_mode)) {
            Paths files = {0};
            scan_dir(t, &files, 0);
            for (size_t k = 0; k < files.n; k++) {
                fmt_path(&r, files.v[k]);
                free(files.v[k]);
            }
            free(files.v);
        } else {
            fmt_path(&r, t);
        }
    }
    free(targets.v);
    if (r.parse_errors) pipeline_summary();
    return r.status;
}
