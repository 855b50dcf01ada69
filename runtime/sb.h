/* sb.h — the growable byte-string builder: the only one in the code base
 * (printing, JSON, interpolation, diagnostics, type names, the REPL).
 *
 * The first 240 bytes live inside the SB itself (usually on the C stack), so
 * short texts never touch malloc; longer ones grow a malloc'd buffer
 * geometrically.  sb_finish copies the bytes into one exact-size heap string
 * and releases the buffer.  An SB must not be copied by value (p may point
 * at its own `small`).  If a panic unwinds past an SB that grew beyond
 * `small`, its malloc'd buffer leaks (bounded by the text being built). */
#ifndef SNOW_SB_H
#define SNOW_SB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "value.h"

typedef struct SB {
    char *p;     /* bytes (small or malloc'd) */
    size_t len;  /* bytes used */
    size_t cap;  /* bytes available */
    char small[240];
} SB;

void sb_init(SB *b);
void sb_free(SB *b);
void sb_grow_(SB *b, size_t need); /* slow path */

static inline void sb_put(SB *b, const char *s, size_t n) {
    if (b->len + n > b->cap) sb_grow_(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}
static inline void sb_putc(SB *b, char c) {
    if (b->len + 1 > b->cap) sb_grow_(b, 1);
    b->p[b->len++] = c;
}
static inline void sb_puts(SB *b, const char *s) { sb_put(b, s, strlen(s)); }
/* Reserve n bytes at the end and return a pointer to them (len grows by n). */
static inline char *sb_extend(SB *b, size_t n) {
    if (b->len + n > b->cap) sb_grow_(b, n);
    char *r = b->p + b->len;
    b->len += n;
    return r;
}

void sb_printf(SB *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_put_int(SB *b, int64_t i);
void sb_put_str(SB *b, Value s); /* the bytes of a T_STR */
/* Append everything readable from fd up to end of file (EINTR is retried).
 * False on a read error, with errno set; what was read stays in b. */
bool sb_read_fd(SB *b, int fd);
/* NUL-terminate (not counted in len) and return the bytes. */
const char *sb_cstr(SB *b);
/* The text as a heap string; releases the buffer (b is reset to empty). */
Value sb_finish(SB *b);
/* The text as a malloc'd NUL-terminated C string for the caller to free;
 * b is reset to empty. */
char *sb_detach(SB *b);

#endif
