/* project.h — loading a program (decision 27: a file's directory is its
 * project).  The entry is the given .snow file, or DIR/main.snow for a
 * directory; it is module Main.  `import Name` / `from Name import ...` load
 * the module's file beside the entry (`MathOps` is `math_ops.snow`, `A.B` is
 * `a/b.snow`), transitively: only imported modules are read.  An imported
 * name without a file is left to the resolver (a standard-library module,
 * or E0031).  Lexes and parses every loaded file; parse errors are reported
 * through diag. */
#ifndef SNOW_PROJECT_H
#define SNOW_PROJECT_H

#include "ast.h"

typedef struct Project {
    Module **mods;   /* in load order: Main first, then as imports find them */
    uint32_t nmods;
    Module *main;
    bool is_dir;     /* PATH was a directory */
    char *root;      /* the project directory: PATH, or the entry file's directory */
    bool no_main;    /* the REPL: no `main` required */
} Project;

/* Load PATH.  Returns false when the project could not be read at all (the
 * reason is printed as an `error: ...` line).  Parse errors are counted in
 * diag_error_count(). */
bool project_load(const char *path, Project *out);
/* The existing file of module `name` under `root`, relative to it
 * ("geometry/shape.snow"), or NULL (malloc'd). */
char *project_find_module(const char *root, const char *name);
/* The module names of the .snow files and directories at the top of `root`
 * (main.snow excluded): a NULL-terminated malloc'd array of malloc'd names. */
char **project_list_modules(const char *root);
void project_free(Project *p);
/* Lex and parse source file `file` as module `modname` (errors go to diag). */
Module *project_parse_module(uint32_t file, const char *modname);
/* A one-module project around m (the REPL, the prelude check, fuzzing);
 * mods is the caller's one-element array. Not for project_free. */
void project_single(Project *p, Module **mods, Module *m);

#endif
