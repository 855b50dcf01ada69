/* str.h — immutable UTF-8 strings (T_STR): creation, access, comparison,
 * hashing and concatenation with the append-in-place trick.
 *
 * Layout: a StrObj either holds its bytes inline (buf == NULL) or is a view
 * of a growable StrBuf (bytes at buf->bytes + off).  A string never changes
 * after creation.  The append-in-place trick: when a string's bytes end
 * exactly at buf->used and the buffer has spare capacity, `s <> t` writes t
 * into the never-observed bytes after `used` and returns a new StrObj that
 * shares the buffer; `s` still sees only its own `len` bytes.  So the loop
 * `acc = acc <> piece` is amortised O(total length).
 *
 * Invariants:
 *  - len < 4 GiB; inline strings are NUL-terminated (buffer views may not be:
 *    use str_cstr for C APIs).
 *  - STR_ASCII set => every byte < 0x80 and cplen == len.  Set at creation
 *    for every string (one pass over the bytes we copy anyway), so
 *    str_cplen is O(1) for ASCII strings.
 *  - hash == 0 means "not computed yet"; computed hashes are never 0.
 *  - Static strings (GC_STATIC) have hash and cplen precomputed (they are
 *    shared between threads, so they must never be written).
 */
#ifndef SNOW_STR_H
#define SNOW_STR_H

#include <stddef.h>
#include <stdint.h>
#include "value.h"

/* xflags of StrObj */
enum { STR_ASCII = 1, STR_CPLEN = 2, STR_GROWN = 4 /* produced by concatenation */ };

typedef struct StrBuf {
    Obj h;          /* OK_STRBUF */
    uint32_t cap;   /* bytes available in bytes[] */
    uint32_t used;  /* bytes written so far; bytes beyond are never observed */
    char bytes[];
} StrBuf;

typedef struct StrObj {
    Obj h;          /* OK_STR; xflags = STR_* */
    uint32_t len;   /* bytes */
    uint32_t cplen; /* code points; valid if STR_ASCII or STR_CPLEN */
    StrBuf *buf;    /* NULL: bytes inline below */
    uint32_t off;   /* offset into buf->bytes */
    uint32_t hash;  /* cached hash, 0 = not yet computed */
    char bytes[];   /* inline bytes (+ NUL) when buf == NULL */
} StrObj;

#define AS_STR(v) ((StrObj *)(v).o)

static inline const char *str_data(Value v) {
    const StrObj *s = AS_STR(v);
    return s->buf ? s->buf->bytes + s->off : s->bytes;
}
static inline size_t str_len(Value v) { return AS_STR(v)->len; }
static inline bool str_is_ascii(Value v) { return (AS_STR(v)->h.xflags & STR_ASCII) != 0; }

/* Heap strings (current heap).  Bytes are copied. */
Value str_new(const char *p, size_t n);
Value str_from_cstr(const char *s);
/* Static (immortal, shared) strings for literals built at load time. */
Value str_static(const char *p, size_t n);
Value str_empty(void); /* the static "" */

/* Allocate an uninitialised heap string of n bytes; the caller fills
 * *data (exactly n bytes) and then calls str_seal to compute the flags. */
Value str_alloc(size_t n, char **data);
void str_seal(Value s);

/* Code points (O(1) for ASCII; computed once and cached otherwise). */
size_t str_cplen(Value v);

/* Comparison: byte-wise lexicographic, a proper prefix is smaller. */
int str_cmp(Value a, Value b);
bool str_eq(Value a, Value b);
static inline bool str_eq_cstr(Value a, const char *s);
/* 32-bit hash, cached in the object (never 0). */
uint32_t str_hash(Value v);
uint64_t hash_bytes(const void *p, size_t n);

/* a <> b.  Amortised O(len(b)) when `a` ends at its buffer's used end. */
Value str_concat(Value a, Value b);
/* a <> bytes[0..n): same trick; for interpolation that extends its first
 * piece (see docs/memory.md). */
Value str_append_raw(Value a, const char *p, size_t n);

/* A NUL-terminated pointer to the bytes (valid while v is alive); copies
 * into a fresh heap string when v is a buffer view that is not followed by
 * a NUL. */
const char *str_cstr(Value v);

static inline bool str_eq_cstr(Value a, const char *s) {
    size_t n = 0;
    while (s[n]) n++;
    if (str_len(a) != n) return false;
    const char *d = str_data(a);
    for (size_t i = 0; i < n; i++)
        if (d[i] != s[i]) return false;
    return true;
}

#endif
