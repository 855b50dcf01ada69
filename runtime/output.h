/* output.h — what `snow run` guarantees about the program's output (issue
 * 14): output is never lost, and a write that fails is never ignored.
 *
 * Between out_start and out_finish:
 *  - stdout is line buffered on a terminal and fully buffered otherwise,
 *    and flushed when a process sleeps or waits for input
 *    (proc_prepare_block; not for every receive, see there), when the
 *    scheduler goes idle, at least every OUT_TICK_MS while output is
 *    pending (the output thread), and at the end.
 *  - SIGINT, SIGTERM and SIGHUP (unless ignored when the run started): the
 *    handler only records the signal and writes to an eventfd; the output
 *    thread then flushes stdout and the event file and exits with
 *    128 + signal (130, 143, 129).  A process spinning without end is
 *    interrupted too: nothing waits for the scheduler.  A second signal
 *    kills at once (the default action), should the flush hang.
 *  - A component that can stop the program gracefully (a server, decision
 *    28) takes the signals over with out_set_stop_hook: the first signal
 *    then calls the hook (on the output thread) instead of exiting; the
 *    component ends the program with out_exit when it is done, and if it
 *    has not after the hook's grace period the output thread exits with
 *    status 0 itself.  A second signal still kills at once.
 *  - A write to stdout, stderr or the event file that fails prints one
 *    message (`snow: cannot write to standard output: REASON`) and exits
 *    with OUT_EXIT_IO.
 * Outside that window (unit tests, the REPL, the debugger) every call here
 * does nothing.
 *
 * Threads: out_wrote and out_flush may be called from any worker; stdio
 * locks each stream, `pending` only says whether a flush is worth doing.
 */
#ifndef SNOW_OUTPUT_H
#define SNOW_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#define OUT_TICK_MS 100  /* pending output waits at most this long */
#define OUT_EXIT_IO 74   /* sysexits' EX_IOERR: an output stream failed */

/* Take over stdout and the termination signals (after rt_init, which
 * opened the event file `events_path`, or NULL). */
void out_start(const char *events_path);
/* The run is over (before rt_shutdown): stop the output thread, flush
 * stdout and the event file, restore the signals.  Returns `status`, or
 * after printing the message if a stream failed, OUT_EXIT_IO (or `status`
 * if that is not 0 already). */
int out_finish(int status);

/* Snow output went to stdout (println/print); `ok` is whether the write
 * succeeded.  Exits on failure. */
void out_wrote(bool ok);
/* A write to stderr failed (eprintln): exits. */
void out_stderr_failed(void);
/* Hand the termination signals (SIGINT, SIGTERM, SIGHUP) to `hook`: it
 * runs on the output thread, must be quick and must not touch processes;
 * it returns false to let the default (exit 128 + sig) happen.  grace_ms:
 * how long the program may take to stop after the hook said yes.  NULL
 * gives the signals back. */
void out_set_stop_hook(bool (*hook)(int sig), int grace_ms);
/* End the program now with `status`, output flushed (any thread). */
_Noreturn void out_exit(int status);

/* Flush stdout if output is pending, and act on a failed event file:
 * called when a process blocks and when the scheduler goes idle. */
void out_flush(void);

#endif
