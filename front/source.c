/* source.c — source file table and line index (see source.h). */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sb.h"
#include "xalloc.h"

static SourceFile *files;
static uint32_t nfiles, capfiles;
static _Atomic uint32_t generation; /* changes whenever the table does (linecol cache) */

uint32_t src_add(const char *path, const char *text, size_t len) {
    if (nfiles == capfiles) {
        capfiles = capfiles ? capfiles * 2 : 16;
        files = xrealloc(files, capfiles * sizeof *files);
    }
    SourceFile *f = &files[nfiles];
    generation++;
    f->path = xstrdup(path);
    f->text = xmalloc(len + 1);
    if (len) memcpy(f->text, text, len);
    f->text[len] = 0;
    f->len = len;
    uint32_t cap = 64, n = 0;
    f->lines = xrealloc(NULL, cap * sizeof *f->lines);
    f->lines[n++] = 0;
    for (size_t i = 0; i < len; i++) {
        int nl = 0;
        if (text[i] == '\n') nl = 1;
        else if (text[i] == '\r') { nl = 1; if (i + 1 < len && text[i + 1] == '\n') i++; }
        if (nl) {
            if (n == cap) { cap *= 2; f->lines = xrealloc(f->lines, cap * sizeof *f->lines); }
            f->lines[n++] = (uint32_t)(i + 1);
        }
    }
    f->nlines = n;
    return nfiles++;
}

char *src_read_file(const char *path, size_t *len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return NULL;
    SB b;
    sb_init(&b);
    bool ok = sb_read_fd(&b, fd);
    int err = errno;
    close(fd);
    if (!ok) {
        sb_free(&b);
        errno = err;
        return NULL;
    }
    if (len) *len = b.len;
    return sb_detach(&b);
}

char *src_read(const char *path, size_t *len, const char **why) {
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; it is then
     * refused like every other file that is not a regular one (a device
     * such as /dev/zero would be read without end). */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        *why = strerror(errno);
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        *why = strerror(errno);
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        *why = S_ISDIR(st.st_mode) ? "it is a directory" : "not a regular file";
        close(fd);
        return NULL;
    }
    static const char *too_big = "larger than 64 MiB, the limit for a source file";
    if ((uint64_t)st.st_size > SRC_MAX_BYTES) {
        *why = too_big;
        close(fd);
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0; /* +1: notice a file that grew */
    char *buf = xrealloc(NULL, cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap > SRC_MAX_BYTES) {
                free(buf);
                close(fd);
                *why = too_big;
                return NULL;
            }
            cap = cap * 2 > SRC_MAX_BYTES + 1 ? SRC_MAX_BYTES + 1 : cap * 2;
            buf = xrealloc(buf, cap + 1);
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (r < 0) {
            *why = strerror(errno);
            free(buf);
            close(fd);
            return NULL;
        }
        if (r == 0) break;
        n += (size_t)r;
    }
    close(fd);
    if (n > SRC_MAX_BYTES) {
        free(buf);
        *why = too_big;
        return NULL;
    }
    buf[n] = 0;
    *len = n;
    return buf;
}

int src_load(const char *path, const char **why) {
    size_t len;
    char *buf = src_read(path, &len, why);
    if (!buf) return -1;
    uint32_t id = src_add(path, buf, len);
    free(buf);
    return (int)id;
}

SourceFile *src_get(uint32_t id) { return id < nfiles ? &files[id] : NULL; }
uint32_t src_count(void) { return nfiles; }

void src_linecol(uint32_t file, uint32_t off, uint32_t *line, uint32_t *col) {
    SourceFile *f = src_get(file);
    if (!f) { *line = *col = 1; return; }
    if (off > f->len) off = (uint32_t)f->len;
    uint32_t lo = 0, hi = f->nlines - 1;
    while (lo < hi) { /* last line start <= off */
        uint32_t mid = (lo + hi + 1) / 2;
        if (f->lines[mid] <= off) lo = mid; else hi = mid - 1;
    }
    *line = lo + 1;
    /* columns count code points from the line start; continue from the
     * last answer when it is earlier on the same line, so walking a long
     * line (a million-element literal) stays linear */
    static _Thread_local struct { uint32_t gen, file, line, off, col; } last;
    uint32_t i = f->lines[lo], c = 1, gen = generation;
    if (last.gen == gen && last.file == file + 1 && last.line == lo && last.off <= off && last.off >= i) {
        i = last.off;
        c = last.col;
    }
    for (; i < off; i++)
        if (((unsigned char)f->text[i] & 0xC0) != 0x80) c++;
    *col = c;
    last.gen = gen;
    last.file = file + 1;
    last.line = lo;
    last.off = off;
    last.col = c;
}

void src_line(uint32_t file, uint32_t line, const char **start, size_t *len) {
    SourceFile *f = src_get(file);
    if (!f || line == 0 || line > f->nlines) { *start = ""; *len = 0; return; }
    uint32_t s = f->lines[line - 1];
    /* from the index, not by scanning: a huge one-line file stays cheap */
    uint32_t e = line < f->nlines ? f->lines[line] : (uint32_t)f->len;
    if (e > s && f->text[e - 1] == '\n') e--;
    if (e > s && f->text[e - 1] == '\r') e--;
    *start = f->text + s;
    *len = e - s;
}

void src_free_all(void) {
    generation++;
    for (uint32_t i = 0; i < nfiles; i++) {
        free(files[i].path);
        free(files[i].text);
        free(files[i].lines);
    }
    free(files);
    files = NULL;
    nfiles = capfiles = 0;
}
