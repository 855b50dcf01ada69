/* cmd_new.c — `snow new NAME`: a project directory ready to run — main.snow,
 * a second module that main uses, a .gitignore and a README saying how to
 * run, check, trace and format it.
 *
 * It never overwrites: NAME must not exist or be an empty directory, and
 * every file is created with O_EXCL.  The project's name is NAME's last path
 * component (a letter, then letters, digits, `_` or `-`). */
#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd_new.h"

static const char main_snow[] =
    "# main.snow: where the program starts (`snow run .` calls main).\n"
    "# `import Greeting` reads greeting.snow beside this file.\n"
    "import Greeting\n"
    "\n"
    "fn main() do\n"
    "  println(Greeting.hello(\"%s\"))\n"
    "end\n";

static const char greeting_snow[] =
    "# greeting.snow is the module Greeting: every .snow file is a module named\n"
    "# after its file.  Other files see only what is `pub`.\n"
    "pub fn hello(name :: String) -> String do\n"
    "  \"Hello from ${name}!\"\n"
    "end\n";

static const char gitignore[] =
    "# event streams written by `snow run --events events.jsonl .`\n"
    "*.jsonl\n"
    "# editors\n"
    "*.swp\n"
    "*~\n";

static const char readme_md[] =
    "# %s\n"
    "\n"
    "A Snow project.  `main.snow` is where the program starts; `greeting.snow` is the\n"
    "module `Greeting`, which `main.snow` imports.  Every `.snow` file in this folder is\n"
    "a module named after its file (`math_ops.snow` would be `MathOps`).\n"
    "\n"
    "In this folder:\n"
    "\n"
    "```sh\n"
    "snow run .            # run it: prints \"Hello from %s!\"\n"
    "snow check .          # report errors and warnings without running anything\n"
    "snow trace .          # step through the run in the tracing debugger (? for keys)\n"
    "snow fmt .            # format every file in the canonical layout\n"
    "```\n"
    "\n"
    "From the folder above, name the project instead of `.`: `snow run %s`.\n"
    "`snow help` lists every command and `man snow` tells all of them.\n";

static bool valid_name(const char *s) {
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))) return false;
    size_t n = 0;
    for (; s[n]; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return n <= 64;
}

static bool dir_is_empty(const char *path) {
    DIR *d = opendir(path);
    if (!d) return false;
    struct dirent *e;
    bool empty = true;
    while (empty && (e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) empty = false;
    closedir(d);
    return empty;
}

/* Creates dir/file with the formatted text; never replaces a file. */
static bool write_new(const char *dir, const char *file, const char *fmt, const char *name) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    FILE *f = fopen(path, "wx");
    if (!f) {
        fprintf(stderr, "snow new: cannot create '%s': %s\n", path, strerror(errno));
        return false;
    }
    fprintf(f, fmt, name, name, name);
    if (fclose(f) != 0) {
        fprintf(stderr, "snow new: cannot write '%s': %s\n", path, strerror(errno));
        return false;
    }
    return true;
}

int cmd_new(int argc, char **argv) {
    if (argc != 2 || argv[1][0] == '-') {
        if (argc >= 2 && argv[1][0] == '-')
            fprintf(stderr, "snow new: unknown option '%s'\n", argv[1]);
        else fputs(argc < 2 ? "snow new: missing NAME (the project directory to create)\n"
                            : "snow new: one NAME only\n", stderr);
        fputs("run `snow help new` for the usage\n", stderr);
        return 2;
    }
    char path[4096];
    size_t len = strlen(argv[1]);
    if (len >= sizeof path - 32) {
        fputs("snow new: NAME is too long\n", stderr);
        return 2;
    }
    memcpy(path, argv[1], len + 1);
    while (len > 1 && path[len - 1] == '/') path[--len] = 0;
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    if (!valid_name(name)) {
        fprintf(stderr,
                "snow new: '%s' is not a project name: use a letter, then letters, digits, `_` or `-`\n"
                "(at most 64), e.g. `snow new hello_world`\n",
                name);
        return 2;
    }
    struct stat st;
    if (stat(path, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            fprintf(stderr, "snow new: '%s' already exists and is not a directory\n", path);
            return 2;
        }
        if (!dir_is_empty(path)) {
            fprintf(stderr, "snow new: '%s' already exists and is not empty; choose another name\n", path);
            return 2;
        }
    } else if (mkdir(path, 0777) != 0) {
        fprintf(stderr, "snow new: cannot create the directory '%s': %s\n", path, strerror(errno));
        return 2;
    }
    if (!write_new(path, "main.snow", main_snow, name) || !write_new(path, "greeting.snow", greeting_snow, name) ||
        !write_new(path, ".gitignore", gitignore, name) || !write_new(path, "README.md", readme_md, name))
        return 2;
    printf("created %s/: main.snow, greeting.snow, .gitignore, README.md\n"
           "run it with: snow run %s\n",
           path, path);
    return 0;
}
