/* cli.h — commands `check` and `ast` and the options every command shares.
 * The command table itself is commands.h; the way from a path to a program
 * is pipeline.h. */
#ifndef SNOW_CLI_H
#define SNOW_CLI_H

#include <stdbool.h>

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

#endif
