/* project.c — the entry file, module files found from imports, module
 * naming and parsing (see project.h). */
#include "project.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "diag.h"
#include "lex.h"
#include "modname.h"
#include "parse.h"
#include "stdlib_table.h"
#include "xalloc.h"

static bool ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* The entry of directory `dir` whose module name is `seg`: a directory
 * (want_dir) or a `.snow` file.  The smallest such name when several map
 * to the same module name (`math_ops.snow`, `math__ops.snow`). */
static char *find_entry(const char *dir, const char *seg, bool want_dir) {
    DIR *d = opendir(dir);
    if (!d) return NULL;
    char *best = NULL;
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *nm = e->d_name;
        if (nm[0] == '.') continue;
        if (!want_dir && !ends_with(nm, ".snow")) continue;
        char *mn = modname_of_path(nm);
        bool match = strcmp(mn, seg) == 0 && !strchr(mn, '.');
        free(mn);
        if (!match) continue;
        char full[8192];
        snprintf(full, sizeof full, "%s/%s", dir, nm);
        struct stat st;
        /* a .snow that is not a regular file (a FIFO, a device) is taken and
         * then refused by src_load with a message, not skipped silently */
        if (stat(full, &st) != 0 || (want_dir ? !S_ISDIR(st.st_mode) : S_ISDIR(st.st_mode))) continue;
        if (!best || strcmp(nm, best) < 0) {
            free(best);
            best = xstrdup(nm);
        }
    }
    closedir(d);
    return best;
}

char *project_find_module(const char *root, const char *name) {
    char dir[4096], rel[4096];
    snprintf(dir, sizeof dir, "%s", root);
    rel[0] = 0;
    const char *seg = name;
    for (;;) {
        const char *dot = strchr(seg, '.');
        size_t n = dot ? (size_t)(dot - seg) : strlen(seg);
        if (n == 0 || n >= 256) return NULL;
        char s[256];
        memcpy(s, seg, n);
        s[n] = 0;
        char *e = find_entry(dir, s, dot != NULL);
        if (!e) return NULL;
        size_t dl = strlen(dir), rl = strlen(rel);
        snprintf(dir + dl, sizeof dir - dl, "/%s", e);
        snprintf(rel + rl, sizeof rel - rl, "%s%s", rl ? "/" : "", e);
        free(e);
        if (!dot) break;
        seg = dot + 1;
    }
    return xstrdup(rel);
}

char **project_list_modules(const char *root) {
    DIR *d = opendir(root);
    size_t n = 0, cap = 8;
    char **out = xmalloc(cap * sizeof *out);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        const char *nm = e->d_name;
        if (nm[0] == '.' || strcmp(nm, "main.snow") == 0) continue;
        char full[8192];
        snprintf(full, sizeof full, "%s/%s", root, nm);
        struct stat st;
        if (stat(full, &st) != 0) continue;
        if (!S_ISDIR(st.st_mode) && !(S_ISREG(st.st_mode) && ends_with(nm, ".snow"))) continue;
        if (n + 1 >= cap) {
            cap *= 2;
            out = xrealloc(out, cap * sizeof *out);
        }
        out[n++] = modname_of_path(nm);
    }
    if (d) closedir(d);
    out[n] = NULL;
    return out;
}

static Module *load_module(const char *display_path, const char *fs_path, const char *modname) {
    const char *why = NULL;
    int id = src_load(fs_path, &why);
    if (id < 0) {
        fprintf(stderr, "error: cannot read '%s': %s\n", display_path, why);
        return NULL;
    }
    SourceFile *sf = src_get((uint32_t)id);
    free(sf->path);
    sf->path = xstrdup(display_path);
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

/* `snow run README.md`: say what Snow runs instead of parsing prose. */
static bool refuse_non_snow(const char *path) {
    if (ends_with(path, ".snow")) return false;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *ext = strrchr(base, '.');
    fprintf(stderr, "error: '%s' is not a Snow source file%s%s%s\n", path, ext ? " (`" : "", ext ? ext : "",
            ext ? "` is not `.snow`)" : " (Snow files end in `.snow`)");
    fprintf(stderr, "  = help: give a `.snow` file (`snow run hello.snow`) or a project directory with a "
                    "main.snow (`snow run .`)\n");
    return true;
}

static char *join_path(const char *root, const char *rel) {
    size_t n = strlen(root) + strlen(rel) + 2;
    char *s = xmalloc(n);
    if (strcmp(root, ".") == 0) snprintf(s, n, "%s", rel);
    else snprintf(s, n, "%s/%s", root, rel);
    return s;
}

static Module *find_loaded(Project *p, const char *name) {
    for (uint32_t i = 0; i < p->nmods; i++)
        if (strcmp(p->mods[i]->name, name) == 0) return p->mods[i];
    return NULL;
}

static void push_module(Project *p, Module *m, uint32_t *cap) {
    if (p->nmods == *cap) {
        *cap = *cap ? *cap * 2 : 8;
        p->mods = xrealloc(p->mods, *cap * sizeof *p->mods);
    }
    p->mods[p->nmods++] = m;
}

/* Decision 27: starting from the entry, load the file of every imported
 * module that exists beside it (`A.B` is `a/b.snow`), transitively.  Names
 * without a file are the standard library's or unknown (the resolver says
 * which). */
static bool load_imports(Project *p, uint32_t *cap) {
    bool ok = true;
    for (uint32_t i = 0; i < p->nmods; i++) {
        NodeList items = p->mods[i]->root->list.items;
        for (uint32_t k = 0; k < items.n; k++) {
            Node *it = items.v[k];
            if (it->kind != N_IMPORT && it->kind != N_FROM_IMPORT) continue;
            const char *name = it->import.path.id;
            if (!name || strcmp(name, "Main") == 0 || find_loaded(p, name)) continue;
            char *rel = project_find_module(p->root, name);
            if (!rel) continue;
            char *full = join_path(p->root, rel);
            Module *m = load_module(full, full, name);
            if (m) {
                push_module(p, m, cap);
                if (stdlib_is_module(name)) {
                    Diag *d = diag_new(DIAG_WARNING, "W0003", it->import.path.span,
                                       "module `%s` (%s) replaces the standard library's `%s`", name, rel, name);
                    diag_primary(d, "the project's %s, not the library module", rel);
                    diag_note(d, "files that do not import `%s` still use the library module", name);
                    diag_help(d, "rename the file to keep both (e.g. my_%s)", rel);
                    diag_emit(d);
                }
            } else {
                ok = false;
            }
            free(full);
            free(rel);
        }
    }
    return ok;
}

bool project_load(const char *path, Project *out) {
    memset(out, 0, sizeof *out);
    struct stat st;
    if (stat(path, &st) != 0) {
        int err = errno;
        fprintf(stderr, "error: cannot open '%s': %s\n", path, strerror(err));
        char alt[4096];
        snprintf(alt, sizeof alt, "%s.snow", path);
        if (!ends_with(path, ".snow") && stat(alt, &st) == 0)
            fprintf(stderr, "  = help: did you mean '%s'?\n", alt);
        return false;
    }
    char *entry_fs, *entry_display;
    if (S_ISDIR(st.st_mode)) {
        out->is_dir = true;
        out->root = xstrdup(path);
        size_t rl = strlen(out->root);
        while (rl > 1 && out->root[rl - 1] == '/') out->root[--rl] = 0;
        entry_fs = join_path(out->root, "main.snow");
        struct stat ms;
        if (stat(entry_fs, &ms) != 0 || !S_ISREG(ms.st_mode)) {
            fprintf(stderr,
                    "error: No 'main.snow' found in '%s'. Snow projects must have a main.snow entry point.\n", path);
            free(entry_fs);
            free(out->root);
            out->root = NULL;
            return false;
        }
        entry_display = xstrdup(entry_fs);
    } else {
        if (refuse_non_snow(path)) return false;
        const char *slash = strrchr(path, '/');
        out->root = slash ? xstrndup(path, (size_t)(slash - path) + (slash == path)) : xstrdup(".");
        entry_fs = xstrdup(path);
        entry_display = xstrdup(path);
    }
    Module *m = load_module(entry_display, entry_fs, "Main");
    free(entry_fs);
    free(entry_display);
    if (!m) return false;
    uint32_t cap = 0;
    push_module(out, m, &cap);
    out->main = m;
    return load_imports(out, &cap);
}

void project_free(Project *p) {
    free(p->mods);
    free(p->root);
    memset(p, 0, sizeof *p);
}
