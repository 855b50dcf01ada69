/* cli.c — commands `check` and `ast` and the option parsing the commands
 * share (see cli.h).  Other commands live in their own files; all are
 * listed in the command table, commands.c. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "pipeline.h"

int cli_parse_common(int argc, char **argv, CliOpts *o, const char *const *extra) {
    memset(o, 0, sizeof *o);
    o->color = -1;
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) { o->json = true; continue; }
        if (strcmp(a, "--color=always") == 0) { o->color = 1; continue; }
        if (strcmp(a, "--color=never") == 0 || strcmp(a, "--no-color") == 0) { o->color = 0; continue; }
        if (strcmp(a, "--color=auto") == 0) { o->color = -1; continue; }
        if (a[0] == '-' && a[1]) {
            bool known = false;
            for (int k = 0; extra && extra[k]; k++)
                if (strcmp(extra[k], a) == 0) known = true;
            if (known) break;
            fprintf(stderr, "snow %s: unknown option '%s'\n", argv[0], a);
            fprintf(stderr, "run `snow help %s` for the options\n", argv[0]);
            return -1;
        }
        if (!o->path) { o->path = a; continue; }
        break;
    }
    if (!o->path) {
        fprintf(stderr, "snow %s: missing PATH (a .snow file or a project directory)\n", argv[0]);
        return -1;
    }
    diag_set_json(o->json);
    diag_set_color(o->color);
    return i;
}

int cmd_check(int argc, char **argv) {
    CliOpts o;
    if (cli_parse_common(argc, argv, &o, NULL) < 0) return 2;
    Project proj;
    if (!pipeline_check(o.path, &proj)) return 1;
    project_free(&proj);
    return 0;
}

int cmd_ast(int argc, char **argv) {
    CliOpts o;
    if (cli_parse_common(argc, argv, &o, NULL) < 0) return 2;
    Project proj;
    if (!pipeline_parse(o.path, &proj)) return 1;
    for (uint32_t i = 0; i < proj.nmods; i++) {
        Module *m = proj.mods[i];
        printf("Module %s (%s)\n", m->name, src_get(m->file)->path);
        for (uint32_t k = 0; k < m->root->list.items.n; k++) ast_dump(stdout, m->root->list.items.v[k], 1);
    }
    project_free(&proj);
    return 0;
}
