/* project.h — loading a program: a single .snow file (module Main) or a
 * project directory (every .snow file is a module named from its path,
 * main.snow is the entry; language.md §1 and §8).  Lexes and parses every
 * file; parse errors are reported through diag. */
#ifndef SNOW_PROJECT_H
#define SNOW_PROJECT_H

#include "ast.h"

typedef struct Project {
    Module **mods;   /* in load order: Main first, then by module name */
    uint32_t nmods;
    Module *main;
    bool is_dir;
    char *root;      /* the directory (or the file's directory) */
    bool no_main;    /* the REPL: no `main` required */
} Project;

/* Load PATH.  Returns false when the project could not be read at all (the
 * reason is printed as an `error: ...` line).  Parse errors are counted in
 * diag_error_count(). */
bool project_load(const char *path, Project *out);
/* Module name for a path relative to the project root: "math_ops.snow" ->
 * "MathOps", "math/vector.snow" -> "Math.Vector". */
char *project_module_name(const char *relpath);
void project_free(Project *p);
/* Lex and parse source file `file` as module `modname` (errors go to diag). */
Module *project_parse_module(uint32_t file, const char *modname);
/* A one-module project around m (the REPL, the prelude check, fuzzing);
 * mods is the caller's one-element array. Not for project_free. */
void project_single(Project *p, Module **mods, Module *m);

#endif
