/* commands.h — the declarative table of the `snow` command line: every
 * command, its options, the exit statuses and the environment variables.
 *
 * This table is the single source of `snow help`, of the man pages
 * (`snow help --man`), and of the shell completions (`snow help
 * --completion bash|zsh`); help.c and completion.c only render it, so the
 * three cannot disagree.  tests/scripts/toolchain.sh checks that the man
 * pages say what `snow help` says, that every option listed here is
 * accepted by its command, and that every getenv() in the sources is
 * documented in commands_env.
 *
 * Adding a command = one entry in commands_all (commands.c) with its `run`
 * function.  Adding an option = one CmdOption line in the command's option
 * list plus its handling in the command's own argument parser (the table
 * documents and completes; each command still parses its arguments). */
#ifndef SNOW_COMMANDS_H
#define SNOW_COMMANDS_H

#include <stdbool.h>

/* What the shells offer for an option's argument or a command's operand. */
typedef enum CompKind {
    COMP_NONE,    /* free text or a number: no suggestion */
    COMP_SNOW,    /* .snow files and directories (a program PATH) */
    COMP_FILE,    /* any file */
    COMP_DIR,     /* directories */
    COMP_WORDS,   /* the words listed in `words` */
    COMP_COMMAND, /* a snow command name */
} CompKind;

typedef struct CmdOption {
    const char *name;  /* "--seed" */
    const char *arg;   /* metavariable ("N", "FILE"), NULL for a flag */
    const char *help;  /* description; '\n' continues it on the next line */
    CompKind complete; /* for the argument (ignored for a flag) */
    const char *words; /* COMP_WORDS: space-separated suggestions */
    bool joined;       /* written --name=ARG (else --name ARG) */
} CmdOption;

typedef struct Command {
    const char *name;
    const char *summary;     /* one line for the command list */
    const char *usage;       /* arguments after `snow NAME` */
    const char *description; /* paragraphs separated by a blank line */
    const CmdOption *options;   /* terminated by {0}; may be NULL */
    CompKind operand;        /* what the positional arguments are */
    const char *examples;    /* one "COMMAND LINE\tWHAT IT DOES" per line, or NULL */
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
    bool big_stack;          /* run on a thread with a 256 MB stack */
} Command;

typedef struct EnvVar {
    const char *name;
    const char *help;
} EnvVar;

typedef struct ExitStatus {
    const char *code;
    const char *help;
} ExitStatus;

#define SNOW_VERSION "0.1.0"

extern const Command commands_all[];     /* terminated by {0} */
extern const EnvVar commands_env[];      /* terminated by {0} */
extern const ExitStatus commands_exit[]; /* terminated by {0} */
extern const char commands_tagline[];    /* "the Snow language toolchain" */
extern const char commands_about[];      /* the paragraph under the command list */

const Command *commands_find(const char *name);

#endif
