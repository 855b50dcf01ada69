/* dbg_fmt.c — the debugger's value text: fmt_show (runtime/fmt.h), bounded
 * in length and depth, never running Snow code (a user `to_string` could
 * block, send or panic; the debugger only looks), and pids. */
#include <stdio.h>
#include <string.h>

#include "dbg.h"
#include "event.h"
#include "fmt.h"
#include "xalloc.h"

void dbg_fmt_pid(char *buf, size_t cap, uint64_t pid) {
    if (pid == DBG_NONE) snprintf(buf, cap, "-");
    else ev_fmt_pid(pid, buf, cap);
}

void dbg_fmt(SB *b, Value v, size_t max) { fmt_show(b, v, max ? max : 1); }

char *dbg_fmt_str(Value v, size_t max) {
    SB b;
    sb_init(&b);
    dbg_fmt(&b, v, max);
    char *s = xmalloc(b.len + 1);
    memcpy(s, b.p, b.len);
    s[b.len] = 0;
    sb_free(&b);
    return s;
}
