/* lib_string.c — the String module (stdlib.md §2): length/slice by code
 * points, substring tests, Unicode trim and case conversion, replace,
 * split, join, to_int and to_float.
 *
 * Strings are valid UTF-8 (every producer guarantees it), so code-point
 * stepping only looks at lead bytes.  Unicode properties and simple case
 * mappings come from utf8proc; the one-to-many mappings of
 * SpecialCasing.txt and the Cased code points outside Lu/Ll/Lt that
 * utf8proc lacks are generated into lib_string_case.inc
 * (scripts/gen-unicase).  Every function has an ASCII fast path and builds
 * its result with one exact-size allocation where the size is known. */
#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "lib_util.h"
#include "list.h"
#include "sb.h"
#include "stdlib_table.h"
#include "str.h"
#include "vals.h"
#include "xalloc.h"

typedef struct SpecialCase {
    uint32_t cp;
    uint32_t map[3]; /* 0-terminated when shorter */
} SpecialCase;

#include "lib_string_case.inc"

#define NEED_STR(v, fn, i) lib_need((v), T_STR, (fn), (i))

/* ---- UTF-8 stepping ------------------------------------------------------ */

static inline bool is_cont(unsigned char c) { return (c & 0xC0) == 0x80; }

/* Decode the code point at p (valid UTF-8, p < end); *len = its bytes. */
static inline int32_t decode(const char *p, const char *end, int *len) {
    unsigned char c = (unsigned char)*p;
    if (c < 0x80) {
        *len = 1;
        return c;
    }
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)p, end - p, &cp);
    if (n <= 0) { /* cannot happen for valid strings; step one byte */
        *len = 1;
        return 0xFFFD;
    }
    *len = (int)n;
    return cp;
}

/* The code point that ends just before p (start < p). */
static inline int32_t decode_before(const char *start, const char *p, const char **at) {
    const char *q = p - 1;
    while (q > start && is_cont((unsigned char)*q)) q--;
    int len;
    *at = q;
    return decode(q, p, &len);
}

static inline void put_cp(SB *b, int32_t cp) {
    if (cp < 0x80) {
        sb_putc(b, (char)cp);
        return;
    }
    char *d = sb_extend(b, 4);
    utf8proc_ssize_t n = utf8proc_encode_char(cp, (utf8proc_uint8_t *)d);
    b->len -= 4 - (size_t)n;
}

/* Number of code points (lead bytes) in the 8 bytes at p. */
static inline unsigned leads8(const char *p) {
    uint64_t w;
    memcpy(&w, p, 8);
    /* a continuation byte is 10xxxxxx: bit 7 set and bit 6 clear */
    uint64_t cont = w & ~(w << 1) & 0x8080808080808080ULL;
    return 8 - (unsigned)__builtin_popcountll(cont);
}

/* Byte offset of code point index `cp` (clamped to the end); skips eight
 * bytes at a time while the target is further away. */
static size_t byte_offset(const char *p, size_t len, size_t cp) {
    size_t i = 0;
    /* stepping whole words is safe while the word is not the one holding
     * the target lead byte (its lead count is <= cp); never stop inside a
     * character: skip continuation bytes after the last word below */
    while (i + 8 <= len) {
        unsigned k = leads8(p + i);
        if (k > cp) break;
        cp -= k;
        i += 8;
    }
    while (i < len && is_cont((unsigned char)p[i])) i++;
    while (i < len && cp > 0) {
        i++;
        while (i < len && is_cont((unsigned char)p[i])) i++;
        cp--;
    }
    return i;
}

/* Byte offset of code point index `cp` counted from the end: the start of
 * the cp-th code point before the end (cp <= code points of p). */
static size_t byte_offset_back(const char *p, size_t len, size_t cp) {
    size_t j = len;
    while (j >= 8 && cp >= 8) {
        unsigned k = leads8(p + j - 8);
        if (k > cp) break;
        cp -= k;
        j -= 8;
    }
    /* j may sit inside a character whose lead byte is before j: with
     * nothing left to count it is not part of the result (step forward to
     * the next lead); otherwise stepping back counts it */
    if (cp == 0) {
        while (j < len && is_cont((unsigned char)p[j])) j++;
        return j;
    }
    while (cp > 0 && j > 0) {
        j--;
        while (j > 0 && is_cont((unsigned char)p[j])) j--;
        cp--;
    }
    return j;
}

/* ---- length, slice, search ----------------------------------------------- */

static Value bi_string_length(Value *a, int n) {
    NEED_STR(a[0], "String.length", 1);
    return v_int((int64_t)str_cplen(a[0]));
}

static Value bi_string_slice(Value *a, int n) {
    NEED_STR(a[0], "String.slice", 1);
    lib_need(a[1], T_INT, "String.slice", 2);
    lib_need(a[2], T_INT, "String.slice", 3);
    Value s = a[0];
    int64_t cpl = (int64_t)str_cplen(s);
    int64_t from = a[1].i < 0 ? 0 : a[1].i > cpl ? cpl : a[1].i;
    int64_t to = a[2].i < 0 ? 0 : a[2].i > cpl ? cpl : a[2].i;
    if (to <= from) return str_empty();
    if (from == 0 && to == cpl) return s;
    const char *p = str_data(s);
    size_t len = str_len(s);
    if (str_is_ascii(s)) return str_new(p + from, (size_t)(to - from));
    /* walk from whichever end is nearer (the code-point length is cached) */
    size_t bfrom = from <= cpl - from ? byte_offset(p, len, (size_t)from) : byte_offset_back(p, len, (size_t)(cpl - from));
    size_t bto = to - from <= cpl - to ? bfrom + byte_offset(p + bfrom, len - bfrom, (size_t)(to - from))
                                       : byte_offset_back(p, len, (size_t)(cpl - to));
    return str_new(p + bfrom, bto - bfrom);
}

static Value bi_string_contains(Value *a, int n) {
    NEED_STR(a[0], "String.contains", 1);
    NEED_STR(a[1], "String.contains", 2);
    size_t hn = str_len(a[0]), nn = str_len(a[1]);
    if (nn == 0) return v_bool(true);
    if (nn > hn) return v_bool(false);
    return v_bool(memmem(str_data(a[0]), hn, str_data(a[1]), nn) != NULL);
}

static Value bi_string_starts_with(Value *a, int n) {
    NEED_STR(a[0], "String.starts_with", 1);
    NEED_STR(a[1], "String.starts_with", 2);
    size_t hn = str_len(a[0]), nn = str_len(a[1]);
    return v_bool(nn <= hn && memcmp(str_data(a[0]), str_data(a[1]), nn) == 0);
}

static Value bi_string_ends_with(Value *a, int n) {
    NEED_STR(a[0], "String.ends_with", 1);
    NEED_STR(a[1], "String.ends_with", 2);
    size_t hn = str_len(a[0]), nn = str_len(a[1]);
    return v_bool(nn <= hn && memcmp(str_data(a[0]) + hn - nn, str_data(a[1]), nn) == 0);
}

/* ---- trim ------------------------------------------------------------------ */

/* The Unicode White_Space property (stdlib.md §2 lists it in full). */
static inline bool is_white_space(int32_t c) {
    if (c <= 0x20) return c == 0x20 || (c >= 0x09 && c <= 0x0D);
    if (c < 0x85) return false;
    return c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
           c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

/* Byte range [*lo, *hi) of s without leading/trailing White_Space. */
static void trim_range(const char *p, size_t len, size_t *lo, size_t *hi) {
    size_t i = 0, j = len;
    while (i < j) {
        int l;
        int32_t c = decode(p + i, p + j, &l);
        if (!is_white_space(c)) break;
        i += (size_t)l;
    }
    while (j > i) {
        const char *at;
        int32_t c = decode_before(p + i, p + j, &at);
        if (!is_white_space(c)) break;
        j = (size_t)(at - p);
    }
    *lo = i;
    *hi = j;
}

static Value bi_string_trim(Value *a, int n) {
    NEED_STR(a[0], "String.trim", 1);
    const char *p = str_data(a[0]);
    size_t len = str_len(a[0]), lo, hi;
    trim_range(p, len, &lo, &hi);
    if (lo == 0 && hi == len) return a[0];
    return str_new(p + lo, hi - lo);
}

/* ---- case conversion --------------------------------------------------------- */

static const SpecialCase *special_find(const SpecialCase *t, size_t n, int32_t cp) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if ((uint32_t)cp < t[mid].cp) hi = mid;
        else if ((uint32_t)cp > t[mid].cp) lo = mid + 1;
        else return &t[mid];
    }
    return NULL;
}

/* Unicode Cased: Lu, Ll, Lt, Other_Lowercase, Other_Uppercase. */
static bool is_cased(int32_t c) {
    utf8proc_category_t cat = utf8proc_category(c);
    if (cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT) return true;
    size_t lo = 0, hi = sizeof cased_other / sizeof cased_other[0];
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if ((uint32_t)c < cased_other[mid][0]) hi = mid;
        else if ((uint32_t)c > cased_other[mid][1]) lo = mid + 1;
        else return true;
    }
    return false;
}

/* Unicode Case_Ignorable: Mn Me Cf Lm Sk, or Word_Break MidLetter,
 * MidNumLet or Single_Quote. */
static bool is_case_ignorable(int32_t c) {
    switch (utf8proc_category(c)) {
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_SK:
        return true;
    default: break;
    }
    switch (c) {
    case 0x27: case 0x2E: case 0x3A: case 0xB7: case 0x387: case 0x55F: case 0x5F4:
    case 0x2018: case 0x2019: case 0x2024: case 0x2027: case 0xFE13: case 0xFE52:
    case 0xFE55: case 0xFF07: case 0xFF0E: case 0xFF1A:
        return true;
    default: return false;
    }
}

/* Final_Sigma (Unicode §3.13, as Rust's str::to_lowercase applies it):
 * the capital sigma at [i, i+2) is preceded by a cased letter (skipping
 * case-ignorables) and not followed by one. */
static bool sigma_is_final(const char *p, size_t len, size_t i) {
    bool before = false;
    const char *q = p + i;
    while (q > p) {
        const char *at;
        int32_t c = decode_before(p, q, &at);
        q = at;
        if (is_case_ignorable(c)) continue;
        before = is_cased(c);
        break;
    }
    if (!before) return false;
    size_t j = i + 2;
    while (j < len) {
        int l;
        int32_t c = decode(p + j, p + len, &l);
        j += (size_t)l;
        if (is_case_ignorable(c)) continue;
        return !is_cased(c);
    }
    return true;
}

static Value ascii_case(Value s, bool upper) {
    size_t len = str_len(s);
    const char *p = str_data(s);
    size_t i = 0;
    if (upper) while (i < len && !(p[i] >= 'a' && p[i] <= 'z')) i++;
    else while (i < len && !(p[i] >= 'A' && p[i] <= 'Z')) i++;
    if (i == len) return s; /* nothing to change */
    char *d;
    Value r = str_alloc(len, &d);
    p = str_data(s);
    memcpy(d, p, i);
    for (; i < len; i++) {
        char c = p[i];
        if (upper ? (c >= 'a' && c <= 'z') : (c >= 'A' && c <= 'Z')) c ^= 0x20;
        d[i] = c;
    }
    str_seal(r);
    return r;
}

static Value convert_case(Value s, bool upper) {
    if (str_is_ascii(s)) return ascii_case(s, upper);
    const char *p = str_data(s);
    size_t len = str_len(s);
    SB b;
    sb_init(&b);
    for (size_t i = 0; i < len;) {
        unsigned char c0 = (unsigned char)p[i];
        if (c0 < 0x80) {
            if (upper ? (c0 >= 'a' && c0 <= 'z') : (c0 >= 'A' && c0 <= 'Z')) c0 ^= 0x20;
            sb_putc(&b, (char)c0);
            i++;
            continue;
        }
        int l;
        int32_t c = decode(p + i, p + len, &l);
        const SpecialCase *sc = NULL;
        if (upper) {
            if (c >= 0xDF) sc = special_find(special_upper, sizeof special_upper / sizeof special_upper[0], c);
        } else if (c == 0x3A3) {
            put_cp(&b, sigma_is_final(p, len, i) ? 0x3C2 : 0x3C3);
            i += (size_t)l;
            continue;
        } else {
            sc = special_find(special_lower, sizeof special_lower / sizeof special_lower[0], c);
        }
        if (sc) {
            for (int k = 0; k < 3 && sc->map[k]; k++) put_cp(&b, (int32_t)sc->map[k]);
        } else {
            put_cp(&b, upper ? utf8proc_toupper(c) : utf8proc_tolower(c));
        }
        i += (size_t)l;
    }
    if (b.len == len && memcmp(b.p, p, len) == 0) {
        sb_free(&b);
        return s;
    }
    return sb_finish(&b);
}

static Value bi_string_to_upper(Value *a, int n) {
    NEED_STR(a[0], "String.to_upper", 1);
    return convert_case(a[0], true);
}

static Value bi_string_to_lower(Value *a, int n) {
    NEED_STR(a[0], "String.to_lower", 1);
    return convert_case(a[0], false);
}

/* ---- replace, split, join -------------------------------------------------------- */

/* Next occurrence of the needle at or after p, or NULL. */
static inline const char *find(const char *p, const char *end, const char *nd, size_t nn) {
    if ((size_t)(end - p) < nn) return NULL;
    if (nn == 1) return memchr(p, nd[0], (size_t)(end - p));
    return memmem(p, (size_t)(end - p), nd, nn);
}

static Value bi_string_replace(Value *a, int n) {
    NEED_STR(a[0], "String.replace", 1);
    NEED_STR(a[1], "String.replace", 2);
    NEED_STR(a[2], "String.replace", 3);
    Value s = a[0], from = a[1], to = a[2];
    size_t len = str_len(s), fl = str_len(from), tl = str_len(to);
    char *d;
    if (fl == 0) {
        /* `to` before every code point and at the end */
        size_t cps = str_cplen(s);
        if (tl == 0) return s;
        Value r = str_alloc(len + tl * (cps + 1), &d);
        const char *p = str_data(s), *t = str_data(to);
        for (size_t i = 0; i < len;) {
            memcpy(d, t, tl);
            d += tl;
            size_t j = i + 1;
            while (j < len && is_cont((unsigned char)p[j])) j++;
            memcpy(d, p + i, j - i);
            d += j - i;
            i = j;
        }
        memcpy(d, t, tl);
        str_seal(r);
        return r;
    }
    const char *p = str_data(s), *end = p + len, *f = str_data(from);
    size_t count = 0;
    for (const char *q = find(p, end, f, fl); q; q = find(q + fl, end, f, fl)) count++;
    if (count == 0) return s;
    size_t rlen = len - count * fl + count * tl;
    Value r = str_alloc(rlen, &d);
    p = str_data(s); /* (strings never move; re-read for clarity) */
    end = p + len;
    const char *t = str_data(to);
    const char *q = p;
    for (const char *m = find(q, end, f, fl); m; m = find(q, end, f, fl)) {
        memcpy(d, q, (size_t)(m - q));
        d += m - q;
        memcpy(d, t, tl);
        d += tl;
        q = m + fl;
    }
    memcpy(d, q, (size_t)(end - q));
    str_seal(r);
    return r;
}

static Value bi_string_split(Value *a, int n) {
    NEED_STR(a[0], "String.split", 1);
    NEED_STR(a[1], "String.split", 2);
    Value s = a[0], delim = a[1];
    size_t len = str_len(s), dl = str_len(delim);
    const char *p = str_data(s), *end = p + len;
    ListBuilder lb;
    if (dl == 0) {
        /* "", each code point, "" */
        lb_init(&lb, str_cplen(s) + 2);
        lb_push(&lb, str_empty());
        for (size_t i = 0; i < len;) {
            size_t j = i + 1;
            while (j < len && is_cont((unsigned char)p[j])) j++;
            lb_push(&lb, str_new(p + i, j - i));
            i = j;
        }
        lb_push(&lb, str_empty());
        return lb_finish(&lb);
    }
    const char *d = str_data(delim);
    const char *m = find(p, end, d, dl);
    if (!m) {
        Value one = s;
        return list_from_array(&one, 1);
    }
    /* count first: one exact-size list buffer (a memchr/memmem pass is
     * cheap next to the allocations) */
    size_t pieces = 2;
    for (const char *c = find(m + dl, end, d, dl); c; c = find(c + dl, end, d, dl)) pieces++;
    lb_init(&lb, pieces);
    const char *q = p;
    for (; m; m = find(q, end, d, dl)) {
        lb_push(&lb, str_new(q, (size_t)(m - q)));
        q = m + dl;
    }
    lb_push(&lb, str_new(q, (size_t)(end - q)));
    return lb_finish(&lb);
}

static Value bi_string_join(Value *a, int n) {
    lib_need(a[0], T_LIST, "String.join", 1);
    NEED_STR(a[1], "String.join", 2);
    Value parts = a[0], sep = a[1];
    size_t cnt = list_len(parts);
    if (cnt == 0) return str_empty();
    const Value *it = list_items(parts);
    if (cnt == 1) {
        NEED_STR(it[0], "String.join", 1);
        return it[0];
    }
    size_t sl = str_len(sep), total = sl * (cnt - 1);
    for (size_t i = 0; i < cnt; i++) {
        NEED_STR(it[i], "String.join", 1);
        total += str_len(it[i]);
    }
    char *d;
    Value r = str_alloc(total, &d);
    const char *sp = str_data(sep);
    for (size_t i = 0; i < cnt; i++) {
        if (i) {
            memcpy(d, sp, sl);
            d += sl;
        }
        size_t l = str_len(it[i]);
        memcpy(d, str_data(it[i]), l);
        d += l;
    }
    str_seal(r);
    return r;
}

/* ---- number parsing -------------------------------------------------------------- */

/* String.to_int: trim, optional sign, one or more ASCII digits, in range. */
static Value bi_string_to_int(Value *a, int n) {
    NEED_STR(a[0], "String.to_int", 1);
    const char *p = str_data(a[0]);
    size_t lo, hi;
    trim_range(p, str_len(a[0]), &lo, &hi);
    size_t i = lo;
    bool neg = false;
    if (i < hi && (p[i] == '+' || p[i] == '-')) neg = p[i++] == '-';
    if (i == hi) return val_none();
    uint64_t acc = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < hi; i++) {
        unsigned d = (unsigned char)p[i] - '0';
        if (d > 9) return val_none();
        if (acc > (limit - d) / 10) return val_none();
        acc = acc * 10 + d;
    }
    return val_some(v_int(neg ? (int64_t)(0 - acc) : (int64_t)acc));
}

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void c_locale_init(void) { c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

static bool ieq_word(const char *p, size_t n, const char *w) {
    if (strlen(w) != n) return false;
    for (size_t i = 0; i < n; i++)
        if ((p[i] | 0x20) != w[i]) return false;
    return true;
}

/* Does p[0..n) match Rust's f64 grammar (after the sign):
 * digits [. digits] [exp] | . digits [exp], exp = (e|E) [+|-] digits? */
static bool float_syntax(const char *p, size_t n) {
    size_t i = 0, intd = 0, fracd = 0;
    while (i < n && p[i] >= '0' && p[i] <= '9') i++, intd++;
    if (i < n && p[i] == '.') {
        i++;
        while (i < n && p[i] >= '0' && p[i] <= '9') i++, fracd++;
    }
    if (intd + fracd == 0) return false;
    if (i < n && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < n && (p[i] == '+' || p[i] == '-')) i++;
        size_t ed = 0;
        while (i < n && p[i] >= '0' && p[i] <= '9') i++, ed++;
        if (ed == 0) return false;
    }
    return i == n;
}

static Value bi_string_to_float(Value *a, int n) {
    NEED_STR(a[0], "String.to_float", 1);
    const char *p = str_data(a[0]);
    size_t lo, hi;
    trim_range(p, str_len(a[0]), &lo, &hi);
    const char *q = p + lo;
    size_t len = hi - lo, i = 0;
    bool neg = false;
    if (i < len && (q[i] == '+' || q[i] == '-')) neg = q[i++] == '-';
    const char *body = q + i;
    size_t bl = len - i;
    if (ieq_word(body, bl, "inf") || ieq_word(body, bl, "infinity")) return val_some(v_float(neg ? -INFINITY : INFINITY));
    if (ieq_word(body, bl, "nan")) return val_some(v_float(neg ? -NAN : NAN));
    if (!float_syntax(body, bl)) return val_none();
    /* strtod needs a NUL-terminated copy; parse in the C locale */
    char small[64];
    char *buf = len < sizeof small ? small : xmalloc(len + 1);
    memcpy(buf, q, len);
    buf[len] = 0;
    pthread_once(&c_locale_once, c_locale_init);
    double d = c_locale ? strtod_l(buf, NULL, c_locale) : strtod(buf, NULL);
    if (buf != small) free(buf);
    return val_some(v_float(d));
}

/* ---- rows of the library table (stdlib_table.h) ---------------------------- */

static const StdFn string_lib[] = {
    {"String", "length", "Fun(String) -> Int", bi_string_length, 1, SF_PREFIXED, "number of characters (code points)"},
    {"String", "slice", "Fun(String, Int, Int) -> String", bi_string_slice, 3, SF_PREFIXED, "characters [start, end), bounds clamped"},
    {"String", "contains", "Fun(String, String) -> Bool", bi_string_contains, 2, SF_PREFIXED, "does the string contain the substring?"},
    {"String", "starts_with", "Fun(String, String) -> Bool", bi_string_starts_with, 2, SF_PREFIXED, "does the string start with the prefix?"},
    {"String", "ends_with", "Fun(String, String) -> Bool", bi_string_ends_with, 2, SF_PREFIXED, "does the string end with the suffix?"},
    {"String", "trim", "Fun(String) -> String", bi_string_trim, 1, SF_PREFIXED, "remove leading and trailing whitespace"},
    {"String", "to_upper", "Fun(String) -> String", bi_string_to_upper, 1, SF_PREFIXED, "Unicode upper case"},
    {"String", "to_lower", "Fun(String) -> String", bi_string_to_lower, 1, SF_PREFIXED, "Unicode lower case"},
    {"String", "replace", "Fun(String, String, String) -> String", bi_string_replace, 3, SF_PREFIXED, "replace every occurrence"},
    {"String", "split", "Fun(String, String) -> List<String>", bi_string_split, 2, SF_PREFIXED, "split at every occurrence of the delimiter"},
    {"String", "join", "Fun(List<String>, String) -> String", bi_string_join, 2, SF_PREFIXED, "concatenate with a separator"},
    {"String", "to_int", "Fun(String) -> Option<Int>", bi_string_to_int, 1, SF_PREFIXED, "parse a decimal integer"},
    {"String", "to_float", "Fun(String) -> Option<Float>", bi_string_to_float, 1, SF_PREFIXED, "parse a decimal float"},
};
STDLIB_REGISTER(string_lib)
