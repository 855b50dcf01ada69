/* blocked.c — wait reasons and the deadlock report (see blocked.h). */
#include "blocked.h"

#include <inttypes.h>
#include <string.h>

#include "proc.h"
#include "proc_private.h"
#include "registry.h"

void (*blocked_receive_text_hook)(const void *site, SB *out);
void (*blocked_where_hook)(Proc *p, SB *out);

void blocked_on(BlockedWhy why, uint64_t pid, const char *name, const void *site) {
    Proc *p = proc_self();
    if (!p) return;
    p->why = (uint8_t)why;
    p->why_pid = pid;
    p->why_name = name;
    p->why_site = site;
}

void blocked_clear(Proc *p) { p->why = BW_NONE; }

const char *blocked_event_label(const Proc *p, WaitKind kind) {
    static const char *const names[] = {"receive", "receive_after", "sleep", "io", "other", "blocking", "resource"};
    if ((kind == W_RECV || kind == W_RECV_AFTER) && p->why == BW_REPLY) return "reply";
    return names[kind];
}

static void put_pid(SB *b, uint64_t pid) { sb_printf(b, "<0.%" PRIu64 ">", pid_serial(pid)); }

/* "main", the actor or service name, or else the registered name. */
static const char *proc_label(const Proc *p) {
    if (p->is_main) return "main";
    if (p->name) return p->name;
    return p->reg ? p->reg->name : "?";
}

static void put_who(SB *b, uint64_t pid, const char *fallback) {
    put_pid(b, pid);
    Proc *q = proc_find(pid);
    const char *name = q ? proc_label(q) : fallback;
    if (name) sb_printf(b, " %s", name);
}

/* "a reply from <0.1> Counter", "a message matching `Pong`", ... */
void blocked_reason_text(Proc *p, SB *b) {
    switch ((BlockedWhy)p->why) {
    case BW_RECEIVE:
        if (blocked_receive_text_hook && p->why_site) blocked_receive_text_hook(p->why_site, b);
        else sb_puts(b, "a message");
        break;
    case BW_REPLY:
        sb_puts(b, "a reply from ");
        put_who(b, p->why_pid, p->why_name);
        break;
    case BW_REQUEST: sb_puts(b, "a call or a cast"); break;
    case BW_SUPERVISE: sb_puts(b, "a child to exit (it supervises)"); break;
    case BW_CHILD_EXIT:
        sb_puts(b, "its child ");
        put_who(b, p->why_pid, NULL);
        sb_puts(b, " to stop");
        break;
    case BW_JOB:
        sb_puts(b, "the result of the job ");
        put_pid(b, p->why_pid);
        break;
    case BW_JOBS: sb_puts(b, "the results of Job.map"); break;
    case BW_RESOURCE: sb_puts(b, p->why_name ? p->why_name : "a resource"); break;
    case BW_NONE:
    default:
        if (p->state == PS_WAITING && p->wait == W_SLEEP) sb_puts(b, "the end of a Timer.sleep");
        else if (p->state == PS_WAITING && p->wait == W_IO) sb_puts(b, "input");
        else if (p->state == PS_WAITING && p->wait == W_BLOCKING) sb_puts(b, "a blocking call (file I/O)");
        else sb_puts(b, "a message");
        break;
    }
}

typedef struct Report {
    SB lines;
    size_t n, shown;
    int width;
} Report;

#define REPORT_MAX 20 /* processes listed; the rest are counted */

static void widest(Proc *p, void *ud) {
    Report *r = ud;
    int w = (int)strlen(proc_label(p));
    if (w > r->width && w <= 24) r->width = w;
}

static void list_one(Proc *p, void *ud) {
    Report *r = ud;
    r->n++;
    if (r->shown == REPORT_MAX) return;
    r->shown++;
    SB *b = &r->lines;
    size_t start = b->len;
    sb_puts(b, "  ");
    put_pid(b, p->pid);
    size_t pidw = b->len - start;
    sb_printf(b, "%*s%-*s  ", (int)(9 - (pidw < 9 ? pidw : 8)), "", r->width, proc_label(p));
    /* nothing can run: every live process is blocked (the threaded
     * scheduler keeps its states in Proc.sword, not in Proc.state) */
    sb_puts(b, "waits for ");
    blocked_reason_text(p, b);
    if (blocked_where_hook) {
        size_t before = b->len;
        sb_puts(b, " (");
        size_t mark = b->len;
        blocked_where_hook(p, b);
        if (b->len == mark) b->len = before;
        else sb_putc(b, ')');
    }
    sb_putc(b, '\n');
}

static void find_main(Proc *p, void *ud) {
    if (p->is_main) *(Proc **)ud = p;
}

void blocked_report_deadlock(FILE *out) {
    Proc *main = NULL;
    proc_foreach(find_main, &main);
    SB head;
    sb_init(&head);
    sb_puts(&head, "panic: deadlock: main ");
    if (main) {
        sb_puts(&head, "waits for ");
        blocked_reason_text(main, &head);
    } else {
        sb_puts(&head, "is blocked");
    }
    sb_puts(&head, ", and no process can run\n");
    Report r = {.width = 4};
    sb_init(&r.lines);
    proc_foreach(widest, &r);
    proc_foreach(list_one, &r);
    fflush(stdout);
    fputs(sb_cstr(&head), out);
    fputs("blocked processes:\n", out);
    fputs(sb_cstr(&r.lines), out);
    if (r.n > r.shown) fprintf(out, "  ... and %zu more\n", r.n - r.shown);
    fflush(out);
    sb_free(&head);
    sb_free(&r.lines);
}
