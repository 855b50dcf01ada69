/* dbg_script.c — headless mode: `snow trace PATH --script "next; back" [--dump]`.
 *
 * Each pause takes the next script command.  After a command has taken
 * effect (at the next pause, for commands that run the program), either one
 * summary line is printed, or with --dump every view as plain text — the
 * same text the TUI shows, deterministic for goldens.  The script ending
 * quits the session. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dbg.h"

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cmd_start;

static void report(Dbg *d, const char *cmd) {
    FILE *f = d->ui_out;
    if (getenv("SNOW_TRACE_TIMING"))
        fprintf(f, "timing: `%s` took %.2f ms (%" PRIu64 " runs so far)\n", cmd, now_ms() - cmd_start, d->runs);
    if (d->dump) {
        fprintf(f, "=== %s ===\n", cmd);
        dbg_dump(d, f);
        fputc('\n', f);
    } else {
        SB b;
        sb_init(&b);
        dbg_current_event(d, &b);
        fprintf(f, "%-14s %s\n", cmd, sb_cstr(&b));
        if (d->msg[0]) fprintf(f, "%-14s note: %s\n", "", d->msg);
        if (d->ended) fprintf(f, "%-14s %s\n", "", d->ended_msg);
        sb_free(&b);
    }
    fflush(f);
}

void dbg_script_pause(Dbg *d) {
    if (d->last_cmd) {
        report(d, d->last_cmd);
        d->last_cmd = NULL;
    }
    for (;;) {
        if (d->script_pos >= d->nscript) {
            d->action = ACT_QUIT;
            return;
        }
        const char *c = d->script[d->script_pos++];
        d->msg[0] = 0;
        cmd_start = now_ms();
        dbg_exec(d, c);
        if (d->action == ACT_QUIT) return;
        if (d->action != ACT_NONE) {
            d->last_cmd = c; /* reported where the run pauses next */
            return;
        }
        report(d, c);
    }
}
