/* repl_int.h — what the REPL's files share (cmd/repl*.c; not a public
 * header: `snow repl` itself is repl.h).
 *
 *   repl.c          the processes: the reader (<0.0>), the session whose body
 *                   runs the inputs, the Ctrl-C watcher; restarts
 *   repl_compile.c  the session's definitions and bindings, and compiling one
 *                   input into a wrapper function
 *   repl_input.c    reading inputs: the line editor, continuation lines,
 *                   cancelling, Ctrl-C at the prompt, completion
 *   repl_cmd.c      the `:` commands and flush()
 *
 * Everything runs on the deterministic scheduler's one thread (the line
 * editor and the front end run on helper threads while the calling process
 * waits), so the session state below needs no locks. */
#ifndef SNOW_REPL_INT_H
#define SNOW_REPL_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "value.h"

/* ---- the session's state (repl_compile.c) ------------------------------- */

typedef struct ReplDef {
    char *key;      /* "fn:f/1", "type:Point", "impl:Display for Point": a new definition
                       with the same key replaces it */
    char *name;     /* for :info and completion */
    int kind;       /* NodeKind */
    char *text;     /* its source text */
    char *origin;   /* "repl", or the file it was loaded from */
    uint32_t line, col; /* where the text starts in `origin` */
    uint32_t file;  /* source table entry: the text at its real line and column */
    char *doc;      /* its `##` doc comment (without the marks), or NULL */
} ReplDef;

typedef struct ReplBinding {
    char *name;
    char *scheme;   /* its type as an annotation; type parameters t__0, t__1... (NULL:
                       not expressible, passed unannotated) */
    uint32_t ntv;   /* type parameters the scheme uses */
    char *shown;    /* the type as displayed */
    char *origin;   /* "repl" or the loaded file */
} ReplBinding;

typedef struct ReplState {
    ReplDef *defs;
    uint32_t ndefs, capdefs;
    ReplBinding *binds;
    uint32_t nbinds, capbinds;
    char *msg_type;   /* the session's message type once an input fixed it, or NULL */
    char **loaded;    /* files given to :load, for :reload */
    uint32_t nloaded;
    uint32_t inputs;  /* inputs compiled so far */
    bool tty;
} ReplState;

extern ReplState R;

/* One input, compiled by the reader and run by the session. */
typedef struct ReplJob {
    /* in */
    const char *text;
    const char *origin;  /* file name for diagnostics: "repl" or the loaded file */
    bool only_type;      /* :type, :info: check, do not run */
    bool defs_only;      /* :load: definitions only */
    /* out */
    bool ok;
    Value fn;            /* the wrapper: (passed bindings...) -> (value, new bindings..., ()) */
    uint32_t in_file;
    Node **new_defs;     /* the input's definitions */
    uint32_t nnew_defs;
    uint32_t *pass;      /* the bindings passed to the wrapper (indices into R.binds) */
    uint32_t npass;
    bool *shadowed;      /* per passed binding: a new `let` of the same name replaces it */
    char **new_names;    /* the input's new `let` bindings, in order */
    Sym **new_syms;
    uint32_t nnew;
    ReplBinding *news;   /* their metadata (filled after checking) */
    Node *it_let;        /* `let __it = <last expression>`, or NULL */
    Node *last_expr;
    char *it_shown;      /* the type of the value, or NULL for () (nothing printed) */
    char *msg_type;      /* the message type after this input, if fixed now */
    char **dropped;      /* notes on the bindings forgotten because their type was redefined */
    uint32_t ndropped;
} ReplJob;

void repl_compile(ReplJob *j);   /* on a big stack; diagnostics printed */
void repl_job_free(ReplJob *j);
/* After the input ran (ok: it returned normally), in the session: record and
 * describe its definitions ("defined f :: ..."), print its value and its new
 * bindings, update R.binds.  `res` is the wrapper's result (ok only).
 * Returns the new bindings' values (a List), or unit if it failed. */
Value repl_accept(ReplJob *j, bool ok, Value res);
/* The new binding list for a list shaped like R.binds before the input:
 * passed and not shadowed, then the new ones (news: a List, or unit). */
Value repl_merge(ReplJob *j, Value old, Value news);
void repl_reset_session(void);
/* The type of a compiled expression as displayed, NULL on error (:type). */
char *repl_type_of(const char *expr, bool quiet);
/* Index of the binding / definition named `name`, -1 if none. */
int repl_find_binding(const char *name);
int repl_find_def_named(const char *name);

/* Values are printed with fmt_show, cut after this many bytes. */
#define REPL_SHOW_MAX 8000

/* ---- processes (repl.c) ---------------------------------------------------- */

/* Compile and run one input as the session; false if it did not compile. */
bool repl_eval(const char *text, const char *origin, bool defs_only);
/* The session's pid (what self() returns at the prompt). */
uint64_t repl_session_pid(void);
/* Is pid one of the REPL's own helper processes (hidden from :processes)? */
bool repl_is_helper(uint64_t pid);
/* Is the session running an input now? */
bool repl_evaluating(void);
/* The value of binding i as the reader keeps it (valid until the next input). */
Value repl_binding_value(uint32_t i);
/* :reset: forget every binding value; the session is replaced by a fresh
 * process (empty mailbox, its message type open again). */
void repl_forget_values(void);

/* ---- input (repl_input.c) ---------------------------------------------------- */

void repl_input_init(bool tty);  /* before rt_init: signals, line editor */
void repl_input_start(void);     /* in the reader process: the editor's thread */
/* The next complete input (malloc'd), or NULL at the end of input.  Ctrl-C
 * or empty lines cancel an unfinished input; what was cancelled is said on
 * stderr. */
char *repl_next_input(void);
void repl_history_add(const char *line);
/* The read end of the Ctrl-C pipe: readable after each SIGINT. */
int repl_sigint_fd(void);

/* ---- commands (repl_cmd.c) ------------------------------------------------------ */

/* Run a `:` command; false for :quit. */
bool repl_command(const char *line);
extern const char *const repl_command_names[]; /* for completion, NULL-terminated */

#endif
