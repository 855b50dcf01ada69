/* cli.h — the shared front-end pipeline used by every command (load,
 * parse, resolve, type-check) and its common options.  The command table
 * itself is commands.h. */
#ifndef SNOW_CLI_H
#define SNOW_CLI_H

#include <stdbool.h>
#include "project.h"
#include "value.h"

int cmd_check(int argc, char **argv); /* `snow check` */
int cmd_ast(int argc, char **argv);   /* `snow ast` */

/* Common options. */
typedef struct CliOpts {
    const char *path;
    bool json;
    int color;      /* -1 auto */
} CliOpts;

/* Parse the common options; unknown options are reported (exit 2). Returns
 * the index of the first argument it did not consume, or -1 on misuse. */
int cli_parse_common(int argc, char **argv, CliOpts *o, const char *const *extra_flags);

/* Load + parse + resolve + type-check.  Prints diagnostics.  Returns true
 * when there is no error (warnings allowed). */
bool cli_frontend(const CliOpts *o, Project *proj);

/* The whole way to a runnable program: cli_frontend, then prepare the entry
 * `main` into *main_fn.  On failure prints the error summary, frees the
 * project and returns false. */
bool cli_compile(const CliOpts *o, Project *proj, Value *main_fn);

#endif
