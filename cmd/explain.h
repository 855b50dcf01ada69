/* explain.h — `snow explain CODE`: a longer explanation of every diagnostic
 * code (language.md §7.2, and the warnings this implementation adds), each
 * with a program that shows the mistake and the same program fixed.
 *
 * Invariant (checked by tests/scripts/explain.sh): every example is
 * reported with its code (or with `reported_as` for the codes this
 * implementation reports under another one), and every fixed program
 * checks without that code. */
#ifndef SNOW_EXPLAIN_H
#define SNOW_EXPLAIN_H

typedef struct Explanation {
    const char *code;        /* "E0004" */
    const char *title;       /* one line */
    const char *text;        /* paragraphs separated by "\n\n"; wrapped when printed */
    const char *example;     /* a program showing the mistake; "# file: NAME.snow" lines
                                separate the files of a project (the first file is the entry) */
    const char *fixed;       /* the same program, corrected (same file convention) */
    const char *reported_as; /* NULL, or the code this implementation reports instead */
} Explanation;

/* The explanation of `code` ("E0004", "e0004", "4" for E0004), or NULL. */
const Explanation *explain_find(const char *code);

/* The whole table, in code order, terminated by an entry with code NULL. */
extern const Explanation explain_table[];

/* The `snow explain` command: no argument lists the codes; with CODE prints
 * its explanation.  Exit status 0, or 2 for an unknown code. */
int cmd_explain(int argc, char **argv);

#endif
