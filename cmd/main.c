/* main.c — the `snow` command: dispatch to the command table (commands.c)
 * and the pipeline (load → parse → resolve → typecheck → prepare → run).
 *
 * Exit status: 0 ok, 1 static error (nothing runs), 2 command-line misuse,
 * 101 a panic in main (runtime/proc).  The compile phases run on a thread
 * with a large stack so deeply nested (but legal) programs are safe. */
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "help.h"

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
    /* One malloc arena for every thread: glibc grows a thread's own arena
     * one mprotect per page, so a million processes created on a scheduler
     * thread would cost ~0.4 system calls each; the main arena grows by
     * brk in 128 KB steps (docs/memory.md, "System calls"). */
    mallopt(M_ARENA_MAX, 1);
    if (argc < 2) {
        help_usage(stderr);
        fputs("run `snow help` for the list of commands\n", stderr);
        return 2;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "version") == 0) {
        printf("snow %s\n", SNOW_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        help_overview(stdout);
        return 0;
    }
    const Command *c = commands_find(argv[1]);
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
