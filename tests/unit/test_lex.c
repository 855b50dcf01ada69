/* test_lex.c — lexer unit tests: token kinds, values and positions for every
 * literal form, escapes, interpolation nesting, comments and errors. */
#include <string.h>

#include "diag.h"
#include "harness.h"
#include "lex.h"
#include "source.h"

static TokenList toks;

static void lex(const char *text) {
    static FILE *devnull;
    if (!devnull) {
        devnull = fopen("/dev/null", "w");
        diag_set_output(devnull);
    }
    diag_reset();
    lex_free(&toks);
    uint32_t id = src_add("t.snow", text, strlen(text));
    toks = lex_file(id);
}

/* kinds without the NEWLINE/EOF tail */
static int nkinds(void) {
    int n = (int)toks.n;
    while (n > 0 && (toks.toks[n - 1].kind == TK_EOF || toks.toks[n - 1].kind == TK_NEWLINE)) n--;
    return n;
}

TEST(integers) {
    lex("0xFF 0b1010 0o17 1_000_000 9223372036854775807");
    CHECK_EQ_INT(nkinds(), 5);
    CHECK_EQ_INT(toks.toks[0].i, 255);
    CHECK_EQ_INT(toks.toks[1].i, 10);
    CHECK_EQ_INT(toks.toks[2].i, 15);
    CHECK_EQ_INT(toks.toks[3].i, 1000000);
    CHECK_EQ_INT(toks.toks[4].i, 9223372036854775807LL);
    CHECK_EQ_INT(diag_error_count(), 0);
}

TEST(integer_overflow) {
    lex("9223372036854775808");
    CHECK(toks.toks[0].int_min); /* valid only after unary minus */
    lex("9223372036854775809");
    CHECK_EQ_INT(toks.toks[0].kind, TK_ERROR);
    CHECK_EQ_INT(diag_error_count(), 1);
    lex("0x10000000000000000");
    CHECK_EQ_INT(toks.toks[0].kind, TK_ERROR);
}

TEST(floats_and_ranges) {
    lex("3.14 1e10 2.5E-3 1..5 42.to_string");
    CHECK_EQ_INT(toks.toks[0].kind, TK_FLOAT);
    CHECK(toks.toks[0].f == 3.14);
    CHECK(toks.toks[1].f == 1e10);
    CHECK(toks.toks[2].f == 2.5e-3);
    CHECK_EQ_INT(toks.toks[3].kind, TK_INT); /* 1..5 is INT DOTDOT INT */
    CHECK_EQ_INT(toks.toks[4].kind, TK_DOTDOT);
    CHECK_EQ_INT(toks.toks[5].kind, TK_INT);
    CHECK_EQ_INT(toks.toks[6].kind, TK_INT); /* 42 . to_string */
    CHECK_EQ_INT(toks.toks[7].kind, TK_DOT);
    CHECK_EQ_INT(toks.toks[8].kind, TK_IDENT);
}

TEST(escapes) {
    lex("\"a\\nb\\t\\\\\\\"\\$\\{\\u{41}\\0\"");
    CHECK_EQ_INT(toks.toks[0].kind, TK_STRING);
    CHECK_EQ_INT(toks.toks[0].str.n, 10);
    CHECK(memcmp(toks.toks[0].str.s, "a\nb\t\\\"${A\0", 10) == 0);
    lex("\"bad \\q\"");
    CHECK_EQ_INT(diag_error_count(), 1);
    lex("\"\\u{D800}\"");
    CHECK_EQ_INT(diag_error_count(), 1);
}

TEST(interpolation_nesting) {
    lex("\"a${x}b${\"c${y}\"}d\"");
    TokKind want[] = {TK_ISTR_START, TK_IDENT, TK_ISTR_MID, TK_ISTR_START, TK_IDENT, TK_ISTR_END, TK_ISTR_END};
    CHECK_EQ_INT(nkinds(), 7);
    for (int i = 0; i < 7; i++) CHECK_EQ_INT(toks.toks[i].kind, want[i]);
    CHECK_EQ_INT(toks.toks[6].str.n, 1); /* "d" */
    lex("\"${%{1 => 2}}\"");
    CHECK_EQ_INT(diag_error_count(), 0);
    CHECK_EQ_INT(toks.toks[0].kind, TK_ISTR_START);
    CHECK_EQ_INT(toks.toks[1].kind, TK_PERCENT);
    CHECK_EQ_INT(toks.toks[2].kind, TK_LBRACE);
}

TEST(triple_quoted) {
    lex("\"\"\"line \"one\"\nline ${2}\"\"\"");
    CHECK_EQ_INT(toks.toks[0].kind, TK_ISTR_START);
    CHECK_EQ_INT(toks.toks[0].str.n, 16); /* line "one"\nline  */
}

TEST(comments) {
    lex("a #= x #= y =# z =# b # c\n## d\n##! e\nf");
    int ids = 0;
    for (uint32_t i = 0; i < toks.n; i++) ids += toks.toks[i].kind == TK_IDENT;
    CHECK_EQ_INT(ids, 3);
    lex("#= never closed");
    CHECK_EQ_INT(diag_error_count(), 1);
}

TEST(keywords_and_operators) {
    lex("receive after |> <> ++ :: => -> .. != <= >= && || !");
    TokKind want[] = {TK_RECEIVE, TK_AFTER, TK_PIPE, TK_DIAMOND, TK_PLUSPLUS, TK_COLONCOLON, TK_FATARROW,
                      TK_ARROW, TK_DOTDOT, TK_NEQ, TK_LE, TK_GE, TK_ANDAND, TK_OROR, TK_BANG};
    CHECK_EQ_INT(nkinds(), 15);
    for (int i = 0; i < 15; i++) CHECK_EQ_INT(toks.toks[i].kind, want[i]);
    lex("from deriving as Fun");
    for (int i = 0; i < 4; i++) CHECK_EQ_INT(toks.toks[i].kind, TK_IDENT); /* contextual */
}

TEST(keyword_boundaries) {
    /* every first/last keyword of the table, and prefixes/extensions of keywords */
    lex("actor with supervisor do an andx within Do x a wither");
    TokKind want[] = {TK_ACTOR, TK_WITH, TK_SUPERVISOR, TK_DO, TK_IDENT, TK_IDENT,
                      TK_IDENT, TK_IDENT, TK_IDENT, TK_IDENT, TK_IDENT};
    CHECK_EQ_INT(nkinds(), 11);
    for (int i = 0; i < 11; i++) CHECK_EQ_INT(toks.toks[i].kind, want[i]);
}

TEST(newlines_and_positions) {
    lex("a\n\n\nb\r\nc");
    CHECK_EQ_INT(toks.toks[0].kind, TK_IDENT);
    CHECK_EQ_INT(toks.toks[1].kind, TK_NEWLINE); /* collapsed */
    CHECK_EQ_INT(toks.toks[2].kind, TK_IDENT);
    CHECK(toks.toks[2].nl_before);
    uint32_t line, col;
    src_linecol(toks.toks[4].span.file, toks.toks[4].span.off, &line, &col);
    CHECK_EQ_INT(line, 5);
    CHECK_EQ_INT(col, 1);
    lex("x = \"héllo\" y");
    src_linecol(toks.toks[3].span.file, toks.toks[3].span.off, &line, &col);
    CHECK_EQ_INT(col, 13); /* columns count code points */
}

TEST(errors) {
    lex("a @ b & c");
    CHECK_EQ_INT(diag_error_count(), 2);
    lex("\"unterminated");
    CHECK_EQ_INT(diag_error_count(), 1);
    CHECK_EQ_INT(toks.toks[0].kind, TK_ERROR);
}

int main(void) {
    RUN(integers);
    RUN(integer_overflow);
    RUN(floats_and_ranges);
    RUN(escapes);
    RUN(interpolation_nesting);
    RUN(triple_quoted);
    RUN(comments);
    RUN(keywords_and_operators);
    RUN(keyword_boundaries);
    RUN(newlines_and_positions);
    RUN(errors);
    lex_free(&toks);
    return harness_report();
}
