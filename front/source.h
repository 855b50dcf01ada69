/* source.h — the table of loaded source files and the Span that locates
 * every token and AST node: (file, byte offset, byte length).  Lines and
 * columns are computed on demand from a per-file line index. */
#ifndef SNOW_SOURCE_H
#define SNOW_SOURCE_H

#include <stddef.h>
#include <stdint.h>

typedef struct Span {
    uint32_t file; /* index into the source table */
    uint32_t off;  /* byte offset */
    uint32_t len;  /* byte length (0 for an end-of-input position) */
} Span;

typedef struct SourceFile {
    char *path;        /* as given / relative to the project */
    char *text;        /* NUL-terminated contents */
    size_t len;
    uint32_t *lines;   /* byte offset of each line start */
    uint32_t nlines;
} SourceFile;

/* Register a file from memory (the text is copied). Returns its id. */
uint32_t src_add(const char *path, const char *text, size_t len);
/* A source file is at most this large (spans are 32-bit offsets; anything
 * bigger is not a program someone wrote). */
#define SRC_MAX_BYTES ((size_t)64 << 20)
/* Read a source file: a regular file of at most SRC_MAX_BYTES.  Returns the
 * malloc'd NUL-terminated text (length in *len), or NULL with *why saying
 * why not ("not a regular file", "larger than 64 MiB ...", strerror). */
char *src_read(const char *path, size_t *len, const char **why);
/* Read (src_read) and register a file; returns -1 with *why on failure. */
int src_load(const char *path, const char **why);
/* The whole file as a malloc'd NUL-terminated buffer (*len bytes before the
 * NUL; len may be NULL); NULL with errno set on failure.  No checks: for
 * files that are not sources (debugger scripts). */
char *src_read_file(const char *path, size_t *len);
SourceFile *src_get(uint32_t id);
uint32_t src_count(void);
/* 1-based line and column (column counts code points) of a byte offset. */
void src_linecol(uint32_t file, uint32_t off, uint32_t *line, uint32_t *col);
/* Start offset and length (without newline) of 1-based line `line`. */
void src_line(uint32_t file, uint32_t line, const char **start, size_t *len);
void src_free_all(void);

static inline Span span_join(Span a, Span b) {
    if (a.file != b.file) return a;
    uint32_t end = b.off + b.len > a.off + a.len ? b.off + b.len : a.off + a.len;
    Span s = {a.file, a.off < b.off ? a.off : b.off, 0};
    s.len = end - s.off;
    return s;
}

#endif
