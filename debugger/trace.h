/* trace.h — `snow trace`, the tracing debugger: its one public entry point.
 * Everything else in debugger/ is private to the directory (dbg.h). */
#ifndef SNOW_TRACE_H
#define SNOW_TRACE_H

/* argv[0] is "trace"; returns the process exit status. */
int cmd_trace(int argc, char **argv);

#endif
