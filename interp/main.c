/* main.c — the `snow` command: argument parsing and dispatch to the
 * pipeline (load → parse → resolve → typecheck → prepare → run).
 *
 * Exit status: 0 ok, 1 static error (nothing runs), 2 command-line misuse,
 * 101 a panic in main (runtime/proc).  The compile phases run on a thread
 * with a large stack so deeply nested (but legal) programs are safe. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "diag.h"

#define SNOW_VERSION "0.1.0"

static void usage_line(FILE *f) {
    fputs("usage: snow <command> [options] PATH\n", f);
}

static const Command *find_command(const char *name) {
    for (const Command *c = cli_commands; c->name; c++)
        if (strcmp(c->name, name) == 0) return c;
    return NULL;
}

static int cmd_help(int argc, char **argv) {
    if (argc >= 2) {
        const Command *c = find_command(argv[1]);
        if (!c) {
            fprintf(stderr, "snow help: unknown command '%s'\n", argv[1]);
            return 2;
        }
        printf("%s\n\n%s", c->synopsis, c->help);
        return 0;
    }
    printf("snow %s — the Snow language toolchain\n\n", SNOW_VERSION);
    usage_line(stdout);
    puts("\ncommands:");
    for (const Command *c = cli_commands; c->name; c++) printf("  %-8s %s\n", c->name, c->summary);
    puts("\nPATH is a .snow file or a project directory containing main.snow.");
    puts("Run `snow help COMMAND` for the options of a command.");
    puts("New to Snow? Start with the tutorials: tutorials/01-hello/README.md");
    return 0;
}

typedef struct Job {
    const Command *cmd;
    int argc;
    char **argv;
    int status;
} Job;

static void *run_job(void *arg) {
    Job *j = arg;
    j->status = j->cmd->run(j->argc, j->argv);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage_line(stderr);
        fputs("run `snow help` for the list of commands\n", stderr);
        return 2;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "version") == 0) {
        printf("snow %s\n", SNOW_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) return cmd_help(1, argv);
    if (strcmp(argv[1], "help") == 0) return cmd_help(argc - 1, argv + 1);
    const Command *c = find_command(argv[1]);
    if (!c || !c->run) {
        fprintf(stderr, "snow: unknown command '%s'\n", argv[1]);
        fputs("run `snow help` for the list of commands\n", stderr);
        return 2;
    }
    if (!c->big_stack) return c->run(argc - 1, argv + 1);
    /* Compile phases recurse over the syntax tree: give them room. */
    Job j = {c, argc - 1, argv + 1, 0};
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, (size_t)256 << 20);
    pthread_t th;
    if (pthread_create(&th, &attr, run_job, &j) != 0) {
        run_job(&j);
    } else {
        pthread_join(th, NULL);
    }
    pthread_attr_destroy(&attr);
    return j.status;
}
