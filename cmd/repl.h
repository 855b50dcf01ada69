/* repl.h — `snow repl`, the interactive session (see repl.c). */
#ifndef SNOW_REPL_H
#define SNOW_REPL_H

/* argv[0] is "repl"; returns the process exit status. */
int cmd_repl(int argc, char **argv);

#endif
