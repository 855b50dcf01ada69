/* dbg.h — `snow trace`, the tracing debugger: state shared by the files of
 * debugger/ (private to this directory; the CLI only sees trace.h).
 *
 * Shape:
 *  - dbg_run.c     runs the program on the deterministic scheduler with
 *                  virtual time and decides where to pause: the event
 *                  callback records every event and the step hook (called
 *                  before each scheduling step) stops or aborts the run.
 *                  Stepping back re-runs from the start with the same seed
 *                  to step k-1 (determinism makes it exact).
 *  - dbg_model.c   turns events into the model the views read: processes,
 *                  the event timeline with send/receive pairs, supervisors.
 *  - dbg_view.c    renders every view as lines of plain text (DbgText), for
 *                  both front ends: dbg_tui.c (ncurses) and dbg_script.c
 *                  (headless `--script ... --dump`).
 *  - dbg_cmd.c     the command language shared by scripts, the TUI's `:`
 *                  prompt and its keys (next, back, break-msg, ...).
 *  - dbg_match.c   message-pattern breakpoints (Snow pattern + guard).
 *  - dbg_fmt.c     renders values without ever running Snow code.
 *  - dbg_export.c  the whole run's message sequence chart as SVG / Mermaid.
 *
 * Pausing: a pause happens *between* events: when event k asks for a stop,
 * the debugger pauses at the next event callback (before recording k+1), the
 * next scheduling step or the end of the run, whichever comes first, so the
 * effects of event k (a pushed message, a woken process) are visible.  A
 * pause inside a running process switches to the debugger's own stack.
 */
#ifndef SNOW_DBG_H
#define SNOW_DBG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"
#include "project.h"
#include "sb.h"
#include "value.h"

/* ---- text buffers: every view renders into one ----------------------------- */

enum { DA_NORMAL = 0, DA_BOLD = 1, DA_HILITE = 2, DA_DIM = 4, DA_MARK = 8, DA_ERROR = 16 };

typedef struct DbgLine {
    char *s;      /* NUL-terminated UTF-8/ASCII */
    int attr;     /* DA_* for the whole line */
} DbgLine;

typedef struct DbgText {
    DbgLine *v;
    int n, cap;
    int focus;    /* line to keep visible (-1: none) */
} DbgText;

void dt_init(DbgText *t);
void dt_free(DbgText *t);
void dt_add(DbgText *t, int attr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void dt_addn(DbgText *t, int attr, const char *s, size_t n);

/* ---- values ---------------------------------------------------------------------- */

/* Debug-style rendering that never runs Snow code (no user to_string):
 * strings quoted, variants with their payloads, structs with field names;
 * ExitReason / Signal as the runtime prints them.  At most `max` bytes
 * (then "..."). */
void dbg_fmt(SB *b, Value v, size_t max);
char *dbg_fmt_str(Value v, size_t max); /* malloc'd */
void dbg_fmt_pid(char *buf, size_t cap, uint64_t pid);

/* ---- message patterns (dbg_match.c) ----------------------------------------- */

typedef struct DbgPattern DbgPattern;
/* Parse `PATTERN [when GUARD]`; NULL with an error message in err. */
DbgPattern *dbg_pattern_parse(const char *text, char *err, size_t cap);
bool dbg_pattern_match(const DbgPattern *p, Value v);
/* A service request `Name(args...)` (handler name and arguments). */
bool dbg_pattern_match_call(const DbgPattern *p, const char *name, const Value *args, uint32_t nargs);
void dbg_pattern_free(DbgPattern *p);

/* ---- the model (dbg_model.c) --------------------------------------------------- */

typedef enum DbgPState {
    DP_NEW, DP_RUNNABLE, DP_RUNNING, DP_WAITING, DP_SLEEPING, DP_DEAD, DP_DISCARDED
} DbgPState;

#define DBG_NONE UINT64_MAX

typedef struct DbgProc {
    uint64_t pid;
    char *name;             /* actor / function name */
    uint64_t parent;        /* DBG_NONE for main */
    uint64_t spawn_step, exit_step;
    DbgPState state;
    bool ran;               /* has been scheduled at least once */
    const char *wait_on;    /* static: "receive", "sleep", ... */
    char *reason;           /* exit reason text */
    char *regname;          /* registered name or NULL */
    char *rooms;            /* WebSocket rooms joined ("a, b"), NULL if none */
    uint64_t reductions;    /* completed slices (the running one is added live) */
    uint32_t sent, received;
    int sup;                /* index in model sups when a supervisor, else -1 */
    int svc;                /* index in model svcdefs when a service, else -1 */
    int sup_of, slot;       /* supervisor index / child slot, or -1 */
    int restarts;           /* as a supervised child: restarts of its slot before it */
    uint32_t *pending;      /* indices of sent-not-yet-received events */
    uint32_t npending, cappending;
    char *arm;              /* the `receive` arm its last message matched (source text) */
    uint64_t arm_step;      /* the step of that receive */
} DbgProc;

typedef struct DbgEv {
    uint64_t step;
    int64_t time;
    uint16_t kind;          /* EvKind */
    bool dropped;           /* send to a dead / unknown process */
    uint64_t pid, other, ref;
    int64_t num;
    const char *text;       /* event text (interned, see dm_intern) */
    const char *text2;      /* EV_RESTART: the strategy (interned) */
    char *val;              /* rendered message / reason */
    uint64_t pair;          /* send: step of the receive that consumed it;
                               receive: step of the send (0: unknown) */
    uint32_t file, line;    /* acting process's position (line 0: unknown) */
} DbgEv;

typedef struct DbgSupDef {
    const char *name, *strategy;
    int max_restarts, max_seconds;
    int nchildren;
    struct { const char *name, *restart, *shutdown; } *ch;
} DbgSupDef;

typedef struct DbgSvcDef {
    const char *name;
    int nhandlers;
    const char **handlers;  /* in declaration order (the request's index) */
    bool *is_call;
} DbgSvcDef;

typedef struct DbgChild {
    uint64_t pid;           /* current incarnation, DBG_NONE when none */
    int restarts;
    bool dead;              /* its last incarnation exited */
    bool removed;           /* temporary (or transient after a normal exit): not restarted */
    char *reason;           /* last exit reason */
} DbgChild;

typedef struct DbgSup {
    uint64_t pid;
    int def;
    int restarts;
    DbgChild *ch;
} DbgSup;

typedef struct DbgModel {
    DbgProc *procs;         /* indexed by pid serial */
    uint64_t nprocs, capprocs;
    DbgEv *evs;
    uint32_t nevs, capevs;
    bool truncated;         /* stopped storing events (DBG_MAX_EVENTS) */
    DbgEv *cur;             /* the latest event (stored, or a scratch copy past the limit) */
    DbgSup *sups;
    int nsups, capsups;
    const DbgSupDef *defs;  /* the program's supervisor definitions */
    int ndefs;
    const DbgSvcDef *svcdefs; /* and its services */
    int nsvcdefs;
    uint64_t running;       /* pid in its slice, DBG_NONE */
    int64_t now;
    uint64_t last_step;
} DbgModel;

#define DBG_MAX_EVENTS 1000000u

void dm_reset(DbgModel *m, const DbgSupDef *defs, int ndefs, const DbgSvcDef *svcdefs, int nsvcdefs);
void dm_free(DbgModel *m);
/* Event texts repeat (wait kinds, actor names, child ids): they are kept
 * once for the whole session.  dm_intern_free at the very end. */
const char *dm_intern(const char *s);
void dm_intern_free(void);
DbgProc *dm_proc(DbgModel *m, uint64_t pid); /* NULL if never seen */
/* Record one event (values rendered now: they are valid only during it). */
DbgEv *dm_record(DbgModel *m, const Event *e);
DbgEv *dm_find_step(DbgModel *m, uint64_t step);
/* Account the reductions of the slice that just ended (step hook). */
void dm_slice_end(DbgModel *m);
const char *dm_state_name(DbgPState s);
const char *dm_kind_name(int kind);
/* A message as the learner reads it (service requests and replies in words). */
void dm_message_text(DbgModel *m, uint64_t to, uint32_t kind, Value v, SB *b, size_t max);
/* "send <0.0> main -> <0.1> ping: Ping" */
void dm_describe(DbgModel *m, const DbgEv *e, SB *b);
/* Is this an event a learner watches (not scheduler bookkeeping)? */
bool dm_is_learner_event(const DbgEv *e);
bool dm_is_message_event(const DbgEv *e);

/* ---- breakpoints --------------------------------------------------------------- */

typedef enum { BP_PROC, BP_FN, BP_LINE, BP_MSG } BpKind;

typedef struct DbgBreak {
    int id;
    BpKind kind;
    uint64_t pid;           /* BP_PROC */
    char *name;             /* BP_FN */
    char *file;             /* BP_LINE: basename or NULL (any file) */
    uint32_t line;
    DbgPattern *pat;        /* BP_MSG */
    char *text;             /* as written, for the views */
} DbgBreak;

/* ---- the session --------------------------------------------------------------- */

typedef enum { MODE_NEXT, MODE_NEXT_MSG, MODE_CONTINUE, MODE_TO_STEP, MODE_TO_END } DbgMode;
typedef enum { ACT_NONE, ACT_RESUME, ACT_RERUN, ACT_QUIT } DbgAction;

enum {
    V_PROCS = 0, V_PROC, V_TREE, V_LINKS, V_TIMELINE, V_SOURCE, V_NODES, V_OUTPUT, V_BREAKS, V__COUNT
};

typedef struct Dbg {
    /* configuration */
    const char *path;
    uint64_t seed;
    Value main_fn;
    Project *proj;
    DbgSupDef *supdefs;
    int nsupdefs;
    DbgSvcDef *svcdefs;
    int nsvcdefs;
    bool headless, dump;
    int width;              /* dump width */
    /* run state */
    DbgModel m;
    DbgMode mode;
    uint64_t target;        /* MODE_TO_STEP */
    bool pause_pending;
    bool aborting;          /* the run is being abandoned: ignore everything */
    bool ended;             /* the program has finished */
    int status;             /* exit status once ended */
    char ended_msg[256];
    DbgAction action;       /* what the last pause decided */
    uint64_t runs;          /* number of (re)runs, for measurements */
    /* what the views show */
    char stop_reason[256];
    char msg[512];          /* feedback line (errors, "breakpoint 2 set") */
    uint64_t selected;      /* selected pid */
    bool follow;            /* the selection follows the acting process */
    bool all_events;        /* the event filter: every event vs learner events */
    bool break_panic;
    char search[128];
    uint64_t search_hit;    /* step of the current search match (0 none) */
    int view;               /* switchable pane */
    int scroll[V__COUNT];   /* scroll offsets (lines up from the default) */
    /* breakpoints */
    DbgBreak *bps;
    int nbps, capbps, next_bp;
    /* output capture */
    int out_fd;             /* the program's stdout+stderr (memfd) */
    FILE *ui_out;           /* the real stdout */
    int ui_in_fd;           /* the real stdin */
    /* script */
    char **script;
    int nscript, script_pos;
    const char *last_cmd;
} Dbg;

/* dbg_run.c */
void dbg_request_rerun(Dbg *d, uint64_t target);
/* Program output captured so far (malloc'd, NUL-terminated). */
char *dbg_output(Dbg *d, size_t *len);
/* Current position of a live process: innermost frame with a line. */
bool dbg_proc_location(uint64_t pid, uint32_t *file, uint32_t *line, const char **fn);

/* dbg_cmd.c: execute one command; sets d->action (ACT_NONE: stay paused). */
void dbg_exec(Dbg *d, const char *cmd);
bool dbg_break_hit(Dbg *d, const DbgEv *e, const Event *raw, int *which);
void dbg_break_free_all(Dbg *d);
uint64_t dbg_prev_visible(Dbg *d);
bool dbg_visible(Dbg *d, const DbgEv *e);

/* dbg_view.c */
void dbg_render(Dbg *d, int view, int width, int height, DbgText *out);
const char *dbg_view_name(int view);
void dbg_title(Dbg *d, SB *b);
void dbg_current_event(Dbg *d, SB *b);
uint64_t dbg_focus_pid(Dbg *d);

/* dbg_tui.c / dbg_script.c: the pause loops */
void dbg_tui_pause(Dbg *d);
/* While `continue` runs: redraw the screen (from the step hook). */
void dbg_tui_progress(Dbg *d);
void dbg_tui_end(Dbg *d);
bool dbg_tui_interrupted(Dbg *d);
void dbg_script_pause(Dbg *d);
void dbg_dump(Dbg *d, FILE *f);

/* dbg_export.c */
bool dbg_export(Dbg *d, const char *file, char *err, size_t cap);

#endif
