/* cmd_new.h — `snow new NAME` (see cmd_new.c; documented in commands.c). */
#ifndef SNOW_CMD_NEW_H
#define SNOW_CMD_NEW_H

/* argv[0] is "new"; returns the process exit status (0 created, 2 refused). */
int cmd_new(int argc, char **argv);

#endif
