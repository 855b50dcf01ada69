/* lib_file.c — the File module (stdlib.md §11).
 *
 * Errors are Err("<strerror text> (os error N)"), as the original (Rust's
 * io::Error Display) prints them; a file that is not UTF-8 gives
 * Err("stream did not contain valid UTF-8"); a path containing a NUL byte
 * gives Rust's "file name contained an unexpected NUL byte".
 *
 * The system calls run through sched_run_blocking: inline under the
 * deterministic scheduler, on the blocking pool under --threads (a slow
 * disk, a FIFO with no writer or an NFS stall parks this process only).
 * Each job touches only C memory (the path, a malloc'd buffer); the Snow
 * values are built after it returns. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#include "lib_util.h"
#include "sb.h"
#include "sched.h"
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

Value lib_str_lossy(const char *s, size_t l) {
    if (lib_utf8_valid(s, l)) return str_new(s, l);
    SB b;
    sb_init(&b);
    for (size_t i = 0; i < l;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(l - i), &cp);
        if (k > 0) {
            sb_put(&b, s + i, (size_t)k);
            i += (size_t)k;
        } else {
            sb_put(&b, "\xEF\xBF\xBD", 3);
            i++;
        }
    }
    return sb_finish(&b);
}

/* The path as a C string, or NULL when it contains a NUL byte. */
static const char *path_of(Value v, const char *fn) {
    lib_need(v, T_STR, fn, 1);
    if (memchr(str_data(v), 0, str_len(v))) return NULL;
    return str_cstr(v);
}

static Value nul_in_path(void) { return val_err_cstr("file name contained an unexpected NUL byte"); }

/* ---- jobs: plain blocking POSIX I/O, retried on EINTR -------------------------- */

typedef struct FileJob {
    const char *path;
    int flags;          /* write: O_TRUNC or O_APPEND */
    const char *data;   /* write: the bytes */
    size_t len;         /* write: in; read: out */
    char *buf;          /* read: malloc'd contents */
    int err;            /* errno of the failure, 0 */
} FileJob;

static void read_job(void *arg) {
    FileJob *j = arg;
    int fd;
    do fd = open(j->path, O_RDONLY | O_CLOEXEC);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        j->err = errno;
        return;
    }
    struct stat st;
    size_t cap = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 1 : 4096;
    char *buf = xmalloc(cap);
    size_t len = 0;
    for (;;) {
        if (len == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap);
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0) {
            if (errno == EINTR) continue;
            j->err = errno;
            free(buf);
            close(fd);
            return;
        }
        if (r == 0) break;
        len += (size_t)r;
    }
    close(fd);
    j->buf = buf;
    j->len = len;
}

static void write_job(void *arg) {
    FileJob *j = arg;
    int fd;
    do fd = open(j->path, O_WRONLY | O_CREAT | O_CLOEXEC | j->flags, 0666);
    while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        j->err = errno;
        return;
    }
    const char *p = j->data;
    size_t len = j->len;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            j->err = errno;
            close(fd);
            return;
        }
        p += w;
        len -= (size_t)w;
    }
    if (close(fd) != 0 && errno != EINTR) j->err = errno;
}

static void exists_job(void *arg) {
    FileJob *j = arg;
    struct stat st;
    j->err = stat(j->path, &st) == 0 ? 0 : errno;
}

static void delete_job(void *arg) {
    FileJob *j = arg;
    j->err = unlink(j->path) == 0 ? 0 : errno;
}

/* ---- the builtins ------------------------------------------------------------------ */

static Value bi_file_read(Value *a, int n) {
    const char *path = path_of(a[0], "File.read");
    if (!path) return nul_in_path();
    FileJob j = {.path = path};
    sched_run_blocking(read_job, &j); /* `path` stays alive: a[0] is on this stack */
    if (j.err) return lib_os_error(j.err);
    if (!lib_utf8_valid(j.buf, j.len)) {
        free(j.buf);
        return val_err_cstr("stream did not contain valid UTF-8");
    }
    if (j.len > UINT32_MAX - 64) {
        free(j.buf);
        return val_err_cstr("file too large for a string");
    }
    Value s = str_new(j.buf, j.len);
    free(j.buf);
    return val_ok(s);
}

static Value write_file(Value *a, int flags, const char *fn) {
    const char *path = path_of(a[0], fn);
    lib_need(a[1], T_STR, fn, 2);
    if (!path) return nul_in_path();
    FileJob j = {.path = path, .flags = flags, .data = str_data(a[1]), .len = str_len(a[1])};
    sched_run_blocking(write_job, &j);
    if (j.err) return lib_os_error(j.err);
    return val_ok(v_unit());
}

static Value bi_file_write(Value *a, int n) { return write_file(a, O_TRUNC, "File.write"); }
static Value bi_file_append(Value *a, int n) { return write_file(a, O_APPEND, "File.append"); }

static Value bi_file_exists(Value *a, int n) {
    const char *path = path_of(a[0], "File.exists");
    if (!path) return v_bool(false);
    FileJob j = {.path = path};
    sched_run_blocking(exists_job, &j);
    return v_bool(j.err == 0);
}

static Value bi_file_delete(Value *a, int n) {
    const char *path = path_of(a[0], "File.delete");
    if (!path) return nul_in_path();
    FileJob j = {.path = path};
    sched_run_blocking(delete_job, &j);
    if (j.err) return lib_os_error(j.err);
    return val_ok(v_unit());
}

/* ---- rows of the library table (stdlib_table.h) ---------------------------- */

static const StdFn file_lib[] = {
    {"File", "read", "Fun(String) -> Result<String, String>", bi_file_read, 1, SF_PREFIXED | SF_BLOCKS, "the whole file as a string"},
    {"File", "write", "Fun(String, String) -> Result<(), String>", bi_file_write, 2, SF_PREFIXED | SF_BLOCKS, "create or truncate, then write"},
    {"File", "append", "Fun(String, String) -> Result<(), String>", bi_file_append, 2, SF_PREFIXED | SF_BLOCKS, "append, creating the file if needed"},
    {"File", "exists", "Fun(String) -> Bool", bi_file_exists, 1, SF_PREFIXED | SF_BLOCKS, "does the path exist?"},
    {"File", "delete", "Fun(String) -> Result<(), String>", bi_file_delete, 1, SF_PREFIXED | SF_BLOCKS, "remove a file"},
};
STDLIB_REGISTER(file_lib)
