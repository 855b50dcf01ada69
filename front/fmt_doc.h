/* fmt_doc.h — the document algebra of the formatter (Wadler's "prettier
 * printer" as refined by Lindig and by the JavaScript tool Prettier) and its
 * renderer.  Language-neutral: front/fmt_snow builds documents for Snow.
 *
 * A document is a tree of:
 *   text        literal bytes (may contain '\n' only for verbatim multi-line
 *               strings and block comments; such text is never re-indented)
 *   line        a space when its group is flat, a newline when broken
 *   softline    nothing when flat, a newline when broken
 *   hardline    always a newline; forces every enclosing group to break
 *   blankline   "make sure one empty line separates what is around me"
 *   nest        its content's line breaks indent one more level (dedent: one less)
 *   group       printed flat when it fits in the rest of the line, else broken
 *   choice      the first of several layouts whose first line fits (the last
 *               one otherwise) — "conditional group", used to hug the last
 *               argument of a call; forced breaks inside do not escape it
 *   fill        contents separated by lines, packed: a line breaks only
 *               before a content that would not fit
 *   line_suffix text deferred to the end of the current line, after a space (end-of-line
 *               comments: code is never printed after a `#` comment)
 *   break_parent forces the enclosing groups to break
 *   comment_line an own-line comment: starts a new line if the current one
 *               has text, prints the comment, ends the line
 *   mark        records where in the output it was reached (for a pass over
 *               the rendered text, e.g. blank lines around multi-line items)
 *
 * Invariants: the renderer never emits trailing spaces, never more than one
 * empty line in a row, no empty line at the start; indentation is applied
 * lazily when a line gets its first text.  Documents live in a DocArena and
 * are freed all at once; text is not copied (it must outlive rendering). */
#ifndef SNOW_FMT_DOC_H
#define SNOW_FMT_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Doc Doc;
typedef struct DocArena DocArena;

DocArena *doc_arena_new(void);
void doc_arena_free(DocArena *a);

Doc *doc_text(DocArena *a, const char *s, uint32_t len);
Doc *doc_str(DocArena *a, const char *s); /* NUL-terminated, not copied */
Doc *doc_line(DocArena *a);
Doc *doc_softline(DocArena *a);
Doc *doc_hardline(DocArena *a);
Doc *doc_blankline(DocArena *a);
Doc *doc_break_parent(DocArena *a);
/* NULL elements are skipped; the array is copied. */
Doc *doc_concat(DocArena *a, Doc *const *v, uint32_t n);
#define DOC_CAT(a, ...) doc_concat((a), (Doc *const[]){__VA_ARGS__}, \
                                   (uint32_t)(sizeof((Doc *const[]){__VA_ARGS__}) / sizeof(Doc *)))
Doc *doc_nest(DocArena *a, Doc *d);                 /* one indentation level deeper */
Doc *doc_dedent(DocArena *a, Doc *d);               /* one level shallower (clauses like `terminate`) */
Doc *doc_group(DocArena *a, Doc *d, bool force_break);
Doc *doc_choice(DocArena *a, Doc *const *states, uint32_t n);
/* Contents and separators alternating (c0, s0, c1, s1, ..., ck): as many
 * contents per line as fit, a separator breaks only before a content that
 * does not fit (lists of numbers and short strings). */
Doc *doc_fill(DocArena *a, Doc *const *parts, uint32_t n);
/* ends_line: d is a `#` comment, after which nothing may follow on the line
 * (a second suffix then starts a new line). */
Doc *doc_line_suffix(DocArena *a, Doc *d, bool ends_line);
Doc *doc_comment_line(DocArena *a, const char *s, uint32_t len, bool blank_before);
/* Records in *slot the output offset where rendering reaches it (it prints
 * nothing; *slot is left alone when the mark is never reached). */
Doc *doc_mark(DocArena *a, size_t *slot);
/* Memory that lives as long as the arena. */
void *doc_alloc(DocArena *a, size_t n);

/* A growable sequence, finished into one concat. */
typedef struct DocVec {
    Doc **v;
    uint32_t n, cap;
} DocVec;
void doc_vec_push(DocVec *dv, Doc *d);
Doc *doc_vec_finish(DocArena *a, DocVec *dv); /* frees the vector */

/* Does d contain a forced break (hardline, blankline, break_parent, own-line
 * comment) that is not shielded by a choice?  Such a group never goes flat. */
bool doc_is_hard(const Doc *d);

/* Render to a malloc'ed string (NUL-terminated; *len excludes the NUL).
 * width: the line width; indent: spaces per nesting level.  The result ends
 * with exactly one '\n' unless it is empty. */
char *doc_render(const Doc *d, int width, int indent, size_t *len);

#endif
