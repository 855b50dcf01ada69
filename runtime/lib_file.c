/* lib_file.c — the File module (stdlib.md §11).
 *
 * Errors are Err("<strerror text> (os error N)"), as the original (Rust's
 * io::Error Display) prints them; a file that is not UTF-8 gives
 * Err("stream did not contain valid UTF-8"); a path containing a NUL byte
 * gives Rust's "file name contained an unexpected NUL byte".  All I/O is
 * plain blocking POSIX I/O, retried on EINTR. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#include "lib_util.h"
#include "stdlib_table.h"
#include "str.h"
#include "vals.h"
#include "xalloc.h"

Value lib_os_error(int err) {
    char buf[160];
    snprintf(buf, sizeof buf, "%s (os error %d)", strerror(err), err);
    return val_err_cstr(buf);
}

/* Strict UTF-8 (utf8proc rejects overlongs, surrogates and code points
 * past U+10FFFF), skipping eight ASCII bytes at a time. */
bool lib_utf8_valid(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    while (p < end) {
        if ((size_t)(end - p) >= 8) {
            uint64_t w;
            memcpy(&w, p, 8);
            if (!(w & 0x8080808080808080ULL)) {
                p += 8;
                continue;
            }
        }
        if (*p < 0x80) {
            p++;
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t len = utf8proc_iterate(p, end - p, &cp);
        if (len <= 0) return false;
        p += len;
    }
    return true;
}

/* The path as a C string, or NULL when it contains a NUL byte. */
static const char *path_of(Value v, const char *fn) {
    lib_need(v, T_STR, fn, 1);
    if (memchr(str_data(v), 0, str_len(v))) return NULL;
    return str_cstr(v);
}

static Value nul_in_path(void) { return val_err_cstr("file name contained an unexpected NUL byte"); }

static Value bi_file_read(Value *a, int n) {
    const char *path = path_of(a[0], "File.read");
    if (!path) return nul_in_path();
    int fd;
    do fd = open(path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) return lib_os_error(errno);
    struct stat st;
    size_t cap = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
    char *buf = xmalloc(cap);
    size_t len = 0;
    for (;;) {
        if (len == cap) {
            cap *= 2;
            char *nb = xrealloc(buf, cap);
            buf = nb;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            free(buf);
            close(fd);
            return lib_os_error(err);
        }
        if (r == 0) break;
        len += (size_t)r;
    }
    close(fd);
    if (!lib_utf8_valid(buf, len)) {
        free(buf);
        return val_err_cstr("stream did not contain valid UTF-8");
    }
    if (len > UINT32_MAX - 64) {
        free(buf);
        return val_err_cstr("file too large for a string");
    }
    Value s = str_new(buf, len);
    free(buf);
    return val_ok(s);
}

static Value write_file(Value *a, int flags, const char *fn) {
    const char *path = path_of(a[0], fn);
    lib_need(a[1], T_STR, fn, 2);
    if (!path) return nul_in_path();
    int fd;
    do fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0666);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) return lib_os_error(errno);
    const char *p = str_data(a[1]);
    size_t len = str_len(a[1]);
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            close(fd);
            return lib_os_error(err);
        }
        p += w;
        len -= (size_t)w;
    }
    if (close(fd) != 0 && errno != EINTR) return lib_os_error(errno);
    return val_ok(v_unit());
}

static Value bi_file_write(Value *a, int n) { return write_file(a, O_TRUNC, "File.write"); }
static Value bi_file_append(Value *a, int n) { return write_file(a, O_APPEND, "File.append"); }

static Value bi_file_exists(Value *a, int n) {
    const char *path = path_of(a[0], "File.exists");
    struct stat st;
    return v_bool(path && stat(path, &st) == 0);
}

static Value bi_file_delete(Value *a, int n) {
    const char *path = path_of(a[0], "File.delete");
    if (!path) return nul_in_path();
    if (unlink(path) != 0) return lib_os_error(errno);
    return val_ok(v_unit());
}

/* ---- rows of the library table (stdlib_table.h) ---------------------------- */

static const StdFn file_lib[] = {
    {"File", "read", "Fun(String) -> Result<String, String>", bi_file_read, 1, SF_PREFIXED, "the whole file as a string"},
    {"File", "write", "Fun(String, String) -> Result<(), String>", bi_file_write, 2, SF_PREFIXED, "create or truncate, then write"},
    {"File", "append", "Fun(String, String) -> Result<(), String>", bi_file_append, 2, SF_PREFIXED, "append, creating the file if needed"},
    {"File", "exists", "Fun(String) -> Bool", bi_file_exists, 1, SF_PREFIXED, "does the path exist?"},
    {"File", "delete", "Fun(String) -> Result<(), String>", bi_file_delete, 1, SF_PREFIXED, "remove a file"},
};
STDLIB_REGISTER(file_lib)
