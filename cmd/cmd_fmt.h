/* cmd_fmt.h — `snow fmt` (see cmd_fmt.c; the layout itself is fmt_snow). */
#ifndef SNOW_CMD_FMT_H
#define SNOW_CMD_FMT_H

/* argv[0] is "fmt"; returns the process exit status. */
int cmd_fmt(int argc, char **argv);

#endif
