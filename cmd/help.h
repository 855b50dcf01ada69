/* help.h — `snow help`: renders the command table (commands.h) as terminal
 * text, as man pages (roff) and, through completion.h, as shell completion
 * scripts.  It owns no knowledge of its own: every word comes from the
 * table, which is what keeps the help, the manual and the completions in
 * agreement. */
#ifndef SNOW_HELP_H
#define SNOW_HELP_H

#include <stdio.h>

#include "commands.h"

/* `snow help [--man] [--completion SHELL] [COMMAND]`. */
int cmd_help(int argc, char **argv);

/* The overview (`snow help`) and one command's help (`snow help NAME`). */
void help_overview(FILE *f);
void help_command(FILE *f, const Command *c);
/* The usage line(s) printed after a misuse of `snow` itself. */
void help_usage(FILE *f);

/* snow(1) when c is NULL, else snow-NAME(1). */
void help_man(FILE *f, const Command *c);

#endif
