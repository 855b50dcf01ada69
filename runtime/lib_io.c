/* lib_io.c — the prelude's output functions and the IO module: println,
 * print, IO.eprintln, IO.read_line (stdlib.md §1), plus compare, panic and
 * the dynamic fallback of default().
 *
 * Each println is one fwrite of the whole line (stdio locks the stream per
 * call), so lines from different processes never interleave.  When stdout
 * is flushed, and what a failed write does, is output.h's business.
 *
 * IO.read_line reads fd 0 through its own buffer (not stdio) with
 * fdio_read: when no data is ready the process waits in the poller, so
 * other processes keep running, and what was read is journaled (a replayed
 * run reads the same lines without the terminal). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>
#include <unistd.h>

#include "fdio.h"
#include "gc.h"
#include "iolog.h"
#include "lib_util.h"
#include "output.h"
#include "rt.h"
#include "sched.h"
#include "stdlib_table.h"
#include "str.h"
#include "vals.h"
#include "xalloc.h"

/* One fwrite; false if it failed (errno set). */
static bool write_line(FILE *f, Value s, bool nl) {
    size_t n = str_len(s);
    const char *p = str_data(s);
    if (!nl) return fwrite(p, 1, n, f) == n;
    char small[512];
    char *buf = n + 1 <= sizeof small ? small : xmalloc(n + 1);
    memcpy(buf, p, n);
    buf[n] = '\n';
    bool ok = fwrite(buf, 1, n + 1, f) == n + 1;
    if (buf != small) free(buf);
    return ok;
}

static Value bi_println(Value *a, int n) {
    (void)n;
    out_wrote(write_line(stdout, a[0], true));
    return v_unit();
}

static Value bi_print(Value *a, int n) {
    (void)n;
    out_wrote(write_line(stdout, a[0], false));
    return v_unit();
}

static Value bi_io_eprintln(Value *a, int n) {
    (void)n;
    if (fflush(stdout) != 0) out_wrote(false); /* stdout's lines come first */
    if (!write_line(stderr, a[0], true)) out_stderr_failed();
    return v_unit();
}

static Value bi_compare(Value *a, int n) {
    (void)n;
    return val_ordering(val_cmp(a[0], a[1]));
}

static Value bi_panic(Value *a, int n) {
    (void)n;
    rt_panic("%.*s", (int)str_len(a[0]), str_data(a[0]));
}

/* default() as a value or where the type was not known statically: the
 * evaluator resolves every typed default() call itself (prepare_conc.inc). */
static Value bi_default(Value *a, int n) {
    (void)a;
    (void)n;
    rt_panic("default(): the required type has no Default value");
}

/* ---- IO.read_line ------------------------------------------------------------ */

/* Bytes read from stdin but not yet returned: buf[pos..len). */
static once_flag in_once = ONCE_FLAG_INIT;
static struct {
    mtx_t lock;
    char *buf;
    size_t pos, len, cap;
    bool eof;
} in;

/* A journaled run starts with nothing buffered (iolog.h). */
static void in_reset(void) {
    in.pos = in.len = 0;
    in.eof = false;
}

static void in_init(void) {
    if (mtx_init(&in.lock, mtx_plain) != thrd_success) rt_fatal("mtx_init failed");
    iolog_on_rewind(in_reset);
}

/* Take the next line (or the rest at end of input) if one is buffered:
 * true and *line set; the line excludes `\n` and one `\r` before it.
 * Returns Err for a line that is not UTF-8 (the line is consumed). */
static bool take_line(Value *line) {
    char *p = in.buf + in.pos;
    size_t avail = in.len - in.pos;
    char *nl = avail ? memchr(p, '\n', avail) : NULL;
    if (!nl && !in.eof) return false;
    size_t used = nl ? (size_t)(nl - p) + 1 : avail;
    size_t n = nl ? (size_t)(nl - p) : avail;
    if (nl && n > 0 && p[n - 1] == '\r') n--;
    in.pos += used;
    if (!lib_utf8_valid(p, n)) *line = val_err_cstr("stream did not contain valid UTF-8");
    else *line = val_ok(str_new(p, n));
    return true;
}

/* Append n bytes read from stdin (n == 0: end of input).  Under in.lock. */
static void append(const char *p, size_t n) {
    if (n == 0) {
        in.eof = true;
        return;
    }
    if (in.pos > 0) { /* slide the partial line to the front */
        memmove(in.buf, in.buf + in.pos, in.len - in.pos);
        in.len -= in.pos;
        in.pos = 0;
    }
    if (in.len + n > in.cap) {
        size_t nc = in.cap ? in.cap : 65536;
        while (nc < in.len + n) nc *= 2;
        in.buf = xrealloc(in.buf, nc);
        in.cap = nc;
    }
    memcpy(in.buf + in.len, p, n);
    in.len += n;
}

#define READ_CHUNK 65536

static Value bi_io_read_line(Value *a, int n) {
    (void)a;
    (void)n;
    call_once(&in_once, in_init);
    char *chunk = NULL; /* in the process's heap: an unwind while parked loses nothing */
    for (;;) {
        mtx_lock(&in.lock);
        Value line;
        if (take_line(&line)) {
            mtx_unlock(&in.lock);
            return line;
        }
        mtx_unlock(&in.lock);
        /* nothing complete buffered: read more, waiting in the poller (other
         * processes keep running; journaled, so a replay reads the same) */
        if (!chunk) chunk = (char *)gc_alloc_uninit(sizeof(Obj) + READ_CHUNK, OK_RAW) + sizeof(Obj);
        ssize_t r = fdio_read(0, chunk, READ_CHUNK, -1);
        if (r < 0) return lib_os_error((int)-r);
        mtx_lock(&in.lock);
        append(chunk, (size_t)r);
        mtx_unlock(&in.lock);
    }
}

/* ---- rows of the library table (stdlib_table.h) ---------------------------- */

static const StdFn io_lib[] = {
    {"", "println", "Fun(String) -> ()", bi_println, 1, SF_PRELUDE, "write a line to standard output"},
    {"", "print", "Fun(String) -> ()", bi_print, 1, SF_PRELUDE, "write to standard output without a newline"},
    {"", "compare", "Fun(T, T) -> Ordering where T: Ord", bi_compare, 2, SF_PRELUDE, "three-way comparison: Less, Equal or Greater"},
    {"", "default", "Fun() -> T where T: Default", bi_default, 0, SF_PRELUDE|SF_SPECIAL, "the Default value of the type the context requires"},
    {"", "panic", "Fun(String) -> T", bi_panic, 1, SF_PRELUDE, "crash the current process with reason Error(message)"},
    {"IO", "eprintln", "Fun(String) -> ()", bi_io_eprintln, 1, SF_PREFIXED, "write a line to standard error"},
    {"IO", "read_line", "Fun() -> Result<String, String>", bi_io_read_line, 0, SF_PREFIXED|SF_BLOCKS, "read one line from standard input (without the newline)"},
};
STDLIB_REGISTER(io_lib)
