/* cmd_run.h — `snow run` (see cmd_run.c; options in the command table, commands.c). */
#ifndef SNOW_CMD_RUN_H
#define SNOW_CMD_RUN_H

/* argv[0] is "run"; returns the process exit status. */
int cmd_run(int argc, char **argv);

#endif
