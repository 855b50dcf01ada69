/* commands.c — the command table (see commands.h for what reads it and how
 * to add a command or an option).
 *
 * Text conventions, so that help.c can render the same words as terminal
 * text and as roff: descriptions are paragraphs separated by a blank line
 * and broken into lines of at most ~76 columns; a line starting with two
 * spaces is kept as it is (a list or a code line); `code` in backquotes is
 * shown in bold in the man pages. */
#include "commands.h"

#include <string.h>

#include "cli.h"
#include "cmd_fmt.h"
#include "cmd_new.h"
#include "cmd_run.h"
#include "explain.h"
#include "help.h"
#include "repl.h"
#include "trace.h"

/* Options several commands share. */
#define OPT_JSON(what) {"--json", NULL, what, COMP_NONE, NULL, false}
#define OPT_COLOR                                                                                       \
    {"--color", "WHEN", "always, never or auto (default: colour on a terminal\n"                      \
                        "unless NO_COLOR is set)",                                                      \
     COMP_WORDS, "always never auto", true}

const char commands_tagline[] = "the Snow language toolchain";

const char commands_about[] =
    "PATH is a .snow file (the module Main) or a project directory (its main.snow).\n"
    "`import Name` reads the module's file from the entry file's directory\n"
    "(MathOps is math_ops.snow, Geo.Point is geo/point.snow), transitively; files\n"
    "that nothing imports are not read.\n"
    "\n"
    "Programs run on a deterministic scheduler: the same --seed gives the same\n"
    "interleaving and the same output.  `snow run --threads N` runs them on N\n"
    "worker threads instead.\n"
    "\n"
    "New to Snow? The tutorials in the Snow source tree start at\n"
    "tutorials/01-hello/README.md.";

const Command commands_all[] = {
    {
        .name = "run",
        .summary = "compile and run a program",
        .usage = "[OPTIONS] PATH [-- ARGS...]",
        .description =
            "Type-checks PATH and runs its `main`.  Nothing runs if there is a static\n"
            "error (exit 1).  A panic in main prints `panic: MESSAGE` and the Snow call\n"
            "stack and exits with 101.\n"
            "\n"
            "Arguments after `--` are available to the program through Env.args().",
        .options =
            (const CmdOption[]){
                {"--seed", "N", "scheduling seed of the deterministic scheduler (default 0: FIFO)", COMP_WORDS,
                 "0 1 2 3 4 5 6 7 8 9", false},
                {"--virtual-time", NULL, "when every process waits, jump the clock to the next timer", COMP_NONE,
                 NULL, false},
                {"--events", "FILE", "write the event stream as JSON lines (docs/events.md)", COMP_FILE, NULL,
                 false},
                {"--explore", "K", "run under seeds 1..K and show each distinct outcome", COMP_NONE, NULL, false},
                {"--threads", "N", "run on N worker threads, 1 to 1024 (0 = one per core)", COMP_WORDS, "0 1 2 4 8", false},
                {"--name", "NODE", "start this program as the node NODE (name@host:port) before\n"
                                   "main runs; needs --cookie-file (docs/distribution.md)",
                 COMP_NONE, NULL, false},
                {"--cookie-file", "FILE", "the node's cookie, read from FILE (never on the command line)",
                 COMP_FILE, NULL, false},
                {"--heartbeat", "MS[,TIMEOUT]", "node heartbeat interval and timeout in ms (default 60000,15000)",
                 COMP_NONE, NULL, false},
                {"--max-stack", "SIZE", "bound of each process's stack (default 128M: over 100 000\n"
                                        "nested calls); deeper recursion panics that process with\n"
                                        "`stack overflow`.  SIZE: bytes or a number with K, M or G\n"
                                        "(at least 256K)",
                 COMP_WORDS, "64M 128M 512M 1G", false},
                OPT_JSON("diagnostics as JSON lines"),
                OPT_COLOR,
                {0},
            },
        .operand = COMP_SNOW,
        .examples = "snow run hello.snow\trun a one-file program\n"
                    "snow run .\trun the project in the current directory\n"
                    "snow run --seed 7 app.snow\tanother interleaving, the same every time\n"
                    "snow run --explore 50 app.snow\tlist every distinct outcome of seeds 1..50\n"
                    "snow run --threads 4 app.snow -- in.txt\tfour worker threads; Env.args() sees in.txt\n"
                    "snow run --name a@127.0.0.1:9001 --cookie-file ~/.snow.cookie app.snow\ta cluster node",
        .run = cmd_run,
        .big_stack = true,
    },
    {
        .name = "trace",
        .summary = "step through an actor program in the tracing debugger",
        .usage = "[OPTIONS] PATH",
        .description =
            "Runs PATH on the deterministic scheduler with virtual time and stops before\n"
            "it starts: watch processes spawn, send, receive, link, monitor and crash,\n"
            "one event or one message at a time, and step backwards (the run is\n"
            "replayed exactly).  Press ? inside for every key; docs/debugger.md shows\n"
            "the views.\n"
            "\n"
            "Headless commands (--script, --script-file): next, next-message, continue,\n"
            "back, restart, goto N, seed N, select PID, break PID, break-fn NAME,\n"
            "break-line N, break-msg PATTERN, delete N, search TEXT, filter\n"
            "all|learner, quit.",
        .options =
            (const CmdOption[]){
                {"--seed", "N", "scheduling seed (default 0: FIFO); change it inside with s", COMP_WORDS,
                 "0 1 2 3 4 5 6 7 8 9", false},
                {"--script", "CMDS", "headless: run debugger commands separated by `;`", COMP_NONE, NULL, false},
                {"--script-file", "FILE", "the same, read from a file (one command per line)", COMP_FILE, NULL,
                 false},
                {"--dump", NULL, "headless: print every view as text after each command", COMP_NONE, NULL, false},
                {"--width", "N", "width of the dumped views (default 100)", COMP_NONE, NULL, false},
                {"--export", "FILE", "write the whole run's message sequence chart:\n"
                                     "FILE.svg (picture) or FILE.mmd (Mermaid sequence diagram)",
                 COMP_FILE, NULL, false},
                {"--replay", "FILE", "replay the external input (stdin, pipes, sockets) that\n"
                                     "`snow run --events FILE` recorded, without reading it again",
                 COMP_FILE, NULL, false},
                OPT_JSON("diagnostics as JSON lines"),
                OPT_COLOR,
                {0},
            },
        .operand = COMP_SNOW,
        .examples = "snow trace app.snow\tthe interactive debugger\n"
                    "snow trace --script 'next-message;next-message' --dump app.snow\tprint the views after two "
                    "messages\n"
                    "snow trace --export chart.svg app.snow\tdraw the run's message sequence chart\n"
                    "snow trace --replay run.jsonl app.snow\tstep through a recorded run that read input",
        .run = cmd_trace,
        .big_stack = true,
    },
    {
        .name = "repl",
        .summary = "an interactive session: values, types, definitions and live processes",
        .usage = "[OPTIONS]",
        .description =
            "Reads expressions and definitions, prints each value with its type\n"
            "(`[1, 2] :: List<Int>`).  Definitions and `let` bindings persist; actors you\n"
            "spawn keep running between inputs.  Type :help inside for its commands\n"
            "(:type, :load, :reload, :reset, :processes, :quit).  The input history is\n"
            "kept in ~/.snow_history.\n"
            "\n"
            "With a non-terminal stdin it reads the session from stdin and prints one\n"
            "result per input.",
        .options = (const CmdOption[]){OPT_COLOR, {0}},
        .operand = COMP_NONE,
        .examples = "snow repl\tstart a session\n"
                    "echo '1 + 2' | snow repl\tevaluate from a pipe",
        .run = cmd_repl,
        .big_stack = false,
    },
    {
        .name = "check",
        .summary = "type-check a program without running it",
        .usage = "[OPTIONS] PATH",
        .description = "Parses, resolves and type-checks PATH and reports every error and warning.\n"
                       "Exit status: 0 no errors (warnings allowed), 1 errors found, 2 misuse.",
        .options =
            (const CmdOption[]){
                OPT_JSON("one JSON object per diagnostic"),
                OPT_COLOR,
                {"--no-color", NULL, "the same as --color=never", COMP_NONE, NULL, false},
                {0},
            },
        .operand = COMP_SNOW,
        .examples = "snow check app.snow\treport errors and warnings\n"
                    "snow check --json .\tthe same as JSON lines, for editors and scripts",
        .run = cmd_check,
        .big_stack = true,
    },
    {
        .name = "ast",
        .summary = "print the parsed syntax tree as an indented outline",
        .usage = "[OPTIONS] PATH",
        .description = "Prints every module's syntax tree, one node per line with its line:column.\n"
                       "A learning aid: see how Snow reads your program.",
        .options =
            (const CmdOption[]){
                OPT_JSON("parse errors as JSON lines"),
                OPT_COLOR,
                {"--no-color", NULL, "the same as --color=never", COMP_NONE, NULL, false},
                {0},
            },
        .operand = COMP_SNOW,
        .examples = "snow ast hello.snow\tshow how Snow parsed hello.snow",
        .run = cmd_ast,
        .big_stack = true,
    },
    {
        .name = "explain",
        .summary = "explain an error code, with an example and its fix",
        .usage = "[CODE]",
        .description = "Prints what the diagnostic CODE means (the part in brackets of\n"
                       "`error[E0004]`), a program that shows the mistake and the same program\n"
                       "fixed.  Without CODE, lists every code.  `e0004` and `4` are accepted for\n"
                       "E0004.  Exit status 2 for a code that does not exist.",
        .options = NULL,
        .operand = COMP_NONE,
        .examples = "snow explain E0004\twhat `error[E0004]` means, with an example\n"
                    "snow explain\tlist every error and warning code",
        .run = cmd_explain,
        .big_stack = false,
    },
    {
        .name = "new",
        .summary = "create a project directory ready to run",
        .usage = "NAME",
        .description =
            "Creates the directory NAME with main.snow (the entry point), greeting.snow\n"
            "(a module that main uses), a .gitignore and a README.md that says how to run,\n"
            "check, trace and format the project; `snow run NAME` then prints its greeting.\n"
            "\n"
            "The project's name is NAME's last component: a letter, then letters, digits,\n"
            "`_` or `-`.  NAME must not exist, or be an empty directory: nothing is ever\n"
            "overwritten.  Exit status: 0 created, 2 a bad NAME, an existing NAME, or a\n"
            "file that could not be written.",
        .options = NULL,
        .operand = COMP_DIR,
        .examples = "snow new hello\tcreate hello/\n"
                    "snow new hello && snow run hello\tprints: Hello from hello!",
        .run = cmd_new,
        .big_stack = false,
    },
    {
        .name = "fmt",
        .summary = "rewrite Snow files in the canonical layout",
        .usage = "[OPTIONS] PATH...",
        .description =
            "Formats each PATH in place: a .snow file, a directory (every .snow file\n"
            "below it), or - (read standard input, write standard output).  A file is\n"
            "rewritten only when its text changes; one with a parse error is left\n"
            "untouched and the error is reported as `snow check` would.  Comments and\n"
            "string literals are kept byte for byte.  The layout is described in\n"
            "docs/style-guide.md.\n"
            "\n"
            "Exit status: 0 success, 1 a file could not be read, parsed or written\n"
            "(or, with --check, would change), 2 misuse.",
        .options =
            (const CmdOption[]){
                {"--check", NULL, "write nothing; list the files that would change (exit 1 if any)", COMP_NONE,
                 NULL, false},
                {"--line-width", "N", "the width lines are broken to fit (default 100)", COMP_WORDS, "80 100 120",
                 false},
                {"--indent-size", "N", "spaces per indentation level (default 2)", COMP_WORDS, "2 4", false},
                {"--verify", NULL, "also check that each result parses to the same syntax tree, keeps\n"
                                   "every comment and formats to itself (a self-test)",
                 COMP_NONE, NULL, false},
                OPT_COLOR,
                {0},
            },
        .operand = COMP_SNOW,
        .examples = "snow fmt app.snow\tformat one file in place\n"
                    "snow fmt --check .\tlist the files below . that are not formatted\n"
                    "snow fmt - < app.snow\tprint the formatted text (for editors)",
        .run = cmd_fmt,
        .big_stack = true,
    },
    {
        .name = "help",
        .summary = "show help for snow or for one command",
        .usage = "[OPTIONS] [COMMAND]",
        .description = "Without COMMAND, lists the commands, the exit statuses and the environment\n"
                       "variables.  With COMMAND, shows what it does and its options.  The man\n"
                       "pages and the shell completions are rendered from the same table.",
        .options =
            (const CmdOption[]){
                {"--man", NULL, "print the manual page (roff) of snow, or of COMMAND", COMP_NONE, NULL, false},
                {"--completion", "SHELL", "print the completion script for bash or zsh", COMP_WORDS, "bash zsh",
                 false},
                {0},
            },
        .operand = COMP_COMMAND,
        .examples = "snow help run\tthe options of snow run\n"
                    "snow help --man run | man -l -\tthe snow-run(1) page",
        .run = cmd_help,
        .big_stack = false,
    },
    {0},
};

const ExitStatus commands_exit[] = {
    {"0", "success"},
    {"1", "a static error: the program did not type-check, nothing ran"},
    {"2", "command-line misuse (unknown command or option, missing PATH)"},
    {"74", "a write to stdout, stderr or the --events file failed (snow run;\none message says which)"},
    {"101", "a panic in main, or a deadlock (the message and the Snow call\nstack go to stderr)"},
    {"129, 130, 143", "stopped by SIGHUP, SIGINT or SIGTERM (snow run), after writing\nthe output so far"},
    {0},
};

const EnvVar commands_env[] = {
    {"NO_COLOR", "when set, diagnostics are not coloured (unless --color=always)"},
    {"HOME", "snow repl keeps its input history in $HOME/.snow_history"},
    {"TERM", "the terminal type snow trace draws its interface for"},
    {"SNOW_TIMING", "when set, print the time of each front-end phase on stderr"},
    {"SNOW_TY_TIMING", "when set, print the type checker's CPU time on stderr"},
    {"SNOW_TY_DUMP", "when set, print every inferred top-level type on stderr"},
    {"SNOW_TRACE_TIMING", "when set, snow trace prints the time of each headless command"},
    {0},
};

const Command *commands_find(const char *name) {
    for (const Command *c = commands_all; c->name; c++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}
