/* help.c — `snow help`, text and man-page renderings of the command table
 * (see help.h; the table and its text conventions are in commands.c). */
#include "help.h"

#include <string.h>

#include "completion.h"

/* ---- terminal text -------------------------------------------------------- */

/* The option as written on the command line: "--seed N", "--color=WHEN". */
static void opt_spelling(char *buf, size_t n, const CmdOption *o) {
    if (!o->arg) snprintf(buf, n, "%s", o->name);
    else snprintf(buf, n, "%s%s%s", o->name, o->joined ? "=" : " ", o->arg);
}

/* Text with continuation lines indented by `indent` spaces. */
static void put_indented(FILE *f, const char *text, int indent) {
    for (const char *p = text; *p; p++) {
        fputc(*p, f);
        if (*p == '\n' && p[1]) fprintf(f, "%*s", indent, "");
    }
    fputc('\n', f);
}

/* "NAME  help" rows; the help column is `col` (past the longest name). */
static void put_row(FILE *f, int col, const char *name, const char *help) {
    int n = (int)strlen(name);
    if (n <= col - 4) fprintf(f, "  %-*s", col - 2, name);
    else fprintf(f, "  %s\n%*s", name, col, "");
    put_indented(f, help, col);
}

void help_usage(FILE *f) { fputs("usage: snow <command> [options] PATH\n", f); }

void help_overview(FILE *f) {
    fprintf(f, "snow %s — %s\n\n", SNOW_VERSION, commands_tagline);
    help_usage(f);
    fputs("\ncommands:\n", f);
    for (const Command *c = commands_all; c->name; c++) fprintf(f, "  %-8s %s\n", c->name, c->summary);
    fprintf(f, "\n%s\n\nexit status:\n", commands_about);
    for (const ExitStatus *e = commands_exit; e->code; e++) put_row(f, 8, e->code, e->help);
    fputs("\nenvironment:\n", f);
    for (const EnvVar *e = commands_env; e->name; e++) put_row(f, 22, e->name, e->help);
    fputs("\nRun `snow help COMMAND` for the options of a command, `man snow` for all of it.\n", f);
}

void help_command(FILE *f, const Command *c) {
    fprintf(f, "usage: snow %s %s\n\n%s\n\n%s\n", c->name, c->usage, c->summary, c->description);
    if (c->options && c->options->name) {
        fputs("\noptions:\n", f);
        for (const CmdOption *o = c->options; o->name; o++) {
            char sp[64];
            opt_spelling(sp, sizeof sp, o);
            put_row(f, 20, sp, o->help);
        }
    }
    if (c->examples) {
        fputs("\nexamples:\n", f);
        for (const char *p = c->examples; *p;) {
            const char *tab = strchr(p, '\t'), *nl = strchr(p, '\n');
            if (!nl) nl = p + strlen(p);
            fprintf(f, "  %.*s\n      %.*s\n", (int)(tab - p), p, (int)(nl - tab - 1), tab + 1);
            p = *nl ? nl + 1 : nl;
        }
    }
}

/* ---- roff ----------------------------------------------------------------- */

/* Inline text: escapes what roff would interpret, `code` in bold.  The
 * minus signs are \- so options read (and copy) as ASCII. */
static void roff_inline(FILE *f, const char *s, size_t n) {
    bool code = false, line_start = true;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (line_start && (ch == '.' || ch == '\'')) fputs("\\&", f);
        line_start = ch == '\n';
        switch (ch) {
        case '\\': fputs("\\e", f); break;
        case '-': fputs("\\-", f); break;
        case '\'': fputs("\\(aq", f); break;
        case '`':
            fputs(code ? "\\fR" : "\\fB", f);
            code = !code;
            break;
        default: fputc(ch, f);
        }
    }
    if (code) fputs("\\fR", f);
}

static void roff_text(FILE *f, const char *s) { roff_inline(f, s, strlen(s)); }

/* Paragraphs separated by blank lines; lines indented by two spaces are
 * kept as they are (no filling). */
static void roff_paragraphs(FILE *f, const char *s) {
    bool verbatim = false;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        if (n == 0) {
            if (verbatim) fputs(".fi\n.RE\n", f);
            verbatim = false;
            fputs(".PP\n", f);
        } else {
            bool lit = n > 2 && s[0] == ' ' && s[1] == ' ';
            if (lit && !verbatim) fputs(".RS\n.nf\n", f);
            if (!lit && verbatim) fputs(".fi\n.RE\n", f);
            verbatim = lit;
            roff_inline(f, lit ? s + 2 : s, lit ? n - 2 : n);
            fputc('\n', f);
        }
        s += n + (nl ? 1 : 0);
    }
    if (verbatim) fputs(".fi\n.RE\n", f);
}

static void roff_options(FILE *f, const CmdOption *opts) {
    for (const CmdOption *o = opts; o && o->name; o++) {
        fputs(".TP\n\\fB", f);
        roff_text(f, o->name);
        fputs("\\fR", f);
        if (o->arg) {
            fputs(o->joined ? "=\\fI" : " \\fI", f);
            roff_text(f, o->arg);
            fputs("\\fR", f);
        }
        fputc('\n', f);
        roff_text(f, o->help);
        fputc('\n', f);
    }
}

static void roff_examples(FILE *f, const char *ex) {
    for (const char *p = ex; p && *p;) {
        const char *tab = strchr(p, '\t'), *nl = strchr(p, '\n');
        if (!nl) nl = p + strlen(p);
        fputs(".TP\n\\fB", f);
        roff_inline(f, p, (size_t)(tab - p));
        fputs("\\fR\n", f);
        roff_inline(f, tab + 1, (size_t)(nl - tab - 1));
        fputc('\n', f);
        p = *nl ? nl + 1 : nl;
    }
}

static void roff_synopsis(FILE *f, const Command *c) {
    fprintf(f, ".B snow %s\n", c->name);
    roff_text(f, c->usage);
    fputc('\n', f);
}

static void roff_exit_env(FILE *f) {
    fputs(".SH EXIT STATUS\n", f);
    for (const ExitStatus *e = commands_exit; e->code; e++) {
        fprintf(f, ".TP\n.B %s\n", e->code);
        roff_text(f, e->help);
        fputc('\n', f);
    }
    fputs(".SH ENVIRONMENT\n", f);
    for (const EnvVar *e = commands_env; e->name; e++) {
        fprintf(f, ".TP\n.B %s\n", e->name);
        roff_text(f, e->help);
        fputc('\n', f);
    }
}

static void roff_header(FILE *f, const char *title) {
    fprintf(f,
            ".\\\" Generated by `snow help --man` from snow's command table (cmd/commands.c).\n"
            ".TH %s 1 \"\" \"snow %s\" \"Snow Manual\"\n"
            ".nh\n.ad l\n",
            title, SNOW_VERSION);
}

void help_man(FILE *f, const Command *c) {
    if (c) {
        char title[64];
        snprintf(title, sizeof title, "SNOW-%s", c->name);
        for (char *p = title; *p; p++)
            if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
        roff_header(f, title);
        fprintf(f, ".SH NAME\nsnow\\-%s \\- ", c->name);
        roff_text(f, c->summary);
        fputs("\n.SH SYNOPSIS\n", f);
        roff_synopsis(f, c);
        fputs(".SH DESCRIPTION\n", f);
        roff_paragraphs(f, c->description);
        if (c->options && c->options->name) {
            fputs(".SH OPTIONS\n", f);
            roff_options(f, c->options);
        }
        if (c->examples) {
            fputs(".SH EXAMPLES\n", f);
            roff_examples(f, c->examples);
        }
        roff_exit_env(f);
        fputs(".SH SEE ALSO\n.BR snow (1)\n", f);
        return;
    }
    roff_header(f, "SNOW");
    fputs(".SH NAME\nsnow \\- ", f);
    roff_text(f, commands_tagline);
    fputs("\n.SH SYNOPSIS\n", f);
    for (const Command *k = commands_all; k->name; k++) {
        if (k != commands_all) fputs(".br\n", f);
        roff_synopsis(f, k);
    }
    fputs(".br\n.B snow \\-\\-version\n.SH DESCRIPTION\n", f);
    roff_paragraphs(f, commands_about);
    fputs(".SH COMMANDS\n", f);
    for (const Command *k = commands_all; k->name; k++) {
        fprintf(f, ".SS \"snow %s\"\n", k->name);
        roff_text(f, k->summary);
        fputs("\n.PP\n", f);
        roff_paragraphs(f, k->description);
        if (k->options && k->options->name) {
            fputs(".PP\nOptions:\n", f);
            roff_options(f, k->options);
        }
        if (k->examples) {
            fputs(".PP\nExamples:\n", f);
            roff_examples(f, k->examples);
        }
    }
    roff_exit_env(f);
    fputs(".SH FILES\n.TP\n.I ~/.snow_history\nthe input history of snow repl\n.SH SEE ALSO\n", f);
    for (const Command *k = commands_all; k->name; k++)
        fprintf(f, ".BR snow\\-%s (1)%s\n", k->name, k[1].name ? "," : "");
}

/* ---- the command ---------------------------------------------------------- */

int cmd_help(int argc, char **argv) {
    bool man = false;
    const char *shell = NULL, *name = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--man") == 0) man = true;
        else if (strcmp(argv[i], "--completion") == 0) {
            if (i + 1 >= argc) {
                fputs("snow help: --completion needs a shell: bash or zsh\n", stderr);
                return 2;
            }
            shell = argv[++i];
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "snow help: unknown option '%s'\nrun `snow help help` for the options\n", argv[i]);
            return 2;
        } else if (!name) name = argv[i];
        else {
            fputs("snow help: one COMMAND at a time\n", stderr);
            return 2;
        }
    }
    if (shell) {
        if (man || name) {
            fputs("snow help: --completion takes no COMMAND and no --man\n", stderr);
            return 2;
        }
        if (!completion_script(stdout, shell)) {
            fprintf(stderr, "snow help: no completion for '%s' (bash or zsh)\n", shell);
            return 2;
        }
        return 0;
    }
    const Command *c = NULL;
    if (name && !(c = commands_find(name))) {
        fprintf(stderr, "snow help: unknown command '%s'\n", name);
        return 2;
    }
    if (man) help_man(stdout, c);
    else if (c) help_command(stdout, c);
    else help_overview(stdout);
    return 0;
}
