/* pipeline.h — the one way from a program to a runnable one, shared by every
 * command (`run`, `check`, `repl`, `trace`):
 *
 *   path ─► load (lex, parse) ─► resolve ─► type-check ─► prepare ─► main
 *
 * Each stage runs only when the stages before it reported no error, so a
 * program with a parse error is not type-checked (its later errors would be
 * noise).  Diagnostics go through diag.h; these functions flush them.
 * SNOW_TIMING=1 prints the time of each stage on stderr. */
#ifndef SNOW_PIPELINE_H
#define SNOW_PIPELINE_H

#include <stdbool.h>

#include "project.h"
#include "value.h"

/* Resolve and type-check a project built in memory (the REPL's input);
 * type-checks only when resolving found no error.  Does not flush the
 * diagnostics.  True when there is no error. */
bool pipeline_check_project(Project *proj);

/* Load the program at `path` (a .snow file or a project directory): lex and
 * parse it (`snow ast`).  Flushes the diagnostics.  On an error (or when
 * the path cannot be loaded) prints the closing summary line (unless
 * diagnostics are JSON), frees the project and returns false. */
bool pipeline_parse(const char *path, Project *proj);

/* Load the program at `path` (a .snow file or a project directory), resolve
 * and type-check it, and print the diagnostics.  On an error prints the
 * closing summary line (unless diagnostics are JSON), frees the project and
 * returns false.  Warnings do not fail. */
bool pipeline_check(const char *path, Project *proj);

/* The closing lines after a failed run's diagnostics (unless they are JSON):
 * `error: Compilation failed due to errors above.` and, when the first error
 * has a code, where `snow explain` tells more.  (Also `snow fmt`'s.) */
void pipeline_summary(void);

/* pipeline_check, then prepare the program and return its `main` function
 * in *main_fn.  Same failure contract. */
bool pipeline_compile(const char *path, Project *proj, Value *main_fn);

#endif
