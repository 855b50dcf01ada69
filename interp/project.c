/* project.c — file discovery, module naming and parsing (see project.h). */
#include "project.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "lex.h"
#include "parse.h"

char *project_module_name(const char *rel) {
    size_t n = strlen(rel);
    char *out = malloc(n + 2);
    if (!out) abort();
    size_t o = 0;
    bool up = true;
    for (size_t i = 0; i < n; i++) {
        char c = rel[i];
        if (i + 5 == n && strcmp(rel + i, ".snow") == 0) break;
        if (c == '/') { out[o++] = '.'; up = true; continue; }
        if (c == '_') { up = true; continue; }
        if (up && c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        up = false;
        out[o++] = c;
    }
    out[o] = 0;
    return out;
}

typedef struct FileList {
    char **v;
    size_t n, cap;
} FileList;

static void fl_push(FileList *fl, char *s) {
    if (fl->n == fl->cap) {
        fl->cap = fl->cap ? fl->cap * 2 : 16;
        fl->v = realloc(fl->v, fl->cap * sizeof *fl->v);
        if (!fl->v) abort();
    }
    fl->v[fl->n++] = s;
}

static void scan_dir(const char *root, const char *rel, FileList *fl, int depth) {
    if (depth > 32) return;
    char path[4096];
    snprintf(path, sizeof path, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(path);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        char full[8192];
        snprintf(full, sizeof full, "%s/%s", root, sub);
        struct stat st;
        if (stat(full, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            scan_dir(root, sub, fl, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            size_t L = strlen(sub);
            if (L > 5 && strcmp(sub + L - 5, ".snow") == 0) fl_push(fl, strdup(sub));
        }
    }
    closedir(d);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static Module *load_module(const char *display_path, const char *fs_path, const char *modname) {
    int id = src_load(fs_path);
    if (id < 0) {
        fprintf(stderr, "error: cannot read '%s': %s\n", display_path, strerror(errno));
        return NULL;
    }
    SourceFile *sf = src_get((uint32_t)id);
    free(sf->path);
    sf->path = strdup(display_path);
    return project_parse_module((uint32_t)id, modname);
}

Module *project_parse_module(uint32_t file, const char *modname) {
    Module *m = ast_alloc(sizeof *m);
    m->name = ast_intern(modname, strlen(modname));
    const char *dot = strrchr(modname, '.');
    m->short_name = dot ? ast_intern(dot + 1, strlen(dot + 1)) : m->name;
    m->file = file;
    TokenList toks = lex_file(file);
    int nerr = 0;
    m->root = parse_file(file, &toks, &nerr);
    lex_free(&toks);
    return m;
}

void project_single(Project *p, Module **mods, Module *m) {
    memset(p, 0, sizeof *p);
    mods[0] = m;
    p->mods = mods;
    p->nmods = 1;
    p->main = m;
    p->root = (char *)".";
}

bool project_load(const char *path, Project *out) {
    memset(out, 0, sizeof *out);
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "error: cannot open '%s': %s\n", path, strerror(errno));
        return false;
    }
    if (!S_ISDIR(st.st_mode)) {
        out->is_dir = false;
        char *slash = strrchr(path, '/');
        out->root = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
        Module *m = load_module(path, path, "Main");
        if (!m) return false;
        out->mods = malloc(sizeof(Module *));
        out->mods[0] = m;
        out->nmods = 1;
        out->main = m;
        return true;
    }
    out->is_dir = true;
    out->root = strdup(path);
    size_t rl = strlen(out->root);
    while (rl > 1 && out->root[rl - 1] == '/') out->root[--rl] = 0;
    FileList fl = {0};
    scan_dir(out->root, "", &fl, 0);
    qsort(fl.v, fl.n, sizeof *fl.v, cmp_str);
    bool has_main = false;
    for (size_t i = 0; i < fl.n; i++)
        if (strcmp(fl.v[i], "main.snow") == 0) has_main = true;
    if (!has_main) {
        fprintf(stderr, "error: No 'main.snow' found in '%s'. Snow projects must have a main.snow entry point.\n",
                path);
        for (size_t i = 0; i < fl.n; i++) free(fl.v[i]);
        free(fl.v);
        return false;
    }
    out->mods = malloc((fl.n ? fl.n : 1) * sizeof(Module *));
    bool ok = true;
    /* Main first, then the others in path order */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < fl.n; i++) {
            bool is_main = strcmp(fl.v[i], "main.snow") == 0;
            if ((pass == 0) != is_main) continue;
            char full[8192];
            snprintf(full, sizeof full, "%s/%s", out->root, fl.v[i]);
            char *name = is_main ? strdup("Main") : project_module_name(fl.v[i]);
            Module *m = load_module(full, full, name);
            free(name);
            if (!m) { ok = false; continue; }
            out->mods[out->nmods++] = m;
            if (is_main) out->main = m;
        }
    }
    for (size_t i = 0; i < fl.n; i++) free(fl.v[i]);
    free(fl.v);
    return ok;
}

void project_free(Project *p) {
    free(p->mods);
    free(p->root);
    memset(p, 0, sizeof *p);
}
